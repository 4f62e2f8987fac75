/*
 * listpack: see listpack.h for the format and the contracts.
 *
 * Entry encodings (first byte):
 *   0xxxxxxx                    7-bit unsigned integer (0..127)
 *   10xxxxxx                    string, 6-bit length, then the bytes
 *   110xxxxx yyyyyyyy           13-bit signed integer (high bits first)
 *   1110xxxx yyyyyyyy           string, 12-bit length (high bits first)
 *   11110000 <u32 LE len>       string, 32-bit length
 *   11110001 / 0010 / 0011 / 0100   16 / 24 / 32 / 64-bit signed integer, LE
 *   11111111                    end of the listpack
 * After each entry comes its backlen: the size of encoding plus data, in
 * 1..5 bytes of 7 bits, written so that it can be read right to left: the
 * last byte holds the lowest 7 bits, and every byte but the leftmost has
 * its high bit set.
 */
#include "listpack.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "zmalloc.h"

#define ENC_7BIT_UINT 0x00
#define ENC_7BIT_UINT_MASK 0x80
#define ENC_6BIT_STR 0x80
#define ENC_6BIT_STR_MASK 0xC0
#define ENC_13BIT_INT 0xC0
#define ENC_13BIT_INT_MASK 0xE0
#define ENC_12BIT_STR 0xE0
#define ENC_12BIT_STR_MASK 0xF0
#define ENC_32BIT_STR 0xF0
#define ENC_16BIT_INT 0xF1
#define ENC_24BIT_INT 0xF2
#define ENC_32BIT_INT 0xF3
#define ENC_64BIT_INT 0xF4

#define MAX_BACKLEN_BYTES 5
#define MAX_INT_ENTRY 9 /* 64-bit integer: encoding byte + 8 */

/* ---------- header ---------- */

static uint32_t hdr_total(const unsigned char *lp) {
    return (uint32_t)lp[0] | (uint32_t)lp[1] << 8 | (uint32_t)lp[2] << 16 | (uint32_t)lp[3] << 24;
}

static void hdr_set_total(unsigned char *lp, uint32_t v) {
    lp[0] = v & 0xff;
    lp[1] = (v >> 8) & 0xff;
    lp[2] = (v >> 16) & 0xff;
    lp[3] = (v >> 24) & 0xff;
}

static unsigned hdr_count(const unsigned char *lp) {
    return (unsigned)lp[4] | (unsigned)lp[5] << 8;
}

static void hdr_set_count(unsigned char *lp, unsigned long v) {
    if (v > LP_HDR_COUNT_UNKNOWN) v = LP_HDR_COUNT_UNKNOWN;
    lp[4] = v & 0xff;
    lp[5] = (v >> 8) & 0xff;
}

/* Adds delta to the cached count, unless it is unknown. */
static void hdr_add_count(unsigned char *lp, long delta) {
    unsigned cur = hdr_count(lp);
    if (cur == LP_HDR_COUNT_UNKNOWN) return;
    long v = (long)cur + delta;
    if (v < 0) v = 0;
    hdr_set_count(lp, (unsigned long)v);
}

/* ---------- backlen ---------- */

/* Bytes the backlen of an entry whose encoding+data is l bytes takes. The
 * thresholds are Redis' (so our bytes are identical to its bytes). */
static size_t backlen_size(uint64_t l) {
    if (l <= 127) return 1;
    if (l < 16383) return 2;
    if (l < 2097151) return 3;
    if (l < 268435455) return 4;
    return 5;
}

static size_t backlen_write(unsigned char *buf, uint64_t l) {
    size_t n = backlen_size(l);
    for (size_t i = 0; i < n; i++) {
        size_t shift = 7 * (n - 1 - i);
        unsigned char b = (l >> shift) & 127;
        if (i != 0) b |= 128;
        buf[i] = b;
    }
    return n;
}

/* Reads a backlen ending at p (its last byte), going left but never before
 * lo. Returns the value and sets *nbytes, or returns UINT64_MAX when the
 * encoding runs past lo or past five bytes. */
static uint64_t backlen_read(const unsigned char *p, const unsigned char *lo, size_t *nbytes) {
    uint64_t v = 0;
    size_t n = 0;
    for (;;) {
        if (p < lo || n == MAX_BACKLEN_BYTES) return UINT64_MAX;
        v |= (uint64_t)(*p & 127) << (7 * n);
        n++;
        if (!(*p & 128)) break;
        p--;
    }
    *nbytes = n;
    return v;
}

