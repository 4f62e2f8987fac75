/*
 * Transport loader: the real tcp/unix plugins load, every deliberately
 * broken fake of tests/abi/ is refused with its exact message, the
 * older-minor fake loads with its 1.1 members absent, and the ABI structs
 * keep their layout (compile-time checks below).
 *
 * Runs from the repository root (make test-unit) after the plugins and
 * the fakes are built.
 */
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "conn.h"
#include "keyport/transport.h"

/* ---------- ABI layout: a change here breaks every built plugin ---------- */

_Static_assert(offsetof(kp_abi_header, abi_major) == 0, "kp_abi_header layout");
_Static_assert(offsetof(kp_abi_header, abi_minor) == 4, "kp_abi_header layout");
_Static_assert(offsetof(kp_abi_header, struct_size) == 8, "kp_abi_header layout");
_Static_assert(sizeof(kp_abi_header) == 12, "kp_abi_header size");
_Static_assert(sizeof(kp_fingerprint) == 8, "kp_fingerprint size");
_Static_assert(offsetof(kp_transport, fingerprint) == 12, "kp_transport layout");
_Static_assert(offsetof(kp_host_api, fingerprint) == 12, "kp_host_api layout");
_Static_assert(offsetof(kp_io, done) == 0, "kp_io layout");
_Static_assert(KP_OK == 0 && KP_AGAIN == 1 && KP_EOF == 2 && KP_ERR == 3, "kp_result values");
_Static_assert(KP_NEED_READ == 1 && KP_NEED_WRITE == 2, "KP_NEED values");

#if UINTPTR_MAX == 0xffffffffffffffffu
/* LP64: the exact offsets of ABI 1.1. */
_Static_assert(offsetof(kp_transport, name) == 24, "kp_transport layout");
_Static_assert(offsetof(kp_transport, version) == 32, "kp_transport layout");
_Static_assert(offsetof(kp_transport, description) == 40, "kp_transport layout");
_Static_assert(offsetof(kp_transport, license) == 48, "kp_transport layout");
_Static_assert(offsetof(kp_transport, caps) == 56, "kp_transport layout");
_Static_assert(offsetof(kp_transport, conn_size) == 64, "kp_transport layout");
_Static_assert(offsetof(kp_transport, config_keys) == 72, "kp_transport layout");
_Static_assert(offsetof(kp_transport, init) == 80, "kp_transport layout");
_Static_assert(offsetof(kp_transport, ctx_new) == 88, "kp_transport layout");
_Static_assert(offsetof(kp_transport, ctx_free) == 96, "kp_transport layout");
_Static_assert(offsetof(kp_transport, ctx_info) == 104, "kp_transport layout");
_Static_assert(offsetof(kp_transport, listen) == 112, "kp_transport layout");
_Static_assert(offsetof(kp_transport, accept) == 120, "kp_transport layout");
_Static_assert(offsetof(kp_transport, connect) == 128, "kp_transport layout");
_Static_assert(offsetof(kp_transport, fd) == 136, "kp_transport layout");
_Static_assert(offsetof(kp_transport, conn_init) == 144, "kp_transport layout");
_Static_assert(offsetof(kp_transport, handshake) == 152, "kp_transport layout");
_Static_assert(offsetof(kp_transport, read) == 160, "kp_transport layout");
_Static_assert(offsetof(kp_transport, write) == 168, "kp_transport layout");
_Static_assert(offsetof(kp_transport, writev) == 176, "kp_transport layout");
_Static_assert(offsetof(kp_transport, has_pending) == 184, "kp_transport layout");
_Static_assert(offsetof(kp_transport, close) == 192, "kp_transport layout");
_Static_assert(offsetof(kp_transport, last_error) == 200, "kp_transport layout");
_Static_assert(offsetof(kp_transport, addr) == 208, "kp_transport layout");
_Static_assert(offsetof(kp_transport, peer_identity) == 216, "kp_transport layout");
_Static_assert(KP_TRANSPORT_SIZE_1_0 == 224, "ABI 1.0 size of kp_transport");
_Static_assert(offsetof(kp_transport, conn_info) == 224, "kp_transport layout (1.1)");
_Static_assert(offsetof(kp_transport, rebind) == 232, "kp_transport layout (1.1)");
_Static_assert(sizeof(kp_transport) == 240, "kp_transport size (1.1)");

_Static_assert(offsetof(kp_host_api, server_version) == 24, "kp_host_api layout");
_Static_assert(offsetof(kp_host_api, log) == 32, "kp_host_api layout");
_Static_assert(offsetof(kp_host_api, alloc) == 40, "kp_host_api layout");
_Static_assert(offsetof(kp_host_api, calloc) == 48, "kp_host_api layout");
_Static_assert(offsetof(kp_host_api, realloc) == 56, "kp_host_api layout");
_Static_assert(offsetof(kp_host_api, free) == 64, "kp_host_api layout");
_Static_assert(offsetof(kp_host_api, monotonic_us) == 72, "kp_host_api layout");
_Static_assert(offsetof(kp_host_api, raw_read) == 80, "kp_host_api layout");
_Static_assert(offsetof(kp_host_api, raw_write) == 88, "kp_host_api layout");
_Static_assert(sizeof(kp_host_api) == 96, "kp_host_api size");
_Static_assert(sizeof(kp_io) == 16, "kp_io size");
_Static_assert(sizeof(kp_kv) == 16, "kp_kv size");
#endif

