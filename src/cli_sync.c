/*
 * --rdb and --replica: the replica side of SYNC.
 *
 * After SYNC the server sends newlines while it prepares the snapshot,
 * then either "$<len>\r\n" and len bytes of RDB, or (diskless)
 * "$EOF:<40-byte mark>\r\n", the RDB, and the mark again. That payload is
 * not a RESP reply, so the connection runs in raw mode (kpc_set_raw) until
 * it ends; --replica then switches back to RESP and prints the command
 * stream the server propagates, one CSV line per command.
 *
 * State machine of the payload reader: SYNC_HEADER -> SYNC_PAYLOAD ->
 * SYNC_DONE, or SYNC_FAILED (error reply, unsupported command, I/O).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "cli.h"
#include "zmalloc.h"

#define SYNC_MARK_LEN 40

typedef enum sync_state { SYNC_HEADER = 0, SYNC_PAYLOAD, SYNC_DONE, SYNC_FAILED } sync_state;

typedef struct sync_ctx {
    sync_state state;
    int fd;       /* destination (--rdb), -1 to discard */
    int eof_mark; /* diskless format: ends with mark */
    char mark[SYNC_MARK_LEN];
    char tail[SYNC_MARK_LEN]; /* last bytes seen, held back in mark mode */
    size_t tail_len;
    unsigned long long expected; /* $<len> format */
    unsigned long long received;
    int replica;
} sync_ctx;

static sync_ctx sc;

