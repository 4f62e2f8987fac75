/*
 * Connections over a transport stack: a base transport that owns the socket
 * and, optionally, a layered transport (TLS) on top of it. This file is the
 * only place that calls per-connection transport ops.
 *
 * Three small state machines meet here:
 *  - setup: CONNECTING (base connect in progress) -> HANDSHAKE (layer) ->
 *    CONNECTED, or ERROR/CLOSED; driven by conn_setup_step() on readiness;
 *  - I/O needs: each read/write that returns KP_AGAIN records what it waits
 *    for (a TLS read may wait for writability), and conn_update_interest()
 *    turns handlers + needs into the ae interest of the fd;
 *  - lifetime: handlers run with refs > 0; conn_close() then only marks the
 *    connection, and the last conn_unref() destroys it.
 *
 * Threading: every function runs on the thread of c->loop.
 */
#include "conn_internal.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "listen.h" /* struct listener layout only: no listen.c calls */
#include "log.h"
#include "zmalloc.h"

/* Per-loop state, kept in the loop's conn slot. */
typedef struct conn_loop_state {
    connection *pending; /* connections whose transport holds buffered data */
} conn_loop_state;

static conn_release_hook *release_hook;

void conn_set_release_hook(conn_release_hook *hook) {
    release_hook = hook;
}

/* ---------- helpers ---------- */

static void conn_top(connection *c, transport **t, void **priv) {
    if (c->layer) {
        *t = c->layer;
        *priv = c->layer_priv;
    } else {
        *t = c->base;
        *priv = c->base_priv;
    }
}

static void conn_set_error(connection *c, const char *text) {
    char *copy = zstrdup(text && *text ? text : "transport error");
    zfree(c->errtxt);
    c->errtxt = copy;
}

/* Records the error text of the op of t that just failed. When the layer
 * gives none, an error already recorded by raw I/O below it is kept. */
static void conn_error_from(connection *c, transport *t, void *priv) {
    const char *text = t->ops->last_error ? t->ops->last_error(priv) : NULL;
    if ((!text || !*text) && c->errtxt) return;
    conn_set_error(c, text);
}

static int need_to_mask(uint32_t need) {
    int m = 0;
    if (need & KP_NEED_READ) m |= AE_READABLE;
    if (need & KP_NEED_WRITE) m |= AE_WRITABLE;
    return m;
}

static void *priv_alloc(transport *t) {
    return t && t->ops->conn_size ? zcalloc(t->ops->conn_size) : NULL;
}

static connection *conn_alloc(ae_loop *loop, transport *base, transport *layer) {
    connection *c = zcalloc(sizeof(*c));
    c->base = base;
    c->layer = layer;
    c->base_priv = priv_alloc(base);
    c->layer_priv = priv_alloc(layer);
    c->loop = loop;
    c->fd = -1;
    c->state = CONN_STATE_NONE;
    c->read_need = KP_NEED_READ;
    c->write_need = KP_NEED_WRITE;
    return c;
}

/* Frees the memory of a connection that owes no close() and has no
 * registration anywhere. */
static void conn_free_memory(connection *c) {
    zfree(c->base_priv);
    zfree(c->layer_priv);
    zfree(c->errtxt);
    zfree(c->peer_name);
    zfree(c);
}

/* ---------- pending list (has_pending) ---------- */

static conn_loop_state *loop_state(ae_loop *loop) {
    conn_loop_state *s = ae_get_conn_state(loop);
    if (!s) {
        s = zcalloc(sizeof(*s));
        ae_set_conn_state(loop, s);
    }
    return s;
}

static void pending_add(connection *c) {
    if (c->flags & (CONN_F_PENDING | CONN_F_DETACHED | CONN_F_CLOSING)) return;
    conn_loop_state *s = loop_state(c->loop);
    c->pend_prev = NULL;
    c->pend_next = s->pending;
    if (s->pending) s->pending->pend_prev = c;
    s->pending = c;
    c->flags |= CONN_F_PENDING;
}

