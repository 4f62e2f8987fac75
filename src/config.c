/*
 * The directive table and the typed machinery every front end shares: the
 * config file loader (config_load.c), the command line, CONFIG GET/SET
 * (config_cmd.c), CONFIG REWRITE (config_rewrite.c) and the generated
 * reference in docs/config.md (config_doc.c).
 *
 * Values are stored straight into struct server. Errors use Redis 7's
 * texts ("argument couldn't be parsed into an integer", ...) so that
 * CONFIG SET replies match Redis byte for byte.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_internal.h"
#include "aof.h"
#include "listen.h"
#include "server.h"

static const cfg_enum loglevel_enum[] = {{"debug", LL_DEBUG},
                                         {"verbose", LL_VERBOSE},
                                         {"notice", LL_NOTICE},
                                         {"warning", LL_WARNING},
                                         {NULL, 0}};

static const cfg_enum sanitize_dump_enum[] = {{"no", SANITIZE_DUMP_NO},
                                              {"yes", SANITIZE_DUMP_YES},
                                              {"clients", SANITIZE_DUMP_CLIENTS},
                                              {NULL, 0}};

static const cfg_enum aof_fsync_enum[] = {{"everysec", AOF_FSYNC_EVERYSEC},
                                          {"always", AOF_FSYNC_ALWAYS},
                                          {"no", AOF_FSYNC_NO},
                                          {NULL, 0}};

static const cfg_enum acl_pubsub_enum[] = {{"resetchannels", 0}, {"allchannels", 1}, {NULL, 0}};

static const cfg_enum protected_action_enum[] = {{"no", PROTECTED_ACTION_ALLOWED_NO},
                                                 {"yes", PROTECTED_ACTION_ALLOWED_YES},
                                                 {"local", PROTECTED_ACTION_ALLOWED_LOCAL},
                                                 {NULL, 0}};

#define F(field) ((void *)&server.field)

#define BOOL_CFG(n, fl, field, def, ap, d)                                                         \
    {                                                                                              \
        .name = n, .type = CFG_BOOL, .flags = fl, .ptr = F(field), .deflt = def, .apply = ap,      \
        .desc = d                                                                                  \
    }
#define NUM_CFG(n, ty, fl, field, w, lo, hi, def, ap, d)                                           \
    {                                                                                              \
        .name = n, .type = ty, .flags = fl, .ptr = F(field), .width = w, .min = lo, .max = hi,     \
        .deflt = def, .apply = ap, .desc = d                                                       \
    }
#define ENUM_CFG(n, fl, field, en, def, ap, d)                                                     \
    {                                                                                              \
        .name = n, .type = CFG_ENUM, .flags = fl, .ptr = F(field), .enums = en, .deflt = def,      \
        .apply = ap, .desc = d                                                                     \
    }
#define STR_CFG(n, fl, field, def, ap, d)                                                          \
    {                                                                                              \
        .name = n, .type = CFG_STRING, .flags = fl, .ptr = F(field), .deflt = def, .apply = ap,    \
        .desc = d                                                                                  \
    }
#define SPECIAL_CFG(n, fl, field, def, pa, fo, rw, ap, syn, d)                                     \
    {                                                                                              \
        .name = n, .type = CFG_SPECIAL, .flags = fl, .ptr = field, .deflt = def, .parse = pa,      \
        .format = fo, .rewrite = rw, .apply = ap, .syntax = syn, .desc = d                         \
    }

#define IMM CFG_F_IMMUTABLE
#define KP CFG_F_KEYPORT

/* The one table. Order is the order of CONFIG GET * and of the docs. */
const config_def config_table[] = {
    /* Transports and listeners (keyport). */
    SPECIAL_CFG("loadtransport", CFG_F_LOADER | IMM | CFG_F_MULTI_ARG | KP, NULL, NULL,
                cfg_parse_loader, NULL, NULL, NULL, "NAME|PATH [args...]",
                "Loads a transport plugin by name (build tree, then the install directory) or "
                "by path. Startup only; processed before every other line."),
    SPECIAL_CFG("listen", CFG_F_LOADER | IMM | CFG_F_MULTI_ARG | KP, NULL, NULL, cfg_parse_loader,
                NULL, NULL, NULL, "TRANSPORT PORT|PATH [bind ADDR...] [key value...]",
                "Adds a listener bound to a loaded transport; may be repeated. Keys are the "
                "transport's own (e.g. tls-cert-file) and override the global defaults."),
    SPECIAL_CFG("include", CFG_F_LOADER | IMM | CFG_F_MULTI_ARG, NULL, NULL, cfg_parse_loader, NULL,
                NULL, NULL, "PATH",
                "Reads another config file (glob patterns allowed) at this point."),
    STR_CFG("tls-transport", CFG_F_EMPTY_NULL | KP, tls_transport, "", cfg_apply_listeners,
            "Transport of the tls-port listener; empty: openssl when loaded, else gnutls, else "
            "the first loaded TLS transport."),

    /* Network. */
    NUM_CFG("port", CFG_INT, 0, port, CFG_W_INT, 0, 65535, "6379", cfg_apply_listeners,
            "TCP port of the implicit tcp listener; 0 disables it."),
    SPECIAL_CFG("bind", CFG_F_MULTI_ARG, NULL, "127.0.0.1", cfg_parse_bind, cfg_format_bind,
                cfg_rewrite_bind, cfg_apply_listeners, "ADDR [ADDR ...]",
                "Addresses of the port and tls-port listeners (up to 16; a leading '-' marks an "
                "address that may be unavailable)."),
    STR_CFG("unixsocket", CFG_F_EMPTY_NULL, unixsocket, "", cfg_apply_listeners,
            "Path of the implicit unix socket listener; empty disables it."),
    NUM_CFG("unixsocketperm", CFG_INT, CFG_F_OCTAL, unixsocketperm, CFG_W_UINT, 0, 0777, "0",
            cfg_apply_listeners,
            "Permissions (octal) of the unixsocket file, and the default of every unix "
            "listener; 0 keeps the umask's."),
    NUM_CFG("tls-port", CFG_INT, 0, tls_port, CFG_W_INT, 0, 65535, "0", cfg_apply_listeners,
            "Port of the implicit TLS listener (on tls-transport, over tcp); 0 disables it."),
    NUM_CFG("tcp-backlog", CFG_INT, IMM, tcp_backlog, CFG_W_INT, 0, INT_MAX, "511", NULL,
            "listen() backlog of every listening socket."),
    NUM_CFG("tcp-keepalive", CFG_INT, 0, tcpkeepalive, CFG_W_INT, 0, INT_MAX, "300", NULL,
            "TCP keepalive interval in seconds for client connections (0: off); also the "
            "default of the tcp transport's tcp-keepalive key."),
    NUM_CFG("timeout", CFG_INT, 0, maxidletime, CFG_W_INT, 0, INT_MAX, "0", NULL,
            "Closes clients idle for this many seconds (0: never)."),
    NUM_CFG("maxclients", CFG_INT, 0, maxclients, CFG_W_UINT, 1, UINT_MAX, "10000",
            cfg_apply_maxclients,
            "Maximum number of connected clients, connections in a TLS handshake included."),
    NUM_CFG("max-new-connections-per-cycle", CFG_INT, KP, max_new_conns_per_cycle, CFG_W_INT, 1,
            1000, "10", NULL, "Connections a listener accepts per event-loop cycle."),
    NUM_CFG("max-new-tls-connections-per-cycle", CFG_INT, KP, max_new_tls_conns_per_cycle,
            CFG_W_INT, 1, 1000, "1", NULL,
            "Connections a TLS listener accepts per event-loop cycle (handshakes are costly)."),
    NUM_CFG("tls-handshake-timeout", CFG_INT, KP, tls_handshake_timeout, CFG_W_LL, 0, 86400000,
            "10000", NULL,
            "Milliseconds a connection may spend in its transport handshake before it is "
            "closed (0: no limit)."),
    NUM_CFG("tls-auto-reload-interval", CFG_INT, KP, tls_auto_reload_interval, CFG_W_INT, 0, 86400,
            "0", NULL,
            "Seconds between checks of every TLS listener's certificate, key, CA and DH files; "
            "a listener whose files changed is reloaded atomically (0: never)."),
    BOOL_CFG("tls-replication", 0, tls_replication, "no", NULL,
             "Use TLS for replication links (stored: replication is a later issue)."),
    BOOL_CFG("tls-cluster", 0, tls_cluster, "no", NULL,
             "Use TLS for the cluster bus (stored: cluster is a later issue)."),
    BOOL_CFG("protected-mode", 0, protected_mode, "yes", NULL,
             "Refuse clients from outside loopback and unix sockets while the default user has "
             "no password."),

    /* Client limits. */
    NUM_CFG("proto-max-bulk-len", CFG_MEMORY, 0, proto_max_bulk_len, CFG_W_LL, 1024 * 1024,
            LLONG_MAX, "512mb", NULL, "Largest bulk string a client may send."),
    NUM_CFG("client-query-buffer-limit", CFG_MEMORY, 0, client_max_querybuf_len, CFG_W_ULL,
            1024 * 1024, LLONG_MAX, "1gb", NULL,
            "Largest query buffer of one client; beyond it the client is closed."),
    SPECIAL_CFG("client-output-buffer-limit", CFG_F_MULTI_ARG, NULL,
                "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60",
                cfg_parse_obuf, cfg_format_obuf, cfg_rewrite_obuf, NULL,
                "CLASS HARD SOFT SECONDS [CLASS HARD SOFT SECONDS ...]",
                "Output buffer limits per client class (normal, replica/slave, pubsub): close "
                "at HARD bytes, or after SECONDS above SOFT bytes (0: no limit)."),

    /* Server. */
    NUM_CFG("databases", CFG_INT, IMM, dbnum, CFG_W_INT, 1, INT_MAX, "16", NULL,
            "Number of databases (SELECT 0 to databases-1)."),
    NUM_CFG("hz", CFG_INT, CFG_F_LOAD_APPLY, config_hz, CFG_W_INT, 0, INT_MAX, "10", cfg_apply_hz,
            "Server cron frequency; clamped to 1..500."),
    BOOL_CFG("dynamic-hz", 0, dynamic_hz, "yes", NULL,
             "Scale hz with the number of clients (stored: hz does not adapt yet)."),
    BOOL_CFG("daemonize", IMM, daemonize, "no", NULL, "Run in the background."),
    STR_CFG("pidfile", IMM | CFG_F_EMPTY_NULL, pidfile, "", NULL,
            "File the process id is written to at startup and removed at shutdown."),
    SPECIAL_CFG("dir", CFG_F_PROTECTED | CFG_F_ALWAYS_REWRITE, NULL, NULL, cfg_parse_dir,
                cfg_format_dir, NULL, NULL, "PATH",
                "Working directory (chdir); relative paths of later directives are relative to "
                "it."),
    ENUM_CFG("loglevel", 0, verbosity, loglevel_enum, "notice", NULL,
             "Log verbosity: debug, verbose, notice or warning."),
    STR_CFG("logfile", IMM, logfile, "", NULL, "Log file; empty: standard output."),
    BOOL_CFG("syslog-enabled", IMM, syslog_enabled, "no", NULL,
             "Log to syslog too (stored: syslog output is not implemented yet)."),
    STR_CFG("requirepass", CFG_F_EMPTY_NULL, requirepass, "", cfg_apply_requirepass,
            "Password of the default user (AUTH password, HELLO AUTH default password); "
            "empty: the default user needs none."),
    ENUM_CFG("enable-debug-command", IMM, enable_debug_cmd, protected_action_enum, "no", NULL,
             "Allow DEBUG: no, yes, or local (loopback and unix socket clients only)."),
    ENUM_CFG("enable-protected-configs", IMM, enable_protected_configs, protected_action_enum, "no",
             NULL, "Allow CONFIG SET of protected directives (dir, dbfilename): no, yes, local."),

    /* Users and access control (acl.h, docs/security.md). */
    SPECIAL_CFG("user", IMM | CFG_F_MULTI_ARG | CFG_F_HIDDEN | CFG_F_ALWAYS_REWRITE, NULL, "",
                cfg_parse_user, cfg_format_none, cfg_rewrite_user, NULL, "NAME [RULE ...]",
                "Defines an ACL user with ACL SETUSER rules; may be repeated. CONFIG REWRITE "
                "writes every user (none when an aclfile is used)."),
    STR_CFG("aclfile", IMM | CFG_F_EMPTY_NULL, acl_filename, "", NULL,
            "File of users (ACL LOAD, ACL SAVE); cannot be combined with user lines."),
    NUM_CFG("acllog-max-len", CFG_INT, 0, acllog_max_len, CFG_W_LL, 0, LLONG_MAX, "128", NULL,
            "Entries kept by ACL LOG."),
    ENUM_CFG("acl-pubsub-default", 0, acl_pubsub_default, acl_pubsub_enum, "resetchannels", NULL,
             "Channel permissions of new users: resetchannels (none) or allchannels."),
    SPECIAL_CFG("rename-command", IMM | CFG_F_MULTI_ARG | CFG_F_HIDDEN, NULL, "", cfg_parse_rename,
                cfg_format_none, cfg_rewrite_rename, NULL, "COMMAND NEW-NAME",
                "Renames a command; an empty name (\"\") removes it. ACL rules keep the original "
                "names. May be repeated."),
    NUM_CFG("io-threads", CFG_INT, IMM, io_threads_num, CFG_W_INT, 1, 128, "1", NULL,
            "Number of I/O threads (stored: threading is a later issue)."),
    BOOL_CFG("io-threads-do-reads", IMM, io_threads_do_reads, "no", NULL,
             "Let I/O threads read and parse too (stored: threading is a later issue)."),
    BOOL_CFG("latency-tracking", 0, latency_tracking, "yes", NULL,
             "Track per-command latency (stored)."),

    /* Keyspace. */
    BOOL_CFG("activerehashing", 0, activerehashing, "yes", NULL,
             "Rehash the keyspace incrementally from the cron as well as on access."),
    BOOL_CFG("active-expire-enabled", CFG_F_HIDDEN | KP, active_expire_enabled, "yes", NULL,
             "Expire keys from the cron (DEBUG SET-ACTIVE-EXPIRE in Redis); for tests."),
    NUM_CFG("active-expire-effort", CFG_INT, 0, active_expire_effort, CFG_W_INT, 1, 10, "1", NULL,
            "CPU effort of active expiry, 1 to 10."),
    BOOL_CFG("lazyfree-lazy-user-del", 0, lazyfree_lazy_user_del, "no", NULL,
             "DEL frees large values in the background, as UNLINK does."),
    BOOL_CFG("lazyfree-lazy-user-flush", 0, lazyfree_lazy_user_flush, "no", NULL,
             "FLUSHALL/FLUSHDB without a mode flag run ASYNC."),
    NUM_CFG("maxmemory", CFG_MEMORY, 0, maxmemory, CFG_W_ULL, 0, LLONG_MAX, "0", NULL,
            "Memory limit (stored and shown in INFO; not enforced yet)."),
    SPECIAL_CFG("notify-keyspace-events", 0, NULL, "", cfg_parse_notify, cfg_format_notify, NULL,
                NULL, "FLAGS",
                "Keyspace notification classes (K E g $ l s h z x e t m d n, A = g$lshzxetd); "
                "empty disables them."),
    NUM_CFG("set-max-intset-entries", CFG_INT, 0, set_max_intset_entries, CFG_W_LL, 0, LLONG_MAX,
            "512", NULL, "Sets of integers up to this size are stored as a compact intset."),
    NUM_CFG("hll-sparse-max-bytes", CFG_MEMORY, 0, hll_sparse_max_bytes, CFG_W_LL, 0, LLONG_MAX,
            "3000", NULL,
            "HyperLogLogs stay in the sparse encoding up to this many bytes (header included)."),
    {.name = "hash-max-listpack-entries",
     .alias = "hash-max-ziplist-entries",
     .type = CFG_INT,
     .ptr = F(hash_max_listpack_entries),
     .width = CFG_W_ULL,
     .min = 0,
     .max = LLONG_MAX,
     .deflt = "512",
     .desc = "Hashes with more fields than this leave the compact listpack encoding."},
    {.name = "hash-max-listpack-value",
     .alias = "hash-max-ziplist-value",
     .type = CFG_MEMORY,
     .ptr = F(hash_max_listpack_value),
     .width = CFG_W_ULL,
     .min = 0,
     .max = LLONG_MAX,
     .deflt = "64",
     .desc = "Hashes with a field or value longer than this (bytes) leave the listpack "
             "encoding."},
    {.name = "zset-max-listpack-entries",
     .alias = "zset-max-ziplist-entries",
     .type = CFG_INT,
     .ptr = F(zset_max_listpack_entries),
     .width = CFG_W_ULL,
     .min = 0,
     .max = LLONG_MAX,
     .deflt = "128",
     .desc = "Sorted sets with more members than this leave the compact listpack encoding "
             "for a skiplist."},
    {.name = "zset-max-listpack-value",
     .alias = "zset-max-ziplist-value",
     .type = CFG_MEMORY,
     .ptr = F(zset_max_listpack_value),
     .width = CFG_W_ULL,
     .min = 0,
     .max = LLONG_MAX,
     .deflt = "64",
     .desc = "Sorted sets with a member longer than this (bytes) leave the listpack encoding."},
    {.name = "list-max-listpack-size",
     .alias = "list-max-ziplist-size",
     .type = CFG_INT,
     .ptr = F(list_max_listpack_size),
     .width = CFG_W_INT,
     .min = INT_MIN,
     .max = INT_MAX,
     .deflt = "-2",
     .desc = "Size of each list node (new lists): N > 0 entries, or -1..-5 for 4, 8, 16, 32, "
             "64 KiB."},
    {.name = "list-compress-depth",
     .type = CFG_INT,
     .flags = CFG_F_NOT_IMPL,
     .ptr = F(list_compress_depth),
     .width = CFG_W_INT,
     .min = 0,
     .max = INT_MAX,
     .deflt = "0",
     .desc = "List nodes kept uncompressed at each end (accepted and stored; list nodes are "
             "never compressed)."},

    /* Persistence (persist.h, rdb.h, aof.h). */
    SPECIAL_CFG("save", CFG_F_MULTI_ARG, NULL, "3600 1 300 100 60 10000", cfg_parse_save,
                cfg_format_save, cfg_rewrite_save, NULL,
                "SECONDS CHANGES [SECONDS CHANGES ...] | \"\"",
                "RDB save points: BGSAVE when at least CHANGES writes happened in SECONDS seconds; "
                "\"\" disables them."),
    SPECIAL_CFG("dbfilename", CFG_F_PROTECTED, NULL, "dump.rdb", cfg_parse_dbfilename,
                cfg_format_dbfilename, NULL, NULL, "FILENAME", "RDB file name, inside `dir`."),
    BOOL_CFG("rdbcompression", 0, rdb_compression, "yes", NULL,
             "Compress strings longer than 20 bytes in RDB files with LZF."),
    BOOL_CFG("rdbchecksum", 0, rdb_checksum, "yes", NULL,
             "Write a CRC64 checksum at the end of RDB files and DUMP payloads, and check it when "
             "loading."),
    BOOL_CFG("stop-writes-on-bgsave-error", 0, stop_writes_on_bgsave_err, "yes", NULL,
             "Refuse writes with -MISCONF while the last background save failed."),
    BOOL_CFG("rdb-save-incremental-fsync", 0, rdb_save_incremental_fsync, "yes", NULL,
             "fsync the RDB file every 4 MiB written while saving."),
    ENUM_CFG("sanitize-dump-payload", 0, sanitize_dump_payload, sanitize_dump_enum, "no", NULL,
             "Deep checks of RESTORE payloads: no, yes, clients (keyport always checks compact "
             "encodings deeply; accepted for compatibility)."),
    NUM_CFG("rdb-key-save-delay", CFG_INT, CFG_F_HIDDEN, rdb_key_save_delay, CFG_W_INT, INT_MIN,
            INT_MAX, "0", NULL, "Microseconds to sleep per key saved (testing aid)."),
    NUM_CFG("key-load-delay", CFG_INT, CFG_F_HIDDEN, key_load_delay, CFG_W_INT, INT_MIN, INT_MAX,
            "0", NULL, "Microseconds to sleep per key loaded (testing aid)."),
    BOOL_CFG("appendonly", 0, appendonly, "no", aof_config_apply_appendonly,
             "Log every write to the append-only file (multi-part AOF in appenddirname)."),
    STR_CFG("appendfilename", IMM, aof_filename, "appendonly.aof", NULL,
            "Base name of the AOF parts and manifest."),
    STR_CFG("appenddirname", IMM, aof_dirname, "appendonlydir", NULL,
            "Directory of the AOF parts, inside `dir`."),
    ENUM_CFG("appendfsync", 0, aof_fsync, aof_fsync_enum, "everysec", NULL,
             "When the AOF is fsynced: always (before replying), everysec, no (left to the "
             "kernel)."),
    BOOL_CFG("no-appendfsync-on-rewrite", 0, aof_no_fsync_on_rewrite, "no", NULL,
             "Skip AOF fsyncs while a background save or rewrite runs."),
    NUM_CFG("auto-aof-rewrite-percentage", CFG_INT, 0, aof_rewrite_perc, CFG_W_INT, 0, INT_MAX,
            "100", NULL,
            "Rewrite the AOF when it grew by this percentage since the last rewrite "
            "(0 disables)."),
    NUM_CFG("auto-aof-rewrite-min-size", CFG_MEMORY, 0, aof_rewrite_min_size, CFG_W_LL, 0,
            LLONG_MAX, "64mb", NULL, "No automatic AOF rewrite below this size."),
    BOOL_CFG("aof-load-truncated", 0, aof_load_truncated, "yes", NULL,
             "Load an AOF whose last command is cut short (logging it) instead of refusing to "
             "start."),
    BOOL_CFG("aof-use-rdb-preamble", 0, aof_use_rdb_preamble, "yes", NULL,
             "Write the AOF base file in RDB format on rewrite."),
    BOOL_CFG("aof-timestamp-enabled", 0, aof_timestamp_enabled, "no", NULL,
             "Write #TS:<unix time> annotations into the AOF."),
    BOOL_CFG("aof-rewrite-incremental-fsync", 0, aof_rewrite_incremental_fsync, "yes", NULL,
             "fsync the rewritten AOF every 4 MiB written."),

    {.name = NULL}};

