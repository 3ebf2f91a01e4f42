/*
 * test_facts.c — engine facts that once made one engine answer
 * differently from the others without an error (issue 12):
 *
 *   - SQLite's double-quoted-string fallback: "missing" must name a
 *     column, so a missing one is an error, not the text 'missing';
 *   - MySQL's PAD SPACE collations: 'x' and 'x ' are different values
 *     for =, UNIQUE, ORDER BY and LIKE, as they are on the other engines;
 *   - PostgreSQL's session TimeZone and DateStyle (PGTZ, PGDATESTYLE, a
 *     URL's options) must not move or garble timestamps;
 *   - MySQL's max_allowed_packet: a value over it is CORM_ETOOLONG and
 *     the connection stays usable.
 *
 * Each test runs on every engine; the parts that are about one engine's
 * setting check the others give the same answer.
 */
#include "conformance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corm/types.h>

/* ------------------------------------------------------ identifiers (DQS) */

void test_facts__double_quoted_missing_column_is_esql(void **state)
{
	conf_fixture *fx = *state;
	const char *t = conf_table(fx, "dqs");
	corm_stmt *s = NULL;
	int rc;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T)", t, "views",
		CORM_COL_I64, 0, 0);
	conf_exec_ok(fx->c, "INSERT INTO %I (%I) VALUES (3)", t, "views");
	/* Code ahead of its migration: the column does not exist yet. */
	rc = conf_prepare(&s, fx->c, false, "SELECT SUM(%I) FROM %I",
		"missing_views", t);
	if (rc == CORM_OK) {
		rc = corm_step(s);
		conf_stmt_free(s);
	}
	conf_expect_error(fx->c, rc, CORM_ESQL);
	/* DDL too: in a CHECK, "x" is not the text 'x'. */
	rc = conf_exec(fx->c, "CREATE TABLE %I (%I %T CHECK (%I <> %I))",
		conf_table(fx, "dqs_ddl"), "v", CORM_COL_STRING, 10, 0, "v",
		"x");
	if (rc == CORM_OK)
		CONF_FAIL("a double-quoted name in a CHECK was taken as a "
			"string");
}

/* ------------------------------------------------------- NO PAD collation */

static int64_t count_where_eq(corm_conn *c, const char *t, const char *v,
	size_t len)
{
	corm_stmt *s = conf_prepare_ok(c, false,
		"SELECT COUNT(*) FROM %I WHERE %I = %P", t, "v");
	int64_t n = -1;

	CONF_OK(c, corm_bind_text(s, 1, v, len));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(c, corm_column_int64(&n, s, 0));
	conf_stmt_free(s);
	return n;
}

static void insert_text(corm_conn *c, const char *t, int64_t id,
	const char *v)
{
	corm_stmt *s = conf_prepare_ok(c, false,
		"INSERT INTO %I (%I, %I) VALUES (%P, %P)", t, "id", "v");

	CONF_OK(c, corm_bind_int64(s, 1, id));
	CONF_OK(c, corm_bind_text(s, 2, v, strlen(v)));
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

/* The table as corm creates it: the dialect's CREATE TABLE suffix (on
 * MySQL its charset and NO PAD collation). */
static const char *text_table(conf_fixture *fx, const char *stem,
	bool unique)
{
	const char *t = conf_table(fx, stem);

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY, "
		"%I %T NOT NULL%s)%s", t, "id", CORM_COL_I64, 0, 0, "v",
		CORM_COL_STRING, 20, 0, unique ? " UNIQUE" : "",
		corm_conn_dialect(fx->c)->create_table_suffix);
	return t;
}

void test_facts__trailing_spaces_make_a_different_text(void **state)
{
	conf_fixture *fx = *state;
	const char *t = text_table(fx, "nopad", true);
	corm_stmt *s;
	int64_t id, ids[3];
	int n = 0, rc;

	insert_text(fx->c, t, 1, "x ");
	insert_text(fx->c, t, 2, "pad");
	insert_text(fx->c, t, 3, "pad\t");
	assert_int_equal(count_where_eq(fx->c, t, "x", 1), 0);
	assert_int_equal(count_where_eq(fx->c, t, "x ", 2), 1);
	assert_int_equal(count_where_eq(fx->c, t, "pad ", 4), 0);
	/* UNIQUE: 'x' beside 'x ' is allowed; 'x ' twice is not. */
	s = conf_prepare_ok(fx->c, false,
		"INSERT INTO %I (%I, %I) VALUES (%P, %P)", t, "id", "v");
	CONF_OK(fx->c, corm_bind_int64(s, 1, 4));
	CONF_OK(fx->c, corm_bind_text(s, 2, "x", 1));
	conf_step_expect(s, CORM_DONE);
	CONF_OK(fx->c, corm_stmt_reset(s));
	CONF_OK(fx->c, corm_bind_int64(s, 1, 5));
	CONF_OK(fx->c, corm_bind_text(s, 2, "x ", 2));
	rc = corm_step(s);
	conf_expect_error(fx->c, rc, CORM_EUNIQUE);
	conf_stmt_free(s);
	/* ORDER BY: 'pad' < 'pad\t' < 'x' < 'x ' by bytes. */
	s = conf_prepare_ok(fx->c, false, "SELECT %I FROM %I ORDER BY %I%s",
		"id", t, "v", conf.engine == CONF_POSTGRES ? " COLLATE \"C\""
							    : "");
	while ((rc = corm_step(s)) == CORM_ROW && n < 4) {
		CONF_OK(fx->c, corm_column_int64(&id, s, 0));
		if (n < 3)
			ids[n] = id;
		n++;
	}
	assert_int_equal(rc, CORM_DONE);
	conf_stmt_free(s);
	assert_int_equal(n, 4);
	assert_int_equal(ids[0], 2);
	assert_int_equal(ids[1], 3);
	assert_int_equal(ids[2], 4);
}

