/*
 * test_rel.c — relations generated from shop.corm, run on a real engine:
 * belongs-to, has-many and many-to-many loaders (exact grouping, on
 * integer, text and uuid keys, with a NULL foreign key, parents without
 * children, a model related to itself), chunked under a tiny chunk size so
 * every multi-chunk path runs, with the statements counted to show one
 * query per relation per chunk; filters on related models' columns
 * (EXISTS, with a JOIN for many-to-many), nested, negated, in count /
 * update, and misused; and every allocation failing in turn.
 * Usage: test_rel sqlite|postgres|mysql
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
#include "alloc.h"
#include "engine.h"
#include "tables.h"
#include "shop.h"

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

/* Customers, inserted in this order: ids cid[0..4]. Referrers by index. */
static const struct {
	const char *name;
	double karma;
	int referrer; /* -1: none */
} customers[] = {
	{"ann", 20, -1},
	{"bob", 5, -1},
	{"cy", 50, 0},
	{"dee", 0, 0},  /* no orders */
	{"eve", 11, 2}, /* no orders */
};
#define NCUSTOMERS 5

static int64_t cid[NCUSTOMERS];

/* Text keys whose byte order ("BER" < "Z\xC3\x9CR" < "ams") is not a
 * natural-language collation's. */
static const struct {
	const char *code, *city;
} warehouses[] = {
	{"ams", "Amsterdam"},
	{"BER", "Berlin"},
	{"Z\xC3\x9CR", "Z\xC3\xBCrich"}, /* no orders */
};
#define NWAREHOUSES 3

/* Orders by index; uuids chosen so their byte order is not insert order.
 * Buyer / gift_for index into customers[] (-1: NULL). */
static const struct {
	const char *id;
	int buyer, gift_for, warehouse;
	double total;
} orders[] = {
	{"f0000000-0000-4000-8000-000000000001", 0, -1, 0, 10},
	{"10000000-0000-4000-8000-000000000002", 0, 1, 1, 20},
	{"a0000000-0000-4000-8000-000000000003", 1, -1, 0, 30},
	{"20000000-0000-4000-8000-000000000004", -1, -1, 1, 40}, /* a guest */
	{"30000000-0000-4000-8000-000000000005", 2, 0, 0, 50},
	{"40000000-0000-4000-8000-000000000006", 0, -1, 1, 60},
};
#define NORDERS 6

static const struct {
	int32_t id;
	const char *name;
} products[] = {{1, "apple"}, {2, "pear"}, {3, "fig"}, {400, "kiwi"}};
#define NPRODUCTS 4

static const struct {
	int16_t id;
	const char *name;
} labels[] = {{1, "fresh"}, {2, "sale"}, {3, "new"}};
#define NLABELS 3

static const int16_t product_labels[][2] = {{1, 2}, {400, 1}, {1, 1},
	{2, 2}};
/* Order index, product id, quantity. */
static const int32_t lines[][3] = {{0, 2, 2}, {0, 1, 1}, {1, 400, 1},
	{2, 1, 3}, {4, 400, 1}, {4, 1, 1}, {4, 2, 5}};

/* Follower, followee (indexes into customers[]). */
static const int follows[][2] = {{0, 1}, {0, 2}, {2, 0}, {4, 0}};

static corm_uuid order_id(int i)
{
	corm_uuid u;

	assert_int_equal(corm_uuid_parse(&u, orders[i].id,
		strlen(orders[i].id)), CORM_OK);
	return u;
}

/* The index in orders[] of the order with this id, or -1. */
static int order_index(corm_uuid id)
{
	int i;

	for (i = 0; i < NORDERS; i++) {
		corm_uuid u = order_id(i);

		if (memcmp(u.bytes, id.bytes, sizeof(u.bytes)) == 0)
			return i;
	}
	return -1;
}

