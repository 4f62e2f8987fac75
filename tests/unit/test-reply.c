/*
 * Unit tests of reply building (src/reply.c and the output buffers of
 * src/networking.c) on fake clients, which keep their replies instead of
 * writing them: RESP2 and RESP3 encodings, deferred lengths across buffer
 * and block boundaries, error texts and statistics, CLIENT REPLY OFF/SKIP
 * and the argument helpers.
 */
#include <CUnit/Basic.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "server.h"

/* Everything queued on c, in wire order. */
static kstr output_of(client *c) {
    kstr s = kstr_empty();
    if (c->bufpos) s = kstr_cat(s, c->buf, c->bufpos);
    for (reply_block *b = c->reply_head; b; b = b->next) s = kstr_cat(s, b->buf, b->used);
    return s;
}

static client *new_client(int resp) {
    client *c = client_create(NULL);
    c->resp = resp;
    return c;
}

/* Frees c after checking that its output is exactly want (len bytes). */
static void expect_len(client *c, const char *want, size_t len) {
    kstr got = output_of(c);
    int ok = kstr_len(got) == len && memcmp(got, want, len) == 0;
    if (!ok) {
        kstr g = kstr_cat_repr(kstr_empty(), got, kstr_len(got) > 300 ? 300 : kstr_len(got));
        kstr w = kstr_cat_repr(kstr_empty(), want, len > 300 ? 300 : len);
        fprintf(stderr, "\n  got:  %s\n  want: %s\n", g, w);
        kstr_free(g);
        kstr_free(w);
    }
    CU_ASSERT_TRUE(ok);
    kstr_free(got);
    client_free(c);
}

static void expect(client *c, const char *want) {
    expect_len(c, want, strlen(want));
}

static kobj *str(const char *s) {
    return obj_create_string(s, strlen(s));
}

static void test_simple_types(void) {
    client *c = new_client(2);
    add_reply_ok(c);
    add_reply_status(c, "PONG");
    add_reply_status(c, "a\r\nb");
    add_reply_ll(c, -42);
    add_reply_bulk_cstr(c, "hi");
    add_reply_bulk_cstr(c, NULL);
    add_reply_bulk_ll(c, 1234567890123LL);
    add_reply_bulk_buf(c, "a\0b", 3);
    add_reply_bulk_kstr(c, kstr_from("owned"));
    kobj *o = obj_create_from_ll(77);
    add_reply_bulk(c, o);
    decr_ref(o);
    static const char want[] =
        "+OK\r\n+PONG\r\n+a  b\r\n:-42\r\n$2\r\nhi\r\n$-1\r\n$13\r\n1234567890123\r\n"
        "$3\r\na\0b\r\n$5\r\nowned\r\n$2\r\n77\r\n";
    expect_len(c, want, sizeof(want) - 1);
}

static void test_resp2_vs_resp3(void) {
    client *c = new_client(2);
    add_reply_null(c);
    add_reply_null_array(c);
    add_reply_bool(c, 1);
    add_reply_bool(c, 0);
    add_reply_map_len(c, 2);
    add_reply_set_len(c, 3);
    add_reply_push_len(c, 1);
    add_reply_verbatim(c, "hello", 5, "txt");
    expect(c, "$-1\r\n*-1\r\n:1\r\n:0\r\n*4\r\n*3\r\n*1\r\n$5\r\nhello\r\n");

    c = new_client(3);
    add_reply_null(c);
    add_reply_null_array(c);
    add_reply_bool(c, 1);
    add_reply_bool(c, 0);
    add_reply_map_len(c, 2);
    add_reply_set_len(c, 3);
    add_reply_push_len(c, 1);
    add_reply_verbatim(c, "hello", 5, "txt");
    expect(c, "_\r\n_\r\n#t\r\n#f\r\n%2\r\n~3\r\n>1\r\n=9\r\ntxt:hello\r\n");
}

static void test_doubles(void) {
    client *c = new_client(2);
    add_reply_double(c, 1.5);
    add_reply_double(c, 3.14);
    add_reply_double(c, INFINITY);
    add_reply_double(c, -INFINITY);
    add_reply_double(c, NAN);
    add_reply_double(c, 0);
    expect(c, "$3\r\n1.5\r\n$18\r\n3.1400000000000001\r\n$3\r\ninf\r\n$4\r\n-inf\r\n"
              "$3\r\nnan\r\n$1\r\n0\r\n");
    c = new_client(3);
    add_reply_double(c, 1.5);
    add_reply_double(c, 3.14);
    add_reply_double(c, INFINITY);
    add_reply_double(c, -INFINITY);
    add_reply_double(c, -NAN);
    add_reply_double(c, 1e300);
    expect(c,
           ",1.5\r\n,3.1400000000000001\r\n,inf\r\n,-inf\r\n,nan\r\n,1.0000000000000001e+300\r\n");
    c = new_client(2);
    add_reply_long_double_human(c, 10.5L);
    add_reply_long_double_human(c, 3.0L);
    expect(c, "$4\r\n10.5\r\n$1\r\n3\r\n");
    c = new_client(3);
    add_reply_long_double_human(c, 10.5L);
    expect(c, ",10.5\r\n");
}

