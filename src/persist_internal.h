/*
 * Private interfaces between the persistence control files: child.c (the
 * forked child), persist_save.c (SAVE, BGSAVE, save points, MISCONF),
 * persist_info.c (INFO) and persist.c (startup load, shutdown).
 *
 * Threading: main thread.
 */
#ifndef KEYPORT_PERSIST_INTERNAL_H
#define KEYPORT_PERSIST_INTERNAL_H

#include <time.h>

#include "persist.h"

/* Seconds after a failed BGSAVE before save points or a scheduled BGSAVE
 * try again (Redis' CONFIG_BGSAVE_RETRY_DELAY). */
#define PERSIST_BGSAVE_RETRY_DELAY 5

/* ---------- child.c ---------- */

/* What the running child reported so far. */
typedef struct child_progress {
    size_t cow_bytes;         /* copy-on-write of the last report, 0 when none */
    size_t cow_peak;          /* largest cow_bytes of this child */
    long long cow_updated_ms; /* unix ms of the last report, 0 when none */
    long long keys_processed; /* keys the child wrote so far */
    long long keys_total;     /* keys in the dataset when it forked */
    time_t start;             /* unix time of the fork, 0 when no child runs */
} child_progress;

/* Reads the reports waiting in the child's pipe and fills p (all zero
 * when no child runs). */
void child_get_progress(child_progress *p);
/* Reaps the child when it has ended and calls the handler of its type.
 * Never blocks. */
void child_check_done(void);
/* Working directory when the running child forked (where its temp file
 * lives). */
const char *child_dir(void);
/* CONFIG RESETSTAT: total_forks and latest_fork_usec back to 0. */
void child_reset_fork_stats(void);

/* ---------- persist_save.c ---------- */

/* BGSAVE bookkeeping, shared with INFO and the startup load. */
typedef struct persist_state {
    time_t lastsave;            /* last successful save (startup counts) */
    time_t lastbgsave_try;      /* last BGSAVE attempt, 0 when none */
    int lastbgsave_ok;          /* 1: the last BGSAVE succeeded (or none ran) */
    char lastbgsave_error[128]; /* why it failed (INFO rdb_last_bgsave_error), "" when ok */
    long long dirty_at_fork;    /* server.dirty when the BGSAVE child forked */
    time_t bgsave_start;        /* fork time of the running BGSAVE, -1 when none */
    long long bgsave_last_sec;  /* duration of the last BGSAVE, -1 when none */
    long long rdb_saves;        /* SAVE and BGSAVE attempts (INFO rdb_saves) */
    int bgsave_scheduled;       /* BGSAVE SCHEDULE waits for the running child */
    long long last_load_keys_loaded;
    long long last_load_keys_expired;
    /* Set while a dataset loads (INFO loading_*). */
    time_t loading_start;
    long long loading_total_bytes;
} persist_state;

extern persist_state persist;

/* An RDB child ended (called by child.c). */
void persist_rdb_child_done(int exitcode, int bysignal);

#endif
