/*
 * Incremental RESP2/RESP3 reply parser (see kpclient.h).
 *
 * The parser consumes whole items (one line, or one bulk with its payload)
 * and keeps a stack of the aggregates being filled, so a reply split across
 * many reads is parsed once, item by item, and never re-scanned from its
 * start. Element arrays grow as elements arrive: a hostile length prefix
 * costs nothing until the elements really come.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "kpclient.h"
#include "zmalloc.h"

typedef struct frame {
    kpc_reply *node; /* aggregate being filled; NULL when not built (light) */
    kpc_type type;   /* its type (ATTRIBUTE frames are not counted elements) */
    long long left;  /* elements still expected */
    size_t cap;      /* capacity of node->element */
    int build;       /* elements are stored in node (not in light mode) */
    kpc_reply *attr; /* attribute waiting for the next element */
} frame;

struct kpc_reader {
    char *buf;
    size_t len, pos, cap;
    frame *stack;
    int depth, stack_cap;
    kpc_reply *attr; /* top-level attribute waiting for its reply */
    int light;
    int failed;
    char err[160];
};

kpc_reader *kpc_reader_create(void) {
    kpc_reader *r = zcalloc(sizeof(*r));
    r->cap = 16 * 1024;
    r->buf = zmalloc(r->cap);
    return r;
}

static void drop_stack(kpc_reader *r) {
    /* A node joins its parent only when complete: every frame owns its
     * node, whose elements count only the children stored so far. */
    for (int i = 0; i < r->depth; i++) {
        kpc_reply_free(r->stack[i].attr);
        kpc_reply_free(r->stack[i].node);
    }
    r->depth = 0;
}

void kpc_reader_free(kpc_reader *r) {
    if (!r) return;
    drop_stack(r);
    kpc_reply_free(r->attr);
    zfree(r->stack);
    zfree(r->buf);
    zfree(r);
}

void kpc_reader_set_light(kpc_reader *r, int light) {
    r->light = light;
}

const char *kpc_reader_error(const kpc_reader *r) {
    return r->failed ? r->err : "";
}

static void compact(kpc_reader *r) {
    if (r->pos == 0) return;
    memmove(r->buf, r->buf + r->pos, r->len - r->pos);
    r->len -= r->pos;
    r->pos = 0;
}

char *kpc_reader_space(kpc_reader *r, size_t min, size_t *avail) {
    if (r->cap - r->len < min) {
        compact(r);
        if (r->cap - r->len < min) {
            size_t want = r->cap * 2;
            while (want - r->len < min) want *= 2;
            r->buf = zrealloc(r->buf, want);
            r->cap = want;
        }
    }
    *avail = r->cap - r->len;
    return r->buf + r->len;
}

void kpc_reader_commit(kpc_reader *r, size_t n) {
    r->len += n;
}

void kpc_reader_feed(kpc_reader *r, const char *buf, size_t len) {
    size_t avail;
    char *p = kpc_reader_space(r, len, &avail);
    memcpy(p, buf, len);
    kpc_reader_commit(r, len);
}

const char *kpc_reader_peek(const kpc_reader *r, size_t *len) {
    *len = r->len - r->pos;
    return r->buf + r->pos;
}

void kpc_reader_skip(kpc_reader *r, size_t n) {
    if (n > r->len - r->pos) n = r->len - r->pos;
    r->pos += n;
    if (r->pos == r->len) r->pos = r->len = 0;
}

int kpc_reader_in_reply(const kpc_reader *r) {
    return r->depth > 0 || r->attr != NULL;
}

static int fail(kpc_reader *r, const char *fmt, const char *arg) {
    r->failed = 1;
    snprintf(r->err, sizeof(r->err), fmt, arg);
    return -1;
}

