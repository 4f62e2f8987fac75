/*
 * Event loop: epoll readiness events, millisecond timers and a before-sleep
 * hook. One ae_loop per thread; the loop holds no global state, so several
 * loops (main thread, I/O threads) run side by side.
 *
 * Threading: every function must be called on the thread running the loop,
 * except ae_stop() and ae_wake(), which any thread may call.
 */
#ifndef KEYPORT_AE_H
#define KEYPORT_AE_H

#include <stdint.h>

#define AE_OK 0
#define AE_ERR -1

#define AE_NONE 0
#define AE_READABLE 1
#define AE_WRITABLE 2

/* ae_process() flags */
#define AE_FILE_EVENTS 1
#define AE_TIME_EVENTS 2
#define AE_ALL_EVENTS (AE_FILE_EVENTS | AE_TIME_EVENTS)
#define AE_DONT_WAIT 4

/* Returned by a timer callback to stop repeating. */
#define AE_NOMORE -1

typedef struct ae_loop ae_loop;

/* File event callback: mask is the subset of AE_READABLE|AE_WRITABLE ready. */
typedef void ae_file_proc(ae_loop *loop, int fd, void *data, int mask);
/* Timer callback: returns the delay in ms until the next run, or AE_NOMORE. */
typedef int ae_timer_proc(ae_loop *loop, long long id, void *data);
/* Called when a timer is deleted (or ends with AE_NOMORE). */
typedef void ae_timer_finalizer(ae_loop *loop, void *data);
/* Called before each wait; a loop that sets ae_dont_wait() does not sleep. */
typedef void ae_sleep_proc(ae_loop *loop);

/* setsize: the highest fd + 1 the loop may watch. Returns NULL on failure. */
ae_loop *ae_create(int setsize);
void ae_destroy(ae_loop *loop);
int ae_get_setsize(ae_loop *loop);
/* Grows or shrinks the fd table; AE_ERR if an fd >= setsize is in use. */
int ae_resize(ae_loop *loop, int setsize);

/* Adds mask to fd's interest; proc/data are replaced for the masks given.
 * Returns AE_OK, or AE_ERR (fd out of range, epoll failure). */
int ae_add_file(ae_loop *loop, int fd, int mask, ae_file_proc *proc, void *data);
/* Removes mask from fd's interest. Safe on fds never added. */
void ae_del_file(ae_loop *loop, int fd, int mask);
/* Mask currently registered for fd. */
int ae_get_file_mask(ae_loop *loop, int fd);

/* Runs proc after ms milliseconds. Returns the timer id (>= 0) or AE_ERR. */
long long ae_add_timer(ae_loop *loop, long long ms, ae_timer_proc *proc, void *data,
                       ae_timer_finalizer *finalizer);
int ae_del_timer(ae_loop *loop, long long id);

void ae_set_before_sleep(ae_loop *loop, ae_sleep_proc *proc);
void ae_set_after_sleep(ae_loop *loop, ae_sleep_proc *proc);
/* Makes the current or next wait return at once (called from before-sleep
 * when work is still pending, e.g. TLS plaintext buffered in a library). */
void ae_dont_wait(ae_loop *loop);

/* Processes what is ready; returns the number of events handled. */
int ae_process(ae_loop *loop, int flags);
/* Runs until ae_stop(). */
void ae_main(ae_loop *loop);
void ae_stop(ae_loop *loop);
/* Wakes a loop blocked in epoll_wait from another thread. */
void ae_wake(ae_loop *loop);

/* User data slot (the owning thread's context). */
void ae_set_data(ae_loop *loop, void *data);
void *ae_get_data(ae_loop *loop);
/* Slot reserved for the connection framework's per-loop state (conn.c: the
 * has_pending list). Not for other users; ae_destroy() zfree()s it. */
void ae_set_conn_state(ae_loop *loop, void *state);
void *ae_get_conn_state(ae_loop *loop);

/* Milliseconds / microseconds on the monotonic clock. */
long long ae_mstime(void);
int64_t ae_ustime_monotonic(void);

#endif
