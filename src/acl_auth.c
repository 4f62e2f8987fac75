/*
 * Who a client is: binding clients to users, AUTH / HELLO AUTH, logins
 * by TLS client certificate, the NOAUTH rule, protected mode, and
 * disconnecting clients whose user went away.
 */
#include <string.h>
#include <strings.h>

#include "acl_internal.h"
#include "listen.h"

#define TLS_USER_KEY "tls-auth-clients-user"
#define TLS_IDENTITY_MAX 1024

static long long stat_tls_cert_logins;
static long long stat_tls_cert_login_failures;
static client *pending_close; /* current client to close after its reply */

/* ---------- binding ---------- */

void acl_client_bind(client *c, acl_user *u, int authenticated) {
    c->acl_user = u;
    c->authenticated = authenticated;
    if (!c->user || kstr_len(c->user) != kstr_len(u->name) ||
        memcmp(c->user, u->name, kstr_len(u->name))) {
        kstr_free(c->user);
        c->user = kstr_dup(u->name);
    }
}

static int user_can_log_in_without_password(const acl_user *u) {
    return (u->flags & USER_NOPASS) && !(u->flags & USER_DISABLED);
}

void acl_client_set_default(client *c) {
    if (!c->conn) {
        /* Fake clients are not limited by any user. */
        c->acl_user = NULL;
        c->authenticated = 1;
        if (!c->user) c->user = kstr_from("default");
        return;
    }
    acl_user *def = acl_default_user();
    acl_client_bind(c, def, user_can_log_in_without_password(def));
}

int acl_auth_required(const client *c) {
    if (c->authenticated) return 0;
    return !user_can_log_in_without_password(acl_default_user());
}

int acl_default_user_nopass(void) {
    return (acl_default_user()->flags & USER_NOPASS) != 0;
}

const char *acl_client_user_name(const client *c) {
    if (c->acl_user) return c->acl_user->name;
    return c->user ? c->user : "default";
}

int acl_user_exists(const char *name, size_t len) {
    return acl_user_lookup(name, len) != NULL;
}

/* ---------- AUTH ---------- */

int acl_authenticate(client *c, kobj *username, kobj *password) {
    kstr name = username->ptr, pass = password->ptr;
    acl_user *u = acl_user_lookup(name, kstr_len(name));
    if (u && !(u->flags & USER_DISABLED) && acl_user_password_ok(u, pass, kstr_len(pass))) {
        acl_client_bind(c, u, 1);
        return C_OK;
    }
    acl_log_add(c, ACL_DENIED_AUTH, ACL_LOG_CTX_TOPLEVEL, 0, name, NULL);
    return C_ERR;
}

/* ---------- TLS certificate logins ---------- */

typedef enum tls_user_mode { TLS_USER_OFF = 0, TLS_USER_CN, TLS_USER_URI } tls_user_mode;

/* The listener's own tls-auth-clients-user, else the global default. */
static tls_user_mode tls_user_mode_of(listener *l) {
    if (!l || !l->layer || !transport_has_key(l->layer, TLS_USER_KEY)) return TLS_USER_OFF;
    const char *v = NULL;
    for (int i = 0; i < l->nkv; i++)
        if (!strcasecmp(l->keys[i], TLS_USER_KEY)) v = l->vals[i];
    if (!v) v = transport_default_get(TLS_USER_KEY);
    if (!v) return TLS_USER_OFF;
    if (!strcasecmp(v, "CN")) return TLS_USER_CN;
    if (!strcasecmp(v, "URI")) return TLS_USER_URI;
    return TLS_USER_OFF;
}

void acl_tls_login(client *c) {
    if (!c->conn || !conn_has_layer(c->conn)) return;
    tls_user_mode mode = tls_user_mode_of(conn_listener(c->conn));
    if (mode == TLS_USER_OFF) return;
    const char *field = mode == TLS_USER_CN ? "CN" : "URI";
    char name[TLS_IDENTITY_MAX];
    /* No verified certificate, or none with that field: the client stays
     * the default user and may AUTH. */
    if (conn_peer_identity(c->conn, field, name, sizeof(name)) != 0) return;
    size_t len = strlen(name);
    acl_user *u = acl_user_lookup(name, len);
    if (!u) {
        server_log(LL_VERBOSE,
                   "TLS client certificate %s '%s' names no user: client stays 'default'", field,
                   name);
        return;
    }
    if (u->flags & USER_DISABLED) {
        stat_tls_cert_login_failures++;
        acl_log_add(c, ACL_DENIED_TLS_CERT, ACL_LOG_CTX_TOPLEVEL, 0, name, field);
        server_log(LL_NOTICE, "TLS client certificate %s '%s' names a disabled user: not logged in",
                   field, name);
        return;
    }
    stat_tls_cert_logins++;
    acl_client_bind(c, u, 1);
}

/* ---------- protected mode ---------- */

int acl_protected_mode_refuses(connection *conn) {
    if (!server.protected_mode) return 0;
    if (!(acl_default_user()->flags & USER_NOPASS)) return 0;
    return !conn_is_local(conn);
}

/* ---------- disconnecting ---------- */

static void disconnect(client *c) {
    if (c == server.current_client)
        pending_close = c;
    else
        client_free_async(c);
}

void acl_close_current_if_pending(client *c) {
    if (pending_close != c) return;
    pending_close = NULL;
    c->flags |= CLIENT_CLOSE_AFTER_REPLY;
}

void acl_kill_clients_of_user(acl_user *u) {
    for (client *c = server.clients_head; c; c = c->next) {
        if (c->acl_user != u) continue;
        /* Never leave a pointer to a freed user behind, even for a
         * client that lingers until its reply is written. */
        acl_client_bind(c, acl_default_user(), 0);
        disconnect(c);
    }
}

/* Are all of c's subscriptions (pubsub.c: sets of kstr names) allowed by
 * rules? Patterns are compared literally, as PSUBSCRIBE checks them. */
static int subscriptions_allowed(client *c, const acl_user *rules) {
    dict *sets[3] = {c->pubsub_channels, c->pubsub_shard_channels, c->pubsub_patterns};
    for (int k = 0; k < 3; k++) {
        if (!sets[k] || dict_size(sets[k]) == 0) continue;
        int literal = k == 2;
        dict_iterator it;
        dict_iter_init(&it, sets[k], 0);
        int ok = 1;
        for (dict_entry *de; ok && (de = dict_next(&it));) {
            kstr ch = de->key;
            ok = 0;
            for (int s = 0; s < rules->nselectors && !ok; s++)
                ok = acl_selector_channel_ok(rules->selectors[s], ch, kstr_len(ch), literal);
        }
        dict_iter_reset(&it);
        if (!ok) return 0;
    }
    return 1;
}

void acl_kill_pubsub_clients_if_needed(const acl_user *newrules, acl_user *u) {
    for (int s = 0; s < newrules->nselectors; s++)
        if (newrules->selectors[s]->flags & SEL_ALLCHANNELS) return;
    for (client *c = server.clients_head; c; c = c->next) {
        if (c->acl_user != u || (c->flags & CLIENT_CLOSE_ASAP)) continue;
        if (!subscriptions_allowed(c, newrules)) disconnect(c);
    }
}

/* ---------- statistics ---------- */

kstr acl_info_stats(kstr info) {
    return kstr_catfmt(info,
                       "tls_cert_logins:%lld\r\n"
                       "tls_cert_login_failures:%lld\r\n",
                       stat_tls_cert_logins, stat_tls_cert_login_failures);
}

void acl_stats_reset(void) {
    stat_tls_cert_logins = 0;
    stat_tls_cert_login_failures = 0;
}
