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

/* One character as a C character constant. */
static void put_char_const(corm_buf *b, unsigned char ch)
{
	if (ch == '\'' || ch == '\\')
		corm_buf_printf(b, "'\\%c'", ch);
	else if (ch < 0x20 || ch >= 0x7f)
		corm_buf_printf(b, "'\\%03o'", ch);
	else
		corm_buf_printf(b, "'%c'", ch);
}

/* Text longer than CG_MAX_LITERAL as an array of character constants,
 * NUL-terminated, 12 to a line; `indent` starts each line. */
void cg_emit_char_array(corm_buf *b, const char *s, size_t len,
	const char *indent)
{
	size_t i;

	corm_buf_puts(b, "{");
	for (i = 0; i < len; i++) {
		corm_buf_puts(b, i % 12 ? " " : "\n");
		if (i % 12 == 0)
			corm_buf_puts(b, indent);
		put_char_const(b, (unsigned char)s[i]);
		corm_buf_putc(b, ',');
	}
	corm_buf_printf(b, "\n%s'\\0'}", indent);
}

/* SQL too long for a literal: a comment showing it, then a compound
 * literal array of its characters, which has static storage at file
 * scope, so it can stand wherever a literal stood (same bytes, no
 * run-time cost). */
static void put_long_sql(corm_buf *b, const char *sql, size_t len,
	const char *indent)
{
	size_t start = 0, width = 68;

	corm_buf_printf(b, "/* %zu bytes, more than the 4,095 ISO C "
		"promises in a string\n%s * literal, so written as characters:",
		len, indent);
	while (start < len) {
		size_t end = start + width < len ? start + width : len, cut = end;
		corm_buf line = CORM_BUF_INIT;

		/* After a space when there is one; never inside a UTF-8
		 * character. */
		while (cut < len && cut > start + 20 && sql[cut - 1] != ' ')
			cut--;
		if (sql[cut - 1] != ' ')
			cut = end;
		while (cut < len && cut > start + 1 &&
			((unsigned char)sql[cut] & 0xc0) == 0x80)
			cut--;
		corm_buf_printf(b, "\n%s * ", indent);
		/* No trailing blank (the cut is after one). */
		corm_buf_put(&line, sql + start, cut - start -
			(cut < len && sql[cut - 1] == ' '));
		cg_emit_comment_text(b, corm_buf_cstr(&line));
		corm_buf_free(&line);
		start = cut;
	}
	corm_buf_printf(b, "\n%s */\n%s(const char[])", indent, indent);
	cg_emit_char_array(b, sql, len, indent);
}

/* A long SQL string as adjacent literals, broken after a ", " or a space
 * so no line passes ~76 columns; continuation lines get `indent`. SQL
 * longer than one literal may hold goes through put_long_sql(). */
void cg_emit_sql_literal(corm_buf *b, const char *sql, const char *indent)
{
	size_t len = strlen(sql), start = 0, width = 60;

	if (len > CG_MAX_LITERAL) {
		put_long_sql(b, sql, len, indent);
		return;
	}
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
void cg_emit_comment_text(corm_buf *b, const char *text)
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
		cg_emit_comment_text(b, doc->lines[0]);
		corm_buf_puts(b, " */\n");
		return;
	}
	corm_buf_printf(b, "%s/*\n", indent);
	for (i = 0; i < doc->nlines; i++) {
		corm_buf_printf(b, "%s *%s", indent, doc->lines[i][0] ? " " : "");
		cg_emit_comment_text(b, doc->lines[i]);
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
