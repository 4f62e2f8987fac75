/*
 * Output: the live progress line (TTY only) and the report of each test in
 * the chosen format. The full report, -q and --csv follow redis-benchmark's
 * layout and columns so that existing scripts read them; the full report
 * adds p90/p99.9 and the transport, --json is our own (one object per test,
 * one per line).
 */
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "kstr.h"
#include "zmalloc.h"

bench_server_info server_info;

static int progress_len; /* width of the last progress line */

int bench_progress_enabled(void) {
    return (config.output == BENCH_OUT_FULL || config.output == BENCH_OUT_QUIET) &&
           isatty(STDOUT_FILENO);
}

void bench_progress(const char *title, long long done, double elapsed_s, double inst_rps,
                    double avg_ms, double inst_avg_ms) {
    char line[512];
    int n = snprintf(line, sizeof(line),
                     "%s: rps=%.1f (overall: %.1f) avg_msec=%.3f (overall: %.3f)", title, inst_rps,
                     elapsed_s > 0 ? (double)done / elapsed_s : 0.0, inst_avg_ms, avg_ms);
    if (n < 0) return;
    if (n >= (int)sizeof(line)) n = (int)sizeof(line) - 1;
    int pad = progress_len > n ? progress_len - n : 0;
    printf("\r%s%*s", line, pad, "");
    progress_len = n;
    fflush(stdout);
}

void bench_progress_clear(void) {
    if (!progress_len) return;
    printf("\r%*s\r", progress_len, "");
    progress_len = 0;
    fflush(stdout);
}

void bench_report_begin(void) {
    if (config.output == BENCH_OUT_CSV)
        printf("\"test\",\"rps\",\"avg_latency_ms\",\"min_latency_ms\",\"p50_latency_ms\","
               "\"p95_latency_ms\",\"p99_latency_ms\",\"max_latency_ms\"\n");
}

void bench_report_round_end(void) {
    if (config.output == BENCH_OUT_FULL || config.output == BENCH_OUT_QUIET) printf("\n");
    fflush(stdout);
}

static double ms(uint64_t us) {
    return (double)us / 1000.0;
}

/* ---------- full report ---------- */

static void percentile_distribution(const bench_hist *h) {
    printf("Latency by percentile distribution:\n");
    uint64_t prev = UINT64_MAX;
    double pct = 0;
    for (int step = 0; step < 64; step++) {
        uint64_t v = bench_hist_percentile(h, pct);
        uint64_t cum = bench_hist_count_upto(h, v);
        if (cum != prev)
            printf("%3.3f%% <= %.3f milliseconds (cumulative count %llu)\n", pct, ms(v),
                   (unsigned long long)cum);
        prev = cum;
        if (cum >= h->total) break;
        pct = 100.0 - (100.0 - pct) / 2.0;
    }
    printf("%3.3f%% <= %.3f milliseconds (cumulative count %llu)\n\n", 100.0, ms(h->max),
           (unsigned long long)h->total);
}

/* Width of the next step of the cumulative distribution at us. */
static uint64_t cdf_step(uint64_t us) {
    if (us < 2000) return 100;
    if (us < 100000) return 1000;
    if (us < 1000000) return 10000;
    if (us < 10000000) return 100000;
    return 1000000;
}

static void cumulative_distribution(const bench_hist *h) {
    printf("Cumulative distribution of latencies:\n");
    bench_hist_iter it = {h, 0, 0};
    uint64_t prev = UINT64_MAX;
    for (uint64_t v = 100;; v += cdf_step(v)) {
        uint64_t cum = bench_hist_iter_upto(&it, v);
        if (cum != prev)
            printf("%3.3f%% <= %.3f milliseconds (cumulative count %llu)\n",
                   100.0 * (double)cum / (double)h->total, ms(v), (unsigned long long)cum);
        prev = cum;
        if (cum >= h->total) break;
    }
    printf("\n");
}

