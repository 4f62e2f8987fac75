/*
 * The ACL command: SETUSER GETUSER DELUSER LIST USERS WHOAMI CAT GENPASS
 * LOG DRYRUN SAVE LOAD HELP, with Redis 7.0's replies and error texts.
 */
#include <string.h>
#include <strings.h>

#include "acl_internal.h"

#define GENPASS_MAX_BITS 4096

static const char no_aclfile_error[] =
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify users "
    "via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a Redis "
    "configuration file set) in order to store users in the Redis configuration.";

/* ---------- SETUSER ---------- */

static void acl_setuser_command(client *c) {
    kstr name = c->argv[2]->ptr;
    if (acl_has_spaces(name, kstr_len(name))) {
        add_reply_error(c, "ERR Usernames can't contain spaces or null characters");
        return;
    }
    int nwords = c->argc - 3, merged = 0, bad = 0;
    kstr *words = zmalloc(sizeof(kstr) * (size_t)(nwords ? nwords : 1));
    for (int i = 0; i < nwords; i++) words[i] = c->argv[3 + i]->ptr;
    kstr *rules = acl_merge_selector_args(words, nwords, &merged, &bad);
    zfree(words);
    if (!rules) {
        add_reply_errorf(c, "ERR Unmatched parenthesis in acl selector starting at '%s'.",
                         (char *)c->argv[3 + bad]->ptr);
        return;
    }
    /* Every rule is tried on a copy first: a bad one changes nothing. */
    acl_user *existing = acl_user_lookup(name, kstr_len(name));
    acl_user *staged = acl_user_create_unlinked(name, kstr_len(name));
    if (existing) acl_user_copy_rules(staged, existing);
    for (int i = 0; i < merged; i++) {
        acl_op_error e = acl_user_apply(staged, rules[i], kstr_len(rules[i]));
        if (e != ACL_OP_OK) {
            add_reply_errorf(c, "ERR Error in ACL SETUSER modifier '%s': %s", rules[i],
                             acl_op_error_text(e));
            goto out;
        }
    }
    if (existing) acl_kill_pubsub_clients_if_needed(staged, existing);
    if (!existing) existing = acl_users_add(name, kstr_len(name));
    acl_user_copy_rules(existing, staged);
    add_reply_ok(c);
    acl_close_current_if_pending(c);
out:
    acl_user_free(staged);
    kstr_free_argv(rules, merged);
}

/* ---------- GETUSER ---------- */

static void reply_selector(client *c, const acl_selector *s) {
    add_reply_bulk_cstr(c, "commands");
    add_reply_bulk_kstr(c, acl_selector_describe_commands(kstr_empty(), s));
    add_reply_bulk_cstr(c, "keys");
    add_reply_bulk_kstr(c, acl_selector_describe_keys(kstr_empty(), s));
    add_reply_bulk_cstr(c, "channels");
    add_reply_bulk_kstr(c, acl_selector_describe_channels(kstr_empty(), s));
}

static void acl_getuser_command(client *c) {
    kstr name = c->argv[2]->ptr;
    acl_user *u = acl_user_lookup(name, kstr_len(name));
    if (!u) {
        add_reply_null(c);
        return;
    }
    static const struct {
        unsigned flag;
        const char *name;
    } flags[] = {{USER_ENABLED, "on"},
                 {USER_DISABLED, "off"},
                 {USER_NOPASS, "nopass"},
                 {USER_SANITIZE_SKIP, "skip-sanitize-payload"},
                 {USER_SANITIZE, "sanitize-payload"}};
    add_reply_map_len(c, 6);
    add_reply_bulk_cstr(c, "flags");
    int nflags = 0;
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (u->flags & flags[i].flag) nflags++;
    add_reply_set_len(c, nflags);
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (u->flags & flags[i].flag) add_reply_bulk_cstr(c, flags[i].name);
    add_reply_bulk_cstr(c, "passwords");
    add_reply_array_len(c, u->npasswords);
    for (int i = 0; i < u->npasswords; i++)
        add_reply_bulk_buf(c, u->passwords[i], kstr_len(u->passwords[i]));
    reply_selector(c, u->selectors[0]);
    add_reply_bulk_cstr(c, "selectors");
    add_reply_array_len(c, u->nselectors - 1);
    for (int i = 1; i < u->nselectors; i++) {
        add_reply_map_len(c, 3);
        reply_selector(c, u->selectors[i]);
    }
}

