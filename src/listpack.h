/*
 * listpack: a compact list of strings and integers serialized in a single
 * allocation, in Redis' listpack format (so the bytes can go into RDB files
 * unchanged):
 *
 *   <total bytes: u32 LE> <count: u16 LE> <entry> ... <entry> <0xFF>
 *   entry = <encoding byte(s)> <data> <backlen>
 *
 * Strings that look like integers (as string2ll accepts them: no leading
 * zeros, no '+', at most 20 characters) are stored as integers. The count
 * field saturates at 65535; lp_length() then counts the entries.
 *
 * Handles: a listpack is an `unsigned char *`; an entry is an
 * `unsigned char *` pointing at its first encoding byte inside the
 * listpack. Every function that may change the listpack returns the new
 * (possibly moved) listpack pointer: the old one and every entry pointer
 * into it become invalid, except the one handed back through an out
 * parameter. Entry pointers stay valid for read-only calls.
 *
 * Not thread-safe; memory comes from zmalloc and allocation failure aborts.
 * Functions other than lp_validate_integrity() assume a well-formed
 * listpack (they assert on corruption rather than read out of bounds only
 * where it is cheap): validate untrusted bytes first.
 */
#ifndef KEYPORT_LISTPACK_H
#define KEYPORT_LISTPACK_H

#include <stddef.h>
#include <stdint.h>

#define LP_HDR_SIZE 6 /* total bytes (4) + count (2) */
#define LP_HDR_COUNT_UNKNOWN 65535
#define LP_EOF 0xFF
/* Room a caller-provided buffer needs to format an integer entry. */
#define LP_INTBUF_SIZE 21
/* A listpack never grows past this; callers check lp_safe_to_add() before
 * adding big elements and switch to another encoding when it says no. */
#define LP_MAX_SAFETY_SIZE (1ULL << 30)

/* Where to insert relative to an entry. */
typedef enum lp_where {
    LP_BEFORE = 0,
    LP_AFTER = 1,
    LP_REPLACE = 2,
} lp_where;

/* The value of one entry: a string (str != NULL, len bytes, pointing into
 * the listpack) or an integer (str == NULL, ival). */
typedef struct lp_value {
    const unsigned char *str;
    uint32_t len;
    long long ival;
} lp_value;

/* ---------- creation and size ---------- */

/* Empty listpack with room for capacity bytes (0: just the header). */
unsigned char *lp_new(size_t capacity);
void lp_free(unsigned char *lp);
/* Releases unused capacity; returns the possibly moved listpack. */
unsigned char *lp_shrink_to_fit(unsigned char *lp);
/* Total serialized bytes (header and end byte included). */
size_t lp_bytes(const unsigned char *lp);
/* Number of entries. Counts (and caches in the header when it fits) when
 * the header holds LP_HDR_COUNT_UNKNOWN, so it is O(N) only past 65534. */
unsigned long lp_length(unsigned char *lp);
/* 1 if adding add bytes keeps the listpack under LP_MAX_SAFETY_SIZE. */
int lp_safe_to_add(const unsigned char *lp, size_t add);
/* Bytes an entry holding this string would take (encoding, data and
 * backlen), as stored: integer-looking strings count as integers. */
size_t lp_entry_size_for_string(const unsigned char *s, size_t len);
size_t lp_entry_size_for_integer(long long v);
/* 1 and *v when s is a canonical integer that a listpack stores as one. */
int lp_string_to_int64(const unsigned char *s, size_t len, long long *v);

/* ---------- navigation (read-only; NULL when there is no such entry) ---------- */

unsigned char *lp_first(unsigned char *lp);
unsigned char *lp_last(unsigned char *lp);
unsigned char *lp_next(unsigned char *lp, unsigned char *p);
unsigned char *lp_prev(unsigned char *lp, unsigned char *p);
/* Entry at index (0-based; negative counts from the end, -1 the last);
 * NULL when out of range. Walks from the nearer end. */
unsigned char *lp_seek(unsigned char *lp, long index);

/* ---------- reading entries ---------- */

/* Decodes the entry at p. */
void lp_get_value(const unsigned char *p, lp_value *v);
/* The entry as bytes: for strings a pointer into the listpack, for
 * integers the decimal digits formatted into buf (LP_INTBUF_SIZE bytes,
 * not NUL-terminated); *len gets the byte count. */
