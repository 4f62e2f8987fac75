/*
 * tlscommon: library-independent pieces shared by the TLS transports
 * (OpenSSL and GnuTLS). Each plugin links its own copy (the objects are
 * built with -fvisibility=hidden), so state here is per plugin.
 *
 * Threading: tlsc_init() runs once on the main thread from the plugin's
 * entry point; everything else is safe on any thread unless stated.
 */
#ifndef KEYPORT_TLSC_H
#define KEYPORT_TLSC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>
#include <time.h>

#include "keyport/transport.h"

/* Largest TLS record payload: what one record can carry. */
#define TLSC_RECORD_MAX 16384

/* --- host services (tlsc_host.c) --- */

/* Remembers the host table. Returns 0, or -1 with a reason in err when the
 * host's ABI cannot serve a TLS plugin (major, fingerprint, struct size). */
int tlsc_init(const kp_host_api *host, const char *plugin, char *err, size_t errlen);
/* The host table given to tlsc_init(). */
const kp_host_api *tlsc_host(void);
/* Host allocator (never returns NULL). */
void *tlsc_alloc(size_t n);
void *tlsc_calloc(size_t n, size_t size);
void tlsc_free(void *p);
/* Copy of s (NULL stays NULL). */
char *tlsc_strdup(const char *s);
/* Logs through the host, prefixed with the plugin name given to tlsc_init. */
void tlsc_log(kp_log_level level, const char *fmt, ...) KP_PRINTF(2, 3);

/* --- error text (tlsc_error.c) --- */

/* snprintf into err; tolerates err == NULL or errlen == 0. Returns -1 so
 * that callers can write `return tlsc_errf(...)`. */
int tlsc_errf(char *err, size_t errlen, const char *fmt, ...) KP_PRINTF(3, 4);
/* Appends ": <text>" to what err already holds (truncating safely). */
void tlsc_err_append(char *err, size_t errlen, const char *fmt, ...) KP_PRINTF(3, 4);

/* --- files (tlsc_file.c) --- */

/* Largest file tlsc_read_file accepts (CA bundles are a few hundred KiB). */
#define TLSC_FILE_MAX (16u << 20)

/* Reads the whole file at path into a NUL-terminated host allocation
 * (*data, freed with tlsc_free), its length in *len. what names the
 * directive in errors: "tls-cert-file '/x': cannot open: No such file...".
 * Returns 0 or -1. */
int tlsc_read_file(const char *what, const char *path, char **data, size_t *len, char *err,
                   size_t errlen);
/* Checks that path is a readable directory. Returns 0 or -1 with reason. */
int tlsc_check_dir(const char *what, const char *path, char *err, size_t errlen);

/* --- certificate dates (tlsc_time.c) --- */

/* "2025-01-31 23:59:59 UTC" */
void tlsc_format_utc(time_t t, char *buf, size_t len);
/* Human text for a duration in seconds (sign ignored): "89 days 3 hours",
 * "5 hours 2 minutes", "42 seconds". */
void tlsc_format_duration(long long seconds, char *buf, size_t len);
/* Refuses a certificate outside its validity period at time now. what and
 * path name it in the message, which carries the dates: "tls-cert-file
 * '/x': certificate expired on 2020-01-01 00:00:00 UTC (3 days ago)".
 * Returns 0 or -1. */
int tlsc_check_validity(const char *what, const char *path, time_t not_before, time_t not_after,
                        time_t now, char *err, size_t errlen);
/* Below this many seconds to expiry, loading a certificate logs a warning. */
#define TLSC_EXPIRY_WARN_SECONDS (30LL * 86400)
/* Logs a warning when the certificate expires within the threshold. */
void tlsc_warn_if_expiring(const char *what, const char *path, time_t not_after, time_t now);

/* --- plaintext client on a TLS port (tlsc_sniff.c) --- */

typedef enum tlsc_sniff_verdict {
    TLSC_SNIFF_TLS = 0,      /* a TLS record (or binary: let the library judge) */
    TLSC_SNIFF_PLAINTEXT = 1 /* RESP or an inline command: the client forgot TLS */
} tlsc_sniff_verdict;

/* The reply sent to a plaintext client before the close. */
#define TLSC_PLAINTEXT_REPLY                                                                       \
    "-ERR This port only accepts TLS connections; connect with TLS (e.g. redis-cli --tls)\r\n"

