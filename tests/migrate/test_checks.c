/*
 * test_checks.c — data checks (migrate/checks.c, the runner's part in
 * runner.c), one engine per run (argv[1]: sqlite, postgres or mysql).
 *
 * For each change that would cut, round, refuse or leave without a value
 * rows that do not fit it: with such rows the migration is refused, with
 * the count and words saying what would happen to them, and the database
 * is as before (its schema read back by introspection, its rows, no
 * history row, on MySQL too); once the rows are fixed it runs, and every
 * value reads back as the literal the engines agree on. Down migrations
 * are checked too, and a hand-written check after DDL on MySQL fails like
 * any statement.
 *
 * Each test has a scratch database of its own (mig_helpers.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "engine.h"
#include "mig_helpers.h"

#include "corm/driver.h"

static test_engine g_engine;

static bool on(const char *engine)
{
	return strcmp(g_engine.name, engine) == 0;
}

static void expect_in(const char *what, const char *text, const char *part)
{
	if (!strstr(text, part))
		print_error("%s: want \"%s\" in:\n  %s\n", what, part, text);
	assert_non_null(strstr(text, part));
}

/*
 * One narrowing, end to end. The database starts at `from` (an empty
 * history and the migration "1" applying it), holding rows[]; the
 * migration "2" to `to` is refused with `want` in its message (and the
 * schema, `check` and the history as before); after `fix[]` it runs, and
 * `check` gives `after`. NULL-terminated lists.
 */
typedef struct narrowing {
	const char *from, *to;
	const char *rows[8];
	const char *check;     /* a SELECT over the data */
	const char *before;    /* its rows at the start */
	const char *want;      /* in the refusal's message */
	const char *fix[4];
	const char *after;     /* `check`'s rows after the migration */
} narrowing;

static const corm_schema *g_empty;

/* Like mig_step, for a migration expected to be refused: quietly. */
static int try_step(corm_conn *c, const corm_schema *from,
	const corm_schema *to, const char *version, corm_buf *err)
{
	corm_mig_entry e = {(char *)version, (char *)"step", (char *)"."};
	corm_buf sql = CORM_BUF_INIT;
	corm_plan *p = NULL;
	bool skipped;
	int rc;

	assert_int_equal(corm_diff(&p, from, to), CORM_OK);
	assert_int_equal(corm_plan_render(&sql, corm_conn_dialect(c), p),
		CORM_OK);
	rc = corm_mig_apply(&skipped, c, &e, sql.ptr, sql.len, true, err);
	assert_false(skipped);
	corm_buf_free(&sql);
	corm_plan_free(p);
	return rc;
}

static void run_narrowing(const narrowing *n)
{
	corm_schema *from = mig_parse(n->from), *to = mig_parse(n->to);
	corm_buf err = CORM_BUF_INIT;
	size_t i;
	mig_db db;
	int rc;

	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	assert_int_equal(mig_step(db.c, g_empty, from, "20260101000001", NULL,
		NULL, &err), CORM_OK);
	for (i = 0; n->rows[i]; i++)
		mig_exec_ok(db.c, n->rows[i]);
	mig_expect_rows(db.c, n->check, n->before);

	corm_buf_clear(&err);
	rc = try_step(db.c, from, to, "20260101000002", &err);
	assert_int_equal(rc, CORM_ECHECK);
	expect_in("refusal", corm_buf_cstr(&err), "refused before any change: ");
	expect_in("refusal", corm_buf_cstr(&err), n->want);
	expect_in("refusal", corm_buf_cstr(&err),
		", then run 'corm migrate up' again");
	/* Nothing changed: schema, rows, history (MySQL too). */
	assert_true(mig_same_as(db.c, n->from, "after the refusal"));
	mig_expect_rows(db.c, n->check, n->before);
	mig_expect_rows(db.c, "SELECT version, status FROM corm_migrations "
		"ORDER BY version", "20260101000001|applied;");

	for (i = 0; n->fix[i]; i++)
		mig_exec_ok(db.c, n->fix[i]);
	corm_buf_clear(&err);
	assert_int_equal(mig_step(db.c, from, to, "20260101000002", NULL, NULL,
		&err), CORM_OK);
	assert_true(mig_same_as(db.c, n->to, "after the fix"));
	mig_expect_rows(db.c, n->check, n->after);
	mig_expect_rows(db.c, "SELECT version, status FROM corm_migrations "
		"ORDER BY version", "20260101000001|applied;20260101000002|applied;");
	corm_buf_free(&err);
	corm_schema_free(from);
	corm_schema_free(to);
	mig_db_close(&db);
}

/* ------------------------------------------------------------ strings */

