/* Parsing and validation of the tls-* key/value set (see tlsc_config.h). */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "tlsc_config.h"

typedef enum key_type {
    KEY_PATH,   /* file or directory; empty unsets */
    KEY_SECRET, /* password; empty unsets */
    KEY_STRING, /* library string; empty unsets */
    KEY_BOOL,   /* yes|no */
    KEY_AUTH,   /* yes|no|optional */
    KEY_USER,   /* CN|URI|off */
    KEY_PROTOS, /* "TLSv1.2 TLSv1.3" */
    KEY_COUNT,  /* integer >= 0 */
} key_type;

typedef struct key_spec {
    const char *name;
    key_type type;
    size_t offset; /* into tlsc_config */
} key_spec;

#define F(field) offsetof(tlsc_config, field)

static const key_spec key_specs[] = {
    {"tls-cert-file", KEY_PATH, F(cert_file)},
    {"tls-key-file", KEY_PATH, F(key_file)},
    {"tls-key-file-pass", KEY_SECRET, F(key_file_pass)},
    {"tls-client-cert-file", KEY_PATH, F(client_cert_file)},
    {"tls-client-key-file", KEY_PATH, F(client_key_file)},
    {"tls-client-key-file-pass", KEY_SECRET, F(client_key_file_pass)},
    {"tls-dh-params-file", KEY_PATH, F(dh_params_file)},
    {"tls-ca-cert-file", KEY_PATH, F(ca_cert_file)},
    {"tls-ca-cert-dir", KEY_PATH, F(ca_cert_dir)},
    {"tls-auth-clients", KEY_AUTH, F(auth_clients)},
    {"tls-auth-clients-user", KEY_USER, F(auth_user)},
    {"tls-protocols", KEY_PROTOS, F(protocols)},
    {"tls-ciphers", KEY_STRING, F(ciphers)},
    {"tls-ciphersuites", KEY_STRING, F(ciphersuites)},
    {"tls-prefer-server-ciphers", KEY_BOOL, F(prefer_server_ciphers)},
    {"tls-session-caching", KEY_BOOL, F(session_caching)},
    {"tls-session-cache-size", KEY_COUNT, F(session_cache_size)},
    {"tls-session-cache-timeout", KEY_COUNT, F(session_cache_timeout)},
    {"tls-verify-peer", KEY_BOOL, F(verify_peer)},
};
#define NSPECS (sizeof(key_specs) / sizeof(key_specs[0]))

const char *const tlsc_config_keys[] = {
    "tls-cert-file",
    "tls-key-file",
    "tls-key-file-pass",
    "tls-client-cert-file",
    "tls-client-key-file",
    "tls-client-key-file-pass",
    "tls-dh-params-file",
    "tls-ca-cert-file",
    "tls-ca-cert-dir",
    "tls-auth-clients",
    "tls-auth-clients-user",
    "tls-protocols",
    "tls-ciphers",
    "tls-ciphersuites",
    "tls-prefer-server-ciphers",
    "tls-session-caching",
    "tls-session-cache-size",
    "tls-session-cache-timeout",
    "tls-verify-peer",
    NULL,
};

static const struct {
    const char *name;
    unsigned bit;
} protocol_names[] = {
    {"TLSv1", TLSC_PROTO_TLS1_0},
    {"TLSv1.1", TLSC_PROTO_TLS1_1},
    {"TLSv1.2", TLSC_PROTO_TLS1_2},
    {"TLSv1.3", TLSC_PROTO_TLS1_3},
};
#define NPROTOS (sizeof(protocol_names) / sizeof(protocol_names[0]))

static const key_spec *find_spec(const char *key) {
    for (size_t i = 0; i < NSPECS; i++)
        if (!strcasecmp(key_specs[i].name, key)) return &key_specs[i];
    return NULL;
}

static void set_defaults(tlsc_config *cfg, kp_role role) {
    memset(cfg, 0, sizeof(*cfg));
    cfg->role = role;
    cfg->auth_clients = TLSC_AUTH_YES;
    cfg->auth_user = TLSC_USER_OFF;
    cfg->protocols = TLSC_PROTO_DEFAULT;
    /* Outgoing connections keep sessions only when asked to. */
    cfg->session_caching = role == KP_ROLE_SERVER;
    cfg->verify_peer = 1;
    cfg->session_cache_size = TLSC_SESSION_CACHE_SIZE_DEFAULT;
    cfg->session_cache_timeout = TLSC_SESSION_CACHE_TIMEOUT_DEFAULT;
}