#undef IMM
#undef KP

/* ---------- lookup ---------- */

const config_def *config_find(const char *name) {
    for (const config_def *d = config_table; d->name; d++) {
        if (!strcasecmp(d->name, name)) return d;
        if (d->alias && !strcasecmp(d->alias, name)) return d;
    }
    return NULL;
}

/* ---------- typed parsing ---------- */

static int parse_bool(const char *s, int *out) {
    if (!strcasecmp(s, "yes"))
        *out = 1;
    else if (!strcasecmp(s, "no"))
        *out = 0;
    else
        return 0;
    return 1;
}

/* Octal digits only, as unixsocketperm accepts them ("700", "0770"). */
static int parse_octal(const char *s, long long *out) {
    size_t n = strlen(s);
    if (n == 0 || n > 11) return 0;
    long long v = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '7') return 0;
        v = v * 8 + (s[i] - '0');
    }
    *out = v;
    return 1;
}

static int width_is_unsigned(cfg_width w) {
    return w == CFG_W_UINT || w == CFG_W_ULL;
}

/* Parses a CFG_INT / CFG_MEMORY value and checks its range. */
static int parse_number(const config_def *d, const char *s, long long *out, char *err,
                        size_t errlen) {
    long long v;
    if (d->type == CFG_MEMORY) {
        int memerr = 0;
        v = memtoll(s, &memerr);
        if (memerr || (v < 0 && width_is_unsigned(d->width))) {
            snprintf(err, errlen, "argument must be a memory value");
            return -1;
        }
    } else if (d->flags & CFG_F_OCTAL) {
        if (!parse_octal(s, &v)) {
            snprintf(err, errlen, "argument couldn't be parsed as an octal number");
            return -1;
        }
    } else if (!string2ll(s, strlen(s), &v)) {
        snprintf(err, errlen, "argument couldn't be parsed into an integer");
        return -1;
    }
    if (v < d->min || v > d->max) {
        if (d->flags & CFG_F_OCTAL)
            snprintf(err, errlen, "argument must be between %llo and %llo inclusive",
                     (unsigned long long)d->min, (unsigned long long)d->max);
        else
            snprintf(err, errlen, "argument must be between %lld and %lld inclusive", d->min,
                     d->max);
        return -1;
    }
    *out = v;
    return 0;
}

