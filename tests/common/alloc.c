/*
 * alloc.c — the counting, failing allocator (see alloc.h).
 */
#include <stdlib.h>

#include <corm/corm.h>

#include "alloc.h"

test_alloc_state test_alloc;

static int should_fail(void)
{
	if (!test_alloc.fail_at)
		return 0;
	++test_alloc.calls;
	return test_alloc.calls == test_alloc.fail_at ||
		(test_alloc.sticky && test_alloc.calls > test_alloc.fail_at);
}

static void *count_malloc(void *ctx, size_t n)
{
	void *p;

	(void)ctx;
	if (should_fail())
		return NULL;
	p = malloc(n);
	if (p)
		test_alloc.live++;
	return p;
}

static void *count_realloc(void *ctx, void *p, size_t n)
{
	(void)ctx;
	if (should_fail())
		return NULL;
	return realloc(p, n);
}

static void count_free(void *ctx, void *p)
{
	(void)ctx;
	if (p)
		test_alloc.live--;
	free(p);
}

void test_alloc_install(long fail_at)
{
	static const corm_allocator counting = {count_malloc, count_realloc,
		count_free, NULL};

	test_alloc.calls = 0;
	test_alloc.live = 0;
	test_alloc.fail_at = fail_at;
	test_alloc.sticky = 0;
	corm_set_allocator(&counting);
}

void test_alloc_install_from(long fail_at)
{
	test_alloc_install(fail_at);
	test_alloc.sticky = 1;
}

void test_alloc_uninstall(void)
{
	corm_set_allocator(NULL);
}
