/*
 * test_stream.c — streaming results (corm_stmt_set_streaming) against one
 * engine:
 *
 *     test_stream ENGINE        (sqlite, postgres or mysql)
 *
 * A million rows generated on the server are read in constant memory
 * (peak RSS measured from /proc/self/status, and compared with the
 * buffered path, both printed); a stream reset half-way leaves the
 * connection usable; an error the server raises mid-stream is the step's
 * answer; another command on the connection while a stream is open ends
 * the stream (PostgreSQL, MySQL) and works itself.
 *
 * Tables are named st_stream_*: the servers are shared.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <corm/corm.h>

#include "engine.h"

/* ASan keeps freed memory in a quarantine (256 MiB by default) to catch
 * use-after-free; a million freed row results would fill it and show up
 * as RSS. The bound tested here is about libcorm's memory, so keep the
 * quarantine small in this program. */
#if defined(__SANITIZE_ADDRESS__)
const char *__asan_default_options(void);
const char *__asan_default_options(void)
{
	return "quarantine_size_mb=1";
}
#endif

#define MILLION 1000000
#define RSS_BOUND_KIB (16 * 1024)

static test_engine engine;

static bool is_engine(const char *name)
{
	return strcmp(engine.name, name) == 0;
}

/* --------------------------------------------------------------- helpers */

static corm_conn *open_conn(void)
{
	corm_conn *c = NULL;
	int rc = corm_conn_open(&c, engine.url);

	if (rc != CORM_OK)
		fail_msg("open %s: %s", engine.url, corm_errmsg(NULL));
	return c;
}

static void exec_ok(corm_conn *c, const char *sql)
{
	int rc = corm_exec(c, sql);

	if (rc != CORM_OK)
		fail_msg("%s: %d %s", sql, rc, corm_errmsg(c));
}

#define OK(c, call)                                                           \
	do {                                                                      \
		int rc_ = (call);                                                     \
		if (rc_ != CORM_OK)                                                   \
			fail_msg("%s: %d %s", #call, rc_, corm_errmsg(c));                \
	} while (0)

static corm_stmt *prepare_ok(corm_conn *c, const char *sql)
{
	corm_stmt *s = NULL;
	int rc = corm_stmt_prepare(&s, c, sql);

	if (rc != CORM_OK)
		fail_msg("prepare %s: %d %s", sql, rc, corm_errmsg(c));
	return s;
}

/* The one integer a query returns. */
static int64_t query_int(corm_conn *c, const char *sql)
{
	corm_stmt *s = prepare_ok(c, sql);
	int64_t v = -1;
	int rc = corm_step(s);

	if (rc != CORM_ROW)
		fail_msg("%s: step %d %s", sql, rc, corm_errmsg(c));
	OK(c, corm_column_int64(&v, s, 0));
	rc = corm_step(s);
	if (rc != CORM_DONE)
		fail_msg("%s: second step %d %s", sql, rc, corm_errmsg(c));
	corm_stmt_free(s);
	return v;
}

/* `count` rows of (n, n as 32 zero-padded digits), n from 1, generated
 * on the server. Only PostgreSQL and SQLite promise the order. */
static void rows_sql(char *out, size_t cap, long count)
{
	if (is_engine("postgres")) {
		snprintf(out, cap, "SELECT n, lpad(n::text, 32, '0') FROM "
			"generate_series(1, %ld) AS g(n)", count);
	} else if (is_engine("mysql")) {
		/* Six digits cross-joined: no recursion limit, and the server
		 * sends rows as the join makes them. */
		static const char d[] = "(SELECT 0 AS d UNION ALL SELECT 1 "
			"UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 "
			"UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 "
			"UNION ALL SELECT 8 UNION ALL SELECT 9)";

		snprintf(out, cap, "SELECT n, LPAD(n, 32, '0') FROM (SELECT "
			"a.d + 10 * b.d + 100 * c.d + 1000 * e.d + 10000 * f.d + "
			"100000 * g.d + 1 AS n FROM %s a, %s b, %s c, %s e, %s f, "
			"%s g) t WHERE n <= %ld", d, d, d, d, d, d, count);
	} else {
		snprintf(out, cap, "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL "
			"SELECT n + 1 FROM g WHERE n < %ld) SELECT n, "
			"printf('%%032d', n) FROM g", count);
	}
}

/* Peak resident set size so far, KiB (VmHWM), or -1. */
static long peak_rss_kib(void)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long kib = -1;

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmHWM: %ld kB", &kib) == 1)
			break;
	fclose(f);
	return kib;
}