static void store_number(const config_def *d, long long v) {
    switch (d->width) {
    case CFG_W_INT: *(int *)d->ptr = (int)v; break;
    case CFG_W_UINT: *(unsigned int *)d->ptr = (unsigned int)v; break;
    case CFG_W_LL: *(long long *)d->ptr = v; break;
    case CFG_W_ULL: *(unsigned long long *)d->ptr = (unsigned long long)v; break;
    }
}

static long long load_number(const config_def *d) {
    switch (d->width) {
    case CFG_W_INT: return *(int *)d->ptr;
    case CFG_W_UINT: return *(unsigned int *)d->ptr;
    case CFG_W_LL: return *(long long *)d->ptr;
    case CFG_W_ULL: return (long long)*(unsigned long long *)d->ptr;
    }
    return 0;
}

static int parse_enum(const config_def *d, const char *s, int *out, char *err, size_t errlen) {
    for (const cfg_enum *e = d->enums; e->name; e++) {
        if (!strcasecmp(e->name, s)) {
            *out = e->value;
            return 0;
        }
    }
    size_t used = (size_t)snprintf(err, errlen, "argument(s) must be one of the following: ");
    for (const cfg_enum *e = d->enums; e->name && used < errlen; e++)
        used +=
            (size_t)snprintf(err + used, errlen - used, "%s%s", e == d->enums ? "" : ", ", e->name);
    return -1;
}

