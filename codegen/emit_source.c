/*
 * emit_source.c — the generated source: enum tables, field tables,
 * descriptors, defaults and the typed wrappers.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "corm_util.h"
#include "emit_internal.h"

/* ------------------------------------------------------------------ source */

static void emit_enum_defs(emitter *e, const corm_enum *en)
{
	corm_buf *c = e->c;
	size_t i;

	corm_buf_printf(c, "static const char *const %s_names[] = {\n",
		en->snake);
	for (i = 0; i < en->nmembers; i++) {
		corm_buf_puts(c, "\t");
		cg_emit_c_string(c, en->members[i].name, strlen(en->members[i].name));
		corm_buf_puts(c, ",\n");
	}
	corm_buf_puts(c, "};\n\n");
	corm_buf_printf(c, "const corm_enum_desc %s_desc = {\"%s\", %s_names, "
		"%zu};\n\n", en->snake, en->name, en->snake, en->nmembers);
	corm_buf_printf(c, "const char *%s_to_string(%s value)\n{\n"
		"\treturn corm_enum_to_string(&%s_desc, (int)value);\n}\n\n",
		en->snake, en->snake, en->snake);
	corm_buf_printf(c,
		"int %s_from_string(%s *out, const char *name, size_t len)\n{\n"
		"\tint value = corm_enum_from_string(&%s_desc, name, len);\n\n"
		"\tif (value < 0)\n\t\treturn CORM_EINVAL;\n"
		"\t*out = (%s)value;\n\treturn CORM_OK;\n}\n\n",
		en->snake, en->snake, en->snake, en->snake);
}

static void put_index_array(corm_buf *c, const char *name, const size_t *v,
	size_t n)
{
	size_t i;

	if (n == 0)
		return;
	corm_buf_printf(c, "static const int %s[] = {", name);
	for (i = 0; i < n; i++)
		corm_buf_printf(c, "%s%zu", i ? ", " : "", v[i]);
	corm_buf_puts(c, "};\n");
}

static void emit_field_table(emitter *e, const corm_model *m)
{
	corm_buf *c = e->c;
	size_t i;

	corm_buf_printf(c, "/* member, column, C type, flags, offset, offset of "
		"has_, enum, column type, most characters, decimal precision and "
		"scale */\n");
	corm_buf_printf(c, "static const corm_field_desc %s_fields[] = {\n",
		m->snake);
	for (i = 0; i < m->nfields; i++) {
		const corm_field *f = &m->fields[i];
		corm_buf flags = CORM_BUF_INIT;

		if (f->nullable)
			corm_buf_puts(&flags, "CORM_FIELD_NULLABLE");
		if (cg_emit_in_pk(m, i))
			corm_buf_printf(&flags, "%sCORM_FIELD_PK",
				flags.len ? " | " : "");
		if (f->is_auto)
			corm_buf_printf(&flags, "%sCORM_FIELD_AUTO",
				flags.len ? " | " : "");
		corm_buf_puts(c, "\t{\"");
		cg_emit_member(c, f);
		corm_buf_puts(c, "\", ");
		cg_emit_c_string(c, f->column, strlen(f->column));
		corm_buf_printf(c, ", %s, %s,\n\t\toffsetof(%s, ", cg_emit_ctype(f),
			flags.len ? corm_buf_cstr(&flags) : "0", m->snake);
		cg_emit_member(c, f);
		corm_buf_puts(c, "), ");
		if (f->nullable && !cg_emit_null_by_pointer(f)) {
			corm_buf_printf(c, "offsetof(%s, has_", m->snake);
			cg_emit_member(c, f);
			corm_buf_puts(c, ")");
		} else {
			corm_buf_puts(c, "CORM_NO_HAS");
		}
		if (f->kind == CORM_FIELD_ENUM)
			corm_buf_printf(c, ", &%s_desc,", f->enum_type->snake);
		else
			corm_buf_puts(c, ", NULL,");
		corm_buf_printf(c, " %s, %d, %d, %d},\n", cg_emit_coltype_const(f->type),
			f->kind == CORM_FIELD_SCALAR && f->type == CORM_COL_STRING
				? f->len : 0,
			f->type == CORM_COL_DECIMAL ? f->precision : 0,
			f->type == CORM_COL_DECIMAL ? f->scale : 0);
		corm_buf_free(&flags);
	}
	corm_buf_puts(c, "};\n\n");
}

