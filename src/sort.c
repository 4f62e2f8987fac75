/*
 * SORT and SORT_RO with Redis 7.0 semantics: numeric or ALPHA order,
 * ASC/DESC, LIMIT, BY pattern (nosort when it has no '*'), GET patterns
 * (# for the element, key*->field for hash fields) and STORE into a list.
 *
 * Patterns: the first '*' is replaced by the element; "->field" after it
 * reads a field of a hash instead of a string value. Missing keys and
 * values of the wrong type count as missing (null for GET, score 0 or
 * first place for BY).
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "keyspace.h"
#include "notify.h"
#include "server.h"
#include "t_hash.h"
#include "t_list.h"
#include "t_set.h"
#include "t_zset.h"

typedef struct sort_item {
    kobj *obj;    /* the element (a string object) */
    double score; /* numeric sort key */
    kobj *cmpobj; /* ALPHA with BY: the value to compare, NULL if missing */
} sort_item;

typedef struct sort_opts {
    int desc, alpha, by_pattern, store;
} sort_opts;

/* qsort has no context argument: the options of the sort in progress. */
static sort_opts current_sort;

/* ---------- patterns ---------- */

/* The value a pattern designates for element subst, as a new reference,
 * or NULL. "#" is the element itself. */
static kobj *lookup_by_pattern(kdb *db, kobj *pattern, kobj *subst) {
    kstr pat = pattern->ptr;
    size_t plen = kstr_len(pat);
    /* Compared as C strings, as Redis does. */
    if (pat[0] == '#' && pat[1] == '\0') {
        incr_ref(subst);
        return subst;
    }
    const char *star = strchr(pat, '*');
    if (!star) return NULL;
    const char *arrow = strstr(star + 1, "->");
    size_t fieldlen = 0;
    const char *field = NULL;
    if (arrow && arrow[2] != '\0') {
        field = arrow + 2;
        fieldlen = plen - (size_t)(field - pat);
    }
    char buf[LONG_STR_SIZE];
    size_t sublen;
    const char *sub = string_obj_ptr(subst, buf, sizeof(buf), &sublen);
    size_t prefixlen = (size_t)(star - pat);
    size_t postfixlen = plen - prefixlen - 1 - (field ? fieldlen + 2 : 0);
    kstr name = kstr_new(pat, prefixlen);
    name = kstr_cat(name, sub, sublen);
    name = kstr_cat(name, star + 1, postfixlen);
    kobj *key = obj_create_from_kstr(name);
    kobj *o = db_lookup_read(db, key);
    decr_ref(key);
    if (!o) return NULL;
    if (field) {
        if (o->type != OBJ_HASH) return NULL;
        return hash_type_get_obj(o, field, fieldlen);
    }
    if (o->type != OBJ_STRING) return NULL;
    incr_ref(o);
    return o;
}

/* ---------- comparison ---------- */

/* Binary comparison of two string objects (memcmp, then length). */
static int compare_binary(kobj *a, kobj *b) {
    char ba[LONG_STR_SIZE], bb[LONG_STR_SIZE];
    size_t la, lb;
    const char *pa = string_obj_ptr(a, ba, sizeof(ba), &la);
    const char *pb = string_obj_ptr(b, bb, sizeof(bb), &lb);
    int cmp = memcmp(pa, pb, la < lb ? la : lb);
    if (cmp) return cmp;
    return la < lb ? -1 : la > lb;
}

/* Collation of two string objects (strcoll on their C strings). */
static int compare_collate(kobj *a, kobj *b) {
    char ba[LONG_STR_SIZE], bb[LONG_STR_SIZE];
    size_t la, lb;
    const char *pa = string_obj_ptr(a, ba, sizeof(ba), &la);
    const char *pb = string_obj_ptr(b, bb, sizeof(bb), &lb);
    return strcoll(pa, pb);
}

