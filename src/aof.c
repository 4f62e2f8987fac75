/*
 * The AOF's life cycle: opening at startup, turning it on and off at
 * runtime (CONFIG SET appendonly), the cron (everysec fsync, retries of
 * failed writes, scheduled and automatic rewrites), MISCONF, INFO and
 * shutdown. Writing is in aof_write.c, loading in aof_load.c, rewrites in
 * aof_rewrite.c and aof_base.c, the manifest in aof_manifest.c.
 *
 * Threading: main thread.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aof_internal.h"
#include "persist.h"

/* A file size limit (RLIMIT_FSIZE) must show up as a write error (EFBIG)
 * that the AOF reports and recovers from, not kill the server. */
static void ignore_sigxfsz(void) {
    signal(SIGXFSZ, SIG_IGN);
}

/* Temporary files of a rewrite or a manifest update that a crash left in
 * appenddirname; nothing writes them before the AOF is opened. */
static void remove_stale_temp_files(void) {
    DIR *d = opendir(server.aof_dirname);
    if (!d) return;
    kstr incr = aof_temp_incr_name();
    kstr manifest = aof_manifest_name();
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        int stale = !strncmp(n, "temp-rewriteaof-", 16) || !strcmp(n, incr) ||
                    (!strncmp(n, "temp-", 5) && !strcmp(n + 5, manifest));
        if (!stale) continue;
        kstr path = aof_path(n);
        if (unlink(path) == 0) server_log(LL_NOTICE, "Removed the stale temporary file %s", path);
        kstr_free(path);
    }
    closedir(d);
    kstr_free(incr);
    kstr_free(manifest);
}

int aof_open_at_startup(char *err, size_t errlen) {
    if (!server.appendonly) return C_OK;
    if (aof.fd != -1) return C_OK;
    ignore_sigxfsz();
    if (!aof.buf) aof.buf = kstr_empty();
    if (aof_ensure_manifest(err, errlen) != C_OK) return C_ERR;
    if (aof_mkdir() == -1) {
        snprintf(err, errlen, "Can't open or create append-only dir %s: %s", server.aof_dirname,
                 strerror(errno));
        return C_ERR;
    }
    remove_stale_temp_files();
    int had_incr = aof.am->incr_count > 0;
    /* No AOF yet: the dataset (empty, or loaded from the RDB file) becomes
     * the first base. */
    if (!aof.am->base && !had_incr && aof_base_create_now(err, errlen) != C_OK) return C_ERR;
    aof_manifest *am = aof_manifest_dup(aof.am);
    const char *name = had_incr ? am->incr[am->incr_count - 1]->name : aof_manifest_new_incr(am);
    kstr path = aof_path(name);
    int fd = open(path, O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd == -1) {
        snprintf(err, errlen, "Can't open the append-only file %s: %s", path, strerror(errno));
        kstr_free(path);
        aof_manifest_release(am);
        return C_ERR;
    }
    kstr_free(path);
    if (aof_manifest_persist(am) != C_OK) {
        snprintf(err, errlen, "Can't write the AOF manifest: %s", strerror(errno));
        close(fd);
        aof_manifest_release(am);
        return C_ERR;
    }
    server_log(LL_NOTICE, "%s AOF incr file %s on server start", had_incr ? "Opening" : "Creating",
               name);
    aof_manifest_release(aof.am);
    aof.am = am;
    aof.fd = fd;
    long long sz = aof_file_size(name);
    aof.last_incr_size = sz > 0 ? sz : 0;
    if (!aof.loaded) {
        /* aof_load did not run: sizes from the files themselves. */
        long long total = 0;
        if (am->base) {
            long long b = aof_file_size(am->base->name);
            aof.base_size = b > 0 ? b : 0;
            total += aof.base_size;
        }
        for (int i = 0; i < am->incr_count; i++) {
            long long s = aof_file_size(am->incr[i]->name);
            if (s > 0) total += s;
        }
        aof.current_size = total;
    } else if (!had_incr) {
        aof.current_size = aof.base_size;
    }
    aof.fsync_offset = aof.current_size;
    aof.state = AOF_STATE_ON;
    aof.selected_db = -1;
    aof.last_fsync = server.unixtime;
    aof_delete_history();
    return C_OK;
}

/* ---------- turning it on and off ---------- */

int aof_start(char *err, size_t errlen) {
    if (aof.state != AOF_STATE_OFF) return C_OK;
    ignore_sigxfsz();
    if (aof_ensure_manifest(err, errlen) != C_OK) return C_ERR;
    if (!aof.buf) aof.buf = kstr_empty();
    aof.state = AOF_STATE_WAIT_REWRITE;
    if (child_active_type() != CHILD_TYPE_NONE && aof.rewrite_pid == -1) {
        aof.rewrite_scheduled = 1;
        server_log(LL_WARNING, "AOF was enabled but there is already another background "
                               "operation. An AOF background was scheduled to start when "
                               "possible.");
    } else if (aof_in_transaction()) {
        aof.rewrite_scheduled = 1;
        server_log(LL_WARNING, "AOF was enabled during a transaction. An AOF background was "
                               "scheduled to start when possible.");
    } else {
        /* A rewrite already running does not capture what comes next. */
        if (aof.rewrite_pid != -1) {
            server_log(LL_WARNING, "AOF was enabled but there is already an AOF rewriting in "
                                   "background. Stopping background AOF and starting a rewrite "
                                   "now.");
            aof_rewrite_kill();
        }
        char why[512];
        if (aof_rewrite_start(why, sizeof(why)) != C_OK) {
            aof.state = AOF_STATE_OFF;
            snprintf(err, errlen, "can't start the first AOF rewrite: %s", why);
            return C_ERR;
        }
    }
    aof.last_fsync = server.unixtime;
    if (aof_bio_errno()) {
        server_log(LL_WARNING, "AOF reopen, just ignore the AOF fsync error in bio job");
        aof_bio_clear_error();
    }
    if (aof.last_write_status == C_ERR) {
        server_log(LL_WARNING, "AOF reopen, just ignore the last error.");
        aof.last_write_status = C_OK;
    }
    return C_OK;
}

