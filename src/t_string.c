/*
 * String commands (GET, SET and friends, counters, ranges, LCS) with Redis
 * 7.0 semantics, replies and error strings.
 *
 * Values are stored through obj_try_encode, so small integers become
 * shared objects and short strings EMBSTR, as Redis stores them. A value
 * is modified in place (APPEND, SETRANGE) only after making it a private
 * RAW string (unshare_string).
 */
#include <limits.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#include "keyspace.h"
#include "notify.h"
#include "propagate.h"
#include "server.h"

#define MAX_STRING_LEN_DEFAULT (512LL * 1024 * 1024)

/* ---------- shared pieces ---------- */

/* Largest string a command may build (proto-max-bulk-len). */
static long long max_string_len(void) {
    return server.proto_max_bulk_len > 0 ? server.proto_max_bulk_len : MAX_STRING_LEN_DEFAULT;
}

/* Refuses a result of size + append bytes above the limit (or that would
 * overflow). */
static int check_string_length(client *c, long long size, long long append) {
    unsigned long long total = (unsigned long long)size + (unsigned long long)append;
    if (total > (unsigned long long)max_string_len()) {
        add_reply_error(c, "ERR string exceeds maximum allowed size (proto-max-bulk-len)");
        return C_ERR;
    }
    return C_OK;
}

/* Makes the value of key a RAW string referenced only by the database, so
 * it can be changed in place; returns it. Shared with bitops.c
 * (keyspace.h). */
kobj *unshare_string(kdb *db, kobj *key, kobj *o) {
    if (o->refcount == 1 && o->encoding == OBJ_ENCODING_RAW) return o;
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = string_obj_ptr(o, buf, sizeof(buf), &len);
    kobj *copy = obj_create_raw_string(p, len);
    db_overwrite(db, key, copy);
    return copy;
}

/* Options of SET and GETEX. */
#define OPT_NX (1 << 0)
#define OPT_XX (1 << 1)
#define OPT_GET (1 << 2)
#define OPT_KEEPTTL (1 << 3)
#define OPT_PERSIST (1 << 4)
#define OPT_EX (1 << 5)
#define OPT_PX (1 << 6)
#define OPT_EXAT (1 << 7)
#define OPT_PXAT (1 << 8)
#define OPT_ANY_EXPIRE (OPT_EX | OPT_PX | OPT_EXAT | OPT_PXAT)

enum opt_command { OPT_FOR_SET, OPT_FOR_GETEX };

/* Parses the options of SET (from argv[3]) or GETEX (from argv[2]).
 * Repeating an option is allowed (the last value wins); combining
 * exclusive ones is a syntax error. *expire gets the time argument. */
static int parse_set_options(client *c, enum opt_command cmd, int *flags, kobj **expire) {
    int is_set = cmd == OPT_FOR_SET;
    for (int j = is_set ? 3 : 2; j < c->argc; j++) {
        kobj *opt = c->argv[j];
        kobj *next = j + 1 < c->argc ? c->argv[j + 1] : NULL;
        int f = *flags;
        int bit = 0;
        if (is_set && arg_is(opt, "nx") && !(f & OPT_XX)) {
            *flags |= OPT_NX;
        } else if (is_set && arg_is(opt, "xx") && !(f & OPT_NX)) {
            *flags |= OPT_XX;
        } else if (is_set && arg_is(opt, "get")) {
            *flags |= OPT_GET;
        } else if (is_set && arg_is(opt, "keepttl") && !(f & (OPT_PERSIST | OPT_ANY_EXPIRE))) {
            *flags |= OPT_KEEPTTL;
        } else if (!is_set && arg_is(opt, "persist") && !(f & (OPT_KEEPTTL | OPT_ANY_EXPIRE))) {
            *flags |= OPT_PERSIST;
        } else if ((arg_is(opt, "ex") && (bit = OPT_EX)) || (arg_is(opt, "px") && (bit = OPT_PX)) ||
                   (arg_is(opt, "exat") && (bit = OPT_EXAT)) ||
                   (arg_is(opt, "pxat") && (bit = OPT_PXAT))) {
            /* One expire form only, not with KEEPTTL/PERSIST, and it
             * needs its value. */
            if ((f & (OPT_KEEPTTL | OPT_PERSIST | (OPT_ANY_EXPIRE & ~bit))) || !next) {
                add_reply_error_syntax(c);
                return C_ERR;
            }
            *flags |= bit;
            *expire = next;
            j++;
        } else {
            add_reply_error_syntax(c);
            return C_ERR;
        }
    }
    return C_OK;
}

