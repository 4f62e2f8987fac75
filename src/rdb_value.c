/*
 * Decoding of RDB values (rdb_read_object, rdb_internal.h): every value
 * type a Redis 7.0 file or DUMP payload may hold, converted to the
 * encoding keyport uses under the current *-max-* limits. Compact blobs
 * are validated deeply before anything reads them.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "listpack.h"
#include "quicklist.h"
#include "rdb_internal.h"
#include "t_hash.h"
#include "t_list.h"
#include "t_set.h"
#include "t_zset.h"
#include "ziplist.h"

/* Presizing from a length read in the file is capped: the file may lie. */
#define PRESIZE_MAX (1 << 20)

/* ---------- helpers ---------- */

static rdb_obj_result fail_free(rdb_reader *rd, kobj *o, const char *reason) {
    if (o) decr_ref(o);
    if (reason) rdb_fail(rd, "%s", reason);
    return RDB_OBJ_ERR;
}

/* How many elements to make room for: what the length says, within what
 * the bytes left in the stream could hold (at least 2 bytes each). */
static size_t presize(rdb_reader *rd, uint64_t n) {
    unsigned long long left = rio_remaining(rd->r);
    if (left != ULLONG_MAX && n > left / 2) n = left / 2;
    return n > PRESIZE_MAX ? PRESIZE_MAX : (size_t)n;
}

/* Appends an element given as a string or an integer to a list. */
static void list_push_value(kobj *list, const unsigned char *s, size_t len, long long ival) {
    if (s) {
        ql_push(list->ptr, s, len, QL_TAIL);
    } else {
        char buf[LONG_STR_SIZE];
        int n = ll2string(buf, sizeof(buf), ival);
        ql_push(list->ptr, buf, (size_t)n, QL_TAIL);
    }
}

/* Hash or sorted set listpack: converted to the big encoding when it
 * exceeds the configured limits. */
static void hash_lp_fit(kobj *o) {
    unsigned char *lp = o->ptr;
    if (hash_type_length(o) > server.hash_max_listpack_entries ||
        rdb_lp_max_len(lp) > server.hash_max_listpack_value || lp_bytes(lp) > LP_MAX_SAFETY_SIZE)
        hash_type_convert_to_dict(o);
    else
        o->ptr = lp_shrink_to_fit(lp);
}

static void zset_lp_fit(kobj *o) {
    unsigned char *lp = o->ptr;
    if (!rdb_zset_lp_sorted(lp)) {
        /* Out of order: rebuild through the skiplist, which sorts. */
        size_t maxlen = rdb_lp_max_len(lp), total = lp_bytes(lp);
        zset_type_convert(o, OBJ_ENCODING_SKIPLIST);
        zset_type_convert_to_listpack_if_needed(o, maxlen, total);
        return;
    }
    if (zset_type_length(o) > server.zset_max_listpack_entries ||
        rdb_lp_max_len(lp) > server.zset_max_listpack_value || lp_bytes(lp) > LP_MAX_SAFETY_SIZE)
        zset_type_convert(o, OBJ_ENCODING_SKIPLIST);
    else
        o->ptr = lp_shrink_to_fit(lp);
}

/* ---------- plain encodings ---------- */

static rdb_obj_result read_string_value(rdb_reader *rd, kobj **out) {
    kstr s;
    if (rdb_read_kstr(rd, &s, "a string value") == C_ERR) return RDB_OBJ_ERR;
    *out = obj_try_encode(obj_create_from_kstr(s));
    return RDB_OBJ_OK;
}

static rdb_obj_result read_linked_list(rdb_reader *rd, kobj **out) {
    uint64_t n;
    if (rdb_read_len(rd, &n, NULL, "a list length") == C_ERR) return RDB_OBJ_ERR;
    if (n == 0) return RDB_OBJ_EMPTY;
    kobj *list = list_type_create();
    for (uint64_t i = 0; i < n; i++) {
        kstr s;
        if (rdb_read_kstr(rd, &s, "a list element") == C_ERR) return fail_free(rd, list, NULL);
        ql_push(list->ptr, s, kstr_len(s), QL_TAIL);
        kstr_free(s);
    }
    *out = list;
    return RDB_OBJ_OK;
}

