/*
 * Unit tests of the ACL internals: key positions and read/write access
 * from Redis' key specs (including commands keyport does not have yet, so
 * the table is right when they arrive), rule parsing and the ACL LIST
 * description, passwords, selector argument merging.
 */
#include <CUnit/Basic.h>
#include <stdarg.h>
#include <string.h>

#include "acl_internal.h"

#define MAXARGS 32

static kobj *argv_buf[MAXARGS];
static int argc_buf;

static void set_args(const char *first, ...) {
    for (int i = 0; i < argc_buf; i++) decr_ref(argv_buf[i]);
    argc_buf = 0;
    va_list ap;
    va_start(ap, first);
    for (const char *a = first; a; a = va_arg(ap, const char *))
        argv_buf[argc_buf++] = obj_create_string(a, strlen(a));
    va_end(ap);
}

/* "pos:access pos:access" for the keys of argv_buf under the specs of
 * name (access: R, W or RW, "-" for none). */
static kstr keys_of(const char *name) {
    acl_cmd fake;
    memset(&fake, 0, sizeof(fake));
    fake.keyspecs = acl_keyspec_find(name);
    CU_ASSERT_PTR_NOT_NULL_FATAL(fake.keyspecs);
    acl_key_ref refs[MAXARGS * 3];
    int n = acl_command_keys(&fake, argv_buf, argc_buf, refs, MAXARGS * 3);
    kstr out = kstr_empty();
    for (int i = 0; i < n; i++) {
        const char *a = refs[i].access == ACL_KEY_ALL     ? "RW"
                        : refs[i].access == ACL_KEY_READ  ? "R"
                        : refs[i].access == ACL_KEY_WRITE ? "W"
                                                          : "-";
        out = kstr_catfmt(out, "%s%d:%s", i ? " " : "", refs[i].pos, a);
    }
    return out;
}

