/*
 * keyport-check-rdb: checks an RDB file (Redis 7.0's format, RDB version
 * 10 and older) without loading it into a server, and prints a report in
 * the style of redis-check-rdb.
 *
 * Exit status: 0 when the file is valid, 1 when it is not or cannot be
 * read, or on a usage error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check_common.h"

#define PROG "keyport-check-rdb"

static void usage(FILE *out) {
    fprintf(out, "Usage: " PROG " [--help | --version] <file.rdb>\n"
                 "\n"
                 "Checks an RDB snapshot (Redis 7.0 format) without loading it: prints each aux\n"
                 "field and database, the CRC64 checksum result and the key counts, or the byte\n"
                 "offset and reason of the first error. Exits 0 when the file is valid, 1 when\n"
                 "it is not.\n"
                 "\n"
                 "  --help      Print this help and exit.\n"
                 "  --version   Print the version and exit.\n");
}

int main(int argc, char **argv) {
    int std = check_std_options(argc, argv, PROG, usage);
    if (std != -1) return std;
    if (argc != 2 || (argv[1][0] == '-' && argv[1][1] == '-')) {
        if (argc == 2) fprintf(stderr, PROG ": unknown option '%s'\n", argv[1]);
        usage(stderr);
        return 1;
    }
    const char *path = argv[1];
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd == -1) {
        printf("Cannot open RDB file %s: %s\n", path, strerror(errno));
        return 1;
    }
    struct stat st;
    const char *bad = NULL;
    if (fstat(fd, &st) == -1)
        bad = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        bad = S_ISDIR(st.st_mode) ? "it is a directory" : "not a regular file";
    if (bad) {
        printf("Cannot check %s: %s\n", path, bad);
        close(fd);
        return 1;
    }

    check_tool_init();
    long long end = 0;
    int rc = check_rdb_report(fd, path, &end);
    close(fd);
    if (rc == 0 && end < (long long)st.st_size)
        printf("[info] %lld bytes follow the RDB stream (an AOF tail? see keyport-check-aof)\n",
               (long long)st.st_size - end);
    return rc == 0 ? 0 : 1;
}
