/* From the Redis-style directives (tls-protocols, tls-ciphers,
 * tls-ciphersuites, tls-prefer-server-ciphers) to GnuTLS priority caches,
 * or tls-gnutls-priority taken verbatim. docs/tls-gnutls.md documents the
 * mapping; the rules in short:
 *  - the base is GnuTLS's NORMAL (the library default), with the version,
 *    cipher, MAC and key-exchange lists replaced by what the directives
 *    select, in their order;
 *  - tls-ciphers is evaluated with OpenSSL's semantics (gtls_suites.c).
 *    GnuTLS enables every suite in the product of those three lists; a
 *    selection that is not such a product would enable suites the string
 *    excludes, and is refused with the list of those suites;
 *  - TLS 1.2 and 1.3 share GnuTLS's cipher list, so a server gets one
 *    priority per version besides the union, and switches to the right
 *    one once the ClientHello fixed the version. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gtls.h"

#define PRIO_MAX 2048

typedef struct algos {
    unsigned kx[16], cipher[32], mac[16];
    size_t nkx, ncipher, nmac;
} algos;

typedef struct buf {
    char text[PRIO_MAX];
    size_t used;
    int overflow;
} buf;

static void put(buf *b, const char *fmt, ...) KP_PRINTF(2, 3);
static void put(buf *b, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    int w = vsnprintf(b->text + b->used, PRIO_MAX - b->used, fmt, ap);
    va_end(ap);
    if (w < 0 || (size_t)w >= PRIO_MAX - b->used)
        b->overflow = 1;
    else
        b->used += (size_t)w;
}

static int contains(const unsigned *arr, size_t n, unsigned v) {
    for (size_t i = 0; i < n; i++)
        if (arr[i] == v) return 1;
    return 0;
}

static void add(unsigned *arr, size_t *n, size_t cap, unsigned v) {
    if (!contains(arr, *n, v) && *n < cap) arr[(*n)++] = v;
}

/* A cipher some TLS 1.3 suite uses. */
static int is_tls13_cipher(unsigned cipher) {
    unsigned char id[2];
    gnutls_kx_algorithm_t k;
    gnutls_cipher_algorithm_t c;
    gnutls_mac_algorithm_t m;
    gnutls_protocol_t v;
    for (size_t i = 0; gnutls_cipher_suite_info(i, id, &k, &c, &m, &v); i++)
        if (v == GNUTLS_TLS1_3 && c == cipher) return 1;
    return 0;
}

/* GnuTLS's NORMAL lists. */
static int normal_algos(algos *a, char *err, size_t errlen) {
    gnutls_priority_t p;
    memset(a, 0, sizeof(*a));
    int rc = gnutls_priority_init(&p, "NORMAL", NULL);
    if (rc < 0)
        return tlsc_errf(err, errlen, "GnuTLS rejects its own NORMAL priority: %s",
                         gnutls_strerror(rc));
    const unsigned *list;
    int n = gnutls_priority_kx_list(p, &list);
    for (int i = 0; i < n; i++) add(a->kx, &a->nkx, 16, list[i]);
    n = gnutls_priority_cipher_list(p, &list);
    for (int i = 0; i < n; i++) add(a->cipher, &a->ncipher, 32, list[i]);
    n = gnutls_priority_mac_list(p, &list);
    for (int i = 0; i < n; i++) add(a->mac, &a->nmac, 16, list[i]);
    gnutls_priority_deinit(p);
    return 0;
}

/* tls-ciphersuites (OpenSSL syntax: colon-separated TLS 1.3 names) to
 * GnuTLS ciphers. Unknown names are skipped with a warning, as OpenSSL
 * skips them; none usable is an error. */
