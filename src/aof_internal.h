/*
 * Private interfaces of the AOF files (aof.c, aof_manifest.c,
 * aof_write.c, aof_bio.c, aof_load.c, aof_base.c, aof_rewrite.c,
 * cmd_aof.c).
 *
 * Layout (Redis 7.0): dir/appenddirname holds
 *   <appendfilename>.manifest           the list of parts
 *   <appendfilename>.<seq>.base.rdb     the base, RDB format (or .base.aof,
 *                                       commands, aof-use-rdb-preamble no)
 *   <appendfilename>.<seq>.incr.aof     incremental parts, in seq order
 * Paths are relative to the working directory, which is `dir`.
 *
 * Threading: main thread, except aof_bio_* (safe from any thread) and
 * aof_base_write_commands (also run in the rewrite child).
 */
#ifndef KEYPORT_AOF_INTERNAL_H
#define KEYPORT_AOF_INTERNAL_H

#include <sys/types.h>

#include "aof.h"

/* ---------- state ---------- */

typedef enum aof_state {
    AOF_STATE_OFF,
    AOF_STATE_ON,
    /* CONFIG SET appendonly yes: writes go to a temporary incremental file
     * until the first rewrite installs a base and the manifest names it. */
    AOF_STATE_WAIT_REWRITE
} aof_state;

typedef enum aof_file_type {
    AOF_FILE_BASE = 'b',
    AOF_FILE_HISTORY = 'h',
    AOF_FILE_INCR = 'i'
} aof_file_type;

typedef struct aof_file_info {
    kstr name; /* a plain file name inside appenddirname */
    long long seq;
    aof_file_type type;
} aof_file_info;

/* The manifest in memory. Owns its entries. */
typedef struct aof_manifest {
    aof_file_info *base;  /* NULL when there is none */
    aof_file_info **incr; /* in seq order; the last one is written to */
    int incr_count;
    aof_file_info **history; /* parts replaced by a rewrite, to delete */
    int history_count;
    long long base_seq; /* highest base seq used so far */
    long long incr_seq; /* highest incr seq used so far */
    int dirty;          /* differs from the file on disk */
} aof_manifest;

typedef struct aof_globals {
    aof_state state;
    int fd;                  /* incremental file written to, -1 when none */
    kstr buf;                /* fed, not yet written */
    aof_manifest *am;        /* NULL until read from disk (or created) */
    int selected_db;         /* database of the last command fed, -1: SELECT next */
    long long cur_timestamp; /* last #TS annotation fed */
    /* Sizes: all parts named by the manifest, the base when the last
     * rewrite ended (auto rewrite growth), the file written to, and how
     * much of the total is known to be fsynced. */
    long long current_size;
    long long base_size;
    long long last_incr_size;
    long long fsync_offset;
    time_t last_fsync;
    time_t flush_postponed_start; /* everysec: write waits for a busy fsync */
    unsigned long delayed_fsync;
    /* Write errors (MISCONF, INFO aof_last_write_status). */
    int last_write_status; /* C_OK or C_ERR */
    int last_write_errno;
    time_t last_write_error_log;
    long long last_retry_ms;
    /* appendfsync always: ids of the clients whose commands are in buf,
     * in feeding order, without consecutive repeats. */
    uint64_t *pending_ids;
    size_t pending_count, pending_cap;
    /* Rewrites. */
    int rewrite_scheduled;
    pid_t rewrite_pid;         /* our child, -1 when none */
    int rewrite_rdb;           /* the running child writes an RDB base */
    time_t rewrite_time_start; /* -1 when none runs */
    time_t rewrite_time_last;  /* -1 before the first */
    int lastbgrewrite_status;
    long long stat_rewrites;
    long long stat_rewrites_consecutive_failures;
    int rewrite_killing; /* the child is being stopped on purpose */
    /* aof_load ran: the sizes above are set (aof_open_at_startup
     * computes them itself otherwise). */
    int loaded;
} aof_globals;

extern aof_globals aof;

/* ---------- names and paths (aof_manifest.c) ---------- */

#define AOF_MANIFEST_MAX_LINE 1024

/* "<appenddirname>/<name>" (new kstr). */
kstr aof_path(const char *name);
/* "<appendfilename>.manifest", "temp-<appendfilename>.incr" (new kstr). */
kstr aof_manifest_name(void);
kstr aof_temp_incr_name(void);
/* "temp-rewriteaof-bg-<pid>.aof": the base a rewrite child writes. */
kstr aof_temp_base_name(pid_t pid);
/* Creates appenddirname when missing. 0, or -1 with errno set. */
int aof_mkdir(void);
/* fsync of the directory holding path. 0 or -1 (errno). */
int aof_fsync_dir_of(const char *path);
/* Size of a part in appenddirname; -1 with errno set on failure. */
long long aof_file_size(const char *name);

