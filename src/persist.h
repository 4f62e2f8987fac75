/*
 * Persistence control: forked children (BGSAVE, AOF rewrite), SAVE and
 * BGSAVE, save points, LASTSAVE, MISCONF refusals, INFO persistence, the
 * startup load and the save on shutdown.
 *
 * Threading: main thread. Only one child runs at a time, as in Redis.
 */
#ifndef KEYPORT_PERSIST_H
#define KEYPORT_PERSIST_H

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "server.h"

#define CHILD_TYPE_NONE 0
#define CHILD_TYPE_RDB 1
#define CHILD_TYPE_AOF 2

/* When a child ends, persist_cron() reaps it (child_kill() too, with
 * bysignal SIGUSR1: stopped on purpose, not an error) and calls the
 * handler of its type: the BGSAVE bookkeeping of persist_save.c, or
 * aof_rewrite_done(exitcode, bysignal) for CHILD_TYPE_AOF. While the
 * handler runs, child_pid() and child_active_type() still name the child
 * that ended; they are reset right after.
 *
 * Forks a child of the given type. Returns the pid in the parent, 0 in the
 * child (listeners closed, signals reset), -1 on failure (errno set). */
pid_t child_fork(int type);
/* In the child: reports what copy-on-write cost and exits with status 0
 * (ok) or 1. Never returns. */
void child_exit(int ok);
/* CHILD_TYPE_* of the running child, CHILD_TYPE_NONE when none. */
int child_active_type(void);
pid_t child_pid(void);
/* Kills the running child and waits for it; removes what it was writing. */
void child_kill(void);
/* The errno the last child reported when it failed (child_exit(0)), 0 when
 * it reported none. Valid in the end handlers. */
int child_last_errno(void);
/* In the child, from the code that saves: keys written so far. Cheap
 * enough to call after every key; at most once a second it sends the count
 * and the copy-on-write size to the parent (INFO current_*). No-op in the
 * parent. */
void child_report_progress(long long keys_done);
/* 1 in a forked child (after child_fork() returned 0), else 0. */
int child_in_child(void);
/* Copy-on-write bytes the last successful child of that type reported
 * (INFO rdb_last_cow_size, aof_last_cow_size). */
size_t child_last_cow_size(int type);

/* SAVE in the foreground; C_OK or C_ERR (logged). */
int persist_save_now(void);
/* BGSAVE; C_OK when started, C_ERR with err set (e.g. a child runs). */
int persist_bgsave(char *err, size_t errlen);

/* LASTSAVE: unix time of the last successful save (startup counts as one). */
time_t persist_lastsave(void);
/* Schedules a BGSAVE for when no child runs (BGSAVE SCHEDULE). */
void persist_schedule_bgsave(void);
/* FLUSHALL, as Redis 7.0: kills a BGSAVE child and, when save points are
 * set, saves the (now empty) dataset in the foreground. */
void persist_on_flushall(void);
struct rdb_load_info;
/* After a successful RDB load (startup, DEBUG RELOAD, an AOF preamble):
 * INFO rdb_last_load_keys_loaded / _expired and the "Done loading RDB"
 * log line. */
void persist_record_rdb_load(const struct rdb_load_info *info);
/* INFO stats fields and CONFIG RESETSTAT. */
long long persist_stat_total_forks(void);
long long persist_stat_latest_fork_usec(void);
void persist_stats_reset(void);

/* Called once per cron tick: reaps the child, runs save points and
 * scheduled BGSAVEs (the automatic AOF rewrite is aof_cron()'s). */
void persist_cron(void);
/* Non-NULL (the full error reply, "-MISCONF ...") when writes must be
 * refused because the last background save or an AOF write failed. */
const char *persist_deny_write_error(void);
/* Appends the fields of INFO persistence. */
kstr persist_info(kstr info);
/* Loads the dataset at startup: the AOF when appendonly is yes, else the
 * RDB file. Exits the process with a clear message on a corrupt file. */
void persist_load_at_startup(void);
/* Shutdown: kills a child, flushes the AOF and saves when save points are
 * set or flags say SHUTDOWN_SAVE (not with SHUTDOWN_NOSAVE). Returns
 * C_ERR when saving failed and SHUTDOWN_FORCE was not given. */
int persist_on_shutdown(int flags);

#endif
