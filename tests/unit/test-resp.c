/*
 * Unit tests of the RESP request parser (src/resp.c): every protocol error
 * text Redis 7.0 sends, reads split at every byte boundary, inline quoting,
 * limits, pipelines, Redis' leniencies, and the inputs the fuzzer found.
 *
 * The driver below feeds the parser the way networking.c does: a buffer of
 * unconsumed bytes that grows as chunks arrive and shrinks by what each
 * call consumed. Results are rendered as a transcript so a whole session
 * can be compared in one assertion.
 */
#include <CUnit/Basic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kstr.h"
#include "resp.h"
#include "zmalloc.h"

static resp_limits default_limits(void) {
    resp_limits lim = {512LL * 1024 * 1024, RESP_MULTIBULK_MAX_DEFAULT, RESP_INLINE_MAX_DEFAULT, 0};
    return lim;
}

/* Appends one request as "[a|b|c]", with bytes outside printable ASCII
 * as \xHH so transcripts stay readable and exact. */
static kstr render_request(kstr out, const resp_parser *p) {
    out = kstr_cat(out, "[", 1);
    for (int i = 0; i < p->argc; i++) {
        if (i) out = kstr_cat(out, "|", 1);
        for (size_t j = 0; j < p->argv[i].len; j++) {
            unsigned char ch = (unsigned char)p->argv[i].ptr[j];
            if (ch < 32 || ch > 126 || ch == '|' || ch == '\\')
                out = kstr_catfmt(out, "\\x%02x", ch);
            else
                out = kstr_cat(out, &p->argv[i].ptr[j], 1);
        }
    }
    return kstr_cat(out, "]", 1);
}

/* Feeds input in chunks of the given sizes (the last size repeats; 0 means
 * everything at once). Returns the transcript: requests, then "!<error>"
 * if the parser refused the input, then "+<n>" when n bytes were left
 * waiting for more. */
static kstr run_chunks(const char *input, size_t len, const size_t *chunks, int nchunks,
                       const resp_limits *lim) {
    resp_parser p;
    resp_parser_init(&p);
    kstr buf = kstr_empty();
    kstr out = kstr_empty();
    size_t fed = 0;
    int ci = 0, failed = 0;
    while (fed < len && !failed) {
        size_t n = nchunks ? chunks[ci < nchunks ? ci : nchunks - 1] : len;
        ci++;
        if (n == 0 || n > len - fed) n = len - fed;
        buf = kstr_cat(buf, input + fed, n);
        fed += n;
        for (;;) {
            size_t consumed = 0;
            resp_status st = resp_parse(&p, buf, kstr_len(buf), lim, &consumed);
            CU_ASSERT_TRUE_FATAL(consumed <= kstr_len(buf));
            if (st == RESP_ERROR) {
                out = kstr_catfmt(out, "!%s", p.error);
                failed = 1;
                break;
            }
            if (st == RESP_REQUEST) out = render_request(out, &p);
            kstr_consume(buf, consumed);
            if (st == RESP_NEED_MORE) break;
        }
    }
    if (!failed && kstr_len(buf)) out = kstr_catfmt(out, "+%zu", kstr_len(buf));
    kstr_free(buf);
    resp_parser_free(&p);
    return out;
}

static kstr run(const char *input, size_t len) {
    resp_limits lim = default_limits();
    return run_chunks(input, len, NULL, 0, &lim);
}

static kstr run_lim(const char *input, size_t len, const resp_limits *lim) {
    return run_chunks(input, len, NULL, 0, lim);
}

#define RUN(lit) run(lit, sizeof(lit) - 1)

static void expect(kstr got, const char *want) {
    if (strcmp(got, want) != 0) fprintf(stderr, "\n  got:  %s\n  want: %s\n", got, want);
    CU_ASSERT_STRING_EQUAL(got, want);
    kstr_free(got);
}

/* ---------- well-formed input ---------- */

