/*
 * Loading the configuration: config files (with include), standard input
 * and the command line, in this order:
 *   1. every line is collected, includes expanded in place;
 *   2. every loadtransport line runs (file lines, then the command line),
 *      then transports_autoload() loads tcp and unix if no line did;
 *   3. every other line runs in order; listen lines create (not start)
 *      listeners and register them; main starts them after the implicit
 *      listeners of port/bind/unixsocket/tls-port;
 *   4. apply hooks flagged CFG_F_LOAD_APPLY run, and table directives that
 *      a transport declares as keys (tcp-keepalive) become transport
 *      defaults.
 * Errors: "<file>:<line>: <directive>: <reason>", or "--<directive>:
 * <reason>" for the command line.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <glob.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "config.h"
#include "config_internal.h"
#include "listen.h"
#include "server.h"

#define CONFIG_MAX_INCLUDE_DEPTH 16
#define CONFIG_MAX_FILE_BYTES (64L * 1024 * 1024)

/* One directive line: source is the file name, NULL for the command line. */
typedef struct cfg_line {
    char *source;
    int lineno;
    int argc;
    kstr *argv;
} cfg_line;

typedef struct cfg_lines {
    cfg_line *v;
    int n, cap;
} cfg_lines;

static int sandbox;

void config_set_sandbox(int on) {
    sandbox = on;
}

int config_sandboxed(void) {
    return sandbox;
}

/* Listeners created by listen lines, until main starts them. */
static listener **created;
static int ncreated;

static void lines_add(cfg_lines *L, const char *source, int lineno, int argc, kstr *argv) {
    if (L->n == L->cap) {
        L->cap = L->cap ? L->cap * 2 : 32;
        L->v = zrealloc(L->v, sizeof(cfg_line) * (size_t)L->cap);
    }
    cfg_line *ln = &L->v[L->n++];
    ln->source = source ? zstrdup(source) : NULL;
    ln->lineno = lineno;
    ln->argc = argc;
    ln->argv = argv;
}

static void lines_free(cfg_lines *L) {
    for (int i = 0; i < L->n; i++) {
        zfree(L->v[i].source);
        kstr_free_argv(L->v[i].argv, L->v[i].argc);
    }
    zfree(L->v);
    memset(L, 0, sizeof(*L));
}

