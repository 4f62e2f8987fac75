/*
 * The request shapes: redis-benchmark's default test list (same titles,
 * commands, key names and order, so results compare line by line), -t
 * selection, and the command given on the command line.
 */
#include <string.h>
#include <strings.h>

#include "bench.h"
#include "kstr.h"
#include "zmalloc.h"

const char *const bench_test_names[] = {
    "ping",       "ping_inline", "ping_mbulk", "set",        "get",  "incr", "lpush",   "rpush",
    "lpop",       "rpop",        "sadd",       "hset",       "spop", "zadd", "zpopmin", "lrange",
    "lrange_100", "lrange_300",  "lrange_500", "lrange_600", "mset", NULL};

int bench_check_tests(const char *list, char *err, size_t errlen) {
    const char *p = list;
    int any = 0;
    while (*p) {
        const char *e = strchr(p, ',');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        while (n && (*p == ' ' || *p == '\t')) p++, n--;
        while (n && (p[n - 1] == ' ' || p[n - 1] == '\t')) n--;
        if (n) {
            int known = 0;
            for (int i = 0; bench_test_names[i]; i++)
                if (strlen(bench_test_names[i]) == n && !strncasecmp(bench_test_names[i], p, n))
                    known = 1;
            if (!known) {
                kstr names = kstr_empty();
                for (int i = 0; bench_test_names[i]; i++)
                    names = kstr_catfmt(names, "%s%s", i ? ", " : "", bench_test_names[i]);
                snprintf(err, errlen, "unknown test '%.*s' (tests: %s)", (int)n, p, names);
                kstr_free(names);
                return -1;
            }
            any = 1;
        }
        if (!e) break;
        p = e + 1;
    }
    if (!any) {
        snprintf(err, errlen, "the list of tests is empty");
        return -1;
    }
    return 0;
}

static int selected(const char *name) {
    if (!config.tests) return 1;
    char buf[64];
    snprintf(buf, sizeof(buf), ",%s,", name);
    return strstr(config.tests, buf) != NULL;
}

/* Offsets of every "__rand_int__" in c->proto. */
static void find_rand(bench_cmd *c) {
    size_t len = kstr_len(c->proto);
    c->nrand = 0;
    c->rand_off = NULL;
    int cap = 0;
    for (size_t i = 0; i + BENCH_RAND_LEN <= len; i++) {
        if (memcmp(c->proto + i, BENCH_RAND_TOKEN, BENCH_RAND_LEN) != 0) continue;
        if (c->nrand == cap) {
            cap = cap ? cap * 2 : 4;
            c->rand_off = zrealloc(c->rand_off, sizeof(size_t) * (size_t)cap);
        }
        c->rand_off[c->nrand++] = i;
        i += BENCH_RAND_LEN - 1;
    }
}

static bench_cmd make_argv(const char *title, int argc, const char *const *argv, int payload) {
    bench_cmd c;
    c.title = zstrdup(title);
    c.proto = kpc_format_argv(NULL, argc, argv, NULL);
    c.payload = payload;
    find_rand(&c);
    return c;
}

static void add(bench_cmd **v, int *n, bench_cmd c) {
    *v = zrealloc(*v, sizeof(bench_cmd) * (size_t)(*n + 1));
    (*v)[(*n)++] = c;
}

#define ARGV(...) ((const char *const[]){__VA_ARGS__})
#define NARGS(...) ((int)(sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *)))
#define ADD(title, ...)                                                                            \
    add(&v, &n, make_argv(title, NARGS(__VA_ARGS__), ARGV(__VA_ARGS__), config.datasize))

