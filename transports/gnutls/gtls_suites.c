/* OpenSSL cipher-list semantics (tls-ciphers) over the TLS 1.2 and older
 * suites that both OpenSSL 3 and GnuTLS implement with certificate
 * authentication. The table lists them in OpenSSL's default preference
 * order with the attributes OpenSSL's aliases select on; evaluation
 * follows ciphers(1ssl): words separated by ':' ' ' ',' or ';', joined by
 * '+' to intersect, prefixed by '!' (remove for good), '-' (remove), '+'
 * (move to the end), plus @STRENGTH, @SECLEVEL=n and a leading DEFAULT.
 * Unknown words select nothing, as in OpenSSL, and are logged. */
#include <string.h>
#include <strings.h>

#include "gtls.h"

/* Attribute bits. */
enum { K_RSA = 1, K_DHE = 2, K_ECDHE = 4 };
enum { A_RSA = 1, A_DSS = 2, A_ECDSA = 4 };
enum {
    E_AES128 = 1 << 0,
    E_AES256 = 1 << 1,
    E_GCM128 = 1 << 2,
    E_GCM256 = 1 << 3,
    E_CCM128 = 1 << 4,
    E_CCM256 = 1 << 5,
    E_CCM8_128 = 1 << 6,
    E_CCM8_256 = 1 << 7,
    E_CAM128 = 1 << 8,
    E_CAM256 = 1 << 9,
    E_CHACHA = 1 << 10,
    E_NULL = 1 << 11,
};
enum { M_MD5 = 1, M_SHA1 = 2, M_SHA256 = 4, M_SHA384 = 8, M_AEAD = 16 };
enum { V_SSL3 = 1, V_TLS1 = 2, V_TLS12 = 4 };
enum { S_HIGH = 1, S_NONE = 2 };

typedef struct suite {
    unsigned char id[2];
    const char *name;
    unsigned char kx, au, mac, ver, strength;
    unsigned short enc, bits;
} suite;

