/*
 * List commands with Redis 7.0 replies and error texts: LPUSH RPUSH LPUSHX
 * RPUSHX LINSERT LLEN LINDEX LSET LPOP RPOP LRANGE LTRIM LREM LPOS LMOVE
 * RPOPLPUSH LMPOP and the blocking BLPOP BRPOP BLMOVE BRPOPLPUSH BLMPOP.
 *
 * A list that becomes empty is deleted. Every change signals the key as
 * modified (WATCH) and publishes Redis' keyspace events; a list created by
 * a push may serve blocked clients (db_add signals it ready).
 *
 * Blocking commands first try to serve themselves like their non-blocking
 * forms; with nothing to pop they block (blocked.c), except inside EXEC
 * where they reply as on timeout. When a key they wait on gets a list,
 * blocked.c runs them again.
 *
 * Main thread only.
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "blocked.h"
#include "keyspace.h"
#include "notify.h"
#include "propagate.h"
#include "server.h"
#include "t_list.h"

/* ---------- the type ---------- */

kobj *list_type_create(void) {
    kobj *o =
        obj_create(OBJ_LIST, ql_create(server.list_max_listpack_size, server.list_compress_depth));
    o->encoding = OBJ_ENCODING_QUICKLIST;
    return o;
}

void list_type_push(kobj *list, kobj *value, int where) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = string_obj_ptr(value, buf, sizeof(buf), &len);
    ql_push(list->ptr, p, len, where);
}

unsigned long list_type_length(const kobj *list) {
    return ql_count(list->ptr);
}

void list_type_free_payload(kobj *list) {
    ql_release(list->ptr);
    list->ptr = NULL;
}

kobj *list_type_dup(kobj *list) {
    kobj *o = obj_create(OBJ_LIST, ql_dup(list->ptr));
    o->encoding = OBJ_ENCODING_QUICKLIST;
    return o;
}

size_t list_type_payload_memory(const kobj *list) {
    return ql_memory(list->ptr);
}

size_t list_type_free_effort(const kobj *list) {
    const quicklist *ql = list->ptr;
    return ql->len ? ql->len : 1;
}

/* ---------- helpers ---------- */

/* The bytes of a string argument. */
static const char *arg_bytes(kobj *o, char *buf, size_t *len) {
    return string_obj_ptr(o, buf, LONG_STR_SIZE, len);
}

static void reply_entry(client *c, const ql_entry *e) {
    if (e->str)
        add_reply_bulk_buf(c, e->str, e->len);
    else
        add_reply_bulk_ll(c, e->ival);
}

/* A list value at key, for writing: NULL after replying `missing` (a
 * function) when absent, or after WRONGTYPE. *wrongtype tells which. */
static kobj *lookup_list_write(client *c, kobj *key, int *wrongtype) {
    kobj *o = db_lookup_write(c->db, key);
    *wrongtype = 0;
    if (o && o->type != OBJ_LIST) {
        add_reply_error_wrongtype(c);
        *wrongtype = 1;
        return NULL;
    }
    return o;
}

static kobj *lookup_list_read(client *c, kobj *key, int *wrongtype) {
    kobj *o = db_lookup_read(c->db, key);
    *wrongtype = 0;
    if (o && o->type != OBJ_LIST) {
        add_reply_error_wrongtype(c);
        *wrongtype = 1;
        return NULL;
    }
    return o;
}

/* LEFT / RIGHT arguments; replies a syntax error on anything else. */
static int position_or_reply(client *c, kobj *arg, int *where) {
    if (arg_is(arg, "left")) {
        *where = QL_HEAD;
    } else if (arg_is(arg, "right")) {
        *where = QL_TAIL;
    } else {
        add_reply_error_syntax(c);
        return C_ERR;
    }
    return C_OK;
}

/* After count elements were removed from the list at key: the pop event,
 * the deletion of an emptied list, WATCH, the change count. Returns 1 if
 * the key was deleted. */
static int elements_removed(client *c, kdb *db, kobj *key, kobj *list, int where, long count) {
    notify_keyspace_event(NOTIFY_LIST, where == QL_HEAD ? "lpop" : "rpop", key, db->id);
    int deleted = 0;
    if (list_type_length(list) == 0) {
        db_delete(db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key, db->id);
        deleted = 1;
    }
    signal_modified_key(c, db, key);
    server.dirty += count;
    return deleted;
}

