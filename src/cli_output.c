/*
 * Reply formatting, as redis-cli prints replies:
 *  - standard (TTY): types shown, "(integer) 1", quoted strings, nested
 *    "1) " indexes ("1# k => v" for maps, "1~ " for sets);
 *  - raw: bare values, one per line (-d between elements);
 *  - CSV: one line, values separated by commas;
 *  - JSON: one JSON value per line (maps become objects).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"

static int is_multiline_tty(const kpc_reply *r) {
    switch (r->type) {
    case KPC_ARRAY:
    case KPC_SET:
    case KPC_PUSH:
        if (r->elements == 0 || !r->element) return 0;
        if (r->elements > 1) return 1;
        return is_multiline_tty(r->element[0]);
    case KPC_MAP:
        if (r->elements == 0 || !r->element) return 0;
        if (r->elements > 2) return 1;
        return is_multiline_tty(r->element[1]);
    default: return 0;
    }
}

static const char *empty_text(kpc_type t) {
    switch (t) {
    case KPC_ARRAY: return "(empty array)\n";
    case KPC_MAP: return "(empty hash)\n";
    case KPC_SET: return "(empty set)\n";
    case KPC_PUSH: return "(empty push)\n";
    default: return "(empty attribute)\n";
    }
}

static kstr format_aggregate_tty(kstr out, const kpc_reply *r, const char *prefix) {
    if (r->elements == 0 || !r->element) return kstr_cat_cstr(out, empty_text(r->type));
    int is_map = r->type == KPC_MAP || r->type == KPC_ATTRIBUTE;
    size_t count = is_map ? r->elements / 2 : r->elements;
    int width = 1;
    for (size_t v = count; v >= 10; v /= 10) width++;
    char sep = r->type == KPC_SET ? '~' : is_map ? '#' : ')';
    /* Nested lines line up under the first character after "N) ". */
    kstr inner = kstr_cat_cstr(kstr_empty(), prefix);
    for (int i = 0; i < width + 2; i++) inner = kstr_cat(inner, " ", 1);
    for (size_t i = 0; i < r->elements; i++) {
        size_t idx = (is_map ? i / 2 : i) + 1;
        out = kstr_catfmt(out, "%s%*zu%c ", i == 0 ? "" : prefix, width, idx, sep);
        out = cli_format_tty(out, r->element[i], inner);
        if (is_map && i + 1 < r->elements) {
            i++;
            kstr_set_len(out, kstr_len(out) - 1); /* the key's newline */
            out = kstr_cat_cstr(out, " => ");
            if (is_multiline_tty(r->element[i])) {
                out = kstr_cat(out, "\n", 1);
                out = kstr_cat_kstr(out, inner);
            }
            out = cli_format_tty(out, r->element[i], inner);
        }
    }
    kstr_free(inner);
    return out;
}

kstr cli_format_tty(kstr out, const kpc_reply *r, const char *prefix) {
    switch (r->type) {
    case KPC_ERROR: return kstr_catfmt(out, "(error) %.*s\n", (int)r->len, r->str);
    case KPC_STATUS:
    case KPC_VERBATIM: out = kstr_cat(out, r->str, r->len); return kstr_cat(out, "\n", 1);
    case KPC_STRING: out = kstr_cat_repr(out, r->str, r->len); return kstr_cat(out, "\n", 1);
    case KPC_INTEGER: return kstr_catfmt(out, "(integer) %lld\n", r->integer);
    case KPC_DOUBLE: return kstr_catfmt(out, "(double) %s\n", r->str);
    case KPC_BIGNUM: return kstr_catfmt(out, "(big number) %s\n", r->str);
    case KPC_NIL: return kstr_cat_cstr(out, "(nil)\n");
    case KPC_BOOL: return kstr_cat_cstr(out, r->integer ? "(true)\n" : "(false)\n");
    case KPC_ARRAY:
    case KPC_MAP:
    case KPC_SET:
    case KPC_PUSH:
    case KPC_ATTRIBUTE: return format_aggregate_tty(out, r, prefix);
    }
    return out;
}

