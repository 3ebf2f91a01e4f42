/*
 * emit_lock.c — the typed API for concurrent writes (docs/runtime.md,
 * "Concurrent writes"): atomic adds to numeric columns, on a query
 * (<model>_set_add) and on one row by key (<model>_add), and row locks
 * (<model>_for_update, <model>_get_for_update). Thin wrappers over
 * corm_query_set_add(), corm_model_add(), corm_query_for_update() and
 * corm_model_get_for_update().
 *
 * Only the C types a column can be added to get set_add / add, so adding
 * to a text, bool or enum column does not compile. A decimal column's
 * handle has its own family (emit_query.c), so its corm_str delta is
 * dispatched apart from text's: the runtime checks it against the
 * column's decimal(P,S) and adds exactly (query.h).
 *
 * Sections: numeric families, declarations, definitions.
 */
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h" /* corm_calloc, corm_free */
#include "emit_internal.h"

/* ------------------------------------------------------- numeric families */

/* Families are numbered by corm_coltype; the numeric ones (corm/coltype.h)
 * have these functions. The family's name, as emit_query.c names the
 * column handle. */
#define NFAMILIES ((size_t)CORM_COL__COUNT)

static const char *family_name(size_t k)
{
	return corm_coltype_info_of((corm_coltype)k)->family;
}

/* A field of numeric family k (for its C type), or NULL. */
static const corm_field *field_of(const corm_model *m, size_t k)
{
	size_t i;

	if (!corm_coltype_is((corm_coltype)k, CORM_COLF_NUMERIC))
		return NULL;
	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].kind != CORM_FIELD_ENUM &&
			m->fields[i].type == (corm_coltype)k)
			return &m->fields[i];
	return NULL;
}

/* "k0, k1" (macro parameters standing for the key). */
static void put_key_names(corm_buf *b, const corm_model *m)
{
	size_t i;

	for (i = 0; i < m->pk.nfields; i++)
		corm_buf_printf(b, "%sk%zu", i ? ", " : "", i);
}

/* _Generic((c), author_i64_col: author_<fn>_i64, ...) */
static void put_dispatch(corm_buf *h, const corm_model *m, const char *fn)
{
	size_t k;

	corm_buf_puts(h, "_Generic((c)");
	for (k = 0; k < NFAMILIES; k++) {
		if (!field_of(m, k))
			continue;
		corm_buf_printf(h, ", \\\n\t%s_%s_col: %s_%s_%s", m->snake,
			family_name(k), m->snake, fn, family_name(k));
	}
	corm_buf_puts(h, ")");
}

static bool has_numeric(const corm_model *m)
{
	size_t k;

	for (k = 0; k < NFAMILIES; k++)
		if (field_of(m, k))
			return true;
	return false;
}

/* ------------------------------------------------------------ declarations */

void cg_emit_lock_decls(corm_buf *h, const corm_model *m)
{
	const char *n = m->snake;
	size_t k;

	corm_buf_printf(h, "/* %s: concurrent writes (see docs/runtime.md). Lock "
		"the rows a query reads,\n * or one row by key, until the "
		"transaction ends (CORM_EINVAL outside one). */\n", m->name);
	corm_buf_printf(h, "void %s_for_update(%s_query *q);\n", n, n);
	corm_buf_printf(h, "int %s_get_for_update(%s *out, corm_conn *db", n, n);
	cg_emit_key_params(h, m);
	corm_buf_puts(h, ", corm_arena *arena);\n");
	if (!has_numeric(m)) {
		corm_buf_putc(h, '\n');
		return;
	}
	corm_buf_puts(h, "/* SET col = col + delta, by the engine: no update is "
		"lost. A sum out of\n * range is CORM_ERANGE; _add on a missing row "
		"CORM_ENOTFOUND. */\n");
	for (k = 0; k < NFAMILIES; k++) {
		const corm_field *f = field_of(m, k);
		const char *fam = family_name(k);

		if (!f)
			continue;
		corm_buf_printf(h, "void %s_set_add_%s(%s_query *q, %s_%s_col c, "
			"%s delta);\n", n, fam, n, n, fam, cg_emit_c_type(f));
		corm_buf_printf(h, "int %s_add_%s(corm_conn *db", n, fam);
		cg_emit_key_params(h, m);
		corm_buf_printf(h, ", %s_%s_col c, %s delta);\n", n, fam,
			cg_emit_c_type(f));
	}
	corm_buf_printf(h, "#define %s_set_add(q, c, delta) ", n);
	put_dispatch(h, m, "set_add");
	corm_buf_puts(h, "((q), (c), (delta))\n");
	corm_buf_printf(h, "#define %s_add(db, ", n);
	put_key_names(h, m);
	corm_buf_puts(h, ", c, delta) ");
	put_dispatch(h, m, "add");
	corm_buf_puts(h, "((db), ");
	for (k = 0; k < m->pk.nfields; k++)
		corm_buf_printf(h, "(k%zu), ", k);
	corm_buf_puts(h, "(c), (delta))\n\n");
}

/* ------------------------------------------------------------- definitions */

void cg_emit_lock_defs(corm_buf *c, const corm_model *m)
{
	const char *n = m->snake;
	size_t k;

	corm_buf_printf(c, "void %s_for_update(%s_query *q)\n{\n"
		"\tcorm_query_for_update((corm_query *)q);\n}\n\n", n, n);
	corm_buf_printf(c, "int %s_get_for_update(%s *out, corm_conn *db", n, n);
	cg_emit_key_params(c, m);
	corm_buf_puts(c, ", corm_arena *arena)\n{\n");
	cg_emit_key_struct(c, m);
	corm_buf_printf(c, "\treturn corm_model_get_for_update(out, db, "
		"&%s_desc, &key, arena);\n}\n\n", n);
	for (k = 0; k < NFAMILIES; k++) {
		const corm_field *f = field_of(m, k);
		const char *fam = family_name(k);

		if (!f)
			continue;
		corm_buf_printf(c, "void %s_set_add_%s(%s_query *q, %s_%s_col c, "
			"%s delta)\n{\n\tcorm_query_set_add((corm_query *)q, c.field, "
			"&delta);\n}\n\n", n, fam, n, n, fam, cg_emit_c_type(f));
		corm_buf_printf(c, "int %s_add_%s(corm_conn *db", n, fam);
		cg_emit_key_params(c, m);
		corm_buf_printf(c, ", %s_%s_col c, %s delta)\n{\n", n, fam,
			cg_emit_c_type(f));
		cg_emit_key_struct(c, m);
		corm_buf_printf(c, "\treturn corm_model_add(db, &%s_desc, &key, "
			"c.field, &delta);\n}\n\n", n);
	}
}