/* Start a new peak from the current RSS (Linux >= 4.0); false when the
 * kernel does not allow it, and then peaks only grow. */
static bool reset_peak_rss(void)
{
	FILE *f = fopen("/proc/self/clear_refs", "w");
	bool ok;

	if (!f)
		return false;
	ok = fputs("5", f) >= 0;
	return fclose(f) == 0 && ok;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/*
 * Read every row of rows_sql(count) through `s`, checking each: the count,
 * the sum of n, and that the text is n zero-padded. Returns the rows.
 */
static long read_all_rows(corm_conn *c, corm_stmt *s, long count)
{
	long rows = 0;
	int64_t sum = 0, n;
	const char *text;
	size_t len;
	char want[40];
	int rc;

	while ((rc = corm_step(s)) == CORM_ROW) {
		OK(c, corm_column_int64(&n, s, 0));
		OK(c, corm_column_text(&text, &len, s, 1));
		snprintf(want, sizeof(want), "%032lld", (long long)n);
		if (len != 32 || memcmp(text, want, 32) != 0)
			fail_msg("row %ld: n = %lld but text '%s'", rows,
				(long long)n, text);
		sum += n;
		rows++;
	}
	if (rc != CORM_DONE)
		fail_msg("step after %ld rows: %d %s", rows, rc, corm_errmsg(c));
	assert_int_equal(rows, count);
	assert_true(sum == (int64_t)count * (count + 1) / 2);
	return rows;
}

/* Peak RSS growth (KiB) of reading rows_sql(MILLION), streamed or not. */
static long measure(corm_conn *c, bool streaming, double *seconds)
{
	char sql[2048];
	corm_stmt *s;
	long before, after;
	double t0;

	rows_sql(sql, sizeof(sql), MILLION);
	s = prepare_ok(c, sql);
	OK(c, corm_stmt_set_streaming(s, streaming));
	(void)reset_peak_rss();
	before = peak_rss_kib();
	t0 = now_s();
	read_all_rows(c, s, MILLION);
	*seconds = now_s() - t0;
	after = peak_rss_kib();
	corm_stmt_free(s);
	assert_true(before > 0 && after >= before);
	return after - before;
}

/* ----------------------------------------------------------------- tests */

static void test_stream__a_million_rows_in_constant_memory(void **state)
{
	corm_conn *c = open_conn();
	long streamed, buffered;
	double ts, tb;

	(void)state;
	streamed = measure(c, true, &ts);
	buffered = measure(c, false, &tb);
	printf("# %s, 1,000,000 rows of (int, 32-char text): peak RSS growth "
		"streamed %ld KiB (%.2f s), buffered %ld KiB (%.2f s)%s\n",
		engine.name, streamed, ts, buffered, tb,
		reset_peak_rss() ? "" : " [peak not resettable: buffered "
		"measured after streamed]");
	corm_conn_close(c);
	/* Under valgrind (meson test --setup valgrind) RSS is valgrind's. */
	if (getenv("CORM_UNDER_VALGRIND"))
		return;
	if (streamed >= RSS_BOUND_KIB)
		fail_msg("streaming grew peak RSS by %ld KiB (bound %d KiB)",
			streamed, RSS_BOUND_KIB);
	/* The measurement can see buffering: SQLite never buffers. */
	if (!is_engine("sqlite") && buffered < 4 * RSS_BOUND_KIB)
		fail_msg("the buffered read grew peak RSS by only %ld KiB: the "
			"measurement does not work", buffered);
}

static void test_stream__the_setting_is_per_statement_and_kept_by_reset(
	void **state)
{
	corm_conn *c = open_conn();
	corm_stmt *s, *again;
	char sql[2048];

	(void)state;
	rows_sql(sql, sizeof(sql), 10);
	OK(c, corm_stmt_cached(&s, c, sql));
	assert_false(corm_stmt_streaming(s));
	OK(c, corm_stmt_set_streaming(s, true));
	assert_true(corm_stmt_streaming(s));
	assert_int_equal(corm_step(s), CORM_ROW);
	/* Not in the middle of a run. */
	assert_int_equal(corm_stmt_set_streaming(s, false), CORM_EINVAL);
	assert_int_equal(corm_errcode(c), CORM_EINVAL);
	OK(c, corm_stmt_reset(s));
	assert_true(corm_stmt_streaming(s));
	read_all_rows(c, s, 10);
	OK(c, corm_stmt_reset(s));
	read_all_rows(c, s, 10);
	/* Back in the cache, it is the default again for the next user. */
	corm_stmt_free(s);
	OK(c, corm_stmt_cached(&again, c, sql));
	assert_ptr_equal(again, s);
	assert_false(corm_stmt_streaming(again));
	corm_stmt_free(again);
	assert_int_equal(corm_stmt_set_streaming(NULL, true), CORM_EINVAL);
	assert_false(corm_stmt_streaming(NULL));
	corm_conn_close(c);
}

static void test_stream__reset_half_way_leaves_the_connection_usable(
	void **state)
{
	corm_conn *c = open_conn();
	corm_stmt *s;
	char sql[2048];
	int64_t n;
	double t0, t_reset;
	int i;

	(void)state;
	rows_sql(sql, sizeof(sql), MILLION);
	s = prepare_ok(c, sql);
	OK(c, corm_stmt_set_streaming(s, true));
	for (i = 0; i < 1000; i++)
		assert_int_equal(corm_step(s), CORM_ROW);
	t0 = now_s();
	OK(c, corm_stmt_reset(s));
	t_reset = now_s() - t0;
	printf("# %s: reset after 1,000 of 1,000,000 streamed rows took "
		"%.1f ms\n", engine.name, t_reset * 1000);
	assert_int_equal(query_int(c, "SELECT 42"), 42);

	/* Inside a transaction: the rest is read, not cancelled (a cancel
	 * would abort the transaction), and the transaction goes on. */
	exec_ok(c, "DROP TABLE IF EXISTS st_stream_t");
	exec_ok(c, "CREATE TABLE st_stream_t (id BIGINT PRIMARY KEY)");
	OK(c, corm_tx_begin(c));
	for (i = 0; i < 10; i++)
		assert_int_equal(corm_step(s), CORM_ROW);
	OK(c, corm_stmt_reset(s));
	exec_ok(c, "INSERT INTO st_stream_t (id) VALUES (1)");
	OK(c, corm_tx_commit(c));
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_stream_t"), 1);

	/* And the statement runs again, whole. */
	n = (int64_t)read_all_rows(c, s, MILLION);
	assert_true(n == MILLION);
	corm_stmt_free(s);
	exec_ok(c, "DROP TABLE st_stream_t");
	corm_conn_close(c);
}

static void test_stream__an_error_mid_stream_is_the_steps_answer(
	void **state)
{
	corm_conn *c = open_conn();
	corm_stmt *s;
	char sql[3072], gen[2048];
	long rows = 0;
	int rc, again;

	(void)state;
	if (is_engine("postgres")) {
		snprintf(sql, sizeof(sql), "SELECT 1 / (n - 500000) FROM "
			"generate_series(1, %d) AS g(n)", MILLION);
	} else if (is_engine("mysql")) {
		/* Division by zero is only a warning in a MariaDB SELECT; a
		 * scalar subquery with two rows is an error, raised when the
		 * row it belongs to is made. */
		rows_sql(gen, sizeof(gen), MILLION);
		snprintf(sql, sizeof(sql), "SELECT (SELECT 1 UNION ALL SELECT 2 "
			"FROM DUAL WHERE q.n = 500000) FROM (%s) AS q", gen);
	} else {
		snprintf(sql, sizeof(sql), "WITH RECURSIVE g(n) AS (SELECT 1 "
			"UNION ALL SELECT n + 1 FROM g WHERE n < %d) SELECT CASE "
			"WHEN n = 500000 THEN abs(-9223372036854775807 - 1) ELSE n "
			"END FROM g", MILLION);
	}
	s = prepare_ok(c, sql);
	OK(c, corm_stmt_set_streaming(s, true));
	while ((rc = corm_step(s)) == CORM_ROW)
		rows++;
	printf("# %s: the error came after %ld streamed rows: %d %s [%s]\n",
		engine.name, rows, rc, corm_errmsg(c), corm_errcode_native(c));
	assert_true(rc < 0);
	assert_int_equal(corm_errcode(c), rc);
	assert_true(corm_errmsg(c)[0] != '\0');
	/* Rows came before it: it really was mid-stream. */
	assert_true(rows > 0 && rows < MILLION);
	/* The statement keeps answering the error until reset... */
	again = corm_step(s);
	assert_int_equal(again, rc);
	OK(c, corm_stmt_reset(s));
	/* ...and the connection is fine. */
	assert_int_equal(query_int(c, "SELECT 7"), 7);
	corm_stmt_free(s);
	assert_int_equal(query_int(c, "SELECT 8"), 8);
	corm_conn_close(c);
}

/* Step `s` (streaming rows_sql) until it has read `rows` rows. */
static void step_rows(corm_stmt *s, int rows)
{
	int i;

	for (i = 0; i < rows; i++)
		assert_int_equal(corm_step(s), CORM_ROW);
}

/* Check the row `s` is on still reads as a row of rows_sql(). */
static void current_row_readable(corm_conn *c, corm_stmt *s)
{
	int64_t n;
	const char *text;
	size_t len;
	char want[40];

	OK(c, corm_column_int64(&n, s, 0));
	OK(c, corm_column_text(&text, &len, s, 1));
	snprintf(want, sizeof(want), "%032lld", (long long)n);
	assert_string_equal(text, want);
}

/* After another command ran: PostgreSQL and MySQL ended the stream;
 * SQLite streams beside other statements and goes on. */
static void expect_interrupted(corm_conn *c, corm_stmt *s, int read,
	int total)
{
	if (is_engine("sqlite")) {
		int rc, rows = read;

		while ((rc = corm_step(s)) == CORM_ROW)
			rows++;
		assert_int_equal(rc, CORM_DONE);
		assert_int_equal(rows, total);
		return;
	}
	assert_int_equal(corm_step(s), CORM_EINVAL);
	assert_int_equal(corm_errcode(c), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(c), "stream interrupted"));
	/* Until reset. */
	assert_int_equal(corm_step(s), CORM_EINVAL);
}

