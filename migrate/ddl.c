/*
 * ddl.c — schema objects as DDL for one dialect (see ddl.h).
 *
 * Identifiers are always quoted. Defaults come from the schema file, never
 * from user input, and are rendered as SQL literals with the dialect's
 * escaping (MySQL also treats a backslash as an escape in literals).
 * Enums are VARCHAR(64) columns with a table CHECK naming the members
 * on SQLite and PostgreSQL. The CHECK is a named table constraint
 * (`<table>_<col>_check`), not a column one, so a migration can drop and
 * re-add it by name when the members change. Dialects with native_enum
 * (MySQL) use the engine's ENUM('a', 'b', ...) type instead, and no
 * CHECK; its members are listed in byte order (see corm_ddl_column_type).
 *
 * On SQLite an INTEGER holds any 64-bit value, so i16 and i32 columns get
 * a named column CHECK on their range (see corm_ddl_range_check): writing
 * 40000 into an i16 fails there as it does on PostgreSQL and MySQL, not
 * later when corm reads the row back. It is a column constraint so that
 * ADD COLUMN can carry it too; a type change rebuilds the table on
 * SQLite, which writes the new type's check.
 */
#include <assert.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h" /* corm_calloc, corm_free */
#include "ddl.h"
#include "migrate_engine.h"
#include "migrate.h" /* corm_mig_check_name */

/* The engine's DDL facts (migrate_engine.h). A dialect corm has no engine for
 * fails `out` with CORM_EINVAL, so no SQL is guessed for it. */
static const corm_migrate_engine *facts(corm_buf *out, const corm_dialect *d)
{
	static const corm_migrate_engine none;
	const corm_migrate_engine *eng = corm_mig_engine_of_dialect(d);

	if (eng)
		return eng;
	if (!out->error)
		out->error = CORM_EINVAL;
	return &none;
}

void corm_ddl_literal(corm_buf *out, const corm_dialect *d, const char *s,
	size_t len)
{
	bool backslash = facts(out, d)->backslash_escapes;
	size_t i;

	corm_buf_putc(out, '\'');
	for (i = 0; i < len; i++) {
		if (s[i] == '\'' || (s[i] == '\\' && backslash))
			corm_buf_putc(out, s[i]);
		corm_buf_putc(out, s[i]);
	}
	corm_buf_putc(out, '\'');
}

void corm_ddl_column_type(corm_buf *out, const corm_dialect *d,
	const corm_field *f)
{
	int a = f->type == CORM_COL_DECIMAL ? f->precision : f->len;

	if (f->kind == CORM_FIELD_ENUM && d->native_enum) {
		const corm_enum *e = f->enum_type;
		const char *prev = NULL;
		size_t i, k;

		/* An ENUM sorts (ORDER BY, MIN, comparisons between columns)
		 * by member position: list the members in byte order, the
		 * order of the binary collation and of the other engines'
		 * VARCHAR, so that queries give the same rows in the same
		 * order. Members are distinct: each pass takes the next
		 * larger one. */
		corm_buf_puts(out, "ENUM(");
		for (k = 0; k < e->nmembers; k++) {
			const char *next = NULL;

			for (i = 0; i < e->nmembers; i++) {
				const char *m = e->members[i].name;

				if ((!prev || strcmp(m, prev) > 0) &&
					(!next || strcmp(m, next) < 0))
					next = m;
			}
			if (!next)
				break;
			if (k)
				corm_buf_puts(out, ", ");
			corm_ddl_literal(out, d, next, strlen(next));
			prev = next;
		}
		corm_buf_putc(out, ')');
		return;
	}
	corm_dialect_type(out, d, f->type, a, f->scale);
}

/*
 * A decimal default on SQLite: a number literal there is a REAL (digits
 * past the 15th lost: 12345678901234567890.5 is stored as
 * '1.23456789012346e+19'), so write the value as a text literal, in the
 * canonical spelling corm sends for the column (orm/decimal.c): no
 * leading zeros, exactly S places, no "-0". `text` is a default the
 * schema checked: [-]digits[.digits] that fits decimal(P,S).
 */
