/*
 * The CONFIG command: GET, SET, RESETSTAT, REWRITE, HELP, with Redis 7's
 * replies and error texts.
 */
#include <string.h>

#include "config.h"
#include "server.h"

static const char *arg(client *c, int i) {
    return (const char *)c->argv[i]->ptr;
}

/* ---------- CONFIG GET ---------- */

typedef struct get_reply {
    client *c;
    long count;
    const char **seen; /* names already in the reply (several patterns) */
    int nseen;
} get_reply;

static void emit_pair(void *ud, const char *name, kstr value) {
    get_reply *r = ud;
    for (int i = 0; i < r->nseen; i++)
        if (!strcmp(r->seen[i], name)) return;
    r->seen = zrealloc(r->seen, sizeof(char *) * (size_t)(r->nseen + 1));
    r->seen[r->nseen++] = zstrdup(name);
    add_reply_bulk_cstr(r->c, name);
    add_reply_bulk_buf(r->c, value, kstr_len(value));
    r->count++;
}

static void config_get_command(client *c) {
    get_reply r = {c, 0, NULL, 0};
    void *len = add_reply_deferred_len(c);
    for (int i = 2; i < c->argc; i++) config_foreach_match(arg(c, i), emit_pair, &r);
    set_deferred_map_len(c, len, r.count);
    for (int i = 0; i < r.nseen; i++) zfree((void *)r.seen[i]);
    zfree(r.seen);
}

/* ---------- CONFIG SET ---------- */

static int protected_allowed(client *c) {
    switch (server.enable_protected_configs) {
    case PROTECTED_ACTION_ALLOWED_YES: return 1;
    case PROTECTED_ACTION_ALLOWED_LOCAL: return !c->conn || conn_is_local(c->conn);
    default: return 0;
    }
}

static void config_set_command(client *c) {
    if (c->argc % 2) {
        add_reply_error_syntax(c);
        return;
    }
    int n = (c->argc - 2) / 2;
    const char **names = zmalloc(sizeof(char *) * (size_t)n);
    const char **values = zmalloc(sizeof(char *) * (size_t)n);
    for (int i = 0; i < n; i++) {
        names[i] = arg(c, 2 + 2 * i);
        values[i] = arg(c, 3 + 2 * i);
    }
    char err[1024];
    if (config_set_multi(n, names, values, protected_allowed(c), err, sizeof(err)) == 0)
        add_reply_ok(c);
    else
        add_reply_errorf(c, "ERR %s", err);
    zfree(names);
    zfree(values);
}

/* ---------- CONFIG RESETSTAT / REWRITE / HELP ---------- */

static void config_resetstat_command(client *c) {
    stats_reset();
    add_reply_ok(c);
}

static void config_rewrite_command(client *c) {
    if (!server.configfile) {
        add_reply_error(c, "ERR The server is running without a config file");
        return;
    }
    char err[1024];
    if (config_rewrite(server.configfile, err, sizeof(err)) != 0) {
        server_log(LL_WARNING, "CONFIG REWRITE failed: %s", err);
        add_reply_errorf(c, "ERR Rewriting config file: %s", err);
        return;
    }
    server_log(LL_NOTICE, "CONFIG REWRITE executed with success.");
    add_reply_ok(c);
}

static void config_help_command(client *c) {
    static const char *const help[] = {
        "GET <pattern>",
        "    Return parameters matching the glob-like <pattern> and their values.",
        "SET <directive> <value>",
        "    Set the configuration <directive> to <value>.",
        "RESETSTAT",
        "    Reset statistics reported by the INFO command.",
        "REWRITE",
        "    Rewrite the configuration file.",
        NULL};
    add_reply_help(c, help);
}

/* Reached only if dispatch did not resolve a subcommand. */
static void config_command(client *c) {
    add_reply_error_subcommand(c);
}

#define CONFIG_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static kcommand config_subcommands[] = {
    {.name = "get",
     .proc = config_get_command,
     .arity = -3,
     .flags = CONFIG_FLAGS,
     .group = "server",
     .summary = "Get the values of configuration parameters",
     .since = "2.0.0",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .acl_categories = "@admin @slow @dangerous",
     .syntax = "parameter [parameter ...]"},
    {.name = "set",
     .proc = config_set_command,
     .arity = -4,
     .flags = CONFIG_FLAGS,
     .group = "server",
     .summary = "Set configuration parameters to the given values",
     .since = "2.0.0",
     .complexity = "O(N) when N is the number of configuration parameters provided",
     .acl_categories = "@admin @slow @dangerous",
     .syntax = "parameter value [parameter value ...]"},
    {.name = "resetstat",
     .proc = config_resetstat_command,
     .arity = 2,
     .flags = CONFIG_FLAGS,
     .group = "server",
     .summary = "Reset the stats returned by INFO",
     .since = "2.0.0",
     .complexity = "O(1)",
     .acl_categories = "@admin @slow @dangerous",
     .syntax = ""},
    {.name = "rewrite",
     .proc = config_rewrite_command,
     .arity = 2,
     .flags = CONFIG_FLAGS,
     .group = "server",
     .summary = "Rewrite the configuration file with the in memory configuration",
     .since = "2.8.0",
     .complexity = "O(1)",
     .acl_categories = "@admin @slow @dangerous",
     .syntax = ""},
    {.name = "help",
     .proc = config_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Show helpful text about the different subcommands",
     .since = "5.0.0",
     .complexity = "O(1)",
     .acl_categories = "@slow",
     .syntax = ""},
    {.name = NULL}};

kcommand config_commands[] = {{.name = "config",
                               .proc = config_command,
                               .arity = -2,
                               .flags = 0,
                               .group = "server",
                               .summary = "A container for server configuration commands",
                               .since = "2.0.0",
                               .complexity = "Depends on subcommand.",
                               .acl_categories = "@slow",
                               .syntax = "",
                               .subcommands = config_subcommands},
                              {.name = NULL}};
