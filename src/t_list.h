/*
 * The list type (Redis 7.0: always a quicklist, OBJECT ENCODING
 * "quicklist"). Helpers for object.c, COPY, SORT and the blocking code.
 * Main thread only.
 */
#ifndef KEYPORT_T_LIST_H
#define KEYPORT_T_LIST_H

#include "quicklist.h"
#include "server.h"

/* An empty list object sized by list-max-listpack-size and
 * list-compress-depth. */
kobj *list_type_create(void);
/* Pushes a copy of the string value at the head (QL_HEAD) or tail. */
void list_type_push(kobj *list, kobj *value, int where);
unsigned long list_type_length(const kobj *list);
/* Frees the payload of a list object (object.c's decr_ref). */
void list_type_free_payload(kobj *list);
/* Deep copy (COPY). */
kobj *list_type_dup(kobj *list);
/* Bytes the payload uses (MEMORY USAGE). */
size_t list_type_payload_memory(const kobj *list);
/* Work needed to free the payload: its node count (lazy free). */
size_t list_type_free_effort(const kobj *list);

#endif
