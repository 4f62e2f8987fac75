/* Loading the material a context needs: its certificate chain and private
 * key (with validity dates and key/certificate match checked), the CAs that
 * verify peers, and DH parameters. Files are read by tlscommon so that
 * unreadable files are reported with the path and the system's reason. */
#include <string.h>

#include <openssl/bio.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "ossl.h"

#define LIBERR_MAX 200

int ossl_asn1_time(const ASN1_TIME *t, time_t *out) {
    struct tm tm;
    if (!t || !ASN1_TIME_to_tm(t, &tm)) return -1;
    *out = timegm(&tm);
    return 0;
}

char *ossl_name_oneline(const X509_NAME *name) {
    BIO *b = BIO_new(BIO_s_mem());
    char *text = NULL;
    if (!b) return NULL;
    if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        char *p;
        long n = BIO_get_mem_data(b, &p);
        text = tlsc_alloc((size_t)n + 1);
        memcpy(text, p, (size_t)n);
        text[n] = '\0';
    }
    BIO_free(b);
    return text;
}

/* Reads path into a memory BIO (NULL with err set on failure). */
static BIO *file_bio(const char *what, const char *path, char *err, size_t errlen) {
    char *data;
    size_t len;
    if (tlsc_read_file(what, path, &data, &len, err, errlen)) return NULL;
    BIO *b = BIO_new(BIO_s_mem());
    if (!b || BIO_write(b, data, (int)len) != (int)len) {
        BIO_free(b);
        b = NULL;
        tlsc_errf(err, errlen, "%s '%s': out of memory", what, path);
    }
    OPENSSL_cleanse(data, len); /* key files hold secrets */
    tlsc_free(data);
    return b;
}

static int fail_lib(const char *what, const char *path, const char *text, char *err,
                    size_t errlen) {
    char lib[LIBERR_MAX];
    ossl_err_drain(lib, sizeof(lib));
    if (lib[0]) return tlsc_errf(err, errlen, "%s '%s': %s (%s)", what, path, text, lib);
    return tlsc_errf(err, errlen, "%s '%s': %s", what, path, text);
}

static int check_dates(X509 *cert, const char *what, const char *path, time_t *not_after, char *err,
                       size_t errlen) {
    time_t nb, na, now = time(NULL);
    if (ossl_asn1_time(X509_get0_notBefore(cert), &nb) ||
        ossl_asn1_time(X509_get0_notAfter(cert), &na))
        return fail_lib(what, path, "unreadable validity dates", err, errlen);
    if (tlsc_check_validity(what, path, nb, na, now, err, errlen)) return -1;
    tlsc_warn_if_expiring(what, path, na, now);
    *not_after = na;
    return 0;
}

/* Loads the leaf certificate and its chain; on success *leaf holds a
 * reference the caller frees. */
static int load_chain(SSL_CTX *sc, const char *what, const char *path, X509 **leaf,
                      time_t *not_after, char *err, size_t errlen) {
    BIO *b = file_bio(what, path, err, errlen);
    if (!b) return -1;
    X509 *cert = PEM_read_bio_X509_AUX(b, NULL, NULL, NULL);
    if (!cert) {
        BIO_free(b);
        return fail_lib(what, path, "no PEM certificate found", err, errlen);
    }
    if (check_dates(cert, what, path, not_after, err, errlen)) {
        X509_free(cert);
        BIO_free(b);
        return -1;
    }
    if (!SSL_CTX_use_certificate(sc, cert) || !SSL_CTX_clear_chain_certs(sc)) {
        X509_free(cert);
        BIO_free(b);
        return fail_lib(what, path, "certificate refused", err, errlen);
    }
    X509 *ca;
    while ((ca = PEM_read_bio_X509(b, NULL, NULL, NULL)) != NULL) {
        if (!SSL_CTX_add0_chain_cert(sc, ca)) {
            X509_free(ca);
            X509_free(cert);
            BIO_free(b);
            return fail_lib(what, path, "chain certificate refused", err, errlen);
        }
    }
    ERR_clear_error(); /* the end of the file reads as "no start line" */
    BIO_free(b);
    *leaf = cert;
    return 0;
}

typedef struct pass_state {
    const char *pass;
    int asked;
} pass_state;

static int pass_cb(char *buf, int size, int rwflag, void *u) {
    pass_state *st = u;
    st->asked = 1;
    if (!st->pass) return -1;
    size_t n = strlen(st->pass);
    if (n > (size_t)size) return -1;
    memcpy(buf, st->pass, n);
    return (int)n;
}

