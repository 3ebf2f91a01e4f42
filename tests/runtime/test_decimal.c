/*
 * test_decimal.c — decimal(P,S) fields (decimal.corm) on a real engine.
 *
 *   - Every malformed or out-of-range value is refused, with the same
 *     code on every engine, on every path that sends one: insert, update,
 *     upsert, insert_many (COPY too), a query's set() and the values of
 *     cmp / between / in. Nothing is written.
 *   - Accepted values are stored and read back as one canonical text, the
 *     same on every engine, whatever spelling they were given in.
 *   - Comparisons, IN, ORDER BY, SUM, MIN and MAX over a few thousand
 *     seeded random values (30-digit ones in a decimal(30,10), many
 *     differing only past the 16th digit) equal a brute-force computation
 *     in C on exact scaled integers.
 *   - On SQLite, text an older corm or a hand-written INSERT left in
 *     another spelling still compares and sorts by value.
 *
 * Usage: test_decimal sqlite|postgres|mysql
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corm/driver.h"
#include "decimal.h"
#include "engine.h"
#include "tables.h"

static test_engine engine;
static corm_conn *db;

#define OK(call)                                                             \
	do {                                                                     \
		int rc_ = (call);                                                    \
		if (rc_ != CORM_OK)                                                  \
			fail_msg("%s -> %s: %s", #call, corm_strerror(rc_),              \
				corm_errmsg(db));                                            \
	} while (0)

static bool is_sqlite(void)
{
	return strcmp(engine.name, "sqlite") == 0;
}

/* ------------------------------------------------- exact reference values */

/* A decimal(P,S) value as an integer count of 10^-S: 30 digits fit. */
__extension__ typedef __int128 i128;

static i128 pow10_(int n)
{
	i128 v = 1;

	while (n-- > 0)
		v *= 10;
	return v;
}