static void load_data(void)
{
	int i;

	if (test_create_tables(db, "shop.corm") != CORM_OK)
		fail_msg("could not create the shop tables");
	for (i = 0; i < NCUSTOMERS; i++) {
		customer c;

		customer_init(&c);
		c.name = corm_str_of(customers[i].name);
		c.karma = customers[i].karma;
		if (customers[i].referrer >= 0) {
			c.has_referrer_id = true;
			c.referrer_id = cid[customers[i].referrer];
		}
		OK(customer_insert(db, &c));
		cid[i] = c.id;
	}
	for (i = 0; i < NWAREHOUSES; i++) {
		warehouse w;

		warehouse_init(&w);
		w.code = corm_str_of(warehouses[i].code);
		w.city = corm_str_of(warehouses[i].city);
		OK(warehouse_insert(db, &w));
	}
	for (i = 0; i < NORDERS; i++) {
		order o;

		order_init(&o);
		o.id = order_id(i);
		if (orders[i].buyer >= 0) {
			o.has_buyer_id = true;
			o.buyer_id = cid[orders[i].buyer];
		}
		if (orders[i].gift_for >= 0) {
			o.has_gift_for_id = true;
			o.gift_for_id = cid[orders[i].gift_for];
		}
		o.warehouse_id = corm_str_of(warehouses[orders[i].warehouse].code);
		o.total = orders[i].total;
		OK(order_insert(db, &o));
	}
	for (i = 0; i < NPRODUCTS; i++) {
		product p;

		product_init(&p);
		p.id = products[i].id;
		p.name = corm_str_of(products[i].name);
		OK(product_insert(db, &p));
	}
	for (i = 0; i < NLABELS; i++) {
		label l;

		label_init(&l);
		l.id = labels[i].id;
		l.name = corm_str_of(labels[i].name);
		OK(label_insert(db, &l));
	}
	for (i = 0; i < (int)(sizeof(product_labels) / sizeof(*product_labels));
		i++) {
		product_label pl;

		product_label_init(&pl);
		pl.product_id = product_labels[i][0];
		pl.label_id = product_labels[i][1];
		OK(product_label_insert(db, &pl));
	}
	for (i = 0; i < (int)(sizeof(follows) / sizeof(*follows)); i++) {
		follow f;

		follow_init(&f);
		f.follower_id = cid[follows[i][0]];
		f.followee_id = cid[follows[i][1]];
		OK(follow_insert(db, &f));
	}
	for (i = 0; i < (int)(sizeof(lines) / sizeof(*lines)); i++) {
		line l;

		line_init(&l);
		l.order_id = order_id(lines[i][0]);
		l.product_id = lines[i][1];
		l.qty = lines[i][2];
		OK(line_insert(db, &l));
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

/* Every test starts with the engine's own chunk size. */
static int reset_chunk(void **state)
{
	(void)state;
	corm_rel__set_chunk_size(0);
	return 0;
}

/* ------------------------------------------------------------- helpers */

static void all_customers(customer_list *out)
{
	customer_query *q = NULL;

	OK(customer_query_new(&q, db));
	customer_order_by(q, CUSTOMER_ID, CORM_ASC);
	OK(customer_query_all(out, q));
	customer_query_free(q);
	assert_int_equal(out->count, NCUSTOMERS);
}

/* Orders in orders[] order (by total). */
static void all_orders(order_list *out)
{
	order_query *q = NULL;

	OK(order_query_new(&q, db));
	order_order_by(q, ORDER_TOTAL, CORM_ASC);
	OK(order_query_all(out, q));
	order_query_free(q);
	assert_int_equal(out->count, NORDERS);
}

static void all_products(product_list *out)
{
	product_query *q = NULL;

	OK(product_query_new(&q, db));
	product_order_by(q, PRODUCT_ID, CORM_ASC);
	OK(product_query_all(out, q));
	product_query_free(q);
	assert_int_equal(out->count, NPRODUCTS);
}

/* Check a group of orders: exactly orders[want[0..]] (-1 ends), in
 * this order. */
static void expect_orders(const order *items, size_t count, const int *want)
{
	size_t i;

	for (i = 0; want[i] >= 0; i++) {
		assert_true(i < count);
		assert_int_equal(order_index(items[i].id), want[i]);
	}
	assert_int_equal(count, i);
}

/* ------------------------------------------------------------- belongs-to */

static void test_rel__belongs_to_reads_each_parent_once(void **state)
{
	order_list os;
	customer_list buyers;
	const customer *each[NORDERS];
	unsigned long before;
	int i;

	(void)state;
	all_orders(&os);
	before = corm_rel__statements();
	OK(order_load_buyer(&buyers, each, os.items, os.count, db));
	assert_int_equal(corm_rel__statements() - before, 1);
	assert_int_equal(buyers.count, 3); /* ann, bob, cy; one NULL */
	for (i = 0; i < NORDERS; i++) {
		if (orders[i].buyer < 0) {
			assert_null(each[i]);
			continue;
		}
		assert_non_null(each[i]);
		assert_int_equal(each[i]->id, cid[orders[i].buyer]);
		assert_string_equal(each[i]->name.ptr,
			customers[orders[i].buyer].name);
	}
	/* One row per parent: ann's three orders share her struct. */
	assert_ptr_equal(each[0], each[1]);
	assert_ptr_equal(each[0], each[5]);
	customer_list_free(&buyers);
	order_list_free(&os);
}

static void test_rel__belongs_to_in_chunks_on_a_text_key(void **state)
{
	order_list os;
	warehouse_list ws;
	const warehouse *each[NORDERS];
	const customer *gifts[NORDERS];
	customer_list gl;
	unsigned long before;
	int i;

	(void)state;
	all_orders(&os);
	corm_rel__set_chunk_size(1);
	before = corm_rel__statements();
	OK(order_load_warehouse(&ws, each, os.items, os.count, db));
	assert_int_equal(corm_rel__statements() - before, 2); /* ams, BER */
	assert_int_equal(ws.count, 2);
	for (i = 0; i < NORDERS; i++) {
		assert_non_null(each[i]);
		assert_string_equal(each[i]->code.ptr,
			warehouses[orders[i].warehouse].code);
		assert_string_equal(each[i]->city.ptr,
			warehouses[orders[i].warehouse].city);
	}
	/* Mostly NULL: two gifts, for bob and ann. */
	OK(order_load_gift_for(&gl, gifts, os.items, os.count, db));
	assert_int_equal(gl.count, 2);
	for (i = 0; i < NORDERS; i++)
		if (orders[i].gift_for < 0)
			assert_null(gifts[i]);
		else
			assert_int_equal(gifts[i]->id, cid[orders[i].gift_for]);
	customer_list_free(&gl);
	warehouse_list_free(&ws);
	order_list_free(&os);
}

/* More distinct keys than any engine binds in one statement: one
 * statement, the keys in one parameter; or, one parameter a key (the
 * path of key types an engine cannot pack), chunks of the engine's real
 * limit. */
static void check_buyers_of_70000_orders(int chunk, unsigned long statements)
{
	const size_t n = 70000;
	size_t i, found = 0;
	order *rows = calloc(n, sizeof(*rows));
	const customer **each = calloc(n, sizeof(*each));
	customer_list cs;
	unsigned long before;

	assert_non_null(rows);
	assert_non_null(each);
	for (i = 0; i < n; i++) {
		rows[i].has_buyer_id = true;
		rows[i].buyer_id = (int64_t)(n - i); /* mostly no such customer */
	}
	corm_rel__set_chunk_size(chunk);
	before = corm_rel__statements();
	OK(order_load_buyer(&cs, each, rows, n, db));
	assert_int_equal(corm_rel__statements() - before, statements);
	assert_int_equal(cs.count, NCUSTOMERS);
	for (i = 0; i < n; i++)
		if (each[i]) {
			assert_int_equal(each[i]->id, rows[i].buyer_id);
			found++;
		}
	assert_int_equal(found, NCUSTOMERS);
	customer_list_free(&cs);
	free(each);
	free(rows);
}

static void test_rel__belongs_to_chunks_at_the_engines_parameter_limit(
	void **state)
{
	int limit = corm_conn_max_params(db);

	(void)state;
	check_buyers_of_70000_orders(0, 1);
	check_buyers_of_70000_orders(limit,
		(unsigned long)((70000 + limit - 1) / limit));
}

static void test_rel__belongs_to_a_model_of_the_same_table(void **state)
{
	customer_list cs, refs;
	const customer *each[NCUSTOMERS];
	int i;

	(void)state;
	all_customers(&cs);
	OK(customer_load_referrer(&refs, each, cs.items, cs.count, db));
	assert_int_equal(refs.count, 2); /* ann and cy */
	for (i = 0; i < NCUSTOMERS; i++)
		if (customers[i].referrer < 0)
			assert_null(each[i]);
		else
			assert_int_equal(each[i]->id, cid[customers[i].referrer]);
	customer_list_free(&refs);
	customer_list_free(&cs);
}

/* --------------------------------------------------------------- has-many */

/* Orders of each customer by buyer, in uuid byte order within a group. */
static void check_orders_by_buyer(int chunk, unsigned long statements)
{
	static const int want[NCUSTOMERS][4] = {
		{1, 5, 0, -1}, /* ann: 10…, 40…, f0… */
		{2, -1},
		{4, -1},
		{-1},          /* dee: none */
		{-1},          /* eve: none */
	};
	customer_list cs;
	order_list os;
	size_t first[NCUSTOMERS], count[NCUSTOMERS];
	unsigned long before;
	int i;

	all_customers(&cs);
	corm_rel__set_chunk_size(chunk);
	before = corm_rel__statements();
	OK(customer_load_orders_by_buyer(&os, first, count, cs.items, cs.count,
		db));
	assert_int_equal(corm_rel__statements() - before, statements);
	assert_int_equal(os.count, 5); /* the guest order belongs to none */
	for (i = 0; i < NCUSTOMERS; i++)
		expect_orders(os.items + first[i], count[i], want[i]);
	order_list_free(&os);
	customer_list_free(&cs);
}

static void test_rel__has_many_groups_children_exactly(void **state)
{
	(void)state;
	check_orders_by_buyer(0, 1);
}

static void test_rel__has_many_in_chunks_gives_the_same_groups(void **state)
{
	(void)state;
	check_orders_by_buyer(2, 3); /* 5 keys: 2 + 2 + 1 */
	check_orders_by_buyer(1, 5);
	check_orders_by_buyer(4, 2); /* 4 + 1 */
	check_orders_by_buyer(8, 1); /* 5 keys sent as 8, the last repeated */
}

static void test_rel__has_many_on_a_text_key_in_byte_order(void **state)
{
	static const int want[NWAREHOUSES][4] = {
		{4, 2, 0, -1}, /* ams */
		{1, 3, 5, -1}, /* BER */
		{-1},
	};
	warehouse_query *q = NULL;
	warehouse_list ws;
	order_list os;
	size_t first[NWAREHOUSES], count[NWAREHOUSES];
	int i;

	(void)state;
	OK(warehouse_query_new(&q, db));
	OK(warehouse_query_all(&ws, q));
	warehouse_query_free(q);
	assert_int_equal(ws.count, NWAREHOUSES);
	corm_rel__set_chunk_size(2);
	OK(warehouse_load_orders(&os, first, count, ws.items, ws.count, db));
	for (i = 0; i < NWAREHOUSES; i++) {
		int w;

		for (w = 0; strcmp(warehouses[w].code, ws.items[i].code.ptr); w++)
			;
		expect_orders(os.items + first[i], count[i], want[w]);
	}
	order_list_free(&os);
	warehouse_list_free(&ws);
}

static void test_rel__has_many_shares_children_of_repeated_rows(void **state)
{
	customer_list cs, kids;
	customer rows[3];
	size_t first[3], count[3];
	unsigned long before;

	(void)state;
	all_customers(&cs);
	rows[0] = cs.items[2]; /* cy */
	rows[1] = cs.items[0]; /* ann */
	rows[2] = cs.items[2];
	before = corm_rel__statements();
	OK(customer_load_customers(&kids, first, count, rows, 3, db));
	assert_int_equal(corm_rel__statements() - before, 1);
	assert_int_equal(kids.count, 3); /* cy's eve, ann's cy and dee */
	assert_int_equal(count[0], 1);
	assert_int_equal(kids.items[first[0]].id, cid[4]);
	assert_int_equal(count[1], 2);
	assert_int_equal(kids.items[first[1]].id, cid[2]);
	assert_int_equal(kids.items[first[1] + 1].id, cid[3]);
	assert_int_equal(first[2], first[0]);
	assert_int_equal(count[2], count[0]);
	customer_list_free(&kids);
	customer_list_free(&cs);
}

static void test_rel__loading_for_no_rows_runs_no_query(void **state)
{
	customer_list kids;
	order_list os;
	const customer *each[1] = {NULL};
	unsigned long before = corm_rel__statements();

	(void)state;
	OK(customer_load_customers(&kids, NULL, NULL, NULL, 0, db));
	assert_int_equal(kids.count, 0);
	customer_list_free(&kids);
	OK(order_load_buyer(&kids, each, NULL, 0, db));
	assert_int_equal(kids.count, 0);
	customer_list_free(&kids);
	/* Rows whose keys are all NULL: nothing to ask either. */
	all_orders(&os);
	OK(order_load_buyer(&kids, each, &os.items[3], 1, db));
	assert_null(each[0]);
	assert_int_equal(kids.count, 0);
	customer_list_free(&kids);
	order_list_free(&os);
	assert_int_equal(corm_rel__statements(), before);
}

/* ----------------------------------------------------------- many-to-many */

static void test_rel__many_to_many_both_ways(void **state)
{
	static const int16_t want_labels[NPRODUCTS][3] = {
		{1, 2, -1}, {2, -1}, {-1}, {1, -1}};
	static const int32_t want_products[NLABELS][3] = {
		{1, 400, -1}, {1, 2, -1}, {-1}};
	product_list ps;
	label_list ls;
	label_query *lq = NULL;
	label_list all_labels;
	product_list lp;
	size_t first[NPRODUCTS], count[NPRODUCTS], k;
	unsigned long before;
	int i, chunk;

	(void)state;
	all_products(&ps);
	for (chunk = 0; chunk <= 2; chunk++) {
		corm_rel__set_chunk_size(chunk);
		before = corm_rel__statements();
		OK(product_load_labels(&ls, first, count, ps.items, ps.count, db));
		/* 4 keys: one statement, or 4 of one key, or 2 of two. */
		assert_int_equal(corm_rel__statements() - before,
			chunk == 0 ? 1 : 4 / chunk);
		assert_int_equal(ls.count, 4);
		for (i = 0; i < NPRODUCTS; i++) {
			for (k = 0; want_labels[i][k] >= 0; k++) {
				assert_true(k < count[i]);
				assert_int_equal(ls.items[first[i] + k].id,
					want_labels[i][k]);
			}
			assert_int_equal(count[i], k);
		}
		label_list_free(&ls);
	}
	OK(label_query_new(&lq, db));
	label_order_by(lq, LABEL_ID, CORM_ASC);
	OK(label_query_all(&all_labels, lq));
	label_query_free(lq);
	OK(label_load_products(&lp, first, count, all_labels.items,
		all_labels.count, db));
	for (i = 0; i < NLABELS; i++) {
		for (k = 0; want_products[i][k] >= 0; k++) {
			assert_true(k < count[i]);
			assert_int_equal(lp.items[first[i] + k].id, want_products[i][k]);
			assert_non_null(lp.items[first[i] + k].name.ptr);
		}
		assert_int_equal(count[i], k);
	}
	product_list_free(&lp);
	label_list_free(&all_labels);
	product_list_free(&ps);
}

static void test_rel__many_to_many_on_uuid_keys_in_chunks(void **state)
{
	static const int32_t want[NORDERS][4] = {
		{1, 2, -1}, {400, -1}, {1, -1}, {-1}, {1, 2, 400, -1}, {-1}};
	order_list os;
	product_list ps;
	size_t first[NORDERS], count[NORDERS], k;
	unsigned long before;
	int i;

	(void)state;
	all_orders(&os);
	corm_rel__set_chunk_size(2);
	before = corm_rel__statements();
	OK(order_load_products(&ps, first, count, os.items, os.count, db));
	assert_int_equal(corm_rel__statements() - before, 3);
	assert_int_equal(ps.count, 7); /* one per line */
	for (i = 0; i < NORDERS; i++) {
		for (k = 0; want[i][k] >= 0; k++) {
			assert_true(k < count[i]);
			assert_int_equal(ps.items[first[i] + k].id, want[i][k]);
		}
		assert_int_equal(count[i], k);
	}
	product_list_free(&ps);
	order_list_free(&os);
}

static void test_rel__many_to_many_of_a_model_with_itself(void **state)
{
	/* Whom each customer follows, and who follows each. */
	static const int follows_whom[NCUSTOMERS][3] = {
		{1, 2, -1}, {-1}, {0, -1}, {-1}, {0, -1}};
	static const int followed_by[NCUSTOMERS][3] = {
		{2, 4, -1}, {0, -1}, {0, -1}, {-1}, {-1}};
	customer_list cs, got;
	customer_query *q = NULL, *f;
	size_t first[NCUSTOMERS], count[NCUSTOMERS], k;
	int i;

	(void)state;
	all_customers(&cs);
	OK(customer_load_customers_via_follow_by_follower(&got, first, count,
		cs.items, cs.count, db));
	for (i = 0; i < NCUSTOMERS; i++) {
		for (k = 0; follows_whom[i][k] >= 0; k++)
			assert_int_equal(got.items[first[i] + k].id,
				cid[follows_whom[i][k]]);
		assert_int_equal(count[i], k);
	}
	customer_list_free(&got);
	OK(customer_load_customers_via_follow_by_followee(&got, first, count,
		cs.items, cs.count, db));
	for (i = 0; i < NCUSTOMERS; i++) {
		for (k = 0; followed_by[i][k] >= 0; k++)
			assert_int_equal(got.items[first[i] + k].id,
				cid[followed_by[i][k]]);
		assert_int_equal(count[i], k);
	}
	customer_list_free(&got);

	/* Followed by someone with karma over 40: cy follows ann. */
	OK(customer_query_new(&q, db));
	f = customer_customers_via_follow_by_followee_filter(q);
	customer_where(q, customer_customers_via_follow_by_followee_any(q,
		customer_gt(f, CUSTOMER_KARMA, 40.0)));
	OK(customer_query_all(&got, q));
	assert_int_equal(got.count, 1);
	assert_int_equal(got.items[0].id, cid[0]);
	customer_list_free(&got);
	customer_query_free(q);
	customer_list_free(&cs);
}

/* ---------------------------------------------------------------- filters */

/* Run q and check it returns exactly orders[want[0..]] (-1 ends) by total.
 * Frees q. */
static void expect_order_query(order_query *q, const int *want)
{
	order_list os;

	order_order_by(q, ORDER_TOTAL, CORM_ASC);
	if (order_query_all(&os, q) != CORM_OK)
		fail_msg("query %s: %s", order_query_sql(q), corm_errmsg(db));
	expect_orders(os.items, os.count, want);
	order_list_free(&os);
	order_query_free(q);
}

static void test_rel__filter_on_the_parent_is_exists_with_parameters(
	void **state)
{
	static const int rich[] = {0, 1, 4, 5, -1};
	static const int not_rich[] = {2, 3, -1}; /* bob's, and the guest's */
	order_query *q = NULL;
	customer_query *c;
	const char *sql;

	(void)state;
	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	assert_ptr_equal(order_buyer_filter(q), c); /* the same each time */
	order_where(q, order_buyer_has(q, customer_gt(c, CUSTOMER_KARMA, 10.0)));
	sql = order_query_sql(q);
	assert_non_null(sql);
	assert_non_null(strstr(sql, "EXISTS (SELECT 1 FROM "));
	assert_non_null(strstr(sql, "shop_customer"));
	assert_null(strstr(sql, "10")); /* the value is a parameter */
	expect_order_query(q, rich);

	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	order_where(q, order_not(q, order_buyer_has(q,
		customer_gt(c, CUSTOMER_KARMA, 10.0))));
	expect_order_query(q, not_rich);
}

static void test_rel__filters_combine_with_the_outer_predicates(void **state)
{
	static const int want[] = {0, 3, 4, -1};
	order_query *q = NULL;
	customer_query *c;
	warehouse_query *w;

	(void)state;
	/* (buyer named ann or cy AND from "ams") OR total = 40 */
	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	w = order_warehouse_filter(q);
	order_where(q, order_or(q,
		order_and(q,
			order_buyer_has(q, customer_or(c,
				customer_eq(c, CUSTOMER_NAME, CORM_STR("ann")),
				customer_eq(c, CUSTOMER_NAME, CORM_STR("cy")))),
			order_warehouse_has(q, warehouse_eq(w, WAREHOUSE_CODE,
				CORM_STR("ams")))),
		order_eq(q, ORDER_TOTAL, 40.0)));
	expect_order_query(q, want);
}

static void test_rel__filter_on_children_and_any_child(void **state)
{
	customer_query *q = NULL;
	order_query *o;
	customer_list cs;

	(void)state;
	/* Customers who bought from Berlin: ann only (the guest is nobody). */
	OK(customer_query_new(&q, db));
	o = customer_orders_by_buyer_filter(q);
	customer_where(q, customer_orders_by_buyer_any(q,
		order_eq(o, ORDER_WAREHOUSE_ID, CORM_STR("BER"))));
	OK(customer_query_all(&cs, q));
	assert_int_equal(cs.count, 1);
	assert_int_equal(cs.items[0].id, cid[0]);
	customer_list_free(&cs);
	customer_query_free(q);

	/* With any order at all (NULL: no condition). */
	OK(customer_query_new(&q, db));
	customer_where(q, customer_orders_by_buyer_any(q, NULL));
	customer_order_by(q, CUSTOMER_ID, CORM_ASC);
	OK(customer_query_all(&cs, q));
	assert_int_equal(cs.count, 3);
	assert_int_equal(cs.items[0].id, cid[0]);
	assert_int_equal(cs.items[1].id, cid[1]);
	assert_int_equal(cs.items[2].id, cid[2]);
	customer_list_free(&cs);
	customer_query_free(q);
}

static void test_rel__filter_on_a_model_of_the_same_table(void **state)
{
	customer_query *q = NULL, *r;
	customer_list cs;

	(void)state;
	/* Referred by someone with karma over 30: cy referred eve. */
	OK(customer_query_new(&q, db));
	r = customer_referrer_filter(q);
	customer_where(q, customer_referrer_has(q,
		customer_gt(r, CUSTOMER_KARMA, 30.0)));
	OK(customer_query_all(&cs, q));
	assert_int_equal(cs.count, 1);
	assert_int_equal(cs.items[0].id, cid[4]);
	customer_list_free(&cs);
	customer_query_free(q);
}

static void test_rel__filters_nest_through_a_join_model(void **state)
{
	product_query *q = NULL;
	product_label_query *pl;
	label_query *l;
	product_list ps;

	(void)state;
	/* Products labelled "sale": product → product_label → label. */
	OK(product_query_new(&q, db));
	pl = product_product_labels_filter(q);
	l = product_label_label_filter(pl);
	product_where(q, product_product_labels_any(q,
		product_label_label_has(pl, label_eq(l, LABEL_NAME,
			CORM_STR("sale")))));
	product_order_by(q, PRODUCT_ID, CORM_ASC);
	OK(product_query_all(&ps, q));
	assert_int_equal(ps.count, 2);
	assert_int_equal(ps.items[0].id, 1);
	assert_int_equal(ps.items[1].id, 2);
	product_list_free(&ps);
	product_query_free(q);
}

static void test_rel__many_to_many_filter_in_one_exists(void **state)
{
	static const int with_kiwi[] = {1, 4, -1};
	product_query *q = NULL;
	label_query *l;
	product_list ps;
	order_query *oq = NULL;
	product_query *p;
	const char *sql;

	(void)state;
	/* Products labelled "sale", in one EXISTS with a JOIN. */
	OK(product_query_new(&q, db));
	l = product_labels_filter(q);
	product_where(q, product_labels_any(q, label_eq(l, LABEL_NAME,
		CORM_STR("sale"))));
	product_order_by(q, PRODUCT_ID, CORM_ASC);
	sql = product_query_sql(q);
	assert_non_null(sql);
	assert_non_null(strstr(sql, " JOIN "));
	OK(product_query_all(&ps, q));
	assert_int_equal(ps.count, 2);
	assert_int_equal(ps.items[0].id, 1);
	assert_int_equal(ps.items[1].id, 2);
	product_list_free(&ps);
	product_query_free(q);

	/* Products with no label at all: fig. */
	OK(product_query_new(&q, db));
	product_where(q, product_not(q, product_labels_any(q, NULL)));
	OK(product_query_all(&ps, q));
	assert_int_equal(ps.count, 1);
	assert_int_equal(ps.items[0].id, 3);
	product_list_free(&ps);
	product_query_free(q);

	/* On uuid keys: orders with a kiwi in them. */
	OK(order_query_new(&oq, db));
	p = order_products_filter(oq);
	order_where(oq, order_products_any(oq, product_eq(p, PRODUCT_NAME,
		CORM_STR("kiwi"))));
	expect_order_query(oq, with_kiwi);
}

static void test_rel__filters_in_count_and_update(void **state)
{
	order_query *q = NULL;
	customer_query *c;
	int64_t n = 0;

	(void)state;
	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	order_where(q, order_buyer_has(q, customer_eq(c, CUSTOMER_NAME,
		CORM_STR("ann"))));
	OK(order_query_count(&n, q));
	assert_int_equal(n, 3);
	order_set(q, ORDER_TOTAL, 0.5);
	OK(order_query_update(&n, q));
	assert_int_equal(n, 3);
	order_query_free(q);

	OK(order_query_new(&q, db));
	order_where(q, order_eq(q, ORDER_TOTAL, 0.5));
	OK(order_query_count(&n, q));
	assert_int_equal(n, 3);
	order_query_free(q);
	/* Put the totals back for the other tests. */
	{
		int i;

		for (i = 0; i < NORDERS; i++) {
			OK(order_query_new(&q, db));
			order_where(q, order_eq(q, ORDER_ID, order_id(i)));
			order_set(q, ORDER_TOTAL, orders[i].total);
			OK(order_query_update(&n, q));
			assert_int_equal(n, 1);
			order_query_free(q);
		}
	}
}

static void test_rel__a_predicate_from_another_query_is_refused(
	void **state)
{
	order_query *q = NULL;
	customer_query *other = NULL;
	order_list os;

	(void)state;
	OK(order_query_new(&q, db));
	OK(customer_query_new(&other, db));
	order_where(q, order_buyer_has(q, customer_gt(other, CUSTOMER_KARMA,
		1.0)));
	customer_query_free(other);
	assert_int_equal(order_query_all(&os, q), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "related-model filter"));
	order_query_free(q);
}

static void test_rel__a_failed_inner_predicate_fails_the_query(void **state)
{
	order_query *q = NULL;
	customer_query *c;
	int64_t n;

	(void)state;
	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	/* A negative LIMIT on the filter query is an error of the filter. */
	customer_limit(c, -1);
	order_where(q, order_buyer_has(q, NULL));
	assert_int_equal(order_query_count(&n, q), CORM_EINVAL);
	order_query_free(q);
}

static void test_rel__a_where_on_a_filter_query_is_refused(void **state)
{
	order_query *q = NULL;
	customer_query *c;
	order_list os;

	(void)state;
	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	customer_where(c, customer_gt(c, CUSTOMER_KARMA, 10.0));
	order_where(q, order_buyer_has(q, NULL));
	assert_int_equal(order_query_all(&os, q), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "pass the predicate"));
	order_query_free(q);
}

