/*
 * test_status.c — the status API (corm_mig_status_read, migrate.h) on one
 * engine per run (argv[1]: sqlite, postgres or mysql): a folder and a
 * history table with a migration in every state (pending, applied,
 * edited, failed, interrupted, missing, an applied one whose file is
 * gone), each with the message and blocking the rules give; and an
 * engine corm has no migration object for, which is an error everywhere
 * (never read as another engine).
 *
 * The history rows are written through the runner where it can make them
 * and by SQL where only a crash or a failure on MySQL would.
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

#include "alloc.h"
#include "engine.h"
#include "mig_helpers.h"
#include "migrate_engine.h"

#include "corm/driver.h"

static test_engine g_engine;
static char g_root[64];

static void exec_ok(corm_conn *c, const char *sql)
{
	int rc = corm_exec(c, sql);

	if (rc)
		print_error("%s: %s\n", sql, corm_errmsg(c));
	assert_int_equal(rc, CORM_OK);
}

/* g_root/<folder>/<file> with `data` (the folder made when missing). */
static void write_mig(const char *folder, const char *file, const char *data)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s/%s", g_root, folder);
	mkdir(p, 0777);
	snprintf(p, sizeof(p), "%s/%s/%s", g_root, folder, file);
	f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(fputs(data, f) >= 0, 1);
	fclose(f);
}

static void remove_mig(const char *folder, const char *file)
{
	char p[512];

	snprintf(p, sizeof(p), "%s/%s/%s", g_root, folder, file);
	assert_int_equal(unlink(p), 0);
}

static void remove_root(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", g_root);
	assert_int_equal(system(cmd), 0);
}

static const char *up_file(void)
{
	static char f[64];

	snprintf(f, sizeof(f), "up.%s.sql", g_engine.name);
	return f;
}

/* Apply folder's up SQL through the runner (recorded as applied). */
static void apply_up(corm_conn *c, const corm_mig_dir *d, size_t i)
{
	corm_buf err = CORM_BUF_INIT;
	char *sql = NULL;
	size_t len;
	bool skipped;

	assert_int_equal(corm_mig_read(&sql, &len, &d->items[i], up_file()),
		CORM_OK);
	if (corm_mig_apply(&skipped, c, &d->items[i], sql, len, true, &err))
		print_error("apply: %s\n", corm_buf_cstr(&err));
	assert_int_equal(err.len, 0);
	assert_false(skipped);
	corm_free(sql);
	corm_buf_free(&err);
}

/* A history row as a crash or a MySQL failure leaves it. */
static void record(corm_conn *c, const char *version, const char *name,
	const char *status, int step)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT INTO corm_migrations (version, "
		"name, checksum, applied_at, status, step) VALUES ('%s', '%s', "
		"'x', '2026-01-01T00:00:00Z', '%s', %d)", version, name, status,
		step);
	exec_ok(c, sql);
}

static const corm_mig_status_item *item(const corm_mig_status *st,
	const char *version)
{
	size_t i;

	for (i = 0; i < st->count; i++) {
		const corm_mig_status_item *it = &st->items[i];
		const char *v = it->entry ? it->entry->version
			: it->applied->version;

		if (strcmp(v, version) == 0)
			return it;
	}
	fail_msg("no status for %s", version);
	return NULL;
}

static void expect_message(const corm_mig_status_item *it, const char *part)
{
	assert_non_null(it->message);
	if (!strstr(it->message, part))
		print_error("message: %s\n  wanted: %s\n", it->message, part);
	assert_non_null(strstr(it->message, part));
}

/* ----------------------------------------------------------- the states */

