/* Per-connection state machine: conn_init, handshake, read, write,
 * writev, has_pending, close. All non-blocking: every SSL call that cannot
 * progress returns KP_AGAIN with io->need set from what the raw layer (or
 * OpenSSL) waits for. Owning thread of the connection only. */
#include <arpa/inet.h>
#include <string.h>

#include <openssl/x509v3.h>

#include "ossl.h"

static int is_ip_literal(const char *name) {
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, name, buf) == 1 || inet_pton(AF_INET6, name, buf) == 1;
}

/* SNI for names, and (verify non-zero) the name or address the peer
 * certificate must match. */
static int set_peer_name(SSL *ssl, const char *peer, int verify, char *err, size_t errlen) {
    if (!peer || !*peer) return 0;
    if (is_ip_literal(peer)) {
        if (verify && !X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), peer))
            return tlsc_errf(err, errlen, "cannot verify peer address '%s'", peer);
        return 0;
    }
    if (!SSL_set_tlsext_host_name(ssl, peer) || (verify && !SSL_set1_host(ssl, peer)))
        return tlsc_errf(err, errlen, "cannot set peer name '%s'", peer);
    return 0;
}

/* Client with a session cache: remembers the cache key and offers the
 * session last stored for it. */
static void offer_session(ossl_conn *conn, const char *peer) {
    conn->peer_name = tlsc_strdup(peer ? peer : "");
    SSL_SESSION *sess = tlsc_session_cache_get(conn->ctx->sessions, conn->peer_name);
    if (!sess) return;
    if (!SSL_set_session(conn->ssl, sess)) ERR_clear_error(); /* a full handshake then */
    SSL_SESSION_free(sess);
}

int ossl_conn_init(void *ctx, kp_conn *c, void *priv, kp_role role, const char *peer_name,
                   char *err, size_t errlen) {
    ossl_conn *conn = priv;
    ossl_ctx *x = ctx;
    if (!x) return tlsc_errf(err, errlen, "no TLS context (tls-* configuration missing)");
    if (x->role != role)
        return tlsc_errf(err, errlen, "TLS context built for the %s role used for a %s connection",
                         x->role == KP_ROLE_SERVER ? "server" : "client",
                         role == KP_ROLE_SERVER ? "server" : "client");
    conn->kc = c;
    conn->role = (uint8_t)role;
    SSL *ssl = SSL_new(x->ssl_ctx);
    BIO *bio = ssl ? ossl_bio_new(conn) : NULL;
    if (!bio) {
        SSL_free(ssl);
        ERR_clear_error();
        return tlsc_errf(err, errlen, "out of memory creating a TLS connection");
    }
    SSL_set_bio(ssl, bio, bio);
    SSL_set_app_data(ssl, conn);
    conn->ssl = ssl;
    tlsc_ref(&x->refs);
    conn->ctx = x;
    if (role == KP_ROLE_SERVER) {
        SSL_set_accept_state(ssl);
        conn->sniff = 1;
    } else {
        SSL_set_connect_state(ssl);
        if (set_peer_name(ssl, peer_name, x->verify_peer, err, errlen)) {
            ERR_clear_error();
            return -1;
        }
        if (x->sessions) offer_session(conn, peer_name);
    }
    conn->state = OSSL_ST_HANDSHAKE;
    return 0;
}

/* The readiness a retryable SSL_get_error code waits for: what the raw
 * layer last asked for, else OpenSSL's own view. */
static uint32_t need_of(ossl_conn *conn, int ssl_err) {
    if (conn->raw_need) return conn->raw_need;
    return ssl_err == SSL_ERROR_WANT_WRITE ? KP_NEED_WRITE : KP_NEED_READ;
}

static int is_retry(int ssl_err) {
    return ssl_err == SSL_ERROR_WANT_READ || ssl_err == SSL_ERROR_WANT_WRITE;
}

/* Final outcome of a failed SSL call: EOF for a peer that went away (with
 * or without close_notify), ERR otherwise. Sets state and last error. */
