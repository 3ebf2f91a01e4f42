/*
 * test_keys.c — primary keys, @auto keys and the indexes foreign keys
 * need, changed on a real engine (argv[1]) with rows in the tables
 * (issue 13, "half-applied migrations on MySQL").
 *
 * Each test moves a database up and down through diff + render + the
 * runner, checks it introspects to the schema and keeps its rows, and,
 * where a statement fails, that nothing changed: PostgreSQL and SQLite
 * roll the migration back, MySQL's one ALTER TABLE per table fails
 * whole. On MySQL it also counts the statements, so a change that
 * could half-apply shows as more than one.
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
#include "migrate_engine.h"

static test_engine g_engine;

/* Does the engine commit each DDL statement (MySQL)? */
static bool ddl_commits(corm_conn *c)
{
	const corm_migrate_engine *eng = NULL;

	assert_int_equal(corm_mig_engine_of(&eng, c), CORM_OK);
	return !eng->transactional_ddl;
}

static size_t count_statements(const char *sql, bool backslash_escapes)
{
	char **stmts = NULL;
	size_t n = 0;

	assert_int_equal(corm_mig_split(&stmts, &n, sql, strlen(sql),
		backslash_escapes), CORM_OK);
	corm_mig_statements_free(stmts, n);
	return n;
}

/* Move `c` from `from` to `to` (sources), expect success and the
 * database to read as `to`; on an engine whose DDL commits, expect
 * `statements` statements (0: any number). */
static void step_ok(corm_conn *c, const char *from, const char *to,
	const char *version, size_t statements)
{
	corm_schema *a = mig_parse(from), *b = mig_parse(to);
	corm_buf err = CORM_BUF_INIT;
	char *up = NULL;

	assert_int_equal(mig_step(c, a, b, version, &up, NULL, &err), CORM_OK);
	assert_true(mig_same_as(c, to, version));
	if (statements && ddl_commits(c) &&
		count_statements(up, true) != statements) {
		print_error("%s: want %zu statements:\n%s\n", version, statements,
			up);
		fail();
	}
	corm_free(up);
	corm_buf_free(&err);
	corm_schema_free(a);
	corm_schema_free(b);
}

/* The op of `kind` in diff(from, to), which must have one. */
static bool op_destructive(const char *from, const char *to,
	corm_op_kind kind)
{
	corm_schema *a = mig_parse(from), *b = mig_parse(to);
	corm_plan *p = NULL;
	bool found = false, destructive = false;
	size_t i;

	assert_int_equal(corm_diff(&p, a, b), CORM_OK);
	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == kind) {
			found = true;
			destructive = p->ops[i].destructive;
		}
	assert_true(found);
	corm_plan_free(p);
	corm_schema_free(a);
	corm_schema_free(b);
	return destructive;
}

/* ------------------------------------------------- a key that changes */

static const char *const key_id =
	"model Tag {\n"
	"    id   i64 @id @auto\n"
	"    code string(20)\n"
	"    n    i32\n"
	"}\n";
static const char *const key_code =
	"model Tag {\n"
	"    id   i64\n"
	"    code string(20) @id\n"
	"    n    i32\n"
	"}\n";

/*
 * id -> code: destructive (make asks), one statement on MySQL, rows
 * kept; with two rows sharing a code it fails and changes nothing (on
 * MySQL too: the one ALTER fails whole, and the migration is marked
 * failed at its first statement); then back to id.
 */
