/*
 * Clients: creation on accept, reading and parsing requests (resp.c),
 * running them (process_command), buffering and writing replies, limits
 * (maxclients, query buffer, output buffers, idle timeout), CLIENT LIST
 * lines, and freeing.
 *
 * Memory of an idle client is kept small: requests are read into one shared
 * buffer and only an incomplete request is copied into the client's own
 * query buffer; the 16 KiB reply buffer is taken from a small pool when the
 * first reply byte is added and given back once everything was written.
 *
 * Threading: main thread only; the shared read buffer and the reply buffer
 * pool belong to it.
 */
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>

#include "acl.h"
#include "blocked.h"
#include "listen.h"
#include "multi.h"
#include "pubsub.h"
#include "server.h"

/* Bytes written to one client per event before serving the others. */
#define NET_MAX_WRITES_PER_EVENT (64 * 1024)
#define REPLY_IOV_MAX 16
/* First block after a deferred-length placeholder: small, because nested
 * replies create many placeholders and each needs a block after it. */
#define REPLY_BLOCK_AFTER_PLACEHOLDER 1024
/* Placeholders (reply.c) have at most this many bytes. */
#define REPLY_PLACEHOLDER_MAX 32
/* Idle reply buffers kept for reuse. */
#define REPLY_BUF_POOL_MAX 64
/* Idle time after which query buffer leftovers and parser arrays go. */
#define CLIENT_IDLE_TRIM_MS 2000
/* Query buffer slack that the cron gives back on idle clients. */
#define QUERYBUF_SHRINK_MIN (32 * 1024)
/* Bytes of the query buffer shown in protocol error logs. */
#define PROTO_DUMP_LEN 128

static char shared_readbuf[PROTO_IOBUF_LEN];
static char *reply_buf_pool[REPLY_BUF_POOL_MAX];
static int reply_buf_pool_len;

static const char protected_mode_error[] =
    "-DENIED Redis is running in protected mode because protected mode is enabled and no "
    "password is set for the default user. In this mode connections are only accepted from "
    "the loopback interface. If you want to connect from external computers to Redis you may "
    "adopt one of the following solutions: 1) Just disable protected mode sending the command "
    "'CONFIG SET protected-mode no' from the loopback interface by connecting to Redis from "
    "the same host the server is running, however MAKE SURE Redis is not publicly accessible "
    "from internet if you do so. Use CONFIG REWRITE to make this change permanent. 2) "
    "Alternatively you can just disable the protected mode by editing the Redis configuration "
    "file, and setting the protected mode option to 'no', and then restarting the server. 3) "
    "If you started the server manually just for testing, restart it with the "
    "'--protected-mode no' option. 4) Setup a an authentication password for the default "
    "user. NOTE: You only need to do one of the above things in order for the server to start "
    "accepting connections from the outside.\r\n";

static void send_reply_to_client(connection *conn);
static int write_to_client(client *c);

/* ---------- reply buffer pool ---------- */

static char *reply_buf_get(void) {
    if (reply_buf_pool_len > 0) return reply_buf_pool[--reply_buf_pool_len];
    return zmalloc(PROTO_REPLY_CHUNK_BYTES);
}

static void reply_buf_put(char *buf) {
    if (reply_buf_pool_len < REPLY_BUF_POOL_MAX)
        reply_buf_pool[reply_buf_pool_len++] = buf;
    else
        zfree(buf);
}

static void release_reply_buffer(client *c) {
    if (!c->buf || c->bufpos) return;
    reply_buf_put(c->buf);
    c->buf = NULL;
    c->buf_size = 0;
}

/* ---------- server lists ---------- */

static void clients_link(client *c) {
    c->prev = server.clients_tail;
    c->next = NULL;
    if (server.clients_tail)
        server.clients_tail->next = c;
    else
        server.clients_head = c;
    server.clients_tail = c;
    server.nclients++;
}

