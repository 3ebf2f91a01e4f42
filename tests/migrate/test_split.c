/*
 * test_split.c — the migration file splitter (migrate/split.c) on
 * compound statements: SQLite trigger bodies, MySQL procedures,
 * functions, triggers and events with nested blocks, PostgreSQL's
 * BEGIN ATOMIC bodies, MariaDB's BEGIN NOT ATOMIC, the mysql client's
 * DELIMITER lines, and hostile inputs: BEGIN and END inside strings,
 * comments and names, transactions written as statements, CASE
 * expressions inside bodies. Each case lists the statements it must give.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"

#include "corm/driver.h"
#include "migrate.h"

/* Split `sql` and compare with the NULL-terminated list `want`. */
static void expect_split(const char *sql, bool backslash_escapes,
	const char *const *want)
{
	char **st = NULL;
	size_t n = 0, i, nwant = 0;

	while (want[nwant])
		nwant++;
	assert_int_equal(corm_mig_split(&st, &n, sql, strlen(sql),
		backslash_escapes), CORM_OK);
	if (n != nwant) {
		print_error("%s\n  gives %zu statements, want %zu:\n", sql, n, nwant);
		for (i = 0; i < n; i++)
			print_error("  [%zu] %s\n", i, st[i]);
	}
	assert_int_equal(n, nwant);
	for (i = 0; i < n; i++)
		assert_string_equal(st[i], want[i]);
	corm_mig_statements_free(st, n);
}

static void test_split__sqlite_trigger_body(void **state)
{
	const char *want[] = {
		"CREATE TABLE audit (msg TEXT)",
		"CREATE TRIGGER post_audit AFTER INSERT ON post\n"
		"BEGIN\n"
		"  INSERT INTO audit VALUES ('post ' || NEW.id);\n"
		"  UPDATE post SET n = n + 1 WHERE id = NEW.id;\n"
		"END",
		"CREATE TEMP TRIGGER IF NOT EXISTS t2 BEFORE DELETE ON post "
		"WHEN CASE WHEN OLD.n > 0 THEN 1 ELSE 0 END BEGIN "
		"SELECT RAISE(ABORT, 'no; END; here'); END",
		"INSERT INTO audit VALUES ('x')",
		NULL};

	(void)state;
	expect_split("CREATE TABLE audit (msg TEXT);\n"
		"CREATE TRIGGER post_audit AFTER INSERT ON post\n"
		"BEGIN\n"
		"  INSERT INTO audit VALUES ('post ' || NEW.id);\n"
		"  UPDATE post SET n = n + 1 WHERE id = NEW.id;\n"
		"END;\n"
		"CREATE TEMP TRIGGER IF NOT EXISTS t2 BEFORE DELETE ON post "
		"WHEN CASE WHEN OLD.n > 0 THEN 1 ELSE 0 END BEGIN "
		"SELECT RAISE(ABORT, 'no; END; here'); END;\n"
		"INSERT INTO audit VALUES ('x');\n", false, want);
}

static void test_split__case_expressions_inside_a_body(void **state)
{
	const char *want[] = {
		"CREATE TRIGGER t AFTER UPDATE ON a BEGIN\n"
		"  UPDATE b SET k = CASE NEW.k WHEN 1 THEN 'one' ELSE CASE WHEN "
		"NEW.k > 9 THEN 'big' END END;\n"
		"  INSERT INTO c VALUES (NEW.end, NEW.\"begin\", NEW.`case`);\n"
		"END",
		"SELECT 2",
		NULL};

	(void)state;
	expect_split("CREATE TRIGGER t AFTER UPDATE ON a BEGIN\n"
		"  UPDATE b SET k = CASE NEW.k WHEN 1 THEN 'one' ELSE CASE WHEN "
		"NEW.k > 9 THEN 'big' END END;\n"
		"  INSERT INTO c VALUES (NEW.end, NEW.\"begin\", NEW.`case`);\n"
		"END; SELECT 2;", false, want);
}

