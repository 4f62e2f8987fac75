/* Entry point and descriptor of the OpenSSL transport ("openssl"). */
#include <string.h>
#include <strings.h>

#include "ossl.h"

ossl_settings ossl_opts = {.release_buffers = 1};

/* loadtransport openssl [release-buffers yes|no] */
static int ossl_init(int argc, const char *const *argv, char *err, size_t errlen) {
    for (int i = 0; i < argc; i++) {
        if (!strcasecmp(argv[i], "release-buffers") && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcasecmp(v, "yes"))
                ossl_opts.release_buffers = 1;
            else if (!strcasecmp(v, "no"))
                ossl_opts.release_buffers = 0;
            else
                return tlsc_errf(err, errlen, "release-buffers: '%s' is not one of yes, no", v);
            continue;
        }
        return tlsc_errf(err, errlen, "unknown argument '%s' (accepted: release-buffers yes|no)",
                         argv[i]);
    }
    return 0;
}

static const kp_transport descriptor = {
    .hdr = KP_TRANSPORT_HEADER,
    .fingerprint = KP_FINGERPRINT_INIT,
    .name = OSSL_NAME,
    .version = "0.1.0",
    .description = "TLS over any stream transport, using OpenSSL",
    .license = "BSD-3-Clause",
    .caps = KP_CAP_LAYERED | KP_CAP_TLS | KP_CAP_CLIENT_CERT | KP_CAP_PEER_CERT |
            KP_CAP_TLS13_CIPHERSUITES | KP_CAP_SESSION_RESUME | KP_CAP_WRITEV | KP_CAP_DH_PARAMS,
    .conn_size = sizeof(ossl_conn),
    .config_keys = tlsc_config_keys,
    .init = ossl_init,
    .ctx_new = ossl_ctx_new,
    .ctx_free = ossl_ctx_free,
    .ctx_info = ossl_ctx_info,
    .conn_init = ossl_conn_init,
    .handshake = ossl_handshake,
    .read = ossl_read,
    .write = ossl_write,
    .writev = ossl_writev,
    .has_pending = ossl_has_pending,
    .close = ossl_close,
    .last_error = ossl_last_error,
    .peer_identity = ossl_peer_identity,
    .conn_info = ossl_conn_info,
};

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    if (tlsc_init(host, OSSL_NAME, err, errlen)) return -1;
    if (!OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL))
        return tlsc_errf(err, errlen, "OpenSSL library initialisation failed");
    if (OpenSSL_version_num() < 0x30000000L)
        return tlsc_errf(err, errlen, "needs OpenSSL 3.0 or newer at run time, found %s",
                         OpenSSL_version(OPENSSL_VERSION));
    if (ossl_bio_init(err, errlen)) return -1;
    *out = &descriptor;
    return 0;
}