static const char *enum_name(const config_def *d, int v) {
    for (const cfg_enum *e = d->enums; e->name; e++)
        if (e->value == v) return e->name;
    return "unknown";
}

int config_parse_value(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                       size_t errlen) {
    if (d->type == CFG_SPECIAL) return d->parse(d, argc, argv, ctx, err, errlen);
    if (argc != 1) {
        snprintf(err, errlen, "wrong number of arguments (expects exactly one value, got %d)",
                 argc);
        return -1;
    }
    const char *s = argv[0];
    switch (d->type) {
    case CFG_BOOL: {
        int b;
        if (!parse_bool(s, &b)) {
            snprintf(err, errlen, "argument must be 'yes' or 'no'");
            return -1;
        }
        *(int *)d->ptr = b;
        return 0;
    }
    case CFG_INT:
    case CFG_MEMORY: {
        long long v;
        if (parse_number(d, s, &v, err, errlen) != 0) return -1;
        store_number(d, v);
        return 0;
    }
    case CFG_ENUM: {
        int v;
        if (parse_enum(d, s, &v, err, errlen) != 0) return -1;
        *(int *)d->ptr = v;
        return 0;
    }
    case CFG_STRING: {
        char **slot = d->ptr;
        char *nv = (s[0] == '\0' && (d->flags & CFG_F_EMPTY_NULL)) ? NULL : zstrdup(s);
        zfree(*slot);
        *slot = nv;
        return 0;
    }
    case CFG_SPECIAL: break;
    }
    return 0;
}

