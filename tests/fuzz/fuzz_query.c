/*
 * fuzz_query.c — libFuzzer target for the query builder (corm/query.h),
 * run on SQLite in memory over the models of tests/models/alltypes.corm
 * (every column type).
 *
 * The input is a little program: each byte picks an operation (a
 * comparison, BETWEEN, IN, IS NULL, a text match, and / or / not of the
 * predicates built so far, WHERE, ORDER BY, LIMIT, OFFSET, DISTINCT, a
 * column subset, GROUP BY) and the bytes after it its field and value.
 * Fields may be out of range and values are arbitrary bytes. Then the
 * query runs every way (all, count, exists, first, next, an aggregate).
 * Invariants (abort on violation):
 *   - every call answers with a status or a negative code, never a crash;
 *   - no value byte ever reaches the SQL text: every text and bytes value
 *     starts with a marker that corm_query_sql() must never contain;
 *   - `all` and `count` agree on the number of rows when both succeed;
 *   - no leak (LeakSanitizer), whatever failed.
 * The database is set up once and never written to, so runs are
 * deterministic.
 *
 * Built with clang only (tests/fuzz/meson.build); replays
 * tests/fuzz/corpus/query in every build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alltypes.h"
#include "corm/buf.h"
#include "corm/query.h"
#include "ddl.h"
#include "schema.h"

#define CHECK(cond)                                                           \
	do {                                                                       \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz_query: check failed: %s (line %d)\n",       \
				#cond, __LINE__);                                              \
			abort();                                                           \
		}                                                                      \
	} while (0)

#define MARKER "Zq7MARKxV"
#define MAX_PREDS 32
#define MAX_IN 12

static corm_conn *db;
static const corm_model_desc *const models[] = {&kitchen_desc, &tag_desc,
	&note_desc, &pin_desc};

/* ------------------------------------------------------------------ input */

typedef struct reader {
	const uint8_t *p;
	size_t n;
} reader;

static uint8_t byte(reader *r)
{
	uint8_t b = 0;

	if (r->n) {
		b = *r->p++;
		r->n--;
	}
	return b;
}

static void take(reader *r, void *out, size_t n)
{
	size_t k = n < r->n ? n : r->n;

	memset(out, 0, n);
	memcpy(out, r->p, k);
	r->p += k;
	r->n -= k;
}

/* ------------------------------------------------------------------ values */

/* Room for one C value of any field type. */
typedef union cvalue {
	int16_t i16;
	int32_t i32;
	int64_t i64;
	float f32;
	double f64;
	bool b;
	corm_str s;
	corm_bytes by;
	corm_date date;
	corm_time time;
	corm_timestamp ts;
	corm_uuid uuid;
	int e;
} cvalue;

static size_t csize(corm_ctype t)
{
	switch (t) {
	case CORM_C_I16: return sizeof(int16_t);
	case CORM_C_I32: return sizeof(int32_t);
	case CORM_C_I64: return sizeof(int64_t);
	case CORM_C_F32: return sizeof(float);
	case CORM_C_F64: return sizeof(double);
	case CORM_C_BOOL: return sizeof(bool);
	case CORM_C_STR: return sizeof(corm_str);
	case CORM_C_BYTES: return sizeof(corm_bytes);
	case CORM_C_DATE: return sizeof(corm_date);
	case CORM_C_TIME: return sizeof(corm_time);
	case CORM_C_TIMESTAMP: return sizeof(corm_timestamp);
	case CORM_C_UUID: return sizeof(corm_uuid);
	case CORM_C_ENUM: return sizeof(int);
	}
	return sizeof(cvalue);
}

/* Text pool: every text value is MARKER followed by input bytes, and lives
 * until the end of the run (the builder copies it, but need not). */
typedef struct pool {
	char buf[4096];
	size_t used;
} pool;

static corm_str text_value(pool *pl, reader *r)
{
	size_t want = byte(r) % 24, room, k;
	char *s;

	room = sizeof(pl->buf) - pl->used;
	if (room < sizeof(MARKER) + want)
		return CORM_STR(MARKER);
	s = pl->buf + pl->used;
	memcpy(s, MARKER, sizeof(MARKER) - 1);
	k = want < r->n ? want : r->n;
	memcpy(s + sizeof(MARKER) - 1, r->p, k);
	r->p += k;
	r->n -= k;
	pl->used += sizeof(MARKER) - 1 + k;
	return (corm_str){s, sizeof(MARKER) - 1 + k};
}

