/*
 * test_crud.c — code generated at build time from alltypes.corm and
 * reserved.corm, run against a real engine: every type through every CRUD
 * function, NULLs and extreme values included, composite keys, upserts,
 * bulk inserts across batch boundaries, and tables named by SQL reserved
 * words. Usage: test_crud sqlite|postgres|mysql
 *
 * The tables are created from the same schema files through migrate's DDL
 * rendering, dropped first so a crashed run leaves nothing in the way.
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

#include "alltypes.h"
#include "corm/driver.h"
#include "engine.h"
#include "tables.h"
#include "reserved.h"

static test_engine engine;
static corm_conn *db;
static corm_arena arena = CORM_ARENA_INIT;

/* The message when a call fails, so a failure says why. */
#define OK(call)                                                             \
	do {                                                                     \
		int rc_ = (call);                                                    \
		if (rc_ != CORM_OK)                                                  \
			fail_msg("%s -> %s: %s", #call, corm_strerror(rc_),              \
				corm_errmsg(db));                                            \
	} while (0)

/* ------------------------------------------------------------------ set-up */

static int setup(void **state)
{
	(void)state;
	if (corm_conn_open(&db, engine.url) != CORM_OK) {
		fprintf(stderr, "open: %s\n", corm_errmsg(NULL));
		return -1;
	}
	if (test_create_tables(db, "alltypes.corm") ||
		test_create_tables(db, "reserved.corm"))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	corm_arena_free(&arena);
	corm_conn_close(db);
	return 0;
}

/* Each test starts from empty tables. */
static int empty_tables(void **state)
{
	(void)state;
	return corm_exec(db, "DELETE FROM pin") || corm_exec(db, "DELETE FROM tag")
		|| corm_exec(db, "DELETE FROM note")
		|| corm_exec(db, "DELETE FROM kitchen_sink") ? -1 : 0;
}

/* ------------------------------------------------------------------ checks */

static void assert_str_equal(corm_str got, corm_str want)
{
	if (want.ptr == NULL) {
		assert_null(got.ptr);
		return;
	}
	assert_non_null(got.ptr);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.ptr, want.ptr, want.len);
	assert_int_equal(got.ptr[got.len], '\0'); /* read text is terminated */
}

static void assert_kitchen_equal(const kitchen *got, const kitchen *want)
{
	assert_int_equal(got->id, want->id);
	assert_int_equal(got->small, want->small);
	assert_int_equal(got->medium, want->medium);
	assert_int_equal(got->has_large, want->has_large);
	if (want->has_large)
		assert_int_equal(got->large, want->large);
	assert_true(got->ratio == want->ratio);
	assert_int_equal(got->has_precise, want->has_precise);
	if (want->has_precise)
		assert_memory_equal(&got->precise, &want->precise, sizeof(double));
	assert_int_equal(got->flag, want->flag);
	assert_str_equal(got->label, want->label);
	assert_str_equal(got->body, want->body);
	if (want->blob.ptr) {
		assert_non_null(got->blob.ptr);
		assert_int_equal(got->blob.len, want->blob.len);
		assert_memory_equal(got->blob.ptr, want->blob.ptr, want->blob.len);
	} else {
		assert_null(got->blob.ptr);
	}
	assert_str_equal(got->price, want->price);
	assert_int_equal(got->has_day, want->has_day);
	if (want->has_day)
		assert_memory_equal(&got->day, &want->day, sizeof(corm_date));
	assert_int_equal(got->has_clock, want->has_clock);
	if (want->has_clock) {
		assert_int_equal(got->clock.hour, want->clock.hour);
		assert_int_equal(got->clock.minute, want->clock.minute);
		assert_int_equal(got->clock.second, want->clock.second);
		assert_int_equal(got->clock.usec, want->clock.usec);
	}
	assert_int_equal(got->stamp.usec, want->stamp.usec);
	assert_int_equal(got->has_uid, want->has_uid);
	if (want->has_uid)
		assert_memory_equal(&got->uid, &want->uid, sizeof(corm_uuid));
	assert_str_equal(got->doc, want->doc);
	assert_int_equal(got->mood, want->mood);
	assert_int_equal(got->has_legacy, want->has_legacy);
	if (want->has_legacy)
		assert_int_equal(got->legacy, want->legacy);
}

