/*
 * alloc.c — the counting, failing allocator (see alloc.h).
 */
#include <stdlib.h>
#include <string.h>

#include <corm/corm.h>

#include "alloc.h"

test_alloc_state test_alloc;

static int should_fail(void)
{
	if (!test_alloc.armed)
		return 0;
	++test_alloc.calls;
	if (!test_alloc.fail_at)
		return 0;
	if (test_alloc.calls == test_alloc.fail_at ||
		(test_alloc.sticky && test_alloc.calls > test_alloc.fail_at)) {
		test_alloc.failed++;
		return 1;
	}
	return 0;
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
	if (!p) /* a new block: counted as one */
		return count_malloc(ctx, n);
	if (should_fail())
		return NULL;
	return realloc(p, n);
}

static void count_free(void *ctx, void *p)
{
	(void)ctx;
	if (p) {
		test_alloc.live--;
		free(p);
	}
}

static void install(long fail_at, int sticky)
{
	static const corm_allocator counting = {count_malloc, count_realloc,
		count_free, NULL};

	memset(&test_alloc, 0, sizeof(test_alloc));
	test_alloc.fail_at = fail_at;
	test_alloc.sticky = sticky;
	test_alloc.armed = 1;
	corm_set_allocator(&counting);
}

void test_alloc_install(long fail_at)
{
	install(fail_at, 0);
}

void test_alloc_install_from(long fail_at)
{
	install(fail_at, 1);
}

void test_alloc_arm(void)
{
	test_alloc.calls = 0;
	test_alloc.failed = 0;
	test_alloc.armed = 1;
}

void test_alloc_disarm(void)
{
	test_alloc.armed = 0;
}

void test_alloc_uninstall(void)
{
	corm_set_allocator(NULL);
}
