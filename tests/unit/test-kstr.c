/*
 * Unit tests of kstr (src/kstr.c): growth across header widths, ranges,
 * formatting, quoting for logs and config-line splitting.
 */
#include <CUnit/Basic.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "kstr.h"
#include "kstr_embed.h"
#include "zmalloc.h"

static int kstr_equals(kstr s, const char *expect) {
    return kstr_len(s) == strlen(expect) && memcmp(s, expect, kstr_len(s)) == 0 &&
           s[kstr_len(s)] == '\0';
}

static void test_new_and_basics(void) {
    kstr s = kstr_new("ab\0cd", 5);
    CU_ASSERT_EQUAL(kstr_len(s), 5);
    CU_ASSERT_EQUAL(memcmp(s, "ab\0cd", 5), 0);
    CU_ASSERT_EQUAL(s[5], '\0');
    kstr d = kstr_dup(s);
    CU_ASSERT_EQUAL(kstr_cmp(s, d), 0);
    kstr_free(d);
    kstr_free(s);

    s = kstr_new(NULL, 4);
    CU_ASSERT_EQUAL(memcmp(s, "\0\0\0\0", 4), 0);
    kstr_free(s);

    s = kstr_empty();
    CU_ASSERT_EQUAL(kstr_len(s), 0);
    CU_ASSERT_EQUAL(s[0], '\0');
    kstr_free(s);

    s = kstr_from_ll(LLONG_MIN);
    CU_ASSERT_TRUE(kstr_equals(s, "-9223372036854775808"));
    kstr_free(s);
    s = kstr_from_ll(0);
    CU_ASSERT_TRUE(kstr_equals(s, "0"));
    kstr_free(s);
    kstr_free(NULL);
}

/* Appending one byte at a time walks the string through the 8, 16 and
 * 32-bit header widths; content must survive every move. */
static void test_growth_across_headers(void) {
    kstr s = kstr_empty();
    const size_t n = 70000;
    for (size_t i = 0; i < n; i++) {
        char ch = (char)('a' + i % 26);
        s = kstr_cat(s, &ch, 1);
        CU_ASSERT_EQUAL_FATAL(kstr_len(s), i + 1);
        if (i == 254 || i == 255 || i == 256 || i == 65534 || i == 65535 || i == 65536) {
            for (size_t j = 0; j <= i; j++) CU_ASSERT_EQUAL_FATAL(s[j], (char)('a' + j % 26));
            CU_ASSERT_EQUAL(s[i + 1], '\0');
        }
    }
    for (size_t j = 0; j < n; j++) CU_ASSERT_EQUAL_FATAL(s[j], (char)('a' + j % 26));
    CU_ASSERT_TRUE(kstr_alloc_size(s) >= n + 1);
    s = kstr_shrink(s);
    CU_ASSERT_EQUAL(kstr_len(s), n);
    CU_ASSERT_EQUAL(s[n - 1], (char)('a' + (n - 1) % 26));
    kstr_free(s);

    /* Shrinking can move a string to a narrower header. */
    s = kstr_new("xyz", 3);
    s = kstr_reserve(s, 100000);
    CU_ASSERT_TRUE(kstr_avail(s) >= 100000);
    s = kstr_shrink(s);
    CU_ASSERT_TRUE(kstr_equals(s, "xyz"));
    CU_ASSERT_TRUE(kstr_alloc_size(s) < 64);
    kstr_free(s);
}

static void test_reserve_and_incr_len(void) {
    kstr s = kstr_from("abc");
    s = kstr_reserve(s, 10);
    CU_ASSERT_TRUE(kstr_avail(s) >= 10);
    memcpy(s + 3, "defg", 4);
    kstr_incr_len(s, 4);
    CU_ASSERT_TRUE(kstr_equals(s, "abcdefg"));
    kstr_set_len(s, 2);
    CU_ASSERT_TRUE(kstr_equals(s, "ab"));
    kstr_clear(s);
    CU_ASSERT_EQUAL(kstr_len(s), 0);
    s = kstr_copy(s, "hello", 5);
    CU_ASSERT_TRUE(kstr_equals(s, "hello"));
    s = kstr_cat_cstr(s, " world");
    kstr t = kstr_from("!");
    s = kstr_cat_kstr(s, t);
    CU_ASSERT_TRUE(kstr_equals(s, "hello world!"));
    kstr_free(t);
    kstr_free(s);
}

static void check_range(const char *in, long start, long end, const char *expect) {
    kstr s = kstr_from(in);
    kstr_range(s, start, end);
    CU_ASSERT_TRUE(kstr_equals(s, expect));
    kstr_free(s);
}

static void test_range(void) {
    check_range("ciao", 1, 1, "i");
    check_range("ciao", 1, -1, "iao");
    check_range("ciao", -2, -1, "ao");
    check_range("ciao", 2, 1, "");
    check_range("ciao", 1, 100, "iao");
    check_range("ciao", 100, 100, "");
    check_range("ciao", -100, 1, "ci");
    check_range("ciao", 0, 0, "c");
    check_range("", 0, -1, "");
    kstr s = kstr_from("abcdef");
    kstr_consume(s, 2);
    CU_ASSERT_TRUE(kstr_equals(s, "cdef"));
    kstr_consume(s, 10);
    CU_ASSERT_TRUE(kstr_equals(s, ""));
    kstr_free(s);
}

