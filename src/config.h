/*
 * Configuration: one table of directives (config.c) drives the config file
 * parser, command-line options, CONFIG GET/SET/REWRITE and docs/config.md.
 *
 * Errors name what was wrong: "<file>:<line>: <directive>: <reason>" for
 * files, "--<directive>: <reason>" for the command line, and the Redis
 * "ERR CONFIG SET failed (possibly related to argument '...') - <reason>"
 * for CONFIG SET.
 *
 * Transport directives: keys declared by a loaded transport (config_keys,
 * e.g. tls-cert-file) are accepted as global directives and stored as
 * transport defaults (listen.h). loadtransport lines are processed before
 * every other line, wherever they appear.
 *
 * Threading: main thread only.
 */
#ifndef KEYPORT_CONFIG_H
#define KEYPORT_CONFIG_H

#include <stddef.h>

#include "kstr.h"

/* Sets every directive to its default. */
void config_init_defaults(void);
/* Parses the command line (`[configfile|-] [--directive value ...]`,
 * -v/--version, -h/--help, --test-config) and loads the configuration.
 * Exits on errors and for --version/--help/--test-config. */
void config_from_argv(int argc, char **argv);
/* Loads filename (NULL: none) then the "--name value ..." options text.
 * On error prints the reason to stderr and exits with status 1. */
void config_load(const char *filename, const char *options);
/* Parses a whole config text; source names it in errors ("file:line" or
 * "command line"). Returns 0, or -1 with the message in err. Used by
 * config_load and by tests/fuzzers. */
int config_load_string(const char *text, const char *source, char *err, size_t errlen);
/* CONFIG SET of one directive at runtime. Returns 0, or -1 with a reason
 * in err (the old value stays). */
int config_set(const char *name, const char *value, char *err, size_t errlen);
/* CONFIG SET of n name/value pairs, atomically as Redis 7 does: every
 * value is validated and stored, then every apply hook runs; on any
 * failure all n directives get their old values back. allow_protected
 * says whether protected directives (dir, dbfilename) may change (from
 * enable-protected-configs and the client's locality). Returns 0, or -1
 * with the complete Redis error text, without the "ERR " prefix, in err. */
int config_set_multi(int n, const char *const *names, const char *const *values,
                     int allow_protected, char *err, size_t errlen);
/* Current value as CONFIG GET shows it; NULL for unknown names. The caller
 * frees the kstr. */
kstr config_get_value(const char *name);
/* Rewrites the config file in place, keeping comments and unknown lines.
 * Returns 0, or -1 with a reason in err. */
int config_rewrite(const char *path, char *err, size_t errlen);
/* Calls fn for every directive name matching pattern (CONFIG GET glob).
 * A pattern without glob characters also finds hidden directives and
 * aliases by exact name. value is only valid during the call. */
void config_foreach_match(const char *pattern, void (*fn)(void *ud, const char *name, kstr value),
                          void *ud);

/* For tests and fuzzers. config_reset() returns every directive to its
 * default, removes the transport defaults and the not yet started
 * listeners that loading created. In sandbox mode loading has no side
 * effects outside the server struct: no chdir, no transport loading, no
 * include, no log lines. */
void config_reset(void);
void config_set_sandbox(int on);

#endif
