/*
 * test_in_list.c — IN lists and relation loads of any length, on a real
 * engine (in_list.corm): in() with 100,000 integers and 100,000 strings
 * (quotes, backslashes, commas, braces, Unicode, the empty string,
 * trailing blanks), in() on a column of every type, two lists of 40,000
 * in one query, each compared with the answer a brute-force C loop
 * gives; belongs-to, has-many and many-to-many loads of 100,000 distinct
 * keys in one statement each; and a statement over the engine's
 * parameter limit refused with CORM_ETOOLONG before it is sent.
 * Usage: test_in_list sqlite|postgres|mysql
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
#include "engine.h"
#include "tables.h"
#include "in_list.h"

static test_engine engine;
static corm_conn *db;

#define OK(call)                                                             \
	do {                                                                     \
		int rc_ = (call);                                                    \
		if (rc_ != CORM_OK)                                                  \
			fail_msg("%s -> %s: %s", #call, corm_strerror(rc_),              \
				corm_errmsg(db));                                            \
	} while (0)

#define NITEMS 30000   /* ids 1 .. NITEMS */
#define NBOXES 20000   /* ids 5, 10, .. 5 * NBOXES */
#define NSHELVES 2000  /* codes code_of(0 .. NSHELVES - 1) */
#define NTAGS 10       /* ids 1 .. NTAGS */
#define NKEYS 100000

/* ------------------------------------------------------------------ data */

/* Suffixes that an array literal, JSON or SQL would trip over. */
static const char *const suffixes[] = {"", " ", "  ", "\"", "\\", ",", "{",
	"}", "{}", "'", "\xC3\xA9", "\xF0\x9F\x98\x80", "NULL", "a,b", "\\\"",
	"\t", "\x01", "[1]", "$1", "?", "%_"};
#define NSUFFIXES (sizeof(suffixes) / sizeof(*suffixes))

/* Text made by the tests, freed at teardown. */
static char **texts;
static size_t ntexts, captexts;

static const char *keep(const char *s)
{
	char *copy = strdup(s);

	assert_non_null(copy);
	if (ntexts == captexts) {
		captexts = captexts ? captexts * 2 : 1024;
		texts = realloc(texts, captexts * sizeof(*texts));
		assert_non_null(texts);
	}
	texts[ntexts++] = copy;
	return copy;
}

/* The name of item i: "" for the first, else "k<i>" and a suffix. */
static corm_str name_of(int i)
{
	char buf[64];

	if (i == 0)
		return CORM_STR("");
	snprintf(buf, sizeof(buf), "k%d%s", i, suffixes[i % NSUFFIXES]);
	return corm_str_of(keep(buf));
}

static corm_str code_of(int k)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "s%d%s", k, suffixes[(k * 7) % NSUFFIXES]);
	return corm_str_of(keep(buf));
}

static bool item_has_box(int i)
{
	return i % 10 != 9;
}

static int64_t box_of(int i)
{
	return 5 * ((int64_t)(i * 7 % NBOXES) + 1);
}

static bool item_has_shelf(int i)
{
	return i % 4 != 3;
}

/* Tags of box 5k: two for every third box, none for the others. */
static int tags_of(int k, int64_t tag[2])
{
	if (k % 3)
		return 0;
	tag[0] = k % NTAGS + 1;
	tag[1] = (k + 1) % NTAGS + 1;
	return 2;
}

static item items[NITEMS]; /* as inserted; items[i].id == i + 1 */
static unsigned char blobs[NITEMS][4];

