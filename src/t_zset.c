/*
 * Sorted set commands (ZADD, ZRANGE and its legacy forms, ZREM*, ZPOP*,
 * ZMPOP, ZRANDMEMBER, ZSCAN, ...) with Redis 7.0 semantics, reply shapes
 * (RESP2 and RESP3) and error strings. The storage is in t_zset_type.c,
 * the set operations (ZUNION, ZINTER, ZDIFF) in t_zset_setops.c.
 *
 * Every write signals the key as modified (WATCH) and publishes Redis'
 * keyspace event; a sorted set that becomes empty is deleted. Writes that
 * add members also signal the key as ready for blocked BZPOP* clients.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "blocked.h"
#include "keyspace.h"
#include "notify.h"
#include "propagate.h"
#include "server.h"
#include "zset_internal.h"

#define ERR_NOT_FLOAT_RANGE "ERR min or max is not a float"
#define ERR_NOT_LEX_RANGE "ERR min or max not valid string range item"

/* ---------- helpers ---------- */

static const char *arg_ptr(kobj *o, size_t *len) {
    *len = kstr_len(o->ptr);
    return o->ptr;
}

/* The sorted set at key for reading. NULL when absent (after replying
 * with missing, when given) or of another type (after WRONGTYPE); *err is
 * set in the second case. */
typedef void missing_reply(client *c);

static kobj *zset_lookup(client *c, kobj *key, int write, missing_reply *missing, int *err) {
    kobj *o = write ? db_lookup_write(c->db, key) : db_lookup_read(c->db, key);
    *err = 0;
    if (!o) {
        if (missing) missing(c);
        return NULL;
    }
    if (o->type != OBJ_ZSET) {
        add_reply_error_wrongtype(c);
        *err = 1;
        return NULL;
    }
    return o;
}

static void reply_zero(client *c) {
    add_reply_ll(c, 0);
}

static void reply_empty_array(client *c) {
    add_reply_array_len(c, 0);
}

/* After a write that changed key: WATCH, keyspace event, and the "del"
 * event plus deletion when the set became empty. */
static void zset_changed(client *c, kobj *key, kobj *z, const char *event) {
    int removed = z && zset_type_length(z) == 0;
    if (removed) db_delete(c->db, key);
    signal_modified_key(c, c->db, key);
    notify_keyspace_event(NOTIFY_ZSET, event, key, c->db->id);
    if (removed) notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
}

static void reply_elem(client *c, const zset_elem *e, int withscores) {
    if (withscores && c->resp > 2) add_reply_array_len(c, 2);
    add_reply_bulk_buf(c, e->ele, e->len);
    if (withscores) add_reply_double(c, e->score);
}

long zset_reply_from_iter(client *c, zset_iter *it, long offset, long limit, int withscores) {
    zset_elem e;
    /* A negative offset never reaches zero: nothing is returned (Redis). */
    while (offset != 0 && zset_iter_skip(it)) offset--;
    void *deferred = add_reply_deferred_len(c);
    long n = 0;
    if (offset == 0) {
        while (limit != 0 && zset_iter_next(it, &e)) {
            reply_elem(c, &e, withscores);
            n++;
            limit--;
        }
    }
    set_deferred_array_len(c, deferred, withscores && c->resp == 2 ? n * 2 : n);
    return n;
}

/* ---------- ZADD / ZINCRBY ---------- */

static void zadd_generic(client *c, int flags) {
    kobj *key = c->argv[1];
    int ch = 0;
    int scoreidx = 2;
    for (; scoreidx < c->argc; scoreidx++) {
        kobj *opt = c->argv[scoreidx];
        if (arg_is(opt, "nx"))
            flags |= ZADD_IN_NX;
        else if (arg_is(opt, "xx"))
            flags |= ZADD_IN_XX;
        else if (arg_is(opt, "ch"))
            ch = 1;
        else if (arg_is(opt, "incr"))
            flags |= ZADD_IN_INCR;
        else if (arg_is(opt, "gt"))
            flags |= ZADD_IN_GT;
        else if (arg_is(opt, "lt"))
            flags |= ZADD_IN_LT;
        else
            break;
    }
    int incr = flags & ZADD_IN_INCR, nx = flags & ZADD_IN_NX, xx = flags & ZADD_IN_XX;
    int gt = flags & ZADD_IN_GT, lt = flags & ZADD_IN_LT;
    int elements = c->argc - scoreidx;
    if (elements % 2 || elements == 0) {
        add_reply_error_syntax(c);
        return;
    }
    elements /= 2;
    if (nx && xx) {
        add_reply_error(c, "ERR XX and NX options at the same time are not compatible");
        return;
    }
    if ((gt && nx) || (lt && nx) || (gt && lt)) {
        add_reply_error(c, "ERR GT, LT, and/or NX options at the same time are not compatible");
        return;
    }
    if (incr && elements > 1) {
        add_reply_error(c, "ERR INCR option supports a single increment-element pair");
        return;
    }
    double *scores = zmalloc(sizeof(double) * (size_t)elements);
    for (int j = 0; j < elements; j++) {
        if (get_double_from_obj_or_reply(c, c->argv[scoreidx + j * 2], &scores[j], NULL) != C_OK) {
            zfree(scores);
            return;
        }
    }
    int err;
    kobj *z = zset_lookup(c, key, 1, NULL, &err);
    if (err) {
        zfree(scores);
        return;
    }
    long long added = 0, updated = 0, processed = 0;
    double score = 0;
    if (!z && !xx) {
        size_t first_len = kstr_len(c->argv[scoreidx + 1]->ptr);
        z = zset_type_create(0, first_len);
        db_add(c->db, key, z);
    }
    for (int j = 0; z && j < elements; j++) {
        size_t len;
        const char *ele = arg_ptr(c->argv[scoreidx + 1 + j * 2], &len);
        int out;
        double newscore = 0;
        if (!zset_type_add(z, scores[j], ele, len, flags, &out, &newscore)) {
            add_reply_error(c, "ERR resulting score is not a number (NaN)");
            goto done;
        }
        if (out & ZADD_OUT_ADDED) added++;
        if (out & ZADD_OUT_UPDATED) updated++;
        if (!(out & ZADD_OUT_NOP)) processed++;
        score = newscore;
    }
    server.dirty += added + updated;
    if (incr) {
        if (processed)
            add_reply_double(c, score);
        else
            add_reply_null(c);
    } else {
        add_reply_ll(c, ch ? added + updated : added);
    }
done:
    zfree(scores);
    if (added || updated) {
        signal_modified_key(c, c->db, key);
        notify_keyspace_event(NOTIFY_ZSET, incr ? "zincr" : "zadd", key, c->db->id);
        if (added) signal_key_as_ready(c->db, key, OBJ_ZSET);
    }
}