static rdb_obj_result read_set(rdb_reader *rd, kobj **out) {
    uint64_t n;
    if (rdb_read_len(rd, &n, NULL, "a set length") == C_ERR) return RDB_OBJ_ERR;
    if (n == 0) return RDB_OBJ_EMPTY;
    kobj *set = set_type_create_intset();
    for (uint64_t i = 0; i < n; i++) {
        kstr s;
        if (rdb_read_kstr(rd, &s, "a set member") == C_ERR) return fail_free(rd, set, NULL);
        int added = set_type_add(set, s);
        kstr_free(s);
        if (!added) return fail_free(rd, set, "duplicate set members");
    }
    *out = set;
    return RDB_OBJ_OK;
}

static rdb_obj_result read_zset(rdb_reader *rd, int type, kobj **out) {
    uint64_t n;
    if (rdb_read_len(rd, &n, NULL, "a sorted set length") == C_ERR) return RDB_OBJ_ERR;
    if (n == 0) return RDB_OBJ_EMPTY;
    kobj *z = zset_type_create_skiplist(presize(rd, n));
    size_t maxlen = 0, totlen = 0;
    for (uint64_t i = 0; i < n; i++) {
        kstr ele;
        double score;
        if (rdb_read_kstr(rd, &ele, "a sorted set member") == C_ERR) return fail_free(rd, z, NULL);
        int rc = type == RDB_TYPE_ZSET_2 ? rdb_read_binary_double(rd, &score)
                                         : rdb_read_text_double(rd, &score);
        if (rc == C_ERR) {
            kstr_free(ele);
            return fail_free(rd, z, NULL);
        }
        if (isnan(score)) {
            kstr_free(ele);
            return fail_free(rd, z, "sorted set score is NaN");
        }
        size_t len = kstr_len(ele);
        if (len > maxlen) maxlen = len;
        totlen += len;
        int flags;
        zset_type_add(z, score, ele, len, ZADD_IN_NX, &flags, NULL);
        kstr_free(ele);
        if (!(flags & ZADD_OUT_ADDED)) return fail_free(rd, z, "duplicate sorted set members");
    }
    zset_type_convert_to_listpack_if_needed(z, maxlen, totlen);
    *out = z;
    return RDB_OBJ_OK;
}

static rdb_obj_result read_hash(rdb_reader *rd, kobj **out) {
    uint64_t n;
    if (rdb_read_len(rd, &n, NULL, "a hash length") == C_ERR) return RDB_OBJ_ERR;
    if (n == 0) return RDB_OBJ_EMPTY;
    kobj *h = hash_type_create();
    if (n > server.hash_max_listpack_entries) hash_type_convert_to_dict(h);
    for (uint64_t i = 0; i < n; i++) {
        kstr f, v;
        if (rdb_read_kstr(rd, &f, "a hash field") == C_ERR) return fail_free(rd, h, NULL);
        if (rdb_read_kstr(rd, &v, "a hash value") == C_ERR) {
            kstr_free(f);
            return fail_free(rd, h, NULL);
        }
        int added = hash_type_set(h, f, kstr_len(f), v, kstr_len(v));
        kstr_free(f);
        kstr_free(v);
        if (!added) return fail_free(rd, h, "duplicate hash fields");
    }
    *out = h;
    return RDB_OBJ_OK;
}

/* ---------- compact encodings ---------- */

static rdb_obj_result read_intset(rdb_reader *rd, kobj **out) {
    unsigned char *blob;
    size_t len;
    if (rdb_read_blob(rd, &blob, &len, "an intset") == C_ERR) return RDB_OBJ_ERR;
    if (!rdb_intset_valid(blob, len)) {
        zfree(blob);
        return fail_free(rd, NULL, "intset integrity check failed");
    }
    intset *is = (intset *)blob;
    uint32_t n = intset_len(is);
    if (n == 0) {
        zfree(blob);
        return RDB_OBJ_EMPTY;
    }
    if ((long long)n <= server.set_max_intset_entries) {
        kobj *set = obj_create(OBJ_SET, is);
        set->encoding = OBJ_ENCODING_INTSET;
        *out = set;
        return RDB_OBJ_OK;
    }
    /* Too many for an intset here: adding converts to a hashtable. */
    kobj *set = set_type_create_intset();
    int64_t v;
    for (uint32_t i = 0; intset_get(is, i, &v); i++) {
        kstr s = kstr_from_ll(v);
        set_type_add(set, s);
        kstr_free(s);
    }
    zfree(blob);
    *out = set;
    return RDB_OBJ_OK;
}

