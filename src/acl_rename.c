/*
 * rename-command: gives a top-level command another name, or removes it
 * when the new name is empty. Applied when the line is read; ACL rules
 * and error texts keep using the original names, as in Redis.
 */
#include <stdio.h>
#include <string.h>

#include "acl_internal.h"

typedef struct rename_rule {
    kstr from, to; /* to is also the key in the command table */
} rename_rule;

static rename_rule *renames;
static int nrenames;

int acl_config_rename_command(int argc, char **argv, int first, int apply, char *err,
                              size_t errlen) {
    /* Renames cannot be undone: resetting to the default (no words) keeps
     * them, and later loads add to them. */
    if (argc == 0 && first) return 0;
    if (argc != 2) {
        snprintf(err, errlen, "wrong number of arguments (expects OLD NEW; NEW \"\" removes)");
        return -1;
    }
    acl_commands_init(); /* ACL names are taken before the first rename */
    dict *cmds = commands_dict();
    kcommand *cmd = dict_fetch_value(cmds, argv[0]);
    if (!cmd) {
        snprintf(err, errlen, "No such command in rename-command");
        return -1;
    }
    if (argv[1][0] != '\0' && dict_fetch_value(cmds, argv[1])) {
        snprintf(err, errlen, "Target command name already exists");
        return -1;
    }
    if (!apply) return 0;
    renames = zrealloc(renames, sizeof(rename_rule) * (size_t)(nrenames + 1));
    rename_rule *r = &renames[nrenames++];
    r->from = kstr_from(argv[0]);
    r->to = kstr_from(argv[1]);
    dict_delete(cmds, argv[0]);
    if (kstr_len(r->to)) dict_add(cmds, r->to, cmd);
    return 0;
}

kstr acl_config_rename_rewrite(kstr out) {
    for (int i = 0; i < nrenames; i++) {
        out = kstr_cat_cstr(out, "rename-command ");
        out = kstr_cat_repr(out, renames[i].from, kstr_len(renames[i].from));
        out = kstr_cat(out, " ", 1);
        out = kstr_cat_repr(out, renames[i].to, kstr_len(renames[i].to));
        out = kstr_cat(out, "\n", 1);
    }
    return out;
}
