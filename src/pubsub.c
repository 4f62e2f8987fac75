/*
 * Pub/Sub: SUBSCRIBE UNSUBSCRIBE PSUBSCRIBE PUNSUBSCRIBE SSUBSCRIBE
 * SUNSUBSCRIBE PUBLISH SPUBLISH PUBSUB, with Redis 7.0 replies. Messages
 * are push replies (">" in RESP3, arrays in RESP2).
 *
 * Three kinds of subscription share one mechanism: each has a set of names
 * per client and, per server, a dict from name to the set of clients
 * subscribed. A client in RESP2 with any subscription is in subscribed mode
 * (CLIENT_PUBSUB); dispatch.c then only lets the commands allowed there
 * through.
 */
#include <string.h>
#include <strings.h>

#include "keyspace.h"
#include "pubsub.h"
#include "server.h"

typedef enum ps_kind { PS_CHANNEL, PS_PATTERN, PS_SHARD } ps_kind;

static const char *const subscribe_msg[] = {"subscribe", "psubscribe", "ssubscribe"};
static const char *const unsubscribe_msg[] = {"unsubscribe", "punsubscribe", "sunsubscribe"};

/* ---------- dict types ---------- */

static uint64_t name_hash(const void *k) {
    return dict_gen_hash(k, kstr_len((const kstr)k));
}

static int name_equal(const void *a, const void *b) {
    size_t la = kstr_len((const kstr)a);
    return la == kstr_len((const kstr)b) && memcmp(a, b, la) == 0;
}

static void name_free(void *k) {
    kstr_free(k);
}

static void clients_free(void *v) {
    dict_release(v);
}

static uint64_t ptr_hash(const void *k) {
    uintptr_t p = (uintptr_t)k;
    return dict_gen_hash(&p, sizeof(p));
}

static int ptr_equal(const void *a, const void *b) {
    return a == b;
}

/* A client's subscriptions: kstr names, owned. */
static const dict_type name_set_type = {name_hash, NULL, name_equal, name_free, NULL};
/* Server side: kstr name (owned) -> dict of client * (owned). */
static const dict_type name_clients_type = {name_hash, NULL, name_equal, name_free, clients_free};
/* Set of client pointers (not owned). */
static const dict_type client_set_type = {ptr_hash, NULL, ptr_equal, NULL, NULL};

static dict **client_dict(client *c, ps_kind k) {
    switch (k) {
    case PS_CHANNEL: return &c->pubsub_channels;
    case PS_PATTERN: return &c->pubsub_patterns;
    default: return &c->pubsub_shard_channels;
    }
}

static dict **server_dict(ps_kind k) {
    switch (k) {
    case PS_CHANNEL: return &server.pubsub_channels;
    case PS_PATTERN: return &server.pubsub_patterns;
    default: return &server.pubsub_shard_channels;
    }
}

static unsigned long dict_count(const dict *d) {
    return d ? (unsigned long)dict_size(d) : 0;
}

unsigned long pubsub_client_channels(const client *c) {
    return dict_count(c->pubsub_channels);
}

unsigned long pubsub_client_patterns(const client *c) {
    return dict_count(c->pubsub_patterns);
}

unsigned long pubsub_client_shard_channels(const client *c) {
    return dict_count(c->pubsub_shard_channels);
}

unsigned long pubsub_total_channels(void) {
    return dict_count(server.pubsub_channels);
}

unsigned long pubsub_total_patterns(void) {
    return dict_count(server.pubsub_patterns);
}

unsigned long pubsub_total_shard_channels(void) {
    return dict_count(server.pubsub_shard_channels);
}

static unsigned long total_subscriptions(const client *c) {
    return pubsub_client_channels(c) + pubsub_client_patterns(c) + pubsub_client_shard_channels(c);
}

/* The count a (un)subscribe reply carries: shard subscriptions are counted
 * apart from channels and patterns, as in Redis. */
static long long reply_count(const client *c, ps_kind k) {
    if (k == PS_SHARD) return (long long)pubsub_client_shard_channels(c);
    return (long long)(pubsub_client_channels(c) + pubsub_client_patterns(c));
}

