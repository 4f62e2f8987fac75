/*
 * DEBUG: the subcommands test suites use (SLEEP, SET-ACTIVE-EXPIRE,
 * OBJECT, DIGEST, DIGEST-VALUE, POPULATE, PROTOCOL, LOG, ERROR, HELP,
 * RELOAD, LOADAOF), with Redis 7.0 replies. The command is CMD_PROTECTED:
 * dispatch refuses it unless enable-debug-command allows the client (no by
 * default, local for loopback and unix socket clients).
 *
 * Subcommands that need what keyport does not have (replication, crash
 * helpers) answer the unknown-subcommand error.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "aof.h"
#include "digest.h"
#include "keyspace.h"
#include "memory.h"
#include "quicklist.h"
#include "persist.h"
#include "rdb.h"
#include "server.h"

/* ---------- digests (digest.c) ---------- */

static void reply_digest(client *c, const unsigned char *d) {
    char hex[DIGEST_HEX_LEN + 1];
    sha1_to_hex(d, hex);
    add_reply_status(c, hex);
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
        "LOADAOF",
        "    Flush the AOF buffers on disk and reload the AOF in memory.",
        "OBJECT <key>",
        "    Show low level info about `key` and associated value.",
        "POPULATE <count> [<prefix>] [<size>]",
        "    Create <count> string keys named key:<num>. If <prefix> is specified then",
        "    it is used instead of the 'key' prefix.",
        "PROTOCOL <type>",
        "    Reply with a test value of the specified type. <type> can be: string,",
        "    integer, double, bignum, null, array, set, map, attrib, push, verbatim,",
        "    true, false.",
        "RELOAD [option ...]",
        "    Save the RDB on disk and reload it back to memory. Valid <option> values:",
        "    * MERGE: keys of the file replace keys already in memory.",
        "    * NOFLUSH: keep the current dataset and load the file on top of it; without",
        "      MERGE a key present in both fails the load.",
        "    * NOSAVE: load the existing RDB file without saving first.",
        "    Examples:",
        "    * DEBUG RELOAD: save, empty and load back the dataset.",
        "    * DEBUG RELOAD NOSAVE: replace the dataset with the existing RDB file.",
        "    * DEBUG RELOAD NOSAVE NOFLUSH MERGE: add the existing RDB file to the",
        "      dataset.",
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

/* Length of value o serialized as an RDB file holds it (Redis'
 * rdbSavedObjectLen): the DUMP payload less its type byte and its 10-byte
 * trailer. Should the serializer give nothing, strings count their bytes
 * and other values their memory. */
static size_t serialized_length(kobj *o) {
    kstr payload = rdb_dump_payload(o);
    size_t len = kstr_len(payload);
    kstr_free(payload);
    if (len > 11) return len - 11;
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

/* DEBUG DIGEST-VALUE: one digest per key, zeros for a missing key. As in
 * Redis, the key is looked up without expiring it. */
static void debug_digest_value(client *c) {
    add_reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++) {
        unsigned char d[DIGEST_LEN] = {0};
        kstr key = c->argv[j]->ptr;
        dict_entry *de = dict_find(c->db->keys, key);
        if (de) digest_value(c->db, key, de->v.val, d);
        reply_digest(c, d);
    }
}

/* DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: saves the dataset to dir/dbfilename
 * (unless NOSAVE), empties it (unless NOFLUSH) and loads the file back.
 * MERGE lets keys of the file replace keys already present; without it a
 * conflicting key fails the load. */
static void debug_reload(client *c) {
    int save = 1, flush = 1, flags = RDB_LOAD_NONE;
    for (int j = 2; j < c->argc; j++) {
        if (arg_is(c->argv[j], "merge")) {
            flags |= RDB_LOAD_ALLOW_DUP;
        } else if (arg_is(c->argv[j], "noflush")) {
            flush = 0;
        } else if (arg_is(c->argv[j], "nosave")) {
            save = 0;
        } else {
            add_reply_error(c, "ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE "
                               "options.");
            return;
        }
    }
    if (save) {
        /* A save like SAVE's: dirty and LASTSAVE move (persist.h). */
        if (persist_save_now() != C_OK) {
            add_reply_errorf(c, "ERR Error trying to save the DB: %s", strerror(errno));
            return;
        }
    }
    if (flush) db_empty(-1, 0);
    rdb_load_info info;
    memset(&info, 0, sizeof(info));
    int was_loading = server.loading;
    server.loading = 1;
    int ret = rdb_load_file(server.dbfilename, flags, &info);
    int load_errno = errno;
    server.loading = was_loading;
    if (ret != C_OK) {
        server_log(LL_WARNING, "DEBUG RELOAD: loading %s failed: %s", server.dbfilename,
                   info.err[0] ? info.err : strerror(load_errno));
        add_reply_error(c, "ERR Error trying to load the RDB dump");
        return;
    }
    persist_record_rdb_load(&info);
    server_log(LL_WARNING, "DB reloaded by DEBUG RELOAD");
    add_reply_ok(c);
}

/* DEBUG LOADAOF: flushes the AOF, empties the dataset and loads the AOF
 * back (aof.c). */
static void debug_loadaof(client *c) {
    char err[512] = "";
    if (aof_debug_reload(err, sizeof(err)) != C_OK) {
        server_log(LL_WARNING, "DEBUG LOADAOF: loading the AOF failed: %s",
                   err[0] ? err : "unknown error");
        add_reply_error(c, "ERR Error trying to load the AOF files, check server logs.");
        return;
    }
    server.dirty = 0; /* nothing of the load is propagated */
    server_log(LL_WARNING, "Append Only File loaded by DEBUG LOADAOF");
    add_reply_ok(c);
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
    } else if (arg_is(sub, "reload")) {
        debug_reload(c);
    } else if (arg_is(sub, "loadaof")) {
        debug_loadaof(c);
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
