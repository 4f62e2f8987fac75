/*
 * Unit tests of the RDB format (src/rdb*.c, src/rio.c, src/crc64.c,
 * src/ziplist.c): CRC64 vectors, round trips of every type and encoding
 * through rdb_save_fd / rdb_load_buffer (LZF on and off, TTLs, several
 * databases), DUMP payloads byte for byte against Redis 7.0, the old
 * encodings (ziplist, zipmap, quicklist of ziplists, linked list, text
 * scores) built byte by byte, the error of every truncation length and of
 * random corruption (which must never crash), atomic file saves, and a
 * file check by Redis' own redis-check-rdb when it is installed.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "keyspace.h"
#include "listpack.h"
#include "quicklist.h"
#include "rdb.h"
#include "t_hash.h"
#include "t_list.h"
#include "t_set.h"
#include "t_zset.h"

/* ---------- helpers: building values ---------- */

static kobj *key_obj(const char *k) {
    return obj_create_string(k, strlen(k));
}

static void add_key(int dbid, const char *k, kobj *val, long long expire) {
    kobj *key = key_obj(k);
    db_add(&server.db[dbid], key, val);
    if (expire != -1) db_set_expire(&server.db[dbid], key, expire);
    decr_ref(key);
}

static kobj *str_val(const void *p, size_t len) {
    return obj_try_encode(obj_create_string(p, len));
}

static kobj *list_of(int n, int mod) {
    kobj *l = list_type_create();
    for (int i = 0; i < n; i++) {
        char buf[64];
        int len = i % mod == 0 ? snprintf(buf, sizeof(buf), "%d", i * 7 - 50)
                               : snprintf(buf, sizeof(buf), "element-%d", i);
        ql_push(l->ptr, buf, (size_t)len, QL_TAIL);
    }
    return l;
}

static kobj *set_of(int n, int strings, long long base) {
    kobj *s = set_type_create_intset();
    for (int i = 0; i < n; i++) {
        char buf[64];
        if (strings)
            snprintf(buf, sizeof(buf), "member:%d", i);
        else
            snprintf(buf, sizeof(buf), "%lld", base + (long long)i * 3);
        kstr m = kstr_from(buf);
        set_type_add(s, m);
        kstr_free(m);
    }
    return s;
}

static kobj *zset_of(int n) {
    kobj *z = zset_type_create(0, 0);
    static const double specials[] = {INFINITY, -INFINITY, 0.0, -0.0, 1.5, 1e300, -2.25e-10, 42};
    for (int i = 0; i < n; i++) {
        char buf[64];
        int len = snprintf(buf, sizeof(buf), "zmember-%d", i);
        double score = i < 8 ? specials[i] : (double)(i % 17) / 4;
        int flags;
        zset_type_add(z, score, buf, (size_t)len, ZADD_IN_NONE, &flags, NULL);
    }
    return z;
}

static kobj *hash_of(int n, size_t vlen) {
    kobj *h = hash_type_create();
    char *v = malloc(vlen + 1);
    for (int i = 0; i < n; i++) {
        char f[64];
        int flen = snprintf(f, sizeof(f), i % 3 ? "field-%d" : "%d", i);
        memset(v, 'a' + i % 26, vlen);
        hash_type_set(h, f, (size_t)flen, v, vlen);
    }
    free(v);
    return h;
}

/* ---------- helpers: describing the dataset ---------- */

static int kstr_ptr_cmp(const void *a, const void *b) {
    const kstr x = *(const kstr *)a, y = *(const kstr *)b;
    size_t lx = kstr_len(x), ly = kstr_len(y);
    int c = memcmp(x, y, lx < ly ? lx : ly);
    return c ? c : (lx > ly) - (lx < ly);
}

/* Appends the items sorted, each with its length. */
static kstr cat_sorted(kstr out, kstr *items, size_t n) {
    qsort(items, n, sizeof(kstr), kstr_ptr_cmp);
    for (size_t i = 0; i < n; i++) {
        out = kstr_catfmt(out, "%zu:", kstr_len(items[i]));
        out = kstr_cat_kstr(out, items[i]);
        out = kstr_cat(out, ",", 1);
        kstr_free(items[i]);
    }
    return out;
}

/* A canonical text of a value: type, encoding and contents (unordered
 * collections sorted). */
static kstr describe_value(kobj *o) {
    kstr out =
        kstr_catfmt(kstr_empty(), "%s/%s:", obj_type_name(o), obj_encoding_name(o->encoding));
    switch (o->type) {
    case OBJ_STRING: {
        char buf[LONG_STR_SIZE];
        size_t len;
        const char *p = string_obj_ptr(o, buf, sizeof(buf), &len);
        return kstr_cat_repr(out, p, len);
    }
    case OBJ_LIST: {
        ql_iter it;
        ql_entry e;
        ql_iter_init(&it, o->ptr, QL_HEAD);
        while (ql_next(&it, &e)) {
            if (e.str)
                out = kstr_cat_repr(out, (const char *)e.str, e.len);
            else
                out = kstr_catfmt(out, "%lld", e.ival);
            out = kstr_cat(out, ",", 1);
        }
        return out;
    }
    case OBJ_SET: {
        size_t n = set_type_size(o), i = 0;
        kstr *items = malloc(sizeof(kstr) * (n + 1));
        set_iter it;
        set_elem e;
        set_iter_init(&it, o);
        while (set_iter_next(&it, &e)) items[i++] = kstr_dup(e.s);
        set_iter_release(&it);
        out = cat_sorted(out, items, i);
        free(items);
        return out;
    }
    case OBJ_ZSET: {
        zset_iter it;
        zset_elem e;
        zset_iter_init_rank(&it, o, 0, 0);
        while (zset_iter_next(&it, &e)) {
            out = kstr_cat_repr(out, e.ele, e.len);
            out = kstr_catfmt(out, "=%.17g,", e.score);
        }
        return out;
    }
    case OBJ_HASH: {
        size_t n = hash_type_length(o), i = 0;
        kstr *items = malloc(sizeof(kstr) * (n + 1));
        hash_iter it;
        hash_str f, v;
        hash_iter_init(&it, o);
        while (hash_iter_next(&it, &f, &v)) {
            kstr s = kstr_new(f.s, f.len);
            s = kstr_cat(s, "=", 1);
            items[i++] = kstr_cat(s, v.s, v.len);
        }
        hash_iter_release(&it);
        out = cat_sorted(out, items, i);
        free(items);
        return out;
    }
    default: return out;
    }
}