static void test_multibulk(void) {
    expect(RUN("*1\r\n$4\r\nPING\r\n"), "[PING]");
    expect(RUN("*3\r\n$3\r\nSET\r\n$1\r\na\r\n$0\r\n\r\n"), "[SET|a|]");
    /* Binary-safe payloads: NUL, CR and LF inside a bulk are data. */
    expect(RUN("*2\r\n$4\r\nECHO\r\n$5\r\na\0\r\nb\r\n"), "[ECHO|a\\x00\\x0d\\x0ab]");
    /* Argument counts with no arguments are skipped silently. */
    expect(RUN("*0\r\n*-1\r\n*-5\r\n*1\r\n$4\r\nPING\r\n"), "[PING]");
    expect(RUN("*2147483647\r\n"), "+13");
}

static void test_inline(void) {
    expect(RUN("PING\r\n"), "[PING]");
    expect(RUN("PING\n"), "[PING]");
    expect(RUN("  set   a  b  \r\n"), "[set|a|b]");
    expect(RUN("\r\n\n   \r\n\t\nPING\r\n"), "[PING]");
    expect(RUN("echo \"a b\" 'c d' \"\\x41\\n\" 'it\\'s'\r\n"), "[echo|a b|c d|A\\x0a|it's]");
    expect(RUN("echo a\"b c\"d\r\n"), "!ERR Protocol error: unbalanced quotes in request");
    expect(RUN("echo \"\"\r\n"), "[echo|]");
    expect(RUN("echo a\rb\r\n"), "[echo|a|b]");
    /* Only the CR right before LF is dropped from the line. */
    expect(RUN("echo \"a\r\"\r\n"), "[echo|a\\x0d]");
}

static void test_pipeline(void) {
    expect(RUN("*1\r\n$4\r\nPING\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\necho x\n"),
           "[PING][PING][ECHO|hi][echo|x]");
    /* A partial request at the end waits; what came before is delivered. */
    expect(RUN("PING\r\n*2\r\n$4\r\nECHO\r\n$5\r\nhel"), "[PING]+21");
    /* An error after good requests: the good ones are delivered first. */
    expect(RUN("PING\r\n*1\r\n$4\r\nPING\r\n*x\r\n"),
           "[PING][PING]!ERR Protocol error: invalid multibulk length");
}

/* ---------- protocol errors, text for text ---------- */

static void test_multibulk_errors(void) {
    expect(RUN("*abc\r\n"), "!ERR Protocol error: invalid multibulk length");
    expect(RUN("*\r\n"), "!ERR Protocol error: invalid multibulk length");
    expect(RUN("*+1\r\n"), "!ERR Protocol error: invalid multibulk length");
    expect(RUN("*01\r\n"), "!ERR Protocol error: invalid multibulk length");
    expect(RUN("*-0\r\n"), "!ERR Protocol error: invalid multibulk length");
    expect(RUN("* 1\r\n"), "!ERR Protocol error: invalid multibulk length");
    expect(RUN("*2147483648\r\n"), "!ERR Protocol error: invalid multibulk length");
    expect(RUN("*99999999999999999999\r\n"), "!ERR Protocol error: invalid multibulk length");
    expect(RUN("*1\r\nx\r\n"), "!ERR Protocol error: expected '$', got 'x'");
    expect(RUN("*2\r\n$1\r\na\r\n:1\r\n"), "!ERR Protocol error: expected '$', got ':'");
    /* CR and LF are shown as spaces, as they are on the wire. */
    expect(RUN("*1\r\n\r\n"), "!ERR Protocol error: expected '$', got ' '");
    expect(RUN("*1\r\n\n\r\n"), "!ERR Protocol error: expected '$', got ' '");
    expect(RUN("*1\r\n$-1\r\n"), "!ERR Protocol error: invalid bulk length");
    expect(RUN("*1\r\n$\r\n"), "!ERR Protocol error: invalid bulk length");
    expect(RUN("*1\r\n$1x\r\n"), "!ERR Protocol error: invalid bulk length");
    expect(RUN("*1\r\n$536870913\r\n"), "!ERR Protocol error: invalid bulk length");
    expect(RUN("*1\r\n$536870912\r\n"), "+16");
}

