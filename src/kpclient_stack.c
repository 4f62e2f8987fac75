/*
 * Transport stacks for clients: which plugins a connection runs over and
 * their client-role contexts, built from command-line style options.
 *
 * Plugins are found like the server finds them (conn_loader.c): in the
 * build tree two levels above the executable (<root>/src/keyport-cli ->
 * <root>/transports/NAME/keyport-NAME.so), then in the install directory.
 * Main thread only.
 */
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "kpclient.h"
#include "kstr.h"
#include "zmalloc.h"

#ifndef KP_TRANSPORT_INSTALL_DIR
#define KP_TRANSPORT_INSTALL_DIR "/usr/local/lib/keyport/transports"
#endif

/* Used for --tls without --cacert/--cacertdir, as redis-cli uses the
 * library's default trust store. */
#define KPC_SYSTEM_CA_DIR "/etc/ssl/certs"

static char build_root[PATH_MAX];
static int transports_ready;

void kpc_transports_init(void) {
    if (transports_ready) return;
    transports_ready = 1;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        transport_set_search_dirs(NULL, KP_TRANSPORT_INSTALL_DIR);
        return;
    }
    exe[n] = '\0';
    char *src = dirname(exe); /* <root>/src */
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", src);
    snprintf(build_root, sizeof(build_root), "%s", dirname(tmp));
    transport_set_search_dirs(build_root, KP_TRANSPORT_INSTALL_DIR);
}

static int plugin_exists(const char *name) {
    char path[PATH_MAX + 64];
    struct stat st;
    if (build_root[0]) {
        snprintf(path, sizeof(path), "%s/transports/%s/keyport-%s.so", build_root, name, name);
        if (stat(path, &st) == 0) return 1;
    }
    snprintf(path, sizeof(path), "%s/keyport-%s.so", KP_TRANSPORT_INSTALL_DIR, name);
    return stat(path, &st) == 0;
}

const char *kpc_default_tls_transport(void) {
    kpc_transports_init();
    if (transport_find("openssl") || plugin_exists("openssl")) return "openssl";
    if (transport_find("gnutls") || plugin_exists("gnutls")) return "gnutls";
    return "openssl";
}

/* The transport named (or at the path) spec, loading it the first time. */
static transport *get_transport(const char *spec, char *err, size_t errlen) {
    kpc_transports_init();
    if (strchr(spec, '/')) {
        char real[PATH_MAX];
        const char *want = realpath(spec, real) ? real : spec;
        for (int i = 0; i < transport_count(); i++) {
            transport *t = transport_at(i);
            char treal[PATH_MAX];
            const char *have = realpath(t->path, treal) ? treal : t->path;
            if (strcmp(have, want) == 0) return t;
        }
    } else {
        transport *t = transport_find(spec);
        if (t) return t;
    }
    return transport_load(spec, 0, NULL, err, errlen);
}

static int make_ctx(transport *t, const kp_kv *kv, size_t n, void **ctx, char *err, size_t errlen) {
    *ctx = NULL;
    if (!t->ops->ctx_new) return 0;
    char why[512] = "";
    if (t->ops->ctx_new(KP_ROLE_CLIENT, kv, n, ctx, why, sizeof(why)) != 0) {
        snprintf(err, errlen, "%s transport: %s", t->ops->name, why[0] ? why : "context refused");
        return -1;
    }
    return 0;
}

typedef struct kv_list {
    kp_kv kv[16];
    size_t n;
} kv_list;

/* Adds key=value when value is set; fails when the transport does not
 * declare the key (option names which command-line option needed it). */
static int kv_add(kv_list *l, transport *t, const char *key, const char *value, const char *option,
                  char *err, size_t errlen) {
    if (!value) return 0;
    if (!transport_has_key(t, key)) {
        snprintf(err, errlen, "%s: the %s transport has no '%s' setting", option, t->ops->name,
                 key);
        return -1;
    }
    l->kv[l->n].key = key;
    l->kv[l->n].value = value;
    l->n++;
    return 0;
}

