/*
 * quicklist: the list value (Redis 7.0's OBJ_ENCODING_QUICKLIST), a doubly
 * linked list of listpack nodes.
 *
 * Node size follows list-max-listpack-size (the `fill` given at creation,
 * as Redis takes it when the list is created):
 *   fill > 0   at most fill entries per node (and at most 8 KiB, a safety
 *              limit, unless the node holds a single entry);
 *   fill < 0   at most 4, 8, 16, 32 or 64 KiB per node for -1 .. -5.
 * An element that does not fit anywhere gets a node of its own.
 *
 * list-compress-depth is accepted and kept in `compress`, but nodes are
 * never compressed: every node is a plain listpack. Lists therefore cost
 * what an uncompressed Redis list costs (depth 0, Redis' default).
 *
 * Ownership: a quicklist owns its nodes and their listpacks. Values handed
 * in are copied. Entry views (ql_entry) point into a node and are valid
 * until the next change to the list, except where a function says it
 * keeps an iterator valid.
 *
 * Not thread-safe; allocation failure aborts (zmalloc).
 */
#ifndef KEYPORT_QUICKLIST_H
#define KEYPORT_QUICKLIST_H

#include <stddef.h>

#define QL_HEAD 0
#define QL_TAIL 1

/* list-max-listpack-size bounds, as Redis clamps them. */
#define QL_FILL_MAX (1 << 15)
#define QL_FILL_MIN -5
/* Default list-max-listpack-size: 8 KiB nodes. */
#define QL_FILL_DEFAULT -2

typedef struct ql_node {
    struct ql_node *prev, *next;
    unsigned char *lp; /* listpack of the node's entries */
    size_t sz;         /* lp_bytes(lp) */
    unsigned int count;
} ql_node;

typedef struct quicklist {
    ql_node *head, *tail;
    unsigned long count; /* entries in all nodes */
    unsigned long len;   /* nodes */
    int fill;
    int compress; /* list-compress-depth: stored, not applied */
} quicklist;

/* A position in the list and the value found there. The value is either
 * a string (str != NULL, len bytes, pointing into the node) or an integer
 * (str == NULL, ival). */
typedef struct ql_entry {
    quicklist *ql;
    ql_node *node;
    unsigned char *p; /* the entry inside node->lp */
    long offset;      /* index inside the node */
    const unsigned char *str;
    size_t len;
    long long ival;
} ql_entry;

/* Iterator from head to tail (dir QL_HEAD) or from tail to head (QL_TAIL). */
typedef struct ql_iter {
    quicklist *ql;
    ql_node *node;    /* NULL: iteration over */
    unsigned char *p; /* entry last returned (pending == 0) or next to
                         return (pending == 1); NULL: the node's first */
    long offset;      /* index of p inside node */
    int pending;
    int dir; /* QL_HEAD: towards the tail; QL_TAIL: towards the head */
} ql_iter;

/* ---------- creation ---------- */

/* Empty list; fill and compress as list-max-listpack-size and
 * list-compress-depth (fill is clamped to QL_FILL_MIN..QL_FILL_MAX). */
quicklist *ql_create(int fill, int compress);
void ql_release(quicklist *ql);
/* Deep copy. */
quicklist *ql_dup(const quicklist *ql);
unsigned long ql_count(const quicklist *ql);
/* Bytes the list occupies on the heap (struct, nodes and listpacks). */
size_t ql_memory(const quicklist *ql);

/* ---------- ends ---------- */

/* Pushes a copy of s at the head (QL_HEAD) or the tail (QL_TAIL). */
void ql_push(quicklist *ql, const void *s, size_t len, int where);
/* Removes the element at the head or tail and returns its bytes as a new
 * kstr (integers as decimal text); NULL when the list is empty. */
char *ql_pop(quicklist *ql, int where);

/* ---------- random access ---------- */

/* Finds the element at index (negative counts from the tail, -1 the
 * last). Returns 1 and fills e, or 0 when out of range. */
int ql_index(quicklist *ql, long index, ql_entry *e);
/* Replaces the element at index; returns 0 when out of range. */
int ql_replace_at_index(quicklist *ql, long index, const void *s, size_t len);
/* Inserts a copy of s before (after == 0) or after e's element. e (and
 * every iterator) is invalid afterwards. */
void ql_insert(ql_entry *e, const void *s, size_t len, int after);
/* Deletes count elements from index start (negative from the tail);
 * clamps count to the end. Returns the number deleted. */
unsigned long ql_del_range(quicklist *ql, long start, unsigned long count);
/* 1 when e's element equals the bytes s. */
int ql_entry_equals(const ql_entry *e, const void *s, size_t len);

/* ---------- iteration ---------- */

/* Starts an iterator at the head (dir QL_HEAD, moving towards the tail)
 * or at the tail (dir QL_TAIL, moving towards the head). */
void ql_iter_init(ql_iter *it, quicklist *ql, int dir);
/* Starts at index (negative from the tail); returns 0 (and an iterator
 * that yields nothing) when out of range. */
int ql_iter_init_at(ql_iter *it, quicklist *ql, int dir, long index);
/* Next element into e; 0 at the end. */
int ql_next(ql_iter *it, ql_entry *e);
/* Deletes the element e that ql_next just returned; the iterator stays
 * valid and continues with the element after it (in its direction). */
void ql_iter_del(ql_iter *it, ql_entry *e);

#endif