/* One C value of field type `t` from the input. */
static void make_value(cvalue *v, corm_ctype t, pool *pl, reader *r)
{
	memset(v, 0, sizeof(*v));
	switch (t) {
	case CORM_C_BOOL:
		v->b = byte(r) & 1; /* any other byte is not a bool */
		break;
	case CORM_C_STR:
		v->s = text_value(pl, r);
		break;
	case CORM_C_BYTES: {
		corm_str s = text_value(pl, r);

		v->by = (corm_bytes){s.ptr, s.len};
		break;
	}
	default:
		take(r, v, csize(t));
		break;
	}
}

/* A field index: mostly valid, sometimes one past either end. */
static int pick_field(const corm_model_desc *m, reader *r)
{
	return (int)(byte(r) % (unsigned)(m->nfields + 2)) - 1;
}

static corm_ctype type_of(const corm_model_desc *m, int field)
{
	return field >= 0 && field < m->nfields ? m->fields[field].ctype
		: CORM_C_I64;
}

/* ---------------------------------------------------------------- set up */

static void load_schema(void)
{
	static const char path[] = CORM_TEST_SOURCE_ROOT "/tests/models/alltypes.corm";
	corm_schema *s = NULL;
	corm_buf sql = CORM_BUF_INIT;
	char text[8192];
	size_t len;
	FILE *f;
	kitchen k;
	int i;

	f = fopen(path, "rb");
	CHECK(f != NULL);
	len = fread(text, 1, sizeof(text), f);
	fclose(f);
	CHECK(corm_conn_open(&db, "sqlite::memory:") == CORM_OK);
	CHECK(corm_schema_parse(&s, NULL, text, len) == CORM_OK);
	CHECK(corm_ddl_create_schema(&sql, corm_conn_dialect(db), s) == CORM_OK);
	CHECK(corm_exec(db, corm_buf_cstr(&sql)) == CORM_OK);
	corm_buf_free(&sql);
	corm_schema_free(s);

	/* A few rows, some NULLs, so reading decodes something. */
	for (i = 0; i < 5; i++) {
		char label[16];

		kitchen_init(&k);
		snprintf(label, sizeof(label), "k%d'%%_", i);
		k.small = (int16_t)(i * 3 - 5);
		k.medium = i % 2;
		k.has_large = i % 2;
		k.large = INT64_MAX - i;
		k.label = corm_str_of(label);
		if (i != 2)
			k.body = CORM_STR("body \xC3\xA9");
		if (i == 3)
			k.blob = (corm_bytes){"\0\1\2", 3};
		k.mood = (mood)(i % 3);
		CHECK(kitchen_insert(db, &k) == CORM_OK);
	}
}

/* -------------------------------------------------------------- a program */

