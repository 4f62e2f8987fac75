/*
 * Permission checks before a command runs, in Redis 7's order and with
 * its error texts: protected commands (enable-debug-command), NOAUTH,
 * then the user's selectors (command bit or allowed first argument, key
 * patterns with read/write access, channel patterns).
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "acl_internal.h"

#define KEYS_ON_STACK 16

/* The keys of one command, computed once for all selectors. */
typedef struct key_cache {
    int ready;
    int n;
    acl_key_ref *refs;
    acl_key_ref stack[KEYS_ON_STACK];
} key_cache;

static void key_cache_fill(key_cache *kc, const acl_cmd *a, kobj **argv, int argc) {
    if (kc->ready) return;
    kc->ready = 1;
    kc->refs = kc->stack;
    kc->n = acl_command_keys(a, argv, argc, kc->refs, KEYS_ON_STACK);
    if (kc->n > KEYS_ON_STACK) {
        kc->refs = zmalloc(sizeof(acl_key_ref) * (size_t)kc->n);
        acl_command_keys(a, argv, argc, kc->refs, kc->n);
    }
}

static void key_cache_release(key_cache *kc) {
    if (kc->ready && kc->refs != kc->stack) zfree(kc->refs);
}

static int key_ok(const acl_selector *s, const char *key, size_t len, int access) {
    if (s->flags & SEL_ALLKEYS) return 1;
    for (int i = 0; i < s->nkeys; i++) {
        const acl_key_pattern *p = &s->keys[i];
        if ((p->access & access) != access) continue;
        if (string_match_len(p->pattern, kstr_len(p->pattern), key, len, 0)) return 1;
    }
    return 0;
}

static int firstarg_ok(const acl_selector *s, const acl_cmd *a, kobj **argv, int argc) {
    int idx = a->parent_id >= 0 ? 2 : 1;
    if (argc <= idx) return 0;
    kstr arg = argv[idx]->ptr;
    for (int i = 0; i < s->nfirstargs; i++) {
        if (s->firstargs[i].id != a->id) continue;
        for (int k = 0; k < s->firstargs[i].nargs; k++) {
            kstr allowed = s->firstargs[i].args[k];
            if (kstr_len(allowed) == kstr_len(arg) && !strncasecmp(allowed, arg, kstr_len(arg)))
                return 1;
        }
    }
    return 0;
}

static acl_result selector_check(const acl_selector *s, const acl_cmd *a, kobj **argv, int argc,
                                 int *errpos, key_cache *kc) {
    if (!(s->flags & SEL_ALLCOMMANDS) && !(a->cmd->flags & CMD_NO_AUTH) &&
        !acl_selector_allows_id(s, a->id) && !firstarg_ok(s, a, argv, argc))
        return ACL_DENIED_CMD;

    if (!(s->flags & SEL_ALLKEYS)) {
        key_cache_fill(kc, a, argv, argc);
        for (int j = 0; j < kc->n; j++) {
            kstr key = argv[kc->refs[j].pos]->ptr;
            if (!key_ok(s, key, kstr_len(key), kc->refs[j].access)) {
                *errpos = kc->refs[j].pos;
                return ACL_DENIED_KEY;
            }
        }
    }

    if (!(s->flags & SEL_ALLCHANNELS) && a->channels != ACL_CHANNELS_NONE) {
        int last = a->channels == ACL_CHANNELS_FIRST ? 1 : argc - 1;
        int literal = a->channels == ACL_CHANNELS_ALL_LITERAL;
        for (int j = 1; j <= last && j < argc; j++) {
            kstr ch = argv[j]->ptr;
            if (!acl_selector_channel_ok(s, ch, kstr_len(ch), literal)) {
                *errpos = j;
                return ACL_DENIED_CHANNEL;
            }
        }
    }
    return ACL_OK;
}

acl_result acl_user_check_command(const acl_user *u, kcommand *cmd, kobj **argv, int argc,
                                  int *errpos) {
    if (!u) return ACL_OK;
    const acl_cmd *a = acl_cmd_of(cmd);
    if (!a) {
        /* Not in the registry (cannot happen for table commands): only an
         * unrestricted selector may run it. */
        for (int i = 0; i < u->nselectors; i++)
            if ((u->selectors[i]->flags & (SEL_ALLCOMMANDS | SEL_ALLKEYS | SEL_ALLCHANNELS)) ==
                (SEL_ALLCOMMANDS | SEL_ALLKEYS | SEL_ALLCHANNELS))
                return ACL_OK;
        return ACL_DENIED_CMD;
    }
    acl_result relevant = ACL_DENIED_CMD;
    int last_pos = 0;
    key_cache kc = {0};
    for (int i = 0; i < u->nselectors; i++) {
        int pos = 0;
        acl_result r = selector_check(u->selectors[i], a, argv, argc, &pos, &kc);
        if (r == ACL_OK) {
            key_cache_release(&kc);
            return ACL_OK;
        }
        if (r > relevant || (r == relevant && pos > last_pos)) {
            relevant = r;
            last_pos = pos;
        }
    }
    key_cache_release(&kc);
    *errpos = last_pos;
    return relevant;
}

