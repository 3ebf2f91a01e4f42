/*
 * test_aggregate.c — typed aggregates (aggregate.corm) on a real engine:
 * COUNT, SUM, AVG, MIN and MAX of every column type over seeded random
 * data with NULLs and all-NULL groups, checked against the same values
 * computed here in C; exact 64-bit sums and their overflow; several
 * aggregates in one query with HAVING and ORDER BY an aggregate; GROUP BY
 * text (byte order) and an enum (name order); the mistakes that fail.
 * Every engine must give the same answers.
 * Usage: test_aggregate sqlite|postgres|mysql
 */
#include <float.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "aggregate.h"
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

static void empty_table(void)
{
	OK(corm_exec(db, "DELETE FROM sample"));
}

static sample new_sample(const char *grp, kind k)
{
	sample s;

	sample_init(&s);
	s.grp = corm_str_of(grp);
	s.kind = k;
	return s;
}

/* ------------------------------------------------------------ exact sums */

static void test_aggregate__sum_of_2_60_plus_k_is_exact(void **state)
{
	const int64_t base = INT64_C(1) << 60;
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_agg_i64 sum;
	sample_agg_f64 avg;
	int k;

	(void)state;
	empty_table();
	for (k = 0; k < 4; k++) {
		sample s = new_sample("g", KIND_ALPHA);

		s.has_large = true;
		s.large = base + k;
		OK(sample_insert(db, &s));
	}
	OK(sample_query_new(&q, db));
	sum = sample_agg_sum(q, SAMPLE_LARGE);
	avg = sample_agg_avg(q, SAMPLE_LARGE);
	OK(sample_query_aggregates(&rows, q));
	assert_int_equal(rows.count, 1);
	assert_false(sample_agg_is_null(&rows.items[0], sum));
	/* A double holds 2^62 + 6 only as 2^62: the sum must be exact. */
	assert_true(sample_agg_get(&rows.items[0], sum) == 4 * base + 6);
	assert_true(sample_agg_get(&rows.items[0], avg) ==
		(double)(4 * base + 6) / 4);
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

static void expect_sum_out_of_range(int64_t a, int64_t b)
{
	sample_query *q = NULL;
	sample_agg_list rows;
	sample s = new_sample("g", KIND_ALPHA);

	empty_table();
	s.has_large = true;
	s.large = a;
	OK(sample_insert(db, &s));
	s.large = b;
	OK(sample_insert(db, &s));
	OK(sample_query_new(&q, db));
	sample_agg_sum(q, SAMPLE_LARGE);
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_ERANGE);
	assert_int_equal(rows.count, 0);
	sample_query_free(q);
	/* AVG reads the same exact sum. */
	OK(sample_query_new(&q, db));
	sample_agg_avg(q, SAMPLE_LARGE);
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_ERANGE);
	sample_query_free(q);
}

static void test_aggregate__sum_past_int64_is_erange(void **state)
{
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_agg_i64 sum;
	sample s = new_sample("g", KIND_ALPHA);

	(void)state;
	expect_sum_out_of_range(INT64_MAX, 1);
	expect_sum_out_of_range(INT64_MIN, -1);
	/* Right at the edge is fine. */
	empty_table();
	s.has_large = true;
	s.large = INT64_MIN + 1;
	OK(sample_insert(db, &s));
	s.large = -1;
	OK(sample_insert(db, &s));
	OK(sample_query_new(&q, db));
	sum = sample_agg_sum(q, SAMPLE_LARGE);
	OK(sample_query_aggregates(&rows, q));
	assert_true(sample_agg_get(&rows.items[0], sum) == INT64_MIN);
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

/* ------------------------------------------------- random data, brute force */

#define NROWS 300
#define NGROUPS 9

/* Group names: byte order puts "B" and "Z" before "a", "a b" after "a".
 * "a", "a " and "a\t" are three groups (MySQL's collation says 'a' =
 * 'a ' and sorts "a\t" first: corm groups and sorts by bytes). */
static const char *const grp_names[NGROUPS] = {"a", "B", "b", "a b",
	"\xC3\xA9t\xC3\xA9", "Z", "nulls", "a ", "a\t"};
#define NULLS_GROUP 6 /* every nullable column NULL */

static const char *const label_parts[] = {"a", "A", "\xC3\xA9", "z", "Z",
	"\xF0\x9F\x98\x80", "ab", "0", "~", " ", "\t"};

/* What the test inserted, per row, for computing the answers. */
typedef struct row_data {
	int grp;
	kind k;
	sample s;
	int64_t cents;        /* price */
	char price[32], label[32];
} row_data;

static row_data data[NROWS];
static uint64_t rng_state;

static uint64_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return rng_state;
}

static int64_t rnd_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rnd() % (uint64_t)(hi - lo + 1));
}

/* A decimal's shortest exact text, as corm gives aggregates of them. */
/* A decimal(14,2) aggregate's text: the column's canonical form. */
static void cents_text(char *buf, size_t size, int64_t cents)
{
	uint64_t mag = cents < 0 ? 0 - (uint64_t)cents : (uint64_t)cents;

	snprintf(buf, size, "%s%llu.%02u", cents < 0 ? "-" : "",
		(unsigned long long)(mag / 100), (unsigned)(mag % 100));
}

