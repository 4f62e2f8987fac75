/*
 * --handshake-rate: each client repeats connect, handshake (TCP, plus TLS
 * when enabled), AUTH when -a is given, one PING, close, as fast as the
 * server answers, until the thread's share of -n connections is done or
 * --duration passed. The histogram records the handshake latency (from
 * the connect call to READY); the cycle histogram connect to PONG.
 *
 * --tls-resume asks the TLS plugin to keep client sessions and offer them
 * again; the plugin says per connection whether the session was resumed
 * ("tls-session-reused" in its connection info, kpc_session_reused).
 */
#include <string.h>

#include "bench.h"

static void hs_open(bench_client *c);

static void count_progress(bench_thread *t, uint64_t lat) {
    t->done++;
    atomic_store_explicit(&t->progress_done, t->done, memory_order_relaxed);
    atomic_store_explicit(&t->progress_lat_us,
                          atomic_load_explicit(&t->progress_lat_us, memory_order_relaxed) + lat,
                          memory_order_relaxed);
}

static void hs_pong(kpc_conn *conn, kpc_reply *r, void *data) {
    bench_client *c = data;
    bench_thread *t = c->t;
    if (!r) {
        if (!t->stopping)
            bench_thread_conn_fail(t, "lost the connection to", kpc_conn_peer(conn),
                                   kpc_conn_error(conn));
        return;
    }
    if (r->type == KPC_ERROR) {
        bench_thread_fail(t, "PING failed: %s", r->str);
        kpc_reply_free(r);
        return;
    }
    kpc_reply_free(r);
    uint64_t lat = (uint64_t)(bench_now_us() - c->batch_start);
    bench_hist_record(&t->cycle, lat);
    count_progress(t, lat);
    kpc_close(conn);
    c->conn = NULL;
    hs_open(c);
}

static void hs_auth(kpc_conn *conn, kpc_reply *r, void *data) {
    bench_client *c = data;
    bench_thread *t = c->t;
    (void)conn;
    if (!r) return; /* the PING callback reports the loss */
    if (r->type == KPC_ERROR) bench_thread_fail(t, "AUTH failed: %s", r->str);
    kpc_reply_free(r);
}

static void hs_connected(kpc_conn *conn, int status, const char *err, void *data) {
    bench_client *c = data;
    bench_thread *t = c->t;
    if (status != 0) {
        bench_thread_conn_fail(t, "Could not connect to", kpc_conn_peer(conn), err);
        return;
    }
    bench_hist_record(&t->hist, (uint64_t)(bench_now_us() - c->batch_start));
    if (config.tls_resume) {
        int reused = kpc_session_reused(conn);
        if (reused < 0)
            t->resume_known = 0;
        else if (reused)
            t->resumed++;
    }
    kpc_set_light(conn, 1);
    kpc_set_eager_write(conn, 1);
    if (config.pass) {
        if (config.user)
            kpc_command(conn, hs_auth, c, "AUTH", config.user, config.pass, NULL);
        else
            kpc_command(conn, hs_auth, c, "AUTH", config.pass, NULL);
    }
    kpc_command(conn, hs_pong, c, "PING", NULL);
}

static void hs_open(bench_client *c) {
    bench_thread *t = c->t;
    if (!bench_may_issue(t)) {
        bench_thread_check_done(t);
        return;
    }
    t->issued++;
    c->batch_start = bench_now_us();
    char err[512];
    const char *host = config.socket ? config.socket : config.host;
    c->conn = kpc_connect(t->loop, &t->stack, host, config.port, BENCH_CONNECT_TIMEOUT_MS,
                          hs_connected, c, err, sizeof(err));
    if (!c->conn) {
        char peer[300];
        bench_thread_conn_fail(t, "Could not connect to", bench_peer(peer, sizeof(peer)), err);
    }
}

void bench_hs_start(bench_client *c) {
    hs_open(c);
}

void bench_hs_check_resume(kpc_conn *conn) {
    if (kpc_session_reused(conn) >= 0) return;
    connection *cn = kpc_conn_connection(conn);
    bench_die("--tls-resume: the %s transport does not report TLS session reuse on client "
              "connections (no 'tls-session-reused' in its connection info): it cannot resume "
              "client sessions yet",
              cn ? conn_transport_name(cn) : "TLS");
}
