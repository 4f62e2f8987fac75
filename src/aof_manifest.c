/*
 * The AOF manifest: names of the parts, parsing and formatting in Redis
 * 7.0's syntax, and the atomic update on disk.
 *
 * One line per part: "file <name> seq <n> type <b|h|i>", the base first,
 * then history, then incremental parts in seq order. A name with spaces,
 * quotes or unprintable bytes is written quoted and escaped; lines
 * starting with '#' are comments. Unknown key/value pairs after the three
 * known ones are ignored (forward compatibility, as Redis).
 *
 * Threading: main thread.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aof_internal.h"

/* ---------- names and paths ---------- */

kstr aof_path(const char *name) {
    return kstr_catfmt(kstr_empty(), "%s/%s", server.aof_dirname, name);
}

kstr aof_manifest_name(void) {
    return kstr_catfmt(kstr_empty(), "%s.manifest", server.aof_filename);
}

kstr aof_temp_incr_name(void) {
    return kstr_catfmt(kstr_empty(), "temp-%s.incr", server.aof_filename);
}

kstr aof_temp_base_name(pid_t pid) {
    return kstr_catfmt(kstr_empty(), "temp-rewriteaof-bg-%ld.aof", (long)pid);
}

int aof_mkdir(void) {
    if (mkdir(server.aof_dirname, 0755) == 0) return 0;
    if (errno != EEXIST) return -1;
    struct stat st;
    if (stat(server.aof_dirname, &st) == -1) return -1;
    if (!S_ISDIR(st.st_mode)) {
        errno = ENOTDIR;
        return -1;
    }
    return 0;
}

int aof_fsync_dir_of(const char *path) {
    char *copy = zstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY);
    zfree(copy);
    if (fd == -1) return -1;
    int rc = fsync(fd);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

long long aof_file_size(const char *name) {
    kstr path = aof_path(name);
    struct stat st;
    int rc = stat(path, &st);
    kstr_free(path);
    return rc == -1 ? -1 : (long long)st.st_size;
}

/* ---------- the manifest in memory ---------- */

static aof_file_info *info_create(const char *name, size_t len, long long seq, aof_file_type t) {
    aof_file_info *ai = zmalloc(sizeof(*ai));
    ai->name = kstr_new(name, len);
    ai->seq = seq;
    ai->type = t;
    return ai;
}

static void info_free(aof_file_info *ai) {
    if (!ai) return;
    kstr_free(ai->name);
    zfree(ai);
}

static aof_file_info *info_dup(const aof_file_info *ai) {
    return info_create(ai->name, kstr_len(ai->name), ai->seq, ai->type);
}

static void list_push(aof_file_info ***list, int *count, aof_file_info *ai) {
    *list = zrealloc(*list, sizeof(**list) * (size_t)(*count + 1));
    (*list)[(*count)++] = ai;
}

aof_manifest *aof_manifest_create(void) {
    return zcalloc(sizeof(aof_manifest));
}

void aof_manifest_release(aof_manifest *am) {
    if (!am) return;
    info_free(am->base);
    for (int i = 0; i < am->incr_count; i++) info_free(am->incr[i]);
    for (int i = 0; i < am->history_count; i++) info_free(am->history[i]);
    zfree(am->incr);
    zfree(am->history);
    zfree(am);
}

aof_manifest *aof_manifest_dup(const aof_manifest *am) {
    aof_manifest *d = aof_manifest_create();
    d->base = am->base ? info_dup(am->base) : NULL;
    for (int i = 0; i < am->incr_count; i++)
        list_push(&d->incr, &d->incr_count, info_dup(am->incr[i]));
    for (int i = 0; i < am->history_count; i++)
        list_push(&d->history, &d->history_count, info_dup(am->history[i]));
    d->base_seq = am->base_seq;
    d->incr_seq = am->incr_seq;
    d->dirty = am->dirty;
    return d;
}

const char *aof_manifest_new_base(aof_manifest *am, int rdb) {
    if (am->base) {
        am->base->type = AOF_FILE_HISTORY;
        list_push(&am->history, &am->history_count, am->base);
    }
    am->base_seq++;
    kstr name = kstr_catfmt(kstr_empty(), "%s.%lld.base.%s", server.aof_filename, am->base_seq,
                            rdb ? "rdb" : "aof");
    am->base = info_create(name, kstr_len(name), am->base_seq, AOF_FILE_BASE);
    kstr_free(name);
    am->dirty = 1;
    return am->base->name;
}

const char *aof_manifest_new_incr(aof_manifest *am) {
    am->incr_seq++;
    kstr name = kstr_catfmt(kstr_empty(), "%s.%lld.incr.aof", server.aof_filename, am->incr_seq);
    aof_file_info *ai = info_create(name, kstr_len(name), am->incr_seq, AOF_FILE_INCR);
    kstr_free(name);
    list_push(&am->incr, &am->incr_count, ai);
    am->dirty = 1;
    return ai->name;
}

