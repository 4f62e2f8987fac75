/*
 * Feeding commands into the AOF buffer and writing it out.
 *
 * Every command that changed the dataset is appended to aof.buf as RESP
 * (after a SELECT when the database changed, and a "#TS:<unix time>"
 * annotation when aof-timestamp-enabled and the second changed). Before
 * the event loop writes replies, aof_flush() writes the buffer to the
 * incremental file:
 *   always    fdatasync before returning: a reply is only written for a
 *             command that is on disk;
 *   everysec  fdatasync on the AOF thread about once per second;
 *   no        the kernel decides.
 *
 * A failed or short write never leaves a torn command behind: the file is
 * truncated back to its last good size and the whole buffer is kept for
 * the next try (every second from aof_cron). Meanwhile writers get
 * "MISCONF Errors writing to the AOF file: <reason>". With appendfsync
 * always, a batch that could not be made durable is never acknowledged:
 * the clients whose commands are in it are closed before their replies
 * go out (their commands stay buffered and reach the disk when it accepts
 * writes again, so a client that saw no reply may find its write applied,
 * as after any dropped connection).
 *
 * Threading: main thread.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "aof_internal.h"
#include "persist.h"

/* Seconds between two logs of the same write error. */
#define AOF_WRITE_LOG_ERROR_RATE 30

aof_globals aof = {.state = AOF_STATE_OFF,
                   .fd = -1,
                   .selected_db = -1,
                   .last_write_status = C_OK,
                   .rewrite_pid = -1,
                   .rewrite_time_start = -1,
                   .rewrite_time_last = -1,
                   .lastbgrewrite_status = C_OK};

/* ---------- feeding ---------- */

static kstr cat_bulk(kstr s, const char *p, size_t len) {
    char hdr[LONG_STR_SIZE + 4];
    hdr[0] = '$';
    int n = ull2string(hdr + 1, sizeof(hdr) - 1, len);
    s = kstr_cat(s, hdr, (size_t)n + 1);
    s = kstr_cat(s, "\r\n", 2);
    s = kstr_cat(s, p, len);
    return kstr_cat(s, "\r\n", 2);
}

/* Remembers who executed what is buffered (appendfsync always). */
static void note_pending_client(void) {
    client *c = server.current_client;
    if (!c || (c->flags & CLIENT_FAKE) || !c->conn) return;
    if (aof.pending_count && aof.pending_ids[aof.pending_count - 1] == c->id) return;
    if (aof.pending_count == aof.pending_cap) {
        aof.pending_cap = aof.pending_cap ? aof.pending_cap * 2 : 16;
        aof.pending_ids = zrealloc(aof.pending_ids, sizeof(uint64_t) * aof.pending_cap);
    }
    aof.pending_ids[aof.pending_count++] = c->id;
}

void aof_feed(int dbid, kobj **argv, int argc) {
    if (server.loading || argc <= 0) return;
    /* While waiting for the first rewrite only what happens after the
     * child's snapshot matters; before the fork there is nothing to keep. */
    if (aof.state == AOF_STATE_OFF) return;
    if (aof.state == AOF_STATE_WAIT_REWRITE && aof.rewrite_pid == -1) return;
    if (!aof.buf) aof.buf = kstr_empty();

    if (server.aof_timestamp_enabled && aof.cur_timestamp < (long long)server.unixtime) {
        aof.cur_timestamp = (long long)server.unixtime;
        aof.buf = kstr_catfmt(aof.buf, "#TS:%lld\r\n", aof.cur_timestamp);
    }
    if (dbid >= 0 && dbid != aof.selected_db) {
        char num[LONG_STR_SIZE];
        int n = ll2string(num, sizeof(num), dbid);
        aof.buf = kstr_cat(aof.buf, "*2\r\n$6\r\nSELECT\r\n", 16);
        aof.buf = cat_bulk(aof.buf, num, (size_t)n);
        aof.selected_db = dbid;
    }
    char hdr[LONG_STR_SIZE + 4];
    hdr[0] = '*';
    int n = ll2string(hdr + 1, sizeof(hdr) - 1, argc);
    aof.buf = kstr_cat(aof.buf, hdr, (size_t)n + 1);
    aof.buf = kstr_cat(aof.buf, "\r\n", 2);
    for (int i = 0; i < argc; i++) {
        char num[LONG_STR_SIZE];
        size_t len;
        server_assert(argv[i]->type == OBJ_STRING);
        const char *p = string_obj_ptr(argv[i], num, sizeof(num), &len);
        aof.buf = cat_bulk(aof.buf, p, len);
    }
    if (server.aof_fsync == AOF_FSYNC_ALWAYS) note_pending_client();
}

