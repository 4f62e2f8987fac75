/*
 * keyport transport "tcp": plain TCP over IPv4 and IPv6.
 *
 * Listen addresses: "*" (IPv4 any), "::*" or "::" (IPv6 any, IPV6_V6ONLY
 * so both can be bound on one port), a numeric address or a host name.
 * Every socket is non-blocking and close-on-exec; accepted and connected
 * sockets get TCP_NODELAY and the keepalive of the context
 * (tcp-keepalive seconds, default 300, 0 disables).
 *
 * Built with KP_TCP_AS_ABI_1_0 defined, the same code declares itself as
 * "tcp10", an ABI 1.0 transport (tests/abi/fake-older-minor.c).
 */
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>
#include <stdlib.h>

#include "keyport/transport.h"
#include "../common/sockio.h"

#ifdef KP_TCP_AS_ABI_1_0
#define TCP_NAME "tcp10"
#define TCP_ABI_MINOR 0
#define TCP_STRUCT_SIZE KP_TRANSPORT_SIZE_1_0
#define TCP_DESCRIPTION "plain TCP, declared as ABI 1.0 (conformance test build)"
#else
#define TCP_NAME "tcp"
#define TCP_ABI_MINOR KP_ABI_MINOR
#define TCP_STRUCT_SIZE sizeof(kp_transport)
#define TCP_DESCRIPTION "plain TCP over IPv4 and IPv6"
#endif

#define TCP_DEFAULT_KEEPALIVE 300

static const kp_host_api *host;

typedef struct tcp_ctx {
    int keepalive; /* seconds, 0 = off */
} tcp_ctx;

static const char *const tcp_config_keys[] = {"tcp-keepalive", NULL};

/* ---------- contexts ---------- */

static int tcp_ctx_new(kp_role role, const kp_kv *kv, size_t nkv, void **out, char *err,
                       size_t errlen) {
    (void)role;
    int keepalive = TCP_DEFAULT_KEEPALIVE;
    for (size_t i = 0; i < nkv; i++) {
        if (strcmp(kv[i].key, "tcp-keepalive") == 0) {
            long v;
            if (sockio_parse_number(kv[i].key, kv[i].value, 10, INT_MAX, "seconds, 0 to disable",
                                    &v, err, errlen) != 0)
                return -1;
            keepalive = (int)v;
        } else {
            snprintf(err, errlen, "unknown option '%s'", kv[i].key);
            return -1;
        }
    }
    tcp_ctx *ctx = host->calloc(1, sizeof(*ctx));
    ctx->keepalive = keepalive;
    *out = ctx;
    return 0;
}

static void tcp_ctx_free(void *ctx) {
    host->free(ctx);
}

/* ---------- helpers ---------- */

static void tcp_format_sa(const struct sockaddr *sa, char *buf, size_t len) {
    char ip[INET6_ADDRSTRLEN] = "?";
    unsigned port = 0;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *s = (const struct sockaddr_in *)sa;
        inet_ntop(AF_INET, &s->sin_addr, ip, sizeof(ip));
        port = ntohs(s->sin_port);
        snprintf(buf, len, "%s:%u", ip, port);
    } else if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *s = (const struct sockaddr_in6 *)sa;
        inet_ntop(AF_INET6, &s->sin6_addr, ip, sizeof(ip));
        port = ntohs(s->sin6_port);
        snprintf(buf, len, "[%s]:%u", ip, port);
    } else {
        snprintf(buf, len, "?:0");
    }
}

/* Applies per-connection socket options; failures are not fatal. */
static void tcp_tune(int fd, const tcp_ctx *ctx) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    int interval = ctx ? ctx->keepalive : TCP_DEFAULT_KEEPALIVE;
    if (interval <= 0) return;
    setsockopt(fd, SOL_SOCKET, SO_KEEPALIVE, &one, sizeof(one));
    int intvl = interval / 3 > 0 ? interval / 3 : 1, cnt = 3;
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPIDLE, &interval, sizeof(interval));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPINTVL, &intvl, sizeof(intvl));
    setsockopt(fd, IPPROTO_TCP, TCP_KEEPCNT, &cnt, sizeof(cnt));
}

