/*
 * Unit tests of the hash table (src/dict.c): incremental rehashing under
 * inserts and deletes, the SCAN guarantee across resizes, iterator safety,
 * random sampling and the SipHash-1-2 keyed hash.
 */
#include <CUnit/Basic.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "dict.h"
#include "kstr.h"
#include "zmalloc.h"

/* Keys are small integers stored in the pointer itself. */
static uint64_t int_hash(const void *key) {
    uintptr_t k = (uintptr_t)key;
    return dict_gen_hash(&k, sizeof(k));
}

static int int_equal(const void *a, const void *b) {
    return a == b;
}

static int vals_freed;
static void count_val_free(void *v) {
    (void)v;
    vals_freed++;
}

static const dict_type int_type = {int_hash, NULL, int_equal, NULL, count_val_free};

#define K(i) ((void *)(uintptr_t)(i))
#define V(i) ((void *)(uintptr_t)((i) + 1000000))

static dict *filled(unsigned long n) {
    dict *d = dict_create(&int_type);
    for (unsigned long i = 1; i <= n; i++) CU_ASSERT_EQUAL_FATAL(dict_add(d, K(i), V(i)), DICT_OK);
    return d;
}

static void finish_rehash(dict *d) {
    while (dict_rehash(d, 100)) {
    }
}

static void test_add_find_delete(void) {
    dict *d = filled(5000);
    CU_ASSERT_EQUAL(dict_size(d), 5000);
    CU_ASSERT_EQUAL(dict_add(d, K(7), V(7)), DICT_ERR);
    for (unsigned long i = 1; i <= 5000; i++) CU_ASSERT_PTR_EQUAL(dict_fetch_value(d, K(i)), V(i));
    CU_ASSERT_PTR_NULL(dict_find(d, K(5001)));
    vals_freed = 0;
    for (unsigned long i = 1; i <= 5000; i += 2) CU_ASSERT_EQUAL(dict_delete(d, K(i)), DICT_OK);
    CU_ASSERT_EQUAL(vals_freed, 2500);
    CU_ASSERT_EQUAL(dict_delete(d, K(1)), DICT_ERR);
    CU_ASSERT_EQUAL(dict_size(d), 2500);
    for (unsigned long i = 1; i <= 5000; i++)
        CU_ASSERT_EQUAL(dict_find(d, K(i)) != NULL, i % 2 == 0);
    dict_release(d);
}

static void test_replace_and_unlink(void) {
    dict *d = filled(10);
    vals_freed = 0;
    CU_ASSERT_EQUAL(dict_replace(d, K(3), V(33)), 0);
    CU_ASSERT_EQUAL(vals_freed, 1);
    CU_ASSERT_PTR_EQUAL(dict_fetch_value(d, K(3)), V(33));
    CU_ASSERT_EQUAL(dict_replace(d, K(11), V(11)), 1);
    CU_ASSERT_EQUAL(dict_size(d), 11);

    dict_entry *existing = NULL;
    CU_ASSERT_PTR_NULL(dict_add_raw(d, K(4), &existing));
    CU_ASSERT_PTR_NOT_NULL(existing);
    CU_ASSERT_PTR_EQUAL(existing->key, K(4));

    dict_entry *de = dict_unlink(d, K(5));
    CU_ASSERT_PTR_NOT_NULL_FATAL(de);
    CU_ASSERT_PTR_NULL(dict_find(d, K(5)));
    CU_ASSERT_PTR_EQUAL(de->v.val, V(5));
    vals_freed = 0;
    dict_free_unlinked(d, de);
    CU_ASSERT_EQUAL(vals_freed, 1);
    dict_release(d);
}

/* While a rehash is in progress, one step at a time, every present key
 * stays findable and adds/deletes land correctly. */
static void test_rehash_under_writes(void) {
    dict *d = filled(1000);
    finish_rehash(d);
    CU_ASSERT_FALSE(dict_is_rehashing(d));
    CU_ASSERT_EQUAL(dict_expand(d, 1 << 14), DICT_OK);
    CU_ASSERT_TRUE(dict_is_rehashing(d));
    /* A second resize is refused while one is running. */
    CU_ASSERT_EQUAL(dict_expand(d, 1 << 15), DICT_ERR);

    unsigned long next_new = 1001, steps = 0;
    char *present = calloc(5000, 1);
    for (int i = 1; i <= 1000; i++) present[i] = 1;
    while (dict_is_rehashing(d)) {
        /* Each operation also moves one bucket. */
        CU_ASSERT_EQUAL(dict_add(d, K(next_new), V(next_new)), DICT_OK);
        present[next_new++] = 1;
        unsigned long victim = 1 + (steps * 7) % 1000;
        if (present[victim]) {
            CU_ASSERT_EQUAL(dict_delete(d, K(victim)), DICT_OK);
            present[victim] = 0;
        }
        for (unsigned long i = 1; i < next_new; i++)
            CU_ASSERT_EQUAL(dict_find(d, K(i)) != NULL, present[i]);
        steps++;
        CU_ASSERT_FATAL(steps < 5000);
    }
    size_t expected = 0;
    for (unsigned long i = 1; i < next_new; i++) expected += present[i];
    CU_ASSERT_EQUAL(dict_size(d), expected);
    CU_ASSERT_EQUAL(dict_buckets(d), 1 << 14);
    free(present);
    dict_release(d);
}

