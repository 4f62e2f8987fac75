/*
 * Interactive mode. Line editing, history and completion come from libedit
 * (BSD licensed, packaged everywhere, and not GPL like readline); argument
 * hints are drawn as libedit's right-hand prompt, refreshed on every key.
 * When stdin is not a terminal, commands are read line by line without
 * editing (echo "PING" | keyport-cli).
 *
 * Ctrl-C at the prompt ends the program (libedit restores the terminal);
 * while a command runs (a blocking command, SUBSCRIBE, MONITOR) it stops
 * the wait and the connection is renewed.
 */
#include <ctype.h>
#include <errno.h>
#include <histedit.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "zmalloc.h"

static char prompt[256];
static EditLine *el;
static History *hist;
static char *hist_path;

/* ---------- prompt ---------- */

static void refresh_prompt(void) {
    if (!session.conn) {
        snprintf(prompt, sizeof(prompt), "not connected> ");
        return;
    }
    int n;
    if (config.socket)
        n = snprintf(prompt, sizeof(prompt), "keyport %s", config.socket);
    else if (strchr(config.host, ':'))
        n = snprintf(prompt, sizeof(prompt), "[%s]:%d", config.host, config.port);
    else
        n = snprintf(prompt, sizeof(prompt), "%s:%d", config.host, config.port);
    if (session.dbnum != 0 && n > 0 && (size_t)n < sizeof(prompt))
        n += snprintf(prompt + n, sizeof(prompt) - (size_t)n, "[%d]", session.dbnum);
    if (session.in_multi && n > 0 && (size_t)n < sizeof(prompt))
        n += snprintf(prompt + n, sizeof(prompt) - (size_t)n, "(TX)");
    if (n > 0 && (size_t)n < sizeof(prompt)) snprintf(prompt + n, sizeof(prompt) - (size_t)n, "> ");
}

static char *prompt_fn(EditLine *e) {
    (void)e;
    return prompt;
}

/* The hint for what is typed, dimmed (\1 brackets the invisible escapes). */
static char *rprompt_fn(EditLine *e) {
    static char buf[1200];
    const LineInfo *li = el_line(e);
    char line[1024];
    size_t n = (size_t)(li->lastchar - li->buffer);
    if (n >= sizeof(line)) n = sizeof(line) - 1;
    memcpy(line, li->buffer, n);
    line[n] = '\0';
    const char *h = n ? cli_help_hint(line) : NULL;
    if (!h) return (char *)"";
    /* The trailing visible space makes libedit emit the closing escape. */
    snprintf(buf, sizeof(buf), "\1\033[90m\1%s\1\033[0m\1 ", h);
    return buf;
}

/* ---------- completion ---------- */

typedef struct completion {
    char **cands;
    int n;
} completion;

static void add_cand(void *ud, const char *cand) {
    completion *c = ud;
    if (c->n >= 512) return;
    c->cands = zrealloc(c->cands, sizeof(char *) * (size_t)(c->n + 1));
    c->cands[c->n++] = zstrdup(cand);
}

static unsigned char complete_fn(EditLine *e, int ch) {
    (void)ch;
    const LineInfo *li = el_line(e);
    char line[1024];
    size_t n = (size_t)(li->cursor - li->buffer);
    if (n >= sizeof(line)) return CC_ERROR;
    memcpy(line, li->buffer, n);
    line[n] = '\0';
    completion c = {NULL, 0};
    cli_help_complete(line, add_cand, &c);
    /* Length of the word being completed. */
    size_t wl = 0;
    while (wl < n && line[n - wl - 1] != ' ') wl++;
    unsigned char rc = CC_REFRESH;
    if (c.n == 0) {
        rc = CC_ERROR;
    } else {
        /* Longest common prefix of the candidates. */
        size_t common = strlen(c.cands[0]);
        for (int i = 1; i < c.n; i++) {
            size_t j = 0;
            while (j < common &&
                   tolower((unsigned char)c.cands[i][j]) == tolower((unsigned char)c.cands[0][j]))
                j++;
            common = j;
        }
        if (c.n == 1) {
            el_deletestr(e, (int)wl);
            el_insertstr(e, c.cands[0]);
            el_insertstr(e, " ");
        } else if (common > wl) {
            char part[256];
            snprintf(part, sizeof(part), "%.*s", (int)common, c.cands[0]);
            el_deletestr(e, (int)wl);
            el_insertstr(e, part);
        } else {
            printf("\n");
            for (int i = 0; i < c.n; i++) printf("%s%s", c.cands[i], i + 1 < c.n ? "  " : "\n");
            fflush(stdout);
            rc = CC_REDISPLAY;
        }
    }
    for (int i = 0; i < c.n; i++) zfree(c.cands[i]);
    zfree(c.cands);
    return rc;
}

