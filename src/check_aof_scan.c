/*
 * Scanner of AOF command streams for keyport-check-aof (see check_aof.h).
 *
 * An AOF body is a sequence of RESP arrays of bulk strings
 * ("*<argc>\r\n" then argc times "$<len>\r\n<bytes>\r\n") and '#'
 * annotation lines ("#TS:<unix time>\r\n" with aof-timestamp-enabled).
 * The scanner never allocates argument bytes: it keeps only the first few
 * bytes of a command name to recognise MULTI and EXEC.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "check_aof.h"
#include "zmalloc.h"

#define READ_CHUNK (64 * 1024)
#define HEADER_LINE_MAX 64       /* "*<argc>\r\n" or "$<len>\r\n" */
#define ANNOTATION_LINE_MAX 1024 /* as Redis' AOF_ANNOTATION_LINE_MAX_LEN */
#define NAME_KEEP 8              /* bytes of the command name kept */

/* ---------- buffered reader with absolute offsets ---------- */

typedef struct reader {
    int fd;
    long long base; /* file offset of buf[0] */
    size_t len, pos;
    int eof;
    int err; /* errno of a failed read, 0 */
    unsigned char buf[READ_CHUNK];
} reader;

static long long rd_tell(const reader *r) {
    return r->base + (long long)r->pos;
}

/* 1 when a byte is available, 0 at end of file, -1 on a read error. */
static int rd_fill(reader *r) {
    if (r->pos < r->len) return 1;
    if (r->eof) return 0;
    if (r->err) return -1;
    r->base += (long long)r->len;
    r->len = r->pos = 0;
    for (;;) {
        ssize_t n = pread(r->fd, r->buf, sizeof(r->buf), (off_t)r->base);
        if (n > 0) {
            r->len = (size_t)n;
            return 1;
        }
        if (n == 0) {
            r->eof = 1;
            return 0;
        }
        if (errno != EINTR) {
            r->err = errno;
            return -1;
        }
    }
}

typedef enum line_result {
    LINE_OK,      /* a line ending in '\n' (included) */
    LINE_PARTIAL, /* end of file before the '\n' (possibly no byte at all) */
    LINE_TOO_LONG,
    LINE_IO_ERROR,
} line_result;

/* Reads one line of at most cap - 1 bytes into out (NUL-terminated). */
static line_result rd_line(reader *r, char *out, size_t cap, size_t *len) {
    *len = 0;
    for (;;) {
        int f = rd_fill(r);
        if (f < 0) return LINE_IO_ERROR;
        if (f == 0) {
            out[*len] = '\0';
            return LINE_PARTIAL;
        }
        unsigned char c = r->buf[r->pos++];
        if (*len + 1 >= cap) return LINE_TOO_LONG;
        out[(*len)++] = (char)c;
        if (c == '\n') {
            out[*len] = '\0';
            return LINE_OK;
        }
    }
}

/* Skips up to n bytes, copying the first keep_cap of them into keep.
 * Returns the bytes skipped (less than n at end of file or on an error). */
static long long rd_skip(reader *r, long long n, unsigned char *keep, size_t keep_cap) {
    long long done = 0;
    while (done < n) {
        if (rd_fill(r) <= 0) break;
        size_t avail = r->len - r->pos;
        size_t take = (long long)avail < n - done ? avail : (size_t)(n - done);
        if ((unsigned long long)done < keep_cap) {
            size_t k = keep_cap - (size_t)done < take ? keep_cap - (size_t)done : take;
            memcpy(keep + done, r->buf + r->pos, k);
        }
        r->pos += take;
        done += (long long)take;
    }
    return done;
}

/* ---------- the scanner ---------- */

typedef enum scan_state {
    ST_ITEM,      /* at a command or annotation start, or the end of the file */
    ST_BULK_HEAD, /* at "$<len>\r\n" of the next argument */
    ST_BULK_DATA, /* at the bytes of an argument */
    ST_DONE,
} scan_state;

static void fail(aof_scan_result *r, aof_scan_status status, long long offset, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void fail(aof_scan_result *r, aof_scan_status status, long long offset, const char *fmt,
                 ...) {
    r->status = status;
    r->err_offset = offset;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->err, sizeof(r->err), fmt, ap);
    va_end(ap);
}

typedef enum header_result {
    HDR_OK,
    HDR_BAD_PREFIX,
    HDR_NO_CRLF,
    HDR_BAD_NUMBER,
} header_result;

/* Parses "<prefix><integer>\r\n" (the '\n' included in line) into *v. */
static header_result parse_header(const char *line, size_t len, char prefix, long long *v) {
    if (line[0] != prefix) return HDR_BAD_PREFIX;
    if (len < 3 || line[len - 2] != '\r') return HDR_NO_CRLF;
    size_t i = 1, end = len - 2;
    int neg = 0;
    if (i < end && line[i] == '-') {
        neg = 1;
        i++;
    }
    if (i == end || end - i > 18) return HDR_BAD_NUMBER;
    long long n = 0;
    for (; i < end; i++) {
        if (line[i] < '0' || line[i] > '9') return HDR_BAD_NUMBER;
        n = n * 10 + (line[i] - '0');
    }
    *v = neg ? -n : n;
    return HDR_OK;
}

