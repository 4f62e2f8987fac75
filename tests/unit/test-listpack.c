/*
 * Unit tests of the listpack (src/listpack.c): byte-exact layout as Redis
 * writes it, every integer and string-length encoding boundary, backlen
 * widths, editing in the middle, the saturated count, merge, random pairs,
 * and integrity validation of corrupted buffers.
 */
#include <CUnit/Basic.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "listpack.h"
#include "zmalloc.h"

static int entry_is_str(unsigned char *p, const char *s, size_t len) {
    return lp_entry_equals(p, (const unsigned char *)s, len);
}

static unsigned char *append_cstr(unsigned char *lp, const char *s) {
    return lp_append(lp, (const unsigned char *)s, strlen(s));
}

/* Bytes produced by Redis 7.0 (taken from DUMP of a hash {a: 1} and of a
 * list [hello, 1024, -5000]). */
static void test_layout_matches_redis(void) {
    unsigned char *lp = lp_new(0);
    lp = append_cstr(lp, "a");
    lp = append_cstr(lp, "1");
    static const unsigned char hash[] = {0x0c, 0x00, 0x00, 0x00, 0x02, 0x00,
                                         0x81, 'a',  0x02, 0x01, 0x01, 0xff};
    CU_ASSERT_EQUAL_FATAL(lp_bytes(lp), sizeof(hash));
    CU_ASSERT_EQUAL(memcmp(lp, hash, sizeof(hash)), 0);
    lp_free(lp);

    lp = lp_new(0);
    lp = append_cstr(lp, "hello");
    lp = lp_append_integer(lp, 1024);
    lp = append_cstr(lp, "-5000");
    static const unsigned char list[] = {0x15, 0x00, 0x00, 0x00, 0x03, 0x00, 0x85,
                                         'h',  'e',  'l',  'l',  'o',  0x06, 0xc4,
                                         0x00, 0x02, 0xf1, 0x78, 0xec, 0x03, 0xff};
    CU_ASSERT_EQUAL_FATAL(lp_bytes(lp), sizeof(list));
    CU_ASSERT_EQUAL(memcmp(lp, list, sizeof(list)), 0);
    lp_free(lp);
}

/* Each integer and the entry size (encoding + data + backlen) it gets. */
static const struct {
    long long v;
    size_t size;
    unsigned char first_byte_mask, first_byte;
} int_cases[] = {
    {0, 2, 0x80, 0x00},
    {127, 2, 0x80, 0x00},
    {128, 3, 0xE0, 0xC0},
    {-1, 3, 0xE0, 0xC0},
    {4095, 3, 0xE0, 0xC0},
    {-4096, 3, 0xE0, 0xC0},
    {4096, 4, 0xFF, 0xF1},
    {-4097, 4, 0xFF, 0xF1},
    {32767, 4, 0xFF, 0xF1},
    {-32768, 4, 0xFF, 0xF1},
    {32768, 5, 0xFF, 0xF2},
    {-32769, 5, 0xFF, 0xF2},
    {8388607, 5, 0xFF, 0xF2},
    {-8388608, 5, 0xFF, 0xF2},
    {8388608, 6, 0xFF, 0xF3},
    {-8388609, 6, 0xFF, 0xF3},
    {2147483647LL, 6, 0xFF, 0xF3},
    {-2147483648LL, 6, 0xFF, 0xF3},
    {2147483648LL, 10, 0xFF, 0xF4},
    {-2147483649LL, 10, 0xFF, 0xF4},
    {LLONG_MAX, 10, 0xFF, 0xF4},
    {LLONG_MIN, 10, 0xFF, 0xF4},
};