/* Issue 12: a where() on the filter query alone, with no _has() using
 * it, counted every order. Every clause that would change which rows a
 * filter stands for is refused, whether or not the filter is used. */
static void test_rel__a_where_on_an_unused_filter_query_is_refused(
	void **state)
{
	order_query *q = NULL;
	customer_query *c;
	int64_t n = -1;

	(void)state;
	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	customer_where(c, customer_gt(c, CUSTOMER_KARMA, 10.0));
	assert_int_equal(order_query_count(&n, q), CORM_EINVAL);
	assert_int_equal(n, -1);
	assert_non_null(strstr(corm_errmsg(db), "where() on a related-model"));
	order_query_free(q);

	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	customer_limit(c, 1);
	order_where(q, order_buyer_has(q, customer_gt(c, CUSTOMER_KARMA,
		10.0)));
	assert_int_equal(order_query_count(&n, q), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "limit() on a related-model"));
	order_query_free(q);

	/* The documented way gives the filtered count. */
	OK(order_query_new(&q, db));
	c = order_buyer_filter(q);
	order_where(q, order_buyer_has(q, customer_gt(c, CUSTOMER_KARMA,
		10.0)));
	OK(order_query_count(&n, q));
	assert_int_equal(n, 4);
	order_query_free(q);
}

