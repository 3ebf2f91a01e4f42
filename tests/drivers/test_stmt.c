/*
 * test_stmt.c — statements: change counts, generated keys, reset and
 * rerun, reading NULL, the statement cache (a second handle while the
 * first is out, reuse, more statements than it holds), argument checks on
 * binding, and SQL errors.
 *
 * Divided into: running and reading, keys, the cache, argument checks,
 * SQL errors and corm_exec().
 */
#include "conformance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "id" i64 key, "v" i64 (nullable), "name" text; rows (i, 10 * i, "n<i>")
 * for i in 1..n. */
static const char *filled_table(conf_fixture *fx, const char *stem, int n)
{
	const char *t = conf_table(fx, stem);
	corm_stmt *s;
	int i;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY, "
		"%I %T, %I %T)", t, "id", CORM_COL_I64, 0, 0, "v", CORM_COL_I64,
		0, 0, "name", CORM_COL_TEXT, 0, 0);
	s = conf_prepare_ok(fx->c, false, "INSERT INTO %I (%I, %I, %I) "
		"VALUES (%P, %P, %P)", t, "id", "v", "name");
	for (i = 1; i <= n; i++) {
		char name[16];
		int64_t changes = -1;

		snprintf(name, sizeof(name), "n%d", i);
		CONF_OK(fx->c, corm_bind_int64(s, 1, i));
		CONF_OK(fx->c, corm_bind_int64(s, 2, 10 * i));
		CONF_OK(fx->c, corm_bind_text(s, 3, name, CORM_NTS));
		conf_step_expect(s, CORM_DONE);
		CONF_OK(fx->c, corm_stmt_changes(&changes, s));
		assert_int_equal(changes, 1);
		CONF_OK(fx->c, corm_stmt_reset(s));
	}
	conf_stmt_free(s);
	return t;
}

/* Run `s` (already bound) and return its change count. */
static int64_t run_changes(conf_fixture *fx, corm_stmt *s)
{
	int64_t n = -1;

	conf_step_expect(s, CORM_DONE);
	CONF_OK(fx->c, corm_stmt_changes(&n, s));
	return n;
}

/* ----------------------------------------------------- running, reading */

void test_stmt__changes_after_update_and_delete(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_changes", 5);
	corm_stmt *s;

	s = conf_prepare_ok(fx->c, false, "UPDATE %I SET %I = %P WHERE %I >= "
		"%P", t, "v", "id");
	CONF_OK(fx->c, corm_bind_int64(s, 1, 7));
	CONF_OK(fx->c, corm_bind_int64(s, 2, 3));
	assert_int_equal(run_changes(fx, s), 3);
	/* Rerun, matching nothing. */
	CONF_OK(fx->c, corm_stmt_reset(s));
	CONF_OK(fx->c, corm_bind_int64(s, 1, 8));
	CONF_OK(fx->c, corm_bind_int64(s, 2, 999));
	assert_int_equal(run_changes(fx, s), 0);
	conf_stmt_free(s);

	s = conf_prepare_ok(fx->c, true, "DELETE FROM %I WHERE %I <= %P", t,
		"id");
	CONF_OK(fx->c, corm_bind_int64(s, 1, 2));
	assert_int_equal(run_changes(fx, s), 2);
	conf_stmt_free(s);

	s = conf_prepare_ok(fx->c, false, "DELETE FROM %I", t);
	assert_int_equal(run_changes(fx, s), 3);
	conf_stmt_free(s);
	assert_int_equal(conf_count(fx->c, t), 0);
}

