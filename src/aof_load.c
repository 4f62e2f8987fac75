/*
 * Loading the AOF at startup (and DEBUG LOADAOF): the parts the manifest
 * names, base first, each either an RDB stream (loaded by the RDB code) or
 * RESP commands replayed through a fake client with server.loading set, so
 * nothing is fed back into the AOF.
 *
 * Rules, as Redis 7.0: "#" lines are annotations (timestamps) and are
 * skipped; a command cut short at the end of the LAST part (a crash during
 * a write) is truncated away when aof-load-truncated is yes, and is an
 * error otherwise; so is a MULTI without its EXEC at the end of a part.
 * Anything else that is not well-formed RESP, or an unknown command, is an
 * error naming the file and the byte offset. Lengths are checked against
 * the file size before anything is allocated.
 *
 * Also: an AOF in the old single-file layout (appendfilename in `dir`,
 * commands only) is moved into appenddirname with a manifest, as Redis 7
 * does; when no AOF exists at all but the RDB file does, the RDB is loaded
 * and aof_open_at_startup() writes it as the first base.
 *
 * Threading: main thread.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aof_internal.h"
#include "multi.h"
#include "rdb.h"

/* Annotation and header lines longer than this are malformed. */
#define AOF_LINE_MAX 1024
#define READ_CHUNK (64 * 1024)

typedef enum load_status { LOAD_OK, LOAD_TRUNCATED, LOAD_FAILED } load_status;

/* ---------- buffered reading with offsets ---------- */

typedef struct aof_reader {
    int fd;
    char *buf;
    size_t len, pos;   /* bytes in buf, next unread byte */
    long long buf_off; /* file offset of buf[0] */
    long long size;    /* file size */
    int io_errno;      /* read error, 0 when none */
} aof_reader;

typedef enum read_result { RD_OK, RD_EOF, RD_BAD, RD_IOERR } read_result;

static long long reader_offset(const aof_reader *r) {
    return r->buf_off + (long long)r->pos;
}

/* Makes at least want unread bytes available (fewer at end of file).
 * Returns the number available. */
static size_t reader_fill(aof_reader *r, size_t want) {
    if (r->len - r->pos >= want) return r->len - r->pos;
    if (r->pos) {
        memmove(r->buf, r->buf + r->pos, r->len - r->pos);
        r->buf_off += (long long)r->pos;
        r->len -= r->pos;
        r->pos = 0;
    }
    size_t cap = want > READ_CHUNK ? want : READ_CHUNK;
    r->buf = zrealloc(r->buf, cap);
    while (r->len < want) {
        ssize_t n = read(r->fd, r->buf + r->len, cap - r->len);
        if (n == -1 && errno == EINTR) continue;
        if (n == -1) {
            r->io_errno = errno;
            break;
        }
        if (n == 0) break;
        r->len += (size_t)n;
    }
    return r->len - r->pos;
}

/* Reads a line ending in "\n" (a "\r" before it is dropped) of at most
 * AOF_LINE_MAX bytes. RD_EOF when the file ends first, RD_BAD when the
 * line is too long. */
static read_result read_line(aof_reader *r, const char **line, size_t *len) {
    for (size_t scanned = 0;;) {
        size_t avail = r->len - r->pos;
        char *nl = memchr(r->buf + r->pos + scanned, '\n', avail - scanned);
        if (nl) {
            size_t l = (size_t)(nl - (r->buf + r->pos));
            *line = r->buf + r->pos;
            r->pos += l + 1;
            if (l && (*line)[l - 1] == '\r') l--;
            *len = l;
            return RD_OK;
        }
        if (avail > AOF_LINE_MAX) return RD_BAD;
        scanned = avail;
        size_t got = reader_fill(r, avail + 1);
        if (r->io_errno) return RD_IOERR;
        if (got <= avail) return RD_EOF;
    }
}

/* Parses "<prefix><digits>" into *v (0 .. max). */
static int parse_count(const char *line, size_t len, char prefix, long long max, long long *v) {
    if (len < 2 || line[0] != prefix) return 0;
    for (size_t i = 1; i < len; i++)
        if (line[i] < '0' || line[i] > '9') return 0;
    return string2ll(line + 1, len - 1, v) && *v >= 0 && *v <= max;
}

