/*
 * quicklist: a doubly linked list of listpack nodes (quicklist.h).
 *
 * Node limits follow Redis 7.0: a negative fill bounds a node's bytes
 * (4 KiB << (-fill - 1)), a positive fill bounds its entries and, as a
 * safety net, its bytes to 8 KiB. A node always accepts its first entry,
 * so a big element simply gets a node of its own.
 */
#include <string.h>

#include "kstr.h"
#include "listpack.h"
#include "log.h"
#include "quicklist.h"
#include "zmalloc.h"

/* Bytes a positive fill may never exceed (Redis' SIZE_SAFETY_LIMIT). */
#define QL_SIZE_SAFETY_LIMIT 8192
/* Per-entry overhead assumed when estimating a node's growth. */
#define QL_SIZE_ESTIMATE_OVERHEAD 8

static const size_t size_classes[] = {4096, 8192, 16384, 32768, 65536};

/* ---------- node limits ---------- */

/* 1 when sz bytes fit the byte limit of a negative fill. */
static int size_meets_fill(size_t sz, int fill) {
    if (fill >= 0) return 0;
    size_t idx = (size_t)(-fill) - 1;
    if (idx >= sizeof(size_classes) / sizeof(size_classes[0])) return 0;
    return sz <= size_classes[idx];
}

/* Whether a node of new_sz bytes and new_count entries is within limits. */
static int node_within_limits(size_t new_sz, unsigned long new_count, int fill) {
    if (size_meets_fill(new_sz, fill)) return 1;
    if (new_sz > QL_SIZE_SAFETY_LIMIT) return 0;
    return fill > 0 && new_count <= (unsigned long)fill;
}

static int node_allows_insert(const ql_node *node, int fill, size_t len) {
    if (!node) return 0;
    size_t new_sz = node->sz + len + QL_SIZE_ESTIMATE_OVERHEAD;
    return node_within_limits(new_sz, (unsigned long)node->count + 1, fill);
}

static int nodes_allow_merge(const ql_node *a, const ql_node *b, int fill) {
    if (!a || !b) return 0;
    /* One header and end byte disappear in the merge. */
    size_t merged = a->sz + b->sz - (LP_HDR_SIZE + 1);
    return node_within_limits(merged, (unsigned long)a->count + b->count, fill);
}

/* ---------- nodes ---------- */

static ql_node *node_create(void) {
    ql_node *n = zmalloc(sizeof(*n));
    n->prev = n->next = NULL;
    n->lp = lp_new(0);
    n->sz = lp_bytes(n->lp);
    n->count = 0;
    return n;
}

static void node_update(ql_node *n) {
    n->sz = lp_bytes(n->lp);
}

static void node_free(ql_node *n) {
    lp_free(n->lp);
    zfree(n);
}

/* Links n after old (old NULL: n becomes the head) or before it. */
static void link_node(quicklist *ql, ql_node *old, ql_node *n, int after) {
    if (!old) {
        n->prev = NULL;
        n->next = ql->head;
        if (ql->head) ql->head->prev = n;
        ql->head = n;
        if (!ql->tail) ql->tail = n;
    } else if (after) {
        n->prev = old;
        n->next = old->next;
        if (old->next) old->next->prev = n;
        old->next = n;
        if (ql->tail == old) ql->tail = n;
    } else {
        n->next = old;
        n->prev = old->prev;
        if (old->prev) old->prev->next = n;
        old->prev = n;
        if (ql->head == old) ql->head = n;
    }
    ql->len++;
}

static void unlink_node(quicklist *ql, ql_node *n) {
    if (n->prev)
        n->prev->next = n->next;
    else
        ql->head = n->next;
    if (n->next)
        n->next->prev = n->prev;
    else
        ql->tail = n->prev;
    n->prev = n->next = NULL;
    ql->len--;
}

/* Adds s at one end of node n. */
static void node_push(ql_node *n, const void *s, size_t len, int where) {
    if (where == QL_HEAD)
        n->lp = lp_prepend(n->lp, s, len);
    else
        n->lp = lp_append(n->lp, s, len);
    n->count++;
    node_update(n);
}

