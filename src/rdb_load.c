/*
 * Loading RDB streams (rdb.h): the header, the opcodes between keys, the
 * keys with their TTLs and values, the EOF and the CRC64 trailer. Any
 * problem stops the load with the byte offset and the reason in
 * info->err; nothing in the stream can make the loader read out of bounds
 * or crash.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "keyspace.h"
#include "rdb_internal.h"

#define RDB_MAGIC_LEN 9 /* "REDIS" and four digits */
/* First RDB version with the CRC64 trailer. */
#define RDB_VERSION_CHECKSUM 5
/* Empty collections are logged this many times per load, then counted. */
#define EMPTY_KEYS_LOGGED 10

typedef struct loader {
    rdb_reader rd;
    rio *r;
    int flags;
    rdb_load_info *info;
    kdb *db;
    long long now;        /* keys whose TTL is before this are expired */
    kstr key;             /* key being read, for error messages; NULL between keys */
    long long empty_keys; /* collections with no elements, skipped */
} loader;

/* ---------- records between keys ---------- */

static void note_aux(loader *ld, kstr key, kstr val) {
    rdb_load_info *info = ld->info;
    size_t klen = kstr_len(key), vlen = kstr_len(val);
    if (klen == 9 && memcmp(key, "redis-ver", 9) == 0) {
        snprintf(info->redis_ver, sizeof(info->redis_ver), "%.*s", (int)vlen, val);
    } else if (klen == 5 && memcmp(key, "ctime", 5) == 0) {
        long long v;
        if (string2ll(val, vlen, &v)) info->ctime = v;
    } else if (klen == 8 && memcmp(key, "aof-base", 8) == 0) {
        long long v;
        info->aof_base = string2ll(val, vlen, &v) && v == 1;
    }
    const rdb_load_observer *obs = info->observer;
    if (obs && obs->aux) obs->aux(obs->ctx, (long long)ld->r->offset, key, klen, val, vlen);
}

static int read_aux(loader *ld) {
    kstr key, val;
    if (rdb_read_kstr(&ld->rd, &key, "an aux field name") == C_ERR) return C_ERR;
    if (rdb_read_kstr(&ld->rd, &val, "an aux field value") == C_ERR) {
        kstr_free(key);
        return C_ERR;
    }
    note_aux(ld, key, val);
    kstr_free(key);
    kstr_free(val);
    return C_OK;
}

static int read_selectdb(loader *ld) {
    uint64_t id;
    if (rdb_read_len(&ld->rd, &id, NULL, "a database number") == C_ERR) return C_ERR;
    if (id >= (uint64_t)server.dbnum)
        return rdb_fail(&ld->rd,
                        "database %llu is out of range: this server has %d databases "
                        "(the databases directive)",
                        (unsigned long long)id, server.dbnum);
    ld->db = &server.db[id];
    const rdb_load_observer *obs = ld->info->observer;
    if (obs && obs->select_db) obs->select_db(obs->ctx, (long long)ld->r->offset, (int)id);
    return C_OK;
}

static int read_resizedb(loader *ld) {
    uint64_t keys, expires;
    if (rdb_read_len(&ld->rd, &keys, NULL, "a database size") == C_ERR) return C_ERR;
    if (rdb_read_len(&ld->rd, &expires, NULL, "a database size") == C_ERR) return C_ERR;
    if (ld->flags & RDB_LOAD_CHECK_ONLY) return C_OK;
    /* A hint only: trust it as far as the bytes left could hold that
     * many keys. */
    unsigned long long left = rio_remaining(ld->r), cap = left == ULLONG_MAX ? 1 << 24 : left / 3;
    if (keys && keys <= cap) dict_expand(ld->db->keys, keys);
    if (expires && expires <= cap) dict_expand(ld->db->expires, expires);
    return C_OK;
}

/* ---------- keys ---------- */

