/* Reply trees: release, copy, lookup and type names (see kpclient.h). */
#include <string.h>

#include "kpclient.h"
#include "zmalloc.h"

void kpc_reply_free(kpc_reply *r) {
    if (!r) return;
    if (r->element) {
        for (size_t i = 0; i < r->elements; i++) kpc_reply_free(r->element[i]);
        zfree(r->element);
    }
    kpc_reply_free(r->attribute);
    zfree(r->str);
    zfree(r);
}

const char *kpc_type_name(kpc_type t) {
    switch (t) {
    case KPC_STRING: return "string";
    case KPC_STATUS: return "status";
    case KPC_ERROR: return "error";
    case KPC_INTEGER: return "integer";
    case KPC_NIL: return "nil";
    case KPC_ARRAY: return "array";
    case KPC_MAP: return "map";
    case KPC_SET: return "set";
    case KPC_DOUBLE: return "double";
    case KPC_BOOL: return "bool";
    case KPC_VERBATIM: return "verbatim";
    case KPC_BIGNUM: return "big number";
    case KPC_PUSH: return "push";
    case KPC_ATTRIBUTE: return "attribute";
    }
    return "unknown";
}

int kpc_type_is_aggregate(kpc_type t) {
    switch (t) {
    case KPC_ARRAY:
    case KPC_MAP:
    case KPC_SET:
    case KPC_PUSH:
    case KPC_ATTRIBUTE: return 1;
    default: return 0;
    }
}

kpc_reply *kpc_reply_dup(const kpc_reply *r) {
    if (!r) return NULL;
    kpc_reply *c = zmalloc(sizeof(*c));
    *c = *r;
    if (r->str) {
        c->str = zmalloc(r->len + 1);
        memcpy(c->str, r->str, r->len);
        c->str[r->len] = '\0';
    }
    if (r->element) {
        c->element = zmalloc(sizeof(kpc_reply *) * (r->elements ? r->elements : 1));
        for (size_t i = 0; i < r->elements; i++) c->element[i] = kpc_reply_dup(r->element[i]);
    }
    c->attribute = kpc_reply_dup(r->attribute);
    return c;
}

kpc_reply *kpc_map_get(const kpc_reply *map, const char *key) {
    if (!map || !map->element || (map->type != KPC_MAP && map->type != KPC_ARRAY)) return NULL;
    size_t klen = strlen(key);
    for (size_t i = 0; i + 1 < map->elements; i += 2) {
        const kpc_reply *k = map->element[i];
        if ((k->type == KPC_STRING || k->type == KPC_STATUS) && k->len == klen &&
            memcmp(k->str, key, klen) == 0)
            return map->element[i + 1];
    }
    return NULL;
}