/* Merges b (the node after a) into a and frees b. */
static void merge_into(quicklist *ql, ql_node *a, ql_node *b) {
    unlink_node(ql, b);
    unsigned char *first = a->lp, *second = b->lp;
    a->lp = lp_merge(&first, &second);
    a->count += b->count;
    node_update(a);
    b->lp = NULL;
    zfree(b);
}

/* Merges n with its neighbours where the limits allow. */
static void merge_around(quicklist *ql, ql_node *n) {
    if (n->prev && nodes_allow_merge(n->prev, n, ql->fill)) {
        ql_node *prev = n->prev;
        merge_into(ql, prev, n);
        n = prev;
    }
    if (n->next && nodes_allow_merge(n, n->next, ql->fill)) merge_into(ql, n, n->next);
}

/* Splits n: with after != 0, entries offset+1.. go to a new node linked
 * after n; else entries offset.. do. Returns the new node. */
static ql_node *split_node(quicklist *ql, ql_node *n, long offset, int after) {
    long keep = after ? offset + 1 : offset; /* entries left in n */
    ql_node *tail = zmalloc(sizeof(*tail));
    tail->prev = tail->next = NULL;
    size_t bytes = lp_bytes(n->lp);
    tail->lp = zmalloc(bytes);
    memcpy(tail->lp, n->lp, bytes);
    tail->lp = lp_delete_range(tail->lp, 0, (unsigned long)keep);
    tail->count = n->count - (unsigned int)keep;
    node_update(tail);
    n->lp = lp_delete_range(n->lp, keep, (unsigned long)tail->count);
    n->lp = lp_shrink_to_fit(n->lp);
    n->count = (unsigned int)keep;
    node_update(n);
    link_node(ql, n, tail, 1);
    return tail;
}

/* Deletes the entry at *p of node n. Returns 1 when the node became empty
 * and was freed; else *p points at the entry that followed (or NULL). */
static int node_delete_entry(quicklist *ql, ql_node *n, unsigned char **p) {
    n->lp = lp_delete(n->lp, *p, p);
    n->count--;
    ql->count--;
    if (n->count == 0) {
        unlink_node(ql, n);
        node_free(n);
        return 1;
    }
    node_update(n);
    return 0;
}

static void fill_entry(ql_entry *e, quicklist *ql, ql_node *n, unsigned char *p, long offset) {
    lp_value v;
    lp_get_value(p, &v);
    e->ql = ql;
    e->node = n;
    e->p = p;
    e->offset = offset;
    e->str = v.str;
    e->len = v.str ? v.len : 0;
    e->ival = v.ival;
}

/* ---------- creation ---------- */

quicklist *ql_create(int fill, int compress) {
    quicklist *ql = zcalloc(sizeof(*ql));
    if (fill > QL_FILL_MAX) fill = QL_FILL_MAX;
    if (fill < QL_FILL_MIN) fill = QL_FILL_MIN;
    if (fill == 0) fill = 1; /* Redis treats 0 as one entry per node */
    ql->fill = fill;
    ql->compress = compress;
    return ql;
}

void ql_release(quicklist *ql) {
    if (!ql) return;
    ql_node *n = ql->head;
    while (n) {
        ql_node *next = n->next;
        node_free(n);
        n = next;
    }
    zfree(ql);
}

quicklist *ql_dup(const quicklist *ql) {
    quicklist *copy = ql_create(ql->fill, ql->compress);
    for (ql_node *n = ql->head; n; n = n->next) {
        ql_node *d = zmalloc(sizeof(*d));
        d->prev = d->next = NULL;
        d->lp = zmalloc(n->sz);
        memcpy(d->lp, n->lp, n->sz);
        d->sz = n->sz;
        d->count = n->count;
        link_node(copy, copy->tail, d, 1);
    }
    copy->count = ql->count;
    return copy;
}

unsigned long ql_count(const quicklist *ql) {
    return ql->count;
}

