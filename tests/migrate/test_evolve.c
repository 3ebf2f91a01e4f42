/*
 * test_evolve.c — a schema evolved in steps on a real engine (argv[1]),
 * with rows in the tables throughout: every operation the differ knows,
 * rows counted and compared after each step that must keep them, the
 * database introspected equal to the step's schema (and a second diff
 * empty), then every step reverted down to nothing but corm_migrations.
 * Also: a failing migration leaves schema and history as they were
 * (SQLite, PostgreSQL) or is marked failed (MySQL).
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

#include "../common/engine.h"
#include "corm/driver.h"
#include "mig_helpers.h"

static test_engine g_engine;

/* The steps: each a schema, and what to do or check after it. */
static const char *const steps[] = {
	/* 1: two tables, an enum, a unique, an index, a cascade FK */
	"enum Status { draft published }\n"
	"model Author {\n"
	"    id    i64 @id @auto\n"
	"    name  string(100)\n"
	"    email string(200) @unique\n"
	"}\n"
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author @on_delete(cascade)\n"
	"    title  string(200) @index\n"
	"    body   text?\n"
	"    status Status @default(draft)\n"
	"}\n",
	/* 2: add columns (nullable; NOT NULL with a default) */
	"enum Status { draft published }\n"
	"model Author {\n"
	"    id    i64 @id @auto\n"
	"    name  string(100)\n"
	"    email string(200) @unique\n"
	"    bio   text?\n"
	"}\n"
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author @on_delete(cascade)\n"
	"    title  string(200) @index\n"
	"    body   text?\n"
	"    status Status @default(draft)\n"
	"    views  i32 @default(0)\n"
	"}\n",
	/* 3: rename a column */
	"enum Status { draft published }\n"
	"model Author {\n"
	"    id    i64 @id @auto\n"
	"    name  string(100)\n"
	"    email string(200) @unique\n"
	"    bio   text?\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Author @on_delete(cascade)\n"
	"    headline string(200) @index @renamed_from(title)\n"
	"    body     text?\n"
	"    status   Status @default(draft)\n"
	"    views    i32 @default(0)\n"
	"}\n",
	/* 4: rename a table; the FK follows */
	"enum Status { draft published }\n"
	"model Writer {\n"
	"    id    i64 @id @auto\n"
	"    name  string(100)\n"
	"    email string(200) @unique\n"
	"    bio   text?\n"
	"    @@renamed_from(Author)\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Writer @on_delete(cascade)\n"
	"    headline string(200) @index\n"
	"    body     text?\n"
	"    status   Status @default(draft)\n"
	"    views    i32 @default(0)\n"
	"}\n",
	/* 5: widen types */
	"enum Status { draft published }\n"
	"model Writer {\n"
	"    id    i64 @id @auto\n"
	"    name  string(150)\n"
	"    email string(200) @unique\n"
	"    bio   text?\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Writer @on_delete(cascade)\n"
	"    headline string(200) @index\n"
	"    body     text?\n"
	"    status   Status @default(draft)\n"
	"    views    i64 @default(0)\n"
	"}\n",
	/* 6: NOT NULL with a default: NULLs are backfilled */
	"enum Status { draft published }\n"
	"model Writer {\n"
	"    id    i64 @id @auto\n"
	"    name  string(150)\n"
	"    email string(200) @unique\n"
	"    bio   text?\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Writer @on_delete(cascade)\n"
	"    headline string(200) @index\n"
	"    body     string(500) @default(\"(none)\")\n"
	"    status   Status @default(draft)\n"
	"    views    i64 @default(0)\n"
	"}\n",
	/* 7: a new default; a unique becomes an index, an index a unique */
	"enum Status { draft published }\n"
	"model Writer {\n"
	"    id    i64 @id @auto\n"
	"    name  string(150) @unique\n"
	"    email string(200) @index\n"
	"    bio   text?\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Writer @on_delete(cascade)\n"
	"    headline string(200)\n"
	"    body     string(500) @default(\"(none)\")\n"
	"    status   Status @default(draft)\n"
	"    views    i64 @default(1)\n"
	"    @@index([status, headline])\n"
	"}\n",
	/* 8: an enum member added */
	"enum Status { draft published archived }\n"
	"model Writer {\n"
	"    id    i64 @id @auto\n"
	"    name  string(150) @unique\n"
	"    email string(200) @index\n"
	"    bio   text?\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Writer @on_delete(cascade)\n"
	"    headline string(200)\n"
	"    body     string(500) @default(\"(none)\")\n"
	"    status   Status @default(draft)\n"
	"    views    i64 @default(1)\n"
	"    @@index([status, headline])\n"
	"}\n",
	/* 9: a new table with a nullable FK; the FK's on_delete changes */
	"enum Status { draft published archived }\n"
	"model Writer {\n"
	"    id    i64 @id @auto\n"
	"    name  string(150) @unique\n"
	"    email string(200) @index\n"
	"    bio   text?\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Writer @on_delete(restrict)\n"
	"    headline string(200)\n"
	"    body     string(500) @default(\"(none)\")\n"
	"    status   Status @default(draft)\n"
	"    views    i64 @default(1)\n"
	"    @@index([status, headline])\n"
	"}\n"
	"model Tag {\n"
	"    id    i32 @id @auto\n"
	"    post  Post? @on_delete(set_null)\n"
	"    label string(40)\n"
	"    @@unique([post, label])\n"
	"}\n",
	/* 10: a column made nullable, a FK added to an existing table */
	"enum Status { draft published archived }\n"
	"model Writer {\n"
	"    id    i64 @id @auto\n"
	"    name  string(150) @unique\n"
	"    email string(200)? @index\n"
	"    bio   text?\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Writer @on_delete(restrict)\n"
	"    editor   Writer? @on_delete(set_null)\n"
	"    headline string(200)\n"
	"    body     string(500) @default(\"(none)\")\n"
	"    status   Status @default(draft)\n"
	"    views    i64 @default(1)\n"
	"    @@index([status, headline])\n"
	"}\n"
	"model Tag {\n"
	"    id    i32 @id @auto\n"
	"    post  Post? @on_delete(set_null)\n"
	"    label string(40)\n"
	"    @@unique([post, label])\n"
	"}\n",
	/* 11: destructive: drop a column, narrow a type, drop an enum member
	 * no row uses, drop a table */
	"enum Status { draft published }\n"
	"model Writer {\n"
	"    id    i64 @id @auto\n"
	"    name  string(120) @unique\n"
	"    email string(200)? @index\n"
	"}\n"
	"model Post {\n"
	"    id       i64 @id @auto\n"
	"    author   Writer @on_delete(restrict)\n"
	"    editor   Writer? @on_delete(set_null)\n"
	"    headline string(200)\n"
	"    body     string(500) @default(\"(none)\")\n"
	"    status   Status @default(draft)\n"
	"    views    i32 @default(1)\n"
	"    @@index([status, headline])\n"
	"}\n",
};
#define NSTEPS (sizeof(steps) / sizeof(steps[0]))