static void pending_remove(connection *c) {
    if (!(c->flags & CONN_F_PENDING)) return;
    conn_loop_state *s = loop_state(c->loop);
    if (c->pend_prev)
        c->pend_prev->pend_next = c->pend_next;
    else
        s->pending = c->pend_next;
    if (c->pend_next) c->pend_next->pend_prev = c->pend_prev;
    c->pend_prev = c->pend_next = NULL;
    c->flags &= ~CONN_F_PENDING;
}

static int conn_has_pending(connection *c) {
    transport *t;
    void *priv;
    conn_top(c, &t, &priv);
    return c->state == CONN_STATE_CONNECTED && t->ops->has_pending && t->ops->has_pending(c, priv);
}

/* After a read (or anything that may have filled a library buffer). */
static void pending_check(connection *c) {
    if (c->read_handler && conn_has_pending(c)) pending_add(c);
}

/* ---------- interest ---------- */

static int conn_wanted_mask(connection *c) {
    if (c->fd < 0 || (c->flags & (CONN_F_CLOSING | CONN_F_DETACHED))) return AE_NONE;
    switch (c->state) {
    case CONN_STATE_CONNECTING:
    case CONN_STATE_HANDSHAKE: return need_to_mask(c->setup_need);
    case CONN_STATE_CONNECTED:
    case CONN_STATE_CLOSED:
    case CONN_STATE_ERROR: {
        int m = AE_NONE;
        if (c->read_handler) m |= need_to_mask(c->read_need);
        if (c->write_handler) m |= need_to_mask(c->write_need);
        return m;
    }
    case CONN_STATE_NONE: return AE_NONE;
    }
    return AE_NONE;
}

static void conn_event_proc(ae_loop *loop, int fd, void *data, int mask);

/* Makes the registered ae interest match what the connection waits for. */
static void conn_update_interest(connection *c) {
    if (c->flags & CONN_F_DETACHED) return;
    int want = conn_wanted_mask(c);
    int add = want & ~c->mask, del = c->mask & ~want;
    if (del) ae_del_file(c->loop, c->fd, del);
    if (add) {
        if (ae_add_file(c->loop, c->fd, add, conn_event_proc, c) == AE_ERR) {
            server_log(LL_WARNING, "cannot watch connection fd %d (event loop size %d)", c->fd,
                       ae_get_setsize(c->loop));
            conn_set_error(c, "cannot register the connection with the event loop");
            c->state = CONN_STATE_ERROR;
            want &= ~add;
        }
    }
    c->mask = want;
}

/* ---------- lifetime ---------- */

static void conn_destroy(connection *c) {
    if (!(c->flags & CONN_F_DETACHED)) {
        if (c->mask) ae_del_file(c->loop, c->fd, c->mask);
        c->mask = AE_NONE;
        pending_remove(c);
    }
    if (c->listener && release_hook) release_hook(c);
    if (c->flags & CONN_F_LAYER_OPEN) {
        c->flags &= ~CONN_F_LAYER_OPEN;
        c->layer->ops->close(c, c->layer_priv);
    }
    if (c->flags & CONN_F_BASE_OPEN) {
        c->flags &= ~CONN_F_BASE_OPEN;
        c->base->ops->close(c, c->base_priv);
    }
    conn_free_memory(c);
}

/* Drops a handler reference; returns 0 when c was destroyed. */
static int conn_unref(connection *c) {
    if (--c->refs == 0 && (c->flags & CONN_F_CLOSING)) {
        conn_destroy(c);
        return 0;
    }
    return 1;
}

void conn_close(connection *c) {
    if (!c || (c->flags & CONN_F_CLOSING)) return;
    c->flags |= CONN_F_CLOSING;
    c->read_handler = c->write_handler = c->setup_done = NULL;
    if (c->refs > 0) {
        /* Inside a handler: stop all events now, free when it returns. */
        conn_update_interest(c);
        if (!(c->flags & CONN_F_DETACHED)) pending_remove(c);
        return;
    }
    conn_destroy(c);
}

