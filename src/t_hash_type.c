/*
 * The hash type's storage (see t_hash.h): listpack or hashtable, with the
 * one-way conversion Redis 7.0 performs.
 */
#include <string.h>

#include "kview.h"
#include "listpack.h"
#include "server.h"
#include "t_hash.h"

/* ---------- the hashtable encoding ---------- */

static uint64_t field_hash(const void *k) {
    return dict_gen_hash(k, kstr_len((const kstr)k));
}

static int field_equal(const void *a, const void *b) {
    size_t la = kstr_len((const kstr)a);
    return la == kstr_len((const kstr)b) && memcmp(a, b, la) == 0;
}

static void kstr_destroy(void *p) {
    kstr_free(p);
}

/* kstr field -> kstr value; the dict owns both. */
static const dict_type hash_dict_type = {field_hash, NULL, field_equal, kstr_destroy, kstr_destroy};

static dict_entry *dict_find_field(dict *d, const char *field, size_t flen) {
    kview v;
    dict_entry *de = dict_find(d, kview_make(&v, field, flen));
    kview_release(&v);
    return de;
}

/* ---------- creation and lookups ---------- */

kobj *hash_type_create(void) {
    kobj *o = obj_create(OBJ_HASH, lp_new(0));
    o->encoding = OBJ_ENCODING_LISTPACK;
    return o;
}

unsigned long hash_type_length(const kobj *h) {
    switch (h->encoding) {
    case OBJ_ENCODING_LISTPACK: return lp_length(h->ptr) / 2;
    case OBJ_ENCODING_HT: return dict_size(h->ptr);
    default: panic("hash: unknown encoding %d", h->encoding);
    }
}

static void str_from_lp(const unsigned char *p, hash_str *out) {
    out->s = (const char *)lp_get_str(p, &out->len, out->buf);
}

static void str_from_kstr(const kstr s, hash_str *out) {
    out->s = s;
    out->len = kstr_len(s);
}

/* Finds field in a listpack hash; returns the value's entry or NULL. */
static unsigned char *lp_find_value(unsigned char *lp, const char *field, size_t flen) {
    unsigned char *fptr = lp_first(lp);
    if (!fptr) return NULL;
    fptr = lp_find(lp, fptr, (const unsigned char *)field, flen, 1);
    return fptr ? lp_next(lp, fptr) : NULL;
}

int hash_type_get(kobj *h, const char *field, size_t flen, hash_str *value) {
    if (h->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *vptr = lp_find_value(h->ptr, field, flen);
        if (!vptr) return 0;
        str_from_lp(vptr, value);
        return 1;
    }
    dict_entry *de = dict_find_field(h->ptr, field, flen);
    if (!de) return 0;
    str_from_kstr(de->v.val, value);
    return 1;
}

kobj *hash_type_get_obj(kobj *h, const char *field, size_t flen) {
    hash_str v;
    if (!hash_type_get(h, field, flen, &v)) return NULL;
    return obj_create_string(v.s, v.len);
}

int hash_type_exists(kobj *h, const char *field, size_t flen) {
    hash_str v;
    return hash_type_get(h, field, flen, &v);
}

/* ---------- conversion ---------- */

void hash_type_convert_to_dict(kobj *h) {
    if (h->encoding == OBJ_ENCODING_HT) return;
    unsigned char *lp = h->ptr;
    dict *d = dict_create(&hash_dict_type);
    dict_expand(d, lp_length(lp) / 2);
    for (unsigned char *p = lp_first(lp); p; p = lp_next(lp, lp_next(lp, p))) {
        hash_str f, v;
        str_from_lp(p, &f);
        str_from_lp(lp_next(lp, p), &v);
        kstr key = kstr_new(f.s, f.len);
        if (dict_add(d, key, kstr_new(v.s, v.len)) != DICT_OK)
            panic("hash: listpack holds the field '%.*s' twice", (int)f.len, f.s);
    }
    lp_free(lp);
    h->ptr = d;
    h->encoding = OBJ_ENCODING_HT;
}

void hash_type_try_conversion(kobj *h, kobj **argv, int start, int end) {
    if (h->encoding != OBJ_ENCODING_LISTPACK) return;
    size_t sum = 0;
    for (int i = start; i <= end; i++) {
        if (argv[i]->encoding == OBJ_ENCODING_INT) continue;
        size_t len = kstr_len(argv[i]->ptr);
        if (len > server.hash_max_listpack_value) {
            hash_type_convert_to_dict(h);
            return;
        }
        sum += len;
    }
    if (!lp_safe_to_add(h->ptr, sum)) hash_type_convert_to_dict(h);
}

/* ---------- writes ---------- */

