/*
 * --stat: one line of server statistics per interval (-i, default 1 s),
 * from INFO: keys, memory, clients, blocked clients, commands processed
 * (with the increase since the previous line), connections received, and
 * what a child process is doing (RDB/AOF). A header every 20 lines.
 */
#include <stdlib.h>
#include <string.h>

#include "cli.h"

/* Value of "field:" in INFO text, copied into buf ("" when absent). */
static const char *info_field(const char *info, const char *field, char *buf, size_t len) {
    size_t flen = strlen(field);
    buf[0] = '\0';
    for (const char *p = info; p && *p;) {
        if (!strncmp(p, field, flen) && p[flen] == ':') {
            const char *v = p + flen + 1;
            size_t n = strcspn(v, "\r\n");
            if (n >= len) n = len - 1;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return buf;
        }
        p = strchr(p, '\n');
        if (p) p++;
    }
    return buf;
}

static long long info_ll(const char *info, const char *field) {
    char buf[64];
    return strtoll(info_field(info, field, buf, sizeof(buf)), NULL, 10);
}

/* Sum of keys=N over the "dbN:keys=..,expires=.." lines. */
static long long info_keys(const char *info) {
    long long total = 0;
    for (const char *p = info; p && *p;) {
        if (!strncmp(p, "db", 2) && p[2] >= '0' && p[2] <= '9') {
            const char *k = strstr(p, "keys=");
            const char *eol = strchr(p, '\n');
            if (k && (!eol || k < eol)) total += strtoll(k + 5, NULL, 10);
        }
        p = strchr(p, '\n');
        if (p) p++;
    }
    return total;
}

static void human_bytes(char *buf, size_t len, double n) {
    const char *units = "BKMGTP";
    int u = 0;
    while (n >= 1024 && u < 5) {
        n /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, len, "%.0fB", n);
    else
        snprintf(buf, len, "%.2f%c", n, units[u]);
}

int cli_stat_mode(void) {
    if (cli_connect(0)) return 1;
    long long interval_ms = config.interval_set ? config.interval_us / 1000 : 1000;
    long long prev_requests = -1;
    long long line = 0;
    for (;;) {
        char err[512];
        kpc_reply *r = cli_callv(err, sizeof(err), "INFO", NULL);
        if (!r) {
            if (cli_interrupted) return 0;
            kstr msg = cli_explain_error(kstr_empty(), err);
            fprintf(stderr, "Error: %s\n", msg);
            kstr_free(msg);
            return 1;
        }
        if (r->type == KPC_ERROR || !r->str) {
            fprintf(stderr, "Error: INFO failed: %s\n", r->str ? r->str : "unexpected reply");
            kpc_reply_free(r);
            return 1;
        }
        const char *info = r->str;
        if (line++ % 20 == 0)
            printf(
                "------- data ------ --------------------- load -------------------- - child -\n"
                "keys       mem      clients blocked requests            connections          \n");
        char buf[64], cell[64];
        snprintf(cell, sizeof(cell), "%lld", info_keys(info));
        printf("%-11s", cell);
        human_bytes(cell, sizeof(cell), (double)info_ll(info, "used_memory"));
        printf("%-9s", cell);
        printf("%-8s", info_field(info, "connected_clients", buf, sizeof(buf)));
        printf("%-8s", info_field(info, "blocked_clients", buf, sizeof(buf)));
        long long req = info_ll(info, "total_commands_processed");
        snprintf(cell, sizeof(cell), "%lld (+%lld)", req,
                 prev_requests < 0 ? 0 : req - prev_requests);
        prev_requests = req;
        printf("%-20s", cell);
        printf("%-12s", info_field(info, "total_connections_received", buf, sizeof(buf)));
        if (info_ll(info, "rdb_bgsave_in_progress") > 0)
            printf("SAVE");
        else if (info_ll(info, "aof_rewrite_in_progress") > 0)
            printf("AOF");
        else if (info_ll(info, "loading") > 0)
            printf("LOAD");
        printf("\n");
        fflush(stdout);
        kpc_reply_free(r);
        cli_sleep_ms(interval_ms > 0 ? interval_ms : 1);
        if (cli_interrupted) return 0;
    }
}