/* ---------- entry sizes ---------- */

/* Bytes of the encoding header for a string of len bytes. */
static size_t str_header_size(size_t len) {
    if (len < 64) return 1;
    if (len < 4096) return 2;
    return 5;
}

static size_t int_encoded_size(long long v) {
    if (v >= 0 && v <= 127) return 1;
    if (v >= -4096 && v <= 4095) return 2;
    if (v >= -32768 && v <= 32767) return 3;
    if (v >= -8388608 && v <= 8388607) return 4;
    if (v >= -2147483648LL && v <= 2147483647LL) return 5;
    return 9;
}

/* Size of encoding + data of the entry at p (no bounds checks). */
static uint64_t encoded_size(const unsigned char *p) {
    unsigned char b = p[0];
    if ((b & ENC_7BIT_UINT_MASK) == ENC_7BIT_UINT) return 1;
    if ((b & ENC_6BIT_STR_MASK) == ENC_6BIT_STR) return 1 + (uint64_t)(b & 0x3F);
    if ((b & ENC_13BIT_INT_MASK) == ENC_13BIT_INT) return 2;
    if ((b & ENC_12BIT_STR_MASK) == ENC_12BIT_STR) return 2 + ((uint64_t)(b & 0x0F) << 8 | p[1]);
    switch (b) {
    case ENC_16BIT_INT: return 3;
    case ENC_24BIT_INT: return 4;
    case ENC_32BIT_INT: return 5;
    case ENC_64BIT_INT: return 9;
    case ENC_32BIT_STR:
        return 5 +
               ((uint64_t)p[1] | (uint64_t)p[2] << 8 | (uint64_t)p[3] << 16 | (uint64_t)p[4] << 24);
    default: panic("listpack: invalid entry encoding 0x%02x", b);
    }
}

size_t lp_entry_size(const unsigned char *p) {
    uint64_t l = encoded_size(p);
    return (size_t)(l + backlen_size(l));
}

size_t lp_entry_size_for_integer(long long v) {
    size_t l = int_encoded_size(v);
    return l + backlen_size(l);
}

size_t lp_entry_size_for_string(const unsigned char *s, size_t len) {
    long long v;
    if (lp_string_to_int64(s, len, &v)) return lp_entry_size_for_integer(v);
    uint64_t l = str_header_size(len) + (uint64_t)len;
    return (size_t)(l + backlen_size(l));
}

int lp_string_to_int64(const unsigned char *s, size_t len, long long *v) {
    if (len == 0 || len > 20) return 0;
    if (len == 1 && s[0] == '0') {
        *v = 0;
        return 1;
    }
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
        if (len == 1) return 0;
    }
    if (s[i] < '1' || s[i] > '9') return 0;
    unsigned long long acc = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (acc > (ULLONG_MAX - d) / 10) return 0;
        acc = acc * 10 + d;
    }
    if (neg) {
        if (acc > (unsigned long long)LLONG_MAX + 1) return 0;
        *v = (long long)(0 - acc);
    } else {
        if (acc > (unsigned long long)LLONG_MAX) return 0;
        *v = (long long)acc;
    }
    return 1;
}

/* ---------- encoding entries ---------- */

/* Writes the encoding and data of integer v to buf; returns the bytes. */
static size_t encode_integer(unsigned char *buf, long long v) {
    size_t n = int_encoded_size(v);
    uint64_t uv = (uint64_t)v;
    switch (n) {
    case 1: buf[0] = (unsigned char)v; break;
    case 2:
        uv = v < 0 ? (uint64_t)((1 << 13) + v) : (uint64_t)v;
        buf[0] = ENC_13BIT_INT | (unsigned char)(uv >> 8);
        buf[1] = uv & 0xff;
        break;
    case 3: buf[0] = ENC_16BIT_INT; break;
    case 4:
        uv = v < 0 ? (uint64_t)((1 << 24) + v) : (uint64_t)v;
        buf[0] = ENC_24BIT_INT;
        break;
    case 5: buf[0] = ENC_32BIT_INT; break;
    default: buf[0] = ENC_64BIT_INT; break;
    }
    if (n >= 3)
        for (size_t i = 1; i < n; i++) buf[i] = (uv >> (8 * (i - 1))) & 0xff;
    return n;
}