/* ---------- write errors ---------- */

int aof_write_failed(void) {
    return aof.last_write_status == C_ERR || aof_bio_errno() != 0;
}

int aof_write_errno(void) {
    if (aof.last_write_status == C_ERR) return aof.last_write_errno;
    return aof_bio_errno();
}

const char *aof_write_error(void) {
    static char msg[256];
    if (aof.state == AOF_STATE_OFF || !aof_write_failed()) return NULL;
    snprintf(msg, sizeof(msg), "MISCONF Errors writing to the AOF file: %s",
             strerror(aof_write_errno()));
    return msg;
}

/* appendfsync always: the buffered batch is not durable, so the clients
 * that executed it must not see their replies. */
static void drop_pending_clients(void) {
    for (size_t i = 0; i < aof.pending_count; i++) {
        client *c = client_lookup_by_id(aof.pending_ids[i]);
        if (!c || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        server_log(LL_WARNING,
                   "Closing client id=%llu: its write could not be made durable in the AOF",
                   (unsigned long long)c->id);
        client_free_async(c);
    }
    aof.pending_count = 0;
}

static void record_write_error(int err, const char *what, ssize_t nwritten, size_t expected) {
    if (server.unixtime - aof.last_write_error_log > AOF_WRITE_LOG_ERROR_RATE ||
        aof.last_write_status == C_OK) {
        aof.last_write_error_log = server.unixtime;
        if (nwritten > 0)
            server_log(LL_WARNING,
                       "Short write while writing to the AOF file: (nwritten=%lld, "
                       "expected=%lld): %s",
                       (long long)nwritten, (long long)expected, strerror(err));
        else
            server_log(LL_WARNING, "Error %s the AOF file: %s", what, strerror(err));
    }
    aof.last_write_status = C_ERR;
    aof.last_write_errno = err;
    if (server.aof_fsync == AOF_FSYNC_ALWAYS) drop_pending_clients();
}

/* Writes all of len bytes. Returns len, the bytes written before an error
 * (errno set), or -1 when nothing was written. */
static ssize_t write_fully(int fd, const char *p, size_t len) {
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, p + done, len - done);
        if (n == -1 && errno == EINTR) continue;
        if (n <= 0) {
            if (n == 0) errno = ENOSPC;
            return done ? (ssize_t)done : -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)done;
}

/* Cuts the file back to `size` after a failed write or fsync. Returns 1
 * when the file now ends at size. */
static int truncate_back(off_t size) {
    if (ftruncate(aof.fd, size) == 0) return 1;
    server_log(LL_WARNING,
               "Could not remove a partial write from the append-only file (ftruncate: %s); "
               "the next write continues after it",
               strerror(errno));
    return 0;
}

/* ---------- flushing ---------- */

int aof_fsync_now(void) {
    if (aof.fd == -1) return C_OK;
    int rc;
    do {
        rc = fdatasync(aof.fd);
    } while (rc == -1 && errno == EINTR);
    if (rc == -1 && errno != EINVAL && errno != EBADF) {
        server_log(LL_WARNING, "Fail to fsync the AOF file: %s", strerror(errno));
        return C_ERR;
    }
    aof.fsync_offset = aof.current_size;
    aof.last_fsync = server.unixtime;
    return C_OK;
}

static int fsync_skipped_for_child(void) {
    return server.aof_no_fsync_on_rewrite && child_active_type() != CHILD_TYPE_NONE;
}

typedef enum fsync_outcome {
    FSYNC_DONE,
    FSYNC_FAILED_REMOVED, /* failed; the unsynced bytes were cut from the file */
    FSYNC_FAILED_KEPT     /* failed; the bytes are still in the file */
} fsync_outcome;

/* appendfsync always: makes everything written so far durable. just_written
 * is the size of the write that preceded (still in aof.buf). When the
 * fsync fails, what it covered may never reach the disk: that write is cut
 * from the file again, to be written anew on the next try. */