static void make_item(item *it, int i)
{
	char buf[64];

	item_init(it);
	it->id = i + 1;
	if (item_has_box(i)) {
		it->has_box_id = true;
		it->box_id = box_of(i);
	}
	if (item_has_shelf(i))
		it->shelf_id = code_of(i % NSHELVES);
	it->small = (int16_t)(i * 37 % 65536 - 32768);
	it->num = (int32_t)((uint32_t)i * 2654435761u);
	it->ratio = (float)i / 7.0f;
	it->precise = i * 0.1;
	it->flag = i % 3 == 0;
	it->name = name_of(i);
	snprintf(buf, sizeof(buf), "body %d%s", i % 5000,
		suffixes[i % NSUFFIXES]);
	it->body = corm_str_of(keep(buf));
	blobs[i][0] = (unsigned char)i;
	blobs[i][1] = 0;
	blobs[i][2] = (unsigned char)(i >> 8);
	blobs[i][3] = 0xff;
	it->blob = (corm_bytes){blobs[i], 4};
	snprintf(buf, sizeof(buf), "%d.%06d", i, i * 13 % 1000000);
	it->price = corm_str_of(keep(buf));
	it->day = (corm_date){2000 + i % 30, 1 + i % 12, 1 + i % 28};
	it->clock = (corm_time){i % 24, i % 60, i * 7 % 60, i * 1001 % 1000000};
	it->stamp = (corm_timestamp){1700000000000000 + (int64_t)i * 1234567};
	memset(it->uid.bytes, 0, sizeof(it->uid.bytes));
	memcpy(it->uid.bytes, &i, sizeof(i));
	it->uid.bytes[6] = 0x40;
	it->uid.bytes[8] = 0x80;
	it->tint = (tint)(i % 3);
}

static void load_data(void)
{
	box *boxes = calloc(NBOXES, sizeof(*boxes));
	shelf *shelves = calloc(NSHELVES, sizeof(*shelves));
	box_tag *links = calloc(2 * NBOXES, sizeof(*links));
	tag tags[NTAGS];
	size_t nlinks = 0;
	int i;

	assert_non_null(boxes);
	assert_non_null(shelves);
	assert_non_null(links);
	if (test_create_tables(db, "in_list.corm") != CORM_OK)
		fail_msg("could not create the in_list tables");
	for (i = 0; i < NBOXES; i++) {
		box_init(&boxes[i]);
		boxes[i].id = 5 * (int64_t)(i + 1);
		boxes[i].label = CORM_STR("box");
	}
	for (i = 0; i < NSHELVES; i++) {
		shelf_init(&shelves[i]);
		shelves[i].code = code_of(i);
	}
	for (i = 0; i < NTAGS; i++) {
		tag_init(&tags[i]);
		tags[i].id = i + 1;
		tags[i].name = CORM_STR("tag");
	}
	for (i = 1; i <= NBOXES; i++) {
		int64_t t[2];
		int j, n = tags_of(i, t);

		for (j = 0; j < n; j++) {
			box_tag_init(&links[nlinks]);
			links[nlinks].box_id = 5 * (int64_t)i;
			links[nlinks++].tag_id = t[j];
		}
	}
	for (i = 0; i < NITEMS; i++)
		make_item(&items[i], i);
	OK(box_insert_many(db, boxes, NBOXES));
	OK(shelf_insert_many(db, shelves, NSHELVES));
	OK(tag_insert_many(db, tags, NTAGS));
	OK(box_tag_insert_many(db, links, nlinks));
	OK(item_insert_many(db, items, NITEMS));
	free(boxes);
	free(shelves);
	free(links);
}

static int setup(void **state)
{
	(void)state;
	if (corm_conn_open(&db, engine.url) != CORM_OK)
		return -1;
	load_data();
	return 0;
}

static int teardown(void **state)
{
	size_t i;

	(void)state;
	corm_conn_close(db);
	for (i = 0; i < ntexts; i++)
		free(texts[i]);
	free(texts);
	return 0;
}

/* ------------------------------------------------------------- helpers */

/* Run `q` (its where set) and check it returns exactly the items whose
 * want[i] is set, then free it. */
static void expect_items(item_query *q, const bool *want)
{
	item_list got;
	bool *seen = calloc(NITEMS, sizeof(*seen));
	size_t i, nwant = 0;

	assert_non_null(seen);
	item_select(q, ITEM_ID);
	OK(item_query_all(&got, q));
	for (i = 0; i < got.count; i++) {
		int64_t id = got.items[i].id;

		assert_true(id >= 1 && id <= NITEMS);
		if (!want[id - 1])
			fail_msg("item %lld matched, and should not",
				(long long)id);
		assert_false(seen[id - 1]);
		seen[id - 1] = true;
	}
	for (i = 0; i < NITEMS; i++)
		nwant += want[i];
	assert_int_equal(got.count, nwant);
	item_list_free(&got);
	item_query_free(q);
	free(seen);
}