static kp_result fail(ossl_conn *conn, const char *op, int ssl_err) {
    if (ssl_err == SSL_ERROR_ZERO_RETURN ||
        (conn->raw_eof && !conn->raw_err && conn->state == OSSL_ST_READY)) {
        ERR_clear_error();
        ossl_conn_set_error(conn, "connection closed by peer");
        conn->state = OSSL_ST_EOF;
        return KP_EOF;
    }
    ossl_conn_error(conn, op, ssl_err);
    conn->state = OSSL_ST_FAILED;
    return conn->raw_eof && !conn->raw_err ? KP_EOF : KP_ERR;
}

static void handshake_failed(ossl_conn *conn, int ssl_err) {
    if (conn->plaintext) {
        ERR_clear_error();
        tlsc_reject_plaintext(conn->kc);
        ossl_conn_set_error(conn, "plaintext client on a TLS port (sent -ERR asking for TLS)");
    } else {
        ossl_conn_error(conn, "TLS handshake", ssl_err);
        if (conn->role == KP_ROLE_CLIENT && !conn->ctx->has_ca && conn->ctx->verify_peer &&
            SSL_get_verify_result(conn->ssl) != X509_V_OK)
            tlsc_err_append(conn->error, OSSL_ERROR_MAX,
                            "no tls-ca-cert-file or tls-ca-cert-dir is configured to verify "
                            "servers");
    }
    tlsc_stats_handshake(&conn->ctx->stats, 0, 0);
}

/* A result that a previous op saw but could not report (an error found
 * after some data had already been moved). */
static kp_result take_deferred(ossl_conn *conn) {
    kp_result r = (kp_result)conn->deferred;
    conn->deferred = 0;
    return r;
}

static kp_result state_result(ossl_conn *conn) {
    switch ((ossl_state)conn->state) {
    case OSSL_ST_READY: return KP_OK;
    case OSSL_ST_EOF: return KP_EOF;
    case OSSL_ST_NEW:
        if (!conn->error) ossl_conn_set_error(conn, "TLS connection not initialised");
        return KP_ERR;
    case OSSL_ST_HANDSHAKE: ossl_conn_set_error(conn, "TLS handshake not complete"); return KP_ERR;
    case OSSL_ST_FAILED: return KP_ERR;
    }
    return KP_ERR;
}

kp_result ossl_handshake(kp_conn *c, void *priv, kp_io *io) {
    ossl_conn *conn = priv;
    if (conn->state != OSSL_ST_HANDSHAKE) return state_result(conn);
    conn->kc = c;
    conn->raw_need = 0;
    int r = SSL_do_handshake(conn->ssl);
    if (r == 1) {
        conn->state = OSSL_ST_READY;
        tlsc_stats_handshake(&conn->ctx->stats, 1, SSL_session_reused(conn->ssl));
        return KP_OK;
    }
    int e = SSL_get_error(conn->ssl, r);
    if (is_retry(e) && !conn->plaintext) {
        io->need = need_of(conn, e);
        return KP_AGAIN;
    }
    handshake_failed(conn, e);
    conn->state = OSSL_ST_FAILED;
    return conn->raw_eof && !conn->raw_err && !conn->plaintext ? KP_EOF : KP_ERR;
}

kp_result ossl_read(kp_conn *c, void *priv, void *buf, size_t len, kp_io *io) {
    ossl_conn *conn = priv;
    if (conn->deferred) return take_deferred(conn);
    if (conn->state != OSSL_ST_READY) return state_result(conn);
    conn->kc = c;
    conn->raw_need = 0;
    size_t got = 0, n;
    if (!SSL_read_ex(conn->ssl, buf, len, &n)) {
        int e = SSL_get_error(conn->ssl, 0);
        if (is_retry(e)) {
            if (e == SSL_ERROR_WANT_READ) conn->starved = 1;
            io->need = need_of(conn, e);
            return KP_AGAIN;
        }
        return fail(conn, "TLS read", e);
    }
    got = n;
    /* read_ahead may have buffered further whole records: hand them over in
     * the same call while the caller has room. */
    while (got < len && !conn->starved && SSL_has_pending(conn->ssl)) {
        conn->raw_need = 0;
        if (SSL_read_ex(conn->ssl, (char *)buf + got, len - got, &n)) {
            got += n;
            continue;
        }
        int e = SSL_get_error(conn->ssl, 0);
        if (is_retry(e)) {
            if (e == SSL_ERROR_WANT_READ) conn->starved = 1;
            break;
        }
        conn->deferred = (uint8_t)fail(conn, "TLS read", e); /* after the data */
        break;
    }
    io->done = got;
    return KP_OK;
}

