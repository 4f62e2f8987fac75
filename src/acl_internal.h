/*
 * Private to the ACL subsystem (acl*.c): users, selectors, the command
 * registry the permission bitmaps are indexed by, and key extraction.
 * Everything else uses acl.h.
 *
 * Ownership: the user table owns every acl_user; a user owns its
 * selectors, password hashes and patterns. Threading: main thread only.
 */
#ifndef KEYPORT_ACL_INTERNAL_H
#define KEYPORT_ACL_INTERNAL_H

#include <stdint.h>

#include "acl.h"
#include "server.h"
#include "sha256.h"

/* ---------- command registry (acl_commands.c) ---------- */

/* Redis' ACL categories, in Redis' order (ACL CAT, describe). */
#define ACL_NCATEGORIES 21
extern const char *const acl_category_names[ACL_NCATEGORIES];
/* Index of a category name (without '@', any case), -1 when unknown. */
int acl_category_index(const char *name);

/* Which arguments of a command are Pub/Sub channels. */
typedef enum acl_channel_args {
    ACL_CHANNELS_NONE = 0,
    ACL_CHANNELS_FIRST,      /* PUBLISH, SPUBLISH: argv[1] */
    ACL_CHANNELS_ALL,        /* SUBSCRIBE, SSUBSCRIBE: argv[1..] */
    ACL_CHANNELS_ALL_LITERAL /* PSUBSCRIBE: argv[1..], compared literally */
} acl_channel_args;

struct acl_keyspec_entry;

/* One command or subcommand as the ACL sees it. Ids index the selector
 * bitmaps: a container is followed by its subcommands. */
typedef struct acl_cmd {
    kcommand *cmd;
    int id;
    int parent_id;       /* -1 for top-level commands */
    int nsubs;           /* subcommands follow at id+1 .. id+nsubs */
    uint32_t categories; /* bit i: acl_category_names[i] */
    kstr fullname;       /* "get", "config|get" (original name) */
    acl_channel_args channels;
    const struct acl_keyspec_entry *keyspecs; /* NULL: first/last/step */
} acl_cmd;

extern acl_cmd *acl_cmds; /* by id */
extern int acl_ncmds;
/* Words of a selector bitmap. */
#define ACL_BITMAP_WORDS ((size_t)(acl_ncmds + 63) / 64)

/* Builds the registry from the command tables (calls commands_init());
 * idempotent. Must run before any rename-command is applied. */
void acl_commands_init(void);
/* By original name: "get", "CONFIG|GET"; NULL when unknown. */
acl_cmd *acl_cmd_lookup(const char *name, size_t len);
/* The registry entry of a command being executed, NULL if unknown. */
acl_cmd *acl_cmd_of(const kcommand *cmd);

/* ---------- key extraction (acl_keys.c, acl_keyspecs.c) ---------- */

#define ACL_KEY_READ 1
#define ACL_KEY_WRITE 2
#define ACL_KEY_ALL (ACL_KEY_READ | ACL_KEY_WRITE)

/* Static key specs of a Redis command (Redis 7.0 COMMAND INFO): where the
 * keys start (an index, or the argument after a keyword), how many follow
 * (a range, or a count stored in an argument) and what the command does
 * with them (read: the value is used; write: inserted, updated, deleted). */
typedef enum acl_ks_begin { KS_BEGIN_INDEX = 0, KS_BEGIN_KEYWORD } acl_ks_begin;
typedef enum acl_ks_find { KS_FIND_RANGE = 0, KS_FIND_KEYNUM } acl_ks_find;

typedef struct acl_keyspec {
    unsigned char access; /* ACL_KEY_* bits, 0: the value is not used */
    acl_ks_begin begin;
    int index;           /* KS_BEGIN_INDEX */
    const char *keyword; /* KS_BEGIN_KEYWORD */
    int startfrom;       /* KS_BEGIN_KEYWORD: >0 forward from, <0 backward */
    acl_ks_find find;
    int a, b, c; /* range: lastkey keystep limit; keynum: keynumidx firstkey keystep */
} acl_keyspec;