/* ---------- manifest (aof_manifest.c) ---------- */

aof_manifest *aof_manifest_create(void);
void aof_manifest_release(aof_manifest *am);
aof_manifest *aof_manifest_dup(const aof_manifest *am);
/* Parses a manifest's text. Returns a new manifest, or NULL with err set
 * ("line N: reason"). */
aof_manifest *aof_manifest_parse(const char *text, size_t len, char *err, size_t errlen);
/* The manifest's text: base, history, then incremental parts. */
kstr aof_manifest_format(const aof_manifest *am);
/* Reads appenddirname/<appendfilename>.manifest. Returns 1 with *out set,
 * 0 when the directory or the file does not exist, -1 with err set. */
int aof_manifest_read(aof_manifest **out, char *err, size_t errlen);
/* Writes am when dirty: temp file, fsync, rename, fsync of the directory.
 * C_OK, or C_ERR (logged, errno set); the old manifest stays on failure. */
int aof_manifest_persist(aof_manifest *am);
/* Makes the current base history and names a new base (".base.rdb" when
 * rdb, else ".base.aof"). Returns its name (owned by am). */
const char *aof_manifest_new_base(aof_manifest *am, int rdb);
/* Appends a new incremental part; returns its name (owned by am). */
const char *aof_manifest_new_incr(aof_manifest *am);
/* Moves the incremental parts to history, except the last one when
 * keep_last (it is the file being written). */
void aof_manifest_incr_to_history(aof_manifest *am, int keep_last);
/* Deletes the history files and drops them from the manifest, then
 * persists it. C_OK or C_ERR (the files stay listed). */
int aof_delete_history(void);
/* Loads the manifest from disk into aof.am when not loaded yet (an empty
 * one when there is none). C_OK, or C_ERR with err set. */
int aof_ensure_manifest(char *err, size_t errlen);

/* ---------- writing (aof_write.c) ---------- */

/* Writes aof.buf to aof.fd and fsyncs as appendfsync says. force: write
 * even while an everysec fsync is still running. */
void aof_flush(int force);
/* fsync of aof.fd now, on this thread; C_OK or C_ERR (logged). */
int aof_fsync_now(void);
/* Forgets what is buffered (AOF turned off, a failed first rewrite). */
void aof_discard_buffer(void);
/* The error writers get ("MISCONF ..."), NULL when writes are fine. */
const char *aof_write_error(void);
/* 1 when the last write or background fsync failed; its errno. */
int aof_write_failed(void);
int aof_write_errno(void);

/* ---------- background fsync (aof_bio.c) ---------- */

/* Queue an fdatasync of fd (and a close after it) on the AOF thread. */
void aof_bio_fsync(int fd);
void aof_bio_fsync_and_close(int fd);
/* Jobs queued or running. */
unsigned long aof_bio_pending(void);
/* errno of the last background fsync, 0 when it succeeded. */
int aof_bio_errno(void);
/* Forget a background fsync error (the AOF was reopened). */
void aof_bio_clear_error(void);
/* Blocks until every job is done (shutdown, tests). */
void aof_bio_drain(void);

/* ---------- base files (aof_base.c) ---------- */

/* Writes the dataset to fd as commands (SELECT, SET, RPUSH, SADD, ZADD,
 * HMSET, PEXPIREAT; at most 64 items per command), through a buffer,
 * fsyncing every 4 MiB when aof-rewrite-incremental-fsync. C_OK or C_ERR
 * with errno set. Safe in a forked child. */
int aof_base_write_commands(int fd);
/* Writes the dataset as a base into tmpname (in appenddirname) in the
 * given format, fsyncs and closes it. C_OK or C_ERR (logged, file
 * removed). */
int aof_base_write_file(const char *tmpname, int rdb);
/* Writes the dataset as the new base of aof.am in the foreground (startup)
 * and persists the manifest. C_OK or C_ERR with err set. */
int aof_base_create_now(char *err, size_t errlen);

/* ---------- rewrites and state changes (aof_rewrite.c, aof.c) ---------- */

/* Starts a background rewrite now. C_OK, or C_ERR with err set. */
int aof_rewrite_start(char *err, size_t errlen);
/* 1 while the command being executed runs inside EXEC. */
int aof_in_transaction(void);
/* Scheduled and automatic rewrites (aof_cron). */
void aof_rewrite_cron(void);
/* Kills our rewrite child and removes its temporary base. */
void aof_rewrite_kill(void);
/* CONFIG SET appendonly yes / no. */
int aof_start(char *err, size_t errlen);
void aof_stop(void);

#endif
