/*
 * Active expiry and keyspace maintenance, called from the server cron and
 * before sleeping. Keys with a TTL are sampled through the expires dict;
 * while a sample shows many expired keys the database is sampled again,
 * within a time budget, so memory held by expired keys that nobody reads
 * is reclaimed without long pauses.
 *
 * Slow cycle (cron): up to 25% of a cron period (plus 2% per effort level
 * above 1). Fast cycle (before sleep): 1 ms, only when the previous cycle
 * ran out of time or many sampled keys were stale, and not more often
 * than every 2 ms.
 *
 * Threading: main thread only.
 */
#include "keyspace.h"
#include "server.h"

#define KEYS_PER_LOOP 20
#define FAST_DURATION_US 1000
#define SLOW_TIME_PERC 25
#define ACCEPTABLE_STALE 10
#define DBS_PER_CALL 16

/* Tunables derived from active-expire-effort (1..10). */
struct expire_tuning {
    unsigned long keys_per_loop;
    long long fast_duration_us;
    int slow_time_perc;
    int acceptable_stale;
};

static struct expire_tuning tuning(void) {
    int effort = server.active_expire_effort;
    if (effort < 1) effort = 1;
    if (effort > 10) effort = 10;
    effort -= 1;
    struct expire_tuning t;
    t.keys_per_loop = KEYS_PER_LOOP + (unsigned long)(KEYS_PER_LOOP / 4 * effort);
    t.fast_duration_us = FAST_DURATION_US + FAST_DURATION_US / 4 * effort;
    t.slow_time_perc = SLOW_TIME_PERC + 2 * effort;
    t.acceptable_stale = ACCEPTABLE_STALE - effort;
    return t;
}

/* State carried between cycles. */
static unsigned int current_db;
static int timelimit_exit;
static long long last_fast_cycle_us;
static double stale_perc; /* moving average of the expired fraction */

/* One bucket's worth of sampled entries of the expires dict. */
typedef struct sample_batch {
    long long now;
    unsigned long sampled;
    kstr *expired;
    unsigned long nexpired, cap;
    long long ttl_sum;
    unsigned long ttl_samples;
} sample_batch;

static void sample_entry(void *privdata, const dict_entry *de) {
    sample_batch *b = privdata;
    long long ttl = de->v.s64 - b->now;
    b->sampled++;
    if (b->now > de->v.s64) {
        if (b->nexpired == b->cap) {
            b->cap = b->cap ? b->cap * 2 : 16;
            b->expired = zrealloc(b->expired, sizeof(kstr) * b->cap);
        }
        b->expired[b->nexpired++] = de->key;
    } else if (ttl > 0) {
        b->ttl_sum += ttl;
        b->ttl_samples++;
    }
}

/* Samples up to keys_per_loop keys of db, deleting the expired ones. Sets
 * *sampled / *expired. Returns 0 when the expires dict is too sparse or
 * empty to be worth sampling. */
static int sample_db_once(kdb *db, const struct expire_tuning *t, unsigned long *sampled,
                          unsigned long *expired) {
    unsigned long num = dict_size(db->expires);
    *sampled = *expired = 0;
    if (num == 0) {
        db->avg_ttl = 0;
        return 0;
    }
    /* Under 1% fill, sampling would mostly see empty buckets: wait for
     * the table to shrink. */
    size_t slots = dict_buckets(db->expires);
    if (slots > 4 && num * 100 / slots < 1) return 0;
    if (num > t->keys_per_loop) num = t->keys_per_loop;

    sample_batch b = {.now = db_now_ms()};
    unsigned long max_buckets = num * 20, buckets = 0;
    while (b.sampled < num && buckets < max_buckets) {
        b.nexpired = 0;
        db->expires_cursor = dict_scan(db->expires, db->expires_cursor, sample_entry, &b);
        buckets++;
        for (unsigned long i = 0; i < b.nexpired; i++) {
            if (db_delete_expired(db, b.expired[i])) {
                (*expired)++;
            }
        }
        if (dict_size(db->expires) == 0) break;
    }
    zfree(b.expired);
    *sampled = b.sampled;
    if (b.ttl_samples) {
        long long avg = b.ttl_sum / (long long)b.ttl_samples;
        /* Smooth: 2% of the new sample per round. */
        db->avg_ttl = db->avg_ttl == 0 ? avg : (db->avg_ttl / 50) * 49 + avg / 50;
    }
    return 1;
}

