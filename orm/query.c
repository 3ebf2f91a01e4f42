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
 * Sections: values, building, rendering, running, related-model filters,
 * typed aggregates.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/query.h"
#include "corm/rel.h"
#include "internal.h"

/* ------------------------------------------------------------------ values */

typedef enum pred_kind {
	PRED_CMP,
	PRED_BETWEEN,
	PRED_IN,
	PRED_NULL,
	PRED_MATCH,
	PRED_AND,
	PRED_OR,
	PRED_NOT,
	PRED_RELATED, /* EXISTS over a related model: see its section */
	PRED_AGG      /* over an aggregate, in HAVING: the last section */
} pred_kind;

struct corm_pred {
	pred_kind kind;
	int field;
	corm_cmp op;
	corm_match how;
	bool is_null;
	const void *v1, *v2;  /* copied C values */
	const char *list;     /* PRED_IN bound value by value: n values of the
	                       * field's size; NULL when packed in `text` */
	size_t n;
	corm_str text;        /* PRED_MATCH; PRED_IN's one parameter */
	size_t width;         /* PRED_IN: its widest text value (in_list.c) */
	corm_pred *a, *b;     /* PRED_RELATED: a is the inner predicate or NULL */
	corm_query *owner;    /* the query it was built on */
	corm_query *sub;      /* PRED_RELATED: the related model's query */
};

typedef struct order_term {
	int field;
	unsigned flags;
} order_term;

typedef struct set_term {
	int field;
	const void *value; /* NULL: SET NULL */
	bool add;          /* SET col = col + value (corm_query_set_add) */
} set_term;

/* A value to bind, collected while rendering. */
typedef struct bind_item {
	const corm_field_desc *f; /* a field's C value; NULL for the others */
	const void *value;
	corm_str text;            /* f == NULL && !is_int: a pattern */
	bool is_int;
	int64_t i;                /* LIMIT / OFFSET */
} bind_item;

#define MAX_TERMS 64

/* An aggregate of corm_query_agg(): fn over field (-1: COUNT(*)). */
typedef struct agg_term {
	corm_agg fn;
	int field;
	corm_agg_vtype type;
} agg_term;

/* order_term.flags: the term orders by aggregate `field`, not a field. */
#define ORDER_BY_AGG 0x100u

struct corm_query {
	corm_conn *db;
	const corm_model_desc *m;
	const corm_dialect *d;
	corm_arena arena;
	int error;

	corm_pred *where;
	int norder, nsets, ngroup; /* terms in use in the arrays at the end */
	bool *only;           /* nfields flags, or NULL for all */
	int64_t limit, offset;
	bool has_limit, has_offset, distinct;
	bool for_update;      /* lock the rows read (corm_query_for_update) */
	bool locking;         /* the SQL rendered last is a locking SELECT */
	bool has_add;         /* a SET term adds (corm_query_set_add) */

	corm_buf sql;
	bind_item *binds;
	size_t nbinds, capbinds;
	int nparams;          /* placeholders rendered */
	int ncolumns;         /* in the select list rendered last */

	corm_stmt *stream;    /* corm_query_next() */
	bool stream_checked;  /* its width, at the first row */
	bool stream_done;

	/* Related-model filters (the last section). A query made by
	 * corm_query_related() / _through() has a parent, which owns and
	 * frees it. */
	corm_query *parent;
	const corm_rel_desc *rel;   /* the relation filtered on, or NULL */
	corm_rel_end end;
	const corm_m2m_desc *m2m;   /* or the many-to-many one */
	int depth;            /* 1 for a subquery of the top query, ... */
	bool aliased;         /* rendering inside its parent: qualify columns */
	corm_query *subs;     /* the subqueries this one owns */
	corm_query *next_sub; /* in the parent's list */

	/* Typed aggregates (the last section). */
	int naggs;
	corm_pred *having;
	bool in_having;       /* rendering HAVING: aggregate predicates allowed */

	/* Not zeroed by corm_query_new() (2 KiB, most of the struct): read
	 * only up to the counts above, or after fail() wrote it. */
	char errmsg[256];
	order_term order[MAX_TERMS];
	set_term sets[MAX_TERMS];
	int group[MAX_TERMS];
	agg_term aggs[MAX_TERMS];
};

static void fail(corm_query *q, int code, const char *msg)
{
	if (q->error)
		return;
	q->error = code;
	snprintf(q->errmsg, sizeof(q->errmsg), "%s", msg);
}

static bool check_field(corm_query *q, int field)
{
	if (!q)
		return false; /* a filter query that could not be made */
	if (field >= 0 && field < q->m->nfields)
		return true;
	fail(q, CORM_EINVAL, "field index out of range for this model");
	return false;
}