/* ---------- formatting ---------- */

kstr config_format_value(const config_def *d, kstr out) {
    switch (d->type) {
    case CFG_BOOL: return kstr_cat_cstr(out, *(int *)d->ptr ? "yes" : "no");
    case CFG_INT:
    case CFG_MEMORY:
        if (d->flags & CFG_F_OCTAL)
            return kstr_catfmt(out, "%llo", (unsigned long long)load_number(d));
        if (d->width == CFG_W_ULL) return kstr_catfmt(out, "%llu", *(unsigned long long *)d->ptr);
        return kstr_catfmt(out, "%lld", load_number(d));
    case CFG_ENUM: return kstr_cat_cstr(out, enum_name(d, *(int *)d->ptr));
    case CFG_STRING: {
        const char *s = *(char **)d->ptr;
        return kstr_cat_cstr(out, s ? s : "");
    }
    case CFG_SPECIAL: return d->format ? d->format(d, out) : out;
    }
    return out;
}

/* Memory sizes as Redis writes them back: the largest exact unit. */
static kstr cat_memory(kstr out, long long v) {
    const long long gb = 1024LL * 1024 * 1024, mb = 1024LL * 1024, kb = 1024;
    if (v != 0 && v % gb == 0) return kstr_catfmt(out, "%lldgb", v / gb);
    if (v != 0 && v % mb == 0) return kstr_catfmt(out, "%lldmb", v / mb);
    if (v != 0 && v % kb == 0) return kstr_catfmt(out, "%lldkb", v / kb);
    return kstr_catfmt(out, "%lld", v);
}

