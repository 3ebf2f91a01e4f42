/*
 * write.c — two printers of the IR: the canonical DSL (corm_schema_write,
 * for `corm inspect` and snapshots) and a plain dump used to compare
 * schemas (corm_schema_dump).
 */
#include <stdio.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "internal.h"

/* -------------------------------------------------------------- printing */

static const char *const on_delete_text[] = {
	"no_action", "restrict", "cascade", "set_null",
};

static void put_str(corm_buf *b, const char *s)
{
	cg_put_string_literal(b, (cg_str){s, strlen(s)});
}

static void put_doc(corm_buf *b, const char *indent, const corm_doc *d)
{
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		corm_buf_puts(b, indent);
		corm_buf_puts(b, d->lines[i][0] ? "// " : "//");
		corm_buf_puts(b, d->lines[i]);
		corm_buf_putc(b, '\n');
	}
}

static void put_default(corm_buf *b, const corm_default *d)
{
	switch (d->kind) {
	case CORM_DEFAULT_INT:
	case CORM_DEFAULT_FLOAT:
	case CORM_DEFAULT_ENUM:
		corm_buf_puts(b, d->text);
		break;
	case CORM_DEFAULT_STRING:
		cg_put_string_literal(b, (cg_str){d->text, d->text_len});
		break;
	case CORM_DEFAULT_BOOL:
		corm_buf_puts(b, d->b ? "true" : "false");
		break;
	case CORM_DEFAULT_NOW:
		corm_buf_puts(b, "now");
		break;
	case CORM_DEFAULT_NONE:
		break;
	}
}

static void put_field_list(corm_buf *b, const corm_model *m,
	const corm_index *ix)
{
	size_t i;

	corm_buf_puts(b, "([");
	for (i = 0; i < ix->nfields; i++)
		corm_buf_printf(b, "%s%s", i ? ", " : "",
			m->fields[ix->fields[i]].name);
	corm_buf_puts(b, "])");
}

/* Unaligned DSL; corm_schema_write() formats it. */
static void write_raw(corm_buf *b, const corm_schema *s)
{
	size_t i, j, k;

	for (i = 0; i < s->nenums; i++) {
		const corm_enum *e = &s->enums[i];
		bool docs = false;

		for (j = 0; j < e->nmembers; j++)
			docs = docs || e->members[j].doc.nlines;
		put_doc(b, "", &e->doc);
		corm_buf_printf(b, "enum %s {", e->name);
		for (j = 0; j < e->nmembers; j++) {
			if (docs) {
				corm_buf_putc(b, '\n');
				put_doc(b, "", &e->members[j].doc);
			} else {
				corm_buf_putc(b, ' ');
			}
			corm_buf_puts(b, e->members[j].name);
		}
		corm_buf_puts(b, docs ? "\n}\n\n" : " }\n\n");
	}
	for (i = 0; i < s->nmodels; i++) {
		const corm_model *m = &s->models[i];

		put_doc(b, "", &m->doc);
		corm_buf_printf(b, "model %s {\n", m->name);
		for (j = 0; j < m->nfields; j++) {
			const corm_field *f = &m->fields[j];

			put_doc(b, "", &f->doc);
			corm_buf_printf(b, "%s ", f->name);
			if (f->kind != CORM_FIELD_SCALAR)
				corm_buf_puts(b, f->type_name);
			else if (f->type == CORM_COL_STRING)
				corm_buf_printf(b, "string(%d)", f->len);
			else if (f->type == CORM_COL_DECIMAL)
				corm_buf_printf(b, "decimal(%d, %d)", f->precision,
					f->scale);
			else
				corm_buf_puts(b, corm_coltype_name(f->type));
			if (f->nullable)
				corm_buf_putc(b, '?');
			if (f->is_id)
				corm_buf_puts(b, " @id");
			if (f->is_auto)
				corm_buf_puts(b, " @auto");
			if (f->is_unique)
				corm_buf_puts(b, " @unique");
			if (f->is_index)
				corm_buf_puts(b, " @index");
			if (f->is_version)
				corm_buf_puts(b, " @version");
			if (f->def.kind != CORM_DEFAULT_NONE) {
				corm_buf_puts(b, " @default(");
				put_default(b, &f->def);
				corm_buf_putc(b, ')');
			}
			if (f->column_mapped) {
				corm_buf_puts(b, " @map(");
				put_str(b, f->column);
				corm_buf_putc(b, ')');
			}
			if (f->renamed_from)
				corm_buf_printf(b, " @renamed_from(%s)", f->renamed_from);
			if (f->kind == CORM_FIELD_RELATION &&
				f->on_delete != CORM_ON_DELETE_NO_ACTION)
				corm_buf_printf(b, " @on_delete(%s)",
					on_delete_text[f->on_delete]);
			corm_buf_putc(b, '\n');
		}
		if (m->pk_from_model) {
			corm_buf_puts(b, "@@id");
			put_field_list(b, m, &m->pk);
			corm_buf_putc(b, '\n');
		}
		for (k = 0; k < m->nuniques; k++) {
			if (m->uniques[k].from_field)
				continue;
			corm_buf_puts(b, "@@unique");
			put_field_list(b, m, &m->uniques[k]);
			corm_buf_putc(b, '\n');
		}
		for (k = 0; k < m->nindexes; k++) {
			if (m->indexes[k].from_field)
				continue;
			corm_buf_puts(b, "@@index");
			put_field_list(b, m, &m->indexes[k]);
			corm_buf_putc(b, '\n');
		}
		if (m->table_mapped) {
			corm_buf_puts(b, "@@map(");
			put_str(b, m->table);
			corm_buf_puts(b, ")\n");
		}
		if (m->renamed_from)
			corm_buf_printf(b, "@@renamed_from(%s)\n", m->renamed_from);
		corm_buf_puts(b, "}\n\n");
	}
}

