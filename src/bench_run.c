/*
 * Load threads. Each test starts config.threads threads; thread i owns
 * clients i, i + T, i + 2T... of the -c clients, an event loop, a share
 * of the -n requests proportional to its clients, its histogram and its
 * counters.
 *
 * A test runs in three phases:
 *   1. connect: every thread connects its clients (and sends AUTH/SELECT)
 *      on its own loop; handshake mode skips this, connections are what it
 *      measures;
 *   2. the start gate: the main thread waits until every thread is ready
 *      (or one failed), then opens the gate for all at once, so that no
 *      thread measures while another still connects;
 *   3. load: each client sends a batch of -P requests, waits for all its
 *      replies, sends the next one, until the thread's share is issued
 *      (or --duration passed) and answered.
 * The gate is the only lock; the hot path touches thread-local state plus
 * two relaxed atomic stores for the progress line.
 */
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "bench.h"
#include "kstr.h"
#include "zmalloc.h"

#define BENCH_WATCH_MS 100

static bench_thread **threads;
static int nthreads;

static pthread_mutex_t gate_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t gate_cv = PTHREAD_COND_INITIALIZER;
static int gate_ready;                     /* threads connected (or failed) */
static int gate_state;                     /* 0 closed, 1 open, -1 abort */
static int gate_finished;                  /* threads done with the test */
static _Atomic int abort_all;              /* a thread failed: the others stop */
static _Atomic long long last_error_print; /* -e: second of the last print */

int64_t bench_now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

const char *bench_peer(char *buf, size_t len) {
    if (config.socket)
        snprintf(buf, len, "%s", config.socket);
    else
        snprintf(buf, len, strchr(config.host, ':') ? "[%s]:%d" : "%s:%d", config.host,
                 config.port);
    return buf;
}

void bench_conn_error(char *buf, size_t len, const char *what, const char *peer, const char *why) {
    const char *hint = kpc_tls_failure_hint(why, &config.tls);
    snprintf(buf, len, "%s %s: %s%s%s%s", what, peer, why, hint ? " (" : "", hint ? hint : "",
             hint ? ")" : "");
}

void bench_thread_conn_fail(bench_thread *t, const char *what, const char *peer, const char *why) {
    char msg[1024];
    bench_conn_error(msg, sizeof(msg), what, peer, why);
    bench_thread_fail(t, "%s", msg);
}

