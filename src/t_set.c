/*
 * Set commands (SADD ... SSCAN) with Redis 7.0 semantics, replies and
 * error strings, and the set type itself (t_set.h): intset or hashtable.
 *
 * Reply orders follow Redis where they are defined by the encoding: an
 * intset yields ascending integers, so SMEMBERS, SUNION, SINTER of integer
 * sets answer exactly as Redis does; hashtables answer in hash order.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyspace.h"
#include "kstr_embed.h"
#include "notify.h"
#include "propagate.h"
#include "server.h"
#include "t_set.h"

/* ---------- the hashtable encoding ---------- */

static uint64_t member_hash(const void *k) {
    return dict_gen_hash(k, kstr_len((const kstr)k));
}

static int member_equal(const void *a, const void *b) {
    size_t la = kstr_len((const kstr)a);
    return la == kstr_len((const kstr)b) && memcmp(a, b, la) == 0;
}

static void member_free(void *k) {
    kstr_free(k);
}

/* kstr members -> no value; the dict owns the members. */
static const dict_type set_dict_type = {member_hash, NULL, member_equal, member_free, NULL};

/* ---------- members ---------- */

/* An integer member rendered as an embedded kstr in e->buf. */
static void elem_from_ll(set_elem *e, int64_t v) {
    char digits[LONG_STR_SIZE];
    int n = ll2string(digits, sizeof(digits), v);
    e->s = kstr_embed(e->buf, digits, (size_t)n);
    e->is_int = 1;
    e->ll = v;
}

static void elem_from_kstr(set_elem *e, kstr s) {
    e->s = s;
    e->is_int = 0;
    e->ll = 0;
}

kstr set_obj_kstr(kobj *o, char *buf) {
    if (o->encoding != OBJ_ENCODING_INT) return o->ptr;
    char digits[LONG_STR_SIZE];
    int n = ll2string(digits, sizeof(digits), (long)o->ptr);
    return kstr_embed(buf, digits, (size_t)n);
}

/* 1 with *v when s is an integer as Redis' intsets accept it (the
 * canonical decimal form of a 64-bit value). */
static int member_as_ll(const kstr s, long long *v) {
    return string2ll(s, kstr_len(s), v);
}

/* ---------- the set type ---------- */

kobj *set_type_create_intset(void) {
    kobj *o = obj_create(OBJ_SET, intset_new());
    o->encoding = OBJ_ENCODING_INTSET;
    return o;
}

static kobj *create_hashtable_set(void) {
    kobj *o = obj_create(OBJ_SET, dict_create(&set_dict_type));
    o->encoding = OBJ_ENCODING_HT;
    return o;
}

kobj *set_type_create(const kstr first) {
    long long v;
    return member_as_ll(first, &v) ? set_type_create_intset() : create_hashtable_set();
}

unsigned long set_type_size(const kobj *set) {
    if (set->encoding == OBJ_ENCODING_INTSET) return intset_len(set->ptr);
    return (unsigned long)dict_size(set->ptr);
}

/* intset -> hashtable, presized for the members. */
static void convert_to_hashtable(kobj *set) {
    intset *is = set->ptr;
    dict *d = dict_create(&set_dict_type);
    dict_expand(d, intset_len(is));
    int64_t v;
    for (uint32_t i = 0; intset_get(is, i, &v); i++) dict_add(d, kstr_from_ll(v), NULL);
    intset_free(is);
    set->ptr = d;
    set->encoding = OBJ_ENCODING_HT;
}

int set_type_add(kobj *set, const kstr member) {
    if (set->encoding == OBJ_ENCODING_INTSET) {
        long long v;
        if (member_as_ll(member, &v)) {
            int added;
            set->ptr = intset_add(set->ptr, v, &added);
            if (added && (long long)intset_len(set->ptr) > server.set_max_intset_entries)
                convert_to_hashtable(set);
            return added;
        }
        convert_to_hashtable(set);
    }
    dict *d = set->ptr;
    if (dict_find(d, member)) return 0;
    dict_add(d, kstr_new(member, kstr_len(member)), NULL);
    return 1;
}

int set_type_remove(kobj *set, const kstr member) {
    if (set->encoding == OBJ_ENCODING_INTSET) {
        long long v;
        int removed = 0;
        if (member_as_ll(member, &v)) set->ptr = intset_remove(set->ptr, v, &removed);
        return removed;
    }
    if (dict_delete(set->ptr, member) != DICT_OK) return 0;
    dict_resize_if_needed(set->ptr);
    return 1;
}

