/*
 * The sorted set type's storage (see t_zset.h): listpack or skiplist +
 * dict, lookups, ranks, range counting and deletion, conversions and
 * iteration over both encodings.
 */
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kview.h"
#include "zset_internal.h"

/* ---------- listpack helpers ---------- */

/* Longest score text a listpack may hold that we parse (d2string writes at
 * most 24 bytes). */
#define ZZL_SCORE_MAX 128

static double zzl_score(const unsigned char *sptr) {
    lp_value v;
    lp_get_value(sptr, &v);
    if (!v.str) return (double)v.ival;
    char buf[ZZL_SCORE_MAX];
    size_t n = v.len < sizeof(buf) - 1 ? v.len : sizeof(buf) - 1;
    memcpy(buf, v.str, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

static void zzl_elem(unsigned char *lp, unsigned char *eptr, zset_elem *e) {
    e->ele = (const char *)lp_get_str(eptr, &e->len, e->buf);
    e->score = zzl_score(lp_next(lp, eptr));
}

/* Compares the member at eptr with s. */
static int zzl_cmp(const unsigned char *eptr, const char *s, size_t len) {
    unsigned char buf[LP_INTBUF_SIZE];
    size_t elen;
    const char *e = (const char *)lp_get_str(eptr, &elen, buf);
    return zset_cmp_bytes(e, elen, s, len);
}

/* Member entry of ele, or NULL; *score gets its score. */
static unsigned char *zzl_find(unsigned char *lp, const char *ele, size_t len, double *score) {
    unsigned char *eptr = lp_first(lp);
    if (!eptr) return NULL;
    eptr = lp_find(lp, eptr, (const unsigned char *)ele, len, 1);
    if (eptr && score) *score = zzl_score(lp_next(lp, eptr));
    return eptr;
}

static unsigned char *zzl_delete(unsigned char *lp, unsigned char *eptr) {
    return lp_delete_range_with_entry(lp, &eptr, 2);
}

/* 1 and *ll when the score is stored as a listpack integer: integral and
 * within +-LLONG_MAX/2, as Redis 7.0 decides (so -0 is stored as 0). */
static int score_as_ll(double score, long long *ll) {
    if (score < (double)(-LLONG_MAX / 2) || score > (double)(LLONG_MAX / 2)) return 0;
    long long v = (long long)score;
    if ((double)v != score) return 0;
    *ll = v;
    return 1;
}

/* Writes the score entry after the member entry eptr (NULL: at the end). */
static unsigned char *zzl_put_score(unsigned char *lp, unsigned char *eptr, double score) {
    long long ll;
    lp_where where = eptr ? LP_AFTER : LP_BEFORE;
    if (score_as_ll(score, &ll)) return lp_insert_integer(lp, ll, eptr, where, NULL);
    char sbuf[128];
    int slen = d2string(sbuf, sizeof(sbuf), score);
    return lp_insert_string(lp, (const unsigned char *)sbuf, (size_t)slen, eptr, where, NULL);
}

/* Inserts (ele, score) at its place in the order. */
static unsigned char *zzl_insert(unsigned char *lp, const char *ele, size_t len, double score) {
    unsigned char *eptr = lp_first(lp);
    while (eptr) {
        unsigned char *sptr = lp_next(lp, eptr);
        double s = zzl_score(sptr);
        if (s > score || (s == score && zzl_cmp(eptr, ele, len) > 0)) break;
        eptr = lp_next(lp, sptr);
    }
    unsigned char *newp = NULL;
    if (eptr)
        lp = lp_insert_string(lp, (const unsigned char *)ele, len, eptr, LP_BEFORE, &newp);
    else
        lp = lp_append(lp, (const unsigned char *)ele, len);
    return zzl_put_score(lp, newp, score);
}

static unsigned char *zzl_last_member(unsigned char *lp);
static int zzl_gte_min_lex(const unsigned char *eptr, const zlex_range *r);
static int zzl_lte_max_lex(const unsigned char *eptr, const zlex_range *r);

/* 1 when some member may be in the range: the last member is not below
 * min and the first is not above max (as Redis checks, which decides the
 * result of lex ranges over members of different scores). */
static int zzl_any_in_score(unsigned char *lp, const zscore_range *r) {
    if (zset_score_range_empty(r)) return 0;
    unsigned char *last = zzl_last_member(lp), *first = lp_first(lp);
    if (!last || !zset_score_gte_min(zzl_score(lp_next(lp, last)), r)) return 0;
    return zset_score_lte_max(zzl_score(lp_next(lp, first)), r);
}

static int zzl_any_in_lex(unsigned char *lp, const zlex_range *r) {
    if (zset_lex_range_empty(r)) return 0;
    unsigned char *last = zzl_last_member(lp), *first = lp_first(lp);
    if (!last || !zzl_gte_min_lex(last, r)) return 0;
    return zzl_lte_max_lex(first, r);
}

/* First / last member entry in a score or lex range, or NULL. */
static unsigned char *zzl_first_in_score(unsigned char *lp, const zscore_range *r) {
    if (!zzl_any_in_score(lp, r)) return NULL;
    for (unsigned char *eptr = lp_first(lp); eptr;) {
        unsigned char *sptr = lp_next(lp, eptr);
        double s = zzl_score(sptr);
        if (zset_score_gte_min(s, r)) return zset_score_lte_max(s, r) ? eptr : NULL;
        eptr = lp_next(lp, sptr);
    }
    return NULL;
}

/* The member entry before the score entry sptr (pairs walked backwards). */
static unsigned char *zzl_prev_member(unsigned char *lp, unsigned char *eptr) {
    unsigned char *sptr = lp_prev(lp, eptr);
    return sptr ? lp_prev(lp, sptr) : NULL;
}

static unsigned char *zzl_last_member(unsigned char *lp) {
    unsigned char *sptr = lp_last(lp);
    return sptr ? lp_prev(lp, sptr) : NULL;
}

static unsigned char *zzl_last_in_score(unsigned char *lp, const zscore_range *r) {
    if (!zzl_any_in_score(lp, r)) return NULL;
    for (unsigned char *eptr = zzl_last_member(lp); eptr; eptr = zzl_prev_member(lp, eptr)) {
        double s = zzl_score(lp_next(lp, eptr));
        if (zset_score_lte_max(s, r)) return zset_score_gte_min(s, r) ? eptr : NULL;
    }
    return NULL;
}

static int zzl_gte_min_lex(const unsigned char *eptr, const zlex_range *r) {
    unsigned char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *s = (const char *)lp_get_str(eptr, &len, buf);
    return zset_lex_gte_min(s, len, r);
}

static int zzl_lte_max_lex(const unsigned char *eptr, const zlex_range *r) {
    unsigned char buf[LP_INTBUF_SIZE];
    size_t len;
    const char *s = (const char *)lp_get_str(eptr, &len, buf);
    return zset_lex_lte_max(s, len, r);
}

static unsigned char *zzl_first_in_lex(unsigned char *lp, const zlex_range *r) {
    if (!zzl_any_in_lex(lp, r)) return NULL;
    for (unsigned char *eptr = lp_first(lp); eptr; eptr = lp_next(lp, lp_next(lp, eptr)))
        if (zzl_gte_min_lex(eptr, r)) return zzl_lte_max_lex(eptr, r) ? eptr : NULL;
    return NULL;
}

static unsigned char *zzl_last_in_lex(unsigned char *lp, const zlex_range *r) {
    if (!zzl_any_in_lex(lp, r)) return NULL;
    for (unsigned char *eptr = zzl_last_member(lp); eptr; eptr = zzl_prev_member(lp, eptr))
        if (zzl_lte_max_lex(eptr, r)) return zzl_gte_min_lex(eptr, r) ? eptr : NULL;
    return NULL;
}

/* ---------- creation and conversion ---------- */

static zset *zset_payload_create(void) {
    zset *zs = zmalloc(sizeof(*zs));
    zs->dict = dict_create(&zset_dict_type);
    zs->zsl = zsl_create();
    return zs;
}

static void zset_payload_free(zset *zs) {
    dict_release(zs->dict);
    zsl_free(zs->zsl);
    zfree(zs);
}

kobj *zset_type_create_skiplist(size_t size_hint) {
    zset *zs = zset_payload_create();
    if (size_hint) dict_expand(zs->dict, size_hint);
    kobj *o = obj_create(OBJ_ZSET, zs);
    o->encoding = OBJ_ENCODING_SKIPLIST;
    return o;
}

kobj *zset_type_create(size_t size_hint, size_t maxelelen) {
    if (server.zset_max_listpack_entries == 0 || size_hint > server.zset_max_listpack_entries ||
        maxelelen > server.zset_max_listpack_value)
        return zset_type_create_skiplist(size_hint);
    kobj *o = obj_create(OBJ_ZSET, lp_new(0));
    o->encoding = OBJ_ENCODING_LISTPACK;
    return o;
}

unsigned long zset_type_length(const kobj *z) {
    switch (z->encoding) {
    case OBJ_ENCODING_LISTPACK: return lp_length(z->ptr) / 2;
    case OBJ_ENCODING_SKIPLIST: return ((const zset *)z->ptr)->zsl->length;
    default: panic("zset: unknown encoding %d", z->encoding);
    }
}

void zset_type_convert(kobj *z, int encoding) {
    if (z->encoding == encoding) return;
    if (encoding == OBJ_ENCODING_SKIPLIST) {
        unsigned char *lp = z->ptr;
        zset *zs = zset_payload_create();
        dict_expand(zs->dict, lp_length(lp) / 2);
        for (unsigned char *eptr = lp_first(lp); eptr; eptr = lp_next(lp, lp_next(lp, eptr))) {
            zset_elem e;
            zzl_elem(lp, eptr, &e);
            zskiplist_node *n = zsl_insert(zs->zsl, e.score, kstr_new(e.ele, e.len));
            dict_add(zs->dict, n->ele, n);
        }
        lp_free(lp);
        z->ptr = zs;
        z->encoding = OBJ_ENCODING_SKIPLIST;
    } else if (encoding == OBJ_ENCODING_LISTPACK) {
        zset *zs = z->ptr;
        unsigned char *lp = lp_new(0);
        for (zskiplist_node *n = zs->zsl->header->level[0].forward; n; n = n->level[0].forward) {
            lp = lp_append(lp, (const unsigned char *)n->ele, kstr_len(n->ele));
            lp = zzl_put_score(lp, NULL, n->score);
        }
        zset_payload_free(zs);
        z->ptr = lp;
        z->encoding = OBJ_ENCODING_LISTPACK;
    } else {
        panic("zset: cannot convert to encoding %d", encoding);
    }
}

void zset_type_convert_to_listpack_if_needed(kobj *z, size_t maxelelen, size_t totelelen) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) return;
    zset *zs = z->ptr;
    if (zs->zsl->length <= server.zset_max_listpack_entries &&
        maxelelen <= server.zset_max_listpack_value && lp_safe_to_add(NULL, totelelen))
        zset_type_convert(z, OBJ_ENCODING_LISTPACK);
}

