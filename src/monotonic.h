/*
 * A cheap clock for measuring command durations (INFO commandstats). On
 * x86-64 with an invariant TSC (constant_tsc and nonstop_tsc) it reads the
 * TSC directly, about 3 times cheaper than gettimeofday; elsewhere it reads
 * CLOCK_MONOTONIC. Ticks are converted to microseconds with a rate measured
 * against CLOCK_MONOTONIC while the server runs (monotonic_calibrate, from
 * the cron); until then durations come from CLOCK_MONOTONIC itself.
 *
 * Threading: monotonic_init/monotonic_calibrate on the main thread;
 * monotonic_ticks and monotonic_ticks_to_us from any thread.
 */
#ifndef KEYPORT_MONOTONIC_H
#define KEYPORT_MONOTONIC_H

#include <stdint.h>
#include <time.h>
#if defined(__x86_64__)
#include <x86intrin.h>
#endif

extern int monotonic_use_tsc;

void monotonic_init(void);
void monotonic_calibrate(void);
/* Microseconds for a difference of two monotonic_ticks() values. */
double monotonic_ticks_to_us(uint64_t ticks);
/* Human name of the clock in use (INFO server monotonic_clock). */
const char *monotonic_clock_name(void);

static inline uint64_t monotonic_ticks(void) {
#if defined(__x86_64__)
    if (monotonic_use_tsc) return __rdtsc();
#endif
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

#endif