/* ---------- DELUSER LIST USERS WHOAMI ---------- */

static void acl_deluser_command(client *c) {
    for (int i = 2; i < c->argc; i++) {
        kstr name = c->argv[i]->ptr;
        if (kstr_len(name) == 7 && !memcmp(name, "default", 7)) {
            add_reply_error(c, "ERR The 'default' user cannot be removed");
            return;
        }
    }
    long long deleted = 0;
    for (int i = 2; i < c->argc; i++) {
        kstr name = c->argv[i]->ptr;
        acl_user *u = acl_user_lookup(name, kstr_len(name));
        if (!u) continue;
        acl_users_delete(u);
        deleted++;
    }
    add_reply_ll(c, deleted);
    acl_close_current_if_pending(c);
}

static void list_users(client *c, int names_only) {
    int n;
    acl_user **v = acl_users_sorted(&n);
    add_reply_array_len(c, n);
    for (int i = 0; i < n; i++) {
        if (names_only) {
            add_reply_bulk_buf(c, v[i]->name, kstr_len(v[i]->name));
        } else {
            kstr line = kstr_catfmt(kstr_empty(), "user %s ", v[i]->name);
            add_reply_bulk_kstr(c, acl_user_describe(line, v[i]));
        }
    }
    zfree(v);
}

static void acl_list_command(client *c) {
    list_users(c, 0);
}

static void acl_users_command(client *c) {
    list_users(c, 1);
}

static void acl_whoami_command(client *c) {
    if (c->acl_user)
        add_reply_bulk_buf(c, c->acl_user->name, kstr_len(c->acl_user->name));
    else
        add_reply_null(c);
}

/* ---------- CAT GENPASS LOG ---------- */

static void acl_cat_command(client *c) {
    if (c->argc == 2) {
        add_reply_array_len(c, ACL_NCATEGORIES);
        for (int i = 0; i < ACL_NCATEGORIES; i++) add_reply_bulk_cstr(c, acl_category_names[i]);
        return;
    }
    if (c->argc != 3) {
        add_reply_error_subcommand(c);
        return;
    }
    const char *name = c->argv[2]->ptr;
    int cat = acl_category_index(name);
    if (cat < 0) {
        add_reply_errorf(c, "ERR Unknown category '%.128s'", name);
        return;
    }
    void *len = add_reply_deferred_len(c);
    long n = 0;
    for (int id = 0; id < acl_ncmds; id++) {
        if (!(acl_cmds[id].categories & (1u << cat))) continue;
        add_reply_bulk_buf(c, acl_cmds[id].fullname, kstr_len(acl_cmds[id].fullname));
        n++;
    }
    set_deferred_array_len(c, len, n);
}

static void acl_genpass_command(client *c) {
    long bits = 256;
    if (c->argc > 3) {
        add_reply_error_subcommand(c);
        return;
    }
    if (c->argc == 3 && get_long_from_obj_or_reply(c, c->argv[2], &bits, NULL) != C_OK) return;
    if (bits <= 0 || bits > GENPASS_MAX_BITS) {
        add_reply_errorf(c,
                         "ERR ACL GENPASS argument must be the number of bits for the output "
                         "password, a positive number up to %d",
                         GENPASS_MAX_BITS);
        return;
    }
    char pass[GENPASS_MAX_BITS / 4];
    size_t chars = (size_t)(bits + 3) / 4;
    get_random_hex_chars(pass, chars);
    add_reply_bulk_buf(c, pass, chars);
}

static void acl_log_command(client *c) {
    long count = 10;
    if (c->argc > 3) {
        add_reply_error_subcommand(c);
        return;
    }
    if (c->argc == 3) {
        if (!strcasecmp(c->argv[2]->ptr, "reset")) {
            acl_log_reset();
            add_reply_ok(c);
            return;
        }
        if (get_long_from_obj_or_reply(c, c->argv[2], &count, NULL) != C_OK) return;
    }
    acl_log_reply(c, count);
}