/* One table of latencies; with_avg adds the mean and the minimum. */
static void latency_row(const char *label, const bench_hist *h, int with_avg) {
    printf("  %s (msec):\n    ", label);
    if (with_avg) printf("%9s %9s ", "avg", "min");
    printf("%9s %9s %9s %9s %9s\n    ", "p50", "p90", "p99", "p99.9", "max");
    if (with_avg) printf("%9.3f %9.3f ", bench_hist_mean(h) / 1000.0, ms(h->min));
    printf("%9.3f %9.3f %9.3f %9.3f %9.3f\n", ms(bench_hist_percentile(h, 50)),
           ms(bench_hist_percentile(h, 90)), ms(bench_hist_percentile(h, 99)),
           ms(bench_hist_percentile(h, 99.9)), ms(h->max));
}

static void header(const bench_result *r) {
    printf("====== %s ======\n", r->title);
    printf("  %lld %s completed in %.2f seconds\n", r->requests,
           r->handshake ? "connections" : "requests", r->seconds);
    printf("  %d parallel clients\n", config.clients);
    if (!r->handshake) {
        printf("  %d bytes payload\n", r->payload);
        printf("  keep alive: %d\n", config.keepalive);
        if (config.pipeline > 1) printf("  pipeline: %d\n", config.pipeline);
    }
    if (server_info.save) printf("  host configuration \"save\": %s\n", server_info.save);
    if (server_info.appendonly)
        printf("  host configuration \"appendonly\": %s\n", server_info.appendonly);
    printf("  multi-thread: %s\n", config.threads > 1 ? "yes" : "no");
    if (config.threads > 1) printf("  threads: %d\n", config.threads);
    if (server_info.transport) printf("  transport: %s\n", server_info.transport);
    if (r->handshake && config.tls.enabled) {
        if (!config.tls_resume)
            printf("  TLS session resumption: off\n");
        else if (r->resume_known)
            printf("  TLS session resumption: on, %llu of %lld handshakes resumed\n", r->resumed,
                   r->requests);
        else
            printf("  TLS session resumption: on (the transport does not report reuse)\n");
    }
    printf("\n");
}

static void full_report(const bench_result *r) {
    header(r);
    if (r->hist.total) {
        percentile_distribution(&r->hist);
        cumulative_distribution(&r->hist);
    }
    printf("Summary:\n");
    if (r->handshake) {
        printf("  throughput summary: %.2f new connections per second\n", r->rate);
        latency_row("handshake latency", &r->hist, 1);
        latency_row("connect to PONG latency", &r->cycle, 1);
    } else {
        const bench_hist *h = &r->hist;
        printf("  throughput summary: %.2f requests per second\n", r->rate);
        printf("  latency summary (msec):\n");
        printf("    %9s %9s %9s %9s %9s %9s\n", "avg", "min", "p50", "p95", "p99", "max");
        printf("    %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f\n", bench_hist_mean(h) / 1000.0, ms(h->min),
               ms(bench_hist_percentile(h, 50)), ms(bench_hist_percentile(h, 95)),
               ms(bench_hist_percentile(h, 99)), ms(h->max));
        latency_row("latency percentiles", h, 0);
    }
    if (r->errors) printf("  error replies: %llu\n", r->errors);
    printf("\n");
}

/* ---------- machine output ---------- */

static kstr csv_string(kstr out, const char *s) {
    out = kstr_cat(out, "\"", 1);
    for (; *s; s++) {
        if (*s == '"') out = kstr_cat(out, "\"", 1);
        out = kstr_cat(out, s, 1);
    }
    return kstr_cat(out, "\"", 1);
}

static void csv_report(const bench_result *r) {
    const bench_hist *h = &r->hist;
    kstr line = csv_string(kstr_empty(), r->title);
    line = kstr_catfmt(line, ",\"%.2f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\",\"%.3f\"\n",
                       r->rate, bench_hist_mean(h) / 1000.0, ms(h->min),
                       ms(bench_hist_percentile(h, 50)), ms(bench_hist_percentile(h, 95)),
                       ms(bench_hist_percentile(h, 99)), ms(h->max));
    fwrite(line, 1, kstr_len(line), stdout);
    kstr_free(line);
}

