/*
 * Where users come from: `user` lines of the configuration (validated
 * when read, created at startup), the aclfile (ACL LOAD replaces every
 * user only when the whole file is valid; ACL SAVE writes it through a
 * temporary file and rename), requirepass (the default user's password),
 * and CONFIG REWRITE of the user lines.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "acl_internal.h"

typedef struct pending_user {
    kstr *argv; /* name, then the merged rules */
    int argc;
} pending_user;

static pending_user *pending;
static int npending;
/* acl_init() ran: before that (config loading, sandboxed tests) there are
 * no users to rewrite and requirepass is applied by acl_init() itself. */
static int initialized;

static void clear_pending(void) {
    for (int i = 0; i < npending; i++) kstr_free_argv(pending[i].argv, pending[i].argc);
    zfree(pending);
    pending = NULL;
    npending = 0;
}

/* ---------- `user` lines ---------- */

int acl_config_user_line(int argc, char **argv, int first, char *err, size_t errlen) {
    if (first) clear_pending();
    if (argc == 0 && first) return 0; /* the default: no user line */
    if (argc < 1) {
        snprintf(err, errlen, "wrong number of arguments (expects NAME [rule ...])");
        return -1;
    }
    size_t nlen = strlen(argv[0]);
    if (acl_has_spaces(argv[0], nlen)) {
        snprintf(err, errlen, "Usernames can't contain spaces or null characters");
        return -1;
    }
    for (int i = 0; i < npending; i++) {
        if (kstr_len(pending[i].argv[0]) == nlen && !memcmp(pending[i].argv[0], argv[0], nlen)) {
            snprintf(err, errlen,
                     "Error in user declaration '%s': Duplicate user found. A user can only be "
                     "defined once in config files",
                     argv[0]);
            return -1;
        }
    }
    kstr *words = zmalloc(sizeof(kstr) * (size_t)argc);
    for (int i = 1; i < argc; i++) words[i - 1] = kstr_from(argv[i]);
    int merged = 0, bad = 0;
    kstr *rules = acl_merge_selector_args(words, argc - 1, &merged, &bad);
    if (!rules) {
        snprintf(err, errlen, "Unmatched parenthesis in acl selector starting at '%s'", words[bad]);
        kstr_free_argv(words, argc - 1);
        return -1;
    }
    kstr_free_argv(words, argc - 1);
    acl_user *probe = acl_user_create_unlinked(argv[0], nlen);
    for (int i = 0; i < merged; i++) {
        acl_op_error e = acl_user_apply(probe, rules[i], kstr_len(rules[i]));
        if (e != ACL_OP_OK) {
            snprintf(err, errlen, "Error in user declaration '%s': %s", rules[i],
                     acl_op_error_text(e));
            acl_user_free(probe);
            kstr_free_argv(rules, merged);
            return -1;
        }
    }
    acl_user_free(probe);
    pending = zrealloc(pending, sizeof(pending_user) * (size_t)(npending + 1));
    pending_user *p = &pending[npending++];
    p->argc = merged + 1;
    p->argv = zmalloc(sizeof(kstr) * (size_t)p->argc);
    p->argv[0] = kstr_new(argv[0], nlen);
    memcpy(p->argv + 1, rules, sizeof(kstr) * (size_t)merged);
    zfree(rules);
    return 0;
}

kstr acl_config_user_rewrite(kstr out) {
    /* With an aclfile, users live there: the config keeps no user line. */
    if (!initialized || server.acl_filename) return out;
    int n;
    acl_user **v = acl_users_sorted(&n);
    for (int i = 0; i < n; i++) {
        out = kstr_catfmt(out, "user %s ", v[i]->name);
        out = acl_user_describe(out, v[i]);
        out = kstr_cat(out, "\n", 1);
    }
    zfree(v);
    return out;
}

