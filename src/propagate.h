/*
 * Command propagation: every command that changed the dataset is handed
 * to the AOF (and, later, replication) in a deterministic form, with
 * relative times made absolute and random choices made explicit.
 *
 * Threading: main thread.
 */
#ifndef KEYPORT_PROPAGATE_H
#define KEYPORT_PROPAGATE_H

#include "server.h"

/* Queues a command to propagate after the current one (e.g. the DEL of a
 * key found expired). argv is copied (new references). */
void propagate_also(int dbid, kobj **argv, int argc);
/* Replaces what the current command propagates: c->argv becomes argv
 * (the client takes over the references; the old ones are released). */
void propagate_replace_argv(client *c, int argc, kobj **argv);
/* Same, built from C strings. */
void propagate_rewrite_argv(client *c, int argc, ...);
/* Prevents the current command from propagating itself. */
void propagate_prevent(client *c);
/* call() hooks: before and after cmd->proc. */
void propagate_call_begin(client *c);
void propagate_call_end(client *c);
/* The DEL of a key deleted by expiry. */
void propagate_expired_key(kdb *db, kstr key);

#endif
