/*
 * Unit tests of the quicklist (src/quicklist.c): node sizing by fill,
 * pushes and pops at both ends, indexing, insertion (including splits of
 * full nodes), replacement, range deletion, iteration with deletion in both
 * directions, duplication, and a randomized comparison with a plain array.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kstr.h"
#include "quicklist.h"
#include "zmalloc.h"

/* ---------- helpers ---------- */

/* The element at e as a NUL-terminated string in buf. */
static const char *entry_text(const ql_entry *e, char *buf, size_t len) {
    if (e->str)
        snprintf(buf, len, "%.*s", (int)e->len, (const char *)e->str);
    else
        snprintf(buf, len, "%lld", e->ival);
    return buf;
}

static void push_str(quicklist *ql, const char *s, int where) {
    ql_push(ql, s, strlen(s), where);
}

/* Joins the list into "a,b,c" (head to tail). */
static void join(quicklist *ql, char *out, size_t outlen) {
    ql_iter it;
    ql_entry e;
    char buf[256];
    out[0] = '\0';
    ql_iter_init(&it, ql, QL_HEAD);
    int first = 1;
    while (ql_next(&it, &e)) {
        size_t used = strlen(out);
        snprintf(out + used, outlen - used, "%s%s", first ? "" : ",",
                 entry_text(&e, buf, sizeof(buf)));
        first = 0;
    }
}

/* Node invariants: counts add up, links are consistent, no empty node. */
static void check_invariants(quicklist *ql) {
    unsigned long total = 0, nodes = 0;
    ql_node *prev = NULL;
    for (ql_node *n = ql->head; n; n = n->next) {
        CU_ASSERT_PTR_EQUAL_FATAL(n->prev, prev);
        CU_ASSERT_TRUE_FATAL(n->count > 0);
        total += n->count;
        nodes++;
        prev = n;
    }
    CU_ASSERT_PTR_EQUAL_FATAL(ql->tail, prev);
    CU_ASSERT_EQUAL_FATAL(total, ql->count);
    CU_ASSERT_EQUAL_FATAL(nodes, ql->len);
}

/* ---------- tests ---------- */

static void test_push_pop_both_ends(void) {
    quicklist *ql = ql_create(QL_FILL_DEFAULT, 0);
    push_str(ql, "b", QL_HEAD);
    push_str(ql, "a", QL_HEAD);
    push_str(ql, "c", QL_TAIL);
    push_str(ql, "12345", QL_TAIL); /* stored as an integer */
    char out[256];
    join(ql, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "a,b,c,12345");
    CU_ASSERT_EQUAL(ql_count(ql), 4);
    char *v = ql_pop(ql, QL_TAIL);
    CU_ASSERT_EQUAL(kstr_len(v), 5);
    CU_ASSERT_STRING_EQUAL(v, "12345");
    kstr_free(v);
    v = ql_pop(ql, QL_HEAD);
    CU_ASSERT_STRING_EQUAL(v, "a");
    kstr_free(v);
    v = ql_pop(ql, QL_HEAD);
    kstr_free(v);
    v = ql_pop(ql, QL_HEAD);
    CU_ASSERT_STRING_EQUAL(v, "c");
    kstr_free(v);
    CU_ASSERT_PTR_NULL(ql_pop(ql, QL_HEAD));
    CU_ASSERT_EQUAL(ql->len, 0);
    CU_ASSERT_PTR_NULL(ql->head);
    ql_release(ql);
}

static void test_binary_values(void) {
    quicklist *ql = ql_create(QL_FILL_DEFAULT, 0);
    ql_push(ql, "a\0b", 3, QL_TAIL);
    ql_push(ql, "", 0, QL_TAIL);
    ql_entry e;
    CU_ASSERT_TRUE(ql_index(ql, 0, &e));
    CU_ASSERT_EQUAL(e.len, 3);
    CU_ASSERT_EQUAL(memcmp(e.str, "a\0b", 3), 0);
    CU_ASSERT_TRUE(ql_entry_equals(&e, "a\0b", 3));
    CU_ASSERT_FALSE(ql_entry_equals(&e, "a", 1));
    CU_ASSERT_TRUE(ql_index(ql, -1, &e));
    CU_ASSERT_TRUE(ql_entry_equals(&e, "", 0));
    ql_release(ql);
}

