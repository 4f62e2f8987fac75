/*
 * kpclient: the asynchronous client library shared by keyport-cli,
 * keyport-benchmark and (later) replication and the cluster bus.
 *
 * It speaks RESP2 and RESP3 over the same event loop (ae.h) and the same
 * transport plugins (conn.h) as the server, so every transport the server
 * can listen on (tcp, unix, openssl, gnutls, third-party ones) is also one
 * a client can connect over. Nothing here blocks on a socket: the "sync"
 * helpers run the event loop until the awaited event happens or a deadline
 * passes.
 *
 * Pieces:
 *  - kpc_reply / kpc_reader: a RESP2/RESP3 reply tree and its incremental
 *    parser (kpclient_reply.c, kpclient_reader.c);
 *  - kpc_format_*: commands to RESP (kpclient_cmd.c);
 *  - kpc_stack: the transports and contexts a connection runs over, built
 *    from plain options (kpclient_stack.c);
 *  - kpc_conn: one connection with a FIFO of pipelined requests, each with
 *    its callback (kpclient_conn.c);
 *  - kpc_*_sync / kpc_call*: blocking-style helpers over the loop
 *    (kpclient_sync.c).
 *
 * Threading: a kpc_conn belongs to the thread running its loop; several
 * threads may each run their own loop with their own connections. The
 * transport registry (kpc_stack_init) must be set up on the main thread
 * before other threads start.
 */
#ifndef KEYPORT_KPCLIENT_H
#define KEYPORT_KPCLIENT_H

#include <stddef.h>

#include "ae.h"
#include "conn.h"

/* ---------- replies ---------- */

typedef enum kpc_type {
    KPC_STRING = 1, /* bulk string $ */
    KPC_STATUS,     /* simple string + */
    KPC_ERROR,      /* simple or bulk error - ! */
    KPC_INTEGER,    /* : */
    KPC_NIL,        /* RESP2 null bulk/array, RESP3 _ */
    KPC_ARRAY,      /* * */
    KPC_MAP,        /* % : elements are key, value, key, value... */
    KPC_SET,        /* ~ */
    KPC_DOUBLE,     /* , */
    KPC_BOOL,       /* # */
    KPC_VERBATIM,   /* = : str is the text without its "txt:" prefix */
    KPC_BIGNUM,     /* ( : str holds the digits */
    KPC_PUSH,       /* > */
    KPC_ATTRIBUTE   /* | : only ever seen as kpc_reply.attribute */
} kpc_type;

/* One reply node. Strings are NUL-terminated after len bytes (they may hold
 * NULs). A node owns its children and its attribute. */
typedef struct kpc_reply {
    kpc_type type;
    long long integer;           /* INTEGER; BOOL: 1 or 0 */
    double dval;                 /* DOUBLE (str keeps the text the server sent) */
    size_t len;                  /* bytes of str */
    char *str;                   /* STRING STATUS ERROR VERBATIM BIGNUM DOUBLE */
    char format[4];              /* VERBATIM: "txt", "mkd", ... */
    size_t elements;             /* ARRAY MAP SET PUSH ATTRIBUTE (MAP: 2 per pair) */
    struct kpc_reply **element;  /* NULL in light mode (kpc_reader_set_light) */
    struct kpc_reply *attribute; /* RESP3 attribute sent before this reply */
} kpc_reply;

void kpc_reply_free(kpc_reply *r);
/* Lower-case RESP3 name of a type: "string", "map", "big number"... */
const char *kpc_type_name(kpc_type t);
/* Non-zero for the aggregate types (ARRAY MAP SET PUSH ATTRIBUTE). */
int kpc_type_is_aggregate(kpc_type t);
/* Deep copy. */
kpc_reply *kpc_reply_dup(const kpc_reply *r);
/* For MAP replies: the value whose key is the string key, or NULL. */
kpc_reply *kpc_map_get(const kpc_reply *map, const char *key);

/* ---------- the RESP parser ---------- */

typedef struct kpc_reader kpc_reader;

/* Limits that protect a client from a broken or hostile server. */
#define KPC_MAX_BULK (512LL * 1024 * 1024) /* one string */
#define KPC_MAX_ELEMENTS (1LL << 32)       /* one aggregate */
#define KPC_MAX_DEPTH 1024                 /* nesting */

kpc_reader *kpc_reader_create(void);
void kpc_reader_free(kpc_reader *r);
/* Light mode: aggregates are counted and skipped, not built (their element
 * is NULL); top-level strings and errors are still filled in. For load
 * generators that only check reply types. */
