/*
 * rio (rio.h): buffered byte streams with an offset and a running CRC64.
 */
#include "rio.h"

#include <errno.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rdb.h"
#include "zmalloc.h"

#define RIO_BUF_SIZE (64 * 1024)

static void init_common(rio *r, rio_kind kind) {
    memset(r, 0, sizeof(*r));
    r->kind = kind;
    r->fd = -1;
    r->fd_start = -1;
    r->limit = ULLONG_MAX;
}

void rio_init_fd_read(rio *r, int fd) {
    init_common(r, RIO_FD_READ);
    r->fd = fd;
    r->cap = RIO_BUF_SIZE;
    r->buf = zmalloc(r->cap);
    off_t pos = lseek(fd, 0, SEEK_CUR);
    r->fd_start = pos;
    struct stat st;
    if (pos >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode))
        r->limit = st.st_size > pos ? (unsigned long long)(st.st_size - pos) : 0;
}

void rio_init_fd_write(rio *r, int fd) {
    init_common(r, RIO_FD_WRITE);
    r->fd = fd;
    r->cap = RIO_BUF_SIZE;
    r->buf = zmalloc(r->cap);
}

void rio_init_mem_read(rio *r, const unsigned char *p, size_t len) {
    init_common(r, RIO_MEM_READ);
    r->mem = p;
    r->mem_len = len;
    r->limit = len;
}

void rio_init_kstr_write(rio *r) {
    init_common(r, RIO_KSTR_WRITE);
    r->out = kstr_empty();
}

void rio_release(rio *r) {
    zfree(r->buf);
    r->buf = NULL;
    if (r->out) kstr_free(r->out);
    r->out = NULL;
}

kstr rio_take_kstr(rio *r) {
    kstr s = r->out;
    r->out = NULL;
    return s;
}

void rio_set_autosync(rio *r, unsigned long long bytes) {
    r->sync_every = bytes;
}

void rio_cksum_start(rio *r) {
    r->cksum = 0;
    r->cksum_on = 1;
}

void rio_cksum_stop(rio *r) {
    r->cksum_on = 0;
}

unsigned long long rio_remaining(const rio *r) {
    if (r->kind == RIO_MEM_READ) return r->mem_len - r->mem_pos;
    if (r->limit == ULLONG_MAX) return ULLONG_MAX;
    return r->limit > r->offset ? r->limit - r->offset : 0;
}

static void account(rio *r, const void *p, size_t n) {
    if (r->cksum_on) r->cksum = crc64(r->cksum, p, n);
    r->offset += n;
}

/* ---------- writing ---------- */

/* Writes n bytes to the descriptor, retrying short writes and EINTR. */
static int write_all(rio *r, const unsigned char *p, size_t n) {
    while (n > 0) {
        ssize_t w = write(r->fd, p, n);
        if (w < 0) {
            if (errno == EINTR) continue;
            r->err = errno;
            return C_ERR;
        }
        if (w == 0) {
            r->err = ENOSPC;
            return C_ERR;
        }
        p += w;
        n -= (size_t)w;
        r->since_sync += (unsigned long long)w;
    }
    if (r->sync_every && r->since_sync >= r->sync_every) {
        if (fsync(r->fd) == -1 && errno != EINVAL && errno != EROFS) {
            r->err = errno;
            return C_ERR;
        }
        r->since_sync = 0;
    }
    return C_OK;
}

int rio_flush(rio *r) {
    if (r->err) return C_ERR;
    if (r->kind != RIO_FD_WRITE || r->len == 0) return C_OK;
    size_t n = r->len;
    r->len = 0;
    return write_all(r, r->buf, n);
}

int rio_write(rio *r, const void *p, size_t n) {
    if (r->err) return C_ERR;
    if (r->kind == RIO_KSTR_WRITE) {
        r->out = kstr_cat(r->out, p, n);
        account(r, p, n);
        return C_OK;
    }
    if (r->kind != RIO_FD_WRITE) {
        r->err = EBADF;
        return C_ERR;
    }
    account(r, p, n);
    if (r->len + n <= r->cap) {
        memcpy(r->buf + r->len, p, n);
        r->len += n;
        return C_OK;
    }
    if (rio_flush(r) == C_ERR) return C_ERR;
    if (n >= r->cap) return write_all(r, p, n);
    memcpy(r->buf, p, n);
    r->len = n;
    return C_OK;
}

/* ---------- reading ---------- */

/* Reads at most n bytes from the descriptor: > 0, 0 at the end, -1 on an
 * error (r->err set). */
static ssize_t read_some(rio *r, unsigned char *p, size_t n) {
    for (;;) {
        ssize_t got = read(r->fd, p, n);
        if (got >= 0) return got;
        if (errno == EINTR) continue;
        r->err = errno;
        return -1;
    }
}

static int read_fd(rio *r, unsigned char *p, size_t n) {
    while (n > 0) {
        size_t have = r->len - r->pos;
        if (have > 0) {
            size_t take = have < n ? have : n;
            memcpy(p, r->buf + r->pos, take);
            r->pos += take;
            p += take;
            n -= take;
            continue;
        }
        /* Large reads go straight to the destination. */
        unsigned char *dst = n >= r->cap ? p : r->buf;
        size_t want = n >= r->cap ? n : r->cap;
        ssize_t got = read_some(r, dst, want);
        if (got < 0) return C_ERR;
        if (got == 0) {
            r->eof = 1;
            return C_ERR;
        }
        if (dst == p) {
            p += got;
            n -= (size_t)got;
        } else {
            r->pos = 0;
            r->len = (size_t)got;
        }
    }
    return C_OK;
}

int rio_read(rio *r, void *p, size_t n) {
    if (r->err || r->eof) return C_ERR;
    if (r->kind == RIO_MEM_READ) {
        if (n > r->mem_len - r->mem_pos) {
            r->eof = 1;
            return C_ERR;
        }
        memcpy(p, r->mem + r->mem_pos, n);
        r->mem_pos += n;
    } else if (r->kind == RIO_FD_READ) {
        if (read_fd(r, p, n) == C_ERR) return C_ERR;
    } else {
        r->err = EBADF;
        return C_ERR;
    }
    account(r, p, n);
    return C_OK;
}

int rio_fd_seek_to_consumed(rio *r) {
    if (r->kind != RIO_FD_READ || r->fd_start < 0) return C_ERR;
    off_t target = (off_t)(r->fd_start + (long long)r->offset);
    if (lseek(r->fd, target, SEEK_SET) != target) return C_ERR;
    r->pos = r->len = 0;
    return C_OK;
}