static int load_key(SSL_CTX *sc, const tlsc_identity *id, X509 *leaf, char *err, size_t errlen) {
    BIO *b = file_bio(id->key_what, id->key_file, err, errlen);
    if (!b) return -1;
    pass_state st = {id->key_pass, 0};
    EVP_PKEY *key = PEM_read_bio_PrivateKey(b, NULL, pass_cb, &st);
    BIO_free(b);
    if (!key) {
        if (st.asked && !st.pass) {
            ERR_clear_error();
            return tlsc_errf(err, errlen, "%s '%s': the key is encrypted; set %s-pass",
                             id->key_what, id->key_file, id->key_what);
        }
        if (st.asked) {
            ERR_clear_error();
            return tlsc_errf(err, errlen, "%s '%s': cannot decrypt the key: wrong %s-pass",
                             id->key_what, id->key_file, id->key_what);
        }
        return fail_lib(id->key_what, id->key_file, "no PEM private key found", err, errlen);
    }
    if (!X509_check_private_key(leaf, key)) {
        EVP_PKEY_free(key);
        ERR_clear_error();
        return tlsc_errf(err, errlen, "%s '%s' does not match %s '%s'", id->key_what, id->key_file,
                         id->cert_what, id->cert_file);
    }
    int ok = SSL_CTX_use_PrivateKey(sc, key);
    EVP_PKEY_free(key);
    if (!ok) return fail_lib(id->key_what, id->key_file, "key refused", err, errlen);
    return 0;
}

static char *serial_hex(X509 *cert) {
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    char *hex = bn ? BN_bn2hex(bn) : NULL;
    char *copy = tlsc_strdup(hex ? hex : "");
    OPENSSL_free(hex);
    BN_free(bn);
    return copy;
}

int ossl_load_identity(SSL_CTX *sc, const tlsc_config *cfg, ossl_ctx *x, char *err, size_t errlen) {
    tlsc_identity id;
    tlsc_config_identity(cfg, &id);
    if (!id.cert_file) return 0; /* a client may present no certificate */
    X509 *leaf = NULL;
    time_t not_after = 0;
    if (load_chain(sc, id.cert_what, id.cert_file, &leaf, &not_after, err, errlen)) return -1;
    if (load_key(sc, &id, leaf, err, errlen)) {
        X509_free(leaf);
        return -1;
    }
    x->cert_file = tlsc_strdup(id.cert_file);
    x->cert_subject = ossl_name_oneline(X509_get_subject_name(leaf));
    x->cert_serial = serial_hex(leaf);
    x->cert_not_after = not_after;
    X509_free(leaf);
    return 0;
}

static int load_ca_file(SSL_CTX *sc, const char *path, char *err, size_t errlen) {
    const char *what = "tls-ca-cert-file";
    BIO *b = file_bio(what, path, err, errlen);
    if (!b) return -1;
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(b, NULL, NULL, NULL);
    BIO_free(b);
    if (!infos) return fail_lib(what, path, "cannot parse PEM", err, errlen);
    X509_STORE *store = SSL_CTX_get_cert_store(sc);
    int added = 0, rc = 0;
    for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (!info->x509) continue;
        if (!X509_STORE_add_cert(store, info->x509)) {
            rc = fail_lib(what, path, "certificate refused by the store", err, errlen);
            break;
        }
        added++;
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    if (rc) return rc;
    if (!added) return tlsc_errf(err, errlen, "%s '%s': no PEM certificate found", what, path);
    return 0;
}

int ossl_load_ca(SSL_CTX *sc, const tlsc_config *cfg, char *err, size_t errlen) {
    if (cfg->ca_cert_file && load_ca_file(sc, cfg->ca_cert_file, err, errlen)) return -1;
    if (cfg->ca_cert_dir) {
        if (tlsc_check_dir("tls-ca-cert-dir", cfg->ca_cert_dir, err, errlen)) return -1;
        if (!SSL_CTX_load_verify_dir(sc, cfg->ca_cert_dir))
            return fail_lib("tls-ca-cert-dir", cfg->ca_cert_dir, "cannot use directory", err,
                            errlen);
    }
    return 0;
}

int ossl_load_dh(SSL_CTX *sc, const tlsc_config *cfg, char *err, size_t errlen) {
    const char *what = "tls-dh-params-file";
    if (!cfg->dh_params_file) {
        SSL_CTX_set_dh_auto(sc, 1);
        return 0;
    }
    BIO *b = file_bio(what, cfg->dh_params_file, err, errlen);
    if (!b) return -1;
    EVP_PKEY *dh = PEM_read_bio_Parameters(b, NULL);
    BIO_free(b);
    if (!dh || !(EVP_PKEY_is_a(dh, "DH") || EVP_PKEY_is_a(dh, "DHX"))) {
        EVP_PKEY_free(dh);
        return fail_lib(what, cfg->dh_params_file, "no PEM DH parameters found", err, errlen);
    }
    if (!SSL_CTX_set0_tmp_dh_pkey(sc, dh)) {
        EVP_PKEY_free(dh);
        return fail_lib(what, cfg->dh_params_file, "DH parameters refused", err, errlen);
    }
    return 0;
}
