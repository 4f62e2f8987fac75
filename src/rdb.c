/*
 * RDB encoding primitives shared by the writer, the loader and DUMP /
 * RESTORE: lengths, strings (integer, LZF and raw encodings), times and
 * doubles, in both directions, with bounds checks on every read.
 *
 * Lengths: 00xxxxxx (6 bits), 01xxxxxx xxxxxxxx (14 bits, big-endian),
 * 0x80 + u32 BE, 0x81 + u64 BE; 11xxxxxx announces a special string
 * encoding (int8, int16, int32 little-endian, or LZF: compressed length,
 * original length, data).
 */
#include <errno.h>
#include <limits.h>
#include <lzf.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "keyspace.h"
#include "rdb_internal.h"

/* Reads bigger than this are done in steps when the stream cannot say
 * how many bytes it still holds, so a bogus length cannot make us
 * allocate gigabytes before the stream runs dry. */
#define RDB_GROW_STEP (16 * 1024 * 1024)
/* LZF expands at most 264 bytes per 3-byte back reference (88x); a claim
 * beyond this ratio is corrupt. */
#define RDB_LZF_MAX_RATIO 100

int rdb_is_object_type(int t) {
    return (t >= RDB_TYPE_STRING && t <= RDB_TYPE_MODULE_2) ||
           (t >= RDB_TYPE_HASH_ZIPMAP && t <= RDB_TYPE_STREAM_LISTPACKS_2);
}

void rdb_debug_delay(int usec) {
    if (usec < 0) usec = (random() % -(long)usec) == 0 ? 1 : 0;
    if (usec > 0) usleep((useconds_t)usec);
}

void rdb_set_idle(kobj *o, long long seconds) {
    if (o->refcount == INT_MAX || seconds < 0) return;
    unsigned int now = obj_lru_clock();
    if (seconds >= OBJ_LRU_CLOCK_MAX) seconds = OBJ_LRU_CLOCK_MAX - 1;
    unsigned int idle = (unsigned int)seconds;
    /* obj_idle_ms reads a clock value above now as one wrap ago. */
    o->lru = idle <= now ? now - idle : now + OBJ_LRU_CLOCK_MAX - idle;
}

/* ---------- writing ---------- */

int rdb_write_byte(rio *r, unsigned char b) {
    return rio_write(r, &b, 1);
}

int rdb_write_len(rio *r, uint64_t len) {
    unsigned char buf[9];
    size_t n;
    if (len < (1 << 6)) {
        buf[0] = (unsigned char)((RDB_6BITLEN << 6) | len);
        n = 1;
    } else if (len < (1 << 14)) {
        buf[0] = (unsigned char)((RDB_14BITLEN << 6) | (len >> 8));
        buf[1] = (unsigned char)(len & 0xff);
        n = 2;
    } else if (len <= UINT32_MAX) {
        buf[0] = RDB_32BITLEN;
        for (int i = 0; i < 4; i++) buf[1 + i] = (unsigned char)(len >> (24 - 8 * i));
        n = 5;
    } else {
        buf[0] = RDB_64BITLEN;
        for (int i = 0; i < 8; i++) buf[1 + i] = (unsigned char)(len >> (56 - 8 * i));
        n = 9;
    }
    return rio_write(r, buf, n);
}

int rdb_write_millis(rio *r, long long ms) {
    unsigned char buf[8];
    uint64_t v = (uint64_t)ms;
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)(v >> (8 * i));
    return rio_write(r, buf, 8);
}

int rdb_write_binary_double(rio *r, double d) {
    uint64_t v;
    memcpy(&v, &d, sizeof(v));
    unsigned char buf[8];
    for (int i = 0; i < 8; i++) buf[i] = (unsigned char)(v >> (8 * i));
    return rio_write(r, buf, 8);
}

/* Integer encoding of v into buf; returns its size, 0 when v needs more
 * than 32 bits. */
