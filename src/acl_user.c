/*
 * Users: the user table, the SETUSER rules that are about the user
 * itself (on/off, passwords, selectors, reset) and ACL LIST's description.
 * Selector rules (commands, keys, channels) go to the root selector.
 *
 * Passwords are kept only as SHA-256 hex digests and compared in time
 * independent of where a guess differs.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl_internal.h"

static dict *users;

/* ---------- the table ---------- */

static uint64_t user_hash(const void *key) {
    return dict_gen_hash(key, kstr_len((kstr)key));
}

static int user_equal(const void *a, const void *b) {
    return kstr_len((kstr)a) == kstr_len((kstr)b) && !memcmp(a, b, kstr_len((kstr)a));
}

/* Keys are the users' own names; the table frees nothing. */
static const dict_type user_dict_type = {user_hash, NULL, user_equal, NULL, NULL};

dict *acl_users_dict_create(void) {
    return dict_create(&user_dict_type);
}

dict *acl_users_dict(void) {
    if (!users) users = acl_users_dict_create();
    return users;
}

static acl_user *find_in(dict *d, const char *name, size_t len) {
    kstr key = kstr_new(name, len);
    acl_user *u = dict_fetch_value(d, key);
    kstr_free(key);
    return u;
}

acl_user *acl_user_lookup(const char *name, size_t len) {
    return find_in(acl_users_dict(), name, len);
}

static acl_user *default_user;

acl_user *acl_default_user(void) {
    if (!default_user) {
        acl_commands_init();
        default_user = acl_users_add("default", 7);
        acl_user_set_default_rules(default_user);
    }
    return default_user;
}

acl_user *acl_users_add(const char *name, size_t len) {
    dict *d = acl_users_dict();
    if (find_in(d, name, len)) return NULL;
    acl_user *u = acl_user_create_unlinked(name, len);
    dict_add(d, u->name, u);
    return u;
}

void acl_users_dict_free(dict *d) {
    dict_iterator it;
    dict_iter_init(&it, d, 1);
    for (dict_entry *de; (de = dict_next(&it));) acl_user_free(de->v.val);
    dict_iter_reset(&it);
    dict_release(d);
}

static int by_name(const void *a, const void *b) {
    const acl_user *x = *(acl_user *const *)a, *y = *(acl_user *const *)b;
    size_t lx = kstr_len(x->name), ly = kstr_len(y->name);
    int c = memcmp(x->name, y->name, lx < ly ? lx : ly);
    if (c) return c;
    return lx < ly ? -1 : lx > ly;
}

acl_user **acl_users_sorted(int *count) {
    dict *d = acl_users_dict();
    acl_user **v = zmalloc(sizeof(acl_user *) * (dict_size(d) + 1));
    int n = 0;
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    for (dict_entry *de; (de = dict_next(&it));) v[n++] = de->v.val;
    dict_iter_reset(&it);
    qsort(v, (size_t)n, sizeof(acl_user *), by_name);
    *count = n;
    return v;
}

/* ---------- lifecycle ---------- */

acl_user *acl_user_create_unlinked(const char *name, size_t len) {
    acl_user *u = zcalloc(sizeof(*u));
    u->name = kstr_new(name, len);
    u->flags = USER_DISABLED;
    u->selectors = zmalloc(sizeof(acl_selector *));
    u->selectors[0] = acl_selector_create(SEL_ROOT);
    u->nselectors = 1;
    return u;
}

static void clear_passwords(acl_user *u) {
    kstr_free_argv(u->passwords, u->npasswords);
    u->passwords = NULL;
    u->npasswords = 0;
}

static void clear_selectors(acl_user *u, int keep_root) {
    for (int i = keep_root ? 1 : 0; i < u->nselectors; i++) acl_selector_free(u->selectors[i]);
    u->nselectors = keep_root ? 1 : 0;
}

void acl_user_free(acl_user *u) {
    if (!u) return;
    clear_passwords(u);
    clear_selectors(u, 0);
    zfree(u->selectors);
    kstr_free(u->name);
    zfree(u);
}

void acl_user_copy_rules(acl_user *dst, const acl_user *src) {
    if (dst == src) return;
    clear_passwords(dst);
    clear_selectors(dst, 0);
    dst->flags = src->flags;
    if (src->npasswords) {
        dst->passwords = zmalloc(sizeof(kstr) * (size_t)src->npasswords);
        for (int i = 0; i < src->npasswords; i++) dst->passwords[i] = kstr_dup(src->passwords[i]);
    }
    dst->npasswords = src->npasswords;
    dst->selectors = zrealloc(dst->selectors, sizeof(acl_selector *) * (size_t)src->nselectors);
    for (int i = 0; i < src->nselectors; i++)
        dst->selectors[i] = acl_selector_copy(src->selectors[i]);
    dst->nselectors = src->nselectors;
}

/* ---------- passwords ---------- */

