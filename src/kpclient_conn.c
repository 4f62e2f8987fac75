/*
 * Client connections: connect with a deadline, a FIFO of pipelined
 * requests matched to replies, pub/sub and push routing, raw mode.
 *
 * States (kpc_state): CONNECTING -> READY -> FAILED, or CONNECTING ->
 * FAILED. kpc_close() may come in any state and frees the object once no
 * callback of it is on the stack (refs).
 *
 * Routing of a parsed reply (route_reply):
 *  - a subscribe-family confirmation ([p|s][un]subscribe, channel, count)
 *    that matches the request at the head of the queue answers it; further
 *    confirmations of the same request (one per channel) go to the push
 *    callback and the request leaves the queue after the last one;
 *  - other RESP3 pushes, RESP2 pub/sub messages while subscribed, and any
 *    reply while no request waits (MONITOR) go to the push callback;
 *  - everything else answers the head request.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "kpclient.h"
#include "kstr.h"
#include "zmalloc.h"

#define KPC_READ_CHUNK (16 * 1024)
/* Output written is dropped from the buffer once it exceeds this much. */
#define KPC_OBUF_COMPACT (64 * 1024)

/* Subscribe-family commands; index + 1 is kpc_req.sub. */
static const char *const sub_cmds[] = {"subscribe",   "psubscribe",   "ssubscribe",
                                       "unsubscribe", "punsubscribe", "sunsubscribe"};
#define NSUB ((int)(sizeof(sub_cmds) / sizeof(sub_cmds[0])))
static const char *const msg_kinds[] = {"message", "pmessage", "smessage"};

typedef struct kpc_req {
    kpc_reply_cb *cb;
    void *data;
    uint8_t sub;        /* 0, or 1 + index in sub_cmds */
    uint8_t answered;   /* the first confirmation went to cb */
    uint8_t is_reset;   /* RESET: leaves pub/sub mode */
    long long sub_left; /* confirmations still expected */
} kpc_req;

struct kpc_conn {
    ae_loop *loop;
    const kpc_stack *stack;
    connection *conn; /* NULL once failed or closed */
    kpc_state state;
    char *peer;
    char *err;
    long long timeout_ms;
    long long timer; /* connect deadline, -1 when none */
    kstr obuf;
    size_t opos; /* bytes of obuf already written */
    int writing; /* write handler installed */
    kpc_reader *reader;
    int light;
    int eager;  /* write at once when queuing (kpc_set_eager_write) */
    kpc_req *q; /* ring of awaited replies */
    size_t qhead, qlen, qcap;
    long long subs;
    int refs;
    int closing;
    void *data;
    kpc_connect_cb *connect_cb;
    void *connect_data;
    kpc_push_cb *push_cb;
    void *push_data;
    kpc_lost_cb *lost_cb;
    void *lost_data;
    kpc_drain_cb *drain_cb;
    void *drain_data;
    kpc_raw_cb *raw_cb;
    void *raw_data;
};

/* ---------- lifetime ---------- */

static void conn_free(kpc_conn *c) {
    kstr_free(c->obuf);
    kpc_reader_free(c->reader);
    zfree(c->q);
    zfree(c->peer);
    zfree(c->err);
    zfree(c);
}

/* Drops a callback reference; returns 0 when c was freed. */
static int unref(kpc_conn *c) {
    if (--c->refs == 0 && c->closing) {
        conn_free(c);
        return 0;
    }
    return 1;
}

static void cancel_timer(kpc_conn *c) {
    if (c->timer >= 0) {
        ae_del_timer(c->loop, c->timer);
        c->timer = -1;
    }
}

static void drop_transport(kpc_conn *c) {
    if (!c->conn) return;
    conn_set_private(c->conn, NULL);
    conn_close(c->conn);
    c->conn = NULL;
    c->writing = 0;
}

static void set_error(kpc_conn *c, const char *why) {
    zfree(c->err);
    c->err = zstrdup(why && *why ? why : "connection error");
}

