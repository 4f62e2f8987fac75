/*
 * Command propagation with Redis 7.0's rules (propagate.h).
 *
 * Every call() opens a frame that remembers server.dirty. When the command
 * returns, it propagates its argv (as rewritten for determinism) if it
 * changed dirty, unless it asked not to (propagate_prevent) or forced it
 * (propagate_force). What a command propagates, and what it queued with
 * propagate_also meanwhile (the DEL of a key found expired, the SREMs of
 * SPOP), is collected in order until the outermost call() returns; then
 * the queue goes to the AOF, wrapped in MULTI ... EXEC when it holds more
 * than one command, so that a replica or a reload applies it atomically.
 * EXEC never propagates itself: its queued commands are the ones nested
 * inside it. Outside any command (active expiry, blocked-client
 * bookkeeping) propagate_also feeds the AOF at once.
 *
 * Nothing is propagated while a dataset is loading (server.loading).
 *
 * Threading: main thread.
 */
#include <stdarg.h>
#include <string.h>

#include "aof.h"
#include "propagate.h"

/* One command waiting for the outermost call() to end. */
typedef struct pending_op {
    int dbid;
    int argc;
    kobj **argv; /* one reference each */
} pending_op;

/* State of one call() level. */
typedef struct call_frame {
    long long dirty_before;
    int prevent;
    int force;
} call_frame;

static call_frame *frames;
static int depth, frames_cap;
static pending_op *ops;
static int ops_len, ops_cap;

/* ---------- shared words ---------- */

static kobj **words;
static int words_len, words_cap;

kobj *propagate_word(const char *word) {
    size_t len = strlen(word);
    for (int i = 0; i < words_len; i++) {
        kstr w = words[i]->ptr;
        if (kstr_len(w) == len && memcmp(w, word, len) == 0) return words[i];
    }
    if (words_len == words_cap) {
        words_cap = words_cap ? words_cap * 2 : 32;
        words = zrealloc(words, sizeof(kobj *) * (size_t)words_cap);
    }
    kobj *o = obj_create_raw_string(word, len);
    o->refcount = INT_MAX; /* shared: never freed */
    words[words_len++] = o;
    return o;
}

/* ---------- the queue ---------- */

static void queue_op(int dbid, kobj **argv, int argc) {
    if (ops_len == ops_cap) {
        ops_cap = ops_cap ? ops_cap * 2 : 8;
        ops = zrealloc(ops, sizeof(pending_op) * (size_t)ops_cap);
    }
    pending_op *op = &ops[ops_len++];
    op->dbid = dbid;
    op->argc = argc;
    op->argv = zmalloc(sizeof(kobj *) * (size_t)argc);
    for (int i = 0; i < argc; i++) {
        op->argv[i] = argv[i];
        incr_ref(argv[i]);
    }
}

static void feed_word(int dbid, const char *word) {
    kobj *w = propagate_word(word);
    aof_feed(dbid, &w, 1);
}

/* Feeds what the outermost command queued, as one transaction when there
 * is more than one command. */
static void flush_ops(void) {
    if (ops_len == 0) return;
    int wrap = ops_len > 1;
    /* MULTI takes the first command's database and EXEC the last one's, so
     * that the AOF's SELECT comes before MULTI and none is added before
     * EXEC. */
    if (wrap) feed_word(ops[0].dbid, "MULTI");
    for (int i = 0; i < ops_len; i++) aof_feed(ops[i].dbid, ops[i].argv, ops[i].argc);
    if (wrap) feed_word(ops[ops_len - 1].dbid, "EXEC");
    for (int i = 0; i < ops_len; i++) {
        for (int j = 0; j < ops[i].argc; j++) decr_ref(ops[i].argv[j]);
        zfree(ops[i].argv);
    }
    ops_len = 0;
}

void propagate_also(int dbid, kobj **argv, int argc) {
    if (server.loading || argc <= 0) return;
    if (depth == 0) {
        /* Not inside a command: nothing to group it with. */
        aof_feed(dbid, argv, argc);
        return;
    }
    queue_op(dbid, argv, argc);
}

void propagate_expired_key(kdb *db, kstr key) {
    kobj *argv[2];
    argv[0] = propagate_word("DEL");
    argv[1] = obj_create_string(key, kstr_len(key));
    propagate_also(db->id, argv, 2);
    decr_ref(argv[1]);
}

/* ---------- argv rewrites ---------- */

static void recount_argv_len(client *c) {
    size_t sum = 0;
    for (int i = 0; i < c->argc; i++)
        if (c->argv[i]->encoding != OBJ_ENCODING_INT) sum += kstr_len(c->argv[i]->ptr);
    c->argv_len_sum = sum;
}

void propagate_replace_argv(client *c, int argc, kobj **argv) {
    for (int i = 0; i < c->argc; i++) decr_ref(c->argv[i]);
    zfree(c->argv);
    c->argv = argv;
    c->argc = argc;
    c->argv_cap = argc;
    recount_argv_len(c);
}

void propagate_rewrite_argv(client *c, int argc, ...) {
    kobj **argv = zmalloc(sizeof(kobj *) * (size_t)argc);
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        const char *s = va_arg(ap, const char *);
        argv[i] = obj_create_string(s, strlen(s));
    }
    va_end(ap);
    propagate_replace_argv(c, argc, argv);
}

void propagate_rewrite_objs(client *c, int argc, ...) {
    kobj **argv = zmalloc(sizeof(kobj *) * (size_t)argc);
    va_list ap;
    va_start(ap, argc);
    for (int i = 0; i < argc; i++) {
        argv[i] = va_arg(ap, kobj *);
        incr_ref(argv[i]);
    }
    va_end(ap);
    propagate_replace_argv(c, argc, argv);
}

void propagate_rewrite_arg(client *c, int i, kobj *o) {
    if (i < 0 || i > c->argc) return;
    incr_ref(o);
    if (i == c->argc) {
        if (c->argc == c->argv_cap) {
            c->argv_cap = c->argc + 1;
            c->argv = zrealloc(c->argv, sizeof(kobj *) * (size_t)c->argv_cap);
        }
        c->argv[c->argc++] = o;
    } else {
        decr_ref(c->argv[i]);
        c->argv[i] = o;
    }
    recount_argv_len(c);
}

/* ---------- call() hooks ---------- */

void propagate_prevent(client *c) {
    (void)c;
    if (depth > 0) frames[depth - 1].prevent = 1;
}

void propagate_force(client *c) {
    (void)c;
    if (depth > 0) frames[depth - 1].force = 1;
}

void propagate_call_begin(client *c) {
    (void)c;
    if (depth == frames_cap) {
        frames_cap = frames_cap ? frames_cap * 2 : 4;
        frames = zrealloc(frames, sizeof(call_frame) * (size_t)frames_cap);
    }
    call_frame *f = &frames[depth++];
    f->dirty_before = server.dirty;
    f->prevent = 0;
    f->force = 0;
}

void propagate_call_end(client *c) {
    if (depth == 0) return;
    call_frame f = frames[--depth];
    int changed = server.dirty > f.dirty_before;
    if (!server.loading && (changed || f.force) && !f.prevent && c->argc > 0) {
        if (depth == 0 && ops_len == 0)
            aof_feed(c->db->id, c->argv, c->argc); /* the common case: no copy */
        else
            queue_op(c->db->id, c->argv, c->argc);
    }
    if (depth == 0) flush_ops();
}
