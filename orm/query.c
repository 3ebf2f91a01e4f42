/*
 * query.c — the generic query builder (see corm/query.h).
 *
 * A query keeps its predicates, copied values and clauses in its own
 * arena. Running it renders SQL for the connection's dialect into q->sql,
 * collecting the values to bind in order as it goes; the statement comes
 * from the connection's cache, so a query of the same shape is prepared
 * once. Text matching and ordering are rendered so that every engine gives
 * the same rows in the same order: case-sensitive matching (GLOB on
 * SQLite), explicit NULLS FIRST/LAST (emulated on MySQL), and text ordered
 * by bytes (COLLATE "C" on PostgreSQL; MySQL tables use a NO PAD binary
 * collation), enums by their member's name (MySQL's ENUM lists its
 * members in byte order: see migrate/ddl.c).
 *
 * Filters on a related model (corm/rel.h) are subqueries: a query over the
 * related model, owned by the outer one, whose predicates are rendered
 * inside a correlated EXISTS of the outer statement.
 *
 * Typed aggregates (corm_query_agg and the rest) keep their terms in the
 * query too and render one GROUP BY statement: see the last section.
 *
 * Files, one job each: query.c (values and building), query_render.c,
 * query_run.c (running, updates, deletes), query_related.c (related-model
 * filters), query_agg.c and query_agg_render.c (typed aggregates);
 * query_internal.h holds what they share (functions named corm_q__*).
 */
#include "query_internal.h"

/* ------------------------------------------------------------------ values */

void corm_q__fail(corm_query *q, int code, const char *msg)
{
	if (q->error)
		return;
	q->error = code;
	snprintf(q->errmsg, sizeof(q->errmsg), "%s", msg);
}

bool corm_q__check_field(corm_query *q, int field)
{
	if (!q)
		return false; /* a filter query that could not be made */
	if (field >= 0 && field < q->m->nfields)
		return true;
	corm_q__fail(q, CORM_EINVAL, "field index out of range for this model");
	return false;
}

size_t corm_q__ctype_size(corm_ctype t)
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
	return 0;
}

/* Copy one C value of field `f` into the query, with the bytes a corm_str
 * or corm_bytes points at, so the caller's buffers may go away. */
static bool copy_value(corm_query *q, void *dst, const corm_field_desc *f,
	const void *src)
{
	size_t size = corm_q__ctype_size(f->ctype);

	memcpy(dst, src, size);
	if (f->ctype == CORM_C_STR || f->ctype == CORM_C_BYTES) {
		const corm_str *s = src;
		corm_str *d = dst;

		d->ptr = s->ptr ? corm_arena_strndup(&q->arena, s->ptr, s->len)
				: NULL;
		if (s->ptr && !d->ptr)
			return false;
	}
	return true;
}