/* clang-format off */
#define S(a, b, n, k, au, e, bits, m, v, st) {{a, b}, n, k, au, m, v, st, e, bits}
static const suite suites[] = {
    S(0xC0, 0x2C, "ECDHE-ECDSA-AES256-GCM-SHA384", K_ECDHE, A_ECDSA, E_GCM256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0x30, "ECDHE-RSA-AES256-GCM-SHA384", K_ECDHE, A_RSA, E_GCM256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0x00, 0xA3, "DHE-DSS-AES256-GCM-SHA384", K_DHE, A_DSS, E_GCM256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0x00, 0x9F, "DHE-RSA-AES256-GCM-SHA384", K_DHE, A_RSA, E_GCM256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xCC, 0xA9, "ECDHE-ECDSA-CHACHA20-POLY1305", K_ECDHE, A_ECDSA, E_CHACHA, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xCC, 0xA8, "ECDHE-RSA-CHACHA20-POLY1305", K_ECDHE, A_RSA, E_CHACHA, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xCC, 0xAA, "DHE-RSA-CHACHA20-POLY1305", K_DHE, A_RSA, E_CHACHA, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0xAF, "ECDHE-ECDSA-AES256-CCM8", K_ECDHE, A_ECDSA, E_CCM8_256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0xAD, "ECDHE-ECDSA-AES256-CCM", K_ECDHE, A_ECDSA, E_CCM256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0xA3, "DHE-RSA-AES256-CCM8", K_DHE, A_RSA, E_CCM8_256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0x9F, "DHE-RSA-AES256-CCM", K_DHE, A_RSA, E_CCM256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0x2B, "ECDHE-ECDSA-AES128-GCM-SHA256", K_ECDHE, A_ECDSA, E_GCM128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0x2F, "ECDHE-RSA-AES128-GCM-SHA256", K_ECDHE, A_RSA, E_GCM128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0x00, 0xA2, "DHE-DSS-AES128-GCM-SHA256", K_DHE, A_DSS, E_GCM128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0x00, 0x9E, "DHE-RSA-AES128-GCM-SHA256", K_DHE, A_RSA, E_GCM128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0xAE, "ECDHE-ECDSA-AES128-CCM8", K_ECDHE, A_ECDSA, E_CCM8_128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0xAC, "ECDHE-ECDSA-AES128-CCM", K_ECDHE, A_ECDSA, E_CCM128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0xA2, "DHE-RSA-AES128-CCM8", K_DHE, A_RSA, E_CCM8_128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0x9E, "DHE-RSA-AES128-CCM", K_DHE, A_RSA, E_CCM128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0x24, "ECDHE-ECDSA-AES256-SHA384", K_ECDHE, A_ECDSA, E_AES256, 256, M_SHA384, V_TLS12, S_HIGH),
    S(0xC0, 0x28, "ECDHE-RSA-AES256-SHA384", K_ECDHE, A_RSA, E_AES256, 256, M_SHA384, V_TLS12, S_HIGH),
    S(0x00, 0x6B, "DHE-RSA-AES256-SHA256", K_DHE, A_RSA, E_AES256, 256, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0x6A, "DHE-DSS-AES256-SHA256", K_DHE, A_DSS, E_AES256, 256, M_SHA256, V_TLS12, S_HIGH),
    S(0xC0, 0x73, "ECDHE-ECDSA-CAMELLIA256-SHA384", K_ECDHE, A_ECDSA, E_CAM256, 256, M_SHA384, V_TLS12, S_HIGH),
    S(0xC0, 0x77, "ECDHE-RSA-CAMELLIA256-SHA384", K_ECDHE, A_RSA, E_CAM256, 256, M_SHA384, V_TLS12, S_HIGH),
    S(0x00, 0xC4, "DHE-RSA-CAMELLIA256-SHA256", K_DHE, A_RSA, E_CAM256, 256, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0xC3, "DHE-DSS-CAMELLIA256-SHA256", K_DHE, A_DSS, E_CAM256, 256, M_SHA256, V_TLS12, S_HIGH),
    S(0xC0, 0x23, "ECDHE-ECDSA-AES128-SHA256", K_ECDHE, A_ECDSA, E_AES128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0xC0, 0x27, "ECDHE-RSA-AES128-SHA256", K_ECDHE, A_RSA, E_AES128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0x67, "DHE-RSA-AES128-SHA256", K_DHE, A_RSA, E_AES128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0x40, "DHE-DSS-AES128-SHA256", K_DHE, A_DSS, E_AES128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0xC0, 0x72, "ECDHE-ECDSA-CAMELLIA128-SHA256", K_ECDHE, A_ECDSA, E_CAM128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0xC0, 0x76, "ECDHE-RSA-CAMELLIA128-SHA256", K_ECDHE, A_RSA, E_CAM128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0xBE, "DHE-RSA-CAMELLIA128-SHA256", K_DHE, A_RSA, E_CAM128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0xBD, "DHE-DSS-CAMELLIA128-SHA256", K_DHE, A_DSS, E_CAM128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0xC0, 0x0A, "ECDHE-ECDSA-AES256-SHA", K_ECDHE, A_ECDSA, E_AES256, 256, M_SHA1, V_TLS1, S_HIGH),
    S(0xC0, 0x14, "ECDHE-RSA-AES256-SHA", K_ECDHE, A_RSA, E_AES256, 256, M_SHA1, V_TLS1, S_HIGH),
    S(0x00, 0x39, "DHE-RSA-AES256-SHA", K_DHE, A_RSA, E_AES256, 256, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x38, "DHE-DSS-AES256-SHA", K_DHE, A_DSS, E_AES256, 256, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x88, "DHE-RSA-CAMELLIA256-SHA", K_DHE, A_RSA, E_CAM256, 256, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x87, "DHE-DSS-CAMELLIA256-SHA", K_DHE, A_DSS, E_CAM256, 256, M_SHA1, V_SSL3, S_HIGH),
    S(0xC0, 0x09, "ECDHE-ECDSA-AES128-SHA", K_ECDHE, A_ECDSA, E_AES128, 128, M_SHA1, V_TLS1, S_HIGH),
    S(0xC0, 0x13, "ECDHE-RSA-AES128-SHA", K_ECDHE, A_RSA, E_AES128, 128, M_SHA1, V_TLS1, S_HIGH),
    S(0x00, 0x33, "DHE-RSA-AES128-SHA", K_DHE, A_RSA, E_AES128, 128, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x32, "DHE-DSS-AES128-SHA", K_DHE, A_DSS, E_AES128, 128, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x45, "DHE-RSA-CAMELLIA128-SHA", K_DHE, A_RSA, E_CAM128, 128, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x44, "DHE-DSS-CAMELLIA128-SHA", K_DHE, A_DSS, E_CAM128, 128, M_SHA1, V_SSL3, S_HIGH),
    S(0xC0, 0x06, "ECDHE-ECDSA-NULL-SHA", K_ECDHE, A_ECDSA, E_NULL, 0, M_SHA1, V_TLS1, S_NONE),
    S(0xC0, 0x10, "ECDHE-RSA-NULL-SHA", K_ECDHE, A_RSA, E_NULL, 0, M_SHA1, V_TLS1, S_NONE),
    S(0x00, 0x9D, "AES256-GCM-SHA384", K_RSA, A_RSA, E_GCM256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0xA1, "AES256-CCM8", K_RSA, A_RSA, E_CCM8_256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0x9D, "AES256-CCM", K_RSA, A_RSA, E_CCM256, 256, M_AEAD, V_TLS12, S_HIGH),
    S(0x00, 0x9C, "AES128-GCM-SHA256", K_RSA, A_RSA, E_GCM128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0xA0, "AES128-CCM8", K_RSA, A_RSA, E_CCM8_128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0xC0, 0x9C, "AES128-CCM", K_RSA, A_RSA, E_CCM128, 128, M_AEAD, V_TLS12, S_HIGH),
    S(0x00, 0x3D, "AES256-SHA256", K_RSA, A_RSA, E_AES256, 256, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0xC0, "CAMELLIA256-SHA256", K_RSA, A_RSA, E_CAM256, 256, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0x3C, "AES128-SHA256", K_RSA, A_RSA, E_AES128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0xBA, "CAMELLIA128-SHA256", K_RSA, A_RSA, E_CAM128, 128, M_SHA256, V_TLS12, S_HIGH),
    S(0x00, 0x3B, "NULL-SHA256", K_RSA, A_RSA, E_NULL, 0, M_SHA256, V_TLS12, S_NONE),
    S(0x00, 0x35, "AES256-SHA", K_RSA, A_RSA, E_AES256, 256, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x84, "CAMELLIA256-SHA", K_RSA, A_RSA, E_CAM256, 256, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x2F, "AES128-SHA", K_RSA, A_RSA, E_AES128, 128, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x41, "CAMELLIA128-SHA", K_RSA, A_RSA, E_CAM128, 128, M_SHA1, V_SSL3, S_HIGH),
    S(0x00, 0x02, "NULL-SHA", K_RSA, A_RSA, E_NULL, 0, M_SHA1, V_SSL3, S_NONE),
    S(0x00, 0x01, "NULL-MD5", K_RSA, A_RSA, E_NULL, 0, M_MD5, V_SSL3, S_NONE),
};
#undef S
/* clang-format on */
#define NSUITES (sizeof(suites) / sizeof(suites[0]))

