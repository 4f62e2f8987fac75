/*
 * Unit tests of the sorted set storage (src/zset_skiplist.c,
 * src/t_zset_type.c): random adds, score updates and deletions checked
 * against a sorted reference array, in both encodings, with ranks, range
 * counts, range deletions, iteration both ways and conversions.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server.h"
#include "zset_internal.h"

typedef struct ref_elem {
    char name[16];
    double score;
} ref_elem;

static ref_elem ref[512];
static int nref;

static int ref_cmp(const void *a, const void *b) {
    const ref_elem *x = a, *y = b;
    if (x->score != y->score) return x->score < y->score ? -1 : 1;
    return zset_cmp_bytes(x->name, strlen(x->name), y->name, strlen(y->name));
}

static int ref_find(const char *name) {
    for (int i = 0; i < nref; i++)
        if (!strcmp(ref[i].name, name)) return i;
    return -1;
}

/* The set must hold exactly the reference, in order, both ways. */
static void check_against_ref(kobj *z) {
    qsort(ref, (size_t)nref, sizeof(ref[0]), ref_cmp);
    CU_ASSERT_EQUAL_FATAL(zset_type_length(z), (unsigned long)nref);
    zset_iter it;
    zset_elem e;
    zset_iter_init_rank(&it, z, 0, 0);
    for (int i = 0; i < nref; i++) {
        CU_ASSERT_TRUE_FATAL(zset_iter_next(&it, &e));
        CU_ASSERT_EQUAL(e.len, strlen(ref[i].name));
        CU_ASSERT_EQUAL(memcmp(e.ele, ref[i].name, e.len), 0);
        CU_ASSERT_EQUAL(e.score, ref[i].score);
    }
    CU_ASSERT_FALSE(zset_iter_next(&it, &e));
    zset_iter_init_rank(&it, z, 0, 1);
    for (int i = nref - 1; i >= 0; i--) {
        CU_ASSERT_TRUE_FATAL(zset_iter_next(&it, &e));
        CU_ASSERT_EQUAL(memcmp(e.ele, ref[i].name, e.len), 0);
    }
    for (int i = 0; i < nref; i++) {
        double s;
        const char *n = ref[i].name;
        CU_ASSERT_EQUAL(zset_type_rank(z, n, strlen(n), 0, &s), i);
        CU_ASSERT_EQUAL(zset_type_rank(z, n, strlen(n), 1, NULL), nref - 1 - i);
        CU_ASSERT_EQUAL(s, ref[i].score);
    }
}

static void random_ops(int encoding) {
    server.zset_max_listpack_entries = encoding == OBJ_ENCODING_LISTPACK ? 100000 : 0;
    server.zset_max_listpack_value = 64;
    kobj *z = zset_type_create(0, 0);
    CU_ASSERT_EQUAL(z->encoding, encoding);
    nref = 0;
    srandom(7);
    for (int round = 0; round < 3000; round++) {
        char name[16];
        snprintf(name, sizeof(name), "m%ld", random() % 300);
        double score = (double)(random() % 50) / 2;
        int idx = ref_find(name);
        int op = (int)(random() % 4);
        int out;
        if (op < 3) {
            double newscore;
            CU_ASSERT_EQUAL(
                zset_type_add(z, score, name, strlen(name), ZADD_IN_NONE, &out, &newscore), 1);
            if (idx < 0) {
                CU_ASSERT_EQUAL(out, ZADD_OUT_ADDED);
                strcpy(ref[nref].name, name);
                ref[nref++].score = score;
            } else {
                CU_ASSERT_EQUAL(out, ref[idx].score == score ? 0 : ZADD_OUT_UPDATED);
                ref[idx].score = score;
            }
            CU_ASSERT_EQUAL(newscore, score);
        } else {
            CU_ASSERT_EQUAL(zset_type_delete(z, name, strlen(name)), idx >= 0);
            if (idx >= 0) ref[idx] = ref[--nref];
        }
        if (round % 500 == 0) check_against_ref(z);
    }
    check_against_ref(z);

    /* Range counts agree with the reference. */
    zscore_range r = {3, 10, 1, 0};
    unsigned long expect = 0;
    for (int i = 0; i < nref; i++)
        if (ref[i].score > 3 && ref[i].score <= 10) expect++;
    CU_ASSERT_EQUAL(zset_type_count_score(z, &r), expect);
    zset_iter it;
    zset_elem e;
    unsigned long seen = 0;
    zset_iter_init_score(&it, z, &r, 1);
    double last = 1e9;
    while (zset_iter_next(&it, &e)) {
        CU_ASSERT_TRUE(e.score > 3 && e.score <= 10 && e.score <= last);
        last = e.score;
        seen++;
    }
    CU_ASSERT_EQUAL(seen, expect);

    /* Deleting a score range, then a rank range. */
    CU_ASSERT_EQUAL(zset_type_delete_score(z, &r), expect);
    int j = 0;
    for (int i = 0; i < nref; i++)
        if (!(ref[i].score > 3 && ref[i].score <= 10)) ref[j++] = ref[i];
    nref = j;
    check_against_ref(z);
    CU_ASSERT_EQUAL(zset_type_delete_rank(z, 2, 11), 10);
    memmove(&ref[2], &ref[12], sizeof(ref[0]) * (size_t)(nref - 12));
    nref -= 10;
    check_against_ref(z);

    /* Conversions keep everything. */
    zset_type_convert(z, encoding == OBJ_ENCODING_LISTPACK ? OBJ_ENCODING_SKIPLIST
                                                           : OBJ_ENCODING_LISTPACK);
    check_against_ref(z);
    kobj *copy = zset_type_dup(z);
    decr_ref(z);
    check_against_ref(copy);
    decr_ref(copy);
}

