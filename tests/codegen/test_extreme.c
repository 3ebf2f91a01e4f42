/*
 * test_extreme.c — model Wide (500 fields, every extreme default, SQL far
 * past a C literal's 4,095 bytes; made by extreme/gen_extreme.py), its
 * code generated and compiled under -Wpedantic -Werror, run on a real
 * engine (issue 13): wide_init() sets exactly the defaults the schema
 * declares (as gen_extreme.py states them, not as the emitter wrote
 * them); rows of defaults and of other extreme values are inserted, read
 * back, updated and upserted field for field; a row the database fills
 * from its own column defaults reads back as wide_init()'s.
 * Usage: test_extreme sqlite|postgres|mysql
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
#include "wide.h"
#include "wide_expect.h"

static test_engine engine;
static corm_conn *db;
static corm_arena arena = CORM_ARENA_INIT;

#define OK(call)                                                             \
	do {                                                                     \
		int rc_ = (call);                                                    \
		if (rc_ != CORM_OK)                                                  \
			fail_msg("%s -> %s: %s", #call, corm_strerror(rc_),              \
				corm_errmsg(db));                                            \
	} while (0)

/* A minute: the clock of the test and of the database server. */
#define NOW_SLACK INT64_C(60000000)

/* The first field where `a` and `b` differ, by value (NULL included), or
 * NULL. */
static const char *first_difference(const wide *a, const wide *b)
{
	int i;

	for (i = 0; i < wide_desc.nfields; i++) {
		const corm_field_desc *f = &wide_desc.fields[i];
		const char *pa = (const char *)a + f->offset;
		const char *pb = (const char *)b + f->offset;
		bool ha = true, hb = true;

		if (f->has_offset != CORM_NO_HAS) {
			ha = *(const bool *)((const char *)a + f->has_offset);
			hb = *(const bool *)((const char *)b + f->has_offset);
		}
		if (ha != hb)
			return f->name;
		if (!ha)
			continue;
		switch (f->ctype) {
		case CORM_C_STR: {
			const corm_str *x = (const corm_str *)pa, *y = (const corm_str *)pb;

			if (!x->ptr != !y->ptr || x->len != y->len ||
				(x->ptr && memcmp(x->ptr, y->ptr, x->len) != 0))
				return f->name;
			break;
		}
		case CORM_C_BYTES: {
			const corm_bytes *x = (const corm_bytes *)pa;
			const corm_bytes *y = (const corm_bytes *)pb;

			if (!x->ptr != !y->ptr || x->len != y->len ||
				(x->ptr && memcmp(x->ptr, y->ptr, x->len) != 0))
				return f->name;
			break;
		}
		case CORM_C_I16: if (*(const int16_t *)pa != *(const int16_t *)pb) return f->name; break;
		case CORM_C_I32: if (*(const int32_t *)pa != *(const int32_t *)pb) return f->name; break;
		case CORM_C_I64: if (*(const int64_t *)pa != *(const int64_t *)pb) return f->name; break;
		/* Floats by bits: the same value, not merely a near one. */
		case CORM_C_F32: if (memcmp(pa, pb, sizeof(float))) return f->name; break;
		case CORM_C_F64: if (memcmp(pa, pb, sizeof(double))) return f->name; break;
		case CORM_C_BOOL: if (*(const bool *)pa != *(const bool *)pb) return f->name; break;
		case CORM_C_ENUM: if (*(const int *)pa != *(const int *)pb) return f->name; break;
		case CORM_C_DATE: {
			const corm_date *x = (const corm_date *)pa, *y = (const corm_date *)pb;

			if (x->year != y->year || x->month != y->month || x->day != y->day)
				return f->name;
			break;
		}
		case CORM_C_TIME: {
			const corm_time *x = (const corm_time *)pa, *y = (const corm_time *)pb;

			if (x->hour != y->hour || x->minute != y->minute ||
				x->second != y->second || x->usec != y->usec)
				return f->name;
			break;
		}
		case CORM_C_TIMESTAMP:
			if (((const corm_timestamp *)pa)->usec !=
				((const corm_timestamp *)pb)->usec)
				return f->name;
			break;
		case CORM_C_UUID:
			if (memcmp(pa, pb, sizeof(corm_uuid)))
				return f->name;
			break;
		}
	}
	return NULL;
}