void test_facts__like_does_not_ignore_trailing_spaces(void **state)
{
	conf_fixture *fx = *state;
	const char *t = text_table(fx, "nopad_like", false);
	corm_stmt *s;
	int64_t n = -1;

	insert_text(fx->c, t, 1, "x ");
	insert_text(fx->c, t, 2, "x");
	s = conf_prepare_ok(fx->c, false,
		"SELECT COUNT(*) FROM %I WHERE %I LIKE %P", t, "v");
	CONF_OK(fx->c, corm_bind_text(s, 1, "x", 1));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&n, s, 0));
	assert_int_equal(n, 1);
	conf_stmt_free(s);
	/* Two parameters, no column: the connection's collation decides. */
	s = conf_prepare_ok(fx->c, false, "SELECT COUNT(*) FROM %I WHERE "
		"%P = %P", t);
	CONF_OK(fx->c, corm_bind_text(s, 1, "a", 1));
	CONF_OK(fx->c, corm_bind_text(s, 2, "a ", 2));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&n, s, 0));
	assert_int_equal(n, 0);
	conf_stmt_free(s);
}

/* -------------------------------------------- PostgreSQL TimeZone/DateStyle */

/* The instant, written as corm writes it (zone-less, UTC). */
#define INSTANT "2024-02-29 13:45:00.250000"
#define INSTANT_OLD "1900-01-01 00:00:00"

/* Store INSTANT and INSTANT_OLD through `c`, read them back through `c`,
 * and check a fresh connection (TimeZone UTC) sees the same instants. */
static void timestamps_roundtrip(conf_fixture *fx, corm_conn *c,
	const char *stem)
{
	static const char *const vals[] = {INSTANT, INSTANT_OLD};
	const char *t = conf_table(fx, stem);
	corm_stmt *s;
	size_t i;

	conf_exec_ok(c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY, %I %T)",
		t, "id", CORM_COL_I64, 0, 0, "at", CORM_COL_TIMESTAMP, 0, 0);
	for (i = 0; i < 2; i++) {
		s = conf_prepare_ok(c, false,
			"INSERT INTO %I (%I, %I) VALUES (%P, %P)", t, "id", "at");
		CONF_OK(c, corm_bind_int64(s, 1, (int64_t)i));
		CONF_OK(c, corm_bind_text(s, 2, vals[i], strlen(vals[i])));
		conf_step_expect(s, CORM_DONE);
		conf_stmt_free(s);
	}
	for (i = 0; i < 2; i++) {
		corm_conn *reader = i ? fx->c : c;
		size_t k;

		s = conf_prepare_ok(reader, false,
			"SELECT %I FROM %I ORDER BY %I", "at", t, "id");
		for (k = 0; k < 2; k++) {
			corm_timestamp ts;
			char buf[CORM_TEXT_MAX];
			const char *text = NULL;
			size_t len = 0;

			conf_step_expect(s, CORM_ROW);
			CONF_OK(reader, corm_column_text(&text, &len, s, 0));
			if (corm_timestamp_parse(&ts, text, len) != CORM_OK)
				CONF_FAIL("%s connection: cannot parse '%.*s'",
					i ? "a UTC" : "the shifted", (int)len, text);
			corm_timestamp_format(buf, ts);
			if (strcmp(buf, vals[k]) != 0)
				CONF_FAIL("%s connection: stored %s, read %s (%.*s)",
					i ? "a UTC" : "the shifted", vals[k], buf,
					(int)len, text);
		}
		conf_step_expect(s, CORM_DONE);
		conf_stmt_free(s);
	}
	if (conf.engine == CONF_POSTGRES) {
		/* What psql shows in UTC. */
		const char *text = NULL;
		size_t len = 0;

		s = conf_prepare_ok(fx->c, false, "SELECT to_char(%I AT TIME ZONE "
			"'UTC', 'YYYY-MM-DD HH24:MI:SS.US') FROM %I WHERE %I = 0",
			"at", t, "id");
		conf_step_expect(s, CORM_ROW);
		CONF_OK(fx->c, corm_column_text(&text, &len, s, 0));
		if (len != strlen(INSTANT) || memcmp(text, INSTANT, len) != 0)
			CONF_FAIL("stored %s, the server holds %.*s UTC", INSTANT,
				(int)len, text);
		conf_stmt_free(s);
	}
}

