/*
 * Connection commands: PING ECHO QUIT HELLO AUTH SELECT RESET and CLIENT
 * (ID INFO LIST SETNAME GETNAME KILL NO-EVICT REPLY HELP), with Redis 7.0
 * replies and error texts.
 *
 * Users, passwords and the NOAUTH rule are the ACL's (acl.h).
 */
#include <limits.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "blocked.h"
#include "multi.h"
#include "pubsub.h"
#include "server.h"

/* Client type filter value that no client has yet (no replication). */
#define CLIENT_TYPE_MASTER CLIENT_TYPE_OBUF_COUNT

static const char wrongpass_error[] =
    "WRONGPASS invalid username-password pair or user is disabled.";

/* CLIENT SETNAME rules: empty removes the name; otherwise printable ASCII
 * without spaces, so CLIENT LIST stays splittable on spaces. */
static int set_name_or_reply(client *c, kobj *name) {
    kstr s = name->ptr;
    size_t len = kstr_len(s);
    if (len == 0) {
        kstr_free(c->name);
        c->name = NULL;
        return C_OK;
    }
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '!' || s[i] > '~') {
            add_reply_error(c, "ERR Client names cannot contain spaces, newlines or special "
                               "characters.");
            return C_ERR;
        }
    }
    kstr_free(c->name);
    c->name = kstr_new(s, len);
    return C_OK;
}

/* ---------- PING ECHO QUIT SELECT RESET ---------- */

static void ping_command(client *c) {
    if (c->argc > 2) {
        add_reply_error_arity(c);
        return;
    }
    /* RESP2 subscribed mode: PING answers in the shape of a message. */
    if ((c->flags & CLIENT_PUBSUB) && c->resp == 2) {
        add_reply_array_len(c, 2);
        add_reply_bulk_cstr(c, "pong");
        if (c->argc == 1)
            add_reply_bulk_buf(c, "", 0);
        else
            add_reply_bulk(c, c->argv[1]);
        return;
    }
    if (c->argc == 1)
        add_reply_status_len(c, "PONG", 4);
    else
        add_reply_bulk(c, c->argv[1]);
}

static void echo_command(client *c) {
    add_reply_bulk(c, c->argv[1]);
}

