/* ABI conformance: a transport whose init op fails is refused with its reason. */
#include "fake-common.h"

static int fake_init(int argc, const char *const *argv, char *err, size_t errlen) {
    (void)argc, (void)argv;
    snprintf(err, errlen, "simulated failure in init");
    return -1;
}

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-init-error");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.init = fake_init;
    *out = &fake;
    return 0;
}
