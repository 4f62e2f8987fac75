/*
 * Values (kobj, server.h). Strings come in three encodings: RAW (ptr is a
 * heap kstr), EMBSTR (the kstr lives in the object's own allocation, for
 * at most OBJ_EMBSTR_SIZE_LIMIT bytes) and INT (ptr holds the number).
 * Integers 0..OBJ_SHARED_INTEGERS-1 are shared objects with refcount
 * INT_MAX, never freed.
 *
 * Reference counts are not atomic: objects belong to the main thread, and
 * only unshared objects (refcount 1) are handed to the lazy-free thread.
 */
#include <limits.h>
#include <math.h>
#include <string.h>

#include "keyspace.h"
#include "kstr_embed.h"
#include "server.h"
#include "t_list.h"
#include "t_set.h"
#include "t_hash.h"
#include "t_zset.h"

kobj *shared_integers[OBJ_SHARED_INTEGERS];

unsigned int obj_lru_clock(void) {
    long long ms = server.mstime ? server.mstime : mstime();
    return (unsigned int)((ms / 1000) & OBJ_LRU_CLOCK_MAX);
}

unsigned long long obj_idle_ms(const kobj *o) {
    unsigned int now = obj_lru_clock();
    if (now >= o->lru) return (unsigned long long)(now - o->lru) * 1000ULL;
    /* The 24-bit clock wrapped once since the access. */
    return (unsigned long long)(now + (OBJ_LRU_CLOCK_MAX - o->lru)) * 1000ULL;
}

kobj *obj_create(int type, void *ptr) {
    kobj *o = zmalloc(sizeof(*o));
    o->type = (unsigned)type;
    o->encoding = OBJ_ENCODING_RAW;
    o->lru = obj_lru_clock();
    o->refcount = 1;
    o->ptr = ptr;
    return o;
}

kobj *obj_create_raw_string(const char *p, size_t len) {
    return obj_create(OBJ_STRING, kstr_new(p, len));
}

/* One allocation: the object, then the string header and bytes. */
static kobj *create_embedded_string(const char *p, size_t len) {
    kobj *o = zmalloc(sizeof(*o) + kstr_embed_size(len));
    o->type = OBJ_STRING;
    o->encoding = OBJ_ENCODING_EMBSTR;
    o->lru = obj_lru_clock();
    o->refcount = 1;
    o->ptr = kstr_embed(o + 1, p, len);
    return o;
}

kobj *obj_create_string(const char *p, size_t len) {
    if (len <= OBJ_EMBSTR_SIZE_LIMIT) return create_embedded_string(p, len);
    return obj_create_raw_string(p, len);
}

kobj *obj_create_from_kstr(kstr s) {
    return obj_create(OBJ_STRING, s);
}

kobj *obj_create_from_ll(long long v) {
    if (v >= 0 && v < OBJ_SHARED_INTEGERS && shared_integers[v]) return shared_integers[v];
    if (v >= LONG_MIN && v <= LONG_MAX) {
        kobj *o = obj_create(OBJ_STRING, NULL);
        o->encoding = OBJ_ENCODING_INT;
        o->ptr = (void *)(long)v;
        return o;
    }
    return obj_create_from_kstr(kstr_from_ll(v));
}

kobj *obj_create_from_long_double(long double v, int humanfriendly) {
    char buf[5 * 1024];
    int len = ld2string(buf, sizeof(buf), v, humanfriendly);
    return obj_create_string(buf, (size_t)len);
}

kobj *obj_dup_string(kobj *o) {
    switch (o->encoding) {
    case OBJ_ENCODING_RAW: return obj_create_raw_string(o->ptr, kstr_len(o->ptr));
    case OBJ_ENCODING_EMBSTR: return create_embedded_string(o->ptr, kstr_len(o->ptr));
    case OBJ_ENCODING_INT: {
        kobj *d = obj_create(OBJ_STRING, o->ptr);
        d->encoding = OBJ_ENCODING_INT;
        return d;
    }
    default: panic("obj_dup_string: bad encoding %d", o->encoding);
    }
}