/* ------------------------------------------------------ out of memory */

/* Loads and a filtered query, several chunks each; CORM_OK or the first
 * error. A failed load leaves an empty list and empty ranges. */
static int oom_workload(const customer_list *cs, const order_list *os)
{
	customer_list buyers;
	order_list theirs, found;
	order_query *q = NULL;
	customer_query *c;
	const customer *each[NORDERS];
	size_t first[NCUSTOMERS], count[NCUSTOMERS], i;
	int rc;

	corm_rel__set_chunk_size(2);
	rc = customer_load_orders_by_buyer(&theirs, first, count, cs->items,
		cs->count, db);
	if (rc != CORM_OK) {
		assert_int_equal(theirs.count, 0);
		assert_null(theirs.items);
		for (i = 0; i < NCUSTOMERS; i++)
			assert_int_equal(count[i], 0);
		return rc;
	}
	order_list_free(&theirs);
	rc = order_load_buyer(&buyers, each, os->items, os->count, db);
	if (rc != CORM_OK) {
		assert_int_equal(buyers.count, 0);
		for (i = 0; i < NORDERS; i++)
			assert_null(each[i]);
		return rc;
	}
	customer_list_free(&buyers);
	if ((rc = order_query_new(&q, db)) != CORM_OK)
		return rc;
	c = order_buyer_filter(q);
	order_where(q, order_buyer_has(q, customer_gt(c, CUSTOMER_KARMA, 10.0)));
	if ((rc = order_query_all(&found, q)) == CORM_OK) {
		assert_int_equal(found.count, 4);
		order_list_free(&found);
	}
	order_query_free(q);
	return rc;
}