static int load_config_users(void) {
    for (int i = 0; i < npending; i++) {
        kstr *argv = pending[i].argv;
        acl_user *u = acl_users_add(argv[0], kstr_len(argv[0]));
        if (!u) {
            u = acl_user_lookup(argv[0], kstr_len(argv[0])); /* only "default" exists */
            acl_user_apply(u, "reset", 5);
        }
        for (int j = 1; j < pending[i].argc; j++) {
            acl_op_error e = acl_user_apply(u, argv[j], kstr_len(argv[j]));
            if (e != ACL_OP_OK) {
                server_log(LL_WARNING, "Error loading ACL rule '%s' for the user named '%s': %s",
                           argv[j], argv[0], acl_op_error_text(e));
                return C_ERR;
            }
        }
        if (u->flags & USER_DISABLED)
            server_log(LL_NOTICE,
                       "The user '%s' is disabled (there is no 'on' modifier in the user "
                       "description). Make sure this is not a configuration error.",
                       argv[0]);
    }
    clear_pending();
    return C_OK;
}

/* ---------- requirepass ---------- */

static void set_default_password(const char *password) {
    acl_user *def = acl_default_user();
    acl_user_apply(def, "resetpass", 9);
    if (password) {
        kstr op = kstr_catfmt(kstr_empty(), ">%s", password);
        acl_user_apply(def, op, kstr_len(op));
        explicit_bzero(op, kstr_len(op));
        kstr_free(op);
    } else {
        acl_user_apply(def, "nopass", 6);
    }
}

int acl_config_apply_requirepass(char *err, size_t errlen) {
    (void)err, (void)errlen;
    if (initialized) set_default_password(server.requirepass);
    return 0;
}

/* ---------- the aclfile ---------- */

static kstr read_whole_file(const char *path) {
    FILE *fp = fopen(path, "r");
    if (!fp) return NULL;
    kstr s = kstr_empty();
    char buf[4096];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), fp)) > 0) s = kstr_cat(s, buf, n);
    int failed = ferror(fp);
    fclose(fp);
    if (failed) {
        kstr_free(s);
        errno = EIO;
        return NULL;
    }
    return s;
}

/* Words of a line separated by single spaces, as Redis splits ACL files
 * (no quoting; consecutive spaces give empty words, which do nothing). */
static kstr *split_spaces(const char *line, size_t len, int *argc) {
    kstr *v = NULL;
    int n = 0;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i < len && line[i] != ' ') continue;
        v = zrealloc(v, sizeof(kstr) * (size_t)(n + 1));
        v[n++] = kstr_new(line + start, i - start);
        start = i + 1;
    }
    *argc = n;
    return v;
}

static void trim_chars(kstr s, const char *chars) {
    size_t b = 0, e = kstr_len(s);
    while (b < e && strchr(chars, s[b])) b++;
    while (e > b && strchr(chars, s[e - 1])) e--;
    if (b == e)
        kstr_clear(s);
    else
        kstr_range(s, (long)b, (long)e - 1);
}

/* Parses one line into users. Appends problems to *errors. */
static void load_line(dict *users, kstr line, const char *file, int lineno, kstr *errors) {
    int argc;
    kstr *argv = split_spaces(line, kstr_len(line), &argc);
    if (argc < 2 || strcmp(argv[0], "user") != 0) {
        *errors =
            kstr_catfmt(*errors, "%s:%d should start with user keyword followed by the username. ",
                        file, lineno);
        kstr_free_argv(argv, argc);
        return;
    }
    if (acl_has_spaces(argv[1], kstr_len(argv[1]))) {
        *errors = kstr_catfmt(*errors, "'%s:%d: username '%s' contains invalid characters. ", file,
                              lineno, argv[1]);
        kstr_free_argv(argv, argc);
        return;
    }
    if (dict_find(users, argv[1])) {
        *errors = kstr_catfmt(*errors, "WARNING: Duplicate user '%s' found on line %d. ", argv[1],
                              lineno);
        kstr_free_argv(argv, argc);
        return;
    }
    acl_user *u = acl_user_create_unlinked(argv[1], kstr_len(argv[1]));
    dict_add(users, u->name, u);
    int merged = 0;
    kstr *rules = acl_merge_selector_args(argv + 2, argc - 2, &merged, NULL);
    if (!rules) {
        *errors = kstr_catfmt(*errors, "%s:%d: Unmatched parenthesis in selector definition.", file,
                              lineno);
    } else {
        for (int j = 0; j < merged; j++) {
            trim_chars(rules[j], "\t\r\n");
            acl_op_error e = acl_user_apply(u, rules[j], kstr_len(rules[j]));
            if (e != ACL_OP_OK)
                *errors = kstr_catfmt(*errors, "%s:%d: Error in applying operation '%s': %s. ",
                                      file, lineno, rules[j], acl_op_error_text(e));
        }
        kstr_free_argv(rules, merged);
    }
    kstr_free_argv(argv, argc);
}