static void update_pubsub_flag(client *c) {
    if (total_subscriptions(c) == 0) c->flags &= ~CLIENT_PUBSUB;
}

/* ---------- subscribe / unsubscribe ---------- */

static void reply_subscription(client *c, const char *kind, const char *name, size_t len,
                               long long count) {
    add_reply_push_len(c, 3);
    add_reply_bulk_cstr(c, kind);
    if (name)
        add_reply_bulk_buf(c, name, len);
    else
        add_reply_null(c);
    add_reply_ll(c, count);
}

static void subscribe(client *c, const kstr name, ps_kind k) {
    dict **cd = client_dict(c, k);
    if (!*cd) *cd = dict_create(&name_set_type);
    if (!dict_find(*cd, name)) {
        dict_add(*cd, kstr_dup(name), NULL);
        dict **sd = server_dict(k);
        if (!*sd) *sd = dict_create(&name_clients_type);
        dict_entry *de = dict_find(*sd, name);
        if (!de) {
            dict_add(*sd, kstr_dup(name), dict_create(&client_set_type));
            de = dict_find(*sd, name);
        }
        dict_add(de->v.val, c, NULL);
    }
    reply_subscription(c, subscribe_msg[k], name, kstr_len(name), reply_count(c, k));
}

/* Returns 1 if c was subscribed to name. */
static int unsubscribe(client *c, const kstr name, ps_kind k, int notify) {
    dict *cd = *client_dict(c, k);
    int removed = 0;
    /* name may be the very key about to be freed: keep a copy. */
    kstr copy = kstr_dup(name);
    if (cd && dict_delete(cd, copy) == DICT_OK) {
        removed = 1;
        dict *sd = *server_dict(k);
        dict_entry *de = sd ? dict_find(sd, copy) : NULL;
        if (de) {
            dict_delete(de->v.val, c);
            if (dict_size(de->v.val) == 0) dict_delete(sd, copy);
        }
    }
    if (notify) reply_subscription(c, unsubscribe_msg[k], copy, kstr_len(copy), reply_count(c, k));
    kstr_free(copy);
    return removed;
}

/* Unsubscribes c from every name of kind k; with notify and nothing to
 * drop, replies one unsubscribe message with a null name. */
static void unsubscribe_kind(client *c, ps_kind k, int notify) {
    dict *cd = *client_dict(c, k);
    unsigned long n = dict_count(cd);
    if (n) {
        kstr *names = zmalloc(sizeof(kstr) * n);
        unsigned long i = 0;
        dict_iterator it;
        dict_iter_init(&it, cd, 0);
        dict_entry *de;
        while ((de = dict_next(&it))) names[i++] = kstr_dup(de->key);
        dict_iter_reset(&it);
        for (i = 0; i < n; i++) {
            unsubscribe(c, names[i], k, notify);
            kstr_free(names[i]);
        }
        zfree(names);
    } else if (notify) {
        reply_subscription(c, unsubscribe_msg[k], NULL, 0, reply_count(c, k));
    }
}

void pubsub_unsubscribe_all(client *c, int notify) {
    unsubscribe_kind(c, PS_CHANNEL, notify);
    unsubscribe_kind(c, PS_SHARD, notify);
    unsubscribe_kind(c, PS_PATTERN, notify);
    for (ps_kind k = PS_CHANNEL; k <= PS_SHARD; k++) {
        dict **cd = client_dict(c, k);
        if (*cd) dict_release(*cd);
        *cd = NULL;
    }
    c->flags &= ~CLIENT_PUBSUB;
}

/* ---------- publishing ---------- */

static void deliver(client *c, const char *kind, const char *pattern, size_t plen,
                    const char *channel, size_t clen, const char *msg, size_t mlen) {
    add_reply_push_len(c, pattern ? 4 : 3);
    add_reply_bulk_cstr(c, kind);
    if (pattern) add_reply_bulk_buf(c, pattern, plen);
    add_reply_bulk_buf(c, channel, clen);
    add_reply_bulk_buf(c, msg, mlen);
}