/* ---------- setup: connect and handshake ---------- */

/* Ends setup (success or failure) and runs the completion handler. The
 * caller holds a reference. */
static void conn_setup_end(connection *c, conn_state state) {
    c->state = state;
    c->setup_need = 0;
    c->read_need = KP_NEED_READ;
    c->write_need = KP_NEED_WRITE;
    conn_handler *done = c->setup_done;
    c->setup_done = NULL;
    conn_update_interest(c);
    if (state == CONN_STATE_CONNECTED) pending_check(c);
    if (done) done(c);
}

/* Waits for the readiness the setup step asked for (dflt when it said
 * nothing). The caller holds a reference. */
static void conn_setup_wait(connection *c, uint32_t need, uint32_t dflt) {
    need &= KP_NEED_READ | KP_NEED_WRITE;
    c->setup_need = need ? need : dflt;
    conn_update_interest(c);
    if (c->state == CONN_STATE_ERROR) conn_setup_end(c, CONN_STATE_ERROR);
}

static void conn_setup_failed(connection *c, transport *t, void *priv, kp_result r) {
    if (r == KP_EOF) {
        conn_set_error(c, c->state == CONN_STATE_HANDSHAKE
                              ? "connection closed by peer during handshake"
                              : "connection closed by peer while connecting");
        conn_setup_end(c, CONN_STATE_CLOSED);
    } else {
        conn_error_from(c, t, priv);
        conn_setup_end(c, CONN_STATE_ERROR);
    }
}

static int conn_layer_init(connection *c, void *ctx, kp_role role, const char *peer) {
    char err[256] = "";
    c->flags |= CONN_F_LAYER_OPEN; /* close() is owed even when conn_init fails */
    if (c->layer->ops->conn_init(ctx, c, c->layer_priv, role, peer, err, sizeof(err)) != 0) {
        conn_set_error(c, err[0] ? err : "layer initialisation failed");
        return -1;
    }
    return 0;
}

/* Advances connect/handshake as far as it goes without blocking. The
 * caller holds a reference. */
static void conn_setup_step(connection *c) {
    for (;;) {
        kp_io io = {0};
        kp_result r;
        switch (c->state) {
        case CONN_STATE_CONNECTING:
            if (!(c->flags & CONN_F_BASE_CONNECTED)) {
                r = c->base->ops->handshake ? c->base->ops->handshake(c, c->base_priv, &io) : KP_OK;
                if (r == KP_AGAIN) {
                    conn_setup_wait(c, io.need, KP_NEED_WRITE);
                    return;
                }
                if (r != KP_OK) {
                    conn_setup_failed(c, c->base, c->base_priv, r);
                    return;
                }
                c->flags |= CONN_F_BASE_CONNECTED;
            }
            if (!c->layer) {
                conn_setup_end(c, CONN_STATE_CONNECTED);
                return;
            }
            c->state = CONN_STATE_HANDSHAKE;
            if (conn_layer_init(c, c->layer_ctx, KP_ROLE_CLIENT, c->peer_name) != 0) {
                conn_setup_end(c, CONN_STATE_ERROR);
                return;
            }
            break;
        case CONN_STATE_HANDSHAKE:
            r = c->layer->ops->handshake(c, c->layer_priv, &io);
            if (r == KP_AGAIN)
                conn_setup_wait(c, io.need, KP_NEED_READ);
            else if (r != KP_OK)
                conn_setup_failed(c, c->layer, c->layer_priv, r);
            else
                conn_setup_end(c, CONN_STATE_CONNECTED);
            return;
        default: return;
        }
    }
}

/* ---------- event dispatch ---------- */

static int conn_usable(connection *c, ae_loop *loop) {
    return !(c->flags & (CONN_F_CLOSING | CONN_F_DETACHED)) && c->loop == loop;
}

