/* keyport-benchmark options and the --help text. */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "server.h" /* KEYPORT_VERSION */
#include "zmalloc.h"

const char *bench_version(void) {
    return KEYPORT_VERSION;
}

void bench_die(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fputs("keyport-benchmark: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    exit(1);
}

void bench_usage(FILE *out) {
    fprintf(out,
            "keyport-benchmark %s\n"
            "\n"
            "Usage: keyport-benchmark [OPTIONS] [COMMAND ARGS...]\n"
            "\n"
            "Sends requests from -c parallel connections and reports throughput and\n"
            "latency. Without a command it runs redis-benchmark's test list; with one\n"
            "it benchmarks that command (__rand_int__ in an argument is replaced per\n"
            "request, see -r). Connections are asynchronous end to end, TLS included,\n"
            "and each --threads thread runs its own event loop and connections.\n"
            "\n"
            "Connection:\n"
            "  -h <hostname>        Server host name or address (default %s).\n"
            "  -p <port>            Server port (default %d).\n"
            "  -s <socket>          Server unix socket (overrides -h and -p).\n"
            "  -a <password>        Password for AUTH.\n"
            "  --user <username>    ACL user, sent as AUTH <username> <password>. Needs -a.\n"
            "  --dbnum <db>         SELECT this database first (default 0).\n"
            "  -k <boolean>         1 = keep connections alive, 0 = reconnect after each\n"
            "                       request (or pipeline) (default 1).\n"
            "\n"
            "Load:\n"
            "  -c <clients>         Parallel connections (default %d).\n"
            "  -n <requests>        Total requests (default %d); in --handshake-rate mode,\n"
            "                       total connections.\n"
            "  --duration <secs>    Run for this long instead of -n requests (decimals\n"
            "                       allowed).\n"
            "  -d <size>            Bytes of the SET/GET value (default %d).\n"
            "  -P <numreq>          Pipeline numreq requests per connection (default 1).\n"
            "  -r <keyspacelen>     Replace __rand_int__ with a random 12-digit number\n"
            "                       from 0 to keyspacelen-1, per request. Without -r,\n"
            "                       every request uses the same key (\"key:__rand_int__\").\n"
            "  --threads <num>      Load threads, each with its own event loop and\n"
            "                       connections (default 1).\n"
            "  --seed <num>         Seed of the random keys and values (default: time).\n"
            "  -t <tests>           Comma-separated tests to run (names as printed,\n"
            "                       lower case): ping (ping_inline, ping_mbulk), set, get,\n"
            "                       incr, lpush, rpush, lpop, rpop, sadd, hset, spop, zadd,\n"
            "                       zpopmin, lrange (lrange_100, lrange_300, lrange_500,\n"
            "                       lrange_600), mset. Ignored with a command.\n"
            "  -l                   Loop: run the tests forever.\n"
            "  --handshake-rate     Open, handshake, PING and close connections as fast as\n"
            "                       possible (-c at a time) for -n connections or\n"
            "                       --duration; report new connections per second and the\n"
            "                       handshake latency.\n"
            "  --tls-resume         Resume TLS sessions on new connections (needs a TLS\n"
            "                       transport that reports session reuse for clients).\n"
            "\n"
            "Output:\n"
            "  -q                   Quiet: one line per test (requests per second, p50).\n"
            "  --csv                CSV, with redis-benchmark's columns.\n"
            "  --json               One JSON object per test, one per line.\n"
            "  --precision <n>      Significant digits the latency histogram keeps, 1 to\n"
            "                       %d (default %d).\n"
            "  -e                   Print error replies of the server (at most one per\n"
            "                       second).\n"
            "\n" KPC_TLS_OPTIONS_HELP "\n"
            "  --help               This text.\n"
            "  -v, --version        Version.\n"
            "\n"
            "Examples:\n"
            "  keyport-benchmark -t set,get -n 1000000 -P 16 -q\n"
            "  keyport-benchmark -r 100000 -n 100000 SET key:__rand_int__ hello\n"
            "  keyport-benchmark -p 6380 --tls --cacert ca.crt -t get --threads 2 --json\n"
            "  keyport-benchmark -p 6380 --tls --cacert ca.crt --handshake-rate --duration 10\n",
            bench_version(), BENCH_DEFAULT_HOST, BENCH_DEFAULT_PORT, BENCH_DEFAULT_CLIENTS,
            BENCH_DEFAULT_REQUESTS, BENCH_DEFAULT_DATASIZE, BENCH_MAX_PRECISION,
            BENCH_DEFAULT_PRECISION);
}

static long long parse_int(const char *opt, const char *v, long long min, long long max) {
    char *end;
    errno = 0;
    long long n = strtoll(v, &end, 10);
    if (!*v || *end || errno || n < min || n > max)
        bench_die("%s: '%s' is not an integer between %lld and %lld", opt, v, min, max);
    return n;
}

static double parse_seconds(const char *opt, const char *v) {
    char *end;
    errno = 0;
    double d = strtod(v, &end);
    if (!*v || *end || errno || isnan(d) || d <= 0 || d > 1e7)
        bench_die("%s: '%s' is not a positive number of seconds", opt, v);
    return d;
}

/* Options that take a value. */
/* clang-format off */
static const char *const with_value[] = {
    "-h", "-p", "-s", "-a", "--user", "-c", "-n", "-d", "-P", "-r", "-t", "-k", "--threads",
    "--dbnum", "--precision", "--seed", "--duration", "--sni", "--cacert", "--cacertdir",
    "--cert", "--key", "--tls-ciphers", "--tls-ciphersuites", "--tls-protocols",
    "--tls-transport", NULL};
/* clang-format on */

static int takes_value(const char *opt) {
    for (int i = 0; with_value[i]; i++)
        if (!strcmp(with_value[i], opt)) return 1;
    return 0;
}

static void set_output(bench_output o, const char *opt) {
    if ((o == BENCH_OUT_CSV && config.output == BENCH_OUT_JSON) ||
        (o == BENCH_OUT_JSON && config.output == BENCH_OUT_CSV))
        bench_die("%s: --csv and --json cannot be combined", opt);
    /* -q only matters for the human report: CSV and JSON take precedence. */
    if (o == BENCH_OUT_QUIET && config.output != BENCH_OUT_FULL) return;
    config.output = o;
}

/* ",set,get," from "SET, get": lower case, blanks dropped. */
static char *tests_list(const char *v) {
    size_t n = strlen(v);
    char *s = zmalloc(n + 3);
    size_t o = 0;
    s[o++] = ',';
    for (size_t i = 0; i < n; i++)
        if (!isspace((unsigned char)v[i])) s[o++] = (char)tolower((unsigned char)v[i]);
    s[o++] = ',';
    s[o] = '\0';
    return s;
}

static void check_combinations(int argc) {
    if (config.user && !config.pass) bench_die("--user needs -a (the password of that user)");
    if (config.tls_resume && !config.tls.enabled) bench_die("--tls-resume needs --tls");
    if (config.handshake) {
        if (argc > 0) bench_die("--handshake-rate sends only PING: it takes no command");
        if (config.tests) bench_die("-t cannot be combined with --handshake-rate");
    }
    if (!config.tls.enabled) {
        const char *tls_only = config.tls.ca_file        ? "--cacert"
                               : config.tls.ca_dir       ? "--cacertdir"
                               : config.tls.cert_file    ? "--cert"
                               : config.tls.key_file     ? "--key"
                               : config.tls.sni          ? "--sni"
                               : config.tls.insecure     ? "--insecure"
                               : config.tls.transport    ? "--tls-transport"
                               : config.tls.ciphers      ? "--tls-ciphers"
                               : config.tls.ciphersuites ? "--tls-ciphersuites"
                               : config.tls.protocols    ? "--tls-protocols"
                                                         : NULL;
        if (tls_only) bench_die("%s needs --tls", tls_only);
    }
    if ((config.tls.cert_file != NULL) != (config.tls.key_file != NULL))
        bench_die("--cert and --key go together");
    if (config.threads > config.clients) config.threads = config.clients;
}

int bench_parse_options(int argc, char **argv) {
    int i;
    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (a[0] != '-') break;
        const char *v = NULL;
        if (takes_value(a)) {
            if (i + 1 >= argc) bench_die("%s needs a value", a);
            v = argv[++i];
        }
        if (!strcmp(a, "-h")) {
            config.host = v;
        } else if (!strcmp(a, "-p")) {
            config.port = (int)parse_int(a, v, 1, 65535);
        } else if (!strcmp(a, "-s")) {
            config.socket = v;
        } else if (!strcmp(a, "-a")) {
            config.pass = v;
        } else if (!strcmp(a, "--user")) {
            config.user = v;
        } else if (!strcmp(a, "-c")) {
            config.clients = (int)parse_int(a, v, 1, 1000000);
        } else if (!strcmp(a, "-n")) {
            config.requests = parse_int(a, v, 1, LLONG_MAX / 2);
        } else if (!strcmp(a, "-d")) {
            config.datasize = (int)parse_int(a, v, 1, 512 * 1024 * 1024);
        } else if (!strcmp(a, "-P")) {
            config.pipeline = (int)parse_int(a, v, 1, 1000000);
        } else if (!strcmp(a, "-r")) {
            config.keyspace = parse_int(a, v, 1, BENCH_MAX_KEYSPACE);
        } else if (!strcmp(a, "-t")) {
            char err[512];
            if (bench_check_tests(v, err, sizeof(err))) bench_die("-t: %s", err);
            zfree(config.tests);
            config.tests = tests_list(v);
        } else if (!strcmp(a, "-k")) {
            config.keepalive = (int)parse_int(a, v, 0, 1);
        } else if (!strcmp(a, "--threads")) {
            config.threads = (int)parse_int(a, v, 0, BENCH_MAX_THREADS);
            if (config.threads == 0) config.threads = 1; /* redis-benchmark: no threads */
        } else if (!strcmp(a, "--dbnum")) {
            config.dbnum = (int)parse_int(a, v, 0, INT32_MAX);
        } else if (!strcmp(a, "--precision")) {
            config.precision = (int)parse_int(a, v, 1, BENCH_MAX_PRECISION);
        } else if (!strcmp(a, "--seed")) {
            config.seed = (uint64_t)parse_int(a, v, 0, LLONG_MAX);
            config.seed_set = 1;
        } else if (!strcmp(a, "--duration")) {
            config.duration = parse_seconds(a, v);
        } else if (!strcmp(a, "-q")) {
            set_output(BENCH_OUT_QUIET, a);
        } else if (!strcmp(a, "--csv")) {
            set_output(BENCH_OUT_CSV, a);
        } else if (!strcmp(a, "--json")) {
            set_output(BENCH_OUT_JSON, a);
        } else if (!strcmp(a, "-l")) {
            config.loop = 1;
        } else if (!strcmp(a, "-e")) {
            config.show_errors = 1;
        } else if (!strcmp(a, "--handshake-rate")) {
            config.handshake = 1;
        } else if (!strcmp(a, "--tls-resume")) {
            config.tls_resume = 1;
        } else if (kpc_tls_parse_option(&config.tls, a, v)) {
            /* --tls, --sni, --cacert, ... (shared with the other tool) */
        } else if (!strcmp(a, "--help")) {
            bench_usage(stdout);
            exit(0);
        } else if (!strcmp(a, "-v") || !strcmp(a, "--version")) {
            printf("keyport-benchmark %s\n", bench_version());
            exit(0);
        } else {
            bench_die("unknown option '%s' (see keyport-benchmark --help)", a);
        }
    }
    check_combinations(argc - i);
    return i;
}
