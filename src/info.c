/*
 * INFO text (gen_info_string) and CONFIG RESETSTAT (stats_reset). Field
 * names and formats are Redis 7's, so monitoring tools parse keyport as
 * they parse Redis; fields for features keyport does not have yet
 * (persistence, replication) report the honest "none" values. keyport
 * adds keyport_version, one listener<N> line per listener, a transports
 * line and a "tls" section with each TLS listener's transport context:
 *   tls_listener<N>_<key>:<value>
 * where N matches the listener<N> line of the server section.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "acl.h"
#include "blocked.h"
#include "keyspace.h"
#include "listen.h"
#include "memory.h"
#include "pubsub.h"
#include "monotonic.h"
#include "persist.h"
#include "server.h"

enum info_section {
    SEC_SERVER,
    SEC_CLIENTS,
    SEC_MEMORY,
    SEC_PERSISTENCE,
    SEC_STATS,
    SEC_REPLICATION,
    SEC_CPU,
    SEC_MODULES,
    SEC_COMMANDSTATS,
    SEC_ERRORSTATS,
    SEC_LATENCYSTATS,
    SEC_CLUSTER,
    SEC_KEYSPACE,
    SEC_TLS,
    SEC_COUNT
};

static const char *const section_names[SEC_COUNT] = {
    "server",  "clients",      "memory",     "persistence",  "stats",   "replication", "cpu",
    "modules", "commandstats", "errorstats", "latencystats", "cluster", "keyspace",    "tls"};

static const char *const section_titles[SEC_COUNT] = {
    "Server",  "Clients",      "Memory",     "Persistence",  "Stats",   "Replication", "CPU",
    "Modules", "Commandstats", "Errorstats", "Latencystats", "Cluster", "Keyspace",    "TLS"};

#define SECTION_BIT(s) (1u << (s))
#define DEFAULT_SECTIONS                                                                           \
    (SECTION_BIT(SEC_SERVER) | SECTION_BIT(SEC_CLIENTS) | SECTION_BIT(SEC_MEMORY) |                \
     SECTION_BIT(SEC_PERSISTENCE) | SECTION_BIT(SEC_STATS) | SECTION_BIT(SEC_REPLICATION) |        \
     SECTION_BIT(SEC_CPU) | SECTION_BIT(SEC_MODULES) | SECTION_BIT(SEC_ERRORSTATS) |               \
     SECTION_BIT(SEC_CLUSTER) | SECTION_BIT(SEC_KEYSPACE))
#define ALL_SECTIONS ((1u << SEC_COUNT) - 1)

static int has_tls_listener(void) {
    for (int i = 0; i < listener_count(); i++)
        if (listener_at(i)->layer) return 1;
    return 0;
}

/* Parses a space separated list of section names. */
static unsigned sections_from(const char *spec) {
    unsigned mask = 0;
    const char *p = spec;
    while (*p) {
        while (*p == ' ') p++;
        const char *w = p;
        while (*p && *p != ' ') p++;
        size_t len = (size_t)(p - w);
        if (!len) break;
        if ((len == 7 && !strncasecmp(w, "default", 7))) {
            mask |= DEFAULT_SECTIONS;
            if (has_tls_listener()) mask |= SECTION_BIT(SEC_TLS);
        } else if ((len == 3 && !strncasecmp(w, "all", 3)) ||
                   (len == 10 && !strncasecmp(w, "everything", 10))) {
            mask |= ALL_SECTIONS;
            if (!has_tls_listener()) mask &= ~SECTION_BIT(SEC_TLS);
        } else {
            for (int s = 0; s < SEC_COUNT; s++)
                if (strlen(section_names[s]) == len && !strncasecmp(section_names[s], w, len))
                    mask |= SECTION_BIT(s);
        }
    }
    return mask;
}

static kstr cat_human(kstr info, const char *field, unsigned long long v) {
    char buf[64];
    bytes_to_human(buf, sizeof(buf), v);
    return kstr_catfmt(info, "%s:%s\r\n", field, buf);
}

