/*
 * engine.h — which database a test program runs against.
 *
 * A program takes the engine's name as its first argument. The engines
 * and their URL variables come from the table in tests/meson.build
 * (test_engines.h): "sqlite" gets a fresh file in a temporary directory;
 * "postgres" and "mysql" read their URL from CORM_TEST_PG_URL /
 * CORM_TEST_MYSQL_URL (scripts/db-up prints them). An unknown name is an
 * error. An engine that is not configured or not reachable is skipped
 * (exit 77, meson's skip code), or fails when CORM_REQUIRE_ENGINES=1, as
 * scripts/test and CI set it.
 */
#ifndef CORM_TESTS_ENGINE_H
#define CORM_TESTS_ENGINE_H

#define TEST_ENGINE_SKIP 77

typedef struct test_engine {
	char name[16];        /* "sqlite", "postgres", "mysql" */
	char url[1024];
	char sqlite_dir[512]; /* the temporary directory, or "" */
} test_engine;

/*
 * Resolve `name` and check the engine answers. Returns 0 when ready;
 * otherwise what main() should return (77 to skip, 1 to fail), after
 * printing why. `prog` names the program in messages.
 */
int test_engine_init(test_engine *e, const char *prog, const char *name);

/* Remove the SQLite directory, if any. */
void test_engine_cleanup(test_engine *e);

#endif