static void sqlite_decimal_default(corm_buf *out, const corm_dialect *d,
	const char *text, int scale)
{
	corm_buf b = CORM_BUF_INIT;
	const char *point = strchr(text, '.');
	const char *digits = text + (*text == '-' || *text == '+');
	size_t nint = point ? (size_t)(point - digits) : strlen(digits);
	size_t nfrac = point ? strlen(point + 1) : 0, i;
	bool zero = true;

	while (nint > 0 && *digits == '0')
		digits++, nint--;
	for (i = 0; i < nint + nfrac + 1 && zero; i++)
		zero = !(digits[i] >= '1' && digits[i] <= '9');
	if (*text == '-' && !zero)
		corm_buf_putc(&b, '-');
	if (nint == 0)
		corm_buf_putc(&b, '0');
	corm_buf_put(&b, digits, nint);
	if (scale > 0)
		corm_buf_putc(&b, '.');
	for (i = 0; i < (size_t)scale; i++)
		corm_buf_putc(&b, i < nfrac ? point[1 + i] : '0');
	corm_ddl_literal(out, d, corm_buf_cstr(&b), b.len);
	corm_buf_free(&b);
}

void corm_ddl_default_value(corm_buf *out, const corm_dialect *d,
	const corm_field *f)
{
	const corm_default *def = &f->def;
	const corm_migrate_engine *eng = facts(out, d);

	switch (def->kind) {
	case CORM_DEFAULT_INT:
	case CORM_DEFAULT_FLOAT:
		if (f->type == CORM_COL_DECIMAL && eng->decimal_default_as_text)
			sqlite_decimal_default(out, d, def->text, f->scale);
		else
			corm_buf_puts(out, def->text); /* the literal as written */
		break;
	case CORM_DEFAULT_BOOL:
		corm_buf_puts(out, def->b ? "TRUE" : "FALSE");
		break;
	case CORM_DEFAULT_NOW:
		/* MySQL takes expressions as defaults only in parentheses,
		 * except CURRENT_TIMESTAMP itself. */
		if (f->type == CORM_COL_DATE)
			corm_buf_puts(out, eng->paren_date_defaults
				? "(CURRENT_DATE)" : "CURRENT_DATE");
		else if (f->type == CORM_COL_TIME)
			corm_buf_puts(out, eng->paren_date_defaults
				? "(CURRENT_TIME)" : "CURRENT_TIME");
		else
			corm_buf_puts(out, d->now_sql);
		break;
	default: /* STRING, ENUM */
		corm_ddl_literal(out, d, def->text, def->text_len);
		break;
	}
}

static void put_default(corm_buf *out, const corm_dialect *d,
	const corm_field *f)
{
	if (f->def.kind == CORM_DEFAULT_NONE)
		return;
	corm_buf_puts(out, " DEFAULT ");
	corm_ddl_default_value(out, d, f);
}

bool corm_ddl_has_range_check(const corm_dialect *d, const corm_field *f)
{
	const corm_migrate_engine *eng = corm_mig_engine_of_dialect(d);

	return eng && eng->range_checks && f->kind != CORM_FIELD_ENUM &&
		(f->type == CORM_COL_I16 || f->type == CORM_COL_I32);
}

int corm_ddl_range_check(corm_buf *out, const corm_dialect *d,
	const corm_field *f)
{
	bool i16 = f->type == CORM_COL_I16;

	assert(f->type == CORM_COL_I16 || f->type == CORM_COL_I32);
	/* The name is what the SQLite driver sees in "CHECK constraint
	 * failed: <name>" and turns into CORM_ERANGE naming the column and
	 * the range (drivers/sqlite.c): keep the two in step. SQLite has no
	 * identifier length limit, so the name is never shortened and the
	 * column can always be read back out of it. */
	corm_buf_puts(out, "CONSTRAINT ");
	{
		corm_buf name = CORM_BUF_INIT;

		corm_buf_printf(&name, "%s%s", f->column,
			i16 ? CORM_DDL_RANGE_I16 : CORM_DDL_RANGE_I32);
		corm_dialect_quote(out, d, corm_buf_cstr(&name));
		if (corm_buf_error(&name))
			out->error = corm_buf_error(&name);
		corm_buf_free(&name);
	}
	corm_buf_puts(out, " CHECK (");
	corm_dialect_quote(out, d, f->column);
	corm_buf_puts(out, i16 ? " BETWEEN -32768 AND 32767)"
			       : " BETWEEN -2147483648 AND 2147483647)");
	return corm_buf_error(out);
}

