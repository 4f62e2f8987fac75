/*
 * Private to the RDB implementation (rdb.c, rdb_save.c, rdb_load.c,
 * rdb_value.c, rdb_compact.c, rdb_dump.c): the format's constants and the
 * encoders and decoders the parts share.
 *
 * Threading: main thread or a forked saving child.
 */
#ifndef KEYPORT_RDB_INTERNAL_H
#define KEYPORT_RDB_INTERNAL_H

#include <stdint.h>

#include "rdb.h"
#include "rio.h"

/* ---------- format constants (Redis 7.0 rdb.h) ---------- */

#define RDB_TYPE_STRING 0
#define RDB_TYPE_LIST 1 /* linked list of strings (before 3.2) */
#define RDB_TYPE_SET 2
#define RDB_TYPE_ZSET 3 /* scores as text (before 4.0) */
#define RDB_TYPE_HASH 4
#define RDB_TYPE_ZSET_2 5 /* binary scores */
#define RDB_TYPE_MODULE_PRE_GA 6
#define RDB_TYPE_MODULE_2 7
#define RDB_TYPE_HASH_ZIPMAP 9
#define RDB_TYPE_LIST_ZIPLIST 10
#define RDB_TYPE_SET_INTSET 11
#define RDB_TYPE_ZSET_ZIPLIST 12
#define RDB_TYPE_HASH_ZIPLIST 13
#define RDB_TYPE_LIST_QUICKLIST 14 /* nodes are ziplists */
#define RDB_TYPE_STREAM_LISTPACKS 15
#define RDB_TYPE_HASH_LISTPACK 16
#define RDB_TYPE_ZSET_LISTPACK 17
#define RDB_TYPE_LIST_QUICKLIST_2 18 /* nodes are listpacks or plain strings */
#define RDB_TYPE_STREAM_LISTPACKS_2 19

#define RDB_OPCODE_FUNCTION2 245
#define RDB_OPCODE_FUNCTION_PRE_GA 246
#define RDB_OPCODE_MODULE_AUX 247
#define RDB_OPCODE_IDLE 248
#define RDB_OPCODE_FREQ 249
#define RDB_OPCODE_AUX 250
#define RDB_OPCODE_RESIZEDB 251
#define RDB_OPCODE_EXPIRETIME_MS 252
#define RDB_OPCODE_EXPIRETIME 253
#define RDB_OPCODE_SELECTDB 254
#define RDB_OPCODE_EOF 255

/* Length encodings: the two high bits of the first byte. */
#define RDB_6BITLEN 0
#define RDB_14BITLEN 1
#define RDB_32BITLEN 0x80
#define RDB_64BITLEN 0x81
#define RDB_ENCVAL 3
/* Special string encodings (RDB_ENCVAL): the low six bits. */
#define RDB_ENC_INT8 0
#define RDB_ENC_INT16 1
#define RDB_ENC_INT32 2
#define RDB_ENC_LZF 3

/* Quicklist 2 node containers. */
#define RDB_QL_NODE_PLAIN 1
#define RDB_QL_NODE_PACKED 2

/* 1 for the value types a Redis 7.0 file may hold (supported or not). */
int rdb_is_object_type(int t);

/* ---------- writing (rdb.c) ---------- */

/* Each returns C_OK or C_ERR (the rio's error is sticky). */
int rdb_write_byte(rio *r, unsigned char b);
int rdb_write_len(rio *r, uint64_t len);
int rdb_write_millis(rio *r, long long ms);
/* A string, integer-encoded when it is a canonical integer that fits 32
 * bits, LZF-compressed when rdbcompression is on, it is over 20 bytes and
 * compression saves space, else raw. */
int rdb_write_string(rio *r, const void *p, size_t len);
/* The decimal text of v, integer-encoded when it fits 32 bits. */
int rdb_write_ll_string(rio *r, long long v);
int rdb_write_binary_double(rio *r, double d);