/* libedit inserts plain characters without redrawing the right prompt;
 * a space (where a new hint becomes due) redraws the line. */
static unsigned char space_fn(EditLine *e, int ch) {
    (void)ch;
    el_insertstr(e, " ");
    return CC_REDISPLAY;
}

/* ---------- history ---------- */

/* Commands whose arguments hold secrets never reach the history file. */
static int sensitive(int argc, char **argv) {
    const char *c = argv[0];
    if (!strcasecmp(c, "auth")) return 1;
    if (!strcasecmp(c, "acl") && argc > 1 && !strcasecmp(argv[1], "setuser")) return 1;
    if (!strcasecmp(c, "config") && argc > 2 && !strcasecmp(argv[1], "set") &&
        (strcasestr(argv[2], "pass") || strcasestr(argv[2], "auth")))
        return 1;
    if (!strcasecmp(c, "hello") || !strcasecmp(c, "migrate"))
        for (int i = 1; i < argc; i++)
            if (!strcasecmp(argv[i], "auth") || !strcasecmp(argv[i], "auth2")) return 1;
    return 0;
}

static void history_open(void) {
    hist = history_init();
    HistEvent ev;
    history(hist, &ev, H_SETSIZE, 1000);
    history(hist, &ev, H_SETUNIQUE, 1);
    const char *env = getenv(CLI_HISTFILE_ENV);
    if (env && *env) {
        if (strcmp(env, "/dev/null") != 0) hist_path = zstrdup(env);
    } else {
        const char *home = getenv("HOME");
        if (home && *home) {
            size_t n = strlen(home) + strlen(CLI_HISTFILE_DEFAULT) + 2;
            hist_path = zmalloc(n);
            snprintf(hist_path, n, "%s/%s", home, CLI_HISTFILE_DEFAULT);
        }
    }
    if (hist_path) history(hist, &ev, H_LOAD, hist_path);
}

static void history_add(const char *line) {
    HistEvent ev;
    history(hist, &ev, H_ENTER, line);
    if (hist_path) history(hist, &ev, H_SAVE, hist_path);
}

/* ---------- signals ---------- */

static void on_sigint(int sig) {
    (void)sig;
    cli_interrupted = 1;
}

static void catch_sigint(int on) {
    struct sigaction sa;
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on ? on_sigint : SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
}

/* ---------- commands ---------- */

static void run_command(int argc, char **argv, long long repeat) {
    if (!session.conn && cli_connect(CLI_CC_FORCE) != 0) return;
    cli_interrupted = 0;
    catch_sigint(1);
    int rc = cli_send_command(argc, argv, NULL, repeat);
    if (rc == -1) {
        /* Lost: reconnect and try once more, as redis-cli does. */
        if (cli_connect(CLI_CC_FORCE) == 0) {
            rc = cli_send_command(argc, argv, NULL, repeat);
            if (rc == -1) {
                kstr msg = cli_explain_error(kstr_empty(), kpc_conn_error(session.conn));
                printf("Error: %s\n", msg);
                kstr_free(msg);
                cli_disconnect();
            }
        }
    }
    if (rc == -2 || cli_interrupted) {
        /* Ctrl-C: leave the blocking call or pub/sub through a new link. */
        printf("\n");
        cli_connect(CLI_CC_FORCE | CLI_CC_QUIET);
    } else if (rc == 0 && session.conn && kpc_conn_state(session.conn) == KPC_FAILED) {
        cli_disconnect();
    }
    catch_sigint(0);
    cli_interrupted = 0;
}

