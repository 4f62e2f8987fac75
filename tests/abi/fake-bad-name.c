/* ABI conformance: a name outside [a-z0-9_-]{1,31} is refused. */
#include "fake-common.h"

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-bad-name");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.name = "Bad Name";
    *out = &fake;
    return 0;
}
