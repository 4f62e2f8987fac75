/*
 * The hash type: a listpack of field, value, field, value ... while the
 * hash has at most hash-max-listpack-entries fields and every field and
 * value is at most hash-max-listpack-value bytes; a hashtable (dict of kstr
 * field -> kstr value) once either stops being true. Conversion goes one
 * way only, as in Redis.
 *
 * Fields and values are passed as (pointer, length) and copied when
 * stored. Main thread only, except the free/memory functions, which the
 * lazy-free thread may call on an object nobody else references.
 */
#ifndef KEYPORT_T_HASH_H
#define KEYPORT_T_HASH_H

#include "listpack.h"
#include "server.h"

/* A field or value read from a hash: bytes in s/len, pointing into the
 * hash (valid until it changes) or into buf for listpack integers. */
typedef struct hash_str {
    const char *s;
    size_t len;
    unsigned char buf[LP_INTBUF_SIZE];
} hash_str;

typedef struct hash_iter {
    kobj *hash;
    unsigned char *fptr, *vptr; /* listpack: current field and value */
    dict_iterator di;           /* hashtable (unsafe: the hash must not change) */
    dict_entry *de;
} hash_iter;

/* An empty hash, listpack encoded. */
kobj *hash_type_create(void);
unsigned long hash_type_length(const kobj *h);
/* 1 and the value when field exists, else 0. */
int hash_type_get(kobj *h, const char *field, size_t flen, hash_str *value);
/* The value as a new string object, or NULL (SORT BY/GET hash->field). */
kobj *hash_type_get_obj(kobj *h, const char *field, size_t flen);
int hash_type_exists(kobj *h, const char *field, size_t flen);
/* Sets field to value, converting the encoding when the lengths or the
 * size require it. Returns 1 when the field is new, 0 when updated. */
int hash_type_set(kobj *h, const char *field, size_t flen, const char *value, size_t vlen);
/* 1 if the field was removed. The caller deletes the key when the hash
 * becomes empty. */
int hash_type_delete(kobj *h, const char *field, size_t flen);
/* Converts a listpack hash to a hashtable (the only direction). */
void hash_type_convert_to_dict(kobj *h);
/* Converts before a write when any of argv[start..end] is longer than
 * hash-max-listpack-value or the listpack could not hold them. */
void hash_type_try_conversion(kobj *h, kobj **argv, int start, int end);

/* Deep copy (COPY). */
kobj *hash_type_dup(kobj *h);
/* Frees the payload of a hash object (object.c's decr_ref). */
void hash_type_free_payload(kobj *h);
/* Bytes used by the payload; samples > 0 estimates a hashtable from that
 * many fields (MEMORY USAGE SAMPLES), 0 counts them all. */
size_t hash_type_payload_memory(kobj *h, size_t samples);
/* Work needed to free the payload (lazy free). */
size_t hash_type_free_effort(const kobj *h);

/* Iteration in storage order. The hash must not change meanwhile. */
void hash_iter_init(hash_iter *it, kobj *h);
/* 1 with the next field and value (value may be NULL), 0 at the end
 * (after which the iterator must only be released). */
int hash_iter_next(hash_iter *it, hash_str *field, hash_str *value);
void hash_iter_release(hash_iter *it);

#endif