static void test_checks__string_narrowed(void **state)
{
	/* Characters, not bytes: ten é's (20 bytes) fit string(10). */
	narrowing n = {
		.from = "model Post {\n id i64 @id\n title string(100)\n}\n",
		.to = "model Post {\n id i64 @id\n title string(10)\n}\n",
		.rows = {"INSERT INTO post (id, title) VALUES (1, 'short')",
			"INSERT INTO post (id, title) VALUES (2, "
			"'\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			"\xc3\xa9\xc3\xa9\xc3\xa9')",
			"INSERT INTO post (id, title) VALUES (3, 'eleven char')",
			"INSERT INTO post (id, title) VALUES (4, 'a title far too long')",
			"INSERT INTO post (id, title) VALUES (5, '1234567890')", NULL},
		.check = "SELECT id, title FROM post ORDER BY id",
		.before = "1|short;2|\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9;3|eleven char;"
			"4|a title far too long;5|1234567890;",
		.want = "2 rows of \"post\" whose \"title\" is longer than 10 "
			"characters: changing \"title\" from string(100) to string(10) "
			"would cut them; shorten or delete those rows",
		.fix = {"UPDATE post SET title = 'eleven' WHERE id = 3",
			"DELETE FROM post WHERE id = 4", NULL},
		.after = "1|short;2|\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
			"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9;3|eleven;5|1234567890;",
	};

	(void)state;
	run_narrowing(&n);
}

static void test_checks__text_to_string(void **state)
{
	narrowing n = {
		.from = "model Note {\n id i64 @id\n body text?\n}\n",
		.to = "model Note {\n id i64 @id\n body string(5)?\n}\n",
		.rows = {"INSERT INTO note (id, body) VALUES (1, 'abcde')",
			"INSERT INTO note (id, body) VALUES (2, NULL)",
			"INSERT INTO note (id, body) VALUES (3, 'abcdef')", NULL},
		.check = "SELECT id, body FROM note ORDER BY id",
		.before = "1|abcde;2|~;3|abcdef;",
		.want = "1 row of \"note\" whose \"body\" is longer than 5 characters: "
			"changing \"body\" from text to string(5) would cut them",
		.fix = {"UPDATE note SET body = 'abc' WHERE id = 3", NULL},
		.after = "1|abcde;2|~;3|abc;",
	};

	(void)state;
	run_narrowing(&n);
}

static void test_checks__enum_to_short_string(void **state)
{
	narrowing n = {
		.from = "enum Size { s m xl xxl }\n"
			"model Shirt {\n id i64 @id\n size Size\n}\n",
		.to = "model Shirt {\n id i64 @id\n size string(2)\n}\n",
		.rows = {"INSERT INTO shirt (id, size) VALUES (1, 'xl')",
			"INSERT INTO shirt (id, size) VALUES (2, 'xxl')",
			"INSERT INTO shirt (id, size) VALUES (3, 's')", NULL},
		.check = "SELECT id, size FROM shirt ORDER BY id",
		.before = "1|xl;2|xxl;3|s;",
		.want = "1 row of \"shirt\" whose \"size\" is longer than 2 "
			"characters: changing \"size\" from enum Size to string(2) would "
			"cut them",
		.fix = {"UPDATE shirt SET size = 'xl' WHERE id = 2", NULL},
		.after = "1|xl;2|xl;3|s;",
	};

	(void)state;
	run_narrowing(&n);
}

/* A column renamed by the same migration: the check reads the old name. */
static void test_checks__renamed_and_narrowed(void **state)
{
	narrowing n = {
		.from = "model Post {\n id i64 @id\n title string(100)\n}\n",
		.to = "model Post {\n id i64 @id\n headline string(4) "
			"@renamed_from(title)\n}\n",
		.rows = {"INSERT INTO post (id, title) VALUES (1, 'abcd')",
			"INSERT INTO post (id, title) VALUES (2, 'abcde')", NULL},
		.check = "SELECT * FROM post ORDER BY id",
		.before = "1|abcd;2|abcde;",
		.want = "1 row of \"post\" whose \"title\" is longer than 4 "
			"characters: changing \"title\" from string(100) to string(4)",
		.fix = {"UPDATE post SET title = 'abc' WHERE id = 2", NULL},
		.after = "1|abcd;2|abc;",
	};

	(void)state;
	run_narrowing(&n);
}

/* ----------------------------------------------------------- decimals */

/* Fewer places: 12345.67 and -0.05 would be rounded; 1.50 fits (its
 * trailing zero aside), and every engine then reads 1.5. */
