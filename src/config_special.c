/*
 * Directives with their own syntax (bind, save, client-output-buffer-limit,
 * dir, dbfilename) and the apply hooks that make runtime changes take
 * effect. Error texts are Redis 7's.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "acl.h"
#include "config.h"
#include "config_internal.h"
#include "listen.h"
#include "notify.h"
#include "server.h"

#define CONFIG_BINDADDR_MAX 16
#define CONFIG_MIN_HZ 1
#define CONFIG_MAX_HZ 500
#define CONFIG_MIN_RESERVED_FDS 32
#define CONFIG_FDSET_INCR 128 /* server_init sizes the loop maxclients + 128 */

/* ---------- loader directives ---------- */

/* include, loadtransport and listen are handled by the loader; any other
 * path to them (CONFIG SET) is a runtime attempt. */
int cfg_parse_loader(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                     size_t errlen) {
    snprintf(err, errlen, "%s can only be used at startup", d->name);
    return -1;
}

/* ---------- bind ---------- */

int cfg_parse_bind(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                   size_t errlen) {
    if (argc == 1 && argv[0][0] == '\0') argc = 0; /* bind "" */
    if (argc > CONFIG_BINDADDR_MAX) {
        snprintf(err, errlen, "Too many bind addresses specified.");
        return -1;
    }
    for (int i = 0; i < argc; i++) {
        if (argv[i][0] == '\0') {
            snprintf(err, errlen, "bind address %d is empty", i + 1);
            return -1;
        }
        /* CONFIG GET joins the addresses with spaces: keep that reversible. */
        for (const char *p = argv[i]; *p; p++) {
            if ((unsigned char)*p <= ' ' || *p == '"' || *p == '\'' || *p == '\\') {
                snprintf(err, errlen, "bind address %d contains a blank or a quote", i + 1);
                return -1;
            }
        }
    }
    for (int i = 0; i < server.bindaddr_count; i++) zfree(server.bindaddr[i]);
    zfree(server.bindaddr);
    server.bindaddr = argc ? zmalloc(sizeof(char *) * (size_t)argc) : NULL;
    for (int i = 0; i < argc; i++) server.bindaddr[i] = zstrdup(argv[i]);
    server.bindaddr_count = argc;
    return 0;
}

kstr cfg_format_bind(const config_def *d, kstr out) {
    for (int i = 0; i < server.bindaddr_count; i++)
        out = kstr_catfmt(out, "%s%s", i ? " " : "", server.bindaddr[i]);
    return out;
}

/* A word that needs no quotes to survive kstr_split_args. */
static int is_plain_word(const char *s) {
    if (!*s) return 0;
    for (; *s; s++)
        if (*s <= ' ' || *s == '"' || *s == '\'' || *s == '\\' || *s == 0x7f) return 0;
    return 1;
}

static kstr cat_word(kstr out, const char *s) {
    if (is_plain_word(s)) return kstr_cat_cstr(out, s);
    return kstr_cat_repr(out, s, strlen(s));
}

kstr cfg_rewrite_bind(const config_def *d, kstr out) {
    out = kstr_cat_cstr(out, "bind");
    if (server.bindaddr_count == 0) out = kstr_cat_cstr(out, " \"\"");
    for (int i = 0; i < server.bindaddr_count; i++) {
        out = kstr_cat(out, " ", 1);
        out = cat_word(out, server.bindaddr[i]);
    }
    return kstr_cat(out, "\n", 1);
}

/* ---------- save ---------- */

/* `--save "3600 1 300 100"` on the command line arrives as one argument:
 * split it as redis-server does. */
static int save_parse_split(const config_def *d, const char *arg, const cfg_ctx *ctx, char *err,
                            size_t errlen) {
    char *copy = zstrdup(arg), *save_ptr = NULL, *words[64];
    int n = 0;
    for (char *w = strtok_r(copy, " \t", &save_ptr); w; w = strtok_r(NULL, " \t", &save_ptr)) {
        if (n == 64) {
            zfree(copy);
            snprintf(err, errlen, "Invalid save parameters");
            return -1;
        }
        words[n++] = w;
    }
    int ret = cfg_parse_save(d, n, words, ctx, err, errlen);
    zfree(copy);
    return ret;
}