static void load_random_rows(void)
{
	int i, n;

	rng_state = 0x9E3779B97F4A7C15u;
	empty_table();
	OK(corm_tx_begin(db));
	for (i = 0; i < NROWS; i++) {
		row_data *r = &data[i];
		sample *s = &r->s;
		bool all_null;
		size_t k;

		r->grp = (int)(rnd() % NGROUPS);
		r->k = (kind)(rnd() % 3);
		*s = new_sample(grp_names[r->grp], r->k);
		all_null = r->grp == NULLS_GROUP;
#define MAYBE (!all_null && rnd() % 5 != 0)
		if ((s->has_small = MAYBE))
			s->small = (int16_t)rnd_range(INT16_MIN, INT16_MAX);
		if ((s->has_medium = MAYBE))
			s->medium = (int32_t)rnd_range(INT32_MIN, INT32_MAX);
		if ((s->has_large = MAYBE))
			s->large = rnd_range(-(INT64_C(1) << 50), INT64_C(1) << 50);
		/* Quarters and eighths: every sum is exact, in any order. */
		if ((s->has_ratio = MAYBE))
			s->ratio = (float)rnd_range(-2000, 2000) / 4;
		if ((s->has_precise = MAYBE))
			s->precise = (double)rnd_range(-1000000, 1000000) / 8;
		if ((s->has_flag = MAYBE))
			s->flag = rnd() & 1;
		if (MAYBE) {
			int64_t c = rnd_range(-INT64_C(99999999999999),
				INT64_C(99999999999999));
			uint64_t mag = c < 0 ? 0 - (uint64_t)c : (uint64_t)c;

			r->cents = c;
			/* Written with both decimals, as users write them. */
			snprintf(r->price, sizeof(r->price), "%s%llu.%02u",
				c < 0 ? "-" : "", (unsigned long long)(mag / 100),
				(unsigned)(mag % 100));
			s->price = corm_str_of(r->price);
		}
		if ((s->has_day = MAYBE))
			s->day = (corm_date){(int16_t)rnd_range(1900, 2100),
				(uint8_t)rnd_range(1, 12), (uint8_t)rnd_range(1, 28)};
		if ((s->has_clock = MAYBE))
			s->clock = (corm_time){(uint8_t)rnd_range(0, 23),
				(uint8_t)rnd_range(0, 59), (uint8_t)rnd_range(0, 59),
				(uint32_t)rnd_range(0, 999999)};
		if ((s->has_stamp = MAYBE))
			s->stamp.usec = rnd_range(-INT64_C(2000000000000000),
				INT64_C(4000000000000000));
		if ((s->has_uid = MAYBE))
			for (k = 0; k < 16; k++)
				s->uid.bytes[k] = (uint8_t)rnd();
		if (MAYBE) {
			r->label[0] = '\0';
			for (n = (int)(rnd() % 4); n > 0; n--)
				strcat(r->label, label_parts[rnd() % (sizeof(label_parts) /
					sizeof(label_parts[0]))]);
			s->label = corm_str_of(r->label);
		}
#undef MAYBE
		OK(sample_insert(db, s));
	}
	OK(corm_tx_commit(db));
}

/* A value to compare: an integer key, a double, or bytes. */
typedef struct expect {
	bool is_null;
	int64_t i;
	double d;
	const void *bytes;
	size_t len;
} expect;

/* What the columns are, for computing MIN / MAX here. */
typedef enum col_kind { K_INT, K_FLOAT, K_BYTES } col_kind;

/* Column `c` of row r as a comparable value; false for NULL. */
enum { C_SMALL, C_MEDIUM, C_LARGE, C_RATIO, C_PRECISE, C_FLAG, C_DAY,
	C_CLOCK, C_STAMP, C_UID, C_LABEL, C_KIND, C_PRICE, NCOLS };

static col_kind kind_of(int c)
{
	return c == C_RATIO || c == C_PRECISE ? K_FLOAT
		: c == C_UID || c == C_LABEL || c == C_KIND ? K_BYTES : K_INT;
}

static bool value_of(expect *v, const row_data *r, int c)
{
	const sample *s = &r->s;

	memset(v, 0, sizeof(*v));
	switch (c) {
	case C_SMALL: v->i = s->small; return s->has_small;
	case C_MEDIUM: v->i = s->medium; return s->has_medium;
	case C_LARGE: v->i = s->large; return s->has_large;
	case C_RATIO: v->d = s->ratio; return s->has_ratio;
	case C_PRECISE: v->d = s->precise; return s->has_precise;
	case C_FLAG: v->i = s->flag; return s->has_flag;
	case C_DAY:
		v->i = s->day.year * 10000 + s->day.month * 100 + s->day.day;
		return s->has_day;
	case C_CLOCK:
		v->i = ((s->clock.hour * 60 + s->clock.minute) * 60 +
			s->clock.second) * INT64_C(1000000) + s->clock.usec;
		return s->has_clock;
	case C_STAMP: v->i = s->stamp.usec; return s->has_stamp;
	case C_UID:
		v->bytes = s->uid.bytes;
		v->len = 16;
		return s->has_uid;
	case C_LABEL:
		v->bytes = s->label.ptr;
		v->len = s->label.len;
		return s->label.ptr != NULL;
	case C_KIND:
		v->bytes = kind_to_string(s->kind);
		v->len = strlen(v->bytes);
		return true;
	default: /* C_PRICE */
		v->i = r->cents;
		return s->price.ptr != NULL;
	}
}

static int cmp_bytes(const void *a, size_t la, const void *b, size_t lb)
{
	int c = la && lb ? memcmp(a, b, la < lb ? la : lb) : 0;

	return c ? c : la < lb ? -1 : la > lb;
}

static int cmp_value(const expect *a, const expect *b, col_kind k)
{
	if (k == K_INT)
		return a->i < b->i ? -1 : a->i > b->i;
	if (k == K_FLOAT)
		return a->d < b->d ? -1 : a->d > b->d;
	return cmp_bytes(a->bytes, a->len, b->bytes, b->len);
}

/* A group of the brute force: its key and its rows. */
typedef struct group {
	int grp;
	kind k;
} group;

static bool in_group(const row_data *r, const group *g)
{
	return r->grp == g->grp && r->k == g->k;
}

/* MIN (max false) or MAX of column c over group g. */
static expect brute_min_max(const group *g, int c, bool max)
{
	expect best = {true, 0, 0, NULL, 0}, v;
	int i;

	for (i = 0; i < NROWS; i++) {
		int d;

		if (!in_group(&data[i], g) || !value_of(&v, &data[i], c))
			continue;
		d = cmp_value(&v, &best, kind_of(c));
		if (best.is_null || (max ? d > 0 : d < 0)) {
			best = v;
			best.is_null = false;
		}
	}
	return best;
}