static void test_format_and_case(void) {
    kstr s = kstr_catfmt(kstr_empty(), "%d-%s-%lld", 42, "x", -7LL);
    CU_ASSERT_TRUE(kstr_equals(s, "42-x--7"));
    /* Longer than the internal stack buffer. */
    char big[3000];
    memset(big, 'q', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    s = kstr_catfmt(s, "[%s]", big);
    CU_ASSERT_EQUAL(kstr_len(s), 7 + 2 + 2999);
    CU_ASSERT_EQUAL(s[kstr_len(s) - 1], ']');
    kstr_free(s);

    s = kstr_from("MiXeD 123");
    kstr_tolower(s);
    CU_ASSERT_TRUE(kstr_equals(s, "mixed 123"));
    kstr_free(s);

    kstr a = kstr_from("abc"), b = kstr_from("abd"), c = kstr_from("ab");
    CU_ASSERT_TRUE(kstr_cmp(a, b) < 0);
    CU_ASSERT_TRUE(kstr_cmp(b, a) > 0);
    CU_ASSERT_TRUE(kstr_cmp(c, a) < 0);
    CU_ASSERT_TRUE(kstr_cmp(a, c) > 0);
    kstr_free(a), kstr_free(b), kstr_free(c);
}

static void test_repr(void) {
    kstr s = kstr_cat_repr(kstr_empty(), "a\"b\\c\n\r\t\a\b\x01\xff", 12);
    CU_ASSERT_TRUE(kstr_equals(s, "\"a\\\"b\\\\c\\n\\r\\t\\a\\b\\x01\\xff\""));
    kstr_free(s);
}

static void test_split_args(void) {
    int argc;
    kstr *argv = kstr_split_args("  set  key \"va lue\\n\\x41\" 'it\\'s' \"\" plain", &argc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
    CU_ASSERT_EQUAL_FATAL(argc, 6);
    CU_ASSERT_TRUE(kstr_equals(argv[0], "set"));
    CU_ASSERT_TRUE(kstr_equals(argv[1], "key"));
    CU_ASSERT_TRUE(kstr_equals(argv[2], "va lue\nA"));
    CU_ASSERT_TRUE(kstr_equals(argv[3], "it's"));
    CU_ASSERT_TRUE(kstr_equals(argv[4], ""));
    CU_ASSERT_TRUE(kstr_equals(argv[5], "plain"));
    kstr_free_argv(argv, argc);

    /* Binary bytes through \x escapes, including NUL. */
    argv = kstr_split_args("\"\\x00\\xfF\\q\"", &argc);
    CU_ASSERT_PTR_NOT_NULL_FATAL(argv);
    CU_ASSERT_EQUAL(argc, 1);
    CU_ASSERT_EQUAL(kstr_len(argv[0]), 3);
    CU_ASSERT_EQUAL(memcmp(argv[0],
                           "\x00\xff"
                           "q",
                           3),
                    0);
    kstr_free_argv(argv, argc);

    /* Empty and blank lines: no arguments, but success. */
    argv = kstr_split_args("   \t ", &argc);
    CU_ASSERT_PTR_NOT_NULL(argv);
    CU_ASSERT_EQUAL(argc, 0);
    kstr_free_argv(argv, argc);

    /* Quoting errors. */
    CU_ASSERT_PTR_NULL(kstr_split_args("set \"unterminated", &argc));
    CU_ASSERT_EQUAL(argc, 0);
    CU_ASSERT_PTR_NULL(kstr_split_args("set 'unterminated", &argc));
    CU_ASSERT_PTR_NULL(kstr_split_args("set \"closed\"glued", &argc));
    CU_ASSERT_PTR_NULL(kstr_split_args("set 'closed'glued", &argc));
    CU_ASSERT_PTR_NULL(kstr_split_args("\"trailing backslash\\", &argc));
}

static void test_embedded(void) {
    char buf[64];
    CU_ASSERT_EQUAL(kstr_embed_size(10), 3 + 10 + 1);
    kstr s = kstr_embed(buf, "embedded!!", 10);
    CU_ASSERT_TRUE(kstr_is_embedded(s));
    CU_ASSERT_TRUE(kstr_equals(s, "embedded!!"));
    CU_ASSERT_EQUAL(kstr_avail(s), 0);
    CU_ASSERT_EQUAL(kstr_alloc_size(s), kstr_embed_size(10));
    kstr_range(s, 0, 3);
    CU_ASSERT_TRUE(kstr_equals(s, "embe"));
    kstr h = kstr_from("heap");
    CU_ASSERT_FALSE(kstr_is_embedded(h));
    kstr_free(h);
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("kstr", NULL, NULL);
    CU_add_test(s, "new, dup, from_ll", test_new_and_basics);
    CU_add_test(s, "growth across header widths", test_growth_across_headers);
    CU_add_test(s, "reserve, incr_len, cat", test_reserve_and_incr_len);
    CU_add_test(s, "range and consume", test_range);
    CU_add_test(s, "catfmt, tolower, cmp", test_format_and_case);
    CU_add_test(s, "repr escaping", test_repr);
    CU_add_test(s, "split_args quoting", test_split_args);
    CU_add_test(s, "embedded strings", test_embedded);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
