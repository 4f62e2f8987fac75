/* Building a context (one SSL_CTX per listener, or one for outgoing
 * connections) from the tls-* configuration, and releasing it. ctx_new
 * never touches an existing context, which keeps reloads atomic. */
#include <string.h>

#include "ossl.h"

#define LIBERR_MAX 200

static const struct {
    unsigned bit;
    int version;
    uint64_t disable;
} protocol_map[] = {
    {TLSC_PROTO_TLS1_0, TLS1_VERSION, SSL_OP_NO_TLSv1},
    {TLSC_PROTO_TLS1_1, TLS1_1_VERSION, SSL_OP_NO_TLSv1_1},
    {TLSC_PROTO_TLS1_2, TLS1_2_VERSION, SSL_OP_NO_TLSv1_2},
    {TLSC_PROTO_TLS1_3, TLS1_3_VERSION, SSL_OP_NO_TLSv1_3},
};
#define NPROTO (sizeof(protocol_map) / sizeof(protocol_map[0]))

static int fail_lib(const char *text, char *err, size_t errlen) {
    char lib[LIBERR_MAX];
    ossl_err_drain(lib, sizeof(lib));
    if (lib[0]) return tlsc_errf(err, errlen, "%s (%s)", text, lib);
    return tlsc_errf(err, errlen, "%s", text);
}

/* The range spans the lowest to the highest configured protocol; holes in
 * it (e.g. "TLSv1 TLSv1.3") are closed with SSL_OP_NO_*. */
static int apply_protocols(SSL_CTX *sc, unsigned protocols, char *err, size_t errlen) {
    unsigned lo = tlsc_protocols_min(protocols), hi = tlsc_protocols_max(protocols);
    int min = 0, max = 0;
    uint64_t holes = 0;
    for (size_t i = 0; i < NPROTO; i++) {
        if (protocol_map[i].bit == lo) min = protocol_map[i].version;
        if (protocol_map[i].bit == hi) max = protocol_map[i].version;
        if (protocol_map[i].bit > lo && protocol_map[i].bit < hi &&
            !(protocols & protocol_map[i].bit))
            holes |= protocol_map[i].disable;
    }
    if (!SSL_CTX_set_min_proto_version(sc, min) || !SSL_CTX_set_max_proto_version(sc, max))
        return fail_lib("tls-protocols: not supported by this OpenSSL", err, errlen);
    if (holes) SSL_CTX_set_options(sc, holes);
    return 0;
}

static int apply_ciphers(SSL_CTX *sc, const tlsc_config *cfg, char *err, size_t errlen) {
    if (cfg->ciphers && !SSL_CTX_set_cipher_list(sc, cfg->ciphers)) {
        ERR_clear_error();
        return tlsc_errf(err, errlen, "tls-ciphers: no usable cipher in '%s'", cfg->ciphers);
    }
    if (cfg->ciphersuites && !SSL_CTX_set_ciphersuites(sc, cfg->ciphersuites)) {
        ERR_clear_error();
        return tlsc_errf(err, errlen, "tls-ciphersuites: no usable TLSv1.3 ciphersuite in '%s'",
                         cfg->ciphersuites);
    }
    if (cfg->prefer_server_ciphers) SSL_CTX_set_options(sc, SSL_OP_CIPHER_SERVER_PREFERENCE);
    return 0;
}

/* OpenSSL hands every new resumable session of a client connection here
 * (TLS 1.2: at the end of the handshake; TLS 1.3: for each ticket, which
 * arrives after it). The cache keeps a private copy, and connections get
 * copies of it (session_dup): OpenSSL marks a connection's session
 * unresumable when that connection ends without close_notify, which must
 * not spoil the cached one. Owning thread of the connection. */
static int on_new_session(SSL *ssl, SSL_SESSION *sess) {
    ossl_conn *conn = SSL_get_app_data(ssl);
    if (!conn || !conn->ctx || !conn->ctx->sessions || !SSL_SESSION_is_resumable(sess)) return 0;
    SSL_SESSION *copy = SSL_SESSION_dup(sess);
    if (copy)
        tlsc_session_cache_put(conn->ctx->sessions, conn->peer_name, copy);
    else
        ERR_clear_error();
    return 0; /* OpenSSL keeps its own reference */
}

static void *session_dup(void *sess) {
    SSL_SESSION *copy = SSL_SESSION_dup(sess);
    if (!copy) ERR_clear_error(); /* out of memory: a full handshake then */
    return copy;
}

static void session_release(void *sess) {
    SSL_SESSION_free(sess);
}

/* Server side: a session cache (TLS 1.2 session IDs) and TLS 1.3 tickets,
 * both off when tls-session-caching is no. Client side, with
 * tls-session-caching yes: OpenSSL's internal store stays unused; sessions
 * go to the context's per-peer cache (on_new_session) and ossl_conn_init
 * offers them. */