void test_stmt__reset_and_rerun_with_new_binds(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_rerun", 3);
	corm_stmt *s;
	int64_t id, v = -1;

	s = conf_prepare_ok(fx->c, false, "SELECT %I, %I FROM %I WHERE %I = %P",
		"v", "name", t, "id");
	for (id = 3; id >= 1; id--) {
		char want[16];
		conf_value name = { CONF_TEXT, 0, 0, false, want, 0, "name" };

		snprintf(want, sizeof(want), "n%d", (int)id);
		name.len = strlen(want);
		CONF_OK(fx->c, corm_bind_int64(s, 1, id));
		conf_step_expect(s, CORM_ROW);
		CONF_OK(fx->c, corm_column_int64(&v, s, 0));
		assert_int_equal(v, 10 * id);
		conf_expect_value(s, 1, &name);
		conf_step_expect(s, CORM_DONE);
		CONF_OK(fx->c, corm_stmt_reset(s));
	}
	/* Reset cleared the binding: the parameter is NULL, nothing is
	 * equal to NULL. */
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

void test_stmt__reset_discards_unread_rows(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_unread", 4);
	corm_stmt *s;
	int64_t id = -1;
	int round, n;

	s = conf_prepare_ok(fx->c, false, "SELECT %I FROM %I ORDER BY %I", "id",
		t, "id");
	for (round = 0; round < 3; round++) {
		conf_step_expect(s, CORM_ROW);
		CONF_OK(fx->c, corm_column_int64(&id, s, 0));
		assert_int_equal(id, 1); /* starts from the top every time */
		CONF_OK(fx->c, corm_stmt_reset(s));
	}
	/* And a full run after that sees every row once. */
	for (n = 0; corm_step(s) == CORM_ROW; n++)
		;
	assert_int_equal(n, 4);
	conf_stmt_free(s);
	/* The connection is free for other statements afterwards. */
	assert_int_equal(conf_count(fx->c, t), 4);
}

void test_stmt__unbound_parameters_are_null(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_unbound", 0);
	corm_stmt *s;

	s = conf_prepare_ok(fx->c, false, "INSERT INTO %I (%I, %I, %I) VALUES "
		"(%P, %P, %P)", t, "id", "v", "name");
	CONF_OK(fx->c, corm_bind_int64(s, 1, 1));
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);

	s = conf_prepare_ok(fx->c, false, "SELECT %I, %I FROM %I", "v", "name",
		t);
	conf_step_expect(s, CORM_ROW);
	conf_expect_null(s, 0);
	conf_expect_null(s, 1);
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

void test_stmt__reading_null_as_int64_is_etype(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_null_etype", 0);
	corm_stmt *s;
	int64_t i = 42;
	double d = 4.2;
	bool b = true;
	const char *text = "untouched";
	const void *blob = "untouched";
	size_t len = 99;
	int rc;

	s = conf_prepare_ok(fx->c, false, "INSERT INTO %I (%I) VALUES (%P)", t,
		"id");
	CONF_OK(fx->c, corm_bind_int64(s, 1, 1));
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);

	s = conf_prepare_ok(fx->c, false, "SELECT %I, %I FROM %I", "v", "name",
		t);
	conf_step_expect(s, CORM_ROW);
	assert_true(corm_column_is_null(s, 0));
	rc = corm_column_int64(&i, s, 0);
	if (rc != CORM_ETYPE)
		CONF_FAIL("corm_column_int64(NULL) = %d %s, expected CORM_ETYPE",
			rc, conf_code_name(rc));
	assert_int_equal(corm_column_double(&d, s, 0), CORM_ETYPE);
	assert_int_equal(corm_column_bool(&b, s, 0), CORM_ETYPE);
	assert_int_equal(corm_column_text(&text, &len, s, 1), CORM_ETYPE);
	assert_int_equal(corm_column_blob(&blob, &len, s, 1), CORM_ETYPE);
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

void test_stmt__reading_text_that_is_not_a_number_is_etype(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_text_etype", 1);
	corm_stmt *s;
	int64_t i = 42;
	double d = 4.2;

	s = conf_prepare_ok(fx->c, false, "SELECT %I FROM %I", "name", t);
	conf_step_expect(s, CORM_ROW); /* "n1" */
	assert_int_equal(corm_column_int64(&i, s, 0), CORM_ETYPE);
	assert_int_equal(corm_column_double(&d, s, 0), CORM_ETYPE);
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

void test_stmt__column_names_and_count(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_columns", 1);
	corm_stmt *s;

	s = conf_prepare_ok(fx->c, false, "SELECT %I AS %I, %I AS %I, %I FROM "
		"%I", "id", "first_col", "v", "Second Col", "name", t);
	conf_step_expect(s, CORM_ROW);
	assert_int_equal(corm_column_count(s), 3);
	assert_string_equal(corm_column_name(s, 0), "first_col");
	assert_string_equal(corm_column_name(s, 1), "Second Col");
	assert_string_equal(corm_column_name(s, 2), "name");
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

void test_stmt__param_count_matches_placeholders(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_params", 0);
	corm_stmt *s;
	char *sql;

	sql = conf_sql(fx->c, "SELECT %I FROM %I WHERE %I = %P OR %I = %P OR "
		"%I = %P", "id", t, "id", "v", "name");
	s = conf_prepare_ok(fx->c, false, "%s", sql);
	assert_int_equal(corm_stmt_param_count(s), 3);
	assert_string_equal(corm_stmt_sql(s), sql);
	conf_stmt_free(s);
	corm_free(sql);

	s = conf_prepare_ok(fx->c, true, "SELECT %I FROM %I", "id", t);
	assert_int_equal(corm_stmt_param_count(s), 0);
	conf_stmt_free(s);
}

/* ------------------------------------------------------------------ keys */

void test_stmt__insert_returns_generated_key(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = corm_conn_dialect(fx->c);
	bool returning = d->insert_id == CORM_INSERT_ID_RETURNING;
	const char *t = conf_table(fx, "st_autokey");
	int64_t keys[4];
	int i;

	/* The auto key's type, with PRIMARY KEY unless it says so itself. */
	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %s%s, %I %T NOT NULL)", t,
		"id", d->auto_format[0],
		strstr(d->auto_format[0], "PRIMARY KEY") ? "" : " PRIMARY KEY",
		"name", CORM_COL_STRING, 50, 0);

	for (i = 0; i < 4; i++) {
		static const char *const names[] = { "a", "b", "c", "d" };
		bool cached = i % 2 == 1;
		corm_stmt *s;
		int64_t changes = -1;

		if (returning)
			s = conf_prepare_ok(fx->c, cached, "INSERT INTO %I (%I) "
				"VALUES (%P) RETURNING %I", t, "name", "id");
		else
			s = conf_prepare_ok(fx->c, cached, "INSERT INTO %I (%I) "
				"VALUES (%P)", t, "name");
		CONF_OK(fx->c, corm_bind_text(s, 1, names[i], CORM_NTS));
		keys[i] = -1;
		if (returning) {
			int rc;

			conf_step_expect(s, CORM_ROW);
			CONF_OK(fx->c, corm_column_int64(&keys[i], s, 0));
			conf_step_expect(s, CORM_DONE);
			/* PostgreSQL has no last-insert-id; SQLite has both,
			 * and they agree. */
			rc = corm_stmt_last_insert_id(&changes, s);
			if (conf.engine == CONF_POSTGRES &&
			    rc != CORM_EUNSUPPORTED)
				CONF_FAIL("corm_stmt_last_insert_id() on "
					"PostgreSQL = %d %s, expected "
					"CORM_EUNSUPPORTED", rc,
					conf_code_name(rc));
			if (conf.engine != CONF_POSTGRES &&
			    (rc != CORM_OK || changes != keys[i]))
				CONF_FAIL("corm_stmt_last_insert_id() = %d, "
					"key %lld; RETURNING gave %lld", rc,
					(long long)changes, (long long)keys[i]);
		} else {
			conf_step_expect(s, CORM_DONE);
			CONF_OK(fx->c, corm_stmt_last_insert_id(&keys[i], s));
			CONF_OK(fx->c, corm_stmt_changes(&changes, s));
			assert_int_equal(changes, 1);
		}
		conf_stmt_free(s);
		if (keys[i] <= 0 || (i > 0 && keys[i] <= keys[i - 1]))
			CONF_FAIL("generated key %d is %lld (previous %lld)", i,
				(long long)keys[i],
				(long long)(i > 0 ? keys[i - 1] : 0));
	}

	/* Each key finds its own row. */
	for (i = 0; i < 4; i++) {
		static const char *const names[] = { "a", "b", "c", "d" };
		conf_value want = { CONF_TEXT, 0, 0, false, names[i], 1, "name" };
		corm_stmt *s = conf_prepare_ok(fx->c, true, "SELECT %I FROM %I "
			"WHERE %I = %P", "name", t, "id");

		CONF_OK(fx->c, corm_bind_int64(s, 1, keys[i]));
		conf_step_expect(s, CORM_ROW);
		conf_expect_value(s, 0, &want);
		conf_step_expect(s, CORM_DONE);
		conf_stmt_free(s);
	}
}

/* ------------------------------------------------------------- the cache */

void test_stmt__cached_twice_while_handed_out_gives_separate_stmt(
	void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_cache_twice", 3);
	char *sql = conf_sql(fx->c, "SELECT %I FROM %I WHERE %I = %P", "v", t,
		"id");
	corm_stmt *a = NULL, *b = NULL, *c = NULL;
	int64_t va = -1, vb = -1;

	CONF_OK(fx->c, corm_stmt_cached(&a, fx->c, sql));
	CONF_OK(fx->c, corm_stmt_cached(&b, fx->c, sql));
	assert_non_null(a);
	assert_non_null(b);
	assert_ptr_not_equal(a, b);

	/* Both run at once, interleaved, each with its own bindings. */
	CONF_OK(fx->c, corm_bind_int64(a, 1, 1));
	CONF_OK(fx->c, corm_bind_int64(b, 1, 2));
	conf_step_expect(a, CORM_ROW);
	conf_step_expect(b, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&va, a, 0));
	CONF_OK(fx->c, corm_column_int64(&vb, b, 0));
	assert_int_equal(va, 10);
	assert_int_equal(vb, 20);
	conf_step_expect(a, CORM_DONE);
	conf_step_expect(b, CORM_DONE);

	/* Handing back the private one frees it; the cached one returns. */
	conf_stmt_free(b);
	conf_stmt_free(a);
	CONF_OK(fx->c, corm_stmt_cached(&c, fx->c, sql));
	CONF_OK(fx->c, corm_bind_int64(c, 1, 3));
	conf_step_expect(c, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&va, c, 0));
	assert_int_equal(va, 30);
	conf_step_expect(c, CORM_DONE);
	conf_stmt_free(c);
	corm_free(sql);
}

