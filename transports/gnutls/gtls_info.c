/* What the host shows about contexts (INFO tls) and connections (CLIENT
 * LIST), and the verified peer identity (tls-auth-clients-user). Field
 * names and value formats are the OpenSSL transport's, so that tools and
 * tests read both alike. */
#include <stdio.h>
#include <string.h>

#include "gtls.h"

void gtls_ctx_info(void *ctx, kp_info_emit emit, void *sink) {
    gtls_ctx *x = ctx;
    char buf[128];
    snprintf(buf, sizeof(buf), "GnuTLS %s", gnutls_check_version(NULL));
    emit(sink, "library", buf);
    emit(sink, "role", x->role == KP_ROLE_SERVER ? "server" : "client");
    tlsc_protocols_format(x->prio.protocols, buf, sizeof(buf));
    emit(sink, "protocols", buf);
    if (x->role == KP_ROLE_SERVER) emit(sink, "auth_clients", tlsc_auth_name(x->auth_clients));
    if (x->cert_subject) {
        emit(sink, "cert_file", x->cert_file);
        emit(sink, "cert_subject", x->cert_subject);
        emit(sink, "cert_serial", x->cert_serial ? x->cert_serial : "");
        tlsc_format_utc(x->cert_not_after, buf, sizeof(buf));
        emit(sink, "cert_not_after", buf);
        tlsc_emit_ll(emit, sink, "cert_expires_in_seconds",
                     (long long)x->cert_not_after - (long long)time(NULL));
    }
    tlsc_stats_emit(&x->stats, emit, sink);
    if (x->prio.text) emit(sink, "gnutls_priority", x->prio.text);
}

const char *gtls_version_name(gnutls_protocol_t v) {
    switch (v) {
    case GNUTLS_TLS1_0: return "TLSv1";
    case GNUTLS_TLS1_1: return "TLSv1.1";
    case GNUTLS_TLS1_2: return "TLSv1.2";
    case GNUTLS_TLS1_3: return "TLSv1.3";
    default: return gnutls_protocol_get_name(v);
    }
}

/* The peer certificate, only once the handshake verified it; deinit it. */
static gnutls_x509_crt_t verified_peer(gtls_conn *conn) {
    if (conn->state != GTLS_ST_READY || !conn->session || !conn->verified) return NULL;
    unsigned n = 0;
    const gnutls_datum_t *der = gnutls_certificate_get_peers(conn->session, &n);
    if (!der || n == 0) return NULL;
    gnutls_x509_crt_t crt;
    if (gnutls_x509_crt_init(&crt) < 0) return NULL;
    if (gnutls_x509_crt_import(crt, &der[0], GNUTLS_X509_FMT_DER) < 0) {
        gnutls_x509_crt_deinit(crt);
        return NULL;
    }
    return crt;
}

void gtls_conn_info(void *priv, kp_info_emit emit, void *sink) {
    gtls_conn *conn = priv;
    if (conn->state != GTLS_ST_READY || !conn->session) return;
    emit(sink, "tls-version", gtls_version_name(gnutls_protocol_get_version(conn->session)));
    emit(sink, "tls-cipher", gtls_session_suite_name(conn->session));
    emit(sink, "tls-session-reused", gnutls_session_is_resumed(conn->session) ? "yes" : "no");
    gnutls_x509_crt_t peer = verified_peer(conn);
    if (peer) {
        char *subject = gtls_crt_subject(peer);
        if (subject) emit(sink, "tls-peer-subject", subject);
        tlsc_free(subject);
        gnutls_x509_crt_deinit(peer);
    }
}

/* Copies s (UTF-8, length n) to out, refusing empty values, control
 * characters and values that do not fit: a user name must be exact. */
static int copy_name(const unsigned char *s, size_t n, char *out, size_t outlen) {
    if (n == 0 || n >= outlen) return -1;
    for (size_t i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] == 0x7f) return -1;
    memcpy(out, s, n);
    out[n] = '\0';
    return 0;
}

/* The last CN of the subject, as the OpenSSL transport picks it. */
static int subject_cn(gnutls_x509_crt_t peer, char *out, size_t outlen) {
    int last = -1;
    char probe[1];
    for (int i = 0;; i++) {
        size_t size = sizeof(probe);
        int rc = gnutls_x509_crt_get_dn_by_oid(peer, GNUTLS_OID_X520_COMMON_NAME, (unsigned)i, 0,
                                               probe, &size);
        if (rc != 0 && rc != GNUTLS_E_SHORT_MEMORY_BUFFER) break;
        last = i;
    }
    if (last < 0) return -1;
    char value[1024];
    size_t size = sizeof(value);
    if (gnutls_x509_crt_get_dn_by_oid(peer, GNUTLS_OID_X520_COMMON_NAME, (unsigned)last, 0, value,
                                      &size) != 0)
        return -1;
    return copy_name((unsigned char *)value, strnlen(value, size), out, outlen);
}

static int san_uri(gnutls_x509_crt_t peer, char *out, size_t outlen) {
    for (unsigned i = 0;; i++) {
        char value[1024];
        size_t size = sizeof(value);
        int type = gnutls_x509_crt_get_subject_alt_name(peer, i, value, &size, NULL);
        if (type == GNUTLS_E_SHORT_MEMORY_BUFFER) continue;
        if (type < 0) return -1;
        if (type == GNUTLS_SAN_URI) return copy_name((unsigned char *)value, size, out, outlen);
    }
}

int gtls_peer_identity(void *priv, const char *field, char *out, size_t outlen) {
    if (!field || !out || !outlen) return -1;
    gnutls_x509_crt_t peer = verified_peer(priv);
    if (!peer) return -1;
    int rc = -1;
    if (!strcmp(field, "CN")) {
        rc = subject_cn(peer, out, outlen);
    } else if (!strcmp(field, "URI")) {
        rc = san_uri(peer, out, outlen);
    } else if (!strcmp(field, "SUBJECT")) {
        char *subject = gtls_crt_subject(peer);
        if (subject) rc = copy_name((unsigned char *)subject, strlen(subject), out, outlen);
        tlsc_free(subject);
    }
    gnutls_x509_crt_deinit(peer);
    return rc;
}

const char *gtls_last_error(void *priv) {
    gtls_conn *conn = priv;
    return conn->error ? conn->error : "TLS error";
}