static fsync_outcome fsync_always(size_t just_written) {
    int rc;
    do {
        rc = fdatasync(aof.fd);
    } while (rc == -1 && errno == EINTR);
    if (rc == 0 || errno == EINVAL || errno == EBADF) {
        aof.fsync_offset = aof.current_size;
        aof.last_fsync = server.unixtime;
        aof.pending_count = 0;
        if (aof.last_write_status == C_ERR) {
            server_log(LL_WARNING, "AOF write error looks solved, keyport can write again.");
            aof.last_write_status = C_OK;
        }
        return FSYNC_DONE;
    }
    int err = errno;
    fsync_outcome out = FSYNC_FAILED_KEPT;
    long long unsynced = aof.current_size - aof.fsync_offset;
    if (just_written > 0 && unsynced == (long long)just_written &&
        truncate_back((off_t)(aof.last_incr_size - unsynced))) {
        aof.current_size -= unsynced;
        aof.last_incr_size -= unsynced;
        out = FSYNC_FAILED_REMOVED;
    }
    record_write_error(err, "fsyncing", -1, 0);
    return out;
}

void aof_flush(int force) {
    if (aof.fd == -1) return;
    size_t len = aof.buf ? kstr_len(aof.buf) : 0;
    int always = server.aof_fsync == AOF_FSYNC_ALWAYS;
    int everysec = server.aof_fsync == AOF_FSYNC_EVERYSEC;
    if (len == 0) {
        /* Nothing new, but data written earlier may still need its fsync:
         * everysec after a quiet second, always after a failed fsync or a
         * switch from another policy. */
        if (aof.fsync_offset == aof.current_size || fsync_skipped_for_child()) return;
        if (always) {
            fsync_always(0);
        } else if (everysec && server.unixtime > aof.last_fsync && aof_bio_pending() == 0) {
            aof_bio_fsync(aof.fd);
            aof.fsync_offset = aof.current_size;
            aof.last_fsync = server.unixtime;
        }
        return;
    }
    int sync_in_progress = everysec && aof_bio_pending() > 0;
    if (everysec && sync_in_progress && !force) {
        /* A write would block behind the running fsync: wait up to two
         * seconds before writing anyway. */
        if (aof.flush_postponed_start == 0) {
            aof.flush_postponed_start = server.unixtime;
            return;
        }
        if (server.unixtime - aof.flush_postponed_start < 2) return;
        aof.delayed_fsync++;
        server_log(LL_NOTICE, "Asynchronous AOF fsync is taking too long (disk is busy?). "
                              "Writing the AOF buffer without waiting for fsync to complete, "
                              "this may slow down keyport.");
    }
    aof.flush_postponed_start = 0;

    ssize_t n = write_fully(aof.fd, aof.buf, len);
    if (n != (ssize_t)len) {
        int err = n == -1 ? errno : (errno ? errno : ENOSPC);
        if (n > 0 && truncate_back((off_t)aof.last_incr_size)) n = -1;
        if (n > 0) {
            /* The partial write stays in the file: keep the rest only. */
            aof.current_size += n;
            aof.last_incr_size += n;
            kstr_consume(aof.buf, (size_t)n);
        }
        record_write_error(err, "writing to", n, len);
        return;
    }
    aof.current_size += n;
    aof.last_incr_size += n;

    if (always && !fsync_skipped_for_child()) {
        fsync_outcome fo = fsync_always(len);
        if (fo == FSYNC_FAILED_REMOVED) return; /* aof.buf is written again later */
        if (fo == FSYNC_FAILED_KEPT) {
            kstr_clear(aof.buf);
            return;
        }
    }
    if (kstr_alloc_size(aof.buf) < 4096)
        kstr_clear(aof.buf);
    else {
        kstr_free(aof.buf);
        aof.buf = kstr_empty();
    }
    aof.pending_count = 0;
    if (aof.last_write_status == C_ERR) {
        server_log(LL_WARNING, "AOF write error looks solved, keyport can write again.");
        aof.last_write_status = C_OK;
    }
    if (fsync_skipped_for_child()) return;
    if (everysec && server.unixtime > aof.last_fsync) {
        if (!sync_in_progress) {
            aof_bio_fsync(aof.fd);
            aof.fsync_offset = aof.current_size;
        }
        aof.last_fsync = server.unixtime;
    }
}

void aof_discard_buffer(void) {
    kstr_free(aof.buf);
    aof.buf = kstr_empty();
    aof.pending_count = 0;
}

void aof_flush_before_sleep(void) {
    if (aof.state == AOF_STATE_OFF) return;
    aof_flush(0);
}