/* Writes the encoding header of a string of len bytes; returns the bytes. */
static size_t encode_str_header(unsigned char *buf, size_t len) {
    switch (str_header_size(len)) {
    case 1: buf[0] = ENC_6BIT_STR | (unsigned char)len; return 1;
    case 2:
        buf[0] = ENC_12BIT_STR | (unsigned char)(len >> 8);
        buf[1] = len & 0xff;
        return 2;
    default:
        buf[0] = ENC_32BIT_STR;
        buf[1] = len & 0xff;
        buf[2] = (len >> 8) & 0xff;
        buf[3] = (len >> 16) & 0xff;
        buf[4] = (len >> 24) & 0xff;
        return 5;
    }
}

/* A new entry prepared for writing: either a string (header + bytes) or an
 * integer fully encoded in hdr. */
typedef struct pending_entry {
    unsigned char hdr[MAX_INT_ENTRY];
    size_t hdrlen;
    const unsigned char *data; /* string bytes, NULL for integers */
    size_t datalen;
    size_t enclen; /* hdrlen + datalen */
    size_t total;  /* enclen + backlen */
} pending_entry;

static void prepare_integer(pending_entry *e, long long v) {
    e->hdrlen = encode_integer(e->hdr, v);
    e->data = NULL;
    e->datalen = 0;
    e->enclen = e->hdrlen;
    e->total = e->enclen + backlen_size(e->enclen);
}

static void prepare_string(pending_entry *e, const unsigned char *s, size_t len) {
    long long v;
    if (lp_string_to_int64(s, len, &v)) {
        prepare_integer(e, v);
        return;
    }
    if (len > UINT32_MAX) panic("listpack: string of %zu bytes is too long", len);
    e->hdrlen = encode_str_header(e->hdr, len);
    e->data = s;
    e->datalen = len;
    e->enclen = e->hdrlen + len;
    e->total = e->enclen + backlen_size(e->enclen);
}

static void write_entry(unsigned char *dst, const pending_entry *e) {
    memcpy(dst, e->hdr, e->hdrlen);
    if (e->datalen) memcpy(dst + e->hdrlen, e->data, e->datalen);
    backlen_write(dst + e->enclen, e->enclen);
}

/* ---------- creation ---------- */

unsigned char *lp_new(size_t capacity) {
    size_t size = LP_HDR_SIZE + 1;
    unsigned char *lp = zmalloc(capacity > size ? capacity : size);
    hdr_set_total(lp, (uint32_t)size);
    hdr_set_count(lp, 0);
    lp[LP_HDR_SIZE] = LP_EOF;
    return lp;
}

void lp_free(unsigned char *lp) {
    zfree(lp);
}

unsigned char *lp_shrink_to_fit(unsigned char *lp) {
    size_t size = lp_bytes(lp);
    if (size < zmalloc_size(lp)) return zrealloc(lp, size);
    return lp;
}

size_t lp_bytes(const unsigned char *lp) {
    return hdr_total(lp);
}

int lp_safe_to_add(const unsigned char *lp, size_t add) {
    size_t len = lp ? lp_bytes(lp) : 0;
    return len + add <= LP_MAX_SAFETY_SIZE;
}

/* ---------- navigation ---------- */

static unsigned char *eof_ptr(unsigned char *lp) {
    return lp + hdr_total(lp) - 1;
}

unsigned char *lp_first(unsigned char *lp) {
    unsigned char *p = lp + LP_HDR_SIZE;
    return *p == LP_EOF ? NULL : p;
}

/* The entry (or end byte) after p. */
static unsigned char *skip_entry(unsigned char *p) {
    return p + lp_entry_size(p);
}

unsigned char *lp_next(unsigned char *lp, unsigned char *p) {
    (void)lp;
    p = skip_entry(p);
    return *p == LP_EOF ? NULL : p;
}

unsigned char *lp_prev(unsigned char *lp, unsigned char *p) {
    unsigned char *first = lp + LP_HDR_SIZE;
    if (p <= first) return NULL;
    size_t nbytes;
    uint64_t l = backlen_read(p - 1, first, &nbytes);
    server_assert(l != UINT64_MAX);
    return p - nbytes - l;
}