/* Delivers to every client in the set; returns how many. */
static long long deliver_all(dict *clients, const char *kind, const kstr pattern,
                             const char *channel, size_t clen, const char *msg, size_t mlen) {
    long long n = 0;
    dict_iterator it;
    dict_iter_init(&it, clients, 0);
    dict_entry *de;
    while ((de = dict_next(&it))) {
        deliver(de->key, kind, pattern, pattern ? kstr_len(pattern) : 0, channel, clen, msg, mlen);
        n++;
    }
    dict_iter_reset(&it);
    return n;
}

static long long publish_kind(ps_kind k, const char *channel, size_t clen, const char *msg,
                              size_t mlen) {
    long long receivers = 0;
    dict *sd = *server_dict(k);
    if (sd && dict_size(sd)) {
        kstr name = kstr_new(channel, clen);
        dict_entry *de = dict_find(sd, name);
        kstr_free(name);
        if (de)
            receivers += deliver_all(de->v.val, k == PS_SHARD ? "smessage" : "message", NULL,
                                     channel, clen, msg, mlen);
    }
    if (k != PS_CHANNEL) return receivers;
    dict *pd = server.pubsub_patterns;
    if (!pd || dict_size(pd) == 0) return receivers;
    dict_iterator it;
    dict_iter_init(&it, pd, 0);
    dict_entry *de;
    while ((de = dict_next(&it))) {
        kstr pattern = de->key;
        if (!string_match_len(pattern, kstr_len(pattern), channel, clen, 0)) continue;
        receivers += deliver_all(de->v.val, "pmessage", pattern, channel, clen, msg, mlen);
    }
    dict_iter_reset(&it);
    return receivers;
}

long long pubsub_publish(const char *channel, size_t clen, const char *msg, size_t mlen) {
    return publish_kind(PS_CHANNEL, channel, clen, msg, mlen);
}

int pubsub_command_allowed_in_context(const kcommand *cmd) {
    static const char *const allowed[] = {
        "ping",       "subscribe",    "ssubscribe", "unsubscribe", "sunsubscribe",
        "psubscribe", "punsubscribe", "quit",       "reset",       NULL};
    if (cmd->parent) return 0;
    for (const char *const *name = allowed; *name; name++)
        if (!strcasecmp(cmd->name, *name)) return 1;
    return 0;
}

/* ---------- commands ---------- */

static void subscribe_generic(client *c, ps_kind k) {
    for (int j = 1; j < c->argc; j++) subscribe(c, c->argv[j]->ptr, k);
    c->flags |= CLIENT_PUBSUB;
}

static void unsubscribe_generic(client *c, ps_kind k) {
    if (c->argc == 1)
        unsubscribe_kind(c, k, 1);
    else
        for (int j = 1; j < c->argc; j++) unsubscribe(c, c->argv[j]->ptr, k, 1);
    update_pubsub_flag(c);
}

static void subscribe_command(client *c) {
    subscribe_generic(c, PS_CHANNEL);
}

static void psubscribe_command(client *c) {
    subscribe_generic(c, PS_PATTERN);
}

static void ssubscribe_command(client *c) {
    subscribe_generic(c, PS_SHARD);
}

static void unsubscribe_command(client *c) {
    unsubscribe_generic(c, PS_CHANNEL);
}

static void punsubscribe_command(client *c) {
    unsubscribe_generic(c, PS_PATTERN);
}

static void sunsubscribe_command(client *c) {
    unsubscribe_generic(c, PS_SHARD);
}

static void publish_command(client *c) {
    kstr ch = c->argv[1]->ptr, msg = c->argv[2]->ptr;
    add_reply_ll(c, publish_kind(PS_CHANNEL, ch, kstr_len(ch), msg, kstr_len(msg)));
}

static void spublish_command(client *c) {
    kstr ch = c->argv[1]->ptr, msg = c->argv[2]->ptr;
    add_reply_ll(c, publish_kind(PS_SHARD, ch, kstr_len(ch), msg, kstr_len(msg)));
}

static void pubsub_command(client *c) {
    add_reply_error_subcommand(c);
}

