/*
 * query_render.c — the query builder: rendering a query's SQL for the
 * connection's dialect: predicates, columns, ORDER BY, LIMIT, locks,
 * collecting the values to bind.
 */
#include "query_internal.h"

/* --------------------------------------------------------------- rendering */

void corm_q__push_bind(corm_query *q, bind_item item)
{
	if (q->nbinds == q->capbinds) {
		bind_item *p = corm__grow(q->binds, &q->capbinds, q->nbinds + 1,
			sizeof(*p));

		if (!p) {
			corm_q__fail(q, CORM_ENOMEM, "out of memory");
			return;
		}
		q->binds = p;
	}
	q->binds[q->nbinds++] = item;
	corm_dialect_placeholder(&q->sql, q->d, ++q->nparams);
}

void corm_q__bind_field_value(corm_query *q, int field, const void *value)
{
	bind_item it = {&q->m->fields[field], value, {NULL, 0}, false, 0};

	corm_q__push_bind(q, it);
}

void corm_q__bind_int(corm_query *q, int64_t i)
{
	bind_item it = {NULL, NULL, {NULL, 0}, true, i};

	corm_q__push_bind(q, it);
}

void corm_q__col(corm_query *q, int field)
{
	/* A field predicate in HAVING, over a text field grouped by its bytes
	 * (group_col()): the engine does not see the bare column as grouped
	 * (MySQL 1054, PostgreSQL 42803); MIN() is the group's one value, as
	 * in the SELECT. */
	bool group_value = q->in_having &&
		corm_field__is_byte_text(&q->m->fields[field]);

	corm_buf_puts(&q->sql, group_value ? "MIN(" : "");
	if (q->aliased) {
		/* Inside a parent's EXISTS: say whose column it is. */
		corm_q__put_alias(q);
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
	corm_q__col(q, field);
	if (q->m->fields[field].coltype == CORM_COL_DECIMAL)
		corm_buf_puts(&q->sql, q->d->decimal_collation);
	else if (corm_field__is_byte_text(&q->m->fields[field]))
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
	const char *collate = !corm_field__is_byte_text(f) ? ""
		: ordered ? q->d->text_order_collate : q->d->text_eq_collate;

	if (*collate) {
		corm_buf_putc(&q->sql, '(');
		corm_q__bind_field_value(q, field, value);
		corm_buf_puts(&q->sql, collate);
		corm_buf_putc(&q->sql, ')');
		return;
	}
	if (f->coltype != CORM_COL_DECIMAL || !q->d->casts_decimal_params ||
		f->precision <= 0) {
		corm_q__bind_field_value(q, field, value);
		return;
	}
	corm_buf_puts(&q->sql, "CAST(");
	corm_q__bind_field_value(q, field, value);
	corm_buf_puts(&q->sql, " AS ");
	corm_dialect_type(&q->sql, q->d, CORM_COL_DECIMAL, f->precision,
		f->scale);
	corm_buf_putc(&q->sql, ')');
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
	bool glob = q->d->text_match == CORM_TEXT_MATCH_GLOB;
	bool like = p->how == CORM_MATCH_LIKE;
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
		corm_q__fail(q, CORM_ENOMEM, "out of memory");
	return (corm_str){s, s ? i : 0};
}

void corm_q__render_pred(corm_query *q, const corm_pred *p)
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
		size = corm_q__ctype_size(f->ctype);
		cmp_col(q, p->field);
		if (!p->list) {
			bind_item it = {NULL, NULL, p->text, false, 0};

			corm_in__open(&q->sql, q->d, f);
			corm_q__push_bind(q, it);
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
		corm_q__col(q, p->field);
		corm_buf_puts(&q->sql, p->is_null ? " IS NULL" : " IS NOT NULL");
		return;
	case PRED_MATCH: {
		bind_item it = {NULL, NULL, match_pattern(q, p), false, 0};
		bool glob = q->d->text_match == CORM_TEXT_MATCH_GLOB;

		cmp_col(q, p->field);
		corm_buf_puts(&q->sql, glob ? " GLOB " : " LIKE ");
		corm_q__push_bind(q, it);
		corm_buf_puts(&q->sql, q->d->text_eq_collate);
		if (!glob)
			corm_buf_puts(&q->sql, " ESCAPE '!'");
		return;
	}
	case PRED_AND:
	case PRED_OR:
		corm_buf_putc(&q->sql, '(');
		corm_q__render_pred(q, p->a);
		corm_buf_puts(&q->sql, p->kind == PRED_AND ? " AND " : " OR ");
		corm_q__render_pred(q, p->b);
		corm_buf_putc(&q->sql, ')');
		return;
	case PRED_NOT:
		corm_buf_puts(&q->sql, "NOT (");
		corm_q__render_pred(q, p->a);
		corm_buf_putc(&q->sql, ')');
		return;
	case PRED_RELATED:
		corm_q__render_related(q, p);
		return;
	case PRED_AGG:
		corm_q__render_agg_pred(q, p);
		return;
	}
}

void corm_q__render_from_where(corm_query *q)
{
	corm_buf_puts(&q->sql, " FROM ");
	corm_dialect_quote(&q->sql, q->d, q->m->table);
	if (q->where) {
		corm_buf_puts(&q->sql, " WHERE ");
		corm_q__render_pred(q, q->where);
	}
}

bool corm_q__selected(const corm_query *q, int field)
{
	return !q->only || q->only[field];
}