bench_cmd *bench_default_tests(const char *data, int *count) {
    bench_cmd *v = NULL;
    int n = 0;
    if (selected("ping_inline") || selected("ping")) {
        bench_cmd c;
        c.title = zstrdup("PING_INLINE");
        c.proto = kstr_from("PING\r\n");
        c.payload = config.datasize;
        find_rand(&c);
        add(&v, &n, c);
    }
    if (selected("ping_mbulk") || selected("ping")) ADD("PING_MBULK", "PING");
    if (selected("set")) ADD("SET", "SET", "key:" BENCH_RAND_TOKEN, data);
    if (selected("get")) ADD("GET", "GET", "key:" BENCH_RAND_TOKEN);
    if (selected("incr")) ADD("INCR", "INCR", "counter:" BENCH_RAND_TOKEN);
    if (selected("lpush")) ADD("LPUSH", "LPUSH", "mylist", data);
    if (selected("rpush")) ADD("RPUSH", "RPUSH", "mylist", data);
    if (selected("lpop")) ADD("LPOP", "LPOP", "mylist");
    if (selected("rpop")) ADD("RPOP", "RPOP", "mylist");
    if (selected("sadd")) ADD("SADD", "SADD", "myset", "element:" BENCH_RAND_TOKEN);
    if (selected("hset")) ADD("HSET", "HSET", "myhash", "element:" BENCH_RAND_TOKEN, data);
    if (selected("spop")) ADD("SPOP", "SPOP", "myset");
    if (selected("zadd")) {
        /* The score is random too with -r, as in redis-benchmark. */
        const char *score = config.keyspace ? BENCH_RAND_TOKEN : "0";
        ADD("ZADD", "ZADD", "myzset", score, "element:" BENCH_RAND_TOKEN);
    }
    if (selected("zpopmin")) ADD("ZPOPMIN", "ZPOPMIN", "myzset");
    int lrange = selected("lrange");
    if (lrange || selected("lrange_100") || selected("lrange_300") || selected("lrange_500") ||
        selected("lrange_600"))
        ADD("LPUSH (needed to benchmark LRANGE)", "LPUSH", "mylist", data);
    if (lrange || selected("lrange_100"))
        ADD("LRANGE_100 (first 100 elements)", "LRANGE", "mylist", "0", "99");
    if (lrange || selected("lrange_300"))
        ADD("LRANGE_300 (first 300 elements)", "LRANGE", "mylist", "0", "299");
    if (lrange || selected("lrange_500"))
        ADD("LRANGE_500 (first 500 elements)", "LRANGE", "mylist", "0", "499");
    if (lrange || selected("lrange_600"))
        ADD("LRANGE_600 (first 600 elements)", "LRANGE", "mylist", "0", "599");
    if (selected("mset")) {
        const char *argv[21];
        argv[0] = "MSET";
        for (int i = 1; i < 21; i += 2) {
            argv[i] = "key:" BENCH_RAND_TOKEN;
            argv[i + 1] = data;
        }
        add(&v, &n, make_argv("MSET (10 keys)", 21, argv, config.datasize));
    }
    *count = n;
    return v;
}

bench_cmd bench_command_test(int argc, char **argv) {
    kstr title = kstr_empty();
    for (int i = 0; i < argc; i++) {
        if (i) title = kstr_cat(title, " ", 1);
        title = kstr_cat_cstr(title, argv[i]);
    }
    bench_cmd c = make_argv(title, argc, (const char *const *)argv, 0);
    /* As redis-benchmark: the payload shown is the request's size. */
    c.payload = (int)kstr_len(c.proto);
    kstr_free(title);
    return c;
}

void bench_cmd_free(bench_cmd *c) {
    zfree(c->title);
    kstr_free(c->proto);
    zfree(c->rand_off);
    memset(c, 0, sizeof(*c));
}

uint64_t bench_rand_next(uint64_t *state) {
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

char *bench_random_data(int size, uint64_t *rng) {
    static const char letters[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    char *d = zmalloc((size_t)size + 1);
    for (int i = 0; i < size; i++) d[i] = letters[bench_rand_next(rng) % (sizeof(letters) - 1)];
    d[size] = '\0';
    return d;
}