static void test_checks__decimal_fewer_places(void **state)
{
	narrowing n = {
		.from = "model Acct {\n id i64 @id\n bal decimal(12,2)\n}\n",
		.to = "model Acct {\n id i64 @id\n bal decimal(12,1)\n}\n",
		.rows = {"INSERT INTO acct (id, bal) VALUES (1, '1.50')",
			"INSERT INTO acct (id, bal) VALUES (2, '12345.67')",
			"INSERT INTO acct (id, bal) VALUES (3, '-0.05')",
			"INSERT INTO acct (id, bal) VALUES (4, '-0.10')",
			"INSERT INTO acct (id, bal) VALUES (5, '9999999999.90')",
			"INSERT INTO acct (id, bal) VALUES (6, '0.00')", NULL},
		.check = "SELECT id, bal FROM acct ORDER BY id",
		.before = "1|1.50;2|12345.67;3|-0.05;4|-0.10;5|9999999999.90;6|0.00;",
		.want = "2 rows of \"acct\" whose \"bal\" has more than 1 place after "
			"the point: changing \"bal\" from decimal(12,2) to decimal(12,1) "
			"would round them; change or delete those rows",
		.fix = {"UPDATE acct SET bal = '12345.70' WHERE id = 2",
			"DELETE FROM acct WHERE id = 3", NULL},
		.after = "1|1.5;2|12345.7;4|-0.1;5|9999999999.9;6|0.0;",
	};

	(void)state;
	run_narrowing(&n);
}

/* Fewer digits before the point. */
static void test_checks__decimal_fewer_digits(void **state)
{
	narrowing n = {
		.from = "model Acct {\n id i64 @id\n bal decimal(12,2)\n}\n",
		.to = "model Acct {\n id i64 @id\n bal decimal(8,2)\n}\n",
		.rows = {"INSERT INTO acct (id, bal) VALUES (1, '999999.99')",
			"INSERT INTO acct (id, bal) VALUES (2, '-999999.99')",
			"INSERT INTO acct (id, bal) VALUES (3, '1000000.00')",
			"INSERT INTO acct (id, bal) VALUES (4, '-1234567890.12')",
			"INSERT INTO acct (id, bal) VALUES (5, '0.01')", NULL},
		.check = "SELECT id, bal FROM acct ORDER BY id",
		.before = "1|999999.99;2|-999999.99;3|1000000.00;"
			"4|-1234567890.12;5|0.01;",
		.want = "2 rows of \"acct\" whose \"bal\" has more than 6 digits "
			"before the point: changing \"bal\" from decimal(12,2) to "
			"decimal(8,2) would refuse them",
		.fix = {"DELETE FROM acct WHERE id IN (3, 4)", NULL},
		.after = "1|999999.99;2|-999999.99;5|0.01;",
	};

	(void)state;
	run_narrowing(&n);
}

/* No digit before the point left: |v| < 1. */
static void test_checks__decimal_to_fraction_only(void **state)
{
	narrowing n = {
		.from = "model Acct {\n id i64 @id\n r decimal(5,2)\n}\n",
		.to = "model Acct {\n id i64 @id\n r decimal(2,2)\n}\n",
		.rows = {"INSERT INTO acct (id, r) VALUES (1, '0.99')",
			"INSERT INTO acct (id, r) VALUES (2, '-0.50')",
			"INSERT INTO acct (id, r) VALUES (3, '1.00')",
			"INSERT INTO acct (id, r) VALUES (4, '-1.00')", NULL},
		.check = "SELECT id, r FROM acct ORDER BY id",
		.before = "1|0.99;2|-0.50;3|1.00;4|-1.00;",
		.want = "2 rows of \"acct\" whose \"r\" has more than 0 digits "
			"before the point",
		.fix = {"DELETE FROM acct WHERE id > 2", NULL},
		.after = "1|0.99;2|-0.50;",
	};

	(void)state;
	run_narrowing(&n);
}

/* An integer into a decimal with fewer digits: the largest integers. */
static void test_checks__integer_to_small_decimal(void **state)
{
	narrowing n = {
		.from = "model Big {\n id i64 @id\n n i64\n}\n",
		.to = "model Big {\n id i64 @id\n n decimal(12,2)\n}\n",
		.rows = {"INSERT INTO big (id, n) VALUES (1, 9999999999)",
			"INSERT INTO big (id, n) VALUES (2, -9999999999)",
			"INSERT INTO big (id, n) VALUES (3, 10000000000)",
			"INSERT INTO big (id, n) VALUES (4, 9223372036854775807)",
			"INSERT INTO big (id, n) VALUES (5, -9223372036854775807 - 1)",
			NULL},
		.check = "SELECT id, n FROM big ORDER BY id",
		.before = "1|9999999999;2|-9999999999;3|10000000000;"
			"4|9223372036854775807;5|-9223372036854775808;",
		.want = "3 rows of \"big\" whose \"n\" has more than 10 digits "
			"before the point: changing \"n\" from i64 to decimal(12,2)",
		.fix = {"DELETE FROM big WHERE id > 2", NULL},
		.after = "1|9999999999.00;2|-9999999999.00;",
	};

	(void)state;
	run_narrowing(&n);
}

