/*
 * The AOF background thread: fdatasync (appendfsync everysec) and the
 * fsync-then-close of an incremental file that a rewrite replaced, so the
 * main thread never waits for the disk in those cases.
 *
 * Threading: the queue is guarded by a mutex; the thread starts on the
 * first job. A forked child never uses it (threads do not survive fork).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "aof_internal.h"

typedef struct bio_job {
    struct bio_job *next;
    int fd;
    int close_after;
} bio_job;

static pthread_mutex_t bio_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bio_work = PTHREAD_COND_INITIALIZER;
static pthread_cond_t bio_idle = PTHREAD_COND_INITIALIZER;
static bio_job *bio_head, *bio_tail;
static int bio_started;
static atomic_ulong bio_pending; /* queued + running */
static atomic_int bio_errno;     /* of the last fsync, 0 when it succeeded */

static void *bio_main(void *arg) {
    (void)arg;
    for (;;) {
        pthread_mutex_lock(&bio_lock);
        while (!bio_head) pthread_cond_wait(&bio_work, &bio_lock);
        bio_job *j = bio_head;
        bio_head = j->next;
        if (!bio_head) bio_tail = NULL;
        pthread_mutex_unlock(&bio_lock);

        int rc;
        do {
            rc = fdatasync(j->fd);
        } while (rc == -1 && errno == EINTR);
        /* EBADF/EINVAL: the fd does not support syncing (tests with
         * special files); that is not a disk error. */
        if (rc == -1 && errno != EBADF && errno != EINVAL)
            atomic_store(&bio_errno, errno);
        else
            atomic_store(&bio_errno, 0);
        if (j->close_after) close(j->fd);
        zfree(j);

        pthread_mutex_lock(&bio_lock);
        if (atomic_fetch_sub(&bio_pending, 1) == 1) pthread_cond_broadcast(&bio_idle);
        pthread_mutex_unlock(&bio_lock);
    }
    return NULL;
}

static void bio_submit(int fd, int close_after) {
    bio_job *j = zmalloc(sizeof(*j));
    j->next = NULL;
    j->fd = fd;
    j->close_after = close_after;
    pthread_mutex_lock(&bio_lock);
    if (!bio_started) {
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, bio_main, NULL) != 0) {
            pthread_attr_destroy(&attr);
            pthread_mutex_unlock(&bio_lock);
            /* No thread: do the job here rather than lose it. */
            server_log(LL_WARNING, "Can't start the AOF fsync thread: %s; fsyncing inline",
                       strerror(errno));
            if (fdatasync(fd) == -1 && errno != EBADF && errno != EINVAL)
                atomic_store(&bio_errno, errno);
            else
                atomic_store(&bio_errno, 0);
            if (close_after) close(fd);
            zfree(j);
            return;
        }
        pthread_attr_destroy(&attr);
        bio_started = 1;
    }
    atomic_fetch_add(&bio_pending, 1);
    if (bio_tail)
        bio_tail->next = j;
    else
        bio_head = j;
    bio_tail = j;
    pthread_cond_signal(&bio_work);
    pthread_mutex_unlock(&bio_lock);
}

void aof_bio_fsync(int fd) {
    bio_submit(fd, 0);
}

void aof_bio_fsync_and_close(int fd) {
    bio_submit(fd, 1);
}

unsigned long aof_bio_pending(void) {
    return atomic_load(&bio_pending);
}

int aof_bio_errno(void) {
    return atomic_load(&bio_errno);
}

void aof_bio_clear_error(void) {
    atomic_store(&bio_errno, 0);
}

void aof_bio_drain(void) {
    pthread_mutex_lock(&bio_lock);
    while (atomic_load(&bio_pending) > 0) pthread_cond_wait(&bio_idle, &bio_lock);
    pthread_mutex_unlock(&bio_lock);
}
