/* keyport-cli options, connection URIs and the --help text. */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "server.h" /* KEYPORT_VERSION */
#include "zmalloc.h"

const char *cli_version(void) {
    return KEYPORT_VERSION;
}

void cli_usage(FILE *out) {
    fprintf(out,
            "keyport-cli %s\n"
            "\n"
            "Usage: keyport-cli [OPTIONS] [cmd [arg [arg ...]]]\n"
            "\n"
            "With a command, sends it and prints the reply (one-shot mode); without one,\n"
            "starts an interactive prompt (or reads commands from stdin when it is not a\n"
            "terminal). Replies show their types when stdout is a terminal and are printed\n"
            "bare otherwise.\n"
            "\n"
            "Connection:\n"
            "  -h <hostname>        Server host name or address (default: %s).\n"
            "  -p <port>            Server port (default: %d).\n"
            "  -s <socket>          Server unix socket path (overrides -h and -p).\n"
            "  -u <uri>             Server URI: redis://[[user]:password@]host[:port][/db],\n"
            "                       rediss://... (the same with TLS) or\n"
            "                       unix://[[user]:password@]/path/to/socket[?db=N].\n"
            "  -a <password>        Password for AUTH. The KEYPORTCLI_AUTH (or REDISCLI_AUTH)\n"
            "                       environment variable is safer: command lines are visible\n"
            "                       to other users.\n"
            "  --pass <password>    Same as -a.\n"
            "  --askpass            Read the password from the terminal, without echo.\n"
            "  --user <username>    ACL user name, sent as AUTH <username> <password>.\n"
            "  --no-auth-warning    Do not warn about a password given on the command line.\n"
            "  -n <db>              Database number to SELECT after connecting.\n"
            "  -2                   Speak RESP2 (the default).\n"
            "  -3                   Speak RESP3 (HELLO 3): maps, sets, doubles, push messages.\n"
            "  -t <seconds>         Timeout for connecting, TLS handshake included (decimals\n"
            "                       allowed, default %d; 0 waits forever).\n"
            "\n" KPC_TLS_OPTIONS_HELP "\n"
            "Commands and output:\n"
            "  -r <repeat>          Run the command this many times (-1: forever).\n"
            "  -i <interval>        Seconds to wait between repeats (decimals allowed). With\n"
            "                       --scan, --bigkeys and --memkeys: pause per 100 SCAN calls;\n"
            "                       with the latency and --stat modes: the report interval.\n"
            "  -x                   Read the last argument of the command from stdin.\n"
            "  -e                   Exit with status 1 when the command gets an error reply.\n"
            "  -d <delimiter>       Between the elements of a reply in raw output (default \\n).\n"
            "  -D <delimiter>       After each reply in raw output (default \\n).\n"
            "  --raw                Raw output even on a terminal.\n"
            "  --no-raw             Formatted output even when stdout is not a terminal.\n"
            "  --csv                CSV output.\n"
            "  --json               JSON output.\n"
            "  --quoted-json        JSON output with non-printable bytes escaped as \\xHH.\n"
            "  --show-pushes <yn>   Print RESP3 push messages (default: yes).\n"
            "\n"
            "Tools:\n"
            "  --pipe               Send the raw protocol read from stdin (mass insertion),\n"
            "                       then report \"errors: N, replies: M\".\n"
            "  --pipe-timeout <n>   In --pipe, give up when no reply came for n seconds after\n"
            "                       the input ended (default 30; 0 waits forever).\n"
            "  --scan               List keys with SCAN.\n"
            "  --pattern <pat>      SCAN MATCH pattern for --scan, --bigkeys and --memkeys.\n"
            "  --count <n>          SCAN COUNT hint for --scan, --bigkeys and --memkeys.\n"
            "  --bigkeys            Sample keys and report the biggest of each type.\n"
            "  --memkeys            Like --bigkeys, by memory (needs MEMORY USAGE).\n"
            "  --latency            Measure round-trip latency continuously (PING).\n"
            "  --latency-history    Like --latency, one line per interval (-i, default 15).\n"
            "  --latency-dist       Latency spectrum as a color chart (-i, default 1).\n"
            "  --stat               One line of server statistics per interval (-i, default 1).\n"
            "  --rdb <file>         Write an RDB snapshot taken with SYNC into file (- is\n"
            "                       stdout).\n"
            "  --replica            Follow the server as a replica and print the commands it\n"
            "                       propagates.\n"
            "\n"
            "  --help               This text.\n"
            "  -v, --version        Version.\n"
            "\n"
            "Interactive mode: HELP, HELP <command>, HELP @<group>; CONNECT <host> <port>;\n"
            "CLEAR; QUIT or EXIT. Prefix a command with a number to repeat it (\"3 PING\").\n"
            "History is kept in ~/%s (or $%s; /dev/null disables it).\n"
            "Completion (TAB) and hints come from the server's COMMAND DOCS.\n"
            "\n"
            "Examples:\n"
            "  keyport-cli SET greeting hello\n"
            "  keyport-cli -p 6380 --tls --cacert ca.crt --cert client.crt --key client.key PING\n"
            "  cat /etc/services | keyport-cli -x SET services\n"
            "  keyport-cli -r 100 -i 1 INFO clients | grep connected_clients\n"
            "  keyport-cli --scan --pattern 'user:*'\n"
            "  keyport-cli -u rediss://alice:secret@db.example.com:6380/2 --cacert ca.crt\n",
            cli_version(), CLI_DEFAULT_HOST, CLI_DEFAULT_PORT, CLI_DEFAULT_TIMEOUT_MS / 1000,
            CLI_HISTFILE_DEFAULT, CLI_HISTFILE_ENV);
}

