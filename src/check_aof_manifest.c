/*
 * AOF manifest parser for keyport-check-aof (see check_aof.h). The syntax
 * and the checks are Redis 7.0's, so that a manifest this tool accepts is
 * one a Redis 7.0 server loads:
 *   file <name> seq <n> type <b|h|i>   (keys in any order, extra pairs allowed)
 *   # comment
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check_aof.h"
#include "kstr.h"
#include "zmalloc.h"

#define MANIFEST_LINE_MAX 1024

static void set_err(char *err, size_t errlen, const char *msg) {
    snprintf(err, errlen, "%s", msg);
}

/* One "file ... seq ... type ..." line (trimmed). Returns 0, or -1 with err. */
static int parse_line(const char *text, aof_manifest_file *f, char *type, char *err,
                      size_t errlen) {
    int argc = 0;
    kstr *argv = kstr_split_args(text, &argc);
    int rc = -1;
    f->name = NULL;
    f->seq = 0;
    *type = 0;
    if (!argv) {
        set_err(err, errlen, "unbalanced quotes");
        return -1;
    }
    if (argc < 6 || argc % 2) {
        set_err(err, errlen, "expected 'file <name> seq <number> type <b|h|i>'");
        goto done;
    }
    for (int i = 0; i < argc; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcasecmp(k, "file")) {
            if (strchr(v, '/') || strchr(v, '\\') || !v[0]) {
                set_err(err, errlen,
                        "a file must be a name in the manifest's directory, not a path");
                goto done;
            }
            zfree(f->name);
            f->name = zstrdup(v);
        } else if (!strcasecmp(k, "seq")) {
            char *end;
            errno = 0;
            f->seq = strtoll(v, &end, 10);
            if (errno || end == v || *end) {
                set_err(err, errlen, "the sequence number is not a number");
                goto done;
            }
        } else if (!strcasecmp(k, "type")) {
            *type = v[0];
        }
        /* Other keys: ignored, for forward compatibility (as Redis). */
    }
    if (!f->name || !f->seq || !*type) {
        set_err(err, errlen, "a line needs a file name, a non-zero seq and a type");
        goto done;
    }
    rc = 0;
done:
    if (rc != 0) {
        zfree(f->name);
        f->name = NULL;
    }
    kstr_free_argv(argv, argc);
    return rc;
}

static char *trim(char *s) {
    while (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n') s++;
    size_t n = strlen(s);
    while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
        s[--n] = '\0';
    return s;
}

int aof_manifest_load(const char *path, aof_manifest *m, int *line, char *bad_line,
                      size_t bad_line_len, char *err, size_t errlen) {
    memset(m, 0, sizeof(*m));
    *line = 0;
    if (bad_line_len) bad_line[0] = '\0';
    FILE *fp = fopen(path, "r");
    if (!fp) {
        snprintf(err, errlen, "cannot open the manifest: %s", strerror(errno));
        return -1;
    }
    char buf[MANIFEST_LINE_MAX + 2];
    long long last_incr_seq = 0;
    int lines = 0;
    const char *why = NULL;
    while (fgets(buf, sizeof(buf), fp)) {
        lines++;
        if (buf[0] == '#') continue;
        *line = lines;
        if (!strchr(buf, '\n')) {
            why = strlen(buf) > MANIFEST_LINE_MAX ? "line longer than 1024 bytes"
                                                  : "last line not ended by a newline";
            break;
        }
        char *text = trim(buf);
        snprintf(bad_line, bad_line_len, "%s", text);
        if (!text[0]) {
            why = "empty line";
            break;
        }
        aof_manifest_file f;
        char type;
        if (parse_line(text, &f, &type, err, errlen) != 0) break;
        switch (type) {
        case 'b':
            if (m->base.name) {
                zfree(f.name);
                why = "a second base file";
            } else {
                m->base = f;
            }
            break;
        case 'h':
            zfree(f.name);
            m->history_count++;
            break;
        case 'i':
            if (f.seq <= last_incr_seq) {
                zfree(f.name);
                why = "incremental file sequence numbers must increase";
                break;
            }
            last_incr_seq = f.seq;
            m->incr = zrealloc(m->incr, sizeof(*m->incr) * (size_t)(m->incr_count + 1));
            m->incr[m->incr_count++] = f;
            break;
        default:
            zfree(f.name);
            why = "unknown file type (expected b, h or i)";
            break;
        }
        if (why) break;
        bad_line[0] = '\0';
        *line = 0;
    }
    int read_error = ferror(fp);
    fclose(fp);
    if (why) set_err(err, errlen, why);
    if (why || *line) { /* a line was at fault (parse_line set err) */
        aof_manifest_free(m);
        return -1;
    }
    if (read_error) {
        set_err(err, errlen, "read error");
        aof_manifest_free(m);
        return -1;
    }
    if (lines == 0) {
        set_err(err, errlen, "the manifest is empty");
        aof_manifest_free(m);
        return -1;
    }
    return 0;
}

void aof_manifest_free(aof_manifest *m) {
    zfree(m->base.name);
    for (int i = 0; i < m->incr_count; i++) zfree(m->incr[i].name);
    zfree(m->incr);
    memset(m, 0, sizeof(*m));
}
