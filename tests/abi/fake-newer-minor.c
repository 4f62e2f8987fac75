/* ABI conformance: a transport built for a newer minor than the server is refused. */
#include "fake-common.h"

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-newer-minor");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.hdr.abi_minor = KP_ABI_MINOR + 1;
    *out = &fake;
    return 0;
}