static void test_fill_by_count(void) {
    quicklist *ql = ql_create(4, 0);
    for (int i = 0; i < 10; i++) push_str(ql, "x", QL_TAIL);
    CU_ASSERT_EQUAL(ql->len, 3); /* 4 + 4 + 2 */
    CU_ASSERT_EQUAL(ql->head->count, 4);
    CU_ASSERT_EQUAL(ql->tail->count, 2);
    check_invariants(ql);
    ql_release(ql);

    /* 0 means one entry per node, as in Redis. */
    ql = ql_create(0, 0);
    for (int i = 0; i < 3; i++) push_str(ql, "x", QL_HEAD);
    CU_ASSERT_EQUAL(ql->len, 3);
    ql_release(ql);
}

static void test_fill_by_size(void) {
    char big[1000];
    memset(big, 'z', sizeof(big));
    /* -1: 4 KiB nodes hold 4 such elements, -2 (8 KiB) about 8. */
    quicklist *ql = ql_create(-1, 0);
    for (int i = 0; i < 8; i++) ql_push(ql, big, sizeof(big), QL_TAIL);
    CU_ASSERT_EQUAL(ql->len, 2);
    for (ql_node *n = ql->head; n; n = n->next) CU_ASSERT_TRUE(n->sz <= 4096);
    ql_release(ql);

    ql = ql_create(QL_FILL_DEFAULT, 0);
    for (int i = 0; i < 16; i++) ql_push(ql, big, sizeof(big), QL_TAIL);
    CU_ASSERT_EQUAL(ql->len, 2);
    for (ql_node *n = ql->head; n; n = n->next) CU_ASSERT_TRUE(n->sz <= 8192);
    ql_release(ql);

    /* A positive fill is still capped at 8 KiB per node. */
    ql = ql_create(1000, 0);
    for (int i = 0; i < 16; i++) ql_push(ql, big, sizeof(big), QL_TAIL);
    CU_ASSERT_TRUE(ql->len >= 2);
    ql_release(ql);

    /* An element larger than a node's limit gets a node of its own. */
    ql = ql_create(-1, 0);
    char *huge = malloc(20000);
    memset(huge, 'h', 20000);
    push_str(ql, "a", QL_TAIL);
    ql_push(ql, huge, 20000, QL_TAIL);
    push_str(ql, "b", QL_TAIL);
    CU_ASSERT_EQUAL(ql->len, 3);
    ql_entry e;
    CU_ASSERT_TRUE(ql_index(ql, 1, &e));
    CU_ASSERT_EQUAL(e.len, 20000);
    free(huge);
    check_invariants(ql);
    ql_release(ql);
}

static void test_index(void) {
    quicklist *ql = ql_create(3, 0);
    char buf[32];
    for (int i = 0; i < 20; i++) {
        snprintf(buf, sizeof(buf), "v%d", i);
        push_str(ql, buf, QL_TAIL);
    }
    ql_entry e;
    char text[64];
    for (int i = 0; i < 20; i++) {
        snprintf(buf, sizeof(buf), "v%d", i);
        CU_ASSERT_TRUE_FATAL(ql_index(ql, i, &e));
        CU_ASSERT_STRING_EQUAL(entry_text(&e, text, sizeof(text)), buf);
        CU_ASSERT_TRUE_FATAL(ql_index(ql, i - 20, &e));
        CU_ASSERT_STRING_EQUAL(entry_text(&e, text, sizeof(text)), buf);
    }
    CU_ASSERT_FALSE(ql_index(ql, 20, &e));
    CU_ASSERT_FALSE(ql_index(ql, -21, &e));
    CU_ASSERT_FALSE(ql_index(ql, -9223372036854775807L - 1, &e));
    ql_release(ql);
}

