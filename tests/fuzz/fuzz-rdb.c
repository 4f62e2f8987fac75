/*
 * libFuzzer target for the RDB loader and the DUMP payload decoder.
 *
 * Input: any bytes, used twice: as an RDB stream for
 * rdb_load_buffer(RDB_LOAD_CHECK_ONLY) and as a DUMP payload for
 * rdb_restore_payload. Seeds (tests/fuzz/seed-rdb) are RDB files and DUMP
 * payloads written by redis-server 7.0.
 *
 * Invariants checked (abort on violation):
 *   - a failed load says where and why: "offset N: reason", N within the
 *     input; a check-only load never adds a key to any database;
 *   - a refused payload gets an "ERR ..." error text;
 *   - an accepted payload's value serializes again (rdb_dump_payload), and
 *     that payload restores to a value of the same type and contents
 *     (same DEBUG DIGEST-VALUE digest).
 * Sanitizers (address, undefined) catch out-of-bounds reads and leaks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "digest.h"
#include "rdb.h"
#include "server.h"

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s [%s] (%s:%d)\n", #cond, what, __FILE__,          \
                    __LINE__);                                                                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static long long keys_in_all_dbs(void) {
    long long n = 0;
    for (int i = 0; i < server.dbnum; i++) n += db_size(&server.db[i]);
    return n;
}

static void check_load(const uint8_t *data, size_t size) {
    rdb_load_info info;
    memset(&info, 0, sizeof(info));
    int rc = rdb_load_buffer(data, size, RDB_LOAD_CHECK_ONLY, &info);
    if (rc != C_OK) {
        CHECK(rc == C_ERR, "load result");
        long long off = -1;
        int used = 0;
        CHECK(sscanf(info.err, "offset %lld: %n", &off, &used) == 1 && used > 0, info.err);
        CHECK(off >= 0 && (unsigned long long)off <= size, info.err);
        CHECK(info.err[used] != '\0', info.err);
    } else {
        CHECK(info.bytes >= 0 && (unsigned long long)info.bytes <= size, "bytes read");
    }
    CHECK(keys_in_all_dbs() == 0, "a check-only load added keys");
}

static void check_restore(const uint8_t *data, size_t size) {
    char err[256] = "";
    kobj *o = rdb_restore_payload(data, size, err, sizeof(err));
    if (!o) {
        CHECK(strncmp(err, "ERR ", 4) == 0, err);
        return;
    }
    kstr d1 = rdb_dump_payload(o);
    err[0] = '\0';
    kobj *o2 = rdb_restore_payload((const unsigned char *)d1, kstr_len(d1), err, sizeof(err));
    CHECK(o2 != NULL, err);
    CHECK(o2->type == o->type, "type changed by DUMP and RESTORE");
    /* Same contents: the digest ignores the order of unordered types. */
    kstr key = kstr_from("fuzz-key-not-in-any-db");
    unsigned char g1[DIGEST_LEN] = {0}, g2[DIGEST_LEN] = {0};
    digest_value(&server.db[0], key, o, g1);
    digest_value(&server.db[0], key, o2, g2);
    CHECK(memcmp(g1, g2, DIGEST_LEN) == 0, "DUMP and RESTORE changed the value");
    kstr_free(key);
    decr_ref(o);
    decr_ref(o2);
    kstr_free(d1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    server_init_state();
    config_set_sandbox(1);
    config_init_defaults();
    server.verbosity = LL_WARNING + 1; /* the loader's log lines are noise here */
    obj_create_shared();
    db_init();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 1024 * 1024) return 0;
    check_load(data, size);
    check_restore(data, size);
    return 0;
}
