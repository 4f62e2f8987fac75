/*
 * Allocation wrappers (zmalloc.h): every block is counted by its usable
 * size (malloc_usable_size), so used_memory matches what the allocator
 * really hands out. The counter is atomic because the lazy-free thread and
 * I/O threads allocate and free too.
 */
#include <malloc.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "zmalloc.h"

static atomic_size_t used_memory;

/* Out of memory is not recoverable for an in-memory store: say so and abort
 * so that the failure is visible instead of corrupting data later. */
static void zmalloc_oom(size_t size) {
    fprintf(stderr, "zmalloc: out of memory trying to allocate %zu bytes\n", size);
    fflush(stderr);
    abort();
}

static void *account(void *ptr, size_t size) {
    if (!ptr) zmalloc_oom(size);
    atomic_fetch_add_explicit(&used_memory, malloc_usable_size(ptr), memory_order_relaxed);
    return ptr;
}

void *zmalloc(size_t size) {
    return account(malloc(size ? size : 1), size);
}

void *zcalloc(size_t size) {
    return account(calloc(1, size ? size : 1), size);
}

void *zrealloc(void *ptr, size_t size) {
    if (!ptr) return zmalloc(size);
    if (size == 0) {
        zfree(ptr);
        return NULL;
    }
    size_t old = malloc_usable_size(ptr);
    void *p = realloc(ptr, size);
    if (!p) zmalloc_oom(size);
    atomic_fetch_sub_explicit(&used_memory, old, memory_order_relaxed);
    atomic_fetch_add_explicit(&used_memory, malloc_usable_size(p), memory_order_relaxed);
    return p;
}

void zfree(void *ptr) {
    if (!ptr) return;
    atomic_fetch_sub_explicit(&used_memory, malloc_usable_size(ptr), memory_order_relaxed);
    free(ptr);
}

char *zstrdup(const char *s) {
    size_t len = strlen(s) + 1;
    char *p = zmalloc(len);
    memcpy(p, s, len);
    return p;
}

size_t zmalloc_size(void *ptr) {
    return ptr ? malloc_usable_size(ptr) : 0;
}

size_t zmalloc_used_memory(void) {
    return atomic_load_explicit(&used_memory, memory_order_relaxed);
}

size_t zmalloc_get_rss(void) {
    FILE *fp = fopen("/proc/self/statm", "r");
    if (!fp) return 0;
    unsigned long size = 0, resident = 0;
    int n = fscanf(fp, "%lu %lu", &size, &resident);
    fclose(fp);
    if (n != 2) return 0;
    long page = sysconf(_SC_PAGESIZE);
    return (size_t)resident * (size_t)(page > 0 ? page : 4096);
}
