/*
 * Allocation wrappers that abort on out-of-memory and keep a count of the
 * bytes in use (INFO memory: used_memory). Thread-safe (atomic counter).
 */
#ifndef KEYPORT_ZMALLOC_H
#define KEYPORT_ZMALLOC_H

#include <stddef.h>

void *zmalloc(size_t size);
void *zcalloc(size_t size);
void *zrealloc(void *ptr, size_t size);
void zfree(void *ptr);
char *zstrdup(const char *s);
size_t zmalloc_size(void *ptr);
size_t zmalloc_used_memory(void);
/* Resident set size of the process, from /proc/self/statm. */
size_t zmalloc_get_rss(void);

#endif
