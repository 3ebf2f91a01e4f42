/*
 * query_related.c — the query builder: filters on a related model
 * (corm/rel.h): a query over it rendered inside a correlated EXISTS of the
 * outer statement.
 */
#include "query_internal.h"

/* --------------------------------------------------- related-model filters */

/* corm_r1, corm_r2, …: a subquery's alias, one per level of nesting (and
 * corm_j1, … for the join model of a many-to-many filter). */
void corm_q__put_alias(corm_query *q)
{
	corm_buf_printf(&q->sql, "corm_r%d", q->depth);
}

/* A subquery's failure is its parent's, reported when the parent runs. */
void corm_q__sub_errors(corm_query *q)
{
	corm_query *s;

	for (s = q->subs; s; s = s->next_sub) {
		corm_q__sub_errors(s);
		if (s->error)
			corm_q__fail(q, s->error, s->errmsg);
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
		corm_q__fail(q, CORM_ENOMEM, "out of memory");
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
		corm_q__fail(q, CORM_EINVAL, "a related-model filter over a relation that "
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
		corm_q__fail(q, CORM_EINVAL, "a many-to-many filter that does not start at "
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
		corm_q__fail(q, sub->error, sub->errmsg);
		return NULL;
	}
	if (inner && inner->owner != sub) {
		/* Its values would live in a query that may be freed first. */
		corm_q__fail(q, CORM_EINVAL, "the predicate of a related-model filter was "
			"not built on the query the filter gave");
		return NULL;
	}
	if (!(p = corm_q__new_pred(q, PRED_RELATED)))
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
		corm_q__put_alias(q);
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
void corm_q__render_related(corm_query *q, const corm_pred *p)
{
	corm_query *s = p->sub;
	const corm_dialect *d = q->d;
	corm_buf own_sql = s->sql;
	bind_item *own_binds = s->binds;
	size_t own_nbinds = s->nbinds, own_capbinds = s->capbinds;
	int own_nparams = s->nparams;

	if (s->where) {
		/* It would look like it filters, and it would not. */
		corm_q__fail(q, CORM_EINVAL, "where() on a related-model filter query: "
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
		corm_q__render_pred(s, p->a);
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
		corm_q__fail(q, s->error, s->errmsg);
}
