/*
 * Blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...): a client blocks on keys
 * with a timeout; writers that may satisfy it call signal_key_as_ready(), and
 * before the event loop sleeps the server serves ready keys to blocked
 * clients in the order they blocked (Redis' fairness rule), re-running
 * their commands.
 */
#ifndef KEYPORT_BLOCKED_H
#define KEYPORT_BLOCKED_H

#include "server.h"

/* Marks key as possibly able to serve clients blocked on it (type is the
 * value type that was pushed: OBJ_LIST, OBJ_ZSET). Cheap when nobody waits. */
void signal_key_as_ready(kdb *db, kobj *key, int type);

#endif
