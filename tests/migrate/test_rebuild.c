/*
 * test_rebuild.c — SQLite's table rebuild (engine_sqlite.c) keeps what
 * the schema does not declare: a hand-written index, an audit trigger on
 * the table, a view over it, a trigger on another table that writes into
 * it. Each is checked after up and after down: the same SQL in
 * sqlite_master, the triggers fire, the view gives the right rows, the
 * foreign keys hold and are enforced. An index the schema dropped is not
 * brought back. An object that cannot survive the migration (an index or
 * a view on a dropped column) fails it, named, the database unchanged.
 *
 * The migrations go through corm_diff, corm_plan_render and the runner,
 * as `corm migrate make` and `up` / `down` do.
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

#define AUTHOR \
	"model Author {\n" \
	"    id   i64 @id @auto\n" \
	"    name string(100)\n" \
	"}\n"
#define COMMENT \
	"model Comment {\n" \
	"    id   i64 @id @auto\n" \
	"    post Post @on_delete(cascade)\n" \
	"    text string(100)\n" \
	"}\n"
#define FEED \
	"model Feed {\n" \
	"    id i64 @id @auto\n" \
	"    x  i32\n" \
	"}\n"

/* Post.n is an i32; v2 makes it an i64 (a rebuild), v3 also drops body,
 * v4 also drops the index on title. */
static const char v1[] = AUTHOR COMMENT FEED
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author @on_delete(cascade)\n"
	"    n      i32\n"
	"    title  string(200) @index\n"
	"    body   text?\n"
	"}\n";
static const char v2[] = AUTHOR COMMENT FEED
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author @on_delete(cascade)\n"
	"    n      i64\n"
	"    title  string(200) @index\n"
	"    body   text?\n"
	"}\n";
static const char v3[] = AUTHOR COMMENT FEED
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author @on_delete(cascade)\n"
	"    n      i64\n"
	"    title  string(200) @index\n"
	"}\n";
static const char v4[] = AUTHOR COMMENT FEED
	"model Post {\n"
	"    id     i64 @id @auto\n"
	"    author Author @on_delete(cascade)\n"
	"    n      i64\n"
	"    title  string(200)\n"
	"    body   text?\n"
	"}\n";

/* The objects the user wrote by hand, next to corm's tables. */
static const char *const hand_made[] = {
	"CREATE TABLE audit (msg TEXT)",
	"CREATE INDEX post_body_hand ON post (body, n)",
	"CREATE TRIGGER post_audit AFTER INSERT ON post BEGIN "
	"INSERT INTO audit VALUES ('post n=' || NEW.n); END",
	"CREATE VIEW post_view AS SELECT p.title, p.n, a.name FROM post p "
	"JOIN author a ON a.id = p.author_id WHERE p.n > 0",
	"CREATE TRIGGER feed_writes AFTER INSERT ON feed BEGIN "
	"INSERT INTO post (author_id, n, title) VALUES (1, NEW.x, 'from feed'); "
	"END",
	NULL};

static const char objects_sql[] = "SELECT type, name, tbl_name, sql FROM "
	"sqlite_master WHERE type IN ('index', 'trigger', 'view') AND name NOT "
	"LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name";

/* Everything in the database: schema, rows, history. */
static char *everything(corm_conn *c)
{
	static const char *const queries[] = {
		"SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY name",
		"SELECT * FROM author ORDER BY id",
		"SELECT * FROM post ORDER BY id",
		"SELECT * FROM comment ORDER BY id",
		"SELECT * FROM feed ORDER BY id",
		"SELECT * FROM audit ORDER BY rowid",
		"SELECT name, seq FROM sqlite_sequence ORDER BY name",
		"SELECT version, status FROM corm_migrations ORDER BY version",
		NULL};
	corm_buf b = CORM_BUF_INIT;
	char *all;
	size_t i;

	for (i = 0; queries[i]; i++) {
		char *rows = mig_rows(c, queries[i]);

		corm_buf_printf(&b, "%s\n", rows);
		corm_free(rows);
	}
	all = corm_strdup(corm_buf_cstr(&b));
	corm_buf_free(&b);
	return all;
}

