/*
 * COMMAND INFO and COMMAND DOCS in Redis 7's reply shapes, derived from
 * the command tables: flags and ACL categories (including the ones Redis
 * implies from the flags), key specs from first/last/step, and DOCS
 * arguments parsed from each command's `syntax` synopsis, e.g.
 *   "key value [NX|XX] [GET] [EX seconds|PX milliseconds|KEEPTTL]"
 * Words in upper case are tokens, lower-case words are arguments, [...]
 * is optional, a|b is a choice, (...) groups and "..." repeats.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cmd_docs.h"

/* ---------- flags and categories ---------- */

static const struct {
    uint64_t flag;
    const char *name;
} flag_names[] = {
    {CMD_WRITE, "write"},
    {CMD_READONLY, "readonly"},
    {CMD_DENYOOM, "denyoom"},
    {CMD_ADMIN, "admin"},
    {CMD_PUBSUB, "pubsub"},
    {CMD_NOSCRIPT, "noscript"},
    {CMD_BLOCKING, "blocking"},
    {CMD_LOADING, "loading"},
    {CMD_STALE, "stale"},
    {CMD_SKIP_MONITOR, "skip_monitor"},
    {CMD_SKIP_SLOWLOG, "skip_slowlog"},
    {CMD_FAST, "fast"},
    {CMD_NO_AUTH, "no_auth"},
    {CMD_MAY_REPLICATE, "may_replicate"},
    {CMD_PROTECTED, "protected"},
    {CMD_NO_MULTI, "no_multi"},
    {CMD_ALLOW_BUSY, "allow_busy"},
};
#define NFLAGS (sizeof(flag_names) / sizeof(flag_names[0]))

/* Redis's ACL categories, in the order Redis prints them. */
static const char *const categories[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};
#define NCATS (sizeof(categories) / sizeof(categories[0]))

static int category_index(const char *name, size_t len) {
    if (len && name[0] == '@') name++, len--;
    for (size_t i = 0; i < NCATS; i++)
        if (strlen(categories[i]) == len && !strncasecmp(categories[i], name, len)) return (int)i;
    return -1;
}

static uint32_t category_mask(kcommand *cmd) {
    uint32_t m = 0;
    const char *p = cmd->acl_categories ? cmd->acl_categories : "";
    while (*p) {
        while (*p == ' ') p++;
        const char *w = p;
        while (*p && *p != ' ') p++;
        int i = category_index(w, (size_t)(p - w));
        if (i >= 0) m |= 1u << i;
    }
    /* The categories Redis derives from the flags. */
    if (cmd->flags & CMD_WRITE) m |= 1u << category_index("write", 5);
    if ((cmd->flags & CMD_READONLY) && !(m & (1u << category_index("scripting", 9))))
        m |= 1u << category_index("read", 4);
    if (cmd->flags & CMD_ADMIN)
        m |= (1u << category_index("admin", 5)) | (1u << category_index("dangerous", 9));
    if (cmd->flags & CMD_PUBSUB) m |= 1u << category_index("pubsub", 6);
    if (cmd->flags & CMD_FAST) m |= 1u << category_index("fast", 4);
    if (cmd->flags & CMD_BLOCKING) m |= 1u << category_index("blocking", 8);
    if (!(m & (1u << category_index("fast", 4)))) m |= 1u << category_index("slow", 4);
    return m;
}

int command_has_category(kcommand *cmd, const char *cat) {
    int i = category_index(cat, strlen(cat));
    return i >= 0 && (category_mask(cmd) & (1u << i));
}

/* ---------- COMMAND INFO ---------- */