/* The PostgreSQL session really is in Asia/Kolkata (else the tests
 * below would prove nothing), with DateStyle ISO. */
static void expect_kolkata_iso(corm_conn *c)
{
	corm_stmt *s;
	const char *text = NULL;
	size_t len = 0;

	if (conf.engine != CONF_POSTGRES)
		return;
	s = conf_prepare_ok(c, false, "SELECT current_setting('TimeZone'), "
		"current_setting('DateStyle')");
	conf_step_expect(s, CORM_ROW);
	CONF_OK(c, corm_column_text(&text, &len, s, 0));
	if (len != 12 || memcmp(text, "Asia/Kolkata", 12) != 0)
		CONF_FAIL("TimeZone is %.*s", (int)len, text);
	CONF_OK(c, corm_column_text(&text, &len, s, 1));
	if (len < 3 || memcmp(text, "ISO", 3) != 0)
		CONF_FAIL("DateStyle is %.*s", (int)len, text);
	conf_stmt_free(s);
}

void test_facts__pgtz_and_pgdatestyle_do_not_move_timestamps(void **state)
{
	conf_fixture *fx = *state;

	/* libpq sends these in the startup packet, after corm's options. */
	setenv("PGTZ", "Asia/Kolkata", 1);
	setenv("PGDATESTYLE", "SQL, DMY", 1);
	fx->c2 = conf_open(NULL);
	unsetenv("PGTZ");
	unsetenv("PGDATESTYLE");
	expect_kolkata_iso(fx->c2);
	timestamps_roundtrip(fx, fx->c2, "tz_env");
}

void test_facts__url_timezone_option_does_not_move_timestamps(void **state)
{
	conf_fixture *fx = *state;

	if (conf.engine != CONF_POSTGRES) {
		/* No such option elsewhere: the same check on a plain one. */
		fx->c2 = conf_open(NULL);
	} else {
		fx->c2 = conf_open("options=-c%20TimeZone%3DAsia/Kolkata");
	}
	expect_kolkata_iso(fx->c2);
	timestamps_roundtrip(fx, fx->c2, "tz_url");
}

/* --------------------------------------------------- MySQL packet limit */

void test_facts__value_over_the_packet_limit_keeps_the_connection(
	void **state)
{
	conf_fixture *fx = *state;
	int64_t limit = 16 << 20, n = -1;
	size_t size;
	corm_stmt *s;
	char *blob;
	int rc;

	if (conf.engine == CONF_MYSQL) {
		s = conf_prepare_ok(fx->c, false,
			"SELECT @@max_allowed_packet");
		conf_step_expect(s, CORM_ROW);
		CONF_OK(fx->c, corm_column_int64(&limit, s, 0));
		conf_stmt_free(s);
	}
	size = (size_t)limit + 16;
	blob = calloc(1, size);
	assert_non_null(blob);
	s = conf_prepare_ok(fx->c, false, conf.engine == CONF_POSTGRES
		? "SELECT LENGTH(CAST(%P AS BYTEA))" : "SELECT LENGTH(%P)");
	CONF_OK(fx->c, corm_bind_blob(s, 1, blob, size));
	rc = corm_step(s);
	if (conf.engine == CONF_MYSQL) {
		conf_expect_error(fx->c, rc, CORM_ETOOLONG);
		assert_non_null(strstr(corm_errmsg(fx->c), "max_allowed_packet"));
	} else {
		/* No packet limit: the value goes through. */
		assert_int_equal(rc, CORM_ROW);
		CONF_OK(fx->c, corm_column_int64(&n, s, 0));
		assert_int_equal(n, (int64_t)size);
	}
	/* The same statement with half as much, then another statement. */
	CONF_OK(fx->c, corm_stmt_reset(s));
	CONF_OK(fx->c, corm_bind_blob(s, 1, blob, (size_t)limit / 2));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&n, s, 0));
	assert_int_equal(n, limit / 2);
	conf_stmt_free(s);
	if (conf.engine == CONF_MYSQL) {
		/* SQL text over the limit (corm_exec): refused the same way. */
		memcpy(blob, "SELECT 1 /*", 11);
		memset(blob + 11, 'x', size - 11 - 3);
		memcpy(blob + size - 3, "*/", 3);
		rc = corm_exec(fx->c, blob);
		conf_expect_error(fx->c, rc, CORM_ETOOLONG);
	}
	free(blob);
	s = conf_prepare_ok(fx->c, false, "SELECT 1");
	conf_step_expect(s, CORM_ROW);
	conf_stmt_free(s);
}
