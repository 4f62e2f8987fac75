/*
 * The tls-* directives, parsed and validated into a struct. Both TLS
 * plugins declare tlsc_config_keys (plus their own extras) and hand ctx_new's
 * key/value set to tlsc_config_parse(). Semantics and defaults follow
 * Redis 7's redis.conf; docs/tls.md is the reference.
 *
 * Ownership: strings inside a tlsc_config are host allocations owned by it;
 * tlsc_config_free() releases them. Threading: any thread.
 */
#ifndef KEYPORT_TLSC_CONFIG_H
#define KEYPORT_TLSC_CONFIG_H

#include "tlsc.h"

typedef enum tlsc_auth {
    TLSC_AUTH_NO = 0,  /* no certificate requested */
    TLSC_AUTH_YES,     /* a valid certificate is required */
    TLSC_AUTH_OPTIONAL /* requested; verified when presented */
} tlsc_auth;

typedef enum tlsc_user_field {
    TLSC_USER_OFF = 0, /* certificates never log a client in */
    TLSC_USER_CN,      /* subject common name names the user */
    TLSC_USER_URI      /* first subjectAltName URI names the user */
} tlsc_user_field;

/* Bits of tlsc_config.protocols. */
#define TLSC_PROTO_TLS1_0 1u
#define TLSC_PROTO_TLS1_1 2u
#define TLSC_PROTO_TLS1_2 4u
#define TLSC_PROTO_TLS1_3 8u
#define TLSC_PROTO_DEFAULT (TLSC_PROTO_TLS1_2 | TLSC_PROTO_TLS1_3)

#define TLSC_SESSION_CACHE_SIZE_DEFAULT 20480
#define TLSC_SESSION_CACHE_TIMEOUT_DEFAULT 300

typedef struct tlsc_config {
    kp_role role;
    /* Files; NULL when unset (an empty value unsets). */
    char *cert_file;
    char *key_file;
    char *key_file_pass;
    char *client_cert_file;
    char *client_key_file;
    char *client_key_file_pass;
    char *dh_params_file;
    char *ca_cert_file;
    char *ca_cert_dir;
    /* Library cipher strings; NULL: the library default. */
    char *ciphers;
    char *ciphersuites;
    tlsc_auth auth_clients;          /* default yes */
    tlsc_user_field auth_user;       /* default off */
    unsigned protocols;              /* TLSC_PROTO_*, default TLSv1.2 TLSv1.3 */
    int prefer_server_ciphers;       /* default no */
    int session_caching;             /* default yes for servers, no for clients */
    long long session_cache_size;    /* default 20480; 0 = unlimited */
    long long session_cache_timeout; /* seconds, default 300 */
    int verify_peer;                 /* client role: verify the server (default yes);
                                        no is for testing only, refused for servers */
} tlsc_config;

/* NULL-terminated list of every key tlsc_config_parse() understands. */
extern const char *const tlsc_config_keys[];

/* Called for a key outside tlsc_config_keys (a plugin's own key). Returns
 * 0 when handled, 1 when unknown, -1 with a reason in err. */
typedef int tlsc_extra_key_fn(void *ud, const char *key, const char *value, char *err,
                              size_t errlen);

/* Fills cfg with the defaults, then applies kv[0..n). Errors name the key
 * and the bad value: "tls-auth-clients: 'maybe' is not one of yes, no,
 * optional". extra may be NULL. Then validates the set for role (files a
 * server needs, a CA when something verifies peers, key/cert pairs).
 * Returns 0, or -1 with a reason in err and cfg released. */
int tlsc_config_parse(kp_role role, const kp_kv *kv, size_t n, tlsc_config *cfg,
                      tlsc_extra_key_fn *extra, void *ud, char *err, size_t errlen);
void tlsc_config_free(tlsc_config *cfg);

/* The certificate, key and password the given role presents: a server uses
 * tls-cert-file/tls-key-file; a client uses tls-client-cert-file and
 * tls-client-key-file when set, else the server pair (Redis semantics).
 * Each out pointer may be set to NULL (a client may present nothing). The
 * *_what outputs name the directives for error messages. */
typedef struct tlsc_identity {
    const char *cert_file;
    const char *key_file;
    const char *key_pass;
    const char *cert_what;
    const char *key_what;
} tlsc_identity;
void tlsc_config_identity(const tlsc_config *cfg, tlsc_identity *id);

/* "TLSv1.2 TLSv1.3" for a protocols bitmask. */
void tlsc_protocols_format(unsigned protocols, char *buf, size_t len);
/* Lowest and highest protocol bit set (0 when none). */
unsigned tlsc_protocols_min(unsigned protocols);
unsigned tlsc_protocols_max(unsigned protocols);
const char *tlsc_auth_name(tlsc_auth a);
const char *tlsc_user_field_name(tlsc_user_field f);

#endif
