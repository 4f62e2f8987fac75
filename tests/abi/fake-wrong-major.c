/* ABI conformance: a transport built for another major version is refused. */
#include "fake-common.h"

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-wrong-major");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.hdr.abi_major = KP_ABI_MAJOR + 1;
    *out = &fake;
    return 0;
}