/* ----------------------------------------------------------- integers */

static void test_checks__integer_narrowed(void **state)
{
	narrowing n = {
		.from = "model Cnt {\n id i64 @id\n n i64\n m i32\n}\n",
		.to = "model Cnt {\n id i64 @id\n n i32\n m i32\n}\n",
		.rows = {"INSERT INTO cnt (id, n, m) VALUES (1, 2147483647, 0)",
			"INSERT INTO cnt (id, n, m) VALUES (2, -2147483648, 0)",
			"INSERT INTO cnt (id, n, m) VALUES (3, 2147483648, 0)",
			"INSERT INTO cnt (id, n, m) VALUES (4, -9223372036854775807 - 1, "
			"0)", NULL},
		.check = "SELECT id, n FROM cnt ORDER BY id",
		.before = "1|2147483647;2|-2147483648;3|2147483648;"
			"4|-9223372036854775808;",
		.want = "2 rows of \"cnt\" whose \"n\" is outside -2147483648 to "
			"2147483647: changing \"n\" from i64 to i32 cannot hold them",
		.fix = {"UPDATE cnt SET n = 7 WHERE id > 2", NULL},
		.after = "1|2147483647;2|-2147483648;3|7;4|7;",
	};

	(void)state;
	run_narrowing(&n);
}

static void test_checks__i32_to_i16(void **state)
{
	narrowing n = {
		.from = "model Cnt {\n id i64 @id\n n i32\n}\n",
		.to = "model Cnt {\n id i64 @id\n n i16\n}\n",
		.rows = {"INSERT INTO cnt (id, n) VALUES (1, -32768)",
			"INSERT INTO cnt (id, n) VALUES (2, 32768)", NULL},
		.check = "SELECT id, n FROM cnt ORDER BY id",
		.before = "1|-32768;2|32768;",
		.want = "1 row of \"cnt\" whose \"n\" is outside -32768 to 32767",
		.fix = {"UPDATE cnt SET n = 32767 WHERE id = 2", NULL},
		.after = "1|-32768;2|32767;",
	};

	(void)state;
	run_narrowing(&n);
}

/* A decimal into an integer: rows with a fraction would be rounded;
 * whole ones arrive exactly, past 2^53 too (SQLite copies them by CAST,
 * not through a double). */
static void test_checks__decimal_to_integer(void **state)
{
	narrowing n = {
		.from = "model Big {\n id i64 @id\n v decimal(21,2)\n}\n",
		.to = "model Big {\n id i64 @id\n v i64\n}\n",
		.rows = {"INSERT INTO big (id, v) VALUES (1, '12345678901234567.00')",
			"INSERT INTO big (id, v) VALUES (2, '-9223372036854775808.00')",
			"INSERT INTO big (id, v) VALUES (3, '1.50')",
			"INSERT INTO big (id, v) VALUES (4, '9223372036854775808.00')",
			"INSERT INTO big (id, v) VALUES (5, '-0.01')", NULL},
		.check = "SELECT id, v FROM big ORDER BY id",
		.before = "1|12345678901234567.00;2|-9223372036854775808.00;3|1.50;"
			"4|9223372036854775808.00;5|-0.01;",
		.want = "3 rows of \"big\" whose \"v\" is not a whole number from "
			"-9223372036854775808 to 9223372036854775807: changing \"v\" from "
			"decimal(21,2) to i64 would round or refuse them",
		.fix = {"DELETE FROM big WHERE id > 2", NULL},
		.after = "1|12345678901234567;2|-9223372036854775808;",
	};

	(void)state;
	run_narrowing(&n);
}

static void test_checks__float_to_integer(void **state)
{
	narrowing n = {
		.from = "model M {\n id i64 @id\n x f64\n}\n",
		.to = "model M {\n id i64 @id\n x i32\n}\n",
		.rows = {"INSERT INTO m (id, x) VALUES (1, 3.0)",
			"INSERT INTO m (id, x) VALUES (2, -2147483648.0)",
			"INSERT INTO m (id, x) VALUES (3, 2.5)",
			"INSERT INTO m (id, x) VALUES (4, 1e10)", NULL},
		.check = "SELECT id FROM m ORDER BY id",
		.before = "1;2;3;4;",
		.want = "2 rows of \"m\" whose \"x\" is not a whole number from "
			"-2147483648 to 2147483647",
		.fix = {"DELETE FROM m WHERE id > 2", NULL},
		.after = "1;2;",
	};

	(void)state;
	run_narrowing(&n);
}

