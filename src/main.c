/*
 * keyport-server entry point: configuration, listeners, event loop.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "listen.h"
#include "persist.h"
#include "server.h"

/* The build tree is the parent of the directory holding the executable
 * (<root>/src/keyport-server), where transports/<name>/ lives. */
static void set_transport_dirs(void) {
    char exe[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
    if (n <= 0) {
        transport_set_search_dirs(NULL, KP_TRANSPORT_INSTALL_DIR);
        return;
    }
    exe[n] = '\0';
    server.executable = zstrdup(exe);
    char root[PATH_MAX];
    snprintf(root, sizeof(root), "%s", exe);
    char *dir = dirname(root); /* <root>/src */
    char parent[PATH_MAX];
    snprintf(parent, sizeof(parent), "%s", dir);
    transport_set_search_dirs(dirname(parent), KP_TRANSPORT_INSTALL_DIR);
}

static void daemonize(void) {
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "keyport: fork failed: %s\n", strerror(errno));
        exit(1);
    }
    if (pid > 0) exit(0);
    setsid();
    int fd = open("/dev/null", O_RDWR);
    if (fd != -1) {
        dup2(fd, STDIN_FILENO);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (fd > STDERR_FILENO) close(fd);
    }
}

static void write_pidfile(void) {
    if (!server.pidfile || !server.pidfile[0]) return;
    FILE *fp = fopen(server.pidfile, "w");
    if (!fp) {
        server_log(LL_WARNING, "Failed to write PID file %s: %s", server.pidfile, strerror(errno));
        return;
    }
    fprintf(fp, "%d\n", (int)getpid());
    fclose(fp);
}

static void start_listeners(void) {
    char err[1024];
    if (listeners_apply_shorthands(err, sizeof(err)) != C_OK) {
        server_log(LL_WARNING, "Failed listening: %s", err);
        fprintf(stderr, "keyport: %s\n", err);
        exit(1);
    }
    /* Explicit `listen` lines were created by the config loader; start the
     * ones that are not running yet. */
    for (int i = 0; i < listener_count(); i++) {
        listener *l = listener_at(i);
        if (l->loop) continue;
        char desc[512];
        listener_describe(l, desc, sizeof(desc));
        if (listener_start(l, server.el, err, sizeof(err)) != 0) {
            server_log(LL_WARNING, "Failed listening on %s: %s", desc, err);
            fprintf(stderr, "keyport: listen %s: %s\n", desc, err);
            exit(1);
        }
        server_log(LL_NOTICE, "Listening on %s", desc);
    }
    if (listener_count() == 0)
        server_log(LL_WARNING, "No listener is configured: the server accepts no connections");
}

int main(int argc, char **argv) {
    setlocale(LC_COLLATE, "");
    tzset();
    server_init_state();
    set_transport_dirs();
    config_init_defaults();
    config_from_argv(argc, argv);

    if (server.daemonize) daemonize();
    server.pid = getpid();
    server_log(LL_NOTICE, "oO0OoO0OoO0Oo keyport is starting oO0OoO0OoO0Oo");
    server_log(LL_NOTICE, "keyport version=%s, bits=%d, pid=%d, just started", KEYPORT_VERSION,
               (int)(sizeof(long) * 8), (int)server.pid);
    if (server.configfile)
        server_log(LL_NOTICE, "Configuration loaded from %s", server.configfile);
    else
        server_log(LL_NOTICE, "No config file specified, using the default config");
    for (int i = 0; i < transport_count(); i++) {
        transport *t = transport_at(i);
        server_log(LL_VERBOSE, "Transport %s %s (ABI %u.%u) loaded from %s", t->ops->name,
                   t->ops->version, t->ops->hdr.abi_major, t->minor, t->path);
    }

    server_init();
    persist_load_at_startup();
    start_listeners();
    write_pidfile();
    server_log(LL_NOTICE, "Server initialized");
    server_log(LL_NOTICE, "Ready to accept connections");
    ae_main(server.el);
    return 0;
}