static void test_split__begin_and_end_in_strings_comments_and_names(
	void **state)
{
	const char *want[] = {
		"-- BEGIN\nINSERT INTO t VALUES ('BEGIN', \"END\")",
		"/* CREATE TRIGGER x BEGIN */ SELECT 1",
		"CREATE TABLE \"trigger\" (\"begin\" INT, \"end\" INT)",
		"CREATE TABLE trigger_log (id INT)",
		"SELECT begin, end FROM x",
		"CREATE VIEW v AS SELECT CASE WHEN 1 THEN 2 END AS c",
		"CREATE TRIGGER q AFTER INSERT ON t BEGIN\n"
		"  -- END;\n"
		"  /* END; */\n"
		"  SELECT 'END;' || \"END;\";\n"
		"END",
		NULL};

	(void)state;
	expect_split("-- BEGIN\nINSERT INTO t VALUES ('BEGIN', \"END\");\n"
		"/* CREATE TRIGGER x BEGIN */ SELECT 1;\n"
		"CREATE TABLE \"trigger\" (\"begin\" INT, \"end\" INT);\n"
		"CREATE TABLE trigger_log (id INT);\n"
		"SELECT begin, end FROM x;\n"
		"CREATE VIEW v AS SELECT CASE WHEN 1 THEN 2 END AS c;\n"
		"CREATE TRIGGER q AFTER INSERT ON t BEGIN\n"
		"  -- END;\n"
		"  /* END; */\n"
		"  SELECT 'END;' || \"END;\";\n"
		"END;\n", false, want);
}

static void test_split__transactions_are_statements(void **state)
{
	const char *want[] = {"BEGIN", "INSERT INTO t VALUES (1)", "COMMIT",
		"BEGIN TRANSACTION", "DELETE FROM t", "END", "START TRANSACTION",
		"BEGIN WORK", "ROLLBACK", "BEGIN IMMEDIATE", "END TRANSACTION",
		NULL};

	(void)state;
	expect_split("BEGIN; INSERT INTO t VALUES (1); COMMIT;\n"
		"BEGIN TRANSACTION; DELETE FROM t; END;\n"
		"START TRANSACTION; BEGIN WORK; ROLLBACK;\n"
		"BEGIN IMMEDIATE; END TRANSACTION;", true, want);
}

static void test_split__mysql_procedure_with_nested_blocks(void **state)
{
	const char *proc =
		"CREATE DEFINER = `root`@`%` PROCEDURE fill(IN n INT)\n"
		"BEGIN\n"
		"  DECLARE i INT DEFAULT 0;\n"
		"  DECLARE done INT DEFAULT 0;\n"
		"  DECLARE CONTINUE HANDLER FOR NOT FOUND BEGIN SET done = 1; END;\n"
		"  SET @end = 'END;';\n"
		"  outer_loop: LOOP\n"
		"    IF i >= n THEN LEAVE outer_loop; ELSEIF i = 3 THEN\n"
		"      BEGIN INSERT INTO t VALUES (-1); END;\n"
		"    ELSE INSERT INTO t VALUES (IF(i > 1, i, 0)); END IF;\n"
		"    CASE i WHEN 2 THEN SET i = i + 1; ELSE BEGIN END; END CASE;\n"
		"    REPEAT SET i = i + 1; UNTIL i > 0 END REPEAT;\n"
		"    WHILE 0 DO SELECT 1; END WHILE;\n"
		"  END LOOP outer_loop;\n"
		"  SELECT CASE WHEN i > 0 THEN 'x' END INTO @r;\n"
		"END";
	const char *func =
		"CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC\n"
		"BEGIN RETURN x * 2; END";
	const char *trig =
		"CREATE DEFINER=CURRENT_USER() TRIGGER t_bi BEFORE INSERT ON t "
		"FOR EACH ROW BEGIN IF NEW.a < 0 THEN SET NEW.a = 0; END IF; END";
	const char *event =
		"CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN "
		"DELETE FROM t WHERE a = 'it\\'s; END'; END";
	const char *one_line =
		"CREATE TRIGGER t_bu BEFORE UPDATE ON t FOR EACH ROW "
		"SET NEW.a = 1";
	const char *want[] = {proc, func, trig, event, one_line, "SELECT 1",
		NULL};
	corm_buf sql = CORM_BUF_INIT;

	(void)state;
	corm_buf_printf(&sql, "%s;\n%s;\n%s;\n%s;\n%s;\nSELECT 1;\n", proc,
		func, trig, event, one_line);
	expect_split(corm_buf_cstr(&sql), true, want);
	corm_buf_free(&sql);
}