/* A selector: a suite matches when, for every non-zero mask, its attribute
 * is within the mask; or, for a suite name, when it is that suite. */
typedef struct sel {
    unsigned kx, au, enc, mac, ver, strength;
    int suite;  /* index, or -1 */
    int none;   /* matches nothing (an OpenSSL alias for absent suites) */
    int notdef; /* only suites OpenSSL leaves out of DEFAULT */
} sel;

typedef struct alias {
    const char *name;
    sel s;
} alias;

#define E_AES_ALL                                                                                  \
    (E_AES128 | E_AES256 | E_GCM128 | E_GCM256 | E_CCM128 | E_CCM256 | E_CCM8_128 | E_CCM8_256)
#define E_ALL_BUT_NULL (0xffff & ~E_NULL)
/* clang-format off */
static const alias aliases[] = {
    {"ALL", {.enc = E_ALL_BUT_NULL, .suite = -1}},
    {"COMPLEMENTOFALL", {.enc = E_NULL, .suite = -1}},
    {"HIGH", {.strength = S_HIGH, .suite = -1}},
    {"eNULL", {.enc = E_NULL, .suite = -1}},
    {"NULL", {.enc = E_NULL, .suite = -1}},
    {"kRSA", {.kx = K_RSA, .suite = -1}},
    {"RSA", {.kx = K_RSA, .au = A_RSA, .suite = -1}},
    {"aRSA", {.au = A_RSA, .suite = -1}},
    {"kEDH", {.kx = K_DHE, .suite = -1}},
    {"kDHE", {.kx = K_DHE, .suite = -1}},
    {"EDH", {.kx = K_DHE, .suite = -1}},
    {"DHE", {.kx = K_DHE, .suite = -1}},
    {"DH", {.kx = K_DHE, .suite = -1}},
    {"kEECDH", {.kx = K_ECDHE, .suite = -1}},
    {"kECDHE", {.kx = K_ECDHE, .suite = -1}},
    {"EECDH", {.kx = K_ECDHE, .suite = -1}},
    {"ECDHE", {.kx = K_ECDHE, .suite = -1}},
    {"ECDH", {.kx = K_ECDHE, .suite = -1}},
    {"aDSS", {.au = A_DSS, .suite = -1}},
    {"DSS", {.au = A_DSS, .suite = -1}},
    {"aECDSA", {.au = A_ECDSA, .suite = -1}},
    {"ECDSA", {.au = A_ECDSA, .suite = -1}},
    {"AES", {.enc = E_AES_ALL, .suite = -1}},
    {"AES128", {.enc = E_AES128 | E_GCM128 | E_CCM128 | E_CCM8_128, .suite = -1}},
    {"AES256", {.enc = E_AES256 | E_GCM256 | E_CCM256 | E_CCM8_256, .suite = -1}},
    {"AESGCM", {.enc = E_GCM128 | E_GCM256, .suite = -1}},
    {"AESCCM", {.enc = E_CCM128 | E_CCM256 | E_CCM8_128 | E_CCM8_256, .suite = -1}},
    {"AESCCM8", {.enc = E_CCM8_128 | E_CCM8_256, .suite = -1}},
    {"CAMELLIA", {.enc = E_CAM128 | E_CAM256, .suite = -1}},
    {"CAMELLIA128", {.enc = E_CAM128, .suite = -1}},
    {"CAMELLIA256", {.enc = E_CAM256, .suite = -1}},
    {"CHACHA20", {.enc = E_CHACHA, .suite = -1}},
    {"MD5", {.mac = M_MD5, .suite = -1}},
    {"SHA1", {.mac = M_SHA1, .suite = -1}},
    {"SHA", {.mac = M_SHA1, .suite = -1}},
    {"SHA256", {.mac = M_SHA256, .suite = -1}},
    {"SHA384", {.mac = M_SHA384, .suite = -1}},
    {"TLSv1.2", {.ver = V_TLS12, .suite = -1}},
    {"TLSv1.0", {.ver = V_TLS1, .suite = -1}},
    {"TLSv1", {.ver = V_TLS1, .suite = -1}},
    {"SSLv3", {.ver = V_SSL3, .suite = -1}},
    /* OpenSSL aliases whose suites neither library offers here (anonymous,
     * PSK, SRP, export, weak or national ciphers): they select nothing. */
    {"COMPLEMENTOFDEFAULT", {.notdef = 1, .suite = -1}},
    {"MEDIUM", {.none = 1, .suite = -1}},
    {"LOW", {.none = 1, .suite = -1}},
    {"EXPORT", {.none = 1, .suite = -1}},
    {"aNULL", {.none = 1, .suite = -1}},
    {"ADH", {.none = 1, .suite = -1}},
    {"AECDH", {.none = 1, .suite = -1}},
    {"kPSK", {.none = 1, .suite = -1}},
    {"kECDHEPSK", {.none = 1, .suite = -1}},
    {"kDHEPSK", {.none = 1, .suite = -1}},
    {"kRSAPSK", {.none = 1, .suite = -1}},
    {"aPSK", {.none = 1, .suite = -1}},
    {"PSK", {.none = 1, .suite = -1}},
    {"kSRP", {.none = 1, .suite = -1}},
    {"aSRP", {.none = 1, .suite = -1}},
    {"SRP", {.none = 1, .suite = -1}},
    {"3DES", {.none = 1, .suite = -1}},
    {"DES", {.none = 1, .suite = -1}},
    {"RC4", {.none = 1, .suite = -1}},
    {"RC2", {.none = 1, .suite = -1}},
    {"IDEA", {.none = 1, .suite = -1}},
    {"SEED", {.none = 1, .suite = -1}},
    {"ARIA", {.none = 1, .suite = -1}},
    {"ARIA128", {.none = 1, .suite = -1}},
    {"ARIA256", {.none = 1, .suite = -1}},
    {"ARIAGCM", {.none = 1, .suite = -1}},
    {"GOST94", {.none = 1, .suite = -1}},
    {"GOST89MAC", {.none = 1, .suite = -1}},
    {"kGOST", {.none = 1, .suite = -1}},
    {"aGOST", {.none = 1, .suite = -1}},
};
/* clang-format on */
#define NALIASES (sizeof(aliases) / sizeof(aliases[0]))

