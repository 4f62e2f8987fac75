/* ABI conformance: a descriptor smaller than its declared minor requires is refused. */
#include "fake-common.h"

static kp_transport fake = FAKE_STREAM_TRANSPORT("fake-short-struct");

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)err, (void)errlen;
    fake.hdr.struct_size = (uint32_t)KP_TRANSPORT_SIZE_1_0; /* declares 1.1, sized as 1.0 */
    *out = &fake;
    return 0;
}
