/* Skeleton: replaced by the RDB implementation. */
#include <errno.h>
#include <stdio.h>

#include "rdb.h"

int rdb_save_fd(int fd, int flags) {
    (void)fd, (void)flags;
    errno = ENOSYS;
    return C_ERR;
}
int rdb_save_file(const char *path, int flags) {
    (void)path, (void)flags;
    errno = ENOSYS;
    return C_ERR;
}
int rdb_load_fd(int fd, int flags, rdb_load_info *info) {
    (void)fd, (void)flags;
    snprintf(info->err, sizeof(info->err), "not implemented");
    return C_ERR;
}
int rdb_load_file(const char *path, int flags, rdb_load_info *info) {
    (void)path, (void)flags;
    snprintf(info->err, sizeof(info->err), "not implemented");
    return C_ERR;
}
int rdb_load_buffer(const unsigned char *p, size_t len, int flags, rdb_load_info *info) {
    (void)p, (void)len, (void)flags;
    snprintf(info->err, sizeof(info->err), "not implemented");
    return C_ERR;
}
kstr rdb_dump_payload(kobj *o) {
    (void)o;
    return kstr_empty();
}
kobj *rdb_restore_payload(const unsigned char *p, size_t len, char *err, size_t errlen) {
    (void)p, (void)len;
    snprintf(err, errlen, "ERR not implemented");
    return NULL;
}
uint64_t crc64(uint64_t crc, const unsigned char *p, size_t len) {
    (void)p, (void)len;
    return crc;
}
