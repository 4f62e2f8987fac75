/*
 * Command help for the interactive mode, built from the server's own
 * COMMAND DOCS (so it always matches the server being used): HELP output,
 * argument hints and TAB completion of command names, subcommands and
 * help topics.
 *
 * The table lives until the next connection (cli_help_reset). Servers
 * without COMMAND DOCS get a clear message from HELP and no hints.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "zmalloc.h"

typedef struct cmd_doc {
    char *name;   /* lower case; "config get" for subcommands */
    int words;    /* 1, or 2 for subcommands */
    char *syntax; /* rendered arguments: "key value [NX|XX] ..." */
    char *summary;
    char *since;
    char *group;
    int nargs;   /* top-level arguments, for hints */
    char **args; /* each rendered */
    int *fixed;  /* 1: required, single, no token (consumed by one word) */
} cmd_doc;

static cmd_doc *docs;
static int ndocs;
static int loaded; /* 1 loaded, -1 the server has no COMMAND DOCS */
static char *load_error;
static char hint_buf[1024];

void cli_help_reset(void) {
    for (int i = 0; i < ndocs; i++) {
        cmd_doc *d = &docs[i];
        zfree(d->name);
        zfree(d->syntax);
        zfree(d->summary);
        zfree(d->since);
        zfree(d->group);
        for (int j = 0; j < d->nargs; j++) zfree(d->args[j]);
        zfree(d->args);
        zfree(d->fixed);
    }
    zfree(docs);
    docs = NULL;
    ndocs = 0;
    loaded = 0;
    zfree(load_error);
    load_error = NULL;
}

static char *reply_str(const kpc_reply *r) {
    if (!r || !r->str) return NULL;
    return zstrdup(r->str);
}

static int has_flag(const kpc_reply *arg, const char *flag) {
    const kpc_reply *flags = kpc_map_get(arg, "flags");
    if (!flags || !flags->element) return 0;
    for (size_t i = 0; i < flags->elements; i++)
        if (flags->element[i]->str && !strcasecmp(flags->element[i]->str, flag)) return 1;
    return 0;
}

static kstr render_arg(kstr out, const kpc_reply *arg);

static kstr render_list(kstr out, const kpc_reply *args, const char *sep) {
    if (!args || !args->element) return out;
    for (size_t i = 0; i < args->elements; i++) {
        if (i) out = kstr_cat_cstr(out, sep);
        out = render_arg(out, args->element[i]);
    }
    return out;
}

/* The argument without its token, optional brackets or repetition. */
static kstr render_core(kstr out, const kpc_reply *arg) {
    const kpc_reply *type = kpc_map_get(arg, "type");
    const char *t = type && type->str ? type->str : "string";
    if (!strcmp(t, "pure-token")) return out;
    if (!strcmp(t, "oneof")) return render_list(out, kpc_map_get(arg, "arguments"), "|");
    if (!strcmp(t, "block")) return render_list(out, kpc_map_get(arg, "arguments"), " ");
    const kpc_reply *name = kpc_map_get(arg, "display_text");
    if (!name || !name->str) name = kpc_map_get(arg, "name");
    return kstr_cat_cstr(out, name && name->str ? name->str : "arg");
}

static kstr render_arg(kstr out, const kpc_reply *arg) {
    const kpc_reply *token = kpc_map_get(arg, "token");
    kstr core = render_core(kstr_empty(), arg);
    kstr full = kstr_empty();
    if (token && token->str) {
        full = kstr_cat_cstr(full, token->str);
        if (kstr_len(core)) full = kstr_cat(full, " ", 1);
    }
    full = kstr_cat_kstr(full, core);
    if (has_flag(arg, "multiple")) {
        kstr rep = has_flag(arg, "multiple_token") ? kstr_dup(full) : kstr_dup(core);
        full = kstr_catfmt(full, " [%s ...]", rep);
        kstr_free(rep);
    }
    if (has_flag(arg, "optional"))
        out = kstr_catfmt(out, "[%s]", full);
    else
        out = kstr_cat_kstr(out, full);
    kstr_free(core);
    kstr_free(full);
    return out;
}

