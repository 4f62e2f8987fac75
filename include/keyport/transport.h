/*
 * keyport transport ABI.
 *
 * A transport is a shared object that moves bytes for keyport: plain TCP, unix
 * sockets, TLS over either. The server (the "host") loads it with dlopen and
 * calls one exported symbol, kp_transport_entry(), which exchanges two tables:
 * the host hands the plugin its services (kp_host_api), the plugin hands back
 * its descriptor and operations (kp_transport). A plugin never links against
 * server symbols; everything it needs from the host goes through kp_host_api.
 *
 * Two kinds of transports exist:
 *  - base transports (KP_CAP_STREAM) own a socket: they listen, accept,
 *    connect, read and write a file descriptor the host polls;
 *  - layered transports (KP_CAP_LAYERED), such as TLS, run on top of a base
 *    transport and do all their I/O through host->raw_read/raw_write, so TLS
 *    over a unix socket needs nothing special.
 *
 * Versioning rules (what makes this ABI stable):
 *  - every struct that crosses the boundary starts with kp_abi_header;
 *  - a different abi_major is refused; a plugin whose abi_minor is newer than
 *    the host's is refused; an older minor is accepted and the host reads only
 *    the fields that minor defines (struct_size tells which);
 *  - fields are append-only, never reordered or reused; each field added after
 *    1.0 says "since 1.N";
 *  - the build fingerprint (pointer, size_t, long, time_t, off_t sizes and
 *    byte order) must match exactly.
 *
 * Threading: a connection belongs to exactly one event loop, hence one thread,
 * at a time. Every per-connection op is called on the thread that owns the
 * connection. ctx_new/ctx_free/ctx_info are called on the main thread only.
 * A plugin must therefore keep no unsynchronised global state that
 * per-connection ops mutate.
 *
 * Errors: no errno crosses the ABI. Ops return kp_result; details go to the
 * err buffers the host passes in, or to the op last_error().
 */
#ifndef KEYPORT_TRANSPORT_H
#define KEYPORT_TRANSPORT_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <time.h>

