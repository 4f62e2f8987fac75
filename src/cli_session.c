/*
 * The keyport-cli connection: connecting (TLS included) and the handshake
 * commands (AUTH, SELECT, HELLO 3), sending user commands and printing
 * their replies, pub/sub and MONITOR reading loops, reconnection.
 *
 * All waits run the event loop (kpclient); SIGINT interrupts them when
 * interactive mode installed its handler (cli_interrupted).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "zmalloc.h"

cli_session session = {.push_to_stdout = 1};

const char *cli_reply_error(const kpc_reply *r) {
    return r && r->type == KPC_ERROR ? r->str : NULL;
}

/* ---------- error explanations ---------- */

kstr cli_explain_error(kstr out, const char *reason) {
    out = kstr_cat_cstr(out, reason);
    const char *hint = kpc_tls_failure_hint(reason, &config.tls);
    return hint ? kstr_catfmt(out, " (%s)", hint) : out;
}

static void print_error(const char *what, const char *reason) {
    kstr msg = cli_explain_error(kstr_empty(), reason);
    if (what)
        fprintf(stderr, "%s: %s\n", what, msg);
    else
        fprintf(stderr, "%s\n", msg);
    kstr_free(msg);
}

/* "connect 127.0.0.1:1: Connection refused" -> "Connection refused": the
 * address is already in our own message. */
static const char *strip_connect_prefix(const char *reason) {
    if (strncmp(reason, "connect", 7) != 0) return reason;
    const char *last = strstr(reason, ": ");
    for (const char *q = last; q; q = strstr(q + 2, ": ")) last = q;
    return last ? last + 2 : reason;
}

/* ---------- push messages ---------- */

static void on_push(kpc_conn *c, kpc_reply *r, void *data) {
    (void)c;
    (void)data;
    if (session.push_to_stdout || kpc_subscriptions(c) > 0 || r->type != KPC_PUSH)
        cli_print_reply(r, config.output);
    kpc_reply_free(r);
}

/* ---------- connecting ---------- */

void cli_disconnect(void) {
    if (session.conn) kpc_close(session.conn);
    session.conn = NULL;
    session.dbnum = 0;
    session.resp3 = 0;
    session.in_multi = 0;
    cli_help_reset();
}

static int stack_setup(int quiet) {
    if (session.stack_ready) return 0;
    char err[1024];
    if (kpc_stack_init(&session.stack, config.socket != NULL, &config.tls, err, sizeof(err))) {
        if (!quiet) {
            kstr msg = kpc_option_names(err);
            fprintf(stderr, "keyport-cli: %s\n", msg);
            kstr_free(msg);
        }
        return -1;
    }
    session.stack_ready = 1;
    return 0;
}

kpc_reply *cli_call(int argc, const char *const *argv, const size_t *lens, char *err,
                    size_t errlen) {
    if (!session.conn) {
        snprintf(err, errlen, "not connected");
        return NULL;
    }
    return kpc_call_argv(session.conn, 0, argc, argv, lens, err, errlen);
}

kpc_reply *cli_callv(char *err, size_t errlen, const char *arg0, ...) {
    const char *argv[32];
    int argc = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && argc < 32; a = va_arg(ap, const char *)) argv[argc++] = a;
    va_end(ap);
    return cli_call(argc, argv, NULL, err, errlen);
}

/* Runs one handshake command; prints "<what> failed: <error>" on error. */
static int handshake_cmd(const char *what, int quiet, int argc, const char *const *argv) {
    char err[512];
    kpc_reply *r = cli_call(argc, argv, NULL, err, sizeof(err));
    if (!r) {
        if (!quiet) print_error("Error", err);
        return -1;
    }
    int rc = 0;
    if (r->type == KPC_ERROR) {
        if (!quiet) fprintf(stderr, "%s failed: %s\n", what, r->str);
        rc = -1;
    } else if (argc > 1 && !strcasecmp(argv[0], "HELLO")) {
        session.resp3 = r->type == KPC_MAP;
    }
    kpc_reply_free(r);
    return rc;
}

