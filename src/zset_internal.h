/*
 * Private to the sorted set implementation (zset_skiplist.c,
 * t_zset_type.c, t_zset.c, t_zset_setops.c): the skiplist primitives, the
 * range predicates and the command procedures of the set operations.
 * Main thread only.
 */
#ifndef KEYPORT_ZSET_INTERNAL_H
#define KEYPORT_ZSET_INTERNAL_H

#include "t_zset.h"

/* ---------- ordering and ranges ---------- */

/* memcmp order, a proper prefix first (Redis' sdscmp). */
int zset_cmp_bytes(const char *a, size_t alen, const char *b, size_t blen);
int zset_score_gte_min(double v, const zscore_range *r);
int zset_score_lte_max(double v, const zscore_range *r);
int zset_lex_gte_min(const char *s, size_t len, const zlex_range *r);
int zset_lex_lte_max(const char *s, size_t len, const zlex_range *r);
/* 1 when no value can be in the range (min above max, ...). */
int zset_score_range_empty(const zscore_range *r);
int zset_lex_range_empty(const zlex_range *r);

/* ---------- skiplist (zset_skiplist.c) ---------- */

zskiplist *zsl_create(void);
/* Frees the nodes and their members. */
void zsl_free(zskiplist *zsl);
void zsl_free_node(zskiplist_node *n);
/* Inserts a member that is not present; takes ownership of ele. */
zskiplist_node *zsl_insert(zskiplist *zsl, double score, kstr ele);
/* Unlinks the node with this score and member; returns it (the caller
 * frees it) or NULL when absent. */
zskiplist_node *zsl_unlink(zskiplist *zsl, double score, const char *ele, size_t len);
/* Moves an existing member to newscore; returns its node. */
zskiplist_node *zsl_update_score(zskiplist *zsl, double curscore, const char *ele, size_t len,
                                 double newscore);
/* 1-based rank of the member with this score, 0 when absent. */
unsigned long zsl_get_rank(zskiplist *zsl, double score, const char *ele, size_t len);
/* Node at a 1-based rank, NULL when out of range. */
zskiplist_node *zsl_get_by_rank(zskiplist *zsl, unsigned long rank);
zskiplist_node *zsl_first_in_score(zskiplist *zsl, const zscore_range *r);
zskiplist_node *zsl_last_in_score(zskiplist *zsl, const zscore_range *r);
zskiplist_node *zsl_first_in_lex(zskiplist *zsl, const zlex_range *r);
zskiplist_node *zsl_last_in_lex(zskiplist *zsl, const zlex_range *r);
/* Deletions that also remove the members from dict (member -> node).
 * Ranks are 1-based inclusive. Return the number deleted. */
unsigned long zsl_delete_score(zskiplist *zsl, const zscore_range *r, dict *d);
unsigned long zsl_delete_lex(zskiplist *zsl, const zlex_range *r, dict *d);
unsigned long zsl_delete_rank(zskiplist *zsl, unsigned long start, unsigned long end, dict *d);

/* member kstr (borrowed from the node) -> zskiplist_node *. */
extern const dict_type zset_dict_type;

/* ---------- set operations (t_zset_setops.c) ---------- */

void zunion_command(client *c);
void zinter_command(client *c);
void zdiff_command(client *c);
void zunionstore_command(client *c);
void zinterstore_command(client *c);
void zdiffstore_command(client *c);
void zintercard_command(client *c);

/* Replies the members of z from iterator it, with scores when asked (RESP3
 * nests [member, score] pairs); at most limit members (-1: all). Returns
 * the number replied. Used by ZRANGE and the set operations. */
long zset_reply_from_iter(client *c, zset_iter *it, long offset, long limit, int withscores);

#endif
