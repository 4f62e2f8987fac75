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

/* What a load saw. err is set when the load fails: the byte offset and the
 * reason, e.g. "offset 1234: unexpected end of file reading a string". */
typedef struct rdb_load_info {
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
 * failed load may leave part of the data loaded. */
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

/* CRC64 as Redis computes it (Jones polynomial, reflected), continuing
 * from crc (0 to start). */
uint64_t crc64(uint64_t crc, const unsigned char *p, size_t len);

#endif
