/*
 * Unit tests of SHA-256 (src/sha256.c): the FIPS 180-2 / NIST example
 * vectors, messages whose length lands on every padding edge, and
 * incremental hashing split at every offset.
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "sha256.h"

static void check_hex(const void *data, size_t len, const char *want) {
    char hex[SHA256_HEX_LEN + 1];
    sha256_hex(data, len, hex);
    CU_ASSERT_STRING_EQUAL(hex, want);
}

/* The examples of FIPS 180-2 appendix B and NIST's SHA-256 examples. */
static void test_fips_vectors(void) {
    check_hex("abc", 3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check_hex("", 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_hex(two_blocks, strlen(two_blocks),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    const char *long_msg = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                           "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check_hex(long_msg, strlen(long_msg),
              "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

static void test_million_a(void) {
    sha256_ctx ctx;
    unsigned char chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    sha256_init(&ctx);
    for (int i = 0; i < 1000; i++) sha256_update(&ctx, chunk, sizeof(chunk));
    unsigned char d[SHA256_DIGEST_LEN];
    sha256_final(&ctx, d);
    static const unsigned char want[SHA256_DIGEST_LEN] = {
        0xcd, 0xc7, 0x6e, 0x5c, 0x99, 0x14, 0xfb, 0x92, 0x81, 0xa1, 0xc7,
        0xe2, 0x84, 0xd7, 0x3e, 0x67, 0xf1, 0x80, 0x9a, 0x48, 0xa4, 0x97,
        0x20, 0x0e, 0x04, 0x6d, 0x39, 0xcc, 0xc7, 0x11, 0x2c, 0xd0};
    CU_ASSERT_EQUAL(memcmp(d, want, sizeof(want)), 0);
}

static void fill_pattern(unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)((i * 7 + 3) & 255);
}

/* Lengths around the 55/56-byte padding boundary and block multiples
 * (expected digests from an independent implementation). */
static void test_padding_edges(void) {
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b"},
        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27"},
        {57, "35df609437dcfea3279283ab79fd554e2bf78f8f7ae2de532d8ee300b09e8f73"},
        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055"},
        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241"},
        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e"},
        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e"},
        {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5"},
        {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6"},
    };
    unsigned char msg[128];
    fill_pattern(msg, sizeof(msg));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_hex(msg, cases[i].len, cases[i].hex);
}

/* Feeding the same bytes in two pieces, split anywhere, or byte by byte,
 * gives the one-shot digest. */
static void test_incremental(void) {
    unsigned char msg[200], once[SHA256_DIGEST_LEN], parts[SHA256_DIGEST_LEN];
    fill_pattern(msg, sizeof(msg));
    sha256(msg, sizeof(msg), once);
    for (size_t split = 0; split <= sizeof(msg); split++) {
        sha256_ctx ctx;
        sha256_init(&ctx);
        sha256_update(&ctx, msg, split);
        sha256_update(&ctx, msg + split, sizeof(msg) - split);
        sha256_final(&ctx, parts);
        CU_ASSERT_EQUAL(memcmp(once, parts, sizeof(once)), 0);
    }
    sha256_ctx ctx;
    sha256_init(&ctx);
    for (size_t i = 0; i < sizeof(msg); i++) sha256_update(&ctx, msg + i, 1);
    sha256_final(&ctx, parts);
    CU_ASSERT_EQUAL(memcmp(once, parts, sizeof(once)), 0);
}

/* The ACL password hash of "password", as Redis shows it in ACL GETUSER. */
static void test_password_hash(void) {
    check_hex("password", 8, "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("sha256", NULL, NULL);
    CU_add_test(s, "FIPS 180 example vectors", test_fips_vectors);
    CU_add_test(s, "one million 'a'", test_million_a);
    CU_add_test(s, "padding edges", test_padding_edges);
    CU_add_test(s, "incremental updates", test_incremental);
    CU_add_test(s, "ACL password hash", test_password_hash);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
