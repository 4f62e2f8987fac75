/*
 * Listeners: a transport stack bound to a port or a path, its contexts,
 * the accept handler, and the handshakes of accepted connections.
 *
 * Lifetime: a listener is referenced by its owner (listener_create ..
 * listener_free) and by every accepted connection that is still alive, so
 * conn_listener() stays valid after CONFIG SET replaced the listener. The
 * contexts are released in listener_free() (plugins keep what live
 * connections need, see ctx_free in transport.h); the struct goes with the
 * last reference, which may be dropped on an I/O thread.
 *
 * Threading: main thread, except the release hook (any thread).
 */
#include "listen.h"

#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn_internal.h"
#include "log.h"
#include "server.h"
#include "zmalloc.h"

#define DEFAULT_BACKLOG 511
#define HS_TIMER_MAX_PERIOD_MS 100

typedef struct listener_box {
    listener l; /* first: a listener * is a listener_box * */
    int refs;   /* atomic: owner + live accepted connections */
} listener_box;

static listener **registry;
static int nregistry;
static int next_id = 1;
static listener_accept_proc *accept_proc;

/* Connections accepted on a layered listener: hs_head while the handshake
 * runs, ready_head once it succeeded and until the accept proc takes them
 * (hand-over happens from a timer, outside the connection's handlers, so
 * the accept proc may move it to another loop). Both count as handshakes
 * in progress. */
static connection *hs_head;
static connection *ready_head;
static int hs_count;
static long long hs_timer_id = -1;
static long long ready_timer_id = -1;

/* Global transport defaults (key -> value). */
static char **def_keys, **def_vals;
static int ndefs;

/* ---------- small helpers ---------- */

static char **strv_dup(const char *const *v, int n) {
    char **out = zcalloc(sizeof(char *) * (size_t)(n ? n : 1));
    for (int i = 0; i < n; i++) out[i] = zstrdup(v[i]);
    return out;
}

static void strv_free(char **v, int n) {
    if (!v) return;
    for (int i = 0; i < n; i++) zfree(v[i]);
    zfree(v);
}

static int is_path(const char *where) {
    return strchr(where, '/') != NULL;
}

static int valid_port(const char *s) {
    if (!*s || strlen(s) > 5) return 0;
    for (const char *p = s; *p; p++)
        if (*p < '0' || *p > '9') return 0;
    return atoi(s) <= 65535;
}

static const char *listener_key(listener *l, const char *key) {
    for (int i = 0; i < l->nkv; i++)
        if (strcmp(l->keys[i], key) == 0) return l->vals[i];
    return NULL;
}

const char *listener_transport_name(listener *l) {
    return l->layer ? l->layer->ops->name : l->base->ops->name;
}

/* ---------- references ---------- */

static void listener_ref(listener *l) {
    __atomic_add_fetch(&((listener_box *)l)->refs, 1, __ATOMIC_RELAXED);
}

static void listener_unref(listener *l) {
    listener_box *b = (listener_box *)l;
    if (__atomic_sub_fetch(&b->refs, 1, __ATOMIC_ACQ_REL) != 0) return;
    zfree(l->service);
    strv_free(l->addrs, l->naddrs);
    strv_free(l->keys, l->nkv);
    strv_free(l->vals, l->nkv);
    zfree(b);
}

static connection **hs_list_of(connection *c) {
    return (c->flags & CONN_F_HS_READY) ? &ready_head : &hs_head;
}

static void hs_unlink(connection *c) {
    if (!(c->flags & CONN_F_HS_LISTED)) return;
    connection **head = hs_list_of(c);
    if (c->hs_prev)
        c->hs_prev->hs_next = c->hs_next;
    else
        *head = c->hs_next;
    if (c->hs_next) c->hs_next->hs_prev = c->hs_prev;
    c->hs_prev = c->hs_next = NULL;
    c->flags &= ~(CONN_F_HS_LISTED | CONN_F_HS_READY);
    hs_count--;
}

