/*
 * query_agg.c — the query builder: typed aggregates (corm_query_agg and the
 * rest): their terms, and reading their results.
 */
#include "query_internal.h"

/* ------------------------------------------------------- typed aggregates */

/*
 * corm_query_aggregates() renders
 *
 *   SELECT <group fields>, <aggregates> FROM t WHERE ... GROUP BY <fields>
 *       HAVING ... ORDER BY ... LIMIT ? OFFSET ?
 *
 * and reads each aggregate in the C type of corm_query.h's table, the same
 * on every engine. What differs is rendered here:
 *   - integer SUMs are exact everywhere (numeric on PostgreSQL, DECIMAL on
 *     MySQL, the driver's corm_int_sum() on SQLite: int64, or "integer
 *     overflow" only when the total leaves int64) and read as text when
 *     they are not an integer, then checked against int64 (ERANGE);
 *   - AVG is read as the exact SUM and the COUNT and divided here, since
 *     the engines' AVG differ (MySQL rounds AVG of integers to 4 places);
 *     HAVING and ORDER BY compute CAST(SUM AS DOUBLE) / COUNT the same way;
 *   - MIN / MAX compare text by bytes (COLLATE "C" on PostgreSQL; MySQL
 *     tables are utf8mb4_bin, SQLite's default is BINARY), decimals by
 *     value (SQLite stores them as text: the corm_decimal collation and
 *     corm_decimal_sum() the SQLite driver registers); PostgreSQL has no
 *     MIN of booleans (bool_and) or of uuids (compared as their text);
 *   - SUM of f32 is computed in double (PostgreSQL's sum(real) is real);
 *     MIN / MAX of f32 are read back as the stored float, widened (see
 *     read_f32()).
 */

bool corm_q__is_int_field(const corm_field_desc *f)
{
	return f->ctype == CORM_C_I16 || f->ctype == CORM_C_I32 ||
		f->ctype == CORM_C_I64;
}

static bool is_float_field(const corm_field_desc *f)
{
	return f->ctype == CORM_C_F32 || f->ctype == CORM_C_F64;
}

bool corm_q__is_decimal_field(const corm_field_desc *f)
{
	return f->coltype == CORM_COL_DECIMAL;
}

/* MySQL's utf8mb4_bin is a PAD SPACE collation: 'a' = 'a ', and 'a\t'
 * sorts before 'a'. Text is grouped, compared and sorted there as
 * CAST(col AS BINARY), byte by byte like the other engines. */
bool corm_q__pads_text(const corm_query *q, const corm_field_desc *f)
{
	return q->d->pads_text && f->ctype == CORM_C_STR &&
		(f->coltype == CORM_COL_STRING || f->coltype == CORM_COL_TEXT);
}

/* A column as GROUP BY, MIN/MAX and ORDER BY compare it: text by its
 * bytes whatever the column's collation (see corm_q__pads_text(); SQLite
 * and PostgreSQL name a byte collation). */
void corm_q__group_col(corm_query *q, int field)
{
	const corm_field_desc *f = &q->m->fields[field];
	bool binary = corm_q__pads_text(q, f);

	corm_buf_puts(&q->sql, binary ? "CAST(" : "");
	corm_q__col(q, field);
	corm_buf_puts(&q->sql, binary ? " AS BINARY)" : "");
	if (!binary && corm_field__is_byte_text(f))
		corm_buf_puts(&q->sql, q->d->text_sort_collate);
}

/* The result type of fn over `f` (NULL: COUNT(*)); false when the engine
 * cannot compute it the same way everywhere, or it means nothing. */
