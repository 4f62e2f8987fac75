/*
 * Selectors: one set of permissions (commands, key patterns, channel
 * patterns). A user has a root selector and any number of extra ones; a
 * command is allowed when one selector allows all of it.
 *
 * Commands are a bitmap over the registry ids (acl_commands.c). Rules are
 * not stored: ACL LIST describes the bitmap again, starting from +@all or
 * -@all and adding the categories that fit best, then single commands,
 * as Redis 7.0 does.
 */
#include <string.h>
#include <strings.h>

#include "acl_internal.h"

const char *acl_op_error_text(acl_op_error e) {
    switch (e) {
    case ACL_OP_OK: return "OK";
    case ACL_OP_SYNTAX: return "Syntax error";
    case ACL_OP_UNKNOWN: return "Unknown command or category name in ACL";
    case ACL_OP_KEYS_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and "
               "does not have any effect. Try 'resetkeys' to start with an empty list of patterns";
    case ACL_OP_CHANS_AFTER_ALL:
        return "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid "
               "and does not have any effect. Try 'resetchannels' to start with an empty list of "
               "channels";
    case ACL_OP_NO_SUCH_PASS:
        return "The password you are trying to remove from the user does not exist";
    case ACL_OP_BAD_HASH:
        return "The password hash must be exactly 64 characters and contain only lowercase "
               "hexadecimal characters";
    case ACL_OP_SUBCMD_FIRSTARG: return "Allowing first-arg of a subcommand is not supported";
    }
    return "Wrong format";
}

/* ---------- lifecycle ---------- */

acl_selector *acl_selector_create(unsigned extra) {
    acl_commands_init();
    acl_selector *s = zcalloc(sizeof(*s));
    s->flags = extra | (server.acl_pubsub_default ? SEL_ALLCHANNELS : 0);
    s->allowed = zcalloc(sizeof(uint64_t) * (ACL_BITMAP_WORDS ? ACL_BITMAP_WORDS : 1));
    return s;
}

static void clear_keys(acl_selector *s) {
    for (int i = 0; i < s->nkeys; i++) kstr_free(s->keys[i].pattern);
    zfree(s->keys);
    s->keys = NULL;
    s->nkeys = 0;
}

static void clear_channels(acl_selector *s) {
    kstr_free_argv(s->channels, s->nchannels);
    s->channels = NULL;
    s->nchannels = 0;
}

static void clear_firstargs_of(acl_selector *s, int id) {
    for (int i = 0; i < s->nfirstargs; i++) {
        if (s->firstargs[i].id != id) continue;
        kstr_free_argv(s->firstargs[i].args, s->firstargs[i].nargs);
        s->firstargs[i] = s->firstargs[--s->nfirstargs];
        return;
    }
}

static void clear_firstargs(acl_selector *s) {
    for (int i = 0; i < s->nfirstargs; i++)
        kstr_free_argv(s->firstargs[i].args, s->firstargs[i].nargs);
    zfree(s->firstargs);
    s->firstargs = NULL;
    s->nfirstargs = 0;
}

void acl_selector_free(acl_selector *s) {
    if (!s) return;
    clear_keys(s);
    clear_channels(s);
    clear_firstargs(s);
    zfree(s->allowed);
    zfree(s);
}

static kstr *copy_strings(kstr *v, int n) {
    if (n == 0) return NULL;
    kstr *out = zmalloc(sizeof(kstr) * (size_t)n);
    for (int i = 0; i < n; i++) out[i] = kstr_dup(v[i]);
    return out;
}

acl_selector *acl_selector_copy(const acl_selector *src) {
    acl_selector *s = zcalloc(sizeof(*s));
    s->flags = src->flags;
    s->future = src->future;
    size_t words = ACL_BITMAP_WORDS ? ACL_BITMAP_WORDS : 1;
    s->allowed = zmalloc(sizeof(uint64_t) * words);
    memcpy(s->allowed, src->allowed, sizeof(uint64_t) * words);
    if (src->nkeys) {
        s->keys = zmalloc(sizeof(acl_key_pattern) * (size_t)src->nkeys);
        for (int i = 0; i < src->nkeys; i++) {
            s->keys[i].access = src->keys[i].access;
            s->keys[i].pattern = kstr_dup(src->keys[i].pattern);
        }
        s->nkeys = src->nkeys;
    }
    s->channels = copy_strings(src->channels, src->nchannels);
    s->nchannels = src->nchannels;
    if (src->nfirstargs) {
        s->firstargs = zmalloc(sizeof(acl_firstargs) * (size_t)src->nfirstargs);
        for (int i = 0; i < src->nfirstargs; i++) {
            s->firstargs[i].id = src->firstargs[i].id;
            s->firstargs[i].args = copy_strings(src->firstargs[i].args, src->firstargs[i].nargs);
            s->firstargs[i].nargs = src->firstargs[i].nargs;
        }
        s->nfirstargs = src->nfirstargs;
    }
    return s;
}