/* Stores (or, checking only, counts and frees) a decoded key. */
static int store_key(loader *ld, kobj *val, long long expire_ms, long long idle) {
    rdb_load_info *info = ld->info;
    int expired = expire_ms != -1 && expire_ms < ld->now;
    if (ld->flags & RDB_LOAD_CHECK_ONLY) {
        /* Counted as redis-check-rdb counts: every key, expired or not. */
        info->keys++;
        info->keys_by_type[val->type]++;
        if (expire_ms != -1) info->expires++;
        if (expired) info->expired++;
        decr_ref(val);
        return C_OK;
    }
    if (expired && !(ld->flags & RDB_LOAD_AOF_BASE)) {
        info->expired++;
        decr_ref(val);
        return C_OK;
    }
    kobj keyobj = {.type = OBJ_STRING, .encoding = OBJ_ENCODING_RAW, .refcount = 1, .ptr = ld->key};
    if (dict_find(ld->db->keys, ld->key)) {
        if (!(ld->flags & RDB_LOAD_ALLOW_DUP)) {
            decr_ref(val);
            return rdb_fail(&ld->rd, "duplicated key");
        }
        db_delete(ld->db, &keyobj);
    }
    if (idle >= 0) rdb_set_idle(val, idle);
    int type = val->type;
    db_add(ld->db, &keyobj, val);
    if (expire_ms != -1) {
        db_set_expire(ld->db, &keyobj, expire_ms);
        info->expires++;
    }
    info->keys++;
    info->keys_by_type[type]++;
    return C_OK;
}

static int read_key(loader *ld, int type, long long expire_ms, long long idle) {
    if (rdb_read_kstr(&ld->rd, &ld->key, "a key") == C_ERR) return C_ERR;
    kobj *val;
    rdb_obj_result res = rdb_read_object(&ld->rd, type, &val);
    int rc = C_OK;
    if (res == RDB_OBJ_ERR) {
        rc = C_ERR;
    } else if (res == RDB_OBJ_EMPTY) {
        if (ld->empty_keys++ < EMPTY_KEYS_LOGGED)
            server_log(LL_WARNING, "RDB: skipping key '%.*s': an empty collection (RDB type %d)",
                       (int)(kstr_len(ld->key) > 128 ? 128 : kstr_len(ld->key)), ld->key, type);
    } else {
        rc = store_key(ld, val, expire_ms, idle);
    }
    if (server.key_load_delay) rdb_debug_delay(server.key_load_delay);
    if (rc == C_OK) {
        kstr_free(ld->key);
        ld->key = NULL;
    }
    return rc;
}

/* ---------- the stream ---------- */

static int read_header(loader *ld) {
    char magic[RDB_MAGIC_LEN];
    if (rdb_read_bytes(&ld->rd, magic, sizeof(magic), "the RDB header") == C_ERR) return C_ERR;
    if (memcmp(magic, "REDIS", 5) != 0)
        return rdb_fail(&ld->rd, "wrong signature: not an RDB file");
    int version = 0;
    for (int i = 5; i < RDB_MAGIC_LEN; i++) {
        if (magic[i] < '0' || magic[i] > '9')
            return rdb_fail(&ld->rd, "bad RDB version '%.4s' in the header", magic + 5);
        version = version * 10 + (magic[i] - '0');
    }
    if (version < 1 || version > RDB_VERSION)
        return rdb_fail(&ld->rd, "can't handle RDB format version %d (at most %d)", version,
                        RDB_VERSION);
    ld->info->rdb_version = version;
    return C_OK;
}

static int read_trailer(loader *ld) {
    uint64_t computed = ld->r->cksum;
    rio_cksum_stop(ld->r);
    if (ld->info->rdb_version < RDB_VERSION_CHECKSUM) return C_OK;
    unsigned char buf[8];
    if (rdb_read_bytes(&ld->rd, buf, 8, "the CRC64 trailer") == C_ERR) return C_ERR;
    uint64_t stored = 0;
    for (int i = 7; i >= 0; i--) stored = (stored << 8) | buf[i];
    if (stored == 0) {
        ld->info->checksum = RDB_CHECKSUM_DISABLED;
        return C_OK;
    }
    if (!server.rdb_checksum) return C_OK; /* rdbchecksum no: not verified */
    if (stored != computed)
        return rdb_fail(&ld->rd, "RDB CRC64 mismatch: file has %016llx, computed %016llx",
                        (unsigned long long)stored, (unsigned long long)computed);
    ld->info->checksum = RDB_CHECKSUM_OK;
    return C_OK;
}