/* Loads filename, replacing every user when it has no error. Returns NULL,
 * or the problems found (the caller frees them); then nothing changed. */
kstr acl_load_file(const char *filename) {
    acl_default_user();
    kstr text = read_whole_file(filename);
    if (!text)
        return kstr_catfmt(kstr_empty(), "Error loading ACLs, opening file '%s': %s", filename,
                           strerror(errno));
    dict *users = acl_users_dict_create();
    kstr errors = kstr_empty();
    size_t pos = 0, len = kstr_len(text);
    int lineno = 0;
    while (pos < len) {
        const char *start = text + pos;
        const char *nl = memchr(start, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - start) : len - pos;
        pos += llen + (nl ? 1 : 0);
        lineno++;
        kstr line = kstr_new(start, llen);
        trim_chars(line, " \t\r\n");
        if (kstr_len(line))
            load_line(users, line, server.acl_filename ? server.acl_filename : filename, lineno,
                      &errors);
        kstr_free(line);
    }
    kstr_free(text);
    if (kstr_len(errors)) {
        acl_users_dict_free(users);
        return kstr_cat_cstr(errors, "WARNING: ACL errors detected, no change to the previously "
                                     "active ACL rules was performed");
    }
    kstr_free(errors);
    acl_users_replace(users);
    return NULL;
}

int acl_save_file(const char *filename) {
    kstr data = kstr_empty();
    int n;
    acl_user **v = acl_users_sorted(&n);
    for (int i = 0; i < n; i++) {
        data = kstr_catfmt(data, "user %s ", v[i]->name);
        data = acl_user_describe(data, v[i]);
        data = kstr_cat(data, "\n", 1);
    }
    zfree(v);
    kstr tmp = kstr_catfmt(kstr_empty(), "%s.tmp-%d-%lld", filename, (int)getpid(), mstime());
    int rc = C_ERR;
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd == -1) {
        server_log(LL_WARNING, "Opening temp ACL file for ACL SAVE: %s", strerror(errno));
        goto out;
    }
    size_t off = 0;
    while (off < kstr_len(data)) {
        ssize_t w = write(fd, data + off, kstr_len(data) - off);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
            server_log(LL_WARNING, "Writing ACL file for ACL SAVE: %s", strerror(errno));
            goto out;
        }
        off += (size_t)w;
    }
    if (fsync(fd) == -1) {
        server_log(LL_WARNING, "Syncing ACL file for ACL SAVE: %s", strerror(errno));
        goto out;
    }
    close(fd);
    fd = -1;
    if (rename(tmp, filename) == -1) {
        server_log(LL_WARNING, "Renaming ACL file for ACL SAVE: %s", strerror(errno));
        goto out;
    }
    rc = C_OK;
out:
    if (fd != -1) close(fd);
    if (rc != C_OK) unlink(tmp);
    kstr_free(tmp);
    kstr_free(data);
    return rc;
}

/* ---------- startup ---------- */

void acl_init(void) {
    acl_commands_init();
    acl_default_user();
    set_default_password(server.requirepass);
    if (server.acl_filename && npending) {
        server_log(LL_WARNING,
                   "Configuring keyport with users defined in the configuration and at the same "
                   "time an ACL file path is invalid. This setup is very likely to lead to "
                   "configuration errors and security holes, please define either an ACL file or "
                   "declare users directly in the configuration, but not both.");
        fprintf(stderr, "keyport: both 'user' lines and 'aclfile' are configured: use one\n");
        exit(1);
    }
    if (load_config_users() != C_OK) {
        server_log(LL_WARNING, "Critical error while loading ACLs. Exiting.");
        fprintf(stderr, "keyport: invalid 'user' configuration (see the log)\n");
        exit(1);
    }
    if (server.acl_filename) {
        kstr errors = acl_load_file(server.acl_filename);
        if (errors) {
            server_log(LL_WARNING, "Aborting keyport startup because of ACL errors: %s", errors);
            fprintf(stderr, "keyport: aclfile: %s\n", errors);
            kstr_free(errors);
            exit(1);
        }
    }
    initialized = 1;
}
