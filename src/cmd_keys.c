/*
 * Generic key commands (DEL, EXISTS, KEYS, SCAN, RENAME, the EXPIRE and
 * TTL families, COPY, MOVE, OBJECT, ...) and the whole-database commands
 * (DBSIZE, FLUSHDB, FLUSHALL, SWAPDB), with Redis 7.0 semantics, replies
 * and error strings.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "keyspace.h"
#include "notify.h"
#include "persist.h"
#include "propagate.h"
#include "server.h"
#include "t_list.h"
#include "t_set.h"
#include "t_hash.h"
#include "t_zset.h"

/* ---------- DEL / UNLINK / EXISTS / TYPE / TOUCH ---------- */

static void del_generic(client *c, int lazy) {
    long long deleted = 0;
    for (int j = 1; j < c->argc; j++) {
        db_expire_if_needed(c->db, c->argv[j]);
        if (db_delete_generic(c->db, c->argv[j], lazy)) {
            signal_modified_key(c, c->db, c->argv[j]);
            notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[j], c->db->id);
            server.dirty++;
            deleted++;
        }
    }
    add_reply_ll(c, deleted);
}

static void del_command(client *c) {
    del_generic(c, server.lazyfree_lazy_user_del);
}

static void unlink_command(client *c) {
    del_generic(c, 1);
}

static void exists_command(client *c) {
    long long count = 0;
    for (int j = 1; j < c->argc; j++)
        if (db_lookup(c->db, c->argv[j], LOOKUP_NOTOUCH)) count++;
    add_reply_ll(c, count);
}

static void type_command(client *c) {
    add_reply_status(c, obj_type_name(db_lookup(c->db, c->argv[1], LOOKUP_NOTOUCH)));
}

static void touch_command(client *c) {
    long long count = 0;
    for (int j = 1; j < c->argc; j++)
        if (db_lookup_read(c->db, c->argv[j])) count++;
    add_reply_ll(c, count);
}

/* ---------- KEYS / SCAN / RANDOMKEY ---------- */

static void keys_command(client *c) {
    kstr pattern = c->argv[1]->ptr;
    size_t plen = kstr_len(pattern);
    int all = plen == 1 && pattern[0] == '*';
    void *deferred = add_reply_deferred_len(c);
    long count = 0;
    dict_iterator it;
    dict_iter_init(&it, c->db->keys, 1);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) {
        kstr key = de->key;
        if (!all && !string_match_len(pattern, plen, key, kstr_len(key), 0)) continue;
        /* Expired keys are hidden, not deleted, while iterating. */
        kobj keyobj = {.type = OBJ_STRING, .encoding = OBJ_ENCODING_RAW, .refcount = 1, .ptr = key};
        if (db_key_is_expired(c->db, &keyobj)) continue;
        add_reply_bulk_buf(c, key, kstr_len(key));
        count++;
    }
    dict_iter_reset(&it);
    set_deferred_array_len(c, deferred, count);
}

/* Keys collected by one SCAN call. */
typedef struct scan_batch {
    kstr *keys;
    long n, cap;
} scan_batch;

static void scan_collect(void *privdata, const dict_entry *de) {
    scan_batch *b = privdata;
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->keys = zrealloc(b->keys, sizeof(kstr) * (size_t)b->cap);
    }
    b->keys[b->n++] = kstr_dup(de->key);
}

/* SCAN cursors are unsigned decimal numbers parsed the way strtoul does
 * (a sign is accepted, blanks and junk are not). Shared with SSCAN, HSCAN
 * and ZSCAN (keyspace.h). */
int parse_scan_cursor(client *c, kobj *o, unsigned long *cursor) {
    const char *s = o->ptr;
    char *end;
    errno = 0;
    *cursor = strtoul(s, &end, 10);
    if (isspace((unsigned char)s[0]) || *end != '\0' || end != s + kstr_len(o->ptr) ||
        errno == ERANGE) {
        add_reply_error(c, "ERR invalid cursor");
        return C_ERR;
    }
    return C_OK;
}

