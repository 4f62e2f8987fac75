/* Recognising a plaintext (RESP or inline) client on a TLS port, and
 * answering it with a readable error instead of a silent close. */
#include <string.h>

#include "tlsc.h"

/* Bytes a text protocol starts with: printable ASCII, CR, LF, TAB. */
static int is_text_byte(unsigned char b) {
    return (b >= 0x20 && b < 0x7f) || b == '\r' || b == '\n' || b == '\t';
}

tlsc_sniff_verdict tlsc_sniff(const unsigned char *buf, size_t len) {
    /* A TLS client opens with a handshake record (0x16), or with an SSLv2
     * style hello (high bit set); anything binary is left to the library,
     * whose error will be more precise than ours. */
    size_t n = len < 4 ? len : 4;
    if (n == 0) return TLSC_SNIFF_TLS;
    for (size_t i = 0; i < n; i++)
        if (!is_text_byte(buf[i])) return TLSC_SNIFF_TLS;
    return TLSC_SNIFF_PLAINTEXT;
}

void tlsc_reject_plaintext(kp_conn *c) {
    const kp_host_api *host = tlsc_host();
    char sink[4096];
    /* Bounded drain: a well-behaved client sent one command and waits. */
    for (int i = 0; i < 16; i++) {
        kp_io io = {0};
        if (host->raw_read(c, sink, sizeof(sink), &io) != KP_OK) break;
    }
    kp_io io = {0};
    (void)host->raw_write(c, TLSC_PLAINTEXT_REPLY, sizeof(TLSC_PLAINTEXT_REPLY) - 1, &io);
}
