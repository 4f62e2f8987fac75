/*
 * HyperLogLog: PFADD PFCOUNT PFMERGE PFDEBUG PFSELFTEST, stored in Redis'
 * HYLL string format so values move freely between keyport and Redis
 * (DUMP/RESTORE, replication): the same hash, register layout, sparse
 * opcodes and update rules, hence byte-identical strings after the same
 * commands, and the same estimator, hence identical counts.
 *
 * Format: a 16-byte header ("HYLL", encoding byte, 3 unused bytes, the
 * cached cardinality as 8 little-endian bytes whose top bit set means
 * "stale"), then the 16384 registers of 6 bits:
 *   dense:  packed, register i at bit 6i, least significant bits first;
 *   sparse: opcodes ZERO 00xxxxxx (1..64 zero registers), XZERO 01xxxxxx
 *           yyyyyyyy (1..16384 zero registers), VAL 1vvvvvxx (1..4
 *           registers of value 1..32).
 * A sparse HLL becomes dense when a register needs a value above 32 or the
 * string would grow past hll-sparse-max-bytes.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyspace.h"
#include "notify.h"
#include "server.h"

#define HLL_P 14
#define HLL_Q (64 - HLL_P)
#define HLL_REGISTERS (1 << HLL_P)
#define HLL_P_MASK (HLL_REGISTERS - 1)
#define HLL_BITS 6
#define HLL_REGISTER_MAX ((1 << HLL_BITS) - 1)
#define HLL_HDR_SIZE 16
#define HLL_DENSE_SIZE (HLL_HDR_SIZE + (HLL_REGISTERS * HLL_BITS + 7) / 8)
#define HLL_DENSE 0
#define HLL_SPARSE 1
#define HLL_RAW 255 /* internal: one byte per register (PFCOUNT of several keys) */
#define HLL_MAX_ENCODING 1
#define HLL_ALPHA_INF 0.721347520444481703680 /* 0.5 / ln(2) */

#define SPARSE_VAL_MAX_VALUE 32
#define SPARSE_VAL_MAX_LEN 4
#define SPARSE_ZERO_MAX_LEN 64
#define SPARSE_XZERO_MAX_LEN 16384

static const char invalid_hll_err[] = "INVALIDOBJ Corrupted HLL object detected";
static const char not_hll_err[] = "WRONGTYPE Key is not a valid HyperLogLog string value.";

/* ---------- header ---------- */

static int hll_encoding(const unsigned char *h) {
    return h[4];
}

static void hll_invalidate_cache(unsigned char *h) {
    h[HLL_HDR_SIZE - 1] |= 0x80;
}

static int hll_cache_valid(const unsigned char *h) {
    return (h[HLL_HDR_SIZE - 1] & 0x80) == 0;
}

static uint64_t hll_cached(const unsigned char *h) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | h[8 + i];
    return v;
}

static void hll_set_cached(unsigned char *h, uint64_t v) {
    for (int i = 0; i < 8; i++) h[8 + i] = (unsigned char)(v >> (8 * i));
}

/* ---------- hash ---------- */

/* MurmurHash64A, reading input words as little-endian on every host. */
static uint64_t murmurhash64a(const void *key, size_t len, uint64_t seed) {
    const uint64_t m = 0xc6a4a7935bd1e995ULL;
    const int r = 47;
    const unsigned char *data = key;
    uint64_t h = seed ^ ((uint64_t)len * m);
    size_t words = len / 8;
    for (size_t i = 0; i < words; i++, data += 8) {
        uint64_t k = 0;
        for (int b = 7; b >= 0; b--) k = (k << 8) | data[b];
        k *= m;
        k ^= k >> r;
        k *= m;
        h ^= k;
        h *= m;
    }
    size_t tail = len & 7;
    if (tail) {
        for (size_t b = tail; b-- > 0;) h ^= (uint64_t)data[b] << (8 * b);
        h *= m;
    }
    h ^= h >> r;
    h *= m;
    h ^= h >> r;
    return h;
}

