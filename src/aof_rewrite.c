/*
 * Background AOF rewrites (BGREWRITEAOF, automatic, the first rewrite of
 * CONFIG SET appendonly yes), as Redis 7.0 does them:
 *   1. the parent writes what is buffered and switches to a new
 *      incremental file, which the manifest names before the fork
 *      (while waiting for the first rewrite: a temporary incremental file
 *      that no manifest names yet);
 *   2. the child writes the dataset as a temporary base file
 *      ("temp-rewriteaof-bg-<pid>.aof" in appenddirname) and exits;
 *   3. aof_rewrite_done() renames it into the next base name, moves the old
 *      base and the incremental files written before the fork to history,
 *      persists the manifest and deletes the history files.
 * A crash at any point leaves a manifest that names complete files only.
 *
 * Threading: main thread (the child part runs in the forked child).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aof_internal.h"
#include "persist.h"

/* After this many failures in a row, automatic rewrites back off (1, 2, 4
 * ... up to 60 minutes), as Redis does; BGREWRITEAOF is not limited. */
#define AOF_REWRITE_LIMIT_THRESHOLD 3
#define AOF_REWRITE_LIMIT_MAX_MINUTES 60

int aof_in_transaction(void) {
    client *c = server.current_client;
    return c && (c->flags & CLIENT_MULTI);
}

/* Switches writing to a new incremental file (see 1. above). */
static int open_new_incr(char *err, size_t errlen) {
    if (aof.state == AOF_STATE_OFF) return C_OK;
    aof_manifest *am = NULL;
    kstr name;
    if (aof.state == AOF_STATE_WAIT_REWRITE) {
        name = aof_temp_incr_name();
    } else {
        am = aof_manifest_dup(aof.am);
        name = kstr_from(aof_manifest_new_incr(am));
    }
    kstr path = aof_path(name);
    int fd = open(path, O_WRONLY | O_TRUNC | O_CREAT | O_APPEND, 0644);
    int rc = C_ERR;
    if (fd == -1) {
        snprintf(err, errlen, "Can't open the append-only file %s: %s", name, strerror(errno));
        server_log(LL_WARNING, "%s", err);
        goto done;
    }
    if (am && aof_manifest_persist(am) != C_OK) {
        snprintf(err, errlen, "Can't persist the AOF manifest: %s", strerror(errno));
        close(fd);
        unlink(path);
        goto done;
    }
    server_log(LL_NOTICE, "Creating AOF incr file %s on background rewrite", name);
    if (aof.fd != -1) {
        /* always: already durable; everysec / no: the fsync may lag. */
        aof_bio_fsync_and_close(aof.fd);
        aof.fsync_offset = aof.current_size;
        aof.last_fsync = server.unixtime;
    }
    aof.fd = fd;
    aof.last_incr_size = 0;
    if (am) {
        aof_manifest_release(aof.am);
        aof.am = am;
        am = NULL;
    }
    rc = C_OK;
done:
    aof_manifest_release(am);
    kstr_free(name);
    kstr_free(path);
    return rc;
}

int aof_rewrite_start(char *err, size_t errlen) {
    if (child_active_type() != CHILD_TYPE_NONE) {
        snprintf(err, errlen, "ERR another child process is active");
        return C_ERR;
    }
    if (aof_ensure_manifest(err, errlen) != C_OK) {
        server_log(LL_WARNING, "%s", err);
        aof.lastbgrewrite_status = C_ERR;
        return C_ERR;
    }
    if (aof_mkdir() == -1) {
        snprintf(err, errlen, "Can't open or create append-only dir %s: %s", server.aof_dirname,
                 strerror(errno));
        server_log(LL_WARNING, "%s", err);
        aof.lastbgrewrite_status = C_ERR;
        return C_ERR;
    }
    /* The next command fed after the switch starts with a SELECT. */
    aof.selected_db = -1;
    aof_flush(1);
    if (open_new_incr(err, errlen) != C_OK) {
        aof.lastbgrewrite_status = C_ERR;
        return C_ERR;
    }
    aof.stat_rewrites++;
    int rdb = server.aof_use_rdb_preamble;
    pid_t pid = child_fork(CHILD_TYPE_AOF);
    if (pid == 0) {
        kstr tmp = aof_temp_base_name(getpid());
        int ok = aof_base_write_file(tmp, rdb) == C_OK;
        if (ok) server_log(LL_NOTICE, "Successfully created the temporary AOF base file %s", tmp);
        kstr_free(tmp);
        child_exit(ok);
    }
    if (pid == -1) {
        snprintf(err, errlen, "Can't rewrite append only file in background: fork: %s",
                 strerror(errno));
        server_log(LL_WARNING, "%s", err);
        aof.lastbgrewrite_status = C_ERR;
        return C_ERR;
    }
    server_log(LL_NOTICE, "Background append only file rewriting started by pid %ld", (long)pid);
    aof.rewrite_pid = pid;
    aof.rewrite_rdb = rdb;
    aof.rewrite_scheduled = 0;
    aof.rewrite_time_start = time(NULL);
    return C_OK;
}