void test_stmt__cached_is_reused_after_free(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_cache_reuse", 2);
	char *sql = conf_sql(fx->c, "SELECT %I FROM %I WHERE %I = %P OR %P = 1",
		"v", t, "id");
	corm_stmt *a = NULL, *b = NULL;
	int64_t v = -1;

	CONF_OK(fx->c, corm_stmt_cached(&a, fx->c, sql));
	CONF_OK(fx->c, corm_bind_int64(a, 1, 1));
	conf_step_expect(a, CORM_ROW); /* left with a row unread */
	conf_stmt_free(a);

	CONF_OK(fx->c, corm_stmt_cached(&b, fx->c, sql));
	assert_ptr_equal(a, b); /* the same prepared statement again */
	/* Handed back reset: no rows pending, no bindings left over (both
	 * parameters NULL: nothing matches). */
	conf_step_expect(b, CORM_DONE);
	CONF_OK(fx->c, corm_stmt_reset(b));
	CONF_OK(fx->c, corm_bind_int64(b, 1, 2));
	CONF_OK(fx->c, corm_bind_int64(b, 2, 0));
	conf_step_expect(b, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&v, b, 0));
	assert_int_equal(v, 20);
	conf_stmt_free(b);
	corm_free(sql);
}

#define MANY 100
#define HELD 70

