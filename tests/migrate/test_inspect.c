/*
 * test_inspect.c — `corm inspect` (corm_introspect_text) of a database
 * corm did not make, one engine per run (argv[1]: sqlite, postgres or
 * mysql): table and column names that are not identifiers, two tables
 * that would get one model name, string defaults with quotes and
 * control characters, foreign keys on columns not called <x>_id, ON
 * DELETE RESTRICT and CASCADE, columns starting with a digit or that
 * would get one field name. Whatever it reads, the text must parse as
 * a schema, and when it cannot, the error says why. And (SQLite) every
 * allocation of introspection failing once.
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

/*
 * Run `tmpl` with each `[name]` replaced by the quoted identifier and
 * each `{text}` by a string literal in the engine's spelling ('' for a
 * quote; MySQL doubles backslashes too).
 */
static void exec_q(corm_conn *c, const char *tmpl)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_buf sql = CORM_BUF_INIT, id = CORM_BUF_INIT;
	const char *p, *e;
	int rc;

	for (p = tmpl; *p; p++) {
		if (*p == '[' && (e = strchr(p, ']')) != NULL) {
			corm_buf_clear(&id);
			corm_buf_put(&id, p + 1, (size_t)(e - p - 1));
			corm_dialect_quote(&sql, d, corm_buf_cstr(&id));
			p = e;
		} else if (*p == '{' && (e = strchr(p, '}')) != NULL) {
			corm_buf_putc(&sql, '\'');
			for (p++; p < e; p++) {
				if (*p == '\'' || (*p == '\\' && on("mysql")))
					corm_buf_putc(&sql, *p);
				corm_buf_putc(&sql, *p);
			}
			corm_buf_putc(&sql, '\'');
		} else {
			corm_buf_putc(&sql, *p);
		}
	}
	rc = corm_exec(c, corm_buf_cstr(&sql));
	if (rc)
		print_error("%s: %s\n", corm_buf_cstr(&sql), corm_errmsg(c));
	assert_int_equal(rc, CORM_OK);
	corm_buf_free(&sql);
	corm_buf_free(&id);
}

/* Introspect without a hint; the text must parse. corm_free it. */
static char *inspect(corm_conn *c)
{
	corm_buf text = CORM_BUF_INIT;
	corm_diags d = CORM_DIAGS_INIT;
	corm_schema *s = NULL;
	int rc;

	assert_int_equal(corm_introspect_text(&text, c, NULL), CORM_OK);
	rc = corm_schema_parse(&s, &d, corm_buf_cstr(&text), text.len);
	if (rc != CORM_OK) {
		corm_buf b = CORM_BUF_INIT;

		corm_diags_render(&b, &d, "inspected.corm", corm_buf_cstr(&text),
			text.len);
		print_error("inspected text does not parse:\n%s\n%s\n",
			corm_buf_cstr(&text), corm_buf_cstr(&b));
		corm_buf_free(&b);
	}
	assert_int_equal(rc, CORM_OK);
	corm_schema_free(s);
	corm_diags_free(&d);
	return corm_buf_detach(&text);
}

static void expect_line(const char *text, const char *line)
{
	if (!strstr(text, line))
		fail_msg("no line '%s' in:\n%s", line, text);
}

static void open_db(mig_db *db)
{
	assert_int_equal(mig_db_open(db, g_engine.name, g_engine.url), CORM_OK);
}

/* ---------------------------------------------------------------- names */