/* ---------- lookups ---------- */

static zskiplist_node *zs_find(zset *zs, const char *ele, size_t len) {
    kview v;
    dict_entry *de = dict_find(zs->dict, kview_make(&v, ele, len));
    kview_release(&v);
    return de ? de->v.val : NULL;
}

int zset_type_score(kobj *z, const char *ele, size_t len, double *score) {
    if (z->encoding == OBJ_ENCODING_LISTPACK)
        return zzl_find(z->ptr, ele, len, score) ? C_OK : C_ERR;
    zskiplist_node *n = zs_find(z->ptr, ele, len);
    if (!n) return C_ERR;
    *score = n->score;
    return C_OK;
}

long zset_type_rank(kobj *z, const char *ele, size_t len, int reverse, double *score) {
    unsigned long length = zset_type_length(z);
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = z->ptr;
        unsigned long rank = 0;
        for (unsigned char *eptr = lp_first(lp); eptr; eptr = lp_next(lp, lp_next(lp, eptr))) {
            if (lp_entry_equals(eptr, (const unsigned char *)ele, len)) {
                if (score) *score = zzl_score(lp_next(lp, eptr));
                return (long)(reverse ? length - 1 - rank : rank);
            }
            rank++;
        }
        return -1;
    }
    zset *zs = z->ptr;
    zskiplist_node *n = zs_find(zs, ele, len);
    if (!n) return -1;
    unsigned long rank = zsl_get_rank(zs->zsl, n->score, ele, len);
    if (rank == 0) panic("zset: member in the dict but not in the skiplist");
    if (score) *score = n->score;
    return (long)(reverse ? length - rank : rank - 1);
}

