/*
 * Hash commands (HSET, HGET, HINCRBY, HRANDFIELD, HSCAN, ...) with Redis
 * 7.0 semantics, reply shapes (RESP2 and RESP3) and error strings. The
 * storage is in t_hash_type.c.
 *
 * Every write signals the key as modified (WATCH) and publishes Redis'
 * keyspace event; a hash that becomes empty is deleted.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace.h"
#include "notify.h"
#include "propagate.h"
#include "server.h"
#include "t_hash.h"

/* ---------- helpers ---------- */

static const char *arg_ptr(kobj *o, size_t *len) {
    *len = kstr_len(o->ptr);
    return o->ptr;
}

/* The hash at key for writing, created (and added to the db) when absent.
 * Replies WRONGTYPE and returns NULL when key holds something else. */
static kobj *hash_lookup_write_or_create(client *c, kobj *key) {
    kobj *o = db_lookup_write(c->db, key);
    if (o) {
        if (o->type != OBJ_HASH) {
            add_reply_error_wrongtype(c);
            return NULL;
        }
        return o;
    }
    o = hash_type_create();
    db_add(c->db, key, o);
    return o;
}

/* The hash at key for reading; replies `missing` (a callback) when absent
 * and WRONGTYPE when key holds something else, returning NULL. */
typedef void missing_reply(client *c);

