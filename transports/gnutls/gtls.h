/*
 * Private declarations of the GnuTLS transport ("gnutls"). Files:
 *   gnutls.c       entry point, descriptor, config keys, plugin arguments
 *   gtls_ctx.c     building and releasing contexts (credentials + priorities)
 *   gtls_prio.c    tls-protocols/-ciphers/-ciphersuites/... to priority strings
 *   gtls_suites.c  OpenSSL cipher-string semantics over GnuTLS's suites
 *   gtls_cert.c    certificates, keys, CAs and DH parameters
 *   gtls_cache.c   the server-side TLS 1.2 session cache
 *   gtls_verify.c  peer certificate verification
 *   gtls_raw.c     push/pull functions over the host's raw layer
 *   gtls_io.c      per-connection state machine: handshake, read, write
 *   gtls_info.c    ctx_info, conn_info, peer_identity, last_error
 * Everything is hidden (-fvisibility=hidden); only kp_transport_entry is
 * exported. Shared functions between these files are prefixed gtls_.
 */
#ifndef KEYPORT_GTLS_H
#define KEYPORT_GTLS_H

#include <pthread.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

#include "../tlscommon/tlsc.h"
#include "../tlscommon/tlsc_config.h"

#define GTLS_NAME "gnutls"
/* TLS 1.3 and the APIs used here (session tickets in TLS 1.3, priority
 * lists) need this GnuTLS. */
#define GTLS_MIN_VERSION "3.6.5"

/* The plugin's own directive: a complete native priority string. */
#define GTLS_KEY_PRIORITY "tls-gnutls-priority"

/* --- session cache (gtls_cache.c) --- */

typedef struct gtls_cache gtls_cache;
/* A cache of at most max entries (0: unlimited) valid for timeout seconds.
 * Thread-safe: handshakes run on I/O threads. */
gtls_cache *gtls_cache_new(long long max, long long timeout);
void gtls_cache_free(gtls_cache *c);
/* Installs the cache's store/retrieve/remove functions on a server session. */
void gtls_cache_attach(gtls_cache *c, gnutls_session_t s);

/* --- priorities (gtls_prio.c, gtls_suites.c) --- */

/* The priority caches of a context. "main" is set on every session; the
 * server switches a session to "tls12" or "tls13" once the version is
 * negotiated (after the ClientHello), because GnuTLS shares one cipher
 * list between TLS 1.2 and 1.3 while tls-ciphers and tls-ciphersuites
 * configure them separately. Either may be NULL (no switch needed). */
typedef struct gtls_prio {
    gnutls_priority_t main;
    gnutls_priority_t tls12;
    gnutls_priority_t tls13;
    char *text;         /* main's priority string, for INFO */
    unsigned protocols; /* TLSC_PROTO_* actually enabled */
    int native;         /* built from tls-gnutls-priority */
    /* Client role: the suites tls-ciphers / tls-ciphersuites allow, as
     * two-byte ids; a server that picks another one is refused. */
    unsigned char (*allowed)[2];
    size_t nallowed;
} gtls_prio;

/* Builds the priorities for cfg (native: the tls-gnutls-priority value or
 * NULL). Returns 0, or -1 with a message naming the directive and the
 * transport. */
int gtls_prio_build(const tlsc_config *cfg, const char *native, gtls_prio *p, char *err,
                    size_t errlen);
void gtls_prio_free(gtls_prio *p);
/* Non-zero when the suite the session negotiated is one p allows. */
int gtls_prio_allows(const gtls_prio *p, gnutls_session_t s);

/* The result of evaluating an OpenSSL cipher string: GnuTLS algorithm
 * lists in preference order, and the suites selected. */
typedef struct gtls_suite_sel {
    unsigned kx[16], cipher[32], mac[16];
    size_t nkx, ncipher, nmac;
    unsigned char ids[128][2];
    size_t nids;
    int seclevel; /* @SECLEVEL=n, or -1 */
} gtls_suite_sel;

/* Evaluates an OpenSSL cipher list (tls-ciphers) over the TLS 1.2 and
 * older suites both libraries implement. Returns 0, or -1 with a reason. */
int gtls_suites_eval(const char *str, gtls_suite_sel *sel, char *err, size_t errlen);
/* OpenSSL's name of suite id (NULL when OpenSSL has none). */
const char *gtls_suite_openssl_name(const unsigned char id[2]);
/* Name of the suite a session negotiated, as OpenSSL spells it (GnuTLS's
 * name when OpenSSL has none). */
const char *gtls_session_suite_name(gnutls_session_t s);

/* --- contexts (gtls_ctx.c) --- */

/* A context: credentials, priorities, session cache and ticket key, plus
 * what INFO shows. Reference counted: the host holds one reference until
 * ctx_free, each connection one until close. Immutable once built, except
 * the counters and the cache (both thread-safe). */
typedef struct gtls_ctx {
    int refs;
    kp_role role;
    gnutls_certificate_credentials_t cred;
    gnutls_dh_params_t dh;
    gtls_prio prio;
    gtls_cache *cache;         /* server with tls-session-caching yes */
    gnutls_datum_t ticket_key; /* idem; data NULL otherwise */
    unsigned session_timeout;  /* seconds */
    tlsc_stats stats;
    tlsc_auth auth_clients;
    int has_ca;
    int verify_peer; /* client role: tls-verify-peer (servers: 1) */
    /* Client role with tls-session-caching yes: the latest session data
     * per peer name (gtls_session_blob); NULL otherwise. */
    tlsc_session_cache *sessions;
    /* The certificate this context presents (cert_subject NULL when none). */
    char *cert_file;
    char *cert_subject;
    char *cert_serial;
    time_t cert_not_after;
} gtls_ctx;