static void zadd_command(client *c) {
    zadd_generic(c, ZADD_IN_NONE);
}

static void zincrby_command(client *c) {
    zadd_generic(c, ZADD_IN_INCR);
}

/* ---------- ZREM / ZREMRANGEBY* ---------- */

static void zrem_command(client *c) {
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 1, reply_zero, &err);
    if (!z) return;
    long long deleted = 0;
    for (int j = 2; j < c->argc; j++) {
        size_t len;
        const char *ele = arg_ptr(c->argv[j], &len);
        if (zset_type_delete(z, ele, len)) deleted++;
        if (zset_type_length(z) == 0) break;
    }
    if (deleted) zset_changed(c, c->argv[1], z, "zrem");
    server.dirty += deleted;
    add_reply_ll(c, deleted);
}

typedef enum zrange_type { ZRANGE_AUTO, ZRANGE_RANK, ZRANGE_SCORE, ZRANGE_LEX } zrange_type;

static void zremrange_generic(client *c, zrange_type type) {
    long start = 0, end = 0;
    zscore_range sr;
    zlex_range lr;
    switch (type) {
    case ZRANGE_RANK:
        if (get_long_from_obj_or_reply(c, c->argv[2], &start, NULL) != C_OK ||
            get_long_from_obj_or_reply(c, c->argv[3], &end, NULL) != C_OK)
            return;
        break;
    case ZRANGE_SCORE:
        if (zset_parse_score_range(c->argv[2], c->argv[3], &sr) != C_OK) {
            add_reply_error(c, ERR_NOT_FLOAT_RANGE);
            return;
        }
        break;
    case ZRANGE_LEX:
        if (zset_parse_lex_range(c->argv[2], c->argv[3], &lr) != C_OK) {
            add_reply_error(c, ERR_NOT_LEX_RANGE);
            return;
        }
        break;
    case ZRANGE_AUTO: return;
    }
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 1, reply_zero, &err);
    if (!z) return;
    unsigned long deleted = 0;
    const char *event = NULL;
    switch (type) {
    case ZRANGE_RANK: {
        long llen = (long)zset_type_length(z);
        if (start < 0) start += llen;
        if (end < 0) end += llen;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            add_reply_ll(c, 0);
            return;
        }
        if (end >= llen) end = llen - 1;
        deleted = zset_type_delete_rank(z, (unsigned long)start, (unsigned long)end);
        event = "zremrangebyrank";
        break;
    }
    case ZRANGE_SCORE:
        deleted = zset_type_delete_score(z, &sr);
        event = "zremrangebyscore";
        break;
    case ZRANGE_LEX:
        deleted = zset_type_delete_lex(z, &lr);
        event = "zremrangebylex";
        break;
    case ZRANGE_AUTO: break;
    }
    if (deleted) zset_changed(c, c->argv[1], z, event);
    server.dirty += (long long)deleted;
    add_reply_ll(c, (long long)deleted);
}

static void zremrangebyrank_command(client *c) {
    zremrange_generic(c, ZRANGE_RANK);
}

static void zremrangebyscore_command(client *c) {
    zremrange_generic(c, ZRANGE_SCORE);
}

static void zremrangebylex_command(client *c) {
    zremrange_generic(c, ZRANGE_LEX);
}

/* ---------- ZCARD / ZCOUNT / ZLEXCOUNT / ZSCORE / ZMSCORE / ZRANK ---------- */

static void zcard_command(client *c) {
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 0, reply_zero, &err);
    if (z) add_reply_ll(c, (long long)zset_type_length(z));
}

static void zcount_command(client *c) {
    zscore_range r;
    if (zset_parse_score_range(c->argv[2], c->argv[3], &r) != C_OK) {
        add_reply_error(c, ERR_NOT_FLOAT_RANGE);
        return;
    }
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 0, reply_zero, &err);
    if (z) add_reply_ll(c, (long long)zset_type_count_score(z, &r));
}

static void zlexcount_command(client *c) {
    zlex_range r;
    if (zset_parse_lex_range(c->argv[2], c->argv[3], &r) != C_OK) {
        add_reply_error(c, ERR_NOT_LEX_RANGE);
        return;
    }
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 0, reply_zero, &err);
    if (z) add_reply_ll(c, (long long)zset_type_count_lex(z, &r));
}

static void zscore_command(client *c) {
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 0, add_reply_null, &err);
    if (!z) return;
    size_t len;
    const char *ele = arg_ptr(c->argv[2], &len);
    double score;
    if (zset_type_score(z, ele, len, &score) == C_OK)
        add_reply_double(c, score);
    else
        add_reply_null(c);
}