const unsigned char *lp_get_str(const unsigned char *p, size_t *len, unsigned char *buf);
/* 1 and *v when the entry is an integer, or a string that parses as a
 * long long (string2ll rules); else 0. */
int lp_get_integer(const unsigned char *p, long long *v);
/* 1 when the entry equals the string s (integers compare by their decimal
 * form). */
int lp_entry_equals(const unsigned char *p, const unsigned char *s, size_t len);
/* Bytes the entry at p takes in the listpack (with its backlen). */
size_t lp_entry_size(const unsigned char *p);

/* First entry equal to s at p or after it, comparing one entry then
 * skipping `skip` entries (skip 1 searches only the fields of a
 * field/value listpack). NULL when not found. */
unsigned char *lp_find(unsigned char *lp, unsigned char *p, const unsigned char *s, size_t len,
                       unsigned skip);

/* ---------- changes (each returns the possibly moved listpack) ---------- */

/* Inserts a string (or integer) before or after p, or replaces p. p may be
 * NULL with LP_BEFORE/LP_AFTER to mean the end of the listpack. When newp
 * is not NULL it receives the new entry's position. */
unsigned char *lp_insert_string(unsigned char *lp, const unsigned char *s, size_t len,
                                unsigned char *p, lp_where where, unsigned char **newp);
unsigned char *lp_insert_integer(unsigned char *lp, long long v, unsigned char *p, lp_where where,
                                 unsigned char **newp);
unsigned char *lp_append(unsigned char *lp, const unsigned char *s, size_t len);
unsigned char *lp_prepend(unsigned char *lp, const unsigned char *s, size_t len);
unsigned char *lp_append_integer(unsigned char *lp, long long v);
unsigned char *lp_prepend_integer(unsigned char *lp, long long v);
/* Replaces the entry *p; *p then points at the new entry. */
unsigned char *lp_replace(unsigned char *lp, unsigned char **p, const unsigned char *s, size_t len);
unsigned char *lp_replace_integer(unsigned char *lp, unsigned char **p, long long v);
/* Deletes the entry at p. When newp is not NULL it receives the entry that
 * followed (NULL when p was the last). */
unsigned char *lp_delete(unsigned char *lp, unsigned char *p, unsigned char **newp);
/* Deletes up to num entries starting at *p; *p then points at the entry
 * that followed them (NULL at the end). */
unsigned char *lp_delete_range_with_entry(unsigned char *lp, unsigned char **p, unsigned long num);
/* Deletes up to num entries starting at index (negative from the end). */
unsigned char *lp_delete_range(unsigned char *lp, long index, unsigned long num);
/* Appends every entry of *second to *first, or prepends *first to *second
 * when that moves fewer bytes. The listpack that survives is returned and
 * the other is freed; both pointers are set to NULL, except the survivor's
 * slot which is set to the result. Returns NULL when either is NULL. */
unsigned char *lp_merge(unsigned char **first, unsigned char **second);

/* ---------- random access ---------- */

/* Random entry, or NULL when empty. */
unsigned char *lp_random_entry(unsigned char *lp);
/* For a listpack of total_pairs field/value pairs: a random pair. val may
 * be NULL. */
void lp_random_pair(unsigned char *lp, unsigned long total_pairs, lp_value *key, lp_value *val);
/* count random pairs, with repetition (HRANDFIELD with a negative count).
 * vals may be NULL. */
void lp_random_pairs(unsigned char *lp, unsigned long count, lp_value *keys, lp_value *vals);
/* Up to count distinct pairs, in listpack order; returns how many were
 * picked (min(count, pairs)). vals may be NULL. */
unsigned long lp_random_pairs_unique(unsigned char *lp, unsigned long count, lp_value *keys,
                                     lp_value *vals);

/* ---------- untrusted input ---------- */

/* Called for each entry during deep validation; return 0 to reject. */
typedef int lp_validate_entry_cb(const unsigned char *p, unsigned long head_count, void *userdata);
/* Checks that the size bytes at lp form a valid listpack: header total
 * equal to size, every entry's encoding and backlen consistent and inside
 * the buffer, the end byte in place, and (when the header count is known)
 * the count matching. deep = 0 checks only the header and end byte. cb may
 * be NULL. Returns 1 when valid. Never reads outside [lp, lp + size). */
int lp_validate_integrity(const unsigned char *lp, size_t size, int deep, lp_validate_entry_cb *cb,
                          void *userdata);

#endif
