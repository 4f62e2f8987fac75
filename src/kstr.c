/*
 * kstr (kstr.h): the header sits right before the bytes and comes in four
 * widths, chosen by the capacity it must describe, so a short key costs 3
 * bytes of header and a huge buffer can still grow. The byte just before
 * the string holds the header kind, so every function can find the header
 * from the kstr pointer alone.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kstr.h"
#include "kstr_embed.h"
#include "server.h"
#include "zmalloc.h"

enum kstr_kind { KSTR_8 = 0, KSTR_16 = 1, KSTR_32 = 2, KSTR_64 = 3 };
#define KSTR_KIND_MASK 3
#define KSTR_EMBEDDED 4 /* lives inside another allocation */

struct __attribute__((packed)) kstr_hdr8 {
    uint8_t len, cap;
    uint8_t flags;
};
struct __attribute__((packed)) kstr_hdr16 {
    uint16_t len, cap;
    uint8_t flags;
};
struct __attribute__((packed)) kstr_hdr32 {
    uint32_t len, cap;
    uint8_t flags;
};
struct __attribute__((packed)) kstr_hdr64 {
    uint64_t len, cap;
    uint8_t flags;
};

/* Growth doubles up to this size, then adds this much at a time. */
#define KSTR_MAX_PREALLOC (1024 * 1024)

static void kstr_fatal(const char *what) {
    fprintf(stderr, "kstr: %s\n", what);
    abort();
}

static inline int kind_of(const kstr s) {
    return ((unsigned char)s[-1]) & KSTR_KIND_MASK;
}

static size_t hdr_size(int kind) {
    switch (kind) {
    case KSTR_8: return sizeof(struct kstr_hdr8);
    case KSTR_16: return sizeof(struct kstr_hdr16);
    case KSTR_32: return sizeof(struct kstr_hdr32);
    default: return sizeof(struct kstr_hdr64);
    }
}

static size_t kind_max(int kind) {
    switch (kind) {
    case KSTR_8: return UINT8_MAX;
    case KSTR_16: return UINT16_MAX;
    case KSTR_32: return UINT32_MAX;
    default: return SIZE_MAX;
    }
}

static int kind_for(size_t cap) {
    if (cap <= UINT8_MAX) return KSTR_8;
    if (cap <= UINT16_MAX) return KSTR_16;
    if (cap <= UINT32_MAX) return KSTR_32;
    return KSTR_64;
}

size_t kstr_len(const kstr s) {
    const char *h = s - hdr_size(kind_of(s));
    switch (kind_of(s)) {
    case KSTR_8: return ((const struct kstr_hdr8 *)h)->len;
    case KSTR_16: return ((const struct kstr_hdr16 *)h)->len;
    case KSTR_32: return ((const struct kstr_hdr32 *)h)->len;
    default: return ((const struct kstr_hdr64 *)h)->len;
    }
}

static size_t kstr_cap(const kstr s) {
    const char *h = s - hdr_size(kind_of(s));
    switch (kind_of(s)) {
    case KSTR_8: return ((const struct kstr_hdr8 *)h)->cap;
    case KSTR_16: return ((const struct kstr_hdr16 *)h)->cap;
    case KSTR_32: return ((const struct kstr_hdr32 *)h)->cap;
    default: return ((const struct kstr_hdr64 *)h)->cap;
    }
}

/* Writes len and cap into the header of kind `kind` that ends at s. */
static void set_hdr(char *s, int kind, size_t len, size_t cap, int embedded) {
    char *h = s - hdr_size(kind);
    uint8_t flags = (uint8_t)(kind | (embedded ? KSTR_EMBEDDED : 0));
    switch (kind) {
    case KSTR_8: {
        struct kstr_hdr8 *p = (struct kstr_hdr8 *)h;
        p->len = (uint8_t)len, p->cap = (uint8_t)cap, p->flags = flags;
        break;
    }
    case KSTR_16: {
        struct kstr_hdr16 *p = (struct kstr_hdr16 *)h;
        p->len = (uint16_t)len, p->cap = (uint16_t)cap, p->flags = flags;
        break;
    }
    case KSTR_32: {
        struct kstr_hdr32 *p = (struct kstr_hdr32 *)h;
        p->len = (uint32_t)len, p->cap = (uint32_t)cap, p->flags = flags;
        break;
    }
    default: {
        struct kstr_hdr64 *p = (struct kstr_hdr64 *)h;
        p->len = len, p->cap = cap, p->flags = flags;
        break;
    }
    }
}