static void zmscore_command(client *c) {
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 0, NULL, &err);
    if (err) return;
    add_reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        size_t len;
        const char *ele = arg_ptr(c->argv[j], &len);
        double score;
        if (z && zset_type_score(z, ele, len, &score) == C_OK)
            add_reply_double(c, score);
        else
            add_reply_null(c);
    }
}

static void zrank_generic(client *c, int reverse) {
    int withscore = 0;
    if (c->argc > 4) {
        add_reply_error_arity(c);
        return;
    }
    if (c->argc == 4) {
        if (!arg_is(c->argv[3], "withscore")) {
            add_reply_error_syntax(c);
            return;
        }
        withscore = 1;
    }
    int err;
    kobj *z =
        zset_lookup(c, c->argv[1], 0, withscore ? add_reply_null_array : add_reply_null, &err);
    if (!z) return;
    size_t len;
    const char *ele = arg_ptr(c->argv[2], &len);
    double score;
    long rank = zset_type_rank(z, ele, len, reverse, &score);
    if (rank < 0) {
        if (withscore)
            add_reply_null_array(c);
        else
            add_reply_null(c);
        return;
    }
    if (withscore) add_reply_array_len(c, 2);
    add_reply_ll(c, rank);
    if (withscore) add_reply_double(c, score);
}

static void zrank_command(client *c) {
    zrank_generic(c, 0);
}

static void zrevrank_command(client *c) {
    zrank_generic(c, 1);
}

/* ---------- ZRANGE and its legacy forms, ZRANGESTORE ---------- */

typedef enum zrange_dir { ZDIR_AUTO, ZDIR_FORWARD, ZDIR_REVERSE } zrange_dir;

/* Stores the members that it yields (from offset, at most limit) into a
 * new sorted set at dst, replacing it; replies the count. */
static void zrange_store(client *c, kobj *dst, zset_iter *it, long offset, long limit) {
    kobj *z = zset_type_create(0, 0);
    zset_elem e;
    while (offset != 0 && zset_iter_skip(it)) offset--;
    long long n = 0;
    if (offset == 0) {
        while (limit != 0 && zset_iter_next(it, &e)) {
            int out;
            zset_type_add(z, e.score, e.ele, e.len, ZADD_IN_NONE, &out, NULL);
            n++;
            limit--;
        }
    }
    if (n) {
        db_set_key(c->db, dst, z, 0);
        notify_keyspace_event(NOTIFY_ZSET, "zrangestore", dst, c->db->id);
        signal_key_as_ready(c->db, dst, OBJ_ZSET);
        server.dirty++;
    } else if (db_delete(c->db, dst)) {
        signal_modified_key(c, c->db, dst);
        notify_keyspace_event(NOTIFY_GENERIC, "del", dst, c->db->id);
        server.dirty++;
    }
    decr_ref(z);
    add_reply_ll(c, n);
}

/* The ZRANGE family: argv[argc_start] is the source key, then min/start
 * and max/stop, then options. dst is the ZRANGESTORE destination (NULL
 * otherwise). */
static void zrange_generic(client *c, int argc_start, kobj *dst, zrange_type type, zrange_dir dir) {
    kobj *key = c->argv[argc_start];
    int minidx = argc_start + 1, maxidx = argc_start + 2;
    int withscores = 0;
    long offset = 0, limit = -1;
    for (int j = argc_start + 3; j < c->argc; j++) {
        int left = c->argc - j - 1;
        if (!dst && arg_is(c->argv[j], "withscores")) {
            withscores = 1;
        } else if (arg_is(c->argv[j], "limit") && left >= 2) {
            if (get_long_from_obj_or_reply(c, c->argv[j + 1], &offset, NULL) != C_OK ||
                get_long_from_obj_or_reply(c, c->argv[j + 2], &limit, NULL) != C_OK)
                return;
            j += 2;
        } else if (dir == ZDIR_AUTO && arg_is(c->argv[j], "rev")) {
            dir = ZDIR_REVERSE;
        } else if (type == ZRANGE_AUTO && arg_is(c->argv[j], "bylex")) {
            type = ZRANGE_LEX;
        } else if (type == ZRANGE_AUTO && arg_is(c->argv[j], "byscore")) {
            type = ZRANGE_SCORE;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    if (dir == ZDIR_AUTO) dir = ZDIR_FORWARD;
    if (type == ZRANGE_AUTO) type = ZRANGE_RANK;
    if (limit != -1 && type == ZRANGE_RANK) {
        add_reply_error(c, "ERR syntax error, LIMIT is only supported in combination with either "
                           "BYSCORE or BYLEX");
        return;
    }
    if (withscores && type == ZRANGE_LEX) {
        add_reply_error(c, "ERR syntax error, WITHSCORES not supported in combination with BYLEX");
        return;
    }
    int reverse = dir == ZDIR_REVERSE;
    if (reverse && type != ZRANGE_RANK) {
        /* Reverse score and lex ranges are given as max, min. */
        int tmp = minidx;
        minidx = maxidx;
        maxidx = tmp;
    }
    long start = 0, end = 0;
    zscore_range sr;
    zlex_range lr;
    switch (type) {
    case ZRANGE_RANK:
        if (get_long_from_obj_or_reply(c, c->argv[minidx], &start, NULL) != C_OK ||
            get_long_from_obj_or_reply(c, c->argv[maxidx], &end, NULL) != C_OK)
            return;
        break;
    case ZRANGE_SCORE:
        if (zset_parse_score_range(c->argv[minidx], c->argv[maxidx], &sr) != C_OK) {
            add_reply_error(c, ERR_NOT_FLOAT_RANGE);
            return;
        }
        break;
    case ZRANGE_LEX:
        if (zset_parse_lex_range(c->argv[minidx], c->argv[maxidx], &lr) != C_OK) {
            add_reply_error(c, ERR_NOT_LEX_RANGE);
            return;
        }
        break;
    case ZRANGE_AUTO: break;
    }

    kobj *z = db_lookup_read(c->db, key);
    if (z && z->type != OBJ_ZSET) {
        add_reply_error_wrongtype(c);
        return;
    }
    zset_iter it;
    if (!z) {
        it.z = NULL;
    } else if (type == ZRANGE_RANK) {
        long llen = (long)zset_type_length(z);
        if (start < 0) start += llen;
        if (end < 0) end += llen;
        if (start < 0) start = 0;
        if (start > end || start >= llen) {
            z = NULL;
        } else {
            if (end >= llen) end = llen - 1;
            zset_iter_init_rank(&it, z, (unsigned long)start, reverse);
            offset = 0;
            limit = end - start + 1;
        }
    } else if (offset > 0 && (unsigned long)offset >= zset_type_length(z)) {
        z = NULL;
    } else if (type == ZRANGE_SCORE) {
        zset_iter_init_score(&it, z, &sr, reverse);
    } else {
        zset_iter_init_lex(&it, z, &lr, reverse);
    }

    if (!z) {
        if (dst) {
            if (db_delete(c->db, dst)) {
                signal_modified_key(c, c->db, dst);
                notify_keyspace_event(NOTIFY_GENERIC, "del", dst, c->db->id);
                server.dirty++;
            }
            add_reply_ll(c, 0);
        } else {
            add_reply_array_len(c, 0);
        }
        return;
    }
    if (dst)
        zrange_store(c, dst, &it, offset, limit);
    else
        zset_reply_from_iter(c, &it, offset, limit, withscores);
}

static void zrange_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_AUTO, ZDIR_AUTO);
}

