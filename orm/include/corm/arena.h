/*
 * arena.h — a bump allocator. Rows read by a query keep their strings and
 * blobs in an arena owned by the result, so one free releases them all.
 */
#ifndef CORM_ARENA_H
#define CORM_ARENA_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corm_arena_chunk corm_arena_chunk;

typedef struct corm_arena {
	corm_arena_chunk *head; /* newest chunk first */
	size_t chunk_size;      /* 0: the default (16 KiB) */
} corm_arena;

#define CORM_ARENA_INIT {NULL, 0}

/* `n` bytes aligned for any type, or NULL when out of memory. The memory
 * lives until corm_arena_free(). */
void *corm_arena_alloc(corm_arena *a, size_t n);

/* A NUL-terminated copy of `len` bytes of `s` (which may hold NULs). */
char *corm_arena_strndup(corm_arena *a, const char *s, size_t len);

/* A copy of `len` bytes (NULL + 0 for len 0 is fine). */
void *corm_arena_memdup(corm_arena *a, const void *p, size_t len);

/* Release everything; the arena can be used again afterwards. */
void corm_arena_free(corm_arena *a);

/* Forget every allocation but keep one chunk for the next ones: cheaper
 * than free when the arena is refilled at once (one row at a time). */
void corm_arena_reset(corm_arena *a);

#ifdef __cplusplus
}
#endif

#endif /* CORM_ARENA_H */
