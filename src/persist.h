/*
 * Persistence control: forked children (BGSAVE, AOF rewrite), SAVE and
 * BGSAVE, save points, LASTSAVE, MISCONF refusals, INFO persistence, the
 * startup load and the save on shutdown.
 *
 * Threading: main thread. Only one child runs at a time, as in Redis.
 */
#ifndef KEYPORT_PERSIST_H
#define KEYPORT_PERSIST_H

#include <sys/types.h>

#include "server.h"

#define CHILD_TYPE_NONE 0
#define CHILD_TYPE_RDB 1
#define CHILD_TYPE_AOF 2

/* Forks a child of the given type. Returns the pid in the parent, 0 in the
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

/* SAVE in the foreground; C_OK or C_ERR (logged). */
int persist_save_now(void);
/* BGSAVE; C_OK when started, C_ERR with err set (e.g. a child runs). */
int persist_bgsave(char *err, size_t errlen);

/* Called once per cron tick: reaps the child, runs save points and
 * scheduled BGSAVEs, lets the AOF trigger its automatic rewrite. */
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
