/*
 * Access control, Redis 7 compatible: users with passwords (SHA-256
 * hashes), command/category rules, key and channel patterns and
 * selectors; AUTH, the ACL command, the ACL LOG; `user` and `aclfile`
 * configuration; requirepass as the default user's password; logins by
 * TLS client certificate (tls-auth-clients-user); protected mode,
 * rename-command and enable-debug-command.
 *
 * Every client with a connection is bound to a user (the "default" user
 * until AUTH, HELLO AUTH or a certificate login); fake clients have none
 * and may run anything.
 *
 * Threading: main thread only.
 */
#ifndef KEYPORT_ACL_H
#define KEYPORT_ACL_H

#include <stddef.h>

#include "conn.h"
#include "kstr.h"

struct client;
struct kobj;
typedef struct acl_user acl_user;

/* Outcome of a permission check; the order is Redis' (when several
 * selectors refuse, the highest reason is reported). */
typedef enum acl_result {
    ACL_OK = 0,
    ACL_DENIED_CMD,
    ACL_DENIED_KEY,
    ACL_DENIED_AUTH,
    ACL_DENIED_CHANNEL,
    ACL_DENIED_TLS_CERT /* keyport: a certificate named a user that may not log in */
} acl_result;

/* Where a denied command ran (ACL LOG "context"). */
typedef enum acl_log_context {
    ACL_LOG_CTX_TOPLEVEL = 0,
    ACL_LOG_CTX_MULTI,
    ACL_LOG_CTX_LUA,
    ACL_LOG_CTX_MODULE
} acl_log_context;

/* Startup, after the configuration is loaded and commands_init() ran:
 * creates the default user (password from requirepass), applies the
 * rename-command lines, then loads the `user` lines or the aclfile. Exits
 * the process with a message when they are invalid. */
void acl_init(void);

/* ---------- clients ---------- */

/* Binds c to the default user; authenticated when that user is enabled
 * and needs no password (client creation, RESET). */
void acl_client_set_default(struct client *c);
/* NOAUTH rule: the default user needs a password (or is off) and c did
 * not authenticate. */
int acl_auth_required(const struct client *c);
/* Does the default user accept any password (AUTH <password> refuses to
 * run then)? */
int acl_default_user_nopass(void);
/* AUTH / HELLO AUTH. On success c is authenticated as that user and C_OK
 * is returned; otherwise an "auth" entry goes to the ACL LOG and C_ERR is
 * returned (the caller replies WRONGPASS). */
int acl_authenticate(struct client *c, struct kobj *username, struct kobj *password);
/* Name of c's user ("default" for clients without one). */
const char *acl_client_user_name(const struct client *c);
/* CLIENT KILL USER: does the user exist? */
int acl_user_exists(const char *name, size_t len);

/* ---------- command execution (dispatch) ---------- */

/* enable-debug-command: refuses protected commands (CMD_PROTECTED) with
 * Redis' error unless allowed for c. Returns C_OK, or C_ERR after
 * replying. */
int acl_check_protected_or_reply(struct client *c);
/* NOAUTH check; C_OK, or C_ERR after replying. */
int acl_check_auth_or_reply(struct client *c);
/* Permission check of c->cmd with c->argv against c's user: command,
 * subcommand, first argument, keys and channels. On denial replies the
 * NOPERM error, adds an ACL LOG entry and returns C_ERR. */
int acl_check_command_or_reply(struct client *c, acl_log_context ctx);
/* EXEC: the rules may have changed since a command was queued. Checks
 * c->cmd/c->argv (the queued command) again; on denial logs it (context
 * "multi"), replies Redis' NOPERM text for EXEC and returns C_ERR. */
int acl_check_exec_or_reply(struct client *c);
/* For commands that reach keys or channels on their own (SORT BY/GET,
 * future scripting): may c's user access them? ACL_OK or the denial. */
acl_result acl_client_check_key(const struct client *c, const char *key, size_t len, int write);
acl_result acl_client_check_channel(const struct client *c, const char *ch, size_t len,
                                    int literal);
/* Adds an ACL LOG entry. object and username may be NULL: the command's
 * full name / the key or channel at argpos / argv[0] for auth, and c's
 * user name. */
void acl_log_add(struct client *c, acl_result reason, acl_log_context ctx, int argpos,
                 const char *username, const char *object);

/* ---------- connections (networking) ---------- */

/* protected-mode: refuse a connection from outside loopback and unix
 * sockets while the default user has no password? */
int acl_protected_mode_refuses(connection *conn);
/* After the handshake of a connection whose listener has
 * tls-auth-clients-user CN|URI: logs c in as the user its verified
 * certificate names (see docs/security.md). */
void acl_tls_login(struct client *c);

/* ---------- configuration (config_special.c wrappers) ---------- */

/* `user NAME rules...` lines: validated at once and created by
 * acl_init(). first: the first user line of this load (earlier queued
 * lines are dropped). Returns 0, or -1 with a reason in err. */
int acl_config_user_line(int argc, char **argv, int first, char *err, size_t errlen);
/* CONFIG REWRITE: one "user ..." line per user (none with an aclfile). */
kstr acl_config_user_rewrite(kstr out);
/* `rename-command OLD NEW` (NEW "" removes the command). apply 0 only
 * validates (sandboxed configuration loading). */
int acl_config_rename_command(int argc, char **argv, int first, int apply, char *err,
                              size_t errlen);
kstr acl_config_rename_rewrite(kstr out);
/* After CONFIG SET requirepass: the default user's password follows. */
int acl_config_apply_requirepass(char *err, size_t errlen);

/* ---------- statistics ---------- */

/* Appends the INFO stats fields of this subsystem. */
kstr acl_info_stats(kstr info);
void acl_stats_reset(void);

#endif
