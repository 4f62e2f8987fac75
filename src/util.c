/*
 * Number and string helpers declared in server.h: conversions with Redis'
 * exact acceptance rules (clients see the same "not an integer" errors),
 * glob matching for KEYS/SCAN, clocks, randomness and size parsing.
 * All functions are thread-safe.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "server.h"

/* Longest text accepted as a long double (Redis' MAX_LONG_DOUBLE_CHARS). */
#define MAX_LONG_DOUBLE_CHARS (5 * 1024)

int string2ll(const char *s, size_t len, long long *value) {
    const char *p = s;
    size_t left = len;
    int negative = 0;
    unsigned long long v;

    if (len == 0 || len >= LONG_STR_SIZE) return 0;
    if (len == 1 && p[0] == '0') {
        if (value) *value = 0;
        return 1;
    }
    if (p[0] == '-') {
        negative = 1;
        p++, left--;
        if (left == 0) return 0;
    }
    /* No leading zeros, signs or blanks: the first digit is 1-9. */
    if (p[0] < '1' || p[0] > '9') return 0;
    v = (unsigned long long)(p[0] - '0');
    p++, left--;
    while (left > 0) {
        if (p[0] < '0' || p[0] > '9') return 0;
        unsigned long long d = (unsigned long long)(p[0] - '0');
        if (v > (ULLONG_MAX - d) / 10) return 0;
        v = v * 10 + d;
        p++, left--;
    }
    if (negative) {
        if (v > (unsigned long long)LLONG_MAX + 1) return 0;
        if (value) *value = (long long)(0ULL - v);
    } else {
        if (v > (unsigned long long)LLONG_MAX) return 0;
        if (value) *value = (long long)v;
    }
    return 1;
}

int string2l(const char *s, size_t len, long *value) {
    long long ll;
    if (!string2ll(s, len, &ll)) return 0;
    if (ll < LONG_MIN || ll > LONG_MAX) return 0;
    if (value) *value = (long)ll;
    return 1;
}

int string2ld(const char *s, size_t len, long double *value) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    char *end;
    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (isspace((unsigned char)buf[0])) return 0;
    errno = 0;
    long double v = strtold(buf, &end);
    if (end != buf + len) return 0;
    if (errno == ERANGE && (v == HUGE_VALL || v == -HUGE_VALL || fpclassify(v) == FP_ZERO))
        return 0;
    if (isnan(v)) return 0;
    if (value) *value = v;
    return 1;
}

int string2d(const char *s, size_t len, double *value) {
    char buf[MAX_LONG_DOUBLE_CHARS];
    char *end;
    if (len == 0 || len >= sizeof(buf)) return 0;
    memcpy(buf, s, len);
    buf[len] = '\0';
    if (isspace((unsigned char)buf[0])) return 0;
    errno = 0;
    double v = strtod(buf, &end);
    if (end != buf + len) return 0;
    if (errno == ERANGE && (v == HUGE_VAL || v == -HUGE_VAL || fpclassify(v) == FP_ZERO)) return 0;
    if (isnan(v)) return 0;
    if (value) *value = v;
    return 1;
}

int ull2string(char *dst, size_t dstlen, unsigned long long v) {
    char tmp[LONG_STR_SIZE];
    int n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    if ((size_t)n + 1 > dstlen) {
        if (dstlen) dst[0] = '\0';
        return 0;
    }
    for (int i = 0; i < n; i++) dst[i] = tmp[n - 1 - i];
    dst[n] = '\0';
    return n;
}

int ll2string(char *dst, size_t dstlen, long long v) {
    if (v >= 0) return ull2string(dst, dstlen, (unsigned long long)v);
    if (dstlen < 2) {
        if (dstlen) dst[0] = '\0';
        return 0;
    }
    unsigned long long mag = 0ULL - (unsigned long long)v;
    int n = ull2string(dst + 1, dstlen - 1, mag);
    if (n == 0) {
        dst[0] = '\0';
        return 0;
    }
    dst[0] = '-';
    return n + 1;
}

