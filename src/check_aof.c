/*
 * keyport-check-aof: checks (and with --fix repairs) an append-only file
 * without loading it, with the interface and semantics of Redis 7.0's
 * redis-check-aof:
 *
 *   keyport-check-aof [--fix | --truncate-to-timestamp <t>] <file>
 *
 * <file> is a multi-part AOF manifest (its base and incremental files are
 * checked in manifest order), a single AOF, or an AOF with an RDB
 * preamble; the kind is recognised from the content. Only the last file
 * may be truncated: --fix cuts a torn or invalid tail back to the last
 * complete command (never inside MULTI ... EXEC) after a confirmation read
 * from standard input; --truncate-to-timestamp cuts at the first "#TS:"
 * annotation later than <t> without asking.
 *
 * Exit status: 0 when every file is valid (or was repaired, or is empty),
 * 1 otherwise.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_aof.h"
#include "check_common.h"

#define PROG "keyport-check-aof"

typedef enum mode {
    MODE_CHECK,   /* report only */
    MODE_FIX,     /* --fix */
    MODE_TO_TIME, /* --truncate-to-timestamp */
} mode;

typedef enum verdict {
    V_VALID,
    V_EMPTY,
    V_TRUNCATED,    /* --fix cut a bad tail */
    V_TS_TRUNCATED, /* --truncate-to-timestamp cut the file */
} verdict;

typedef enum input_kind {
    IN_MANIFEST,
    IN_AOF,
    IN_RDB_PREAMBLE,
} input_kind;

static mode run_mode = MODE_CHECK;
static long long to_timestamp;

static void usage(FILE *out) {
    fprintf(out,
            "Usage: " PROG
            " [--fix | --truncate-to-timestamp <timestamp>] <file.manifest|file.aof>\n"
            "       " PROG " --help | --version\n"
            "\n"
            "Checks an append-only file without loading it: a multi-part AOF manifest (its\n"
            "base file, RDB or AOF, and every incremental file), a single AOF or an AOF with\n"
            "an RDB preamble. Reports the offset of a torn or invalid tail. Exits 0 when\n"
            "every file is valid (or was repaired), 1 otherwise.\n"
            "\n"
            "  --fix                        Truncate the last file to its last complete\n"
            "                               command, after asking for confirmation.\n"
            "  --truncate-to-timestamp <t>  Truncate the last file at its first #TS annotation\n"
            "                               later than the unix time <t>.\n"
            "  --help                       Print this help and exit.\n"
            "  --version                    Print the version and exit.\n");
}

/* Never returns: the whole check stops on a fatal condition, as Redis'. */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    exit(1);
}

/* Asks on standard output, reads the answer from standard input. */
static int confirm(void) {
    printf("Continue? [y/N]: ");
    fflush(stdout);
    char buf[64];
    if (!fgets(buf, sizeof(buf), stdin)) return 0;
    return buf[0] == 'y' || buf[0] == 'Y';
}

static void truncate_file(int fd, long long at, const char *name) {
    if (ftruncate(fd, (off_t)at) == -1 || fsync(fd) == -1)
        die("Failed to truncate AOF %s: %s", name, strerror(errno));
}

/* Checks one file: its RDB preamble first when preamble, then its
 * commands. last: the file --fix and --truncate-to-timestamp may cut.
 * Exits (status 1) when the file is invalid and not repaired. */
static verdict check_file(const char *name, const char *path, int last, int preamble) {
    int fd = open(path, (run_mode == MODE_CHECK ? O_RDONLY : O_RDWR) | O_CLOEXEC);
    if (fd == -1) die("Cannot open file %s: %s, aborting...", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) == -1) die("Cannot stat file %s: %s, aborting...", path, strerror(errno));
    if (!S_ISREG(st.st_mode)) die("%s is not a regular file, aborting...", path);
    long long size = (long long)st.st_size;
    if (size == 0) {
        close(fd);
        return V_EMPTY;
    }

    long long start = 0;
    if (preamble) {
        if (check_rdb_report(fd, name, &start) != 0)
            die("The RDB preamble of %s is not valid, aborting.", name);
        printf("RDB preamble is OK, proceeding with the AOF tail at offset %lld\n", start);
    }

    aof_scan_result r;
    aof_scan(fd, start, run_mode == MODE_TO_TIME, to_timestamp, &r);
    switch (r.status) {
    case AOF_SCAN_IO_ERROR: die("Failed to read AOF %s: %s, aborting...", name, r.err);
    case AOF_SCAN_BAD_TIMESTAMP:
        die("[offset %lld] %s in AOF %s, aborting...", r.err_offset, r.err, name);
    case AOF_SCAN_TS_CUT:
        if (r.cut == 0)
            die("AOF %s has nothing before timestamp %lld, aborting...", name, to_timestamp);
        if (!last)
            die("Failed to truncate AOF %s to timestamp %lld at offset %lld: it is not the last "
                "file.\nTo go back that far, delete the files after it (and their lines in the "
                "manifest) by hand, then run " PROG " again.",
                name, to_timestamp, r.cut);
        truncate_file(fd, r.cut, name);
        close(fd);
        return V_TS_TRUNCATED;
    case AOF_SCAN_BAD_TAIL: printf("[offset %lld] %s\n", r.err_offset, r.err); break;
    case AOF_SCAN_CLEAN: break;
    }

    long long diff = size - r.ok_up_to;
    if (diff == 0 && run_mode == MODE_TO_TIME) {
        printf("Nothing to truncate in AOF %s: no annotation after timestamp %lld\n", name,
               to_timestamp);
        close(fd);
        return V_VALID;
    }
    printf("AOF analyzed: filename=%s, size=%lld, ok_up_to=%lld, ok_up_to_line=%lld, diff=%lld\n",
           name, size, r.ok_up_to, r.ok_up_to_line + 1, diff);
    if (diff == 0) {
        close(fd);
        return V_VALID;
    }
    if (run_mode != MODE_FIX)
        die("AOF %s is not valid. Use the --fix option to try fixing it.", name);
    if (!last) die("Failed to truncate AOF %s: it is not the last file", name);
    printf("This will shrink the AOF %s from %lld bytes, with %lld bytes, to %lld bytes\n", name,
           size, diff, r.ok_up_to);
    if (!confirm()) die("Aborting...");
    truncate_file(fd, r.ok_up_to, name);
    close(fd);
    return V_TRUNCATED;
}