/* Converts the expire argument into an absolute unix time in ms. */
static int expire_ms_or_reply(client *c, kobj *expire, int flags, long long *ms) {
    long long v;
    if (arg_to_ll_or_reply(c, expire, &v, NULL) != C_OK) return C_ERR;
    int seconds = (flags & (OPT_EX | OPT_EXAT)) != 0;
    if (v <= 0 || (seconds && v > LLONG_MAX / 1000)) {
        reply_invalid_expire(c);
        return C_ERR;
    }
    if (seconds) v *= 1000;
    if (flags & (OPT_EX | OPT_PX)) {
        long long now = db_now_ms();
        if (v > LLONG_MAX - now) {
            reply_invalid_expire(c);
            return C_ERR;
        }
        v += now;
    }
    *ms = v;
    return C_OK;
}

/* GET's reply for argv[1]: the value or a null. C_ERR (after replying
 * WRONGTYPE) when the key holds another type. */
static int get_generic(client *c) {
    kobj *o = db_lookup_read(c->db, c->argv[1]);
    if (!o) {
        add_reply_null(c);
        return C_OK;
    }
    if (o->type != OBJ_STRING) {
        add_reply_error_wrongtype(c);
        return C_ERR;
    }
    reply_string_obj(c, o);
    return C_OK;
}

/* SET with EX/PX/EXAT/PXAT, SETEX and PSETEX propagate as
 * SET key value PXAT <absolute ms>. */
static void propagate_set_pxat(client *c, kobj *key, kobj *val, long long when) {
    kobj *ms = obj_create_from_ll(when);
    propagate_rewrite_objs(c, 5, propagate_word("SET"), key, val, propagate_word("PXAT"), ms);
    decr_ref(ms);
}

/* SET ... GET propagates without its GET options (the reply is not part
 * of the change). */
static void propagate_without_get(client *c) {
    kobj **argv = zmalloc(sizeof(kobj *) * (size_t)c->argc);
    int argc = 0;
    for (int j = 0; j < c->argc; j++) {
        if (j >= 3 && arg_is(c->argv[j], "get")) continue;
        argv[argc++] = c->argv[j];
        incr_ref(c->argv[j]);
    }
    propagate_replace_argv(c, argc, argv);
}

/* How SET-like commands answer: +OK / null, or :1 / :0 (SETNX). */
enum set_reply { SET_REPLY_OK, SET_REPLY_INT };

static void set_generic(client *c, int flags, kobj *key, kobj *val, kobj *expire,
                        enum set_reply style) {
    long long when = 0;
    if (expire && expire_ms_or_reply(c, expire, flags, &when) != C_OK) return;
    if ((flags & OPT_GET) && get_generic(c) != C_OK) return;

    int found = db_lookup_write(c->db, key) != NULL;
    if (((flags & OPT_NX) && found) || ((flags & OPT_XX) && !found)) {
        if (!(flags & OPT_GET)) {
            if (style == SET_REPLY_INT)
                add_reply_ll(c, 0);
            else
                add_reply_null(c);
        }
        return;
    }
    db_set_key(c->db, key, val, flags & OPT_KEEPTTL);
    server.dirty++;
    notify_keyspace_event(NOTIFY_STRING, "set", key, c->db->id);
    if (expire) {
        db_set_expire(c->db, key, when);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", key, c->db->id);
    }
    if (!(flags & OPT_GET)) {
        if (style == SET_REPLY_INT)
            add_reply_ll(c, 1);
        else
            add_reply_ok(c);
    }
    if (expire)
        propagate_set_pxat(c, key, val, when);
    else if (flags & OPT_GET)
        propagate_without_get(c);
}

