/*
 * test_roundtrip.c — values survive a prepared INSERT and a SELECT
 * unchanged, byte for byte, on every engine.
 *
 * Each value goes in twice: once through statements from
 * corm_stmt_prepare() (one INSERT reset and rerun for every value) and once
 * through corm_stmt_cached() (taken and handed back for every value), each
 * time under a fresh key, and is read back by key.
 */
#include "conformance.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MIB ((size_t)1 << 20)

#define TEXT(s) { CONF_TEXT, 0, 0, false, (s), sizeof(s) - 1, "text " #s }

/* A table "id" (i64 key) + "v" of type (t, a, b). */
static const char *value_table(conf_fixture *fx, const char *stem,
	corm_coltype t, int a, int b)
{
	const char *name = conf_table(fx, stem);

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY, "
		"%I %T)", name, "id", CORM_COL_I64, 0, 0, "v", t, a, b);
	return name;
}

/* Insert vals[i] under key base + i, then read each back and check it. */
static void roundtrip_mode(conf_fixture *fx, const char *table,
	const conf_value *vals, size_t n, bool cached, int64_t base)
{
	corm_stmt *ins = NULL, *sel = NULL;
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t changes = -1;

		if (cached || ins == NULL)
			ins = conf_prepare_ok(fx->c, cached,
				"INSERT INTO %I (%I, %I) VALUES (%P, %P)",
				table, "id", "v");
		CONF_OK(fx->c, corm_bind_int64(ins, 1, base + (int64_t)i));
		conf_bind(ins, 2, &vals[i]);
		conf_step_expect(ins, CORM_DONE);
		CONF_OK(fx->c, corm_stmt_changes(&changes, ins));
		if (changes != 1)
			CONF_FAIL("%s: INSERT changed %lld rows", vals[i].label,
				(long long)changes);
		if (cached) {
			conf_stmt_free(ins);
			ins = NULL;
		} else {
			CONF_OK(fx->c, corm_stmt_reset(ins));
		}
	}
	conf_stmt_free(ins);

	for (i = 0; i < n; i++) {
		if (cached || sel == NULL)
			sel = conf_prepare_ok(fx->c, cached,
				"SELECT %I FROM %I WHERE %I = %P", "v", table,
				"id");
		CONF_OK(fx->c, corm_bind_int64(sel, 1, base + (int64_t)i));
		conf_step_expect(sel, CORM_ROW);
		conf_expect_value(sel, 0, &vals[i]);
		conf_step_expect(sel, CORM_DONE);
		if (cached) {
			conf_stmt_free(sel);
			sel = NULL;
		} else {
			CONF_OK(fx->c, corm_stmt_reset(sel));
		}
	}
	conf_stmt_free(sel);
}

static void roundtrip(conf_fixture *fx, const char *table,
	const conf_value *vals, size_t n)
{
	roundtrip_mode(fx, table, vals, n, false, 1);
	roundtrip_mode(fx, table, vals, n, true, 100001);
}

/* Round-trip vals through a fresh table with "v" of type (t, a, b). */
static void roundtrip_type(conf_fixture *fx, const char *stem,
	corm_coltype t, int a, int b, const conf_value *vals, size_t n)
{
	roundtrip(fx, value_table(fx, stem, t, a, b), vals, n);
}

#define NVALS(a) (sizeof(a) / sizeof((a)[0]))

void test_roundtrip__null_in_every_column_kind(void **state)
{
	conf_fixture *fx = *state;
	static const struct {
		corm_coltype t;
		int a, b;
		const char *stem;
	} kinds[] = {
		{ CORM_COL_I64, 0, 0, "null_i64" },
		{ CORM_COL_F64, 0, 0, "null_f64" },
		{ CORM_COL_BOOL, 0, 0, "null_bool" },
		{ CORM_COL_TEXT, 0, 0, "null_text" },
		{ CORM_COL_BYTES, 0, 0, "null_bytes" },
	};
	const conf_value null = { CONF_NULL, 0, 0, false, NULL, 0, "NULL" };
	size_t k;

	/* Four tables per fixture at most: one at a time, dropped here. */
	for (k = 0; k < NVALS(kinds); k++) {
		const char *table;

		fx->ntables = 0;
		table = value_table(fx, kinds[k].stem, kinds[k].t, kinds[k].a,
			kinds[k].b);
		roundtrip(fx, table, &null, 1);
		conf_exec_ok(fx->c, "DROP TABLE %I", table);
	}
	fx->ntables = 0;
}