/* Answers every waiting request with NULL. The caller holds a ref. */
static void fail_pending(kpc_conn *c) {
    while (c->qlen > 0) {
        kpc_req r = c->q[c->qhead];
        c->qhead = (c->qhead + 1) % c->qcap;
        c->qlen--;
        if (r.cb && !r.answered) r.cb(c, NULL, r.data);
        if (c->closing && c->refs == 0) return;
    }
}

/* The connection is unusable from now on. The caller holds a ref. */
static void fail_conn(kpc_conn *c, const char *why) {
    if (c->state == KPC_FAILED) return;
    kpc_state was = c->state;
    c->state = KPC_FAILED;
    set_error(c, why);
    cancel_timer(c);
    drop_transport(c);
    if (was == KPC_CONNECTING) {
        kpc_connect_cb *cb = c->connect_cb;
        c->connect_cb = NULL;
        if (cb) cb(c, -1, c->err, c->connect_data);
    }
    if (c->closing) return;
    fail_pending(c);
    if (c->closing) return;
    if (was == KPC_READY && c->lost_cb) c->lost_cb(c, c->err, c->lost_data);
}

void kpc_close(kpc_conn *c) {
    if (!c || c->closing) return;
    c->closing = 1;
    cancel_timer(c);
    drop_transport(c);
    if (c->state != KPC_FAILED) set_error(c, "connection closed by the client");
    c->state = KPC_FAILED;
    c->refs++;
    fail_pending(c);
    unref(c);
}

/* ---------- the request queue ---------- */

static void queue_push(kpc_conn *c, const kpc_req *r) {
    if (c->qlen == c->qcap) {
        size_t ncap = c->qcap ? c->qcap * 2 : 16;
        kpc_req *nq = zmalloc(sizeof(kpc_req) * ncap);
        for (size_t i = 0; i < c->qlen; i++) nq[i] = c->q[(c->qhead + i) % c->qcap];
        zfree(c->q);
        c->q = nq;
        c->qcap = ncap;
        c->qhead = 0;
    }
    c->q[(c->qhead + c->qlen) % c->qcap] = *r;
    c->qlen++;
}

static kpc_req *queue_head(kpc_conn *c) {
    return c->qlen ? &c->q[c->qhead] : NULL;
}

static kpc_req queue_pop(kpc_conn *c) {
    kpc_req r = c->q[c->qhead];
    c->qhead = (c->qhead + 1) % c->qcap;
    c->qlen--;
    return r;
}

/* ---------- output ---------- */

static void on_writable(connection *conn);

static void want_write(kpc_conn *c) {
    if (c->writing || !c->conn || c->state != KPC_READY) return;
    c->writing = 1;
    conn_set_write_handler(c->conn, on_writable);
}

/* Writes what the socket takes. The caller holds a ref. */
static void flush_output(kpc_conn *c) {
    while (c->conn && c->opos < kstr_len(c->obuf)) {
        size_t n;
        kp_result r = conn_write(c->conn, c->obuf + c->opos, kstr_len(c->obuf) - c->opos, &n);
        if (r == KP_OK) {
            c->opos += n;
            continue;
        }
        if (r == KP_AGAIN) {
            want_write(c);
            if (c->opos > KPC_OBUF_COMPACT && c->opos * 2 > kstr_len(c->obuf)) {
                kstr_consume(c->obuf, c->opos);
                c->opos = 0;
            }
            return;
        }
        fail_conn(c, r == KP_EOF ? "connection closed by the server" : conn_last_error(c->conn));
        return;
    }
    if (!c->conn) return;
    kstr_clear(c->obuf);
    c->opos = 0;
    if (c->writing) {
        c->writing = 0;
        conn_set_write_handler(c->conn, NULL);
    }
    if (c->drain_cb) c->drain_cb(c, c->drain_data);
}

static void on_writable(connection *conn) {
    kpc_conn *c = conn_get_private(conn);
    if (!c) return;
    c->refs++;
    flush_output(c);
    unref(c);
}

static int append_output(kpc_conn *c, const char *buf, size_t len) {
    if (c->state == KPC_FAILED) return -1;
    c->obuf = kstr_cat(c->obuf, buf, len);
    if (!c->eager) want_write(c);
    return 0;
}

/* Output just queued: eager connections write it now (what the socket does
 * not take waits for the writable event), others on the writable event. */
