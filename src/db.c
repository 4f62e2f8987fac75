/*
 * Databases: server.dbnum kdb, each a keys dict (kstr -> kobj) and an
 * expires dict whose keys are the very kstr of the keys dict (so a key is
 * removed from expires before it is freed from keys).
 *
 * Expiry is lazy here (every lookup deletes a key whose TTL passed) and
 * active in expire.c. "Now" is server.mstime, cached once per event-loop
 * iteration, so a command sees one consistent clock, as in Redis.
 *
 * Threading: main thread only; FLUSH*ASYNC hands whole dicts to lazyfree.c.
 */
#include <stdlib.h>
#include <string.h>

#include "blocked.h"
#include "keyspace.h"
#include "multi.h"
#include "notify.h"
#include "propagate.h"
#include "server.h"

/* ---------- dict types ---------- */

static uint64_t key_hash(const void *k) {
    return dict_gen_hash(k, kstr_len((const kstr)k));
}

static int key_equal(const void *a, const void *b) {
    size_t la = kstr_len((const kstr)a);
    return la == kstr_len((const kstr)b) && memcmp(a, b, la) == 0;
}

static void key_destroy(void *k) {
    kstr_free(k);
}

const dict_type db_keys_dict_type = {key_hash, NULL, key_equal, key_destroy, decr_ref_void};
const dict_type db_expires_dict_type = {key_hash, NULL, key_equal, NULL, NULL};

/* ---------- helpers ---------- */

/* The kstr form of a key argument. Argument objects are RAW or EMBSTR and
 * already hold one; an INT-encoded key gets a temporary copy in *tmp that
 * the caller frees with kstr_free (NULL-safe). */
static kstr key_kstr(kobj *key, kstr *tmp) {
    *tmp = NULL;
    if (key->encoding == OBJ_ENCODING_INT) {
        *tmp = kstr_from_ll((long)key->ptr);
        return *tmp;
    }
    return key->ptr;
}

long long db_now_ms(void) {
    return server.mstime ? server.mstime : mstime();
}

kdb *db_by_id(long long id) {
    if (id < 0 || id >= server.dbnum || !server.db) return NULL;
    return &server.db[id];
}

static long long get_expire_kstr(kdb *db, const kstr k) {
    if (dict_size(db->expires) == 0) return -1;
    dict_entry *de = dict_find(db->expires, k);
    return de ? de->v.s64 : -1;
}

static int kstr_is_expired(kdb *db, const kstr k) {
    /* As Redis: nothing expires while a dataset loads, so that replaying
     * an AOF (whose times are absolute) rebuilds what was written; what
     * expired meanwhile goes once the load is over. */
    if (server.loading) return 0;
    long long when = get_expire_kstr(db, k);
    return when >= 0 && db_now_ms() > when;
}

/* Lazy expiry: deletes k when its TTL passed. Returns 1 if it did. */
static int expire_kstr_if_needed(kdb *db, const kstr k) {
    if (!kstr_is_expired(db, k)) return 0;
    db_delete_expired(db, k);
    return 1;
}

int db_delete_expired(kdb *db, const kstr key) {
    /* key may be the stored key itself, freed by the deletion. */
    kstr name = kstr_dup(key);
    int deleted = db_delete_kstr(db, name, 0);
    if (deleted) {
        server.stat_expiredkeys++;
        kobj keyobj = {
            .type = OBJ_STRING, .encoding = OBJ_ENCODING_RAW, .refcount = 1, .ptr = name};
        /* As Redis 7.0: an expiry is a change for WATCH (multi.c). */
        multi_touch_watched_key(db, &keyobj);
        notify_keyspace_event(NOTIFY_EXPIRED, "expired", &keyobj, db->id);
        /* The AOF gets an explicit DEL: replaying it must not depend on
         * the clock (propagate.c queues it before the running command). */
        propagate_expired_key(db, name);
    }
    kstr_free(name);
    return deleted;
}

/* ---------- lookups ---------- */