static void test_integer_boundaries(void) {
    size_t n = sizeof(int_cases) / sizeof(int_cases[0]);
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; i < n; i++) {
        /* Once as an integer, once as its decimal string. */
        char buf[32];
        int len = snprintf(buf, sizeof(buf), "%lld", int_cases[i].v);
        lp = lp_append_integer(lp, int_cases[i].v);
        lp = lp_append(lp, (unsigned char *)buf, (size_t)len);
        CU_ASSERT_EQUAL(lp_entry_size_for_integer(int_cases[i].v), int_cases[i].size);
        CU_ASSERT_EQUAL(lp_entry_size_for_string((unsigned char *)buf, (size_t)len),
                        int_cases[i].size);
    }
    CU_ASSERT_EQUAL(lp_length(lp), 2 * n);
    unsigned char *p = lp_first(lp);
    for (size_t i = 0; i < n; i++) {
        for (int twice = 0; twice < 2; twice++) {
            CU_ASSERT_PTR_NOT_NULL_FATAL(p);
            CU_ASSERT_EQUAL(p[0] & int_cases[i].first_byte_mask, int_cases[i].first_byte);
            CU_ASSERT_EQUAL(lp_entry_size(p), int_cases[i].size);
            lp_value v;
            lp_get_value(p, &v);
            CU_ASSERT_PTR_NULL(v.str);
            CU_ASSERT_EQUAL(v.ival, int_cases[i].v);
            long long got;
            CU_ASSERT_TRUE(lp_get_integer(p, &got));
            CU_ASSERT_EQUAL(got, int_cases[i].v);
            unsigned char ibuf[LP_INTBUF_SIZE];
            char expect[32];
            size_t slen;
            snprintf(expect, sizeof(expect), "%lld", int_cases[i].v);
            const unsigned char *s = lp_get_str(p, &slen, ibuf);
            CU_ASSERT_EQUAL(slen, strlen(expect));
            CU_ASSERT_EQUAL(memcmp(s, expect, slen), 0);
            CU_ASSERT_TRUE(entry_is_str(p, expect, strlen(expect)));
            p = lp_next(lp, p);
        }
    }
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_TRUE(lp_validate_integrity(lp, lp_bytes(lp), 1, NULL, NULL));
    lp_free(lp);
}

/* Strings that are not canonical integers stay strings. */
static void test_integer_like_strings(void) {
    const char *strings[] = {"",
                             "-",
                             "+1",
                             "01",
                             "-0",
                             " 1",
                             "1 ",
                             "1.0",
                             "0x10",
                             "9223372036854775808",
                             "-9223372036854775809",
                             "123456789012345678901"};
    size_t n = sizeof(strings) / sizeof(strings[0]);
    unsigned char *lp = lp_new(0);
    for (size_t i = 0; i < n; i++) lp = append_cstr(lp, strings[i]);
    unsigned char *p = lp_first(lp);
    for (size_t i = 0; i < n; i++) {
        lp_value v;
        lp_get_value(p, &v);
        CU_ASSERT_PTR_NOT_NULL(v.str);
        CU_ASSERT_EQUAL(v.len, strlen(strings[i]));
        CU_ASSERT_EQUAL(memcmp(v.str, strings[i], v.len), 0);
        long long ll;
        CU_ASSERT_FALSE(lp_get_integer(p, &ll));
        p = lp_next(lp, p);
    }
    long long v;
    CU_ASSERT_TRUE(lp_string_to_int64((unsigned char *)"-9223372036854775808", 20, &v));
    CU_ASSERT_EQUAL(v, LLONG_MIN);
    CU_ASSERT_TRUE(lp_string_to_int64((unsigned char *)"0", 1, &v));
    CU_ASSERT_EQUAL(v, 0);
    lp_free(lp);
}

/* String length encodings (6, 12 and 32-bit) and backlen widths 1..3. */
static void test_string_lengths(void) {
    const size_t lens[] = {0,    1,     63,    64,    125,    126,     4095,
                           4096, 16377, 16378, 16379, 100000, 2097146, 2097147};
    size_t n = sizeof(lens) / sizeof(lens[0]);
    unsigned char *lp = lp_new(0);
    char *big = zmalloc(lens[n - 1]);
    for (size_t i = 0; i < lens[n - 1]; i++) big[i] = (char)('a' + i % 23);
    for (size_t i = 0; i < n; i++) lp = lp_append(lp, (unsigned char *)big, lens[i]);
    CU_ASSERT_EQUAL(lp_length(lp), n);
    unsigned char *p = lp_first(lp);
    for (size_t i = 0; i < n; i++) {
        size_t hdr = lens[i] < 64 ? 1 : lens[i] < 4096 ? 2 : 5;
        size_t enclen = hdr + lens[i];
        size_t bl = enclen <= 127 ? 1 : enclen < 16383 ? 2 : enclen < 2097151 ? 3 : 4;
        CU_ASSERT_EQUAL(lp_entry_size(p), enclen + bl);
        CU_ASSERT_EQUAL(lp_entry_size_for_string((unsigned char *)big, lens[i]), enclen + bl);
        CU_ASSERT_TRUE(entry_is_str(p, big, lens[i]));
        p = lp_next(lp, p);
    }
    CU_ASSERT_PTR_NULL(p);
    /* Walking back over every backlen width. */
    p = lp_last(lp);
    for (size_t i = n; i-- > 0;) {
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        lp_value v;
        lp_get_value(p, &v);
        CU_ASSERT_EQUAL(v.len, lens[i]);
        p = lp_prev(lp, p);
    }
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_TRUE(lp_validate_integrity(lp, lp_bytes(lp), 1, NULL, NULL));
    zfree(big);
    lp_free(lp);
}

