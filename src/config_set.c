/*
 * Runtime changes (CONFIG SET), atomic over several directives as in
 * Redis 7: every name is checked, every value parsed and stored, then the
 * apply hooks run once each; if anything fails, every directive gets its
 * old value back and the hooks that already ran run again on the old
 * values.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "config.h"
#include "config_internal.h"
#include "listen.h"
#include "server.h"

typedef struct set_item {
    const char *given;   /* the name as the client wrote it */
    const config_def *d; /* NULL for a transport key */
    kstr tkey;           /* transport key, lower case */
    kstr old;            /* old value, CONFIG GET form */
    char *old_tval;      /* old transport default (NULL: unset) */
    int stored;
} set_item;

typedef struct set_action {
    cfg_apply_fn *fn;
    const char *name;
    int item;
} set_action;

typedef enum set_result { SET_OK = 0, SET_UNKNOWN, SET_FAILED } set_result;

static int store_value(const config_def *d, const char *value, char *err, size_t errlen) {
    int argc;
    kstr *argv = config_split_value(d, value, &argc);
    if (!argv) {
        snprintf(err, errlen, "unbalanced quotes in the value");
        return -1;
    }
    cfg_ctx ctx = {1, 1};
    int rc = config_parse_value(d, argc, argv, &ctx, err, errlen);
    kstr_free_argv(argv, argc);
    if (rc == 0) config_push_transport_default(d);
    return rc;
}

static void restore_item(set_item *it) {
    if (!it->stored) return;
    if (it->d) {
        char err[256];
        if (store_value(it->d, it->old, err, sizeof(err)) != 0)
            server_log(LL_WARNING, "CONFIG SET: could not restore %s: %s", it->d->name, err);
    } else {
        transport_default_set(it->tkey, it->old_tval);
    }
    it->stored = 0;
}

static int needs_transport_apply(const set_item *it) {
    return !it->d || transport_key_known(it->d->name);
}

/* Collects each apply hook once (the listener hook serves port, bind and
 * the others together), plus one transport reconfiguration per key. */
static int collect_actions(set_item *items, int n, set_action *acts) {
    int na = 0;
    for (int i = 0; i < n; i++) {
        const config_def *d = items[i].d;
        if (d && d->apply) {
            int dup = 0;
            for (int a = 0; a < na && !dup; a++) dup = acts[a].fn == d->apply;
            if (!dup) acts[na++] = (set_action){d->apply, d->name, i};
        }
        if (needs_transport_apply(&items[i]))
            acts[na++] = (set_action){cfg_apply_transport_key, d ? d->name : items[i].tkey, i};
    }
    return na;
}

static set_result set_multi(int n, const char *const *names, const char *const *values,
                            int allow_protected, set_item *items, int *bad, char *reason,
                            size_t rlen) {
    for (int i = 0; i < n; i++) {
        set_item *it = &items[i];
        it->given = names[i];
        it->d = config_find(names[i]);
        *bad = i;
        if (!it->d) {
            if (!transport_key_known(names[i])) return SET_UNKNOWN;
            it->tkey = kstr_from(names[i]);
            kstr_tolower(it->tkey);
        } else if (it->d->flags & CFG_F_LOADER) {
            snprintf(reason, rlen, "%s can only be used at startup", it->d->name);
            return SET_FAILED;
        } else if (it->d->flags & CFG_F_IMMUTABLE) {
            snprintf(reason, rlen, "can't set immutable config");
            return SET_FAILED;
        } else if ((it->d->flags & CFG_F_PROTECTED) && !allow_protected) {
            snprintf(reason, rlen, "can't set protected config");
            return SET_FAILED;
        }
        for (int j = 0; j < i; j++) {
            int same =
                it->d ? items[j].d == it->d : (items[j].tkey && !strcmp(items[j].tkey, it->tkey));
            if (same) {
                snprintf(reason, rlen, "duplicate parameter");
                return SET_FAILED;
            }
        }
    }

    for (int i = 0; i < n; i++) {
        set_item *it = &items[i];
        *bad = i;
        if (it->d) {
            it->old = config_format_value(it->d, kstr_empty());
            if (store_value(it->d, values[i], reason, rlen) != 0) goto undo;
        } else {
            const char *cur = transport_default_get(it->tkey);
            it->old_tval = cur ? zstrdup(cur) : NULL;
            transport_default_set(it->tkey, values[i]);
            config_note_transport_key(it->tkey);
        }
        it->stored = 1;
    }

    set_action *acts = zmalloc(sizeof(set_action) * (size_t)(2 * n));
    int na = collect_actions(items, n, acts);
    for (int a = 0; a < na; a++) {
        if (acts[a].fn(acts[a].name, reason, rlen) == 0) continue;
        *bad = acts[a].item;
        for (int i = 0; i < n; i++) restore_item(&items[i]);
        for (int b = 0; b <= a; b++) {
            char err[256];
            if (acts[b].fn(acts[b].name, err, sizeof(err)) != 0)
                server_log(LL_WARNING, "CONFIG SET: failed to re-apply %s after a rollback: %s",
                           acts[b].name, err);
        }
        zfree(acts);
        return SET_FAILED;
    }
    zfree(acts);
    return SET_OK;

undo:
    for (int i = 0; i < n; i++) restore_item(&items[i]);
    return SET_FAILED;
}

static void free_items(set_item *items, int n) {
    for (int i = 0; i < n; i++) {
        kstr_free(items[i].tkey);
        kstr_free(items[i].old);
        zfree(items[i].old_tval);
    }
    zfree(items);
}

int config_set_multi(int n, const char *const *names, const char *const *values,
                     int allow_protected, char *err, size_t errlen) {
    if (n <= 0) return 0;
    set_item *items = zcalloc(sizeof(set_item) * (size_t)n);
    char reason[512] = "";
    int bad = 0;
    set_result r =
        set_multi(n, names, values, allow_protected, items, &bad, reason, sizeof(reason));
    if (r == SET_UNKNOWN)
        snprintf(err, errlen, "Unknown option or number of arguments for CONFIG SET - '%s'",
                 names[bad]);
    else if (r == SET_FAILED)
        snprintf(err, errlen, "CONFIG SET failed (possibly related to argument '%s') - %s",
                 names[bad], reason);
    free_items(items, n);
    return r == SET_OK ? 0 : -1;
}

int config_set(const char *name, const char *value, char *err, size_t errlen) {
    set_item *items = zcalloc(sizeof(set_item));
    int bad = 0;
    const char *names[1] = {name}, *values[1] = {value};
    set_result r = set_multi(1, names, values, 1, items, &bad, err, errlen);
    if (r == SET_UNKNOWN) snprintf(err, errlen, "unknown directive");
    free_items(items, 1);
    return r == SET_OK ? 0 : -1;
}
