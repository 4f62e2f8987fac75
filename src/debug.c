/*
 * DEBUG: the subcommands test suites use (SLEEP, SET-ACTIVE-EXPIRE,
 * OBJECT, DIGEST, DIGEST-VALUE, POPULATE, PROTOCOL, LOG, ERROR, HELP),
 * with Redis 7.0 replies. The command is CMD_PROTECTED: dispatch refuses it
 * unless enable-debug-command allows the client (no by default, local for
 * loopback and unix socket clients).
 *
 * Subcommands that need what keyport does not have (persistence for
 * RELOAD and LOADAOF, replication, crash helpers) answer a clear error.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "keyspace.h"
#include "memory.h"
#include "quicklist.h"
#include "server.h"
#include "sha256.h"
#include "t_hash.h"
#include "t_set.h"
#include "t_zset.h"

/* ---------- digests ---------- */

/* A dataset digest as Redis shapes it: 20 bytes, shown as 40 hex digits,
 * all zeros for nothing. Ordered parts (lists, strings) are mixed in
 * sequence; unordered ones (set members, hash fields) are XORed, so the
 * digest does not depend on hash order. */
#define DIGEST_LEN 20

static void digest_mix(unsigned char *d, const void *p, size_t len) {
    unsigned char out[SHA256_DIGEST_LEN];
    sha256_ctx ctx;
    sha256_init(&ctx);
    sha256_update(&ctx, d, DIGEST_LEN);
    sha256_update(&ctx, p, len);
    sha256_final(&ctx, out);
    memcpy(d, out, DIGEST_LEN);
}

static void digest_xor(unsigned char *d, const void *p, size_t len) {
    unsigned char out[SHA256_DIGEST_LEN];
    sha256(p, len, out);
    for (int i = 0; i < DIGEST_LEN; i++) d[i] ^= out[i];
}

/* XORs in the digest of a sequence of strings given as (p, len) pairs. */
static void digest_xor_pair(unsigned char *d, const void *a, size_t alen, const void *b,
                            size_t blen) {
    unsigned char tmp[DIGEST_LEN] = {0};
    digest_mix(tmp, a, alen);
    if (b) digest_mix(tmp, b, blen);
    for (int i = 0; i < DIGEST_LEN; i++) d[i] ^= tmp[i];
}

static void digest_list(unsigned char *d, kobj *o) {
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, o->ptr, QL_HEAD);
    while (ql_next(&it, &e)) {
        char buf[LONG_STR_SIZE];
        if (e.str) {
            digest_mix(d, e.str, e.len);
        } else {
            int n = ll2string(buf, sizeof(buf), e.ival);
            digest_mix(d, buf, (size_t)n);
        }
    }
}

/* Digest of a value; 0 when its type is not known here. */
static int digest_value(unsigned char *d, kobj *o) {
    memset(d, 0, DIGEST_LEN);
    switch (o->type) {
    case OBJ_STRING: {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *p = string_obj_ptr(o, buf, sizeof(buf), &len);
        digest_mix(d, p, len);
        return 1;
    }
    case OBJ_SET: {
        set_iter it;
        set_elem e;
        set_iter_init(&it, o);
        while (set_iter_next(&it, &e)) digest_xor(d, e.s, kstr_len(e.s));
        set_iter_release(&it);
        return 1;
    }
    case OBJ_LIST: digest_list(d, o); return 1;
    case OBJ_HASH: {
        hash_iter it;
        hash_str f, v;
        hash_iter_init(&it, o);
        while (hash_iter_next(&it, &f, &v)) digest_xor_pair(d, f.s, f.len, v.s, v.len);
        hash_iter_release(&it);
        return 1;
    }
    case OBJ_ZSET: {
        zset_iter it;
        zset_elem e;
        zset_iter_init_rank(&it, o, 0, 0);
        while (zset_iter_next(&it, &e)) {
            char score[64];
            int n = d2string(score, sizeof(score), e.score);
            digest_xor_pair(d, e.ele, e.len, score, (size_t)n);
        }
        return 1;
    }
    default: return 0;
    }
}

static void reply_digest(client *c, const unsigned char *d) {
    char hex[DIGEST_LEN * 2 + 1];
    for (int i = 0; i < DIGEST_LEN; i++) snprintf(hex + i * 2, 3, "%02x", d[i]);
    add_reply_status(c, hex);
}

/* Every key of every database: its name, type, value and expire time. */
static void digest_dataset(unsigned char *final) {
    memset(final, 0, DIGEST_LEN);
    for (int j = 0; j < server.dbnum; j++) {
        kdb *db = &server.db[j];
        if (db_size(db) == 0) continue;
        digest_mix(final, &j, sizeof(j));
        dict_iterator it;
        dict_iter_init(&it, db->keys, 0);
        dict_entry *de;
        while ((de = dict_next(&it))) {
            kstr key = de->key;
            kobj *o = de->v.val;
            unsigned char d[DIGEST_LEN] = {0}, v[DIGEST_LEN];
            digest_mix(d, key, kstr_len(key));
            int type = o->type;
            digest_mix(d, &type, sizeof(type));
            if (digest_value(v, o)) digest_mix(d, v, DIGEST_LEN);
            dict_entry *ee = dict_size(db->expires) ? dict_find(db->expires, key) : NULL;
            if (ee) digest_mix(d, &ee->v.s64, sizeof(ee->v.s64));
            for (int i = 0; i < DIGEST_LEN; i++) final[i] ^= d[i];
        }
        dict_iter_reset(&it);
    }
}