kobj *db_lookup(kdb *db, kobj *key, int flags) {
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    kobj *val = NULL;
    dict_entry *de = dict_find(db->keys, k);
    if (de && !expire_kstr_if_needed(db, k)) val = de->v.val;
    kstr_free(tmp);

    if (val) {
        client *c = server.current_client;
        int notouch = (flags & LOOKUP_NOTOUCH) || (c && (c->flags & CLIENT_NO_TOUCH));
        if (!notouch) val->lru = obj_lru_clock();
    }
    if (!(flags & (LOOKUP_NOSTATS | LOOKUP_WRITE))) {
        if (val)
            server.stat_keyspace_hits++;
        else
            server.stat_keyspace_misses++;
    }
    if (!val && !(flags & (LOOKUP_WRITE | LOOKUP_NONOTIFY)))
        notify_keyspace_event(NOTIFY_KEY_MISS, "keymiss", key, db->id);
    return val;
}

kobj *db_lookup_read(kdb *db, kobj *key) {
    return db_lookup(db, key, LOOKUP_NONE);
}

kobj *db_lookup_write(kdb *db, kobj *key) {
    return db_lookup(db, key, LOOKUP_WRITE);
}

kobj *db_lookup_read_or_reply(client *c, kobj *key, int type) {
    kobj *o = db_lookup_read(c->db, key);
    if (!o) {
        add_reply_null(c);
        return NULL;
    }
    if (type >= 0 && (int)o->type != type) {
        add_reply_error_wrongtype(c);
        return NULL;
    }
    return o;
}

int db_exists(kdb *db, kobj *key) {
    return db_lookup(db, key, LOOKUP_NOTOUCH | LOOKUP_NOSTATS) != NULL;
}

int db_key_is_expired(kdb *db, kobj *key) {
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    int expired = kstr_is_expired(db, k);
    kstr_free(tmp);
    return expired;
}

/* ---------- writes ---------- */

void db_add(kdb *db, kobj *key, kobj *val) {
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    kstr copy = tmp ? tmp : kstr_dup(k);
    if (dict_add(db->keys, copy, val) != DICT_OK) panic("db_add: key already exists");
    /* A dataset being loaded (startup, DEBUG RELOAD, AOF replay) wakes no
     * blocked client and sends no event, as Redis' load path. */
    if (server.loading) return;
    /* As Redis' dbAdd: a new list or zset may serve blocked clients
     * (blocked.c), whichever command created it (push, RENAME, MOVE...). */
    if (val->type == OBJ_LIST || val->type == OBJ_ZSET) signal_key_as_ready(db, key, val->type);
    notify_keyspace_event(NOTIFY_NEW, "new", key, db->id);
}

void db_overwrite(kdb *db, kobj *key, kobj *val) {
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    dict_entry *de = dict_find(db->keys, k);
    kstr_free(tmp);
    if (!de) panic("db_overwrite: key does not exist");
    kobj *old = de->v.val;
    de->v.val = val;
    decr_ref(old);
}

void db_set_key(kdb *db, kobj *key, kobj *val, int keepttl) {
    incr_ref(val);
    if (db_lookup_write(db, key))
        db_overwrite(db, key, val);
    else
        db_add(db, key, val);
    if (!keepttl) db_remove_expire(db, key);
    signal_modified_key(server.current_client, db, key);
}

int db_delete_kstr(kdb *db, const kstr key, int async) {
    dict_entry *de = dict_unlink(db->keys, key);
    if (!de) return 0;
    /* The expires entry borrows de->key: drop it before the key dies. */
    if (dict_size(db->expires)) dict_delete(db->expires, de->key);
    kobj *val = de->v.val;
    de->v.val = NULL;
    if (async)
        lazyfree_free_object(val);
    else
        decr_ref(val);
    dict_free_unlinked(db->keys, de);
    return 1;
}

int db_delete_generic(kdb *db, kobj *key, int async) {
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    int deleted = db_delete_kstr(db, k, async);
    kstr_free(tmp);
    return deleted;
}

int db_delete(kdb *db, kobj *key) {
    return db_delete_generic(db, key, 0);
}

long long db_size(kdb *db) {
    return (long long)dict_size(db->keys);
}

/* Uniform-ish pick that does not favour keys in short chains: sample a
 * few buckets and choose among the entries found. */
static dict_entry *fair_random_entry(dict *d) {
    dict_entry *sample[15];
    unsigned n = dict_sample_entries(d, sample, 15);
    if (n == 0) return dict_random_entry(d);
    return sample[(unsigned)random() % n];
}

