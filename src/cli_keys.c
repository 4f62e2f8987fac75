/*
 * Keyspace tools built on SCAN: --scan lists keys; --bigkeys and --memkeys
 * sample every key and report the biggest per type (by length, or by
 * MEMORY USAGE) with per-type totals. Each SCAN batch is followed by one
 * pipelined round of TYPE, then one of size commands.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "zmalloc.h"

/* Runs one SCAN step. Returns the reply's key array (owned by *holder) or
 * NULL after printing why. */
static kpc_reply *scan_step(const char *cursor, kpc_reply **holder) {
    const char *argv[8];
    int argc = 0;
    char count[32];
    argv[argc++] = "SCAN";
    argv[argc++] = cursor;
    if (config.pattern) {
        argv[argc++] = "MATCH";
        argv[argc++] = config.pattern;
    }
    if (config.scan_count > 0) {
        snprintf(count, sizeof(count), "%lld", config.scan_count);
        argv[argc++] = "COUNT";
        argv[argc++] = count;
    }
    char err[512];
    kpc_reply *r = cli_call(argc, argv, NULL, err, sizeof(err));
    *holder = r;
    if (!r) {
        fprintf(stderr, "Error: %s\n", err);
        return NULL;
    }
    if (r->type == KPC_ERROR) {
        fprintf(stderr, "SCAN failed: %s\n", r->str);
        return NULL;
    }
    if (r->type != KPC_ARRAY || r->elements != 2 || !r->element[0]->str ||
        (r->element[1]->type != KPC_ARRAY && r->element[1]->type != KPC_SET)) {
        fprintf(stderr, "SCAN failed: unexpected reply shape\n");
        return NULL;
    }
    return r;
}

/* Sleeps -i seconds every 100 SCAN calls. */
static void scan_pause(long long calls) {
    if (config.interval_us > 0 && calls % 100 == 0) cli_sleep_ms(config.interval_us / 1000);
}

int cli_scan_mode(void) {
    if (cli_connect(0)) return 1;
    kstr cursor = kstr_from("0");
    long long calls = 0;
    int status = 0;
    do {
        kpc_reply *holder;
        kpc_reply *r = scan_step(cursor, &holder);
        if (!r) {
            kpc_reply_free(holder);
            status = 1;
            break;
        }
        kstr_free(cursor);
        cursor = kstr_new(r->element[0]->str, r->element[0]->len);
        kpc_reply *keys = r->element[1];
        for (size_t i = 0; i < keys->elements; i++) {
            kpc_reply *k = keys->element[i];
            if (config.output == CLI_OUT_STANDARD || config.output == CLI_OUT_RAW) {
                fwrite(k->str, 1, k->len, stdout);
                fputc('\n', stdout);
            } else {
                cli_print_reply(k, config.output);
            }
        }
        fflush(stdout);
        kpc_reply_free(holder);
        scan_pause(++calls);
        if (cli_interrupted) break;
    } while (strcmp(cursor, "0") != 0);
    kstr_free(cursor);
    return status;
}

/* ---------- --bigkeys / --memkeys ---------- */

enum { T_STRING, T_LIST, T_SET, T_ZSET, T_HASH, T_STREAM, T_COUNT };

static const struct {
    const char *name;
    const char *size_cmd;
    const char *unit;
} types[T_COUNT] = {
    {"string", "STRLEN", "bytes"}, {"list", "LLEN", "items"},  {"set", "SCARD", "members"},
    {"zset", "ZCARD", "members"},  {"hash", "HLEN", "fields"}, {"stream", "XLEN", "entries"},
};

typedef struct type_stats {
    unsigned long long count;
    unsigned long long total;
    unsigned long long biggest;
    kstr biggest_key;
} type_stats;

static int type_index(const kpc_reply *r) {
    if (!r || (r->type != KPC_STATUS && r->type != KPC_STRING)) return -1;
    for (int i = 0; i < T_COUNT; i++)
        if (!strcasecmp(r->str, types[i].name)) return i;
    return -1;
}

typedef struct batch_reply {
    kpc_reply **slots;
    size_t pending;
} batch_reply;

typedef struct batch_slot {
    batch_reply *batch;
    size_t index;
} batch_slot;

static void batch_done(kpc_conn *c, kpc_reply *r, void *data) {
    (void)c;
    batch_slot *s = data;
    s->batch->slots[s->index] = r;
    s->batch->pending--;
}