int set_type_is_member(kobj *set, const kstr member) {
    if (set->encoding == OBJ_ENCODING_INTSET) {
        long long v;
        return member_as_ll(member, &v) && intset_find(set->ptr, v);
    }
    return dict_find(set->ptr, member) != NULL;
}

/* A random hashtable member that does not favour short chains: sample a
 * few buckets and pick among what was found. */
static dict_entry *fair_random_member(dict *d) {
    dict_entry *sample[16];
    unsigned n = dict_sample_entries(d, sample, 16);
    if (n == 0) return dict_random_entry(d);
    return sample[(unsigned long)random() % n];
}

void set_type_random(kobj *set, set_elem *e) {
    if (set->encoding == OBJ_ENCODING_INTSET)
        elem_from_ll(e, intset_random(set->ptr));
    else
        elem_from_kstr(e, fair_random_member(set->ptr)->key);
}

void set_type_free_payload(kobj *set) {
    if (set->encoding == OBJ_ENCODING_INTSET)
        intset_free(set->ptr);
    else
        dict_release(set->ptr);
}

kobj *set_type_dup(kobj *set) {
    if (set->encoding == OBJ_ENCODING_INTSET) {
        kobj *o = obj_create(OBJ_SET, intset_dup(set->ptr));
        o->encoding = OBJ_ENCODING_INTSET;
        return o;
    }
    kobj *o = create_hashtable_set();
    dict_expand(o->ptr, dict_size(set->ptr));
    dict_iterator it;
    dict_iter_init(&it, set->ptr, 0);
    dict_entry *de;
    while ((de = dict_next(&it))) dict_add(o->ptr, kstr_dup(de->key), NULL);
    dict_iter_reset(&it);
    return o;
}

size_t set_type_payload_memory(kobj *set, size_t samples) {
    if (set->encoding == OBJ_ENCODING_INTSET) return zmalloc_size(set->ptr);
    dict *d = set->ptr;
    size_t total = sizeof(dict) + dict_buckets(d) * sizeof(dict_entry *);
    size_t n = dict_size(d);
    if (n == 0) return total;
    size_t seen = 0, bytes = 0;
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    dict_entry *de;
    while ((de = dict_next(&it)) && (samples == 0 || seen < samples)) {
        bytes += kstr_alloc_size(de->key) + zmalloc_size(de);
        seen++;
    }
    dict_iter_reset(&it);
    return total + (seen == n ? bytes : (size_t)((double)bytes / (double)seen * (double)n));
}

size_t set_type_free_effort(const kobj *set) {
    return set->encoding == OBJ_ENCODING_INTSET ? 1 : dict_size(set->ptr);
}

void set_iter_init(set_iter *it, kobj *set) {
    it->set = set;
    it->pos = 0;
    if (set->encoding == OBJ_ENCODING_HT) dict_iter_init(&it->di, set->ptr, 0);
}

int set_iter_next(set_iter *it, set_elem *e) {
    if (it->set->encoding == OBJ_ENCODING_INTSET) {
        int64_t v;
        if (!intset_get(it->set->ptr, it->pos++, &v)) return 0;
        elem_from_ll(e, v);
        return 1;
    }
    dict_entry *de = dict_next(&it->di);
    if (!de) return 0;
    elem_from_kstr(e, de->key);
    return 1;
}

void set_iter_release(set_iter *it) {
    if (it->set->encoding == OBJ_ENCODING_HT) dict_iter_reset(&it->di);
}

/* ---------- helpers ---------- */

/* Looks up a set for writing: NULL without a reply when absent; NULL
 * after replying WRONGTYPE (*err = 1) for another type. */
static kobj *lookup_set(client *c, kobj *key, int write, int *err) {
    kobj *o = write ? db_lookup_write(c->db, key) : db_lookup_read(c->db, key);
    *err = 0;
    if (o && o->type != OBJ_SET) {
        add_reply_error_wrongtype(c);
        *err = 1;
        return NULL;
    }
    return o;
}

static void reply_elem(client *c, const set_elem *e) {
    if (e->is_int)
        add_reply_bulk_ll(c, e->ll);
    else
        add_reply_bulk_buf(c, e->s, kstr_len(e->s));
}

static void reply_empty_set(client *c) {
    add_reply_set_len(c, 0);
}

/* Deletes key when set became empty; notifies "del". */
static void delete_if_empty(client *c, kobj *key, kobj *set) {
    if (set_type_size(set) != 0) return;
    db_delete(c->db, key);
    notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
}

/* Stores result into dstkey (replacing whatever was there, TTL included)
 * or deletes dstkey when result is empty; replies the size and notifies
 * event. Consumes the caller's reference to result. */
