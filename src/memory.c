/*
 * Memory accounting (memory.h) and the MEMORY command: USAGE, STATS,
 * DOCTOR, MALLOC-STATS, PURGE, HELP, with Redis 7.0 reply shapes.
 *
 * Figures come from zmalloc's counter of live bytes; the overhead is what
 * Redis counts as such (startup memory, client buffers, the keyspace hash
 * tables) and the dataset is the rest.
 */
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <string.h>

#include "keyspace.h"
#include "memory.h"
#include "server.h"
#include "t_hash.h"
#include "t_set.h"
#include "t_zset.h"

/* ---------- accounting ---------- */

static size_t dict_overhead(dict *d) {
    return dict_size(d) * sizeof(dict_entry) + dict_buckets(d) * sizeof(dict_entry *);
}

static size_t client_memory(client *c) {
    size_t n = sizeof(client) + c->buf_size + client_output_memory(c) + c->argv_len_sum +
               sizeof(kobj *) * (size_t)c->argv_cap;
    if (c->querybuf) n += kstr_alloc_size(c->querybuf);
    return n;
}

void mem_overhead_compute(mem_overhead *mh) {
    memset(mh, 0, sizeof(*mh));
    mh->total_allocated = zmalloc_used_memory();
    if (mh->total_allocated > server.stat_peak_memory)
        server.stat_peak_memory = mh->total_allocated;
    mh->peak_allocated = server.stat_peak_memory;
    mh->startup_allocated = server.stat_startup_memory;
    for (client *c = server.clients_head; c; c = c->next) mh->clients_normal += client_memory(c);
    mh->overhead_total = mh->startup_allocated + mh->clients_normal;

    mh->dbs = zcalloc(sizeof(mem_db_overhead) * (size_t)(server.dbnum > 0 ? server.dbnum : 1));
    for (int j = 0; j < server.dbnum; j++) {
        kdb *db = &server.db[j];
        long long keys = db_size(db);
        if (keys == 0) continue;
        mem_db_overhead *o = &mh->dbs[mh->ndbs++];
        o->id = j;
        o->main = dict_overhead(db->keys);
        o->expires = dict_overhead(db->expires);
        mh->overhead_total += o->main + o->expires;
        mh->keys += (size_t)keys;
    }
    mh->dataset =
        mh->total_allocated > mh->overhead_total ? mh->total_allocated - mh->overhead_total : 0;
    size_t net = mh->total_allocated > mh->startup_allocated
                     ? mh->total_allocated - mh->startup_allocated
                     : 0;
    mh->peak_perc =
        mh->peak_allocated ? (double)mh->total_allocated * 100 / (double)mh->peak_allocated : 100.0;
    mh->dataset_perc = net ? (double)mh->dataset * 100 / (double)net : 0;
    mh->bytes_per_key = mh->keys ? (double)net / (double)mh->keys : 0;
}

void mem_overhead_release(mem_overhead *mh) {
    zfree(mh->dbs);
    mh->dbs = NULL;
}

size_t mem_value_usage(kobj *o, size_t samples) {
    switch (o->type) {
    case OBJ_SET: return zmalloc_size(o) + set_type_payload_memory(o, samples);
    case OBJ_HASH: return zmalloc_size(o) + hash_type_payload_memory(o, samples);
    case OBJ_ZSET: return zmalloc_size(o) + zset_type_payload_memory(o, samples);
    default: return obj_memory_usage(o);
    }
}

/* ---------- MEMORY ---------- */