int hash_type_set(kobj *h, const char *field, size_t flen, const char *value, size_t vlen) {
    if (h->encoding == OBJ_ENCODING_LISTPACK &&
        (flen > server.hash_max_listpack_value || vlen > server.hash_max_listpack_value ||
         !lp_safe_to_add(h->ptr, flen + vlen)))
        hash_type_convert_to_dict(h);

    if (h->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = h->ptr;
        unsigned char *vptr = lp_find_value(lp, field, flen);
        int added = vptr == NULL;
        if (vptr) {
            lp = lp_replace(lp, &vptr, (const unsigned char *)value, vlen);
        } else {
            lp = lp_append(lp, (const unsigned char *)field, flen);
            lp = lp_append(lp, (const unsigned char *)value, vlen);
        }
        h->ptr = lp;
        if (added && hash_type_length(h) > server.hash_max_listpack_entries)
            hash_type_convert_to_dict(h);
        return added;
    }

    dict *d = h->ptr;
    dict_entry *de = dict_find_field(d, field, flen);
    if (de) {
        kstr old = de->v.val;
        dict_set_val(d, de, kstr_new(value, vlen));
        kstr_free(old);
        return 0;
    }
    dict_add(d, kstr_new(field, flen), kstr_new(value, vlen));
    return 1;
}

int hash_type_delete(kobj *h, const char *field, size_t flen) {
    if (h->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = h->ptr;
        unsigned char *fptr = lp_first(lp);
        if (!fptr) return 0;
        fptr = lp_find(lp, fptr, (const unsigned char *)field, flen, 1);
        if (!fptr) return 0;
        h->ptr = lp_delete_range_with_entry(lp, &fptr, 2);
        return 1;
    }
    kview v;
    int deleted = dict_delete(h->ptr, kview_make(&v, field, flen)) == DICT_OK;
    kview_release(&v);
    if (deleted) dict_resize_if_needed(h->ptr);
    return deleted;
}

/* ---------- whole-object operations ---------- */

kobj *hash_type_dup(kobj *h) {
    kobj *o;
    if (h->encoding == OBJ_ENCODING_LISTPACK) {
        size_t n = lp_bytes(h->ptr);
        unsigned char *lp = zmalloc(n);
        memcpy(lp, h->ptr, n);
        o = obj_create(OBJ_HASH, lp);
        o->encoding = OBJ_ENCODING_LISTPACK;
        return o;
    }
    dict *src = h->ptr;
    dict *d = dict_create(&hash_dict_type);
    dict_expand(d, dict_size(src));
    dict_iterator it;
    dict_iter_init(&it, src, 0);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL) dict_add(d, kstr_dup(de->key), kstr_dup(de->v.val));
    dict_iter_reset(&it);
    o = obj_create(OBJ_HASH, d);
    o->encoding = OBJ_ENCODING_HT;
    return o;
}

void hash_type_free_payload(kobj *h) {
    switch (h->encoding) {
    case OBJ_ENCODING_LISTPACK: lp_free(h->ptr); break;
    case OBJ_ENCODING_HT: dict_release(h->ptr); break;
    default: panic("hash: unknown encoding %d", h->encoding);
    }
}

size_t hash_type_payload_memory(kobj *h, size_t samples) {
    if (h->encoding == OBJ_ENCODING_LISTPACK) return zmalloc_size(h->ptr);
    dict *d = h->ptr;
    size_t total = sizeof(*d) + dict_buckets(d) * sizeof(dict_entry *);
    size_t n = dict_size(d);
    if (n == 0) return total;
    size_t seen = 0, bytes = 0;
    dict_iterator it;
    dict_iter_init(&it, d, 0);
    dict_entry *de;
    while ((de = dict_next(&it)) != NULL && (samples == 0 || seen < samples)) {
        bytes += sizeof(*de) + kstr_alloc_size(de->key) + kstr_alloc_size(de->v.val);
        seen++;
    }
    dict_iter_reset(&it);
    return total + (seen == n ? bytes : (size_t)((double)bytes / (double)seen * (double)n));
}

size_t hash_type_free_effort(const kobj *h) {
    if (h->encoding == OBJ_ENCODING_HT) return dict_size(h->ptr);
    return 1;
}

/* ---------- iteration ---------- */

void hash_iter_init(hash_iter *it, kobj *h) {
    it->hash = h;
    it->fptr = it->vptr = NULL;
    it->de = NULL;
    if (h->encoding == OBJ_ENCODING_HT) dict_iter_init(&it->di, h->ptr, 0);
}

int hash_iter_next(hash_iter *it, hash_str *field, hash_str *value) {
    kobj *h = it->hash;
    if (h->encoding == OBJ_ENCODING_LISTPACK) {
        unsigned char *lp = h->ptr;
        it->fptr = it->fptr ? lp_next(lp, it->vptr) : lp_first(lp);
        if (!it->fptr) return 0;
        it->vptr = lp_next(lp, it->fptr);
        str_from_lp(it->fptr, field);
        if (value) str_from_lp(it->vptr, value);
        return 1;
    }
    it->de = dict_next(&it->di);
    if (!it->de) return 0;
    str_from_kstr(it->de->key, field);
    if (value) str_from_kstr(it->de->v.val, value);
    return 1;
}

void hash_iter_release(hash_iter *it) {
    if (it->hash->encoding == OBJ_ENCODING_HT) dict_iter_reset(&it->di);
}