static const char *printable(int c, char *buf) {
    if (c >= 0x21 && c < 0x7f)
        snprintf(buf, 16, "'%c'", c);
    else
        snprintf(buf, 16, "byte 0x%02x", (unsigned)c & 0xff);
    return buf;
}

/* A header line that could not be read whole: torn at the end of the
 * file, too long, or unreadable. Returns 1 when it was one of those. */
static int header_read_failed(aof_scan_result *r, reader *rd, line_result lr, long long at,
                              const char *what) {
    switch (lr) {
    case LINE_OK: return 0;
    case LINE_PARTIAL:
        fail(r, AOF_SCAN_BAD_TAIL, at, "unexpected end of file in the %s", what);
        return 1;
    case LINE_TOO_LONG: fail(r, AOF_SCAN_BAD_TAIL, at, "%s line too long", what); return 1;
    case LINE_IO_ERROR:
        fail(r, AOF_SCAN_IO_ERROR, at, "read error: %s", strerror(rd->err));
        return 1;
    }
    return 1;
}

static void header_parse_failed(aof_scan_result *r, long long at, header_result h, const char *line,
                                char prefix, const char *what) {
    char c[16];
    switch (h) {
    case HDR_OK: break;
    case HDR_BAD_PREFIX:
        fail(r, AOF_SCAN_BAD_TAIL, at, "expected '%c' (%s), found %s", prefix, what,
             printable((unsigned char)line[0], c));
        break;
    case HDR_NO_CRLF: fail(r, AOF_SCAN_BAD_TAIL, at, "%s not ended by CRLF", what); break;
    case HDR_BAD_NUMBER: fail(r, AOF_SCAN_BAD_TAIL, at, "invalid %s", what); break;
    }
}

/* An annotation line at the current position. Returns the next state. */
static scan_state scan_annotation(reader *rd, aof_scan_result *r, int multi, int use_limit,
                                  long long limit, long long *lines) {
    long long at = rd_tell(rd);
    char line[ANNOTATION_LINE_MAX + 1];
    size_t len;
    switch (rd_line(rd, line, sizeof(line), &len)) {
    case LINE_OK: break;
    case LINE_PARTIAL:
        fail(r, AOF_SCAN_BAD_TAIL, at, "unexpected end of file in an annotation line");
        return ST_DONE;
    case LINE_TOO_LONG:
        fail(r, AOF_SCAN_BAD_TAIL, at, "annotation line longer than %d bytes", ANNOTATION_LINE_MAX);
        return ST_DONE;
    case LINE_IO_ERROR:
        fail(r, AOF_SCAN_IO_ERROR, at, "read error: %s", strerror(rd->err));
        return ST_DONE;
    }
    (*lines)++;
    r->annotations++;
    if (!use_limit || strncmp(line, "#TS:", 4) != 0) return ST_ITEM;

    size_t end = len - 1; /* the '\n' */
    if (end > 4 && line[end - 1] == '\r') end--;
    long long ts = 0;
    size_t i = 4;
    for (; i < end && i < 4 + 18 && line[i] >= '0' && line[i] <= '9'; i++)
        ts = ts * 10 + (line[i] - '0');
    if (i == 4 || i != end) {
        fail(r, AOF_SCAN_BAD_TIMESTAMP, at, "invalid timestamp annotation");
        return ST_DONE;
    }
    if (ts <= limit) return ST_ITEM;
    r->status = AOF_SCAN_TS_CUT;
    r->cut = multi ? r->ok_up_to : at;
    return ST_DONE;
}