size_t ql_memory(const quicklist *ql) {
    size_t total = zmalloc_size((void *)ql);
    for (ql_node *n = ql->head; n; n = n->next) total += zmalloc_size(n) + zmalloc_size(n->lp);
    return total;
}

/* ---------- ends ---------- */

void ql_push(quicklist *ql, const void *s, size_t len, int where) {
    ql_node *end = where == QL_HEAD ? ql->head : ql->tail;
    if (!node_allows_insert(end, ql->fill, len)) {
        ql_node *n = node_create();
        link_node(ql, end, n, where == QL_TAIL);
        end = n;
    }
    node_push(end, s, len, where);
    ql->count++;
}

char *ql_pop(quicklist *ql, int where) {
    ql_node *n = where == QL_HEAD ? ql->head : ql->tail;
    if (!n) return NULL;
    unsigned char *p = where == QL_HEAD ? lp_first(n->lp) : lp_last(n->lp);
    unsigned char buf[LP_INTBUF_SIZE];
    size_t len;
    const unsigned char *bytes = lp_get_str(p, &len, buf);
    kstr out = kstr_new(bytes, len);
    node_delete_entry(ql, n, &p);
    return out;
}

/* ---------- random access ---------- */

/* Node and offset of index (already normalised to 0..count-1). */
static ql_node *locate(quicklist *ql, unsigned long index, long *offset) {
    if (index < ql->count / 2) {
        ql_node *n = ql->head;
        while (n && index >= n->count) {
            index -= n->count;
            n = n->next;
        }
        *offset = (long)index;
        return n;
    }
    unsigned long from_tail = ql->count - 1 - index;
    ql_node *n = ql->tail;
    while (n && from_tail >= n->count) {
        from_tail -= n->count;
        n = n->prev;
    }
    if (n) *offset = (long)(n->count - 1 - from_tail);
    return n;
}

/* index (negative from the tail) as 0..count-1; 0 when out of range. */
static int normalise_index(const quicklist *ql, long index, unsigned long *out) {
    if (index < 0) {
        unsigned long back = (unsigned long)(-(index + 1)) + 1;
        if (back > ql->count) return 0;
        *out = ql->count - back;
        return 1;
    }
    if ((unsigned long)index >= ql->count) return 0;
    *out = (unsigned long)index;
    return 1;
}

int ql_index(quicklist *ql, long index, ql_entry *e) {
    unsigned long idx;
    if (!normalise_index(ql, index, &idx)) return 0;
    long offset = 0;
    ql_node *n = locate(ql, idx, &offset);
    if (!n) return 0;
    fill_entry(e, ql, n, lp_seek(n->lp, offset), offset);
    return 1;
}

int ql_entry_equals(const ql_entry *e, const void *s, size_t len) {
    return lp_entry_equals(e->p, s, len);
}

void ql_insert(ql_entry *e, const void *s, size_t len, int after) {
    quicklist *ql = e->ql;
    ql_node *n = e->node;
    int at_tail = after && e->offset == (long)n->count - 1;
    int at_head = !after && e->offset == 0;
    if (node_allows_insert(n, ql->fill, len)) {
        n->lp = lp_insert_string(n->lp, s, len, e->p, after ? LP_AFTER : LP_BEFORE, NULL);
        n->count++;
        node_update(n);
    } else if (at_tail && node_allows_insert(n->next, ql->fill, len)) {
        node_push(n->next, s, len, QL_HEAD);
    } else if (at_head && node_allows_insert(n->prev, ql->fill, len)) {
        node_push(n->prev, s, len, QL_TAIL);
    } else if (at_tail || at_head) {
        ql_node *fresh = node_create();
        node_push(fresh, s, len, QL_TAIL);
        link_node(ql, n, fresh, after);
    } else {
        /* Full node, insertion inside it: split there, add to the half
         * that borders the position, then merge what fits. */
        ql_node *second = split_node(ql, n, e->offset, after);
        node_push(second, s, len, QL_HEAD);
        merge_around(ql, second);
    }
    ql->count++;
}