/* ---------- GET / SET family ---------- */

static void get_command(client *c) {
    get_generic(c);
}

static void set_command(client *c) {
    int flags = 0;
    kobj *expire = NULL;
    if (parse_set_options(c, OPT_FOR_SET, &flags, &expire) != C_OK) return;
    c->argv[2] = obj_try_encode(c->argv[2]);
    set_generic(c, flags, c->argv[1], c->argv[2], expire, SET_REPLY_OK);
}

static void setnx_command(client *c) {
    c->argv[2] = obj_try_encode(c->argv[2]);
    set_generic(c, OPT_NX, c->argv[1], c->argv[2], NULL, SET_REPLY_INT);
}

static void setex_command(client *c) {
    c->argv[3] = obj_try_encode(c->argv[3]);
    set_generic(c, OPT_EX, c->argv[1], c->argv[3], c->argv[2], SET_REPLY_OK);
}

static void psetex_command(client *c) {
    c->argv[3] = obj_try_encode(c->argv[3]);
    set_generic(c, OPT_PX, c->argv[1], c->argv[3], c->argv[2], SET_REPLY_OK);
}

static void getex_command(client *c) {
    int flags = 0;
    kobj *expire = NULL;
    if (parse_set_options(c, OPT_FOR_GETEX, &flags, &expire) != C_OK) return;
    kobj *o = db_lookup_read_or_reply(c, c->argv[1], OBJ_STRING);
    if (!o) return;
    long long when = 0;
    if (expire && expire_ms_or_reply(c, expire, flags, &when) != C_OK) return;
    reply_string_obj(c, o);
    kobj *key = c->argv[1];
    if ((flags & (OPT_EXAT | OPT_PXAT)) && when <= db_now_ms() && !server.loading) {
        /* An absolute time already past deletes the key (not while
         * loading, as Redis' checkAlreadyExpired). */
        db_delete(c->db, key);
        signal_modified_key(c, c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "del", key, c->db->id);
        server.dirty++;
        propagate_rewrite_objs(c, 2, propagate_word("DEL"), key);
    } else if (expire) {
        db_set_expire(c->db, key, when);
        signal_modified_key(c, c->db, key);
        notify_keyspace_event(NOTIFY_GENERIC, "expire", key, c->db->id);
        server.dirty++;
        kobj *ms = obj_create_from_ll(when);
        propagate_rewrite_objs(c, 3, propagate_word("PEXPIREAT"), key, ms);
        decr_ref(ms);
    } else if (flags & OPT_PERSIST) {
        if (db_remove_expire(c->db, key)) {
            signal_modified_key(c, c->db, key);
            notify_keyspace_event(NOTIFY_GENERIC, "persist", key, c->db->id);
            server.dirty++;
            propagate_rewrite_objs(c, 2, propagate_word("PERSIST"), key);
        }
    }
}

static void getdel_command(client *c) {
    kobj *o = db_lookup_read_or_reply(c, c->argv[1], OBJ_STRING);
    if (!o) return;
    reply_string_obj(c, o);
    db_delete(c->db, c->argv[1]);
    signal_modified_key(c, c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_GENERIC, "del", c->argv[1], c->db->id);
    server.dirty++;
    propagate_rewrite_objs(c, 2, propagate_word("DEL"), c->argv[1]);
}

static void getset_command(client *c) {
    if (get_generic(c) != C_OK) return;
    c->argv[2] = obj_try_encode(c->argv[2]);
    db_set_key(c->db, c->argv[1], c->argv[2], 0);
    notify_keyspace_event(NOTIFY_STRING, "set", c->argv[1], c->db->id);
    server.dirty++;
    propagate_rewrite_arg(c, 0, propagate_word("SET"));
}

static void mget_command(client *c) {
    add_reply_array_len(c, c->argc - 1);
    for (int j = 1; j < c->argc; j++) {
        kobj *o = db_lookup_read(c->db, c->argv[j]);
        if (!o || o->type != OBJ_STRING)
            add_reply_null(c);
        else
            reply_string_obj(c, o);
    }
}

