/* Gathering small iovecs into one buffer so that one TLS record carries
 * them (fewer records: less framing, fewer MACs, fewer syscalls). */
#include <string.h>

#include "tlsc.h"

size_t tlsc_gather(const struct iovec *iov, int iovcnt, size_t skip, char *scratch, size_t cap) {
    size_t used = 0;
    for (int i = 0; i < iovcnt && used < cap; i++) {
        const char *base = (const char *)iov[i].iov_base + (i == 0 ? skip : 0);
        size_t n = iov[i].iov_len - (i == 0 ? skip : 0);
        if (n > cap - used) n = cap - used;
        memcpy(scratch + used, base, n);
        used += n;
    }
    return used;
}

size_t tlsc_iov_total(const struct iovec *iov, int iovcnt) {
    size_t total = 0;
    for (int i = 0; i < iovcnt; i++) total += iov[i].iov_len;
    return total;
}

void tlsc_iov_advance(const struct iovec **iov, int *iovcnt, size_t *skip, size_t n) {
    while (*iovcnt > 0) {
        size_t left = (*iov)->iov_len - *skip;
        if (n < left) {
            *skip += n;
            return;
        }
        n -= left;
        (*iov)++;
        (*iovcnt)--;
        *skip = 0;
    }
}

/* Scratch for gathering small iovecs into one record: per thread, so that
 * idle connections pay nothing for it. */
static __thread char gather_buf[TLSC_RECORD_MAX];

kp_result tlsc_writev(void *conn, tlsc_record_writer write, const struct iovec *iov, int iovcnt,
                      kp_io *io, uint8_t *deferred) {
    size_t skip = 0, total = 0;
    while (iovcnt > 0 && iov[0].iov_len == 0) iov++, iovcnt--;
    while (iovcnt > 0) {
        const char *p;
        size_t len, done;
        size_t first = iov[0].iov_len - skip;
        if (iovcnt == 1 || first >= TLSC_RECORD_MAX) {
            p = (const char *)iov[0].iov_base + skip;
            len = first;
        } else {
            len = tlsc_gather(iov, iovcnt, skip, gather_buf, sizeof(gather_buf));
            p = gather_buf;
        }
        kp_result r = write(conn, p, len, &done, io);
        if (r != KP_OK) {
            if (!total) return r;
            if (r != KP_AGAIN) *deferred = (uint8_t)r;
            break;
        }
        total += done;
        tlsc_iov_advance(&iov, &iovcnt, &skip, done);
        if (done < len) break; /* the socket is full */
    }
    io->done = total;
    return KP_OK;
}
