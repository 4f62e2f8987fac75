/*
 * SHA-1 as specified in FIPS 180-4, section 6.1: 64-byte blocks, an
 * 80-word message schedule and 80 rounds over five 32-bit working
 * variables in four stages (Ch, Parity, Maj, Parity); the message is
 * padded with 0x80, zeros and its length in bits as a big-endian 64-bit
 * number.
 */
#include <string.h>

#include "sha1.h"

static inline uint32_t rotl(uint32_t x, unsigned n) {
    return (x << n) | (x >> (32 - n));
}

static inline uint32_t load_be32(const unsigned char *p) {
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | p[3];
}

static inline void store_be32(unsigned char *p, uint32_t v) {
    p[0] = (unsigned char)(v >> 24);
    p[1] = (unsigned char)(v >> 16);
    p[2] = (unsigned char)(v >> 8);
    p[3] = (unsigned char)v;
}

/* f_t(x, y, z) and K_t of FIPS 180-4, 4.1.1 and 4.2.1, for round t. */
static inline uint32_t round_function(int t, uint32_t x, uint32_t y, uint32_t z) {
    if (t < 20) return (x & y) ^ (~x & z);
    if (t < 40 || t >= 60) return x ^ y ^ z;
    return (x & y) ^ (x & z) ^ (y & z);
}

static inline uint32_t round_constant(int t) {
    static const uint32_t k[4] = {0x5a827999, 0x6ed9eba1, 0x8f1bbcdc, 0xca62c1d6};
    return k[t / 20];
}

static void compress(uint32_t state[5], const unsigned char block[64]) {
    uint32_t w[80];
    for (int t = 0; t < 16; t++) w[t] = load_be32(block + 4 * t);
    for (int t = 16; t < 80; t++) w[t] = rotl(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
    uint32_t a = state[0], b = state[1], c = state[2], d = state[3], e = state[4];
    for (int t = 0; t < 80; t++) {
        uint32_t temp = rotl(a, 5) + round_function(t, b, c, d) + e + round_constant(t) + w[t];
        e = d;
        d = c;
        c = rotl(b, 30);
        b = a;
        a = temp;
    }
    state[0] += a;
    state[1] += b;
    state[2] += c;
    state[3] += d;
    state[4] += e;
}

void sha1_init(sha1_ctx *ctx) {
    /* FIPS 180-4, 5.3.1. */
    static const uint32_t initial[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};
    memcpy(ctx->state, initial, sizeof(initial));
    ctx->total = 0;
    ctx->buflen = 0;
}

void sha1_update(sha1_ctx *ctx, const void *data, size_t len) {
    const unsigned char *p = data;
    ctx->total += len;
    if (ctx->buflen) {
        size_t take = 64 - ctx->buflen;
        if (take > len) take = len;
        memcpy(ctx->buf + ctx->buflen, p, take);
        ctx->buflen += take;
        p += take;
        len -= take;
        if (ctx->buflen < 64) return;
        compress(ctx->state, ctx->buf);
        ctx->buflen = 0;
    }
    for (; len >= 64; p += 64, len -= 64) compress(ctx->state, p);
    memcpy(ctx->buf, p, len);
    ctx->buflen = len;
}

void sha1_final(sha1_ctx *ctx, unsigned char out[SHA1_DIGEST_LEN]) {
    uint64_t bits = ctx->total * 8;
    ctx->buf[ctx->buflen++] = 0x80;
    if (ctx->buflen > 56) {
        memset(ctx->buf + ctx->buflen, 0, 64 - ctx->buflen);
        compress(ctx->state, ctx->buf);
        ctx->buflen = 0;
    }
    memset(ctx->buf + ctx->buflen, 0, 56 - ctx->buflen);
    for (int i = 0; i < 8; i++) ctx->buf[56 + i] = (unsigned char)(bits >> (56 - 8 * i));
    compress(ctx->state, ctx->buf);
    for (int i = 0; i < 5; i++) store_be32(out + 4 * i, ctx->state[i]);
    memset(ctx, 0, sizeof(*ctx));
}

void sha1(const void *data, size_t len, unsigned char out[SHA1_DIGEST_LEN]) {
    sha1_ctx ctx;
    sha1_init(&ctx);
    sha1_update(&ctx, data, len);
    sha1_final(&ctx, out);
}

void sha1_to_hex(const unsigned char d[SHA1_DIGEST_LEN], char out[SHA1_HEX_LEN + 1]) {
    static const char digits[] = "0123456789abcdef";
    for (int i = 0; i < SHA1_DIGEST_LEN; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[SHA1_HEX_LEN] = '\0';
}