void kpc_reader_set_light(kpc_reader *r, int light);
/* Appends bytes received from the server. */
void kpc_reader_feed(kpc_reader *r, const char *buf, size_t len);
/* Room for at least min more bytes: returns where to write them and, in
 * *avail, how many fit. kpc_reader_commit(r, n) then accepts n of them.
 * (Lets the connection read straight into the parser's buffer.) */
char *kpc_reader_space(kpc_reader *r, size_t min, size_t *avail);
void kpc_reader_commit(kpc_reader *r, size_t n);
/* Parses the next complete reply. Returns 1 with *out (owned by the
 * caller), 0 when more bytes are needed, -1 on a protocol error
 * (kpc_reader_error() says which; the reader is then unusable). */
int kpc_reader_next(kpc_reader *r, kpc_reply **out);
const char *kpc_reader_error(const kpc_reader *r);
/* The bytes not parsed yet (*len of them), and dropping the first n: a
 * connection in raw mode (SYNC payloads) reads them itself. Only
 * meaningful between replies (kpc_reader_in_reply() == 0). */
const char *kpc_reader_peek(const kpc_reader *r, size_t *len);
void kpc_reader_skip(kpc_reader *r, size_t n);
/* Non-zero when a reply has been partially parsed. */
int kpc_reader_in_reply(const kpc_reader *r);

/* ---------- commands ---------- */

/* Appends the RESP array for argv to the string buf (a kstr; NULL starts a
 * new one) and returns the possibly moved string. lens may be NULL
 * (strlen). */
char *kpc_format_argv(char *buf, int argc, const char *const *argv, const size_t *lens);

/* ---------- transport stacks ---------- */

/* TLS settings of a client, as the command-line tools name them. Strings
 * are borrowed for the duration of kpc_stack_init(). */
typedef struct kpc_tls_options {
    int enabled;
    const char *transport;    /* "openssl", "gnutls", a path, or NULL: openssl, else gnutls */
    const char *ca_file;      /* --cacert */
    const char *ca_dir;       /* --cacertdir */
    const char *cert_file;    /* --cert */
    const char *key_file;     /* --key */
    const char *key_pass;     /* password of an encrypted key */
    const char *ciphers;      /* TLS 1.2 cipher list */
    const char *ciphersuites; /* TLS 1.3 suites */
    const char *protocols;    /* "TLSv1.2 TLSv1.3" */
    const char *sni;          /* name sent as SNI and verified; NULL: the host */
    int insecure;             /* do not verify the server certificate */
    int session_resume;       /* keep TLS sessions and offer them on new
                                 connections (tls-session-caching yes on the
                                 client context; see kpc_session_reused) */
} kpc_tls_options;

/* What a connection runs over. base is tcp or unix; layer is the TLS
 * transport or NULL. Contexts belong to the stack. */
/* The --help lines of the options kpc_tls_parse_option takes. */
#define KPC_TLS_OPTIONS_HELP                                                                       \
    "TLS (through the openssl or gnutls transport plugin):\n"                                      \
    "  --tls                Connect with TLS.\n"                                                   \
    "  --tls-transport <t>  openssl or gnutls (default: openssl when its plugin is\n"              \
    "                       installed, else gnutls), or the path of a plugin.\n"                   \
    "  --sni <host>         Server name to send (SNI) and to verify the certificate\n"             \
    "                       against (default: the -h host).\n"                                     \
    "  --cacert <file>      CA certificate file(s) that verify the server.\n"                      \
    "  --cacertdir <dir>    Directory of hashed CA certificates. Without --cacert and\n"           \
    "                       --cacertdir, the system store /etc/ssl/certs is used.\n"               \
    "  --insecure           Do not verify the server certificate (only with a TLS\n"               \
    "                       transport that supports it).\n"                                        \
    "  --cert <file>        Client certificate to authenticate with.\n"                            \
    "  --key <file>         Private key of --cert.\n"                                              \
    "  --tls-ciphers <list> TLS 1.2 and older cipher list (library syntax).\n"                     \
    "  --tls-ciphersuites <list>\n"                                                                \
    "                       TLS 1.3 ciphersuites.\n"                                               \
    "  --tls-protocols <list>\n"                                                                   \
    "                       Protocols to offer, e.g. \"TLSv1.2 TLSv1.3\".\n"

/* Applies one of the TLS options the tools share (--tls --sni --cacert
 * --cacertdir --insecure --cert --key --tls-ciphers --tls-ciphersuites
 * --tls-protocols --tls-transport) to tls. value is the option's argument
 * (unused by --tls and --insecure) and must outlive tls. Returns 1 when opt
 * is one of them, else 0. */