int corm_schema_write(corm_buf *out, const corm_schema *s)
{
	corm_buf raw = CORM_BUF_INIT;
	char *text = NULL;
	size_t n = 0;
	int rc;

	write_raw(&raw, s);
	rc = corm_buf_error(&raw);
	if (rc != CORM_OK) {
		corm_buf_free(&raw);
		return rc;
	}
	rc = corm_schema_format(&text, &n, NULL, corm_buf_cstr(&raw), raw.len);
	corm_buf_free(&raw);
	if (rc != CORM_OK)
		return rc == CORM_EINVAL ? CORM_ERROR : rc; /* a bug: say so */
	corm_buf_put(out, text, n);
	corm_free(text);
	return corm_buf_error(out);
}

/* ------------------------------------------------------------------- dump */

static const char *const field_kind_text[] = {"scalar", "enum", "relation"};
static const char *const default_kind_text[] = {
	"none", "int", "float", "string", "bool", "enum", "now",
};

static void dump_doc(corm_buf *b, const char *indent, const corm_doc *d)
{
	size_t i;

	for (i = 0; i < d->nlines; i++) {
		corm_buf_printf(b, "%sdoc ", indent);
		put_str(b, d->lines[i]);
		corm_buf_putc(b, '\n');
	}
}

static void dump_index(corm_buf *b, const char *what, const corm_model *m,
	const corm_index *ix)
{
	size_t i;

	corm_buf_printf(b, "  %s %s (", what, ix->name ? ix->name : "-");
	for (i = 0; i < ix->nfields; i++)
		corm_buf_printf(b, "%s%s", i ? ", " : "",
			m->fields[ix->fields[i]].column);
	corm_buf_printf(b, ")%s\n", ix->from_field ? " from_field" : "");
}

