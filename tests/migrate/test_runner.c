/*
 * test_runner.c — the runner and the history table on their own, one
 * engine per run (argv[1]: sqlite, postgres or mysql), where the CLI
 * tests do not reach: a migration applied twice or reverted when it was
 * not applied, statements behind comments, a COMMIT that fails, foreign
 * keys that do not hold after a SQLite rebuild, a corm_migrations table
 * that is not corm's, MySQL's refusal to go on after a failed migration,
 * resolve, and (SQLite) running out of memory at every allocation of
 * applying and reverting a migration.
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

static void expect_tables(corm_conn *c, const char *want)
{
	char *got = mig_tables(c);

	if (strcmp(got, want) != 0)
		print_error("tables: want %s, got %s\n", want, got);
	assert_string_equal(got, want);
	corm_free(got);
}

/* corm_mig_apply of the text `sql`. */
static int apply(bool *skipped, corm_conn *c, const corm_mig_entry *e,
	const char *sql, bool up, corm_buf *err)
{
	corm_buf_clear(err);
	return corm_mig_apply(skipped, c, e, sql, strlen(sql), up, err);
}

static void open_db(mig_db *db)
{
	assert_int_equal(mig_db_open(db, g_engine.name, g_engine.url), CORM_OK);
}

/* ------------------------------------------------------------ the history */

static void test_runner__up_twice_and_down_twice(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"init",
		(char *)"."};
	const char *up = "CREATE TABLE r_one (id INTEGER PRIMARY KEY);\n"
		"INSERT INTO r_one (id) VALUES (7);\n";
	const char *down = "DROP TABLE r_one;\n";
	corm_buf err = CORM_BUF_INIT;
	corm_mig_history h;
	char sum[65];
	bool skipped;
	mig_db db;

	(void)state;
	open_db(&db);
	/* No table yet: an empty history, not an error. */
	assert_int_equal(corm_history_read(&h, db.c), CORM_OK);
	assert_int_equal(h.count, 0);
	assert_null(h.items);

	assert_int_equal(apply(&skipped, db.c, &e, up, true, &err), CORM_OK);
	assert_false(skipped);
	assert_int_equal(err.len, 0);
	/* Again: already applied, nothing runs (the INSERT would fail). */
	assert_int_equal(apply(&skipped, db.c, &e, up, true, &err), CORM_OK);
	assert_true(skipped);
	mig_expect_rows(db.c, "SELECT id FROM r_one", "7;");

	assert_int_equal(corm_history_read(&h, db.c), CORM_OK);
	assert_int_equal(h.count, 1);
	assert_string_equal(h.items[0].version, "20260101000000");
	assert_string_equal(h.items[0].name, "init");
	corm_mig_sha256_hex(sum, up, strlen(up));
	assert_string_equal(h.items[0].checksum, sum);
	assert_string_equal(h.items[0].status, "applied");
	/* MySQL counts the statements done as it goes. */
	assert_int_equal(h.items[0].step, on("mysql") ? 2 : 0);
	/* UTC, to the second: 2026-01-02T03:04:05Z */
	assert_int_equal(strlen(h.items[0].applied_at), 20);
	assert_int_equal(h.items[0].applied_at[10], 'T');
	assert_int_equal(h.items[0].applied_at[19], 'Z');
	corm_history_free(&h);
	corm_history_free(&h); /* twice is harmless */
	corm_history_free(NULL);

	assert_int_equal(apply(&skipped, db.c, &e, down, false, &err), CORM_OK);
	assert_false(skipped);
	expect_tables(db.c, "corm_migrations;");
	mig_expect_rows(db.c, "SELECT COUNT(*) FROM corm_migrations", "0;");
	/* Not applied any more: reverting again does nothing. */
	assert_int_equal(apply(&skipped, db.c, &e, down, false, &err), CORM_OK);
	assert_true(skipped);
	assert_int_equal(err.len, 0);
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* Many rows: the history's list grows past its first allocation. */
static void test_runner__a_long_history(void **state)
{
	corm_buf err = CORM_BUF_INIT;
	corm_mig_history h;
	char version[15], name[16];
	bool skipped;
	mig_db db;
	int i;

	(void)state;
	open_db(&db);
	for (i = 40; i >= 1; i--) {
		corm_mig_entry e = {version, name, (char *)"."};

		snprintf(version, sizeof(version), "202601010000%02d", i);
		snprintf(name, sizeof(name), "m%d", i);
		assert_int_equal(apply(&skipped, db.c, &e, "", true, &err), CORM_OK);
	}
	assert_int_equal(corm_history_read(&h, db.c), CORM_OK);
	assert_int_equal(h.count, 40);
	for (i = 0; i < 40; i++) {
		snprintf(version, sizeof(version), "202601010000%02d", i + 1);
		assert_string_equal(h.items[i].version, version);
	}
	corm_history_free(&h);
	corm_buf_free(&err);
	mig_db_close(&db);
}

