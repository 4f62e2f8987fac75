/*
 * Unit tests of the number and string helpers (src/util.c): Redis'
 * integer and float acceptance rules, number formatting, glob matching,
 * size parsing and randomness helpers.
 */
#include <CUnit/Basic.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>

#include "server.h"

static int s2ll(const char *s, long long *v) {
    return string2ll(s, strlen(s), v);
}

static void test_string2ll(void) {
    long long v;
    CU_ASSERT_TRUE(s2ll("0", &v) && v == 0);
    CU_ASSERT_TRUE(s2ll("1", &v) && v == 1);
    CU_ASSERT_TRUE(s2ll("-1", &v) && v == -1);
    CU_ASSERT_TRUE(s2ll("99", &v) && v == 99);
    CU_ASSERT_TRUE(s2ll("-99", &v) && v == -99);
    CU_ASSERT_TRUE(s2ll("9223372036854775807", &v) && v == LLONG_MAX);
    CU_ASSERT_TRUE(s2ll("-9223372036854775808", &v) && v == LLONG_MIN);
    /* Overflow by one on both sides, and far beyond. */
    CU_ASSERT_FALSE(s2ll("9223372036854775808", &v));
    CU_ASSERT_FALSE(s2ll("-9223372036854775809", &v));
    CU_ASSERT_FALSE(s2ll("18446744073709551616", &v));
    CU_ASSERT_FALSE(s2ll("99999999999999999999", &v));
    CU_ASSERT_FALSE(s2ll("123456789012345678901", &v));
    /* Not canonical: leading zeros, signs, blanks, junk. */
    CU_ASSERT_FALSE(s2ll("", &v));
    CU_ASSERT_FALSE(s2ll("-", &v));
    CU_ASSERT_FALSE(s2ll("-0", &v));
    CU_ASSERT_FALSE(s2ll("00", &v));
    CU_ASSERT_FALSE(s2ll("01", &v));
    CU_ASSERT_FALSE(s2ll("+1", &v));
    CU_ASSERT_FALSE(s2ll(" 1", &v));
    CU_ASSERT_FALSE(s2ll("1 ", &v));
    CU_ASSERT_FALSE(s2ll("1a", &v));
    CU_ASSERT_FALSE(s2ll("1.0", &v));
    CU_ASSERT_FALSE(s2ll("0x10", &v));
    CU_ASSERT_FALSE(string2ll("1\0"
                              "2",
                              3, &v));
    /* Only len bytes count. */
    CU_ASSERT_TRUE(string2ll("123junk", 3, &v) && v == 123);
    CU_ASSERT_TRUE(string2ll("5", 1, NULL));

    long l;
    CU_ASSERT_TRUE(string2l("-42", 3, &l) && l == -42);
    CU_ASSERT_FALSE(string2l("x", 1, &l));
}

static void test_string2ld_and_d(void) {
    long double ld;
    double d;
    CU_ASSERT_TRUE(string2ld("1.5", 3, &ld) && ld == 1.5L);
    CU_ASSERT_TRUE(string2ld("-10", 3, &ld) && ld == -10.0L);
    CU_ASSERT_TRUE(string2ld("5.0e3", 5, &ld) && ld == 5000.0L);
    CU_ASSERT_TRUE(string2ld("inf", 3, &ld) && isinf(ld));
    CU_ASSERT_TRUE(string2ld("1.5e400", 7, &ld)); /* fits a long double */
    CU_ASSERT_FALSE(string2ld("nan", 3, &ld));
    CU_ASSERT_FALSE(string2ld("", 0, &ld));
    CU_ASSERT_FALSE(string2ld(" 1", 2, &ld));
    CU_ASSERT_FALSE(string2ld("1 ", 2, &ld));
    CU_ASSERT_FALSE(string2ld("abc", 3, &ld));
    CU_ASSERT_FALSE(string2ld("1e99999", 7, &ld)); /* overflows */
    CU_ASSERT_FALSE(string2ld("1\0"
                              "2",
                              3, &ld));

    CU_ASSERT_TRUE(string2d("3.25", 4, &d) && d == 3.25);
    CU_ASSERT_TRUE(string2d("-0", 2, &d) && d == 0 && signbit(d));
    CU_ASSERT_FALSE(string2d("1e400", 5, &d)); /* overflows a double */
    CU_ASSERT_FALSE(string2d("nan", 3, &d));
    CU_ASSERT_FALSE(string2d("\t1", 2, &d));
    CU_ASSERT_FALSE(string2d("1x", 2, &d));
}