/* ---------- server ---------- */

static kstr cat_listeners(kstr info) {
    for (int i = 0; i < listener_count(); i++) {
        listener *l = listener_at(i);
        info = kstr_catfmt(info, "listener%d:name=%s", i, listener_transport_name(l));
        for (int a = 0; a < l->naddrs; a++) info = kstr_catfmt(info, ",bind=%s", l->addrs[a]);
        if (l->service) info = kstr_catfmt(info, ",port=%s", l->service);
        info = kstr_cat_cstr(info, "\r\n");
    }
    info = kstr_cat_cstr(info, "transports:");
    for (int i = 0; i < transport_count(); i++)
        info = kstr_catfmt(info, "%s%s", i ? "," : "", transport_at(i)->ops->name);
    return kstr_cat_cstr(info, "\r\n");
}

static kstr section_server(kstr info) {
    struct utsname u;
    if (uname(&u) != 0) memset(&u, 0, sizeof(u));
    long long now_ms = mstime();
    long long uptime = (now_ms - server.start_time_ms) / 1000;
    info = kstr_catfmt(info,
                       "redis_version:%s\r\n"
                       "keyport_version:%s\r\n"
                       "redis_git_sha1:00000000\r\n"
                       "redis_git_dirty:0\r\n"
                       "redis_build_id:0\r\n"
                       "redis_mode:standalone\r\n"
                       "os:%s %s %s\r\n"
                       "arch_bits:%d\r\n"
                       "monotonic_clock:%s\r\n"
                       "multiplexing_api:epoll\r\n"
                       "atomicvar_api:c11-builtin\r\n"
                       "gcc_version:%d.%d.%d\r\n"
                       "transport_abi:%d.%d\r\n"
                       "process_id:%lld\r\n"
                       "process_supervised:no\r\n"
                       "run_id:%s\r\n"
                       "tcp_port:%d\r\n"
                       "server_time_usec:%lld\r\n"
                       "uptime_in_seconds:%lld\r\n"
                       "uptime_in_days:%lld\r\n"
                       "hz:%d\r\n"
                       "configured_hz:%d\r\n"
                       "lru_clock:%u\r\n"
                       "executable:%s\r\n"
                       "config_file:%s\r\n"
                       "io_threads_active:0\r\n",
                       KEYPORT_REDIS_COMPAT_VERSION, KEYPORT_VERSION, u.sysname, u.release,
                       u.machine, (int)(sizeof(long) * 8), monotonic_clock_name(),
#ifdef __GNUC__
                       __GNUC__, __GNUC_MINOR__, __GNUC_PATCHLEVEL__,
#else
                       0, 0, 0,
#endif
                       KP_ABI_MAJOR, KP_ABI_MINOR, (long long)getpid(), server.runid,
                       server.port ? server.port : server.tls_port, ustime(), uptime,
                       uptime / 86400, server.hz, server.config_hz, server.lruclock,
                       server.executable ? server.executable : "",
                       server.configfile ? server.configfile : "");
    return cat_listeners(info);
}

/* ---------- clients ---------- */

static kstr section_clients(kstr info) {
    size_t max_in = 0, max_out = 0;
    for (client *c = server.clients_head; c; c = c->next) {
        size_t in = c->querybuf ? kstr_alloc_size(c->querybuf) : 0;
        size_t out = client_output_memory(c);
        if (in > max_in) max_in = in;
        if (out > max_out) max_out = out;
    }
    return kstr_catfmt(info,
                       "connected_clients:%lu\r\n"
                       "cluster_connections:0\r\n"
                       "maxclients:%u\r\n"
                       "client_recent_max_input_buffer:%zu\r\n"
                       "client_recent_max_output_buffer:%zu\r\n"
                       "blocked_clients:%lu\r\n"
                       "tracking_clients:0\r\n"
                       "clients_in_timeout_table:%lu\r\n"
                       "clients_in_handshake:%d\r\n",
                       server.nclients, server.maxclients, max_in, max_out, blocked_clients_count(),
                       blocked_clients_with_timeout(), listener_handshakes_in_progress());
}