int ld2string(char *buf, size_t len, long double value, int humanfriendly) {
    int l;
    if (isinf(value)) {
        /* Strings like "inf" would not parse back everywhere; keep them
         * short and explicit. */
        const char *txt = value > 0 ? "inf" : "-inf";
        l = (int)strlen(txt);
        if ((size_t)l + 1 > len) return 0;
        memcpy(buf, txt, (size_t)l + 1);
        return l;
    }
    if (humanfriendly) {
        /* Fixed point with 17 digits, then trailing zeros (and a bare '.')
         * trimmed: what INCRBYFLOAT returns and stores. */
        l = snprintf(buf, len, "%.17Lf", value);
        if (l < 0 || (size_t)l + 1 > len) return 0;
        if (strchr(buf, '.')) {
            while (l > 0 && buf[l - 1] == '0') l--;
            if (l > 0 && buf[l - 1] == '.') l--;
        }
        if (l == 2 && buf[0] == '-' && buf[1] == '0') {
            buf[0] = '0';
            l = 1;
        }
        buf[l] = '\0';
        return l;
    }
    l = snprintf(buf, len, "%.17Lg", value);
    if (l < 0 || (size_t)l + 1 > len) return 0;
    return l;
}

int d2string(char *buf, size_t len, double value) {
    int l;
    if (isnan(value)) {
        l = snprintf(buf, len, "nan");
    } else if (isinf(value)) {
        l = snprintf(buf, len, value > 0 ? "inf" : "-inf");
    } else if (value == 0) {
        l = snprintf(buf, len, signbit(value) ? "-0" : "0");
    } else if (value > -4503599627370495.0 && value < 4503599627370496.0 &&
               value == (double)(long long)value) {
        /* Integral values in the exactly representable range print as
         * integers. */
        return ll2string(buf, len, (long long)value);
    } else {
        l = snprintf(buf, len, "%.17g", value);
    }
    if (l < 0 || (size_t)l + 1 > len) return 0;
    return l;
}

static inline int fold(int c, int nocase) {
    return nocase ? tolower(c) : c;
}

/* Matches one bracket class starting after '[' at *pp (plen bytes left)
 * against c. Advances *pp / *plen past the closing ']' (an unterminated
 * class runs to the end of the pattern). Returns 1 when c is in the set,
 * honouring a leading '^'. */
static int match_class(const char **pp, size_t *plen, unsigned char c, int nocase) {
    const char *p = *pp;
    size_t left = *plen;
    int negate = 0, hit = 0;
    if (left && *p == '^') {
        negate = 1;
        p++, left--;
    }
    while (left) {
        if (*p == '\\' && left >= 2) {
            if ((unsigned char)p[1] == c) hit = 1;
            p += 2, left -= 2;
        } else if (*p == ']') {
            p++, left--;
            break;
        } else if (left >= 3 && p[1] == '-') {
            int lo = (unsigned char)p[0], hi = (unsigned char)p[2], x = c;
            if (lo > hi) {
                int t = lo;
                lo = hi, hi = t;
            }
            if (nocase) lo = tolower(lo), hi = tolower(hi), x = tolower(x);
            if (x >= lo && x <= hi) hit = 1;
            p += 3, left -= 3;
        } else {
            if (fold((unsigned char)*p, nocase) == fold(c, nocase)) hit = 1;
            p++, left--;
        }
    }
    *pp = p;
    *plen = left;
    return negate ? !hit : hit;
}

/* *skip_longer is set when the string ran out while the pattern still
 * needed characters: then trying longer '*' expansions cannot help either,
 * which keeps patterns like "a*a*a*a*b" linear instead of exponential. */