static void emit_uniques(emitter *e, const corm_model *m,
	const model_lists *l)
{
	corm_buf *c = e->c;
	corm_buf name = CORM_BUF_INIT, arr = CORM_BUF_INIT;
	size_t i, di;

	if (m->nuniques == 0)
		return;
	for (i = 0; i < m->nuniques; i++) {
		corm_buf_clear(&name);
		cg_emit_unique_name(&name, m, &m->uniques[i]);
		corm_buf_clear(&arr);
		corm_buf_printf(&arr, "%s_%s_fields", m->snake, corm_buf_cstr(&name));
		put_index_array(c, corm_buf_cstr(&arr), m->uniques[i].fields,
			m->uniques[i].nfields);
	}
	corm_buf_printf(c, "\nstatic const corm_unique_desc %s_uniques[] = {\n",
		m->snake);
	for (i = 0; i < m->nuniques; i++) {
		corm_buf_clear(&name);
		cg_emit_unique_name(&name, m, &m->uniques[i]);
		corm_buf_printf(c, "\t{\n\t\t.name = \"%s\",\n", corm_buf_cstr(&name));
		corm_buf_printf(c, "\t\t.fields = %s_%s_fields,\n\t\t.nfields = %zu,\n",
			m->snake, corm_buf_cstr(&name), m->uniques[i].nfields);
		corm_buf_puts(c, "\t\t.upsert_sql = {\n");
		for (di = 0; di < CORM_NDIALECTS; di++)
			cg_emit_unique_upsert(e, m, l, &m->uniques[i], corm_dialects[di]);
		corm_buf_puts(c, "\t\t},\n");
		if (l->insert.n)
			corm_buf_printf(c, "\t\t.upsert_fields = %s_insert_fields,\n",
				m->snake);
		corm_buf_printf(c, "\t\t.nupsert_fields = %zu,\n\t},\n", l->insert.n);
	}
	corm_buf_puts(c, "};\n\n");
	corm_buf_free(&name);
	corm_buf_free(&arr);
}

/* The statement that sets field `f` of `row` to its schema default. */

/* An integer default as C: the most negative i64 and i32 are written as
 * INT64_MIN / INT32_MIN, since -9223372036854775808 is the negation of a
 * constant too large for any signed type (-Wpedantic). */
static const char *int_literal(const char *text)
{
	if (strcmp(text, "-9223372036854775808") == 0)
		return "INT64_MIN";
	if (strcmp(text, "-2147483648") == 0)
		return "INT32_MIN";
	return text;
}

/* `row->mem = CORM_STR("text");`, or for text longer than a literal may
 * be, the same from a static array in a block of its own. */
static void put_text_default(corm_buf *c, const char *mem,
	const corm_default *d)
{
	if (d->text_len <= CG_MAX_LITERAL) {
		corm_buf_printf(c, "\trow->%s = CORM_STR(", mem);
		cg_emit_c_string(c, d->text, d->text_len);
		corm_buf_puts(c, ");\n");
		return;
	}
	corm_buf_printf(c, "\t{\n\t\t/* %zu bytes: more than a string "
		"literal may hold */\n\t\tstatic const char text[] = ",
		d->text_len);
	cg_emit_char_array(c, d->text, d->text_len, "\t\t");
	corm_buf_printf(c, ";\n\n\t\trow->%s = (corm_str){text, sizeof(text) - "
		"1};\n\t}\n", mem);
}

