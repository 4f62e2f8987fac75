/*
 * Sorted set operations: ZUNION, ZINTER, ZDIFF (and their STORE forms) and
 * ZINTERCARD, with WEIGHTS and AGGREGATE. Plain sets are accepted as
 * inputs, every member scoring 1, as in Redis.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blocked.h"
#include "keyspace.h"
#include "kview.h"
#include "notify.h"
#include "server.h"
#include "t_set.h"
#include "zset_internal.h"

typedef enum setop { SETOP_UNION, SETOP_INTER, SETOP_DIFF } setop;
typedef enum aggregate { AGGR_SUM, AGGR_MIN, AGGR_MAX } aggregate;

/* One input: a sorted set, a set, or nothing (a missing key). */
typedef struct setop_src {
    kobj *obj;
    double weight;
} setop_src;

/* Iteration over either kind of input. */
typedef struct src_iter {
    kobj *obj;
    zset_iter zi;
    set_iter si;
    set_elem se;
} src_iter;

static unsigned long src_length(const setop_src *s) {
    if (!s->obj) return 0;
    return s->obj->type == OBJ_ZSET ? zset_type_length(s->obj) : set_type_size(s->obj);
}

static void src_iter_init(src_iter *it, kobj *obj) {
    it->obj = obj;
    if (obj->type == OBJ_ZSET)
        zset_iter_init_rank(&it->zi, obj, 0, 0);
    else
        set_iter_init(&it->si, obj);
}

/* 1 with the next member (its bytes valid until the next call). */
static int src_iter_next(src_iter *it, zset_elem *e) {
    if (it->obj->type == OBJ_ZSET) return zset_iter_next(&it->zi, e);
    if (!set_iter_next(&it->si, &it->se)) return 0;
    e->ele = it->se.s;
    e->len = kstr_len(it->se.s);
    e->score = 1.0;
    return 1;
}

static void src_iter_release(src_iter *it) {
    if (it->obj->type == OBJ_SET) set_iter_release(&it->si);
}

/* 1 with *score when the member is in the input. */
static int src_find(const setop_src *s, const char *ele, size_t len, double *score) {
    if (!s->obj) return 0;
    if (s->obj->type == OBJ_ZSET) return zset_type_score(s->obj, ele, len, score) == C_OK;
    kview v;
    int found = set_type_is_member(s->obj, kview_make(&v, ele, len));
    kview_release(&v);
    if (found) *score = 1.0;
    return found;
}

static void aggregate_into(double *target, double val, aggregate aggr) {
    switch (aggr) {
    case AGGR_SUM:
        *target += val;
        /* inf + -inf: Redis' convention is 0. */
        if (isnan(*target)) *target = 0.0;
        break;
    case AGGR_MIN: *target = val < *target ? val : *target; break;
    case AGGR_MAX: *target = val > *target ? val : *target; break;
    }
}

static int cmp_by_length(const void *a, const void *b) {
    unsigned long la = src_length(a), lb = src_length(b);
    return la < lb ? -1 : (la > lb);
}

/* The result being built: members are added in any order. */
typedef struct result {
    kobj *z;
    size_t maxelelen, totelelen;
} result;

static void result_add(result *r, const char *ele, size_t len, double score) {
    int out;
    zset_type_add(r->z, score, ele, len, ZADD_IN_NONE, &out, NULL);
    if (len > r->maxelelen) r->maxelelen = len;
    r->totelelen += len;
}

static void do_inter(setop_src *src, long n, aggregate aggr, result *res, long limit,
                     unsigned long *card) {
    if (src_length(&src[0]) == 0) return;
    src_iter it;
    zset_elem e;
    src_iter_init(&it, src[0].obj);
    while (src_iter_next(&it, &e)) {
        double score = src[0].weight * e.score;
        if (isnan(score)) score = 0;
        long j;
        for (j = 1; j < n; j++) {
            double value;
            /* The input being iterated must not be searched (a lookup may
             * move a rehashing dict under its iterator): the same key
             * given twice is the same object, whose score is known. */
            if (src[j].obj == src[0].obj)
                value = e.score;
            else if (!src_find(&src[j], e.ele, e.len, &value))
                break;
            aggregate_into(&score, value * src[j].weight, aggr);
        }
        if (j < n) continue;
        if (card) {
            (*card)++;
            if (limit && *card >= (unsigned long)limit) break;
        } else {
            result_add(res, e.ele, e.len, score);
        }
    }
    src_iter_release(&it);
}