int kpc_tls_parse_option(kpc_tls_options *tls, const char *opt, const char *value);

typedef struct kpc_stack {
    transport *base;
    void *base_ctx;
    transport *layer;
    void *layer_ctx;
    int unix_socket; /* base is the unix transport: addresses are paths */
    char *sni;       /* copy of kpc_tls_options.sni or NULL */
} kpc_stack;

/* Points the transport loader at <root>/transports (root: two levels above
 * the running executable) and the install directory, as the server does.
 * Idempotent. */
void kpc_transports_init(void);
/* Loads (once) the transports for a tcp (unix_socket 0) or unix stack, plus
 * the TLS layer when tls->enabled, and builds their client contexts.
 * Returns 0, or -1 with a message naming the transport or option at fault
 * in err. */
int kpc_stack_init(kpc_stack *st, int unix_socket, const kpc_tls_options *tls, char *err,
                   size_t errlen);
void kpc_stack_release(kpc_stack *st);
/* The TLS transport --tls-transport picks when none is named: openssl when
 * its plugin can be found, else gnutls. Never NULL. */
const char *kpc_default_tls_transport(void);
/* Explains a failed TLS connection from its reason: the port does not
 * speak TLS, the server certificate is not trusted, or the server wants a
 * client certificate (when tls has none). Returns a static hint, or NULL
 * when the reason matches none of them or tls is NULL or not enabled. */
const char *kpc_tls_failure_hint(const char *reason, const kpc_tls_options *tls);
/* The text of a kpc_stack_init() error with the plugin setting names it
 * quotes replaced by the command-line options that set them
 * (tls-ca-cert-file -> --cacert). Returns a new kstr. */
char *kpc_option_names(const char *text);

/* ---------- connections ---------- */

typedef struct kpc_conn kpc_conn;

typedef enum kpc_state {
    KPC_CONNECTING = 0, /* TCP connect or TLS handshake in progress */
    KPC_READY,          /* requests flow */
    KPC_FAILED          /* connect failed, timed out, lost, or closed by the peer */
} kpc_state;

/* Runs once when the connection is READY (status 0) or could not be
 * established (status -1, err says why). The kpc_conn stays valid either
 * way: it belongs to the caller until kpc_close(). */
typedef void kpc_connect_cb(kpc_conn *c, int status, const char *err, void *data);
/* The reply to one request, or NULL when the connection failed or was
 * closed before the reply came (kpc_conn_error() says why). The callback
 * owns r and frees it with kpc_reply_free(). */
typedef void kpc_reply_cb(kpc_conn *c, kpc_reply *r, void *data);
/* Replies that answer no request: RESP3 push messages, RESP2 pub/sub
 * messages, MONITOR lines, extra subscribe confirmations. Owns r. */
typedef void kpc_push_cb(kpc_conn *c, kpc_reply *r, void *data);
/* Runs once when an established connection is lost (EOF, I/O or protocol
 * error); why is the reason. Not run for kpc_close(). */
typedef void kpc_lost_cb(kpc_conn *c, const char *why, void *data);
/* Raw mode: every byte received goes here instead of to the parser.
 * Returns how many bytes of buf it consumed; bytes not consumed are kept
 * and handed to the parser if raw mode is switched off (kpc_set_raw(c,
 * NULL, NULL) from inside the callback), else offered again with the next
 * bytes. */
typedef size_t kpc_raw_cb(kpc_conn *c, const char *buf, size_t len, void *data);
/* The output buffer has been written out completely. */
typedef void kpc_drain_cb(kpc_conn *c, void *data);

/* Starts connecting to host:port (a path for unix stacks, port ignored)
 * over stack, which must outlive the connection. timeout_ms > 0 bounds
 * connect plus TLS handshake. cb runs on loop's thread, never before this
 * returns. Returns NULL with err set only when nothing could be started. */
kpc_conn *kpc_connect(ae_loop *loop, const kpc_stack *stack, const char *host, int port,
                      long long timeout_ms, kpc_connect_cb *cb, void *data, char *err,
                      size_t errlen);
/* Closes the connection (a TLS close_notify is attempted) and frees c.
 * Pending request callbacks run first with a NULL reply. Safe inside any
 * callback of c: the memory is released when the callback returns. */
void kpc_close(kpc_conn *c);

