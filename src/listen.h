/*
 * Listeners: each one binds a transport stack to a port or a path.
 *
 *   listen TRANSPORT PORT|PATH [bind ADDR...] [key value...]
 *
 * A listener on a layered transport (TLS) runs over "tcp" for ports and over
 * "unix" for paths. Each listener holds its own transport contexts, built
 * from the global transport defaults (tls-* directives) overlaid with the
 * listener's own keys, and swapped atomically on reconfiguration.
 *
 * Threading: main thread only.
 */
#ifndef KEYPORT_LISTEN_H
#define KEYPORT_LISTEN_H

#include "conn.h"

#define LISTENER_MAX_FDS 16

/* How a listener came to be: the Redis shorthands (port, bind, tls-port,
 * unixsocket) own one implicit listener each and CONFIG SET replaces it. */
typedef enum listener_origin {
    LISTENER_EXPLICIT = 0, /* a listen line */
    LISTENER_PORT,         /* port + bind */
    LISTENER_TLS_PORT,     /* tls-port + bind, on tls-transport */
    LISTENER_UNIXSOCKET    /* unixsocket + unixsocketperm */
} listener_origin;

struct listener {
    int id;
    listener_origin origin;
    transport *base;  /* tcp or unix (or another KP_CAP_STREAM transport) */
    transport *layer; /* NULL for plain listeners */
    char *service;    /* port as text, NULL for paths */
    char **addrs;     /* bind addresses, or the one path */
    int naddrs;
    char **keys; /* listener-specific configuration */
    char **vals;
    int nkv;
    void *base_ctx;
    void *layer_ctx;
    int fds[LISTENER_MAX_FDS];
    int nfds;
    ae_loop *loop;
    /* statistics */
    long long accepted;
    long long rejected;
    long long handshakes_ok;
    long long handshakes_failed;
    uint64_t files_sig; /* tls-auto-reload-interval: signature of the files in use */
};

/* Called for every accepted connection once it is CONNECTED (after the TLS
 * handshake for layered listeners). The callee owns c. It runs outside any
 * handler of c, so it may conn_move_to_loop() c to an I/O thread. */
typedef void listener_accept_proc(connection *c);
void listener_set_accept_proc(listener_accept_proc *proc);

/* Creates (without binding) a listener. transport is a loaded transport
 * name; where is a port number or a path; binds may be empty (default
 * "*"); kv are listener-specific keys, each checked against the transport's
 * config_keys. Returns NULL with a reason in err. */
listener *listener_create(listener_origin origin, const char *transport, const char *where,
                          const char *const *binds, int nbinds, const char *const *keys,
                          const char *const *vals, int nkv, char *err, size_t errlen);
/* Builds contexts and binds every address. On failure nothing stays open. */
int listener_start(listener *l, ae_loop *loop, char *err, size_t errlen);
void listener_stop(listener *l);
void listener_free(listener *l);

/* Rebuilds l's contexts from the current defaults and its own keys; swaps
 * only on success. Returns 0, or -1 with the reason (old contexts stay). */
int listener_reconfigure(listener *l, char *err, size_t errlen);
/* Reconfigures every listener whose transports declare key. Returns 0, or
 * -1 naming the first listener that refused (all keep their old state). */
int listeners_reconfigure_key(const char *key, char *err, size_t errlen);

/* Registry of active listeners (created and started). */
int listener_register(listener *l);
void listener_unregister(listener *l);
int listener_count(void);
listener *listener_at(int i);
listener *listener_find_origin(listener_origin origin);
/* "tcp 127.0.0.1:6379", "openssl *:6380", "unix /tmp/k.sock" */
void listener_describe(listener *l, char *buf, size_t len);
/* Name of the top transport of l (layer if any, else base). */
const char *listener_transport_name(listener *l);

/* Global transport defaults (e.g. tls-cert-file set at top level). The
 * value is copied; NULL removes the key. */
void transport_default_set(const char *key, const char *value);
const char *transport_default_get(const char *key);
/* Is key declared by any loaded transport? */
int transport_key_known(const char *key);

/* Connections accepted but still in their transport handshake; they count
 * towards maxclients. */
int listener_handshakes_in_progress(void);

/* Accept throttling and handshake timeout come from server.h:
 * server.max_new_conns_per_cycle, server.max_new_tls_conns_per_cycle and
 * server.tls_handshake_timeout (ms, 0 = none). */

#endif
