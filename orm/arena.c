/*
 * arena.c — bump allocator over a list of chunks. A request larger than a
 * chunk gets a chunk of its own, so big blobs don't waste the tail.
 */
#include <assert.h>
#include <stdalign.h>
#include <stdint.h>
#include <string.h>

#include "corm/arena.h"
#include "corm/driver.h"
#include "internal.h"

#define ARENA_DEFAULT_CHUNK (16 * 1024)
#define ARENA_ALIGN alignof(max_align_t)
/* An arena's first chunk with the default size is small enough, header
 * included, for malloc's per-thread cache (glibc's tcache takes up to
 * 1032 bytes): an arena holding one row, made and freed per lookup,
 * costs a few dozen instructions instead of a trip through the heap. */
#define ARENA_FIRST_CHUNK (1024 - sizeof(corm_arena_chunk))

struct corm_arena_chunk {
	corm_arena_chunk *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

static size_t align_up(size_t n)
{
	return (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
}

/* The chunk size for a request of `n` bytes that does not fit the head. */
static size_t chunk_for(const corm_arena *a, size_t n)
{
	if (a->chunk_size)
		return a->chunk_size;
	if (!a->head && n <= ARENA_FIRST_CHUNK)
		return ARENA_FIRST_CHUNK;
	return ARENA_DEFAULT_CHUNK;
}

/* What nearly every allocation is: `n` (aligned) bytes that fit in the
 * head chunk. NULL when they do not: corm_arena_alloc() makes a chunk.
 * Inline in the copies below, which run for every string a row reads. */
static inline void *bump(corm_arena *a, size_t n)
{
	corm_arena_chunk *c = a->head;
	void *p;

	if (!c || c->size - c->used < n)
		return NULL;
	p = c->data + c->used;
	c->used += n;
	return p;
}

void *corm_arena_alloc(corm_arena *a, size_t n)
{
	corm_arena_chunk *c = a->head;
	void *p;

	n = align_up(n ? n : 1);
	if (n < 1 || n > SIZE_MAX - sizeof(*c))
		return NULL;
	if (!c || c->size - c->used < n) {
		size_t chunk = chunk_for(a, n);
		size_t size = n > chunk ? n : chunk;

		c = corm_malloc(sizeof(*c) + size);
		if (!c)
			return NULL;
		c->used = 0;
		c->size = size;
		/* A chunk made for one big request goes behind the current head,
		 * so the head's free space stays usable. */
		if (size > chunk && a->head) {
			c->next = a->head->next;
			a->head->next = c;
		} else {
			c->next = a->head;
			a->head = c;
		}
	}
	p = c->data + c->used;
	c->used += n;
	return p;
}

char *corm_arena_strndup(corm_arena *a, const char *s, size_t len)
{
	/* A length this close to SIZE_MAX cannot be aligned: the slow path
	 * refuses it. */
	char *p = len < SIZE_MAX - ARENA_ALIGN ? bump(a, align_up(len + 1)) : NULL;

	if (!p && !(p = corm_arena_alloc(a, len + 1)))
		return NULL;
	if (len)
		memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

void *corm_arena_memdup(corm_arena *a, const void *src, size_t len)
{
	void *p = len && len < SIZE_MAX - ARENA_ALIGN ? bump(a, align_up(len))
						      : NULL;

	if (!p)
		p = corm_arena_alloc(a, len);
	if (p && len)
		memcpy(p, src, len);
	return p;
}

/*
 * A block of its own that can grow in place (result arrays, whose final
 * size is not known until the last row): a chunk holding only it, linked
 * behind the head so the head's free space stays usable, and resized with
 * realloc(), which extends or remaps a large block instead of copying it
 * as a doubling in the arena would.
 */
/* Put chunk `c` behind the head, so the head's free space stays usable. */
static void link_behind_head(corm_arena *a, corm_arena_chunk *c)
{
	if (a->head) {
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = NULL;
		a->head = c;
	}
}

/* The link that points at own block `p`'s chunk, or NULL. A few chunks of
 * strings at most were made since it was. */
static corm_arena_chunk **find_own(corm_arena *a, const void *p)
{
	corm_arena_chunk **link = &a->head;

	while (*link && (*link)->data != p)
		link = &(*link)->next;
	return *link ? link : NULL;
}

void *corm_arena__alloc_own(corm_arena *a, size_t n)
{
	corm_arena_chunk *c;

	n = align_up(n ? n : 1);
	if (n > SIZE_MAX - sizeof(*c) || !(c = corm_malloc(sizeof(*c) + n)))
		return NULL;
	c->used = c->size = n; /* full: nothing else goes in it */
	link_behind_head(a, c);
	return c->data;
}

void *corm_arena__grow_own(corm_arena *a, void *p, size_t n)
{
	corm_arena_chunk **link, *c;

	n = align_up(n ? n : 1);
	if (n > SIZE_MAX - sizeof(*c) || !(link = find_own(a, p)))
		return NULL;
	if (!(c = corm_realloc(*link, sizeof(*c) + n)))
		return NULL; /* the old block stays, still the arena's */
	c->used = c->size = n;
	*link = c;
	return c->data;
}

void corm_arena__move_own(corm_arena *to, corm_arena *from, void *p)
{
	corm_arena_chunk **link = find_own(from, p), *c;

	assert(link); /* p must be an own block of `from` */
	if (!link)
		return;
	c = *link;
	*link = c->next;
	link_behind_head(to, c);
}

void corm_arena_free(corm_arena *a)
{
	corm_arena_chunk *c = a->head;

	while (c) {
		corm_arena_chunk *next = c->next;

		corm_free(c);
		c = next;
	}
	a->head = NULL;
}

void corm_arena_reset(corm_arena *a)
{
	corm_arena_chunk *keep = a->head, *c;

	if (!keep)
		return;
	/* Free all but the newest chunk, then empty that one. */
	c = keep->next;
	while (c) {
		corm_arena_chunk *next = c->next;

		corm_free(c);
		c = next;
	}
	keep->next = NULL;
	keep->used = 0;
}