int cli_connect(int flags) {
    int quiet = (flags & CLI_CC_QUIET) != 0;
    if (session.conn && !(flags & CLI_CC_FORCE)) return 0;
    cli_disconnect();
    if (stack_setup(quiet)) return -1;
    const char *where = config.socket ? config.socket : config.host;
    char err[1024];
    kpc_conn *c = kpc_connect_sync(session.loop, &session.stack, where, config.port,
                                   config.timeout_ms, err, sizeof(err));
    if (!c) {
        if (!quiet) {
            kstr what = kstr_empty();
            if (config.socket)
                what = kstr_catfmt(what, "Could not connect to keyport at %s", config.socket);
            else
                what = kstr_catfmt(what,
                                   strchr(config.host, ':') ? "Could not connect to "
                                                              "keyport at [%s]:%d"
                                                            : "Could not connect to "
                                                              "keyport at %s:%d",
                                   config.host, config.port);
            print_error(what, strip_connect_prefix(err));
            kstr_free(what);
        }
        return -1;
    }
    session.conn = c;
    kpc_set_push_handler(c, on_push, NULL);
    if (config.pass) {
        const char *argv[3] = {"AUTH", config.user ? config.user : config.pass, config.pass};
        if (handshake_cmd("AUTH", quiet, config.user ? 3 : 2, argv)) goto fail;
    }
    if (config.dbnum != 0) {
        char db[24];
        snprintf(db, sizeof(db), "%d", config.dbnum);
        const char *argv[2] = {"SELECT", db};
        char what[48];
        snprintf(what, sizeof(what), "SELECT %d", config.dbnum);
        if (handshake_cmd(what, quiet, 2, argv)) goto fail;
        session.dbnum = config.dbnum;
    }
    if (config.resp3) {
        const char *argv[2] = {"HELLO", "3"};
        if (handshake_cmd("HELLO 3", quiet, 2, argv)) goto fail;
    }
    return 0;
fail:
    cli_disconnect();
    return -1;
}

/* ---------- waiting ---------- */

static int wake_timer(ae_loop *loop, long long id, void *data) {
    (void)loop;
    (void)id;
    *(int *)data = 1;
    return AE_NOMORE;
}

void cli_sleep_ms(long long ms) {
    if (ms <= 0) {
        ae_process(session.loop, AE_ALL_EVENTS | AE_DONT_WAIT);
        return;
    }
    int done = 0;
    long long id = ae_add_timer(session.loop, ms, wake_timer, &done, NULL);
    while (!done && !cli_interrupted) ae_process(session.loop, AE_ALL_EVENTS);
    if (!done) ae_del_timer(session.loop, id);
}

/* One command in flight. The reply is printed from the callback itself, so
 * that it comes out before push messages parsed from the same read (the
 * second confirmation of SUBSCRIBE a b, for instance). */
typedef struct reply_slot {
    int done;
    int abandoned;
    int verbatim;
    int argc;
    char **argv;
    kpc_type type; /* of the reply, when done */
    int lost;      /* the connection failed before the reply */
} reply_slot;

static void track_state(int argc, char **argv, const kpc_reply *r);

static void slot_done(kpc_conn *c, kpc_reply *r, void *data) {
    reply_slot *s = data;
    (void)c;
    if (s->abandoned) {
        kpc_reply_free(r);
        zfree(s);
        return;
    }
    s->done = 1;
    if (!r) {
        s->lost = 1;
        return;
    }
    s->type = r->type;
    if (r->type == KPC_ERROR && config.set_errcode && config.argc > 0) {
        fprintf(stderr, "%s\n", r->str);
        exit(1);
    }
    if (s->verbatim) {
        kstr out = cli_format_raw(kstr_empty(), r);
        fwrite(out, 1, kstr_len(out), stdout);
        fflush(stdout);
        kstr_free(out);
    } else {
        cli_print_reply(r, config.output);
    }
    track_state(s->argc, s->argv, r);
    kpc_reply_free(r);
}

/* Waits for the slot; 0 when answered, -1 when interrupted or the
 * connection failed (the slot is then left to the connection). */
static int wait_slot(reply_slot *s) {
    while (!s->done && !cli_interrupted && session.conn &&
           kpc_conn_state(session.conn) != KPC_FAILED)
        ae_process(session.loop, AE_ALL_EVENTS);
    if (s->done) return 0;
    s->abandoned = 1;
    return -1;
}

/* ---------- reading loops ---------- */

/* Prints what arrives (through on_push) until Ctrl-C or the connection
 * ends. subscribed: stop when no subscription is left. */
static int reading_loop(int subscribed) {
    while (!cli_interrupted) {
        if (kpc_conn_state(session.conn) == KPC_FAILED) return -1;
        if (subscribed && kpc_subscriptions(session.conn) <= 0) return 0;
        ae_process(session.loop, AE_ALL_EVENTS);
    }
    return 0;
}

/* ---------- sending commands ---------- */