/* PUBSUB CHANNELS / SHARDCHANNELS [pattern] */
static void channels_generic(client *c, ps_kind k) {
    if (c->argc > 3) {
        add_reply_error_subcommand(c);
        return;
    }
    kstr pattern = c->argc == 3 ? c->argv[2]->ptr : NULL;
    void *deferred = add_reply_deferred_len(c);
    long n = 0;
    dict *sd = *server_dict(k);
    if (sd) {
        dict_iterator it;
        dict_iter_init(&it, sd, 0);
        dict_entry *de;
        while ((de = dict_next(&it))) {
            kstr name = de->key;
            if (pattern && !string_match_len(pattern, kstr_len(pattern), name, kstr_len(name), 0))
                continue;
            add_reply_bulk_buf(c, name, kstr_len(name));
            n++;
        }
        dict_iter_reset(&it);
    }
    set_deferred_array_len(c, deferred, n);
}

/* PUBSUB NUMSUB / SHARDNUMSUB [channel ...]: a flat array of pairs. */
static void numsub_generic(client *c, ps_kind k) {
    dict *sd = *server_dict(k);
    add_reply_array_len(c, (long)(c->argc - 2) * 2);
    for (int j = 2; j < c->argc; j++) {
        dict_entry *de = sd ? dict_find(sd, c->argv[j]->ptr) : NULL;
        add_reply_bulk(c, c->argv[j]);
        add_reply_ll(c, de ? (long long)dict_size(de->v.val) : 0);
    }
}

static void pubsub_channels_command(client *c) {
    channels_generic(c, PS_CHANNEL);
}

static void pubsub_shardchannels_command(client *c) {
    channels_generic(c, PS_SHARD);
}

static void pubsub_numsub_command(client *c) {
    numsub_generic(c, PS_CHANNEL);
}

static void pubsub_shardnumsub_command(client *c) {
    numsub_generic(c, PS_SHARD);
}

static void pubsub_numpat_command(client *c) {
    add_reply_ll(c, (long long)pubsub_total_patterns());
}

static void pubsub_help_command(client *c) {
    static const char *const help[] = {
        "CHANNELS [<pattern>]",
        "    Return the currently active channels matching a <pattern> (default: '*').",
        "NUMPAT",
        "    Return number of subscriptions to patterns.",
        "NUMSUB [<channel> ...]",
        "    Return the number of subscribers for the specified channels, excluding",
        "    pattern subscriptions(default: no channels).",
        "SHARDCHANNELS [<pattern>]",
        "    Return the currently active shard level channels matching a <pattern> (default: "
        "'*').",
        "SHARDNUMSUB [<shardchannel> ...]",
        "    Return the number of subscribers for the specified shard level channel(s)",
        NULL};
    add_reply_help(c, help);
}

/* ---------- command table ---------- */

#define PS_FLAGS (CMD_PUBSUB | CMD_NOSCRIPT | CMD_LOADING | CMD_STALE)

#define PS_CMD(n, p, ar, fl, fk, lk, sum, since_, cx, acl, syn)                                    \
    {                                                                                              \
        .name = n, .proc = p, .arity = ar, .flags = fl, .first_key = fk, .last_key = lk,           \
        .key_step = (fk) ? 1 : 0, .group = "pubsub", .summary = sum, .since = since_,              \
        .complexity = cx, .acl_categories = acl, .syntax = syn                                     \
    }

