/* keyport-cli: main(), defaults, password sources, and the one-shot mode. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli.h"
#include "zmalloc.h"

cli_config config;
volatile sig_atomic_t cli_interrupted;

static void set_defaults(void) {
    config.host = zstrdup(CLI_DEFAULT_HOST);
    config.port = CLI_DEFAULT_PORT;
    config.timeout_ms = CLI_DEFAULT_TIMEOUT_MS;
    config.repeat = 1;
    config.pipe_timeout = 30;
    config.output = isatty(STDOUT_FILENO) ? CLI_OUT_STANDARD : CLI_OUT_RAW;
    /* RESP3 push messages are shown on a terminal (--show-pushes changes it). */
    session.push_to_stdout = isatty(STDOUT_FILENO);
}

/* Reads a line from the terminal with echo off (stdin when there is no
 * terminal). Returns a zmalloc'd string without the newline, or NULL. */
static char *read_password(const char *prompt) {
    FILE *in = fopen("/dev/tty", "r+");
    FILE *out = in ? in : stderr;
    if (!in) in = stdin;
    struct termios saved, quiet;
    int tty = isatty(fileno(in)) && tcgetattr(fileno(in), &saved) == 0;
    if (tty) {
        quiet = saved;
        quiet.c_lflag &= ~(tcflag_t)ECHO;
        tcsetattr(fileno(in), TCSAFLUSH, &quiet);
    }
    fputs(prompt, out);
    fflush(out);
    char buf[1024];
    char *line = fgets(buf, sizeof(buf), in);
    if (tty) {
        tcsetattr(fileno(in), TCSAFLUSH, &saved);
        fputc('\n', out);
    }
    if (in != stdin) fclose(in);
    if (!line) return NULL;
    buf[strcspn(buf, "\r\n")] = '\0';
    return zstrdup(buf);
}

static void setup_password(int pass_on_command_line) {
    if (config.askpass) {
        char *p = read_password("Please input password: ");
        if (!p) {
            fprintf(stderr, "keyport-cli: --askpass: no password read\n");
            exit(1);
        }
        zfree(config.pass);
        config.pass = p;
        return;
    }
    if (config.pass) {
        if (pass_on_command_line && !config.no_auth_warning)
            fprintf(stderr, "Warning: a password on the command line may be seen by other "
                            "users (ps); prefer KEYPORTCLI_AUTH or --askpass.\n");
        return;
    }
    const char *env = getenv("KEYPORTCLI_AUTH");
    if (!env || !*env) env = getenv("REDISCLI_AUTH");
    if (env && *env) config.pass = zstrdup(env);
}

/* Reads all of stdin (for -x). */
static kstr read_stdin(void) {
    kstr s = kstr_empty();
    char buf[16384];
    for (;;) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
        if (n > 0) {
            s = kstr_cat(s, buf, (size_t)n);
        } else if (n == 0) {
            break;
        } else if (errno != EINTR) {
            fprintf(stderr, "keyport-cli: -x: cannot read stdin: %s\n", strerror(errno));
            exit(1);
        }
    }
    return s;
}

static int one_shot(void) {
    if (cli_connect(0)) return 1;
    int argc = config.argc;
    char **argv = zmalloc(sizeof(char *) * (size_t)(argc + 1));
    size_t *lens = zmalloc(sizeof(size_t) * (size_t)(argc + 1));
    for (int i = 0; i < argc; i++) {
        argv[i] = config.argv[i];
        lens[i] = strlen(argv[i]);
    }
    kstr last = NULL;
    if (config.stdin_lastarg) {
        last = read_stdin();
        argv[argc] = last;
        lens[argc] = kstr_len(last);
        argc++;
    }
    int rc = cli_send_command(argc, argv, lens, config.repeat);
    int status = 0;
    if (rc == -1) {
        const char *why = session.conn ? kpc_conn_error(session.conn) : "not connected";
        kstr msg = cli_explain_error(kstr_empty(), why);
        fprintf(stderr, "Error: %s\n", msg);
        kstr_free(msg);
        status = 1;
    }
    kstr_free(last);
    zfree(argv);
    zfree(lens);
    return status;
}

static int run_mode(void) {
    switch (config.mode) {
    case CLI_MODE_COMMAND:
        if (config.argc == 0) {
            cli_repl();
            return 0;
        }
        return one_shot();
    case CLI_MODE_PIPE: return cli_pipe_mode();
    case CLI_MODE_SCAN: return cli_scan_mode();
    case CLI_MODE_BIGKEYS: return cli_bigkeys_mode(0);
    case CLI_MODE_MEMKEYS: return cli_bigkeys_mode(1);
    case CLI_MODE_LATENCY:
    case CLI_MODE_LATENCY_HISTORY: return cli_latency_mode();
    case CLI_MODE_LATENCY_DIST: return cli_latency_dist_mode();
    case CLI_MODE_STAT: return cli_stat_mode();
    case CLI_MODE_RDB: return cli_rdb_mode();
    case CLI_MODE_REPLICA: return cli_replica_mode();
    }
    return 1;
}

int main(int argc, char **argv) {
    set_defaults();
    int first = cli_parse_options(argc, argv);
    int pass_on_command_line = config.pass != NULL;
    config.argc = argc - first;
    config.argv = argv + first;
    if (config.mode != CLI_MODE_COMMAND && config.argc > 0) {
        fprintf(stderr, "keyport-cli: unexpected argument '%s' with a tool option\n",
                config.argv[0]);
        return 1;
    }
    if (config.tls.enabled && config.socket && !config.tls.sni)
        fprintf(stderr, "Warning: TLS over a unix socket verifies the certificate chain only; "
                        "use --sni to verify a name.\n");
    setup_password(pass_on_command_line);
    session.loop = kpc_loop_create(1024);
    if (!session.loop) {
        fprintf(stderr, "keyport-cli: cannot create the event loop\n");
        return 1;
    }
    int rc = run_mode();
    cli_disconnect();
    if (session.stack_ready) kpc_stack_release(&session.stack);
    ae_destroy(session.loop);
    return rc;
}
