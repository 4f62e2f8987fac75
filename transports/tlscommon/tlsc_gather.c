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