kstr config_rewrite_lines(const config_def *d, kstr out) {
    if (d->type == CFG_SPECIAL && d->rewrite) return d->rewrite(d, out);
    out = kstr_catfmt(out, "%s ", d->name);
    if (d->type == CFG_MEMORY) {
        out = cat_memory(out, load_number(d));
    } else if (d->type == CFG_STRING || d->type == CFG_SPECIAL) {
        kstr v = config_format_value(d, kstr_empty());
        out = kstr_cat_repr(out, v, kstr_len(v));
        kstr_free(v);
    } else {
        out = config_format_value(d, out);
    }
    return kstr_cat(out, "\n", 1);
}

/* ---------- defaults ---------- */

kstr *config_split_value(const config_def *d, const char *value, int *argc) {
    if (!(d->flags & CFG_F_MULTI_ARG)) {
        kstr *argv = zmalloc(sizeof(kstr));
        argv[0] = kstr_from(value);
        *argc = 1;
        return argv;
    }
    return kstr_split_args(value, argc);
}

/* Parses the default of d into a scratch copy of its storage, formats it
 * and restores the live value, so no side effect escapes. Basic types
 * only: special defaults are written in CONFIG GET form already. */
kstr config_format_default(const config_def *d, kstr out) {
    if (!d->deflt) return out;
    if (d->type == CFG_SPECIAL) return kstr_cat_cstr(out, d->deflt);
    union {
        int i;
        unsigned int u;
        long long ll;
        unsigned long long ull;
        char *s;
    } scratch;
    memset(&scratch, 0, sizeof(scratch));
    config_def copy = *d;
    copy.ptr = &scratch;
    char err[256];
    char *argv[1] = {(char *)d->deflt};
    cfg_ctx ctx = {0, 1};
    if (config_parse_value(&copy, 1, argv, &ctx, err, sizeof(err)) != 0)
        panic("config: bad default for %s: %s", d->name, err);
    out = config_format_value(&copy, out);
    if (d->type == CFG_STRING) zfree(scratch.s);
    return out;
}