/* SUM of column c over g (integer or float columns), and the count. */
static expect brute_sum(const group *g, int c, int64_t *count)
{
	expect sum = {true, 0, 0, NULL, 0}, v;
	int i;

	*count = 0;
	for (i = 0; i < NROWS; i++) {
		if (!in_group(&data[i], g) || !value_of(&v, &data[i], c))
			continue;
		sum.is_null = false;
		sum.i += v.i;
		sum.d += v.d;
		++*count;
	}
	return sum;
}

/* The groups present, in the order the query asks: grp by bytes, then
 * the kind's name by bytes. */
static int cmp_group(const void *pa, const void *pb)
{
	const group *a = pa, *b = pb;
	int c = strcmp(grp_names[a->grp], grp_names[b->grp]);

	return c ? c : strcmp(kind_to_string(a->k), kind_to_string(b->k));
}

static size_t brute_groups(group *out)
{
	size_t n = 0, k;
	int i;

	for (i = 0; i < NROWS; i++) {
		group g = {data[i].grp, data[i].k};

		for (k = 0; k < n && !in_group(&data[i], &out[k]); k++)
			;
		if (k == n)
			out[n++] = g;
	}
	qsort(out, n, sizeof(*out), cmp_group);
	return n;
}

/* The aggregate's value as the brute force's, for comparing. */
static expect got_value(const corm_agg_value *v, int c)
{
	expect e = {v->is_null, 0, 0, NULL, 0};
	static char uuid_buf[16];

	if (v->is_null)
		return e;
	switch (v->type) {
	case CORM_AGGV_INT64: e.i = v->v.i64; break;
	case CORM_AGGV_DOUBLE: e.d = v->v.f64; break;
	case CORM_AGGV_BOOL: e.i = v->v.b; break;
	case CORM_AGGV_DATE:
		e.i = v->v.date.year * 10000 + v->v.date.month * 100 +
			v->v.date.day;
		break;
	case CORM_AGGV_TIME:
		e.i = ((v->v.time.hour * 60 + v->v.time.minute) * 60 +
			v->v.time.second) * INT64_C(1000000) + v->v.time.usec;
		break;
	case CORM_AGGV_TIMESTAMP: e.i = v->v.timestamp.usec; break;
	case CORM_AGGV_UUID:
		memcpy(uuid_buf, v->v.uuid.bytes, 16);
		e.bytes = uuid_buf;
		e.len = 16;
		break;
	case CORM_AGGV_ENUM:
		e.bytes = kind_to_string((kind)v->v.enum_value);
		e.len = e.bytes ? strlen(e.bytes) : 0;
		break;
	default: /* TEXT, DECIMAL */
		e.bytes = v->v.text.ptr;
		e.len = v->v.text.len;
		break;
	}
	(void)c;
	return e;
}

static void expect_equal(const expect *want, const expect *got, col_kind k,
	const char *what, const group *g, int c)
{
	if (want->is_null != got->is_null ||
		(!want->is_null && cmp_value(want, got, k) != 0))
		fail_msg("%s of column %d in group (%s, %s): want %s%lld / %.17g, "
			"got %s%lld / %.17g", what, c, grp_names[g->grp],
			kind_to_string(g->k), want->is_null ? "NULL " : "",
			(long long)want->i, want->d, got->is_null ? "NULL " : "",
			(long long)got->i, got->d);
}

/* The aggregates the brute-force test asks for, per column. */
typedef struct col_aggs {
	int count, sum, avg, min, max; /* indexes, -1: not asked */
} col_aggs;

