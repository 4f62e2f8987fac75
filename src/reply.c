/*
 * Building replies: every add_reply_* of server.h for RESP2 and RESP3,
 * deferred aggregate lengths, and the argument helpers that reply on error.
 *
 * Output lands in the client's fixed buffer first, then in the reply block
 * list (networking.c owns both and writes them). CLIENT REPLY OFF/SKIP
 * silences everything except statistics: errors are still counted, as in
 * Redis.
 *
 * Threading: main thread only (clients belong to it).
 */
#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "server.h"

/* Room a deferred length placeholder keeps: "*" + 20 digits + "\r\n". */
#define DEFERRED_ROOM 32

/* ---------- low level ---------- */

/* Is the client accepting replies right now (CLIENT REPLY OFF / SKIP)? */
static int reply_allowed(client *c) {
    return !(c->flags & (CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP));
}

void add_reply_proto(client *c, const char *s, size_t len) {
    if (reply_allowed(c)) reply_append(c, s, len);
}

/* Appends "<prefix><n>\r\n". */
static void add_reply_long_with_prefix(client *c, char prefix, long long n) {
    char buf[LONG_STR_SIZE + 4];
    buf[0] = prefix;
    int len = ll2string(buf + 1, sizeof(buf) - 3, n);
    buf[len + 1] = '\r';
    buf[len + 2] = '\n';
    add_reply_proto(c, buf, (size_t)len + 3);
}

/* ---------- simple types ---------- */

void add_reply_ok(client *c) {
    add_reply_proto(c, "+OK\r\n", 5);
}

void add_reply_status_len(client *c, const char *s, size_t len) {
    if (!reply_allowed(c)) return;
    reply_append(c, "+", 1);
    /* A status line cannot hold CR or LF: they would end the reply early. */
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (s[i] != '\r' && s[i] != '\n') continue;
        reply_append(c, s + start, i - start);
        reply_append(c, " ", 1);
        start = i + 1;
    }
    reply_append(c, s + start, len - start);
    reply_append(c, "\r\n", 2);
}

void add_reply_status(client *c, const char *status) {
    add_reply_status_len(c, status, strlen(status));
}

void add_reply_error_len(client *c, const char *err, size_t len) {
    if (len && err[0] == '-') err++, len--;
    /* Trailing line ends are dropped, inner ones become spaces. */
    while (len && (err[len - 1] == '\r' || err[len - 1] == '\n')) len--;
    char stackbuf[256];
    char *msg = len <= sizeof(stackbuf) ? stackbuf : zmalloc(len);
    memcpy(msg, err, len);
    for (size_t i = 0; i < len; i++)
        if (msg[i] == '\r' || msg[i] == '\n') msg[i] = ' ';
    if (reply_allowed(c)) {
        reply_append(c, "-", 1);
        reply_append(c, msg, len);
        reply_append(c, "\r\n", 2);
    }
    c->last_reply_error = 1;
    stat_count_error(msg, len);
    if (msg != stackbuf) zfree(msg);
}

void add_reply_error(client *c, const char *err) {
    add_reply_error_len(c, err, strlen(err));
}

void add_reply_errorf(client *c, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    kstr s = kstr_catvfmt(kstr_empty(), fmt, ap);
    va_end(ap);
    add_reply_error_len(c, s, kstr_len(s));
    kstr_free(s);
}

static const char *command_display_name(client *c) {
    if (c->cmd && c->cmd->fullname) return c->cmd->fullname;
    if (c->cmd) return c->cmd->name;
    return c->argc ? (const char *)c->argv[0]->ptr : "";
}

void add_reply_error_arity(client *c) {
    add_reply_errorf(c, "ERR wrong number of arguments for '%s' command", command_display_name(c));
}

void add_reply_error_syntax(client *c) {
    add_reply_error(c, "ERR syntax error");
}

void add_reply_error_wrongtype(client *c) {
    add_reply_error(c, "WRONGTYPE Operation against a key holding the wrong kind of value");
}

void add_reply_error_not_integer(client *c) {
    add_reply_error(c, "ERR value is not an integer or out of range");
}

void add_reply_error_subcommand(client *c) {
    kstr up = kstr_new(c->argv[0]->ptr, kstr_len(c->argv[0]->ptr));
    for (size_t i = 0; i < kstr_len(up); i++) up[i] = (char)toupper((unsigned char)up[i]);
    add_reply_errorf(c,
                     "ERR unknown subcommand or wrong number of arguments for '%.128s'. Try %s "
                     "HELP.",
                     c->argc > 1 ? (const char *)c->argv[1]->ptr : "", up);
    kstr_free(up);
}

void add_reply_ll(client *c, long long v) {
    add_reply_long_with_prefix(c, ':', v);
}

