/* Per-context handshake counters (atomic: I/O threads update them while
 * the main thread reads them for INFO). */
#include <stdio.h>

#include "tlsc.h"

void tlsc_stats_handshake(tlsc_stats *s, int ok, int resumed) {
    if (!ok) {
        __atomic_add_fetch(&s->handshakes_failed, 1, __ATOMIC_RELAXED);
        return;
    }
    __atomic_add_fetch(&s->handshakes_ok, 1, __ATOMIC_RELAXED);
    if (resumed) __atomic_add_fetch(&s->sessions_resumed, 1, __ATOMIC_RELAXED);
}

void tlsc_emit_ll(kp_info_emit emit, void *sink, const char *key, long long v) {
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", v);
    emit(sink, key, buf);
}

void tlsc_stats_emit(tlsc_stats *s, kp_info_emit emit, void *sink) {
    tlsc_emit_ll(emit, sink, "handshakes_completed",
                 (long long)__atomic_load_n(&s->handshakes_ok, __ATOMIC_RELAXED));
    tlsc_emit_ll(emit, sink, "handshakes_failed",
                 (long long)__atomic_load_n(&s->handshakes_failed, __ATOMIC_RELAXED));
    tlsc_emit_ll(emit, sink, "sessions_resumed",
                 (long long)__atomic_load_n(&s->sessions_resumed, __ATOMIC_RELAXED));
}
