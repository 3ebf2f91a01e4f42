/*
 * emit_sql.c — the SQL of each statement of a model, per dialect,
 * written into the model descriptor as string literals.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "corm_util.h"
#include "emit_internal.h"

/* ---------------------------------------------------------------------- SQL */

/* The SQL of one statement is built here, then written as a literal. */
typedef struct sql_writer {
	corm_buf b;
	const corm_dialect *d;
	int n; /* placeholders so far */
} sql_writer;

static void sql_col(sql_writer *w, const corm_field *f)
{
	corm_dialect_quote(&w->b, w->d, f->column);
}

static void sql_param(sql_writer *w)
{
	corm_dialect_placeholder(&w->b, w->d, ++w->n);
}

/* "col1", "col2" of the fields listed (all when list is NULL). */
static void sql_cols(sql_writer *w, const corm_model *m, const size_t *list,
	size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			corm_buf_puts(&w->b, ", ");
		sql_col(w, &m->fields[list ? list[i] : i]);
	}
}

static void sql_params(sql_writer *w, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (i)
			corm_buf_puts(&w->b, ", ");
		sql_param(w);
	}
}

/* "k1" = ? AND "k2" = ? */
static void sql_where_key(sql_writer *w, const corm_model *m)
{
	size_t i;

	corm_buf_puts(&w->b, " WHERE ");
	for (i = 0; i < m->pk.nfields; i++) {
		if (i)
			corm_buf_puts(&w->b, " AND ");
		sql_col(w, &m->fields[m->pk.fields[i]]);
		corm_buf_puts(&w->b, " = ");
		sql_param(w);
	}
}

static void sql_table(sql_writer *w, const corm_model *m)
{
	corm_dialect_quote(&w->b, w->d, m->table);
}

static void sql_insert_head(sql_writer *w, const corm_model *m,
	const field_list *cols)
{
	corm_buf_puts(&w->b, "INSERT INTO ");
	sql_table(w, m);
	corm_buf_puts(&w->b, " (");
	sql_cols(w, m, cols->items, cols->n);
	corm_buf_puts(&w->b, ") VALUES ");
}

static void sql_insert(sql_writer *w, const corm_model *m,
	const field_list *cols, int autof)
{
	if (cols->n == 0) {
		/* Only an AUTO key: nothing to list. */
		corm_buf_puts(&w->b, "INSERT INTO ");
		sql_table(w, m);
		corm_buf_puts(&w->b, w->d->empty_insert);
	} else {
		sql_insert_head(w, m, cols);
		corm_buf_putc(&w->b, '(');
		sql_params(w, cols->n);
		corm_buf_putc(&w->b, ')');
	}
	if (autof >= 0 && w->d->insert_id == CORM_INSERT_ID_RETURNING) {
		corm_buf_puts(&w->b, " RETURNING ");
		sql_col(w, &m->fields[autof]);
	}
}

/* ON CONFLICT (target) DO UPDATE SET c = excluded.c ... / ON DUPLICATE KEY
 * UPDATE c = VALUES(c) ..., for the columns in `set`. `returning` is the
 * AUTO key to hand back, or -1. */