static void check_after(corm_conn *c, size_t step)
{
	const char *posts = "SELECT id, author_id, title, body FROM post ORDER "
		"BY id";

	switch (step) {
	case 1:
		mig_exec_ok(c, "INSERT INTO author (name, email) VALUES ('Ann', "
			"'ann@x'), ('Bob', 'bob@x'), ('Cy', 'cy@x')");
		mig_exec_ok(c, "INSERT INTO post (author_id, title, body, status) "
			"VALUES (1, 'Hello', 'first', 'published'), (1, 'Again', NULL, "
			"'draft'), (2, 'Bob''s', 'it''s', 'draft'), (3, 'Cy', NULL, "
			"'published'), (3, 'Cy 2', 'x', 'draft')");
		mig_expect_rows(c, posts, "1|1|Hello|first;2|1|Again|~;3|2|Bob's|it's;"
			"4|3|Cy|~;5|3|Cy 2|x;");
		break;
	case 2:
		mig_expect_rows(c, "SELECT id, author_id, title, body, views FROM post "
			"ORDER BY id", "1|1|Hello|first|0;2|1|Again|~|0;3|2|Bob's|it's|0;"
			"4|3|Cy|~|0;5|3|Cy 2|x|0;");
		mig_expect_rows(c, "SELECT id, name, email, bio FROM author ORDER BY id",
			"1|Ann|ann@x|~;2|Bob|bob@x|~;3|Cy|cy@x|~;");
		mig_exec_ok(c, "UPDATE author SET bio = 'writes' WHERE id = 1");
		break;
	case 3:
		mig_expect_rows(c, "SELECT id, headline FROM post ORDER BY id",
			"1|Hello;2|Again;3|Bob's;4|Cy;5|Cy 2;");
		break;
	case 4:
		mig_expect_rows(c, "SELECT id, name, bio FROM writer ORDER BY id",
			"1|Ann|writes;2|Bob|~;3|Cy|~;");
		mig_expect_rows(c, "SELECT p.id, w.name FROM post p JOIN writer w ON "
			"w.id = p.author_id ORDER BY p.id",
			"1|Ann;2|Ann;3|Bob;4|Cy;5|Cy;");
		/* id 6 is used and gone: the table rebuilds that follow on
		 * SQLite must not hand it out again (sqlite_sequence) */
		mig_exec_ok(c, "INSERT INTO post (author_id, headline) VALUES (1, 'tmp')");
		mig_exec_ok(c, "DELETE FROM post WHERE headline = 'tmp'");
		break;
	case 5:
		mig_exec_ok(c, "UPDATE post SET views = 5000000000 WHERE id = 1");
		mig_expect_rows(c, "SELECT id, views FROM post ORDER BY id",
			"1|5000000000;2|0;3|0;4|0;5|0;");
		break;
	case 6:
		mig_expect_rows(c, "SELECT id, body FROM post ORDER BY id",
			"1|first;2|(none);3|it's;4|(none);5|x;");
		break;
	case 7:
		mig_exec_ok(c, "INSERT INTO post (author_id, headline) VALUES (2, 'New')");
		mig_expect_rows(c, "SELECT id, views, body, status FROM post WHERE "
			"headline = 'New'", "7|1|(none)|draft;");
		mig_expect_rows(c, "SELECT COUNT(*) FROM post", "6;");
		break;
	case 8:
		mig_exec_ok(c, "UPDATE post SET status = 'archived' WHERE id = 7");
		mig_expect_rows(c, "SELECT id, status FROM post ORDER BY id",
			"1|published;2|draft;3|draft;4|published;5|draft;7|archived;");
		break;
	case 9:
		mig_exec_ok(c, "INSERT INTO tag (post_id, label) VALUES (1, 'a'), "
			"(1, 'b'), (2, 'a')");
		/* restrict now: deleting a writer with posts fails */
		assert_int_not_equal(corm_exec(c, "DELETE FROM writer WHERE id = 1"),
			CORM_OK);
		mig_expect_rows(c, "SELECT COUNT(*) FROM writer", "3;");
		break;
	case 10:
		mig_exec_ok(c, "UPDATE post SET editor_id = 2 WHERE id = 3");
		mig_exec_ok(c, "UPDATE writer SET email = NULL WHERE id = 3");
		mig_expect_rows(c, "SELECT id, editor_id FROM post ORDER BY id",
			"1|~;2|~;3|2;4|~;5|~;7|~;");
		/* the archived post goes back to draft before the member goes */
		mig_exec_ok(c, "UPDATE post SET status = 'draft' WHERE id = 7");
		break;
	case 11:
		mig_expect_rows(c, "SELECT id, name, email FROM writer ORDER BY id",
			"1|Ann|ann@x;2|Bob|bob@x;3|Cy|~;");
		mig_expect_rows(c, "SELECT id, author_id, headline, views, editor_id FROM "
			"post ORDER BY id", "1|1|Hello|5000000000|~;2|1|Again|0|~;"
			"3|2|Bob's|0|2;4|3|Cy|0|~;5|3|Cy 2|0|~;7|2|New|1|~;");
		break;
	default:
		break;
	}
}

