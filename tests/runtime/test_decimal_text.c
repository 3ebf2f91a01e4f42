/*
 * test_decimal.c — the decimal text rules without a server: the check and
 * canonical form every decimal value is bound in (orm/decimal.c), and
 * SQLite's corm_decimal collation, corm_decimal_sum() aggregate and
 * corm_decimal_add() function (drivers/sqlite_decimal.c), on an in-memory
 * database.
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
#include "internal.h"
#include "sqlite_decimal.h"

/* ------------------------------------------------------- canonical form */

static void test_canonical__spellings_and_refusals(void **state)
{
	static const struct {
		const char *in;
		int p, s;
		corm_decimal_fault fault;
		const char *out;
	} cases[] = {
		{"12.3", 14, 2, CORM_DECIMAL_OK, "12.30"},
		{"012.30", 14, 2, CORM_DECIMAL_OK, "12.30"},
		{"-0.00", 14, 2, CORM_DECIMAL_OK, "0.00"},
		{"-0", 14, 2, CORM_DECIMAL_OK, "0.00"},
		{"+0", 5, 0, CORM_DECIMAL_OK, "0"},
		{"-000", 5, 0, CORM_DECIMAL_OK, "0"},
		{".5", 14, 2, CORM_DECIMAL_OK, "0.50"},
		{"-.5", 14, 2, CORM_DECIMAL_OK, "-0.50"},
		{"5.", 14, 2, CORM_DECIMAL_OK, "5.00"},
		{"-5.", 5, 0, CORM_DECIMAL_OK, "-5"},
		{"12.3400", 14, 2, CORM_DECIMAL_OK, "12.34"},
		{"-0.0001", 4, 4, CORM_DECIMAL_OK, "-0.0001"},
		{"999999999999.99", 14, 2, CORM_DECIMAL_OK, "999999999999.99"},
		{"-999999999999.99", 14, 2, CORM_DECIMAL_OK, "-999999999999.99"},
		{"0000000999999999999.990", 14, 2, CORM_DECIMAL_OK,
			"999999999999.99"},
		{"1000000000000", 14, 2, CORM_DECIMAL_DIGITS, NULL},
		{"1.0", 4, 4, CORM_DECIMAL_DIGITS, NULL},
		{"12.345", 14, 2, CORM_DECIMAL_PLACES, NULL},
		{"0.001", 14, 2, CORM_DECIMAL_PLACES, NULL},
		{"1.5", 5, 0, CORM_DECIMAL_PLACES, NULL},
		{"abc", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"1e3", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"NaN", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"inf", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"0x10", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{".", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"-", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{" 1", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"1 ", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"1..2", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		{"+-1", 14, 2, CORM_DECIMAL_MALFORMED, NULL},
		/* No (P,S) known (a descriptor from before they were there):
		 * only the syntax, and no place is dropped. */
		{"007.250", 0, 0, CORM_DECIMAL_OK, "7.250"},
		{"-0.0", 0, 0, CORM_DECIMAL_OK, "0.0"},
		{"1e3", 0, 0, CORM_DECIMAL_MALFORMED, NULL},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in), n = 0;
		char *out = malloc(corm_decimal__canonical_cap(len, cases[i].s));
		corm_decimal_fault f;

		assert_non_null(out);
		f = corm_decimal__canonical(out, &n, cases[i].in, len, cases[i].p,
			cases[i].s);
		if (f != cases[i].fault)
			fail_msg("'%s' in decimal(%d,%d): fault %d, expected %d",
				cases[i].in, cases[i].p, cases[i].s, (int)f,
				(int)cases[i].fault);
		if (f == CORM_DECIMAL_OK) {
			assert_int_equal(n, strlen(out));
			if (strcmp(out, cases[i].out) != 0)
				fail_msg("'%s' in decimal(%d,%d): '%s', expected '%s'",
					cases[i].in, cases[i].p, cases[i].s, out, cases[i].out);
		}
		free(out);
	}
}

/* The longest values: decimal(65,30) with every digit, signs, padding. */
static void test_canonical__widest_values_fit_their_buffer(void **state)
{
	char in[80], want[80], *out;
	size_t n = 0;

	(void)state;
	/* "-000" 35 nines "." 30 nines "0000" -> "-" 35 nines "." 30 nines */
	memset(in, 0, sizeof(in));
	memset(want, 0, sizeof(want));
	memcpy(in, "-000", 4);
	memset(in + 4, '9', 35);
	in[39] = '.';
	memset(in + 40, '9', 30);
	memcpy(in + 70, "0000", 4);
	want[0] = '-';
	memcpy(want + 1, in + 4, 66);
	out = malloc(corm_decimal__canonical_cap(strlen(in), 30));
	assert_non_null(out);
	assert_int_equal(corm_decimal__canonical(out, &n, in, strlen(in), 65,
		30), CORM_DECIMAL_OK);
	assert_int_equal(n, 67);
	assert_string_equal(out, want);
	free(out);
	/* A short value padded to 30 places. */
	out = malloc(corm_decimal__canonical_cap(1, 30));
	assert_non_null(out);
	assert_int_equal(corm_decimal__canonical(out, &n, "7", 1, 65, 30),
		CORM_DECIMAL_OK);
	assert_string_equal(out, "7.000000000000000000000000000000");
	free(out);
}

/* ------------------------------------------------------------ collation */

static int cmp(const char *a, const char *b)
{
	return corm_sqlite__decimal_cmp(a, (int)strlen(a), b, (int)strlen(b));
}

static void test_collation__orders_by_value(void **state)
{
	static const struct {
		const char *a, *b;
		int want;
	} cases[] = {
		{"9.99", "10.00", -1},
		{"10", "9.999999999999999999999999", 1},
		{"12.3", "12.30", 0},
		{"012.30", "12.3", 0},
		{"-0", "0.00", 0},
		{"-0.0", "+0", 0},
		{".5", "0.50", 0},
		{"5.", "5", 0},
		{"-1", "1", -1},
		{"-10", "-9", -1},
		{"-0.01", "0", -1},
		{"-0.01", "-0.001", -1},
		{"0.001", "0.01", -1},
		{"1.0e+20", "100000000000000000000", 0},
		{"1.0e+20", "99999999999999999999.99", 1},
		{"1e-3", "0.001", 0},
		{"1E3", "999", 1},
		/* 40 digits, differing in the last one only */
		{"1234567890123456789012345678901234567890",
			"1234567890123456789012345678901234567891", -1},
		{"-1234567890123456789012345678901234567890.1",
			"-1234567890123456789012345678901234567890.01", -1},
		{"0.0000000000000000000000000000000000000001", "0", 1},
		/* other text: after every number, by its bytes */
		{"abc", "999999", 1},
		{"NaN", "-5", 1},
		{"abc", "abd", -1},
		{"ab", "abc", -1},
		{"", "0", 1},
		{"1e", "1", 1},
		{"1.2.3", "1.2", 1},
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = cmp(cases[i].a, cases[i].b), back = cmp(cases[i].b,
			cases[i].a);

		if (got != cases[i].want || back != -cases[i].want)
			fail_msg("'%s' vs '%s': %d and %d back, expected %d",
				cases[i].a, cases[i].b, got, back, cases[i].want);
	}
}

/* A number as its digits at powers 10^39 .. 10^-40 (digits[i] at power
 * 39 - i) and sign, and one of its spellings: sign ('+' at times),
 * leading zeros, ".5" and "5." forms, trailing zeros. */
typedef struct num {
	char text[128];
	int sign;
	char digits[80];
} num;

static uint64_t rng = 0x243F6A8885A308D3u;

static unsigned next_rand(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

/* Few distinct digits, so values share long prefixes. */
static char random_digit(void)
{
	return (char)(next_rand(3) * 4 + 1 - (next_rand(4) == 0));
}

static void spell(num *x, bool neg)
{
	int first = 0, last = 79, i, k = 0;

	while (first < 80 && !x->digits[first])
		first++;
	while (last >= 0 && !x->digits[last])
		last--;
	x->sign = first == 80 ? 0 : neg ? -1 : 1;
	if (neg)
		x->text[k++] = '-';
	else if (next_rand(4) == 0)
		x->text[k++] = '+';
	for (i = (int)next_rand(3); i > 0; i--)
		x->text[k++] = '0';
	for (i = first < 40 ? first : 40; i < 40; i++)
		x->text[k++] = (char)('0' + x->digits[i]);
	if (last >= 40 || next_rand(3) == 0 || first >= 40) {
		x->text[k++] = '.';
		for (i = 40; i <= last; i++)
			x->text[k++] = (char)('0' + x->digits[i]);
		for (i = (int)next_rand(3); i > 0; i--)
			x->text[k++] = '0';
		if (x->text[k - 1] == '.' && (k < 2 || x->text[k - 2] < '0' ||
				x->text[k - 2] > '9'))
			x->text[k++] = '0'; /* not a lone "." */
	}
	x->text[k] = '\0';
}

static void random_num(num *x)
{
	int nint = (int)next_rand(41), nfrac = (int)next_rand(41), i;

	memset(x->digits, 0, sizeof(x->digits));
	for (i = 0; i < nint; i++)
		x->digits[40 - nint + i] = random_digit();
	for (i = 0; i < nfrac; i++)
		x->digits[40 + i] = random_digit();
	spell(x, next_rand(2));
}

/* A number close to `from`: one digit changed, cut short, or carried on
 * with other digits; at times the other sign. */
static void near_num(num *x, const num *from)
{
	int p = (int)next_rand(80), i, end = p + (int)next_rand(10);

	memcpy(x->digits, from->digits, sizeof(x->digits));
	switch (next_rand(3)) {
	case 0:
		x->digits[p] = random_digit();
		break;
	case 1:
		memset(x->digits + p, 0, (size_t)(80 - p));
		break;
	default:
		for (i = p; i < 80 && i < end; i++)
			x->digits[i] = random_digit();
	}
	spell(x, next_rand(8) == 0 ? from->sign >= 0 : from->sign < 0);
}

static int brute_cmp(const num *a, const num *b)
{
	int i;

	if (a->sign != b->sign)
		return a->sign < b->sign ? -1 : 1;
	for (i = 0; i < 80; i++)
		if (a->digits[i] != b->digits[i])
			return (a->digits[i] < b->digits[i] ? -1 : 1) * a->sign;
	return 0;
}

static void test_collation__equals_brute_force_on_random_pairs(void **state)
{
	static num xs[400];
	int i, j;

	(void)state;
	for (i = 0; i < 400; i++) {
		if (i > 0 && next_rand(2))
			near_num(&xs[i], &xs[next_rand((unsigned)i)]);
		else
			random_num(&xs[i]);
	}
	for (i = 0; i < 400; i++)
		for (j = 0; j < 400; j++) {
			int want = brute_cmp(&xs[i], &xs[j]);
			int got = cmp(xs[i].text, xs[j].text);

			if (got != want)
				fail_msg("'%s' vs '%s': %d, expected %d", xs[i].text,
					xs[j].text, got, want);
		}
}

/* ------------------------------------------------- SQL: sum, min, max */

static corm_conn *open_memory(void)
{
	corm_conn *c = NULL;

	assert_int_equal(corm_conn_open(&c, "sqlite::memory:"), CORM_OK);
	assert_int_equal(corm_exec(c, "CREATE TABLE t (g INTEGER, "
		"v DECIMAL_TEXT(65,30))"), CORM_OK);
	return c;
}

static void insert(corm_conn *c, int group, const char *v)
{
	corm_stmt *st = NULL;

	assert_int_equal(corm_stmt_prepare(&st, c,
		"INSERT INTO t (g, v) VALUES (?, ?)"), CORM_OK);
	assert_int_equal(corm_bind_int64(st, 1, group), CORM_OK);
	assert_int_equal(v ? corm_bind_text(st, 2, v, strlen(v))
			   : corm_bind_null(st, 2), CORM_OK);
	assert_int_equal(corm_step(st), CORM_DONE);
	corm_stmt_free(st);
}

/* The text one query gives for group g, or "NULL"; "ERROR: msg" when
 * it fails. */
static void one_value(char *out, size_t cap, corm_conn *c, const char *sql,
	int group)
{
	corm_stmt *st = NULL;
	const char *text;
	size_t len;
	int rc;

	assert_int_equal(corm_stmt_prepare(&st, c, sql), CORM_OK);
	assert_int_equal(corm_bind_int64(st, 1, group), CORM_OK);
	rc = corm_step(st);
	if (rc != CORM_ROW)
		snprintf(out, cap, "ERROR: %s", corm_errmsg(c));
	else if (corm_column_is_null(st, 0))
		snprintf(out, cap, "NULL");
	else if (corm_column_text(&text, &len, st, 0) == CORM_OK)
		snprintf(out, cap, "%.*s", (int)len, text);
	corm_stmt_free(st);
}

static void test_sum__is_exact_with_signs_scales_and_carries(void **state)
{
	static const struct {
		const char *values[6]; /* up to 6, NULL-terminated */
		const char *sum;
	} cases[] = {
		{{"1.5", "2.25", NULL}, "3.75"},
		{{"1", "2.250", NULL}, "3.250"},
		{{"999.99", "0.01", NULL}, "1000.00"},
		{{"99999999999999999999999999999999999999.9", "0.1", NULL},
			"100000000000000000000000000000000000000.0"},
		{{"-1.5", "1.5", NULL}, "0.0"},
		{{"-0.00", NULL}, "0.00"},
		{{"-1.50", "0.25", NULL}, "-1.25"},
		{{"10", "-0.5", NULL}, "9.5"},
		{{"-10", "0.5", NULL}, "-9.5"},
		{{"0.001", "-1000", NULL}, "-999.999"},
		{{"1000000000000000000000000000000000000000", "-1", NULL},
			"999999999999999999999999999999999999999"},
		{{"012.30", "12.3", "+.5", NULL}, "25.10"},
		{{"1.0e+20", "1", NULL}, "100000000000000000001"},
		{{"1.5e-3", "1", NULL}, "1.0015"},
		{{"1234567890123456789012345678901234567890.5",
			"1234567890123456789012345678901234567890.5", NULL},
			"2469135780246913578024691357802469135781.0"},
		{{NULL}, "NULL"},
	};
	corm_conn *c = open_memory();
	char got[256];
	size_t i, k;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (k = 0; cases[i].values[k]; k++)
			insert(c, (int)i, cases[i].values[k]);
		insert(c, (int)i, NULL); /* NULLs are skipped */
		one_value(got, sizeof(got), c,
			"SELECT corm_decimal_sum(v) FROM t WHERE g = ?", (int)i);
		if (strcmp(got, cases[i].sum) != 0)
			fail_msg("sum %zu: '%s', expected '%s'", i, got, cases[i].sum);
	}
	/* No row at all. */
	one_value(got, sizeof(got), c,
		"SELECT corm_decimal_sum(v) FROM t WHERE g = ?", -1);
	assert_string_equal(got, "NULL");
	corm_conn_close(c);
}

static void test_sum__refuses_text_that_is_no_number(void **state)
{
	corm_conn *c = open_memory();
	char got[256];

	(void)state;
	insert(c, 1, "1.5");
	insert(c, 1, "abc");
	one_value(got, sizeof(got), c,
		"SELECT corm_decimal_sum(v) FROM t WHERE g = ?", 1);
	assert_non_null(strstr(got, "ERROR: "));
	assert_non_null(strstr(got, "'abc' is not a decimal number"));
	corm_conn_close(c);
}

/* Brute force: many random values summed in C with schoolbook digits. */
static void test_sum__equals_brute_force_on_random_values(void **state)
{
	corm_conn *c = open_memory();
	/* Powers 10^45 .. 10^-40, as signed digit sums, normalized at the
	 * end. */
	long acc[86];
	char want[128], got[256];
	int i, k, n = 0, top;
	bool neg = false;

	(void)state;
	memset(acc, 0, sizeof(acc));
	for (i = 0; i < 2000; i++) {
		num x;

		random_num(&x);
		insert(c, 1, x.text);
		for (k = 0; k < 80; k++)
			acc[6 + k] += x.sign < 0 ? -x.digits[k] : x.digits[k];
	}
	/* Carry from the lowest power up; the top holds the sign. */
	for (k = 85; k > 0; k--) {
		long carry = acc[k] >= 0 ? acc[k] / 10 : -((9 - acc[k]) / 10);

		acc[k] -= carry * 10;
		acc[k - 1] += carry;
	}
	if (acc[0] < 0) { /* negative: take the complement */
		neg = true;
		for (k = 0; k < 86; k++)
			acc[k] = -acc[k];
		for (k = 85; k > 0; k--)
			if (acc[k] < 0) {
				acc[k] += 10;
				acc[k - 1]--;
			}
	}
	assert_true(acc[0] >= 0 && acc[0] < 10);
	for (top = 0; top < 45 && acc[top] == 0; top++)
		;
	if (neg)
		want[n++] = '-';
	for (k = top; k <= 45; k++)
		want[n++] = (char)('0' + acc[k]);
	want[n++] = '.';
	for (k = 46; k < 86; k++) /* 40 places: the most with a digit */
		want[n++] = (char)('0' + acc[k]);
	want[n++] = '0'; /* and two: the trailing zeros a value may have */
	want[n++] = '0';
	want[n] = '\0';
	one_value(got, sizeof(got), c,
		"SELECT corm_decimal_sum(v) FROM t WHERE g = ?", 1);
	/* The sum has as many places as the longest value: trim the brute
	 * force's to that. */
	{
		const char *point = strchr(got, '.');
		size_t places = point ? strlen(point + 1) : 0;

		assert_true(places <= 42);
		want[strchr(want, '.') - want + 1 + (ptrdiff_t)places] = '\0';
	}
	assert_string_equal(got, want);
	corm_conn_close(c);
}

/* corm_decimal_add(a, b, p, s) as text ("NULL"), or "ERROR <code>: msg". */
#define RANGE_ERROR "ERROR -19: " /* CORM_ERANGE */

static void add_of(char *out, size_t cap, corm_conn *c, const char *a,
	const char *b, int p, int s)
{
	corm_stmt *st = NULL;
	const char *text;
	size_t len;
	int rc;

	assert_int_equal(corm_stmt_prepare(&st, c,
		"SELECT corm_decimal_add(?, ?, ?, ?)"), CORM_OK);
	assert_int_equal(a ? corm_bind_text(st, 1, a, strlen(a))
			   : corm_bind_null(st, 1), CORM_OK);
	assert_int_equal(b ? corm_bind_text(st, 2, b, strlen(b))
			   : corm_bind_null(st, 2), CORM_OK);
	assert_int_equal(corm_bind_int64(st, 3, p), CORM_OK);
	assert_int_equal(corm_bind_int64(st, 4, s), CORM_OK);
	rc = corm_step(st);
	if (rc != CORM_ROW)
		snprintf(out, cap, "ERROR %d: %s", rc, corm_errmsg(c));
	else if (corm_column_is_null(st, 0))
		snprintf(out, cap, "NULL");
	else if (corm_column_text(&text, &len, st, 0) == CORM_OK)
		snprintf(out, cap, "%.*s", (int)len, text);
	corm_stmt_free(st);
}

static void test_add__exact_to_scale_with_nulls_and_range(void **state)
{
	static const struct {
		const char *a, *b;
		int p, s;
		const char *sum; /* NULL: CORM_ERANGE */
	} cases[] = {
		{"1.50", "2.25", 14, 2, "3.75"},
		{"999.99", "0.01", 14, 2, "1000.00"},
		{"-1.00", "1", 14, 2, "0.00"},
		{"0.01", "-0.02", 14, 2, "-0.01"},
		{"12", "-7", 5, 0, "5"},
		{"99999", "0", 5, 0, "99999"},
		{"99999", "1", 5, 0, NULL},
		{"-99999", "-1", 5, 0, NULL},
		{"0.9999", "-0.0001", 4, 4, "0.9998"},
		{"0.9999", "0.0001", 4, 4, NULL},
		{"12345678901234567890.0123456789", "0.9876543211", 30, 10,
			"12345678901234567891.0000000000"},
		{"99999999999999999999.9999999999", "-0.0000000001", 30, 10,
			"99999999999999999999.9999999998"},
		{"99999999999999999999.9999999999", "0.0000000001", 30, 10, NULL},
		/* Text in other spellings (older rows): read by value. */
		{"012.3", "1.0e+1", 14, 2, "22.30"},
		{"1.5e-1", "-.15", 14, 2, "0.00"},
		/* A place past S that is not zero cannot be kept: refused. */
		{"1.005", "1", 14, 2, NULL},
		{"1.000", "1", 14, 2, "2.00"},
		{NULL, "1", 14, 2, "NULL"},
		{"1", NULL, 14, 2, "NULL"},
	};
	corm_conn *c = open_memory();
	char got[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		add_of(got, sizeof(got), c, cases[i].a, cases[i].b, cases[i].p,
			cases[i].s);
		if (cases[i].sum ? strcmp(got, cases[i].sum) != 0
				 : strncmp(got, RANGE_ERROR, strlen(RANGE_ERROR)) != 0)
			fail_msg("add %zu: '%s', expected '%s'", i, got,
				cases[i].sum ? cases[i].sum : "a range error");
	}
	/* The range error names the type. */
	assert_int_equal(CORM_ERANGE, -19);
	add_of(got, sizeof(got), c, "99999", "1", 5, 0);
	assert_non_null(strstr(got, "does not fit decimal(5,0)"));
	/* Text that is no number is an error, not a guess. */
	add_of(got, sizeof(got), c, "abc", "1", 14, 2);
	assert_non_null(strstr(got, "'abc' is not a decimal number"));
	add_of(got, sizeof(got), c, "1", "1", 2, 3);
	assert_non_null(strstr(got, "not those of a decimal(p,s)"));
	corm_conn_close(c);
}

/* A decimal(30,10) value as a sign and 30 digits (20 + 10 places). */
typedef struct d30 {
	int sign;
	char d[30];
} d30;

static void random_d30(d30 *x, char *text)
{
	/* Half of them all 30 digits wide, many 9s: sums carry and pass
	 * the limit; the others shorter, so sums also cancel. */
	int lead = next_rand(2) ? 0 : (int)next_rand(21), i, n = 0, first = -1;

	x->sign = next_rand(2) ? -1 : 1;
	for (i = 0; i < 30; i++) {
		x->d[i] = (char)(i < lead ? 0 : next_rand(2) ? 9 : random_digit());
		if (first < 0 && x->d[i])
			first = i;
	}
	if (first < 0 || first > 19)
		first = 19;
	if (x->sign < 0)
		text[n++] = '-';
	for (i = first; i < 30; i++) {
		if (i == 20)
			text[n++] = '.';
		text[n++] = (char)('0' + x->d[i]);
	}
	text[n] = '\0';
}

/* The canonical text of x + y in decimal(30,10), or "" past its range. */
static void add_d30(char *out, const d30 *x, const d30 *y)
{
	int v[31], i, carry = 0, n = 0, first, sign = 1;

	for (i = 29; i >= 0; i--) { /* signed digits, then normalised */
		int s = x->sign * x->d[i] + y->sign * y->d[i] + carry;

		carry = s >= 0 ? s / 10 : -((9 - s) / 10);
		v[i + 1] = s - carry * 10;
	}
	v[0] = carry;
	if (v[0] < 0) { /* negative: 10^30 - v, digit by digit */
		sign = -1;
		for (i = 30, carry = 0; i >= 1; i--) {
			int s = -v[i] - carry;

			carry = s < 0;
			v[i] = s + (carry ? 10 : 0);
		}
		v[0] = -v[0] - carry;
	}
	if (v[0] != 0) {
		out[0] = '\0';
		return;
	}
	for (first = 1; first < 20 && !v[first]; first++)
		;
	for (i = 1; i <= 30 && !v[i]; i++)
		;
	if (sign < 0 && i <= 30)
		out[n++] = '-';
	for (i = first; i <= 30; i++) {
		if (i == 21)
			out[n++] = '.';
		out[n++] = (char)('0' + v[i]);
	}
	out[n] = '\0';
}

static void test_add__equals_brute_force_on_random_pairs(void **state)
{
	corm_conn *c = open_memory();
	char a[40], b[40], want[40], got[256];
	int i, out_of_range = 0;

	(void)state;
	for (i = 0; i < 3000; i++) {
		d30 x, y;

		random_d30(&x, a);
		random_d30(&y, b);
		add_d30(want, &x, &y);
		add_of(got, sizeof(got), c, a, b, 30, 10);
		if (want[0] ? strcmp(got, want) != 0
			    : strncmp(got, RANGE_ERROR, strlen(RANGE_ERROR)) != 0)
			fail_msg("%s + %s: '%s', expected '%s'", a, b, got,
				want[0] ? want : "a range error");
		out_of_range += !want[0];
	}
	/* Both answers were tried often. */
	assert_true(out_of_range > 100 && out_of_range < 2900);
	corm_conn_close(c);
}

static void test_min_max__take_the_collation(void **state)
{
	corm_conn *c = open_memory();
	char got[256];

	(void)state;
	insert(c, 1, "9.99");
	insert(c, 1, "10.00");
	insert(c, 1, "-2");
	insert(c, 1, "-10");
	insert(c, 1, "012.5");
	insert(c, 1, NULL);
	one_value(got, sizeof(got), c,
		"SELECT min(v COLLATE corm_decimal) FROM t WHERE g = ?", 1);
	assert_string_equal(got, "-10");
	one_value(got, sizeof(got), c,
		"SELECT max(v COLLATE corm_decimal) FROM t WHERE g = ?", 1);
	assert_string_equal(got, "012.5");
	/* Without it they compare bytes: the reason the builder adds it. */
	one_value(got, sizeof(got), c, "SELECT max(v) FROM t WHERE g = ?", 1);
	assert_string_equal(got, "9.99");
	one_value(got, sizeof(got), c,
		"SELECT v FROM t WHERE g = ? AND v IS NOT NULL "
		"ORDER BY v COLLATE corm_decimal DESC LIMIT 1 OFFSET 1", 1);
	assert_string_equal(got, "10.00");
	corm_conn_close(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_canonical__spellings_and_refusals),
		cmocka_unit_test(test_canonical__widest_values_fit_their_buffer),
		cmocka_unit_test(test_collation__orders_by_value),
		cmocka_unit_test(test_collation__equals_brute_force_on_random_pairs),
		cmocka_unit_test(test_sum__is_exact_with_signs_scales_and_carries),
		cmocka_unit_test(test_sum__refuses_text_that_is_no_number),
		cmocka_unit_test(test_sum__equals_brute_force_on_random_values),
		cmocka_unit_test(test_add__exact_to_scale_with_nulls_and_range),
		cmocka_unit_test(test_add__equals_brute_force_on_random_pairs),
		cmocka_unit_test(test_min_max__take_the_collation),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
