/*
 * test_core.c — the runtime core on an in-memory SQLite database: buffer,
 * arena, allocation failure at every step, the statement cache, column
 * conversions and misuse errors. Engine behaviour is the conformance
 * suite's job; this file tests what the core itself decides.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"

#include "corm/arena.h"
#include "corm/buf.h"
#include "corm/driver.h"

static corm_conn *open_memory(void)
{
	corm_conn *c = NULL;

	assert_int_equal(corm_conn_open(&c, "sqlite::memory:"), CORM_OK);
	return c;
}

/* ------------------------------------------------------------------ buffer */

static void test_buf__appends_and_formats(void **state)
{
	corm_buf b = CORM_BUF_INIT;
	char *s;

	(void)state;
	assert_string_equal(corm_buf_cstr(&b), "");
	corm_buf_puts(&b, "SELECT ");
	corm_buf_printf(&b, "%d, '%s'", 42, "x");
	corm_buf_putc(&b, ';');
	assert_int_equal(corm_buf_error(&b), 0);
	assert_string_equal(corm_buf_cstr(&b), "SELECT 42, 'x';");
	assert_int_equal(b.len, strlen("SELECT 42, 'x';"));
	s = corm_buf_detach(&b);
	assert_string_equal(s, "SELECT 42, 'x';");
	assert_null(b.ptr);
	corm_free(s);
}

static void test_buf__cap_is_enforced_and_sticks(void **state)
{
	corm_buf b = CORM_BUF_INIT;

	(void)state;
	b.max = 8;
	assert_int_equal(corm_buf_puts(&b, "12345678"), CORM_OK);
	assert_int_equal(corm_buf_putc(&b, '9'), CORM_ETOOLONG);
	assert_int_equal(corm_buf_puts(&b, ""), CORM_ETOOLONG);
	assert_int_equal(corm_buf_error(&b), CORM_ETOOLONG);
	assert_null(corm_buf_detach(&b));
	corm_buf_free(&b);
}

/* ------------------------------------------------------------------- arena */

static void test_arena__small_and_huge_allocations(void **state)
{
	corm_arena a = CORM_ARENA_INIT;
	char *big, *s1, *s2;
	int i;

	(void)state;
	a.chunk_size = 64;
	s1 = corm_arena_strndup(&a, "hello\0world", 11);
	assert_memory_equal(s1, "hello\0world", 12);
	big = corm_arena_alloc(&a, 1000);
	memset(big, 'x', 1000);
	s2 = corm_arena_strndup(&a, "after", 5);
	assert_string_equal(s2, "after");
	for (i = 0; i < 100; i++)
		assert_non_null(corm_arena_alloc(&a, 7));
	assert_int_equal((uintptr_t)corm_arena_alloc(&a, 1) %
			_Alignof(max_align_t), 0);
	assert_string_equal(s1, "hello");
	corm_arena_free(&a);
	assert_null(a.head);
}

/* ------------------------------------------------------ allocation failure */

static int run_workload(void)
{
	corm_conn *c = NULL;
	corm_stmt *s = NULL;
	const char *text;
	int64_t n;
	int rc;

	rc = corm_conn_open(&c, "sqlite::memory:?statement_cache=2");
	if (rc)
		return rc;
	rc = corm_exec(c, "CREATE TABLE t (a INTEGER, b TEXT)");
	if (!rc)
		rc = corm_tx_begin(c);
	if (!rc)
		rc = corm_stmt_cached(&s, c, "INSERT INTO t VALUES (?, ?)");
	if (!rc)
		rc = corm_bind_int64(s, 1, 7);
	if (!rc)
		rc = corm_bind_text(s, 2, "seven", CORM_NTS);
	if (!rc)
		rc = corm_step(s) == CORM_DONE ? CORM_OK : corm_errcode(c);
	corm_stmt_free(s);
	s = NULL;
	if (!rc)
		rc = corm_tx_commit(c);
	if (!rc)
		rc = corm_stmt_prepare(&s, c, "SELECT a, b, a * 1.5 FROM t");
	if (!rc)
		rc = corm_step(s) == CORM_ROW ? CORM_OK : corm_errcode(c);
	if (!rc)
		rc = corm_column_int64(&n, s, 0);
	if (!rc)
		rc = corm_column_text(&text, NULL, s, 2); /* number → text */
	corm_stmt_free(s);
	corm_conn_close(c);
	return rc;
}

static void test_alloc__every_failure_is_an_error_and_leaks_nothing(
	void **state)
{
	long n;
	int rc = CORM_ENOMEM;

	(void)state;
	for (n = 1; n < 10000 && rc != CORM_OK; n++) {
		test_alloc_install(n);
		rc = run_workload();
		/* Each failure is reported as an error code... */
		if (rc != CORM_OK)
			assert_true(rc < 0);
		/* ...and everything allocated was freed again. */
		assert_int_equal(test_alloc.live, 0);
	}
	test_alloc_uninstall();
	assert_int_equal(rc, CORM_OK);
	/* It failed at least a few different allocations on the way. */
	assert_true(n > 5);
}