int config_is_default(const config_def *d) {
    if (d->flags & CFG_F_LOADER) return 1;
    if (!d->deflt) return 0;
    kstr cur = config_format_value(d, kstr_empty());
    kstr def = config_format_default(d, kstr_empty());
    int same = kstr_len(cur) == kstr_len(def) && memcmp(cur, def, kstr_len(cur)) == 0;
    kstr_free(cur);
    kstr_free(def);
    return same;
}

void config_set_default(const config_def *d) {
    if (!d->deflt || (d->flags & CFG_F_LOADER)) return;
    int argc;
    kstr *argv = d->type == CFG_SPECIAL ? kstr_split_args(d->deflt, &argc)
                                        : config_split_value(d, d->deflt, &argc);
    char err[256];
    cfg_ctx ctx = {1, 1};
    if (!argv || config_parse_value(d, argc, argv, &ctx, err, sizeof(err)) != 0)
        panic("config: bad default for %s: %s", d->name, argv ? err : "unbalanced quotes");
    kstr_free_argv(argv, argc);
}

static int defaults_done;

void config_init_defaults(void) {
    for (const config_def *d = config_table; d->name; d++) config_set_default(d);
    server.hz = server.config_hz;
    defaults_done = 1;
}

/* Lets the loader initialise defaults when main did not. */
void config_ensure_defaults(void) {
    if (!defaults_done) config_init_defaults();
}