static void reply_key_specs(client *c, kcommand *cmd) {
    if (cmd->first_key <= 0) {
        add_reply_set_len(c, 0);
        return;
    }
    add_reply_set_len(c, 1);
    add_reply_map_len(c, 3);
    add_reply_bulk_cstr(c, "flags");
    add_reply_set_len(c, 2);
    if (cmd->flags & CMD_WRITE) {
        add_reply_status(c, "RW");
        add_reply_status(c, "update");
    } else {
        add_reply_status(c, "RO");
        add_reply_status(c, "access");
    }
    add_reply_bulk_cstr(c, "begin_search");
    add_reply_map_len(c, 2);
    add_reply_bulk_cstr(c, "type");
    add_reply_bulk_cstr(c, "index");
    add_reply_bulk_cstr(c, "spec");
    add_reply_map_len(c, 1);
    add_reply_bulk_cstr(c, "index");
    add_reply_ll(c, cmd->first_key);
    add_reply_bulk_cstr(c, "find_keys");
    add_reply_map_len(c, 2);
    add_reply_bulk_cstr(c, "type");
    add_reply_bulk_cstr(c, "range");
    add_reply_bulk_cstr(c, "spec");
    add_reply_map_len(c, 3);
    add_reply_bulk_cstr(c, "lastkey");
    add_reply_ll(c, cmd->last_key < 0 ? cmd->last_key : cmd->last_key - cmd->first_key);
    add_reply_bulk_cstr(c, "keystep");
    add_reply_ll(c, cmd->key_step > 0 ? cmd->key_step : 1);
    add_reply_bulk_cstr(c, "limit");
    add_reply_ll(c, 0);
}

static long count_subcommands(kcommand *cmd) {
    long n = 0;
    for (kcommand *s = cmd->subcommands; s && s->name; s++) n++;
    return n;
}

static const char *full_name(kcommand *cmd) {
    return cmd->fullname ? cmd->fullname : cmd->name;
}

void reply_command_info(client *c, kcommand *cmd) {
    add_reply_array_len(c, 10);
    add_reply_bulk_cstr(c, full_name(cmd));
    add_reply_ll(c, cmd->arity);
    long nflags = 0;
    for (size_t i = 0; i < NFLAGS; i++)
        if (cmd->flags & flag_names[i].flag) nflags++;
    add_reply_set_len(c, nflags);
    for (size_t i = 0; i < NFLAGS; i++)
        if (cmd->flags & flag_names[i].flag) add_reply_status(c, flag_names[i].name);
    add_reply_ll(c, cmd->first_key);
    add_reply_ll(c, cmd->last_key);
    add_reply_ll(c, cmd->key_step);
    uint32_t cats = category_mask(cmd);
    add_reply_set_len(c, __builtin_popcount(cats));
    for (size_t i = 0; i < NCATS; i++) {
        if (!(cats & (1u << i))) continue;
        char buf[32];
        snprintf(buf, sizeof(buf), "@%s", categories[i]);
        add_reply_status(c, buf);
    }
    add_reply_set_len(c, 0); /* tips */
    reply_key_specs(c, cmd);
    long nsub = count_subcommands(cmd);
    if (!nsub) {
        add_reply_set_len(c, 0);
        return;
    }
    add_reply_array_len(c, nsub);
    for (kcommand *s = cmd->subcommands; s->name; s++) reply_command_info(c, s);
}

int command_key_positions(kcommand *cmd, int argc, int *pos, int max) {
    if (cmd->first_key <= 0 || cmd->first_key >= argc) return 0;
    int last = cmd->last_key < 0 ? argc + cmd->last_key : cmd->last_key;
    if (last >= argc) last = argc - 1;
    int step = cmd->key_step > 0 ? cmd->key_step : 1;
    int n = 0;
    for (int j = cmd->first_key; j <= last && n < max; j += step) pos[n++] = j;
    return n;
}

/* ---------- COMMAND DOCS arguments ---------- */

#define DOC_NAME_MAX 64
#define DOC_MAX_DEPTH 8

typedef struct doc_arg {
    char name[DOC_NAME_MAX];
    char token[DOC_NAME_MAX];
    const char *type;
    int optional, multiple;
    struct doc_arg *kids;
    int nkids;
} doc_arg;