/* Register index of an element and the length of the 0...01 pattern in
 * the rest of its hash (1..HLL_Q+1). */
static int hll_pattern(const void *ele, size_t len, long *index) {
    uint64_t hash = murmurhash64a(ele, len, 0xadc83b19ULL);
    *index = (long)(hash & HLL_P_MASK);
    hash >>= HLL_P;
    hash |= 1ULL << HLL_Q; /* the run ends at bit Q at the latest */
    return __builtin_ctzll(hash) + 1;
}

/* ---------- dense ---------- */

static int dense_get(const unsigned char *regs, long i) {
    size_t byte = (size_t)i * HLL_BITS / 8;
    unsigned fb = (unsigned)(i * HLL_BITS) & 7;
    unsigned v = regs[byte] >> fb;
    if (fb > 8 - HLL_BITS) v |= (unsigned)regs[byte + 1] << (8 - fb);
    return (int)(v & HLL_REGISTER_MAX);
}

static void dense_set(unsigned char *regs, long i, int val) {
    size_t byte = (size_t)i * HLL_BITS / 8;
    unsigned fb = (unsigned)(i * HLL_BITS) & 7;
    unsigned v = (unsigned)val;
    regs[byte] = (unsigned char)((regs[byte] & ~(HLL_REGISTER_MAX << fb)) | (v << fb));
    if (fb > 8 - HLL_BITS) {
        unsigned shift = 8 - fb;
        regs[byte + 1] =
            (unsigned char)((regs[byte + 1] & ~(HLL_REGISTER_MAX >> shift)) | (v >> shift));
    }
}

/* ---------- sparse opcodes ---------- */

static int op_is_zero(const unsigned char *p) {
    return (*p & 0xc0) == 0;
}
static int op_is_xzero(const unsigned char *p) {
    return (*p & 0xc0) == 0x40;
}
static int op_is_val(const unsigned char *p) {
    return (*p & 0x80) != 0;
}
static int zero_len(const unsigned char *p) {
    return (*p & 0x3f) + 1;
}
static int xzero_len(const unsigned char *p) {
    return (((p[0] & 0x3f) << 8) | p[1]) + 1;
}
static int val_value(const unsigned char *p) {
    return ((*p >> 2) & 0x1f) + 1;
}
static int val_len(const unsigned char *p) {
    return (*p & 0x3) + 1;
}
static void put_val(unsigned char *p, int val, int len) {
    *p = (unsigned char)(0x80 | ((val - 1) << 2) | (len - 1));
}
/* A run of len zero registers as ZERO or XZERO; returns bytes written. */
static int put_zeros(unsigned char *p, int len) {
    if (len <= SPARSE_ZERO_MAX_LEN) {
        *p = (unsigned char)(len - 1);
        return 1;
    }
    p[0] = (unsigned char)(0x40 | ((len - 1) >> 8));
    p[1] = (unsigned char)((len - 1) & 0xff);
    return 2;
}

/* Calls fn(first register, run length, value) for each opcode; returns
 * the number of registers described, or -1 when a VAL run would pass the
 * last register. */
typedef void sparse_run_fn(void *ctx, long first, int len, int value);

static long sparse_walk(const unsigned char *p, const unsigned char *end, sparse_run_fn *fn,
                        void *ctx) {
    long idx = 0;
    while (p < end) {
        if (op_is_zero(p)) {
            idx += zero_len(p);
            p++;
        } else if (op_is_xzero(p)) {
            idx += xzero_len(p);
            p += 2;
        } else {
            int len = val_len(p);
            if (idx + len > HLL_REGISTERS) return -1;
            if (fn) fn(ctx, idx, len, val_value(p));
            idx += len;
            p++;
        }
    }
    return idx;
}

/* ---------- the value ---------- */