static void sql_on_conflict(sql_writer *w, const corm_model *m,
	const size_t *target, size_t ntarget, const field_list *set,
	int returning)
{
	size_t i;

	if (w->d->upsert == CORM_UPSERT_ON_DUPLICATE_KEY) {
		corm_buf_puts(&w->b, " ON DUPLICATE KEY UPDATE ");
		if (returning >= 0) {
			/* Makes last-insert-id the existing row's key on update. */
			sql_col(w, &m->fields[returning]);
			corm_buf_puts(&w->b, " = LAST_INSERT_ID(");
			sql_col(w, &m->fields[returning]);
			corm_buf_putc(&w->b, ')');
		}
		for (i = 0; i < set->n; i++) {
			const corm_field *f = &m->fields[set->items[i]];

			if (i || returning >= 0)
				corm_buf_puts(&w->b, ", ");
			sql_col(w, f);
			if (f->is_version) {
				/* The existing row's version, moved on. */
				corm_buf_puts(&w->b, " = ");
				sql_col(w, f);
				corm_buf_puts(&w->b, " + 1");
				continue;
			}
			corm_buf_puts(&w->b, " = VALUES(");
			sql_col(w, f);
			corm_buf_putc(&w->b, ')');
		}
		if (set->n == 0 && returning < 0) {
			sql_col(w, &m->fields[target[0]]);
			corm_buf_puts(&w->b, " = ");
			sql_col(w, &m->fields[target[0]]);
		}
		return;
	}
	corm_buf_puts(&w->b, " ON CONFLICT (");
	sql_cols(w, m, target, ntarget);
	corm_buf_puts(&w->b, ") DO ");
	if (set->n == 0 && returning < 0) {
		corm_buf_puts(&w->b, "NOTHING");
		return;
	}
	corm_buf_puts(&w->b, "UPDATE SET ");
	if (set->n == 0) {
		/* A no-op update, so RETURNING still gives the existing row. */
		sql_col(w, &m->fields[target[0]]);
		corm_buf_puts(&w->b, " = excluded.");
		sql_col(w, &m->fields[target[0]]);
	}
	for (i = 0; i < set->n; i++) {
		const corm_field *f = &m->fields[set->items[i]];

		if (i)
			corm_buf_puts(&w->b, ", ");
		sql_col(w, f);
		if (f->is_version) {
			/* The existing row's version, moved on. */
			corm_buf_puts(&w->b, " = ");
			sql_table(w, m);
			corm_buf_putc(&w->b, '.');
			sql_col(w, f);
			corm_buf_puts(&w->b, " + 1");
			continue;
		}
		corm_buf_puts(&w->b, " = excluded.");
		sql_col(w, f);
	}
	if (returning >= 0) {
		corm_buf_puts(&w->b, " RETURNING ");
		sql_col(w, &m->fields[returning]);
	}
}

int cg_emit_lists_make(model_lists *l, const corm_model *m)
{
	size_t i;

	l->autof = cg_emit_auto_field(m);
	l->versionf = -1;
	l->insert.items = corm_calloc(m->nfields + 1, sizeof(size_t));
	l->nonkey.items = corm_calloc(m->nfields + 1, sizeof(size_t));
	l->all.items = corm_calloc(m->nfields + 1, sizeof(size_t));
	l->insert.n = l->nonkey.n = l->all.n = 0;
	if (!l->insert.items || !l->nonkey.items || !l->all.items)
		return CORM_ENOMEM;
	for (i = 0; i < m->nfields; i++) {
		l->all.items[l->all.n++] = i;
		if ((int)i != l->autof)
			l->insert.items[l->insert.n++] = i;
		if (!cg_emit_in_pk(m, i))
			l->nonkey.items[l->nonkey.n++] = i;
		if (m->fields[i].is_version)
			l->versionf = (int)i;
	}
	return CORM_OK;
}

void cg_emit_lists_free(model_lists *l)
{
	corm_free(l->insert.items);
	corm_free(l->nonkey.items);
	corm_free(l->all.items);
}

/* Write `.name = "SQL",` for the SQL built in `w`, then reset `w`. */
static void put_sql_member(emitter *e, const char *name, sql_writer *w)
{
	corm_buf_printf(e->c, "\t.%s =\n\t\t", name);
	cg_emit_sql_literal(e->c, corm_buf_cstr(&w->b), "\t\t");
	corm_buf_puts(e->c, ",\n");
	if (w->b.error && !e->c->error)
		e->c->error = w->b.error;
	corm_buf_clear(&w->b);
	w->n = 0;
}

/* The end of an UPDATE by key. With a @version field: move the version
 * on, and only in the row that still has the version read (bound last). */
static void sql_update_version(sql_writer *w, const corm_model *m,
	int versionf, bool after_set /* SET terms before it */)
{
	const corm_field *v = versionf >= 0 ? &m->fields[versionf] : NULL;

	if (v) {
		if (after_set)
			corm_buf_puts(&w->b, ", ");
		sql_col(w, v);
		corm_buf_puts(&w->b, " = ");
		sql_col(w, v);
		corm_buf_puts(&w->b, " + 1");
	}
	sql_where_key(w, m);
	if (v) {
		corm_buf_puts(&w->b, " AND ");
		sql_col(w, v);
		corm_buf_puts(&w->b, " = ");
		sql_param(w);
	}
}