static void clients_unlink(client *c) {
    if (c->prev)
        c->prev->next = c->next;
    else
        server.clients_head = c->next;
    if (c->next)
        c->next->prev = c->prev;
    else
        server.clients_tail = c->prev;
    c->prev = c->next = NULL;
    server.nclients--;
}

static void list_unlink(client **head, client *c, size_t link_offset) {
    for (client **pp = head; *pp; pp = (client **)((char *)*pp + link_offset)) {
        if (*pp == c) {
            *pp = *(client **)((char *)c + link_offset);
            *(client **)((char *)c + link_offset) = NULL;
            return;
        }
    }
}

/* ---------- creation ---------- */

client *client_create(connection *conn) {
    client *c = zcalloc(sizeof(*c));
    c->id = server.next_client_id++;
    c->conn = conn;
    c->resp = 2;
    c->db = server.db ? &server.db[0] : NULL;
    acl_client_set_default(c); /* acl.h: the default user, authenticated if it has nopass */
    resp_parser_init(&c->parser);
    c->ctime = server.unixtime;
    c->last_interaction = server.mstime;
    c->buf_peak_last_reset_time = server.mstime;
    if (conn) {
        conn_set_private(conn, c);
        conn_set_read_handler(conn, read_query_from_client);
        clients_link(c);
    } else {
        c->flags |= CLIENT_FAKE;
    }
    return c;
}

void accept_new_client(connection *conn) {
    listener *l = conn_listener(conn);
    unsigned long in_use = server.nclients + (unsigned long)listener_handshakes_in_progress();
    if (in_use >= server.maxclients) {
        static const char err[] = "-ERR max number of clients reached\r\n";
        size_t n;
        (void)conn_write(conn, err, sizeof(err) - 1, &n); /* best effort */
        server.stat_rejected_conn++;
        if (l) l->rejected++;
        conn_close(conn);
        return;
    }
    client *c = client_create(conn);
    if (acl_protected_mode_refuses(conn)) {
        size_t n;
        (void)conn_write(conn, protected_mode_error, sizeof(protected_mode_error) - 1, &n);
        server.stat_rejected_conn++;
        if (l) l->rejected++;
        client_free(c);
        return;
    }
    acl_tls_login(c); /* tls-auth-clients-user: the certificate may name the user */
    server.stat_numconnections++;
}

/* ---------- freeing ---------- */

static void free_reply_blocks(client *c) {
    reply_block *b = c->reply_head;
    while (b) {
        reply_block *next = b->next;
        zfree(b);
        b = next;
    }
    c->reply_head = c->reply_tail = NULL;
    c->reply_bytes = 0;
    c->reply_blocks = 0;
}

void client_reset_argv(client *c) {
    for (int i = 0; i < c->argc; i++) decr_ref(c->argv[i]);
    c->argc = 0;
    c->argv_len_sum = 0;
    c->cmd = NULL;
    if (c->argv_cap > 64) {
        zfree(c->argv);
        c->argv = NULL;
        c->argv_cap = 0;
    }
}

/* Closes the connection and takes c off the server's client lists; the
 * struct itself stays valid. */
static void client_detach(client *c) {
    if (c->conn) {
        conn_set_read_handler(c->conn, NULL);
        conn_set_write_handler(c->conn, NULL);
        conn_set_private(c->conn, NULL);
        conn_close(c->conn);
        c->conn = NULL;
        clients_unlink(c);
    }
    if (c->flags & CLIENT_PENDING_WRITE) {
        list_unlink(&server.pending_writes, c, offsetof(client, pending_next));
        c->flags &= ~CLIENT_PENDING_WRITE;
    }
}

