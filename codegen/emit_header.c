/*
 * emit_header.c — the generated header: enums, structs, prototypes.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "corm_util.h"
#include "emit_internal.h"

/* ------------------------------------------------------------------ header */

static void emit_enum_decl(emitter *e, const corm_enum *en)
{
	corm_buf *h = e->h;
	size_t i;

	cg_emit_doc(h, &en->doc, "");
	corm_buf_printf(h, "typedef enum %s {\n", en->snake);
	for (i = 0; i < en->nmembers; i++) {
		cg_emit_doc(h, &en->members[i].doc, "\t");
		corm_buf_putc(h, '\t');
		cg_emit_upper(h, en->snake);
		corm_buf_putc(h, '_');
		cg_emit_upper(h, en->members[i].name);
		corm_buf_printf(h, " = %zu%s\n", i,
			i + 1 < en->nmembers ? "," : "");
	}
	corm_buf_printf(h, "} %s;\n\n", en->snake);
	corm_buf_printf(h,
		"extern const corm_enum_desc %s_desc;\n"
		"/* The member's name as stored (\"%s\"...); NULL when out of "
		"range. */\n"
		"const char *%s_to_string(%s value);\n"
		"/* CORM_OK, or CORM_EINVAL when `name` names no member. */\n"
		"int %s_from_string(%s *out, const char *name, size_t len);\n\n",
		en->snake, en->members[0].name, en->snake, en->snake, en->snake,
		en->snake);
}

static void put_field_comment(corm_buf *h, const corm_field *f)
{
	static const char *const actions[] = {"no action", "restrict",
		"cascade", "set null"};

	if (f->kind == CORM_FIELD_RELATION) {
		corm_buf_printf(h, " /* -> %s.%s, on delete %s */", f->target->name,
			f->target_field->name, actions[f->on_delete]);
	} else if (f->nullable && cg_emit_null_by_pointer(f)) {
		corm_buf_puts(h, " /* NULL: .ptr == NULL */");
	}
}

static void emit_struct(emitter *e, const corm_model *m)
{
	corm_buf *h = e->h;
	size_t i;

	cg_emit_doc(h, &m->doc, "");
	corm_buf_puts(h, "/* A row of table \"");
	cg_emit_comment_text(h, m->table); /* @@map may hold * / or ??/ */
	corm_buf_puts(h, "\". */\n");
	corm_buf_printf(h, "typedef struct %s {\n", m->snake);
	for (i = 0; i < m->nfields; i++) {
		const corm_field *f = &m->fields[i];

		cg_emit_doc(h, &f->doc, "\t");
		if (f->nullable && !cg_emit_null_by_pointer(f)) {
			corm_buf_puts(h, "\tbool has_");
			cg_emit_member(h, f);
			corm_buf_puts(h, ";\n");
		}
		corm_buf_printf(h, "\t%s ", cg_emit_c_type(f));
		cg_emit_member(h, f);
		corm_buf_putc(h, ';');
		put_field_comment(h, f);
		corm_buf_putc(h, '\n');
	}
	corm_buf_printf(h, "} %s;\n\n", m->snake);
}

/* Whether `name` is taken in a wrapper with key parameters: by its other
 * parameters and its local (see emit_source.c, emit_lock.c), or, unless
 * it is key field `self`'s own member, by another key field. */
static bool key_param_taken(const corm_model *m, size_t self,
	const char *name)
{
	static const char *const wrapper_names[] = {"out", "db", "b", "c", "q",
		"arena", "delta", "key", NULL};
	const char *const *w;
	size_t i;

	for (w = wrapper_names; *w; w++)
		if (strcmp(*w, name) == 0)
			return true;
	for (i = 0; i < m->pk.nfields; i++) {
		corm_buf mem = CORM_BUF_INIT;
		bool same;

		if (i == self)
			continue;
		cg_emit_member(&mem, &m->fields[m->pk.fields[i]]);
		same = strcmp(corm_buf_cstr(&mem), name) == 0;
		corm_buf_free(&mem);
		if (same)
			return true;
	}
	return false;
}

/* The parameter of key field `i` (of m->pk): its member's name, with '_'
 * added while a wrapper's own names (db, out, key...) or another key
 * field have it, so a key field called `key` or `db` still compiles. */
void cg_emit_key_param_name(corm_buf *b, const corm_model *m, size_t i)
{
	corm_buf name = CORM_BUF_INIT;

	cg_emit_member(&name, &m->fields[m->pk.fields[i]]);
	while (!corm_buf_error(&name) &&
		key_param_taken(m, i, corm_buf_cstr(&name)))
		corm_buf_putc(&name, '_');
	corm_buf_puts(b, corm_buf_cstr(&name));
	corm_buf_free(&name);
}

/* "int64_t id, corm_str slug" — the key fields as parameters. */
void cg_emit_key_params(corm_buf *b, const corm_model *m)
{
	size_t i;

	for (i = 0; i < m->pk.nfields; i++) {
		const corm_field *f = &m->fields[m->pk.fields[i]];

		corm_buf_printf(b, ", %s ", cg_emit_c_type(f));
		cg_emit_key_param_name(b, m, i);
	}
}