static void test_inspect__names_that_are_not_identifiers(void **state)
{
	mig_db db;
	char *text;

	(void)state;
	open_db(&db);
	exec_q(db.c, "CREATE TABLE [order items] ([id] INTEGER PRIMARY KEY, "
		"[Weird-Col] INTEGER, [caf\xc3\xa9] INTEGER, [x y z] INTEGER)");
	/* The same model name as "order items": a number is added. */
	exec_q(db.c, "CREATE TABLE [order_items] ([id] INTEGER PRIMARY KEY)");
	exec_q(db.c, "CREATE TABLE [OrderLog] ([id] INTEGER PRIMARY KEY, "
		"[owner] INTEGER REFERENCES [order items] ([id]), "
		"[item_id] INTEGER REFERENCES [order items] ([id]) "
		"ON DELETE RESTRICT, "
		"[gone_id] INTEGER REFERENCES [order_items] ([id]) "
		"ON DELETE CASCADE)");
	exec_q(db.c, "CREATE TABLE [2024 stats] ([id] INTEGER PRIMARY KEY)");
	exec_q(db.c, "CREATE TABLE [--] ([id] INTEGER PRIMARY KEY)");
	text = inspect(db.c);

	expect_line(text, "    @@map(\"order items\")\n");
	expect_line(text, "    Weird_Col i32? @map(\"Weird-Col\")\n");
	expect_line(text, "    x_y_z i32? @map(\"x y z\")\n");
	expect_line(text, "    @@map(\"OrderLog\")\n");
	expect_line(text, "model T2024Stats {\n");
	expect_line(text, "    @@map(\"2024 stats\")\n");
	expect_line(text, "    @@map(\"--\")\n");
	expect_line(text, "    caf__ i32? @map(\"caf\xc3\xa9\")\n");
	expect_line(text, "model OrderItems2 {\n");
	if (on("mysql")) {
		/* InnoDB indexes every foreign key, and does not tell
		 * RESTRICT from NO ACTION: without a hint, the default. */
		expect_line(text, "    owner OrderItems? @index @map(\"owner\")\n");
		expect_line(text, "    item OrderItems? @index\n");
		expect_line(text, "    gone OrderItems2? @index "
			"@on_delete(cascade)\n");
	} else {
		/* A relation on a column not named <x>_id keeps its column. */
		expect_line(text, "    owner OrderItems? @map(\"owner\")\n");
		expect_line(text, "    item OrderItems? @on_delete(restrict)\n");
		expect_line(text, "    gone OrderItems2? @on_delete(cascade)\n");
	}
	corm_free(text);
	mig_db_close(&db);
}

/* Issue 12: tables made by an earlier corm with utf8mb4_bin (PAD SPACE:
 * 'x' = 'x ') are found, with the SQL that converts them to the NO PAD
 * collation; after it runs, 'x' and 'x ' are two values, and nothing
 * more is found. The other engines have nothing to convert. */
static void test_inspect__pad_space_tables_are_found_and_converted(
	void **state)
{
	mig_db db;
	corm_buf fix = CORM_BUF_INIT;

	(void)state;
	open_db(&db);
	if (on("mysql")) {
		exec_q(db.c, "CREATE TABLE [parent] ([code] VARCHAR(10) NOT NULL "
			"PRIMARY KEY) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
			"COLLATE=utf8mb4_bin");
		exec_q(db.c, "CREATE TABLE [child] ([id] INTEGER PRIMARY KEY, "
			"[code] VARCHAR(10) REFERENCES [parent] ([code]), [note] "
			"LONGTEXT) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 "
			"COLLATE=utf8mb4_bin");
		exec_q(db.c, "INSERT INTO [parent] VALUES ({x})");
		exec_q(db.c, "CREATE TABLE [fine] ([v] VARCHAR(10))"
			" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE="
			"utf8mb4_nopad_bin");
		/* NO PAD but case-insensitive: 'x' = 'X'. */
		exec_q(db.c, "CREATE TABLE [nocase] ([v] VARCHAR(10))"
			" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE="
			"utf8mb4_unicode_nopad_ci");
	} else {
		exec_q(db.c, "CREATE TABLE [parent] ([code] VARCHAR(10) NOT NULL "
			"PRIMARY KEY)");
		exec_q(db.c, "INSERT INTO [parent] VALUES ({x})");
	}
	assert_int_equal(corm_introspect_pad_space(&fix, db.c), CORM_OK);
	if (on("mysql")) {
		assert_string_equal(corm_buf_cstr(&fix),
			"SET foreign_key_checks = 0;\n"
			"ALTER TABLE `child` DROP FOREIGN KEY `child_ibfk_1`;\n"
			"ALTER TABLE `child` CONVERT TO CHARACTER SET utf8mb4 "
			"/*M!100202 COLLATE utf8mb4_nopad_bin*/ /*!80017 COLLATE "
			"utf8mb4_0900_bin*/;\n"
			"ALTER TABLE `nocase` CONVERT TO CHARACTER SET utf8mb4 "
			"/*M!100202 COLLATE utf8mb4_nopad_bin*/ /*!80017 COLLATE "
			"utf8mb4_0900_bin*/;\n"
			"ALTER TABLE `parent` CONVERT TO CHARACTER SET utf8mb4 "
			"/*M!100202 COLLATE utf8mb4_nopad_bin*/ /*!80017 COLLATE "
			"utf8mb4_0900_bin*/;\n"
			"ALTER TABLE `child` ADD CONSTRAINT `child_ibfk_1` FOREIGN "
			"KEY (`code`) REFERENCES `parent` (`code`) ON DELETE "
			"RESTRICT ON UPDATE RESTRICT;\n"
			"SET foreign_key_checks = 1;\n");
		/* Before: 'x ' is a duplicate of 'x'. */
		assert_int_equal(corm_exec(db.c, "INSERT INTO `parent` VALUES "
			"('x ')"), CORM_EUNIQUE);
		if (corm_exec(db.c, corm_buf_cstr(&fix)) != CORM_OK)
			fail_msg("%s: %s", corm_buf_cstr(&fix), corm_errmsg(db.c));
		corm_buf_clear(&fix);
		assert_int_equal(corm_introspect_pad_space(&fix, db.c), CORM_OK);
	}
	assert_int_equal(fix.len, 0);
	/* 'x ' is a value of its own on every engine. */
	exec_q(db.c, "INSERT INTO [parent] VALUES ({x })");
	corm_buf_free(&fix);
	mig_db_close(&db);
}