static void remove_temp_base(pid_t pid) {
    kstr name = aof_temp_base_name(pid);
    kstr path = aof_path(name);
    unlink(path);
    kstr_free(name);
    kstr_free(path);
}

static void remove_temp_incr(void) {
    kstr name = aof_temp_incr_name();
    kstr path = aof_path(name);
    unlink(path);
    kstr_free(name);
    kstr_free(path);
}

/* Installs the finished base (3. above). C_OK or C_ERR (logged). */
static int install_rewrite(pid_t pid) {
    aof_manifest *am = aof_manifest_dup(aof.am);
    const char *base = aof_manifest_new_base(am, aof.rewrite_rdb);
    kstr tmpname = aof_temp_base_name(pid);
    kstr tmppath = aof_path(tmpname);
    kstr basepath = aof_path(base);
    kstr incrpath = NULL;
    int rc = C_ERR;
    if (rename(tmppath, basepath) == -1) {
        server_log(LL_WARNING, "Error trying to rename the temporary AOF base file %s into %s: %s",
                   tmpname, base, strerror(errno));
        goto done;
    }
    server_log(LL_NOTICE, "Successfully renamed the temporary AOF base file %s into %s", tmpname,
               base);
    if (aof.state == AOF_STATE_WAIT_REWRITE) {
        kstr tmpincr = aof_temp_incr_name();
        kstr tmpincrpath = aof_path(tmpincr);
        const char *incr = aof_manifest_new_incr(am);
        incrpath = aof_path(incr);
        int r = rename(tmpincrpath, incrpath);
        if (r == -1)
            server_log(LL_WARNING,
                       "Error trying to rename the temporary AOF incr file %s into %s: %s", tmpincr,
                       incr, strerror(errno));
        else
            server_log(LL_NOTICE, "Successfully renamed the temporary AOF incr file %s into %s",
                       tmpincr, incr);
        kstr_free(tmpincr);
        kstr_free(tmpincrpath);
        if (r == -1) {
            unlink(basepath);
            kstr_free(incrpath);
            incrpath = NULL;
            goto done;
        }
    }
    /* The incremental files written before the fork are in the new base;
     * the one written now (when the AOF is on) stays. */
    aof_manifest_incr_to_history(am, aof.fd != -1);
    if (aof_manifest_persist(am) != C_OK) {
        unlink(basepath);
        if (incrpath) unlink(incrpath);
        goto done;
    }
    aof_manifest_release(aof.am);
    aof.am = am;
    am = NULL;
    if (aof.fd != -1) {
        long long base_size = aof_file_size(base);
        aof.selected_db = -1;
        aof.current_size = (base_size > 0 ? base_size : 0) + aof.last_incr_size;
        aof.base_size = aof.current_size;
        aof.fsync_offset = aof.current_size;
        aof.last_fsync = server.unixtime;
    }
    aof_delete_history();
    rc = C_OK;
done:
    aof_manifest_release(am);
    kstr_free(tmpname);
    kstr_free(tmppath);
    kstr_free(basepath);
    kstr_free(incrpath);
    return rc;
}