static void store_result(client *c, kobj *dstkey, kobj *result, const char *event) {
    unsigned long n = set_type_size(result);
    if (n > 0) {
        db_set_key(c->db, dstkey, result, 0);
        add_reply_ll(c, (long long)n);
        notify_keyspace_event(NOTIFY_SET, event, dstkey, c->db->id);
        server.dirty++;
    } else {
        add_reply_ll(c, 0);
        if (db_delete(c->db, dstkey)) {
            signal_modified_key(c, c->db, dstkey);
            notify_keyspace_event(NOTIFY_GENERIC, "del", dstkey, c->db->id);
            server.dirty++;
        }
    }
    decr_ref(result);
}

/* ---------- SADD SREM SMOVE ---------- */

static void sadd_command(client *c) {
    int err;
    kobj *set = lookup_set(c, c->argv[1], 1, &err);
    if (err) return;
    char buf[48];
    if (!set) {
        set = set_type_create(set_obj_kstr(c->argv[2], buf));
        db_add(c->db, c->argv[1], set);
    }
    long long added = 0;
    for (int j = 2; j < c->argc; j++) added += set_type_add(set, set_obj_kstr(c->argv[j], buf));
    if (added) {
        signal_modified_key(c, c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_SET, "sadd", c->argv[1], c->db->id);
    }
    server.dirty += added;
    add_reply_ll(c, added);
}

static void srem_command(client *c) {
    int err;
    kobj *set = lookup_set(c, c->argv[1], 1, &err);
    if (err) return;
    if (!set) {
        add_reply_ll(c, 0);
        return;
    }
    long long deleted = 0;
    int key_removed = 0;
    char buf[48];
    for (int j = 2; j < c->argc; j++) {
        if (!set_type_remove(set, set_obj_kstr(c->argv[j], buf))) continue;
        deleted++;
        if (set_type_size(set) == 0) {
            db_delete(c->db, c->argv[1]);
            key_removed = 1;
            break;
        }
    }
    if (deleted) {
        signal_modified_key(c, c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_SET, "srem", c->argv[1], c->db->id);
        if (key_removed) notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->db->id);
    }
    server.dirty += deleted;
    add_reply_ll(c, deleted);
}

static void smove_command(client *c) {
    kobj *src = db_lookup_write(c->db, c->argv[1]);
    kobj *dst = db_lookup_write(c->db, c->argv[2]);
    char buf[48];
    kstr member = set_obj_kstr(c->argv[3], buf);
    if (!src) {
        add_reply_ll(c, 0);
        return;
    }
    if (src->type != OBJ_SET || (dst && dst->type != OBJ_SET)) {
        add_reply_error_wrongtype(c);
        return;
    }
    if (src == dst) {
        add_reply_ll(c, set_type_is_member(src, member));
        return;
    }
    if (!set_type_remove(src, member)) {
        add_reply_ll(c, 0);
        return;
    }
    notify_keyspace_event(NOTIFY_SET, "srem", c->argv[1], c->db->id);
    delete_if_empty(c, c->argv[1], src);
    if (!dst) {
        dst = set_type_create(member);
        db_add(c->db, c->argv[2], dst);
    }
    signal_modified_key(c, c->db, c->argv[1]);
    server.dirty++;
    if (set_type_add(dst, member)) {
        signal_modified_key(c, c->db, c->argv[2]);
        notify_keyspace_event(NOTIFY_SET, "sadd", c->argv[2], c->db->id);
        server.dirty++;
    }
    add_reply_ll(c, 1);
}

/* ---------- membership and size ---------- */

static void sismember_command(client *c) {
    int err;
    kobj *set = lookup_set(c, c->argv[1], 0, &err);
    if (err) return;
    char buf[48];
    add_reply_ll(c, set && set_type_is_member(set, set_obj_kstr(c->argv[2], buf)));
}

static void smismember_command(client *c) {
    int err;
    kobj *set = lookup_set(c, c->argv[1], 0, &err);
    if (err) return;
    char buf[48];
    add_reply_array_len(c, c->argc - 2);
    for (int j = 2; j < c->argc; j++)
        add_reply_ll(c, set && set_type_is_member(set, set_obj_kstr(c->argv[j], buf)));
}

static void scard_command(client *c) {
    int err;
    kobj *set = lookup_set(c, c->argv[1], 0, &err);
    if (err) return;
    add_reply_ll(c, set ? (long long)set_type_size(set) : 0);
}

/* ---------- SPOP ---------- */

/* Above this ratio of popped to remaining members, SPOP builds the set of
 * survivors instead of removing members one by one (Redis' rule). */
