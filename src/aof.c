/* Skeleton: replaced by the AOF implementation. */
#include <stdio.h>

#include "aof.h"

void aof_feed(int dbid, kobj **argv, int argc) {
    (void)dbid, (void)argv, (void)argc;
}
void aof_flush_before_sleep(void) {}
void aof_cron(void) {}
int aof_load(char *err, size_t errlen) {
    (void)err, (void)errlen;
    return C_OK;
}
int aof_open_at_startup(char *err, size_t errlen) {
    (void)err, (void)errlen;
    return C_OK;
}
int aof_rewrite_background(char *err, size_t errlen) {
    snprintf(err, errlen, "ERR not implemented");
    return C_ERR;
}
void aof_rewrite_done(int exitcode, int bysignal) {
    (void)exitcode, (void)bysignal;
}
int aof_config_apply_appendonly(const char *name, char *err, size_t errlen) {
    (void)name;
    if (!server.appendonly) return 0;
    snprintf(err, errlen, "appendonly yes is not supported yet");
    return -1;
}
const char *aof_deny_write_error(void) {
    return NULL;
}
kstr aof_info(kstr info) {
    return info;
}
void aof_on_shutdown(void) {}
int aof_debug_reload(char *err, size_t errlen) {
    snprintf(err, errlen, "ERR not implemented");
    return C_ERR;
}