void active_expire_cycle(int type) {
    if (!server.active_expire_enabled || !server.db) return;
    struct expire_tuning t = tuning();
    long long start = ustime();
    long long timelimit;
    int dbs_per_call = DBS_PER_CALL;

    if (type == ACTIVE_EXPIRE_CYCLE_FAST) {
        /* Only worth it if the last cycle was cut short or the keyspace
         * has many stale keys; never twice within two fast durations. */
        if (!timelimit_exit && stale_perc < t.acceptable_stale) return;
        if (start < last_fast_cycle_us + t.fast_duration_us * 2) return;
        last_fast_cycle_us = start;
        timelimit = t.fast_duration_us;
    } else {
        int hz = server.hz > 0 ? server.hz : 10;
        timelimit = (long long)t.slow_time_perc * 1000000 / hz / 100;
        if (timelimit <= 0) timelimit = 1;
    }
    if (dbs_per_call > server.dbnum || timelimit_exit) dbs_per_call = server.dbnum;
    timelimit_exit = 0;

    unsigned long total_sampled = 0, total_expired = 0;
    long iteration = 0;
    for (int j = 0; j < dbs_per_call && !timelimit_exit; j++) {
        kdb *db = &server.db[current_db % (unsigned)server.dbnum];
        current_db++;
        for (;;) {
            unsigned long sampled, expired;
            if (!sample_db_once(db, &t, &sampled, &expired)) break;
            total_sampled += sampled;
            total_expired += expired;
            iteration++;
            if ((iteration & 0xf) == 0 && ustime() - start > timelimit) {
                timelimit_exit = 1;
                break;
            }
            /* Repeat while the sample says more than the acceptable share
             * of keys are already expired. */
            if (sampled != 0 && expired * 100 / sampled <= (unsigned long)t.acceptable_stale) break;
            if (sampled == 0) break;
        }
    }
    double current = total_sampled ? (double)total_expired * 100 / (double)total_sampled : 0;
    stale_perc = current * 0.05 + stale_perc * 0.95;
    server.stat_expired_stale_perc = (long long)stale_perc;
}

/* Databases whose tables are under 10% full shrink; then one database at a
 * time gets a millisecond of incremental rehashing (keys first, then
 * expires), as Redis' cron does, so the cron's cost stays bounded no matter
 * how many databases are rehashing. */
void db_rehash_cron(void) {
    static unsigned int resize_db, rehash_db;
    if (!server.db || server.dbnum <= 0) return;
    int dbs = server.dbnum < DBS_PER_CALL ? server.dbnum : DBS_PER_CALL;
    for (int j = 0; j < dbs; j++) {
        kdb *db = &server.db[resize_db++ % (unsigned)server.dbnum];
        dict_resize_if_needed(db->keys);
        dict_resize_if_needed(db->expires);
    }
    if (!server.activerehashing) return;
    for (int j = 0; j < dbs; j++) {
        kdb *db = &server.db[rehash_db % (unsigned)server.dbnum];
        int worked = 0;
        if (dict_is_rehashing(db->keys)) {
            dict_rehash_ms(db->keys, 1);
            worked = 1;
        } else if (dict_is_rehashing(db->expires)) {
            dict_rehash_ms(db->expires, 1);
            worked = 1;
        }
        if (worked) break;
        rehash_db++;
    }
}