#define ACL_MAX_KEYSPECS 3
typedef enum acl_keys_proc {
    ACL_KEYS_SPECS = 0, /* the specs say everything */
    ACL_KEYS_SET,       /* SET: read access only with GET */
    ACL_KEYS_BITFIELD,  /* BITFIELD: write access unless only GET */
    ACL_KEYS_SORT,      /* SORT: the key, then STORE destination */
    ACL_KEYS_MIGRATE    /* MIGRATE: argv[3] or the KEYS section */
} acl_keys_proc;

typedef struct acl_keyspec_entry {
    const char *name; /* fullname */
    acl_keys_proc proc;
    int nspecs;
    acl_keyspec specs[ACL_MAX_KEYSPECS];
} acl_keyspec_entry;

const acl_keyspec_entry *acl_keyspec_find(const char *fullname);

typedef struct acl_key_ref {
    int pos;    /* index into argv */
    int access; /* ACL_KEY_* */
} acl_key_ref;

/* Key arguments of argv for command a (argv[0] is the command name).
 * Returns the count; refs get at most max entries. */
int acl_command_keys(const acl_cmd *a, kobj **argv, int argc, acl_key_ref *refs, int max);

/* ---------- selectors (acl_selector.c) ---------- */

#define SEL_ROOT (1u << 0)
#define SEL_ALLKEYS (1u << 1)
#define SEL_ALLCHANNELS (1u << 2)
#define SEL_ALLCOMMANDS (1u << 3) /* every bit set: no bit test needed */

typedef struct acl_key_pattern {
    int access; /* ACL_KEY_* */
    kstr pattern;
} acl_key_pattern;

/* First arguments allowed for an otherwise denied command ("+select|0"). */
typedef struct acl_firstargs {
    int id;
    kstr *args;
    int nargs;
} acl_firstargs;

typedef struct acl_selector {
    unsigned flags;    /* SEL_* */
    int future;        /* +@all/allcommands: commands added later are allowed */
    uint64_t *allowed; /* ACL_BITMAP_WORDS words, bit per command id */
    acl_key_pattern *keys;
    int nkeys;
    kstr *channels;
    int nchannels;
    acl_firstargs *firstargs;
    int nfirstargs;
} acl_selector;

/* Why an operation failed (ACL SETUSER texts). */
typedef enum acl_op_error {
    ACL_OP_OK = 0,
    ACL_OP_SYNTAX,         /* Syntax error */
    ACL_OP_UNKNOWN,        /* Unknown command or category name in ACL */
    ACL_OP_KEYS_AFTER_ALL, /* a key pattern after allkeys */
    ACL_OP_CHANS_AFTER_ALL,
    ACL_OP_NO_SUCH_PASS,   /* removing a password the user does not have */
    ACL_OP_BAD_HASH,       /* '#' not followed by 64 lower-case hex digits */
    ACL_OP_SUBCMD_FIRSTARG /* first-arg of a subcommand */
} acl_op_error;
const char *acl_op_error_text(acl_op_error e);

/* extra: SEL_* flags besides the acl-pubsub-default channel flag. */
acl_selector *acl_selector_create(unsigned extra);
void acl_selector_free(acl_selector *s);
acl_selector *acl_selector_copy(const acl_selector *s);
/* Applies one selector rule (keys, channels, commands). */
acl_op_error acl_selector_apply(acl_selector *s, const char *op, size_t len);
int acl_selector_allows_id(const acl_selector *s, int id);
/* "~* &* +@all" form, as in ACL LIST. */
kstr acl_selector_describe(kstr out, const acl_selector *s);
/* Just the command rules: "-@all +get". */
kstr acl_selector_describe_commands(kstr out, const acl_selector *s);
kstr acl_selector_describe_keys(kstr out, const acl_selector *s);
kstr acl_selector_describe_channels(kstr out, const acl_selector *s);
/* Does one of the selector's channel patterns match (literal: equal)? */
int acl_selector_channel_ok(const acl_selector *s, const char *ch, size_t len, int literal);

/* ---------- users (acl_user.c) ---------- */