/* Strict decimal long long: optional '-', digits only, no overflow. */
static int parse_ll(const char *s, size_t len, long long *out) {
    if (len == 0 || len > 20) return -1;
    size_t i = 0;
    int neg = 0;
    if (s[0] == '-') {
        neg = 1;
        i = 1;
        if (len == 1) return -1;
    }
    unsigned long long v = 0;
    for (; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') return -1;
        unsigned d = (unsigned)(s[i] - '0');
        if (v > (~0ULL - d) / 10) return -1;
        v = v * 10 + d;
    }
    if (neg) {
        if (v > (unsigned long long)LLONG_MAX + 1ULL) return -1;
        *out = v == (unsigned long long)LLONG_MAX + 1ULL ? LLONG_MIN : -(long long)v;
    } else {
        if (v > (unsigned long long)LLONG_MAX) return -1;
        *out = (long long)v;
    }
    return 0;
}

static kpc_reply *node_new(kpc_type t) {
    kpc_reply *n = zcalloc(sizeof(*n));
    n->type = t;
    return n;
}

static void node_set_str(kpc_reply *n, const char *p, size_t len) {
    n->str = zmalloc(len + 1);
    memcpy(n->str, p, len);
    n->str[len] = '\0';
    n->len = len;
}

/* Result of parsing one item. */
typedef enum item_kind {
    ITEM_MORE = 0, /* incomplete: wait for bytes */
    ITEM_VALUE,    /* a complete value (node may be NULL when not built) */
    ITEM_OPEN,     /* an aggregate with elements: a frame was pushed */
    ITEM_ERROR
} item_kind;

/* Builds nodes for top-level items always; nested ones unless light. */
static int want_node(const kpc_reader *r) {
    return !r->light || r->depth == 0;
}

static int push_frame(kpc_reader *r, kpc_reply *node, int build, kpc_type t, long long count) {
    if (r->depth >= KPC_MAX_DEPTH)
        return fail(r, "protocol error: replies nested deeper than %s levels", "1024");
    if (r->depth == r->stack_cap) {
        r->stack_cap = r->stack_cap ? r->stack_cap * 2 : 8;
        r->stack = zrealloc(r->stack, sizeof(frame) * (size_t)r->stack_cap);
    }
    frame *f = &r->stack[r->depth++];
    f->node = node;
    f->build = build && node != NULL;
    f->type = t;
    f->left = count;
    f->cap = 0;
    f->attr = NULL;
    return 0;
}

static kpc_type aggregate_type(char c) {
    switch (c) {
    case '*': return KPC_ARRAY;
    case '%': return KPC_MAP;
    case '~': return KPC_SET;
    case '>': return KPC_PUSH;
    default: return KPC_ATTRIBUTE;
    }
}

/* Parses the item at r->pos. On ITEM_VALUE, *out is the node (or NULL) and
 * *otype its type. */
