/*
 * A temporary kstr view of (pointer, length) bytes, for looking them up in
 * a dict keyed by kstr: short strings are embedded in the view itself (no
 * allocation), longer ones are copied to the heap. Private to the data
 * types (t_hash*, t_zset*, zset*).
 */
#ifndef KEYPORT_KVIEW_H
#define KEYPORT_KVIEW_H

#include "kstr.h"
#include "kstr_embed.h"

#define KVIEW_EMBED_MAX 200

typedef struct kview {
    kstr s;
    int heap;
    unsigned char buf[KVIEW_EMBED_MAX + 16];
} kview;

/* Makes v->s a kstr equal to p[0..len); release with kview_release. */
static inline kstr kview_make(kview *v, const char *p, size_t len) {
    if (len <= KVIEW_EMBED_MAX) {
        v->heap = 0;
        v->s = kstr_embed(v->buf, p, len);
    } else {
        v->heap = 1;
        v->s = kstr_new(p, len);
    }
    return v->s;
}

static inline void kview_release(kview *v) {
    if (v->heap) kstr_free(v->s);
    v->s = NULL;
    v->heap = 0;
}

#endif