/* ---------- command bits ---------- */

static int get_bit(const acl_selector *s, int id) {
    return (s->allowed[id / 64] >> (id % 64)) & 1;
}

static void set_bit(acl_selector *s, int id, int allow) {
    if (allow) {
        s->allowed[id / 64] |= 1ULL << (id % 64);
    } else {
        s->allowed[id / 64] &= ~(1ULL << (id % 64));
        s->flags &= ~SEL_ALLCOMMANDS;
    }
}

int acl_selector_allows_id(const acl_selector *s, int id) {
    return (s->flags & SEL_ALLCOMMANDS) || get_bit(s, id);
}

/* Allowing or denying a container covers its subcommands. */
static void change_perm(acl_selector *s, int id, int allow) {
    set_bit(s, id, allow);
    clear_firstargs_of(s, id);
    for (int k = 1; k <= acl_cmds[id].nsubs; k++) set_bit(s, id + k, allow);
}

static void set_all(acl_selector *s, int allow) {
    size_t words = ACL_BITMAP_WORDS;
    memset(s->allowed, allow ? 0xff : 0, sizeof(uint64_t) * words);
    /* Bits past the last id stay clear so bitmaps compare equal. */
    if (allow && acl_ncmds % 64) s->allowed[words - 1] = (1ULL << (acl_ncmds % 64)) - 1;
    s->future = allow;
    if (allow)
        s->flags |= SEL_ALLCOMMANDS;
    else
        s->flags &= ~SEL_ALLCOMMANDS;
    clear_firstargs(s);
}

static void set_category(acl_selector *s, int cat, int allow) {
    for (int id = 0; id < acl_ncmds; id++)
        if (acl_cmds[id].categories & (1u << cat)) change_perm(s, id, allow);
}

static void add_firstarg(acl_selector *s, int id, const char *arg, size_t len) {
    acl_firstargs *fa = NULL;
    for (int i = 0; i < s->nfirstargs && !fa; i++)
        if (s->firstargs[i].id == id) fa = &s->firstargs[i];
    if (!fa) {
        s->firstargs = zrealloc(s->firstargs, sizeof(acl_firstargs) * (size_t)(s->nfirstargs + 1));
        fa = &s->firstargs[s->nfirstargs++];
        fa->id = id;
        fa->args = NULL;
        fa->nargs = 0;
    }
    for (int i = 0; i < fa->nargs; i++)
        if (kstr_len(fa->args[i]) == len && !strncasecmp(fa->args[i], arg, len)) return;
    fa->args = zrealloc(fa->args, sizeof(kstr) * (size_t)(fa->nargs + 1));
    fa->args[fa->nargs++] = kstr_new(arg, len);
}

/* ---------- rules ---------- */

static int word_is(const char *op, size_t len, const char *word) {
    return strlen(word) == len && !strncasecmp(op, word, len);
}

int acl_has_spaces(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' || c == 0)
            return 1;
    }
    return 0;
}

static acl_op_error add_key_pattern(acl_selector *s, const char *op, size_t len) {
    if (s->flags & SEL_ALLKEYS) return ACL_OP_KEYS_AFTER_ALL;
    int access = 0;
    size_t off = 1;
    if (op[0] == '%') {
        for (; off < len; off++) {
            char c = op[off];
            if ((c == 'R' || c == 'r') && !(access & ACL_KEY_READ)) {
                access |= ACL_KEY_READ;
            } else if ((c == 'W' || c == 'w') && !(access & ACL_KEY_WRITE)) {
                access |= ACL_KEY_WRITE;
            } else if (c == '~') {
                off++;
                break;
            } else {
                return ACL_OP_SYNTAX;
            }
        }
        if (access == 0) return ACL_OP_SYNTAX;
    } else {
        access = ACL_KEY_ALL;
    }
    if (acl_has_spaces(op + off, len - off)) return ACL_OP_SYNTAX;
    for (int i = 0; i < s->nkeys; i++) {
        kstr p = s->keys[i].pattern;
        if (kstr_len(p) == len - off && !memcmp(p, op + off, len - off)) {
            s->keys[i].access |= access;
            return ACL_OP_OK;
        }
    }
    s->keys = zrealloc(s->keys, sizeof(acl_key_pattern) * (size_t)(s->nkeys + 1));
    s->keys[s->nkeys].access = access;
    s->keys[s->nkeys].pattern = kstr_new(op + off, len - off);
    s->nkeys++;
    return ACL_OP_OK;
}