/* Blocking and multi-key pops propagate as the plain pop they performed:
 * LPOP|RPOP key [count]. */
static void propagate_as_pop(client *c, kobj *key, int where, long count) {
    kobj *name = propagate_word(where == QL_HEAD ? "LPOP" : "RPOP");
    if (count < 0) {
        propagate_rewrite_objs(c, 2, name, key);
        return;
    }
    kobj *n = obj_create_from_ll(count);
    propagate_rewrite_objs(c, 3, name, key, n);
    decr_ref(n);
}

/* Replies elements start..end (Redis' LRANGE index rules) of the list, from
 * end to start when reverse. */
static void reply_range(client *c, kobj *list, long start, long end, int reverse) {
    quicklist *ql = list->ptr;
    long llen = (long)ql_count(ql);
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        add_reply_array_len(c, 0);
        return;
    }
    if (end >= llen) end = llen - 1;
    long rangelen = end - start + 1;
    add_reply_array_len(c, rangelen);
    ql_iter it;
    ql_entry e;
    ql_iter_init_at(&it, ql, reverse ? QL_TAIL : QL_HEAD, reverse ? end : start);
    while (rangelen-- > 0 && ql_next(&it, &e)) reply_entry(c, &e);
}

/* Pops up to count elements from one end, replying [key, [elements]]
 * (LMPOP, BLMPOP, propagated as LPOP|RPOP key n). */
static void pop_range_with_key(client *c, kobj *key, kobj *list, int where, long count) {
    long llen = (long)list_type_length(list);
    long rangelen = count > llen ? llen : count;
    long rangestart = where == QL_HEAD ? 0 : -rangelen;
    long rangeend = where == QL_HEAD ? rangelen - 1 : -1;
    add_reply_array_len(c, 2);
    add_reply_bulk(c, key);
    reply_range(c, list, rangestart, rangeend, where == QL_TAIL);
    ql_del_range(list->ptr, rangestart, (unsigned long)rangelen);
    incr_ref(key); /* key may be an argument the rewrite releases */
    elements_removed(c, c->db, key, list, where, rangelen);
    propagate_as_pop(c, key, where, rangelen);
    decr_ref(key);
}

/* ---------- pushes ---------- */

static void push_generic(client *c, int where, int only_existing) {
    int wrongtype;
    kobj *key = c->argv[1];
    kobj *list = lookup_list_write(c, key, &wrongtype);
    if (wrongtype) return;
    if (!list) {
        if (only_existing) {
            add_reply_ll(c, 0);
            return;
        }
        list = list_type_create();
        db_add(c->db, key, list);
    }
    for (int j = 2; j < c->argc; j++) list_type_push(list, c->argv[j], where);
    server.dirty += c->argc - 2;
    add_reply_ll(c, (long long)list_type_length(list));
    signal_modified_key(c, c->db, key);
    notify_keyspace_event(NOTIFY_LIST, where == QL_HEAD ? "lpush" : "rpush", key, c->db->id);
    signal_key_as_ready(c->db, key, OBJ_LIST);
}

static void lpush_command(client *c) {
    push_generic(c, QL_HEAD, 0);
}

static void rpush_command(client *c) {
    push_generic(c, QL_TAIL, 0);
}

static void lpushx_command(client *c) {
    push_generic(c, QL_HEAD, 1);
}

static void rpushx_command(client *c) {
    push_generic(c, QL_TAIL, 1);
}