/* Another type into a short string: its text would be cut. */
static void test_checks__integer_to_short_string(void **state)
{
	narrowing n = {
		.from = "model M {\n id i64 @id\n x i64\n}\n",
		.to = "model M {\n id i64 @id\n x string(5)\n}\n",
		.rows = {"INSERT INTO m (id, x) VALUES (1, -1234)",
			"INSERT INTO m (id, x) VALUES (2, 123456)", NULL},
		.check = "SELECT id, x FROM m ORDER BY id",
		.before = "1|-1234;2|123456;",
		.want = "1 row of \"m\" whose \"x\" is longer than 5 characters as "
			"text: changing \"x\" from i64 to string(5) would cut them",
		.fix = {"UPDATE m SET x = 12345 WHERE id = 2", NULL},
		.after = "1|-1234;2|12345;",
	};

	(void)state;
	run_narrowing(&n);
}

/* -------------------------------------------------------------- enums */

static void test_checks__string_to_enum(void **state)
{
	narrowing n = {
		.from = "model Post {\n id i64 @id\n st string(20)?\n}\n",
		.to = "enum St { draft published }\n"
			"model Post {\n id i64 @id\n st St?\n}\n",
		.rows = {"INSERT INTO post (id, st) VALUES (1, 'draft')",
			"INSERT INTO post (id, st) VALUES (2, NULL)",
			"INSERT INTO post (id, st) VALUES (3, 'Draft')",
			"INSERT INTO post (id, st) VALUES (4, 'gone')", NULL},
		.check = "SELECT id, st FROM post ORDER BY id",
		.before = "1|draft;2|~;3|Draft;4|gone;",
		.want = "2 rows of \"post\" whose \"st\" is not one of draft, "
			"published: enum St cannot hold them; change or delete those rows",
		.fix = {"UPDATE post SET st = 'published' WHERE id > 2", NULL},
		.after = "1|draft;2|~;3|published;4|published;",
	};

	(void)state;
	run_narrowing(&n);
}

static void test_checks__enum_loses_a_member(void **state)
{
	narrowing n = {
		.from = "enum St { draft published archived }\n"
			"model Post {\n id i64 @id\n st St\n}\n",
		.to = "enum St { draft published }\n"
			"model Post {\n id i64 @id\n st St\n}\n",
		.rows = {"INSERT INTO post (id, st) VALUES (1, 'archived')",
			"INSERT INTO post (id, st) VALUES (2, 'draft')", NULL},
		.check = "SELECT id, st FROM post ORDER BY id",
		.before = "1|archived;2|draft;",
		.want = "1 row of \"post\" whose \"st\" is not one of draft, "
			"published: enum St cannot hold them",
		.fix = {"UPDATE post SET st = 'published' WHERE id = 1", NULL},
		.after = "1|published;2|draft;",
	};

	(void)state;
	run_narrowing(&n);
}

/* ----------------------------------------------------------- NOT NULL */

static void test_checks__not_null_without_default(void **state)
{
	narrowing n = {
		.from = "model User {\n id i64 @id\n nick string(20)?\n}\n",
		.to = "model User {\n id i64 @id\n nick string(20)\n}\n",
		.rows = {"INSERT INTO \"user\" (id, nick) VALUES (1, 'ann')",
			"INSERT INTO \"user\" (id, nick) VALUES (2, NULL)",
			"INSERT INTO \"user\" (id, nick) VALUES (3, NULL)", NULL},
		.check = "SELECT id, nick FROM \"user\" ORDER BY id",
		.before = "1|ann;2|~;3|~;",
		.want = "2 rows of \"user\" whose \"nick\" is NULL: making it NOT NULL "
			"without a default leaves them no value",
		.fix = {"UPDATE \"user\" SET nick = 'anon' WHERE nick IS NULL", NULL},
		.after = "1|ann;2|anon;3|anon;",
	};

	(void)state;
	if (on("mysql")) { /* `user` in backquotes there */
		n.rows[0] = "INSERT INTO `user` (id, nick) VALUES (1, 'ann')";
		n.rows[1] = "INSERT INTO `user` (id, nick) VALUES (2, NULL)";
		n.rows[2] = "INSERT INTO `user` (id, nick) VALUES (3, NULL)";
		n.check = "SELECT id, nick FROM `user` ORDER BY id";
		n.fix[0] = "UPDATE `user` SET nick = 'anon' WHERE nick IS NULL";
	}
	run_narrowing(&n);
}

