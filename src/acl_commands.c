/*
 * The command registry of the ACL: every command and subcommand gets an
 * id (its bit in the selector bitmaps), its categories (those of its
 * table entry plus the ones Redis derives from its flags, as COMMAND INFO
 * shows them), its key specs and its channel arguments.
 *
 * Names here are the original ones: rules keep working after
 * rename-command, as in Redis.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl_internal.h"
#include "cmd_docs.h"

const char *const acl_category_names[ACL_NCATEGORIES] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};

acl_cmd *acl_cmds;
int acl_ncmds;
static dict *by_name; /* lower-case fullname (owned by acl_cmds) -> acl_cmd */

int acl_category_index(const char *name) {
    for (int i = 0; i < ACL_NCATEGORIES; i++)
        if (!strcasecmp(acl_category_names[i], name)) return i;
    return -1;
}

static uint64_t name_hash(const void *key) {
    return dict_gen_case_hash(key, strlen(key));
}

static int name_equal(const void *a, const void *b) {
    return strcasecmp(a, b) == 0;
}

static const dict_type name_dict_type = {name_hash, NULL, name_equal, NULL, NULL};

static int by_command_name(const void *a, const void *b) {
    const kcommand *x = *(kcommand *const *)a, *y = *(kcommand *const *)b;
    return strcasecmp(x->name, y->name);
}

static acl_channel_args channel_args_of(const char *fullname) {
    if (!strcmp(fullname, "publish") || !strcmp(fullname, "spublish")) return ACL_CHANNELS_FIRST;
    if (!strcmp(fullname, "subscribe") || !strcmp(fullname, "ssubscribe")) return ACL_CHANNELS_ALL;
    if (!strcmp(fullname, "psubscribe")) return ACL_CHANNELS_ALL_LITERAL;
    return ACL_CHANNELS_NONE;
}

static void register_one(kcommand *cmd, int id, int parent_id, int nsubs) {
    acl_cmd *a = &acl_cmds[id];
    a->cmd = cmd;
    a->id = id;
    a->parent_id = parent_id;
    a->nsubs = nsubs;
    a->fullname = kstr_empty();
    if (parent_id >= 0)
        a->fullname = kstr_catfmt(a->fullname, "%s|", acl_cmds[parent_id].cmd->name);
    a->fullname = kstr_cat_cstr(a->fullname, cmd->name);
    kstr_tolower(a->fullname);
    a->categories = 0;
    for (int i = 0; i < ACL_NCATEGORIES; i++)
        if (command_has_category(cmd, acl_category_names[i])) a->categories |= 1u << i;
    a->channels = channel_args_of(a->fullname);
    a->keyspecs = acl_keyspec_find(a->fullname);
    cmd->acl_id = id;
    if (dict_add(by_name, a->fullname, a) != DICT_OK)
        panic("ACL: command '%s' is registered twice", a->fullname);
}

static int count_subs(const kcommand *cmd) {
    int n = 0;
    if (cmd->subcommands)
        for (const kcommand *s = cmd->subcommands; s->name; s++) n++;
    return n;
}

void acl_commands_init(void) {
    if (acl_cmds) return;
    commands_init();
    dict *d = commands_dict();
    size_t ntop = dict_size(d);
    kcommand **top = zmalloc(sizeof(kcommand *) * (ntop ? ntop : 1));
    size_t n = 0;
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    for (dict_entry *de; (de = dict_next(&it));) top[n++] = de->v.val;
    dict_iter_reset(&it);
    qsort(top, n, sizeof(kcommand *), by_command_name);

    int total = 0;
    for (size_t i = 0; i < n; i++) total += 1 + count_subs(top[i]);
    acl_cmds = zcalloc(sizeof(acl_cmd) * (size_t)(total ? total : 1));
    acl_ncmds = total;
    by_name = dict_create(&name_dict_type);
    int id = 0;
    for (size_t i = 0; i < n; i++) {
        int nsubs = count_subs(top[i]);
        int parent = id;
        register_one(top[i], id++, -1, nsubs);
        for (int s = 0; s < nsubs; s++) register_one(&top[i]->subcommands[s], id++, parent, 0);
    }
    zfree(top);
}

acl_cmd *acl_cmd_lookup(const char *name, size_t len) {
    if (!by_name || len == 0 || len > 128 || memchr(name, '\0', len)) return NULL;
    char buf[129];
    memcpy(buf, name, len);
    buf[len] = '\0';
    return dict_fetch_value(by_name, buf);
}

acl_cmd *acl_cmd_of(const kcommand *cmd) {
    if (!acl_cmds || cmd->acl_id < 0 || cmd->acl_id >= acl_ncmds) return NULL;
    acl_cmd *a = &acl_cmds[cmd->acl_id];
    return a->cmd == cmd ? a : NULL;
}