static int parse_bool(const char *key, const char *v, int *out, char *err, size_t errlen) {
    if (!strcasecmp(v, "yes"))
        *out = 1;
    else if (!strcasecmp(v, "no"))
        *out = 0;
    else
        return tlsc_errf(err, errlen, "%s: '%s' is not one of yes, no", key, v);
    return 0;
}

static int parse_auth(const char *key, const char *v, tlsc_auth *out, char *err, size_t errlen) {
    if (!strcasecmp(v, "yes"))
        *out = TLSC_AUTH_YES;
    else if (!strcasecmp(v, "no"))
        *out = TLSC_AUTH_NO;
    else if (!strcasecmp(v, "optional"))
        *out = TLSC_AUTH_OPTIONAL;
    else
        return tlsc_errf(err, errlen, "%s: '%s' is not one of yes, no, optional", key, v);
    return 0;
}

static int parse_user(const char *key, const char *v, tlsc_user_field *out, char *err,
                      size_t errlen) {
    if (!strcasecmp(v, "CN"))
        *out = TLSC_USER_CN;
    else if (!strcasecmp(v, "URI"))
        *out = TLSC_USER_URI;
    else if (!strcasecmp(v, "off") || !strcasecmp(v, "no"))
        *out = TLSC_USER_OFF;
    else
        return tlsc_errf(err, errlen, "%s: '%s' is not one of CN, URI, off", key, v);
    return 0;
}

/* Space (or comma) separated protocol names, case-insensitive; empty means
 * the default set. */
static int parse_protocols(const char *key, const char *v, unsigned *out, char *err,
                           size_t errlen) {
    unsigned bits = 0;
    const char *p = v;
    while (*p) {
        while (*p == ' ' || *p == '\t' || *p == ',') p++;
        if (!*p) break;
        size_t n = strcspn(p, " \t,");
        unsigned bit = 0;
        for (size_t i = 0; i < NPROTOS; i++) {
            if (strlen(protocol_names[i].name) == n && !strncasecmp(p, protocol_names[i].name, n))
                bit = protocol_names[i].bit;
        }
        if (!bit)
            return tlsc_errf(err, errlen,
                             "%s: unknown protocol '%.*s' (use TLSv1, TLSv1.1, TLSv1.2, TLSv1.3)",
                             key, (int)n, p);
        bits |= bit;
        p += n;
    }
    *out = bits ? bits : TLSC_PROTO_DEFAULT;
    return 0;
}

static int parse_count(const char *key, const char *v, long long *out, char *err, size_t errlen) {
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno == ERANGE || n < 0 || n > 0x7fffffffLL)
        return tlsc_errf(err, errlen, "%s: '%s' is not an integer between 0 and 2147483647", key,
                         v);
    *out = n;
    return 0;
}

static int apply_one(tlsc_config *cfg, const key_spec *s, const char *v, char *err, size_t errlen) {
    char *base = (char *)cfg;
    switch (s->type) {
    case KEY_PATH:
    case KEY_SECRET:
    case KEY_STRING: {
        char **slot = (char **)(base + s->offset);
        tlsc_free(*slot);
        *slot = *v ? tlsc_strdup(v) : NULL;
        return 0;
    }
    case KEY_BOOL: return parse_bool(s->name, v, (int *)(base + s->offset), err, errlen);
    case KEY_AUTH: return parse_auth(s->name, v, (tlsc_auth *)(base + s->offset), err, errlen);
    case KEY_USER:
        return parse_user(s->name, v, (tlsc_user_field *)(base + s->offset), err, errlen);
    case KEY_PROTOS:
        return parse_protocols(s->name, v, (unsigned *)(base + s->offset), err, errlen);
    case KEY_COUNT: return parse_count(s->name, v, (long long *)(base + s->offset), err, errlen);
    }
    return tlsc_errf(err, errlen, "%s: internal error (key type)", s->name);
}

/* A key and its certificate must come together. */
static int check_pair(const char *cert, const char *cert_what, const char *key,
                      const char *key_what, char *err, size_t errlen) {
    if (cert && !key)
        return tlsc_errf(err, errlen, "%s is set but %s is not: both are needed", cert_what,
                         key_what);
    if (key && !cert)
        return tlsc_errf(err, errlen, "%s is set but %s is not: both are needed", key_what,
                         cert_what);
    return 0;
}

