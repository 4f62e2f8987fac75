/* Building a context (credentials, priorities, session cache and ticket
 * key for one listener, or for outgoing connections) from the tls-*
 * configuration, and releasing it. ctx_new never touches an existing
 * context, which keeps reloads atomic. */
#include <string.h>
#include <strings.h>

#include "gtls.h"

/* Extra keys of this plugin, collected by tlsc_config_parse. */
typedef struct extra_keys {
    char *priority; /* tls-gnutls-priority; NULL when unset or empty */
    /* Directives tls-gnutls-priority supersedes that were set explicitly. */
    char overridden[160];
} extra_keys;

static int extra_key(void *ud, const char *key, const char *value, char *err, size_t errlen) {
    extra_keys *e = ud;
    if (strcasecmp(key, GTLS_KEY_PRIORITY) != 0) return 1;
    tlsc_free(e->priority);
    e->priority = *value ? tlsc_strdup(value) : NULL;
    return 0;
}

/* Names the directives that tls-gnutls-priority makes irrelevant and that
 * the configuration sets, so that the log can say they are not used. */
static void note_overridden(extra_keys *e, const kp_kv *kv, size_t n) {
    static const char *const superseded[] = {"tls-protocols", "tls-ciphers", "tls-ciphersuites",
                                             "tls-prefer-server-ciphers"};
    size_t used = 0;
    e->overridden[0] = '\0';
    for (size_t s = 0; s < sizeof(superseded) / sizeof(superseded[0]); s++) {
        for (size_t i = 0; i < n; i++) {
            if (!kv[i].key || strcasecmp(kv[i].key, superseded[s]) != 0) continue;
            if (!kv[i].value || !*kv[i].value) continue;
            size_t need = strlen(superseded[s]) + 2;
            if (used + need < sizeof(e->overridden)) {
                memcpy(e->overridden + used, used ? ", " : "", used ? 2 : 0);
                used += used ? 2 : 0;
                memcpy(e->overridden + used, superseded[s], strlen(superseded[s]) + 1);
                used += strlen(superseded[s]);
            }
            break;
        }
    }
}

static void release(gtls_ctx *x) {
    if (x->cred) gnutls_certificate_free_credentials(x->cred);
    if (x->dh) gnutls_dh_params_deinit(x->dh);
    gtls_prio_free(&x->prio);
    gtls_cache_free(x->cache);
    tlsc_session_cache_free(x->sessions);
    if (x->ticket_key.data) {
        gnutls_memset(x->ticket_key.data, 0, x->ticket_key.size);
        gnutls_free(x->ticket_key.data);
    }
    tlsc_free(x->cert_file);
    tlsc_free(x->cert_subject);
    tlsc_free(x->cert_serial);
    tlsc_free(x);
}

static int build(gtls_ctx *x, const tlsc_config *cfg, const char *priority, char *err,
                 size_t errlen) {
    int rc = gnutls_certificate_allocate_credentials(&x->cred);
    if (rc < 0)
        return tlsc_errf(err, errlen, "cannot create GnuTLS credentials: %s", gnutls_strerror(rc));
    gnutls_certificate_set_verify_function(x->cred, gtls_verify_peer);
    if (gtls_prio_build(cfg, priority, &x->prio, err, errlen) ||
        gtls_load_identity(x, cfg, err, errlen) || gtls_load_ca(x, cfg, err, errlen) ||
        (cfg->role == KP_ROLE_SERVER && gtls_load_dh(x, cfg, err, errlen)))
        return -1;
    if (cfg->role == KP_ROLE_SERVER && cfg->session_caching) {
        rc = gnutls_session_ticket_key_generate(&x->ticket_key);
        if (rc < 0)
            return tlsc_errf(err, errlen, "cannot generate a session ticket key: %s",
                             gnutls_strerror(rc));
        x->cache = gtls_cache_new(cfg->session_cache_size, cfg->session_cache_timeout);
        x->session_timeout = (unsigned)cfg->session_cache_timeout;
    }
    if (cfg->role == KP_ROLE_CLIENT && cfg->session_caching) x->sessions = gtls_resume_cache_new();
    return 0;
}

int gtls_ctx_new(kp_role role, const kp_kv *kv, size_t nkv, void **ctx, char *err, size_t errlen) {
    tlsc_config cfg;
    extra_keys extra = {0};
    if (tlsc_config_parse(role, kv, nkv, &cfg, extra_key, &extra, err, errlen)) {
        tlsc_free(extra.priority);
        return -1;
    }
    gtls_ctx *x = tlsc_calloc(1, sizeof(*x));
    x->refs = 1;
    x->role = role;
    x->auth_clients = role == KP_ROLE_SERVER ? cfg.auth_clients : TLSC_AUTH_YES;
    x->has_ca = cfg.ca_cert_file || cfg.ca_cert_dir;
    x->verify_peer = cfg.verify_peer;
    int rc = build(x, &cfg, extra.priority, err, errlen);
    if (rc == 0 && extra.priority) {
        note_overridden(&extra, kv, nkv);
        if (extra.overridden[0])
            tlsc_log(KP_LOG_NOTICE, "tls-gnutls-priority is set: %s not used by this context",
                     extra.overridden);
    }
    tlsc_config_free(&cfg);
    tlsc_free(extra.priority);
    if (rc) {
        release(x);
        return -1;
    }
    *ctx = x;
    return 0;
}

void gtls_ctx_unref(gtls_ctx *x) {
    if (x && tlsc_unref(&x->refs)) release(x);
}

void gtls_ctx_free(void *ctx) {
    gtls_ctx_unref(ctx);
}