void add_reply_null(client *c) {
    if (c->resp >= 3)
        add_reply_proto(c, "_\r\n", 3);
    else
        add_reply_proto(c, "$-1\r\n", 5);
}

void add_reply_null_array(client *c) {
    if (c->resp >= 3)
        add_reply_proto(c, "_\r\n", 3);
    else
        add_reply_proto(c, "*-1\r\n", 5);
}

void add_reply_bool(client *c, int b) {
    if (c->resp >= 3)
        add_reply_proto(c, b ? "#t\r\n" : "#f\r\n", 4);
    else
        add_reply_proto(c, b ? ":1\r\n" : ":0\r\n", 4);
}

/* ---------- bulk strings ---------- */

void add_reply_bulk_buf(client *c, const void *p, size_t len) {
    if (!reply_allowed(c)) return;
    add_reply_long_with_prefix(c, '$', (long long)len);
    reply_append(c, p, len);
    reply_append(c, "\r\n", 2);
}

void add_reply_bulk(client *c, kobj *o) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = string_obj_ptr(o, buf, sizeof(buf), &len);
    add_reply_bulk_buf(c, p, len);
}

void add_reply_bulk_cstr(client *c, const char *s) {
    if (!s)
        add_reply_null(c);
    else
        add_reply_bulk_buf(c, s, strlen(s));
}

void add_reply_bulk_kstr(client *c, kstr s) {
    add_reply_bulk_buf(c, s, kstr_len(s));
    kstr_free(s);
}

void add_reply_bulk_ll(client *c, long long v) {
    char buf[LONG_STR_SIZE];
    int len = ll2string(buf, sizeof(buf), v);
    add_reply_bulk_buf(c, buf, (size_t)len);
}

void add_reply_verbatim(client *c, const char *s, size_t len, const char *ext) {
    if (c->resp < 3) {
        add_reply_bulk_buf(c, s, len);
        return;
    }
    if (!reply_allowed(c)) return;
    char hdr[LONG_STR_SIZE + 8];
    int n = snprintf(hdr, sizeof(hdr), "=%zu\r\n%.3s:", len + 4, ext);
    reply_append(c, hdr, (size_t)n);
    reply_append(c, s, len);
    reply_append(c, "\r\n", 2);
}

/* ---------- numbers ---------- */

void add_reply_double(client *c, double d) {
    char buf[64];
    const char *text;
    int len;
    if (isinf(d)) {
        text = d > 0 ? "inf" : "-inf";
        len = d > 0 ? 3 : 4;
    } else if (isnan(d)) {
        text = "nan";
        len = 3;
    } else {
        len = snprintf(buf, sizeof(buf), "%.17g", d);
        text = buf;
    }
    if (c->resp >= 3) {
        if (!reply_allowed(c)) return;
        reply_append(c, ",", 1);
        reply_append(c, text, (size_t)len);
        reply_append(c, "\r\n", 2);
    } else {
        add_reply_bulk_buf(c, text, (size_t)len);
    }
}

void add_reply_long_double_human(client *c, long double d) {
    char buf[5 * 1024];
    int len = ld2string(buf, sizeof(buf), d, 1);
    if (c->resp >= 3) {
        if (!reply_allowed(c)) return;
        reply_append(c, ",", 1);
        reply_append(c, buf, (size_t)len);
        reply_append(c, "\r\n", 2);
    } else {
        add_reply_bulk_buf(c, buf, (size_t)len);
    }
}

/* ---------- aggregates ---------- */

void add_reply_array_len(client *c, long n) {
    add_reply_long_with_prefix(c, '*', n);
}

void add_reply_map_len(client *c, long n) {
    if (c->resp >= 3)
        add_reply_long_with_prefix(c, '%', n);
    else
        add_reply_long_with_prefix(c, '*', (long long)n * 2);
}

void add_reply_set_len(client *c, long n) {
    add_reply_long_with_prefix(c, c->resp >= 3 ? '~' : '*', n);
}

void add_reply_push_len(client *c, long n) {
    add_reply_long_with_prefix(c, c->resp >= 3 ? '>' : '*', n);
}