static void output_queued(kpc_conn *c) {
    if (!c->eager || c->writing || !c->conn || c->state != KPC_READY) {
        want_write(c);
        return;
    }
    c->refs++;
    flush_output(c);
    unref(c);
}

/* ---------- reply routing ---------- */

static int str_is(const kpc_reply *r, const char *s) {
    return r && (r->type == KPC_STRING || r->type == KPC_STATUS) && strlen(s) == r->len &&
           strncasecmp(r->str, s, r->len) == 0;
}

/* 1 + index in sub_cmds when r is a subscribe-family confirmation. */
static int confirmation_kind(const kpc_reply *r) {
    if ((r->type != KPC_PUSH && r->type != KPC_ARRAY) || !r->element || r->elements != 3 ||
        r->element[2]->type != KPC_INTEGER)
        return 0;
    for (int i = 0; i < NSUB; i++)
        if (str_is(r->element[0], sub_cmds[i])) return i + 1;
    return 0;
}

static int is_message(const kpc_reply *r) {
    if ((r->type != KPC_PUSH && r->type != KPC_ARRAY) || !r->element || r->elements < 3) return 0;
    for (size_t i = 0; i < sizeof(msg_kinds) / sizeof(msg_kinds[0]); i++)
        if (str_is(r->element[0], msg_kinds[i])) return 1;
    return 0;
}

static void to_push(kpc_conn *c, kpc_reply *r) {
    if (c->push_cb)
        c->push_cb(c, r, c->push_data);
    else
        kpc_reply_free(r);
}

static void answer_head(kpc_conn *c, kpc_reply *r) {
    kpc_req req = queue_pop(c);
    if (req.is_reset && r->type != KPC_ERROR) c->subs = 0;
    if (req.cb)
        req.cb(c, r, req.data);
    else
        kpc_reply_free(r);
}

/* A confirmation for the subscribe request at the head. */
static void answer_subscription(kpc_conn *c, kpc_req *head, kpc_reply *r) {
    int first = !head->answered;
    head->answered = 1;
    if (--head->sub_left <= 0) {
        kpc_req req = queue_pop(c);
        if (!first) {
            to_push(c, r);
        } else if (req.cb) {
            req.cb(c, r, req.data);
        } else {
            kpc_reply_free(r);
        }
        return;
    }
    if (!first) {
        to_push(c, r);
    } else if (head->cb) {
        head->cb(c, r, head->data);
    } else {
        kpc_reply_free(r);
    }
}

static void route_reply(kpc_conn *c, kpc_reply *r) {
    kpc_req *head = queue_head(c);
    if (c->light) {
        if (head && r->type != KPC_PUSH)
            answer_head(c, r);
        else
            to_push(c, r);
        return;
    }
    int kind = confirmation_kind(r);
    if (kind) {
        c->subs = r->element[2]->integer;
        if (head && head->sub == kind) {
            answer_subscription(c, head, r);
            return;
        }
        if (r->type == KPC_PUSH || c->subs > 0 || !head) {
            to_push(c, r);
            return;
        }
    }
    if (r->type == KPC_PUSH || !head || (c->subs > 0 && is_message(r))) {
        to_push(c, r);
        return;
    }
    answer_head(c, r);
}

/* ---------- input ---------- */

/* Parses (or hands over, in raw mode) what has been read. The caller holds
 * a ref. */
static void process_input(kpc_conn *c) {
    while (!c->closing && c->state == KPC_READY) {
        if (c->raw_cb && !kpc_reader_in_reply(c->reader)) {
            size_t len;
            const char *p = kpc_reader_peek(c->reader, &len);
            if (len == 0) return;
            size_t used = c->raw_cb(c, p, len, c->raw_data);
            if (c->closing || c->state != KPC_READY) return;
            kpc_reader_skip(c->reader, used);
            if (used == 0 && c->raw_cb) return;
            continue;
        }
        kpc_reply *r;
        int rc = kpc_reader_next(c->reader, &r);
        if (rc == 0) return;
        if (rc < 0) {
            fail_conn(c, kpc_reader_error(c->reader));
            return;
        }
        route_reply(c, r);
    }
}

