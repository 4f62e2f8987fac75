/*
 * The dataset across restarts: loading it at startup (the AOF when
 * appendonly is yes, else the RDB file) and saving it on shutdown.
 *
 * A file that cannot be loaded stops the server with exit status 1 and a
 * message naming the file, the byte offset and the reason, on stderr and
 * in the log; a missing file is an empty dataset.
 *
 * Threading: main thread.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "aof.h"
#include "persist_internal.h"
#include "rdb.h"

/* "<dir>/<name>" for messages (the working directory is `dir`). */
static void full_path(char *buf, size_t len, const char *name) {
    char cwd[PATH_MAX];
    if (name[0] == '/' || !getcwd(cwd, sizeof(cwd)))
        snprintf(buf, len, "%s", name);
    else
        snprintf(buf, len, "%s/%s", cwd, name);
}

static void fatal_load(const char *what, const char *path, const char *reason) {
    server_log(LL_WARNING, "Fatal error loading the %s from %s: %s. Exiting.", what, path, reason);
    fprintf(stderr, "keyport: fatal error loading the %s from %s: %s\n", what, path, reason);
    exit(1);
}

void persist_record_rdb_load(const struct rdb_load_info *info) {
    if (info->redis_ver[0])
        server_log(LL_NOTICE, "Loading RDB produced by version %s", info->redis_ver);
    if (info->ctime > 0) {
        long long age = (long long)time(NULL) - info->ctime;
        server_log(LL_NOTICE, "RDB age %lld seconds", age < 0 ? 0 : age);
    }
    persist.last_load_keys_loaded = info->keys;
    persist.last_load_keys_expired = info->expired;
    server_log(LL_NOTICE, "Done loading RDB, keys loaded: %lld, keys expired: %lld.", info->keys,
               info->expired);
}

static void load_rdb(void) {
    const char *file = server.dbfilename;
    char path[PATH_MAX + 256];
    full_path(path, sizeof(path), file);
    struct stat st;
    if (stat(file, &st) == -1) {
        if (errno == ENOENT) return; /* nothing saved yet */
        fatal_load("DB", path, strerror(errno));
    }
    rdb_load_info info;
    memset(&info, 0, sizeof(info));
    persist.loading_start = time(NULL);
    persist.loading_total_bytes = (long long)st.st_size;
    long long start = ustime();
    server.loading = 1;
    errno = 0;
    int rc = rdb_load_file(file, RDB_LOAD_NONE, &info);
    server.loading = 0;
    if (rc != C_OK) {
        server_log(LL_WARNING, "Terminating server after rdb file reading failure.");
        fatal_load("DB", path, info.err[0] ? info.err : strerror(errno ? errno : EIO));
    }
    persist_record_rdb_load(&info);
    server_log(LL_NOTICE, "DB loaded from disk: %.3f seconds", (double)(ustime() - start) / 1e6);
}

static void load_aof(void) {
    char err[1024] = "";
    char path[PATH_MAX + 256];
    full_path(path, sizeof(path), server.aof_dirname);
    struct stat st;
    int existed = stat(server.aof_dirname, &st) == 0;
    persist.loading_start = time(NULL);
    persist.loading_total_bytes = 0;
    long long start = ustime();
    server.loading = 1;
    int rc = aof_load(err, sizeof(err));
    server.loading = 0;
    if (rc != C_OK) fatal_load("append only file", path, err[0] ? err : "unknown error");
    if (existed)
        server_log(LL_NOTICE, "DB loaded from append only file: %.3f seconds",
                   (double)(ustime() - start) / 1e6);
    err[0] = '\0';
    if (aof_open_at_startup(err, sizeof(err)) != C_OK) {
        server_log(LL_WARNING, "Can't open the append-only file %s: %s. Exiting.", path, err);
        fprintf(stderr, "keyport: can't open the append-only file %s: %s\n", path, err);
        exit(1);
    }
}

void persist_load_at_startup(void) {
    persist.lastsave = time(NULL); /* what is on disk is the dataset */
    if (server.appendonly)
        load_aof();
    else
        load_rdb();
    persist.loading_start = 0;
    persist.loading_total_bytes = 0;
    server.dirty = 0;
}

int persist_on_shutdown(int flags) {
    switch (child_active_type()) {
    case CHILD_TYPE_RDB:
        /* Its snapshot would race the final one written below. */
        server_log(LL_WARNING, "There is a child saving an .rdb. Killing it!");
        child_kill();
        break;
    case CHILD_TYPE_AOF:
        /* The AOF kept up to date holds the whole dataset anyway. */
        server_log(LL_WARNING, "There is a child rewriting the AOF. Killing it!");
        child_kill();
        break;
    default: break;
    }
    aof_on_shutdown();
    int save =
        (server.save_params_count > 0 && !(flags & SHUTDOWN_NOSAVE)) || (flags & SHUTDOWN_SAVE);
    if (!save) return C_OK;
    server_log(LL_NOTICE, "Saving the final RDB snapshot before exiting.");
    if (persist_save_now() == C_OK) return C_OK;
    if (flags & SHUTDOWN_FORCE) {
        server_log(LL_WARNING, "Error trying to save the DB. Exit anyway.");
        return C_OK;
    }
    server_log(LL_WARNING, "Error trying to save the DB, can't exit.");
    return C_ERR;
}