/* ---------- replaying one file ---------- */

typedef struct load_ctx {
    const char *path; /* for messages */
    int last_file;
    char *err;
    size_t errlen;
} load_ctx;

static client *create_loading_client(void) {
    client *c = client_create(NULL);
    c->flags |= CLIENT_DENY_BLOCKING | CLIENT_REPLY_OFF;
    return c;
}

/* Appends one parsed argument to the fake client's argv. */
static void push_arg(client *c, kobj *o) {
    if (c->argc == c->argv_cap) {
        c->argv_cap = c->argv_cap ? c->argv_cap * 2 : 8;
        c->argv = zrealloc(c->argv, sizeof(kobj *) * (size_t)c->argv_cap);
    }
    c->argv[c->argc++] = o;
}

typedef enum cmd_read {
    CMD_READ_OK,
    CMD_READ_END,
    CMD_READ_EOF,
    CMD_READ_BAD,
    CMD_READ_IO
} cmd_read;

/* Reads the next command into c->argv. *why says what was malformed. */
static cmd_read read_command(aof_reader *r, client *c, const char **why) {
    const char *line;
    size_t len;
    read_result rr;
    for (;;) {
        if (reader_fill(r, 1) == 0) return r->io_errno ? CMD_READ_IO : CMD_READ_END;
        rr = read_line(r, &line, &len);
        if (rr != RD_OK) break;
        if (len && line[0] == '#') continue; /* annotation */
        long long argc;
        if (!parse_count(line, len, '*', INT_MAX, &argc) || argc < 1) {
            *why = "expected '*' and an argument count";
            return CMD_READ_BAD;
        }
        for (long long i = 0; i < argc; i++) {
            rr = read_line(r, &line, &len);
            if (rr != RD_OK) break;
            long long blen;
            if (!parse_count(line, len, '$', LLONG_MAX, &blen)) {
                *why = "expected '$' and an argument length";
                return CMD_READ_BAD;
            }
            /* Cut short when the file cannot hold it: never allocate it. */
            if (blen > r->size - reader_offset(r) - 2) return CMD_READ_EOF;
            size_t need = (size_t)blen + 2;
            if (reader_fill(r, need) < need) return r->io_errno ? CMD_READ_IO : CMD_READ_EOF;
            const char *p = r->buf + r->pos;
            if (p[blen] != '\r' || p[blen + 1] != '\n') {
                *why = "argument not followed by CRLF";
                return CMD_READ_BAD;
            }
            push_arg(c, obj_create_raw_string(p, (size_t)blen));
            r->pos += need;
        }
        if (rr == RD_OK) return CMD_READ_OK;
        break;
    }
    if (rr == RD_IOERR) return CMD_READ_IO;
    if (rr == RD_BAD) {
        *why = "line too long";
        return CMD_READ_BAD;
    }
    return CMD_READ_EOF;
}

/* Runs the command in c->argv. C_ERR with ctx->err set when it is not one
 * the server knows. */
static int replay_command(client *c, load_ctx *ctx, long long offset) {
    kcommand *cmd = command_lookup(c->argv, c->argc);
    if (!cmd) {
        snprintf(ctx->err, ctx->errlen,
                 "Unknown command '%.64s' reading the append only file %s at offset %lld",
                 (char *)c->argv[0]->ptr, ctx->path, offset);
        return C_ERR;
    }
    if ((cmd->arity > 0 && cmd->arity != c->argc) || c->argc < -cmd->arity) {
        snprintf(ctx->err, ctx->errlen,
                 "Wrong number of arguments for '%s' reading the append only file %s at offset "
                 "%lld",
                 cmd->fullname ? cmd->fullname : cmd->name, ctx->path, offset);
        return C_ERR;
    }
    c->cmd = c->lastcmd = cmd;
    if (!multi_process_command(c)) call(c);
    if (c->flags & CLIENT_BLOCKED) {
        snprintf(ctx->err, ctx->errlen,
                 "Command '%s' blocked while loading the append only file %s at offset %lld",
                 cmd->name, ctx->path, offset);
        return C_ERR;
    }
    return C_OK;
}

