/* Client-side session resumption. A client context with
 * tls-session-caching yes keeps, per peer name, the serialized data of
 * the latest resumable session (gnutls_session_get_data2) and hands it to
 * gnutls_session_set_data before the next handshake to that peer. TLS 1.2
 * sessions (IDs or tickets) are complete when the handshake ends; TLS 1.3
 * tickets arrive afterwards, in a NewSessionTicket message that a hook
 * catches. Runs on the connection's thread; the cache has its own lock. */
#include <string.h>

#include "gtls.h"

typedef struct blob {
    unsigned size;
    unsigned char data[];
} blob;

static blob *blob_new(const unsigned char *data, unsigned size) {
    blob *b = tlsc_alloc(sizeof(*b) + size);
    b->size = size;
    memcpy(b->data, data, size);
    return b;
}

static void *blob_dup(void *p) {
    blob *b = p;
    return blob_new(b->data, b->size);
}

static void blob_release(void *p) {
    blob *b = p;
    gnutls_memset(b->data, 0, b->size); /* session secrets */
    tlsc_free(b);
}

tlsc_session_cache *gtls_resume_cache_new(void) {
    return tlsc_session_cache_new(blob_dup, blob_release);
}

static void store(gtls_conn *conn) {
    gnutls_datum_t d = {NULL, 0};
    if (gnutls_session_get_data2(conn->session, &d) < 0 || !d.data) return;
    if (d.size)
        tlsc_session_cache_put(conn->ctx->sessions, conn->peer_name, blob_new(d.data, d.size));
    gnutls_memset(d.data, 0, d.size);
    gnutls_free(d.data);
}

/* After a TLS 1.3 NewSessionTicket was processed. */
static int on_ticket(gnutls_session_t s, unsigned htype, unsigned when, unsigned incoming,
                     const gnutls_datum_t *msg) {
    (void)htype, (void)when, (void)msg;
    gtls_conn *conn = gnutls_session_get_ptr(s);
    if (incoming && conn && conn->ctx && conn->ctx->sessions &&
        gnutls_protocol_get_version(s) == GNUTLS_TLS1_3)
        store(conn);
    return 0;
}

void gtls_resume_setup(gtls_conn *conn) {
    blob *b = tlsc_session_cache_get(conn->ctx->sessions, conn->peer_name);
    if (b) {
        /* Unusable data only means a full handshake. */
        (void)gnutls_session_set_data(conn->session, b->data, b->size);
        blob_release(b);
    }
    gnutls_handshake_set_hook_function(conn->session, GNUTLS_HANDSHAKE_NEW_SESSION_TICKET,
                                       GNUTLS_HOOK_POST, on_ticket);
}

void gtls_resume_handshake_done(gtls_conn *conn) {
    if (gnutls_protocol_get_version(conn->session) != GNUTLS_TLS1_3) store(conn);
}