/* A new empty HLL: sparse, every register zero (one XZERO). */
static kstr hll_new(void) {
    kstr s = kstr_new(NULL, HLL_HDR_SIZE + 2);
    unsigned char *h = (unsigned char *)s;
    memcpy(h, "HYLL", 4);
    h[4] = HLL_SPARSE;
    put_zeros(h + HLL_HDR_SIZE, SPARSE_XZERO_MAX_LEN);
    return s;
}

static void dense_fill(void *ctx, long first, int len, int value) {
    for (int i = 0; i < len; i++) dense_set(ctx, first + i, value);
}

/* Rewrites a sparse HLL as dense (header and cached value kept). Returns
 * C_ERR, leaving it unchanged, when the sparse data is corrupt. */
static int hll_to_dense(kstr *hll) {
    unsigned char *h = (unsigned char *)*hll;
    if (hll_encoding(h) == HLL_DENSE) return C_OK;
    kstr dense = kstr_new(NULL, HLL_DENSE_SIZE);
    unsigned char *d = (unsigned char *)dense;
    memcpy(d, h, HLL_HDR_SIZE);
    d[4] = HLL_DENSE;
    long n = sparse_walk(h + HLL_HDR_SIZE, h + kstr_len(*hll), dense_fill, d + HLL_HDR_SIZE);
    if (n != HLL_REGISTERS) {
        kstr_free(dense);
        return C_ERR;
    }
    kstr_free(*hll);
    *hll = dense;
    return C_OK;
}

/* Raises register index of a sparse HLL to count, splitting the opcode
 * that covers it and merging equal neighbours as Redis does (so the bytes
 * match). Returns 1 if changed, 0 if not, -1 on corrupt data; may convert
 * the HLL to dense. */
static int sparse_set(kstr *hll, long index, int count);

static int dense_raise(unsigned char *regs, long index, int count) {
    if (dense_get(regs, index) >= count) return 0;
    dense_set(regs, index, count);
    return 1;
}

static int promote_and_set(kstr *hll, long index, int count) {
    if (hll_to_dense(hll) != C_OK) return -1;
    return dense_raise((unsigned char *)*hll + HLL_HDR_SIZE, index, count);
}

/* Merges adjacent VAL opcodes of equal value (at most 4 registers each),
 * looking at no more than five opcodes from p. */
static void sparse_merge_from(kstr hll, unsigned char *p) {
    unsigned char *end = (unsigned char *)hll + kstr_len(hll);
    int budget = 5;
    while (p < end && budget-- > 0) {
        if (op_is_xzero(p)) {
            p += 2;
            continue;
        }
        if (op_is_zero(p)) {
            p++;
            continue;
        }
        if (p + 1 < end && op_is_val(p + 1) && val_value(p) == val_value(p + 1) &&
            val_len(p) + val_len(p + 1) <= SPARSE_VAL_MAX_LEN) {
            put_val(p + 1, val_value(p), val_len(p) + val_len(p + 1));
            memmove(p, p + 1, (size_t)(end - p - 1));
            end--;
            kstr_set_len(hll, kstr_len(hll) - 1);
            continue; /* try the merged one with its right neighbour */
        }
        p++;
    }
}