/* v1 with rows and the hand-made objects; *objects gets them as
 * sqlite_master lists them (corm_free). */
static void set_up(mig_db *db, char **objects)
{
	corm_schema *empty = mig_parse(""), *s1 = mig_parse(v1);
	corm_buf err = CORM_BUF_INIT;
	size_t i;

	assert_int_equal(mig_db_open(db, g_engine.name, g_engine.url), CORM_OK);
	assert_int_equal(mig_step(db->c, empty, s1, "20260101000000", NULL,
		NULL, &err), CORM_OK);
	for (i = 0; hand_made[i]; i++)
		mig_exec_ok(db->c, hand_made[i]);
	mig_exec_ok(db->c, "INSERT INTO author (name) VALUES ('Ann')");
	mig_exec_ok(db->c, "INSERT INTO post (author_id, n, title, body) VALUES "
		"(1, 5, 'five', 'b5'), (1, -1, 'minus', NULL)");
	mig_exec_ok(db->c, "INSERT INTO comment (post_id, text) VALUES (1, 'c1'), "
		"(2, 'c2')");
	*objects = mig_rows(db->c, objects_sql);
	/* every hand-made object is there, and corm's index */
	assert_non_null(strstr(*objects, "index|post_body_hand|post|"));
	assert_non_null(strstr(*objects, "index|post_title_idx|post|"));
	assert_non_null(strstr(*objects, "trigger|post_audit|post|"));
	assert_non_null(strstr(*objects, "trigger|feed_writes|feed|"));
	assert_non_null(strstr(*objects, "view|post_view|post_view|"));
	corm_buf_free(&err);
	corm_schema_free(empty);
	corm_schema_free(s1);
}

/* The hand-made objects work: the audit trigger fires on an insert into
 * post, feed's trigger writes into post (and so fires the audit too), the
 * view reads post, foreign keys hold and are enforced. `big` is an n that
 * fits the current type. */
static void expect_objects_work(corm_conn *c, const char *objects,
	const char *big, const char *tag)
{
	char sql[256], want[512];
	int rc;

	mig_expect_rows(c, objects_sql, objects);
	mig_exec_ok(c, "DELETE FROM audit");
	snprintf(sql, sizeof(sql), "INSERT INTO post (author_id, n, title) "
		"VALUES (1, %s, '%s')", big, tag);
	mig_exec_ok(c, sql);
	mig_exec_ok(c, "INSERT INTO feed (x) VALUES (7)");
	snprintf(want, sizeof(want), "post n=%s;post n=7;", big);
	mig_expect_rows(c, "SELECT msg FROM audit ORDER BY rowid", want);
	snprintf(want, sizeof(want), "five|5|Ann;%s|%s|Ann;from feed|7|Ann;",
		tag, big);
	mig_expect_rows(c, "SELECT * FROM post_view ORDER BY title = 'from feed', "
		"n", want);
	/* the table's own index is used by name */
	mig_expect_rows(c, "SELECT count(*) FROM post INDEXED BY post_body_hand "
		"WHERE body = 'b5'", "1;");
	mig_expect_rows(c, "PRAGMA foreign_key_check", "");
	rc = corm_exec(c, "INSERT INTO comment (post_id, text) VALUES (99, 'x')");
	assert_int_equal(rc, CORM_EFOREIGNKEY);
	mig_exec_ok(c, "DELETE FROM post WHERE id = 2");
	mig_expect_rows(c, "SELECT id, post_id FROM comment ORDER BY id", "1|1;");
	/* back to the rows set_up made, for the next step */
	mig_exec_ok(c, "DELETE FROM post WHERE id > 2");
	mig_exec_ok(c, "DELETE FROM feed");
	mig_exec_ok(c, "INSERT INTO post (id, author_id, n, title) VALUES "
		"(2, 1, -1, 'minus')");
	mig_exec_ok(c, "INSERT INTO comment (id, post_id, text) VALUES (2, 2, 'c2')");
}

