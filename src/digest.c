/*
 * DEBUG DIGEST's algorithm, matching Redis 7.0 (see digest.h). Per key:
 * mix the key name, then the type as a big-endian uint32, then the value
 * (strings and list elements mixed in order, integers as decimal text; set
 * members XORed; per hash field and per sorted set member an element
 * digest mixing field then value, or member then score printed with
 * "%.17g", whose SHA-1 is XORed in), then XOR "!!expire!!" when the key
 * has a TTL. The SHA-1 of each key digest is XORed into the result;
 * before the keys of each non-empty database its id is mixed into the
 * result as a big-endian uint32. ("XOR x" always means d ^= SHA1(x).)
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "digest.h"
#include "quicklist.h"
#include "t_hash.h"
#include "t_set.h"
#include "t_zset.h"

void digest_xor(unsigned char d[DIGEST_LEN], const void *p, size_t len) {
    unsigned char h[DIGEST_LEN];
    sha1(p, len, h);
    for (int i = 0; i < DIGEST_LEN; i++) d[i] ^= h[i];
}

void digest_mix(unsigned char d[DIGEST_LEN], const void *p, size_t len) {
    digest_xor(d, p, len);
    sha1(d, DIGEST_LEN, d);
}

static void mix_be32(unsigned char d[DIGEST_LEN], uint32_t v) {
    unsigned char be[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
                           (unsigned char)(v >> 8), (unsigned char)v};
    digest_mix(d, be, sizeof(be));
}

/* XORs into d the digest of a two-part element: e starts at zeros, mixes a
 * then b, and d ^= SHA1(e). */
static void xor_element(unsigned char d[DIGEST_LEN], const void *a, size_t alen, const void *b,
                        size_t blen) {
    unsigned char e[DIGEST_LEN] = {0};
    digest_mix(e, a, alen);
    digest_mix(e, b, blen);
    digest_xor(d, e, DIGEST_LEN);
}

static void mix_string(unsigned char d[DIGEST_LEN], kobj *o) {
    char buf[LONG_STR_SIZE];
    size_t len;
    const char *p = string_obj_ptr(o, buf, sizeof(buf), &len);
    digest_mix(d, p, len);
}

static void mix_list(unsigned char d[DIGEST_LEN], kobj *o) {
    ql_iter it;
    ql_entry e;
    ql_iter_init(&it, o->ptr, QL_HEAD);
    while (ql_next(&it, &e)) {
        if (e.str) {
            digest_mix(d, e.str, e.len);
        } else {
            char buf[LONG_STR_SIZE];
            int n = ll2string(buf, sizeof(buf), e.ival);
            digest_mix(d, buf, (size_t)n);
        }
    }
}

static void xor_set(unsigned char d[DIGEST_LEN], kobj *o) {
    set_iter it;
    set_elem e;
    set_iter_init(&it, o);
    while (set_iter_next(&it, &e)) digest_xor(d, e.s, kstr_len(e.s));
    set_iter_release(&it);
}

static void xor_hash(unsigned char d[DIGEST_LEN], kobj *o) {
    hash_iter it;
    hash_str f, v;
    hash_iter_init(&it, o);
    while (hash_iter_next(&it, &f, &v)) xor_element(d, f.s, f.len, v.s, v.len);
    hash_iter_release(&it);
}

static void xor_zset(unsigned char d[DIGEST_LEN], kobj *o) {
    zset_iter it;
    zset_elem e;
    zset_iter_init_rank(&it, o, 0, 0);
    while (zset_iter_next(&it, &e)) {
        char score[128];
        int n = snprintf(score, sizeof(score), "%.17g", e.score);
        xor_element(d, e.ele, e.len, score, (size_t)n);
    }
}

void digest_value(kdb *db, const kstr key, kobj *o, unsigned char d[DIGEST_LEN]) {
    mix_be32(d, o->type);
    switch (o->type) {
    case OBJ_STRING: mix_string(d, o); break;
    case OBJ_LIST: mix_list(d, o); break;
    case OBJ_SET: xor_set(d, o); break;
    case OBJ_ZSET: xor_zset(d, o); break;
    case OBJ_HASH: xor_hash(d, o); break;
    default: break; /* no other type is stored */
    }
    if (dict_size(db->expires) && dict_find(db->expires, key)) digest_xor(d, "!!expire!!", 10);
}

void digest_dataset(unsigned char out[DIGEST_LEN]) {
    memset(out, 0, DIGEST_LEN);
    for (int j = 0; j < server.dbnum; j++) {
        kdb *db = &server.db[j];
        if (dict_size(db->keys) == 0) continue;
        mix_be32(out, (uint32_t)j);
        dict_iterator it;
        dict_iter_init(&it, db->keys, 0);
        dict_entry *de;
        while ((de = dict_next(&it))) {
            kstr key = de->key;
            unsigned char d[DIGEST_LEN] = {0};
            digest_mix(d, key, kstr_len(key));
            digest_value(db, key, de->v.val, d);
            digest_xor(out, d, DIGEST_LEN);
        }
        dict_iter_reset(&it);
    }
}
