/*
 * Private pieces of keyport-check-aof: the scanner of AOF command streams
 * (check_aof_scan.c) and the manifest parser (check_aof_manifest.c).
 *
 * Threading: single-threaded program.
 */
#ifndef KEYPORT_CHECK_AOF_H
#define KEYPORT_CHECK_AOF_H

#include <stddef.h>

/* ---------- command stream scanner ---------- */

typedef enum aof_scan_status {
    AOF_SCAN_CLEAN,         /* every command up to the end of the file is complete */
    AOF_SCAN_BAD_TAIL,      /* a torn or invalid command: err at err_offset */
    AOF_SCAN_TS_CUT,        /* a #TS annotation later than the limit: truncate at cut */
    AOF_SCAN_BAD_TIMESTAMP, /* a #TS annotation that is not a number (limit given) */
    AOF_SCAN_IO_ERROR,      /* reading failed: err */
} aof_scan_status;

typedef struct aof_scan_result {
    aof_scan_status status;
    long long ok_up_to;      /* offset past the last complete command outside MULTI */
    long long ok_up_to_line; /* protocol lines (CRLF-ended) before ok_up_to */
    long long commands;      /* complete commands */
    long long annotations;   /* '#' lines */
    long long err_offset;    /* BAD_TAIL, BAD_TIMESTAMP: where the problem starts */
    long long cut;           /* TS_CUT: where to truncate (a MULTI is never split) */
    char err[256];           /* what was wrong, "" when CLEAN */
} aof_scan_result;

/* Scans the RESP commands and '#' annotations of fd from offset start to
 * the end of the file, checking MULTI/EXEC pairing as a loader would.
 * use_limit: stop at the first "#TS:<t>" annotation with t > limit
 * (--truncate-to-timestamp). Fills r; never writes to fd. */
void aof_scan(int fd, long long start, int use_limit, long long limit, aof_scan_result *r);

/* ---------- manifest ---------- */

typedef struct aof_manifest_file {
    char *name; /* a base name, resolved in the manifest's directory */
    long long seq;
} aof_manifest_file;

typedef struct aof_manifest {
    aof_manifest_file base; /* name NULL when the manifest has no base file */
    aof_manifest_file *incr;
    int incr_count;
    int history_count; /* 'type h' lines: files waiting for deletion, not checked */
} aof_manifest;

/* Parses the manifest file at path as Redis 7.0 does: "file <name> seq <n>
 * type <b|h|i>" lines, '#' comment lines. Returns 0, or -1 with err set
 * (the reason; *line and the line text in bad_line when a line is at
 * fault, *line 0 otherwise). The caller frees m with aof_manifest_free. */
int aof_manifest_load(const char *path, aof_manifest *m, int *line, char *bad_line,
                      size_t bad_line_len, char *err, size_t errlen);
void aof_manifest_free(aof_manifest *m);

#endif