static void test_evolve__every_step_keeps_the_rows(void **state)
{
	corm_schema *schemas[NSTEPS + 1];
	char *down[NSTEPS + 1];
	mig_db db;
	size_t i;
	char version[32], what[64], *tables;

	(void)state;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	schemas[0] = mig_parse("");
	for (i = 1; i <= NSTEPS; i++) {
		corm_buf err = CORM_BUF_INIT;
		int rc;

		schemas[i] = mig_parse(steps[i - 1]);
		if (i == 11) {
			/* views is back to i32: 5000000000 no longer fits */
			mig_exec_ok(db.c, "UPDATE post SET views = 0 WHERE id = 1");
		}
		snprintf(version, sizeof(version), "2026010100%04zu", i);
		rc = mig_step(db.c, schemas[i - 1], schemas[i], version, NULL,
			&down[i], &err);
		corm_buf_free(&err);
		assert_int_equal(rc, CORM_OK);
		snprintf(what, sizeof(what), "step %zu", i);
		assert_true(mig_same_as(db.c, steps[i - 1], what));
		if (i == 11) {
			mig_expect_rows(db.c, "SELECT id, name, email FROM writer ORDER BY id",
				"1|Ann|ann@x;2|Bob|bob@x;3|Cy|~;");
			mig_expect_rows(db.c, "SELECT id, author_id, headline, views, "
				"editor_id FROM post ORDER BY id", "1|1|Hello|0|~;"
				"2|1|Again|0|~;3|2|Bob's|0|2;4|3|Cy|0|~;5|3|Cy 2|0|~;"
				"7|2|New|1|~;");
			/* and still no id comes back after every rebuild */
			mig_exec_ok(db.c, "INSERT INTO post (author_id, headline) VALUES "
				"(1, 'Last')");
			mig_expect_rows(db.c, "SELECT id FROM post WHERE headline = 'Last'",
				"8;");
		} else {
			check_after(db.c, i);
		}
	}
	/* All the way down. */
	for (i = NSTEPS; i >= 1; i--) {
		corm_mig_entry e;
		corm_buf err = CORM_BUF_INIT;
		bool skipped;
		int rc;

		if (i == 10) /* step 10 made email nullable; going back needs values */
			mig_exec_ok(db.c, "UPDATE writer SET email = 'cy@x' WHERE id = 3");
		snprintf(version, sizeof(version), "2026010100%04zu", i);
		e.version = version;
		e.name = (char *)"step";
		e.dir = (char *)".";
		rc = corm_mig_apply(&skipped, db.c, &e, down[i], strlen(down[i]),
			false, &err);
		if (rc)
			print_error("down %zu: %s\n%s\n", i, corm_buf_cstr(&err), down[i]);
		corm_buf_free(&err);
		assert_int_equal(rc, CORM_OK);
		snprintf(what, sizeof(what), "down to step %zu", i - 1);
		assert_true(mig_same_as(db.c, i > 1 ? steps[i - 2] : "", what));
		corm_free(down[i]);
	}
	tables = mig_tables(db.c);
	assert_string_equal(tables, "corm_migrations;");
	corm_free(tables);
	mig_expect_rows(db.c, "SELECT COUNT(*) FROM corm_migrations", "0;");
	for (i = 0; i <= NSTEPS; i++)
		corm_schema_free(schemas[i]);
	mig_db_close(&db);
}

