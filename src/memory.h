/*
 * Memory accounting shared by MEMORY STATS/USAGE and INFO memory: what the
 * server itself uses (startup, clients, keyspace tables) as opposed to the
 * dataset, and the size of one key with its value. Main thread only.
 */
#ifndef KEYPORT_MEMORY_H
#define KEYPORT_MEMORY_H

#include <stddef.h>

#include "server.h"

/* The default number of members MEMORY USAGE samples in collections. */
#define MEMORY_USAGE_SAMPLES 5

typedef struct mem_db_overhead {
    int id;
    size_t main;    /* keys hashtable: entries and buckets */
    size_t expires; /* expires hashtable */
} mem_db_overhead;

typedef struct mem_overhead {
    size_t total_allocated, startup_allocated, peak_allocated;
    size_t clients_normal; /* every client: structs, query and reply buffers */
    size_t overhead_total; /* startup + clients + keyspace tables */
    size_t dataset;        /* total - overhead */
    size_t keys;
    double peak_perc, dataset_perc, bytes_per_key;
    int ndbs; /* non-empty databases in dbs[] */
    mem_db_overhead *dbs;
} mem_overhead;

/* Fills mh with current figures; free with mem_overhead_release. */
void mem_overhead_compute(mem_overhead *mh);
void mem_overhead_release(mem_overhead *mh);
/* Bytes used by value o (object and payload); samples > 0 estimates large
 * collections from that many members. */
size_t mem_value_usage(kobj *o, size_t samples);

#endif