static int tls_kv(kv_list *l, transport *t, const kpc_tls_options *o, char *err, size_t errlen) {
    const char *ca_dir = o->ca_dir;
    struct stat st;
    if (!o->ca_file && !o->ca_dir && !o->insecure && stat(KPC_SYSTEM_CA_DIR, &st) == 0)
        ca_dir = KPC_SYSTEM_CA_DIR;
    if (o->insecure) {
        /* openssl and gnutls declare tls-verify-peer; a third-party plugin
         * that does not is refused rather than silently verifying. */
        if (!transport_has_key(t, "tls-verify-peer")) {
            snprintf(err, errlen,
                     "--insecure: the %s transport cannot skip server certificate "
                     "verification (it has no 'tls-verify-peer' setting); use --cacert",
                     t->ops->name);
            return -1;
        }
        if (kv_add(l, t, "tls-verify-peer", "no", "--insecure", err, errlen)) return -1;
    }
    if (kv_add(l, t, "tls-ca-cert-file", o->ca_file, "--cacert", err, errlen) ||
        kv_add(l, t, "tls-ca-cert-dir", ca_dir, "--cacertdir", err, errlen) ||
        kv_add(l, t, "tls-client-cert-file", o->cert_file, "--cert", err, errlen) ||
        kv_add(l, t, "tls-client-key-file", o->key_file, "--key", err, errlen) ||
        kv_add(l, t, "tls-client-key-file-pass", o->key_pass, "key password", err, errlen) ||
        kv_add(l, t, "tls-ciphers", o->ciphers, "--tls-ciphers", err, errlen) ||
        kv_add(l, t, "tls-ciphersuites", o->ciphersuites, "--tls-ciphersuites", err, errlen) ||
        kv_add(l, t, "tls-protocols", o->protocols, "--tls-protocols", err, errlen) ||
        kv_add(l, t, "tls-session-caching", o->session_resume ? "yes" : NULL, "--tls-resume", err,
               errlen))
        return -1;
    return 0;
}

int kpc_stack_init(kpc_stack *st, int unix_socket, const kpc_tls_options *tls, char *err,
                   size_t errlen) {
    memset(st, 0, sizeof(*st));
    st->unix_socket = unix_socket;
    char lerr[1024];
    st->base = get_transport(unix_socket ? "unix" : "tcp", lerr, sizeof(lerr));
    if (!st->base) {
        snprintf(err, errlen, "%s", lerr);
        return -1;
    }
    if (!(st->base->ops->caps & KP_CAP_STREAM)) {
        snprintf(err, errlen, "transport '%s' cannot open connections", st->base->ops->name);
        return -1;
    }
    /* Keepalive probes detect a dead server during long waits (MONITOR,
     * --replica), as redis-cli does. */
    kp_kv keepalive = {"tcp-keepalive", "15"};
    int ka = transport_has_key(st->base, keepalive.key);
    if (make_ctx(st->base, ka ? &keepalive : NULL, ka ? 1 : 0, &st->base_ctx, err, errlen))
        return -1;
    if (!tls || !tls->enabled) return 0;

    const char *name = tls->transport ? tls->transport : kpc_default_tls_transport();
    st->layer = get_transport(name, lerr, sizeof(lerr));
    if (!st->layer) {
        snprintf(err, errlen, "TLS transport '%s' is not available: %s", name, lerr);
        kpc_stack_release(st);
        return -1;
    }
    if (!(st->layer->ops->caps & KP_CAP_LAYERED) || !(st->layer->ops->caps & KP_CAP_TLS)) {
        snprintf(err, errlen, "transport '%s' is not a TLS transport", st->layer->ops->name);
        kpc_stack_release(st);
        return -1;
    }
    kv_list l = {.n = 0};
    if (tls_kv(&l, st->layer, tls, err, errlen) ||
        make_ctx(st->layer, l.kv, l.n, &st->layer_ctx, err, errlen)) {
        kpc_stack_release(st);
        return -1;
    }
    if (tls->sni) st->sni = zstrdup(tls->sni);
    return 0;
}