/* A row with a value at or near the edge of every type. */
static void fill_extremes(kitchen *k, unsigned char *blob, size_t blob_len)
{
	static const char quotes[] = "O'Brien \"x\" \\ `;-- ? $1 %_ \xF0\x9F\x99\x82";

	kitchen_init(k);
	k->small = INT16_MIN;
	k->medium = INT32_MAX;
	k->has_large = true;
	k->large = INT64_MIN;
	k->ratio = -FLT_MAX;
	k->has_precise = true;
	k->precise = 0.1 + 0.2; /* needs all 17 digits */
	k->flag = true;
	k->label = CORM_STR("edge \xC3\xA9\xE2\x82\xAC");
	k->body = (corm_str){quotes, sizeof(quotes) - 1};
	k->blob = (corm_bytes){blob, blob_len};
	k->price = CORM_STR("-12345678901234.123456");
	k->has_day = true;
	k->day = (corm_date){2024, 2, 29};
	k->has_clock = true;
	k->clock = (corm_time){23, 59, 59, 999999};
	k->stamp.usec = INT64_C(1709214300123456); /* 2024-02-29 13:45:00.123456 */
	k->has_uid = true;
	assert_int_equal(corm_uuid_parse(&k->uid,
				 "0f8fad5b-d9cb-469f-a165-70867728950e", 36), CORM_OK);
	/* In the form PostgreSQL's JSONB prints, which keeps values, not
	 * spelling: it would turn "\u00e9" into "\xC3\xA9" and drop spaces. */
	k->doc = CORM_STR("{\"a\": [1, 2], \"b\": \"\xC3\xA9\"}");
	k->mood = MOOD_SAD;
	k->has_legacy = true;
	k->legacy = INT32_MIN;
}

/* ------------------------------------------------------------------- tests */

static void test_crud__every_type_round_trips_with_extremes(void **state)
{
	unsigned char blob[70000];
	kitchen k, got;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(i % 7 == 0 ? 0 : i);
	fill_extremes(&k, blob, sizeof(blob));
	OK(kitchen_insert(db, &k));
	assert_true(k.id > 0);
	OK(kitchen_get(&got, db, k.id, &arena));
	assert_kitchen_equal(&got, &k);
}

static void test_crud__nulls_round_trip_in_every_nullable_field(void **state)
{
	kitchen k, got;

	(void)state;
	kitchen_init(&k); /* nullable fields start NULL */
	k.label = CORM_STR("all nulls");
	k.price = CORM_STR("0.000000");
	k.stamp.usec = 0;
	OK(kitchen_insert(db, &k));
	memset(&got, 0xAB, sizeof(got)); /* every has_ flag garbage first */
	OK(kitchen_get(&got, db, k.id, &arena));
	assert_false(got.has_large);
	assert_false(got.has_precise);
	assert_null(got.body.ptr);
	assert_null(got.blob.ptr);
	assert_false(got.has_day);
	assert_false(got.has_clock);
	assert_false(got.has_uid);
	assert_null(got.doc.ptr);
	assert_false(got.has_legacy);
	assert_kitchen_equal(&got, &k);
}

static void test_crud__empty_text_and_bytes_are_not_null(void **state)
{
	kitchen k, got;

	(void)state;
	kitchen_init(&k);
	k.label = CORM_STR("empty");
	k.price = CORM_STR("1.000000");
	k.body = CORM_STR("");
	k.blob = (corm_bytes){"", 0};
	OK(kitchen_insert(db, &k));
	OK(kitchen_get(&got, db, k.id, &arena));
	assert_non_null(got.body.ptr);
	assert_int_equal(got.body.len, 0);
	assert_non_null(got.blob.ptr);
	assert_int_equal(got.blob.len, 0);
}

static void test_crud__init_sets_the_schema_defaults(void **state)
{
	kitchen k;
	corm_timestamp before = corm_timestamp_now();

	(void)state;
	kitchen_init(&k);
	assert_int_equal(k.small, -7);
	assert_true(k.ratio == 1.5f);
	assert_false(k.flag);
	assert_str_equal(k.price, CORM_STR("0.500000"));
	assert_int_equal(k.mood, MOOD_MEH);
	assert_true(k.stamp.usec >= before.usec);
	assert_false(k.has_large);
}

static void test_crud__update_writes_every_field(void **state)
{
	unsigned char blob[3] = {1, 0, 2};
	kitchen k, got;

	(void)state;
	kitchen_init(&k);
	k.label = CORM_STR("before");
	k.price = CORM_STR("2.000000");
	OK(kitchen_insert(db, &k));
	fill_extremes(&got, blob, sizeof(blob));
	got.id = k.id;
	OK(kitchen_update(db, &got));
	OK(kitchen_get(&k, db, got.id, &arena));
	assert_kitchen_equal(&k, &got);
	/* And back to NULLs. */
	got.has_large = got.has_day = got.has_uid = false;
	got.body = corm_str_of(NULL);
	got.blob = (corm_bytes){NULL, 0};
	OK(kitchen_update(db, &got));
	OK(kitchen_get(&k, db, got.id, &arena));
	assert_kitchen_equal(&k, &got);
}