static int sort_compare(const void *s1, const void *s2) {
    const sort_item *a = s1, *b = s2;
    int cmp;
    if (!current_sort.alpha) {
        if (a->score > b->score)
            cmp = 1;
        else if (a->score < b->score)
            cmp = -1;
        else /* equal scores: the elements decide, so the result is stable */
            cmp = compare_binary(a->obj, b->obj);
    } else if (current_sort.by_pattern) {
        if (!a->cmpobj || !b->cmpobj)
            cmp = a->cmpobj == b->cmpobj ? 0 : (a->cmpobj == NULL ? -1 : 1);
        else if (current_sort.store)
            cmp = compare_binary(a->cmpobj, b->cmpobj);
        else
            cmp = compare_collate(a->cmpobj, b->cmpobj);
    } else {
        cmp = current_sort.store ? compare_binary(a->obj, b->obj) : compare_collate(a->obj, b->obj);
    }
    return current_sort.desc ? -cmp : cmp;
}

/* Numeric value of v as Redis reads it (strtod of the whole string);
 * returns 0 when it is not a number. */
static int score_of(kobj *v, double *score) {
    if (v->encoding == OBJ_ENCODING_INT) {
        *score = (double)(long)v->ptr;
        return 1;
    }
    char *end;
    errno = 0;
    *score = strtod(v->ptr, &end);
    return end[0] == '\0' && errno != ERANGE && !isnan(*score);
}

/* ---------- loading the elements ---------- */

static kobj *obj_from_entry(const ql_entry *e) {
    if (e->str) return obj_create_string((const char *)e->str, e->len);
    return obj_create_from_ll(e->ival);
}

/* Elements of a list from index first, count of them, towards the tail
 * (or the head when backwards). */
static long load_list(kobj *list, long first, long count, int backwards, sort_item *v) {
    ql_iter it;
    ql_entry e;
    long n = 0;
    if (!ql_iter_init_at(&it, list->ptr, backwards ? QL_TAIL : QL_HEAD, first)) return 0;
    while (n < count && ql_next(&it, &e)) v[n++].obj = obj_from_entry(&e);
    return n;
}

static long load_set(kobj *set, sort_item *v) {
    set_iter it;
    set_elem e;
    long n = 0;
    set_iter_init(&it, set);
    while (set_iter_next(&it, &e)) v[n++].obj = obj_create_string(e.s, kstr_len(e.s));
    set_iter_release(&it);
    return n;
}

/* Members of a sorted set from rank first (counted from the highest score
 * when backwards), count of them. */
static long load_zset(kobj *zset, long first, long count, int backwards, sort_item *v) {
    zset_iter it;
    zset_elem e;
    long n = 0;
    zset_iter_init_rank(&it, zset, (unsigned long)first, backwards);
    while (n < count && zset_iter_next(&it, &e)) v[n++].obj = obj_create_string(e.ele, e.len);
    return n;
}

static unsigned long sortable_length(kobj *o) {
    switch (o->type) {
    case OBJ_LIST: return list_type_length(o);
    case OBJ_SET: return set_type_size(o);
    default: return zset_type_length(o);
    }
}

/* ---------- the command ---------- */

typedef struct sort_args {
    sort_opts opts;
    long limit_start, limit_count;
    int dontsort;
    kobj *sortby, *storekey;
    kobj **gets;
    int ngets;
} sort_args;

/* Parses the options; replies and returns C_ERR on an error. */
static int parse_sort_args(client *c, int readonly, sort_args *a) {
    memset(a, 0, sizeof(*a));
    a->limit_count = -1;
    a->gets = zmalloc(sizeof(kobj *) * (size_t)c->argc);
    for (int j = 2; j < c->argc; j++) {
        int left = c->argc - j - 1;
        kobj *arg = c->argv[j];
        if (arg_is(arg, "asc")) {
            a->opts.desc = 0;
        } else if (arg_is(arg, "desc")) {
            a->opts.desc = 1;
        } else if (arg_is(arg, "alpha")) {
            a->opts.alpha = 1;
        } else if (arg_is(arg, "limit") && left >= 2) {
            if (get_long_from_obj_or_reply(c, c->argv[j + 1], &a->limit_start, NULL) != C_OK ||
                get_long_from_obj_or_reply(c, c->argv[j + 2], &a->limit_count, NULL) != C_OK)
                return C_ERR;
            j += 2;
        } else if (!readonly && arg_is(arg, "store") && left >= 1) {
            a->storekey = c->argv[++j];
        } else if (arg_is(arg, "by") && left >= 1) {
            a->sortby = c->argv[++j];
            /* A pattern without '*' designates no key: nothing to sort. */
            if (!strchr(a->sortby->ptr, '*')) a->dontsort = 1;
        } else if (arg_is(arg, "get") && left >= 1) {
            a->gets[a->ngets++] = c->argv[++j];
        } else {
            add_reply_error_syntax(c);
            return C_ERR;
        }
    }
    return C_OK;
}