static int sparse_set(kstr *hll, long index, int count) {
    if (count > SPARSE_VAL_MAX_VALUE) return promote_and_set(hll, index, count);

    unsigned char *start = (unsigned char *)*hll + HLL_HDR_SIZE;
    unsigned char *end = (unsigned char *)*hll + kstr_len(*hll);
    unsigned char *p = start, *prev = NULL;
    long first = 0;
    int span = 0, oplen = 1;
    while (p < end) {
        oplen = 1;
        if (op_is_zero(p)) {
            span = zero_len(p);
        } else if (op_is_val(p)) {
            span = val_len(p);
        } else {
            span = xzero_len(p);
            oplen = 2;
        }
        if (index <= first + span - 1) break;
        prev = p;
        p += oplen;
        first += span;
    }
    if (span == 0 || p >= end) return -1;

    long last = first + span - 1;
    unsigned char seq[5];
    int n = 0;
    if (op_is_val(p)) {
        int cur = val_value(p);
        if (cur >= count) return 0;
        if (span == 1) {
            put_val(p, count, 1);
            sparse_merge_from(*hll, prev ? prev : start);
            hll_invalidate_cache((unsigned char *)*hll);
            return 1;
        }
        if (index != first) put_val(seq + n++, cur, (int)(index - first));
        put_val(seq + n++, count, 1);
        if (index != last) put_val(seq + n++, cur, (int)(last - index));
    } else {
        if (op_is_zero(p) && span == 1) {
            put_val(p, count, 1);
            sparse_merge_from(*hll, prev ? prev : start);
            hll_invalidate_cache((unsigned char *)*hll);
            return 1;
        }
        if (index != first) n += put_zeros(seq + n, (int)(index - first));
        put_val(seq + n++, count, 1);
        if (index != last) n += put_zeros(seq + n, (int)(last - index));
    }

    int delta = n - oplen;
    if (delta > 0 && (long long)kstr_len(*hll) + delta > server.hll_sparse_max_bytes)
        return promote_and_set(hll, index, count);
    size_t pos = (size_t)(p - (unsigned char *)*hll);
    size_t prev_pos = prev ? (size_t)(prev - (unsigned char *)*hll) : HLL_HDR_SIZE;
    size_t old_len = kstr_len(*hll);
    size_t new_len = (size_t)((long)old_len + delta);
    if (delta > 0) *hll = kstr_reserve(*hll, (size_t)delta);
    unsigned char *base = (unsigned char *)*hll;
    /* Shift what follows the opcode, set the length, then write the new
     * sequence. A corrupt string can end inside an XZERO (whose second byte
     * is then the terminator slot): nothing follows it, and as in Redis the
     * length still changes by delta, so the sequence's last byte lands in
     * the terminator slot, where later reads of that cut XZERO find it. */
    if (pos + (size_t)oplen < old_len)
        memmove(base + pos + n, base + pos + oplen, old_len - pos - (size_t)oplen);
    kstr_set_len(*hll, new_len);
    memcpy(base + pos, seq, (size_t)n);
    sparse_merge_from(*hll, base + prev_pos);
    hll_invalidate_cache((unsigned char *)*hll);
    return 1;
}

/* Adds one element; 1 if a register changed, 0 if not, -1 if corrupt. */
static int hll_add(kstr *hll, const void *ele, size_t len) {
    long index;
    int count = hll_pattern(ele, len, &index);
    if (hll_encoding((unsigned char *)*hll) == HLL_DENSE)
        return dense_raise((unsigned char *)*hll + HLL_HDR_SIZE, index, count);
    return sparse_set(hll, index, count);
}

/* ---------- estimation ---------- */

static void histo_add(void *ctx, long first, int len, int value) {
    (void)first;
    ((int *)ctx)[value] += len;
}

/* Register value histogram; 0 on a corrupt sparse HLL. */
static int hll_histogram(const unsigned char *h, size_t len, int encoding, int *histo) {
    const unsigned char *regs = h + HLL_HDR_SIZE;
    switch (encoding) {
    case HLL_DENSE:
        for (long i = 0; i < HLL_REGISTERS; i++) histo[dense_get(regs, i)]++;
        return 1;
    case HLL_RAW:
        for (long i = 0; i < HLL_REGISTERS; i++) histo[regs[i]]++;
        return 1;
    default: {
        /* Zero runs are counted by difference: every register not in a
         * VAL run is zero. */
        long n = 0, idx = 0;
        const unsigned char *p = regs, *end = h + len;
        while (p < end) {
            if (op_is_zero(p)) {
                idx += zero_len(p);
                p++;
            } else if (op_is_xzero(p)) {
                idx += xzero_len(p);
                p += 2;
            } else {
                histo_add(histo, idx, val_len(p), val_value(p));
                n += val_len(p);
                idx += val_len(p);
                p++;
            }
        }
        if (idx != HLL_REGISTERS) return 0;
        histo[0] += (int)(HLL_REGISTERS - n);
        return 1;
    }
    }
}

