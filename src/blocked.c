/*
 * Clients blocked on keys (blocked.h).
 *
 * State:
 *  - per database, a dict key -> wait_queue: the clients blocked on that key
 *    in the order they blocked (FIFO, Redis' fairness rule);
 *  - the ready list: keys signalled since the last before-sleep, each once
 *    (a per-database set dedupes them);
 *  - a binary min-heap of blocked clients with a timeout, ordered by
 *    deadline, so expiring them costs O(log n) each;
 *  - the clients unblocked since the last before-sleep, whose pending input
 *    must still be processed.
 *
 * Serving a ready key re-runs the blocked command of each waiting client,
 * oldest first, as long as the key holds a value of the type the client
 * waits for. The command either serves the client (which is unblocked) or
 * asks to block again (block_for_keys during a re-run), which keeps the
 * client where it was.
 *
 * Threading: main thread only.
 */
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "blocked.h"
#include "keyspace.h"
#include "server.h"

#define HEAP_NONE SIZE_MAX

typedef struct waiter {
    struct waiter *prev, *next;
    client *c;
} waiter;

typedef struct wait_queue {
    waiter *head, *tail;
    unsigned long len;
} wait_queue;

typedef struct blocking_state {
    int btype;
    int dbid;
    long long timeout; /* absolute ms; 0: none */
    size_t heap_idx;   /* position in the timeout heap, HEAP_NONE if absent */
    int numkeys;
    kstr *keys;     /* deduplicated key names */
    waiter **nodes; /* c's node in each key's queue */
    int argc;
    kobj **argv; /* the blocked command, one reference each */
    kcommand *cmd;
    int rerunning; /* the command is being run again for a ready key */
    int reblocked; /* ... and asked to stay blocked */
} blocking_state;

typedef struct ready_key {
    int dbid;
    kstr key;
} ready_key;

static dict **blocking_keys; /* [dbnum], created on first use */
static dict **ready_sets;    /* [dbnum] key -> NULL: keys in the ready list */
static ready_key *ready;
static size_t ready_len, ready_cap;
static client **heap;
static size_t heap_len, heap_cap;
static client **unblocked;
static size_t unblocked_len, unblocked_cap;
static unsigned long blocked_total;
static unsigned long blocked_by_type[OBJ_HASH + 1];

/* ---------- dict types ---------- */

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

static void queue_destroy(void *q) {
    zfree(q);
}

static const dict_type blocking_dict_type = {kstr_hash, NULL, kstr_equal, kstr_destroy,
                                             queue_destroy};
static const dict_type ready_set_type = {kstr_hash, NULL, kstr_equal, kstr_destroy, NULL};

static void ensure_tables(void) {
    if (blocking_keys) return;
    blocking_keys = zcalloc(sizeof(dict *) * (size_t)server.dbnum);
    ready_sets = zcalloc(sizeof(dict *) * (size_t)server.dbnum);
}

/* A key argument as a kstr: argument objects hold one already; an
 * INT-encoded key gets a copy in *tmp (free with kstr_free). */
static kstr key_kstr(kobj *key, kstr *tmp) {
    *tmp = NULL;
    if (key->encoding == OBJ_ENCODING_INT) {
        *tmp = kstr_from_ll((long)key->ptr);
        return *tmp;
    }
    return key->ptr;
}

/* ---------- timeout heap ---------- */

static long long deadline_at(size_t i) {
    return heap[i]->bstate->timeout;
}

static void heap_swap(size_t a, size_t b) {
    client *t = heap[a];
    heap[a] = heap[b];
    heap[b] = t;
    heap[a]->bstate->heap_idx = a;
    heap[b]->bstate->heap_idx = b;
}

static void heap_up(size_t i) {
    while (i > 0) {
        size_t parent = (i - 1) / 2;
        if (deadline_at(parent) <= deadline_at(i)) break;
        heap_swap(parent, i);
        i = parent;
    }
}

static void heap_down(size_t i) {
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, min = i;
        if (l < heap_len && deadline_at(l) < deadline_at(min)) min = l;
        if (r < heap_len && deadline_at(r) < deadline_at(min)) min = r;
        if (min == i) return;
        heap_swap(i, min);
        i = min;
    }
}

static void heap_insert(client *c) {
    if (heap_len == heap_cap) {
        heap_cap = heap_cap ? heap_cap * 2 : 16;
        heap = zrealloc(heap, sizeof(client *) * heap_cap);
    }
    heap[heap_len] = c;
    c->bstate->heap_idx = heap_len;
    heap_len++;
    heap_up(heap_len - 1);
}