static void test_stream__another_command_ends_the_stream_and_works(
	void **state)
{
	corm_conn *c = open_conn();
	corm_stmt *s, *other;
	char sql[2048];
	int total = 100000;

	(void)state;
	exec_ok(c, "DROP TABLE IF EXISTS st_stream_o");
	exec_ok(c, "CREATE TABLE st_stream_o (id BIGINT PRIMARY KEY)");
	rows_sql(sql, sizeof(sql), total);
	s = prepare_ok(c, sql);
	OK(c, corm_stmt_set_streaming(s, true));

	/* Another statement, prepared and stepped while the stream is open. */
	step_rows(s, 10);
	other = prepare_ok(c, "SELECT 5");
	assert_int_equal(corm_step(other), CORM_ROW);
	corm_stmt_free(other);
	current_row_readable(c, s);
	expect_interrupted(c, s, 10, total);
	OK(c, corm_stmt_reset(s));

	/* corm_exec. */
	step_rows(s, 10);
	exec_ok(c, "INSERT INTO st_stream_o (id) VALUES (1)");
	assert_int_equal(corm_errcode(c), CORM_OK);
	expect_interrupted(c, s, 10, total);
	OK(c, corm_stmt_reset(s));

	/* A transaction, and a cached statement stepped inside it. */
	step_rows(s, 3);
	OK(c, corm_tx_begin(c));
	expect_interrupted(c, s, 3, total);
	OK(c, corm_stmt_reset(s));
	step_rows(s, 3);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_stream_o"), 1);
	OK(c, corm_tx_commit(c));
	expect_interrupted(c, s, 3, total);
	OK(c, corm_stmt_reset(s));

	/* Ping. */
	step_rows(s, 3);
	OK(c, corm_conn_ping(c));
	expect_interrupted(c, s, 3, total);
	OK(c, corm_stmt_reset(s));

	/* A stream read to its end is not interrupted by what follows. */
	read_all_rows(c, s, total);
	assert_int_equal(query_int(c, "SELECT 6"), 6);
	assert_int_equal(corm_step(s), CORM_DONE);

	/* Freeing a stream half-way frees the connection too. */
	OK(c, corm_stmt_reset(s));
	step_rows(s, 10);
	corm_stmt_free(s);
	assert_int_equal(query_int(c, "SELECT 9"), 9);
	exec_ok(c, "DROP TABLE st_stream_o");
	corm_conn_close(c);
}

