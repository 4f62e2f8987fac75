/*
 * Keyspace notifications (notify.h): each change a command makes is
 * published, when notify-keyspace-events enables its class, on
 * __keyspace@<db>__:<key> (message: the event) and on
 * __keyevent@<db>__:<event> (message: the key).
 */
#include <string.h>

#include "notify.h"
#include "pubsub.h"
#include "server.h"

/* Flag letters in the order Redis writes them back (CONFIG GET). */
static const struct {
    char letter;
    int flag;
} class_letters[] = {
    {'g', NOTIFY_GENERIC}, {'$', NOTIFY_STRING},   {'l', NOTIFY_LIST},    {'s', NOTIFY_SET},
    {'h', NOTIFY_HASH},    {'z', NOTIFY_ZSET},     {'x', NOTIFY_EXPIRED}, {'e', NOTIFY_EVICTED},
    {'t', NOTIFY_STREAM},  {'m', NOTIFY_KEY_MISS}, {'d', NOTIFY_MODULE},  {'n', NOTIFY_NEW},
};

#define CLASS_LETTERS (sizeof(class_letters) / sizeof(class_letters[0]))

int notify_flags_from_string(const char *s) {
    int flags = 0;
    for (; *s; s++) {
        switch (*s) {
        case 'A': flags |= NOTIFY_ALL; continue;
        case 'K': flags |= NOTIFY_KEYSPACE; continue;
        case 'E': flags |= NOTIFY_KEYEVENT; continue;
        default: break;
        }
        size_t i;
        for (i = 0; i < CLASS_LETTERS; i++)
            if (class_letters[i].letter == *s) break;
        if (i == CLASS_LETTERS) return -1;
        flags |= class_letters[i].flag;
    }
    return flags;
}

kstr notify_flags_to_string(int flags) {
    kstr s = kstr_empty();
    /* As Redis writes it, A hides n. */
    if ((flags & NOTIFY_ALL) == NOTIFY_ALL) {
        s = kstr_cat(s, "A", 1);
    } else {
        for (size_t i = 0; i < CLASS_LETTERS; i++) {
            int f = class_letters[i].flag;
            /* m is written after K and E, below. */
            if (f == NOTIFY_KEY_MISS) continue;
            if (flags & f) s = kstr_cat(s, &class_letters[i].letter, 1);
        }
    }
    if (flags & NOTIFY_KEYSPACE) s = kstr_cat(s, "K", 1);
    if (flags & NOTIFY_KEYEVENT) s = kstr_cat(s, "E", 1);
    if (flags & NOTIFY_KEY_MISS) s = kstr_cat(s, "m", 1);
    return s;
}

void notify_keyspace_event(int type, const char *event, kobj *key, int dbid) {
    int flags = server.notify_keyspace_events;
    if (!(flags & type) || !(flags & (NOTIFY_KEYSPACE | NOTIFY_KEYEVENT))) return;
    char kbuf[LONG_STR_SIZE];
    size_t klen;
    const char *k = string_obj_ptr(key, kbuf, sizeof(kbuf), &klen);
    size_t elen = strlen(event);
    kstr channel = kstr_empty();
    if (flags & NOTIFY_KEYSPACE) {
        channel = kstr_catfmt(channel, "__keyspace@%d__:", dbid);
        channel = kstr_cat(channel, k, klen);
        pubsub_publish(channel, kstr_len(channel), event, elen);
    }
    if (flags & NOTIFY_KEYEVENT) {
        kstr_clear(channel);
        channel = kstr_catfmt(channel, "__keyevent@%d__:%s", dbid, event);
        pubsub_publish(channel, kstr_len(channel), k, klen);
    }
    kstr_free(channel);
}