void add_reply_help(client *c, const char *const *lines) {
    long n = 0;
    while (lines[n]) n++;
    add_reply_array_len(c, n + 3);
    kstr head = kstr_new(c->argv[0]->ptr, kstr_len(c->argv[0]->ptr));
    for (size_t i = 0; i < kstr_len(head); i++) head[i] = (char)toupper((unsigned char)head[i]);
    head = kstr_cat_cstr(head, " <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
    add_reply_status_len(c, head, kstr_len(head));
    kstr_free(head);
    for (long i = 0; i < n; i++) add_reply_status(c, lines[i]);
    add_reply_status(c, "HELP");
    add_reply_status(c, "    Prints this help.");
}

/*
 * Deferred lengths. The placeholder is a block of its own in the reply
 * list, created empty (size 0, so nothing is appended to it) with room for
 * the longest header; filling it writes the header in place. Replies are
 * only written between commands, so a placeholder is always filled before
 * any byte after it can leave.
 */
void *add_reply_deferred_len(client *c) {
    if (!reply_allowed(c)) return NULL;
    if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) return NULL;
    client_install_write_handler(c);
    reply_block *b = zmalloc(sizeof(reply_block) + DEFERRED_ROOM);
    b->next = NULL;
    b->size = 0;
    b->used = 0;
    if (c->reply_tail)
        c->reply_tail->next = b;
    else
        c->reply_head = b;
    c->reply_tail = b;
    c->reply_blocks++;
    return b;
}

static void set_deferred_len(client *c, void *node, char prefix, long long n) {
    if (!node) return;
    reply_block *b = node;
    char *p = b->buf;
    p[0] = prefix;
    int len = ll2string(p + 1, DEFERRED_ROOM - 3, n);
    p[len + 1] = '\r';
    p[len + 2] = '\n';
    b->size = b->used = (size_t)len + 3;
    c->reply_bytes += b->size;
}

void set_deferred_array_len(client *c, void *node, long n) {
    set_deferred_len(c, node, '*', n);
}

void set_deferred_map_len(client *c, void *node, long n) {
    if (c->resp >= 3)
        set_deferred_len(c, node, '%', n);
    else
        set_deferred_len(c, node, '*', (long long)n * 2);
}

void set_deferred_set_len(client *c, void *node, long n) {
    set_deferred_len(c, node, c->resp >= 3 ? '~' : '*', n);
}

/* ---------- argument helpers ---------- */

/* Replies msg when given, else the default. Redis-style messages without
 * an error code ("timeout is out of range") get "ERR " in front, so both
 * conventions produce a well-formed error. */
static void reply_arg_error(client *c, const char *msg, const char *dflt) {
    if (!msg) {
        add_reply_error(c, dflt);
        return;
    }
    const char *p = msg[0] == '-' ? msg + 1 : msg;
    size_t code = 0;
    while (p[code] >= 'A' && p[code] <= 'Z') code++;
    if (code > 0 && (p[code] == ' ' || p[code] == '\0'))
        add_reply_error(c, p);
    else
        add_reply_errorf(c, "ERR %s", p);
}

int get_ll_from_obj_or_reply(client *c, kobj *o, long long *v, const char *msg) {
    long long value;
    if (obj_get_ll(o, &value) != C_OK) {
        reply_arg_error(c, msg, "ERR value is not an integer or out of range");
        return C_ERR;
    }
    *v = value;
    return C_OK;
}

int get_long_from_obj_or_reply(client *c, kobj *o, long *v, const char *msg) {
    long long value;
    if (get_ll_from_obj_or_reply(c, o, &value, msg) != C_OK) return C_ERR;
    if (value < LONG_MIN || value > LONG_MAX) {
        reply_arg_error(c, msg, "ERR value is out of range");
        return C_ERR;
    }
    *v = (long)value;
    return C_OK;
}

int get_range_long_from_obj_or_reply(client *c, kobj *o, long min, long max, long *v,
                                     const char *msg) {
    long value;
    if (get_long_from_obj_or_reply(c, o, &value, msg) != C_OK) return C_ERR;
    if (value < min || value > max) {
        if (msg)
            reply_arg_error(c, msg, NULL);
        else
            add_reply_errorf(c, "ERR value is out of range, value must between %ld and %ld", min,
                             max);
        return C_ERR;
    }
    *v = value;
    return C_OK;
}

int get_positive_long_from_obj_or_reply(client *c, kobj *o, long *v, const char *msg) {
    return get_range_long_from_obj_or_reply(
        c, o, 0, LONG_MAX, v, msg ? msg : "ERR value is out of range, must be positive");
}

int get_long_double_from_obj_or_reply(client *c, kobj *o, long double *v, const char *msg) {
    long double value;
    if (obj_get_long_double(o, &value) != C_OK) {
        reply_arg_error(c, msg, "ERR value is not a valid float");
        return C_ERR;
    }
    *v = value;
    return C_OK;
}

int get_double_from_obj_or_reply(client *c, kobj *o, double *v, const char *msg) {
    double value;
    if (obj_get_double(o, &value) != C_OK) {
        reply_arg_error(c, msg, "ERR value is not a valid float");
        return C_ERR;
    }
    *v = value;
    return C_OK;
}