kobj *db_random_key(kdb *db) {
    /* Every expired key met is deleted, so the loop ends at the latest
     * when the database is empty. */
    for (;;) {
        dict_entry *de = fair_random_entry(db->keys);
        if (!de) return NULL;
        kstr k = de->key;
        if (expire_kstr_if_needed(db, k)) continue;
        return obj_create_string(k, kstr_len(k));
    }
}

/* ---------- expiry ---------- */

long long db_get_expire(kdb *db, kobj *key) {
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    long long when = get_expire_kstr(db, k);
    kstr_free(tmp);
    return when;
}

void db_set_expire(kdb *db, kobj *key, long long when_ms) {
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    dict_entry *kde = dict_find(db->keys, k);
    kstr_free(tmp);
    if (!kde) panic("db_set_expire: key does not exist");
    dict_entry *existing;
    dict_entry *de = dict_add_raw(db->expires, kde->key, &existing);
    (de ? de : existing)->v.s64 = when_ms;
}

int db_remove_expire(kdb *db, kobj *key) {
    if (dict_size(db->expires) == 0) return 0;
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    int removed = dict_delete(db->expires, k) == DICT_OK;
    kstr_free(tmp);
    return removed;
}

int db_expire_if_needed(kdb *db, kobj *key) {
    kstr tmp;
    kstr k = key_kstr(key, &tmp);
    int expired = expire_kstr_if_needed(db, k);
    kstr_free(tmp);
    return expired;
}

/* ---------- whole databases ---------- */

static void empty_one(kdb *db, int async) {
    if (async && dict_size(db->keys) > LAZYFREE_THRESHOLD) {
        lazyfree_free_db_dicts(db->keys, db->expires);
        db->keys = dict_create(&db_keys_dict_type);
        db->expires = dict_create(&db_expires_dict_type);
    } else {
        dict_empty(db->expires, NULL);
        dict_empty(db->keys, NULL);
    }
    db->avg_ttl = 0;
    db->expires_cursor = 0;
}

long long db_empty(int dbnum, int async) {
    if (dbnum < -1 || dbnum >= server.dbnum) return -1;
    int first = dbnum == -1 ? 0 : dbnum;
    int last = dbnum == -1 ? server.dbnum - 1 : dbnum;
    long long removed = 0;
    for (int j = first; j <= last; j++) {
        multi_touch_watched_keys_flushed(&server.db[j]); /* WATCH (multi.c) */
        removed += db_size(&server.db[j]);
        empty_one(&server.db[j], async);
    }
    return removed;
}

int db_swap(int id1, int id2) {
    kdb *a = db_by_id(id1), *b = db_by_id(id2);
    if (!a || !b) return C_ERR;
    if (a == b) return C_OK;
    multi_touch_watched_keys_swapped(a, b); /* WATCH (multi.c) */
    kdb tmp = *a;
    a->keys = b->keys;
    a->expires = b->expires;
    a->avg_ttl = b->avg_ttl;
    a->expires_cursor = b->expires_cursor;
    b->keys = tmp.keys;
    b->expires = tmp.expires;
    b->avg_ttl = tmp.avg_ttl;
    b->expires_cursor = tmp.expires_cursor;
    /* Clients blocked in either database may now find their keys. */
    blocked_scan_db_for_ready_keys(a);
    blocked_scan_db_for_ready_keys(b);
    return C_OK;
}

void signal_modified_key(client *c, kdb *db, kobj *key) {
    (void)c;
    multi_touch_watched_key(db, key); /* WATCH invalidation (multi.c) */
}

void db_init(void) {
    obj_create_shared();
    if (server.dbnum <= 0) server.dbnum = CONFIG_DEFAULT_DBNUM;
    server.db = zcalloc(sizeof(kdb) * (size_t)server.dbnum);
    for (int j = 0; j < server.dbnum; j++) {
        server.db[j].keys = dict_create(&db_keys_dict_type);
        server.db[j].expires = dict_create(&db_expires_dict_type);
        server.db[j].id = j;
        server.db[j].avg_ttl = 0;
        server.db[j].expires_cursor = 0;
    }
}
