/*
 * COMMAND INFO / COMMAND DOCS replies built from the command tables
 * (cmd_docs.c), shared by the COMMAND command (cmd_server.c).
 *
 * Threading: main thread only.
 */
#ifndef KEYPORT_CMD_DOCS_H
#define KEYPORT_CMD_DOCS_H

#include "server.h"

/* One COMMAND INFO entry (10 elements, Redis 7 shape), subcommands
 * included. */
void reply_command_info(client *c, kcommand *cmd);
/* The COMMAND DOCS map of cmd (without its name). */
void reply_command_docs(client *c, kcommand *cmd);
/* Does cmd belong to ACL category cat ("read" or "@read", any case),
 * counting the categories its flags imply? */
int command_has_category(kcommand *cmd, const char *cat);
/* Key positions of argv (argc words, the command name first) according to
 * cmd's first/last/step. Returns the count; positions go to pos (at most
 * max). */
int command_key_positions(kcommand *cmd, int argc, int *pos, int max);

#endif