void kpc_stack_release(kpc_stack *st) {
    if (st->layer_ctx && st->layer->ops->ctx_free) st->layer->ops->ctx_free(st->layer_ctx);
    if (st->base_ctx && st->base->ops->ctx_free) st->base->ops->ctx_free(st->base_ctx);
    zfree(st->sni);
    memset(st, 0, sizeof(*st));
}

/* ---------- command-line options ---------- */

int kpc_tls_parse_option(kpc_tls_options *tls, const char *opt, const char *value) {
    static const struct {
        const char *name;
        size_t offset; /* of a const char * in kpc_tls_options */
    } strings[] = {
        {"--sni", offsetof(kpc_tls_options, sni)},
        {"--cacert", offsetof(kpc_tls_options, ca_file)},
        {"--cacertdir", offsetof(kpc_tls_options, ca_dir)},
        {"--cert", offsetof(kpc_tls_options, cert_file)},
        {"--key", offsetof(kpc_tls_options, key_file)},
        {"--tls-ciphers", offsetof(kpc_tls_options, ciphers)},
        {"--tls-ciphersuites", offsetof(kpc_tls_options, ciphersuites)},
        {"--tls-protocols", offsetof(kpc_tls_options, protocols)},
        {"--tls-transport", offsetof(kpc_tls_options, transport)},
    };
    if (!strcmp(opt, "--tls")) {
        tls->enabled = 1;
        return 1;
    }
    if (!strcmp(opt, "--insecure")) {
        tls->insecure = 1;
        return 1;
    }
    for (size_t i = 0; i < sizeof(strings) / sizeof(strings[0]); i++) {
        if (strcmp(opt, strings[i].name) != 0) continue;
        *(const char **)((char *)tls + strings[i].offset) = value;
        return 1;
    }
    return 0;
}

/* ---------- explaining failures ---------- */

static int has(const char *s, const char *needle) {
    return strcasestr(s, needle) != NULL;
}

const char *kpc_tls_failure_hint(const char *reason, const kpc_tls_options *tls) {
    static const char *const plaintext[] = {"wrong version number",
                                            "unexpected TLS packet",
                                            "packet with unexpected length",
                                            "unsupported version",
                                            "illegal version",
                                            "record packet",
                                            "http request",
                                            NULL};
    if (!reason || !tls || !tls->enabled) return NULL;
    for (int i = 0; plaintext[i]; i++)
        if (has(reason, plaintext[i]))
            return "the server does not speak TLS on this port: plaintext port?";
    if (has(reason, "TLS handshake timed out"))
        return "no TLS answer: the server does not speak TLS on this port? plaintext port?";
    if (has(reason, "verify failed") || has(reason, "not trusted") ||
        has(reason, "verification failed") || has(reason, "unknown ca") || has(reason, "issuer"))
        return "the server certificate is not trusted: check --cacert or --cacertdir, and --sni "
               "for the expected name";
    if (!tls->cert_file &&
        (has(reason, "certificate required") || has(reason, "handshake failure") ||
         has(reason, "bad certificate") || has(reason, "certificate is required")))
        return "the server requires a client certificate: use --cert and --key";
    return NULL;
}

char *kpc_option_names(const char *text) {
    static const char *const map[][2] = {
        {"tls-ca-cert-file", "--cacert"},           {"tls-ca-cert-dir", "--cacertdir"},
        {"tls-client-cert-file", "--cert"},         {"tls-client-key-file", "--key"},
        {"tls-ciphersuites", "--tls-ciphersuites"}, {"tls-ciphers", "--tls-ciphers"},
        {"tls-protocols", "--tls-protocols"},       {"tls-session-caching", "--tls-resume"}};
    kstr out = kstr_empty();
    const char *p = text;
    while (*p) {
        int hit = 0;
        for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
            size_t n = strlen(map[i][0]);
            if (!strncmp(p, map[i][0], n) && p[n] != '-') {
                out = kstr_cat_cstr(out, map[i][1]);
                p += n;
                hit = 1;
                break;
            }
        }
        if (!hit) out = kstr_cat(out, p++, 1);
    }
    return out;
}
