/*
 * Which arguments of a command are keys, and whether the command reads
 * or writes them (for %R~ and %W~ patterns). Follows Redis' key specs
 * (acl_keyspecs.c): begin at an index or after a keyword, then a range or
 * a count found in an argument. SET, BITFIELD, SORT and MIGRATE decide
 * from their arguments, as Redis' getkeys procedures do. Commands without
 * specs use the table's first/last/step: read for read-only commands,
 * read and write otherwise.
 */
#include <strings.h>

#include "acl_internal.h"

static int add_ref(acl_key_ref *refs, int n, int max, int pos, int access) {
    if (n < max) {
        refs[n].pos = pos;
        refs[n].access = access;
    }
    return n + 1;
}

static const char *arg_str(kobj **argv, int i) {
    return (const char *)argv[i]->ptr;
}

/* Position of the first key of a keyword spec, or -1 when the keyword is
 * absent. Forward searches stop before the last argument (a keyword there
 * has no key after it); backward searches stop at argv[1]. */
static int keyword_first(const acl_keyspec *ks, kobj **argv, int argc) {
    if (ks->startfrom >= 0) {
        for (int i = ks->startfrom; i < argc - 1; i++)
            if (!strcasecmp(arg_str(argv, i), ks->keyword)) return i + 1;
    } else {
        for (int i = argc + ks->startfrom; i > 0; i--)
            if (i < argc - 1 && !strcasecmp(arg_str(argv, i), ks->keyword)) return i + 1;
    }
    return -1;
}

static int spec_keys(const acl_keyspec *ks, kobj **argv, int argc, acl_key_ref *refs, int n,
                     int max) {
    int first = ks->begin == KS_BEGIN_INDEX ? ks->index : keyword_first(ks, argv, argc);
    if (first < 1 || first >= argc) return n;
    int last, step;
    if (ks->find == KS_FIND_RANGE) {
        if (ks->a >= 0)
            last = first + ks->a;
        else if (ks->c == 0)
            last = argc + ks->a;
        else
            last = first + ((argc - first) / ks->c + ks->a);
        step = ks->b > 0 ? ks->b : 1;
    } else {
        int at = first + ks->a;
        long long numkeys;
        if (at >= argc) return n;
        kstr s = argv[at]->ptr;
        /* A bad count: the command itself rejects it before any key is
         * touched, so there is nothing to check. A count larger than the
         * arguments covers all of them. */
        if (!string2ll(s, kstr_len(s), &numkeys) || numkeys <= 0) return n;
        if (numkeys > argc) numkeys = argc;
        step = ks->c > 0 ? ks->c : 1;
        first += ks->b;
        last = first + (int)(numkeys - 1) * step;
    }
    if (last >= argc) last = argc - 1;
    for (int i = first; i <= last; i += step) n = add_ref(refs, n, max, i, ks->access);
    return n;
}

/* SET writes its key; with GET it also returns the old value. */
static int set_keys(kobj **argv, int argc, acl_key_ref *refs, int max) {
    if (argc < 2) return 0;
    int access = ACL_KEY_WRITE;
    for (int i = 3; i < argc; i++)
        if (!strcasecmp(arg_str(argv, i), "get")) access = ACL_KEY_ALL;
    return add_ref(refs, 0, max, 1, access);
}

/* BITFIELD only reads when every operation is a GET. */
static int bitfield_keys(kobj **argv, int argc, acl_key_ref *refs, int max) {
    if (argc < 2) return 0;
    int reads = 0, writes = 0;
    for (int i = 2; i < argc; i++) {
        const char *op = arg_str(argv, i);
        int rest = argc - i - 1;
        if (!strcasecmp(op, "get") && rest >= 2) {
            reads = 1;
            i += 2;
        } else if ((!strcasecmp(op, "set") || !strcasecmp(op, "incrby")) && rest >= 3) {
            writes = 1;
            i += 3;
        } else if (!strcasecmp(op, "overflow") && rest >= 1) {
            i += 1;
        } else {
            writes = 1; /* a syntax error: assume the worst */
            break;
        }
    }
    int access = (reads ? ACL_KEY_READ : 0) | (writes ? ACL_KEY_WRITE : 0);
    return add_ref(refs, 0, max, 1, access);
}

/* SORT reads its key and, with STORE, writes the destination. */
static int sort_keys(kobj **argv, int argc, acl_key_ref *refs, int max) {
    if (argc < 2) return 0;
    int n = add_ref(refs, 0, max, 1, ACL_KEY_READ);
    int store = -1;
    for (int i = 2; i < argc; i++) {
        const char *a = arg_str(argv, i);
        if (!strcasecmp(a, "limit")) {
            i += 2;
        } else if (!strcasecmp(a, "get") || !strcasecmp(a, "by")) {
            i += 1;
        } else if (!strcasecmp(a, "store") && i + 1 < argc) {
            store = i + 1;
            i++;
        }
    }
    if (store > 0) n = add_ref(refs, n, max, store, ACL_KEY_WRITE);
    return n;
}

/* MIGRATE host port key|"" db timeout [COPY] [REPLACE] [AUTH pw]
 * [AUTH2 user pw] [KEYS key...]: the keys move away (read and delete). */
static int migrate_keys(kobj **argv, int argc, acl_key_ref *refs, int max) {
    if (argc < 6) return 0;
    int first = 3, count = 1;
    for (int i = 6; i < argc; i++) {
        const char *a = arg_str(argv, i);
        if (!strcasecmp(a, "keys")) {
            if (kstr_len(argv[3]->ptr) == 0) {
                first = i + 1;
                count = argc - first;
            }
            break;
        } else if (!strcasecmp(a, "auth")) {
            i++;
        } else if (!strcasecmp(a, "auth2")) {
            i += 2;
        }
    }
    int n = 0;
    for (int i = 0; i < count; i++) n = add_ref(refs, n, max, first + i, ACL_KEY_ALL);
    return n;
}

static int table_keys(const kcommand *cmd, int argc, acl_key_ref *refs, int max) {
    if (cmd->first_key <= 0 || cmd->first_key >= argc) return 0;
    int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
    if (last >= argc) last = argc - 1;
    int step = cmd->key_step > 0 ? cmd->key_step : 1;
    int access =
        (cmd->flags & CMD_READONLY) && !(cmd->flags & CMD_WRITE) ? ACL_KEY_READ : ACL_KEY_ALL;
    int n = 0;
    for (int i = cmd->first_key; i <= last; i += step) n = add_ref(refs, n, max, i, access);
    return n;
}

int acl_command_keys(const acl_cmd *a, kobj **argv, int argc, acl_key_ref *refs, int max) {
    const acl_keyspec_entry *e = a->keyspecs;
    if (!e) return table_keys(a->cmd, argc, refs, max);
    switch (e->proc) {
    case ACL_KEYS_SET: return set_keys(argv, argc, refs, max);
    case ACL_KEYS_BITFIELD: return bitfield_keys(argv, argc, refs, max);
    case ACL_KEYS_SORT: return sort_keys(argv, argc, refs, max);
    case ACL_KEYS_MIGRATE: return migrate_keys(argv, argc, refs, max);
    case ACL_KEYS_SPECS: break;
    }
    int n = 0;
    for (int s = 0; s < e->nspecs; s++) n = spec_keys(&e->specs[s], argv, argc, refs, n, max);
    return n;
}