static void memory_usage_command(client *c) {
    long long samples = MEMORY_USAGE_SAMPLES;
    for (int j = 3; j < c->argc; j++) {
        if (arg_is(c->argv[j], "samples") && j + 1 < c->argc) {
            if (get_ll_from_obj_or_reply(c, c->argv[j + 1], &samples, NULL) != C_OK) return;
            if (samples < 0) {
                add_reply_error_syntax(c);
                return;
            }
            if (samples == 0) samples = LLONG_MAX;
            j++;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    kobj *o = db_lookup(c->db, c->argv[2], LOOKUP_NOTOUCH | LOOKUP_NOSTATS | LOOKUP_NONOTIFY);
    if (!o) {
        add_reply_null(c);
        return;
    }
    size_t n = samples == LLONG_MAX ? 0 : (size_t)samples;
    size_t usage = mem_value_usage(o, n) + sizeof(dict_entry);
    /* The key as the keyspace stores it: a kstr of its own. */
    char buf[LONG_STR_SIZE];
    size_t klen;
    const char *kp = string_obj_ptr(c->argv[2], buf, sizeof(buf), &klen);
    kstr k = kstr_new(kp, klen);
    usage += kstr_alloc_size(k);
    kstr_free(k);
    add_reply_ll(c, (long long)usage);
}

static void reply_kv_ll(client *c, const char *k, long long v) {
    add_reply_bulk_cstr(c, k);
    add_reply_ll(c, v);
}

static void reply_kv_double(client *c, const char *k, double v) {
    add_reply_bulk_cstr(c, k);
    add_reply_double(c, v);
}

static void memory_stats_command(client *c) {
    mem_overhead mh;
    mem_overhead_compute(&mh);
    size_t rss = zmalloc_get_rss();
    add_reply_map_len(c, 19 + mh.ndbs);
    reply_kv_ll(c, "peak.allocated", (long long)mh.peak_allocated);
    reply_kv_ll(c, "total.allocated", (long long)mh.total_allocated);
    reply_kv_ll(c, "startup.allocated", (long long)mh.startup_allocated);
    reply_kv_ll(c, "replication.backlog", 0);
    reply_kv_ll(c, "clients.slaves", 0);
    reply_kv_ll(c, "clients.normal", (long long)mh.clients_normal);
    reply_kv_ll(c, "cluster.links", 0);
    reply_kv_ll(c, "aof.buffer", 0);
    reply_kv_ll(c, "lua.caches", 0);
    reply_kv_ll(c, "functions.caches", 0);
    for (int j = 0; j < mh.ndbs; j++) {
        char name[32];
        snprintf(name, sizeof(name), "db.%d", mh.dbs[j].id);
        add_reply_bulk_cstr(c, name);
        add_reply_map_len(c, 2);
        reply_kv_ll(c, "overhead.hashtable.main", (long long)mh.dbs[j].main);
        reply_kv_ll(c, "overhead.hashtable.expires", (long long)mh.dbs[j].expires);
    }
    reply_kv_ll(c, "overhead.total", (long long)mh.overhead_total);
    reply_kv_ll(c, "keys.count", (long long)mh.keys);
    reply_kv_ll(c, "keys.bytes-per-key", (long long)mh.bytes_per_key);
    reply_kv_ll(c, "dataset.bytes", (long long)mh.dataset);
    reply_kv_double(c, "dataset.percentage", mh.dataset_perc);
    reply_kv_double(c, "peak.percentage", mh.peak_perc);
    reply_kv_double(c, "fragmentation",
                    mh.total_allocated ? (double)rss / (double)mh.total_allocated : 0);
    reply_kv_ll(c, "fragmentation.bytes", (long long)rss - (long long)mh.total_allocated);
    reply_kv_ll(c, "rss.bytes", (long long)rss);
    mem_overhead_release(&mh);
}

/* Below this much used memory the doctor has nothing to say. */
#define DOCTOR_MIN_MEMORY (5 * 1024 * 1024)

static void memory_doctor_command(client *c) {
    mem_overhead mh;
    mem_overhead_compute(&mh);
    size_t rss = zmalloc_get_rss();
    kstr s = kstr_empty();
    if (mh.total_allocated < DOCTOR_MIN_MEMORY) {
        s = kstr_cat_cstr(s, "This instance uses too little memory (below 5 MB) for a "
                             "meaningful memory report.");
    } else {
        int issues = 0;
        double frag = mh.total_allocated ? (double)rss / (double)mh.total_allocated : 0;
        if (mh.peak_allocated > mh.total_allocated * 3 / 2) {
            s = kstr_catfmt(s,
                            " * Peak memory: the peak (%zu bytes) is more than 150%% of the "
                            "memory in use now; the process keeps part of it.\n",
                            mh.peak_allocated);
            issues++;
        }
        if (frag > 1.4) {
            s = kstr_catfmt(s,
                            " * Fragmentation: the resident set is %.2f times the memory "
                            "in use.\n",
                            frag);
            issues++;
        }
        if (mh.keys && mh.bytes_per_key > 0 && mh.clients_normal > mh.dataset / 2) {
            s = kstr_catfmt(s,
                            " * Client buffers: clients use %zu bytes, more than half the "
                            "dataset.\n",
                            mh.clients_normal);
            issues++;
        }
        if (!issues) s = kstr_cat_cstr(s, "No memory issue found in this instance.");
    }
    add_reply_verbatim(c, s, kstr_len(s), "txt");
    kstr_free(s);
    mem_overhead_release(&mh);
}

static void memory_malloc_stats_command(client *c) {
    add_reply_verbatim(c, "Stats not supported for the current allocator", 45, "txt");
}

static void memory_purge_command(client *c) {
    malloc_trim(0);
    add_reply_ok(c);
}

static void memory_help_command(client *c) {
    static const char *const help[] = {
        "DOCTOR",
        "    Return memory problems reports.",
        "MALLOC-STATS",
        "    Return internal statistics report from the memory allocator.",
        "PURGE",
        "    Attempt to purge dirty pages for reclamation by the allocator.",
        "STATS",
        "    Return information about the memory usage of the server.",
        "USAGE <key> [SAMPLES <count>]",
        "    Return memory in bytes used by <key> and its value. Nested values are",
        "    sampled up to <count> times (default: 5, 0 means sample all).",
        NULL};
    add_reply_help(c, help);
}

static void memory_command(client *c) {
    add_reply_error_subcommand(c);
}

#define MEM_CMD(n, p, ar, fl, fk, sum, syn)                                                        \
    {                                                                                              \
        .name = n, .proc = p, .arity = ar, .flags = fl, .first_key = fk, .last_key = fk,           \
        .key_step = (fk) ? 1 : 0, .group = "server", .summary = sum, .since = "4.0.0",             \
        .complexity = (fk) ? "O(N) where N is the number of samples." : "O(1)",                    \
        .acl_categories = (fk) ? "@read @slow" : "@slow", .syntax = syn                            \
    }

static kcommand memory_subcommands[] = {
    MEM_CMD("doctor", memory_doctor_command, 2, 0, 0, "Outputs memory problems report", ""),
    MEM_CMD("help", memory_help_command, 2, CMD_LOADING | CMD_STALE, 0,
            "Show helpful text about the different subcommands", ""),
    MEM_CMD("malloc-stats", memory_malloc_stats_command, 2, 0, 0, "Show allocator internal stats",
            ""),
    MEM_CMD("purge", memory_purge_command, 2, 0, 0, "Ask the allocator to release memory", ""),
    MEM_CMD("stats", memory_stats_command, 2, 0, 0, "Show memory usage details", ""),
    MEM_CMD("usage", memory_usage_command, -3, CMD_READONLY, 2,
            "Estimate the memory usage of a key", "key [SAMPLES count]"),
    {.name = NULL}};

kcommand memory_commands[] = {{.name = "memory",
                               .proc = memory_command,
                               .arity = -2,
                               .flags = 0,
                               .group = "server",
                               .summary = "A container for memory diagnostics commands",
                               .since = "4.0.0",
                               .complexity = "Depends on subcommand.",
                               .acl_categories = "@slow",
                               .syntax = "",
                               .subcommands = memory_subcommands},
                              {.name = NULL}};