int corm_ddl_column(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const corm_field *f)
{
	facts(out, d);
	if (f->is_auto) {
		int slot = f->type == CORM_COL_I64 ? 0 : f->type == CORM_COL_I32 ? 1
										 : 2;

		corm_buf_puts(out, d->auto_format[slot]);
		/* An AUTO key is NOT NULL by being the key. */
	} else {
		corm_ddl_column_type(out, d, f);
		if (!f->nullable)
			corm_buf_puts(out, " NOT NULL");
		put_default(out, d, f);
	}
	/* An i16 @auto key too: SQLite hands out rowids past 32767. */
	if (corm_ddl_has_range_check(d, f)) {
		corm_buf_putc(out, ' ');
		corm_ddl_range_check(out, d, f);
	}
	(void)m;
	return corm_buf_error(out);
}

void corm_ddl_foreign_key(corm_buf *out, const corm_dialect *d,
	const corm_fk *fk)
{
	corm_buf_puts(out, "CONSTRAINT ");
	corm_dialect_quote(out, d, fk->name);
	corm_buf_puts(out, " FOREIGN KEY (");
	corm_dialect_quote(out, d, fk->field->column);
	corm_buf_puts(out, ") REFERENCES ");
	corm_dialect_quote(out, d, fk->target->table);
	corm_buf_puts(out, " (");
	corm_dialect_quote(out, d, fk->target_field->column);
	corm_buf_printf(out, ")%s", corm_ddl_on_delete(fk->on_delete));
}

int corm_ddl_check(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const corm_field *f)
{
	corm_buf b = CORM_BUF_INIT;
	size_t i;

	assert(f->kind == CORM_FIELD_ENUM);
	corm_buf_puts(out, "CONSTRAINT ");
	corm_mig_check_name(&b, m->table, f->column);
	corm_dialect_quote(out, d, corm_buf_cstr(&b));
	if (corm_buf_error(&b))
		out->error = corm_buf_error(&b);
	corm_buf_free(&b);
	corm_buf_puts(out, " CHECK (");
	corm_dialect_quote(out, d, f->column);
	corm_buf_puts(out, " IN (");
	for (i = 0; i < f->enum_type->nmembers; i++) {
		const char *name = f->enum_type->members[i].name;

		if (i)
			corm_buf_puts(out, ", ");
		corm_ddl_literal(out, d, name, strlen(name));
	}
	corm_buf_puts(out, "))");
	return corm_buf_error(out);
}

static void column_list(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const corm_index *ix)
{
	size_t i;

	corm_buf_putc(out, '(');
	for (i = 0; i < ix->nfields; i++) {
		if (i)
			corm_buf_puts(out, ", ");
		corm_dialect_quote(out, d, m->fields[ix->fields[i]].column);
	}
	corm_buf_putc(out, ')');
}

const char *corm_ddl_on_delete(corm_on_delete a)
{
	switch (a) {
	case CORM_ON_DELETE_CASCADE: return " ON DELETE CASCADE";
	case CORM_ON_DELETE_RESTRICT: return " ON DELETE RESTRICT";
	case CORM_ON_DELETE_SET_NULL: return " ON DELETE SET NULL";
	default: return "";
	}
}

static bool has_auto_pk(const corm_dialect *d, const corm_model *m)
{
	size_t i;

	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].is_auto)
			return d->auto_includes_pk;
	return false;
}

int corm_ddl_create_table(corm_buf *out, const corm_dialect *d,
	const corm_model *m)
{
	return corm_ddl_create_table_as(out, d, m, m->table);
}

int corm_ddl_create_table_as(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const char *table)
{
	return corm_ddl_create_table_ex(out, d, m, table, NULL);
}