static int write_all(int fd, const char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

static void sync_fail_io(void) {
    fprintf(stderr, "keyport-cli: cannot write '%s': %s\n", config.rdb_filename, strerror(errno));
    sc.state = SYNC_FAILED;
}

static int deliver(const char *p, size_t n) {
    sc.received += n;
    if (sc.fd >= 0 && n && write_all(sc.fd, p, n)) {
        sync_fail_io();
        return -1;
    }
    return 0;
}

/* Payload bytes in mark mode: data until the mark. The last 40 bytes seen
 * are held back (they may be the start of the mark). Returns how many
 * bytes of buf were consumed (less than len when the mark ends early). */
static size_t payload_mark(const char *buf, size_t len) {
    size_t total = sc.tail_len + len;
    char *all = zmalloc(total);
    memcpy(all, sc.tail, sc.tail_len);
    memcpy(all + sc.tail_len, buf, len);
    size_t consumed = len;
    const char *hit = memmem(all, total, sc.mark, SYNC_MARK_LEN);
    if (hit) {
        size_t data = (size_t)(hit - all);
        deliver(all, data);
        consumed = data + SYNC_MARK_LEN - sc.tail_len;
        sc.tail_len = 0;
        if (sc.state != SYNC_FAILED) sc.state = SYNC_DONE;
    } else if (total > SYNC_MARK_LEN) {
        deliver(all, total - SYNC_MARK_LEN);
        memcpy(sc.tail, all + total - SYNC_MARK_LEN, SYNC_MARK_LEN);
        sc.tail_len = SYNC_MARK_LEN;
    } else {
        memcpy(sc.tail, all, total);
        sc.tail_len = total;
    }
    zfree(all);
    return consumed;
}

static size_t on_raw(kpc_conn *c, const char *buf, size_t len, void *data) {
    (void)data;
    size_t used = 0;
    while (used < len && sc.state == SYNC_HEADER) {
        if (buf[used] == '\n') { /* keepalive while the server prepares the RDB */
            used++;
            continue;
        }
        const char *nl = memchr(buf + used, '\n', len - used);
        if (!nl) return used;
        size_t llen = (size_t)(nl - (buf + used));
        const char *line = buf + used;
        if (llen && line[llen - 1] == '\r') llen--;
        used = (size_t)(nl - buf) + 1;
        if (line[0] == '-') {
            int unknown = llen > 4 && memmem(line, llen, "unknown command", 15) != NULL;
            if (unknown)
                fprintf(stderr, "keyport-cli: the server does not support SYNC/PSYNC (%.*s)\n",
                        (int)(llen - 1), line + 1);
            else
                fprintf(stderr, "keyport-cli: SYNC failed: %.*s\n", (int)(llen - 1), line + 1);
            sc.state = SYNC_FAILED;
            return used;
        }
        if (line[0] == '+') continue; /* e.g. +FULLRESYNC */
        if (line[0] != '$') {
            fprintf(stderr, "keyport-cli: unexpected reply to SYNC: %.*s\n", (int)llen, line);
            sc.state = SYNC_FAILED;
            return used;
        }
        if (llen == 5 + SYNC_MARK_LEN && !strncmp(line, "$EOF:", 5)) {
            sc.eof_mark = 1;
            memcpy(sc.mark, line + 5, SYNC_MARK_LEN);
            fprintf(stderr, "SYNC started: receiving a diskless RDB payload\n");
        } else {
            char num[32];
            size_t n = llen - 1 < sizeof(num) - 1 ? llen - 1 : sizeof(num) - 1;
            memcpy(num, line + 1, n);
            num[n] = '\0';
            char *end;
            sc.expected = strtoull(num, &end, 10);
            if (!n || *end) {
                fprintf(stderr, "keyport-cli: bad payload length in reply to SYNC: %s\n", num);
                sc.state = SYNC_FAILED;
                return used;
            }
            fprintf(stderr, "SYNC started: receiving %llu bytes of RDB payload\n", sc.expected);
        }
        sc.state = SYNC_PAYLOAD;
    }
    if (sc.state == SYNC_PAYLOAD && used < len) {
        size_t n = len - used;
        if (sc.eof_mark) {
            n = payload_mark(buf + used, n);
        } else {
            unsigned long long left = sc.expected - sc.received;
            if (n > left) n = (size_t)left;
            deliver(buf + used, n);
        }
        used += n;
    }
    if (sc.state == SYNC_PAYLOAD && !sc.eof_mark && sc.received == sc.expected)
        sc.state = SYNC_DONE;
    if (sc.state == SYNC_DONE) {
        if (!sc.replica) return len; /* --rdb: nothing after the payload matters */
        kpc_set_raw(c, NULL, NULL);  /* the rest is the RESP command stream */
    }
    return used;
}

static int run_sync(int replica) {
    if (cli_connect(0)) return -1;
    memset(&sc, 0, sizeof(sc));
    sc.fd = -1;
    sc.replica = replica;
    char err[512];
    /* Optional capabilities; errors (older servers) are fine. A diskless
     * (capa eof) transfer makes the server wait for an ACK before it
     * streams commands, so --replica asks for the classic format. */
    if (!replica) {
        kpc_reply *r = cli_callv(err, sizeof(err), "REPLCONF", "capa", "eof", NULL);
        kpc_reply_free(r);
        r = cli_callv(err, sizeof(err), "REPLCONF", "rdb-only", "1", NULL);
        kpc_reply_free(r);
    }
    if (kpc_conn_state(session.conn) == KPC_FAILED) {
        fprintf(stderr, "Error: %s\n", kpc_conn_error(session.conn));
        return -1;
    }
    if (!replica) {
        if (!strcmp(config.rdb_filename, "-")) {
            sc.fd = STDOUT_FILENO;
        } else {
            sc.fd = open(config.rdb_filename, O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (sc.fd < 0) {
                fprintf(stderr, "keyport-cli: cannot open '%s': %s\n", config.rdb_filename,
                        strerror(errno));
                return -1;
            }
        }
    }
    kpc_set_raw(session.conn, on_raw, NULL);
    static const char sync_cmd[] = "*1\r\n$4\r\nSYNC\r\n";
    kpc_write_raw(session.conn, sync_cmd, sizeof(sync_cmd) - 1);
    while (sc.state != SYNC_DONE && sc.state != SYNC_FAILED && !cli_interrupted) {
        if (kpc_conn_state(session.conn) == KPC_FAILED) {
            fprintf(stderr, "Error: %s (after %llu bytes of payload)\n",
                    kpc_conn_error(session.conn), sc.received);
            sc.state = SYNC_FAILED;
            break;
        }
        ae_process(session.loop, AE_ALL_EVENTS);
    }
    if (sc.fd >= 0 && sc.fd != STDOUT_FILENO) {
        if (sc.state == SYNC_DONE && fsync(sc.fd) != 0) sync_fail_io();
        close(sc.fd);
    }
    return sc.state == SYNC_DONE ? 0 : -1;
}

int cli_rdb_mode(void) {
    if (run_sync(0)) return 1;
    fprintf(stderr, "Transfer finished with success after %llu bytes\n", sc.received);
    return 0;
}

static void print_command(kpc_conn *c, kpc_reply *r, void *data) {
    (void)c;
    (void)data;
    cli_print_reply(r, CLI_OUT_CSV);
    kpc_reply_free(r);
}

int cli_replica_mode(void) {
    printf("Entering replica output mode...  (press Ctrl-C to quit)\n");
    fflush(stdout);
    if (run_sync(1)) return 1;
    fprintf(stderr,
            "SYNC done after %llu bytes of RDB payload (discarded). Logging commands "
            "from the server.\n",
            sc.received);
    kpc_set_push_handler(session.conn, print_command, NULL);
    while (!cli_interrupted) {
        if (kpc_conn_state(session.conn) == KPC_FAILED) {
            fprintf(stderr, "Error: %s\n", kpc_conn_error(session.conn));
            return 1;
        }
        ae_process(session.loop, AE_ALL_EVENTS);
    }
    return 0;
}