int cfg_parse_save(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                   size_t errlen) {
    if (argc == 1 && strpbrk(argv[0], " \t") && argv[0][strspn(argv[0], " \t")] != '\0')
        return save_parse_split(d, argv[0], ctx, err, errlen);
    int clear = argc == 0 || (argc == 1 && argv[0][0] == '\0');
    if (!clear && argc % 2 != 0) {
        snprintf(err, errlen, "Invalid save parameters");
        return -1;
    }
    long long *vals = clear ? NULL : zmalloc(sizeof(long long) * (size_t)argc);
    for (int i = 0; !clear && i < argc; i++) {
        char *end;
        errno = 0;
        long long v = strtoll(argv[i], &end, 10);
        /* Seconds must be positive, changes may be zero. */
        if (errno || end == argv[i] || *end != '\0' || v < (i % 2 == 0 ? 1 : 0)) {
            zfree(vals);
            snprintf(err, errlen, "Invalid save parameters");
            return -1;
        }
        vals[i] = v;
    }
    /* A config file's save lines add up; the first one in a load, and any
     * CONFIG SET, replaces the list. */
    if (ctx->runtime || ctx->first || clear) {
        zfree(server.save_params);
        server.save_params = NULL;
        server.save_params_count = 0;
    }
    if (!clear) {
        int n = server.save_params_count * 2;
        server.save_params = zrealloc(server.save_params, sizeof(long long) * (size_t)(n + argc));
        memcpy(server.save_params + n, vals, sizeof(long long) * (size_t)argc);
        server.save_params_count += argc / 2;
    }
    zfree(vals);
    return 0;
}

kstr cfg_format_save(const config_def *d, kstr out) {
    for (int i = 0; i < server.save_params_count; i++)
        out = kstr_catfmt(out, "%s%lld %lld", i ? " " : "", server.save_params[2 * i],
                          server.save_params[2 * i + 1]);
    return out;
}

kstr cfg_rewrite_save(const config_def *d, kstr out) {
    if (server.save_params_count == 0) return kstr_cat_cstr(out, "save \"\"\n");
    for (int i = 0; i < server.save_params_count; i++)
        out = kstr_catfmt(out, "save %lld %lld\n", server.save_params[2 * i],
                          server.save_params[2 * i + 1]);
    return out;
}

/* ---------- client-output-buffer-limit ---------- */

static int obuf_class(const char *name) {
    if (!strcasecmp(name, "normal")) return CLIENT_TYPE_NORMAL;
    if (!strcasecmp(name, "replica") || !strcasecmp(name, "slave")) return CLIENT_TYPE_REPLICA;
    if (!strcasecmp(name, "pubsub")) return CLIENT_TYPE_PUBSUB;
    return -1;
}

static const char *const obuf_get_names[CLIENT_TYPE_OBUF_COUNT] = {"normal", "slave", "pubsub"};
static const char *const obuf_rewrite_names[CLIENT_TYPE_OBUF_COUNT] = {"normal", "replica",
                                                                       "pubsub"};

int cfg_parse_obuf(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                   size_t errlen) {
    if (argc % 4 != 0) {
        snprintf(err, errlen, "Wrong number of arguments in buffer limit configuration.");
        return -1;
    }
    int ngroups = argc / 4;
    int classes[CLIENT_TYPE_OBUF_COUNT * 8];
    client_buffer_limit vals[CLIENT_TYPE_OBUF_COUNT * 8];
    if (ngroups > (int)(sizeof(classes) / sizeof(classes[0]))) {
        snprintf(err, errlen, "Wrong number of arguments in buffer limit configuration.");
        return -1;
    }
    /* Everything is checked before anything is stored. */
    for (int g = 0; g < ngroups; g++) {
        char **a = argv + g * 4;
        classes[g] = obuf_class(a[0]);
        if (classes[g] < 0) {
            snprintf(err, errlen, "Invalid client class specified in buffer limit configuration.");
            return -1;
        }
        int e1 = 0, e2 = 0;
        long long hard = memtoll(a[1], &e1);
        long long soft = memtoll(a[2], &e2);
        char *end;
        errno = 0;
        long long secs = strtoll(a[3], &end, 10);
        if (e1 || e2 || hard < 0 || soft < 0 || errno || end == a[3] || *end != '\0' || secs < 0) {
            snprintf(err, errlen,
                     "Error in hard, soft or soft_seconds setting in buffer limit configuration.");
            return -1;
        }
        vals[g].hard_limit_bytes = (unsigned long long)hard;
        vals[g].soft_limit_bytes = (unsigned long long)soft;
        vals[g].soft_limit_seconds = (time_t)secs;
    }
    for (int g = 0; g < ngroups; g++) server.client_obuf_limits[classes[g]] = vals[g];
    return 0;
}