int corm_ddl_create_table_ex(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const char *table, const bool *omit_fk)
{
	size_t i;

	facts(out, d);
	corm_buf_puts(out, "CREATE TABLE ");
	corm_dialect_quote(out, d, table);
	corm_buf_puts(out, " (\n");
	for (i = 0; i < m->nfields; i++) {
		corm_buf_puts(out, i ? ",\n    " : "    ");
		corm_dialect_quote(out, d, m->fields[i].column);
		corm_buf_putc(out, ' ');
		corm_ddl_column(out, d, m, &m->fields[i]);
	}
	if (!has_auto_pk(d, m)) {
		corm_buf_puts(out, ",\n    CONSTRAINT ");
		corm_dialect_quote(out, d, m->pk.name);
		corm_buf_puts(out, " PRIMARY KEY ");
		column_list(out, d, m, &m->pk);
	}
	for (i = 0; i < m->nuniques; i++) {
		corm_buf_puts(out, ",\n    CONSTRAINT ");
		corm_dialect_quote(out, d, m->uniques[i].name);
		corm_buf_puts(out, " UNIQUE ");
		column_list(out, d, m, &m->uniques[i]);
	}
	for (i = 0; i < m->nfks; i++) {
		const corm_fk *fk = &m->fks[i];

		if (omit_fk && omit_fk[i])
			continue;
		corm_buf_puts(out, ",\n    ");
		corm_ddl_foreign_key(out, d, fk);
	}
	for (i = 0; i < m->nfields; i++) {
		if (m->fields[i].kind != CORM_FIELD_ENUM || d->native_enum)
			continue;
		corm_buf_puts(out, ",\n    ");
		corm_ddl_check(out, d, m, &m->fields[i]);
	}
	corm_buf_printf(out, "\n)%s;\n",
		d->create_table_suffix ? d->create_table_suffix : "");
	return corm_buf_error(out);
}

int corm_ddl_create_indexes(corm_buf *out, const corm_dialect *d,
	const corm_model *m)
{
	size_t i;

	for (i = 0; i < m->nindexes; i++) {
		corm_buf_puts(out, "CREATE INDEX ");
		corm_dialect_quote(out, d, m->indexes[i].name);
		corm_buf_puts(out, " ON ");
		corm_dialect_quote(out, d, m->table);
		corm_buf_putc(out, ' ');
		column_list(out, d, m, &m->indexes[i]);
		corm_buf_puts(out, ";\n");
	}
	return corm_buf_error(out);
}

/* Models in an order where every FK target comes first: `order` receives
 * model indexes. CORM_EUNSUPPORTED on a cycle (self-references are fine). */
static int dependency_order(size_t *order, const corm_schema *s)
{
	bool *placed = corm_calloc(s->nmodels + 1, sizeof(bool));
	size_t n = 0, i, k;
	bool progress = true;

	if (!placed)
		return CORM_ENOMEM;
	while (n < s->nmodels && progress) {
		progress = false;
		for (i = 0; i < s->nmodels; i++) {
			const corm_model *m = &s->models[i];
			bool ready = !placed[i];

			for (k = 0; k < m->nfks && ready; k++) {
				size_t t = m->fks[k].target->index;

				ready = t == i || placed[t];
			}
			if (ready) {
				placed[i] = true;
				order[n++] = i;
				progress = true;
			}
		}
	}
	corm_free(placed);
	return n == s->nmodels ? CORM_OK : CORM_EUNSUPPORTED;
}

int corm_ddl_create_schema(corm_buf *out, const corm_dialect *d,
	const corm_schema *s)
{
	size_t *order = corm_calloc(s->nmodels + 1, sizeof(size_t));
	size_t i;
	int error;

	if (!order)
		return CORM_ENOMEM;
	error = dependency_order(order, s);
	for (i = 0; i < s->nmodels && !error; i++) {
		error = corm_ddl_create_table(out, d, &s->models[order[i]]);
		if (!error)
			error = corm_ddl_create_indexes(out, d, &s->models[order[i]]);
	}
	corm_free(order);
	return error;
}

int corm_ddl_drop_schema(corm_buf *out, const corm_dialect *d,
	const corm_schema *s)
{
	size_t *order = corm_calloc(s->nmodels + 1, sizeof(size_t));
	size_t i;
	int error;

	if (!order)
		return CORM_ENOMEM;
	error = dependency_order(order, s);
	for (i = s->nmodels; i-- > 0 && !error;) {
		corm_buf_puts(out, "DROP TABLE IF EXISTS ");
		corm_dialect_quote(out, d, s->models[order[i]].table);
		corm_buf_puts(out, ";\n");
		error = corm_buf_error(out);
	}
	corm_free(order);
	return error;
}
