/* Host services for the TLS plugins: allocator, logging, ABI checks. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tlsc.h"

static const kp_host_api *host;
static const char *plugin_name = "tls";

/* The host fields a TLS plugin calls: everything up to raw_write. */
#define HOST_NEEDED_SIZE (offsetof(kp_host_api, raw_write) + sizeof(((kp_host_api *)0)->raw_write))

int tlsc_init(const kp_host_api *h, const char *plugin, char *err, size_t errlen) {
    static const kp_fingerprint mine = KP_FINGERPRINT_INIT;
    if (!h) return tlsc_errf(err, errlen, "%s: no host API given", plugin);
    if (h->hdr.abi_major != KP_ABI_MAJOR)
        return tlsc_errf(err, errlen, "%s: host ABI %u.%u, plugin built for %u.%u", plugin,
                         h->hdr.abi_major, h->hdr.abi_minor, KP_ABI_MAJOR, KP_ABI_MINOR);
    if (h->hdr.struct_size < HOST_NEEDED_SIZE)
        return tlsc_errf(err, errlen, "%s: host API table too small (%u bytes, need %zu)", plugin,
                         h->hdr.struct_size, (size_t)HOST_NEEDED_SIZE);
    if (memcmp(&h->fingerprint, &mine, sizeof(mine)) != 0)
        return tlsc_errf(err, errlen, "%s: host build fingerprint differs from the plugin's",
                         plugin);
    if (!h->alloc || !h->calloc || !h->free || !h->log || !h->raw_read || !h->raw_write)
        return tlsc_errf(err, errlen, "%s: host API lacks a service TLS needs", plugin);
    host = h;
    plugin_name = plugin;
    return 0;
}

const kp_host_api *tlsc_host(void) {
    return host;
}

void *tlsc_alloc(size_t n) {
    return host->alloc(n);
}

void *tlsc_calloc(size_t n, size_t size) {
    return host->calloc(n, size);
}

void tlsc_free(void *p) {
    if (p) host->free(p);
}

char *tlsc_strdup(const char *s) {
    if (!s) return NULL;
    size_t n = strlen(s) + 1;
    char *d = tlsc_alloc(n);
    memcpy(d, s, n);
    return d;
}

void tlsc_log(kp_log_level level, const char *fmt, ...) {
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    host->log(level, plugin_name, "%s", line);
}