static void conn_dispatch(connection *c, ae_loop *loop, int mask) {
    int do_read = c->read_handler && (mask & need_to_mask(c->read_need));
    int do_write = c->write_handler && (mask & need_to_mask(c->write_need));
    if (c->flags & CONN_F_BARRIER) {
        if (do_write) c->write_handler(c);
        if (do_read && conn_usable(c, loop) && c->read_handler) c->read_handler(c);
    } else {
        if (do_read) c->read_handler(c);
        if (do_write && conn_usable(c, loop) && c->write_handler) c->write_handler(c);
    }
}

static void conn_event_proc(ae_loop *loop, int fd, void *data, int mask) {
    connection *c = data;
    (void)fd;
    c->refs++;
    switch (c->state) {
    case CONN_STATE_CONNECTING:
    case CONN_STATE_HANDSHAKE: conn_setup_step(c); break;
    case CONN_STATE_CONNECTED:
    case CONN_STATE_CLOSED:
    case CONN_STATE_ERROR: conn_dispatch(c, loop, mask); break;
    case CONN_STATE_NONE: break;
    }
    conn_unref(c);
}

/* ---------- creation ---------- */

connection *conn_create_accepted(ae_loop *loop, listener *l) {
    connection *c = conn_alloc(loop, l->base, l->layer);
    c->listener = l;
    return c;
}

kp_result conn_accept(connection *c, int lfd, void *ctx, char *err, size_t errlen) {
    err[0] = '\0';
    kp_result r = c->base->ops->accept(ctx, lfd, c, c->base_priv, err, errlen);
    if (r != KP_OK) {
        if (r != KP_AGAIN && !err[0]) snprintf(err, errlen, "accept failed");
        conn_free_memory(c);
        return r == KP_AGAIN ? KP_AGAIN : KP_ERR;
    }
    c->flags |= CONN_F_BASE_OPEN;
    c->fd = c->base->ops->fd(c->base_priv);
    if (c->fd < 0 || c->fd >= ae_get_setsize(c->loop)) {
        snprintf(err, errlen, "connection fd %d is outside the event loop's range (0..%d)", c->fd,
                 ae_get_setsize(c->loop) - 1);
        c->listener = NULL; /* not counted by the listener yet */
        conn_destroy(c);
        return KP_ERR;
    }
    c->state = c->layer ? CONN_STATE_HANDSHAKE : CONN_STATE_CONNECTED;
    return KP_OK;
}

int conn_start_handshake(connection *c, void *ctx, conn_handler *done, char *err, size_t errlen) {
    if (conn_layer_init(c, ctx, KP_ROLE_SERVER, NULL) != 0) {
        snprintf(err, errlen, "%s", c->errtxt);
        c->state = CONN_STATE_ERROR;
        return -1;
    }
    c->state = CONN_STATE_HANDSHAKE;
    c->setup_done = done;
    c->refs++;
    conn_setup_step(c);
    conn_unref(c);
    return 0;
}