/* Turns a listpack of field/value (hash) or member/score (zset) pairs into
 * the value, checking the pairs first (len: the bytes read for lp, which
 * its header must agree with); takes ownership of lp. */
static rdb_obj_result pairs_from_listpack(rdb_reader *rd, unsigned char *lp, size_t len, int zset,
                                          kobj **out) {
    const char *why = rdb_lp_pairs_check(lp, len, zset);
    if (why) {
        lp_free(lp);
        return fail_free(rd, NULL, why);
    }
    if (lp_first(lp) == NULL) {
        lp_free(lp);
        return RDB_OBJ_EMPTY;
    }
    kobj *o = obj_create(zset ? OBJ_ZSET : OBJ_HASH, lp);
    o->encoding = OBJ_ENCODING_LISTPACK;
    if (zset)
        zset_lp_fit(o);
    else
        hash_lp_fit(o);
    *out = o;
    return RDB_OBJ_OK;
}

static rdb_obj_result read_pairs_listpack(rdb_reader *rd, int type, kobj **out) {
    int zset = type == RDB_TYPE_ZSET_LISTPACK;
    unsigned char *lp;
    size_t len;
    if (rdb_read_blob(rd, &lp, &len, zset ? "a sorted set listpack" : "a hash listpack") == C_ERR)
        return RDB_OBJ_ERR;
    return pairs_from_listpack(rd, lp, len, zset, out);
}

static rdb_obj_result read_pairs_ziplist(rdb_reader *rd, int type, kobj **out) {
    int zset = type == RDB_TYPE_ZSET_ZIPLIST;
    unsigned char *zl;
    size_t len;
    if (rdb_read_blob(rd, &zl, &len, zset ? "a sorted set ziplist" : "a hash ziplist") == C_ERR)
        return RDB_OBJ_ERR;
    if (!zl_validate(zl, len, NULL)) {
        zfree(zl);
        return fail_free(rd, NULL, "ziplist integrity check failed");
    }
    unsigned char *lp = rdb_ziplist_to_listpack(zl);
    zfree(zl);
    return pairs_from_listpack(rd, lp, lp_bytes(lp), zset, out);
}

static rdb_obj_result read_zipmap(rdb_reader *rd, kobj **out) {
    unsigned char *zm;
    size_t len;
    if (rdb_read_blob(rd, &zm, &len, "a hash zipmap") == C_ERR) return RDB_OBJ_ERR;
    if (!zm_validate(zm, len, NULL)) {
        zfree(zm);
        return fail_free(rd, NULL, "zipmap integrity check failed");
    }
    size_t maxlen;
    unsigned char *lp = rdb_zipmap_to_listpack(zm, &maxlen);
    zfree(zm);
    const char *why = rdb_lp_pairs_check(lp, lp_bytes(lp), 0);
    if (why) {
        lp_free(lp);
        return fail_free(rd, NULL, why);
    }
    if (lp_first(lp) == NULL) {
        lp_free(lp);
        return RDB_OBJ_EMPTY;
    }
    kobj *o = obj_create(OBJ_HASH, lp);
    o->encoding = OBJ_ENCODING_LISTPACK;
    hash_lp_fit(o);
    *out = o;
    return RDB_OBJ_OK;
}

/* Appends the entries of a ziplist blob to list. C_ERR when invalid. */
static int list_add_ziplist(kobj *list, const unsigned char *zl, size_t len) {
    if (!zl_validate(zl, len, NULL)) return C_ERR;
    for (const unsigned char *p = zl_first(zl); p; p = zl_next(p)) {
        zl_value v;
        zl_get(p, &v);
        list_push_value(list, v.str, v.len, v.ival);
    }
    return C_OK;
}

static int list_add_listpack(kobj *list, unsigned char *lp, size_t len) {
    if (!lp_validate_integrity(lp, len, 1, NULL, NULL)) return C_ERR;
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, p)) {
        lp_value v;
        lp_get_value(p, &v);
        list_push_value(list, v.str, v.len, v.ival);
    }
    return C_OK;
}

