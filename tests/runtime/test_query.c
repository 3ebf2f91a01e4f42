/*
 * test_query.c — the typed query builders generated from blog.corm, run on
 * a real engine: every predicate, nesting, ordering with NULLs, paging,
 * counts, update/delete-where, column subsets, aggregates and streaming.
 * Results must be the same on every engine, so each test checks the exact
 * rows (by id) in the exact order. Values with quotes, %, _, !, backslashes
 * and Unicode go through every text path and match literally.
 * Usage: test_query sqlite|postgres|mysql
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blog.h"
#include "corm/driver.h"
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

/* ------------------------------------------------------------------ data */

/* Authors, inserted in this order: ids 1..N. */
static const struct {
	const char *email, *name, *bio; /* bio NULL: SQL NULL */
	double karma;
	bool active;
} authors[] = {
	{"ann@example.com", "Ann", NULL, 10, true},
	{"bob@example.com", "bob", "b", 5.5, false},
	{"100%_sure!@example.com", "\xC3\x9Cn\xC3\xAF 'q'", "", 10, true},
	{"carl@example.com", "Carl\\", NULL, -1, true},
	{"ANN@example.com", "ANN", "zzz", 0, false},
	{"dan@example.com", "Dan %", "x_y", 7, true},
};
#define NAUTHORS ((int)(sizeof(authors) / sizeof(authors[0])))

static int64_t ids[NAUTHORS];

static void load_data(void)
{
	int i, k;

	if (test_create_tables(db, "blog.corm") != CORM_OK)
		fail_msg("could not create the blog tables");
	for (i = 0; i < NAUTHORS; i++) {
		author a;

		author_init(&a);
		a.email = corm_str_of(authors[i].email);
		a.name = corm_str_of(authors[i].name);
		a.bio = corm_str_of(authors[i].bio);
		a.karma = authors[i].karma;
		a.active = authors[i].active;
		OK(author_insert(db, &a));
		ids[i] = a.id;
		/* i posts for author i: statuses draft, published, archived... */
		for (k = 0; k < i; k++) {
			post p;
			char title[32];

			post_init(&p);
			snprintf(title, sizeof(title), "post %d", k);
			p.author_id = a.id;
			p.title = corm_str_of(title);
			p.body = CORM_STR("body");
			p.status = (post_status)(k % 3);
			OK(post_insert(db, &p));
		}
	}
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
	(void)state;
	corm_conn_close(db);
	return 0;
}

/* Run q and check it returns exactly the authors at these indexes of
 * authors[], in this order (-1 ends the list). Frees q. */
static void expect_authors(author_query *q, const int *want)
{
	author_list list;
	size_t n = 0;

	if (author_query_all(&list, q) != CORM_OK)
		fail_msg("query %s: %s", author_query_sql(q), corm_errmsg(db));
	while (want[n] >= 0)
		n++;
	if (list.count != n)
		fail_msg("query %s: %zu rows, expected %zu", author_query_sql(q),
			list.count, n);
	for (n = 0; n < list.count; n++)
		if (list.items[n].id != ids[want[n]])
			fail_msg("query %s: row %zu is author %lld, expected %lld",
				author_query_sql(q), n, (long long)list.items[n].id,
				(long long)ids[want[n]]);
	author_list_free(&list);
	author_query_free(q);
}

static author_query *new_query(void)
{
	author_query *q = NULL;

	OK(author_query_new(&q, db));
	author_order_by(q, AUTHOR_ID, CORM_ASC);
	return q;
}

#define WANT(...) ((const int[]){__VA_ARGS__, -1})
#define NONE ((const int[]){-1})

/* ------------------------------------------------------------------ tests */

static void test_query__comparisons_on_numbers(void **state)
{
	author_query *q;

	(void)state;
	q = new_query();
	author_where(q, author_eq(q, AUTHOR_KARMA, 10.0));
	expect_authors(q, WANT(0, 2));
	q = new_query();
	author_where(q, author_ne(q, AUTHOR_KARMA, 10.0));
	expect_authors(q, WANT(1, 3, 4, 5));
	q = new_query();
	author_where(q, author_lt(q, AUTHOR_KARMA, 5.5));
	expect_authors(q, WANT(3, 4));
	q = new_query();
	author_where(q, author_le(q, AUTHOR_KARMA, 5.5));
	expect_authors(q, WANT(1, 3, 4));
	q = new_query();
	author_where(q, author_gt(q, AUTHOR_KARMA, 7.0));
	expect_authors(q, WANT(0, 2));
	q = new_query();
	author_where(q, author_ge(q, AUTHOR_KARMA, 7.0));
	expect_authors(q, WANT(0, 2, 5));
	q = new_query();
	author_where(q, author_between(q, AUTHOR_KARMA, 0.0, 7.0));
	expect_authors(q, WANT(1, 4, 5));
	q = new_query();
	author_where(q, author_eq(q, AUTHOR_ACTIVE, false));
	expect_authors(q, WANT(1, 4));
}

