/*
 * One home for the small routines every layer needs: UTF-8, hex digits,
 * hashing and growable arrays. Private to corm (orm/, drivers/, schema,
 * codegen/, migrate/, cli/); not installed. Names start with corm__.
 */
#ifndef CORM_UTIL_H
#define CORM_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of the valid UTF-8 sequence at p (at most n bytes, n > 0), or 0:
 * overlong forms, surrogates, code points past U+10FFFF and a sequence
 * cut short are not valid. *cp, when not NULL, gets the code point. */
size_t corm__utf8_next(const unsigned char *p, size_t n, uint32_t *cp);

/* Characters in s[0..n), counting each byte that does not continue a
 * sequence; for text already known to be valid UTF-8. */
size_t corm__utf8_count(const char *s, size_t n);

/* The value of hex digit c (0-9, a-f, A-F), or -1. */
int corm__hex_value(int c);

/* 32-bit FNV-1a of p[0..n): short keys, good spread, no dependencies. */
uint32_t corm__fnv1a(const void *p, size_t n);

/* The array `items` (capacity *cap items of `size` bytes) with room for
 * `need` items: itself when it has it, or reallocated to a doubled
 * capacity (at least 16), *cap updated. NULL when out of memory or the
 * size overflows; `items` and *cap are then unchanged.
 *	T *n = corm__grow(arr, &cap, len + 1, sizeof(*arr));
 *	if (!n) return CORM_ENOMEM;
 *	arr = n; */
void *corm__grow(void *items, size_t *cap, size_t need, size_t size);

#endif
