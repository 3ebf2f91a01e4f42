/*
 * sqlite_decimal.c — decimals by value on SQLite.
 *
 * SQLite keeps a decimal column as text (DECIMAL_TEXT(p,s), so no digit
 * is lost), and text compares byte by byte: "9.99" > "10.00". The driver
 * registers on every connection
 *
 *   COLLATE corm_decimal      orders decimal text by its value, exactly,
 *                             at any length: the query builder puts it on
 *                             decimal columns it compares or sorts;
 *                             min(x COLLATE corm_decimal) and max() use it.
 *   corm_decimal_sum(x)       an aggregate: the exact sum, as canonical
 *                             text with as many places as the most any
 *                             value had; NULL when no value is non-NULL.
 *
 * Text written by corm is canonical (orm/decimal.c), but a database may
 * hold other spellings ("12.3", "012.30", "1.0e+20" from a REAL stored in
 * the TEXT column): both read any [+-]digits[.digits][e[+-]digits].
 * Text that is no number sorts after every number, by its bytes, so the
 * order stays total; corm_decimal_sum() refuses it (an error, not a
 * guess).
 *
 * A number is kept as the text it came in and read digit by digit
 * through the power of ten each digit stands for: nothing is converted
 * to binary floating point, and nothing is copied to compare.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <sqlite3.h>

#include "sqlite_decimal.h"

/* The powers of ten a sum may hold digits at: PostgreSQL's numeric
 * limits (131072 digits before the point, 16383 after). */
#define SUM_TOP_POWER 131071
#define SUM_BOTTOM_POWER (-16383)
/* Exponents past this are not read as numbers (the text sorts as text). */
#define MAX_EXPONENT 100000000

/* A number's text: digits m[0..n) with a point at index `point` (n when
 * there is none; the '.' itself is skipped when reading), times 10^exp.
 * `top` and `bottom` are the powers of its first and last nonzero
 * digits; zero has none (is_zero). */
typedef struct dec {
	bool neg, is_zero;
	const char *m;
	int64_t n, point, exp;
	int64_t top, bottom;
	int64_t places;  /* places after the point, as written */
} dec;

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The digit of `d` at power 10^k (0 outside the digits written). */
static int digit_at(const dec *d, int64_t k)
{
	int64_t j = k - d->exp, idx;

	idx = j >= 0 ? d->point - 1 - j : d->point - j;
	if (idx < 0 || idx >= d->n)
		return 0;
	return d->m[idx] - '0';
}

/* The power of ten digit m[idx] stands for. */
static int64_t power_of(const dec *d, int64_t idx)
{
	return (idx < d->point ? d->point - 1 - idx : d->point - idx) + d->exp;
}

/* The index in d->m of its first nonzero digit, or -1. */
static int64_t first_nonzero(const dec *d)
{
	int64_t i;

	for (i = 0; i < d->n; i++)
		if (d->m[i] != '0' && d->m[i] != '.')
			return i;
	return -1;
}

/* The index in d->m of its last nonzero digit (there is one). */
static int64_t last_nonzero(const dec *d)
{
	int64_t i = d->n - 1;

	while (d->m[i] == '0' || d->m[i] == '.')
		i--;
	return i;
}

/* Parse `text`: true when it is a number. One pass over the digits (this
 * runs twice per comparison of a sort), then the first and last nonzero
 * digits, found from either end. */
static bool dec_parse(dec *d, const char *text, int64_t len)
{
	const char *p = text, *end = text + len;
	bool exp_neg = false;
	int64_t first;

	d->neg = false;
	d->exp = 0;
	d->places = 0;
	if (p < end && (*p == '+' || *p == '-'))
		d->neg = *p++ == '-';
	d->m = p;
	while (p < end && is_digit(*p))
		p++;
	d->point = p - d->m;
	if (p < end && *p == '.') {
		while (++p < end && is_digit(*p))
			;
		d->places = p - d->m - d->point - 1;
	}
	d->n = p - d->m;
	if (d->n - (d->point < d->n) == 0)
		return false; /* no digit */
	if (p < end && (*p == 'e' || *p == 'E')) {
		int64_t e = 0;

		if (++p < end && (*p == '+' || *p == '-'))
			exp_neg = *p++ == '-';
		if (p == end)
			return false;
		for (; p < end && is_digit(*p); p++)
			if ((e = e * 10 + (*p - '0')) > MAX_EXPONENT)
				return false;
		d->exp = exp_neg ? -e : e;
		d->places = d->places - d->exp > 0 ? d->places - d->exp : 0;
	}
	if (p != end)
		return false;
	first = first_nonzero(d);
	d->is_zero = first < 0;
	if (!d->is_zero) {
		d->top = power_of(d, first);
		d->bottom = power_of(d, last_nonzero(d));
	}
	return true;
}