/* Every key of every database with its TTL and value, sorted. */
static kstr describe_dataset(void) {
    kstr out = kstr_empty();
    for (int j = 0; j < server.dbnum; j++) {
        kdb *db = &server.db[j];
        size_t n = dict_size(db->keys), i = 0;
        if (!n) continue;
        kstr *items = malloc(sizeof(kstr) * n);
        dict_iterator it;
        dict_iter_init(&it, db->keys, 0);
        dict_entry *de;
        while ((de = dict_next(&it))) {
            dict_entry *ee = dict_find(db->expires, de->key);
            kstr s = kstr_catfmt(kstr_empty(), "db%d ", j);
            s = kstr_cat_repr(s, de->key, kstr_len(de->key));
            s = kstr_catfmt(s, " ttl=%lld ", ee ? (long long)ee->v.s64 : -1LL);
            kstr d = describe_value(de->v.val);
            s = kstr_cat_kstr(s, d);
            kstr_free(d);
            items[i++] = s;
        }
        dict_iter_reset(&it);
        out = cat_sorted(out, items, i);
        out = kstr_cat(out, "\n", 1);
        free(items);
    }
    return out;
}

/* ---------- helpers: saving and loading ---------- */

static void reset_config(void) {
    server.rdb_compression = 1;
    server.rdb_checksum = 1;
    server.set_max_intset_entries = 512;
    server.hash_max_listpack_entries = 128;
    server.hash_max_listpack_value = 64;
    server.zset_max_listpack_entries = 128;
    server.zset_max_listpack_value = 64;
    server.list_max_listpack_size = -2;
    server.key_load_delay = 0;
    server.rdb_key_save_delay = 0;
}

static void empty_all(void) {
    db_empty(-1, 0);
}

/* The snapshot of the current dataset, in memory (zmalloc'ed). */
static unsigned char *save_snapshot(size_t *len, int flags) {
    int fd = memfd_create("rdb", 0);
    CU_ASSERT_FATAL(fd >= 0);
    CU_ASSERT_FATAL(rdb_save_fd(fd, flags) == C_OK);
    off_t size = lseek(fd, 0, SEEK_END);
    unsigned char *buf = zmalloc((size_t)size + 1);
    CU_ASSERT_FATAL(pread(fd, buf, (size_t)size, 0) == size);
    close(fd);
    *len = (size_t)size;
    return buf;
}

static rdb_load_info info;

static int load(const unsigned char *p, size_t len, int flags) {
    empty_all();
    memset(&info, 0, sizeof(info));
    return rdb_load_buffer(p, len, flags, &info);
}

static kobj *lookup(int dbid, const char *k) {
    kobj *key = key_obj(k);
    kobj *v = db_lookup(&server.db[dbid], key, LOOKUP_NOTOUCH | LOOKUP_NOSTATS);
    decr_ref(key);
    return v;
}

static int err_has(const char *what) {
    return strncmp(info.err, "offset ", 7) == 0 && strstr(info.err, what) != NULL;
}

/* ---------- CRC64 ---------- */

static uint64_t crc64_bitwise(uint64_t crc, const unsigned char *p, size_t len) {
    for (size_t i = 0; i < len; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++) crc = (crc & 1) ? (crc >> 1) ^ 0x95ac9329ac4bc9b5ULL : crc >> 1;
    }
    return crc;
}

static void test_crc64(void) {
    CU_ASSERT_EQUAL(crc64(0, (const unsigned char *)"123456789", 9), 0xe9c6d914c4b8d9caULL);
    CU_ASSERT_EQUAL(crc64(0, (const unsigned char *)"", 0), 0);
    uint64_t part = crc64(0, (const unsigned char *)"1234", 4);
    CU_ASSERT_EQUAL(crc64(part, (const unsigned char *)"56789", 5), 0xe9c6d914c4b8d9caULL);
    /* The sliced implementation against the bit-at-a-time definition, at
     * every alignment and many lengths. */
    unsigned char buf[300];
    srandom(11);
    for (size_t i = 0; i < sizeof(buf); i++) buf[i] = (unsigned char)random();
    for (size_t off = 0; off < 9; off++)
        for (size_t len = 0; len + off <= sizeof(buf); len += 7)
            CU_ASSERT_EQUAL(crc64(0, buf + off, len), crc64_bitwise(0, buf + off, len));
}

/* ---------- round trips ---------- */

static void build_dataset(void) {
    long long far = mstime() + 100000000LL;
    char bin[40];
    for (int i = 0; i < 40; i++) bin[i] = (char)(i * 37);
    char big[3000];
    for (size_t i = 0; i < sizeof(big); i++) big[i] = (char)('a' + i % 7);
    add_key(0, "str", str_val("hello", 5), -1);
    add_key(0, "empty", str_val("", 0), -1);
    add_key(0, "int", str_val("12345", 5), -1);
    add_key(0, "neg", str_val("-7", 2), -1);
    add_key(0, "bigint", str_val("12345678901234", 14), -1);
    add_key(0, "llmin", str_val("-9223372036854775808", 20), -1);
    add_key(0, "notcanon", str_val("007", 3), -1);
    add_key(0, "binary", str_val(bin, sizeof(bin)), far);
    add_key(0, "compressible", str_val(big, sizeof(big)), -1);
    add_key(0, "list-small", list_of(5, 2), far + 1);
    add_key(0, "list-big", list_of(3000, 3), -1);
    kobj *l = list_type_create();
    char huge[20000];
    memset(huge, 'h', sizeof(huge));
    ql_push(l->ptr, "a", 1, QL_TAIL);
    ql_push(l->ptr, huge, sizeof(huge), QL_TAIL);
    ql_push(l->ptr, "99", 2, QL_TAIL);
    add_key(0, "list-hugeelem", l, -1);
    add_key(0, "set-intset", set_of(10, 0, -5), -1);
    add_key(0, "set-intset64", set_of(4, 0, 5000000000LL), -1);
    add_key(0, "set-ht", set_of(20, 1, 0), -1);
    add_key(0, "set-bigint", set_of(600, 0, 0), -1);
    add_key(0, "zset-lp", zset_of(10), -1);
    add_key(0, "zset-sl", zset_of(300), far + 2);
    add_key(0, "hash-lp", hash_of(10, 5), -1);
    add_key(0, "hash-ht", hash_of(300, 3), -1);
    add_key(0, "hash-longval", hash_of(3, 100), -1);
    add_key(5, "other-db", str_val("x", 1), -1);
    add_key(15, "last-db", list_of(3, 1), -1);
}