/* "<file>:<line>: <directive>: <reason>" or "--<directive>: <reason>". */
static int line_error(const cfg_line *ln, char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int line_error(const cfg_line *ln, char *err, size_t errlen, const char *fmt, ...) {
    char reason[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    const char *name = ln->argc ? ln->argv[0] : "";
    if (ln->source)
        snprintf(err, errlen, "%s:%d: %s: %s", ln->source, ln->lineno, name, reason);
    else
        snprintf(err, errlen, "--%s: %s", name, reason);
    return -1;
}

/* ---------- collecting lines ---------- */

/* Reads a whole file (or standard input for "-"). Returns NULL with errno
 * set, or EFBIG for files over the size cap. */
static kstr read_file(const char *path) {
    FILE *fp = strcmp(path, "-") ? fopen(path, "r") : stdin;
    if (!fp) return NULL;
    kstr s = kstr_empty();
    char buf[16384];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) {
        if (kstr_len(s) + n > (size_t)CONFIG_MAX_FILE_BYTES) {
            if (fp != stdin) fclose(fp);
            kstr_free(s);
            errno = EFBIG;
            return NULL;
        }
        s = kstr_cat(s, buf, n);
    }
    int failed = ferror(fp);
    if (fp != stdin) fclose(fp);
    if (failed) {
        kstr_free(s);
        errno = EIO;
        return NULL;
    }
    return s;
}

static int collect_text(cfg_lines *L, const char *text, size_t len, const char *source, int depth,
                        char *err, size_t errlen);

static int include_file(cfg_lines *L, const cfg_line *at, const char *path, int depth, char *err,
                        size_t errlen) {
    kstr text = read_file(path);
    if (!text) return line_error(at, err, errlen, "can't open '%s': %s", path, strerror(errno));
    int rc = collect_text(L, text, kstr_len(text), path, depth + 1, err, errlen);
    kstr_free(text);
    return rc;
}

static int do_include(cfg_lines *L, const cfg_line *at, int depth, char *err, size_t errlen) {
    if (at->argc != 2)
        return line_error(at, err, errlen, "wrong number of arguments (expects one path)");
    if (sandbox) return line_error(at, err, errlen, "include is disabled in sandbox mode");
    if (depth + 1 >= CONFIG_MAX_INCLUDE_DEPTH)
        return line_error(at, err, errlen, "include nesting too deep (more than %d levels)",
                          CONFIG_MAX_INCLUDE_DEPTH);
    const char *path = at->argv[1];
    if (!strpbrk(path, "*?[")) return include_file(L, at, path, depth, err, errlen);
    glob_t g;
    memset(&g, 0, sizeof(g));
    int grc = glob(path, 0, NULL, &g);
    if (grc == GLOB_NOMATCH) return 0;
    if (grc != 0) {
        globfree(&g);
        return line_error(at, err, errlen, "can't expand '%s'", path);
    }
    int rc = 0;
    for (size_t i = 0; i < g.gl_pathc && rc == 0; i++)
        rc = include_file(L, at, g.gl_pathv[i], depth, err, errlen);
    globfree(&g);
    return rc;
}

static int collect_text(cfg_lines *L, const char *text, size_t len, const char *source, int depth,
                        char *err, size_t errlen) {
    size_t pos = 0;
    int lineno = 0;
    while (pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - start) : len - pos;
        pos += llen + (nl ? 1 : 0);
        lineno++;
        kstr line = kstr_new(start, llen);
        /* Trim blanks (and a CR of CRLF files). */
        size_t b = 0, e = kstr_len(line);
        while (b < e && strchr(" \t\r\n", line[b])) b++;
        while (e > b && strchr(" \t\r\n", line[e - 1])) e--;
        if (b == e || line[b] == '#') {
            kstr_free(line);
            continue;
        }
        kstr_range(line, (long)b, (long)e - 1);
        cfg_line ln = {(char *)source, lineno, 0, NULL};
        if (memchr(line, '\0', kstr_len(line))) {
            kstr_free(line);
            return line_error(&ln, err, errlen, "NUL byte in configuration line");
        }
        int argc;
        kstr *argv = kstr_split_args(line, &argc);
        kstr_free(line);
        if (!argv) {
            snprintf(err, errlen, "%s:%d: unbalanced quotes in configuration line", source, lineno);
            return -1;
        }
        if (argc == 0) {
            kstr_free_argv(argv, argc);
            continue;
        }
        kstr_tolower(argv[0]);
        if (!strcmp(argv[0], "include")) {
            ln.argc = argc;
            ln.argv = argv;
            int rc = do_include(L, &ln, depth, err, errlen);
            kstr_free_argv(argv, argc);
            if (rc != 0) return -1;
            continue;
        }
        lines_add(L, source, lineno, argc, argv);
    }
    return 0;
}

/* Groups "--name v1 v2 --other v" words into command-line lines. */
static int collect_options(cfg_lines *L, int argc, char **argv, char *err, size_t errlen) {
    int i = 0;
    while (i < argc) {
        const char *a = argv[i];
        if (strncmp(a, "--", 2) != 0 || a[2] == '\0') {
            snprintf(err, errlen, "unexpected argument '%s': options are written --directive value",
                     a);
            return -1;
        }
        int j = i + 1;
        while (j < argc && strncmp(argv[j], "--", 2) != 0) j++;
        int n = j - i;
        kstr *words = zmalloc(sizeof(kstr) * (size_t)n);
        words[0] = kstr_from(a + 2);
        kstr_tolower(words[0]);
        for (int k = 1; k < n; k++) words[k] = kstr_from(argv[i + k]);
        if (!strcmp(words[0], "include")) {
            cfg_line ln = {NULL, 0, n, words};
            int rc = do_include(L, &ln, 0, err, errlen);
            kstr_free_argv(words, n);
            if (rc != 0) return -1;
        } else {
            lines_add(L, NULL, 0, n, words);
        }
        i = j;
    }
    return 0;
}

