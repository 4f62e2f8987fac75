/*
 * SHA-256 (FIPS 180-4), for ACL password hashes. The core must not link a
 * crypto library, so this is a small standalone implementation.
 *
 * Usage: sha256_init, any number of sha256_update, sha256_final; or the
 * one-shot sha256(). A context holds no pointers and may be copied.
 * Threading: contexts are independent; no global state.
 */
#ifndef KEYPORT_SHA256_H
#define KEYPORT_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_HEX_LEN 64 /* lower-case hex digest, without terminator */

typedef struct sha256_ctx {
    uint32_t state[8];
    uint64_t total;        /* bytes hashed so far */
    unsigned char buf[64]; /* pending partial block */
    size_t buflen;
} sha256_ctx;

void sha256_init(sha256_ctx *ctx);
void sha256_update(sha256_ctx *ctx, const void *data, size_t len);
/* Writes the 32-byte digest; ctx must be re-initialised before reuse. */
void sha256_final(sha256_ctx *ctx, unsigned char out[SHA256_DIGEST_LEN]);
void sha256(const void *data, size_t len, unsigned char out[SHA256_DIGEST_LEN]);
/* Digest of data as 64 lower-case hex characters plus a terminator. */
void sha256_hex(const void *data, size_t len, char out[SHA256_HEX_LEN + 1]);

#endif