static const void *dup_value(corm_query *q, int field, const void *src)
{
	const corm_field_desc *f = &q->m->fields[field];
	void *dst = corm_arena_alloc(&q->arena, corm_q__ctype_size(f->ctype));

	if (!dst || !copy_value(q, dst, f, src)) {
		corm_q__fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	return dst;
}

/*
 * Text a predicate compares with (cmp, between, in, match, HAVING) must be
 * valid UTF-8 without a NUL, as written text must: PostgreSQL refuses
 * anything else with an error, where SQLite and MariaDB would just match
 * nothing. string(N)'s limit is not applied: comparing with a longer
 * text is legitimate, and matches nothing. False (and q fails) if bad.
 */
bool corm_q__pred_text_ok(corm_query *q, const corm_field_desc *f,
	const void *value)
{
	corm_field_desc unlimited = *f;
	int error;

	unlimited.max_chars = 0;
	error = corm_model__check_text(q->db, &unlimited, value);
	if (error)
		corm_q__fail(q, error, corm_errmsg(q->db));
	return !error;
}

corm_pred *corm_q__new_pred(corm_query *q, pred_kind kind)
{
	corm_pred *p;

	if (q->error)
		return NULL;
	p = corm_arena_alloc(&q->arena, sizeof(*p));
	if (!p) {
		corm_q__fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	memset(p, 0, sizeof(*p));
	p->kind = kind;
	p->owner = q;
	return p;
}

/* ---------------------------------------------------------------- building */

int corm_query_new(corm_query **out, corm_conn *db, const corm_model_desc *m)
{
	corm_query *q;

	*out = NULL;
	if (!db || !m)
		return CORM_EINVAL;
	if (corm_model__check_desc(db, m) != CORM_OK)
		return CORM_EINVAL;
	q = corm_malloc(sizeof(*q));
	if (!q)
		return corm_conn__set_error(db, CORM_ENOMEM, NULL, "out of memory");
	memset(q, 0, offsetof(corm_query, errmsg));
	q->errmsg[0] = '\0';
	q->db = db;
	q->m = m;
	q->d = corm_conn_dialect(db);
	*out = q;
	return CORM_OK;
}

static void query_destroy(corm_query *q);

void corm_query_free(corm_query *q)
{
	/* A related-model query belongs to its parent, which frees it. */
	if (q && !q->parent)
		query_destroy(q);
}

static void query_destroy(corm_query *q)
{
	while (q->subs) {
		corm_query *sub = q->subs;

		q->subs = sub->next_sub;
		query_destroy(sub);
	}
	corm_stmt_free(q->stream);
	corm_arena_free(&q->arena);
	corm_buf_free(&q->sql);
	corm_free(q->binds);
	corm_free(q);
}

int corm_query_error(const corm_query *q)
{
	return q->error;
}

corm_pred *corm_pred_cmp(corm_query *q, int field, corm_cmp op,
	const void *value)
{
	corm_pred *p = corm_q__check_field(q, field)
		? corm_q__new_pred(q, PRED_CMP) : NULL;

	if (!p || !corm_q__pred_text_ok(q, &q->m->fields[field], value))
		return NULL;
	p->field = field;
	p->op = op;
	p->v1 = dup_value(q, field, value);
	return q->error ? NULL : p;
}

corm_pred *corm_pred_between(corm_query *q, int field, const void *low,
	const void *high)
{
	corm_pred *p = corm_q__check_field(q, field)
		? corm_q__new_pred(q, PRED_BETWEEN) : NULL;

	if (!p || !corm_q__pred_text_ok(q, &q->m->fields[field], low) ||
		!corm_q__pred_text_ok(q, &q->m->fields[field], high))
		return NULL;
	p->field = field;
	p->v1 = dup_value(q, field, low);
	p->v2 = dup_value(q, field, high);
	return q->error ? NULL : p;
}

/* The values of an IN list as one parameter (in_list.c), in p->text. */
static corm_pred *pack_in(corm_query *q, corm_pred *p, const void *values,
	size_t n)
{
	const corm_field_desc *f = &q->m->fields[p->field];
	size_t size = corm_q__ctype_size(f->ctype), i;
	const void **v = corm_malloc(n * sizeof(*v));
	corm_buf text = CORM_BUF_INIT;
	int error;

	if (!v) {
		corm_q__fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		v[i] = (const char *)values + i * size;
	error = corm_in__encode(&text, &p->width, q->db, f, v, n);
	corm_free(v);
	if (!error) {
		p->text.len = text.len;
		p->text.ptr = corm_arena_strndup(&q->arena, corm_buf_cstr(&text),
			text.len);
		if (!p->text.ptr)
			error = corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
				"out of memory");
	}
	corm_buf_free(&text);
	if (error) {
		corm_q__fail(q, error, corm_errmsg(q->db));
		return NULL;
	}
	return p;
}

corm_pred *corm_pred_in(corm_query *q, int field, const void *values,
	size_t n)
{
	corm_pred *p = corm_q__check_field(q, field)
		? corm_q__new_pred(q, PRED_IN) : NULL;
	const corm_field_desc *f;
	size_t size, i;
	char *list;

	if (!p)
		return NULL;
	f = &q->m->fields[field];
	size = corm_q__ctype_size(f->ctype);
	p->field = field;
	p->n = n;
	if (n && !corm_in__by_value(q->d, f))
		return pack_in(q, p, values, n);
	list = n ? corm_arena_alloc(&q->arena, n * size) : NULL;
	if (n && !list) {
		corm_q__fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (!corm_q__pred_text_ok(q, f, (const char *)values + i * size))
			return NULL;
	for (i = 0; i < n; i++)
		if (!copy_value(q, list + i * size, f,
			    (const char *)values + i * size)) {
			corm_q__fail(q, CORM_ENOMEM, "out of memory");
			return NULL;
		}
	p->field = field;
	p->list = list;
	p->n = n;
	return p;
}

corm_pred *corm_pred_is_null(corm_query *q, int field, bool is_null)
{
	corm_pred *p = corm_q__check_field(q, field)
		? corm_q__new_pred(q, PRED_NULL) : NULL;

	if (!p)
		return NULL;
	p->field = field;
	p->is_null = is_null;
	return p;
}

corm_pred *corm_pred_match(corm_query *q, int field, corm_match how,
	corm_str text)
{
	corm_pred *p = corm_q__check_field(q, field)
		? corm_q__new_pred(q, PRED_MATCH) : NULL;

	if (!p)
		return NULL;
	if (q->m->fields[field].ctype != CORM_C_STR) {
		corm_q__fail(q, CORM_EINVAL, "text matching on a field that is not text");
		return NULL;
	}
	if (!corm_q__pred_text_ok(q, &q->m->fields[field], &text))
		return NULL;
	p->field = field;
	p->how = how;
	p->text.len = text.len;
	p->text.ptr = corm_arena_strndup(&q->arena, text.ptr ? text.ptr : "",
		text.len);
	if (!p->text.ptr) {
		corm_q__fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	return p;
}

static corm_pred *combine(corm_query *q, pred_kind kind, corm_pred *a,
	corm_pred *b)
{
	corm_pred *p;

	if (!q)
		return NULL; /* a filter query that could not be made */
	if (!a || (kind != PRED_NOT && !b)) {
		/* A NULL operand means building it failed; that error stands. */
		corm_q__fail(q, CORM_EINVAL, "a predicate operand is missing");
		return NULL;
	}
	if (!(p = corm_q__new_pred(q, kind)))
		return NULL;
	p->a = a;
	p->b = b;
	return p;
}

corm_pred *corm_pred_and(corm_query *q, corm_pred *a, corm_pred *b)
{
	return combine(q, PRED_AND, a, b);
}

corm_pred *corm_pred_or(corm_query *q, corm_pred *a, corm_pred *b)
{
	return combine(q, PRED_OR, a, b);
}

corm_pred *corm_pred_not(corm_query *q, corm_pred *a)
{
	return combine(q, PRED_NOT, a, NULL);
}

/* A related-model filter query only builds predicates (corm/rel.h): a
 * clause set on it would look like it filters and would be ignored, so
 * it fails the query (reported when the outer query runs). */
static bool refused_on_filter(corm_query *q, const char *what)
{
	char msg[128];

	if (!q->parent)
		return false;
	snprintf(msg, sizeof(msg), "%s on a related-model filter query: pass "
		"the predicate to the filter instead", what);
	corm_q__fail(q, CORM_EINVAL, msg);
	return true;
}

void corm_query_where(corm_query *q, corm_pred *p)
{
	if (!q || refused_on_filter(q, "where()"))
		return;
	if (!p) {
		corm_q__fail(q, CORM_EINVAL, "where() was given a predicate that failed");
		return;
	}
	q->where = q->where ? corm_pred_and(q, q->where, p) : p;
}

void corm_query_order_by(corm_query *q, int field, unsigned flags)
{
	if (!corm_q__check_field(q, field) || refused_on_filter(q, "order_by()"))
		return;
	if (q->norder == MAX_TERMS) {
		corm_q__fail(q, CORM_EINVAL, "too many ORDER BY terms");
		return;
	}
	q->order[q->norder++] = (order_term){field, flags};
}

void corm_query_limit(corm_query *q, int64_t n)
{
	if (!q || refused_on_filter(q, "limit()"))
		return;
	if (n < 0) {
		corm_q__fail(q, CORM_EINVAL, "a negative LIMIT");
		return;
	}
	q->limit = n;
	q->has_limit = true;
}

void corm_query_offset(corm_query *q, int64_t n)
{
	if (!q || refused_on_filter(q, "offset()"))
		return;
	if (n < 0) {
		corm_q__fail(q, CORM_EINVAL, "a negative OFFSET");
		return;
	}
	q->offset = n;
	q->has_offset = true;
}

void corm_query_distinct(corm_query *q)
{
	if (!q || refused_on_filter(q, "distinct()"))
		return;
	q->distinct = true;
}

void corm_query_only(corm_query *q, const int *fields, int n)
{
	int i;

	if (!q->only) {
		q->only = corm_arena_alloc(&q->arena,
			sizeof(bool) * (size_t)q->m->nfields);
		if (!q->only) {
			corm_q__fail(q, CORM_ENOMEM, "out of memory");
			return;
		}
	}
	memset(q->only, 0, sizeof(bool) * (size_t)q->m->nfields);
	for (i = 0; i < n; i++)
		if (corm_q__check_field(q, fields[i]))
			q->only[fields[i]] = true;
}

void corm_query_select(corm_query *q, int field)
{
	if (!corm_q__check_field(q, field))
		return;
	if (!q->only) {
		q->only = corm_arena_alloc(&q->arena,
			sizeof(bool) * (size_t)q->m->nfields);
		if (!q->only) {
			corm_q__fail(q, CORM_ENOMEM, "out of memory");
			return;
		}
		memset(q->only, 0, sizeof(bool) * (size_t)q->m->nfields);
	}
	q->only[field] = true;
}

static void add_set(corm_query *q, int field, const void *value)
{
	if (!corm_q__check_field(q, field))
		return;
	if (q->nsets == MAX_TERMS) {
		corm_q__fail(q, CORM_EINVAL, "too many SET terms");
		return;
	}
	q->sets[q->nsets++] = (set_term){field, value, false};
}

void corm_query_set(corm_query *q, int field, const void *value)
{
	int error;

	if (!corm_q__check_field(q, field))
		return;
	/* SET writes, so the text must be storable on every engine. */
	error = corm_model__check_text(q->db, &q->m->fields[field], value);
	if (error)
		corm_q__fail(q, error, corm_errmsg(q->db));
	else
		add_set(q, field, dup_value(q, field, value));
}

void corm_query_set_null(corm_query *q, int field)
{
	if (corm_q__check_field(q, field) &&
		!(q->m->fields[field].flags & CORM_FIELD_NULLABLE)) {
		corm_q__fail(q, CORM_EINVAL, "SET NULL on a field that is not nullable");
		return;
	}
	add_set(q, field, NULL);
}

void corm_query_set_add(corm_query *q, int field, const void *delta)
{
	const corm_field_desc *f;

	if (!corm_q__check_field(q, field))
		return;
	f = &q->m->fields[field];
	switch (f->ctype) {
	case CORM_C_I16: case CORM_C_I32: case CORM_C_I64:
	case CORM_C_F32: case CORM_C_F64:
		break;
	case CORM_C_STR:
		if (f->coltype != CORM_COL_DECIMAL)
			goto not_numeric;
		/* The sum is checked against (P,S) by the engine: a descriptor
		 * without them has nothing to check it against. */
		if (f->precision <= 0) {
			corm_q__fail(q, CORM_EUNSUPPORTED, "set_add on a decimal field "
				"without a precision and scale");
			return;
		}
		break;
	default:
		goto not_numeric;
	}
	add_set(q, field, dup_value(q, field, delta));
	if (!q->error) {
		q->sets[q->nsets - 1].add = true;
		/* SQLite's corm_decimal_add() checks its sum itself. */
		q->has_add |= f->coltype != CORM_COL_DECIMAL;
	}
	return;
not_numeric:
	corm_q__fail(q, CORM_EINVAL, "set_add on a column that is not a number");
}

void corm_query_for_update(corm_query *q)
{
	if (q)
		q->for_update = true;
}

void corm_query_group_by(corm_query *q, int field)
{
	if (!corm_q__check_field(q, field))
		return;
	if (q->ngroup == MAX_TERMS) {
		corm_q__fail(q, CORM_EINVAL, "too many GROUP BY terms");
		return;
	}
	q->group[q->ngroup++] = field;
}
