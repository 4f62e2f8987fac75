/*
 * Event loop on epoll (see ae.h for the contract).
 *
 * Each ae_loop is self-contained: an fd table indexed by descriptor, a
 * binary min-heap of timers ordered by (due time, scheduling sequence), an
 * eventfd that other threads write to wake the loop, and the hooks. Nothing
 * is shared between loops, so one loop per thread needs no locking; only
 * `stop` and the eventfd are touched from other threads.
 */
#include "ae.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "zmalloc.h"

/* Most readiness events fetched by one epoll_wait; the rest wait for the
 * next iteration (level-triggered, nothing is lost). */
#define AE_MAX_FIRED 1024

typedef struct ae_file {
    int mask; /* AE_READABLE | AE_WRITABLE */
    ae_file_proc *rproc;
    ae_file_proc *wproc;
    void *rdata;
    void *wdata;
} ae_file;

typedef struct ae_timer {
    long long id;
    long long when_ms;
    uint64_t seq; /* order among timers due at the same ms; also marks timers
                     scheduled during the current processing pass */
    ae_timer_proc *proc;
    ae_timer_finalizer *finalizer;
    void *data;
    int deleted; /* ae_del_timer() on a timer whose callback is running */
    struct ae_timer *next_running;
} ae_timer;

struct ae_loop {
    int epfd;
    int wakefd;
    int setsize;
    int maxfd; /* highest registered fd, -1 when none */
    ae_file *files;
    struct epoll_event *fired;
    int nfired_max;
    ae_timer **heap;
    int nheap;
    int capheap;
    ae_timer *running; /* timers whose callback is on the stack */
    long long next_timer_id;
    uint64_t timer_seq;
    int stop; /* atomic: set by ae_stop() from any thread */
    int dont_wait;
    ae_sleep_proc *before_sleep;
    ae_sleep_proc *after_sleep;
    void *data;
    void *conn_state;
};

/* ---------- clock ---------- */

int64_t ae_ustime_monotonic(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

long long ae_mstime(void) {
    return ae_ustime_monotonic() / 1000;
}

/* ---------- creation ---------- */

ae_loop *ae_create(int setsize) {
    if (setsize <= 0) return NULL;
    ae_loop *loop = zcalloc(sizeof(*loop));
    loop->epfd = epoll_create1(EPOLL_CLOEXEC);
    loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (loop->epfd == -1 || loop->wakefd == -1) goto fail;
    struct epoll_event ee = {.events = EPOLLIN, .data.fd = loop->wakefd};
    if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, loop->wakefd, &ee) == -1) goto fail;
    loop->setsize = setsize;
    loop->maxfd = -1;
    loop->files = zcalloc(sizeof(ae_file) * (size_t)setsize);
    loop->nfired_max = setsize < AE_MAX_FIRED ? setsize : AE_MAX_FIRED;
    loop->fired = zcalloc(sizeof(struct epoll_event) * (size_t)loop->nfired_max);
    return loop;
fail:
    if (loop->epfd != -1) close(loop->epfd);
    if (loop->wakefd != -1) close(loop->wakefd);
    zfree(loop);
    return NULL;
}

void ae_destroy(ae_loop *loop) {
    if (!loop) return;
    for (int i = 0; i < loop->nheap; i++) {
        ae_timer *t = loop->heap[i];
        if (t->finalizer) t->finalizer(loop, t->data);
        zfree(t);
    }
    zfree(loop->heap);
    close(loop->epfd);
    close(loop->wakefd);
    zfree(loop->files);
    zfree(loop->fired);
    zfree(loop->conn_state);
    zfree(loop);
}

int ae_get_setsize(ae_loop *loop) {
    return loop->setsize;
}

int ae_resize(ae_loop *loop, int setsize) {
    if (setsize <= 0 || loop->maxfd >= setsize) return AE_ERR;
    if (setsize == loop->setsize) return AE_OK;
    loop->files = zrealloc(loop->files, sizeof(ae_file) * (size_t)setsize);
    if (setsize > loop->setsize)
        memset(loop->files + loop->setsize, 0, sizeof(ae_file) * (size_t)(setsize - loop->setsize));
    loop->setsize = setsize;
    int nf = setsize < AE_MAX_FIRED ? setsize : AE_MAX_FIRED;
    if (nf != loop->nfired_max) {
        loop->fired = zrealloc(loop->fired, sizeof(struct epoll_event) * (size_t)nf);
        loop->nfired_max = nf;
    }
    return AE_OK;
}

/* ---------- file events ---------- */

static uint32_t ae_epoll_bits(int mask) {
    uint32_t ev = 0;
    if (mask & AE_READABLE) ev |= EPOLLIN;
    if (mask & AE_WRITABLE) ev |= EPOLLOUT;
    return ev;
}