static void test_keys__changing_the_key_is_destructive_and_whole(void **s)
{
	corm_schema *a = mig_parse(key_id), *b = mig_parse(key_code);
	corm_mig_entry e = {(char *)"20261301000001", (char *)"step",
		(char *)"."};
	corm_buf err = CORM_BUF_INIT;
	mig_db db;

	(void)s;
	assert_true(op_destructive(key_id, key_code, CORM_OP_ADD_PK));
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	step_ok(db.c, "", key_id, "20261301000000", 0);
	mig_exec_ok(db.c, "INSERT INTO tag (code, n) VALUES ('a', 1), ('b', 2), "
		"('b', 3)");

	/* Two rows with code 'b': the new key cannot be made. */
	assert_int_not_equal(mig_step(db.c, a, b, e.version, NULL, NULL, &err),
		CORM_OK);
	corm_buf_free(&err);
	assert_true(mig_same_as(db.c, key_id, "key change refused"));
	mig_expect_rows(db.c, "SELECT id, code, n FROM tag ORDER BY id",
		"1|a|1;2|b|2;3|b|3;");
	if (ddl_commits(db.c)) {
		mig_expect_rows(db.c, "SELECT status, step FROM corm_migrations "
			"WHERE version = '20261301000001'", "failed|0;");
		assert_int_equal(corm_mig_resolve(db.c, &e, "x", false), CORM_OK);
	}
	mig_expect_rows(db.c, "SELECT COUNT(*) FROM corm_migrations WHERE version "
		"= '20261301000001'", "0;");

	mig_exec_ok(db.c, "UPDATE tag SET code = 'c' WHERE n = 3");
	step_ok(db.c, key_id, key_code, e.version, 1);
	mig_expect_rows(db.c, "SELECT code, id, n FROM tag ORDER BY code",
		"a|1|1;b|2|2;c|3|3;");
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO tag (id, code, n) "
		"VALUES (9, 'a', 9)"), CORM_OK);
	mig_exec_ok(db.c, "INSERT INTO tag (id, code, n) VALUES (4, 'd', 4)");

	/* And back: id is the @auto key again, past the ids there. */
	step_ok(db.c, key_code, key_id, "20261301000002", 1);
	mig_exec_ok(db.c, "INSERT INTO tag (code, n) VALUES ('e', 5)");
	mig_expect_rows(db.c, "SELECT id, code FROM tag ORDER BY id",
		"1|a;2|b;3|c;4|d;5|e;");
	corm_schema_free(a);
	corm_schema_free(b);
	mig_db_close(&db);
}

static const char *const label_code =
	"model Label {\n"
	"    id   i64\n"
	"    code string(20) @id\n"
	"    n    i32\n"
	"    @@renamed_from(Tag)\n"
	"}\n";

/* The table renamed while its key changes: PostgreSQL renamed a key
 * that was already dropped (the key follows the table's name). */
static void test_keys__a_renamed_table_changes_its_key(void **s)
{
	mig_db db;

	(void)s;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	step_ok(db.c, "", key_id, "20261305000000", 0);
	mig_exec_ok(db.c, "INSERT INTO tag (code, n) VALUES ('a', 1), ('b', 2)");
	step_ok(db.c, key_id, label_code, "20261305000001", 0);
	mig_expect_rows(db.c, "SELECT code, id, n FROM label ORDER BY code",
		"a|1|1;b|2|2;");
	step_ok(db.c, label_code, key_id, "20261305000002", 0);
	mig_exec_ok(db.c, "INSERT INTO tag (code, n) VALUES ('c', 3)");
	mig_expect_rows(db.c, "SELECT id, code FROM tag ORDER BY id",
		"1|a;2|b;3|c;");
	mig_db_close(&db);
}

/* ------------------------------------------- an @auto key added, removed */

static const char *const by_code =
	"model Tag {\n"
	"    code string(20) @id\n"
	"    n    i32\n"
	"}\n";
static const char *const by_auto =
	"model Tag {\n"
	"    id   i64 @id @auto\n"
	"    code string(20) @unique\n"
	"    n    i32\n"
	"}\n";

/* An @auto key added to a table with rows numbers them (1..n, the next
 * insert n + 1), in one statement on MySQL; removed, the old key is
 * back; and added again. */
static void test_keys__an_auto_key_added_numbers_the_rows(void **s)
{
	mig_db db;

	(void)s;
	assert_true(op_destructive(by_code, by_auto, CORM_OP_ADD_PK));
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	step_ok(db.c, "", by_code, "20261302000000", 0);
	mig_exec_ok(db.c, "INSERT INTO tag (code, n) VALUES ('b', 1), ('a', 2), "
		"('c', 3)");
	step_ok(db.c, by_code, by_auto, "20261302000001", 1);
	/* Which row gets which number is the engine's; each gets one. */
	mig_expect_rows(db.c, "SELECT COUNT(DISTINCT id), MIN(id), MAX(id) FROM tag",
		"3|1|3;");
	mig_exec_ok(db.c, "INSERT INTO tag (code, n) VALUES ('d', 4)");
	mig_expect_rows(db.c, "SELECT id, n FROM tag WHERE code = 'd'", "4|4;");
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO tag (code, n) VALUES "
		"('d', 5)"), CORM_OK);

	step_ok(db.c, by_auto, by_code, "20261302000002", 1);
	mig_expect_rows(db.c, "SELECT code, n FROM tag ORDER BY code",
		"a|2;b|1;c|3;d|4;");
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO tag (code, n) VALUES "
		"('d', 5)"), CORM_OK);

	step_ok(db.c, by_code, by_auto, "20261302000003", 1);
	mig_expect_rows(db.c, "SELECT COUNT(DISTINCT id), MIN(id), MAX(id) FROM tag",
		"4|1|4;");
	mig_db_close(&db);
}

