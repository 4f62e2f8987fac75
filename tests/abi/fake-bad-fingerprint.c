/* ABI conformance: a transport built with another pointer size is refused. */
#include "fake-common.h"

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-bad-fingerprint");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.fingerprint.ptr_size = 4;
    *out = &fake;
    return 0;
}