/* Canonical text of v / 10^scale, as the engines print it. */
static void format_scaled(char *out, i128 v, int scale)
{
	char digits[64];
	int n = 0, i, k = 0;
	bool neg = v < 0;

	if (neg)
		v = -v;
	do {
		digits[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v > 0 || n <= scale);
	if (neg)
		out[k++] = '-';
	for (i = n - 1; i >= 0; i--) {
		out[k++] = digits[i];
		if (i == scale && scale > 0)
			out[k++] = '.';
	}
	out[k] = '\0';
}

/* A small seeded generator, the same sequence on every run. */
static uint64_t rng = 0x9E3779B97F4A7C15u;

static uint64_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A random value of decimal(p, s): every length of digits alike, so
 * small and 30-digit values both come up; sometimes zero. */
static i128 random_value(int p)
{
	int digits = 1 + (int)(next_rand() % (uint64_t)p), i;
	i128 v = 0;

	if (next_rand() % 20 == 0)
		return 0;
	for (i = 0; i < digits; i++)
		v = v * 10 + (i128)(next_rand() % 10);
	return next_rand() % 2 ? -v : v;
}

/* Another spelling of canonical `c` with the same value: leading zeros,
 * a '+', trailing zeros dropped or added. */
static void respell(char *out, const char *c)
{
	const char *digits = c + (*c == '-');
	size_t n;
	char *point;

	out[0] = '\0';
	if (*c == '-')
		strcat(out, "-");
	else if (next_rand() % 3 == 0)
		strcat(out, "+");
	if (next_rand() % 3 == 0)
		strcat(out, "00");
	strcat(out, digits);
	point = strchr(out, '.');
	n = strlen(out);
	if (point && next_rand() % 2) {
		while (out[n - 1] == '0')
			out[--n] = '\0'; /* "1.50" -> "1.5", "2.00" -> "2." */
		if (next_rand() % 2 && out[n - 1] == '.' && n > 1 &&
			out[n - 2] >= '0' && out[n - 2] <= '9')
			out[--n] = '\0'; /* and "2." -> "2" */
	} else if (next_rand() % 3 == 0) {
		strcat(out, point ? "000" : ".000");
	}
}

/* --------------------------------------------------------------- fixture */

static int setup(void **state)
{
	(void)state;
	if (corm_conn_open(&db, engine.url) != CORM_OK)
		return -1;
	if (test_create_tables(db, "decimal.corm") != CORM_OK)
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	corm_conn_close(db);
	return 0;
}

static void delete_all(void)
{
	amount_query *q = NULL;
	int64_t n;

	OK(amount_query_new(&q, db));
	OK(amount_query_delete(&n, q));
	amount_query_free(q);
}

static int64_t count_rows(void)
{
	amount_query *q = NULL;
	int64_t n = -1;

	OK(amount_query_new(&q, db));
	OK(amount_query_count(&n, q));
	amount_query_free(q);
	return n;
}

static void new_row(amount *a, const char *code, const char *small)
{
	amount_init(a);
	a->code = corm_str_of(code);
	a->small = corm_str_of(small);
}

/* The text one column of row `id` holds, read with plain SQL (not the
 * generated code), into out[cap]; "NULL" for NULL. */
static void stored_text(char *out, size_t cap, const char *column, int64_t id)
{
	corm_buf sql = CORM_BUF_INIT;
	const corm_dialect *d = corm_conn_dialect(db);
	corm_stmt *st = NULL;
	const char *text;
	size_t len;

	corm_buf_puts(&sql, "SELECT ");
	corm_dialect_quote(&sql, d, column);
	corm_buf_puts(&sql, " FROM ");
	corm_dialect_quote(&sql, d, "amount");
	corm_buf_puts(&sql, " WHERE ");
	corm_dialect_quote(&sql, d, "id");
	corm_buf_puts(&sql, " = ");
	corm_dialect_placeholder(&sql, d, 1);
	OK(corm_stmt_prepare(&st, db, corm_buf_cstr(&sql)));
	OK(corm_bind_int64(st, 1, id));
	assert_int_equal(corm_step(st), CORM_ROW);
	if (corm_column_is_null(st, 0)) {
		snprintf(out, cap, "NULL");
	} else {
		OK(corm_column_text(&text, &len, st, 0));
		snprintf(out, cap, "%.*s", (int)len, text);
	}
	corm_stmt_free(st);
	corm_buf_free(&sql);
}

/* ------------------------------------------------------------- checking */

/* Values a decimal(14,2) must refuse, and the code each gets. */
static const struct {
	const char *text;
	int code;
} bad[] = {
	{"abc", CORM_EINVAL},
	{"1e3", CORM_EINVAL},
	{"1E3", CORM_EINVAL},
	{"NaN", CORM_EINVAL},
	{"Infinity", CORM_EINVAL},
	{"-inf", CORM_EINVAL},
	{"0x10", CORM_EINVAL},
	{"", CORM_EINVAL},
	{"-", CORM_EINVAL},
	{"+", CORM_EINVAL},
	{".", CORM_EINVAL},
	{"-.", CORM_EINVAL},
	{" 12.3", CORM_EINVAL},
	{"12.3 ", CORM_EINVAL},
	{"1 2", CORM_EINVAL},
	{"1,5", CORM_EINVAL},
	{"1.2.3", CORM_EINVAL},
	{"--1", CORM_EINVAL},
	{"+-1", CORM_EINVAL},
	{"12.345", CORM_ERANGE},       /* a place too many, not rounded */
	{"0.001", CORM_ERANGE},
	{"-0.005", CORM_ERANGE},
	{"999999999999.999", CORM_ERANGE},
	{"999999999999.991", CORM_ERANGE},
	{"1000000000000", CORM_ERANGE},  /* 13 digits before the point */
	{"-1000000000000.00", CORM_ERANGE},
	{"99999999999999", CORM_ERANGE},
};
#define NBAD (sizeof(bad) / sizeof(bad[0]))

static void expect_refused(int rc, size_t i, const char *what)
{
	if (rc != bad[i].code)
		fail_msg("%s of '%s': %s (%s), expected %s", what, bad[i].text,
			corm_strerror(rc), corm_errmsg(db), corm_strerror(bad[i].code));
	if (!strstr(corm_errmsg(db), "small") ||
		!strstr(corm_errmsg(db), "decimal(14,2)"))
		fail_msg("%s of '%s': the message names neither the field nor "
			"its type: %s", what, bad[i].text, corm_errmsg(db));
}

static void test_decimal__bad_values_are_refused_on_every_write_path(
	void **state)
{
	amount a, rows[150];
	amount_query *q;
	int64_t n;
	size_t i, k;
	corm_arena arena = CORM_ARENA_INIT;
	char codes[150][16];

	(void)state;
	delete_all();
	new_row(&a, "keep", "1.00");
	OK(amount_insert(db, &a));
	for (i = 0; i < NBAD; i++) {
		amount b, got;

		new_row(&b, "new", bad[i].text);
		expect_refused(amount_insert(db, &b), i, "insert");
		expect_refused(amount_upsert_by_code(db, &b), i, "upsert");
		b.id = a.id;
		b.code = CORM_STR("keep");
		expect_refused(amount_upsert(db, &b), i, "upsert on the key");
		expect_refused(amount_update(db, &b), i, "update");

		/* insert_many: a short batch (one INSERT), and one long enough
		 * for COPY on PostgreSQL, each with the bad value last. */
		for (k = 0; k < 150; k++) {
			snprintf(codes[k], sizeof(codes[k]), "m%zu", k);
			new_row(&rows[k], codes[k], "2.50");
		}
		rows[2].small = corm_str_of(bad[i].text);
		expect_refused(amount_insert_many(db, rows, 3), i, "insert_many");
		rows[2].small = CORM_STR("2.50");
		rows[149].small = corm_str_of(bad[i].text);
		expect_refused(amount_insert_many(db, rows, 150), i,
			"insert_many of 150 rows");

		OK(amount_query_new(&q, db));
		amount_set(q, AMOUNT_SMALL, corm_str_of(bad[i].text));
		expect_refused(amount_query_update(&n, q), i, "set()");
		amount_query_free(q);

		OK(amount_get(&got, db, a.id, &arena));
		assert_string_equal(got.small.ptr, "1.00");
		assert_int_equal(count_rows(), 1);
	}
	corm_arena_free(&arena);
}

static void test_decimal__bad_values_are_refused_in_predicates(void **state)
{
	amount_query *q;
	int64_t n;
	size_t i;

	(void)state;
	for (i = 0; i < NBAD; i++) {
		corm_str v = corm_str_of(bad[i].text);
		corm_str list[2] = {CORM_STR("1.00"), v};

		OK(amount_query_new(&q, db));
		amount_where(q, amount_gt(q, AMOUNT_SMALL, v));
		expect_refused(amount_query_count(&n, q), i, "gt");
		amount_query_free(q);

		OK(amount_query_new(&q, db));
		amount_where(q, amount_between(q, AMOUNT_SMALL, CORM_STR("0"), v));
		expect_refused(amount_query_count(&n, q), i, "between");
		amount_query_free(q);

		OK(amount_query_new(&q, db));
		amount_where(q, amount_in(q, AMOUNT_SMALL, list, 2));
		expect_refused(amount_query_count(&n, q), i, "in");
		amount_query_free(q);
	}
}

/* ---------------------------------------------------------- canonical text */

static const struct {
	const char *field; /* small, whole (5,0), frac (4,4) or big (30,10) */
	const char *given, *stored;
} spellings[] = {
	{"small", "12.3", "12.30"},
	{"small", "007.10", "7.10"},
	{"small", "-0.00", "0.00"},
	{"small", "-0", "0.00"},
	{"small", "+0.001000", NULL}, /* refused: a nonzero third place */
	{"small", ".5", "0.50"},
	{"small", "-.5", "-0.50"},
	{"small", "5.", "5.00"},
	{"small", "+1", "1.00"},
	{"small", "12.3400", "12.34"},
	{"small", "0000000000000001.5", "1.50"},
	{"small", "999999999999.99", "999999999999.99"},
	{"small", "-999999999999.99", "-999999999999.99"},
	{"small", "999999999999.990000", "999999999999.99"},
	{"whole", "12345", "12345"},
	{"whole", "-12345.000", "-12345"},
	{"whole", "-0.0", "0"},
	{"whole", "12345.5", NULL},
	{"whole", "123456", NULL},
	{"frac", ".9999", "0.9999"},
	{"frac", "-0.5", "-0.5000"},
	{"frac", "00.0001", "0.0001"},
	{"frac", "1.0000", NULL},
	{"frac", "0.00001", NULL},
	{"big", "12345678901234567890.1234567891",
		"12345678901234567890.1234567891"},
	{"big", "-99999999999999999999.9999999999",
		"-99999999999999999999.9999999999"},
	{"big", "1", "1.0000000000"},
	{"big", "100000000000000000000", NULL},
};
#define NSPELLINGS (sizeof(spellings) / sizeof(spellings[0]))

static void test_decimal__values_are_stored_as_the_same_canonical_text(
	void **state)
{
	size_t i;
	corm_arena arena = CORM_ARENA_INIT;

	(void)state;
	delete_all();
	for (i = 0; i < NSPELLINGS; i++) {
		const char *f = spellings[i].field;
		amount a, got;
		corm_str *member, *read;
		char code[16], text[80];
		int rc;

		snprintf(code, sizeof(code), "s%zu", i);
		new_row(&a, code, "0");
		member = strcmp(f, "small") == 0 ? &a.small
			: strcmp(f, "whole") == 0 ? &a.whole
			: strcmp(f, "frac") == 0 ? &a.frac : &a.big;
		*member = corm_str_of(spellings[i].given);
		rc = amount_insert(db, &a);
		if (!spellings[i].stored) {
			if (rc != CORM_ERANGE)
				fail_msg("%s '%s': %s, expected CORM_ERANGE", f,
					spellings[i].given, corm_strerror(rc));
			continue;
		}
		if (rc != CORM_OK)
			fail_msg("%s '%s': %s", f, spellings[i].given, corm_errmsg(db));
		OK(amount_get(&got, db, a.id, &arena));
		read = strcmp(f, "small") == 0 ? &got.small
			: strcmp(f, "whole") == 0 ? &got.whole
			: strcmp(f, "frac") == 0 ? &got.frac : &got.big;
		if (strcmp(read->ptr, spellings[i].stored) != 0)
			fail_msg("%s '%s' came back as '%s', expected '%s'", f,
				spellings[i].given, read->ptr, spellings[i].stored);
		stored_text(text, sizeof(text), f, a.id);
		if (strcmp(text, spellings[i].stored) != 0)
			fail_msg("%s '%s' is stored as '%s', expected '%s'", f,
				spellings[i].given, text, spellings[i].stored);
	}
	corm_arena_free(&arena);
}

/* update, upsert and set() send the canonical text too. */
static void test_decimal__every_write_path_sends_canonical_text(void **state)
{
	amount a, b, got;
	amount_query *q = NULL;
	corm_arena arena = CORM_ARENA_INIT;
	char text[80];
	int64_t n;

	(void)state;
	delete_all();
	new_row(&a, "w", "1");
	OK(amount_insert(db, &a));
	a.small = CORM_STR("0012.5");
	a.big = CORM_STR("-.5");
	OK(amount_update(db, &a));
	OK(amount_get(&got, db, a.id, &arena));
	assert_string_equal(got.small.ptr, "12.50");
	assert_string_equal(got.big.ptr, "-0.5000000000");
	new_row(&b, "w", ".25");
	OK(amount_upsert_by_code(db, &b));
	OK(amount_get(&got, db, a.id, &arena));
	assert_string_equal(got.small.ptr, "0.25");
	b.id = a.id;
	b.small = CORM_STR("+7.");
	OK(amount_upsert(db, &b));
	OK(amount_get(&got, db, a.id, &arena));
	assert_string_equal(got.small.ptr, "7.00");
	OK(amount_query_new(&q, db));
	amount_set(q, AMOUNT_SMALL, CORM_STR("-0003.100"));
	amount_set(q, AMOUNT_WHOLE, CORM_STR("-0.0"));
	OK(amount_query_update(&n, q));
	amount_query_free(q);
	assert_int_equal(n, 1);
	stored_text(text, sizeof(text), "small", a.id);
	assert_string_equal(text, "-3.10");
	stored_text(text, sizeof(text), "whole", a.id);
	assert_string_equal(text, "0");
	corm_arena_free(&arena);
}

/* ----------------------------------------------- by value: brute force */

#define NROWS 3000

static struct {
	int64_t id;
	i128 small, big; /* scaled by 10^2 and 10^10 */
	bool has_big;
} data[NROWS];

static char small_text[NROWS][40], big_text[NROWS][48];

/* Fill the table with NROWS seeded rows: small in decimal(14,2), big in
 * decimal(30,10) (one in 10 NULL); a third of the values are a previous
 * one plus or minus a unit or two of the last place, so many differ only
 * past the 16th digit. Each is sent in another spelling. */
static void load_random_rows(void)
{
	static amount rows[NROWS];
	static char given_small[NROWS][48], given_big[NROWS][56];
	static char codes[NROWS][16];
	amount_query *q = NULL;
	amount_list list;
	int i;

	delete_all();
	for (i = 0; i < NROWS; i++) {
		bool near = i > 0 && next_rand() % 3 == 0;
		int j = near ? (int)(next_rand() % (uint64_t)i) : 0;
		i128 delta = (i128)(next_rand() % 5) - 2;

		data[i].small = near ? data[j].small + delta : random_value(14);
		if (data[i].small >= pow10_(14) || data[i].small <= -pow10_(14))
			data[i].small = 0;
		data[i].big = near && data[j].has_big ? data[j].big + delta
						       : random_value(30);
		if (data[i].big >= pow10_(30) || data[i].big <= -pow10_(30))
			data[i].big = 0;
		data[i].has_big = next_rand() % 10 != 0;
		format_scaled(small_text[i], data[i].small, 2);
		format_scaled(big_text[i], data[i].big, 10);
		respell(given_small[i], small_text[i]);
		respell(given_big[i], big_text[i]);
		snprintf(codes[i], sizeof(codes[i]), "r%d", i);
		new_row(&rows[i], codes[i], given_small[i]);
		rows[i].big = data[i].has_big ? corm_str_of(given_big[i])
					      : (corm_str){NULL, 0};
	}
	OK(amount_insert_many(db, rows, NROWS));
	/* The ids, in insertion order; and the text as every engine keeps. */
	OK(amount_query_new(&q, db));
	amount_order_by(q, AMOUNT_ID, CORM_ASC);
	OK(amount_query_all(&list, q));
	assert_int_equal(list.count, NROWS);
	for (i = 0; i < NROWS; i++) {
		data[i].id = list.items[i].id;
		assert_string_equal(list.items[i].small.ptr, small_text[i]);
		if (data[i].has_big)
			assert_string_equal(list.items[i].big.ptr, big_text[i]);
		else
			assert_null(list.items[i].big.ptr);
	}
	amount_list_free(&list);
	amount_query_free(q);
}

static i128 value_of(int i, bool big)
{
	return big ? data[i].big : data[i].small;
}

static bool holds(int i, bool big)
{
	return !big || data[i].has_big;
}

static bool cmp_holds(i128 a, corm_cmp op, i128 b)
{
	switch (op) {
	case CORM_CMP_EQ: return a == b;
	case CORM_CMP_NE: return a != b;
	case CORM_CMP_LT: return a < b;
	case CORM_CMP_LE: return a <= b;
	case CORM_CMP_GT: return a > b;
	case CORM_CMP_GE: return a >= b;
	}
	return false;
}

/* A threshold: a stored value, or one a unit of the last place off. */
static i128 threshold(bool big)
{
	int i = (int)(next_rand() % NROWS);
	i128 v = value_of(i, big) + (i128)(next_rand() % 3) - 1;
	i128 max = pow10_(big ? 30 : 14) - 1;

	if (next_rand() % 8 == 0)
		v = random_value(big ? 30 : 14);
	return v > max ? max : v < -max ? -max : v;
}

static void expect_count(amount_query *q, int64_t want, const char *what)
{
	int64_t got = -1;

	OK(amount_query_count(&got, q));
	if (got != want)
		fail_msg("%s: %lld rows, brute force says %lld (%s)", what,
			(long long)got, (long long)want, amount_query_sql(q));
	amount_query_free(q);
}

static void test_decimal__comparisons_equal_a_brute_force_count(
	void **state)
{
	static const char *const names[] = {"eq", "ne", "lt", "le", "gt", "ge"};
	int t, op, i, k;
	bool big;

	(void)state;
	load_random_rows();
	for (t = 0; t < 40; t++) {
		for (big = false; ; big = true) {
			amount_decimal_col col = big ? AMOUNT_BIG : AMOUNT_SMALL;
			int scale = big ? 10 : 2;
			i128 x = threshold(big), y = threshold(big), in[6];
			char xs[48], ys[48], what[160];
			corm_str list[6];
			char texts[6][48];
			amount_query *q;
			int64_t want;

			format_scaled(xs, x, scale);
			format_scaled(ys, y, scale);
			for (op = CORM_CMP_EQ; op <= CORM_CMP_GE; op++) {
				corm_str v = corm_str_of(xs);

				for (want = 0, i = 0; i < NROWS; i++)
					want += holds(i, big) &&
						cmp_holds(value_of(i, big), (corm_cmp)op, x);
				OK(amount_query_new(&q, db));
				amount_where(q, amount_cmp(q, col, (corm_cmp)op, v));
				snprintf(what, sizeof(what), "%s %s %s",
					big ? "big" : "small", names[op], xs);
				expect_count(q, want, what);
			}
			/* BETWEEN low AND high (empty when low > high). */
			for (want = 0, i = 0; i < NROWS; i++)
				want += holds(i, big) && value_of(i, big) >= x &&
					value_of(i, big) <= y;
			OK(amount_query_new(&q, db));
			amount_where(q, amount_between(q, col, corm_str_of(xs),
				corm_str_of(ys)));
			snprintf(what, sizeof(what), "%s between %s and %s",
				big ? "big" : "small", xs, ys);
			expect_count(q, want, what);
			/* IN: stored values, near misses, in other spellings. */
			for (k = 0; k < 6; k++) {
				char canon[48];

				in[k] = threshold(big);
				format_scaled(canon, in[k], scale);
				respell(texts[k], canon);
				list[k] = corm_str_of(texts[k]);
			}
			for (want = 0, i = 0; i < NROWS; i++) {
				bool hit = false;

				for (k = 0; k < 6; k++)
					hit = hit || value_of(i, big) == in[k];
				want += holds(i, big) && hit;
			}
			OK(amount_query_new(&q, db));
			amount_where(q, amount_in(q, col, list, 6));
			snprintf(what, sizeof(what), "%s in (%s, ...)",
				big ? "big" : "small", texts[0]);
			expect_count(q, want, what);
			if (big)
				break;
		}
	}
}

/* qsort order of row indexes: by the column, then by id. */
static bool sort_big;
static int sort_desc;

static int by_value(const void *pa, const void *pb)
{
	int a = *(const int *)pa, b = *(const int *)pb;
	i128 x = value_of(a, sort_big), y = value_of(b, sort_big);
	bool nx = !holds(a, sort_big), ny = !holds(b, sort_big);

	if (nx != ny) /* NULLs last ascending, first descending */
		return (nx ? 1 : -1) * (sort_desc ? -1 : 1);
	if (!nx && x != y)
		return (x < y ? -1 : 1) * (sort_desc ? -1 : 1);
	return a < b ? -1 : a > b;
}

static void test_decimal__order_by_is_by_value(void **state)
{
	static int want[NROWS];
	int i, pass;

	(void)state;
	for (pass = 0; pass < 4; pass++) {
		amount_query *q = NULL;
		amount_list list;

		sort_big = pass >= 2;
		sort_desc = pass % 2;
		for (i = 0; i < NROWS; i++)
			want[i] = i;
		qsort(want, NROWS, sizeof(want[0]), by_value);
		OK(amount_query_new(&q, db));
		amount_order_by(q, sort_big ? AMOUNT_BIG : AMOUNT_SMALL,
			sort_desc ? CORM_DESC : CORM_ASC);
		amount_order_by(q, AMOUNT_ID, CORM_ASC);
		OK(amount_query_all(&list, q));
		assert_int_equal(list.count, NROWS);
		for (i = 0; i < NROWS; i++)
			if (list.items[i].id != data[want[i]].id)
				fail_msg("ORDER BY %s %s: row %d is id %lld ('%s'), "
					"expected id %lld ('%s')", sort_big ? "big" : "small",
					sort_desc ? "DESC" : "ASC", i,
					(long long)list.items[i].id,
					sort_big ? list.items[i].big.ptr : list.items[i].small.ptr,
					(long long)data[want[i]].id,
					sort_big ? big_text[want[i]] : small_text[want[i]]);
		amount_list_free(&list);
		amount_query_free(q);
	}
}

/* One row of SUM, MIN and MAX of `column` over rows with id <= max_id,
 * in each engine's SQL: SQLite's are the driver's, by value. */
static void aggregates(char out[3][80], const char *column, int64_t max_id)
{
	const corm_dialect *d = corm_conn_dialect(db);
	corm_buf sql = CORM_BUF_INIT, col = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	int k;

	corm_dialect_quote(&col, d, column);
	if (is_sqlite())
		corm_buf_printf(&sql, "SELECT corm_decimal_sum(%s), "
			"min(%s COLLATE corm_decimal), max(%s COLLATE corm_decimal)",
			corm_buf_cstr(&col), corm_buf_cstr(&col), corm_buf_cstr(&col));
	else
		corm_buf_printf(&sql, "SELECT SUM(%s), MIN(%s), MAX(%s)",
			corm_buf_cstr(&col), corm_buf_cstr(&col), corm_buf_cstr(&col));
	corm_buf_puts(&sql, " FROM ");
	corm_dialect_quote(&sql, d, "amount");
	corm_buf_puts(&sql, " WHERE ");
	corm_dialect_quote(&sql, d, "id");
	corm_buf_puts(&sql, " <= ");
	corm_dialect_placeholder(&sql, d, 1);
	OK(corm_stmt_prepare(&st, db, corm_buf_cstr(&sql)));
	OK(corm_bind_int64(st, 1, max_id));
	if (corm_step(st) != CORM_ROW)
		fail_msg("%s: %s", corm_buf_cstr(&sql), corm_errmsg(db));
	for (k = 0; k < 3; k++) {
		const char *text;
		size_t len;

		if (corm_column_is_null(st, k)) {
			snprintf(out[k], 80, "NULL");
			continue;
		}
		OK(corm_column_text(&text, &len, st, k));
		snprintf(out[k], 80, "%.*s", (int)len, text);
	}
	corm_stmt_free(st);
	corm_buf_free(&sql);
	corm_buf_free(&col);
}

static void test_decimal__sum_min_max_are_exact(void **state)
{
	static const char *const what[] = {"SUM", "MIN", "MAX"};
	int n, i, k;
	bool big;

	(void)state;
	/* The first row, the first 7, 100, all, and none (all NULL). */
	for (n = 0; n < 5; n++) {
		int rows = n == 0 ? 1 : n == 1 ? 7 : n == 2 ? 100 : NROWS;
		int64_t max_id = n == 4 ? 0 : data[rows - 1].id;

		for (big = false; ; big = true) {
			int scale = big ? 10 : 2;
			i128 sum = 0, lo = 0, hi = 0;
			bool any = false;
			char want[3][80], got[3][80];

			for (i = 0; n < 4 && i < rows; i++) {
				i128 v = value_of(i, big);

				if (!holds(i, big))
					continue;
				lo = !any || v < lo ? v : lo;
				hi = !any || v > hi ? v : hi;
				sum += v;
				any = true;
			}
			format_scaled(want[0], sum, scale);
			format_scaled(want[1], lo, scale);
			format_scaled(want[2], hi, scale);
			for (k = 0; k < 3 && !any; k++)
				snprintf(want[k], sizeof(want[k]), "NULL");
			aggregates(got, big ? "big" : "small", max_id);
			for (k = 0; k < 3; k++)
				if (strcmp(got[k], want[k]) != 0)
					fail_msg("%s(%s) of %d rows: '%s', expected '%s'",
						what[k], big ? "big" : "small", n == 4 ? 0 : rows,
						got[k], want[k]);
			if (big)
				break;
		}
	}
}

/* A default the database fills in (a row inserted without the column, as
 * a migration adding it does) is exact and canonical: on SQLite a number
 * literal would be a REAL and lose the digits past the 15th. */
static void test_decimal__database_defaults_are_exact_and_canonical(
	void **state)
{
	const corm_dialect *d = corm_conn_dialect(db);
	corm_buf sql = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	amount_query *q = NULL;
	amount got, init;
	corm_arena arena = CORM_ARENA_INIT;

	(void)state;
	delete_all();
	corm_buf_puts(&sql, "INSERT INTO ");
	corm_dialect_quote(&sql, d, "amount");
	corm_buf_puts(&sql, " (");
	corm_dialect_quote(&sql, d, "code");
	corm_buf_puts(&sql, ", ");
	corm_dialect_quote(&sql, d, "small");
	corm_buf_puts(&sql, ") VALUES ('dflt', '1.00')");
	OK(corm_stmt_prepare(&st, db, corm_buf_cstr(&sql)));
	assert_int_equal(corm_step(st), CORM_DONE);
	corm_stmt_free(st);
	corm_buf_free(&sql);
	OK(amount_query_new(&q, db));
	amount_where(q, amount_eq(q, AMOUNT_CODE, CORM_STR("dflt")));
	OK(amount_query_first(&got, q, &arena));
	amount_query_free(q);
	assert_string_equal(got.fee.ptr, "12345678901234567890.5000000000");
	/* The generated init's default, sent canonical as well. */
	amount_init(&init);
	init.code = CORM_STR("init");
	init.small = CORM_STR("1");
	OK(amount_insert(db, &init));
	OK(amount_get(&got, db, init.id, &arena));
	assert_string_equal(got.fee.ptr, "12345678901234567890.5000000000");
	corm_arena_free(&arena);
}

/* --------------------------------------------- SQLite: other spellings */

static void test_decimal__sqlite_compares_other_spellings_by_value(
	void **state)
{
	/* What an older corm, or an INSERT by hand, may have left. */
	static const char *const texts[] = {"012.30", "12.3", "9.990", "-0.0",
		"1.0e+1", "100", "-5", "12.29", "0.5"};
	/* By value: -5 < -0.0 < 0.5 < 9.990 < 1.0e+1 < 12.29 < 012.30 = 12.3
	 * < 100 (ids break the tie). */
	static const int order[] = {6, 3, 8, 2, 4, 7, 0, 1, 5};
	amount_query *q;
	amount_list list;
	corm_stmt *st = NULL;
	int64_t ids[9];
	size_t i;

	(void)state;
	if (!is_sqlite())
		return; /* the others store what corm sends: nothing to test */
	delete_all();
	for (i = 0; i < 9; i++) {
		char code[16];

		snprintf(code, sizeof(code), "old%zu", i);
		OK(corm_stmt_prepare(&st, db, "INSERT INTO \"amount\" (\"code\", "
			"\"small\") VALUES (?, ?) RETURNING \"id\""));
		OK(corm_bind_text(st, 1, code, strlen(code)));
		OK(corm_bind_text(st, 2, texts[i], strlen(texts[i])));
		assert_int_equal(corm_step(st), CORM_ROW);
		OK(corm_column_int64(&ids[i], st, 0));
		corm_stmt_free(st);
	}
	OK(amount_query_new(&q, db));
	amount_order_by(q, AMOUNT_SMALL, CORM_ASC);
	amount_order_by(q, AMOUNT_ID, CORM_ASC);
	OK(amount_query_all(&list, q));
	assert_int_equal(list.count, 9);
	for (i = 0; i < 9; i++)
		if (list.items[i].id != ids[order[i]])
			fail_msg("row %zu is '%s', expected '%s'", i,
				list.items[i].small.ptr, texts[order[i]]);
	amount_list_free(&list);
	amount_query_free(q);

	OK(amount_query_new(&q, db));
	amount_where(q, amount_gt(q, AMOUNT_SMALL, CORM_STR("10.00")));
	expect_count(q, 4, "gt 10.00"); /* 12.29, 012.30, 12.3, 100 */
	OK(amount_query_new(&q, db));
	amount_where(q, amount_eq(q, AMOUNT_SMALL, CORM_STR("12.3")));
	expect_count(q, 2, "eq 12.30");
	{
		corm_str list[2] = {CORM_STR("12.30"), CORM_STR("100")};

		OK(amount_query_new(&q, db));
		amount_where(q, amount_in(q, AMOUNT_SMALL, list, 2));
		expect_count(q, 3, "in (12.30, 100)"); /* 012.30, 12.3, 100 */
	}
	OK(amount_query_new(&q, db));
	amount_where(q, amount_between(q, AMOUNT_SMALL, CORM_STR("-0"),
		CORM_STR("10")));
	expect_count(q, 4, "between 0 and 10"); /* -0.0 0.5 9.990 1.0e+1 */
	{
		char got[3][80];

		aggregates(got, "small", INT64_MAX);
		assert_string_equal(got[0], "152.380"); /* three places: 9.990 */
		assert_string_equal(got[1], "-5");
		assert_string_equal(got[2], "100");
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_decimal__bad_values_are_refused_on_every_write_path),
		cmocka_unit_test(test_decimal__bad_values_are_refused_in_predicates),
		cmocka_unit_test(
			test_decimal__values_are_stored_as_the_same_canonical_text),
		cmocka_unit_test(
			test_decimal__every_write_path_sends_canonical_text),
		cmocka_unit_test(
			test_decimal__comparisons_equal_a_brute_force_count),
		cmocka_unit_test(test_decimal__order_by_is_by_value),
		cmocka_unit_test(test_decimal__sum_min_max_are_exact),
		cmocka_unit_test(
			test_decimal__database_defaults_are_exact_and_canonical),
		cmocka_unit_test(
			test_decimal__sqlite_compares_other_spellings_by_value),
	};
	int rc = test_engine_init(&engine, "test_decimal",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
