/*
 * alloc.h — a counting allocator for allocation-failure tests: install
 * it with allocation N set to fail, run the operation, check it failed
 * cleanly and that `live` is back to 0 (nothing leaked).
 *
 * The usual loop fails N = 1, 2, ... until a run in which no allocation
 * failed (`failed` is 0): that run saw every allocation the operation
 * makes, so each of them has been made to fail once.
 *
 * Allocations are numbered from the install, or from test_alloc_arm()
 * when a test wants its set-up and checks left out of the count: between
 * test_alloc_disarm() and test_alloc_arm() nothing fails and nothing is
 * numbered, but `live` is still kept, so a leak anywhere is seen.
 */
#ifndef CORM_TESTS_ALLOC_H
#define CORM_TESTS_ALLOC_H

typedef struct test_alloc_state {
	long calls;   /* allocations numbered so far (while armed) */
	long fail_at; /* fail this allocation (1-based); 0 never */
	long failed;  /* allocations refused since the install or arm */
	long live;    /* allocated and not freed, armed or not */
	int sticky;   /* every call from fail_at on fails, not just that one */
	int armed;    /* numbering and failing; set by the install */
} test_alloc_state;

extern test_alloc_state test_alloc;

/* Reset the counters and install the allocator, failing call `fail_at`
 * (0: none, only count). Armed at once. */
void test_alloc_install(long fail_at);

/* The same, but call `fail_at` and every later one fail: cleanup code
 * that allocates on the error path is tested too. */
void test_alloc_install_from(long fail_at);

/* Number allocations from here (the next is 1) with the installed
 * fail_at and sticky; `calls` and `failed` restart, `live` is kept. */
void test_alloc_arm(void);

/* Stop numbering and failing until the next test_alloc_arm(). */
void test_alloc_disarm(void);

/* Back to the C library's allocator. */
void test_alloc_uninstall(void);

#endif