static int sign_of_memcmp(const char *a, const char *b, int64_t n)
{
	int c = n > 0 ? memcmp(a, b, (size_t)n) : 0;

	return (c > 0) - (c < 0);
}

/* The digits of d after its point, and how many. */
static const char *fraction(const dec *d, int64_t *n)
{
	*n = d->point < d->n ? d->n - d->point - 1 : 0;
	return d->m + d->point + 1;
}

/* dec_cmp_magnitude() of two numbers without exponents and with the same
 * top digit (the common case, every corm-written value): the integer
 * digits line up, and so do the places, so memcmp() does it. */
static int plain_cmp_magnitude(const dec *a, const dec *b)
{
	int64_t na, nb, i;
	const char *fa = fraction(a, &na), *fb = fraction(b, &nb), *rest;
	int c = 0;

	if (a->top >= 0)
		c = sign_of_memcmp(a->m + a->point - 1 - a->top,
			b->m + b->point - 1 - b->top, a->top + 1);
	if (c == 0)
		c = sign_of_memcmp(fa, fb, na < nb ? na : nb);
	if (c != 0 || na == nb)
		return c;
	/* The longer fraction is larger if what is left has a nonzero digit. */
	rest = na > nb ? fa + nb : fb + na;
	for (i = 0; i < (na > nb ? na - nb : nb - na); i++)
		if (rest[i] != '0')
			return na > nb ? 1 : -1;
	return 0;
}