/* ------------------------------------------------------- statement cache */

static void test_cache__same_sql_gives_the_same_statement(void **state)
{
	corm_conn *c = open_memory();
	corm_stmt *a, *b, *nested;

	(void)state;
	assert_int_equal(corm_stmt_cached(&a, c, "SELECT 1"), CORM_OK);
	/* Handed out: asking again while it is in use gives another one. */
	assert_int_equal(corm_stmt_cached(&nested, c, "SELECT 1"), CORM_OK);
	assert_ptr_not_equal(a, nested);
	corm_stmt_free(nested);
	corm_stmt_free(a);
	assert_int_equal(corm_stmt_cached(&b, c, "SELECT 1"), CORM_OK);
	assert_true(b == a || b == nested);
	corm_stmt_free(b);
	corm_conn_close(c);
}

static void test_cache__evicts_idle_statements_past_capacity(void **state)
{
	corm_conn *c = NULL;
	corm_stmt *s, *first, *again;
	char sql[64];
	int i;

	(void)state;
	assert_int_equal(corm_conn_open(&c, "sqlite::memory:?statement_cache=4"),
		CORM_OK);
	assert_int_equal(corm_stmt_cached(&first, c, "SELECT 0"), CORM_OK);
	assert_int_equal(corm_step(first), CORM_ROW);
	for (i = 1; i <= 20; i++) {
		snprintf(sql, sizeof(sql), "SELECT %d", i);
		assert_int_equal(corm_stmt_cached(&s, c, sql), CORM_OK);
		assert_int_equal(corm_step(s), CORM_ROW);
		corm_stmt_free(s);
	}
	/* `first` was in use throughout, so it was never evicted. */
	assert_int_equal(corm_step(first), CORM_DONE);
	corm_stmt_free(first);
	assert_int_equal(corm_stmt_cached(&again, c, "SELECT 0"), CORM_OK);
	assert_ptr_equal(again, first);
	corm_stmt_free(again);
	corm_conn_close(c);
}

static void test_cache__returned_statement_is_reset(void **state)
{
	corm_conn *c = open_memory();
	corm_stmt *s;
	int64_t v;

	(void)state;
	assert_int_equal(corm_stmt_cached(&s, c, "SELECT ? + 1"), CORM_OK);
	assert_int_equal(corm_bind_int64(s, 1, 41), CORM_OK);
	assert_int_equal(corm_step(s), CORM_ROW);
	corm_stmt_free(s); /* mid-result */
	assert_int_equal(corm_stmt_cached(&s, c, "SELECT ? + 1"), CORM_OK);
	assert_int_equal(corm_step(s), CORM_ROW); /* binding was cleared */
	assert_true(corm_column_is_null(s, 0));
	assert_int_equal(corm_column_int64(&v, s, 0), CORM_ETYPE);
	corm_stmt_free(s);
	corm_conn_close(c);
}

/* -------------------------------------------------------------- conversions */

static void test_columns__conversions_are_exact_or_refused(void **state)
{
	corm_conn *c = open_memory();
	corm_stmt *s;
	const char *t;
	size_t len;
	int64_t i;
	double d;
	bool b;

	(void)state;
	assert_int_equal(corm_stmt_prepare(&s, c,
				 "SELECT 2.0, 2.5, '17', '17x', 0.1, 1, 'true', "
				 "x'00ff', NULL"),
		CORM_OK);
	assert_int_equal(corm_step(s), CORM_ROW);
	assert_int_equal(corm_column_int64(&i, s, 0), CORM_OK);
	assert_int_equal(i, 2);
	assert_int_equal(corm_column_int64(&i, s, 1), CORM_ETYPE);
	assert_int_equal(corm_column_int64(&i, s, 2), CORM_OK);
	assert_int_equal(i, 17);
	assert_int_equal(corm_column_int64(&i, s, 3), CORM_ETYPE);
	assert_non_null(strstr(corm_errmsg(c), "int64_t"));
	assert_int_equal(corm_column_double(&d, s, 2), CORM_OK);
	assert_true(d == 17.0);
	assert_int_equal(corm_column_text(&t, &len, s, 4), CORM_OK);
	assert_string_equal(t, "0.1"); /* shortest exact text */
	assert_int_equal(corm_column_bool(&b, s, 5), CORM_OK);
	assert_true(b);
	assert_int_equal(corm_column_bool(&b, s, 6), CORM_OK);
	assert_true(b);
	assert_int_equal(corm_column_type(s, 7), CORM_TYPE_BLOB);
	assert_int_equal(corm_column_text(&t, &len, s, 7), CORM_ETYPE);
	assert_true(corm_column_is_null(s, 8));
	assert_int_equal(corm_column_double(&d, s, 8), CORM_ETYPE);
	assert_int_equal(corm_column_int64(&i, s, 9), CORM_EINVAL);
	assert_int_equal(corm_column_int64(&i, s, -1), CORM_EINVAL);
	assert_null(corm_column_name(s, 9));
	corm_stmt_free(s);
	corm_conn_close(c);
}

