/*
 * Server log in Redis' line format, so existing log tooling keeps working:
 *   <pid>:<role> <dd Mon yyyy hh:mm:ss.mmm> <level char> <message>
 * Level chars: '.' debug, '-' verbose, '*' notice, '#' warning.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "persist.h"
#include "server.h"

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static FILE *log_fp;      /* NULL: stdout */
static char *log_fp_path; /* path log_fp was opened from */

static FILE *log_target(void) {
    const char *want = server.logfile && server.logfile[0] ? server.logfile : NULL;
    if (!want) {
        if (log_fp) fclose(log_fp);
        log_fp = NULL;
        free(log_fp_path);
        log_fp_path = NULL;
        return stdout;
    }
    if (log_fp && log_fp_path && strcmp(log_fp_path, want) == 0) return log_fp;
    FILE *fp = fopen(want, "a");
    if (!fp) return stdout;
    if (log_fp) fclose(log_fp);
    log_fp = fp;
    free(log_fp_path);
    log_fp_path = strdup(want);
    return log_fp;
}

void log_reopen(void) {
    pthread_mutex_lock(&log_lock);
    if (log_fp) fclose(log_fp);
    log_fp = NULL;
    free(log_fp_path);
    log_fp_path = NULL;
    log_target();
    pthread_mutex_unlock(&log_lock);
}

static void log_raw(int level, const char *msg) {
    static const char marks[] = ".-*#";
    int raw = level & LL_RAW;
    level &= 0xff;
    if (level < server.verbosity) return;
    if (level < LL_DEBUG || level > LL_WARNING) level = LL_WARNING;

    pthread_mutex_lock(&log_lock);
    FILE *fp = log_target();
    if (raw) {
        fprintf(fp, "%s", msg);
    } else {
        struct timeval tv;
        char when[64];
        struct tm tm;
        gettimeofday(&tv, NULL);
        localtime_r(&tv.tv_sec, &tm);
        size_t off = strftime(when, sizeof(when), "%d %b %Y %H:%M:%S.", &tm);
        snprintf(when + off, sizeof(when) - off, "%03d", (int)(tv.tv_usec / 1000));
        fprintf(fp, "%d:%c %s %c %s\n", (int)getpid(), child_in_child() ? 'C' : 'M', when,
                marks[level], msg);
    }
    fflush(fp);
    pthread_mutex_unlock(&log_lock);
}

void server_log(int level, const char *fmt, ...) {
    char msg[4096];
    if ((level & 0xff) < server.verbosity) return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    log_raw(level, msg);
}

void server_panic(const char *file, int line, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    server_log(LL_WARNING, "=== KEYPORT BUG REPORT: %s (%s:%d) ===", msg, file, line);
    fprintf(stderr, "keyport: internal error: %s (%s:%d)\n", msg, file, line);
    abort();
}