static void test_checks__not_null_column_added(void **state)
{
	narrowing n = {
		.from = "model Tag {\n id i64 @id\n}\n",
		.to = "model Tag {\n id i64 @id\n weight i32\n}\n",
		.rows = {"INSERT INTO tag (id) VALUES (1)", NULL},
		.check = "SELECT COUNT(*) FROM tag",
		.before = "1;",
		.want = "1 row of \"tag\": the new column \"weight\" is NOT NULL "
			"without a default and would have no value in them",
		.fix = {"DELETE FROM tag", NULL},
		.after = "0;",
	};

	(void)state;
	run_narrowing(&n);
}

/* ------------------------------------------------- uniques and keys */

static void test_checks__unique_added(void **state)
{
	/* NULLs are no duplicates, on any engine. */
	narrowing n = {
		.from = "model Item {\n id i64 @id\n code string(10)?\n"
			" a i32\n b i32\n}\n",
		.to = "model Item {\n id i64 @id\n code string(10)? @unique\n"
			" a i32\n b i32\n @@unique([a, b])\n}\n",
		.rows = {"INSERT INTO item (id, code, a, b) VALUES (1, 'x', 1, 1)",
			"INSERT INTO item (id, code, a, b) VALUES (2, 'x', 1, 2)",
			"INSERT INTO item (id, code, a, b) VALUES (3, 'x', 2, 1)",
			"INSERT INTO item (id, code, a, b) VALUES (4, NULL, 1, 1)",
			"INSERT INTO item (id, code, a, b) VALUES (5, NULL, 3, 3)",
			"INSERT INTO item (id, code, a, b) VALUES (6, 'y', 4, 4)", NULL},
		.check = "SELECT id, code FROM item ORDER BY id",
		.before = "1|x;2|x;3|x;4|~;5|~;6|y;",
		.want = "1 group of rows of \"item\" that share their (code): the new "
			"unique constraint would refuse them; remove the duplicates",
		.fix = {"UPDATE item SET code = 'z' WHERE id = 2",
			"UPDATE item SET code = NULL, a = 9 WHERE id = 3",
			"UPDATE item SET a = 8 WHERE id = 4", NULL},
		.after = "1|x;2|z;3|~;4|~;5|~;6|y;",
	};

	(void)state;
	run_narrowing(&n);
}

static void test_checks__composite_unique_counts_groups(void **state)
{
	narrowing n = {
		.from = "model Item {\n id i64 @id\n a i32\n b i32\n}\n",
		.to = "model Item {\n id i64 @id\n a i32\n b i32\n"
			" @@unique([a, b])\n}\n",
		.rows = {"INSERT INTO item (id, a, b) VALUES (1, 1, 1)",
			"INSERT INTO item (id, a, b) VALUES (2, 1, 1)",
			"INSERT INTO item (id, a, b) VALUES (3, 1, 1)",
			"INSERT INTO item (id, a, b) VALUES (4, 2, 2)",
			"INSERT INTO item (id, a, b) VALUES (5, 2, 2)",
			"INSERT INTO item (id, a, b) VALUES (6, 2, 3)", NULL},
		.check = "SELECT id, a, b FROM item ORDER BY id",
		.before = "1|1|1;2|1|1;3|1|1;4|2|2;5|2|2;6|2|3;",
		.want = "2 groups of rows of \"item\" that share their (a, b)",
		.fix = {"DELETE FROM item WHERE id IN (2, 3, 5)", NULL},
		.after = "1|1|1;4|2|2;6|2|3;",
	};

	(void)state;
	run_narrowing(&n);
}

static void test_checks__primary_key_moved(void **state)
{
	narrowing n = {
		.from = "model Sku {\n id i64 @id\n code string(10)\n}\n",
		.to = "model Sku {\n id i64\n code string(10) @id\n}\n",
		.rows = {"INSERT INTO sku (id, code) VALUES (1, 'a')",
			"INSERT INTO sku (id, code) VALUES (2, 'a')",
			"INSERT INTO sku (id, code) VALUES (3, 'b')", NULL},
		.check = "SELECT id, code FROM sku ORDER BY id",
		.before = "1|a;2|a;3|b;",
		.want = "1 group of rows of \"sku\" that share their (code): the new "
			"primary key would refuse them",
		.fix = {"UPDATE sku SET code = 'c' WHERE id = 2", NULL},
		.after = "1|a;2|c;3|b;",
	};

	(void)state;
	run_narrowing(&n);
}

/* --------------------------------------------------------------- down */

