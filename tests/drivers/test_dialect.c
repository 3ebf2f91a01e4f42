/*
 * test_dialect.c — the dialect's facts (corm/dialect.h) are true of the
 * engine they describe, and the runtime refuses a descriptor whose version
 * it does not read (model.h, CORM_DESC_VERSION).
 *
 * Every SQL difference between engines is a field of the dialect; each
 * test writes SQL from those fields alone, as the runtime and codegen do,
 * and checks the engine's answer is the same on all three.
 */
#include "conformance.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <corm/model.h>
#include <corm/query.h>

static const corm_dialect *dialect_of(conf_fixture *fx)
{
	return corm_conn_dialect(fx->c);
}

/* ------------------------------------------------------ finding dialects */

void test_dialect__names_find_their_dialect_and_unknown_is_null(void **state)
{
	const corm_dialect *d = dialect_of(*state);
	int i;

	assert_ptr_equal(corm_dialect_find(d->name), d);
	assert_int_equal(corm_dialect_index(d) >= 0, 1);
	assert_ptr_equal(corm_dialects[corm_dialect_index(d)], d);
	for (i = 0; i < CORM_NDIALECTS; i++)
		assert_ptr_equal(corm_dialect_find(corm_dialects[i]->name),
			corm_dialects[i]);
	/* An unknown engine is not taken for any other. */
	assert_null(corm_dialect_find("oracle"));
	assert_null(corm_dialect_find(""));
	assert_int_equal(corm_dialect_index(NULL), -1);
}

/* ----------------------------------------------------------- statement forms */

/* A table of only an AUTO key: the dialect's empty insert adds a row. */
void test_dialect__empty_insert_adds_a_row(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = dialect_of(fx);
	const char *t = conf_table(fx, "only_key");

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %s%s)", t, "id",
		d->auto_format[0], d->auto_includes_pk ? "" : " PRIMARY KEY");
	conf_exec_ok(fx->c, "INSERT INTO %I%s", t, d->empty_insert);
	conf_exec_ok(fx->c, "INSERT INTO %I%s", t, d->empty_insert);
	assert_int_equal(conf_count(fx->c, t), 2);
}

/* Five rows 1..5 in column v of a new table; NULL-able column w holds
 * NULL for v = 2 and 6 - v otherwise. */
static const char *five_rows(conf_fixture *fx, const char *stem)
{
	const char *t = conf_table(fx, stem);
	int v;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T, %I %T)", t, "v",
		CORM_COL_I64, 0, 0, "w", CORM_COL_I64, 0, 0);
	for (v = 1; v <= 5; v++) {
		corm_stmt *s = conf_prepare_ok(fx->c, false,
			"INSERT INTO %I (%I, %I) VALUES (%P, %P)", t, "v", "w");

		CONF_OK(fx->c, corm_bind_int64(s, 1, v));
		if (v == 2)
			CONF_OK(fx->c, corm_bind_null(s, 2));
		else
			CONF_OK(fx->c, corm_bind_int64(s, 2, 6 - v));
		conf_step_expect(s, CORM_DONE);
		conf_stmt_free(s);
	}
	return t;
}

/* Column 0 of every row of `s`, as a string of digits ("-" for NULL). */
static void read_column(corm_stmt *s, char *out, size_t size)
{
	size_t n = 0;
	int rc;

	while ((rc = corm_step(s)) == CORM_ROW) {
		int64_t v = 0;
		bool null = corm_column_is_null(s, 0);

		if (!null)
			assert_int_equal(corm_column_int64(&v, s, 0), CORM_OK);
		assert_true(n + 1 < size);
		out[n++] = null ? '-' : (char)('0' + v);
	}
	assert_int_equal(rc, CORM_DONE);
	out[n] = '\0';
}

