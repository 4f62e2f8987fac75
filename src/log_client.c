/*
 * The log for the client tools (keyport-cli, keyport-benchmark): the
 * connection framework and transport plugins report through server_log();
 * a tool shows warnings on stderr and drops the chatter. Replaces log.c,
 * which needs the server's state.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"

void server_log(int level, const char *fmt, ...) {
    if ((level & ~LL_RAW) < LL_WARNING) return;
    va_list ap;
    va_start(ap, fmt);
    fputs("keyport: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

void log_reopen(void) {}

void server_panic(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "keyport: internal error at %s:%d: ", file, line);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    abort();
}
