/*
 * Ziplist and zipmap decoding (ziplist.h), for loading old RDB encodings.
 *
 * Ziplist entry encodings (the byte after prevlen):
 *   00pppppp                 string, 6-bit length
 *   01pppppp qqqqqqqq        string, 14-bit length (big-endian)
 *   10xxxxxx + u32 BE        string, 32-bit length
 *   11000000 / 11010000 / 11100000   int16 / int32 / int64, little-endian
 *   11110000                 24-bit signed integer, little-endian
 *   11111110                 8-bit signed integer
 *   1111xxxx (0001..1101)    immediate integer xxxx - 1 (0..12)
 *   11111111                 end of the ziplist (never an encoding)
 */
#include "ziplist.h"

#include <string.h>

#define ZL_HEADER_SIZE 10
#define ZL_END 0xFF
#define ZL_BIG_PREVLEN 254
#define ZL_COUNT_UNKNOWN 65535

#define ZM_BIGLEN 254
#define ZM_END 0xFF

static uint32_t rd_u32le(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t rd_u64le(const unsigned char *p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; i--) v = (v << 8) | p[i];
    return v;
}

/* ---------- ziplist ---------- */

/* Layout of one entry. */
typedef struct zl_entry {
    size_t prevlen_size;
    uint32_t prevlen;
    size_t header_size; /* encoding bytes */
    size_t data_len;    /* string bytes or integer width */
    unsigned char enc;  /* encoding byte (strings: masked to 0x00/0x40/0x80) */
} zl_entry;

/* Decodes the entry header at p with at most avail bytes readable.
 * Returns 0 when the header is invalid or does not fit. */
static int zl_decode(const unsigned char *p, size_t avail, zl_entry *e) {
    if (avail < 1) return 0;
    if (p[0] < ZL_BIG_PREVLEN) {
        e->prevlen_size = 1;
        e->prevlen = p[0];
    } else if (p[0] == ZL_BIG_PREVLEN) {
        if (avail < 5) return 0;
        e->prevlen_size = 5;
        e->prevlen = rd_u32le(p + 1);
    } else {
        return 0;
    }
    p += e->prevlen_size;
    avail -= e->prevlen_size;
    if (avail < 1) return 0;
    unsigned char b = p[0];
    switch (b >> 6) {
    case 0:
        e->enc = 0x00;
        e->header_size = 1;
        e->data_len = b & 0x3F;
        return 1;
    case 1:
        if (avail < 2) return 0;
        e->enc = 0x40;
        e->header_size = 2;
        e->data_len = (size_t)(b & 0x3F) << 8 | p[1];
        return 1;
    case 2:
        if (avail < 5) return 0;
        e->enc = 0x80;
        e->header_size = 5;
        e->data_len = (size_t)p[1] << 24 | (size_t)p[2] << 16 | (size_t)p[3] << 8 | p[4];
        return 1;
    default: break;
    }
    e->enc = b;
    e->header_size = 1;
    switch (b) {
    case 0xC0: e->data_len = 2; return 1;
    case 0xD0: e->data_len = 4; return 1;
    case 0xE0: e->data_len = 8; return 1;
    case 0xF0: e->data_len = 3; return 1;
    case 0xFE: e->data_len = 1; return 1;
    default:
        if (b >= 0xF1 && b <= 0xFD) {
            e->data_len = 0;
            return 1;
        }
        return 0;
    }
}

static size_t zl_entry_total(const zl_entry *e) {
    return e->prevlen_size + e->header_size + e->data_len;
}

int zl_validate(const unsigned char *zl, size_t size, unsigned long *count) {
    if (!zl || size < ZL_HEADER_SIZE + 1) return 0;
    if (rd_u32le(zl) != size) return 0;
    if (zl[size - 1] != ZL_END) return 0;
    uint32_t tail = rd_u32le(zl + 4);
    if (tail > size - 1) return 0;
    unsigned header_count = (unsigned)zl[8] | (unsigned)zl[9] << 8;

    const unsigned char *end = zl + size - 1;
    const unsigned char *p = zl + ZL_HEADER_SIZE, *last = NULL;
    size_t prev_total = 0;
    unsigned long n = 0;
    while (p < end && *p != ZL_END) {
        zl_entry e;
        if (!zl_decode(p, (size_t)(end - p), &e)) return 0;
        size_t total = zl_entry_total(&e);
        if (total > (size_t)(end - p)) return 0;
        if (e.prevlen != prev_total) return 0;
        last = p;
        prev_total = total;
        p += total;
        n++;
    }
    if (p != end) return 0;
    if ((size_t)tail != (last ? (size_t)(last - zl) : ZL_HEADER_SIZE)) return 0;
    if (header_count != ZL_COUNT_UNKNOWN && header_count != n) return 0;
    if (count) *count = n;
    return 1;
}