static void test_crud__missing_rows_are_enotfound(void **state)
{
	kitchen k;

	(void)state;
	kitchen_init(&k);
	k.id = 987654321;
	k.label = CORM_STR("ghost");
	k.price = CORM_STR("0.000000");
	assert_int_equal(kitchen_get(&k, db, 987654321, &arena), CORM_ENOTFOUND);
	assert_non_null(strstr(corm_errmsg(db), "no Kitchen"));
	assert_int_equal(kitchen_update(db, &k), CORM_ENOTFOUND);
	assert_int_equal(kitchen_delete(db, 987654321), CORM_ENOTFOUND);
}

static void test_crud__delete_removes_the_row(void **state)
{
	kitchen k;

	(void)state;
	kitchen_init(&k);
	k.label = CORM_STR("doomed");
	k.price = CORM_STR("0.000000");
	OK(kitchen_insert(db, &k));
	OK(kitchen_delete(db, k.id));
	assert_int_equal(kitchen_get(&k, db, k.id, &arena), CORM_ENOTFOUND);
}

static void test_crud__upsert_on_unique_gives_back_the_existing_key(
	void **state)
{
	kitchen a, b, got;

	(void)state;
	kitchen_init(&a);
	a.label = CORM_STR("same label");
	a.price = CORM_STR("1.000000");
	a.medium = 1;
	OK(kitchen_upsert_by_label(db, &a)); /* inserts */
	assert_true(a.id > 0);
	kitchen_init(&b);
	b.label = CORM_STR("same label");
	b.price = CORM_STR("2.000000");
	b.medium = 2;
	OK(kitchen_upsert_by_label(db, &b)); /* updates */
	assert_int_equal(b.id, a.id);
	OK(kitchen_get(&got, db, a.id, &arena));
	assert_int_equal(got.medium, 2);
	assert_str_equal(got.price, CORM_STR("2.000000"));
}

static void test_crud__upsert_on_key_inserts_then_updates(void **state)
{
	kitchen k, got;

	(void)state;
	kitchen_init(&k);
	k.id = 424242;
	k.label = CORM_STR("by key");
	k.price = CORM_STR("3.000000");
	OK(kitchen_upsert(db, &k));
	k.medium = 77;
	OK(kitchen_upsert(db, &k));
	OK(kitchen_get(&got, db, 424242, &arena));
	assert_int_equal(got.medium, 77);
}

static void test_crud__composite_key_through_a_relation(void **state)
{
	kitchen k;
	tag t, got;

	(void)state;
	kitchen_init(&k);
	k.label = CORM_STR("tagged");
	k.price = CORM_STR("0.000000");
	OK(kitchen_insert(db, &k));
	tag_init(&t);
	assert_int_equal(t.weight, 1);
	t.kitchen_id = k.id;
	t.name = CORM_STR("red");
	OK(tag_insert(db, &t));
	t.name = CORM_STR("blue");
	t.weight = 5;
	OK(tag_insert(db, &t));
	OK(tag_get(&got, db, k.id, CORM_STR("blue"), &arena));
	assert_int_equal(got.weight, 5);
	got.weight = 9;
	OK(tag_update(db, &got));
	OK(tag_get(&got, db, k.id, CORM_STR("blue"), &arena));
	assert_int_equal(got.weight, 9);
	t.weight = 11;
	OK(tag_upsert(db, &t)); /* the key exists: update */
	OK(tag_get(&got, db, k.id, CORM_STR("blue"), &arena));
	assert_int_equal(got.weight, 11);
	OK(tag_delete(db, k.id, CORM_STR("red")));
	assert_int_equal(tag_get(&got, db, k.id, CORM_STR("red"), &arena),
		CORM_ENOTFOUND);
	/* ON DELETE CASCADE takes the rest with the kitchen. */
	OK(kitchen_delete(db, k.id));
	assert_int_equal(tag_get(&got, db, k.id, CORM_STR("blue"), &arena),
		CORM_ENOTFOUND);
}

static void test_crud__foreign_key_actions_and_errors(void **state)
{
	kitchen k;
	note n;
	pin p;

	(void)state;
	kitchen_init(&k);
	k.label = CORM_STR("parent");
	k.price = CORM_STR("0.000000");
	OK(kitchen_insert(db, &k));
	note_init(&n);
	n.has_kitchen_id = true;
	n.kitchen_id = k.id;
	n.title = CORM_STR("hello");
	OK(note_insert(db, &n));
	assert_true(n.id > 0);
	/* A second note with the same (kitchen, title) is a unique error. */
	n.id = 0;
	assert_int_equal(note_insert(db, &n), CORM_EUNIQUE);
	pin_init(&p);
	p.id = 1;
	p.kitchen_id = k.id + 1000; /* no such kitchen */
	assert_int_equal(pin_insert(db, &p), CORM_EFOREIGNKEY);
	p.kitchen_id = k.id;
	OK(pin_insert(db, &p));
	/* RESTRICT: the pin holds the kitchen. */
	assert_int_equal(kitchen_delete(db, k.id), CORM_EFOREIGNKEY);
	OK(pin_delete(db, 1));
	/* With the pin gone the kitchen can go (the note is SET NULL). */
	OK(kitchen_delete(db, k.id));
	assert_int_equal(kitchen_get(&k, db, k.id, &arena), CORM_ENOTFOUND);
}

