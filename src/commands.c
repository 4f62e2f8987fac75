/*
 * The command registry: one case-insensitive dict of the top-level
 * commands of every command table; container commands (CONFIG, CLIENT,
 * COMMAND, ...) keep their subcommands in an array resolved by lookup.
 */
#include <string.h>
#include <strings.h>

#include "server.h"

#define COMMAND_NAME_MAX 64

static uint64_t command_hash(const void *key) {
    return dict_gen_case_hash(key, strlen(key));
}

static int command_equal(const void *a, const void *b) {
    return strcasecmp(a, b) == 0;
}

/* Keys are the tables' own name strings; nothing is owned by the dict. */
static const dict_type command_dict_type = {command_hash, NULL, command_equal, NULL, NULL};

static kstr lower_name(const char *parent, const char *name) {
    kstr s = kstr_empty();
    if (parent) s = kstr_catfmt(s, "%s|", parent);
    s = kstr_cat_cstr(s, name);
    kstr_tolower(s);
    return s;
}

static void register_subcommands(kcommand *cmd) {
    for (kcommand *sub = cmd->subcommands; sub->name; sub++) {
        for (kcommand *prev = cmd->subcommands; prev != sub; prev++)
            if (!strcasecmp(prev->name, sub->name))
                panic("duplicate subcommand '%s|%s' in the command tables", cmd->name, sub->name);
        if (sub->subcommands)
            panic("subcommand '%s|%s' has subcommands: only one level is supported", cmd->name,
                  sub->name);
        sub->parent = cmd;
        kstr_free(sub->fullname);
        sub->fullname = lower_name(cmd->name, sub->name);
    }
}

void commands_init(void) {
    if (server.commands) return;
    server.commands = dict_create(&command_dict_type);
    kcommand *tables[] = {
        string_commands, keys_commands,   server_commands,        conn_commands,   config_commands,
        set_commands,    bitops_commands, hll_commands,           pubsub_commands, sort_commands,
        debug_commands,  hash_commands,   zset_commands,          list_commands,   multi_commands,
        acl_commands,    memory_commands, zset_blocking_commands, dump_commands,   persist_commands,
        aof_commands};
    for (size_t t = 0; t < sizeof(tables) / sizeof(tables[0]); t++) {
        for (kcommand *cmd = tables[t]; cmd->name; cmd++) {
            if (strlen(cmd->name) >= COMMAND_NAME_MAX)
                panic("command name '%s' is too long", cmd->name);
            if (dict_add(server.commands, (void *)cmd->name, cmd) != DICT_OK)
                panic("duplicate command '%s' in the command tables", cmd->name);
            cmd->parent = NULL;
            kstr_free(cmd->fullname);
            cmd->fullname = lower_name(NULL, cmd->name);
            if (cmd->subcommands) register_subcommands(cmd);
        }
    }
}

dict *commands_dict(void) {
    return server.commands;
}

static kcommand *find_subcommand(kcommand *cmd, const char *name) {
    for (kcommand *sub = cmd->subcommands; sub->name; sub++)
        if (!strcasecmp(sub->name, name)) return sub;
    return NULL;
}

/* Copies a string argument into buf as a C string; 0 when it does not fit
 * (then it is no command name). */
static int arg_name(kobj *o, char *buf, size_t buflen) {
    char tmp[LONG_STR_SIZE];
    size_t len;
    const char *p = string_obj_ptr(o, tmp, sizeof(tmp), &len);
    if (len >= buflen || memchr(p, '\0', len)) return 0;
    memcpy(buf, p, len);
    buf[len] = '\0';
    return 1;
}

kcommand *command_lookup(kobj **argv, int argc) {
    char name[COMMAND_NAME_MAX];
    if (argc < 1 || !server.commands || !arg_name(argv[0], name, sizeof(name))) return NULL;
    kcommand *cmd = dict_fetch_value(server.commands, name);
    /* A container alone is the container itself: its arity decides
     * (COMMAND runs, CONFIG gets the arity error). */
    if (!cmd || !cmd->subcommands || argc < 2) return cmd;
    if (!arg_name(argv[1], name, sizeof(name))) return NULL;
    return find_subcommand(cmd, name);
}

/* "get" or "config|get". */
kcommand *command_lookup_name(const char *name) {
    if (!server.commands) return NULL;
    const char *bar = strchr(name, '|');
    if (!bar)
        return strlen(name) < COMMAND_NAME_MAX ? dict_fetch_value(server.commands, name) : NULL;
    size_t plen = (size_t)(bar - name);
    char parent[COMMAND_NAME_MAX];
    if (plen >= sizeof(parent)) return NULL;
    memcpy(parent, name, plen);
    parent[plen] = '\0';
    kcommand *cmd = dict_fetch_value(server.commands, parent);
    if (!cmd || !cmd->subcommands) return NULL;
    return find_subcommand(cmd, bar + 1);
}
