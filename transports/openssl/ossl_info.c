/* What the host shows about contexts (INFO tls) and connections (CLIENT
 * LIST), and the verified peer identity (tls-auth-clients-user). */
#include <string.h>

#include <openssl/x509v3.h>

#include "ossl.h"

void ossl_ctx_info(void *ctx, kp_info_emit emit, void *sink) {
    ossl_ctx *x = ctx;
    char buf[128];
    emit(sink, "library", OpenSSL_version(OPENSSL_VERSION));
    emit(sink, "role", x->role == KP_ROLE_SERVER ? "server" : "client");
    tlsc_protocols_format(x->protocols, buf, sizeof(buf));
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
}

/* The peer certificate, only once the handshake verified it. */
static X509 *verified_peer(ossl_conn *conn) {
    if (conn->state != OSSL_ST_READY || !conn->ssl) return NULL;
    X509 *peer = SSL_get0_peer_certificate(conn->ssl);
    if (!peer || SSL_get_verify_result(conn->ssl) != X509_V_OK) return NULL;
    return peer;
}

void ossl_conn_info(void *priv, kp_info_emit emit, void *sink) {
    ossl_conn *conn = priv;
    if (conn->state != OSSL_ST_READY || !conn->ssl) return;
    emit(sink, "tls-version", SSL_get_version(conn->ssl));
    emit(sink, "tls-cipher", SSL_get_cipher_name(conn->ssl));
    emit(sink, "tls-session-reused", SSL_session_reused(conn->ssl) ? "yes" : "no");
    X509 *peer = verified_peer(conn);
    if (peer) {
        char *subject = ossl_name_oneline(X509_get_subject_name(peer));
        if (subject) emit(sink, "tls-peer-subject", subject);
        tlsc_free(subject);
    }
}

/* Copies s (UTF-8, length n) to out, refusing empty values, control
 * characters and values that do not fit: a user name must be exact. */
static int copy_name(const unsigned char *s, int n, char *out, size_t outlen) {
    if (n <= 0 || (size_t)n >= outlen) return -1;
    for (int i = 0; i < n; i++)
        if (s[i] < 0x20 || s[i] == 0x7f) return -1;
    memcpy(out, s, (size_t)n);
    out[n] = '\0';
    return 0;
}

static int subject_cn(X509 *peer, char *out, size_t outlen) {
    X509_NAME *name = X509_get_subject_name(peer);
    int idx = -1, last = -1;
    while ((idx = X509_NAME_get_index_by_NID(name, NID_commonName, idx)) >= 0) last = idx;
    if (last < 0) return -1;
    ASN1_STRING *data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, last));
    unsigned char *utf8 = NULL;
    int n = ASN1_STRING_to_UTF8(&utf8, data);
    int rc = n < 0 ? -1 : copy_name(utf8, n, out, outlen);
    OPENSSL_free(utf8);
    return rc;
}

static int san_uri(X509 *peer, char *out, size_t outlen) {
    GENERAL_NAMES *names = X509_get_ext_d2i(peer, NID_subject_alt_name, NULL, NULL);
    int rc = -1;
    for (int i = 0; names && i < sk_GENERAL_NAME_num(names); i++) {
        GENERAL_NAME *gn = sk_GENERAL_NAME_value(names, i);
        if (gn->type != GEN_URI) continue;
        ASN1_IA5STRING *uri = gn->d.uniformResourceIdentifier;
        rc = copy_name(ASN1_STRING_get0_data(uri), ASN1_STRING_length(uri), out, outlen);
        break;
    }
    GENERAL_NAMES_free(names);
    return rc;
}

int ossl_peer_identity(void *priv, const char *field, char *out, size_t outlen) {
    X509 *peer = verified_peer(priv);
    if (!peer || !field || !out || !outlen) return -1;
    if (!strcmp(field, "CN")) return subject_cn(peer, out, outlen);
    if (!strcmp(field, "URI")) return san_uri(peer, out, outlen);
    if (!strcmp(field, "SUBJECT")) {
        char *subject = ossl_name_oneline(X509_get_subject_name(peer));
        int rc =
            subject ? copy_name((unsigned char *)subject, (int)strlen(subject), out, outlen) : -1;
        tlsc_free(subject);
        return rc;
    }
    return -1;
}

const char *ossl_last_error(void *priv) {
    ossl_conn *conn = priv;
    return conn->error ? conn->error : "TLS error";
}