void client_free(client *c) {
    if (c->flags & CLIENT_EXECUTING) {
        /* Its command is still on the stack: it leaves the server's lists
         * now (so loops over them end) and its memory goes later. */
        client_detach(c);
        client_free_async(c);
        return;
    }
    if (server.current_client == c) server.current_client = NULL;
    client_detach(c);
    pubsub_unsubscribe_all(c, 0);
    blocked_client_freed(c); /* leaves the key queues (blocked.c) */
    multi_client_reset(c);   /* queued commands and WATCHed keys (multi.c) */
    if (c->flags & CLIENT_CLOSE_ASAP)
        list_unlink(&server.clients_to_close, c, offsetof(client, close_next));
    client_reset_argv(c);
    zfree(c->argv);
    resp_parser_free(&c->parser);
    kstr_free(c->querybuf);
    free_reply_blocks(c);
    c->bufpos = 0;
    release_reply_buffer(c);
    kstr_free(c->name);
    kstr_free(c->user);
    zfree(c);
}

void client_free_async(client *c) {
    if (c->flags & CLIENT_CLOSE_ASAP) return;
    c->flags |= CLIENT_CLOSE_ASAP;
    c->close_next = server.clients_to_close;
    server.clients_to_close = c;
    /* Nothing more is read; replies already queued are dropped. */
    if (c->conn) conn_set_read_handler(c->conn, NULL);
}

void free_clients_in_async_queue(void) {
    client *list = server.clients_to_close;
    server.clients_to_close = NULL;
    while (list) {
        client *c = list;
        list = c->close_next;
        c->close_next = NULL;
        c->flags &= ~CLIENT_CLOSE_ASAP;
        client_free(c); /* a client still executing queues itself again */
    }
}

client *client_lookup_by_id(uint64_t id) {
    for (client *c = server.clients_head; c; c = c->next)
        if (c->id == id) return c;
    return NULL;
}

int client_type(client *c) {
    if (c->flags & CLIENT_PUBSUB) return CLIENT_TYPE_PUBSUB;
    return CLIENT_TYPE_NORMAL;
}

/* ---------- output ---------- */

int client_has_pending_replies(client *c) {
    return c->bufpos > 0 || c->reply_head != NULL;
}

size_t client_output_memory(client *c) {
    return c->reply_bytes + c->reply_blocks * sizeof(reply_block);
}

void client_install_write_handler(client *c) {
    if (!c->conn) return;
    if (c->flags & (CLIENT_PENDING_WRITE | CLIENT_WRITE_HANDLER)) return;
    c->flags |= CLIENT_PENDING_WRITE;
    c->pending_next = server.pending_writes;
    server.pending_writes = c;
}

static void append_to_blocks(client *c, const char *s, size_t len) {
    reply_block *tail = c->reply_tail;
    if (tail && tail->size > tail->used) {
        size_t n = tail->size - tail->used;
        if (n > len) n = len;
        memcpy(tail->buf + tail->used, s, n);
        tail->used += n;
        s += n;
        len -= n;
    }
    if (len == 0) return;
    size_t size = PROTO_REPLY_CHUNK_BYTES;
    if (tail && tail->size <= REPLY_PLACEHOLDER_MAX) size = REPLY_BLOCK_AFTER_PLACEHOLDER;
    if (size < len) size = len;
    reply_block *b = zmalloc(sizeof(reply_block) + size);
    b->next = NULL;
    b->size = size;
    b->used = len;
    memcpy(b->buf, s, len);
    if (tail)
        tail->next = b;
    else
        c->reply_head = b;
    c->reply_tail = b;
    c->reply_bytes += size;
    c->reply_blocks++;
}

void reply_append(client *c, const char *s, size_t len) {
    if (len == 0) return;
    if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) return;
    client_install_write_handler(c);
    if (!c->reply_head) {
        if (!c->buf) {
            c->buf = reply_buf_get();
            c->buf_size = PROTO_REPLY_CHUNK_BYTES;
        }
        size_t room = c->buf_size - c->bufpos;
        size_t n = room < len ? room : len;
        memcpy(c->buf + c->bufpos, s, n);
        c->bufpos += n;
        if (c->bufpos > c->buf_peak) c->buf_peak = c->bufpos;
        s += n;
        len -= n;
        if (len == 0) return;
    }
    append_to_blocks(c, s, len);
    client_check_output_limits_async(c);
}