void bench_thread_fail(bench_thread *t, const char *fmt, ...) {
    if (!t->error) {
        char buf[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        t->error = zstrdup(buf);
    }
    t->stopping = 1;
    atomic_store(&abort_all, 1);
}

int bench_may_issue(bench_thread *t) {
    if (t->stopping || t->issued >= t->quota) return 0;
    return !t->deadline_us || bench_now_us() < t->deadline_us;
}

void bench_thread_check_done(bench_thread *t) {
    if (t->finished || t->done < t->issued || bench_may_issue(t)) return;
    t->finished = 1;
    t->end_us = bench_now_us();
}

/* ---------- requests ---------- */

static void on_reply(kpc_conn *conn, kpc_reply *r, void *data);
static void start_connect(bench_client *c);

static void print_error_reply(const char *text) {
    long long now = (long long)time(NULL);
    long long last = atomic_load_explicit(&last_error_print, memory_order_relaxed);
    if (last == now || !atomic_compare_exchange_strong(&last_error_print, &last, now)) return;
    printf("Error from server: %s\n", text);
}

/* Overwrites each __rand_int__ of the first n commands of the batch with
 * a random 12-digit number below -r. */
static void randomize(bench_thread *t, int n) {
    const bench_cmd *cmd = t->cmd;
    for (int i = 0; i < n; i++) {
        char *base = t->batch + (size_t)i * t->cmd_len;
        for (int j = 0; j < cmd->nrand; j++) {
            uint64_t v = bench_rand_next(&t->rng) % (uint64_t)config.keyspace;
            char *p = base + cmd->rand_off[j] + BENCH_RAND_LEN - 1;
            for (int k = 0; k < BENCH_RAND_LEN; k++) {
                *p-- = (char)('0' + v % 10);
                v /= 10;
            }
        }
    }
}

static void send_batch(bench_client *c) {
    bench_thread *t = c->t;
    if (!bench_may_issue(t)) {
        bench_thread_check_done(t);
        return;
    }
    long long left = t->quota - t->issued;
    int n = left < config.pipeline ? (int)left : config.pipeline;
    if (config.keyspace && t->cmd->nrand) randomize(t, n);
    t->issued += n;
    c->inflight = n;
    c->batch_start = bench_now_us();
    if (kpc_write_requests(c->conn, t->batch, (size_t)n * t->cmd_len, n, on_reply, c) != 0)
        bench_thread_conn_fail(t, "lost the connection to", kpc_conn_peer(c->conn),
                               kpc_conn_error(c->conn));
}

static void on_reply(kpc_conn *conn, kpc_reply *r, void *data) {
    bench_client *c = data;
    bench_thread *t = c->t;
    if (!r) {
        if (!t->stopping)
            bench_thread_conn_fail(t, "lost the connection to", kpc_conn_peer(conn),
                                   kpc_conn_error(conn));
        return;
    }
    int64_t now = bench_now_us();
    if (r->type == KPC_ERROR) {
        t->errors++;
        if (config.show_errors) print_error_reply(r->str);
    }
    kpc_reply_free(r);
    uint64_t lat = (uint64_t)(now - c->batch_start);
    bench_hist_record(&t->hist, lat);
    t->done++;
    atomic_store_explicit(&t->progress_done, t->done, memory_order_relaxed);
    atomic_store_explicit(&t->progress_lat_us,
                          atomic_load_explicit(&t->progress_lat_us, memory_order_relaxed) + lat,
                          memory_order_relaxed);
    if (--c->inflight > 0 || t->stopping) return;
    if (!config.keepalive && bench_may_issue(t)) {
        kpc_close(c->conn);
        c->conn = NULL;
        start_connect(c);
        return;
    }
    send_batch(c);
}

/* ---------- connecting ---------- */

/* The client is connected and authenticated: count it before the gate,
 * send at once after (a -k 0 reconnection). */
static void client_ready(bench_client *c) {
    bench_thread *t = c->t;
    if (t->start_us)
        send_batch(c);
    else
        t->ready++;
}

static void on_prefix_reply(kpc_conn *conn, kpc_reply *r, void *data) {
    bench_client *c = data;
    bench_thread *t = c->t;
    if (!r) {
        if (!t->stopping)
            bench_thread_conn_fail(t, "lost the connection to", kpc_conn_peer(conn),
                                   kpc_conn_error(conn));
        return;
    }
    if (r->type == KPC_ERROR) {
        const char *what =
            (config.pass && c->prefix_left == (config.dbnum ? 2 : 1)) ? "AUTH" : "SELECT";
        bench_thread_fail(t, "%s failed: %s", what, r->str);
        kpc_reply_free(r);
        return;
    }
    kpc_reply_free(r);
    if (--c->prefix_left == 0) client_ready(c);
}

static void on_connected(kpc_conn *conn, int status, const char *err, void *data) {
    bench_client *c = data;
    bench_thread *t = c->t;
    if (status != 0) {
        bench_thread_conn_fail(t, "Could not connect to", kpc_conn_peer(conn), err);
        return;
    }
    kpc_set_light(conn, 1);
    kpc_set_eager_write(conn, 1);
    c->prefix_left = 0;
    if (config.pass) {
        if (config.user)
            kpc_command(conn, on_prefix_reply, c, "AUTH", config.user, config.pass, NULL);
        else
            kpc_command(conn, on_prefix_reply, c, "AUTH", config.pass, NULL);
        c->prefix_left++;
    }
    if (config.dbnum) {
        char db[16];
        snprintf(db, sizeof(db), "%d", config.dbnum);
        kpc_command(conn, on_prefix_reply, c, "SELECT", db, NULL);
        c->prefix_left++;
    }
    if (c->prefix_left == 0) client_ready(c);
}

static void start_connect(bench_client *c) {
    bench_thread *t = c->t;
    char err[512];
    const char *host = config.socket ? config.socket : config.host;
    c->conn = kpc_connect(t->loop, &t->stack, host, config.port, BENCH_CONNECT_TIMEOUT_MS,
                          on_connected, c, err, sizeof(err));
    if (!c->conn) {
        char peer[300];
        bench_thread_conn_fail(t, "Could not connect to", bench_peer(peer, sizeof(peer)), err);
    }
}

/* ---------- the thread ---------- */

static int watch(ae_loop *loop, long long id, void *data) {
    bench_thread *t = data;
    (void)loop;
    (void)id;
    if (atomic_load(&abort_all)) t->stopping = 1;
    /* --duration with idle clients (none left to answer): end on time. */
    bench_thread_check_done(t);
    return BENCH_WATCH_MS;
}

/* Waits at the gate; returns 1 to run, 0 to abort. */
static int gate_pass(void) {
    pthread_mutex_lock(&gate_mu);
    gate_ready++;
    pthread_cond_broadcast(&gate_cv);
    while (gate_state == 0) pthread_cond_wait(&gate_cv, &gate_mu);
    int go = gate_state > 0;
    pthread_mutex_unlock(&gate_mu);
    return go;
}

static void run_load(bench_thread *t) {
    t->start_us = bench_now_us();
    if (config.duration > 0) t->deadline_us = t->start_us + (int64_t)(config.duration * 1e6);
    for (int i = 0; i < t->nclients && !t->stopping; i++) {
        if (t->cmd)
            send_batch(&t->clients[i]);
        else
            bench_hs_start(&t->clients[i]);
    }
    bench_thread_check_done(t);
    while (!t->finished && !t->stopping) ae_process(t->loop, AE_ALL_EVENTS);
}

static void *thread_main(void *arg) {
    bench_thread *t = arg;
    long long watch_id = ae_add_timer(t->loop, BENCH_WATCH_MS, watch, t, NULL);
    if (t->cmd) {
        for (int i = 0; i < t->nclients && !t->stopping; i++) start_connect(&t->clients[i]);
        while (t->ready < t->nclients && !t->stopping) ae_process(t->loop, AE_ALL_EVENTS);
    }
    if (gate_pass() && !t->stopping) run_load(t);
    t->stopping = 1;
    for (int i = 0; i < t->nclients; i++) {
        if (t->clients[i].conn) kpc_close(t->clients[i].conn);
        t->clients[i].conn = NULL;
    }
    ae_del_timer(t->loop, watch_id);
    /* Let TLS close alerts and deferred frees go out. */
    ae_process(t->loop, AE_ALL_EVENTS | AE_DONT_WAIT);
    pthread_mutex_lock(&gate_mu);
    gate_finished++;
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
    return NULL;
}

/* ---------- setup ---------- */

/* fds one process needs: every client, plus room for the loops, the
 * plugins and stdio. Raises the soft limit when it is too low. */
static int fd_budget(void) {
    long long need = (long long)config.clients + 128;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (long long)rl.rlim_cur < need) {
        if (rl.rlim_max != RLIM_INFINITY && (long long)rl.rlim_max < need)
            bench_die("-c %d needs %lld file descriptors, but the limit is %llu (ulimit -n)",
                      config.clients, need, (unsigned long long)rl.rlim_max);
        rl.rlim_cur = (rlim_t)need;
        if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
            bench_die("-c %d needs %lld file descriptors: cannot raise the limit: %s",
                      config.clients, need, strerror(errno));
    }
    return (int)need + 1024;
}