static bool agg_result_type(corm_agg_vtype *out, corm_agg fn,
	const corm_field_desc *f)
{
	bool number = f && (corm_q__is_int_field(f) || is_float_field(f) ||
		corm_q__is_decimal_field(f));

	if (fn == CORM_AGG_COUNT) {
		*out = CORM_AGGV_INT64;
		return true;
	}
	if (!f)
		return false;
	if (fn == CORM_AGG_AVG) {
		*out = CORM_AGGV_DOUBLE;
		return number;
	}
	if (corm_q__is_int_field(f))
		*out = CORM_AGGV_INT64;
	else if (is_float_field(f))
		*out = CORM_AGGV_DOUBLE;
	else if (corm_q__is_decimal_field(f))
		*out = CORM_AGGV_DECIMAL;
	if (fn == CORM_AGG_SUM)
		return number;
	if (number)
		return true;
	switch (f->ctype) { /* MIN, MAX */
	case CORM_C_STR:
		*out = CORM_AGGV_TEXT;
		return f->coltype == CORM_COL_STRING || f->coltype == CORM_COL_TEXT;
	case CORM_C_BOOL: *out = CORM_AGGV_BOOL; return true;
	case CORM_C_DATE: *out = CORM_AGGV_DATE; return true;
	case CORM_C_TIME: *out = CORM_AGGV_TIME; return true;
	case CORM_C_TIMESTAMP: *out = CORM_AGGV_TIMESTAMP; return true;
	case CORM_C_UUID: *out = CORM_AGGV_UUID; return true;
	case CORM_C_ENUM: *out = CORM_AGGV_ENUM; return true;
	default: return false; /* bytes */
	}
}

int corm_query_agg(corm_query *q, corm_agg fn, int field)
{
	corm_agg_vtype type = CORM_AGGV_INT64;

	if (!q || q->error)
		return -1;
	if (fn < CORM_AGG_MIN || fn > CORM_AGG_COUNT) {
		corm_q__fail(q, CORM_EINVAL, "unknown aggregate function");
		return -1;
	}
	if (field == -1 && fn != CORM_AGG_COUNT) {
		corm_q__fail(q, CORM_EINVAL, "only COUNT is an aggregate of no field");
		return -1;
	}
	if (field != -1 && !corm_q__check_field(q, field))
		return -1;
	if (!agg_result_type(&type, fn, field == -1 ? NULL
			: &q->m->fields[field])) {
		corm_q__fail(q, CORM_EINVAL, fn == CORM_AGG_SUM || fn == CORM_AGG_AVG
			? "SUM or AVG of a field that is not a number"
			: "MIN or MAX of a bytes or json field");
		return -1;
	}
	if (q->naggs == MAX_TERMS) {
		corm_q__fail(q, CORM_EINVAL, "too many aggregates");
		return -1;
	}
	q->aggs[q->naggs] = (agg_term){fn, field, type};
	return q->naggs++;
}

static bool check_agg(corm_query *q, int agg)
{
	if (!q)
		return false;
	if (agg >= 0 && agg < q->naggs)
		return true;
	corm_q__fail(q, CORM_EINVAL, "aggregate index out of range for this query");
	return false;
}

corm_agg_vtype corm_query_agg_type(const corm_query *q, int agg)
{
	return agg >= 0 && agg < q->naggs ? q->aggs[agg].type : CORM_AGGV_INT64;
}

/* The size of a C value of an aggregate's result type. */
static size_t agg_value_size(corm_agg_vtype t)
{
	switch (t) {
	case CORM_AGGV_INT64: return sizeof(int64_t);
	case CORM_AGGV_DOUBLE: return sizeof(double);
	case CORM_AGGV_DECIMAL:
	case CORM_AGGV_TEXT: return sizeof(corm_str);
	case CORM_AGGV_BOOL: return sizeof(bool);
	case CORM_AGGV_DATE: return sizeof(corm_date);
	case CORM_AGGV_TIME: return sizeof(corm_time);
	case CORM_AGGV_TIMESTAMP: return sizeof(corm_timestamp);
	case CORM_AGGV_UUID: return sizeof(corm_uuid);
	case CORM_AGGV_ENUM: return sizeof(int);
	}
	return 0;
}

/* A decimal number as text: [-]digits[.digits] (a leading '+' and a
 * missing integer part, ".5", are accepted too). */
static bool is_decimal_text(const char *s, size_t len)
{
	size_t i = 0, digits = 0;

	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < len && s[i] >= '0' && s[i] <= '9'; i++)
		digits++;
	if (i < len && s[i] == '.')
		for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
			digits++;
	return digits > 0 && i == len;
}

