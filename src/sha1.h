/*
 * SHA-1 (FIPS 180-4), for DEBUG DIGEST: Redis builds its dataset digest
 * from SHA-1, so keyport must too for the digests to match. SHA-1 is not
 * used for anything that needs collision resistance.
 *
 * Usage: sha1_init, any number of sha1_update, sha1_final; or the one-shot
 * sha1(). A context holds no pointers and may be copied.
 * Threading: contexts are independent; no global state.
 */
#ifndef KEYPORT_SHA1_H
#define KEYPORT_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define SHA1_DIGEST_LEN 20
#define SHA1_HEX_LEN 40 /* lower-case hex digest, without terminator */

typedef struct sha1_ctx {
    uint32_t state[5];
    uint64_t total;        /* bytes hashed so far */
    unsigned char buf[64]; /* pending partial block */
    size_t buflen;
} sha1_ctx;

void sha1_init(sha1_ctx *ctx);
void sha1_update(sha1_ctx *ctx, const void *data, size_t len);
/* Writes the 20-byte digest; ctx must be re-initialised before reuse.
 * out may be the memory that was hashed last. */
void sha1_final(sha1_ctx *ctx, unsigned char out[SHA1_DIGEST_LEN]);
void sha1(const void *data, size_t len, unsigned char out[SHA1_DIGEST_LEN]);
/* Writes digest d as 40 lower-case hex characters plus a terminator. */
void sha1_to_hex(const unsigned char d[SHA1_DIGEST_LEN], char out[SHA1_HEX_LEN + 1]);

#endif