static void heap_remove(client *c) {
    size_t i = c->bstate->heap_idx;
    if (i == HEAP_NONE) return;
    c->bstate->heap_idx = HEAP_NONE;
    heap_len--;
    if (i == heap_len) return;
    heap[i] = heap[heap_len];
    heap[i]->bstate->heap_idx = i;
    heap_down(i);
    heap_up(i);
}

/* ---------- queues of unblocked clients ---------- */

static void queue_unblocked(client *c) {
    for (size_t i = 0; i < unblocked_len; i++)
        if (unblocked[i] == c) return;
    if (unblocked_len == unblocked_cap) {
        unblocked_cap = unblocked_cap ? unblocked_cap * 2 : 16;
        unblocked = zrealloc(unblocked, sizeof(client *) * unblocked_cap);
    }
    unblocked[unblocked_len++] = c;
}

static void forget_unblocked(client *c) {
    for (size_t i = 0; i < unblocked_len; i++) {
        if (unblocked[i] == c) {
            memmove(unblocked + i, unblocked + i + 1, sizeof(client *) * (unblocked_len - i - 1));
            unblocked_len--;
            return;
        }
    }
}

/* ---------- blocking ---------- */

int get_timeout_from_obj_or_reply(client *c, kobj *o, long long *timeout) {
    long double secs;
    if (get_long_double_from_obj_or_reply(c, o, &secs,
                                          "ERR timeout is not a float or out of range") != C_OK)
        return C_ERR;
    /* Redis 7.0 converts with a plain cast: fractions of a millisecond
     * truncate towards zero (so -0.0001 means "forever") and values too
     * large for a long long become LLONG_MIN, hence negative. */
    long double ms = secs * 1000.0L;
    long long tval =
        (ms >= 9223372036854775807.0L || ms <= -9223372036854775808.0L) ? LLONG_MIN : (long long)ms;
    if (tval < 0) {
        add_reply_error(c, "ERR timeout is negative");
        return C_ERR;
    }
    if (tval > 0) {
        long long now = mstime();
        tval = tval > LLONG_MAX - now ? LLONG_MAX : tval + now;
    }
    *timeout = tval;
    return C_OK;
}

static int state_has_key(const blocking_state *bs, const char *k, size_t len) {
    for (int i = 0; i < bs->numkeys; i++)
        if (kstr_len(bs->keys[i]) == len && memcmp(bs->keys[i], k, len) == 0) return 1;
    return 0;
}

void block_for_keys(client *c, kobj **keys, int numkeys, long long timeout, int btype) {
    if (c->bstate && c->bstate->rerunning) {
        c->bstate->reblocked = 1;
        return;
    }
    if (c->bstate || (c->flags & CLIENT_DENY_BLOCKING)) {
        /* Callers reply themselves inside EXEC; this is the safe fallback. */
        add_reply_null_array(c);
        return;
    }
    ensure_tables();
    blocking_state *bs = zcalloc(sizeof(*bs));
    bs->btype = btype;
    bs->dbid = c->db->id;
    bs->timeout = timeout;
    bs->heap_idx = HEAP_NONE;
    bs->keys = zmalloc(sizeof(kstr) * (size_t)numkeys);
    bs->nodes = zmalloc(sizeof(waiter *) * (size_t)numkeys);
    dict *d = blocking_keys[bs->dbid];
    if (!d) d = blocking_keys[bs->dbid] = dict_create(&blocking_dict_type);
    for (int i = 0; i < numkeys; i++) {
        kstr tmp;
        kstr k = key_kstr(keys[i], &tmp);
        if (state_has_key(bs, k, kstr_len(k))) {
            kstr_free(tmp);
            continue;
        }
        wait_queue *q = dict_fetch_value(d, k);
        if (!q) {
            q = zcalloc(sizeof(*q));
            dict_add(d, kstr_dup(k), q);
        }
        waiter *w = zmalloc(sizeof(*w));
        w->c = c;
        w->next = NULL;
        w->prev = q->tail;
        if (q->tail)
            q->tail->next = w;
        else
            q->head = w;
        q->tail = w;
        q->len++;
        bs->keys[bs->numkeys] = kstr_dup(k);
        bs->nodes[bs->numkeys] = w;
        bs->numkeys++;
        kstr_free(tmp);
    }
    bs->argc = c->argc;
    bs->argv = zmalloc(sizeof(kobj *) * (size_t)c->argc);
    for (int i = 0; i < c->argc; i++) {
        bs->argv[i] = c->argv[i];
        incr_ref(c->argv[i]);
    }
    bs->cmd = c->cmd;
    c->bstate = bs;
    c->flags |= CLIENT_BLOCKED;
    blocked_total++;
    if (btype >= 0 && btype <= OBJ_HASH) blocked_by_type[btype]++;
    if (timeout > 0) heap_insert(c);
}