int parse_random_count_options(client *c, const char *word, long *count, int *with) {
    *with = 0;
    if (get_range_long_from_obj_or_reply(c, c->argv[2], -LONG_MAX, LONG_MAX, count, NULL) != C_OK)
        return C_ERR;
    if (c->argc > 4 || (c->argc == 4 && !arg_is(c->argv[3], word))) {
        add_reply_error_syntax(c);
        return C_ERR;
    }
    if (c->argc == 4) {
        *with = 1;
        if (*count < -LONG_MAX / 2 || *count > LONG_MAX / 2) {
            add_reply_error(c, "ERR value is out of range");
            return C_ERR;
        }
    }
    return C_OK;
}

int parse_collection_scan_options(client *c, long *count, kstr *pattern) {
    *count = 10;
    *pattern = NULL;
    for (int i = 3; i < c->argc; i += 2) {
        int more = c->argc - i - 1;
        if (arg_is(c->argv[i], "count") && more >= 1) {
            if (get_long_from_obj_or_reply(c, c->argv[i + 1], count, NULL) != C_OK) return C_ERR;
            if (*count < 1) {
                add_reply_error_syntax(c);
                return C_ERR;
            }
        } else if (arg_is(c->argv[i], "match") && more >= 1) {
            *pattern = c->argv[i + 1]->ptr;
            if (kstr_len(*pattern) == 1 && (*pattern)[0] == '*') *pattern = NULL;
        } else {
            add_reply_error_syntax(c);
            return C_ERR;
        }
    }
    return C_OK;
}

void add_reply_empty_scan(client *c) {
    add_reply_array_len(c, 2);
    add_reply_bulk_buf(c, "0", 1);
    add_reply_array_len(c, 0);
}

