/*
 * query.h — the generic query builder behind the typed builders that
 * `corm gen` writes for each model (see docs/queries.md for those).
 *
 * A corm_query belongs to one model and one connection. Predicates are
 * nodes in the query's arena: build them with corm_pred_*(), combine them
 * with and / or / not, attach them with corm_query_where(). Every value is
 * copied into the query and bound as a parameter when the query runs;
 * identifiers come from the model's descriptor and are quoted.
 *
 * Building never fails on the spot: an error (no memory, a field out of
 * range) sticks to the query and is returned by the call that runs it.
 *
 * Sections: the query, predicates, shaping, running.
 */
#ifndef CORM_QUERY_H
#define CORM_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "corm.h"
#include "model.h"
#include "types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------- query */

typedef struct corm_query corm_query;
typedef struct corm_pred corm_pred;

/* A query over model `m` on `db`. The caller owns it: corm_query_free(). */
int corm_query_new(corm_query **out, corm_conn *db, const corm_model_desc *m);

/* Free the query, its predicates and copied values. NULL-safe. */
void corm_query_free(corm_query *q);

/* The first error building `q` ran into, or CORM_OK. */
int corm_query_error(const corm_query *q);

/* -------------------------------------------------------------- predicates */

typedef enum corm_cmp {
	CORM_CMP_EQ,
	CORM_CMP_NE,
	CORM_CMP_LT,
	CORM_CMP_LE,
	CORM_CMP_GT,
	CORM_CMP_GE
} corm_cmp;

/* How text is matched. Matching is case-sensitive on every engine. */
typedef enum corm_match {
	CORM_MATCH_LIKE,        /* a LIKE pattern: % and _ are wildcards */
	CORM_MATCH_STARTS_WITH, /* literal text: %, _ and ! match themselves */
	CORM_MATCH_ENDS_WITH,
	CORM_MATCH_CONTAINS
} corm_match;

/*
 * `value` points at a C value of the field's type (an int64_t for an i64
 * field, a corm_str for text, ...), as the generated struct holds it. The
 * value is copied. The result belongs to the query; NULL only when the
 * query has failed (the failure is kept for the run). Text (here, in
 * corm_pred_match() and in a HAVING on text) must be valid UTF-8 without
 * NUL, or the query fails with CORM_EINVAL naming the field; string(N)'s
 * length is not checked (a longer text just matches nothing).
 */
corm_pred *corm_pred_cmp(corm_query *q, int field, corm_cmp op,
	const void *value);
corm_pred *corm_pred_between(corm_query *q, int field, const void *low,
	const void *high);
/* `values` is an array of n C values of the field's type (copied); n == 0
 * matches no row. A list of any length is bound as ONE parameter the
 * engine unpacks (an array on PostgreSQL, JSON on SQLite and MariaDB; see
 * docs/queries.md, "IN lists"), comparing as `=` does: text by its bytes.
 * Text must be valid UTF-8 without NUL (CORM_EINVAL). Types an engine
 * cannot unpack exactly (doubles and bytes on SQLite, decimals and json on
 * MariaDB) are bound one parameter a value, within the statement's limit. */
corm_pred *corm_pred_in(corm_query *q, int field, const void *values,
	size_t n);
corm_pred *corm_pred_is_null(corm_query *q, int field, bool is_null);
corm_pred *corm_pred_match(corm_query *q, int field, corm_match how,
	corm_str text);
corm_pred *corm_pred_and(corm_query *q, corm_pred *a, corm_pred *b);
corm_pred *corm_pred_or(corm_query *q, corm_pred *a, corm_pred *b);
corm_pred *corm_pred_not(corm_query *q, corm_pred *a);

/* Add `p` to the query's WHERE, ANDed with what is there. */
void corm_query_where(corm_query *q, corm_pred *p);

/* ----------------------------------------------------------------- shaping */

/* corm_query_order_by() flags. Without a NULLS flag, NULLs sort last in
 * ascending and first in descending order (PostgreSQL's rule), on every
 * engine. Text sorts by bytes (code points), on every engine. */
#define CORM_ASC 0x0u
#define CORM_DESC 0x1u
#define CORM_NULLS_FIRST 0x2u
#define CORM_NULLS_LAST 0x4u

void corm_query_order_by(corm_query *q, int field, unsigned flags);
void corm_query_limit(corm_query *q, int64_t n);
void corm_query_offset(corm_query *q, int64_t n);
void corm_query_distinct(corm_query *q);

/* Read only these fields; the others are left zero (NULL) in rows read.
 * Calling it again replaces the list. */
void corm_query_only(corm_query *q, const int *fields, int n);

