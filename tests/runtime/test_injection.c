/*
 * test_injection.c — hostile values through every CRUD and query-builder
 * path of generated code, on a real engine. Each value must come back byte
 * for byte, match itself literally (equality, IN, and as a LIKE-family
 * pattern, where %, _, ! and \ are not wildcards), and the schema must be
 * the same afterwards: no value ever reaches SQL text.
 * Usage: test_injection sqlite|postgres|mysql
 */
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

static test_engine engine;
static corm_conn *db;

#define OK(call)                                                             \
	do {                                                                     \
		int rc_ = (call);                                                    \
		if (rc_ != CORM_OK)                                                  \
			fail_msg("%s -> %s: %s", #call, corm_strerror(rc_),              \
				corm_errmsg(db));                                            \
	} while (0)

/* Hostile text: each must be stored and found as exactly these bytes. */
static const char *const corpus[] = {
	"'",
	"''",
	"\"",
	"`",
	"'; DROP TABLE kitchen_sink; --",
	"\"; DROP TABLE \"kitchen_sink\"; --",
	"`); DROP TABLE `kitchen_sink`; -- ",
	"1' OR '1'='1",
	"1 OR 1=1",
	"/* comment */",
	"-- comment",
	"# mysql comment",
	"\\",
	"\\'",
	"\\\\'",
	"\\0",
	"%",
	"_",
	"%_%",
	"!",
	"!%",
	"[*?]",
	"*",
	"$1",
	"?",
	":name",
	"@var",
	"\x01\x02\x1f\x7f",
	"tab\there",
	"new\nline",
	"carriage\rreturn",
	"\xE2\x80\x8B zero width",
	"\xF0\x9F\x92\xA5 emoji",
	"\xEF\xBB\xBF bom",
	"U+10FFFF \xF4\x8F\xBF\xBF",
	"  leading and trailing  ",
	"",
};
#define NCORPUS (sizeof(corpus) / sizeof(corpus[0]))

/* A fingerprint of the schema: every table and column the engine lists. */
static char *schema_fingerprint(void)
{
	const char *sql = strcmp(engine.name, "sqlite") == 0
		? "SELECT m.name || '.' || p.name FROM sqlite_master m, "
		  "pragma_table_info(m.name) p WHERE m.type = 'table' "
		  "ORDER BY 1"
		: strcmp(engine.name, "postgres") == 0
		? "SELECT table_name || '.' || column_name FROM "
		  "information_schema.columns WHERE table_schema = "
		  "current_schema() ORDER BY 1"
		: "SELECT CONCAT(table_name, '.', column_name) FROM "
		  "information_schema.columns WHERE table_schema = DATABASE() "
		  "ORDER BY 1";
	corm_buf b = CORM_BUF_INIT;
	corm_stmt *st;
	const char *t;
	size_t len;

	OK(corm_stmt_prepare(&st, db, sql));
	while (corm_step(st) == CORM_ROW) {
		OK(corm_column_text(&t, &len, st, 0));
		corm_buf_put(&b, t, len);
		corm_buf_putc(&b, '\n');
	}
	corm_stmt_free(st);
	return corm_buf_detach(&b);
}

static int setup(void **state)
{
	(void)state;
	if (corm_conn_open(&db, engine.url) != CORM_OK)
		return -1;
	return test_create_tables(db, "alltypes.corm") == CORM_OK ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	corm_conn_close(db);
	return 0;
}

static int empty(void **state)
{
	(void)state;
	return corm_exec(db, "DELETE FROM tag") ||
		corm_exec(db, "DELETE FROM note") || corm_exec(db, "DELETE FROM pin")
		|| corm_exec(db, "DELETE FROM kitchen_sink") ? -1 : 0;
}

static void assert_str(corm_str got, const char *want, size_t len)
{
	assert_non_null(got.ptr);
	assert_int_equal(got.len, len);
	assert_memory_equal(got.ptr, want, len);
}

/* The rows whose label matches `p`, as a count. */
static int64_t count_where(kitchen_query *q, kitchen_pred *p)
{
	int64_t n = -1;

	kitchen_where(q, p);
	OK(kitchen_query_count(&n, q));
	kitchen_query_free(q);
	return n;
}