static void put_default(corm_buf *c, const corm_field *f)
{
	const corm_default *d = &f->def;
	corm_buf member = CORM_BUF_INIT;
	const char *mem;

	if (d->kind == CORM_DEFAULT_NONE)
		return;
	cg_emit_member(&member, f);
	mem = corm_buf_cstr(&member);
	if (f->nullable && !cg_emit_null_by_pointer(f))
		corm_buf_printf(c, "\trow->has_%s = true;\n", mem);
	switch (d->kind) {
	case CORM_DEFAULT_INT:
	case CORM_DEFAULT_FLOAT:
		if (f->type == CORM_COL_DECIMAL) {
			put_text_default(c, mem, d);
		} else {
			corm_buf_printf(c, "\trow->%s = %s;\n", mem,
				int_literal(d->text));
		}
		break;
	case CORM_DEFAULT_BOOL:
		corm_buf_printf(c, "\trow->%s = %s;\n", mem, d->b ? "true" : "false");
		break;
	case CORM_DEFAULT_ENUM:
		corm_buf_printf(c, "\trow->%s = ", mem);
		cg_emit_upper(c, f->enum_type->snake);
		corm_buf_putc(c, '_');
		cg_emit_upper(c, d->text);
		corm_buf_puts(c, ";\n");
		break;
	case CORM_DEFAULT_NOW:
		if (f->type == CORM_COL_DATE)
			corm_buf_printf(c, "\trow->%s = corm_date_of(corm_timestamp_now());"
				"\n", mem);
		else if (f->type == CORM_COL_TIME)
			corm_buf_printf(c, "\trow->%s = corm_time_of(corm_timestamp_now());"
				"\n", mem);
		else
			corm_buf_printf(c, "\trow->%s = corm_timestamp_now();\n", mem);
		break;
	case CORM_DEFAULT_STRING: {
		/* A uuid or temporal literal: <its C type>_parse(), e.g.
		 * corm_date_parse(); text-like ones are plain strings. */
		bool parse = corm_coltype_info_of(f->type)->ctype != CORM_C_STR;

		if (parse) {
			/* The parser checked the literal, so this cannot fail. */
			corm_buf_printf(c, "\t(void)%s_parse(&row->%s, ",
				cg_emit_c_type(f), mem);
			cg_emit_c_string(c, d->text, d->text_len);
			corm_buf_printf(c, ", %zu);\n", d->text_len);
		} else {
			put_text_default(c, mem, d);
		}
		break;
	}
	case CORM_DEFAULT_NONE:
		break;
	}
	corm_buf_free(&member);
}

/* `const author key = {.id = id};`: the key a wrapper passes to the
 * runtime (get, delete, get_for_update, add). */
void cg_emit_key_struct(corm_buf *c, const corm_model *m)
{
	size_t i;

	corm_buf_printf(c, "\tconst %s key = {", m->snake);
	for (i = 0; i < m->pk.nfields; i++) {
		const corm_field *f = &m->fields[m->pk.fields[i]];

		corm_buf_puts(c, i ? ", ." : ".");
		cg_emit_member(c, f);
		corm_buf_puts(c, " = ");
		cg_emit_key_param_name(c, m, i);
	}
	corm_buf_puts(c, "};\n\n");
}

