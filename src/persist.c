/* Skeleton: replaced by the persistence control implementation. */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "aof.h"
#include "persist.h"

pid_t child_fork(int type) {
    (void)type;
    errno = ENOSYS;
    return -1;
}
void child_exit(int ok) {
    _exit(ok ? 0 : 1);
}
int child_active_type(void) {
    return CHILD_TYPE_NONE;
}
pid_t child_pid(void) {
    return -1;
}
void child_kill(void) {}
int persist_save_now(void) {
    return C_ERR;
}
int persist_bgsave(char *err, size_t errlen) {
    snprintf(err, errlen, "not implemented");
    return C_ERR;
}
void persist_cron(void) {}
const char *persist_deny_write_error(void) {
    return NULL;
}
kstr persist_info(kstr info) {
    return kstr_catfmt(info, "loading:0\r\n");
}
void persist_load_at_startup(void) {}
int persist_on_shutdown(int flags) {
    (void)flags;
    return C_OK;
}