static void test_stream__two_streams_on_one_connection(void **state)
{
	corm_conn *c = open_conn();
	corm_stmt *a, *b;
	char sql[2048];

	(void)state;
	rows_sql(sql, sizeof(sql), 1000);
	a = prepare_ok(c, sql);
	b = prepare_ok(c, sql);
	OK(c, corm_stmt_set_streaming(a, true));
	OK(c, corm_stmt_set_streaming(b, true));
	step_rows(a, 5);
	/* Starting b ends a. */
	read_all_rows(c, b, 1000);
	expect_interrupted(c, a, 5, 1000);
	corm_stmt_free(a);
	corm_stmt_free(b);
	corm_conn_close(c);
}

/* Rows with blobs and text longer than the drivers' first buffers: the
 * per-row decoding (PostgreSQL bytea, MySQL buffer growth) must follow
 * each streamed row. */
static void test_stream__blobs_and_long_text_stream_row_by_row(void **state)
{
	corm_conn *c = open_conn();
	const char *ph1 = is_engine("postgres") ? "$1" : "?";
	const char *ph2 = is_engine("postgres") ? "$2" : "?";
	const char *ph3 = is_engine("postgres") ? "$3" : "?";
	const char *blob_type = is_engine("postgres") ? "BYTEA" :
		is_engine("mysql") ? "LONGBLOB" : "BLOB";
	const char *text_type = is_engine("mysql") ? "LONGTEXT" : "TEXT";
	char sql[512], text[5000];
	unsigned char blob[300];
	corm_stmt *s;
	int64_t id;
	int i, rc, rows = 0;

	(void)state;
	exec_ok(c, "DROP TABLE IF EXISTS st_stream_b");
	snprintf(sql, sizeof(sql), "CREATE TABLE st_stream_b (id BIGINT "
		"PRIMARY KEY, b %s NOT NULL, t %s NOT NULL)", blob_type,
		text_type);
	exec_ok(c, sql);
	snprintf(sql, sizeof(sql), "INSERT INTO st_stream_b (id, b, t) "
		"VALUES (%s, %s, %s)", ph1, ph2, ph3);
	s = prepare_ok(c, sql);
	for (i = 1; i <= 50; i++) {
		size_t blen = (size_t)(i * 5 % 300), tlen = (size_t)(i * 97);

		memset(blob, i, blen);
		memset(text, 'a' + i % 26, tlen);
		OK(c, corm_bind_int64(s, 1, i));
		OK(c, corm_bind_blob(s, 2, blob, blen));
		OK(c, corm_bind_text(s, 3, text, tlen));
		assert_int_equal(corm_step(s), CORM_DONE);
		OK(c, corm_stmt_reset(s));
	}
	corm_stmt_free(s);

	s = prepare_ok(c, "SELECT id, b, t FROM st_stream_b ORDER BY id");
	OK(c, corm_stmt_set_streaming(s, true));
	while ((rc = corm_step(s)) == CORM_ROW) {
		const void *bp;
		const char *tp;
		size_t blen, tlen, k;

		OK(c, corm_column_int64(&id, s, 0));
		OK(c, corm_column_blob(&bp, &blen, s, 1));
		OK(c, corm_column_text(&tp, &tlen, s, 2));
		assert_int_equal(blen, (size_t)(id * 5 % 300));
		assert_int_equal(tlen, (size_t)(id * 97));
		for (k = 0; k < blen; k++)
			assert_int_equal(((const unsigned char *)bp)[k], id);
		for (k = 0; k < tlen; k++)
			assert_int_equal(tp[k], 'a' + id % 26);
		rows++;
		assert_int_equal(id, rows);
	}
	assert_int_equal(rc, CORM_DONE);
	assert_int_equal(rows, 50);
	corm_stmt_free(s);
	exec_ok(c, "DROP TABLE st_stream_b");
	corm_conn_close(c);
}