static kcommand pubsub_subcommands[] = {
    PS_CMD("channels", pubsub_channels_command, -2, CMD_PUBSUB | CMD_LOADING | CMD_STALE, 0, 0,
           "List active channels", "2.8.0",
           "O(N) where N is the number of active channels, and assuming constant time pattern "
           "matching (relatively short channels and patterns)",
           "@pubsub @slow", "[pattern]"),
    PS_CMD("help", pubsub_help_command, 2, CMD_LOADING | CMD_STALE, 0, 0,
           "Show helpful text about the different subcommands", "6.2.0", "O(1)", "@slow", ""),
    PS_CMD("numpat", pubsub_numpat_command, 2, CMD_PUBSUB | CMD_LOADING | CMD_STALE, 0, 0,
           "Get the count of unique patterns pattern subscriptions", "2.8.0", "O(1)",
           "@pubsub @slow", ""),
    PS_CMD("numsub", pubsub_numsub_command, -2, CMD_PUBSUB | CMD_LOADING | CMD_STALE, 0, 0,
           "Get the count of subscribers for channels", "2.8.0",
           "O(N) for the NUMSUB subcommand, where N is the number of requested channels",
           "@pubsub @slow", "[channel [channel ...]]"),
    PS_CMD("shardchannels", pubsub_shardchannels_command, -2, CMD_PUBSUB | CMD_LOADING | CMD_STALE,
           0, 0, "List active shard channels", "7.0.0",
           "O(N) where N is the number of active shard channels, and assuming constant time "
           "pattern matching (relatively short shard channels).",
           "@pubsub @slow", "[pattern]"),
    PS_CMD("shardnumsub", pubsub_shardnumsub_command, -2, CMD_PUBSUB | CMD_LOADING | CMD_STALE, 0,
           0, "Get the count of subscribers for shard channels", "7.0.0",
           "O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard "
           "channels",
           "@pubsub @slow", "[shardchannel [shardchannel ...]]"),
    {.name = NULL}};

kcommand pubsub_commands[] = {
    PS_CMD("subscribe", subscribe_command, -2, PS_FLAGS, 0, 0,
           "Listen for messages published to the given channels", "2.0.0",
           "O(N) where N is the number of channels to subscribe to.", "@pubsub @slow",
           "channel [channel ...]"),
    PS_CMD("unsubscribe", unsubscribe_command, -1, PS_FLAGS, 0, 0,
           "Stop listening for messages posted to the given channels", "2.0.0",
           "O(N) where N is the number of clients already subscribed to a channel.",
           "@pubsub @slow", "[channel [channel ...]]"),
    PS_CMD("psubscribe", psubscribe_command, -2, PS_FLAGS, 0, 0,
           "Listen for messages published to channels matching the given patterns", "2.0.0",
           "O(N) where N is the number of patterns the client is already subscribed to.",
           "@pubsub @slow", "pattern [pattern ...]"),
    PS_CMD("punsubscribe", punsubscribe_command, -1, PS_FLAGS, 0, 0,
           "Stop listening for messages posted to channels matching the given patterns", "2.0.0",
           "O(N+M) where N is the number of patterns the client is already subscribed and M is "
           "the number of total patterns subscribed in the system (by any client).",
           "@pubsub @slow", "[pattern [pattern ...]]"),
    PS_CMD("ssubscribe", ssubscribe_command, -2, PS_FLAGS, 1, -1,
           "Listen for messages published to the given shard channels", "7.0.0",
           "O(N) where N is the number of shard channels to subscribe to.", "@pubsub @slow",
           "shardchannel [shardchannel ...]"),
    PS_CMD("sunsubscribe", sunsubscribe_command, -1, PS_FLAGS, 1, -1,
           "Stop listening for messages posted to the given shard channels", "7.0.0",
           "O(N) where N is the number of clients already subscribed to a shard channel.",
           "@pubsub @slow", "[shardchannel [shardchannel ...]]"),
    PS_CMD("publish", publish_command, 3, CMD_PUBSUB | CMD_LOADING | CMD_STALE | CMD_FAST, 0, 0,
           "Post a message to a channel", "2.0.0",
           "O(N+M) where N is the number of clients subscribed to the receiving channel and M is "
           "the total number of subscribed patterns (by any client).",
           "@pubsub @fast", "channel message"),
    PS_CMD("spublish", spublish_command, 3, CMD_PUBSUB | CMD_LOADING | CMD_STALE | CMD_FAST, 1, 1,
           "Post a message to a shard channel", "7.0.0",
           "O(N) where N is the number of clients subscribed to the receiving shard channel.",
           "@pubsub @fast", "shardchannel message"),
    {.name = "pubsub",
     .proc = pubsub_command,
     .arity = -2,
     .flags = 0,
     .group = "pubsub",
     .summary = "A container for Pub/Sub commands",
     .since = "2.8.0",
     .complexity = "Depends on subcommand.",
     .acl_categories = "@slow",
     .syntax = "",
     .subcommands = pubsub_subcommands},
    {.name = NULL}};
