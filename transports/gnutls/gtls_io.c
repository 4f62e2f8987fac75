/* Per-connection state machine: conn_init, handshake, read, write,
 * writev, has_pending, close. All non-blocking: a GnuTLS call that cannot
 * progress (GNUTLS_E_AGAIN, GNUTLS_E_INTERRUPTED) returns KP_AGAIN with
 * io->need from what the raw layer waits for, else from
 * gnutls_record_get_direction(). Renegotiation is refused with a
 * no_renegotiation alert. Owning thread of the connection only. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gtls.h"

static int is_ip_literal(const char *name) {
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

static int is_retry(ssize_t rc) {
    return rc == GNUTLS_E_AGAIN || rc == GNUTLS_E_INTERRUPTED;
}

static uint32_t need_of(gtls_conn *conn) {
    if (conn->raw_need) return conn->raw_need;
    return gnutls_record_get_direction(conn->session) ? KP_NEED_WRITE : KP_NEED_READ;
}

void gtls_conn_set_error(gtls_conn *conn, const char *fmt, ...) {
    if (!conn->error) conn->error = tlsc_alloc(GTLS_ERROR_MAX);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(conn->error, GTLS_ERROR_MAX, fmt, ap);
    va_end(ap);
}

/* Records why a GnuTLS call (doing op) failed with rc. */
static void conn_error(gtls_conn *conn, const char *op, int rc) {
    if (conn->raw_err)
        gtls_conn_set_error(conn, "%s: I/O error on the underlying connection", op);
    else if (conn->raw_eof)
        gtls_conn_set_error(conn, "%s: connection closed by peer", op);
    else if (rc == GNUTLS_E_FATAL_ALERT_RECEIVED)
        gtls_conn_set_error(conn, "%s: peer sent alert: %s", op,
                            gnutls_alert_get_name(gnutls_alert_get(conn->session)));
    else
        gtls_conn_set_error(conn, "%s: %s", op, gnutls_strerror(rc));
}

/* Server: once the ClientHello fixed the version, the priority of that
 * version (see gtls_prio.c). */
static int choose_priority(gnutls_session_t s) {
    gtls_conn *conn = gnutls_session_get_ptr(s);
    const gtls_prio *p = &conn->ctx->prio;
    gnutls_priority_t want = gnutls_protocol_get_version(s) == GNUTLS_TLS1_3 ? p->tls13 : p->tls12;
    if (want && gnutls_priority_set(s, want) < 0) return GNUTLS_E_INTERNAL_ERROR;
    return 0;
}

static int setup_server(gtls_conn *conn, gtls_ctx *x) {
    gnutls_session_t s = conn->session;
    gnutls_certificate_request_t req = GNUTLS_CERT_IGNORE;
    switch (x->auth_clients) {
    case TLSC_AUTH_NO: req = GNUTLS_CERT_IGNORE; break;
    case TLSC_AUTH_YES: req = GNUTLS_CERT_REQUIRE; break;
    case TLSC_AUTH_OPTIONAL: req = GNUTLS_CERT_REQUEST; break;
    }
    gnutls_certificate_server_set_request(s, req);
    /* Like the OpenSSL transport, no CA name list in CertificateRequest. */
    gnutls_certificate_send_x509_rdn_sequence(s, 1);
    if (x->prio.tls12 || x->prio.tls13)
        gnutls_handshake_set_post_client_hello_function(s, choose_priority);
    if (x->cache) {
        gtls_cache_attach(x->cache, s);
        gnutls_db_set_cache_expiration(s, (int)x->session_timeout);
        if (gnutls_session_ticket_enable_server(s, &x->ticket_key) < 0) return -1;
    }
    conn->sniff = 1;
    return 0;
}

static int setup_client(gtls_conn *conn, const char *peer, char *err, size_t errlen) {
    if (!peer || !*peer) return 0;
    conn->peer_name = tlsc_strdup(peer);
    if (!is_ip_literal(peer) &&
        gnutls_server_name_set(conn->session, GNUTLS_NAME_DNS, peer, strlen(peer)) < 0)
        return tlsc_errf(err, errlen, "cannot set peer name '%s'", peer);
    return 0;
}