void kstr_set_len(kstr s, size_t len) {
    set_hdr(s, kind_of(s), len, kstr_cap(s), kstr_is_embedded(s));
    s[len] = '\0';
}

int kstr_is_embedded(const kstr s) {
    return (((unsigned char)s[-1]) & KSTR_EMBEDDED) != 0;
}

/* A fresh heap string of kind fitting cap, capacity rounded up to what the
 * allocator really gave (within the kind's limit). */
static kstr alloc_kstr(size_t cap, size_t len) {
    int kind = kind_for(cap);
    size_t hs = hdr_size(kind);
    if (cap > SIZE_MAX - hs - 1) kstr_fatal("string size overflow");
    char *h = zmalloc(hs + cap + 1);
    size_t usable = zmalloc_size(h) - hs - 1;
    if (usable > kind_max(kind)) usable = kind_max(kind);
    kstr s = h + hs;
    set_hdr(s, kind, len, usable, 0);
    return s;
}

kstr kstr_new(const void *data, size_t len) {
    kstr s = alloc_kstr(len, len);
    if (data)
        memcpy(s, data, len);
    else
        memset(s, 0, len);
    s[len] = '\0';
    return s;
}

kstr kstr_from(const char *cstr) {
    return kstr_new(cstr, cstr ? strlen(cstr) : 0);
}

kstr kstr_empty(void) {
    return kstr_new("", 0);
}

kstr kstr_dup(const kstr s) {
    return kstr_new(s, kstr_len(s));
}

kstr kstr_from_ll(long long v) {
    char buf[LONG_STR_SIZE];
    int n = ll2string(buf, sizeof(buf), v);
    return kstr_new(buf, (size_t)n);
}

void kstr_free(kstr s) {
    if (!s) return;
    if (kstr_is_embedded(s)) kstr_fatal("kstr_free on an embedded string");
    zfree(s - hdr_size(kind_of(s)));
}

size_t kstr_avail(const kstr s) {
    return kstr_cap(s) - kstr_len(s);
}

size_t kstr_alloc_size(const kstr s) {
    size_t hs = hdr_size(kind_of(s));
    if (kstr_is_embedded(s)) return hs + kstr_cap(s) + 1;
    return zmalloc_size(s - hs);
}

size_t kstr_embed_size(size_t len) {
    return sizeof(struct kstr_hdr8) + len + 1;
}

kstr kstr_embed(void *buf, const void *data, size_t len) {
    if (len > UINT8_MAX) kstr_fatal("embedded string too long");
    kstr s = (char *)buf + sizeof(struct kstr_hdr8);
    set_hdr(s, KSTR_8, len, len, 1);
    if (data)
        memcpy(s, data, len);
    else
        memset(s, 0, len);
    s[len] = '\0';
    return s;
}

/* Moves s into an allocation able to hold newcap bytes. */
static kstr regrow(kstr s, size_t newcap) {
    if (kstr_is_embedded(s)) kstr_fatal("resizing an embedded string");
    size_t len = kstr_len(s);
    int oldkind = kind_of(s), newkind = kind_for(newcap);
    if (oldkind == newkind) {
        size_t hs = hdr_size(newkind);
        if (newcap > SIZE_MAX - hs - 1) kstr_fatal("string size overflow");
        char *h = zrealloc(s - hs, hs + newcap + 1);
        size_t usable = zmalloc_size(h) - hs - 1;
        if (usable > kind_max(newkind)) usable = kind_max(newkind);
        s = h + hs;
        set_hdr(s, newkind, len, usable, 0);
        return s;
    }
    kstr n = alloc_kstr(newcap, len);
    memcpy(n, s, len + 1);
    kstr_free(s);
    return n;
}