int gtls_ctx_new(kp_role role, const kp_kv *kv, size_t nkv, void **ctx, char *err, size_t errlen);
void gtls_ctx_free(void *ctx);
void gtls_ctx_unref(gtls_ctx *x);

/* --- client sessions (gtls_resume.c) --- */

typedef struct gtls_conn gtls_conn;

/* A client context's session cache (values: serialized session data). */
tlsc_session_cache *gtls_resume_cache_new(void);
/* Client connection of a context with a cache: offers the session stored
 * for its peer name and arranges for new sessions to be stored (TLS 1.3
 * tickets when they arrive after the handshake). */
void gtls_resume_setup(gtls_conn *conn);
/* The handshake of such a connection completed: stores a TLS 1.2 session
 * (TLS 1.3 ones come with their tickets). */
void gtls_resume_handshake_done(gtls_conn *conn);

/* --- certificates (gtls_cert.c) --- */

/* Each returns 0, or -1 with a message naming the directive and the file. */
int gtls_load_identity(gtls_ctx *x, const tlsc_config *cfg, char *err, size_t errlen);
int gtls_load_ca(gtls_ctx *x, const tlsc_config *cfg, char *err, size_t errlen);
int gtls_load_dh(gtls_ctx *x, const tlsc_config *cfg, char *err, size_t errlen);
/* One-line RFC 4514 subject of crt into a host allocation (NULL on error). */
char *gtls_crt_subject(gnutls_x509_crt_t crt);

/* --- connections (gtls_io.c, gtls_raw.c, gtls_verify.c) --- */

typedef enum gtls_state {
    GTLS_ST_NEW = 0,   /* priv zeroed, conn_init not (successfully) run */
    GTLS_ST_HANDSHAKE, /* session ready, handshake in progress */
    GTLS_ST_READY,     /* application data flows */
    GTLS_ST_EOF,       /* peer closed */
    GTLS_ST_FAILED     /* fatal error; last_error says why */
} gtls_state;

#define GTLS_ERROR_MAX 256 /* size of gtls_conn.error */

/* Per-connection private state (kp_transport.conn_size bytes, zeroed by
 * the host). Touched only on the thread owning the connection. */
struct gtls_conn {
    gnutls_session_t session;
    gtls_ctx *ctx;
    kp_conn *kc;     /* the host handle, for raw I/O in push/pull */
    char *error;     /* last error text, allocated on first error */
    char *peer_name; /* client role: name the server must prove */
    /* Raw bytes read ahead of what GnuTLS asked for; a host allocation
     * that exists only while it holds bytes (idle connections: none). */
    unsigned char *ahead;
    uint32_t ahead_len, ahead_off;
    uint32_t raw_need;     /* KP_NEED_* the raw layer asked for last */
    uint8_t state;         /* gtls_state */
    uint8_t role;          /* kp_role */
    uint8_t sniff;         /* server: first bytes not yet inspected */
    uint8_t plaintext;     /* the client spoke plaintext */
    uint8_t raw_eof;       /* raw layer reported EOF */
    uint8_t raw_err;       /* raw layer reported an error */
    uint8_t verified;      /* the peer presented a certificate that verified */
    uint8_t verify_failed; /* verification refused the peer (error set) */
    uint8_t deferred;      /* kp_result to report on the next op (0: none) */
    uint8_t alert;         /* a no_renegotiation alert waits to be sent */
    uint8_t wpending;      /* GnuTLS holds a record the caller must present again */
};

/* Installs push/pull on a session whose pointer is conn. */
void gtls_raw_attach(gtls_conn *conn);
/* Non-zero when the read-ahead bytes hold at least one whole record. */
int gtls_raw_has_record(const gtls_conn *conn);
/* Frees the read-ahead buffer. */
void gtls_raw_release(gtls_conn *conn);

/* gnutls_certificate_set_verify_function callback. */
int gtls_verify_peer(gnutls_session_t s);

int gtls_conn_init(void *ctx, kp_conn *c, void *priv, kp_role role, const char *peer_name,
                   char *err, size_t errlen);
kp_result gtls_handshake(kp_conn *c, void *priv, kp_io *io);
kp_result gtls_read(kp_conn *c, void *priv, void *buf, size_t len, kp_io *io);
kp_result gtls_write(kp_conn *c, void *priv, const void *buf, size_t len, kp_io *io);
kp_result gtls_writev(kp_conn *c, void *priv, const struct iovec *iov, int iovcnt, kp_io *io);
int gtls_has_pending(kp_conn *c, void *priv);
void gtls_close(kp_conn *c, void *priv);

/* Sets conn's last error. */
void gtls_conn_set_error(gtls_conn *conn, const char *fmt, ...) KP_PRINTF(2, 3);

/* --- visibility (gtls_info.c) --- */

void gtls_ctx_info(void *ctx, kp_info_emit emit, void *sink);
void gtls_conn_info(void *priv, kp_info_emit emit, void *sink);
int gtls_peer_identity(void *priv, const char *field, char *out, size_t outlen);
const char *gtls_last_error(void *priv);
/* "TLSv1.3", as OpenSSL names protocol versions. */
const char *gtls_version_name(gnutls_protocol_t v);

#endif