static void add_doc(const char *name, const kpc_reply *doc) {
    docs = zrealloc(docs, sizeof(cmd_doc) * (size_t)(ndocs + 1));
    cmd_doc *d = &docs[ndocs++];
    memset(d, 0, sizeof(*d));
    d->name = zstrdup(name);
    for (char *p = d->name; *p; p++) {
        *p = (char)tolower((unsigned char)*p);
        if (*p == '|') *p = ' ';
    }
    d->words = strchr(d->name, ' ') ? 2 : 1;
    d->summary = reply_str(kpc_map_get(doc, "summary"));
    d->since = reply_str(kpc_map_get(doc, "since"));
    d->group = reply_str(kpc_map_get(doc, "group"));
    const kpc_reply *args = kpc_map_get(doc, "arguments");
    kstr syntax = kstr_empty();
    if (args && args->element && args->elements) {
        d->nargs = (int)args->elements;
        d->args = zmalloc(sizeof(char *) * args->elements);
        d->fixed = zmalloc(sizeof(int) * args->elements);
        for (size_t i = 0; i < args->elements; i++) {
            const kpc_reply *a = args->element[i];
            kstr one = render_arg(kstr_empty(), a);
            d->args[i] = zstrdup(one);
            const kpc_reply *tok = kpc_map_get(a, "token");
            d->fixed[i] = !has_flag(a, "optional") && !has_flag(a, "multiple") && !tok;
            if (i) syntax = kstr_cat(syntax, " ", 1);
            syntax = kstr_cat_kstr(syntax, one);
            kstr_free(one);
        }
    }
    d->syntax = zstrdup(syntax);
    kstr_free(syntax);
    const kpc_reply *subs = kpc_map_get(doc, "subcommands");
    if (subs && subs->element)
        for (size_t i = 0; i + 1 < subs->elements; i += 2)
            if (subs->element[i]->str) add_doc(subs->element[i]->str, subs->element[i + 1]);
}

static int doc_cmp(const void *a, const void *b) {
    return strcmp(((const cmd_doc *)a)->name, ((const cmd_doc *)b)->name);
}

void cli_help_load(void) {
    if (loaded || !session.conn) return;
    char err[256];
    kpc_reply *r = cli_callv(err, sizeof(err), "COMMAND", "DOCS", NULL);
    if (!r || r->type == KPC_ERROR || !r->element) {
        loaded = -1;
        load_error = zstrdup(r && r->str ? r->str : (r ? "unexpected reply" : err));
        kpc_reply_free(r);
        return;
    }
    for (size_t i = 0; i + 1 < r->elements; i += 2)
        if (r->element[i]->str) add_doc(r->element[i]->str, r->element[i + 1]);
    kpc_reply_free(r);
    qsort(docs, (size_t)ndocs, sizeof(cmd_doc), doc_cmp);
    loaded = 1;
}

static const cmd_doc *find_doc(const char *name) {
    for (int i = 0; i < ndocs; i++)
        if (!strcasecmp(docs[i].name, name)) return &docs[i];
    return NULL;
}

static int tty(void) {
    return isatty(STDOUT_FILENO);
}

static void print_doc(const cmd_doc *d) {
    kstr upper = kstr_from(d->name);
    for (char *p = upper; *p; p++) *p = (char)toupper((unsigned char)*p);
    if (tty())
        printf("\n  \033[1m%s\033[0m %s\n", upper, d->syntax);
    else
        printf("\n  %s %s\n", upper, d->syntax);
    if (d->summary) printf("  summary: %s\n", d->summary);
    if (d->since) printf("  since: %s\n", d->since);
    if (d->group) printf("  group: %s\n", d->group);
    printf("\n");
    kstr_free(upper);
}

void cli_help_print(int argc, char **argv) {
    if (argc <= 1) {
        printf("keyport-cli %s\n"
               "Type \"help @<group>\" for the commands of a group (@string, @generic...),\n"
               "\"help <command>\" for the syntax of a command, TAB to complete, and\n"
               "\"quit\" to leave.\n",
               cli_version());
        return;
    }
    cli_help_load();
    if (loaded < 0) {
        printf("Help is not available: the server did not answer COMMAND DOCS (%s).\n",
               load_error ? load_error : "no reply");
        return;
    }
    if (argv[1][0] == '@') {
        int found = 0;
        for (int i = 0; i < ndocs; i++) {
            if (docs[i].words == 1 && docs[i].group && !strcasecmp(docs[i].group, argv[1] + 1)) {
                print_doc(&docs[i]);
                found = 1;
            }
        }
        if (!found) printf("No commands in group '%s'.\n", argv[1] + 1);
        return;
    }
    kstr name = kstr_empty();
    for (int i = 1; i < argc && i < 3; i++) {
        if (i > 1) name = kstr_cat(name, " ", 1);
        name = kstr_cat_cstr(name, argv[i]);
    }
    const cmd_doc *d = find_doc(name);
    if (!d && argc > 2) d = find_doc(argv[1]);
    kstr_free(name);
    if (!d) {
        printf("No help for '%s': unknown command.\n", argv[1]);
        return;
    }
    print_doc(d);
    /* A container command: list its subcommands. */
    size_t n = strlen(d->name);
    for (int i = 0; i < ndocs && d->words == 1; i++)
        if (!strncmp(docs[i].name, d->name, n) && docs[i].name[n] == ' ') print_doc(&docs[i]);
}