/* Scores (or compare objects) of every element for sorting; 0 when a
 * score is not a number. */
static int load_sort_keys(client *c, sort_args *a, sort_item *v, long n) {
    int ok = 1;
    for (long j = 0; j < n; j++) {
        kobj *byval = a->sortby ? lookup_by_pattern(c->db, a->sortby, v[j].obj) : v[j].obj;
        if (!byval) continue;
        if (a->opts.alpha) {
            if (a->sortby) v[j].cmpobj = obj_get_decoded(byval);
        } else if (!score_of(byval, &v[j].score)) {
            ok = 0;
        }
        if (a->sortby) decr_ref(byval);
    }
    return ok;
}

static void reply_sorted(client *c, sort_args *a, sort_item *v, long start, long end) {
    long outlen = a->ngets ? a->ngets * (end - start + 1) : end - start + 1;
    add_reply_array_len(c, outlen);
    for (long j = start; j <= end; j++) {
        if (!a->ngets) add_reply_bulk(c, v[j].obj);
        for (int g = 0; g < a->ngets; g++) {
            kobj *val = lookup_by_pattern(c->db, a->gets[g], v[j].obj);
            if (!val) {
                add_reply_null(c);
                continue;
            }
            add_reply_bulk(c, val);
            decr_ref(val);
        }
    }
}

static void store_sorted(client *c, sort_args *a, sort_item *v, long start, long end) {
    kobj *list = list_type_create();
    long outlen = a->ngets ? a->ngets * (end - start + 1) : end - start + 1;
    for (long j = start; j <= end; j++) {
        if (!a->ngets) list_type_push(list, v[j].obj, QL_TAIL);
        for (int g = 0; g < a->ngets; g++) {
            kobj *val = lookup_by_pattern(c->db, a->gets[g], v[j].obj);
            if (!val) val = obj_create_string("", 0);
            list_type_push(list, val, QL_TAIL);
            decr_ref(val);
        }
    }
    if (outlen > 0) {
        db_set_key(c->db, a->storekey, list, 0);
        notify_keyspace_event(NOTIFY_LIST, "sortstore", a->storekey, c->db->id);
        server.dirty += outlen;
    } else if (db_delete(c->db, a->storekey)) {
        signal_modified_key(c, c->db, a->storekey);
        notify_keyspace_event(NOTIFY_GENERIC, "del", a->storekey, c->db->id);
        server.dirty++;
    }
    decr_ref(list);
    add_reply_ll(c, outlen);
}