static void test_crud__set_null_keeps_the_child(void **state)
{
	kitchen k;
	note n, got;

	(void)state;
	kitchen_init(&k);
	k.label = CORM_STR("set null parent");
	k.price = CORM_STR("0.000000");
	OK(kitchen_insert(db, &k));
	note_init(&n);
	n.has_kitchen_id = true;
	n.kitchen_id = k.id;
	n.title = CORM_STR("orphan to be");
	OK(note_insert(db, &n));
	OK(kitchen_delete(db, k.id));
	OK(note_get(&got, db, n.id, &arena));
	assert_false(got.has_kitchen_id);
	assert_str_equal(got.title, CORM_STR("orphan to be"));
}

static void test_crud__insert_many_crosses_batch_boundaries(void **state)
{
	enum { N = 2345 };
	static kitchen rows[N];
	static char labels[N][24];
	corm_stmt *st;
	int64_t count, sum;
	int i;

	(void)state;
	for (i = 0; i < N; i++) {
		kitchen_init(&rows[i]);
		snprintf(labels[i], sizeof(labels[i]), "bulk %d", i);
		rows[i].label = corm_str_of(labels[i]);
		rows[i].price = CORM_STR("1.000000");
		rows[i].medium = i;
		rows[i].has_day = i % 2 == 0;
		rows[i].day = (corm_date){2000, 1, 1};
	}
	OK(kitchen_insert_many(db, rows, N));
	OK(corm_stmt_prepare(&st, db,
		"SELECT COUNT(*), SUM(medium) FROM kitchen_sink"));
	assert_int_equal(corm_step(st), CORM_ROW);
	OK(corm_column_int64(&count, st, 0));
	OK(corm_column_int64(&sum, st, 1));
	corm_stmt_free(st);
	assert_int_equal(count, N);
	assert_int_equal(sum, (int64_t)N * (N - 1) / 2);
}

/* Issue 12: on PostgreSQL, timestamps were written without an offset and
 * read in the session's TimeZone, which PGTZ (or a URL's options) can
 * set: every one was stored 5 h 30 early under Asia/Kolkata; PGDATESTYLE
 * made them unreadable. Through a connection with both set, one row by
 * insert and 150 by insert_many (PostgreSQL's COPY) keep their instant,
 * as a UTC connection reads them and as the shifted one does. */
static void read_stamps(corm_conn *c, corm_timestamp want, size_t n)
{
	kitchen_query *q = NULL;
	kitchen_list list;
	size_t i;

	if (kitchen_query_new(&q, c) != CORM_OK ||
		kitchen_query_all(&list, q) != CORM_OK)
		fail_msg("reading: %s", corm_errmsg(c));
	assert_int_equal(list.count, n);
	for (i = 0; i < list.count; i++)
		if (list.items[i].stamp.usec != want.usec)
			fail_msg("row %zu: stamp %lld, stored %lld", i,
				(long long)list.items[i].stamp.usec,
				(long long)want.usec);
	kitchen_list_free(&list);
	kitchen_query_free(q);
}

static void test_crud__timestamps_ignore_the_session_time_zone(void **state)
{
	enum { N = 151 };
	static kitchen rows[N];
	static char labels[N][24];
	corm_timestamp when;
	corm_conn *shifted = NULL;
	int i;

	(void)state;
	assert_int_equal(corm_timestamp_parse(&when, "2024-02-29 13:45:00.25",
		22), CORM_OK);
	setenv("PGTZ", "Asia/Kolkata", 1);
	setenv("PGDATESTYLE", "SQL, DMY", 1);
	i = corm_conn_open(&shifted, engine.url);
	unsetenv("PGTZ");
	unsetenv("PGDATESTYLE");
	if (i != CORM_OK)
		fail_msg("open: %s", corm_errmsg(NULL));
	for (i = 0; i < N; i++) {
		kitchen_init(&rows[i]);
		snprintf(labels[i], sizeof(labels[i]), "tz %d", i);
		rows[i].label = corm_str_of(labels[i]);
		rows[i].stamp = when;
	}
	if (kitchen_insert(shifted, &rows[0]) != CORM_OK ||
		kitchen_insert_many(shifted, rows + 1, N - 1) != CORM_OK)
		fail_msg("insert: %s", corm_errmsg(shifted));
	read_stamps(db, when, N);
	read_stamps(shifted, when, N);
	if (strcmp(engine.name, "postgres") == 0) {
		/* The COPY's UTC was put back. */
		corm_stmt *st = NULL;
		const char *zone = NULL;
		size_t len = 0;

		OK(corm_stmt_prepare(&st, shifted,
			"SELECT current_setting('TimeZone')"));
		assert_int_equal(corm_step(st), CORM_ROW);
		OK(corm_column_text(&zone, &len, st, 0));
		assert_true(len == 12 && memcmp(zone, "Asia/Kolkata", 12) == 0);
		corm_stmt_free(st);
	}
	corm_conn_close(shifted);
}