/* Drops n written bytes from the front of the output. */
static void consume_output(client *c, size_t n) {
    if (c->bufpos) {
        size_t left = c->bufpos - c->sentlen;
        if (n < left) {
            c->sentlen += n;
            return;
        }
        n -= left;
        c->bufpos = 0;
        c->sentlen = 0;
    }
    while (c->reply_head) {
        reply_block *b = c->reply_head;
        size_t left = b->used - c->sentlen;
        if (n < left) {
            c->sentlen += n;
            return;
        }
        n -= left;
        c->sentlen = 0;
        c->reply_head = b->next;
        if (!c->reply_head) c->reply_tail = NULL;
        c->reply_bytes -= b->size;
        c->reply_blocks--;
        zfree(b);
    }
}

/* Writes what it can. Returns C_ERR when c was freed (write error, or
 * everything sent and CLIENT_CLOSE_AFTER_REPLY set). */
static int write_to_client(client *c) {
    size_t total = 0;
    while (client_has_pending_replies(c)) {
        struct iovec iov[REPLY_IOV_MAX];
        int cnt = 0;
        size_t bytes = 0, skip = c->sentlen;
        if (c->bufpos) {
            iov[cnt].iov_base = c->buf + skip;
            iov[cnt].iov_len = c->bufpos - skip;
            bytes += iov[cnt++].iov_len;
            skip = 0;
        }
        for (reply_block *b = c->reply_head;
             b && cnt < REPLY_IOV_MAX && bytes < NET_MAX_WRITES_PER_EVENT; b = b->next) {
            if (b->used > skip) {
                iov[cnt].iov_base = b->buf + skip;
                iov[cnt].iov_len = b->used - skip;
                bytes += iov[cnt++].iov_len;
            }
            skip = 0;
        }
        if (cnt == 0) { /* only empty blocks left */
            consume_output(c, 0);
            free_reply_blocks(c);
            break;
        }
        size_t n = 0;
        kp_result r = cnt == 1 ? conn_write(c->conn, iov[0].iov_base, iov[0].iov_len, &n)
                               : conn_writev(c->conn, iov, cnt, &n);
        if (r == KP_AGAIN) break;
        if (r != KP_OK) {
            if (server.verbosity <= LL_VERBOSE)
                server_log(LL_VERBOSE, "Error writing to client: %s", conn_last_error(c->conn));
            client_free(c);
            return C_ERR;
        }
        consume_output(c, n);
        total += n;
        if (total >= NET_MAX_WRITES_PER_EVENT) break;
    }
    if (total) {
        c->net_output_bytes += total;
        server.stat_net_output_bytes += (long long)total;
        server.stat_total_writes_processed++;
        c->last_interaction = server.mstime;
    }
    if (client_has_pending_replies(c)) return C_OK;
    c->sentlen = 0;
    release_reply_buffer(c);
    if (c->flags & CLIENT_WRITE_HANDLER) {
        conn_set_write_handler(c->conn, NULL);
        c->flags &= ~CLIENT_WRITE_HANDLER;
    }
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) {
        client_free(c);
        return C_ERR;
    }
    return C_OK;
}

static void send_reply_to_client(connection *conn) {
    client *c = conn_get_private(conn);
    if (!c) return;
    write_to_client(c);
}

