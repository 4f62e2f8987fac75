/*
 * Lazy free: one background thread that frees large values and whole
 * databases (UNLINK, FLUSHALL ASYNC), so the main thread never stalls on
 * a big free. The thread starts on the first job.
 *
 * Threading: the enqueue functions are called from the main thread; jobs
 * own what they free outright (no other thread may still reference it),
 * and the only shared state is the queue under its mutex and the atomic
 * counters.
 */
#include <pthread.h>
#include <stdatomic.h>

#include "keyspace.h"

enum lazyfree_kind { LAZYFREE_OBJECT, LAZYFREE_DB_DICTS };

typedef struct lazyfree_job {
    struct lazyfree_job *next;
    enum lazyfree_kind kind;
    kobj *obj;
    dict *keys, *expires;
    size_t count; /* objects freed by this job, for the counters */
} lazyfree_job;

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_cond = PTHREAD_COND_INITIALIZER;
static pthread_cond_t idle_cond = PTHREAD_COND_INITIALIZER;
static lazyfree_job *head, *tail;
static int started, busy;
static pthread_t worker;
static atomic_size_t pending_objects, freed_objects;

static void run_job(lazyfree_job *job) {
    switch (job->kind) {
    case LAZYFREE_OBJECT: decr_ref(job->obj); break;
    case LAZYFREE_DB_DICTS:
        dict_release(job->expires);
        dict_release(job->keys);
        break;
    }
    atomic_fetch_sub(&pending_objects, job->count);
    atomic_fetch_add(&freed_objects, job->count);
}

static void *worker_main(void *arg) {
    (void)arg;
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!head) pthread_cond_wait(&work_cond, &lock);
        lazyfree_job *job = head;
        head = job->next;
        if (!head) tail = NULL;
        busy = 1;
        pthread_mutex_unlock(&lock);
        run_job(job);
        zfree(job);
        pthread_mutex_lock(&lock);
        busy = 0;
        if (!head) pthread_cond_broadcast(&idle_cond);
    }
    return NULL;
}

static void enqueue(lazyfree_job *job) {
    atomic_fetch_add(&pending_objects, job->count);
    pthread_mutex_lock(&lock);
    if (!started) {
        if (pthread_create(&worker, NULL, worker_main, NULL) != 0) {
            /* No thread: free synchronously rather than leak. */
            pthread_mutex_unlock(&lock);
            server_log(LL_WARNING, "lazyfree: cannot start the background thread, freeing inline");
            run_job(job);
            zfree(job);
            return;
        }
        pthread_detach(worker);
        started = 1;
    }
    job->next = NULL;
    if (tail)
        tail->next = job;
    else
        head = job;
    tail = job;
    pthread_cond_signal(&work_cond);
    pthread_mutex_unlock(&lock);
}

void lazyfree_free_object(kobj *o) {
    if (o->refcount != 1 || obj_free_effort(o) <= LAZYFREE_THRESHOLD) {
        decr_ref(o);
        return;
    }
    lazyfree_job *job = zcalloc(sizeof(*job));
    job->kind = LAZYFREE_OBJECT;
    job->obj = o;
    job->count = 1;
    enqueue(job);
}

void lazyfree_free_db_dicts(dict *keys, dict *expires) {
    lazyfree_job *job = zcalloc(sizeof(*job));
    job->kind = LAZYFREE_DB_DICTS;
    job->keys = keys;
    job->expires = expires;
    job->count = dict_size(keys);
    enqueue(job);
}

size_t lazyfree_pending_objects(void) {
    return atomic_load(&pending_objects);
}

size_t lazyfree_freed_objects(void) {
    return atomic_load(&freed_objects);
}

void lazyfree_wait_idle(void) {
    pthread_mutex_lock(&lock);
    while (head || busy) pthread_cond_wait(&idle_cond, &lock);
    pthread_mutex_unlock(&lock);
}
