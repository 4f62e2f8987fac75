/*
 * keyport transport "unix": stream sockets on filesystem paths.
 *
 * listen() replaces a stale socket file (one nobody accepts on any more)
 * and refuses to touch a path that is live or is not a socket. The
 * context's unixsocketperm (octal, e.g. 700; 0 = leave the umask's mode)
 * is applied to the socket file after bind.
 */
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "keyport/transport.h"
#include "../common/sockio.h"

static const kp_host_api *host;

typedef struct unix_ctx {
    unsigned perm; /* 0: leave as created */
} unix_ctx;

static const char *const unix_config_keys[] = {"unixsocketperm", NULL};

/* ---------- contexts ---------- */

static int unix_ctx_new(kp_role role, const kp_kv *kv, size_t nkv, void **out, char *err,
                        size_t errlen) {
    (void)role;
    unsigned perm = 0;
    for (size_t i = 0; i < nkv; i++) {
        if (strcmp(kv[i].key, "unixsocketperm") == 0) {
            long v;
            if (sockio_parse_number(kv[i].key, kv[i].value, 8, 0777,
                                    "octal permissions such as 700", &v, err, errlen) != 0)
                return -1;
            perm = (unsigned)v;
        } else {
            snprintf(err, errlen, "unknown option '%s'", kv[i].key);
            return -1;
        }
    }
    unix_ctx *ctx = host->calloc(1, sizeof(*ctx));
    ctx->perm = perm;
    *out = ctx;
    return 0;
}

static void unix_ctx_free(void *ctx) {
    host->free(ctx);
}

/* ---------- helpers ---------- */

static int unix_sockaddr(const char *path, struct sockaddr_un *sa, char *err, size_t errlen) {
    size_t n = strlen(path);
    memset(sa, 0, sizeof(*sa));
    sa->sun_family = AF_UNIX;
    if (n == 0 || n >= sizeof(sa->sun_path)) {
        snprintf(err, errlen, "%s: socket path must be 1 to %zu bytes long", path,
                 sizeof(sa->sun_path) - 1);
        return -1;
    }
    memcpy(sa->sun_path, path, n + 1);
    return 0;
}

/* Is somebody accepting connections on the socket at sa? */
static int unix_socket_live(const struct sockaddr_un *sa) {
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) return 0;
    int rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
    int live = rc == 0 || errno == EAGAIN || errno == EINPROGRESS;
    close(fd);
    return live;
}

/* Removes a stale socket file at path; -1 with a reason if path is taken. */
static int unix_clear_path(const char *path, const struct sockaddr_un *sa, char *err,
                           size_t errlen) {
    struct stat st;
    if (lstat(path, &st) == -1) return 0;
    if (!S_ISSOCK(st.st_mode)) {
        snprintf(err, errlen, "%s: exists and is not a socket", path);
        return -1;
    }
    if (unix_socket_live(sa)) {
        snprintf(err, errlen, "%s: another process is listening on this socket", path);
        return -1;
    }
    if (unlink(path) == -1) {
        char what[128];
        snprintf(what, sizeof(what), "%.100s: unlink", path);
        sockio_format_err(err, errlen, what, errno);
        return -1;
    }
    return 0;
}

/* ---------- base ops ---------- */

static int unix_listen(void *ctx, const char *path, const char *service, int backlog, int *out,
                       char *err, size_t errlen) {
    (void)service;
    const unix_ctx *uc = ctx;
    struct sockaddr_un sa;
    if (unix_sockaddr(path, &sa, err, errlen) != 0) return -1;
    if (unix_clear_path(path, &sa, err, errlen) != 0) return -1;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const char *step = NULL;
    if (fd == -1)
        step = "socket";
    else if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == -1)
        step = "bind";
    else if (uc && uc->perm && chmod(path, (mode_t)uc->perm) == -1)
        step = "chmod";
    else if (listen(fd, backlog) == -1)
        step = "listen";
    if (!step) {
        *out = fd;
        return 0;
    }
    char what[160];
    snprintf(what, sizeof(what), "%.120s: %s", path, step);
    sockio_format_err(err, errlen, what, errno);
    if (fd != -1) {
        if (strcmp(step, "bind") != 0) unlink(path);
        close(fd);
    }
    return -1;
}