int handle_clients_with_pending_writes(void) {
    int processed = 0;
    client *list = server.pending_writes;
    server.pending_writes = NULL;
    while (list) {
        client *c = list;
        list = c->pending_next;
        c->pending_next = NULL;
        c->flags &= ~CLIENT_PENDING_WRITE;
        processed++;
        if (!c->conn || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        if (c->flags & CLIENT_WRITE_HANDLER) continue; /* the handler will finish */
        if (write_to_client(c) == C_ERR) continue;
        if (client_has_pending_replies(c)) {
            c->flags |= CLIENT_WRITE_HANDLER;
            /* With appendfsync always, a reply must not leave before the
             * AOF fsync of before_sleep: the barrier runs the write handler
             * before the read handler, so a command read in the same loop
             * turn has its reply sent only after the next flush. */
            conn_set_write_handler_barrier(c->conn, send_reply_to_client,
                                           server.appendonly &&
                                               server.aof_fsync == AOF_FSYNC_ALWAYS);
        }
    }
    return processed;
}

/* ---------- output buffer limits ---------- */

/* Redis' rule: the hard limit closes at once; the soft limit closes once
 * it has been exceeded for more than soft_limit_seconds. */
static int output_limit_reached(client *c) {
    size_t used = client_output_memory(c);
    const client_buffer_limit *lim = &server.client_obuf_limits[client_type(c)];
    int hard = lim->hard_limit_bytes && used >= lim->hard_limit_bytes;
    int soft = lim->soft_limit_bytes && used >= lim->soft_limit_bytes;
    if (soft) {
        if (c->obuf_soft_limit_reached_time == 0) {
            c->obuf_soft_limit_reached_time = server.unixtime;
            soft = 0;
        } else if (server.unixtime - c->obuf_soft_limit_reached_time <= lim->soft_limit_seconds) {
            soft = 0;
        }
    } else {
        c->obuf_soft_limit_reached_time = 0;
    }
    return hard || soft;
}

int client_check_output_limits_async(client *c) {
    if (!c->conn || (c->flags & CLIENT_CLOSE_ASAP)) return 0;
    if (c->reply_bytes == 0) {
        c->obuf_soft_limit_reached_time = 0;
        return 0;
    }
    if (!output_limit_reached(c)) return 0;
    kstr info = client_info_string(kstr_empty(), c);
    server_log(LL_WARNING,
               "Client %s scheduled to be closed ASAP for overcoming of output buffer limits.",
               info);
    kstr_free(info);
    server.stat_client_outbuf_limit_disconnections++;
    client_free_async(c);
    return 1;
}

/* ---------- input ---------- */

static void log_protocol_error(client *c, const char *buf, size_t len) {
    if (server.verbosity > LL_VERBOSE) return;
    kstr sample = kstr_empty();
    if (len < PROTO_DUMP_LEN) {
        sample = kstr_catfmt(sample, "Query buffer during protocol error: '%.*s'", (int)len, buf);
    } else {
        sample = kstr_catfmt(sample,
                             "Query buffer during protocol error: '%.*s' (... more %zu bytes ...) "
                             "'%.*s'",
                             PROTO_DUMP_LEN / 2, buf, len - PROTO_DUMP_LEN, PROTO_DUMP_LEN / 2,
                             buf + len - PROTO_DUMP_LEN / 2);
    }
    for (size_t i = 0; i < kstr_len(sample); i++)
        if ((unsigned char)sample[i] < 32 || (unsigned char)sample[i] > 126) sample[i] = '.';
    kstr info = client_info_string(kstr_empty(), c);
    server_log(LL_VERBOSE, "Protocol error (%s) from client: %s. %s", c->parser.reason, info,
               sample);
    kstr_free(info);
    kstr_free(sample);
}

/* Replies the parser's error, stops reading and closes after the reply. */
static void protocol_error(client *c, const char *buf, size_t len) {
    log_protocol_error(c, buf, len);
    add_reply_error(c, c->parser.error);
    c->flags |= CLIENT_CLOSE_AFTER_REPLY | CLIENT_PROTOCOL_ERROR;
    resp_parser_reset(&c->parser);
    if (c->conn) conn_set_read_handler(c->conn, NULL);
}

/* Copies the parsed request into c->argv. */
static void load_argv(client *c) {
    resp_parser *p = &c->parser;
    if (c->argv_cap < p->argc) {
        zfree(c->argv);
        c->argv = zmalloc(sizeof(kobj *) * (size_t)p->argc);
        c->argv_cap = p->argc;
    }
    for (int i = 0; i < p->argc; i++) {
        c->argv[i] = obj_create_string(p->argv[i].ptr, p->argv[i].len);
        c->argv_len_sum += p->argv[i].len;
    }
    c->argc = p->argc;
}

/* What Redis does between commands: argv goes, and CLIENT REPLY SKIP
 * silences exactly the command after the one that asked for it. */
static void command_done(client *c) {
    client_reset_argv(c);
    c->flags &= ~CLIENT_REPLY_SKIP;
    if (c->flags & CLIENT_REPLY_SKIP_NEXT) {
        c->flags |= CLIENT_REPLY_SKIP;
        c->flags &= ~CLIENT_REPLY_SKIP_NEXT;
    }
}

/* Parses and runs the requests in buf[0..len). *consumed: bytes done with
 * (an incomplete request at the end stays). Returns C_ERR if c was freed. */
static int process_bytes(client *c, const char *buf, size_t len, size_t *consumed) {
    size_t pos = 0;
    resp_limits lim = {server.proto_max_bulk_len, RESP_MULTIBULK_MAX_DEFAULT, PROTO_INLINE_MAX_SIZE,
                       acl_auth_required(c)};
    while (pos < len) {
        if (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP)) break;
        /* A blocked client's next commands wait until it is unblocked
         * (blocked.c runs them then). */
        if (c->flags & CLIENT_BLOCKED) break;
        size_t n = 0;
        resp_status st = resp_parse(&c->parser, buf + pos, len - pos, &lim, &n);
        pos += n;
        if (st == RESP_NEED_MORE) break;
        if (st == RESP_ERROR) {
            protocol_error(c, buf + pos, len - pos);
            pos = len;
            break;
        }
        load_argv(c);
        if (process_command(c) == C_ERR) return C_ERR;
        command_done(c);
        lim.unauthenticated = acl_auth_required(c);
    }
    *consumed = pos;
    /* Closing with nothing left to send (QUIT under CLIENT REPLY OFF). */
    if ((c->flags & CLIENT_CLOSE_AFTER_REPLY) && !client_has_pending_replies(c))
        client_free_async(c);
    return C_OK;
}