static kitchen_query *query(void)
{
	kitchen_query *q = NULL;

	OK(kitchen_query_new(&q, db));
	return q;
}

/* ------------------------------------------------------------------ tests */

static void test_injection__every_value_round_trips_through_crud(
	void **state)
{
	char *before = schema_fingerprint(), *after;
	corm_arena arena = CORM_ARENA_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < NCORPUS; i++) {
		const char *v = corpus[i];
		size_t len = strlen(v);
		char label[40];
		kitchen k, got;

		kitchen_init(&k);
		snprintf(label, sizeof(label), "crud %zu", i);
		k.label = corm_str_of(label);
		k.body = (corm_str){v, len};
		k.doc = CORM_STR("{}");
		k.price = CORM_STR("0.000000");
		OK(kitchen_insert(db, &k));
		OK(kitchen_get(&got, db, k.id, &arena));
		assert_str(got.body, v, len);
		/* update and upsert carry it too */
		got.body = CORM_STR("replaced");
		OK(kitchen_update(db, &got));
		got.body = (corm_str){v, len};
		OK(kitchen_upsert(db, &got));
		OK(kitchen_get(&got, db, k.id, &arena));
		assert_str(got.body, v, len);
		/* and a label (string(40), unique) made of it, via upsert */
		if (len > 0 && len <= 40) {
			k.id = 0;
			k.label = (corm_str){v, len};
			OK(kitchen_upsert_by_label(db, &k));
			OK(kitchen_get(&got, db, k.id, &arena));
			assert_str(got.label, v, len);
		}
	}
	after = schema_fingerprint();
	assert_string_equal(after, before);
	corm_free(before);
	corm_free(after);
	corm_arena_free(&arena);
}

static void test_injection__values_match_themselves_literally(void **state)
{
	size_t i;

	(void)state;
	/* One row per value, label = the value (when it fits). */
	for (i = 0; i < NCORPUS; i++) {
		kitchen k;
		size_t len = strlen(corpus[i]);

		if (len == 0 || len > 40)
			continue;
		kitchen_init(&k);
		k.label = (corm_str){corpus[i], len};
		k.price = CORM_STR("0.000000");
		OK(kitchen_insert(db, &k));
	}
	for (i = 0; i < NCORPUS; i++) {
		corm_str v = corm_str_of(corpus[i]);
		kitchen_query *q;
		size_t j, contains = 0, starts = 0, ends = 0;

		if (v.len == 0 || v.len > 40)
			continue;
		/* What a literal match must find, computed here in C. */
		for (j = 0; j < NCORPUS; j++) {
			size_t lj = strlen(corpus[j]);

			if (lj == 0 || lj > 40 || lj < v.len)
				continue;
			starts += memcmp(corpus[j], v.ptr, v.len) == 0;
			ends += memcmp(corpus[j] + lj - v.len, v.ptr, v.len) == 0;
			for (size_t k = 0; k + v.len <= lj; k++)
				if (memcmp(corpus[j] + k, v.ptr, v.len) == 0) {
					contains++;
					break;
				}
		}
		q = query();
		assert_int_equal(count_where(q, kitchen_eq(q, KITCHEN_LABEL, v)), 1);
		q = query();
		assert_int_equal(count_where(q, kitchen_in(q, KITCHEN_LABEL, &v, 1)),
			1);
		q = query();
		if (count_where(q, kitchen_starts_with(q, KITCHEN_LABEL, v)) !=
			(int64_t)starts)
			fail_msg("starts_with(%s) is not literal", corpus[i]);
		q = query();
		if (count_where(q, kitchen_ends_with(q, KITCHEN_LABEL, v)) !=
			(int64_t)ends)
			fail_msg("ends_with(%s) is not literal", corpus[i]);
		q = query();
		if (count_where(q, kitchen_contains(q, KITCHEN_LABEL, v)) !=
			(int64_t)contains)
			fail_msg("contains(%s) is not literal", corpus[i]);
	}
}