static void test_status__every_state(void **state)
{
	corm_mig_dir dir = {NULL, 0};
	corm_mig_history hist = {NULL, 0};
	corm_mig_status st = {NULL, 0, false};
	const corm_mig_status_item *it;
	corm_buf err = CORM_BUF_INIT;
	mig_db db;
	size_t i;

	(void)state;
	snprintf(g_root, sizeof(g_root), "/tmp/corm-mig-status-XXXXXX");
	assert_non_null(mkdtemp(g_root));
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);

	write_mig("20260101000001_applied", up_file(),
		"CREATE TABLE s_one (id INTEGER PRIMARY KEY);\n");
	write_mig("20260101000002_edited", up_file(),
		"CREATE TABLE s_two (id INTEGER PRIMARY KEY);\n");
	write_mig("20260101000003_failed", up_file(),
		"CREATE TABLE s_three (id INTEGER);\nSELECT 1;\n");
	write_mig("20260101000004_interrupted", up_file(),
		"CREATE TABLE s_four (id INTEGER);\n"
		"CREATE TABLE s_five (id INTEGER);\n"
		"CREATE TABLE s_six (id INTEGER);\n");
	write_mig("20260101000005_unreadable", up_file(),
		"CREATE TABLE s_seven (id INTEGER PRIMARY KEY);\n");
	write_mig("20260101000007_pending", up_file(),
		"CREATE TABLE s_eight (id INTEGER PRIMARY KEY);\n");
	assert_int_equal(corm_mig_dir_read(&dir, &err, g_root), CORM_OK);
	assert_int_equal(dir.count, 6);

	/* Nothing applied yet: all pending, nothing blocks. */
	assert_int_equal(corm_history_read(&hist, db.c), CORM_OK);
	assert_int_equal(corm_mig_status_read(&st, &dir, &hist,
		corm_conn_dialect(db.c)), CORM_OK);
	assert_int_equal(st.count, 6);
	assert_false(st.blocked);
	for (i = 0; i < st.count; i++) {
		assert_int_equal(st.items[i].state, CORM_MIG_PENDING);
		assert_null(st.items[i].message);
		assert_null(st.items[i].applied);
	}
	corm_mig_status_free(&st);
	corm_history_free(&hist);

	apply_up(db.c, &dir, 0);
	apply_up(db.c, &dir, 1);
	apply_up(db.c, &dir, 4);
	record(db.c, "20260101000003", "failed", "failed", 1);
	record(db.c, "20260101000004", "interrupted", "running", 1);
	record(db.c, "20260101000006", "gone", "applied", 0);
	/* Edited after it ran; the other's file deleted. */
	write_mig("20260101000002_edited", up_file(),
		"CREATE TABLE s_two (id INTEGER PRIMARY KEY, x INTEGER);\n");
	remove_mig("20260101000005_unreadable", up_file());

	assert_int_equal(corm_history_read(&hist, db.c), CORM_OK);
	assert_int_equal(hist.count, 6);
	assert_int_equal(corm_mig_status_read(&st, &dir, &hist,
		corm_conn_dialect(db.c)), CORM_OK);
	/* Folder and history merged, by version. */
	assert_int_equal(st.count, 7);
	for (i = 1; i < st.count; i++) {
		const corm_mig_status_item *a = &st.items[i - 1], *b = &st.items[i];

		assert_true(strcmp(a->entry ? a->entry->version :
			a->applied->version, b->entry ? b->entry->version :
			b->applied->version) < 0);
	}
	assert_true(st.blocked);

	it = item(&st, "20260101000001");
	assert_int_equal(it->state, CORM_MIG_APPLIED);
	assert_string_equal(corm_mig_state_name(it->state), "applied");
	assert_false(it->blocks);
	assert_null(it->message);
	assert_non_null(it->applied);

	it = item(&st, "20260101000002");
	assert_int_equal(it->state, CORM_MIG_EDITED);
	assert_string_equal(corm_mig_state_name(it->state), "edited");
	assert_true(it->blocks);
	expect_message(it, "20260101000002_edited was edited after it was "
		"applied (its checksum changed)");
	expect_message(it, "corm migrate resolve 20260101000002 --applied");

	it = item(&st, "20260101000003");
	assert_int_equal(it->state, CORM_MIG_FAILED);
	assert_string_equal(corm_mig_state_name(it->state), "failed");
	assert_true(it->blocks);
	expect_message(it, "20260101000003_failed is failed at statement 2; "
		"fix the database by hand");

	it = item(&st, "20260101000004");
	assert_int_equal(it->state, CORM_MIG_INTERRUPTED);
	assert_string_equal(corm_mig_state_name(it->state), "interrupted");
	assert_true(it->blocks);
	expect_message(it, "20260101000004_interrupted was interrupted while "
		"being applied");
	/* The up file's three statements, one recorded as done. */
	expect_message(it, "Statements 1-1 of the 3 of its up SQL ran; "
		"statement 2 may have run too");
	expect_message(it, "'corm migrate resolve 20260101000004 --applied'");

	it = item(&st, "20260101000005");
	assert_int_equal(it->state, CORM_MIG_APPLIED);
	assert_true(it->blocks);
	assert_null(it->message);
	assert_non_null(it->unreadable);
	assert_non_null(strstr(it->unreadable, "cannot read "));
	assert_non_null(strstr(it->unreadable, up_file()));

	it = item(&st, "20260101000006");
	assert_int_equal(it->state, CORM_MIG_MISSING);
	assert_string_equal(corm_mig_state_name(it->state), "missing");
	assert_null(it->entry);
	assert_false(it->blocks);
	assert_null(it->message);

	it = item(&st, "20260101000007");
	assert_int_equal(it->state, CORM_MIG_PENDING);
	assert_string_equal(corm_mig_state_name(it->state), "pending");
	assert_null(it->applied);
	assert_false(it->blocks);
	corm_mig_status_free(&st);
	corm_mig_status_free(&st); /* twice is harmless */
	corm_mig_status_free(NULL);
	corm_history_free(&hist);

	/* Resolving clears what blocked; a reverting row is interrupted the
	 * other way round. */
	assert_int_equal(corm_mig_resolve(db.c, &dir.items[2], "x", false),
		CORM_OK);
	exec_ok(db.c, "UPDATE corm_migrations SET status = 'reverting', "
		"step = 0 WHERE version = '20260101000004'");
	assert_int_equal(corm_history_read(&hist, db.c), CORM_OK);
	assert_int_equal(corm_mig_status_read(&st, &dir, &hist,
		corm_conn_dialect(db.c)), CORM_OK);
	assert_int_equal(item(&st, "20260101000003")->state, CORM_MIG_PENDING);
	it = item(&st, "20260101000004");
	assert_int_equal(it->state, CORM_MIG_INTERRUPTED);
	expect_message(it, "while being reverted");
	/* No down file was written: the count is unknown. */
	expect_message(it, "0 statements ran; the next may have run too.");
	corm_mig_status_free(&st);
	corm_history_free(&hist);

	corm_mig_dir_free(&dir);
	corm_buf_free(&err);
	mig_db_close(&db);
	remove_root();
}