static void test_crud__extremes_through_upsert_and_insert_many(void **state)
{
	unsigned char blob[5000];
	kitchen rows[2], got;
	kitchen_query *q = NULL;
	kitchen_list list;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(255 - i % 256);
	/* upsert on the key: inserts, then updates with the same extremes */
	fill_extremes(&rows[0], blob, sizeof(blob));
	rows[0].id = 77;
	OK(kitchen_upsert(db, &rows[0]));
	OK(kitchen_upsert(db, &rows[0]));
	OK(kitchen_get(&got, db, 77, &arena));
	assert_kitchen_equal(&got, &rows[0]);
	/* upsert on a unique: the key comes back */
	rows[0].id = 0;
	OK(kitchen_upsert_by_label(db, &rows[0]));
	assert_int_equal(rows[0].id, 77);
	/* insert_many of extreme rows, read back by label */
	fill_extremes(&rows[0], blob, sizeof(blob));
	rows[0].label = CORM_STR("many one");
	fill_extremes(&rows[1], blob, 0);
	rows[1].label = CORM_STR("many two");
	rows[1].has_large = false;
	rows[1].body = corm_str_of(NULL);
	OK(kitchen_insert_many(db, rows, 2));
	OK(kitchen_query_new(&q, db));
	kitchen_where(q, kitchen_starts_with(q, KITCHEN_LABEL,
				 CORM_STR("many ")));
	kitchen_order_by(q, KITCHEN_LABEL, CORM_ASC);
	OK(kitchen_query_all(&list, q));
	assert_int_equal(list.count, 2);
	for (i = 0; i < 2; i++) {
		rows[i].id = list.items[i].id; /* generated by the database */
		assert_kitchen_equal(&list.items[i], &rows[i]);
	}
	kitchen_list_free(&list);
	kitchen_query_free(q);
}

/* 150 rows: enough for PostgreSQL's COPY path (other engines batch
 * INSERTs), with every character COPY's text format must escape. */
static void test_crud__large_bulk_insert_keeps_every_byte(void **state)
{
	enum { N = 150 };
	static kitchen rows[N];
	static char labels[N][16];
	static const char body[] = "tab\there\nnew line\r\\N back\\slash";
	unsigned char blob[300];
	kitchen_query *q = NULL;
	kitchen_list list;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(blob); i++)
		blob[i] = (unsigned char)(i % 3 ? i : 0);
	for (i = 0; i < N; i++) {
		fill_extremes(&rows[i], blob, sizeof(blob));
		snprintf(labels[i], sizeof(labels[i]), "big %03zu", i);
		rows[i].label = corm_str_of(labels[i]);
		rows[i].body = (corm_str){body, sizeof(body) - 1};
		if (i % 2) { /* every nullable field NULL in half the rows */
			rows[i].has_large = rows[i].has_precise = false;
			rows[i].has_day = rows[i].has_clock = false;
			rows[i].has_uid = rows[i].has_legacy = false;
			rows[i].body = corm_str_of(NULL);
			rows[i].blob = (corm_bytes){NULL, 0};
			rows[i].doc = corm_str_of(NULL);
		}
	}
	OK(kitchen_insert_many(db, rows, N));
	OK(kitchen_query_new(&q, db));
	kitchen_where(q, kitchen_starts_with(q, KITCHEN_LABEL, CORM_STR("big ")));
	kitchen_order_by(q, KITCHEN_LABEL, CORM_ASC);
	OK(kitchen_query_all(&list, q));
	assert_int_equal(list.count, N);
	for (i = 0; i < N; i++) {
		rows[i].id = list.items[i].id;
		assert_kitchen_equal(&list.items[i], &rows[i]);
	}
	kitchen_list_free(&list);
	kitchen_query_free(q);
}

