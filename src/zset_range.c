/*
 * Sorted set ordering and ranges: member comparison, score and lex range
 * predicates, and the parsers of Redis' range syntax.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "zset_internal.h"

int zset_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen) {
    size_t n = alen < blen ? alen : blen;
    int cmp = n ? memcmp(a, b, n) : 0;
    if (cmp) return cmp;
    return alen < blen ? -1 : (alen > blen);
}

int zset_score_gte_min(double v, const zscore_range *r) {
    return r->minex ? v > r->min : v >= r->min;
}

int zset_score_lte_max(double v, const zscore_range *r) {
    return r->maxex ? v < r->max : v <= r->max;
}

int zset_score_range_empty(const zscore_range *r) {
    return r->min > r->max || (r->min == r->max && (r->minex || r->maxex));
}

/* Compares a value with a bound: NEG_INF below everything, POS_INF above. */
static int cmp_with_bound(const char *s, size_t len, const zlex_bound *b) {
    switch (b->kind) {
    case ZLEX_NEG_INF: return 1;
    case ZLEX_POS_INF: return -1;
    case ZLEX_VALUE: break;
    }
    return zset_cmp_bytes(s, len, b->s, b->len);
}

int zset_lex_gte_min(const char *s, size_t len, const zlex_range *r) {
    if (r->min.kind == ZLEX_POS_INF) return 0;
    int cmp = cmp_with_bound(s, len, &r->min);
    return r->min.exclusive ? cmp > 0 : cmp >= 0;
}

int zset_lex_lte_max(const char *s, size_t len, const zlex_range *r) {
    if (r->max.kind == ZLEX_NEG_INF) return 0;
    int cmp = cmp_with_bound(s, len, &r->max);
    return r->max.exclusive ? cmp < 0 : cmp <= 0;
}

/* Orders two bounds by position: "-" < values < "+". */
static int bound_cmp(const zlex_bound *a, const zlex_bound *b) {
    if (a->kind == b->kind && a->kind != ZLEX_VALUE) return 0;
    if (a->kind == ZLEX_NEG_INF || b->kind == ZLEX_POS_INF) return -1;
    if (a->kind == ZLEX_POS_INF || b->kind == ZLEX_NEG_INF) return 1;
    return zset_cmp_bytes(a->s, a->len, b->s, b->len);
}

int zset_lex_range_empty(const zlex_range *r) {
    int cmp = bound_cmp(&r->min, &r->max);
    return cmp > 0 || (cmp == 0 && (r->min.exclusive || r->max.exclusive));
}

/* One end of a score range: "(x" exclusive, else inclusive; strtod
 * syntax as Redis reads it (so "inf", "-inf", "1e3" and hex work). */
static int parse_score_bound(kobj *o, double *v, int *exclusive) {
    if (o->encoding == OBJ_ENCODING_INT) {
        *v = (double)(long)o->ptr;
        *exclusive = 0;
        return C_OK;
    }
    const char *s = o->ptr;
    *exclusive = 0;
    if (s[0] == '(') {
        *exclusive = 1;
        s++;
    }
    char *end;
    errno = 0;
    double d = strtod(s, &end);
    /* As Redis: an empty number ("(" or "") reads as 0. */
    if (*end != '\0' || isnan(d)) return C_ERR;
    *v = d;
    return C_OK;
}

int zset_parse_score_range(kobj *min, kobj *max, zscore_range *r) {
    if (parse_score_bound(min, &r->min, &r->minex) != C_OK) return C_ERR;
    if (parse_score_bound(max, &r->max, &r->maxex) != C_OK) return C_ERR;
    return C_OK;
}

static int parse_lex_bound(kobj *o, zlex_bound *b) {
    const char *s = o->ptr;
    size_t len = kstr_len(o->ptr);
    b->s = NULL;
    b->len = 0;
    b->exclusive = 0;
    if (len == 0) return C_ERR;
    switch (s[0]) {
    case '+':
        if (len != 1) return C_ERR;
        b->kind = ZLEX_POS_INF;
        return C_OK;
    case '-':
        if (len != 1) return C_ERR;
        b->kind = ZLEX_NEG_INF;
        return C_OK;
    case '(':
    case '[':
        b->kind = ZLEX_VALUE;
        b->exclusive = s[0] == '(';
        b->s = s + 1;
        b->len = len - 1;
        return C_OK;
    default: return C_ERR;
    }
}

int zset_parse_lex_range(kobj *min, kobj *max, zlex_range *r) {
    if (min->encoding == OBJ_ENCODING_INT || max->encoding == OBJ_ENCODING_INT) return C_ERR;
    if (parse_lex_bound(min, &r->min) != C_OK) return C_ERR;
    if (parse_lex_bound(max, &r->max) != C_OK) return C_ERR;
    return C_OK;
}