static void apply_sessions(SSL_CTX *sc, const tlsc_config *cfg, ossl_ctx *x) {
    static const unsigned char sid_ctx[] = "keyport";
    SSL_CTX_set_session_id_context(sc, sid_ctx, sizeof(sid_ctx) - 1);
    if (cfg->role == KP_ROLE_SERVER && cfg->session_caching) {
        SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_SERVER);
        SSL_CTX_sess_set_cache_size(sc, (long)cfg->session_cache_size);
        SSL_CTX_set_timeout(sc, (long)cfg->session_cache_timeout);
        return;
    }
    if (cfg->role == KP_ROLE_CLIENT && cfg->session_caching) {
        SSL_CTX_set_session_cache_mode(sc,
                                       SSL_SESS_CACHE_CLIENT | SSL_SESS_CACHE_NO_INTERNAL_STORE);
        SSL_CTX_sess_set_new_cb(sc, on_new_session);
        x->sessions = tlsc_session_cache_new(session_dup, session_release);
        return;
    }
    SSL_CTX_set_session_cache_mode(sc, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_options(sc, SSL_OP_NO_TICKET);
    SSL_CTX_set_num_tickets(sc, 0);
}

static void apply_verify(SSL_CTX *sc, const tlsc_config *cfg) {
    int mode = cfg->verify_peer ? SSL_VERIFY_PEER : SSL_VERIFY_NONE;
    if (cfg->role == KP_ROLE_SERVER) {
        switch (cfg->auth_clients) {
        case TLSC_AUTH_NO: mode = SSL_VERIFY_NONE; break;
        case TLSC_AUTH_YES: mode = SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT; break;
        case TLSC_AUTH_OPTIONAL: mode = SSL_VERIFY_PEER; break;
        }
    }
    SSL_CTX_set_verify(sc, mode, NULL);
}

static SSL_CTX *build(const tlsc_config *cfg, ossl_ctx *x, char *err, size_t errlen) {
    SSL_CTX *sc =
        SSL_CTX_new(cfg->role == KP_ROLE_SERVER ? TLS_server_method() : TLS_client_method());
    if (!sc) {
        fail_lib("cannot create an OpenSSL context", err, errlen);
        return NULL;
    }
    /* Renegotiation is refused in both directions (TLS 1.2; TLS 1.3 has
     * none): it would let a peer restart expensive handshakes at will. */
    SSL_CTX_set_options(sc, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
    SSL_CTX_clear_options(sc, SSL_OP_ALLOW_CLIENT_RENEGOTIATION);
    long mode = SSL_MODE_ENABLE_PARTIAL_WRITE | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER;
    if (ossl_opts.release_buffers) mode |= SSL_MODE_RELEASE_BUFFERS;
    SSL_CTX_set_mode(sc, mode);
    SSL_CTX_set_read_ahead(sc, 1);
    apply_sessions(sc, cfg, x);
    apply_verify(sc, cfg);
    if (apply_protocols(sc, cfg->protocols, err, errlen) || apply_ciphers(sc, cfg, err, errlen) ||
        ossl_load_identity(sc, cfg, x, err, errlen) || ossl_load_ca(sc, cfg, err, errlen) ||
        (cfg->role == KP_ROLE_SERVER && ossl_load_dh(sc, cfg, err, errlen))) {
        SSL_CTX_free(sc);
        ERR_clear_error();
        return NULL;
    }
    return sc;
}

static void release(ossl_ctx *x) {
    SSL_CTX_free(x->ssl_ctx);
    tlsc_session_cache_free(x->sessions);
    tlsc_free(x->cert_file);
    tlsc_free(x->cert_subject);
    tlsc_free(x->cert_serial);
    tlsc_free(x);
}

int ossl_ctx_new(kp_role role, const kp_kv *kv, size_t nkv, void **ctx, char *err, size_t errlen) {
    tlsc_config cfg;
    if (tlsc_config_parse(role, kv, nkv, &cfg, NULL, NULL, err, errlen)) return -1;
    ossl_ctx *x = tlsc_calloc(1, sizeof(*x));
    x->refs = 1;
    x->role = role;
    x->auth_clients = role == KP_ROLE_SERVER ? cfg.auth_clients : TLSC_AUTH_YES;
    x->protocols = cfg.protocols;
    x->has_ca = cfg.ca_cert_file || cfg.ca_cert_dir;
    x->verify_peer = cfg.verify_peer;
    x->ssl_ctx = build(&cfg, x, err, errlen);
    tlsc_config_free(&cfg);
    if (!x->ssl_ctx) {
        release(x);
        return -1;
    }
    *ctx = x;
    return 0;
}

void ossl_ctx_unref(ossl_ctx *x) {
    if (x && tlsc_unref(&x->refs)) release(x);
}

void ossl_ctx_free(void *ctx) {
    ossl_ctx_unref(ctx);
}
