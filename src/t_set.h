/*
 * The set type: an intset while every member is an integer and there are
 * at most set-max-intset-entries of them, a hashtable (dict of kstr) once
 * either stops being true. Conversion goes one way only, as in Redis.
 *
 * Members are passed as kstr (an embedded kstr is fine: it is copied when
 * stored). Main thread only.
 */
#ifndef KEYPORT_T_SET_H
#define KEYPORT_T_SET_H

#include "intset.h"
#include "server.h"

/* A member produced by iteration or random picks: s is the member (a key
 * of the hashtable, or the integer rendered into buf); valid until the set
 * changes or the next call that fills the same set_elem. */
typedef struct set_elem {
    kstr s;
    int is_int; /* s came from an intset; ll holds the value */
    int64_t ll;
    char buf[48]; /* room for an embedded kstr of an integer */
} set_elem;

typedef struct set_iter {
    kobj *set;
    uint32_t pos;     /* intset */
    dict_iterator di; /* hashtable (unsafe: the set must not change) */
} set_iter;

/* An empty set in the encoding that can hold first (intset for integers). */
kobj *set_type_create(const kstr first);
/* An empty set, intset encoded (SINTERSTORE and friends start from one). */
kobj *set_type_create_intset(void);
/* 1 if added, 0 if it was already a member. Converts as needed. */
int set_type_add(kobj *set, const kstr member);
int set_type_remove(kobj *set, const kstr member);
int set_type_is_member(kobj *set, const kstr member);
unsigned long set_type_size(const kobj *set);
/* Uniform-ish random member of a non-empty set. */
void set_type_random(kobj *set, set_elem *e);
/* Frees the payload of a set object (object.c's decr_ref). */
void set_type_free_payload(kobj *set);
/* Deep copy (COPY). */
kobj *set_type_dup(kobj *set);
/* Bytes used by the payload; samples > 0 estimates a hashtable from that
 * many members (MEMORY USAGE SAMPLES), 0 counts them all. */
size_t set_type_payload_memory(kobj *set, size_t samples);
/* Work needed to free the payload (lazy free). */
size_t set_type_free_effort(const kobj *set);

void set_iter_init(set_iter *it, kobj *set);
/* 1 with the next member in *e, 0 at the end. */
int set_iter_next(set_iter *it, set_elem *e);
void set_iter_release(set_iter *it);

/* A kstr view of a string object of any encoding: o->ptr for RAW/EMBSTR,
 * else the digits embedded in buf (48 bytes). */
kstr set_obj_kstr(kobj *o, char *buf);

#endif