static int parse_ciphersuites(const char *str, algos *a, char *err, size_t errlen) {
    const char *p = str;
    while (*p) {
        while (*p == ':' || *p == ' ' || *p == ',') p++;
        size_t n = strcspn(p, ": ,");
        if (!n) break;
        unsigned char id[2];
        gnutls_kx_algorithm_t k;
        gnutls_cipher_algorithm_t c;
        gnutls_mac_algorithm_t m;
        gnutls_protocol_t v;
        const char *name;
        int found = 0;
        for (size_t i = 0; (name = gnutls_cipher_suite_info(i, id, &k, &c, &m, &v)); i++) {
            if (v == GNUTLS_TLS1_3 && strlen(name) == n && !strncmp(name, p, n)) {
                add(a->cipher, &a->ncipher, 32, c);
                found = 1;
                break;
            }
        }
        if (!found)
            tlsc_log(KP_LOG_WARNING,
                     "tls-ciphersuites: '%.*s' is not a TLSv1.3 ciphersuite "
                     "GnuTLS implements; skipped",
                     (int)n, p);
        p += n;
    }
    if (!a->ncipher)
        return tlsc_errf(err, errlen, "tls-ciphersuites: no usable TLSv1.3 ciphersuite in '%s'",
                         str);
    add(a->mac, &a->nmac, 16, GNUTLS_MAC_AEAD);
    return 0;
}

/* Visits every TLS 1.2-or-older suite GnuTLS would enable for a. */
typedef void suite_fn(void *ud, const unsigned char id[2], const char *name);
static void each_tls12_suite(const algos *a, suite_fn *fn, void *ud) {
    unsigned char id[2];
    gnutls_kx_algorithm_t k;
    gnutls_cipher_algorithm_t c;
    gnutls_mac_algorithm_t m;
    gnutls_protocol_t v;
    const char *name;
    for (size_t i = 0; (name = gnutls_cipher_suite_info(i, id, &k, &c, &m, &v)); i++) {
        if (v == GNUTLS_TLS1_3) continue;
        if (contains(a->kx, a->nkx, k) && contains(a->cipher, a->ncipher, c) &&
            contains(a->mac, a->nmac, m))
            fn(ud, id, name);
    }
}

typedef struct extras {
    const gtls_suite_sel *sel;
    char names[512];
    size_t used;
    int count;
} extras;

static void note_extra(void *ud, const unsigned char id[2], const char *name) {
    extras *e = ud;
    for (size_t i = 0; i < e->sel->nids; i++)
        if (e->sel->ids[i][0] == id[0] && e->sel->ids[i][1] == id[1]) return;
    const char *ossl = gtls_suite_openssl_name(id);
    if (e->count++ < 6 && e->used < sizeof(e->names)) {
        int w = snprintf(e->names + e->used, sizeof(e->names) - e->used, "%s%s",
                         e->used ? ", " : "", ossl ? ossl : name);
        if (w > 0) e->used += (size_t)w;
    }
}

/* Refuses a tls-ciphers selection GnuTLS cannot enable exactly. */
static int check_exact(const char *str, const gtls_suite_sel *sel, const algos *a, char *err,
                       size_t errlen) {
    extras e = {.sel = sel};
    each_tls12_suite(a, note_extra, &e);
    if (!e.count) return 0;
    return tlsc_errf(err, errlen,
                     "tls-ciphers: '%s' cannot be honoured by the gnutls transport: GnuTLS "
                     "enables every combination of the selected key exchanges, ciphers and "
                     "MACs, which would add %d suite%s the list excludes (%s%s); list them too, "
                     "exclude a whole algorithm, or set tls-gnutls-priority",
                     str, e.count, e.count == 1 ? "" : "s", e.names, e.count > 6 ? ", ..." : "");
}

static void put_list(buf *b, const char *reset, const unsigned *arr, size_t n,
                     const char *(*name)(unsigned)) {
    put(b, ":%s", reset);
    for (size_t i = 0; i < n; i++) {
        const char *s = name(arr[i]);
        if (s) put(b, ":+%s", s);
    }
}

static const char *kx_name(unsigned v) {
    return gnutls_kx_get_name((gnutls_kx_algorithm_t)v);
}
static const char *cipher_name(unsigned v) {
    return gnutls_cipher_get_name((gnutls_cipher_algorithm_t)v);
}
static const char *mac_name(unsigned v) {
    return gnutls_mac_get_name((gnutls_mac_algorithm_t)v);
}

