/*
 * rio: the byte stream the RDB code reads and writes, over a file
 * descriptor (buffered), a memory buffer (read) or a growing kstr (write).
 * It keeps the byte offset of the stream and, while enabled, a running
 * CRC64 of every byte that went through it.
 *
 * Errors are sticky: after the first failure every call fails, r->err
 * holds the errno (0 for a read that ran past the end, which sets r->eof).
 *
 * Ownership: a rio owns its buffer and the kstr it writes to (until
 * rio_take_kstr); it never owns or closes the file descriptor. Not
 * thread-safe.
 */
#ifndef KEYPORT_RIO_H
#define KEYPORT_RIO_H

#include <stddef.h>
#include <stdint.h>

#include "kstr.h"

typedef enum rio_kind {
    RIO_FD_READ,
    RIO_FD_WRITE,
    RIO_MEM_READ,
    RIO_KSTR_WRITE,
} rio_kind;

typedef struct rio {
    rio_kind kind;
    unsigned long long offset; /* bytes read or written through the rio */
    uint64_t cksum;            /* CRC64 of the bytes since rio_cksum_start */
    int cksum_on;
    int err; /* errno of the first failure, 0 when none */
    int eof; /* a read wanted bytes past the end of the stream */
    /* RIO_FD_*: the descriptor and the buffer (pending output for writes,
     * read-ahead for reads: bytes [pos, len) not yet consumed). */
    int fd;
    unsigned char *buf;
    size_t cap, len, pos;
    unsigned long long sync_every; /* fsync after this many bytes written, 0 never */
    unsigned long long since_sync;
    unsigned long long limit; /* reads: bytes the stream can still hold at most */
    long long fd_start;       /* descriptor offset at init, -1 when not seekable */
    /* RIO_MEM_READ */
    const unsigned char *mem;
    size_t mem_len, mem_pos;
    /* RIO_KSTR_WRITE */
    kstr out;
} rio;

/* Stream over fd from its current position. For reads of a regular file,
 * the bytes left in the file bound r->limit. */
void rio_init_fd_read(rio *r, int fd);
void rio_init_fd_write(rio *r, int fd);
/* Reads the len bytes at p (borrowed: they must outlive the rio). */
void rio_init_mem_read(rio *r, const unsigned char *p, size_t len);
/* Writes into a new kstr. */
void rio_init_kstr_write(rio *r);
/* Frees the buffer (and the kstr unless taken); pending output of a
 * write stream is dropped: call rio_flush first. */
void rio_release(rio *r);

/* C_OK when all n bytes were written (buffered), else C_ERR. */
int rio_write(rio *r, const void *p, size_t n);
/* C_OK when n bytes were read into p, else C_ERR (r->eof at the end of
 * the stream, r->err on an I/O error). */
int rio_read(rio *r, void *p, size_t n);
/* Writes buffered output to the descriptor. C_OK or C_ERR. */
int rio_flush(rio *r);
/* Write streams: fsync every `bytes` written (0: never). EINVAL and
 * EROFS from fsync (pipes, sockets) are not errors. */
void rio_set_autosync(rio *r, unsigned long long bytes);
/* Starts (or restarts, from 0) the running checksum. */
void rio_cksum_start(rio *r);
void rio_cksum_stop(rio *r);
/* Upper bound of the bytes a read stream can still deliver
 * (ULLONG_MAX when unknown). */
unsigned long long rio_remaining(const rio *r);
/* Read streams over a seekable descriptor: moves the descriptor to just
 * after the last byte consumed, giving the read-ahead back. C_OK, or
 * C_ERR when the descriptor cannot seek. */
int rio_fd_seek_to_consumed(rio *r);
/* The kstr a RIO_KSTR_WRITE stream produced; the caller owns it. */
kstr rio_take_kstr(rio *r);

#endif
