/*
 * Transactions: MULTI EXEC DISCARD WATCH UNWATCH with Redis 7.0 semantics.
 *
 * Inside MULTI, process_command hands every command but EXEC DISCARD MULTI
 * WATCH QUIT RESET to multi_process_command, which queues it (its argv
 * moves into the queue) and replies +QUEUED. A command refused while
 * queueing (unknown, wrong arity, CMD_NO_MULTI) flags the transaction, and
 * EXEC then replies EXECABORT. Errors raised when a queued command runs are
 * ordinary elements of EXEC's reply.
 *
 * WATCH: every watched (db, key) is a node owned by the client and listed
 * in a per-database index key -> nodes. Any write to the key
 * (signal_modified_key), its deletion by expiry, FLUSHDB/FLUSHALL and
 * SWAPDB mark the watching clients CLIENT_DIRTY_CAS (and drop their
 * watches); EXEC of a dirty client replies a null array. As in Redis 7.0, a
 * key that was already logically expired when WATCHed does not fail EXEC
 * when it is deleted, and a watched key whose TTL passes before EXEC does.
 *
 * Threading: main thread only.
 */
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "keyspace.h"
#include "multi.h"
#include "propagate.h"
#include "server.h"

typedef struct queued_command {
    kcommand *cmd;
    int argc;
    kobj **argv; /* one reference each */
} queued_command;

typedef struct multi_state {
    queued_command *cmds;
    long count, cap;
    size_t argv_bytes;
} multi_state;

typedef struct watched_key {
    client *c;
    int dbid;
    int expired; /* the key was logically expired when WATCHed */
    kstr key;
} watched_key;

typedef struct watch_state {
    watched_key **keys;
    int count, cap;
} watch_state;

/* Value of the per-database index: the nodes watching one key. */
typedef struct watchers {
    watched_key **items;
    int count, cap;
} watchers;

static dict **watch_index; /* [dbnum], created on first WATCH */

/* ---------- index ---------- */

static uint64_t kstr_hash(const void *k) {
    return dict_gen_hash(k, kstr_len((const kstr)k));
}

static int kstr_equal(const void *a, const void *b) {
    size_t la = kstr_len((const kstr)a);
    return la == kstr_len((const kstr)b) && memcmp(a, b, la) == 0;
}

static void kstr_destroy(void *k) {
    kstr_free(k);
}

static void watchers_destroy(void *v) {
    watchers *w = v;
    zfree(w->items);
    zfree(w);
}

static const dict_type watch_index_type = {kstr_hash, NULL, kstr_equal, kstr_destroy,
                                           watchers_destroy};

static dict *index_of(int dbid, int create) {
    if (!watch_index) {
        if (!create) return NULL;
        watch_index = zcalloc(sizeof(dict *) * (size_t)server.dbnum);
    }
    if (!watch_index[dbid] && create) watch_index[dbid] = dict_create(&watch_index_type);
    return watch_index[dbid];
}

/* The bytes of a key argument (INT-encoded keys are formatted into buf). */
static const char *key_bytes(kobj *key, char *buf, size_t buflen, size_t *len) {
    return string_obj_ptr(key, buf, buflen, len);
}

/* A temporary kobj naming a stored key, for db_* lookups. */
static kobj key_obj(kstr k) {
    kobj o = {.type = OBJ_STRING, .encoding = OBJ_ENCODING_RAW, .refcount = 1, .ptr = k};
    return o;
}

/* 1 if db holds key, expired or not (no lazy expiry, no statistics). */
static int key_present(kdb *db, kstr key) {
    return dict_find(db->keys, key) != NULL;
}

static void unwatch_all(client *c) {
    watch_state *ws = c->watched;
    if (!ws) return;
    for (int i = 0; i < ws->count; i++) {
        watched_key *wk = ws->keys[i];
        dict *d = index_of(wk->dbid, 0);
        dict_entry *de = d ? dict_find(d, wk->key) : NULL;
        if (de) {
            watchers *w = de->v.val;
            for (int j = 0; j < w->count; j++) {
                if (w->items[j] == wk) {
                    w->items[j] = w->items[--w->count];
                    break;
                }
            }
            if (w->count == 0) dict_delete(d, wk->key);
        }
        kstr_free(wk->key);
        zfree(wk);
    }
    zfree(ws->keys);
    zfree(ws);
    c->watched = NULL;
}

static int is_watching(client *c, int dbid, const char *k, size_t len) {
    watch_state *ws = c->watched;
    if (!ws) return 0;
    for (int i = 0; i < ws->count; i++) {
        watched_key *wk = ws->keys[i];
        if (wk->dbid == dbid && kstr_len(wk->key) == len && memcmp(wk->key, k, len) == 0) return 1;
    }
    return 0;
}

