/* Error-text helpers shared by the TLS plugins. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsc.h"

int tlsc_errf(char *err, size_t errlen, const char *fmt, ...) {
    if (err && errlen) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errlen, fmt, ap);
        va_end(ap);
    }
    return -1;
}

void tlsc_err_append(char *err, size_t errlen, const char *fmt, ...) {
    if (!err || !errlen) return;
    size_t used = strnlen(err, errlen);
    if (used + 3 >= errlen) return;
    if (used) {
        memcpy(err + used, ": ", 3);
        used += 2;
    }
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err + used, errlen - used, fmt, ap);
    va_end(ap);
}
