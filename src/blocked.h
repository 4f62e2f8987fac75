/*
 * Blocking commands (BLPOP, BLMOVE, BZPOPMIN, ...): a client blocks on keys
 * with a timeout; writers that may satisfy it call signal_key_as_ready(), and
 * before the event loop sleeps the server serves ready keys to blocked
 * clients in the order they blocked (Redis' fairness rule), re-running
 * their commands.
 *
 * Threading: main thread only.
 */
#ifndef KEYPORT_BLOCKED_H
#define KEYPORT_BLOCKED_H

#include "server.h"

/* Marks key as possibly able to serve clients blocked on it (type is the
 * value type that was pushed: OBJ_LIST, OBJ_ZSET). Cheap when nobody waits. */
void signal_key_as_ready(kdb *db, kobj *key, int type);

/* Parses a blocking timeout given in seconds (a float, as Redis 7.0 reads
 * it) into an absolute unix time in ms, 0 meaning "forever". Replies "ERR
 * timeout is not a float or out of range" / "ERR timeout is negative" and
 * returns C_ERR on bad input. */
int get_timeout_from_obj_or_reply(client *c, kobj *o, long long *timeout);

/* Blocks c on keys[0..numkeys) (duplicates are ignored) until one of them
 * holds a value of type btype, or until timeout (absolute ms, 0: never).
 * The command's argv is kept; when a key is ready the command runs again
 * with it, and either serves the client (which is then unblocked) or calls
 * block_for_keys again, which then leaves c blocked where it was in the
 * queues. A command must not call this when c->flags has
 * CLIENT_DENY_BLOCKING (inside EXEC); it replies as on timeout instead. */
void block_for_keys(client *c, kobj **keys, int numkeys, long long timeout, int btype);

/* 1 while c's blocked command runs again because a key it waits on got
 * ready (the command then propagates as Redis does when it serves a
 * blocked client). */
int blocked_is_serving(client *c);

/* Serves the clients blocked on keys signalled ready, then runs the input
 * that unblocked clients sent meanwhile; loops until nothing is left.
 * Called from before_sleep. */
void handle_clients_blocked_on_keys(void);
/* Serves the clients blocked on keys signalled ready (not the input of
 * unblocked clients). Called after each command; no-op when nested. */
void blocked_serve_ready_keys(void);
/* Replies a null array to blocked clients whose timeout passed and
 * unblocks them. Called from before_sleep and the cron. */
void handle_blocked_clients_timeout(void);
/* Unblocks c without a reply (c is going away). No-op when not blocked;
 * also forgets c in the queue of unblocked clients. */
void blocked_client_freed(client *c);
/* CLIENT UNBLOCK: unblocks c with the timeout reply (error == 0) or the
 * "UNBLOCKED client unblocked via CLIENT UNBLOCK" error. Returns 1 if c was
 * blocked. */
int client_unblock_by_request(client *c, int error);
/* Re-examines every key of db that clients wait on (SWAPDB). */
void blocked_scan_db_for_ready_keys(kdb *db);
/* Clients blocked now (INFO blocked_clients), and those of them with a
 * timeout (INFO clients_in_timeout_table). */
unsigned long blocked_clients_count(void);
unsigned long blocked_clients_with_timeout(void);

#endif
