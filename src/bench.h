/*
 * keyport-benchmark: shared state and the interfaces between its files.
 *
 *   bench.c           main(): options, the server check, then the tests
 *   bench_opts.c      option parsing and the --help text
 *   bench_tests.c     the default test list, -t selection, command mode
 *   bench_hist.c      the latency histogram (log-linear, HDR style)
 *   bench_run.c       load threads: event loops, clients, the start gate,
 *                     live progress, merged results
 *   bench_handshake.c --handshake-rate: connect, handshake, PING, close
 *   bench_report.c    final reports: full, -q, --csv, --json
 *
 * Threading: the main thread parses options, builds one transport stack
 * per load thread (kpc_stack_init is main-thread only), starts the load
 * threads and prints progress. Each load thread owns an event loop, its
 * clients and their connections, its histogram and its counters; nothing
 * is shared on the hot path. The main thread reads the counters through
 * relaxed atomics for the progress line and merges the histograms once
 * the threads have been joined.
 *
 * Exit status: 0 success, 1 any failure (bad option, connection, TLS,
 * authentication, a connection lost during a test).
 */
#ifndef KEYPORT_BENCH_H
#define KEYPORT_BENCH_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

#include "kpclient.h"

#define BENCH_DEFAULT_HOST "127.0.0.1"
#define BENCH_DEFAULT_PORT 6379
#define BENCH_DEFAULT_CLIENTS 50
#define BENCH_DEFAULT_REQUESTS 100000
#define BENCH_DEFAULT_DATASIZE 3
#define BENCH_DEFAULT_PRECISION 3
#define BENCH_MAX_PRECISION 4
#define BENCH_MAX_THREADS 512
#define BENCH_MAX_KEYSPACE 1000000000000LL /* 12 digits */
#define BENCH_CONNECT_TIMEOUT_MS 10000
#define BENCH_RAND_TOKEN "__rand_int__"
#define BENCH_RAND_LEN 12

typedef enum bench_output {
    BENCH_OUT_FULL = 0, /* redis-benchmark's report */
    BENCH_OUT_QUIET,    /* -q: one line per test */
    BENCH_OUT_CSV,      /* --csv */
    BENCH_OUT_JSON      /* --json: one object per test, one per line */
} bench_output;

typedef struct bench_config {
    const char *host;
    int port;
    const char *socket; /* -s: overrides host and port */
    const char *user;
    const char *pass;
    int clients;
    long long requests;
    int datasize;
    int pipeline;
    long long keyspace; /* -r; 0: __rand_int__ stays literal */
    char *tests;        /* -t, lower-cased as ",a,b,"; NULL: all */
    int keepalive;
    int loop;
    bench_output output;
    int threads; /* load threads (>= 1) */
    int dbnum;
    int precision; /* significant digits of the histogram */
    uint64_t seed;
    int seed_set;
    int show_errors;     /* -e */
    double duration;     /* --duration seconds; 0: run -n requests */
    int handshake;       /* --handshake-rate */
    int tls_resume;      /* --tls-resume */
    kpc_tls_options tls; /* --tls ... */
    int argc;            /* command mode: the command words */
    char **argv;
} bench_config;

extern bench_config config;

/* ---- bench_opts.c ---- */

/* Parses argv into config; returns the index of the first command word.
 * Exits 1 (message on stderr) on a bad option, 0 after --help/--version. */
int bench_parse_options(int argc, char **argv);
void bench_usage(FILE *out);
const char *bench_version(void);
/* Prints "keyport-benchmark: <message>" on stderr and exits 1. */
void bench_die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
/* bench_die() for a kpc_stack_init() error, with the plugin settings it
 * quotes renamed to the options that set them (bench.c). */
void bench_die_options(const char *err) __attribute__((noreturn));

/* ---- bench_hist.c ---- */

/* Latency histogram in microseconds, log-linear like HdrHistogram: values
 * below 2^sub_bits are exact, above that each power-of-two range is cut
 * into 2^(sub_bits-1) equal buckets, so every recorded value is known to
 * `digits` significant decimal digits. min, max and the sum are exact.
 * One owner at a time (no locking). */
typedef struct bench_hist {
    int digits;
    int sub_bits;
    uint64_t sub_count; /* 2^sub_bits >= 2 * 10^digits */
    uint64_t half;      /* sub_count / 2 */
    int nbuckets;
    uint64_t *counts;
    uint64_t total;
    uint64_t min, max;
    uint64_t sum;
} bench_hist;

void bench_hist_init(bench_hist *h, int digits);
void bench_hist_free(bench_hist *h);
void bench_hist_reset(bench_hist *h);
void bench_hist_record(bench_hist *h, uint64_t us);
/* Adds from into h (same digits). */
void bench_hist_merge(bench_hist *h, const bench_hist *from);
/* The value at or below which pct percent of the values lie (the highest
 * value equivalent to that bucket, capped by the exact max); 0 when
 * empty. pct 0 gives the exact min, 100 the exact max. */
uint64_t bench_hist_percentile(const bench_hist *h, double pct);
double bench_hist_mean(const bench_hist *h);
/* Number of values <= us (counting whole buckets). */
uint64_t bench_hist_count_upto(const bench_hist *h, uint64_t us);
/* Walks the cumulative counts: each call must pass an us no smaller than
 * the previous one. Start with it = {h, 0, 0}. */
typedef struct bench_hist_iter {
    const bench_hist *h;
    int idx;
    uint64_t cum;
} bench_hist_iter;
uint64_t bench_hist_iter_upto(bench_hist_iter *it, uint64_t us);

/* ---- bench_tests.c ---- */

/* One benchmarked request shape. proto holds one command in RESP (or
 * inline form); rand_off lists where "__rand_int__" starts inside it. */
