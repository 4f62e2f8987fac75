/*
 * RESP request parser (see resp.h for the contract).
 */
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "resp.h"
#include "zmalloc.h"

#define ERR_PREFIX "ERR Protocol error: "

/* Internal outcome of one parsing step. */
typedef enum step {
    STEP_MORE = 0, /* need more bytes */
    STEP_NEXT,     /* state advanced, keep going */
    STEP_EMPTY,    /* a request with no arguments was consumed */
    STEP_DONE,     /* a request is complete */
    STEP_ERROR
} step;

/* Argument arrays bigger than this are released between requests so one
 * huge request does not pin memory on an idle client. */
#define ARGV_KEEP 64

void resp_parser_init(resp_parser *p) {
    memset(p, 0, sizeof(*p));
    p->bulklen = -1;
}

static void release_inline(resp_parser *p) {
    if (p->inline_argv) kstr_free_argv(p->inline_argv, p->inline_argc);
    p->inline_argv = NULL;
    p->inline_argc = 0;
}

static void start_request(resp_parser *p) {
    release_inline(p);
    p->state = RESP_ST_START;
    p->reqtype = RESP_REQ_NONE;
    p->remaining = 0;
    p->bulklen = -1;
    p->pos = 0;
    p->scan = 0;
    p->argc = 0;
    if (p->argv_cap > ARGV_KEEP) {
        zfree(p->argv);
        p->argv = NULL;
        p->argv_cap = 0;
    }
}

void resp_parser_reset(resp_parser *p) {
    start_request(p);
    p->error = NULL;
    p->reason = NULL;
}

void resp_parser_free(resp_parser *p) {
    release_inline(p);
    zfree(p->argv);
    resp_parser_init(p);
}

void resp_parser_trim(resp_parser *p) {
    if (p->state != RESP_ST_START) return;
    release_inline(p);
    p->argc = 0;
    zfree(p->argv);
    p->argv = NULL;
    p->argv_cap = 0;
}

size_t resp_parser_memory(const resp_parser *p) {
    size_t n = p->argv ? zmalloc_size(p->argv) : 0;
    for (int i = 0; i < p->inline_argc; i++) n += kstr_alloc_size(p->inline_argv[i]);
    return n;
}

long long resp_parser_bulk_len(const resp_parser *p) {
    return p->state == RESP_ST_BULK_DATA ? p->bulklen : -1;
}

size_t resp_parser_bulk_missing(const resp_parser *p, size_t len) {
    if (p->state != RESP_ST_BULK_DATA) return 0;
    size_t need = p->pos + (size_t)p->bulklen + 2;
    return need > len ? need - len : 0;
}

/* Decimal as Redis' string2ll accepts it: optional '-', no '+', no leading
 * zeros (except "0" itself), no spaces, within long long. Returns 1 or 0. */
static int parse_ll(const char *s, size_t len, long long *out) {
    if (len == 0 || len > 20) return 0;
    if (len == 1 && s[0] == '0') {
        *out = 0;
        return 1;
    }
    size_t i = 0;
    int negative = 0;
    if (s[0] == '-') {
        negative = 1;
        i = 1;
        if (len == 1) return 0;
    }
    if (s[i] < '1' || s[i] > '9') return 0;
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return 0;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (ULLONG_MAX - d) / 10) return 0;
        v = v * 10 + d;
    }
    if (negative) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        *out = v == (unsigned long long)LLONG_MAX + 1 ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        *out = (long long)v;
    }
    return 1;
}

/* Finds ch in p[from..len) the way strchr would on a NUL-terminated copy:
 * a NUL byte first means "not found". Returns the index or -1; *resume is
 * where a later search over a longer buffer may start. */
