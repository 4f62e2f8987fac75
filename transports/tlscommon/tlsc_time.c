/* Certificate validity checks and expiry formatting on already-parsed
 * times (each plugin converts its library's time type to time_t). */
#include <stdio.h>

#include "tlsc.h"

void tlsc_format_utc(time_t t, char *buf, size_t len) {
    struct tm tm;
    if (!gmtime_r(&t, &tm) || !strftime(buf, len, "%Y-%m-%d %H:%M:%S UTC", &tm))
        snprintf(buf, len, "@%lld", (long long)t);
}

void tlsc_format_duration(long long s, char *buf, size_t len) {
    if (s < 0) s = -s;
    long long d = s / 86400, h = (s % 86400) / 3600, m = (s % 3600) / 60;
    if (d > 0)
        snprintf(buf, len, "%lld day%s %lld hour%s", d, d == 1 ? "" : "s", h, h == 1 ? "" : "s");
    else if (h > 0)
        snprintf(buf, len, "%lld hour%s %lld minute%s", h, h == 1 ? "" : "s", m, m == 1 ? "" : "s");
    else if (m > 0)
        snprintf(buf, len, "%lld minute%s", m, m == 1 ? "" : "s");
    else
        snprintf(buf, len, "%lld second%s", s, s == 1 ? "" : "s");
}

int tlsc_check_validity(const char *what, const char *path, time_t not_before, time_t not_after,
                        time_t now, char *err, size_t errlen) {
    char when[64], ago[64];
    if (now > not_after) {
        tlsc_format_utc(not_after, when, sizeof(when));
        tlsc_format_duration((long long)now - (long long)not_after, ago, sizeof(ago));
        return tlsc_errf(err, errlen, "%s '%s': certificate expired on %s (%s ago)", what, path,
                         when, ago);
    }
    if (now < not_before) {
        tlsc_format_utc(not_before, when, sizeof(when));
        tlsc_format_duration((long long)not_before - (long long)now, ago, sizeof(ago));
        return tlsc_errf(err, errlen, "%s '%s': certificate is not valid before %s (in %s)", what,
                         path, when, ago);
    }
    return 0;
}

void tlsc_warn_if_expiring(const char *what, const char *path, time_t not_after, time_t now) {
    long long left = (long long)not_after - (long long)now;
    if (left < 0 || left >= TLSC_EXPIRY_WARN_SECONDS) return;
    char when[64], in[64];
    tlsc_format_utc(not_after, when, sizeof(when));
    tlsc_format_duration(left, in, sizeof(in));
    tlsc_log(KP_LOG_WARNING, "%s '%s': certificate expires on %s (in %s)", what, path, when, in);
}