unsigned char *lp_last(unsigned char *lp) {
    return lp_prev(lp, eof_ptr(lp));
}

unsigned long lp_length(unsigned char *lp) {
    unsigned cached = hdr_count(lp);
    if (cached != LP_HDR_COUNT_UNKNOWN) return cached;
    unsigned long n = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) n++;
    if (n < LP_HDR_COUNT_UNKNOWN) hdr_set_count(lp, n);
    return n;
}

unsigned char *lp_seek(unsigned char *lp, long index) {
    unsigned long len = lp_length(lp);
    if (index < 0) index += (long)len;
    if (index < 0 || (unsigned long)index >= len) return NULL;
    unsigned char *p;
    if ((unsigned long)index < len / 2) {
        p = lp_first(lp);
        for (long i = 0; i < index; i++) p = lp_next(lp, p);
    } else {
        p = lp_last(lp);
        for (unsigned long i = len - 1; i > (unsigned long)index; i--) p = lp_prev(lp, p);
    }
    return p;
}

/* ---------- reading ---------- */

static long long sign_extend(uint64_t uv, unsigned bits) {
    uint64_t sign = (uint64_t)1 << (bits - 1);
    if (uv & sign) return (long long)(uv - (sign << 1));
    return (long long)uv;
}

static uint64_t read_le(const unsigned char *p, unsigned n) {
    uint64_t v = 0;
    for (unsigned i = 0; i < n; i++) v |= (uint64_t)p[i] << (8 * i);
    return v;
}

void lp_get_value(const unsigned char *p, lp_value *v) {
    unsigned char b = p[0];
    v->str = NULL;
    v->len = 0;
    v->ival = 0;
    if ((b & ENC_7BIT_UINT_MASK) == ENC_7BIT_UINT) {
        v->ival = b;
    } else if ((b & ENC_6BIT_STR_MASK) == ENC_6BIT_STR) {
        v->len = b & 0x3F;
        v->str = p + 1;
    } else if ((b & ENC_13BIT_INT_MASK) == ENC_13BIT_INT) {
        v->ival = sign_extend((uint64_t)(b & 0x1F) << 8 | p[1], 13);
    } else if ((b & ENC_12BIT_STR_MASK) == ENC_12BIT_STR) {
        v->len = (uint32_t)(b & 0x0F) << 8 | p[1];
        v->str = p + 2;
    } else {
        switch (b) {
        case ENC_16BIT_INT: v->ival = sign_extend(read_le(p + 1, 2), 16); break;
        case ENC_24BIT_INT: v->ival = sign_extend(read_le(p + 1, 3), 24); break;
        case ENC_32BIT_INT: v->ival = sign_extend(read_le(p + 1, 4), 32); break;
        case ENC_64BIT_INT: v->ival = (long long)read_le(p + 1, 8); break;
        case ENC_32BIT_STR:
            v->len = (uint32_t)read_le(p + 1, 4);
            v->str = p + 5;
            break;
        default: panic("listpack: invalid entry encoding 0x%02x", b);
        }
    }
}

static size_t format_ll(unsigned char *buf, long long v) {
    char tmp[LP_INTBUF_SIZE];
    unsigned long long uv = v < 0 ? 0 - (unsigned long long)v : (unsigned long long)v;
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + uv % 10);
        uv /= 10;
    } while (uv);
    if (v < 0) tmp[n++] = '-';
    for (size_t i = 0; i < n; i++) buf[i] = (unsigned char)tmp[n - 1 - i];
    return n;
}

const unsigned char *lp_get_str(const unsigned char *p, size_t *len, unsigned char *buf) {
    lp_value v;
    lp_get_value(p, &v);
    if (v.str) {
        *len = v.len;
        return v.str;
    }
    *len = format_ll(buf, v.ival);
    return buf;
}

int lp_get_integer(const unsigned char *p, long long *out) {
    lp_value v;
    lp_get_value(p, &v);
    if (!v.str) {
        *out = v.ival;
        return 1;
    }
    /* Strings that string2ll accepts but a listpack keeps as strings
     * cannot exist (lp_string_to_int64 is the same grammar); a string entry
     * is therefore never an integer unless written by another producer. */
    return lp_string_to_int64(v.str, v.len, out);
}