static void test_rebuild__keeps_triggers_indexes_and_views(void **state)
{
	corm_schema *s1 = mig_parse(v1), *s2 = mig_parse(v2);
	corm_buf err = CORM_BUF_INIT;
	corm_mig_entry e = {(char *)"20260102000000", (char *)"step",
		(char *)"."};
	char *objects = NULL, *up = NULL, *down = NULL;
	bool skipped = false;
	mig_db db;

	(void)state;
	set_up(&db, &objects);
	assert_int_equal(mig_step(db.c, s1, s2, e.version, &up, &down, &err),
		CORM_OK);
	/* it was a rebuild, with corm's mark */
	assert_non_null(strstr(up, "-- corm:rebuild \"post\"\nCREATE TABLE "
		"\"corm_new_post\""));
	assert_non_null(strstr(up, "DROP INDEX IF EXISTS \"post_title_idx\""));
	expect_objects_work(db.c, objects, "3000000000", "big");
	mig_expect_rows(db.c, "PRAGMA legacy_alter_table", "0;");

	assert_int_equal(corm_mig_apply(&skipped, db.c, &e, down, strlen(down),
		false, &err), CORM_OK);
	assert_false(skipped);
	expect_objects_work(db.c, objects, "2147483647", "max");
	mig_expect_rows(db.c, "SELECT version FROM corm_migrations",
		"20260101000000;");
	corm_free(up);
	corm_free(down);
	corm_free(objects);
	corm_buf_free(&err);
	corm_schema_free(s1);
	corm_schema_free(s2);
	mig_db_close(&db);
}

/* A schema index the migration drops stays dropped; the others stay. */
static void test_rebuild__a_dropped_schema_index_stays_dropped(void **state)
{
	corm_schema *s1 = mig_parse(v1), *s4 = mig_parse(v4);
	corm_buf err = CORM_BUF_INIT;
	char *objects = NULL;
	mig_db db;

	(void)state;
	set_up(&db, &objects);
	assert_int_equal(mig_step(db.c, s1, s4, "20260102000000", NULL, NULL,
		&err), CORM_OK);
	mig_expect_rows(db.c, "SELECT name FROM sqlite_master WHERE type IN "
		"('index', 'trigger', 'view') AND name NOT LIKE 'sqlite\\_%' "
		"ESCAPE '\\' ORDER BY name",
		"feed_writes;post_audit;post_body_hand;post_view;");
	corm_free(objects);
	corm_buf_free(&err);
	corm_schema_free(s1);
	corm_schema_free(s4);
	mig_db_close(&db);
}

/* v1 → v3 drops post.body, which `extra` (a hand-made object) needs: the
 * migration fails with a message holding `named` and `why`, and nothing
 * in the database changed. */
static void expect_refused(const char *extra, const char *named,
	const char *why)
{
	corm_schema *s1 = mig_parse(v1), *s3 = mig_parse(v3);
	corm_buf err = CORM_BUF_INIT;
	char *objects = NULL, *before, *after;
	mig_db db;
	int rc;

	set_up(&db, &objects);
	if (extra)
		mig_exec_ok(db.c, extra);
	before = everything(db.c);
	corm_buf_clear(&err);
	{
		corm_plan *p = NULL;
		corm_buf sql = CORM_BUF_INIT;
		corm_mig_entry e = {(char *)"20260103000000", (char *)"drop_body",
			(char *)"."};
		bool skipped = false;

		assert_int_equal(corm_diff(&p, s1, s3), CORM_OK);
		assert_int_equal(corm_plan_render(&sql, corm_conn_dialect(db.c), p),
			CORM_OK);
		rc = corm_mig_apply(&skipped, db.c, &e, sql.ptr, sql.len, true, &err);
		corm_buf_free(&sql);
		corm_plan_free(p);
	}
	assert_int_not_equal(rc, CORM_OK);
	if (!strstr(corm_buf_cstr(&err), named) ||
		!strstr(corm_buf_cstr(&err), why))
		print_error("error does not name %s (%s):\n%s\n", named, why,
			corm_buf_cstr(&err));
	assert_non_null(strstr(corm_buf_cstr(&err), named));
	assert_non_null(strstr(corm_buf_cstr(&err), why));
	after = everything(db.c);
	if (strcmp(before, after) != 0)
		print_error("the database changed:\nbefore %s\nafter  %s\n", before,
			after);
	assert_string_equal(before, after);
	mig_expect_rows(db.c, "PRAGMA legacy_alter_table", "0;");
	corm_free(before);
	corm_free(after);
	corm_free(objects);
	corm_buf_free(&err);
	corm_schema_free(s1);
	corm_schema_free(s3);
	mig_db_close(&db);
}