static void test_random_listpack(void) {
    random_ops(OBJ_ENCODING_LISTPACK);
}

static void test_random_skiplist(void) {
    random_ops(OBJ_ENCODING_SKIPLIST);
}

/* Lex ranges over members of equal score. */
static void test_lex_ranges(void) {
    for (int enc = 0; enc < 2; enc++) {
        server.zset_max_listpack_entries = enc ? 0 : 128;
        server.zset_max_listpack_value = 64;
        kobj *z = zset_type_create(0, 0);
        const char *names[] = {"a", "b", "ba", "c", "d"};
        for (int i = 0; i < 5; i++) {
            int out;
            zset_type_add(z, 0, names[i], strlen(names[i]), ZADD_IN_NONE, &out, NULL);
        }
        zlex_range r = {{ZLEX_VALUE, 0, "b", 1}, {ZLEX_VALUE, 1, "c", 1}};
        CU_ASSERT_EQUAL(zset_type_count_lex(z, &r), 2);
        zlex_range all = {{ZLEX_NEG_INF, 0, NULL, 0}, {ZLEX_POS_INF, 0, NULL, 0}};
        CU_ASSERT_EQUAL(zset_type_count_lex(z, &all), 5);
        zlex_range none = {{ZLEX_POS_INF, 0, NULL, 0}, {ZLEX_NEG_INF, 0, NULL, 0}};
        CU_ASSERT_EQUAL(zset_type_count_lex(z, &none), 0);
        CU_ASSERT_EQUAL(zset_type_delete_lex(z, &r), 2);
        CU_ASSERT_EQUAL(zset_type_length(z), 3);
        decr_ref(z);
    }
}

/* GT/LT/NX/XX/INCR flags of zset_type_add. */
static void test_add_flags(void) {
    server.zset_max_listpack_entries = 128;
    server.zset_max_listpack_value = 64;
    kobj *z = zset_type_create(0, 0);
    int out;
    double ns;
    zset_type_add(z, 5, "a", 1, ZADD_IN_NONE, &out, &ns);
    zset_type_add(z, 1, "a", 1, ZADD_IN_NX, &out, &ns);
    CU_ASSERT_EQUAL(out, ZADD_OUT_NOP);
    zset_type_add(z, 1, "b", 1, ZADD_IN_XX, &out, &ns);
    CU_ASSERT_EQUAL(out, ZADD_OUT_NOP);
    zset_type_add(z, 4, "a", 1, ZADD_IN_GT, &out, &ns);
    CU_ASSERT_EQUAL(out, ZADD_OUT_NOP);
    zset_type_add(z, 2, "a", 1, ZADD_IN_INCR, &out, &ns);
    CU_ASSERT_EQUAL(out, ZADD_OUT_UPDATED);
    CU_ASSERT_EQUAL(ns, 7);
    zset_type_add(z, 1.0 / 0.0, "i", 1, ZADD_IN_NONE, &out, &ns);
    CU_ASSERT_EQUAL(zset_type_add(z, -1.0 / 0.0, "i", 1, ZADD_IN_INCR, &out, &ns), 0);
    CU_ASSERT_EQUAL(out, ZADD_OUT_NAN);
    double s;
    CU_ASSERT_EQUAL(zset_type_score(z, "a", 1, &s), C_OK);
    CU_ASSERT_EQUAL(s, 7);
    CU_ASSERT_EQUAL(zset_type_score(z, "zz", 2, &s), C_ERR);
    decr_ref(z);
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("zset", NULL, NULL);
    CU_add_test(s, "random operations, listpack", test_random_listpack);
    CU_add_test(s, "random operations, skiplist", test_random_skiplist);
    CU_add_test(s, "lex ranges", test_lex_ranges);
    CU_add_test(s, "add flags", test_add_flags);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