static void on_readable(connection *conn) {
    kpc_conn *c = conn_get_private(conn);
    if (!c) return;
    c->refs++;
    size_t avail;
    char *p = kpc_reader_space(c->reader, KPC_READ_CHUNK, &avail);
    size_t n;
    kp_result r = conn_read(conn, p, avail, &n);
    switch (r) {
    case KP_OK:
        kpc_reader_commit(c->reader, n);
        process_input(c);
        break;
    case KP_AGAIN: break;
    case KP_EOF: fail_conn(c, "connection closed by the server"); break;
    case KP_ERR: fail_conn(c, conn_last_error(conn)); break;
    }
    unref(c);
}

/* ---------- connecting ---------- */

static void on_connected(connection *conn) {
    kpc_conn *c = conn_get_private(conn);
    if (!c) return;
    c->refs++;
    if (conn_get_state(conn) != CONN_STATE_CONNECTED) {
        fail_conn(c, conn_last_error(conn));
        unref(c);
        return;
    }
    cancel_timer(c);
    c->state = KPC_READY;
    conn_set_read_handler(conn, on_readable);
    if (kstr_len(c->obuf) > c->opos) want_write(c);
    kpc_connect_cb *cb = c->connect_cb;
    c->connect_cb = NULL;
    if (cb) cb(c, 0, NULL, c->connect_data);
    unref(c);
}

static int on_timeout(ae_loop *loop, long long id, void *data) {
    kpc_conn *c = data;
    (void)loop;
    (void)id;
    c->timer = -1;
    if (c->state != KPC_CONNECTING) return AE_NOMORE;
    char why[160];
    int hs = c->conn && conn_get_state(c->conn) == CONN_STATE_HANDSHAKE;
    snprintf(why, sizeof(why), "%s timed out after %lld ms", hs ? "TLS handshake" : "connection",
             c->timeout_ms);
    c->refs++;
    fail_conn(c, why);
    unref(c);
    return AE_NOMORE;
}

kpc_conn *kpc_connect(ae_loop *loop, const kpc_stack *stack, const char *host, int port,
                      long long timeout_ms, kpc_connect_cb *cb, void *data, char *err,
                      size_t errlen) {
    if (!stack || !stack->base) {
        snprintf(err, errlen, "no transport stack (kpc_stack_init was not called)");
        return NULL;
    }
    char service[16];
    const char *svc = NULL;
    if (!stack->unix_socket) {
        if (port <= 0 || port > 65535) {
            snprintf(err, errlen, "invalid port %d (expected 1 to 65535)", port);
            return NULL;
        }
        snprintf(service, sizeof(service), "%d", port);
        svc = service;
    }
    kpc_conn *c = zcalloc(sizeof(*c));
    c->loop = loop;
    c->stack = stack;
    c->state = KPC_CONNECTING;
    c->timer = -1;
    c->obuf = kstr_empty();
    c->reader = kpc_reader_create();
    c->connect_cb = cb;
    c->connect_data = data;
    c->timeout_ms = timeout_ms;
    if (stack->unix_socket) {
        c->peer = zstrdup(host);
    } else {
        int v6 = strchr(host, ':') != NULL;
        size_t n = strlen(host) + 16;
        c->peer = zmalloc(n);
        snprintf(c->peer, n, v6 ? "[%s]:%d" : "%s:%d", host, port);
    }
    c->conn = conn_connect(loop, stack->base, stack->base_ctx, stack->layer, stack->layer_ctx, host,
                           svc, on_connected, c, err, errlen);
    if (!c->conn) {
        conn_free(c);
        return NULL;
    }
    if (stack->layer)
        conn_set_peer_name(c->conn, stack->sni ? stack->sni : (stack->unix_socket ? NULL : host));
    if (timeout_ms > 0) c->timer = ae_add_timer(loop, timeout_ms, on_timeout, c, NULL);
    return c;
}

/* ---------- requests ---------- */