int ae_add_file(ae_loop *loop, int fd, int mask, ae_file_proc *proc, void *data) {
    if (fd < 0 || fd >= loop->setsize) return AE_ERR;
    mask &= AE_READABLE | AE_WRITABLE;
    ae_file *f = &loop->files[fd];
    int newmask = f->mask | mask;
    if (newmask != f->mask) {
        struct epoll_event ee = {.events = ae_epoll_bits(newmask), .data.fd = fd};
        int op = f->mask == AE_NONE ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
        if (epoll_ctl(loop->epfd, op, fd, &ee) == -1) return AE_ERR;
    }
    f->mask = newmask;
    if (mask & AE_READABLE) {
        f->rproc = proc;
        f->rdata = data;
    }
    if (mask & AE_WRITABLE) {
        f->wproc = proc;
        f->wdata = data;
    }
    if (fd > loop->maxfd) loop->maxfd = fd;
    return AE_OK;
}

void ae_del_file(ae_loop *loop, int fd, int mask) {
    if (fd < 0 || fd >= loop->setsize) return;
    ae_file *f = &loop->files[fd];
    int newmask = f->mask & ~mask;
    if (newmask == f->mask) return;
    struct epoll_event ee = {.events = ae_epoll_bits(newmask), .data.fd = fd};
    /* Errors are ignored: the fd may already be closed, which removed it. */
    (void)epoll_ctl(loop->epfd, newmask == AE_NONE ? EPOLL_CTL_DEL : EPOLL_CTL_MOD, fd, &ee);
    f->mask = newmask;
    if (!(newmask & AE_READABLE)) f->rproc = NULL, f->rdata = NULL;
    if (!(newmask & AE_WRITABLE)) f->wproc = NULL, f->wdata = NULL;
    if (newmask == AE_NONE && fd == loop->maxfd) {
        int j = loop->maxfd - 1;
        while (j >= 0 && loop->files[j].mask == AE_NONE) j--;
        loop->maxfd = j;
    }
}

int ae_get_file_mask(ae_loop *loop, int fd) {
    if (fd < 0 || fd >= loop->setsize) return AE_NONE;
    return loop->files[fd].mask;
}

/* Dispatches one epoll event. A handler may change or remove the other
 * direction's registration, or resize the table, so both are re-read. */
static int ae_dispatch(ae_loop *loop, const struct epoll_event *ev) {
    int fd = ev->data.fd;
    if (fd == loop->wakefd) {
        uint64_t n;
        while (read(loop->wakefd, &n, sizeof(n)) > 0) {
        }
        return 0;
    }
    if (fd < 0 || fd >= loop->setsize) return 0;
    int ready = 0;
    if (ev->events & EPOLLIN) ready |= AE_READABLE;
    if (ev->events & EPOLLOUT) ready |= AE_WRITABLE;
    if (ev->events & (EPOLLERR | EPOLLHUP)) ready |= AE_READABLE | AE_WRITABLE;
    ae_file *f = &loop->files[fd];
    ready &= f->mask;
    if (ready == AE_NONE) return 0;
    if (ready == (AE_READABLE | AE_WRITABLE) && f->rproc == f->wproc && f->rdata == f->wdata) {
        f->rproc(loop, fd, f->rdata, ready);
        return 1;
    }
    if (ready & AE_READABLE) f->rproc(loop, fd, f->rdata, AE_READABLE);
    if (ready & AE_WRITABLE) {
        f = &loop->files[fd]; /* ae_resize() may have moved the table */
        if (fd < loop->setsize && (f->mask & AE_WRITABLE))
            f->wproc(loop, fd, f->wdata, AE_WRITABLE);
    }
    return 1;
}

/* ---------- timers ---------- */

static int timer_before(const ae_timer *a, const ae_timer *b) {
    if (a->when_ms != b->when_ms) return a->when_ms < b->when_ms;
    return a->seq < b->seq;
}

static void heap_swap(ae_loop *loop, int i, int j) {
    ae_timer *t = loop->heap[i];
    loop->heap[i] = loop->heap[j];
    loop->heap[j] = t;
}

static void heap_up(ae_loop *loop, int i) {
    while (i > 0) {
        int parent = (i - 1) / 2;
        if (!timer_before(loop->heap[i], loop->heap[parent])) break;
        heap_swap(loop, i, parent);
        i = parent;
    }
}

static void heap_down(ae_loop *loop, int i) {
    for (;;) {
        int l = 2 * i + 1, r = l + 1, m = i;
        if (l < loop->nheap && timer_before(loop->heap[l], loop->heap[m])) m = l;
        if (r < loop->nheap && timer_before(loop->heap[r], loop->heap[m])) m = r;
        if (m == i) break;
        heap_swap(loop, i, m);
        i = m;
    }
}

static void heap_push(ae_loop *loop, ae_timer *t) {
    if (loop->nheap == loop->capheap) {
        loop->capheap = loop->capheap ? loop->capheap * 2 : 8;
        loop->heap = zrealloc(loop->heap, sizeof(ae_timer *) * (size_t)loop->capheap);
    }
    loop->heap[loop->nheap++] = t;
    heap_up(loop, loop->nheap - 1);
}

static ae_timer *heap_remove_at(ae_loop *loop, int i) {
    ae_timer *t = loop->heap[i];
    loop->nheap--;
    if (i != loop->nheap) {
        loop->heap[i] = loop->heap[loop->nheap];
        heap_down(loop, i);
        heap_up(loop, i);
    }
    return t;
}