connection *conn_connect(ae_loop *loop, transport *base, void *base_ctx, transport *layer,
                         void *layer_ctx, const char *host, const char *service,
                         conn_handler *on_connect, void *data, char *err, size_t errlen) {
    if (!base || !(base->ops->caps & KP_CAP_STREAM)) {
        snprintf(err, errlen, "transport '%s' cannot open connections (not a stream transport)",
                 base ? base->ops->name : "(none)");
        return NULL;
    }
    if (layer && !(layer->ops->caps & KP_CAP_LAYERED)) {
        snprintf(err, errlen, "transport '%s' is not a layered transport", layer->ops->name);
        return NULL;
    }
    connection *c = conn_alloc(loop, base, layer);
    c->private_data = data;
    c->layer_ctx = layer_ctx;
    c->peer_name = zstrdup(host);
    c->flags |= CONN_F_BASE_OPEN; /* the socket may exist even if connect fails */

    kp_io io = {0};
    kp_result r = base->ops->connect(base_ctx, c, c->base_priv, host, service, &io);
    if (r != KP_OK && r != KP_AGAIN) {
        conn_error_from(c, base, c->base_priv);
        snprintf(err, errlen, "%s", c->errtxt);
        conn_destroy(c);
        return NULL;
    }
    c->fd = base->ops->fd(c->base_priv);
    if (c->fd < 0 || c->fd >= ae_get_setsize(loop)) {
        snprintf(err, errlen, "connection fd %d is outside the event loop's range (0..%d)", c->fd,
                 ae_get_setsize(loop) - 1);
        conn_destroy(c);
        return NULL;
    }
    /* Even a connect that completed at once reports through the loop, so
     * on_connect never runs before this function returns. */
    c->state = CONN_STATE_CONNECTING;
    if (r == KP_OK) c->flags |= CONN_F_BASE_CONNECTED;
    c->setup_need = r == KP_OK ? KP_NEED_WRITE : (io.need & (KP_NEED_READ | KP_NEED_WRITE));
    if (!c->setup_need) c->setup_need = KP_NEED_WRITE;
    conn_update_interest(c);
    if (c->state == CONN_STATE_ERROR) {
        snprintf(err, errlen, "%s", c->errtxt);
        conn_destroy(c);
        return NULL;
    }
    c->setup_done = on_connect;
    return c;
}

void conn_set_peer_name(connection *c, const char *name) {
    if (c->flags & CONN_F_LAYER_OPEN) return; /* the layer already has it */
    zfree(c->peer_name);
    c->peer_name = name ? zstrdup(name) : NULL;
}

/* ---------- I/O ---------- */

static kp_result conn_not_ready(connection *c) {
    switch (c->state) {
    case CONN_STATE_CLOSED: return KP_EOF;
    case CONN_STATE_ERROR: return KP_ERR;
    default: conn_set_error(c, "connection is not established"); return KP_ERR;
    }
}

/* Common handling of an I/O op result; need_slot is read_need/write_need. */
static kp_result conn_io_result(connection *c, transport *t, void *priv, kp_result r, kp_io *io,
                                size_t len, uint32_t *need_slot, uint32_t dflt, size_t *n) {
    switch (r) {
    case KP_OK:
        if (io->done == 0 || io->done > len) {
            conn_set_error(c, "transport reported an invalid byte count");
            c->state = CONN_STATE_ERROR;
            return KP_ERR;
        }
        *n = io->done;
        if (*need_slot != dflt) {
            *need_slot = dflt;
            conn_update_interest(c);
        }
        if (c->layer) pending_check(c);
        return KP_OK;
    case KP_AGAIN: {
        uint32_t need = io->need & (KP_NEED_READ | KP_NEED_WRITE);
        if (!need) need = dflt;
        if (need != *need_slot) {
            *need_slot = need;
            conn_update_interest(c);
        }
        /* A layered transport may report "again" while whole records wait
         * in its buffers (a record without application data was consumed):
         * no socket event would announce them, so the pending list does. */
        if (c->layer) pending_check(c);
        return KP_AGAIN;
    }
    case KP_EOF: c->state = CONN_STATE_CLOSED; return KP_EOF;
    case KP_ERR: conn_error_from(c, t, priv); break;
    default: conn_set_error(c, "transport returned an unknown result"); break;
    }
    c->state = CONN_STATE_ERROR;
    return KP_ERR;
}

kp_result conn_read(connection *c, void *buf, size_t len, size_t *n) {
    *n = 0;
    if (c->state != CONN_STATE_CONNECTED) return conn_not_ready(c);
    if (len == 0) return KP_OK;
    transport *t;
    void *priv;
    conn_top(c, &t, &priv);
    kp_io io = {0};
    kp_result r = t->ops->read(c, priv, buf, len, &io);
    return conn_io_result(c, t, priv, r, &io, len, &c->read_need, KP_NEED_READ, n);
}