static void mset_generic(client *c, int nx) {
    if (c->argc % 2 == 0) {
        add_reply_errorf(c, "ERR wrong number of arguments for '%s' command", c->cmd->name);
        return;
    }
    if (nx) {
        for (int j = 1; j < c->argc; j += 2) {
            if (db_lookup_write(c->db, c->argv[j])) {
                add_reply_ll(c, 0);
                return;
            }
        }
    }
    for (int j = 1; j < c->argc; j += 2) {
        c->argv[j + 1] = obj_try_encode(c->argv[j + 1]);
        db_set_key(c->db, c->argv[j], c->argv[j + 1], 0);
        notify_keyspace_event(NOTIFY_STRING, "set", c->argv[j], c->db->id);
    }
    server.dirty += (c->argc - 1) / 2;
    if (nx)
        add_reply_ll(c, 1);
    else
        add_reply_ok(c);
}

static void mset_command(client *c) {
    mset_generic(c, 0);
}

static void msetnx_command(client *c) {
    mset_generic(c, 1);
}

/* ---------- APPEND / STRLEN / ranges ---------- */

static void append_command(client *c) {
    size_t total;
    kobj *o = db_lookup_write(c->db, c->argv[1]);
    if (!o) {
        c->argv[2] = obj_try_encode(c->argv[2]);
        incr_ref(c->argv[2]);
        db_add(c->db, c->argv[1], c->argv[2]);
        total = string_obj_len(c->argv[2]);
    } else {
        if (o->type != OBJ_STRING) {
            add_reply_error_wrongtype(c);
            return;
        }
        char buf[LONG_STR_SIZE];
        size_t alen;
        const char *ap = string_obj_ptr(c->argv[2], buf, sizeof(buf), &alen);
        if (check_string_length(c, (long long)string_obj_len(o), (long long)alen) != C_OK) return;
        o = unshare_string(c->db, c->argv[1], o);
        o->ptr = kstr_cat(o->ptr, ap, alen);
        total = kstr_len(o->ptr);
    }
    signal_modified_key(c, c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_STRING, "append", c->argv[1], c->db->id);
    server.dirty++;
    add_reply_ll(c, (long long)total);
}

static void strlen_command(client *c) {
    kobj *o = db_lookup_read(c->db, c->argv[1]);
    if (!o) {
        add_reply_ll(c, 0);
        return;
    }
    if (o->type != OBJ_STRING) {
        add_reply_error_wrongtype(c);
        return;
    }
    add_reply_ll(c, (long long)string_obj_len(o));
}

static void getrange_command(client *c) {
    long long start, end;
    if (arg_to_ll_or_reply(c, c->argv[2], &start, NULL) != C_OK) return;
    if (arg_to_ll_or_reply(c, c->argv[3], &end, NULL) != C_OK) return;
    kobj *o = db_lookup_read(c->db, c->argv[1]);
    if (!o) {
        add_reply_bulk_buf(c, "", 0);
        return;
    }
    if (o->type != OBJ_STRING) {
        add_reply_error_wrongtype(c);
        return;
    }
    char buf[LONG_STR_SIZE];
    size_t slen;
    const char *s = string_obj_ptr(o, buf, sizeof(buf), &slen);
    long long len = (long long)slen;
    /* Both negative and reversed: empty, before clamping. */
    if (start < 0 && end < 0 && start > end) {
        add_reply_bulk_buf(c, "", 0);
        return;
    }
    if (start < 0) start += len;
    if (end < 0) end += len;
    if (start < 0) start = 0;
    if (end < 0) end = 0;
    if (end >= len) end = len - 1;
    if (len == 0 || start > end) {
        add_reply_bulk_buf(c, "", 0);
        return;
    }
    add_reply_bulk_buf(c, s + start, (size_t)(end - start + 1));
}