/* ---------- writes ---------- */

int zset_type_add(kobj *z, double score, const char *ele, size_t len, int in_flags, int *out_flags,
                  double *newscore) {
    int incr = in_flags & ZADD_IN_INCR, nx = in_flags & ZADD_IN_NX, xx = in_flags & ZADD_IN_XX;
    int gt = in_flags & ZADD_IN_GT, lt = in_flags & ZADD_IN_LT;
    *out_flags = 0;
    if (isnan(score)) {
        *out_flags = ZADD_OUT_NAN;
        return 0;
    }

    double cur;
    int exists = zset_type_score(z, ele, len, &cur) == C_OK;
    if (exists) {
        if (nx) {
            *out_flags |= ZADD_OUT_NOP;
            return 1;
        }
        if (incr) {
            score += cur;
            if (isnan(score)) {
                *out_flags |= ZADD_OUT_NAN;
                return 0;
            }
        }
        if ((lt && score >= cur) || (gt && score <= cur)) {
            *out_flags |= ZADD_OUT_NOP;
            return 1;
        }
        if (newscore) *newscore = score;
        if (score == cur) return 1;
        if (z->encoding == OBJ_ENCODING_LISTPACK) {
            unsigned char *lp = z->ptr;
            lp = zzl_delete(lp, zzl_find(lp, ele, len, NULL));
            z->ptr = zzl_insert(lp, ele, len, score);
        } else {
            zset *zs = z->ptr;
            kview v;
            dict_entry *de = dict_find(zs->dict, kview_make(&v, ele, len));
            kview_release(&v);
            zskiplist_node *n = zsl_update_score(zs->zsl, cur, ele, len, score);
            /* The node may have been reallocated (its member kstr is the
             * same): repoint the dict at it. */
            dict_set_val(zs->dict, de, n);
        }
        *out_flags |= ZADD_OUT_UPDATED;
        return 1;
    }
    if (xx) {
        *out_flags |= ZADD_OUT_NOP;
        return 1;
    }
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        if (zset_type_length(z) + 1 > server.zset_max_listpack_entries ||
            len > server.zset_max_listpack_value || !lp_safe_to_add(z->ptr, len)) {
            zset_type_convert(z, OBJ_ENCODING_SKIPLIST);
        } else {
            z->ptr = zzl_insert(z->ptr, ele, len, score);
            if (newscore) *newscore = score;
            *out_flags |= ZADD_OUT_ADDED;
            return 1;
        }
    }
    zset *zs = z->ptr;
    zskiplist_node *n = zsl_insert(zs->zsl, score, kstr_new(ele, len));
    dict_add(zs->dict, n->ele, n);
    if (newscore) *newscore = score;
    *out_flags |= ZADD_OUT_ADDED;
    return 1;
}

