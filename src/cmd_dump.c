/*
 * DUMP and RESTORE with Redis 7.0's semantics, replies and error texts.
 * The payload is the RDB serialization of one value (rdb.h), so payloads
 * move between keyport and Redis 7.0 in both directions.
 *
 * RESTORE with a relative TTL propagates as RESTORE key <absolute ms>
 * payload ... ABSTTL, so that a replayed AOF gives the key the same
 * expiry time.
 */
#include <limits.h>

#include "keyspace.h"
#include "notify.h"
#include "propagate.h"
#include "rdb.h"

static void dump_command(client *c) {
    kobj *o = db_lookup_read(c->db, c->argv[1]);
    if (!o) {
        add_reply_null(c);
        return;
    }
    add_reply_bulk_kstr(c, rdb_dump_payload(o));
}

/* RESTORE's options after the payload. */
typedef struct restore_opts {
    int replace;
    int absttl;
    long long idle; /* seconds, -1 when not given */
    long long freq; /* 0..255, -1 when not given (accepted, no LFU here) */
} restore_opts;

static int parse_restore_opts(client *c, restore_opts *o) {
    o->replace = o->absttl = 0;
    o->idle = o->freq = -1;
    for (int j = 4; j < c->argc; j++) {
        int more = c->argc - j - 1;
        kobj *a = c->argv[j];
        if (arg_is(a, "replace")) {
            o->replace = 1;
        } else if (arg_is(a, "absttl")) {
            o->absttl = 1;
        } else if (arg_is(a, "idletime") && more >= 1 && o->freq == -1) {
            if (arg_to_ll_or_reply(c, c->argv[j + 1], &o->idle, NULL) == C_ERR) return C_ERR;
            if (o->idle < 0) {
                add_reply_error(c, "ERR Invalid IDLETIME value, must be >= 0");
                return C_ERR;
            }
            j++;
        } else if (arg_is(a, "freq") && more >= 1 && o->idle == -1) {
            if (arg_to_ll_or_reply(c, c->argv[j + 1], &o->freq, NULL) == C_ERR) return C_ERR;
            if (o->freq < 0 || o->freq > 255) {
                add_reply_error(c, "ERR Invalid FREQ value, must be >= 0 and <= 255");
                return C_ERR;
            }
            j++;
        } else {
            add_reply_error_syntax(c);
            return C_ERR;
        }
    }
    return C_OK;
}

/* Propagates RESTORE key <when> payload <options...> ABSTTL. */
static void propagate_absolute_ttl(client *c, long long when) {
    int argc = c->argc + 1;
    kobj **argv = zmalloc(sizeof(kobj *) * (size_t)argc);
    for (int j = 0; j < c->argc; j++) {
        if (j == 2) {
            argv[j] = obj_create_from_ll(when);
        } else {
            argv[j] = c->argv[j];
            incr_ref(argv[j]);
        }
    }
    argv[c->argc] = obj_create_string("ABSTTL", 6);
    propagate_replace_argv(c, argc, argv);
}

/* Propagates DEL key (RESTORE REPLACE of an already expired value). */
static void propagate_del(client *c, kobj *key) {
    kobj **argv = zmalloc(sizeof(kobj *) * 2);
    argv[0] = obj_create_string("DEL", 3);
    argv[1] = key;
    incr_ref(key);
    propagate_replace_argv(c, 2, argv);
}

static void restore_command(client *c) {
    restore_opts opts;
    if (parse_restore_opts(c, &opts) == C_ERR) return;
    kobj *key = c->argv[1];
    if (!opts.replace && db_lookup_write(c->db, key)) {
        add_reply_error(c, "BUSYKEY Target key name already exists.");
        return;
    }
    long long ttl;
    if (arg_to_ll_or_reply(c, c->argv[2], &ttl, NULL) == C_ERR) return;
    if (ttl < 0) {
        add_reply_error(c, "ERR Invalid TTL value, must be >= 0");
        return;
    }
    char err[128];
    kobj *payload = c->argv[3];
    char buf[LONG_STR_SIZE];
    size_t plen;
    const char *p = string_obj_ptr(payload, buf, sizeof(buf), &plen);
    kobj *val = rdb_restore_payload((const unsigned char *)p, plen, err, sizeof(err));
    if (!val) {
        add_reply_error(c, err);
        return;
    }

    long long now = mstime();
    if (ttl && !opts.absttl) {
        if (ttl > LLONG_MAX - now) {
            decr_ref(val);
            reply_invalid_expire(c);
            return;
        }
        ttl += now;
    }
    incr_ref(key); /* the argv may be replaced below */
    int deleted = opts.replace ? db_delete(c->db, key) : 0;
    if (ttl && ttl <= now && !server.loading) {
        /* Already expired: the key is not created (and an old one is gone). */
        decr_ref(val);
        if (deleted) {
            signal_modified_key(c, c->db, key);
            notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
            server.dirty++;
            propagate_del(c, key);
        }
        decr_ref(key);
        add_reply_ok(c);
        return;
    }
    db_add(c->db, key, val);
    if (ttl) {
        db_set_expire(c->db, key, ttl);
        if (!opts.absttl) propagate_absolute_ttl(c, ttl);
    }
    if (opts.idle >= 0) rdb_set_idle(val, opts.idle);
    signal_modified_key(c, c->db, key);
    notify_keyspace_event(NOTIFY_GENERIC, "restore", key, c->db->id);
    decr_ref(key);
    add_reply_ok(c);
    server.dirty++;
}

kcommand dump_commands[] = {
    {.name = "dump",
     .proc = dump_command,
     .arity = 2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Return a serialized version of the value stored at the specified key.",
     .since = "2.6.0",
     .complexity = "O(1) to access the key and additional O(N*M) to serialize it, where N is the "
                   "number of Redis objects composing the value and M their average size. For "
                   "small string values the time complexity is thus O(1)+O(1*M) where M is small, "
                   "so simply O(1).",
     .acl_categories = "@keyspace @read @slow",
     .syntax = "key"},
    {.name = "restore",
     .proc = restore_command,
     .arity = -4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Create a key using the provided serialized value, previously obtained using DUMP.",
     .since = "2.6.0",
     .complexity = "O(1) to create the new key and additional O(N*M) to reconstruct the serialized "
                   "value, where N is the number of Redis objects composing the value and M their "
                   "average size. For small string values the time complexity is thus "
                   "O(1)+O(1*M) where M is small, so simply O(1). However for sorted set values "
                   "the complexity is O(N*M*log(N)) because inserting values into sorted sets is "
                   "O(log(N)).",
     .acl_categories = "@keyspace @write @slow @dangerous",
     .syntax = "key ttl serialized-value [REPLACE] [ABSTTL] [IDLETIME seconds] [FREQ frequency]"},
    {0}};