static void test_aggregate__every_type_matches_brute_force(void **state)
{
	static const int fields[NCOLS] = {[C_SMALL] = 3, [C_MEDIUM] = 4,
		[C_LARGE] = 5, [C_RATIO] = 6, [C_PRECISE] = 7, [C_FLAG] = 8,
		[C_DAY] = 10, [C_CLOCK] = 11, [C_STAMP] = 12, [C_UID] = 13,
		[C_LABEL] = 14, [C_KIND] = 2, [C_PRICE] = 9};
	group groups[NGROUPS * 3];
	col_aggs aggs[NCOLS];
	sample_query *q = NULL;
	sample_agg_list rows;
	size_t ng, i;
	int c, all;

	(void)state;
	load_random_rows();
	ng = brute_groups(groups);
	OK(sample_query_new(&q, db));
	sample_group_by(q, SAMPLE_GRP);
	sample_group_by(q, SAMPLE_KIND);
	sample_order_by(q, SAMPLE_GRP, CORM_ASC);
	sample_order_by(q, SAMPLE_KIND, CORM_ASC);
	all = sample_agg_count(q).index;
	/* Through the runtime here, so one loop covers every column; the
	 * typed handles are checked by the other tests. Decimals have a test
	 * of their own (SQLite needs the corm_decimal functions). */
	for (c = 0; c < C_PRICE; c++) {
		bool number = kind_of(c) == K_FLOAT || c <= C_LARGE;
		corm_query *cq = (corm_query *)q;

		aggs[c].count = corm_query_agg(cq, CORM_AGG_COUNT, fields[c]);
		aggs[c].sum = number ? corm_query_agg(cq, CORM_AGG_SUM, fields[c])
				     : -1;
		aggs[c].avg = number ? corm_query_agg(cq, CORM_AGG_AVG, fields[c])
				     : -1;
		aggs[c].min = corm_query_agg(cq, CORM_AGG_MIN, fields[c]);
		aggs[c].max = corm_query_agg(cq, CORM_AGG_MAX, fields[c]);
	}
	OK(sample_query_aggregates(&rows, q));
	assert_int_equal(rows.count, ng);
	for (i = 0; i < ng; i++) {
		const corm_agg_group *row = &rows.items[i];
		const sample *key = sample_agg_group(row);
		const group *g = &groups[i];
		expect want, got;
		int64_t n_all = 0, n;
		int k;

		assert_string_equal(key->grp.ptr, grp_names[g->grp]);
		assert_int_equal(key->kind, g->k);
		for (k = 0; k < NROWS; k++)
			n_all += in_group(&data[k], g);
		assert_int_equal(row->values[all].v.i64, n_all);
		for (c = 0; c < C_PRICE; c++) {
			col_kind ck = kind_of(c);

			want = brute_sum(g, c, &n);
			assert_int_equal(row->values[aggs[c].count].v.i64, n);
			if (aggs[c].sum >= 0) {
				got = got_value(&row->values[aggs[c].sum], c);
				expect_equal(&want, &got, ck, "SUM", g, c);
				/* AVG: the exact sum as a double, over the count. */
				want.d = want.is_null ? 0
					: (ck == K_FLOAT ? want.d : (double)want.i) / (double)n;
				got = got_value(&row->values[aggs[c].avg], c);
				expect_equal(&want, &got, K_FLOAT, "AVG", g, c);
			}
			want = brute_min_max(g, c, false);
			got = got_value(&row->values[aggs[c].min], c);
			expect_equal(&want, &got, ck, "MIN", g, c);
			want = brute_min_max(g, c, true);
			got = got_value(&row->values[aggs[c].max], c);
			expect_equal(&want, &got, ck, "MAX", g, c);
		}
	}
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

/*
 * NOTE: on SQLite this needs corm_decimal_sum() and the corm_decimal
 * collation, which the `decimal` branch adds to the SQLite driver; until
 * it is merged, aggregate-sqlite fails here ("no such function").
 */
static void test_aggregate__decimal_sums_are_exact_and_min_max_by_value(
	void **state)
{
	group groups[NGROUPS * 3];
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_agg_decimal sum, min, max;
	sample_agg_f64 avg;
	size_t ng, i;

	(void)state;
	load_random_rows();
	ng = brute_groups(groups);
	OK(sample_query_new(&q, db));
	sample_group_by(q, SAMPLE_GRP);
	sample_group_by(q, SAMPLE_KIND);
	sample_order_by(q, SAMPLE_GRP, CORM_ASC);
	sample_order_by(q, SAMPLE_KIND, CORM_ASC);
	sum = sample_agg_sum(q, SAMPLE_PRICE);
	avg = sample_agg_avg(q, SAMPLE_PRICE);
	min = sample_agg_min(q, SAMPLE_PRICE);
	max = sample_agg_max(q, SAMPLE_PRICE);
	OK(sample_query_aggregates(&rows, q));
	assert_int_equal(rows.count, ng);
	for (i = 0; i < ng; i++) {
		const corm_agg_group *row = &rows.items[i];
		int64_t n;
		expect want = brute_sum(&groups[i], C_PRICE, &n);
		char text[40];

		assert_int_equal(sample_agg_is_null(row, sum), want.is_null);
		assert_int_equal(sample_agg_is_null(row, avg), want.is_null);
		if (want.is_null) {
			assert_true(sample_agg_is_null(row, min));
			continue;
		}
		cents_text(text, sizeof(text), want.i);
		assert_string_equal(sample_agg_get(row, sum).ptr, text);
		assert_true(sample_agg_get(row, avg) == strtod(text, NULL) / n);
		want = brute_min_max(&groups[i], C_PRICE, false);
		cents_text(text, sizeof(text), want.i);
		assert_string_equal(sample_agg_get(row, min).ptr, text);
		want = brute_min_max(&groups[i], C_PRICE, true);
		cents_text(text, sizeof(text), want.i);
		assert_string_equal(sample_agg_get(row, max).ptr, text);
	}
	sample_agg_list_free(&rows);
	/* HAVING on the exact sum: the groups whose sum is over 1000.05, an
	 * amount a double cannot hold exactly. */
	sample_having(q, sample_having_gt(q, sum, CORM_STR("1000.05")));
	OK(sample_query_aggregates(&rows, q));
	{
		size_t want = 0;
		int64_t n;

		for (i = 0; i < ng; i++) {
			expect e = brute_sum(&groups[i], C_PRICE, &n);

			want += !e.is_null && e.i > 100005;
		}
		assert_int_equal(rows.count, want);
	}
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

/* ---------------------------------------- several, HAVING, ORDER BY, empty */

static void test_aggregate__several_with_having_and_order_by_aggregate(
	void **state)
{
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_agg_i64 n, sum;
	sample_agg_timestamp last;
	sample_agg_str first_label;
	int64_t prev = INT64_MAX;
	size_t i, want_groups = 0;
	int g;

	(void)state;
	load_random_rows();
	OK(sample_query_new(&q, db));
	sample_group_by(q, SAMPLE_GRP);
	n = sample_agg_count(q);
	sum = sample_agg_sum(q, SAMPLE_MEDIUM);
	last = sample_agg_max(q, SAMPLE_STAMP);
	first_label = sample_agg_min(q, SAMPLE_LABEL);
	/* Groups of more than 30 rows whose MAX(stamp) is not NULL. */
	sample_having(q, sample_having_gt(q, n, 30));
	sample_having(q, sample_having_ge(q, last,
		(corm_timestamp){-INT64_C(3000000000000000)})); /* 1874 */
	sample_order_by_agg(q, sum, CORM_DESC);
	OK(sample_query_aggregates(&rows, q));
	for (g = 0; g < NGROUPS; g++) {
		int64_t count = 0;
		int k;

		for (k = 0; k < NROWS; k++)
			count += data[k].grp == g;
		want_groups += count > 30 && g != NULLS_GROUP;
	}
	assert_int_equal(rows.count, want_groups);
	assert_true(want_groups >= 2);
	for (i = 0; i < rows.count; i++) {
		const corm_agg_group *row = &rows.items[i];
		const sample *key = sample_agg_group(row);
		corm_timestamp max = {INT64_MIN};
		int64_t count = 0, total = 0;
		const char *label = NULL;
		int k;

		assert_true(sample_agg_get(row, n) > 30);
		for (k = 0; k < NROWS; k++) {
			const sample *s = &data[k].s;

			if (strcmp(grp_names[data[k].grp], key->grp.ptr) != 0)
				continue;
			count++;
			total += s->has_medium ? s->medium : 0;
			if (s->has_stamp && s->stamp.usec > max.usec)
				max = s->stamp;
			if (s->label.ptr && (!label || strcmp(s->label.ptr, label) < 0))
				label = s->label.ptr;
		}
		assert_int_equal(sample_agg_get(row, n), count);
		assert_true(sample_agg_get(row, sum) == total);
		assert_true(sample_agg_get(row, sum) <= prev); /* ORDER BY DESC */
		prev = sample_agg_get(row, sum);
		assert_true(sample_agg_get(row, last).usec == max.usec);
		assert_string_equal(sample_agg_get(row, first_label).ptr, label);
	}
	sample_agg_list_free(&rows);
	sample_query_free(q);

	/* HAVING on text and on an AVG; LIMIT. */
	OK(sample_query_new(&q, db));
	sample_group_by(q, SAMPLE_KIND);
	{
		sample_agg_kind kmax = sample_agg_max(q, SAMPLE_KIND);
		sample_agg_f64 avg = sample_agg_avg(q, SAMPLE_SMALL);

		sample_having(q, sample_or(q,
			sample_having_ne(q, kmax, KIND_ALPHA),
			sample_having_lt(q, avg, 1e9)));
		sample_having(q, sample_having_ge(q, first_label = sample_agg_min(q,
			SAMPLE_LABEL), CORM_STR("")));
		sample_order_by(q, SAMPLE_KIND, CORM_DESC);
		sample_limit(q, 2);
		OK(sample_query_aggregates(&rows, q));
		/* Names by bytes, descending: gamma, beta. */
		assert_int_equal(rows.count, 2);
		assert_int_equal(sample_agg_group(&rows.items[0])->kind, KIND_GAMMA);
		assert_int_equal(sample_agg_get(&rows.items[0], kmax), KIND_GAMMA);
		assert_int_equal(sample_agg_group(&rows.items[1])->kind, KIND_BETA);
		sample_agg_list_free(&rows);
	}
	sample_query_free(q);
}

/* ORDER BY an aggregate: NULLs last ascending and first descending, as
 * for fields; text by bytes; AVG by the value corm computes. */
static void test_aggregate__order_by_aggregates_with_nulls(void **state)
{
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_agg_timestamp last;
	sample_agg_str label;
	sample_agg_f64 avg;
	size_t i;
	int pass;

	(void)state;
	load_random_rows();
	for (pass = 0; pass < 2; pass++) {
		bool desc = pass == 1;

		OK(sample_query_new(&q, db));
		sample_group_by(q, SAMPLE_GRP);
		last = sample_agg_max(q, SAMPLE_STAMP);
		sample_order_by_agg(q, last, desc ? CORM_DESC : CORM_ASC);
		OK(sample_query_aggregates(&rows, q));
		assert_int_equal(rows.count, NGROUPS);
		/* The all-NULL group is last ascending, first descending. */
		assert_string_equal(sample_agg_group(&rows.items[desc ? 0
			: NGROUPS - 1])->grp.ptr, grp_names[NULLS_GROUP]);
		for (i = desc ? 2 : 1; i < (desc ? NGROUPS : NGROUPS - 1); i++) {
			int64_t a = sample_agg_get(&rows.items[i - 1], last).usec;
			int64_t b = sample_agg_get(&rows.items[i], last).usec;

			assert_true(desc ? a >= b : a <= b);
		}
		sample_agg_list_free(&rows);
		sample_query_free(q);
	}
	OK(sample_query_new(&q, db));
	sample_group_by(q, SAMPLE_GRP);
	sample_where(q, sample_ne(q, SAMPLE_GRP, CORM_STR("nulls")));
	label = sample_agg_min(q, SAMPLE_LABEL);
	avg = sample_agg_avg(q, SAMPLE_MEDIUM);
	sample_order_by_agg(q, label, CORM_ASC);
	OK(sample_query_aggregates(&rows, q));
	for (i = 1; i < rows.count; i++) {
		corm_str a = sample_agg_get(&rows.items[i - 1], label);
		corm_str b = sample_agg_get(&rows.items[i], label);

		assert_true(cmp_bytes(a.ptr, a.len, b.ptr, b.len) <= 0);
	}
	sample_agg_list_free(&rows);
	sample_query_free(q);
	OK(sample_query_new(&q, db));
	sample_group_by(q, SAMPLE_GRP);
	sample_where(q, sample_ne(q, SAMPLE_GRP, CORM_STR("nulls")));
	avg = sample_agg_avg(q, SAMPLE_MEDIUM);
	sample_order_by_agg(q, avg, CORM_DESC);
	OK(sample_query_aggregates(&rows, q));
	assert_int_equal(rows.count, NGROUPS - 1);
	for (i = 1; i < rows.count; i++)
		assert_true(sample_agg_get(&rows.items[i - 1], avg) >=
			sample_agg_get(&rows.items[i], avg));
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

static void test_aggregate__no_rows_gives_one_row_of_nulls_and_zero(
	void **state)
{
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_agg_i64 n, sum;
	sample_agg_timestamp last;

	(void)state;
	load_random_rows();
	OK(sample_query_new(&q, db));
	sample_where(q, sample_eq(q, SAMPLE_GRP, CORM_STR("no such group")));
	n = sample_agg_count(q);
	sum = sample_agg_sum(q, SAMPLE_SMALL);
	last = sample_agg_max(q, SAMPLE_STAMP);
	OK(sample_query_aggregates(&rows, q));
	assert_int_equal(rows.count, 1);
	assert_false(sample_agg_is_null(&rows.items[0], n));
	assert_int_equal(sample_agg_get(&rows.items[0], n), 0);
	assert_true(sample_agg_is_null(&rows.items[0], sum));
	assert_true(sample_agg_is_null(&rows.items[0], last));
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

static void test_aggregate__mistakes_fail_when_run(void **state)
{
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_list list;
	sample_agg_i64 n;

	(void)state;
	/* SUM of text (the typed API refuses it at compile time). */
	OK(sample_query_new(&q, db));
	corm_query_agg((corm_query *)q, CORM_AGG_SUM, 14);
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_EINVAL);
	sample_query_free(q);
	/* An aggregate predicate in WHERE. */
	OK(sample_query_new(&q, db));
	n = sample_agg_count(q);
	sample_where(q, sample_having_gt(q, n, 1));
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "having()"));
	sample_query_free(q);
	/* HAVING over a field that is not grouped. */
	OK(sample_query_new(&q, db));
	sample_group_by(q, SAMPLE_KIND);
	sample_agg_count(q);
	sample_having(q, sample_eq(q, SAMPLE_GRP, CORM_STR("a")));
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_EINVAL);
	sample_query_free(q);
	/* ORDER BY an aggregate outside an aggregates query. */
	OK(sample_query_new(&q, db));
	sample_order_by_agg(q, sample_agg_count(q), CORM_ASC);
	assert_int_equal(sample_query_all(&list, q), CORM_EINVAL);
	sample_query_free(q);
	/* No aggregate at all. */
	OK(sample_query_new(&q, db));
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_EINVAL);
	sample_query_free(q);
	/* A HAVING decimal that is not a number. */
	OK(sample_query_new(&q, db));
	sample_having(q, sample_having_gt(q, sample_agg_sum(q, SAMPLE_PRICE),
		CORM_STR("1e5")));
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_EINVAL);
	sample_query_free(q);
}