static void setrange_command(client *c) {
    long long offset;
    if (arg_to_ll_or_reply(c, c->argv[2], &offset, NULL) != C_OK) return;
    if (offset < 0) {
        add_reply_error(c, "ERR offset is out of range");
        return;
    }
    char buf[LONG_STR_SIZE];
    size_t vlen;
    const char *value = string_obj_ptr(c->argv[3], buf, sizeof(buf), &vlen);
    kobj *o = db_lookup_write(c->db, c->argv[1]);
    if (!o) {
        /* Nothing to write creates nothing. */
        if (vlen == 0) {
            add_reply_ll(c, 0);
            return;
        }
        if (check_string_length(c, offset, (long long)vlen) != C_OK) return;
        o = obj_create_from_kstr(kstr_new(NULL, (size_t)offset + vlen));
        db_add(c->db, c->argv[1], o);
    } else {
        if (o->type != OBJ_STRING) {
            add_reply_error_wrongtype(c);
            return;
        }
        size_t olen = string_obj_len(o);
        if (vlen == 0) {
            add_reply_ll(c, (long long)olen);
            return;
        }
        if (check_string_length(c, offset, (long long)vlen) != C_OK) return;
        o = unshare_string(c->db, c->argv[1], o);
        size_t need = (size_t)offset + vlen;
        size_t cur = kstr_len(o->ptr);
        if (need > cur) {
            o->ptr = kstr_reserve(o->ptr, need - cur);
            memset(o->ptr + cur, 0, need - cur);
            kstr_set_len(o->ptr, need);
        }
    }
    memcpy((char *)o->ptr + offset, value, vlen);
    signal_modified_key(c, c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_STRING, "setrange", c->argv[1], c->db->id);
    server.dirty++;
    add_reply_ll(c, (long long)kstr_len(o->ptr));
}

/* ---------- counters ---------- */

static void incr_decr(client *c, long long incr) {
    kobj *o = db_lookup_write(c->db, c->argv[1]);
    if (o && o->type != OBJ_STRING) {
        add_reply_error_wrongtype(c);
        return;
    }
    long long value;
    if (obj_get_ll(o, &value) != C_OK) {
        add_reply_error(c, "ERR value is not an integer or out of range");
        return;
    }
    if ((incr < 0 && value < 0 && incr < LLONG_MIN - value) ||
        (incr > 0 && value > 0 && incr > LLONG_MAX - value)) {
        add_reply_error(c, "ERR increment or decrement would overflow");
        return;
    }
    value += incr;
    if (o && o->refcount == 1 && o->encoding == OBJ_ENCODING_INT &&
        (value < 0 || value >= OBJ_SHARED_INTEGERS) && value >= LONG_MIN && value <= LONG_MAX) {
        /* Private INT value: update in place. */
        o->ptr = (void *)(long)value;
    } else {
        kobj *n = obj_create_from_ll(value);
        if (o)
            db_overwrite(c->db, c->argv[1], n);
        else
            db_add(c->db, c->argv[1], n);
    }
    signal_modified_key(c, c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_STRING, "incrby", c->argv[1], c->db->id);
    server.dirty++;
    add_reply_ll(c, value);
}

static void incr_command(client *c) {
    incr_decr(c, 1);
}

static void decr_command(client *c) {
    incr_decr(c, -1);
}

static void incrby_command(client *c) {
    long long incr;
    if (arg_to_ll_or_reply(c, c->argv[2], &incr, NULL) != C_OK) return;
    incr_decr(c, incr);
}

static void decrby_command(client *c) {
    long long incr;
    if (arg_to_ll_or_reply(c, c->argv[2], &incr, NULL) != C_OK) return;
    /* -LLONG_MIN does not exist. */
    if (incr == LLONG_MIN) {
        add_reply_error(c, "ERR decrement would overflow");
        return;
    }
    incr_decr(c, -incr);
}

