/*
 * dict (dict.h): chained hash table over power-of-two bucket arrays.
 *
 * Resizing allocates a second table and moves one bucket per add, find or
 * delete (plus whatever dict_rehash_ms does from the cron); lookups consult
 * both tables while the move is in progress. Safe iterators and scans pause
 * the moving so that what they walk stays in place.
 *
 * Growth: at one element per bucket (or five when resizing is disabled);
 * shrinking: dict_resize_if_needed below 10% fill.
 */
#include <stdint.h>
#include <string.h>
#include <time.h>

#include "dict.h"
#include "log.h"
#include "zmalloc.h"

#define DICT_HT_INITIAL_EXP 2
#define DICT_HT_INITIAL_SIZE (1UL << DICT_HT_INITIAL_EXP)
#define DICT_FORCE_RESIZE_RATIO 5
#define DICT_MIN_FILL_PERCENT 10
#define EXP_EMPTY ((uint64_t)-1)

static int resize_enabled = 1;

static inline uint64_t ht_size(uint64_t exp) {
    return exp == EXP_EMPTY ? 0 : (uint64_t)1 << exp;
}

static inline uint64_t ht_mask(uint64_t exp) {
    return exp == EXP_EMPTY ? 0 : ((uint64_t)1 << exp) - 1;
}

/* ---------- SipHash-1-2 ---------- */

static uint8_t hash_seed[16];

static inline uint64_t rotl64(uint64_t x, int b) {
    return (x << b) | (x >> (64 - b));
}