static void test_query__in_lists_including_empty(void **state)
{
	author_query *q;
	int64_t some[2];
	corm_str names[3] = {CORM_STR("bob"), CORM_STR("Carl\\"),
		CORM_STR("nobody")};

	(void)state;
	some[0] = ids[4];
	some[1] = ids[1];
	q = new_query();
	author_where(q, author_in(q, AUTHOR_ID, some, 2));
	expect_authors(q, WANT(1, 4));
	q = new_query();
	author_where(q, author_in(q, AUTHOR_NAME, names, 3));
	expect_authors(q, WANT(1, 3));
	q = new_query();
	author_where(q, author_in(q, AUTHOR_ID, some, 0));
	expect_authors(q, NONE);
}

static void test_query__text_equality_is_exact_and_case_sensitive(
	void **state)
{
	author_query *q;

	(void)state;
	q = new_query();
	author_where(q, author_eq(q, AUTHOR_NAME, CORM_STR("ANN")));
	expect_authors(q, WANT(4));
	q = new_query();
	author_where(q, author_eq(q, AUTHOR_NAME,
				CORM_STR("\xC3\x9Cn\xC3\xAF 'q'")));
	expect_authors(q, WANT(2));
	q = new_query();
	author_where(q, author_eq(q, AUTHOR_NAME, CORM_STR("Carl\\")));
	expect_authors(q, WANT(3));
	/* An injection attempt is just a value that matches nothing. */
	q = new_query();
	author_where(q, author_eq(q, AUTHOR_NAME,
				CORM_STR("x' OR '1'='1")));
	expect_authors(q, NONE);
}

static void test_query__matching_is_literal_and_case_sensitive(void **state)
{
	author_query *q;

	(void)state;
	q = new_query();
	author_where(q, author_starts_with(q, AUTHOR_EMAIL, CORM_STR("100%_")));
	expect_authors(q, WANT(2));
	q = new_query(); /* % in the text is not a wildcard */
	author_where(q, author_starts_with(q, AUTHOR_EMAIL, CORM_STR("1%")));
	expect_authors(q, NONE);
	q = new_query();
	author_where(q, author_contains(q, AUTHOR_EMAIL, CORM_STR("!@")));
	expect_authors(q, WANT(2));
	q = new_query(); /* _ is not a wildcard either */
	author_where(q, author_contains(q, AUTHOR_BIO, CORM_STR("_")));
	expect_authors(q, WANT(5));
	q = new_query();
	author_where(q, author_ends_with(q, AUTHOR_NAME, CORM_STR("\\")));
	expect_authors(q, WANT(3));
	q = new_query();
	author_where(q, author_ends_with(q, AUTHOR_NAME, CORM_STR(" %")));
	expect_authors(q, WANT(5));
	q = new_query(); /* case-sensitive on every engine */
	author_where(q, author_starts_with(q, AUTHOR_EMAIL, CORM_STR("ann")));
	expect_authors(q, WANT(0));
	q = new_query();
	author_where(q, author_contains(q, AUTHOR_NAME, CORM_STR("n\xC3\xAF")));
	expect_authors(q, WANT(2));
	/* like() takes a pattern: % and _ are wildcards, ! escapes. */
	q = new_query();
	author_where(q, author_like(q, AUTHOR_EMAIL, CORM_STR("_nn@%")));
	expect_authors(q, WANT(0));
	q = new_query();
	author_where(q, author_like(q, AUTHOR_EMAIL, CORM_STR("100!%!_sure%")));
	expect_authors(q, WANT(2));
}

