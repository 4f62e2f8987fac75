/*
 * keyport-cli: shared state and the interfaces between its files.
 *
 *   cli.c          main(): options, then one mode
 *   cli_opts.c     option and URI parsing, --help text
 *   cli_output.c   reply formatting: TTY, raw, CSV, JSON
 *   cli_session.c  the connection: connect, AUTH/SELECT/HELLO, reconnect,
 *                  sending commands and printing their replies
 *   cli_repl.c     interactive mode (libedit)
 *   cli_help.c     HELP, hints and completion from COMMAND DOCS
 *   cli_pipe.c     --pipe
 *   cli_keys.c     --scan, --bigkeys, --memkeys
 *   cli_latency.c  --latency, --latency-history, --latency-dist
 *   cli_stat.c     --stat
 *   cli_sync.c     --rdb, --replica
 *
 * Single-threaded: everything runs on the main thread and its event loop.
 * Exit codes follow redis-cli: 0 success, 1 any failure (connection,
 * protocol, bad option, error reply with -e, errors during --pipe).
 */
#ifndef KEYPORT_CLI_H
#define KEYPORT_CLI_H

#include <signal.h>
#include <stdio.h>

#include "kpclient.h"
#include "kstr.h"

#define CLI_DEFAULT_HOST "127.0.0.1"
#define CLI_DEFAULT_PORT 6379
#define CLI_DEFAULT_TIMEOUT_MS 10000
#define CLI_HISTFILE_ENV "KEYPORTCLI_HISTFILE"
#define CLI_HISTFILE_DEFAULT ".keyportcli_history"

typedef enum cli_output {
    CLI_OUT_STANDARD = 0, /* human readable, types shown (TTY default) */
    CLI_OUT_RAW,          /* bare values (default when stdout is not a TTY) */
    CLI_OUT_CSV,
    CLI_OUT_JSON,
    CLI_OUT_QUOTED_JSON /* JSON with binary-safe escapes */
} cli_output;

typedef enum cli_mode {
    CLI_MODE_COMMAND = 0, /* one-shot with arguments, else interactive */
    CLI_MODE_PIPE,
    CLI_MODE_SCAN,
    CLI_MODE_BIGKEYS,
    CLI_MODE_MEMKEYS,
    CLI_MODE_LATENCY,
    CLI_MODE_LATENCY_HISTORY,
    CLI_MODE_LATENCY_DIST,
    CLI_MODE_STAT,
    CLI_MODE_RDB,
    CLI_MODE_REPLICA
} cli_mode;

typedef struct cli_config {
    /* connection */
    char *host;
    int port;
    char *socket;
    char *user;
    char *pass;
    int askpass;
    int no_auth_warning;
    int dbnum;
    int resp3;
    long long timeout_ms; /* connect + TLS handshake */
    kpc_tls_options tls;
    /* commands */
    long long repeat;      /* -r (negative: forever) */
    long long interval_us; /* -i */
    int interval_set;
    int stdin_lastarg; /* -x */
    int set_errcode;   /* -e */
    cli_output output;
    char *mb_delim;  /* -d: between elements in raw mode */
    char *cmd_delim; /* -D: after each reply in raw mode */
    /* tools */
    cli_mode mode;
    char *pattern;
    long long scan_count; /* 0: server default */
    char *rdb_filename;
    int pipe_timeout; /* seconds, 0: forever */
    int argc;         /* command words after the options */
    char **argv;
} cli_config;

extern cli_config config;
/* Set by SIGINT while a long-running mode (subscribe, monitor, tools)
 * waits; each mode checks it and ends. */
extern volatile sig_atomic_t cli_interrupted;

/* ---- cli_opts.c ---- */

/* Parses argv; returns the index of the first command word. Exits with 1
 * (message on stderr) on a bad option, 0 after --help / --version. */
