/*
 * Unit tests of transports/tlscommon, the library-independent code both TLS
 * plugins build in: tls-* parsing and validation, certificate date checks,
 * plaintext-client detection and reply, write gathering, file errors and
 * counters. The sources are compiled into this test directly (they are
 * plugin code, not server objects), over a minimal fake host.
 */
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../transports/tlscommon/tlsc_config.c"
#include "../../transports/tlscommon/tlsc_error.c"
#include "../../transports/tlscommon/tlsc_file.c"
#include "../../transports/tlscommon/tlsc_gather.c"
#include "../../transports/tlscommon/tlsc_host.c"
#include "../../transports/tlscommon/tlsc_session.c"
#include "../../transports/tlscommon/tlsc_sniff.c"
#include "../../transports/tlscommon/tlsc_stats.c"
#include "../../transports/tlscommon/tlsc_time.c"

/* ---- fake host: raw I/O over two byte queues ---- */

typedef struct fake_conn {
    const char *in; /* bytes the peer sent */
    size_t inlen, inpos;
    char out[512]; /* bytes written to the peer */
    size_t outlen;
} fake_conn;

static char last_log[1024];

static void fake_log(kp_log_level level, const char *t, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(last_log, sizeof(last_log), fmt, ap);
    va_end(ap);
}

static void *fake_alloc(size_t n) {
    return malloc(n);
}
static void *fake_calloc(size_t a, size_t b) {
    return calloc(a, b);
}
static void *fake_realloc(void *p, size_t n) {
    return realloc(p, n);
}
static int64_t fake_mono(void) {
    return 0;
}

static kp_result fake_read(kp_conn *c, void *buf, size_t len, kp_io *io) {
    fake_conn *f = (fake_conn *)c;
    if (f->inpos == f->inlen) {
        io->need = KP_NEED_READ;
        return KP_AGAIN;
    }
    size_t n = f->inlen - f->inpos < len ? f->inlen - f->inpos : len;
    memcpy(buf, f->in + f->inpos, n);
    f->inpos += n;
    io->done = n;
    return KP_OK;
}

static kp_result fake_write(kp_conn *c, const void *buf, size_t len, kp_io *io) {
    fake_conn *f = (fake_conn *)c;
    size_t n = sizeof(f->out) - f->outlen < len ? sizeof(f->out) - f->outlen : len;
    memcpy(f->out + f->outlen, buf, n);
    f->outlen += n;
    io->done = n;
    return KP_OK;
}

static kp_host_api fake_host = {{KP_ABI_MAJOR, KP_ABI_MINOR, sizeof(kp_host_api)},
                                KP_FINGERPRINT_INIT,
                                "test",
                                fake_log,
                                fake_alloc,
                                fake_calloc,
                                fake_realloc,
                                free,
                                fake_mono,
                                fake_read,
                                fake_write};

/* ---- helpers ---- */

static char err[512];

/* Parses "key=value" strings for role. Returns tlsc_config_parse's result. */
static int parse(kp_role role, tlsc_config *cfg, int n, ...) {
    kp_kv kv[32];
    char buf[32][256];
    va_list ap;
    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        snprintf(buf[i], sizeof(buf[i]), "%s", va_arg(ap, const char *));
        char *eq = strchr(buf[i], '=');
        *eq = '\0';
        kv[i].key = buf[i];
        kv[i].value = eq + 1;
    }
    va_end(ap);
    err[0] = '\0';
    return tlsc_config_parse(role, kv, (size_t)n, cfg, NULL, NULL, err, sizeof(err));
}

#define SERVER_FILES "tls-cert-file=a.crt", "tls-key-file=a.key"

/* ---- config ---- */