static void test_size_errors(void) {
    size_t n = RESP_INLINE_MAX_DEFAULT + 1;
    char *big = malloc(n + 8);
    /* Inline: refused once more than 64 KiB wait without a newline. */
    memset(big, 'a', n);
    expect(run(big, n - 1), "+65536");
    expect(run(big, n), "!ERR Protocol error: too big inline request");
    /* ... but a longer line that arrives whole is accepted. */
    memcpy(big + n, "\r\n", 2);
    kstr got = run(big, n + 2);
    CU_ASSERT_EQUAL(kstr_len(got), n + 2);
    kstr_free(got);
    /* Count lines. */
    big[0] = '*';
    memset(big + 1, '1', n - 1);
    expect(run(big, n), "!ERR Protocol error: too big mbulk count string");
    /* Bulk length lines, measured from the start of the line. */
    memcpy(big, "*1\r\n$", 5);
    memset(big + 5, '1', n - 1);
    expect(run(big, n + 3), "+65540");
    expect(run(big, n + 4), "!ERR Protocol error: too big bulk count string");
    free(big);
}

static void test_inline_errors(void) {
    expect(RUN("ping \"a\r\n"), "!ERR Protocol error: unbalanced quotes in request");
    expect(RUN("ping 'a\r\n"), "!ERR Protocol error: unbalanced quotes in request");
    expect(RUN("echo \"a\"b\r\n"), "!ERR Protocol error: unbalanced quotes in request");
    expect(RUN("echo 'a'b\r\n"), "!ERR Protocol error: unbalanced quotes in request");
}

static void test_unauthenticated_limits(void) {
    resp_limits lim = default_limits();
    lim.unauthenticated = 1;
    expect(run_lim("*10\r\n", 5, &lim), "+5");
    expect(run_lim("*11\r\n", 5, &lim), "!ERR Protocol error: unauthenticated multibulk length");
    expect(run_lim("*1\r\n$16384\r\n", 12, &lim), "+12");
    expect(run_lim("*1\r\n$16385\r\n", 12, &lim),
           "!ERR Protocol error: unauthenticated bulk length");
    /* The general checks come first. */
    expect(run_lim("*x\r\n", 4, &lim), "!ERR Protocol error: invalid multibulk length");
    lim.unauthenticated = 0;
    expect(run_lim("*11\r\n", 5, &lim), "+5");
}

static void test_configured_limits(void) {
    resp_limits lim = default_limits();
    lim.max_bulk_len = 3;
    expect(run_lim("*1\r\n$3\r\nabc\r\n", 13, &lim), "[abc]");
    expect(run_lim("*1\r\n$4\r\nabcd\r\n", 14, &lim), "!ERR Protocol error: invalid bulk length");
    lim = default_limits();
    lim.max_multibulk_len = 1024 * 1024;
    expect(run_lim("*1048577\r\n", 10, &lim), "!ERR Protocol error: invalid multibulk length");
    lim.max_inline_len = 4;
    expect(run_lim("PING", 4, &lim), "+4");
    expect(run_lim("PINGS", 5, &lim), "!ERR Protocol error: too big inline request");
}

/* ---------- Redis' leniencies ---------- */

static void test_leniencies(void) {
    /* The two bytes after a payload and the byte after a CR are not
     * checked. */
    expect(RUN("*1\r\n$4\r\nPINGxx*1\r\n$4\r\nPING\r\n"), "[PING][PING]");
    expect(RUN("*1\rX$4\rYPING\r\n"), "[PING]");
    /* Lines are searched as C strings: a NUL before the terminator leaves
     * the request incomplete until the size limit trips. */
    expect(RUN("ping\0abc\r\n"), "+10");
    expect(RUN("*1\0\r\n$4\r\nPING\r\n"), "+15");
    expect(RUN("*1\r\n$4\0\r\nPING\r\n"), "+15");
    size_t n = RESP_INLINE_MAX_DEFAULT + 1;
    char *big = calloc(1, n);
    memcpy(big, "ping", 4);
    expect(run(big, n), "!ERR Protocol error: too big inline request");
    free(big);
}

/* ---------- incremental parsing ---------- */

