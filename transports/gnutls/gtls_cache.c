/* The server-side session cache for TLS 1.2 session IDs (TLS 1.3 and
 * ticket-capable clients resume with tickets instead). GnuTLS asks the
 * application to store sessions; this is a bounded hash table with FIFO
 * eviction and a per-entry deadline, honouring tls-session-cache-size and
 * tls-session-cache-timeout. One mutex: handshakes may run on several I/O
 * threads, and a cache operation is a few hundred nanoseconds. */
#include <string.h>

#include "gtls.h"

#define KEY_MAX 64 /* session IDs are at most 32 bytes */
#define NBUCKETS 1024

typedef struct entry {
    struct entry *next;          /* bucket chain */
    struct entry *older, *newer; /* FIFO, for eviction */
    int64_t deadline_us;         /* monotonic */
    unsigned key_len, data_len;
    unsigned char key[KEY_MAX];
    unsigned char data[];
} entry;

struct gtls_cache {
    pthread_mutex_t lock;
    entry *buckets[NBUCKETS];
    entry *oldest, *newest;
    long long count, max, timeout;
};

gtls_cache *gtls_cache_new(long long max, long long timeout) {
    gtls_cache *c = tlsc_calloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->max = max;
    c->timeout = timeout;
    return c;
}

static unsigned bucket_of(const unsigned char *k, unsigned n) {
    unsigned h = 2166136261u; /* FNV-1a; IDs are random already */
    for (unsigned i = 0; i < n; i++) h = (h ^ k[i]) * 16777619u;
    return h % NBUCKETS;
}

static entry **find(gtls_cache *c, const unsigned char *k, unsigned n) {
    entry **p = &c->buckets[bucket_of(k, n)];
    for (; *p; p = &(*p)->next)
        if ((*p)->key_len == n && !memcmp((*p)->key, k, n)) return p;
    return p;
}

/* Unlinks e (found at *slot) from its bucket and the FIFO and frees it. */
static void drop(gtls_cache *c, entry **slot) {
    entry *e = *slot;
    *slot = e->next;
    if (e->older)
        e->older->newer = e->newer;
    else
        c->oldest = e->newer;
    if (e->newer)
        e->newer->older = e->older;
    else
        c->newest = e->older;
    c->count--;
    gnutls_memset(e->data, 0, e->data_len); /* session secrets */
    tlsc_free(e);
}

static void drop_entry(gtls_cache *c, entry *e) {
    entry **slot = find(c, e->key, e->key_len);
    if (*slot == e) drop(c, slot);
}

static int store_cb(void *ud, gnutls_datum_t key, gnutls_datum_t data) {
    gtls_cache *c = ud;
    if (key.size == 0 || key.size > KEY_MAX || data.size == 0) return -1;
    entry *e = tlsc_alloc(sizeof(*e) + data.size);
    memset(e, 0, sizeof(*e));
    e->key_len = key.size;
    memcpy(e->key, key.data, key.size);
    e->data_len = data.size;
    memcpy(e->data, data.data, data.size);
    e->deadline_us = tlsc_host()->monotonic_us() + c->timeout * 1000000LL;
    pthread_mutex_lock(&c->lock);
    entry **slot = find(c, key.data, key.size);
    if (*slot) drop(c, slot);
    while (c->max > 0 && c->count >= c->max && c->oldest) drop_entry(c, c->oldest);
    slot = find(c, key.data, key.size);
    e->next = NULL;
    *slot = e;
    e->older = c->newest;
    if (c->newest)
        c->newest->newer = e;
    else
        c->oldest = e;
    c->newest = e;
    c->count++;
    pthread_mutex_unlock(&c->lock);
    return 0;
}

/* GnuTLS frees what this returns with gnutls_free. */
static gnutls_datum_t retrieve_cb(void *ud, gnutls_datum_t key) {
    gtls_cache *c = ud;
    gnutls_datum_t out = {NULL, 0};
    if (key.size == 0 || key.size > KEY_MAX) return out;
    pthread_mutex_lock(&c->lock);
    entry **slot = find(c, key.data, key.size);
    if (*slot && (*slot)->deadline_us < tlsc_host()->monotonic_us()) drop(c, slot);
    if (*slot) {
        out.data = gnutls_malloc((*slot)->data_len);
        if (out.data) {
            memcpy(out.data, (*slot)->data, (*slot)->data_len);
            out.size = (*slot)->data_len;
        }
    }
    pthread_mutex_unlock(&c->lock);
    return out;
}

static int remove_cb(void *ud, gnutls_datum_t key) {
    gtls_cache *c = ud;
    if (key.size == 0 || key.size > KEY_MAX) return -1;
    pthread_mutex_lock(&c->lock);
    entry **slot = find(c, key.data, key.size);
    int found = *slot != NULL;
    if (found) drop(c, slot);
    pthread_mutex_unlock(&c->lock);
    return found ? 0 : -1;
}

void gtls_cache_attach(gtls_cache *c, gnutls_session_t s) {
    gnutls_db_set_ptr(s, c);
    gnutls_db_set_store_function(s, store_cb);
    gnutls_db_set_retrieve_function(s, retrieve_cb);
    gnutls_db_set_remove_function(s, remove_cb);
}

void gtls_cache_free(gtls_cache *c) {
    if (!c) return;
    while (c->oldest) drop_entry(c, c->oldest);
    pthread_mutex_destroy(&c->lock);
    tlsc_free(c);
}