/* ---------- memory ---------- */

static kstr section_memory(kstr info) {
    size_t used = zmalloc_used_memory();
    size_t rss = zmalloc_get_rss();
    if (used > server.stat_peak_memory) server.stat_peak_memory = used;
    size_t peak = server.stat_peak_memory;
    long pages = sysconf(_SC_PHYS_PAGES), pagesize = sysconf(_SC_PAGESIZE);
    unsigned long long total =
        pages > 0 && pagesize > 0 ? (unsigned long long)pages * (unsigned long long)pagesize : 0;
    info = kstr_catfmt(info, "used_memory:%zu\r\n", used);
    info = cat_human(info, "used_memory_human", used);
    info = kstr_catfmt(info, "used_memory_rss:%zu\r\n", rss);
    info = cat_human(info, "used_memory_rss_human", rss);
    info = kstr_catfmt(info, "used_memory_peak:%zu\r\n", peak);
    info = cat_human(info, "used_memory_peak_human", peak);
    info = kstr_catfmt(info, "used_memory_peak_perc:%.2f%%\r\n",
                       peak ? (double)used * 100 / (double)peak : 100.0);
    /* Overhead and dataset as MEMORY STATS counts them (memory.c). */
    mem_overhead mh;
    mem_overhead_compute(&mh);
    info = kstr_catfmt(info,
                       "used_memory_overhead:%zu\r\n"
                       "used_memory_startup:%zu\r\n"
                       "used_memory_dataset:%zu\r\n"
                       "used_memory_dataset_perc:%.2f%%\r\n",
                       mh.overhead_total, mh.startup_allocated, mh.dataset, mh.dataset_perc);
    info = kstr_catfmt(info, "total_system_memory:%llu\r\n", total);
    info = cat_human(info, "total_system_memory_human", total);
    info = kstr_catfmt(info, "maxmemory:%llu\r\n", server.maxmemory);
    info = cat_human(info, "maxmemory_human", server.maxmemory);
    info = kstr_catfmt(info,
                       "maxmemory_policy:noeviction\r\n"
                       "maxmemory_enforced:0\r\n"
                       "mem_fragmentation_ratio:%.2f\r\n"
                       "mem_fragmentation_bytes:%lld\r\n"
                       "mem_allocator:libc\r\n"
                       "lazyfree_pending_objects:%zu\r\n"
                       "lazyfreed_objects:%zu\r\n",
                       used ? (double)rss / (double)used : 0.0, (long long)rss - (long long)used,
                       lazyfree_pending_objects(), lazyfree_freed_objects());
    info = kstr_catfmt(info,
                       "mem_not_counted_for_evict:0\r\n"
                       "mem_replication_backlog:0\r\n"
                       "mem_clients_slaves:0\r\n"
                       "mem_clients_normal:%zu\r\n"
                       "mem_aof_buffer:0\r\n",
                       mh.clients_normal);
    mem_overhead_release(&mh);
    return info;
}

/* ---------- persistence, replication, cluster, modules ---------- */

static kstr section_persistence(kstr info) {
    return persist_info(info); /* persist.c, with the aof_* fields from aof.c */
}

static kstr section_replication(kstr info) {
    return kstr_catfmt(info,
                       "role:master\r\n"
                       "connected_slaves:0\r\n"
                       "master_failover_state:no-failover\r\n"
                       "master_replid:%s\r\n"
                       "master_replid2:0000000000000000000000000000000000000000\r\n"
                       "master_repl_offset:0\r\n"
                       "second_repl_offset:-1\r\n"
                       "repl_backlog_active:0\r\n"
                       "repl_backlog_size:1048576\r\n"
                       "repl_backlog_first_byte_offset:0\r\n"
                       "repl_backlog_histlen:0\r\n",
                       server.runid);
}