kpc_state kpc_conn_state(const kpc_conn *c);
/* Why the connection failed ("" while it is fine). */
const char *kpc_conn_error(const kpc_conn *c);
/* "host:port" or the socket path. */
const char *kpc_conn_peer(const kpc_conn *c);
ae_loop *kpc_conn_loop(const kpc_conn *c);
/* The underlying connection (TLS details, fd), NULL once failed. */
connection *kpc_conn_connection(const kpc_conn *c);
/* Whether the TLS session of a READY connection was resumed: 1 or 0, or -1
 * when its transport does not say (no "tls-session-reused" in its
 * connection info) or c has no TLS layer. */
int kpc_session_reused(kpc_conn *c);
void kpc_set_data(kpc_conn *c, void *data);
void *kpc_get_data(const kpc_conn *c);

/* Queues one command; its reply goes to cb (which may be NULL: the reply is
 * then discarded). Commands may be queued while CONNECTING; they are sent
 * once READY. lens may be NULL. Returns 0, or -1 when c has failed. */
int kpc_command_argv(kpc_conn *c, int argc, const char *const *argv, const size_t *lens,
                     kpc_reply_cb *cb, void *data);
/* Same with a NULL-terminated list of C strings. */
int kpc_command(kpc_conn *c, kpc_reply_cb *cb, void *data, const char *arg0, ...)
    __attribute__((sentinel));
/* Queues already formatted protocol bytes that answer no request callback:
 * their replies reach the push callback (used by --pipe). */
int kpc_write_raw(kpc_conn *c, const char *buf, size_t len);
/* Queues n preformatted commands in buf, with one callback per reply (cb
 * runs n times). For load generators. */
int kpc_write_requests(kpc_conn *c, const char *buf, size_t len, int n, kpc_reply_cb *cb,
                       void *data);
/* Bytes queued and not yet written; requests whose reply is awaited. */
size_t kpc_pending_output(const kpc_conn *c);
size_t kpc_pending_replies(const kpc_conn *c);
/* Number of pub/sub subscriptions the server last confirmed. */
long long kpc_subscriptions(const kpc_conn *c);

void kpc_set_push_handler(kpc_conn *c, kpc_push_cb *cb, void *data);
void kpc_set_lost_handler(kpc_conn *c, kpc_lost_cb *cb, void *data);
void kpc_set_drain_handler(kpc_conn *c, kpc_drain_cb *cb, void *data);
/* Switches raw mode on (cb non-NULL) or off. Bytes the parser holds and has
 * not started parsing are offered to cb first. */
void kpc_set_raw(kpc_conn *c, kpc_raw_cb *cb, void *data);
/* Replies are parsed in light mode (see kpc_reader_set_light). */
void kpc_set_light(kpc_conn *c, int light);
/* Eager mode: queuing a request writes it to the socket at once, instead
 * of on the loop's next writable event (saves a loop round trip per batch
 * for load generators). Failures still reach the request callbacks. */
void kpc_set_eager_write(kpc_conn *c, int eager);

/* ---------- sync helpers (kpclient_sync.c) ---------- */

/* An event loop for client connections: ae_create(setsize) with the
 * before-sleep hook that serves TLS plaintext buffered inside a library
 * (conn_process_pending). A loop made with ae_create() directly must do the
 * same from its own before-sleep hook, and call ae_dont_wait() when that
 * served anything (a reply may have completed: the wait must not block). */
ae_loop *kpc_loop_create(int setsize);

/* Connects and runs the loop until READY or failure. Returns the
 * connection, or NULL with the reason in err (timeout included). */
kpc_conn *kpc_connect_sync(ae_loop *loop, const kpc_stack *stack, const char *host, int port,
                           long long timeout_ms, char *err, size_t errlen);
/* Sends a command and runs the loop until its reply comes. Returns the
 * reply (owned by the caller), or NULL with err set when the connection
 * failed or timeout_ms (> 0) passed first. */
kpc_reply *kpc_call_argv(kpc_conn *c, long long timeout_ms, int argc, const char *const *argv,
                         const size_t *lens, char *err, size_t errlen);
kpc_reply *kpc_call(kpc_conn *c, long long timeout_ms, char *err, size_t errlen, const char *arg0,
                    ...) __attribute__((sentinel));
/* Runs the loop until *flag becomes non-zero, c fails, or timeout_ms (> 0)
 * passes. Returns 1 (flag set), 0 (timeout), -1 (connection failed). c may
 * be NULL to wait on the flag alone. */
int kpc_wait_flag(ae_loop *loop, kpc_conn *c, volatile int *flag, long long timeout_ms);
/* Runs the loop until everything queued on c has been written. Same
 * results as kpc_wait_flag. Uses (and then clears) c's drain handler. */
int kpc_flush_sync(kpc_conn *c, long long timeout_ms);

#endif
