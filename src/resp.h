/*
 * RESP request parser: turns the bytes a client sent into requests, one at a
 * time and incrementally, with Redis 7.0's exact acceptance rules and error
 * texts. It knows nothing about clients or commands: networking.c, the unit
 * tests and the fuzzer drive it the same way.
 *
 * Two request forms, chosen by the first byte of each request:
 *   multibulk  "*<count>\r\n" then <count> times "$<len>\r\n<len bytes>\r\n"
 *   inline     one line ending in "\n" (an optional "\r" before it is
 *              dropped), split into words with kstr_split_args quoting.
 * Requests with no arguments ("*0\r\n", "*-1\r\n", an empty or blank line)
 * are consumed silently, as Redis does.
 *
 * Redis leniencies reproduced on purpose (clients and proxies in the wild
 * may rely on them, and the error behaviour must match):
 *   - the byte after the "\r" of a count or length line is not checked, nor
 *     are the two bytes after a bulk's payload;
 *   - a line is searched for its terminator as a C string: a NUL byte before
 *     the terminator means "not complete yet" (until the size limit trips).
 *
 * Usage: keep the unconsumed bytes in one buffer and call resp_parse() with
 * it whenever more arrive. Each call looks at buf[0..len), where buf starts
 * at the first byte not yet consumed; the bytes a previous call saw must
 * still be there, unchanged, followed by anything new.
 *
 * Threading: a parser belongs to one thread at a time; no global state.
 */
#ifndef KEYPORT_RESP_H
#define KEYPORT_RESP_H

#include <stddef.h>

#include "kstr.h"

/* Redis 7.0 limits: inline requests and count lines are refused beyond
 * 64 KiB without a terminator; a multibulk may announce up to INT_MAX
 * arguments (the query buffer limit bounds what is actually sent). */
#define RESP_INLINE_MAX_DEFAULT (64 * 1024)
#define RESP_MULTIBULK_MAX_DEFAULT 2147483647LL
/* Tighter limits for clients that still have to authenticate. */
#define RESP_UNAUTH_MULTIBULK_MAX 10
#define RESP_UNAUTH_BULK_MAX 16384

typedef enum resp_status {
    RESP_NEED_MORE = 0, /* no complete request yet: call again with more bytes */
    RESP_REQUEST,       /* one request in p->argv[0..argc) */
    RESP_ERROR          /* protocol violation: p->error, p->reason */
} resp_status;

typedef enum resp_state {
    RESP_ST_START = 0, /* between requests */
    RESP_ST_INLINE,    /* waiting for the end of an inline line */
    RESP_ST_COUNT,     /* waiting for the end of "*<count>" */
    RESP_ST_BULK_LEN,  /* waiting for the end of "$<len>" */
    RESP_ST_BULK_DATA  /* waiting for <len> bytes + 2 */
} resp_state;

typedef enum resp_reqtype { RESP_REQ_NONE = 0, RESP_REQ_INLINE, RESP_REQ_MULTIBULK } resp_reqtype;

/* Limits, read on every call so configuration changes apply at once. */
typedef struct resp_limits {
    long long max_bulk_len;      /* proto-max-bulk-len */
    long long max_multibulk_len; /* RESP_MULTIBULK_MAX_DEFAULT */
    size_t max_inline_len;       /* RESP_INLINE_MAX_DEFAULT */
    int unauthenticated;         /* apply the RESP_UNAUTH_* limits */
} resp_limits;

/* One argument of a complete request. ptr points into the caller's buffer
 * (multibulk) or into the parser (inline); both stay valid until the next
 * resp_parse/resp_parser_reset/resp_parser_free call. */
typedef struct resp_arg {
    const char *ptr;
    size_t len;
    size_t off; /* multibulk: offset from the request's first byte */
} resp_arg;

typedef struct resp_parser {
    resp_state state;
    resp_reqtype reqtype;
    long long remaining; /* multibulk arguments still to read */
    long long bulklen;   /* length of the bulk being read, -1 if none */
    size_t pos;          /* bytes of the current request parsed so far */
    size_t start;        /* after RESP_REQUEST: offset in buf of its first byte */
    size_t scan;         /* where the terminator search resumes */
    int argc;
    int argv_cap;
    resp_arg *argv;
    kstr *inline_argv; /* owned; the words of an inline request */
    int inline_argc;
    /* After RESP_ERROR: the reply, e.g. "ERR Protocol error: invalid bulk
     * length" (for add_reply_error), and a short reason for the log. */
    const char *error;
    const char *reason;
    char errbuf[48];
} resp_parser;

void resp_parser_init(resp_parser *p);
/* Forgets any partial request (keeps allocated memory for reuse). */
void resp_parser_reset(resp_parser *p);
/* Releases every allocation; the parser is as after resp_parser_init. */
void resp_parser_free(resp_parser *p);
/* Releases the argument array when between requests (idle clients). */
void resp_parser_trim(resp_parser *p);

/*
 * Parses at most one request from buf[0..len).
 *   RESP_REQUEST: p->argc arguments in p->argv; *consumed is the number of
 *     leading bytes of buf that are done with (empty requests before it
 *     included): the next call starts at buf + *consumed.
 *   RESP_NEED_MORE: *consumed leading bytes (empty requests) are done with;
 *     the partial request starting there is remembered.
 *   RESP_ERROR: p->error says why; the parser must be reset before reuse.
 */
resp_status resp_parse(resp_parser *p, const char *buf, size_t len, const resp_limits *lim,
                       size_t *consumed);

/* Bytes still missing to complete the bulk being read when len bytes of
 * the current request are buffered; 0 when not inside a bulk payload.
 * Lets a reader size big reads exactly. */
size_t resp_parser_bulk_missing(const resp_parser *p, size_t len);
/* Length of the bulk being read, or -1. */
long long resp_parser_bulk_len(const resp_parser *p);
/* Heap bytes held by the parser (query buffer accounting). */
size_t resp_parser_memory(const resp_parser *p);

#endif
