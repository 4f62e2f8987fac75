/* BGREWRITEAOF (the rewrite itself is in aof_rewrite.c). */
#include "aof_internal.h"

static void bgrewriteaof_command(client *c) {
    char err[512];
    if (aof_rewrite_background(err, sizeof(err)) != C_OK) {
        add_reply_error(c, err);
        return;
    }
    /* Started now, or left for the cron while another child runs. */
    if (aof.rewrite_pid != -1 && !aof.rewrite_scheduled)
        add_reply_status(c, "Background append only file rewriting started");
    else
        add_reply_status(c, "Background append only file rewriting scheduled");
}

kcommand aof_commands[] = {{.name = "bgrewriteaof",
                            .proc = bgrewriteaof_command,
                            .arity = 1,
                            .flags = CMD_NOSCRIPT | CMD_ADMIN,
                            .group = "server",
                            .summary = "Asynchronously rewrite the append-only file",
                            .since = "1.0.0",
                            .complexity = "O(1)",
                            .acl_categories = "@admin @slow @dangerous",
                            .syntax = ""},
                           {0}};