/* ---------- transport keys ---------- */

static kstr *noted_keys;
static int noted_count;

void config_note_transport_key(const char *key) {
    for (int i = 0; i < noted_count; i++)
        if (!strcmp(noted_keys[i], key)) return;
    noted_keys = zrealloc(noted_keys, sizeof(kstr) * (size_t)(noted_count + 1));
    noted_keys[noted_count++] = kstr_from(key);
}

void config_forget_transport_keys(void) {
    for (int i = 0; i < noted_count; i++) transport_default_set(noted_keys[i], NULL);
    kstr_free_argv(noted_keys, noted_count);
    noted_keys = NULL;
    noted_count = 0;
}

void config_push_transport_default(const config_def *d) {
    if (!transport_key_known(d->name)) return;
    kstr v = config_format_value(d, kstr_empty());
    transport_default_set(d->name, v);
    config_note_transport_key(d->name);
    kstr_free(v);
}

kstr *config_transport_keys(int *count) {
    kstr *keys = NULL;
    int n = 0;
    for (int t = 0; t < transport_count(); t++) {
        const char *const *k = transport_at(t)->ops->config_keys;
        for (; k && *k; k++) {
            if (config_find(*k)) continue;
            int dup = 0;
            for (int i = 0; i < n && !dup; i++) dup = !strcasecmp(keys[i], *k);
            if (dup) continue;
            keys = zrealloc(keys, sizeof(kstr) * (size_t)(n + 1));
            keys[n++] = kstr_from(*k);
        }
    }
    *count = n;
    return keys;
}

/* ---------- CONFIG GET ---------- */

kstr config_get_value(const char *name) {
    const config_def *d = config_find(name);
    if (d) return (d->flags & CFG_F_LOADER) ? NULL : config_format_value(d, kstr_empty());
    if (!transport_key_known(name)) return NULL;
    const char *v = transport_default_get(name);
    return kstr_from(v ? v : "");
}

void config_foreach_match(const char *pattern, void (*fn)(void *ud, const char *name, kstr value),
                          void *ud) {
    if (!strpbrk(pattern, "*?[")) {
        const config_def *d = config_find(pattern);
        if (d && !(d->flags & CFG_F_LOADER)) {
            kstr v = config_format_value(d, kstr_empty());
            fn(ud, strcasecmp(d->name, pattern) ? d->alias : d->name, v);
            kstr_free(v);
        } else if (!d && transport_key_known(pattern)) {
            kstr key = kstr_from(pattern);
            kstr_tolower(key);
            kstr v = config_get_value(key);
            fn(ud, key, v);
            kstr_free(v);
            kstr_free(key);
        }
        return;
    }
    size_t plen = strlen(pattern);
    for (const config_def *d = config_table; d->name; d++) {
        if (d->flags & (CFG_F_LOADER | CFG_F_HIDDEN)) continue;
        int by_name = string_match_len(pattern, plen, d->name, strlen(d->name), 1);
        int by_alias = d->alias && string_match_len(pattern, plen, d->alias, strlen(d->alias), 1);
        if (!by_name && !by_alias) continue;
        kstr v = config_format_value(d, kstr_empty());
        if (by_name) fn(ud, d->name, v);
        if (by_alias) fn(ud, d->alias, v);
        kstr_free(v);
    }
    int n;
    kstr *keys = config_transport_keys(&n);
    for (int i = 0; i < n; i++) {
        if (!string_match_len(pattern, plen, keys[i], kstr_len(keys[i]), 1)) continue;
        kstr v = config_get_value(keys[i]);
        fn(ud, keys[i], v);
        kstr_free(v);
    }
    kstr_free_argv(keys, n);
}