void aof_manifest_incr_to_history(aof_manifest *am, int keep_last) {
    int move = am->incr_count - (keep_last && am->incr_count > 0 ? 1 : 0);
    if (move <= 0) return;
    for (int i = 0; i < move; i++) {
        am->incr[i]->type = AOF_FILE_HISTORY;
        list_push(&am->history, &am->history_count, am->incr[i]);
    }
    memmove(am->incr, am->incr + move, sizeof(*am->incr) * (size_t)(am->incr_count - move));
    am->incr_count -= move;
    am->dirty = 1;
}

/* ---------- text form ---------- */

/* Redis quotes a name that holds a backslash, a quote, a blank or an
 * unprintable byte. */
static int name_needs_quoting(const char *s, size_t len) {
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\\' || c == '"' || !isprint(c) || isspace(c)) return 1;
    }
    return 0;
}

static kstr format_line(kstr s, const aof_file_info *ai) {
    s = kstr_cat_cstr(s, "file ");
    if (name_needs_quoting(ai->name, kstr_len(ai->name)))
        s = kstr_cat_repr(s, ai->name, kstr_len(ai->name));
    else
        s = kstr_cat_kstr(s, ai->name);
    return kstr_catfmt(s, " seq %lld type %c\n", ai->seq, (char)ai->type);
}

kstr aof_manifest_format(const aof_manifest *am) {
    kstr s = kstr_empty();
    if (am->base) s = format_line(s, am->base);
    for (int i = 0; i < am->history_count; i++) s = format_line(s, am->history[i]);
    for (int i = 0; i < am->incr_count; i++) s = format_line(s, am->incr[i]);
    return s;
}

/* Parses one non-comment line into a new entry; NULL with *why set. */
static aof_file_info *parse_line(const char *line, const char **why) {
    int argc;
    kstr *argv = kstr_split_args(line, &argc);
    if (!argv || argc < 6 || argc % 2) {
        kstr_free_argv(argv, argc);
        *why = "Invalid AOF manifest file format";
        return NULL;
    }
    const char *name = NULL;
    size_t name_len = 0;
    long long seq = 0;
    int type = 0;
    *why = NULL;
    for (int i = 0; i < argc && !*why; i += 2) {
        const char *k = argv[i], *v = argv[i + 1];
        if (!strcasecmp(k, "file")) {
            name = v;
            name_len = kstr_len(argv[i + 1]);
            if (name_len == 0 || memchr(v, '/', name_len) || memchr(v, '\0', name_len) ||
                !strcmp(v, ".") || !strcmp(v, ".."))
                *why = "File can't be a path, just a filename";
        } else if (!strcasecmp(k, "seq")) {
            if (!string2ll(v, kstr_len(argv[i + 1]), &seq) || seq <= 0)
                *why = "Invalid AOF manifest file format";
        } else if (!strcasecmp(k, "type")) {
            type = (unsigned char)v[0];
        }
    }
    if (!*why && (!name || !seq || !type)) *why = "Invalid AOF manifest file format";
    if (!*why && type != AOF_FILE_BASE && type != AOF_FILE_HISTORY && type != AOF_FILE_INCR)
        *why = "Unknown AOF file type";
    aof_file_info *ai = *why ? NULL : info_create(name, name_len, seq, (aof_file_type)type);
    kstr_free_argv(argv, argc);
    return ai;
}

aof_manifest *aof_manifest_parse(const char *text, size_t len, char *err, size_t errlen) {
    aof_manifest *am = aof_manifest_create();
    long long maxseq = 0;
    int linenum = 0;
    const char *why = NULL;
    size_t pos = 0;
    char line[AOF_MANIFEST_MAX_LINE + 1];
    while (pos < len) {
        linenum++;
        const char *nl = memchr(text + pos, '\n', len - pos);
        size_t llen = nl ? (size_t)(nl - (text + pos)) : len - pos;
        if (text[pos] == '#') { /* comment */
            pos += llen + 1;
            continue;
        }
        if (!nl || llen >= AOF_MANIFEST_MAX_LINE) {
            why = "The AOF manifest file contains too long line";
            break;
        }
        if (memchr(text + pos, '\0', llen)) {
            why = "Invalid AOF manifest file format";
            break;
        }
        memcpy(line, text + pos, llen);
        line[llen] = '\0';
        pos += llen + 1;
        /* Trailing blanks and CR are not part of the values. */
        while (llen && isspace((unsigned char)line[llen - 1])) line[--llen] = '\0';
        if (llen == 0) {
            why = "Invalid AOF manifest file format";
            break;
        }
        aof_file_info *ai = parse_line(line, &why);
        if (!ai) break;
        if (ai->type == AOF_FILE_BASE) {
            if (am->base) {
                info_free(ai);
                why = "Found duplicate base file information";
                break;
            }
            am->base = ai;
            am->base_seq = ai->seq;
        } else if (ai->type == AOF_FILE_HISTORY) {
            list_push(&am->history, &am->history_count, ai);
        } else {
            if (ai->seq <= maxseq) {
                info_free(ai);
                why = "Found a non-monotonic sequence number";
                break;
            }
            list_push(&am->incr, &am->incr_count, ai);
            am->incr_seq = maxseq = ai->seq;
        }
    }
    if (!why && linenum == 0) why = "Found an empty AOF manifest";
    if (why) {
        if (linenum)
            snprintf(err, errlen, "line %d: %s", linenum, why);
        else
            snprintf(err, errlen, "%s", why);
        aof_manifest_release(am);
        return NULL;
    }
    return am;
}