static long find_terminator(const char *p, size_t from, size_t len, char ch, size_t *resume) {
    const char *hit = from < len ? memchr(p + from, ch, len - from) : NULL;
    size_t end = hit ? (size_t)(hit - p) : len;
    const char *nul = end > from ? memchr(p + from, '\0', end - from) : NULL;
    if (nul) {
        *resume = (size_t)(nul - p);
        return -1;
    }
    if (!hit) {
        *resume = len;
        return -1;
    }
    *resume = end;
    return (long)end;
}

static step fail(resp_parser *p, const char *error, const char *reason) {
    p->error = error;
    p->reason = reason;
    return STEP_ERROR;
}

static void push_arg(resp_parser *p, size_t off, size_t len) {
    if (p->argc == p->argv_cap) {
        int cap = p->argv_cap ? p->argv_cap * 2 : 8;
        /* Grow towards the announced count without trusting it blindly. */
        if (p->argv_cap == 0 && p->remaining > 8)
            cap = p->remaining > 1024 ? 1024 : (int)p->remaining;
        p->argv = zrealloc(p->argv, sizeof(resp_arg) * (size_t)cap);
        p->argv_cap = cap;
    }
    p->argv[p->argc].ptr = NULL;
    p->argv[p->argc].off = off;
    p->argv[p->argc].len = len;
    p->argc++;
}

static step parse_inline(resp_parser *p, const char *buf, size_t len, const resp_limits *lim) {
    long nl = find_terminator(buf, p->scan, len, '\n', &p->scan);
    if (nl < 0) {
        if (len > lim->max_inline_len)
            return fail(p, ERR_PREFIX "too big inline request", "too big inline request");
        return STEP_MORE;
    }
    size_t end = (size_t)nl;
    if (end > 0 && buf[end - 1] == '\r') end--;
    /* The line holds no NUL (find_terminator), so a C string copy is exact. */
    kstr line = kstr_new(buf, end);
    int argc = 0;
    kstr *argv = kstr_split_args(line, &argc);
    kstr_free(line);
    if (!argv)
        return fail(p, ERR_PREFIX "unbalanced quotes in request",
                    "unbalanced quotes in inline request");
    p->pos = (size_t)nl + 1;
    if (argc == 0) {
        kstr_free_argv(argv, argc);
        return STEP_EMPTY;
    }
    p->inline_argv = argv;
    p->inline_argc = argc;
    p->argc = 0;
    if (p->argv_cap < argc) {
        p->argv = zrealloc(p->argv, sizeof(resp_arg) * (size_t)argc);
        p->argv_cap = argc;
    }
    for (int i = 0; i < argc; i++) {
        p->argv[i].ptr = argv[i];
        p->argv[i].len = kstr_len(argv[i]);
        p->argv[i].off = 0;
    }
    p->argc = argc;
    return STEP_DONE;
}

static step parse_count(resp_parser *p, const char *buf, size_t len, const resp_limits *lim) {
    long cr = find_terminator(buf, p->scan, len, '\r', &p->scan);
    if (cr < 0) {
        if (len > lim->max_inline_len)
            return fail(p, ERR_PREFIX "too big mbulk count string", "too big mbulk count string");
        return STEP_MORE;
    }
    if ((size_t)cr + 2 > len) return STEP_MORE; /* the byte after '\r' */
    long long n;
    if (!parse_ll(buf + 1, (size_t)cr - 1, &n) || n > lim->max_multibulk_len)
        return fail(p, ERR_PREFIX "invalid multibulk length", "invalid mbulk count");
    if (n > RESP_UNAUTH_MULTIBULK_MAX && lim->unauthenticated)
        return fail(p, ERR_PREFIX "unauthenticated multibulk length", "unauth mbulk count");
    p->pos = (size_t)cr + 2;
    if (n <= 0) return STEP_EMPTY;
    p->remaining = n;
    p->bulklen = -1;
    p->scan = p->pos;
    p->state = RESP_ST_BULK_LEN;
    return STEP_NEXT;
}