static void test_query__and_or_not_nest(void **state)
{
	author_query *q;

	(void)state;
	/* (karma = 10 OR name = 'bob') AND NOT (active = false) */
	q = new_query();
	author_where(q, author_and(q,
		author_or(q, author_eq(q, AUTHOR_KARMA, 10.0),
			author_eq(q, AUTHOR_NAME, CORM_STR("bob"))),
		author_not(q, author_eq(q, AUTHOR_ACTIVE, false))));
	expect_authors(q, WANT(0, 2));
	/* where() twice ANDs. */
	q = new_query();
	author_where(q, author_ge(q, AUTHOR_KARMA, 0.0));
	author_where(q, author_is_null(q, AUTHOR_BIO));
	expect_authors(q, WANT(0));
	q = new_query();
	author_where(q, author_is_not_null(q, AUTHOR_BIO));
	expect_authors(q, WANT(1, 2, 4, 5));
}

static void test_query__order_by_several_columns_with_nulls(void **state)
{
	author_query *q = NULL;

	(void)state;
	/* karma DESC, then name ascending by bytes ("ANN" < "Ann"). */
	OK(author_query_new(&q, db));
	author_order_by(q, AUTHOR_KARMA, CORM_DESC);
	author_order_by(q, AUTHOR_NAME, CORM_ASC);
	expect_authors(q, WANT(0, 2, 5, 1, 4, 3));
	/* NULLs last by default when ascending... */
	OK(author_query_new(&q, db));
	author_order_by(q, AUTHOR_BIO, CORM_ASC);
	author_order_by(q, AUTHOR_ID, CORM_ASC);
	expect_authors(q, WANT(2, 1, 5, 4, 0, 3));
	/* ...and first when asked. */
	OK(author_query_new(&q, db));
	author_order_by(q, AUTHOR_BIO, CORM_ASC | CORM_NULLS_FIRST);
	author_order_by(q, AUTHOR_ID, CORM_DESC);
	expect_authors(q, WANT(3, 0, 2, 1, 5, 4));
	/* Descending puts NULLs first unless told otherwise. */
	OK(author_query_new(&q, db));
	author_order_by(q, AUTHOR_BIO, CORM_DESC | CORM_NULLS_LAST);
	author_order_by(q, AUTHOR_ID, CORM_ASC);
	expect_authors(q, WANT(4, 5, 1, 2, 0, 3));
}

static void test_query__limit_offset_distinct_count_exists(void **state)
{
	author_query *q = NULL;
	int64_t n;
	bool yes;

	(void)state;
	q = new_query();
	author_limit(q, 2);
	author_offset(q, 1);
	expect_authors(q, WANT(1, 2));
	q = new_query();
	author_offset(q, 4);
	expect_authors(q, WANT(4, 5));
	OK(author_query_new(&q, db));
	author_where(q, author_eq(q, AUTHOR_ACTIVE, true));
	OK(author_query_count(&n, q));
	assert_int_equal(n, 4);
	author_limit(q, 3);
	OK(author_query_count(&n, q));
	assert_int_equal(n, 3);
	OK(author_query_exists(&yes, q));
	assert_true(yes);
	author_query_free(q);
	OK(author_query_new(&q, db));
	author_where(q, author_gt(q, AUTHOR_KARMA, 100.0));
	OK(author_query_exists(&yes, q));
	assert_false(yes);
	author_query_free(q);
	/* DISTINCT over one selected column. */
	OK(author_query_new(&q, db));
	author_select(q, AUTHOR_KARMA);
	author_distinct(q);
	OK(author_query_count(&n, q));
	assert_int_equal(n, 5);
	author_query_free(q);
}

/* Issue 12: DISTINCT with an ORDER BY on text or an enum failed on
 * PostgreSQL (42P10: the COLLATE "C" expression is not selected). The
 * same rows in the same order everywhere, LIMIT/OFFSET too; enums sort by
 * their member's name (bytes), not by declaration order. */