int cli_parse_options(int argc, char **argv);
void cli_usage(FILE *out);
/* redis://, rediss:// and unix:// URIs into config. Returns 0 or -1 with
 * the reason in err. */
int cli_parse_uri(const char *uri, char *err, size_t errlen);
const char *cli_version(void);

/* ---- cli_output.c ---- */

/* Appends the formatted reply to out (a kstr) and returns it. */
kstr cli_format_reply(kstr out, const kpc_reply *r, cli_output mode);
/* Bare values (raw mode) without the reply delimiter. */
kstr cli_format_raw(kstr out, const kpc_reply *r);
/* The reply as TTY text with prefix before nested lines. */
kstr cli_format_tty(kstr out, const kpc_reply *r, const char *prefix);
/* Appends s as a JSON string. */
kstr cli_json_string(kstr out, const char *s, size_t len);
/* Writes the formatted reply (plus the raw-mode delimiter) to stdout. */
void cli_print_reply(const kpc_reply *r, cli_output mode);

/* ---- cli_session.c ---- */

typedef struct cli_session {
    ae_loop *loop;
    kpc_stack stack;
    int stack_ready;
    kpc_conn *conn; /* NULL when not connected */
    int dbnum;      /* database selected on conn */
    int resp3;      /* conn speaks RESP3 */
    int in_multi;
    int pre_multi_dbnum;
    int push_to_stdout; /* print push messages as they come */
} cli_session;

extern cli_session session;

/* Flags of cli_connect. */
#define CLI_CC_FORCE 1 /* reconnect even when connected */
#define CLI_CC_QUIET 2 /* no message on failure */

/* Connects (TCP/unix, TLS), then AUTH, SELECT and HELLO 3 as configured.
 * Returns 0, or -1 after printing why (unless quiet). */
int cli_connect(int flags);
void cli_disconnect(void);
/* One command, waiting for its reply on the session connection. NULL with
 * the reason in err when the connection failed. */
kpc_reply *cli_call(int argc, const char *const *argv, const size_t *lens, char *err,
                    size_t errlen);
kpc_reply *cli_callv(char *err, size_t errlen, const char *arg0, ...) __attribute__((sentinel));
/* Sends argv repeat times (config.interval_us apart) and prints each
 * reply; subscribe and MONITOR enter their reading loops. Returns 0, or
 * -1 when the connection was lost (reason printed unless in interactive
 * mode, where the caller reconnects). Exits on an error reply with -e. */
int cli_send_command(int argc, char **argv, const size_t *lens, long long repeat);
/* "Could not connect to keyport at ...: <reason>" with a hint for TLS
 * failures (plaintext port, unknown CA, missing client certificate). */
kstr cli_explain_error(kstr out, const char *reason);
/* Waits up to ms milliseconds while serving the loop; returns early on
 * SIGINT (cli_interrupted). */
void cli_sleep_ms(long long ms);
/* Error reply text or NULL. */
const char *cli_reply_error(const kpc_reply *r);

/* ---- cli_repl.c ---- */

void cli_repl(void);

/* ---- cli_help.c ---- */

/* Loads command docs from the server (COMMAND DOCS) once per connection. */
void cli_help_load(void);
void cli_help_reset(void);
/* HELP, HELP <command>, HELP @<group>: prints to stdout. */
void cli_help_print(int argc, char **argv);
/* Hint for the words typed so far (argument syntax still to type), or
 * NULL. The returned text is valid until the next call. */
const char *cli_help_hint(const char *line);
/* Completions of the word being typed: calls add for each candidate. */
void cli_help_complete(const char *line, void (*add)(void *ud, const char *cand), void *ud);

/* ---- tools ---- */

int cli_pipe_mode(void);
int cli_scan_mode(void);
int cli_bigkeys_mode(int memkeys);
int cli_latency_mode(void);
int cli_latency_dist_mode(void);
int cli_stat_mode(void);
int cli_rdb_mode(void);
int cli_replica_mode(void);

#endif