static void test_insert_and_split(void) {
    quicklist *ql = ql_create(4, 0);
    const char *init[] = {"a", "b", "c", "d", "e", "f", "g", "h"};
    for (int i = 0; i < 8; i++) push_str(ql, init[i], QL_TAIL);
    CU_ASSERT_EQUAL(ql->len, 2);
    ql_entry e;
    /* Inside a full node: splits it. */
    CU_ASSERT_TRUE(ql_index(ql, 1, &e));
    ql_insert(&e, "X", 1, 1);
    check_invariants(ql);
    /* At the head of the list, before the first element. */
    CU_ASSERT_TRUE(ql_index(ql, 0, &e));
    ql_insert(&e, "H", 1, 0);
    /* After the last element. */
    CU_ASSERT_TRUE(ql_index(ql, -1, &e));
    ql_insert(&e, "T", 1, 1);
    /* Before an element in the middle. */
    CU_ASSERT_TRUE(ql_index(ql, 5, &e));
    ql_insert(&e, "M", 1, 0);
    check_invariants(ql);
    char out[256];
    join(ql, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "H,a,b,X,c,M,d,e,f,g,h,T");
    for (ql_node *n = ql->head; n; n = n->next) CU_ASSERT_TRUE(n->count <= 4);
    ql_release(ql);
}

static void test_replace(void) {
    quicklist *ql = ql_create(2, 0);
    for (int i = 0; i < 5; i++) push_str(ql, "x", QL_TAIL);
    CU_ASSERT_TRUE(ql_replace_at_index(ql, 2, "middle", 6));
    CU_ASSERT_TRUE(ql_replace_at_index(ql, -1, "42", 2));
    CU_ASSERT_FALSE(ql_replace_at_index(ql, 5, "no", 2));
    char out[256];
    join(ql, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "x,x,middle,x,42");
    ql_release(ql);

    /* A value too big for its node moves to a node of its own. */
    ql = ql_create(-1, 0);
    for (int i = 0; i < 100; i++) push_str(ql, "small", QL_TAIL);
    char big[3000];
    memset(big, 'b', sizeof(big));
    CU_ASSERT_TRUE(ql_replace_at_index(ql, 50, big, sizeof(big)));
    CU_ASSERT_TRUE(ql_replace_at_index(ql, 51, big, sizeof(big)));
    check_invariants(ql);
    CU_ASSERT_EQUAL(ql_count(ql), 100);
    ql_entry e;
    CU_ASSERT_TRUE(ql_index(ql, 50, &e));
    CU_ASSERT_EQUAL(e.len, sizeof(big));
    CU_ASSERT_TRUE(ql_index(ql, 49, &e));
    CU_ASSERT_TRUE(ql_entry_equals(&e, "small", 5));
    for (ql_node *n = ql->head; n; n = n->next) CU_ASSERT_TRUE(n->count == 1 || n->sz <= 4096);
    ql_release(ql);
}

static void test_del_range(void) {
    quicklist *ql = ql_create(3, 0);
    char buf[16];
    for (int i = 0; i < 10; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        push_str(ql, buf, QL_TAIL);
    }
    CU_ASSERT_EQUAL(ql_del_range(ql, 2, 5), 5);
    check_invariants(ql);
    char out[256];
    join(ql, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "0,1,7,8,9");
    CU_ASSERT_EQUAL(ql_del_range(ql, -2, 100), 2);
    join(ql, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, "0,1,7");
    CU_ASSERT_EQUAL(ql_del_range(ql, 3, 1), 0);
    CU_ASSERT_EQUAL(ql_del_range(ql, 0, 0), 0);
    CU_ASSERT_EQUAL(ql_del_range(ql, 0, 3), 3);
    CU_ASSERT_EQUAL(ql->len, 0);
    CU_ASSERT_EQUAL(ql_count(ql), 0);
    ql_release(ql);
}

/* Deletes every element whose value is even while iterating, in both
 * directions, across node boundaries. */
