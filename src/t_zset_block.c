/*
 * Blocking sorted set pops: BZPOPMIN BZPOPMAX BZMPOP, with Redis 7.0
 * replies and errors. They pop like ZPOPMIN/ZPOPMAX/ZMPOP (zset_pop_reply,
 * t_zset.c) from the first non-empty sorted set; with nothing to pop they
 * block (blocked.c) until a key gets a sorted set, or reply a null array
 * inside EXEC and on timeout.
 *
 * Main thread only.
 */
#include <limits.h>

#include "blocked.h"
#include "keyspace.h"
#include "server.h"
#include "t_zset.h"

/* Pops from the first non-empty sorted set among keys, or blocks. count
 * is 1 for BZPOPMIN/BZPOPMAX. */
static void blocking_zpop(client *c, kobj **keys, int numkeys, int where, kobj *timeout_arg,
                          long count, zpop_shape shape) {
    long long timeout;
    if (get_timeout_from_obj_or_reply(c, timeout_arg, &timeout) != C_OK) return;
    for (int j = 0; j < numkeys; j++) {
        kobj *o = db_lookup_write(c->db, keys[j]);
        if (!o) continue;
        if (o->type != OBJ_ZSET) {
            add_reply_error_wrongtype(c);
            return;
        }
        if (zset_type_length(o) == 0) continue;
        zset_pop_reply(c, keys[j], where, count, shape);
        return;
    }
    if (c->flags & CLIENT_DENY_BLOCKING) {
        add_reply_null_array(c);
        return;
    }
    block_for_keys(c, keys, numkeys, timeout, OBJ_ZSET);
}

static void bzpopmin_command(client *c) {
    blocking_zpop(c, c->argv + 1, c->argc - 2, ZSET_MIN, c->argv[c->argc - 1], 1,
                  ZPOP_SHAPE_BLOCKING);
}

static void bzpopmax_command(client *c) {
    blocking_zpop(c, c->argv + 1, c->argc - 2, ZSET_MAX, c->argv[c->argc - 1], 1,
                  ZPOP_SHAPE_BLOCKING);
}

/* BZMPOP timeout numkeys key [key ...] MIN|MAX [COUNT count] */
static void bzmpop_command(client *c) {
    long numkeys;
    if (get_range_long_from_obj_or_reply(c, c->argv[2], 1, LONG_MAX, &numkeys,
                                         "ERR numkeys should be greater than 0") != C_OK)
        return;
    if (numkeys > (long)c->argc - 4) {
        add_reply_error_syntax(c);
        return;
    }
    int where_idx = 2 + (int)numkeys + 1;
    int where;
    if (arg_is(c->argv[where_idx], "min")) {
        where = ZSET_MIN;
    } else if (arg_is(c->argv[where_idx], "max")) {
        where = ZSET_MAX;
    } else {
        add_reply_error_syntax(c);
        return;
    }
    long count = -1;
    for (int j = where_idx + 1; j < c->argc; j++) {
        int more = c->argc - 1 - j;
        if (count == -1 && arg_is(c->argv[j], "count") && more) {
            j++;
            if (get_range_long_from_obj_or_reply(c, c->argv[j], 1, LONG_MAX, &count,
                                                 "ERR count should be greater than 0") != C_OK)
                return;
        } else {
            add_reply_error_syntax(c);
            return;
        }
    }
    if (count == -1) count = 1;
    blocking_zpop(c, c->argv + 3, (int)numkeys, where, c->argv[1], count, ZPOP_SHAPE_MPOP);
}

#define ZB_FLAGS (CMD_WRITE | CMD_NOSCRIPT | CMD_BLOCKING | CMD_FAST)

kcommand zset_blocking_commands[] = {
    {.name = "bzpopmin",
     .proc = bzpopmin_command,
     .arity = -3,
     .flags = ZB_FLAGS,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .group = "sorted-set",
     .summary = "Remove and return the member with the lowest score from one or more sorted sets, "
                "or block until one is available",
     .since = "5.0.0",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .acl_categories = "@write @sortedset @fast @blocking",
     .syntax = "key [key ...] timeout"},
    {.name = "bzpopmax",
     .proc = bzpopmax_command,
     .arity = -3,
     .flags = ZB_FLAGS,
     .first_key = 1,
     .last_key = -2,
     .key_step = 1,
     .group = "sorted-set",
     .summary = "Remove and return the member with the highest score from one or more sorted "
                "sets, or block until one is available",
     .since = "5.0.0",
     .complexity = "O(log(N)) with N being the number of elements in the sorted set.",
     .acl_categories = "@write @sortedset @fast @blocking",
     .syntax = "key [key ...] timeout"},
    {.name = "bzmpop",
     .proc = bzmpop_command,
     .arity = -5,
     .flags = CMD_WRITE | CMD_BLOCKING,
     .first_key = 0,
     .last_key = 0,
     .key_step = 0,
     .group = "sorted-set",
     .summary = "Remove and return members with scores in a sorted set or block until one is "
                "available",
     .since = "7.0.0",
     .complexity = "O(K) + O(M*log(N)) where K is the number of provided keys, N being the number "
                   "of elements in the sorted set, and M being the number of elements popped.",
     .acl_categories = "@write @sortedset @slow @blocking",
     .syntax = "timeout numkeys key [key ...] MIN|MAX [COUNT count]"},
    {0}};
