/*
 * The forked child (BGSAVE, AOF rewrite): one at a time, as in Redis.
 *
 * The child reports its progress (keys written, copy-on-write bytes) to the
 * parent through a non-blocking pipe of fixed-size records; the parent reads
 * them from the cron and from INFO, and reaps the child with
 * waitpid(WNOHANG) from persist_cron().
 *
 * Contract in the child: only the forking thread exists, so nothing may
 * wait on another thread (lazy free, fsync thread) or touch the event loop,
 * whose epoll instance the parent still uses. The child leaves with
 * child_exit(), which calls _exit(): no atexit handlers, no stdio flush of
 * the parent's buffers.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aof.h"
#include "listen.h"
#include "persist_internal.h"

/* One report from the child. Smaller than PIPE_BUF: writes are atomic. */
typedef struct child_msg {
    uint32_t kind; /* MSG_* */
    uint32_t reserved;
    uint64_t cow_bytes;
    uint64_t keys;
} child_msg;

#define MSG_PROGRESS 1 /* while saving */
#define MSG_FINAL 2    /* from child_exit(1) */
#define MSG_FAILED 3   /* from child_exit(0): errno in `reserved` */

/* Parent side. */
static struct {
    int type; /* CHILD_TYPE_* */
    pid_t pid;
    int info_fd;        /* read end of the report pipe, -1 when none */
    char dir[PATH_MAX]; /* working directory at fork time (temp files live there) */
    child_progress progress;
    size_t final_cow; /* cow_bytes of the MSG_FINAL record, 0 when none */
    int got_final;
    int failed_errno;   /* errno of a MSG_FAILED record, 0 when none */
    size_t last_cow[3]; /* by CHILD_TYPE_* */
    long long total_forks;
    long long latest_fork_usec;
} parent = {.info_fd = -1};

/* Child side. */
static struct {
    int active;
    int type;
    int report_fd; /* write end of the report pipe, -1 when none */
    long long last_report_ms;
    long long keys_done;
    size_t cow_peak;
    unsigned long long cow_sum;
    unsigned long cow_samples;
} self = {.report_fd = -1};

static long long wall_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *type_name(int type) {
    switch (type) {
    case CHILD_TYPE_RDB: return "RDB";
    case CHILD_TYPE_AOF: return "AOF";
    default: return "none";
    }
}

/* ---------- copy-on-write measurement (child) ---------- */

/* Adds the kB values of every "Private_Dirty:" line in buf[0..len) that is
 * complete; returns the bytes consumed (up to the last newline). */
static size_t sum_private_dirty(const char *buf, size_t len, unsigned long long *kb) {
    static const char field[] = "Private_Dirty:";
    size_t line = 0, consumed = 0;
    for (size_t i = 0; i < len; i++) {
        if (buf[i] != '\n') continue;
        size_t n = i - line;
        if (n > sizeof(field) - 1 && memcmp(buf + line, field, sizeof(field) - 1) == 0) {
            unsigned long long v = 0;
            for (size_t j = line + sizeof(field) - 1; j < i; j++) {
                if (buf[j] >= '0' && buf[j] <= '9')
                    v = v * 10 + (unsigned)(buf[j] - '0');
                else if (v)
                    break;
            }
            *kb += v;
        }
        line = i + 1;
        consumed = line;
    }
    return consumed;
}

/* Private dirty memory of this process: pages the parent or the child
 * copied since the fork. smaps_rollup when the kernel has it (one line),
 * else the sum over smaps. Returns 0 when neither can be read. */
static size_t private_dirty_bytes(void) {
    static const char *const files[] = {"/proc/self/smaps_rollup", "/proc/self/smaps"};
    for (size_t f = 0; f < sizeof(files) / sizeof(files[0]); f++) {
        int fd = open(files[f], O_RDONLY | O_CLOEXEC);
        if (fd == -1) continue;
        char buf[4096];
        size_t have = 0;
        unsigned long long kb = 0;
        for (;;) {
            ssize_t n = read(fd, buf + have, sizeof(buf) - have);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            have += (size_t)n;
            size_t used = sum_private_dirty(buf, have, &kb);
            /* A line longer than the buffer carries nothing we need. */
            if (used == 0 && have == sizeof(buf)) used = have;
            memmove(buf, buf + used, have - used);
            have -= used;
        }
        close(fd);
        return (size_t)(kb * 1024);
    }
    return 0;
}

/* ---------- reports ---------- */

