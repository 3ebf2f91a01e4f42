/*
 * test_api.c — corm/migrate.h, the public API a program migrates with,
 * one engine per run (argv[1]): a folder's migrations applied once, in
 * order, with progress; counted as pending before and not after; a
 * second call applies nothing; a missing folder, an edited migration and
 * a NUL byte in a pending file are refused with a message and change
 * nothing; a failing migration keeps the ones before it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "engine.h"
#include "mig_helpers.h"

#include "corm/migrate.h"

static test_engine g_engine;

/* Write DIR/VERSION_NAME/up.<dialect>.sql (all three) and down files. */
static void write_migration(const char *dir, const char *folder,
	const char *up, size_t up_len, const char *down)
{
	static const char *const dialects[] = { "sqlite", "postgres", "mysql" };
	char path[512];
	size_t i;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, folder);
	assert_int_equal(mkdir(path, 0777), 0);
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path), "%s/%s/up.%s.sql", dir, folder,
			dialects[i]);
		assert_non_null(f = fopen(path, "wb"));
		assert_int_equal(fwrite(up, 1, up_len, f), up_len);
		fclose(f);
		snprintf(path, sizeof(path), "%s/%s/down.%s.sql", dir, folder,
			dialects[i]);
		assert_non_null(f = fopen(path, "wb"));
		fputs(down, f);
		fclose(f);
	}
}

static void remove_tree(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	assert_int_equal(system(cmd), 0);
}

typedef struct seen {
	char names[256];
	int calls;
} seen;

static void on_progress(void *ctx, const char *version, const char *name,
	double ms, bool done_by_another)
{
	seen *s = ctx;

	assert_int_equal(strlen(version), 14);
	assert_true(ms >= 0);
	assert_false(done_by_another);
	strcat(s->names, name);
	strcat(s->names, ",");
	s->calls++;
}

static void expect_rows(corm_conn *c, const char *sql, const char *want)
{
	char *got = mig_rows(c, sql);

	if (strcmp(got, want) != 0)
		print_error("%s\n  want %s\n  got  %s\n", sql, want, got);
	assert_string_equal(got, want);
	corm_free(got);
}

static void test_api__a_folder_applied_once(void **state)
{
	char dir[] = "/tmp/corm-api-XXXXXX";
	const char *t1 = "CREATE TABLE api_t (id INTEGER PRIMARY KEY, "
		"note VARCHAR(20));\n";
	const char *t2 = "INSERT INTO api_t (id, note) VALUES (1, 'a; b');\n"
		"INSERT INTO api_t (id, note) VALUES (2, 'c');\n";
	seen s = {{0}, 0};
	size_t pending = 99;
	mig_db db;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), 0);
	write_migration(dir, "20260101000000_init", t1, strlen(t1),
		"DROP TABLE api_t;\n");
	write_migration(dir, "20260102000000_rows", t2, strlen(t2),
		"DELETE FROM api_t;\n");

	assert_int_equal(corm_migrate_pending(&pending, db.c, dir), CORM_OK);
	assert_int_equal(pending, 2);
	assert_int_equal(corm_migrate_up(db.c, dir, on_progress, &s), CORM_OK);
	assert_string_equal(s.names, "init,rows,");
	expect_rows(db.c, "SELECT id, note FROM api_t ORDER BY id", "1|a; b;2|c;");
	assert_int_equal(corm_migrate_pending(&pending, db.c, dir), CORM_OK);
	assert_int_equal(pending, 0);
	/* Again: nothing to do, nothing run (the INSERTs would fail). */
	assert_int_equal(corm_migrate_up(db.c, dir, on_progress, &s), CORM_OK);
	assert_int_equal(s.calls, 2);
	/* No callback is fine. */
	assert_int_equal(corm_migrate_up(db.c, dir, NULL, NULL), CORM_OK);

	/* A third migration that fails: the first two stay. */
	write_migration(dir, "20260103000000_bad",
		"INSERT INTO api_t (id, note) VALUES (1, 'dup');\n", 48,
		"SELECT 1;\n");
	assert_int_not_equal(corm_migrate_up(db.c, dir, NULL, NULL), CORM_OK);
	assert_non_null(strstr(corm_errmsg(db.c), "20260103000000_bad failed"));
	expect_rows(db.c, "SELECT id, note FROM api_t ORDER BY id", "1|a; b;2|c;");

	mig_db_close(&db);
	remove_tree(dir);
}

static void test_api__refusals_change_nothing(void **state)
{
	char dir[] = "/tmp/corm-api-XXXXXX";
	char path[600];
	const char *t1 = "CREATE TABLE api_r (id INTEGER PRIMARY KEY);\n";
	const char nul_sql[] = "INSERT INTO api_r (id) VALUES (1);\n"
		"UPDATE api_r SET id = 0\0 WHERE id = 3;\n";
	size_t pending;
	FILE *f;
	mig_db db;

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), 0);

	/* A folder that does not exist is a mistake, not "up to date". */
	assert_int_equal(corm_migrate_up(db.c, "/nonexistent/corm-migrations",
		NULL, NULL), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db.c), "no migrations folder"));
	assert_int_equal(corm_migrate_pending(&pending, db.c,
		"/nonexistent/corm-migrations"), CORM_EINVAL);

	write_migration(dir, "20260101000000_init", t1, strlen(t1),
		"DROP TABLE api_r;\n");
	assert_int_equal(corm_migrate_up(db.c, dir, NULL, NULL), CORM_OK);

	/* A NUL byte in a pending file: refused, naming the line. */
	write_migration(dir, "20260102000000_nul", nul_sql, sizeof(nul_sql) - 1,
		"SELECT 1;\n");
	assert_int_equal(corm_migrate_up(db.c, dir, NULL, NULL), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db.c), "NUL"));
	expect_rows(db.c, "SELECT COUNT(*) FROM api_r", "0;");
	remove_tree(dir);

	/* An applied migration edited since: blocks, nothing runs. */
	assert_non_null(mkdtemp(strcpy(dir, "/tmp/corm-api-XXXXXX")));
	write_migration(dir, "20260101000000_init",
		"CREATE TABLE api_r (id BIGINT PRIMARY KEY);\n", 44,
		"DROP TABLE api_r;\n");
	write_migration(dir, "20260102000000_more",
		"INSERT INTO api_r (id) VALUES (5);\n", 35, "SELECT 1;\n");
	assert_int_equal(corm_migrate_up(db.c, dir, NULL, NULL), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db.c), "20260101000000"));
	expect_rows(db.c, "SELECT COUNT(*) FROM api_r", "0;");
	assert_int_equal(corm_migrate_pending(&pending, db.c, dir), CORM_OK);
	assert_int_equal(pending, 2); /* edited + pending */

	snprintf(path, sizeof(path), "%s/notes.txt", dir);
	assert_non_null(f = fopen(path, "w"));
	fclose(f);
	mig_db_close(&db);
	remove_tree(dir);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api__a_folder_applied_once),
		cmocka_unit_test(test_api__refusals_change_nothing),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_api",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
