/*
 * The sorted set type. Members are ordered by score, then by member bytes
 * (memcmp). Two encodings, as in Redis 7.0:
 *   - listpack: member, score, member, score ... in order, while the set
 *     has at most zset-max-listpack-entries members of at most
 *     zset-max-listpack-value bytes; scores are stored as d2string text;
 *   - skiplist: a skiplist ordered by (score, member) plus a dict member ->
 *     node for O(1) score lookups.
 * Adding converts listpack -> skiplist past the limits; only the STORE
 * commands (ZUNIONSTORE, ZRANGESTORE, ...) build a listpack back when the
 * result is small.
 *
 * Main thread only, except the free/memory functions, which the lazy-free
 * thread may call on an object nobody else references.
 */
#ifndef KEYPORT_T_ZSET_H
#define KEYPORT_T_ZSET_H

#include "listpack.h"
#include "server.h"

/* ---------- skiplist ---------- */

#define ZSKIPLIST_MAXLEVEL 32
#define ZSKIPLIST_P 0.25

typedef struct zskiplist_node {
    kstr ele; /* owned by the node; the dict's key points at it too */
    double score;
    struct zskiplist_node *backward;
    struct zskiplist_level {
        struct zskiplist_node *forward;
        unsigned long span; /* elements between this node and forward */
    } level[];
} zskiplist_node;

typedef struct zskiplist {
    zskiplist_node *header, *tail;
    unsigned long length;
    int level;
} zskiplist;

/* The payload of a skiplist-encoded sorted set. */
typedef struct zset {
    dict *dict; /* member (the node's kstr) -> zskiplist_node * */
    zskiplist *zsl;
} zset;

/* ---------- ranges ---------- */

/* Scores in [min, max], each end exclusive when its flag is set. */
typedef struct zscore_range {
    double min, max;
    int minex, maxex;
} zscore_range;

typedef enum zlex_kind { ZLEX_NEG_INF, ZLEX_POS_INF, ZLEX_VALUE } zlex_kind;

/* One end of a lexicographic range ("-", "+", "[x" or "(x"). */
typedef struct zlex_bound {
    zlex_kind kind;
    int exclusive;
    const char *s; /* ZLEX_VALUE: the bytes (borrowed from the argument) */
    size_t len;
} zlex_bound;

typedef struct zlex_range {
    zlex_bound min, max;
} zlex_range;

/* Parse Redis' range syntax ("(1.5", "-inf", "[a", "+"). C_OK or C_ERR
 * (the caller replies "ERR min or max is not a float" / "ERR min or max not
 * valid string range item"). Lex bounds borrow the argument bytes. */
int zset_parse_score_range(kobj *min, kobj *max, zscore_range *r);
int zset_parse_lex_range(kobj *min, kobj *max, zlex_range *r);

/* ---------- the sorted set type ---------- */

/* A member read from a sorted set: bytes in ele/len pointing into the set
 * (valid until it changes) or into buf for listpack integers. */
typedef struct zset_elem {
    const char *ele;
    size_t len;
    double score;
    unsigned char buf[LP_INTBUF_SIZE];
} zset_elem;

/* An empty sorted set in the encoding that fits size_hint members of at
 * most maxelelen bytes. */
kobj *zset_type_create(size_t size_hint, size_t maxelelen);
/* An empty skiplist-encoded sorted set (the set operations build their
 * result in one, as Redis does, whatever its final size). */
kobj *zset_type_create_skiplist(size_t size_hint);
unsigned long zset_type_length(const kobj *z);

/* zset_type_add input flags. */
#define ZADD_IN_NONE 0
#define ZADD_IN_INCR (1 << 0) /* increment the score instead of setting it */
#define ZADD_IN_NX (1 << 1)   /* only add new members */
#define ZADD_IN_XX (1 << 2)   /* only update existing members */
#define ZADD_IN_GT (1 << 3)   /* only update when the new score is greater */
#define ZADD_IN_LT (1 << 4)   /* only update when the new score is less */
/* zset_type_add output flags. */
#define ZADD_OUT_NOP (1 << 0)     /* nothing done because of NX/XX/GT/LT */
#define ZADD_OUT_NAN (1 << 1)     /* the increment would make the score NaN */
#define ZADD_OUT_ADDED (1 << 2)   /* the member was added */
#define ZADD_OUT_UPDATED (1 << 3) /* the member's score changed */

/* Adds or updates a member as ZADD does, converting the encoding when
 * needed. Returns 1 (see *out_flags; *newscore gets the resulting score
 * when not NULL and the member exists afterwards) or 0 when the increment
 * produced NaN (nothing changed). */