static void test_injection__update_and_delete_where_take_values_as_data(
	void **state)
{
	char *before = schema_fingerprint(), *after;
	kitchen k;
	int64_t n;
	size_t i;

	(void)state;
	kitchen_init(&k);
	k.label = CORM_STR("target");
	k.price = CORM_STR("0.000000");
	OK(kitchen_insert(db, &k));
	for (i = 0; i < NCORPUS; i++) {
		kitchen_query *q = query();
		corm_str v = corm_str_of(corpus[i]);

		kitchen_where(q, kitchen_eq(q, KITCHEN_LABEL, CORM_STR("target")));
		kitchen_set(q, KITCHEN_BODY, v);
		OK(kitchen_query_update(&n, q));
		assert_int_equal(n, 1);
		kitchen_query_free(q);
		q = query();
		kitchen_where(q, kitchen_eq(q, KITCHEN_BODY, v));
		OK(kitchen_query_count(&n, q));
		assert_int_equal(n, 1);
		kitchen_query_free(q);
		q = query(); /* a delete that matches nothing deletes nothing */
		kitchen_where(q, kitchen_eq(q, KITCHEN_LABEL, v));
		kitchen_where(q, kitchen_eq(q, KITCHEN_LABEL, CORM_STR("nomatch")));
		OK(kitchen_query_delete(&n, q));
		assert_int_equal(n, 0);
		kitchen_query_free(q);
	}
	after = schema_fingerprint();
	assert_string_equal(after, before);
	corm_free(before);
	corm_free(after);
}

static void test_injection__bulk_paths_keep_every_byte(void **state)
{
	enum { N = 120 }; /* past the COPY threshold on PostgreSQL */
	static kitchen rows[N];
	static char labels[N][16];
	kitchen_query *q;
	kitchen_list list;
	size_t i;

	(void)state;
	for (i = 0; i < N; i++) {
		kitchen_init(&rows[i]);
		snprintf(labels[i], sizeof(labels[i]), "bulk %03zu", i);
		rows[i].label = corm_str_of(labels[i]);
		rows[i].price = CORM_STR("0.000000");
		rows[i].body = corm_str_of(corpus[i % NCORPUS]);
	}
	OK(kitchen_insert_many(db, rows, N));
	q = query();
	kitchen_order_by(q, KITCHEN_LABEL, CORM_ASC);
	OK(kitchen_query_all(&list, q));
	assert_int_equal(list.count, N);
	for (i = 0; i < N; i++)
		assert_str(list.items[i].body, corpus[i % NCORPUS],
			strlen(corpus[i % NCORPUS]));
	kitchen_list_free(&list);
	kitchen_query_free(q);
}

static void test_injection__very_long_values_round_trip(void **state)
{
	size_t len = 1 << 20, i;
	char *big = malloc(len);
	corm_arena arena = CORM_ARENA_INIT;
	kitchen k, got;
	kitchen_query *q;

	(void)state;
	assert_non_null(big);
	for (i = 0; i < len; i++)
		big[i] = "';--\\%_!`\"x"[i % 11];
	kitchen_init(&k);
	k.label = CORM_STR("big");
	k.price = CORM_STR("0.000000");
	k.body = (corm_str){big, len};
	OK(kitchen_insert(db, &k));
	OK(kitchen_get(&got, db, k.id, &arena));
	assert_str(got.body, big, len);
	q = query();
	assert_int_equal(count_where(q, kitchen_eq(q, KITCHEN_BODY,
					(corm_str){big, len})), 1);
	/* SQLite refuses LIKE/GLOB patterns past 50,000 bytes (its compile-time
	 * SQLITE_MAX_LIKE_PATTERN_LENGTH); stay under it on every engine. */
	q = query();
	assert_int_equal(count_where(q, kitchen_starts_with(q, KITCHEN_BODY,
					(corm_str){big, 40000})), 1);
	corm_arena_free(&arena);
	free(big);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(
			test_injection__every_value_round_trips_through_crud, empty),
		cmocka_unit_test_setup(
			test_injection__values_match_themselves_literally, empty),
		cmocka_unit_test_setup(
			test_injection__update_and_delete_where_take_values_as_data,
			empty),
		cmocka_unit_test_setup(test_injection__bulk_paths_keep_every_byte,
			empty),
		cmocka_unit_test_setup(test_injection__very_long_values_round_trip,
			empty),
	};
	int rc = test_engine_init(&engine, "test_injection",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