/* Adds c to the handshake list, or to the ready list when ready != 0. */
static void hs_link(connection *c, int ready) {
    if (ready) c->flags |= CONN_F_HS_READY;
    connection **head = hs_list_of(c);
    c->hs_prev = NULL;
    c->hs_next = *head;
    if (*head) (*head)->hs_prev = c;
    *head = c;
    c->flags |= CONN_F_HS_LISTED;
    if (!ready) c->hs_start_ms = ae_mstime();
    hs_count++;
}

/* Runs when an accepted connection is destroyed, on its owner's thread. */
static void listener_conn_released(connection *c) {
    hs_unlink(c);
    listener_unref(c->listener);
}

int listener_handshakes_in_progress(void) {
    return hs_count;
}

/* ---------- transport defaults ---------- */

void transport_default_set(const char *key, const char *value) {
    for (int i = 0; i < ndefs; i++) {
        if (strcmp(def_keys[i], key) != 0) continue;
        if (value) {
            char *v = zstrdup(value);
            zfree(def_vals[i]);
            def_vals[i] = v;
        } else {
            zfree(def_keys[i]);
            zfree(def_vals[i]);
            def_keys[i] = def_keys[ndefs - 1];
            def_vals[i] = def_vals[ndefs - 1];
            ndefs--;
        }
        return;
    }
    if (!value) return;
    def_keys = zrealloc(def_keys, sizeof(char *) * (size_t)(ndefs + 1));
    def_vals = zrealloc(def_vals, sizeof(char *) * (size_t)(ndefs + 1));
    def_keys[ndefs] = zstrdup(key);
    def_vals[ndefs] = zstrdup(value);
    ndefs++;
}

const char *transport_default_get(const char *key) {
    for (int i = 0; i < ndefs; i++)
        if (strcmp(def_keys[i], key) == 0) return def_vals[i];
    return NULL;
}

int transport_key_known(const char *key) {
    for (int i = 0; i < transport_count(); i++)
        if (transport_has_key(transport_at(i), key)) return 1;
    return 0;
}

/* ---------- creation ---------- */

void listener_set_accept_proc(listener_accept_proc *proc) {
    accept_proc = proc;
}

listener *listener_create(listener_origin origin, const char *tname, const char *where,
                          const char *const *binds, int nbinds, const char *const *keys,
                          const char *const *vals, int nkv, char *err, size_t errlen) {
    if (!tname || !*tname) {
        snprintf(err, errlen, "missing transport name");
        return NULL;
    }
    transport *t = transport_find(tname);
    if (!t) {
        snprintf(err, errlen, "unknown transport '%s' (load it first with 'loadtransport %s')",
                 tname, tname);
        return NULL;
    }
    if (!where || !*where) {
        snprintf(err, errlen, "missing port or path for transport '%s'", tname);
        return NULL;
    }
    int path = is_path(where);
    transport *base = t, *layer = NULL;
    if (t->ops->caps & KP_CAP_LAYERED) {
        const char *bname = path ? "unix" : "tcp";
        layer = t;
        base = transport_find(bname);
        if (!base) {
            snprintf(err, errlen, "transport '%s' on a %s runs over '%s', which is not loaded",
                     tname, path ? "path" : "port", bname);
            return NULL;
        }
    }
    int base_path = (base->ops->caps & KP_CAP_PATH_ADDR) != 0;
    if (path && !base_path) {
        snprintf(err, errlen, "transport '%s' listens on ports, not paths ('%s')", base->ops->name,
                 where);
        return NULL;
    }
    if (!path && base_path) {
        snprintf(err, errlen, "transport '%s' needs a socket path (containing '/'), not '%s'",
                 base->ops->name, where);
        return NULL;
    }
    if (!path && !valid_port(where)) {
        snprintf(err, errlen, "invalid port '%s' (expected 0 to 65535)", where);
        return NULL;
    }
    if (path && nbinds > 0) {
        snprintf(err, errlen, "bind addresses do not apply to a socket path ('%s')", where);
        return NULL;
    }
    if (nbinds > LISTENER_MAX_FDS) {
        snprintf(err, errlen, "too many bind addresses (%d, at most %d)", nbinds, LISTENER_MAX_FDS);
        return NULL;
    }
    for (int i = 0; i < nbinds; i++) {
        if (!binds[i][0] || (binds[i][0] == '-' && !binds[i][1])) {
            snprintf(err, errlen, "empty bind address");
            return NULL;
        }
    }
    for (int i = 0; i < nkv; i++) {
        if (!transport_has_key(base, keys[i]) && !(layer && transport_has_key(layer, keys[i]))) {
            snprintf(err, errlen, "transport '%s' has no option '%s'", tname, keys[i]);
            return NULL;
        }
        for (int j = 0; j < i; j++) {
            if (strcmp(keys[i], keys[j]) == 0) {
                snprintf(err, errlen, "option '%s' given twice", keys[i]);
                return NULL;
            }
        }
    }

    listener_box *b = zcalloc(sizeof(*b));
    b->refs = 1;
    listener *l = &b->l;
    l->id = next_id++;
    l->origin = origin;
    l->base = base;
    l->layer = layer;
    l->service = path ? NULL : zstrdup(where);
    if (path) {
        l->addrs = strv_dup(&where, 1);
        l->naddrs = 1;
    } else if (nbinds > 0) {
        l->addrs = strv_dup(binds, nbinds);
        l->naddrs = nbinds;
    } else {
        const char *any = "*";
        l->addrs = strv_dup(&any, 1);
        l->naddrs = 1;
    }
    l->keys = strv_dup(keys, nkv);
    l->vals = strv_dup(vals, nkv);
    l->nkv = nkv;
    l->nfds = 0;
    conn_set_release_hook(listener_conn_released);
    return l;
}

