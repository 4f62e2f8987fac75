/* Turning OpenSSL's thread-local error queue into text. The queue is
 * emptied on every failure path, so the next SSL call on this thread never
 * misreads a stale entry (and the hot path never needs ERR_clear_error). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/x509.h>

#include "ossl.h"

void ossl_err_drain(char *buf, size_t len) {
    size_t used = 0;
    const char *data;
    int flags;
    unsigned long e;
    if (len) buf[0] = '\0';
    while ((e = ERR_get_error_all(NULL, NULL, NULL, &data, &flags)) != 0) {
        if (used + 4 >= len) continue; /* keep draining */
        const char *reason = ERR_reason_error_string(e);
        char code[32];
        if (!reason) {
            snprintf(code, sizeof(code), "error %lx", e);
            reason = code;
        }
        int has_data = (flags & ERR_TXT_STRING) && data && *data;
        int w = snprintf(buf + used, len - used, "%s%s%s%s%s", used ? "; " : "", reason,
                         has_data ? " (" : "", has_data ? data : "", has_data ? ")" : "");
        if (w > 0) used += (size_t)w < len - used ? (size_t)w : len - used - 1;
    }
}

static char *error_buf(ossl_conn *conn) {
    if (!conn->error) conn->error = tlsc_alloc(OSSL_ERROR_MAX);
    conn->error[0] = '\0';
    return conn->error;
}

void ossl_conn_set_error(ossl_conn *conn, const char *fmt, ...) {
    char *buf = error_buf(conn);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, OSSL_ERROR_MAX, fmt, ap);
    va_end(ap);
}

void ossl_conn_error(ossl_conn *conn, const char *op, int ssl_err) {
    char lib[OSSL_ERROR_MAX - 64];
    ossl_err_drain(lib, sizeof(lib));
    char *buf = error_buf(conn);
    if (conn->raw_err) {
        snprintf(buf, OSSL_ERROR_MAX, "%s: I/O error on the underlying connection", op);
    } else if (conn->raw_eof && !lib[0]) {
        snprintf(buf, OSSL_ERROR_MAX, "%s: connection closed by peer", op);
    } else if (conn->ssl && SSL_get_verify_result(conn->ssl) != X509_V_OK) {
        long v = SSL_get_verify_result(conn->ssl);
        snprintf(buf, OSSL_ERROR_MAX, "%s: certificate verify failed: %s", op,
                 X509_verify_cert_error_string(v));
    } else if (lib[0]) {
        snprintf(buf, OSSL_ERROR_MAX, "%s: %s", op, lib);
    } else {
        snprintf(buf, OSSL_ERROR_MAX, "%s: TLS error %d", op, ssl_err);
    }
}