static void zrangestore_command(client *c) {
    zrange_generic(c, 2, c->argv[1], ZRANGE_AUTO, ZDIR_AUTO);
}

static void zrevrange_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_RANK, ZDIR_REVERSE);
}

static void zrangebyscore_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_SCORE, ZDIR_FORWARD);
}

static void zrevrangebyscore_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_SCORE, ZDIR_REVERSE);
}

static void zrangebylex_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_LEX, ZDIR_FORWARD);
}

static void zrevrangebylex_command(client *c) {
    zrange_generic(c, 1, NULL, ZRANGE_LEX, ZDIR_REVERSE);
}

/* ---------- pops ---------- */

typedef enum zpop_reply_kind {
    ZPOP_FLAT,   /* ZPOPMIN/ZPOPMAX: [member, score, ...] */
    ZPOP_NESTED, /* ZPOPMIN/ZPOPMAX with a count in RESP3: [[member, score], ...] */
    ZPOP_KEYED,  /* BZPOPMIN/BZPOPMAX: [key, member, score] */
    ZPOP_MPOP,   /* ZMPOP/BZMPOP: [key, [[member, score], ...]] */
} zpop_reply_kind;

/* Pops from the non-empty sorted set z at key. */
static long zpop_from(client *c, kobj *key, kobj *z, int where, long count, zpop_reply_kind kind) {
    long llen = (long)zset_type_length(z);
    long n = count > llen ? llen : count;
    switch (kind) {
    case ZPOP_FLAT: add_reply_array_len(c, n * 2); break;
    case ZPOP_NESTED: add_reply_array_len(c, n); break;
    case ZPOP_KEYED:
        add_reply_array_len(c, n * 2 + 1);
        add_reply_bulk(c, key);
        break;
    case ZPOP_MPOP:
        add_reply_array_len(c, 2);
        add_reply_bulk(c, key);
        add_reply_array_len(c, n);
        break;
    }
    int nested = kind == ZPOP_NESTED || kind == ZPOP_MPOP;
    for (long i = 0; i < n; i++) {
        zset_iter it;
        zset_elem e;
        zset_iter_init_rank(&it, z, 0, where == ZSET_MAX);
        if (!zset_iter_next(&it, &e)) panic("zset: pop from an empty sorted set");
        kstr ele = kstr_new(e.ele, e.len);
        double score = e.score;
        zset_type_delete(z, ele, kstr_len(ele));
        if (nested) add_reply_array_len(c, 2);
        add_reply_bulk_buf(c, ele, kstr_len(ele));
        add_reply_double(c, score);
        kstr_free(ele);
    }
    zset_changed(c, key, z, where == ZSET_MIN ? "zpopmin" : "zpopmax");
    server.dirty += n;
    return n;
}

/* BZPOPMIN/BZPOPMAX propagate as ZPOPMIN|ZPOPMAX key, ZMPOP and BZMPOP as
 * ZPOPMIN|ZPOPMAX key <popped> (count < 0: no count). */
static void propagate_as_zpop(client *c, kobj *key, int where, long count) {
    kobj *name = propagate_word(where == ZSET_MIN ? "ZPOPMIN" : "ZPOPMAX");
    incr_ref(key); /* key may be one of the arguments the rewrite releases */
    if (count < 0) {
        propagate_rewrite_objs(c, 2, name, key);
    } else {
        kobj *n = obj_create_from_ll(count);
        propagate_rewrite_objs(c, 3, name, key, n);
        decr_ref(n);
    }
    decr_ref(key);
}

long zset_pop_reply(client *c, kobj *key, int where, long count, zpop_shape shape) {
    kobj *z = db_lookup_write(c->db, key);
    if (!z || z->type != OBJ_ZSET || zset_type_length(z) == 0)
        panic("zset_pop_reply: key does not hold a non-empty sorted set");
    if (shape == ZPOP_SHAPE_BLOCKING) {
        zpop_from(c, key, z, where, 1, ZPOP_KEYED);
        propagate_as_zpop(c, key, where, -1);
        return 1;
    }
    long n = zpop_from(c, key, z, where, count < 1 ? 1 : count, ZPOP_MPOP);
    propagate_as_zpop(c, key, where, n);
    return n;
}

