/*
 * query_agg_render.c — the query builder: rendering the typed aggregates:
 * one GROUP BY statement, exact on every engine.
 */
#include "query_internal.h"

/* ------------------------------------------------ rendering the aggregates */

static void put_double_type(corm_query *q)
{
	corm_buf_puts(&q->sql, q->d->type_format[CORM_COL_F64]);
}

/* SUM(col) as each engine computes it exactly (or in double). */
static void render_sum(corm_query *q, const agg_term *a)
{
	const corm_field_desc *f = &q->m->fields[a->field];

	if (corm_q__is_decimal_field(f) && q->d->decimal_sum_fn) {
		corm_buf_printf(&q->sql, "%s(", q->d->decimal_sum_fn);
		corm_q__col(q, a->field);
	} else if (corm_q__is_int_field(f) && q->d->int_sum_fn) {
		/* SQLite's sum() fails when a running sum leaves int64, even
		 * if the total fits: the driver's corm_int_sum() does not. */
		corm_buf_printf(&q->sql, "%s(", q->d->int_sum_fn);
		corm_q__col(q, a->field);
	} else if (f->ctype == CORM_C_F32) {
		corm_buf_puts(&q->sql, "SUM(CAST(");
		corm_q__col(q, a->field);
		corm_buf_puts(&q->sql, " AS ");
		put_double_type(q);
		corm_buf_putc(&q->sql, ')');
	} else {
		corm_buf_puts(&q->sql, "SUM(");
		corm_q__col(q, a->field);
	}
	corm_buf_putc(&q->sql, ')');
}

/* MIN(col) / MAX(col), comparing as corm_query.h says. */
static void render_min_max(corm_query *q, const agg_term *a)
{
	const corm_field_desc *f = &q->m->fields[a->field];
	bool min = a->fn == CORM_AGG_MIN;

	if (f->ctype == CORM_C_BOOL && q->d->min_max_bool_and_or) {
		corm_buf_puts(&q->sql, min ? "bool_and(" : "bool_or(");
		corm_q__col(q, a->field);
	} else if (f->ctype == CORM_C_UUID && q->d->min_max_uuid_as_text) {
		corm_buf_puts(&q->sql, min ? "MIN(CAST(" : "MAX(CAST(");
		corm_q__col(q, a->field);
		corm_buf_puts(&q->sql, " AS TEXT)");
		corm_buf_puts(&q->sql, q->d->text_sort_collate);
	} else {
		corm_buf_puts(&q->sql, min ? "MIN(" : "MAX(");
		corm_q__group_col(q, a->field);
		if (corm_q__is_text(f) && !corm_field__is_byte_text(f))
			corm_buf_puts(&q->sql, q->d->text_sort_collate); /* an enum */
		else if (corm_q__is_decimal_field(f))
			corm_buf_puts(&q->sql, q->d->decimal_collation);
	}
	corm_buf_putc(&q->sql, ')');
}

static void render_count(corm_query *q, int field)
{
	corm_buf_puts(&q->sql, "COUNT(");
	if (field < 0)
		corm_buf_putc(&q->sql, '*');
	else
		corm_q__col(q, field);
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
	if (a->type == CORM_AGGV_DECIMAL)
		corm_buf_puts(&q->sql, q->d->decimal_collation);
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
	} else if (corm_q__pads_text(q, &q->m->fields[a->field])) {
		/* Read back as text, not as the bytes it was compared as. */
		corm_buf_puts(&q->sql, "CONVERT(");
		render_min_max(q, a);
		corm_buf_puts(&q->sql, " USING utf8mb4)");
	} else {
		render_min_max(q, a);
	}
}

void corm_q__render_agg_pred(corm_query *q, const corm_pred *p)
{
	static const char *const ops[] = {" = ", " <> ", " < ", " <= ", " > ",
		" >= "};
	const agg_term *a = &q->aggs[p->field];

	if (!q->in_having) {
		corm_q__fail(q, CORM_EINVAL, "a predicate over an aggregate in where(): "
			"use having()");
		return;
	}
	q->in_having = false; /* the aggregate reads the bare column */
	render_agg_value(q, a);
	q->in_having = true;
	corm_buf_puts(&q->sql, ops[p->op]);
	switch (a->type) {
	case CORM_AGGV_INT64:
		corm_q__bind_int(q, *(const int64_t *)p->v1);
		break;
	case CORM_AGGV_DOUBLE: {
		static const corm_field_desc f64 = {.name = "value",
			.column = "value", .ctype = CORM_C_F64,
			.has_offset = CORM_NO_HAS, .coltype = CORM_COL_F64};
		bind_item it = {&f64, p->v1, {NULL, 0}, false, 0};

		corm_q__push_bind(q, it);
		break;
	}
	case CORM_AGGV_DECIMAL:
	case CORM_AGGV_TEXT: {
		bind_item it = {NULL, NULL, *(const corm_str *)p->v1, false, 0};

		/* MySQL compares a DECIMAL with text as doubles: make the value
		 * a DECIMAL (65 digits, 30 after the point: MySQL's widest). */
		bool cast = a->type == CORM_AGGV_DECIMAL &&
			q->d->casts_decimal_params;

		if (cast)
			corm_buf_puts(&q->sql, "CAST(");
		corm_q__push_bind(q, it);
		if (cast)
			corm_buf_printf(&q->sql, " AS %s)", q->d->widest_decimal);
		break;
	}
	default:
		/* The column's own type: bound as the column's values are. */
		corm_q__bind_field_value(q, a->field, p->v1);
		break;
	}
}

