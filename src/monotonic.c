#include <stdio.h>
#include <string.h>

#include "monotonic.h"

/* 1 once the TSC rate is calibrated (before that, ticks are nanoseconds). */
int monotonic_use_tsc;

static int tsc_usable;
static uint64_t base_tsc, base_ns;
static double ticks_per_us = 1000.0; /* nanosecond ticks */

static uint64_t mono_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Both flags are needed: constant_tsc (fixed rate whatever the frequency)
 * and nonstop_tsc (keeps counting in deep sleep states). */
static int cpu_has_invariant_tsc(void) {
    FILE *fp = fopen("/proc/cpuinfo", "r");
    if (!fp) return 0;
    char line[4096];
    int ok = 0;
    while (fgets(line, sizeof(line), fp)) {
        if (strncmp(line, "flags", 5) != 0) continue;
        ok = strstr(line, " constant_tsc") && strstr(line, " nonstop_tsc");
        break;
    }
    fclose(fp);
    return ok;
}

void monotonic_init(void) {
#if defined(__x86_64__)
    tsc_usable = cpu_has_invariant_tsc();
    if (tsc_usable) {
        base_tsc = __rdtsc();
        base_ns = mono_ns();
    }
#endif
}

void monotonic_calibrate(void) {
#if defined(__x86_64__)
    if (!tsc_usable || monotonic_use_tsc) return;
    uint64_t ns = mono_ns();
    if (ns - base_ns < 200000000ULL) return; /* 200 ms give a rate within 0.1% */
    uint64_t tsc = __rdtsc();
    double rate = (double)(tsc - base_tsc) * 1000.0 / (double)(ns - base_ns);
    if (rate < 100.0) { /* below 100 MHz: not a believable TSC, keep the clock */
        tsc_usable = 0;
        return;
    }
    ticks_per_us = rate;
    __atomic_store_n(&monotonic_use_tsc, 1, __ATOMIC_RELEASE);
#endif
}

double monotonic_ticks_to_us(uint64_t ticks) {
    return (double)ticks / ticks_per_us;
}

const char *monotonic_clock_name(void) {
    return monotonic_use_tsc ? "X86 TSC oscillator" : "POSIX clock_gettime";
}