static void check_round_trip(int compression, int checksum) {
    reset_config();
    empty_all();
    build_dataset();
    CU_ASSERT_EQUAL(lookup(0, "zset-sl")->encoding, OBJ_ENCODING_SKIPLIST);
    CU_ASSERT_EQUAL(lookup(0, "set-bigint")->encoding, OBJ_ENCODING_HT);
    kstr before = describe_dataset();
    server.rdb_compression = compression;
    server.rdb_checksum = checksum;
    size_t len;
    unsigned char *buf = save_snapshot(&len, RDB_SAVE_NONE);
    CU_ASSERT_EQUAL(memcmp(buf, "REDIS0010", 9), 0);
    int rc = load(buf, len, RDB_LOAD_NONE);
    CU_ASSERT_EQUAL_FATAL(rc, C_OK);
    if (rc != C_OK) printf("load error: %s\n", info.err);
    kstr after = describe_dataset();
    CU_ASSERT_STRING_EQUAL(before, after);
    CU_ASSERT_EQUAL(info.keys, 23);
    CU_ASSERT_EQUAL(info.expires, 3);
    CU_ASSERT_EQUAL(info.expired, 0);
    CU_ASSERT_EQUAL(info.keys_by_type[OBJ_STRING], 10);
    CU_ASSERT_EQUAL(info.keys_by_type[OBJ_LIST], 4);
    CU_ASSERT_EQUAL(info.rdb_version, 10);
    CU_ASSERT_EQUAL(info.bytes, (long long)len);
    CU_ASSERT_STRING_EQUAL(info.redis_ver, "7.0.0");
    CU_ASSERT_TRUE(info.ctime > 1600000000LL);
    CU_ASSERT_EQUAL(info.aof_base, 0);
    CU_ASSERT_EQUAL(info.checksum, checksum ? RDB_CHECKSUM_OK : RDB_CHECKSUM_DISABLED);
    if (!checksum) {
        static const unsigned char zeros[8] = {0};
        CU_ASSERT_EQUAL(memcmp(buf + len - 8, zeros, 8), 0);
    }
    /* Compression makes the file smaller (the 3000-byte string). */
    if (compression) {
        server.rdb_compression = 0;
        size_t rawlen;
        unsigned char *raw = save_snapshot(&rawlen, RDB_SAVE_NONE);
        CU_ASSERT_TRUE(rawlen > len + 2000);
        zfree(raw);
    }
    /* Checking only decodes: nothing is stored. */
    empty_all();
    memset(&info, 0, sizeof(info));
    CU_ASSERT_EQUAL(rdb_load_buffer(buf, len, RDB_LOAD_CHECK_ONLY, &info), C_OK);
    CU_ASSERT_EQUAL(info.keys, 23);
    CU_ASSERT_EQUAL(db_size(&server.db[0]), 0);
    kstr_free(before);
    kstr_free(after);
    zfree(buf);
    reset_config();
}

static void test_round_trip_lzf(void) {
    check_round_trip(1, 1);
}

static void test_round_trip_raw_nochecksum(void) {
    check_round_trip(0, 0);
}

static void test_expired_keys(void) {
    reset_config();
    empty_all();
    long long now = mstime();
    add_key(0, "gone", str_val("v", 1), now - 5000);
    add_key(0, "kept", str_val("v", 1), now + 500000);
    add_key(0, "plain", str_val("v", 1), -1);
    size_t len;
    unsigned char *buf = save_snapshot(&len, RDB_SAVE_AOF_PREAMBLE);
    CU_ASSERT_EQUAL(load(buf, len, RDB_LOAD_NONE), C_OK);
    CU_ASSERT_EQUAL(info.keys, 2);
    CU_ASSERT_EQUAL(info.expired, 1);
    CU_ASSERT_EQUAL(info.expires, 1);
    CU_ASSERT_EQUAL(info.aof_base, 1);
    CU_ASSERT_PTR_NULL(lookup(0, "gone"));
    /* An AOF base keeps them: the AOF that follows decides. */
    CU_ASSERT_EQUAL(load(buf, len, RDB_LOAD_AOF_BASE), C_OK);
    CU_ASSERT_EQUAL(info.keys, 3);
    CU_ASSERT_EQUAL(info.expired, 0);
    kobj *k = key_obj("gone");
    CU_ASSERT_EQUAL(db_get_expire(&server.db[0], k), now - 5000);
    decr_ref(k);
    zfree(buf);
    empty_all();
}