kp_result conn_write(connection *c, const void *buf, size_t len, size_t *n) {
    *n = 0;
    if (c->state != CONN_STATE_CONNECTED) return conn_not_ready(c);
    if (len == 0) return KP_OK;
    transport *t;
    void *priv;
    conn_top(c, &t, &priv);
    kp_io io = {0};
    kp_result r = t->ops->write(c, priv, buf, len, &io);
    return conn_io_result(c, t, priv, r, &io, len, &c->write_need, KP_NEED_WRITE, n);
}

kp_result conn_writev(connection *c, const struct iovec *iov, int iovcnt, size_t *n) {
    *n = 0;
    if (c->state != CONN_STATE_CONNECTED) return conn_not_ready(c);
    size_t total = 0;
    int first = -1;
    for (int i = 0; i < iovcnt; i++) {
        if (iov[i].iov_len && first < 0) first = i;
        total += iov[i].iov_len;
    }
    if (first < 0) return KP_OK;
    transport *t;
    void *priv;
    conn_top(c, &t, &priv);
    if (!t->ops->writev) return conn_write(c, iov[first].iov_base, iov[first].iov_len, n);
    kp_io io = {0};
    kp_result r = t->ops->writev(c, priv, iov + first, iovcnt - first, &io);
    return conn_io_result(c, t, priv, r, &io, total, &c->write_need, KP_NEED_WRITE, n);
}

kp_result conn_raw_read(kp_conn *c, void *buf, size_t len, kp_io *io) {
    memset(io, 0, sizeof(*io));
    if (!(c->flags & CONN_F_BASE_OPEN) || len == 0) return KP_ERR;
    kp_result r = c->base->ops->read(c, c->base_priv, buf, len, io);
    if (r == KP_ERR) conn_error_from(c, c->base, c->base_priv);
    return r;
}

kp_result conn_raw_write(kp_conn *c, const void *buf, size_t len, kp_io *io) {
    memset(io, 0, sizeof(*io));
    if (!(c->flags & CONN_F_BASE_OPEN) || len == 0) return KP_ERR;
    kp_result r = c->base->ops->write(c, c->base_priv, buf, len, io);
    if (r == KP_ERR) conn_error_from(c, c->base, c->base_priv);
    return r;
}

/* ---------- handlers ---------- */

void conn_set_read_handler(connection *c, conn_handler *h) {
    if (c->flags & CONN_F_CLOSING) return;
    c->read_handler = h;
    conn_update_interest(c);
    if (h)
        pending_check(c);
    else if (!(c->flags & CONN_F_DETACHED))
        pending_remove(c);
}

void conn_set_write_handler_barrier(connection *c, conn_handler *h, int barrier) {
    if (c->flags & CONN_F_CLOSING) return;
    c->write_handler = h;
    if (barrier)
        c->flags |= CONN_F_BARRIER;
    else
        c->flags &= ~CONN_F_BARRIER;
    conn_update_interest(c);
}

void conn_set_write_handler(connection *c, conn_handler *h) {
    conn_set_write_handler_barrier(c, h, 0);
}

int conn_process_pending(ae_loop *loop) {
    conn_loop_state *s = ae_get_conn_state(loop);
    if (!s || !s->pending) return 0;
    int count = 0;
    for (connection *c = s->pending; c; c = c->pend_next) count++;
    /* Handlers may close any connection: hold a reference on each first. */
    connection **batch = zmalloc(sizeof(connection *) * (size_t)count);
    int i = 0;
    for (connection *c = s->pending; c; c = c->pend_next) {
        c->refs++;
        batch[i++] = c;
    }
    int served = 0;
    for (i = 0; i < count; i++) {
        connection *c = batch[i];
        if (conn_usable(c, loop) && c->read_handler && conn_has_pending(c)) {
            c->read_handler(c);
            served++;
        }
        if (conn_usable(c, loop) && !(c->read_handler && conn_has_pending(c))) pending_remove(c);
        conn_unref(c);
    }
    zfree(batch);
    if (s->pending) ae_dont_wait(loop);
    return served;
}