static void report(const char *what, const char *name, verdict v) {
    switch (v) {
    case V_VALID: printf("%s %s is valid\n", what, name); break;
    case V_EMPTY: printf("%s %s is empty\n", what, name); break;
    case V_TRUNCATED: printf("Successfully truncated AOF %s\n", name); break;
    case V_TS_TRUNCATED:
        printf("Successfully truncated AOF %s to timestamp %lld\n", name, to_timestamp);
        break;
    }
}

/* First bytes of path: is it a manifest, an RDB or a plain AOF? */
static input_kind sniff(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) die("Cannot open file %s: %s", path, strerror(errno));
    char head[5] = {0};
    ssize_t n = read(fd, head, sizeof(head));
    struct stat st;
    int dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);
    close(fd);
    if (dir) die("%s is a directory: give the manifest file in it", path);
    if (n >= 4 && !memcmp(head, "file", 4)) return IN_MANIFEST;
    if (n == 5 && !memcmp(head, "REDIS", 5)) return IN_RDB_PREAMBLE;
    return IN_AOF;
}

static int file_is_rdb(const char *path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) die("Cannot open file %s: %s, aborting...", path, strerror(errno));
    char head[5];
    int rdb = read(fd, head, sizeof(head)) == 5 && !memcmp(head, "REDIS", 5);
    close(fd);
    return rdb;
}

static void check_multi_part(const char *manifest_path) {
    char tmp[PATH_MAX];
    snprintf(tmp, sizeof(tmp), "%s", manifest_path);
    const char *dir = dirname(tmp);

    aof_manifest m;
    int line;
    char bad[1100], err[256];
    if (aof_manifest_load(manifest_path, &m, &line, bad, sizeof(bad), err, sizeof(err)) != 0) {
        printf("Invalid AOF manifest %s", manifest_path);
        if (line)
            printf(", line %d: %s\n>>> '%s'\n", line, err, bad);
        else
            printf(": %s\n", err);
        exit(1);
    }
    int total = (m.base.name ? 1 : 0) + m.incr_count, seen = 0;
    printf("Checking the multi-part AOF of %s: %s%d incremental file%s\n", manifest_path,
           m.base.name ? "a base file and " : "no base file, ", m.incr_count,
           m.incr_count == 1 ? "" : "s");

    char path[PATH_MAX + 256];
    if (m.base.name) {
        snprintf(path, sizeof(path), "%s/%s", dir, m.base.name);
        int rdb = file_is_rdb(path);
        printf("Checking the BASE AOF %s (%s format)\n", m.base.name, rdb ? "RDB" : "RESP");
        verdict v = check_file(m.base.name, path, ++seen == total, rdb);
        report("BASE AOF", m.base.name, v);
    }
    if (m.incr_count) printf("Checking the INCR files\n");
    for (int i = 0; i < m.incr_count; i++) {
        snprintf(path, sizeof(path), "%s/%s", dir, m.incr[i].name);
        verdict v = check_file(m.incr[i].name, path, ++seen == total, 0);
        report("INCR AOF", m.incr[i].name, v);
    }
    aof_manifest_free(&m);
    printf("All AOF files and manifest are valid\n");
}

static int parse_timestamp(const char *s, long long *out) {
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < 0) return -1;
    *out = v;
    return 0;
}

int main(int argc, char **argv) {
    const char *path = NULL;
    int std = check_std_options(argc, argv, PROG, usage);
    if (std != -1) return std;
    if (argc == 2 && strncmp(argv[1], "--", 2) != 0) {
        path = argv[1];
    } else if (argc == 3 && !strcmp(argv[1], "--fix")) {
        run_mode = MODE_FIX;
        path = argv[2];
    } else if (argc == 4 && !strcmp(argv[1], "--truncate-to-timestamp")) {
        if (parse_timestamp(argv[2], &to_timestamp) != 0) {
            printf("Invalid timestamp '%s', aborting...\n", argv[2]);
            return 1;
        }
        /* As in Redis, timestamp 0 truncates nothing: a plain check. */
        run_mode = to_timestamp ? MODE_TO_TIME : MODE_CHECK;
        path = argv[3];
    } else {
        usage(stderr);
        return 1;
    }

    check_tool_init();
    input_kind kind = sniff(path);
    switch (kind) {
    case IN_MANIFEST: check_multi_part(path); break;
    case IN_AOF:
    case IN_RDB_PREAMBLE: {
        int preamble = kind == IN_RDB_PREAMBLE;
        printf("Checking the single-file AOF %s%s\n", path,
               preamble ? " (with an RDB preamble)" : "");
        report("AOF", path, check_file(path, path, 1, preamble));
        break;
    }
    }
    return 0;
}
