/*
 * Transport registry: loads plugins, checks them against the ABI, and
 * provides the host API they call back into.
 *
 * Every check of include/keyport/transport.h happens here, once, at load
 * time, so the rest of the server can trust a loaded transport: the ops
 * table it sees (transport.ops) is a private copy, zero-filled past the
 * plugin's struct_size, so members an older minor does not define read as
 * NULL and take the documented defaults.
 *
 * Threading: loading and lookups happen on the main thread at startup; the
 * host API functions are safe on any thread (see transport.h).
 */
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conn_internal.h"
#include "log.h"
#include "server.h"
#include "zmalloc.h"

#ifndef KP_TRANSPORT_INSTALL_DIR
#define KP_TRANSPORT_INSTALL_DIR "/usr/local/lib/keyport/transports"
#endif

static transport **loaded;
static int nloaded;
static char *search_build_dir;
static char *search_install_dir;

/* ---------- host API ---------- */

static void host_log(kp_log_level level, const char *name, const char *fmt, ...) {
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    int ll = LL_NOTICE;
    switch (level) {
    case KP_LOG_DEBUG: ll = LL_DEBUG; break;
    case KP_LOG_VERBOSE: ll = LL_VERBOSE; break;
    case KP_LOG_NOTICE: ll = LL_NOTICE; break;
    case KP_LOG_WARNING: ll = LL_WARNING; break;
    }
    server_log(ll, "%s: %s", name ? name : "transport", msg);
}

static void *host_alloc(size_t size) {
    return zmalloc(size);
}

static void *host_calloc(size_t nmemb, size_t size) {
    if (size && nmemb > SIZE_MAX / size) {
        server_log(LL_WARNING, "transport calloc(%zu, %zu) overflows", nmemb, size);
        abort();
    }
    return zcalloc(nmemb * size);
}

static void *host_realloc(void *ptr, size_t size) {
    return zrealloc(ptr, size);
}

static void host_free(void *ptr) {
    zfree(ptr);
}

static int64_t host_monotonic_us(void) {
    return ae_ustime_monotonic();
}

static const kp_host_api host_api = {
    .hdr = {KP_ABI_MAJOR, KP_ABI_MINOR, (uint32_t)sizeof(kp_host_api)},
    .fingerprint = KP_FINGERPRINT_INIT,
    .server_version = KEYPORT_VERSION,
    .log = host_log,
    .alloc = host_alloc,
    .calloc = host_calloc,
    .realloc = host_realloc,
    .free = host_free,
    .monotonic_us = host_monotonic_us,
    .raw_read = conn_raw_read,
    .raw_write = conn_raw_write,
};

const kp_host_api *transport_host_api(void) {
    return &host_api;
}

/* ---------- registry ---------- */

int transport_count(void) {
    return nloaded;
}

transport *transport_at(int i) {
    return i >= 0 && i < nloaded ? loaded[i] : NULL;
}

transport *transport_find(const char *name) {
    for (int i = 0; i < nloaded; i++)
        if (strcmp(loaded[i]->ops->name, name) == 0) return loaded[i];
    return NULL;
}

int transport_has_key(const transport *t, const char *k) {
    if (!t->ops->config_keys) return 0;
    for (const char *const *p = t->ops->config_keys; *p; p++)
        if (strcmp(*p, k) == 0) return 1;
    return 0;
}

void transport_set_search_dirs(const char *build_dir, const char *install_dir) {
    zfree(search_build_dir);
    zfree(search_install_dir);
    search_build_dir = build_dir ? zstrdup(build_dir) : NULL;
    search_install_dir = install_dir ? zstrdup(install_dir) : NULL;
}

/* Without an explicit build dir, derive it as main does: the parent of the
 * directory holding the executable (<root>/src/keyport-server -> <root>). */
static const char *build_dir(void) {
    if (search_build_dir) return search_build_dir;
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) return NULL;
    exe[n] = '\0';
    for (int up = 0; up < 2; up++) {
        char *slash = strrchr(exe, '/');
        if (!slash) return NULL;
        *slash = '\0';
    }
    search_build_dir = zstrdup(exe[0] ? exe : "/");
    return search_build_dir;
}

static const char *install_dir(void) {
    return search_install_dir ? search_install_dir : KP_TRANSPORT_INSTALL_DIR;
}

/* ---------- checks ---------- */

static int valid_name(const char *s) {
    size_t n = strlen(s);
    if (n < 1 || n > 31) return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
            return 0;
    return 1;
}