/* The selected columns; `distinct`: as DISTINCT must compare them, text
 * by its bytes whatever the column's collation (`"name" COLLATE "C" AS
 * "name"`: a case-insensitive one would merge 'abc' and 'ABC'). */
void corm_q__render_columns(corm_query *q, bool distinct)
{
	int i, n = 0;

	for (i = 0; i < q->m->nfields; i++) {
		bool key = distinct && corm_field__is_byte_text(&q->m->fields[i]) &&
			*q->d->text_key_close;

		if (!corm_q__selected(q, i))
			continue;
		if (n++)
			corm_buf_puts(&q->sql, ", ");
		corm_buf_puts(&q->sql, key ? q->d->text_key_open : "");
		corm_q__col(q, i);
		if (key) {
			corm_buf_puts(&q->sql, q->d->text_key_close);
			corm_buf_puts(&q->sql, " AS ");
			corm_dialect_quote(&q->sql, q->d, q->m->fields[i].column);
		}
	}
	q->ncolumns = n;
}

bool corm_q__is_text(const corm_field_desc *f)
{
	return f->coltype == CORM_COL_STRING || f->coltype == CORM_COL_TEXT ||
		f->ctype == CORM_C_ENUM;
}

void corm_q__render_order(corm_query *q)
{
	int i;

	if (corm_q__orders_by_agg(q))
		return;
	for (i = 0; i < q->norder; i++) {
		const order_term *t = &q->order[i];
		const corm_field_desc *f = &q->m->fields[t->field];
		bool desc = t->flags & CORM_DESC;
		bool nulls_first = t->flags & CORM_NULLS_FIRST ? true
			: t->flags & CORM_NULLS_LAST ? false : desc;
		bool nullable = f->flags & CORM_FIELD_NULLABLE;

		corm_buf_puts(&q->sql, i ? ", " : " ORDER BY ");
		if (nullable && !q->d->has_nulls_order) {
			/* No NULLS FIRST/LAST (MySQL): sort on IS NULL first. */
			corm_q__col(q, t->field);
			corm_buf_puts(&q->sql, nulls_first ? " IS NULL DESC, "
							   : " IS NULL ASC, ");
		}
		if (f->coltype == CORM_COL_DECIMAL) {
			cmp_col(q, t->field); /* by value, exactly */
		} else if (corm_field__is_byte_text(f) && corm_conn__foreign_text(q->db,
				q->m->table, f->column)) {
			/* A MySQL column of another collation (collations.c). */
			corm_buf_puts(&q->sql, q->d->text_key_open);
			corm_q__col(q, t->field);
			corm_buf_puts(&q->sql, q->d->text_key_close);
		} else {
			corm_q__col(q, t->field);
			if (corm_q__is_text(f))
				corm_buf_puts(&q->sql, q->d->text_sort_collate);
		}
		corm_buf_puts(&q->sql, desc ? " DESC" : " ASC");
		if (nullable && q->d->has_nulls_order)
			corm_buf_puts(&q->sql, nulls_first ? " NULLS FIRST"
							   : " NULLS LAST");
	}
}

void corm_q__render_limit(corm_query *q)
{
	if (!q->has_limit && !q->has_offset)
		return;
	corm_buf_puts(&q->sql, " LIMIT ");
	if (q->has_limit)
		corm_q__bind_int(q, q->limit);
	else
		corm_buf_puts(&q->sql, q->d->limit_all);
	if (q->has_offset) {
		corm_buf_puts(&q->sql, " OFFSET ");
		corm_q__bind_int(q, q->offset);
	}
}

void corm_q__start_render(corm_query *q)
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
		corm_q__fail(q, CORM_EINVAL, "for_update cannot lock the rows of a "
			"distinct query");
	if (q->d->has_for_update)
		corm_buf_puts(&q->sql, " FOR UPDATE");
	q->locking = true;
}

/* A lock lasts until the transaction ends: without one it would be
 * released at once, and a read-only one cannot take it. */
void corm_q__check_lock(corm_query *q)
{
	if (!q->for_update)
		return;
	if (!q->locking)
		corm_q__fail(q, CORM_EINVAL, "for_update applies to the queries that read "
			"rows (all, first, next); update and delete lock the rows "
			"they change");
	else if (corm_tx_depth(q->db) == 0)
		corm_q__fail(q, CORM_EINVAL, "for_update needs a transaction");
	else if (q->db->tx_read_only)
		corm_q__fail(q, CORM_EINVAL, "for_update in a read-only transaction");
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
		if (!corm_q__selected(q, q->order[i].field))
			corm_q__fail(q, CORM_EINVAL, "order_by() on a field that a "
				"distinct() query does not select");
	corm_buf_puts(&q->sql, "SELECT ");
	corm_q__render_columns(q, false);
	corm_buf_puts(&q->sql, " FROM (SELECT DISTINCT ");
	corm_q__render_columns(q, true);
	corm_q__render_from_where(q);
	corm_buf_puts(&q->sql, ") AS corm_distinct");
	corm_q__render_order(q);
	corm_q__render_limit(q);
}

void corm_q__render_select(corm_query *q)
{
	corm_q__start_render(q);
	if (q->distinct && q->norder) {
		render_distinct_ordered(q);
		return;
	}
	corm_buf_puts(&q->sql, q->distinct ? "SELECT DISTINCT " : "SELECT ");
	corm_q__render_columns(q, q->distinct);
	corm_q__render_from_where(q);
	corm_q__render_order(q);
	corm_q__render_limit(q);
	render_lock(q);
}
