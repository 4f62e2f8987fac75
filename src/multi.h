/*
 * Transactions (MULTI EXEC DISCARD WATCH UNWATCH): the hooks the dispatcher,
 * the keyspace and the client code call. Main thread only.
 */
#ifndef KEYPORT_MULTI_H
#define KEYPORT_MULTI_H

#include "server.h"

/* Called by process_command once the command passed the checks: inside
 * MULTI it refuses CMD_NO_MULTI commands (flagging the transaction) or
 * queues the command and replies +QUEUED, and returns 1; it returns 0 when
 * the command must run now (not in MULTI, or EXEC DISCARD MULTI WATCH QUIT
 * RESET). */
int multi_process_command(client *c);
/* A command was refused while queueing (unknown, arity, ...): EXEC will
 * reply EXECABORT. No-op outside MULTI. */
void multi_flag_transaction(client *c);
/* Drops the queued commands and the WATCHed keys (client freed, RESET). */
void multi_client_reset(client *c);
/* CLIENT LIST: queued commands (-1 outside MULTI) and their memory. */
long multi_queued_count(client *c);
size_t multi_queued_memory(client *c);

/* WATCH invalidation: key in db was written (signal_modified_key). */
void multi_touch_watched_key(kdb *db, kobj *key);
/* db is about to be emptied (FLUSHDB, FLUSHALL): clients watching a key
 * that exists in it become dirty. */
void multi_touch_watched_keys_flushed(kdb *db);
/* db1 and db2 are about to swap contents (SWAPDB): clients watching a key
 * that exists in either become dirty. */
void multi_touch_watched_keys_swapped(kdb *db1, kdb *db2);

#endif