/* ------------------------------------------- issue 12: differential fixes */

/* MIN / MAX / SUM / AVG of one f32 value each: exactly the stored float,
 * widened, on every engine (PostgreSQL and MariaDB send a float as its
 * shortest decimal text, which read as a double is not the float). */
static void test_aggregate__f32_aggregates_are_the_stored_float(void **state)
{
	static const float values[] = {-1.71484375f, 0.1f, 3.4e38f, 1e-45f,
		-0.1f, FLT_MAX, FLT_MIN, 16777215.0f};
	enum { N = sizeof(values) / sizeof(values[0]) };
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_agg_f64 min, max, sum, avg;
	char names[N][8];
	size_t i;

	(void)state;
	empty_table();
	for (i = 0; i < N; i++) {
		sample s;

		snprintf(names[i], sizeof(names[i]), "v%zu", i);
		s = new_sample(names[i], KIND_ALPHA);
		s.has_ratio = true;
		s.ratio = values[i];
		OK(sample_insert(db, &s));
	}
	OK(sample_query_new(&q, db));
	sample_group_by(q, SAMPLE_GRP);
	sample_order_by(q, SAMPLE_GRP, CORM_ASC);
	min = sample_agg_min(q, SAMPLE_RATIO);
	max = sample_agg_max(q, SAMPLE_RATIO);
	sum = sample_agg_sum(q, SAMPLE_RATIO);
	avg = sample_agg_avg(q, SAMPLE_RATIO);
	OK(sample_query_aggregates(&rows, q));
	assert_int_equal(rows.count, N);
	for (i = 0; i < N; i++) {
		const corm_agg_group *row = &rows.items[i];
		double want = (double)values[i];

		assert_string_equal(sample_agg_group(row)->grp.ptr, names[i]);
		if (sample_agg_get(row, min) != want ||
			sample_agg_get(row, max) != want ||
			sample_agg_get(row, sum) != want ||
			sample_agg_get(row, avg) != want)
			fail_msg("%s: want %.17g, got MIN %.17g MAX %.17g SUM %.17g "
				"AVG %.17g", names[i], want, sample_agg_get(row, min),
				sample_agg_get(row, max), sample_agg_get(row, sum),
				sample_agg_get(row, avg));
	}
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

/* A sum of floats whose every partial sum is exact in double (all are
 * multiples of 2^-27 below 2^1) is the same bit for bit in any order; the
 * engines may round other sums differently (their summation order). */
static void test_aggregate__f32_exact_sum_is_bit_for_bit(void **state)
{
	static const float values[] = {0.1f, -1.71484375f, 0.25f, -0.1f, 0.1f};
	sample_query *q = NULL;
	sample_agg_list rows;
	sample_agg_f64 min, max, sum, avg;
	double want = 0;
	size_t i;

	(void)state;
	empty_table();
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		sample s = new_sample("g", KIND_ALPHA);

		s.has_ratio = true;
		s.ratio = values[i];
		want += (double)values[i];
		OK(sample_insert(db, &s));
	}
	OK(sample_query_new(&q, db));
	min = sample_agg_min(q, SAMPLE_RATIO);
	max = sample_agg_max(q, SAMPLE_RATIO);
	sum = sample_agg_sum(q, SAMPLE_RATIO);
	avg = sample_agg_avg(q, SAMPLE_RATIO);
	/* HAVING compares with the same widened float. */
	sample_having(q, sample_having_eq(q, min, (double)-1.71484375f));
	OK(sample_query_aggregates(&rows, q));
	assert_int_equal(rows.count, 1);
	assert_true(sample_agg_get(&rows.items[0], min) == -1.71484375);
	assert_true(sample_agg_get(&rows.items[0], max) == (double)0.25f);
	assert_true(sample_agg_get(&rows.items[0], sum) == want);
	assert_true(sample_agg_get(&rows.items[0], avg) == want / 5);
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

static void insert_large(const int64_t *values, size_t n)
{
	size_t i;

	empty_table();
	for (i = 0; i < n; i++) {
		sample s = new_sample("g", KIND_ALPHA);

		s.has_large = true;
		s.large = values[i];
		OK(sample_insert(db, &s));
	}
}

/* SUM and AVG of i64 in every order of {a, b, c}: the exact total, even
 * where a running sum leaves int64 (SQLite's sum() failed there). */
static void expect_sum_in_every_order(int64_t a, int64_t b, int64_t c,
	int64_t total)
{
	static const int orders[6][3] = {{0, 1, 2}, {0, 2, 1}, {1, 0, 2},
		{1, 2, 0}, {2, 0, 1}, {2, 1, 0}};
	const int64_t v[3] = {a, b, c};
	int k;

	for (k = 0; k < 6; k++) {
		const int64_t ordered[3] = {v[orders[k][0]], v[orders[k][1]],
			v[orders[k][2]]};
		sample_query *q = NULL;
		sample_agg_list rows;
		sample_agg_i64 sum;
		sample_agg_f64 avg;
		int64_t zero = 0;

		insert_large(ordered, 3);
		OK(sample_query_new(&q, db));
		sum = sample_agg_sum(q, SAMPLE_LARGE);
		avg = sample_agg_avg(q, SAMPLE_LARGE);
		/* HAVING and ORDER BY compute the same sums. */
		sample_having(q, total > 0 ? sample_having_gt(q, sum, zero)
					   : sample_having_lt(q, sum, zero));
		sample_order_by_agg(q, avg, CORM_ASC);
		OK(sample_query_aggregates(&rows, q));
		assert_int_equal(rows.count, 1);
		if (sample_agg_get(&rows.items[0], sum) != total)
			fail_msg("order %d: want %lld, got %lld", k, (long long)total,
				(long long)sample_agg_get(&rows.items[0], sum));
		assert_true(sample_agg_get(&rows.items[0], avg) ==
			(double)total / 3);
		sample_agg_list_free(&rows);
		sample_query_free(q);
	}
}

static void expect_sum_erange(const int64_t *values, size_t n)
{
	sample_query *q = NULL;
	sample_agg_list rows;

	insert_large(values, n);
	OK(sample_query_new(&q, db));
	sample_agg_sum(q, SAMPLE_LARGE);
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_ERANGE);
	sample_query_free(q);
	OK(sample_query_new(&q, db));
	sample_agg_avg(q, SAMPLE_LARGE);
	assert_int_equal(sample_query_aggregates(&rows, q), CORM_ERANGE);
	sample_query_free(q);
}