const char *gtls_suite_openssl_name(const unsigned char id[2]) {
    for (size_t i = 0; i < NSUITES; i++)
        if (suites[i].id[0] == id[0] && suites[i].id[1] == id[1]) return suites[i].name;
    return NULL;
}

/* OpenSSL 3 leaves DSS, CCM and Camellia suites out of DEFAULT. */
static int not_default(const suite *c) {
    return c->au == A_DSS ||
           (c->enc & (E_CCM128 | E_CCM256 | E_CCM8_128 | E_CCM8_256 | E_CAM128 | E_CAM256));
}

static int matches(const sel *s, const suite *c, size_t index) {
    if (s->none || (s->notdef && !not_default(c))) return 0;
    if (s->suite >= 0 && (size_t)s->suite != index) return 0;
    return (!s->kx || (c->kx & s->kx)) && (!s->au || (c->au & s->au)) &&
           (!s->enc || (c->enc & s->enc)) && (!s->mac || (c->mac & s->mac)) &&
           (!s->ver || (c->ver & s->ver)) && (!s->strength || (c->strength & s->strength));
}

/* Intersects one mask field: 0 is "any"; an empty intersection selects
 * nothing. */
static void meet(unsigned *have, unsigned add, int *none) {
    if (!add) return;
    if (!*have)
        *have = add;
    else if (!(*have &= add))
        *none = 1;
}