/* Statements without rows, and results without rows, are unchanged. */
static void test_stream__commands_and_empty_results_run_as_before(
	void **state)
{
	corm_conn *c = open_conn();
	const char *ph1 = is_engine("postgres") ? "$1" : "?";
	corm_stmt *s;
	char sql[256];
	int64_t changes = -1;

	(void)state;
	exec_ok(c, "DROP TABLE IF EXISTS st_stream_c");
	exec_ok(c, "CREATE TABLE st_stream_c (id BIGINT PRIMARY KEY, v BIGINT)");
	exec_ok(c, "INSERT INTO st_stream_c (id, v) VALUES (1, 0), (2, 0), "
		"(3, 0)");
	snprintf(sql, sizeof(sql), "UPDATE st_stream_c SET v = v + 1 WHERE "
		"id >= %s", ph1);
	s = prepare_ok(c, sql);
	OK(c, corm_stmt_set_streaming(s, true));
	OK(c, corm_bind_int64(s, 1, 2));
	assert_int_equal(corm_step(s), CORM_DONE);
	OK(c, corm_stmt_changes(&changes, s));
	assert_int_equal(changes, 2);
	assert_int_equal(corm_step(s), CORM_DONE);
	corm_stmt_free(s);

	s = prepare_ok(c, "SELECT id FROM st_stream_c WHERE id > 100");
	OK(c, corm_stmt_set_streaming(s, true));
	assert_int_equal(corm_step(s), CORM_DONE);
	assert_int_equal(corm_step(s), CORM_DONE);
	assert_int_equal(corm_column_count(s), 1);
	corm_stmt_free(s);

	/* A failing statement fails at its first step, as before. */
	s = prepare_ok(c, "INSERT INTO st_stream_c (id, v) VALUES (1, 1)");
	OK(c, corm_stmt_set_streaming(s, true));
	assert_int_equal(corm_step(s), CORM_EUNIQUE);
	corm_stmt_free(s);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_stream_c"), 3);
	exec_ok(c, "DROP TABLE st_stream_c");
	corm_conn_close(c);
}

