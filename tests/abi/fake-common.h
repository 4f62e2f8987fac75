/*
 * Shared by the deliberately broken transports of the ABI conformance
 * suite (tests/abi/fake-*.c). FAKE_STREAM_TRANSPORT(name) is a complete,
 * valid stream transport whose ops fail cleanly; each fake copies it and
 * breaks exactly one thing in its entry point, so every plugin is refused
 * for one reason only. None of these ops is ever meant to run.
 */
#ifndef KEYPORT_FAKE_COMMON_H
#define KEYPORT_FAKE_COMMON_H

#include <stdio.h>

#include "keyport/transport.h"

static inline int fake_listen(void *ctx, const char *addr, const char *service, int backlog,
                              int *fd, char *err, size_t errlen) {
    (void)ctx, (void)addr, (void)service, (void)backlog, (void)fd;
    snprintf(err, errlen, "fake transport cannot listen");
    return -1;
}

static inline kp_result fake_accept(void *ctx, int lfd, kp_conn *c, void *priv, char *err,
                                    size_t errlen) {
    (void)ctx, (void)lfd, (void)c, (void)priv;
    snprintf(err, errlen, "fake transport cannot accept");
    return KP_ERR;
}

static inline kp_result fake_connect(void *ctx, kp_conn *c, void *priv, const char *host,
                                     const char *service, kp_io *io) {
    (void)ctx, (void)c, (void)priv, (void)host, (void)service, (void)io;
    return KP_ERR;
}

static inline int fake_fd(void *priv) {
    (void)priv;
    return -1;
}

static inline kp_result fake_read(kp_conn *c, void *priv, void *buf, size_t len, kp_io *io) {
    (void)c, (void)priv, (void)buf, (void)len, (void)io;
    return KP_ERR;
}

static inline kp_result fake_write(kp_conn *c, void *priv, const void *buf, size_t len, kp_io *io) {
    (void)c, (void)priv, (void)buf, (void)len, (void)io;
    return KP_ERR;
}

static inline void fake_close(kp_conn *c, void *priv) {
    (void)c, (void)priv;
}

#define FAKE_STREAM_TRANSPORT(NAME)                                                                \
    {                                                                                              \
        .hdr = KP_TRANSPORT_HEADER, .fingerprint = KP_FINGERPRINT_INIT, .name = NAME,              \
        .version = "0.0.1", .description = "ABI conformance fake", .license = "BSD-3-Clause",      \
        .caps = KP_CAP_STREAM, .listen = fake_listen, .accept = fake_accept,                       \
        .connect = fake_connect, .fd = fake_fd, .read = fake_read, .write = fake_write,            \
        .close = fake_close,                                                                       \
    }

#endif