/* ---------- stats ---------- */

static long long ops_per_sec(void) {
    long long sum = 0;
    for (int i = 0; i < 16; i++) sum += server.stat_ops_samples[i];
    return sum / 16;
}

static kstr section_stats(kstr info) {
    unsigned long channels = pubsub_total_channels(), patterns = pubsub_total_patterns(),
                  shard_channels = pubsub_total_shard_channels();
    info = kstr_catfmt(info,
                       "total_connections_received:%lld\r\n"
                       "total_commands_processed:%lld\r\n"
                       "instantaneous_ops_per_sec:%lld\r\n"
                       "total_net_input_bytes:%lld\r\n"
                       "total_net_output_bytes:%lld\r\n"
                       "total_net_repl_input_bytes:0\r\n"
                       "total_net_repl_output_bytes:0\r\n"
                       "rejected_connections:%lld\r\n"
                       "sync_full:0\r\n"
                       "sync_partial_ok:0\r\n"
                       "sync_partial_err:0\r\n"
                       "expired_keys:%lld\r\n"
                       "expired_stale_perc:%.2f\r\n"
                       "evicted_keys:%lld\r\n"
                       "evicted_clients:0\r\n"
                       "keyspace_hits:%lld\r\n"
                       "keyspace_misses:%lld\r\n"
                       "pubsub_channels:%lu\r\n"
                       "pubsub_patterns:%lu\r\n"
                       "pubsubshard_channels:%lu\r\n"
                       "latest_fork_usec:%lld\r\n"
                       "total_forks:%lld\r\n"
                       "unexpected_error_replies:%lld\r\n"
                       "total_error_replies:%lld\r\n"
                       "total_reads_processed:%lld\r\n"
                       "total_writes_processed:%lld\r\n"
                       "io_threaded_reads_processed:0\r\n"
                       "io_threaded_writes_processed:0\r\n"
                       "client_query_buffer_limit_disconnections:%lld\r\n"
                       "client_output_buffer_limit_disconnections:%lld\r\n",
                       server.stat_numconnections, server.stat_numcommands, ops_per_sec(),
                       server.stat_net_input_bytes, server.stat_net_output_bytes,
                       server.stat_rejected_conn, server.stat_expiredkeys,
                       (double)server.stat_expired_stale_perc, server.stat_evictedkeys,
                       server.stat_keyspace_hits, server.stat_keyspace_misses, channels, patterns,
                       shard_channels, persist_stat_latest_fork_usec(), persist_stat_total_forks(),
                       server.stat_unexpected_error_replies, server.stat_total_error_replies,
                       server.stat_total_reads_processed, server.stat_total_writes_processed,
                       server.stat_client_qbuf_limit_disconnections,
                       server.stat_client_outbuf_limit_disconnections);
    return acl_info_stats(info); /* tls_cert_logins, tls_cert_login_failures */
}

/* ---------- cpu ---------- */

static kstr cat_rusage(kstr info, const char *suffix, int who) {
    struct rusage ru;
    if (getrusage(who, &ru) != 0) memset(&ru, 0, sizeof(ru));
    return kstr_catfmt(info, "used_cpu_sys%s:%ld.%06ld\r\nused_cpu_user%s:%ld.%06ld\r\n", suffix,
                       (long)ru.ru_stime.tv_sec, (long)ru.ru_stime.tv_usec, suffix,
                       (long)ru.ru_utime.tv_sec, (long)ru.ru_utime.tv_usec);
}

static kstr section_cpu(kstr info) {
    info = cat_rusage(info, "", RUSAGE_SELF);
    info = cat_rusage(info, "_children", RUSAGE_CHILDREN);
    return cat_rusage(info, "_main_thread", RUSAGE_THREAD);
}

/* ---------- commandstats, errorstats ---------- */