static void child_send(uint32_t kind, size_t cow) {
    if (self.report_fd == -1) return;
    child_msg m = {.kind = kind, .cow_bytes = cow, .keys = (uint64_t)self.keys_done};
    /* Non-blocking: a full pipe (parent busy) drops the report. */
    ssize_t w;
    do {
        w = write(self.report_fd, &m, sizeof(m));
    } while (w == -1 && errno == EINTR);
}

static size_t child_sample_cow(void) {
    size_t cow = private_dirty_bytes();
    if (cow > self.cow_peak) self.cow_peak = cow;
    self.cow_sum += cow;
    self.cow_samples++;
    return cow;
}

void child_report_progress(long long keys_done) {
    if (!self.active) return;
    self.keys_done = keys_done;
    /* The clock is read every 1024 keys, not per key, so saving stays
     * cheap; per key only when rdb-key-save-delay makes keys slow. */
    if ((keys_done & 1023) && !server.rdb_key_save_delay) return;
    long long now = wall_ms();
    if (now - self.last_report_ms < 1000) return;
    self.last_report_ms = now;
    child_send(MSG_PROGRESS, child_sample_cow());
}

int child_in_child(void) {
    return self.active;
}

void child_exit(int ok) {
    if (self.active && !ok) {
        /* Tell the parent why (INFO rdb_last_bgsave_error). */
        int err = errno;
        child_msg m = {.kind = MSG_FAILED, .reserved = (uint32_t)err};
        if (self.report_fd != -1) {
            ssize_t w;
            do {
                w = write(self.report_fd, &m, sizeof(m));
            } while (w == -1 && errno == EINTR);
        }
    }
    if (self.active && ok) {
        size_t cow = child_sample_cow();
        child_send(MSG_FINAL, cow);
        server_log(LL_NOTICE, "Fork CoW for %s: current %zu MB, peak %zu MB, average %llu MB",
                   type_name(self.type), cow / (1024 * 1024), self.cow_peak / (1024 * 1024),
                   self.cow_samples ? self.cow_sum / self.cow_samples / (1024 * 1024) : 0);
    }
    _exit(ok ? 0 : 1);
}

/* Parent: reads every complete record waiting in the pipe. */
static void parent_drain_reports(void) {
    if (parent.info_fd == -1) return;
    child_msg m;
    for (;;) {
        ssize_t n = read(parent.info_fd, &m, sizeof(m));
        if (n == -1 && errno == EINTR) continue;
        if (n != (ssize_t)sizeof(m)) break; /* empty (EAGAIN), closed, or torn */
        if (m.kind == MSG_FAILED) {
            parent.failed_errno = (int)m.reserved; /* carries no progress */
            continue;
        }
        child_progress *p = &parent.progress;
        p->keys_processed = (long long)m.keys;
        p->cow_bytes = (size_t)m.cow_bytes;
        if (p->cow_bytes > p->cow_peak) p->cow_peak = p->cow_bytes;
        p->cow_updated_ms = wall_ms();
        if (m.kind == MSG_FINAL) {
            parent.final_cow = (size_t)m.cow_bytes;
            parent.got_final = 1;
        }
    }
}

/* ---------- fork ---------- */

/* In the new child: its own signal dispositions and no listening sockets
 * (a restarted parent must be able to bind them again while the child
 * still runs). Plain close(): the listeners' epoll registrations belong to
 * the parent's event loop and must stay. */
static void child_setup(int type, int report_fd) {
    self.active = 1;
    self.type = type;
    self.report_fd = report_fd;
    self.last_report_ms = wall_ms();
    /* SIGPIPE and SIGHUP stay ignored, as in the parent. */
    static const int reset[] = {SIGTERM, SIGINT, SIGUSR1};
    for (size_t i = 0; i < sizeof(reset) / sizeof(reset[0]); i++) signal(reset[i], SIG_DFL);
    for (int i = 0; i < listener_count(); i++) {
        listener *l = listener_at(i);
        for (int j = 0; j < l->nfds; j++)
            if (l->fds[j] >= 0) close(l->fds[j]);
    }
}

static long long dataset_keys(void) {
    long long n = 0;
    for (int i = 0; i < server.dbnum; i++) n += db_size(&server.db[i]);
    return n;
}