/* ------------------------------------ indexes that foreign keys need */

#define AUTHOR "model Author {\n    id   i64 @id @auto\n" \
	"    name string(50)\n}\n"
static const char *const post_index =
	AUTHOR
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author @index\n"
	"    title  string(50)\n"
	"}\n";
static const char *const post_unique =
	AUTHOR
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author\n"
	"    title  string(50)\n"
	"    @@unique([author, title])\n"
	"}\n";
static const char *const post_bare =
	AUTHOR
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author\n"
	"    title  string(50)\n"
	"}\n";
static const char *const post_title_first =
	AUTHOR
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author\n"
	"    title  string(50)\n"
	"    @@unique([title, author])\n"
	"}\n";

static void expect_fk_holds(corm_conn *c)
{
	assert_int_not_equal(corm_exec(c, "INSERT INTO post (author_id, title) "
		"VALUES (99, 'dangling')"), CORM_OK);
	mig_expect_rows(c, "SELECT p.title, a.name FROM post p JOIN author a ON "
		"a.id = p.author_id ORDER BY p.title", "t1|Ann;t2|Ann;t3|Bob;");
}

/*
 * An @index on a foreign key's column replaced by a @@unique that starts
 * with it, and back (MySQL refused the way down with 1553 after earlier
 * statements committed); the index dropped with nothing in its place,
 * and one whose first column is another; each up and down, the key
 * enforced after every step.
 */
static void test_keys__an_index_a_foreign_key_needs_is_replaced(void **s)
{
	static const char *const chain[] = {
		post_index, post_unique, post_index, post_bare, post_index,
		post_title_first, post_unique, post_bare, post_unique,
	};
	char version[32];
	mig_db db;
	size_t i;

	(void)s;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	step_ok(db.c, "", chain[0], "20261303000000", 0);
	mig_exec_ok(db.c, "INSERT INTO author (name) VALUES ('Ann'), ('Bob')");
	mig_exec_ok(db.c, "INSERT INTO post (author_id, title) VALUES (1, 't1'), "
		"(1, 't2'), (2, 't3')");
	for (i = 1; i < sizeof(chain) / sizeof(chain[0]); i++) {
		snprintf(version, sizeof(version), "202613030000%02zu", i);
		step_ok(db.c, chain[i - 1], chain[i], version, 0);
		expect_fk_holds(db.c);
	}
	mig_db_close(&db);
}

#define POST_TAG "model Post {\n    id i64 @id @auto\n}\n" \
	"model Tag {\n    id i64 @id @auto\n}\n"
static const char *const join_post_first =
	POST_TAG
	"model PostTag {\n"
	"    post Post @on_delete(cascade)\n"
	"    tag  Tag @on_delete(cascade)\n"
	"    @@id([post, tag])\n"
	"}\n";
static const char *const join_tag_first =
	POST_TAG
	"model PostTag {\n"
	"    post Post @on_delete(cascade)\n"
	"    tag  Tag @on_delete(cascade)\n"
	"    @@id([tag, post])\n"
	"}\n";

/* A join table's key is the index its first column's foreign key uses
 * (MySQL): the key's columns swap, and back. */