/* ---------- DRYRUN ---------- */

static void acl_dryrun_command(client *c) {
    kstr name = c->argv[2]->ptr;
    acl_user *u = acl_user_lookup(name, kstr_len(name));
    if (!u) {
        add_reply_errorf(c, "ERR User '%s' not found", name);
        return;
    }
    kobj **argv = c->argv + 3;
    int argc = c->argc - 3;
    kcommand *cmd = command_lookup(argv, argc);
    if (!cmd) {
        add_reply_errorf(c, "ERR Command '%s' not found", (char *)argv[0]->ptr);
        return;
    }
    if ((cmd->arity > 0 && cmd->arity != argc) || argc < -cmd->arity) {
        add_reply_errorf(c, "ERR wrong number of arguments for '%s' command",
                         cmd->fullname ? cmd->fullname : cmd->name);
        return;
    }
    int pos = 0;
    acl_result r = acl_user_check_command(u, cmd, argv, argc, &pos);
    switch (r) {
    case ACL_OK: add_reply_ok(c); return;
    case ACL_DENIED_KEY:
        add_reply_bulk_kstr(c, kstr_catfmt(kstr_empty(),
                                           "This user has no permissions to access the '%s' key",
                                           (char *)argv[pos]->ptr));
        return;
    case ACL_DENIED_CHANNEL:
        add_reply_bulk_kstr(c, kstr_catfmt(kstr_empty(),
                                           "This user has no permissions to access the '%s' "
                                           "channel",
                                           (char *)argv[pos]->ptr));
        return;
    default:
        add_reply_bulk_kstr(c, kstr_catfmt(kstr_empty(),
                                           "This user has no permissions to run the '%s' command",
                                           cmd->fullname ? cmd->fullname : cmd->name));
        return;
    }
}

/* ---------- SAVE LOAD HELP ---------- */

static void acl_save_command(client *c) {
    if (!server.acl_filename) {
        add_reply_error(c, no_aclfile_error);
        return;
    }
    if (acl_save_file(server.acl_filename) == C_OK)
        add_reply_ok(c);
    else
        add_reply_error(c, "ERR There was an error trying to save the ACLs. Please check the "
                           "server logs for more information");
}

static void acl_load_command(client *c) {
    if (!server.acl_filename) {
        add_reply_error(c, no_aclfile_error);
        return;
    }
    kstr errors = acl_load_file(server.acl_filename);
    if (errors) {
        add_reply_errorf(c, "ERR %s", errors);
        kstr_free(errors);
        return;
    }
    add_reply_ok(c);
    acl_close_current_if_pending(c);
}

static void acl_help_command(client *c) {
    static const char *const help[] = {
        "CAT [<category>]",
        "    List all commands that belong to <category>, or all command categories",
        "    when no category is specified.",
        "DELUSER <username> [<username> ...]",
        "    Delete a list of users.",
        "DRYRUN <username> <command> [<arg> ...]",
        "    Returns whether the user can execute the given command without executing the "
        "command.",
        "GETUSER <username>",
        "    Get the user's details.",
        "GENPASS [<bits>]",
        "    Generate a secure 256-bit user password. The optional `bits` argument can",
        "    be used to specify a different size.",
        "LIST",
        "    Show users details in config file format.",
        "LOAD",
        "    Reload users from the ACL file.",
        "LOG [<count> | RESET]",
        "    Show the ACL log entries.",
        "SAVE",
        "    Save the current config to the ACL file.",
        "SETUSER <username> <attribute> [<attribute> ...]",
        "    Create or modify a user with the specified attributes.",
        "USERS",
        "    List all the registered usernames.",
        "WHOAMI",
        "    Return the current connection username.",
        NULL};
    add_reply_help(c, help);
}

/* Reached only if dispatch did not resolve a subcommand. */
static void acl_command(client *c) {
    add_reply_error_subcommand(c);
}

/* ---------- table ---------- */