static int match_impl(const char *p, size_t plen, const char *s, size_t slen, int nocase,
                      int *skip_longer, int depth) {
    /* Bounds the recursion depth on pathological patterns (no match). */
    if (depth > 1000) return 0;
    while (plen && slen) {
        switch (*p) {
        case '*':
            while (plen > 1 && p[1] == '*') p++, plen--;
            if (plen == 1) return 1;
            for (size_t i = 0; i < slen; i++) {
                if (match_impl(p + 1, plen - 1, s + i, slen - i, nocase, skip_longer, depth + 1))
                    return 1;
                if (*skip_longer) return 0;
            }
            *skip_longer = 1;
            return 0;
        case '?':
            s++, slen--;
            p++, plen--;
            break;
        case '[':
            p++, plen--;
            if (!match_class(&p, &plen, (unsigned char)*s, nocase)) return 0;
            s++, slen--;
            break;
        case '\\':
            if (plen >= 2) p++, plen--;
            /* the escaped byte is literal */
            __attribute__((fallthrough));
        default:
            if (fold((unsigned char)*p, nocase) != fold((unsigned char)*s, nocase)) return 0;
            s++, slen--;
            p++, plen--;
            break;
        }
    }
    /* Trailing stars match the empty rest. */
    if (slen == 0)
        while (plen && *p == '*') p++, plen--;
    return plen == 0 && slen == 0;
}

int string_match_len(const char *pattern, size_t plen, const char *s, size_t slen, int nocase) {
    int skip_longer = 0;
    return match_impl(pattern, plen, s, slen, nocase, &skip_longer, 0);
}

long long ustime(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000000LL + tv.tv_usec;
}

long long mstime(void) {
    return ustime() / 1000;
}

/* splitmix64, only used when /dev/urandom cannot be read. */
static uint64_t fallback_next(void) {
    static __thread uint64_t state;
    if (state == 0) state = (uint64_t)ustime() ^ ((uint64_t)getpid() << 32) ^ (uintptr_t)&state;
    uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void get_random_bytes(unsigned char *p, size_t len) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        size_t got = 0;
        while (got < len) {
            ssize_t n = read(fd, p + got, len - got);
            if (n <= 0) {
                if (n < 0 && errno == EINTR) continue;
                break;
            }
            got += (size_t)n;
        }
        close(fd);
        if (got == len) return;
        p += got, len -= got;
    }
    while (len) {
        uint64_t r = fallback_next();
        size_t n = len < sizeof(r) ? len : sizeof(r);
        memcpy(p, &r, n);
        p += n, len -= n;
    }
}

void get_random_hex_chars(char *p, size_t len) {
    static const char digits[] = "0123456789abcdef";
    unsigned char *raw = (unsigned char *)p;
    get_random_bytes(raw, len);
    for (size_t i = 0; i < len; i++) p[i] = digits[raw[i] & 0x0f];
}

long long memtoll(const char *p, int *err) {
    const char *u = p;
    long long mul;
    if (err) *err = 0;
    if (*u == '-') u++;
    while (*u && isdigit((unsigned char)*u)) u++;
    if (*u == '\0' || !strcasecmp(u, "b"))
        mul = 1;
    else if (!strcasecmp(u, "k"))
        mul = 1000;
    else if (!strcasecmp(u, "kb"))
        mul = 1024;
    else if (!strcasecmp(u, "m"))
        mul = 1000LL * 1000;
    else if (!strcasecmp(u, "mb"))
        mul = 1024LL * 1024;
    else if (!strcasecmp(u, "g"))
        mul = 1000LL * 1000 * 1000;
    else if (!strcasecmp(u, "gb"))
        mul = 1024LL * 1024 * 1024;
    else
        goto bad;

    size_t digits = (size_t)(u - p);
    char buf[64];
    if (digits == 0 || digits >= sizeof(buf)) goto bad;
    memcpy(buf, p, digits);
    buf[digits] = '\0';
    char *end;
    errno = 0;
    long long val = strtoll(buf, &end, 10);
    if (errno || *end != '\0' || end == buf) goto bad;
    if (val > 0 && val > LLONG_MAX / mul) goto bad;
    if (val < 0 && val < LLONG_MIN / mul) goto bad;
    return val * mul;
bad:
    if (err) *err = 1;
    return 0;
}

void bytes_to_human(char *s, size_t len, unsigned long long n) {
    static const char units[] = "KMGTP";
    double d = (double)n;
    if (n < 1024) {
        snprintf(s, len, "%lluB", n);
        return;
    }
    for (int i = 0; units[i]; i++) {
        d /= 1024;
        if (d < 1024) {
            snprintf(s, len, "%.2f%c", d, units[i]);
            return;
        }
    }
    /* Beyond petabytes: plain bytes, as Redis prints them. */
    snprintf(s, len, "%lluB", n);
}