int ql_replace_at_index(quicklist *ql, long index, const void *s, size_t len) {
    ql_entry e;
    if (!ql_index(ql, index, &e)) return 0;
    ql_node *n = e.node;
    size_t old = lp_entry_size(e.p);
    size_t new_sz = n->sz - old + len + QL_SIZE_ESTIMATE_OVERHEAD;
    if (n->count == 1 || node_within_limits(new_sz, n->count, ql->fill)) {
        unsigned char *p = e.p;
        n->lp = lp_replace(n->lp, &p, s, len);
        node_update(n);
        return 1;
    }
    /* Too big for its node: insert the new value after the old one (which
     * may split the node), then delete the old one. */
    unsigned long idx = 0;
    normalise_index(ql, index, &idx);
    ql_insert(&e, s, len, 1);
    ql_del_range(ql, (long)idx, 1);
    return 1;
}

unsigned long ql_del_range(quicklist *ql, long start, unsigned long count) {
    unsigned long idx;
    if (count == 0 || !normalise_index(ql, start, &idx)) return 0;
    if (count > ql->count - idx) count = ql->count - idx;
    long offset = 0;
    ql_node *n = locate(ql, idx, &offset);
    unsigned long left = count;
    while (n && left) {
        ql_node *next = n->next;
        unsigned long in_node = n->count - (unsigned long)offset;
        unsigned long del = left < in_node ? left : in_node;
        if (del == n->count) {
            unlink_node(ql, n);
            node_free(n);
        } else {
            n->lp = lp_delete_range(n->lp, offset, del);
            n->count -= (unsigned int)del;
            node_update(n);
        }
        ql->count -= del;
        left -= del;
        offset = 0;
        n = next;
    }
    return count;
}

/* ---------- iteration ---------- */

void ql_iter_init(ql_iter *it, quicklist *ql, int dir) {
    it->ql = ql;
    it->dir = dir;
    it->node = dir == QL_HEAD ? ql->head : ql->tail;
    it->p = NULL;
    it->offset = 0;
    it->pending = 0;
}

int ql_iter_init_at(ql_iter *it, quicklist *ql, int dir, long index) {
    ql_entry e;
    ql_iter_init(it, ql, dir);
    if (!ql_index(ql, index, &e)) {
        it->node = NULL;
        return 0;
    }
    it->node = e.node;
    it->p = e.p;
    it->offset = e.offset;
    it->pending = 1;
    return 1;
}

int ql_next(ql_iter *it, ql_entry *e) {
    while (it->node) {
        ql_node *n = it->node;
        if (it->pending) {
            it->pending = 0;
        } else if (!it->p) {
            it->p = it->dir == QL_HEAD ? lp_first(n->lp) : lp_last(n->lp);
            it->offset = it->dir == QL_HEAD ? 0 : (long)n->count - 1;
        } else {
            it->p = it->dir == QL_HEAD ? lp_next(n->lp, it->p) : lp_prev(n->lp, it->p);
            it->offset += it->dir == QL_HEAD ? 1 : -1;
        }
        if (it->p) {
            fill_entry(e, it->ql, n, it->p, it->offset);
            return 1;
        }
        it->node = it->dir == QL_HEAD ? n->next : n->prev;
        it->p = NULL;
    }
    return 0;
}

void ql_iter_del(ql_iter *it, ql_entry *e) {
    ql_node *n = e->node;
    ql_node *after = it->dir == QL_HEAD ? n->next : n->prev;
    unsigned char *next = e->p;
    if (node_delete_entry(it->ql, n, &next)) {
        it->node = after;
        it->p = NULL;
        it->pending = 0;
        return;
    }
    if (it->dir == QL_HEAD) {
        /* The entry that followed now sits at the deleted one's offset. */
        if (next) {
            it->p = next;
            it->pending = 1;
        } else {
            it->node = after;
            it->p = NULL;
            it->pending = 0;
        }
        return;
    }
    unsigned char *prev = next ? lp_prev(n->lp, next) : lp_last(n->lp);
    if (prev) {
        it->p = prev;
        it->offset--;
        it->pending = 1;
    } else {
        it->node = after;
        it->p = NULL;
        it->pending = 0;
    }
}