/* ---------- helpers ---------- */

#define FAKE(name) "tests/abi/fake-" name ".so"
#define TCP_SO "./transports/tcp/keyport-tcp.so"
#define INSTALL_DIR "/nonexistent/keyport-test"

static char err[2048];

/* Asserts that loading path fails with exactly "<path>: <reason>". */
static void expect_refusal(const char *path, int argc, const char *const *argv,
                           const char *reason) {
    char want[2048];
    snprintf(want, sizeof(want), "%s: %s", path, reason);
    int before = transport_count();
    err[0] = '\0';
    transport *t = transport_load(path, argc, argv, err, sizeof(err));
    CU_ASSERT_PTR_NULL(t);
    CU_ASSERT_EQUAL(transport_count(), before);
    if (strcmp(err, want) != 0) fprintf(stderr, "\n  expected: %s\n  got:      %s\n", want, err);
    CU_ASSERT_STRING_EQUAL(err, want);
}

/* ---------- tests (run in order: tcp must be loaded first) ---------- */

static void test_load_real_plugins(void) {
    transport *tcp = transport_load("tcp", 0, NULL, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(tcp);
    CU_ASSERT_STRING_EQUAL(tcp->ops->name, "tcp");
    CU_ASSERT_STRING_EQUAL(tcp->path, TCP_SO);
    CU_ASSERT_EQUAL(tcp->minor, KP_ABI_MINOR);
    CU_ASSERT(tcp->ops->caps & KP_CAP_STREAM);
    CU_ASSERT(tcp->ops->caps & KP_CAP_WRITEV);
    CU_ASSERT(transport_has_key(tcp, "tcp-keepalive"));
    CU_ASSERT(!transport_has_key(tcp, "tls-cert-file"));

    transport *unx = transport_load("unix", 0, NULL, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(unx);
    CU_ASSERT(unx->ops->caps & KP_CAP_PATH_ADDR);
    CU_ASSERT(transport_has_key(unx, "unixsocketperm"));

    CU_ASSERT_EQUAL(transport_count(), 2);
    CU_ASSERT_PTR_EQUAL(transport_find("tcp"), tcp);
    CU_ASSERT_PTR_EQUAL(transport_find("unix"), unx);
    CU_ASSERT_PTR_EQUAL(transport_at(0), tcp);
    CU_ASSERT_PTR_NULL(transport_at(2));
    CU_ASSERT_PTR_NULL(transport_find("openssl"));
}

static void test_name_resolution(void) {
    err[0] = '\0';
    CU_ASSERT_PTR_NULL(transport_load("nosuch", 0, NULL, err, sizeof(err)));
    CU_ASSERT_STRING_EQUAL(err, "cannot find transport 'nosuch' (looked in "
                                "./transports/nosuch/keyport-nosuch.so, " INSTALL_DIR
                                "/keyport-nosuch.so)");
    expect_refusal("tests/abi/does-not-exist.so", 0, NULL,
                   "cannot open: No such file or directory");
}

static void test_not_a_shared_object(void) {
    const char *path = "tests/abi/fake-common.h";
    err[0] = '\0';
    CU_ASSERT_PTR_NULL(transport_load(path, 0, NULL, err, sizeof(err)));
    CU_ASSERT(strncmp(err, "tests/abi/fake-common.h: cannot load: ", 38) == 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(err, "invalid ELF header"));
}

static void test_version_refusals(void) {
    char reason[512];
    snprintf(reason, sizeof(reason),
             "transport ABI major version %u is not supported (server ABI is %u.%u)",
             KP_ABI_MAJOR + 1, KP_ABI_MAJOR, KP_ABI_MINOR);
    expect_refusal(FAKE("wrong-major"), 0, NULL, reason);

    snprintf(reason, sizeof(reason), "transport ABI %u.%u is newer than the server's %u.%u",
             KP_ABI_MAJOR, KP_ABI_MINOR + 1, KP_ABI_MAJOR, KP_ABI_MINOR);
    expect_refusal(FAKE("newer-minor"), 0, NULL, reason);

    snprintf(reason, sizeof(reason),
             "descriptor struct_size %zu is smaller than ABI %u.%u requires (%zu)",
             (size_t)KP_TRANSPORT_SIZE_1_0, KP_ABI_MAJOR, KP_ABI_MINOR, sizeof(kp_transport));
    expect_refusal(FAKE("short-struct"), 0, NULL, reason);
}

static void test_fingerprint_refusal(void) {
    char ours[256], reason[700];
    snprintf(ours, sizeof(ours), "size_t=%zu long=%zu time_t=%zu off_t=%zu byte-order=%s",
             sizeof(size_t), sizeof(long), sizeof(time_t), sizeof(off_t),
             KP_BIG_ENDIAN_ ? "big" : "little");
    snprintf(reason, sizeof(reason),
             "build fingerprint mismatch: transport has ptr=4 %s, server has ptr=%zu %s", ours,
             sizeof(void *), ours);
    expect_refusal(FAKE("bad-fingerprint"), 0, NULL, reason);
}

static void test_descriptor_refusals(void) {
    expect_refusal(FAKE("empty-field"), 0, NULL, "empty descriptor fields: version, license");
    expect_refusal(FAKE("bad-name"), 0, NULL,
                   "invalid transport name 'Bad Name' (use 1 to 31 of a-z, 0-9, '_', '-')");
    expect_refusal(FAKE("bad-caps"), 0, NULL,
                   "capabilities must contain exactly one of KP_CAP_STREAM and KP_CAP_LAYERED");
    expect_refusal(FAKE("missing-op"), 0, NULL,
                   "missing mandatory op for a stream transport: accept");
}

static void test_entry_and_init_refusals(void) {
    expect_refusal(FAKE("no-entry"), 0, NULL,
                   "no kp_transport_entry symbol (not a keyport transport)");
    expect_refusal(FAKE("entry-error"), 0, NULL,
                   "entry point failed: simulated failure in the entry point");
    expect_refusal(FAKE("init-error"), 0, NULL, "init failed: simulated failure in init");
}

static void test_duplicate_refusal(void) {
    expect_refusal(FAKE("duplicate"), 0, NULL, "transport 'tcp' is already loaded from " TCP_SO);
    /* Loading the very same file twice is a duplicate too. */
    expect_refusal(TCP_SO, 0, NULL, "transport 'tcp' is already loaded from " TCP_SO);
}

static void test_older_minor_loads(void) {
    const char *args[] = {"extra"};
    expect_refusal(FAKE("older-minor"), 1, args,
                   "transport 'tcp10' takes no arguments (got 'extra')");

    transport *t = transport_load(FAKE("older-minor"), 0, NULL, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(t);
    CU_ASSERT_STRING_EQUAL(t->ops->name, "tcp10");
    CU_ASSERT_EQUAL(t->minor, 0);
    CU_ASSERT_EQUAL(t->ops->hdr.struct_size, KP_TRANSPORT_SIZE_1_0);
    /* 1.1 members are read as absent, whatever lies past the 1.0 size. */
    CU_ASSERT_PTR_NULL(t->ops->conn_info);
    CU_ASSERT_PTR_NULL(t->ops->rebind);
    CU_ASSERT_PTR_NOT_NULL(t->ops->accept);
    CU_ASSERT_PTR_EQUAL(transport_find("tcp10"), t);
}

static void test_host_api(void) {
    const kp_host_api *h = transport_host_api();
    CU_ASSERT_EQUAL(h->hdr.abi_major, KP_ABI_MAJOR);
    CU_ASSERT_EQUAL(h->hdr.abi_minor, KP_ABI_MINOR);
    CU_ASSERT_EQUAL(h->hdr.struct_size, sizeof(kp_host_api));
    kp_fingerprint fp = KP_FINGERPRINT_INIT;
    CU_ASSERT(memcmp(&h->fingerprint, &fp, sizeof(fp)) == 0);
    CU_ASSERT_PTR_NOT_NULL(h->server_version);
    unsigned char *p = h->calloc(4, 8);
    for (int i = 0; i < 32; i++) CU_ASSERT_EQUAL(p[i], 0);
    p = h->realloc(p, 64);
    h->free(p);
    int64_t a = h->monotonic_us(), b = h->monotonic_us();
    CU_ASSERT(a > 0 && b >= a);
    CU_ASSERT_PTR_NOT_NULL(h->raw_read);
    CU_ASSERT_PTR_NOT_NULL(h->raw_write);
}

int main(void) {
    transport_set_search_dirs(".", INSTALL_DIR);
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("loader", NULL, NULL);
    CU_add_test(s, "real plugins load", test_load_real_plugins);
    CU_add_test(s, "name resolution", test_name_resolution);
    CU_add_test(s, "not a shared object", test_not_a_shared_object);
    CU_add_test(s, "version refusals", test_version_refusals);
    CU_add_test(s, "fingerprint refusal", test_fingerprint_refusal);
    CU_add_test(s, "descriptor refusals", test_descriptor_refusals);
    CU_add_test(s, "entry and init refusals", test_entry_and_init_refusals);
    CU_add_test(s, "duplicate name refusal", test_duplicate_refusal);
    CU_add_test(s, "older minor loads", test_older_minor_loads);
    CU_add_test(s, "host api", test_host_api);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