static void test_grow_and_shrink(void) {
    dict *d = dict_create(&int_type);
    CU_ASSERT_EQUAL(dict_buckets(d), 0);
    for (unsigned long i = 1; i <= 4; i++) dict_add(d, K(i), V(i));
    CU_ASSERT_EQUAL(dict_buckets(d), 4);
    dict_add(d, K(5), V(5)); /* 5th element: grows to 8 */
    finish_rehash(d);
    CU_ASSERT_EQUAL(dict_buckets(d), 8);
    for (unsigned long i = 6; i <= 4096; i++) dict_add(d, K(i), V(i));
    finish_rehash(d);
    CU_ASSERT_EQUAL(dict_buckets(d), 4096);
    for (unsigned long i = 11; i <= 4096; i++) dict_delete(d, K(i));
    CU_ASSERT_EQUAL(dict_resize_if_needed(d), DICT_OK);
    CU_ASSERT_EQUAL(dict_rehash_ms(d, 100) >= 0, 1);
    finish_rehash(d);
    CU_ASSERT_EQUAL(dict_buckets(d), 16);
    for (unsigned long i = 1; i <= 10; i++) CU_ASSERT_PTR_EQUAL(dict_fetch_value(d, K(i)), V(i));
    /* Resizing disabled: no growth until the forced ratio (5 per bucket). */
    dict_set_resize_enabled(0);
    for (unsigned long i = 11; i <= 80; i++) dict_add(d, K(i), V(i));
    CU_ASSERT_EQUAL(dict_buckets(d), 16);
    for (unsigned long i = 81; i <= 120; i++) dict_add(d, K(i), V(i));
    CU_ASSERT_TRUE(dict_buckets(d) > 16);
    dict_set_resize_enabled(1);
    dict_release(d);
}

/* ---------- scan ---------- */

typedef struct seen_set {
    unsigned char *count;
    unsigned long max;
} seen_set;

static void scan_mark(void *privdata, const dict_entry *de) {
    seen_set *s = privdata;
    uintptr_t k = (uintptr_t)de->key;
    if (k < s->max) s->count[k]++;
}

/* Keys 1..n present from start to end of a scan must all be reported,
 * whatever resize happens at step `resize_at`. */
static void scan_with_resize(unsigned long n, int grow, int resize_at) {
    dict *d = filled(n);
    finish_rehash(d);
    seen_set s = {calloc(4 * n + 2, 1), 4 * n + 2};
    uint64_t cursor = 0;
    int step = 0, resized = 0, saw_rehashing = 0;
    do {
        cursor = dict_scan(d, cursor, scan_mark, &s);
        if (++step == resize_at) {
            if (grow) {
                /* Extra keys (not checked) force a growth mid-scan. */
                for (unsigned long i = n + 1; i <= 4 * n; i++) dict_add(d, K(i), V(i));
                if (!dict_is_rehashing(d))
                    CU_ASSERT_EQUAL(dict_expand(d, dict_size(d) * 4), DICT_OK);
            } else {
                /* Deleting keys 1..n/2 (not checked) lets it shrink. */
                for (unsigned long i = 1; i <= n / 2; i++) dict_delete(d, K(i));
                CU_ASSERT_EQUAL(dict_resize_if_needed(d), DICT_ERR); /* still >10% full */
                for (unsigned long i = n / 2 + 1; i <= n - n / 20; i++) dict_delete(d, K(i));
                CU_ASSERT_EQUAL(dict_resize_if_needed(d), DICT_OK);
            }
            resized = 1;
            CU_ASSERT_TRUE(dict_is_rehashing(d));
        }
        if (dict_is_rehashing(d)) saw_rehashing = 1;
        /* Move a little between calls, like the cron would. */
        dict_rehash(d, 1);
    } while (cursor != 0);
    CU_ASSERT_TRUE(resized);
    CU_ASSERT_TRUE(saw_rehashing);
    unsigned long first_checked = grow ? 1 : n - n / 20 + 1;
    for (unsigned long i = first_checked; i <= n; i++) CU_ASSERT_TRUE(s.count[i] >= 1);
    free(s.count);
    dict_release(d);
}