static int lp_matches(unsigned char *lp, const char **expect, size_t n) {
    if (lp_length(lp) != n) return 0;
    unsigned char *p = lp_first(lp);
    for (size_t i = 0; i < n; i++) {
        if (!p || !entry_is_str(p, expect[i], strlen(expect[i]))) return 0;
        p = lp_next(lp, p);
    }
    if (p) return 0;
    /* And backwards. */
    p = lp_last(lp);
    for (size_t i = n; i-- > 0;) {
        if (!p || !entry_is_str(p, expect[i], strlen(expect[i]))) return 0;
        p = lp_prev(lp, p);
    }
    return p == NULL && lp_validate_integrity(lp, lp_bytes(lp), 1, NULL, NULL);
}

static void test_insert_delete_replace(void) {
    unsigned char *lp = lp_new(0);
    lp = append_cstr(lp, "b");
    lp = append_cstr(lp, "d");
    lp = lp_prepend(lp, (unsigned char *)"a", 1);
    unsigned char *p = lp_seek(lp, 1), *newp = NULL;
    lp = lp_insert_string(lp, (unsigned char *)"c", 1, p, LP_AFTER, &newp);
    CU_ASSERT_TRUE(entry_is_str(newp, "c", 1));
    const char *e1[] = {"a", "b", "c", "d"};
    CU_ASSERT_TRUE(lp_matches(lp, e1, 4));

    /* Replace with something much bigger, then smaller, in the middle. */
    char big[300];
    memset(big, 'x', sizeof(big) - 1);
    big[sizeof(big) - 1] = '\0';
    p = lp_seek(lp, 2);
    lp = lp_replace(lp, &p, (unsigned char *)big, strlen(big));
    CU_ASSERT_TRUE(entry_is_str(p, big, strlen(big)));
    const char *e2[] = {"a", "b", big, "d"};
    CU_ASSERT_TRUE(lp_matches(lp, e2, 4));
    lp = lp_replace_integer(lp, &p, -70000);
    const char *e3[] = {"a", "b", "-70000", "d"};
    CU_ASSERT_TRUE(lp_matches(lp, e3, 4));

    /* Replacing with bytes taken from the listpack itself. */
    p = lp_seek(lp, 0);
    lp_value v;
    lp_get_value(lp_seek(lp, 3), &v);
    lp = lp_replace(lp, &p, v.str, v.len);
    const char *e4[] = {"d", "b", "-70000", "d"};
    CU_ASSERT_TRUE(lp_matches(lp, e4, 4));

    p = lp_seek(lp, 1);
    lp = lp_delete(lp, p, &newp);
    CU_ASSERT_TRUE(entry_is_str(newp, "-70000", 6));
    const char *e5[] = {"d", "-70000", "d"};
    CU_ASSERT_TRUE(lp_matches(lp, e5, 3));
    p = lp_seek(lp, -1);
    lp = lp_delete(lp, p, &newp);
    CU_ASSERT_PTR_NULL(newp);

    lp = lp_prepend_integer(lp, 5);
    lp = lp_append_integer(lp, 6);
    const char *e6[] = {"5", "d", "-70000", "6"};
    CU_ASSERT_TRUE(lp_matches(lp, e6, 4));
    lp = lp_delete_range(lp, 1, 2);
    const char *e7[] = {"5", "6"};
    CU_ASSERT_TRUE(lp_matches(lp, e7, 2));
    lp = lp_delete_range(lp, -1, 10);
    const char *e8[] = {"5"};
    CU_ASSERT_TRUE(lp_matches(lp, e8, 1));
    p = lp_first(lp);
    lp = lp_delete_range_with_entry(lp, &p, 5);
    CU_ASSERT_PTR_NULL(p);
    CU_ASSERT_EQUAL(lp_length(lp), 0);
    CU_ASSERT_PTR_NULL(lp_first(lp));
    CU_ASSERT_PTR_NULL(lp_last(lp));
    CU_ASSERT_PTR_NULL(lp_seek(lp, 0));
    CU_ASSERT_EQUAL(lp_bytes(lp), LP_HDR_SIZE + 1);
    lp_free(lp);
}