/* Looks up one word ("AES128", "ECDHE-RSA-AES128-SHA"); 0 when unknown. */
static int lookup(const char *w, size_t n, sel *out) {
    for (size_t i = 0; i < NSUITES; i++)
        if (strlen(suites[i].name) == n && !strncmp(suites[i].name, w, n)) {
            *out = (sel){.suite = (int)i};
            return 1;
        }
    for (size_t i = 0; i < NALIASES; i++)
        if (strlen(aliases[i].name) == n && !strncmp(aliases[i].name, w, n)) {
            *out = aliases[i].s;
            return 1;
        }
    return 0;
}

/* The working list: every table suite in the current order, with its state. */
typedef struct list {
    unsigned char order[NSUITES];
    unsigned char active[NSUITES]; /* by table index */
    unsigned char killed[NSUITES];
} list;

static void move(list *l, size_t from, size_t to) {
    unsigned char v = l->order[from];
    if (from < to)
        memmove(&l->order[from], &l->order[from + 1], to - from);
    else
        memmove(&l->order[to + 1], &l->order[to], from - to);
    l->order[to] = v;
}

typedef enum op { OP_ADD, OP_DEL, OP_KILL, OP_ORD } op;

static void apply(list *l, const sel *s, op o) {
    size_t n = NSUITES;
    if (o == OP_DEL) {
        /* Removed suites go to the head, keeping their order: the most
         * recently removed get the best place if added back. */
        size_t head = 0;
        for (size_t pos = 0; pos < n; pos++) {
            unsigned char i = l->order[pos];
            if (l->active[i] && matches(s, &suites[i], i)) {
                l->active[i] = 0;
                move(l, pos, head++);
            }
        }
        return;
    }
    /* ADD and ORD move matches to the tail in their current order. */
    unsigned char picked[NSUITES];
    size_t np = 0, keep = 0;
    unsigned char rest[NSUITES];
    for (size_t pos = 0; pos < n; pos++) {
        unsigned char i = l->order[pos];
        int m = !l->killed[i] && matches(s, &suites[i], i);
        int take = 0;
        switch (o) {
        case OP_ADD: take = m && !l->active[i]; break;
        case OP_ORD: take = m && l->active[i]; break;
        case OP_KILL:
            if (m) l->killed[i] = 1, l->active[i] = 0;
            break;
        case OP_DEL: break;
        }
        if (take)
            picked[np++] = i;
        else
            rest[keep++] = i;
    }
    if (o == OP_KILL) return;
    for (size_t j = 0; j < np; j++) l->active[picked[j]] = 1;
    memcpy(l->order, rest, keep);
    memcpy(l->order + keep, picked, np);
}