static kstr cat_cmdstat(kstr info, kcommand *cmd) {
    if (!cmd->calls && !cmd->failed_calls && !cmd->rejected_calls) return info;
    return kstr_catfmt(info,
                       "cmdstat_%s:calls=%lld,usec=%lld,usec_per_call=%.2f,rejected_calls=%lld,"
                       "failed_calls=%lld\r\n",
                       cmd->fullname ? cmd->fullname : cmd->name, cmd->calls, cmd->microseconds,
                       cmd->calls ? (double)cmd->microseconds / (double)cmd->calls : 0.0,
                       cmd->rejected_calls, cmd->failed_calls);
}

static kstr section_commandstats(kstr info) {
    dict *d = commands_dict();
    if (!d) return info;
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    dict_entry *de;
    while ((de = dict_next(&it))) {
        kcommand *cmd = de->v.val;
        info = cat_cmdstat(info, cmd);
        for (kcommand *s = cmd->subcommands; s && s->name; s++) info = cat_cmdstat(info, s);
    }
    dict_iter_reset(&it);
    return info;
}

static kstr section_errorstats(kstr info) {
    if (!server.errors) return info;
    dict_iterator it;
    dict_iter_init(&it, server.errors, 0);
    dict_entry *de;
    while ((de = dict_next(&it)))
        info = kstr_catfmt(info, "errorstat_%s:count=%llu\r\n", (char *)de->key,
                           (unsigned long long)de->v.u64);
    dict_iter_reset(&it);
    return info;
}

/* ---------- keyspace ---------- */

static kstr section_keyspace(kstr info) {
    for (int j = 0; server.db && j < server.dbnum; j++) {
        kdb *db = &server.db[j];
        long long keys = db_size(db);
        long long expires = db->expires ? (long long)dict_size(db->expires) : 0;
        if (!keys && !expires) continue;
        info = kstr_catfmt(info, "db%d:keys=%lld,expires=%lld,avg_ttl=%lld\r\n", j, keys, expires,
                           db->avg_ttl);
    }
    return info;
}

/* ---------- tls ---------- */

typedef struct tls_sink {
    kstr info;
    int n;
} tls_sink;

/* The fields keyport itself prints for every TLS listener. */
static const char *const tls_own_fields[] = {
    "transport", "accepted", "rejected", "listener_handshakes_ok", "listener_handshakes_failed",
    NULL};

/* Keys become [a-z0-9_] (a transport key equal to one of keyport's own
 * gets a "ctx_" prefix); values lose CR/LF so one field stays one line. */
static void tls_emit(void *ud, const char *key, const char *value) {
    tls_sink *s = ud;
    kstr k = kstr_empty();
    for (const char *p = key; *p; p++) {
        char ch = (char)tolower((unsigned char)*p);
        if (!isalnum((unsigned char)ch)) ch = '_';
        k = kstr_cat(k, &ch, 1);
    }
    int own = 0;
    for (int i = 0; tls_own_fields[i] && !own; i++) own = !strcmp(k, tls_own_fields[i]);
    s->info = kstr_catfmt(s->info, "tls_listener%d_%s%s", s->n, own ? "ctx_" : "", k);
    kstr_free(k);
    s->info = kstr_cat(s->info, ":", 1);
    for (const char *v = value ? value : ""; *v; v++) {
        char ch = (*v == '\r' || *v == '\n') ? ' ' : *v;
        s->info = kstr_cat(s->info, &ch, 1);
    }
    s->info = kstr_cat(s->info, "\r\n", 2);
}