static kp_result unix_accept(void *ctx, int lfd, kp_conn *c, void *priv, char *err, size_t errlen) {
    (void)ctx;
    (void)c;
    return sockio_accept(lfd, priv, err, errlen);
}

static kp_result unix_connect(void *ctx, kp_conn *c, void *priv, const char *path,
                              const char *service, kp_io *io) {
    (void)ctx;
    (void)service;
    sockio_conn *s = priv;
    struct sockaddr_un sa;
    if (unix_sockaddr(path, &sa, s->err, sizeof(s->err)) != 0) return KP_ERR;
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd == -1) {
        sockio_format_err(s->err, sizeof(s->err), "socket", errno);
        return KP_ERR;
    }
    sockio_adopt(s, fd);
    kp_result r = sockio_start_connect(s, (struct sockaddr *)&sa, sizeof(sa), io);
    if (r == KP_ERR) {
        char what[140];
        snprintf(what, sizeof(what), "connect %.100s", path);
        /* EAGAIN here means the listener's backlog is full, not "later". */
        sockio_format_err(s->err, sizeof(s->err), what, errno);
        sockio_close(c, s);
    }
    return r;
}

static int unix_addr(void *priv, int remote, char *buf, size_t len) {
    sockio_conn *s = priv;
    struct sockaddr_un sa;
    socklen_t sl = sizeof(sa);
    memset(&sa, 0, sizeof(sa));
    int rc = remote ? getpeername(s->fd, (struct sockaddr *)&sa, &sl)
                    : getsockname(s->fd, (struct sockaddr *)&sa, &sl);
    /* The client end of a connection is usually unnamed: report the path
     * of the socket it is connected to, as Redis does. */
    if (rc == 0 && sl <= offsetof(struct sockaddr_un, sun_path)) {
        sl = sizeof(sa);
        memset(&sa, 0, sizeof(sa));
        rc = remote ? getsockname(s->fd, (struct sockaddr *)&sa, &sl)
                    : getpeername(s->fd, (struct sockaddr *)&sa, &sl);
    }
    if (rc == -1 || sa.sun_family != AF_UNIX || !sa.sun_path[0]) return -1;
    snprintf(buf, len, "%.*s", (int)sizeof(sa.sun_path), sa.sun_path);
    return 0;
}

static const kp_transport unix_transport = {
    .hdr = KP_TRANSPORT_HEADER,
    .fingerprint = KP_FINGERPRINT_INIT,
    .name = "unix",
    .version = "1.0.0",
    .description = "unix domain stream sockets",
    .license = "BSD-3-Clause",
    .caps = KP_CAP_STREAM | KP_CAP_PATH_ADDR | KP_CAP_WRITEV,
    .conn_size = sizeof(sockio_conn),
    .config_keys = unix_config_keys,
    .ctx_new = unix_ctx_new,
    .ctx_free = unix_ctx_free,
    .listen = unix_listen,
    .accept = unix_accept,
    .connect = unix_connect,
    .fd = sockio_fd,
    .handshake = sockio_finish_connect,
    .read = sockio_read,
    .write = sockio_write,
    .writev = sockio_writev,
    .close = sockio_close,
    .last_error = sockio_last_error,
    .addr = unix_addr,
};

KP_EXPORT int kp_transport_entry(const kp_host_api *h, const kp_transport **out, char *err,
                                 size_t errlen) {
    if (!h || h->hdr.abi_major != KP_ABI_MAJOR) {
        snprintf(err, errlen, "host ABI major %u, unix needs %u", h ? h->hdr.abi_major : 0,
                 KP_ABI_MAJOR);
        return -1;
    }
    host = h;
    *out = &unix_transport;
    return 0;
}