/* ---------- subcommands ---------- */

static void debug_help(client *c) {
    static const char *const help[] = {
        "DIGEST",
        "    Output a hex signature representing the current DB content.",
        "DIGEST-VALUE <key> [<key> ...]",
        "    Output a hex signature of the values of all the specified keys.",
        "ERROR <string>",
        "    Return a Redis protocol error with <string> as message. Useful for clients",
        "    unit tests to simulate Redis errors.",
        "LOG <message>",
        "    Write <message> to the server log.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "SET-ACTIVE-EXPIRE <0|1>",
        "    Setting it to 0 disables expiring keys in background when they are not",
        "    accessed (otherwise the Redis behavior). Setting it to 1 reenables back the",
        "    default.",
        "SLEEP <seconds>",
        "    Stop the server for <seconds>. Decimals allowed.",
        NULL};
    add_reply_help(c, help);
}

static void debug_sleep(client *c) {
    double seconds = strtod(c->argv[2]->ptr, NULL);
    if (!(seconds > 0)) {
        add_reply_ok(c);
        return;
    }
    struct timespec ts;
    ts.tv_sec = (time_t)seconds;
    ts.tv_nsec = (long)((seconds - (double)ts.tv_sec) * 1e9);
    while (nanosleep(&ts, &ts) != 0) {
    }
    add_reply_ok(c);
}

/* Length of value o as an RDB file would hold it, estimated: keyport
 * writes no RDB yet, so strings count their bytes and other values their
 * memory. */
static size_t serialized_length(kobj *o) {
    if (o->type == OBJ_STRING) return string_obj_len(o);
    return mem_value_usage(o, 0);
}

static void debug_object(client *c) {
    kobj *o = db_lookup(c->db, c->argv[2], LOOKUP_NOTOUCH | LOOKUP_NOSTATS | LOOKUP_NONOTIFY);
    if (!o) {
        add_reply_error(c, "ERR no such key");
        return;
    }
    kstr extra = kstr_empty();
    if (o->encoding == OBJ_ENCODING_QUICKLIST) {
        quicklist *ql = o->ptr;
        size_t raw = 0;
        for (ql_node *n = ql->head; n; n = n->next) raw += n->sz;
        extra = kstr_catfmt(extra,
                            " ql_nodes:%lu ql_avg_node:%.2f ql_listpack_max:%d ql_compressed:%d "
                            "ql_uncompressed_size:%zu",
                            ql->len, ql->len ? (double)ql->count / (double)ql->len : 0.0, ql->fill,
                            ql->compress != 0, raw);
    }
    kstr s = kstr_catfmt(kstr_empty(),
                         "Value at:%p refcount:%d encoding:%s serializedlength:%zu lru:%u "
                         "lru_seconds_idle:%llu%s",
                         (void *)o, o->refcount, obj_encoding_name(o->encoding),
                         serialized_length(o), (unsigned)o->lru, obj_idle_ms(o) / 1000, extra);
    add_reply_status_len(c, s, kstr_len(s));
    kstr_free(s);
    kstr_free(extra);
}

static void debug_populate(client *c) {
    long count, size = 0;
    if (get_positive_long_from_obj_or_reply(c, c->argv[2], &count, NULL) != C_OK) return;
    if (c->argc == 5 && get_positive_long_from_obj_or_reply(c, c->argv[4], &size, NULL) != C_OK)
        return;
    const char *prefix = c->argc >= 4 ? c->argv[3]->ptr : "key";
    for (long j = 0; j < count; j++) {
        kstr name = kstr_catfmt(kstr_empty(), "%s:%ld", prefix, j);
        kobj *key = obj_create_from_kstr(name);
        if (db_lookup_write(c->db, key)) {
            decr_ref(key);
            continue;
        }
        char buf[64];
        int n = snprintf(buf, sizeof(buf), "value:%ld", j);
        kobj *val;
        if (size == 0) {
            val = obj_create_string(buf, (size_t)n);
        } else {
            /* "value:N" cut or zero-padded to size bytes. */
            kstr v = kstr_new(NULL, (size_t)size);
            memcpy(v, buf, (size_t)n < (size_t)size ? (size_t)n : (size_t)size);
            val = obj_create_from_kstr(v);
        }
        db_add(c->db, key, val);
        signal_modified_key(c, c->db, key);
        decr_ref(key);
    }
    add_reply_ok(c);
}