/* A column starting with a digit is a field after "f_"; two columns that
 * would get one field name get two, the identifier keeping its own. */
static void test_inspect__fields_from_digits_and_clashes(void **state)
{
	mig_db db;
	char *text;

	(void)state;
	open_db(&db);
	exec_q(db.c, "CREATE TABLE [2x] ([id] INTEGER PRIMARY KEY)");
	exec_q(db.c, "CREATE TABLE [u] ([id] INTEGER PRIMARY KEY, "
		"[2fa] INTEGER, [9] INTEGER, [a b] INTEGER, [a_b] INTEGER, "
		"[item] INTEGER, [item_id] INTEGER REFERENCES [2x] ([id]), "
		"[3d_id] INTEGER REFERENCES [2x] ([id]))");
	text = inspect(db.c);
	expect_line(text, "model T2x {\n");
	expect_line(text, "    f_2fa i32? @map(\"2fa\")\n");
	expect_line(text, "    f_9 i32? @map(\"9\")\n");
	expect_line(text, "    a_b2 i32? @map(\"a b\")\n");
	expect_line(text, "    a_b i32?\n");
	expect_line(text, "    item i32?\n");
	if (on("mysql")) {
		expect_line(text, "    item2 T2x? @index @map(\"item_id\")\n");
		expect_line(text, "    f_3d_id T2x? @index @map(\"3d_id\")\n");
	} else {
		expect_line(text, "    item2 T2x? @map(\"item_id\")\n");
		expect_line(text, "    f_3d_id T2x? @map(\"3d_id\")\n");
	}
	corm_free(text);
	mig_db_close(&db);
}

/* A database that does not read back as a valid schema (here a column
 * name too long for PostgreSQL) is refused with a message saying why. */
static void test_inspect__an_invalid_schema_is_explained(void **state)
{
	char name[80], sql[160];
	corm_schema *s = NULL;
	mig_db db;

	(void)state;
	if (on("postgres"))
		skip(); /* it keeps 63 bytes of a name: valid everywhere */
	open_db(&db);
	memset(name, 'x', 64);
	name[64] = '\0';
	snprintf(sql, sizeof(sql), "CREATE TABLE [t] ([id] INTEGER PRIMARY KEY, "
		"[%s] INTEGER)", name);
	exec_q(db.c, sql);
	assert_int_equal(corm_introspect(&s, db.c, NULL), CORM_EINVAL);
	assert_null(s);
	if (!strstr(corm_errmsg(db.c), "too long for postgres"))
		fail_msg("unexpected message: '%s'", corm_errmsg(db.c));
	mig_db_close(&db);
}

/* ------------------------------------------------------------- defaults */