static const char pipeline_input[] = "*3\r\n$3\r\nSET\r\n$3\r\nkey\r\n$10\r\n0123456789\r\n"
                                     "PING\r\n"
                                     "*0\r\n"
                                     "\r\n"
                                     "*2\r\n$4\r\nECHO\r\n$0\r\n\r\n"
                                     "set \"a b\" 'c'\n"
                                     "*1\r\n$4\r\nPING\r\n";
static const char pipeline_expected[] = "[SET|key|0123456789][PING][ECHO|][set|a b|c][PING]";

static void test_every_split_point(void) {
    size_t len = sizeof(pipeline_input) - 1;
    resp_limits lim = default_limits();
    for (size_t cut = 1; cut < len; cut++) {
        size_t chunks[2] = {cut, 0};
        kstr got = run_chunks(pipeline_input, len, chunks, 2, &lim);
        if (strcmp(got, pipeline_expected) != 0) fprintf(stderr, "\n  split at %zu\n", cut);
        expect(got, pipeline_expected);
    }
    /* Two cuts: every pair of split points. */
    for (size_t a = 1; a < len; a++) {
        for (size_t b = 1; a + b < len; b++) {
            size_t chunks[3] = {a, b, 0};
            kstr got = run_chunks(pipeline_input, len, chunks, 3, &lim);
            CU_ASSERT_STRING_EQUAL(got, pipeline_expected);
            kstr_free(got);
        }
    }
}

static void test_byte_by_byte(void) {
    size_t one = 1;
    resp_limits lim = default_limits();
    expect(run_chunks(pipeline_input, sizeof(pipeline_input) - 1, &one, 1, &lim),
           pipeline_expected);
    /* Errors come out the same whatever the chunking. */
    static const char bad[] = "PING\r\n*1\r\n$3\r\nabc\r\n*1\r\n@x\r\n";
    expect(run_chunks(bad, sizeof(bad) - 1, &one, 1, &lim),
           "[PING][abc]!ERR Protocol error: expected '$', got '@'");
}

/* A request whose arguments arrive one read at a time keeps its earlier
 * arguments while the buffer grows (and moves). */
static void test_many_arguments(void) {
    kstr in = kstr_catfmt(kstr_empty(), "*%d\r\n", 5000);
    for (int i = 0; i < 5000; i++) {
        char v[8];
        int n = snprintf(v, sizeof(v), "%d", i % 100);
        in = kstr_catfmt(in, "$%d\r\n%s\r\n", n, v);
    }
    size_t chunk = 7;
    resp_limits lim = default_limits();
    kstr got = run_chunks(in, kstr_len(in), &chunk, 1, &lim);
    CU_ASSERT_EQUAL(got[0], '[');
    CU_ASSERT_PTR_NOT_NULL(strstr(got, "|99|0|1|"));
    CU_ASSERT_EQUAL(got[kstr_len(got) - 1], ']');
    kstr_free(got);
    kstr_free(in);
}

/* ---------- parser API ---------- */

static void test_bulk_missing_and_memory(void) {
    resp_parser p;
    resp_parser_init(&p);
    resp_limits lim = default_limits();
    const char *in = "*2\r\n$4\r\nECHO\r\n$100000\r\nabc";
    size_t consumed = 0;
    CU_ASSERT_EQUAL(resp_parse(&p, in, strlen(in), &lim, &consumed), RESP_NEED_MORE);
    CU_ASSERT_EQUAL(consumed, 0);
    CU_ASSERT_EQUAL(resp_parser_bulk_len(&p), 100000);
    /* 100000 payload + CRLF, 3 bytes of it here. */
    CU_ASSERT_EQUAL(resp_parser_bulk_missing(&p, strlen(in)), 100000 + 2 - 3);
    CU_ASSERT_TRUE(resp_parser_memory(&p) > 0);
    resp_parser_reset(&p);
    CU_ASSERT_EQUAL(resp_parser_bulk_len(&p), -1);
    CU_ASSERT_EQUAL(resp_parser_bulk_missing(&p, 10), 0);
    resp_parser_trim(&p);
    CU_ASSERT_EQUAL(resp_parser_memory(&p), 0);
    resp_parser_free(&p);
}