static uint64_t acc_hash(const void *k) {
    return dict_gen_hash(k, kstr_len((const kstr)k));
}

static int acc_equal(const void *a, const void *b) {
    size_t la = kstr_len((const kstr)a);
    return la == kstr_len((const kstr)b) && memcmp(a, b, la) == 0;
}

static void acc_free_key(void *k) {
    kstr_free(k);
}

/* member kstr (owned) -> aggregated score in v.d. */
static const dict_type accumulator_type = {acc_hash, NULL, acc_equal, acc_free_key, NULL};

static void do_union(setop_src *src, long n, aggregate aggr, result *res) {
    dict *acc = dict_create(&accumulator_type);
    if (n) dict_expand(acc, src_length(&src[n - 1]));
    for (long i = 0; i < n; i++) {
        if (src_length(&src[i]) == 0) continue;
        src_iter it;
        zset_elem e;
        src_iter_init(&it, src[i].obj);
        while (src_iter_next(&it, &e)) {
            double score = src[i].weight * e.score;
            if (isnan(score)) score = 0;
            kview v;
            dict_entry *de = dict_find(acc, kview_make(&v, e.ele, e.len));
            kview_release(&v);
            if (de) {
                aggregate_into(&de->v.d, score, aggr);
            } else {
                de = dict_add_raw(acc, kstr_new(e.ele, e.len), NULL);
                de->v.d = score;
            }
        }
        src_iter_release(&it);
    }
    dict_iterator di;
    dict_entry *de;
    dict_iter_init(&di, acc, 0);
    while ((de = dict_next(&di)) != NULL) result_add(res, de->key, kstr_len(de->key), de->v.d);
    dict_iter_reset(&di);
    dict_release(acc);
}

static void do_diff(setop_src *src, long n, result *res) {
    if (src_length(&src[0]) == 0) return;
    /* The first input given again removes everything (as in Redis; this
     * also keeps lookups off the input being iterated). */
    for (long j = 1; j < n; j++)
        if (src[j].obj == src[0].obj) return;
    src_iter it;
    zset_elem e;
    src_iter_init(&it, src[0].obj);
    while (src_iter_next(&it, &e)) {
        long j;
        double ignored;
        for (j = 1; j < n; j++)
            if (src_find(&src[j], e.ele, e.len, &ignored)) break;
        if (j == n) result_add(res, e.ele, e.len, e.score);
    }
    src_iter_release(&it);
}

/* Parses the options after the keys; C_ERR after replying. */
static int parse_setop_options(client *c, int j, setop op, int store, int card_only, setop_src *src,
                               long n, aggregate *aggr, int *withscores, long *limit) {
    while (j < c->argc) {
        int remaining = c->argc - j;
        kobj *opt = c->argv[j];
        if (op != SETOP_DIFF && !card_only && remaining >= n + 1 && arg_is(opt, "weights")) {
            j++;
            for (long i = 0; i < n; i++, j++) {
                if (get_double_from_obj_or_reply(c, c->argv[j], &src[i].weight,
                                                 "ERR weight value is not a float") != C_OK)
                    return C_ERR;
            }
        } else if (op != SETOP_DIFF && !card_only && remaining >= 2 && arg_is(opt, "aggregate")) {
            kobj *a = c->argv[j + 1];
            if (arg_is(a, "sum"))
                *aggr = AGGR_SUM;
            else if (arg_is(a, "min"))
                *aggr = AGGR_MIN;
            else if (arg_is(a, "max"))
                *aggr = AGGR_MAX;
            else {
                add_reply_error_syntax(c);
                return C_ERR;
            }
            j += 2;
        } else if (!store && !card_only && arg_is(opt, "withscores")) {
            *withscores = 1;
            j++;
        } else if (card_only && remaining >= 2 && arg_is(opt, "limit")) {
            if (get_positive_long_from_obj_or_reply(c, c->argv[j + 1], limit,
                                                    "ERR LIMIT can't be negative") != C_OK)
                return C_ERR;
            j += 2;
        } else {
            add_reply_error_syntax(c);
            return C_ERR;
        }
    }
    return C_OK;
}