#define SPOP_MOVE_STRATEGY_MUL 5

static void reply_whole_set(client *c, kobj *set) {
    set_iter it;
    set_elem e;
    add_reply_set_len(c, (long)set_type_size(set));
    set_iter_init(&it, set);
    while (set_iter_next(&it, &e)) reply_elem(c, &e);
    set_iter_release(&it);
}

/* Queues SREM key member for one member SPOP popped. */
static void propagate_srem(client *c, const kstr member) {
    kobj *argv[3];
    argv[0] = propagate_word("SREM");
    argv[1] = c->argv[1];
    argv[2] = obj_create_string(member, kstr_len(member));
    propagate_also(c->db->id, argv, 3);
    decr_ref(argv[2]);
}

static void spop_with_count(client *c) {
    long count;
    if (get_positive_long_from_obj_or_reply(c, c->argv[2], &count, NULL) != C_OK) return;
    int err;
    kobj *set = lookup_set(c, c->argv[1], 1, &err);
    if (err) return;
    if (!set || count == 0) {
        reply_empty_set(c);
        return;
    }
    unsigned long size = set_type_size(set);
    notify_keyspace_event(NOTIFY_SET, "spop", c->argv[1], c->db->id);
    server.dirty += (unsigned long)count >= size ? (long long)size : count;

    if ((unsigned long)count >= size) {
        reply_whole_set(c, set);
        db_delete(c->db, c->argv[1]);
        notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->db->id);
        signal_modified_key(c, c->db, c->argv[1]);
        /* Propagated as DEL key. */
        propagate_rewrite_objs(c, 2, propagate_word("DEL"), c->argv[1]);
        return;
    }
    /* Propagated as one SREM key member per popped member, instead of the
     * random SPOP itself. */
    propagate_prevent(c);
    unsigned long remaining = size - (unsigned long)count;
    set_elem e;
    add_reply_set_len(c, count);
    if (remaining * SPOP_MOVE_STRATEGY_MUL > (unsigned long)count) {
        while (count--) {
            set_type_random(set, &e);
            reply_elem(c, &e);
            /* e.s may be the dict's own key: copy before removing. */
            kstr copy = kstr_new(e.s, kstr_len(e.s));
            propagate_srem(c, copy);
            set_type_remove(set, copy);
            kstr_free(copy);
        }
    } else {
        kobj *survivors = NULL;
        while (remaining--) {
            set_type_random(set, &e);
            kstr copy = kstr_new(e.s, kstr_len(e.s));
            if (!survivors) survivors = set_type_create(copy);
            set_type_add(survivors, copy);
            set_type_remove(set, copy);
            kstr_free(copy);
        }
        set_iter it;
        set_iter_init(&it, set);
        while (set_iter_next(&it, &e)) {
            reply_elem(c, &e);
            propagate_srem(c, e.s);
        }
        set_iter_release(&it);
        db_overwrite(c->db, c->argv[1], survivors);
    }
    signal_modified_key(c, c->db, c->argv[1]);
}

/* SPOP and SRANDMEMBER without a count: argument check, lookup (write
 * for SPOP), then one random member in *e. Returns the set, or NULL once
 * it replied (an error, or a null reply for a missing key). */
static kobj *single_random_member(client *c, int write, set_elem *e) {
    if (c->argc > 3) {
        add_reply_error_syntax(c);
        return NULL;
    }
    int err;
    kobj *set = lookup_set(c, c->argv[1], write, &err);
    if (err) return NULL;
    if (!set) {
        add_reply_null(c);
        return NULL;
    }
    set_type_random(set, e);
    return set;
}

static void spop_command(client *c) {
    if (c->argc == 3) {
        spop_with_count(c);
        return;
    }
    set_elem e;
    kobj *set = single_random_member(c, 1, &e);
    if (!set) return;
    /* e.s may be the set's own copy: keep one past the removal. */
    kstr popped = kstr_new(e.s, kstr_len(e.s));
    set_type_remove(set, popped);
    notify_keyspace_event(NOTIFY_SET, "spop", c->argv[1], c->db->id);
    kobj *member = obj_create_string(popped, kstr_len(popped));
    add_reply_bulk_kstr(c, popped);
    delete_if_empty(c, c->argv[1], set);
    signal_modified_key(c, c->db, c->argv[1]);
    server.dirty++;
    /* Propagated as SREM key member. */
    propagate_rewrite_objs(c, 3, propagate_word("SREM"), c->argv[1], member);
    decr_ref(member);
}

/* ---------- SRANDMEMBER ---------- */

/* Below this ratio of set size to requested members, SRANDMEMBER copies
 * the set and removes random members instead of sampling (Redis' rule). */