void test_roundtrip__int64_extremes(void **state)
{
	conf_fixture *fx = *state;
	const conf_value vals[] = {
		{ CONF_INT, INT64_MIN, 0, false, NULL, 0, "INT64_MIN" },
		{ CONF_INT, INT64_MAX, 0, false, NULL, 0, "INT64_MAX" },
		{ CONF_INT, 0, 0, false, NULL, 0, "0" },
		{ CONF_INT, -1, 0, false, NULL, 0, "-1" },
		/* 2^53 + 1 is not a double: catches a trip through one. */
		{ CONF_INT, INT64_C(9007199254740993), 0, false, NULL, 0,
			"2^53+1" },
		{ CONF_INT, INT64_MIN + 1, 0, false, NULL, 0, "INT64_MIN+1" },
		{ CONF_NULL, 0, 0, false, NULL, 0, "NULL" },
	};

	roundtrip_type(fx, "rt_i64", CORM_COL_I64, 0, 0, vals, NVALS(vals));
}

void test_roundtrip__doubles_are_bit_exact(void **state)
{
	conf_fixture *fx = *state;
	const conf_value vals[] = {
		{ CONF_DOUBLE, 0, 0.0, false, NULL, 0, "0.0" },
		{ CONF_DOUBLE, 0, -0.5, false, NULL, 0, "-0.5" },
		{ CONF_DOUBLE, 0, 1e300, false, NULL, 0, "1e300" },
		{ CONF_DOUBLE, 0, -1e-300, false, NULL, 0, "-1e-300" },
		{ CONF_DOUBLE, 0, DBL_MIN, false, NULL, 0, "DBL_MIN" },
		{ CONF_DOUBLE, 0, DBL_MAX, false, NULL, 0, "DBL_MAX" },
		/* These need all 17 significant digits to round-trip. */
		{ CONF_DOUBLE, 0, 0.30000000000000004, false, NULL, 0,
			"0.1+0.2" },
		{ CONF_DOUBLE, 0, 1.0 / 3.0, false, NULL, 0, "1/3" },
		{ CONF_DOUBLE, 0, 123456789.12345678, false, NULL, 0,
			"123456789.12345678" },
		{ CONF_NULL, 0, 0, false, NULL, 0, "NULL" },
	};

	roundtrip_type(fx, "rt_f64", CORM_COL_F64, 0, 0, vals, NVALS(vals));
}

void test_roundtrip__bools_read_as_bool_and_int(void **state)
{
	conf_fixture *fx = *state;
	const conf_value vals[] = {
		{ CONF_BOOL, 0, 0, true, NULL, 0, "true" },
		{ CONF_BOOL, 0, 0, false, NULL, 0, "false" },
		{ CONF_NULL, 0, 0, false, NULL, 0, "NULL" },
	};

	roundtrip_type(fx, "rt_bool", CORM_COL_BOOL, 0, 0, vals, NVALS(vals));
}

void test_roundtrip__text_with_quotes_backslashes_and_utf8(void **state)
{
	conf_fixture *fx = *state;
	const conf_value vals[] = {
		TEXT("it's"),
		TEXT("''"),
		TEXT("say \"hi\""),
		TEXT("back`tick`"),
		TEXT("back\\slash\\"),
		TEXT("\\'"),
		TEXT("\\\\\\"),
		TEXT("x'); DROP TABLE t;--"),
		TEXT(";--"),
		TEXT("/* not a comment */"),
		TEXT("? $1 :name %s %%"),
		TEXT("line\nbreak\r\ttab"),
		TEXT("caf\xc3\xa9 na\xc3\xafve"),               /* 2-byte */
		TEXT("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e"),   /* 3-byte */
		TEXT("emoji \xf0\x9f\x98\x80 and \xf0\x9f\x8e\x89"), /* 4-byte */
		TEXT("   leading and trailing spaces   "),
		{ CONF_NULL, 0, 0, false, NULL, 0, "NULL" },
	};

	roundtrip_type(fx, "rt_text", CORM_COL_TEXT, 0, 0, vals, NVALS(vals));
}

void test_roundtrip__empty_text_is_not_null(void **state)
{
	conf_fixture *fx = *state;
	const conf_value vals[] = {
		{ CONF_TEXT, 0, 0, false, "", 0, "empty text" },
		{ CONF_NULL, 0, 0, false, NULL, 0, "NULL" },
		{ CONF_TEXT, 0, 0, false, "x", 1, "one byte" },
	};

	roundtrip_type(fx, "rt_empty_text", CORM_COL_TEXT, 0, 0, vals,
		NVALS(vals));
	/* string(N) columns too: VARCHAR on the servers. */
	roundtrip_type(fx, "rt_empty_str", CORM_COL_STRING, 10, 0, vals,
		NVALS(vals));
}