void cg_emit_model_sql(emitter *e, const corm_model *m,
	const model_lists *l, const corm_dialect *d)
{
	sql_writer w = {CORM_BUF_INIT, d, 0};
	size_t i;

	corm_buf_printf(e->c, "static const corm_model_sql %s_sql_%s = {\n",
		m->snake, d->name);

	sql_insert(&w, m, &l->insert, l->autof);
	put_sql_member(e, "insert", &w);

	corm_buf_puts(&w.b, "SELECT ");
	sql_cols(&w, m, NULL, m->nfields);
	corm_buf_puts(&w.b, " FROM ");
	sql_table(&w, m);
	sql_where_key(&w, m);
	put_sql_member(e, "get", &w);

	if (l->nonkey.n > 0) {
		size_t nset = 0;

		corm_buf_puts(&w.b, "UPDATE ");
		sql_table(&w, m);
		corm_buf_puts(&w.b, " SET ");
		for (i = 0; i < l->nonkey.n; i++) {
			if ((int)l->nonkey.items[i] == l->versionf)
				continue;
			if (nset++)
				corm_buf_puts(&w.b, ", ");
			sql_col(&w, &m->fields[l->nonkey.items[i]]);
			corm_buf_puts(&w.b, " = ");
			sql_param(&w);
		}
		sql_update_version(&w, m, l->versionf, nset > 0);
		put_sql_member(e, "update", &w);
	}

	corm_buf_puts(&w.b, "DELETE FROM ");
	sql_table(&w, m);
	sql_where_key(&w, m);
	put_sql_member(e, "del", &w);

	/* Upsert on the key: every field is given, keys included. */
	sql_insert_head(&w, m, &l->all);
	corm_buf_putc(&w.b, '(');
	sql_params(&w, l->all.n);
	corm_buf_putc(&w.b, ')');
	sql_on_conflict(&w, m, m->pk.fields, m->pk.nfields, &l->nonkey, -1);
	put_sql_member(e, "upsert", &w);

	if (l->insert.n > 0) {
		sql_insert_head(&w, m, &l->insert);
		put_sql_member(e, "insert_many_head", &w);
	}
	if (l->insert.n > 0 && d->has_copy) {
		corm_buf_puts(&w.b, "COPY ");
		sql_table(&w, m);
		corm_buf_puts(&w.b, " (");
		sql_cols(&w, m, l->insert.items, l->insert.n);
		corm_buf_puts(&w.b, ") FROM STDIN");
		put_sql_member(e, "copy_in", &w);
	}
	corm_buf_puts(e->c, "};\n\n");
	corm_buf_free(&w.b);
}

/* The upsert on unique `u` for dialect `d`: insert like insert(), update
 * every inserted column that is neither key nor part of `u`. */
void cg_emit_unique_upsert(emitter *e, const corm_model *m,
	const model_lists *l, const corm_index *u, const corm_dialect *d)
{
	sql_writer w = {CORM_BUF_INIT, d, 0};
	field_list set;
	size_t i;

	set.items = corm_calloc(m->nfields + 1, sizeof(size_t));
	set.n = 0;
	if (!set.items) {
		e->c->error = CORM_ENOMEM;
		return;
	}
	for (i = 0; i < l->insert.n; i++)
		if (!cg_emit_in_pk(m, l->insert.items[i]) && !cg_emit_in_index(u, l->insert.items[i]))
			set.items[set.n++] = l->insert.items[i];
	sql_insert_head(&w, m, &l->insert);
	corm_buf_putc(&w.b, '(');
	sql_params(&w, l->insert.n);
	corm_buf_putc(&w.b, ')');
	sql_on_conflict(&w, m, u->fields, u->nfields, &set,
		d->insert_id == CORM_INSERT_ID_RETURNING || l->autof >= 0
			? l->autof : -1);
	corm_buf_puts(e->c, "\t\t\t");
	cg_emit_sql_literal(e->c, corm_buf_cstr(&w.b), "\t\t\t");
	corm_buf_puts(e->c, ",\n");
	corm_buf_free(&w.b);
	corm_free(set.items);
}