void bench_stacks_init(void) {
    nthreads = config.threads;
    threads = zcalloc(sizeof(bench_thread *) * (size_t)nthreads);
    kpc_tls_options tls = config.tls;
    tls.session_resume = config.tls_resume;
    for (int i = 0; i < nthreads; i++) {
        bench_thread *t = zcalloc(sizeof(*t));
        char err[1024];
        if (kpc_stack_init(&t->stack, config.socket != NULL, &tls, err, sizeof(err)) != 0)
            bench_die_options(err);
        t->index = i;
        threads[i] = t;
    }
}

/* Resets thread t for one test and hands it its clients and share. */
static void thread_prepare(bench_thread *t, const bench_cmd *cmd, int setsize) {
    t->loop = kpc_loop_create(setsize);
    if (!t->loop) bench_die("cannot create an event loop of %d descriptors", setsize);
    t->cmd = cmd;
    t->nclients = config.clients / nthreads + (t->index < config.clients % nthreads ? 1 : 0);
    t->clients = zcalloc(sizeof(bench_client) * (size_t)t->nclients);
    for (int i = 0; i < t->nclients; i++) t->clients[i].t = t;
    if (config.duration > 0) {
        t->quota = LLONG_MAX;
    } else {
        /* Shares proportional to the clients, summing to -n exactly. */
        long long base = config.requests / config.clients;
        long long extra = config.requests % config.clients;
        long long first = 0; /* index of this thread's first client */
        for (int i = 0; i < t->index; i++)
            first += config.clients / nthreads + (i < config.clients % nthreads ? 1 : 0);
        t->quota = base * t->nclients;
        for (long long k = first; k < first + t->nclients; k++)
            if (k < extra) t->quota++;
    }
    t->ready = 0;
    t->issued = t->done = 0;
    t->deadline_us = t->start_us = t->end_us = 0;
    t->finished = t->stopping = 0;
    t->errors = t->resumed = 0;
    t->resume_known = 1;
    t->rng = config.seed ^ (0x9E3779B97F4A7C15ULL * (uint64_t)(t->index + 1));
    atomic_store(&t->progress_done, 0);
    atomic_store(&t->progress_lat_us, 0);
    if (cmd) {
        t->cmd_len = kstr_len(cmd->proto);
        t->batch = zmalloc(t->cmd_len * (size_t)config.pipeline);
        for (int i = 0; i < config.pipeline; i++)
            memcpy(t->batch + (size_t)i * t->cmd_len, cmd->proto, t->cmd_len);
    }
    bench_hist_init(&t->hist, config.precision);
    bench_hist_init(&t->cycle, config.precision);
}

