/*
 * Shared pieces of the offline file checkers keyport-check-rdb and
 * keyport-check-aof: the core state they need to decode RDB values, and
 * the RDB check report both print (an AOF may start with an RDB preamble).
 *
 * Threading: single-threaded programs.
 */
#ifndef KEYPORT_CHECK_COMMON_H
#define KEYPORT_CHECK_COMMON_H

/* Prepares the server core for offline checking: default configuration,
 * shared objects, empty databases; server log lines (warnings only) go to
 * standard error so that standard output is the report alone. */
void check_tool_init(void);

/* Checks the RDB stream that starts at offset 0 of fd and prints the
 * report on standard output, redis-check-rdb style: one "[offset N]" line
 * per aux field and database selector, the checksum result, "RDB looks
 * OK" and the counters, or "--- RDB ERROR DETECTED ---" with the offset
 * and reason of the first problem. name is the file name shown.
 * Returns 0 with *end (when not NULL) set to the offset just past the RDB
 * stream (an AOF tail may follow), or -1 when the stream is invalid. */
int check_rdb_report(int fd, const char *name, long long *end);

/* Prints "<prog> <version>" and the build on standard output. */
void check_print_version(const char *prog);

#include <stdio.h>

/* The options every checker has: a lone --help prints usage(stdout), a
 * lone --version the version. Returns the exit status (0) when one of them
 * was handled, -1 when the caller goes on parsing. */
int check_std_options(int argc, char **argv, const char *prog, void (*usage)(FILE *out));

#endif
