/*
 * Connection framework: the only code that calls transport ops. Everything
 * else in the server uses these functions on a `connection`, whatever
 * transport stack (base, or base + layered) it runs over.
 *
 * Ownership: a connection is created by a listener (accepted) or by
 * conn_connect() (outgoing) and destroyed by conn_close(). Handlers run under
 * a reference count: conn_close() called from inside a handler only marks the
 * connection, and it is freed when the outermost handler returns.
 *
 * Threading: a connection is owned by one event loop at a time; all calls on
 * it happen on that loop's thread. conn_move_to_loop() changes the owner.
 */
#ifndef KEYPORT_CONN_H
#define KEYPORT_CONN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

#include "ae.h"
#include "keyport/transport.h"

typedef struct kp_conn connection;
typedef struct transport transport;
typedef struct listener listener;

typedef enum conn_state {
    CONN_STATE_NONE = 0,
    CONN_STATE_CONNECTING, /* base connect() in progress */
    CONN_STATE_HANDSHAKE,  /* layered handshake in progress */
    CONN_STATE_CONNECTED,
    CONN_STATE_CLOSED, /* peer closed (EOF) */
    CONN_STATE_ERROR
} conn_state;

typedef void conn_handler(connection *c);

/* --- transport registry (conn_loader.c) --- */

/* A loaded transport. Never freed: transports are never unloaded. */
struct transport {
    const kp_transport *ops; /* descriptor and ops, owned by the plugin */
    uint32_t minor;          /* the plugin's abi_minor */
    char *path;              /* file it was loaded from */
    void *dl;                /* dlopen handle */
};

/* Loads a transport by name (looked up in the build tree, then in the
 * install directory) or by path (anything containing '/'). args are the
 * extra words of the loadtransport line. Returns the transport, or NULL with
 * a message "<file>: <reason>" in err. Startup only (main thread). */
transport *transport_load(const char *name_or_path, int argc, const char *const *argv, char *err,
                          size_t errlen);
transport *transport_find(const char *name);
/* Number of loaded transports and access by index (INFO, tests). */
int transport_count(void);
transport *transport_at(int i);
/* Directories searched for names; set from the executable's location and
 * the compiled-in install path. */
void transport_set_search_dirs(const char *build_dir, const char *install_dir);
/* Convenience: does t declare config key k? */
int transport_has_key(const transport *t, const char *k);
/* The host API table given to plugins. */
const kp_host_api *transport_host_api(void);

/* --- connections (conn.c) --- */

/* Creates an outgoing connection over base (and layer, when not NULL) to
 * host:service and starts connecting. on_connect runs once, on loop's
 * thread, when the connection is CONNECTED or has failed (check
 * conn_get_state()). Returns NULL (and sets err) only when the connect
 * could not even start; on_connect is then never called. */
connection *conn_connect(ae_loop *loop, transport *base, void *base_ctx, transport *layer,
                         void *layer_ctx, const char *host, const char *service,
                         conn_handler *on_connect, void *data, char *err, size_t errlen);

/* Outgoing connections with a layer: replaces the name the layer verifies
 * the peer against and sends as SNI (default: the host given to
 * conn_connect; NULL: verify the certificate chain only). Only before the
 * layer starts, i.e. right after conn_connect() returns. */
void conn_set_peer_name(connection *c, const char *name);

/* Reads into buf. KP_OK with *n > 0; KP_AGAIN (nothing now); KP_EOF; KP_ERR.
 * On KP_EOF/KP_ERR the state becomes CLOSED/ERROR. */
kp_result conn_read(connection *c, void *buf, size_t len, size_t *n);
/* Writes from buf; *n may be less than len. Same results as conn_read. */
kp_result conn_write(connection *c, const void *buf, size_t len, size_t *n);
kp_result conn_writev(connection *c, const struct iovec *iov, int iovcnt, size_t *n);

/* Installs (or removes with NULL) the handler called when the connection is
 * readable / writable. The framework translates transport needs (a TLS read
 * that needs the socket writable) into the right poll interest. */
void conn_set_read_handler(connection *c, conn_handler *h);
void conn_set_write_handler(connection *c, conn_handler *h);
/* Like conn_set_write_handler, but the write handler runs before the read
 * handler in the same loop iteration (Redis' barrier semantics). */
void conn_set_write_handler_barrier(connection *c, conn_handler *h, int barrier);

void conn_close(connection *c);
void conn_set_private(connection *c, void *data);
void *conn_get_private(connection *c);
conn_state conn_get_state(connection *c);
const char *conn_last_error(connection *c);
/* Formats the remote (remote != 0) or local address into buf. */
int conn_addr(connection *c, int remote, char *buf, size_t len);
/* The socket fd of the base transport (CLIENT LIST fd=), -1 if none. */
int conn_fd(connection *c);
/* Is the peer on loopback or a unix socket (protected mode)? */
int conn_is_local(connection *c);
/* Transport stack name, e.g. "tcp", "unix", "openssl" (the top layer). */
const char *conn_transport_name(connection *c);
/* The listener that accepted c, NULL for outgoing connections. */
listener *conn_listener(connection *c);
/* Calls emit for each transport-specific field (tls-version, ...). */
void conn_info(connection *c, kp_info_emit emit, void *sink);
/* Peer certificate field ("CN", "URI", "SUBJECT"); 0 on success. */
int conn_peer_identity(connection *c, const char *field, char *out, size_t outlen);
int conn_has_layer(connection *c);
ae_loop *conn_loop(connection *c);

/* Moves c from its current loop to to. Must be called on the current
 * owner's thread while no handler of c is running elsewhere; the new loop's
 * thread must call conn_rebind(c) before any other call on c. */
void conn_move_to_loop(connection *c, ae_loop *to);
void conn_rebind(connection *c);

/* Before-sleep hook: serves connections whose transport holds buffered
 * plaintext (has_pending), so no byte waits for a socket event that will
 * never come. Returns the number of connections served. */
int conn_process_pending(ae_loop *loop);

/* Internal to the listener code: wraps a freshly accepted base connection. */
connection *conn_create_accepted(ae_loop *loop, listener *l);

#endif