/* Cuts the torn tail off the last file, or fails. */
static load_status handle_short_read(load_ctx *ctx, long long valid_up_to, long long at) {
    if (!server.aof_load_truncated) {
        snprintf(ctx->err, ctx->errlen,
                 "Unexpected end of file reading the append only file %s at offset %lld (the "
                 "last complete command ends at offset %lld). Make a backup of the AOF and run "
                 "keyport-check-aof --fix on its manifest, or set aof-load-truncated yes",
                 ctx->path, at, valid_up_to);
        return LOAD_FAILED;
    }
    if (!ctx->last_file) {
        snprintf(ctx->err, ctx->errlen,
                 "Unexpected end of file reading the append only file %s at offset %lld: it is "
                 "not the last file of the AOF, so it cannot be truncated",
                 ctx->path, at);
        return LOAD_FAILED;
    }
    server_log(LL_WARNING, "!!! Warning: short read while loading the AOF file %s!!!", ctx->path);
    server_log(LL_WARNING, "!!! Truncating the AOF %s at offset %lld !!!", ctx->path, valid_up_to);
    if (truncate(ctx->path, (off_t)valid_up_to) == -1) {
        snprintf(ctx->err, ctx->errlen, "Error truncating the AOF file %s at offset %lld: %s",
                 ctx->path, valid_up_to, strerror(errno));
        return LOAD_FAILED;
    }
    server_log(LL_WARNING, "AOF %s loaded anyway because aof-load-truncated is enabled", ctx->path);
    return LOAD_TRUNCATED;
}

/* Replays the commands of fd from offset start (where fd is positioned:
 * 0, or the end of an RDB preamble) to size. */
static load_status replay_file(int fd, long long start, long long size, load_ctx *ctx) {
    aof_reader r = {.fd = fd, .size = size, .buf_off = start};
    client *c = create_loading_client();
    client *prev = server.current_client;
    long long valid_up_to = start, valid_before_multi = start;
    load_status st = LOAD_OK;
    for (;;) {
        long long start = reader_offset(&r);
        const char *why = NULL;
        cmd_read cr = read_command(&r, c, &why);
        if (cr == CMD_READ_OK) {
            if (!strcasecmp(c->argv[0]->ptr, "multi")) valid_before_multi = valid_up_to;
            if (replay_command(c, ctx, start) != C_OK) {
                st = LOAD_FAILED;
                break;
            }
            client_reset_argv(c);
            valid_up_to = reader_offset(&r);
            if (server.key_load_delay > 0) usleep((useconds_t)server.key_load_delay);
            continue;
        }
        if (cr == CMD_READ_END) {
            if (c->flags & CLIENT_MULTI) {
                server_log(LL_WARNING, "Revert incomplete MULTI/EXEC transaction in AOF file %s",
                           ctx->path);
                multi_client_reset(c);
                st = handle_short_read(ctx, valid_before_multi, reader_offset(&r));
            }
            break;
        }
        if (cr == CMD_READ_EOF) {
            if (c->flags & CLIENT_MULTI) {
                multi_client_reset(c);
                valid_up_to = valid_before_multi;
            }
            st = handle_short_read(ctx, valid_up_to, start);
            break;
        }
        if (cr == CMD_READ_IO) {
            snprintf(ctx->err, ctx->errlen,
                     "Unrecoverable error reading the append only file %s at offset %lld: %s",
                     ctx->path, reader_offset(&r), strerror(r.io_errno));
        } else {
            snprintf(ctx->err, ctx->errlen,
                     "Bad file format reading the append only file %s at offset %lld: %s (make a "
                     "backup of the AOF and check it with keyport-check-aof)",
                     ctx->path, start, why);
        }
        st = LOAD_FAILED;
        break;
    }
    client_reset_argv(c);
    client_free(c);
    server.current_client = prev;
    zfree(r.buf);
    return st;
}