static void linsert_command(client *c) {
    int after;
    if (arg_is(c->argv[2], "after")) {
        after = 1;
    } else if (arg_is(c->argv[2], "before")) {
        after = 0;
    } else {
        add_reply_error_syntax(c);
        return;
    }
    int wrongtype;
    kobj *list = lookup_list_write(c, c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!list) {
        add_reply_ll(c, 0);
        return;
    }
    char pbuf[LONG_STR_SIZE], vbuf[LONG_STR_SIZE];
    size_t plen, vlen;
    const char *pivot = arg_bytes(c->argv[3], pbuf, &plen);
    const char *value = arg_bytes(c->argv[4], vbuf, &vlen);
    ql_iter it;
    ql_entry e;
    int inserted = 0;
    ql_iter_init(&it, list->ptr, QL_HEAD);
    while (ql_next(&it, &e)) {
        if (ql_entry_equals(&e, pivot, plen)) {
            ql_insert(&e, value, vlen, after);
            inserted = 1;
            break;
        }
    }
    if (!inserted) {
        add_reply_ll(c, -1);
        return;
    }
    signal_modified_key(c, c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_LIST, "linsert", c->argv[1], c->db->id);
    server.dirty++;
    add_reply_ll(c, (long long)list_type_length(list));
}

/* ---------- reads ---------- */

static void llen_command(client *c) {
    int wrongtype;
    kobj *list = lookup_list_read(c, c->argv[1], &wrongtype);
    if (wrongtype) return;
    add_reply_ll(c, list ? (long long)list_type_length(list) : 0);
}

static void lindex_command(client *c) {
    int wrongtype;
    kobj *list = lookup_list_read(c, c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!list) {
        add_reply_null(c);
        return;
    }
    long index;
    if (get_long_from_obj_or_reply(c, c->argv[2], &index, NULL) != C_OK) return;
    ql_entry e;
    if (ql_index(list->ptr, index, &e))
        reply_entry(c, &e);
    else
        add_reply_null(c);
}

static void lrange_command(client *c) {
    long start, end;
    if (get_long_from_obj_or_reply(c, c->argv[2], &start, NULL) != C_OK ||
        get_long_from_obj_or_reply(c, c->argv[3], &end, NULL) != C_OK)
        return;
    int wrongtype;
    kobj *list = lookup_list_read(c, c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!list) {
        add_reply_array_len(c, 0);
        return;
    }
    reply_range(c, list, start, end, 0);
}

static void lpos_command(client *c) {
    long rank = 1, count = -1, maxlen = 0; /* count -1: no COUNT option */
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (arg_is(c->argv[j], "rank") && more) {
            j++;
            if (get_long_from_obj_or_reply(c, c->argv[j], &rank, NULL) != C_OK) return;
            if (rank == 0) {
                add_reply_error(c, "ERR RANK can't be zero: use 1 to start from the first match, "
                                   "2 from the second ... or use negative to start from the end "
                                   "of the list");
                return;
            }
        } else if (arg_is(c->argv[j], "count") && more) {
            j++;
            if (get_positive_long_from_obj_or_reply(c, c->argv[j], &count,
                                                    "ERR COUNT can't be negative") != C_OK)
                return;
        } else if (arg_is(c->argv[j], "maxlen") && more) {
            j++;
            if (get_positive_long_from_obj_or_reply(c, c->argv[j], &maxlen,
                                                    "ERR MAXLEN can't be negative") != C_OK)
                return;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    int dir = QL_HEAD;
    if (rank < 0) {
        /* Redis negates LONG_MIN into itself, which then behaves as a
         * rank of 1 from the tail. */
        rank = rank == LONG_MIN ? 1 : -rank;
        dir = QL_TAIL;
    }
    int wrongtype;
    kobj *list = lookup_list_read(c, c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!list) {
        if (count != -1)
            add_reply_array_len(c, 0);
        else
            add_reply_null(c);
        return;
    }
    char ebuf[LONG_STR_SIZE];
    size_t elen;
    const char *ele = arg_bytes(c->argv[2], ebuf, &elen);
    void *deferred = count != -1 ? add_reply_deferred_len(c) : NULL;
    long llen = (long)list_type_length(list);
    long index = 0, matches = 0, matchindex = -1, arraylen = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, list->ptr, dir);
    while ((maxlen == 0 || index < maxlen) && ql_next(&it, &e)) {
        if (ql_entry_equals(&e, ele, elen)) {
            matches++;
            matchindex = dir == QL_HEAD ? index : llen - index - 1;
            if (matches >= rank) {
                if (!deferred) break;
                arraylen++;
                add_reply_ll(c, matchindex);
                if (count && matches - rank + 1 >= count) break;
            }
        }
        index++;
        matchindex = -1;
    }
    if (deferred)
        set_deferred_array_len(c, deferred, arraylen);
    else if (matchindex != -1)
        add_reply_ll(c, matchindex);
    else
        add_reply_null(c);
}

