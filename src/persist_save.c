/*
 * RDB snapshots as Redis 7.0 takes them: SAVE in the foreground, BGSAVE in
 * a forked child (BGSAVE SCHEDULE while another child runs), the save
 * points of the `save` directive, the retry delay after a failed BGSAVE,
 * and the MISCONF refusal of writes while the last BGSAVE failed
 * (stop-writes-on-bgsave-error).
 *
 * The file written is `dbfilename` in the working directory (`dir`, which
 * the config chdirs to), read at each save so that CONFIG SET takes effect
 * for the next one. rdb_save_file() makes the write atomic.
 *
 * Threading: main thread (and the BGSAVE child, which only saves).
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aof.h"
#include "persist_internal.h"
#include "rdb.h"

persist_state persist = {
    .lastbgsave_ok = 1,
    .bgsave_start = -1,
    .bgsave_last_sec = -1,
};

/* Redis' exact text: clients match on it. */
static const char misconf_error[] =
    "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
    "to disk. Commands that may modify the data set are disabled, because this instance is "
    "configured to report errors during writes if RDB snapshotting fails "
    "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
    "RDB error.";

int persist_save_now(void) {
    /* rdb_save_file() logs why it failed. */
    if (rdb_save_file(server.dbfilename, RDB_SAVE_NONE) != C_OK) return C_ERR;
    server_log(LL_NOTICE, "DB saved on disk");
    server.dirty = 0;
    persist.lastsave = time(NULL);
    persist.lastbgsave_ok = 1;
    persist.lastbgsave_error[0] = '\0';
    return C_OK;
}

int persist_bgsave(char *err, size_t errlen) {
    switch (child_active_type()) {
    case CHILD_TYPE_NONE: break;
    case CHILD_TYPE_RDB:
        snprintf(err, errlen, "ERR Background save already in progress");
        return C_ERR;
    default:
        snprintf(err, errlen,
                 "ERR Another child process is active (AOF?): can't BGSAVE right now. Use "
                 "BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.");
        return C_ERR;
    }
    persist.rdb_saves++;
    persist.dirty_at_fork = server.dirty;
    persist.lastbgsave_try = time(NULL);
    pid_t pid = child_fork(CHILD_TYPE_RDB);
    if (pid == 0) {
        int ok = rdb_save_file(server.dbfilename, RDB_SAVE_NONE) == C_OK;
        if (ok) server_log(LL_NOTICE, "DB saved on disk");
        child_exit(ok);
    }
    if (pid == -1) {
        persist.lastbgsave_ok = 0;
        snprintf(persist.lastbgsave_error, sizeof(persist.lastbgsave_error), "fork: %s",
                 strerror(errno));
        server_log(LL_WARNING, "Can't save in background: fork: %s", strerror(errno));
        snprintf(err, errlen, "ERR"); /* Redis replies a bare -ERR; the log says why */
        return C_ERR;
    }
    server_log(LL_NOTICE, "Background saving started by pid %ld", (long)pid);
    persist.bgsave_start = time(NULL);
    return C_OK;
}

void persist_rdb_child_done(int exitcode, int bysignal) {
    if (!bysignal && exitcode == 0) {
        server_log(LL_NOTICE, "Background saving terminated with success");
        /* Writes made while the child saved are still unsaved. */
        server.dirty -= persist.dirty_at_fork;
        if (server.dirty < 0) server.dirty = 0;
        persist.lastsave = time(NULL);
        persist.lastbgsave_ok = 1;
        persist.lastbgsave_error[0] = '\0';
    } else if (!bysignal) {
        int err = child_last_errno();
        if (err)
            snprintf(persist.lastbgsave_error, sizeof(persist.lastbgsave_error), "%s",
                     strerror(err));
        else
            snprintf(persist.lastbgsave_error, sizeof(persist.lastbgsave_error),
                     "the saving child exited with status %d", exitcode);
        server_log(LL_WARNING, "Background saving error: %s", persist.lastbgsave_error);
        persist.lastbgsave_ok = 0;
    } else {
        server_log(LL_WARNING, "Background saving terminated by signal %d", bysignal);
        char path[PATH_MAX + 64];
        snprintf(path, sizeof(path), "%s/temp-%d.rdb", child_dir(), (int)child_pid());
        unlink(path);
        /* SIGUSR1 is how keyport stops a child on purpose: not an error. */
        if (bysignal != SIGUSR1) {
            persist.lastbgsave_ok = 0;
            snprintf(persist.lastbgsave_error, sizeof(persist.lastbgsave_error),
                     "the saving child was killed by signal %d", bysignal);
        }
    }
    persist.bgsave_last_sec = persist.bgsave_start >= 0 ? time(NULL) - persist.bgsave_start : -1;
    persist.bgsave_start = -1;
}

/* After a failed BGSAVE, automatic ones wait PERSIST_BGSAVE_RETRY_DELAY. */
static int bgsave_may_retry(void) {
    return persist.lastbgsave_ok ||
           server.unixtime - persist.lastbgsave_try > PERSIST_BGSAVE_RETRY_DELAY;
}

static void check_save_points(void) {
    for (int i = 0; i < server.save_params_count; i++) {
        long long seconds = server.save_params[2 * i];
        long long changes = server.save_params[2 * i + 1];
        if (server.dirty >= changes && server.unixtime - persist.lastsave > seconds &&
            bgsave_may_retry()) {
            server_log(LL_NOTICE, "%lld changes in %lld seconds. Saving...", changes, seconds);
            char err[256]; /* no child runs here: only a failed fork, which is logged */
            persist_bgsave(err, sizeof(err));
            break;
        }
    }
}

void persist_cron(void) {
    if (child_active_type() != CHILD_TYPE_NONE)
        child_check_done();
    else if (!server.loading)
        check_save_points();
    if (child_active_type() == CHILD_TYPE_NONE && persist.bgsave_scheduled && bgsave_may_retry()) {
        char err[256];
        if (persist_bgsave(err, sizeof(err)) == C_OK) persist.bgsave_scheduled = 0;
    }
}

const char *persist_deny_write_error(void) {
    if (server.stop_writes_on_bgsave_err && server.save_params_count > 0 && !persist.lastbgsave_ok)
        return misconf_error;
    return aof_deny_write_error();
}

time_t persist_lastsave(void) {
    return persist.lastsave;
}

void persist_schedule_bgsave(void) {
    persist.bgsave_scheduled = 1;
}

void persist_on_flushall(void) {
    if (child_active_type() == CHILD_TYPE_RDB) child_kill();
    if (server.save_params_count > 0) persist_save_now();
}