#define SRANDMEMBER_SUB_STRATEGY_MUL 3

static void srandmember_with_count(client *c) {
    long l;
    if (get_range_long_from_obj_or_reply(c, c->argv[2], -LONG_MAX, LONG_MAX, &l, NULL) != C_OK)
        return;
    int uniq = l >= 0;
    unsigned long count = l >= 0 ? (unsigned long)l : 0UL - (unsigned long)l;
    int err;
    kobj *set = lookup_set(c, c->argv[1], 0, &err);
    if (err) return;
    if (!set || count == 0) {
        add_reply_array_len(c, 0);
        return;
    }
    unsigned long size = set_type_size(set);
    set_elem e;
    if (!uniq || count == 1) {
        add_reply_array_len(c, (long)count);
        while (count--) {
            set_type_random(set, &e);
            reply_elem(c, &e);
            if (c->flags & CLIENT_CLOSE_ASAP) break;
        }
        return;
    }
    if (count >= size) {
        set_iter it;
        add_reply_array_len(c, (long)size);
        set_iter_init(&it, set);
        while (set_iter_next(&it, &e)) reply_elem(c, &e);
        set_iter_release(&it);
        return;
    }
    /* Distinct members: a temporary set of copies. */
    dict *pick = dict_create(&set_dict_type);
    if (count * SRANDMEMBER_SUB_STRATEGY_MUL > size) {
        set_iter it;
        dict_expand(pick, size);
        set_iter_init(&it, set);
        while (set_iter_next(&it, &e)) dict_add(pick, kstr_new(e.s, kstr_len(e.s)), NULL);
        set_iter_release(&it);
        while (size > count) {
            dict_entry *de = fair_random_member(pick);
            dict_delete(pick, de->key);
            size--;
        }
    } else {
        dict_expand(pick, count);
        while (dict_size(pick) < count) {
            set_type_random(set, &e);
            if (!dict_find(pick, e.s)) dict_add(pick, kstr_new(e.s, kstr_len(e.s)), NULL);
        }
    }
    add_reply_array_len(c, (long)count);
    dict_iterator it;
    dict_iter_init(&it, pick, 0);
    dict_entry *de;
    while ((de = dict_next(&it))) add_reply_bulk_buf(c, de->key, kstr_len(de->key));
    dict_iter_reset(&it);
    dict_release(pick);
}

static void srandmember_command(client *c) {
    if (c->argc == 3) {
        srandmember_with_count(c);
        return;
    }
    set_elem e;
    if (single_random_member(c, 0, &e)) reply_elem(c, &e);
}

/* ---------- SINTER SINTERCARD SINTERSTORE SMEMBERS ---------- */

/* Looks up every key: missing keys are NULL (empty sets). Returns the
 * number missing, or -1 after replying WRONGTYPE. */
static int lookup_sets(client *c, kobj **keys, long n, kobj **sets) {
    int missing = 0;
    for (long j = 0; j < n; j++) {
        kobj *o = db_lookup_read(c->db, keys[j]);
        if (o && o->type != OBJ_SET) {
            add_reply_error_wrongtype(c);
            return -1;
        }
        sets[j] = o;
        if (!o) missing++;
    }
    return missing;
}

static int cmp_by_size(const void *a, const void *b) {
    unsigned long sa = set_type_size(*(kobj *const *)a), sb = set_type_size(*(kobj *const *)b);
    return sa < sb ? -1 : sa > sb;
}

static int cmp_by_size_desc(const void *a, const void *b) {
    kobj *oa = *(kobj *const *)a, *ob = *(kobj *const *)b;
    unsigned long sa = oa ? set_type_size(oa) : 0, sb = ob ? set_type_size(ob) : 0;
    return sa > sb ? -1 : sa < sb;
}

/* Is e a member of set? Integer members of two intsets compare without
 * rendering. */
static int elem_in(kobj *set, const set_elem *e) {
    if (e->is_int && set->encoding == OBJ_ENCODING_INTSET) return intset_find(set->ptr, e->ll);
    return set_type_is_member(set, e->s);
}

enum inter_mode { INTER_REPLY, INTER_CARD, INTER_STORE };