kstr cli_format_raw(kstr out, const kpc_reply *r) {
    const char *delim = config.mb_delim ? config.mb_delim : "\n";
    switch (r->type) {
    case KPC_NIL: return out;
    case KPC_ERROR: out = kstr_cat(out, r->str, r->len); return kstr_cat(out, "\n", 1);
    case KPC_STATUS:
    case KPC_STRING:
    case KPC_VERBATIM:
    case KPC_BIGNUM:
    case KPC_DOUBLE: return kstr_cat(out, r->str, r->len);
    case KPC_BOOL: return kstr_cat_cstr(out, r->integer ? "(true)" : "(false)");
    case KPC_INTEGER: return kstr_catfmt(out, "%lld", r->integer);
    case KPC_ARRAY:
    case KPC_SET:
    case KPC_PUSH:
        for (size_t i = 0; r->element && i < r->elements; i++) {
            if (i > 0) out = kstr_cat_cstr(out, delim);
            out = cli_format_raw(out, r->element[i]);
        }
        return out;
    case KPC_MAP:
    case KPC_ATTRIBUTE:
        for (size_t i = 0; r->element && i + 1 < r->elements; i += 2) {
            if (i > 0) out = kstr_cat_cstr(out, delim);
            out = cli_format_raw(out, r->element[i]);
            out = kstr_cat(out, " ", 1);
            out = cli_format_raw(out, r->element[i + 1]);
        }
        return out;
    }
    return out;
}

static kstr format_csv(kstr out, const kpc_reply *r) {
    switch (r->type) {
    case KPC_ERROR: out = kstr_cat_cstr(out, "ERROR,"); return kstr_cat_repr(out, r->str, r->len);
    case KPC_STATUS:
    case KPC_STRING:
    case KPC_VERBATIM: return kstr_cat_repr(out, r->str, r->len);
    case KPC_INTEGER: return kstr_catfmt(out, "%lld", r->integer);
    case KPC_DOUBLE:
    case KPC_BIGNUM: return kstr_cat(out, r->str, r->len);
    case KPC_NIL: return kstr_cat_cstr(out, "NULL");
    case KPC_BOOL: return kstr_cat_cstr(out, r->integer ? "true" : "false");
    case KPC_ARRAY:
    case KPC_SET:
    case KPC_PUSH:
    case KPC_MAP:
    case KPC_ATTRIBUTE:
        for (size_t i = 0; r->element && i < r->elements; i++) {
            if (i > 0) out = kstr_cat(out, ",", 1);
            out = format_csv(out, r->element[i]);
        }
        return out;
    }
    return out;
}

kstr cli_json_string(kstr out, const char *s, size_t len) {
    out = kstr_cat(out, "\"", 1);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        switch (c) {
        case '"': out = kstr_cat(out, "\\\"", 2); break;
        case '\\': out = kstr_cat(out, "\\\\", 2); break;
        case '\b': out = kstr_cat(out, "\\b", 2); break;
        case '\f': out = kstr_cat(out, "\\f", 2); break;
        case '\n': out = kstr_cat(out, "\\n", 2); break;
        case '\r': out = kstr_cat(out, "\\r", 2); break;
        case '\t': out = kstr_cat(out, "\\t", 2); break;
        default:
            if (c < 0x20)
                out = kstr_catfmt(out, "\\u%04x", c);
            else
                out = kstr_cat(out, &s[i], 1);
        }
    }
    return kstr_cat(out, "\"", 1);
}

/* --quoted-json: the repr form (\xHH for any non-printable byte), with its
 * backslashes doubled so the result is still valid JSON. */