static void die(const char *fmt, const char *arg) {
    fprintf(stderr, "keyport-cli: ");
    fprintf(stderr, fmt, arg);
    fprintf(stderr, "\n");
    exit(1);
}

static long long parse_int(const char *opt, const char *v, long long min, long long max) {
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < min || n > max) {
        fprintf(stderr, "keyport-cli: %s: '%s' is not an integer between %lld and %lld\n", opt, v,
                min, max);
        exit(1);
    }
    return n;
}

static double parse_seconds(const char *opt, const char *v) {
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || errno || isnan(d) || d < 0 || d > 1e9) {
        fprintf(stderr, "keyport-cli: %s: '%s' is not a number of seconds\n", opt, v);
        exit(1);
    }
    return d;
}

static void set_str(char **slot, const char *v) {
    zfree(*slot);
    *slot = v ? zstrdup(v) : NULL;
}

/* Percent-decoding of a URI part. Returns NULL on a bad escape. */
static char *pct_decode(const char *p, size_t len) {
    char *out = zmalloc(len + 1);
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        if (p[i] != '%') {
            out[o++] = p[i];
            continue;
        }
        if (i + 2 >= len || !isxdigit((unsigned char)p[i + 1]) ||
            !isxdigit((unsigned char)p[i + 2])) {
            zfree(out);
            return NULL;
        }
        char hex[3] = {p[i + 1], p[i + 2], 0};
        out[o++] = (char)strtol(hex, NULL, 16);
        i += 2;
    }
    out[o] = '\0';
    return out;
}

/* "[user[:password]@]" at the start of *p: sets config.user/pass. */
static int uri_userinfo(const char **p, const char *end, char *err, size_t errlen) {
    const char *at = memchr(*p, '@', (size_t)(end - *p));
    if (!at) return 0;
    const char *colon = memchr(*p, ':', (size_t)(at - *p));
    char *user = NULL, *pass;
    if (colon) {
        if (colon > *p) user = pct_decode(*p, (size_t)(colon - *p));
        pass = pct_decode(colon + 1, (size_t)(at - colon - 1));
    } else {
        /* A lone word is the password, as in redis:// URIs. */
        pass = pct_decode(*p, (size_t)(at - *p));
    }
    if (!pass || (colon && colon > *p && !user)) {
        zfree(user);
        zfree(pass);
        snprintf(err, errlen, "invalid percent-encoding in the user or password");
        return -1;
    }
    if (user) {
        zfree(config.user);
        config.user = user;
    }
    zfree(config.pass);
    config.pass = pass;
    *p = at + 1;
    return 0;
}