/* ------------------------------------------------------------------ misuse */

static void test_misuse__is_einval_with_a_message(void **state)
{
	corm_conn *c = open_memory();
	corm_stmt *s;
	int64_t v;

	(void)state;
	assert_int_equal(corm_tx_commit(c), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(c), "no transaction"));
	assert_int_equal(corm_tx_rollback(c), CORM_EINVAL);
	assert_int_equal(corm_stmt_prepare(&s, c, "SELECT ?, ?"), CORM_OK);
	assert_int_equal(corm_stmt_param_count(s), 2);
	assert_int_equal(corm_bind_int64(s, 0, 1), CORM_EINVAL);
	assert_int_equal(corm_bind_int64(s, 3, 1), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(c), "2 parameters"));
	assert_int_equal(corm_bind_text(s, 1, NULL, 3), CORM_EINVAL);
	assert_int_equal(corm_step(s), CORM_ROW);
	assert_int_equal(corm_bind_int64(s, 1, 1), CORM_EINVAL);
	assert_int_equal(corm_step(s), CORM_DONE);
	assert_int_equal(corm_step(s), CORM_DONE); /* stays done */
	assert_int_equal(corm_stmt_reset(s), CORM_OK);
	assert_int_equal(corm_bind_int64(s, 1, 5), CORM_OK);
	assert_int_equal(corm_step(s), CORM_ROW);
	assert_int_equal(corm_column_int64(&v, s, 0), CORM_OK);
	assert_int_equal(v, 5);
	corm_stmt_free(s);
	/* Two statements in one prepare would silently drop the second. */
	assert_int_equal(corm_stmt_prepare(&s, c, "SELECT 1; SELECT 2"),
		CORM_EINVAL);
	assert_null(s);
	assert_int_equal(corm_stmt_prepare(&s, c, "SELEC 1"), CORM_ESQL);
	assert_non_null(strstr(corm_errmsg(c), "syntax error"));
	corm_conn_close(c);
}

static void test_tx__nesting_uses_savepoints(void **state)
{
	corm_conn *c = open_memory();
	corm_stmt *s;
	int64_t n;

	(void)state;
	assert_int_equal(corm_exec(c, "CREATE TABLE t (a INTEGER)"), CORM_OK);
	assert_int_equal(corm_tx_begin(c), CORM_OK);
	assert_int_equal(corm_exec(c, "INSERT INTO t VALUES (1)"), CORM_OK);
	assert_int_equal(corm_tx_begin(c), CORM_OK);
	assert_int_equal(corm_tx_depth(c), 2);
	assert_int_equal(corm_exec(c, "INSERT INTO t VALUES (2)"), CORM_OK);
	assert_int_equal(corm_tx_rollback(c), CORM_OK);
	assert_int_equal(corm_tx_begin(c), CORM_OK);
	assert_int_equal(corm_exec(c, "INSERT INTO t VALUES (3)"), CORM_OK);
	assert_int_equal(corm_tx_commit(c), CORM_OK);
	assert_int_equal(corm_tx_commit(c), CORM_OK);
	assert_int_equal(corm_tx_depth(c), 0);
	assert_int_equal(corm_stmt_prepare(&s, c, "SELECT sum(a) FROM t"),
		CORM_OK);
	assert_int_equal(corm_step(s), CORM_ROW);
	assert_int_equal(corm_column_int64(&n, s, 0), CORM_OK);
	assert_int_equal(n, 4); /* 1 + 3: the rolled-back level is gone */
	corm_stmt_free(s);
	corm_conn_close(c);
}

static void test_errors__codes_have_descriptions(void **state)
{
	int code;

	(void)state;
	for (code = CORM_ESTALE; code <= CORM_OK; code++)
		assert_string_not_equal(corm_strerror(code), "unknown error code");
	assert_string_equal(corm_strerror(12345), "unknown error code");
	assert_true(corm_is_retryable(CORM_EDEADLOCK));
	assert_true(corm_is_retryable(CORM_ESERIALIZATION));
	assert_true(corm_is_retryable(CORM_EBUSY));
	assert_true(corm_is_retryable(CORM_ESTALE));
	assert_false(corm_is_retryable(CORM_EUNIQUE));
	assert_int_equal(corm_runtime_version(), CORM_RUNTIME_VERSION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_buf__appends_and_formats),
		cmocka_unit_test(test_buf__cap_is_enforced_and_sticks),
		cmocka_unit_test(test_arena__small_and_huge_allocations),
		cmocka_unit_test(
			test_alloc__every_failure_is_an_error_and_leaks_nothing),
		cmocka_unit_test(test_cache__same_sql_gives_the_same_statement),
		cmocka_unit_test(test_cache__evicts_idle_statements_past_capacity),
		cmocka_unit_test(test_cache__returned_statement_is_reset),
		cmocka_unit_test(test_columns__conversions_are_exact_or_refused),
		cmocka_unit_test(test_misuse__is_einval_with_a_message),
		cmocka_unit_test(test_tx__nesting_uses_savepoints),
		cmocka_unit_test(test_errors__codes_have_descriptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