/* ---------- contexts ---------- */

/* Builds a server context for t from the defaults overlaid with l's keys
 * (only keys t declares). *ctx is NULL for transports without contexts. */
static int build_ctx(listener *l, transport *t, void **ctx, char *err, size_t errlen) {
    *ctx = NULL;
    if (!t || !t->ops->ctx_new) return 0;
    int nkeys = 0;
    if (t->ops->config_keys)
        while (t->ops->config_keys[nkeys]) nkeys++;
    kp_kv *kv = zcalloc(sizeof(kp_kv) * (size_t)(nkeys ? nkeys : 1));
    size_t nkv = 0;
    for (int i = 0; i < nkeys; i++) {
        const char *k = t->ops->config_keys[i];
        const char *v = listener_key(l, k);
        if (!v) v = transport_default_get(k);
        if (v) kv[nkv++] = (kp_kv){k, v};
    }
    char why[512] = "";
    int rc = t->ops->ctx_new(KP_ROLE_SERVER, kv, nkv, ctx, why, sizeof(why));
    zfree(kv);
    if (rc != 0) {
        *ctx = NULL;
        snprintf(err, errlen, "%s: %s", t->ops->name, why[0] ? why : "cannot create context");
        return -1;
    }
    return 0;
}

static void free_ctx(transport *t, void *ctx) {
    if (t && ctx && t->ops->ctx_free) t->ops->ctx_free(ctx);
}

/* Builds both contexts of l (base, then layer); all or nothing. */
static int build_ctxs(listener *l, void **bctx, void **lctx, char *err, size_t errlen) {
    if (build_ctx(l, l->base, bctx, err, errlen) != 0) return -1;
    if (build_ctx(l, l->layer, lctx, err, errlen) != 0) {
        free_ctx(l->base, *bctx);
        *bctx = NULL;
        return -1;
    }
    return 0;
}

static void swap_ctxs(listener *l, void *bctx, void *lctx) {
    void *ob = l->base_ctx, *ol = l->layer_ctx;
    l->base_ctx = bctx;
    l->layer_ctx = lctx;
    free_ctx(l->base, ob);
    free_ctx(l->layer, ol);
}

int listener_reconfigure(listener *l, char *err, size_t errlen) {
    void *bctx, *lctx;
    if (build_ctxs(l, &bctx, &lctx, err, errlen) != 0) return -1;
    swap_ctxs(l, bctx, lctx);
    return 0;
}

static int listener_uses_key(listener *l, const char *key) {
    return transport_has_key(l->base, key) || (l->layer && transport_has_key(l->layer, key));
}