/* A statement fails half-way through a migration. */
static void test_evolve__failing_migration(void **state)
{
	corm_mig_entry e = {(char *)"20260202000001", (char *)"bad", (char *)"."};
	const char *sql = "CREATE TABLE mig_ok (id INTEGER PRIMARY KEY);\n"
		"INSERT INTO mig_ok (id) VALUES (1);\n"
		"INSERT INTO no_such_table (id) VALUES (1);\n";
	corm_buf err = CORM_BUF_INIT;
	mig_db db;
	bool skipped;
	char *rows;
	int rc;

	(void)state;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	rc = corm_mig_apply(&skipped, db.c, &e, sql, strlen(sql), true, &err);
	assert_int_not_equal(rc, CORM_OK);
	assert_non_null(strstr(corm_buf_cstr(&err), "statement 3 of 3"));
	rows = mig_rows(db.c, "SELECT version, status, step FROM corm_migrations");
	if (strcmp(g_engine.name, "mysql") == 0) {
		/* DDL committed: the row says where it stopped */
		assert_string_equal(rows, "20260202000001|failed|2;");
		corm_free(rows);
		rows = mig_tables(db.c);
		assert_string_equal(rows, "corm_migrations;mig_ok;");
		/* resolve: the user dropped the table by hand */
		mig_exec_ok(db.c, "DROP TABLE mig_ok");
		assert_int_equal(corm_mig_resolve(db.c, &e, "x", false), CORM_OK);
		corm_free(rows);
		rows = mig_rows(db.c, "SELECT COUNT(*) FROM corm_migrations");
		assert_string_equal(rows, "0;");
	} else {
		assert_string_equal(rows, "");
		corm_free(rows);
		rows = mig_tables(db.c);
		assert_string_equal(rows, "corm_migrations;");
	}
	corm_free(rows);
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* New tables whose foreign keys form a cycle, and back to nothing. */
static void test_evolve__a_cycle_of_new_tables(void **state)
{
	static const char *const cyc =
		"model Author {\n"
		"    id       i64 @id @auto\n"
		"    name     string(100)\n"
		"    favorite Post? @on_delete(set_null)\n"
		"}\n"
		"model Post {\n"
		"    id     i64 @id @auto\n"
		"    author Author @on_delete(cascade)\n"
		"    title  string(200)\n"
		"}\n";
	corm_schema *empty = mig_parse(""), *s = mig_parse(cyc);
	corm_buf err = CORM_BUF_INIT;
	char *tables;
	mig_db db;

	(void)state;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	assert_int_equal(mig_step(db.c, empty, s, "20260303000001", NULL, NULL,
		&err), CORM_OK);
	assert_true(mig_same_as(db.c, cyc, "cycle"));
	mig_exec_ok(db.c, "INSERT INTO author (name) VALUES ('Ann')");
	mig_exec_ok(db.c, "INSERT INTO post (author_id, title) VALUES (1, 'P')");
	mig_exec_ok(db.c, "UPDATE author SET favorite_id = 1");
	/* the key added after the tables is enforced */
	assert_int_not_equal(corm_exec(db.c, "UPDATE author SET favorite_id = "
		"99"), CORM_OK);
	assert_int_equal(mig_step(db.c, s, empty, "20260303000002", NULL, NULL,
		&err), CORM_OK);
	tables = mig_tables(db.c);
	assert_string_equal(tables, "corm_migrations;");
	corm_free(tables);
	corm_buf_free(&err);
	corm_schema_free(empty);
	corm_schema_free(s);
	mig_db_close(&db);
}

/* A composite key that gains a column; a plain key that becomes @auto
 * and starts after the ids already there; and back. */
static void test_evolve__primary_key_changes(void **state)
{
	static const char *const a_src =
		"model Item {\n"
		"    shop i32\n"
		"    code string(20)\n"
		"    name string(50)\n"
		"    @@id([shop, code])\n"
		"}\n"
		"model Plain {\n"
		"    id i64 @id\n"
		"    n  i32\n"
		"}\n";
	static const char *const b_src =
		"model Item {\n"
		"    shop i32\n"
		"    code string(20)\n"
		"    name string(50)\n"
		"    @@id([shop, code, name])\n"
		"}\n"
		"model Plain {\n"
		"    id i64 @id @auto\n"
		"    n  i32\n"
		"}\n";
	corm_schema *empty = mig_parse(""), *a = mig_parse(a_src),
		*b = mig_parse(b_src);
	corm_buf err = CORM_BUF_INIT;
	mig_db db;

	(void)state;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	assert_int_equal(mig_step(db.c, empty, a, "20260404000001", NULL, NULL,
		&err), CORM_OK);
	mig_exec_ok(db.c, "INSERT INTO item (shop, code, name) VALUES (1, 'a', 'x')");
	mig_exec_ok(db.c, "INSERT INTO plain (id, n) VALUES (5, 50)");
	assert_int_equal(mig_step(db.c, a, b, "20260404000002", NULL, NULL,
		&err), CORM_OK);
	assert_true(mig_same_as(db.c, b_src, "key changed"));
	mig_exec_ok(db.c, "INSERT INTO item (shop, code, name) VALUES (1, 'a', 'y')");
	mig_exec_ok(db.c, "INSERT INTO plain (n) VALUES (60)");
	mig_expect_rows(db.c, "SELECT id, n FROM plain ORDER BY id", "5|50;6|60;");
	mig_exec_ok(db.c, "DELETE FROM item WHERE name = 'y'");
	assert_int_equal(mig_step(db.c, b, a, "20260404000003", NULL, NULL,
		&err), CORM_OK);
	assert_true(mig_same_as(db.c, a_src, "key changed back"));
	mig_expect_rows(db.c, "SELECT shop, code, name FROM item", "1|a|x;");
	assert_int_equal(mig_step(db.c, a, empty, "20260404000004", NULL, NULL,
		&err), CORM_OK);
	corm_buf_free(&err);
	corm_schema_free(empty);
	corm_schema_free(a);
	corm_schema_free(b);
	mig_db_close(&db);
}

/* Run `sql`; expect `want`, and when it is CORM_ERANGE a message naming
 * `column` (PostgreSQL's names only the type). */
static void expect_code(corm_conn *c, const char *sql, int want,
	const char *column)
{
	int rc = corm_exec(c, sql);

	if (rc != want)
		print_error("%s: %s: %s\n", sql, corm_strerror(rc), corm_errmsg(c));
	assert_int_equal(rc, want);
	if (rc == CORM_ERANGE && strcmp(g_engine.name, "postgres") != 0) {
		char sq[80], my[80]; /* corm's SQLite message; MySQL's */

		snprintf(sq, sizeof(sq), "column \"%s\"", column);
		snprintf(my, sizeof(my), "column '%s'", column);
		if (!strstr(corm_errmsg(c), sq) && !strstr(corm_errmsg(c), my))
			fail_msg("%s: the message does not name %s: %s", sql, column,
				corm_errmsg(c));
	}
}

/*
 * An integer column refuses what its type cannot hold, on every engine,
 * through type changes i16 -> i32 -> i64 -> i16, a rename and an added
 * column (on SQLite each writes the range CHECK anew, ddl.c). The CHECK
 * is not part of the introspected schema: an enum CHECK after it reads
 * as before, and so does a table an older corm made without one.
 */
static void test_evolve__an_integer_column_range_follows_its_type(void **s)
{
#define KIND "enum Kind { a b }\n"
	static const char *const src[] = {
		KIND "model Counter {\n    id   i64 @id @auto\n    n    i16\n"
		"    kind Kind @default(a)\n}\n",
		KIND "model Counter {\n    id   i64 @id @auto\n    n    i32\n"
		"    kind Kind @default(a)\n}\n",
		KIND "model Counter {\n    id   i64 @id @auto\n    n    i64\n"
		"    kind Kind @default(a)\n}\n",
		KIND "model Counter {\n    id   i64 @id @auto\n    n    i16\n"
		"    kind Kind @default(a)\n}\n",
		KIND "model Counter {\n    id    i64 @id @auto\n"
		"    count i16 @renamed_from(n)\n    kind  Kind @default(a)\n"
		"    extra i32?\n}\n",
	};
	static const char *const legacy_src =
		KIND "model Old {\n    id   i64 @id @auto\n    n    i16\n"
		"    kind Kind\n}\n";
	static const char *const legacy_next =
		KIND "model Old {\n    id   i64 @id @auto\n    n    i16?\n"
		"    kind Kind\n}\n";
	corm_schema *schemas[6];
	corm_buf err = CORM_BUF_INIT;
	char version[32];
	mig_db db;
	size_t i;

	(void)s;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	schemas[0] = mig_parse("");
	for (i = 1; i <= 5; i++) {
		schemas[i] = mig_parse(src[i - 1]);
		if (i == 4) {
			/* Narrowing with rows that do not fit is refused by its
			 * data check and changes nothing, MySQL too (test_checks.c
			 * has every kind of check). */
			assert_int_equal(mig_step(db.c, schemas[3], schemas[4],
				"20260505009999", NULL, NULL, &err), CORM_ECHECK);
			assert_true(mig_same_as(db.c, src[2], "narrowing refused"));
			corm_buf_free(&err);
		}
		if (i == 4) /* back to i16: only what fits stays */
			mig_exec_ok(db.c, "DELETE FROM counter WHERE n > 32767");
		snprintf(version, sizeof(version), "2026050500%04zu", i);
		assert_int_equal(mig_step(db.c, schemas[i - 1], schemas[i], version,
			NULL, NULL, &err), CORM_OK);
		assert_true(mig_same_as(db.c, src[i - 1], version));
		switch (i) {
		case 1: /* i16 */
		case 4: /* i16 again, from i64 */
			expect_code(db.c, "INSERT INTO counter (n) VALUES (32767)",
				CORM_OK, NULL);
			expect_code(db.c, "INSERT INTO counter (n) VALUES (32768)",
				CORM_ERANGE, "n");
			expect_code(db.c, "UPDATE counter SET n = -32769", CORM_ERANGE,
				"n");
			break;
		case 2: /* i32 */
			expect_code(db.c, "INSERT INTO counter (n) VALUES (32768)",
				CORM_OK, NULL);
			expect_code(db.c, "INSERT INTO counter (n) VALUES "
				"(2147483648)", CORM_ERANGE, "n");
			break;
		case 3: /* i64: no range but its own */
			expect_code(db.c, "INSERT INTO counter (n) VALUES "
				"(2147483648)", CORM_OK, NULL);
			break;
		}
	}
	corm_buf_free(&err);
	mig_expect_rows(db.c, "SELECT count FROM counter ORDER BY id",
		"32767;32767;");
	mig_exec_ok(db.c, "DELETE FROM counter");
	expect_code(db.c, "INSERT INTO counter (count) VALUES (32767)", CORM_OK,
		NULL);
	expect_code(db.c, "INSERT INTO counter (count) VALUES (-32768)", CORM_OK,
		NULL);
	expect_code(db.c, "INSERT INTO counter (count) VALUES (32768)",
		CORM_ERANGE, "count");
	expect_code(db.c, "UPDATE counter SET count = -32769", CORM_ERANGE,
		"count");
	expect_code(db.c, "INSERT INTO counter (count, extra) VALUES "
		"(0, 2147483647)", CORM_OK, NULL);
	expect_code(db.c, "UPDATE counter SET extra = 2147483648", CORM_ERANGE,
		"extra");
	expect_code(db.c, "UPDATE counter SET extra = -2147483649",
		CORM_ERANGE, "extra");
	mig_expect_rows(db.c, "SELECT count, extra FROM counter ORDER BY id",
		"32767|~;-32768|~;0|2147483647;");
	for (i = 0; i <= 5; i++)
		corm_schema_free(schemas[i]);
	mig_db_close(&db);

	if (strcmp(g_engine.name, "sqlite") != 0)
		return;
	/* A table as an older corm wrote it on SQLite: no range CHECK. It
	 * reads as its schema, stores 40000 (as it always did), and gains
	 * the CHECK at its next rebuild. */
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	mig_exec_ok(db.c, "CREATE TABLE \"old\" (\n"
		"    \"id\" INTEGER PRIMARY KEY AUTOINCREMENT,\n"
		"    \"n\" SMALLINT NOT NULL,\n"
		"    \"kind\" VARCHAR(64) NOT NULL,\n"
		"    CONSTRAINT \"old_kind_check\" CHECK (\"kind\" IN ('a', 'b'))\n"
		")");
	assert_true(mig_same_as(db.c, legacy_src, "older corm's table"));
	mig_exec_ok(db.c, "INSERT INTO old (n, kind) VALUES (40000, 'a')");
	mig_exec_ok(db.c, "DELETE FROM old");
	mig_exec_ok(db.c, "INSERT INTO old (n, kind) VALUES (7, 'b')");
	schemas[0] = mig_parse(legacy_src);
	schemas[1] = mig_parse(legacy_next);
	assert_int_equal(mig_step(db.c, schemas[0], schemas[1],
		"20260505000010", NULL, NULL, &err), CORM_OK);
	corm_buf_free(&err);
	assert_true(mig_same_as(db.c, legacy_next, "rebuilt"));
	expect_code(db.c, "INSERT INTO old (n, kind) VALUES (40000, 'a')",
		CORM_ERANGE, "n");
	mig_expect_rows(db.c, "SELECT n, kind FROM old", "7|b;");
	corm_schema_free(schemas[0]);
	corm_schema_free(schemas[1]);
	mig_db_close(&db);
#undef KIND
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_evolve__every_step_keeps_the_rows),
		cmocka_unit_test(test_evolve__failing_migration),
		cmocka_unit_test(test_evolve__a_cycle_of_new_tables),
		cmocka_unit_test(test_evolve__primary_key_changes),
		cmocka_unit_test(test_evolve__an_integer_column_range_follows_its_type),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_evolve",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	srand((unsigned)getpid());
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