/* Compares an entry with s, whose integer form (when it has one) was
 * computed once by the caller. */
static int entry_matches(const unsigned char *p, const unsigned char *s, size_t len, int s_is_int,
                         long long sv) {
    lp_value v;
    lp_get_value(p, &v);
    if (v.str) return v.len == len && (len == 0 || memcmp(v.str, s, len) == 0);
    return s_is_int && v.ival == sv;
}

int lp_entry_equals(const unsigned char *p, const unsigned char *s, size_t len) {
    long long sv = 0;
    int s_is_int = lp_string_to_int64(s, len, &sv);
    return entry_matches(p, s, len, s_is_int, sv);
}

unsigned char *lp_find(unsigned char *lp, unsigned char *p, const unsigned char *s, size_t len,
                       unsigned skip) {
    long long sv = 0;
    int s_is_int = lp_string_to_int64(s, len, &sv);
    (void)lp;
    while (p && *p != LP_EOF) {
        if (entry_matches(p, s, len, s_is_int, sv)) return p;
        p = skip_entry(p);
        for (unsigned i = 0; i < skip && *p != LP_EOF; i++) p = skip_entry(p);
    }
    return NULL;
}

/* ---------- changing ---------- */

/* Makes room: replaces the remove bytes at offset by add bytes (contents
 * undefined), keeping everything else. Returns the new listpack. */
static unsigned char *splice(unsigned char *lp, size_t offset, size_t remove, size_t add) {
    size_t old_total = hdr_total(lp);
    size_t new_total = old_total - remove + add;
    if (new_total > UINT32_MAX) panic("listpack: would grow past 4 GB");
    size_t tail = old_total - offset - remove;
    if (add > remove) {
        if (new_total > zmalloc_size(lp)) lp = zrealloc(lp, new_total);
        memmove(lp + offset + add, lp + offset + remove, tail);
    } else if (add < remove) {
        memmove(lp + offset + add, lp + offset + remove, tail);
        /* Give memory back only when a lot is freed, to avoid churn. */
        if (zmalloc_size(lp) - new_total > 4096 || zmalloc_size(lp) > 2 * new_total + 64)
            lp = zrealloc(lp, new_total);
    }
    hdr_set_total(lp, (uint32_t)new_total);
    return lp;
}

static unsigned char *insert_entry(unsigned char *lp, const pending_entry *e, unsigned char *p,
                                   lp_where where, unsigned char **newp) {
    size_t offset, remove = 0;
    if (p == NULL) {
        server_assert(where != LP_REPLACE);
        offset = hdr_total(lp) - 1;
    } else {
        offset = (size_t)(p - lp);
        if (where == LP_AFTER)
            offset += lp_entry_size(p);
        else if (where == LP_REPLACE)
            remove = lp_entry_size(p);
    }
    lp = splice(lp, offset, remove, e->total);
    write_entry(lp + offset, e);
    if (where != LP_REPLACE) hdr_add_count(lp, 1);
    if (newp) *newp = lp + offset;
    return lp;
}

/* Copies s when it points into lp (it would move under us). Returns the
 * pointer to use; *copy is set to the allocation to free (or NULL). */
static const unsigned char *detach_source(unsigned char *lp, const unsigned char *s, size_t len,
                                          unsigned char **copy) {
    *copy = NULL;
    if (len && s >= lp && s < lp + hdr_total(lp)) {
        *copy = zmalloc(len);
        memcpy(*copy, s, len);
        return *copy;
    }
    return s;
}

unsigned char *lp_insert_string(unsigned char *lp, const unsigned char *s, size_t len,
                                unsigned char *p, lp_where where, unsigned char **newp) {
    unsigned char *copy;
    s = detach_source(lp, s, len, &copy);
    pending_entry e;
    prepare_string(&e, s, len);
    lp = insert_entry(lp, &e, p, where, newp);
    if (copy) zfree(copy);
    return lp;
}

unsigned char *lp_insert_integer(unsigned char *lp, long long v, unsigned char *p, lp_where where,
                                 unsigned char **newp) {
    pending_entry e;
    prepare_integer(&e, v);
    return insert_entry(lp, &e, p, where, newp);
}