/* Loads one part: RDB (starts with "REDIS") or commands. */
static load_status load_file(const char *name, load_ctx *ctx) {
    kstr path = aof_path(name);
    ctx->path = path;
    load_status st = LOAD_FAILED;
    int fd = open(path, O_RDONLY);
    struct stat sb;
    if (fd == -1 || fstat(fd, &sb) == -1) {
        snprintf(ctx->err, ctx->errlen, "Can't open the append only file %s: %s", path,
                 strerror(errno));
        goto done;
    }
    if (sb.st_size == 0) {
        st = LOAD_OK;
        goto done;
    }
    char sig[5];
    ssize_t n = pread(fd, sig, sizeof(sig), 0);
    long long start = ustime();
    if (n == (ssize_t)sizeof(sig) && memcmp(sig, "REDIS", 5) == 0) {
        /* An RDB (a base written with aof-use-rdb-preamble), possibly
         * followed by commands (an old single-file AOF, as Redis 4-6 wrote
         * it): the RDB first, then the tail from where the RDB ends. */
        rdb_load_info info;
        memset(&info, 0, sizeof(info));
        server_log(LL_NOTICE, "Reading RDB base file on AOF loading...");
        if (lseek(fd, 0, SEEK_SET) == -1 || rdb_load_fd(fd, RDB_LOAD_AOF_BASE, &info) != C_OK) {
            snprintf(ctx->err, ctx->errlen, "Error reading the RDB base file %s: %s", path,
                     info.err[0] ? info.err : strerror(errno));
            goto done;
        }
        st = LOAD_OK;
        if (info.bytes < (long long)sb.st_size) {
            server_log(LL_NOTICE, "Reading the remaining AOF tail of %s...", name);
            if (lseek(fd, (off_t)info.bytes, SEEK_SET) == -1) {
                snprintf(ctx->err, ctx->errlen, "Can't seek in the append only file %s: %s", path,
                         strerror(errno));
                st = LOAD_FAILED;
                goto done;
            }
            st = replay_file(fd, info.bytes, (long long)sb.st_size, ctx);
        }
    } else {
        st = replay_file(fd, 0, (long long)sb.st_size, ctx);
    }
    if (st != LOAD_FAILED)
        server_log(LL_NOTICE, "DB loaded from %s file %s: %.3f seconds",
                   aof.am->base && !strcmp(aof.am->base->name, name) ? "base" : "incr", name,
                   (double)(ustime() - start) / 1000000);
done:
    if (fd != -1) close(fd);
    kstr_free(path);
    ctx->path = NULL;
    return st;
}

/* ---------- the old single-file layout ---------- */

/* appendfilename in `dir` and no manifest: Redis 7 moves it into the
 * directory as the base. Returns C_OK (also when there is nothing to do). */
static int migrate_old_aof(char *err, size_t errlen) {
    struct stat st;
    if (stat(server.aof_filename, &st) == -1 || !S_ISREG(st.st_mode)) return C_OK;
    if (aof.am->base || aof.am->incr_count) return C_OK;
    /* With or without an RDB preamble, the file becomes the base as it is
     * (load_file reads both kinds). */
    if (aof_mkdir() == -1) {
        snprintf(err, errlen, "Can't open or create append-only dir %s: %s", server.aof_dirname,
                 strerror(errno));
        return C_ERR;
    }
    aof_manifest *am = aof_manifest_create();
    am->base = zmalloc(sizeof(aof_file_info));
    am->base->name = kstr_from(server.aof_filename);
    am->base->seq = am->base_seq = 1;
    am->base->type = AOF_FILE_BASE;
    am->dirty = 1;
    kstr newpath = aof_path(server.aof_filename);
    int rc = C_ERR;
    if (aof_manifest_persist(am) != C_OK) {
        snprintf(err, errlen, "Can't write the AOF manifest: %s", strerror(errno));
    } else if (rename(server.aof_filename, newpath) == -1) {
        snprintf(err, errlen, "Error trying to move the old AOF file %s into dir %s: %s",
                 server.aof_filename, server.aof_dirname, strerror(errno));
    } else {
        server_log(LL_NOTICE,
                   "Successfully migrated an old-style AOF file (%s) into the AOF directory (%s).",
                   server.aof_filename, server.aof_dirname);
        aof_manifest_release(aof.am);
        aof.am = am;
        am = NULL;
        rc = C_OK;
    }
    aof_manifest_release(am);
    kstr_free(newpath);
    return rc;
}

