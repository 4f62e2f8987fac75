/*
 * Socket I/O shared by the plain socket transports (tcp, unix): the
 * per-connection state and the ops that only need an fd. Header-only and
 * static inline, so each plugin stays one self-contained shared object that
 * exports nothing but kp_transport_entry.
 *
 * Threading: each function touches only the sockio_conn it is given.
 */
#ifndef KEYPORT_SOCKIO_H
#define KEYPORT_SOCKIO_H

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "keyport/transport.h"

#define SOCKIO_ERR_LEN 160

/* Per-connection private state (kp_transport.conn_size bytes, zeroed by
 * the host: open == 0 means there is no fd to close). */
typedef struct sockio_conn {
    int fd;
    unsigned open : 1;       /* fd is ours to close */
    unsigned connecting : 1; /* outgoing connect() still in progress */
    char err[SOCKIO_ERR_LEN];
} sockio_conn;

/* Writes "<what>: <strerror(errnum)>" into buf, truncated to len. */
static inline void sockio_format_err(char *buf, size_t len, const char *what, int errnum) {
    char tmp[96];
    if (snprintf(buf, len, "%s: %s", what, strerror_r(errnum, tmp, sizeof(tmp))) < 0) buf[0] = 0;
}

static inline kp_result sockio_read(kp_conn *c, void *priv, void *buf, size_t len, kp_io *io) {
    sockio_conn *s = priv;
    (void)c;
    for (;;) {
        ssize_t n = read(s->fd, buf, len);
        if (n > 0) {
            io->done = (size_t)n;
            return KP_OK;
        }
        if (n == 0) return KP_EOF;
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            io->need = KP_NEED_READ;
            return KP_AGAIN;
        }
        sockio_format_err(s->err, sizeof(s->err), "read", errno);
        return KP_ERR;
    }
}

/* Maps the outcome of send()/sendmsg(). */
static inline kp_result sockio_sent(sockio_conn *s, ssize_t n, kp_io *io) {
    if (n >= 0) {
        io->done = (size_t)n;
        return KP_OK;
    }
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
        io->need = KP_NEED_WRITE;
        return KP_AGAIN;
    }
    if (errno == EPIPE) return KP_EOF;
    sockio_format_err(s->err, sizeof(s->err), "write", errno);
    return KP_ERR;
}

static inline kp_result sockio_write(kp_conn *c, void *priv, const void *buf, size_t len,
                                     kp_io *io) {
    sockio_conn *s = priv;
    (void)c;
    ssize_t n;
    do n = send(s->fd, buf, len, MSG_NOSIGNAL);
    while (n == -1 && errno == EINTR);
    return sockio_sent(s, n, io);
}

static inline kp_result sockio_writev(kp_conn *c, void *priv, const struct iovec *iov, int iovcnt,
                                      kp_io *io) {
    sockio_conn *s = priv;
    (void)c;
    struct msghdr msg;
    memset(&msg, 0, sizeof(msg));
    msg.msg_iov = (struct iovec *)iov;
    msg.msg_iovlen = (size_t)(iovcnt > IOV_MAX ? IOV_MAX : iovcnt);
    ssize_t n;
    do n = sendmsg(s->fd, &msg, MSG_NOSIGNAL);
    while (n == -1 && errno == EINTR);
    return sockio_sent(s, n, io);
}

/* Parses value as a whole number in base, 0 to max. Returns 0 with *out
 * set, or -1 with "<key>: invalid value '<value>' (expected <expect>)" in
 * err. */
static inline int sockio_parse_number(const char *key, const char *value, int base, long max,
                                      const char *expect, long *out, char *err, size_t errlen) {
    char *end;
    errno = 0;
    long v = strtol(value, &end, base);
    if (!value[0] || *end || errno || v < 0 || v > max) {
        snprintf(err, errlen, "%s: invalid value '%s' (expected %s)", key, value, expect);
        return -1;
    }
    *out = v;
    return 0;
}

static inline int sockio_fd(void *priv) {
    sockio_conn *s = priv;
    return s->open ? s->fd : -1;
}

static inline void sockio_close(kp_conn *c, void *priv) {
    sockio_conn *s = priv;
    (void)c;
    if (s->open) close(s->fd);
    s->open = 0;
}

static inline const char *sockio_last_error(void *priv) {
    sockio_conn *s = priv;
    return s->err[0] ? s->err : NULL;
}

/* Takes ownership of a new socket. */
static inline void sockio_adopt(sockio_conn *s, int fd) {
    s->fd = fd;
    s->open = 1;
    s->connecting = 0;
    s->err[0] = '\0';
}

/* accept() op body: one pending connection from lfd into s. */
static inline kp_result sockio_accept(int lfd, sockio_conn *s, char *err, size_t errlen) {
    for (;;) {
        int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            sockio_adopt(s, fd);
            return KP_OK;
        }
        if (errno == EINTR || errno == ECONNABORTED) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) return KP_AGAIN;
        sockio_format_err(err, errlen, "accept", errno);
        return KP_ERR;
    }
}

/* handshake() op for base transports: completes an in-progress connect. */
static inline kp_result sockio_finish_connect(kp_conn *c, void *priv, kp_io *io) {
    sockio_conn *s = priv;
    (void)c;
    if (!s->connecting) return KP_OK;
    int soerr = 0;
    socklen_t sl = sizeof(soerr);
    if (getsockopt(s->fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) == -1) soerr = errno;
    if (soerr == 0) {
        struct sockaddr_storage peer;
        socklen_t pl = sizeof(peer);
        if (getpeername(s->fd, (struct sockaddr *)&peer, &pl) == -1 && errno == ENOTCONN)
            soerr = EINPROGRESS; /* woken early: not connected yet */
    }
    if (soerr == EINPROGRESS || soerr == EALREADY) {
        io->need = KP_NEED_WRITE;
        return KP_AGAIN;
    }
    if (soerr != 0) {
        sockio_format_err(s->err, sizeof(s->err), "connect", soerr);
        return KP_ERR;
    }
    s->connecting = 0;
    return KP_OK;
}

/* Starts connect() on a fresh non-blocking socket owned by s. Returns
 * KP_OK, KP_AGAIN (in progress, need WRITE) or KP_ERR with errno set. */
static inline kp_result sockio_start_connect(sockio_conn *s, const struct sockaddr *sa,
                                             socklen_t salen, kp_io *io) {
    int rc;
    do rc = connect(s->fd, sa, salen);
    while (rc == -1 && errno == EINTR);
    if (rc == 0) return KP_OK;
    if (errno == EINPROGRESS) {
        s->connecting = 1;
        io->need = KP_NEED_WRITE;
        return KP_AGAIN;
    }
    return KP_ERR;
}

#endif