#ifdef __cplusplus
extern "C" {
#endif

#define KP_ABI_MAJOR 1
#define KP_ABI_MINOR 1

/* The one symbol every transport exports. */
#define KP_TRANSPORT_ENTRY_SYMBOL "kp_transport_entry"

#if defined(__GNUC__)
#define KP_EXPORT __attribute__((visibility("default")))
#define KP_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define KP_EXPORT
#define KP_PRINTF(f, a)
#endif

/* First member of every cross-boundary struct. struct_size is sizeof() of
 * the struct as the side that filled it was compiled. */
typedef struct kp_abi_header {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t struct_size;
} kp_abi_header;

/* Facts that silently change struct layouts. Compared byte for byte. */
typedef struct kp_fingerprint {
    uint8_t ptr_size;
    uint8_t size_t_size;
    uint8_t long_size;
    uint8_t time_t_size;
    uint8_t off_t_size;
    uint8_t big_endian;
    uint8_t reserved[2]; /* zero */
} kp_fingerprint;

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define KP_BIG_ENDIAN_ 1
#else
#define KP_BIG_ENDIAN_ 0
#endif

#define KP_FINGERPRINT_INIT                                                                        \
    {                                                                                              \
        sizeof(void *), sizeof(size_t), sizeof(long), sizeof(time_t), sizeof(off_t),               \
            KP_BIG_ENDIAN_, {                                                                      \
            0, 0                                                                                   \
        }                                                                                          \
    }

/* Result of every I/O op. Stable values, never renumbered. */
typedef enum kp_result {
    KP_OK = 0,    /* done (for read/write: io->done bytes moved, > 0) */
    KP_AGAIN = 1, /* would block: io->need says what to wait for */
    KP_EOF = 2,   /* orderly close by the peer */
    KP_ERR = 3    /* failure: last_error() or the err buffer says why */
} kp_result;

/* Bits of kp_io.need: the readiness the op waits for before it can progress.
 * A TLS read may need KP_NEED_WRITE and a TLS write may need KP_NEED_READ. */
#define KP_NEED_READ 1u
#define KP_NEED_WRITE 2u

/* Out-parameter of I/O ops. The host zeroes it before each call. */
typedef struct kp_io {
    size_t done;   /* bytes read or written (KP_OK) */
    uint32_t need; /* KP_NEED_* (KP_AGAIN) */
    uint32_t reserved;
} kp_io;

/* Capability bits of kp_transport.caps. The host refuses, at startup, any
 * configuration that needs a capability the bound transport lacks. */
#define KP_CAP_STREAM (1ull << 0)             /* base: owns a socket fd */
#define KP_CAP_LAYERED (1ull << 1)            /* runs over a base transport */
#define KP_CAP_PATH_ADDR (1ull << 2)          /* listens on filesystem paths, not ports */
#define KP_CAP_TLS (1ull << 3)                /* encrypts; tls-* directives apply */
#define KP_CAP_CLIENT_CERT (1ull << 4)        /* verifies client certificates */
#define KP_CAP_PEER_CERT (1ull << 5)          /* peer_identity() works */
#define KP_CAP_TLS13_CIPHERSUITES (1ull << 6) /* tls-ciphersuites */
#define KP_CAP_SESSION_RESUME (1ull << 7)     /* tls-session-caching */
#define KP_CAP_WRITEV (1ull << 8)             /* writev() is native, not emulated */
#define KP_CAP_DH_PARAMS (1ull << 9)          /* tls-dh-params-file */
#define KP_CAP_KTLS (1ull << 10)              /* kernel TLS offload */

/* Opaque connection handle owned by the host. A plugin passes it back to
 * host callbacks and never looks inside. */
typedef struct kp_conn kp_conn;

/* One configuration item. Both strings are owned by the host and valid only
 * for the duration of the call that receives them. */
typedef struct kp_kv {
    const char *key;
    const char *value;
} kp_kv;

typedef enum kp_role { KP_ROLE_SERVER = 0, KP_ROLE_CLIENT = 1 } kp_role;

typedef enum kp_log_level {
    KP_LOG_DEBUG = 0,
    KP_LOG_VERBOSE = 1,
    KP_LOG_NOTICE = 2,
    KP_LOG_WARNING = 3
} kp_log_level;

/* Receives key/value pairs describing a context or a connection (INFO tls,
 * CLIENT LIST). The host copies both strings before returning. */
typedef void (*kp_info_emit)(void *sink, const char *key, const char *value);

/*
 * Services the host offers to plugins. Valid from kp_transport_entry() until
 * the process exits (transports are never unloaded).
 */
typedef struct kp_host_api {
    kp_abi_header hdr;
    kp_fingerprint fingerprint;
    const char *server_version; /* e.g. "0.1.0" */

    /* Writes one line to the server log, prefixed with the transport name.
     * Any thread. */
    void (*log)(kp_log_level level, const char *transport, const char *fmt, ...) KP_PRINTF(3, 4);

    /* Host allocator. alloc/calloc/realloc never return NULL (the host aborts
     * on out-of-memory). Memory from one must be released with free. Any
     * thread. */
    void *(*alloc)(size_t size);
    void *(*calloc)(size_t nmemb, size_t size);
    void *(*realloc)(void *ptr, size_t size);
    void (*free)(void *ptr);

    /* Monotonic clock in microseconds. Any thread. */
    int64_t (*monotonic_us)(void);

    /* Raw I/O of the layer below c, for layered transports. Same contract as
     * the read/write ops: KP_OK with io->done > 0, KP_AGAIN with io->need,
     * KP_EOF, KP_ERR. Owning thread of c only. */
    kp_result (*raw_read)(kp_conn *c, void *buf, size_t len, kp_io *io);
    kp_result (*raw_write)(kp_conn *c, const void *buf, size_t len, kp_io *io);
} kp_host_api;

/*
 * The transport descriptor and its operations, filled by the plugin in static
 * storage and returned by kp_transport_entry(). The host never writes to it.
 * Mandatory members are checked once at load time; optional ones may be NULL
 * and the host supplies the default stated beside each.
 *
 * "priv" is the connection's private state: conn_size bytes, zeroed, that the
 * host allocates before the first op on a connection and frees after close().
 * "ctx" is a context built by ctx_new() (NULL when ctx_new is NULL).
 */
typedef struct kp_transport {
    kp_abi_header hdr;
    kp_fingerprint fingerprint;

    /* Descriptor. name: [a-z0-9_-]{1,31}, unique among loaded transports.
     * All four strings are mandatory and must be non-empty. */
    const char *name;
    const char *version;
    const char *description;
    const char *license;
    uint64_t caps;                  /* KP_CAP_* */
    size_t conn_size;               /* bytes of per-connection private state (may be 0) */
    const char *const *config_keys; /* NULL-terminated keys ctx_new accepts, or NULL */

    /* Optional. Called once after a successful load with the extra words of
     * the loadtransport line. Returns 0, or -1 with a reason in err. */
    int (*init)(int argc, const char *const *argv, char *err, size_t errlen);

    /* Optional. Builds a new context for one listener (KP_ROLE_SERVER) or for
     * outgoing connections (KP_ROLE_CLIENT) from the complete configuration
     * (host defaults merged with the listener's own keys; only keys listed in
     * config_keys are passed). Must not touch any existing context: the host
     * swaps contexts only after this succeeds, which makes reconfiguration
     * atomic. Returns 0 with *ctx set, or -1 with a reason in err. */
    int (*ctx_new)(kp_role role, const kp_kv *kv, size_t nkv, void **ctx, char *err, size_t errlen);

    /* Optional. Releases a context the host no longer references. Connections
     * created from it may still be alive: the plugin keeps what they need
     * (reference counting inside the plugin). */
    void (*ctx_free)(void *ctx);

    /* Optional. Describes a context (INFO tls): library, certificate subject,
     * expiry, counters. Main thread. */
    void (*ctx_info)(void *ctx, kp_info_emit emit, void *sink);

    /* Base transports (KP_CAP_STREAM), mandatory for them. Opens one listening
     * socket on addr ("*" for any, an IP address, or a path for
     * KP_CAP_PATH_ADDR) and service (port, or NULL for paths). Returns 0 with
     * a non-blocking fd in *fd, or -1 with a reason in err. */
    int (*listen)(void *ctx, const char *addr, const char *service, int backlog, int *fd, char *err,
                  size_t errlen);

    /* Base transports, mandatory. Accepts one pending connection from lfd
     * into priv. KP_OK: priv now owns a connected non-blocking socket.
     * KP_AGAIN: none pending. KP_ERR: reason in err; lfd stays usable. */
    kp_result (*accept)(void *ctx, int lfd, kp_conn *c, void *priv, char *err, size_t errlen);

    /* Base transports, mandatory. Starts an outgoing connection to
     * host:service (service NULL for paths). Never blocks: KP_OK connected,
     * KP_AGAIN in progress (io->need set; the host calls handshake() when
     * ready), KP_ERR with last_error(). */
    kp_result (*connect)(void *ctx, kp_conn *c, void *priv, const char *host, const char *service,
                         kp_io *io);

    /* Base transports, mandatory. The fd the host polls for this connection;
     * stable from accept/connect until close. */
    int (*fd)(void *priv);

    /* Layered transports, mandatory for them. Prepares priv over an already
     * connected base connection. peer_name is the name to verify (and send
     * as SNI) for KP_ROLE_CLIENT, NULL for servers. Returns 0, or -1 with a
     * reason in err (then close() is still called). */
    int (*conn_init)(void *ctx, kp_conn *c, void *priv, kp_role role, const char *peer_name,
                     char *err, size_t errlen);

    /* Drives connection setup: the TLS handshake for layered transports, the
     * completion of an in-progress connect() for base ones. KP_OK: ready for
     * read/write. KP_AGAIN: call again when io->need is satisfied. KP_EOF or
     * KP_ERR: setup failed (last_error()). Optional for base transports
     * (default: KP_OK), mandatory for layered ones. */
    kp_result (*handshake)(kp_conn *c, void *priv, kp_io *io);

    /* Mandatory. Reads up to len (> 0) bytes of application data. */
    kp_result (*read)(kp_conn *c, void *priv, void *buf, size_t len, kp_io *io);

    /* Mandatory. Writes up to len (> 0) bytes; io->done may be less than len
     * (partial write). A layered transport that returned KP_AGAIN must be
     * called again with the same buffer start until it returns KP_OK. */
    kp_result (*write)(kp_conn *c, void *priv, const void *buf, size_t len, kp_io *io);

    /* Optional. Gathering write; default: write() of the first non-empty
     * element. */
    kp_result (*writev)(kp_conn *c, void *priv, const struct iovec *iov, int iovcnt, kp_io *io);

    /* Optional. Non-zero when read() would return data without the fd being
     * readable (plaintext buffered inside a TLS library). Default: 0. The host
     * asks after every successful read and before the loop sleeps. */
    int (*has_pending)(kp_conn *c, void *priv);

    /* Mandatory. Releases every resource priv holds (a base transport closes
     * its fd). Must not block; a layered transport may send a close alert
     * through raw_write and ignore the outcome. Called exactly once for each
     * priv that accept() returned KP_OK on, that connect() was called on
     * (whatever it returned) or that conn_init() was called on (even when it
     * failed); never after an accept() that did not return KP_OK. */
    void (*close)(kp_conn *c, void *priv);

    /* Optional. Text of the last error on this connection; owned by priv and
     * valid until the next op on it. Default: "transport error". */
    const char *(*last_error)(void *priv);

    /* Optional. Formats the peer (remote != 0) or local address of a base
     * connection as "ip:port", "[ipv6]:port" or a path into buf. Returns 0 or
     * -1. Default: "?:0". */
    int (*addr)(void *priv, int remote, char *buf, size_t len);

    /* Optional (KP_CAP_PEER_CERT). Copies a field of the verified peer
     * certificate into out: field is "CN" (subject common name), "URI" (first
     * SAN URI) or "SUBJECT" (full subject, one line). Returns 0, or -1 when
     * absent or unverified. */
    int (*peer_identity)(void *priv, const char *field, char *out, size_t outlen);

    /* Optional, since 1.1. Describes a connection (CLIENT LIST/INFO): e.g.
     * "tls-version", "tls-cipher", "tls-peer-subject". */
    void (*conn_info)(void *priv, kp_info_emit emit, void *sink);

    /* Optional, since 1.1. Called on the new owning thread after the host
     * moved c to another event loop (I/O threads). A plugin with no
     * thread-affine state leaves it NULL. */
    void (*rebind)(kp_conn *c, void *priv);
} kp_transport;

/* Size of kp_transport as ABI 1.0 defined it (everything before conn_info).
 * The host accepts a 1.0 plugin whose struct_size is at least this. */
#define KP_TRANSPORT_SIZE_1_0 offsetof(kp_transport, conn_info)

/* Initialiser for the header of a kp_transport compiled against this file. */
#define KP_TRANSPORT_HEADER                                                                        \
    { KP_ABI_MAJOR, KP_ABI_MINOR, (uint32_t)sizeof(kp_transport) }

/*
 * The entry point. Called once, on the main thread, right after dlopen.
 * A plugin should check host->hdr.abi_major == KP_ABI_MAJOR and that
 * host->hdr.abi_minor is at least the minor it needs. Returns 0 with *out
 * pointing at static storage, or -1 with a reason in err.
 */
typedef int (*kp_transport_entry_fn)(const kp_host_api *host, const kp_transport **out, char *err,
                                     size_t errlen);

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen);

#ifdef __cplusplus
}
#endif

#endif /* KEYPORT_TRANSPORT_H */