void acl_hash_password(const char *p, size_t len, char out[SHA256_HEX_LEN + 1]) {
    sha256_hex(p, len, out);
}

static int valid_hash(const char *h, size_t len) {
    if (len != SHA256_HEX_LEN) return 0;
    for (size_t i = 0; i < len; i++)
        if (!((h[i] >= '0' && h[i] <= '9') || (h[i] >= 'a' && h[i] <= 'f'))) return 0;
    return 1;
}

/* Equal digests? Every byte is compared, whatever the first difference. */
static int digest_equal(const char *a, const char *b) {
    unsigned diff = 0;
    for (int i = 0; i < SHA256_HEX_LEN; i++) diff |= (unsigned char)a[i] ^ (unsigned char)b[i];
    return diff == 0;
}

int acl_user_password_ok(const acl_user *u, const char *p, size_t len) {
    if (u->flags & USER_NOPASS) return 1;
    char guess[SHA256_HEX_LEN + 1];
    acl_hash_password(p, len, guess);
    int ok = 0;
    for (int i = 0; i < u->npasswords; i++) ok |= digest_equal(guess, u->passwords[i]);
    explicit_bzero(guess, sizeof(guess));
    return ok;
}

static int find_password(const acl_user *u, const char *hex) {
    for (int i = 0; i < u->npasswords; i++)
        if (!memcmp(u->passwords[i], hex, SHA256_HEX_LEN)) return i;
    return -1;
}

static acl_op_error add_password(acl_user *u, const char *op, size_t len) {
    char hex[SHA256_HEX_LEN + 1];
    if (op[0] == '>') {
        acl_hash_password(op + 1, len - 1, hex);
    } else {
        if (!valid_hash(op + 1, len - 1)) return ACL_OP_BAD_HASH;
        memcpy(hex, op + 1, SHA256_HEX_LEN);
        hex[SHA256_HEX_LEN] = '\0';
    }
    if (find_password(u, hex) < 0) {
        u->passwords = zrealloc(u->passwords, sizeof(kstr) * (size_t)(u->npasswords + 1));
        u->passwords[u->npasswords++] = kstr_new(hex, SHA256_HEX_LEN);
    }
    u->flags &= ~USER_NOPASS;
    return ACL_OP_OK;
}

static acl_op_error remove_password(acl_user *u, const char *op, size_t len) {
    char hex[SHA256_HEX_LEN + 1];
    if (op[0] == '<') {
        acl_hash_password(op + 1, len - 1, hex);
    } else {
        if (!valid_hash(op + 1, len - 1)) return ACL_OP_BAD_HASH;
        memcpy(hex, op + 1, SHA256_HEX_LEN);
    }
    int i = find_password(u, hex);
    if (i < 0) return ACL_OP_NO_SUCH_PASS;
    kstr_free(u->passwords[i]);
    memmove(u->passwords + i, u->passwords + i + 1, sizeof(kstr) * (size_t)(u->npasswords - i - 1));
    u->npasswords--;
    return ACL_OP_OK;
}

/* ---------- rules ---------- */

static int word_is(const char *op, size_t len, const char *word) {
    return strlen(word) == len && !strncasecmp(op, word, len);
}

/* "(rule rule ...)": a new selector. */
static acl_op_error add_selector(acl_user *u, const char *op, size_t len) {
    kstr inner = kstr_new(op + 1, len - 2);
    int argc;
    kstr *argv = kstr_split_args(inner, &argc);
    kstr_free(inner);
    if (!argv) return ACL_OP_SYNTAX;
    acl_selector *s = acl_selector_create(0);
    for (int i = 0; i < argc; i++) {
        acl_op_error e = acl_selector_apply(s, argv[i], kstr_len(argv[i]));
        if (e != ACL_OP_OK) {
            kstr_free_argv(argv, argc);
            acl_selector_free(s);
            return e;
        }
    }
    kstr_free_argv(argv, argc);
    u->selectors = zrealloc(u->selectors, sizeof(acl_selector *) * (size_t)(u->nselectors + 1));
    u->selectors[u->nselectors++] = s;
    return ACL_OP_OK;
}

static void apply_ok(acl_user *u, const char *op) {
    acl_op_error e = acl_user_apply(u, op, strlen(op));
    server_assert(e == ACL_OP_OK);
}

