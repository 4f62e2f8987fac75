/* The client-side session cache (see tlsc.h): a small array of
 * (peer name, session) slots under one mutex. Lookups compare at most
 * TLSC_SESSION_PEERS_MAX names, once per outgoing connection. */
#include <pthread.h>
#include <string.h>

#include "tlsc.h"

typedef struct slot {
    char *peer;            /* "" for no name; NULL: free slot */
    void *session;         /* one reference, owned by the cache */
    unsigned long long at; /* store sequence, for eviction */
} slot;

struct tlsc_session_cache {
    pthread_mutex_t lock;
    tlsc_session_dup_fn *dup;
    tlsc_session_release_fn *release;
    unsigned long long seq;
    size_t count;
    slot slots[TLSC_SESSION_PEERS_MAX];
};

tlsc_session_cache *tlsc_session_cache_new(tlsc_session_dup_fn *dup,
                                           tlsc_session_release_fn *release) {
    tlsc_session_cache *c = tlsc_calloc(1, sizeof(*c));
    pthread_mutex_init(&c->lock, NULL);
    c->dup = dup;
    c->release = release;
    return c;
}

void tlsc_session_cache_free(tlsc_session_cache *c) {
    if (!c) return;
    for (size_t i = 0; i < TLSC_SESSION_PEERS_MAX; i++) {
        if (!c->slots[i].peer) continue;
        c->release(c->slots[i].session);
        tlsc_free(c->slots[i].peer);
    }
    pthread_mutex_destroy(&c->lock);
    tlsc_free(c);
}

/* The slot holding peer, or NULL. Called with the lock held. */
static slot *find(tlsc_session_cache *c, const char *peer) {
    for (size_t i = 0; i < TLSC_SESSION_PEERS_MAX; i++)
        if (c->slots[i].peer && !strcmp(c->slots[i].peer, peer)) return &c->slots[i];
    return NULL;
}

/* A free slot, else the least recently stored one (emptied). Lock held;
 * the evicted session is handed back through *old for release outside. */
static slot *take_slot(tlsc_session_cache *c, void **old, char **old_peer) {
    slot *victim = NULL;
    for (size_t i = 0; i < TLSC_SESSION_PEERS_MAX; i++) {
        slot *s = &c->slots[i];
        if (!s->peer) return s;
        if (!victim || s->at < victim->at) victim = s;
    }
    *old = victim->session;
    *old_peer = victim->peer;
    victim->peer = NULL;
    victim->session = NULL;
    c->count--;
    return victim;
}

void tlsc_session_cache_put(tlsc_session_cache *c, const char *peer, void *session) {
    if (!c || !session) return;
    if (!peer) peer = "";
    char *copy = tlsc_strdup(peer);
    void *old = NULL;
    char *old_peer = NULL;
    pthread_mutex_lock(&c->lock);
    slot *s = find(c, peer);
    if (s) {
        old = s->session;
        old_peer = s->peer;
    } else {
        s = take_slot(c, &old, &old_peer);
        c->count++;
    }
    s->peer = copy;
    s->session = session;
    s->at = ++c->seq;
    pthread_mutex_unlock(&c->lock);
    if (old) c->release(old);
    tlsc_free(old_peer);
}

void *tlsc_session_cache_get(tlsc_session_cache *c, const char *peer) {
    if (!c) return NULL;
    if (!peer) peer = "";
    pthread_mutex_lock(&c->lock);
    slot *s = find(c, peer);
    void *session = s ? c->dup(s->session) : NULL;
    pthread_mutex_unlock(&c->lock);
    return session;
}

size_t tlsc_session_cache_count(tlsc_session_cache *c) {
    if (!c) return 0;
    pthread_mutex_lock(&c->lock);
    size_t n = c->count;
    pthread_mutex_unlock(&c->lock);
    return n;
}