/* A table that changed shape since the statement was prepared: the
 * drivers prepare it again and run it (PostgreSQL 0A000, MySQL 2057),
 * streaming or not. */
static void test_stream__a_changed_table_is_prepared_again(void **state)
{
	corm_conn *c = open_conn();
	corm_stmt *s;
	int64_t v;

	(void)state;
	exec_ok(c, "DROP TABLE IF EXISTS st_stream_r");
	exec_ok(c, "CREATE TABLE st_stream_r (a BIGINT)");
	exec_ok(c, "INSERT INTO st_stream_r (a) VALUES (1), (2)");
	s = prepare_ok(c, "SELECT * FROM st_stream_r ORDER BY a");
	OK(c, corm_stmt_set_streaming(s, true));
	assert_int_equal(corm_step(s), CORM_ROW);
	assert_int_equal(corm_column_count(s), 1);
	OK(c, corm_stmt_reset(s));
	exec_ok(c, "ALTER TABLE st_stream_r ADD COLUMN b BIGINT");
	assert_int_equal(corm_step(s), CORM_ROW);
	assert_int_equal(corm_column_count(s), 2);
	OK(c, corm_column_int64(&v, s, 0));
	assert_int_equal(v, 1);
	assert_int_equal(corm_step(s), CORM_ROW);
	assert_int_equal(corm_step(s), CORM_DONE);
	corm_stmt_free(s);
	exec_ok(c, "DROP TABLE st_stream_r");
	corm_conn_close(c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stream__a_million_rows_in_constant_memory),
		cmocka_unit_test(
			test_stream__the_setting_is_per_statement_and_kept_by_reset),
		cmocka_unit_test(
			test_stream__reset_half_way_leaves_the_connection_usable),
		cmocka_unit_test(
			test_stream__an_error_mid_stream_is_the_steps_answer),
		cmocka_unit_test(
			test_stream__another_command_ends_the_stream_and_works),
		cmocka_unit_test(test_stream__two_streams_on_one_connection),
		cmocka_unit_test(
			test_stream__blobs_and_long_text_stream_row_by_row),
		cmocka_unit_test(
			test_stream__commands_and_empty_results_run_as_before),
		cmocka_unit_test(test_stream__a_changed_table_is_prepared_again),
	};
	int rc = test_engine_init(&engine, "test_stream",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, NULL, NULL);
	test_engine_cleanup(&engine);
	return rc;
}