int zset_type_delete(kobj *z, const char *ele, size_t len) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *eptr = zzl_find(z->ptr, ele, len, NULL);
        if (!eptr) return 0;
        z->ptr = zzl_delete(z->ptr, eptr);
        return 1;
    }
    zset *zs = z->ptr;
    zskiplist_node *n = zs_find(zs, ele, len);
    if (!n) return 0;
    dict_delete(zs->dict, n->ele);
    zskiplist_node *x = zsl_unlink(zs->zsl, n->score, ele, len);
    if (x != n) panic("zset: dict and skiplist disagree");
    zsl_free_node(x);
    dict_resize_if_needed(zs->dict);
    return 1;
}

/* ---------- ranges ---------- */

unsigned long zset_type_count_score(kobj *z, const zscore_range *r) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = z->ptr;
        unsigned long count = 0;
        for (unsigned char *eptr = zzl_first_in_score(lp, r); eptr;) {
            unsigned char *sptr = lp_next(lp, eptr);
            if (!zset_score_lte_max(zzl_score(sptr), r)) break;
            count++;
            eptr = lp_next(lp, sptr);
        }
        return count;
    }
    zset *zs = z->ptr;
    zskiplist_node *first = zsl_first_in_score(zs->zsl, r);
    if (!first) return 0;
    zskiplist_node *last = zsl_last_in_score(zs->zsl, r);
    unsigned long a = zsl_get_rank(zs->zsl, first->score, first->ele, kstr_len(first->ele));
    unsigned long b = zsl_get_rank(zs->zsl, last->score, last->ele, kstr_len(last->ele));
    return b - a + 1;
}