static void watch_key(client *c, kobj *key) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *k = key_bytes(key, buf, sizeof(buf), &len);
    int dbid = c->db->id;
    if (is_watching(c, dbid, k, len)) return;
    watched_key *wk = zmalloc(sizeof(*wk));
    wk->c = c;
    wk->dbid = dbid;
    wk->key = kstr_new(k, len);
    wk->expired = db_key_is_expired(c->db, key);
    if (!c->watched) c->watched = zcalloc(sizeof(watch_state));
    watch_state *ws = c->watched;
    if (ws->count == ws->cap) {
        ws->cap = ws->cap ? ws->cap * 2 : 4;
        ws->keys = zrealloc(ws->keys, sizeof(watched_key *) * (size_t)ws->cap);
    }
    ws->keys[ws->count++] = wk;

    dict *d = index_of(dbid, 1);
    watchers *w = dict_fetch_value(d, wk->key);
    if (!w) {
        w = zcalloc(sizeof(*w));
        dict_add(d, kstr_dup(wk->key), w);
    }
    if (w->count == w->cap) {
        w->cap = w->cap ? w->cap * 2 : 4;
        w->items = zrealloc(w->items, sizeof(watched_key *) * (size_t)w->cap);
    }
    w->items[w->count++] = wk;
}

/* Marks c's transaction as failing; its watches are no longer needed. */
static void make_dirty(client *c) {
    c->flags |= CLIENT_DIRTY_CAS;
    unwatch_all(c);
}

/* Copies the clients of a watchers list (touching them edits the list). */
static client **snapshot_clients(watchers *w, int *n) {
    client **out = zmalloc(sizeof(client *) * (size_t)(w->count ? w->count : 1));
    for (int i = 0; i < w->count; i++) out[i] = w->items[i]->c;
    *n = w->count;
    return out;
}

/* c's node for (dbid, key), or NULL. */
static watched_key *find_watch(client *c, int dbid, const kstr key) {
    watch_state *ws = c->watched;
    if (!ws) return NULL;
    for (int i = 0; i < ws->count; i++) {
        watched_key *wk = ws->keys[i];
        if (wk->dbid == dbid && kstr_len(wk->key) == kstr_len(key) &&
            memcmp(wk->key, key, kstr_len(key)) == 0)
            return wk;
    }
    return NULL;
}

void multi_touch_watched_key(kdb *db, kobj *key) {
    dict *d = index_of(db->id, 0);
    if (!d || dict_size(d) == 0) return;
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *k = key_bytes(key, buf, sizeof(buf), &len);
    kstr ks = kstr_new(k, len);
    watchers *w = dict_fetch_value(d, ks);
    if (w) {
        int n;
        client **clients = snapshot_clients(w, &n);
        for (int i = 0; i < n; i++) {
            watched_key *wk = find_watch(clients[i], db->id, ks);
            if (!wk) continue;
            if (wk->expired) {
                /* Expired when WATCHed: its deletion is no change. */
                if (!key_present(db, ks)) {
                    wk->expired = 0;
                    continue;
                }
            }
            make_dirty(clients[i]);
        }
        zfree(clients);
    }
    kstr_free(ks);
}

/* Redis' touchAllWatchedKeysInDb: emptied loses its keys and takes those of
 * replaced_with (NULL for a flush). */
static void touch_all_in_db(kdb *emptied, kdb *replaced_with) {
    dict *d = index_of(emptied->id, 0);
    if (!d || dict_size(d) == 0) return;
    /* Collect first: dirtying clients edits the index. */
    int n = 0, cap = 16;
    client **dirty = zmalloc(sizeof(client *) * (size_t)cap);
    dict_iterator it;
    dict_iter_init(&it, d, 1);
    dict_entry *de;
    while ((de = dict_next(&it))) {
        kstr key = de->key;
        watchers *w = de->v.val;
        int in_emptied = key_present(emptied, key);
        int in_replacement = replaced_with && key_present(replaced_with, key);
        if (!in_emptied && !in_replacement) continue;
        for (int i = 0; i < w->count; i++) {
            watched_key *wk = w->items[i];
            if (wk->expired) {
                if (!in_replacement) {
                    wk->expired = 0;
                    continue;
                }
            } else if (!in_emptied) {
                kobj ko = key_obj(key);
                if (db_key_is_expired(replaced_with, &ko)) {
                    wk->expired = 1;
                    continue;
                }
            }
            if (n == cap) {
                cap *= 2;
                dirty = zrealloc(dirty, sizeof(client *) * (size_t)cap);
            }
            dirty[n++] = wk->c;
        }
    }
    dict_iter_reset(&it);
    for (int i = 0; i < n; i++) make_dirty(dirty[i]);
    zfree(dirty);
}

