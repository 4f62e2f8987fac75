/*
 * intset: a sorted array of distinct integers in one allocation, the
 * compact set encoding (OBJECT ENCODING "intset"). Every element uses the
 * width of the widest one (16, 32 or 64 bits); adding a wider value
 * upgrades the whole array. Elements are stored little-endian, as Redis
 * stores them, so the blob can be written to an RDB file unchanged.
 *
 * Functions that may reallocate return the (possibly moved) intset; the
 * caller must use the returned pointer. Not thread-safe.
 */
#ifndef KEYPORT_INTSET_H
#define KEYPORT_INTSET_H

#include <stddef.h>
#include <stdint.h>

typedef struct intset {
    uint32_t encoding; /* bytes per element: 2, 4 or 8 */
    uint32_t length;   /* number of elements */
    int8_t contents[];
} intset;

intset *intset_new(void);
void intset_free(intset *is);
/* Adds value; *added (may be NULL) is 1 if it was not there yet. */
intset *intset_add(intset *is, int64_t value, int *added);
/* Removes value; *removed (may be NULL) is 1 if it was there. */
intset *intset_remove(intset *is, int64_t value, int *removed);
/* 1 if value is an element. */
int intset_find(const intset *is, int64_t value);
/* Element at pos (0-based, ascending order) into *value; 0 when pos is past
 * the end. */
int intset_get(const intset *is, uint32_t pos, int64_t *value);
/* A uniformly chosen element; the set must not be empty. */
int64_t intset_random(const intset *is);
uint32_t intset_len(const intset *is);
/* Bytes of the whole blob (header and elements). */
size_t intset_blob_len(const intset *is);
/* Copy of the whole set. */
intset *intset_dup(const intset *is);

#endif