/* Runs one input line. Returns 1 when the user asked to quit. */
static int handle_line(const char *line, int interactive) {
    int argc;
    kstr *argv = kstr_split_args(line, &argc);
    if (!argv) {
        printf("Invalid argument(s)\n");
        return 0;
    }
    if (argc == 0) {
        kstr_free_argv(argv, argc);
        return 0;
    }
    if (interactive && !sensitive(argc, argv)) history_add(line);
    int quit = 0;
    long long repeat = 1;
    int skip = 0;
    /* "3 PING" repeats. */
    char *end;
    long long n = strtoll(argv[0], &end, 10);
    if (argc > 1 && *argv[0] && !*end && n > 0) {
        repeat = n;
        skip = 1;
    }
    char **av = argv + skip;
    int ac = argc - skip;
    if (!strcasecmp(av[0], "quit") || !strcasecmp(av[0], "exit")) {
        quit = 1;
    } else if (!strcasecmp(av[0], "clear")) {
        printf("\033[H\033[2J");
        fflush(stdout);
    } else if (!strcasecmp(av[0], "help") || !strcmp(av[0], "?")) {
        if (!session.conn) cli_connect(CLI_CC_FORCE | CLI_CC_QUIET);
        cli_help_print(ac, av);
    } else if (!strcasecmp(av[0], "connect") && (ac == 3 || ac == 2)) {
        zfree(config.socket);
        config.socket = NULL;
        zfree(config.host);
        config.host = zstrdup(av[1]);
        if (ac == 3) {
            long p = strtol(av[2], &end, 10);
            if (*end || p < 1 || p > 65535) {
                printf("Invalid port '%s'\n", av[2]);
                kstr_free_argv(argv, argc);
                return 0;
            }
            config.port = (int)p;
        }
        if (session.stack_ready && session.stack.unix_socket) {
            kpc_stack_release(&session.stack);
            session.stack_ready = 0;
        }
        cli_connect(CLI_CC_FORCE);
    } else {
        run_command(ac, av, repeat);
    }
    kstr_free_argv(argv, argc);
    fflush(stdout);
    return quit;
}

static void repl_plain(void) {
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    while ((n = getline(&line, &cap, stdin)) >= 0) {
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (handle_line(line, 0)) break;
    }
    free(line);
}

void cli_repl(void) {
    /* Connect now so that the prompt says where we are (a failure is
     * reported, and the next command tries again). */
    cli_connect(0);
    if (!isatty(STDIN_FILENO)) {
        repl_plain();
        return;
    }
    cli_help_load();
    history_open();
    el = el_init("keyport-cli", stdin, stdout, stderr);
    el_set(el, EL_EDITOR, "emacs");
    el_set(el, EL_SIGNAL, 1);
    el_set(el, EL_PROMPT, prompt_fn);
    el_set(el, EL_RPROMPT_ESC, rprompt_fn, '\1');
    el_set(el, EL_HIST, history, hist);
    el_set(el, EL_ADDFN, "kp-complete", "complete a command or subcommand", complete_fn);
    el_set(el, EL_BIND, "^I", "kp-complete", NULL);
    el_set(el, EL_ADDFN, "kp-space", "insert a space and show the hint", space_fn);
    el_set(el, EL_BIND, " ", "kp-space", NULL);
    el_source(el, NULL); /* ~/.editrc */
    for (;;) {
        refresh_prompt();
        if (session.conn) cli_help_load();
        int count;
        const char *line = el_gets(el, &count);
        if (!line) break;
        char *copy = zstrdup(line);
        size_t len = strlen(copy);
        while (len > 0 && (copy[len - 1] == '\n' || copy[len - 1] == '\r')) copy[--len] = '\0';
        int quit = handle_line(copy, 1);
        zfree(copy);
        if (quit) break;
    }
    el_end(el);
    history_end(hist);
    zfree(hist_path);
}