static void test_scan_plain(void) {
    dict *d = filled(777);
    finish_rehash(d);
    seen_set s = {calloc(800, 1), 800};
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(d, cursor, scan_mark, &s);
    } while (cursor != 0);
    /* Without resizes every element comes exactly once. */
    for (int i = 1; i <= 777; i++) CU_ASSERT_EQUAL(s.count[i], 1);
    free(s.count);
    dict_release(d);
    dict *empty = dict_create(&int_type);
    CU_ASSERT_EQUAL(dict_scan(empty, 0, scan_mark, &s), 0);
    dict_release(empty);
}

static void test_scan_grow_midway(void) {
    scan_with_resize(1000, 1, 3);
    scan_with_resize(1000, 1, 200);
}

static void test_scan_shrink_midway(void) {
    scan_with_resize(2000, 0, 5);
    scan_with_resize(2000, 0, 500);
}

/* Scanning while a rehash is already underway from the start. */
static void test_scan_during_rehash(void) {
    dict *d = filled(3000);
    finish_rehash(d);
    CU_ASSERT_EQUAL(dict_expand(d, 1 << 14), DICT_OK);
    dict_rehash(d, 10);
    CU_ASSERT_TRUE(dict_is_rehashing(d));
    seen_set s = {calloc(3001, 1), 3001};
    uint64_t cursor = 0;
    do {
        cursor = dict_scan(d, cursor, scan_mark, &s);
        dict_rehash(d, 3);
    } while (cursor != 0);
    for (int i = 1; i <= 3000; i++) CU_ASSERT_TRUE(s.count[i] >= 1);
    free(s.count);
    dict_release(d);
}

/* ---------- iterators ---------- */

static void test_safe_iterator_deletes(void) {
    dict *d = filled(2000);
    CU_ASSERT_EQUAL(dict_expand(d, 1 << 13) == DICT_OK || dict_is_rehashing(d), 1);
    unsigned char *seen = calloc(2001, 1);
    dict_iterator it;
    dict_iter_init(&it, d, 1);
    dict_entry *de;
    unsigned long visits = 0;
    while ((de = dict_next(&it)) != NULL) {
        uintptr_t k = (uintptr_t)de->key;
        seen[k]++;
        visits++;
        CU_ASSERT_EQUAL(dict_delete(d, de->key), DICT_OK);
    }
    dict_iter_reset(&it);
    CU_ASSERT_EQUAL(visits, 2000);
    for (int i = 1; i <= 2000; i++) CU_ASSERT_EQUAL(seen[i], 1);
    CU_ASSERT_EQUAL(dict_size(d), 0);
    CU_ASSERT_EQUAL(d->pause_rehash, 0);
    free(seen);
    dict_release(d);
}

static void test_unsafe_iterator_readonly(void) {
    dict *d = filled(300);
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    unsigned long visits = 0;
    while (dict_next(&it)) visits++;
    dict_iter_reset(&it); /* no change: the fingerprint matches */
    CU_ASSERT_EQUAL(visits, 300);
    dict_release(d);
}

/* Modifying the dict under an unsafe iterator is a bug caught by the
 * fingerprint check: the process aborts. */
static void test_unsafe_iterator_fingerprint(void) {
    pid_t pid = fork();
    CU_ASSERT_FATAL(pid >= 0);
    if (pid == 0) {
        int devnull = open("/dev/null", O_WRONLY);
        if (devnull >= 0) dup2(devnull, 2);
        dict *d = filled(50);
        dict_iterator it;
        dict_iter_init(&it, d, 0);
        dict_next(&it);
        dict_add(d, K(999), V(999));
        dict_iter_reset(&it);
        _exit(0); /* not reached when the check works */
    }
    int status = 0;
    waitpid(pid, &status, 0);
    CU_ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
}

/* ---------- random ---------- */