static void test_init_checks_host(void) {
    kp_host_api bad = fake_host;
    bad.hdr.abi_major = 2;
    CU_ASSERT_EQUAL(tlsc_init(&bad, "t", err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "t: host ABI 2.1, plugin built for 1.1");
    bad = fake_host;
    bad.fingerprint.ptr_size = 3;
    CU_ASSERT_EQUAL(tlsc_init(&bad, "t", err, sizeof(err)), -1);
    CU_ASSERT_EQUAL(tlsc_init(&fake_host, "t", err, sizeof(err)), 0);
}

static void test_defaults(void) {
    tlsc_config cfg;
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-ca-cert-file=ca.crt"), 0);
    CU_ASSERT_EQUAL(cfg.auth_clients, TLSC_AUTH_YES);
    CU_ASSERT_EQUAL(cfg.auth_user, TLSC_USER_OFF);
    CU_ASSERT_EQUAL(cfg.protocols, TLSC_PROTO_TLS1_2 | TLSC_PROTO_TLS1_3);
    CU_ASSERT_EQUAL(cfg.session_caching, 1);
    CU_ASSERT_EQUAL(cfg.session_cache_size, 20480);
    CU_ASSERT_EQUAL(cfg.session_cache_timeout, 300);
    CU_ASSERT_EQUAL(cfg.prefer_server_ciphers, 0);
    CU_ASSERT_PTR_NULL(cfg.ciphers);
    CU_ASSERT_STRING_EQUAL(cfg.cert_file, "a.crt");
    tlsc_config_free(&cfg);
    CU_ASSERT_PTR_NULL(cfg.cert_file);
}

static void test_values(void) {
    tlsc_config cfg;
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 10, SERVER_FILES, "tls-auth-clients=OPTIONAL",
                          "tls-ca-cert-dir=/etc/ssl/certs", "tls-auth-clients-user=cn",
                          "tls-protocols=tlsv1.2,  TLSv1", "tls-session-caching=no",
                          "tls-session-cache-size=0", "tls-prefer-server-ciphers=yes",
                          "tls-ciphers=HIGH"),
                    0);
    CU_ASSERT_EQUAL(cfg.auth_clients, TLSC_AUTH_OPTIONAL);
    CU_ASSERT_EQUAL(cfg.auth_user, TLSC_USER_CN);
    CU_ASSERT_EQUAL(cfg.protocols, TLSC_PROTO_TLS1_0 | TLSC_PROTO_TLS1_2);
    CU_ASSERT_EQUAL(cfg.session_caching, 0);
    CU_ASSERT_EQUAL(cfg.session_cache_size, 0);
    CU_ASSERT_EQUAL(cfg.prefer_server_ciphers, 1);
    CU_ASSERT_STRING_EQUAL(cfg.ciphers, "HIGH");
    tlsc_config_free(&cfg);
}

static void test_empty_unsets_and_empty_protocols_default(void) {
    tlsc_config cfg;
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 5, SERVER_FILES, "tls-auth-clients=no",
                          "tls-ciphers=", "tls-protocols="),
                    0);
    CU_ASSERT_PTR_NULL(cfg.ciphers);
    CU_ASSERT_EQUAL(cfg.protocols, TLSC_PROTO_DEFAULT);
    tlsc_config_free(&cfg);
}

static void test_errors(void) {
    tlsc_config cfg;
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-auth-clients=maybe"), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-auth-clients: 'maybe' is not one of yes, no, optional");
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-protocols=TLSv1.2 SSLv3"),
                    -1);
    CU_ASSERT_STRING_EQUAL(err,
                           "tls-protocols: unknown protocol 'SSLv3' (use TLSv1, TLSv1.1, TLSv1.2, "
                           "TLSv1.3)");
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-session-cache-size=-1"), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-session-cache-size: '-1' is not an integer between 0 and "
                                "2147483647");
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-session-cache-timeout=5x"),
                    -1);
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-session-caching=maybe"), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-session-caching: 'maybe' is not one of yes, no");
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-auth-clients-user=DN"), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-auth-clients-user: 'DN' is not one of CN, URI, off");
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-bogus=1"), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-bogus: unknown TLS directive");
}