void multi_touch_watched_keys_flushed(kdb *db) {
    touch_all_in_db(db, NULL);
}

void multi_touch_watched_keys_swapped(kdb *db1, kdb *db2) {
    touch_all_in_db(db1, db2);
    touch_all_in_db(db2, db1);
}

/* EXEC fails when a watched key's TTL passed since WATCH, even if nothing
 * deleted it yet. */
static int watched_key_expired(client *c) {
    watch_state *ws = c->watched;
    if (!ws) return 0;
    for (int i = 0; i < ws->count; i++) {
        watched_key *wk = ws->keys[i];
        if (wk->expired) continue;
        kobj ko = key_obj(wk->key);
        if (db_key_is_expired(&server.db[wk->dbid], &ko)) return 1;
    }
    return 0;
}

/* ---------- queue ---------- */

static void free_queue(multi_state *ms) {
    if (!ms) return;
    for (long i = 0; i < ms->count; i++) {
        for (int j = 0; j < ms->cmds[i].argc; j++) decr_ref(ms->cmds[i].argv[j]);
        zfree(ms->cmds[i].argv);
    }
    zfree(ms->cmds);
    zfree(ms);
}

static void discard_transaction(client *c) {
    free_queue(c->mstate);
    c->mstate = NULL;
    c->flags &= ~(CLIENT_MULTI | CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC);
    unwatch_all(c);
}

void multi_client_reset(client *c) {
    discard_transaction(c);
}

void multi_flag_transaction(client *c) {
    if (c->flags & CLIENT_MULTI) c->flags |= CLIENT_DIRTY_EXEC;
}

long multi_queued_count(client *c) {
    if (!(c->flags & CLIENT_MULTI)) return -1;
    return c->mstate ? c->mstate->count : 0;
}

size_t multi_queued_memory(client *c) {
    multi_state *ms = c->mstate;
    if (!ms) return 0;
    return ms->argv_bytes + sizeof(queued_command) * (size_t)ms->cap;
}

/* Moves c's current command into the queue (c->argv is left empty). */
static void queue_command(client *c) {
    /* A transaction that will fail anyway keeps nothing. */
    if (c->flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC)) return;
    if (!c->mstate) c->mstate = zcalloc(sizeof(multi_state));
    multi_state *ms = c->mstate;
    if (ms->count == ms->cap) {
        ms->cap = ms->cap ? ms->cap * 2 : 4;
        ms->cmds = zrealloc(ms->cmds, sizeof(queued_command) * (size_t)ms->cap);
    }
    queued_command *qc = &ms->cmds[ms->count++];
    qc->cmd = c->cmd;
    qc->argc = c->argc;
    qc->argv = zmalloc(sizeof(kobj *) * (size_t)c->argc);
    memcpy(qc->argv, c->argv, sizeof(kobj *) * (size_t)c->argc);
    ms->argv_bytes += c->argv_len_sum + sizeof(kobj *) * (size_t)c->argc;
    /* The references moved into the queue. */
    c->argc = 0;
    c->argv_len_sum = 0;
}

static void multi_command(client *c);
static void exec_command(client *c);
static void discard_command(client *c);
static void watch_command(client *c);

/* EXEC DISCARD MULTI WATCH QUIT RESET run at once inside MULTI. */
static int runs_inside_multi(const kcommand *cmd) {
    if (cmd->proc == exec_command || cmd->proc == discard_command || cmd->proc == multi_command ||
        cmd->proc == watch_command)
        return 1;
    if (cmd->parent) return 0;
    return !strcasecmp(cmd->name, "quit") || !strcasecmp(cmd->name, "reset");
}

int multi_process_command(client *c) {
    if (!(c->flags & CLIENT_MULTI) || runs_inside_multi(c->cmd)) return 0;
    if (c->cmd->flags & CMD_NO_MULTI) {
        add_reply_error(c, "ERR Command not allowed inside a transaction");
        multi_flag_transaction(c);
        return 1;
    }
    queue_command(c);
    add_reply_status_len(c, "QUEUED", 6);
    return 1;
}

/* ---------- commands ---------- */

static void multi_command(client *c) {
    if (c->flags & CLIENT_MULTI) {
        add_reply_error(c, "ERR MULTI calls can not be nested");
        return;
    }
    c->flags |= CLIENT_MULTI;
    add_reply_ok(c);
}

static void discard_command(client *c) {
    if (!(c->flags & CLIENT_MULTI)) {
        add_reply_error(c, "ERR DISCARD without MULTI");
        return;
    }
    discard_transaction(c);
    add_reply_ok(c);
}