static int str_cmp(const corm_str *a, const corm_str *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->ptr, b->ptr, n) : 0;

	return c ? c : (a->len > b->len) - (a->len < b->len);
}

static int str_cmp_qsort(const void *a, const void *b)
{
	return str_cmp(a, b);
}

/* ---------------------------------------------------------------- in() */

static void test_in_list__100000_integers_match_a_brute_force_answer(
	void **state)
{
	int64_t *v = malloc(NKEYS * sizeof(*v));
	bool *want = calloc(NITEMS, sizeof(*want));
	item_query *q = NULL;
	size_t j;

	(void)state;
	assert_non_null(v);
	assert_non_null(want);
	for (j = 0; j < NKEYS; j++)
		v[j] = (int64_t)(j * 7919 % 60001) - 10000;
	v[0] = INT64_MIN;
	v[1] = INT64_MAX;
	for (j = 0; j < NKEYS; j++)
		if (v[j] >= 1 && v[j] <= NITEMS)
			want[v[j] - 1] = true;
	OK(item_query_new(&q, db));
	item_where(q, item_in(q, ITEM_ID, v, NKEYS));
	expect_items(q, want);
	free(want);
	free(v);
}

static void test_in_list__100000_strings_match_by_their_bytes(void **state)
{
	corm_str *v = malloc(NKEYS * sizeof(*v));
	bool *want = calloc(NITEMS, sizeof(*want));
	item_query *q = NULL;
	size_t j;
	int i;

	(void)state;
	assert_non_null(v);
	assert_non_null(want);
	for (j = 0; j < NKEYS; j++) {
		corm_str s = name_of((int)(j % 45000));
		char buf[80];

		if (j % 3 == 1) {
			/* A trailing blank more: equal only under padding. */
			snprintf(buf, sizeof(buf), "%.*s ", (int)s.len, s.ptr);
			s = corm_str_of(keep(buf));
		} else if (j % 3 == 2 && s.len > 1) {
			/* The same text without its last byte (or blank). */
			snprintf(buf, sizeof(buf), "%.*s", (int)s.len - 1, s.ptr);
			if ((unsigned char)buf[s.len - 2] < 0x80)
				s = corm_str_of(keep(buf));
		}
		v[j] = s;
	}
	/* The brute-force answer: every name looked up in the sorted list. */
	{
		corm_str *sorted = malloc(NKEYS * sizeof(*sorted));

		assert_non_null(sorted);
		memcpy(sorted, v, NKEYS * sizeof(*v));
		qsort(sorted, NKEYS, sizeof(*sorted), str_cmp_qsort);
		for (i = 0; i < NITEMS; i++)
			want[i] = bsearch(&items[i].name, sorted, NKEYS,
				sizeof(*sorted), str_cmp_qsort) != NULL;
		free(sorted);
	}
	OK(item_query_new(&q, db));
	item_where(q, item_in(q, ITEM_NAME, v, NKEYS));
	expect_items(q, want);
	free(want);
	free(v);
}

/* Items whose value of a field (read by `same`) equals one of items
 * picked by i % 97 == 0, or of `nmiss` values that no item holds. */
#define EVERY 97

