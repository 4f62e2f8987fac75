/*
 * Compact blobs read from RDB files and DUMP payloads: deep validation of
 * intsets and of field/value listpacks (duplicates included), and the
 * conversion of the old ziplist and zipmap encodings to listpacks.
 */
#include <string.h>

#include "listpack.h"
#include "rdb_internal.h"
#include "ziplist.h"

/* ---------- intset ---------- */

static uint64_t rd_le(const unsigned char *p, size_t n) {
    uint64_t v = 0;
    for (size_t i = n; i-- > 0;) v = (v << 8) | p[i];
    return v;
}

static int64_t intset_elem(const unsigned char *contents, uint32_t enc, uint32_t i) {
    uint64_t u = rd_le(contents + (size_t)i * enc, enc);
    if (enc == 2) return (int16_t)u;
    if (enc == 4) return (int32_t)u;
    return (int64_t)u;
}

int rdb_intset_valid(const unsigned char *p, size_t size) {
    if (size < 8) return 0;
    uint32_t enc = (uint32_t)rd_le(p, 4), len = (uint32_t)rd_le(p + 4, 4);
    if (enc != 2 && enc != 4 && enc != 8) return 0;
    if ((uint64_t)len * enc + 8 != size) return 0;
    for (uint32_t i = 1; i < len; i++)
        if (intset_elem(p + 8, enc, i) <= intset_elem(p + 8, enc, i - 1)) return 0;
    return 1;
}

/* ---------- listpack pairs ---------- */

/* Up to this many fields duplicates are found by comparing every pair;
 * beyond, with a temporary hash set. */
#define DUP_SCAN_MAX 64

static uint64_t dup_hash(const void *k) {
    return dict_gen_hash(k, kstr_len((const kstr)k));
}

static int dup_equal(const void *a, const void *b) {
    size_t la = kstr_len((const kstr)a);
    return la == kstr_len((const kstr)b) && memcmp(a, b, la) == 0;
}

static void dup_free(void *k) {
    kstr_free(k);
}

static const dict_type dup_dict_type = {dup_hash, NULL, dup_equal, dup_free, NULL};

/* 1 when two of the n entries at fields[] are equal. */
static int small_has_dup(unsigned char **fields, unsigned long n) {
    for (unsigned long i = 0; i < n; i++) {
        unsigned char buf[LP_INTBUF_SIZE];
        size_t len;
        const unsigned char *s = lp_get_str(fields[i], &len, buf);
        for (unsigned long j = i + 1; j < n; j++)
            if (lp_entry_equals(fields[j], s, len)) return 1;
    }
    return 0;
}

/* 1 when a field (every other entry from the first) occurs twice. */
static int lp_fields_have_dup(unsigned char *lp, unsigned long fields) {
    if (fields <= DUP_SCAN_MAX) {
        unsigned char *f[DUP_SCAN_MAX];
        unsigned long n = 0;
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) f[n++] = p;
        return small_has_dup(f, n);
    }
    dict *seen = dict_create(&dup_dict_type);
    dict_expand(seen, fields);
    int dup = 0;
    for (unsigned char *p = lp_first(lp); p && !dup; p = lp_next(lp, lp_next(lp, p))) {
        unsigned char buf[LP_INTBUF_SIZE];
        size_t len;
        const unsigned char *s = lp_get_str(p, &len, buf);
        kstr k = kstr_new(s, len);
        if (dict_add(seen, k, NULL) != DICT_OK) {
            kstr_free(k);
            dup = 1;
        }
    }
    dict_release(seen);
    return dup;
}

/* The score of the entry at p; 0 when it is not a number. */
static int lp_score(const unsigned char *p, double *score) {
    lp_value v;
    lp_get_value(p, &v);
    if (!v.str) {
        *score = (double)v.ival;
        return 1;
    }
    return string2d((const char *)v.str, v.len, score);
}

const char *rdb_lp_pairs_check(unsigned char *lp, size_t size, int scores) {
    if (!lp_validate_integrity(lp, size, 1, NULL, NULL)) return "listpack integrity check failed";
    unsigned long n = lp_length(lp);
    if (n % 2) return "listpack holds an odd number of entries";
    if (scores) {
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
            double d;
            p = lp_next(lp, p);
            if (!lp_score(p, &d)) return "listpack holds a score that is not a number";
        }
    }
    if (lp_fields_have_dup(lp, n / 2))
        return scores ? "duplicate sorted set members" : "duplicate hash fields";
    return NULL;
}

int rdb_zset_lp_sorted(unsigned char *lp) {
    unsigned char *prev = NULL;
    double prev_score = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
        double score;
        lp_score(lp_next(lp, p), &score);
        if (prev) {
            if (score < prev_score) return 0;
            if (score == prev_score) {
                unsigned char ba[LP_INTBUF_SIZE], bb[LP_INTBUF_SIZE];
                size_t la, lb;
                const unsigned char *a = lp_get_str(prev, &la, ba);
                const unsigned char *b = lp_get_str(p, &lb, bb);
                int c = memcmp(a, b, la < lb ? la : lb);
                if (c > 0 || (c == 0 && la >= lb)) return 0;
            }
        }
        prev = p;
        prev_score = score;
    }
    return 1;
}

size_t rdb_lp_max_len(unsigned char *lp) {
    size_t max = 0;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        unsigned char buf[LP_INTBUF_SIZE];
        size_t len;
        lp_get_str(p, &len, buf);
        if (len > max) max = len;
    }
    return max;
}

/* ---------- old encodings ---------- */

static unsigned char *lp_append_value(unsigned char *lp, const zl_value *v) {
    if (v->str) return lp_append(lp, v->str, v->len);
    return lp_append_integer(lp, v->ival);
}

unsigned char *rdb_ziplist_to_listpack(const unsigned char *zl) {
    unsigned char *lp = lp_new(0);
    for (const unsigned char *p = zl_first(zl); p; p = zl_next(p)) {
        zl_value v;
        zl_get(p, &v);
        lp = lp_append_value(lp, &v);
    }
    return lp;
}

unsigned char *rdb_zipmap_to_listpack(const unsigned char *zm, size_t *maxlen) {
    unsigned char *lp = lp_new(0);
    const unsigned char *pos = NULL;
    zl_value k, v;
    *maxlen = 0;
    while (zm_next(zm, &pos, &k, &v)) {
        if (k.len > *maxlen) *maxlen = k.len;
        if (v.len > *maxlen) *maxlen = v.len;
        lp = lp_append_value(lp, &k);
        lp = lp_append_value(lp, &v);
    }
    return lp;
}
