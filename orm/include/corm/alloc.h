/*
 * alloc.h — the allocator every libcorm allocation goes through, and the
 * functions that allocate and free through it. Memory libcorm hands to
 * the caller (built SQL, corm_buf_take(), ...) is freed with corm_free().
 * Included by corm.h.
 */
#ifndef CORM_ALLOC_H
#define CORM_ALLOC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Every allocation libcorm makes goes through these, so a test can make
 * allocation N fail. The engines' client libraries keep their own.
 * `realloc` with n == 0 is never called; `free` accepts NULL.
 */
typedef struct corm_allocator {
	void *(*malloc)(void *ctx, size_t n);
	void *(*realloc)(void *ctx, void *p, size_t n);
	void (*free)(void *ctx, void *p);
	void *ctx;
} corm_allocator;

/* Install `a` (copied), or the C library's allocator when `a` is NULL.
 * Not thread-safe: call it before any other corm function, and free
 * everything allocated under one allocator before switching. */
void corm_set_allocator(const corm_allocator *a);

/* Allocation through the installed allocator. */
void *corm_malloc(size_t n);
void *corm_calloc(size_t count, size_t size);
void *corm_realloc(void *p, size_t n);
void corm_free(void *p);
char *corm_strdup(const char *s);
char *corm_strndup(const char *s, size_t n);

#ifdef __cplusplus
}
#endif

#endif /* CORM_ALLOC_H */