static kstr quoted_json_string(kstr out, const char *s, size_t len) {
    kstr repr = kstr_cat_repr(kstr_empty(), s, len);
    out = kstr_cat(out, "\"", 1);
    for (size_t i = 1; i + 1 < kstr_len(repr); i++) {
        if (repr[i] == '\\' && repr[i + 1] == '"') {
            out = kstr_cat(out, "\\\"", 2);
            i++;
        } else if (repr[i] == '\\') {
            out = kstr_cat(out, "\\\\", 2);
        } else {
            out = kstr_cat(out, &repr[i], 1);
        }
    }
    kstr_free(repr);
    return kstr_cat(out, "\"", 1);
}

static kstr json_str(kstr out, const char *s, size_t len, cli_output mode) {
    return mode == CLI_OUT_QUOTED_JSON ? quoted_json_string(out, s, len)
                                       : cli_json_string(out, s, len);
}

static kstr format_json(kstr out, const kpc_reply *r, cli_output mode) {
    switch (r->type) {
    case KPC_ERROR: out = kstr_cat_cstr(out, "error:"); return json_str(out, r->str, r->len, mode);
    case KPC_STATUS:
    case KPC_STRING:
    case KPC_VERBATIM: return json_str(out, r->str, r->len, mode);
    case KPC_INTEGER: return kstr_catfmt(out, "%lld", r->integer);
    case KPC_DOUBLE:
    case KPC_BIGNUM: return kstr_cat(out, r->str, r->len);
    case KPC_NIL: return kstr_cat_cstr(out, "null");
    case KPC_BOOL: return kstr_cat_cstr(out, r->integer ? "true" : "false");
    case KPC_ARRAY:
    case KPC_SET:
    case KPC_PUSH:
        out = kstr_cat(out, "[", 1);
        for (size_t i = 0; r->element && i < r->elements; i++) {
            if (i > 0) out = kstr_cat(out, ",", 1);
            out = format_json(out, r->element[i], mode);
        }
        return kstr_cat(out, "]", 1);
    case KPC_MAP:
    case KPC_ATTRIBUTE:
        out = kstr_cat(out, "{", 1);
        for (size_t i = 0; r->element && i + 1 < r->elements; i += 2) {
            if (i > 0) out = kstr_cat(out, ",", 1);
            const kpc_reply *k = r->element[i];
            if (k->type == KPC_STRING || k->type == KPC_STATUS || k->type == KPC_VERBATIM ||
                k->type == KPC_ERROR) {
                out = format_json(out, k, mode);
            } else {
                /* JSON keys are strings: quote the key's own JSON text. */
                kstr ks = format_json(kstr_empty(), k, mode);
                out = ks[0] == '"' ? kstr_cat_kstr(out, ks) : json_str(out, ks, kstr_len(ks), mode);
                kstr_free(ks);
            }
            out = kstr_cat(out, ":", 1);
            out = format_json(out, r->element[i + 1], mode);
        }
        return kstr_cat(out, "}", 1);
    }
    return out;
}

kstr cli_format_reply(kstr out, const kpc_reply *r, cli_output mode) {
    switch (mode) {
    case CLI_OUT_STANDARD:
        if (r->attribute) {
            out = kstr_cat_cstr(out, "(attribute) ");
            out = cli_format_tty(out, r->attribute, "             ");
        }
        return cli_format_tty(out, r, "");
    case CLI_OUT_RAW:
        out = cli_format_raw(out, r);
        return kstr_cat_cstr(out, config.cmd_delim ? config.cmd_delim : "\n");
    case CLI_OUT_CSV: out = format_csv(out, r); return kstr_cat(out, "\n", 1);
    case CLI_OUT_JSON:
    case CLI_OUT_QUOTED_JSON: out = format_json(out, r, mode); return kstr_cat(out, "\n", 1);
    }
    return out;
}

void cli_print_reply(const kpc_reply *r, cli_output mode) {
    kstr out = cli_format_reply(kstr_empty(), r, mode);
    fwrite(out, 1, kstr_len(out), stdout);
    fflush(stdout);
    kstr_free(out);
}