int listeners_reconfigure_key(const char *key, char *err, size_t errlen) {
    void **nb = zcalloc(sizeof(void *) * (size_t)(nregistry + 1));
    void **nl = zcalloc(sizeof(void *) * (size_t)(nregistry + 1));
    int failed = -1;
    for (int i = 0; i < nregistry && failed < 0; i++) {
        listener *l = registry[i];
        if (!listener_uses_key(l, key)) continue;
        char why[512];
        if (build_ctxs(l, &nb[i], &nl[i], why, sizeof(why)) != 0) {
            char desc[256];
            listener_describe(l, desc, sizeof(desc));
            snprintf(err, errlen, "listener '%s': %s", desc, why);
            failed = i;
        }
    }
    for (int i = 0; i < nregistry; i++) {
        listener *l = registry[i];
        if (!listener_uses_key(l, key)) continue;
        if (failed >= 0) {
            free_ctx(l->base, nb[i]);
            free_ctx(l->layer, nl[i]);
        } else {
            swap_ctxs(l, nb[i], nl[i]);
        }
    }
    zfree(nb);
    zfree(nl);
    return failed >= 0 ? -1 : 0;
}

/* ---------- handshakes ---------- */

static void hand_over(connection *c) {
    if (accept_proc) {
        accept_proc(c);
    } else {
        server_log(LL_WARNING, "no accept handler installed; dropping connection");
        conn_close(c);
    }
}

static void log_handshake_failure(connection *c, const char *why) {
    char desc[256], peer[128];
    listener_describe(c->listener, desc, sizeof(desc));
    conn_addr(c, 1, peer, sizeof(peer));
    server_log(LL_VERBOSE, "%s: handshake with %s failed: %s", desc, peer, why);
}

/* Hands every connection of the ready list to the accept proc. */
static int ready_timer_proc(ae_loop *loop, long long id, void *data) {
    (void)loop, (void)id, (void)data;
    ready_timer_id = -1;
    while (ready_head) {
        connection *c = ready_head;
        hs_unlink(c);
        hand_over(c);
    }
    return AE_NOMORE;
}

/* Completion of conn_start_handshake(); runs under c's reference. */
static void handshake_done(connection *c) {
    listener *l = c->listener;
    hs_unlink(c);
    if (conn_get_state(c) == CONN_STATE_CONNECTED) {
        l->handshakes_ok++;
        hs_link(c, 1);
        if (ready_timer_id < 0)
            ready_timer_id = ae_add_timer(conn_loop(c), 0, ready_timer_proc, NULL, NULL);
        if (ready_timer_id < 0) {
            hs_unlink(c); /* cannot defer: hand over from inside the handler */
            hand_over(c);
        }
    } else {
        l->handshakes_failed++;
        log_handshake_failure(c, conn_last_error(c));
        conn_close(c);
    }
}

static int hs_timer_period(void) {
    long long t = server.tls_handshake_timeout / 4;
    if (t < 10) t = 10;
    if (t > HS_TIMER_MAX_PERIOD_MS) t = HS_TIMER_MAX_PERIOD_MS;
    return (int)t;
}

static int hs_timer_proc(ae_loop *loop, long long id, void *data) {
    (void)id;
    (void)data;
    long long timeout = server.tls_handshake_timeout;
    if (timeout > 0) {
        long long now = ae_mstime();
        connection *next;
        for (connection *c = hs_head; c; c = next) {
            next = c->hs_next;
            if (c->loop != loop || now - c->hs_start_ms < timeout) continue;
            char why[64];
            snprintf(why, sizeof(why), "timed out after %lld ms", now - c->hs_start_ms);
            hs_unlink(c);
            c->listener->handshakes_failed++;
            log_handshake_failure(c, why);
            conn_close(c);
        }
    }
    if (!hs_head) {
        hs_timer_id = -1;
        return AE_NOMORE;
    }
    return hs_timer_period();
}

static void hs_timer_ensure(ae_loop *loop) {
    if (hs_timer_id >= 0) return;
    hs_timer_id = ae_add_timer(loop, hs_timer_period(), hs_timer_proc, NULL, NULL);
}