static void test_split__postgres_bodies(void **state)
{
	const char *want[] = {
		"CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ "
		"LANGUAGE plpgsql",
		"CREATE OR REPLACE FUNCTION g(a int) RETURNS int LANGUAGE sql\n"
		"BEGIN ATOMIC\n"
		"  SELECT CASE WHEN a > 0 THEN a END;\n"
		"END",
		"CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE "
		"FUNCTION f()",
		"DO $body$ BEGIN PERFORM 1; END $body$",
		NULL};

	(void)state;
	expect_split("CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; "
		"END $$ LANGUAGE plpgsql;\n"
		"CREATE OR REPLACE FUNCTION g(a int) RETURNS int LANGUAGE sql\n"
		"BEGIN ATOMIC\n"
		"  SELECT CASE WHEN a > 0 THEN a END;\n"
		"END;\n"
		"CREATE TRIGGER tr AFTER INSERT ON t FOR EACH ROW EXECUTE "
		"FUNCTION f();\n"
		"DO $body$ BEGIN PERFORM 1; END $body$;", false, want);
}

static void test_split__mariadb_anonymous_block(void **state)
{
	const char *want[] = {
		"BEGIN NOT ATOMIC\n  DECLARE x INT;\n  SET x = 1;\nEND",
		"SELECT 1",
		NULL};

	(void)state;
	expect_split("BEGIN NOT ATOMIC\n  DECLARE x INT;\n  SET x = 1;\nEND;\n"
		"SELECT 1;", true, want);
}

static void test_split__delimiter_lines(void **state)
{
	const char *want[] = {
		"CREATE TABLE t (a INT)",
		"CREATE PROCEDURE p()\nBEGIN\n  SELECT 1; SELECT 2;\nEND",
		"INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)",
		"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ "
		"/*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN\n"
		"SET NEW.a = 1;\nEND */",
		"SELECT 'a // b' FROM t",
		"SELECT 3",
		"delimiter$$ SELECT 4",
		"DELIMITER",
		NULL};

	(void)state;
	expect_split("CREATE TABLE t (a INT);\n"
		"DELIMITER //\n"
		"CREATE PROCEDURE p()\nBEGIN\n  SELECT 1; SELECT 2;\nEND //\n"
		"INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)//\n"
		"  delimiter ;;  \n"
		"/*!50003 CREATE*/ /*!50017 DEFINER=`root`@`localhost`*/ "
		"/*!50003 TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN\n"
		"SET NEW.a = 1;\nEND */;;\n"
		"DELIMITER ;\n"
		"SELECT 'a // b' FROM t; SELECT 3;\n"
		/* not DELIMITER lines: no space before the delimiter, none
		 * after the word (the engine refuses what is left) */
		"delimiter$$ SELECT 4;\n"
		"DELIMITER\n", true, want);
}

static void test_split__an_unclosed_block_runs_to_the_end(void **state)
{
	const char *want[] = {
		"CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; SELECT 2;",
		NULL};

	(void)state;
	/* The engine reports the missing END, on the whole text. */
	expect_split("CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; "
		"SELECT 2;", false, want);
}

static void test_split__a_stray_end_is_harmless(void **state)
{
	const char *want[] = {"CREATE PROCEDURE p() SELECT 1 END",
		"SELECT 2", NULL};

	(void)state;
	expect_split("CREATE PROCEDURE p() SELECT 1 END; SELECT 2;", true, want);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split__sqlite_trigger_body),
		cmocka_unit_test(test_split__case_expressions_inside_a_body),
		cmocka_unit_test(
			test_split__begin_and_end_in_strings_comments_and_names),
		cmocka_unit_test(test_split__transactions_are_statements),
		cmocka_unit_test(test_split__mysql_procedure_with_nested_blocks),
		cmocka_unit_test(test_split__postgres_bodies),
		cmocka_unit_test(test_split__mariadb_anonymous_block),
		cmocka_unit_test(test_split__delimiter_lines),
		cmocka_unit_test(test_split__an_unclosed_block_runs_to_the_end),
		cmocka_unit_test(test_split__a_stray_end_is_harmless),
	};

	return cmocka_run_group_tests_name("migrate-split", tests, NULL, NULL);
}