/* The down of a widening is a narrowing: checked the same way. */
static void test_checks__down_is_checked(void **state)
{
	corm_schema *a = mig_parse("model Post {\n id i64 @id\n"
		" title string(5)\n}\n");
	corm_schema *b = mig_parse("model Post {\n id i64 @id\n"
		" title string(50)\n}\n");
	corm_buf up = CORM_BUF_INIT, down = CORM_BUF_INIT, err = CORM_BUF_INIT;
	corm_mig_entry e = {(char *)"20260101000002", (char *)"widen",
		(char *)"."};
	corm_plan *pu = NULL, *pd = NULL;
	bool skipped;
	mig_db db;

	(void)state;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	assert_int_equal(mig_step(db.c, g_empty, a, "20260101000001", NULL,
		NULL, &err), CORM_OK);
	assert_int_equal(corm_diff(&pu, a, b), CORM_OK);
	assert_int_equal(corm_diff(&pd, b, a), CORM_OK);
	assert_int_equal(corm_plan_render(&up, corm_conn_dialect(db.c), pu),
		CORM_OK);
	assert_int_equal(corm_plan_render(&down, corm_conn_dialect(db.c), pd),
		CORM_OK);
	assert_null(strstr(corm_buf_cstr(&up), CORM_MIG_MARK_CHECK));
	assert_int_equal(corm_mig_apply(&skipped, db.c, &e, up.ptr, up.len,
		true, &err), CORM_OK);
	mig_exec_ok(db.c, "INSERT INTO post (id, title) VALUES (1, 'longer than 5')");

	corm_buf_clear(&err);
	assert_int_equal(corm_mig_apply(&skipped, db.c, &e, down.ptr, down.len,
		false, &err), CORM_ECHECK);
	expect_in("down", corm_buf_cstr(&err), "refused before any change: 1 row "
		"of \"post\" whose \"title\" is longer than 5 characters");
	expect_in("down", corm_buf_cstr(&err), "then run 'corm migrate down' "
		"again");
	assert_true(mig_same_as(db.c, "model Post {\n id i64 @id\n"
		" title string(50)\n}\n", "after the refused down"));
	mig_expect_rows(db.c, "SELECT version, status FROM corm_migrations "
		"ORDER BY version", "20260101000001|applied;20260101000002|applied;");

	mig_exec_ok(db.c, "UPDATE post SET title = 'short' WHERE id = 1");
	corm_buf_clear(&err);
	assert_int_equal(corm_mig_apply(&skipped, db.c, &e, down.ptr, down.len,
		false, &err), CORM_OK);
	mig_expect_rows(db.c, "SELECT id, title FROM post", "1|short;");
	mig_expect_rows(db.c, "SELECT version FROM corm_migrations", "20260101000001;");
	corm_buf_free(&up);
	corm_buf_free(&down);
	corm_buf_free(&err);
	corm_plan_free(pu);
	corm_plan_free(pd);
	corm_schema_free(a);
	corm_schema_free(b);
	mig_db_close(&db);
}

/* Changes every row fits get no check (and cost no scan). */
static void test_checks__none_where_every_row_fits(void **state)
{
	corm_schema *a = mig_parse("enum E { x y }\nenum F { s m }\n"
		"model T {\n id i64 @id\n s string(10)\n n i32\n"
		" d decimal(10,2)\n e E\n f F\n t text?\n code string(5)\n"
		" w i16\n}\n");
	corm_schema *b = mig_parse("enum E { x y z }\n"
		"model T {\n id i64 @id\n s string(20)\n n i64\n"
		" d decimal(12,3)\n e E\n f string(1)\n t text @default(\"\")\n"
		" code string(5)\n w string(6)\n extra i32?\n"
		" more i32 @default(1)\n @@unique([id, code])\n}\n");
	corm_buf sql = CORM_BUF_INIT;
	corm_plan *p = NULL;
	size_t i;

	(void)state;
	assert_int_equal(corm_diff(&p, a, b), CORM_OK);
	for (i = 0; i < CORM_NDIALECTS; i++) {
		corm_buf_clear(&sql);
		assert_int_equal(corm_plan_render(&sql, corm_dialects[i], p),
			CORM_OK);
		if (strstr(corm_buf_cstr(&sql), CORM_MIG_MARK_CHECK))
			print_error("%s:\n%s\n", corm_dialects[i]->name,
				corm_buf_cstr(&sql));
		assert_null(strstr(corm_buf_cstr(&sql), CORM_MIG_MARK_CHECK));
	}
	corm_buf_free(&sql);
	corm_plan_free(p);
	corm_schema_free(a);
	corm_schema_free(b);
}

/* ------------------------------------------------- hand-written checks */

static int apply_text(mig_db *db, const char *version, const char *sql,
	corm_buf *err)
{
	corm_mig_entry e = {(char *)version, (char *)"hand", (char *)"."};
	bool skipped;

	corm_buf_clear(err);
	return corm_mig_apply(&skipped, db->c, &e, sql, strlen(sql), true, err);
}