static void quit_command(client *c) {
    add_reply_ok(c);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static void select_command(client *c) {
    long id;
    if (get_range_long_from_obj_or_reply(c, c->argv[1], INT_MIN, INT_MAX, &id, NULL) != C_OK)
        return;
    if (id < 0 || id >= server.dbnum) {
        add_reply_error(c, "ERR DB index is out of range");
        return;
    }
    c->db = &server.db[id];
    add_reply_ok(c);
}

static void reset_command(client *c) {
    pubsub_unsubscribe_all(c, 0);
    multi_client_reset(c); /* queued commands and WATCHed keys (multi.c) */
    c->db = server.db ? &server.db[0] : NULL;
    c->resp = 2;
    acl_client_set_default(c);
    kstr_free(c->name);
    c->name = NULL;
    c->flags &= ~(CLIENT_REPLY_OFF | CLIENT_REPLY_SKIP_NEXT | CLIENT_NO_TOUCH);
    add_reply_status(c, "RESET");
}

/* ---------- AUTH HELLO ---------- */

static void auth_command(client *c) {
    if (c->argc > 3) {
        add_reply_error_syntax(c);
        return;
    }
    kobj *user, *pass;
    kobj *dflt = NULL;
    if (c->argc == 2) {
        if (acl_default_user_nopass()) {
            add_reply_error(c, "ERR AUTH <password> called without any password configured for "
                               "the default user. Are you sure your configuration is correct?");
            return;
        }
        dflt = obj_create_string("default", 7);
        user = dflt;
        pass = c->argv[1];
    } else {
        user = c->argv[1];
        pass = c->argv[2];
    }
    if (acl_authenticate(c, user, pass) == C_OK)
        add_reply_ok(c);
    else
        add_reply_error(c, wrongpass_error);
    if (dflt) decr_ref(dflt);
}

static void hello_command(client *c) {
    long long ver = 0;
    int next = 1;
    if (c->argc >= 2) {
        if (get_ll_from_obj_or_reply(c, c->argv[next++], &ver,
                                     "ERR Protocol version is not an integer or out of range") !=
            C_OK)
            return;
        if (ver < 2 || ver > 3) {
            add_reply_error(c, "NOPROTO unsupported protocol version");
            return;
        }
    }
    kobj *user = NULL, *pass = NULL, *name = NULL;
    for (int j = next; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        const char *opt = c->argv[j]->ptr;
        if (!strcasecmp(opt, "AUTH") && more >= 2) {
            user = c->argv[j + 1];
            pass = c->argv[j + 2];
            j += 2;
        } else if (!strcasecmp(opt, "SETNAME") && more >= 1) {
            name = c->argv[j + 1];
            j++;
        } else {
            add_reply_errorf(c, "ERR Syntax error in HELLO option '%s'", opt);
            return;
        }
    }
    if (user && acl_authenticate(c, user, pass) != C_OK) {
        add_reply_error(c, wrongpass_error);
        return;
    }
    if (!c->authenticated) {
        add_reply_error(c, "NOAUTH HELLO must be called with the client already authenticated, "
                           "otherwise the HELLO AUTH <user> <pass> option can be used to "
                           "authenticate the client and select the RESP protocol version at the "
                           "same time");
        return;
    }
    if (name && set_name_or_reply(c, name) != C_OK) return;
    if (ver) c->resp = (int)ver;

    add_reply_map_len(c, 7);
    add_reply_bulk_cstr(c, "server");
    add_reply_bulk_cstr(c, "redis");
    add_reply_bulk_cstr(c, "version");
    add_reply_bulk_cstr(c, KEYPORT_REDIS_COMPAT_VERSION);
    add_reply_bulk_cstr(c, "proto");
    add_reply_ll(c, c->resp);
    add_reply_bulk_cstr(c, "id");
    add_reply_ll(c, (long long)c->id);
    add_reply_bulk_cstr(c, "mode");
    add_reply_bulk_cstr(c, "standalone");
    add_reply_bulk_cstr(c, "role");
    add_reply_bulk_cstr(c, "master");
    add_reply_bulk_cstr(c, "modules");
    add_reply_array_len(c, 0);
}

/* ---------- CLIENT ---------- */

/* CLIENT LIST/KILL TYPE names; -1 for unknown ones. */
static int client_type_by_name(const char *name) {
    if (!strcasecmp(name, "normal")) return CLIENT_TYPE_NORMAL;
    if (!strcasecmp(name, "slave") || !strcasecmp(name, "replica")) return CLIENT_TYPE_REPLICA;
    if (!strcasecmp(name, "pubsub")) return CLIENT_TYPE_PUBSUB;
    if (!strcasecmp(name, "master")) return CLIENT_TYPE_MASTER;
    return -1;
}

static void client_id_command(client *c) {
    add_reply_ll(c, (long long)c->id);
}

static void client_info_command(client *c) {
    kstr s = client_info_string(kstr_empty(), c);
    s = kstr_cat(s, "\n", 1);
    add_reply_verbatim(c, s, kstr_len(s), "txt");
    kstr_free(s);
}

static void client_list_command(client *c) {
    int type = -1;
    kstr out = NULL;
    if (c->argc == 4 && !strcasecmp(c->argv[2]->ptr, "type")) {
        type = client_type_by_name(c->argv[3]->ptr);
        if (type == -1) {
            add_reply_errorf(c, "ERR Unknown client type '%s'", (char *)c->argv[3]->ptr);
            return;
        }
    } else if (c->argc > 3 && !strcasecmp(c->argv[2]->ptr, "id")) {
        out = kstr_empty();
        for (int j = 3; j < c->argc; j++) {
            long long id;
            if (get_ll_from_obj_or_reply(c, c->argv[j], &id, "ERR Invalid client ID") != C_OK) {
                kstr_free(out);
                return;
            }
            client *cl = client_lookup_by_id((uint64_t)id);
            if (cl) {
                out = client_info_string(out, cl);
                out = kstr_cat(out, "\n", 1);
            }
        }
    } else if (c->argc != 2) {
        add_reply_error_syntax(c);
        return;
    }
    if (!out) {
        out = kstr_empty();
        for (client *cl = server.clients_head; cl; cl = cl->next) {
            if (type != -1 && client_type(cl) != type) continue;
            out = client_info_string(out, cl);
            out = kstr_cat(out, "\n", 1);
        }
    }
    add_reply_verbatim(c, out, kstr_len(out), "txt");
    kstr_free(out);
}

static void client_setname_command(client *c) {
    if (set_name_or_reply(c, c->argv[2]) == C_OK) add_reply_ok(c);
}

static void client_getname_command(client *c) {
    if (c->name)
        add_reply_bulk_buf(c, c->name, kstr_len(c->name));
    else
        add_reply_null(c);
}

static int client_addr_matches(client *cl, int remote, const char *want) {
    char buf[256];
    client_addr_string(cl, remote, buf, sizeof(buf));
    return strcmp(buf, want) == 0;
}

static void client_kill_command(client *c) {
    const char *addr = NULL, *laddr = NULL, *user = NULL;
    int type = -1, skipme = 1;
    uint64_t id = 0;
    if (c->argc == 3) {
        addr = c->argv[2]->ptr; /* old form: may kill the caller */
        skipme = 0;
    } else {
        for (int i = 2; i < c->argc; i += 2) {
            int more = c->argc > i + 1;
            const char *opt = c->argv[i]->ptr;
            if (!strcasecmp(opt, "id") && more) {
                long v;
                if (get_range_long_from_obj_or_reply(c, c->argv[i + 1], 1, LONG_MAX, &v,
                                                     "ERR client-id should be greater than 0") !=
                    C_OK)
                    return;
                id = (uint64_t)v;
            } else if (!strcasecmp(opt, "type") && more) {
                type = client_type_by_name(c->argv[i + 1]->ptr);
                if (type == -1) {
                    add_reply_errorf(c, "ERR Unknown client type '%s'",
                                     (char *)c->argv[i + 1]->ptr);
                    return;
                }
            } else if (!strcasecmp(opt, "addr") && more) {
                addr = c->argv[i + 1]->ptr;
            } else if (!strcasecmp(opt, "laddr") && more) {
                laddr = c->argv[i + 1]->ptr;
            } else if (!strcasecmp(opt, "user") && more) {
                user = c->argv[i + 1]->ptr;
                if (!acl_user_exists(user, kstr_len(c->argv[i + 1]->ptr))) {
                    add_reply_errorf(c, "ERR No such user '%s'", user);
                    return;
                }
            } else if (!strcasecmp(opt, "skipme") && more) {
                const char *v = c->argv[i + 1]->ptr;
                if (!strcasecmp(v, "yes")) {
                    skipme = 1;
                } else if (!strcasecmp(v, "no")) {
                    skipme = 0;
                } else {
                    add_reply_error_syntax(c);
                    return;
                }
            } else {
                add_reply_error_syntax(c);
                return;
            }
        }
    }

    long long killed = 0;
    int kill_self = 0;
    client *next;
    for (client *cl = server.clients_head; cl; cl = next) {
        next = cl->next;
        if (addr && !client_addr_matches(cl, 1, addr)) continue;
        if (laddr && !client_addr_matches(cl, 0, laddr)) continue;
        if (type != -1 && client_type(cl) != type) continue;
        if (id != 0 && cl->id != id) continue;
        if (user && strcmp(cl->user ? cl->user : "default", user) != 0) continue;
        if (cl == c && skipme) continue;
        if (cl == c)
            kill_self = 1;
        else
            client_free(cl);
        killed++;
    }
    if (c->argc == 3) {
        if (killed == 0)
            add_reply_error(c, "ERR No such client");
        else
            add_reply_ok(c);
    } else {
        add_reply_ll(c, killed);
    }
    if (kill_self) c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

static void client_no_evict_command(client *c) {
    const char *v = c->argv[2]->ptr;
    if (!strcasecmp(v, "on")) {
        c->flags |= CLIENT_NO_EVICT;
        add_reply_ok(c);
    } else if (!strcasecmp(v, "off")) {
        c->flags &= ~CLIENT_NO_EVICT;
        add_reply_ok(c);
    } else {
        add_reply_error_syntax(c);
    }
}

static void client_reply_command(client *c) {
    const char *v = c->argv[2]->ptr;
    if (!strcasecmp(v, "on")) {
        c->flags &= ~(CLIENT_REPLY_SKIP | CLIENT_REPLY_OFF);
        add_reply_ok(c);
    } else if (!strcasecmp(v, "off")) {
        c->flags |= CLIENT_REPLY_OFF;
    } else if (!strcasecmp(v, "skip")) {
        if (!(c->flags & CLIENT_REPLY_OFF)) c->flags |= CLIENT_REPLY_SKIP_NEXT;
    } else {
        add_reply_error_syntax(c);
    }
}

/* CLIENT UNBLOCK id [TIMEOUT|ERROR]: 1 if the client was blocked (it then
 * gets the timeout reply or the UNBLOCKED error), else 0 (blocked.c). */
static void client_unblock_command(client *c) {
    if (c->argc > 4) {
        add_reply_error_subcommand(c);
        return;
    }
    int error = 0;
    if (c->argc == 4) {
        if (!strcasecmp(c->argv[3]->ptr, "timeout")) {
            error = 0;
        } else if (!strcasecmp(c->argv[3]->ptr, "error")) {
            error = 1;
        } else {
            add_reply_error(c, "ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR");
            return;
        }
    }
    long long id;
    if (get_ll_from_obj_or_reply(c, c->argv[2], &id, NULL) != C_OK) return;
    client *target = client_lookup_by_id((uint64_t)id);
    add_reply_ll(c, target && client_unblock_by_request(target, error) ? 1 : 0);
}

static void client_help_command(client *c) {
    static const char *const help[] = {
        "GETNAME",
        "    Return the name of the current connection.",
        "ID",
        "    Return the ID of the current connection.",
        "INFO",
        "    Return information about the current client connection.",
        "KILL <ip:port>",
        "    Kill connection made from <ip:port>.",
        "KILL <option> <value> [<option> <value> [...]]",
        "    Kill connections. Options are:",
        "    * ADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made from the specified address",
        "    * LADDR (<ip:port>|<unixsocket>:0)",
        "      Kill connections made to specified local address",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Kill connections by type.",
        "    * USER <username>",
        "      Kill connections authenticated by <username>.",
        "    * SKIPME (YES|NO)",
        "      Skip killing current connection (default: yes).",
        "LIST [options ...]",
        "    Return information about client connections. Options:",
        "    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)",
        "      Return clients of specified type.",
        "REPLY (ON|OFF|SKIP)",
        "    Control the replies sent to the current connection.",
        "SETNAME <name>",
        "    Assign the name <name> to the current connection.",
        "UNBLOCK <clientid> [TIMEOUT|ERROR]",
        "    Unblock the specified blocked client.",
        "NO-EVICT (ON|OFF)",
        "    Protect current client connection from eviction.",
        NULL};
    add_reply_help(c, help);
}

/* ---------- tables ---------- */

#define CONN_FLAGS_NO_AUTH                                                                         \
    (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE | CMD_FAST | CMD_NO_AUTH | CMD_ALLOW_BUSY)
#define CLIENT_SUB_FLAGS (CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)
#define CLIENT_ADMIN_FLAGS (CMD_ADMIN | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

static kcommand client_subcommands[] = {
    {.name = "id",
     .proc = client_id_command,
     .arity = 2,
     .flags = CLIENT_SUB_FLAGS,
     .group = "connection",
     .summary = "Returns the client ID for the current connection",
     .since = "5.0.0",
     .complexity = "O(1)",
     .acl_categories = "@slow @connection",
     .syntax = ""},
    {.name = "info",
     .proc = client_info_command,
     .arity = 2,
     .flags = CLIENT_SUB_FLAGS,
     .group = "connection",
     .summary = "Returns information about the current client connection.",
     .since = "6.2.0",
     .complexity = "O(1)",
     .acl_categories = "@slow @connection",
     .syntax = ""},
    {.name = "list",
     .proc = client_list_command,
     .arity = -2,
     .flags = CLIENT_ADMIN_FLAGS,
     .group = "connection",
     .summary = "Get the list of client connections",
     .since = "2.4.0",
     .complexity = "O(N) where N is the number of client connections",
     .acl_categories = "@admin @slow @dangerous @connection",
     .syntax = "[TYPE NORMAL|MASTER|REPLICA|PUBSUB] [ID client-id [client-id ...]]"},
    {.name = "setname",
     .proc = client_setname_command,
     .arity = 3,
     .flags = CLIENT_SUB_FLAGS,
     .group = "connection",
     .summary = "Set the current connection name",
     .since = "2.6.9",
     .complexity = "O(1)",
     .acl_categories = "@slow @connection",
     .syntax = "connection-name"},
    {.name = "getname",
     .proc = client_getname_command,
     .arity = 2,
     .flags = CLIENT_SUB_FLAGS,
     .group = "connection",
     .summary = "Get the current connection name",
     .since = "2.6.9",
     .complexity = "O(1)",
     .acl_categories = "@slow @connection",
     .syntax = ""},
    {.name = "kill",
     .proc = client_kill_command,
     .arity = -3,
     .flags = CLIENT_ADMIN_FLAGS,
     .group = "connection",
     .summary = "Kill the connection of a client",
     .since = "2.4.0",
     .complexity = "O(N) where N is the number of client connections",
     .acl_categories = "@admin @slow @dangerous @connection",
     .syntax = "ip:port | [ID client-id] [TYPE NORMAL|MASTER|SLAVE|REPLICA|PUBSUB] [USER username] "
               "[ADDR ip:port] [LADDR ip:port] [SKIPME YES|NO]"},
    {.name = "no-evict",
     .proc = client_no_evict_command,
     .arity = 3,
     .flags = CLIENT_ADMIN_FLAGS,
     .group = "connection",
     .summary = "Set client eviction mode for the current connection",
     .since = "7.0.0",
     .complexity = "O(1)",
     .acl_categories = "@admin @slow @dangerous @connection",
     .syntax = "ON|OFF"},
    {.name = "reply",
     .proc = client_reply_command,
     .arity = 3,
     .flags = CLIENT_SUB_FLAGS,
     .group = "connection",
     .summary = "Instruct the server whether to reply to commands",
     .since = "3.2.0",
     .complexity = "O(1)",
     .acl_categories = "@slow @connection",
     .syntax = "ON|OFF|SKIP"},
    {.name = "unblock",
     .proc = client_unblock_command,
     .arity = -3,
     .flags = CLIENT_ADMIN_FLAGS,
     .group = "connection",
     .summary = "Unblock a client blocked in a blocking command from a different connection",
     .since = "5.0.0",
     .complexity = "O(log N) where N is the number of client connections",
     .acl_categories = "@admin @slow @dangerous @connection",
     .syntax = "client-id [TIMEOUT|ERROR]"},
    {.name = "help",
     .proc = client_help_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE,
     .group = "connection",
     .summary = "Show helpful text about the different subcommands",
     .since = "5.0.0",
     .complexity = "O(1)",
     .acl_categories = "@slow @connection",
     .syntax = ""},
    {0}};

kcommand conn_commands[] = {
    {.name = "ping",
     .proc = ping_command,
     .arity = -1,
     .flags = CMD_FAST,
     .group = "connection",
     .summary = "Ping the server",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@fast @connection",
     .syntax = "[message]"},
    {.name = "echo",
     .proc = echo_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .group = "connection",
     .summary = "Echo the given string",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@fast @connection",
     .syntax = "message"},
    {.name = "quit",
     .proc = quit_command,
     .arity = -1,
     .flags = CONN_FLAGS_NO_AUTH,
     .group = "connection",
     .summary = "Close the connection",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@fast @connection",
     .syntax = ""},
    {.name = "hello",
     .proc = hello_command,
     .arity = -1,
     .flags = CONN_FLAGS_NO_AUTH,
     .group = "connection",
     .summary = "Handshake with Redis",
     .since = "6.0.0",
     .complexity = "O(1)",
     .acl_categories = "@fast @connection",
     .syntax = "[protover [AUTH username password] [SETNAME clientname]]"},
    {.name = "auth",
     .proc = auth_command,
     .arity = -2,
     .flags = CONN_FLAGS_NO_AUTH,
     .group = "connection",
     .summary = "Authenticate to the server",
     .since = "1.0.0",
     .complexity = "O(N) where N is the number of passwords defined for the user",
     .acl_categories = "@fast @connection",
     .syntax = "[username] password"},
    {.name = "select",
     .proc = select_command,
     .arity = 2,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .group = "connection",
     .summary = "Change the selected database for the current connection",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@fast @connection",
     .syntax = "index"},
    {.name = "reset",
     .proc = reset_command,
     .arity = 1,
     .flags = CONN_FLAGS_NO_AUTH,
     .group = "connection",
     .summary = "Reset the connection",
     .since = "6.2.0",
     .complexity = "O(1)",
     .acl_categories = "@fast @connection",
     .syntax = ""},
    {.name = "client",
     .proc = NULL,
     .arity = -2,
     .flags = 0,
     .group = "connection",
     .summary = "A container for client connection commands",
     .since = "2.4.0",
     .complexity = "Depends on subcommand.",
     .acl_categories = "@slow",
     .syntax = "",
     .subcommands = client_subcommands},
    {0}};
