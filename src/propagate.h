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
/* Replaces argument i of the current command (i == c->argc appends one);
 * takes a new reference to o, the caller keeps its own. */
void propagate_rewrite_arg(client *c, int i, kobj *o);
/* Replaces the whole argv with argc objects given as varargs (kobj *);
 * each gets a new reference, the callers keep theirs. */
void propagate_rewrite_objs(client *c, int argc, ...);
/* A shared string object for a command or option word ("DEL", "PXAT"):
 * never freed, one per distinct word. */
kobj *propagate_word(const char *word);
/* Prevents the current command from propagating itself (what it queued
 * with propagate_also still goes). */
void propagate_prevent(client *c);
/* Makes the current command propagate even when it changed nothing
 * (FLUSHDB and FLUSHALL on an empty dataset, as Redis). */
void propagate_force(client *c);
/* call() hooks: before and after cmd->proc. */
void propagate_call_begin(client *c);
void propagate_call_end(client *c);
/* The DEL of a key deleted by expiry. */
void propagate_expired_key(kdb *db, kstr key);

#endif