static inline uint64_t load_le64(const uint8_t *p) {
    return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
           (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
           (uint64_t)p[7] << 56;
}

static inline uint64_t load_le64_lower(const uint8_t *p) {
    uint8_t b[8];
    for (int i = 0; i < 8; i++) b[i] = (p[i] >= 'A' && p[i] <= 'Z') ? p[i] + ('a' - 'A') : p[i];
    return load_le64(b);
}

struct sip_state {
    uint64_t v0, v1, v2, v3;
};

static inline void sip_round(struct sip_state *s) {
    s->v0 += s->v1;
    s->v1 = rotl64(s->v1, 13);
    s->v1 ^= s->v0;
    s->v0 = rotl64(s->v0, 32);
    s->v2 += s->v3;
    s->v3 = rotl64(s->v3, 16);
    s->v3 ^= s->v2;
    s->v0 += s->v3;
    s->v3 = rotl64(s->v3, 21);
    s->v3 ^= s->v0;
    s->v2 += s->v1;
    s->v1 = rotl64(s->v1, 17);
    s->v1 ^= s->v2;
    s->v2 = rotl64(s->v2, 32);
}

/* One compression round per 8-byte word, two finalization rounds (the
 * SipHash-c-d construction with c = 1, d = 2). nocase folds ASCII A-Z to
 * a-z before hashing. */
static uint64_t siphash_1_2(const uint8_t *in, size_t len, const uint8_t key[16], int nocase) {
    uint64_t k0 = load_le64(key), k1 = load_le64(key + 8);
    struct sip_state s = {k0 ^ 0x736f6d6570736575ULL, k1 ^ 0x646f72616e646f6dULL,
                          k0 ^ 0x6c7967656e657261ULL, k1 ^ 0x7465646279746573ULL};
    size_t words = len / 8;
    for (size_t i = 0; i < words; i++) {
        uint64_t m = nocase ? load_le64_lower(in + 8 * i) : load_le64(in + 8 * i);
        s.v3 ^= m;
        sip_round(&s);
        s.v0 ^= m;
    }
    uint64_t last = (uint64_t)len << 56;
    const uint8_t *tail = in + 8 * words;
    for (size_t i = 0; i < (len & 7); i++) {
        uint8_t c = tail[i];
        if (nocase && c >= 'A' && c <= 'Z') c += 'a' - 'A';
        last |= (uint64_t)c << (8 * i);
    }
    s.v3 ^= last;
    sip_round(&s);
    s.v0 ^= last;
    s.v2 ^= 0xff;
    sip_round(&s);
    sip_round(&s);
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

/* State of the sampling generator (dict_rand below). */
static uint64_t rand_state = 0x2545f4914f6cdd1dULL;

void dict_set_hash_seed(const uint8_t seed[16]) {
    memcpy(hash_seed, seed, sizeof(hash_seed));
    /* Random sampling should not repeat across restarts either. */
    rand_state ^= load_le64(seed) ^ rotl64(load_le64(seed + 8), 17);
}

uint64_t dict_gen_hash(const void *key, size_t len) {
    return siphash_1_2(key, len, hash_seed, 0);
}

uint64_t dict_gen_case_hash(const void *key, size_t len) {
    return siphash_1_2(key, len, hash_seed, 1);
}

/* ---------- randomness for sampling (main thread) ---------- */

static uint64_t dict_rand(void) {
    uint64_t z = (rand_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* ---------- tables ---------- */

static void reset_table(dict *d, int t) {
    d->table[t] = NULL;
    d->size_exp[t] = EXP_EMPTY;
    d->used[t] = 0;
}

dict *dict_create(const dict_type *type) {
    dict *d = zmalloc(sizeof(*d));
    d->type = type;
    reset_table(d, 0);
    reset_table(d, 1);
    d->rehash_idx = -1;
    d->pause_rehash = 0;
    d->safe_iterators = 0;
    return d;
}

int dict_is_rehashing(const dict *d) {
    return d->rehash_idx != -1;
}

size_t dict_size(const dict *d) {
    return (size_t)(d->used[0] + d->used[1]);
}

size_t dict_buckets(const dict *d) {
    return (size_t)(ht_size(d->size_exp[0]) + ht_size(d->size_exp[1]));
}

static inline uint64_t hash_key(dict *d, const void *key) {
    return d->type->hash(key);
}

static inline int keys_equal(dict *d, const void *a, const void *b) {
    return a == b || (d->type->key_compare && d->type->key_compare(a, b));
}

static inline void free_key(dict *d, dict_entry *de) {
    if (d->type->key_free) d->type->key_free(de->key);
}

static inline void free_val(dict *d, dict_entry *de) {
    if (d->type->val_free && de->v.val) d->type->val_free(de->v.val);
}

/* Smallest exponent whose table holds size buckets. */
static uint64_t exp_for(uint64_t size) {
    if (size <= DICT_HT_INITIAL_SIZE) return DICT_HT_INITIAL_EXP;
    if (size >= ((uint64_t)1 << 62)) return 62;
    uint64_t e = DICT_HT_INITIAL_EXP;
    while (((uint64_t)1 << e) < size) e++;
    return e;
}

int dict_expand(dict *d, uint64_t size) {
    if (dict_is_rehashing(d) || d->used[0] > size) return DICT_ERR;
    uint64_t e = exp_for(size);
    if (e == d->size_exp[0]) return DICT_ERR;
    uint64_t n = (uint64_t)1 << e;
    if (n > SIZE_MAX / sizeof(dict_entry *)) return DICT_ERR;
    dict_entry **t = zcalloc((size_t)n * sizeof(dict_entry *));
    if (d->table[0] == NULL) {
        d->table[0] = t;
        d->size_exp[0] = e;
        d->used[0] = 0;
        return DICT_OK;
    }
    d->table[1] = t;
    d->size_exp[1] = e;
    d->used[1] = 0;
    d->rehash_idx = 0;
    return DICT_OK;
}

static void expand_if_needed(dict *d) {
    if (dict_is_rehashing(d)) return;
    uint64_t size = ht_size(d->size_exp[0]);
    if (size == 0) {
        dict_expand(d, DICT_HT_INITIAL_SIZE);
        return;
    }
    if ((resize_enabled && d->used[0] >= size) || d->used[0] / size > DICT_FORCE_RESIZE_RATIO)
        dict_expand(d, d->used[0] + 1);
}

int dict_resize_if_needed(dict *d) {
    uint64_t size = ht_size(d->size_exp[0]);
    if (!resize_enabled || dict_is_rehashing(d)) return DICT_ERR;
    if (size <= DICT_HT_INITIAL_SIZE || d->used[0] * 100 / size >= DICT_MIN_FILL_PERCENT)
        return DICT_ERR;
    uint64_t minimal = d->used[0] < DICT_HT_INITIAL_SIZE ? DICT_HT_INITIAL_SIZE : d->used[0];
    return dict_expand(d, minimal);
}

int dict_rehash(dict *d, int n) {
    if (!dict_is_rehashing(d)) return 0;
    long empty_visits = (long)n * 10;
    uint64_t mask1 = ht_mask(d->size_exp[1]);
    while (n-- > 0 && d->used[0] != 0) {
        while (d->table[0][d->rehash_idx] == NULL) {
            d->rehash_idx++;
            if (--empty_visits == 0) return 1;
        }
        dict_entry *de = d->table[0][d->rehash_idx];
        while (de) {
            dict_entry *next = de->next;
            uint64_t idx = hash_key(d, de->key) & mask1;
            de->next = d->table[1][idx];
            d->table[1][idx] = de;
            d->used[0]--;
            d->used[1]++;
            de = next;
        }
        d->table[0][d->rehash_idx] = NULL;
        d->rehash_idx++;
    }
    if (d->used[0] == 0) {
        zfree(d->table[0]);
        d->table[0] = d->table[1];
        d->size_exp[0] = d->size_exp[1];
        d->used[0] = d->used[1];
        reset_table(d, 1);
        d->rehash_idx = -1;
        return 0;
    }
    return 1;
}

static long long monotonic_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

int dict_rehash_ms(dict *d, int ms) {
    if (d->pause_rehash > 0) return 0;
    long long start = monotonic_us();
    int steps = 0;
    while (dict_rehash(d, 100)) {
        steps += 100;
        if (monotonic_us() - start > (long long)ms * 1000) break;
    }
    return steps;
}

/* One bucket of rehashing, unless an iterator or scan holds it paused. */
static inline void rehash_step(dict *d) {
    if (d->pause_rehash == 0) dict_rehash(d, 1);
}

/* ---------- operations ---------- */

dict_entry *dict_add_raw(dict *d, void *key, dict_entry **existing) {
    if (existing) *existing = NULL;
    if (dict_is_rehashing(d)) rehash_step(d);
    expand_if_needed(d);
    uint64_t h = hash_key(d, key);
    for (int t = 0; t <= 1; t++) {
        if (d->table[t] == NULL) break;
        for (dict_entry *he = d->table[t][h & ht_mask(d->size_exp[t])]; he; he = he->next) {
            if (keys_equal(d, key, he->key)) {
                if (existing) *existing = he;
                return NULL;
            }
        }
        if (!dict_is_rehashing(d)) break;
    }
    int t = dict_is_rehashing(d) ? 1 : 0;
    dict_entry *de = zmalloc(sizeof(*de));
    uint64_t idx = h & ht_mask(d->size_exp[t]);
    de->key = d->type->key_dup ? d->type->key_dup(key) : key;
    de->v.u64 = 0;
    de->next = d->table[t][idx];
    d->table[t][idx] = de;
    d->used[t]++;
    return de;
}

int dict_add(dict *d, void *key, void *val) {
    dict_entry *de = dict_add_raw(d, key, NULL);
    if (!de) return DICT_ERR;
    de->v.val = val;
    return DICT_OK;
}

int dict_replace(dict *d, void *key, void *val) {
    dict_entry *existing;
    dict_entry *de = dict_add_raw(d, key, &existing);
    if (de) {
        de->v.val = val;
        return 1;
    }
    /* Set first, free after: val may be the very object being replaced
     * with an extra reference. */
    void *old = existing->v.val;
    existing->v.val = val;
    if (d->type->val_free && old) d->type->val_free(old);
    return 0;
}

/* Finds and unlinks key; frees it unless keep is set. Returns the entry
 * (dangling when freed: only compare it to NULL) or NULL. */
static dict_entry *generic_delete(dict *d, const void *key, int keep) {
    if (dict_size(d) == 0) return NULL;
    if (dict_is_rehashing(d)) rehash_step(d);
    uint64_t h = hash_key(d, key);
    for (int t = 0; t <= 1; t++) {
        if (d->table[t] == NULL) break;
        uint64_t idx = h & ht_mask(d->size_exp[t]);
        dict_entry *prev = NULL;
        for (dict_entry *he = d->table[t][idx]; he; prev = he, he = he->next) {
            if (!keys_equal(d, key, he->key)) continue;
            if (prev)
                prev->next = he->next;
            else
                d->table[t][idx] = he->next;
            d->used[t]--;
            if (!keep) {
                free_key(d, he);
                free_val(d, he);
                zfree(he);
            }
            return he;
        }
        if (!dict_is_rehashing(d)) break;
    }
    return NULL;
}

int dict_delete(dict *d, const void *key) {
    return generic_delete(d, key, 0) ? DICT_OK : DICT_ERR;
}

dict_entry *dict_unlink(dict *d, const void *key) {
    return generic_delete(d, key, 1);
}

void dict_free_unlinked(dict *d, dict_entry *de) {
    if (!de) return;
    free_key(d, de);
    free_val(d, de);
    zfree(de);
}

dict_entry *dict_find(dict *d, const void *key) {
    if (dict_size(d) == 0) return NULL;
    if (dict_is_rehashing(d)) rehash_step(d);
    uint64_t h = hash_key(d, key);
    for (int t = 0; t <= 1; t++) {
        if (d->table[t] == NULL) break;
        for (dict_entry *he = d->table[t][h & ht_mask(d->size_exp[t])]; he; he = he->next)
            if (keys_equal(d, key, he->key)) return he;
        if (!dict_is_rehashing(d)) break;
    }
    return NULL;
}

void *dict_fetch_value(dict *d, const void *key) {
    dict_entry *de = dict_find(d, key);
    return de ? de->v.val : NULL;
}

void dict_set_val(dict *d, dict_entry *de, void *val) {
    (void)d;
    de->v.val = val;
}

static void clear_table(dict *d, int t, void (*callback)(dict *)) {
    uint64_t size = ht_size(d->size_exp[t]);
    for (uint64_t i = 0; i < size && d->used[t] > 0; i++) {
        if (callback && (i & 65535) == 0) callback(d);
        dict_entry *he = d->table[t][i];
        while (he) {
            dict_entry *next = he->next;
            free_key(d, he);
            free_val(d, he);
            zfree(he);
            d->used[t]--;
            he = next;
        }
    }
    zfree(d->table[t]);
    reset_table(d, t);
}

void dict_empty(dict *d, void (*callback)(dict *)) {
    clear_table(d, 0, callback);
    clear_table(d, 1, callback);
    d->rehash_idx = -1;
    d->pause_rehash = 0;
}

void dict_release(dict *d) {
    if (!d) return;
    clear_table(d, 0, NULL);
    clear_table(d, 1, NULL);
    zfree(d);
}

/* ---------- random entries ---------- */

dict_entry *dict_random_entry(dict *d) {
    if (dict_size(d) == 0) return NULL;
    if (dict_is_rehashing(d)) rehash_step(d);
    dict_entry *he;
    if (dict_is_rehashing(d)) {
        /* Buckets of table 0 below rehash_idx are empty: draw from the
         * rest of table 0 and all of table 1. */
        uint64_t s0 = ht_size(d->size_exp[0]);
        uint64_t span = s0 + ht_size(d->size_exp[1]) - (uint64_t)d->rehash_idx;
        do {
            uint64_t h = (uint64_t)d->rehash_idx + dict_rand() % span;
            he = h >= s0 ? d->table[1][h - s0] : d->table[0][h];
        } while (he == NULL);
    } else {
        uint64_t mask = ht_mask(d->size_exp[0]);
        do {
            he = d->table[0][dict_rand() & mask];
        } while (he == NULL);
    }
    unsigned long chain = 0;
    for (dict_entry *e = he; e; e = e->next) chain++;
    for (unsigned long skip = dict_rand() % chain; skip; skip--) he = he->next;
    return he;
}

unsigned dict_sample_entries(dict *d, dict_entry **des, unsigned count) {
    if (dict_size(d) < count) count = (unsigned)dict_size(d);
    if (count == 0) return 0;
    /* Rehashing work proportional to the request. */
    for (unsigned i = 0; i < count && dict_is_rehashing(d); i++) rehash_step(d);

    int tables = dict_is_rehashing(d) ? 2 : 1;
    uint64_t maxmask = ht_mask(d->size_exp[0]);
    if (tables == 2 && ht_mask(d->size_exp[1]) > maxmask) maxmask = ht_mask(d->size_exp[1]);
    uint64_t i = dict_rand() & maxmask;
    unsigned long steps = (unsigned long)count * 10, empty_run = 0;
    unsigned stored = 0;
    while (stored < count && steps--) {
        for (int t = 0; t < tables; t++) {
            if (tables == 2 && t == 0 && i < (uint64_t)d->rehash_idx) {
                /* Already moved; if table 1 is also too small here, both
                 * tables are empty up to rehash_idx: jump there. */
                if (i >= ht_size(d->size_exp[1]))
                    i = (uint64_t)d->rehash_idx;
                else
                    continue;
            }
            if (i >= ht_size(d->size_exp[t])) continue;
            dict_entry *he = d->table[t][i];
            if (he == NULL) {
                /* A long empty run: try elsewhere. */
                if (++empty_run >= 5 && empty_run > count) {
                    i = dict_rand() & maxmask;
                    empty_run = 0;
                }
                continue;
            }
            empty_run = 0;
            for (; he; he = he->next) {
                des[stored++] = he;
                if (stored == count) return stored;
            }
        }
        i = (i + 1) & maxmask;
    }
    return stored;
}

/* ---------- iterators ---------- */

static uint64_t mix64(uint64_t h, uint64_t x) {
    h ^= x + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* Changes whenever the dict's layout changes (add, delete, rehash). */
static uint64_t fingerprint(const dict *d) {
    uint64_t h = 0;
    h = mix64(h, (uint64_t)(uintptr_t)d->table[0]);
    h = mix64(h, d->size_exp[0]);
    h = mix64(h, d->used[0]);
    h = mix64(h, (uint64_t)(uintptr_t)d->table[1]);
    h = mix64(h, d->size_exp[1]);
    h = mix64(h, d->used[1]);
    return h;
}

void dict_iter_init(dict_iterator *it, dict *d, int safe) {
    it->d = d;
    it->table = 0;
    it->index = -1;
    it->safe = safe;
    it->entry = NULL;
    it->next = NULL;
    it->fingerprint = 0;
}

dict_entry *dict_next(dict_iterator *it) {
    dict *d = it->d;
    for (;;) {
        if (it->entry == NULL) {
            if (it->index == -1 && it->table == 0) {
                if (it->safe) {
                    d->pause_rehash++;
                    d->safe_iterators++;
                } else {
                    it->fingerprint = fingerprint(d);
                }
            }
            it->index++;
            if ((uint64_t)it->index >= ht_size(d->size_exp[it->table])) {
                if (dict_is_rehashing(d) && it->table == 0) {
                    it->table = 1;
                    it->index = 0;
                    if (ht_size(d->size_exp[1]) == 0) return NULL;
                } else {
                    return NULL;
                }
            }
            it->entry = d->table[it->table][it->index];
        } else {
            it->entry = it->next;
        }
        if (it->entry) {
            /* Saved now: the caller may delete the returned entry. */
            it->next = it->entry->next;
            return it->entry;
        }
    }
}

void dict_iter_reset(dict_iterator *it) {
    if (!(it->index == -1 && it->table == 0)) {
        if (it->safe) {
            it->d->pause_rehash--;
            it->d->safe_iterators--;
        } else if (it->fingerprint != fingerprint(it->d)) {
            panic("dict: unsafe iterator used while the dict was modified");
        }
    }
    it->index = -1;
    it->table = 0;
    it->entry = it->next = NULL;
}

/* ---------- scan ---------- */

static uint64_t rev64(uint64_t v) {
    v = ((v >> 1) & 0x5555555555555555ULL) | ((v & 0x5555555555555555ULL) << 1);
    v = ((v >> 2) & 0x3333333333333333ULL) | ((v & 0x3333333333333333ULL) << 2);
    v = ((v >> 4) & 0x0f0f0f0f0f0f0f0fULL) | ((v & 0x0f0f0f0f0f0f0f0fULL) << 4);
    v = ((v >> 8) & 0x00ff00ff00ff00ffULL) | ((v & 0x00ff00ff00ff00ffULL) << 8);
    v = ((v >> 16) & 0x0000ffff0000ffffULL) | ((v & 0x0000ffff0000ffffULL) << 16);
    return (v >> 32) | (v << 32);
}

static void scan_bucket(dict_entry *de, dict_scan_proc *fn, void *privdata) {
    while (de) {
        dict_entry *next = de->next;
        fn(privdata, de);
        de = next;
    }
}

/* Increments the bits of v covered by mask counting from the top bit
 * down (the "reverse binary" order). Visiting buckets in that order means
 * a bucket of a grown or shrunk table is the expansion of buckets already
 * covered, so no element present all along is missed across resizes. */
static inline uint64_t rev_increment(uint64_t v, uint64_t mask) {
    v |= ~mask;
    v = rev64(v);
    v++;
    return rev64(v);
}

uint64_t dict_scan(dict *d, uint64_t cursor, dict_scan_proc *fn, void *privdata) {
    if (dict_size(d) == 0) return 0;
    uint64_t v = cursor;
    d->pause_rehash++;
    if (!dict_is_rehashing(d)) {
        uint64_t m0 = ht_mask(d->size_exp[0]);
        scan_bucket(d->table[0][v & m0], fn, privdata);
        v = rev_increment(v, m0);
    } else {
        /* Small table first, then every bucket of the large table that
         * the small bucket expands into. */
        int small = ht_size(d->size_exp[0]) <= ht_size(d->size_exp[1]) ? 0 : 1;
        int large = 1 - small;
        uint64_t m0 = ht_mask(d->size_exp[small]), m1 = ht_mask(d->size_exp[large]);
        scan_bucket(d->table[small][v & m0], fn, privdata);
        do {
            scan_bucket(d->table[large][v & m1], fn, privdata);
            v = rev_increment(v, m1);
        } while (v & (m0 ^ m1));
    }
    d->pause_rehash--;
    return v;
}

void dict_set_resize_enabled(int enabled) {
    resize_enabled = enabled;
}