static acl_op_error add_channel(acl_selector *s, const char *op, size_t len) {
    if (s->flags & SEL_ALLCHANNELS) return ACL_OP_CHANS_AFTER_ALL;
    if (acl_has_spaces(op + 1, len - 1)) return ACL_OP_SYNTAX;
    for (int i = 0; i < s->nchannels; i++)
        if (kstr_len(s->channels[i]) == len - 1 && !memcmp(s->channels[i], op + 1, len - 1))
            return ACL_OP_OK;
    s->channels = zrealloc(s->channels, sizeof(kstr) * (size_t)(s->nchannels + 1));
    s->channels[s->nchannels++] = kstr_new(op + 1, len - 1);
    return ACL_OP_OK;
}

/* "+name", "+name|sub" (a subcommand, or a first argument of a command
 * without subcommands), "-name", "-name|sub". */
static acl_op_error command_rule(acl_selector *s, const char *op, size_t len) {
    int allow = op[0] == '+';
    const char *name = op + 1;
    size_t nlen = len - 1;
    acl_cmd *a = acl_cmd_lookup(name, nlen);
    if (a) {
        change_perm(s, a->id, allow);
        return ACL_OP_OK;
    }
    const char *bar = NULL;
    for (size_t i = nlen; i > 0; i--)
        if (name[i - 1] == '|') {
            bar = name + i - 1;
            break;
        }
    if (!allow || !bar) return ACL_OP_UNKNOWN;
    acl_cmd *base = acl_cmd_lookup(name, (size_t)(bar - name));
    if (!base) return ACL_OP_UNKNOWN;
    if (base->parent_id >= 0) return ACL_OP_SUBCMD_FIRSTARG;
    size_t sublen = nlen - (size_t)(bar - name) - 1;
    if (sublen == 0) return ACL_OP_SYNTAX;
    if (base->nsubs) return ACL_OP_UNKNOWN; /* not one of its subcommands */
    server_log(LL_WARNING,
               "ACL rule '%.*s' allows one first argument of an otherwise denied command: this "
               "use of ACL rules is deprecated in Redis 7 and may stop working in the future",
               (int)len, op);
    add_firstarg(s, base->id, bar + 1, sublen);
    return ACL_OP_OK;
}

acl_op_error acl_selector_apply(acl_selector *s, const char *op, size_t len) {
    if (len == 0) return ACL_OP_OK;
    if (word_is(op, len, "allkeys") || (len == 2 && !memcmp(op, "~*", 2))) {
        s->flags |= SEL_ALLKEYS;
        clear_keys(s);
    } else if (word_is(op, len, "resetkeys")) {
        s->flags &= ~SEL_ALLKEYS;
        clear_keys(s);
    } else if (word_is(op, len, "allchannels") || (len == 2 && !memcmp(op, "&*", 2))) {
        s->flags |= SEL_ALLCHANNELS;
        clear_channels(s);
    } else if (word_is(op, len, "resetchannels")) {
        s->flags &= ~SEL_ALLCHANNELS;
        clear_channels(s);
    } else if (word_is(op, len, "allcommands") || word_is(op, len, "+@all")) {
        set_all(s, 1);
    } else if (word_is(op, len, "nocommands") || word_is(op, len, "-@all")) {
        set_all(s, 0);
    } else if (op[0] == '~' || op[0] == '%') {
        return add_key_pattern(s, op, len);
    } else if (op[0] == '&') {
        return add_channel(s, op, len);
    } else if ((op[0] == '+' || op[0] == '-') && len >= 2 && op[1] == '@') {
        char name[32];
        if (len - 2 >= sizeof(name) || memchr(op + 2, '\0', len - 2)) return ACL_OP_UNKNOWN;
        memcpy(name, op + 2, len - 2);
        name[len - 2] = '\0';
        int cat = acl_category_index(name);
        if (cat < 0) return ACL_OP_UNKNOWN;
        set_category(s, cat, op[0] == '+');
    } else if (op[0] == '+' || op[0] == '-') {
        return command_rule(s, op, len);
    } else {
        return ACL_OP_SYNTAX;
    }
    return ACL_OP_OK;
}

int acl_selector_channel_ok(const acl_selector *s, const char *ch, size_t len, int literal) {
    if (s->flags & SEL_ALLCHANNELS) return 1;
    for (int i = 0; i < s->nchannels; i++) {
        kstr p = s->channels[i];
        if (literal ? (kstr_len(p) == len && !memcmp(p, ch, len))
                    : string_match_len(p, kstr_len(p), ch, len, 0))
            return 1;
    }
    return 0;
}