typedef struct bench_cmd {
    char *title; /* "SET", "MSET (10 keys)", or the command line */
    char *proto; /* kstr */
    size_t *rand_off;
    int nrand;
    int payload; /* bytes shown as "payload" in the report */
} bench_cmd;

/* Lower-case names -t accepts; NULL-terminated. */
extern const char *const bench_test_names[];
/* Checks a -t list ("set,get"); returns 0 or -1 naming the unknown test
 * in err. */
int bench_check_tests(const char *list, char *err, size_t errlen);
/* Builds the selected default tests (-t, or all), in redis-benchmark's
 * order, into a new array; *n receives the count. data is the -d value. */
bench_cmd *bench_default_tests(const char *data, int *n);
/* The command given on the command line. */
bench_cmd bench_command_test(int argc, char **argv);
void bench_cmd_free(bench_cmd *c);
/* -d bytes of random letters from the seed. Caller frees (zfree). */
char *bench_random_data(int size, uint64_t *rng);
/* splitmix64 step: the generator behind -r and the data. */
uint64_t bench_rand_next(uint64_t *state);

/* ---- bench_run.c ---- */

typedef struct bench_thread bench_thread;

/* Results of one test, merged over the threads. */
typedef struct bench_result {
    const char *title;
    long long requests;         /* requests (or connections) completed */
    double seconds;             /* from the start gate to the last thread's end */
    double rate;                /* requests (or connections) per second */
    unsigned long long errors;  /* error replies */
    unsigned long long resumed; /* handshake mode: TLS sessions resumed */
    int resume_known;           /* the transport reports session reuse */
    bench_hist hist;            /* request latency, or handshake latency */
    bench_hist cycle;           /* handshake mode: connect to PONG */
    int payload;
    int handshake;
} bench_result;

/* Runs one test (cmd NULL: the handshake mode) on config.threads threads
 * with their own stacks. Fills res (the caller frees it with
 * bench_result_free). Exits 1 with a message when a connection fails. */
void bench_run(const bench_cmd *cmd, bench_result *res);
void bench_result_free(bench_result *res);
/* Builds the per-thread stacks; call once before bench_run. */
void bench_stacks_init(void);

/* The load thread and client internals bench_handshake.c shares. */
typedef struct bench_client {
    bench_thread *t;
    kpc_conn *conn;
    int inflight;        /* replies awaited of the current batch */
    int prefix_left;     /* AUTH/SELECT replies awaited */
    int64_t batch_start; /* us, when the batch (or the connect) began */
} bench_client;

struct bench_thread {
    int index;
    pthread_t tid;
    ae_loop *loop;
    kpc_stack stack;
    const bench_cmd *cmd; /* NULL in handshake mode */
    bench_client *clients;
    int nclients;
    int ready;       /* clients connected (and AUTH/SELECT done) */
    long long quota; /* requests or connections to complete (LLONG_MAX: by time) */
    long long issued;
    long long done;
    int64_t deadline_us; /* --duration: no new work after this; 0: none */
    int64_t start_us, end_us;
    int finished;
    int stopping;
    uint64_t rng;
    char *batch; /* pipeline copies of cmd->proto */
    size_t cmd_len;
    bench_hist hist;
    bench_hist cycle;
    unsigned long long errors;
    unsigned long long resumed;
    int resume_known;
    char *error; /* fatal failure, reported by the main thread */
    /* Read by the main thread for the progress line. */
    _Atomic long long progress_done;
    _Atomic unsigned long long progress_lat_us;
};

int64_t bench_now_us(void);
/* Marks the thread failed with a message (the first one wins) and stops
 * its loop. */
void bench_thread_fail(bench_thread *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Ends the thread's run when all issued work is done and nothing more may
 * be issued. */
void bench_thread_check_done(bench_thread *t);
/* Is there room for one more request or connection? */
int bench_may_issue(bench_thread *t);
/* The configured server: "host:port", "[v6]:port" or the socket path. */
const char *bench_peer(char *buf, size_t len);
/* "<what> <peer>: <why>", plus the TLS hint in parentheses when one
 * applies (kpc_tls_failure_hint), into buf. what is "Could not connect to"
 * or "lost the connection to". */
void bench_conn_error(char *buf, size_t len, const char *what, const char *peer, const char *why);
/* bench_thread_fail() with that message. */
void bench_thread_conn_fail(bench_thread *t, const char *what, const char *peer, const char *why);

/* ---- bench_handshake.c ---- */

/* Starts client c's connect / handshake / PING / close cycle. */
void bench_hs_start(bench_client *c);
/* Checks before the run that --tls-resume can work: the transport must
 * report session reuse on client connections (conn is a connected
 * connection over the same kind of stack). Exits 1 otherwise. */
void bench_hs_check_resume(kpc_conn *conn);

/* ---- bench_report.c ---- */

/* What main learnt from the server before the tests (full report). */
typedef struct bench_server_info {
    char *save;       /* CONFIG GET save, NULL when unknown */
    char *appendonly; /* CONFIG GET appendonly */
    char *transport;  /* "tcp", "unix", "openssl TLSv1.3 TLS_AES_..." */
} bench_server_info;

extern bench_server_info server_info;

/* Before the first test: the CSV header. */
void bench_report_begin(void);
void bench_report(const bench_result *res);
/* After a round of the default tests (-l repeats them). */
void bench_report_round_end(void);
/* Live progress on a TTY: called by the main thread about every 250 ms. */
void bench_progress(const char *title, long long done, double elapsed_s, double inst_rps,
                    double avg_ms, double inst_avg_ms);
void bench_progress_clear(void);
/* Is the progress line shown (stdout is a TTY, human output)? */
int bench_progress_enabled(void);

#endif
