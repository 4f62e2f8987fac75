/*
 * ACL LOG: the recent denials, newest first, at most acllog-max-len of
 * them. A denial like one of the last ten (same reason, context, object
 * and user, less than 60 seconds apart) updates that entry and its count
 * instead of adding one, as Redis does.
 */
#include <string.h>

#include "acl_internal.h"

#define ACL_LOG_GROUPING_MS 60000
#define ACL_LOG_GROUPING_SCAN 10

typedef struct acl_log_entry {
    struct acl_log_entry *next, *prev;
    long long count;
    acl_result reason;
    acl_log_context context;
    kstr object;
    kstr username;
    long long ctime_ms; /* last update */
    kstr cinfo;         /* CLIENT LIST line of the last client */
} acl_log_entry;

static acl_log_entry *head, *tail;
static long long entries;

static void unlink_entry(acl_log_entry *e) {
    if (e->prev)
        e->prev->next = e->next;
    else
        head = e->next;
    if (e->next)
        e->next->prev = e->prev;
    else
        tail = e->prev;
    e->next = e->prev = NULL;
    entries--;
}

static void push_front(acl_log_entry *e) {
    e->prev = NULL;
    e->next = head;
    if (head) head->prev = e;
    head = e;
    if (!tail) tail = e;
    entries++;
}

static void free_entry(acl_log_entry *e) {
    kstr_free(e->object);
    kstr_free(e->username);
    kstr_free(e->cinfo);
    zfree(e);
}

static void trim(void) {
    while (entries > server.acllog_max_len && tail) {
        acl_log_entry *e = tail;
        unlink_entry(e);
        free_entry(e);
    }
}

static int kstr_same(kstr a, kstr b) {
    return kstr_len(a) == kstr_len(b) && !memcmp(a, b, kstr_len(a));
}

static kstr default_object(client *c, acl_result reason, int argpos) {
    switch (reason) {
    case ACL_DENIED_CMD:
        if (c->cmd && c->cmd->fullname) return kstr_dup(c->cmd->fullname);
        break;
    case ACL_DENIED_KEY:
    case ACL_DENIED_CHANNEL:
        if (argpos >= 0 && argpos < c->argc) return kstr_dup(c->argv[argpos]->ptr);
        break;
    case ACL_DENIED_AUTH:
        if (c->argc > 0) return kstr_dup(c->argv[0]->ptr);
        break;
    case ACL_DENIED_TLS_CERT:
    case ACL_OK: break;
    }
    return kstr_empty();
}

void acl_log_add(client *c, acl_result reason, acl_log_context ctx, int argpos,
                 const char *username, const char *object) {
    if (server.acllog_max_len <= 0) return;
    acl_log_entry *e = zcalloc(sizeof(*e));
    e->count = 1;
    e->reason = reason;
    e->context = ctx;
    e->object = object ? kstr_from(object) : default_object(c, reason, argpos);
    e->username = kstr_from(username ? username : acl_client_user_name(c));
    e->ctime_ms = mstime();
    e->cinfo = client_info_string(kstr_empty(), c);

    int scanned = 0;
    for (acl_log_entry *o = head; o && scanned < ACL_LOG_GROUPING_SCAN; o = o->next, scanned++) {
        long long delta = o->ctime_ms - e->ctime_ms;
        if (delta < 0) delta = -delta;
        if (o->reason != e->reason || o->context != e->context || delta > ACL_LOG_GROUPING_MS ||
            !kstr_same(o->object, e->object) || !kstr_same(o->username, e->username))
            continue;
        unlink_entry(o);
        push_front(o);
        kstr_free(o->cinfo);
        o->cinfo = e->cinfo;
        e->cinfo = NULL;
        o->ctime_ms = e->ctime_ms;
        o->count++;
        free_entry(e);
        return;
    }
    push_front(e);
    trim();
}

void acl_log_reset(void) {
    while (head) {
        acl_log_entry *e = head;
        unlink_entry(e);
        free_entry(e);
    }
}

static const char *reason_name(acl_result r) {
    switch (r) {
    case ACL_DENIED_CMD: return "command";
    case ACL_DENIED_KEY: return "key";
    case ACL_DENIED_CHANNEL: return "channel";
    case ACL_DENIED_AUTH: return "auth";
    case ACL_DENIED_TLS_CERT: return "tls-cert";
    case ACL_OK: break;
    }
    return "unknown";
}

static const char *context_name(acl_log_context ctx) {
    switch (ctx) {
    case ACL_LOG_CTX_TOPLEVEL: return "toplevel";
    case ACL_LOG_CTX_MULTI: return "multi";
    case ACL_LOG_CTX_LUA: return "lua";
    case ACL_LOG_CTX_MODULE: return "module";
    }
    return "unknown";
}

void acl_log_reply(client *c, long count) {
    if (count < 0) count = 0;
    if (count > entries) count = (long)entries;
    add_reply_array_len(c, count);
    long long now = mstime();
    acl_log_entry *e = head;
    for (long i = 0; i < count && e; i++, e = e->next) {
        add_reply_map_len(c, 7);
        add_reply_bulk_cstr(c, "count");
        add_reply_ll(c, e->count);
        add_reply_bulk_cstr(c, "reason");
        add_reply_bulk_cstr(c, reason_name(e->reason));
        add_reply_bulk_cstr(c, "context");
        add_reply_bulk_cstr(c, context_name(e->context));
        add_reply_bulk_cstr(c, "object");
        add_reply_bulk_buf(c, e->object, kstr_len(e->object));
        add_reply_bulk_cstr(c, "username");
        add_reply_bulk_buf(c, e->username, kstr_len(e->username));
        add_reply_bulk_cstr(c, "age-seconds");
        add_reply_double(c, (double)(now - e->ctime_ms) / 1000);
        add_reply_bulk_cstr(c, "client-info");
        add_reply_bulk_buf(c, e->cinfo, kstr_len(e->cinfo));
    }
}