static void emit_wrappers(emitter *e, const corm_model *m,
	const model_lists *l)
{
	corm_buf *c = e->c;
	const char *n = m->snake;
	size_t i;

	corm_buf_printf(c, "void %s_init(%s *row)\n{\n"
		"\tmemset(row, 0, sizeof(*row));\n", n, n);
	for (i = 0; i < m->nfields; i++) {
		const corm_field *f = &m->fields[i];

		put_default(c, f);
		if (f->is_version && f->def.kind == CORM_DEFAULT_NONE) {
			/* A new row's first version. */
			corm_buf_puts(c, "\trow->");
			cg_emit_member(c, f);
			corm_buf_puts(c, " = 1;\n");
		}
	}
	corm_buf_puts(c, "}\n\n");

	corm_buf_printf(c, "int %s_insert(corm_conn *db, %s *row)\n{\n"
		"\treturn corm_model_insert(db, &%s_desc, row);\n}\n\n", n, n, n);
	corm_buf_printf(c, "int %s_insert_many(corm_conn *db, const %s *rows, "
		"size_t n)\n{\n"
		"\treturn corm_model_insert_many(db, &%s_desc, rows, n);\n}\n\n",
		n, n, n);

	corm_buf_printf(c, "int %s_get(%s *out, corm_conn *db", n, n);
	cg_emit_key_params(c, m);
	corm_buf_puts(c, ", corm_arena *arena)\n{\n");
	cg_emit_key_struct(c, m);
	corm_buf_printf(c, "\treturn corm_model_get(out, db, &%s_desc, &key, "
		"arena);\n}\n\n", n);

	corm_buf_printf(c, "int %s_get_batched(%s *out, corm_batch *b", n, n);
	cg_emit_key_params(c, m);
	corm_buf_puts(c, ", corm_arena *arena)\n{\n");
	cg_emit_key_struct(c, m);
	corm_buf_printf(c, "\treturn corm_batch_get(out, b, &%s_desc, &key, "
		"arena);\n}\n\n", n);

	if (l->nonkey.n > 0 && l->versionf >= 0)
		corm_buf_printf(c, "int %s_update(corm_conn *db, %s *row)\n{\n"
			"\treturn corm_model_update_versioned(db, &%s_desc, row);\n}\n\n",
			n, n, n);
	else if (l->nonkey.n > 0)
		corm_buf_printf(c, "int %s_update(corm_conn *db, const %s *row)\n{\n"
			"\treturn corm_model_update(db, &%s_desc, row);\n}\n\n", n, n, n);

	corm_buf_printf(c, "int %s_delete(corm_conn *db", n);
	cg_emit_key_params(c, m);
	corm_buf_puts(c, ")\n{\n");
	cg_emit_key_struct(c, m);
	corm_buf_printf(c, "\treturn corm_model_delete(db, &%s_desc, &key);\n}\n\n",
		n);

	corm_buf_printf(c, "int %s_upsert(corm_conn *db, %s *row)\n{\n"
		"\treturn corm_model_upsert(db, &%s_desc, row, -1);\n}\n\n", n, n, n);
	for (i = 0; i < m->nuniques; i++) {
		corm_buf_printf(c, "int %s_upsert_", n);
		cg_emit_unique_name(c, m, &m->uniques[i]);
		corm_buf_printf(c, "(corm_conn *db, %s *row)\n{\n"
			"\treturn corm_model_upsert(db, &%s_desc, row, %zu);\n}\n\n",
			n, n, i);
	}
}