/* argv is the command want (with subcommand sub, when not NULL). */
static int is_cmd(int argc, char **argv, const char *want, const char *sub) {
    if (strcasecmp(argv[0], want) != 0) return 0;
    if (!sub) return 1;
    return argc >= 2 && !strcasecmp(argv[1], sub);
}

/* Commands whose reply is text meant to be read as is (INFO...). */
static int prints_verbatim(int argc, char **argv) {
    static const char *const pairs[][2] = {
        {"info", NULL},           {"lolwut", NULL},           {"debug", "htstats"},
        {"debug", "htstats-key"}, {"memory", "malloc-stats"}, {"memory", "doctor"},
        {"cluster", "nodes"},     {"cluster", "info"},        {"client", "list"},
        {"client", "info"},       {"latency", "graph"},       {"latency", "doctor"}};
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++)
        if (is_cmd(argc, argv, pairs[i][0], pairs[i][1])) return 1;
    return 0;
}

static int is_subscribe(const char *c) {
    return !strcasecmp(c, "subscribe") || !strcasecmp(c, "psubscribe") ||
           !strcasecmp(c, "ssubscribe");
}

/* Keeps the prompt state in step with what the command did. */
static void track_state(int argc, char **argv, const kpc_reply *r) {
    int ok = r->type != KPC_ERROR;
    const char *c = argv[0];
    if (!strcasecmp(c, "select") && argc == 2 && ok) {
        session.dbnum = atoi(argv[1]);
        config.dbnum = session.dbnum;
    } else if (!strcasecmp(c, "multi") && argc == 1 && ok) {
        session.in_multi = 1;
        session.pre_multi_dbnum = session.dbnum;
    } else if ((!strcasecmp(c, "exec") || !strcasecmp(c, "discard")) && argc == 1 &&
               session.in_multi) {
        session.in_multi = 0;
        if (!strcasecmp(c, "discard") || r->type == KPC_ERROR || r->type == KPC_NIL)
            session.dbnum = config.dbnum = session.pre_multi_dbnum;
    } else if (!strcasecmp(c, "reset") && argc == 1 && ok) {
        session.in_multi = 0;
        session.dbnum = config.dbnum = 0;
        session.resp3 = 0;
    } else if (!strcasecmp(c, "hello") && ok) {
        session.resp3 = r->type == KPC_MAP;
    } else if (!strcasecmp(c, "auth") && ok && (argc == 2 || argc == 3)) {
        /* New credentials are what a reconnection should use. */
        zfree(config.pass);
        config.pass = zstrdup(argv[argc - 1]);
        if (argc == 3) {
            zfree(config.user);
            config.user = zstrdup(argv[1]);
        }
    }
}

int cli_send_command(int argc, char **argv, const size_t *lens, long long repeat) {
    if (!session.conn) return -1;
    int verbatim = prints_verbatim(argc, argv) && !session.in_multi;
    int monitor = !strcasecmp(argv[0], "monitor");
    int subscribe = is_subscribe(argv[0]);
    int sync_cmd = !strcasecmp(argv[0], "sync") || !strcasecmp(argv[0], "psync");
    int shutdown = !strcasecmp(argv[0], "shutdown");
    if (sync_cmd) {
        fprintf(stderr, "Use --rdb or --replica to run %s from keyport-cli.\n", argv[0]);
        return 0;
    }
    while (repeat < 0 || repeat-- > 0) {
        reply_slot *s = zcalloc(sizeof(*s));
        s->verbatim = verbatim;
        s->argc = argc;
        s->argv = argv;
        if (kpc_command_argv(session.conn, argc, (const char *const *)argv, lens, slot_done, s)) {
            zfree(s);
            return -1;
        }
        if (wait_slot(s) != 0) {
            if (shutdown && !cli_interrupted) {
                cli_disconnect();
                return 0;
            }
            return cli_interrupted ? -2 : -1;
        }
        int lost = s->lost, failed = s->type == KPC_ERROR;
        zfree(s);
        if (lost && shutdown) {
            /* The server went away as asked: not an error. */
            cli_disconnect();
            return 0;
        }
        if (lost) return -1;
        if (monitor && !failed) return reading_loop(0);
        if (subscribe && !failed && kpc_subscriptions(session.conn) > 0) {
            if (config.output == CLI_OUT_STANDARD) {
                printf("Reading messages... (press Ctrl-C to quit)\n");
                fflush(stdout);
            }
            return reading_loop(1);
        }
        if (repeat != 0 && config.interval_us > 0) {
            cli_sleep_ms(config.interval_us / 1000);
            if (cli_interrupted) return -2;
        }
    }
    return 0;
}