corm_pred *corm_pred_agg_cmp(corm_query *q, int agg, corm_cmp op,
	const void *value)
{
	corm_pred *p = check_agg(q, agg) ? corm_q__new_pred(q, PRED_AGG) : NULL;
	corm_agg_vtype t;
	void *copy;

	if (!p)
		return NULL;
	t = q->aggs[agg].type;
	if (!value || op < CORM_CMP_EQ || op > CORM_CMP_GE) {
		corm_q__fail(q, CORM_EINVAL, "a HAVING comparison without a value or with "
			"an unknown operator");
		return NULL;
	}
	if (!(copy = corm_arena_alloc(&q->arena, agg_value_size(t)))) {
		corm_q__fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(copy, value, agg_value_size(t));
	if (t == CORM_AGGV_DECIMAL || t == CORM_AGGV_TEXT) {
		const corm_str *s = value;
		corm_str *d = copy;

		if (t == CORM_AGGV_DECIMAL && !is_decimal_text(s->ptr, s->len)) {
			corm_q__fail(q, CORM_EINVAL, "a HAVING value that is not a decimal "
				"number");
			return NULL;
		}
		if (t == CORM_AGGV_TEXT &&
			!corm_q__pred_text_ok(q, &q->m->fields[q->aggs[agg].field], s))
			return NULL;
		d->ptr = corm_arena_strndup(&q->arena, s->ptr ? s->ptr : "",
			s->len);
		if (!d->ptr) {
			corm_q__fail(q, CORM_ENOMEM, "out of memory");
			return NULL;
		}
	}
	p->field = agg;
	p->op = op;
	p->v1 = copy;
	return p;
}

void corm_query_having(corm_query *q, corm_pred *p)
{
	if (!p) {
		corm_q__fail(q, CORM_EINVAL, "having() was given a predicate that failed");
		return;
	}
	q->having = q->having ? corm_pred_and(q, q->having, p) : p;
}

void corm_query_order_by_agg(corm_query *q, int agg, unsigned flags)
{
	if (!check_agg(q, agg))
		return;
	if (q->norder == MAX_TERMS) {
		corm_q__fail(q, CORM_EINVAL, "too many ORDER BY terms");
		return;
	}
	q->order[q->norder++] = (order_term){agg, flags | ORDER_BY_AGG};
}

/* True (and q fails) when an ORDER BY term names an aggregate: only
 * corm_query_aggregates() renders those. */
bool corm_q__orders_by_agg(corm_query *q)
{
	int i;

	for (i = 0; i < q->norder; i++)
		if (q->order[i].flags & ORDER_BY_AGG) {
			corm_q__fail(q, CORM_EINVAL, "order_by_agg() on a query that is not "
				"run by corm_query_aggregates()");
			return true;
		}
	return false;
}

/* -------------------------------------------------- reading the aggregates */

static int agg_read_error(corm_query *q, int code, const agg_term *a,
	const char *why)
{
	return corm_conn__set_error(q->db, code, NULL, "%s of %s.%s: %s",
		a->fn == CORM_AGG_SUM ? "SUM" : a->fn == CORM_AGG_AVG ? "AVG"
		: a->fn == CORM_AGG_COUNT ? "COUNT" : a->fn == CORM_AGG_MIN
		? "MIN" : "MAX", q->m->name,
		a->field < 0 ? "*" : q->m->fields[a->field].name, why);
}

/* An integer the engine may give as text ("123", a numeric or DECIMAL
 * with no fraction, or with a zero one): exact, or ERANGE past int64. */
static int read_exact_int(int64_t *out, corm_stmt *st, int c,
	corm_query *q, const agg_term *a)
{
	corm_value v;
	uint64_t mag = 0, limit;
	size_t i = 0;
	bool neg;
	int error = corm_stmt__value(&v, st, c);

	if (error)
		return error;
	if (v.type == CORM_TYPE_INT) {
		*out = v.v.i;
		return CORM_OK;
	}
	if (v.type != CORM_TYPE_TEXT || v.v.bytes.len == 0)
		return agg_read_error(q, CORM_ETYPE, a, "not an integer");
	neg = v.v.bytes.ptr[0] == '-';
	i = neg || v.v.bytes.ptr[0] == '+';
	limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (; i < v.v.bytes.len; i++) {
		unsigned dig = (unsigned char)v.v.bytes.ptr[i] - '0';

		if (v.v.bytes.ptr[i] == '.')
			break;
		if (dig > 9)
			return agg_read_error(q, CORM_ETYPE, a, "not an integer");
		if (mag > (limit - dig) / 10)
			return agg_read_error(q, CORM_ERANGE, a,
				"the sum is out of the int64 range");
		mag = mag * 10 + dig;
	}
	for (i++; i < v.v.bytes.len; i++)
		if (v.v.bytes.ptr[i] != '0')
			return agg_read_error(q, CORM_ETYPE, a, "not an integer");
	*out = neg ? (int64_t)(0 - mag) : (int64_t)mag;
	return CORM_OK;
}

/* A decimal aggregate (SUM, MIN, MAX) in the column's canonical form, as
 * rows are read (orm/decimal.c): S places, no leading zeros, zero
 * unsigned. A sum may need more integer digits than the column's P, so
 * only the places are checked. */
static int read_decimal(corm_str *out, corm_stmt *st, int c, corm_query *q,
	const agg_term *a, corm_arena *arena)
{
	const corm_field_desc *f = &q->m->fields[a->field];
	const int no_precision_limit = 1 << 20;
	const char *s;
	char *text;
	size_t len, n;
	int error = corm_column_text(&s, &len, st, c);

	if (error)
		return error;
	if (!is_decimal_text(s, len))
		return agg_read_error(q, CORM_ETYPE, a, "not a decimal number");
	text = corm_arena_alloc(arena, corm_decimal__canonical_cap(len, f->scale));
	if (!text)
		return corm_conn__set_error(q->db, CORM_ENOMEM, NULL, "out of memory");
	if (corm_decimal__canonical(text, &n, s, len,
			f->precision > 0 ? no_precision_limit : 0, f->scale))
		return agg_read_error(q, CORM_ETYPE, a,
			"more places than the column's scale");
	out->ptr = text;
	out->len = n;
	return CORM_OK;
}

/* The sum of an AVG as a double: integers exactly first, decimals from
 * their exact text. */
static int read_sum_as_double(double *out, corm_stmt *st, int c,
	corm_query *q, const agg_term *a)
{
	const corm_field_desc *f = &q->m->fields[a->field];
	const char *s;
	size_t len;
	int64_t i;
	int error;

	if (corm_q__is_int_field(f)) {
		if ((error = read_exact_int(&i, st, c, q, a)) == CORM_OK)
			*out = (double)i;
		return error;
	}
	if (is_float_field(f))
		return corm_column_double(out, st, c);
	if ((error = corm_column_text(&s, &len, st, c)) != CORM_OK)
		return error;
	if (!is_decimal_text(s, len))
		return agg_read_error(q, CORM_ETYPE, a, "not a decimal number");
	*out = strtod(s, NULL); /* the text is NUL-terminated */
	return CORM_OK;
}

/* A MIN or MAX in the column's own type, read as a row's field is. */
static int read_as_field(corm_agg_value *out, corm_stmt *st, int c,
	corm_query *q, const agg_term *a, corm_arena *arena)
{
	corm_field_desc f = q->m->fields[a->field];

	f.offset = 0;
	f.has_offset = CORM_NO_HAS;
	f.flags |= CORM_FIELD_NULLABLE;
	f.max_chars = 0;
	return corm_model__read_field(st, c, &f, &out->v, arena);
}

/*
 * MIN / MAX of an f32 column: exactly (double)(the stored float), as
 * SQLite gives it. PostgreSQL and MariaDB give a float as its shortest
 * decimal (-1.7148438 for -1.71484375f), which the drivers read as the
 * nearest double (-1.7148437999999999). Nine significant digits of either
 * double are that decimal, or one as close to the float, so they read
 * back as the same float (FLT_DECIMAL_DIG); (float)d alone could round a
 * double that falls on a midpoint to the wrong float.
 */
static int read_f32(double *out, corm_stmt *st, int c)
{
	char text[32];
	double d;
	int error = corm_column_double(&d, st, c);

	if (error)
		return error;
	snprintf(text, sizeof(text), "%.9g", d); /* inf and nan read back */
	*out = (double)strtof(text, NULL);
	return CORM_OK;
}

/* Aggregate `a` from column c (c and c + 1 for AVG) into `out`. */
static int read_agg(corm_agg_value *out, corm_stmt *st, int c,
	corm_query *q, const agg_term *a, corm_arena *arena)
{
	int64_t count;
	int error;

	memset(out, 0, sizeof(*out));
	out->type = a->type;
	out->is_null = corm_column_is_null(st, c);
	if (a->fn == CORM_AGG_AVG) {
		if ((error = corm_column_int64(&count, st, c + 1)) != CORM_OK)
			return error;
		out->is_null = out->is_null || count == 0;
		if (out->is_null)
			return CORM_OK;
		if ((error = read_sum_as_double(&out->v.f64, st, c, q, a)))
			return error;
		out->v.f64 /= (double)count;
		return CORM_OK;
	}
	if (out->is_null)
		return CORM_OK;
	switch (a->type) {
	case CORM_AGGV_INT64:
		return read_exact_int(&out->v.i64, st, c, q, a);
	case CORM_AGGV_DOUBLE:
		if (a->fn != CORM_AGG_SUM &&
			q->m->fields[a->field].ctype == CORM_C_F32)
			return read_f32(&out->v.f64, st, c);
		return corm_column_double(&out->v.f64, st, c);
	case CORM_AGGV_DECIMAL:
		return read_decimal(&out->v.text, st, c, q, a, arena);
	default:
		return read_as_field(out, st, c, q, a, arena);
	}
}

/* One result row: the group's fields, then each aggregate. */
static int read_agg_row(corm_agg_group *out, corm_stmt *st, corm_query *q,
	corm_arena *arena)
{
	int i, c = q->ngroup, error = CORM_OK;

	out->group = corm_arena_alloc(arena, q->m->size);
	out->values = corm_arena_alloc(arena,
		(size_t)q->naggs * sizeof(corm_agg_value));
	if (!out->group || !out->values)
		return corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
			"out of memory");
	memset(out->group, 0, q->m->size);
	for (i = 0; i < q->ngroup && !error; i++)
		error = corm_model__read_field(st, i, &q->m->fields[q->group[i]],
			out->group, arena);
	for (i = 0; i < q->naggs && !error; i++) {
		error = read_agg(&out->values[i], st, c, q, &q->aggs[i], arena);
		c += q->aggs[i].fn == CORM_AGG_AVG ? 2 : 1;
	}
	return error;
}

