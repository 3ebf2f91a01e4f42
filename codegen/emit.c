/*
 * emit.c — the C emitter (see emit.h): text helpers, the C types of
 * fields, and the entry point that runs the others.
 *
 * For every enum: a C enum, its descriptor and to/from-string functions.
 * For every model: a struct; in the .c file a field table (offsetof), the
 * SQL of each statement for each dialect, the model descriptor, and thin
 * typed wrappers over corm/model.h. The files: emit_names.c (C names and
 * their clashes), emit_sql.c (the SQL of each statement), emit_header.c
 * and emit_source.c (the two files written), emit_query.c, emit_rel.c and
 * emit_lock.c (query builders, relations, locks).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "corm_util.h"
#include "emit.h"
#include "emit_internal.h"

/* ------------------------------------------------------------ text helpers */

/* A C string literal; '?' after '?' is escaped so no trigraph forms. */
void cg_emit_c_string(corm_buf *b, const char *s, size_t len)
{
	size_t i;

	corm_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch == '"' || ch == '\\')
			corm_buf_printf(b, "\\%c", ch);
		else if (ch == '\n')
			corm_buf_puts(b, "\\n");
		else if (ch == '\t')
			corm_buf_puts(b, "\\t");
		else if (ch == '?' && i > 0 && s[i - 1] == '?')
			corm_buf_puts(b, "\\?");
		else if (ch < 0x20 || ch == 0x7f)
			corm_buf_printf(b, "\\%03o", ch);
		else
			corm_buf_putc(b, (char)ch);
	}
	corm_buf_putc(b, '"');
}

/* A long SQL string as adjacent literals, broken after a ", " or a space
 * so no line passes ~76 columns; continuation lines get `indent`. */
void cg_emit_sql_literal(corm_buf *b, const char *sql, const char *indent)
{
	size_t len = strlen(sql), start = 0, width = 60;

	while (len - start > width) {
		size_t cut = start + width;

		while (cut > start + 20 && sql[cut - 1] != ' ')
			cut--;
		if (cut == start + 20)
			cut = start + width;
		cg_emit_c_string(b, sql + start, cut - start);
		corm_buf_printf(b, "\n%s", indent);
		start = cut;
	}
	cg_emit_c_string(b, sql + start, len - start);
}

/* A comment line carried over from the schema; "*" "/" would end it. */
/* Schema comment text inside a C comment: the sequences that would end
 * it ("*\/"), open one inside it ("/\*", -Wcomment) or form a trigraph
 * ("??" then a trigraph character: -Wtrigraphs under -std=c11) are
 * broken up by a space or a backslash. */
static void put_comment_text(corm_buf *b, const char *text)
{
	for (; *text; text++) {
		if ((text[0] == '*' && text[1] == '/') ||
			(text[0] == '/' && text[1] == '*')) {
			corm_buf_putc(b, text[0]);
			corm_buf_putc(b, ' ');
			corm_buf_putc(b, text[1]);
			text++;
		} else if (text[0] == '?' && text[1] == '?' && text[2] &&
			strchr("=/'()!<>-", text[2])) {
			corm_buf_puts(b, "?\\?");
			text++;
		} else {
			corm_buf_putc(b, *text);
		}
	}
}

void cg_emit_doc(corm_buf *b, const corm_doc *doc, const char *indent)
{
	size_t i;

	if (doc->nlines == 0)
		return;
	if (doc->nlines == 1) {
		corm_buf_printf(b, "%s/* ", indent);
		put_comment_text(b, doc->lines[0]);
		corm_buf_puts(b, " */\n");
		return;
	}
	corm_buf_printf(b, "%s/*\n", indent);
	for (i = 0; i < doc->nlines; i++) {
		corm_buf_printf(b, "%s *%s", indent, doc->lines[i][0] ? " " : "");
		put_comment_text(b, doc->lines[i]);
		corm_buf_putc(b, '\n');
	}
	corm_buf_printf(b, "%s */\n", indent);
}

/* A section rule, as in the runtime's own headers. */
void cg_emit_section(corm_buf *b, const char *title)
{
	size_t n = strlen(title), dashes = n < 66 ? 70 - n - 4 : 4;

	corm_buf_puts(b, "/* ");
	while (dashes--)
		corm_buf_putc(b, '-');
	corm_buf_printf(b, " %s */\n", title);
}

/* -------------------------------------------------------------------- types */

/* A corm_str or corm_bytes member: NULL is a NULL pointer. */
bool cg_emit_ctype_by_pointer(corm_coltype t)
{
	corm_ctype c = corm_coltype_info_of(t)->ctype;

	return c == CORM_C_STR || c == CORM_C_BYTES;
}

/* NULL is a NULL pointer for these; other nullable fields get has_. */
bool cg_emit_null_by_pointer(const corm_field *f)
{
	return f->kind != CORM_FIELD_ENUM && cg_emit_ctype_by_pointer(f->type);
}

const char *cg_emit_c_type(const corm_field *f)
{
	if (f->kind == CORM_FIELD_ENUM)
		return f->enum_type->snake;
	return corm_ctype_c_type(corm_coltype_info_of(f->type)->ctype);
}

const char *cg_emit_ctype(const corm_field *f)
{
	if (f->kind == CORM_FIELD_ENUM)
		return "CORM_C_ENUM";
	return corm_coltype_info_of(f->type)->ctype_name;
}

const char *cg_emit_coltype_const(corm_coltype t)
{
	return corm_coltype_info_of(t)->enum_name;
}

bool cg_emit_in_pk(const corm_model *m, size_t field)
{
	size_t i;

	for (i = 0; i < m->pk.nfields; i++)
		if (m->pk.fields[i] == field)
			return true;
	return false;
}

bool cg_emit_in_index(const corm_index *ix, size_t field)
{
	size_t i;

	for (i = 0; i < ix->nfields; i++)
		if (ix->fields[i] == field)
			return true;
	return false;
}

int cg_emit_auto_field(const corm_model *m)
{
	size_t i;

	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].is_auto)
			return (int)i;
	return -1;
}

/* ------------------------------------------------------------- entry point */

int corm_emit_c(corm_buf *h, corm_buf *c, corm_diags *diags,
	const corm_schema *s, const char *base, const char *source_name)
{
	emitter e = {h, c, diags, s, base, source_name, 0};
	model_lists *lists = NULL;
	size_t i;
	int error;

	if ((error = cg_emit_check_names(&e)) != CORM_OK)
		return error;
	lists = corm_calloc(s->nmodels + 1, sizeof(*lists));
	if (!lists)
		return CORM_ENOMEM;
	for (i = 0; i < s->nmodels && !error; i++)
		error = cg_emit_lists_make(&lists[i], &s->models[i]);
	if (!error) {
		cg_emit_header(&e, lists);
		cg_emit_source(&e, lists);
		error = corm_buf_error(h) ? corm_buf_error(h) : corm_buf_error(c);
	}
	for (i = 0; i < s->nmodels; i++)
		cg_emit_lists_free(&lists[i]);
	corm_free(lists);
	return error;
}