static corm_stmt *cached_alias(conf_fixture *fx, const char *t, int i)
{
	char alias[16];

	snprintf(alias, sizeof(alias), "a%d", i);
	return conf_prepare_ok(fx->c, true, "SELECT %I AS %I FROM %I WHERE %I "
		"= %P", "v", alias, t, "id");
}

static void check_alias(conf_fixture *fx, corm_stmt *s, int i, int64_t id)
{
	char alias[16];
	int64_t v = -1;

	snprintf(alias, sizeof(alias), "a%d", i);
	CONF_OK(fx->c, corm_bind_int64(s, 1, id));
	conf_step_expect(s, CORM_ROW);
	if (strcmp(corm_column_name(s, 0), alias) != 0)
		CONF_FAIL("statement %d came back as '%s' (column %s)", i,
			corm_stmt_sql(s), corm_column_name(s, 0));
	CONF_OK(fx->c, corm_column_int64(&v, s, 0));
	assert_int_equal(v, 10 * id);
	conf_step_expect(s, CORM_DONE);
}

void test_stmt__more_than_64_cached_statements_work(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_cache_many", 3);
	corm_stmt *held[HELD];
	int round, i;

	/* One at a time, twice round: the cache evicts and re-prepares. */
	for (round = 0; round < 2; round++) {
		for (i = 0; i < MANY; i++) {
			corm_stmt *s = cached_alias(fx, t, i);

			check_alias(fx, s, i, 1 + (i + round) % 3);
			conf_stmt_free(s);
		}
	}
	/* More handed out at once than the cache holds. */
	for (i = 0; i < HELD; i++)
		held[i] = cached_alias(fx, t, i);
	for (i = 0; i < HELD; i++)
		check_alias(fx, held[i], i, 1 + i % 3);
	for (i = 0; i < HELD; i++)
		conf_stmt_free(held[i]);
	/* And everything still works afterwards. */
	for (i = MANY - 1; i >= 0; i--) {
		corm_stmt *s = cached_alias(fx, t, i);

		check_alias(fx, s, i, 2);
		conf_stmt_free(s);
	}
}