/* ---------- values (rdb_save.c) ---------- */

/* The RDB type byte a value is written with. */
int rdb_object_type(const kobj *o);
/* The value's serialization (without the type byte). */
int rdb_write_object(rio *r, kobj *o);

/* ---------- reading (rdb.c) ---------- */

/* A decoding context: the stream, and the first error with the offset it
 * happened at. Every rdb_read_* returns C_OK or C_ERR (error recorded). */
typedef struct rdb_reader {
    rio *r;
    int failed;
    unsigned long long err_offset;
    char err[320];
} rdb_reader;

void rdb_reader_init(rdb_reader *rd, rio *r);
/* Records an error at the current offset (the first one wins); returns
 * C_ERR so that callers can `return rdb_fail(...)`. */
int rdb_fail(rdb_reader *rd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int rdb_read_bytes(rdb_reader *rd, void *p, size_t n, const char *what);
int rdb_read_byte(rdb_reader *rd, unsigned char *b, const char *what);
/* A length; *encoded (may be NULL) is set when the byte announced a
 * special string encoding instead (the value is then RDB_ENC_*). */
int rdb_read_len(rdb_reader *rd, uint64_t *len, int *encoded, const char *what);
/* A string of any encoding as a new kstr. */
int rdb_read_kstr(rdb_reader *rd, kstr *out, const char *what);
/* A string of any encoding into a new zmalloc buffer of exactly *len
 * bytes (at least one byte is allocated), for compact blobs. */
int rdb_read_blob(rdb_reader *rd, unsigned char **out, size_t *len, const char *what);
int rdb_read_millis(rdb_reader *rd, long long *ms);
int rdb_read_seconds(rdb_reader *rd, long long *ms);
int rdb_read_binary_double(rdb_reader *rd, double *d);
/* A score of the old ZSET type: length byte, then text (or the special
 * lengths for nan, +inf and -inf). */
int rdb_read_text_double(rdb_reader *rd, double *d);

/* ---------- value decoding (rdb_value.c) ---------- */

typedef enum rdb_obj_result {
    RDB_OBJ_OK,
    RDB_OBJ_EMPTY, /* a collection with no elements: the key is skipped */
    RDB_OBJ_ERR,   /* rd holds the reason */
} rdb_obj_result;

/* Decodes a value of RDB type `type` into *out in the encoding keyport
 * would use for it (respecting the *-max-* limits). */
rdb_obj_result rdb_read_object(rdb_reader *rd, int type, kobj **out);

/* ---------- compact blobs (rdb_compact.c) ---------- */

/* 1 when the size bytes at p are a valid intset: known element width,
 * size matching the count, elements strictly ascending. */
int rdb_intset_valid(const unsigned char *p, size_t size);
/* Checks a listpack of field/value (or member/score) pairs: deep
 * integrity, an even number of entries, no field twice; with scores != 0
 * every second entry must be a number (not NaN). Returns NULL when valid,
 * else the reason. */
const char *rdb_lp_pairs_check(unsigned char *lp, size_t size, int scores);
/* 1 when the member/score listpack is ordered by score, then member. */
int rdb_zset_lp_sorted(unsigned char *lp);
/* Converts a validated ziplist into a new listpack holding the same
 * entries. */
unsigned char *rdb_ziplist_to_listpack(const unsigned char *zl);
/* Converts a validated zipmap into a new field/value listpack; *maxlen
 * gets the longest field or value. */
unsigned char *rdb_zipmap_to_listpack(const unsigned char *zm, size_t *maxlen);
/* Longest string (or integer text) in a listpack. */
size_t rdb_lp_max_len(unsigned char *lp);

/* ---------- misc (rdb.c) ---------- */

/* Sleeps for key-load-delay / rdb-key-save-delay: usec > 0 microseconds;
 * usec < 0 one microsecond with probability 1/-usec. */
void rdb_debug_delay(int usec);

#endif