int corm_schema_dump(corm_buf *b, const corm_schema *s)
{
	size_t i, j;

	for (i = 0; i < s->nenums; i++) {
		const corm_enum *e = &s->enums[i];

		corm_buf_printf(b, "enum %s snake=%s\n", e->name, e->snake);
		dump_doc(b, "  ", &e->doc);
		for (j = 0; j < e->nmembers; j++) {
			corm_buf_printf(b, "  member %s\n", e->members[j].name);
			dump_doc(b, "    ", &e->members[j].doc);
		}
	}
	for (i = 0; i < s->nmodels; i++) {
		const corm_model *m = &s->models[i];

		corm_buf_printf(b, "model %s table=", m->name);
		put_str(b, m->table);
		corm_buf_printf(b, "%s snake=%s renamed_from=%s\n",
			m->table_mapped ? " (mapped)" : "", m->snake,
			m->renamed_from ? m->renamed_from : "-");
		dump_doc(b, "  ", &m->doc);
		for (j = 0; j < m->nfields; j++) {
			const corm_field *f = &m->fields[j];

			corm_buf_printf(b, "  field %s column=", f->name);
			put_str(b, f->column);
			corm_buf_printf(b, "%s kind=%s type_name=%s type=%s",
				f->column_mapped ? " (mapped)" : "",
				field_kind_text[f->kind], f->type_name,
				corm_coltype_name(f->type));
			if (f->type == CORM_COL_STRING)
				corm_buf_printf(b, "(%d)", f->len);
			if (f->type == CORM_COL_DECIMAL)
				corm_buf_printf(b, "(%d,%d)", f->precision, f->scale);
			corm_buf_printf(b, "%s%s%s%s%s",
				f->nullable ? " nullable" : "", f->is_id ? " id" : "",
				f->is_auto ? " auto" : "", f->is_unique ? " unique" : "",
				f->is_index ? " index" : "");
			if (f->enum_type)
				corm_buf_printf(b, " enum=%s", f->enum_type->name);
			if (f->target)
				corm_buf_printf(b, " target=%s.%s on_delete=%s",
					f->target->name, f->target_field->name,
					on_delete_text[f->on_delete]);
			if (f->def.kind != CORM_DEFAULT_NONE) {
				corm_buf_printf(b, " default=%s%s",
					default_kind_text[f->def.kind],
					f->def.kind == CORM_DEFAULT_NOW ? "" : ":");
				switch (f->def.kind) {
				case CORM_DEFAULT_INT:
					corm_buf_printf(b, "%lld", (long long)f->def.i);
					break;
				case CORM_DEFAULT_FLOAT:
					corm_buf_printf(b, "%.17g", f->def.f);
					break;
				case CORM_DEFAULT_BOOL:
					corm_buf_puts(b, f->def.b ? "true" : "false");
					break;
				case CORM_DEFAULT_ENUM:
					corm_buf_printf(b, "%s#%zu", f->def.text,
						f->def.member);
					break;
				case CORM_DEFAULT_STRING:
					put_str(b, f->def.text);
					break;
				default:
					break;
				}
				if (f->def.kind == CORM_DEFAULT_INT ||
					f->def.kind == CORM_DEFAULT_FLOAT)
					corm_buf_printf(b, " (text %s)", f->def.text);
			}
			if (f->renamed_from)
				corm_buf_printf(b, " renamed_from=%s", f->renamed_from);
			corm_buf_putc(b, '\n');
			dump_doc(b, "    ", &f->doc);
		}
		dump_index(b, m->pk_from_model ? "pk (@@id)" : "pk", m, &m->pk);
		for (j = 0; j < m->nuniques; j++)
			dump_index(b, "unique", m, &m->uniques[j]);
		for (j = 0; j < m->nindexes; j++)
			dump_index(b, "index", m, &m->indexes[j]);
		for (j = 0; j < m->nfks; j++) {
			const corm_fk *k = &m->fks[j];

			corm_buf_printf(b, "  fk %s (%s) -> %s(%s) on_delete=%s\n",
				k->name, k->field->column, k->target->table,
				k->target_field->column, on_delete_text[k->on_delete]);
		}
	}
	return corm_buf_error(b);
}