int gtls_conn_init(void *ctx, kp_conn *c, void *priv, kp_role role, const char *peer_name,
                   char *err, size_t errlen) {
    gtls_conn *conn = priv;
    gtls_ctx *x = ctx;
    if (!x) return tlsc_errf(err, errlen, "no TLS context (tls-* configuration missing)");
    if (x->role != role)
        return tlsc_errf(err, errlen, "TLS context built for the %s role used for a %s connection",
                         x->role == KP_ROLE_SERVER ? "server" : "client",
                         role == KP_ROLE_SERVER ? "server" : "client");
    conn->kc = c;
    conn->role = (uint8_t)role;
    unsigned flags = (role == KP_ROLE_SERVER ? GNUTLS_SERVER : GNUTLS_CLIENT) | GNUTLS_NONBLOCK |
                     GNUTLS_NO_SIGNAL;
    if (role == KP_ROLE_CLIENT ? !x->sessions : !x->cache) flags |= GNUTLS_NO_TICKETS;
    if (gnutls_init(&conn->session, flags) < 0) {
        conn->session = NULL;
        return tlsc_errf(err, errlen, "out of memory creating a TLS connection");
    }
    tlsc_ref(&x->refs);
    conn->ctx = x;
    gnutls_session_set_ptr(conn->session, conn);
    gtls_raw_attach(conn);
    gnutls_handshake_set_timeout(conn->session, 0); /* the host enforces its own */
    int rc = gnutls_priority_set(conn->session, x->prio.main);
    if (rc >= 0) rc = gnutls_credentials_set(conn->session, GNUTLS_CRD_CERTIFICATE, x->cred);
    if (rc < 0)
        return tlsc_errf(err, errlen, "cannot set up a TLS connection: %s", gnutls_strerror(rc));
    if (role == KP_ROLE_SERVER) {
        if (setup_server(conn, x)) return tlsc_errf(err, errlen, "cannot enable session tickets");
    } else if (setup_client(conn, peer_name, err, errlen)) {
        return -1;
    } else if (x->sessions) {
        gtls_resume_setup(conn);
    }
    conn->state = GTLS_ST_HANDSHAKE;
    return 0;
}

/* Final outcome of a failed GnuTLS call: EOF for a peer that went away
 * (with or without close_notify), ERR otherwise. */
static kp_result fail(gtls_conn *conn, const char *op, ssize_t rc) {
    if (rc == 0 || ((rc == GNUTLS_E_PREMATURE_TERMINATION || conn->raw_eof) && !conn->raw_err)) {
        gtls_conn_set_error(conn, "connection closed by peer");
        conn->state = GTLS_ST_EOF;
        return KP_EOF;
    }
    conn_error(conn, op, (int)rc);
    conn->state = GTLS_ST_FAILED;
    return KP_ERR;
}

static void handshake_failed(gtls_conn *conn, int rc) {
    if (conn->plaintext) {
        tlsc_reject_plaintext(conn->kc);
        gtls_conn_set_error(conn, "plaintext client on a TLS port (sent -ERR asking for TLS)");
    } else {
        if (!conn->verify_failed) conn_error(conn, "TLS handshake", rc);
        if (conn->role == KP_ROLE_CLIENT && !conn->ctx->has_ca && conn->verify_failed)
            tlsc_err_append(conn->error, GTLS_ERROR_MAX,
                            "no tls-ca-cert-file or tls-ca-cert-dir is configured to verify "
                            "servers");
        /* Tell the peer why, as OpenSSL does; best effort. */
        if (!conn->raw_err && !conn->raw_eof && rc != GNUTLS_E_FATAL_ALERT_RECEIVED)
            (void)gnutls_alert_send_appropriate(conn->session, rc);
    }
    tlsc_stats_handshake(&conn->ctx->stats, 0, 0);
}