void aof_stop(void) {
    if (aof.state == AOF_STATE_OFF) return;
    int was_waiting = aof.state == AOF_STATE_WAIT_REWRITE;
    if (aof.fd != -1) {
        aof_flush(1);
        aof_fsync_now();
        aof_bio_drain();
        close(aof.fd);
        aof.fd = -1;
    }
    aof.state = AOF_STATE_OFF;
    aof.selected_db = -1;
    aof.rewrite_scheduled = 0;
    aof.last_incr_size = 0;
    aof_rewrite_kill();
    aof_discard_buffer();
    if (was_waiting) {
        kstr name = aof_temp_incr_name();
        kstr path = aof_path(name);
        unlink(path);
        kstr_free(name);
        kstr_free(path);
    }
}

int aof_config_apply_appendonly(const char *name, char *err, size_t errlen) {
    (void)name;
    if (server.appendonly && aof.state == AOF_STATE_OFF)
        return aof_start(err, errlen) == C_OK ? 0 : -1;
    if (!server.appendonly && aof.state != AOF_STATE_OFF) aof_stop();
    return 0;
}

/* ---------- periodic work ---------- */

void aof_cron(void) {
    aof_rewrite_cron();
    if (aof.state == AOF_STATE_OFF) return;
    /* A write postponed behind a slow everysec fsync. */
    if (aof.flush_postponed_start) aof_flush(0);
    /* Retry a failed write about once per second; everysec: also the
     * fsync of data that has been quiet for a second. */
    if (server.mstime - aof.last_retry_ms >= 1000) {
        aof.last_retry_ms = server.mstime;
        if (aof_write_failed() || server.aof_fsync == AOF_FSYNC_EVERYSEC) aof_flush(0);
        /* A failed background fsync is tried again until one succeeds,
         * which clears the error (writes are refused meanwhile). */
        if (aof_bio_errno() && aof_bio_pending() == 0 && aof.fd != -1) aof_bio_fsync(aof.fd);
    }
}

/* ---------- MISCONF, INFO, shutdown ---------- */

const char *aof_deny_write_error(void) {
    return aof_write_error();
}

kstr aof_info(kstr info) {
    int in_progress = aof.rewrite_pid != -1;
    long long cur = in_progress && aof.rewrite_time_start != -1
                        ? (long long)(time(NULL) - aof.rewrite_time_start)
                        : -1;
    info = kstr_catfmt(info,
                       "aof_enabled:%d\r\n"
                       "aof_rewrite_in_progress:%d\r\n"
                       "aof_rewrite_scheduled:%d\r\n"
                       "aof_last_rewrite_time_sec:%lld\r\n"
                       "aof_current_rewrite_time_sec:%lld\r\n"
                       "aof_last_bgrewrite_status:%s\r\n"
                       "aof_rewrites:%lld\r\n"
                       "aof_rewrites_consecutive_failures:%lld\r\n"
                       "aof_last_write_status:%s\r\n"
                       "aof_last_cow_size:%zu\r\n",
                       aof.state != AOF_STATE_OFF, in_progress, aof.rewrite_scheduled,
                       (long long)aof.rewrite_time_last, cur,
                       aof.lastbgrewrite_status == C_OK ? "ok" : "err", aof.stat_rewrites,
                       aof.stat_rewrites_consecutive_failures, aof_write_failed() ? "err" : "ok",
                       child_last_cow_size(CHILD_TYPE_AOF));
    /* keyport: the reason, while writes fail (Redis only says "err"). */
    if (aof_write_failed())
        info = kstr_catfmt(info, "aof_last_write_error:%s\r\n", strerror(aof_write_errno()));
    if (aof.state == AOF_STATE_OFF) return info;
    return kstr_catfmt(info,
                       "aof_current_size:%lld\r\n"
                       "aof_base_size:%lld\r\n"
                       "aof_pending_rewrite:%d\r\n"
                       "aof_buffer_length:%zu\r\n"
                       "aof_pending_bio_fsync:%lu\r\n"
                       "aof_delayed_fsync:%lu\r\n",
                       aof.current_size, aof.base_size, aof.rewrite_scheduled,
                       aof.buf ? kstr_len(aof.buf) : 0, aof_bio_pending(), aof.delayed_fsync);
}

void aof_on_shutdown(void) {
    if (aof.rewrite_pid != -1) aof_rewrite_kill();
    if (aof.state == AOF_STATE_OFF || aof.fd == -1) return;
    aof_flush(1);
    aof_fsync_now();
    aof_bio_drain();
}
