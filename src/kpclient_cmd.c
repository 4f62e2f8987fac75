/* Commands to RESP: "*<argc>\r\n" then "$<len>\r\n<bytes>\r\n" per argument. */
#include <stdio.h>
#include <string.h>

#include "kpclient.h"
#include "kstr.h"

static size_t digits(size_t v) {
    size_t n = 1;
    while (v >= 10) {
        v /= 10;
        n++;
    }
    return n;
}

char *kpc_format_argv(char *buf, int argc, const char *const *argv, const size_t *lens) {
    kstr s = buf ? buf : kstr_empty();
    size_t total = 1 + digits((size_t)argc) + 2;
    for (int i = 0; i < argc; i++) {
        size_t len = lens ? lens[i] : strlen(argv[i]);
        total += 1 + digits(len) + 2 + len + 2;
    }
    s = kstr_reserve(s, total);
    char *p = s + kstr_len(s);
    p += sprintf(p, "*%d\r\n", argc);
    for (int i = 0; i < argc; i++) {
        size_t len = lens ? lens[i] : strlen(argv[i]);
        p += sprintf(p, "$%zu\r\n", len);
        memcpy(p, argv[i], len);
        p += len;
        *p++ = '\r';
        *p++ = '\n';
    }
    kstr_incr_len(s, total);
    return s;
}