/* Takes c out of every queue and the heap and frees its state; no reply. */
static void unblock(client *c) {
    blocking_state *bs = c->bstate;
    if (!bs) return;
    dict *d = blocking_keys[bs->dbid];
    for (int i = 0; i < bs->numkeys; i++) {
        dict_entry *de = dict_find(d, bs->keys[i]);
        wait_queue *q = de->v.val;
        waiter *w = bs->nodes[i];
        if (w->prev)
            w->prev->next = w->next;
        else
            q->head = w->next;
        if (w->next)
            w->next->prev = w->prev;
        else
            q->tail = w->prev;
        q->len--;
        zfree(w);
        if (q->len == 0) dict_delete(d, bs->keys[i]);
        kstr_free(bs->keys[i]);
    }
    heap_remove(c);
    for (int i = 0; i < bs->argc; i++) decr_ref(bs->argv[i]);
    zfree(bs->argv);
    zfree(bs->keys);
    zfree(bs->nodes);
    if (bs->btype >= 0 && bs->btype <= OBJ_HASH) blocked_by_type[bs->btype]--;
    zfree(bs);
    c->bstate = NULL;
    c->flags &= ~CLIENT_BLOCKED;
    blocked_total--;
}

void blocked_client_freed(client *c) {
    unblock(c);
    forget_unblocked(c);
}

int client_unblock_by_request(client *c, int error) {
    if (!(c->flags & CLIENT_BLOCKED) || !c->bstate) return 0;
    if (error)
        add_reply_error(c, "UNBLOCKED client unblocked via CLIENT UNBLOCK");
    else
        add_reply_null_array(c);
    unblock(c);
    queue_unblocked(c);
    return 1;
}

unsigned long blocked_clients_count(void) {
    return blocked_total;
}

unsigned long blocked_clients_with_timeout(void) {
    return (unsigned long)heap_len;
}

/* ---------- ready keys ---------- */

static void add_ready(int dbid, const char *k, size_t len) {
    ensure_tables();
    dict *set = ready_sets[dbid];
    if (!set) set = ready_sets[dbid] = dict_create(&ready_set_type);
    kstr key = kstr_new(k, len);
    if (dict_find(set, key)) {
        kstr_free(key);
        return;
    }
    dict_add(set, kstr_dup(key), NULL);
    if (ready_len == ready_cap) {
        ready_cap = ready_cap ? ready_cap * 2 : 16;
        ready = zrealloc(ready, sizeof(ready_key) * ready_cap);
    }
    ready[ready_len].dbid = dbid;
    ready[ready_len].key = key;
    ready_len++;
}

void signal_key_as_ready(kdb *db, kobj *key, int type) {
    if (blocked_total == 0 || !blocking_keys) return;
    if (type >= 0 && type <= OBJ_HASH && blocked_by_type[type] == 0) return;
    dict *d = blocking_keys[db->id];
    if (!d) return;
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    if (dict_find(d, k)) add_ready(db->id, k, kstr_len(k));
    kstr_free(tmp);
}

void blocked_scan_db_for_ready_keys(kdb *db) {
    if (!blocking_keys || !blocking_keys[db->id]) return;
    dict_iterator it;
    dict_iter_init(&it, blocking_keys[db->id], 1);
    dict_entry *de;
    while ((de = dict_next(&it))) {
        kstr k = de->key;
        kobj keyobj = {.type = OBJ_STRING, .encoding = OBJ_ENCODING_RAW, .refcount = 1, .ptr = k};
        kobj *o = db_lookup(db, &keyobj, LOOKUP_NOTOUCH | LOOKUP_NOSTATS | LOOKUP_NONOTIFY);
        if (o && (o->type == OBJ_LIST || o->type == OBJ_ZSET)) add_ready(db->id, k, kstr_len(k));
    }
    dict_iter_reset(&it);
}