typedef struct doc_list {
    doc_arg *v;
    int n;
} doc_list;

static void list_free(doc_list *l) {
    for (int i = 0; i < l->n; i++) {
        doc_list k = {l->v[i].kids, l->v[i].nkids};
        list_free(&k);
    }
    zfree(l->v);
    l->v = NULL;
    l->n = 0;
}

static doc_arg *list_push(doc_list *l) {
    l->v = zrealloc(l->v, sizeof(doc_arg) * (size_t)(l->n + 1));
    doc_arg *a = &l->v[l->n++];
    memset(a, 0, sizeof(*a));
    return a;
}

static void set_name(char *dst, const char *src, size_t len) {
    if (len >= DOC_NAME_MAX) len = DOC_NAME_MAX - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static int is_token_word(const char *w, size_t len) {
    int upper = 0;
    for (size_t i = 0; i < len; i++) {
        if (islower((unsigned char)w[i])) return 0;
        if (isupper((unsigned char)w[i])) upper = 1;
    }
    return upper;
}

static const char *guess_type(const char *name) {
    static const char *const keys[] = {"key", "newkey", "source", "destination", NULL};
    static const char *const ints[] = {
        "seconds",   "milliseconds", "count", "offset", "start",         "end",
        "increment", "decrement",    "db",    "index",  "timeout",       "numkeys",
        "cursor",    "id",           "port",  "len",    "min-match-len", "integer",
        "protover",  "limit",        "delta", NULL};
    for (int i = 0; keys[i]; i++)
        if (!strcmp(name, keys[i])) return "key";
    for (int i = 0; ints[i]; i++)
        if (!strcmp(name, ints[i])) return "integer";
    if (!strncmp(name, "unix-time", 9)) return "unix-time";
    if (!strcmp(name, "pattern")) return "pattern";
    if (!strcmp(name, "float") || !strcmp(name, "double")) return "double";
    return "string";
}

typedef struct doc_parser {
    const char *p;
    int depth;
} doc_parser;

static void skip_blanks(doc_parser *ps) {
    while (*ps->p == ' ' || *ps->p == '\t') ps->p++;
}

static void parse_alts(doc_parser *ps, char close, doc_list *alts_out);

/* Turns alternatives (each a sequence) into one node. */
static void make_group(doc_arg *node, doc_list *alts, int nalts) {
    if (nalts == 1 && alts[0].n == 1) {
        int optional = node->optional;
        *node = alts[0].v[0];
        node->optional |= optional;
        zfree(alts[0].v);
        return;
    }
    node->type = nalts > 1 ? "oneof" : "block";
    if (nalts == 1) {
        node->kids = alts[0].v;
        node->nkids = alts[0].n;
    } else {
        doc_list kids = {0};
        for (int i = 0; i < nalts; i++) {
            if (alts[i].n == 1) {
                *list_push(&kids) = alts[i].v[0];
                zfree(alts[i].v);
            } else {
                doc_arg *b = list_push(&kids);
                b->type = "block";
                set_name(b->name, alts[i].n ? alts[i].v[0].name : "block",
                         strlen(alts[i].n ? alts[i].v[0].name : "block"));
                b->kids = alts[i].v;
                b->nkids = alts[i].n;
            }
        }
        node->kids = kids.v;
        node->nkids = kids.n;
    }
    /* A group is named after its members ("nx-xx"), or after its first
     * member when that gets long ("seconds" for EX|PX|EXAT|PXAT|KEEPTTL). */
    kstr name = kstr_empty();
    for (int i = 0; i < node->nkids; i++)
        name = kstr_catfmt(name, "%s%s", i ? "-" : "", node->kids[i].name);
    if (kstr_len(name) > 24 && node->nkids) {
        kstr_free(name);
        name = kstr_from(node->kids[0].name);
    }
    set_name(node->name, name, kstr_len(name));
    kstr_free(name);
}

/* Merges "TOKEN value" into one argument and "x [x ...]" into one
 * repeated argument. */
static void tidy_sequence(doc_list *seq) {
    for (int i = 0; i + 1 < seq->n; i++) {
        doc_arg *a = &seq->v[i], *b = &seq->v[i + 1];
        int merge = 0;
        if (!strcmp(a->type, "pure-token") && !a->optional && !a->multiple && !b->kids &&
            strcmp(b->type, "pure-token") && !b->optional && !b->token[0]) {
            memcpy(b->token, a->token, sizeof(b->token));
            merge = 1;
        } else if (!a->kids && !b->kids && b->optional && b->multiple &&
                   !strcmp(a->name, b->name) && !strcmp(a->type, b->type)) {
            a->multiple = 1;
            memmove(b, b + 1, sizeof(doc_arg) * (size_t)(seq->n - i - 2));
            seq->n--;
            i--;
            continue;
        }
        if (merge) {
            memmove(a, a + 1, sizeof(doc_arg) * (size_t)(seq->n - i - 1));
            seq->n--;
        }
    }
}

static void parse_sequence(doc_parser *ps, doc_list *seq) {
    for (;;) {
        skip_blanks(ps);
        char ch = *ps->p;
        if (!ch || ch == ']' || ch == ')' || ch == '|') break;
        if (ch == '[' || ch == '(') {
            ps->p++;
            char close = ch == '[' ? ']' : ')';
            doc_arg *node = list_push(seq);
            int idx = seq->n - 1;
            node->optional = ch == '[';
            if (ps->depth >= DOC_MAX_DEPTH) {
                /* Too deep: skip the group. */
                int level = 1;
                while (*ps->p && level) {
                    if (*ps->p == '[' || *ps->p == '(') level++;
                    if (*ps->p == ']' || *ps->p == ')') level--;
                    ps->p++;
                }
                seq->n--;
                continue;
            }
            ps->depth++;
            doc_list alts = {0};
            parse_alts(ps, close, &alts);
            ps->depth--;
            node = &seq->v[idx]; /* seq may have moved */
            if (alts.n == 0) {
                seq->n--;
            } else {
                doc_list *arr = (doc_list *)alts.v;
                make_group(node, arr, alts.n);
            }
            zfree(alts.v);
            continue;
        }
        const char *w = ps->p;
        while (*ps->p && !strchr(" \t[]()|", *ps->p)) ps->p++;
        size_t len = (size_t)(ps->p - w);
        if (len == 3 && !memcmp(w, "...", 3)) {
            if (seq->n) seq->v[seq->n - 1].multiple = 1;
            continue;
        }
        while (len && (*w == '<' || *w == '"')) w++, len--;
        while (len && (w[len - 1] == '>' || w[len - 1] == '"')) len--;
        if (!len) continue;
        doc_arg *a = list_push(seq);
        if (is_token_word(w, len)) {
            a->type = "pure-token";
            set_name(a->token, w, len);
            set_name(a->name, w, len);
            for (char *q = a->name; *q; q++) *q = (char)tolower((unsigned char)*q);
        } else {
            set_name(a->name, w, len);
            a->type = guess_type(a->name);
        }
    }
    tidy_sequence(seq);
}

/* alts_out->v is used as an array of doc_list (one per alternative). */
static void parse_alts(doc_parser *ps, char close, doc_list *alts_out) {
    doc_list *arr = NULL;
    int n = 0;
    for (;;) {
        doc_list seq = {0};
        parse_sequence(ps, &seq);
        if (seq.n) {
            arr = zrealloc(arr, sizeof(doc_list) * (size_t)(n + 1));
            arr[n++] = seq;
        }
        if (*ps->p == '|') {
            ps->p++;
            continue;
        }
        if (*ps->p == close) ps->p++;
        break;
    }
    alts_out->v = (doc_arg *)arr;
    alts_out->n = n;
}

/* Skips leading words that repeat the command name ("CONFIG GET ..."). */
static const char *strip_name(kcommand *cmd, const char *s) {
    const char *names[2] = {cmd->parent ? cmd->parent->name : cmd->name,
                            cmd->parent ? cmd->name : NULL};
    for (int i = 0; i < 2 && names[i]; i++) {
        while (*s == ' ') s++;
        size_t n = strlen(names[i]);
        if (!strncasecmp(s, names[i], n) && (s[n] == ' ' || s[n] == '\0'))
            s += n;
        else
            break;
    }
    return s;
}

/* Key arguments must point at a key spec; without one they are strings. */
static void drop_key_types(doc_arg *args, int n) {
    for (int i = 0; i < n; i++) {
        if (!strcmp(args[i].type, "key")) args[i].type = "string";
        drop_key_types(args[i].kids, args[i].nkids);
    }
}

static void parse_syntax(kcommand *cmd, doc_list *out) {
    memset(out, 0, sizeof(*out));
    if (!cmd->syntax || !*cmd->syntax) return;
    doc_parser ps = {strip_name(cmd, cmd->syntax), 0};
    /* Unbalanced closers at the top level are skipped. */
    while (*ps.p) {
        parse_sequence(&ps, out);
        if (*ps.p) ps.p++;
    }
    if (cmd->first_key <= 0) drop_key_types(out->v, out->n);
}

static void reply_args(client *c, doc_arg *args, int n) {
    add_reply_array_len(c, n);
    for (int i = 0; i < n; i++) {
        doc_arg *a = &args[i];
        int is_key = !strcmp(a->type, "key");
        int has_token = a->token[0] != '\0';
        int nflags = a->optional + a->multiple;
        long fields = 2 + is_key + has_token + (nflags ? 1 : 0) + (a->kids ? 1 : 0);
        add_reply_map_len(c, fields);
        add_reply_bulk_cstr(c, "name");
        add_reply_bulk_cstr(c, a->name);
        add_reply_bulk_cstr(c, "type");
        add_reply_bulk_cstr(c, a->type);
        if (is_key) {
            add_reply_bulk_cstr(c, "key_spec_index");
            add_reply_ll(c, 0);
        }
        if (has_token) {
            add_reply_bulk_cstr(c, "token");
            add_reply_bulk_cstr(c, a->token);
        }
        if (nflags) {
            add_reply_bulk_cstr(c, "flags");
            add_reply_set_len(c, nflags);
            if (a->optional) add_reply_status(c, "optional");
            if (a->multiple) add_reply_status(c, "multiple");
        }
        if (a->kids) {
            add_reply_bulk_cstr(c, "arguments");
            reply_args(c, a->kids, a->nkids);
        }
    }
}

void reply_command_docs(client *c, kcommand *cmd) {
    doc_list args;
    parse_syntax(cmd, &args);
    long nsub = count_subcommands(cmd);
    add_reply_map_len(c, 4 + (args.n ? 1 : 0) + (nsub ? 1 : 0));
    add_reply_bulk_cstr(c, "summary");
    add_reply_bulk_cstr(c, cmd->summary ? cmd->summary : "");
    add_reply_bulk_cstr(c, "since");
    add_reply_bulk_cstr(c, cmd->since ? cmd->since : "1.0.0");
    add_reply_bulk_cstr(c, "group");
    add_reply_bulk_cstr(c, cmd->group ? cmd->group : "server");
    add_reply_bulk_cstr(c, "complexity");
    add_reply_bulk_cstr(c, cmd->complexity ? cmd->complexity : "");
    if (args.n) {
        add_reply_bulk_cstr(c, "arguments");
        reply_args(c, args.v, args.n);
    }
    list_free(&args);
    if (nsub) {
        add_reply_bulk_cstr(c, "subcommands");
        add_reply_map_len(c, nsub);
        for (kcommand *s = cmd->subcommands; s->name; s++) {
            add_reply_bulk_cstr(c, full_name(s));
            reply_command_docs(c, s);
        }
    }
}