static void exec_command(client *c) {
    /* EXEC is never propagated: the commands it runs are, each as it
     * changes data, and propagate.c wraps them in MULTI ... EXEC when
     * there is more than one. */
    propagate_prevent(c);
    if (!(c->flags & CLIENT_MULTI)) {
        add_reply_error(c, "ERR EXEC without MULTI");
        return;
    }
    if (watched_key_expired(c)) c->flags |= CLIENT_DIRTY_CAS;
    if (c->flags & (CLIENT_DIRTY_CAS | CLIENT_DIRTY_EXEC)) {
        if (c->flags & CLIENT_DIRTY_EXEC)
            add_reply_error(c, "EXECABORT Transaction discarded because of previous errors.");
        else
            add_reply_null_array(c);
        discard_transaction(c);
        return;
    }
    unwatch_all(c);
    multi_state *ms = c->mstate;
    c->mstate = NULL;
    uint64_t deny_before = c->flags & CLIENT_DENY_BLOCKING;
    c->flags |= CLIENT_DENY_BLOCKING;

    kobj **argv = c->argv;
    int argc = c->argc, cap = c->argv_cap;
    size_t len_sum = c->argv_len_sum;
    kcommand *cmd = c->cmd;
    long count = ms ? ms->count : 0;
    add_reply_array_len(c, count);
    for (long i = 0; i < count; i++) {
        queued_command *qc = &ms->cmds[i];
        c->argv = qc->argv;
        c->argc = qc->argc;
        c->argv_cap = qc->argc;
        c->cmd = qc->cmd;
        /* The user's rules may have changed since queueing (acl.h). */
        if (acl_check_exec_or_reply(c) == C_OK) call(c);
        /* call() clears the flag that EXEC itself still needs. */
        c->flags |= CLIENT_EXECUTING;
        qc->argv = c->argv;
        qc->argc = c->argc;
    }
    c->argv = argv;
    c->argc = argc;
    c->argv_cap = cap;
    c->argv_len_sum = len_sum;
    c->cmd = cmd;
    if (!deny_before) c->flags &= ~CLIENT_DENY_BLOCKING;
    free_queue(ms);
    discard_transaction(c);
}

static void watch_command(client *c) {
    if (c->flags & CLIENT_MULTI) {
        add_reply_error(c, "ERR WATCH inside MULTI is not allowed");
        return;
    }
    /* Redis 7.0: nothing to watch for a client already doomed. */
    if (c->flags & CLIENT_DIRTY_CAS) {
        add_reply_ok(c);
        return;
    }
    for (int j = 1; j < c->argc; j++) watch_key(c, c->argv[j]);
    add_reply_ok(c);
}

static void unwatch_command(client *c) {
    unwatch_all(c);
    c->flags &= ~CLIENT_DIRTY_CAS;
    add_reply_ok(c);
}

/* ---------- table ---------- */

#define TX_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_ALLOW_BUSY)

kcommand multi_commands[] = {
    {.name = "multi",
     .proc = multi_command,
     .arity = 1,
     .flags = TX_FLAGS,
     .group = "transactions",
     .summary = "Mark the start of a transaction block",
     .since = "1.2.0",
     .complexity = "O(1)",
     .acl_categories = "@fast @transaction",
     .syntax = ""},
    {.name = "exec",
     .proc = exec_command,
     .arity = 1,
     .flags = CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_SKIP_SLOWLOG,
     .group = "transactions",
     .summary = "Execute all commands issued after MULTI",
     .since = "1.2.0",
     .complexity = "Depends on commands in the transaction",
     .acl_categories = "@slow @transaction",
     .syntax = ""},
    {.name = "discard",
     .proc = discard_command,
     .arity = 1,
     .flags = TX_FLAGS,
     .group = "transactions",
     .summary = "Discard all commands issued after MULTI",
     .since = "2.0.0",
     .complexity = "O(N), when N is the number of queued commands",
     .acl_categories = "@fast @transaction",
     .syntax = ""},
    {.name = "watch",
     .proc = watch_command,
     .arity = -2,
     .flags = TX_FLAGS,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .group = "transactions",
     .summary = "Monitor changes to keys to determine execution of the MULTI/EXEC block",
     .since = "2.2.0",
     .complexity = "O(1) for every key.",
     .acl_categories = "@fast @transaction",
     .syntax = "key [key ...]"},
    {.name = "unwatch",
     .proc = unwatch_command,
     .arity = 1,
     .flags = TX_FLAGS,
     .group = "transactions",
     .summary = "Forget about all watched keys",
     .since = "2.2.0",
     .complexity = "O(1)",
     .acl_categories = "@fast @transaction",
     .syntax = ""},
    {0}};