static void check_keys(const char *name, const char *want) {
    kstr got = keys_of(name);
    if (strcmp(got, want)) fprintf(stderr, "\n%s: got '%s', want '%s'\n", name, got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    kstr_free(got);
}

static void test_key_specs(void) {
    set_args("get", "k", NULL);
    check_keys("get", "1:R");
    set_args("exists", "a", "b", NULL);
    check_keys("exists", "1:- 2:-");
    set_args("mset", "a", "1", "b", "2", NULL);
    check_keys("mset", "1:W 3:W");
    set_args("copy", "src", "dst", "REPLACE", NULL);
    check_keys("copy", "1:R 2:W");
    /* Counts in an argument (keynum). */
    set_args("zunionstore", "d", "2", "a", "b", "WEIGHTS", "1", "2", NULL);
    check_keys("zunionstore", "1:W 3:R 4:R");
    set_args("lmpop", "2", "a", "b", "LEFT", NULL);
    check_keys("lmpop", "2:RW 3:RW");
    set_args("lmpop", "0", "LEFT", NULL);
    check_keys("lmpop", "");
    set_args("lmpop", "x", "a", NULL);
    check_keys("lmpop", "");
    set_args("zunionstore", "d", "5", "a", NULL); /* more keys announced than given */
    check_keys("zunionstore", "1:W 3:R");
    /* After a keyword, with a limit (XREAD ... STREAMS k1 k2 id1 id2). */
    set_args("xread", "COUNT", "2", "STREAMS", "s1", "s2", "0", "0", NULL);
    check_keys("xread", "4:R 5:R");
    set_args("georadius", "k", "0", "0", "1", "km", "STORE", "dst", NULL);
    check_keys("georadius", "1:R 7:W");
    set_args("georadius", "k", "0", "0", "1", "km", NULL);
    check_keys("georadius", "1:R");
}

static void test_key_procs(void) {
    set_args("set", "k", "v", NULL);
    check_keys("set", "1:W");
    set_args("set", "k", "v", "EX", "10", "GET", NULL);
    check_keys("set", "1:RW");
    set_args("bitfield", "k", "GET", "u8", "0", NULL);
    check_keys("bitfield", "1:R");
    set_args("bitfield", "k", "SET", "u8", "0", "1", NULL);
    check_keys("bitfield", "1:W");
    set_args("bitfield", "k", "GET", "u8", "0", "INCRBY", "u8", "0", "1", NULL);
    check_keys("bitfield", "1:RW");
    set_args("sort", "k", "BY", "w_*", "GET", "#", "LIMIT", "0", "1", "STORE", "d", NULL);
    check_keys("sort", "1:R 10:W");
    set_args("sort", "k", "GET", "store", NULL); /* "store" is GET's pattern here */
    check_keys("sort", "1:R");
    set_args("migrate", "h", "1", "", "0", "5000", "AUTH", "keys", "KEYS", "a", "b", NULL);
    check_keys("migrate", "9:RW 10:RW");
    set_args("migrate", "h", "1", "k", "0", "5000", "COPY", NULL);
    check_keys("migrate", "3:RW");
}

/* Commands without specs use first/last/step. */
static void test_key_fallback(void) {
    kcommand cmd;
    memset(&cmd, 0, sizeof(cmd));
    cmd.first_key = 1;
    cmd.last_key = -1;
    cmd.key_step = 2;
    cmd.flags = CMD_READONLY;
    acl_cmd fake;
    memset(&fake, 0, sizeof(fake));
    fake.cmd = &cmd;
    set_args("x", "a", "1", "b", "2", NULL);
    acl_key_ref refs[8];
    int n = acl_command_keys(&fake, argv_buf, argc_buf, refs, 8);
    CU_ASSERT_EQUAL(n, 2);
    CU_ASSERT_EQUAL(refs[0].pos, 1);
    CU_ASSERT_EQUAL(refs[1].pos, 3);
    CU_ASSERT_EQUAL(refs[0].access, ACL_KEY_READ);
    cmd.flags = CMD_WRITE;
    n = acl_command_keys(&fake, argv_buf, argc_buf, refs, 8);
    CU_ASSERT_EQUAL(refs[0].access, ACL_KEY_ALL);
}

static kstr describe(const char *const *rules) {
    acl_user *u = acl_user_create_unlinked("t", 1);
    for (; *rules; rules++) CU_ASSERT_EQUAL(acl_user_apply(u, *rules, strlen(*rules)), ACL_OP_OK);
    kstr out = acl_user_describe(kstr_empty(), u);
    acl_user_free(u);
    return out;
}

static void check_describe(const char *want, ...) {
    const char *rules[16];
    int n = 0;
    va_list ap;
    va_start(ap, want);
    for (const char *r; (r = va_arg(ap, const char *)) && n < 15;) rules[n++] = r;
    va_end(ap);
    rules[n] = NULL;
    kstr got = describe(rules);
    if (strcmp(got, want)) fprintf(stderr, "\ngot '%s', want '%s'\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    kstr_free(got);
}

static void test_rules_and_describe(void) {
    check_describe("off resetchannels -@all", NULL);
    check_describe("on nopass ~* &* +@all", "on", "nopass", "allkeys", "allchannels", "allcommands",
                   NULL);
    check_describe("off resetchannels +@all", "+@all", "-get", "+@string", NULL);
    check_describe("off resetchannels -@all +@read -get", "+@read", "-get", NULL);
    check_describe("off resetchannels +@all -@dangerous", "+@all", "-@dangerous", NULL);
    check_describe("off resetchannels -@all +client -client|kill", "+client", "-client|kill", NULL);
    check_describe("off resetchannels -@all +select|0", "+select|0", NULL);
    check_describe("off %R~r* %W~w* ~b resetchannels &c -@all", "%R~r*", "%W~w*", "%RW~b", "&c",
                   NULL);
    check_describe("off ~r resetchannels -@all", "%R~r", "%W~r", NULL);
    check_describe("off resetchannels -@all (~k resetchannels -@all +get)", "(+get ~k)", NULL);
    check_describe("off sanitize-payload resetchannels -@all", "on", ">x", "~*", "(+get)", "reset",
                   NULL);
}

static void test_rule_errors(void) {
    static const struct {
        const char *rule;
        acl_op_error err;
    } cases[] = {
        {"bogus", ACL_OP_SYNTAX},           {"+nosuchcmd", ACL_OP_UNKNOWN},
        {"+@nosuchcat", ACL_OP_UNKNOWN},    {"-select|0", ACL_OP_UNKNOWN},
        {"+config|nosuch", ACL_OP_UNKNOWN}, {"+config|get|x", ACL_OP_SUBCMD_FIRSTARG},
        {"+get|", ACL_OP_SYNTAX},           {"%~a", ACL_OP_SYNTAX},
        {"%RR~a", ACL_OP_SYNTAX},           {"~a b", ACL_OP_SYNTAX},
        {"#abc", ACL_OP_BAD_HASH},          {"<nope", ACL_OP_NO_SUCH_PASS},
        {"(bogus)", ACL_OP_SYNTAX},
    };
    acl_user *u = acl_user_create_unlinked("t", 1);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        CU_ASSERT_EQUAL(acl_user_apply(u, cases[i].rule, strlen(cases[i].rule)), cases[i].err);
    CU_ASSERT_EQUAL(acl_user_apply(u, "allkeys", 7), ACL_OP_OK);
    CU_ASSERT_EQUAL(acl_user_apply(u, "~a", 2), ACL_OP_KEYS_AFTER_ALL);
    CU_ASSERT_EQUAL(acl_user_apply(u, "allchannels", 11), ACL_OP_OK);
    CU_ASSERT_EQUAL(acl_user_apply(u, "&a", 2), ACL_OP_CHANS_AFTER_ALL);
    acl_user_free(u);
}

static void test_passwords(void) {
    acl_user *u = acl_user_create_unlinked("t", 1);
    CU_ASSERT_FALSE(acl_user_password_ok(u, "", 0));
    acl_user_apply(u, ">password", 9);
    CU_ASSERT_STRING_EQUAL(u->passwords[0],
                           "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8");
    CU_ASSERT_TRUE(acl_user_password_ok(u, "password", 8));
    CU_ASSERT_FALSE(acl_user_password_ok(u, "passwore", 8));
    CU_ASSERT_FALSE(acl_user_password_ok(u, "password ", 9));
    /* Binary passwords. */
    acl_user_apply(u, ">a\0b", 4);
    CU_ASSERT_TRUE(acl_user_password_ok(u, "a\0b", 3));
    CU_ASSERT_FALSE(acl_user_password_ok(u, "a", 1));
    acl_user_apply(u, "nopass", 6);
    CU_ASSERT_TRUE(acl_user_password_ok(u, "anything", 8));
    acl_user_free(u);
}

static void test_merge_selectors(void) {
    kstr in[] = {kstr_from("on"), kstr_from("(+get"), kstr_from("~k)"), kstr_from("(+set)"),
                 kstr_from("")};
    int n = 0, bad = -1;
    kstr *out = acl_merge_selector_args(in, 5, &n, &bad);
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(n, 4);
    CU_ASSERT_STRING_EQUAL(out[1], "(+get ~k)");
    CU_ASSERT_STRING_EQUAL(out[2], "(+set)");
    CU_ASSERT_STRING_EQUAL(out[3], "");
    kstr_free_argv(out, n);
    CU_ASSERT_PTR_NULL(acl_merge_selector_args(in, 2, &n, &bad));
    CU_ASSERT_EQUAL(bad, 1);
    for (int i = 0; i < 5; i++) kstr_free(in[i]);
}

int main(void) {
    obj_create_shared();
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("acl", NULL, NULL);
    CU_add_test(s, "key specs", test_key_specs);
    CU_add_test(s, "SET BITFIELD SORT MIGRATE keys", test_key_procs);
    CU_add_test(s, "first/last/step fallback", test_key_fallback);
    CU_add_test(s, "rules and ACL LIST form", test_rules_and_describe);
    CU_add_test(s, "rule errors", test_rule_errors);
    CU_add_test(s, "passwords", test_passwords);
    CU_add_test(s, "selector arguments", test_merge_selectors);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    set_args(NULL);
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
