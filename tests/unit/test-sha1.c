/*
 * Unit tests of SHA-1 (src/sha1.c): the FIPS 180 / NIST example vectors,
 * messages whose length lands on every padding edge, incremental hashing
 * split at every offset, and a digest written over its own input (as
 * DEBUG DIGEST's mixing does).
 */
#include <CUnit/Basic.h>
#include <string.h>

#include "sha1.h"

static void check_hex(const void *data, size_t len, const char *want) {
    unsigned char d[SHA1_DIGEST_LEN];
    char hex[SHA1_HEX_LEN + 1];
    sha1(data, len, d);
    sha1_to_hex(d, hex);
    CU_ASSERT_STRING_EQUAL(hex, want);
}

/* The SHA-1 examples of FIPS 180-2 appendix A and NIST's examples. */
static void test_fips_vectors(void) {
    check_hex("abc", 3, "a9993e364706816aba3e25717850c26c9cd0d89d");
    check_hex("", 0, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
    const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
    check_hex(two_blocks, strlen(two_blocks), "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
    const char *long_msg = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmno"
                           "ijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";
    check_hex(long_msg, strlen(long_msg), "a49b2446a02c645bf419f995b67091253a04a259");
}

static void test_million_a(void) {
    sha1_ctx ctx;
    unsigned char chunk[1000];
    memset(chunk, 'a', sizeof(chunk));
    sha1_init(&ctx);
    for (int i = 0; i < 1000; i++) sha1_update(&ctx, chunk, sizeof(chunk));
    unsigned char d[SHA1_DIGEST_LEN];
    char hex[SHA1_HEX_LEN + 1];
    sha1_final(&ctx, d);
    sha1_to_hex(d, hex);
    CU_ASSERT_STRING_EQUAL(hex, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
}

static void fill_pattern(unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i++) p[i] = (unsigned char)((i * 7 + 3) & 255);
}

/* Lengths around the 55/56-byte padding boundary and block multiples
 * (expected digests from an independent implementation, Python's
 * hashlib). */
static void test_padding_edges(void) {
    static const struct {
        size_t len;
        const char *hex;
    } cases[] = {
        {55, "ddf57317ef34bfee3b6df83d359098930eb278bc"},
        {56, "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"},
        {57, "11a02dcf95859677a62e75024067c22b165d890f"},
        {63, "c55856749bef509bdfe6bfebfc7bf4e793e82132"},
        {64, "bede92be29c3874e1b54ddc77988d606fc857a8e"},
        {65, "b05a80522b053d6dc7e0a517d0e70212c7dad11f"},
        {119, "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"},
        {120, "82134b02fb3f702491be9bed581eeab59334acb2"},
        {128, "a09133e6730ffe899efb70204cb5646cd5dc24ee"},
    };
    unsigned char msg[128];
    fill_pattern(msg, sizeof(msg));
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        check_hex(msg, cases[i].len, cases[i].hex);
}

/* Feeding the same bytes in two pieces, split anywhere, or byte by byte,
 * gives the one-shot digest. */
static void test_incremental(void) {
    unsigned char msg[200], once[SHA1_DIGEST_LEN], parts[SHA1_DIGEST_LEN];
    fill_pattern(msg, sizeof(msg));
    sha1(msg, sizeof(msg), once);
    for (size_t split = 0; split <= sizeof(msg); split++) {
        sha1_ctx ctx;
        sha1_init(&ctx);
        sha1_update(&ctx, msg, split);
        sha1_update(&ctx, msg + split, sizeof(msg) - split);
        sha1_final(&ctx, parts);
        CU_ASSERT_EQUAL(memcmp(once, parts, sizeof(once)), 0);
    }
    sha1_ctx ctx;
    sha1_init(&ctx);
    for (size_t i = 0; i < sizeof(msg); i++) sha1_update(&ctx, msg + i, 1);
    sha1_final(&ctx, parts);
    CU_ASSERT_EQUAL(memcmp(once, parts, sizeof(once)), 0);
}

/* Hashing a digest into itself: the context copies its input, so out may
 * be the buffer just hashed. */
static void test_in_place(void) {
    unsigned char d[SHA1_DIGEST_LEN], want[SHA1_DIGEST_LEN];
    memset(d, 0x5a, sizeof(d));
    sha1(d, sizeof(d), want);
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, d, sizeof(d));
    sha1_final(&ctx, d);
    CU_ASSERT_EQUAL(memcmp(d, want, sizeof(d)), 0);
    char hex[SHA1_HEX_LEN + 1];
    sha1_to_hex(want, hex);
    CU_ASSERT_EQUAL(strlen(hex), SHA1_HEX_LEN);
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("sha1", NULL, NULL);
    CU_add_test(s, "FIPS 180 example vectors", test_fips_vectors);
    CU_add_test(s, "one million 'a'", test_million_a);
    CU_add_test(s, "padding edges", test_padding_edges);
    CU_add_test(s, "incremental updates", test_incremental);
    CU_add_test(s, "digest over its own input", test_in_place);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