static size_t encode_integer(long long v, unsigned char *buf) {
    if (v >= INT8_MIN && v <= INT8_MAX) {
        buf[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT8;
        buf[1] = (unsigned char)(int8_t)v;
        return 2;
    }
    if (v >= INT16_MIN && v <= INT16_MAX) {
        uint16_t u = (uint16_t)(int16_t)v;
        buf[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT16;
        buf[1] = (unsigned char)(u & 0xff);
        buf[2] = (unsigned char)(u >> 8);
        return 3;
    }
    if (v >= INT32_MIN && v <= INT32_MAX) {
        uint32_t u = (uint32_t)(int32_t)v;
        buf[0] = (RDB_ENCVAL << 6) | RDB_ENC_INT32;
        for (int i = 0; i < 4; i++) buf[1 + i] = (unsigned char)(u >> (8 * i));
        return 5;
    }
    return 0;
}

int rdb_write_ll_string(rio *r, long long v) {
    unsigned char buf[LONG_STR_SIZE];
    size_t n = encode_integer(v, buf);
    if (n) return rio_write(r, buf, n);
    int len = ll2string((char *)buf, sizeof(buf), v);
    if (rdb_write_len(r, (uint64_t)len) == C_ERR) return C_ERR;
    return rio_write(r, buf, (size_t)len);
}

/* Scratch buffer for LZF output, reused across strings up to this size
 * (a bigger one is freed after use, not kept for the process lifetime). */
#define LZF_SCRATCH_KEEP (1024 * 1024)
static unsigned char *lzf_scratch;
static size_t lzf_scratch_size;

static void lzf_scratch_trim(void) {
    if (lzf_scratch_size <= LZF_SCRATCH_KEEP) return;
    zfree(lzf_scratch);
    lzf_scratch = NULL;
    lzf_scratch_size = 0;
}

/* Writes p LZF-compressed when that saves at least 5 bytes; returns 1 when
 * written, 0 when not compressible, -1 on a write error. */
static int write_lzf(rio *r, const void *p, size_t len) {
    if (len <= 4 || len > UINT_MAX) return 0;
    size_t outlen = len - 4;
    if (lzf_scratch_size < outlen + 1) {
        zfree(lzf_scratch);
        lzf_scratch_size = outlen + 1;
        lzf_scratch = zmalloc(lzf_scratch_size);
    }
    unsigned int clen = lzf_compress(p, (unsigned int)len, lzf_scratch, (unsigned int)outlen);
    int rc = 0;
    if (clen > 0) {
        rc = 1;
        if (rdb_write_byte(r, (RDB_ENCVAL << 6) | RDB_ENC_LZF) == C_ERR ||
            rdb_write_len(r, clen) == C_ERR || rdb_write_len(r, len) == C_ERR ||
            rio_write(r, lzf_scratch, clen) == C_ERR)
            rc = -1;
    }
    lzf_scratch_trim();
    return rc;
}

int rdb_write_string(rio *r, const void *p, size_t len) {
    if (len <= 11) {
        long long v;
        char digits[LONG_STR_SIZE];
        if (string2ll(p, len, &v) && (size_t)ll2string(digits, sizeof(digits), v) == len &&
            memcmp(digits, p, len) == 0) {
            unsigned char buf[8];
            size_t n = encode_integer(v, buf);
            if (n) return rio_write(r, buf, n);
        }
    }
    if (server.rdb_compression && len > 20) {
        int done = write_lzf(r, p, len);
        if (done < 0) return C_ERR;
        if (done > 0) return C_OK;
    }
    if (rdb_write_len(r, len) == C_ERR) return C_ERR;
    return rio_write(r, p, len);
}

/* ---------- reading ---------- */

void rdb_reader_init(rdb_reader *rd, rio *r) {
    memset(rd, 0, sizeof(*rd));
    rd->r = r;
}

int rdb_fail(rdb_reader *rd, const char *fmt, ...) {
    if (rd->failed) return C_ERR;
    rd->failed = 1;
    rd->err_offset = rd->r->offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(rd->err, sizeof(rd->err), fmt, ap);
    va_end(ap);
    return C_ERR;
}

int rdb_read_bytes(rdb_reader *rd, void *p, size_t n, const char *what) {
    if (rio_read(rd->r, p, n) == C_OK) return C_OK;
    if (rd->r->err) return rdb_fail(rd, "read error reading %s: %s", what, strerror(rd->r->err));
    return rdb_fail(rd, "unexpected end of file reading %s", what);
}

int rdb_read_byte(rdb_reader *rd, unsigned char *b, const char *what) {
    return rdb_read_bytes(rd, b, 1, what);
}

int rdb_read_len(rdb_reader *rd, uint64_t *len, int *encoded, const char *what) {
    unsigned char b;
    if (encoded) *encoded = 0;
    if (rdb_read_byte(rd, &b, what) == C_ERR) return C_ERR;
    switch (b >> 6) {
    case RDB_6BITLEN: *len = b & 0x3F; return C_OK;
    case RDB_14BITLEN: {
        unsigned char b2;
        if (rdb_read_byte(rd, &b2, what) == C_ERR) return C_ERR;
        *len = (uint64_t)(b & 0x3F) << 8 | b2;
        return C_OK;
    }
    case RDB_ENCVAL:
        if (!encoded)
            return rdb_fail(rd, "%s: a length was expected, found encoding 0x%02x", what, b);
        *encoded = 1;
        *len = b & 0x3F;
        return C_OK;
    default: break;
    }
    size_t n;
    if (b == RDB_32BITLEN)
        n = 4;
    else if (b == RDB_64BITLEN)
        n = 8;
    else
        return rdb_fail(rd, "%s: unknown length encoding 0x%02x", what, b);
    unsigned char buf[8];
    if (rdb_read_bytes(rd, buf, n, what) == C_ERR) return C_ERR;
    uint64_t v = 0;
    for (size_t i = 0; i < n; i++) v = (v << 8) | buf[i];
    *len = v;
    return C_OK;
}

/* Where a string lands: a kstr (keys, values) or a plain zmalloc buffer
 * (compact blobs used as they are). */
static void *buf_alloc(int as_kstr, size_t len) {
    if (as_kstr) return kstr_new(NULL, len);
    return zmalloc(len ? len : 1);
}

static void buf_free(int as_kstr, void *p) {
    if (as_kstr)
        kstr_free(p);
    else
        zfree(p);
}

/* Reads len raw bytes into a new buffer. */
static int read_raw(rdb_reader *rd, int as_kstr, size_t len, void **out, const char *what) {
    unsigned long long left = rio_remaining(rd->r);
    if (left != ULLONG_MAX && len > left)
        return rdb_fail(rd, "unexpected end of file reading %s (%zu bytes announced, %llu left)",
                        what, len, left);
    if (left != ULLONG_MAX || len <= RDB_GROW_STEP) {
        void *p = buf_alloc(as_kstr, len);
        if (rdb_read_bytes(rd, p, len, what) == C_ERR) {
            buf_free(as_kstr, p);
            return C_ERR;
        }
        *out = p;
        return C_OK;
    }
    /* Unknown stream size: grow as the bytes arrive. */
    size_t have = 0;
    unsigned char *p = NULL;
    while (have < len) {
        size_t step = len - have < RDB_GROW_STEP ? len - have : RDB_GROW_STEP;
        p = zrealloc(p, have + step);
        if (rdb_read_bytes(rd, p + have, step, what) == C_ERR) {
            zfree(p);
            return C_ERR;
        }
        have += step;
    }
    if (as_kstr) {
        *out = kstr_new(p, len);
        zfree(p);
    } else {
        *out = p;
    }
    return C_OK;
}

static int read_lzf(rdb_reader *rd, int as_kstr, void **out, size_t *outlen, const char *what) {
    uint64_t clen, ulen;
    if (rdb_read_len(rd, &clen, NULL, what) == C_ERR) return C_ERR;
    if (rdb_read_len(rd, &ulen, NULL, what) == C_ERR) return C_ERR;
    if (clen == 0 || ulen == 0 || clen > UINT_MAX || ulen > UINT_MAX ||
        ulen / RDB_LZF_MAX_RATIO > clen)
        return rdb_fail(rd, "%s: bad LZF lengths (%llu compressed, %llu original)", what,
                        (unsigned long long)clen, (unsigned long long)ulen);
    void *c;
    if (read_raw(rd, 0, (size_t)clen, &c, what) == C_ERR) return C_ERR;
    void *dst = buf_alloc(as_kstr, (size_t)ulen);
    unsigned int got = lzf_decompress(c, (unsigned int)clen, dst, (unsigned int)ulen);
    zfree(c);
    if (got != ulen) {
        buf_free(as_kstr, dst);
        return rdb_fail(rd, "%s: bad LZF data (decompressed %u of %llu bytes)", what, got,
                        (unsigned long long)ulen);
    }
    *out = dst;
    *outlen = (size_t)ulen;
    return C_OK;
}

static int read_int_encoded(rdb_reader *rd, uint64_t enc, long long *v, const char *what) {
    unsigned char buf[4];
    size_t n = enc == RDB_ENC_INT8 ? 1 : enc == RDB_ENC_INT16 ? 2 : 4;
    if (rdb_read_bytes(rd, buf, n, what) == C_ERR) return C_ERR;
    if (n == 1)
        *v = (int8_t)buf[0];
    else if (n == 2)
        *v = (int16_t)(uint16_t)(buf[0] | buf[1] << 8);
    else
        *v = (int32_t)((uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                       (uint32_t)buf[3] << 24);
    return C_OK;
}

static int read_string(rdb_reader *rd, int as_kstr, void **out, size_t *outlen, const char *what) {
    uint64_t len;
    int encoded;
    if (rdb_read_len(rd, &len, &encoded, what) == C_ERR) return C_ERR;
    if (encoded) {
        switch (len) {
        case RDB_ENC_INT8:
        case RDB_ENC_INT16:
        case RDB_ENC_INT32: {
            long long v;
            if (read_int_encoded(rd, len, &v, what) == C_ERR) return C_ERR;
            char digits[LONG_STR_SIZE];
            int n = ll2string(digits, sizeof(digits), v);
            void *p = buf_alloc(as_kstr, (size_t)n);
            memcpy(p, digits, (size_t)n);
            *out = p;
            *outlen = (size_t)n;
            return C_OK;
        }
        case RDB_ENC_LZF: return read_lzf(rd, as_kstr, out, outlen, what);
        default:
            return rdb_fail(rd, "%s: unknown string encoding %llu", what, (unsigned long long)len);
        }
    }
    if (len > SIZE_MAX / 2)
        return rdb_fail(rd, "%s: bad length %llu", what, (unsigned long long)len);
    if (read_raw(rd, as_kstr, (size_t)len, out, what) == C_ERR) return C_ERR;
    *outlen = (size_t)len;
    return C_OK;
}

int rdb_read_kstr(rdb_reader *rd, kstr *out, const char *what) {
    void *p;
    size_t len;
    if (read_string(rd, 1, &p, &len, what) == C_ERR) return C_ERR;
    *out = p;
    return C_OK;
}

int rdb_read_blob(rdb_reader *rd, unsigned char **out, size_t *len, const char *what) {
    void *p;
    if (read_string(rd, 0, &p, len, what) == C_ERR) return C_ERR;
    *out = p;
    return C_OK;
}

int rdb_read_millis(rdb_reader *rd, long long *ms) {
    unsigned char buf[8];
    if (rdb_read_bytes(rd, buf, 8, "an expire time") == C_ERR) return C_ERR;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | buf[i];
    *ms = (long long)v;
    return C_OK;
}

int rdb_read_seconds(rdb_reader *rd, long long *ms) {
    unsigned char buf[4];
    if (rdb_read_bytes(rd, buf, 4, "an expire time") == C_ERR) return C_ERR;
    int32_t s = (int32_t)((uint32_t)buf[0] | (uint32_t)buf[1] << 8 | (uint32_t)buf[2] << 16 |
                          (uint32_t)buf[3] << 24);
    *ms = (long long)s * 1000;
    return C_OK;
}

int rdb_read_binary_double(rdb_reader *rd, double *d) {
    unsigned char buf[8];
    if (rdb_read_bytes(rd, buf, 8, "a score") == C_ERR) return C_ERR;
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | buf[i];
    memcpy(d, &v, sizeof(*d));
    return C_OK;
}

int rdb_read_text_double(rdb_reader *rd, double *d) {
    unsigned char len;
    if (rdb_read_byte(rd, &len, "a score") == C_ERR) return C_ERR;
    switch (len) {
    case 253: *d = NAN; return C_OK;
    case 254: *d = INFINITY; return C_OK;
    case 255: *d = -INFINITY; return C_OK;
    default: break;
    }
    char buf[256];
    if (rdb_read_bytes(rd, buf, len, "a score") == C_ERR) return C_ERR;
    if (!string2d(buf, len, d)) return rdb_fail(rd, "score '%.*s' is not a number", len, buf);
    return C_OK;
}