static int read_stream(loader *ld) {
    rio_cksum_start(ld->r);
    if (read_header(ld) == C_ERR) return C_ERR;
    long long expire_ms = -1, idle = -1;
    for (;;) {
        unsigned char type;
        if (rdb_read_byte(&ld->rd, &type, "a record type") == C_ERR) return C_ERR;
        switch (type) {
        case RDB_OPCODE_EXPIRETIME:
            if (rdb_read_seconds(&ld->rd, &expire_ms) == C_ERR) return C_ERR;
            continue;
        case RDB_OPCODE_EXPIRETIME_MS:
            if (rdb_read_millis(&ld->rd, &expire_ms) == C_ERR) return C_ERR;
            continue;
        case RDB_OPCODE_FREQ: {
            unsigned char freq; /* LFU counter: keyport has no LFU policy */
            if (rdb_read_byte(&ld->rd, &freq, "an LFU frequency") == C_ERR) return C_ERR;
            continue;
        }
        case RDB_OPCODE_IDLE: {
            uint64_t v;
            if (rdb_read_len(&ld->rd, &v, NULL, "an idle time") == C_ERR) return C_ERR;
            idle = v > LLONG_MAX ? LLONG_MAX : (long long)v;
            continue;
        }
        case RDB_OPCODE_EOF: return read_trailer(ld);
        case RDB_OPCODE_SELECTDB:
            if (read_selectdb(ld) == C_ERR) return C_ERR;
            continue;
        case RDB_OPCODE_RESIZEDB:
            if (read_resizedb(ld) == C_ERR) return C_ERR;
            continue;
        case RDB_OPCODE_AUX:
            if (read_aux(ld) == C_ERR) return C_ERR;
            continue;
        case RDB_OPCODE_MODULE_AUX:
            return rdb_fail(&ld->rd, "module data (MODULE_AUX) is not supported by keyport");
        case RDB_OPCODE_FUNCTION_PRE_GA:
        case RDB_OPCODE_FUNCTION2:
            return rdb_fail(&ld->rd, "functions (FUNCTION LOAD libraries) are not supported by "
                                     "keyport");
        default: break;
        }
        if (!rdb_is_object_type(type)) return rdb_fail(&ld->rd, "unknown RDB record type %d", type);
        if (read_key(ld, type, expire_ms, idle) == C_ERR) return C_ERR;
        expire_ms = -1;
        idle = -1;
    }
}

/* info->err: "offset N: [key "k": ]reason". */
static void report_error(loader *ld) {
    kstr msg = kstr_catfmt(kstr_empty(), "offset %llu: ", ld->rd.err_offset);
    if (ld->key) {
        size_t len = kstr_len(ld->key);
        msg = kstr_cat_cstr(msg, "key ");
        msg = kstr_cat_repr(msg, ld->key, len > 64 ? 64 : len);
        if (len > 64) msg = kstr_cat_cstr(msg, "...");
        msg = kstr_cat_cstr(msg, ": ");
    }
    msg = kstr_cat_cstr(msg, ld->rd.err);
    snprintf(ld->info->err, sizeof(ld->info->err), "%s", msg);
    kstr_free(msg);
}

static void info_reset(rdb_load_info *info) {
    const rdb_load_observer *obs = info->observer;
    memset(info, 0, sizeof(*info));
    info->observer = obs;
}

static int load_from_rio(rio *r, int flags, rdb_load_info *info) {
    loader ld;
    memset(&ld, 0, sizeof(ld));
    rdb_reader_init(&ld.rd, r);
    ld.r = r;
    ld.flags = flags;
    ld.info = info;
    ld.db = &server.db[0];
    ld.now = mstime();
    int rc = read_stream(&ld);
    info->bytes = (long long)r->offset;
    if (rc == C_ERR) report_error(&ld);
    if (ld.key) kstr_free(ld.key);
    if (ld.empty_keys > EMPTY_KEYS_LOGGED)
        server_log(LL_WARNING, "RDB: skipped %lld empty keys in all", ld.empty_keys);
    return rc;
}

int rdb_load_fd(int fd, int flags, rdb_load_info *info) {
    info_reset(info);
    rio r;
    rio_init_fd_read(&r, fd);
    int rc = load_from_rio(&r, flags, info);
    rio_fd_seek_to_consumed(&r);
    rio_release(&r);
    return rc;
}

int rdb_load_file(const char *path, int flags, rdb_load_info *info) {
    info_reset(info);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        int err = errno;
        snprintf(info->err, sizeof(info->err), "cannot open %s: %s", path, strerror(err));
        errno = err;
        return C_ERR;
    }
    int rc = rdb_load_fd(fd, flags, info);
    close(fd);
    return rc;
}

int rdb_load_buffer(const unsigned char *p, size_t len, int flags, rdb_load_info *info) {
    info_reset(info);
    rio r;
    rio_init_mem_read(&r, p, len);
    int rc = load_from_rio(&r, flags, info);
    rio_release(&r);
    return rc;
}