/* ------------------------------------------------------ argument checks */

static void expect_einval(conf_fixture *fx, int rc, const char *what)
{
	if (rc != CORM_EINVAL)
		CONF_FAIL("%s: expected CORM_EINVAL, got %d %s", what, rc,
			conf_code_name(rc));
	assert_int_equal(corm_errcode(fx->c), CORM_EINVAL);
}

void test_stmt__bind_index_out_of_range_is_einval(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_bind_range", 2);
	corm_stmt *s;
	static const int bad[] = { 0, 3, -1, 1000 };
	size_t k;
	int64_t v = -1;

	s = conf_prepare_ok(fx->c, false, "SELECT %I FROM %I WHERE %I = %P AND "
		"%I = %P", "v", t, "id", "name");
	assert_int_equal(corm_stmt_param_count(s), 2);
	for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
		int i = bad[k];

		expect_einval(fx, corm_bind_null(s, i), "corm_bind_null");
		expect_einval(fx, corm_bind_int64(s, i, 1), "corm_bind_int64");
		expect_einval(fx, corm_bind_double(s, i, 1.0),
			"corm_bind_double");
		expect_einval(fx, corm_bind_bool(s, i, true), "corm_bind_bool");
		expect_einval(fx, corm_bind_text(s, i, "x", 1),
			"corm_bind_text");
		expect_einval(fx, corm_bind_blob(s, i, "x", 1),
			"corm_bind_blob");
	}
	/* The statement is unharmed. */
	CONF_OK(fx->c, corm_bind_int64(s, 1, 2));
	CONF_OK(fx->c, corm_bind_text(s, 2, "n2", CORM_NTS));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&v, s, 0));
	assert_int_equal(v, 20);
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);

	/* No parameters at all: index 1 is already out of range. */
	s = conf_prepare_ok(fx->c, true, "SELECT %I FROM %I", "v", t);
	expect_einval(fx, corm_bind_int64(s, 1, 1), "bind on 0 params");
	conf_stmt_free(s);
}

void test_stmt__bind_after_step_without_reset_is_einval(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_bind_late", 2);
	corm_stmt *s;
	int64_t v = -1;

	s = conf_prepare_ok(fx->c, false, "SELECT %I FROM %I WHERE %I = %P",
		"v", t, "id");
	CONF_OK(fx->c, corm_bind_int64(s, 1, 1));
	conf_step_expect(s, CORM_ROW);
	expect_einval(fx, corm_bind_int64(s, 1, 2), "bind after step");
	/* The running query is unaffected. */
	CONF_OK(fx->c, corm_column_int64(&v, s, 0));
	assert_int_equal(v, 10);
	conf_step_expect(s, CORM_DONE);
	expect_einval(fx, corm_bind_int64(s, 1, 2), "bind after DONE");
	CONF_OK(fx->c, corm_stmt_reset(s));
	CONF_OK(fx->c, corm_bind_int64(s, 1, 2));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&v, s, 0));
	assert_int_equal(v, 20);
	conf_stmt_free(s);
}

/* ------------------------------------------------ SQL errors, corm_exec */

/* Prepare `sql` and step it; the first failure, recorded before the
 * statement is freed. */
static void prepare_and_step(conf_outcome *o, conf_fixture *fx, bool cached,
	const char *sql)
{
	corm_stmt *s = NULL;
	int rc = cached ? corm_stmt_cached(&s, fx->c, sql) :
		corm_stmt_prepare(&s, fx->c, sql);

	if (rc != CORM_OK) {
		if (s != NULL)
			CONF_FAIL("a failed prepare left *out non-NULL");
		conf_record(o, fx->c, rc);
		return;
	}
	rc = corm_step(s);
	conf_record(o, fx->c, rc);
	conf_stmt_free(s);
}

void test_stmt__syntax_error_is_esql(void **state)
{
	conf_fixture *fx = *state;
	static const char *const bad[] = {
		"SELEC 1",
		"SELECT FROM WHERE",
		"SELECT (1",
	};
	size_t k;
	int cached;

	for (cached = 0; cached < 2; cached++) {
		for (k = 0; k < sizeof(bad) / sizeof(bad[0]); k++) {
			conf_outcome o;

			prepare_and_step(&o, fx, cached, bad[k]);
			conf_expect_outcome(&o, CORM_ESQL, bad[k]);
		}
	}
	conf_expect_error(fx->c, corm_exec(fx->c, "CREAT TABLE x (y int)"),
		CORM_ESQL);
	/* Nothing broke. */
	CONF_OK(fx->c, corm_conn_ping(fx->c));
	CONF_OK(fx->c, corm_exec(fx->c, "SELECT 1"));
}