static item_kind parse_item(kpc_reader *r, kpc_reply **out, kpc_type *otype) {
    const char *p = r->buf + r->pos;
    size_t avail = r->len - r->pos;
    const char *cr = avail > 1 ? memchr(p + 1, '\r', avail - 1) : NULL;
    if (!cr || (size_t)(cr - p) + 1 >= avail) {
        if (avail > (size_t)KPC_MAX_BULK) {
            fail(r, "protocol error: line longer than %s bytes", "536870912");
            return ITEM_ERROR;
        }
        return ITEM_MORE;
    }
    if (cr[1] != '\n') {
        fail(r, "protocol error: %s", "CR not followed by LF");
        return ITEM_ERROR;
    }
    const char *line = p + 1;
    size_t llen = (size_t)(cr - line);
    size_t item_len = llen + 3; /* type byte + line + CRLF */
    char t = p[0];
    kpc_reply *n = NULL;
    long long v;
    *out = NULL;
    switch (t) {
    case '+':
    case '-':
        if (want_node(r)) {
            n = node_new(t == '+' ? KPC_STATUS : KPC_ERROR);
            node_set_str(n, line, llen);
        }
        *otype = t == '+' ? KPC_STATUS : KPC_ERROR;
        break;
    case '(': {
        size_t i = line[0] == '-' || line[0] == '+' ? 1 : 0;
        int ok = i < llen;
        for (; i < llen; i++)
            if (line[i] < '0' || line[i] > '9') ok = 0;
        if (!ok) {
            fail(r, "protocol error: invalid big number '%.40s'", line);
            return ITEM_ERROR;
        }
        if (want_node(r)) {
            n = node_new(KPC_BIGNUM);
            node_set_str(n, line, llen);
        }
        *otype = KPC_BIGNUM;
        break;
    }
    case ':':
        if (parse_ll(line, llen, &v)) {
            fail(r, "protocol error: invalid integer '%.40s'", line);
            return ITEM_ERROR;
        }
        if (want_node(r)) {
            n = node_new(KPC_INTEGER);
            n->integer = v;
        }
        *otype = KPC_INTEGER;
        break;
    case ',': {
        char tmp[128];
        if (llen == 0 || llen >= sizeof(tmp)) {
            fail(r, "protocol error: invalid double '%.40s'", line);
            return ITEM_ERROR;
        }
        memcpy(tmp, line, llen);
        tmp[llen] = '\0';
        char *end;
        double d;
        if (!strcasecmp(tmp, "inf") || !strcasecmp(tmp, "+inf")) {
            d = INFINITY;
        } else if (!strcasecmp(tmp, "-inf")) {
            d = -INFINITY;
        } else if (!strcasecmp(tmp, "nan") || !strcasecmp(tmp, "-nan")) {
            d = NAN;
        } else {
            errno = 0;
            d = strtod(tmp, &end);
            if (*end || end == tmp) {
                fail(r, "protocol error: invalid double '%.40s'", tmp);
                return ITEM_ERROR;
            }
        }
        if (want_node(r)) {
            n = node_new(KPC_DOUBLE);
            n->dval = d;
            node_set_str(n, line, llen);
        }
        *otype = KPC_DOUBLE;
        break;
    }
    case '#':
        if (llen != 1 || (line[0] != 't' && line[0] != 'f')) {
            fail(r, "protocol error: invalid boolean '%.40s'", line);
            return ITEM_ERROR;
        }
        if (want_node(r)) {
            n = node_new(KPC_BOOL);
            n->integer = line[0] == 't';
        }
        *otype = KPC_BOOL;
        break;
    case '_':
        if (llen != 0) {
            fail(r, "protocol error: invalid null '%.40s'", line);
            return ITEM_ERROR;
        }
        if (want_node(r)) n = node_new(KPC_NIL);
        *otype = KPC_NIL;
        break;
    case '$':
    case '!':
    case '=': {
        if (parse_ll(line, llen, &v) || v < -1 || v > KPC_MAX_BULK) {
            fail(r, "protocol error: invalid bulk length '%.40s'", line);
            return ITEM_ERROR;
        }
        if (v == -1) {
            if (t != '$') {
                fail(r, "protocol error: %s", "null length for a bulk error or verbatim string");
                return ITEM_ERROR;
            }
            if (want_node(r)) n = node_new(KPC_NIL);
            *otype = KPC_NIL;
            break;
        }
        size_t blen = (size_t)v;
        if (avail < item_len + blen + 2) return ITEM_MORE;
        const char *data = p + item_len;
        if (data[blen] != '\r' || data[blen + 1] != '\n') {
            fail(r, "protocol error: %s", "bulk payload not followed by CRLF");
            return ITEM_ERROR;
        }
        kpc_type ty = t == '$' ? KPC_STRING : t == '!' ? KPC_ERROR : KPC_VERBATIM;
        if (ty == KPC_VERBATIM && (blen < 4 || data[3] != ':')) {
            fail(r, "protocol error: %s", "verbatim string without a 3-letter format prefix");
            return ITEM_ERROR;
        }
        if (want_node(r)) {
            n = node_new(ty);
            if (ty == KPC_VERBATIM) {
                memcpy(n->format, data, 3);
                n->format[3] = '\0';
                node_set_str(n, data + 4, blen - 4);
            } else {
                node_set_str(n, data, blen);
            }
        }
        *otype = ty;
        item_len += blen + 2;
        break;
    }
    case '*':
    case '%':
    case '~':
    case '>':
    case '|': {
        if (parse_ll(line, llen, &v) || v < -1 || v > KPC_MAX_ELEMENTS) {
            fail(r, "protocol error: invalid aggregate length '%.40s'", line);
            return ITEM_ERROR;
        }
        if (v == -1) {
            if (t != '*') {
                fail(r, "protocol error: %s", "null length for a map, set, push or attribute");
                return ITEM_ERROR;
            }
            if (want_node(r)) n = node_new(KPC_NIL);
            *otype = KPC_NIL;
            break;
        }
        kpc_type ty = aggregate_type(t);
        long long count = (ty == KPC_MAP || ty == KPC_ATTRIBUTE) ? v * 2 : v;
        int build = want_node(r) && !(r->light && ty == KPC_ATTRIBUTE);
        if (build) {
            n = node_new(ty);
            /* Built nodes count their children as they arrive. */
            n->elements = r->light ? (size_t)count : 0;
        }
        r->pos += item_len;
        if (count == 0) {
            *out = n;
            *otype = ty;
            return ITEM_VALUE;
        }
        /* Light mode keeps the top-level node but not its elements. */
        if (push_frame(r, n, !r->light, ty, count)) {
            kpc_reply_free(n);
            return ITEM_ERROR;
        }
        return ITEM_OPEN;
    }
    default: {
        char what[8];
        snprintf(what, sizeof(what), "\\x%02x", (unsigned char)t);
        fail(r, "protocol error: unexpected byte '%s' where a reply type was expected", what);
        return ITEM_ERROR;
    }
    }
    r->pos += item_len;
    *out = n;
    return ITEM_VALUE;
}

