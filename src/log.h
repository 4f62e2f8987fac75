/*
 * Server log. Lines look like Redis' ("pid:role dd Mon yyyy hh:mm:ss.mmm *
 * message") so existing log tooling keeps working. Thread-safe.
 */
#ifndef KEYPORT_LOG_H
#define KEYPORT_LOG_H

#define LL_DEBUG 0
#define LL_VERBOSE 1
#define LL_NOTICE 2
#define LL_WARNING 3
#define LL_RAW (1 << 10) /* no timestamp prefix */

void server_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Applies server.logfile / server.verbosity (re-opens the file). */
void log_reopen(void);
/* Fatal internal error: logs and aborts. */
void server_panic(const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4), noreturn));
#define panic(...) server_panic(__FILE__, __LINE__, __VA_ARGS__)
#define server_assert(e)                                                                           \
    ((e) ? (void)0 : server_panic(__FILE__, __LINE__, "assertion failed: %s", #e))

#endif