/* @STRENGTH: active suites sorted by key bits, highest first, stably. */
static void strength_sort(list *l) {
    static const unsigned short levels[] = {256, 128, 0};
    for (size_t k = 0; k < sizeof(levels) / sizeof(levels[0]); k++) {
        unsigned char picked[NSUITES], rest[NSUITES];
        size_t np = 0, nr = 0;
        for (size_t pos = 0; pos < NSUITES; pos++) {
            unsigned char i = l->order[pos];
            if (l->active[i] && suites[i].bits == levels[k])
                picked[np++] = i;
            else
                rest[nr++] = i;
        }
        memcpy(l->order, rest, nr);
        memcpy(l->order + nr, picked, np);
    }
}

static int is_sep(char c) {
    return c == ':' || c == ' ' || c == ',' || c == ';' || c == '\t';
}

/* Processes one element: [!-+]word[+word...] or @command. */
static int element(list *l, const char *p, size_t n, gtls_suite_sel *out, char *err,
                   size_t errlen) {
    op o = OP_ADD;
    if (*p == '!')
        o = OP_KILL;
    else if (*p == '-')
        o = OP_DEL;
    else if (*p == '+')
        o = OP_ORD;
    if (o != OP_ADD) p++, n--;
    if (n == 0) return 0;
    if (*p == '@') {
        if (n == 9 && !strncmp(p, "@STRENGTH", 9)) {
            strength_sort(l);
            return 0;
        }
        if (n == 11 && !strncmp(p, "@SECLEVEL=", 10) && p[10] >= '0' && p[10] <= '5') {
            out->seclevel = p[10] - '0';
            return 0;
        }
        return tlsc_errf(err, errlen,
                         "tls-ciphers: '%.*s' is not supported by the gnutls transport (use "
                         "tls-gnutls-priority)",
                         (int)n, p);
    }
    if ((n >= 6 && !strncmp(p, "SUITEB", 6)))
        return tlsc_errf(err, errlen,
                         "tls-ciphers: '%.*s' is not supported by the gnutls transport (use "
                         "tls-gnutls-priority)",
                         (int)n, p);
    sel s = {.suite = -1};
    int none = 0;
    const char *w = p, *end = p + n;
    while (w < end) {
        const char *plus = memchr(w, '+', (size_t)(end - w));
        size_t wl = plus ? (size_t)(plus - w) : (size_t)(end - w);
        sel one;
        if (wl && !lookup(w, wl, &one)) {
            tlsc_log(KP_LOG_WARNING,
                     "tls-ciphers: '%.*s' names no cipher suite that both OpenSSL and GnuTLS "
                     "implement; it selects nothing (as OpenSSL ignores unknown words)",
                     (int)wl, w);
            return 0;
        }
        if (wl) {
            if (one.none) none = 1;
            if (one.notdef) s.notdef = 1;
            if (one.suite >= 0) {
                if (s.suite >= 0 && s.suite != one.suite) none = 1;
                s.suite = one.suite;
            }
            meet(&s.kx, one.kx, &none);
            meet(&s.au, one.au, &none);
            meet(&s.enc, one.enc, &none);
            meet(&s.mac, one.mac, &none);
            meet(&s.ver, one.ver, &none);
            meet(&s.strength, one.strength, &none);
        }
        w += wl + (plus ? 1 : 0);
    }
    s.none = none;
    apply(l, &s, o);
    return 0;
}