static void test_query__distinct_ordered_by_text_and_enum(void **state)
{
	static const char *const by_name[] = {"ANN", "Ann", "Carl\\",
		"Dan %", "bob", "\xC3\x9Cn\xC3\xAF 'q'"};
	static const post_status by_status[] = {POST_STATUS_ARCHIVED,
		POST_STATUS_DRAFT, POST_STATUS_PUBLISHED};
	author_query *q = NULL;
	post_query *pq = NULL;
	author_list al;
	post_list pl;
	size_t i;

	(void)state;
	OK(author_query_new(&q, db));
	author_select(q, AUTHOR_NAME);
	author_distinct(q);
	author_order_by(q, AUTHOR_NAME, CORM_DESC);
	author_limit(q, 3);
	author_offset(q, 1);
	OK(author_query_all(&al, q));
	assert_int_equal(al.count, 3);
	for (i = 0; i < al.count; i++)
		assert_string_equal(al.items[i].name.ptr, by_name[4 - i]);
	author_list_free(&al);
	author_query_free(q);

	OK(post_query_new(&pq, db));
	post_select(pq, POST_STATUS);
	post_distinct(pq);
	post_order_by(pq, POST_STATUS, CORM_ASC);
	OK(post_query_all(&pl, pq));
	assert_int_equal(pl.count, 3);
	for (i = 0; i < pl.count; i++)
		assert_int_equal(pl.items[i].status, by_status[i]);
	post_list_free(&pl);
	post_limit(pq, 1);
	post_offset(pq, 1);
	OK(post_query_all(&pl, pq));
	assert_int_equal(pl.count, 1);
	assert_int_equal(pl.items[0].status, POST_STATUS_DRAFT);
	post_list_free(&pl);
	post_query_free(pq);

	/* Without DISTINCT too: by name, then by id. */
	OK(post_query_new(&pq, db));
	post_order_by(pq, POST_STATUS, CORM_DESC);
	post_order_by(pq, POST_ID, CORM_ASC);
	OK(post_query_all(&pl, pq));
	assert_int_equal(pl.count, 15);
	for (i = 1; i < pl.count; i++)
		assert_true(strcmp(post_status_to_string(pl.items[i - 1].status),
			post_status_to_string(pl.items[i].status)) >= 0);
	assert_int_equal(pl.items[0].status, POST_STATUS_PUBLISHED);
	post_list_free(&pl);
	post_query_free(pq);

	/* Ordering distinct rows by a field they do not hold: refused. */
	OK(author_query_new(&q, db));
	author_select(q, AUTHOR_NAME);
	author_distinct(q);
	author_order_by(q, AUTHOR_KARMA, CORM_ASC);
	assert_int_equal(author_query_all(&al, q), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "does not select"));
	author_query_free(q);
}

static void test_query__select_a_subset_of_columns(void **state)
{
	author_query *q = NULL;
	author_list list;

	(void)state;
	OK(author_query_new(&q, db));
	author_select(q, AUTHOR_ID);
	author_select(q, AUTHOR_EMAIL);
	author_where(q, author_eq(q, AUTHOR_ID, ids[1]));
	OK(author_query_all(&list, q));
	assert_int_equal(list.count, 1);
	assert_string_equal(list.items[0].email.ptr, "bob@example.com");
	assert_null(list.items[0].name.ptr); /* not read */
	assert_true(list.items[0].karma == 0);
	author_list_free(&list);
	author_query_free(q);
}

static void test_query__first_and_not_found(void **state)
{
	author_query *q = NULL;
	corm_arena arena = CORM_ARENA_INIT;
	author a;

	(void)state;
	OK(author_query_new(&q, db));
	author_order_by(q, AUTHOR_KARMA, CORM_ASC);
	OK(author_query_first(&a, q, &arena));
	assert_int_equal(a.id, ids[3]);
	author_where(q, author_gt(q, AUTHOR_KARMA, 99.0));
	assert_int_equal(author_query_first(&a, q, &arena), CORM_ENOTFOUND);
	author_query_free(q);
	corm_arena_free(&arena);
}

static void test_query__update_and_delete_where_count_rows(void **state)
{
	author_query *q = NULL;
	post_query *pq = NULL;
	int64_t n;

	(void)state;
	OK(corm_tx_begin(db));
	OK(author_query_new(&q, db));
	author_where(q, author_eq(q, AUTHOR_ACTIVE, false));
	author_set(q, AUTHOR_KARMA, 42.0);
	author_set_null(q, AUTHOR_BIO);
	OK(author_query_update(&n, q));
	assert_int_equal(n, 2);
	author_query_free(q);
	OK(author_query_new(&q, db));
	author_where(q, author_eq(q, AUTHOR_KARMA, 42.0));
	author_where(q, author_is_null(q, AUTHOR_BIO));
	OK(author_query_count(&n, q));
	assert_int_equal(n, 2);
	author_query_free(q);
	OK(post_query_new(&pq, db));
	post_where(pq, post_eq(pq, POST_STATUS, POST_STATUS_DRAFT));
	OK(post_query_delete(&n, pq));
	assert_int_equal(n, 1 + 1 + 1 + 2 + 2); /* k % 3 == 0 for authors 1..5 */
	post_query_free(pq);
	OK(corm_tx_rollback(db));
}