static void sinter_generic(client *c, kobj **keys, long n, kobj *dstkey, enum inter_mode mode,
                           unsigned long limit) {
    kobj **sets = zmalloc(sizeof(kobj *) * (size_t)n);
    int missing = lookup_sets(c, keys, n, sets);
    if (missing < 0) {
        zfree(sets);
        return;
    }
    if (missing > 0) {
        zfree(sets);
        if (mode == INTER_STORE) {
            if (db_delete(c->db, dstkey)) {
                signal_modified_key(c, c->db, dstkey);
                notify_keyspace_event(NOTIFY_GENERIC, "del", dstkey, c->db->id);
                server.dirty++;
            }
            add_reply_ll(c, 0);
        } else if (mode == INTER_CARD) {
            add_reply_ll(c, 0);
        } else {
            reply_empty_set(c);
        }
        return;
    }
    qsort(sets, (size_t)n, sizeof(kobj *), cmp_by_size);

    kobj *result = mode == INTER_STORE ? set_type_create_intset() : NULL;
    void *deferred = mode == INTER_REPLY ? add_reply_deferred_len(c) : NULL;
    unsigned long cardinality = 0;
    set_iter it;
    set_elem e;
    set_iter_init(&it, sets[0]);
    while (set_iter_next(&it, &e)) {
        long j;
        for (j = 1; j < n; j++) {
            if (sets[j] == sets[0]) continue;
            if (!elem_in(sets[j], &e)) break;
        }
        if (j < n) continue;
        cardinality++;
        if (mode == INTER_REPLY) {
            reply_elem(c, &e);
        } else if (mode == INTER_STORE) {
            set_type_add(result, e.s);
        } else if (limit && cardinality >= limit) {
            break;
        }
    }
    set_iter_release(&it);
    zfree(sets);

    if (mode == INTER_CARD)
        add_reply_ll(c, (long long)cardinality);
    else if (mode == INTER_STORE)
        store_result(c, dstkey, result, "sinterstore");
    else
        set_deferred_set_len(c, deferred, (long)cardinality);
}

static void sinter_command(client *c) {
    sinter_generic(c, c->argv + 1, c->argc - 1, NULL, INTER_REPLY, 0);
}