void test_dialect__limit_all_with_an_offset_reads_the_rest(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = dialect_of(fx);
	const char *t = five_rows(fx, "limit_all");
	corm_stmt *s = conf_prepare_ok(fx->c, false,
		"SELECT %I FROM %I ORDER BY %I LIMIT %s OFFSET 2", "v", t, "v",
		d->limit_all);
	char got[16];

	read_column(s, got, sizeof(got));
	conf_stmt_free(s);
	assert_string_equal(got, "345");
}

/* NULLS FIRST / LAST where the engine has them, else `col IS NULL`. */
void test_dialect__nulls_order_puts_nulls_first_or_last(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = dialect_of(fx);
	const char *t = five_rows(fx, "nulls");
	char got[16];
	int last;

	for (last = 0; last < 2; last++) {
		corm_stmt *s = d->has_nulls_order
			? conf_prepare_ok(fx->c, false,
				"SELECT %I FROM %I ORDER BY %I ASC %s", "w", t, "w",
				last ? "NULLS LAST" : "NULLS FIRST")
			: conf_prepare_ok(fx->c, false,
				"SELECT %I FROM %I ORDER BY %I IS NULL %s, %I ASC",
				"w", t, "w", last ? "ASC" : "DESC", "w");

		read_column(s, got, sizeof(got));
		conf_stmt_free(s);
		assert_string_equal(got, last ? "1235-" : "-1235");
	}
}

/* ------------------------------------------------------------ text facts */

/* Matching is case-sensitive and wildcards escape, on every engine. */
void test_dialect__text_match_is_case_sensitive_and_escapes(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = dialect_of(fx);
	const char *t = conf_table(fx, "match");
	const bool glob = d->text_match == CORM_TEXT_MATCH_GLOB;
	static const struct {
		const char *glob, *like; /* "starts with Ab" / "contains 5%" */
		int64_t want;
	} cases[] = {
		{"Ab*", "Ab%", 1},
		{"*5[%]*", "%5!%%", 1},
	};
	size_t i;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T)%s", t, "v", CORM_COL_TEXT,
		0, 0, d->create_table_suffix);
	conf_exec_ok(fx->c, "INSERT INTO %I (%I) VALUES ('Abc'), ('abc'), "
		"('x 5%% y'), ('x 55 y')", t, "v");
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *pat = glob ? cases[i].glob : cases[i].like;
		corm_stmt *s = conf_prepare_ok(fx->c, false,
			"SELECT COUNT(*) FROM %I WHERE %I %s %P%s", t, "v",
			glob ? "GLOB" : "LIKE", glob ? "" : " ESCAPE '!'");
		int64_t n = -1;

		CONF_OK(fx->c, corm_bind_text(s, 1, pat, strlen(pat)));
		conf_step_expect(s, CORM_ROW);
		CONF_OK(fx->c, corm_column_int64(&n, s, 0));
		conf_stmt_free(s);
		if (n != cases[i].want)
			CONF_FAIL("pattern %s matched %lld rows, not %lld", pat,
				(long long)n, (long long)cases[i].want);
	}
}

/* ORDER BY with the text collation sorts by bytes: 'B' < 'a' < 'b'. */
void test_dialect__text_sort_collate_sorts_by_bytes(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = dialect_of(fx);
	const char *t = conf_table(fx, "bytes_order");
	corm_stmt *s;
	char got[16];
	size_t n = 0;
	int rc;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T)%s", t, "v",
		CORM_COL_STRING, 10, 0, d->create_table_suffix);
	conf_exec_ok(fx->c, "INSERT INTO %I (%I) VALUES ('b'), ('a'), ('B')",
		t, "v");
	s = conf_prepare_ok(fx->c, false, "SELECT %I FROM %I ORDER BY %I%s",
		"v", t, "v", d->text_sort_collate);
	while ((rc = corm_step(s)) == CORM_ROW) {
		const char *v = NULL;
		size_t len = 0;

		CONF_OK(fx->c, corm_column_text(&v, &len, s, 0));
		assert_int_equal(len, 1);
		got[n++] = v[0];
	}
	assert_int_equal(rc, CORM_DONE);
	conf_stmt_free(s);
	got[n] = '\0';
	assert_string_equal(got, "Bab");
}