/* sigma and tau of Ertl, "New cardinality estimation algorithms for
 * HyperLogLog sketches" (arXiv:1702.01284), the estimator Redis uses. */
static double hll_sigma(double x) {
    if (x == 1.) return INFINITY;
    double y = 1, z = x, prev;
    do {
        x *= x;
        prev = z;
        z += x * y;
        y += y;
    } while (prev != z);
    return z;
}

static double hll_tau(double x) {
    if (x == 0. || x == 1.) return 0.;
    double y = 1.0, z = 1 - x, prev;
    do {
        x = sqrt(x);
        prev = z;
        y *= 0.5;
        z -= pow(1 - x, 2) * y;
    } while (prev != z);
    return z / 3;
}

static uint64_t estimate(const int *histo) {
    double m = HLL_REGISTERS;
    double z = m * hll_tau((m - histo[HLL_Q + 1]) / m);
    for (int j = HLL_Q; j >= 1; j--) {
        z += histo[j];
        z *= 0.5;
    }
    z += m * hll_sigma(histo[0] / m);
    return (uint64_t)llroundl(HLL_ALPHA_INF * m * m / z);
}

/* Cardinality of an HLL (any encoding); *invalid set on corrupt data. */
static uint64_t hll_count(const unsigned char *h, size_t len, int encoding, int *invalid) {
    int histo[64] = {0};
    if (!hll_histogram(h, len, encoding, histo)) {
        *invalid = 1;
        return 0;
    }
    return estimate(histo);
}

/* max[i] = MAX(max[i], register i of h). C_ERR on corrupt data. */
static void raw_max(void *ctx, long first, int len, int value) {
    uint8_t *max = ctx;
    for (int i = 0; i < len; i++)
        if (value > max[first + i]) max[first + i] = (uint8_t)value;
}

static int hll_merge(uint8_t *max, const unsigned char *h, size_t len) {
    if (hll_encoding(h) == HLL_DENSE) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            int v = dense_get(h + HLL_HDR_SIZE, i);
            if (v > max[i]) max[i] = (uint8_t)v;
        }
        return C_OK;
    }
    long n = sparse_walk(h + HLL_HDR_SIZE, h + len, raw_max, max);
    return n == HLL_REGISTERS ? C_OK : C_ERR;
}

/* ---------- command helpers ---------- */

/* Replies an error and returns C_ERR unless o is a string holding an HLL
 * with a valid header (a corrupt sparse body is found later). */
static int check_hll_or_reply(client *c, kobj *o) {
    if (o->type != OBJ_STRING) {
        add_reply_error_wrongtype(c);
        return C_ERR;
    }
    if (o->encoding == OBJ_ENCODING_INT) goto invalid;
    const unsigned char *h = (const unsigned char *)o->ptr;
    size_t len = kstr_len(o->ptr);
    if (len < HLL_HDR_SIZE || memcmp(h, "HYLL", 4) != 0) goto invalid;
    if (hll_encoding(h) > HLL_MAX_ENCODING) goto invalid;
    if (hll_encoding(h) == HLL_DENSE && len != HLL_DENSE_SIZE) goto invalid;
    return C_OK;
invalid:
    add_reply_error(c, not_hll_err);
    return C_ERR;
}

/* ---------- commands ---------- */