static const struct {
    unsigned bit;
    const char *name;
    gnutls_protocol_t version;
} versions[] = {
    {TLSC_PROTO_TLS1_3, "VERS-TLS1.3", GNUTLS_TLS1_3},
    {TLSC_PROTO_TLS1_2, "VERS-TLS1.2", GNUTLS_TLS1_2},
    {TLSC_PROTO_TLS1_1, "VERS-TLS1.1", GNUTLS_TLS1_1},
    {TLSC_PROTO_TLS1_0, "VERS-TLS1.0", GNUTLS_TLS1_0},
};
#define NVERSIONS (sizeof(versions) / sizeof(versions[0]))

/* OpenSSL security levels as GnuTLS profiles (same bit strengths). */
static const char *const profiles[] = {
    NULL, "%PROFILE_LOW", "%PROFILE_MEDIUM", "%PROFILE_HIGH", "%PROFILE_ULTRA", "%PROFILE_FUTURE"};

static int compile(const char *what, const char *text, gnutls_priority_t *out, char *err,
                   size_t errlen) {
    const char *pos = NULL;
    int rc = gnutls_priority_init(out, text, &pos);
    if (rc < 0) {
        *out = NULL;
        return tlsc_errf(err, errlen, "%s: GnuTLS refuses priority '%s'%s%s: %s", what, text,
                         pos ? " at " : "", pos ? pos : "", gnutls_strerror(rc));
    }
    return 0;
}

/* Writes one full priority string for algorithm lists a. */
static int format(buf *b, unsigned protocols, const algos *a, const tlsc_config *cfg,
                  int seclevel) {
    b->used = 0;
    b->overflow = 0;
    put(b, "NORMAL:-VERS-ALL");
    for (size_t i = 0; i < NVERSIONS; i++)
        if (protocols & versions[i].bit) put(b, ":+%s", versions[i].name);
    put_list(b, "-CIPHER-ALL", a->cipher, a->ncipher, cipher_name);
    put_list(b, "-MAC-ALL", a->mac, a->nmac, mac_name);
    put_list(b, "-KX-ALL", a->kx, a->nkx, kx_name);
    if (cfg->prefer_server_ciphers) put(b, ":%%SERVER_PRECEDENCE");
    if (seclevel > 0 && seclevel <= 5) put(b, ":%s", profiles[seclevel]);
    return b->overflow ? -1 : 0;
}

static void add_allowed(void *ud, const unsigned char id[2], const char *name) {
    gtls_prio *p = ud;
    p->allowed = tlsc_host()->realloc(p->allowed, (p->nallowed + 1) * sizeof(*p->allowed));
    memcpy(p->allowed[p->nallowed++], id, 2);
}

static void add_allowed13(gtls_prio *p, const algos *a13) {
    unsigned char id[2];
    gnutls_kx_algorithm_t k;
    gnutls_cipher_algorithm_t c;
    gnutls_mac_algorithm_t m;
    gnutls_protocol_t v;
    const char *name;
    for (size_t i = 0; (name = gnutls_cipher_suite_info(i, id, &k, &c, &m, &v)); i++)
        if (v == GNUTLS_TLS1_3 && contains(a13->cipher, a13->ncipher, c)) add_allowed(p, id, name);
}

static int build_native(const char *native, gtls_prio *p, char *err, size_t errlen) {
    if (compile(GTLS_KEY_PRIORITY, native, &p->main, err, errlen)) return -1;
    p->native = 1;
    p->text = tlsc_strdup(native);
    const unsigned *list;
    int n = gnutls_priority_protocol_list(p->main, &list);
    for (int i = 0; i < n; i++)
        for (size_t j = 0; j < NVERSIONS; j++)
            if (versions[j].version == list[i]) p->protocols |= versions[j].bit;
    return 0;
}

