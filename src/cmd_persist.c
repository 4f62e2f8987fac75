/*
 * SAVE, BGSAVE [SCHEDULE] and LASTSAVE with Redis 7.0's replies.
 */
#include <stdio.h>
#include <strings.h>

#include "persist_internal.h"

static void save_command(client *c) {
    if (child_active_type() == CHILD_TYPE_RDB) {
        add_reply_error(c, "ERR Background save already in progress");
        return;
    }
    persist.rdb_saves++; /* INFO rdb_saves counts SAVE too */
    if (persist_save_now() == C_OK)
        add_reply_ok(c);
    else
        add_reply_error(c, "ERR"); /* Redis' bare -ERR: the log says why */
}

static void bgsave_command(client *c) {
    int schedule = 0;
    if (c->argc > 1) {
        if (c->argc == 2 && !strcasecmp((const char *)c->argv[1]->ptr, "schedule")) {
            schedule = 1;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    int child = child_active_type();
    if (child == CHILD_TYPE_RDB) {
        add_reply_error(c, "ERR Background save already in progress");
        return;
    }
    /* Inside EXEC a fork would snapshot half a transaction: it waits. */
    if (child != CHILD_TYPE_NONE || (c->flags & CLIENT_MULTI)) {
        if (schedule || (c->flags & CLIENT_MULTI)) {
            persist_schedule_bgsave();
            add_reply_status(c, "Background saving scheduled");
        } else {
            add_reply_error(c, "ERR Another child process is active (AOF?): can't BGSAVE right "
                               "now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever "
                               "possible.");
        }
        return;
    }
    char err[512];
    if (persist_bgsave(err, sizeof(err)) == C_OK)
        add_reply_status(c, "Background saving started");
    else
        add_reply_error(c, err);
}

static void lastsave_command(client *c) {
    add_reply_ll(c, (long long)persist_lastsave());
}

kcommand persist_commands[] = {
    {.name = "save",
     .proc = save_command,
     .arity = 1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT | CMD_NO_MULTI,
     .group = "server",
     .summary = "Synchronously save the dataset to disk",
     .since = "1.0.0",
     .complexity = "O(N) where N is the total number of keys in all databases",
     .acl_categories = "@admin @slow @dangerous",
     .syntax = ""},
    {.name = "bgsave",
     .proc = bgsave_command,
     .arity = -1,
     .flags = CMD_ADMIN | CMD_NOSCRIPT,
     .group = "server",
     .summary = "Asynchronously save the dataset to disk",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@admin @slow @dangerous",
     .syntax = "[SCHEDULE]"},
    {.name = "lastsave",
     .proc = lastsave_command,
     .arity = 1,
     .flags = CMD_LOADING | CMD_STALE | CMD_FAST,
     .group = "server",
     .summary = "Get the UNIX time stamp of the last successful save to disk",
     .since = "1.0.0",
     .complexity = "O(1)",
     .acl_categories = "@admin @fast @dangerous",
     .syntax = ""},
    {0}};