static void test_inspect__defaults_with_quotes_and_controls(void **state)
{
	mig_db db;
	char *text;

	(void)state;
	open_db(&db);
	exec_q(db.c, "CREATE TABLE [d] ([id] INTEGER PRIMARY KEY, "
		"[q] VARCHAR(40) NOT NULL DEFAULT {say \"hi\" it's \\ ok}, "
		"[tab] VARCHAR(40) NOT NULL DEFAULT {a\tb}, "
		"[nl] VARCHAR(40) NOT NULL DEFAULT {a\nb\rc}, "
		"[path] VARCHAR(40) NOT NULL DEFAULT {C:\\new\\table 50\\% off})");
	text = inspect(db.c);
	expect_line(text, "    q string(40) @default(\"say \\\"hi\\\" it's "
		"\\\\ ok\")\n");
	expect_line(text, "    tab string(40) @default(\"a\\tb\")\n");
	/* MariaDB prints this one 'a\nb\rc', with backslash escapes. */
	expect_line(text, "    nl string(40) @default(\"a\\nb\\rc\")\n");
	/* Backslashes that are text: 'C:\\new...' there. */
	expect_line(text, "    path string(40) @default(\"C:\\\\new\\\\table "
		"50\\\\% off\")\n");
	corm_free(text);
	if (on("mysql")) {
		/* A NUL ('a\0b') cannot be written in the DSL: no default. */
		assert_int_equal(corm_exec(db.c, "ALTER TABLE d ADD nul "
			"VARCHAR(40) NOT NULL DEFAULT 'a\\0b'"), CORM_OK);
		text = inspect(db.c);
		expect_line(text, "    nul string(40)\n");
		corm_free(text);
	}
	mig_db_close(&db);
}

/* -------------------------------------------------- running out of memory */

/*
 * SQLite in memory: every allocation of corm_introspect_text failing
 * once. Each run answers CORM_ENOMEM, or CORM_OK with the whole text;
 * nothing leaks. Column t has the members of s: the run where the name
 * of their enum cannot be allocated must not hand t a NULL name.
 */
static void test_inspect__every_allocation_failure(void **state)
{
	corm_conn *c = NULL;
	char *want = NULL;
	long n;
	int rc = CORM_ENOMEM;

	(void)state;
	if (!on("sqlite"))
		skip();
	for (n = 1; n < 100000; n++) {
		corm_buf text = CORM_BUF_INIT;

		test_alloc_install(n);
		test_alloc_disarm();
		assert_int_equal(corm_conn_open(&c, "sqlite::memory:"), CORM_OK);
		exec_q(c, "CREATE TABLE [a b] ([id] INTEGER PRIMARY KEY, "
			"[s] VARCHAR(64) NOT NULL DEFAULT {draft} CHECK ([s] IN "
			"({draft}, {done})), [n] NUMERIC(10,2) DEFAULT 1.5, "
			"[w] TEXT DEFAULT {it's}, "
			"[t] VARCHAR(64) CHECK ([t] IN ({draft}, {done})))");
		exec_q(c, "CREATE TABLE [b] ([id] INTEGER PRIMARY KEY AUTOINCREMENT, "
			"[a_id] INTEGER NOT NULL REFERENCES [a b] ([id]) ON DELETE "
			"CASCADE, [k] VARCHAR(10), [at] TIMESTAMP DEFAULT "
			"CURRENT_TIMESTAMP, UNIQUE ([a_id], [k]))");
		exec_q(c, "CREATE INDEX [b_k] ON [b] ([k])");
		test_alloc_arm();
		rc = corm_introspect_text(&text, c, NULL);
		test_alloc_disarm();
		if (rc != CORM_OK && rc != CORM_ENOMEM)
			fail_msg("allocation %ld failed: rc %d (%s)", n, rc,
				corm_strerror(rc));
		if (test_alloc.failed == 0) {
			assert_int_equal(rc, CORM_OK);
			want = strdup(corm_buf_cstr(&text));
		}
		corm_buf_free(&text);
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
	print_message("introspection: %ld allocations\n", n - 1);
	assert_non_null(want);
	assert_true(n > 20);
	expect_line(want, "    s ABS @default(draft)\n");
	expect_line(want, "    w text? @default(\"it's\")\n");
	expect_line(want, "    t ABS?\n");
	free(want);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_inspect__names_that_are_not_identifiers),
		cmocka_unit_test(test_inspect__fields_from_digits_and_clashes),
		cmocka_unit_test(test_inspect__an_invalid_schema_is_explained),
		cmocka_unit_test(test_inspect__defaults_with_quotes_and_controls),
		cmocka_unit_test(test_inspect__pad_space_tables_are_found_and_converted),
		cmocka_unit_test(test_inspect__every_allocation_failure),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_inspect",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	srand((unsigned)getpid());
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
