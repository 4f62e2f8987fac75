/*
 * Server commands: COMMAND (COUNT, DOCS, GETKEYS, GETKEYSANDFLAGS, HELP,
 * INFO, LIST), INFO, TIME and SHUTDOWN, with Redis 7's replies and error
 * texts.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>

#include "cmd_docs.h"
#include "server.h"

static const char *arg(client *c, int i) {
    return (const char *)c->argv[i]->ptr;
}

/* ---------- COMMAND ---------- */

static void reply_all_command_info(client *c) {
    dict *d = commands_dict();
    add_reply_array_len(c, (long)dict_size(d));
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    dict_entry *de;
    while ((de = dict_next(&it))) reply_command_info(c, de->v.val);
    dict_iter_reset(&it);
}

/* COMMAND with no arguments. */
static void command_command(client *c) {
    reply_all_command_info(c);
}

static void command_count_command(client *c) {
    add_reply_ll(c, (long long)dict_size(commands_dict()));
}

static void command_info_command(client *c) {
    if (c->argc == 2) {
        reply_all_command_info(c);
        return;
    }
    add_reply_array_len(c, c->argc - 2);
    for (int i = 2; i < c->argc; i++) {
        kcommand *cmd = command_lookup_name(arg(c, i));
        if (cmd)
            reply_command_info(c, cmd);
        else
            add_reply_null(c);
    }
}

static void command_docs_command(client *c) {
    if (c->argc == 2) {
        dict *d = commands_dict();
        add_reply_map_len(c, (long)dict_size(d));
        dict_iterator it;
        dict_iter_init(&it, d, 0);
        dict_entry *de;
        while ((de = dict_next(&it))) {
            kcommand *cmd = de->v.val;
            add_reply_bulk_cstr(c, cmd->fullname ? cmd->fullname : cmd->name);
            reply_command_docs(c, cmd);
        }
        dict_iter_reset(&it);
        return;
    }
    /* Unknown names are left out, as Redis does. */
    void *len = add_reply_deferred_len(c);
    long n = 0;
    for (int i = 2; i < c->argc; i++) {
        kcommand *cmd = command_lookup_name(arg(c, i));
        if (!cmd) continue;
        add_reply_bulk_cstr(c, cmd->fullname ? cmd->fullname : cmd->name);
        reply_command_docs(c, cmd);
        n++;
    }
    set_deferred_map_len(c, len, n);
}

typedef enum list_filter { FILTER_NONE, FILTER_MODULE, FILTER_ACLCAT, FILTER_PATTERN } list_filter;

static int list_match(kcommand *cmd, list_filter f, const char *value) {
    const char *name = cmd->fullname ? cmd->fullname : cmd->name;
    switch (f) {
    case FILTER_NONE: return 1;
    case FILTER_MODULE: return 0; /* no modules yet */
    case FILTER_ACLCAT: return command_has_category(cmd, value);
    case FILTER_PATTERN: return string_match_len(value, strlen(value), name, strlen(name), 1);
    }
    return 0;
}

static void command_list_command(client *c) {
    list_filter f = FILTER_NONE;
    const char *value = NULL;
    if (c->argc == 5 && !strcasecmp(arg(c, 2), "filterby")) {
        value = arg(c, 4);
        if (!strcasecmp(arg(c, 3), "module"))
            f = FILTER_MODULE;
        else if (!strcasecmp(arg(c, 3), "aclcat"))
            f = FILTER_ACLCAT;
        else if (!strcasecmp(arg(c, 3), "pattern"))
            f = FILTER_PATTERN;
        else {
            add_reply_error_syntax(c);
            return;
        }
    } else if (c->argc != 2) {
        add_reply_error_syntax(c);
        return;
    }
    void *len = add_reply_deferred_len(c);
    long n = 0;
    dict_iterator it;
    dict_iter_init(&it, commands_dict(), 0);
    dict_entry *de;
    while ((de = dict_next(&it))) {
        kcommand *cmd = de->v.val;
        if (list_match(cmd, f, value)) {
            add_reply_bulk_cstr(c, cmd->fullname ? cmd->fullname : cmd->name);
            n++;
        }
        for (kcommand *s = cmd->subcommands; s && s->name; s++) {
            if (!list_match(s, f, value)) continue;
            add_reply_bulk_cstr(c, s->fullname ? s->fullname : s->name);
            n++;
        }
    }
    dict_iter_reset(&it);
    set_deferred_array_len(c, len, n);
}