static kp_result state_result(gtls_conn *conn) {
    switch ((gtls_state)conn->state) {
    case GTLS_ST_READY: return KP_OK;
    case GTLS_ST_EOF: return KP_EOF;
    case GTLS_ST_NEW:
        if (!conn->error) gtls_conn_set_error(conn, "TLS connection not initialised");
        return KP_ERR;
    case GTLS_ST_HANDSHAKE: gtls_conn_set_error(conn, "TLS handshake not complete"); return KP_ERR;
    case GTLS_ST_FAILED: return KP_ERR;
    }
    return KP_ERR;
}

static kp_result take_deferred(gtls_conn *conn) {
    kp_result r = (kp_result)conn->deferred;
    conn->deferred = 0;
    return r;
}

kp_result gtls_handshake(kp_conn *c, void *priv, kp_io *io) {
    gtls_conn *conn = priv;
    if (conn->state != GTLS_ST_HANDSHAKE) return state_result(conn);
    conn->kc = c;
    int rc;
    /* Warning alerts are not fatal: carry on past a few of them. */
    for (int warnings = 0;; warnings++) {
        conn->raw_need = 0;
        rc = gnutls_handshake(conn->session);
        if (rc == 0 || is_retry(rc) || gnutls_error_is_fatal(rc) || warnings >= 8) break;
    }
    if (rc == 0) {
        if (conn->role == KP_ROLE_CLIENT && !gtls_prio_allows(&conn->ctx->prio, conn->session)) {
            gtls_conn_set_error(conn,
                                "TLS handshake: the server chose %s, which tls-ciphers or "
                                "tls-ciphersuites exclude",
                                gtls_session_suite_name(conn->session));
            (void)gnutls_alert_send(conn->session, GNUTLS_AL_FATAL, GNUTLS_A_HANDSHAKE_FAILURE);
            tlsc_stats_handshake(&conn->ctx->stats, 0, 0);
            conn->state = GTLS_ST_FAILED;
            return KP_ERR;
        }
        conn->state = GTLS_ST_READY;
        if (conn->role == KP_ROLE_CLIENT && conn->ctx->sessions) gtls_resume_handshake_done(conn);
        tlsc_stats_handshake(&conn->ctx->stats, 1, gnutls_session_is_resumed(conn->session));
        return KP_OK;
    }
    if (is_retry(rc) && !conn->plaintext) {
        io->need = need_of(conn);
        return KP_AGAIN;
    }
    handshake_failed(conn, rc);
    conn->state = GTLS_ST_FAILED;
    return conn->raw_eof && !conn->raw_err && !conn->plaintext ? KP_EOF : KP_ERR;
}

/* Sends (or finishes sending) the no_renegotiation warning. */
static kp_result refuse_renegotiation(gtls_conn *conn, kp_io *io) {
    conn->raw_need = 0;
    int rc = gnutls_alert_send(conn->session, GNUTLS_AL_WARNING, GNUTLS_A_NO_RENEGOTIATION);
    if (rc == 0) {
        conn->alert = 0;
        return KP_OK;
    }
    if (is_retry(rc)) {
        conn->alert = 1;
        io->need = need_of(conn);
        return KP_AGAIN;
    }
    conn->alert = 0;
    return fail(conn, "TLS renegotiation refusal", rc);
}

/* Common entry of read/write/writev: KP_OK when the op may proceed. A
 * pending alert goes out first, but never while GnuTLS still holds an
 * application record: sending then would flush that record and report it
 * as the alert. */
static kp_result enter(gtls_conn *conn, kp_conn *c, kp_io *io) {
    if (conn->deferred) return take_deferred(conn);
    if (conn->state != GTLS_ST_READY) return state_result(conn);
    conn->kc = c;
    if (conn->alert && !conn->wpending) return refuse_renegotiation(conn, io);
    return KP_OK;
}

static int more_buffered(gtls_conn *conn) {
    return gnutls_record_check_pending(conn->session) > 0 || gtls_raw_has_record(conn);
}