long long ae_add_timer(ae_loop *loop, long long ms, ae_timer_proc *proc, void *data,
                       ae_timer_finalizer *finalizer) {
    if (!proc) return AE_ERR;
    if (ms < 0) ms = 0;
    ae_timer *t = zcalloc(sizeof(*t));
    t->id = loop->next_timer_id++;
    t->when_ms = ae_mstime() + ms;
    t->seq = loop->timer_seq++;
    t->proc = proc;
    t->finalizer = finalizer;
    t->data = data;
    heap_push(loop, t);
    return t->id;
}

int ae_del_timer(ae_loop *loop, long long id) {
    for (int i = 0; i < loop->nheap; i++) {
        if (loop->heap[i]->id != id) continue;
        ae_timer *t = heap_remove_at(loop, i);
        if (t->finalizer) t->finalizer(loop, t->data);
        zfree(t);
        return AE_OK;
    }
    for (ae_timer *t = loop->running; t; t = t->next_running) {
        if (t->id == id && !t->deleted) {
            t->deleted = 1; /* finalized when its callback returns */
            return AE_OK;
        }
    }
    return AE_ERR;
}

static void running_unlink(ae_loop *loop, ae_timer *t) {
    ae_timer **pp = &loop->running;
    while (*pp && *pp != t) pp = &(*pp)->next_running;
    if (*pp) *pp = t->next_running;
}

/* Runs every timer due now that was scheduled before this pass started, so
 * a timer that reschedules itself with 0 ms runs once per pass. */
static int ae_process_timers(ae_loop *loop) {
    int processed = 0;
    long long now = ae_mstime();
    uint64_t pass_seq = loop->timer_seq;
    while (loop->nheap > 0) {
        ae_timer *t = loop->heap[0];
        if (t->when_ms > now || t->seq >= pass_seq) break;
        heap_remove_at(loop, 0);
        t->next_running = loop->running;
        loop->running = t;
        int ret = t->proc(loop, t->id, t->data);
        running_unlink(loop, t);
        processed++;
        if (t->deleted || ret < 0) {
            if (t->finalizer) t->finalizer(loop, t->data);
            zfree(t);
        } else {
            t->when_ms = ae_mstime() + ret;
            t->seq = loop->timer_seq++;
            heap_push(loop, t);
        }
    }
    return processed;
}

/* ---------- hooks and control ---------- */

void ae_set_before_sleep(ae_loop *loop, ae_sleep_proc *proc) {
    loop->before_sleep = proc;
}

void ae_set_after_sleep(ae_loop *loop, ae_sleep_proc *proc) {
    loop->after_sleep = proc;
}

void ae_dont_wait(ae_loop *loop) {
    loop->dont_wait = 1;
}

void ae_set_data(ae_loop *loop, void *data) {
    loop->data = data;
}

void *ae_get_data(ae_loop *loop) {
    return loop->data;
}

void ae_set_conn_state(ae_loop *loop, void *state) {
    loop->conn_state = state;
}

void *ae_get_conn_state(ae_loop *loop) {
    return loop->conn_state;
}

void ae_stop(ae_loop *loop) {
    __atomic_store_n(&loop->stop, 1, __ATOMIC_RELEASE);
    ae_wake(loop);
}

void ae_wake(ae_loop *loop) {
    uint64_t one = 1;
    /* EAGAIN means the counter is already non-zero: the loop will wake. */
    ssize_t n = write(loop->wakefd, &one, sizeof(one));
    (void)n;
}

/* ---------- processing ---------- */

int ae_process(ae_loop *loop, int flags) {
    if (!(flags & (AE_FILE_EVENTS | AE_TIME_EVENTS))) return 0;
    int processed = 0;
    if ((flags & AE_FILE_EVENTS) || !(flags & AE_DONT_WAIT)) {
        if (loop->before_sleep) loop->before_sleep(loop);
        int timeout = -1;
        if ((flags & AE_DONT_WAIT) || loop->dont_wait) {
            timeout = 0;
        } else if ((flags & AE_TIME_EVENTS) && loop->nheap > 0) {
            long long wait = loop->heap[0]->when_ms - ae_mstime();
            timeout = wait <= 0 ? 0 : (wait > 1000000 ? 1000000 : (int)wait);
        }
        loop->dont_wait = 0;
        int n = epoll_wait(loop->epfd, loop->fired, loop->nfired_max, timeout);
        if (n == -1 && errno != EINTR) n = 0;
        if (loop->after_sleep) loop->after_sleep(loop);
        if (flags & AE_FILE_EVENTS)
            for (int i = 0; i < n; i++) processed += ae_dispatch(loop, &loop->fired[i]);
    }
    if (flags & AE_TIME_EVENTS) processed += ae_process_timers(loop);
    return processed;
}

void ae_main(ae_loop *loop) {
    while (!__atomic_load_n(&loop->stop, __ATOMIC_ACQUIRE)) ae_process(loop, AE_ALL_EVENTS);
    __atomic_store_n(&loop->stop, 0, __ATOMIC_RELEASE);
}