static void test_iterate_and_delete(void) {
    for (int dir = QL_HEAD; dir <= QL_TAIL; dir++) {
        quicklist *ql = ql_create(3, 0);
        char buf[16];
        for (int i = 0; i < 20; i++) {
            snprintf(buf, sizeof(buf), "%d", i);
            push_str(ql, buf, QL_TAIL);
        }
        ql_iter it;
        ql_entry e;
        int seen = 0;
        long last = dir == QL_HEAD ? -1 : 20;
        ql_iter_init(&it, ql, dir);
        while (ql_next(&it, &e)) {
            CU_ASSERT_PTR_NULL(e.str);
            /* Each element is visited once, in order. */
            CU_ASSERT_TRUE(dir == QL_HEAD ? e.ival > last : e.ival < last);
            last = (long)e.ival;
            seen++;
            if (e.ival % 2 == 0) ql_iter_del(&it, &e);
        }
        CU_ASSERT_EQUAL(seen, 20);
        check_invariants(ql);
        char out[256];
        join(ql, out, sizeof(out));
        CU_ASSERT_STRING_EQUAL(out, "1,3,5,7,9,11,13,15,17,19");
        ql_release(ql);
    }
}

static void test_iterate_from_index(void) {
    quicklist *ql = ql_create(2, 0);
    char buf[16];
    for (int i = 0; i < 7; i++) {
        snprintf(buf, sizeof(buf), "%d", i);
        push_str(ql, buf, QL_TAIL);
    }
    ql_iter it;
    ql_entry e;
    CU_ASSERT_TRUE(ql_iter_init_at(&it, ql, QL_TAIL, 4));
    long expect = 4;
    while (ql_next(&it, &e)) CU_ASSERT_EQUAL(e.ival, expect--);
    CU_ASSERT_EQUAL(expect, -1);
    CU_ASSERT_TRUE(ql_iter_init_at(&it, ql, QL_HEAD, -2));
    expect = 5;
    while (ql_next(&it, &e)) CU_ASSERT_EQUAL(e.ival, expect++);
    CU_ASSERT_EQUAL(expect, 7);
    CU_ASSERT_FALSE(ql_iter_init_at(&it, ql, QL_HEAD, 7));
    CU_ASSERT_FALSE(ql_next(&it, &e));
    ql_release(ql);
}

static void test_dup_and_memory(void) {
    size_t start = zmalloc_used_memory();
    quicklist *ql = ql_create(5, 7);
    for (int i = 0; i < 23; i++) push_str(ql, "value", QL_TAIL);
    CU_ASSERT_EQUAL(zmalloc_used_memory() - start, ql_memory(ql));
    size_t before = zmalloc_used_memory();
    quicklist *copy = ql_dup(ql);
    CU_ASSERT_EQUAL(zmalloc_used_memory() - before, ql_memory(copy));
    CU_ASSERT_EQUAL(copy->fill, 5);
    CU_ASSERT_EQUAL(copy->compress, 7);
    CU_ASSERT_EQUAL(ql_count(copy), 23);
    check_invariants(copy);
    ql_release(ql);
    char out[512], expect[512] = "";
    for (int i = 0; i < 23; i++) strcat(expect, i ? ",value" : "value");
    join(copy, out, sizeof(out));
    CU_ASSERT_STRING_EQUAL(out, expect);
    ql_release(copy);
    CU_ASSERT_EQUAL(zmalloc_used_memory(), start);
}

/* Random operations against an array model. */
#define MODEL_MAX 600
static char *model[MODEL_MAX];
static int model_len;

static void model_insert(int pos, const char *s) {
    memmove(model + pos + 1, model + pos, sizeof(char *) * (size_t)(model_len - pos));
    model[pos] = strdup(s);
    model_len++;
}

static void model_delete(int pos, int n) {
    for (int i = 0; i < n; i++) free(model[pos + i]);
    memmove(model + pos, model + pos + n, sizeof(char *) * (size_t)(model_len - pos - n));
    model_len -= n;
}

static void compare_with_model(quicklist *ql) {
    check_invariants(ql);
    CU_ASSERT_EQUAL_FATAL((int)ql_count(ql), model_len);
    ql_iter it;
    ql_entry e;
    char buf[128];
    int i = 0;
    ql_iter_init(&it, ql, QL_HEAD);
    while (ql_next(&it, &e))
        CU_ASSERT_STRING_EQUAL_FATAL(entry_text(&e, buf, sizeof(buf)), model[i++]);
}