void obj_create_shared(void) {
    if (shared_integers[0]) return;
    for (long i = 0; i < OBJ_SHARED_INTEGERS; i++) {
        kobj *o = obj_create(OBJ_STRING, (void *)i);
        o->encoding = OBJ_ENCODING_INT;
        o->refcount = INT_MAX;
        shared_integers[i] = o;
    }
}

void incr_ref(kobj *o) {
    if (o->refcount != INT_MAX) o->refcount++;
}

static void free_string_payload(kobj *o) {
    if (o->encoding == OBJ_ENCODING_RAW) kstr_free(o->ptr);
}

void decr_ref(kobj *o) {
    if (o->refcount == INT_MAX) return;
    if (o->refcount <= 0) panic("decr_ref against refcount %d", o->refcount);
    if (--o->refcount > 0) return;
    switch (o->type) {
    case OBJ_STRING: free_string_payload(o); break;
    case OBJ_SET: set_type_free_payload(o); break;
    case OBJ_LIST: list_type_free_payload(o); break;
    case OBJ_HASH: hash_type_free_payload(o); break;
    case OBJ_ZSET: zset_type_free_payload(o); break;
    default: panic("decr_ref: no destructor for object type %d", o->type);
    }
    zfree(o);
}

void decr_ref_void(void *o) {
    decr_ref(o);
}

size_t obj_free_effort(const kobj *o) {
    switch (o->type) {
    case OBJ_SET: return set_type_free_effort(o);
    case OBJ_LIST: return list_type_free_effort(o);
    case OBJ_HASH: return hash_type_free_effort(o);
    case OBJ_ZSET: return zset_type_free_effort(o);
    default: return 1; /* strings: one or two blocks */
    }
}

/* Keeps at most 10% slack in large RAW strings that will be stored. */
static void trim_string_if_needed(kobj *o) {
    if (o->encoding != OBJ_ENCODING_RAW) return;
    size_t len = kstr_len(o->ptr);
    if (kstr_avail(o->ptr) > len / 10) o->ptr = kstr_shrink(o->ptr);
}

kobj *obj_try_encode(kobj *o) {
    if (o->type != OBJ_STRING) return o;
    if (o->encoding != OBJ_ENCODING_RAW && o->encoding != OBJ_ENCODING_EMBSTR) return o;
    /* Someone else holds it: changing it in place would surprise them. */
    if (o->refcount > 1) return o;

    kstr s = o->ptr;
    size_t len = kstr_len(s);
    long value;
    if (len <= 20 && string2l(s, len, &value)) {
        if (value >= 0 && value < OBJ_SHARED_INTEGERS && shared_integers[value]) {
            decr_ref(o);
            return shared_integers[value];
        }
        if (o->encoding == OBJ_ENCODING_RAW) {
            kstr_free(s);
            o->encoding = OBJ_ENCODING_INT;
            o->ptr = (void *)value;
            return o;
        }
        decr_ref(o);
        return obj_create_from_ll(value);
    }
    if (len <= OBJ_EMBSTR_SIZE_LIMIT) {
        if (o->encoding == OBJ_ENCODING_EMBSTR) return o;
        kobj *emb = create_embedded_string(s, len);
        decr_ref(o);
        return emb;
    }
    trim_string_if_needed(o);
    return o;
}

kobj *obj_get_decoded(kobj *o) {
    if (o->encoding == OBJ_ENCODING_RAW || o->encoding == OBJ_ENCODING_EMBSTR) {
        incr_ref(o);
        return o;
    }
    if (o->type == OBJ_STRING && o->encoding == OBJ_ENCODING_INT) {
        char buf[LONG_STR_SIZE];
        int n = ll2string(buf, sizeof(buf), (long)o->ptr);
        return obj_create_string(buf, (size_t)n);
    }
    panic("obj_get_decoded: not a string object");
}

size_t string_obj_len(kobj *o) {
    if (o->encoding == OBJ_ENCODING_INT) {
        char buf[LONG_STR_SIZE];
        return (size_t)ll2string(buf, sizeof(buf), (long)o->ptr);
    }
    return kstr_len(o->ptr);
}