static step parse_bulk_len(resp_parser *p, const char *buf, size_t len, const resp_limits *lim) {
    long cr = find_terminator(buf, p->scan, len, '\r', &p->scan);
    if (cr < 0) {
        if (len - p->pos > lim->max_inline_len)
            return fail(p, ERR_PREFIX "too big bulk count string", "too big bulk count string");
        return STEP_MORE;
    }
    if ((size_t)cr + 2 > len) return STEP_MORE;
    if (buf[p->pos] != '$') {
        /* Shown as the reply puts it on the wire: CR and LF become spaces. */
        char got = buf[p->pos] == '\r' || buf[p->pos] == '\n' ? ' ' : buf[p->pos];
        snprintf(p->errbuf, sizeof(p->errbuf), ERR_PREFIX "expected '$', got '%c'", got);
        return fail(p, p->errbuf, "expected $ but got something else");
    }
    long long n;
    if (!parse_ll(buf + p->pos + 1, (size_t)cr - p->pos - 1, &n) || n < 0 || n > lim->max_bulk_len)
        return fail(p, ERR_PREFIX "invalid bulk length", "invalid bulk length");
    if (n > RESP_UNAUTH_BULK_MAX && lim->unauthenticated)
        return fail(p, ERR_PREFIX "unauthenticated bulk length", "unauth bulk length");
    p->pos = (size_t)cr + 2;
    p->bulklen = n;
    p->state = RESP_ST_BULK_DATA;
    return STEP_NEXT;
}

static step parse_bulk_data(resp_parser *p, size_t len) {
    size_t avail = len - p->pos;
    if (avail < 2 || avail - 2 < (unsigned long long)p->bulklen) return STEP_MORE;
    push_arg(p, p->pos, (size_t)p->bulklen);
    p->pos += (size_t)p->bulklen + 2;
    p->bulklen = -1;
    p->scan = p->pos;
    if (--p->remaining == 0) return STEP_DONE;
    p->state = RESP_ST_BULK_LEN;
    return STEP_NEXT;
}

resp_status resp_parse(resp_parser *p, const char *buf, size_t len, const resp_limits *lim,
                       size_t *consumed) {
    size_t base = 0; /* start of the current request within buf */
    if (p->state == RESP_ST_START) start_request(p);
    for (;;) {
        const char *req = buf + base;
        size_t avail = len - base;
        step s;
        switch (p->state) {
        case RESP_ST_START:
            if (avail == 0) {
                *consumed = base;
                return RESP_NEED_MORE;
            }
            if (req[0] == '*') {
                p->reqtype = RESP_REQ_MULTIBULK;
                p->state = RESP_ST_COUNT;
            } else {
                p->reqtype = RESP_REQ_INLINE;
                p->state = RESP_ST_INLINE;
            }
            s = STEP_NEXT;
            break;
        case RESP_ST_INLINE: s = parse_inline(p, req, avail, lim); break;
        case RESP_ST_COUNT: s = parse_count(p, req, avail, lim); break;
        case RESP_ST_BULK_LEN: s = parse_bulk_len(p, req, avail, lim); break;
        case RESP_ST_BULK_DATA: s = parse_bulk_data(p, avail); break;
        default: s = fail(p, ERR_PREFIX "invalid parser state", "invalid parser state"); break;
        }
        switch (s) {
        case STEP_NEXT: continue;
        case STEP_MORE: *consumed = base; return RESP_NEED_MORE;
        case STEP_ERROR: *consumed = base; return RESP_ERROR;
        case STEP_EMPTY:
            base += p->pos;
            start_request(p);
            continue;
        case STEP_DONE:
            if (p->reqtype == RESP_REQ_MULTIBULK)
                for (int i = 0; i < p->argc; i++) p->argv[i].ptr = req + p->argv[i].off;
            p->start = base;
            *consumed = base + p->pos;
            p->state = RESP_ST_START;
            return RESP_REQUEST;
        }
    }
}