/* ---------- threads ---------- */

void conn_move_to_loop(connection *c, ae_loop *to) {
    if (c->loop == to) return;
    if (!(c->flags & CONN_F_DETACHED)) {
        if (c->mask) ae_del_file(c->loop, c->fd, c->mask);
        c->mask = AE_NONE;
        pending_remove(c);
    }
    c->loop = to;
    c->flags |= CONN_F_DETACHED;
}

void conn_rebind(connection *c) {
    if (!(c->flags & CONN_F_DETACHED)) return;
    c->flags &= ~CONN_F_DETACHED;
    if (c->base->ops->rebind && (c->flags & CONN_F_BASE_OPEN))
        c->base->ops->rebind(c, c->base_priv);
    if (c->layer && c->layer->ops->rebind && (c->flags & CONN_F_LAYER_OPEN))
        c->layer->ops->rebind(c, c->layer_priv);
    conn_update_interest(c);
    pending_check(c);
}

/* ---------- accessors ---------- */

void conn_set_private(connection *c, void *data) {
    c->private_data = data;
}

void *conn_get_private(connection *c) {
    return c->private_data;
}

conn_state conn_get_state(connection *c) {
    return c->state;
}

const char *conn_last_error(connection *c) {
    if (c->errtxt) return c->errtxt;
    return c->state == CONN_STATE_ERROR ? "transport error" : "no error";
}

int conn_addr(connection *c, int remote, char *buf, size_t len) {
    if (len == 0) return -1;
    if ((c->flags & CONN_F_BASE_OPEN) && c->base->ops->addr &&
        c->base->ops->addr(c->base_priv, remote, buf, len) == 0)
        return 0;
    snprintf(buf, len, "?:0");
    return -1;
}

int conn_fd(connection *c) {
    return (c->flags & CONN_F_BASE_OPEN) ? c->fd : -1;
}

int conn_is_local(connection *c) {
    if (c->base->ops->caps & KP_CAP_PATH_ADDR) return 1;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (c->fd < 0 || getpeername(c->fd, (struct sockaddr *)&ss, &sl) == -1) return 0;
    if (ss.ss_family == AF_UNIX) return 1;
    if (ss.ss_family == AF_INET) {
        const struct sockaddr_in *s4 = (const struct sockaddr_in *)&ss;
        return (ntohl(s4->sin_addr.s_addr) >> 24) == 127;
    }
    if (ss.ss_family == AF_INET6) {
        const struct sockaddr_in6 *s6 = (const struct sockaddr_in6 *)&ss;
        if (IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr)) return 1;
        if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) return s6->sin6_addr.s6_addr[12] == 127;
    }
    return 0;
}

const char *conn_transport_name(connection *c) {
    return c->layer ? c->layer->ops->name : c->base->ops->name;
}

listener *conn_listener(connection *c) {
    return c->listener;
}

void conn_info(connection *c, kp_info_emit emit, void *sink) {
    if ((c->flags & CONN_F_BASE_OPEN) && c->base->ops->conn_info)
        c->base->ops->conn_info(c->base_priv, emit, sink);
    if (c->layer && (c->flags & CONN_F_LAYER_OPEN) && c->layer->ops->conn_info)
        c->layer->ops->conn_info(c->layer_priv, emit, sink);
}

int conn_peer_identity(connection *c, const char *field, char *out, size_t outlen) {
    if (!c->layer || !(c->flags & CONN_F_LAYER_OPEN) || !c->layer->ops->peer_identity) return -1;
    if (c->state != CONN_STATE_CONNECTED) return -1;
    return c->layer->ops->peer_identity(c->layer_priv, field, out, outlen);
}

int conn_has_layer(connection *c) {
    return c->layer != NULL;
}

ae_loop *conn_loop(connection *c) {
    return c->loop;
}