kp_result gtls_read(kp_conn *c, void *priv, void *buf, size_t len, kp_io *io) {
    gtls_conn *conn = priv;
    kp_result r = enter(conn, c, io);
    if (r != KP_OK) return r;
    size_t got = 0;
    for (;;) {
        conn->raw_need = 0;
        ssize_t n = gnutls_record_recv(conn->session, (char *)buf + got, len - got);
        if (n > 0) {
            got += (size_t)n;
            /* Hand over every whole record already here while there is room. */
            if (got < len && more_buffered(conn)) continue;
            break;
        }
        if (is_retry(n)) {
            if (got) break;
            /* A record that carried no application data (a TLS 1.3 session
             * ticket) ends in a retry while whole records may still wait in
             * the read-ahead buffer: no socket event would announce them. */
            if (more_buffered(conn)) continue;
            io->need = need_of(conn);
            return KP_AGAIN;
        }
        if (n == GNUTLS_E_REHANDSHAKE) {
            if (conn->wpending) {
                conn->alert = 1; /* after the pending record (see enter) */
                continue;
            }
            r = refuse_renegotiation(conn, io);
            if (r == KP_OK) continue;
            if (r == KP_AGAIN && got) break;
            if (r != KP_AGAIN && got) {
                conn->deferred = (uint8_t)r;
                break;
            }
            return r;
        }
        if (n < 0 && !gnutls_error_is_fatal((int)n)) continue; /* warning alert */
        r = fail(conn, "TLS read", n);
        if (!got) return r;
        conn->deferred = (uint8_t)r; /* after the data */
        break;
    }
    io->done = got;
    return KP_OK;
}

/* Writes len bytes from buf as records. A record GnuTLS had to queue
 * (GNUTLS_E_AGAIN) is not counted: the caller presents the same bytes
 * again and GnuTLS finishes sending that record. */
static kp_result write_records(gtls_conn *conn, const char *buf, size_t len, size_t *done,
                               kp_io *io) {
    *done = 0;
    while (*done < len) {
        conn->raw_need = 0;
        ssize_t n = gnutls_record_send(conn->session, buf + *done, len - *done);
        if (n > 0) {
            conn->wpending = 0;
            *done += (size_t)n;
            continue;
        }
        if (is_retry(n)) {
            conn->wpending = 1;
            if (*done) return KP_OK;
            io->need = need_of(conn);
            return KP_AGAIN;
        }
        kp_result r = fail(conn, "TLS write", n);
        if (!*done) return r;
        conn->deferred = (uint8_t)r; /* reported by the next op */
        return KP_OK;
    }
    return KP_OK;
}

kp_result gtls_write(kp_conn *c, void *priv, const void *buf, size_t len, kp_io *io) {
    gtls_conn *conn = priv;
    kp_result r = enter(conn, c, io);
    if (r != KP_OK) return r;
    size_t done;
    r = write_records(conn, buf, len, &done, io);
    if (r == KP_OK) io->done = done;
    return r;
}

static kp_result writev_records(void *conn, const char *p, size_t len, size_t *done, kp_io *io) {
    return write_records(conn, p, len, done, io);
}

kp_result gtls_writev(kp_conn *c, void *priv, const struct iovec *iov, int iovcnt, kp_io *io) {
    gtls_conn *conn = priv;
    kp_result r = enter(conn, c, io);
    if (r != KP_OK) return r;
    return tlsc_writev(conn, writev_records, iov, iovcnt, io, &conn->deferred);
}

int gtls_has_pending(kp_conn *c, void *priv) {
    gtls_conn *conn = priv;
    if (conn->deferred) return 1;
    if (conn->state != GTLS_ST_READY) return 0;
    return more_buffered(conn);
}

void gtls_close(kp_conn *c, void *priv) {
    gtls_conn *conn = priv;
    conn->kc = c;
    if (conn->session) {
        if (conn->state == GTLS_ST_READY && !conn->raw_err && !conn->raw_eof)
            (void)gnutls_bye(conn->session, GNUTLS_SHUT_WR); /* best effort close_notify */
        gnutls_deinit(conn->session);
        conn->session = NULL;
    }
    gtls_ctx_unref(conn->ctx);
    conn->ctx = NULL;
    gtls_raw_release(conn);
    tlsc_free(conn->peer_name);
    conn->peer_name = NULL;
    tlsc_free(conn->error);
    conn->error = NULL;
    conn->state = GTLS_ST_FAILED;
}