static void emit_prototypes(emitter *e, const corm_model *m,
	const model_lists *l)
{
	corm_buf *h = e->h;
	const char *n = m->snake;
	size_t i;

	corm_buf_printf(h, "/* %s: rows of table \"", m->name);
	cg_emit_comment_text(h, m->table);
	corm_buf_puts(h, "\" (see corm/model.h for ownership). */\n");
	corm_buf_printf(h, "extern const corm_model_desc %s_desc;\n", n);
	corm_buf_printf(h, "/* Zero `row`, then set the schema's defaults. */\n"
		"void %s_init(%s *row);\n", n, n);
	corm_buf_printf(h, "int %s_insert(corm_conn *db, %s *row);\n", n, n);
	corm_buf_printf(h, "int %s_insert_many(corm_conn *db, const %s *rows, "
		"size_t n);\n", n, n);
	corm_buf_printf(h, "int %s_get(%s *out, corm_conn *db", n, n);
	cg_emit_key_params(h, m);
	corm_buf_puts(h, ", corm_arena *arena);\n");
	corm_buf_printf(h, "/* The same lookup, queued in `b`: `out` is filled by "
		"corm_batch_run(b). */\nint %s_get_batched(%s *out, corm_batch *b",
		n, n);
	cg_emit_key_params(h, m);
	corm_buf_puts(h, ", corm_arena *arena);\n");
	if (l->nonkey.n > 0 && l->versionf >= 0)
		corm_buf_printf(h, "/* Only if the row still has row->version "
			"(CORM_ESTALE if not), which then\n * moves on, here too. */\n"
			"int %s_update(corm_conn *db, %s *row);\n", n, n);
	else if (l->nonkey.n > 0)
		corm_buf_printf(h, "int %s_update(corm_conn *db, const %s *row);\n",
			n, n);
	corm_buf_printf(h, "int %s_delete(corm_conn *db", n);
	cg_emit_key_params(h, m);
	corm_buf_puts(h, ");\n");
	corm_buf_printf(h, "int %s_upsert(corm_conn *db, %s *row);\n", n, n);
	for (i = 0; i < m->nuniques; i++) {
		corm_buf_printf(h, "int %s_upsert_", n);
		cg_emit_unique_name(h, m, &m->uniques[i]);
		corm_buf_printf(h, "(corm_conn *db, %s *row);\n", n);
	}
	corm_buf_putc(h, '\n');
}

void cg_emit_header(emitter *e, model_lists *lists)
{
	corm_buf *h = e->h;
	corm_buf guard = CORM_BUF_INIT;
	size_t i;

	corm_buf_puts(&guard, "CORM_GEN_");
	cg_emit_upper(&guard, e->base);
	corm_buf_puts(&guard, "_H");
	corm_buf_printf(h, "/* Generated by corm %s from %s. DO NOT EDIT. */\n",
		CORM_VERSION_STRING, e->source_name);
	corm_buf_printf(h, "#ifndef %s\n#define %s\n\n", corm_buf_cstr(&guard),
		corm_buf_cstr(&guard));
	corm_buf_puts(h, "#include <stdbool.h>\n#include <stddef.h>\n"
			 "#include <stdint.h>\n\n"
			 "#include <corm/batch.h>\n#include <corm/corm.h>\n"
			 "#include <corm/model.h>\n"
			 "#include <corm/query.h>\n#include <corm/rel.h>\n\n");
	corm_buf_printf(h, "#if CORM_RUNTIME_VERSION < %d\n"
		"#error \"%s.h was generated by corm %s and needs libcorm %s or "
		"newer\"\n#endif\n\n", CORM_RUNTIME_VERSION, e->base,
		CORM_VERSION_STRING, CORM_VERSION_STRING);
	corm_buf_puts(h, "#ifdef __cplusplus\nextern \"C\" {\n#endif\n\n");
	if (e->s->nenums) {
		cg_emit_section(h, "enums");
		corm_buf_putc(h, '\n');
		for (i = 0; i < e->s->nenums; i++)
			emit_enum_decl(e, &e->s->enums[i]);
	}
	cg_emit_section(h, "structs");
	corm_buf_putc(h, '\n');
	for (i = 0; i < e->s->nmodels; i++)
		emit_struct(e, &e->s->models[i]);
	cg_emit_section(h, "functions");
	corm_buf_putc(h, '\n');
	for (i = 0; i < e->s->nmodels; i++)
		emit_prototypes(e, &e->s->models[i], &lists[i]);
	cg_emit_section(h, "queries");
	corm_buf_putc(h, '\n');
	for (i = 0; i < e->s->nmodels; i++)
		cg_emit_query_decls(h, &e->s->models[i]);
	for (i = 0; i < e->s->nmodels; i++)
		cg_emit_lock_decls(h, &e->s->models[i]);
	for (i = 0; i < e->s->nmodels; i++)
		cg_emit_rel_decls(h, e->s, &e->s->models[i]);
	corm_buf_puts(h, "#ifdef __cplusplus\n}\n#endif\n\n");
	corm_buf_printf(h, "#endif /* %s */\n", corm_buf_cstr(&guard));
	corm_buf_free(&guard);
}