int blocked_is_serving(client *c) {
    return c->bstate && c->bstate->rerunning;
}

/* Runs c's blocked command again. Returns 1 if c was served (and is now
 * unblocked), 0 if it stays blocked. */
static int rerun_blocked_command(client *c) {
    blocking_state *bs = c->bstate;
    kobj **argv = c->argv;
    int argc = c->argc, cap = c->argv_cap;
    size_t len_sum = c->argv_len_sum;
    kcommand *cmd = c->cmd;

    c->argv = bs->argv;
    c->argc = bs->argc;
    c->argv_cap = bs->argc;
    c->cmd = c->lastcmd = bs->cmd;
    bs->rerunning = 1;
    bs->reblocked = 0;
    call(c);
    /* Redis counts a blocking command once: its first run already did. */
    bs->cmd->calls--;
    bs->rerunning = 0;
    bs->argv = c->argv;
    bs->argc = c->argc;
    c->argv = argv;
    c->argc = argc;
    c->argv_cap = cap;
    c->argv_len_sum = len_sum;
    c->cmd = cmd;
    if (bs->reblocked) return 0;
    unblock(c);
    queue_unblocked(c);
    return 1;
}

static int client_waits_on(client *c, int dbid, const kstr key) {
    blocking_state *bs = c->bstate;
    return bs && bs->dbid == dbid && state_has_key(bs, key, kstr_len(key));
}

/* Serves the clients blocked on one ready key, oldest first, while the key
 * holds a value of the awaited type. */
static void serve_key(int dbid, kstr key) {
    dict *d = blocking_keys ? blocking_keys[dbid] : NULL;
    wait_queue *q = d ? dict_fetch_value(d, key) : NULL;
    if (!q) return;
    /* Snapshot: re-runs change the queue. Clients are never freed
     * synchronously while commands run, so the pointers stay valid. */
    unsigned long n = q->len;
    client **waiting = zmalloc(sizeof(client *) * n);
    unsigned long i = 0;
    for (waiter *w = q->head; w && i < n; w = w->next) waiting[i++] = w->c;
    kdb *db = &server.db[dbid];
    kobj keyobj = {.type = OBJ_STRING, .encoding = OBJ_ENCODING_RAW, .refcount = 1, .ptr = key};
    for (i = 0; i < n; i++) {
        client *c = waiting[i];
        if (!client_waits_on(c, dbid, key)) continue;
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        kobj *o = db_lookup(db, &keyobj, LOOKUP_NOTOUCH | LOOKUP_NOSTATS | LOOKUP_NONOTIFY);
        if (!o) break;
        if ((int)o->type != c->bstate->btype) continue;
        rerun_blocked_command(c);
    }
    zfree(waiting);
}

/* Runs the input that clients unblocked meanwhile had sent. */
static void process_unblocked_clients(void) {
    while (unblocked_len) {
        client *c = unblocked[0];
        memmove(unblocked, unblocked + 1, sizeof(client *) * (unblocked_len - 1));
        unblocked_len--;
        if (c->flags & (CLIENT_BLOCKED | CLIENT_CLOSE_ASAP | CLIENT_CLOSE_AFTER_REPLY)) continue;
        if (c->querybuf) process_input_buffer(c);
    }
}

void blocked_serve_ready_keys(void) {
    static int serving;
    if (serving || ready_len == 0) return;
    serving = 1;
    while (ready_len) {
        /* Keys signalled while serving go to a fresh list, served in the
         * next round. */
        ready_key *list = ready;
        size_t len = ready_len;
        ready = NULL;
        ready_len = ready_cap = 0;
        for (size_t i = 0; i < len; i++) {
            dict *set = ready_sets[list[i].dbid];
            if (set) dict_delete(set, list[i].key);
            serve_key(list[i].dbid, list[i].key);
            kstr_free(list[i].key);
        }
        zfree(list);
    }
    serving = 0;
}

void handle_clients_blocked_on_keys(void) {
    while (ready_len || unblocked_len) {
        blocked_serve_ready_keys();
        process_unblocked_clients();
    }
}

void handle_blocked_clients_timeout(void) {
    if (heap_len == 0) return;
    long long now = mstime();
    while (heap_len && deadline_at(0) <= now) {
        client *c = heap[0];
        add_reply_null_array(c);
        unblock(c);
        queue_unblocked(c);
    }
}