static void test_in_list__every_column_type_compares_exactly(void **state)
{
	bool *want = calloc(NITEMS, sizeof(*want));
	size_t n = 0, i, j, cap = NITEMS / EVERY + 8;
	item_query *q = NULL;

	(void)state;
	assert_non_null(want);

	/* One block per type: the values of the picked items, a miss or two,
	 * the query, and the brute-force answer with C's ==. */
#define PICK(type, member, ...)                                              \
	do {                                                                     \
		type *v = calloc(cap, sizeof(type));                                 \
		const type misses[] = {__VA_ARGS__};                                 \
		assert_non_null(v);                                                  \
		for (n = 0, i = 0; i < NITEMS; i += EVERY)                           \
			v[n++] = items[i].member;                                        \
		for (j = 0; j < sizeof(misses) / sizeof(*misses); j++)               \
			v[n++] = misses[j];                                              \
		for (i = 0; i < NITEMS; i++) {                                       \
			want[i] = false;                                                 \
			for (j = 0; j < n && !want[i]; j++)                              \
				want[i] = SAME(items[i].member, v[j]);                       \
		}                                                                    \
		OK(item_query_new(&q, db));                                          \
		item_where(q, item_in(q, ITEM_##member, v, n));                      \
		expect_items(q, want);                                               \
		free(v);                                                             \
	} while (0)
#define SAME(a, b) ((a) == (b))
/* ITEM_##member: the column constants are in capitals. */
#define ITEM_small ITEM_SMALL
#define ITEM_num ITEM_NUM
#define ITEM_ratio ITEM_RATIO
#define ITEM_precise ITEM_PRECISE
#define ITEM_flag ITEM_FLAG
#define ITEM_tint ITEM_TINT
#define ITEM_name ITEM_NAME
#define ITEM_body ITEM_BODY
#define ITEM_blob ITEM_BLOB
#define ITEM_price ITEM_PRICE
#define ITEM_day ITEM_DAY
#define ITEM_clock ITEM_CLOCK
#define ITEM_stamp ITEM_STAMP
#define ITEM_uid ITEM_UID
	PICK(int16_t, small, INT16_MIN, INT16_MAX);
	PICK(int32_t, num, INT32_MIN, 12345);
	PICK(float, ratio, 0.1f, 1.0f / 3.0f);
	PICK(double, precise, 0.1 + 0.2, 1e300, -0.5);
	PICK(bool, flag, true);
	PICK(tint, tint, TINT_BLUE);
#undef SAME
#define SAME(a, b) (str_cmp(&(a), &(b)) == 0)
	PICK(corm_str, name, CORM_STR("k1 "), CORM_STR("K1"));
	PICK(corm_str, body, CORM_STR("body 1 "), CORM_STR("\xE2\x82\xAC"));
	PICK(corm_str, price, CORM_STR("1.000014"), CORM_STR("99999.5"));
#undef SAME
#define SAME(a, b)                                                           \
	((a).len == (b).len && memcmp((a).ptr, (b).ptr, (a).len) == 0)
	PICK(corm_bytes, blob, ((corm_bytes){(const unsigned char *)"\0\0", 2}),
		((corm_bytes){(const unsigned char *)"", 0}));
#undef SAME
#define SAME(a, b) (memcmp(&(a), &(b), sizeof(a)) == 0)
	PICK(corm_date, day, ((corm_date){1999, 12, 31}));
	PICK(corm_time, clock, ((corm_time){23, 59, 59, 999999}));
	PICK(corm_timestamp, stamp, ((corm_timestamp){1}));
	PICK(corm_uuid, uid, ((corm_uuid){{0xff}}));
#undef SAME
#undef PICK
	free(want);
}

static void test_in_list__two_lists_of_40000_in_one_query(void **state)
{
	const size_t n = 40000;
	int64_t *ids = malloc(n * sizeof(*ids));
	corm_str *names = malloc(n * sizeof(*names));
	bool *want = calloc(NITEMS, sizeof(*want));
	item_query *q = NULL;
	size_t j;

	(void)state;
	assert_non_null(ids);
	assert_non_null(names);
	assert_non_null(want);
	for (j = 0; j < n; j++) {
		ids[j] = 3 * (int64_t)j + 1;
		names[j] = name_of((int)(5 * j));
	}
	for (j = 0; j < n; j++) {
		if (ids[j] <= NITEMS)
			want[ids[j] - 1] = true;
		if (5 * j < NITEMS)
			want[5 * j] = true; /* item 5j is named name_of(5j) */
	}
	OK(item_query_new(&q, db));
	item_where(q, item_or(q, item_in(q, ITEM_ID, ids, n),
		item_in(q, ITEM_NAME, names, n)));
	expect_items(q, want);
	free(want);
	free(names);
	free(ids);
}

/* A statement binding more parameters than the engine takes fails with
 * CORM_ETOOLONG before it is sent; the connection goes on. */
static void test_in_list__a_statement_over_the_parameter_limit_is_refused(
	void **state)
{
	int limit = corm_conn_max_params(db);
	size_t n = (size_t)limit + 1, i, step;
	item_query *q = NULL;
	item_pred **p = malloc(n * sizeof(*p));
	int64_t count = -1;

	(void)state;
	assert_non_null(p);
	if (strcmp(engine.name, "sqlite") == 0)
		assert_true(limit >= 999);
	else
		assert_int_equal(limit, 65535);
	OK(item_query_new(&q, db));
	/* limit + 1 comparisons, ORed as a balanced tree. */
	for (i = 0; i < n; i++)
		p[i] = item_eq(q, ITEM_ID, (int64_t)i);
	for (step = 1; step < n; step *= 2)
		for (i = 0; i + step < n; i += 2 * step)
			p[i] = item_or(q, p[i], p[i + step]);
	item_where(q, p[0]);
	assert_int_equal(item_query_count(&count, q), CORM_ETOOLONG);
	assert_non_null(strstr(corm_errmsg(db), "parameters"));
	item_query_free(q);
	free(p);

	/* Exactly the limit runs: id = 1 AND (num = 0 OR .. OR num = limit
	 * - 2), the comparisons made for one row only (item 1's num is 0);
	 * on SQLite, whose planner takes minutes over 250,000 ORs, AND
	 * precise IN (0, 1, ..), doubles bound one by one. */
	OK(item_query_new(&q, db));
	p = malloc((size_t)limit * sizeof(*p));
	assert_non_null(p);
	n = (size_t)limit - 1;
	if (strcmp(engine.name, "sqlite") == 0) {
		double *v = malloc(n * sizeof(*v));

		assert_non_null(v);
		for (i = 0; i < n; i++)
			v[i] = (double)i;
		p[0] = item_in(q, ITEM_PRECISE, v, n);
		free(v);
	} else {
		for (i = 0; i < n; i++)
			p[i] = item_eq(q, ITEM_NUM, (int32_t)i);
		for (step = 1; step < n; step *= 2)
			for (i = 0; i + step < n; i += 2 * step)
				p[i] = item_or(q, p[i], p[i + step]);
	}
	item_where(q, item_and(q, item_eq(q, ITEM_ID, (int64_t)1), p[0]));
	OK(item_query_count(&count, q));
	assert_int_equal(count, 1);
	item_query_free(q);
	free(p);
}

/* Types bound value by value (SQLite's doubles, MariaDB's decimals) are
 * limited by the parameter limit, and say so. */
static void test_in_list__a_list_bound_value_by_value_stops_at_the_limit(
	void **state)
{
	size_t n = (size_t)corm_conn_max_params(db) + 1, i;
	item_query *q = NULL;
	int64_t count;

	(void)state;
	OK(item_query_new(&q, db));
	if (strcmp(engine.name, "mysql") == 0) {
		corm_str *v = malloc(n * sizeof(*v));

		assert_non_null(v);
		for (i = 0; i < n; i++)
			v[i] = CORM_STR("1.5");
		item_where(q, item_in(q, ITEM_PRICE, v, n));
		free(v);
	} else {
		double *v = malloc(n * sizeof(*v));

		assert_non_null(v);
		for (i = 0; i < n; i++)
			v[i] = (double)i;
		item_where(q, item_in(q, ITEM_PRECISE, v, n));
		free(v);
	}
	if (strcmp(engine.name, "postgres") == 0)
		OK(item_query_count(&count, q)); /* an array: no limit */
	else
		assert_int_equal(item_query_count(&count, q), CORM_ETOOLONG);
	item_query_free(q);
}

/* A hand-written statement of n parameters: "SELECT 1 WHERE 1 IN (?, ..)"
 * prepared, bound and run, or the error preparing it gave. */
static int run_wide_statement(int n)
{
	corm_buf sql = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	const corm_dialect *d = corm_conn_dialect(db);
	int64_t one = 0;
	int i, error;

	corm_buf_puts(&sql, "SELECT 1 WHERE 1 IN (");
	for (i = 1; i <= n; i++) {
		if (i > 1)
			corm_buf_putc(&sql, ',');
		corm_dialect_placeholder(&sql, d, i);
		if (d->placeholder == CORM_PLACEHOLDER_DOLLAR)
			corm_buf_puts(&sql, "::int");
	}
	corm_buf_putc(&sql, ')');
	assert_int_equal(corm_buf_error(&sql), CORM_OK);
	error = corm_stmt_prepare(&st, db, corm_buf_cstr(&sql));
	corm_buf_free(&sql);
	if (error)
		return error;
	assert_int_equal(corm_stmt_param_count(st), n);
	for (i = 1; i <= n; i++)
		OK(corm_bind_int64(st, i, 1));
	assert_int_equal(corm_step(st), CORM_ROW);
	OK(corm_column_int64(&one, st, 0));
	assert_int_equal(one, 1);
	assert_int_equal(corm_step(st), CORM_DONE);
	corm_stmt_free(st);
	return CORM_OK;
}

/* libpq releases before 15.x's late minors lose the connection when a
 * statement of 7,499 parameters or more is described: the driver does
 * not describe those. Past 65,535 the Bind message cannot carry them. */
static void test_in_list__postgres_statements_of_7499_to_65535_parameters(
	void **state)
{
	static const int ok[] = {7498, 7499, 20000, 65535};
	size_t i;

	(void)state;
	if (strcmp(engine.name, "postgres") != 0)
		return; /* the describe path is PostgreSQL's */
	for (i = 0; i < sizeof(ok) / sizeof(*ok); i++)
		OK(run_wide_statement(ok[i]));
	assert_int_equal(run_wide_statement(65536), CORM_ETOOLONG);
	OK(run_wide_statement(3)); /* the connection goes on */
}

/* ---------------------------------------------------------- relations */

static void test_in_list__belongs_to_100000_keys_in_one_statement(
	void **state)
{
	item *rows = calloc(NKEYS, sizeof(*rows));
	const box **each = calloc(NKEYS, sizeof(*each));
	box_list bl;
	unsigned long before;
	size_t k;

	(void)state;
	assert_non_null(rows);
	assert_non_null(each);
	for (k = 0; k < NKEYS; k++) {
		rows[k].has_box_id = true;
		rows[k].box_id = (int64_t)k + 1;
	}
	before = corm_rel__statements();
	OK(item_load_box(&bl, each, rows, NKEYS, db));
	assert_int_equal(corm_rel__statements() - before, 1);
	assert_int_equal(bl.count, NBOXES);
	for (k = 0; k < NKEYS; k++) {
		if ((k + 1) % 5) {
			assert_null(each[k]);
			continue;
		}
		assert_non_null(each[k]);
		assert_int_equal(each[k]->id, (int64_t)k + 1);
	}
	box_list_free(&bl);
	free(each);
	free(rows);
}

static void test_in_list__belongs_to_100000_text_keys_in_one_statement(
	void **state)
{
	item *rows = calloc(NKEYS, sizeof(*rows));
	const shelf **each = calloc(NKEYS, sizeof(*each));
	shelf_list sl;
	unsigned long before;
	size_t k;

	(void)state;
	assert_non_null(rows);
	assert_non_null(each);
	for (k = 0; k < NKEYS; k++)
		rows[k].shelf_id = code_of((int)k);
	before = corm_rel__statements();
	OK(item_load_shelf(&sl, each, rows, NKEYS, db));
	assert_int_equal(corm_rel__statements() - before, 1);
	assert_int_equal(sl.count, NSHELVES);
	for (k = 0; k < NKEYS; k++) {
		if (k >= NSHELVES) {
			assert_null(each[k]);
			continue;
		}
		assert_non_null(each[k]);
		assert_int_equal(str_cmp(&each[k]->code, &rows[k].shelf_id), 0);
	}
	shelf_list_free(&sl);
	free(each);
	free(rows);
}

static void test_in_list__has_many_100000_keys_in_one_statement(
	void **state)
{
	box *rows = calloc(NKEYS, sizeof(*rows));
	size_t *first = calloc(NKEYS, sizeof(*first));
	size_t *count = calloc(NKEYS, sizeof(*count));
	size_t *want = calloc(NKEYS + 1, sizeof(*want));
	item_list il;
	unsigned long before;
	size_t k, c;
	int i;

	(void)state;
	assert_non_null(rows);
	assert_non_null(first);
	assert_non_null(count);
	assert_non_null(want);
	for (k = 0; k < NKEYS; k++)
		rows[k].id = (int64_t)k + 1;
	for (i = 0; i < NITEMS; i++)
		if (item_has_box(i))
			want[box_of(i)]++;
	before = corm_rel__statements();
	OK(box_load_items(&il, first, count, rows, NKEYS, db));
	assert_int_equal(corm_rel__statements() - before, 1);
	for (k = 0; k < NKEYS; k++) {
		assert_int_equal(count[k], want[k + 1]);
		for (c = 0; c < count[k]; c++) {
			const item *it = &il.items[first[k] + c];

			assert_true(it->has_box_id);
			assert_int_equal(it->box_id, rows[k].id);
			assert_int_equal(it->box_id, box_of((int)it->id - 1));
			if (c)
				assert_true(it[-1].id < it->id); /* by key */
		}
	}
	item_list_free(&il);
	free(want);
	free(count);
	free(first);
	free(rows);
}

static void test_in_list__many_to_many_100000_keys_in_one_statement(
	void **state)
{
	box *rows = calloc(NKEYS, sizeof(*rows));
	size_t *first = calloc(NKEYS, sizeof(*first));
	size_t *count = calloc(NKEYS, sizeof(*count));
	tag_list tl;
	unsigned long before;
	size_t k;

	(void)state;
	assert_non_null(rows);
	assert_non_null(first);
	assert_non_null(count);
	for (k = 0; k < NKEYS; k++)
		rows[k].id = (int64_t)k + 1;
	before = corm_rel__statements();
	OK(box_load_tags(&tl, first, count, rows, NKEYS, db));
	assert_int_equal(corm_rel__statements() - before, 1);
	for (k = 0; k < NKEYS; k++) {
		int64_t t[2] = {0, 0}, lo, hi;
		int n = (k + 1) % 5 ? 0 : tags_of((int)(k + 1) / 5, t);

		assert_int_equal(count[k], (size_t)n);
		if (!n)
			continue;
		lo = t[0] < t[1] ? t[0] : t[1];
		hi = t[0] < t[1] ? t[1] : t[0];
		assert_int_equal(tl.items[first[k]].id, lo); /* by key */
		assert_int_equal(tl.items[first[k] + 1].id, hi);
	}
	tag_list_free(&tl);
	free(count);
	free(first);
	free(rows);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_in_list__100000_integers_match_a_brute_force_answer),
		cmocka_unit_test(test_in_list__100000_strings_match_by_their_bytes),
		cmocka_unit_test(test_in_list__every_column_type_compares_exactly),
		cmocka_unit_test(test_in_list__two_lists_of_40000_in_one_query),
		cmocka_unit_test(
			test_in_list__a_statement_over_the_parameter_limit_is_refused),
		cmocka_unit_test(
			test_in_list__a_list_bound_value_by_value_stops_at_the_limit),
		cmocka_unit_test(
			test_in_list__postgres_statements_of_7499_to_65535_parameters),
		cmocka_unit_test(
			test_in_list__belongs_to_100000_keys_in_one_statement),
		cmocka_unit_test(
			test_in_list__belongs_to_100000_text_keys_in_one_statement),
		cmocka_unit_test(test_in_list__has_many_100000_keys_in_one_statement),
		cmocka_unit_test(
			test_in_list__many_to_many_100000_keys_in_one_statement),
	};
	int rc = test_engine_init(&engine, "test_in_list",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