static void pfadd_command(client *c) {
    kobj *o = db_lookup_write(c->db, c->argv[1]);
    int updated = 0; /* creation and each register raised count as a change */
    if (!o) {
        o = obj_create_from_kstr(hll_new());
        db_add(c->db, c->argv[1], o);
        updated = 1;
    } else {
        if (check_hll_or_reply(c, o) != C_OK) return;
        o = unshare_string(c->db, c->argv[1], o);
    }
    for (int j = 2; j < c->argc; j++) {
        kstr ele = c->argv[j]->ptr;
        kstr hll = o->ptr;
        int r = hll_add(&hll, ele, kstr_len(ele));
        o->ptr = hll;
        if (r < 0) {
            add_reply_error(c, invalid_hll_err);
            return;
        }
        updated += r;
    }
    if (updated) {
        hll_invalidate_cache((unsigned char *)o->ptr);
        signal_modified_key(c, c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_STRING, "pfadd", c->argv[1], c->db->id);
        server.dirty += updated;
    }
    add_reply_ll(c, updated != 0);
}

static void pfcount_command(client *c) {
    if (c->argc > 2) {
        /* The union: registers maximised into a raw (byte per register)
         * HLL, counted without touching the keys. */
        unsigned char *raw = zcalloc(HLL_HDR_SIZE + HLL_REGISTERS);
        for (int j = 1; j < c->argc; j++) {
            kobj *o = db_lookup_read(c->db, c->argv[j]);
            if (!o) continue;
            if (check_hll_or_reply(c, o) != C_OK) {
                zfree(raw);
                return;
            }
            if (hll_merge(raw + HLL_HDR_SIZE, (unsigned char *)o->ptr, kstr_len(o->ptr)) != C_OK) {
                zfree(raw);
                add_reply_error(c, invalid_hll_err);
                return;
            }
        }
        int invalid = 0;
        uint64_t n = hll_count(raw, HLL_HDR_SIZE + HLL_REGISTERS, HLL_RAW, &invalid);
        zfree(raw);
        add_reply_ll(c, (long long)n);
        return;
    }
    kobj *o = db_lookup_read(c->db, c->argv[1]);
    if (!o) {
        add_reply_ll(c, 0);
        return;
    }
    if (check_hll_or_reply(c, o) != C_OK) return;
    o = unshare_string(c->db, c->argv[1], o);
    unsigned char *h = (unsigned char *)o->ptr;
    uint64_t card;
    if (hll_cache_valid(h)) {
        card = hll_cached(h);
    } else {
        int invalid = 0;
        card = hll_count(h, kstr_len(o->ptr), hll_encoding(h), &invalid);
        if (invalid) {
            add_reply_error(c, invalid_hll_err);
            return;
        }
        /* The cache is part of the value: this changes the key (and
         * propagates PFCOUNT, as Redis does). */
        hll_set_cached(h, card);
        signal_modified_key(c, c->db, c->argv[1]);
        server.dirty++;
    }
    add_reply_ll(c, (long long)card);
}

static void pfmerge_command(client *c) {
    uint8_t *max = zcalloc(HLL_REGISTERS);
    int use_dense = 0;
    for (int j = 1; j < c->argc; j++) {
        kobj *o = db_lookup_read(c->db, c->argv[j]);
        if (!o) continue;
        if (check_hll_or_reply(c, o) != C_OK) {
            zfree(max);
            return;
        }
        if (hll_encoding((unsigned char *)o->ptr) == HLL_DENSE) use_dense = 1;
        if (hll_merge(max, (unsigned char *)o->ptr, kstr_len(o->ptr)) != C_OK) {
            zfree(max);
            add_reply_error(c, invalid_hll_err);
            return;
        }
    }
    kobj *o = db_lookup_write(c->db, c->argv[1]);
    if (!o) {
        o = obj_create_from_kstr(hll_new());
        db_add(c->db, c->argv[1], o);
    } else {
        /* Already checked above: the destination is a source too. */
        o = unshare_string(c->db, c->argv[1], o);
    }
    kstr hll = o->ptr;
    int failed = use_dense && hll_to_dense(&hll) != C_OK;
    for (long i = 0; i < HLL_REGISTERS && !failed; i++) {
        if (max[i] == 0) continue;
        if (hll_encoding((unsigned char *)hll) == HLL_DENSE)
            dense_set((unsigned char *)hll + HLL_HDR_SIZE, i, max[i]);
        else if (sparse_set(&hll, i, max[i]) < 0)
            failed = 1;
    }
    o->ptr = hll;
    zfree(max);
    if (failed) {
        add_reply_error(c, invalid_hll_err);
        return;
    }
    hll_invalidate_cache((unsigned char *)o->ptr);
    signal_modified_key(c, c->db, c->argv[1]);
    /* Redis reports a merge as a mass add. */
    notify_keyspace_event(NOTIFY_STRING, "pfadd", c->argv[1], c->db->id);
    server.dirty++;
    add_reply_ok(c);
}

