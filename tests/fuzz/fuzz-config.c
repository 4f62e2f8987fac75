/*
 * libFuzzer target for the config parser (config_load_string and the
 * typed machinery behind it), in sandbox mode: no chdir, no transport
 * loading, no include, no log lines, so an input can only touch the
 * server struct.
 *
 * Input: the text of a config file.
 *
 * Invariants checked (abort on violation):
 *   - a failed load says why, in the "<file>:<line>: ..." form;
 *   - after a successful load every directive's CONFIG GET value parses
 *     back (as CONFIG SET would take it) to the same value;
 *   - every directive's CONFIG REWRITE lines parse back to the same value;
 *   - config_reset() brings every directive back to its default.
 * State is reset after every input, so runs do not depend on each other.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "config_internal.h"
#include "server.h"

#define CHECK(cond, name)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "invariant failed: %s [%s] (%s:%d)\n", #cond, name, __FILE__,          \
                    __LINE__);                                                                     \
            abort();                                                                               \
        }                                                                                          \
    } while (0)

static int same(kstr a, kstr b) {
    return kstr_len(a) == kstr_len(b) && memcmp(a, b, kstr_len(a)) == 0;
}

/* CONFIG GET value -> CONFIG SET parse -> same CONFIG GET value. */
static void check_get_round_trip(const config_def *d) {
    kstr before = config_format_value(d, kstr_empty());
    int argc;
    kstr *argv = config_split_value(d, before, &argc);
    CHECK(argv != NULL, d->name);
    char err[512];
    cfg_ctx ctx = {1, 1};
    CHECK(config_parse_value(d, argc, argv, &ctx, err, sizeof(err)) == 0, d->name);
    kstr_free_argv(argv, argc);
    kstr after = config_format_value(d, kstr_empty());
    CHECK(same(before, after), d->name);
    kstr_free(before);
    kstr_free(after);
}

/* CONFIG REWRITE lines -> config-file parse -> same CONFIG GET value. */
static void check_rewrite_round_trip(const config_def *d) {
    kstr before = config_format_value(d, kstr_empty());
    kstr lines = config_rewrite_lines(d, kstr_empty());
    const char *p = lines;
    int first = 1;
    while (*p) {
        const char *nl = strchr(p, '\n');
        CHECK(nl != NULL, d->name);
        kstr line = kstr_new(p, (size_t)(nl - p));
        int argc;
        kstr *argv = kstr_split_args(line, &argc);
        CHECK(argv != NULL && argc >= 1, d->name);
        CHECK(config_find(argv[0]) == d, d->name);
        char err[512];
        cfg_ctx ctx = {0, first};
        CHECK(config_parse_value(d, argc - 1, argv + 1, &ctx, err, sizeof(err)) == 0, d->name);
        kstr_free_argv(argv, argc);
        kstr_free(line);
        first = 0;
        p = nl + 1;
    }
    kstr after = config_format_value(d, kstr_empty());
    CHECK(same(before, after), d->name);
    kstr_free(before);
    kstr_free(after);
    kstr_free(lines);
}

int LLVMFuzzerInitialize(int *argc, char ***argv) {
    (void)argc, (void)argv;
    config_set_sandbox(1);
    config_init_defaults();
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    if (size > 64 * 1024) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    char err[2048] = "";
    int rc = config_load_string(text, "fuzz.conf", err, sizeof(err));
    if (rc != 0) {
        CHECK(rc == -1, "result");
        CHECK(strncmp(err, "fuzz.conf:", 10) == 0, err);
    } else {
        for (const config_def *d = config_table; d->name; d++) {
            if (d->flags & CFG_F_LOADER) continue;
            check_get_round_trip(d);
            check_rewrite_round_trip(d);
        }
    }

    config_reset();
    for (const config_def *d = config_table; d->name; d++)
        if (d->deflt) CHECK(config_is_default(d), d->name);
    free(text);
    return 0;
}
