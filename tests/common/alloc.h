/*
 * alloc.h — a counting allocator for allocation-failure tests: install
 * it with allocation N set to fail, run the operation, check it failed
 * cleanly and that `live` is back to 0 (nothing leaked).
 */
#ifndef CORM_TESTS_ALLOC_H
#define CORM_TESTS_ALLOC_H

typedef struct test_alloc_state {
	long calls;   /* allocations so far */
	long fail_at; /* fail this allocation (1-based); 0 never */
	long live;    /* allocated and not freed */
	int sticky;   /* every call from fail_at on fails, not just that one */
} test_alloc_state;

extern test_alloc_state test_alloc;

/* Reset the counters and install the allocator, failing call `fail_at`. */
void test_alloc_install(long fail_at);

/* The same, but call `fail_at` and every later one fail: cleanup code
 * that allocates on the error path is tested too. */
void test_alloc_install_from(long fail_at);

/* Back to the C library's allocator. */
void test_alloc_uninstall(void);

#endif