unsigned long zset_type_count_lex(kobj *z, const zlex_range *r) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = z->ptr;
        unsigned long count = 0;
        for (unsigned char *eptr = zzl_first_in_lex(lp, r); eptr && zzl_lte_max_lex(eptr, r);
             eptr = lp_next(lp, lp_next(lp, eptr)))
            count++;
        return count;
    }
    /* Counted by ranks as Redis does: over members of different scores
     * the last member in range may be missing, or come before the first
     * (the count then wraps, and replies negative, as in Redis). */
    zset *zs = z->ptr;
    zskiplist_node *first = zsl_first_in_lex(zs->zsl, r);
    if (!first) return 0;
    unsigned long a = zsl_get_rank(zs->zsl, first->score, first->ele, kstr_len(first->ele));
    zskiplist_node *last = zsl_last_in_lex(zs->zsl, r);
    unsigned long b = zs->zsl->length;
    if (last) b = zsl_get_rank(zs->zsl, last->score, last->ele, kstr_len(last->ele));
    return b - a + 1;
}

unsigned long zset_type_delete_rank(kobj *z, unsigned long start, unsigned long end) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned long n = end - start + 1;
        z->ptr = lp_delete_range(z->ptr, (long)(2 * start), 2 * n);
        return n;
    }
    zset *zs = z->ptr;
    unsigned long removed = zsl_delete_rank(zs->zsl, start + 1, end + 1, zs->dict);
    dict_resize_if_needed(zs->dict);
    return removed;
}

unsigned long zset_type_delete_score(kobj *z, const zscore_range *r) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = z->ptr;
        unsigned char *eptr = zzl_first_in_score(lp, r);
        unsigned long removed = 0;
        while (eptr && zset_score_lte_max(zzl_score(lp_next(lp, eptr)), r)) {
            lp = lp_delete_range_with_entry(lp, &eptr, 2);
            removed++;
        }
        z->ptr = lp;
        return removed;
    }
    zset *zs = z->ptr;
    if (zset_score_range_empty(r)) return 0;
    unsigned long removed = zsl_delete_score(zs->zsl, r, zs->dict);
    dict_resize_if_needed(zs->dict);
    return removed;
}

unsigned long zset_type_delete_lex(kobj *z, const zlex_range *r) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = z->ptr;
        unsigned char *eptr = zzl_first_in_lex(lp, r);
        unsigned long removed = 0;
        while (eptr && zzl_lte_max_lex(eptr, r)) {
            lp = lp_delete_range_with_entry(lp, &eptr, 2);
            removed++;
        }
        z->ptr = lp;
        return removed;
    }
    zset *zs = z->ptr;
    if (zset_lex_range_empty(r)) return 0;
    unsigned long removed = zsl_delete_lex(zs->zsl, r, zs->dict);
    dict_resize_if_needed(zs->dict);
    return removed;
}

/* ---------- whole-object operations ---------- */

kobj *zset_type_dup(kobj *z) {
    kobj *o;
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        size_t n = lp_bytes(z->ptr);
        unsigned char *lp = zmalloc(n);
        memcpy(lp, z->ptr, n);
        o = obj_create(OBJ_ZSET, lp);
        o->encoding = OBJ_ENCODING_LISTPACK;
        return o;
    }
    zset *src = z->ptr;
    zset *zs = zset_payload_create();
    dict_expand(zs->dict, src->zsl->length);
    /* Inserting from the tail keeps every insertion at the list head. */
    for (zskiplist_node *n = src->zsl->tail; n; n = n->backward) {
        zskiplist_node *copy = zsl_insert(zs->zsl, n->score, kstr_dup(n->ele));
        dict_add(zs->dict, copy->ele, copy);
    }
    o = obj_create(OBJ_ZSET, zs);
    o->encoding = OBJ_ENCODING_SKIPLIST;
    return o;
}

void zset_type_free_payload(kobj *z) {
    switch (z->encoding) {
    case OBJ_ENCODING_LISTPACK: lp_free(z->ptr); break;
    case OBJ_ENCODING_SKIPLIST: zset_payload_free(z->ptr); break;
    default: panic("zset: unknown encoding %d", z->encoding);
    }
}

size_t zset_type_payload_memory(kobj *z, size_t samples) {
    if (z->encoding == OBJ_ENCODING_LISTPACK) return zmalloc_size(z->ptr);
    zset *zs = z->ptr;
    size_t total = sizeof(*zs) + sizeof(*zs->dict) + dict_buckets(zs->dict) * sizeof(dict_entry *) +
                   sizeof(*zs->zsl) + zmalloc_size(zs->zsl->header);
    unsigned long n = zs->zsl->length, seen = 0;
    size_t bytes = 0;
    for (zskiplist_node *x = zs->zsl->header->level[0].forward;
         x && (samples == 0 || seen < samples); x = x->level[0].forward) {
        bytes += zmalloc_size(x) + kstr_alloc_size(x->ele) + sizeof(dict_entry);
        seen++;
    }
    if (seen == 0) return total;
    return total + (seen == n ? bytes : (size_t)((double)bytes / (double)seen * (double)n));
}