/* ---------- describing ---------- */

/* Commands of category cat allowed (*on) and denied (*off) in s. */
static void count_category(const acl_selector *s, int cat, int *on, int *off) {
    *on = *off = 0;
    for (int id = 0; id < acl_ncmds; id++) {
        if (!(acl_cmds[id].categories & (1u << cat))) continue;
        if (get_bit(s, id))
            (*on)++;
        else
            (*off)++;
    }
}

kstr acl_selector_describe_commands(kstr out, const acl_selector *s) {
    int additive = !s->future;
    out = kstr_cat_cstr(out, additive ? "-@all" : "+@all");
    /* fake: what the rules emitted so far allow; rest: what is still to
     * be explained (categories already used are removed from it). */
    acl_selector *fake = acl_selector_create(0), *rest = acl_selector_copy(s);
    set_all(fake, !additive);
    char used[ACL_NCATEGORIES] = {0};
    for (;;) {
        int best = -1, mindiff = 1 << 30, maxsame = 0;
        for (int cat = 0; cat < ACL_NCATEGORIES; cat++) {
            if (used[cat]) continue;
            int on, off;
            count_category(rest, cat, &on, &off);
            int diff = additive ? off : on, same = additive ? on : off;
            if (same > diff && (diff < mindiff || (diff == mindiff && same > maxsame))) {
                best = cat;
                mindiff = diff;
                maxsame = same;
            }
        }
        if (best < 0) break;
        set_category(fake, best, additive);
        set_category(rest, best, !additive);
        out = kstr_catfmt(out, " %c@%s", additive ? '+' : '-', acl_category_names[best]);
        used[best] = 1;
    }
    for (int id = 0; id < acl_ncmds; id++) {
        int want = get_bit(s, id);
        if (want != get_bit(fake, id)) {
            out = kstr_catfmt(out, " %c%s", want ? '+' : '-', acl_cmds[id].fullname);
            change_perm(fake, id, want);
        }
        if (want) continue;
        for (int i = 0; i < s->nfirstargs; i++) {
            if (s->firstargs[i].id != id) continue;
            for (int k = 0; k < s->firstargs[i].nargs; k++)
                out = kstr_catfmt(out, " +%s|%s", acl_cmds[id].fullname, s->firstargs[i].args[k]);
        }
    }
    acl_selector_free(fake);
    acl_selector_free(rest);
    return out;
}

static kstr cat_key_pattern(kstr out, const acl_key_pattern *p) {
    const char *prefix = p->access == ACL_KEY_ALL ? "~" : p->access == ACL_KEY_READ ? "%R~" : "%W~";
    out = kstr_cat_cstr(out, prefix);
    return kstr_cat(out, p->pattern, kstr_len(p->pattern));
}

kstr acl_selector_describe_keys(kstr out, const acl_selector *s) {
    if (s->flags & SEL_ALLKEYS) return kstr_cat_cstr(out, "~*");
    for (int i = 0; i < s->nkeys; i++) {
        if (i) out = kstr_cat(out, " ", 1);
        out = cat_key_pattern(out, &s->keys[i]);
    }
    return out;
}

kstr acl_selector_describe_channels(kstr out, const acl_selector *s) {
    if (s->flags & SEL_ALLCHANNELS) return kstr_cat_cstr(out, "&*");
    for (int i = 0; i < s->nchannels; i++) {
        if (i) out = kstr_cat(out, " ", 1);
        out = kstr_cat(out, "&", 1);
        out = kstr_cat(out, s->channels[i], kstr_len(s->channels[i]));
    }
    return out;
}

kstr acl_selector_describe(kstr out, const acl_selector *s) {
    if (s->flags & SEL_ALLKEYS) {
        out = kstr_cat_cstr(out, "~* ");
    } else {
        for (int i = 0; i < s->nkeys; i++) {
            out = cat_key_pattern(out, &s->keys[i]);
            out = kstr_cat(out, " ", 1);
        }
    }
    if (s->flags & SEL_ALLCHANNELS) {
        out = kstr_cat_cstr(out, "&* ");
    } else {
        out = kstr_cat_cstr(out, "resetchannels ");
        for (int i = 0; i < s->nchannels; i++) {
            out = kstr_cat(out, "&", 1);
            out = kstr_cat(out, s->channels[i], kstr_len(s->channels[i]));
            out = kstr_cat(out, " ", 1);
        }
    }
    return acl_selector_describe_commands(out, s);
}