static rdb_obj_result read_list_ziplist(rdb_reader *rd, kobj **out) {
    unsigned char *zl;
    size_t len;
    if (rdb_read_blob(rd, &zl, &len, "a list ziplist") == C_ERR) return RDB_OBJ_ERR;
    kobj *list = list_type_create();
    int rc = list_add_ziplist(list, zl, len);
    zfree(zl);
    if (rc == C_ERR) return fail_free(rd, list, "ziplist integrity check failed");
    if (list_type_length(list) == 0) {
        decr_ref(list);
        return RDB_OBJ_EMPTY;
    }
    *out = list;
    return RDB_OBJ_OK;
}

/* Quicklist (type 14: ziplist nodes) and quicklist 2 (type 18: plain or
 * listpack nodes). Empty nodes are skipped, as Redis does. */
static rdb_obj_result read_quicklist(rdb_reader *rd, int type, kobj **out) {
    uint64_t nodes;
    if (rdb_read_len(rd, &nodes, NULL, "a quicklist node count") == C_ERR) return RDB_OBJ_ERR;
    if (nodes == 0) return RDB_OBJ_EMPTY;
    kobj *list = list_type_create();
    for (uint64_t i = 0; i < nodes; i++) {
        uint64_t container = RDB_QL_NODE_PACKED;
        if (type == RDB_TYPE_LIST_QUICKLIST_2) {
            if (rdb_read_len(rd, &container, NULL, "a quicklist node container") == C_ERR)
                return fail_free(rd, list, NULL);
            if (container != RDB_QL_NODE_PLAIN && container != RDB_QL_NODE_PACKED)
                return fail_free(rd, list, "unknown quicklist node container");
        }
        unsigned char *blob;
        size_t len;
        if (rdb_read_blob(rd, &blob, &len, "a quicklist node") == C_ERR)
            return fail_free(rd, list, NULL);
        int rc = C_OK;
        const char *why = NULL;
        if (container == RDB_QL_NODE_PLAIN) {
            ql_push(list->ptr, blob, len, QL_TAIL);
        } else if (type == RDB_TYPE_LIST_QUICKLIST_2) {
            rc = list_add_listpack(list, blob, len);
            why = "quicklist listpack node integrity check failed";
        } else {
            rc = list_add_ziplist(list, blob, len);
            why = "quicklist ziplist node integrity check failed";
        }
        zfree(blob);
        if (rc == C_ERR) return fail_free(rd, list, why);
    }
    if (list_type_length(list) == 0) {
        decr_ref(list);
        return RDB_OBJ_EMPTY;
    }
    *out = list;
    return RDB_OBJ_OK;
}

rdb_obj_result rdb_read_object(rdb_reader *rd, int type, kobj **out) {
    *out = NULL;
    switch (type) {
    case RDB_TYPE_STRING: return read_string_value(rd, out);
    case RDB_TYPE_LIST: return read_linked_list(rd, out);
    case RDB_TYPE_SET: return read_set(rd, out);
    case RDB_TYPE_ZSET:
    case RDB_TYPE_ZSET_2: return read_zset(rd, type, out);
    case RDB_TYPE_HASH: return read_hash(rd, out);
    case RDB_TYPE_HASH_ZIPMAP: return read_zipmap(rd, out);
    case RDB_TYPE_LIST_ZIPLIST: return read_list_ziplist(rd, out);
    case RDB_TYPE_SET_INTSET: return read_intset(rd, out);
    case RDB_TYPE_ZSET_ZIPLIST:
    case RDB_TYPE_HASH_ZIPLIST: return read_pairs_ziplist(rd, type, out);
    case RDB_TYPE_LIST_QUICKLIST:
    case RDB_TYPE_LIST_QUICKLIST_2: return read_quicklist(rd, type, out);
    case RDB_TYPE_HASH_LISTPACK:
    case RDB_TYPE_ZSET_LISTPACK: return read_pairs_listpack(rd, type, out);
    case RDB_TYPE_STREAM_LISTPACKS:
    case RDB_TYPE_STREAM_LISTPACKS_2:
        rdb_fail(rd, "stream keys are not supported by keyport (RDB type %d)", type);
        return RDB_OBJ_ERR;
    case RDB_TYPE_MODULE_PRE_GA:
    case RDB_TYPE_MODULE_2:
        rdb_fail(rd, "module keys are not supported by keyport (RDB type %d)", type);
        return RDB_OBJ_ERR;
    default: rdb_fail(rd, "unknown RDB value type %d", type); return RDB_OBJ_ERR;
    }
}
