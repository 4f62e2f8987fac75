/*
 * tls-auto-reload-interval: every N seconds, the cron compares a signature
 * of the files each TLS listener uses (path, inode, size, modification time)
 * with the one seen last time, and reloads the listeners whose files changed
 * through the same atomic path as CONFIG SET: the new context is built
 * first, and on failure the old one stays and the reason is logged.
 */
#include <string.h>
#include <sys/stat.h>

#include "listen.h"
#include "server.h"

static const char *const tls_file_keys[] = {
    "tls-cert-file",       "tls-key-file",       "tls-client-cert-file",
    "tls-client-key-file", "tls-dh-params-file", "tls-ca-cert-file",
    "tls-ca-cert-dir",     "tls-key-file-pass",  "tls-client-key-file-pass"};

/* The value a listener's context was built from: its own key, else the
 * global default. */
static const char *listener_value(listener *l, const char *key) {
    for (int i = 0; i < l->nkv; i++)
        if (strcmp(l->keys[i], key) == 0) return l->vals[i];
    return transport_default_get(key);
}

static uint64_t mix(uint64_t h, const void *p, size_t len) {
    const unsigned char *b = p;
    for (size_t i = 0; i < len; i++) h = (h ^ b[i]) * 1099511628211ULL; /* FNV-1a */
    return h;
}

static uint64_t files_signature(listener *l) {
    uint64_t h = 1469598103934665603ULL;
    for (size_t i = 0; i < sizeof(tls_file_keys) / sizeof(tls_file_keys[0]); i++) {
        const char *v = listener_value(l, tls_file_keys[i]);
        if (!v || !v[0]) continue;
        h = mix(h, v, strlen(v) + 1);
        if (strstr(tls_file_keys[i], "-pass")) continue; /* a value, not a file */
        struct stat st;
        if (stat(v, &st) != 0) {
            h = mix(h, "missing", 7);
            continue;
        }
        h = mix(h, &st.st_ino, sizeof(st.st_ino));
        h = mix(h, &st.st_size, sizeof(st.st_size));
        h = mix(h, &st.st_mtim, sizeof(st.st_mtim));
        h = mix(h, &st.st_ctim, sizeof(st.st_ctim));
    }
    return h;
}

void tls_auto_reload_cron(void) {
    if (server.tls_auto_reload_interval <= 0) return;
    if (server.mstime - server.tls_auto_reload_last < server.tls_auto_reload_interval * 1000LL)
        return;
    server.tls_auto_reload_last = server.mstime;
    for (int i = 0; i < listener_count(); i++) {
        listener *l = listener_at(i);
        if (!l->layer || !(l->layer->ops->caps & KP_CAP_TLS)) continue;
        uint64_t sig = files_signature(l);
        if (l->files_sig == 0 || sig == l->files_sig) {
            l->files_sig = sig;
            continue;
        }
        char desc[256], err[1024];
        listener_describe(l, desc, sizeof(desc));
        if (listener_reconfigure(l, err, sizeof(err)) == 0) {
            server.stat_tls_auto_reloads++;
            server_log(LL_NOTICE, "TLS files of listener %s changed: reloaded", desc);
        } else {
            server.stat_tls_auto_reload_failures++;
            server_log(LL_WARNING,
                       "TLS files of listener %s changed but cannot be loaded, the previous "
                       "certificates stay in use: %s",
                       desc, err);
        }
        /* Remember the new state either way: a broken file is reported once,
         * and its next change is tried again. */
        l->files_sig = sig;
    }
}
