/*
 * Core state of the offline file checkers (see check_common.h).
 */
#include <stdio.h>
#include <string.h>

#include "check_common.h"
#include "config.h"
#include "rdb.h"
#include "server.h"

void check_tool_init(void) {
    server_init_state();
    config_init_defaults();
    /* The report is standard output; what the loader logs is a side note. */
    zfree(server.logfile);
    server.logfile = zstrdup("/dev/stderr");
    server.verbosity = LL_WARNING;
    obj_create_shared();
    db_init();
}

void check_print_version(const char *prog) {
    printf("%s %s (RDB version %d, Redis 7.0 multi-part AOF)\n", prog, KEYPORT_VERSION,
           RDB_VERSION);
}

int check_std_options(int argc, char **argv, const char *prog, void (*usage)(FILE *out)) {
    if (argc != 2) return -1;
    if (!strcmp(argv[1], "--help")) {
        usage(stdout);
        return 0;
    }
    if (!strcmp(argv[1], "--version")) {
        check_print_version(prog);
        return 0;
    }
    return -1;
}
