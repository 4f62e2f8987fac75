/*
 * Private to the data layer: building a kstr inside memory owned by
 * someone else (object.c's EMBSTR objects keep the string in the object's
 * own allocation). An embedded kstr must never be freed, grown or shrunk
 * through kstr.h; kstr_free/kstr_reserve/kstr_shrink abort if asked to.
 */
#ifndef KEYPORT_KSTR_EMBED_H
#define KEYPORT_KSTR_EMBED_H

#include <stddef.h>

#include "kstr.h"

/* Bytes needed to embed a string of len bytes (header, bytes, NUL);
 * len must be below 256. */
size_t kstr_embed_size(size_t len);
/* Builds the string in buf (kstr_embed_size(len) bytes) from data (NULL:
 * zeros) and returns it. */
kstr kstr_embed(void *buf, const void *data, size_t len);
int kstr_is_embedded(const kstr s);

#endif
