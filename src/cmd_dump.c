/* Skeleton: DUMP and RESTORE, replaced by the persistence work. */
#include "server.h"

kcommand dump_commands[] = {{0}};