unsigned char *lp_append(unsigned char *lp, const unsigned char *s, size_t len) {
    return lp_insert_string(lp, s, len, NULL, LP_AFTER, NULL);
}

unsigned char *lp_prepend(unsigned char *lp, const unsigned char *s, size_t len) {
    unsigned char *p = lp_first(lp);
    return lp_insert_string(lp, s, len, p, LP_BEFORE, NULL);
}

unsigned char *lp_append_integer(unsigned char *lp, long long v) {
    return lp_insert_integer(lp, v, NULL, LP_AFTER, NULL);
}

unsigned char *lp_prepend_integer(unsigned char *lp, long long v) {
    return lp_insert_integer(lp, v, lp_first(lp), LP_BEFORE, NULL);
}

unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const unsigned char *s,
                          size_t len) {
    return lp_insert_string(lp, s, len, *p, LP_REPLACE, p);
}

unsigned char *lp_replace_integer(unsigned char *lp, unsigned char **p, long long v) {
    return lp_insert_integer(lp, v, *p, LP_REPLACE, p);
}

unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **newp) {
    unsigned char *q = p;
    lp = lp_delete_range_with_entry(lp, &q, 1);
    if (newp) *newp = q;
    return lp;
}

unsigned char *lp_delete_range_with_entry(unsigned char *lp, unsigned char **p, unsigned long num) {
    unsigned char *start = *p, *end = start;
    unsigned long deleted = 0;
    while (deleted < num && *end != LP_EOF) {
        end = skip_entry(end);
        deleted++;
    }
    size_t offset = (size_t)(start - lp);
    lp = splice(lp, offset, (size_t)(end - start), 0);
    hdr_add_count(lp, -(long)deleted);
    unsigned char *next = lp + offset;
    *p = *next == LP_EOF ? NULL : next;
    return lp;
}

unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long num) {
    unsigned char *p = lp_seek(lp, index);
    if (!p || num == 0) return lp;
    return lp_delete_range_with_entry(lp, &p, num);
}

unsigned char *lp_merge(unsigned char **first, unsigned char **second) {
    if (!first || !second || !*first || !*second || *first == *second) return NULL;
    unsigned char *a = *first, *b = *second;
    size_t abytes = lp_bytes(a), bbytes = lp_bytes(b);
    unsigned long count = lp_length(a) + lp_length(b);
    size_t abody = abytes - LP_HDR_SIZE - 1, bbody = bbytes - LP_HDR_SIZE - 1;
    size_t total = LP_HDR_SIZE + abody + bbody + 1;
    if (total > UINT32_MAX) panic("listpack: merge would grow past 4 GB");
    unsigned char *out;
    if (abytes >= bbytes) {
        /* Grow a and append b's entries. */
        out = zrealloc(a, total);
        memcpy(out + LP_HDR_SIZE + abody, b + LP_HDR_SIZE, bbody);
        zfree(b);
        *first = out;
        *second = NULL;
    } else {
        /* Grow b, shift its entries right and put a's in front. */
        out = zrealloc(b, total);
        memmove(out + LP_HDR_SIZE + abody, out + LP_HDR_SIZE, bbody);
        memcpy(out + LP_HDR_SIZE, a + LP_HDR_SIZE, abody);
        zfree(a);
        *first = NULL;
        *second = out;
    }
    out[total - 1] = LP_EOF;
    hdr_set_total(out, (uint32_t)total);
    hdr_set_count(out, count);
    return out;
}

/* ---------- random ---------- */

static unsigned long rand_below(unsigned long n) {
    unsigned long r = ((unsigned long)random() << 31) ^ (unsigned long)random();
    return r % n;
}

unsigned char *lp_random_entry(unsigned char *lp) {
    unsigned long len = lp_length(lp);
    if (len == 0) return NULL;
    return lp_seek(lp, (long)rand_below(len));
}

void lp_random_pair(unsigned char *lp, unsigned long total_pairs, lp_value *key, lp_value *val) {
    server_assert(total_pairs > 0);
    unsigned char *p = lp_seek(lp, (long)(2 * rand_below(total_pairs)));
    server_assert(p != NULL);
    lp_get_value(p, key);
    if (val) {
        p = lp_next(lp, p);
        server_assert(p != NULL);
        lp_get_value(p, val);
    }
}