void process_input_buffer(client *c) {
    if (!c->querybuf) return;
    size_t len = kstr_len(c->querybuf);
    size_t consumed = 0;
    if (process_bytes(c, c->querybuf + c->qb_pos, len - c->qb_pos, &consumed) == C_ERR) return;
    c->qb_pos += consumed;
    if (c->qb_pos == kstr_len(c->querybuf) ||
        (c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP))) {
        kstr_free(c->querybuf);
        c->querybuf = NULL;
    } else if (c->qb_pos) {
        kstr_consume(c->querybuf, c->qb_pos);
    }
    c->qb_pos = 0;
}

/* Query buffer limit: what a client holds of unparsed input. Returns 1
 * (and schedules the close) when exceeded. */
static int querybuf_limit_reached(client *c) {
    if (!c->querybuf) return 0;
    size_t used = kstr_len(c->querybuf) + resp_parser_memory(&c->parser);
    if (used > c->querybuf_peak) c->querybuf_peak = used;
    if (used <= server.client_max_querybuf_len) return 0;
    kstr info = client_info_string(kstr_empty(), c);
    kstr bytes = kstr_cat_repr(kstr_empty(), c->querybuf,
                               kstr_len(c->querybuf) < 64 ? kstr_len(c->querybuf) : 64);
    server_log(LL_WARNING,
               "Closing client that reached max query buffer length: %s (qbuf initial bytes: %s)",
               info, bytes);
    kstr_free(info);
    kstr_free(bytes);
    server.stat_client_qbuf_limit_disconnections++;
    client_free_async(c);
    return 1;
}

