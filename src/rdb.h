/*
 * RDB: Redis 7.0's snapshot format (RDB version 10), written and read by
 * keyport so that Redis tools and servers read keyport's files and keyport
 * reads theirs. Also the value serialization DUMP and RESTORE use.
 *
 * Threading: main thread, or a forked child (saving). Loading fills
 * server.db; the caller empties it first.
 */
#ifndef KEYPORT_RDB_H
#define KEYPORT_RDB_H

#include <stddef.h>

#include "server.h"

#define RDB_VERSION 10

/* rdb_save_* flags. */
#define RDB_SAVE_NONE 0
#define RDB_SAVE_AOF_PREAMBLE (1 << 0) /* aux field aof-base 1 (an AOF base file) */

/* rdb_load_* flags. */
#define RDB_LOAD_NONE 0
#define RDB_LOAD_CHECK_ONLY (1 << 0) /* decode and free every value (keyport-check-rdb) */
#define RDB_LOAD_AOF_BASE (1 << 1)   /* the file is an AOF base: keep expired keys */
/* A key of the file that is already in the database replaces it (DEBUG
 * RELOAD MERGE, Redis' RDBFLAGS_ALLOW_DUP); without this flag such a key
 * makes the load fail ("duplicated key"), as Redis refuses it. */
#define RDB_LOAD_ALLOW_DUP (1 << 2)

/* How the CRC64 trailer of a loaded stream was found (rdb_load_info.checksum). */
#define RDB_CHECKSUM_NONE 0     /* not reached, or RDB version < 5 (no trailer) */
#define RDB_CHECKSUM_OK 1       /* trailer matched the data */
#define RDB_CHECKSUM_DISABLED 2 /* trailer is 0: written with rdbchecksum no */

/* Optional observer of a load (keyport-check-rdb prints what it reports).
 * offset is the stream offset just after the record was read. Strings are
 * not NUL-terminated; an integer-encoded aux value arrives as its decimal
 * text. Called on the loading thread; must not touch server.db. */
typedef struct rdb_load_observer {
    void (*aux)(void *ctx, long long offset, const char *key, size_t keylen, const char *val,
                size_t vallen);
    void (*select_db)(void *ctx, long long offset, int dbid);
    void *ctx;
} rdb_load_observer;

/* What a load saw. err is set when the load fails: the byte offset and the
 * reason, e.g. "offset 1234: unexpected end of file reading a string".
 * The loader clears every field except observer, which the caller sets (or
 * leaves NULL) before the call. bytes is where the RDB stream ended (after
 * its CRC64 trailer): an AOF with an RDB preamble continues there. With
 * RDB_LOAD_CHECK_ONLY nothing is skipped: every key counts in keys (and
 * expires), and expired counts those whose TTL passed, as redis-check-rdb
 * counts them. */
typedef struct rdb_load_info {
    const rdb_load_observer *observer; /* set by the caller, kept by the loader */
    int checksum;                      /* RDB_CHECKSUM_* */
    int rdb_version;
    long long keys;            /* keys loaded (or checked) */
    long long expires;         /* of which with a TTL */
    long long expired;         /* keys skipped because their TTL had passed */
    long long keys_by_type[8]; /* indexed by OBJ_STRING .. OBJ_HASH */
    long long bytes;           /* bytes read */
    int aof_base;              /* aux aof-base was 1 */
    char redis_ver[32];        /* aux redis-ver, "" when absent */
    long long ctime;           /* aux ctime, 0 when absent */
    char err[512];
} rdb_load_info;

/* Writes a complete RDB stream (magic, aux fields, every non-empty
 * database with its keys, TTLs, EOF and the CRC64 trailer) to fd, through
 * a buffer. Returns C_OK, or C_ERR with errno set (write error, ENOSPC). */
int rdb_save_fd(int fd, int flags);
/* Saves to path atomically: writes "temp-<pid>.rdb" beside it, fsyncs,
 * renames it over path and fsyncs the directory. On failure the temp file
 * is removed, path is untouched, errno is set and the reason is logged.
 * Returns C_OK or C_ERR. */
int rdb_save_file(const char *path, int flags);
/* Loads an RDB stream from fd into server.db (or only checks it with
 * RDB_LOAD_CHECK_ONLY). Returns C_OK, or C_ERR with info->err set; a
 * failed load may leave part of the data loaded. The stream starts at the
 * descriptor's current offset; a seekable descriptor is left just after
 * the stream's last byte (what follows is not consumed). */
int rdb_load_fd(int fd, int flags, rdb_load_info *info);
/* Same from a file; errno ENOENT (with C_ERR) when it does not exist. */
int rdb_load_file(const char *path, int flags, rdb_load_info *info);
/* Same from memory (fuzzing, tests). */
int rdb_load_buffer(const unsigned char *p, size_t len, int flags, rdb_load_info *info);

/* DUMP payload of a value: type byte, serialized value, RDB version
 * (2 bytes LE) and CRC64 (8 bytes LE). Returns a new kstr. */
kstr rdb_dump_payload(kobj *o);
/* Decodes a DUMP payload after checking its version and CRC64. Returns a
 * new value, or NULL with err set to the Redis error text ("ERR DUMP
 * payload version or checksum are wrong", "ERR Bad data format"). */
kobj *rdb_restore_payload(const unsigned char *p, size_t len, char *err, size_t errlen);

/* Sets o's access time to `seconds` ago (OBJECT IDLETIME), as the IDLE
 * opcode and RESTORE ... IDLETIME do; shared objects are left alone. */
void rdb_set_idle(kobj *o, long long seconds);

/* CRC64 as Redis computes it (Jones polynomial, reflected), continuing
 * from crc (0 to start). */
uint64_t crc64(uint64_t crc, const unsigned char *p, size_t len);

#endif