static void test_rebuild__an_index_on_a_dropped_column_fails(void **state)
{
	(void)state;
	expect_refused(NULL, "index \"post_body_hand\"", "no such column: body");
}

static void test_rebuild__a_view_on_a_dropped_column_fails(void **state)
{
	(void)state;
	expect_refused("DROP INDEX post_body_hand; CREATE VIEW bodies AS "
		"SELECT id, body FROM post", "view bodies", "no such column: body");
}

static void test_rebuild__a_trigger_on_a_dropped_column_fails(void **state)
{
	(void)state;
	expect_refused("DROP INDEX post_body_hand; CREATE TRIGGER body_log "
		"AFTER UPDATE ON post BEGIN INSERT INTO audit VALUES (NEW.body); END",
		"trigger body_log", "no such column: NEW.body");
}

/* The mark in a hand-written rebuild, of a table whose name needs its
 * quote doubled and is written in another case than the trigger's. */
static void test_rebuild__a_hand_written_mark(void **state)
{
	static const char sql[] = CORM_MIG_MARK_FK_OFF "\n"
		"-- corm:rebuild \"We\"\"ird\"\n"
		"CREATE TABLE \"corm_new\" (id INTEGER PRIMARY KEY, v BIGINT);\n"
		"INSERT INTO \"corm_new\" SELECT id, v FROM \"We\"\"ird\";\n"
		"DROP TABLE \"We\"\"ird\";\n"
		"PRAGMA legacy_alter_table=ON;\n"
		"ALTER TABLE \"corm_new\" RENAME TO \"We\"\"ird\";\n"
		"PRAGMA legacy_alter_table=OFF;\n";
	corm_mig_entry e = {(char *)"20260101000000", (char *)"hand",
		(char *)"."};
	corm_buf err = CORM_BUF_INIT;
	bool skipped = false;
	mig_db db;
	int rc;

	(void)state;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	mig_exec_ok(db.c, "CREATE TABLE \"We\"\"ird\" (id INTEGER PRIMARY KEY, "
		"v INT); CREATE TABLE log (v INT); CREATE TRIGGER w_ai AFTER INSERT "
		"ON \"we\"\"IRD\" BEGIN INSERT INTO log VALUES (NEW.v); END; "
		"CREATE INDEX w_v ON \"WE\"\"ird\" (v)");
	rc = corm_mig_apply(&skipped, db.c, &e, sql, strlen(sql), true, &err);
	if (rc)
		print_error("%s\n", corm_buf_cstr(&err));
	assert_int_equal(rc, CORM_OK);
	mig_expect_rows(db.c, "SELECT type, name FROM sqlite_master WHERE type IN "
		"('index', 'trigger') AND sql IS NOT NULL ORDER BY name",
		"trigger|w_ai;index|w_v;");
	mig_exec_ok(db.c, "INSERT INTO \"We\"\"ird\" (v) VALUES (3000000000)");
	mig_expect_rows(db.c, "SELECT v FROM log", "3000000000;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rebuild__keeps_triggers_indexes_and_views),
		cmocka_unit_test(test_rebuild__a_dropped_schema_index_stays_dropped),
		cmocka_unit_test(test_rebuild__an_index_on_a_dropped_column_fails),
		cmocka_unit_test(test_rebuild__a_view_on_a_dropped_column_fails),
		cmocka_unit_test(test_rebuild__a_trigger_on_a_dropped_column_fails),
		cmocka_unit_test(test_rebuild__a_hand_written_mark),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_rebuild",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