/* GETKEYS and GETKEYSANDFLAGS. */
static void reply_keys(client *c, int with_flags) {
    kobj **argv = c->argv + 2;
    int argc = c->argc - 2;
    kcommand *cmd = command_lookup(argv, argc);
    if (!cmd) {
        add_reply_error(c, "ERR Invalid command specified");
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        add_reply_error(c, "ERR Invalid number of arguments specified for command");
        return;
    }
    int *pos = zmalloc(sizeof(int) * (size_t)argc);
    int n = command_key_positions(cmd, argc, pos, argc);
    if (n == 0) {
        add_reply_error(c, "ERR The command has no key arguments");
    } else {
        add_reply_array_len(c, n);
        for (int i = 0; i < n; i++) {
            if (with_flags) {
                add_reply_array_len(c, 2);
                add_reply_bulk(c, argv[pos[i]]);
                add_reply_set_len(c, 2);
                add_reply_status(c, (cmd->flags & CMD_WRITE) ? "RW" : "RO");
                add_reply_status(c, (cmd->flags & CMD_WRITE) ? "update" : "access");
            } else {
                add_reply_bulk(c, argv[pos[i]]);
            }
        }
    }
    zfree(pos);
}

static void command_getkeys_command(client *c) {
    reply_keys(c, 0);
}

static void command_getkeysandflags_command(client *c) {
    reply_keys(c, 1);
}

static void command_help_command(client *c) {
    static const char *const help[] = {
        "(no subcommand)",
        "    Return details about all Redis commands.",
        "COUNT",
        "    Return the total number of commands in this Redis server.",
        "LIST",
        "    Return a list of all commands in this Redis server.",
        "INFO [<command-name> ...]",
        "    Return details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "DOCS [<command-name> ...]",
        "    Return documentation details about multiple Redis commands.",
        "    If no command names are given, documentation details for all",
        "    commands are returned.",
        "GETKEYS <full-command>",
        "    Return the keys from a full Redis command.",
        "GETKEYSANDFLAGS <full-command>",
        "    Return the keys and the access flags from a full Redis command.",
        NULL};
    add_reply_help(c, help);
}

/* ---------- INFO ---------- */

static void info_command(client *c) {
    kstr info = kstr_empty();
    if (c->argc == 1) {
        info = gen_info_string(info, "default");
    } else {
        /* Several sections: each once, in INFO's own order. */
        kstr sections = kstr_empty();
        for (int i = 1; i < c->argc; i++) {
            if (i > 1) sections = kstr_cat(sections, " ", 1);
            sections = kstr_cat_cstr(sections, arg(c, i));
        }
        info = gen_info_string(info, sections);
        kstr_free(sections);
    }
    add_reply_verbatim(c, info, kstr_len(info), "txt");
    kstr_free(info);
}

/* ---------- TIME ---------- */

static void time_command(client *c) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    add_reply_array_len(c, 2);
    add_reply_bulk_ll(c, (long long)tv.tv_sec);
    add_reply_bulk_ll(c, (long long)tv.tv_usec);
}

/* ---------- SHUTDOWN ---------- */

static void shutdown_command(client *c) {
    int flags = SHUTDOWN_NOFLAGS, abort_req = 0;
    for (int i = 1; i < c->argc; i++) {
        const char *a = arg(c, i);
        if (!strcasecmp(a, "nosave"))
            flags |= SHUTDOWN_NOSAVE;
        else if (!strcasecmp(a, "save"))
            flags |= SHUTDOWN_SAVE;
        else if (!strcasecmp(a, "now"))
            flags |= SHUTDOWN_NOW;
        else if (!strcasecmp(a, "force"))
            flags |= SHUTDOWN_FORCE;
        else if (!strcasecmp(a, "abort"))
            abort_req = 1;
        else {
            add_reply_error_syntax(c);
            return;
        }
    }
    if ((abort_req && flags != SHUTDOWN_NOFLAGS) ||
        ((flags & SHUTDOWN_SAVE) && (flags & SHUTDOWN_NOSAVE))) {
        add_reply_error_syntax(c);
        return;
    }
    if (abort_req) {
        /* Shutdowns never wait (no replicas to catch up yet). */
        add_reply_error(c, "ERR No shutdown in progress.");
        return;
    }
    /* NOW has no effect: there are no replicas to wait for. */
    if (!(flags & SHUTDOWN_NOW) && (c->flags & CLIENT_DENY_BLOCKING)) {
        add_reply_error(c,
                        "ERR SHUTDOWN without NOW or ABORT isn't allowed for DENY BLOCKING client");
        return;
    }
    /* prepare_for_shutdown() frees every client, this one included (an
     * executing client would only be queued for a later free), and C_OK
     * means it is done: exit without touching c again. C_ERR means it
     * stopped before freeing anything, so c can still get the error. */
    c->flags &= ~CLIENT_EXECUTING;
    if (prepare_for_shutdown(flags) == C_OK) exit(0);
    c->flags |= CLIENT_EXECUTING;
    add_reply_error(c, "ERR Errors trying to SHUTDOWN. Check logs.");
}