pid_t child_fork(int type) {
    if (parent.pid > 0) {
        errno = EBUSY;
        return -1;
    }
    if (type != CHILD_TYPE_RDB && type != CHILD_TYPE_AOF) {
        errno = EINVAL;
        return -1;
    }
    int fds[2] = {-1, -1};
    /* Without the pipe the child still works; INFO just lacks its reports. */
    if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) == -1) fds[0] = fds[1] = -1;
    fflush(NULL); /* no buffered output may be written twice */
    long long start = ustime();
    pid_t pid = fork();
    if (pid == 0) {
        if (fds[0] != -1) close(fds[0]);
        child_setup(type, fds[1]);
        return 0;
    }
    if (pid == -1) {
        int saved = errno;
        if (fds[0] != -1) close(fds[0]), close(fds[1]);
        errno = saved;
        return -1;
    }
    parent.latest_fork_usec = ustime() - start;
    parent.total_forks++;
    if (fds[1] != -1) close(fds[1]);
    parent.info_fd = fds[0];
    parent.type = type;
    parent.pid = pid;
    if (!getcwd(parent.dir, sizeof(parent.dir))) snprintf(parent.dir, sizeof(parent.dir), ".");
    memset(&parent.progress, 0, sizeof(parent.progress));
    parent.progress.keys_total = dataset_keys();
    parent.progress.start = time(NULL);
    parent.final_cow = 0;
    parent.got_final = 0;
    parent.failed_errno = 0;
    return pid;
}

int child_active_type(void) {
    return parent.pid > 0 ? parent.type : CHILD_TYPE_NONE;
}

pid_t child_pid(void) {
    return parent.pid > 0 ? parent.pid : -1;
}

size_t child_last_cow_size(int type) {
    return type == CHILD_TYPE_RDB || type == CHILD_TYPE_AOF ? parent.last_cow[type] : 0;
}

void child_get_progress(child_progress *p) {
    if (parent.pid <= 0) {
        memset(p, 0, sizeof(*p));
        return;
    }
    parent_drain_reports();
    *p = parent.progress;
}

long long persist_stat_total_forks(void) {
    return parent.total_forks;
}

long long persist_stat_latest_fork_usec(void) {
    return parent.latest_fork_usec;
}

void child_reset_fork_stats(void) {
    parent.total_forks = 0;
    parent.latest_fork_usec = 0;
}

/* The child ended with this wait status: hand it to its handler, then
 * forget it. */
static void child_finished(int status) {
    int exitcode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    int bysignal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    parent_drain_reports();
    if (!bysignal && exitcode == 0 && parent.got_final)
        parent.last_cow[parent.type] = parent.final_cow;
    switch (parent.type) {
    case CHILD_TYPE_RDB: persist_rdb_child_done(exitcode, bysignal); break;
    case CHILD_TYPE_AOF: aof_rewrite_done(exitcode, bysignal); break;
    default: break;
    }
    if (parent.info_fd != -1) close(parent.info_fd);
    parent.info_fd = -1;
    parent.pid = 0;
    parent.type = CHILD_TYPE_NONE;
    memset(&parent.progress, 0, sizeof(parent.progress));
}

void child_check_done(void) {
    if (parent.pid <= 0) return;
    parent_drain_reports();
    int status = 0;
    pid_t r = waitpid(parent.pid, &status, WNOHANG);
    if (r == 0) return;
    if (r == -1) {
        if (errno == EINTR) return;
        /* The child is gone without a status (reaped elsewhere): count it
         * as failed rather than waiting for it forever. */
        server_log(LL_WARNING, "waitpid() returned an error: %s. child_type: %s, child_pid = %d",
                   strerror(errno), type_name(parent.type), (int)parent.pid);
        status = 1 << 8; /* exit status 1 */
    }
    child_finished(status);
}

void child_kill(void) {
    if (parent.pid <= 0) return;
    pid_t pid = parent.pid;
    int status = 0;
    if (kill(pid, SIGUSR1) == -1 && errno != ESRCH)
        server_log(LL_WARNING, "Can't kill the %s child %d: %s", type_name(parent.type), (int)pid,
                   strerror(errno));
    while (waitpid(pid, &status, 0) == -1) {
        if (errno == EINTR) continue;
        status = 1 << 8; /* already reaped: a failed child */
        break;
    }
    if (parent.type == CHILD_TYPE_RDB) {
        char path[PATH_MAX + 64];
        snprintf(path, sizeof(path), "%s/temp-%d.rdb", parent.dir, (int)pid);
        unlink(path);
    }
    child_finished(status);
}

/* The directory the running child writes in (persist_save.c removes the
 * temp file of a BGSAVE that died). */
const char *child_dir(void) {
    return parent.dir;
}

int child_last_errno(void) {
    return parent.failed_errno;
}
