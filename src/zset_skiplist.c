/*
 * The skiplist of skiplist-encoded sorted sets: nodes ordered by (score,
 * member), each level link carrying its span so ranks are O(log N). The
 * header is a sentinel node with ZSKIPLIST_MAXLEVEL levels; level[0] links
 * every node and backward links go the other way.
 */
#include <stdlib.h>
#include <string.h>

#include "kview.h"
#include "zset_internal.h"

/* ---------- the member dict ---------- */

static uint64_t member_hash(const void *k) {
    return dict_gen_hash(k, kstr_len((const kstr)k));
}

static int member_equal(const void *a, const void *b) {
    size_t la = kstr_len((const kstr)a);
    return la == kstr_len((const kstr)b) && memcmp(a, b, la) == 0;
}

const dict_type zset_dict_type = {member_hash, NULL, member_equal, NULL, NULL};

/* ---------- nodes ---------- */

static zskiplist_node *node_create(int level, double score, kstr ele) {
    zskiplist_node *n = zmalloc(sizeof(*n) + (size_t)level * sizeof(struct zskiplist_level));
    n->score = score;
    n->ele = ele;
    n->backward = NULL;
    return n;
}

void zsl_free_node(zskiplist_node *n) {
    kstr_free(n->ele);
    zfree(n);
}

zskiplist *zsl_create(void) {
    zskiplist *zsl = zmalloc(sizeof(*zsl));
    zsl->level = 1;
    zsl->length = 0;
    zsl->header = node_create(ZSKIPLIST_MAXLEVEL, 0, NULL);
    for (int j = 0; j < ZSKIPLIST_MAXLEVEL; j++) {
        zsl->header->level[j].forward = NULL;
        zsl->header->level[j].span = 0;
    }
    zsl->tail = NULL;
    return zsl;
}

void zsl_free(zskiplist *zsl) {
    zskiplist_node *n = zsl->header->level[0].forward;
    zfree(zsl->header);
    while (n) {
        zskiplist_node *next = n->level[0].forward;
        zsl_free_node(n);
        n = next;
    }
    zfree(zsl);
}

/* Level of a new node: each further level with probability ZSKIPLIST_P. */
static int random_level(void) {
    int level = 1;
    while ((random() & 0xFFFF) < (long)(ZSKIPLIST_P * 0xFFFF)) level++;
    return level < ZSKIPLIST_MAXLEVEL ? level : ZSKIPLIST_MAXLEVEL;
}

/* 1 when node n sorts before (score, ele). */
static int node_before(const zskiplist_node *n, double score, const char *ele, size_t len) {
    if (n->score != score) return n->score < score;
    return zset_cmp_bytes(n->ele, kstr_len(n->ele), ele, len) < 0;
}

zskiplist_node *zsl_insert(zskiplist *zsl, double score, kstr ele) {
    zskiplist_node *update[ZSKIPLIST_MAXLEVEL];
    unsigned long rank[ZSKIPLIST_MAXLEVEL];
    zskiplist_node *x = zsl->header;
    size_t len = kstr_len(ele);
    for (int i = zsl->level - 1; i >= 0; i--) {
        rank[i] = i == zsl->level - 1 ? 0 : rank[i + 1];
        while (x->level[i].forward && node_before(x->level[i].forward, score, ele, len)) {
            rank[i] += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    int level = random_level();
    if (level > zsl->level) {
        for (int i = zsl->level; i < level; i++) {
            rank[i] = 0;
            update[i] = zsl->header;
            update[i]->level[i].span = zsl->length;
        }
        zsl->level = level;
    }
    x = node_create(level, score, ele);
    for (int i = 0; i < level; i++) {
        x->level[i].forward = update[i]->level[i].forward;
        update[i]->level[i].forward = x;
        x->level[i].span = update[i]->level[i].span - (rank[0] - rank[i]);
        update[i]->level[i].span = (rank[0] - rank[i]) + 1;
    }
    for (int i = level; i < zsl->level; i++) update[i]->level[i].span++;
    x->backward = update[0] == zsl->header ? NULL : update[0];
    if (x->level[0].forward)
        x->level[0].forward->backward = x;
    else
        zsl->tail = x;
    zsl->length++;
    return x;
}

/* Unlinks x given the predecessors at every level. */
static void unlink_node(zskiplist *zsl, zskiplist_node *x, zskiplist_node **update) {
    for (int i = 0; i < zsl->level; i++) {
        if (update[i]->level[i].forward == x) {
            update[i]->level[i].span += x->level[i].span - 1;
            update[i]->level[i].forward = x->level[i].forward;
        } else {
            update[i]->level[i].span -= 1;
        }
    }
    if (x->level[0].forward)
        x->level[0].forward->backward = x->backward;
    else
        zsl->tail = x->backward;
    while (zsl->level > 1 && zsl->header->level[zsl->level - 1].forward == NULL) zsl->level--;
    zsl->length--;
}

/* Fills update[] with the last node before (score, ele) at each level and
 * returns the node after it at level 0. */
static zskiplist_node *find_update(zskiplist *zsl, double score, const char *ele, size_t len,
                                   zskiplist_node **update) {
    zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && node_before(x->level[i].forward, score, ele, len))
            x = x->level[i].forward;
        update[i] = x;
    }
    return x->level[0].forward;
}