/* Sends one command per key (built by make) pipelined and waits for all
 * replies. Returns 0, or -1 when the connection failed. */
typedef int (*make_cmd)(const kpc_reply *key, size_t i, const char **argv, void *ud);

static int pipelined(const kpc_reply *keys, make_cmd make, void *ud, kpc_reply **out) {
    batch_reply b = {out, 0};
    batch_slot *slots = zmalloc(sizeof(batch_slot) * (keys->elements ? keys->elements : 1));
    for (size_t i = 0; i < keys->elements; i++) {
        out[i] = NULL;
        const char *argv[6];
        size_t lens[6];
        int argc = make(keys->element[i], i, argv, ud);
        if (argc == 0) continue;
        for (int j = 0; j < argc; j++) lens[j] = strlen(argv[j]);
        lens[1] = keys->element[i]->len; /* the key is always argv[1] */
        slots[i].batch = &b;
        slots[i].index = i;
        if (kpc_command_argv(session.conn, argc, argv, lens, batch_done, &slots[i]) == 0)
            b.pending++;
    }
    while (b.pending > 0 && kpc_conn_state(session.conn) != KPC_FAILED && !cli_interrupted)
        ae_process(session.loop, AE_ALL_EVENTS);
    int rc = b.pending == 0 ? 0 : -1;
    if (rc == 0) zfree(slots);
    /* else: callbacks may still fire on close; the slots stay allocated
     * (the process is about to exit). */
    return rc;
}

static int make_type(const kpc_reply *key, size_t i, const char **argv, void *ud) {
    (void)i;
    (void)ud;
    argv[0] = "TYPE";
    argv[1] = key->str;
    return 2;
}

static int make_size(const kpc_reply *key, size_t i, const char **argv, void *ud) {
    const int *tidx = ud;
    if (tidx[i] < 0) return 0;
    argv[0] = types[tidx[i]].size_cmd;
    argv[1] = key->str;
    return 2;
}

/* MEMORY USAGE has the key third; sent directly. */
static int memory_usage_batch(const kpc_reply *keys, const int *tidx, kpc_reply **out) {
    batch_reply b = {out, 0};
    batch_slot *slots = zmalloc(sizeof(batch_slot) * (keys->elements ? keys->elements : 1));
    for (size_t i = 0; i < keys->elements; i++) {
        out[i] = NULL;
        if (tidx[i] < 0) continue;
        const char *argv[5] = {"MEMORY", "USAGE", keys->element[i]->str, "SAMPLES", "0"};
        size_t lens[5] = {6, 5, keys->element[i]->len, 7, 1};
        slots[i].batch = &b;
        slots[i].index = i;
        if (kpc_command_argv(session.conn, 5, argv, lens, batch_done, &slots[i]) == 0) b.pending++;
    }
    while (b.pending > 0 && kpc_conn_state(session.conn) != KPC_FAILED && !cli_interrupted)
        ae_process(session.loop, AE_ALL_EVENTS);
    if (b.pending) return -1;
    zfree(slots);
    return 0;
}

static unsigned long long total_keys(void) {
    char err[256];
    kpc_reply *r = cli_callv(err, sizeof(err), "DBSIZE", NULL);
    unsigned long long n =
        r && r->type == KPC_INTEGER && r->integer > 0 ? (unsigned long long)r->integer : 0;
    kpc_reply_free(r);
    return n;
}

/* --memkeys needs MEMORY USAGE: ask once, with a key that does not exist. */
static int memory_usage_supported(void) {
    char err[256];
    kpc_reply *r = cli_callv(err, sizeof(err), "MEMORY", "USAGE", "__keyport_cli_probe__", NULL);
    if (!r) {
        fprintf(stderr, "Error: %s\n", err);
        return 0;
    }
    int ok = r->type != KPC_ERROR;
    if (!ok)
        fprintf(stderr,
                "keyport-cli: --memkeys needs the MEMORY USAGE command, which this server "
                "refused: %s\n",
                r->str);
    kpc_reply_free(r);
    return ok;
}

static kstr repr_key(const char *s, size_t len) {
    return kstr_cat_repr(kstr_empty(), s, len);
}

