/*
 * test_inspect.c — `corm inspect` (corm_introspect_text) of a database
 * corm did not make, one engine per run (argv[1]: sqlite, postgres or
 * mysql): table and column names that are not identifiers, two tables
 * that would get one model name, string defaults with quotes and
 * control characters, foreign keys on columns not called <x>_id, ON
 * DELETE RESTRICT and CASCADE, columns starting with a digit or that
 * would get one field name. Whatever it reads, the text must parse as
 * a schema, and when it cannot, the error says why. And (SQLite) every
 * allocation of introspection failing once. Issue 13: a database with
 * every kind of column, key, index, foreign key and collation reads as
 * the golden golden/inspect.<engine>.corm (written by the per-table
 * readers, before they became one query per kind of fact), and the
 * number of statements introspection runs, counted by the server, does
 * not grow with the number of tables.
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
#include "tables.h"

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
		/* the reason first: print_error cuts long text */
		print_error("inspected text does not parse:\n%s\n%s\n",
			corm_buf_cstr(&b), corm_buf_cstr(&text));
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

/* ------------------------------------------------- the varied database */

/* The engine's spelling of the types that differ. */
typedef struct spelling {
	const char *autokey, *boolean, *stamp, *bytes, *json, *uuid, *dbl;
} spelling;

static spelling types(void)
{
	spelling s = {"INTEGER PRIMARY KEY AUTOINCREMENT", "BOOLEAN",
		"TIMESTAMP", "BLOB", "JSON_TEXT", "UUID", "DOUBLE PRECISION"};

	if (on("postgres")) {
		s.autokey = "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY";
		s.stamp = "TIMESTAMPTZ";
		s.bytes = "BYTEA";
		s.json = "JSONB";
	} else if (on("mysql")) {
		s.autokey = "BIGINT AUTO_INCREMENT PRIMARY KEY";
		s.boolean = "TINYINT(1)";
		s.stamp = "DATETIME(6)";
		s.bytes = "LONGBLOB";
		s.json = "JSON";
		s.uuid = "CHAR(36)";
		s.dbl = "DOUBLE";
	}
	return s;
}

/* exec_q of a printf format. */
static void exec_f(corm_conn *c, const char *fmt, ...)
{
	char sql[2048];
	va_list ap;

	va_start(ap, fmt);
	assert_true(vsnprintf(sql, sizeof(sql), fmt, ap) < (int)sizeof(sql));
	va_end(ap);
	exec_q(c, sql);
}

/*
 * Tables of every kind corm reads: each column type with and without
 * defaults (quotes, negatives, now, booleans), single, composite and
 * @auto keys, uniques and unique indexes, composite indexes, foreign keys
 * with each ON DELETE (self, composite, to a unique column), enum CHECKs
 * (MySQL: ENUM types), per-column collations; tables whose names sort
 * apart under the engine's collations ("café" and "cafe", one name to
 * MariaDB's information_schema collation); a view and a table named corm_migrations, both left out;
 * and enough tables that their rows come in many runs.
 */
