/*
 * alloc.c — the allocator hook. Every allocation libcorm makes passes
 * through here, so tests can install an allocator that fails the Nth call
 * and check that each path fails cleanly.
 */
#include <stdlib.h>
#include <string.h>

#include "corm/driver.h"

static void *libc_malloc(void *ctx, size_t n)
{
	(void)ctx;
	return malloc(n);
}

static void *libc_realloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	return realloc(p, n);
}

static void libc_free(void *ctx, void *p)
{
	(void)ctx;
	free(p);
}

static corm_allocator current = {libc_malloc, libc_realloc, libc_free, NULL};

void corm_set_allocator(const corm_allocator *a)
{
	if (a) {
		current = *a;
	} else {
		current.malloc = libc_malloc;
		current.realloc = libc_realloc;
		current.free = libc_free;
		current.ctx = NULL;
	}
}

void *corm_malloc(size_t n)
{
	return current.malloc(current.ctx, n ? n : 1);
}

void *corm_calloc(size_t count, size_t size)
{
	void *p;

	if (size && count > SIZE_MAX / size)
		return NULL;
	p = corm_malloc(count * size);
	if (p)
		memset(p, 0, count * size);
	return p;
}

void *corm_realloc(void *p, size_t n)
{
	if (!p)
		return corm_malloc(n);
	return current.realloc(current.ctx, p, n ? n : 1);
}

void corm_free(void *p)
{
	if (p)
		current.free(current.ctx, p);
}

char *corm_strndup(const char *s, size_t n)
{
	char *copy = corm_malloc(n + 1);

	if (!copy)
		return NULL;
	memcpy(copy, s, n);
	copy[n] = '\0';
	return copy;
}

char *corm_strdup(const char *s)
{
	return corm_strndup(s, strlen(s));
}