#define SAME(a, b)                                                           \
	do {                                                                     \
		const char *diff_ = first_difference((a), (b));                      \
		if (diff_)                                                           \
			fail_msg("%s: field %s differs", #a " vs " #b, diff_);           \
	} while (0)

/* ------------------------------------------------------------------ set-up */

static int setup(void **state)
{
	(void)state;
	if (corm_conn_open(&db, engine.url) != CORM_OK) {
		fprintf(stderr, "open: %s\n", corm_errmsg(NULL));
		return -1;
	}
	return test_create_tables_path(db, WIDE_SCHEMA) ? -1 : 0;
}

static int teardown(void **state)
{
	(void)state;
	corm_arena_free(&arena);
	corm_conn_close(db);
	return 0;
}

/* ------------------------------------------------------------------- tests */

/* wide_init() gives exactly the schema's defaults: INT64_MIN, DBL_MAX,
 * 5,000-byte text, quotes and newlines, 9999-12-31... */
static void init_sets_the_declared_defaults(void **state)
{
	wide got, want;
	const char *late;

	(void)state;
	wide_init(&got);
	wide_expect_defaults(&want, &got);
	SAME(&got, &want);
	late = wide_expect_now(&got, corm_timestamp_now(), NOW_SLACK);
	if (late)
		fail_msg("%s is not now", late);
}

/* Insert a row, read it back: every field as written. */
static void check_round_trip(wide *row)
{
	wide got;

	OK(wide_insert(db, row));
	assert_true(row->id > 0);
	OK(wide_get(&got, db, row->id, &arena));
	SAME(&got, row);
}

static void defaults_round_trip(void **state)
{
	wide row;

	(void)state;
	wide_init(&row);
	check_round_trip(&row);
}

static void extreme_values_round_trip(void **state)
{
	wide row;

	(void)state;
	wide_expect_values(&row);
	check_round_trip(&row);
}

/* UPDATE and the upsert of all 500 columns by key, each past a literal's
 * length, then the @unique upsert. */
static void update_and_upserts(void **state)
{
	wide a, b, got;

	(void)state;
	wide_init(&a);
	OK(wide_insert(db, &a));
	wide_expect_values(&b);
	b.id = a.id;
	b.f010_unique = 1; /* not another row's */
	OK(wide_update(db, &b));
	OK(wide_get(&got, db, a.id, &arena));
	SAME(&got, &b);

	wide_init(&a);
	a.id = b.id;
	OK(wide_upsert(db, &a));
	OK(wide_get(&got, db, b.id, &arena));
	SAME(&got, &a);

	/* The same unique value as a row just inserted: updates that row. */
	wide_init(&a);
	a.has_f010_unique = true;
	a.f010_unique = 2;
	OK(wide_insert(db, &a));
	wide_expect_values(&b);
	b.f010_unique = 2;
	OK(wide_upsert_by_f010_unique(db, &b));
	OK(wide_get(&got, db, a.id, &arena));
	b.id = a.id;
	SAME(&got, &b);
}

/*
 * KNOWN BROKEN, outside codegen (migrate's MySQL DDL): MariaDB keeps a
 * FLOAT column's DEFAULT as text of 6 significant digits, so `DEFAULT
 * 3.4028234663852886e38` fills 3.40282e38 (3.40282001e38, not FLT_MAX)
 * and FLT_MIN likewise, while wide_init() sets the exact value. Here those
 * f32 fields are checked to be the 6-digit rounding of the declared
 * default (so the test fails if that changes), then set equal so the rest
 * of the row is still compared.
 */
static void mysql_f32_defaults_known_rounded(wide *got, const wide *want)
{
	int i;

	for (i = 0; i < wide_desc.nfields; i++) {
		const corm_field_desc *f = &wide_desc.fields[i];
		float *g = (float *)(void *)((char *)got + f->offset);
		const float *w = (const float *)(const void *)
			((const char *)want + f->offset);
		char six[32];

		if (f->ctype != CORM_C_F32 || *g == *w)
			continue;
		snprintf(six, sizeof(six), "%.6g", (double)*w);
		if (*g != strtof(six, NULL))
			fail_msg("%s: %.9g is not %s", f->name, (double)*g, six);
		*g = *w;
	}
}

/* A row the database fills from its own column defaults (an INSERT that
 * names no column) reads back as wide_init()'s: the DDL's defaults and
 * the C ones agree, extremes included; `now` is the server's clock. */
static void database_defaults_equal_init(void **state)
{
	const corm_dialect *d = corm_conn_dialect(db);
	corm_buf sql = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	int64_t id = 0;
	wide want, got;
	const char *late;

	(void)state;
	corm_buf_puts(&sql, "INSERT INTO ");
	corm_dialect_quote(&sql, d, "wide");
	corm_buf_puts(&sql, d->empty_insert);
	OK(corm_exec(db, corm_buf_cstr(&sql)));
	corm_buf_clear(&sql);
	corm_buf_puts(&sql, "SELECT MAX(");
	corm_dialect_quote(&sql, d, "id");
	corm_buf_puts(&sql, ") FROM ");
	corm_dialect_quote(&sql, d, "wide");
	OK(corm_stmt_prepare(&st, db, corm_buf_cstr(&sql)));
	assert_int_equal(corm_step(st), CORM_ROW);
	OK(corm_column_int64(&id, st, 0));
	corm_stmt_free(st);
	corm_buf_free(&sql);

	OK(wide_get(&got, db, id, &arena));
	wide_expect_defaults(&want, &got); /* `now` fields: the server's */
	want.id = id;
	if (strcmp(engine.name, "mysql") == 0)
		mysql_f32_defaults_known_rounded(&got, &want);
	SAME(&got, &want);
	late = wide_expect_now(&got, corm_timestamp_now(), NOW_SLACK);
	if (late)
		fail_msg("%s from the database's default is not now", late);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(init_sets_the_declared_defaults),
		cmocka_unit_test(defaults_round_trip),
		cmocka_unit_test(extreme_values_round_trip),
		cmocka_unit_test(update_and_upserts),
		cmocka_unit_test(database_defaults_equal_init),
	};
	int rc;

	if ((rc = test_engine_init(&engine, "test_extreme",
			argc > 1 ? argv[1] : "")) != 0)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