void read_query_from_client(connection *conn) {
    client *c = conn_get_private(conn);
    if (!c || (c->flags & (CLIENT_CLOSE_ASAP | CLIENT_PROTOCOL_ERROR))) return;
    size_t pending = c->querybuf ? kstr_len(c->querybuf) : 0;
    size_t readlen = PROTO_IOBUF_LEN;
    int big = 0;
    if (resp_parser_bulk_len(&c->parser) >= PROTO_MBULK_BIG_ARG) {
        /* Read the rest of a big argument straight into the query buffer. */
        size_t missing = resp_parser_bulk_missing(&c->parser, pending);
        if (missing > 0) {
            readlen = missing;
            big = 1;
        }
    }
    char *dst;
    if (!c->querybuf && !big) {
        dst = shared_readbuf;
    } else {
        if (!c->querybuf) c->querybuf = kstr_empty();
        c->querybuf = kstr_reserve(c->querybuf, readlen);
        dst = c->querybuf + kstr_len(c->querybuf);
    }
    size_t nread = 0;
    kp_result r = conn_read(conn, dst, readlen, &nread);
    if (r == KP_AGAIN) return;
    if (r != KP_OK) {
        if (server.verbosity <= LL_VERBOSE) {
            if (r == KP_EOF) {
                kstr info = client_info_string(kstr_empty(), c);
                server_log(LL_VERBOSE, "Client closed connection %s", info);
                kstr_free(info);
            } else {
                server_log(LL_VERBOSE, "Reading from client: %s", conn_last_error(conn));
            }
        }
        client_free(c);
        return;
    }
    c->last_interaction = server.mstime;
    c->net_input_bytes += nread;
    server.stat_net_input_bytes += (long long)nread;
    server.stat_total_reads_processed++;
    if (dst == shared_readbuf) {
        size_t consumed = 0;
        if (process_bytes(c, shared_readbuf, nread, &consumed) == C_ERR) return;
        if (consumed < nread && !(c->flags & (CLIENT_CLOSE_AFTER_REPLY | CLIENT_CLOSE_ASAP))) {
            c->querybuf = kstr_new(shared_readbuf + consumed, nread - consumed);
            querybuf_limit_reached(c);
        }
        return;
    }
    kstr_incr_len(c->querybuf, nread);
    if (querybuf_limit_reached(c)) return;
    process_input_buffer(c);
}

/* ---------- cron ---------- */

void clients_cron(void) {
    client *next;
    for (client *c = server.clients_head; c; c = next) {
        next = c->next;
        if (c->flags & CLIENT_CLOSE_ASAP) continue;
        long long idle_ms = server.mstime - c->last_interaction;
        if (server.maxidletime > 0 && client_type(c) == CLIENT_TYPE_NORMAL &&
            !(c->flags & CLIENT_BLOCKED) && /* BLPOP & co. may wait longer */
            idle_ms / 1000 > server.maxidletime) {
            server_log(LL_VERBOSE, "Closing idle client");
            client_free(c);
            continue;
        }
        if (client_check_output_limits_async(c)) continue;
        if (idle_ms >= CLIENT_IDLE_TRIM_MS) {
            resp_parser_trim(&c->parser);
            if (c->argc == 0 && c->argv) {
                zfree(c->argv);
                c->argv = NULL;
                c->argv_cap = 0;
            }
            if (c->querybuf && kstr_avail(c->querybuf) > QUERYBUF_SHRINK_MIN)
                c->querybuf = kstr_shrink(c->querybuf);
            c->querybuf_peak = c->querybuf ? kstr_len(c->querybuf) : 0;
        }
        if (server.mstime - c->buf_peak_last_reset_time >= 5000) {
            c->buf_peak = c->bufpos;
            c->buf_peak_last_reset_time = server.mstime;
        }
    }
}

/* ---------- CLIENT LIST ---------- */

static int client_is_unix(client *c) {
    listener *l = c->conn ? conn_listener(c->conn) : NULL;
    return l && l->base && (l->base->ops->caps & KP_CAP_PATH_ADDR);
}

void client_addr_string(client *c, int remote, char *buf, size_t len) {
    if (!c->conn) {
        snprintf(buf, len, "%s", "");
        return;
    }
    conn_addr(c->conn, remote, buf, len);
    if (client_is_unix(c)) {
        size_t n = strlen(buf);
        if (n + 3 <= len) memcpy(buf + n, ":0", 3);
    }
}