/* ---------- PFDEBUG PFSELFTEST ---------- */

static void pfdebug_command(client *c) {
    kobj *o = db_lookup_write(c->db, c->argv[2]);
    if (!o) {
        add_reply_error(c, "ERR The specified key does not exist");
        return;
    }
    if (check_hll_or_reply(c, o) != C_OK) return;
    o = unshare_string(c->db, c->argv[2], o);
    kstr hll = o->ptr;
    unsigned char *h = (unsigned char *)hll;
    if (arg_is(c->argv[1], "getreg")) {
        if (hll_encoding(h) == HLL_SPARSE) {
            if (hll_to_dense(&hll) != C_OK) {
                add_reply_error(c, invalid_hll_err);
                return;
            }
            o->ptr = hll;
            signal_modified_key(c, c->db, c->argv[2]);
            server.dirty++; /* the encoding changed: propagated */
        }
        add_reply_array_len(c, HLL_REGISTERS);
        for (long i = 0; i < HLL_REGISTERS; i++)
            add_reply_ll(c, dense_get((unsigned char *)hll + HLL_HDR_SIZE, i));
    } else if (arg_is(c->argv[1], "decode")) {
        if (hll_encoding(h) != HLL_SPARSE) {
            add_reply_error(c, "ERR HLL encoding is not sparse");
            return;
        }
        kstr out = kstr_empty();
        const unsigned char *p = h + HLL_HDR_SIZE, *end = h + kstr_len(hll);
        while (p < end) {
            if (op_is_zero(p)) {
                out = kstr_catfmt(out, "z:%d ", zero_len(p));
                p++;
            } else if (op_is_xzero(p)) {
                out = kstr_catfmt(out, "Z:%d ", xzero_len(p));
                p += 2;
            } else {
                out = kstr_catfmt(out, "v:%d,%d ", val_value(p), val_len(p));
                p++;
            }
        }
        if (kstr_len(out)) kstr_set_len(out, kstr_len(out) - 1);
        add_reply_bulk_kstr(c, out);
    } else if (arg_is(c->argv[1], "encoding")) {
        add_reply_status(c, hll_encoding(h) == HLL_DENSE ? "dense" : "sparse");
    } else if (arg_is(c->argv[1], "todense")) {
        int converted = 0;
        if (hll_encoding(h) == HLL_SPARSE) {
            if (hll_to_dense(&hll) != C_OK) {
                add_reply_error(c, invalid_hll_err);
                return;
            }
            o->ptr = hll;
            converted = 1;
            signal_modified_key(c, c->db, c->argv[2]);
            server.dirty++;
        }
        add_reply_ll(c, converted);
    } else {
        add_reply_errorf(c, "ERR Unknown PFDEBUG subcommand '%s'", (char *)c->argv[1]->ptr);
    }
}

/* Checks the register packing and that sparse and dense encodings agree
 * on the same elements (and on the estimate). */
