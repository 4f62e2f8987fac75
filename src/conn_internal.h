/*
 * Private to the connection framework (conn.c, conn_loader.c, listen.c):
 * the layout of a connection and the hooks between those three files. The
 * rest of the server uses conn.h only.
 *
 * conn.c and conn_loader.c are also linked into the client tools, which
 * have no listeners: they must not call into listen.c. listen.c reaches
 * them through conn_set_release_hook().
 */
#ifndef KEYPORT_CONN_INTERNAL_H
#define KEYPORT_CONN_INTERNAL_H

#include "conn.h"

/* kp_conn.flags */
#define CONN_F_CLOSING (1u << 0)        /* conn_close() called; freed when refs drops to 0 */
#define CONN_F_BARRIER (1u << 1)        /* write handler runs before the read handler */
#define CONN_F_BASE_OPEN (1u << 2)      /* base close() is owed */
#define CONN_F_LAYER_OPEN (1u << 3)     /* layer close() is owed (conn_init was called) */
#define CONN_F_BASE_CONNECTED (1u << 4) /* outgoing: base connect() already completed */
#define CONN_F_PENDING (1u << 5)        /* in its loop's has_pending list */
#define CONN_F_DETACHED (1u << 6)       /* moved to a loop, conn_rebind() not yet called */
#define CONN_F_HS_LISTED (1u << 7)      /* in one of listen.c's handshake lists */
#define CONN_F_HS_READY (1u << 8)       /* that list is the ready (handed-over-next) one */

struct kp_conn {
    transport *base; /* KP_CAP_STREAM transport owning the socket */
    void *base_priv;
    transport *layer; /* KP_CAP_LAYERED transport on top, or NULL */
    void *layer_priv;
    void *layer_ctx; /* outgoing connections: context for the layer's conn_init */
    char *peer_name; /* outgoing connections: name for the layer's conn_init */
    ae_loop *loop;
    int fd; /* -1 until the base transport owns a socket */
    conn_state state;
    int refs; /* handlers on the stack; destruction waits for 0 */
    unsigned flags;
    int mask;            /* ae interest currently registered */
    uint32_t read_need;  /* KP_NEED_* the last read waits for (default READ) */
    uint32_t write_need; /* KP_NEED_* the last write waits for (default WRITE) */
    uint32_t setup_need; /* KP_NEED_* the connect/handshake waits for */
    conn_handler *read_handler;
    conn_handler *write_handler;
    conn_handler *setup_done; /* runs once when connect/handshake ends */
    listener *listener;       /* accepting listener, NULL for outgoing */
    long long hs_start_ms;    /* handshake start (ae_mstime), for the timeout */
    void *private_data;
    char *errtxt; /* copy of the last error text, or NULL */
    connection *pend_prev, *pend_next;
    connection *hs_prev, *hs_next; /* owned by listen.c */
};

/* --- used by conn_loader.c (the host API) --- */

/* Raw I/O on c's base transport, for layered transports. */
kp_result conn_raw_read(kp_conn *c, void *buf, size_t len, kp_io *io);
kp_result conn_raw_write(kp_conn *c, const void *buf, size_t len, kp_io *io);

/* --- used by listen.c --- */

/* Accepts one connection from lfd into c (made by conn_create_accepted())
 * with the base context ctx. KP_OK: c owns a socket, its state is CONNECTED
 * (no layer) or HANDSHAKE (layer not started yet). Otherwise c has been
 * freed: KP_AGAIN when nothing is pending, KP_ERR with the reason in err. */
kp_result conn_accept(connection *c, int lfd, void *ctx, char *err, size_t errlen);

/* Starts the server side of the layer's handshake with context ctx. Returns
 * 0: done runs exactly once (possibly before this returns), when c is
 * CONNECTED or has failed. Returns -1 with the reason in err: done is never
 * called and the caller closes c. */
int conn_start_handshake(connection *c, void *ctx, conn_handler *done, char *err, size_t errlen);

/* Called by conn.c when a connection that has a listener is destroyed
 * (any thread). */
typedef void conn_release_hook(connection *c);
void conn_set_release_hook(conn_release_hook *hook);

#endif