/* Pops from the first non-empty sorted set among keys (WRONGTYPE stops
 * at the first key of another type). count -1: not given. */
static void zpop_generic(client *c, kobj **keys, int numkeys, int where, long count,
                         zpop_reply_kind kind, int nil_when_empty) {
    kobj *z = NULL, *key = NULL;
    for (int i = 0; i < numkeys && !z; i++) {
        int err;
        z = zset_lookup(c, keys[i], 1, NULL, &err);
        if (err) return;
        key = keys[i];
    }
    if (!z) {
        if (nil_when_empty)
            add_reply_null_array(c);
        else
            add_reply_array_len(c, 0);
        return;
    }
    if (count == 0) {
        add_reply_array_len(c, 0);
        return;
    }
    long n = zpop_from(c, key, z, where, count == -1 ? 1 : count, kind);
    if (kind == ZPOP_MPOP) propagate_as_zpop(c, key, where, n); /* ZMPOP */
}

static void zpop_minmax(client *c, int where) {
    if (c->argc > 3) {
        add_reply_error_syntax(c);
        return;
    }
    long count = -1;
    if (c->argc == 3 && get_positive_long_from_obj_or_reply(c, c->argv[2], &count, NULL) != C_OK)
        return;
    zpop_reply_kind kind = c->argc == 3 && c->resp > 2 ? ZPOP_NESTED : ZPOP_FLAT;
    zpop_generic(c, &c->argv[1], 1, where, count, kind, 0);
}

static void zpopmin_command(client *c) {
    zpop_minmax(c, ZSET_MIN);
}

static void zpopmax_command(client *c) {
    zpop_minmax(c, ZSET_MAX);
}

static void zmpop_command(client *c) {
    long numkeys, count = -1;
    if (get_range_long_from_obj_or_reply(c, c->argv[1], 1, LONG_MAX, &numkeys,
                                         "numkeys should be greater than 0") != C_OK)
        return;
    if (numkeys >= c->argc - 2) {
        add_reply_error_syntax(c);
        return;
    }
    long where_idx = 2 + numkeys;
    if (where_idx >= c->argc) {
        add_reply_error_syntax(c);
        return;
    }
    int where;
    if (arg_is(c->argv[where_idx], "min"))
        where = ZSET_MIN;
    else if (arg_is(c->argv[where_idx], "max"))
        where = ZSET_MAX;
    else {
        add_reply_error_syntax(c);
        return;
    }
    for (long j = where_idx + 1; j < c->argc; j++) {
        int more = c->argc - 1 - (int)j;
        if (count == -1 && arg_is(c->argv[j], "count") && more) {
            j++;
            if (get_range_long_from_obj_or_reply(c, c->argv[j], 1, LONG_MAX, &count,
                                                 "count should be greater than 0") != C_OK)
                return;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    if (count == -1) count = 1;
    zpop_generic(c, &c->argv[2], (int)numkeys, where, count, ZPOP_MPOP, 1);
}

/* ---------- ZRANDMEMBER ---------- */

#define RANDMEMBER_BATCH 1000

static double lp_value_score(const lp_value *v) {
    if (!v->str) return (double)v->ival;
    char buf[128];
    size_t n = v->len < sizeof(buf) - 1 ? v->len : sizeof(buf) - 1;
    memcpy(buf, v->str, n);
    buf[n] = '\0';
    return strtod(buf, NULL);
}

static void reply_lp_member(client *c, const lp_value *m, const lp_value *s, int withscores) {
    if (withscores && c->resp > 2) add_reply_array_len(c, 2);
    if (m->str)
        add_reply_bulk_buf(c, m->str, m->len);
    else
        add_reply_bulk_ll(c, m->ival);
    if (withscores) add_reply_double(c, lp_value_score(s));
}

static void reply_node(client *c, const zskiplist_node *n, int withscores) {
    if (withscores && c->resp > 2) add_reply_array_len(c, 2);
    add_reply_bulk_buf(c, n->ele, kstr_len(n->ele));
    if (withscores) add_reply_double(c, n->score);
}

static uint64_t ptr_hash(const void *p) {
    return dict_gen_hash(&p, sizeof(p));
}

static int ptr_equal(const void *a, const void *b) {
    return a == b;
}

static const dict_type picked_dict_type = {ptr_hash, NULL, ptr_equal, NULL, NULL};

static void zrandmember_with_count(client *c, long l, int withscores) {
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 0, reply_empty_array, &err);
    if (!z) return;
    unsigned long size = zset_type_length(z);
    unsigned long count = l >= 0 ? (unsigned long)l : (unsigned long)-l;
    if (count == 0) {
        add_reply_array_len(c, 0);
        return;
    }
    int repeat = l < 0 || count == 1;
    unsigned long n = repeat ? count : (count < size ? count : size);
    add_reply_array_len(c, (long)(withscores && c->resp == 2 ? n * 2 : n));

    if (!repeat && count >= size) {
        /* The whole set, from the highest score down (Redis' order). */
        zset_iter it;
        zset_elem e;
        zset_iter_init_rank(&it, z, 0, 1);
        while (zset_iter_next(&it, &e)) reply_elem(c, &e, withscores);
        return;
    }
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned long batch = n < RANDMEMBER_BATCH ? n : RANDMEMBER_BATCH;
        lp_value *m = zmalloc(sizeof(lp_value) * batch), *s = zmalloc(sizeof(lp_value) * batch);
        if (repeat) {
            while (n) {
                unsigned long k = n < batch ? n : batch;
                lp_random_pairs(z->ptr, k, m, s);
                for (unsigned long i = 0; i < k; i++) reply_lp_member(c, &m[i], &s[i], withscores);
                n -= k;
            }
        } else {
            unsigned long k = lp_random_pairs_unique(z->ptr, n, m, s);
            for (unsigned long i = 0; i < k; i++) reply_lp_member(c, &m[i], &s[i], withscores);
        }
        zfree(m);
        zfree(s);
        return;
    }
    zset *zs = z->ptr;
    if (repeat) {
        while (n--) reply_node(c, dict_random_entry(zs->dict)->v.val, withscores);
        return;
    }
    if (count * 3 > size) {
        /* Many of them: a partial shuffle of every node. */
        zskiplist_node **all = zmalloc(sizeof(*all) * size);
        unsigned long k = 0;
        for (zskiplist_node *x = zs->zsl->header->level[0].forward; x; x = x->level[0].forward)
            all[k++] = x;
        for (unsigned long i = 0; i < n; i++) {
            unsigned long j = i + (unsigned long)random() % (k - i);
            zskiplist_node *tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
            reply_node(c, all[i], withscores);
        }
        zfree(all);
        return;
    }
    dict *picked = dict_create(&picked_dict_type);
    while (dict_size(picked) < n) {
        zskiplist_node *x = dict_random_entry(zs->dict)->v.val;
        if (dict_add(picked, x, NULL) == DICT_OK) reply_node(c, x, withscores);
    }
    dict_release(picked);
}

