/*
 * Command dispatch: lookup, the checks Redis makes before running a command
 * (unknown command, arity, protected commands, authentication, ACL
 * permissions), execution with statistics, and
 * error statistics (INFO errorstats).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "acl.h"
#include "blocked.h"
#include "multi.h"
#include "persist.h"
#include "propagate.h"
#include "pubsub.h"
#include "monotonic.h"
#include "server.h"

/* "ERR unknown command 'foo', with args beginning with: 'a' 'b' " as Redis
 * formats it: arguments are quoted until 128 bytes are used. */
static void reply_unknown_command(client *c) {
    kstr args = kstr_empty();
    for (int i = 1; i < c->argc && kstr_len(args) < 128; i++) {
        kstr a = c->argv[i]->ptr;
        int room = 128 - (int)kstr_len(args);
        args = kstr_catfmt(args, "'%.*s' ", room, a);
    }
    add_reply_errorf(c, "ERR unknown command '%.128s', with args beginning with: %s",
                     (char *)c->argv[0]->ptr, args);
    kstr_free(args);
}

int process_command(client *c) {
    c->cmd = c->lastcmd = command_lookup(c->argv, c->argc);
    if (!c->cmd) {
        kcommand *parent = command_lookup_name(c->argv[0]->ptr);
        if (parent && parent->subcommands && c->argc >= 2) {
            kstr up = kstr_dup(c->argv[0]->ptr);
            for (size_t i = 0; i < kstr_len(up); i++) up[i] = (char)toupper((unsigned char)up[i]);
            add_reply_errorf(c, "ERR unknown subcommand '%.128s'. Try %s HELP.",
                             (char *)c->argv[1]->ptr, up);
            kstr_free(up);
        } else if (parent && parent->subcommands) {
            c->cmd = parent;
            add_reply_error_arity(c);
            c->cmd = NULL;
        } else {
            reply_unknown_command(c);
        }
        multi_flag_transaction(c); /* MULTI: a refused command aborts EXEC (multi.c) */
        return C_OK;
    }
    kcommand *cmd = c->cmd;
    if ((cmd->arity > 0 && cmd->arity != c->argc) || (c->argc < -cmd->arity)) {
        cmd->rejected_calls++;
        add_reply_error_arity(c);
        multi_flag_transaction(c); /* MULTI: a refused command aborts EXEC (multi.c) */
        return C_OK;
    }
    /* Redis' order: enable-debug-command, NOAUTH, then the user's ACL
     * (acl.h); each replies and counts the rejection itself. */
    if (acl_check_protected_or_reply(c) != C_OK || acl_check_auth_or_reply(c) != C_OK ||
        acl_check_command_or_reply(c, (c->flags & CLIENT_MULTI) ? ACL_LOG_CTX_MULTI
                                                                : ACL_LOG_CTX_TOPLEVEL) != C_OK) {
        multi_flag_transaction(c); /* MULTI: a refused command aborts EXEC (multi.c) */
        return C_OK;
    }
    /* Pub/Sub: a RESP2 client with subscriptions may only run the commands
     * of that context (pubsub.c says which); RESP3 clients may run any. */
    if ((c->flags & CLIENT_PUBSUB) && c->resp == 2 && !pubsub_command_allowed_in_context(cmd)) {
        cmd->rejected_calls++;
        add_reply_errorf(c,
                         "ERR Can't execute '%s': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING "
                         "/ QUIT / RESET are allowed in this context",
                         cmd->fullname ? cmd->fullname : cmd->name);
        multi_flag_transaction(c); /* MULTI: a refused command aborts EXEC (multi.c) */
        return C_OK;
    }
    /* Writes are refused while the last background save or AOF write
     * failed (stop-writes-on-bgsave-error; persist.c). PING too, as Redis
     * 7.0 does, so health checks notice. */
    int deny_checked = (cmd->flags & CMD_WRITE) || !strcmp(cmd->name, "ping");
    const char *deny = deny_checked ? persist_deny_write_error() : NULL;
    if (deny) {
        cmd->rejected_calls++;
        add_reply_error(c, deny);
        multi_flag_transaction(c); /* MULTI: a refused command aborts EXEC (multi.c) */
        return C_OK;
    }
    /* Inside MULTI every command but EXEC DISCARD MULTI WATCH QUIT RESET is
     * queued (or refused when CMD_NO_MULTI) instead of run (multi.c). */
    if (multi_process_command(c)) return C_OK;
    call(c);
    /* Clients blocked on keys this command made ready are served right
     * away, as Redis does, so the next command sees the result (blocked.c). */
    blocked_serve_ready_keys();
    return C_OK;
}

void call(client *c) {
    kcommand *cmd = c->cmd;
    long long errors_before = server.stat_total_error_replies;
    client *prev = server.current_client;
    server.current_client = c;
    c->flags |= CLIENT_EXECUTING;
    uint64_t start = monotonic_ticks();
    propagate_call_begin(c);
    cmd->proc(c);
    propagate_call_end(c); /* hands what changed the dataset to the AOF */
    /* Sub-microsecond commands are the common case: carry the fraction so
     * that commandstats totals are not rounded down call after call. */
    double usec = monotonic_ticks_to_us(monotonic_ticks() - start) + cmd->usec_carry;
    long long duration = (long long)usec;
    cmd->usec_carry = usec - (double)duration;
    c->flags &= ~CLIENT_EXECUTING;
    server.current_client = prev;
    /* The command may have been replaced (e.g. by a subcommand handler). */
    cmd->calls++;
    cmd->microseconds += duration;
    if (server.stat_total_error_replies != errors_before) cmd->failed_calls++;
    server.stat_numcommands++;
    c->commands_processed++;
}

static uint64_t error_key_hash(const void *key) {
    return dict_gen_hash(key, kstr_len((kstr)key));
}
static int error_key_equal(const void *a, const void *b) {
    return kstr_len((kstr)a) == kstr_len((kstr)b) && memcmp(a, b, kstr_len((kstr)a)) == 0;
}
static void error_key_free(void *key) {
    kstr_free(key);
}
static const dict_type error_dict_type = {error_key_hash, NULL, error_key_equal, error_key_free,
                                          NULL};

/* Errorstats keep at most this many distinct codes, as Redis does, so a
 * client cannot grow the table without bound. */
#define ERRORSTATS_MAX 128

void stat_count_error(const char *err, size_t len) {
    server.stat_total_error_replies++;
    if (len && err[0] == '-') err++, len--;
    size_t code_len = 0;
    while (code_len < len && code_len < 128 && err[code_len] != ' ') code_len++;
    if (!server.errors) server.errors = dict_create(&error_dict_type);
    kstr code = kstr_new(err, code_len);
    dict_entry *de = dict_find(server.errors, code);
    if (de) {
        de->v.u64++;
        kstr_free(code);
        return;
    }
    if (dict_size(server.errors) >= ERRORSTATS_MAX) {
        kstr_free(code);
        return;
    }
    de = dict_add_raw(server.errors, code, NULL);
    de->v.u64 = 1;
}