static int tcp_resolve(const char *node, const char *service, int family, int passive,
                       struct addrinfo **res, char *err, size_t errlen) {
    struct addrinfo hints;
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = family;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = passive ? AI_PASSIVE : 0;
    int rc = getaddrinfo(node, service, &hints, res);
    if (rc != 0) {
        snprintf(err, errlen, "%s:%s: cannot resolve: %s", node, service ? service : "",
                 rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
        return -1;
    }
    return 0;
}

/* ---------- base ops ---------- */

static int tcp_listen(void *ctx, const char *addr, const char *service, int backlog, int *out,
                      char *err, size_t errlen) {
    (void)ctx;
    if (!service) {
        snprintf(err, errlen, "%s: a port is required", addr);
        return -1;
    }
    const char *node = addr;
    int family = AF_UNSPEC;
    if (strcmp(addr, "*") == 0)
        node = "0.0.0.0", family = AF_INET;
    else if (strcmp(addr, "::*") == 0 || strcmp(addr, "::") == 0)
        node = "::", family = AF_INET6;
    struct addrinfo *res;
    if (tcp_resolve(node, service, family, 1, &res, err, errlen) != 0) return -1;
    int fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        char where[INET6_ADDRSTRLEN + 16];
        tcp_format_sa(ai->ai_addr, where, sizeof(where));
        fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd == -1) {
            char what[sizeof(where) + 16];
            snprintf(what, sizeof(what), "%s: socket", where);
            sockio_format_err(err, errlen, what, errno);
            continue;
        }
        int one = 1;
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
        const char *step = NULL;
        if (bind(fd, ai->ai_addr, ai->ai_addrlen) == -1)
            step = "bind";
        else if (listen(fd, backlog) == -1)
            step = "listen";
        if (!step) break;
        char what[sizeof(where) + 16];
        snprintf(what, sizeof(what), "%s: %s", where, step);
        sockio_format_err(err, errlen, what, errno);
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd == -1) return -1;
    *out = fd;
    return 0;
}

static kp_result tcp_accept(void *ctx, int lfd, kp_conn *c, void *priv, char *err, size_t errlen) {
    (void)c;
    kp_result r = sockio_accept(lfd, priv, err, errlen);
    if (r == KP_OK) tcp_tune(((sockio_conn *)priv)->fd, ctx);
    return r;
}

static kp_result tcp_connect(void *ctx, kp_conn *c, void *priv, const char *hostname,
                             const char *service, kp_io *io) {
    (void)c;
    sockio_conn *s = priv;
    struct addrinfo *res;
    if (!service) {
        snprintf(s->err, sizeof(s->err), "%s: a port is required", hostname);
        return KP_ERR;
    }
    if (tcp_resolve(hostname, service, AF_UNSPEC, 0, &res, s->err, sizeof(s->err)) != 0)
        return KP_ERR;
    kp_result r = KP_ERR;
    for (struct addrinfo *ai = res; ai && r == KP_ERR; ai = ai->ai_next) {
        char where[INET6_ADDRSTRLEN + 16], what[INET6_ADDRSTRLEN + 32];
        tcp_format_sa(ai->ai_addr, where, sizeof(where));
        int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd == -1) {
            snprintf(what, sizeof(what), "connect %s: socket", where);
            sockio_format_err(s->err, sizeof(s->err), what, errno);
            continue;
        }
        tcp_tune(fd, ctx);
        sockio_adopt(s, fd);
        r = sockio_start_connect(s, ai->ai_addr, ai->ai_addrlen, io);
        if (r == KP_ERR) {
            snprintf(what, sizeof(what), "connect %s", where);
            sockio_format_err(s->err, sizeof(s->err), what, errno);
            sockio_close(c, s);
        }
    }
    freeaddrinfo(res);
    return r;
}

static int tcp_addr(void *priv, int remote, char *buf, size_t len) {
    sockio_conn *s = priv;
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    int rc = remote ? getpeername(s->fd, (struct sockaddr *)&ss, &sl)
                    : getsockname(s->fd, (struct sockaddr *)&ss, &sl);
    if (rc == -1) return -1;
    tcp_format_sa((struct sockaddr *)&ss, buf, len);
    return 0;
}

static const kp_transport tcp_transport = {
    .hdr = {KP_ABI_MAJOR, TCP_ABI_MINOR, (uint32_t)TCP_STRUCT_SIZE},
    .fingerprint = KP_FINGERPRINT_INIT,
    .name = TCP_NAME,
    .version = "1.0.0",
    .description = TCP_DESCRIPTION,
    .license = "BSD-3-Clause",
    .caps = KP_CAP_STREAM | KP_CAP_WRITEV,
    .conn_size = sizeof(sockio_conn),
    .config_keys = tcp_config_keys,
    .ctx_new = tcp_ctx_new,
    .ctx_free = tcp_ctx_free,
    .listen = tcp_listen,
    .accept = tcp_accept,
    .connect = tcp_connect,
    .fd = sockio_fd,
    .handshake = sockio_finish_connect,
    .read = sockio_read,
    .write = sockio_write,
    .writev = sockio_writev,
    .close = sockio_close,
    .last_error = sockio_last_error,
    .addr = tcp_addr,
};

KP_EXPORT int kp_transport_entry(const kp_host_api *h, const kp_transport **out, char *err,
                                 size_t errlen) {
    if (!h || h->hdr.abi_major != KP_ABI_MAJOR) {
        snprintf(err, errlen, "host ABI major %u, " TCP_NAME " needs %u", h ? h->hdr.abi_major : 0,
                 KP_ABI_MAJOR);
        return -1;
    }
    host = h;
    *out = &tcp_transport;
    return 0;
}