static void incrbyfloat_command(client *c) {
    kobj *o = db_lookup_write(c->db, c->argv[1]);
    if (o && o->type != OBJ_STRING) {
        add_reply_error_wrongtype(c);
        return;
    }
    long double value, incr;
    if (obj_get_long_double(o, &value) != C_OK || obj_get_long_double(c->argv[2], &incr) != C_OK) {
        add_reply_error(c, "ERR value is not a valid float");
        return;
    }
    value += incr;
    if (isnan(value) || isinf(value)) {
        add_reply_error(c, "ERR increment would produce NaN or Infinity");
        return;
    }
    kobj *n = obj_create_from_long_double(value, 1);
    if (o)
        db_overwrite(c->db, c->argv[1], n);
    else
        db_add(c->db, c->argv[1], n);
    signal_modified_key(c, c->db, c->argv[1]);
    notify_keyspace_event(NOTIFY_STRING, "incrbyfloat", c->argv[1], c->db->id);
    server.dirty++;
    reply_string_obj(c, n);
    /* The result, not the increment: float formatting must not differ
     * between this server and the one replaying (KEEPTTL keeps a TTL). */
    propagate_rewrite_objs(c, 4, propagate_word("SET"), c->argv[1], n, propagate_word("KEEPTTL"));
}

/* ---------- LCS ---------- */

/* Options of one LCS call. */
typedef struct lcs_opts {
    int want_len, want_idx, with_match_len;
    long long min_match_len;
} lcs_opts;

/* Emits one match range of the IDX reply. */
static void lcs_emit_range(client *c, const lcs_opts *o, uint32_t a0, uint32_t a1, uint32_t b0,
                           uint32_t b1) {
    add_reply_array_len(c, 2 + o->with_match_len);
    add_reply_array_len(c, 2);
    add_reply_ll(c, a0);
    add_reply_ll(c, a1);
    add_reply_array_len(c, 2);
    add_reply_ll(c, b0);
    add_reply_ll(c, b1);
    if (o->with_match_len) add_reply_ll(c, (long long)a1 - a0 + 1);
}

/* Dynamic-programming LCS of a and b, replied according to o. */
static void lcs_reply(client *c, const char *a, uint32_t alen, const char *b, uint32_t blen,
                      const lcs_opts *o) {
    unsigned long long cells = (unsigned long long)(alen + 1ULL) * (blen + 1ULL);
    if (cells > SIZE_MAX / sizeof(uint32_t) ||
        cells * sizeof(uint32_t) > (unsigned long long)max_string_len()) {
        add_reply_error(
            c, "ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len");
        return;
    }
    /* table[i][j]: LCS length of a[0..i) and b[0..j). */
    uint32_t *table = zmalloc((size_t)cells * sizeof(uint32_t));
#define LCS_AT(i, j) table[(size_t)(i) * (blen + 1) + (j)]
    for (uint32_t i = 0; i <= alen; i++) {
        for (uint32_t j = 0; j <= blen; j++) {
            if (i == 0 || j == 0)
                LCS_AT(i, j) = 0;
            else if (a[i - 1] == b[j - 1])
                LCS_AT(i, j) = LCS_AT(i - 1, j - 1) + 1;
            else
                LCS_AT(i, j) =
                    LCS_AT(i - 1, j) > LCS_AT(i, j - 1) ? LCS_AT(i - 1, j) : LCS_AT(i, j - 1);
        }
    }
    uint32_t total = LCS_AT(alen, blen);

    if (o->want_len && !o->want_idx) {
        add_reply_ll(c, total);
        zfree(table);
        return;
    }

    /* Walk back from the end, collecting the common string and, for IDX,
     * the ranges of consecutive matches (last ones first). */
    char *result = zmalloc(total + 1);
    uint32_t ridx = total;
    void *deferred = NULL;
    long ranges = 0;
    if (o->want_idx) {
        add_reply_map_len(c, 2);
        add_reply_bulk_cstr(c, "matches");
        deferred = add_reply_deferred_len(c);
    }
    int in_range = 0;
    uint32_t a0 = 0, a1 = 0, b0 = 0, b1 = 0;
    uint32_t i = alen, j = blen;
    while (i > 0 && j > 0) {
        int emit = 0;
        if (a[i - 1] == b[j - 1]) {
            result[--ridx] = a[i - 1];
            if (!in_range) {
                in_range = 1;
                a0 = a1 = i - 1;
                b0 = b1 = j - 1;
            } else if (a0 == i && b0 == j) {
                a0--, b0--; /* extends the current range backwards */
            } else {
                emit = 1;
            }
            if (a0 == 0 || b0 == 0) emit = 1;
            i--, j--;
        } else {
            if (LCS_AT(i - 1, j) > LCS_AT(i, j - 1))
                i--;
            else
                j--;
            if (in_range) emit = 1;
        }
        if (emit) {
            if (deferred && (o->min_match_len == 0 || a1 - a0 + 1 >= o->min_match_len)) {
                lcs_emit_range(c, o, a0, a1, b0, b1);
                ranges++;
            }
            in_range = 0;
        }
    }
#undef LCS_AT
    zfree(table);

    if (deferred) {
        set_deferred_array_len(c, deferred, ranges);
        add_reply_bulk_cstr(c, "len");
        add_reply_ll(c, total);
    } else {
        add_reply_bulk_buf(c, result, total);
    }
    zfree(result);
}