static void emit_model(emitter *e, const corm_model *m, const model_lists *l)
{
	corm_buf *c = e->c;
	corm_buf name = CORM_BUF_INIT;
	size_t di;

	cg_emit_section(c, m->snake);
	corm_buf_putc(c, '\n');
	emit_field_table(e, m);
	corm_buf_clear(&name);
	corm_buf_printf(&name, "%s_pk", m->snake);
	put_index_array(c, corm_buf_cstr(&name), m->pk.fields, m->pk.nfields);
	corm_buf_clear(&name);
	corm_buf_printf(&name, "%s_insert_fields", m->snake);
	put_index_array(c, corm_buf_cstr(&name), l->insert.items, l->insert.n);
	/* UPDATE binds the non-key columns, then the key in WHERE. */
	corm_buf_printf(c, "static const int %s_update_fields[] = {", m->snake);
	for (di = 0; di < l->nonkey.n; di++)
		if ((int)l->nonkey.items[di] != l->versionf)
			corm_buf_printf(c, "%zu, ", l->nonkey.items[di]);
	for (di = 0; di < m->pk.nfields; di++)
		corm_buf_printf(c, "%zu%s", m->pk.fields[di],
			di + 1 < m->pk.nfields ? ", " : "");
	if (l->versionf >= 0) /* WHERE ... AND version = ? */
		corm_buf_printf(c, ", %d", l->versionf);
	corm_buf_puts(c, "};\n\n");
	for (di = 0; di < CORM_NDIALECTS; di++)
		cg_emit_model_sql(e, m, l, corm_dialects[di]);
	emit_uniques(e, m, l);

	corm_buf_printf(c, "const corm_model_desc %s_desc = {\n", m->snake);
	corm_buf_printf(c, "\t.desc_version = %d,\n", CORM_DESC_VERSION);
	corm_buf_printf(c, "\t.name = \"%s\",\n\t.table = ", m->name);
	cg_emit_c_string(c, m->table, strlen(m->table));
	corm_buf_printf(c, ",\n\t.size = sizeof(%s),\n", m->snake);
	corm_buf_printf(c, "\t.fields = %s_fields,\n\t.nfields = %zu,\n",
		m->snake, m->nfields);
	corm_buf_printf(c, "\t.pk = %s_pk,\n\t.npk = %zu,\n", m->snake,
		m->pk.nfields);
	corm_buf_printf(c, "\t.auto_field = %d,\n", l->autof);
	if (l->insert.n)
		corm_buf_printf(c, "\t.insert_fields = %s_insert_fields,\n",
			m->snake);
	corm_buf_printf(c, "\t.ninsert_fields = %zu,\n", l->insert.n);
	corm_buf_printf(c, "\t.update_fields = %s_update_fields,\n"
		"\t.nupdate_fields = %zu,\n", m->snake,
		l->nonkey.n + m->pk.nfields);
	corm_buf_puts(c, "\t.sql = {");
	for (di = 0; di < CORM_NDIALECTS; di++)
		corm_buf_printf(c, "%s&%s_sql_%s", di ? ", " : "", m->snake,
			corm_dialects[di]->name);
	corm_buf_puts(c, "},\n");
	if (m->nuniques)
		corm_buf_printf(c, "\t.uniques = %s_uniques,\n", m->snake);
	corm_buf_printf(c, "\t.nuniques = %zu,\n", m->nuniques);
	if (l->versionf >= 0)
		corm_buf_printf(c, "\t.has_version = true,\n\t.version_field = %d,\n",
			l->versionf);
	corm_buf_puts(c, "};\n\n");
	emit_wrappers(e, m, l);
	cg_emit_query_defs(c, m);
	cg_emit_lock_defs(c, m);
	cg_emit_rel_defs(c, e->s, m);
	corm_buf_free(&name);
}

void cg_emit_source(emitter *e, model_lists *lists)
{
	corm_buf *c = e->c;
	size_t i;

	corm_buf_printf(c, "/* Generated by corm %s from %s. DO NOT EDIT. */\n",
		CORM_VERSION_STRING, e->source_name);
	corm_buf_printf(c, "#include \"%s.h\"\n\n#include <string.h>\n\n",
		e->base);
	/* Both directions, as protobuf-c checks its own: headers too old for
	 * these descriptors, or too new to read them (model.h). */
	corm_buf_printf(c, "#if CORM_DESC_VERSION < %d\n#error \"%s.c was "
		"generated by corm %s for descriptor version %d: these corm "
		"headers are older; use libcorm %s or newer\"\n"
		"#elif CORM_DESC_VERSION_MIN > %d\n#error \"%s.c was generated "
		"by corm %s for descriptor version %d, which these corm headers "
		"no longer read; run corm gen again\"\n#endif\n\n",
		CORM_DESC_VERSION, e->base, CORM_VERSION_STRING, CORM_DESC_VERSION,
		CORM_VERSION_STRING, CORM_DESC_VERSION, e->base,
		CORM_VERSION_STRING, CORM_DESC_VERSION);
	for (i = 0; i < e->s->nenums; i++) {
		const corm_enum *en = &e->s->enums[i];

		/* The runtime reads and writes enum fields as int. */
		corm_buf_printf(c, "_Static_assert(sizeof(%s) == sizeof(int), "
			"\"enum %s must be int-sized\");\n", en->snake, en->snake);
	}
	if (e->s->nenums)
		corm_buf_putc(c, '\n');
	for (i = 0; i < e->s->nenums; i++) {
		cg_emit_section(c, e->s->enums[i].snake);
		corm_buf_putc(c, '\n');
		emit_enum_defs(e, &e->s->enums[i]);
	}
	for (i = 0; i < e->s->nmodels; i++)
		emit_model(e, &e->s->models[i], &lists[i]);
}
