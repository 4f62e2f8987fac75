/* ABI conformance: the tcp transport declared as ABI 1.0 ("tcp10", with
 * the 1.0 struct size) must load and serve clients: an older minor is
 * accepted and the 1.1 members read as absent. */
#define KP_TCP_AS_ABI_1_0
#include "../../transports/tcp/tcp.c"