/* Writes len bytes from buf as records (one record per SSL_write_ex with
 * partial writes enabled). KP_OK with the bytes fully written; a record
 * still queued inside OpenSSL is not counted, so the caller presents the
 * same bytes again (SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER lets them move). */
static kp_result write_records(ossl_conn *conn, const char *buf, size_t len, size_t *done,
                               kp_io *io) {
    size_t n;
    *done = 0;
    while (*done < len) {
        conn->raw_need = 0;
        if (SSL_write_ex(conn->ssl, buf + *done, len - *done, &n)) {
            *done += n;
            continue;
        }
        int e = SSL_get_error(conn->ssl, 0);
        if (is_retry(e)) {
            if (*done) return KP_OK;
            io->need = need_of(conn, e);
            return KP_AGAIN;
        }
        kp_result r = fail(conn, "TLS write", e);
        if (!*done) return r;
        conn->deferred = (uint8_t)r; /* reported by the next op */
        return KP_OK;
    }
    return KP_OK;
}

kp_result ossl_write(kp_conn *c, void *priv, const void *buf, size_t len, kp_io *io) {
    ossl_conn *conn = priv;
    if (conn->deferred) return take_deferred(conn);
    if (conn->state != OSSL_ST_READY) return state_result(conn);
    conn->kc = c;
    size_t done;
    kp_result r = write_records(conn, buf, len, &done, io);
    if (r == KP_OK) io->done = done;
    return r;
}

static kp_result writev_records(void *conn, const char *p, size_t len, size_t *done, kp_io *io) {
    return write_records(conn, p, len, done, io);
}

kp_result ossl_writev(kp_conn *c, void *priv, const struct iovec *iov, int iovcnt, kp_io *io) {
    ossl_conn *conn = priv;
    if (conn->deferred) return take_deferred(conn);
    if (conn->state != OSSL_ST_READY) return state_result(conn);
    conn->kc = c;
    return tlsc_writev(conn, writev_records, iov, iovcnt, io, &conn->deferred);
}

int ossl_has_pending(kp_conn *c, void *priv) {
    ossl_conn *conn = priv;
    if (conn->state != OSSL_ST_READY || conn->deferred) return conn->deferred != 0;
    /* SSL_pending: decrypted bytes of the current record. SSL_has_pending
     * also counts raw bytes read ahead; those are only worth a read() if
     * the last read did not already find them to be an incomplete record. */
    return SSL_pending(conn->ssl) > 0 || (!conn->starved && SSL_has_pending(conn->ssl));
}

void ossl_close(kp_conn *c, void *priv) {
    ossl_conn *conn = priv;
    conn->kc = c;
    if (conn->ssl) {
        if (conn->state == OSSL_ST_READY && !conn->raw_err && !conn->raw_eof) {
            /* Best effort close_notify; the outcome does not matter. */
            if (SSL_shutdown(conn->ssl) < 0) ERR_clear_error();
        }
        SSL_free(conn->ssl);
        conn->ssl = NULL;
    }
    ossl_ctx_unref(conn->ctx);
    conn->ctx = NULL;
    tlsc_free(conn->error);
    conn->error = NULL;
    tlsc_free(conn->peer_name);
    conn->peer_name = NULL;
    conn->state = OSSL_ST_FAILED;
}