static void pfselftest_command(client *c) {
    unsigned char *regs = zcalloc(HLL_DENSE_SIZE);
    uint8_t *mirror = zcalloc(HLL_REGISTERS);
    const char *err = NULL;
    for (int round = 0; round < 200 && !err; round++) {
        for (long i = 0; i < HLL_REGISTERS; i++) {
            int v = (int)((unsigned long)random() & HLL_REGISTER_MAX);
            mirror[i] = (uint8_t)v;
            dense_set(regs, i, v);
        }
        for (long i = 0; i < HLL_REGISTERS; i++)
            if (dense_get(regs, i) != mirror[i]) err = "TESTFAILED Register error";
    }
    zfree(regs);
    zfree(mirror);

    kstr sparse = hll_new(), dense = hll_new();
    if (!err && hll_to_dense(&dense) != C_OK) err = "TESTFAILED Conversion error";
    for (int i = 0; !err && i < 2000; i++) {
        char ele[32];
        int n = ll2string(ele, sizeof(ele), random());
        if (hll_add(&sparse, ele, (size_t)n) < 0 || hll_add(&dense, ele, (size_t)n) < 0)
            err = "TESTFAILED Add error";
    }
    if (!err) {
        int a = 0, b = 0;
        unsigned char *hs = (unsigned char *)sparse, *hd = (unsigned char *)dense;
        uint64_t cs = hll_count(hs, kstr_len(sparse), hll_encoding(hs), &a);
        uint64_t cd = hll_count(hd, kstr_len(dense), hll_encoding(hd), &b);
        if (a || b || cs != cd) err = "TESTFAILED Sparse and dense estimates differ";
    }
    kstr_free(sparse);
    kstr_free(dense);
    if (err)
        add_reply_error(c, err);
    else
        add_reply_ok(c);
}

/* ---------- command table ---------- */

#define HLL_CMD(n, p, ar, fl, fk, lk, sum, since_, cx, acl, syn)                                   \
    {                                                                                              \
        .name = n, .proc = p, .arity = ar, .flags = fl, .first_key = fk, .last_key = lk,           \
        .key_step = (fk) ? 1 : 0, .group = "hyperloglog", .summary = sum, .since = since_,         \
        .complexity = cx, .acl_categories = acl, .syntax = syn                                     \
    }

kcommand hll_commands[] = {
    HLL_CMD("pfadd", pfadd_command, -2, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1,
            "Adds the specified elements to the specified HyperLogLog.", "2.8.9",
            "O(1) to add every element.", "@write @hyperloglog @fast",
            "key [element [element ...]]"),
    HLL_CMD("pfcount", pfcount_command, -2, CMD_READONLY, 1, -1,
            "Return the approximated cardinality of the set(s) observed by the HyperLogLog at "
            "key(s).",
            "2.8.9",
            "O(1) with a very small average constant time when called with a single key. O(N) "
            "with N being the number of keys, and much bigger constant times, when called with "
            "multiple keys.",
            "@read @hyperloglog @slow", "key [key ...]"),
    HLL_CMD("pfmerge", pfmerge_command, -2, CMD_WRITE | CMD_DENYOOM, 1, -1,
            "Merge N different HyperLogLogs into a single one.", "2.8.9",
            "O(N) to merge N HyperLogLogs, but with high constant times.",
            "@write @hyperloglog @slow", "destkey [sourcekey [sourcekey ...]]"),
    HLL_CMD("pfdebug", pfdebug_command, 3, CMD_WRITE | CMD_DENYOOM | CMD_ADMIN, 2, 2,
            "Internal commands for debugging HyperLogLog values", "2.8.9", "N/A",
            "@write @hyperloglog @admin @slow @dangerous", "subcommand key"),
    HLL_CMD("pfselftest", pfselftest_command, 1, CMD_ADMIN, 0, 0,
            "An internal command for testing HyperLogLog values", "2.8.9", "N/A",
            "@hyperloglog @admin @slow @dangerous", ""),
    {.name = NULL}};
