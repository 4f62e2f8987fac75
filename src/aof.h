/*
 * Append-only file in Redis 7's multi-part layout: a manifest, one base
 * file (RDB or AOF format) and incremental AOF files in appenddirname.
 *
 * Threading: main thread; fsyncs for appendfsync everysec run on a
 * background thread.
 */
#ifndef KEYPORT_AOF_H
#define KEYPORT_AOF_H

#include "server.h"

/* Appends one command executed in database dbid (a SELECT first when the
 * database changed). No-op when the AOF is off or a dataset is loading. */
void aof_feed(int dbid, kobj **argv, int argc);
/* Writes what was fed since the last call and fsyncs it with appendfsync
 * always; called before replies are written, so an acknowledged write is
 * on disk. */
void aof_flush_before_sleep(void);
/* Once per cron tick: everysec fsync, retry of a failed write, automatic
 * rewrite (auto-aof-rewrite-percentage / min-size). */
void aof_cron(void);
/* Loads the AOF named by the manifest into server.db. Returns C_OK (also
 * when there is no AOF yet), or C_ERR with err set (offset and reason).
 * With no AOF yet, loads the RDB file (dbfilename) when there is one;
 * aof_open_at_startup() then writes that dataset as the first base. */
int aof_load(char *err, size_t errlen);
/* Opens (creating if needed) the AOF at startup when appendonly is yes;
 * call it after aof_load(). C_OK, or C_ERR with err set. */
int aof_open_at_startup(char *err, size_t errlen);
/* BGREWRITEAOF; C_OK when started or scheduled, C_ERR with err set. */
int aof_rewrite_background(char *err, size_t errlen);
/* A rewrite child ended (persist.c reaps it). */
void aof_rewrite_done(int exitcode, int bysignal);
/* Config apply hook of appendonly: turns the AOF on (with a rewrite) or
 * off at runtime. 0 or -1 with err set. */
int aof_config_apply_appendonly(const char *name, char *err, size_t errlen);
/* Non-NULL error reply ("MISCONF Errors writing to the AOF file: ...",
 * without the leading '-') while the last AOF write or fsync failed. */
const char *aof_deny_write_error(void);
/* Appends the aof_* fields of INFO persistence. */
kstr aof_info(kstr info);
/* Shutdown: writes and fsyncs what is buffered. */
void aof_on_shutdown(void);
/* DEBUG LOADAOF: flush, empty the dataset and load the AOF again. */
int aof_debug_reload(char *err, size_t errlen);

#endif