void aof_scan(int fd, long long start, int use_limit, long long limit, aof_scan_result *r) {
    memset(r, 0, sizeof(*r));
    r->status = AOF_SCAN_CLEAN;
    r->err_offset = -1;
    r->cut = -1;
    reader *rd = zmalloc(sizeof(*rd));
    rd->fd = fd;
    rd->base = start;
    rd->len = rd->pos = 0;
    rd->eof = rd->err = 0;

    scan_state st = ST_ITEM;
    long long lines = 0;  /* protocol lines read so far */
    long long cmd_at = 0; /* offset of the command being read */
    long long argc = 0;   /* arguments of that command */
    long long argi = 0;   /* arguments read so far */
    long long arglen = 0; /* length of the argument being read */
    int multi = 0;        /* inside MULTI ... EXEC */
    int cmd_multi = 0;    /* the command being read is MULTI (1) or EXEC (2) */
    char line[HEADER_LINE_MAX];
    size_t len;
    header_result h;

    r->ok_up_to = start;
    while (st != ST_DONE) {
        switch (st) {
        case ST_ITEM: {
            if (!multi) {
                r->ok_up_to = rd_tell(rd);
                r->ok_up_to_line = lines;
            }
            int f = rd_fill(rd);
            if (f < 0) {
                fail(r, AOF_SCAN_IO_ERROR, rd_tell(rd), "read error: %s", strerror(rd->err));
                st = ST_DONE;
            } else if (f == 0) {
                if (multi)
                    fail(r, AOF_SCAN_BAD_TAIL, r->ok_up_to,
                         "end of file inside MULTI: the transaction has no EXEC");
                st = ST_DONE;
            } else if (rd->buf[rd->pos] == '#') {
                st = scan_annotation(rd, r, multi, use_limit, limit, &lines);
            } else if (rd->buf[rd->pos] != '*') {
                char c[16];
                fail(r, AOF_SCAN_BAD_TAIL, rd_tell(rd),
                     "expected '*' (a command) or '#' (an annotation), found %s",
                     printable(rd->buf[rd->pos], c));
                st = ST_DONE;
            } else {
                cmd_at = rd_tell(rd);
                if (header_read_failed(r, rd, rd_line(rd, line, sizeof(line), &len), cmd_at,
                                       "argument count")) {
                    st = ST_DONE;
                } else if ((h = parse_header(line, len, '*', &argc)) != HDR_OK) {
                    header_parse_failed(r, cmd_at, h, line, '*', "argument count");
                    st = ST_DONE;
                } else if (argc < 1 || argc > 1024 * 1024 * 1024) {
                    fail(r, AOF_SCAN_BAD_TAIL, cmd_at, "argument count %lld out of range", argc);
                    st = ST_DONE;
                } else {
                    lines++;
                    argi = 0;
                    cmd_multi = 0;
                    st = ST_BULK_HEAD;
                }
            }
            break;
        }
        case ST_BULK_HEAD: {
            long long at = rd_tell(rd);
            if (header_read_failed(r, rd, rd_line(rd, line, sizeof(line), &len), at,
                                   "argument length")) {
                st = ST_DONE;
            } else if ((h = parse_header(line, len, '$', &arglen)) != HDR_OK) {
                header_parse_failed(r, at, h, line, '$', "argument length");
                st = ST_DONE;
            } else if (arglen < 0) {
                fail(r, AOF_SCAN_BAD_TAIL, at, "argument length %lld out of range", arglen);
                st = ST_DONE;
            } else {
                lines++;
                st = ST_BULK_DATA;
            }
            break;
        }
        case ST_BULK_DATA: {
            long long at = rd_tell(rd);
            unsigned char name[NAME_KEEP];
            long long got = rd_skip(rd, arglen, name, sizeof(name));
            unsigned char crlf[2];
            long long got_crlf = got == arglen ? rd_skip(rd, 2, crlf, 2) : 0;
            if (rd->err) {
                fail(r, AOF_SCAN_IO_ERROR, at, "read error: %s", strerror(rd->err));
                st = ST_DONE;
                break;
            }
            if (got < arglen) {
                fail(r, AOF_SCAN_BAD_TAIL, at,
                     "unexpected end of file in an argument: %lld bytes expected, %lld found",
                     arglen, got);
                st = ST_DONE;
                break;
            }
            if (got_crlf < 2) {
                fail(r, AOF_SCAN_BAD_TAIL, at + arglen, "unexpected end of file after an argument");
                st = ST_DONE;
                break;
            }
            if (crlf[0] != '\r' || crlf[1] != '\n') {
                fail(r, AOF_SCAN_BAD_TAIL, at + arglen,
                     "expected CRLF after a %lld-byte argument, found bytes 0x%02x 0x%02x", arglen,
                     crlf[0], crlf[1]);
                st = ST_DONE;
                break;
            }
            lines++;
            if (argi == 0) {
                if (arglen == 5 && !strncasecmp((const char *)name, "multi", 5))
                    cmd_multi = 1;
                else if (arglen == 4 && !strncasecmp((const char *)name, "exec", 4))
                    cmd_multi = 2;
                if (cmd_multi == 1 && multi) {
                    fail(r, AOF_SCAN_BAD_TAIL, cmd_at, "MULTI inside a transaction");
                    st = ST_DONE;
                    break;
                }
                if (cmd_multi == 2 && !multi) {
                    fail(r, AOF_SCAN_BAD_TAIL, cmd_at, "EXEC without MULTI");
                    st = ST_DONE;
                    break;
                }
            }
            if (++argi < argc) {
                st = ST_BULK_HEAD;
                break;
            }
            r->commands++;
            if (cmd_multi == 1) multi = 1;
            if (cmd_multi == 2) multi = 0;
            st = ST_ITEM;
            break;
        }
        case ST_DONE: break;
        }
    }
    zfree(rd);
}