/* ---------- accepting ---------- */

static void accept_handler(ae_loop *loop, int fd, void *data, int mask) {
    (void)mask;
    listener *l = data;
    int max = l->layer ? server.max_new_tls_conns_per_cycle : server.max_new_conns_per_cycle;
    if (max <= 0) max = 1;
    for (int i = 0; i < max; i++) {
        char err[256];
        connection *c = conn_create_accepted(loop, l);
        kp_result r = conn_accept(c, fd, l->base_ctx, err, sizeof(err));
        if (r == KP_AGAIN) break;
        if (r != KP_OK) {
            l->rejected++;
            char desc[256];
            listener_describe(l, desc, sizeof(desc));
            server_log(LL_VERBOSE, "%s: accepting a connection: %s", desc, err);
            break;
        }
        listener_ref(l);
        l->accepted++;
        if (!l->layer) {
            hand_over(c);
            continue;
        }
        if (server.maxclients > 0 && (unsigned long)hs_count >= server.maxclients) {
            l->rejected++;
            server.stat_rejected_conn++;
            log_handshake_failure(c, "too many handshakes in progress (maxclients)");
            conn_close(c);
            continue;
        }
        hs_link(c, 0);
        hs_timer_ensure(loop);
        /* handshake_done may run (and free c) before this returns. */
        if (conn_start_handshake(c, l->layer_ctx, handshake_done, err, sizeof(err)) != 0) {
            hs_unlink(c);
            l->handshakes_failed++;
            log_handshake_failure(c, err);
            conn_close(c);
        }
    }
}

/* ---------- start / stop ---------- */

/* A bind entry: "-addr" is optional (failure is logged, not fatal). A
 * plain "*" on a port also tries "::*" (IPv6 any) optionally, unless the
 * list names an IPv6 wildcard itself. */
typedef struct bind_spec {
    const char *addr;
    int optional;
} bind_spec;

static int expand_binds(listener *l, bind_spec *out) {
    int n = 0, has_star = 0, has_v6any = 0;
    for (int i = 0; i < l->naddrs; i++) {
        const char *a = l->addrs[i];
        int opt = a[0] == '-' && l->service;
        if (opt) a++;
        if (l->service && strcmp(a, "*") == 0) has_star = 1;
        if (l->service && (strcmp(a, "::*") == 0 || strcmp(a, "::") == 0)) has_v6any = 1;
        out[n++] = (bind_spec){a, opt};
    }
    if (has_star && !has_v6any && n < LISTENER_MAX_FDS) out[n++] = (bind_spec){"::*", 1};
    return n;
}

static void close_fds(listener *l) {
    for (int i = 0; i < l->nfds; i++) {
        if (l->loop) ae_del_file(l->loop, l->fds[i], AE_READABLE);
        close(l->fds[i]);
    }
    l->nfds = 0;
}

static void unlink_socket_path(listener *l) {
    struct stat st;
    if (l->service || !(l->base->ops->caps & KP_CAP_PATH_ADDR)) return;
    if (stat(l->addrs[0], &st) == 0 && S_ISSOCK(st.st_mode)) unlink(l->addrs[0]);
}

int listener_start(listener *l, ae_loop *loop, char *err, size_t errlen) {
    if (l->nfds > 0) {
        snprintf(err, errlen, "listener is already started");
        return -1;
    }
    void *bctx, *lctx;
    if (build_ctxs(l, &bctx, &lctx, err, errlen) != 0) return -1;
    bind_spec specs[LISTENER_MAX_FDS];
    int nspecs = expand_binds(l, specs);
    int backlog = server.tcp_backlog > 0 ? server.tcp_backlog : DEFAULT_BACKLOG;
    l->loop = NULL;
    for (int i = 0; i < nspecs; i++) {
        char why[512] = "";
        int fd = -1;
        if (l->base->ops->listen(bctx, specs[i].addr, l->service, backlog, &fd, why, sizeof(why)) !=
            0) {
            if (specs[i].optional) {
                server_log(LL_NOTICE, "%s: skipping optional address %s: %s", l->base->ops->name,
                           specs[i].addr, why[0] ? why : "cannot listen");
                continue;
            }
            snprintf(err, errlen, "%s", why[0] ? why : "cannot listen");
            goto fail;
        }
        l->fds[l->nfds++] = fd;
        if (ae_add_file(loop, fd, AE_READABLE, accept_handler, l) == AE_ERR) {
            snprintf(err, errlen, "cannot watch listening socket fd %d (event loop size %d)", fd,
                     ae_get_setsize(loop));
            l->loop = loop;
            goto fail;
        }
        l->loop = loop;
    }
    if (l->nfds == 0) {
        snprintf(err, errlen, "no address could be bound");
        goto fail;
    }
    l->loop = loop;
    swap_ctxs(l, bctx, lctx);
    return 0;
fail:
    if (l->nfds > 0) unlink_socket_path(l); /* only a socket this call created */
    close_fds(l);
    l->loop = NULL;
    free_ctx(l->base, bctx);
    free_ctx(l->layer, lctx);
    return -1;
}

