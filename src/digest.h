/*
 * Dataset digests as Redis 7.0 computes them for DEBUG DIGEST and DEBUG
 * DIGEST-VALUE, bit for bit, so that tools comparing a keyport dataset
 * with a Redis one (or with itself after a reload) can use them.
 *
 * A digest is 20 bytes (SHA-1 sized), shown as 40 lower-case hex digits;
 * all zeros means "nothing". Ordered things are mixed in sequence
 * (digest = SHA1(digest xor SHA1(data))), unordered ones (keys, set
 * members, hash fields, sorted set members) are XORed in (digest ^=
 * SHA1(data)), so hash order does not matter.
 *
 * Threading: main thread (reads server.db).
 */
#ifndef KEYPORT_DIGEST_H
#define KEYPORT_DIGEST_H

#include <stddef.h>

#include "server.h"
#include "sha1.h"

#define DIGEST_LEN SHA1_DIGEST_LEN
#define DIGEST_HEX_LEN SHA1_HEX_LEN

/* d ^= SHA1(p[0..len)). */
void digest_xor(unsigned char d[DIGEST_LEN], const void *p, size_t len);
/* d = SHA1(d ^ SHA1(p[0..len))). */
void digest_mix(unsigned char d[DIGEST_LEN], const void *p, size_t len);
/* Mixes into d the digest of value o stored at key in db: its type, its
 * contents and whether key has a TTL (Redis' xorObjectDigest). d is not
 * reset first; DEBUG DIGEST-VALUE starts it at zeros. */
void digest_value(kdb *db, const kstr key, kobj *o, unsigned char d[DIGEST_LEN]);
/* The digest of every key of every database (Redis' computeDatasetDigest):
 * zeros when the dataset is empty. Keys whose TTL has passed but that are
 * still stored count, as in Redis. */
void digest_dataset(unsigned char out[DIGEST_LEN]);

#endif