acl_op_error acl_user_apply(acl_user *u, const char *op, size_t len) {
    if (len == 0) return ACL_OP_OK;
    if (word_is(op, len, "on")) {
        u->flags = (u->flags | USER_ENABLED) & ~USER_DISABLED;
    } else if (word_is(op, len, "off")) {
        u->flags = (u->flags | USER_DISABLED) & ~USER_ENABLED;
    } else if (word_is(op, len, "skip-sanitize-payload")) {
        u->flags = (u->flags | USER_SANITIZE_SKIP) & ~USER_SANITIZE;
    } else if (word_is(op, len, "sanitize-payload")) {
        u->flags = (u->flags | USER_SANITIZE) & ~USER_SANITIZE_SKIP;
    } else if (word_is(op, len, "nopass")) {
        u->flags |= USER_NOPASS;
        clear_passwords(u);
    } else if (word_is(op, len, "resetpass")) {
        u->flags &= ~USER_NOPASS;
        clear_passwords(u);
    } else if (op[0] == '>' || op[0] == '#') {
        return add_password(u, op, len);
    } else if (op[0] == '<' || op[0] == '!') {
        return remove_password(u, op, len);
    } else if (op[0] == '(' && op[len - 1] == ')' && len >= 2) {
        return add_selector(u, op, len);
    } else if (word_is(op, len, "clearselectors")) {
        clear_selectors(u, 1);
    } else if (word_is(op, len, "reset")) {
        apply_ok(u, "resetpass");
        apply_ok(u, "resetkeys");
        apply_ok(u, "resetchannels");
        if (server.acl_pubsub_default) apply_ok(u, "allchannels");
        apply_ok(u, "off");
        apply_ok(u, "sanitize-payload");
        apply_ok(u, "clearselectors");
        apply_ok(u, "-@all");
    } else {
        return acl_selector_apply(u->selectors[0], op, len);
    }
    return ACL_OP_OK;
}

kstr *acl_merge_selector_args(kstr *argv, int argc, int *merged, int *bad) {
    kstr *out = zmalloc(sizeof(kstr) * (size_t)(argc ? argc : 1));
    int n = 0, open = -1;
    kstr sel = NULL;
    for (int i = 0; i < argc; i++) {
        const char *op = argv[i];
        size_t len = kstr_len(argv[i]);
        if (open < 0 && len && op[0] == '(' && op[len - 1] != ')') {
            sel = kstr_dup(argv[i]);
            open = i;
            continue;
        }
        if (open >= 0) {
            sel = kstr_cat(sel, " ", 1);
            sel = kstr_cat(sel, op, len);
            if (len && op[len - 1] == ')') {
                out[n++] = sel;
                sel = NULL;
                open = -1;
            }
            continue;
        }
        out[n++] = kstr_dup(argv[i]);
    }
    if (open >= 0) {
        kstr_free(sel);
        kstr_free_argv(out, n);
        if (bad) *bad = open;
        return NULL;
    }
    *merged = n;
    return out;
}

/* ---------- describing ---------- */

kstr acl_user_describe(kstr out, const acl_user *u) {
    static const struct {
        unsigned flag;
        const char *name;
    } flags[] = {{USER_ENABLED, "on"},
                 {USER_DISABLED, "off"},
                 {USER_NOPASS, "nopass"},
                 {USER_SANITIZE_SKIP, "skip-sanitize-payload"},
                 {USER_SANITIZE, "sanitize-payload"}};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++)
        if (u->flags & flags[i].flag) out = kstr_catfmt(out, "%s ", flags[i].name);
    for (int i = 0; i < u->npasswords; i++) out = kstr_catfmt(out, "#%s ", u->passwords[i]);
    out = acl_selector_describe(out, u->selectors[0]);
    for (int i = 1; i < u->nselectors; i++) {
        out = kstr_cat_cstr(out, " (");
        out = acl_selector_describe(out, u->selectors[i]);
        out = kstr_cat(out, ")", 1);
    }
    return out;
}

/* ---------- deleting and replacing ---------- */

void acl_users_delete(acl_user *u) {
    dict_delete(acl_users_dict(), u->name);
    acl_kill_clients_of_user(u);
    acl_user_free(u);
}

void acl_user_set_default_rules(acl_user *u) {
    apply_ok(u, "+@all");
    apply_ok(u, "~*");
    apply_ok(u, "&*");
    apply_ok(u, "on");
    apply_ok(u, "nopass");
}

void acl_users_replace(dict *newusers) {
    kstr dname = kstr_from("default");
    acl_user *def = acl_default_user();
    acl_user *ndef = dict_fetch_value(newusers, dname);
    if (ndef) {
        acl_user_copy_rules(def, ndef);
        dict_delete(newusers, dname);
        acl_user_free(ndef);
    } else {
        acl_user *fresh = acl_user_create_unlinked("default", 7);
        acl_user_set_default_rules(fresh);
        acl_user_copy_rules(def, fresh);
        acl_user_free(fresh);
    }
    kstr_free(dname);
    dict *old = users;
    dict_delete(old, def->name);
    dict_add(newusers, def->name, def);
    users = newusers;
    dict_iterator it;
    dict_iter_init(&it, old, 1);
    for (dict_entry *de; (de = dict_next(&it));) {
        acl_user *u = de->v.val;
        acl_kill_clients_of_user(u);
        acl_user_free(u);
    }
    dict_iter_reset(&it);
    dict_release(old);
}