kstr cfg_format_obuf(const config_def *d, kstr out) {
    for (int j = 0; j < CLIENT_TYPE_OBUF_COUNT; j++) {
        const client_buffer_limit *l = &server.client_obuf_limits[j];
        out =
            kstr_catfmt(out, "%s%s %llu %llu %lld", j ? " " : "", obuf_get_names[j],
                        l->hard_limit_bytes, l->soft_limit_bytes, (long long)l->soft_limit_seconds);
    }
    return out;
}

static kstr cat_mem_units(kstr out, unsigned long long v) {
    const unsigned long long gb = 1024ULL * 1024 * 1024, mb = 1024ULL * 1024, kb = 1024;
    if (v && v % gb == 0) return kstr_catfmt(out, "%llugb", v / gb);
    if (v && v % mb == 0) return kstr_catfmt(out, "%llumb", v / mb);
    if (v && v % kb == 0) return kstr_catfmt(out, "%llukb", v / kb);
    return kstr_catfmt(out, "%llu", v);
}

kstr cfg_rewrite_obuf(const config_def *d, kstr out) {
    for (int j = 0; j < CLIENT_TYPE_OBUF_COUNT; j++) {
        const client_buffer_limit *l = &server.client_obuf_limits[j];
        out = kstr_catfmt(out, "client-output-buffer-limit %s ", obuf_rewrite_names[j]);
        out = cat_mem_units(out, l->hard_limit_bytes);
        out = kstr_cat(out, " ", 1);
        out = cat_mem_units(out, l->soft_limit_bytes);
        out = kstr_catfmt(out, " %lld\n", (long long)l->soft_limit_seconds);
    }
    return out;
}

/* ---------- dir ---------- */

int cfg_parse_dir(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                  size_t errlen) {
    if (argc != 1) {
        snprintf(err, errlen, "wrong number of arguments (expects exactly one value, got %d)",
                 argc);
        return -1;
    }
    if (config_sandboxed()) {
        zfree(server.dir);
        server.dir = zstrdup(argv[0]);
        return 0;
    }
    if (chdir(argv[0]) == -1) {
        snprintf(err, errlen, "%s", strerror(errno));
        return -1;
    }
    char cwd[PATH_MAX];
    zfree(server.dir);
    server.dir = zstrdup(getcwd(cwd, sizeof(cwd)) ? cwd : argv[0]);
    return 0;
}

kstr cfg_format_dir(const config_def *d, kstr out) {
    if (server.dir) return kstr_cat_cstr(out, server.dir);
    char cwd[PATH_MAX];
    return kstr_cat_cstr(out, getcwd(cwd, sizeof(cwd)) ? cwd : "");
}

/* ---------- dbfilename ---------- */

int cfg_parse_dbfilename(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                         size_t errlen) {
    if (argc != 1) {
        snprintf(err, errlen, "wrong number of arguments (expects exactly one value, got %d)",
                 argc);
        return -1;
    }
    if (strchr(argv[0], '/')) {
        snprintf(err, errlen, "dbfilename can't be a path, just a filename");
        return -1;
    }
    zfree(server.dbfilename);
    server.dbfilename = zstrdup(argv[0]);
    return 0;
}

kstr cfg_format_dbfilename(const config_def *d, kstr out) {
    return kstr_cat_cstr(out, server.dbfilename ? server.dbfilename : "");
}

/* notify-keyspace-events: Redis' flag letters (notify.c parses and
 * formats them). */
