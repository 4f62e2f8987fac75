/* Entry point and descriptor of the GnuTLS transport ("gnutls"). */
#include <string.h>

#include "gtls.h"

/* tlsc_config_keys plus the plugin's own key; filled once by the entry
 * point (tlscommon's list has no compile-time length here). */
#define GTLS_MAX_KEYS 64
static const char *config_keys[GTLS_MAX_KEYS];

/* loadtransport gnutls: no arguments. */
static int gtls_init(int argc, const char *const *argv, char *err, size_t errlen) {
    if (argc > 0)
        return tlsc_errf(err, errlen, "unknown argument '%s' (the gnutls transport takes none)",
                         argv[0]);
    return 0;
}

static const kp_transport descriptor = {
    .hdr = KP_TRANSPORT_HEADER,
    .fingerprint = KP_FINGERPRINT_INIT,
    .name = GTLS_NAME,
    .version = "0.1.0",
    .description = "TLS over any stream transport, using GnuTLS",
    .license = "BSD-3-Clause",
    .caps = KP_CAP_LAYERED | KP_CAP_TLS | KP_CAP_CLIENT_CERT | KP_CAP_PEER_CERT |
            KP_CAP_TLS13_CIPHERSUITES | KP_CAP_SESSION_RESUME | KP_CAP_WRITEV | KP_CAP_DH_PARAMS,
    .conn_size = sizeof(gtls_conn),
    .config_keys = config_keys,
    .init = gtls_init,
    .ctx_new = gtls_ctx_new,
    .ctx_free = gtls_ctx_free,
    .ctx_info = gtls_ctx_info,
    .conn_init = gtls_conn_init,
    .handshake = gtls_handshake,
    .read = gtls_read,
    .write = gtls_write,
    .writev = gtls_writev,
    .has_pending = gtls_has_pending,
    .close = gtls_close,
    .last_error = gtls_last_error,
    .peer_identity = gtls_peer_identity,
    .conn_info = gtls_conn_info,
};

static int fill_keys(char *err, size_t errlen) {
    size_t n = 0;
    for (const char *const *k = tlsc_config_keys; *k; k++) {
        if (n + 2 >= GTLS_MAX_KEYS) return tlsc_errf(err, errlen, "too many configuration keys");
        config_keys[n++] = *k;
    }
    config_keys[n++] = GTLS_KEY_PRIORITY;
    config_keys[n] = NULL;
    return 0;
}

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    if (tlsc_init(host, GTLS_NAME, err, errlen)) return -1;
    if (!gnutls_check_version(GTLS_MIN_VERSION))
        return tlsc_errf(err, errlen, "needs GnuTLS %s or newer at run time, found %s",
                         GTLS_MIN_VERSION, gnutls_check_version(NULL));
    int rc = gnutls_global_init();
    if (rc < 0)
        return tlsc_errf(err, errlen, "GnuTLS library initialisation failed: %s",
                         gnutls_strerror(rc));
    if (fill_keys(err, errlen)) return -1;
    *out = &descriptor;
    return 0;
}
