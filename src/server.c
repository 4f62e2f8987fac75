/*
 * Server state, initialisation and the periodic work of the main thread:
 * the cron timer (expiry, client housekeeping, statistics) and the
 * before-sleep hook (pending TLS plaintext, pending writes, deferred frees).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "acl.h"
#include "aof.h"
#include "blocked.h"
#include "config.h"
#include "monotonic.h"
#include "persist.h"
#include "listen.h"
#include "server.h"

struct server server;

void update_cached_time(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    server.ustime = (long long)tv.tv_sec * 1000000 + tv.tv_usec;
    server.mstime = server.ustime / 1000;
    server.unixtime = tv.tv_sec;
    server.lruclock = (unsigned int)(server.unixtime & ((1 << OBJ_LRU_BITS) - 1));
}

/* instantaneous_ops_per_sec: samples of the command rate every 100 ms. */
static void track_ops(void) {
    long long now = server.mstime;
    long long elapsed = now - server.stat_ops_last_ms;
    if (elapsed < 100) return;
    long long ops = server.stat_numcommands - server.stat_ops_last_cmds;
    server.stat_ops_samples[server.stat_ops_idx] = ops * 1000 / (elapsed ? elapsed : 1);
    server.stat_ops_idx = (server.stat_ops_idx + 1) % 16;
    server.stat_ops_last_ms = now;
    server.stat_ops_last_cmds = server.stat_numcommands;
}

static void log_shutdown_signal(void);

static int server_cron(ae_loop *loop, long long id, void *data) {
    (void)loop, (void)id, (void)data;
    update_cached_time();
    monotonic_calibrate();
    track_ops();
    clients_cron();
    tls_auto_reload_cron();
    handle_blocked_clients_timeout(); /* blocked.c */
    if (server.active_expire_enabled) active_expire_cycle(ACTIVE_EXPIRE_CYCLE_SLOW);
    if (server.activerehashing) db_rehash_cron();
    persist_cron(); /* children, save points, automatic AOF rewrite */
    aof_cron();     /* everysec fsync, retry of failed writes */
    size_t used = zmalloc_used_memory();
    if (used > server.stat_peak_memory) server.stat_peak_memory = used;
    if (server.shutdown_asap) {
        log_shutdown_signal();
        /* shutdown_asap stays set while shutting down: a second SIGINT
         * during the final save exits at once (on_shutdown_signal). */
        if (prepare_for_shutdown(server.shutdown_flags) == C_OK) exit(0);
        server_log(LL_WARNING, "SIGTERM received but errors trying to shut down the server, check "
                               "the logs for more information");
        server.shutdown_asap = 0;
    }
    server.cronloops++;
    int hz = server.hz > 0 ? server.hz : 10;
    return 1000 / hz;
}

static void before_sleep(ae_loop *loop) {
    conn_process_pending(loop);
    if (server.active_expire_enabled) active_expire_cycle(ACTIVE_EXPIRE_CYCLE_FAST);
    /* Blocking commands (blocked.c): expired timeouts, then keys made ready
     * by this iteration's writes, before replies are written. */
    handle_blocked_clients_timeout();
    handle_clients_blocked_on_keys();
    /* The AOF is written (and fsynced with appendfsync always) before any
     * reply goes out: an acknowledged write is on disk. */
    aof_flush_before_sleep();
    handle_clients_with_pending_writes();
    free_clients_in_async_queue();
}

static void after_sleep(ae_loop *loop) {
    (void)loop;
    update_cached_time();
}

/* Signal handling. The handler only sets flags (and, on a second SIGINT,
 * exits at once with async-signal-safe calls); the cron logs what arrived
 * and shuts down. */
static volatile sig_atomic_t shutdown_signal;   /* the signal that asked for a shutdown */
static volatile sig_atomic_t signal_in_loading; /* it arrived while a dataset loaded */
static char insist_temp_file[32];               /* temp-<pid>.rdb of a foreground save */

static void on_shutdown_signal(int sig) {
    /* A second SIGINT (Ctrl+C again) means: exit now, without saving. */
    if (server.shutdown_asap && sig == SIGINT) {
        static const char msg[] = "You insist... exiting now.\n";
        ssize_t w = write(STDERR_FILENO, msg, sizeof(msg) - 1);
        (void)w;
        if (insist_temp_file[0]) unlink(insist_temp_file);
        _exit(1);
    }
    shutdown_signal = sig;
    signal_in_loading = server.loading;
    server.shutdown_asap = 1;
    /* Interrupting a load must not replace the file with a partial dataset. */
    server.shutdown_flags = server.loading ? SHUTDOWN_NOSAVE : SHUTDOWN_NOFLAGS;
}

