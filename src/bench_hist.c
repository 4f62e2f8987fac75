/*
 * Latency histogram (bench.h): log-linear buckets in microseconds.
 *
 * Index layout, with S = sub_count = 2^k and H = S/2:
 *   v < S:   index v (one bucket per microsecond);
 *   v >= S:  b = floor(log2 v) - k + 1 (>= 1), the bucket width is 2^b and
 *            index = S + (b - 1) * H + ((v >> b) - H).
 * A bucket [low, low + 2^b) with low >= H * 2^b is then narrower than
 * 1 / H of its values, and H >= 10^digits, hence `digits` significant
 * digits. Values from 2^BENCH_HIST_BITS us (about 19 hours) on share the
 * last bucket; min, max and the sum stay exact.
 */
#include <math.h>
#include <string.h>

#include "bench.h"
#include "zmalloc.h"

#define BENCH_HIST_BITS 36

static int bits_for(uint64_t v) {
    return 63 - __builtin_clzll(v);
}

void bench_hist_init(bench_hist *h, int digits) {
    memset(h, 0, sizeof(*h));
    uint64_t need = 2;
    for (int i = 0; i < digits; i++) need *= 10;
    int k = 1;
    while ((1ULL << k) < need) k++;
    h->digits = digits;
    h->sub_bits = k;
    h->sub_count = 1ULL << k;
    h->half = h->sub_count / 2;
    h->nbuckets = (int)(h->sub_count + (uint64_t)(BENCH_HIST_BITS - k) * h->half);
    h->counts = zcalloc(sizeof(uint64_t) * (size_t)h->nbuckets);
    h->min = UINT64_MAX;
}

void bench_hist_free(bench_hist *h) {
    zfree(h->counts);
    h->counts = NULL;
}

void bench_hist_reset(bench_hist *h) {
    memset(h->counts, 0, sizeof(uint64_t) * (size_t)h->nbuckets);
    h->total = h->sum = h->max = 0;
    h->min = UINT64_MAX;
}

static int index_of(const bench_hist *h, uint64_t v) {
    if (v < h->sub_count) return (int)v;
    int b = bits_for(v) - h->sub_bits + 1;
    uint64_t idx = h->sub_count + (uint64_t)(b - 1) * h->half + ((v >> b) - h->half);
    return idx < (uint64_t)h->nbuckets ? (int)idx : h->nbuckets - 1;
}

/* Highest value that falls into bucket idx. */
static uint64_t highest_of(const bench_hist *h, int idx) {
    if ((uint64_t)idx < h->sub_count) return (uint64_t)idx;
    uint64_t k = (uint64_t)idx - h->sub_count;
    int b = (int)(k / h->half) + 1;
    uint64_t sub = k % h->half + h->half;
    return ((sub + 1) << b) - 1;
}

void bench_hist_record(bench_hist *h, uint64_t us) {
    h->counts[index_of(h, us)]++;
    h->total++;
    h->sum += us;
    if (us < h->min) h->min = us;
    if (us > h->max) h->max = us;
}

void bench_hist_merge(bench_hist *h, const bench_hist *from) {
    for (int i = 0; i < h->nbuckets; i++) h->counts[i] += from->counts[i];
    h->total += from->total;
    h->sum += from->sum;
    if (from->min < h->min) h->min = from->min;
    if (from->max > h->max) h->max = from->max;
}

uint64_t bench_hist_percentile(const bench_hist *h, double pct) {
    if (h->total == 0) return 0;
    if (pct <= 0) return h->min;
    if (pct >= 100) return h->max;
    uint64_t want = (uint64_t)ceil(pct / 100.0 * (double)h->total);
    if (want < 1) want = 1;
    uint64_t seen = 0;
    for (int i = 0; i < h->nbuckets; i++) {
        seen += h->counts[i];
        if (seen >= want) {
            uint64_t v = highest_of(h, i);
            return v < h->max ? v : h->max;
        }
    }
    return h->max;
}

double bench_hist_mean(const bench_hist *h) {
    return h->total ? (double)h->sum / (double)h->total : 0.0;
}

uint64_t bench_hist_count_upto(const bench_hist *h, uint64_t us) {
    if (us >= h->max) return h->total;
    uint64_t n = 0;
    int last = index_of(h, us);
    for (int i = 0; i <= last; i++) n += h->counts[i];
    return n;
}

uint64_t bench_hist_iter_upto(bench_hist_iter *it, uint64_t us) {
    const bench_hist *h = it->h;
    if (us >= h->max) return h->total;
    int last = index_of(h, us);
    while (it->idx <= last) it->cum += h->counts[it->idx++];
    return it->cum;
}
