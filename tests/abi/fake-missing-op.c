/* ABI conformance: a stream transport without a mandatory op (accept) is refused. */
#include "fake-common.h"

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-missing-op");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.accept = NULL;
    *out = &fake;
    return 0;
}