static void test_random_against_model(void) {
    int fills[] = {-5, -2, -1, 1, 3, 16};
    srand(1234);
    for (size_t f = 0; f < sizeof(fills) / sizeof(fills[0]); f++) {
        quicklist *ql = ql_create(fills[f], 0);
        model_len = 0;
        for (int step = 0; step < 3000; step++) {
            char val[128];
            int kind = rand() % 3;
            if (kind == 0)
                snprintf(val, sizeof(val), "%d", rand() % 1000 - 500);
            else if (kind == 1)
                snprintf(val, sizeof(val), "s%d", rand());
            else {
                int n = rand() % 100;
                memset(val, 'a' + rand() % 26, (size_t)n);
                val[n] = '\0';
            }
            int op = rand() % 8;
            if (model_len >= MODEL_MAX - 2) op = 3;
            ql_entry e;
            switch (op) {
            case 0:
                push_str(ql, val, QL_HEAD);
                model_insert(0, val);
                break;
            case 1:
                push_str(ql, val, QL_TAIL);
                model_insert(model_len, val);
                break;
            case 2:
                if (model_len) {
                    int pos = rand() % model_len, after = rand() % 2;
                    CU_ASSERT_TRUE_FATAL(ql_index(ql, pos, &e));
                    ql_insert(&e, val, strlen(val), after);
                    model_insert(pos + after, val);
                }
                break;
            case 3:
                if (model_len) {
                    int where = rand() % 2;
                    char *v = ql_pop(ql, where);
                    int pos = where == QL_HEAD ? 0 : model_len - 1;
                    CU_ASSERT_STRING_EQUAL_FATAL(v, model[pos]);
                    kstr_free(v);
                    model_delete(pos, 1);
                }
                break;
            case 4:
                if (model_len) {
                    int pos = rand() % model_len;
                    CU_ASSERT_TRUE_FATAL(ql_replace_at_index(ql, pos, val, strlen(val)));
                    free(model[pos]);
                    model[pos] = strdup(val);
                }
                break;
            case 5:
                if (model_len) {
                    int pos = rand() % model_len, n = rand() % 10;
                    int del = n > model_len - pos ? model_len - pos : n;
                    CU_ASSERT_EQUAL_FATAL(ql_del_range(ql, pos, (unsigned long)n),
                                          (unsigned long)del);
                    model_delete(pos, del);
                }
                break;
            case 6: {
                /* Delete elements starting with a given letter while
                 * iterating in a random direction. */
                char letter = (char)('a' + rand() % 26);
                ql_iter it;
                ql_iter_init(&it, ql, rand() % 2);
                while (ql_next(&it, &e))
                    if (e.str && e.len > 0 && e.str[0] == (unsigned char)letter)
                        ql_iter_del(&it, &e);
                for (int i = model_len - 1; i >= 0; i--)
                    if (model[i][0] == letter) model_delete(i, 1);
                break;
            }
            default:
                if (model_len) {
                    int pos = rand() % model_len;
                    char buf[128];
                    CU_ASSERT_TRUE_FATAL(ql_index(ql, pos - model_len, &e));
                    CU_ASSERT_STRING_EQUAL_FATAL(entry_text(&e, buf, sizeof(buf)), model[pos]);
                }
            }
            if (step % 97 == 0) compare_with_model(ql);
        }
        compare_with_model(ql);
        model_delete(0, model_len);
        ql_release(ql);
    }
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("quicklist", NULL, NULL);
    CU_add_test(s, "push and pop at both ends", test_push_pop_both_ends);
    CU_add_test(s, "binary values", test_binary_values);
    CU_add_test(s, "fill by entry count", test_fill_by_count);
    CU_add_test(s, "fill by node size", test_fill_by_size);
    CU_add_test(s, "index", test_index);
    CU_add_test(s, "insert and split", test_insert_and_split);
    CU_add_test(s, "replace", test_replace);
    CU_add_test(s, "delete range", test_del_range);
    CU_add_test(s, "iterate and delete", test_iterate_and_delete);
    CU_add_test(s, "iterate from an index", test_iterate_from_index);
    CU_add_test(s, "dup and memory", test_dup_and_memory);
    CU_add_test(s, "random against a model", test_random_against_model);
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