int gtls_prio_build(const tlsc_config *cfg, const char *native, gtls_prio *p, char *err,
                    size_t errlen) {
    memset(p, 0, sizeof(*p));
    if (native) {
        if (build_native(native, p, err, errlen)) goto fail;
        return 0;
    }
    algos normal, a12, a13, all;
    gtls_suite_sel sel;
    sel.seclevel = -1;
    if (normal_algos(&normal, err, errlen)) return -1;
    a12 = normal;
    if (cfg->ciphers) {
        if (gtls_suites_eval(cfg->ciphers, &sel, err, errlen)) return -1;
        memset(&a12, 0, sizeof(a12));
        for (size_t i = 0; i < sel.nkx; i++) add(a12.kx, &a12.nkx, 16, sel.kx[i]);
        for (size_t i = 0; i < sel.ncipher; i++) add(a12.cipher, &a12.ncipher, 32, sel.cipher[i]);
        for (size_t i = 0; i < sel.nmac; i++) add(a12.mac, &a12.nmac, 16, sel.mac[i]);
        if (check_exact(cfg->ciphers, &sel, &a12, err, errlen)) return -1;
    }
    /* TLS 1.3: the library's key exchanges and the chosen ciphers. */
    memset(&a13, 0, sizeof(a13));
    for (size_t i = 0; i < normal.nkx; i++) add(a13.kx, &a13.nkx, 16, normal.kx[i]);
    if (cfg->ciphersuites) {
        if (parse_ciphersuites(cfg->ciphersuites, &a13, err, errlen)) return -1;
    } else {
        for (size_t i = 0; i < normal.ncipher; i++)
            if (is_tls13_cipher(normal.cipher[i]))
                add(a13.cipher, &a13.ncipher, 32, normal.cipher[i]);
        add(a13.mac, &a13.nmac, 16, GNUTLS_MAC_AEAD);
    }
    unsigned protos = cfg->protocols;
    int has13 = (protos & TLSC_PROTO_TLS1_3) != 0;
    int has12 = (protos & ~TLSC_PROTO_TLS1_3) != 0;
    all = has12 ? a12 : a13;
    if (has12 && has13) {
        for (size_t i = 0; i < a13.nkx; i++) add(all.kx, &all.nkx, 16, a13.kx[i]);
        for (size_t i = 0; i < a13.ncipher; i++) add(all.cipher, &all.ncipher, 32, a13.cipher[i]);
        for (size_t i = 0; i < a13.nmac; i++) add(all.mac, &all.nmac, 16, a13.mac[i]);
    }
    buf b;
    if (format(&b, protos, &all, cfg, sel.seclevel))
        return tlsc_errf(err, errlen, "tls-ciphers: the selection is too long for a priority");
    p->text = tlsc_strdup(b.text);
    p->protocols = protos;
    if (compile("tls-ciphers", b.text, &p->main, err, errlen)) goto fail;
    if (has12 && has13 && cfg->role == KP_ROLE_SERVER) {
        if (format(&b, protos, &a12, cfg, sel.seclevel) ||
            compile("tls-ciphers", b.text, &p->tls12, err, errlen))
            goto fail;
        if (format(&b, protos, &a13, cfg, sel.seclevel) ||
            compile("tls-ciphersuites", b.text, &p->tls13, err, errlen))
            goto fail;
    }
    if (has12) each_tls12_suite(&a12, add_allowed, p);
    if (has13) add_allowed13(p, &a13);
    return 0;
fail:
    gtls_prio_free(p);
    return -1;
}

void gtls_prio_free(gtls_prio *p) {
    if (p->main) gnutls_priority_deinit(p->main);
    if (p->tls12) gnutls_priority_deinit(p->tls12);
    if (p->tls13) gnutls_priority_deinit(p->tls13);
    tlsc_free(p->text);
    tlsc_free(p->allowed);
    memset(p, 0, sizeof(*p));
}

int gtls_prio_allows(const gtls_prio *p, gnutls_session_t s) {
    if (p->native) return 1;
    gnutls_protocol_t ver = gnutls_protocol_get_version(s);
    gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
    gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s);
    gnutls_mac_algorithm_t mac = gnutls_mac_get(s);
    unsigned char id[2];
    gnutls_kx_algorithm_t k;
    gnutls_cipher_algorithm_t c;
    gnutls_mac_algorithm_t m;
    gnutls_protocol_t v;
    for (size_t i = 0; gnutls_cipher_suite_info(i, id, &k, &c, &m, &v); i++) {
        if (c != cipher || m != mac || (v == GNUTLS_TLS1_3) != (ver == GNUTLS_TLS1_3)) continue;
        if (v != GNUTLS_TLS1_3 && k != kx) continue;
        for (size_t j = 0; j < p->nallowed; j++)
            if (p->allowed[j][0] == id[0] && p->allowed[j][1] == id[1]) return 1;
        return 0;
    }
    return 0;
}
