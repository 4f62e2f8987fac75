/* GnuTLS push/pull functions over the host's raw layer
 * (host->raw_read/raw_write), so TLS runs over TCP, unix sockets or any
 * other base transport without touching a file descriptor.
 *
 * GnuTLS pulls exactly what it needs (a 5-byte header, then the record
 * body), which would cost two reads per record. The pull function reads
 * ahead instead: one raw read into a per-thread buffer, the surplus kept in
 * a per-connection allocation that exists only while it holds bytes. What
 * it holds is always whole records or the start of the next one, so
 * has_pending can tell exactly whether a record is waiting there. */
#include <errno.h>
#include <string.h>

#include "gtls.h"

#define AHEAD_READ (TLSC_RECORD_MAX + 2048 + 5) /* one full record and then some */
#define RECORD_HEADER 5

static __thread unsigned char scratch[2 * AHEAD_READ];

static size_t take_ahead(gtls_conn *conn, void *buf, size_t len) {
    size_t have = conn->ahead_len - conn->ahead_off;
    size_t n = have < len ? have : len;
    memcpy(buf, conn->ahead + conn->ahead_off, n);
    conn->ahead_off += (uint32_t)n;
    if (conn->ahead_off == conn->ahead_len) gtls_raw_release(conn);
    return n;
}

static void keep_ahead(gtls_conn *conn, const unsigned char *p, size_t n) {
    conn->ahead = tlsc_alloc(n);
    memcpy(conn->ahead, p, n);
    conn->ahead_len = (uint32_t)n;
    conn->ahead_off = 0;
}

static ssize_t pull(gnutls_transport_ptr_t ptr, void *buf, size_t len) {
    gtls_conn *conn = ptr;
    if (conn->ahead) return (ssize_t)take_ahead(conn, buf, len);
    kp_io io = {0};
    kp_result r = tlsc_host()->raw_read(conn->kc, scratch, sizeof(scratch), &io);
    switch (r) {
    case KP_OK: break;
    case KP_AGAIN:
        conn->raw_need = io.need ? io.need : KP_NEED_READ;
        gnutls_transport_set_errno(conn->session, EAGAIN);
        return -1;
    case KP_EOF: conn->raw_eof = 1; return 0;
    case KP_ERR:
    default:
        conn->raw_err = 1;
        gnutls_transport_set_errno(conn->session, EIO);
        return -1;
    }
    if (conn->sniff) {
        conn->sniff = 0;
        if (tlsc_sniff(scratch, io.done) == TLSC_SNIFF_PLAINTEXT) {
            /* Not a TLS client: stop the handshake here; gtls_handshake
             * answers it in plain text. */
            conn->plaintext = 1;
            gnutls_transport_set_errno(conn->session, EIO);
            return -1;
        }
    }
    size_t n = io.done < len ? io.done : len;
    memcpy(buf, scratch, n);
    if (io.done > n) keep_ahead(conn, scratch + n, io.done - n);
    return (ssize_t)n;
}

static ssize_t push(gnutls_transport_ptr_t ptr, const void *buf, size_t len) {
    gtls_conn *conn = ptr;
    kp_io io = {0};
    switch (tlsc_host()->raw_write(conn->kc, buf, len, &io)) {
    case KP_OK: return (ssize_t)io.done;
    case KP_AGAIN:
        conn->raw_need = io.need ? io.need : KP_NEED_WRITE;
        gnutls_transport_set_errno(conn->session, EAGAIN);
        return -1;
    case KP_EOF: conn->raw_eof = 1; break;
    case KP_ERR:
    default: conn->raw_err = 1; break;
    }
    gnutls_transport_set_errno(conn->session, EPIPE);
    return -1;
}

void gtls_raw_attach(gtls_conn *conn) {
    gnutls_transport_set_ptr(conn->session, conn);
    gnutls_transport_set_pull_function(conn->session, pull);
    gnutls_transport_set_push_function(conn->session, push);
}

int gtls_raw_has_record(const gtls_conn *conn) {
    if (!conn->ahead) return 0;
    size_t have = conn->ahead_len - conn->ahead_off;
    if (have < RECORD_HEADER) return 0;
    const unsigned char *h = conn->ahead + conn->ahead_off;
    return have >= RECORD_HEADER + ((size_t)h[3] << 8 | h[4]);
}

void gtls_raw_release(gtls_conn *conn) {
    tlsc_free(conn->ahead);
    conn->ahead = NULL;
    conn->ahead_len = conn->ahead_off = 0;
}
