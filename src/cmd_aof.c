/* Skeleton: BGREWRITEAOF, replaced by the persistence work. */
#include "server.h"

kcommand aof_commands[] = {{0}};