static kobj *hash_lookup_read(client *c, kobj *key, missing_reply *missing) {
    kobj *o = db_lookup_read(c->db, key);
    if (!o) {
        if (missing) missing(c);
        return NULL;
    }
    if (o->type != OBJ_HASH) {
        add_reply_error_wrongtype(c);
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

static void reply_empty_map(client *c) {
    add_reply_map_len(c, 0);
}

static void reply_str(client *c, const hash_str *s) {
    add_reply_bulk_buf(c, s->s, s->len);
}

static void hash_changed(client *c, kobj *key, const char *event) {
    signal_modified_key(c, c->db, key);
    notify_keyspace_event(NOTIFY_HASH, event, key, c->db->id);
}

/* ---------- HSET / HMSET / HSETNX ---------- */

static void hset_generic(client *c, int is_hmset) {
    if (c->argc % 2 == 1) {
        add_reply_error_arity(c);
        return;
    }
    kobj *h = hash_lookup_write_or_create(c, c->argv[1]);
    if (!h) return;
    hash_type_try_conversion(h, c->argv, 2, c->argc - 1);
    long long created = 0;
    for (int i = 2; i < c->argc; i += 2) {
        size_t flen, vlen;
        const char *f = arg_ptr(c->argv[i], &flen);
        const char *v = arg_ptr(c->argv[i + 1], &vlen);
        created += hash_type_set(h, f, flen, v, vlen);
    }
    if (is_hmset)
        add_reply_ok(c);
    else
        add_reply_ll(c, created);
    hash_changed(c, c->argv[1], "hset");
    server.dirty += (c->argc - 2) / 2; /* every field written counts, new or not */
}

static void hset_command(client *c) {
    hset_generic(c, 0);
}

static void hmset_command(client *c) {
    hset_generic(c, 1);
}

static void hsetnx_command(client *c) {
    kobj *h = hash_lookup_write_or_create(c, c->argv[1]);
    if (!h) return;
    size_t flen, vlen;
    const char *f = arg_ptr(c->argv[2], &flen);
    if (hash_type_exists(h, f, flen)) {
        add_reply_ll(c, 0);
        return;
    }
    hash_type_try_conversion(h, c->argv, 2, 3);
    const char *v = arg_ptr(c->argv[3], &vlen);
    hash_type_set(h, f, flen, v, vlen);
    add_reply_ll(c, 1);
    hash_changed(c, c->argv[1], "hset");
    server.dirty++;
}

/* ---------- reads ---------- */

static void hget_command(client *c) {
    kobj *h = hash_lookup_read(c, c->argv[1], add_reply_null);
    if (!h) return;
    size_t flen;
    const char *f = arg_ptr(c->argv[2], &flen);
    hash_str v;
    if (hash_type_get(h, f, flen, &v))
        reply_str(c, &v);
    else
        add_reply_null(c);
}

static void hmget_command(client *c) {
    /* A missing key reads as an empty hash: one null per field. */
    kobj *h = db_lookup_read(c->db, c->argv[1]);
    if (h && h->type != OBJ_HASH) {
        add_reply_error_wrongtype(c);
        return;
    }
    add_reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        size_t flen;
        const char *f = arg_ptr(c->argv[i], &flen);
        hash_str v;
        if (h && hash_type_get(h, f, flen, &v))
            reply_str(c, &v);
        else
            add_reply_null(c);
    }
}

static void hlen_command(client *c) {
    kobj *h = hash_lookup_read(c, c->argv[1], reply_zero);
    if (h) add_reply_ll(c, (long long)hash_type_length(h));
}

static void hstrlen_command(client *c) {
    kobj *h = hash_lookup_read(c, c->argv[1], reply_zero);
    if (!h) return;
    size_t flen;
    const char *f = arg_ptr(c->argv[2], &flen);
    hash_str v;
    add_reply_ll(c, hash_type_get(h, f, flen, &v) ? (long long)v.len : 0);
}

static void hexists_command(client *c) {
    kobj *h = hash_lookup_read(c, c->argv[1], reply_zero);
    if (!h) return;
    size_t flen;
    const char *f = arg_ptr(c->argv[2], &flen);
    add_reply_ll(c, hash_type_exists(h, f, flen));
}

enum getall_what { GET_KEYS = 1, GET_VALS = 2, GET_BOTH = 3 };

static void hgetall_generic(client *c, enum getall_what what) {
    kobj *h =
        hash_lookup_read(c, c->argv[1], what == GET_BOTH ? reply_empty_map : reply_empty_array);
    if (!h) return;
    long n = (long)hash_type_length(h);
    if (what == GET_BOTH)
        add_reply_map_len(c, n);
    else
        add_reply_array_len(c, n);
    hash_iter it;
    hash_str f, v;
    hash_iter_init(&it, h);
    while (hash_iter_next(&it, &f, &v)) {
        if (what & GET_KEYS) reply_str(c, &f);
        if (what & GET_VALS) reply_str(c, &v);
    }
    hash_iter_release(&it);
}

static void hkeys_command(client *c) {
    hgetall_generic(c, GET_KEYS);
}

static void hvals_command(client *c) {
    hgetall_generic(c, GET_VALS);
}

static void hgetall_command(client *c) {
    hgetall_generic(c, GET_BOTH);
}

/* ---------- HDEL ---------- */

static void hdel_command(client *c) {
    kobj *h = db_lookup_write(c->db, c->argv[1]);
    if (!h) {
        add_reply_ll(c, 0);
        return;
    }
    if (h->type != OBJ_HASH) {
        add_reply_error_wrongtype(c);
        return;
    }
    long long deleted = 0;
    int key_removed = 0;
    for (int i = 2; i < c->argc; i++) {
        size_t flen;
        const char *f = arg_ptr(c->argv[i], &flen);
        if (!hash_type_delete(h, f, flen)) continue;
        deleted++;
        if (hash_type_length(h) == 0) {
            db_delete(c->db, c->argv[1]);
            key_removed = 1;
            break;
        }
    }
    if (deleted) {
        hash_changed(c, c->argv[1], "hdel");
        if (key_removed) notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->db->id);
    }
    server.dirty += deleted;
    add_reply_ll(c, deleted);
}

/* ---------- HINCRBY / HINCRBYFLOAT ---------- */