static void test_random_entry(void) {
    dict *d = filled(64);
    unsigned char hit[65] = {0};
    for (int i = 0; i < 20000; i++) {
        dict_entry *de = dict_random_entry(d);
        CU_ASSERT_PTR_NOT_NULL_FATAL(de);
        uintptr_t k = (uintptr_t)de->key;
        CU_ASSERT_FATAL(k >= 1 && k <= 64);
        hit[k] = 1;
    }
    for (int i = 1; i <= 64; i++) CU_ASSERT_EQUAL(hit[i], 1);
    /* Also while rehashing. */
    finish_rehash(d);
    CU_ASSERT_EQUAL(dict_expand(d, 1024), DICT_OK);
    CU_ASSERT_TRUE(dict_is_rehashing(d));
    for (int i = 0; i < 1000; i++) {
        dict_entry *de = dict_random_entry(d);
        CU_ASSERT_PTR_NOT_NULL_FATAL(de);
        CU_ASSERT_PTR_EQUAL(dict_find(d, de->key), de);
    }
    dict_release(d);
    dict *empty = dict_create(&int_type);
    CU_ASSERT_PTR_NULL(dict_random_entry(empty));
    dict_release(empty);
}

static void test_sample_entries(void) {
    dict *d = filled(500);
    finish_rehash(d);
    dict_entry *des[40];
    for (int round = 0; round < 200; round++) {
        unsigned n = dict_sample_entries(d, des, 40);
        CU_ASSERT_TRUE(n > 0 && n <= 40);
        unsigned char seen[501] = {0};
        for (unsigned i = 0; i < n; i++) {
            uintptr_t k = (uintptr_t)des[i]->key;
            CU_ASSERT_FATAL(k >= 1 && k <= 500);
            CU_ASSERT_EQUAL(seen[k], 0); /* no duplicates */
            seen[k] = 1;
        }
    }
    dict_release(d);
    dict *small = filled(3);
    CU_ASSERT_EQUAL(dict_sample_entries(small, des, 40), 3);
    dict_release(small);
}

/* ---------- hashing and empty ---------- */

static void test_siphash(void) {
    uint8_t seed[16], msg[16];
    for (int i = 0; i < 16; i++) seed[i] = (uint8_t)i, msg[i] = (uint8_t)i;
    dict_set_hash_seed(seed);
    /* SipHash-1-2 of bytes 00..0e with key 00..0f, computed independently. */
    CU_ASSERT_EQUAL(dict_gen_hash(msg, 15), 0xec8f61bc1c8966a6ULL);
    CU_ASSERT_EQUAL(dict_gen_hash(msg, 0), 0xcea28b51565c12e2ULL);
    CU_ASSERT_EQUAL(dict_gen_case_hash("Hello WORLD 1234x", 17),
                    dict_gen_hash("hello world 1234x", 17));
    CU_ASSERT_NOT_EQUAL(dict_gen_hash("Hello", 5), dict_gen_hash("hello", 5));
    seed[0] ^= 1;
    dict_set_hash_seed(seed);
    CU_ASSERT_NOT_EQUAL(dict_gen_hash(msg, 15), 0xec8f61bc1c8966a6ULL);
}

static int empty_callbacks;
static void on_empty(dict *d) {
    (void)d;
    empty_callbacks++;
}

static void test_empty(void) {
    dict *d = filled(100000);
    vals_freed = 0;
    empty_callbacks = 0;
    dict_empty(d, on_empty);
    CU_ASSERT_EQUAL(vals_freed, 100000);
    CU_ASSERT_TRUE(empty_callbacks >= 1);
    CU_ASSERT_EQUAL(dict_size(d), 0);
    CU_ASSERT_EQUAL(dict_add(d, K(1), V(1)), DICT_OK);
    dict_release(d);
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("dict", NULL, NULL);
    CU_add_test(s, "add/find/delete", test_add_find_delete);
    CU_add_test(s, "replace and unlink", test_replace_and_unlink);
    CU_add_test(s, "rehash under inserts and deletes", test_rehash_under_writes);
    CU_add_test(s, "grow, shrink, resize policy", test_grow_and_shrink);
    CU_add_test(s, "scan visits each element once", test_scan_plain);
    CU_add_test(s, "scan guarantee across growth", test_scan_grow_midway);
    CU_add_test(s, "scan guarantee across shrink", test_scan_shrink_midway);
    CU_add_test(s, "scan during a rehash", test_scan_during_rehash);
    CU_add_test(s, "safe iterator allows deletes", test_safe_iterator_deletes);
    CU_add_test(s, "unsafe iterator read-only walk", test_unsafe_iterator_readonly);
    CU_add_test(s, "unsafe iterator fingerprint aborts", test_unsafe_iterator_fingerprint);
    CU_add_test(s, "random entry", test_random_entry);
    CU_add_test(s, "sample entries", test_sample_entries);
    CU_add_test(s, "siphash-1-2 keyed hash", test_siphash);
    CU_add_test(s, "empty with callback", test_empty);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