static void test_aggregate__i64_sum_exact_past_a_running_overflow(
	void **state)
{
	static const int64_t up[] = {INT64_MAX, INT64_MAX, -1};
	static const int64_t down[] = {INT64_MIN, INT64_MIN, 1};
	static const int64_t up_late[] = {-1, INT64_MAX, 1, 1};
	static const int64_t down_late[] = {1, INT64_MIN, -1, -1};

	(void)state;
	expect_sum_in_every_order(INT64_MAX, 1, -2, INT64_MAX - 1);
	expect_sum_in_every_order(INT64_MIN, -1, 2, INT64_MIN + 1);
	expect_sum_in_every_order(INT64_MAX, INT64_MAX, INT64_MIN,
		INT64_MAX - 1);
	expect_sum_in_every_order(INT64_MIN, INT64_MAX, INT64_MIN + 1,
		INT64_MIN);
	/* Totals past int64 stay ERANGE everywhere, both ways. */
	expect_sum_erange(up, 3);
	expect_sum_erange(down, 3);
	expect_sum_erange(up_late, 4);
	expect_sum_erange(down_late, 4);
}

/* Predicate text must be valid UTF-8 without NUL, as written text is:
 * PostgreSQL refused it with an error (22021), the others matched
 * nothing. Now every engine says CORM_EINVAL, naming the field, before
 * anything is sent. */
