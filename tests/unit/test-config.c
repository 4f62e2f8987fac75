/*
 * Unit tests of the configuration (src/config*.c): parsing of every value
 * type, the exact error texts (file:line and command line forms, Redis's
 * CONFIG SET texts), include, quoting, the loadtransport-first order,
 * listen lines, atomic multi-directive CONFIG SET, CONFIG GET matching,
 * CONFIG REWRITE round trips and the generated docs/config.md reference.
 *
 * Run from the repository root (make test-unit): the tcp and unix
 * transports are loaded from the build tree, and docs/config.md is read.
 */
#include <CUnit/Basic.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "config.h"
#include "config_internal.h"
#include "listen.h"
#include "server.h"

static char tmpdir[PATH_MAX];
static char errbuf[2048];

/* ---------- helpers ---------- */

static int load(const char *text) {
    errbuf[0] = '\0';
    return config_load_string(text, "t.conf", errbuf, sizeof(errbuf));
}

static int load_ok(const char *text) {
    int rc = load(text);
    if (rc != 0) fprintf(stderr, "\nunexpected error: %s\n", errbuf);
    return rc == 0;
}

/* Current CONFIG GET value, "(null)" for unknown names; static buffer. */
static const char *get(const char *name) {
    static char buf[1024];
    kstr v = config_get_value(name);
    snprintf(buf, sizeof(buf), "%s", v ? v : "(null)");
    kstr_free(v);
    return buf;
}

/* CONFIG SET of pairs given as "name", "value", ..., NULL; returns the
 * error text ("" on success) in a static buffer. */
static const char *set_pairs(int allow_protected, ...) {
    static char err[1024];
    const char *names[16], *values[16];
    int n = 0;
    va_list ap;
    va_start(ap, allow_protected);
    const char *name;
    while ((name = va_arg(ap, const char *)) && n < 16) {
        names[n] = name;
        values[n++] = va_arg(ap, const char *);
    }
    va_end(ap);
    err[0] = '\0';
    if (config_set_multi(n, names, values, allow_protected, err, sizeof(err)) == 0) err[0] = '\0';
    return err;
}

static void write_file(const char *name, const char *text) {
    char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    FILE *fp = fopen(path, "w");
    CU_ASSERT_PTR_NOT_NULL_FATAL(fp);
    fputs(text, fp);
    fclose(fp);
}

static kstr read_file(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    kstr s = kstr_empty();
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) s = kstr_cat(s, buf, n);
    fclose(fp);
    return s;
}

static const char *tmp_path(const char *name) {
    static char path[PATH_MAX + 64];
    snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
    return path;
}

/* Runs config_load(file, options) in a child (it exits on errors) and
 * returns its exit status; stderr goes to out. */
