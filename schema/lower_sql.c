/*
 * lower_sql.c — pass 6 of the lowering (lower.c): SQL names of
 * tables and columns after @@map/@map, their clashes (case-insensitive,
 * as SQLite and MySQL compare them), lengths against every dialect, and
 * constraint names (constraint_name.c).
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "lower.h"

/* ----------------------------------------------------------- 6. SQL names */

static void check_ident_len(lower *l, const char *what, const char *name,
	corm_loc loc, int len)
{
	size_t n = strlen(name), i, bad = 0;
	corm_buf b = CORM_BUF_INIT;

	for (i = 0; i < sizeof(corm_dialects) / sizeof(corm_dialects[0]); i++) {
		const corm_dialect *d = corm_dialects[i];

		if (d->max_ident_len > 0 && n > (size_t)d->max_ident_len) {
			corm_buf_printf(&b, "%s%s (at most %d)", bad ? " and " : "",
				d->name, d->max_ident_len);
			bad++;
		}
	}
	if (bad)
		cg_error(l->c, loc, len, "%s '%s' is %zu bytes, too long for %s",
			what, show(l, S(name)), n, corm_buf_cstr(&b));
	corm_buf_free(&b);
}

/* `<table>_<cols>_<suffix>`, shortened with a hash to fit every engine. */
static const char *constraint_name(lower *l, const corm_model *m,
	const corm_field *fields, const size_t *idx, size_t n,
	const char *suffix)
{
	corm_buf b = CORM_BUF_INIT;
	size_t i;

	corm_buf_puts(&b, m->table);
	for (i = 0; i < n; i++) {
		corm_buf_putc(&b, '_');
		corm_buf_puts(&b, fields[idx[i]].column);
	}
	corm_buf_putc(&b, '_');
	corm_buf_puts(&b, suffix);
	corm_constraint_name_fit(&b, suffix);
	return cg_ir_buf(l, &b);
}

void cg_pass_names_sql(lower *l)
{
	cg_map tables = {NULL, 0, 0, true};
	size_t i, j;

	for (i = 0; i < l->nmodels && !l->c->stop; i++) {
		model_info *mi = &l->mi[i];
		corm_model *m = mi->m;
		cg_map cols = {NULL, 0, 0, true};
		const cg_attr *map = mi->mattr_first[MA_MAP];
		corm_loc tloc = map && m->table_mapped ? map->args[0].loc : m->loc;
		int tlen = map && m->table_mapped ? map->args[0].len
			: len_of(mi->decl->name);
		size_t old;
		int rc;

		if (!m->name || !mi->fields)
			continue;
		if (!m->table)
			m->table = m->snake;
		if (!m->table)
			continue;
		rc = cg_map_put(&tables, S(m->table), i, &old);
		if (rc < 0) {
			l->c->oom = true;
			break;
		}
		if (rc == 1) {
			cg_error(l->c, tloc, tlen,
				"table name '%s' of model '%s' is already used by model "
				"'%s'", m->table, m->name, l->models[old].name);
			cg_note(l->c, l->models[old].loc,
				(int)strlen(l->models[old].name), "'%s' is declared here",
				l->models[old].name);
		}
		check_ident_len(l, "table name", m->table, tloc, tlen);

		for (j = 0; j < m->nfields; j++) {
			corm_field *fd = &mi->fields[j];
			const cg_attr *fmap = mi->fi[j].attr[FA_MAP];
			corm_loc cloc = fd->column_mapped ? fmap->args[0].loc : fd->loc;
			int clen = fd->column_mapped ? fmap->args[0].len
				: len_of(mi->fi[j].item->name);

			if (!fd->column) {
				if (fd->kind == CORM_FIELD_RELATION) {
					corm_buf b = CORM_BUF_INIT;

					corm_buf_printf(&b, "%s_id", fd->name);
					fd->column = cg_ir_buf(l, &b);
				} else {
					fd->column = fd->name;
				}
			}
			if (!fd->column)
				continue;
			rc = cg_map_put(&cols, S(fd->column), j, &old);
			if (rc < 0) {
				l->c->oom = true;
				break;
			}
			if (rc == 1) {
				cg_error(l->c, cloc, clen,
					"column name '%s' of field '%s' is already used by "
					"field '%s'", fd->column, fd->name,
					mi->fields[old].name);
				cg_note(l->c, mi->fields[old].loc,
					(int)strlen(mi->fields[old].name),
					"'%s' is declared here", mi->fields[old].name);
			}
			check_ident_len(l, "column name", fd->column, cloc, clen);
		}
		cg_map_free(&cols);

	}
	cg_map_free(&tables);
}

/* Constraint names and foreign keys, once the schema is known to be
 * valid (every column has a name). */
void cg_pass_constraints(lower *l)
{
	size_t i, j;

	for (i = 0; i < l->nmodels; i++) {
		model_info *mi = &l->mi[i];
		corm_model *m = mi->m;
		corm_fk *fks;
		size_t n = 0;

		if (m->pk.nfields)
			m->pk.name = constraint_name(l, m, mi->fields, NULL, 0, "pkey");
		for (j = 0; j < m->nuniques; j++)
			((corm_index *)m->uniques)[j].name = constraint_name(l, m,
				mi->fields, m->uniques[j].fields, m->uniques[j].nfields,
				"key");
		for (j = 0; j < m->nindexes; j++)
			((corm_index *)m->indexes)[j].name = constraint_name(l, m,
				mi->fields, m->indexes[j].fields, m->indexes[j].nfields,
				"idx");
		fks = cg_ir_array(l, m->nfields + 1, sizeof(*fks));
		if (!fks)
			return;
		for (j = 0; j < m->nfields; j++) {
			const corm_field *fd = &mi->fields[j];

			if (fd->kind != CORM_FIELD_RELATION)
				continue;
			fks[n].field = fd;
			fks[n].target = fd->target;
			fks[n].target_field = fd->target_field;
			fks[n].on_delete = fd->on_delete;
			fks[n].name = constraint_name(l, m, mi->fields, &fd->index, 1,
				"fkey");
			n++;
		}
		m->fks = fks;
		m->nfks = n;
	}
}