int cfg_parse_notify(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                     size_t errlen) {
    if (argc > 1) {
        snprintf(err, errlen, "wrong number of arguments");
        return -1;
    }
    int flags = notify_flags_from_string(argc ? argv[0] : "");
    if (flags == -1) {
        snprintf(err, errlen, "Invalid event class character. Use 'Ag$lshzxeKEtmdn'.");
        return -1;
    }
    server.notify_keyspace_events = flags;
    return 0;
}

kstr cfg_format_notify(const config_def *d, kstr out) {
    kstr flags = notify_flags_to_string(server.notify_keyspace_events);
    out = kstr_cat_kstr(out, flags);
    kstr_free(flags);
    return out;
}

/* ---------- apply hooks ---------- */

/* port, bind, unixsocket, unixsocketperm, tls-port, tls-transport: rebind
 * the implicit listeners. Before the event loop exists (loading, unit
 * tests) main binds them later. */
int cfg_apply_listeners(const char *name, char *err, size_t errlen) {
    if (!server.el || config_sandboxed()) return 0;
    return listeners_apply_shorthands(err, errlen) == C_OK ? 0 : -1;
}

int cfg_apply_hz(const char *name, char *err, size_t errlen) {
    if (server.config_hz < CONFIG_MIN_HZ) server.config_hz = CONFIG_MIN_HZ;
    if (server.config_hz > CONFIG_MAX_HZ) server.config_hz = CONFIG_MAX_HZ;
    server.hz = server.config_hz;
    return 0;
}

/* Raises the open files limit and the event loop size for a larger
 * maxclients, as Redis does; a smaller value needs nothing. */
int cfg_apply_maxclients(const char *name, char *err, size_t errlen) {
    if (!server.el) return 0;
    rlim_t needed = (rlim_t)server.maxclients + CONFIG_MIN_RESERVED_FDS;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < needed) {
        struct rlimit want = rl;
        want.rlim_cur = needed;
        if (want.rlim_max < needed) want.rlim_max = needed;
        if (setrlimit(RLIMIT_NOFILE, &want) != 0) {
            /* Take what the hard limit allows and say how much that is. */
            want.rlim_cur = rl.rlim_max;
            want.rlim_max = rl.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &want) == 0) rl.rlim_cur = rl.rlim_max;
            unsigned long long can = rl.rlim_cur > CONFIG_MIN_RESERVED_FDS
                                         ? (unsigned long long)rl.rlim_cur - CONFIG_MIN_RESERVED_FDS
                                         : 1;
            snprintf(err, errlen,
                     "The operating system is not able to handle the specified number of "
                     "clients, try with %llu",
                     can);
            return -1;
        }
    }
    int setsize = (int)((long long)server.maxclients + CONFIG_FDSET_INCR > INT_MAX
                            ? INT_MAX
                            : (long long)server.maxclients + CONFIG_FDSET_INCR);
    if (ae_get_setsize(server.el) < setsize && ae_resize(server.el, setsize) != AE_OK) {
        snprintf(err, errlen,
                 "The event loop API used by keyport is not able to handle the "
                 "specified number of clients");
        return -1;
    }
    return 0;
}

int cfg_apply_transport_key(const char *name, char *err, size_t errlen) {
    if (config_sandboxed()) return 0;
    return listeners_reconfigure_key(name, err, errlen);
}

/* ---------- ACL directives (acl.h) ---------- */

int cfg_parse_user(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                   size_t errlen) {
    return acl_config_user_line(argc, argv, ctx->first, err, errlen);
}

int cfg_parse_rename(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                     size_t errlen) {
    return acl_config_rename_command(argc, argv, ctx->first, !config_sandboxed(), err, errlen);
}

/* user and rename-command have no single value to show in CONFIG GET. */
kstr cfg_format_none(const config_def *d, kstr out) {
    return out;
}

kstr cfg_rewrite_user(const config_def *d, kstr out) {
    return acl_config_user_rewrite(out);
}

kstr cfg_rewrite_rename(const config_def *d, kstr out) {
    return acl_config_rename_rewrite(out);
}

int cfg_apply_requirepass(const char *name, char *err, size_t errlen) {
    return acl_config_apply_requirepass(err, errlen);
}