static void test_seek_and_find(void) {
    unsigned char *lp = lp_new(0);
    char buf[16];
    for (int i = 0; i < 100; i++) {
        int n = snprintf(buf, sizeof(buf), "f%d", i);
        lp = lp_append(lp, (unsigned char *)buf, (size_t)n);
        lp = lp_append_integer(lp, i);
    }
    for (long i = -200; i < 200; i++) {
        unsigned char *p = lp_seek(lp, i);
        long idx = i < 0 ? i + 200 : i;
        CU_ASSERT_PTR_NOT_NULL_FATAL(p);
        long long v;
        if (idx % 2) {
            CU_ASSERT_TRUE(lp_get_integer(p, &v));
            CU_ASSERT_EQUAL(v, idx / 2);
        }
    }
    CU_ASSERT_PTR_NULL(lp_seek(lp, 200));
    CU_ASSERT_PTR_NULL(lp_seek(lp, -201));
    /* Fields only: "7" exists as a value but not as a field. */
    CU_ASSERT_PTR_NULL(lp_find(lp, lp_first(lp), (unsigned char *)"7", 1, 1));
    unsigned char *p = lp_find(lp, lp_first(lp), (unsigned char *)"f7", 2, 1);
    CU_ASSERT_PTR_EQUAL(p, lp_seek(lp, 14));
    p = lp_find(lp, lp_first(lp), (unsigned char *)"7", 1, 0);
    CU_ASSERT_PTR_EQUAL(p, lp_seek(lp, 15));
    CU_ASSERT_PTR_NULL(lp_find(lp, lp_first(lp), (unsigned char *)"07", 2, 0));
    CU_ASSERT_PTR_NULL(lp_find(lp, NULL, (unsigned char *)"f1", 2, 1));
    lp_free(lp);
}

/* Past 65534 entries the header count saturates and is recomputed. */
static void test_large_count(void) {
    unsigned char *lp = lp_new(70000 * 3 + 16);
    for (long i = 0; i < 70000; i++) lp = lp_append_integer(lp, i);
    CU_ASSERT_EQUAL(lp[4] | lp[5] << 8, LP_HDR_COUNT_UNKNOWN);
    CU_ASSERT_EQUAL(lp_length(lp), 70000);
    long long v;
    CU_ASSERT_TRUE(lp_get_integer(lp_seek(lp, 69999), &v));
    CU_ASSERT_EQUAL(v, 69999);
    CU_ASSERT_TRUE(lp_validate_integrity(lp, lp_bytes(lp), 1, NULL, NULL));
    lp = lp_delete_range(lp, 0, 10000);
    CU_ASSERT_EQUAL(lp_length(lp), 60000);
    CU_ASSERT_EQUAL(lp[4] | lp[5] << 8, 60000);
    CU_ASSERT_TRUE(lp_get_integer(lp_first(lp), &v));
    CU_ASSERT_EQUAL(v, 10000);
    lp_free(lp);
}

static void test_merge(void) {
    for (int bigger_first = 0; bigger_first < 2; bigger_first++) {
        unsigned char *a = lp_new(0), *b = lp_new(0);
        a = append_cstr(a, "a1");
        b = append_cstr(b, "b1");
        if (bigger_first)
            a = append_cstr(a, "a2-long-entry");
        else
            b = append_cstr(b, "b2-long-entry");
        unsigned char *m = lp_merge(&a, &b);
        CU_ASSERT_PTR_NOT_NULL_FATAL(m);
        CU_ASSERT_TRUE((a == m && b == NULL) || (b == m && a == NULL));
        if (bigger_first) {
            const char *e[] = {"a1", "a2-long-entry", "b1"};
            CU_ASSERT_TRUE(lp_matches(m, e, 3));
        } else {
            const char *e[] = {"a1", "b1", "b2-long-entry"};
            CU_ASSERT_TRUE(lp_matches(m, e, 3));
        }
        lp_free(m);
    }
    unsigned char *a = lp_new(0), *none = NULL;
    CU_ASSERT_PTR_NULL(lp_merge(&a, &none));
    lp_free(a);
}