static void sintercard_command(client *c) {
    long numkeys, limit = 0;
    if (get_range_long_from_obj_or_reply(c, c->argv[1], 1, LONG_MAX, &numkeys,
                                         "numkeys should be greater than 0") != C_OK)
        return;
    if (numkeys > c->argc - 2) {
        add_reply_error(c, "ERR Number of keys can't be greater than number of args");
        return;
    }
    for (long j = 2 + numkeys; j < c->argc; j++) {
        int more = c->argc - 1 - (int)j;
        if (arg_is(c->argv[j], "limit") && more) {
            j++;
            if (get_positive_long_from_obj_or_reply(c, c->argv[j], &limit,
                                                    "ERR LIMIT can't be negative") != C_OK)
                return;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    sinter_generic(c, c->argv + 2, numkeys, NULL, INTER_CARD, (unsigned long)limit);
}

static void sinterstore_command(client *c) {
    sinter_generic(c, c->argv + 2, c->argc - 2, c->argv[1], INTER_STORE, 0);
}

/* ---------- SUNION SDIFF and their STORE forms ---------- */

enum set_op { SET_OP_UNION, SET_OP_DIFF };

/* The difference, by one of Redis' two algorithms: test each member of the
 * first set against the others (fewer operations when members are shared),
 * or copy the first set and remove every member of the others. */
static void diff_into(kobj *result, kobj **sets, long n) {
    long long work_one = 0, work_two = 0;
    for (long j = 0; j < n; j++) {
        if (!sets[j]) continue;
        work_one += (long long)set_type_size(sets[0]);
        work_two += (long long)set_type_size(sets[j]);
    }
    work_one /= 2;
    set_iter it;
    set_elem e;
    if (work_one <= work_two) {
        if (n > 1) qsort(sets + 1, (size_t)(n - 1), sizeof(kobj *), cmp_by_size_desc);
        set_iter_init(&it, sets[0]);
        while (set_iter_next(&it, &e)) {
            long j;
            for (j = 1; j < n; j++) {
                if (!sets[j]) continue;
                if (sets[j] == sets[0] || elem_in(sets[j], &e)) break;
            }
            if (j == n) set_type_add(result, e.s);
        }
        set_iter_release(&it);
        return;
    }
    for (long j = 0; j < n; j++) {
        if (!sets[j]) continue;
        set_iter_init(&it, sets[j]);
        while (set_iter_next(&it, &e)) {
            if (j == 0)
                set_type_add(result, e.s);
            else
                set_type_remove(result, e.s);
        }
        set_iter_release(&it);
        if (set_type_size(result) == 0) break;
    }
}

static void sunion_diff_generic(client *c, kobj **keys, long n, kobj *dstkey, enum set_op op) {
    kobj **sets = zmalloc(sizeof(kobj *) * (size_t)n);
    if (lookup_sets(c, keys, n, sets) < 0) {
        zfree(sets);
        return;
    }
    int sameset = 0;
    for (long j = 1; j < n; j++)
        if (sets[j] && sets[j] == sets[0]) sameset = 1;

    kobj *result = set_type_create_intset();
    if (op == SET_OP_UNION) {
        set_iter it;
        set_elem e;
        for (long j = 0; j < n; j++) {
            if (!sets[j]) continue;
            set_iter_init(&it, sets[j]);
            while (set_iter_next(&it, &e)) set_type_add(result, e.s);
            set_iter_release(&it);
        }
    } else if (sets[0] && !sameset) {
        diff_into(result, sets, n);
    }
    zfree(sets);

    if (dstkey) {
        store_result(c, dstkey, result, op == SET_OP_UNION ? "sunionstore" : "sdiffstore");
        return;
    }
    reply_whole_set(c, result);
    decr_ref(result);
}

static void sunion_command(client *c) {
    sunion_diff_generic(c, c->argv + 1, c->argc - 1, NULL, SET_OP_UNION);
}

static void sunionstore_command(client *c) {
    sunion_diff_generic(c, c->argv + 2, c->argc - 2, c->argv[1], SET_OP_UNION);
}

static void sdiff_command(client *c) {
    sunion_diff_generic(c, c->argv + 1, c->argc - 1, NULL, SET_OP_DIFF);
}

static void sdiffstore_command(client *c) {
    sunion_diff_generic(c, c->argv + 2, c->argc - 2, c->argv[1], SET_OP_DIFF);
}

/* ---------- SSCAN ---------- */

typedef struct member_batch {
    kstr *items;
    long n, cap;
} member_batch;

static void batch_push(member_batch *b, kstr s) {
    if (b->n == b->cap) {
        b->cap = b->cap ? b->cap * 2 : 16;
        b->items = zrealloc(b->items, sizeof(kstr) * (size_t)b->cap);
    }
    b->items[b->n++] = s;
}

static void scan_collect_member(void *privdata, const dict_entry *de) {
    batch_push(privdata, kstr_dup(de->key));
}

static void sscan_command(client *c) {
    unsigned long cursor;
    if (parse_scan_cursor(c, c->argv[2], &cursor) != C_OK) return;
    int err;
    kobj *set = lookup_set(c, c->argv[1], 0, &err);
    if (err) return;
    if (!set) {
        add_reply_empty_scan(c);
        return;
    }
    long count;
    kstr pattern;
    if (parse_collection_scan_options(c, &count, &pattern) != C_OK) return;

    member_batch b = {NULL, 0, 0};
    if (set->encoding == OBJ_ENCODING_INTSET) {
        /* Small encodings are returned whole, with cursor 0. */
        int64_t v;
        for (uint32_t i = 0; intset_get(set->ptr, i, &v); i++) batch_push(&b, kstr_from_ll(v));
        cursor = 0;
    } else {
        long max_iterations = count > LONG_MAX / 10 ? LONG_MAX : count * 10;
        do {
            cursor = dict_scan(set->ptr, cursor, scan_collect_member, &b);
        } while (cursor && max_iterations-- && b.n < count);
    }

    char buf[LONG_STR_SIZE];
    int len = ull2string(buf, sizeof(buf), cursor);
    add_reply_array_len(c, 2);
    add_reply_bulk_buf(c, buf, (size_t)len);
    void *deferred = add_reply_deferred_len(c);
    long kept = 0;
    for (long i = 0; i < b.n; i++) {
        kstr s = b.items[i];
        if (!pattern || string_match_len(pattern, kstr_len(pattern), s, kstr_len(s), 0)) {
            add_reply_bulk_buf(c, s, kstr_len(s));
            kept++;
        }
        kstr_free(s);
    }
    set_deferred_array_len(c, deferred, kept);
    zfree(b.items);
}

/* ---------- command table ---------- */

#define SET_CMD(n, p, ar, fl, fk, lk, sum, since_, cx, acl, syn)                                   \
    {                                                                                              \
        .name = n, .proc = p, .arity = ar, .flags = fl, .first_key = fk, .last_key = lk,           \
        .key_step = (fk) ? 1 : 0, .group = "set", .summary = sum, .since = since_,                 \
        .complexity = cx, .acl_categories = acl, .syntax = syn                                     \
    }

kcommand set_commands[] = {
    SET_CMD("sadd", sadd_command, -3, CMD_WRITE | CMD_DENYOOM | CMD_FAST, 1, 1,
            "Add one or more members to a set", "1.0.0",
            "O(1) for each element added, so O(N) to add N elements when the command is called "
            "with multiple arguments.",
            "@write @set @fast", "key member [member ...]"),
    SET_CMD("srem", srem_command, -3, CMD_WRITE | CMD_FAST, 1, 1,
            "Remove one or more members from a set", "1.0.0",
            "O(N) where N is the number of members to be removed.", "@write @set @fast",
            "key member [member ...]"),
    SET_CMD("smove", smove_command, 4, CMD_WRITE | CMD_FAST, 1, 2,
            "Move a member from one set to another", "1.0.0", "O(1)", "@write @set @fast",
            "source destination member"),
    SET_CMD("sismember", sismember_command, 3, CMD_READONLY | CMD_FAST, 1, 1,
            "Determine if a given value is a member of a set", "1.0.0", "O(1)", "@read @set @fast",
            "key member"),
    SET_CMD("smismember", smismember_command, -3, CMD_READONLY | CMD_FAST, 1, 1,
            "Returns the membership associated with the given elements for a set", "6.2.0",
            "O(N) where N is the number of elements being checked for membership",
            "@read @set @fast", "key member [member ...]"),
    SET_CMD("scard", scard_command, 2, CMD_READONLY | CMD_FAST, 1, 1,
            "Get the number of members in a set", "1.0.0", "O(1)", "@read @set @fast", "key"),
    SET_CMD("spop", spop_command, -2, CMD_WRITE | CMD_FAST, 1, 1,
            "Remove and return one or multiple random members from a set", "1.0.0",
            "Without the count argument O(1), otherwise O(N) where N is the value of the passed "
            "count.",
            "@write @set @fast", "key [count]"),
    SET_CMD("srandmember", srandmember_command, -2, CMD_READONLY, 1, 1,
            "Get one or multiple random members from a set", "1.0.0",
            "Without the count argument O(1), otherwise O(N) where N is the absolute value of "
            "the passed count.",
            "@read @set @slow", "key [count]"),
    SET_CMD("smembers", sinter_command, 2, CMD_READONLY, 1, 1, "Get all the members in a set",
            "1.0.0", "O(N) where N is the set cardinality.", "@read @set @slow", "key"),
    SET_CMD("sinter", sinter_command, -2, CMD_READONLY, 1, -1, "Intersect multiple sets", "1.0.0",
            "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
            "number of sets.",
            "@read @set @slow", "key [key ...]"),
    SET_CMD("sintercard", sintercard_command, -3, CMD_READONLY, 0, 0,
            "Intersect multiple sets and return the cardinality of the result", "7.0.0",
            "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
            "number of sets.",
            "@read @set @slow", "numkeys key [key ...] [LIMIT limit]"),
    SET_CMD("sinterstore", sinterstore_command, -3, CMD_WRITE | CMD_DENYOOM, 1, -1,
            "Intersect multiple sets and store the resulting set in a key", "1.0.0",
            "O(N*M) worst case where N is the cardinality of the smallest set and M is the "
            "number of sets.",
            "@write @set @slow", "destination key [key ...]"),
    SET_CMD("sunion", sunion_command, -2, CMD_READONLY, 1, -1, "Add multiple sets", "1.0.0",
            "O(N) where N is the total number of elements in all given sets.", "@read @set @slow",
            "key [key ...]"),
    SET_CMD("sunionstore", sunionstore_command, -3, CMD_WRITE | CMD_DENYOOM, 1, -1,
            "Add multiple sets and store the resulting set in a key", "1.0.0",
            "O(N) where N is the total number of elements in all given sets.", "@write @set @slow",
            "destination key [key ...]"),
    SET_CMD("sdiff", sdiff_command, -2, CMD_READONLY, 1, -1, "Subtract multiple sets", "1.0.0",
            "O(N) where N is the total number of elements in all given sets.", "@read @set @slow",
            "key [key ...]"),
    SET_CMD("sdiffstore", sdiffstore_command, -3, CMD_WRITE | CMD_DENYOOM, 1, -1,
            "Subtract multiple sets and store the resulting set in a key", "1.0.0",
            "O(N) where N is the total number of elements in all given sets.", "@write @set @slow",
            "destination key [key ...]"),
    SET_CMD("sscan", sscan_command, -3, CMD_READONLY, 1, 1, "Incrementally iterate Set elements",
            "2.8.0",
            "O(1) for every call. O(N) for a complete iteration, including enough command calls "
            "for the cursor to return back to 0. N is the number of elements inside the "
            "collection..",
            "@read @set @slow", "key cursor [MATCH pattern] [COUNT count]"),
    {.name = NULL}};