static size_t ctype_size(corm_ctype t)
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
	size_t size = ctype_size(f->ctype);

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
	void *dst = corm_arena_alloc(&q->arena, ctype_size(f->ctype));

	if (!dst || !copy_value(q, dst, f, src)) {
		fail(q, CORM_ENOMEM, "out of memory");
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
static bool pred_text_ok(corm_query *q, const corm_field_desc *f,
	const void *value)
{
	corm_field_desc unlimited = *f;
	int error;

	unlimited.max_chars = 0;
	error = corm_model__check_text(q->db, &unlimited, value);
	if (error)
		fail(q, error, corm_errmsg(q->db));
	return !error;
}

static corm_pred *new_pred(corm_query *q, pred_kind kind)
{
	corm_pred *p;

	if (q->error)
		return NULL;
	p = corm_arena_alloc(&q->arena, sizeof(*p));
	if (!p) {
		fail(q, CORM_ENOMEM, "out of memory");
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
	corm_pred *p = check_field(q, field) ? new_pred(q, PRED_CMP) : NULL;

	if (!p || !pred_text_ok(q, &q->m->fields[field], value))
		return NULL;
	p->field = field;
	p->op = op;
	p->v1 = dup_value(q, field, value);
	return q->error ? NULL : p;
}

corm_pred *corm_pred_between(corm_query *q, int field, const void *low,
	const void *high)
{
	corm_pred *p = check_field(q, field) ? new_pred(q, PRED_BETWEEN) : NULL;

	if (!p || !pred_text_ok(q, &q->m->fields[field], low) ||
		!pred_text_ok(q, &q->m->fields[field], high))
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
	size_t size = ctype_size(f->ctype), i;
	const void **v = corm_malloc(n * sizeof(*v));
	corm_buf text = CORM_BUF_INIT;
	int error;

	if (!v) {
		fail(q, CORM_ENOMEM, "out of memory");
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
		fail(q, error, corm_errmsg(q->db));
		return NULL;
	}
	return p;
}

corm_pred *corm_pred_in(corm_query *q, int field, const void *values,
	size_t n)
{
	corm_pred *p = check_field(q, field) ? new_pred(q, PRED_IN) : NULL;
	const corm_field_desc *f;
	size_t size, i;
	char *list;

	if (!p)
		return NULL;
	f = &q->m->fields[field];
	size = ctype_size(f->ctype);
	p->field = field;
	p->n = n;
	if (n && !corm_in__by_value(q->d, f))
		return pack_in(q, p, values, n);
	list = n ? corm_arena_alloc(&q->arena, n * size) : NULL;
	if (n && !list) {
		fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	for (i = 0; i < n; i++)
		if (!pred_text_ok(q, f, (const char *)values + i * size))
			return NULL;
	for (i = 0; i < n; i++)
		if (!copy_value(q, list + i * size, f,
			    (const char *)values + i * size)) {
			fail(q, CORM_ENOMEM, "out of memory");
			return NULL;
		}
	p->field = field;
	p->list = list;
	p->n = n;
	return p;
}

corm_pred *corm_pred_is_null(corm_query *q, int field, bool is_null)
{
	corm_pred *p = check_field(q, field) ? new_pred(q, PRED_NULL) : NULL;

	if (!p)
		return NULL;
	p->field = field;
	p->is_null = is_null;
	return p;
}

corm_pred *corm_pred_match(corm_query *q, int field, corm_match how,
	corm_str text)
{
	corm_pred *p = check_field(q, field) ? new_pred(q, PRED_MATCH) : NULL;

	if (!p)
		return NULL;
	if (q->m->fields[field].ctype != CORM_C_STR) {
		fail(q, CORM_EINVAL, "text matching on a field that is not text");
		return NULL;
	}
	if (!pred_text_ok(q, &q->m->fields[field], &text))
		return NULL;
	p->field = field;
	p->how = how;
	p->text.len = text.len;
	p->text.ptr = corm_arena_strndup(&q->arena, text.ptr ? text.ptr : "",
		text.len);
	if (!p->text.ptr) {
		fail(q, CORM_ENOMEM, "out of memory");
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
		fail(q, CORM_EINVAL, "a predicate operand is missing");
		return NULL;
	}
	if (!(p = new_pred(q, kind)))
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
	fail(q, CORM_EINVAL, msg);
	return true;
}

void corm_query_where(corm_query *q, corm_pred *p)
{
	if (!q || refused_on_filter(q, "where()"))
		return;
	if (!p) {
		fail(q, CORM_EINVAL, "where() was given a predicate that failed");
		return;
	}
	q->where = q->where ? corm_pred_and(q, q->where, p) : p;
}

void corm_query_order_by(corm_query *q, int field, unsigned flags)
{
	if (!check_field(q, field) || refused_on_filter(q, "order_by()"))
		return;
	if (q->norder == MAX_TERMS) {
		fail(q, CORM_EINVAL, "too many ORDER BY terms");
		return;
	}
	q->order[q->norder++] = (order_term){field, flags};
}

void corm_query_limit(corm_query *q, int64_t n)
{
	if (!q || refused_on_filter(q, "limit()"))
		return;
	if (n < 0) {
		fail(q, CORM_EINVAL, "a negative LIMIT");
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
		fail(q, CORM_EINVAL, "a negative OFFSET");
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
			fail(q, CORM_ENOMEM, "out of memory");
			return;
		}
	}
	memset(q->only, 0, sizeof(bool) * (size_t)q->m->nfields);
	for (i = 0; i < n; i++)
		if (check_field(q, fields[i]))
			q->only[fields[i]] = true;
}

void corm_query_select(corm_query *q, int field)
{
	if (!check_field(q, field))
		return;
	if (!q->only) {
		q->only = corm_arena_alloc(&q->arena,
			sizeof(bool) * (size_t)q->m->nfields);
		if (!q->only) {
			fail(q, CORM_ENOMEM, "out of memory");
			return;
		}
		memset(q->only, 0, sizeof(bool) * (size_t)q->m->nfields);
	}
	q->only[field] = true;
}

static void add_set(corm_query *q, int field, const void *value)
{
	if (!check_field(q, field))
		return;
	if (q->nsets == MAX_TERMS) {
		fail(q, CORM_EINVAL, "too many SET terms");
		return;
	}
	q->sets[q->nsets++] = (set_term){field, value, false};
}

void corm_query_set(corm_query *q, int field, const void *value)
{
	int error;

	if (!check_field(q, field))
		return;
	/* SET writes, so the text must be storable on every engine. */
	error = corm_model__check_text(q->db, &q->m->fields[field], value);
	if (error)
		fail(q, error, corm_errmsg(q->db));
	else
		add_set(q, field, dup_value(q, field, value));
}

void corm_query_set_null(corm_query *q, int field)
{
	if (check_field(q, field) &&
		!(q->m->fields[field].flags & CORM_FIELD_NULLABLE)) {
		fail(q, CORM_EINVAL, "SET NULL on a field that is not nullable");
		return;
	}
	add_set(q, field, NULL);
}

void corm_query_set_add(corm_query *q, int field, const void *delta)
{
	const corm_field_desc *f;

	if (!check_field(q, field))
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
			fail(q, CORM_EUNSUPPORTED, "set_add on a decimal field "
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
	fail(q, CORM_EINVAL, "set_add on a column that is not a number");
}

void corm_query_for_update(corm_query *q)
{
	if (q)
		q->for_update = true;
}

void corm_query_group_by(corm_query *q, int field)
{
	if (!check_field(q, field))
		return;
	if (q->ngroup == MAX_TERMS) {
		fail(q, CORM_EINVAL, "too many GROUP BY terms");
		return;
	}
	q->group[q->ngroup++] = field;
}

/* --------------------------------------------------------------- rendering */

static bool is_mysql(const corm_query *q)
{
	return q->d->quote_open == '`';
}

static bool is_sqlite(const corm_query *q)
{
	return strcmp(q->d->name, "sqlite") == 0;
}

static void push_bind(corm_query *q, bind_item item)
{
	if (q->nbinds == q->capbinds) {
		size_t cap = q->capbinds ? q->capbinds * 2 : 16;
		bind_item *p = corm_realloc(q->binds, cap * sizeof(*p));

		if (!p) {
			fail(q, CORM_ENOMEM, "out of memory");
			return;
		}
		q->binds = p;
		q->capbinds = cap;
	}
	q->binds[q->nbinds++] = item;
	corm_dialect_placeholder(&q->sql, q->d, ++q->nparams);
}

static void bind_field_value(corm_query *q, int field, const void *value)
{
	bind_item it = {&q->m->fields[field], value, {NULL, 0}, false, 0};

	push_bind(q, it);
}

static void bind_int(corm_query *q, int64_t i)
{
	bind_item it = {NULL, NULL, {NULL, 0}, true, i};

	push_bind(q, it);
}

static void put_alias(corm_query *q);
static bool pads_text(const corm_query *q, const corm_field_desc *f);

static bool is_byte_text(const corm_field_desc *f)
{
	return corm_field__is_byte_text(f);
}

static void col(corm_query *q, int field)
{
	/* A field predicate in HAVING, over a text field grouped by its bytes
	 * (group_col()): the engine does not see the bare column as grouped
	 * (MySQL 1054, PostgreSQL 42803); MIN() is the group's one value, as
	 * in the SELECT. */
	bool group_value = q->in_having && is_byte_text(&q->m->fields[field]);

	corm_buf_puts(&q->sql, group_value ? "MIN(" : "");
	if (q->aliased) {
		/* Inside a parent's EXISTS: say whose column it is. */
		put_alias(q);
		corm_buf_putc(&q->sql, '.');
	}
	corm_dialect_quote(&q->sql, q->d, q->m->fields[field].column);
	corm_buf_puts(&q->sql, group_value ? ")" : "");
}

/*
 * Decimals compare by value, exactly, on every engine (decimal.c checks
 * each value against the column's decimal(P,S) before it is bound).
 * SQLite stores them as text: a column compared or sorted takes the
 * corm_decimal collation the SQLite driver registers on every connection
 * (drivers/sqlite_decimal.c), which orders decimal text by its value.
 * MariaDB compares a decimal with a text parameter as doubles in places
 * (BETWEEN, IN), so the value is made a decimal of the column's own type
 * there; it fits, so the CAST is exact.
 */
static void cmp_col(corm_query *q, int field)
{
	col(q, field);
	if (q->m->fields[field].coltype == CORM_COL_DECIMAL && is_sqlite(q))
		corm_buf_puts(&q->sql, " COLLATE corm_decimal");
	else if (is_byte_text(&q->m->fields[field]))
		corm_buf_puts(&q->sql, q->d->text_column_collate);
}

/*
 * Text compares by its bytes whatever the column's collation: a table
 * corm did not create may compare 'abc' equal to 'ABC' or 'abc '. The
 * dialect says which collation the value takes (text_eq_collate for =,
 * <> and LIKE; text_order_collate for <, BETWEEN; docs/queries.md).
 */
static void cmp_value_as(corm_query *q, int field, const void *value,
	bool ordered)
{
	const corm_field_desc *f = &q->m->fields[field];
	const char *collate = !is_byte_text(f) ? ""
		: ordered ? q->d->text_order_collate : q->d->text_eq_collate;

	if (*collate) {
		corm_buf_putc(&q->sql, '(');
		bind_field_value(q, field, value);
		corm_buf_puts(&q->sql, collate);
		corm_buf_putc(&q->sql, ')');
		return;
	}
	if (f->coltype != CORM_COL_DECIMAL || !is_mysql(q) ||
		f->precision <= 0) {
		bind_field_value(q, field, value);
		return;
	}
	corm_buf_puts(&q->sql, "CAST(");
	bind_field_value(q, field, value);
	corm_buf_printf(&q->sql, " AS DECIMAL(%d,%d))", f->precision, f->scale);
}

static void cmp_value(corm_query *q, int field, const void *value)
{
	cmp_value_as(q, field, value, false);
}

/* A match pattern for the engine: LIKE with '!' as the escape character,
 * or on SQLite a GLOB (its LIKE ignores case, GLOB does not). */
static corm_str match_pattern(corm_query *q, const corm_pred *p)
{
	corm_buf b = CORM_BUF_INIT;
	bool glob = is_sqlite(q), like = p->how == CORM_MATCH_LIKE;
	const char *wild = glob ? "*" : "%";
	size_t i;
	char *s;

	if (!like && p->how != CORM_MATCH_STARTS_WITH)
		corm_buf_puts(&b, wild);
	for (i = 0; i < p->text.len; i++) {
		char ch = p->text.ptr[i];
		bool literal = !like;

		if (like && ch == '!' && i + 1 < p->text.len) {
			ch = p->text.ptr[++i]; /* an escaped character */
			literal = true;
		} else if (like && (ch == '%' || ch == '_')) {
			corm_buf_puts(&b, glob ? (ch == '%' ? "*" : "?")
					       : (ch == '%' ? "%" : "_"));
			continue;
		}
		if (glob && (ch == '*' || ch == '?' || ch == '[')) {
			corm_buf_printf(&b, "[%c]", ch);
		} else if (!glob && literal &&
			(ch == '%' || ch == '_' || ch == '!')) {
			corm_buf_putc(&b, '!');
			corm_buf_putc(&b, ch);
		} else {
			corm_buf_putc(&b, ch);
		}
	}
	if (!like && p->how != CORM_MATCH_ENDS_WITH)
		corm_buf_puts(&b, wild);
	i = b.len;
	s = corm_buf_error(&b) ? NULL
		: corm_arena_strndup(&q->arena, corm_buf_cstr(&b), b.len);
	corm_buf_free(&b);
	if (!s)
		fail(q, CORM_ENOMEM, "out of memory");
	return (corm_str){s, s ? i : 0};
}

static void render_related(corm_query *q, const corm_pred *p);
static void render_agg_pred(corm_query *q, const corm_pred *p);

static void render_pred(corm_query *q, const corm_pred *p)
{
	static const char *const ops[] = {" = ", " <> ", " < ", " <= ", " > ",
		" >= "};
	const corm_field_desc *f;
	size_t i, size;

	switch (p->kind) {
	case PRED_CMP:
		cmp_col(q, p->field);
		corm_buf_puts(&q->sql, ops[p->op]);
		cmp_value_as(q, p->field, p->v1,
			p->op != CORM_CMP_EQ && p->op != CORM_CMP_NE);
		return;
	case PRED_BETWEEN:
		cmp_col(q, p->field);
		corm_buf_puts(&q->sql, " BETWEEN ");
		cmp_value_as(q, p->field, p->v1, true);
		corm_buf_puts(&q->sql, " AND ");
		cmp_value_as(q, p->field, p->v2, true);
		return;
	case PRED_IN:
		if (p->n == 0) {
			corm_buf_puts(&q->sql, "1 = 0"); /* an empty set matches nothing */
			return;
		}
		f = &q->m->fields[p->field];
		size = ctype_size(f->ctype);
		cmp_col(q, p->field);
		if (!p->list) {
			bind_item it = {NULL, NULL, p->text, false, 0};

			corm_in__open(&q->sql, q->d, f);
			push_bind(q, it);
			corm_in__close(&q->sql, q->d, f, p->width);
			return;
		}
		corm_buf_puts(&q->sql, " IN (");
		for (i = 0; i < p->n; i++) {
			if (i)
				corm_buf_puts(&q->sql, ", ");
			cmp_value(q, p->field, p->list + i * size);
		}
		corm_buf_putc(&q->sql, ')');
		return;
	case PRED_NULL:
		col(q, p->field);
		corm_buf_puts(&q->sql, p->is_null ? " IS NULL" : " IS NOT NULL");
		return;
	case PRED_MATCH: {
		bind_item it = {NULL, NULL, match_pattern(q, p), false, 0};

		cmp_col(q, p->field);
		corm_buf_puts(&q->sql, is_sqlite(q) ? " GLOB " : " LIKE ");
		push_bind(q, it);
		corm_buf_puts(&q->sql, q->d->text_eq_collate);
		if (!is_sqlite(q))
			corm_buf_puts(&q->sql, " ESCAPE '!'");
		return;
	}
	case PRED_AND:
	case PRED_OR:
		corm_buf_putc(&q->sql, '(');
		render_pred(q, p->a);
		corm_buf_puts(&q->sql, p->kind == PRED_AND ? " AND " : " OR ");
		render_pred(q, p->b);
		corm_buf_putc(&q->sql, ')');
		return;
	case PRED_NOT:
		corm_buf_puts(&q->sql, "NOT (");
		render_pred(q, p->a);
		corm_buf_putc(&q->sql, ')');
		return;
	case PRED_RELATED:
		render_related(q, p);
		return;
	case PRED_AGG:
		render_agg_pred(q, p);
		return;
	}
}

static void render_from_where(corm_query *q)
{
	corm_buf_puts(&q->sql, " FROM ");
	corm_dialect_quote(&q->sql, q->d, q->m->table);
	if (q->where) {
		corm_buf_puts(&q->sql, " WHERE ");
		render_pred(q, q->where);
	}
}

static bool selected(const corm_query *q, int field)
{
	return !q->only || q->only[field];
}

/* The selected columns; `distinct`: as DISTINCT must compare them, text
 * by its bytes whatever the column's collation (`"name" COLLATE "C" AS
 * "name"`: a case-insensitive one would merge 'abc' and 'ABC'). */
static void render_columns(corm_query *q, bool distinct)
{
	int i, n = 0;

	for (i = 0; i < q->m->nfields; i++) {
		bool key = distinct && is_byte_text(&q->m->fields[i]) &&
			*q->d->text_key_close;

		if (!selected(q, i))
			continue;
		if (n++)
			corm_buf_puts(&q->sql, ", ");
		corm_buf_puts(&q->sql, key ? q->d->text_key_open : "");
		col(q, i);
		if (key) {
			corm_buf_puts(&q->sql, q->d->text_key_close);
			corm_buf_puts(&q->sql, " AS ");
			corm_dialect_quote(&q->sql, q->d, q->m->fields[i].column);
		}
	}
	q->ncolumns = n;
}

static bool is_text(const corm_field_desc *f)
{
	return f->coltype == CORM_COL_STRING || f->coltype == CORM_COL_TEXT ||
		f->ctype == CORM_C_ENUM;
}

static bool orders_by_agg(corm_query *q);

static void render_order(corm_query *q)
{
	int i;

	if (orders_by_agg(q))
		return;
	for (i = 0; i < q->norder; i++) {
		const order_term *t = &q->order[i];
		const corm_field_desc *f = &q->m->fields[t->field];
		bool desc = t->flags & CORM_DESC;
		bool nulls_first = t->flags & CORM_NULLS_FIRST ? true
			: t->flags & CORM_NULLS_LAST ? false : desc;
		bool nullable = f->flags & CORM_FIELD_NULLABLE;

		corm_buf_puts(&q->sql, i ? ", " : " ORDER BY ");
		if (nullable && is_mysql(q)) {
			/* MySQL has no NULLS FIRST/LAST: sort on IS NULL first. */
			col(q, t->field);
			corm_buf_puts(&q->sql, nulls_first ? " IS NULL DESC, "
							   : " IS NULL ASC, ");
		}
		if (f->coltype == CORM_COL_DECIMAL) {
			cmp_col(q, t->field); /* by value, exactly */
		} else if (is_byte_text(f) && corm_conn__foreign_text(q->db,
				q->m->table, f->column)) {
			/* A MySQL column of another collation (collations.c). */
			corm_buf_puts(&q->sql, q->d->text_key_open);
			col(q, t->field);
			corm_buf_puts(&q->sql, q->d->text_key_close);
		} else {
			col(q, t->field);
			if (is_text(f))
				corm_buf_puts(&q->sql, q->d->text_sort_collate);
		}
		corm_buf_puts(&q->sql, desc ? " DESC" : " ASC");
		if (nullable && !is_mysql(q))
			corm_buf_puts(&q->sql, nulls_first ? " NULLS FIRST"
							   : " NULLS LAST");
	}
}

static void render_limit(corm_query *q)
{
	if (!q->has_limit && !q->has_offset)
		return;
	corm_buf_puts(&q->sql, " LIMIT ");
	if (q->has_limit)
		bind_int(q, q->limit);
	else if (is_mysql(q))
		corm_buf_puts(&q->sql, "18446744073709551615"); /* MySQL's "all" */
	else if (is_sqlite(q))
		corm_buf_puts(&q->sql, "-1");
	else
		corm_buf_puts(&q->sql, "ALL");
	if (q->has_offset) {
		corm_buf_puts(&q->sql, " OFFSET ");
		bind_int(q, q->offset);
	}
}

static void start_render(corm_query *q)
{
	corm_buf_clear(&q->sql);
	q->nbinds = 0;
	q->nparams = 0;
	q->locking = false;
}

/* FOR UPDATE after ORDER BY / LIMIT. SQLite has no row locks: there a
 * write transaction holds the database's write lock from its BEGIN. */
static void render_lock(corm_query *q)
{
	if (!q->for_update)
		return;
	if (q->distinct)
		fail(q, CORM_EINVAL, "for_update cannot lock the rows of a "
			"distinct query");
	if (q->d->has_for_update)
		corm_buf_puts(&q->sql, " FOR UPDATE");
	q->locking = true;
}

/* A lock lasts until the transaction ends: without one it would be
 * released at once, and a read-only one cannot take it. */
static void check_lock(corm_query *q)
{
	if (!q->for_update)
		return;
	if (!q->locking)
		fail(q, CORM_EINVAL, "for_update applies to the queries that read "
			"rows (all, first, next); update and delete lock the rows "
			"they change");
	else if (corm_tx_depth(q->db) == 0)
		fail(q, CORM_EINVAL, "for_update needs a transaction");
	else if (q->db->tx_read_only)
		fail(q, CORM_EINVAL, "for_update in a read-only transaction");
}

/*
 * SELECT DISTINCT with ORDER BY: PostgreSQL (42P10) and MySQL (3065) want
 * every ORDER BY expression in the select list, and ordering adds
 * COLLATE "C" or a cast to it. So the distinct rows are made inside and
 * ordered (and limited) outside, the same statement on every engine:
 *     SELECT a, b FROM (SELECT DISTINCT a, b FROM t WHERE ...)
 *         AS corm_distinct ORDER BY ... LIMIT ...
 * Ordering by a field the query does not select has no one answer (which
 * of the rows merged into one gives its value?): refused.
 */
static void render_distinct_ordered(corm_query *q)
{
	int i;

	for (i = 0; i < q->norder; i++)
		if (!selected(q, q->order[i].field))
			fail(q, CORM_EINVAL, "order_by() on a field that a "
				"distinct() query does not select");
	corm_buf_puts(&q->sql, "SELECT ");
	render_columns(q, false);
	corm_buf_puts(&q->sql, " FROM (SELECT DISTINCT ");
	render_columns(q, true);
	render_from_where(q);
	corm_buf_puts(&q->sql, ") AS corm_distinct");
	render_order(q);
	render_limit(q);
}

static void render_select(corm_query *q)
{
	start_render(q);
	if (q->distinct && q->norder) {
		render_distinct_ordered(q);
		return;
	}
	corm_buf_puts(&q->sql, q->distinct ? "SELECT DISTINCT " : "SELECT ");
	render_columns(q, q->distinct);
	render_from_where(q);
	render_order(q);
	render_limit(q);
	render_lock(q);
}

/* ----------------------------------------------------------------- running */

static void sub_errors(corm_query *q);

/* Prepare q->sql from the cache and bind what rendering collected. */
static int prepare(corm_stmt **out, corm_query *q, corm_arena *scratch)
{
	corm_stmt *st = NULL;
	size_t i;
	int error;

	*out = NULL;
	sub_errors(q);
	check_lock(q);
	if (!q->error && corm_buf_error(&q->sql))
		fail(q, corm_buf_error(&q->sql), "the query's SQL is too long");
	if (!q->error && q->nparams > corm_conn_max_params(q->db)) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%d parameters, more than the %d one "
			"statement may bind on %s", q->nparams,
			corm_conn_max_params(q->db), q->d->name);
		fail(q, CORM_ETOOLONG, msg);
	}
	if (q->error)
		return corm_conn__set_error(q->db, q->error, NULL, "query on %s: %s",
			q->m->name, q->errmsg);
	if ((error = corm_stmt_cached(&st, q->db, corm_buf_cstr(&q->sql))) !=
		CORM_OK)
		return error;
	for (i = 0; i < q->nbinds && !error; i++) {
		const bind_item *b = &q->binds[i];
		int idx = (int)i + 1;

		if (b->f)
			error = corm_model__bind_value(st, idx, b->f, b->value, scratch);
		else if (b->is_int)
			error = corm_bind_int64(st, idx, b->i);
		else
			error = corm_bind_text(st, idx, b->text.ptr, b->text.len);
	}
	if (error) {
		corm_stmt_free(st);
		return error;
	}
	*out = st;
	return CORM_OK;
}

/* Read the selected fields of the current row into `row`, zeroed first.
 * `checked`: the result's width was checked at an earlier row. */
static inline int read_row(void *row, corm_stmt *st, corm_query *q,
	corm_arena *a, bool checked)
{
	memset(row, 0, q->m->size);
	if (!checked)
		return corm_model__read_fields(row, st, 0, q->ncolumns, q->m,
			q->only, a);
	/* Inline to the driver's read_row: this runs for every row. */
	return corm_model__read_unchecked(row, st, 0, q->m, q->only, a);
}

void corm_rows_free(corm_rows *rows)
{
	corm_arena_free(&rows->arena);
	rows->items = NULL;
	rows->count = 0;
}

/* Rows the result array of corm_query_all() starts with. A query with a
 * small LIMIT (a page) cannot return more rows than that: sized for them
 * at once, the array never grows (a realloc() that copies it, for the
 * 20-row pages of the benchmark's filtered query). Larger limits start
 * small, as an unlimited query does, rather than reserve room they may
 * never fill. */
static size_t first_capacity(const corm_query *q)
{
	if (q->has_limit && q->limit > 0 && q->limit <= 256)
		return (size_t)q->limit;
	return 16;
}

int corm_query_all(corm_rows *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	size_t cap = 0;
	char *items = NULL;
	int rc, error;

	memset(out, 0, sizeof(*out));
	render_select(q);
	if ((error = prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	while ((rc = corm_step(st)) == CORM_ROW) {
		if (out->count == cap) {
			/* The array is a block of its own in the arena, resized in
			 * place where the allocator can (no copy per doubling). */
			size_t ncap = cap ? cap * 2 : first_capacity(q);
			char *p = items
				? corm_arena__grow_own(&out->arena, items, ncap * q->m->size)
				: corm_arena__alloc_own(&out->arena, ncap * q->m->size);

			if (!p) {
				error = corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
					"out of memory");
				goto done;
			}
			items = p;
			cap = ncap;
		}
		error = read_row(items + out->count * q->m->size, st, q,
			&out->arena, out->count > 0);
		if (error)
			goto done;
		out->count++;
	}
	if (rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
	out->items = items;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	if (error)
		corm_rows_free(out);
	return error;
}

int corm_query_first(void *out, corm_query *q, corm_arena *arena)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	bool had_limit = q->has_limit;
	int64_t limit = q->limit;
	int rc, error;

	q->has_limit = true;
	q->limit = 1;
	render_select(q);
	q->has_limit = had_limit;
	q->limit = limit;
	if ((error = prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	rc = corm_step(st);
	if (rc == CORM_ROW)
		error = read_row(out, st, q, arena, false);
	else if (rc == CORM_DONE)
		error = corm_conn__set_error(q->db, CORM_ENOTFOUND, NULL,
			"no %s matches the query", q->m->name);
	else
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	return error;
}

/* Run a query that returns one integer in one row. */
static int run_scalar(int64_t *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int rc, error;

	if ((error = prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	rc = corm_step(st);
	if (rc == CORM_ROW)
		error = corm_column_int64(out, st, 0);
	else
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	return error;
}

int corm_query_count(int64_t *out, corm_query *q)
{
	start_render(q);
	if (q->distinct || q->has_limit || q->has_offset) {
		/* COUNT over the rows the query would return. */
		corm_buf_puts(&q->sql, "SELECT COUNT(*) FROM (SELECT ");
		corm_buf_puts(&q->sql, q->distinct ? "DISTINCT " : "");
		render_columns(q, q->distinct);
		render_from_where(q);
		render_limit(q);
		corm_buf_puts(&q->sql, ") AS corm_counted");
	} else {
		corm_buf_puts(&q->sql, "SELECT COUNT(*)");
		render_from_where(q);
	}
	return run_scalar(out, q);
}

int corm_query_exists(bool *out, corm_query *q)
{
	int64_t v = 0;
	int error;

	start_render(q);
	corm_buf_puts(&q->sql, "SELECT EXISTS (SELECT 1");
	render_from_where(q);
	corm_buf_putc(&q->sql, ')');
	error = run_scalar(&v, q);
	if (!error)
		*out = v != 0;
	return error;
}

static int run_changes(int64_t *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int rc, error;

	if ((error = prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	rc = corm_step(st);
	if (rc == CORM_DONE)
		error = corm_stmt_changes(out, st);
	else
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	return error;
}

/* The SQLite test that a sum in column `f` of the updated row fits the
 * field: SQLite stores an i16 sum past 32767 as is, turns an i64 that
 * overflows into a double, and a double into Inf, where the other
 * engines refuse with a range error. NULL + delta stays NULL. */
static void render_add_check(corm_query *q, const corm_field_desc *f,
	int field)
{
	static const char *const fits[] = {
		[CORM_C_I16] = " BETWEEN -32768 AND 32767 AND typeof(",
		[CORM_C_I32] = " BETWEEN -2147483648 AND 2147483647 AND typeof(",
		[CORM_C_I64] = " IS NOT NULL AND typeof(",
	};

	corm_buf_puts(&q->sql, "(");
	col(q, field);
	corm_buf_puts(&q->sql, " IS NULL OR (");
	if (f->ctype == CORM_C_F32 || f->ctype == CORM_C_F64) {
		corm_buf_puts(&q->sql, "abs(");
		col(q, field);
		corm_buf_puts(&q->sql, f->ctype == CORM_C_F32
			? ") <= 3.4028234663852886e38" : ") <= 1.7976931348623157e308");
	} else {
		col(q, field);
		corm_buf_puts(&q->sql, fits[f->ctype]);
		col(q, field);
		corm_buf_puts(&q->sql, ") = 'integer'");
	}
	corm_buf_puts(&q->sql, "))");
}

/*
 * SQLite: the UPDATE in a savepoint, RETURNING whether each updated
 * row's sums fit their fields; any that does not undoes the update and
 * answers CORM_ERANGE, as PostgreSQL and MariaDB do.
 */
static int run_checked_add(int64_t *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int64_t rows = 0, ok = 1;
	int i, rc, error, n = 0;

	corm_buf_puts(&q->sql, " RETURNING ");
	for (i = 0; i < q->nsets; i++) {
		/* corm_decimal_add() checks its own sums. */
		if (!q->sets[i].add || q->m->fields[q->sets[i].field].coltype ==
			CORM_COL_DECIMAL)
			continue;
		if (n++)
			corm_buf_puts(&q->sql, " AND ");
		render_add_check(q, &q->m->fields[q->sets[i].field],
			q->sets[i].field);
	}
	if ((error = corm_tx_begin(q->db)) != CORM_OK)
		return error;
	if ((error = prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	while ((rc = corm_step(st)) == CORM_ROW && ok) {
		if ((error = corm_column_int64(&ok, st, 0)) != CORM_OK)
			goto done;
		rows++;
	}
	if (!ok)
		error = corm_conn__set_error(q->db, CORM_ERANGE, NULL,
			"set_add on %s: a sum is out of its column's range",
			q->m->name);
	else if (rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	if (error)
		return corm_tx__rollback_keeping_error(q->db, error);
	if ((error = corm_tx_commit(q->db)) == CORM_OK)
		*out = rows;
	return error;
}

/*
 * SET col = col + delta on a decimal(P,S) column, exact on every engine;
 * the delta was checked against (P,S) and made canonical when bound.
 * SQLite keeps decimals as text, and its + would add them as doubles:
 * corm_decimal_add() (drivers/sqlite_decimal.c) adds the digits and
 * refuses a sum past (P,S). PostgreSQL and MariaDB add decimals exactly
 * and refuse a sum that does not fit the column (22003, 1264 in strict
 * mode): all three answer CORM_ERANGE and change nothing. P and S come
 * from the schema, not from the caller.
 */
static void render_decimal_add(corm_query *q, int field, const void *delta)
{
	const corm_field_desc *f = &q->m->fields[field];

	if (is_sqlite(q)) {
		corm_buf_puts(&q->sql, "corm_decimal_add(");
		col(q, field);
		corm_buf_puts(&q->sql, ", ");
		bind_field_value(q, field, delta);
		corm_buf_printf(&q->sql, ", %d, %d)", f->precision, f->scale);
		return;
	}
	col(q, field);
	corm_buf_puts(&q->sql, " + CAST(");
	bind_field_value(q, field, delta);
	corm_buf_printf(&q->sql, " AS %s(%d,%d))",
		is_mysql(q) ? "DECIMAL" : "NUMERIC", f->precision, f->scale);
}

/* A model with a @version field: every update moves the version on, so
 * optimistic writers who read the rows before see the change. */
static void render_version_bump(corm_query *q)
{
	int i, v = q->m->version_field;

	if (!q->m->has_version)
		return;
	for (i = 0; i < q->nsets; i++)
		if (q->sets[i].field == v)
			return; /* the caller sets it */
	corm_buf_puts(&q->sql, ", ");
	col(q, v);
	corm_buf_puts(&q->sql, " = ");
	col(q, v);
	corm_buf_puts(&q->sql, " + 1");
}

int corm_query_update(int64_t *out, corm_query *q)
{
	int i;

	if (q->nsets == 0)
		fail(q, CORM_EINVAL, "update() with nothing to set");
	start_render(q);
	corm_buf_puts(&q->sql, "UPDATE ");
	corm_dialect_quote(&q->sql, q->d, q->m->table);
	corm_buf_puts(&q->sql, " SET ");
	for (i = 0; i < q->nsets; i++) {
		if (i)
			corm_buf_puts(&q->sql, ", ");
		col(q, q->sets[i].field);
		corm_buf_puts(&q->sql, " = ");
		if (q->sets[i].add &&
			q->m->fields[q->sets[i].field].coltype == CORM_COL_DECIMAL) {
			render_decimal_add(q, q->sets[i].field, q->sets[i].value);
			continue;
		}
		if (q->sets[i].add) {
			col(q, q->sets[i].field);
			corm_buf_puts(&q->sql, " + ");
		}
		if (q->sets[i].value)
			bind_field_value(q, q->sets[i].field, q->sets[i].value);
		else
			corm_buf_puts(&q->sql, "NULL");
	}
	render_version_bump(q);
	if (q->where) {
		corm_buf_puts(&q->sql, " WHERE ");
		render_pred(q, q->where);
	}
	if (q->has_add && is_sqlite(q))
		return run_checked_add(out, q);
	return run_changes(out, q);
}

int corm_query_delete(int64_t *out, corm_query *q)
{
	start_render(q);
	corm_buf_puts(&q->sql, "DELETE");
	render_from_where(q);
	return run_changes(out, q);
}

int corm_query_next(void *row, corm_query *q)
{
	int rc, error;

	if (q->stream_done)
		return CORM_DONE;
	if (!q->stream) {
		render_select(q);
		/* Dates and uuids bound as text live in the query's arena, for
		 * as long as the stream runs. */
		if ((error = prepare(&q->stream, q, &q->arena)) != CORM_OK)
			return error;
		q->stream_checked = false;
		/* One row at a time from the server, in constant memory. */
		if ((error = corm_stmt_set_streaming(q->stream, true)) != CORM_OK)
			return error;
	}
	rc = corm_step(q->stream);
	if (rc == CORM_ROW) {
		/* No arena: the row's text and bytes point into the driver's
		 * buffers, which keep them until the stream's next step, that
		 * is until the next call here (or the query's free): as long
		 * as this row is promised to last. Nothing is copied. */
		error = read_row(row, q->stream, q, NULL, q->stream_checked);
		q->stream_checked = !error;
		return error ? error : CORM_ROW;
	}
	corm_stmt_free(q->stream);
	q->stream = NULL;
	q->stream_done = rc == CORM_DONE;
	return rc;
}

void corm_agg_rows_free(corm_agg_rows *rows)
{
	corm_arena_free(&rows->arena);
	rows->items = NULL;
	rows->count = 0;
}

int corm_query_aggregate(corm_agg_rows *out, corm_query *q, corm_agg fn,
	int field)
{
	static const char *const fns[] = {"MIN(", "MAX(", "SUM(", "AVG(",
		"COUNT("};
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	size_t cap = 0;
	int i, rc, error = CORM_OK;

	memset(out, 0, sizeof(*out));
	check_field(q, field); /* a bad field fails in prepare(), with the rest */
	if (fn < CORM_AGG_MIN || fn > CORM_AGG_COUNT)
		fail(q, CORM_EINVAL, "unknown aggregate function");
	if (q->error)
		return prepare(&st, q, &scratch);
	start_render(q);
	corm_buf_puts(&q->sql, "SELECT ");
	for (i = 0; i < q->ngroup; i++) {
		col(q, q->group[i]);
		corm_buf_puts(&q->sql, ", ");
	}
	corm_buf_puts(&q->sql, fns[fn]);
	col(q, field);
	corm_buf_putc(&q->sql, ')');
	render_from_where(q);
	for (i = 0; i < q->ngroup; i++) {
		corm_buf_puts(&q->sql, i ? ", " : " GROUP BY ");
		col(q, q->group[i]);
	}
	render_order(q);
	render_limit(q);
	if ((error = prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	while ((rc = corm_step(st)) == CORM_ROW) {
		corm_agg_row *r;

		if (out->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			corm_agg_row *p = corm_arena_alloc(&out->arena,
				ncap * sizeof(*p));

			if (!p) {
				error = corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
					"out of memory");
				goto done;
			}
			if (out->items)
				memcpy(p, out->items, out->count * sizeof(*p));
			out->items = p;
			cap = ncap;
		}
		r = &out->items[out->count];
		r->group = corm_arena_alloc(&out->arena, q->m->size);
		if (!r->group) {
			error = corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
				"out of memory");
			goto done;
		}
		memset(r->group, 0, q->m->size);
		for (i = 0; i < q->ngroup && !error; i++)
			error = corm_model__read_field(st, i,
				&q->m->fields[q->group[i]], r->group, &out->arena);
		if (error)
			goto done;
		r->has_value = !corm_column_is_null(st, q->ngroup);
		r->value = 0;
		if (r->has_value &&
			(error = corm_column_double(&r->value, st, q->ngroup)) != CORM_OK)
			goto done;
		out->count++;
	}
	if (rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	if (error)
		corm_agg_rows_free(out);
	return error;
}

const char *corm_query_sql(corm_query *q)
{
	render_select(q);
	return q->error || corm_buf_error(&q->sql) ? NULL : corm_buf_cstr(&q->sql);
}

/* --------------------------------------------------- related-model filters */

/* corm_r1, corm_r2, …: a subquery's alias, one per level of nesting (and
 * corm_j1, … for the join model of a many-to-many filter). */
static void put_alias(corm_query *q)
{
	corm_buf_printf(&q->sql, "corm_r%d", q->depth);
}

/* A subquery's failure is its parent's, reported when the parent runs. */
static void sub_errors(corm_query *q)
{
	corm_query *s;

	for (s = q->subs; s; s = s->next_sub) {
		sub_errors(s);
		if (s->error)
			fail(q, s->error, s->errmsg);
	}
}

/* The filter query of `q` over model `m` for (r, end) or for `m2m`: the
 * one made before, or a new one. NULL when it cannot be (q fails). */
static corm_query *sub_query(corm_query *q, const corm_model_desc *m,
	const corm_rel_desc *r, corm_rel_end end, const corm_m2m_desc *m2m)
{
	corm_query *sub;

	for (sub = q->subs; sub; sub = sub->next_sub)
		if (sub->rel == r && sub->end == end && sub->m2m == m2m)
			return sub;
	if (corm_query_new(&sub, q->db, m) != CORM_OK) {
		fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	sub->parent = q;
	sub->rel = r;
	sub->end = end;
	sub->m2m = m2m;
	sub->depth = q->depth + 1;
	sub->next_sub = q->subs;
	q->subs = sub;
	return sub;
}

/* The model at the other end of `r` from a query over `m`, or NULL when
 * `r` does not start at `m`. */
static const corm_model_desc *related_model(const corm_model_desc *m,
	const corm_rel_desc *r, corm_rel_end end)
{
	if (end == CORM_REL_PARENT)
		return r->child == m ? r->parent : NULL;
	return r->parent == m ? r->child : NULL;
}

corm_query *corm_query_related(corm_query *q, const corm_rel_desc *r,
	corm_rel_end end)
{
	const corm_model_desc *m;

	if (!q || q->error)
		return NULL;
	if (!r || !(m = related_model(q->m, r, end))) {
		fail(q, CORM_EINVAL, "a related-model filter over a relation that "
			"does not start at this model");
		return NULL;
	}
	return sub_query(q, m, r, end, NULL);
}

corm_query *corm_query_through(corm_query *q, const corm_m2m_desc *m)
{
	if (!q || q->error)
		return NULL;
	if (!m || m->near->parent != q->m || m->near->child != m->far->child) {
		fail(q, CORM_EINVAL, "a many-to-many filter that does not start at "
			"this model");
		return NULL;
	}
	return sub_query(q, m->far->parent, NULL, CORM_REL_PARENT, m);
}

/* The predicate over filter query `sub` (NULL when it could not be made). */
static corm_pred *related_pred(corm_query *q, corm_query *sub,
	corm_pred *inner)
{
	corm_pred *p;

	if (!sub)
		return NULL;
	if (sub->error) {
		/* A NULL inner may be a predicate that failed: that error stands. */
		fail(q, sub->error, sub->errmsg);
		return NULL;
	}
	if (inner && inner->owner != sub) {
		/* Its values would live in a query that may be freed first. */
		fail(q, CORM_EINVAL, "the predicate of a related-model filter was "
			"not built on the query the filter gave");
		return NULL;
	}
	if (!(p = new_pred(q, PRED_RELATED)))
		return NULL;
	p->sub = sub;
	p->a = inner;
	return p;
}

corm_pred *corm_pred_related(corm_query *q, const corm_rel_desc *r,
	corm_rel_end end, corm_pred *inner)
{
	return related_pred(q, corm_query_related(q, r, end), inner);
}

corm_pred *corm_pred_through(corm_query *q, const corm_m2m_desc *m,
	corm_pred *inner)
{
	return related_pred(q, corm_query_through(q, m), inner);
}

/* `table.column` of the outer query: its table, or its alias when it is
 * itself a subquery. */
static void outer_col(corm_query *q, int field)
{
	if (q->aliased)
		put_alias(q);
	else
		corm_dialect_quote(&q->sql, q->d, q->m->table);
	corm_buf_putc(&q->sql, '.');
	corm_dialect_quote(&q->sql, q->d, q->m->fields[field].column);
}

/*
 * EXISTS (SELECT 1 FROM "author" AS corm_r1
 *         WHERE "posts"."id" = corm_r1."id" AND (<inner>))
 * or, many-to-many,
 * EXISTS (SELECT 1 FROM "tag" AS corm_r1 JOIN "post_tag" AS corm_j1
 *         ON corm_j1."tag_id" = corm_r1."id"
 *         WHERE "posts"."id" = corm_j1."post_id" AND (<inner>))
 *
 * The outer column is qualified by the outer table, the inner ones by the
 * alias, so a model related to itself works. The inner predicate renders
 * into this statement: the subquery is lent the SQL buffer and the bind
 * list, so its values become parameters in order, then gives them back.
 */
static void render_related(corm_query *q, const corm_pred *p)
{
	corm_query *s = p->sub;
	const corm_dialect *d = q->d;
	corm_buf own_sql = s->sql;
	bind_item *own_binds = s->binds;
	size_t own_nbinds = s->nbinds, own_capbinds = s->capbinds;
	int own_nparams = s->nparams;

	if (s->where) {
		/* It would look like it filters, and it would not. */
		fail(q, CORM_EINVAL, "where() on a related-model filter query: "
			"pass the predicate to the filter instead");
		return;
	}
	corm_buf_puts(&q->sql, "EXISTS (SELECT 1 FROM ");
	corm_dialect_quote(&q->sql, d, s->m->table);
	corm_buf_printf(&q->sql, " AS corm_r%d", s->depth);
	if (s->m2m) {
		const corm_rel_desc *near = s->m2m->near, *far = s->m2m->far;
		const corm_model_desc *j = near->child;

		corm_buf_puts(&q->sql, " JOIN ");
		corm_dialect_quote(&q->sql, d, j->table);
		corm_buf_printf(&q->sql, " AS corm_j%d ON corm_j%d.", s->depth,
			s->depth);
		corm_dialect_quote(&q->sql, d, j->fields[far->fk_field].column);
		corm_buf_printf(&q->sql, " = corm_r%d.", s->depth);
		corm_dialect_quote(&q->sql, d, s->m->fields[far->key_field].column);
		corm_buf_puts(&q->sql, " WHERE ");
		outer_col(q, near->key_field);
		corm_buf_printf(&q->sql, " = corm_j%d.", s->depth);
		corm_dialect_quote(&q->sql, d, j->fields[near->fk_field].column);
	} else {
		bool to_parent = s->end == CORM_REL_PARENT;

		corm_buf_puts(&q->sql, " WHERE ");
		outer_col(q, to_parent ? s->rel->fk_field : s->rel->key_field);
		corm_buf_printf(&q->sql, " = corm_r%d.", s->depth);
		corm_dialect_quote(&q->sql, d, s->m->fields[to_parent
			? s->rel->key_field : s->rel->fk_field].column);
	}
	if (p->a) {
		s->sql = q->sql;
		s->binds = q->binds;
		s->nbinds = q->nbinds;
		s->capbinds = q->capbinds;
		s->nparams = q->nparams;
		s->aliased = true;
		corm_buf_puts(&s->sql, " AND (");
		render_pred(s, p->a);
		corm_buf_putc(&s->sql, ')');
		q->sql = s->sql;
		q->binds = s->binds;
		q->nbinds = s->nbinds;
		q->capbinds = s->capbinds;
		q->nparams = s->nparams;
		s->sql = own_sql;
		s->binds = own_binds;
		s->nbinds = own_nbinds;
		s->capbinds = own_capbinds;
		s->nparams = own_nparams;
		s->aliased = false;
	}
	corm_buf_putc(&q->sql, ')');
	if (s->error)
		fail(q, s->error, s->errmsg);
}

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

static bool is_postgres(const corm_query *q)
{
	return strcmp(q->d->name, "postgres") == 0;
}

static bool is_int_field(const corm_field_desc *f)
{
	return f->ctype == CORM_C_I16 || f->ctype == CORM_C_I32 ||
		f->ctype == CORM_C_I64;
}

static bool is_float_field(const corm_field_desc *f)
{
	return f->ctype == CORM_C_F32 || f->ctype == CORM_C_F64;
}

static bool is_decimal_field(const corm_field_desc *f)
{
	return f->coltype == CORM_COL_DECIMAL;
}

/* MySQL's utf8mb4_bin is a PAD SPACE collation: 'a' = 'a ', and 'a\t'
 * sorts before 'a'. Text is grouped, compared and sorted there as
 * CAST(col AS BINARY), byte by byte like the other engines. */
static bool pads_text(const corm_query *q, const corm_field_desc *f)
{
	return is_mysql(q) && f->ctype == CORM_C_STR &&
		(f->coltype == CORM_COL_STRING || f->coltype == CORM_COL_TEXT);
}

/* A column as GROUP BY, MIN/MAX and ORDER BY compare it: text by its
 * bytes whatever the column's collation (see pads_text(); SQLite and
 * PostgreSQL name a byte collation). */
static void group_col(corm_query *q, int field)
{
	const corm_field_desc *f = &q->m->fields[field];
	bool binary = pads_text(q, f);

	corm_buf_puts(&q->sql, binary ? "CAST(" : "");
	col(q, field);
	corm_buf_puts(&q->sql, binary ? " AS BINARY)" : "");
	if (!binary && is_byte_text(f))
		corm_buf_puts(&q->sql, q->d->text_sort_collate);
}

/* The result type of fn over `f` (NULL: COUNT(*)); false when the engine
 * cannot compute it the same way everywhere, or it means nothing. */
static bool agg_result_type(corm_agg_vtype *out, corm_agg fn,
	const corm_field_desc *f)
{
	bool number = f && (is_int_field(f) || is_float_field(f) ||
		is_decimal_field(f));

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
	if (is_int_field(f))
		*out = CORM_AGGV_INT64;
	else if (is_float_field(f))
		*out = CORM_AGGV_DOUBLE;
	else if (is_decimal_field(f))
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
		fail(q, CORM_EINVAL, "unknown aggregate function");
		return -1;
	}
	if (field == -1 && fn != CORM_AGG_COUNT) {
		fail(q, CORM_EINVAL, "only COUNT is an aggregate of no field");
		return -1;
	}
	if (field != -1 && !check_field(q, field))
		return -1;
	if (!agg_result_type(&type, fn, field == -1 ? NULL
			: &q->m->fields[field])) {
		fail(q, CORM_EINVAL, fn == CORM_AGG_SUM || fn == CORM_AGG_AVG
			? "SUM or AVG of a field that is not a number"
			: "MIN or MAX of a bytes or json field");
		return -1;
	}
	if (q->naggs == MAX_TERMS) {
		fail(q, CORM_EINVAL, "too many aggregates");
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
	fail(q, CORM_EINVAL, "aggregate index out of range for this query");
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
	corm_pred *p = check_agg(q, agg) ? new_pred(q, PRED_AGG) : NULL;
	corm_agg_vtype t;
	void *copy;

	if (!p)
		return NULL;
	t = q->aggs[agg].type;
	if (!value || op < CORM_CMP_EQ || op > CORM_CMP_GE) {
		fail(q, CORM_EINVAL, "a HAVING comparison without a value or with "
			"an unknown operator");
		return NULL;
	}
	if (!(copy = corm_arena_alloc(&q->arena, agg_value_size(t)))) {
		fail(q, CORM_ENOMEM, "out of memory");
		return NULL;
	}
	memcpy(copy, value, agg_value_size(t));
	if (t == CORM_AGGV_DECIMAL || t == CORM_AGGV_TEXT) {
		const corm_str *s = value;
		corm_str *d = copy;

		if (t == CORM_AGGV_DECIMAL && !is_decimal_text(s->ptr, s->len)) {
			fail(q, CORM_EINVAL, "a HAVING value that is not a decimal "
				"number");
			return NULL;
		}
		if (t == CORM_AGGV_TEXT &&
			!pred_text_ok(q, &q->m->fields[q->aggs[agg].field], s))
			return NULL;
		d->ptr = corm_arena_strndup(&q->arena, s->ptr ? s->ptr : "",
			s->len);
		if (!d->ptr) {
			fail(q, CORM_ENOMEM, "out of memory");
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
		fail(q, CORM_EINVAL, "having() was given a predicate that failed");
		return;
	}
	q->having = q->having ? corm_pred_and(q, q->having, p) : p;
}

void corm_query_order_by_agg(corm_query *q, int agg, unsigned flags)
{
	if (!check_agg(q, agg))
		return;
	if (q->norder == MAX_TERMS) {
		fail(q, CORM_EINVAL, "too many ORDER BY terms");
		return;
	}
	q->order[q->norder++] = (order_term){agg, flags | ORDER_BY_AGG};
}

/* True (and q fails) when an ORDER BY term names an aggregate: only
 * corm_query_aggregates() renders those. */
static bool orders_by_agg(corm_query *q)
{
	int i;

	for (i = 0; i < q->norder; i++)
		if (q->order[i].flags & ORDER_BY_AGG) {
			fail(q, CORM_EINVAL, "order_by_agg() on a query that is not "
				"run by corm_query_aggregates()");
			return true;
		}
	return false;
}

/* ------------------------------------------------ rendering the aggregates */

static void put_double_type(corm_query *q)
{
	corm_buf_puts(&q->sql, q->d->type_format[CORM_COL_F64]);
}

/* SUM(col) as each engine computes it exactly (or in double). */
static void render_sum(corm_query *q, const agg_term *a)
{
	const corm_field_desc *f = &q->m->fields[a->field];

	if (is_decimal_field(f) && is_sqlite(q)) {
		corm_buf_puts(&q->sql, "corm_decimal_sum(");
		col(q, a->field);
	} else if (is_int_field(f) && is_sqlite(q)) {
		/* sum() fails when a running sum leaves int64, even if the
		 * total fits: the driver's corm_int_sum() does not. */
		corm_buf_puts(&q->sql, "corm_int_sum(");
		col(q, a->field);
	} else if (f->ctype == CORM_C_F32) {
		corm_buf_puts(&q->sql, "SUM(CAST(");
		col(q, a->field);
		corm_buf_puts(&q->sql, " AS ");
		put_double_type(q);
		corm_buf_putc(&q->sql, ')');
	} else {
		corm_buf_puts(&q->sql, "SUM(");
		col(q, a->field);
	}
	corm_buf_putc(&q->sql, ')');
}

/* MIN(col) / MAX(col), comparing as corm_query.h says. */
static void render_min_max(corm_query *q, const agg_term *a)
{
	const corm_field_desc *f = &q->m->fields[a->field];
	bool min = a->fn == CORM_AGG_MIN;

	if (f->ctype == CORM_C_BOOL && is_postgres(q)) {
		corm_buf_puts(&q->sql, min ? "bool_and(" : "bool_or(");
		col(q, a->field);
	} else if (f->ctype == CORM_C_UUID && is_postgres(q)) {
		corm_buf_puts(&q->sql, min ? "MIN(CAST(" : "MAX(CAST(");
		col(q, a->field);
		corm_buf_puts(&q->sql, " AS TEXT) COLLATE \"C\"");
	} else {
		corm_buf_puts(&q->sql, min ? "MIN(" : "MAX(");
		group_col(q, a->field);
		if (is_postgres(q) && is_text(f) && !is_byte_text(f))
			corm_buf_puts(&q->sql, " COLLATE \"C\""); /* an enum */
		else if (is_sqlite(q) && is_decimal_field(f))
			corm_buf_puts(&q->sql, " COLLATE corm_decimal");
	}
	corm_buf_putc(&q->sql, ')');
}

static void render_count(corm_query *q, int field)
{
	corm_buf_puts(&q->sql, "COUNT(");
	if (field < 0)
		corm_buf_putc(&q->sql, '*');
	else
		col(q, field);
	corm_buf_putc(&q->sql, ')');
}

/* The aggregate as one SQL value, for HAVING and ORDER BY. AVG is the
 * sum as a double over the count, as corm_query_aggregates() computes it
 * (an integer division would truncate). */
static void render_agg_value(corm_query *q, const agg_term *a)
{
	switch (a->fn) {
	case CORM_AGG_COUNT:
		render_count(q, a->field);
		break;
	case CORM_AGG_SUM:
		render_sum(q, a);
		break;
	case CORM_AGG_AVG:
		corm_buf_puts(&q->sql, "CAST(");
		render_sum(q, a);
		corm_buf_puts(&q->sql, " AS ");
		put_double_type(q);
		corm_buf_puts(&q->sql, ") / ");
		render_count(q, a->field);
		break;
	default:
		render_min_max(q, a);
		break;
	}
	/* SQLite compares the text of a decimal by value only when told. */
	if (a->type == CORM_AGGV_DECIMAL && is_sqlite(q))
		corm_buf_puts(&q->sql, " COLLATE corm_decimal");
}

/* The columns an aggregate reads: AVG is two (the sum, the count). */
static void render_agg_columns(corm_query *q, const agg_term *a)
{
	if (a->fn == CORM_AGG_AVG) {
		render_sum(q, a);
		corm_buf_puts(&q->sql, ", ");
		render_count(q, a->field);
	} else if (a->fn == CORM_AGG_SUM) {
		render_sum(q, a);
	} else if (a->fn == CORM_AGG_COUNT) {
		render_count(q, a->field);
	} else if (pads_text(q, &q->m->fields[a->field])) {
		/* Read back as text, not as the bytes it was compared as. */
		corm_buf_puts(&q->sql, "CONVERT(");
		render_min_max(q, a);
		corm_buf_puts(&q->sql, " USING utf8mb4)");
	} else {
		render_min_max(q, a);
	}
}

static void render_agg_pred(corm_query *q, const corm_pred *p)
{
	static const char *const ops[] = {" = ", " <> ", " < ", " <= ", " > ",
		" >= "};
	const agg_term *a = &q->aggs[p->field];

	if (!q->in_having) {
		fail(q, CORM_EINVAL, "a predicate over an aggregate in where(): "
			"use having()");
		return;
	}
	q->in_having = false; /* the aggregate reads the bare column */
	render_agg_value(q, a);
	q->in_having = true;
	corm_buf_puts(&q->sql, ops[p->op]);
	switch (a->type) {
	case CORM_AGGV_INT64:
		bind_int(q, *(const int64_t *)p->v1);
		break;
	case CORM_AGGV_DOUBLE: {
		static const corm_field_desc f64 = {.name = "value",
			.column = "value", .ctype = CORM_C_F64,
			.has_offset = CORM_NO_HAS, .coltype = CORM_COL_F64};
		bind_item it = {&f64, p->v1, {NULL, 0}, false, 0};

		push_bind(q, it);
		break;
	}
	case CORM_AGGV_DECIMAL:
	case CORM_AGGV_TEXT: {
		bind_item it = {NULL, NULL, *(const corm_str *)p->v1, false, 0};

		/* MySQL compares a DECIMAL with text as doubles: make the value
		 * a DECIMAL (65 digits, 30 after the point: MySQL's widest). */
		if (a->type == CORM_AGGV_DECIMAL && is_mysql(q))
			corm_buf_puts(&q->sql, "CAST(");
		push_bind(q, it);
		if (a->type == CORM_AGGV_DECIMAL && is_mysql(q))
			corm_buf_puts(&q->sql, " AS DECIMAL(65, 30))");
		break;
	}
	default:
		/* The column's own type: bound as the column's values are. */
		bind_field_value(q, a->field, p->v1);
		break;
	}
}

/* Field predicates in HAVING must be over GROUP BY fields (SQLite and
 * MySQL would otherwise compare a value of some row of the group). */
static bool grouped(const corm_query *q, int field)
{
	int i;

	for (i = 0; i < q->ngroup; i++)
		if (q->group[i] == field)
			return true;
	return false;
}

static bool having_ok(const corm_query *q, const corm_pred *p)
{
	switch (p->kind) {
	case PRED_AGG:
		return true;
	case PRED_AND:
	case PRED_OR:
		return having_ok(q, p->a) && having_ok(q, p->b);
	case PRED_NOT:
		return having_ok(q, p->a);
	case PRED_RELATED:
		return false;
	default:
		return grouped(q, p->field);
	}
}

/* ORDER BY of corm_query_aggregates(): GROUP BY fields and aggregates,
 * in the order given; NULLs as render_order() places them. */
static void render_agg_order(corm_query *q)
{
	int i;

	for (i = 0; i < q->norder; i++) {
		const order_term *t = &q->order[i];
		bool by_agg = t->flags & ORDER_BY_AGG, desc = t->flags & CORM_DESC;
		bool nulls_first = t->flags & CORM_NULLS_FIRST ? true
			: t->flags & CORM_NULLS_LAST ? false : desc;
		const corm_field_desc *f = by_agg ? NULL : &q->m->fields[t->field];
		/* COUNT is never NULL; the other aggregates may be. */
		bool nullable = by_agg ? q->aggs[t->field].fn != CORM_AGG_COUNT
				       : (f->flags & CORM_FIELD_NULLABLE) != 0;
		int pass;

		if (!by_agg && !grouped(q, t->field)) {
			fail(q, CORM_EINVAL, "order_by() of a field that is not in "
				"group_by(), in an aggregates query");
			return;
		}
		corm_buf_puts(&q->sql, i ? ", " : " ORDER BY ");
		/* MySQL has no NULLS FIRST/LAST: sort on IS NULL first. */
		for (pass = nullable && is_mysql(q) ? 0 : 1; pass < 2; pass++) {
			if (by_agg) {
				render_agg_value(q, &q->aggs[t->field]);
			} else if (f->ctype == CORM_C_ENUM && q->d->native_enum) {
				/* A native ENUM sorts by its index: sort by the name. */
				corm_buf_puts(&q->sql, "CAST(");
				col(q, t->field);
				corm_buf_puts(&q->sql, " AS BINARY)");
			} else {
				group_col(q, t->field);
				if (is_text(f) && !is_byte_text(f) && is_postgres(q))
					corm_buf_puts(&q->sql, " COLLATE \"C\""); /* an enum */
				else if (is_decimal_field(f) && is_sqlite(q))
					corm_buf_puts(&q->sql, " COLLATE corm_decimal");
			}
			if (pass == 0)
				corm_buf_puts(&q->sql, nulls_first ? " IS NULL DESC, "
								   : " IS NULL ASC, ");
		}
		corm_buf_puts(&q->sql, desc ? " DESC" : " ASC");
		if (nullable && !is_mysql(q))
			corm_buf_puts(&q->sql, nulls_first ? " NULLS FIRST"
							   : " NULLS LAST");
	}
}

static void render_aggregates(corm_query *q)
{
	int i;

	start_render(q);
	corm_buf_puts(&q->sql, "SELECT ");
	for (i = 0; i < q->ngroup; i++) {
		/* Text is grouped by its bytes (group_col()): every value of
		 * the group is the same, and MIN() is allowed where the bare
		 * column is not. */
		bool binary = is_byte_text(&q->m->fields[q->group[i]]);

		corm_buf_puts(&q->sql, binary ? "MIN(" : "");
		col(q, q->group[i]);
		corm_buf_puts(&q->sql, binary ? "), " : ", ");
	}
	for (i = 0; i < q->naggs; i++) {
		if (i)
			corm_buf_puts(&q->sql, ", ");
		render_agg_columns(q, &q->aggs[i]);
	}
	render_from_where(q);
	for (i = 0; i < q->ngroup; i++) {
		corm_buf_puts(&q->sql, i ? ", " : " GROUP BY ");
		group_col(q, q->group[i]);
	}
	if (q->having) {
		corm_buf_puts(&q->sql, " HAVING ");
		q->in_having = true;
		render_pred(q, q->having);
		q->in_having = false;
	}
	render_agg_order(q);
	render_limit(q);
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

	if (is_int_field(f)) {
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
		fail(q, CORM_EINVAL, "aggregates() with no aggregate: add one "
			"with corm_query_agg()");
	if (q->having && !having_ok(q, q->having))
		fail(q, CORM_EINVAL, "a predicate in having() over a field that "
			"is not in group_by()");
	render_aggregates(q);
	if ((error = prepare(&st, q, &scratch)) != CORM_OK)
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
