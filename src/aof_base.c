/*
 * AOF base files: the dataset written either as an RDB stream (the
 * default, aof-use-rdb-preamble yes; the RDB code writes it) or as the
 * commands that rebuild it, in Redis 7.0's form: a SELECT per non-empty
 * database, then per key SET, or RPUSH / SADD / ZADD / HMSET with at most
 * 64 items each, and PEXPIREAT for a key with a TTL; "#TS:<unix time>"
 * first when aof-timestamp-enabled.
 *
 * Threading: main thread or the rewrite child (which works on its
 * copy-on-write snapshot and never touches shared state).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "aof_internal.h"
#include "persist.h"
#include "quicklist.h"
#include "rdb.h"
#include "t_hash.h"
#include "t_set.h"
#include "t_zset.h"

#define AOF_REWRITE_ITEMS_PER_CMD 64
#define AOF_AUTOSYNC_BYTES (4 * 1024 * 1024)
#define OUT_BUF_SIZE (64 * 1024)

/* A buffered writer that remembers its first error. */
typedef struct base_out {
    int fd;
    int err; /* errno of the first failure, 0 when none */
    size_t len;
    long long written, synced;
    char buf[OUT_BUF_SIZE];
} base_out;

static void out_flush(base_out *o) {
    size_t done = 0;
    while (!o->err && done < o->len) {
        ssize_t n = write(o->fd, o->buf + done, o->len - done);
        if (n == -1 && errno == EINTR) continue;
        if (n <= 0) {
            o->err = n == 0 ? ENOSPC : errno;
            break;
        }
        done += (size_t)n;
    }
    o->written += (long long)done;
    o->len = 0;
    if (!o->err && server.aof_rewrite_incremental_fsync &&
        o->written - o->synced >= AOF_AUTOSYNC_BYTES) {
        if (fdatasync(o->fd) == -1 && errno != EINVAL) o->err = errno;
        o->synced = o->written;
    }
}

static void out_write(base_out *o, const void *p, size_t len) {
    const char *s = p;
    while (len && !o->err) {
        size_t room = OUT_BUF_SIZE - o->len;
        size_t n = len < room ? len : room;
        memcpy(o->buf + o->len, s, n);
        o->len += n;
        s += n;
        len -= n;
        if (o->len == OUT_BUF_SIZE) out_flush(o);
    }
}

/* "<prefix><n>\r\n" */
static void out_count(base_out *o, char prefix, long long n) {
    char b[LONG_STR_SIZE + 4];
    b[0] = prefix;
    int len = ll2string(b + 1, sizeof(b) - 3, n);
    b[len + 1] = '\r';
    b[len + 2] = '\n';
    out_write(o, b, (size_t)len + 3);
}

static void out_bulk(base_out *o, const void *p, size_t len) {
    out_count(o, '$', (long long)len);
    out_write(o, p, len);
    out_write(o, "\r\n", 2);
}

static void out_bulk_ll(base_out *o, long long v) {
    char b[LONG_STR_SIZE];
    int len = ll2string(b, sizeof(b), v);
    out_bulk(o, b, (size_t)len);
}

static void out_bulk_double(base_out *o, double d) {
    char b[128];
    int len = snprintf(b, sizeof(b), "%.17g", d);
    out_bulk(o, b, (size_t)len);
}

static void out_bulk_obj(base_out *o, kobj *v) {
    char num[LONG_STR_SIZE];
    size_t len;
    const char *p = string_obj_ptr(v, num, sizeof(num), &len);
    out_bulk(o, p, len);
}

/* Starts a command of `items` elements (pairs count per element) when the
 * previous batch is full; *count tracks the batch. */
static void out_batch_header(base_out *o, long long *count, unsigned long remaining, int per_item,
                             const char *cmd, kstr key) {
    if (*count != 0) return;
    unsigned long items =
        remaining > AOF_REWRITE_ITEMS_PER_CMD ? AOF_REWRITE_ITEMS_PER_CMD : remaining;
    out_count(o, '*', 2 + (long long)items * per_item);
    out_bulk(o, cmd, strlen(cmd));
    out_bulk(o, key, kstr_len(key));
}

static void out_batch_next(long long *count) {
    if (++*count == AOF_REWRITE_ITEMS_PER_CMD) *count = 0;
}

static void write_list(base_out *o, kstr key, kobj *v) {
    quicklist *ql = v->ptr;
    unsigned long remaining = ql_count(ql);
    long long count = 0;
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, ql, QL_HEAD);
    while (!o->err && ql_next(&it, &e)) {
        out_batch_header(o, &count, remaining, 1, "RPUSH", key);
        if (e.str)
            out_bulk(o, e.str, e.len);
        else
            out_bulk_ll(o, e.ival);
        out_batch_next(&count);
        remaining--;
    }
}

static void write_set(base_out *o, kstr key, kobj *v) {
    unsigned long remaining = set_type_size(v);
    long long count = 0;
    set_iter it;
    set_elem e;
    set_iter_init(&it, v);
    while (!o->err && set_iter_next(&it, &e)) {
        out_batch_header(o, &count, remaining, 1, "SADD", key);
        out_bulk(o, e.s, kstr_len(e.s));
        out_batch_next(&count);
        remaining--;
    }
    set_iter_release(&it);
}

static void write_zset(base_out *o, kstr key, kobj *v) {
    unsigned long remaining = zset_type_length(v);
    long long count = 0;
    zset_iter it;
    zset_elem e;
    zset_iter_init_rank(&it, v, 0, 0);
    while (!o->err && zset_iter_next(&it, &e)) {
        out_batch_header(o, &count, remaining, 2, "ZADD", key);
        out_bulk_double(o, e.score);
        out_bulk(o, e.ele, e.len);
        out_batch_next(&count);
        remaining--;
    }
}

