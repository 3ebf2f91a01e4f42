/*
 * test_compound.c — hand-written migrations with compound statements,
 * applied and reverted by the runner (what `corm migrate up` / `down`
 * call) on a real engine (argv[1]): an SQLite trigger with a CASE in its
 * body; a MySQL trigger with IF ... END IF, a procedure with a labelled
 * LOOP, nested blocks and CASE ... END CASE, a function, and a procedure
 * written with DELIMITER lines; a PostgreSQL trigger function in dollar
 * quotes, a BEGIN ATOMIC function and a procedure. Each is then used: the
 * trigger fires, the procedure is called, the function returns.
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

static const char sqlite_up[] =
	"-- a trigger body holds statements of its own\n"
	"CREATE TABLE item (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL);\n"
	"CREATE TABLE item_log (item_id INTEGER, what TEXT);\n"
	"CREATE TRIGGER item_ai AFTER INSERT ON item\n"
	"BEGIN\n"
	"  INSERT INTO item_log VALUES (NEW.id,\n"
	"    CASE WHEN NEW.qty > 10 THEN 'big' ELSE 'small' END);\n"
	"  INSERT INTO item_log VALUES (NEW.id, 'BEGIN; END;');\n"
	"END;\n"
	"INSERT INTO item (id, qty) VALUES (1, 5);\n";
static const char sqlite_down[] =
	"DROP TRIGGER item_ai;\nDROP TABLE item_log;\nDROP TABLE item;\n";

static const char mysql_up[] =
	"CREATE TABLE item (id INT PRIMARY KEY, qty INT NOT NULL);\n"
	"CREATE TABLE item_log (item_id INT, what VARCHAR(50));\n"
	"CREATE TRIGGER item_bi BEFORE INSERT ON item FOR EACH ROW\n"
	"BEGIN\n"
	"  IF NEW.qty < 0 THEN\n"
	"    SET NEW.qty = 0;\n"
	"  END IF;\n"
	"  INSERT INTO item_log VALUES (NEW.id,\n"
	"    CASE WHEN NEW.qty > 10 THEN 'big' ELSE 'small' END);\n"
	"END;\n"
	"CREATE PROCEDURE add_items(IN n INT)\n"
	"BEGIN\n"
	"  DECLARE i INT DEFAULT 0;\n"
	"  grow: LOOP\n"
	"    IF i >= n THEN LEAVE grow; END IF;\n"
	"    SET i = i + 1;\n"
	"    BEGIN\n"
	"      INSERT INTO item VALUES (100 + i, i * 7);\n"
	"    END;\n"
	"  END LOOP grow;\n"
	"  CASE n WHEN 0 THEN BEGIN END; ELSE SET @added = n; END CASE;\n"
	"END;\n"
	"CREATE FUNCTION twice(x INT) RETURNS INT DETERMINISTIC\n"
	"BEGIN\n"
	"  RETURN x * 2;\n"
	"END;\n"
	"-- as the mysql client and dumps write it\n"
	"DELIMITER //\n"
	"CREATE PROCEDURE clear_items()\n"
	"BEGIN\n"
	"  DELETE FROM item_log; DELETE FROM item;\n"
	"END //\n"
	"DELIMITER ;\n"
	"INSERT INTO item VALUES (1, -5);\n";
static const char mysql_down[] =
	"DROP PROCEDURE clear_items;\nDROP FUNCTION twice;\n"
	"DROP PROCEDURE add_items;\nDROP TRIGGER item_bi;\n"
	"DROP TABLE item_log;\nDROP TABLE item;\n";

static const char postgres_up[] =
	"CREATE TABLE item (id INT PRIMARY KEY, qty INT NOT NULL);\n"
	"CREATE TABLE item_log (item_id INT, what TEXT);\n"
	"CREATE FUNCTION log_item() RETURNS trigger LANGUAGE plpgsql AS $$\n"
	"BEGIN\n"
	"  INSERT INTO item_log VALUES (NEW.id,\n"
	"    CASE WHEN NEW.qty > 10 THEN 'big' ELSE 'small' END);\n"
	"  RETURN NEW;\n"
	"END $$;\n"
	"CREATE TRIGGER item_ai AFTER INSERT ON item FOR EACH ROW\n"
	"  EXECUTE FUNCTION log_item();\n"
	"CREATE FUNCTION twice(x int) RETURNS int LANGUAGE sql\n"
	"BEGIN ATOMIC\n"
	"  SELECT CASE WHEN x IS NULL THEN 0 ELSE x * 2 END;\n"
	"END;\n"
	"CREATE PROCEDURE add_items(n int) LANGUAGE plpgsql AS $body$\n"
	"BEGIN\n"
	"  FOR i IN 1..n LOOP\n"
	"    INSERT INTO item VALUES (100 + i, i * 7);\n"
	"  END LOOP;\n"
	"END $body$;\n"
	"INSERT INTO item VALUES (1, 5);\n";
static const char postgres_down[] =
	"DROP PROCEDURE add_items;\nDROP FUNCTION twice;\n"
	"DROP TRIGGER item_ai ON item;\nDROP FUNCTION log_item;\n"
	"DROP TABLE item_log;\nDROP TABLE item;\n";

static bool on(const char *engine)
{
	return strcmp(g_engine.name, engine) == 0;
}

static void apply_ok(corm_conn *c, const char *sql, bool up)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"compound",
		(char *)"."};
	corm_buf err = CORM_BUF_INIT;
	bool skipped = false;
	int rc = corm_mig_apply(&skipped, c, &e, sql, strlen(sql), up, &err);

	if (rc)
		print_error("%s failed: %s\n", up ? "up" : "down",
			corm_buf_cstr(&err));
	assert_int_equal(rc, CORM_OK);
	assert_false(skipped);
	corm_buf_free(&err);
}

static void test_compound__up_uses_and_down(void **state)
{
	const char *up = on("sqlite") ? sqlite_up : on("mysql") ? mysql_up
		: postgres_up;
	const char *down = on("sqlite") ? sqlite_down : on("mysql") ? mysql_down
		: postgres_down;
	mig_db db;

	(void)state;
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	apply_ok(db.c, up, true);
	/* the trigger fired for the migration's own insert, and fires again */
	mig_exec_ok(db.c, "INSERT INTO item VALUES (2, 20)");
	if (on("sqlite")) {
		mig_expect_rows(db.c, "SELECT item_id, what FROM item_log ORDER BY "
			"rowid", "1|small;1|BEGIN; END;;2|big;2|BEGIN; END;;");
	} else {
		/* MySQL's trigger made the -5 a 0 */
		mig_expect_rows(db.c, "SELECT id, qty FROM item ORDER BY id",
			on("mysql") ? "1|0;2|20;" : "1|5;2|20;");
		mig_expect_rows(db.c, "SELECT twice(21)", "42;");
		mig_exec_ok(db.c, "CALL add_items(3)");
		mig_expect_rows(db.c, "SELECT id, qty FROM item WHERE id > 100 ORDER BY "
			"id", "101|7;102|14;103|21;");
		mig_expect_rows(db.c, "SELECT item_id, what FROM item_log ORDER BY "
			"item_id", "1|small;2|big;101|small;102|big;103|big;");
	}
	if (on("mysql")) {
		mig_expect_rows(db.c, "SELECT @added", "3;");
		mig_exec_ok(db.c, "CALL clear_items()");
		mig_expect_rows(db.c, "SELECT count(*) FROM item", "0;");
	}
	apply_ok(db.c, down, false);
	mig_expect_rows(db.c, "SELECT count(*) FROM corm_migrations", "0;");
	mig_db_close(&db);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compound__up_uses_and_down),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_compound",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
