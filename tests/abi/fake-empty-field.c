/* ABI conformance: empty or missing descriptor strings are refused, each named. */
#include "fake-common.h"

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-empty-field");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.version = "";
    fake.license = NULL;
    *out = &fake;
    return 0;
}