/* -1, 0 or 1 as |a| is below, equal to or above |b|. */
static int dec_cmp_magnitude(const dec *a, const dec *b)
{
	int64_t k, low;

	if (a->is_zero || b->is_zero)
		return (int)!a->is_zero - (int)!b->is_zero;
	if (a->top != b->top)
		return a->top < b->top ? -1 : 1;
	if (a->exp == 0 && b->exp == 0)
		return plain_cmp_magnitude(a, b);
	low = a->bottom < b->bottom ? a->bottom : b->bottom;
	for (k = a->top; k >= low; k--) {
		int x = digit_at(a, k), y = digit_at(b, k);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

static int sign_of(const dec *d)
{
	return d->is_zero ? 0 : d->neg ? -1 : 1;
}

int corm_sqlite__decimal_cmp(const char *a, int na, const char *b, int nb)
{
	dec x, y;
	bool ax = dec_parse(&x, a, na), by = dec_parse(&y, b, nb);
	int sx, sy, c;

	if (ax && by) {
		if ((sx = sign_of(&x)) != (sy = sign_of(&y)))
			return sx < sy ? -1 : 1;
		return sx * dec_cmp_magnitude(&x, &y);
	}
	if (ax != by)
		return ax ? -1 : 1; /* numbers first */
	c = memcmp(a, b, (size_t)(na < nb ? na : nb));
	return c ? (c < 0 ? -1 : 1) : (na > nb) - (na < nb);
}

static int collate(void *ctx, int na, const void *a, int nb, const void *b)
{
	(void)ctx;
	return corm_sqlite__decimal_cmp(a, na, b, nb);
}

/* ------------------------------------------------------------------ the sum */

/* A magnitude: digit d[k - lo] (0..9) at power 10^k for lo <= k < hi. */
typedef struct mag {
	unsigned char *d;
	int64_t lo, hi;
} mag;

/* Make `m` hold powers lo..hi-1 at least (new digits 0). */
static bool mag_reserve(mag *m, int64_t lo, int64_t hi)
{
	int64_t nlo, nhi;
	unsigned char *d;

	if (m->d && lo >= m->lo && hi <= m->hi)
		return true;
	nlo = m->d && m->lo < lo ? m->lo : lo;
	nhi = m->d && m->hi > hi ? m->hi : hi;
	nhi += 8; /* room for carries without a realloc each */
	d = sqlite3_malloc64((sqlite3_uint64)(nhi - nlo));
	if (!d)
		return false;
	memset(d, 0, (size_t)(nhi - nlo));
	if (m->d)
		memcpy(d + (m->lo - nlo), m->d, (size_t)(m->hi - m->lo));
	sqlite3_free(m->d);
	m->d = d;
	m->lo = nlo;
	m->hi = nhi;
	return true;
}

/* m += |x| (x not zero). */
static bool mag_add(mag *m, const dec *x)
{
	int64_t k;
	int carry = 0;

	if (!mag_reserve(m, x->bottom, x->top + 1))
		return false;
	for (k = x->bottom; k <= x->top || carry; k++) {
		int v;

		if (k >= m->hi && !mag_reserve(m, m->lo, k + 1))
			return false;
		v = m->d[k - m->lo] + (k <= x->top ? digit_at(x, k) : 0) + carry;
		m->d[k - m->lo] = (unsigned char)(v % 10);
		carry = v / 10;
	}
	return true;
}

static int mag_digit(const mag *m, int64_t k)
{
	return m->d && k >= m->lo && k < m->hi ? m->d[k - m->lo] : 0;
}

static int mag_cmp(const mag *a, const mag *b)
{
	/* An empty magnitude has lo == hi == 0: 0 is in every range. */
	int64_t lo = a->lo < b->lo ? a->lo : b->lo;
	int64_t k = (a->hi > b->hi ? a->hi : b->hi) - 1;

	for (; k >= lo; k--) {
		int x = mag_digit(a, k), y = mag_digit(b, k);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return 0;
}

/* The aggregate's state: the positive and the negative values apart. */
typedef struct dec_sum {
	mag pos, neg;
	int64_t places; /* the most places any value had */
	bool any;       /* a non-NULL value was seen */
} dec_sum;

static void sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	dec_sum *s;
	const char *text;
	int len;
	dec x;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	if (!(s = sqlite3_aggregate_context(ctx, sizeof(*s)))) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	text = (const char *)sqlite3_value_text(argv[0]);
	len = sqlite3_value_bytes(argv[0]);
	if (!text) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (!dec_parse(&x, text, len)) {
		char *msg = sqlite3_mprintf("corm_decimal_sum: '%.64s' is not a "
			"decimal number", text);

		sqlite3_result_error(ctx, msg ? msg : "corm_decimal_sum: not a "
			"decimal number", -1);
		sqlite3_free(msg);
		return;
	}
	if (!x.is_zero && (x.top > SUM_TOP_POWER || x.bottom < SUM_BOTTOM_POWER)) {
		sqlite3_result_error(ctx, "corm_decimal_sum: a value has more "
			"digits than a sum holds (131072 before the point, 16383 "
			"after)", -1);
		return;
	}
	s->any = true;
	if (x.places > s->places)
		s->places = x.places > -SUM_BOTTOM_POWER ? -SUM_BOTTOM_POWER
							 : x.places;
	if (!x.is_zero && !mag_add(x.neg ? &s->neg : &s->pos, &x))
		sqlite3_result_error_nomem(ctx);
}

/* a -= b, where |a| >= |b|. */
static bool mag_sub(mag *a, const mag *b)
{
	int64_t k;
	int borrow = 0;

	if (!b->d)
		return true;
	/* b may have digits below a's (10 - 0.5). */
	if (!mag_reserve(a, b->lo < a->lo ? b->lo : a->lo, a->hi))
		return false;
	for (k = a->lo; k < a->hi; k++) {
		int v = a->d[k - a->lo] - mag_digit(b, k) - borrow;

		borrow = v < 0;
		a->d[k - a->lo] = (unsigned char)(v + (borrow ? 10 : 0));
	}
	return true;
}

/* Write the canonical text of ±m with `places` places. */
static void sum_result(sqlite3_context *ctx, const mag *m, bool neg,
	int64_t places)
{
	int64_t top = 0, k, n = 0;
	bool zero = true;
	char *out;

	for (k = m->d ? m->hi - 1 : -1; k >= 0 && !mag_digit(m, k); k--)
		;
	top = k > 0 ? k : 0;
	for (k = m->d ? m->lo : 0; m->d && k < m->hi && zero; k++)
		zero = !m->d[k - m->lo];
	out = sqlite3_malloc64((sqlite3_uint64)(top + places + 4));
	if (!out) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	if (neg && !zero)
		out[n++] = '-';
	for (k = top; k >= 0; k--)
		out[n++] = (char)('0' + mag_digit(m, k));
	if (places > 0)
		out[n++] = '.';
	for (k = -1; k >= -places; k--)
		out[n++] = (char)('0' + mag_digit(m, k));
	sqlite3_result_text64(ctx, out, (sqlite3_uint64)n, sqlite3_free,
		SQLITE_UTF8);
}

static void sum_final(sqlite3_context *ctx)
{
	dec_sum *s = sqlite3_aggregate_context(ctx, 0);
	bool neg;
	mag *big, *small;

	if (!s || !s->any) {
		sqlite3_result_null(ctx);
		return;
	}
	neg = mag_cmp(&s->pos, &s->neg) < 0;
	big = neg ? &s->neg : &s->pos;
	small = neg ? &s->pos : &s->neg;
	if (mag_sub(big, small))
		sum_result(ctx, big, neg, s->places);
	else
		sqlite3_result_error_nomem(ctx);
	sqlite3_free(s->pos.d);
	sqlite3_free(s->neg.d);
}

int corm_sqlite__decimal_register(sqlite3 *db)
{
	int rc = sqlite3_create_collation_v2(db, "corm_decimal", SQLITE_UTF8,
		NULL, collate, NULL);

	if (rc != SQLITE_OK)
		return rc;
	return sqlite3_create_function_v2(db, "corm_decimal_sum", 1,
		SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, NULL,
		sum_step, sum_final, NULL);
}