static int child_load(const char *file, const char *options, char *out, size_t outlen) {
    int pfd[2];
    if (pipe(pfd) != 0) return -1;
    pid_t pid = fork();
    if (pid == 0) {
        close(pfd[0]);
        dup2(pfd[1], STDERR_FILENO);
        config_reset();
        config_load(file, options);
        _exit(0);
    }
    close(pfd[1]);
    size_t used = 0;
    ssize_t r;
    while (used + 1 < outlen && (r = read(pfd[0], out + used, outlen - used - 1)) > 0)
        used += (size_t)r;
    out[used] = '\0';
    close(pfd[0]);
    int status;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int suite_init(void) {
    char cwd[PATH_MAX];
    if (!getcwd(cwd, sizeof(cwd))) return 1;
    transport_set_search_dirs(cwd, NULL);
    snprintf(tmpdir, sizeof(tmpdir), "/tmp/keyport-test-config-XXXXXX");
    if (!mkdtemp(tmpdir)) return 1;
    config_init_defaults();
    return 0;
}

static int suite_clean(void) {
    char cmd[PATH_MAX + 16];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : 1;
}

/* Every test starts from the defaults, in sandbox mode unless it says. */
static void fresh(int sandboxed) {
    config_set_sandbox(sandboxed);
    config_reset();
}

/* ---------- defaults and types ---------- */

static void test_defaults(void) {
    fresh(1);
    CU_ASSERT_STRING_EQUAL(get("port"), "6379");
    CU_ASSERT_STRING_EQUAL(get("bind"), "127.0.0.1");
    CU_ASSERT_STRING_EQUAL(get("unixsocket"), "");
    CU_ASSERT_STRING_EQUAL(get("unixsocketperm"), "0");
    CU_ASSERT_STRING_EQUAL(get("hz"), "10");
    CU_ASSERT_STRING_EQUAL(get("maxmemory"), "0");
    CU_ASSERT_STRING_EQUAL(get("proto-max-bulk-len"), "536870912");
    CU_ASSERT_STRING_EQUAL(get("client-query-buffer-limit"), "1073741824");
    CU_ASSERT_STRING_EQUAL(get("client-output-buffer-limit"),
                           "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60");
    CU_ASSERT_STRING_EQUAL(get("save"), "3600 1 300 100 60 10000");
    CU_ASSERT_STRING_EQUAL(get("loglevel"), "notice");
    CU_ASSERT_STRING_EQUAL(get("dbfilename"), "dump.rdb");
    CU_ASSERT_STRING_EQUAL(get("tls-handshake-timeout"), "10000");
    CU_ASSERT_STRING_EQUAL(get("nosuchdirective"), "(null)");
    CU_ASSERT_EQUAL(server.port, 6379);
    CU_ASSERT_EQUAL(server.bindaddr_count, 1);
    CU_ASSERT_PTR_NULL(server.requirepass);
    CU_ASSERT_EQUAL(server.hz, 10);
    CU_ASSERT_EQUAL(server.dbnum, 16);
    CU_ASSERT_EQUAL(server.maxclients, 10000);
    CU_ASSERT_EQUAL(server.client_obuf_limits[CLIENT_TYPE_REPLICA].hard_limit_bytes,
                    256ULL * 1024 * 1024);
    char cwd[PATH_MAX];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
    CU_ASSERT_STRING_EQUAL(get("dir"), cwd);
    /* Every default is in range of its own parser (config_is_default). */
    for (const config_def *d = config_table; d->name; d++)
        if (d->deflt && !(d->flags & CFG_F_LOADER)) CU_ASSERT_TRUE(config_is_default(d));
}

static void test_bool(void) {
    fresh(1);
    CU_ASSERT_TRUE(load_ok("activerehashing no\nlazyfree-lazy-user-del YES\n"));
    CU_ASSERT_EQUAL(server.activerehashing, 0);
    CU_ASSERT_EQUAL(server.lazyfree_lazy_user_del, 1);
    CU_ASSERT_STRING_EQUAL(get("lazyfree-lazy-user-del"), "yes");
    CU_ASSERT_EQUAL(load("\n\nactiverehashing maybe\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:3: activerehashing: argument must be 'yes' or 'no'");
}

static void test_int(void) {
    fresh(1);
    CU_ASSERT_TRUE(load_ok("port 7000\ntimeout 30\nmaxclients 4294967295\ntls-port 0\n"));
    CU_ASSERT_EQUAL(server.port, 7000);
    CU_ASSERT_EQUAL(server.maxidletime, 30);
    CU_ASSERT_EQUAL(server.maxclients, UINT_MAX);
    CU_ASSERT_EQUAL(load("port 65536\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf,
                           "t.conf:1: port: argument must be between 0 and 65535 inclusive");
    CU_ASSERT_EQUAL(load("port 01\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: port: argument couldn't be parsed into an integer");
    CU_ASSERT_EQUAL(load("port +1\n"), -1);
    CU_ASSERT_EQUAL(load("port 1e3\n"), -1);
    CU_ASSERT_EQUAL(load("maxclients 0\n"), -1);
    CU_ASSERT_STRING_EQUAL(
        errbuf, "t.conf:1: maxclients: argument must be between 1 and 4294967295 inclusive");
    CU_ASSERT_EQUAL(load("port 1 2\n"), -1);
    CU_ASSERT_STRING_EQUAL(
        errbuf, "t.conf:1: port: wrong number of arguments (expects exactly one value, got 2)");
    CU_ASSERT_EQUAL(server.port, 7000); /* unchanged by the failures */
    /* hz is clamped to 1..500 after loading, as Redis does. */
    CU_ASSERT_TRUE(load_ok("hz 1000\n"));
    CU_ASSERT_EQUAL(server.hz, 500);
    CU_ASSERT_STRING_EQUAL(get("hz"), "500");
    CU_ASSERT_TRUE(load_ok("hz 0\n"));
    CU_ASSERT_EQUAL(server.hz, 1);
}

static void test_octal(void) {
    fresh(1);
    CU_ASSERT_TRUE(load_ok("unixsocketperm 700\n"));
    CU_ASSERT_EQUAL(server.unixsocketperm, 0700);
    CU_ASSERT_STRING_EQUAL(get("unixsocketperm"), "700");
    CU_ASSERT_TRUE(load_ok("unixsocketperm 0770\n"));
    CU_ASSERT_STRING_EQUAL(get("unixsocketperm"), "770");
    CU_ASSERT_EQUAL(load("unixsocketperm 999\n"), -1);
    CU_ASSERT_STRING_EQUAL(
        errbuf, "t.conf:1: unixsocketperm: argument couldn't be parsed as an octal number");
    CU_ASSERT_EQUAL(load("unixsocketperm 1000\n"), -1);
    CU_ASSERT_STRING_EQUAL(
        errbuf, "t.conf:1: unixsocketperm: argument must be between 0 and 777 inclusive");
}

static void test_memory(void) {
    fresh(1);
    CU_ASSERT_TRUE(load_ok("maxmemory 100mb\nproto-max-bulk-len 2MB\n"
                           "client-query-buffer-limit 1gb\n"));
    CU_ASSERT_EQUAL(server.maxmemory, 100ULL * 1024 * 1024);
    CU_ASSERT_EQUAL(server.proto_max_bulk_len, 2LL * 1024 * 1024);
    CU_ASSERT_STRING_EQUAL(get("maxmemory"), "104857600");
    CU_ASSERT_TRUE(load_ok("maxmemory 1k\n"));
    CU_ASSERT_EQUAL(server.maxmemory, 1000);
    CU_ASSERT_EQUAL(load("maxmemory 1.5gb\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: maxmemory: argument must be a memory value");
    CU_ASSERT_EQUAL(load("maxmemory -1\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: maxmemory: argument must be a memory value");
    CU_ASSERT_EQUAL(load("proto-max-bulk-len 1kb\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: proto-max-bulk-len: argument must be between 1048576 "
                                   "and 9223372036854775807 inclusive");
}

static void test_enum(void) {
    fresh(1);
    CU_ASSERT_TRUE(load_ok("loglevel WARNING\nenable-debug-command local\n"));
    CU_ASSERT_EQUAL(server.verbosity, LL_WARNING);
    CU_ASSERT_EQUAL(server.enable_debug_cmd, PROTECTED_ACTION_ALLOWED_LOCAL);
    CU_ASSERT_STRING_EQUAL(get("loglevel"), "warning");
    CU_ASSERT_EQUAL(load("loglevel loud\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: loglevel: argument(s) must be one of the following: "
                                   "debug, verbose, notice, warning");
}

static void test_string(void) {
    fresh(1);
    CU_ASSERT_TRUE(load_ok("requirepass \"se cret\"\npidfile /tmp/x.pid\n"));
    CU_ASSERT_STRING_EQUAL(server.requirepass, "se cret");
    CU_ASSERT_STRING_EQUAL(server.pidfile, "/tmp/x.pid");
    CU_ASSERT_TRUE(load_ok("requirepass \"\"\n"));
    CU_ASSERT_PTR_NULL(server.requirepass); /* empty means no password */
    CU_ASSERT_STRING_EQUAL(get("requirepass"), "");
    CU_ASSERT_TRUE(load_ok("dbfilename my.rdb\n"));
    CU_ASSERT_STRING_EQUAL(server.dbfilename, "my.rdb");
    CU_ASSERT_EQUAL(load("dbfilename a/b.rdb\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: dbfilename: dbfilename can't be a path, just a "
                                   "filename");
}

static void test_special(void) {
    fresh(1);
    CU_ASSERT_TRUE(load_ok("bind 127.0.0.1 ::1 -::*\n"));
    CU_ASSERT_EQUAL(server.bindaddr_count, 3);
    CU_ASSERT_STRING_EQUAL(server.bindaddr[2], "-::*");
    CU_ASSERT_STRING_EQUAL(get("bind"), "127.0.0.1 ::1 -::*");
    CU_ASSERT_EQUAL(load("bind 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: bind: Too many bind addresses specified.");

    /* save lines add up within one load; the next load starts over. */
    CU_ASSERT_TRUE(load_ok("save 900 1\nsave 300 10 60 10000\n"));
    CU_ASSERT_EQUAL(server.save_params_count, 3);
    CU_ASSERT_STRING_EQUAL(get("save"), "900 1 300 10 60 10000");
    CU_ASSERT_TRUE(load_ok("save 3600 1\n"));
    CU_ASSERT_STRING_EQUAL(get("save"), "3600 1");
    CU_ASSERT_TRUE(load_ok("save \"\"\n"));
    CU_ASSERT_STRING_EQUAL(get("save"), "");
    CU_ASSERT_EQUAL(load("save 0 1\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: save: Invalid save parameters");
    CU_ASSERT_EQUAL(load("save 10\n"), -1);

    CU_ASSERT_TRUE(load_ok("client-output-buffer-limit replica 1mb 512kb 30 pubsub 0 0 0\n"
                           "client-output-buffer-limit normal 1 2 3\n"));
    CU_ASSERT_STRING_EQUAL(get("client-output-buffer-limit"),
                           "normal 1 2 3 slave 1048576 524288 30 pubsub 0 0 0");
    CU_ASSERT_EQUAL(load("client-output-buffer-limit master 1 2 3\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: client-output-buffer-limit: Invalid client class "
                                   "specified in buffer limit configuration.");
    CU_ASSERT_EQUAL(load("client-output-buffer-limit normal 1 2\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: client-output-buffer-limit: Wrong number of "
                                   "arguments in buffer limit configuration.");
    CU_ASSERT_EQUAL(load("client-output-buffer-limit normal 1x 2 3\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: client-output-buffer-limit: Error in hard, soft or "
                                   "soft_seconds setting in buffer limit configuration.");
    /* A bad group stores nothing, not even the good groups before it. */
    CU_ASSERT_EQUAL(load("client-output-buffer-limit normal 9 9 9 pubsub 1 1 -1\n"), -1);
    CU_ASSERT_EQUAL(server.client_obuf_limits[CLIENT_TYPE_NORMAL].hard_limit_bytes, 1);
}

/* ---------- file syntax ---------- */

static void test_syntax_and_quoting(void) {
    fresh(1);
    CU_ASSERT_TRUE(load_ok("# comment\n\n   \t\n  port 7001   \r\n"
                           "requirepass \"a\\x41\\n\\\"b\"\n"
                           "pidfile 'single quoted'\n"
                           "LogLevel debug\n"));
    CU_ASSERT_EQUAL(server.port, 7001);
    CU_ASSERT_STRING_EQUAL(server.requirepass, "aA\n\"b");
    CU_ASSERT_STRING_EQUAL(server.pidfile, "single quoted");
    CU_ASSERT_EQUAL(server.verbosity, LL_DEBUG);
    CU_ASSERT_EQUAL(load("port 1\nrequirepass \"open\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:2: unbalanced quotes in configuration line");
    CU_ASSERT_EQUAL(load("port 1\n\nfrobnicate 1\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:3: frobnicate: unknown directive");
    CU_ASSERT_EQUAL(load("tls-cert-file a.crt\n"), -1);
    CU_ASSERT_STRING_EQUAL(
        errbuf, "t.conf:1: tls-cert-file: unknown directive (tls-* keys come from a TLS "
                "transport: add 'loadtransport openssl' or 'loadtransport gnutls' first)");
}

static void test_include(void) {
    fresh(0);
    write_file("inc1.conf", "# included\nport 7100\ninclude sub/inc2.conf\n");
    char sub[PATH_MAX + 8];
    snprintf(sub, sizeof(sub), "%s/sub", tmpdir);
    mkdir(sub, 0755);
    write_file("sub/inc2.conf", "timeout 12\n");
    write_file("bad.conf", "\n\nhz fast\n");
    write_file("g1.conf", "timeout 1\n");
    write_file("g2.conf", "timeout 2\n");
    write_file("loop.conf", "include loop.conf\n");

    char cwd[PATH_MAX];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
    CU_ASSERT_EQUAL_FATAL(chdir(tmpdir), 0);
    CU_ASSERT_TRUE(load_ok("port 1\ninclude inc1.conf\ndatabases 4\n"));
    CU_ASSERT_EQUAL(server.port, 7100);
    CU_ASSERT_EQUAL(server.maxidletime, 12);
    CU_ASSERT_EQUAL(server.dbnum, 4);

    CU_ASSERT_EQUAL(load("port 1\ninclude bad.conf\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "bad.conf:3: hz: argument couldn't be parsed into an integer");
    CU_ASSERT_EQUAL(load("include missing.conf\n"), -1);
    CU_ASSERT_STRING_EQUAL(
        errbuf, "t.conf:1: include: can't open 'missing.conf': No such file or directory");
    CU_ASSERT_EQUAL(load("include a.conf b.conf\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf,
                           "t.conf:1: include: wrong number of arguments (expects one path)");
    CU_ASSERT_TRUE(load_ok("include g?.conf\n")); /* glob, sorted */
    CU_ASSERT_EQUAL(server.maxidletime, 2);
    CU_ASSERT_TRUE(load_ok("include nomatch*.conf\n"));
    CU_ASSERT_EQUAL(load("include loop.conf\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf,
                           "loop.conf:1: include: include nesting too deep (more than 16 levels)");
    CU_ASSERT_EQUAL_FATAL(chdir(cwd), 0);

    /* Sandbox mode (fuzzing) refuses include. */
    fresh(1);
    CU_ASSERT_EQUAL(load("include /dev/null\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: include: include is disabled in sandbox mode");
}

/* ---------- transports and listeners ---------- */

static void test_loadtransport_first(void) {
    fresh(0);
    /* loadtransport runs before everything else: its error wins even
     * though a bad line comes first. */
    CU_ASSERT_EQUAL(load("hz abc\nloadtransport ./no/such/plugin.so\n"), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "t.conf:2: loadtransport: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "no/such/plugin.so"));
    CU_ASSERT_EQUAL(load("loadtransport\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: loadtransport: wrong number of arguments (expects "
                                   "NAME|PATH [args...])");
    /* tcp and unix are loaded automatically when no line names them. */
    CU_ASSERT_TRUE(load_ok("port 7000\n"));
    CU_ASSERT_PTR_NOT_NULL(transport_find("tcp"));
    CU_ASSERT_PTR_NOT_NULL(transport_find("unix"));
    /* CONFIG SET refuses loader directives. */
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "loadtransport", "tcp", NULL),
                           "CONFIG SET failed (possibly related to argument 'loadtransport') - "
                           "loadtransport can only be used at startup");
}

static void test_transport_keys(void) {
    fresh(0);
    if (!transport_find("tcp")) CU_ASSERT_TRUE_FATAL(load_ok("port 7000\n"));
    /* tcp declares tcp-keepalive: the directive feeds its default. */
    CU_ASSERT_TRUE(load_ok("tcp-keepalive 60\n"));
    CU_ASSERT_STRING_EQUAL(transport_default_get("tcp-keepalive"), "60");
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "tcp-keepalive", "45", NULL), "");
    CU_ASSERT_STRING_EQUAL(transport_default_get("tcp-keepalive"), "45");
    config_reset();
    CU_ASSERT_STRING_EQUAL(get("tcp-keepalive"), "300");
}

static int count_listeners(void) {
    return listener_count();
}

static void test_listen(void) {
    fresh(0);
    int before = count_listeners();
    CU_ASSERT_TRUE(load_ok("listen tcp 7300 bind 127.0.0.1 ::1 tcp-keepalive 10\n"
                           "listen unix keyport-test.sock unixsocketperm 700\n"));
    CU_ASSERT_EQUAL_FATAL(count_listeners(), before + 2);
    listener *t = listener_at(before), *u = listener_at(before + 1);
    CU_ASSERT_STRING_EQUAL(t->service, "7300");
    CU_ASSERT_EQUAL(t->naddrs, 2);
    CU_ASSERT_STRING_EQUAL(t->addrs[1], "::1");
    CU_ASSERT_EQUAL(t->nkv, 1);
    CU_ASSERT_STRING_EQUAL(t->keys[0], "tcp-keepalive");
    CU_ASSERT_PTR_NULL(t->loop); /* created, not started: main starts it */
    CU_ASSERT_STRING_EQUAL(u->addrs[0], "./keyport-test.sock");
    config_reset();
    CU_ASSERT_EQUAL(count_listeners(), before);

    CU_ASSERT_EQUAL(load("listen tcp\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: listen: wrong number of arguments (expects "
                                   "TRANSPORT PORT|PATH [bind ADDR...] [key value...])");
    CU_ASSERT_EQUAL(load("listen tcp 7300 bind tcp-keepalive 1\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: listen: bind needs at least one address (IP, '*' "
                                   "or 'localhost')");
    CU_ASSERT_EQUAL(load("listen tcp 7300 tcp-keepalive\n"), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "t.conf:1: listen: key 'tcp-keepalive' has no value");
    CU_ASSERT_EQUAL(load("listen nosuch 7300\n"), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "t.conf:1: listen: unknown transport 'nosuch'"));
    CU_ASSERT_EQUAL(load("listen tcp 7300 bind 127.0.0.1 tls-cert-file x\n"), -1);
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "t.conf:1: listen: "));
    CU_ASSERT_PTR_NOT_NULL(strstr(errbuf, "tls-cert-file"));
    config_reset();
    CU_ASSERT_EQUAL(count_listeners(), before);
}

/* ---------- command line ---------- */

static void test_command_line(void) {
    char out[4096];
    CU_ASSERT_EQUAL(child_load(NULL, "--port 7000 --bind 127.0.0.1 ::1", out, sizeof(out)), 0);
    CU_ASSERT_EQUAL(child_load(NULL, "--port 70000", out, sizeof(out)), 1);
    CU_ASSERT_STRING_EQUAL(out, "--port: argument must be between 0 and 65535 inclusive\n");
    CU_ASSERT_EQUAL(child_load(NULL, "--nosuch 1", out, sizeof(out)), 1);
    CU_ASSERT_STRING_EQUAL(out, "--nosuch: unknown directive\n");
    CU_ASSERT_EQUAL(child_load(NULL, "port 1", out, sizeof(out)), 1);
    CU_ASSERT_STRING_EQUAL(out,
                           "unexpected argument 'port': options are written --directive value\n");
    CU_ASSERT_EQUAL(child_load(tmp_path("nofile.conf"), NULL, out, sizeof(out)), 1);
    CU_ASSERT_PTR_NOT_NULL(strstr(out, "nofile.conf: can't open config file: No such file"));
    write_file("cl.conf", "port 7000\nhz 20\n");
    CU_ASSERT_EQUAL(child_load(tmp_path("cl.conf"), "--hz x", out, sizeof(out)), 1);
    CU_ASSERT_STRING_EQUAL(out, "--hz: argument couldn't be parsed into an integer\n");

    /* In this process: file first, then options override it. */
    fresh(1);
    config_load(tmp_path("cl.conf"), "--hz 30 --save 60 1 30 2 --bind 127.0.0.1 ::1");
    CU_ASSERT_EQUAL(server.port, 7000);
    CU_ASSERT_EQUAL(server.config_hz, 30);
    CU_ASSERT_STRING_EQUAL(get("save"), "60 1 30 2");
    CU_ASSERT_STRING_EQUAL(get("bind"), "127.0.0.1 ::1");
    CU_ASSERT_PTR_NOT_NULL_FATAL(server.configfile);
    CU_ASSERT_PTR_NOT_NULL(strstr(server.configfile, "/cl.conf"));
    CU_ASSERT_EQUAL(server.configfile[0], '/');
}

/* ---------- CONFIG SET / GET ---------- */

static void test_config_set(void) {
    fresh(1);
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "timeout", "30", "maxmemory", "1gb", NULL), "");
    CU_ASSERT_EQUAL(server.maxidletime, 30);
    CU_ASSERT_EQUAL(server.maxmemory, 1ULL << 30);
    /* Atomic: the bad second value leaves the first one unchanged. */
    CU_ASSERT_STRING_EQUAL(
        set_pairs(1, "timeout", "5", "hz", "abc", NULL),
        "CONFIG SET failed (possibly related to argument 'hz') - argument couldn't be parsed into "
        "an integer");
    CU_ASSERT_EQUAL(server.maxidletime, 30);
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "nosuch", "1", NULL),
                           "Unknown option or number of arguments for CONFIG SET - 'nosuch'");
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "hz", "1", "HZ", "2", NULL),
                           "CONFIG SET failed (possibly related to argument 'HZ') - duplicate "
                           "parameter");
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "daemonize", "yes", NULL),
                           "CONFIG SET failed (possibly related to argument 'daemonize') - can't "
                           "set immutable config");
    CU_ASSERT_STRING_EQUAL(set_pairs(0, "dir", "/", NULL),
                           "CONFIG SET failed (possibly related to argument 'dir') - can't set "
                           "protected config");
    CU_ASSERT_STRING_EQUAL(set_pairs(0, "dbfilename", "x.rdb", NULL),
                           "CONFIG SET failed (possibly related to argument 'dbfilename') - can't "
                           "set protected config");
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "dbfilename", "x.rdb", NULL), "");
    CU_ASSERT_STRING_EQUAL(get("dbfilename"), "x.rdb");
    /* Apply hooks: hz is clamped. */
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "hz", "0", NULL), "");
    CU_ASSERT_STRING_EQUAL(get("hz"), "1");
    /* Multi-word values and clearing. */
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "save", "3600 1 300 100", "bind", "127.0.0.1 ::1", NULL),
                           "");
    CU_ASSERT_STRING_EQUAL(get("save"), "3600 1 300 100");
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "save", "", NULL), "");
    CU_ASSERT_STRING_EQUAL(get("save"), "");
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "client-output-buffer-limit", "pubsub 1mb 1mb 0", NULL),
                           "");
    CU_ASSERT_STRING_EQUAL(get("client-output-buffer-limit"),
                           "normal 0 0 0 slave 268435456 67108864 60 pubsub 1048576 1048576 0");
    /* The single-directive API gives the bare reason. */
    char err[256];
    CU_ASSERT_EQUAL(config_set("port", "x", err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "argument couldn't be parsed into an integer");
    CU_ASSERT_EQUAL(config_set("nosuch", "x", err, sizeof(err)), -1);
    CU_ASSERT_STRING_EQUAL(err, "unknown directive");
    CU_ASSERT_EQUAL(config_set("port", "7000", err, sizeof(err)), 0);
}

typedef struct match_list {
    char names[128][64];
    int n;
} match_list;

static void collect(void *ud, const char *name, kstr value) {
    match_list *m = ud;
    (void)value;
    if (m->n < 128) snprintf(m->names[m->n++], 64, "%s", name);
}

static int has_name(match_list *m, const char *name) {
    for (int i = 0; i < m->n; i++)
        if (!strcmp(m->names[i], name)) return 1;
    return 0;
}

static void test_config_get_match(void) {
    fresh(1);
    match_list m = {.n = 0};
    config_foreach_match("max*", collect, &m);
    CU_ASSERT_TRUE(has_name(&m, "maxclients"));
    CU_ASSERT_TRUE(has_name(&m, "maxmemory"));
    CU_ASSERT_FALSE(has_name(&m, "port"));
    for (int i = 0; i < m.n; i++) CU_ASSERT_EQUAL(strncmp(m.names[i], "max", 3), 0);

    /* Hidden directives: only by exact name. */
    m.n = 0;
    config_foreach_match("*", collect, &m);
    CU_ASSERT_FALSE(has_name(&m, "active-expire-enabled"));
    CU_ASSERT_FALSE(has_name(&m, "include"));
    CU_ASSERT_FALSE(has_name(&m, "listen"));
    CU_ASSERT_TRUE(has_name(&m, "client-output-buffer-limit"));
    m.n = 0;
    config_foreach_match("ACTIVE-EXPIRE-ENABLED", collect, &m);
    CU_ASSERT_EQUAL(m.n, 1);
    CU_ASSERT_STRING_EQUAL(m.names[0], "active-expire-enabled");
    m.n = 0;
    config_foreach_match("tim?out", collect, &m);
    CU_ASSERT_EQUAL(m.n, 1);
    m.n = 0;
    config_foreach_match("nosuch", collect, &m);
    CU_ASSERT_EQUAL(m.n, 0);
}

/* ---------- CONFIG REWRITE ---------- */

static const char *const rewrite_input = "# keyport test config\n"
                                         "port 7400\n"
                                         "\n"
                                         "   # an indented comment\n"
                                         "save 900 1\n"
                                         "save 300 10\n"
                                         "maxmemory 100mb\n"
                                         "hz 20\n"
                                         "loglevel verbose\n"
                                         "client-output-buffer-limit pubsub 32mb 8mb 60\n"
                                         "requirepass \"x y\"\n";

static void test_rewrite_round_trip(void) {
    fresh(1);
    write_file("rw.conf", rewrite_input);
    kstr text = read_file(tmp_path("rw.conf"));
    CU_ASSERT_TRUE_FATAL(load_ok(text));
    kstr_free(text);
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "save", "60 5", "maxmemory", "2gb", "hz", "10", "timeout",
                                     "30", "loglevel", "notice", "requirepass", "a \"b\"\n", NULL),
                           "");
    CU_ASSERT_EQUAL_FATAL(config_rewrite(tmp_path("rw.conf"), errbuf, sizeof(errbuf)), 0);
    kstr out = read_file(tmp_path("rw.conf"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    char cwd[PATH_MAX];
    CU_ASSERT_PTR_NOT_NULL_FATAL(getcwd(cwd, sizeof(cwd)));
    char expect[8192];
    snprintf(expect, sizeof(expect),
             "# keyport test config\n"
             "port 7400\n"
             "\n"
             "   # an indented comment\n"
             "save 60 5\n"
             "maxmemory 2gb\n"
             "hz 10\n"
             "loglevel notice\n"
             "client-output-buffer-limit normal 0 0 0\n"
             "client-output-buffer-limit replica 256mb 64mb 60\n"
             "client-output-buffer-limit pubsub 32mb 8mb 60\n"
             "requirepass \"a \\\"b\\\"\\n\"\n"
             "# Generated by CONFIG REWRITE\n"
             "timeout 30\n"
             "dir \"%s\"\n",
             cwd);
    CU_ASSERT_STRING_EQUAL(out, expect);

    /* Reloading the rewritten file gives the same configuration. */
    kstr before = kstr_empty();
    for (const config_def *d = config_table; d->name; d++)
        if (!(d->flags & CFG_F_LOADER))
            before = kstr_catfmt(before, "%s=%s\n", d->name, get(d->name));
    config_reset();
    CU_ASSERT_TRUE(load_ok(out));
    kstr after = kstr_empty();
    for (const config_def *d = config_table; d->name; d++)
        if (!(d->flags & CFG_F_LOADER))
            after = kstr_catfmt(after, "%s=%s\n", d->name, get(d->name));
    CU_ASSERT_STRING_EQUAL(before, after);

    /* A second rewrite with nothing changed is a fixed point. */
    CU_ASSERT_EQUAL(config_rewrite(tmp_path("rw.conf"), errbuf, sizeof(errbuf)), 0);
    kstr again = read_file(tmp_path("rw.conf"));
    CU_ASSERT_STRING_EQUAL(again, out);
    kstr_free(before);
    kstr_free(after);
    kstr_free(again);
    kstr_free(out);

    /* Later additions go after the existing marker; it is not repeated. */
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "maxclients", "500", NULL), "");
    CU_ASSERT_EQUAL(config_rewrite(tmp_path("rw.conf"), errbuf, sizeof(errbuf)), 0);
    out = read_file(tmp_path("rw.conf"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    const char *m1 = strstr(out, "# Generated by CONFIG REWRITE");
    CU_ASSERT_PTR_NOT_NULL(m1);
    CU_ASSERT_PTR_NULL(m1 ? strstr(m1 + 1, "# Generated by CONFIG REWRITE") : NULL);
    size_t len = kstr_len(out);
    CU_ASSERT_TRUE(len > 15 && !strcmp(out + len - 15, "maxclients 500\n"));
    kstr_free(out);

    /* File mode is kept; the temporary file is gone. */
    CU_ASSERT_EQUAL(chmod(tmp_path("rw.conf"), 0600), 0);
    CU_ASSERT_EQUAL(config_rewrite(tmp_path("rw.conf"), errbuf, sizeof(errbuf)), 0);
    struct stat sb;
    CU_ASSERT_EQUAL(stat(tmp_path("rw.conf"), &sb), 0);
    CU_ASSERT_EQUAL(sb.st_mode & 0777, 0600);
    char tmpname[PATH_MAX + 128];
    snprintf(tmpname, sizeof(tmpname), "%s.rewrite-%d.tmp", tmp_path("rw.conf"), (int)getpid());
    CU_ASSERT_NOT_EQUAL(access(tmpname, F_OK), 0);
}

static void test_rewrite_keeps_loader_lines(void) {
    fresh(1);
    write_file("rw2.conf", "listen tcp 7500 bind 127.0.0.1\n"
                           "loadtransport tcp\n"
                           "include other.conf\n"
                           "port 7400\n");
    CU_ASSERT_STRING_EQUAL(set_pairs(1, "port", "7401", NULL), "");
    CU_ASSERT_EQUAL(config_rewrite(tmp_path("rw2.conf"), errbuf, sizeof(errbuf)), 0);
    kstr out = read_file(tmp_path("rw2.conf"));
    CU_ASSERT_PTR_NOT_NULL_FATAL(out);
    CU_ASSERT_EQUAL(strncmp(out,
                            "listen tcp 7500 bind 127.0.0.1\n"
                            "loadtransport tcp\n"
                            "include other.conf\n"
                            "port 7401\n"
                            "# Generated by CONFIG REWRITE\n",
                            strlen("listen tcp 7500 bind 127.0.0.1\nloadtransport tcp\ninclude "
                                   "other.conf\nport 7401\n# Generated by CONFIG REWRITE\n")),
                    0);
    kstr_free(out);
    /* A directory that cannot be written reports the reason. */
    CU_ASSERT_EQUAL(config_rewrite("/proc/keyport-no/such.conf", errbuf, sizeof(errbuf)), -1);
    CU_ASSERT_STRING_EQUAL(errbuf, "No such file or directory");
}

/* ---------- docs ---------- */

static void test_docs_in_sync(void) {
    kstr doc = read_file("docs/config.md");
    CU_ASSERT_PTR_NOT_NULL_FATAL(doc);
    kstr gen = config_doc_markdown(kstr_empty());
    const char *begin = strstr(doc, "<!-- BEGIN DIRECTIVES");
    CU_ASSERT_PTR_NOT_NULL_FATAL(begin);
    int same = strncmp(begin, gen, kstr_len(gen)) == 0;
    if (!same)
        fprintf(stderr, "\ndocs/config.md is stale: replace everything from its '<!-- BEGIN "
                        "DIRECTIVES' line on with the output of src/keyport-server "
                        "--dump-config-doc\n");
    CU_ASSERT_TRUE(same);
    for (const config_def *d = config_table; d->name; d++) {
        char needle[128];
        snprintf(needle, sizeof(needle), "| `%s`", d->name);
        CU_ASSERT_PTR_NOT_NULL(strstr(doc, needle));
    }
    kstr_free(gen);
    kstr_free(doc);
}

/* ---------- fuzz regressions ---------- */

static void test_fuzz_regressions(void) {
    static const char *const inputs[] = {"listen tcp 1 bind\n",
                                         "listen tcp 1 bind 127.0.0.1\n",
                                         "save\n",
                                         "bind\n",
                                         "client-output-buffer-limit\n",
                                         "dir\n",
                                         "\"\"\n",
                                         "port \"\"\n",
                                         "port '\n",
                                         "include\n",
                                         "loadtransport x y z\n",
                                         "tls-port 99999999999999999999999\n",
                                         NULL};
    for (int i = 0; inputs[i]; i++) {
        fresh(1);
        (void)load(inputs[i]);
        config_reset();
    }
    CU_PASS("no crash");
}

int main(void) {
    if (CU_initialize_registry() != CUE_SUCCESS) return 1;
    CU_pSuite s = CU_add_suite("config", suite_init, suite_clean);
    CU_add_test(s, "defaults", test_defaults);
    CU_add_test(s, "bool values", test_bool);
    CU_add_test(s, "integer values", test_int);
    CU_add_test(s, "octal values", test_octal);
    CU_add_test(s, "memory values", test_memory);
    CU_add_test(s, "enum values", test_enum);
    CU_add_test(s, "string values", test_string);
    CU_add_test(s, "bind, save, client-output-buffer-limit", test_special);
    CU_add_test(s, "file syntax and quoting", test_syntax_and_quoting);
    CU_add_test(s, "include", test_include);
    CU_add_test(s, "loadtransport first", test_loadtransport_first);
    CU_add_test(s, "transport keys", test_transport_keys);
    CU_add_test(s, "listen", test_listen);
    CU_add_test(s, "command line", test_command_line);
    CU_add_test(s, "CONFIG SET", test_config_set);
    CU_add_test(s, "CONFIG GET matching", test_config_get_match);
    CU_add_test(s, "CONFIG REWRITE round trip", test_rewrite_round_trip);
    CU_add_test(s, "CONFIG REWRITE keeps loader lines", test_rewrite_keeps_loader_lines);
    CU_add_test(s, "docs/config.md in sync", test_docs_in_sync);
    CU_add_test(s, "fuzz regressions", test_fuzz_regressions);
    CU_basic_set_mode(CU_BRM_VERBOSE);
    CU_basic_run_tests();
    unsigned failures = CU_get_number_of_failures();
    CU_cleanup_registry();
    return failures ? 1 : 0;
}
