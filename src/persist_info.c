/*
 * INFO persistence, field for field in Redis 7.0's order, and the
 * persistence statistics CONFIG RESETSTAT clears.
 *
 * Threading: main thread.
 */
#include <string.h>
#include <sys/time.h>
#include <time.h>

#include "aof.h"
#include "persist_internal.h"

static long long now_ms(void) {
    struct timeval tv;
    gettimeofday(&tv, NULL);
    return (long long)tv.tv_sec * 1000 + tv.tv_usec / 1000;
}

static kstr cat_module_fork(kstr info) {
    return kstr_catfmt(info, "module_fork_in_progress:0\r\nmodule_fork_last_cow_size:0\r\n");
}

/* Redis prints the module_fork_* pair right after aof_last_cow_size and
 * before the aof_current_size group it shows when the AOF is on; aof_info()
 * emits all aof_* fields at once, so the pair goes in after that line (or
 * last when there is no such line). */
static kstr cat_aof_and_module_fork(kstr info) {
    kstr aof = aof_info(kstr_empty());
    size_t cut = kstr_len(aof);
    const char *line = strstr(aof, "aof_last_cow_size:");
    if (line && (line == aof || line[-1] == '\n')) {
        const char *eol = strchr(line, '\n');
        cut = eol ? (size_t)(eol + 1 - aof) : kstr_len(aof);
    }
    info = kstr_cat(info, aof, cut);
    info = cat_module_fork(info);
    info = kstr_cat(info, aof + cut, kstr_len(aof) - cut);
    kstr_free(aof);
    return info;
}

static kstr cat_loading(kstr info) {
    time_t now = time(NULL);
    long long elapsed = persist.loading_start ? (long long)(now - persist.loading_start) : 0;
    /* The loaders do not report their progress: the byte count is known
     * only once the load ends, so the percentage stays 0 and the ETA 1. */
    return kstr_catfmt(info,
                       "loading_start_time:%lld\r\n"
                       "loading_total_bytes:%lld\r\n"
                       "loading_rdb_used_mem:0\r\n"
                       "loading_loaded_bytes:0\r\n"
                       "loading_loaded_perc:0.00\r\n"
                       "loading_eta_seconds:%lld\r\n",
                       (long long)persist.loading_start, persist.loading_total_bytes,
                       elapsed > 0 ? elapsed : 1);
}

kstr persist_info(kstr info) {
    child_progress p;
    child_get_progress(&p);
    int child = child_active_type();
    double fork_perc = 0;
    long long cow_age = 0;
    if (child != CHILD_TYPE_NONE) {
        if (p.keys_total > 0) fork_perc = (double)p.keys_processed * 100.0 / (double)p.keys_total;
        if (p.cow_updated_ms) cow_age = (now_ms() - p.cow_updated_ms) / 1000;
    }
    long long bgsave_current = child == CHILD_TYPE_RDB && persist.bgsave_start >= 0
                                   ? time(NULL) - persist.bgsave_start
                                   : -1;
    info = kstr_catfmt(info,
                       "loading:%d\r\n"
                       "async_loading:0\r\n"
                       "current_cow_peak:%zu\r\n"
                       "current_cow_size:%zu\r\n"
                       "current_cow_size_age:%lld\r\n"
                       "current_fork_perc:%.2f\r\n"
                       "current_save_keys_processed:%lld\r\n"
                       "current_save_keys_total:%lld\r\n"
                       "rdb_changes_since_last_save:%lld\r\n"
                       "rdb_bgsave_in_progress:%d\r\n"
                       "rdb_last_save_time:%lld\r\n"
                       "rdb_last_bgsave_status:%s\r\n"
                       "rdb_last_bgsave_time_sec:%lld\r\n"
                       "rdb_current_bgsave_time_sec:%lld\r\n"
                       "rdb_saves:%lld\r\n"
                       "rdb_last_cow_size:%zu\r\n"
                       "rdb_last_load_keys_expired:%lld\r\n"
                       "rdb_last_load_keys_loaded:%lld\r\n",
                       server.loading ? 1 : 0, p.cow_peak, p.cow_bytes, cow_age, fork_perc,
                       p.keys_processed, p.keys_total, server.dirty, child == CHILD_TYPE_RDB,
                       (long long)persist.lastsave, persist.lastbgsave_ok ? "ok" : "err",
                       persist.bgsave_last_sec, bgsave_current, persist.rdb_saves,
                       child_last_cow_size(CHILD_TYPE_RDB), persist.last_load_keys_expired,
                       persist.last_load_keys_loaded);
    /* keyport's own field, only while the status is err: why. */
    if (!persist.lastbgsave_ok && persist.lastbgsave_error[0])
        info = kstr_catfmt(info, "rdb_last_bgsave_error:%s\r\n", persist.lastbgsave_error);
    info = cat_aof_and_module_fork(info);
    if (server.loading) info = cat_loading(info);
    return info;
}

void persist_stats_reset(void) {
    persist.rdb_saves = 0;
    child_reset_fork_stats();
}