void corm_agg_result_free(corm_agg_result *r)
{
	corm_arena_free(&r->arena);
	r->items = NULL;
	r->count = 0;
}

int corm_query_aggregates(corm_agg_result *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	size_t cap = 0;
	int rc, error;

	memset(out, 0, sizeof(*out));
	out->naggs = q->naggs;
	if (q->naggs == 0)
		corm_q__fail(q, CORM_EINVAL, "aggregates() with no aggregate: add one "
			"with corm_query_agg()");
	if (q->having && !corm_q__having_ok(q, q->having))
		corm_q__fail(q, CORM_EINVAL, "a predicate in having() over a field that "
			"is not in group_by()");
	corm_q__render_aggregates(q);
	if ((error = corm_q__prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	while ((rc = corm_step(st)) == CORM_ROW) {
		if (out->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			corm_agg_group *p = out->items
				? corm_arena__grow_own(&out->arena, out->items,
					ncap * sizeof(*p))
				: corm_arena__alloc_own(&out->arena, ncap * sizeof(*p));

			if (!p) {
				error = corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
					"out of memory");
				goto done;
			}
			out->items = p;
			cap = ncap;
		}
		if ((error = read_agg_row(&out->items[out->count], st, q,
			     &out->arena)) != CORM_OK)
			goto done;
		out->count++;
	}
	if (rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	if (error)
		corm_agg_result_free(out);
	return error;
}