/* ---------- changes ---------- */

static void lset_command(client *c) {
    int wrongtype;
    kobj *list = lookup_list_write(c, c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!list) {
        add_reply_error(c, "ERR no such key");
        return;
    }
    long index;
    if (get_long_from_obj_or_reply(c, c->argv[2], &index, NULL) != C_OK) return;
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *value = arg_bytes(c->argv[3], buf, &len);
    if (!ql_replace_at_index(list->ptr, index, value, len)) {
        add_reply_error(c, "ERR index out of range");
        return;
    }
    add_reply_ok(c);
    signal_modified_key(c, c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_LIST, "lset", c->argv[1], c->db->id);
    server.dirty++;
}

static void pop_generic(client *c, int where) {
    int hascount = c->argc == 3;
    long count = 0;
    if (c->argc > 3) {
        add_reply_error_arity(c);
        return;
    }
    if (hascount &&
        get_positive_long_from_obj_or_reply(c, c->argv[2], &count,
                                            "ERR value is out of range, must be positive") != C_OK)
        return;
    int wrongtype;
    kobj *key = c->argv[1];
    kobj *list = lookup_list_write(c, key, &wrongtype);
    if (wrongtype) return;
    if (!list) {
        if (hascount)
            add_reply_null_array(c);
        else
            add_reply_null(c);
        return;
    }
    if (hascount && count == 0) {
        add_reply_array_len(c, 0);
        return;
    }
    long removed = 1;
    if (!hascount) {
        kstr value = ql_pop(list->ptr, where);
        add_reply_bulk_kstr(c, value);
    } else {
        long llen = (long)list_type_length(list);
        long rangelen = count > llen ? llen : count;
        long rangestart = where == QL_HEAD ? 0 : -rangelen;
        long rangeend = where == QL_HEAD ? rangelen - 1 : -1;
        reply_range(c, list, rangestart, rangeend, where == QL_TAIL);
        ql_del_range(list->ptr, rangestart, (unsigned long)rangelen);
        removed = rangelen;
    }
    elements_removed(c, c->db, key, list, where, removed);
}

static void lpop_command(client *c) {
    pop_generic(c, QL_HEAD);
}

static void rpop_command(client *c) {
    pop_generic(c, QL_TAIL);
}