static int node_is(const zskiplist_node *x, double score, const char *ele, size_t len) {
    return x && x->score == score && zset_cmp_bytes(x->ele, kstr_len(x->ele), ele, len) == 0;
}

zskiplist_node *zsl_unlink(zskiplist *zsl, double score, const char *ele, size_t len) {
    zskiplist_node *update[ZSKIPLIST_MAXLEVEL];
    zskiplist_node *x = find_update(zsl, score, ele, len, update);
    if (!node_is(x, score, ele, len)) return NULL;
    unlink_node(zsl, x, update);
    return x;
}

zskiplist_node *zsl_update_score(zskiplist *zsl, double curscore, const char *ele, size_t len,
                                 double newscore) {
    zskiplist_node *update[ZSKIPLIST_MAXLEVEL];
    zskiplist_node *x = find_update(zsl, curscore, ele, len, update);
    if (!node_is(x, curscore, ele, len)) panic("zset: updating the score of a missing member");
    /* Still between its neighbours: change the score in place. */
    if ((x->backward == NULL || x->backward->score < newscore) &&
        (x->level[0].forward == NULL || x->level[0].forward->score > newscore)) {
        x->score = newscore;
        return x;
    }
    unlink_node(zsl, x, update);
    kstr member = x->ele;
    x->ele = NULL;
    zfree(x);
    return zsl_insert(zsl, newscore, member);
}

unsigned long zsl_get_rank(zskiplist *zsl, double score, const char *ele, size_t len) {
    zskiplist_node *x = zsl->header;
    unsigned long rank = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && (node_before(x->level[i].forward, score, ele, len) ||
                                       node_is(x->level[i].forward, score, ele, len))) {
            rank += x->level[i].span;
            x = x->level[i].forward;
        }
        if (x != zsl->header && node_is(x, score, ele, len)) return rank;
    }
    return 0;
}

zskiplist_node *zsl_get_by_rank(zskiplist *zsl, unsigned long rank) {
    if (rank == 0 || rank > zsl->length) return NULL;
    zskiplist_node *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span <= rank) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        if (traversed == rank) return x;
    }
    return NULL;
}

/* ---------- ranges ---------- */

/* 1 when some node may be in the score range (cheap checks at the ends). */
static int any_in_score(zskiplist *zsl, const zscore_range *r) {
    if (zset_score_range_empty(r)) return 0;
    zskiplist_node *x = zsl->tail;
    if (!x || !zset_score_gte_min(x->score, r)) return 0;
    x = zsl->header->level[0].forward;
    return x && zset_score_lte_max(x->score, r);
}

zskiplist_node *zsl_first_in_score(zskiplist *zsl, const zscore_range *r) {
    if (!any_in_score(zsl, r)) return NULL;
    zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (x->level[i].forward && !zset_score_gte_min(x->level[i].forward->score, r))
            x = x->level[i].forward;
    x = x->level[0].forward;
    return x && zset_score_lte_max(x->score, r) ? x : NULL;
}