void test_stmt__unknown_table_is_esql(void **state)
{
	conf_fixture *fx = *state;
	char *sql = conf_sql(fx->c, "SELECT %I FROM %I", "id",
		"conf_no_such_table");

	conf_outcome o;

	prepare_and_step(&o, fx, false, sql);
	conf_expect_outcome(&o, CORM_ESQL, "prepared");
	prepare_and_step(&o, fx, true, sql);
	conf_expect_outcome(&o, CORM_ESQL, "cached");
	corm_free(sql);
}

void test_stmt__exec_runs_several_statements(void **state)
{
	conf_fixture *fx = *state;
	const char *a = conf_table(fx, "st_exec_a");
	const char *b = conf_table(fx, "st_exec_b");
	int rc;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T); CREATE TABLE %I (%I %T);",
		a, "x", CORM_COL_I64, 0, 0, b, "y", CORM_COL_I64, 0, 0);
	assert_int_equal(conf_count(fx->c, a), 0);
	assert_int_equal(conf_count(fx->c, b), 0);

	/* Rows returned by any of them are discarded. */
	conf_exec_ok(fx->c, "SELECT COUNT(*) FROM %I; SELECT COUNT(*) FROM %I",
		a, b);
	/* An error in a later statement is reported. */
	rc = conf_exec(fx->c, "SELECT COUNT(*) FROM %I; SELEC 1", a);
	conf_expect_error(fx->c, rc, CORM_ESQL);
	CONF_OK(fx->c, corm_exec(fx->c, "SELECT 1"));
}

void test_stmt__success_after_failure_clears_errcode(void **state)
{
	conf_fixture *fx = *state;
	corm_stmt *s;

	/* driver.h: the core clears the error state before each call. */
	assert_int_equal(corm_exec(fx->c, "SELEC 1"), CORM_ESQL);
	assert_int_equal(corm_errcode(fx->c), CORM_ESQL);
	CONF_OK(fx->c, corm_exec(fx->c, "SELECT 1"));
	if (corm_errcode(fx->c) != CORM_OK)
		CONF_FAIL("after a successful corm_exec(), corm_errcode() = "
			"%d %s (\"%s\"), expected CORM_OK",
			corm_errcode(fx->c), conf_code_name(corm_errcode(fx->c)),
			corm_errmsg(fx->c));
	assert_string_equal(corm_errcode_native(fx->c), "");

	assert_int_equal(corm_exec(fx->c, "SELEC 1"), CORM_ESQL);
	s = conf_prepare_ok(fx->c, false, "SELECT 1");
	conf_step_expect(s, CORM_ROW);
	conf_stmt_free(s);
	if (corm_errcode(fx->c) != CORM_OK)
		CONF_FAIL("after a successful prepare and step, "
			"corm_errcode() = %d %s, expected CORM_OK",
			corm_errcode(fx->c), conf_code_name(corm_errcode(fx->c)));
}

void test_stmt__cached_works_with_cache_size_0_and_2(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_cache_sizes", 3);
	static const char *const params[] = { "statement_cache=0",
		"statement_cache=2" };
	size_t k;
	int round, i;

	for (k = 0; k < 2; k++) {
		/* cached_alias()/check_alias() work on fx->c: park the
		 * fixture's connection in c2 (the teardown closes both). */
		corm_conn *c = conf_open(params[k]);

		fx->c2 = fx->c;
		fx->c = c;
		for (round = 0; round < 3; round++) {
			corm_stmt *a = cached_alias(fx, t, 0);
			corm_stmt *b = cached_alias(fx, t, 0); /* a is out */

			assert_ptr_not_equal(a, b);
			check_alias(fx, a, 0, 1);
			check_alias(fx, b, 0, 2);
			conf_stmt_free(a);
			conf_stmt_free(b);
			for (i = 0; i < 5; i++) {
				corm_stmt *s = cached_alias(fx, t, i);

				check_alias(fx, s, i, 1 + (i + round) % 3);
				conf_stmt_free(s);
			}
		}
		corm_conn_close(fx->c);
		fx->c = fx->c2;
		fx->c2 = NULL;
	}
}