kstr kstr_reserve(kstr s, size_t addlen) {
    if (kstr_avail(s) >= addlen) return s;
    size_t len = kstr_len(s);
    if (addlen > SIZE_MAX - len - 64) kstr_fatal("string size overflow");
    size_t newcap = len + addlen;
    if (newcap < KSTR_MAX_PREALLOC)
        newcap *= 2;
    else
        newcap += KSTR_MAX_PREALLOC;
    return regrow(s, newcap);
}

void kstr_incr_len(kstr s, size_t n) {
    size_t len = kstr_len(s);
    if (n > kstr_cap(s) - len) kstr_fatal("kstr_incr_len past the capacity");
    kstr_set_len(s, len + n);
}

kstr kstr_cat(kstr s, const void *data, size_t len) {
    size_t cur = kstr_len(s);
    s = kstr_reserve(s, len);
    memcpy(s + cur, data, len);
    kstr_set_len(s, cur + len);
    return s;
}

kstr kstr_cat_cstr(kstr s, const char *cstr) {
    return kstr_cat(s, cstr, strlen(cstr));
}

kstr kstr_cat_kstr(kstr s, const kstr t) {
    return kstr_cat(s, t, kstr_len(t));
}

kstr kstr_catvfmt(kstr s, const char *fmt, va_list ap) {
    char stackbuf[512];
    va_list cp;
    va_copy(cp, ap);
    int n = vsnprintf(stackbuf, sizeof(stackbuf), fmt, cp);
    va_end(cp);
    if (n < 0) return s;
    if ((size_t)n < sizeof(stackbuf)) return kstr_cat(s, stackbuf, (size_t)n);
    size_t cur = kstr_len(s);
    s = kstr_reserve(s, (size_t)n);
    va_copy(cp, ap);
    vsnprintf(s + cur, (size_t)n + 1, fmt, cp);
    va_end(cp);
    kstr_set_len(s, cur + (size_t)n);
    return s;
}

kstr kstr_catfmt(kstr s, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    s = kstr_catvfmt(s, fmt, ap);
    va_end(ap);
    return s;
}

kstr kstr_cat_repr(kstr s, const char *p, size_t len) {
    s = kstr_reserve(s, len + 2);
    s = kstr_cat(s, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)p[i];
        switch (ch) {
        case '\\': s = kstr_cat(s, "\\\\", 2); break;
        case '"': s = kstr_cat(s, "\\\"", 2); break;
        case '\n': s = kstr_cat(s, "\\n", 2); break;
        case '\r': s = kstr_cat(s, "\\r", 2); break;
        case '\t': s = kstr_cat(s, "\\t", 2); break;
        case '\a': s = kstr_cat(s, "\\a", 2); break;
        case '\b': s = kstr_cat(s, "\\b", 2); break;
        default:
            if (isprint(ch))
                s = kstr_cat(s, &p[i], 1);
            else
                s = kstr_catfmt(s, "\\x%02x", ch);
            break;
        }
    }
    return kstr_cat(s, "\"", 1);
}

kstr kstr_copy(kstr s, const void *data, size_t len) {
    kstr_set_len(s, 0);
    return kstr_cat(s, data, len);
}

void kstr_range(kstr s, long start, long end) {
    long len = (long)kstr_len(s);
    if (len == 0) return;
    if (start < 0) start = len + start < 0 ? 0 : len + start;
    if (end < 0) end = len + end < 0 ? 0 : len + end;
    long newlen = (start > end) ? 0 : end - start + 1;
    if (newlen != 0) {
        if (start >= len) {
            newlen = 0;
        } else if (end >= len) {
            end = len - 1;
            newlen = end - start + 1;
        }
    }
    if (start && newlen) memmove(s, s + start, (size_t)newlen);
    kstr_set_len(s, (size_t)newlen);
}

void kstr_consume(kstr s, size_t n) {
    size_t len = kstr_len(s);
    if (n >= len) {
        kstr_set_len(s, 0);
        return;
    }
    memmove(s, s + n, len - n);
    kstr_set_len(s, len - n);
}

void kstr_clear(kstr s) {
    kstr_set_len(s, 0);
}

void kstr_tolower(kstr s) {
    size_t len = kstr_len(s);
    for (size_t i = 0; i < len; i++) s[i] = (char)tolower((unsigned char)s[i]);
}