static void hincrby_command(client *c) {
    long long incr, value = 0;
    if (get_ll_from_obj_or_reply(c, c->argv[3], &incr, NULL) != C_OK) return;
    kobj *h = hash_lookup_write_or_create(c, c->argv[1]);
    if (!h) return;
    size_t flen;
    const char *f = arg_ptr(c->argv[2], &flen);
    hash_str cur;
    if (hash_type_get(h, f, flen, &cur) && !string2ll(cur.s, cur.len, &value)) {
        add_reply_error(c, "ERR hash value is not an integer");
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        add_reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    value += incr;
    char buf[LONG_STR_SIZE];
    int len = ll2string(buf, sizeof(buf), value);
    hash_type_set(h, f, flen, buf, (size_t)len);
    add_reply_ll(c, value);
    hash_changed(c, c->argv[1], "hincrby");
    server.dirty++;
}

static void hincrbyfloat_command(client *c) {
    long double incr, value = 0;
    if (get_long_double_from_obj_or_reply(c, c->argv[3], &incr, NULL) != C_OK) return;
    if (isnan(incr) || isinf(incr)) {
        add_reply_error(c, "ERR value is NaN or Infinity");
        return;
    }
    kobj *h = hash_lookup_write_or_create(c, c->argv[1]);
    if (!h) return;
    size_t flen;
    const char *f = arg_ptr(c->argv[2], &flen);
    hash_str cur;
    if (hash_type_get(h, f, flen, &cur) && !string2ld(cur.s, cur.len, &value)) {
        add_reply_error(c, "ERR hash value is not a float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        add_reply_error(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    char buf[5 * 1024];
    int len = ld2string(buf, sizeof(buf), value, 1);
    hash_type_set(h, f, flen, buf, (size_t)len);
    add_reply_bulk_buf(c, buf, (size_t)len);
    hash_changed(c, c->argv[1], "hincrbyfloat");
    server.dirty++;
    /* Propagated as HSET key field <result>: the replaying server must not
     * depend on float formatting. */
    kobj *result = obj_create_string(buf, (size_t)len);
    propagate_rewrite_arg(c, 0, propagate_word("HSET"));
    propagate_rewrite_arg(c, 3, result);
    decr_ref(result);
}

/* ---------- HRANDFIELD ---------- */

/* One field (and value) of a reply: RESP3 nests each pair in an array. */
static void reply_pair(client *c, const char *f, size_t flen, const char *v, size_t vlen,
                       int withvalues) {
    if (withvalues && c->resp > 2) add_reply_array_len(c, 2);
    add_reply_bulk_buf(c, f, flen);
    if (withvalues) add_reply_bulk_buf(c, v, vlen);
}

static void reply_lp_value(client *c, const lp_value *v) {
    if (v->str)
        add_reply_bulk_buf(c, v->str, v->len);
    else
        add_reply_bulk_ll(c, v->ival);
}

static void reply_lp_pair(client *c, const lp_value *f, const lp_value *v, int withvalues) {
    if (withvalues && c->resp > 2) add_reply_array_len(c, 2);
    reply_lp_value(c, f);
    if (withvalues) reply_lp_value(c, v);
}

static void reply_entry(client *c, dict_entry *de, int withvalues) {
    kstr f = de->key, v = de->v.val;
    reply_pair(c, f, kstr_len(f), v, kstr_len(v), withvalues);
}

#define RANDFIELD_BATCH 1000

/* Negative count: count picks with repetitions. */
static void hrandfield_repeat(client *c, kobj *h, unsigned long count, int withvalues) {
    add_reply_array_len(c, (long)(withvalues && c->resp == 2 ? count * 2 : count));
    if (h->encoding == OBJ_ENCODING_HT) {
        while (count--) reply_entry(c, dict_random_entry(h->ptr), withvalues);
        return;
    }
    unsigned long batch = count < RANDFIELD_BATCH ? count : RANDFIELD_BATCH;
    lp_value *keys = zmalloc(sizeof(lp_value) * batch);
    lp_value *vals = withvalues ? zmalloc(sizeof(lp_value) * batch) : NULL;
    while (count) {
        unsigned long n = count < batch ? count : batch;
        lp_random_pairs(h->ptr, n, keys, vals);
        for (unsigned long i = 0; i < n; i++)
            reply_lp_pair(c, &keys[i], vals ? &vals[i] : NULL, withvalues);
        count -= n;
    }
    zfree(keys);
    zfree(vals);
}

static uint64_t ptr_hash(const void *p) {
    return dict_gen_hash(&p, sizeof(p));
}

static int ptr_equal(const void *a, const void *b) {
    return a == b;
}

/* dict_entry * -> nothing, for picking distinct entries. */
static const dict_type picked_dict_type = {ptr_hash, NULL, ptr_equal, NULL, NULL};

/* Positive count below the size: count distinct fields. */
static void hrandfield_unique(client *c, kobj *h, unsigned long count, unsigned long size,
                              int withvalues) {
    if (h->encoding == OBJ_ENCODING_LISTPACK) {
        lp_value *keys = zmalloc(sizeof(lp_value) * count);
        lp_value *vals = withvalues ? zmalloc(sizeof(lp_value) * count) : NULL;
        unsigned long n = lp_random_pairs_unique(h->ptr, count, keys, vals);
        for (unsigned long i = 0; i < n; i++)
            reply_lp_pair(c, &keys[i], vals ? &vals[i] : NULL, withvalues);
        zfree(keys);
        zfree(vals);
        return;
    }
    dict *d = h->ptr;
    if (count * 3 > size) {
        /* Many of them: shuffle the first count slots of all entries. */
        dict_entry **all = zmalloc(sizeof(*all) * size);
        dict_iterator it;
        dict_entry *de;
        unsigned long n = 0;
        dict_iter_init(&it, d, 0);
        while ((de = dict_next(&it)) != NULL) all[n++] = de;
        dict_iter_reset(&it);
        for (unsigned long i = 0; i < count; i++) {
            unsigned long j = i + (unsigned long)random() % (n - i);
            dict_entry *tmp = all[i];
            all[i] = all[j];
            all[j] = tmp;
            reply_entry(c, all[i], withvalues);
        }
        zfree(all);
        return;
    }
    /* Few of them: random picks until count distinct ones. */
    dict *picked = dict_create(&picked_dict_type);
    while (dict_size(picked) < count) {
        dict_entry *de = dict_random_entry(d);
        if (dict_add(picked, de, NULL) == DICT_OK) reply_entry(c, de, withvalues);
    }
    dict_release(picked);
}

static void hrandfield_with_count(client *c, long l, int withvalues) {
    kobj *h = hash_lookup_read(c, c->argv[1], reply_empty_array);
    if (!h) return;
    unsigned long size = hash_type_length(h);
    unsigned long count = l >= 0 ? (unsigned long)l : (unsigned long)-l;
    if (count == 0) {
        add_reply_array_len(c, 0);
        return;
    }
    if (l < 0 || count == 1) {
        hrandfield_repeat(c, h, count, withvalues);
        return;
    }
    unsigned long n = count < size ? count : size;
    add_reply_array_len(c, (long)(withvalues && c->resp == 2 ? n * 2 : n));
    if (count >= size) {
        hash_iter it;
        hash_str f, v;
        hash_iter_init(&it, h);
        while (hash_iter_next(&it, &f, &v)) reply_pair(c, f.s, f.len, v.s, v.len, withvalues);
        hash_iter_release(&it);
        return;
    }
    hrandfield_unique(c, h, count, size, withvalues);
}

static void hrandfield_command(client *c) {
    if (c->argc >= 3) {
        long l;
        int withvalues;
        if (parse_random_count_options(c, "withvalues", &l, &withvalues) != C_OK) return;
        hrandfield_with_count(c, l, withvalues);
        return;
    }
    kobj *h = hash_lookup_read(c, c->argv[1], add_reply_null);
    if (!h) return;
    if (h->encoding == OBJ_ENCODING_HT) {
        dict_entry *de = dict_random_entry(h->ptr);
        add_reply_bulk_buf(c, de->key, kstr_len(de->key));
        return;
    }
    lp_value f;
    lp_random_pair(h->ptr, hash_type_length(h), &f, NULL);
    reply_lp_value(c, &f);
}

/* ---------- HSCAN ---------- */

typedef struct scan_batch {
    kstr *items; /* field, value, field, value ... */
    long n, cap;
} scan_batch;

static void batch_push(scan_batch *b, const char *s, size_t len) {
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 32;
        b->items = zrealloc(b->items, sizeof(kstr) * (size_t)b->cap);
    }
    b->items[b->n++] = kstr_new(s, len);
}

static void scan_collect_pair(void *privdata, const dict_entry *de) {
    batch_push(privdata, de->key, kstr_len(de->key));
    batch_push(privdata, de->v.val, kstr_len(de->v.val));
}

static void hscan_command(client *c) {
    unsigned long cursor;
    if (parse_scan_cursor(c, c->argv[2], &cursor) != C_OK) return;
    kobj *h = db_lookup_read(c->db, c->argv[1]);
    if (h && h->type != OBJ_HASH) {
        add_reply_error_wrongtype(c);
        return;
    }
    if (!h) {
        add_reply_empty_scan(c);
        return;
    }
    long count;
    kstr pattern;
    if (parse_collection_scan_options(c, &count, &pattern) != C_OK) return;

    scan_batch b = {NULL, 0, 0};
    if (h->encoding == OBJ_ENCODING_LISTPACK) {
        /* The compact encoding is returned whole, with cursor 0. */
        hash_iter it;
        hash_str f, v;
        hash_iter_init(&it, h);
        while (hash_iter_next(&it, &f, &v)) {
            batch_push(&b, f.s, f.len);
            batch_push(&b, v.s, v.len);
        }
        hash_iter_release(&it);
        cursor = 0;
    } else {
        /* As Redis counts it: COUNT pairs (it doubles COUNT, each field
         * coming with its value), at most 10 x 2 x COUNT buckets. */
        long items = count > LONG_MAX / 20 ? LONG_MAX / 10 : count * 2;
        long max_iterations = items * 10;
        do {
            cursor = dict_scan(h->ptr, cursor, scan_collect_pair, &b);
        } while (cursor && max_iterations-- && b.n < items);
    }

    char buf[LONG_STR_SIZE];
    int len = ull2string(buf, sizeof(buf), cursor);
    add_reply_array_len(c, 2);
    add_reply_bulk_buf(c, buf, (size_t)len);
    void *deferred = add_reply_deferred_len(c);
    long kept = 0;
    for (long i = 0; i < b.n; i += 2) {
        kstr f = b.items[i], v = b.items[i + 1];
        if (!pattern || string_match_len(pattern, kstr_len(pattern), f, kstr_len(f), 0)) {
            add_reply_bulk_buf(c, f, kstr_len(f));
            add_reply_bulk_buf(c, v, kstr_len(v));
            kept += 2;
        }
        kstr_free(f);
        kstr_free(v);
    }
    set_deferred_array_len(c, deferred, kept);
    zfree(b.items);
}

/* ---------- command table ---------- */

#define HASH_CMD(n, p, ar, fl, sum, since_, cx, acl, syn)                                          \
    {                                                                                              \
        .name = n, .proc = p, .arity = ar, .flags = fl, .first_key = 1, .last_key = 1,             \
        .key_step = 1, .group = "hash", .summary = sum, .since = since_, .complexity = cx,         \
        .acl_categories = acl, .syntax = syn                                                       \
    }

kcommand hash_commands[] = {
    HASH_CMD("hset", hset_command, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
             "Set the string value of a hash field", "2.0.0",
             "O(1) for each field/value pair added, so O(N) to add N field/value pairs when the "
             "command is called with multiple field/value pairs.",
             "@write @hash @fast", "key field value [field value ...]"),
    HASH_CMD("hsetnx", hsetnx_command, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
             "Set the value of a hash field, only if the field does not exist", "2.0.0", "O(1)",
             "@write @hash @fast", "key field value"),
    HASH_CMD("hmset", hmset_command, -4, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
             "Set multiple hash fields to multiple values", "2.0.0",
             "O(N) where N is the number of fields being set.", "@write @hash @fast",
             "key field value [field value ...]"),
    HASH_CMD("hget", hget_command, 3, CMD_READONLY | CMD_FAST, "Get the value of a hash field",
             "2.0.0", "O(1)", "@read @hash @fast", "key field"),
    HASH_CMD("hmget", hmget_command, -3, CMD_READONLY | CMD_FAST,
             "Get the values of all the given hash fields", "2.0.0",
             "O(N) where N is the number of fields being requested.", "@read @hash @fast",
             "key field [field ...]"),
    HASH_CMD("hdel", hdel_command, -3, CMD_WRITE | CMD_FAST, "Delete one or more hash fields",
             "2.0.0", "O(N) where N is the number of fields to be removed.", "@write @hash @fast",
             "key field [field ...]"),
    HASH_CMD("hlen", hlen_command, 2, CMD_READONLY | CMD_FAST, "Get the number of fields in a hash",
             "2.0.0", "O(1)", "@read @hash @fast", "key"),
    HASH_CMD("hstrlen", hstrlen_command, 3, CMD_READONLY | CMD_FAST,
             "Get the length of the value of a hash field", "3.2.0", "O(1)", "@read @hash @fast",
             "key field"),
    HASH_CMD("hexists", hexists_command, 3, CMD_READONLY | CMD_FAST,
             "Determine if a hash field exists", "2.0.0", "O(1)", "@read @hash @fast", "key field"),
    HASH_CMD("hkeys", hkeys_command, 2, CMD_READONLY, "Get all the fields in a hash", "2.0.0",
             "O(N) where N is the size of the hash.", "@read @hash @slow", "key"),
    HASH_CMD("hvals", hvals_command, 2, CMD_READONLY, "Get all the values in a hash", "2.0.0",
             "O(N) where N is the size of the hash.", "@read @hash @slow", "key"),
    HASH_CMD("hgetall", hgetall_command, 2, CMD_READONLY, "Get all the fields and values in a hash",
             "2.0.0", "O(N) where N is the size of the hash.", "@read @hash @slow", "key"),
    HASH_CMD("hincrby", hincrby_command, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
             "Increment the integer value of a hash field by the given number", "2.0.0", "O(1)",
             "@write @hash @fast", "key field increment"),
    HASH_CMD("hincrbyfloat", hincrbyfloat_command, 4, CMD_WRITE | CMD_DENYOOM | CMD_FAST,
             "Increment the float value of a hash field by the given amount", "2.6.0", "O(1)",
             "@write @hash @fast", "key field increment"),
    HASH_CMD("hrandfield", hrandfield_command, -2, CMD_READONLY,
             "Get one or multiple random fields from a hash", "6.2.0",
             "O(N) where N is the number of fields returned", "@read @hash @slow",
             "key [count [WITHVALUES]]"),
    HASH_CMD("hscan", hscan_command, -3, CMD_READONLY,
             "Incrementally iterate hash fields and "
             "associated values",
             "2.8.0",
             "O(1) for every call. O(N) for a complete iteration, including enough command calls "
             "for the cursor to return back to 0. N is the size of the collection..",
             "@read @hash @slow", "key cursor [MATCH pattern] [COUNT count]"),
    {0}};