/* ---------- on disk ---------- */

int aof_manifest_read(aof_manifest **out, char *err, size_t errlen) {
    *out = NULL;
    kstr name = aof_manifest_name();
    kstr path = aof_path(name);
    int rc = -1;
    kstr text = kstr_empty();
    int fd = open(path, O_RDONLY);
    if (fd == -1) {
        if (errno == ENOENT || errno == ENOTDIR) {
            rc = 0;
        } else {
            snprintf(err, errlen, "can't open the AOF manifest file %s for reading: %s", path,
                     strerror(errno));
        }
        goto done;
    }
    for (;;) {
        text = kstr_reserve(text, 16384);
        ssize_t n = read(fd, text + kstr_len(text), 16384);
        if (n == -1 && errno == EINTR) continue;
        if (n == -1) {
            snprintf(err, errlen, "error reading the AOF manifest file %s: %s", path,
                     strerror(errno));
            goto done;
        }
        if (n == 0) break;
        kstr_incr_len(text, (size_t)n);
    }
    char why[256];
    *out = aof_manifest_parse(text, kstr_len(text), why, sizeof(why));
    if (!*out) {
        snprintf(err, errlen, "AOF manifest file %s: %s", path, why);
        goto done;
    }
    rc = 1;
done:
    if (fd != -1) close(fd);
    kstr_free(text);
    kstr_free(name);
    kstr_free(path);
    return rc;
}

/* Writes all of len bytes; -1 with errno on failure. */
static int write_all(int fd, const char *p, size_t len) {
    while (len) {
        ssize_t n = write(fd, p, len);
        if (n == -1 && errno == EINTR) continue;
        if (n == -1) return -1;
        if (n == 0) {
            errno = ENOSPC;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

int aof_manifest_persist(aof_manifest *am) {
    if (!am->dirty) return C_OK;
    kstr text = aof_manifest_format(am);
    kstr name = aof_manifest_name();
    kstr path = aof_path(name);
    kstr tmpname = kstr_catfmt(kstr_empty(), "temp-%s", name);
    kstr tmppath = aof_path(tmpname);
    const char *step = NULL, *file = tmppath;
    int saved = 0;
    int fd = open(tmppath, O_WRONLY | O_TRUNC | O_CREAT, 0644);
    if (fd == -1)
        step = "open";
    else if (write_all(fd, text, kstr_len(text)) == -1)
        step = "write";
    else if (fsync(fd) == -1)
        step = "fsync";
    if (step) saved = errno;
    if (fd != -1 && close(fd) == -1 && !step) step = "close", saved = errno;
    if (!step && rename(tmppath, path) == -1) step = "rename", saved = errno;
    if (step) unlink(tmppath);
    if (!step && aof_fsync_dir_of(path) == -1) {
        step = "fsync the directory of";
        saved = errno;
        file = path;
    }
    int rc = C_OK;
    if (step) {
        server_log(LL_WARNING, "Can't %s the AOF manifest file %s: %s", step, file,
                   strerror(saved));
        errno = saved;
        rc = C_ERR;
    } else {
        am->dirty = 0;
    }
    kstr_free(text);
    kstr_free(name);
    kstr_free(path);
    kstr_free(tmpname);
    kstr_free(tmppath);
    return rc;
}

int aof_delete_history(void) {
    aof_manifest *am = aof.am;
    if (!am || am->history_count == 0) return C_OK;
    for (int i = 0; i < am->history_count; i++) {
        server_log(LL_NOTICE, "Removing the history file %s", am->history[i]->name);
        kstr path = aof_path(am->history[i]->name);
        if (unlink(path) == -1 && errno != ENOENT)
            server_log(LL_WARNING, "Can't remove the history file %s: %s", path, strerror(errno));
        kstr_free(path);
        info_free(am->history[i]);
    }
    zfree(am->history);
    am->history = NULL;
    am->history_count = 0;
    am->dirty = 1;
    return aof_manifest_persist(am);
}

int aof_ensure_manifest(char *err, size_t errlen) {
    if (aof.am) return C_OK;
    aof_manifest *am;
    if (aof_manifest_read(&am, err, errlen) == -1) return C_ERR;
    aof.am = am ? am : aof_manifest_create();
    return C_OK;
}