static void make_varied(corm_conn *c)
{
	spelling t = types();
	const char *coll = on("mysql") ? "COLLATE utf8mb4_unicode_ci"
		: on("postgres") ? "COLLATE \"C\"" : "COLLATE NOCASE";
	int i;

	exec_f(c, "CREATE TABLE [account] ([id] %s, "
		"[email] VARCHAR(255) NOT NULL UNIQUE, "
		"[name] VARCHAR(100) NOT NULL DEFAULT {it's me}, "
		"[nick] VARCHAR(30) %s, "
		"[small] SMALLINT NOT NULL DEFAULT -7, [medium] INTEGER, "
		"[large] BIGINT DEFAULT 9000000000, [ratio] REAL DEFAULT 1.5, "
		"[precise] %s, [flag] %s NOT NULL DEFAULT FALSE, "
		"[on] %s DEFAULT TRUE, [bio] TEXT, [blob] %s, "
		"[price] DECIMAL(20,6) NOT NULL DEFAULT 0.5, "
		"[day] DATE, [clock] TIME, [stamp] %s NOT NULL DEFAULT "
		"CURRENT_TIMESTAMP, [uid] %s, [doc] %s)", t.autokey, coll, t.dbl,
		t.boolean, t.boolean, t.bytes, t.stamp, t.uuid, t.json);
	exec_q(c, "CREATE INDEX [account_name_small] ON [account] ([name], "
		"[small])");
	exec_q(c, "CREATE UNIQUE INDEX [account_nick] ON [account] ([nick])");
	if (on("mysql"))
		exec_q(c, "CREATE TABLE [post] ([id] INTEGER PRIMARY KEY, "
			"[status] ENUM('draft', 'it''s', 'done') NOT NULL DEFAULT "
			"'draft', [mood] ENUM('one'))");
	else
		exec_q(c, "CREATE TABLE [post] ([id] INTEGER PRIMARY KEY, "
			"[status] VARCHAR(64) NOT NULL DEFAULT {draft} CHECK ([status] "
			"IN ({draft}, {it's}, {done})), [mood] VARCHAR(64) CHECK "
			"([mood] IN ({one})))");
	exec_q(c, "CREATE TABLE [tag] ([post_id] INTEGER NOT NULL REFERENCES "
		"[post] ([id]) ON DELETE CASCADE, [name] VARCHAR(50) NOT NULL, "
		"[weight] INTEGER NOT NULL DEFAULT 1, "
		"PRIMARY KEY ([post_id], [name]))");
	exec_q(c, "CREATE TABLE [note] ([id] INTEGER PRIMARY KEY, "
		"[post_id] INTEGER REFERENCES [post] ([id]) ON DELETE SET NULL, "
		"[author] VARCHAR(255) REFERENCES [account] ([email]) ON DELETE "
		"RESTRICT, [parent_id] INTEGER REFERENCES [note] ([id]), "
		"[title] VARCHAR(100) NOT NULL, UNIQUE ([post_id], [title]))");
	exec_q(c, "CREATE INDEX [note_title] ON [note] ([title])");
	exec_q(c, "CREATE TABLE [pin] ([id] INTEGER PRIMARY KEY, "
		"[tag_post] INTEGER, [tag_name] VARCHAR(50), "
		"FOREIGN KEY ([tag_post], [tag_name]) REFERENCES [tag] "
		"([post_id], [name]) ON DELETE NO ACTION)");
	exec_q(c, "CREATE TABLE [_first] ([id] INTEGER PRIMARY KEY)");
	exec_q(c, "CREATE TABLE [Zed] ([id] INTEGER PRIMARY KEY, [z] "
		"INTEGER)");
	/* One name to MariaDB's information_schema collation (general_ci):
	 * their rows come mixed. */
	exec_q(c, "CREATE TABLE [caf\xc3\xa9] ([id] INTEGER PRIMARY KEY, "
		"[a1] INTEGER, [a2] VARCHAR(9) UNIQUE, [a3] INTEGER)");
	exec_q(c, "CREATE TABLE [cafe] ([id] INTEGER PRIMARY KEY, "
		"[b1] VARCHAR(8), [b2] INTEGER UNIQUE, [b3] INTEGER)");
	exec_q(c, "CREATE INDEX [cafe_b1] ON [cafe] ([b1], [b3])");
	exec_q(c, "CREATE INDEX [cafe_a1] ON [caf\xc3\xa9] ([a1], [a3])");
	for (i = 0; i < 12; i++)
		exec_f(c, "CREATE TABLE [many_%02d] ([id] INTEGER PRIMARY KEY, "
			"[account_id] BIGINT NOT NULL REFERENCES [account] ([id]), "
			"[n%d] INTEGER NOT NULL DEFAULT %d, [s] VARCHAR(%d))", i, i,
			i - 6, 10 + i);
	exec_q(c, "CREATE TABLE [corm_migrations] ([version] VARCHAR(14))");
	exec_q(c, "CREATE VIEW [account_names] AS SELECT [id], [name] FROM "
		"[account]");
}

/* Fail naming the first line where `got` differs from `want` (the
 * whole text would be cut by cmocka). */
static void fail_first_difference(const char *path, const char *want,
	const char *got)
{
	size_t i = 0, start = 0, line = 1;

	while (want[i] && want[i] == got[i]) {
		if (want[i] == '\n') {
			start = i + 1;
			line++;
		}
		i++;
	}
	fail_msg("%s, line %zu: want '%.*s', read '%.*s'", path, line,
		(int)strcspn(want + start, "\n"), want + start,
		(int)strcspn(got + start, "\n"), got + start);
}

/* The varied database reads, without a hint, exactly as the golden says
 * (CORM_REGEN_GOLDEN=1 rewrites it; review the diff). */