/* Appends a completed value to the innermost frame. */
static void frame_add(frame *f, kpc_reply *v) {
    if (!f->build) {
        kpc_reply_free(v);
        return;
    }
    size_t used = f->node->elements;
    if (used == f->cap) {
        size_t total = used + (size_t)f->left;
        size_t want = f->cap ? f->cap * 2 : 16;
        if (want > total) want = total;
        f->node->element = zrealloc(f->node->element, sizeof(kpc_reply *) * want);
        f->cap = want;
    }
    f->node->element[used] = v;
    f->node->elements = used + 1;
}

int kpc_reader_next(kpc_reader *r, kpc_reply **out) {
    if (r->failed) return -1;
    for (;;) {
        if (r->pos == r->len) {
            r->pos = r->len = 0;
            return 0;
        }
        kpc_reply *v;
        kpc_type vt = KPC_NIL;
        item_kind k = parse_item(r, &v, &vt);
        if (k == ITEM_MORE) return 0;
        if (k == ITEM_ERROR) return -1;
        if (k == ITEM_OPEN) continue;
        /* A value completed: attach it, closing every frame it fills. */
        for (;;) {
            if (r->depth == 0) {
                if (vt == KPC_ATTRIBUTE) {
                    kpc_reply_free(r->attr);
                    r->attr = v;
                    break;
                }
                if (v) {
                    v->attribute = r->attr;
                    r->attr = NULL;
                } else {
                    kpc_reply_free(r->attr);
                    r->attr = NULL;
                }
                *out = v;
                return 1;
            }
            frame *f = &r->stack[r->depth - 1];
            if (vt == KPC_ATTRIBUTE) {
                kpc_reply_free(f->attr);
                f->attr = v;
                break;
            }
            if (v) {
                v->attribute = f->attr;
            } else {
                kpc_reply_free(f->attr);
            }
            f->attr = NULL;
            frame_add(f, v);
            if (--f->left > 0) break;
            v = f->node;
            vt = f->type;
            r->depth--;
        }
    }
}