static void test_random(void) {
    unsigned char *lp = lp_new(0);
    CU_ASSERT_PTR_NULL(lp_random_entry(lp));
    char buf[16];
    for (int i = 0; i < 10; i++) {
        int n = snprintf(buf, sizeof(buf), "k%d", i);
        lp = lp_append(lp, (unsigned char *)buf, (size_t)n);
        lp = lp_append_integer(lp, i);
    }
    lp_value keys[20], vals[20];
    for (int round = 0; round < 50; round++) {
        lp_value k, v;
        lp_random_pair(lp, 10, &k, &v);
        CU_ASSERT_PTR_NOT_NULL(k.str);
        CU_ASSERT_EQUAL(k.str[1] - '0', v.ival);

        lp_random_pairs(lp, 20, keys, vals);
        for (int i = 0; i < 20; i++) CU_ASSERT_EQUAL(keys[i].str[1] - '0', vals[i].ival);

        unsigned long got = lp_random_pairs_unique(lp, 4, keys, vals);
        CU_ASSERT_EQUAL(got, 4);
        for (unsigned long i = 1; i < got; i++) CU_ASSERT_TRUE(vals[i].ival > vals[i - 1].ival);
        got = lp_random_pairs_unique(lp, 20, keys, NULL);
        CU_ASSERT_EQUAL(got, 10);
        for (unsigned long i = 0; i < got; i++) CU_ASSERT_EQUAL(keys[i].str[1] - '0', (int)i);
    }
    lp_free(lp);
}

static unsigned char *sample_listpack(void) {
    unsigned char *lp = lp_new(0);
    lp = append_cstr(lp, "hello");
    lp = lp_append_integer(lp, 1024);
    lp = lp_append_integer(lp, -5000);
    char big[200];
    memset(big, 'z', sizeof(big));
    lp = lp_append(lp, (unsigned char *)big, sizeof(big));
    lp = lp_append_integer(lp, LLONG_MIN);
    return lp;
}

static int count_cb(const unsigned char *p, unsigned long head_count, void *userdata) {
    (void)p;
    (void)head_count;
    (*(int *)userdata)++;
    return 1;
}

static int reject_cb(const unsigned char *p, unsigned long head_count, void *userdata) {
    (void)head_count;
    (void)userdata;
    return !lp_entry_equals(p, (const unsigned char *)"1024", 4);
}

/* Validates a private copy of exactly size bytes (so ASan sees any read
 * past the end). */
static int validate_copy(const unsigned char *src, size_t size, int deep) {
    unsigned char *copy = malloc(size ? size : 1);
    memcpy(copy, src, size);
    int ok = lp_validate_integrity(copy, size, deep, NULL, NULL);
    free(copy);
    return ok;
}

