/*
 * keyport-benchmark: main(). Parses the options, checks the server once on
 * the main thread (connect, TLS, AUTH, SELECT, CONFIG GET for the report)
 * so that a wrong port, CA or password fails fast with one clear message,
 * then runs the tests one after the other on the load threads.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bench.h"
#include "kstr.h"
#include "zmalloc.h"

bench_config config = {
    .host = BENCH_DEFAULT_HOST,
    .port = BENCH_DEFAULT_PORT,
    .clients = BENCH_DEFAULT_CLIENTS,
    .requests = BENCH_DEFAULT_REQUESTS,
    .datasize = BENCH_DEFAULT_DATASIZE,
    .pipeline = 1,
    .keepalive = 1,
    .threads = 1,
    .precision = BENCH_DEFAULT_PRECISION,
};

static void info_emit(void *sink, const char *key, const char *value) {
    kstr *out = sink;
    if (!strcmp(key, "tls-version") || !strcmp(key, "tls-cipher")) {
        *out = kstr_cat(*out, " ", 1);
        *out = kstr_cat_cstr(*out, value);
    }
}

/* "tcp", "unix", or "openssl TLSv1.3 TLS_AES_256_GCM_SHA384". */
static char *describe_transport(kpc_conn *c) {
    connection *cn = kpc_conn_connection(c);
    kstr out = kstr_from(cn ? conn_transport_name(cn) : "?");
    if (cn && conn_has_layer(cn)) conn_info(cn, info_emit, &out);
    char *s = zstrdup(out);
    kstr_free(out);
    return s;
}

/* The value of a CONFIG GET reply (RESP2 array or RESP3 map), or NULL. */
static char *config_value(kpc_conn *c, const char *name) {
    char err[256];
    kpc_reply *r =
        kpc_call(c, BENCH_CONNECT_TIMEOUT_MS, err, sizeof(err), "CONFIG", "GET", name, NULL);
    if (!r) return NULL;
    char *v = NULL;
    if (r->type == KPC_ERROR) {
        fprintf(stderr, "WARNING: could not fetch server CONFIG %s: %s\n", name, r->str);
    } else if (kpc_type_is_aggregate(r->type) && r->elements >= 2 && r->element &&
               r->element[1]->str) {
        v = zstrdup(r->element[1]->str);
    }
    kpc_reply_free(r);
    return v;
}

/* Exits with what, then the error text of r. */
static void die_reply(const char *what, kpc_reply *r) {
    char msg[1024];
    snprintf(msg, sizeof(msg), "%s: %s", what, r->str);
    kpc_reply_free(r);
    bench_die("%s", msg);
}

/* Exits with a stack error, the plugin settings it quotes named as the
 * options that set them. */
void bench_die_options(const char *err) {
    char msg[1024];
    kstr k = kpc_option_names(err);
    snprintf(msg, sizeof(msg), "%s", k);
    kstr_free(k);
    bench_die("%s", msg);
}

/* Fails the run early, with one message, when the server cannot be used;
 * fills server_info for the report. */
static void check_server(void) {
    ae_loop *loop = kpc_loop_create(1024);
    kpc_stack st;
    char err[1024], peer[300];
    kpc_tls_options tls = config.tls;
    tls.session_resume = config.tls_resume;
    if (kpc_stack_init(&st, config.socket != NULL, &tls, err, sizeof(err)) != 0)
        bench_die_options(err);
    const char *host = config.socket ? config.socket : config.host;
    kpc_conn *c =
        kpc_connect_sync(loop, &st, host, config.port, BENCH_CONNECT_TIMEOUT_MS, err, sizeof(err));
    char msg[1400];
    if (!c) {
        bench_conn_error(msg, sizeof(msg), "Could not connect to", bench_peer(peer, sizeof(peer)),
                         err);
        bench_die("%s", msg);
    }
    if (config.tls_resume) bench_hs_check_resume(c);
    /* The first reply proves the connection: with TLS 1.3 a server that
     * refuses the client certificate says so only after the handshake. */
    kpc_reply *r;
    if (!config.pass)
        r = kpc_call(c, BENCH_CONNECT_TIMEOUT_MS, err, sizeof(err), "PING", NULL);
    else if (config.user)
        r = kpc_call(c, BENCH_CONNECT_TIMEOUT_MS, err, sizeof(err), "AUTH", config.user,
                     config.pass, NULL);
    else
        r = kpc_call(c, BENCH_CONNECT_TIMEOUT_MS, err, sizeof(err), "AUTH", config.pass, NULL);
    if (!r) {
        bench_conn_error(msg, sizeof(msg), "Could not connect to", bench_peer(peer, sizeof(peer)),
                         err);
        bench_die("%s", msg);
    }
    if (r->type == KPC_ERROR) die_reply(config.pass ? "AUTH failed" : "PING failed", r);
    kpc_reply_free(r);
    if (config.dbnum) {
        char db[16];
        snprintf(db, sizeof(db), "%d", config.dbnum);
        r = kpc_call(c, BENCH_CONNECT_TIMEOUT_MS, err, sizeof(err), "SELECT", db, NULL);
        if (!r) bench_die("SELECT: %s", err);
        if (r->type == KPC_ERROR) die_reply("--dbnum: SELECT failed", r);
        kpc_reply_free(r);
    }
    server_info.transport = describe_transport(c);
    if (config.output == BENCH_OUT_FULL && !config.handshake) {
        server_info.save = config_value(c, "save");
        server_info.appendonly = config_value(c, "appendonly");
    }
    kpc_close(c);
    ae_process(loop, AE_ALL_EVENTS | AE_DONT_WAIT);
    kpc_stack_release(&st);
    ae_destroy(loop);
}

static void run_and_report(const bench_cmd *cmd) {
    bench_result res;
    bench_run(cmd, &res);
    bench_report(&res);
    bench_result_free(&res);
}

int main(int argc, char **argv) {
    signal(SIGPIPE, SIG_IGN);
    int first = bench_parse_options(argc, argv);
    config.argc = argc - first;
    config.argv = argv + first;
    if (!config.seed_set) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        config.seed = ((uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec) ^
                      ((uint64_t)getpid() << 32);
    }
    kpc_transports_init();
    check_server();
    bench_stacks_init();
    bench_report_begin();

    if (config.handshake) {
        do run_and_report(NULL);
        while (config.loop);
        return 0;
    }
    if (config.argc > 0) {
        bench_cmd cmd = bench_command_test(config.argc, config.argv);
        do run_and_report(&cmd);
        while (config.loop);
        bench_cmd_free(&cmd);
        return 0;
    }
    uint64_t rng = config.seed;
    int n;
    do {
        char *data = bench_random_data(config.datasize, &rng);
        bench_cmd *tests = bench_default_tests(data, &n);
        for (int i = 0; i < n; i++) {
            run_and_report(&tests[i]);
            bench_cmd_free(&tests[i]);
        }
        zfree(tests);
        zfree(data);
        bench_report_round_end();
    } while (config.loop);
    return 0;
}