int zset_type_add(kobj *z, double score, const char *ele, size_t len, int in_flags, int *out_flags,
                  double *newscore);
/* 1 if the member was removed. The caller deletes the key when the set
 * becomes empty. */
int zset_type_delete(kobj *z, const char *ele, size_t len);
/* C_OK with *score when the member exists, else C_ERR. */
int zset_type_score(kobj *z, const char *ele, size_t len, double *score);
/* 0-based rank (from the highest score when reverse), or -1 when absent;
 * *score gets the member's score when not NULL. */
long zset_type_rank(kobj *z, const char *ele, size_t len, int reverse, double *score);

/* Counting and deleting ranges (ranks 0-based inclusive, ascending). */
unsigned long zset_type_count_score(kobj *z, const zscore_range *r);
unsigned long zset_type_count_lex(kobj *z, const zlex_range *r);
unsigned long zset_type_delete_rank(kobj *z, unsigned long start, unsigned long end);
unsigned long zset_type_delete_score(kobj *z, const zscore_range *r);
unsigned long zset_type_delete_lex(kobj *z, const zlex_range *r);

/* Encoding changes: to OBJ_ENCODING_LISTPACK or OBJ_ENCODING_SKIPLIST. */
void zset_type_convert(kobj *z, int encoding);
/* Converts a skiplist set back to a listpack when it is small enough
 * (the STORE commands): maxelelen is its longest member, totelelen the sum
 * of the member lengths. */
void zset_type_convert_to_listpack_if_needed(kobj *z, size_t maxelelen, size_t totelelen);

kobj *zset_type_dup(kobj *z);                             /* deep copy (COPY) */
void zset_type_free_payload(kobj *z);                     /* object.c's decr_ref */
size_t zset_type_payload_memory(kobj *z, size_t samples); /* samples 0: exact */
size_t zset_type_free_effort(const kobj *z);              /* lazy free */

/* ---------- iteration (the set must not change meanwhile) ---------- */

typedef enum zset_iter_limit { ZITER_ALL, ZITER_SCORE, ZITER_LEX } zset_iter_limit;

typedef struct zset_iter {
    kobj *z;
    int reverse;
    unsigned char *eptr;  /* listpack: next member to return */
    zskiplist_node *node; /* skiplist: next node to return */
    zset_iter_limit limit;
    zscore_range score;
    zlex_range lex;
} zset_iter;

/* Iterates from rank (counted from the end when reverse) to the end. */
void zset_iter_init_rank(zset_iter *it, kobj *z, unsigned long rank, int reverse);
/* Iterates over the members in a score or lex range, ascending or (when
 * reverse) descending. */
void zset_iter_init_score(zset_iter *it, kobj *z, const zscore_range *r, int reverse);
void zset_iter_init_lex(zset_iter *it, kobj *z, const zlex_range *r, int reverse);
/* 1 with the next member in *e, 0 at the end. */
int zset_iter_next(zset_iter *it, zset_elem *e);
/* Steps over the next member without checking the range's far end, as
 * Redis skips a LIMIT offset (over members of different scores a lex range
 * can resume after a member outside it); 0 at the end of the set. */
int zset_iter_skip(zset_iter *it);

/* ---------- pops (ZPOPMIN/ZPOPMAX/ZMPOP and their blocking forms) ---------- */

#define ZSET_MIN 0
#define ZSET_MAX 1

typedef enum zpop_shape {
    ZPOP_SHAPE_BLOCKING, /* BZPOPMIN/BZPOPMAX: [key, member, score] */
    ZPOP_SHAPE_MPOP,     /* ZMPOP/BZMPOP: [key, [[member, score], ...]] */
} zpop_shape;

/* Pops up to count members (count >= 1; BLOCKING pops one) from the
 * lowest (ZSET_MIN) or highest (ZSET_MAX) scores of the sorted set at key
 * in c->db, which must exist and hold a non-empty sorted set, and replies
 * in the given shape. Publishes zpopmin/zpopmax (and del when the set
 * becomes empty, which deletes the key) and signals the key as modified.
 * The command propagates as ZPOPMIN|ZPOPMAX key (BLOCKING) or ZPOPMIN|ZPOPMAX
 * key <popped> (MPOP): c->argv is rewritten, so key must not be borrowed
 * from it past this call. Returns the number of members popped. */
long zset_pop_reply(client *c, kobj *key, int where, long count, zpop_shape shape);

#endif