static void scan_command(client *c) {
    unsigned long cursor;
    if (parse_scan_cursor(c, c->argv[1], &cursor) != C_OK) return;

    long long count = 10;
    kstr pattern = NULL;
    const char *type = NULL;
    for (int i = 2; i < c->argc; i += 2) {
        int more = c->argc - i - 1;
        if (arg_is(c->argv[i], "count") && more >= 1) {
            if (arg_to_ll_or_reply(c, c->argv[i + 1], &count, NULL) != C_OK) return;
            if (count < 1 || count > LONG_MAX) {
                add_reply_error_syntax(c);
                return;
            }
        } else if (arg_is(c->argv[i], "match") && more >= 1) {
            pattern = c->argv[i + 1]->ptr;
            /* "*" matches everything: skip the matching. */
            if (kstr_len(pattern) == 1 && pattern[0] == '*') pattern = NULL;
        } else if (arg_is(c->argv[i], "type") && more >= 1) {
            type = c->argv[i + 1]->ptr;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }

    scan_batch b = {NULL, 0, 0};
    long long max_iterations = count > LLONG_MAX / 10 ? LLONG_MAX : count * 10;
    do {
        cursor = dict_scan(c->db->keys, cursor, scan_collect, &b);
    } while (cursor && max_iterations-- && b.n < count);

    /* Filter: pattern, then type, then expiry (which deletes). */
    long kept = 0;
    for (long i = 0; i < b.n; i++) {
        kstr k = b.keys[i];
        int drop = 0;
        kobj keyobj = {.type = OBJ_STRING, .encoding = OBJ_ENCODING_RAW, .refcount = 1, .ptr = k};
        if (pattern && !string_match_len(pattern, kstr_len(pattern), k, kstr_len(k), 0)) drop = 1;
        if (!drop && type &&
            strcasecmp(type, obj_type_name(db_lookup(c->db, &keyobj, LOOKUP_NOTOUCH))) != 0)
            drop = 1;
        if (!drop && db_expire_if_needed(c->db, &keyobj)) drop = 1;
        if (drop)
            kstr_free(k);
        else
            b.keys[kept++] = k;
    }

    char buf[LONG_STR_SIZE];
    int len = ull2string(buf, sizeof(buf), cursor);
    add_reply_array_len(c, 2);
    add_reply_bulk_buf(c, buf, (size_t)len);
    add_reply_array_len(c, kept);
    for (long i = 0; i < kept; i++) {
        add_reply_bulk_buf(c, b.keys[i], kstr_len(b.keys[i]));
        kstr_free(b.keys[i]);
    }
    zfree(b.keys);
}

static void randomkey_command(client *c) {
    kobj *key = db_random_key(c->db);
    if (!key) {
        add_reply_null(c);
        return;
    }
    reply_string_obj(c, key);
    decr_ref(key);
}

/* ---------- RENAME / COPY / MOVE ---------- */

static void rename_generic(client *c, int nx) {
    kobj *src = c->argv[1], *dst = c->argv[2];
    int same = string_obj_equal(src, dst);
    kobj *o = db_lookup_write(c->db, src);
    if (!o) {
        add_reply_error(c, "ERR no such key");
        return;
    }
    if (same) {
        if (nx)
            add_reply_ll(c, 0);
        else
            add_reply_ok(c);
        return;
    }
    long long expire = db_get_expire(c->db, src);
    if (db_lookup_write(c->db, dst)) {
        if (nx) {
            add_reply_ll(c, 0);
            return;
        }
        db_delete(c->db, dst);
    }
    incr_ref(o);
    db_add(c->db, dst, o);
    if (expire != -1) db_set_expire(c->db, dst, expire);
    db_delete(c->db, src);
    signal_modified_key(c, c->db, src);
    signal_modified_key(c, c->db, dst);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_from", src, c->db->id);
    notify_keyspace_event(NOTIFY_GENERIC, "rename_to", dst, c->db->id);
    server.dirty++;
    if (nx)
        add_reply_ll(c, 1);
    else
        add_reply_ok(c);
}

static void rename_command(client *c) {
    rename_generic(c, 0);
}

static void renamenx_command(client *c) {
    rename_generic(c, 1);
}

/* A database index argument: C_ERR after replying when it is not an
 * integer or out of range. */
static kdb *db_arg_or_reply(client *c, kobj *arg) {
    int id;
    if (arg_to_int_or_reply(c, arg, &id, NULL) != C_OK) return NULL;
    kdb *db = db_by_id(id);
    if (!db) add_reply_error(c, "ERR DB index is out of range");
    return db;
}

static void copy_command(client *c) {
    kobj *key = c->argv[1], *newkey = c->argv[2];
    kdb *src = c->db, *dst = c->db;
    int replace = 0;
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - j - 1;
        if (arg_is(c->argv[j], "replace")) {
            replace = 1;
        } else if (arg_is(c->argv[j], "db") && more >= 1) {
            if (!(dst = db_arg_or_reply(c, c->argv[j + 1]))) return;
            j++;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    if (src == dst && string_obj_equal(key, newkey)) {
        add_reply_error(c, "ERR source and destination objects are the same");
        return;
    }
    kobj *o = db_lookup_read(src, key);
    if (!o) {
        add_reply_ll(c, 0);
        return;
    }
    long long expire = db_get_expire(src, key);
    int existed = db_lookup_write(dst, newkey) != NULL;
    if (existed && !replace) {
        add_reply_ll(c, 0);
        return;
    }
    kobj *copy;
    switch (o->type) {
    case OBJ_STRING: copy = obj_dup_string(o); break;
    case OBJ_SET: copy = set_type_dup(o); break;
    case OBJ_LIST: copy = list_type_dup(o); break;
    case OBJ_HASH: copy = hash_type_dup(o); break;
    case OBJ_ZSET: copy = zset_type_dup(o); break;
    default: add_reply_error(c, "ERR COPY is not implemented for this value type"); return;
    }
    if (existed) db_delete(dst, newkey);
    db_add(dst, newkey, copy);
    if (expire != -1) db_set_expire(dst, newkey, expire);
    signal_modified_key(c, dst, newkey);
    notify_keyspace_event(NOTIFY_GENERIC, "copy_to", newkey, dst->id);
    server.dirty++;
    add_reply_ll(c, 1);
}

static void move_command(client *c) {
    kdb *src = c->db;
    kdb *dst = db_arg_or_reply(c, c->argv[2]);
    if (!dst) return;
    if (src == dst) {
        add_reply_error(c, "ERR source and destination objects are the same");
        return;
    }
    kobj *o = db_lookup_write(src, c->argv[1]);
    if (!o) {
        add_reply_ll(c, 0);
        return;
    }
    long long expire = db_get_expire(src, c->argv[1]);
    if (db_lookup_write(dst, c->argv[1])) {
        add_reply_ll(c, 0);
        return;
    }
    incr_ref(o);
    db_add(dst, c->argv[1], o);
    if (expire != -1) db_set_expire(dst, c->argv[1], expire);
    db_delete(src, c->argv[1]);
    signal_modified_key(c, src, c->argv[1]);
    signal_modified_key(c, dst, c->argv[1]);
    notify_keyspace_event(NOTIFY_GENERIC, "move_from", c->argv[1], src->id);
    notify_keyspace_event(NOTIFY_GENERIC, "move_to", c->argv[1], dst->id);
    server.dirty++;
    add_reply_ll(c, 1);
}

/* ---------- EXPIRE family ---------- */

#define EXPIRE_NX (1 << 0)
#define EXPIRE_XX (1 << 1)
#define EXPIRE_GT (1 << 2)
#define EXPIRE_LT (1 << 3)

static int parse_expire_flags(client *c, int *flags) {
    *flags = 0;
    for (int j = 3; j < c->argc; j++) {
        kobj *opt = c->argv[j];
        if (arg_is(opt, "nx"))
            *flags |= EXPIRE_NX;
        else if (arg_is(opt, "xx"))
            *flags |= EXPIRE_XX;
        else if (arg_is(opt, "gt"))
            *flags |= EXPIRE_GT;
        else if (arg_is(opt, "lt"))
            *flags |= EXPIRE_LT;
        else {
            add_reply_errorf(c, "ERR Unsupported option %s", (char *)opt->ptr);
            return C_ERR;
        }
    }
    if ((*flags & EXPIRE_NX) && (*flags & (EXPIRE_XX | EXPIRE_GT | EXPIRE_LT))) {
        add_reply_error(c, "ERR NX and XX, GT or LT options at the same time are not compatible");
        return C_ERR;
    }
    if ((*flags & EXPIRE_GT) && (*flags & EXPIRE_LT)) {
        add_reply_error(c, "ERR GT and LT options at the same time are not compatible");
        return C_ERR;
    }
    return C_OK;
}

/* basetime: 0 for the absolute forms, now for the relative ones. */
static void expire_generic(client *c, long long basetime, int seconds) {
    kobj *key = c->argv[1];
    int flags;
    long long when;
    if (parse_expire_flags(c, &flags) != C_OK) return;
    if (arg_to_ll_or_reply(c, c->argv[2], &when, NULL) != C_OK) return;
    /* Negative times are allowed (they delete the key); overflow is not. */
    if (seconds) {
        if (when > LLONG_MAX / 1000 || when < LLONG_MIN / 1000) {
            reply_invalid_expire(c);
            return;
        }
        when *= 1000;
    }
    if (when > LLONG_MAX - basetime) {
        reply_invalid_expire(c);
        return;
    }
    when += basetime;

    if (!db_lookup_write(c->db, key)) {
        add_reply_ll(c, 0);
        return;
    }
    if (flags) {
        long long current = db_get_expire(c->db, key);
        /* No TTL counts as an infinite one for GT and LT. */
        if (((flags & EXPIRE_NX) && current != -1) || ((flags & EXPIRE_XX) && current == -1) ||
            ((flags & EXPIRE_GT) && (current == -1 || when <= current)) ||
            ((flags & EXPIRE_LT) && current != -1 && when >= current)) {
            add_reply_ll(c, 0);
            return;
        }
    }
    /* A time already past deletes the key, except while loading: an AOF
     * replays absolute times that were in the future when written (as
     * Redis' checkAlreadyExpired). */
    if (when <= db_now_ms() && !server.loading) {
        db_delete(c->db, key);
        signal_modified_key(c, c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
        server.dirty++;
        add_reply_ll(c, 1);
        propagate_rewrite_objs(c, 2, propagate_word("DEL"), key);
        return;
    }
    db_set_expire(c->db, key, when);
    signal_modified_key(c, c->db, key);
    notify_keyspace_event(NOTIFY_GENERIC, "expire", key, c->db->id);
    server.dirty++;
    add_reply_ll(c, 1);
    /* EXPIRE, PEXPIRE and EXPIREAT propagate as PEXPIREAT key <absolute
     * ms> [options]; PEXPIREAT as it is. */
    if (basetime != 0 || seconds) {
        kobj *abs = obj_create_from_ll(when);
        propagate_rewrite_arg(c, 0, propagate_word("PEXPIREAT"));
        propagate_rewrite_arg(c, 2, abs);
        decr_ref(abs);
    }
}

static void expire_command(client *c) {
    expire_generic(c, db_now_ms(), 1);
}

static void pexpire_command(client *c) {
    expire_generic(c, db_now_ms(), 0);
}

static void expireat_command(client *c) {
    expire_generic(c, 0, 1);
}

static void pexpireat_command(client *c) {
    expire_generic(c, 0, 0);
}

/* TTL family: -2 missing key, -1 no TTL; relative or absolute, in ms or
 * rounded seconds. */
static void ttl_generic(client *c, int in_ms, int absolute) {
    if (!db_lookup(c->db, c->argv[1], LOOKUP_NOTOUCH)) {
        add_reply_ll(c, -2);
        return;
    }
    long long expire = db_get_expire(c->db, c->argv[1]);
    if (expire == -1) {
        add_reply_ll(c, -1);
        return;
    }
    long long ttl = absolute ? expire : expire - db_now_ms();
    if (ttl < 0) ttl = 0;
    add_reply_ll(c, in_ms ? ttl : (ttl + 500) / 1000);
}

static void ttl_command(client *c) {
    ttl_generic(c, 0, 0);
}

static void pttl_command(client *c) {
    ttl_generic(c, 1, 0);
}

static void expiretime_command(client *c) {
    ttl_generic(c, 0, 1);
}

static void pexpiretime_command(client *c) {
    ttl_generic(c, 1, 1);
}

static void persist_command(client *c) {
    if (db_lookup_write(c->db, c->argv[1]) && db_remove_expire(c->db, c->argv[1])) {
        signal_modified_key(c, c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "persist", c->argv[1], c->db->id);
        server.dirty++;
        add_reply_ll(c, 1);
        return;
    }
    add_reply_ll(c, 0);
}

/* ---------- OBJECT ---------- */

static kobj *object_lookup_or_reply(client *c) {
    kobj *o = db_lookup(c->db, c->argv[2], LOOKUP_NOTOUCH | LOOKUP_NONOTIFY);
    if (!o) add_reply_null(c);
    return o;
}

static void object_command(client *c) {
    add_reply_error_subcommand(c);
}

static void object_encoding_command(client *c) {
    kobj *o = object_lookup_or_reply(c);
    if (o) add_reply_bulk_cstr(c, obj_encoding_name(o->encoding));
}

static void object_refcount_command(client *c) {
    kobj *o = object_lookup_or_reply(c);
    if (o) add_reply_ll(c, o->refcount);
}

static void object_idletime_command(client *c) {
    kobj *o = object_lookup_or_reply(c);
    if (o) add_reply_ll(c, (long long)(obj_idle_ms(o) / 1000));
}

static void object_freq_command(client *c) {
    /* keyport has no LFU maxmemory policy, so frequency is never tracked. */
    if (!object_lookup_or_reply(c)) return;
    add_reply_error(c, "ERR An LFU maxmemory policy is not selected, access frequency not "
                       "tracked. Please note that when switching between policies at runtime "
                       "LRU and LFU data will take some time to adjust.");
}

static void object_help_command(client *c) {
    static const char *const help[] = {
        "ENCODING <key>",
        "    Return the kind of internal representation used in order to store the value",
        "    associated with a <key>.",
        "FREQ <key>",
        "    Return the access frequency index of the <key>. The returned integer is",
        "    proportional to the logarithm of the recent access frequency of the key.",
        "IDLETIME <key>",
        "    Return the idle time of the <key>, that is the approximated number of",
        "    seconds elapsed since the last access to the key.",
        "REFCOUNT <key>",
        "    Return the number of references of the value associated with the specified",
        "    <key>.",
        NULL};
    add_reply_help(c, help);
}

/* ---------- databases ---------- */

static void dbsize_command(client *c) {
    add_reply_ll(c, db_size(c->db));
}

/* [ASYNC|SYNC]; the default follows lazyfree-lazy-user-flush. */
static int flush_flags_or_reply(client *c, int *async) {
    if (c->argc == 1) {
        *async = server.lazyfree_lazy_user_flush;
    } else if (c->argc == 2 && arg_is(c->argv[1], "sync")) {
        *async = 0;
    } else if (c->argc == 2 && arg_is(c->argv[1], "async")) {
        *async = 1;
    } else {
        add_reply_error_syntax(c);
        return C_ERR;
    }
    return C_OK;
}

static void flushdb_command(client *c) {
    int async;
    if (flush_flags_or_reply(c, &async) != C_OK) return;
    server.dirty += db_empty(c->db->id, async);
    /* Propagated even when the database was already empty. */
    propagate_force(c);
    add_reply_ok(c);
}

static void flushall_command(client *c) {
    int async;
    if (flush_flags_or_reply(c, &async) != C_OK) return;
    server.dirty += db_empty(-1, async);
    /* With save points configured the empty dataset is saved at once
     * (which resets dirty); the command is propagated all the same, also
     * when the dataset was already empty (Redis 7.0). Replaying an AOF
     * does not save a half-loaded dataset. */
    if (!server.loading) persist_on_flushall();
    propagate_force(c);
    add_reply_ok(c);
}

static void swapdb_command(client *c) {
    int id1, id2;
    if (arg_to_int_or_reply(c, c->argv[1], &id1, "ERR invalid first DB index") != C_OK) return;
    if (arg_to_int_or_reply(c, c->argv[2], &id2, "ERR invalid second DB index") != C_OK) return;
    if (db_swap(id1, id2) != C_OK) {
        add_reply_error(c, "ERR DB index is out of range");
        return;
    }
    server.dirty++;
    add_reply_ok(c);
}

/* ---------- command table ---------- */

static kcommand object_subcommands[] = {
    {.name = "freq",
     .proc = object_freq_command,
     .arity = 3,
     .flags = CMD_READONLY,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .group = "generic",
     .summary = "Get the logarithmic access frequency counter of a Redis object",
     .since = "4.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @slow",
     .syntax = "key"},
    {.name = "idletime",
     .proc = object_idletime_command,
     .arity = 3,
     .flags = CMD_READONLY,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .group = "generic",
     .summary = "Get the time since a Redis object was last accessed",
     .since = "2.2.3",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @slow",
     .syntax = "key"},
    {.name = "help",
     .proc = object_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "generic",
     .summary = "Show helpful text about the different subcommands",
     .since = "6.2.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @slow",
     .syntax = ""},
    {.name = "encoding",
     .proc = object_encoding_command,
     .arity = 3,
     .flags = CMD_READONLY,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .group = "generic",
     .summary = "Inspect the internal encoding of a Redis object",
     .since = "2.2.3",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @slow",
     .syntax = "key"},
    {.name = "refcount",
     .proc = object_refcount_command,
     .arity = 3,
     .flags = CMD_READONLY,
     .first_key = 2,
     .last_key = 2,
     .key_step = 1,
     .group = "generic",
     .summary = "Get the number of references to the value of the key",
     .since = "2.2.3",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @slow",
     .syntax = "key"},
    {0}};

kcommand keys_commands[] = {
    {.name = "del",
     .proc = del_command,
     .arity = -2,
     .flags = CMD_WRITE,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .group = "generic",
     .summary = "Delete a key",
     .since = "1.0.0",
     .complexity = "O(N) where N is the number of keys that will be removed. When a key to remove "
                   "holds a value other than a string, the individual complexity for this key is "
                   "O(M) where M is the number of elements in the list, set, sorted set or hash. "
                   "Removing a single key that holds a string value is O(1).",
     .acl_categories = "@keyspace @write @slow",
     .syntax = "key [key ...]"},
    {.name = "unlink",
     .proc = unlink_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .group = "generic",
     .summary = "Delete a key asynchronously in another thread. Otherwise it is just as DEL, but "
                "non blocking.",
     .since = "4.0.0",
     .complexity = "O(1) for each key removed regardless of its size. Then the command does O(N) "
                   "work in a different thread in order to reclaim memory, where N is the number "
                   "of allocations the deleted objects where composed of.",
     .acl_categories = "@keyspace @write @fast",
     .syntax = "key [key ...]"},
    {.name = "exists",
     .proc = exists_command,
     .arity = -2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .group = "generic",
     .summary = "Determine if a key exists",
     .since = "1.0.0",
     .complexity = "O(N) where N is the number of keys to check.",
     .acl_categories = "@keyspace @read @fast",
     .syntax = "key [key ...]"},
    {.name = "type",
     .proc = type_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Determine the type stored at key",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @fast",
     .syntax = "key"},
    {.name = "keys",
     .proc = keys_command,
     .arity = 2,
     .flags = CMD_READONLY,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "generic",
     .summary = "Find all keys matching the given pattern",
     .since = "1.0.0",
     .complexity = "O(N) with N being the number of keys in the database, under the assumption "
                   "that the key names in the database and the given pattern have limited length.",
     .acl_categories = "@keyspace @read @slow @dangerous",
     .syntax = "pattern"},
    {.name = "scan",
     .proc = scan_command,
     .arity = -2,
     .flags = CMD_READONLY,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "generic",
     .summary = "Incrementally iterate the keys space",
     .since = "2.8.0",
     .complexity =
         "O(1) for every call. O(N) for a complete iteration, including enough command calls for "
         "the cursor to return back to 0. N is the number of elements inside the collection.",
     .acl_categories = "@keyspace @read @slow",
     .syntax = "cursor [MATCH pattern] [COUNT count] [TYPE type]"},
    {.name = "randomkey",
     .proc = randomkey_command,
     .arity = 1,
     .flags = CMD_READONLY,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "generic",
     .summary = "Return a random key from the keyspace",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @slow",
     .syntax = ""},
    {.name = "rename",
     .proc = rename_command,
     .arity = 3,
     .flags = CMD_WRITE,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .group = "generic",
     .summary = "Rename a key",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @write @slow",
     .syntax = "key newkey"},
    {.name = "renamenx",
     .proc = renamenx_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .group = "generic",
     .summary = "Rename a key, only if the new key does not exist",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @write @fast",
     .syntax = "key newkey"},
    {.name = "expire",
     .proc = expire_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Set a key's time to live in seconds",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @write @fast",
     .syntax = "key seconds [NX | XX | GT | LT]"},
    {.name = "pexpire",
     .proc = pexpire_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Set a key's time to live in milliseconds",
     .since = "2.6.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @write @fast",
     .syntax = "key milliseconds [NX | XX | GT | LT]"},
    {.name = "expireat",
     .proc = expireat_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Set the expiration for a key as a UNIX timestamp",
     .since = "1.2.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @write @fast",
     .syntax = "key unix-time-seconds [NX | XX | GT | LT]"},
    {.name = "pexpireat",
     .proc = pexpireat_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Set the expiration for a key as a UNIX timestamp specified in milliseconds",
     .since = "2.6.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @write @fast",
     .syntax = "key unix-time-milliseconds [NX | XX | GT | LT]"},
    {.name = "ttl",
     .proc = ttl_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Get the time to live for a key in seconds",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @fast",
     .syntax = "key"},
    {.name = "pttl",
     .proc = pttl_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Get the time to live for a key in milliseconds",
     .since = "2.6.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @fast",
     .syntax = "key"},
    {.name = "expiretime",
     .proc = expiretime_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Get the expiration Unix timestamp for a key",
     .since = "7.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @fast",
     .syntax = "key"},
    {.name = "pexpiretime",
     .proc = pexpiretime_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Get the expiration Unix timestamp for a key in milliseconds",
     .since = "7.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @fast",
     .syntax = "key"},
    {.name = "persist",
     .proc = persist_command,
     .arity = 2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Remove the expiration from a key",
     .since = "2.2.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @write @fast",
     .syntax = "key"},
    {.name = "copy",
     .proc = copy_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .group = "generic",
     .summary = "Copy a key",
     .since = "6.2.0",
     .complexity = "O(N) worst case for collections, where N is the number of nested items. O(1) "
                   "for string values.",
     .acl_categories = "@keyspace @write @slow",
     .syntax = "source destination [DB destination-db] [REPLACE]"},
    {.name = "move",
     .proc = move_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Move a key to another database",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @write @fast",
     .syntax = "key db"},
    {.name = "touch",
     .proc = touch_command,
     .arity = -2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .group = "generic",
     .summary =
         "Alters the last access time of a key(s). Returns the number of existing keys specified.",
     .since = "3.2.1",
     .complexity = "O(N) where N is the number of keys that will be touched.",
     .acl_categories = "@keyspace @read @fast",
     .syntax = "key [key ...]"},
    {.name = "object",
     .proc = object_command,
     .arity = -2,
     .flags = 0,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "generic",
     .summary = "A container for object introspection commands",
     .since = "2.2.3",
     .complexity = "Depends on subcommand.",
     .acl_categories = "@slow",
     .syntax = "",
     .subcommands = object_subcommands},
    {.name = "dbsize",
     .proc = dbsize_command,
     .arity = 1,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "server",
     .summary = "Return the number of keys in the selected database",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@keyspace @read @fast",
     .syntax = ""},
    {.name = "flushdb",
     .proc = flushdb_command,
     .arity = -1,
     .flags = CMD_WRITE,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "server",
     .summary = "Remove all keys from the current database",
     .since = "1.0.0",
     .complexity = "O(N) where N is the number of keys in the selected database",
     .acl_categories = "@keyspace @write @slow @dangerous",
     .syntax = "[ASYNC | SYNC]"},
    {.name = "flushall",
     .proc = flushall_command,
     .arity = -1,
     .flags = CMD_WRITE,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "server",
     .summary = "Remove all keys from all databases",
     .since = "1.0.0",
     .complexity = "O(N) where N is the total number of keys in all databases",
     .acl_categories = "@keyspace @write @slow @dangerous",
     .syntax = "[ASYNC | SYNC]"},
    {.name = "swapdb",
     .proc = swapdb_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "server",
     .summary = "Swaps two Redis databases",
     .since = "4.0.0",
     .complexity =
         "O(N) where N is the count of clients watching or blocking on keys from both databases.",
     .acl_categories = "@keyspace @write @fast @dangerous",
     .syntax = "index1 index2"},
    {0}};