void listener_stop(listener *l) {
    if (l->nfds == 0) return;
    close_fds(l);
    unlink_socket_path(l);
    l->loop = NULL;
}

void listener_free(listener *l) {
    if (!l) return;
    listener_stop(l);
    listener_unregister(l);
    /* Connections still in their handshake are not clients yet: drop them. */
    connection *heads[2] = {hs_head, ready_head}, *next;
    for (int i = 0; i < 2; i++) {
        for (connection *c = heads[i]; c; c = next) {
            next = c->hs_next;
            if (c->listener != l) continue;
            hs_unlink(c);
            conn_close(c);
        }
    }
    swap_ctxs(l, NULL, NULL);
    listener_unref(l);
}

/* ---------- registry ---------- */

int listener_register(listener *l) {
    for (int i = 0; i < nregistry; i++)
        if (registry[i] == l) return 0;
    registry = zrealloc(registry, sizeof(listener *) * (size_t)(nregistry + 1));
    registry[nregistry++] = l;
    return 0;
}

void listener_unregister(listener *l) {
    for (int i = 0; i < nregistry; i++) {
        if (registry[i] != l) continue;
        memmove(registry + i, registry + i + 1, sizeof(listener *) * (size_t)(nregistry - i - 1));
        nregistry--;
        return;
    }
}

int listener_count(void) {
    return nregistry;
}

listener *listener_at(int i) {
    return i >= 0 && i < nregistry ? registry[i] : NULL;
}

listener *listener_find_origin(listener_origin origin) {
    for (int i = 0; i < nregistry; i++)
        if (registry[i]->origin == origin) return registry[i];
    return NULL;
}

/* The port actually bound (for port 0), or the configured one. */
static void bound_service(listener *l, char *buf, size_t len) {
    snprintf(buf, len, "%s", l->service);
    if (strcmp(l->service, "0") != 0 || l->nfds == 0) return;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    if (getsockname(l->fds[0], (struct sockaddr *)&ss, &sl) == -1) return;
    if (ss.ss_family == AF_INET)
        snprintf(buf, len, "%u", ntohs(((struct sockaddr_in *)&ss)->sin_port));
    else if (ss.ss_family == AF_INET6)
        snprintf(buf, len, "%u", ntohs(((struct sockaddr_in6 *)&ss)->sin6_port));
}

void listener_describe(listener *l, char *buf, size_t len) {
    if (len == 0) return;
    size_t used = (size_t)snprintf(buf, len, "%s", listener_transport_name(l));
    if (!l->service) {
        if (used < len) snprintf(buf + used, len - used, " %s", l->addrs[0]);
        return;
    }
    char port[16];
    bound_service(l, port, sizeof(port));
    for (int i = 0; i < l->naddrs && used < len; i++) {
        const char *a = l->addrs[i];
        const char *opt = a[0] == '-' ? "-" : "";
        if (*opt) a++;
        int v6 = strchr(a, ':') != NULL;
        int n = snprintf(buf + used, len - used, v6 ? " %s[%s]:%s" : " %s%s:%s", opt, a, port);
        if (n < 0) break;
        used += (size_t)n;
    }
}