static void test_fd_and_file(void) {
    reset_config();
    empty_all();
    build_dataset();
    kstr before = describe_dataset();
    char dir[] = "/tmp/keyport-test-rdb-XXXXXX";
    CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
    char path[256], tmp[256];
    snprintf(path, sizeof(path), "%s/dump.rdb", dir);
    snprintf(tmp, sizeof(tmp), "%s/temp-%d.rdb", dir, (int)getpid());
    CU_ASSERT_EQUAL(rdb_save_file(path, RDB_SAVE_NONE), C_OK);
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
    empty_all();
    CU_ASSERT_EQUAL(rdb_load_file(path, RDB_LOAD_NONE, &info), C_OK);
    kstr after = describe_dataset();
    CU_ASSERT_STRING_EQUAL(before, after);

    /* Redis' own checker accepts the file. */
    if (access("/usr/bin/redis-check-rdb", X_OK) == 0) {
        char cmd[512];
        snprintf(cmd, sizeof(cmd), "/usr/bin/redis-check-rdb %s > %s/check.out 2>&1", path, dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "grep -q 'RDB looks OK' %s/check.out", dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
        snprintf(cmd, sizeof(cmd), "grep -q 'keys read' %s/check.out", dir);
        CU_ASSERT_EQUAL(system(cmd), 0);
    }

    /* A stream followed by more bytes: the descriptor is left right after
     * the stream. */
    int fd = memfd_create("rdbtail", 0);
    CU_ASSERT_EQUAL(rdb_save_fd(fd, RDB_SAVE_NONE), C_OK);
    off_t end = lseek(fd, 0, SEEK_CUR);
    CU_ASSERT_EQUAL(write(fd, "TAIL", 4), 4);
    lseek(fd, 0, SEEK_SET);
    empty_all();
    CU_ASSERT_EQUAL(rdb_load_fd(fd, RDB_LOAD_NONE, &info), C_OK);
    CU_ASSERT_EQUAL(info.bytes, (long long)end);
    CU_ASSERT_EQUAL(lseek(fd, 0, SEEK_CUR), end);
    char tail[8] = {0};
    CU_ASSERT_EQUAL(read(fd, tail, sizeof(tail)), 4);
    CU_ASSERT_STRING_EQUAL(tail, "TAIL");
    close(fd);

    /* Failures leave the target alone and no temp file behind. */
    struct stat st1, st2;
    CU_ASSERT_EQUAL(stat(path, &st1), 0);
    char nodir[300];
    snprintf(nodir, sizeof(nodir), "%s/missing/dump.rdb", dir);
    errno = 0;
    CU_ASSERT_EQUAL(rdb_save_file(nodir, RDB_SAVE_NONE), C_ERR);
    CU_ASSERT_EQUAL(errno, ENOENT);
    char isdir[300];
    snprintf(isdir, sizeof(isdir), "%s/adir", dir);
    CU_ASSERT_EQUAL(mkdir(isdir, 0700), 0);
    CU_ASSERT_EQUAL(rdb_save_file(isdir, RDB_SAVE_NONE), C_ERR);
    CU_ASSERT_EQUAL(access(tmp, F_OK), -1);
    CU_ASSERT_EQUAL(stat(path, &st2), 0);
    CU_ASSERT_EQUAL(st1.st_ino, st2.st_ino);
    errno = 0;
    CU_ASSERT_EQUAL(rdb_load_file(nodir, RDB_LOAD_NONE, &info), C_ERR);
    CU_ASSERT_EQUAL(errno, ENOENT);

    char cmd[400];
    snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
    CU_ASSERT_EQUAL(system(cmd), 0);
    kstr_free(before);
    kstr_free(after);
    empty_all();
}

/* ---------- DUMP payloads ---------- */

static size_t unhex(const char *hex, unsigned char *out) {
    size_t n = 0;
    for (; hex[0] && hex[1]; hex += 2) {
        unsigned v;
        sscanf(hex, "%2x", &v);
        out[n++] = (unsigned char)v;
    }
    return n;
}

/* DUMP output of redis-server 7.0.15 for values keyport encodes the same
 * way, so the payload must match byte for byte. */
static const struct {
    const char *name, *hex;
} redis_dumps[] = {
    {"string hello", "000568656c6c6f0a006372df766534200a"},
    {"string 12345", "00c139300a009d94ea2793fc08b9"},
    {"list a b 1", "1201020f0f00000003008161028162020101ff0a00e01bab4a47ce5922"},
    {"set 1 2 3", "0b0e02000000030000000100020003000a00a5025ce26d6e4d1b"},
    {"hash f v n 7", "1012120000000400816602817602816e020701ff0a00b82adea8407ffaa8"},
    {"zset a 1 b 2.5", "1114140000000400816102010181620283322e3504ff0a00d44c6ea4f644d9d7"},
};

static kobj *value_for_dump(int i) {
    switch (i) {
    case 0: return str_val("hello", 5);
    case 1: return str_val("12345", 5);
    case 2: {
        kobj *l = list_type_create();
        ql_push(l->ptr, "a", 1, QL_TAIL);
        ql_push(l->ptr, "b", 1, QL_TAIL);
        ql_push(l->ptr, "1", 1, QL_TAIL);
        return l;
    }
    case 3: {
        kobj *s = set_type_create_intset();
        for (int m = 1; m <= 3; m++) {
            kstr e = kstr_from_ll(m);
            set_type_add(s, e);
            kstr_free(e);
        }
        return s;
    }
    case 4: {
        kobj *h = hash_type_create();
        hash_type_set(h, "f", 1, "v", 1);
        hash_type_set(h, "n", 1, "7", 1);
        return h;
    }
    default: {
        kobj *z = zset_type_create(0, 0);
        int flags;
        zset_type_add(z, 1, "a", 1, ZADD_IN_NONE, &flags, NULL);
        zset_type_add(z, 2.5, "b", 1, ZADD_IN_NONE, &flags, NULL);
        return z;
    }
    }
}

static void test_dump_matches_redis(void) {
    reset_config();
    for (size_t i = 0; i < sizeof(redis_dumps) / sizeof(redis_dumps[0]); i++) {
        unsigned char want[256];
        size_t wlen = unhex(redis_dumps[i].hex, want);
        kobj *v = value_for_dump((int)i);
        kstr got = rdb_dump_payload(v);
        CU_ASSERT_EQUAL(kstr_len(got), wlen);
        if (kstr_len(got) != wlen || memcmp(got, want, wlen) != 0)
            printf("\n  %s: payload differs from Redis'\n", redis_dumps[i].name);
        CU_ASSERT_EQUAL(memcmp(got, want, wlen), 0);
        /* And Redis' payload restores to the same value. */
        char err[128];
        kobj *back = rdb_restore_payload(want, wlen, err, sizeof(err));
        CU_ASSERT_PTR_NOT_NULL_FATAL(back);
        kstr d1 = describe_value(v), d2 = describe_value(back);
        CU_ASSERT_STRING_EQUAL(d1, d2);
        kstr_free(d1);
        kstr_free(d2);
        kstr_free(got);
        decr_ref(v);
        decr_ref(back);
    }
    /* An LZF-compressed string from Redis (50 x 'a'). */
    unsigned char lzf[64];
    size_t n = unhex("00c30932016161e025000161610a0009ac48b9ab15fbc9", lzf);
    char err[128];
    kobj *s = rdb_restore_payload(lzf, n, err, sizeof(err));
    CU_ASSERT_PTR_NOT_NULL_FATAL(s);
    CU_ASSERT_EQUAL(string_obj_len(s), 50);
    CU_ASSERT_EQUAL(strspn(s->ptr, "a"), 50);
    decr_ref(s);
}

static void test_restore_errors(void) {
    reset_config();
    char err[128];
    unsigned char p[64];
    size_t n = unhex("000568656c6c6f0a006372df766534200a", p);
    /* Checksum, version, too short. */
    p[3] ^= 1;
    CU_ASSERT_PTR_NULL(rdb_restore_payload(p, n, err, sizeof(err)));
    CU_ASSERT_STRING_EQUAL(err, "ERR DUMP payload version or checksum are wrong");
    p[3] ^= 1;
    CU_ASSERT_PTR_NULL(rdb_restore_payload(p, 9, err, sizeof(err)));
    CU_ASSERT_STRING_EQUAL(err, "ERR DUMP payload version or checksum are wrong");
    /* Version 11 with a matching checksum is still refused. */
    p[n - 10] = 11;
    uint64_t crc = crc64(0, p, n - 8);
    for (int i = 0; i < 8; i++) p[n - 8 + i] = (unsigned char)(crc >> (8 * i));
    CU_ASSERT_PTR_NULL(rdb_restore_payload(p, n, err, sizeof(err)));
    CU_ASSERT_STRING_EQUAL(err, "ERR DUMP payload version or checksum are wrong");

    /* Well-formed envelopes around bad values: Bad data format. */
    static const char *bad[] = {
        "0f00",                     /* stream */
        "0700",                     /* module */
        "0b080200000000000000",     /* empty intset */
        "0b0a02000000020000000100", /* intset shorter than its count */
        "000568656c6c6f00",         /* trailing byte after the value */
        "0006",                     /* string cut short */
        "08",                       /* unknown type 8 */
        "020201610161",             /* set with a duplicate member */
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        unsigned char q[64];
        size_t m = unhex(bad[i], q);
        q[m++] = 10;
        q[m++] = 0;
        crc = crc64(0, q, m);
        for (int k = 0; k < 8; k++) q[m++] = (unsigned char)(crc >> (8 * k));
        CU_ASSERT_PTR_NULL(rdb_restore_payload(q, m, err, sizeof(err)));
        CU_ASSERT_STRING_EQUAL(err, "ERR Bad data format");
    }
}

/* ---------- old encodings, built byte by byte ---------- */

static kstr b_byte(kstr s, int b) {
    unsigned char c = (unsigned char)b;
    return kstr_cat(s, &c, 1);
}

static kstr b_len(kstr s, unsigned long long len) {
    if (len < 64) return b_byte(s, (int)len);
    if (len < 16384) {
        s = b_byte(s, 0x40 | (int)(len >> 8));
        return b_byte(s, (int)(len & 0xff));
    }
    s = b_byte(s, 0x80);
    for (int i = 3; i >= 0; i--) s = b_byte(s, (int)((len >> (8 * i)) & 0xff));
    return s;
}

static kstr b_str(kstr s, const void *p, size_t len) {
    return kstr_cat(b_len(s, len), p, len);
}

static kstr b_cstr(kstr s, const char *p) {
    return b_str(s, p, strlen(p));
}

static kstr b_le(kstr s, unsigned long long v, int n) {
    for (int i = 0; i < n; i++) s = b_byte(s, (int)((v >> (8 * i)) & 0xff));
    return s;
}

static kstr rdb_begin(int version) {
    return kstr_catfmt(kstr_empty(), "REDIS%04d", version);
}

/* EOF and the CRC64 trailer. */
static kstr rdb_end(kstr s) {
    s = b_byte(s, 0xFF);
    return b_le(s, crc64(0, (const unsigned char *)s, kstr_len(s)), 8);
}

/* One ziplist entry: a string (s != NULL) or an integer. */
typedef struct zl_item {
    const char *s;
    size_t len;
    long long v;
    int big_prevlen; /* encode prevlen on 5 bytes even when small */
} zl_item;

static kstr zl_build(const zl_item *items, int n) {
    kstr z = kstr_new(NULL, 10);
    size_t prev = 0, tail = 10;
    for (int i = 0; i < n; i++) {
        size_t start = kstr_len(z);
        tail = start;
        if (prev < 254 && !items[i].big_prevlen) {
            z = b_byte(z, (int)prev);
        } else {
            z = b_byte(z, 254);
            z = b_le(z, prev, 4);
        }
        const zl_item *it = &items[i];
        if (it->s) {
            if (it->len < 64) {
                z = b_byte(z, (int)it->len);
            } else if (it->len < 16384) {
                z = b_byte(z, 0x40 | (int)(it->len >> 8));
                z = b_byte(z, (int)(it->len & 0xff));
            } else {
                z = b_byte(z, 0x80);
                for (int k = 3; k >= 0; k--) z = b_byte(z, (int)((it->len >> (8 * k)) & 0xff));
            }
            z = kstr_cat(z, it->s, it->len);
        } else if (it->v >= 0 && it->v <= 12) {
            z = b_byte(z, 0xF1 + (int)it->v);
        } else if (it->v >= INT8_MIN && it->v <= INT8_MAX) {
            z = b_le(b_byte(z, 0xFE), (unsigned long long)it->v, 1);
        } else if (it->v >= INT16_MIN && it->v <= INT16_MAX) {
            z = b_le(b_byte(z, 0xC0), (unsigned long long)it->v, 2);
        } else if (it->v >= -8388608 && it->v <= 8388607) {
            z = b_le(b_byte(z, 0xF0), (unsigned long long)it->v, 3);
        } else if (it->v >= INT32_MIN && it->v <= INT32_MAX) {
            z = b_le(b_byte(z, 0xD0), (unsigned long long)it->v, 4);
        } else {
            z = b_le(b_byte(z, 0xE0), (unsigned long long)it->v, 8);
        }
        prev = kstr_len(z) - start;
    }
    z = b_byte(z, 0xFF);
    size_t total = kstr_len(z);
    for (int i = 0; i < 4; i++) z[i] = (char)((total >> (8 * i)) & 0xff);
    for (int i = 0; i < 4; i++) z[4 + i] = (char)((tail >> (8 * i)) & 0xff);
    z[8] = (char)(n & 0xff);
    z[9] = (char)((n >> 8) & 0xff);
    return z;
}

#define S(x)                                                                                       \
    { x, sizeof(x) - 1, 0, 0 }
#define I(x)                                                                                       \
    { NULL, 0, x, 0 }

static kstr key_record(kstr s, int type, const char *key) {
    s = b_byte(s, type);
    return b_cstr(s, key);
}

static void check_list(const char *key, const char *const *want, int n) {
    kobj *l = lookup(0, key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(l);
    CU_ASSERT_EQUAL_FATAL(l->type, OBJ_LIST);
    CU_ASSERT_EQUAL(list_type_length(l), (unsigned long)n);
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, l->ptr, QL_HEAD);
    for (int i = 0; i < n && ql_next(&it, &e); i++) {
        char buf[32];
        const char *p = (const char *)e.str;
        size_t len = e.len;
        if (!p) {
            len = (size_t)snprintf(buf, sizeof(buf), "%lld", e.ival);
            p = buf;
        }
        CU_ASSERT(len == strlen(want[i]) && memcmp(p, want[i], len) == 0);
    }
}

static void test_old_list_encodings(void) {
    reset_config();
    static char s100[101], s20k[20001];
    memset(s100, 'x', 100);
    memset(s20k, 'y', 20000);
    zl_item items[] = {S("hello"),
                       I(0),
                       I(12),
                       I(-5),
                       I(300),
                       I(70000),
                       I(-8388608),
                       I(2147483647),
                       I(-2147483649LL),
                       I(9223372036854775807LL),
                       {s100, 100, 0, 0},
                       {s20k, 20000, 0, 0},
                       {"tail", 4, 0, 1}};
    int n = (int)(sizeof(items) / sizeof(items[0]));
    const char *want[] = {"hello", "0",        "12",         "-5",          "300",
                          "70000", "-8388608", "2147483647", "-2147483649", "9223372036854775807",
                          s100,    s20k,       "tail"};
    kstr zl = zl_build(items, n);
    kstr f = rdb_begin(9);
    f = b_str(key_record(f, 10, "zl"), zl, kstr_len(zl));
    /* A quicklist of two ziplists (type 14). */
    zl_item a[] = {S("a"), I(1)}, b[] = {S("b"), I(2)};
    kstr za = zl_build(a, 2), zb = zl_build(b, 2);
    f = b_len(key_record(f, 14, "ql"), 2);
    f = b_str(f, za, kstr_len(za));
    f = b_str(f, zb, kstr_len(zb));
    /* The linked list (type 1). */
    f = b_len(key_record(f, 1, "ll"), 3);
    f = b_cstr(b_cstr(b_cstr(f, "x"), "y"), "z");
    /* Quicklist 2 with a plain node and a listpack node. */
    unsigned char *lp = lp_append(lp_new(0), (const unsigned char *)"p", 1);
    lp = lp_append_integer(lp, 77);
    f = b_len(key_record(f, 18, "ql2"), 2);
    f = b_str(b_len(f, 1), "plain-node", 10);
    f = b_str(b_len(f, 2), lp, lp_bytes(lp));
    lp_free(lp);
    f = rdb_end(f);
    int rc = load((unsigned char *)f, kstr_len(f), RDB_LOAD_NONE);
    if (rc != C_OK) printf("\n  load error: %s\n", info.err);
    CU_ASSERT_EQUAL_FATAL(rc, C_OK);
    CU_ASSERT_EQUAL(info.rdb_version, 9);
    check_list("zl", want, n);
    const char *wql[] = {"a", "1", "b", "2"};
    check_list("ql", wql, 4);
    const char *wll[] = {"x", "y", "z"};
    check_list("ll", wll, 3);
    const char *wql2[] = {"plain-node", "p", "77"};
    check_list("ql2", wql2, 3);

    /* Corrupt ziplists: wrong prevlen, wrong count, wrong tail. */
    for (int c = 0; c < 3; c++) {
        kstr bad = kstr_dup(zl);
        if (c == 0) bad[10 + 7] ^= 1; /* prevlen of the second entry */
        if (c == 1) bad[8] ^= 2;
        if (c == 2) bad[4] ^= 1;
        kstr g = rdb_begin(9);
        g = rdb_end(b_str(key_record(g, 10, "bad"), bad, kstr_len(bad)));
        CU_ASSERT_EQUAL(load((unsigned char *)g, kstr_len(g), RDB_LOAD_NONE), C_ERR);
        CU_ASSERT_TRUE(err_has("ziplist integrity check failed"));
        CU_ASSERT_TRUE(err_has("key \"bad\""));
        kstr_free(bad);
        kstr_free(g);
    }
    kstr_free(zl);
    kstr_free(za);
    kstr_free(zb);
    kstr_free(f);
    empty_all();
}

static kstr zm_len(kstr z, size_t len) {
    if (len < 254) return b_byte(z, (int)len);
    return b_le(b_byte(z, 254), len, 4);
}

/* A zipmap of n pairs (each value followed by 2 free bytes). */
static kstr zm_build(const char *const *kv, int n, int count_byte) {
    kstr z = b_byte(kstr_empty(), count_byte);
    for (int i = 0; i < n; i++) {
        size_t kl = strlen(kv[2 * i]), vl = strlen(kv[2 * i + 1]);
        z = kstr_cat(zm_len(z, kl), kv[2 * i], kl);
        z = b_byte(zm_len(z, vl), 2);
        z = kstr_cat(kstr_cat(z, kv[2 * i + 1], vl), "..", 2);
    }
    return b_byte(z, 0xFF);
}

static void check_hash_field(const char *key, const char *field, const char *val) {
    kobj *h = lookup(0, key);
    CU_ASSERT_PTR_NOT_NULL_FATAL(h);
    hash_str v;
    CU_ASSERT_TRUE_FATAL(hash_type_get(h, field, strlen(field), &v));
    CU_ASSERT(v.len == strlen(val) && memcmp(v.s, val, v.len) == 0);
}

static void test_old_hash_set_zset_encodings(void) {
    reset_config();
    static char v300[301];
    memset(v300, 'v', 300);
    const char *small[] = {"a", "1", "bb", "two", "100", "3"};
    const char *big[] = {"k", v300, "n", "12"};
    kstr zs = zm_build(small, 3, 3), zb = zm_build(big, 2, 254);
    zl_item hz[] = {S("f1"), S("v1"), I(7), S("seven")};
    zl_item zz[] = {S("m1"), S("1.5"), S("m2"), I(2), S("m3"), S("inf")};
    kstr hzl = zl_build(hz, 4), zzl = zl_build(zz, 6);
    kstr f = rdb_begin(9);
    f = b_str(key_record(f, 9, "zm"), zs, kstr_len(zs));
    f = b_str(key_record(f, 9, "zmbig"), zb, kstr_len(zb));
    f = b_str(key_record(f, 13, "hzl"), hzl, kstr_len(hzl));
    f = b_str(key_record(f, 12, "zzl"), zzl, kstr_len(zzl));
    /* Plain types 2, 3 (text scores) and 4. */
    f = b_len(key_record(f, 2, "set"), 3);
    f = b_cstr(b_cstr(b_cstr(f, "1"), "x"), "2");
    f = b_len(key_record(f, 3, "zold"), 3);
    f = b_byte(b_cstr(f, "pinf"), 254);
    f = b_byte(b_cstr(f, "ninf"), 255);
    f = b_cstr(b_cstr(f, "half"), "0.5");
    f = b_len(key_record(f, 4, "hplain"), 2);
    f = b_cstr(b_cstr(b_cstr(b_cstr(f, "f"), "v"), "g"), "w");
    /* EXPIRETIME in seconds, IDLE and FREQ before a key. */
    f = b_le(b_byte(f, 253), (unsigned long long)(time(NULL) + 1000), 4);
    f = b_len(b_byte(f, 248), 100);
    f = b_byte(b_byte(f, 249), 5);
    f = b_cstr(key_record(f, 0, "withmeta"), "a string value");
    f = rdb_end(f);
    int rc = load((unsigned char *)f, kstr_len(f), RDB_LOAD_NONE);
    if (rc != C_OK) printf("\n  load error: %s\n", info.err);
    CU_ASSERT_EQUAL_FATAL(rc, C_OK);
    CU_ASSERT_EQUAL(lookup(0, "zm")->encoding, OBJ_ENCODING_LISTPACK);
    check_hash_field("zm", "bb", "two");
    check_hash_field("zm", "100", "3");
    CU_ASSERT_EQUAL(lookup(0, "zmbig")->encoding, OBJ_ENCODING_HT);
    check_hash_field("zmbig", "k", v300);
    check_hash_field("hzl", "7", "seven");
    kobj *z = lookup(0, "zzl");
    double score;
    CU_ASSERT_EQUAL(zset_type_score(z, "m1", 2, &score), C_OK);
    CU_ASSERT_EQUAL(score, 1.5);
    CU_ASSERT_EQUAL(zset_type_score(z, "m3", 2, &score), C_OK);
    CU_ASSERT_TRUE(isinf(score) && score > 0);
    kobj *s = lookup(0, "set");
    CU_ASSERT_EQUAL(s->encoding, OBJ_ENCODING_HT);
    CU_ASSERT_EQUAL(set_type_size(s), 3);
    z = lookup(0, "zold");
    CU_ASSERT_EQUAL(z->encoding, OBJ_ENCODING_LISTPACK);
    CU_ASSERT_EQUAL(zset_type_rank(z, "ninf", 4, 0, &score), 0);
    CU_ASSERT_EQUAL(zset_type_rank(z, "half", 4, 0, &score), 1);
    CU_ASSERT_EQUAL(score, 0.5);
    check_hash_field("hplain", "g", "w");
    kobj *meta = lookup(0, "withmeta");
    kobj *mk = key_obj("withmeta");
    long long ttl = db_get_expire(&server.db[0], mk);
    decr_ref(mk);
    CU_ASSERT_TRUE(ttl > mstime() + 990000 && ttl <= mstime() + 1000000);
    CU_ASSERT_TRUE(obj_idle_ms(meta) >= 99000 && obj_idle_ms(meta) <= 101000);
    kstr_free(f);

    /* A zipmap whose count byte disagrees, a duplicate field. */
    kstr badcount = zm_build(small, 3, 2);
    const char *dup[] = {"a", "1", "a", "2"};
    kstr dupzm = zm_build(dup, 2, 2);
    zl_item hd[] = {S("f"), S("1"), S("f"), S("2")};
    kstr dupzl = zl_build(hd, 4);
    zl_item zn[] = {S("m"), S("notanumber")};
    kstr nanzl = zl_build(zn, 2);
    struct {
        kstr blob;
        int type;
        const char *why;
    } cases[] = {{badcount, 9, "zipmap integrity check failed"},
                 {dupzm, 9, "duplicate hash fields"},
                 {dupzl, 13, "duplicate hash fields"},
                 {nanzl, 12, "not a number"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kstr g = rdb_begin(9);
        g = rdb_end(
            b_str(key_record(g, cases[i].type, "k"), cases[i].blob, kstr_len(cases[i].blob)));
        CU_ASSERT_EQUAL(load((unsigned char *)g, kstr_len(g), RDB_LOAD_NONE), C_ERR);
        CU_ASSERT_TRUE(err_has(cases[i].why));
        kstr_free(g);
        kstr_free(cases[i].blob);
    }
    /* NaN score (text encoding 253) and a duplicate zset member. */
    kstr g = rdb_begin(9);
    g = b_byte(b_cstr(b_len(key_record(g, 3, "z"), 1), "m"), 253);
    g = rdb_end(g);
    CU_ASSERT_EQUAL(load((unsigned char *)g, kstr_len(g), RDB_LOAD_NONE), C_ERR);
    CU_ASSERT_TRUE(err_has("NaN"));
    kstr_free(g);
    g = rdb_begin(10);
    g = b_len(key_record(g, 5, "z"), 2);
    g = b_le(b_cstr(g, "m"), 0, 8);
    g = b_le(b_cstr(g, "m"), 0, 8);
    g = rdb_end(g);
    CU_ASSERT_EQUAL(load((unsigned char *)g, kstr_len(g), RDB_LOAD_NONE), C_ERR);
    CU_ASSERT_TRUE(err_has("duplicate sorted set members"));
    kstr_free(g);
    kstr_free(zs);
    kstr_free(zb);
    kstr_free(hzl);
    kstr_free(zzl);
    empty_all();
}

/* Conversions on load follow the current limits, as Redis converts. */
static void test_conversion_limits(void) {
    reset_config();
    empty_all();
    server.set_max_intset_entries = 1000;
    server.hash_max_listpack_entries = 1000;
    server.zset_max_listpack_entries = 1000;
    add_key(0, "s", set_of(600, 0, 0), -1);
    add_key(0, "h", hash_of(300, 3), -1);
    add_key(0, "z", zset_of(300), -1);
    CU_ASSERT_EQUAL(lookup(0, "s")->encoding, OBJ_ENCODING_INTSET);
    CU_ASSERT_EQUAL(lookup(0, "h")->encoding, OBJ_ENCODING_LISTPACK);
    CU_ASSERT_EQUAL(lookup(0, "z")->encoding, OBJ_ENCODING_LISTPACK);
    kstr before = describe_dataset();
    size_t len;
    unsigned char *buf = save_snapshot(&len, RDB_SAVE_NONE);
    reset_config();
    CU_ASSERT_EQUAL_FATAL(load(buf, len, RDB_LOAD_NONE), C_OK);
    CU_ASSERT_EQUAL(lookup(0, "s")->encoding, OBJ_ENCODING_HT);
    CU_ASSERT_EQUAL(lookup(0, "h")->encoding, OBJ_ENCODING_HT);
    CU_ASSERT_EQUAL(lookup(0, "z")->encoding, OBJ_ENCODING_SKIPLIST);
    kstr after = describe_dataset();
    /* Same contents; only the encodings differ. */
    CU_ASSERT_NOT_EQUAL(strcmp(before, after), 0);
    CU_ASSERT_EQUAL(set_type_size(lookup(0, "s")), 600);
    CU_ASSERT_EQUAL(hash_type_length(lookup(0, "h")), 300);
    CU_ASSERT_EQUAL(zset_type_length(lookup(0, "z")), 300);
    kstr_free(before);
    kstr_free(after);
    zfree(buf);
    empty_all();
}

/* ---------- file-level errors ---------- */

static void test_stream_errors(void) {
    reset_config();
    struct {
        kstr f;
        const char *why;
        int rc;
    } c[16];
    int n = 0;
    c[n].f = kstr_from("REDIX0010");
    c[n].why = "wrong signature";
    c[n++].rc = C_ERR;
    c[n].f = rdb_end(rdb_begin(11));
    c[n].why = "can't handle RDB format version 11";
    c[n++].rc = C_ERR;
    c[n].f = rdb_end(b_cstr(key_record(rdb_begin(10), 15, "st"), "x"));
    c[n].why = "stream keys are not supported by keyport";
    c[n++].rc = C_ERR;
    c[n].f = rdb_end(b_cstr(key_record(rdb_begin(10), 7, "mod"), "x"));
    c[n].why = "module keys are not supported";
    c[n++].rc = C_ERR;
    c[n].f = rdb_end(b_byte(rdb_begin(10), 245));
    c[n].why = "functions";
    c[n++].rc = C_ERR;
    c[n].f = rdb_end(b_byte(rdb_begin(10), 247));
    c[n].why = "MODULE_AUX";
    c[n++].rc = C_ERR;
    c[n].f = rdb_end(b_byte(rdb_begin(10), 200));
    c[n].why = "unknown RDB record type 200";
    c[n++].rc = C_ERR;
    c[n].f = rdb_end(b_len(b_byte(rdb_begin(10), 254), 16));
    c[n].why = "database 16 is out of range";
    c[n++].rc = C_ERR;
    kstr dup = key_record(rdb_begin(10), 0, "k");
    dup = b_cstr(key_record(b_cstr(dup, "1"), 0, "k"), "2");
    c[n].f = rdb_end(dup);
    c[n].why = "key \"k\": duplicated key";
    c[n++].rc = C_ERR;
    kstr crc = rdb_end(b_cstr(b_cstr(b_byte(rdb_begin(10), 250), "aux"), "value"));
    crc[kstr_len(crc) - 10] ^= 0x20; /* inside "value" */
    c[n].f = crc;
    c[n].why = "RDB CRC64 mismatch: file has";
    c[n++].rc = C_ERR;
    /* Bad LZF data: lengths that cannot be, and corrupt bytes. */
    kstr lzf = key_record(rdb_begin(10), 0, "z");
    lzf = b_len(b_len(b_byte(lzf, 0xC3), 2), 10000);
    c[n].f = rdb_end(kstr_cat(lzf, "\x01\x02", 2));
    c[n].why = "bad LZF lengths";
    c[n++].rc = C_ERR;
    lzf = key_record(rdb_begin(10), 0, "z");
    lzf = b_len(b_len(b_byte(lzf, 0xC3), 3), 40);
    c[n].f = rdb_end(kstr_cat(lzf, "\xE0\xFF\x00", 3));
    c[n].why = "bad LZF data";
    c[n++].rc = C_ERR;
    /* Empty collections are skipped, not loaded. */
    kstr empty = key_record(rdb_begin(10), 2, "emptyset");
    empty = b_len(empty, 0);
    c[n].f = rdb_end(b_cstr(key_record(empty, 0, "k"), "v"));
    c[n].why = NULL;
    c[n++].rc = C_OK;
    for (int i = 0; i < n; i++) {
        int rc = load((unsigned char *)c[i].f, kstr_len(c[i].f), RDB_LOAD_NONE);
        CU_ASSERT_EQUAL(rc, c[i].rc);
        if (c[i].why) {
            if (!err_has(c[i].why)) printf("\n  case %d: got '%s'\n", i, info.err);
            CU_ASSERT_TRUE(err_has(c[i].why));
        }
        kstr_free(c[i].f);
    }
    CU_ASSERT_EQUAL(info.keys, 1);
    CU_ASSERT_PTR_NULL(lookup(0, "emptyset"));

    /* RDB_LOAD_ALLOW_DUP: the file's key replaces the stored one. */
    kstr f = rdb_end(b_cstr(key_record(rdb_begin(10), 0, "k"), "new"));
    empty_all();
    add_key(0, "k", str_val("old", 3), -1);
    memset(&info, 0, sizeof(info));
    CU_ASSERT_EQUAL(rdb_load_buffer((unsigned char *)f, kstr_len(f), RDB_LOAD_NONE, &info), C_ERR);
    CU_ASSERT_TRUE(err_has("duplicated key"));
    CU_ASSERT_EQUAL(rdb_load_buffer((unsigned char *)f, kstr_len(f), RDB_LOAD_ALLOW_DUP, &info),
                    C_OK);
    CU_ASSERT_EQUAL(strcmp(lookup(0, "k")->ptr, "new"), 0);
    kstr_free(f);
    empty_all();
}

/* ---------- truncation and corruption ---------- */

static void build_small_dataset(void) {
    char big[200];
    for (size_t i = 0; i < sizeof(big); i++) big[i] = (char)('a' + i % 3);
    long long far = mstime() + 100000000LL;
    add_key(0, "s", str_val("value", 5), far);
    add_key(0, "i", str_val("-300", 4), -1);
    add_key(0, "lzf", str_val(big, sizeof(big)), -1);
    add_key(0, "l", list_of(20, 3), -1);
    add_key(0, "si", set_of(5, 0, 1), -1);
    add_key(0, "sh", set_of(5, 1, 0), -1);
    add_key(0, "zl", zset_of(5), -1);
    add_key(0, "zs", zset_of(130), -1);
    add_key(0, "hl", hash_of(5, 4), -1);
    add_key(0, "hh", hash_of(130, 2), -1);
    add_key(3, "o", str_val("other", 5), -1);
}

static void test_truncation(void) {
    reset_config();
    empty_all();
    build_small_dataset();
    size_t len;
    unsigned char *buf = save_snapshot(&len, RDB_SAVE_NONE);
    int bad = 0;
    for (size_t cut = 0; cut < len; cut++) {
        unsigned char *p = zmalloc(cut + 1); /* exact size: ASAN sees overreads */
        memcpy(p, buf, cut);
        if (load(p, cut, RDB_LOAD_NONE) != C_ERR || strncmp(info.err, "offset ", 7) != 0) bad++;
        zfree(p);
    }
    CU_ASSERT_EQUAL(bad, 0);
    CU_ASSERT_EQUAL(load(buf, len, RDB_LOAD_NONE), C_OK);
    printf("\n  %zu truncation lengths of a %zu-byte file rejected", len, len);
    zfree(buf);
    empty_all();
}

static void test_random_corruption(void) {
    reset_config();
    empty_all();
    build_small_dataset();
    size_t len;
    unsigned char *buf = save_snapshot(&len, RDB_SAVE_NONE);
    /* With checksums off the corrupt bytes reach the decoders. */
    server.rdb_checksum = 0;
    srandom(1234);
    int ok = 0, failed = 0, malformed = 0;
    for (int round = 0; round < 4000; round++) {
        unsigned char *p = zmalloc(len);
        memcpy(p, buf, len);
        int flips = 1 + (int)(random() % 3);
        for (int k = 0; k < flips; k++) {
            size_t at = 9 + (size_t)random() % (len - 9);
            if (random() % 2)
                p[at] ^= (unsigned char)(1u << (random() % 8));
            else
                p[at] = (unsigned char)random();
        }
        if (load(p, len, RDB_LOAD_NONE) == C_OK)
            ok++;
        else if (strncmp(info.err, "offset ", 7) == 0)
            failed++;
        else
            malformed++;
        zfree(p);
    }
    CU_ASSERT_EQUAL(malformed, 0);
    printf("\n  4000 corrupted files: %d loaded, %d rejected with an offset", ok, failed);

    /* DUMP payloads with corrupt values but valid envelopes. */
    kobj *vals[] = {list_of(30, 2), set_of(8, 0, 3), set_of(8, 1, 0), zset_of(6),
                    zset_of(140),   hash_of(6, 3),   hash_of(140, 2)};
    int restored = 0, refused = 0;
    for (size_t v = 0; v < sizeof(vals) / sizeof(vals[0]); v++) {
        kstr payload = rdb_dump_payload(vals[v]);
        size_t plen = kstr_len(payload);
        for (int round = 0; round < 500; round++) {
            unsigned char *p = zmalloc(plen);
            memcpy(p, payload, plen);
            size_t at = (size_t)random() % (plen - 10);
            p[at] = (unsigned char)random();
            uint64_t crc = crc64(0, p, plen - 8);
            for (int i = 0; i < 8; i++) p[plen - 8 + i] = (unsigned char)(crc >> (8 * i));
            char err[128];
            kobj *o = rdb_restore_payload(p, plen, err, sizeof(err));
            if (o) {
                restored++;
                kstr d = describe_value(o); /* walk it: it must be sound */
                kstr_free(d);
                decr_ref(o);
            } else {
                refused++;
                CU_ASSERT_STRING_EQUAL(err, "ERR Bad data format");
            }
            zfree(p);
        }
        kstr_free(payload);
        decr_ref(vals[v]);
    }
    printf("; 3500 corrupted payloads: %d restored, %d refused", restored, refused);
    zfree(buf);
    reset_config();
    empty_all();
}

int main(void) {
    server_init_state();
    config_init_defaults();
    server.verbosity = LL_WARNING + 1; /* the corruption tests would flood the log */
    static const uint8_t seed[16] = "keyport-test-rdb";
    dict_set_hash_seed(seed); /* same layouts, so same corruption results, every run */
    obj_create_shared();
    db_init();

    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("rdb", NULL, NULL);
    CU_add_test(s, "crc64 vectors", test_crc64);
    CU_add_test(s, "round trip, LZF and checksum", test_round_trip_lzf);
    CU_add_test(s, "round trip, raw and no checksum", test_round_trip_raw_nochecksum);
    CU_add_test(s, "expired keys and AOF base", test_expired_keys);
    CU_add_test(s, "files, descriptors and redis-check-rdb", test_fd_and_file);
    CU_add_test(s, "DUMP payloads match Redis 7.0", test_dump_matches_redis);
    CU_add_test(s, "RESTORE payload errors", test_restore_errors);
    CU_add_test(s, "ziplist, quicklist and linked lists", test_old_list_encodings);
    CU_add_test(s, "zipmap, ziplist pairs and plain types", test_old_hash_set_zset_encodings);
    CU_add_test(s, "encodings follow the limits on load", test_conversion_limits);
    CU_add_test(s, "stream-level errors", test_stream_errors);
    CU_add_test(s, "every truncation fails with an offset", test_truncation);
    CU_add_test(s, "random corruption never crashes", test_random_corruption);
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