void aof_rewrite_done(int exitcode, int bysignal) {
    pid_t pid = aof.rewrite_pid;
    if (pid == -1) return; /* not ours, or already handled */
    aof.rewrite_pid = -1;
    int ok = 0, aborted = aof.rewrite_killing || bysignal == SIGUSR1;
    if (aborted) {
        /* Stopped on purpose (appendonly no, shutdown): not a failure. */
        server_log(LL_NOTICE, "Background AOF rewrite stopped");
    } else if (!bysignal && exitcode == 0) {
        server_log(LL_NOTICE, "Background AOF rewrite terminated with success");
        ok = install_rewrite(pid) == C_OK;
    } else if (!bysignal) {
        server_log(LL_WARNING, "Background AOF rewrite terminated with error");
    } else {
        server_log(LL_WARNING, "Background AOF rewrite terminated by signal %d", bysignal);
    }
    if (ok) {
        aof.lastbgrewrite_status = C_OK;
        aof.stat_rewrites_consecutive_failures = 0;
        server_log(LL_NOTICE, "Background AOF rewrite finished successfully");
        if (aof.state == AOF_STATE_WAIT_REWRITE) aof.state = AOF_STATE_ON;
    } else if (!aborted) {
        aof.lastbgrewrite_status = C_ERR;
        aof.stat_rewrites_consecutive_failures++;
    }
    remove_temp_base(pid);
    if (aof.state == AOF_STATE_WAIT_REWRITE) {
        /* What was written meanwhile is useless without the base: the next
         * attempt starts over from a new snapshot. */
        aof_discard_buffer();
        if (aof.fd != -1) {
            close(aof.fd);
            aof.fd = -1;
        }
        remove_temp_incr();
        aof.rewrite_scheduled = 1;
    }
    if (aof.rewrite_time_start != -1) aof.rewrite_time_last = time(NULL) - aof.rewrite_time_start;
    aof.rewrite_time_start = -1;
}

void aof_rewrite_kill(void) {
    if (aof.rewrite_pid == -1) return;
    server_log(LL_NOTICE, "Killing running AOF rewrite child: %ld", (long)aof.rewrite_pid);
    aof.rewrite_killing = 1;
    /* child_kill() reaps it and calls aof_rewrite_done(). */
    if (child_active_type() == CHILD_TYPE_AOF && child_pid() == aof.rewrite_pid) child_kill();
    if (aof.rewrite_pid != -1) aof_rewrite_done(1, SIGUSR1);
    aof.rewrite_killing = 0;
}

/* Automatic rewrites back off after repeated failures. */
static int rewrite_limited(void) {
    static int next_delay_minutes;
    static time_t next_rewrite_time;
    if (aof.stat_rewrites_consecutive_failures < AOF_REWRITE_LIMIT_THRESHOLD) {
        next_delay_minutes = 0;
        next_rewrite_time = 0;
        return 0;
    }
    if (next_rewrite_time != 0) {
        if (server.unixtime < next_rewrite_time) return 1;
        next_rewrite_time = 0;
        return 0;
    }
    next_delay_minutes = next_delay_minutes == 0 ? 1 : next_delay_minutes * 2;
    if (next_delay_minutes > AOF_REWRITE_LIMIT_MAX_MINUTES)
        next_delay_minutes = AOF_REWRITE_LIMIT_MAX_MINUTES;
    next_rewrite_time = server.unixtime + next_delay_minutes * 60;
    server_log(LL_WARNING,
               "Background AOF rewrite has repeatedly failed and triggered the limit, will retry "
               "in %d minutes",
               next_delay_minutes);
    return 1;
}

/* Scheduled and automatic rewrites, from aof_cron. */
void aof_rewrite_cron(void) {
    char err[256];
    if (child_active_type() != CHILD_TYPE_NONE) return;
    if (aof.rewrite_scheduled && !rewrite_limited()) {
        if (aof_rewrite_start(err, sizeof(err)) != C_OK) aof.stat_rewrites_consecutive_failures++;
        return;
    }
    if (aof.state != AOF_STATE_ON || server.aof_rewrite_perc <= 0) return;
    if (aof.current_size <= server.aof_rewrite_min_size) return;
    long long base = aof.base_size ? aof.base_size : 1;
    long long growth = (aof.current_size * 100 / base) - 100;
    if (growth >= server.aof_rewrite_perc && !rewrite_limited()) {
        server_log(LL_NOTICE, "Starting automatic rewriting of AOF on %lld%% growth", growth);
        if (aof_rewrite_start(err, sizeof(err)) != C_OK) aof.stat_rewrites_consecutive_failures++;
    }
}

int aof_rewrite_background(char *err, size_t errlen) {
    if (aof.rewrite_pid != -1) {
        snprintf(err, errlen, "ERR Background append only file rewriting already in progress");
        return C_ERR;
    }
    if (child_active_type() != CHILD_TYPE_NONE || aof_in_transaction()) {
        aof.rewrite_scheduled = 1;
        /* Asked for by hand: try at once, whatever failed before. */
        aof.stat_rewrites_consecutive_failures = 0;
        return C_OK;
    }
    if (aof_rewrite_start(err, errlen) != C_OK) {
        snprintf(err, errlen,
                 "ERR Can't execute an AOF background rewriting. Please check the server logs "
                 "for more information.");
        return C_ERR;
    }
    return C_OK;
}