/* Every allocation of reading the status fails in turn: an error, no
 * leak (SQLite only: the rest is the same code). */
static void test_status__every_allocation_failure(void **state)
{
	corm_mig_applied rows[2] = {
		{(char *)"20260101000001", (char *)"a", (char *)"x",
			(char *)"2026-01-01T00:00:00Z", (char *)"applied", 0},
		{(char *)"20260101000002", (char *)"b", (char *)"x",
			(char *)"2026-01-01T00:00:00Z", (char *)"failed", 0},
	};
	corm_mig_history hist = {rows, 2};
	corm_mig_dir dir = {NULL, 0};
	corm_mig_status st;
	long n;
	int rc = CORM_ENOMEM;

	(void)state;
	if (strcmp(g_engine.name, "sqlite") != 0)
		skip();
	for (n = 1; rc == CORM_ENOMEM && n < 1000; n++) {
		test_alloc_install(n);
		rc = corm_mig_status_read(&st, &dir, &hist, &corm_dialect_sqlite);
		test_alloc_disarm();
		if (rc != CORM_OK) {
			assert_int_equal(rc, CORM_ENOMEM);
			assert_null(st.items);
			assert_int_equal(test_alloc.live, 0);
		}
	}
	test_alloc_uninstall();
	assert_int_equal(rc, CORM_OK);
	assert_true(n > 1);
	assert_int_equal(st.count, 2);
	assert_int_equal(st.items[1].state, CORM_MIG_MISSING);
	assert_true(st.blocked);
	corm_mig_status_free(&st);
}

/* ------------------------------------------------- an unknown engine */

