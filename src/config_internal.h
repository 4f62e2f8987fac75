/*
 * Private to the configuration subsystem (config*.c): the directive table
 * and the helpers the loader, CONFIG GET/SET/REWRITE and the docs
 * generator share. Nothing outside config*.c includes this header.
 *
 * Threading: main thread only.
 */
#ifndef KEYPORT_CONFIG_INTERNAL_H
#define KEYPORT_CONFIG_INTERNAL_H

#include <stddef.h>

#include "kstr.h"

typedef enum cfg_type {
    CFG_BOOL,   /* yes/no into an int */
    CFG_INT,    /* integer in [min, max] */
    CFG_MEMORY, /* integer with memtoll units (1kb, 10mb, 1gb) in [min, max] */
    CFG_ENUM,   /* one of enums[], stored as its value in an int */
    CFG_STRING, /* char * owned by the config (zmalloc) */
    CFG_SPECIAL /* custom parse/format/rewrite functions */
} cfg_type;

/* Storage of CFG_INT and CFG_MEMORY values. */
typedef enum cfg_width { CFG_W_INT, CFG_W_UINT, CFG_W_LL, CFG_W_ULL } cfg_width;

#define CFG_F_IMMUTABLE (1u << 0)       /* startup only: CONFIG SET refuses it */
#define CFG_F_MULTI_ARG (1u << 1)       /* takes several words (bind, save, ...) */
#define CFG_F_HIDDEN (1u << 2)          /* left out of CONFIG GET glob matches */
#define CFG_F_PROTECTED (1u << 3)       /* CONFIG SET needs enable-protected-configs */
#define CFG_F_EMPTY_NULL (1u << 4)      /* strings: "" is stored as NULL */
#define CFG_F_OCTAL (1u << 5)           /* integers written in octal (unixsocketperm) */
#define CFG_F_LOADER (1u << 6)          /* handled by the loader: include, loadtransport, listen */
#define CFG_F_LOAD_APPLY (1u << 7)      /* apply() also runs once after loading */
#define CFG_F_NOT_IMPL (1u << 8)        /* accepted and stored, feature not implemented yet */
#define CFG_F_KEYPORT (1u << 9)         /* keyport directive, not in Redis */
#define CFG_F_ALWAYS_REWRITE (1u << 10) /* CONFIG REWRITE writes it even at default */

typedef struct cfg_enum {
    const char *name;
    int value;
} cfg_enum;

typedef struct config_def config_def;

/* How a value arrives: from a config file / the command line while
 * loading, or from CONFIG SET. first is non-zero for the first occurrence
 * of the directive in this load (save and client-output-buffer-limit
 * accumulate lines within one load). */
typedef struct cfg_ctx {
    int runtime;
    int first;
} cfg_ctx;

/* Parses argv (argc words, after the directive name) and stores the value.
 * Returns 0, or -1 with the reason in err (the stored value is unchanged). */
typedef int cfg_parse_fn(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                         size_t errlen);
/* Appends the current value as CONFIG GET shows it. */
typedef kstr cfg_format_fn(const config_def *d, kstr out);
/* Appends complete config-file lines (each ending in '\n') for the current
 * value, as CONFIG REWRITE writes them. */
typedef kstr cfg_rewrite_fn(const config_def *d, kstr out);
/* Makes a changed value take effect. name is the directive (or transport
 * key) that changed. Returns 0, or -1 with the reason in err. */
typedef int cfg_apply_fn(const char *name, char *err, size_t errlen);

struct config_def {
    const char *name;
    const char *alias; /* or NULL */
    cfg_type type;
    unsigned flags;
    void *ptr; /* into struct server (NULL for loader directives) */
    cfg_width width;
    long long min, max;
    const cfg_enum *enums;   /* ended by a NULL name */
    const char *deflt;       /* default, in the syntax of a config line */
    cfg_parse_fn *parse;     /* CFG_SPECIAL */
    cfg_format_fn *format;   /* CFG_SPECIAL */
    cfg_rewrite_fn *rewrite; /* NULL: "name value" with the formatted value */
    cfg_apply_fn *apply;     /* NULL: nothing to do */
    const char *syntax;      /* value synopsis for the docs (special types) */
    const char *desc;        /* one line, for docs/config.md */
};

/* The table (config.c), ended by an entry with a NULL name. */
extern const config_def config_table[];

/* Finds a directive by name or alias (case-insensitive). */
const config_def *config_find(const char *name);
/* Stores a value: parses argv with d's type. Returns 0 or -1 with err. */
int config_parse_value(const config_def *d, int argc, char **argv, const cfg_ctx *ctx, char *err,
                       size_t errlen);
/* Appends d's current value (CONFIG GET form). */
kstr config_format_value(const config_def *d, kstr out);
/* Appends d's default value in CONFIG GET form. */
kstr config_format_default(const config_def *d, kstr out);
/* Appends the config-file lines for d's current value (CONFIG REWRITE). */
kstr config_rewrite_lines(const config_def *d, kstr out);
/* Non-zero when d holds its default value. */
int config_is_default(const config_def *d);
/* Sets d to its default value (frees strings). */
void config_set_default(const config_def *d);
/* Splits a CONFIG SET value of a MULTI_ARG directive into words. */
kstr *config_split_value(const config_def *d, const char *value, int *argc);
/* After a table directive changed: if a loaded transport declares the same
 * key, pushes the value into the transport defaults. */
void config_push_transport_default(const config_def *d);

/* Transport keys set through the config (so they can be reset). */
void config_note_transport_key(const char *key);
void config_forget_transport_keys(void);

/* Sets the defaults once if config_init_defaults() was not called. */
void config_ensure_defaults(void);
/* Keys declared by loaded transports that are not table directives,
 * deduplicated. Free with kstr_free_argv. */
kstr *config_transport_keys(int *count);

/* Special directives and apply hooks (config_special.c). */
cfg_parse_fn cfg_parse_loader, cfg_parse_bind, cfg_parse_obuf, cfg_parse_dir, cfg_parse_save,
    cfg_parse_dbfilename, cfg_parse_notify;
cfg_format_fn cfg_format_bind, cfg_format_obuf, cfg_format_dir, cfg_format_save,
    cfg_format_dbfilename, cfg_format_notify;
cfg_rewrite_fn cfg_rewrite_bind, cfg_rewrite_obuf, cfg_rewrite_save;
cfg_apply_fn cfg_apply_listeners, cfg_apply_hz, cfg_apply_maxclients;
/* Applies a transport key to the listeners using it (CONFIG SET). */
cfg_apply_fn cfg_apply_transport_key;
/* ACL directives (wrappers over acl.h, end of config_special.c): user
 * lines, rename-command, requirepass as the default user's password. */
cfg_parse_fn cfg_parse_user, cfg_parse_rename;
cfg_format_fn cfg_format_none;
cfg_rewrite_fn cfg_rewrite_user, cfg_rewrite_rename;
cfg_apply_fn cfg_apply_requirepass;

/* Sandbox (tests, fuzzing): no chdir, no dlopen, no include, no logs. */
int config_sandboxed(void);

/* Generates the directive reference of docs/config.md (config_doc.c). */
kstr config_doc_markdown(kstr out);

#endif
