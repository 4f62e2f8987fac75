/*
 * Read-only access to the two compact encodings older Redis versions wrote
 * into RDB files, so that the loader can convert them to what keyport
 * uses (listpack, hashtable, quicklist):
 *
 *   ziplist  <zlbytes u32 LE> <zltail u32 LE> <zllen u16 LE> <entry>... <0xFF>
 *            entry = <prevlen: 1 byte, or 0xFE + u32 LE> <encoding> <data>
 *   zipmap   <zmlen u8> (<len> key <len> <free u8> value <free bytes>)... <0xFF>
 *            len = 1 byte below 254, or 0xFE + u32 LE
 *
 * Nothing here writes these formats. The iteration functions assume a blob
 * that the matching validate function accepted; the validators never read
 * outside [p, p + size).
 */
#ifndef KEYPORT_ZIPLIST_H
#define KEYPORT_ZIPLIST_H

#include <stddef.h>
#include <stdint.h>

/* One decoded element: a string (str != NULL, len bytes inside the blob)
 * or an integer (str == NULL, ival). */
typedef struct zl_value {
    const unsigned char *str;
    size_t len;
    long long ival;
} zl_value;

/* Checks every byte of a ziplist: header fields against size, each
 * entry's prevlen and encoding, the tail offset, the count (unless the
 * header says 65535, "unknown") and the end byte. Returns 1 when valid and
 * sets *count (may be NULL) to the number of entries. */
int zl_validate(const unsigned char *zl, size_t size, unsigned long *count);
/* First entry of a validated ziplist, or NULL when empty. */
const unsigned char *zl_first(const unsigned char *zl);
/* Entry after p, or NULL at the end. */
const unsigned char *zl_next(const unsigned char *p);
/* Decodes the entry at p. */
void zl_get(const unsigned char *p, zl_value *v);

/* Checks every byte of a zipmap: each length inside the blob, the end
 * byte last, and the count byte when it is below 254. Returns 1 when
 * valid and sets *pairs (may be NULL) to the number of key/value pairs. */
int zm_validate(const unsigned char *zm, size_t size, unsigned long *pairs);
/* Walks a validated zipmap: pass *pos = NULL to start. Returns 1 with the
 * next pair (pointers into the blob), 0 at the end. */
int zm_next(const unsigned char *zm, const unsigned char **pos, zl_value *key, zl_value *val);

#endif