static void debug_protocol(client *c) {
    const char *name = c->argv[2]->ptr;
    if (!strcasecmp(name, "string")) {
        add_reply_bulk_cstr(c, "Hello World");
    } else if (!strcasecmp(name, "integer")) {
        add_reply_ll(c, 12345);
    } else if (!strcasecmp(name, "double")) {
        add_reply_double(c, 3.141);
    } else if (!strcasecmp(name, "bignum")) {
        static const char big[] = "1234567999999999999999999999999999999";
        if (c->resp >= 3)
            add_reply_proto(c, "(1234567999999999999999999999999999999\r\n", sizeof(big) + 2);
        else
            add_reply_bulk_cstr(c, big);
    } else if (!strcasecmp(name, "null")) {
        add_reply_null(c);
    } else if (!strcasecmp(name, "array")) {
        add_reply_array_len(c, 3);
        for (int j = 0; j < 3; j++) add_reply_ll(c, j);
    } else if (!strcasecmp(name, "set")) {
        add_reply_set_len(c, 3);
        for (int j = 0; j < 3; j++) add_reply_ll(c, j);
    } else if (!strcasecmp(name, "map")) {
        add_reply_map_len(c, 3);
        for (int j = 0; j < 3; j++) {
            add_reply_ll(c, j);
            add_reply_bool(c, j == 1);
        }
    } else if (!strcasecmp(name, "attrib")) {
        if (c->resp >= 3) {
            add_reply_proto(c, "|1\r\n", 4);
            add_reply_bulk_cstr(c, "key-popularity");
            add_reply_array_len(c, 2);
            add_reply_bulk_cstr(c, "key:123");
            add_reply_ll(c, 90);
        }
        add_reply_bulk_cstr(c, "Some real reply following the attribute");
    } else if (!strcasecmp(name, "push")) {
        if (c->resp < 3) {
            add_reply_error(c, "ERR RESP2 is not supported by this command");
            return;
        }
        add_reply_push_len(c, 2);
        add_reply_bulk_cstr(c, "server-cpu-usage");
        add_reply_ll(c, 42);
        add_reply_bulk_cstr(c, "Some real reply following the push reply");
    } else if (!strcasecmp(name, "true")) {
        add_reply_bool(c, 1);
    } else if (!strcasecmp(name, "false")) {
        add_reply_bool(c, 0);
    } else if (!strcasecmp(name, "verbatim")) {
        add_reply_verbatim(c, "This is a verbatim\nstring", 25, "txt");
    } else {
        add_reply_error(c, "ERR Wrong protocol type name. Please use one of the following: "
                           "string|integer|double|bignum|null|array|set|map|attrib|push|"
                           "verbatim|true|false");
    }
}

static void debug_digest_value(client *c) {
    add_reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        unsigned char d[DIGEST_LEN] = {0};
        kobj *o = db_lookup(c->db, c->argv[j], LOOKUP_NOTOUCH | LOOKUP_NOSTATS);
        if (o) digest_value(d, o);
        reply_digest(c, d);
    }
}

static void debug_command(client *c) {
    kobj *sub = c->argv[1];
    int argc = c->argc;
    if (arg_is(sub, "help") && argc == 2) {
        debug_help(c);
    } else if (arg_is(sub, "sleep") && argc == 3) {
        debug_sleep(c);
    } else if (arg_is(sub, "set-active-expire") && argc == 3) {
        server.active_expire_enabled = atoi(c->argv[2]->ptr);
        add_reply_ok(c);
    } else if (arg_is(sub, "object") && argc == 3) {
        debug_object(c);
    } else if (arg_is(sub, "populate") && argc >= 3 && argc <= 5) {
        debug_populate(c);
    } else if (arg_is(sub, "protocol") && argc == 3) {
        debug_protocol(c);
    } else if (arg_is(sub, "digest") && argc == 2) {
        unsigned char d[DIGEST_LEN];
        digest_dataset(d);
        reply_digest(c, d);
    } else if (arg_is(sub, "digest-value") && argc >= 2) {
        debug_digest_value(c);
    } else if (arg_is(sub, "log") && argc == 3) {
        server_log(LL_WARNING, "DEBUG LOG: %s", (char *)c->argv[2]->ptr);
        add_reply_ok(c);
    } else if (arg_is(sub, "error") && argc == 3) {
        add_reply_error(c, c->argv[2]->ptr);
    } else if ((arg_is(sub, "reload") || arg_is(sub, "loadaof"))) {
        add_reply_errorf(c, "ERR DEBUG %s is not supported: persistence is not implemented yet",
                         arg_is(sub, "reload") ? "RELOAD" : "LOADAOF");
    } else {
        add_reply_error_subcommand(c);
    }
}

kcommand debug_commands[] = {
    {.name = "debug",
     .proc = debug_command,
     .arity = -2,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_PROTECTED,
     .group = "server",
     .summary = "A container for debugging commands",
     .since = "1.0.0",
     .complexity = "Depends on subcommand.",
     .acl_categories = "@admin @slow @dangerous",
     .syntax = "subcommand [argument ...]"},
    {.name = NULL}};
