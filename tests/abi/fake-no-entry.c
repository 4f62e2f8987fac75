/* ABI conformance: a shared object without kp_transport_entry is refused. */
#include "keyport/transport.h"

KP_EXPORT int kp_transport_entry_v0(void);

KP_EXPORT int kp_transport_entry_v0(void) {
    return 0;
}