static void test_query__aggregates_by_group(void **state)
{
	post_query *pq = NULL;
	corm_agg_rows rows;
	const post *g;

	(void)state;
	/* Posts per status: i posts for author i, status k % 3. */
	OK(post_query_new(&pq, db));
	post_group_by(pq, POST_STATUS);
	post_order_by(pq, POST_STATUS, CORM_ASC);
	OK(post_aggregate(&rows, pq, CORM_AGG_COUNT, POST_ID));
	assert_int_equal(rows.count, 3);
	/* Text order of the names: archived, draft, published. */
	g = rows.items[0].group;
	assert_int_equal(g->status, POST_STATUS_ARCHIVED);
	assert_true(rows.items[0].value == 3);
	g = rows.items[1].group;
	assert_int_equal(g->status, POST_STATUS_DRAFT);
	assert_true(rows.items[1].value == 7);
	g = rows.items[2].group;
	assert_int_equal(g->status, POST_STATUS_PUBLISHED);
	assert_true(rows.items[2].value == 5);
	corm_agg_rows_free(&rows);
	post_query_free(pq);

	{
		author_query *q = NULL;

		OK(author_query_new(&q, db));
		OK(author_aggregate(&rows, q, CORM_AGG_SUM, AUTHOR_KARMA));
		assert_int_equal(rows.count, 1);
		assert_true(rows.items[0].value == 10 + 5.5 + 10 - 1 + 0 + 7);
		corm_agg_rows_free(&rows);
		OK(author_aggregate(&rows, q, CORM_AGG_MAX, AUTHOR_KARMA));
		assert_true(rows.items[0].value == 10);
		corm_agg_rows_free(&rows);
		author_where(q, author_gt(q, AUTHOR_KARMA, 1000.0));
		OK(author_aggregate(&rows, q, CORM_AGG_AVG, AUTHOR_KARMA));
		assert_false(rows.items[0].has_value); /* AVG of nothing is NULL */
		corm_agg_rows_free(&rows);
		author_query_free(q);
	}
}

static void test_query__stream_rows_one_at_a_time(void **state)
{
	post_query *pq = NULL;
	post row;
	int rc, n = 0;

	(void)state;
	OK(post_query_new(&pq, db));
	post_order_by(pq, POST_ID, CORM_ASC);
	while ((rc = post_query_next(&row, pq)) == CORM_ROW) {
		assert_string_equal(row.body.ptr, "body");
		n++;
	}
	assert_int_equal(rc, CORM_DONE);
	assert_int_equal(n, 0 + 1 + 2 + 3 + 4 + 5);
	assert_int_equal(post_query_next(&row, pq), CORM_DONE);
	post_query_free(pq);
}

static void test_query__building_errors_surface_when_run(void **state)
{
	author_query *q = NULL;
	author_list list;
	int64_t n;

	(void)state;
	OK(author_query_new(&q, db));
	author_limit(q, -1);
	assert_int_equal(author_query_all(&list, q), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "negative LIMIT"));
	author_query_free(q);
	OK(author_query_new(&q, db));
	author_set_null(q, AUTHOR_EMAIL); /* not nullable */
	assert_int_equal(author_query_count(&n, q), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "not nullable"));
	author_query_free(q);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query__comparisons_on_numbers),
		cmocka_unit_test(test_query__in_lists_including_empty),
		cmocka_unit_test(test_query__text_equality_is_exact_and_case_sensitive),
		cmocka_unit_test(test_query__matching_is_literal_and_case_sensitive),
		cmocka_unit_test(test_query__and_or_not_nest),
		cmocka_unit_test(test_query__order_by_several_columns_with_nulls),
		cmocka_unit_test(test_query__limit_offset_distinct_count_exists),
		cmocka_unit_test(test_query__distinct_ordered_by_text_and_enum),
		cmocka_unit_test(test_query__select_a_subset_of_columns),
		cmocka_unit_test(test_query__first_and_not_found),
		cmocka_unit_test(test_query__update_and_delete_where_count_rows),
		cmocka_unit_test(test_query__aggregates_by_group),
		cmocka_unit_test(test_query__stream_rows_one_at_a_time),
		cmocka_unit_test(test_query__building_errors_surface_when_run),
	};
	int rc = test_engine_init(&engine, "test_query", argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
