/*
 * dict: chained hash table with incremental rehashing. Growing or shrinking
 * moves a few buckets per operation (and per dict_rehash_ms() call from the
 * cron), so no single command pays for a full rehash.
 *
 * Keys and values are opaque pointers; the dict_type says how to hash,
 * compare, duplicate and free them. Not thread-safe.
 */
#ifndef KEYPORT_DICT_H
#define KEYPORT_DICT_H

#include <stddef.h>
#include <stdint.h>

typedef struct dict_entry {
    void *key;
    union {
        void *val;
        int64_t s64;
        uint64_t u64;
        double d;
    } v;
    struct dict_entry *next;
} dict_entry;

typedef struct dict_type {
    uint64_t (*hash)(const void *key);
    void *(*key_dup)(const void *key);                /* NULL: store the pointer as given */
    int (*key_compare)(const void *a, const void *b); /* non-zero when equal */
    void (*key_free)(void *key);
    void (*val_free)(void *val);
} dict_type;

typedef struct dict {
    const dict_type *type;
    dict_entry **table[2];
    uint64_t size_exp[2]; /* table size is 1 << size_exp; -1 (all bits) means empty */
    uint64_t used[2];
    long rehash_idx; /* -1 when not rehashing */
    int pause_rehash;
    int safe_iterators;
} dict;

typedef struct dict_iterator {
    dict *d;
    long index;
    int table, safe;
    dict_entry *entry, *next;
    uint64_t fingerprint;
} dict_iterator;

typedef void dict_scan_proc(void *privdata, const dict_entry *de);

#define DICT_OK 0
#define DICT_ERR 1

dict *dict_create(const dict_type *type);
void dict_release(dict *d);
void dict_empty(dict *d, void (*callback)(dict *));
size_t dict_size(const dict *d);
size_t dict_buckets(const dict *d);
/* Adds key -> val; DICT_ERR when key exists. */
int dict_add(dict *d, void *key, void *val);
/* Adds key with no value and returns the entry, or NULL with *existing set
 * when the key is present. */
dict_entry *dict_add_raw(dict *d, void *key, dict_entry **existing);
/* Sets key -> val (replacing and freeing the old value). 1 if added; 0 if
 * the key existed, in which case key itself is not stored (the caller
 * keeps ownership of it). */
int dict_replace(dict *d, void *key, void *val);
/* Removes key, freeing key and value. DICT_OK or DICT_ERR (absent). */
int dict_delete(dict *d, const void *key);
/* Removes key without freeing; the caller frees with dict_free_unlinked. */
dict_entry *dict_unlink(dict *d, const void *key);
void dict_free_unlinked(dict *d, dict_entry *de);
dict_entry *dict_find(dict *d, const void *key);
void *dict_fetch_value(dict *d, const void *key);
/* Stores val in de without freeing the previous value. */
void dict_set_val(dict *d, dict_entry *de, void *val);
dict_entry *dict_random_entry(dict *d);
/* Fills up to count entries sampled from the table; returns how many. */
unsigned dict_sample_entries(dict *d, dict_entry **des, unsigned count);
/* Grows to hold at least size entries. */
int dict_expand(dict *d, uint64_t size);
/* Shrinks when the fill ratio is low. */
int dict_resize_if_needed(dict *d);
/* Does n rehash steps; returns 1 if more remain. */
int dict_rehash(dict *d, int n);
/* Rehashes for about ms milliseconds; returns steps done. */
int dict_rehash_ms(dict *d, int ms);
int dict_is_rehashing(const dict *d);

/* Iterators. A safe iterator allows dict_delete/dict_add during the walk
 * (it pauses rehashing); an unsafe one asserts the dict did not change. */
void dict_iter_init(dict_iterator *it, dict *d, int safe);
dict_entry *dict_next(dict_iterator *it);
void dict_iter_reset(dict_iterator *it);

/* Stateless cursor scan with Redis' guarantees: every element present for
 * the whole scan is returned at least once. Returns the next cursor, 0 at
 * the end. */
uint64_t dict_scan(dict *d, uint64_t cursor, dict_scan_proc *fn, void *privdata);

/* Hash functions (SipHash-1-2 keyed with a random seed set at startup). */
void dict_set_hash_seed(const uint8_t seed[16]);
uint64_t dict_gen_hash(const void *key, size_t len);
uint64_t dict_gen_case_hash(const void *key, size_t len);

/* Disables resizing while a child process shares memory (future use). */
void dict_set_resize_enabled(int enabled);

#endif
