/*
 * Private declarations of the OpenSSL transport. Files:
 *   openssl.c   entry point, descriptor, plugin init arguments
 *   ossl_ctx.c  building and releasing contexts (SSL_CTX per listener)
 *   ossl_cert.c loading certificates, keys, CAs and DH parameters
 *   ossl_bio.c  the BIO method over the host's raw_read/raw_write
 *   ossl_io.c   per-connection state machine: handshake, read, write
 *   ossl_info.c ctx_info, conn_info, peer_identity
 *   ossl_err.c  OpenSSL error queue to text
 * Everything here is hidden (-fvisibility=hidden); only kp_transport_entry
 * is exported.
 */
#ifndef KEYPORT_OSSL_H
#define KEYPORT_OSSL_H

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "../tlscommon/tlsc.h"
#include "../tlscommon/tlsc_config.h"

#if OPENSSL_VERSION_NUMBER < 0x30000000L
#error "keyport's OpenSSL transport needs OpenSSL 3.0 or newer"
#endif

#define OSSL_NAME "openssl"

/* Plugin-wide settings from the loadtransport line (openssl.c). Written
 * once by init() on the main thread before any context exists. */
typedef struct ossl_settings {
    int release_buffers; /* SSL_MODE_RELEASE_BUFFERS, default on */
} ossl_settings;
extern ossl_settings ossl_opts;

/* A context: one SSL_CTX plus what INFO shows. Reference counted: the host
 * holds one reference until ctx_free, each connection one until close
 * (connections may outlive a reload). */
typedef struct ossl_ctx {
    int refs;
    kp_role role;
    SSL_CTX *ssl_ctx;
    tlsc_stats stats;
    tlsc_auth auth_clients;
    unsigned protocols;
    int has_ca;
    int verify_peer; /* client role: tls-verify-peer (servers: 1) */
    /* Client role with tls-session-caching yes: the latest session per
     * peer name (SSL_SESSION references); NULL otherwise. */
    tlsc_session_cache *sessions;
    /* The certificate this context presents (NULL when none). */
    char *cert_file;
    char *cert_subject;
    char *cert_serial;
    time_t cert_not_after;
} ossl_ctx;

typedef enum ossl_state {
    OSSL_ST_NEW = 0,   /* priv zeroed, conn_init not (successfully) run */
    OSSL_ST_HANDSHAKE, /* SSL ready, handshake in progress */
    OSSL_ST_READY,     /* application data flows */
    OSSL_ST_EOF,       /* peer closed */
    OSSL_ST_FAILED     /* fatal error; last_error says why */
} ossl_state;

/* Per-connection private state (kp_transport.conn_size bytes, zeroed by the
 * host). Touched only on the thread owning the connection. */
typedef struct ossl_conn {
    SSL *ssl;
    ossl_ctx *ctx;
    kp_conn *kc;       /* the host handle, for raw I/O in the BIO */
    char *error;       /* last error text, allocated on first error */
    char *peer_name;   /* client with a session cache: the cache key ("" for none) */
    uint32_t raw_need; /* KP_NEED_* the raw layer asked for last */
    uint8_t state;     /* ossl_state */
    uint8_t role;      /* kp_role */
    uint8_t sniff;     /* server: first bytes not yet inspected */
    uint8_t plaintext; /* the client spoke plaintext */
    uint8_t raw_eof;   /* raw layer reported EOF */
    uint8_t raw_err;   /* raw layer reported an error */
    uint8_t starved;   /* last read wanted more raw bytes than buffered */
    uint8_t deferred;  /* kp_result to report on the next op (0: none) */
} ossl_conn;

/* ossl_ctx.c */
int ossl_ctx_new(kp_role role, const kp_kv *kv, size_t nkv, void **ctx, char *err, size_t errlen);
void ossl_ctx_free(void *ctx);
void ossl_ctx_unref(ossl_ctx *x);

/* ossl_cert.c: each returns 0, or -1 with a message naming the directive
 * and the file. */
int ossl_load_identity(SSL_CTX *sc, const tlsc_config *cfg, ossl_ctx *x, char *err, size_t errlen);
int ossl_load_ca(SSL_CTX *sc, const tlsc_config *cfg, char *err, size_t errlen);
int ossl_load_dh(SSL_CTX *sc, const tlsc_config *cfg, char *err, size_t errlen);
/* ASN1_TIME to time_t; -1 on failure. */
int ossl_asn1_time(const ASN1_TIME *t, time_t *out);
/* One-line RFC 2253 subject of name into a host allocation. */
char *ossl_name_oneline(const X509_NAME *name);

/* ossl_bio.c */
int ossl_bio_init(char *err, size_t errlen);
/* A BIO over c's raw layer; the connection state conn receives raw needs
 * and EOF/error flags. */
BIO *ossl_bio_new(ossl_conn *conn);

/* ossl_io.c: the per-connection ops. */
int ossl_conn_init(void *ctx, kp_conn *c, void *priv, kp_role role, const char *peer_name,
                   char *err, size_t errlen);
kp_result ossl_handshake(kp_conn *c, void *priv, kp_io *io);
kp_result ossl_read(kp_conn *c, void *priv, void *buf, size_t len, kp_io *io);
kp_result ossl_write(kp_conn *c, void *priv, const void *buf, size_t len, kp_io *io);
kp_result ossl_writev(kp_conn *c, void *priv, const struct iovec *iov, int iovcnt, kp_io *io);
int ossl_has_pending(kp_conn *c, void *priv);
void ossl_close(kp_conn *c, void *priv);

/* ossl_info.c */
void ossl_ctx_info(void *ctx, kp_info_emit emit, void *sink);
void ossl_conn_info(void *priv, kp_info_emit emit, void *sink);
int ossl_peer_identity(void *priv, const char *field, char *out, size_t outlen);
const char *ossl_last_error(void *priv);

/* ossl_err.c */
#define OSSL_ERROR_MAX 256 /* size of ossl_conn.error */
/* Moves the thread's OpenSSL error queue into buf as "reason; reason" and
 * empties the queue. Writes "" when the queue was empty. */
void ossl_err_drain(char *buf, size_t len);
/* Records the failure of an SSL call on conn (SSL_get_error code ssl_err,
 * while doing op) as its last error, draining the error queue. */
void ossl_conn_error(ossl_conn *conn, const char *op, int ssl_err);
/* Sets conn's last error to a literal text. */
void ossl_conn_set_error(ossl_conn *conn, const char *fmt, ...) KP_PRINTF(2, 3);

#endif