static void zrandmember_command(client *c) {
    if (c->argc >= 3) {
        long l;
        int withscores;
        if (parse_random_count_options(c, "withscores", &l, &withscores) != C_OK) return;
        zrandmember_with_count(c, l, withscores);
        return;
    }
    int err;
    kobj *z = zset_lookup(c, c->argv[1], 0, add_reply_null, &err);
    if (!z) return;
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        lp_value m;
        lp_random_pair(z->ptr, zset_type_length(z), &m, NULL);
        reply_lp_member(c, &m, NULL, 0);
        return;
    }
    zset *zs = z->ptr;
    reply_node(c, dict_random_entry(zs->dict)->v.val, 0);
}

/* ---------- ZSCAN ---------- */

typedef struct scan_batch {
    kstr *items; /* member, score, member, score ... */
    long n, cap;
} scan_batch;

static void batch_push(scan_batch *b, kstr s) {
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->items = zrealloc(b->items, sizeof(kstr) * (size_t)b->cap);
    }
    b->items[b->n++] = s;
}

static void batch_push_member(scan_batch *b, const char *ele, size_t len, double score) {
    char buf[128];
    int slen = d2string(buf, sizeof(buf), score);
    batch_push(b, kstr_new(ele, len));
    batch_push(b, kstr_new(buf, (size_t)slen));
}

static void scan_collect_member(void *privdata, const dict_entry *de) {
    const zskiplist_node *n = de->v.val;
    batch_push_member(privdata, n->ele, kstr_len(n->ele), n->score);
}

static void zscan_command(client *c) {
    unsigned long cursor;
    if (parse_scan_cursor(c, c->argv[2], &cursor) != C_OK) return;
    kobj *z = db_lookup_read(c->db, c->argv[1]);
    if (z && z->type != OBJ_ZSET) {
        add_reply_error_wrongtype(c);
        return;
    }
    if (!z) {
        add_reply_empty_scan(c);
        return;
    }
    long count;
    kstr pattern;
    if (parse_collection_scan_options(c, &count, &pattern) != C_OK) return;

    scan_batch b = {NULL, 0, 0};
    if (z->encoding == OBJ_ENCODING_LISTPACK) {
        /* The compact encoding is returned whole, with cursor 0; scores
         * as they are stored. */
        unsigned char *lp = z->ptr;
        for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
            unsigned char buf[LP_INTBUF_SIZE];
            size_t len;
            const unsigned char *s = lp_get_str(p, &len, buf);
            batch_push(&b, kstr_new(s, len));
        }
        cursor = 0;
    } else {
        /* As Redis counts it: COUNT pairs (it doubles COUNT, each member
         * coming with its score), at most 10 x 2 x COUNT buckets. */
        zset *zs = z->ptr;
        long items = count > LONG_MAX / 20 ? LONG_MAX / 10 : count * 2;
        long max_iterations = items * 10;
        do {
            cursor = dict_scan(zs->dict, cursor, scan_collect_member, &b);
        } while (cursor && max_iterations-- && b.n < items);
    }

    char buf[LONG_STR_SIZE];
    int len = ull2string(buf, sizeof(buf), cursor);
    add_reply_array_len(c, 2);
    add_reply_bulk_buf(c, buf, (size_t)len);
    void *deferred = add_reply_deferred_len(c);
    long kept = 0;
    for (long i = 0; i + 1 < b.n; i += 2) {
        kstr m = b.items[i], s = b.items[i + 1];
        if (!pattern || string_match_len(pattern, kstr_len(pattern), m, kstr_len(m), 0)) {
            add_reply_bulk_buf(c, m, kstr_len(m));
            add_reply_bulk_buf(c, s, kstr_len(s));
            kept += 2;
        }
        kstr_free(m);
        kstr_free(s);
    }
    set_deferred_array_len(c, deferred, kept);
    zfree(b.items);
}

/* ---------- command table ---------- */

