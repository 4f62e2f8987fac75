/* ABI conformance: a transport must be exactly one of stream and layered. */
#include "fake-common.h"

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-bad-caps");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.caps = KP_CAP_STREAM | KP_CAP_LAYERED;
    *out = &fake;
    return 0;
}
