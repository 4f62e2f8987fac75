/*
 * Writing RDB streams: values in the encodings Redis 7.0 writes (compact
 * blobs go out byte for byte as keyport holds them: they share Redis'
 * layout), whole snapshots to a descriptor, and atomic snapshot files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "intset.h"
#include "listpack.h"
#include "quicklist.h"
#include "persist.h"
#include "rdb_internal.h"
#include "t_zset.h"

/* rdb-save-incremental-fsync: fsync every 4 MiB written, as Redis. */
#define RDB_AUTOSYNC_BYTES (4 * 1024 * 1024)
#define RDB_MAGIC "REDIS"

/* ---------- values ---------- */

int rdb_object_type(const kobj *o) {
    switch (o->type) {
    case OBJ_STRING: return RDB_TYPE_STRING;
    case OBJ_LIST: return RDB_TYPE_LIST_QUICKLIST_2;
    case OBJ_SET: return o->encoding == OBJ_ENCODING_INTSET ? RDB_TYPE_SET_INTSET : RDB_TYPE_SET;
    case OBJ_ZSET:
        return o->encoding == OBJ_ENCODING_LISTPACK ? RDB_TYPE_ZSET_LISTPACK : RDB_TYPE_ZSET_2;
    case OBJ_HASH:
        return o->encoding == OBJ_ENCODING_LISTPACK ? RDB_TYPE_HASH_LISTPACK : RDB_TYPE_HASH;
    default: panic("rdb: no RDB type for object type %d", o->type);
    }
}

static int write_list(rio *r, quicklist *ql) {
    if (rdb_write_len(r, ql->len) == C_ERR) return C_ERR;
    for (ql_node *n = ql->head; n; n = n->next) {
        if (rdb_write_len(r, RDB_QL_NODE_PACKED) == C_ERR) return C_ERR;
        if (rdb_write_string(r, n->lp, lp_bytes(n->lp)) == C_ERR) return C_ERR;
    }
    return C_OK;
}

/* Writes every key of d (kstr), followed by its value when with_values. */
static int write_kstr_dict(rio *r, dict *d, int with_values) {
    if (rdb_write_len(r, dict_size(d)) == C_ERR) return C_ERR;
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    dict_entry *de;
    int rc = C_OK;
    while (rc == C_OK && (de = dict_next(&it))) {
        kstr k = de->key;
        rc = rdb_write_string(r, k, kstr_len(k));
        if (rc == C_OK && with_values) {
            kstr v = de->v.val;
            rc = rdb_write_string(r, v, kstr_len(v));
        }
    }
    dict_iter_reset(&it);
    return rc;
}

/* Skiplist members from the highest score down, as Redis writes them, so
 * that a loader inserting each at the head does no search. */
static int write_skiplist(rio *r, zset *zs) {
    if (rdb_write_len(r, zs->zsl->length) == C_ERR) return C_ERR;
    for (zskiplist_node *n = zs->zsl->tail; n; n = n->backward) {
        if (rdb_write_string(r, n->ele, kstr_len(n->ele)) == C_ERR) return C_ERR;
        if (rdb_write_binary_double(r, n->score) == C_ERR) return C_ERR;
    }
    return C_OK;
}

int rdb_write_object(rio *r, kobj *o) {
    switch (o->type) {
    case OBJ_STRING:
        if (o->encoding == OBJ_ENCODING_INT) return rdb_write_ll_string(r, (long)o->ptr);
        return rdb_write_string(r, o->ptr, kstr_len(o->ptr));
    case OBJ_LIST: return write_list(r, o->ptr);
    case OBJ_SET:
        if (o->encoding == OBJ_ENCODING_INTSET)
            return rdb_write_string(r, o->ptr, intset_blob_len(o->ptr));
        return write_kstr_dict(r, o->ptr, 0);
    case OBJ_ZSET:
        if (o->encoding == OBJ_ENCODING_LISTPACK)
            return rdb_write_string(r, o->ptr, lp_bytes(o->ptr));
        return write_skiplist(r, o->ptr);
    case OBJ_HASH:
        if (o->encoding == OBJ_ENCODING_LISTPACK)
            return rdb_write_string(r, o->ptr, lp_bytes(o->ptr));
        return write_kstr_dict(r, o->ptr, 1);
    default: panic("rdb: cannot serialize object type %d", o->type);
    }
}

/* ---------- snapshots ---------- */

static int write_aux(rio *r, const char *key, const char *val) {
    if (rdb_write_byte(r, RDB_OPCODE_AUX) == C_ERR) return C_ERR;
    if (rdb_write_string(r, key, strlen(key)) == C_ERR) return C_ERR;
    return rdb_write_string(r, val, strlen(val));
}

static int write_aux_ll(rio *r, const char *key, long long v) {
    char buf[LONG_STR_SIZE];
    ll2string(buf, sizeof(buf), v);
    return write_aux(r, key, buf);
}

static int write_aux_fields(rio *r, int flags) {
    if (write_aux(r, "redis-ver", KEYPORT_REDIS_COMPAT_VERSION) == C_ERR ||
        write_aux_ll(r, "redis-bits", sizeof(void *) == 8 ? 64 : 32) == C_ERR ||
        write_aux_ll(r, "ctime", (long long)time(NULL)) == C_ERR ||
        write_aux_ll(r, "used-mem", (long long)zmalloc_used_memory()) == C_ERR ||
        write_aux_ll(r, "aof-base", (flags & RDB_SAVE_AOF_PREAMBLE) ? 1 : 0) == C_ERR)
        return C_ERR;
    return write_aux(r, "keyport-ver", KEYPORT_VERSION);
}

/* Keys written by the snapshot in progress (a child reports it: INFO
 * current_save_keys_processed). */