const char *string_obj_ptr(kobj *o, char *buf, size_t buflen, size_t *len) {
    if (o->encoding == OBJ_ENCODING_INT) {
        *len = (size_t)ll2string(buf, buflen, (long)o->ptr);
        return buf;
    }
    *len = kstr_len(o->ptr);
    return o->ptr;
}

int string_obj_equal(kobj *a, kobj *b) {
    if (a->encoding == OBJ_ENCODING_INT && b->encoding == OBJ_ENCODING_INT) return a->ptr == b->ptr;
    char ba[LONG_STR_SIZE], bb[LONG_STR_SIZE];
    size_t la, lb;
    const char *pa = string_obj_ptr(a, ba, sizeof(ba), &la);
    const char *pb = string_obj_ptr(b, bb, sizeof(bb), &lb);
    return la == lb && memcmp(pa, pb, la) == 0;
}

int obj_get_ll(kobj *o, long long *v) {
    long long value = 0;
    if (o) {
        if (o->type != OBJ_STRING) return C_ERR;
        if (o->encoding == OBJ_ENCODING_INT)
            value = (long)o->ptr;
        else if (!string2ll(o->ptr, kstr_len(o->ptr), &value))
            return C_ERR;
    }
    if (v) *v = value;
    return C_OK;
}

int obj_get_long_double(kobj *o, long double *v) {
    long double value = 0;
    if (o) {
        if (o->type != OBJ_STRING) return C_ERR;
        if (o->encoding == OBJ_ENCODING_INT)
            value = (long)o->ptr;
        else if (!string2ld(o->ptr, kstr_len(o->ptr), &value))
            return C_ERR;
    }
    if (v) *v = value;
    return C_OK;
}

int obj_get_double(kobj *o, double *v) {
    double value = 0;
    if (o) {
        if (o->type != OBJ_STRING) return C_ERR;
        if (o->encoding == OBJ_ENCODING_INT)
            value = (double)(long)o->ptr;
        else if (!string2d(o->ptr, kstr_len(o->ptr), &value))
            return C_ERR;
    }
    if (v) *v = value;
    return C_OK;
}

const char *obj_type_name(kobj *o) {
    if (!o) return "none";
    switch (o->type) {
    case OBJ_STRING: return "string";
    case OBJ_LIST: return "list";
    case OBJ_SET: return "set";
    case OBJ_ZSET: return "zset";
    case OBJ_HASH: return "hash";
    default: return "unknown";
    }
}

const char *obj_encoding_name(int encoding) {
    switch (encoding) {
    case OBJ_ENCODING_RAW: return "raw";
    case OBJ_ENCODING_INT: return "int";
    case OBJ_ENCODING_HT: return "hashtable";
    case OBJ_ENCODING_INTSET: return "intset";
    case OBJ_ENCODING_SKIPLIST: return "skiplist";
    case OBJ_ENCODING_EMBSTR: return "embstr";
    case OBJ_ENCODING_QUICKLIST: return "quicklist";
    case OBJ_ENCODING_LISTPACK: return "listpack";
    default: return "unknown";
    }
}

size_t obj_memory_usage(kobj *o) {
    if (o->type == OBJ_STRING) {
        switch (o->encoding) {
        case OBJ_ENCODING_INT: return zmalloc_size(o);
        case OBJ_ENCODING_EMBSTR: return zmalloc_size(o);
        default: return zmalloc_size(o) + kstr_alloc_size(o->ptr);
        }
    }
    if (o->type == OBJ_SET) return zmalloc_size(o) + set_type_payload_memory(o, 0);
    if (o->type == OBJ_LIST) return zmalloc_size(o) + list_type_payload_memory(o);
    if (o->type == OBJ_HASH) return zmalloc_size(o) + hash_type_payload_memory(o, 0);
    if (o->type == OBJ_ZSET) return zmalloc_size(o) + zset_type_payload_memory(o, 0);
    return zmalloc_size(o);
}
