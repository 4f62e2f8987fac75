/* ABI conformance: a transport whose entry point fails is refused with its reason. */
#include <stdio.h>

#include "keyport/transport.h"

KP_EXPORT int kp_transport_entry(const kp_host_api *host, const kp_transport **out, char *err,
                                 size_t errlen) {
    (void)host, (void)out;
    snprintf(err, errlen, "simulated failure in the entry point");
    return -1;
}