static void expect_bad_pred(sample_query *q, const char *what)
{
	int64_t n = -1;
	int rc = sample_query_count(&n, q);

	if (rc != CORM_EINVAL)
		fail_msg("%s: want CORM_EINVAL, got %s", what, corm_strerror(rc));
	if (!strstr(corm_errmsg(db), "grp") && !strstr(corm_errmsg(db), "label"))
		fail_msg("%s: the message names no field: %s", what,
			corm_errmsg(db));
	sample_query_free(q);
}

static sample_query *new_query(void)
{
	sample_query *q = NULL;

	OK(sample_query_new(&q, db));
	return q;
}

static void test_aggregate__predicate_text_must_be_utf8_without_nul(
	void **state)
{
	const corm_str bad[2] = {{"a\x80", 2}, {"a\0b", 3}};
	const corm_str good = CORM_STR("a");
	sample s = new_sample("a", KIND_ALPHA);
	sample_agg_list rows;
	int i;

	(void)state;
	empty_table();
	s.label = corm_str_of("x");
	OK(sample_insert(db, &s));
	for (i = 0; i < 2; i++) {
		const corm_str list[3] = {good, bad[i], good};
		corm_str b = bad[i];
		sample_query *q;
		int rc;

		q = new_query();
		sample_where(q, sample_eq(q, SAMPLE_GRP, b));
		expect_bad_pred(q, "eq");
		q = new_query();
		sample_where(q, sample_lt(q, SAMPLE_LABEL, b));
		expect_bad_pred(q, "lt");
		q = new_query();
		sample_where(q, sample_between(q, SAMPLE_GRP, b, good));
		expect_bad_pred(q, "between low");
		q = new_query();
		sample_where(q, sample_between(q, SAMPLE_GRP, good, b));
		expect_bad_pred(q, "between high");
		q = new_query();
		sample_where(q, sample_in(q, SAMPLE_GRP, list, 3));
		expect_bad_pred(q, "in");
		q = new_query();
		sample_where(q, sample_like(q, SAMPLE_GRP, b));
		expect_bad_pred(q, "like");
		q = new_query();
		sample_where(q, sample_starts_with(q, SAMPLE_GRP, b));
		expect_bad_pred(q, "starts_with");
		q = new_query();
		sample_where(q, sample_ends_with(q, SAMPLE_LABEL, b));
		expect_bad_pred(q, "ends_with");
		q = new_query();
		sample_where(q, sample_contains(q, SAMPLE_GRP, b));
		expect_bad_pred(q, "contains");
		/* HAVING: over a grouped field and over MIN of text. */
		q = new_query();
		sample_group_by(q, SAMPLE_GRP);
		sample_agg_count(q);
		sample_having(q, sample_eq(q, SAMPLE_GRP, b));
		rc = sample_query_aggregates(&rows, q);
		assert_int_equal(rc, CORM_EINVAL);
		assert_non_null(strstr(corm_errmsg(db), "grp"));
		sample_query_free(q);
		q = new_query();
		sample_having(q, sample_having_gt(q,
			sample_agg_min(q, SAMPLE_LABEL), b));
		rc = sample_query_aggregates(&rows, q);
		assert_int_equal(rc, CORM_EINVAL);
		assert_non_null(strstr(corm_errmsg(db), "label"));
		sample_query_free(q);
	}
}

