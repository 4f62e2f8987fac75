/*
 * Pub/Sub (pubsub.c): channels, patterns and shard channels, as Redis 7.0
 * has them. Main thread only.
 */
#ifndef KEYPORT_PUBSUB_H
#define KEYPORT_PUBSUB_H

#include "server.h"

/* Delivers message to the subscribers of channel and of the patterns that
 * match it; returns the number of deliveries (PUBLISH's reply). */
long long pubsub_publish(const char *channel, size_t clen, const char *msg, size_t mlen);
/* Drops every subscription of c. notify: reply an unsubscribe message for
 * each (as UNSUBSCRIBE does); 0 for RESET and for clients being freed. */
void pubsub_unsubscribe_all(client *c, int notify);
/* Subscriptions of c (CLIENT LIST sub= psub= ssub=). */
unsigned long pubsub_client_channels(const client *c);
unsigned long pubsub_client_patterns(const client *c);
unsigned long pubsub_client_shard_channels(const client *c);
/* Channels, patterns and shard channels with at least one subscriber
 * (INFO stats). */
unsigned long pubsub_total_channels(void);
unsigned long pubsub_total_patterns(void);
unsigned long pubsub_total_shard_channels(void);
/* Whether cmd may run on a RESP2 client in subscribed mode: only
 * (P|S)SUBSCRIBE, (P|S)UNSUBSCRIBE, PING, QUIT and RESET may. */
int pubsub_command_allowed_in_context(const kcommand *cmd);

#endif