static void lcs_command(client *c) {
    kobj *oa = db_lookup_read(c->db, c->argv[1]);
    kobj *ob = db_lookup_read(c->db, c->argv[2]);
    if ((oa && oa->type != OBJ_STRING) || (ob && ob->type != OBJ_STRING)) {
        add_reply_error(c, "ERR The specified keys must contain string values");
        return;
    }
    lcs_opts o = {0, 0, 0, 0};
    for (int j = 3; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (arg_is(c->argv[j], "idx")) {
            o.want_idx = 1;
        } else if (arg_is(c->argv[j], "len")) {
            o.want_len = 1;
        } else if (arg_is(c->argv[j], "withmatchlen")) {
            o.with_match_len = 1;
        } else if (arg_is(c->argv[j], "minmatchlen") && more) {
            if (arg_to_ll_or_reply(c, c->argv[j + 1], &o.min_match_len, NULL) != C_OK) return;
            if (o.min_match_len < 0) o.min_match_len = 0;
            j++;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    if (o.want_idx && o.want_len) {
        add_reply_error(c, "ERR If you want both the length and indexes, please just use IDX.");
        return;
    }
    char bufa[LONG_STR_SIZE], bufb[LONG_STR_SIZE];
    size_t alen = 0, blen = 0;
    const char *a = oa ? string_obj_ptr(oa, bufa, sizeof(bufa), &alen) : "";
    const char *b = ob ? string_obj_ptr(ob, bufb, sizeof(bufb), &blen) : "";
    if (alen >= UINT32_MAX - 1 || blen >= UINT32_MAX - 1) {
        add_reply_error(c, "ERR String too long for LCS");
        return;
    }
    lcs_reply(c, a, (uint32_t)alen, b, (uint32_t)blen, &o);
}

/* ---------- command table ---------- */

kcommand string_commands[] = {
    {.name = "get",
     .proc = get_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Get the value of a key",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@read @string @fast",
     .syntax = "key"},
    {.name = "set",
     .proc = set_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Set the string value of a key",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @slow",
     .syntax = "key value [NX | XX] [GET] [EX seconds | PX milliseconds | EXAT unix-time-seconds | "
               "PXAT unix-time-milliseconds | KEEPTTL]"},
    {.name = "getex",
     .proc = getex_command,
     .arity = -2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Get the value of a key and optionally set its expiration",
     .since = "6.2.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key [EX seconds | PX milliseconds | EXAT unix-time-seconds | PXAT "
               "unix-time-milliseconds | PERSIST]"},
    {.name = "getdel",
     .proc = getdel_command,
     .arity = 2,
     .flags = CMD_WRITE | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Get the value of a key and delete the key",
     .since = "6.2.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key"},
    {.name = "getset",
     .proc = getset_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Set the string value of a key and return its old value",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key value"},
    {.name = "mget",
     .proc = mget_command,
     .arity = -2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = -1,
     .key_step = 1,
     .group = "string",
     .summary = "Get the values of all the given keys",
     .since = "1.0.0",
     .complexity = "O(N) where N is the number of keys to retrieve.",
     .acl_categories = "@read @string @fast",
     .syntax = "key [key ...]"},
    {.name = "mset",
     .proc = mset_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = -1,
     .key_step = 2,
     .group = "string",
     .summary = "Set multiple keys to multiple values",
     .since = "1.0.1",
     .complexity = "O(N) where N is the number of keys to set.",
     .acl_categories = "@write @string @slow",
     .syntax = "key value [key value ...]"},
    {.name = "msetnx",
     .proc = msetnx_command,
     .arity = -3,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = -1,
     .key_step = 2,
     .group = "string",
     .summary = "Set multiple keys to multiple values, only if none of the keys exist",
     .since = "1.0.1",
     .complexity = "O(N) where N is the number of keys to set.",
     .acl_categories = "@write @string @slow",
     .syntax = "key value [key value ...]"},
    {.name = "setnx",
     .proc = setnx_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Set the value of a key, only if the key does not exist",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key value"},
    {.name = "setex",
     .proc = setex_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Set the value and expiration of a key",
     .since = "2.0.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @slow",
     .syntax = "key seconds value"},
    {.name = "psetex",
     .proc = psetex_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Set the value and expiration in milliseconds of a key",
     .since = "2.6.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @slow",
     .syntax = "key milliseconds value"},
    {.name = "append",
     .proc = append_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Append a value to a key",
     .since = "2.0.0",
     .complexity =
         "O(1). The amortized time complexity is O(1) assuming the appended value is small and the "
         "already present value is of any size, since the dynamic string library used by Redis "
         "will double the free space available on every reallocation.",
     .acl_categories = "@write @string @fast",
     .syntax = "key value"},
    {.name = "strlen",
     .proc = strlen_command,
     .arity = 2,
     .flags = CMD_READONLY | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Get the length of the value stored in a key",
     .since = "2.2.0",
     .complexity = "O(1)",
     .acl_categories = "@read @string @fast",
     .syntax = "key"},
    {.name = "getrange",
     .proc = getrange_command,
     .arity = 4,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Get a substring of the string stored at a key",
     .since = "2.4.0",
     .complexity =
         "O(N) where N is the length of the returned string. The complexity is ultimately "
         "determined by the returned length, but because creating a substring from an existing "
         "string is very cheap, it can be considered O(1) for small strings.",
     .acl_categories = "@read @string @slow",
     .syntax = "key start end"},
    {.name = "setrange",
     .proc = setrange_command,
     .arity = 4,
     .flags = CMD_WRITE | CMD_DENYOOM,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Overwrite part of a string at key starting at the specified offset",
     .since = "2.2.0",
     .complexity = "O(1), not counting the time taken to copy the new string in place. Usually, "
                   "this string is very small so the amortized complexity is O(1). Otherwise, "
                   "complexity is O(M) with M being the length of the value argument.",
     .acl_categories = "@write @string @slow",
     .syntax = "key offset value"},
    {.name = "incr",
     .proc = incr_command,
     .arity = 2,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Increment the integer value of a key by one",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key"},
    {.name = "decr",
     .proc = decr_command,
     .arity = 2,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Decrement the integer value of a key by one",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key"},
    {.name = "incrby",
     .proc = incrby_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Increment the integer value of a key by the given amount",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key increment"},
    {.name = "decrby",
     .proc = decrby_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Decrement the integer value of a key by the given number",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key decrement"},
    {.name = "incrbyfloat",
     .proc = incrbyfloat_command,
     .arity = 3,
     .flags = CMD_WRITE | CMD_DENYOOM | CMD_FAST,
     .first_key = 1,
     .last_key = 1,
     .key_step = 1,
     .group = "string",
     .summary = "Increment the float value of a key by the given amount",
     .since = "2.6.0",
     .complexity = "O(1)",
     .acl_categories = "@write @string @fast",
     .syntax = "key increment"},
    {.name = "lcs",
     .proc = lcs_command,
     .arity = -3,
     .flags = CMD_READONLY,
     .first_key = 1,
     .last_key = 2,
     .key_step = 1,
     .group = "string",
     .summary = "Find longest common substring",
     .since = "7.0.0",
     .complexity = "O(N*M) where N and M are the lengths of s1 and s2, respectively",
     .acl_categories = "@read @string @slow",
     .syntax = "key1 key2 [LEN] [IDX] [MINMATCHLEN len] [WITHMATCHLEN]"},
    {0}};