void test_roundtrip__empty_blob_is_not_null(void **state)
{
	conf_fixture *fx = *state;
	static const char one[1] = { 0 };
	const conf_value vals[] = {
		{ CONF_BLOB, 0, 0, false, "", 0, "empty blob" },
		{ CONF_NULL, 0, 0, false, NULL, 0, "NULL" },
		{ CONF_BLOB, 0, 0, false, one, 1, "one NUL byte" },
	};

	roundtrip_type(fx, "rt_empty_blob", CORM_COL_BYTES, 0, 0, vals,
		NVALS(vals));
}

void test_roundtrip__one_mib_text(void **state)
{
	conf_fixture *fx = *state;
	static const char pattern[] =
		"The quick brown fox \xe2\x80\x94 'jumps' \"over\" \\ the lazy "
		"dog;\n";
	char *text = malloc(MIB);
	conf_value v = { CONF_TEXT, 0, 0, false, text, MIB, "1 MiB text" };
	size_t i;

	assert_non_null(text);
	for (i = 0; i < MIB; i++)
		text[i] = pattern[i % (sizeof(pattern) - 1)];
	/* Do not end inside the 3-byte dash: keep it valid UTF-8. */
	for (i = MIB - 8; i < MIB; i++)
		text[i] = 'z';
	roundtrip_type(fx, "rt_big_text", CORM_COL_TEXT, 0, 0, &v, 1);
	free(text);
}

void test_roundtrip__one_mib_blob_of_nul_bytes(void **state)
{
	conf_fixture *fx = *state;
	char *blob = calloc(1, MIB);
	conf_value v = { CONF_BLOB, 0, 0, false, blob, MIB,
		"1 MiB of NUL bytes" };

	assert_non_null(blob);
	roundtrip_type(fx, "rt_big_blob", CORM_COL_BYTES, 0, 0, &v, 1);
	free(blob);
}

void test_roundtrip__blob_with_every_byte_value(void **state)
{
	conf_fixture *fx = *state;
	unsigned char bytes[1024];
	conf_value v = { CONF_BLOB, 0, 0, false, bytes, sizeof(bytes),
		"bytes 0..255, four times, both directions" };
	size_t i;

	for (i = 0; i < sizeof(bytes); i++)
		bytes[i] = (unsigned char)(i < 512 ? i : 1023 - i);
	roundtrip_type(fx, "rt_bytes", CORM_COL_BYTES, 0, 0, &v, 1);
}

void test_roundtrip__decimal_as_text_is_exact(void **state)
{
	conf_fixture *fx = *state;
	const conf_value vals[] = {
		TEXT("12345678901234567890.123456789"),
		TEXT("-0.000000001"),
		TEXT("99999999999999999999999999999.999999999"),
		TEXT("0.000000000"),
		{ CONF_NULL, 0, 0, false, NULL, 0, "NULL" },
	};

	roundtrip_type(fx, "rt_decimal", CORM_COL_DECIMAL, 38, 9, vals,
		NVALS(vals));
}

/*
 * Times and timestamps are compared as values, not as text: the engines
 * spell the same value differently. "2024-02-29 13:45:56" may come back
 * with a 'T', with a fraction of zeros (MySQL's TIME(6), DATETIME(6)), and
 * a timestamp with a UTC offset ("+00", "+00:00", "Z") where the engine
 * keeps one. A fraction that is there must come back digit for digit (up
 * to trailing zeros); another hour or day, or another offset, fails.
 */
typedef struct temporal {
	char main[32];  /* "YYYY-MM-DD HH:MM:SS" or "HH:MM:SS" */
	char frac[16];  /* fraction digits without trailing zeros */
	char zone[16];  /* what follows */
} temporal;

static bool split_temporal(temporal *t, const char *text, size_t len)
{
	size_t n = 0, f = 0, i;

	memset(t, 0, sizeof(*t));
	while (n < len && n < sizeof(t->main) - 1 && text[n] != '.' &&
	       text[n] != '+' && text[n] != 'Z' &&
	       !(n > 10 && text[n] == '-')) {
		t->main[n] = text[n] == 'T' ? ' ' : text[n];
		n++;
	}
	if (n < len && text[n] == '.') {
		for (n++; n < len && text[n] >= '0' && text[n] <= '9'; n++) {
			if (f == sizeof(t->frac) - 1)
				return false;
			t->frac[f++] = text[n];
		}
		while (f > 0 && t->frac[f - 1] == '0')
			t->frac[--f] = '\0';
	}
	for (i = 0; n < len && i < sizeof(t->zone) - 1; i++, n++)
		t->zone[i] = text[n];
	return n == len;
}