static void write_hash(base_out *o, kstr key, kobj *v) {
    unsigned long remaining = hash_type_length(v);
    long long count = 0;
    hash_iter it;
    hash_str f, val;
    hash_iter_init(&it, v);
    while (!o->err && hash_iter_next(&it, &f, &val)) {
        out_batch_header(o, &count, remaining, 2, "HMSET", key);
        out_bulk(o, f.s, f.len);
        out_bulk(o, val.s, val.len);
        out_batch_next(&count);
        remaining--;
    }
    hash_iter_release(&it);
}

static void write_key(base_out *o, kdb *db, kstr key, kobj *v) {
    switch (v->type) {
    case OBJ_STRING:
        out_write(o, "*3\r\n$3\r\nSET\r\n", 13);
        out_bulk(o, key, kstr_len(key));
        out_bulk_obj(o, v);
        break;
    case OBJ_LIST: write_list(o, key, v); break;
    case OBJ_SET: write_set(o, key, v); break;
    case OBJ_ZSET: write_zset(o, key, v); break;
    case OBJ_HASH: write_hash(o, key, v); break;
    default: panic("AOF rewrite: unknown value type %d", v->type);
    }
    dict_entry *de = dict_find(db->expires, key);
    if (de) {
        out_write(o, "*3\r\n$9\r\nPEXPIREAT\r\n", 19);
        out_bulk(o, key, kstr_len(key));
        out_bulk_ll(o, de->v.s64);
    }
}

int aof_base_write_commands(int fd) {
    base_out *o = zmalloc(sizeof(*o));
    o->fd = fd;
    o->err = 0;
    o->len = 0;
    o->written = o->synced = 0;
    if (server.aof_timestamp_enabled) {
        char ts[64];
        int n = snprintf(ts, sizeof(ts), "#TS:%lld\r\n", (long long)time(NULL));
        out_write(o, ts, (size_t)n);
    }
    long long keys_written = 0;
    for (int j = 0; j < server.dbnum && !o->err; j++) {
        kdb *db = &server.db[j];
        if (dict_size(db->keys) == 0) continue;
        out_write(o, "*2\r\n$6\r\nSELECT\r\n", 16);
        out_bulk_ll(o, j);
        dict_iterator it;
        dict_iter_init(&it, db->keys, 0);
        dict_entry *de;
        while (!o->err && (de = dict_next(&it)) != NULL) {
            write_key(o, db, de->key, de->v.val);
            if (server.rdb_key_save_delay > 0) usleep((useconds_t)server.rdb_key_save_delay);
            child_report_progress(++keys_written); /* INFO current_save_keys_processed */
        }
        dict_iter_reset(&it);
    }
    out_flush(o);
    int err = o->err;
    zfree(o);
    if (err) {
        errno = err;
        return C_ERR;
    }
    return C_OK;
}

int aof_base_write_file(const char *tmpname, int rdb) {
    kstr path = aof_path(tmpname);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    int rc = C_ERR;
    if (fd == -1) {
        server_log(LL_WARNING, "Can't open the temporary AOF base file %s: %s", path,
                   strerror(errno));
        goto done;
    }
    int wrc = rdb ? rdb_save_fd(fd, RDB_SAVE_AOF_PREAMBLE) : aof_base_write_commands(fd);
    if (wrc != C_OK || fdatasync(fd) == -1) {
        int e = errno;
        close(fd);
        server_log(LL_WARNING, "Write error writing the AOF base file %s: %s", path, strerror(e));
        unlink(path);
        goto done;
    }
    if (close(fd) == -1) {
        server_log(LL_WARNING, "Write error closing the AOF base file %s: %s", path,
                   strerror(errno));
        unlink(path);
        goto done;
    }
    rc = C_OK;
done:
    kstr_free(path);
    return rc;
}

int aof_base_create_now(char *err, size_t errlen) {
    if (aof_mkdir() == -1) {
        snprintf(err, errlen, "Can't open or create append-only dir %s: %s", server.aof_dirname,
                 strerror(errno));
        return C_ERR;
    }
    kstr tmp = kstr_catfmt(kstr_empty(), "temp-rewriteaof-%ld.aof", (long)getpid());
    int rdb = server.aof_use_rdb_preamble;
    if (aof_base_write_file(tmp, rdb) != C_OK) {
        snprintf(err, errlen, "Can't write the AOF base file (see the log)");
        kstr_free(tmp);
        return C_ERR;
    }
    aof_manifest *am = aof_manifest_dup(aof.am);
    const char *name = aof_manifest_new_base(am, rdb);
    kstr tmppath = aof_path(tmp), path = aof_path(name);
    int rc = C_ERR;
    if (rename(tmppath, path) == -1) {
        snprintf(err, errlen, "Can't rename the AOF base file %s into %s: %s", tmppath, path,
                 strerror(errno));
        unlink(tmppath);
    } else if (aof_manifest_persist(am) != C_OK) {
        snprintf(err, errlen, "Can't write the AOF manifest: %s", strerror(errno));
        unlink(path);
    } else {
        server_log(LL_NOTICE, "Creating AOF base file %s on server start", name);
        aof.base_size = aof_file_size(name);
        if (aof.base_size < 0) aof.base_size = 0;
        aof_manifest_release(aof.am);
        aof.am = am;
        am = NULL;
        rc = C_OK;
    }
    aof_manifest_release(am);
    kstr_free(tmp);
    kstr_free(tmppath);
    kstr_free(path);
    return rc;
}
