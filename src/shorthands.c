/*
 * The Redis-compatible listener shorthands: `port` + `bind` (tcp),
 * `tls-port` + `bind` (on tls-transport), `unixsocket` + `unixsocketperm`.
 * Each owns at most one implicit listener; applying the current settings
 * replaces exactly the listeners whose settings changed. A replacement that
 * fails to bind restores the old listener, so a bad CONFIG SET never leaves
 * the server deaf.
 */
#include <stdio.h>
#include <string.h>

#include "listen.h"
#include "server.h"

typedef struct shorthand {
    listener_origin origin;
    const char *transport; /* NULL: remove the listener */
    char where[256];
    const char *const *binds;
    int nbinds;
    const char *keys[1];
    const char *vals[1];
    int nkv;
    char valbuf[32];
} shorthand;

static int same_listener(listener *l, const shorthand *s) {
    if (strcmp(listener_transport_name(l), s->transport) != 0) return 0;
    const char *where = l->service ? l->service : (l->naddrs ? l->addrs[0] : "");
    if (strcmp(where, s->where) != 0) return 0;
    if (l->service) {
        int n = s->nbinds ? s->nbinds : 1;
        if (l->naddrs != n) return 0;
        for (int i = 0; i < n; i++) {
            const char *want = s->nbinds ? s->binds[i] : "*";
            if (strcmp(l->addrs[i], want) != 0) return 0;
        }
    }
    if (l->nkv != s->nkv) return 0;
    for (int i = 0; i < s->nkv; i++)
        if (strcmp(l->keys[i], s->keys[i]) || strcmp(l->vals[i], s->vals[i])) return 0;
    return 1;
}

static void drop_listener(listener *l) {
    listener_unregister(l);
    listener_stop(l);
    listener_free(l);
}

static void log_listener(listener *l) {
    char desc[512];
    listener_describe(l, desc, sizeof(desc));
    server_log(LL_NOTICE, "Listening on %s", desc);
}

static int apply(const shorthand *s, char *err, size_t errlen) {
    listener *old = listener_find_origin(s->origin);
    if (!s->transport) {
        if (old) drop_listener(old);
        return C_OK;
    }
    if (old && same_listener(old, s)) return C_OK;

    listener *nl = listener_create(s->origin, s->transport, s->where, s->binds, s->nbinds, s->keys,
                                   s->vals, s->nkv, err, errlen);
    if (!nl) return C_ERR;
    /* The old listener may hold the very address the new one needs, so it
     * is closed first and restored if the new one cannot bind. */
    if (old) listener_stop(old);
    if (listener_start(nl, server.el, err, errlen) != 0) {
        listener_free(nl);
        if (old) {
            char rerr[256];
            if (listener_start(old, server.el, rerr, sizeof(rerr)) != 0)
                server_log(LL_WARNING, "Failed to restore the previous listener: %s", rerr);
        }
        return C_ERR;
    }
    if (old) {
        listener_unregister(old);
        listener_free(old);
    }
    listener_register(nl);
    log_listener(nl);
    return C_OK;
}

static const char *tls_transport_name(char *err, size_t errlen) {
    if (server.tls_transport && server.tls_transport[0]) {
        transport *t = transport_find(server.tls_transport);
        if (!t || !(t->ops->caps & KP_CAP_TLS)) {
            snprintf(err, errlen,
                     "tls-transport '%s' is not a loaded TLS transport (add 'loadtransport %s')",
                     server.tls_transport, server.tls_transport);
            return NULL;
        }
        return server.tls_transport;
    }
    static const char *const preferred[] = {"openssl", "gnutls"};
    for (size_t i = 0; i < 2; i++)
        if (transport_find(preferred[i])) return preferred[i];
    for (int i = 0; i < transport_count(); i++)
        if (transport_at(i)->ops->caps & KP_CAP_TLS) return transport_at(i)->ops->name;
    snprintf(err, errlen,
             "tls-port is set but no TLS transport is loaded "
             "(add 'loadtransport openssl' or 'loadtransport gnutls')");
    return NULL;
}

int listeners_apply_shorthands(char *err, size_t errlen) {
    shorthand s;

    memset(&s, 0, sizeof(s));
    s.origin = LISTENER_PORT;
    /* As in Redis, `bind ""` (no address) means no TCP listener at all. */
    if (server.port > 0 && server.bindaddr_count > 0) {
        s.transport = "tcp";
        snprintf(s.where, sizeof(s.where), "%d", server.port);
        s.binds = (const char *const *)server.bindaddr;
        s.nbinds = server.bindaddr_count;
    }
    if (apply(&s, err, errlen) != C_OK) return C_ERR;

    memset(&s, 0, sizeof(s));
    s.origin = LISTENER_TLS_PORT;
    if (server.tls_port > 0 && server.bindaddr_count > 0) {
        s.transport = tls_transport_name(err, errlen);
        if (!s.transport) return C_ERR;
        snprintf(s.where, sizeof(s.where), "%d", server.tls_port);
        s.binds = (const char *const *)server.bindaddr;
        s.nbinds = server.bindaddr_count;
    }
    if (apply(&s, err, errlen) != C_OK) return C_ERR;

    memset(&s, 0, sizeof(s));
    s.origin = LISTENER_UNIXSOCKET;
    if (server.unixsocket && server.unixsocket[0]) {
        s.transport = "unix";
        /* Paths are recognised by a '/': make relative names explicit. */
        snprintf(s.where, sizeof(s.where), "%s%s", strchr(server.unixsocket, '/') ? "" : "./",
                 server.unixsocket);
        transport *u = transport_find("unix");
        if (u && transport_has_key(u, "unixsocketperm") && server.unixsocketperm) {
            snprintf(s.valbuf, sizeof(s.valbuf), "%o", server.unixsocketperm);
            s.keys[0] = "unixsocketperm";
            s.vals[0] = s.valbuf;
            s.nkv = 1;
        }
    }
    return apply(&s, err, errlen);
}