static kstr section_tls(kstr info) {
    info = kstr_catfmt(info,
                       "tls_auto_reload_interval:%d\r\n"
                       "tls_auto_reloads:%lld\r\n"
                       "tls_auto_reload_failures:%lld\r\n",
                       server.tls_auto_reload_interval, server.stat_tls_auto_reloads,
                       server.stat_tls_auto_reload_failures);
    for (int i = 0; i < listener_count(); i++) {
        listener *l = listener_at(i);
        if (!l->layer) continue;
        info = kstr_catfmt(info,
                           "tls_listener%d_transport:%s\r\n"
                           "tls_listener%d_accepted:%lld\r\n"
                           "tls_listener%d_rejected:%lld\r\n"
                           "tls_listener%d_listener_handshakes_ok:%lld\r\n"
                           "tls_listener%d_listener_handshakes_failed:%lld\r\n",
                           i, l->layer->ops->name, i, l->accepted, i, l->rejected, i,
                           l->handshakes_ok, i, l->handshakes_failed);
        if (l->layer->ops->ctx_info && l->layer_ctx) {
            tls_sink sink = {info, i};
            l->layer->ops->ctx_info(l->layer_ctx, tls_emit, &sink);
            info = sink.info;
        }
    }
    return info;
}

/* ---------- assembly ---------- */

kstr gen_info_string(kstr info, const char *section) {
    unsigned mask = sections_from(section && *section ? section : "default");
    int first = 1;
    for (int s = 0; s < SEC_COUNT; s++) {
        if (!(mask & SECTION_BIT(s))) continue;
        if (!first) info = kstr_cat_cstr(info, "\r\n");
        first = 0;
        info = kstr_catfmt(info, "# %s\r\n", section_titles[s]);
        switch ((enum info_section)s) {
        case SEC_SERVER: info = section_server(info); break;
        case SEC_CLIENTS: info = section_clients(info); break;
        case SEC_MEMORY: info = section_memory(info); break;
        case SEC_PERSISTENCE: info = section_persistence(info); break;
        case SEC_STATS: info = section_stats(info); break;
        case SEC_REPLICATION: info = section_replication(info); break;
        case SEC_CPU: info = section_cpu(info); break;
        case SEC_MODULES: break;
        case SEC_COMMANDSTATS: info = section_commandstats(info); break;
        case SEC_ERRORSTATS: info = section_errorstats(info); break;
        case SEC_LATENCYSTATS: break;
        case SEC_CLUSTER: info = kstr_cat_cstr(info, "cluster_enabled:0\r\n"); break;
        case SEC_KEYSPACE: info = section_keyspace(info); break;
        case SEC_TLS: info = section_tls(info); break;
        case SEC_COUNT: break;
        }
    }
    return info;
}

static void reset_command_stats(kcommand *cmd) {
    cmd->calls = cmd->microseconds = cmd->rejected_calls = cmd->failed_calls = 0;
}

void stats_reset(void) {
    server.stat_numcommands = 0;
    server.stat_numconnections = 0;
    server.stat_rejected_conn = 0;
    server.stat_expiredkeys = 0;
    server.stat_expired_stale_perc = 0;
    server.stat_keyspace_hits = 0;
    server.stat_keyspace_misses = 0;
    server.stat_net_input_bytes = 0;
    server.stat_net_output_bytes = 0;
    server.stat_total_error_replies = 0;
    server.stat_unexpected_error_replies = 0;
    server.stat_client_qbuf_limit_disconnections = 0;
    server.stat_client_outbuf_limit_disconnections = 0;
    server.stat_evictedkeys = 0;
    server.stat_total_reads_processed = 0;
    server.stat_total_writes_processed = 0;
    acl_stats_reset();
    persist_stats_reset(); /* rdb_saves, total_forks, latest_fork_usec */
    server.stat_peak_memory = zmalloc_used_memory();
    server.stat_reset_time = mstime();
    memset(server.stat_ops_samples, 0, sizeof(server.stat_ops_samples));
    server.stat_ops_last_cmds = 0;
    if (server.errors) dict_empty(server.errors, NULL);
    dict *d = commands_dict();
    if (!d) return;
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    dict_entry *de;
    while ((de = dict_next(&it))) {
        kcommand *cmd = de->v.val;
        reset_command_stats(cmd);
        for (kcommand *s = cmd->subcommands; s && s->name; s++) reset_command_stats(s);
    }
    dict_iter_reset(&it);
}
