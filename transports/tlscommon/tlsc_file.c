/* Reading certificate, key and parameter files with errors that name the
 * directive, the path and the system's reason. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tlsc.h"

int tlsc_read_file(const char *what, const char *path, char **data, size_t *len, char *err,
                   size_t errlen) {
    *data = NULL;
    *len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return tlsc_errf(err, errlen, "%s '%s': cannot open: %s", what, path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) < 0) {
        int e = errno;
        close(fd);
        return tlsc_errf(err, errlen, "%s '%s': cannot stat: %s", what, path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return tlsc_errf(err, errlen, "%s '%s': not a regular file", what, path);
    }
    if ((unsigned long long)st.st_size > TLSC_FILE_MAX) {
        close(fd);
        return tlsc_errf(err, errlen, "%s '%s': file too large (%lld bytes, limit %u)", what, path,
                         (long long)st.st_size, TLSC_FILE_MAX);
    }
    size_t cap = (size_t)st.st_size, used = 0;
    char *buf = tlsc_alloc(cap + 1);
    for (;;) {
        if (used == cap) break;
        ssize_t r = read(fd, buf + used, cap - used);
        if (r < 0 && errno == EINTR) continue;
        if (r < 0) {
            int e = errno;
            close(fd);
            tlsc_free(buf);
            return tlsc_errf(err, errlen, "%s '%s': cannot read: %s", what, path, strerror(e));
        }
        if (r == 0) break;
        used += (size_t)r;
    }
    close(fd);
    if (used == 0) {
        tlsc_free(buf);
        return tlsc_errf(err, errlen, "%s '%s': file is empty", what, path);
    }
    buf[used] = '\0';
    *data = buf;
    *len = used;
    return 0;
}

int tlsc_check_dir(const char *what, const char *path, char *err, size_t errlen) {
    struct stat st;
    if (stat(path, &st) < 0)
        return tlsc_errf(err, errlen, "%s '%s': %s", what, path, strerror(errno));
    if (!S_ISDIR(st.st_mode)) return tlsc_errf(err, errlen, "%s '%s': not a directory", what, path);
    if (access(path, R_OK | X_OK) < 0)
        return tlsc_errf(err, errlen, "%s '%s': cannot read directory: %s", what, path,
                         strerror(errno));
    return 0;
}
