/* Loading the material a context needs: its certificate chain and private
 * key (validity dates and key/certificate match checked), the CAs that
 * verify peers, and DH parameters. Files are read by tlscommon so that
 * unreadable files are reported with the path and the system's reason;
 * messages match the OpenSSL transport's where the problem is the same. */
#include <string.h>

#include "gtls.h"

/* Reads path into a host allocation described by d. */
static int read_datum(const char *what, const char *path, gnutls_datum_t *d, char *err,
                      size_t errlen) {
    char *data;
    size_t len;
    if (tlsc_read_file(what, path, &data, &len, err, errlen)) return -1;
    d->data = (unsigned char *)data;
    d->size = (unsigned)len;
    return 0;
}

/* Releases a datum from read_datum, wiping it (key files hold secrets). */
static void drop_datum(gnutls_datum_t *d) {
    if (!d->data) return;
    gnutls_memset(d->data, 0, d->size);
    tlsc_free(d->data);
    d->data = NULL;
}

static int fail_lib(const char *what, const char *path, const char *text, int rc, char *err,
                    size_t errlen) {
    return tlsc_errf(err, errlen, "%s '%s': %s (%s)", what, path, text, gnutls_strerror(rc));
}

char *gtls_crt_subject(gnutls_x509_crt_t crt) {
    gnutls_datum_t dn = {NULL, 0};
    if (gnutls_x509_crt_get_dn3(crt, &dn, 0) < 0) return NULL;
    char *s = tlsc_alloc(dn.size + 1);
    memcpy(s, dn.data, dn.size);
    s[dn.size] = '\0';
    gnutls_free(dn.data);
    return s;
}

/* Uppercase hex of the serial without leading zero bytes, as OpenSSL's
 * BN_bn2hex prints it. */
static char *serial_hex(gnutls_x509_crt_t crt) {
    unsigned char raw[64];
    size_t n = sizeof(raw);
    if (gnutls_x509_crt_get_serial(crt, raw, &n) < 0) return tlsc_strdup("");
    size_t i = 0;
    while (i + 1 < n && raw[i] == 0) i++;
    char *hex = tlsc_alloc(2 * (n - i) + 2);
    size_t o = 0;
    static const char digits[] = "0123456789ABCDEF";
    for (; i < n; i++) {
        hex[o++] = digits[raw[i] >> 4];
        hex[o++] = digits[raw[i] & 15];
    }
    hex[o] = '\0';
    if (o == 0) strcpy(hex, "0");
    return hex;
}

static void free_chain(gnutls_x509_crt_t *crts, unsigned n) {
    for (unsigned i = 0; i < n; i++) gnutls_x509_crt_deinit(crts[i]);
    gnutls_free(crts);
}

static int load_chain(const tlsc_identity *id, gnutls_x509_crt_t **crts, unsigned *n, char *err,
                      size_t errlen) {
    gnutls_datum_t d;
    if (read_datum(id->cert_what, id->cert_file, &d, err, errlen)) return -1;
    int rc = gnutls_x509_crt_list_import2(crts, n, &d, GNUTLS_X509_FMT_PEM, 0);
    drop_datum(&d);
    if (rc < 0 || *n == 0) {
        if (rc >= 0) rc = GNUTLS_E_NO_CERTIFICATE_FOUND;
        return fail_lib(id->cert_what, id->cert_file, "no PEM certificate found", rc, err, errlen);
    }
    time_t now = time(NULL);
    time_t nb = gnutls_x509_crt_get_activation_time((*crts)[0]);
    time_t na = gnutls_x509_crt_get_expiration_time((*crts)[0]);
    if (nb == (time_t)-1 || na == (time_t)-1) {
        free_chain(*crts, *n);
        return tlsc_errf(err, errlen, "%s '%s': unreadable validity dates", id->cert_what,
                         id->cert_file);
    }
    if (tlsc_check_validity(id->cert_what, id->cert_file, nb, na, now, err, errlen)) {
        free_chain(*crts, *n);
        return -1;
    }
    tlsc_warn_if_expiring(id->cert_what, id->cert_file, na, now);
    return 0;
}

/* An encrypted PEM key: PKCS#8 "ENCRYPTED PRIVATE KEY" or the legacy
 * OpenSSL "Proc-Type: 4,ENCRYPTED" header. */
static int pem_is_encrypted(const gnutls_datum_t *d) {
    const char *s = (const char *)d->data;
    return strstr(s, "-----BEGIN ENCRYPTED PRIVATE KEY-----") != NULL ||
           strstr(s, "Proc-Type: 4,ENCRYPTED") != NULL;
}