void test_stmt__placeholder_characters_inside_literals_are_not_params(
	void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_literal_q", 2);
	conf_value lit = { CONF_TEXT, 0, 0, false, "? $1 :x", 7, "literal" };
	corm_stmt *s;
	int64_t id = -1;

	/* Literals are SQL text, not values: nothing is spliced here. */
	s = conf_prepare_ok(fx->c, false, "SELECT %I, '? $1 :x' FROM %I WHERE "
		"%I = %P AND %I <> '?'", "id", t, "id", "name");
	assert_int_equal(corm_stmt_param_count(s), 1);
	CONF_OK(fx->c, corm_bind_int64(s, 1, 2));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&id, s, 0));
	assert_int_equal(id, 2);
	conf_expect_value(s, 1, &lit);
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

void test_stmt__reserved_words_and_quote_characters_as_identifiers(
	void **state)
{
	conf_fixture *fx = *state;
	/* Every identifier is quoted, so keywords and quote characters
	 * (doubled by corm_dialect_quote) are ordinary names. */
	static const char *const cols[] = { "order", "group", "user",
		"we\"ird", "back`tick", "Mixed Case" };
	const char *t = conf_table(fx, "st_idents");
	corm_stmt *s;
	size_t k;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T, %I %T, %I %T, %I %T, "
		"%I %T, %I %T)", t,
		cols[0], CORM_COL_I64, 0, 0, cols[1], CORM_COL_I64, 0, 0,
		cols[2], CORM_COL_I64, 0, 0, cols[3], CORM_COL_I64, 0, 0,
		cols[4], CORM_COL_I64, 0, 0, cols[5], CORM_COL_I64, 0, 0);
	s = conf_prepare_ok(fx->c, true, "INSERT INTO %I (%I, %I, %I, %I, %I, "
		"%I) VALUES (%P, %P, %P, %P, %P, %P)", t, cols[0], cols[1],
		cols[2], cols[3], cols[4], cols[5]);
	for (k = 0; k < 6; k++)
		CONF_OK(fx->c, corm_bind_int64(s, (int)k + 1, (int64_t)k * 7));
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);

	s = conf_prepare_ok(fx->c, false, "SELECT %I, %I, %I, %I, %I, %I FROM "
		"%I WHERE %I = %P", cols[5], cols[4], cols[3], cols[2], cols[1],
		cols[0], t, cols[3]);
	CONF_OK(fx->c, corm_bind_int64(s, 1, 21));
	conf_step_expect(s, CORM_ROW);
	for (k = 0; k < 6; k++) {
		int64_t v = -1;

		assert_string_equal(corm_column_name(s, (int)k), cols[5 - k]);
		CONF_OK(fx->c, corm_column_int64(&v, s, (int)k));
		assert_int_equal(v, (int64_t)(5 - k) * 7);
	}
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

/*
 * One statement run again with parameters of other kinds and sizes: the
 * drivers keep per-statement buffers and column metadata between runs
 * (MySQL rebinds its result only when a column's kind changes), so a
 * rerun must not read through the previous run's binding. `SELECT ?`
 * answers in the parameter's type on MySQL and SQLite, as text on
 * PostgreSQL; every engine reads the text "42" as the integer 42.
 */
void test_stmt__rerun_with_parameters_of_other_kinds(void **state)
{
	conf_fixture *fx = *state;
	corm_stmt *s = conf_prepare_ok(fx->c, true, "SELECT %P");
	size_t big_len = 100 * 1024;
	char *big = malloc(big_len);
	conf_value v_big = { CONF_TEXT, 0, 0, false, big, big_len, "100 KiB" };
	conf_value v_hello = { CONF_TEXT, 0, 0, false, "hello", 5, "hello" };
	int64_t i = -1;
	int round;

	assert_non_null(big);
	memset(big, 'b', big_len);
	big[0] = 'B';
	big[big_len - 1] = 'E';
	for (round = 0; round < 2; round++) {
		CONF_OK(fx->c, corm_bind_int64(s, 1, 42));
		conf_step_expect(s, CORM_ROW);
		CONF_OK(fx->c, corm_column_int64(&i, s, 0));
		assert_int_equal(i, 42);
		conf_step_expect(s, CORM_DONE);
		CONF_OK(fx->c, corm_stmt_reset(s));

		conf_bind(s, 1, &v_big);
		conf_step_expect(s, CORM_ROW);
		conf_expect_value(s, 0, &v_big);
		conf_step_expect(s, CORM_DONE);
		CONF_OK(fx->c, corm_stmt_reset(s));

		conf_bind(s, 1, &v_hello); /* shorter than the last value */
		conf_step_expect(s, CORM_ROW);
		conf_expect_value(s, 0, &v_hello);
		CONF_OK(fx->c, corm_stmt_reset(s)); /* a row left unread */

		CONF_OK(fx->c, corm_bind_null(s, 1));
		conf_step_expect(s, CORM_ROW);
		conf_expect_null(s, 0);
		CONF_OK(fx->c, corm_stmt_reset(s));
	}
	conf_stmt_free(s);
	free(big);
}