/* ---------- table ---------- */

static kcommand command_subcommands[] = {
    {.name = "count",
     .proc = command_count_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Get total number of Redis commands",
     .since = "2.8.13",
     .complexity = "O(1)",
     .acl_categories = "@slow @connection",
     .syntax = ""},
    {.name = "docs",
     .proc = command_docs_command,
     .arity = -2,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Get array of specific Redis command documentation",
     .since = "7.0.0",
     .complexity = "O(N) where N is the number of commands to look up",
     .acl_categories = "@slow @connection",
     .syntax = "[command-name [command-name ...]]"},
    {.name = "getkeys",
     .proc = command_getkeys_command,
     .arity = -4,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Extract keys given a full Redis command",
     .since = "2.8.13",
     .complexity = "O(N) where N is the number of arguments to the command",
     .acl_categories = "@slow @connection",
     .syntax = "command [arg [arg ...]]"},
    {.name = "getkeysandflags",
     .proc = command_getkeysandflags_command,
     .arity = -4,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Extract keys and access flags given a full Redis command",
     .since = "7.0.0",
     .complexity = "O(N) where N is the number of arguments to the command",
     .acl_categories = "@slow @connection",
     .syntax = "command [arg [arg ...]]"},
    {.name = "help",
     .proc = command_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Show helpful text about the different subcommands",
     .since = "5.0.0",
     .complexity = "O(1)",
     .acl_categories = "@slow @connection",
     .syntax = ""},
    {.name = "info",
     .proc = command_info_command,
     .arity = -2,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Get array of specific Redis command details, or all when no argument is given.",
     .since = "2.8.13",
     .complexity = "O(N) where N is the number of commands to look up",
     .acl_categories = "@slow @connection",
     .syntax = "[command-name [command-name ...]]"},
    {.name = "list",
     .proc = command_list_command,
     .arity = -2,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Get an array of Redis command names",
     .since = "7.0.0",
     .complexity = "O(N) where N is the total number of Redis commands",
     .acl_categories = "@slow @connection",
     .syntax = "[FILTERBY MODULE module-name|ACLCAT category|PATTERN pattern]"},
    {.name = NULL}};

kcommand server_commands[] = {
    {.name = "command",
     .proc = command_command,
     .arity = -1,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Get array of Redis command details",
     .since = "2.8.13",
     .complexity = "O(N) where N is the total number of Redis commands",
     .acl_categories = "@slow @connection",
     .syntax = "",
     .subcommands = command_subcommands},
    {.name = "info",
     .proc = info_command,
     .arity = -1,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "server",
     .summary = "Get information and statistics about the server",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@slow @dangerous",
     .syntax = "[section [section ...]]"},
    {.name = "time",
     .proc = time_command,
     .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .group = "server",
     .summary = "Return the current server time",
     .since = "2.6.0",
     .complexity = "O(1)",
     .acl_categories = "@fast",
     .syntax = ""},
    {.name = "shutdown",
     .proc = shutdown_command,
     .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_NO_MULTI | CMD_ALLOW_BUSY,
     .group = "server",
     .summary = "Synchronously save the dataset to disk and then shut down the server",
     .since = "1.0.0",
     .complexity = "O(N) when saving, where N is the total number of keys in all databases "
                   "when saving data, otherwise O(1)",
     .acl_categories = "@admin @slow @dangerous",
     .syntax = "[NOSAVE|SAVE] [NOW] [FORCE] [ABORT]"},
    {.name = NULL}};