/* Field predicates in HAVING must be over GROUP BY fields (SQLite and
 * MySQL would otherwise compare a value of some row of the group). */
bool corm_q__grouped(const corm_query *q, int field)
{
	int i;

	for (i = 0; i < q->ngroup; i++)
		if (q->group[i] == field)
			return true;
	return false;
}

bool corm_q__having_ok(const corm_query *q, const corm_pred *p)
{
	switch (p->kind) {
	case PRED_AGG:
		return true;
	case PRED_AND:
	case PRED_OR:
		return corm_q__having_ok(q, p->a) && corm_q__having_ok(q, p->b);
	case PRED_NOT:
		return corm_q__having_ok(q, p->a);
	case PRED_RELATED:
		return false;
	default:
		return corm_q__grouped(q, p->field);
	}
}

/* ORDER BY of corm_query_aggregates(): GROUP BY fields and aggregates,
 * in the order given; NULLs as corm_q__render_order() places them. */
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

		if (!by_agg && !corm_q__grouped(q, t->field)) {
			corm_q__fail(q, CORM_EINVAL, "order_by() of a field that is not in "
				"group_by(), in an aggregates query");
			return;
		}
		corm_buf_puts(&q->sql, i ? ", " : " ORDER BY ");
		/* No NULLS FIRST/LAST (MySQL): sort on IS NULL first. */
		for (pass = nullable && !q->d->has_nulls_order ? 0 : 1; pass < 2;
			pass++) {
			if (by_agg) {
				render_agg_value(q, &q->aggs[t->field]);
			} else if (f->ctype == CORM_C_ENUM && q->d->native_enum) {
				/* A native ENUM sorts by its index: sort by the name. */
				corm_buf_puts(&q->sql, "CAST(");
				corm_q__col(q, t->field);
				corm_buf_puts(&q->sql, " AS BINARY)");
			} else {
				corm_q__group_col(q, t->field);
				if (corm_q__is_text(f) && !corm_field__is_byte_text(f))
					/* an enum */
					corm_buf_puts(&q->sql, q->d->text_sort_collate);
				else if (corm_q__is_decimal_field(f))
					corm_buf_puts(&q->sql, q->d->decimal_collation);
			}
			if (pass == 0)
				corm_buf_puts(&q->sql, nulls_first ? " IS NULL DESC, "
								   : " IS NULL ASC, ");
		}
		corm_buf_puts(&q->sql, desc ? " DESC" : " ASC");
		if (nullable && q->d->has_nulls_order)
			corm_buf_puts(&q->sql, nulls_first ? " NULLS FIRST"
							   : " NULLS LAST");
	}
}

void corm_q__render_aggregates(corm_query *q)
{
	int i;

	corm_q__start_render(q);
	corm_buf_puts(&q->sql, "SELECT ");
	for (i = 0; i < q->ngroup; i++) {
		/* Text is grouped by its bytes (group_col()): every value of
		 * the group is the same, and MIN() is allowed where the bare
		 * column is not. */
		bool binary = corm_field__is_byte_text(&q->m->fields[q->group[i]]);

		corm_buf_puts(&q->sql, binary ? "MIN(" : "");
		corm_q__col(q, q->group[i]);
		corm_buf_puts(&q->sql, binary ? "), " : ", ");
	}
	for (i = 0; i < q->naggs; i++) {
		if (i)
			corm_buf_puts(&q->sql, ", ");
		render_agg_columns(q, &q->aggs[i]);
	}
	corm_q__render_from_where(q);
	for (i = 0; i < q->ngroup; i++) {
		corm_buf_puts(&q->sql, i ? ", " : " GROUP BY ");
		corm_q__group_col(q, q->group[i]);
	}
	if (q->having) {
		corm_buf_puts(&q->sql, " HAVING ");
		q->in_having = true;
		corm_q__render_pred(q, q->having);
		q->in_having = false;
	}
	render_agg_order(q);
	corm_q__render_limit(q);
}