static void expect_temporal(corm_stmt *s, int col, const char *want,
	bool is_timestamp)
{
	const char *got = NULL;
	size_t len = 0;
	temporal g, w;
	int rc = corm_column_text(&got, &len, s, col);

	if (rc != CORM_OK)
		CONF_FAIL("%s: corm_column_text() = %d (%s)", want, rc,
			conf_code_name(rc));
	if (!split_temporal(&g, got, len) ||
	    !split_temporal(&w, want, strlen(want)) ||
	    strcmp(g.main, w.main) != 0 || strcmp(g.frac, w.frac) != 0)
		CONF_FAIL("expected '%s', got '%s'", want, got);
	if (strcmp(g.zone, "") == 0)
		return;
	if (!is_timestamp || (strcmp(g.zone, "+00") != 0 &&
	    strcmp(g.zone, "+00:00") != 0 && strcmp(g.zone, "Z") != 0))
		CONF_FAIL("expected '%s' (UTC), got '%s'", want, got);
}

void test_roundtrip__date_time_timestamp_uuid_json_as_text(void **state)
{
	conf_fixture *fx = *state;
	static const char *const cols[] = { "d", "tm", "ts", "u", "j" };
	/* Two rows of values: whole seconds, then microseconds. */
	static const char *const rows[2][5] = { {
		"2024-02-29",
		"13:45:56",
		"2024-02-29 13:45:56",
		"0f8fad5b-d9cb-469f-a165-70867728950e",
		/* Already in jsonb's canonical form: json and jsonb agree. */
		"{\"a\": [1, 2.5, \"x\\\"y\"], \"b\": null, "
			"\"c\": \"\xc3\xa9\xf0\x9f\x98\x80\"}",
	}, {
		"1970-01-01",
		"23:59:59.123456",
		"1999-12-31 23:59:59.999999",
		"00000000-0000-0000-0000-000000000000",
		"[]",
	} };
	const char *table = conf_table(fx, "rt_typed");
	int pass, row;
	size_t k;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY, "
		"%I %T, %I %T, %I %T, %I %T, %I %T)", table,
		"id", CORM_COL_I64, 0, 0,
		"d", CORM_COL_DATE, 0, 0,
		"tm", CORM_COL_TIME, 0, 0,
		"ts", CORM_COL_TIMESTAMP, 0, 0,
		"u", CORM_COL_UUID, 0, 0,
		"j", CORM_COL_JSON, 0, 0);

	for (pass = 0; pass < 2; pass++) {
		bool cached = pass == 1;
		int64_t base = 10 * (pass + 1);
		corm_stmt *s;

		/* Rows base+0 and base+1 hold values, base+2 NULLs. */
		for (row = 0; row < 3; row++) {
			s = conf_prepare_ok(fx->c, cached, "INSERT INTO %I (%I, "
				"%I, %I, %I, %I, %I) VALUES (%P, %P, %P, %P, %P, "
				"%P)", table, "id", "d", "tm", "ts", "u", "j");
			CONF_OK(fx->c, corm_bind_int64(s, 1, base + row));
			for (k = 0; k < 5; k++) {
				if (row < 2)
					CONF_OK(fx->c, corm_bind_text(s,
						(int)k + 2, rows[row][k],
						CORM_NTS));
				else
					CONF_OK(fx->c, corm_bind_null(s,
						(int)k + 2));
			}
			conf_step_expect(s, CORM_DONE);
			conf_stmt_free(s);
		}

		s = conf_prepare_ok(fx->c, cached, "SELECT %I, %I, %I, %I, %I "
			"FROM %I WHERE %I = %P", "d", "tm", "ts", "u", "j",
			table, "id");
		for (row = 0; row < 3; row++) {
			CONF_OK(fx->c, corm_stmt_reset(s));
			CONF_OK(fx->c, corm_bind_int64(s, 1, base + row));
			conf_step_expect(s, CORM_ROW);
			for (k = 0; k < 5; k++) {
				const char *want = row < 2 ? rows[row][k] : NULL;
				conf_value v = { CONF_TEXT, 0, 0, false, want,
					want ? strlen(want) : 0, cols[k] };

				if (want == NULL)
					conf_expect_null(s, (int)k);
				else if (k == 1 || k == 2)
					expect_temporal(s, (int)k, want, k == 2);
				else
					conf_expect_value(s, (int)k, &v);
			}
			conf_step_expect(s, CORM_DONE);
		}
		conf_stmt_free(s);
	}
}