/* ---------- transport directives ---------- */

static int do_loadtransport(const cfg_line *ln, char *err, size_t errlen) {
    if (ln->argc < 2)
        return line_error(ln, err, errlen,
                          "wrong number of arguments (expects NAME|PATH [args...])");
    if (sandbox)
        return line_error(ln, err, errlen, "transport loading is disabled in sandbox mode");
    char lerr[1024];
    transport *t = transport_load(ln->argv[1], ln->argc - 2, (const char *const *)ln->argv + 2,
                                  lerr, sizeof(lerr));
    if (!t) return line_error(ln, err, errlen, "%s", lerr);
    return 0;
}

/* A bind address of a listen line: "*", "::*", "localhost" or an IP
 * literal, each optionally prefixed by '-' (may be unavailable). */
static int is_bind_addr(const char *s) {
    if (*s == '-') s++;
    if (!strcmp(s, "*") || !strcmp(s, "::*") || !strcasecmp(s, "localhost")) return 1;
    unsigned char buf[sizeof(struct in6_addr)];
    return inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1;
}

static int is_all_digits(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (!isdigit((unsigned char)*s)) return 0;
    return 1;
}

static int do_listen(const cfg_line *ln, char *err, size_t errlen) {
    if (ln->argc < 3)
        return line_error(ln, err, errlen,
                          "wrong number of arguments (expects TRANSPORT PORT|PATH [bind ADDR...] "
                          "[key value...])");
    const char *tname = ln->argv[1];
    int i = 3;
    int nbinds = 0, nkv = 0;
    const char **binds = zmalloc(sizeof(char *) * (size_t)ln->argc);
    const char **keys = zmalloc(sizeof(char *) * (size_t)ln->argc);
    const char **vals = zmalloc(sizeof(char *) * (size_t)ln->argc);
    int rc = -1;
    if (i < ln->argc && !strcasecmp(ln->argv[i], "bind")) {
        i++;
        while (i < ln->argc && is_bind_addr(ln->argv[i])) binds[nbinds++] = ln->argv[i++];
        if (nbinds == 0) {
            line_error(ln, err, errlen, "bind needs at least one address (IP, '*' or 'localhost')");
            goto out;
        }
    }
    for (; i < ln->argc; i += 2) {
        if (i + 1 >= ln->argc) {
            line_error(ln, err, errlen, "key '%s' has no value", ln->argv[i]);
            goto out;
        }
        keys[nkv] = ln->argv[i];
        vals[nkv++] = ln->argv[i + 1];
    }
    /* Paths are told from ports by a '/'. */
    kstr where = kstr_empty();
    if (!is_all_digits(ln->argv[2]) && !strchr(ln->argv[2], '/'))
        where = kstr_cat_cstr(where, "./");
    where = kstr_cat_cstr(where, ln->argv[2]);
    char lerr[1024];
    listener *l = listener_create(LISTENER_EXPLICIT, tname, where, binds, nbinds, keys, vals, nkv,
                                  lerr, sizeof(lerr));
    kstr_free(where);
    if (!l) {
        line_error(ln, err, errlen, "%s", lerr);
        goto out;
    }
    listener_register(l);
    created = zrealloc(created, sizeof(listener *) * (size_t)(ncreated + 1));
    created[ncreated++] = l;
    rc = 0;
out:
    zfree(binds);
    zfree(keys);
    zfree(vals);
    return rc;
}