/* ---------- dispatch hooks ---------- */

static int is_local_client(const client *c) {
    return !c->conn || conn_is_local(c->conn);
}

static int protected_action_allowed(int setting, const client *c) {
    return setting == PROTECTED_ACTION_ALLOWED_YES ||
           (setting == PROTECTED_ACTION_ALLOWED_LOCAL && is_local_client(c));
}

int acl_check_protected_or_reply(client *c) {
    kcommand *cmd = c->cmd;
    if (!(cmd->flags & CMD_PROTECTED)) return C_OK;
    if (protected_action_allowed(server.enable_debug_cmd, c)) return C_OK;
    char name[64];
    const char *base = cmd->parent ? cmd->parent->name : cmd->name;
    size_t i = 0;
    for (; base[i] && i < sizeof(name) - 1; i++) name[i] = (char)toupper((unsigned char)base[i]);
    name[i] = '\0';
    cmd->rejected_calls++;
    add_reply_errorf(c,
                     "ERR %s command not allowed. If the enable-debug-command option is set to "
                     "\"local\", you can run it from a local connection, otherwise you need to "
                     "set this option in the configuration file, and then restart the server.",
                     name);
    return C_ERR;
}

int acl_check_auth_or_reply(client *c) {
    if (c->cmd->flags & CMD_NO_AUTH) return C_OK;
    if (!acl_auth_required(c)) return C_OK;
    c->cmd->rejected_calls++;
    add_reply_error(c, "NOAUTH Authentication required.");
    return C_ERR;
}

int acl_check_command_or_reply(client *c, acl_log_context ctx) {
    if (!c->acl_user) return C_OK;
    int pos = 0;
    acl_result r = acl_user_check_command(c->acl_user, c->cmd, c->argv, c->argc, &pos);
    if (r == ACL_OK) return C_OK;
    acl_log_add(c, r, ctx, pos, NULL, NULL);
    c->cmd->rejected_calls++;
    switch (r) {
    case ACL_DENIED_KEY:
        add_reply_error(c, "NOPERM this user has no permissions to access one of the keys used "
                           "as arguments");
        break;
    case ACL_DENIED_CHANNEL:
        add_reply_error(c, "NOPERM this user has no permissions to access one of the channels "
                           "used as arguments");
        break;
    default:
        add_reply_errorf(c, "NOPERM this user has no permissions to run the '%s' command",
                         c->cmd->fullname ? c->cmd->fullname : c->cmd->name);
        break;
    }
    return C_ERR;
}

int acl_check_exec_or_reply(client *c) {
    if (!c->acl_user) return C_OK;
    int pos = 0;
    acl_result r = acl_user_check_command(c->acl_user, c->cmd, c->argv, c->argc, &pos);
    if (r == ACL_OK) return C_OK;
    const char *reason;
    switch (r) {
    case ACL_DENIED_CMD: reason = "no permission to execute the command or subcommand"; break;
    case ACL_DENIED_KEY: reason = "no permission to touch the specified keys"; break;
    case ACL_DENIED_CHANNEL:
        reason = "no permission to access one of the channels used as arguments";
        break;
    default: reason = "no permission"; break;
    }
    acl_log_add(c, r, ACL_LOG_CTX_MULTI, pos, NULL, NULL);
    add_reply_errorf(c,
                     "NOPERM ACLs rules changed between the moment the transaction was "
                     "accumulated and the EXEC call. This command is no longer allowed for the "
                     "following reason: %s",
                     reason);
    return C_ERR;
}

acl_result acl_client_check_key(const client *c, const char *key, size_t len, int write) {
    const acl_user *u = c->acl_user;
    if (!u) return ACL_OK;
    int access = write ? ACL_KEY_WRITE : ACL_KEY_READ;
    for (int i = 0; i < u->nselectors; i++)
        if (key_ok(u->selectors[i], key, len, access)) return ACL_OK;
    return ACL_DENIED_KEY;
}

acl_result acl_client_check_channel(const client *c, const char *ch, size_t len, int literal) {
    const acl_user *u = c->acl_user;
    if (!u) return ACL_OK;
    for (int i = 0; i < u->nselectors; i++)
        if (acl_selector_channel_ok(u->selectors[i], ch, len, literal)) return ACL_OK;
    return ACL_DENIED_CHANNEL;
}
