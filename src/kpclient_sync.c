/*
 * Blocking-style helpers built on the event loop: they run ae_process()
 * until the awaited event, a connection failure or a deadline. Sockets stay
 * non-blocking; other connections on the same loop keep being served.
 */
#include <stdarg.h>
#include <stdio.h>

#include "kpclient.h"
#include "zmalloc.h"

/* Serves TLS plaintext buffered inside a library. Whatever it delivered
 * may be what a caller of ae_process() waits for (a reply completed from
 * buffered records): then this round must not block in epoll. */
static void before_sleep(ae_loop *loop) {
    if (conn_process_pending(loop) > 0) ae_dont_wait(loop);
}

ae_loop *kpc_loop_create(int setsize) {
    ae_loop *loop = ae_create(setsize);
    if (loop) ae_set_before_sleep(loop, before_sleep);
    return loop;
}

static int deadline_hit(ae_loop *loop, long long id, void *data) {
    (void)loop;
    (void)id;
    *(int *)data = 1;
    return AE_NOMORE;
}

int kpc_wait_flag(ae_loop *loop, kpc_conn *c, volatile int *flag, long long timeout_ms) {
    int expired = 0;
    long long timer = -1;
    if (timeout_ms > 0) timer = ae_add_timer(loop, timeout_ms, deadline_hit, &expired, NULL);
    int rc;
    for (;;) {
        if (*flag) {
            rc = 1;
            break;
        }
        if (c && kpc_conn_state(c) == KPC_FAILED) {
            rc = -1;
            break;
        }
        if (expired) {
            rc = 0;
            break;
        }
        ae_process(loop, AE_ALL_EVENTS);
    }
    if (timer >= 0 && !expired) ae_del_timer(loop, timer);
    return rc;
}

typedef struct connect_wait {
    int done;
    int status;
} connect_wait;

static void connect_done(kpc_conn *c, int status, const char *err, void *data) {
    connect_wait *w = data;
    (void)c;
    (void)err;
    w->done = 1;
    w->status = status;
}

kpc_conn *kpc_connect_sync(ae_loop *loop, const kpc_stack *stack, const char *host, int port,
                           long long timeout_ms, char *err, size_t errlen) {
    connect_wait w = {0, 0};
    kpc_conn *c = kpc_connect(loop, stack, host, port, timeout_ms, connect_done, &w, err, errlen);
    if (!c) return NULL;
    /* The connect timer bounds the wait; no second deadline needed. */
    while (!w.done) ae_process(loop, AE_ALL_EVENTS);
    if (w.status != 0) {
        snprintf(err, errlen, "%s", kpc_conn_error(c));
        kpc_close(c);
        return NULL;
    }
    return c;
}

/* Heap-allocated so that a reply arriving after the caller gave up (timeout)
 * still has somewhere to go: the callback frees an abandoned slot. */
typedef struct call_slot {
    int done;
    int abandoned;
    kpc_reply *reply;
} call_slot;

static void call_done(kpc_conn *c, kpc_reply *r, void *data) {
    call_slot *s = data;
    (void)c;
    if (s->abandoned) {
        kpc_reply_free(r);
        zfree(s);
        return;
    }
    s->reply = r;
    s->done = 1;
}

kpc_reply *kpc_call_argv(kpc_conn *c, long long timeout_ms, int argc, const char *const *argv,
                         const size_t *lens, char *err, size_t errlen) {
    call_slot *s = zcalloc(sizeof(*s));
    if (kpc_command_argv(c, argc, argv, lens, call_done, s) != 0) {
        zfree(s);
        snprintf(err, errlen, "%s", *kpc_conn_error(c) ? kpc_conn_error(c) : "not connected");
        return NULL;
    }
    int rc = kpc_wait_flag(kpc_conn_loop(c), c, &s->done, timeout_ms);
    if (s->done) {
        kpc_reply *r = s->reply;
        zfree(s);
        if (!r) snprintf(err, errlen, "%s", kpc_conn_error(c));
        return r;
    }
    /* Still queued: the request keeps the slot and frees it when answered
     * (or failed). */
    s->abandoned = 1;
    if (rc == 0)
        snprintf(err, errlen, "no reply within %lld ms", timeout_ms);
    else
        snprintf(err, errlen, "%s", kpc_conn_error(c));
    return NULL;
}

kpc_reply *kpc_call(kpc_conn *c, long long timeout_ms, char *err, size_t errlen, const char *arg0,
                    ...) {
    const char *argv[64];
    int argc = 0;
    va_list ap;
    va_start(ap, arg0);
    for (const char *a = arg0; a && argc < 64; a = va_arg(ap, const char *)) argv[argc++] = a;
    va_end(ap);
    return kpc_call_argv(c, timeout_ms, argc, argv, NULL, err, errlen);
}

typedef struct drain_wait {
    int done;
} drain_wait;

static void drained(kpc_conn *c, void *data) {
    (void)c;
    ((drain_wait *)data)->done = 1;
}

int kpc_flush_sync(kpc_conn *c, long long timeout_ms) {
    if (kpc_pending_output(c) == 0) return 1;
    drain_wait w = {0};
    kpc_set_drain_handler(c, drained, &w);
    int rc = kpc_wait_flag(kpc_conn_loop(c), c, &w.done, timeout_ms);
    kpc_set_drain_handler(c, NULL, NULL);
    return rc;
}