#define ACL_ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define ACL_PLAIN_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define ACL_ADMIN_CATS "@admin @slow @dangerous"

#define ACL_SUB(n, p, a, f, cats, sum, cx, syn)                                                    \
    {                                                                                              \
        .name = n, .proc = p, .arity = a, .flags = f, .group = "server", .summary = sum,           \
        .since = "6.0.0", .complexity = cx, .acl_categories = cats, .syntax = syn                  \
    }

static kcommand acl_subcommands[] = {
    ACL_SUB("cat", acl_cat_command, -2, ACL_PLAIN_FLAGS, "@slow",
            "List the ACL categories or the commands inside a category",
            "O(1) since the categories and commands are a fixed set.", "[categoryname]"),
    ACL_SUB("deluser", acl_deluser_command, -3, ACL_ADMIN_FLAGS, ACL_ADMIN_CATS,
            "Remove the specified ACL users and the associated rules",
            "O(1) amortized time considering the typical user.", "username [username ...]"),
    {.name = "dryrun",
     .proc = acl_dryrun_command,
     .arity = -4,
     .flags = ACL_ADMIN_FLAGS,
     .group = "server",
     .summary = "Returns whether the user can execute the given command without executing the "
                "command.",
     .since = "7.0.0",
     .complexity = "O(1).",
     .acl_categories = ACL_ADMIN_CATS,
     .syntax = "username command [arg [arg ...]]"},
    ACL_SUB("genpass", acl_genpass_command, -2, ACL_PLAIN_FLAGS, "@slow",
            "Generate a pseudorandom secure password to use for ACL users", "O(1)", "[bits]"),
    ACL_SUB("getuser", acl_getuser_command, 3, ACL_ADMIN_FLAGS, ACL_ADMIN_CATS,
            "Get the rules for a specific ACL user",
            "O(N). Where N is the number of password, command and pattern rules that the user "
            "has.",
            "username"),
    ACL_SUB("help", acl_help_command, 2, CMD_LOADING | CMD_STALE, "@slow",
            "Show helpful text about the different subcommands", "O(1)", ""),
    ACL_SUB("list", acl_list_command, 2, ACL_ADMIN_FLAGS, ACL_ADMIN_CATS,
            "List the current ACL rules in ACL config file format",
            "O(N). Where N is the number of configured users.", ""),
    ACL_SUB("load", acl_load_command, 2, ACL_ADMIN_FLAGS, ACL_ADMIN_CATS,
            "Reload the ACLs from the configured ACL file",
            "O(N). Where N is the number of configured users.", ""),
    ACL_SUB("log", acl_log_command, -2, ACL_ADMIN_FLAGS, ACL_ADMIN_CATS,
            "List latest events denied because of ACLs in place",
            "O(N) with N being the number of entries shown.", "[count|RESET]"),
    ACL_SUB("save", acl_save_command, 2, ACL_ADMIN_FLAGS, ACL_ADMIN_CATS,
            "Save the current ACL rules in the configured ACL file",
            "O(N). Where N is the number of configured users.", ""),
    ACL_SUB("setuser", acl_setuser_command, -3, ACL_ADMIN_FLAGS, ACL_ADMIN_CATS,
            "Modify or create the rules for a specific ACL user",
            "O(N). Where N is the number of rules provided.", "username [rule [rule ...]]"),
    ACL_SUB("users", acl_users_command, 2, ACL_ADMIN_FLAGS, ACL_ADMIN_CATS,
            "List the username of all the configured ACL rules",
            "O(N). Where N is the number of configured users.", ""),
    ACL_SUB("whoami", acl_whoami_command, 2, ACL_PLAIN_FLAGS, "@slow",
            "Return the name of the user associated to the current connection", "O(1)", ""),
    {0}};

kcommand acl_commands[] = {{.name = "acl",
                            .proc = acl_command,
                            .arity = -2,
                            .flags = 0,
                            .group = "server",
                            .summary = "A container for Access List Control commands ",
                            .since = "6.0.0",
                            .complexity = "Depends on subcommand.",
                            .acl_categories = "@slow",
                            .syntax = "",
                            .subcommands = acl_subcommands},
                           {0}};
