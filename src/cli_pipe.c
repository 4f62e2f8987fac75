/*
 * --pipe: mass insertion. Protocol bytes from stdin go to the server as
 * they are while replies are counted; at end of input an ECHO of a random
 * marker is sent and its echo means every reply has arrived. Prints
 * "errors: N, replies: M" and exits 1 when any reply was an error.
 *
 * stdin is read from the event loop (a readable event for pipes and
 * terminals, a pump timer for regular files, which epoll cannot watch), and
 * reading pauses while more than PIPE_HIGH_WATER bytes wait to be written,
 * so memory stays bounded whatever the input size.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "server.h" /* get_random_hex_chars */

#define PIPE_CHUNK (64 * 1024)
#define PIPE_HIGH_WATER (4 * 1024 * 1024)
#define PIPE_MARK_LEN 20

typedef struct pipe_state {
    int eof;
    int done;
    int watching; /* stdin is in the event loop */
    int file;     /* stdin is a regular file: pumped by a timer */
    long long timer;
    long long replies;
    long long errors;
    long long last_reply_ms;
    char mark[PIPE_MARK_LEN];
    int read_error;
} pipe_state;

static pipe_state ps;

static void stdin_readable(ae_loop *loop, int fd, void *data, int mask);

static void watch_stdin(int on) {
    if (ps.file || on == ps.watching) return;
    if (on)
        ae_add_file(session.loop, STDIN_FILENO, AE_READABLE, stdin_readable, NULL);
    else
        ae_del_file(session.loop, STDIN_FILENO, AE_READABLE);
    ps.watching = on;
}

static void send_mark(void) {
    char cmd[64];
    int n = snprintf(cmd, sizeof(cmd), "*2\r\n$4\r\nECHO\r\n$%d\r\n", PIPE_MARK_LEN);
    kpc_write_raw(session.conn, cmd, (size_t)n);
    kpc_write_raw(session.conn, ps.mark, PIPE_MARK_LEN);
    kpc_write_raw(session.conn, "\r\n", 2);
    printf("All data transferred. Waiting for the last reply...\n");
    fflush(stdout);
    ps.last_reply_ms = ae_mstime();
}

/* Reads what is available, up to the high-water mark. */
static void pump(void) {
    char buf[PIPE_CHUNK];
    while (!ps.eof && kpc_pending_output(session.conn) < PIPE_HIGH_WATER) {
        ssize_t n = read(STDIN_FILENO, buf, sizeof(buf));
        if (n > 0) {
            kpc_write_raw(session.conn, buf, (size_t)n);
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return;
        if (n < 0) {
            fprintf(stderr, "keyport-cli: --pipe: cannot read stdin: %s\n", strerror(errno));
            ps.read_error = 1;
        }
        ps.eof = 1;
        watch_stdin(0);
        send_mark();
        return;
    }
    if (!ps.eof) watch_stdin(0); /* resumed by on_drain */
}

static void stdin_readable(ae_loop *loop, int fd, void *data, int mask) {
    (void)loop;
    (void)fd;
    (void)data;
    (void)mask;
    pump();
}

static void on_drain(kpc_conn *c, void *data) {
    (void)c;
    (void)data;
    if (!ps.eof) watch_stdin(1);
}

static int pump_timer(ae_loop *loop, long long id, void *data) {
    (void)loop;
    (void)id;
    (void)data;
    if (ps.eof) {
        ps.timer = -1;
        return AE_NOMORE;
    }
    pump();
    /* Back off while the socket is full. */
    return kpc_pending_output(session.conn) >= PIPE_HIGH_WATER ? 1 : 0;
}

static void on_reply(kpc_conn *c, kpc_reply *r, void *data) {
    (void)c;
    (void)data;
    ps.last_reply_ms = ae_mstime();
    if (ps.eof && r->type == KPC_STRING && r->len == PIPE_MARK_LEN &&
        !memcmp(r->str, ps.mark, PIPE_MARK_LEN)) {
        ps.done = 1;
    } else {
        if (r->type == KPC_ERROR) {
            fprintf(stderr, "%s\n", r->str);
            ps.errors++;
        }
        ps.replies++;
    }
    kpc_reply_free(r);
}

int cli_pipe_mode(void) {
    if (cli_connect(0)) return 1;
    get_random_hex_chars(ps.mark, PIPE_MARK_LEN);
    ps.timer = -1;
    kpc_set_push_handler(session.conn, on_reply, NULL);
    kpc_set_drain_handler(session.conn, on_drain, NULL);
    int flags = fcntl(STDIN_FILENO, F_GETFL);
    if (flags != -1) fcntl(STDIN_FILENO, F_SETFL, flags | O_NONBLOCK);
    if (ae_add_file(session.loop, STDIN_FILENO, AE_READABLE, stdin_readable, NULL) == AE_OK) {
        ps.watching = 1;
    } else {
        ps.file = 1;
        ps.timer = ae_add_timer(session.loop, 0, pump_timer, NULL, NULL);
    }
    int status = 0;
    while (!ps.done) {
        if (kpc_conn_state(session.conn) == KPC_FAILED) {
            kstr msg = cli_explain_error(kstr_empty(), kpc_conn_error(session.conn));
            fprintf(stderr, "Error: %s\n", msg);
            kstr_free(msg);
            status = 1;
            break;
        }
        if (ps.eof && config.pipe_timeout > 0 &&
            ae_mstime() - ps.last_reply_ms > (long long)config.pipe_timeout * 1000) {
            fprintf(stderr, "No replies for %d seconds: exiting.\n", config.pipe_timeout);
            status = 1;
            break;
        }
        cli_sleep_ms(100);
    }
    if (ps.timer >= 0) ae_del_timer(session.loop, ps.timer);
    watch_stdin(0);
    if (flags != -1) fcntl(STDIN_FILENO, F_SETFL, flags);
    if (ps.done) {
        printf("Last reply received from server.\n");
        printf("errors: %lld, replies: %lld\n", ps.errors, ps.replies);
        fflush(stdout);
        if (ps.errors || ps.read_error) status = 1;
    }
    return status;
}
