/* Peer certificate verification, run by GnuTLS inside the handshake once
 * the peer's Certificate message arrived. A certificate that does not
 * verify ends the handshake, as with OpenSSL's SSL_VERIFY_PEER: on a
 * server with tls-auth-clients yes or optional, and always on a client.
 * Like OpenSSL, the certificate's extended key usage must allow its role
 * (TLS client certificate on a server, TLS server certificate on a client),
 * and a client checks the server against the name it connected to. */
#include <string.h>

#include "gtls.h"

static void verify_error(gtls_conn *conn, unsigned status) {
    gnutls_datum_t text = {NULL, 0};
    if (gnutls_certificate_verification_status_print(status, GNUTLS_CRT_X509, &text, 0) == 0) {
        int n = (int)text.size;
        while (n > 0 && (text.data[n - 1] == ' ' || text.data[n - 1] == '\0')) n--;
        gtls_conn_set_error(conn, "TLS handshake: certificate verify failed: %.*s", n,
                            (const char *)text.data);
        gnutls_free(text.data);
    } else {
        gtls_conn_set_error(conn, "TLS handshake: certificate verify failed (status 0x%x)", status);
    }
}

int gtls_verify_peer(gnutls_session_t s) {
    gtls_conn *conn = gnutls_session_get_ptr(s);
    if (!conn) return GNUTLS_E_CERTIFICATE_ERROR;
    if (conn->role == KP_ROLE_SERVER && conn->ctx->auth_clients == TLSC_AUTH_NO) return 0;
    if (conn->role == KP_ROLE_CLIENT && !conn->ctx->verify_peer) return 0; /* testing only */
    gnutls_typed_vdata_st data[2];
    unsigned n = 0;
    if (conn->role == KP_ROLE_CLIENT) {
        data[n++] = (gnutls_typed_vdata_st){GNUTLS_DT_KEY_PURPOSE_OID,
                                            (unsigned char *)GNUTLS_KP_TLS_WWW_SERVER, 0};
        if (conn->peer_name)
            data[n++] = (gnutls_typed_vdata_st){GNUTLS_DT_DNS_HOSTNAME,
                                                (unsigned char *)conn->peer_name, 0};
    } else {
        data[n++] = (gnutls_typed_vdata_st){GNUTLS_DT_KEY_PURPOSE_OID,
                                            (unsigned char *)GNUTLS_KP_TLS_WWW_CLIENT, 0};
    }
    unsigned status = 0;
    int rc = gnutls_certificate_verify_peers(s, data, n, &status);
    if (rc == GNUTLS_E_NO_CERTIFICATE_FOUND && conn->role == KP_ROLE_SERVER &&
        conn->ctx->auth_clients == TLSC_AUTH_OPTIONAL)
        return 0; /* optional: none presented */
    if (rc < 0) {
        gtls_conn_set_error(conn, "TLS handshake: certificate verify failed: %s",
                            rc == GNUTLS_E_NO_CERTIFICATE_FOUND
                                ? "peer did not return a certificate"
                                : gnutls_strerror(rc));
        conn->verify_failed = 1;
        return GNUTLS_E_CERTIFICATE_ERROR;
    }
    if (status != 0) {
        verify_error(conn, status);
        conn->verify_failed = 1;
        return GNUTLS_E_CERTIFICATE_VERIFICATION_ERROR;
    }
    conn->verified = 1;
    return 0;
}