static int do_transport_key(const cfg_line *ln, char *err, size_t errlen) {
    if (ln->argc != 2)
        return line_error(ln, err, errlen,
                          "wrong number of arguments (expects exactly one value, got %d)",
                          ln->argc - 1);
    transport_default_set(ln->argv[0], ln->argv[1]);
    config_note_transport_key(ln->argv[0]);
    return 0;
}

/* ---------- processing ---------- */

static int table_index(const config_def *d) {
    return (int)(d - config_table);
}

static int process_lines(cfg_lines *L, char *err, size_t errlen) {
    config_ensure_defaults();
    for (int i = 0; i < L->n; i++)
        if (!strcmp(L->v[i].argv[0], "loadtransport") && do_loadtransport(&L->v[i], err, errlen))
            return -1;
    if (!sandbox) transports_autoload();

    int ndefs = 0;
    while (config_table[ndefs].name) ndefs++;
    int *seen = zcalloc(sizeof(int) * (size_t)ndefs);
    int rc = 0;
    for (int i = 0; i < L->n && rc == 0; i++) {
        cfg_line *ln = &L->v[i];
        const char *name = ln->argv[0];
        const config_def *d = config_find(name);
        if (d && !strcmp(d->name, "loadtransport")) continue;
        if (d && !strcmp(d->name, "listen")) {
            rc = do_listen(ln, err, errlen);
        } else if (d) {
            char reason[1024];
            cfg_ctx ctx = {0, seen[table_index(d)]++ == 0};
            if (config_parse_value(d, ln->argc - 1, ln->argv + 1, &ctx, reason, sizeof(reason)))
                rc = line_error(ln, err, errlen, "%s", reason);
        } else if (transport_key_known(name)) {
            rc = do_transport_key(ln, err, errlen);
        } else if (!strncmp(name, "tls-", 4)) {
            rc = line_error(ln, err, errlen,
                            "unknown directive (tls-* keys come from a TLS transport: add "
                            "'loadtransport openssl' or 'loadtransport gnutls' first)");
        } else {
            rc = line_error(ln, err, errlen, "unknown directive");
        }
    }
    zfree(seen);
    if (rc != 0) return -1;

    for (const config_def *d = config_table; d->name; d++) {
        if ((d->flags & CFG_F_LOAD_APPLY) && d->apply) {
            char reason[1024];
            if (d->apply(d->name, reason, sizeof(reason)) != 0) {
                snprintf(err, errlen, "%s: %s", d->name, reason);
                return -1;
            }
        }
        if (!(d->flags & CFG_F_LOADER)) config_push_transport_default(d);
    }
    return 0;
}

int config_load_string(const char *text, const char *source, char *err, size_t errlen) {
    cfg_lines L = {0};
    int rc = collect_text(&L, text, strlen(text), source ? source : "(config)", 0, err, errlen);
    if (rc == 0) rc = process_lines(&L, err, errlen);
    lines_free(&L);
    return rc;
}

/* Loads a file (NULL: none, "-": standard input) and option words. */
static int load_all(const char *filename, int optc, char **optv, char *err, size_t errlen) {
    cfg_lines L = {0};
    int rc = 0;
    if (filename) {
        kstr text = read_file(filename);
        if (!text) {
            snprintf(err, errlen, "%s: can't open config file: %s",
                     strcmp(filename, "-") ? filename : "(stdin)", strerror(errno));
            return -1;
        }
        rc = collect_text(&L, text, kstr_len(text), strcmp(filename, "-") ? filename : "(stdin)", 0,
                          err, errlen);
        kstr_free(text);
    }
    if (rc == 0) rc = collect_options(&L, optc, optv, err, errlen);
    if (rc == 0) rc = process_lines(&L, err, errlen);
    lines_free(&L);
    return rc;
}

static void set_configfile(const char *filename) {
    zfree(server.configfile);
    server.configfile = NULL;
    if (!filename || !strcmp(filename, "-")) return;
    char abs[PATH_MAX];
    server.configfile = zstrdup(realpath(filename, abs) ? abs : filename);
}