/* string(N) limits what is written, not what is compared: a longer
 * predicate value runs and matches nothing. */
static void test_aggregate__predicate_text_longer_than_string_n_runs(
	void **state)
{
	const corm_str longer = CORM_STR("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"); /* 30 */
	const corm_str list[2] = {longer, CORM_STR("zz")};
	const corm_str a = CORM_STR("a");
	sample s = new_sample("a", KIND_ALPHA);
	sample_query *q;
	sample_agg_list rows;
	int64_t n;

	(void)state;
	empty_table();
	OK(sample_insert(db, &s));
	q = new_query();
	sample_where(q, sample_eq(q, SAMPLE_GRP, longer));
	OK(sample_query_count(&n, q));
	assert_int_equal(n, 0);
	sample_query_free(q);
	q = new_query();
	sample_where(q, sample_in(q, SAMPLE_GRP, list, 2));
	OK(sample_query_count(&n, q));
	assert_int_equal(n, 0);
	sample_query_free(q);
	q = new_query();
	sample_where(q, sample_like(q, SAMPLE_GRP, longer));
	OK(sample_query_count(&n, q));
	assert_int_equal(n, 0);
	sample_query_free(q);
	/* ... and a longer text that orders after "a" still compares. */
	q = new_query();
	sample_where(q, sample_between(q, SAMPLE_GRP, a, longer));
	OK(sample_query_count(&n, q));
	assert_int_equal(n, 1);
	sample_query_free(q);
	q = new_query();
	sample_having(q, sample_having_eq(q, sample_agg_min(q, SAMPLE_GRP),
		longer));
	OK(sample_query_aggregates(&rows, q));
	assert_int_equal(rows.count, 0);
	sample_agg_list_free(&rows);
	sample_query_free(q);
}

/* HAVING over a grouped text field (MariaDB refused it: the GROUP BY is
 * CAST(grp AS BINARY) there), bytes compared as everywhere. */
static size_t having_groups(sample_pred *(*make)(sample_query *q))
{
	sample_query *q = new_query();
	sample_agg_list rows;
	size_t n;

	sample_group_by(q, SAMPLE_GRP);
	sample_agg_count(q);
	sample_having(q, make(q));
	OK(sample_query_aggregates(&rows, q));
	n = rows.count;
	sample_agg_list_free(&rows);
	sample_query_free(q);
	return n;
}

static sample_pred *grp_eq_a(sample_query *q)
{
	return sample_eq(q, SAMPLE_GRP, CORM_STR("a"));
}

static sample_pred *grp_in(sample_query *q)
{
	static const corm_str list[] = {CORM_STR("a "), CORM_STR("b"),
		CORM_STR("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")};

	return sample_in(q, SAMPLE_GRP, list, 3);
}

static sample_pred *grp_starts_with_a(sample_query *q)
{
	return sample_starts_with(q, SAMPLE_GRP, CORM_STR("a"));
}

static sample_pred *grp_gt_a(sample_query *q)
{
	return sample_gt(q, SAMPLE_GRP, CORM_STR("a"));
}

static sample_pred *grp_eq_longer(sample_query *q)
{
	return sample_eq(q, SAMPLE_GRP,
		CORM_STR("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
}

static sample_pred *grp_not_null(sample_query *q)
{
	return sample_is_not_null(q, SAMPLE_GRP);
}

static void test_aggregate__having_on_a_grouped_text_field(void **state)
{
	static const char *const names[] = {"a", "a ", "a\t", "b"};
	size_t i;

	(void)state;
	empty_table();
	for (i = 0; i < 4; i++) {
		sample s = new_sample(names[i], KIND_ALPHA);

		OK(sample_insert(db, &s));
		OK(sample_insert(db, &s));
	}
	assert_int_equal(having_groups(grp_eq_a), 1);
	assert_int_equal(having_groups(grp_in), 2);
	assert_int_equal(having_groups(grp_starts_with_a), 3);
	assert_int_equal(having_groups(grp_gt_a), 3);
	assert_int_equal(having_groups(grp_eq_longer), 0);
	assert_int_equal(having_groups(grp_not_null), 4);
}

static int setup(void **state)
{
	(void)state;
	if (corm_conn_open(&db, engine.url) != CORM_OK)
		return -1;
	return test_create_tables(db, "aggregate.corm") == CORM_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	corm_conn_close(db);
	return 0;
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_aggregate__sum_of_2_60_plus_k_is_exact),
		cmocka_unit_test(test_aggregate__sum_past_int64_is_erange),
		cmocka_unit_test(test_aggregate__every_type_matches_brute_force),
		cmocka_unit_test(
			test_aggregate__several_with_having_and_order_by_aggregate),
		cmocka_unit_test(test_aggregate__order_by_aggregates_with_nulls),
		cmocka_unit_test(
			test_aggregate__no_rows_gives_one_row_of_nulls_and_zero),
		cmocka_unit_test(test_aggregate__mistakes_fail_when_run),
		cmocka_unit_test(
			test_aggregate__decimal_sums_are_exact_and_min_max_by_value),
		cmocka_unit_test(test_aggregate__f32_aggregates_are_the_stored_float),
		cmocka_unit_test(test_aggregate__f32_exact_sum_is_bit_for_bit),
		cmocka_unit_test(
			test_aggregate__i64_sum_exact_past_a_running_overflow),
		cmocka_unit_test(
			test_aggregate__predicate_text_must_be_utf8_without_nul),
		cmocka_unit_test(
			test_aggregate__predicate_text_longer_than_string_n_runs),
		cmocka_unit_test(test_aggregate__having_on_a_grouped_text_field),
	};
	int rc = test_engine_init(&engine, "test_aggregate",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