static void test_rel__every_allocation_failure_is_an_error(void **state)
{
	customer_list cs;
	order_list os;
	long n;
	int rc = CORM_ENOMEM;

	(void)state;
	all_customers(&cs);
	all_orders(&os);
	/* Warm the statement cache, so the loop fails the loaders' own
	 * allocations rather than the driver's first prepare. */
	OK(oom_workload(&cs, &os));
	for (n = 1; n < 100000 && rc != CORM_OK; n++) {
		test_alloc_install_from(n);
		rc = oom_workload(&cs, &os);
		if (rc != CORM_OK)
			assert_int_equal(rc, CORM_ENOMEM);
	}
	test_alloc_uninstall();
	assert_int_equal(rc, CORM_OK);
	assert_true(n > 10); /* it failed many allocations on the way */
	order_list_free(&os);
	customer_list_free(&cs);
}

int main(int argc, char **argv)
{
#define T(name) cmocka_unit_test_setup(name, reset_chunk)
	const struct CMUnitTest tests[] = {
		T(test_rel__belongs_to_reads_each_parent_once),
		T(test_rel__belongs_to_in_chunks_on_a_text_key),
		T(test_rel__belongs_to_chunks_at_the_engines_parameter_limit),
		T(test_rel__belongs_to_a_model_of_the_same_table),
		T(test_rel__has_many_groups_children_exactly),
		T(test_rel__has_many_in_chunks_gives_the_same_groups),
		T(test_rel__has_many_on_a_text_key_in_byte_order),
		T(test_rel__has_many_shares_children_of_repeated_rows),
		T(test_rel__loading_for_no_rows_runs_no_query),
		T(test_rel__many_to_many_both_ways),
		T(test_rel__many_to_many_on_uuid_keys_in_chunks),
		T(test_rel__many_to_many_of_a_model_with_itself),
		T(test_rel__filter_on_the_parent_is_exists_with_parameters),
		T(test_rel__filters_combine_with_the_outer_predicates),
		T(test_rel__filter_on_children_and_any_child),
		T(test_rel__filter_on_a_model_of_the_same_table),
		T(test_rel__filters_nest_through_a_join_model),
		T(test_rel__many_to_many_filter_in_one_exists),
		T(test_rel__filters_in_count_and_update),
		T(test_rel__a_predicate_from_another_query_is_refused),
		T(test_rel__a_failed_inner_predicate_fails_the_query),
		T(test_rel__a_where_on_a_filter_query_is_refused),
		T(test_rel__a_where_on_an_unused_filter_query_is_refused),
		T(test_rel__every_allocation_failure_is_an_error),
	};
#undef T
	int rc = test_engine_init(&engine, "test_rel", argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