static void test_consumed_and_pointers(void) {
    resp_parser p;
    resp_parser_init(&p);
    resp_limits lim = default_limits();
    const char in[] = "\r\n*0\r\n*2\r\n$1\r\na\r\n$2\r\nbc\r\nrest";
    size_t consumed = 0;
    CU_ASSERT_EQUAL(resp_parse(&p, in, sizeof(in) - 1, &lim, &consumed), RESP_REQUEST);
    CU_ASSERT_EQUAL(consumed, sizeof(in) - 1 - 4);
    CU_ASSERT_EQUAL(p.argc, 2);
    /* Multibulk arguments point into the caller's buffer. */
    CU_ASSERT_PTR_EQUAL(p.argv[0].ptr, in + 14);
    CU_ASSERT_EQUAL(p.argv[1].len, 2);
    CU_ASSERT_EQUAL(memcmp(p.argv[1].ptr, "bc", 2), 0);
    CU_ASSERT_EQUAL(resp_parse(&p, in + consumed, 4, &lim, &consumed), RESP_NEED_MORE);
    CU_ASSERT_EQUAL(consumed, 0);
    CU_ASSERT_EQUAL(p.reqtype, RESP_REQ_INLINE);
    resp_parser_free(&p);
}

static void test_error_reasons(void) {
    resp_parser p;
    resp_parser_init(&p);
    resp_limits lim = default_limits();
    size_t consumed = 0;
    CU_ASSERT_EQUAL(resp_parse(&p, "*1\r\nx\r\n", 7, &lim, &consumed), RESP_ERROR);
    CU_ASSERT_STRING_EQUAL(p.reason, "expected $ but got something else");
    resp_parser_reset(&p);
    CU_ASSERT_PTR_NULL(p.error);
    CU_ASSERT_EQUAL(resp_parse(&p, "*1\r\n$4\r\nPING\r\n", 14, &lim, &consumed), RESP_REQUEST);
    resp_parser_free(&p);
}

/* ---------- edges: buffer ends and numeric limits ----------
 * The fuzzer (tests/fuzz/fuzz-resp.c) has found no crash so far; inputs it
 * finds go here. These are the edges it is aimed at. */

static void test_edges(void) {
    /* Count line whose CR is the last byte: needs one more byte. */
    expect(RUN("*1\r"), "+3");
    expect(RUN("*1\r\n$1\r"), "+7");
    /* Inline request that is only a CR before LF. */
    expect(RUN("\r\n"), "");
    /* Bulk length at the top of the range must not overflow pos + len. */
    resp_limits lim = default_limits();
    lim.max_bulk_len = 9223372036854775807LL;
    expect(run_lim("*1\r\n$9223372036854775807\r\nab", 28, &lim), "+28");
    expect(run_lim("*1\r\n$9223372036854775808\r\n", 26, &lim),
           "!ERR Protocol error: invalid bulk length");
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("resp", NULL, NULL);
    CU_add_test(s, "multibulk requests", test_multibulk);
    CU_add_test(s, "inline requests and quoting", test_inline);
    CU_add_test(s, "pipelines", test_pipeline);
    CU_add_test(s, "multibulk protocol errors", test_multibulk_errors);
    CU_add_test(s, "size limit errors", test_size_errors);
    CU_add_test(s, "inline protocol errors", test_inline_errors);
    CU_add_test(s, "unauthenticated limits", test_unauthenticated_limits);
    CU_add_test(s, "configured limits", test_configured_limits);
    CU_add_test(s, "Redis leniencies", test_leniencies);
    CU_add_test(s, "split at every byte boundary", test_every_split_point);
    CU_add_test(s, "byte by byte", test_byte_by_byte);
    CU_add_test(s, "many arguments across reads", test_many_arguments);
    CU_add_test(s, "bulk_missing, memory, trim", test_bulk_missing_and_memory);
    CU_add_test(s, "consumed bytes and argument pointers", test_consumed_and_pointers);
    CU_add_test(s, "error reasons and reset", test_error_reasons);
    CU_add_test(s, "buffer ends and numeric limits", test_edges);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