const unsigned char *zl_first(const unsigned char *zl) {
    const unsigned char *p = zl + ZL_HEADER_SIZE;
    return *p == ZL_END ? NULL : p;
}

/* Enough bytes for any header: the blob was validated. */
#define ZL_MAX_HEADER 10

const unsigned char *zl_next(const unsigned char *p) {
    zl_entry e;
    zl_decode(p, ZL_MAX_HEADER, &e);
    p += zl_entry_total(&e);
    return *p == ZL_END ? NULL : p;
}

void zl_get(const unsigned char *p, zl_value *v) {
    zl_entry e;
    zl_decode(p, ZL_MAX_HEADER, &e);
    const unsigned char *d = p + e.prevlen_size + e.header_size;
    v->str = NULL;
    v->len = 0;
    v->ival = 0;
    switch (e.enc) {
    case 0x00:
    case 0x40:
    case 0x80:
        v->str = d;
        v->len = e.data_len;
        return;
    case 0xC0: v->ival = (int16_t)(uint16_t)(d[0] | d[1] << 8); return;
    case 0xD0: v->ival = (int32_t)rd_u32le(d); return;
    case 0xE0: v->ival = (int64_t)rd_u64le(d); return;
    case 0xF0: {
        int32_t x = (int32_t)((uint32_t)d[0] | (uint32_t)d[1] << 8 | (uint32_t)d[2] << 16);
        if (x & 0x800000) x -= 0x1000000;
        v->ival = x;
        return;
    }
    case 0xFE: v->ival = (int8_t)d[0]; return;
    default: v->ival = (long long)(e.enc & 0x0F) - 1; return;
    }
}

/* ---------- zipmap ---------- */

/* Reads a zipmap length at p (at most avail bytes readable) into *len and
 * returns its size in bytes, or 0 when it does not fit. */
static size_t zm_len(const unsigned char *p, size_t avail, uint32_t *len) {
    if (avail < 1) return 0;
    if (p[0] < ZM_BIGLEN) {
        *len = p[0];
        return 1;
    }
    if (avail < 5) return 0;
    *len = rd_u32le(p + 1);
    return 5;
}

int zm_validate(const unsigned char *zm, size_t size, unsigned long *pairs) {
    if (!zm || size < 2 || zm[size - 1] != ZM_END) return 0;
    const unsigned char *p = zm + 1, *end = zm + size - 1;
    unsigned long n = 0;
    while (p < end && *p != ZM_END) {
        uint32_t klen, vlen;
        size_t s = zm_len(p, (size_t)(end - p), &klen);
        if (!s || klen > (size_t)(end - p) - s) return 0;
        p += s + klen;
        s = zm_len(p, (size_t)(end - p), &vlen);
        if (!s) return 0;
        p += s;
        if (p >= end) return 0; /* the free byte */
        size_t free_bytes = *p++;
        if ((size_t)vlen > (size_t)(end - p) || free_bytes > (size_t)(end - p) - vlen) return 0;
        p += vlen + free_bytes;
        n++;
    }
    if (p != end) return 0;
    if (zm[0] < ZM_BIGLEN && zm[0] != n) return 0;
    if (pairs) *pairs = n;
    return 1;
}

int zm_next(const unsigned char *zm, const unsigned char **pos, zl_value *key, zl_value *val) {
    const unsigned char *p = *pos ? *pos : zm + 1;
    if (*p == ZM_END) return 0;
    uint32_t klen, vlen;
    p += zm_len(p, 5, &klen);
    key->str = p;
    key->len = klen;
    key->ival = 0;
    p += klen;
    p += zm_len(p, 5, &vlen);
    size_t free_bytes = *p++;
    val->str = p;
    val->len = vlen;
    val->ival = 0;
    *pos = p + vlen + free_bytes;
    return 1;
}