static void test_validation(void) {
    tlsc_config cfg;
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 2, SERVER_FILES), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-auth-clients yes verifies client certificates and needs "
                                "tls-ca-cert-file or tls-ca-cert-dir (or set tls-auth-clients no)");
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-auth-clients=optional"), -1);
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 1, "tls-auth-clients=no"), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-cert-file and tls-key-file are required for a TLS listener");
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 2, "tls-cert-file=a.crt", "tls-auth-clients=no"),
                    -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-cert-file is set but tls-key-file is not: both are needed");
    CU_ASSERT_EQUAL(parse(KP_ROLE_CLIENT, &cfg, 1, "tls-client-key-file=c.key"), -1);
    CU_ASSERT_STRING_EQUAL(err,
                           "tls-client-key-file is set but tls-client-cert-file is not: both are "
                           "needed");
    /* A client needs nothing: no certificate, no CA (handshakes then fail). */
    CU_ASSERT_EQUAL(parse(KP_ROLE_CLIENT, &cfg, 0), 0);
    tlsc_config_free(&cfg);
}

static void test_client_keys(void) {
    tlsc_config cfg;
    /* Outgoing contexts verify and keep no sessions unless asked. */
    CU_ASSERT_EQUAL(parse(KP_ROLE_CLIENT, &cfg, 0), 0);
    CU_ASSERT_EQUAL(cfg.session_caching, 0);
    CU_ASSERT_EQUAL(cfg.verify_peer, 1);
    tlsc_config_free(&cfg);
    CU_ASSERT_EQUAL(parse(KP_ROLE_CLIENT, &cfg, 2, "tls-session-caching=yes", "tls-verify-peer=no"),
                    0);
    CU_ASSERT_EQUAL(cfg.session_caching, 1);
    CU_ASSERT_EQUAL(cfg.verify_peer, 0);
    tlsc_config_free(&cfg);
    CU_ASSERT_EQUAL(parse(KP_ROLE_CLIENT, &cfg, 1, "tls-verify-peer=maybe"), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-verify-peer: 'maybe' is not one of yes, no");
    /* A listener may say yes (the default) but never no. */
    CU_ASSERT_EQUAL(
        parse(KP_ROLE_SERVER, &cfg, 4, SERVER_FILES, "tls-auth-clients=no", "tls-verify-peer=yes"),
        0);
    tlsc_config_free(&cfg);
    CU_ASSERT_EQUAL(parse(KP_ROLE_SERVER, &cfg, 3, SERVER_FILES, "tls-verify-peer=no"), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-verify-peer no applies to outgoing (client) connections only; "
                                "a TLS listener verifies clients as tls-auth-clients says");
}

/* Sessions of the cache test: counted references. */
static int session_refs[TLSC_SESSION_PEERS_MAX + 2];

static void *session_dup_ref(void *s) {
    session_refs[*(int *)s]++;
    return s;
}

static void session_release_ref(void *s) {
    session_refs[*(int *)s]--;
}

static void test_session_cache(void) {
    static int ids[TLSC_SESSION_PEERS_MAX + 2];
    tlsc_session_cache *c = tlsc_session_cache_new(session_dup_ref, session_release_ref);
    for (int i = 0; i < TLSC_SESSION_PEERS_MAX + 2; i++) {
        ids[i] = i;
        session_refs[i] = 1; /* the reference put() takes over */
    }
    CU_ASSERT_PTR_NULL(tlsc_session_cache_get(c, "a"));
    tlsc_session_cache_put(c, "a", &ids[0]);
    tlsc_session_cache_put(c, NULL, &ids[1]);
    int *got = tlsc_session_cache_get(c, "a");
    CU_ASSERT_PTR_EQUAL(got, &ids[0]);
    CU_ASSERT_EQUAL(session_refs[0], 2);
    session_release_ref(got);
    CU_ASSERT_PTR_EQUAL(tlsc_session_cache_get(c, ""), &ids[1]); /* NULL and "" are one key */
    session_release_ref(&ids[1]);
    /* The most recent session per peer replaces the older one. */
    tlsc_session_cache_put(c, "a", &ids[2]);
    CU_ASSERT_EQUAL(session_refs[0], 0);
    CU_ASSERT_PTR_EQUAL(tlsc_session_cache_get(c, "a"), &ids[2]);
    session_release_ref(&ids[2]);
    CU_ASSERT_EQUAL(tlsc_session_cache_count(c), 2);
    /* Full: the least recently stored peer ("" here) goes first. */
    char name[16];
    for (int i = 3; i < TLSC_SESSION_PEERS_MAX + 2; i++) {
        snprintf(name, sizeof(name), "p%d", i);
        tlsc_session_cache_put(c, name, &ids[i]);
    }
    CU_ASSERT_EQUAL(tlsc_session_cache_count(c), TLSC_SESSION_PEERS_MAX);
    CU_ASSERT_EQUAL(session_refs[1], 0);
    CU_ASSERT_PTR_NULL(tlsc_session_cache_get(c, ""));
    CU_ASSERT_EQUAL(session_refs[2], 1);
    tlsc_session_cache_free(c);
    for (int i = 0; i < TLSC_SESSION_PEERS_MAX + 2; i++) CU_ASSERT_EQUAL(session_refs[i], 0);
}

static void test_identity(void) {
    tlsc_config cfg;
    tlsc_identity id;
    CU_ASSERT_EQUAL(parse(KP_ROLE_CLIENT, &cfg, 3, SERVER_FILES, "tls-key-file-pass=p"), 0);
    tlsc_config_identity(&cfg, &id);
    CU_ASSERT_STRING_EQUAL(id.cert_file, "a.crt");
    CU_ASSERT_STRING_EQUAL(id.key_pass, "p");
    CU_ASSERT_STRING_EQUAL(id.key_what, "tls-key-file");
    tlsc_config_free(&cfg);
    CU_ASSERT_EQUAL(parse(KP_ROLE_CLIENT, &cfg, 4, SERVER_FILES, "tls-client-cert-file=c.crt",
                          "tls-client-key-file=c.key"),
                    0);
    tlsc_config_identity(&cfg, &id);
    CU_ASSERT_STRING_EQUAL(id.cert_file, "c.crt");
    CU_ASSERT_PTR_NULL(id.key_pass);
    CU_ASSERT_STRING_EQUAL(id.cert_what, "tls-client-cert-file");
    tlsc_config_free(&cfg);
}

static void test_protocol_helpers(void) {
    char buf[64];
    unsigned p = TLSC_PROTO_TLS1_0 | TLSC_PROTO_TLS1_3;
    tlsc_protocols_format(p, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "TLSv1 TLSv1.3");
    CU_ASSERT_EQUAL(tlsc_protocols_min(p), TLSC_PROTO_TLS1_0);
    CU_ASSERT_EQUAL(tlsc_protocols_max(p), TLSC_PROTO_TLS1_3);
    CU_ASSERT_EQUAL(tlsc_protocols_max(TLSC_PROTO_TLS1_2), TLSC_PROTO_TLS1_2);
}

/* ---- dates ---- */

static void test_time_format(void) {
    char buf[64];
    tlsc_format_utc(86400 * 365, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "1971-01-01 00:00:00 UTC");
    tlsc_format_duration(89 * 86400 + 3 * 3600 + 5, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "89 days 3 hours");
    tlsc_format_duration(-(3600 + 120), buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "1 hour 2 minutes");
    tlsc_format_duration(42, buf, sizeof(buf));
    CU_ASSERT_STRING_EQUAL(buf, "42 seconds");
}

static void test_validity(void) {
    time_t nb = 1000000000, na = nb + 86400 * 30;
    CU_ASSERT_EQUAL(tlsc_check_validity("tls-cert-file", "/c", nb, na, nb + 10, err, sizeof(err)),
                    0);
    CU_ASSERT_EQUAL(
        tlsc_check_validity("tls-cert-file", "/c", nb, na, na + 86400 * 2, err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-cert-file '/c': certificate expired on 2001-10-09 01:46:40 "
                                "UTC (2 days 0 hours ago)");
    CU_ASSERT_EQUAL(tlsc_check_validity("tls-cert-file", "/c", nb, na, nb - 60, err, sizeof(err)),
                    -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-cert-file '/c': certificate is not valid before 2001-09-09 "
                                "01:46:40 UTC (in 1 minute)");
    last_log[0] = '\0';
    tlsc_warn_if_expiring("tls-cert-file", "/c", na, na - 3600);
    CU_ASSERT_STRING_EQUAL(last_log, "tls-cert-file '/c': certificate expires on 2001-10-09 "
                                     "01:46:40 UTC (in 1 hour 0 minutes)");
    last_log[0] = '\0';
    tlsc_warn_if_expiring("tls-cert-file", "/c", na, na - 86400 * 40);
    CU_ASSERT_STRING_EQUAL(last_log, "");
}

/* ---- plaintext detection ---- */

static void test_sniff(void) {
    CU_ASSERT_EQUAL(tlsc_sniff((const unsigned char *)"*1\r\n$4\r\nPING\r\n", 14),
                    TLSC_SNIFF_PLAINTEXT);
    CU_ASSERT_EQUAL(tlsc_sniff((const unsigned char *)"PING\r\n", 6), TLSC_SNIFF_PLAINTEXT);
    CU_ASSERT_EQUAL(tlsc_sniff((const unsigned char *)"P", 1), TLSC_SNIFF_PLAINTEXT);
    CU_ASSERT_EQUAL(tlsc_sniff((const unsigned char *)"\x16\x03\x01\x02", 4), TLSC_SNIFF_TLS);
    CU_ASSERT_EQUAL(tlsc_sniff((const unsigned char *)"\x80\x2e\x01", 3), TLSC_SNIFF_TLS);
    CU_ASSERT_EQUAL(tlsc_sniff((const unsigned char *)"GE\x00T", 4), TLSC_SNIFF_TLS);
}

static void test_reject_plaintext(void) {
    fake_conn f = {.in = "*1\r\n$4\r\nPING\r\n"};
    f.inlen = strlen(f.in);
    tlsc_reject_plaintext((kp_conn *)&f);
    CU_ASSERT_EQUAL(f.inpos, f.inlen); /* drained */
    CU_ASSERT_EQUAL(f.outlen, strlen(TLSC_PLAINTEXT_REPLY));
    CU_ASSERT_NSTRING_EQUAL(f.out,
                            "-ERR This port only accepts TLS connections; connect with TLS (e.g. "
                            "redis-cli --tls)\r\n",
                            f.outlen);
}

/* ---- gathering ---- */

static void test_gather(void) {
    struct iovec iov[3] = {{"abc", 3}, {"defgh", 5}, {"ij", 2}};
    char out[16];
    CU_ASSERT_EQUAL(tlsc_iov_total(iov, 3), 10);
    CU_ASSERT_EQUAL(tlsc_gather(iov, 3, 1, out, sizeof(out)), 9);
    CU_ASSERT_NSTRING_EQUAL(out, "bcdefghij", 9);
    CU_ASSERT_EQUAL(tlsc_gather(iov, 3, 0, out, 6), 6);
    CU_ASSERT_NSTRING_EQUAL(out, "abcdef", 6);

    const struct iovec *p = iov;
    int cnt = 3;
    size_t skip = 0;
    tlsc_iov_advance(&p, &cnt, &skip, 4);
    CU_ASSERT_EQUAL(cnt, 2);
    CU_ASSERT_EQUAL(skip, 1);
    tlsc_iov_advance(&p, &cnt, &skip, 4);
    CU_ASSERT_EQUAL(cnt, 1);
    CU_ASSERT_EQUAL(skip, 0);
    CU_ASSERT_PTR_EQUAL(p, &iov[2]);
    tlsc_iov_advance(&p, &cnt, &skip, 2);
    CU_ASSERT_EQUAL(cnt, 0);
}

/* ---- files and counters ---- */

static void test_files(void) {
    char *data;
    size_t len;
    CU_ASSERT_EQUAL(
        tlsc_read_file("tls-cert-file", "/nonexistent/x.crt", &data, &len, err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-cert-file '/nonexistent/x.crt': cannot open: No such file or "
                                "directory");
    CU_ASSERT_EQUAL(tlsc_read_file("tls-cert-file", "/", &data, &len, err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "tls-cert-file '/': not a regular file");
    char path[] = "/tmp/tlsc-test-XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_EQUAL(tlsc_read_file("tls-key-file", path, &data, &len, err, sizeof(err)), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "file is empty"));
    CU_ASSERT_EQUAL(write(fd, "pem", 3), 3);
    CU_ASSERT_EQUAL(tlsc_read_file("tls-key-file", path, &data, &len, err, sizeof(err)), 0);
    CU_ASSERT_EQUAL(len, 3);
    CU_ASSERT_STRING_EQUAL(data, "pem");
    tlsc_free(data);
    close(fd);
    CU_ASSERT_EQUAL(tlsc_check_dir("tls-ca-cert-dir", path, err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(strstr(err, "not a directory"), "not a directory");
    unlink(path);
    CU_ASSERT_EQUAL(tlsc_check_dir("tls-ca-cert-dir", "/tmp", err, sizeof(err)), 0);
}

static char emitted[256];
static void emit_cat(void *sink, const char *k, const char *v) {
    size_t n = strlen(emitted);
    snprintf(emitted + n, sizeof(emitted) - n, "%s=%s;", k, v);
}

static void test_stats(void) {
    tlsc_stats s = {0};
    tlsc_stats_handshake(&s, 1, 0);
    tlsc_stats_handshake(&s, 1, 1);
    tlsc_stats_handshake(&s, 0, 1);
    emitted[0] = '\0';
    tlsc_stats_emit(&s, emit_cat, NULL);
    CU_ASSERT_STRING_EQUAL(emitted,
                           "handshakes_completed=2;handshakes_failed=1;sessions_resumed=1;");
}

static void test_err_append(void) {
    char b[32] = "first";
    tlsc_err_append(b, sizeof(b), "second %d", 2);
    CU_ASSERT_STRING_EQUAL(b, "first: second 2");
    char tiny[8] = "1234567";
    tlsc_err_append(tiny, sizeof(tiny), "more");
    CU_ASSERT_STRING_EQUAL(tiny, "1234567");
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("tlscommon", NULL, NULL);
    CU_add_test(s, "init checks the host ABI", test_init_checks_host);
    CU_add_test(s, "defaults", test_defaults);
    CU_add_test(s, "values", test_values);
    CU_add_test(s, "empty values", test_empty_unsets_and_empty_protocols_default);
    CU_add_test(s, "error messages", test_errors);
    CU_add_test(s, "role validation", test_validation);
    CU_add_test(s, "client-role keys", test_client_keys);
    CU_add_test(s, "client session cache", test_session_cache);
    CU_add_test(s, "identity per role", test_identity);
    CU_add_test(s, "protocol helpers", test_protocol_helpers);
    CU_add_test(s, "time formatting", test_time_format);
    CU_add_test(s, "validity checks", test_validity);
    CU_add_test(s, "plaintext sniffing", test_sniff);
    CU_add_test(s, "plaintext reply", test_reject_plaintext);
    CU_add_test(s, "gathering", test_gather);
    CU_add_test(s, "file errors", test_files);
    CU_add_test(s, "counters", test_stats);
    CU_add_test(s, "error append", test_err_append);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