static void log_shutdown_signal(void) {
    int sig = shutdown_signal;
    shutdown_signal = 0;
    if (signal_in_loading)
        server_log(LL_WARNING, "Received shutdown signal during loading, scheduling shutdown.");
    else if (sig == SIGINT)
        server_log(LL_WARNING, "Received SIGINT scheduling shutdown...");
    else if (sig == SIGTERM)
        server_log(LL_WARNING, "Received SIGTERM scheduling shutdown...");
    signal_in_loading = 0;
}

static void setup_signals(void) {
    /* The working directory is `dir`, where a foreground save writes. */
    snprintf(insist_temp_file, sizeof(insist_temp_file), "temp-%d.rdb", (int)getpid());
    struct sigaction act;
    memset(&act, 0, sizeof(act));
    act.sa_handler = on_shutdown_signal;
    sigemptyset(&act.sa_mask);
    act.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &act, NULL);
    sigaction(SIGINT, &act, NULL);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGHUP, SIG_IGN);
}

/* Loads the core transports when no loadtransport line named them: tcp is
 * required for port/bind, unix only when a unix socket is configured, so a
 * missing unix plugin is only reported when it is needed. */
void transports_autoload(void) {
    static const char *const core[] = {"tcp", "unix"};
    for (size_t i = 0; i < sizeof(core) / sizeof(core[0]); i++) {
        if (transport_find(core[i])) continue;
        char err[1024];
        /* Without tcp, port/bind cannot work: say why loudly. A missing
         * unix plugin matters only when a unix socket is configured. */
        if (!transport_load(core[i], 0, NULL, err, sizeof(err)))
            server_log(i == 0 ? LL_WARNING : LL_VERBOSE, "Core transport '%s' not loaded: %s",
                       core[i], err);
    }
}

void server_init_state(void) {
    memset(&server, 0, sizeof(server));
    server.pid = getpid();
    update_cached_time();
    server.start_time_ms = server.mstime;
    server.stat_reset_time = server.mstime;
    server.stat_ops_last_ms = server.mstime;
    server.next_client_id = 1;
    monotonic_init();
    get_random_hex_chars(server.runid, 40);
    server.runid[40] = '\0';
    unsigned char seed[16];
    get_random_bytes(seed, sizeof(seed));
    dict_set_hash_seed(seed);
    server.el = ae_create(1024);
    if (!server.el) {
        fprintf(stderr, "keyport: cannot create the event loop\n");
        exit(1);
    }
}

void server_init(void) {
    int setsize = (int)server.maxclients + 128;
    if (ae_resize(server.el, setsize) != AE_OK) {
        fprintf(stderr, "keyport: cannot size the event loop for maxclients %u\n",
                server.maxclients);
        exit(1);
    }
    setup_signals();
    obj_create_shared();
    db_init();
    commands_init();
    acl_init(); /* users, renames, aclfile: after the command table (acl.h) */
    listener_set_accept_proc(accept_new_client);
    ae_set_before_sleep(server.el, before_sleep);
    ae_set_after_sleep(server.el, after_sleep);
    if (ae_add_timer(server.el, 1, server_cron, NULL, NULL) == AE_ERR) {
        fprintf(stderr, "keyport: cannot create the server cron timer\n");
        exit(1);
    }
    server.stat_startup_memory = zmalloc_used_memory();
}

int prepare_for_shutdown(int flags) {
    server_log(LL_WARNING, "User requested shutdown...");
    /* Children, the AOF and the final save (persist.h). */
    if (persist_on_shutdown(flags) != C_OK) {
        server_log(LL_WARNING,
                   "Errors trying to shut down the server. Check the logs for more information.");
        return C_ERR;
    }
    /* One pass: the client running SHUTDOWN is only detached by client_free
     * and freed after the command returns. */
    for (client *c = server.clients_head, *next; c; c = next) {
        next = c->next;
        client_free(c);
    }
    while (listener_count() > 0) {
        listener *l = listener_at(0);
        listener_unregister(l);
        listener_stop(l);
        listener_free(l);
    }
    if (server.pidfile && server.pidfile[0]) {
        server_log(LL_NOTICE, "Removing the pid file.");
        unlink(server.pidfile);
    }
    server_log(LL_WARNING, "keyport is now ready to exit, bye bye...");
    return C_OK;
}