static int process(list *l, const char *str, gtls_suite_sel *out, char *err, size_t errlen) {
    const char *p = str;
    while (*p) {
        while (*p && is_sep(*p)) p++;
        size_t n = 0;
        while (p[n] && !is_sep(p[n])) n++;
        if (n && element(l, p, n, out, err, errlen)) return -1;
        p += n;
    }
    return 0;
}

/* Appends v to a list of GnuTLS algorithm ids unless present. */
static void add_unique(unsigned *arr, size_t *n, size_t cap, unsigned v) {
    for (size_t i = 0; i < *n; i++)
        if (arr[i] == v) return;
    if (*n < cap) arr[(*n)++] = v;
}

/* GnuTLS's kx/cipher/mac of suite id; 0 when GnuTLS lacks it. */
static int gnutls_algos(const unsigned char id[2], unsigned *kx, unsigned *cipher, unsigned *mac) {
    unsigned char gid[2];
    gnutls_kx_algorithm_t k;
    gnutls_cipher_algorithm_t c;
    gnutls_mac_algorithm_t m;
    gnutls_protocol_t v;
    for (size_t i = 0; gnutls_cipher_suite_info(i, gid, &k, &c, &m, &v); i++) {
        if (gid[0] == id[0] && gid[1] == id[1]) {
            *kx = k;
            *cipher = c;
            *mac = m;
            return 1;
        }
    }
    return 0;
}

int gtls_suites_eval(const char *str, gtls_suite_sel *sel, char *err, size_t errlen) {
    list l;
    memset(&l, 0, sizeof(l));
    memset(sel, 0, sizeof(*sel));
    sel->seclevel = -1;
    for (size_t i = 0; i < NSUITES; i++) l.order[i] = (unsigned char)i;
    const char *rest = str;
    /* A leading DEFAULT is OpenSSL's default list. */
    if (!strncmp(rest, "DEFAULT", 7) && (!rest[7] || is_sep(rest[7]))) {
        if (process(&l, "ALL:!COMPLEMENTOFDEFAULT:!eNULL", sel, err, errlen)) return -1;
        rest += 7;
    }
    if (process(&l, rest, sel, err, errlen)) return -1;
    for (size_t pos = 0; pos < NSUITES; pos++) {
        unsigned char i = l.order[pos];
        unsigned kx, cipher, mac;
        if (!l.active[i] || !gnutls_algos(suites[i].id, &kx, &cipher, &mac)) continue;
        memcpy(sel->ids[sel->nids++], suites[i].id, 2);
        add_unique(sel->kx, &sel->nkx, 16, kx);
        add_unique(sel->cipher, &sel->ncipher, 32, cipher);
        add_unique(sel->mac, &sel->nmac, 16, mac);
    }
    if (sel->nids == 0) return tlsc_errf(err, errlen, "tls-ciphers: no usable cipher in '%s'", str);
    return 0;
}

const char *gtls_session_suite_name(gnutls_session_t s) {
    gnutls_protocol_t ver = gnutls_protocol_get_version(s);
    gnutls_kx_algorithm_t kx = gnutls_kx_get(s);
    gnutls_cipher_algorithm_t cipher = gnutls_cipher_get(s);
    gnutls_mac_algorithm_t mac = gnutls_mac_get(s);
    unsigned char id[2];
    gnutls_kx_algorithm_t k;
    gnutls_cipher_algorithm_t c;
    gnutls_mac_algorithm_t m;
    gnutls_protocol_t v;
    for (size_t i = 0;; i++) {
        const char *name = gnutls_cipher_suite_info(i, id, &k, &c, &m, &v);
        if (!name) break;
        if (c != cipher || m != mac) continue;
        int tls13 = v == GNUTLS_TLS1_3;
        if (tls13 != (ver == GNUTLS_TLS1_3)) continue;
        if (!tls13 && k != kx) continue;
        if (tls13) return name; /* TLS 1.3 names are the same in both */
        const char *ossl = gtls_suite_openssl_name(id);
        return ossl ? ossl : name;
    }
    return "unknown";
}
