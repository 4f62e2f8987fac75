/*
 * Keyspace notifications (notify-keyspace-events), published on
 * __keyspace@<db>__:<key> and __keyevent@<db>__:<event> as Redis does.
 * Commands call notify_keyspace_event after every change; the call is cheap
 * when the configured flags exclude the class.
 */
#ifndef KEYPORT_NOTIFY_H
#define KEYPORT_NOTIFY_H

#include "server.h"

#define NOTIFY_KEYSPACE (1 << 0)  /* K */
#define NOTIFY_KEYEVENT (1 << 1)  /* E */
#define NOTIFY_GENERIC (1 << 2)   /* g */
#define NOTIFY_STRING (1 << 3)    /* $ */
#define NOTIFY_LIST (1 << 4)      /* l */
#define NOTIFY_SET (1 << 5)       /* s */
#define NOTIFY_HASH (1 << 6)      /* h */
#define NOTIFY_ZSET (1 << 7)      /* z */
#define NOTIFY_EXPIRED (1 << 8)   /* x */
#define NOTIFY_EVICTED (1 << 9)   /* e */
#define NOTIFY_STREAM (1 << 10)   /* t */
#define NOTIFY_KEY_MISS (1 << 11) /* m (excluded from A) */
#define NOTIFY_MODULE (1 << 12)   /* d */
#define NOTIFY_NEW (1 << 13)      /* n (excluded from A) */
#define NOTIFY_ALL                                                                                 \
    (NOTIFY_GENERIC | NOTIFY_STRING | NOTIFY_LIST | NOTIFY_SET | NOTIFY_HASH | NOTIFY_ZSET |       \
     NOTIFY_EXPIRED | NOTIFY_EVICTED | NOTIFY_STREAM | NOTIFY_MODULE) /* A */

/* Publishes event for key in dbid when type is enabled. */
void notify_keyspace_event(int type, const char *event, kobj *key, int dbid);
/* Parses "KEA"-style flags; -1 on an unknown character. */
int notify_flags_from_string(const char *s);
/* Formats flags back into Redis' canonical string (CONFIG GET). */
kstr notify_flags_to_string(int flags);

#endif