/* A backslash in a literal is the backslash itself once doubled where the
 * engine takes escapes. */
void test_dialect__backslash_escapes_in_literals(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = dialect_of(fx);
	corm_stmt *s = conf_prepare_ok(fx->c, false, "SELECT %s",
		d->backslash_escapes ? "'a\\\\n'" : "'a\\n'");
	const char *v = NULL;
	size_t len = 0;

	conf_step_expect(s, CORM_ROW);
	CONF_OK(fx->c, corm_column_text(&v, &len, s, 0));
	assert_int_equal(len, 3);
	assert_memory_equal(v, "a\\n", 3);
	conf_stmt_free(s);
}

/* ----------------------------------------------------- descriptor version */

typedef struct note {
	int64_t id;
} note;

static const corm_field_desc note_fields[] = {
	{"id", "id", CORM_C_I64, CORM_FIELD_PK, offsetof(note, id),
		CORM_NO_HAS, NULL, CORM_COL_I64, 0, 0, 0},
};
static const int note_key[] = {0};

static void expect_refused(corm_conn *c, int rc, int version)
{
	char want[64];

	if (rc != CORM_EINVAL)
		CONF_FAIL("descriptor version %d: rc %d (%s), not CORM_EINVAL",
			version, rc, corm_errmsg(c));
	snprintf(want, sizeof(want), "descriptor is version %d", version);
	if (!strstr(corm_errmsg(c), want))
		CONF_FAIL("the message does not say '%s': %s", want,
			corm_errmsg(c));
}

void test_dialect__descriptor_of_another_version_is_refused(void **state)
{
	conf_fixture *fx = *state;
	const char *t = conf_table(fx, "desc_version");
	corm_model_sql sql = {0};
	corm_model_desc m = {
		.desc_version = CORM_DESC_VERSION,
		.name = "Note", .table = t, .size = sizeof(note),
		.fields = note_fields, .nfields = 1, .pk = note_key, .npk = 1,
		.auto_field = -1,
		.insert_fields = note_key, .ninsert_fields = 1,
		.update_fields = note_key, .nupdate_fields = 1,
	};
	const int bad[] = {CORM_DESC_VERSION_MIN - 1, CORM_DESC_VERSION + 1};
	char *insert, *get;
	note row = {7}, out = {0};
	corm_arena arena = CORM_ARENA_INIT;
	corm_query *q = NULL;
	size_t i;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T PRIMARY KEY)", t, "id",
		CORM_COL_I64, 0, 0);
	insert = conf_sql(fx->c, "INSERT INTO %I (%I) VALUES (%P)", t, "id");
	get = conf_sql(fx->c, "SELECT %I FROM %I WHERE %I = %P", "id", t,
		"id");
	sql.insert = insert;
	sql.get = get;
	m.sql[corm_dialect_index(dialect_of(fx))] = &sql;

	/* The version this runtime writes is read. */
	CONF_OK(fx->c, corm_model_insert(fx->c, &m, &row));
	CONF_OK(fx->c, corm_model_get(&out, fx->c, &m, &row, &arena));
	assert_int_equal(out.id, 7);
	CONF_OK(fx->c, corm_query_new(&q, fx->c, &m));
	corm_query_free(q);

	/* Too old and too new: refused before any SQL runs. */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		m.desc_version = bad[i];
		row.id = 8;
		expect_refused(fx->c, corm_model_insert(fx->c, &m, &row), bad[i]);
		expect_refused(fx->c, corm_model_get(&out, fx->c, &m, &row,
			&arena), bad[i]);
		expect_refused(fx->c, corm_model_delete(fx->c, &m, &row), bad[i]);
		expect_refused(fx->c, corm_query_new(&q, fx->c, &m), bad[i]);
		assert_null(q);
	}
	assert_int_equal(conf_count(fx->c, t), 1);
	corm_arena_free(&arena);
	corm_free(insert);
	corm_free(get);
}