static void test_keys__a_key_a_foreign_key_uses_changes(void **s)
{
	mig_db db;

	(void)s;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	step_ok(db.c, "", join_post_first, "20261306000000", 0);
	mig_exec_ok(db.c, "INSERT INTO post (id) VALUES (1), (2)");
	mig_exec_ok(db.c, "INSERT INTO tag (id) VALUES (1), (2)");
	mig_exec_ok(db.c, "INSERT INTO post_tag (post_id, tag_id) VALUES (1, 2), "
		"(2, 1), (2, 2)");
	step_ok(db.c, join_post_first, join_tag_first, "20261306000001", 0);
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO post_tag (post_id, "
		"tag_id) VALUES (9, 1)"), CORM_OK);
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO post_tag (post_id, "
		"tag_id) VALUES (1, 2)"), CORM_OK);
	step_ok(db.c, join_tag_first, join_post_first, "20261306000002", 0);
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO post_tag (post_id, "
		"tag_id) VALUES (1, 9)"), CORM_OK);
	mig_exec_ok(db.c, "DELETE FROM post WHERE id = 2");
	mig_expect_rows(db.c, "SELECT post_id, tag_id FROM post_tag", "1|2;");
	mig_db_close(&db);
}

/* ------------------------------------- a key with dependents changes */

static const char *const deps_id =
	"model Author {\n"
	"    id   i64 @id @auto\n"
	"    code string(20)\n"
	"    name string(50)\n"
	"}\n"
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author\n"
	"    title  string(50)\n"
	"}\n"
	"model Note {\n"
	"    id     i64 @id @auto\n"
	"    author Author @on_delete(cascade)\n"
	"}\n";
static const char *const deps_code =
	"model Author {\n"
	"    id   i64\n"
	"    code string(20) @id\n"
	"    name string(50)\n"
	"}\n"
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author\n"
	"    title  string(50)\n"
	"}\n"
	"model Comment {\n"
	"    id     i64 @id @auto\n"
	"    author Author\n"
	"    body   string(50)\n"
	"}\n";

/*
 * The key that other tables reference changes (author.id -> code) while
 * a table that references it goes (note) and a new one comes (comment):
 * the references are dropped before the key and added after it
 * (PostgreSQL refused to drop a key still referenced; MySQL errno 150),
 * and the new table's reference waits for the new key. The referencing
 * column follows the key's type; the codes are the ids as text, so
 * every reference still holds. Then back.
 */
static void test_keys__a_key_with_dependents_changes(void **s)
{
	mig_db db;

	(void)s;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	step_ok(db.c, "", deps_id, "20261304000000", 0);
	mig_exec_ok(db.c, "INSERT INTO author (code, name) VALUES ('1', 'Ann'), "
		"('2', 'Bob')");
	mig_exec_ok(db.c, "INSERT INTO post (author_id, title) VALUES (2, 'p')");
	mig_exec_ok(db.c, "INSERT INTO note (author_id) VALUES (1)");
	step_ok(db.c, deps_id, deps_code, "20261304000001", 0);
	mig_expect_rows(db.c, "SELECT a.name, p.title FROM post p JOIN author a ON "
		"a.code = p.author_id", "Bob|p;");
	mig_exec_ok(db.c, "INSERT INTO comment (author_id, body) VALUES ('1', 'c')");
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO comment (author_id, "
		"body) VALUES ('7', 'x')"), CORM_OK);
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO post (author_id, "
		"title) VALUES ('7', 'x')"), CORM_OK);
	mig_exec_ok(db.c, "DELETE FROM comment");

	step_ok(db.c, deps_code, deps_id, "20261304000002", 0);
	mig_expect_rows(db.c, "SELECT a.name, p.title FROM post p JOIN author a ON "
		"a.id = p.author_id", "Bob|p;");
	assert_int_not_equal(corm_exec(db.c, "INSERT INTO post (author_id, "
		"title) VALUES (7, 'x')"), CORM_OK);
	mig_exec_ok(db.c, "INSERT INTO author (code, name) VALUES ('3', 'Cy')");
	mig_expect_rows(db.c, "SELECT id FROM author WHERE name = 'Cy'", "3;");
	mig_db_close(&db);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keys__changing_the_key_is_destructive_and_whole),
		cmocka_unit_test(test_keys__a_renamed_table_changes_its_key),
		cmocka_unit_test(test_keys__an_auto_key_added_numbers_the_rows),
		cmocka_unit_test(test_keys__an_index_a_foreign_key_needs_is_replaced),
		cmocka_unit_test(test_keys__a_key_a_foreign_key_uses_changes),
		cmocka_unit_test(test_keys__a_key_with_dependents_changes),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_keys",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	srand((unsigned)getpid());
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