/* Add one field to the fields read (the first call starts the list). */
void corm_query_select(corm_query *q, int field);

/* For corm_query_update(): SET field = value (copied). */
void corm_query_set(corm_query *q, int field, const void *value);
/* SET field = NULL. */
void corm_query_set_null(corm_query *q, int field);

/*
 * For corm_query_update(): SET field = field + delta, computed by the
 * engine on the row's current value, so concurrent updates all count
 * (no read-modify-write in C to lose one). `delta` points at a value of
 * the field's C type (int16_t, int32_t, int64_t, float, double, or a
 * corm_str of decimal text for a decimal(P,S)); subtract with a negative
 * delta. A NULL column stays NULL. A sum out of the column's range makes
 * the update fail with CORM_ERANGE and change nothing, on every engine.
 * A decimal delta is checked against the column's (P,S) like any decimal
 * value (CORM_EINVAL malformed, CORM_ERANGE too many digits) and added
 * exactly, the sum kept with exactly S places: on SQLite, which keeps
 * decimals as text, by the driver's corm_decimal_add() function; a sum
 * with more than P - S integer digits is CORM_ERANGE there as on the
 * servers. CORM_EINVAL for a field that is not a number;
 * CORM_EUNSUPPORTED for a decimal field whose descriptor has no
 * precision (nothing to check the sum against).
 */
void corm_query_set_add(corm_query *q, int field, const void *delta);

/*
 * Lock the rows corm_query_all() / _first() / _next() read until the
 * transaction ends, so no other transaction changes them in between
 * (SELECT ... FOR UPDATE on PostgreSQL and MariaDB; on SQLite the write
 * transaction corm_tx_begin() starts already holds the database's write
 * lock, so nothing is added). Run outside a transaction, in a read-only
 * one, with corm_query_distinct(), or with count / exists / aggregate /
 * update / delete, the query fails with CORM_EINVAL.
 */
void corm_query_for_update(corm_query *q);

/* ----------------------------------------------------------------- running */

/* Every run fails with CORM_ETOOLONG, before anything is sent, when the
 * statement would bind more than corm_conn_max_params() parameters. */

/* Rows read by corm_query_all(): `items` is an array of `count` structs of
 * the model; their text and bytes live in `arena`. One free for all. */
typedef struct corm_rows {
	void *items;
	size_t count;
	corm_arena arena;
} corm_rows;

void corm_rows_free(corm_rows *rows);

/* Every matching row. */
int corm_query_all(corm_rows *out, corm_query *q);

/* The first matching row (after ORDER BY), or CORM_ENOTFOUND. */
int corm_query_first(void *out, corm_query *q, corm_arena *arena);

int corm_query_count(int64_t *out, corm_query *q);
int corm_query_exists(bool *out, corm_query *q);

/* UPDATE the matching rows with the corm_query_set() values, or DELETE
 * them; *out is how many. ORDER BY, LIMIT and OFFSET do not apply. On a
 * model with a @version field the update also moves each row's version
 * on (version = version + 1), unless it sets the version itself. */
int corm_query_update(int64_t *out, corm_query *q);
int corm_query_delete(int64_t *out, corm_query *q);

/*
 * Streaming: rows one at a time, in constant memory. corm_query_next()
 * fills `row` and returns CORM_ROW, then CORM_DONE, or an error. The row's
 * text and bytes live until the next call (they are in the query). The
 * query's statement stays open until CORM_DONE, an error, or
 * corm_query_free().
 */
int corm_query_next(void *row, corm_query *q);

/* Aggregates over a field, per group of corm_query_group_by() fields.
 * Each result row holds the group's field values (in a struct of the
 * model, other fields zero) and the aggregate as a double (NULL when the
 * group has no non-NULL value: has_value false). */
typedef enum corm_agg {
	CORM_AGG_MIN,
	CORM_AGG_MAX,
	CORM_AGG_SUM,
	CORM_AGG_AVG,
	CORM_AGG_COUNT
} corm_agg;

typedef struct corm_agg_row {
	void *group;   /* a struct of the model with the GROUP BY fields */
	bool has_value;
	double value;
} corm_agg_row;

typedef struct corm_agg_rows {
	corm_agg_row *items;
	size_t count;
	corm_arena arena;
} corm_agg_rows;

void corm_query_group_by(corm_query *q, int field);
int corm_query_aggregate(corm_agg_rows *out, corm_query *q, corm_agg fn,
	int field);
void corm_agg_rows_free(corm_agg_rows *rows);