static void run_query(corm_query *q, const corm_model_desc *m, reader *r)
{
	corm_rows rows = {0};
	corm_agg_rows agg = {0};
	corm_arena arena = CORM_ARENA_INIT;
	const char *sql;
	int64_t count = -1;
	bool exists;
	int rc, all_rc, count_rc, i;
	void *row;

	sql = corm_query_sql(q);
	if (sql)
		CHECK(strstr(sql, MARKER) == NULL);
	else
		CHECK(corm_query_error(q) != CORM_OK);

	all_rc = corm_query_all(&rows, q);
	CHECK(all_rc <= 0);
	count_rc = corm_query_count(&count, q);
	CHECK(count_rc <= 0);
	if (all_rc == CORM_OK && count_rc == CORM_OK)
		CHECK((size_t)count == rows.count);
	corm_rows_free(&rows);

	rc = corm_query_exists(&exists, q);
	CHECK(rc <= 0);

	row = calloc(1, m->size);
	CHECK(row != NULL);
	rc = corm_query_first(row, q, &arena);
	CHECK(rc == CORM_OK || rc < 0);
	corm_arena_free(&arena);
	for (i = 0; i < 8; i++) {
		rc = corm_query_next(row, q);
		CHECK(rc == CORM_ROW || rc == CORM_DONE || rc < 0);
		if (rc != CORM_ROW)
			break;
	}
	free(row);

	if (byte(r) & 1) {
		rc = corm_query_aggregate(&agg, q, (corm_agg)(byte(r) % 5),
			pick_field(m, r));
		CHECK(rc <= 0);
		corm_agg_rows_free(&agg);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static pool pl;
	reader r = {data, size};
	const corm_model_desc *m;
	corm_pred *preds[MAX_PREDS];
	int leaves[MAX_PREDS], npreds = 0, steps, where_leaves = 0;
	corm_query *q = NULL;

	if (!db)
		load_schema();
	pl.used = 0;
	m = models[byte(&r) % (sizeof(models) / sizeof(models[0]))];
	if (corm_query_new(&q, db, m) != CORM_OK)
		return 0;

	for (steps = 0; r.n && steps < 64; steps++) {
		uint8_t op = byte(&r) % 17;
		cvalue v[MAX_IN + 1];
		char list[MAX_IN * sizeof(cvalue)];
		corm_pred *p = NULL;
		int f, k, n, fields[8], size = 1;
		int64_t i64;
		corm_ctype t;

		switch (op) {
		case 0: /* comparison */
			f = pick_field(m, &r);
			k = byte(&r) % 6;
			make_value(&v[0], type_of(m, f), &pl, &r);
			p = corm_pred_cmp(q, f, (corm_cmp)k, &v[0]);
			break;
		case 1: /* between */
			f = pick_field(m, &r);
			make_value(&v[0], type_of(m, f), &pl, &r);
			make_value(&v[1], type_of(m, f), &pl, &r);
			p = corm_pred_between(q, f, &v[0], &v[1]);
			break;
		case 2: /* in: an array of the field's C type */
			f = pick_field(m, &r);
			t = type_of(m, f);
			n = byte(&r) % (MAX_IN + 1);
			for (k = 0; k < n; k++) {
				make_value(&v[0], t, &pl, &r);
				memcpy(list + (size_t)k * csize(t), &v[0], csize(t));
			}
			p = corm_pred_in(q, f, list, (size_t)n);
			break;
		case 3:
			f = pick_field(m, &r);
			p = corm_pred_is_null(q, f, byte(&r) & 1);
			break;
		case 4: /* text match: the value is bound even for LIKE */
			f = pick_field(m, &r);
			k = byte(&r) % 4;
			p = corm_pred_match(q, f, (corm_match)k, text_value(&pl, &r));
			break;
		case 5:
		case 6: /* and / or of two earlier predicates (maybe NULL) */
			if (npreds >= 2) {
				int a = byte(&r) % npreds, b = byte(&r) % npreds;

				/* Sharing a predicate twice doubles the SQL: cap it, or
				 * 64 steps render 2^64 terms. */
				if (leaves[a] + leaves[b] > 256)
					break;
				p = op == 5 ? corm_pred_and(q, preds[a], preds[b])
					: corm_pred_or(q, preds[a], preds[b]);
				size = leaves[a] + leaves[b];
			}
			break;
		case 7:
			if (npreds) {
				k = byte(&r) % npreds;
				p = corm_pred_not(q, preds[k]);
				size = leaves[k];
			}
			break;
		case 8:
			if (npreds) {
				k = byte(&r) % npreds;
				if (where_leaves + leaves[k] > 256)
					break;
				where_leaves += leaves[k];
				corm_query_where(q, preds[k]);
			}
			break;
		case 9:
			f = pick_field(m, &r);
			corm_query_order_by(q, f, byte(&r) & 7u);
			break;
		case 10:
			take(&r, &i64, sizeof(i64));
			corm_query_limit(q, byte(&r) & 1 ? i64 % 16 : i64);
			break;
		case 11:
			take(&r, &i64, sizeof(i64));
			corm_query_offset(q, byte(&r) & 1 ? i64 % 8 : i64);
			break;
		case 12:
			corm_query_distinct(q);
			break;
		case 13:
			n = byte(&r) % 8;
			for (k = 0; k < n; k++)
				fields[k] = pick_field(m, &r);
			corm_query_only(q, fields, n);
			break;
		case 14:
			corm_query_select(q, pick_field(m, &r));
			break;
		case 15:
			corm_query_group_by(q, pick_field(m, &r));
			break;
		case 16: /* run it now, then keep building on it */
			run_query(q, m, &r);
			break;
		}
		if (p && npreds < MAX_PREDS) {
			leaves[npreds] = size;
			preds[npreds++] = p;
		}
		/* NULL only when the query has failed. */
		if (!p && op <= 4)
			CHECK(corm_query_error(q) != CORM_OK);
	}
	run_query(q, m, &r);
	corm_query_free(q);
	return 0;
}