static void test_runner__resolve(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"by_hand",
		(char *)"."};
	mig_db db;

	(void)state;
	open_db(&db);
	/* The user applied it by hand: recorded with the given checksum. */
	assert_int_equal(corm_mig_resolve(db.c, &e, "abc", true), CORM_OK);
	mig_expect_rows(db.c, "SELECT version, name, checksum, status, step FROM "
		"corm_migrations", "20260101000000|by_hand|abc|applied|0;");
	/* Twice: still one row. */
	assert_int_equal(corm_mig_resolve(db.c, &e, "def", true), CORM_OK);
	mig_expect_rows(db.c, "SELECT checksum FROM corm_migrations", "def;");
	/* Rolled back by hand: no row. */
	assert_int_equal(corm_mig_resolve(db.c, &e, "def", false), CORM_OK);
	mig_expect_rows(db.c, "SELECT COUNT(*) FROM corm_migrations", "0;");
	mig_db_close(&db);
}

/* A corm_migrations table made by someone else, with columns that may be
 * NULL and a step that is not a number: read as "" and 0. A row whose
 * status is empty counts as applied. */
static void test_runner__a_hand_made_history_table(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"x", (char *)"."};
	corm_buf err = CORM_BUF_INIT;
	corm_mig_history h;
	bool skipped;
	mig_db db;

	(void)state;
	open_db(&db);
	mig_exec_ok(db.c, "CREATE TABLE corm_migrations (version VARCHAR(14) NOT "
		"NULL PRIMARY KEY, name VARCHAR(255), checksum VARCHAR(64), "
		"applied_at VARCHAR(32), status VARCHAR(16), step VARCHAR(16))");
	mig_exec_ok(db.c, "INSERT INTO corm_migrations (version, step, status) "
		"VALUES ('20260101000000', 'many', '')");
	assert_int_equal(corm_history_read(&h, db.c), CORM_OK);
	assert_int_equal(h.count, 1);
	assert_string_equal(h.items[0].version, "20260101000000");
	assert_string_equal(h.items[0].name, "");
	assert_string_equal(h.items[0].checksum, "");
	assert_string_equal(h.items[0].applied_at, "");
	assert_string_equal(h.items[0].status, "");
	assert_int_equal(h.items[0].step, 0);
	corm_history_free(&h);
	/* Its row says applied (status ""): up does nothing. */
	assert_int_equal(apply(&skipped, db.c, &e,
		"CREATE TABLE r_never (id INTEGER);", true, &err), CORM_OK);
	assert_true(skipped);
	expect_tables(db.c, "corm_migrations;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* A corm_migrations table of another tool: reading it is an error, and
 * a migration is not applied. The error says so, in the engine's words
 * (SQLite and PostgreSQL read it inside the transaction, whose rollback
 * must not wipe them), and is still the connection's. */
static void test_runner__a_foreign_history_table(void **state)
{
	static const char prefix[] = "cannot read corm_migrations: ";
	corm_mig_entry e = {(char *)"20260101000000", (char *)"x", (char *)"."};
	corm_buf err = CORM_BUF_INIT;
	corm_mig_history h;
	bool skipped;
	mig_db db;
	int rc;

	(void)state;
	open_db(&db);
	mig_exec_ok(db.c, "CREATE TABLE corm_migrations (id INTEGER PRIMARY KEY)");
	rc = corm_history_read(&h, db.c);
	assert_true(rc < 0);
	assert_null(h.items);
	assert_int_equal(h.count, 0);
	rc = apply(&skipped, db.c, &e, "CREATE TABLE r_never (id INTEGER);",
		true, &err);
	assert_true(rc < 0);
	assert_false(skipped);
	if (strncmp(corm_buf_cstr(&err), prefix, strlen(prefix)) != 0 ||
		!strstr(corm_buf_cstr(&err), "status"))
		fail_msg("unexpected message: '%s'", corm_buf_cstr(&err));
	assert_string_equal(corm_errmsg(db.c), corm_buf_cstr(&err) +
		strlen(prefix));
	assert_int_equal(corm_errcode(db.c), rc);
	expect_tables(db.c, "corm_migrations;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* ------------------------------------------------------------- failures */

/* Comments before a statement are not shown in the failure message. */
static void test_runner__a_failing_statement_is_named(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"bad",
		(char *)"."};
	const char *sql = "-- the table\n/* made here */ CREATE TABLE r_ok "
		"(id INTEGER PRIMARY KEY);\n"
		"/* a */ /* b */\n-- c\nINSERT INTO r_no_such_table (id) VALUES (1);\n";
	const char *tail = "\n    INSERT INTO r_no_such_table (id) VALUES (1)";
	corm_buf err = CORM_BUF_INIT;
	const char *msg;
	bool skipped;
	mig_db db;
	int rc;

	(void)state;
	open_db(&db);
	rc = apply(&skipped, db.c, &e, sql, true, &err);
	assert_true(rc < 0);
	msg = corm_buf_cstr(&err);
	if (strncmp(msg, "statement 2 of 2 failed: ", 25) != 0 ||
		strlen(msg) < strlen(tail) ||
		strcmp(msg + strlen(msg) - strlen(tail), tail) != 0)
		fail_msg("unexpected message: %s", msg);
	/* The engine's own words are in between. */
	assert_non_null(strstr(msg, "r_no_such_table"));
	if (on("mysql"))
		mig_expect_rows(db.c, "SELECT status, step FROM corm_migrations",
			"failed|1;");
	else
		expect_tables(db.c, "corm_migrations;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* A deferred foreign key fails at COMMIT: nothing is applied. MySQL has
 * no deferred constraints. */
static void test_runner__a_failing_commit(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"late",
		(char *)"."};
	const char *sql = "CREATE TABLE r_parent (id INTEGER PRIMARY KEY);\n"
		"CREATE TABLE r_child (id INTEGER PRIMARY KEY, parent_id INTEGER "
		"REFERENCES r_parent (id) DEFERRABLE INITIALLY DEFERRED);\n"
		"INSERT INTO r_child (id, parent_id) VALUES (1, 42);\n";
	corm_buf err = CORM_BUF_INIT;
	bool skipped;
	mig_db db;
	int rc;

	(void)state;
	if (on("mysql"))
		skip();
	open_db(&db);
	rc = apply(&skipped, db.c, &e, sql, true, &err);
	assert_int_equal(rc, CORM_EFOREIGNKEY);
	assert_int_equal(strncmp(corm_buf_cstr(&err), "COMMIT failed: ", 15), 0);
	expect_tables(db.c, "corm_migrations;");
	mig_expect_rows(db.c, "SELECT COUNT(*) FROM corm_migrations", "0;");
	/* The connection is usable: a good migration goes through. */
	assert_int_equal(apply(&skipped, db.c, &e,
		"CREATE TABLE r_fine (id INTEGER);", true, &err), CORM_OK);
	expect_tables(db.c, "corm_migrations;r_fine;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* SQLite: a rebuild (foreign keys off) that leaves a dangling reference
 * is caught by its PRAGMA foreign_key_check and rolled back, and foreign
 * keys are on again afterwards. */
static void test_runner__foreign_key_check_fails_the_migration(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"rebuild",
		(char *)"."};
	const char *sql = "-- a comment above the marker\n"
		CORM_MIG_MARK_FK_OFF "\n"
		"CREATE TABLE r_parent (id INTEGER PRIMARY KEY);\n"
		"CREATE TABLE r_child (id INTEGER PRIMARY KEY, parent_id INTEGER "
		"REFERENCES r_parent (id));\n"
		"INSERT INTO r_child (id, parent_id) VALUES (1, 42);\n"
		"-- the check\npragma FOREIGN_KEY_CHECK;\n";
	corm_buf err = CORM_BUF_INIT;
	bool skipped;
	mig_db db;

	(void)state;
	if (!on("sqlite"))
		skip();
	open_db(&db);
	assert_int_equal(apply(&skipped, db.c, &e, sql, true, &err),
		CORM_EFOREIGNKEY);
	assert_string_equal(corm_buf_cstr(&err), "foreign keys do not hold "
		"after the migration (PRAGMA foreign_key_check reports table "
		"r_child)");
	expect_tables(db.c, "corm_migrations;");
	mig_expect_rows(db.c, "PRAGMA foreign_keys", "1;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* SQLite: an index named corm_migrations keeps the history table from
 * being made; said so, and nothing runs. */
static void test_runner__no_history_table_can_be_made(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"x", (char *)"."};
	corm_buf err = CORM_BUF_INIT;
	bool skipped;
	mig_db db;

	(void)state;
	if (!on("sqlite"))
		skip();
	open_db(&db);
	mig_exec_ok(db.c, "CREATE TABLE r_other (id INTEGER)");
	mig_exec_ok(db.c, "CREATE INDEX corm_migrations ON r_other (id)");
	assert_true(apply(&skipped, db.c, &e, "CREATE TABLE r_never (id "
		"INTEGER);", true, &err) < 0);
	assert_int_equal(strncmp(corm_buf_cstr(&err),
		"cannot create corm_migrations: ", 31), 0);
	assert_non_null(strstr(corm_buf_cstr(&err), "corm_migrations"));
	assert_true(corm_mig_resolve(db.c, &e, "abc", true) < 0);
	expect_tables(db.c, "r_other;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* SQLite: the runner's BEGIN IMMEDIATE inside a transaction the caller
 * left open fails, and the caller's transaction is not committed. */
static void test_runner__inside_an_open_transaction(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"x", (char *)"."};
	corm_buf err = CORM_BUF_INIT;
	bool skipped;
	mig_db db;

	(void)state;
	if (!on("sqlite"))
		skip();
	open_db(&db);
	assert_int_equal(corm_history_ensure(db.c), CORM_OK);
	mig_exec_ok(db.c, "BEGIN");
	mig_exec_ok(db.c, "CREATE TABLE r_mine (id INTEGER)");
	assert_true(apply(&skipped, db.c, &e, "CREATE TABLE r_never (id "
		"INTEGER);", true, &err) < 0);
	mig_exec_ok(db.c, "ROLLBACK");
	expect_tables(db.c, "corm_migrations;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* A failed recording (a trigger refuses the history row) rolls the
 * migration back on engines with transactional DDL. */
static void test_runner__the_history_row_cannot_be_written(void **state)
{
	static const char want[] = "cannot record the migration: no more "
		"migrations";
	corm_mig_entry e = {(char *)"20260101000000", (char *)"x", (char *)"."};
	corm_buf err = CORM_BUF_INIT;
	bool skipped;
	mig_db db;

	(void)state;
	if (!on("sqlite"))
		skip();
	open_db(&db);
	assert_int_equal(corm_history_ensure(db.c), CORM_OK);
	mig_exec_ok(db.c, "CREATE TRIGGER r_no BEFORE INSERT ON corm_migrations "
		"BEGIN SELECT RAISE(ABORT, 'no more migrations'); END");
	assert_true(apply(&skipped, db.c, &e, "CREATE TABLE r_never (id "
		"INTEGER);", true, &err) < 0);
	/* The engine's message, then its code ("[1811]"). */
	assert_int_equal(strncmp(corm_buf_cstr(&err), want, strlen(want)), 0);
	expect_tables(db.c, "corm_migrations;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* MySQL: after a migration failed half-way nothing more runs until the
 * user resolves it; then it counts as applied. */
static void test_runner__mysql_refuses_after_a_failure(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"half",
		(char *)"."};
	const char *sql = "CREATE TABLE r_done (id INTEGER);\n"
		"INSERT INTO r_missing (id) VALUES (1);\n";
	corm_buf err = CORM_BUF_INIT;
	bool skipped;
	mig_db db;

	(void)state;
	if (!on("mysql"))
		skip();
	open_db(&db);
	assert_true(apply(&skipped, db.c, &e, sql, true, &err) < 0);
	mig_expect_rows(db.c, "SELECT status, step FROM corm_migrations",
		"failed|1;");
	assert_int_equal(apply(&skipped, db.c, &e, sql, true, &err),
		CORM_EINVAL);
	assert_false(skipped);
	assert_string_equal(corm_buf_cstr(&err), "migration 20260101000000_half "
		"is failed; run 'corm migrate resolve 20260101000000 "
		"--applied|--rolled-back' first");
	/* Down refuses too. */
	assert_int_equal(apply(&skipped, db.c, &e, "DROP TABLE r_done;", false,
		&err), CORM_EINVAL);
	/* The user finished it by hand. */
	mig_exec_ok(db.c, "CREATE TABLE r_missing (id INTEGER)");
	assert_int_equal(corm_mig_resolve(db.c, &e, "abc", true), CORM_OK);
	assert_int_equal(apply(&skipped, db.c, &e, sql, true, &err), CORM_OK);
	assert_true(skipped);
	/* A down that fails is marked failed too, at its statement. */
	assert_true(apply(&skipped, db.c, &e, "DROP TABLE r_done;\n"
		"DROP TABLE r_gone;\n", false, &err) < 0);
	mig_expect_rows(db.c, "SELECT status, step FROM corm_migrations",
		"failed|1;");
	corm_buf_free(&err);
	mig_db_close(&db);
}

/* -------------------------------------------------- running out of memory */

/* Rows in the history (none when it has no table). */
static size_t history_count(corm_conn *c)
{
	corm_mig_history h;
	size_t n;

	assert_int_equal(corm_history_read(&h, c), CORM_OK);
	n = h.count;
	corm_history_free(&h);
	return n;
}

/*
 * SQLite in memory: apply (up) or revert (down) a migration with
 * allocation N failing, for every N (alone, or with all later ones when
 * `sticky`). A run that fails answers CORM_ENOMEM and leaves the database
 * as it was: no open transaction, foreign keys on, rows and history
 * unchanged; nothing leaks. The up is a table rebuild (foreign keys
 * switched off around it) that keeps the table's index and trigger. Returns the allocations of one run.
 */
static long oom_loop(bool up, bool sticky)
{
	static const corm_mig_entry e = {(char *)"20260101000000",
		(char *)"rebuild", (char *)"."};
	static const char rebuild[] = CORM_MIG_MARK_FK_OFF "\n"
		CORM_MIG_MARK_REBUILD "\"r_old\"\n"
		"CREATE TABLE r_new (id INTEGER PRIMARY KEY, v TEXT NOT NULL);\n"
		"INSERT INTO r_new (id, v) SELECT id, v FROM r_old;\n"
		"DROP TABLE r_old;\n"
		"PRAGMA legacy_alter_table=ON;\n"
		"ALTER TABLE r_new RENAME TO r_old;\n"
		"PRAGMA legacy_alter_table=OFF;\n"
		"PRAGMA foreign_key_check;\n";
	static const char delete[] = "DELETE FROM r_old WHERE id = 2;\n";
	const char *sql = up ? rebuild : delete;
	corm_buf err = CORM_BUF_INIT;
	corm_conn *c = NULL;
	bool skipped;
	long n;
	int rc = CORM_ENOMEM;

	for (n = 1; n < 10000; n++) {
		if (sticky)
			test_alloc_install_from(n);
		else
			test_alloc_install(n);
		test_alloc_disarm(); /* set-up and checks do not fail */
		assert_int_equal(corm_conn_open(&c, "sqlite::memory:"), CORM_OK);
		mig_exec_ok(c, "CREATE TABLE r_old (id INTEGER PRIMARY KEY, v TEXT)");
		mig_exec_ok(c, "INSERT INTO r_old (id, v) VALUES (1, 'a'), (2, 'b')");
		/* kept across the rebuild (saved and made again) */
		mig_exec_ok(c, "CREATE INDEX r_v ON r_old (v); CREATE TRIGGER r_t "
			"AFTER DELETE ON r_old BEGIN SELECT 1; END");
		if (!up)
			assert_int_equal(corm_mig_apply(&skipped, c, &e, rebuild,
				strlen(rebuild), true, &err), CORM_OK);

		test_alloc_arm();
		rc = corm_mig_apply(&skipped, c, &e, sql, strlen(sql), up, &err);
		test_alloc_disarm();

		if (rc != CORM_OK && rc != CORM_ENOMEM)
			fail_msg("allocation %ld failed: rc %d (%s): %s", n, rc,
				corm_strerror(rc), corm_buf_cstr(&err));
		assert_false(skipped);
		/* Not inside a transaction any more, foreign keys on. */
		mig_exec_ok(c, "BEGIN");
		mig_exec_ok(c, "ROLLBACK");
		mig_expect_rows(c, "PRAGMA foreign_keys", "1;");
		mig_expect_rows(c, "PRAGMA legacy_alter_table", "0;");
		mig_expect_rows(c, "SELECT name FROM sqlite_master WHERE type IN "
			"('index', 'trigger') AND sql IS NOT NULL ORDER BY name",
			"r_t;r_v;");
		if (up) {
			mig_expect_rows(c, "SELECT id, v FROM r_old ORDER BY id",
				"1|a;2|b;");
			mig_expect_rows(c, "SELECT \"notnull\" FROM pragma_table_info("
				"'r_old') WHERE name = 'v'", rc == CORM_OK ? "1;" : "0;");
			assert_int_equal(history_count(c), rc == CORM_OK ? 1 : 0);
		} else {
			mig_expect_rows(c, "SELECT id FROM r_old ORDER BY id",
				rc == CORM_OK ? "1;" : "1;2;");
			assert_int_equal(history_count(c), rc == CORM_OK ? 0 : 1);
		}
		corm_buf_free(&err);
		corm_conn_close(c);
		if (test_alloc.live != 0) {
			test_alloc_uninstall();
			fail_msg("allocation %ld failed: %ld blocks leaked", n,
				test_alloc.live);
		}
		if (test_alloc.failed == 0)
			break;
	}
	test_alloc_uninstall();
	assert_int_equal(rc, CORM_OK);
	print_message("%s: %ld allocations%s\n", up ? "apply" : "revert", n - 1,
		sticky ? " (failing from N on)" : "");
	return n - 1;
}

static void test_runner__every_allocation_failure(void **state)
{
	(void)state;
	if (!on("sqlite"))
		skip();
	assert_true(oom_loop(true, false) > 10);
	oom_loop(true, true);
	assert_true(oom_loop(false, false) > 5);
	oom_loop(false, true);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_runner__up_twice_and_down_twice),
		cmocka_unit_test(test_runner__a_long_history),
		cmocka_unit_test(test_runner__resolve),
		cmocka_unit_test(test_runner__a_hand_made_history_table),
		cmocka_unit_test(test_runner__a_foreign_history_table),
		cmocka_unit_test(test_runner__a_failing_statement_is_named),
		cmocka_unit_test(test_runner__a_failing_commit),
		cmocka_unit_test(test_runner__foreign_key_check_fails_the_migration),
		cmocka_unit_test(test_runner__no_history_table_can_be_made),
		cmocka_unit_test(test_runner__inside_an_open_transaction),
		cmocka_unit_test(test_runner__the_history_row_cannot_be_written),
		cmocka_unit_test(test_runner__mysql_refuses_after_a_failure),
		cmocka_unit_test(test_runner__every_allocation_failure),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_runner",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	srand((unsigned)getpid());
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