zskiplist_node *zsl_last_in_score(zskiplist *zsl, const zscore_range *r) {
    if (!any_in_score(zsl, r)) return NULL;
    zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (x->level[i].forward && zset_score_lte_max(x->level[i].forward->score, r))
            x = x->level[i].forward;
    return x != zsl->header && zset_score_gte_min(x->score, r) ? x : NULL;
}

static int node_gte_min_lex(const zskiplist_node *x, const zlex_range *r) {
    return zset_lex_gte_min(x->ele, kstr_len(x->ele), r);
}

static int node_lte_max_lex(const zskiplist_node *x, const zlex_range *r) {
    return zset_lex_lte_max(x->ele, kstr_len(x->ele), r);
}

static int any_in_lex(zskiplist *zsl, const zlex_range *r) {
    if (zset_lex_range_empty(r)) return 0;
    zskiplist_node *x = zsl->tail;
    if (!x || !node_gte_min_lex(x, r)) return 0;
    x = zsl->header->level[0].forward;
    return x && node_lte_max_lex(x, r);
}

zskiplist_node *zsl_first_in_lex(zskiplist *zsl, const zlex_range *r) {
    if (!any_in_lex(zsl, r)) return NULL;
    zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (x->level[i].forward && !node_gte_min_lex(x->level[i].forward, r))
            x = x->level[i].forward;
    x = x->level[0].forward;
    return x && node_lte_max_lex(x, r) ? x : NULL;
}

zskiplist_node *zsl_last_in_lex(zskiplist *zsl, const zlex_range *r) {
    if (!any_in_lex(zsl, r)) return NULL;
    zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--)
        while (x->level[i].forward && node_lte_max_lex(x->level[i].forward, r))
            x = x->level[i].forward;
    return x != zsl->header && node_gte_min_lex(x, r) ? x : NULL;
}

/* Removes x (whose predecessors are in update) from the list and the
 * dict, and frees it. */
static void delete_node(zskiplist *zsl, zskiplist_node *x, zskiplist_node **update, dict *d) {
    unlink_node(zsl, x, update);
    dict_delete(d, x->ele);
    zsl_free_node(x);
}

unsigned long zsl_delete_score(zskiplist *zsl, const zscore_range *r, dict *d) {
    zskiplist_node *update[ZSKIPLIST_MAXLEVEL];
    zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && !zset_score_gte_min(x->level[i].forward->score, r))
            x = x->level[i].forward;
        update[i] = x;
    }
    x = x->level[0].forward;
    unsigned long removed = 0;
    while (x && zset_score_lte_max(x->score, r)) {
        zskiplist_node *next = x->level[0].forward;
        delete_node(zsl, x, update, d);
        removed++;
        x = next;
    }
    return removed;
}

unsigned long zsl_delete_lex(zskiplist *zsl, const zlex_range *r, dict *d) {
    zskiplist_node *update[ZSKIPLIST_MAXLEVEL];
    zskiplist_node *x = zsl->header;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && !node_gte_min_lex(x->level[i].forward, r))
            x = x->level[i].forward;
        update[i] = x;
    }
    x = x->level[0].forward;
    unsigned long removed = 0;
    while (x && node_lte_max_lex(x, r)) {
        zskiplist_node *next = x->level[0].forward;
        delete_node(zsl, x, update, d);
        removed++;
        x = next;
    }
    return removed;
}

unsigned long zsl_delete_rank(zskiplist *zsl, unsigned long start, unsigned long end, dict *d) {
    zskiplist_node *update[ZSKIPLIST_MAXLEVEL];
    zskiplist_node *x = zsl->header;
    unsigned long traversed = 0;
    for (int i = zsl->level - 1; i >= 0; i--) {
        while (x->level[i].forward && traversed + x->level[i].span < start) {
            traversed += x->level[i].span;
            x = x->level[i].forward;
        }
        update[i] = x;
    }
    traversed++;
    x = x->level[0].forward;
    unsigned long removed = 0;
    while (x && traversed <= end) {
        zskiplist_node *next = x->level[0].forward;
        delete_node(zsl, x, update, d);
        removed++;
        traversed++;
        x = next;
    }
    return removed;
}
