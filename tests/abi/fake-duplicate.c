/* ABI conformance: a second transport named "tcp" (the real tcp code,
 * built into another file) is refused once tcp is loaded. */
#include "../../transports/tcp/tcp.c"