/* A check is any statement with the mark among its leading comments,
 * wherever it stands; its query must give one integer. */
static void test_checks__hand_written(void **state)
{
	corm_buf err = CORM_BUF_INIT;
	mig_db db;

	(void)state;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	mig_exec_ok(db.c, "CREATE TABLE h_one (id INTEGER PRIMARY KEY, v INTEGER)");
	mig_exec_ok(db.c, "INSERT INTO h_one (id, v) VALUES (1, 5)");

	/* Passes: the statements after it run. */
	assert_int_equal(apply_text(&db, "20260101000001",
		"-- a comment first\n" CORM_MIG_MARK_CHECK " rows of h_one over 9\n"
		"SELECT COUNT(*) FROM h_one WHERE v > 9;\n"
		"UPDATE h_one SET v = 10;\n", &err), CORM_OK);
	mig_expect_rows(db.c, "SELECT v FROM h_one", "10;");

	/* Not a count: refused with words saying what a check must be. */
	assert_int_equal(apply_text(&db, "20260101000002",
		CORM_MIG_MARK_CHECK " rows of h_one\nSELECT 'many';\n", &err),
		CORM_EINVAL);
	expect_in("not a count", corm_buf_cstr(&err), "must return one row "
		"holding one integer");
	assert_int_equal(apply_text(&db, "20260101000002",
		CORM_MIG_MARK_CHECK " rows of h_one\nSELECT v FROM h_one WHERE "
		"v < 0;\n", &err), CORM_EINVAL);

	/* After DDL: transactional engines roll back; MySQL has committed the
	 * UPDATE, so the migration fails like a failing statement. */
	assert_int_equal(apply_text(&db, "20260101000003",
		"UPDATE h_one SET v = 11;\n"
		CORM_MIG_MARK_CHECK " rows of h_one over 10\n"
		"SELECT COUNT(*) FROM h_one WHERE v > 10;\n", &err),
		on("mysql") ? CORM_ERROR : CORM_ECHECK);
	if (on("mysql")) {
		expect_in("late check", corm_buf_cstr(&err), "a data check failed "
			"after the statements before it were committed: 1 row of h_one "
			"over 10");
		mig_expect_rows(db.c, "SELECT v FROM h_one", "11;");
		mig_expect_rows(db.c, "SELECT version, status, step FROM corm_migrations "
			"ORDER BY version", "20260101000001|applied|2;"
			"20260101000003|failed|1;");
	} else {
		expect_in("late check", corm_buf_cstr(&err), "refused before any "
			"change: 1 row of h_one over 10, then run 'corm migrate up' "
			"again");
		mig_expect_rows(db.c, "SELECT v FROM h_one", "10;");
		mig_expect_rows(db.c, "SELECT version FROM corm_migrations",
			"20260101000001;");
	}
	corm_buf_free(&err);
	mig_db_close(&db);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_checks__string_narrowed),
		cmocka_unit_test(test_checks__text_to_string),
		cmocka_unit_test(test_checks__enum_to_short_string),
		cmocka_unit_test(test_checks__renamed_and_narrowed),
		cmocka_unit_test(test_checks__decimal_fewer_places),
		cmocka_unit_test(test_checks__decimal_fewer_digits),
		cmocka_unit_test(test_checks__decimal_to_fraction_only),
		cmocka_unit_test(test_checks__integer_to_small_decimal),
		cmocka_unit_test(test_checks__decimal_to_integer),
		cmocka_unit_test(test_checks__float_to_integer),
		cmocka_unit_test(test_checks__integer_to_short_string),
		cmocka_unit_test(test_checks__integer_narrowed),
		cmocka_unit_test(test_checks__i32_to_i16),
		cmocka_unit_test(test_checks__string_to_enum),
		cmocka_unit_test(test_checks__enum_loses_a_member),
		cmocka_unit_test(test_checks__not_null_without_default),
		cmocka_unit_test(test_checks__not_null_column_added),
		cmocka_unit_test(test_checks__unique_added),
		cmocka_unit_test(test_checks__composite_unique_counts_groups),
		cmocka_unit_test(test_checks__primary_key_moved),
		cmocka_unit_test(test_checks__down_is_checked),
		cmocka_unit_test(test_checks__none_where_every_row_fits),
		cmocka_unit_test(test_checks__hand_written),
	};
	corm_schema *empty;
	int rc = test_engine_init(&g_engine, "test_migrate_checks",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	srand((unsigned)getpid());
	empty = mig_parse("");
	g_empty = empty;
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	corm_schema_free(empty);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