/* ---------- the whole AOF ---------- */

/* Loads every part into server.db. C_OK, or C_ERR with err set. */
static int load_parts(char *err, size_t errlen) {
    aof_manifest *am = aof.am;
    int total = (am->base ? 1 : 0) + am->incr_count;
    /* Every part must exist before anything is loaded. */
    long long base_size = 0;
    for (int i = -1; i < am->incr_count; i++) {
        aof_file_info *ai = i < 0 ? am->base : am->incr[i];
        if (!ai) continue;
        long long sz = aof_file_size(ai->name);
        if (sz < 0) {
            snprintf(err, errlen, "The AOF file %s/%s listed in the manifest can't be read: %s",
                     server.aof_dirname, ai->name, strerror(errno));
            return C_ERR;
        }
        if (i < 0) base_size = sz;
    }
    load_ctx ctx = {.err = err, .errlen = errlen};
    int num = 0;
    for (int i = -1; i < am->incr_count; i++) {
        aof_file_info *ai = i < 0 ? am->base : am->incr[i];
        if (!ai) continue;
        ctx.last_file = ++num == total;
        if (load_file(ai->name, &ctx) == LOAD_FAILED) return C_ERR;
    }
    /* Sizes after a possible truncation of the last part. */
    long long total_size = 0;
    for (int i = -1; i < am->incr_count; i++) {
        aof_file_info *ai = i < 0 ? am->base : am->incr[i];
        if (!ai) continue;
        long long sz = aof_file_size(ai->name);
        if (sz > 0) total_size += sz;
        if (i == am->incr_count - 1 && sz >= 0) aof.last_incr_size = sz;
    }
    aof.current_size = total_size;
    aof.base_size = base_size;
    aof.fsync_offset = total_size;
    return C_OK;
}

/* No AOF yet: the RDB file, when there is one, is the dataset. */
static int load_rdb_instead(char *err, size_t errlen) {
    struct stat st;
    if (stat(server.dbfilename, &st) == -1) return C_OK;
    rdb_load_info info;
    memset(&info, 0, sizeof(info));
    if (rdb_load_file(server.dbfilename, RDB_LOAD_NONE, &info) != C_OK) {
        snprintf(err, errlen, "No AOF exists yet and loading the RDB file %s failed: %s",
                 server.dbfilename, info.err);
        return C_ERR;
    }
    server_log(LL_NOTICE,
               "No AOF exists yet: loaded %lld keys from the RDB file %s; the AOF base will be "
               "created from them",
               info.keys, server.dbfilename);
    return C_OK;
}

int aof_load(char *err, size_t errlen) {
    if (aof_ensure_manifest(err, errlen) != C_OK) return C_ERR;
    if (migrate_old_aof(err, errlen) != C_OK) return C_ERR;
    int saved_loading = server.loading;
    long long saved_dirty = server.dirty;
    server.loading = 1;
    int rc;
    if (!aof.am->base && aof.am->incr_count == 0)
        rc = load_rdb_instead(err, errlen);
    else
        rc = load_parts(err, errlen);
    server.loading = saved_loading;
    server.dirty = saved_dirty;
    aof.loaded = 1;
    return rc;
}

int aof_debug_reload(char *err, size_t errlen) {
    aof_manifest *am = NULL;
    int found = aof_manifest_read(&am, err, errlen);
    if (found == -1) return C_ERR;
    if (found == 0 || (!am->base && am->incr_count == 0)) {
        aof_manifest_release(am);
        snprintf(err, errlen, "there is no AOF to load in %s", server.aof_dirname);
        return C_ERR;
    }
    if (aof.state != AOF_STATE_OFF) {
        aof_flush(1);
        aof_fsync_now();
    }
    aof_manifest_release(aof.am);
    aof.am = am;
    aof_delete_history();
    db_empty(-1, 0);
    return aof_load(err, errlen);
}