static void ltrim_command(client *c) {
    long start, end;
    if (get_long_from_obj_or_reply(c, c->argv[2], &start, NULL) != C_OK ||
        get_long_from_obj_or_reply(c, c->argv[3], &end, NULL) != C_OK)
        return;
    int wrongtype;
    kobj *key = c->argv[1];
    kobj *list = lookup_list_write(c, key, &wrongtype);
    if (wrongtype) return;
    if (!list) {
        add_reply_ok(c);
        return;
    }
    long llen = (long)list_type_length(list);
    long ltrim, rtrim;
    if (start < 0) start = llen + start;
    if (end < 0) end = llen + end;
    if (start < 0) start = 0;
    if (start > end || start >= llen) {
        ltrim = llen;
        rtrim = 0;
    } else {
        if (end >= llen) end = llen - 1;
        ltrim = start;
        rtrim = llen - end - 1;
    }
    ql_del_range(list->ptr, 0, (unsigned long)ltrim);
    ql_del_range(list->ptr, -rtrim, (unsigned long)rtrim);
    server.dirty += ltrim + rtrim;
    notify_keyspace_event(NOTIFY_LIST, "ltrim", key, c->db->id);
    if (list_type_length(list) == 0) {
        db_delete(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
    }
    signal_modified_key(c, c->db, key);
    add_reply_ok(c);
}

static void lrem_command(client *c) {
    long toremove;
    if (get_long_from_obj_or_reply(c, c->argv[2], &toremove, NULL) != C_OK) return;
    int wrongtype;
    kobj *key = c->argv[1];
    kobj *list = lookup_list_write(c, key, &wrongtype);
    if (wrongtype) return;
    if (!list) {
        add_reply_ll(c, 0);
        return;
    }
    int dir = QL_HEAD;
    unsigned long limit = (unsigned long)toremove;
    if (toremove < 0) {
        dir = QL_TAIL;
        limit = toremove == LONG_MIN ? (unsigned long)LONG_MAX + 1 : (unsigned long)-toremove;
    }
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *ele = arg_bytes(c->argv[3], buf, &len);
    unsigned long removed = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, list->ptr, dir);
    while (ql_next(&it, &e)) {
        if (!ql_entry_equals(&e, ele, len)) continue;
        ql_iter_del(&it, &e);
        removed++;
        if (limit && removed == limit) break;
    }
    if (removed) notify_keyspace_event(NOTIFY_LIST, "lrem", key, c->db->id);
    if (list_type_length(list) == 0) {
        db_delete(c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
    }
    if (removed) signal_modified_key(c, c->db, key);
    server.dirty += (long long)removed;
    add_reply_ll(c, (long long)removed);
}

/* ---------- moves ---------- */

/* LMOVE semantics once the source is known to be a non-empty list: checks
 * the destination type, moves one element, replies it. counted: whether
 * the move adds to server.dirty. Returns 1 when it moved one. */
static int move_element(client *c, kobj *src, int wherefrom, int whereto, int counted) {
    kobj *srckey = c->argv[1], *dstkey = c->argv[2];
    int wrongtype;
    kobj *dst = lookup_list_write(c, dstkey, &wrongtype);
    if (wrongtype) return 0;
    kstr value = ql_pop(src->ptr, wherefrom);
    if (!dst) {
        dst = list_type_create();
        db_add(c->db, dstkey, dst);
    }
    signal_modified_key(c, c->db, dstkey);
    ql_push(dst->ptr, value, kstr_len(value), whereto);
    notify_keyspace_event(NOTIFY_LIST, whereto == QL_HEAD ? "lpush" : "rpush", dstkey, c->db->id);
    signal_key_as_ready(c->db, dstkey, OBJ_LIST);
    add_reply_bulk_kstr(c, value);
    elements_removed(c, c->db, srckey, src, wherefrom, counted);
    return 1;
}

static void move_generic(client *c, int wherefrom, int whereto) {
    int wrongtype;
    kobj *src = lookup_list_write(c, c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (!src) {
        add_reply_null(c);
        return;
    }
    move_element(c, src, wherefrom, whereto, 1);
}

static void lmove_command(client *c) {
    int wherefrom, whereto;
    if (position_or_reply(c, c->argv[3], &wherefrom) != C_OK) return;
    if (position_or_reply(c, c->argv[4], &whereto) != C_OK) return;
    move_generic(c, wherefrom, whereto);
}

static void rpoplpush_command(client *c) {
    move_generic(c, QL_TAIL, QL_HEAD);
}

/* ---------- multi-key pops ---------- */

/* Parses "numkeys key... LEFT|RIGHT [COUNT count]" from argv[numkeys_idx].
 * Returns C_OK with the first key's index, the key count, the end and the
 * count (1 when absent). */
static int parse_mpop_or_reply(client *c, int numkeys_idx, int *first_key, long *numkeys,
                               int *where, long *count) {
    if (get_range_long_from_obj_or_reply(c, c->argv[numkeys_idx], 1, LONG_MAX, numkeys,
                                         "ERR numkeys should be greater than 0") != C_OK)
        return C_ERR;
    if (*numkeys > (long)c->argc - numkeys_idx - 2) {
        add_reply_error_syntax(c);
        return C_ERR;
    }
    int where_idx = numkeys_idx + (int)*numkeys + 1;
    if (position_or_reply(c, c->argv[where_idx], where) != C_OK) return C_ERR;
    *count = -1;
    for (int j = where_idx + 1; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (*count == -1 && arg_is(c->argv[j], "count") && more) {
            j++;
            if (get_range_long_from_obj_or_reply(c, c->argv[j], 1, LONG_MAX, count,
                                                 "ERR count should be greater than 0") != C_OK)
                return C_ERR;
        } else {
            add_reply_error_syntax(c);
            return C_ERR;
        }
    }
    if (*count == -1) *count = 1;
    *first_key = numkeys_idx + 1;
    return C_OK;
}

/* Pops from the first non-empty list among keys. Returns 1 when it
 * replied (elements or an error), 0 when every list was empty. */
static int mpop_first_nonempty(client *c, kobj **keys, long numkeys, int where, long count) {
    for (long j = 0; j < numkeys; j++) {
        int wrongtype;
        kobj *list = lookup_list_write(c, keys[j], &wrongtype);
        if (wrongtype) return 1;
        if (!list || list_type_length(list) == 0) continue;
        pop_range_with_key(c, keys[j], list, where, count);
        return 1;
    }
    return 0;
}

static void lmpop_command(client *c) {
    int first, where;
    long numkeys, count;
    if (parse_mpop_or_reply(c, 1, &first, &numkeys, &where, &count) != C_OK) return;
    if (!mpop_first_nonempty(c, c->argv + first, numkeys, where, count)) add_reply_null_array(c);
}

/* ---------- blocking ---------- */

/* BLPOP / BRPOP: pops one element from the first non-empty list. */
static void blocking_pop_generic(client *c, int where) {
    long long timeout;
    if (get_timeout_from_obj_or_reply(c, c->argv[c->argc - 1], &timeout) != C_OK) return;
    kobj **keys = c->argv + 1;
    int numkeys = c->argc - 2;
    for (int j = 0; j < numkeys; j++) {
        int wrongtype;
        kobj *list = lookup_list_write(c, keys[j], &wrongtype);
        if (wrongtype) return;
        if (!list || list_type_length(list) == 0) continue;
        kstr value = ql_pop(list->ptr, where);
        add_reply_array_len(c, 2);
        add_reply_bulk(c, keys[j]);
        add_reply_bulk_kstr(c, value);
        kobj *key = keys[j];
        incr_ref(key); /* the rewrite releases the arguments */
        /* Serving a blocked BLPOP is propagated but, in Redis 7.0, not
         * counted as a change (dirty). */
        int serving = blocked_is_serving(c);
        elements_removed(c, c->db, key, list, where, !serving);
        if (serving) propagate_force(c);
        propagate_as_pop(c, key, where, -1);
        decr_ref(key);
        return;
    }
    if (c->flags & CLIENT_DENY_BLOCKING) {
        add_reply_null_array(c);
        return;
    }
    block_for_keys(c, keys, numkeys, timeout, OBJ_LIST);
}

static void blpop_command(client *c) {
    blocking_pop_generic(c, QL_HEAD);
}

static void brpop_command(client *c) {
    blocking_pop_generic(c, QL_TAIL);
}

static void blmove_generic(client *c, int wherefrom, int whereto, long long timeout) {
    int wrongtype;
    kobj *src = lookup_list_write(c, c->argv[1], &wrongtype);
    if (wrongtype) return;
    if (src) {
        /* Redis 7.0 does not count serving a blocked BLMOVE as a change
         * (dirty), but propagates it all the same. */
        int serving = blocked_is_serving(c);
        if (!move_element(c, src, wherefrom, whereto, !serving)) return;
        if (serving) propagate_force(c);
        /* Propagated as the non-blocking form: with the given positions
         * when served at once, spelled "left"/"right" when a blocked
         * client is served (as Redis 7.0). */
        if (c->argc != 6) {
            propagate_rewrite_objs(c, 3, propagate_word("RPOPLPUSH"), c->argv[1], c->argv[2]);
        } else if (serving) {
            propagate_rewrite_objs(c, 5, propagate_word("LMOVE"), c->argv[1], c->argv[2],
                                   propagate_word(wherefrom == QL_HEAD ? "left" : "right"),
                                   propagate_word(whereto == QL_HEAD ? "left" : "right"));
        } else {
            propagate_rewrite_objs(c, 5, propagate_word("LMOVE"), c->argv[1], c->argv[2],
                                   c->argv[3], c->argv[4]);
        }
        return;
    }
    if (c->flags & CLIENT_DENY_BLOCKING) {
        add_reply_null(c);
        return;
    }
    block_for_keys(c, c->argv + 1, 1, timeout, OBJ_LIST);
}

static void blmove_command(client *c) {
    int wherefrom, whereto;
    long long timeout;
    if (position_or_reply(c, c->argv[3], &wherefrom) != C_OK) return;
    if (position_or_reply(c, c->argv[4], &whereto) != C_OK) return;
    if (get_timeout_from_obj_or_reply(c, c->argv[5], &timeout) != C_OK) return;
    blmove_generic(c, wherefrom, whereto, timeout);
}

static void brpoplpush_command(client *c) {
    long long timeout;
    if (get_timeout_from_obj_or_reply(c, c->argv[3], &timeout) != C_OK) return;
    blmove_generic(c, QL_TAIL, QL_HEAD, timeout);
}

static void blmpop_command(client *c) {
    int first, where;
    long numkeys, count;
    long long timeout;
    if (parse_mpop_or_reply(c, 2, &first, &numkeys, &where, &count) != C_OK) return;
    if (get_timeout_from_obj_or_reply(c, c->argv[1], &timeout) != C_OK) return;
    if (mpop_first_nonempty(c, c->argv + first, numkeys, where, count)) return;
    if (c->flags & CLIENT_DENY_BLOCKING) {
        add_reply_null_array(c);
        return;
    }
    block_for_keys(c, c->argv + first, (int)numkeys, timeout, OBJ_LIST);
}

/* ---------- table ---------- */

#define LIST_CMD(n, p, a, fl, fk, lk, ks, acl, sum, ver, cx, syn)                                  \
    {                                                                                              \
        .name = n, .proc = p, .arity = a, .flags = fl, .first_key = fk, .last_key = lk,            \
        .key_step = ks, .group = "list", .summary = sum, .since = ver, .complexity = cx,           \
        .acl_categories = acl, .syntax = syn                                                       \
    }

#define W CMD_WRITE
#define R CMD_READONLY
#define D CMD_DENYOOM
#define F CMD_FAST
#define B (CMD_BLOCKING | CMD_NOSCRIPT)

kcommand list_commands[] = {
    LIST_CMD("lpush", lpush_command, -3, W | D | F, 1, 1, 1, "@write @list @fast",
             "Prepend one or multiple elements to a list", "1.0.0",
             "O(1) for each element added, so O(N) to add N elements when the command is called "
             "with multiple arguments.",
             "key element [element ...]"),
    LIST_CMD("rpush", rpush_command, -3, W | D | F, 1, 1, 1, "@write @list @fast",
             "Append one or multiple elements to a list", "1.0.0",
             "O(1) for each element added, so O(N) to add N elements when the command is called "
             "with multiple arguments.",
             "key element [element ...]"),
    LIST_CMD("lpushx", lpushx_command, -3, W | D | F, 1, 1, 1, "@write @list @fast",
             "Prepend an element to a list, only if the list exists", "2.2.0",
             "O(1) for each element added, so O(N) to add N elements when the command is called "
             "with multiple arguments.",
             "key element [element ...]"),
    LIST_CMD("rpushx", rpushx_command, -3, W | D | F, 1, 1, 1, "@write @list @fast",
             "Append an element to a list, only if the list exists", "2.2.0",
             "O(1) for each element added, so O(N) to add N elements when the command is called "
             "with multiple arguments.",
             "key element [element ...]"),
    LIST_CMD("linsert", linsert_command, 5, W | D, 1, 1, 1, "@write @list @slow",
             "Insert an element before or after another element in a list", "2.2.0",
             "O(N) where N is the number of elements to traverse before seeing the value pivot. "
             "This means that inserting somewhere on the left end on the list (head) can be "
             "considered O(1) and inserting somewhere on the right end (tail) is O(N).",
             "key BEFORE|AFTER pivot element"),
    LIST_CMD("llen", llen_command, 2, R | F, 1, 1, 1, "@read @list @fast",
             "Get the length of a list", "1.0.0", "O(1)", "key"),
    LIST_CMD("lindex", lindex_command, 3, R, 1, 1, 1, "@read @list @slow",
             "Get an element from a list by its index", "1.0.0",
             "O(N) where N is the number of elements to traverse to get to the element at index. "
             "This makes asking for the first or the last element of the list O(1).",
             "key index"),
    LIST_CMD("lset", lset_command, 4, W | D, 1, 1, 1, "@write @list @slow",
             "Set the value of an element in a list by its index", "1.0.0",
             "O(N) where N is the length of the list. Setting either the first or the last "
             "element of the list is O(1).",
             "key index element"),
    LIST_CMD("lpop", lpop_command, -2, W | F, 1, 1, 1, "@write @list @fast",
             "Remove and get the first elements in a list", "1.0.0",
             "O(N) where N is the number of elements returned", "key [count]"),
    LIST_CMD("rpop", rpop_command, -2, W | F, 1, 1, 1, "@write @list @fast",
             "Remove and get the last elements in a list", "1.0.0",
             "O(N) where N is the number of elements returned", "key [count]"),
    LIST_CMD("lrange", lrange_command, 4, R, 1, 1, 1, "@read @list @slow",
             "Get a range of elements from a list", "1.0.0",
             "O(S+N) where S is the distance of start offset from HEAD for small lists, from "
             "nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the "
             "specified range.",
             "key start stop"),
    LIST_CMD("ltrim", ltrim_command, 4, W, 1, 1, 1, "@write @list @slow",
             "Trim a list to the specified range", "1.0.0",
             "O(N) where N is the number of elements to be removed by the operation.",
             "key start stop"),
    LIST_CMD("lrem", lrem_command, 4, W, 1, 1, 1, "@write @list @slow",
             "Remove elements from a list", "1.0.0",
             "O(N+M) where N is the length of the list and M is the number of elements removed.",
             "key count element"),
    LIST_CMD("lpos", lpos_command, -3, R, 1, 1, 1, "@read @list @slow",
             "Return the index of matching elements on a list", "6.0.6",
             "O(N) where N is the number of elements in the list, for the average case. When "
             "searching for elements near the head or the tail of the list, or when the MAXLEN "
             "option is provided, the command may run in constant time.",
             "key element [RANK rank] [COUNT num-matches] [MAXLEN len]"),
    LIST_CMD("rpoplpush", rpoplpush_command, 3, W | D, 1, 2, 1, "@write @list @slow",
             "Remove the last element in a list, prepend it to another list and return it", "1.2.0",
             "O(1)", "source destination"),
    LIST_CMD("lmove", lmove_command, 5, W | D, 1, 2, 1, "@write @list @slow",
             "Pop an element from a list, push it to another list and return it", "6.2.0", "O(1)",
             "source destination LEFT|RIGHT LEFT|RIGHT"),
    LIST_CMD("lmpop", lmpop_command, -4, W, 0, 0, 0, "@write @list @slow",
             "Pop elements from a list", "7.0.0",
             "O(N+M) where N is the number of provided keys and M is the number of elements "
             "returned.",
             "numkeys key [key ...] LEFT|RIGHT [COUNT count]"),
    LIST_CMD("blpop", blpop_command, -3, W | B, 1, -2, 1, "@write @list @slow @blocking",
             "Remove and get the first element in a list, or block until one is available", "2.0.0",
             "O(N) where N is the number of provided keys.", "key [key ...] timeout"),
    LIST_CMD("brpop", brpop_command, -3, W | B, 1, -2, 1, "@write @list @slow @blocking",
             "Remove and get the last element in a list, or block until one is available", "2.0.0",
             "O(N) where N is the number of provided keys.", "key [key ...] timeout"),
    LIST_CMD("brpoplpush", brpoplpush_command, 4, W | D | B, 1, 2, 1,
             "@write @list @slow @blocking",
             "Pop an element from a list, push it to another list and return it; or block until "
             "one is available",
             "2.2.0", "O(1)", "source destination timeout"),
    LIST_CMD("blmove", blmove_command, 6, W | D | B, 1, 2, 1, "@write @list @slow @blocking",
             "Pop an element from a list, push it to another list and return it; or block until "
             "one is available",
             "6.2.0", "O(1)", "source destination LEFT|RIGHT LEFT|RIGHT timeout"),
    LIST_CMD("blmpop", blmpop_command, -5, W | CMD_BLOCKING, 0, 0, 0,
             "@write @list @slow @blocking",
             "Pop elements from a list, or block until one is available", "7.0.0",
             "O(N+M) where N is the number of provided keys and M is the number of elements "
             "returned.",
             "timeout numkeys key [key ...] LEFT|RIGHT [COUNT count]"),
    {0}};