static kstr json_string(kstr out, const char *s) {
    out = kstr_cat(out, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        switch (*p) {
        case '"': out = kstr_cat(out, "\\\"", 2); break;
        case '\\': out = kstr_cat(out, "\\\\", 2); break;
        case '\n': out = kstr_cat(out, "\\n", 2); break;
        case '\r': out = kstr_cat(out, "\\r", 2); break;
        case '\t': out = kstr_cat(out, "\\t", 2); break;
        default:
            if (*p < 0x20)
                out = kstr_catfmt(out, "\\u%04x", *p);
            else
                out = kstr_cat(out, p, 1);
        }
    }
    return kstr_cat(out, "\"", 1);
}

static kstr json_latency(kstr out, const char *name, const bench_hist *h) {
    out = kstr_catfmt(out,
                      ",\"%s\":{\"avg\":%.3f,\"min\":%.3f,\"p50\":%.3f,\"p90\":%.3f,"
                      "\"p95\":%.3f,\"p99\":%.3f,\"p99.9\":%.3f,\"max\":%.3f}",
                      name, bench_hist_mean(h) / 1000.0, ms(h->total ? h->min : 0),
                      ms(bench_hist_percentile(h, 50)), ms(bench_hist_percentile(h, 90)),
                      ms(bench_hist_percentile(h, 95)), ms(bench_hist_percentile(h, 99)),
                      ms(bench_hist_percentile(h, 99.9)), ms(h->max));
    return out;
}

static void json_report(const bench_result *r) {
    kstr o = kstr_cat_cstr(kstr_empty(), "{\"test\":");
    o = json_string(o, r->title);
    o = kstr_catfmt(o, ",\"%s\":%lld,\"seconds\":%.6f,\"rps\":%.2f",
                    r->handshake ? "connections" : "requests", r->requests, r->seconds, r->rate);
    o = kstr_catfmt(o, ",\"clients\":%d,\"threads\":%d", config.clients, config.threads);
    if (!r->handshake)
        o = kstr_catfmt(o, ",\"pipeline\":%d,\"payload\":%d,\"keepalive\":%d,\"errors\":%llu",
                        config.pipeline, r->payload, config.keepalive, r->errors);
    o = kstr_cat_cstr(o, ",\"transport\":");
    o = server_info.transport ? json_string(o, server_info.transport) : kstr_cat_cstr(o, "null");
    if (r->handshake) {
        o = kstr_catfmt(o, ",\"tls_resume\":%s", config.tls_resume ? "true" : "false");
        if (config.tls_resume && r->resume_known)
            o = kstr_catfmt(o, ",\"sessions_resumed\":%llu", r->resumed);
        else
            o = kstr_cat_cstr(o, ",\"sessions_resumed\":null");
        o = json_latency(o, "handshake_latency_ms", &r->hist);
        o = json_latency(o, "cycle_latency_ms", &r->cycle);
    } else {
        o = json_latency(o, "latency_ms", &r->hist);
    }
    o = kstr_cat_cstr(o, "}\n");
    fwrite(o, 1, kstr_len(o), stdout);
    kstr_free(o);
}

void bench_report(const bench_result *r) {
    switch (config.output) {
    case BENCH_OUT_FULL: full_report(r); break;
    case BENCH_OUT_QUIET:
        printf("%s: %.2f %s per second, p50=%.3f msec\n", r->title, r->rate,
               r->handshake ? "connections" : "requests", ms(bench_hist_percentile(&r->hist, 50)));
        break;
    case BENCH_OUT_CSV: csv_report(r); break;
    case BENCH_OUT_JSON: json_report(r); break;
    }
    fflush(stdout);
}