static void test_status__an_unknown_engine_is_an_error(void **state)
{
	corm_dialect oracle = corm_dialect_sqlite;
	corm_driver fake;
	const corm_driver *real;
	const corm_migrate_engine *eng = NULL;
	corm_mig_dir dir = {NULL, 0};
	corm_mig_history hist = {NULL, 0};
	corm_mig_status st;
	corm_mig_entry e = {(char *)"20260101000000", (char *)"x", (char *)"."};
	corm_plan *plan = NULL;
	corm_schema *a = mig_parse(""), *b = mig_parse("model T {\n"
		"  id i64 @id @auto\n}\n");
	corm_buf out = CORM_BUF_INIT, err = CORM_BUF_INIT;
	const char *never = "CREATE TABLE s_never (id INTEGER);";
	bool skipped;
	size_t i;
	mig_db db;

	(void)state;
	/* Every dialect corm knows has its engine, and the lookups agree. */
	for (i = 0; i < sizeof(corm_dialects) / sizeof(corm_dialects[0]); i++) {
		eng = corm_mig_engine_of_dialect(corm_dialects[i]);
		assert_non_null(eng);
		assert_ptr_equal(eng->dialect, corm_dialects[i]);
		assert_ptr_equal(corm_mig_engine_find(corm_dialects[i]->name), eng);
		assert_non_null(eng->read_catalogue);
		assert_non_null(eng->lock);
		assert_non_null(eng->unlock);
		assert_non_null(eng->history_exists_sql);
		assert_non_null(eng->begin_sql);
		/* The optional slots come in pairs. */
		assert_int_equal(eng->rebuilds_tables, eng->rebuild_table != NULL);
		assert_int_equal(eng->rebuilds_tables, eng->needs_rebuild != NULL);
		assert_int_equal(eng->fk_off_sql != NULL, eng->fk_on_sql != NULL);
		assert_int_equal(eng->transactional_ddl,
			corm_dialects[i]->transactional_ddl);
	}
	oracle.name = "oracle";
	assert_null(corm_mig_engine_find("oracle"));
	assert_null(corm_mig_engine_find(NULL));
	assert_null(corm_mig_engine_of_dialect(&oracle));
	assert_null(corm_mig_url_dialect("oracle://db/x"));
	assert_null(corm_mig_choose_dialect(NULL, "oracle://db/x"));
	assert_null(corm_mig_choose_dialect("oracle", NULL));
	assert_ptr_equal(corm_mig_choose_dialect(NULL, "mariadb://h/x"),
		&corm_dialect_mysql);
	assert_ptr_equal(corm_mig_choose_dialect(NULL, "postgresql://h/x"),
		&corm_dialect_postgres);
	assert_ptr_equal(corm_mig_choose_dialect(NULL, NULL),
		&corm_dialect_sqlite);

	/* No SQL is rendered for it, no status read. */
	assert_int_equal(corm_diff(&plan, a, b), CORM_OK);
	assert_int_equal(corm_plan_render(&out, &oracle, plan), CORM_EINVAL);
	assert_int_equal(corm_mig_status_read(&st, &dir, &hist, &oracle),
		CORM_EINVAL);

	/* A connection whose dialect corm has no engine for: every database
	 * step refuses, naming it, and touches nothing. */
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	real = db.c->driver;
	fake = *real;
	fake.dialect = &oracle;
	db.c->driver = &fake;
	assert_int_equal(corm_mig_engine_of(&eng, db.c), CORM_EINVAL);
	assert_null(eng);
	assert_non_null(strstr(corm_errmsg(db.c), "'oracle'"));
	assert_int_equal(corm_mig_lock(db.c), CORM_EINVAL);
	assert_int_equal(corm_history_read(&hist, db.c), CORM_EINVAL);
	assert_int_equal(corm_introspect_text(&out, db.c, NULL), CORM_EINVAL);
	assert_int_equal(corm_introspect_pad_space(&out, db.c), CORM_EINVAL);
	assert_int_equal(corm_mig_apply(&skipped, db.c, &e, never,
		strlen(never), true, &err), CORM_EINVAL);
	assert_non_null(strstr(corm_buf_cstr(&err), "'oracle'"));
	db.c->driver = real;
	{
		char *t = mig_tables(db.c);

		assert_string_equal(t, "");
		corm_free(t);
	}
	mig_db_close(&db);
	corm_buf_free(&out);
	corm_buf_free(&err);
	corm_plan_free(plan);
	corm_schema_free(a);
	corm_schema_free(b);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status__every_state),
		cmocka_unit_test(test_status__every_allocation_failure),
		cmocka_unit_test(test_status__an_unknown_engine_is_an_error),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_status",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