static void test_crud__large_bulk_insert_is_all_or_nothing(void **state)
{
	enum { N = 200 };
	static kitchen rows[N];
	static char labels[N][16];
	corm_stmt *st;
	int64_t count;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		kitchen_init(&rows[i]);
		snprintf(labels[i], sizeof(labels[i]), "row %zu", i);
		rows[i].label = corm_str_of(labels[i]);
		rows[i].price = CORM_STR("1.000000");
	}
	rows[N - 1].label = rows[3].label; /* the last row clashes */
	assert_int_equal(kitchen_insert_many(db, rows, N), CORM_EUNIQUE);
	assert_int_equal(corm_tx_depth(db), 0);
	OK(corm_stmt_prepare(&st, db, "SELECT COUNT(*) FROM kitchen_sink"));
	assert_int_equal(corm_step(st), CORM_ROW);
	OK(corm_column_int64(&count, st, 0));
	corm_stmt_free(st);
	assert_int_equal(count, 0);
}

static void test_crud__insert_many_is_all_or_nothing(void **state)
{
	kitchen rows[3];
	corm_stmt *st;
	int64_t count;
	int i;

	(void)state;
	for (i = 0; i < 3; i++) {
		kitchen_init(&rows[i]);
		rows[i].label = CORM_STR("duplicate"); /* the third clashes */
		rows[i].price = CORM_STR("0.000000");
	}
	rows[1].label = CORM_STR("unique one");
	assert_int_equal(kitchen_insert_many(db, rows, 3), CORM_EUNIQUE);
	assert_int_equal(corm_tx_depth(db), 0);
	OK(corm_stmt_prepare(&st, db, "SELECT COUNT(*) FROM kitchen_sink"));
	assert_int_equal(corm_step(st), CORM_ROW);
	OK(corm_column_int64(&count, st, 0));
	corm_stmt_free(st);
	assert_int_equal(count, 0);
}

/* A value refused far into a large insert_many (on PostgreSQL, in a later
 * batch of one COPY already under way) leaves no row and the connection
 * usable. */
static void test_crud__insert_many_refuses_a_late_row(void **state)
{
	enum { N = 1800 };
	static kitchen rows[N];
	static char labels[N][24];
	corm_stmt *st;
	int64_t count;
	int i;

	(void)state;
	for (i = 0; i < N; i++) {
		kitchen_init(&rows[i]);
		snprintf(labels[i], sizeof(labels[i]), "late %d", i);
		rows[i].label = corm_str_of(labels[i]);
		rows[i].price = CORM_STR("0.000000");
		rows[i].medium = i;
	}
	rows[N - 300].body = (corm_str){"a\0b", 3};
	assert_int_equal(kitchen_insert_many(db, rows, N), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "NUL"));
	assert_int_equal(corm_tx_depth(db), 0);
	OK(corm_stmt_prepare(&st, db, "SELECT COUNT(*) FROM kitchen_sink"));
	assert_int_equal(corm_step(st), CORM_ROW);
	OK(corm_column_int64(&count, st, 0));
	corm_stmt_free(st);
	assert_int_equal(count, 0);
}

/* Text that one engine would store and another refuse is refused on all:
 * a NUL byte, invalid UTF-8, more characters than string(N) holds. */
static void test_crud__unstorable_text_is_refused_everywhere(void **state)
{
	char forty[41], forty_one[42];
	kitchen k;
	kitchen_query *q = NULL;
	int64_t n;

	(void)state;
	memset(forty, 'x', 40);
	forty[40] = '\0';
	memset(forty_one, 'y', 41);
	forty_one[41] = '\0';
	kitchen_init(&k);
	k.price = CORM_STR("0.000000");
	k.label = corm_str_of(forty); /* string(40): exactly full */
	OK(kitchen_insert(db, &k));
	k.label = CORM_STR("\xC3\xA9\xC3\xA9"); /* 2 characters, 4 bytes */
	OK(kitchen_update(db, &k));
	k.label = corm_str_of(forty_one);
	assert_int_equal(kitchen_update(db, &k), CORM_ETOOLONG);
	assert_non_null(strstr(corm_errmsg(db), "string(40)"));
	k.label = (corm_str){"a\0b", 3};
	assert_int_equal(kitchen_insert(db, &k), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "NUL"));
	k.label = CORM_STR("bad \xC3\x28 utf8");
	assert_int_equal(kitchen_insert(db, &k), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "UTF-8"));
	k.label = CORM_STR("ok");
	k.body = CORM_STR("overlong \xC0\xAF slash");
	assert_int_equal(kitchen_insert(db, &k), CORM_EINVAL);
	assert_int_equal(kitchen_insert_many(db, &k, 1), CORM_EINVAL);
	/* update-where checks what it writes too */
	OK(kitchen_query_new(&q, db));
	kitchen_set(q, KITCHEN_LABEL, corm_str_of(forty_one));
	assert_int_equal(kitchen_query_update(&n, q), CORM_ETOOLONG);
	kitchen_query_free(q);
	/* bytes may hold anything */
	k.body = corm_str_of(NULL);
	k.blob = (corm_bytes){"\0\xC3\x28", 3};
	OK(kitchen_insert(db, &k));
}