/* Splits line into at most max words (no quote handling: hints are only a
 * guide). Returns the count; *trailing says whether it ends in a space. */
static int split_words(const char *line, char words[][128], int max, int *trailing) {
    int n = 0;
    const char *p = line;
    *trailing = 0;
    while (*p) {
        while (*p == ' ') p++;
        if (!*p) {
            *trailing = 1;
            break;
        }
        size_t len = strcspn(p, " ");
        if (n < max) {
            snprintf(words[n], 128, "%.*s", (int)(len < 127 ? len : 127), p);
        }
        n++;
        p += len;
        if (!*p) break;
        if (*p == ' ' && !p[1]) *trailing = 1;
    }
    return n;
}

const char *cli_help_hint(const char *line) {
    if (loaded <= 0) return NULL;
    char words[3][128];
    int trailing;
    int n = split_words(line, words, 3, &trailing);
    if (n == 0) return NULL;
    const cmd_doc *d = NULL;
    int used = 1;
    if (n >= 2) {
        char two[260];
        snprintf(two, sizeof(two), "%s %s", words[0], words[1]);
        d = find_doc(two);
        if (d) used = 2;
    }
    if (!d) d = find_doc(words[0]);
    if (!d) return NULL;
    /* "set" (complete, no space yet) shows " key value ...", "set k "
     * shows "value ...", and nothing while an argument is being typed. */
    int typed = n - used;
    if (!trailing && typed > 0) return NULL;
    kstr h = kstr_empty();
    int skip = typed;
    for (int i = 0; i < d->nargs; i++) {
        if (skip > 0 && d->fixed[i]) {
            skip--;
            continue;
        }
        if (skip > 0) break; /* past the fixed part: keep showing the rest */
        if (kstr_len(h) || !trailing) h = kstr_cat(h, " ", 1);
        h = kstr_cat_cstr(h, d->args[i]);
    }
    if (skip > 0 && kstr_len(h) == 0) {
        kstr_free(h);
        return NULL;
    }
    snprintf(hint_buf, sizeof(hint_buf), "%s", h);
    kstr_free(h);
    return hint_buf[0] ? hint_buf : NULL;
}

/* Keeps the case the user started with. */
static void add_cased(void (*add)(void *, const char *), void *ud, const char *cand, int upper) {
    char buf[256];
    size_t i;
    for (i = 0; cand[i] && i < sizeof(buf) - 1; i++)
        buf[i] = (char)(upper ? toupper((unsigned char)cand[i]) : cand[i]);
    buf[i] = '\0';
    add(ud, buf);
}

void cli_help_complete(const char *line, void (*add)(void *ud, const char *cand), void *ud) {
    cli_help_load();
    if (loaded <= 0) return;
    char words[3][128];
    int trailing;
    int n = split_words(line, words, 3, &trailing);
    if (n > 2 || (n == 2 && trailing)) return;
    const char *prefix = n == 0 || trailing ? "" : words[n - 1];
    int upper = isupper((unsigned char)(n ? words[0][0] : 0));
    size_t plen = strlen(prefix);
    int position = (n == 0) ? 0 : (trailing ? n : n - 1); /* index of the word completed */
    if (position == 0) {
        for (int i = 0; i < ndocs; i++)
            if (docs[i].words == 1 && !strncasecmp(docs[i].name, prefix, plen))
                add_cased(add, ud, docs[i].name, upper);
        return;
    }
    if (!strcasecmp(words[0], "help")) {
        for (int i = 0; i < ndocs; i++)
            if (docs[i].words == 1 && !strncasecmp(docs[i].name, prefix, plen))
                add_cased(add, ud, docs[i].name, upper);
        return;
    }
    size_t clen = strlen(words[0]);
    for (int i = 0; i < ndocs; i++) {
        const cmd_doc *d = &docs[i];
        if (d->words != 2 || strncasecmp(d->name, words[0], clen) || d->name[clen] != ' ') continue;
        const char *sub = d->name + clen + 1;
        if (!strncasecmp(sub, prefix, plen)) add_cased(add, ud, sub, upper);
    }
}