static void test_inspect__a_varied_database_reads_as_its_golden(
	void **state)
{
	char path[1024], *want;
	size_t len;
	mig_db db;
	char *text;

	(void)state;
	open_db(&db);
	make_varied(db.c);
	text = inspect(db.c);
	snprintf(path, sizeof(path), "%s/tests/migrate/golden/inspect.%s.corm",
		CORM_TEST_SOURCE_ROOT, g_engine.name);
	if (getenv("CORM_REGEN_GOLDEN")) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		fputs(text, f);
		fclose(f);
	}
	want = test_read_file(path, &len);
	if (!want)
		fail_msg("missing %s (CORM_REGEN_GOLDEN=1 writes it)", path);
	if (strcmp(want, text) != 0)
		fail_first_difference(path, want, text);
	free(want);
	corm_free(text);
	mig_db_close(&db);
}

/* ------------------------------------------ statements per introspection */

/* One integer from `sql` (column `col` of its first row). */
static int64_t query_int(corm_conn *c, const char *sql, int col)
{
	corm_stmt *st = NULL;
	int64_t v = -1;
	const char *s;
	size_t n;

	assert_int_equal(corm_stmt_prepare(&st, c, sql), CORM_OK);
	assert_int_equal(corm_step(st), CORM_ROW);
	if (corm_column_int64(&v, st, col) != CORM_OK) {
		/* SHOW STATUS answers text */
		assert_int_equal(corm_column_text(&s, &n, st, col), CORM_OK);
		v = strtoll(s, NULL, 10);
	}
	corm_stmt_free(st);
	return v;
}

/*
 * What the server counted for this session (MySQL: Questions) or
 * database (PostgreSQL: transactions, each statement one or more in
 * autocommit; stats flushed on request, PostgreSQL 15). SQLite: no
 * server; -1.
 */
static int64_t server_count(corm_conn *c)
{
	if (on("mysql"))
		return query_int(c, "SHOW SESSION STATUS LIKE 'Questions'", 1);
	if (on("postgres")) {
		corm_exec(c, "SELECT pg_stat_force_next_flush()");
		return query_int(c, "SELECT xact_commit + xact_rollback FROM "
			"pg_stat_database WHERE datname = current_database()", 0);
	}
	return -1;
}

/* Statements of one introspection: as counted by the readers, and by
 * the server (less the counting's own). */
static void count_statements(int tables, unsigned long *ours,
	int64_t *server)
{
	corm_buf text = CORM_BUF_INIT;
	unsigned long before;
	int64_t zero, idle, after;
	mig_db db;
	int i;

	open_db(&db);
	for (i = 0; i < tables; i++) {
		exec_f(db.c, "CREATE TABLE [t%03d] ([id] INTEGER PRIMARY KEY, "
			"[s] VARCHAR(20) NOT NULL UNIQUE, [e] VARCHAR(64) CHECK ([e] "
			"IN ({a}, {b})), [up_id] INTEGER%s)", i, i ? "" : " NOT NULL");
		if (i)
			exec_f(db.c, "CREATE INDEX [t%03d_up] ON [t%03d] ([up_id])", i,
				i);
	}
	/* The counting itself, with nothing between. */
	zero = server_count(db.c);
	idle = server_count(db.c) - zero;
	before = corm_ic__statements();
	zero = server_count(db.c);
	assert_int_equal(corm_introspect_text(&text, db.c, NULL), CORM_OK);
	after = server_count(db.c);
	*ours = corm_ic__statements() - before;
	*server = after - zero - idle;
	if (on("sqlite"))
		print_message("%d tables: %lu statements\n", tables, *ours);
	else
		print_message("%d tables: %lu statements (the server counts "
			"%lld)\n", tables, *ours, (long long)*server);
	corm_buf_free(&text);
	mig_db_close(&db);
}

/* Issue 13: introspection runs a few statements in all, not a few per
 * table (it took 124 s at 2,000 tables on MariaDB): as many at 60 tables
 * as at 3, counted by corm and by the server. */
static void test_inspect__statements_do_not_grow_with_the_tables(
	void **state)
{
	unsigned long few, many;
	int64_t server_few, server_many;

	(void)state;
	count_statements(3, &few, &server_few);
	count_statements(60, &many, &server_many);
	assert_true(few > 0);
	assert_int_equal(many, few);
	assert_true(few <= 8);
	if (on("mysql")) {
		/* The server saw them (this session's Questions): a statement
		 * corm does not count (one not through the readers' helpers)
		 * would show here. */
		assert_true(server_few >= (int64_t)few);
		assert_int_equal(server_many, server_few);
	} else if (on("postgres")) {
		/* The database's transactions: an autovacuum worker may add
		 * one or two; one query per table would add 4 per table. */
		assert_true(server_few >= (int64_t)few);
		assert_true(server_many <= server_few + 4);
	}
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
		cmocka_unit_test(test_inspect__a_varied_database_reads_as_its_golden),
		cmocka_unit_test(test_inspect__statements_do_not_grow_with_the_tables),
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