int cli_bigkeys_mode(int memkeys) {
    if (cli_connect(0)) return 1;
    if (memkeys && !memory_usage_supported()) return 1;
    unsigned long long total = total_keys();
    type_stats st[T_COUNT];
    memset(st, 0, sizeof(st));
    printf("\n# Scanning the entire keyspace to find the biggest keys as well as\n"
           "# average sizes per key type. Use -i 0.1 to sleep 0.1 sec per 100 SCAN\n"
           "# commands (not usually needed).\n\n");
    kstr cursor = kstr_from("0");
    unsigned long long sampled = 0, keylen = 0;
    long long calls = 0;
    int status = 0;
    const char *unit_mem = "bytes";
    do {
        kpc_reply *holder;
        kpc_reply *r = scan_step(cursor, &holder);
        if (!r) {
            kpc_reply_free(holder);
            status = 1;
            break;
        }
        kstr_free(cursor);
        cursor = kstr_new(r->element[0]->str, r->element[0]->len);
        kpc_reply *keys = r->element[1];
        size_t n = keys->elements;
        kpc_reply **treplies = zcalloc(sizeof(kpc_reply *) * (n ? n : 1));
        kpc_reply **sreplies = zcalloc(sizeof(kpc_reply *) * (n ? n : 1));
        int *tidx = zcalloc(sizeof(int) * (n ? n : 1));
        int failed = pipelined(keys, make_type, NULL, treplies);
        for (size_t i = 0; i < n; i++) tidx[i] = failed ? -1 : type_index(treplies[i]);
        if (!failed) {
            if (memkeys) {
                failed = memory_usage_batch(keys, tidx, sreplies);
            } else {
                failed = pipelined(keys, make_size, tidx, sreplies);
            }
        }
        for (size_t i = 0; i < n && !failed; i++) {
            int t = tidx[i];
            if (t < 0 || !sreplies[i]) continue;
            if (sreplies[i]->type == KPC_ERROR) {
                fprintf(stderr, "Warning: cannot size '%s': %s\n", keys->element[i]->str,
                        sreplies[i]->str);
                continue;
            }
            unsigned long long size = sreplies[i]->type == KPC_INTEGER && sreplies[i]->integer > 0
                                          ? (unsigned long long)sreplies[i]->integer
                                          : 0;
            double pct = total ? 100.0 * (double)sampled / (double)total : 0;
            sampled++;
            keylen += keys->element[i]->len;
            st[t].count++;
            st[t].total += size;
            if (size > st[t].biggest || !st[t].biggest_key) {
                kstr name = repr_key(keys->element[i]->str, keys->element[i]->len);
                printf("[%05.2f%%] Biggest %-6s found so far '%s' with %llu %s\n", pct,
                       types[t].name, name, size, memkeys ? unit_mem : types[t].unit);
                kstr_free(st[t].biggest_key);
                st[t].biggest_key = name;
                st[t].biggest = size;
            }
        }
        fflush(stdout);
        for (size_t i = 0; i < n; i++) {
            kpc_reply_free(treplies[i]);
            kpc_reply_free(sreplies[i]);
        }
        zfree(treplies);
        zfree(sreplies);
        zfree(tidx);
        kpc_reply_free(holder);
        if (failed) {
            fprintf(stderr, "Error: %s\n",
                    cli_interrupted ? "interrupted" : kpc_conn_error(session.conn));
            status = 1;
            break;
        }
        scan_pause(++calls);
    } while (strcmp(cursor, "0") != 0);
    kstr_free(cursor);
    if (status == 0) {
        printf("\n-------- summary -------\n\n");
        printf("Sampled %llu keys in the keyspace!\n", sampled);
        printf("Total key length in bytes is %llu (avg len %.2f)\n\n", keylen,
               sampled ? (double)keylen / (double)sampled : 0);
        for (int t = 0; t < T_COUNT; t++)
            if (st[t].biggest_key)
                printf("Biggest %6s found '%s' has %llu %s\n", types[t].name, st[t].biggest_key,
                       st[t].biggest, memkeys ? unit_mem : types[t].unit);
        printf("\n");
        for (int t = 0; t < T_COUNT; t++)
            printf("%llu %ss with %llu %s (%05.2f%% of keys, avg size %.2f)\n", st[t].count,
                   types[t].name, st[t].total, memkeys ? unit_mem : types[t].unit,
                   sampled ? 100.0 * (double)st[t].count / (double)sampled : 0,
                   st[t].count ? (double)st[t].total / (double)st[t].count : 0);
    }
    for (int t = 0; t < T_COUNT; t++) kstr_free(st[t].biggest_key);
    return status;
}