static int load_key(const tlsc_identity *id, gnutls_x509_privkey_t *key, char *err, size_t errlen) {
    gnutls_datum_t d;
    if (read_datum(id->key_what, id->key_file, &d, err, errlen)) return -1;
    int encrypted = pem_is_encrypted(&d);
    if (encrypted && !id->key_pass) {
        drop_datum(&d);
        return tlsc_errf(err, errlen, "%s '%s': the key is encrypted; set %s-pass", id->key_what,
                         id->key_file, id->key_what);
    }
    int rc = gnutls_x509_privkey_init(key);
    if (rc == 0)
        rc = gnutls_x509_privkey_import2(*key, &d, GNUTLS_X509_FMT_PEM,
                                         encrypted ? id->key_pass : NULL, 0);
    drop_datum(&d);
    if (rc == 0) return 0;
    gnutls_x509_privkey_deinit(*key);
    *key = NULL;
    if (encrypted)
        return tlsc_errf(err, errlen, "%s '%s': cannot decrypt the key: wrong %s-pass",
                         id->key_what, id->key_file, id->key_what);
    return fail_lib(id->key_what, id->key_file, "no PEM private key found", rc, err, errlen);
}

int gtls_load_identity(gtls_ctx *x, const tlsc_config *cfg, char *err, size_t errlen) {
    tlsc_identity id;
    tlsc_config_identity(cfg, &id);
    if (!id.cert_file) return 0; /* a client may present no certificate */
    gnutls_x509_crt_t *crts = NULL;
    unsigned n = 0;
    gnutls_x509_privkey_t key = NULL;
    if (load_chain(&id, &crts, &n, err, errlen)) return -1;
    if (load_key(&id, &key, err, errlen)) {
        free_chain(crts, n);
        return -1;
    }
    int rc = gnutls_certificate_set_x509_key(x->cred, crts, n, key);
    gnutls_x509_privkey_deinit(key);
    if (rc < 0) {
        free_chain(crts, n);
        if (rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH)
            return tlsc_errf(err, errlen, "%s '%s' does not match %s '%s'", id.key_what,
                             id.key_file, id.cert_what, id.cert_file);
        return fail_lib(id.key_what, id.key_file, "key refused", rc, err, errlen);
    }
    x->cert_file = tlsc_strdup(id.cert_file);
    x->cert_subject = gtls_crt_subject(crts[0]);
    x->cert_serial = serial_hex(crts[0]);
    x->cert_not_after = gnutls_x509_crt_get_expiration_time(crts[0]);
    free_chain(crts, n);
    return 0;
}

static int load_ca_file(gtls_ctx *x, const char *path, char *err, size_t errlen) {
    const char *what = "tls-ca-cert-file";
    gnutls_datum_t d;
    if (read_datum(what, path, &d, err, errlen)) return -1;
    int rc = gnutls_certificate_set_x509_trust_mem(x->cred, &d, GNUTLS_X509_FMT_PEM);
    drop_datum(&d);
    if (rc <= 0) return tlsc_errf(err, errlen, "%s '%s': no PEM certificate found", what, path);
    return 0;
}

int gtls_load_ca(gtls_ctx *x, const tlsc_config *cfg, char *err, size_t errlen) {
    if (cfg->ca_cert_file && load_ca_file(x, cfg->ca_cert_file, err, errlen)) return -1;
    if (cfg->ca_cert_dir) {
        const char *what = "tls-ca-cert-dir";
        if (tlsc_check_dir(what, cfg->ca_cert_dir, err, errlen)) return -1;
        int rc =
            gnutls_certificate_set_x509_trust_dir(x->cred, cfg->ca_cert_dir, GNUTLS_X509_FMT_PEM);
        if (rc < 0)
            return fail_lib(what, cfg->ca_cert_dir, "cannot use directory", rc, err, errlen);
        if (rc == 0)
            tlsc_log(KP_LOG_WARNING, "%s '%s': no PEM certificate found in the directory", what,
                     cfg->ca_cert_dir);
    }
    return 0;
}

int gtls_load_dh(gtls_ctx *x, const tlsc_config *cfg, char *err, size_t errlen) {
    const char *what = "tls-dh-params-file";
    if (!cfg->dh_params_file) {
        /* The library's group for the credentials' strength (RFC 7919). */
        int rc = gnutls_certificate_set_known_dh_params(x->cred, GNUTLS_SEC_PARAM_MEDIUM);
        if (rc < 0)
            return tlsc_errf(err, errlen, "cannot set default DH parameters (%s)",
                             gnutls_strerror(rc));
        return 0;
    }
    gnutls_datum_t d;
    if (read_datum(what, cfg->dh_params_file, &d, err, errlen)) return -1;
    int rc = gnutls_dh_params_init(&x->dh);
    if (rc == 0) rc = gnutls_dh_params_import_pkcs3(x->dh, &d, GNUTLS_X509_FMT_PEM);
    drop_datum(&d);
    if (rc < 0)
        return fail_lib(what, cfg->dh_params_file, "no PEM DH parameters found", rc, err, errlen);
    gnutls_certificate_set_dh_params(x->cred, x->dh);
    return 0;
}