static void test_errors(void) {
    long long before = server.stat_total_error_replies;
    client *c = new_client(2);
    add_reply_error(c, "ERR syntax error");
    add_reply_error(c, "-WRONGTYPE Operation against a key holding the wrong kind of value");
    add_reply_error(c, "ERR two\r\nlines\n");
    add_reply_errorf(c, "ERR value %d", 7);
    add_reply_error_syntax(c);
    add_reply_error_not_integer(c);
    expect(c, "-ERR syntax error\r\n-WRONGTYPE Operation against a key holding the wrong kind of "
              "value\r\n-ERR two  lines\r\n-ERR value 7\r\n-ERR syntax error\r\n"
              "-ERR value is not an integer or out of range\r\n");
    CU_ASSERT_EQUAL(server.stat_total_error_replies - before, 6);
}

static void test_arity_and_subcommand_errors(void) {
    client *c = new_client(2);
    c->argv = zmalloc(sizeof(kobj *) * 2);
    c->argv[0] = str("object");
    c->argv[1] = str("foo");
    c->argc = 2;
    add_reply_error_arity(c);
    add_reply_error_subcommand(c);
    expect(c, "-ERR wrong number of arguments for 'object' command\r\n-ERR unknown subcommand or "
              "wrong number of arguments for 'foo'. Try OBJECT HELP.\r\n");
}

static void test_help(void) {
    client *c = new_client(2);
    c->argv = zmalloc(sizeof(kobj *));
    c->argv[0] = str("client");
    c->argc = 1;
    static const char *const lines[] = {"ID", "    Return the ID.", NULL};
    add_reply_help(c, lines);
    expect(c, "*5\r\n+CLIENT <subcommand> [<arg> [value] [opt] ...]. Subcommands are:\r\n"
              "+ID\r\n+    Return the ID.\r\n+HELP\r\n+    Prints this help.\r\n");
}

static void test_deferred_lengths(void) {
    client *c = new_client(2);
    add_reply_ok(c);
    void *outer = add_reply_deferred_len(c);
    add_reply_bulk_cstr(c, "a");
    void *inner = add_reply_deferred_len(c);
    add_reply_ll(c, 1);
    add_reply_ll(c, 2);
    set_deferred_array_len(c, inner, 2);
    void *map = add_reply_deferred_len(c);
    add_reply_bulk_cstr(c, "k");
    add_reply_bulk_cstr(c, "v");
    set_deferred_map_len(c, map, 1);
    set_deferred_array_len(c, outer, 3);
    void *set = add_reply_deferred_len(c);
    set_deferred_set_len(c, set, 0);
    expect(c, "+OK\r\n*3\r\n$1\r\na\r\n*2\r\n:1\r\n:2\r\n*2\r\n$1\r\nk\r\n$1\r\nv\r\n*0\r\n");

    c = new_client(3);
    void *m = add_reply_deferred_len(c);
    add_reply_bulk_cstr(c, "k");
    add_reply_null(c);
    set_deferred_map_len(c, m, 1);
    void *s = add_reply_deferred_len(c);
    set_deferred_set_len(c, s, 2);
    expect(c, "%1\r\n$1\r\nk\r\n_\r\n~2\r\n");
}

/* A long deferred reply spans the fixed buffer and several blocks. */
static void test_big_replies(void) {
    client *c = new_client(2);
    kstr want = kstr_empty();
    add_reply_status(c, "first");
    want = kstr_cat_cstr(want, "+first\r\n");
    void *d = add_reply_deferred_len(c);
    kstr items = kstr_empty();
    for (int i = 0; i < 20000; i++) {
        add_reply_bulk_ll(c, i);
        char num[32];
        int n = snprintf(num, sizeof(num), "%d", i);
        items = kstr_catfmt(items, "$%d\r\n%s\r\n", n, num);
    }
    set_deferred_array_len(c, d, 20000);
    want = kstr_cat_cstr(want, "*20000\r\n");
    want = kstr_cat_kstr(want, items);
    kstr big = kstr_new(NULL, 100000);
    memset(big, 'x', 100000);
    add_reply_bulk_buf(c, big, 100000);
    want = kstr_cat_cstr(want, "$100000\r\n");
    want = kstr_cat_kstr(want, big);
    want = kstr_cat_cstr(want, "\r\n");
    CU_ASSERT_TRUE(c->reply_blocks > 2);
    CU_ASSERT_TRUE(client_output_memory(c) >= c->reply_bytes);
    expect_len(c, want, kstr_len(want));
    kstr_free(want);
    kstr_free(items);
    kstr_free(big);
}