static void setop_generic(client *c, kobj *dst, int numkeys_idx, setop op, int card_only) {
    long n;
    if (get_long_from_obj_or_reply(c, c->argv[numkeys_idx], &n, NULL) != C_OK) return;
    if (n < 1) {
        add_reply_errorf(c, "ERR at least 1 input key is needed for '%s' command", c->cmd->name);
        return;
    }
    if (n > c->argc - (numkeys_idx + 1)) {
        add_reply_error_syntax(c);
        return;
    }
    setop_src *src = zcalloc(sizeof(*src) * (size_t)n);
    int j = numkeys_idx + 1;
    for (long i = 0; i < n; i++, j++) {
        kobj *o = dst ? db_lookup_write(c->db, c->argv[j]) : db_lookup_read(c->db, c->argv[j]);
        if (o && o->type != OBJ_ZSET && o->type != OBJ_SET) {
            zfree(src);
            add_reply_error_wrongtype(c);
            return;
        }
        src[i].obj = o;
        src[i].weight = 1.0;
    }
    aggregate aggr = AGGR_SUM;
    int withscores = 0;
    long limit = 0;
    if (parse_setop_options(c, j, op, dst != NULL, card_only, src, n, &aggr, &withscores, &limit) !=
        C_OK) {
        zfree(src);
        return;
    }
    /* Smallest first (the order of ZDIFF's inputs matters: keep it). */
    if (op != SETOP_DIFF) qsort(src, (size_t)n, sizeof(*src), cmp_by_length);

    if (card_only) {
        unsigned long card = 0;
        do_inter(src, n, aggr, NULL, limit, &card);
        zfree(src);
        add_reply_ll(c, (long long)card);
        return;
    }
    result res = {zset_type_create_skiplist(0), 0, 0};
    switch (op) {
    case SETOP_INTER: do_inter(src, n, aggr, &res, 0, NULL); break;
    case SETOP_UNION: do_union(src, n, aggr, &res); break;
    case SETOP_DIFF: do_diff(src, n, &res); break;
    }
    zfree(src);

    if (!dst) {
        zset_iter it;
        zset_iter_init_rank(&it, res.z, 0, 0);
        zset_reply_from_iter(c, &it, 0, -1, withscores);
    } else if (zset_type_length(res.z)) {
        static const char *const events[] = {"zunionstore", "zinterstore", "zdiffstore"};
        zset_type_convert_to_listpack_if_needed(res.z, res.maxelelen, res.totelelen);
        db_set_key(c->db, dst, res.z, 0);
        add_reply_ll(c, (long long)zset_type_length(res.z));
        notify_keyspace_event(NOTIFY_ZSET, events[op], dst, c->db->id);
        signal_key_as_ready(c->db, dst, OBJ_ZSET);
        server.dirty++;
    } else {
        add_reply_ll(c, 0);
        if (db_delete(c->db, dst)) {
            signal_modified_key(c, c->db, dst);
            notify_keyspace_event(NOTIFY_GENERIC, "del", dst, c->db->id);
            server.dirty++;
        }
    }
    decr_ref(res.z);
}

void zunion_command(client *c) {
    setop_generic(c, NULL, 1, SETOP_UNION, 0);
}

void zinter_command(client *c) {
    setop_generic(c, NULL, 1, SETOP_INTER, 0);
}

void zdiff_command(client *c) {
    setop_generic(c, NULL, 1, SETOP_DIFF, 0);
}

void zunionstore_command(client *c) {
    setop_generic(c, c->argv[1], 2, SETOP_UNION, 0);
}

void zinterstore_command(client *c) {
    setop_generic(c, c->argv[1], 2, SETOP_INTER, 0);
}

void zdiffstore_command(client *c) {
    setop_generic(c, c->argv[1], 2, SETOP_DIFF, 0);
}

void zintercard_command(client *c) {
    setop_generic(c, NULL, 1, SETOP_INTER, 1);
}