int cli_parse_uri(const char *uri, char *err, size_t errlen) {
    const char *p;
    int tls = 0, unixs = 0;
    if (!strncasecmp(uri, "redis://", 8)) {
        p = uri + 8;
    } else if (!strncasecmp(uri, "rediss://", 9)) {
        p = uri + 9;
        tls = 1;
    } else if (!strncasecmp(uri, "unix://", 7)) {
        p = uri + 7;
        unixs = 1;
    } else {
        snprintf(err, errlen, "unsupported URI scheme in '%s' (use redis://, rediss:// or unix://)",
                 uri);
        return -1;
    }
    const char *end = p + strlen(p);
    if (uri_userinfo(&p, end, err, errlen)) return -1;
    if (unixs) {
        const char *q = strchr(p, '?');
        const char *pend = q ? q : end;
        if (pend == p || *p != '/') {
            snprintf(err, errlen,
                     "unix:// URI needs an absolute socket path, e.g. unix:///run/keyport.sock");
            return -1;
        }
        char *path = pct_decode(p, (size_t)(pend - p));
        if (!path) {
            snprintf(err, errlen, "invalid percent-encoding in the socket path");
            return -1;
        }
        zfree(config.socket);
        config.socket = path;
        if (q) {
            if (strncmp(q + 1, "db=", 3)) {
                snprintf(err, errlen, "unknown URI parameter '%s' (only db=N)", q + 1);
                return -1;
            }
            char *e;
            errno = 0;
            long db = strtol(q + 4, &e, 10);
            if (!q[4] || *e || errno || db < 0 || db > INT32_MAX) {
                snprintf(err, errlen, "invalid database number '%s'", q + 4);
                return -1;
            }
            config.dbnum = (int)db;
        }
        return 0;
    }
    if (tls) config.tls.enabled = 1;
    const char *slash = strchr(p, '/');
    const char *hend = slash ? slash : end;
    const char *hstart = p, *pstart = NULL;
    const char *hlast = hend;
    if (*p == '[') {
        const char *rb = memchr(p, ']', (size_t)(hend - p));
        if (!rb) {
            snprintf(err, errlen, "unterminated [IPv6 address] in the URI");
            return -1;
        }
        hstart = p + 1;
        hlast = rb;
        if (rb + 1 < hend && rb[1] == ':') pstart = rb + 2;
    } else {
        const char *colon = memchr(p, ':', (size_t)(hend - p));
        if (colon) {
            hlast = colon;
            pstart = colon + 1;
        }
    }
    if (hlast > hstart) {
        char *host = zmalloc((size_t)(hlast - hstart) + 1);
        memcpy(host, hstart, (size_t)(hlast - hstart));
        host[hlast - hstart] = '\0';
        zfree(config.host);
        config.host = host;
    }
    if (pstart) {
        char buf[16];
        size_t n = (size_t)(hend - pstart);
        if (n == 0 || n >= sizeof(buf)) {
            snprintf(err, errlen, "invalid port in the URI");
            return -1;
        }
        memcpy(buf, pstart, n);
        buf[n] = '\0';
        char *e;
        long port = strtol(buf, &e, 10);
        if (*e || port < 1 || port > 65535) {
            snprintf(err, errlen, "invalid port '%s' in the URI", buf);
            return -1;
        }
        config.port = (int)port;
    }
    if (slash && slash[1]) {
        char *e;
        errno = 0;
        long db = strtol(slash + 1, &e, 10);
        if (*e || errno || db < 0 || db > INT32_MAX) {
            snprintf(err, errlen, "invalid database number '%s' in the URI", slash + 1);
            return -1;
        }
        config.dbnum = (int)db;
    }
    return 0;
}

/* Options that take a value. */
static const char *const with_value[] = {"-h",
                                         "-p",
                                         "-s",
                                         "-a",
                                         "-u",
                                         "-n",
                                         "-r",
                                         "-i",
                                         "-d",
                                         "-D",
                                         "-t",
                                         "--pass",
                                         "--user",
                                         "--sni",
                                         "--cacert",
                                         "--cacertdir",
                                         "--cert",
                                         "--key",
                                         "--tls-ciphers",
                                         "--tls-ciphersuites",
                                         "--tls-protocols",
                                         "--tls-transport",
                                         "--rdb",
                                         "--pattern",
                                         "--count",
                                         "--pipe-timeout",
                                         "--show-pushes",
                                         NULL};

static int takes_value(const char *opt) {
    for (int i = 0; with_value[i]; i++)
        if (!strcmp(with_value[i], opt)) return 1;
    return 0;
}

static void set_mode(cli_mode m, const char *opt) {
    if (config.mode != CLI_MODE_COMMAND && config.mode != m)
        die("%s cannot be combined with another tool option", opt);
    config.mode = m;
}

