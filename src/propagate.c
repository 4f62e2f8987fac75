/* Skeleton: replaced by the propagation implementation. */
#include "propagate.h"

void propagate_also(int dbid, kobj **argv, int argc) {
    (void)dbid, (void)argv, (void)argc;
}
void propagate_replace_argv(client *c, int argc, kobj **argv) {
    (void)c, (void)argc, (void)argv;
}
void propagate_rewrite_argv(client *c, int argc, ...) {
    (void)c, (void)argc;
}
void propagate_prevent(client *c) {
    (void)c;
}
void propagate_call_begin(client *c) {
    (void)c;
}
void propagate_call_end(client *c) {
    (void)c;
}
void propagate_expired_key(kdb *db, kstr key) {
    (void)db, (void)key;
}