static void sort_generic(client *c, int readonly) {
    sort_args a;
    if (parse_sort_args(c, readonly, &a) != C_OK) {
        zfree(a.gets);
        return;
    }
    kobj *sortval = db_lookup_read(c->db, c->argv[1]);
    if (sortval && sortval->type != OBJ_SET && sortval->type != OBJ_LIST &&
        sortval->type != OBJ_ZSET) {
        zfree(a.gets);
        add_reply_error_wrongtype(c);
        return;
    }
    /* Kept alive while patterns are looked up. */
    if (sortval)
        incr_ref(sortval);
    else
        sortval = list_type_create();

    /* An unsorted set is hash ordered: STORE sorts it (ALPHA) so that the
     * stored result does not depend on the hash order. */
    if (a.dontsort && sortval->type == OBJ_SET && a.storekey) {
        a.dontsort = 0;
        a.opts.alpha = 1;
        a.sortby = NULL;
    }
    /* As Redis 7.0 does, SORT of a sorted set converts it to a skiplist. */
    if (sortval->type == OBJ_ZSET) zset_type_convert(sortval, OBJ_ENCODING_SKIPLIST);

    long vlen = (long)sortable_length(sortval);
    long start = a.limit_start < 0 ? 0 : a.limit_start;
    long end = a.limit_count < 0 ? vlen - 1 : start + a.limit_count - 1;
    if (start >= vlen) {
        start = vlen - 1;
        end = vlen - 2;
    }
    if (end >= vlen) end = vlen - 1;

    /* Lists and sorted sets are ordered already: without sorting only the
     * LIMIT range is loaded. */
    int ranged = a.dontsort && sortval->type != OBJ_SET;
    if (ranged && (start != 0 || end != vlen - 1)) vlen = end - start + 1;
    sort_item *v = zcalloc(sizeof(sort_item) * (size_t)(vlen > 0 ? vlen : 1));
    long n = 0;
    if (sortval->type == OBJ_SET) {
        n = load_set(sortval, v);
    } else if (ranged) {
        if (end >= start) {
            long total = (long)sortable_length(sortval);
            long first = a.opts.desc ? total - start - 1 : start;
            n = sortval->type == OBJ_LIST ? load_list(sortval, first, vlen, a.opts.desc, v)
                                          : load_zset(sortval, start, vlen, a.opts.desc, v);
            end -= start;
            start = 0;
        }
    } else {
        n = sortval->type == OBJ_LIST ? load_list(sortval, 0, vlen, 0, v)
                                      : load_zset(sortval, 0, vlen, 0, v);
    }

    int numbers_ok = 1;
    if (!a.dontsort) {
        numbers_ok = load_sort_keys(c, &a, v, n);
        current_sort = a.opts;
        current_sort.by_pattern = a.sortby != NULL;
        current_sort.store = a.storekey != NULL;
        qsort(v, (size_t)n, sizeof(sort_item), sort_compare);
    }

    if (!numbers_ok)
        add_reply_error(c, "ERR One or more scores can't be converted into double");
    else if (!a.storekey)
        reply_sorted(c, &a, v, start, end);
    else
        store_sorted(c, &a, v, start, end);

    for (long j = 0; j < n; j++) {
        decr_ref(v[j].obj);
        if (v[j].cmpobj) decr_ref(v[j].cmpobj);
    }
    zfree(v);
    zfree(a.gets);
    decr_ref(sortval);
}

static void sort_command(client *c) {
    sort_generic(c, 0);
}

static void sort_ro_command(client *c) {
    sort_generic(c, 1);
}

kcommand sort_commands[] = {
    {.name = "sort",
     .proc = sort_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Sort the elements in a list, set or sorted set",
     .since = "1.0.0",
     .complexity = "O(N+M*log(M)) where N is the number of elements in the list or set to sort, "
                   "and M the number of returned elements. When the elements are not sorted, "
                   "complexity is O(N).",
     .acl_categories = "@write @set @sortedset @list @slow @dangerous",
     .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | "
               "DESC] [ALPHA] [STORE destination]"},
    {.name = "sort_ro",
     .proc = sort_ro_command,
     .arity = -2,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "generic",
     .summary = "Sort the elements in a list, set or sorted set. Read-only variant of SORT.",
     .since = "7.0.0",
     .complexity = "O(N+M*log(M)) where N is the number of elements in the list/set/zset to "
                   "sort, and M the number of returned elements. When the elements are not "
                   "sorted, complexity is O(N).",
     .acl_categories = "@read @set @sortedset @list @slow @dangerous",
     .syntax = "key [BY pattern] [LIMIT offset count] [GET pattern [GET pattern ...]] [ASC | "
               "DESC] [ALPHA]"},
    {.name = NULL}};