/* Classifies the first bytes a client sent on a TLS port (len > 0). */
tlsc_sniff_verdict tlsc_sniff(const unsigned char *buf, size_t len);
/* Answers a plaintext client: drains what it already sent (so the close
 * is orderly, not a reset that could discard the reply) and writes
 * TLSC_PLAINTEXT_REPLY through host->raw_write, best effort, non-blocking.
 * Owning thread of c. */
void tlsc_reject_plaintext(kp_conn *c);

/* --- gathering writes (tlsc_gather.c) --- */

/* Copies the data of iov[0..iovcnt), minus the first skip bytes of iov[0],
 * into scratch, up to cap bytes (the last element may be copied in part).
 * Returns the number of bytes copied. */
size_t tlsc_gather(const struct iovec *iov, int iovcnt, size_t skip, char *scratch, size_t cap);
/* Total bytes of iov[0..iovcnt). */
size_t tlsc_iov_total(const struct iovec *iov, int iovcnt);
/* Advances *iov / *iovcnt past n bytes; the element where n ends is
 * described by *skip (bytes of it already consumed). */
void tlsc_iov_advance(const struct iovec **iov, int *iovcnt, size_t *skip, size_t n);

/* Writes plaintext through a plugin's record writer: KP_OK with *done bytes
 * taken (possibly fewer than len), or any other result with nothing taken. */
typedef kp_result (*tlsc_record_writer)(void *conn, const char *p, size_t len, size_t *done,
                                        kp_io *io);
/* The writev op of both TLS plugins: small elements are gathered (through a
 * per-thread scratch buffer) into records of up to TLSC_RECORD_MAX bytes,
 * large ones are written in place. Once some bytes went out, a failure is
 * kept in *deferred for the next op and the bytes written are reported. */
kp_result tlsc_writev(void *conn, tlsc_record_writer write, const struct iovec *iov, int iovcnt,
                      kp_io *io, uint8_t *deferred);

/* --- per-context counters (tlsc_stats.c) --- */

/* Updated atomically: handshakes may complete on I/O threads while the
 * main thread reads the counters for INFO. */
typedef struct tlsc_stats {
    unsigned long long handshakes_ok;
    unsigned long long handshakes_failed;
    unsigned long long sessions_resumed;
} tlsc_stats;

void tlsc_stats_handshake(tlsc_stats *s, int ok, int resumed);
/* Emits handshakes_completed, handshakes_failed, sessions_resumed. */
void tlsc_stats_emit(tlsc_stats *s, kp_info_emit emit, void *sink);

/* Emits key = decimal value. */
void tlsc_emit_ll(kp_info_emit emit, void *sink, const char *key, long long v);

/* --- client-side session cache (tlsc_session.c) --- */

/* The most recent resumable session per peer name, for outgoing (client
 * role) contexts with tls-session-caching yes. Sessions are opaque to the
 * cache: the plugin gives two functions at creation, dup (returns a new
 * reference or copy that the caller then owns) and release (drops one).
 * Thread-safe (one mutex): a context is shared by the connections of
 * several threads. Used when a connection starts and when a session
 * arrives, never per record. */
typedef struct tlsc_session_cache tlsc_session_cache;
typedef void *tlsc_session_dup_fn(void *session);
typedef void tlsc_session_release_fn(void *session);

/* Most peers a context remembers; the least recently stored goes first. */
#define TLSC_SESSION_PEERS_MAX 64

tlsc_session_cache *tlsc_session_cache_new(tlsc_session_dup_fn *dup,
                                           tlsc_session_release_fn *release);
/* Releases every stored session, then the cache. NULL is a no-op. */
void tlsc_session_cache_free(tlsc_session_cache *c);
/* Stores session for peer (NULL or "": no name, e.g. a unix socket),
 * taking over the caller's reference and releasing the one it replaces. */
void tlsc_session_cache_put(tlsc_session_cache *c, const char *peer, void *session);
/* A dup of the session stored for peer (the caller releases it), or NULL. */
void *tlsc_session_cache_get(tlsc_session_cache *c, const char *peer);
/* Sessions stored now. */
size_t tlsc_session_cache_count(tlsc_session_cache *c);

/* --- atomic reference counts --- */

static inline void tlsc_ref(int *refs) {
    __atomic_add_fetch(refs, 1, __ATOMIC_RELAXED);
}
/* Returns non-zero when the last reference was dropped. */
static inline int tlsc_unref(int *refs) {
    return __atomic_sub_fetch(refs, 1, __ATOMIC_ACQ_REL) == 0;
}

#endif
