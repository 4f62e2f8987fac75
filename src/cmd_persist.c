/* Skeleton: SAVE, BGSAVE and LASTSAVE, replaced by the persistence work. */
#include "server.h"

kcommand persist_commands[] = {{0}};