/* SQL with `?` placeholders in the connection's dialect ($1.. on
 * PostgreSQL), into `out`. */
static void sql_for(char *out, size_t size, const char *sql)
{
	corm_buf b = CORM_BUF_INIT;
	int n = 0;

	for (; *sql; sql++)
		if (*sql == '?')
			corm_dialect_placeholder(&b, corm_conn_dialect(db), ++n);
		else
			corm_buf_putc(&b, *sql);
	assert_true(b.len < size);
	memcpy(out, corm_buf_cstr(&b), b.len + 1);
	corm_buf_free(&b);
}

/* Run `sql` binding a label and the two integers (small, medium). */
static int write_ints(const char *sql, const char *label, int64_t small,
	int64_t medium)
{
	char text[256];
	corm_stmt *st = NULL;
	int rc;

	sql_for(text, sizeof(text), sql);
	OK(corm_stmt_prepare(&st, db, text));
	OK(corm_bind_text(st, 1, label, CORM_NTS));
	OK(corm_bind_int64(st, 2, small));
	OK(corm_bind_int64(st, 3, medium));
	rc = corm_step(st);
	corm_stmt_free(st);
	return rc == CORM_DONE ? CORM_OK : rc;
}

static void assert_ints(const char *label, int64_t small, int64_t medium)
{
	char text[256];
	corm_stmt *st = NULL;
	int64_t got_small, got_medium;

	sql_for(text, sizeof(text),
		"SELECT small, medium FROM kitchen_sink WHERE label_text = ?");
	OK(corm_stmt_prepare(&st, db, text));
	OK(corm_bind_text(st, 1, label, CORM_NTS));
	assert_int_equal(corm_step(st), CORM_ROW);
	OK(corm_column_int64(&got_small, st, 0));
	OK(corm_column_int64(&got_medium, st, 1));
	corm_stmt_free(st);
	assert_int_equal(got_small, small);
	assert_int_equal(got_medium, medium);
}

/*
 * Generated code cannot write 40000 into an i16 (its C type is int16_t),
 * but raw SQL or another program can. Every engine refuses it with
 * CORM_ERANGE: PostgreSQL (22003), MySQL in strict mode (1264), SQLite by
 * the range CHECK corm's DDL gives i16 and i32 columns. At the bounds the
 * value is stored and read back exactly, also through generated code.
 */
static void test_crud__an_integer_out_of_its_column_range_is_erange(void **s)
{
	static const char insert[] = "INSERT INTO kitchen_sink (label_text, "
		"small, medium) VALUES (?, ?, ?)";
	static const char update[] = "UPDATE kitchen_sink SET label_text = ?, "
		"small = ?, medium = ? WHERE label_text = 'at the bounds'";
	/* Past each bound of small (i16), then of medium (i32). */
	static const struct {
		const char *column;
		int64_t small, medium;
	} past[] = {
		{"small", INT16_MIN - 1, 0},
		{"small", INT16_MAX + 1, 0},
		{"medium", 0, (int64_t)INT32_MIN - 1},
		{"medium", 0, (int64_t)INT32_MAX + 1},
	};
	/* PostgreSQL's message names the type ("smallint out of range"),
	 * not the column. */
	bool names_column = strcmp(engine.name, "postgres") != 0;
	kitchen_query *q = NULL;
	kitchen got;
	size_t i;

	(void)s;
	OK(write_ints(insert, "at the bounds", INT16_MIN, INT32_MIN));
	assert_ints("at the bounds", INT16_MIN, INT32_MIN);
	OK(write_ints(update, "at the bounds", INT16_MAX, INT32_MAX));
	assert_ints("at the bounds", INT16_MAX, INT32_MAX);
	for (i = 0; i < sizeof(past) / sizeof(past[0]); i++) {
		int rc = write_ints(insert, "past a bound", past[i].small,
			past[i].medium);

		if (rc != CORM_ERANGE)
			fail_msg("INSERT %s = %lld: %s: %s", past[i].column,
				(long long)(past[i].small + past[i].medium),
				corm_strerror(rc), corm_errmsg(db));
		if (names_column)
			assert_non_null(strstr(corm_errmsg(db), past[i].column));
		rc = write_ints(update, "past a bound", past[i].small,
			past[i].medium);
		if (rc != CORM_ERANGE)
			fail_msg("UPDATE %s = %lld: %s: %s", past[i].column,
				(long long)(past[i].small + past[i].medium),
				corm_strerror(rc), corm_errmsg(db));
		if (names_column)
			assert_non_null(strstr(corm_errmsg(db), past[i].column));
	}
	/* Nothing was written; the row at the bounds reads back intact into
	 * the generated struct's int16_t and int32_t. */
	assert_ints("at the bounds", INT16_MAX, INT32_MAX);
	OK(kitchen_query_new(&q, db));
	OK(kitchen_query_first(&got, q, &arena));
	kitchen_query_free(q);
	assert_int_equal(got.small, INT16_MAX);
	assert_int_equal(got.medium, INT32_MAX);
}

