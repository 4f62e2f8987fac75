/*
 * intset (intset.h). The array stays sorted, so lookups are binary
 * searches and iteration yields ascending values, as Redis' SMEMBERS of an
 * intset does.
 */
#include <stdlib.h>
#include <string.h>

#include "intset.h"
#include "zmalloc.h"

#define ENC16 ((uint32_t)sizeof(int16_t))
#define ENC32 ((uint32_t)sizeof(int32_t))
#define ENC64 ((uint32_t)sizeof(int64_t))

/* Width a value needs. */
static uint32_t encoding_for(int64_t v) {
    if (v < INT32_MIN || v > INT32_MAX) return ENC64;
    if (v < INT16_MIN || v > INT16_MAX) return ENC32;
    return ENC16;
}

/* Values are little-endian on disk and in memory; these helpers swap on
 * big-endian hosts. */
static uint32_t le32(uint32_t v) {
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    return __builtin_bswap32(v);
#else
    return v;
#endif
}

static int64_t get_at(const intset *is, uint32_t pos, uint32_t enc) {
    const int8_t *p = is->contents + (size_t)pos * enc;
    if (enc == ENC64) {
        uint64_t v;
        memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        return (int64_t)v;
    }
    if (enc == ENC32) {
        uint32_t v;
        memcpy(&v, p, sizeof(v));
        return (int32_t)le32(v);
    }
    uint16_t v;
    memcpy(&v, p, sizeof(v));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    v = __builtin_bswap16(v);
#endif
    return (int16_t)v;
}

static void set_at(intset *is, uint32_t pos, int64_t value) {
    uint32_t enc = le32(is->encoding);
    int8_t *p = is->contents + (size_t)pos * enc;
    if (enc == ENC64) {
        uint64_t v = (uint64_t)value;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap64(v);
#endif
        memcpy(p, &v, sizeof(v));
    } else if (enc == ENC32) {
        uint32_t v = le32((uint32_t)(int32_t)value);
        memcpy(p, &v, sizeof(v));
    } else {
        uint16_t v = (uint16_t)(int16_t)value;
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
        v = __builtin_bswap16(v);
#endif
        memcpy(p, &v, sizeof(v));
    }
}

uint32_t intset_len(const intset *is) {
    return le32(is->length);
}

static void set_len(intset *is, uint32_t n) {
    is->length = le32(n);
}

static uint32_t enc_of(const intset *is) {
    return le32(is->encoding);
}

size_t intset_blob_len(const intset *is) {
    return sizeof(intset) + (size_t)intset_len(is) * enc_of(is);
}

intset *intset_new(void) {
    intset *is = zmalloc(sizeof(intset));
    is->encoding = le32(ENC16);
    is->length = 0;
    return is;
}

void intset_free(intset *is) {
    zfree(is);
}

intset *intset_dup(const intset *is) {
    size_t n = intset_blob_len(is);
    intset *copy = zmalloc(n);
    memcpy(copy, is, n);
    return copy;
}

static intset *resize(intset *is, uint32_t len) {
    return zrealloc(is, sizeof(intset) + (size_t)len * enc_of(is));
}

/* Binary search: 1 and *pos = index when found, else 0 and *pos = the
 * index where value would be inserted. */
static int search(const intset *is, int64_t value, uint32_t *pos) {
    uint32_t len = intset_len(is), enc = enc_of(is);
    if (len == 0) {
        *pos = 0;
        return 0;
    }
    /* Fast paths for appending at either end. */
    if (value > get_at(is, len - 1, enc)) {
        *pos = len;
        return 0;
    }
    if (value < get_at(is, 0, enc)) {
        *pos = 0;
        return 0;
    }
    uint32_t lo = 0, hi = len; /* [lo, hi) */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        int64_t cur = get_at(is, mid, enc);
        if (cur == value) {
            *pos = mid;
            return 1;
        }
        if (cur < value)
            lo = mid + 1;
        else
            hi = mid;
    }
    *pos = lo;
    return 0;
}

/* Widens every element to the encoding value needs, then adds value,
 * which is necessarily the new minimum or maximum. */
static intset *upgrade_and_add(intset *is, int64_t value) {
    uint32_t old = enc_of(is), len = intset_len(is);
    int prepend = value < 0;
    is->encoding = le32(encoding_for(value));
    is = resize(is, len + 1);
    /* Back to front, so nothing is overwritten before it is read. */
    for (uint32_t i = len; i-- > 0;) set_at(is, i + (uint32_t)prepend, get_at(is, i, old));
    set_at(is, prepend ? 0 : len, value);
    set_len(is, len + 1);
    return is;
}

intset *intset_add(intset *is, int64_t value, int *added) {
    if (added) *added = 0;
    if (encoding_for(value) > enc_of(is)) {
        if (added) *added = 1;
        return upgrade_and_add(is, value);
    }
    uint32_t pos;
    if (search(is, value, &pos)) return is;
    uint32_t len = intset_len(is), enc = enc_of(is);
    is = resize(is, len + 1);
    if (pos < len)
        memmove(is->contents + (size_t)(pos + 1) * enc, is->contents + (size_t)pos * enc,
                (size_t)(len - pos) * enc);
    set_at(is, pos, value);
    set_len(is, len + 1);
    if (added) *added = 1;
    return is;
}

intset *intset_remove(intset *is, int64_t value, int *removed) {
    if (removed) *removed = 0;
    uint32_t pos;
    if (encoding_for(value) > enc_of(is) || !search(is, value, &pos)) return is;
    uint32_t len = intset_len(is), enc = enc_of(is);
    if (pos < len - 1)
        memmove(is->contents + (size_t)pos * enc, is->contents + (size_t)(pos + 1) * enc,
                (size_t)(len - pos - 1) * enc);
    is = resize(is, len - 1);
    set_len(is, len - 1);
    if (removed) *removed = 1;
    return is;
}

int intset_find(const intset *is, int64_t value) {
    uint32_t pos;
    return encoding_for(value) <= enc_of(is) && search(is, value, &pos);
}

int intset_get(const intset *is, uint32_t pos, int64_t *value) {
    if (pos >= intset_len(is)) return 0;
    *value = get_at(is, pos, enc_of(is));
    return 1;
}

int64_t intset_random(const intset *is) {
    uint32_t len = intset_len(is);
    return get_at(is, (uint32_t)((unsigned long)random() % len), enc_of(is));
}