int cli_parse_options(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-' || !strcmp(a, "-")) break;
        const char *v = NULL;
        if (takes_value(a)) {
            if (i + 1 >= argc) die("%s needs a value", a);
            v = argv[++i];
        }
        if (!strcmp(a, "-h")) {
            set_str(&config.host, v);
        } else if (!strcmp(a, "-p")) {
            config.port = (int)parse_int("-p", v, 1, 65535);
        } else if (!strcmp(a, "-s")) {
            set_str(&config.socket, v);
        } else if (!strcmp(a, "-a") || !strcmp(a, "--pass")) {
            set_str(&config.pass, v);
            config.askpass = 0;
        } else if (!strcmp(a, "--askpass")) {
            config.askpass = 1;
        } else if (!strcmp(a, "--user")) {
            set_str(&config.user, v);
        } else if (!strcmp(a, "--no-auth-warning")) {
            config.no_auth_warning = 1;
        } else if (!strcmp(a, "-u")) {
            char err[256];
            if (cli_parse_uri(v, err, sizeof(err))) die("-u: %s", err);
        } else if (!strcmp(a, "-n")) {
            config.dbnum = (int)parse_int("-n", v, 0, INT32_MAX);
        } else if (!strcmp(a, "-2")) {
            config.resp3 = 0;
        } else if (!strcmp(a, "-3")) {
            config.resp3 = 1;
        } else if (!strcmp(a, "-t")) {
            config.timeout_ms = (long long)(parse_seconds("-t", v) * 1000);
        } else if (!strcmp(a, "-r")) {
            config.repeat = parse_int("-r", v, LLONG_MIN, LLONG_MAX);
        } else if (!strcmp(a, "-i")) {
            config.interval_us = (long long)(parse_seconds("-i", v) * 1000000);
            config.interval_set = 1;
        } else if (!strcmp(a, "-x")) {
            config.stdin_lastarg = 1;
        } else if (!strcmp(a, "-e")) {
            config.set_errcode = 1;
        } else if (!strcmp(a, "-d")) {
            set_str(&config.mb_delim, v);
        } else if (!strcmp(a, "-D")) {
            set_str(&config.cmd_delim, v);
        } else if (!strcmp(a, "--raw")) {
            config.output = CLI_OUT_RAW;
        } else if (!strcmp(a, "--no-raw")) {
            config.output = CLI_OUT_STANDARD;
        } else if (!strcmp(a, "--csv")) {
            config.output = CLI_OUT_CSV;
        } else if (!strcmp(a, "--json")) {
            config.output = CLI_OUT_JSON;
        } else if (!strcmp(a, "--quoted-json")) {
            config.output = CLI_OUT_QUOTED_JSON;
        } else if (!strcmp(a, "--show-pushes")) {
            if (!strcasecmp(v, "yes") || !strcasecmp(v, "y"))
                session.push_to_stdout = 1;
            else if (!strcasecmp(v, "no") || !strcasecmp(v, "n"))
                session.push_to_stdout = 0;
            else
                die("--show-pushes: '%s' is not yes or no", v);
        } else if (kpc_tls_parse_option(&config.tls, a, v)) {
            /* --tls, --sni, --cacert, ... (shared with the other tool) */
        } else if (!strcmp(a, "--pipe")) {
            set_mode(CLI_MODE_PIPE, a);
        } else if (!strcmp(a, "--pipe-timeout")) {
            config.pipe_timeout = (int)parse_int(a, v, 0, INT32_MAX);
        } else if (!strcmp(a, "--scan")) {
            set_mode(CLI_MODE_SCAN, a);
        } else if (!strcmp(a, "--pattern")) {
            set_str(&config.pattern, v);
        } else if (!strcmp(a, "--count")) {
            config.scan_count = parse_int(a, v, 1, LLONG_MAX);
        } else if (!strcmp(a, "--bigkeys")) {
            set_mode(CLI_MODE_BIGKEYS, a);
        } else if (!strcmp(a, "--memkeys")) {
            set_mode(CLI_MODE_MEMKEYS, a);
        } else if (!strcmp(a, "--latency")) {
            set_mode(CLI_MODE_LATENCY, a);
        } else if (!strcmp(a, "--latency-history")) {
            set_mode(CLI_MODE_LATENCY_HISTORY, a);
        } else if (!strcmp(a, "--latency-dist")) {
            set_mode(CLI_MODE_LATENCY_DIST, a);
        } else if (!strcmp(a, "--stat")) {
            set_mode(CLI_MODE_STAT, a);
        } else if (!strcmp(a, "--rdb")) {
            set_mode(CLI_MODE_RDB, a);
            set_str(&config.rdb_filename, v);
        } else if (!strcmp(a, "--replica") || !strcmp(a, "--slave")) {
            set_mode(CLI_MODE_REPLICA, a);
        } else if (!strcmp(a, "--help")) {
            cli_usage(stdout);
            exit(0);
        } else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
            printf("keyport-cli %s\n", cli_version());
            exit(0);
        } else {
            fprintf(stderr, "keyport-cli: unknown option '%s' (see keyport-cli --help)\n", a);
            exit(1);
        }
    }
    return i;
}
