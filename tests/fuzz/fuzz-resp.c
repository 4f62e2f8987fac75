/*
 * libFuzzer target for the RESP request parser (src/resp.c).
 *
 * Input layout: byte 0 selects limits, byte 1 seeds the chunk sizes, the
 * rest is what a client sends. The bytes are fed the way networking.c
 * feeds them: a buffer of unconsumed bytes that grows by one chunk at a
 * time; every call gets a fresh allocation of exactly the buffered bytes,
 * so AddressSanitizer catches any read past them.
 *
 * Invariants checked (abort on violation):
 *   - consumed never exceeds the buffer; argument pointers stay inside it;
 *   - a multibulk request re-encodes to the bytes it was parsed from, except
 *     the terminator bytes Redis does not check (the byte after each line's
 *     CR and the two bytes after each payload);
 *   - an inline request ends with LF and holds no NUL;
 *   - errors carry one of the known Redis texts;
 *   - the outcome does not depend on how the bytes were split, except that
 *     a "too big" limit may trip earlier when less arrives at once (Redis
 *     behaves the same): then one run's requests must be a prefix of the
 *     other's.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kstr.h"
#include "resp.h"

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__);          \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static const char *const known_errors[] = {"ERR Protocol error: invalid multibulk length",
                                           "ERR Protocol error: invalid bulk length",
                                           "ERR Protocol error: too big inline request",
                                           "ERR Protocol error: too big mbulk count string",
                                           "ERR Protocol error: too big bulk count string",
                                           "ERR Protocol error: unbalanced quotes in request",
                                           "ERR Protocol error: unauthenticated multibulk length",
                                           "ERR Protocol error: unauthenticated bulk length",
                                           NULL};

static void check_error(const char *err) {
    if (!strncmp(err, "ERR Protocol error: expected '$', got '", 39)) {
        CHECK(strlen(err) == 41 && err[40] == '\'' && err[39] != '\r' && err[39] != '\n');
        return;
    }
    for (int i = 0; known_errors[i]; i++)
        if (!strcmp(err, known_errors[i])) return;
    fprintf(stderr, "unknown error text: %s\n", err);
    abort();
}

static int is_size_error(const char *err) {
    return strstr(err, "too big") != NULL;
}

/* Compares the canonical encoding of a multibulk request with the bytes it
 * came from, skipping the positions Redis never looks at. */
static void check_multibulk(const resp_parser *p, const char *req, size_t reqlen) {
    size_t i = 0;
    char head[32];
    int n = snprintf(head, sizeof(head), "*%d\r", p->argc);
    CHECK(reqlen >= (size_t)n + 1 && !memcmp(req, head, (size_t)n));
    i = (size_t)n + 1; /* the byte after CR is not checked */
    for (int a = 0; a < p->argc; a++) {
        n = snprintf(head, sizeof(head), "$%zu\r", p->argv[a].len);
        CHECK(reqlen >= i + (size_t)n + 1 && !memcmp(req + i, head, (size_t)n));
        i += (size_t)n + 1;
        CHECK(p->argv[a].ptr == req + i && p->argv[a].off == i);
        CHECK(reqlen >= i + p->argv[a].len + 2);
        i += p->argv[a].len + 2; /* the two trailer bytes are not checked */
    }
    CHECK(i == reqlen);
}

typedef struct outcome {
    kstr requests; /* each request as <argc>:<len>:<bytes>... */
    size_t nrequests;
    kstr error; /* NULL when none */
} outcome;

static void record_request(outcome *o, const resp_parser *p) {
    o->requests = kstr_catfmt(o->requests, "%d:", p->argc);
    for (int i = 0; i < p->argc; i++) {
        o->requests = kstr_catfmt(o->requests, "%zu:", p->argv[i].len);
        o->requests = kstr_cat(o->requests, p->argv[i].ptr, p->argv[i].len);
    }
    o->requests = kstr_cat(o->requests, ";", 1);
    o->nrequests++;
}

static uint32_t next_rand(uint32_t *state) {
    uint32_t x = *state;
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    return *state = x;
}

static outcome run(const uint8_t *data, size_t size, const resp_limits *lim, uint32_t seed) {
    outcome o = {kstr_empty(), 0, NULL};
    resp_parser p;
    resp_parser_init(&p);
    kstr pending = kstr_empty();
    uint32_t rs = seed | 1;
    size_t fed = 0;
    while (fed < size && !o.error) {
        size_t chunk = seed ? 1 + next_rand(&rs) % 64 : size;
        if (chunk > size - fed) chunk = size - fed;
        pending = kstr_cat(pending, data + fed, chunk);
        fed += chunk;
        for (;;) {
            size_t len = kstr_len(pending);
            char *buf = malloc(len ? len : 1);
            memcpy(buf, pending, len);
            size_t consumed = (size_t)-1;
            resp_status st = resp_parse(&p, buf, len, lim, &consumed);
            CHECK(consumed <= len);
            if (st == RESP_ERROR) {
                CHECK(p.error != NULL && p.reason != NULL);
                check_error(p.error);
                o.error = kstr_from(p.error);
                free(buf);
                break;
            }
            if (st == RESP_REQUEST) {
                CHECK(p.argc >= 1);
                CHECK(p.start < consumed);
                const char *req = buf + p.start;
                size_t reqlen = consumed - p.start;
                if (p.reqtype == RESP_REQ_MULTIBULK) {
                    CHECK(req[0] == '*');
                    check_multibulk(&p, req, reqlen);
                } else {
                    CHECK(p.reqtype == RESP_REQ_INLINE);
                    CHECK(req[0] != '*' && req[reqlen - 1] == '\n');
                    CHECK(memchr(req, '\0', reqlen) == NULL);
                    CHECK(memchr(req, '\n', reqlen) == req + reqlen - 1);
                }
                record_request(&o, &p);
            }
            kstr_consume(pending, consumed);
            free(buf);
            if (st == RESP_NEED_MORE) break;
        }
    }
    kstr_free(pending);
    resp_parser_free(&p);
    return o;
}

static void outcome_free(outcome *o) {
    kstr_free(o->requests);
    kstr_free(o->error);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size < 2) return 0;
    uint8_t ctl = data[0];
    uint32_t seed = (uint32_t)data[1] * 2654435761u + 1;
    data += 2;
    size -= 2;
    resp_limits lim = {ctl & 1 ? 64 : 512LL * 1024 * 1024,
                       ctl & 2 ? 1024 * 1024 : RESP_MULTIBULK_MAX_DEFAULT,
                       ctl & 4 ? 32 : RESP_INLINE_MAX_DEFAULT, ctl & 8 ? 1 : 0};

    outcome whole = run(data, size, &lim, 0);
    outcome split = run(data, size, &lim, seed);
    int size_limited =
        (whole.error && is_size_error(whole.error)) || (split.error && is_size_error(split.error));
    if (!size_limited) {
        CHECK(whole.nrequests == split.nrequests);
        CHECK(kstr_len(whole.requests) == kstr_len(split.requests) &&
              !memcmp(whole.requests, split.requests, kstr_len(whole.requests)));
        CHECK((whole.error == NULL) == (split.error == NULL));
        CHECK(!whole.error || !strcmp(whole.error, split.error));
    } else {
        outcome *a = kstr_len(whole.requests) <= kstr_len(split.requests) ? &whole : &split;
        outcome *b = a == &whole ? &split : &whole;
        CHECK(!memcmp(a->requests, b->requests, kstr_len(a->requests)));
    }
    outcome_free(&whole);
    outcome_free(&split);
    return 0;
}