size_t zset_type_free_effort(const kobj *z) {
    if (z->encoding == OBJ_ENCODING_SKIPLIST) return ((const zset *)z->ptr)->zsl->length;
    return 1;
}

/* ---------- iteration ---------- */

static void iter_base(zset_iter *it, kobj *z, int reverse, zset_iter_limit limit) {
    it->z = z;
    it->reverse = reverse;
    it->eptr = NULL;
    it->node = NULL;
    it->limit = limit;
}

void zset_iter_init_rank(zset_iter *it, kobj *z, unsigned long rank, int reverse) {
    iter_base(it, z, reverse, ZITER_ALL);
    unsigned long length = zset_type_length(z);
    if (rank >= length) return;
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        long idx = reverse ? -2 - 2 * (long)rank : 2 * (long)rank;
        it->eptr = lp_seek(z->ptr, idx);
    } else {
        zset *zs = z->ptr;
        it->node = zsl_get_by_rank(zs->zsl, reverse ? length - rank : rank + 1);
    }
}

void zset_iter_init_score(zset_iter *it, kobj *z, const zscore_range *r, int reverse) {
    iter_base(it, z, reverse, ZITER_SCORE);
    it->score = *r;
    if (z->encoding == OBJ_ENCODING_LISTPACK)
        it->eptr = reverse ? zzl_last_in_score(z->ptr, r) : zzl_first_in_score(z->ptr, r);
    else {
        zset *zs = z->ptr;
        it->node = reverse ? zsl_last_in_score(zs->zsl, r) : zsl_first_in_score(zs->zsl, r);
    }
}

void zset_iter_init_lex(zset_iter *it, kobj *z, const zlex_range *r, int reverse) {
    iter_base(it, z, reverse, ZITER_LEX);
    it->lex = *r;
    if (z->encoding == OBJ_ENCODING_LISTPACK)
        it->eptr = reverse ? zzl_last_in_lex(z->ptr, r) : zzl_first_in_lex(z->ptr, r);
    else {
        zset *zs = z->ptr;
        it->node = reverse ? zsl_last_in_lex(zs->zsl, r) : zsl_first_in_lex(zs->zsl, r);
    }
}

/* 1 while e is still inside the iterator's range (the far end). */
static int iter_in_range(const zset_iter *it, const zset_elem *e) {
    switch (it->limit) {
    case ZITER_ALL: return 1;
    case ZITER_SCORE:
        return it->reverse ? zset_score_gte_min(e->score, &it->score)
                           : zset_score_lte_max(e->score, &it->score);
    case ZITER_LEX:
        return it->reverse ? zset_lex_gte_min(e->ele, e->len, &it->lex)
                           : zset_lex_lte_max(e->ele, e->len, &it->lex);
    }
    return 0;
}

int zset_iter_skip(zset_iter *it) {
    if (it->z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = it->z->ptr;
        if (!it->eptr) return 0;
        it->eptr = it->reverse ? zzl_prev_member(lp, it->eptr) : lp_next(lp, lp_next(lp, it->eptr));
        return 1;
    }
    zskiplist_node *n = it->node;
    if (!n) return 0;
    it->node = it->reverse ? n->backward : n->level[0].forward;
    return 1;
}

int zset_iter_next(zset_iter *it, zset_elem *e) {
    if (it->z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = it->z->ptr;
        if (!it->eptr) return 0;
        zzl_elem(lp, it->eptr, e);
        if (!iter_in_range(it, e)) {
            it->eptr = NULL;
            return 0;
        }
        it->eptr = it->reverse ? zzl_prev_member(lp, it->eptr) : lp_next(lp, lp_next(lp, it->eptr));
        return 1;
    }
    zskiplist_node *n = it->node;
    if (!n) return 0;
    e->ele = n->ele;
    e->len = kstr_len(n->ele);
    e->score = n->score;
    if (!iter_in_range(it, e)) {
        it->node = NULL;
        return 0;
    }
    it->node = it->reverse ? n->backward : n->level[0].forward;
    return 1;
}