typedef struct pick {
    unsigned long index; /* pair index */
    unsigned long order; /* output slot */
} pick;

static int pick_cmp(const void *a, const void *b) {
    const pick *x = a, *y = b;
    if (x->index != y->index) return x->index < y->index ? -1 : 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

void lp_random_pairs(unsigned char *lp, unsigned long count, lp_value *keys, lp_value *vals) {
    if (count == 0) return;
    unsigned long pairs = lp_length(lp) / 2;
    server_assert(pairs > 0);
    pick *picks = zmalloc(sizeof(*picks) * count);
    for (unsigned long i = 0; i < count; i++) {
        picks[i].index = rand_below(pairs);
        picks[i].order = i;
    }
    qsort(picks, count, sizeof(*picks), pick_cmp);
    /* One walk through the listpack serves the sorted picks. */
    unsigned char *p = lp_first(lp);
    unsigned long idx = 0, k = 0;
    while (k < count && p) {
        unsigned char *vp = lp_next(lp, p);
        while (k < count && picks[k].index == idx) {
            lp_get_value(p, &keys[picks[k].order]);
            if (vals) lp_get_value(vp, &vals[picks[k].order]);
            k++;
        }
        p = lp_next(lp, vp);
        idx++;
    }
    zfree(picks);
}

unsigned long lp_random_pairs_unique(unsigned char *lp, unsigned long count, lp_value *keys,
                                     lp_value *vals) {
    unsigned long pairs = lp_length(lp) / 2;
    if (count > pairs) count = pairs;
    unsigned long picked = 0, seen = 0;
    unsigned char *p = lp_first(lp);
    /* Selection sampling: each pair is taken with probability
     * (still needed) / (still available), so every subset is equally
     * likely and the output keeps listpack order. */
    while (picked < count && p) {
        unsigned char *vp = lp_next(lp, p);
        unsigned long remaining = pairs - seen;
        if (rand_below(remaining) < count - picked) {
            lp_get_value(p, &keys[picked]);
            if (vals) lp_get_value(vp, &vals[picked]);
            picked++;
        }
        seen++;
        p = lp_next(lp, vp);
    }
    return picked;
}

/* ---------- validation ---------- */

/* Validates the entry at p, which must lie in [p, end) where end is the
 * end byte. Returns the next entry, or NULL when invalid. */
static const unsigned char *validate_entry(const unsigned char *p, const unsigned char *end) {
    size_t avail = (size_t)(end - p);
    if (avail < 1) return NULL;
    unsigned char b = p[0];
    size_t hdr_need = 1;
    if ((b & ENC_12BIT_STR_MASK) == ENC_12BIT_STR || (b & ENC_13BIT_INT_MASK) == ENC_13BIT_INT)
        hdr_need = 2;
    if (b == ENC_32BIT_STR) hdr_need = 5;
    if (b >= 0xF5) return NULL; /* reserved encodings and an early end byte */
    if (avail < hdr_need) return NULL;
    uint64_t enclen = encoded_size(p);
    uint64_t bl = backlen_size(enclen);
    if (enclen > avail || bl > avail - enclen) return NULL;
    size_t nbytes = 0;
    uint64_t stored = backlen_read(p + enclen + bl - 1, p + enclen, &nbytes);
    if (stored != enclen || nbytes != bl) return NULL;
    return p + enclen + bl;
}

int lp_validate_integrity(const unsigned char *lp, size_t size, int deep, lp_validate_entry_cb *cb,
                          void *userdata) {
    if (!lp || size < LP_HDR_SIZE + 1) return 0;
    if (hdr_total(lp) != size) return 0;
    if (lp[size - 1] != LP_EOF) return 0;
    if (!deep) return 1;
    unsigned head_count = hdr_count(lp);
    const unsigned char *end = lp + size - 1;
    const unsigned char *p = lp + LP_HDR_SIZE;
    unsigned long count = 0;
    while (p < end) {
        const unsigned char *next = validate_entry(p, end);
        if (!next) return 0;
        if (cb && !cb(p, head_count, userdata)) return 0;
        count++;
        p = next;
    }
    if (p != end) return 0;
    if (head_count != LP_HDR_COUNT_UNKNOWN && head_count != count) return 0;
    return 1;
}