/*
 * Typed aggregates: several per query, each read in its own C type, with
 * HAVING. See docs/queries.md, "Aggregates", for the rules in full.
 *
 *     int n = corm_query_agg(q, CORM_AGG_COUNT, -1);        COUNT(*)
 *     int s = corm_query_agg(q, CORM_AGG_SUM, views_field);
 *     corm_query_group_by(q, author_field);
 *     corm_query_having(q, corm_pred_agg_cmp(q, n, CORM_CMP_GT, &two));
 *     corm_query_aggregates(&res, q);
 *     ... res.items[i].values[s].v.i64 ...
 *
 * The result type of an aggregate is the same on every engine:
 *   COUNT                       CORM_AGGV_INT64
 *   SUM of i16 / i32 / i64      CORM_AGGV_INT64, exact; a total past int64
 *                               (not a running sum): CORM_ERANGE
 *   SUM of f32 / f64            CORM_AGGV_DOUBLE (f32 values widened exactly)
 *   SUM of decimal(P,S)         CORM_AGGV_DECIMAL: exact text, S decimals
 *   AVG of a number / decimal   CORM_AGGV_DOUBLE: the exact sum as a double,
 *                               divided by the count (ERANGE as SUM)
 *   MIN / MAX                   the column's type (integers as int64, floats
 *                               as double: an f32 is the stored float
 *                               widened); text by bytes, decimals by value
 * SUM, AVG, MIN and MAX are NULL (is_null) when the group has no non-NULL
 * value; COUNT never is. Other combinations (SUM of text, MIN of bytes or
 * json) fail with CORM_EINVAL when the query runs.
 */
typedef enum corm_agg_vtype {
	CORM_AGGV_INT64,
	CORM_AGGV_DOUBLE,
	CORM_AGGV_DECIMAL,   /* v.text: "-12.50", exactly S decimals */
	CORM_AGGV_TEXT,      /* v.text */
	CORM_AGGV_BOOL,
	CORM_AGGV_DATE,
	CORM_AGGV_TIME,
	CORM_AGGV_TIMESTAMP,
	CORM_AGGV_UUID,
	CORM_AGGV_ENUM       /* v.enum_value: the member's index */
} corm_agg_vtype;

typedef struct corm_agg_value {
	corm_agg_vtype type;
	bool is_null;
	union {
		int64_t i64;
		double f64;
		corm_str text;       /* DECIMAL and TEXT; in the result's arena */
		bool b;
		corm_date date;
		corm_time time;
		corm_timestamp timestamp;
		corm_uuid uuid;
		int enum_value;
	} v;
} corm_agg_value;

/* One group: its GROUP BY fields (in a struct of the model, the other
 * fields zero) and one value per corm_query_agg(), in the order added. */
typedef struct corm_agg_group {
	void *group;
	corm_agg_value *values;
} corm_agg_group;

typedef struct corm_agg_result {
	corm_agg_group *items;
	size_t count;
	int naggs;          /* values in each item */
	corm_arena arena;   /* everything above */
} corm_agg_result;

/* Add an aggregate over `field` (-1 for COUNT(*)); returns its index in
 * each result's values, or -1 when the query has failed (kept, as every
 * building error). */
int corm_query_agg(corm_query *q, corm_agg fn, int field);

/* The C type aggregate `agg` of `q` gives (CORM_AGGV_INT64 when `agg` is
 * not one: the run then fails). */
corm_agg_vtype corm_query_agg_type(const corm_query *q, int agg);

/* A predicate over aggregate `agg`: `value` points at a value of its
 * result type (an int64_t for COUNT, a corm_str of a decimal for a
 * decimal SUM, a corm_timestamp for MAX of a timestamp...). Only for
 * corm_query_having(); in where() it fails. Combine with and/or/not. */
corm_pred *corm_pred_agg_cmp(corm_query *q, int agg, corm_cmp op,
	const void *value);

/* Add `p` to the query's HAVING, ANDed with what is there. Field
 * predicates in it must be over GROUP BY fields. */
void corm_query_having(corm_query *q, corm_pred *p);

/* ORDER BY aggregate `agg`, in sequence with corm_query_order_by() terms
 * (which must name GROUP BY fields); flags as there. */
void corm_query_order_by_agg(corm_query *q, int agg, unsigned flags);

/* Run GROUP BY + the aggregates, with WHERE, HAVING, ORDER BY, LIMIT and
 * OFFSET. Without GROUP BY: one row (over every matching row). The result
 * is the caller's: corm_agg_result_free(). */
int corm_query_aggregates(corm_agg_result *out, corm_query *q);
void corm_agg_result_free(corm_agg_result *r);

/* The SQL the query would run for corm_query_all(), for logs and tests.
 * Borrowed from the query; NULL on error. */
const char *corm_query_sql(corm_query *q);

#ifdef __cplusplus
}
#endif

#endif /* CORM_QUERY_H */