kstr kstr_shrink(kstr s) {
    if (kstr_is_embedded(s)) kstr_fatal("resizing an embedded string");
    size_t len = kstr_len(s);
    if (kstr_cap(s) == len) return s;
    int kind = kind_for(len);
    if (kind == kind_of(s)) return regrow(s, len);
    kstr n = kstr_new(s, len);
    kstr_free(s);
    return n;
}

int kstr_cmp(const kstr a, const kstr b) {
    size_t la = kstr_len(a), lb = kstr_len(b);
    int c = memcmp(a, b, la < lb ? la : lb);
    if (c) return c;
    return la < lb ? -1 : (la > lb ? 1 : 0);
}

static int hex_value(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Token states of kstr_split_args. */
enum split_state { SPLIT_PLAIN, SPLIT_DQUOTE, SPLIT_SQUOTE };

/* Reads one argument starting at *pp (not a blank). Returns the argument,
 * or NULL on unbalanced quotes or a closing quote glued to more text. */
static kstr split_one(const char **pp) {
    const char *p = *pp;
    enum split_state st = SPLIT_PLAIN;
    kstr cur = kstr_empty();
    for (;;) {
        switch (st) {
        case SPLIT_PLAIN:
            if (*p == '\0' || isspace((unsigned char)*p)) {
                *pp = p;
                return cur;
            }
            if (*p == '"')
                st = SPLIT_DQUOTE;
            else if (*p == '\'')
                st = SPLIT_SQUOTE;
            else
                cur = kstr_cat(cur, p, 1);
            p++;
            break;
        case SPLIT_DQUOTE:
            if (*p == '\0') goto fail;
            if (*p == '\\' && p[1] == 'x' && hex_value(p[2]) >= 0 && hex_value(p[3]) >= 0) {
                char b = (char)(hex_value(p[2]) * 16 + hex_value(p[3]));
                cur = kstr_cat(cur, &b, 1);
                p += 4;
            } else if (*p == '\\' && p[1] != '\0') {
                char b;
                switch (p[1]) {
                case 'n': b = '\n'; break;
                case 'r': b = '\r'; break;
                case 't': b = '\t'; break;
                case 'b': b = '\b'; break;
                case 'a': b = '\a'; break;
                default: b = p[1]; break;
                }
                cur = kstr_cat(cur, &b, 1);
                p += 2;
            } else if (*p == '"') {
                /* The closing quote must end the argument. */
                if (p[1] != '\0' && !isspace((unsigned char)p[1])) goto fail;
                *pp = p + 1;
                return cur;
            } else {
                cur = kstr_cat(cur, p, 1);
                p++;
            }
            break;
        case SPLIT_SQUOTE:
            if (*p == '\0') goto fail;
            if (*p == '\\' && p[1] == '\'') {
                cur = kstr_cat(cur, "'", 1);
                p += 2;
            } else if (*p == '\'') {
                if (p[1] != '\0' && !isspace((unsigned char)p[1])) goto fail;
                *pp = p + 1;
                return cur;
            } else {
                cur = kstr_cat(cur, p, 1);
                p++;
            }
            break;
        }
    }
fail:
    kstr_free(cur);
    return NULL;
}

kstr *kstr_split_args(const char *line, int *argc) {
    const char *p = line;
    kstr *argv = NULL;
    int n = 0, cap = 0;
    *argc = 0;
    for (;;) {
        while (*p && isspace((unsigned char)*p)) p++;
        if (*p == '\0') break;
        kstr arg = split_one(&p);
        if (!arg) {
            kstr_free_argv(argv, n);
            *argc = 0;
            return NULL;
        }
        if (n == cap) {
            cap = cap ? cap * 2 : 8;
            argv = zrealloc(argv, sizeof(kstr) * (size_t)cap);
        }
        argv[n++] = arg;
    }
    /* Always a non-NULL array for success, even with no arguments. */
    if (!argv) argv = zmalloc(sizeof(kstr));
    *argc = n;
    return argv;
}

void kstr_free_argv(kstr *argv, int argc) {
    if (!argv) return;
    for (int i = 0; i < argc; i++) kstr_free(argv[i]);
    zfree(argv);
}