static void thread_release(bench_thread *t) {
    ae_destroy(t->loop);
    t->loop = NULL;
    zfree(t->clients);
    t->clients = NULL;
    zfree(t->batch);
    t->batch = NULL;
    bench_hist_free(&t->hist);
    bench_hist_free(&t->cycle);
    zfree(t->error);
    t->error = NULL;
}

/* Main thread: progress lines until every thread is done. */
static void wait_threads(const char *title, int64_t start) {
    int show = bench_progress_enabled();
    int64_t last_tick = start;
    long long last_done = 0;
    unsigned long long last_lat = 0;
    pthread_mutex_lock(&gate_mu);
    while (gate_finished < nthreads) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_nsec += 250 * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&gate_cv, &gate_mu, &ts);
        if (!show || gate_finished >= nthreads) continue;
        int64_t now = bench_now_us();
        long long done = 0;
        unsigned long long lat = 0;
        for (int i = 0; i < nthreads; i++) {
            done += atomic_load_explicit(&threads[i]->progress_done, memory_order_relaxed);
            lat += atomic_load_explicit(&threads[i]->progress_lat_us, memory_order_relaxed);
        }
        double dt = (double)(now - last_tick) / 1e6;
        double inst = dt > 0 ? (double)(done - last_done) / dt : 0;
        double avg = done ? (double)lat / (double)done / 1000.0 : 0;
        double inst_avg =
            done > last_done ? (double)(lat - last_lat) / (double)(done - last_done) / 1000.0 : 0;
        pthread_mutex_unlock(&gate_mu);
        bench_progress(title, done, (double)(now - start) / 1e6, inst, avg, inst_avg);
        pthread_mutex_lock(&gate_mu);
        last_tick = now;
        last_done = done;
        last_lat = lat;
    }
    pthread_mutex_unlock(&gate_mu);
    if (show) bench_progress_clear();
}

void bench_run(const bench_cmd *cmd, bench_result *res) {
    int setsize = fd_budget();
    gate_ready = gate_state = gate_finished = 0;
    atomic_store(&abort_all, 0);
    for (int i = 0; i < nthreads; i++) thread_prepare(threads[i], cmd, setsize);
    for (int i = 0; i < nthreads; i++) {
        int rc = pthread_create(&threads[i]->tid, NULL, thread_main, threads[i]);
        if (rc != 0) bench_die("cannot start load thread %d: %s", i, strerror(rc));
    }
    pthread_mutex_lock(&gate_mu);
    while (gate_ready < nthreads) pthread_cond_wait(&gate_cv, &gate_mu);
    gate_state = atomic_load(&abort_all) ? -1 : 1;
    int64_t opened = bench_now_us();
    pthread_cond_broadcast(&gate_cv);
    pthread_mutex_unlock(&gate_mu);
    const char *title = cmd ? cmd->title : "HANDSHAKE";
    if (gate_state > 0) wait_threads(title, opened);
    for (int i = 0; i < nthreads; i++) pthread_join(threads[i]->tid, NULL);

    for (int i = 0; i < nthreads; i++) {
        if (threads[i]->error) {
            fflush(stdout);
            fprintf(stderr, "keyport-benchmark: %s\n", threads[i]->error);
            exit(1);
        }
    }
    memset(res, 0, sizeof(*res));
    res->title = title;
    res->handshake = cmd == NULL;
    res->payload = cmd ? cmd->payload : 0;
    res->resume_known = 1;
    bench_hist_init(&res->hist, config.precision);
    bench_hist_init(&res->cycle, config.precision);
    int64_t start = 0, end = 0;
    for (int i = 0; i < nthreads; i++) {
        bench_thread *t = threads[i];
        res->requests += t->done;
        res->errors += t->errors;
        res->resumed += t->resumed;
        if (!t->resume_known) res->resume_known = 0;
        bench_hist_merge(&res->hist, &t->hist);
        bench_hist_merge(&res->cycle, &t->cycle);
        if (!start || t->start_us < start) start = t->start_us;
        if (t->end_us > end) end = t->end_us;
        thread_release(t);
    }
    res->seconds = end > start ? (double)(end - start) / 1e6 : 1e-6;
    res->rate = (double)res->requests / res->seconds;
}

void bench_result_free(bench_result *res) {
    bench_hist_free(&res->hist);
    bench_hist_free(&res->cycle);
}