static void test_reply_off_and_skip(void) {
    long long before = server.stat_total_error_replies;
    client *c = new_client(2);
    c->flags |= CLIENT_REPLY_OFF;
    add_reply_ok(c);
    add_reply_error(c, "ERR counted anyway");
    CU_ASSERT_PTR_NULL(add_reply_deferred_len(c));
    set_deferred_array_len(c, NULL, 3); /* a no-op */
    c->flags &= ~CLIENT_REPLY_OFF;
    c->flags |= CLIENT_REPLY_SKIP;
    add_reply_bulk_cstr(c, "skipped");
    c->flags &= ~CLIENT_REPLY_SKIP;
    add_reply_ok(c);
    CU_ASSERT_EQUAL(server.stat_total_error_replies - before, 1);
    expect(c, "+OK\r\n");

    /* Nothing is added once the client is to be closed after its reply. */
    c = new_client(2);
    add_reply_status(c, "last");
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
    add_reply_ok(c);
    expect(c, "+last\r\n");
}

static void test_argument_helpers(void) {
    client *c = new_client(2);
    long long ll;
    long l;
    double d;
    long double ld;
    kobj *num = str("123"), *neg = str("-5"), *bad = str("12a"), *flt = str("1.5");
    CU_ASSERT_EQUAL(get_ll_from_obj_or_reply(c, num, &ll, NULL), C_OK);
    CU_ASSERT_EQUAL(ll, 123);
    CU_ASSERT_EQUAL(get_ll_from_obj_or_reply(c, bad, &ll, NULL), C_ERR);
    CU_ASSERT_EQUAL(get_long_from_obj_or_reply(c, bad, &l, "ERR timeout is not an integer"), C_ERR);
    /* A Redis-style message without an error code gets "ERR ". */
    CU_ASSERT_EQUAL(get_long_from_obj_or_reply(c, bad, &l, "timeout is not an integer"), C_ERR);
    CU_ASSERT_EQUAL(get_range_long_from_obj_or_reply(c, num, 0, 100, &l, NULL), C_ERR);
    CU_ASSERT_EQUAL(get_range_long_from_obj_or_reply(c, num, 0, 200, &l, NULL), C_OK);
    CU_ASSERT_EQUAL(l, 123);
    CU_ASSERT_EQUAL(get_positive_long_from_obj_or_reply(c, neg, &l, NULL), C_ERR);
    CU_ASSERT_EQUAL(get_double_from_obj_or_reply(c, flt, &d, NULL), C_OK);
    CU_ASSERT_DOUBLE_EQUAL(d, 1.5, 1e-12);
    CU_ASSERT_EQUAL(get_double_from_obj_or_reply(c, bad, &d, NULL), C_ERR);
    CU_ASSERT_EQUAL(get_long_double_from_obj_or_reply(c, bad, &ld, NULL), C_ERR);
    expect(c, "-ERR value is not an integer or out of range\r\n"
              "-ERR timeout is not an integer\r\n"
              "-ERR timeout is not an integer\r\n"
              "-ERR value is out of range, value must between 0 and 100\r\n"
              "-ERR value is out of range, must be positive\r\n"
              "-ERR value is not a valid float\r\n"
              "-ERR value is not a valid float\r\n");
    decr_ref(num);
    decr_ref(neg);
    decr_ref(bad);
    decr_ref(flt);
}

static void test_fake_client_info(void) {
    client *c = new_client(2);
    kstr s = client_info_string(kstr_empty(), c);
    CU_ASSERT_EQUAL(strncmp(s, "id=", 3), 0);
    CU_ASSERT_PTR_NOT_NULL(strstr(s, " addr= laddr= fd=-1 name= "));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, " flags=N db=0 sub=0 psub=0 ssub=0 multi=-1 qbuf=0 "));
    CU_ASSERT_PTR_NOT_NULL(strstr(s, " events= cmd=NULL user=default redir=-1 resp=2"));
    kstr_free(s);
    client_free(c);
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("reply", NULL, NULL);
    CU_add_test(s, "simple types and bulks", test_simple_types);
    CU_add_test(s, "RESP2 and RESP3 encodings", test_resp2_vs_resp3);
    CU_add_test(s, "doubles", test_doubles);
    CU_add_test(s, "errors and their statistics", test_errors);
    CU_add_test(s, "arity and subcommand errors", test_arity_and_subcommand_errors);
    CU_add_test(s, "help text", test_help);
    CU_add_test(s, "deferred lengths", test_deferred_lengths);
    CU_add_test(s, "big replies across blocks", test_big_replies);
    CU_add_test(s, "CLIENT REPLY OFF/SKIP and close-after-reply", test_reply_off_and_skip);
    CU_add_test(s, "argument helpers", test_argument_helpers);
    CU_add_test(s, "CLIENT LIST line of a fake client", test_fake_client_info);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