/*
 * The table under a cached statement changes between two runs (a column
 * added): the next run answers with the table as it is now. SQLite
 * re-prepares by itself, PostgreSQL refuses the old plan ("cached plan
 * must not change result type") and the driver prepares again, MySQL's
 * server re-prepares and the driver reads the new metadata.
 */
void test_stmt__cached_statement_after_the_table_changes(void **state)
{
	conf_fixture *fx = *state;
	const char *t = filled_table(fx, "st_altered", 2);
	char *sql = conf_sql(fx->c, "SELECT * FROM %I WHERE %I = %P", t, "id");
	conf_value n2 = { CONF_TEXT, 0, 0, false, "n2", 2, "name" };
	conf_value extra = { CONF_TEXT, 0, 0, false, "added later", 11,
		"extra" };
	corm_stmt *s = NULL;
	int64_t v = -1;

	CONF_OK(fx->c, corm_stmt_cached(&s, fx->c, sql));
	CONF_OK(fx->c, corm_bind_int64(s, 1, 2));
	conf_step_expect(s, CORM_ROW);
	assert_int_equal(corm_column_count(s), 3);
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);

	conf_exec_ok(fx->c, "ALTER TABLE %I ADD COLUMN %I %T", t, "extra",
		CORM_COL_TEXT, 0, 0);
	{
		corm_stmt *u = conf_prepare_ok(fx->c, false, "UPDATE %I SET %I = "
			"%P WHERE %I = %P", t, "extra", "id");

		conf_bind(u, 1, &extra);
		CONF_OK(fx->c, corm_bind_int64(u, 2, 2));
		conf_step_expect(u, CORM_DONE);
		conf_stmt_free(u);
	}

	CONF_OK(fx->c, corm_stmt_cached(&s, fx->c, sql));
	CONF_OK(fx->c, corm_bind_int64(s, 1, 2));
	conf_step_expect(s, CORM_ROW);
	assert_int_equal(corm_column_count(s), 4);
	assert_string_equal(corm_column_name(s, 3), "extra");
	CONF_OK(fx->c, corm_column_int64(&v, s, 1));
	assert_int_equal(v, 20);
	conf_expect_value(s, 2, &n2);
	conf_expect_value(s, 3, &extra);
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
	corm_free(sql);
}

/*
 * MySQL: a stored procedure's CALL answers a result set and then a status
 * result; run three times through one statement, each run reads its rows
 * and the next run starts clean (Connector/C replaces its field array
 * when more results follow, and the driver must fetch it again).
 */
void test_stmt__a_procedure_call_runs_again(void **state)
{
	conf_fixture *fx = *state;
	const char *t;
	char proc[CONF_TABLE_LEN + 8];
	corm_stmt *s;
	int64_t v = -1;
	int round;

	if (conf.engine != CONF_MYSQL)
		skip(); /* CALL with result sets is MySQL's */
	t = filled_table(fx, "st_call", 3);
	snprintf(proc, sizeof(proc), "%s_p", t);
	conf_exec_ok(fx->c, "DROP PROCEDURE IF EXISTS %I", proc);
	conf_exec_ok(fx->c, "CREATE PROCEDURE %I (IN k BIGINT) SELECT %I "
		"FROM %I WHERE %I >= k ORDER BY %I", proc, "v", t, "id", "id");
	s = conf_prepare_ok(fx->c, false, "CALL %I(%P)", proc);
	for (round = 1; round <= 3; round++) {
		int64_t id;

		CONF_OK(fx->c, corm_bind_int64(s, 1, round));
		for (id = round; id <= 3; id++) {
			conf_step_expect(s, CORM_ROW);
			CONF_OK(fx->c, corm_column_int64(&v, s, 0));
			assert_int_equal(v, 10 * id);
		}
		conf_step_expect(s, CORM_DONE);
		CONF_OK(fx->c, corm_stmt_reset(s));
	}
	conf_stmt_free(s);
	conf_exec_ok(fx->c, "DROP PROCEDURE %I", proc);
}
