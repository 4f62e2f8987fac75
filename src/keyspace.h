/*
 * Private interfaces of the data layer (object.c, db.c, expire.c,
 * lazyfree.c and the keyspace/string commands). Everything here runs on
 * the main thread unless it says otherwise.
 */
#ifndef KEYPORT_KEYSPACE_H
#define KEYPORT_KEYSPACE_H

#include "server.h"

/* ---------- object.c ---------- */

#define OBJ_LRU_CLOCK_MAX ((1U << OBJ_LRU_BITS) - 1)
/* Seconds clock (24 bits, wrapping) stored in kobj.lru. */
unsigned int obj_lru_clock(void);
/* Milliseconds since o was last accessed, from its lru field. */
unsigned long long obj_idle_ms(const kobj *o);
/* Work needed to free o (1 for strings): large values are freed by the
 * lazy-free thread. */
size_t obj_free_effort(const kobj *o);

/* ---------- lazyfree.c ---------- */

/* Values and databases whose free effort exceeds this go to the thread. */
#define LAZYFREE_THRESHOLD 64
/* Releases the caller's reference to o; the memory is freed by the
 * lazy-free thread when o is large and unshared, else right away. */
void lazyfree_free_object(kobj *o);
/* Takes ownership of a database's two dicts and frees them in the
 * background (expires first: it shares the keys). */
void lazyfree_free_db_dicts(dict *keys, dict *expires);
/* Objects queued and not yet freed (INFO lazyfree_pending_objects). */
size_t lazyfree_pending_objects(void);
/* Objects the thread freed so far (INFO lazyfreed_objects). */
size_t lazyfree_freed_objects(void);
/* Blocks until the queue is empty (tests, shutdown). */
void lazyfree_wait_idle(void);

/* ---------- db.c ---------- */

extern const dict_type db_keys_dict_type;    /* kstr -> kobj*, owns both */
extern const dict_type db_expires_dict_type; /* kstr (borrowed) -> s64 ms */

/* Lookup flags, as Redis' lookupKey: */
#define LOOKUP_NONE 0
#define LOOKUP_NOTOUCH (1 << 0)  /* keep the LRU clock */
#define LOOKUP_NOSTATS (1 << 1)  /* no keyspace hit/miss */
#define LOOKUP_WRITE (1 << 2)    /* write lookup: no stats */
#define LOOKUP_NONOTIFY (1 << 3) /* no "keymiss" notification */
kobj *db_lookup(kdb *db, kobj *key, int flags);
/* Time used for expiry decisions: the per-iteration cached clock. */
long long db_now_ms(void);
/* Deletes key (freeing the value in the background when async and the
 * value is large). Returns 1 if it existed. */
int db_delete_generic(kdb *db, kobj *key, int async);
/* Same, addressed by the stored key string (active expiry). */
int db_delete_kstr(kdb *db, const kstr key, int async);
/* Deletes a key whose TTL passed, with what an expiry implies (expired
 * keys statistics, WATCH). Returns 1 if it existed. */
int db_delete_expired(kdb *db, const kstr key);
/* 1 if key has a TTL in the past (nothing is deleted). */
int db_key_is_expired(kdb *db, kobj *key);
/* Returns the database with that id, or NULL. */
kdb *db_by_id(long long id);

/* ---------- command helpers (t_string.c, cmd_keys.c) ---------- */

#include <string.h>
#include <strings.h>

/* Case-insensitive match of an argument against a keyword. */
static inline int arg_is(kobj *arg, const char *word) {
    size_t n = strlen(word);
    return kstr_len(arg->ptr) == n && strncasecmp(arg->ptr, word, n) == 0;
}

/* Replies a string value of any encoding as a bulk string. */
static inline void reply_string_obj(client *c, kobj *o) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = string_obj_ptr(o, buf, sizeof(buf), &len);
    add_reply_bulk_buf(c, p, len);
}

/* Parses an integer argument; on failure replies err (the whole message
 * with its code; NULL: Redis' "not an integer" error) and returns C_ERR. */
static inline int arg_to_ll_or_reply(client *c, kobj *o, long long *v, const char *err) {
    if (obj_get_ll(o, v) == C_OK) return C_OK;
    add_reply_error(c, err ? err : "ERR value is not an integer or out of range");
    return C_ERR;
}

/* Same, for values that must fit an int (database indexes). */
static inline int arg_to_int_or_reply(client *c, kobj *o, int *v, const char *err) {
    long long ll;
    if (obj_get_ll(o, &ll) != C_OK || ll < INT_MIN || ll > INT_MAX) {
        add_reply_error(c, err ? err : "ERR value is not an integer or out of range");
        return C_ERR;
    }
    *v = (int)ll;
    return C_OK;
}

/* Makes the string value o of key a RAW string referenced only by the
 * database, so it can be changed in place; returns it (t_string.c). */
kobj *unshare_string(kdb *db, kobj *key, kobj *o);

/* Parses a SCAN-family cursor; replies "ERR invalid cursor" and returns
 * C_ERR when it is not one (cmd_keys.c). */
int parse_scan_cursor(client *c, kobj *o, unsigned long *cursor);
/* Parses the COUNT and MATCH options of SSCAN, HSCAN and ZSCAN from
 * argv[3...]: *count defaults to 10, *pattern to NULL (also for "*", which
 * matches everything). Replies a syntax error and returns C_ERR on a bad
 * option or a count below 1 (cmd_keys.c). */
int parse_collection_scan_options(client *c, long *count, kstr *pattern);
/* The reply of a SCAN-family command on a missing key: cursor 0, nothing. */
void add_reply_empty_scan(client *c);
/* Parses HRANDFIELD's / ZRANDMEMBER's `count [word]` from argv[2...] (word
 * is "withvalues" or "withscores"): *with is 1 when word is given, and then
 * count must fit twice in a long, as Redis checks. Replies the error and
 * returns C_ERR on a bad count, a bad option or an out-of-range count
 * (cmd_keys.c). */
int parse_random_count_options(client *c, const char *word, long *count, int *with);

/* "ERR invalid expire time in '<cmd>' command". */
static inline void reply_invalid_expire(client *c) {
    add_reply_errorf(c, "ERR invalid expire time in '%s' command", c->cmd ? c->cmd->name : "");
}

#endif