/* Bytes of kp_transport that a plugin of the given minor must provide. */
static size_t required_size(uint32_t minor) {
    return minor == 0 ? KP_TRANSPORT_SIZE_1_0 : sizeof(kp_transport);
}

static void format_fingerprint(const kp_fingerprint *f, char *buf, size_t len) {
    int n = snprintf(buf, len, "ptr=%u size_t=%u long=%u time_t=%u off_t=%u byte-order=%s",
                     f->ptr_size, f->size_t_size, f->long_size, f->time_t_size, f->off_t_size,
                     f->big_endian ? "big" : "little");
    if ((f->reserved[0] || f->reserved[1]) && n > 0 && (size_t)n < len)
        snprintf(buf + n, len - (size_t)n, " reserved=%u,%u", f->reserved[0], f->reserved[1]);
}

/* Appends ", name" (or "name" when first) to list. */
static void list_add(char *list, size_t len, const char *name) {
    size_t used = strlen(list);
    if (used + 1 >= len) return;
    snprintf(list + used, len - used, "%s%s", used ? ", " : "", name);
}

/* Checks an ops table copy; returns 0 or -1 with the reason in why. */
static int check_descriptor(const kp_transport *t, char *why, size_t len) {
    char missing[256] = "";
    int nmissing = 0;
    const char *fields[4] = {t->name, t->version, t->description, t->license};
    const char *names[4] = {"name", "version", "description", "license"};
    for (int i = 0; i < 4; i++) {
        if (!fields[i] || !fields[i][0]) {
            list_add(missing, sizeof(missing), names[i]);
            nmissing++;
        }
    }
    if (nmissing) {
        snprintf(why, len, "empty descriptor field%s: %s", nmissing > 1 ? "s" : "", missing);
        return -1;
    }
    if (!valid_name(t->name)) {
        snprintf(why, len, "invalid transport name '%s' (use 1 to 31 of a-z, 0-9, '_', '-')",
                 t->name);
        return -1;
    }
    int stream = (t->caps & KP_CAP_STREAM) != 0, layered = (t->caps & KP_CAP_LAYERED) != 0;
    if (stream == layered) {
        snprintf(why, len,
                 "capabilities must contain exactly one of KP_CAP_STREAM and KP_CAP_LAYERED");
        return -1;
    }
    nmissing = 0;
    missing[0] = '\0';
#define NEED_OP(op)                                                                                \
    do {                                                                                           \
        if (!t->op) {                                                                              \
            list_add(missing, sizeof(missing), #op);                                               \
            nmissing++;                                                                            \
        }                                                                                          \
    } while (0)
    if (stream) {
        NEED_OP(listen);
        NEED_OP(accept);
        NEED_OP(connect);
        NEED_OP(fd);
    } else {
        NEED_OP(conn_init);
        NEED_OP(handshake);
    }
    NEED_OP(read);
    NEED_OP(write);
    NEED_OP(close);
#undef NEED_OP
    if (nmissing) {
        snprintf(why, len, "missing mandatory op%s for a %s transport: %s", nmissing > 1 ? "s" : "",
                 stream ? "stream" : "layered", missing);
        return -1;
    }
    return 0;
}

/* Checks header and fingerprint of the plugin's table. */
static int check_header(const kp_transport *t, char *why, size_t len) {
    const kp_abi_header *h = &t->hdr;
    if (h->abi_major != KP_ABI_MAJOR) {
        snprintf(why, len, "transport ABI major version %u is not supported (server ABI is %u.%u)",
                 h->abi_major, KP_ABI_MAJOR, KP_ABI_MINOR);
        return -1;
    }
    if (h->abi_minor > KP_ABI_MINOR) {
        snprintf(why, len, "transport ABI %u.%u is newer than the server's %u.%u", h->abi_major,
                 h->abi_minor, KP_ABI_MAJOR, KP_ABI_MINOR);
        return -1;
    }
    if (h->struct_size < required_size(h->abi_minor)) {
        snprintf(why, len, "descriptor struct_size %u is smaller than ABI %u.%u requires (%zu)",
                 h->struct_size, h->abi_major, h->abi_minor, required_size(h->abi_minor));
        return -1;
    }
    static const kp_fingerprint ours = KP_FINGERPRINT_INIT;
    if (memcmp(&t->fingerprint, &ours, sizeof(ours)) != 0) {
        char theirs_txt[128], ours_txt[128];
        format_fingerprint(&t->fingerprint, theirs_txt, sizeof(theirs_txt));
        format_fingerprint(&ours, ours_txt, sizeof(ours_txt));
        snprintf(why, len, "build fingerprint mismatch: transport has %s, server has %s",
                 theirs_txt, ours_txt);
        return -1;
    }
    return 0;
}

/* ---------- loading ---------- */

/* Resolves a loadtransport argument to a file. Returns a new string, or
 * NULL with the reason in err. */
static char *resolve(const char *name_or_path, char *err, size_t errlen) {
    if (strchr(name_or_path, '/')) return zstrdup(name_or_path);
    const char *dirs[2] = {build_dir(), install_dir()};
    char cand[2][PATH_MAX];
    int ncand = 0;
    if (dirs[0])
        snprintf(cand[ncand++], PATH_MAX, "%s/transports/%s/keyport-%s.so", dirs[0], name_or_path,
                 name_or_path);
    snprintf(cand[ncand++], PATH_MAX, "%s/keyport-%s.so", dirs[1], name_or_path);
    for (int i = 0; i < ncand; i++)
        if (access(cand[i], F_OK) == 0) return zstrdup(cand[i]);
    if (ncand == 2)
        snprintf(err, errlen, "cannot find transport '%s' (looked in %s, %s)", name_or_path,
                 cand[0], cand[1]);
    else
        snprintf(err, errlen, "cannot find transport '%s' (looked in %s)", name_or_path, cand[0]);
    return NULL;
}

/* dlerror() usually starts with the file name; drop it, we print it once. */
static const char *strip_path(const char *msg, const char *path) {
    size_t n = strlen(path);
    if (strncmp(msg, path, n) == 0 && msg[n] == ':' && msg[n + 1] == ' ') return msg + n + 2;
    return msg;
}

transport *transport_load(const char *name_or_path, int argc, const char *const *argv, char *err,
                          size_t errlen) {
    char why[768];
    char *path = resolve(name_or_path, err, errlen);
    if (!path) return NULL;

    void *dl = NULL;
    kp_transport *copy = NULL;
    struct stat st;
    if (stat(path, &st) == -1) {
        snprintf(why, sizeof(why), "cannot open: %s", strerror(errno));
        goto refuse;
    }
    dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!dl) {
        const char *e = dlerror();
        snprintf(why, sizeof(why), "cannot load: %s", e ? strip_path(e, path) : "unknown error");
        goto refuse;
    }
    kp_transport_entry_fn entry;
    *(void **)&entry = dlsym(dl, KP_TRANSPORT_ENTRY_SYMBOL);
    if (!entry) {
        snprintf(why, sizeof(why), "no %s symbol (not a keyport transport)",
                 KP_TRANSPORT_ENTRY_SYMBOL);
        goto refuse;
    }
    const kp_transport *t = NULL;
    char perr[512] = "";
    if (entry(&host_api, &t, perr, sizeof(perr)) != 0) {
        snprintf(why, sizeof(why), "entry point failed: %s", perr[0] ? perr : "no reason given");
        goto refuse;
    }
    if (!t) {
        snprintf(why, sizeof(why), "entry point returned no descriptor");
        goto refuse;
    }
    if (check_header(t, why, sizeof(why)) != 0) goto refuse;

    /* From here on, only the copy is read. */
    copy = zcalloc(sizeof(*copy));
    size_t n = t->hdr.struct_size < sizeof(*copy) ? t->hdr.struct_size : sizeof(*copy);
    memcpy(copy, t, n);
    if (check_descriptor(copy, why, sizeof(why)) != 0) goto refuse;
    transport *dup = transport_find(copy->name);
    if (dup) {
        snprintf(why, sizeof(why), "transport '%s' is already loaded from %s", copy->name,
                 dup->path);
        goto refuse;
    }
    if (argc > 0 && !copy->init) {
        snprintf(why, sizeof(why), "transport '%s' takes no arguments (got '%s')", copy->name,
                 argv[0]);
        goto refuse;
    }
    if (copy->init) {
        perr[0] = '\0';
        if (copy->init(argc, argv, perr, sizeof(perr)) != 0) {
            snprintf(why, sizeof(why), "init failed: %s", perr[0] ? perr : "no reason given");
            goto refuse;
        }
    }

    transport *tr = zcalloc(sizeof(*tr));
    tr->ops = copy;
    tr->minor = t->hdr.abi_minor;
    tr->path = path;
    tr->dl = dl;
    loaded = zrealloc(loaded, sizeof(transport *) * (size_t)(nloaded + 1));
    loaded[nloaded++] = tr;
    return tr;

refuse:
    snprintf(err, errlen, "%s: %s", path, why);
    zfree(copy);
    zfree(path);
    if (dl) dlclose(dl);
    return NULL;
}
