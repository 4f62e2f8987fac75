/*
 * The RDB check report shared by keyport-check-rdb and keyport-check-aof
 * (see check_common.h). The RDB loader does the checking in its check-only
 * mode; this file prints what it reports.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check_common.h"
#include "rdb.h"

/* Prints p as a quoted string, escaping bytes that are not printable. */
static void print_quoted(const char *p, size_t len) {
    putchar('\'');
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)p[i];
        if (c == '\'' || c == '\\')
            printf("\\%c", c);
        else if (isprint(c))
            putchar(c);
        else
            printf("\\x%02x", c);
    }
    putchar('\'');
}

static void on_aux(void *ctx, long long offset, const char *key, size_t keylen, const char *val,
                   size_t vallen) {
    (void)ctx;
    printf("[offset %lld] AUX FIELD ", offset);
    fwrite(key, 1, keylen, stdout);
    printf(" = ");
    print_quoted(val, vallen);
    putchar('\n');
}

static void on_select_db(void *ctx, long long offset, int dbid) {
    (void)ctx;
    printf("[offset %lld] Selecting DB ID %d\n", offset, dbid);
}

/* The loader's error text is "offset N: reason"; splits it. A text
 * without that prefix is reported at fallback. */
static const char *split_error(const char *err, long long fallback, long long *offset) {
    long long off;
    int used = 0;
    if (sscanf(err, "offset %lld: %n", &off, &used) == 1 && used > 0) {
        *offset = off;
        return err + used;
    }
    *offset = fallback;
    return err[0] ? err : "unknown error";
}

static void print_counters(const rdb_load_info *info) {
    static const char *const names[] = {"string", "list", "set", "zset", "hash"};
    printf("[info] %lld keys read", info->keys);
    const char *sep = " (";
    for (size_t t = 0; t < sizeof(names) / sizeof(names[0]); t++) {
        if (!info->keys_by_type[t]) continue;
        printf("%s%s %lld", sep, names[t], info->keys_by_type[t]);
        sep = ", ";
    }
    printf("%s\n", sep[0] == ',' ? ")" : "");
    printf("[info] %lld expires\n", info->expires);
    printf("[info] %lld already expired\n", info->expired);
}

int check_rdb_report(int fd, const char *name, long long *end) {
    rdb_load_observer obs = {.aux = on_aux, .select_db = on_select_db, .ctx = NULL};
    rdb_load_info info;
    memset(&info, 0, sizeof(info));
    info.observer = &obs;

    printf("[offset 0] Checking RDB file %s\n", name);
    fflush(stdout);
    int rc = rdb_load_fd(fd, RDB_LOAD_CHECK_ONLY, &info);
    fflush(stdout);
    if (rc != C_OK) {
        long long off;
        const char *why = split_error(info.err, info.bytes, &off);
        printf("--- RDB ERROR DETECTED ---\n");
        printf("[offset %lld] %s\n", off, why);
        if (info.rdb_version) printf("[info] RDB version %d\n", info.rdb_version);
        print_counters(&info);
        fflush(stdout);
        return -1;
    }
    switch (info.checksum) {
    case RDB_CHECKSUM_OK: printf("[offset %lld] Checksum OK\n", info.bytes); break;
    case RDB_CHECKSUM_DISABLED:
        printf("[offset %lld] Checksum not verified: the file was saved with rdbchecksum no\n",
               info.bytes);
        break;
    default:
        printf("[offset %lld] No checksum: RDB version %d has none\n", info.bytes,
               info.rdb_version);
        break;
    }
    printf("[offset %lld] RDB looks OK\n", info.bytes);
    printf("[info] RDB version %d\n", info.rdb_version);
    print_counters(&info);
    fflush(stdout);
    if (end) *end = info.bytes;
    return 0;
}