int kpc_command_argv(kpc_conn *c, int argc, const char *const *argv, const size_t *lens,
                     kpc_reply_cb *cb, void *data) {
    if (c->state == KPC_FAILED || c->closing || argc < 1) return -1;
    kpc_req req = {.cb = cb, .data = data};
    size_t l0 = lens ? lens[0] : strlen(argv[0]);
    for (int i = 0; i < NSUB; i++) {
        if (strlen(sub_cmds[i]) == l0 && strncasecmp(argv[0], sub_cmds[i], l0) == 0) {
            req.sub = (uint8_t)(i + 1);
            req.sub_left = argc > 1 ? argc - 1 : 1;
        }
    }
    req.is_reset = l0 == 5 && strncasecmp(argv[0], "reset", 5) == 0;
    c->obuf = kpc_format_argv(c->obuf, argc, argv, lens);
    queue_push(c, &req);
    output_queued(c);
    return 0;
}

int kpc_command(kpc_conn *c, kpc_reply_cb *cb, void *data, const char *arg0, ...) {
    const char *argv[64];
    int argc = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && argc < 64; a = va_arg(ap, const char *)) argv[argc++] = a;
    va_end(ap);
    return kpc_command_argv(c, argc, argv, NULL, cb, data);
}

int kpc_write_raw(kpc_conn *c, const char *buf, size_t len) {
    if (c->closing || append_output(c, buf, len)) return -1;
    output_queued(c);
    return 0;
}

int kpc_write_requests(kpc_conn *c, const char *buf, size_t len, int n, kpc_reply_cb *cb,
                       void *data) {
    if (c->closing || append_output(c, buf, len)) return -1;
    kpc_req req = {.cb = cb, .data = data};
    for (int i = 0; i < n; i++) queue_push(c, &req);
    output_queued(c);
    return 0;
}

/* ---------- accessors and settings ---------- */

kpc_state kpc_conn_state(const kpc_conn *c) {
    return c->state;
}

const char *kpc_conn_error(const kpc_conn *c) {
    return c->err ? c->err : "";
}

const char *kpc_conn_peer(const kpc_conn *c) {
    return c->peer;
}

ae_loop *kpc_conn_loop(const kpc_conn *c) {
    return c->loop;
}

connection *kpc_conn_connection(const kpc_conn *c) {
    return c->conn;
}

typedef struct reuse_probe {
    int reused;
} reuse_probe;

static void reuse_emit(void *sink, const char *key, const char *value) {
    reuse_probe *p = sink;
    if (strcmp(key, "tls-session-reused") == 0)
        p->reused = (!strcasecmp(value, "yes") || !strcmp(value, "1")) ? 1 : 0;
}

int kpc_session_reused(kpc_conn *c) {
    if (!c->conn || c->state != KPC_READY || !conn_has_layer(c->conn)) return -1;
    reuse_probe p = {-1};
    conn_info(c->conn, reuse_emit, &p);
    return p.reused;
}

void kpc_set_data(kpc_conn *c, void *data) {
    c->data = data;
}

void *kpc_get_data(const kpc_conn *c) {
    return c->data;
}

size_t kpc_pending_output(const kpc_conn *c) {
    return kstr_len(c->obuf) - c->opos;
}

size_t kpc_pending_replies(const kpc_conn *c) {
    return c->qlen;
}

long long kpc_subscriptions(const kpc_conn *c) {
    return c->subs;
}

void kpc_set_push_handler(kpc_conn *c, kpc_push_cb *cb, void *data) {
    c->push_cb = cb;
    c->push_data = data;
}

void kpc_set_lost_handler(kpc_conn *c, kpc_lost_cb *cb, void *data) {
    c->lost_cb = cb;
    c->lost_data = data;
}

void kpc_set_drain_handler(kpc_conn *c, kpc_drain_cb *cb, void *data) {
    c->drain_cb = cb;
    c->drain_data = data;
}

void kpc_set_raw(kpc_conn *c, kpc_raw_cb *cb, void *data) {
    c->raw_cb = cb;
    c->raw_data = data;
}

void kpc_set_eager_write(kpc_conn *c, int eager) {
    c->eager = eager;
}

void kpc_set_light(kpc_conn *c, int light) {
    c->light = light;
    kpc_reader_set_light(c->reader, light);
}