static void test_ll2string(void) {
    char buf[32];
    CU_ASSERT_EQUAL(ll2string(buf, sizeof(buf), 0), 1);
    CU_ASSERT_STRING_EQUAL(buf, "0");
    CU_ASSERT_EQUAL(ll2string(buf, sizeof(buf), -123), 4);
    CU_ASSERT_STRING_EQUAL(buf, "-123");
    CU_ASSERT_EQUAL(ll2string(buf, sizeof(buf), LLONG_MAX), 19);
    CU_ASSERT_STRING_EQUAL(buf, "9223372036854775807");
    CU_ASSERT_EQUAL(ll2string(buf, sizeof(buf), LLONG_MIN), 20);
    CU_ASSERT_STRING_EQUAL(buf, "-9223372036854775808");
    CU_ASSERT_EQUAL(ull2string(buf, sizeof(buf), ULLONG_MAX), 20);
    CU_ASSERT_STRING_EQUAL(buf, "18446744073709551615");
    /* Too small a buffer: 0, nothing half-written. */
    CU_ASSERT_EQUAL(ll2string(buf, 3, 12345), 0);
    CU_ASSERT_EQUAL(ll2string(buf, 4, -123), 0);
    CU_ASSERT_EQUAL(ll2string(buf, 5, -123), 4);
}

static void check_ld(long double v, int human, const char *expect) {
    char buf[5 * 1024];
    int len = ld2string(buf, sizeof(buf), v, human);
    CU_ASSERT_EQUAL(len, (int)strlen(expect));
    CU_ASSERT_STRING_EQUAL(buf, expect);
}

static void check_d(double v, const char *expect) {
    char buf[128];
    int len = d2string(buf, sizeof(buf), v);
    CU_ASSERT_EQUAL(len, (int)strlen(expect));
    CU_ASSERT_STRING_EQUAL(buf, expect);
}

static void test_float_formatting(void) {
    /* The INCRBYFLOAT rendering: %.17Lf with trailing zeros removed. */
    check_ld(10.5L + 0.1L, 1, "10.6");
    check_ld(3.0L, 1, "3");
    check_ld(-0.0L, 1, "0");
    check_ld(1e20L, 1, "100000000000000000000");
    check_ld(10.6L + 5000.0L, 1, "5010.60000000000000009");
    check_ld(-2.5L, 1, "-2.5");
    check_ld(1.0L / 0.0L, 1, "inf");
    check_ld(-1.0L / 0.0L, 0, "-inf");
    check_ld(0.1L, 0, "0.1");
    check_ld(1.0L / 3, 0, "0.33333333333333333");

    check_d(1.5, "1.5");
    check_d(3.0, "3");
    check_d(-0.0, "-0");
    check_d(0.0, "0");
    check_d(1e300, "1.0000000000000001e+300");
    check_d(NAN, "nan");
    check_d(-INFINITY, "-inf");
    check_d(4503599627370496.0, "4503599627370496");
}

static int m(const char *p, const char *s) {
    return string_match_len(p, strlen(p), s, strlen(s), 0);
}

static int mi(const char *p, const char *s) {
    return string_match_len(p, strlen(p), s, strlen(s), 1);
}

static void test_glob(void) {
    CU_ASSERT_TRUE(m("*", ""));
    CU_ASSERT_TRUE(m("*", "anything"));
    CU_ASSERT_TRUE(m("", ""));
    CU_ASSERT_FALSE(m("", "a"));
    CU_ASSERT_TRUE(m("h?llo", "hello"));
    CU_ASSERT_FALSE(m("h?llo", "hllo"));
    CU_ASSERT_TRUE(m("h*llo", "hllo"));
    CU_ASSERT_TRUE(m("h*llo", "heeeello"));
    CU_ASSERT_TRUE(m("h[ae]llo", "hallo"));
    CU_ASSERT_FALSE(m("h[ae]llo", "hillo"));
    CU_ASSERT_TRUE(m("h[^e]llo", "hallo"));
    CU_ASSERT_FALSE(m("h[^e]llo", "hello"));
    CU_ASSERT_TRUE(m("h[a-b]llo", "hbllo"));
    CU_ASSERT_TRUE(m("h[b-a]llo", "hallo")); /* reversed range */
    CU_ASSERT_FALSE(m("h[a-b]llo", "hcllo"));
    CU_ASSERT_TRUE(m("a\\*b", "a*b"));
    CU_ASSERT_FALSE(m("a\\*b", "axb"));
    CU_ASSERT_TRUE(m("a\\?", "a?"));
    CU_ASSERT_TRUE(m("[\\]]", "]"));
    CU_ASSERT_TRUE(m("[a\\-z]", "-"));
    CU_ASSERT_FALSE(m("[]", "a"));   /* empty class */
    CU_ASSERT_TRUE(m("[abc", "b"));  /* unterminated class */
    CU_ASSERT_TRUE(m("x\\", "x\\")); /* trailing backslash is literal */
    CU_ASSERT_TRUE(m("*a*", "bab"));
    CU_ASSERT_TRUE(m("a**", "a"));
    CU_ASSERT_TRUE(m("user:*:name", "user:1000:name"));
    CU_ASSERT_FALSE(m("user:*:name", "user:1000:email"));
    CU_ASSERT_FALSE(m("abc", "ABC"));
    CU_ASSERT_TRUE(mi("abc", "ABC"));
    CU_ASSERT_TRUE(mi("[A-C]x", "bX"));
    CU_ASSERT_TRUE(string_match_len("a?c", 3, "a\0c", 3, 0)); /* binary-safe */

    /* Pathological pattern: must answer quickly (no exponential blowup). */
    char s[200];
    memset(s, 'a', sizeof(s) - 1);
    s[sizeof(s) - 1] = '\0';
    clock_t t0 = clock();
    CU_ASSERT_FALSE(m("a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", s));
    CU_ASSERT_TRUE((double)(clock() - t0) / CLOCKS_PER_SEC < 1.0);
}