static void test_crud__enum_text_conversions(void **state)
{
	mood m;

	(void)state;
	assert_string_equal(mood_to_string(MOOD_HAPPY), "happy");
	assert_null(mood_to_string((mood)42));
	assert_int_equal(mood_from_string(&m, "meh", 3), CORM_OK);
	assert_int_equal(m, MOOD_MEH);
	assert_int_equal(mood_from_string(&m, "mehh", 4), CORM_EINVAL);
}

static void test_crud__an_enum_value_out_of_range_is_refused(void **state)
{
	kitchen k;

	(void)state;
	kitchen_init(&k);
	k.label = CORM_STR("bad mood");
	k.price = CORM_STR("0.000000");
	k.mood = (mood)7;
	assert_int_equal(kitchen_insert(db, &k), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "Mood"));
}

/* A value that is not a member, written by hand: the CHECK (SQLite,
 * PostgreSQL) or the native ENUM (MySQL, error 1265) refuses it alike. */
static void test_crud__a_non_member_in_an_enum_column_is_echeck(void **state)
{
	(void)state;
	assert_int_equal(corm_exec(db, "INSERT INTO kitchen_sink (medium, "
		"label_text, mood) VALUES (1, 'not a mood', 'angry')"), CORM_ECHECK);
}

static void test_crud__reserved_words_name_tables_and_columns(void **state)
{
	user u, ugot;
	order o, ogot;
	group g, ggot;
	int16_t first_id;

	(void)state;
	user_init(&u);
	assert_int_equal(u.dflt, 3);
	u.select = CORM_STR("everything");
	OK(user_insert(db, &u));
	order_init(&o);
	o.user_id = u.id;
	o.group = CORM_STR("by");
	OK(order_insert(db, &o));
	group_init(&g);
	g.order = 5;
	OK(group_insert(db, &g));
	OK(user_get(&ugot, db, u.id, &arena));
	assert_str_equal(ugot.select, CORM_STR("everything"));
	assert_int_equal(ugot.dflt, 3);
	OK(order_get(&ogot, db, o.id, &arena));
	assert_str_equal(ogot.group, CORM_STR("by"));
	/* Upserting the same `order` finds the existing row's key. */
	first_id = g.id;
	g.id = 0;
	OK(group_upsert_by_order(db, &g));
	assert_int_equal(g.id, first_id);
	OK(group_get(&ggot, db, g.id, &arena));
	assert_int_equal(ggot.order, 5);
	OK(user_delete(db, u.id)); /* cascades to the order */
	assert_int_equal(order_get(&ogot, db, o.id, &arena), CORM_ENOTFOUND);
	OK(group_delete(db, g.id));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, empty_tables)
		T(test_crud__every_type_round_trips_with_extremes),
		T(test_crud__nulls_round_trip_in_every_nullable_field),
		T(test_crud__empty_text_and_bytes_are_not_null),
		T(test_crud__init_sets_the_schema_defaults),
		T(test_crud__update_writes_every_field),
		T(test_crud__missing_rows_are_enotfound),
		T(test_crud__delete_removes_the_row),
		T(test_crud__upsert_on_unique_gives_back_the_existing_key),
		T(test_crud__upsert_on_key_inserts_then_updates),
		T(test_crud__composite_key_through_a_relation),
		T(test_crud__foreign_key_actions_and_errors),
		T(test_crud__set_null_keeps_the_child),
		T(test_crud__insert_many_crosses_batch_boundaries),
		T(test_crud__timestamps_ignore_the_session_time_zone),
		T(test_crud__extremes_through_upsert_and_insert_many),
		T(test_crud__insert_many_is_all_or_nothing),
		T(test_crud__insert_many_refuses_a_late_row),
		T(test_crud__large_bulk_insert_keeps_every_byte),
		T(test_crud__large_bulk_insert_is_all_or_nothing),
		T(test_crud__unstorable_text_is_refused_everywhere),
		T(test_crud__enum_text_conversions),
		T(test_crud__an_enum_value_out_of_range_is_refused),
		T(test_crud__a_non_member_in_an_enum_column_is_echeck),
		T(test_crud__an_integer_out_of_its_column_range_is_erange),
		T(test_crud__reserved_words_name_tables_and_columns),
#undef T
	};
	int rc = test_engine_init(&engine, "test_crud", argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
