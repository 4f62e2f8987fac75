/*
 * kstr: binary-safe, length-prefixed, heap-allocated strings. A kstr is a
 * char * to the bytes, always NUL-terminated after len bytes, so it can be
 * passed to C string functions when it holds no NUL. The header (length and
 * capacity) lives just before the pointer.
 *
 * Ownership: functions that may reallocate return the (possibly moved)
 * string; the caller must use the returned pointer. Allocation failure
 * aborts the process (see zmalloc.h).
 */
#ifndef KEYPORT_KSTR_H
#define KEYPORT_KSTR_H

#include <stdarg.h>
#include <stddef.h>

typedef char *kstr;

kstr kstr_new(const void *data, size_t len);
kstr kstr_from(const char *cstr);
kstr kstr_empty(void);
kstr kstr_dup(const kstr s);
kstr kstr_from_ll(long long v);
void kstr_free(kstr s);
size_t kstr_len(const kstr s);
size_t kstr_avail(const kstr s);
size_t kstr_alloc_size(const kstr s); /* bytes used on the heap */
/* Ensures room for addlen more bytes; returns the possibly moved string. */
kstr kstr_reserve(kstr s, size_t addlen);
/* After writing n bytes directly past the end (into reserved room). */
void kstr_incr_len(kstr s, size_t n);
void kstr_set_len(kstr s, size_t len);
kstr kstr_cat(kstr s, const void *data, size_t len);
kstr kstr_cat_cstr(kstr s, const char *cstr);
kstr kstr_cat_kstr(kstr s, const kstr t);
kstr kstr_catfmt(kstr s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
kstr kstr_catvfmt(kstr s, const char *fmt, va_list ap);
/* Appends v quoted and escaped as Redis does for CLIENT LIST / MONITOR. */
kstr kstr_cat_repr(kstr s, const char *p, size_t len);
kstr kstr_copy(kstr s, const void *data, size_t len);
/* Keeps bytes [start, end] (inclusive; negative counts from the end). */
void kstr_range(kstr s, long start, long end);
/* Drops the first n bytes. */
void kstr_consume(kstr s, size_t n);
void kstr_clear(kstr s);
void kstr_tolower(kstr s);
/* Shrinks the allocation to fit; returns the possibly moved string. */
kstr kstr_shrink(kstr s);
int kstr_cmp(const kstr a, const kstr b);
/* Splits a config line into arguments with shell-like quoting ("..." with
 * \n \r \t \xHH escapes, '...'). Returns NULL on unbalanced quotes. Free
 * with kstr_free_argv. */
kstr *kstr_split_args(const char *line, int *argc);
void kstr_free_argv(kstr *argv, int argc);

#endif