static void test_validate_corrupted(void) {
    unsigned char *lp = sample_listpack();
    size_t size = lp_bytes(lp);
    int n = 0;
    CU_ASSERT_TRUE(lp_validate_integrity(lp, size, 1, count_cb, &n));
    CU_ASSERT_EQUAL(n, 5);
    CU_ASSERT_FALSE(lp_validate_integrity(lp, size, 1, reject_cb, NULL));
    CU_ASSERT_FALSE(lp_validate_integrity(NULL, 0, 1, NULL, NULL));
    CU_ASSERT_FALSE(validate_copy(lp, 3, 1));
    /* Size disagreeing with the header. */
    CU_ASSERT_FALSE(validate_copy(lp, size - 1, 0));

    unsigned char *bad = malloc(size);
    /* No end byte. */
    memcpy(bad, lp, size);
    bad[size - 1] = 0x00;
    CU_ASSERT_FALSE(lp_validate_integrity(bad, size, 0, NULL, NULL));
    /* Wrong count in the header. */
    memcpy(bad, lp, size);
    bad[4] = 4;
    CU_ASSERT_TRUE(lp_validate_integrity(bad, size, 0, NULL, NULL));
    CU_ASSERT_FALSE(lp_validate_integrity(bad, size, 1, NULL, NULL));
    /* Unknown count is accepted. */
    bad[4] = 0xff;
    bad[5] = 0xff;
    CU_ASSERT_TRUE(lp_validate_integrity(bad, size, 1, NULL, NULL));
    /* Corrupted backlen of the first entry ("hello": 6). */
    memcpy(bad, lp, size);
    bad[LP_HDR_SIZE + 6] = 7;
    CU_ASSERT_FALSE(lp_validate_integrity(bad, size, 1, NULL, NULL));
    /* Reserved encoding byte. */
    memcpy(bad, lp, size);
    bad[LP_HDR_SIZE] = 0xF7;
    CU_ASSERT_FALSE(lp_validate_integrity(bad, size, 1, NULL, NULL));
    /* End byte in the middle. */
    bad[LP_HDR_SIZE] = LP_EOF;
    CU_ASSERT_FALSE(lp_validate_integrity(bad, size, 1, NULL, NULL));
    /* A 32-bit string length pointing far past the buffer. */
    memcpy(bad, lp, size);
    bad[LP_HDR_SIZE] = 0xF0;
    bad[LP_HDR_SIZE + 1] = 0xff;
    bad[LP_HDR_SIZE + 2] = 0xff;
    bad[LP_HDR_SIZE + 3] = 0xff;
    bad[LP_HDR_SIZE + 4] = 0xff;
    CU_ASSERT_FALSE(lp_validate_integrity(bad, size, 1, NULL, NULL));

    /* Every truncation, with the header patched to agree, is rejected. */
    for (size_t cut = LP_HDR_SIZE + 1; cut < size; cut++) {
        memcpy(bad, lp, cut);
        bad[0] = cut & 0xff;
        bad[1] = (cut >> 8) & 0xff;
        bad[2] = bad[3] = 0;
        bad[cut - 1] = LP_EOF;
        CU_ASSERT_FALSE(validate_copy(bad, cut, 1));
    }

    /* Random byte flips never crash; what validates can be walked. */
    srandom(42);
    for (int round = 0; round < 20000; round++) {
        memcpy(bad, lp, size);
        int flips = 1 + (int)(random() % 3);
        for (int f = 0; f < flips; f++) {
            size_t pos = LP_HDR_SIZE + (size_t)random() % (size - LP_HDR_SIZE);
            bad[pos] = (unsigned char)random();
        }
        unsigned char *copy = zmalloc(size);
        memcpy(copy, bad, size);
        if (lp_validate_integrity(copy, size, 1, NULL, NULL)) {
            unsigned long len = 0;
            for (unsigned char *p = lp_first(copy); p; p = lp_next(copy, p)) {
                unsigned char ibuf[LP_INTBUF_SIZE];
                size_t slen;
                (void)lp_get_str(p, &slen, ibuf);
                len++;
            }
            CU_ASSERT_EQUAL(len, lp_length(copy));
        }
        zfree(copy);
    }
    free(bad);
    lp_free(lp);
}

static void test_shrink_and_safety(void) {
    unsigned char *lp = lp_new(4096);
    lp = append_cstr(lp, "x");
    lp = lp_shrink_to_fit(lp);
    CU_ASSERT_TRUE(zmalloc_size(lp) < 4096);
    CU_ASSERT_TRUE(entry_is_str(lp_first(lp), "x", 1));
    CU_ASSERT_TRUE(lp_safe_to_add(lp, 1000));
    CU_ASSERT_FALSE(lp_safe_to_add(lp, LP_MAX_SAFETY_SIZE));
    CU_ASSERT_TRUE(lp_safe_to_add(NULL, 10));
    lp_free(lp);
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("listpack", NULL, NULL);
    CU_add_test(s, "byte layout matches Redis", test_layout_matches_redis);
    CU_add_test(s, "integer encoding boundaries", test_integer_boundaries);
    CU_add_test(s, "integer-like strings stay strings", test_integer_like_strings);
    CU_add_test(s, "string lengths and backlen widths", test_string_lengths);
    CU_add_test(s, "insert, delete, replace in the middle", test_insert_delete_replace);
    CU_add_test(s, "seek and find", test_seek_and_find);
    CU_add_test(s, "count past 65535", test_large_count);
    CU_add_test(s, "merge", test_merge);
    CU_add_test(s, "random pairs", test_random);
    CU_add_test(s, "validation of corrupted buffers", test_validate_corrupted);
    CU_add_test(s, "shrink and safety limit", test_shrink_and_safety);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
