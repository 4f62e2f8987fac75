/*
 * Latency tools: PING round trips measured on the monotonic clock, one
 * sample every 10 ms.
 *  --latency          on a terminal, a live "min: .., max: .., avg: .. (N
 *                     samples)" line; otherwise (--raw, --csv, piped) one
 *                     line "min max avg samples" after -i seconds (default 1);
 *  --latency-history  the same, one line per -i seconds (default 15);
 *  --latency-dist     a colored spectrum per -i seconds (default 1).
 * Times are shown in milliseconds.
 */
#include <string.h>
#include <unistd.h>

#include "cli.h"

#define LATENCY_SAMPLE_MS 10

typedef struct lat_stats {
    long long min_us, max_us, total_us, samples;
} lat_stats;

static void lat_reset(lat_stats *s) {
    memset(s, 0, sizeof(*s));
    s->min_us = -1;
}

static void lat_add(lat_stats *s, long long us) {
    if (s->min_us < 0 || us < s->min_us) s->min_us = us;
    if (us > s->max_us) s->max_us = us;
    s->total_us += us;
    s->samples++;
}

/* One PING; the round trip in microseconds, or -1 when the connection
 * failed (the reason is printed and the caller exits). */
static long long ping_us(void) {
    char err[512];
    long long start = ae_ustime_monotonic();
    kpc_reply *r = cli_callv(err, sizeof(err), "PING", NULL);
    long long us = ae_ustime_monotonic() - start;
    if (!r) {
        if (!cli_interrupted) {
            kstr msg = cli_explain_error(kstr_empty(), err);
            fprintf(stderr, "\nError: %s\n", msg);
            kstr_free(msg);
        }
        return -1;
    }
    int bad = r->type == KPC_ERROR;
    if (bad) fprintf(stderr, "\nError: PING failed: %s\n", r->str);
    kpc_reply_free(r);
    return bad ? -1 : us;
}

static void print_stats(const lat_stats *s, int live) {
    long long min = s->min_us < 0 ? 0 : s->min_us / 1000;
    double avg = s->samples ? (double)s->total_us / (double)s->samples / 1000.0 : 0;
    if (live)
        printf("\033[0G\033[2Kmin: %lld, max: %lld, avg: %.2f (%lld samples)", min,
               s->max_us / 1000, avg, s->samples);
    else if (config.output == CLI_OUT_CSV)
        printf("%lld,%lld,%.2f,%lld\n", min, s->max_us / 1000, avg, s->samples);
    else
        printf("%lld %lld %.2f %lld\n", min, s->max_us / 1000, avg, s->samples);
    fflush(stdout);
}

int cli_latency_mode(void) {
    if (cli_connect(0)) return 1;
    int history = config.mode == CLI_MODE_LATENCY_HISTORY;
    int live = config.output == CLI_OUT_STANDARD && isatty(STDOUT_FILENO);
    long long interval_ms =
        config.interval_set ? config.interval_us / 1000 : (history ? 15000 : 1000);
    if (interval_ms <= 0) interval_ms = 1;
    lat_stats s;
    lat_reset(&s);
    long long start = ae_mstime();
    for (;;) {
        long long us = ping_us();
        if (us < 0) return cli_interrupted ? 0 : 1;
        lat_add(&s, us);
        if (!live) {
            if (ae_mstime() - start >= interval_ms) {
                print_stats(&s, 0);
                if (!history) return 0;
                lat_reset(&s);
                start = ae_mstime();
            }
        } else {
            print_stats(&s, 1);
            if (history && ae_mstime() - start >= interval_ms) {
                printf(" -- %.2f seconds range\n", (double)(ae_mstime() - start) / 1000.0);
                fflush(stdout);
                lat_reset(&s);
                start = ae_mstime();
            }
        }
        cli_sleep_ms(LATENCY_SAMPLE_MS);
        if (cli_interrupted) return 0;
    }
}

/* ---------- --latency-dist ---------- */

/* Bucket upper bounds in microseconds, and the character drawn for each. */
static const struct {
    long long max_us;
    char ch;
} buckets[] = {{10, '.'},      {125, '-'},     {250, '*'},      {500, '#'},      {1000, '1'},
               {2000, '2'},    {3000, '3'},    {4000, '4'},     {5000, '5'},     {6000, '6'},
               {7000, '7'},    {8000, '8'},    {9000, '9'},     {10000, 'A'},    {20000, 'B'},
               {30000, 'C'},   {40000, 'D'},   {50000, 'E'},    {100000, 'F'},   {200000, 'G'},
               {300000, 'H'},  {400000, 'I'},  {500000, 'J'},   {1000000, 'K'},  {2000000, 'L'},
               {4000000, 'M'}, {8000000, 'N'}, {16000000, 'O'}, {30000000, 'P'}, {60000000, 'Q'},
               {-1, '?'}};
#define NBUCKETS ((int)(sizeof(buckets) / sizeof(buckets[0])))

/* 256-color shades from dark (few samples) to red (most). */
static const int palette[] = {0,   233, 234, 235, 237, 239, 241, 243, 245, 247,
                              144, 143, 142, 184, 226, 214, 208, 202, 196};
#define NPALETTE ((int)(sizeof(palette) / sizeof(palette[0])))

static int bucket_of(long long us) {
    for (int i = 0; i < NBUCKETS - 1; i++)
        if (us <= buckets[i].max_us) return i;
    return NBUCKETS - 1;
}

static void dist_legend(void) {
    printf("---------------------------------------------\n"
           ". - * #          .01 .125 .25 .5 milliseconds\n"
           "1,2,3,...,9      from 1 to 9     milliseconds\n"
           "A,B,C,D,E        10,20,30,40,50  milliseconds\n"
           "F,G,H,I,J        .1,.2,.3,.4,.5       seconds\n"
           "K,L,M,N,O,P,Q,?  1,2,4,8,16,30,60,>60 seconds\n"
           "From 0 to 100%%: ");
    for (int i = 0; i < NPALETTE; i++) printf("\033[48;5;%dm ", palette[i]);
    printf("\033[0m\n---------------------------------------------\n");
}

static void dist_row(const long long *counts, long long total) {
    printf("\033[38;5;0m");
    for (int i = 0; i < NBUCKETS; i++) {
        int shade = total ? (int)((counts[i] * (NPALETTE - 1) + total - 1) / total) : 0;
        if (shade >= NPALETTE) shade = NPALETTE - 1;
        printf("\033[48;5;%dm%c", palette[shade], buckets[i].ch);
    }
    printf("\033[0m\n");
    fflush(stdout);
}

int cli_latency_dist_mode(void) {
    if (cli_connect(0)) return 1;
    long long interval_ms = config.interval_set ? config.interval_us / 1000 : 1000;
    if (interval_ms <= 0) interval_ms = 1;
    long long counts[NBUCKETS];
    memset(counts, 0, sizeof(counts));
    long long total = 0, start = ae_mstime(), rows = 0;
    for (;;) {
        long long us = ping_us();
        if (us < 0) return cli_interrupted ? 0 : 1;
        counts[bucket_of(us)]++;
        total++;
        if (ae_mstime() - start >= interval_ms) {
            if (rows++ % 20 == 0) dist_legend();
            dist_row(counts, total);
            memset(counts, 0, sizeof(counts));
            total = 0;
            start = ae_mstime();
        }
        cli_sleep_ms(LATENCY_SAMPLE_MS);
        if (cli_interrupted) return 0;
    }
}