#define USER_ENABLED (1u << 0)
#define USER_DISABLED (1u << 1)
#define USER_NOPASS (1u << 2)
#define USER_SANITIZE_SKIP (1u << 3)
#define USER_SANITIZE (1u << 4)

struct acl_user {
    kstr name;
    unsigned flags;  /* USER_* */
    kstr *passwords; /* SHA-256 hex digests */
    int npasswords;
    acl_selector **selectors; /* [0] is the root selector */
    int nselectors;
};

/* A user outside the table (staging SETUSER, validating config lines). */
acl_user *acl_user_create_unlinked(const char *name, size_t len);
void acl_user_free(acl_user *u);
/* Makes dst's rules, flags and passwords a copy of src's (names stay). */
void acl_user_copy_rules(acl_user *dst, const acl_user *src);
/* Applies one SETUSER rule; an empty op does nothing. */
acl_op_error acl_user_apply(acl_user *u, const char *op, size_t len);
/* "on nopass ~* &* +@all" (without "user NAME "). */
kstr acl_user_describe(kstr out, const acl_user *u);
/* Joins selector words split by spaces: "(+get" "~k)" -> "(+get ~k)".
 * Returns the merged words (free with kstr_free_argv), or NULL with *bad
 * set to the index of the unclosed one. */
kstr *acl_merge_selector_args(kstr *argv, int argc, int *merged, int *bad);
/* Do the bytes contain a blank, control whitespace or a NUL? */
int acl_has_spaces(const char *s, size_t len);

/* The table. */
dict *acl_users_dict(void);
acl_user *acl_users_add(const char *name, size_t len); /* NULL if it exists */
/* Removes and frees u; its clients are disconnected. */
void acl_users_delete(acl_user *u);
/* Names in byte order (ACL USERS, LIST, SAVE); free with zfree. */
acl_user **acl_users_sorted(int *count);
/* Replaces every user with those of the new table (default user kept by
 * identity, its rules copied); clients of the others are disconnected. */
void acl_users_replace(dict *newusers);
dict *acl_users_dict_create(void);
/* +@all ~* &* on nopass: the default user's initial rules. */
void acl_user_set_default_rules(acl_user *u);
void acl_users_dict_free(dict *d); /* frees the users too */

/* Passwords. */
void acl_hash_password(const char *p, size_t len, char out[SHA256_HEX_LEN + 1]);
int acl_user_password_ok(const acl_user *u, const char *p, size_t len);

/* ---------- checks (acl_check.c), log (acl_log.c) ---------- */

/* May u run cmd with argv? ACL_OK, or the most relevant denial over the
 * selectors (*errpos: the argument of a denied key or channel). */
acl_result acl_user_check_command(const acl_user *u, kcommand *cmd, kobj **argv, int argc,
                                  int *errpos);
void acl_log_reset(void);
/* ACL LOG [count]: the newest count entries. */
void acl_log_reply(struct client *c, long count);

/* ---------- the aclfile (acl_file.c) ---------- */

/* Replaces every user by the file's when it is entirely valid. Returns
 * NULL, or the problems found (caller frees; nothing changed then). */
kstr acl_load_file(const char *filename);
/* Writes every user; C_OK or C_ERR (the reason is logged). */
int acl_save_file(const char *filename);

/* ---------- logging, clients ---------- */

/* Disconnects the clients authenticated as u (deleted user); they are
 * first put back to the default user, unauthenticated. The client running
 * the current command is closed once its reply is out: command handlers
 * call acl_close_current_if_pending() after replying. */
void acl_kill_clients_of_user(acl_user *u);
/* Disconnects u's Pub/Sub clients subscribed to channels or patterns the
 * new rules no longer allow (ACL SETUSER). */
void acl_kill_pubsub_clients_if_needed(const acl_user *newrules, acl_user *u);
void acl_close_current_if_pending(struct client *c);
/* Binds c to u (and its name for CLIENT LIST). */
void acl_client_bind(struct client *c, acl_user *u, int authenticated);
acl_user *acl_default_user(void);
acl_user *acl_user_lookup(const char *name, size_t len);

#endif