static long long keys_saved;

static int write_key(rio *r, kstr key, kobj *val, long long expire_ms) {
    if (expire_ms != -1) {
        if (rdb_write_byte(r, RDB_OPCODE_EXPIRETIME_MS) == C_ERR) return C_ERR;
        if (rdb_write_millis(r, expire_ms) == C_ERR) return C_ERR;
    }
    if (rdb_write_byte(r, (unsigned char)rdb_object_type(val)) == C_ERR) return C_ERR;
    if (rdb_write_string(r, key, kstr_len(key)) == C_ERR) return C_ERR;
    if (rdb_write_object(r, val) == C_ERR) return C_ERR;
    if (server.rdb_key_save_delay) rdb_debug_delay(server.rdb_key_save_delay);
    child_report_progress(++keys_saved);
    return C_OK;
}

static int write_db(rio *r, kdb *db) {
    if (rdb_write_byte(r, RDB_OPCODE_SELECTDB) == C_ERR || rdb_write_len(r, db->id) == C_ERR ||
        rdb_write_byte(r, RDB_OPCODE_RESIZEDB) == C_ERR ||
        rdb_write_len(r, dict_size(db->keys)) == C_ERR ||
        rdb_write_len(r, dict_size(db->expires)) == C_ERR)
        return C_ERR;
    dict_iterator it;
    dict_iter_init(&it, db->keys, 0);
    dict_entry *de;
    int rc = C_OK;
    while (rc == C_OK && (de = dict_next(&it))) {
        long long when = -1;
        if (dict_size(db->expires)) {
            dict_entry *ee = dict_find(db->expires, de->key);
            if (ee) when = ee->v.s64;
        }
        rc = write_key(r, de->key, de->v.val, when);
    }
    dict_iter_reset(&it);
    return rc;
}

/* The whole snapshot onto r. */
static int write_snapshot(rio *r, int flags) {
    char magic[16];
    snprintf(magic, sizeof(magic), "%s%04d", RDB_MAGIC, RDB_VERSION);
    rio_cksum_start(r);
    keys_saved = 0;
    if (rio_write(r, magic, strlen(magic)) == C_ERR) return C_ERR;
    if (write_aux_fields(r, flags) == C_ERR) return C_ERR;
    for (int j = 0; j < server.dbnum; j++) {
        kdb *db = &server.db[j];
        if (dict_size(db->keys) == 0) continue;
        if (write_db(r, db) == C_ERR) return C_ERR;
    }
    if (rdb_write_byte(r, RDB_OPCODE_EOF) == C_ERR) return C_ERR;
    uint64_t crc = server.rdb_checksum ? r->cksum : 0;
    rio_cksum_stop(r);
    unsigned char trailer[8];
    for (int i = 0; i < 8; i++) trailer[i] = (unsigned char)(crc >> (8 * i));
    return rio_write(r, trailer, 8);
}

int rdb_save_fd(int fd, int flags) {
    rio r;
    rio_init_fd_write(&r, fd);
    if (server.rdb_save_incremental_fsync) rio_set_autosync(&r, RDB_AUTOSYNC_BYTES);
    int rc = write_snapshot(&r, flags);
    if (rc == C_OK) rc = rio_flush(&r);
    int err = r.err ? r.err : EIO;
    rio_release(&r);
    if (rc == C_ERR) errno = err;
    return rc;
}

/* The directory part of path ("." when it has none). */
static void dir_of(const char *path, char *dir, size_t len) {
    const char *slash = strrchr(path, '/');
    if (!slash) {
        snprintf(dir, len, ".");
    } else if (slash == path) {
        snprintf(dir, len, "/");
    } else {
        snprintf(dir, len, "%.*s", (int)(slash - path), path);
    }
}

static int fsync_dir(const char *dir) {
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd == -1) return -1;
    int rc = fsync(fd);
    int err = errno;
    close(fd);
    errno = err;
    /* Some filesystems cannot fsync a directory: nothing more to do there. */
    if (rc == -1 && (errno == EINVAL || errno == EBADF)) return 0;
    return rc;
}

/* Logs why the save failed, removes the temp file, keeps errno. */
static int save_failed(const char *tmp, int fd, const char *what) {
    int err = errno;
    server_log(LL_WARNING, "Failed saving the RDB file: %s %s: %s", what, tmp, strerror(err));
    if (fd != -1) close(fd);
    unlink(tmp);
    errno = err;
    return C_ERR;
}

int rdb_save_file(const char *path, int flags) {
    char dir[4096], tmp[4200];
    dir_of(path, dir, sizeof(dir));
    snprintf(tmp, sizeof(tmp), "%s/temp-%d.rdb", dir, (int)getpid());
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd == -1) {
        int err = errno;
        server_log(LL_WARNING, "Failed opening the temp RDB file %s for saving: %s", tmp,
                   strerror(err));
        errno = err;
        return C_ERR;
    }
    if (rdb_save_fd(fd, flags) == C_ERR) return save_failed(tmp, fd, "writing");
    if (fsync(fd) == -1) return save_failed(tmp, fd, "fsync of");
    if (close(fd) == -1) return save_failed(tmp, -1, "closing");
    if (rename(tmp, path) == -1) {
        int err = errno;
        server_log(LL_WARNING, "Failed renaming the temp RDB file %s to %s: %s", tmp, path,
                   strerror(err));
        unlink(tmp);
        errno = err;
        return C_ERR;
    }
    if (fsync_dir(dir) == -1) {
        int err = errno;
        server_log(LL_WARNING, "RDB file %s written, but the fsync of its directory failed: %s",
                   path, strerror(err));
        errno = err;
        return C_ERR;
    }
    return C_OK;
}