/* Transport fields are appended as key=value; bytes that would break
 * splitting the line on spaces are escaped as \xHH. */
static void emit_conn_field(void *sink, const char *key, const char *value) {
    kstr *s = sink;
    *s = kstr_catfmt(*s, " %s=", key);
    for (const char *p = value; *p; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch <= ' ' || ch > '~' || ch == '\\')
            *s = kstr_catfmt(*s, "\\x%02x", ch);
        else
            *s = kstr_cat(*s, p, 1);
    }
}

kstr client_info_string(kstr s, client *c) {
    char flags[16], *f = flags;
    if (c->flags & CLIENT_PUBSUB) *f++ = 'P';
    if (c->flags & CLIENT_MULTI) *f++ = 'x';     /* multi.c */
    if (c->flags & CLIENT_BLOCKED) *f++ = 'b';   /* blocked.c */
    if (c->flags & CLIENT_DIRTY_CAS) *f++ = 'd'; /* multi.c: a WATCHed key changed */
    if (c->flags & CLIENT_CLOSE_AFTER_REPLY) *f++ = 'c';
    if (c->flags & CLIENT_CLOSE_ASAP) *f++ = 'A';
    if (client_is_unix(c)) *f++ = 'U';
    if (c->flags & CLIENT_NO_EVICT) *f++ = 'e';
    if (c->flags & CLIENT_NO_TOUCH) *f++ = 'T';
    if (f == flags) *f++ = 'N';
    *f = '\0';

    char events[3], *e = events;
    if (c->conn && !(c->flags & (CLIENT_PROTOCOL_ERROR | CLIENT_CLOSE_ASAP))) *e++ = 'r';
    if (c->flags & CLIENT_WRITE_HANDLER) *e++ = 'w';
    *e = '\0';

    char addr[256], laddr[256];
    client_addr_string(c, 1, addr, sizeof(addr));
    client_addr_string(c, 0, laddr, sizeof(laddr));

    size_t qbuf = c->querybuf ? kstr_len(c->querybuf) : 0;
    size_t qbuf_free = c->querybuf ? kstr_avail(c->querybuf) : 0;
    size_t omem = client_output_memory(c);
    size_t tot = omem + sizeof(client) + c->buf_size + c->argv_len_sum +
                 sizeof(kobj *) * (size_t)c->argc + resp_parser_memory(&c->parser) +
                 (c->querybuf ? kstr_alloc_size(c->querybuf) : 0);
    const char *cmd = "NULL";
    if (c->lastcmd) cmd = c->lastcmd->fullname ? c->lastcmd->fullname : c->lastcmd->name;

    s = kstr_catfmt(s,
                    "id=%llu addr=%s laddr=%s fd=%d name=%s age=%lld idle=%lld flags=%s db=%d "
                    "sub=%lu psub=%lu ssub=%lu multi=%ld qbuf=%zu qbuf-free=%zu argv-mem=%zu "
                    "multi-mem=%zu rbs=%zu rbp=%zu obl=%zu oll=%lu omem=%zu tot-mem=%zu "
                    "events=%s cmd=%s user=%s redir=-1 resp=%d",
                    (unsigned long long)c->id, addr, laddr, c->conn ? conn_fd(c->conn) : -1,
                    c->name ? c->name : "", (long long)(server.unixtime - c->ctime),
                    (server.mstime - c->last_interaction) / 1000, flags, c->db ? c->db->id : 0,
                    pubsub_client_channels(c), pubsub_client_patterns(c),
                    pubsub_client_shard_channels(c), multi_queued_count(c), qbuf, qbuf_free,
                    c->argv_len_sum, multi_queued_memory(c), c->buf_size, c->buf_peak, c->bufpos,
                    c->reply_blocks, omem, tot, events, cmd, c->user ? c->user : "default",
                    c->resp);
    if (c->conn) {
        s = kstr_catfmt(s, " transport=%s", conn_transport_name(c->conn));
        conn_info(c->conn, emit_conn_field, &s);
    }
    return s;
}