static int validate(const tlsc_config *cfg, char *err, size_t errlen) {
    if (check_pair(cfg->cert_file, "tls-cert-file", cfg->key_file, "tls-key-file", err, errlen))
        return -1;
    if (check_pair(cfg->client_cert_file, "tls-client-cert-file", cfg->client_key_file,
                   "tls-client-key-file", err, errlen))
        return -1;
    if (cfg->role == KP_ROLE_SERVER) {
        if (!cfg->verify_peer)
            return tlsc_errf(err, errlen,
                             "tls-verify-peer no applies to outgoing (client) connections only; a "
                             "TLS listener verifies clients as tls-auth-clients says");
        if (!cfg->cert_file)
            return tlsc_errf(err, errlen,
                             "tls-cert-file and tls-key-file are required for a TLS listener");
        if (cfg->auth_clients != TLSC_AUTH_NO && !cfg->ca_cert_file && !cfg->ca_cert_dir)
            return tlsc_errf(err, errlen,
                             "tls-auth-clients %s verifies client certificates and needs "
                             "tls-ca-cert-file or tls-ca-cert-dir (or set tls-auth-clients no)",
                             tlsc_auth_name(cfg->auth_clients));
    }
    return 0;
}

int tlsc_config_parse(kp_role role, const kp_kv *kv, size_t n, tlsc_config *cfg,
                      tlsc_extra_key_fn *extra, void *ud, char *err, size_t errlen) {
    set_defaults(cfg, role);
    for (size_t i = 0; i < n; i++) {
        const char *key = kv[i].key, *v = kv[i].value ? kv[i].value : "";
        if (!key) continue;
        const key_spec *s = find_spec(key);
        int rc;
        if (s) {
            rc = apply_one(cfg, s, v, err, errlen);
        } else if (extra) {
            rc = extra(ud, key, v, err, errlen);
            if (rc == 1) rc = tlsc_errf(err, errlen, "%s: unknown TLS directive", key);
        } else {
            rc = tlsc_errf(err, errlen, "%s: unknown TLS directive", key);
        }
        if (rc) {
            tlsc_config_free(cfg);
            return -1;
        }
    }
    if (validate(cfg, err, errlen)) {
        tlsc_config_free(cfg);
        return -1;
    }
    return 0;
}

void tlsc_config_free(tlsc_config *cfg) {
    char *base = (char *)cfg;
    for (size_t i = 0; i < NSPECS; i++) {
        const key_spec *s = &key_specs[i];
        if (s->type != KEY_PATH && s->type != KEY_SECRET && s->type != KEY_STRING) continue;
        char **slot = (char **)(base + s->offset);
        if (*slot && s->type == KEY_SECRET) memset(*slot, 0, strlen(*slot));
        tlsc_free(*slot);
        *slot = NULL;
    }
}

void tlsc_config_identity(const tlsc_config *cfg, tlsc_identity *id) {
    if (cfg->role == KP_ROLE_CLIENT && cfg->client_cert_file) {
        id->cert_file = cfg->client_cert_file;
        id->key_file = cfg->client_key_file;
        id->key_pass = cfg->client_key_file_pass;
        id->cert_what = "tls-client-cert-file";
        id->key_what = "tls-client-key-file";
    } else {
        id->cert_file = cfg->cert_file;
        id->key_file = cfg->key_file;
        id->key_pass = cfg->key_file_pass;
        id->cert_what = "tls-cert-file";
        id->key_what = "tls-key-file";
    }
}

void tlsc_protocols_format(unsigned protocols, char *buf, size_t len) {
    size_t used = 0;
    if (len) buf[0] = '\0';
    for (size_t i = 0; i < NPROTOS && used < len; i++) {
        if (!(protocols & protocol_names[i].bit)) continue;
        int w = snprintf(buf + used, len - used, "%s%s", used ? " " : "", protocol_names[i].name);
        if (w < 0) break;
        used += (size_t)w;
    }
}

unsigned tlsc_protocols_min(unsigned protocols) {
    return protocols & -protocols;
}

unsigned tlsc_protocols_max(unsigned protocols) {
    unsigned top = 0;
    for (unsigned b = 1; b && b <= protocols; b <<= 1)
        if (protocols & b) top = b;
    return top;
}

const char *tlsc_auth_name(tlsc_auth a) {
    switch (a) {
    case TLSC_AUTH_NO: return "no";
    case TLSC_AUTH_YES: return "yes";
    case TLSC_AUTH_OPTIONAL: return "optional";
    }
    return "?";
}

const char *tlsc_user_field_name(tlsc_user_field f) {
    switch (f) {
    case TLSC_USER_OFF: return "off";
    case TLSC_USER_CN: return "CN";
    case TLSC_USER_URI: return "URI";
    }
    return "?";
}