#define ZSET_CMD(n, p, ar, fl, fk, lk, sum, since_, cx, acl, syn)                                  \
    {                                                                                              \
        .name = n, .proc = p, .arity = ar, .flags = fl, .first_key = fk, .last_key = lk,           \
        .key_step = (fk) ? 1 : 0, .group = "sorted-set", .summary = sum, .since = since_,          \
        .complexity = cx, .acl_categories = acl, .syntax = syn                                     \
    }

#define LOG_N_M                                                                                    \
    "O(log(N)+M) with N being the number of elements in the sorted set and M the "                 \
    "number of elements returned."

kcommand zset_commands[] = {
    ZSET_CMD("zadd", zadd_command, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1,
             "Add one or more members to a sorted set, or update its score if it already exists",
             "1.2.0",
             "O(log(N)) for each item added, where N is the number of elements in the sorted set.",
             "@write @sortedset @fast",
             "key [NX|XX] [GT|LT] [CH] [INCR] score member [score member ...]"),
    ZSET_CMD("zincrby", zincrby_command, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1,
             "Increment the score of a member in a sorted set", "1.2.0",
             "O(log(N)) where N is the number of elements in the sorted set.",
             "@write @sortedset @fast", "key increment member"),
    ZSET_CMD("zrem", zrem_command, -3, CMD_WRITE | CMD_FAST, 1, 1,
             "Remove one or more members from a sorted set", "1.2.0",
             "O(M*log(N)) with N being the number of elements in the sorted set and M the number "
             "of elements to be removed.",
             "@write @sortedset @fast", "key member [member ...]"),
    ZSET_CMD("zremrangebyrank", zremrangebyrank_command, 4, CMD_WRITE, 1, 1,
             "Remove all members in a sorted set within the given indexes", "2.0.0",
             "O(log(N)+M) with N being the number of elements in the sorted set and M the number "
             "of elements removed by the operation.",
             "@write @sortedset @slow", "key start stop"),
    ZSET_CMD("zremrangebyscore", zremrangebyscore_command, 4, CMD_WRITE, 1, 1,
             "Remove all members in a sorted set within the given scores", "1.2.0",
             "O(log(N)+M) with N being the number of elements in the sorted set and M the number "
             "of elements removed by the operation.",
             "@write @sortedset @slow", "key min max"),
    ZSET_CMD("zremrangebylex", zremrangebylex_command, 4, CMD_WRITE, 1, 1,
             "Remove all members in a sorted set between the given lexicographical range", "2.8.9",
             "O(log(N)+M) with N being the number of elements in the sorted set and M the number "
             "of elements removed by the operation.",
             "@write @sortedset @slow", "key min max"),
    ZSET_CMD("zcard", zcard_command, 2, CMD_READONLY | CMD_FAST, 1, 1,
             "Get the number of members in a sorted set", "1.2.0", "O(1)", "@read @sortedset @fast",
             "key"),
    ZSET_CMD("zcount", zcount_command, 4, CMD_READONLY | CMD_FAST, 1, 1,
             "Count the members in a sorted set with scores within the given values", "2.0.0",
             "O(log(N)) with N being the number of elements in the sorted set.",
             "@read @sortedset @fast", "key min max"),
    ZSET_CMD("zlexcount", zlexcount_command, 4, CMD_READONLY | CMD_FAST, 1, 1,
             "Count the number of members in a sorted set between a given lexicographical range",
             "2.8.9", "O(log(N)) with N being the number of elements in the sorted set.",
             "@read @sortedset @fast", "key min max"),
    ZSET_CMD("zscore", zscore_command, 3, CMD_READONLY | CMD_FAST, 1, 1,
             "Get the score associated with the given member in a sorted set", "1.2.0", "O(1)",
             "@read @sortedset @fast", "key member"),
    ZSET_CMD("zmscore", zmscore_command, -3, CMD_READONLY | CMD_FAST, 1, 1,
             "Get the score associated with the given members in a sorted set", "6.2.0",
             "O(N) where N is the number of members being requested.", "@read @sortedset @fast",
             "key member [member ...]"),
    ZSET_CMD("zrank", zrank_command, -3, CMD_READONLY | CMD_FAST, 1, 1,
             "Determine the index of a member in a sorted set", "2.0.0", "O(log(N))",
             "@read @sortedset @fast", "key member [WITHSCORE]"),
    ZSET_CMD("zrevrank", zrevrank_command, -3, CMD_READONLY | CMD_FAST, 1, 1,
             "Determine the index of a member in a sorted set, with scores ordered from high to "
             "low",
             "2.0.0", "O(log(N))", "@read @sortedset @fast", "key member [WITHSCORE]"),
    ZSET_CMD("zrange", zrange_command, -4, CMD_READONLY, 1, 1,
             "Return a range of members in a sorted set", "1.2.0", LOG_N_M,
             "@read @sortedset @slow",
             "key start stop [BYSCORE|BYLEX] [REV] [LIMIT offset count] [WITHSCORES]"),
    ZSET_CMD("zrangestore", zrangestore_command, -5, CMD_WRITE | CMD_DENYOOM, 1, 2,
             "Store a range of members from sorted set into another key", "6.2.0",
             "O(log(N)+M) with N being the number of elements in the sorted set and M the number "
             "of elements stored into the destination key.",
             "@write @sortedset @slow",
             "dst src min max [BYSCORE|BYLEX] [REV] [LIMIT offset count]"),
    ZSET_CMD("zrevrange", zrevrange_command, -4, CMD_READONLY, 1, 1,
             "Return a range of members in a sorted set, by index, with scores ordered from high "
             "to low",
             "1.2.0", LOG_N_M, "@read @sortedset @slow", "key start stop [WITHSCORES]"),
    ZSET_CMD("zrangebyscore", zrangebyscore_command, -4, CMD_READONLY, 1, 1,
             "Return a range of members in a sorted set, by score", "1.0.5", LOG_N_M,
             "@read @sortedset @slow", "key min max [WITHSCORES] [LIMIT offset count]"),
    ZSET_CMD("zrevrangebyscore", zrevrangebyscore_command, -4, CMD_READONLY, 1, 1,
             "Return a range of members in a sorted set, by score, with scores ordered from high "
             "to low",
             "2.2.0", LOG_N_M, "@read @sortedset @slow",
             "key max min [WITHSCORES] [LIMIT offset count]"),
    ZSET_CMD("zrangebylex", zrangebylex_command, -4, CMD_READONLY, 1, 1,
             "Return a range of members in a sorted set, by lexicographical range", "2.8.9",
             LOG_N_M, "@read @sortedset @slow", "key min max [LIMIT offset count]"),
    ZSET_CMD("zrevrangebylex", zrevrangebylex_command, -4, CMD_READONLY, 1, 1,
             "Return a range of members in a sorted set, by lexicographical range, ordered from "
             "higher to lower strings.",
             "2.8.9", LOG_N_M, "@read @sortedset @slow", "key max min [LIMIT offset count]"),
    ZSET_CMD("zpopmin", zpopmin_command, -2, CMD_WRITE | CMD_FAST, 1, 1,
             "Remove and return members with the lowest scores in a sorted set", "5.0.0",
             "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
             "number of elements popped.",
             "@write @sortedset @fast", "key [count]"),
    ZSET_CMD("zpopmax", zpopmax_command, -2, CMD_WRITE | CMD_FAST, 1, 1,
             "Remove and return members with the highest scores in a sorted set", "5.0.0",
             "O(log(N)*M) with N being the number of elements in the sorted set, and M being the "
             "number of elements popped.",
             "@write @sortedset @fast", "key [count]"),
    ZSET_CMD("zmpop", zmpop_command, -4, CMD_WRITE, 0, 0,
             "Remove and return members with scores in a sorted set", "7.0.0",
             "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number of "
             "elements in the sorted set, and M being the number of elements popped.",
             "@write @sortedset @slow", "numkeys key [key ...] MIN|MAX [COUNT count]"),
    ZSET_CMD("zrandmember", zrandmember_command, -2, CMD_READONLY, 1, 1,
             "Get one or multiple random elements from a sorted set", "6.2.0",
             "O(N) where N is the number of elements returned", "@read @sortedset @slow",
             "key [count [WITHSCORES]]"),
    ZSET_CMD("zscan", zscan_command, -3, CMD_READONLY, 1, 1,
             "Incrementally iterate sorted sets elements and associated scores", "2.8.0",
             "O(1) for every call. O(N) for a complete iteration, including enough command calls "
             "for the cursor to return back to 0. N is the size of the collection..",
             "@read @sortedset @slow", "key cursor [MATCH pattern] [COUNT count]"),
    ZSET_CMD("zunion", zunion_command, -3, CMD_READONLY, 0, 0, "Add multiple sorted sets", "6.2.0",
             "O(N)+O(M*log(M)) with N being the sum of the sizes of the input sorted sets, and M "
             "being the number of elements in the resulting sorted set.",
             "@read @sortedset @slow",
             "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] "
             "[WITHSCORES]"),
    ZSET_CMD("zinter", zinter_command, -3, CMD_READONLY, 0, 0, "Intersect multiple sorted sets",
             "6.2.0",
             "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being "
             "the number of input sorted sets and M being the number of elements in the resulting "
             "sorted set.",
             "@read @sortedset @slow",
             "numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE SUM|MIN|MAX] "
             "[WITHSCORES]"),
    ZSET_CMD("zdiff", zdiff_command, -3, CMD_READONLY, 0, 0, "Subtract multiple sorted sets",
             "6.2.0",
             "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the "
             "sets, N is the size of the first set, and K is the size of the result set.",
             "@read @sortedset @slow", "numkeys key [key ...] [WITHSCORES]"),
    ZSET_CMD("zunionstore", zunionstore_command, -4, CMD_WRITE | CMD_DENYOOM, 1, 1,
             "Add multiple sorted sets and store the resulting sorted set in a new key", "2.0.0",
             "O(N)+O(M log(M)) with N being the sum of the sizes of the input sorted sets, and M "
             "being the number of elements in the resulting sorted set.",
             "@write @sortedset @slow",
             "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE "
             "SUM|MIN|MAX]"),
    ZSET_CMD("zinterstore", zinterstore_command, -4, CMD_WRITE | CMD_DENYOOM, 1, 1,
             "Intersect multiple sorted sets and store the resulting sorted set in a new key",
             "2.0.0",
             "O(N*K)+O(M*log(M)) worst case with N being the smallest input sorted set, K being "
             "the number of input sorted sets and M being the number of elements in the resulting "
             "sorted set.",
             "@write @sortedset @slow",
             "destination numkeys key [key ...] [WEIGHTS weight [weight ...]] [AGGREGATE "
             "SUM|MIN|MAX]"),
    ZSET_CMD("zdiffstore", zdiffstore_command, -4, CMD_WRITE | CMD_DENYOOM, 1, 1,
             "Subtract multiple sorted sets and store the resulting sorted set in a new key",
             "6.2.0",
             "O(L + (N-K)log(N)) worst case where L is the total number of elements in all the "
             "sets, N is the size of the first set, and K is the size of the result set.",
             "@write @sortedset @slow", "destination numkeys key [key ...]"),
    ZSET_CMD("zintercard", zintercard_command, -3, CMD_READONLY, 0, 0,
             "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0",
             "O(N*K) worst case with N being the smallest input sorted set, K being the number of "
             "input sorted sets.",
             "@read @sortedset @slow", "numkeys key [key ...] [LIMIT limit]"),
    {0}};