static void test_memtoll(void) {
    int err;
    CU_ASSERT_EQUAL(memtoll("100", &err), 100);
    CU_ASSERT_EQUAL(err, 0);
    CU_ASSERT_EQUAL(memtoll("1k", &err), 1000);
    CU_ASSERT_EQUAL(memtoll("1kb", &err), 1024);
    CU_ASSERT_EQUAL(memtoll("2KB", &err), 2048);
    CU_ASSERT_EQUAL(memtoll("1m", &err), 1000000);
    CU_ASSERT_EQUAL(memtoll("1Mb", &err), 1048576);
    CU_ASSERT_EQUAL(memtoll("1g", &err), 1000000000LL);
    CU_ASSERT_EQUAL(memtoll("4gb", &err), 4LL * 1024 * 1024 * 1024);
    CU_ASSERT_EQUAL(memtoll("5b", &err), 5);
    CU_ASSERT_EQUAL(memtoll("-1", &err), -1);
    CU_ASSERT_EQUAL(err, 0);
    const char *bad[] = {
        "", "abc", "1x", "1 mb", "mb", "1kbb", "99999999999999999999", "9999999999gb"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        err = 0;
        CU_ASSERT_EQUAL(memtoll(bad[i], &err), 0);
        CU_ASSERT_EQUAL(err, 1);
    }
}

static void test_bytes_to_human(void) {
    char buf[64];
    bytes_to_human(buf, sizeof(buf), 1023);
    CU_ASSERT_STRING_EQUAL(buf, "1023B");
    bytes_to_human(buf, sizeof(buf), 1024);
    CU_ASSERT_STRING_EQUAL(buf, "1.00K");
    bytes_to_human(buf, sizeof(buf), 1536ULL * 1024);
    CU_ASSERT_STRING_EQUAL(buf, "1.50M");
    bytes_to_human(buf, sizeof(buf), 3ULL * 1024 * 1024 * 1024);
    CU_ASSERT_STRING_EQUAL(buf, "3.00G");
}

static void test_random_and_time(void) {
    char hex[41];
    get_random_hex_chars(hex, 40);
    hex[40] = '\0';
    CU_ASSERT_EQUAL(strspn(hex, "0123456789abcdef"), 40);
    unsigned char a[32], b[32];
    get_random_bytes(a, sizeof(a));
    get_random_bytes(b, sizeof(b));
    CU_ASSERT_NOT_EQUAL(memcmp(a, b, sizeof(a)), 0);
    long long us = ustime(), ms = mstime();
    CU_ASSERT_TRUE(us > 1600000000000000LL);
    CU_ASSERT_TRUE(ms >= us / 1000 && ms - us / 1000 < 1000);
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("util", NULL, NULL);
    CU_add_test(s, "string2ll edge cases", test_string2ll);
    CU_add_test(s, "string2ld / string2d", test_string2ld_and_d);
    CU_add_test(s, "ll2string / ull2string", test_ll2string);
    CU_add_test(s, "ld2string / d2string", test_float_formatting);
    CU_add_test(s, "glob matching", test_glob);
    CU_add_test(s, "memtoll", test_memtoll);
    CU_add_test(s, "bytes_to_human", test_bytes_to_human);
    CU_add_test(s, "random bytes and clocks", test_random_and_time);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