void config_load(const char *filename, const char *options) {
    int optc = 0;
    kstr *optv = NULL;
    char err[2048];
    if (options && !(optv = kstr_split_args(options, &optc))) {
        fprintf(stderr, "command line: unbalanced quotes in the options\n");
        exit(1);
    }
    if (load_all(filename, optc, optv, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    kstr_free_argv(optv, optc);
    set_configfile(filename);
}

/* ---------- command line ---------- */

static void print_version(void) {
    printf("keyport server v=%s redis-compat=%s transport-abi=%d.%d bits=%d\n", KEYPORT_VERSION,
           KEYPORT_REDIS_COMPAT_VERSION, KP_ABI_MAJOR, KP_ABI_MINOR, (int)(sizeof(long) * 8));
}

static void print_usage(void) {
    fprintf(stderr,
            "Usage: keyport-server [/path/to/keyport.conf] [--directive value ...]\n"
            "       keyport-server - [--directive value ...]  (configuration from stdin)\n"
            "       keyport-server [config] [--directive value ...] --test-config\n"
            "       keyport-server -v or --version\n"
            "       keyport-server -h or --help\n"
            "\n"
            "Without a configuration keyport listens on 127.0.0.1:6379 over plain TCP.\n"
            "Every directive of keyport.conf (docs/config.md) is also an option:\n"
            "\n"
            "       keyport-server --port 7777 --bind 127.0.0.1 ::1\n"
            "       keyport-server /etc/keyport/keyport.conf --loglevel verbose\n"
            "       keyport-server --loadtransport openssl --tls-port 6380 \\\n"
            "                      --tls-cert-file server.crt --tls-key-file server.key\n"
            "       keyport-server --listen unix /tmp/keyport.sock unixsocketperm 700\n"
            "\n"
            "--test-config parses the configuration, loads the transports and checks the\n"
            "listen lines without binding anything, prints \"configuration OK\" and exits.\n");
}

void config_from_argv(int argc, char **argv) {
    int test_config = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-v") || !strcmp(argv[i], "--version")) {
            print_version();
            exit(0);
        }
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            print_usage();
            exit(0);
        }
        if (!strcmp(argv[i], "--dump-config-doc")) {
            kstr doc = config_doc_markdown(kstr_empty());
            fwrite(doc, 1, kstr_len(doc), stdout);
            kstr_free(doc);
            exit(0);
        }
    }
    /* Option words without --test-config, which may appear anywhere. */
    char **opts = zmalloc(sizeof(char *) * (size_t)(argc + 1));
    int nopts = 0;
    const char *filename = NULL;
    int first = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--test-config")) {
            test_config = 1;
            continue;
        }
        /* The config file, if any, is the first argument. */
        if (first && strncmp(argv[i], "--", 2) != 0)
            filename = argv[i];
        else
            opts[nopts++] = argv[i];
        first = 0;
    }
    char err[2048];
    if (load_all(filename, nopts, opts, err, sizeof(err)) != 0) {
        fprintf(stderr, "%s\n", err);
        exit(1);
    }
    zfree(opts);
    set_configfile(filename);
    if (test_config) {
        printf("%s: configuration OK\n",
               filename ? (strcmp(filename, "-") ? filename : "(stdin)") : "(no config file)");
        exit(0);
    }
}

/* ---------- reset (tests, fuzzers) ---------- */

void config_reset(void) {
    for (int i = listener_count() - 1; i >= 0; i--) {
        listener *l = listener_at(i);
        for (int j = 0; j < ncreated; j++) {
            if (created[j] != l || l->loop) continue;
            listener_unregister(l);
            listener_free(l);
            break;
        }
    }
    zfree(created);
    created = NULL;
    ncreated = 0;
    config_forget_transport_keys();
    for (const config_def *d = config_table; d->name; d++) config_set_default(d);
    /* dir has no default: forget the sandboxed value, getcwd() is the truth. */
    zfree(server.dir);
    server.dir = NULL;
    server.hz = server.config_hz;
}
