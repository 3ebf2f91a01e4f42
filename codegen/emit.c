/*
 * emit.c — the C emitter (see emit.h).
 *
 * For every enum: a C enum, its descriptor and to/from-string functions.
 * For every model: a struct; in the .c file a field table (offsetof), the
 * SQL of each statement for each dialect, the model descriptor, and thin
 * typed wrappers over corm/model.h.
 *
 * Sections: names, text helpers, name clashes, types, SQL, the header, the
 * source, the entry point.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "emit.h"
#include "emit_internal.h"

typedef struct emitter {
	corm_buf *h, *c;
	corm_diags *diags;
	const corm_schema *s;
	const char *base;
	const char *source_name;
	size_t nerrors;     /* reported by this emitter */
} emitter;

/* ------------------------------------------------------------------- names */

static const char *const c_keywords[] = {"auto", "break", "case", "char",
	"const", "continue", "default", "do", "double", "else", "enum",
	"extern", "float", "for", "goto", "if", "inline", "int", "long",
	"register", "restrict", "return", "short", "signed", "sizeof",
	"static", "struct", "switch", "typedef", "union", "unsigned", "void",
	"volatile", "while", "bool", "true", "false", "alignas", "alignof",
	"noreturn", "static_assert", "thread_local", "complex", "imaginary",
	"NULL", "errno", "assert", "offsetof", NULL};

static bool is_c_keyword(const char *name)
{
	const char *const *k;

	if (name[0] == '_' && name[1] >= 'A' && name[1] <= 'Z')
		return true; /* reserved for the implementation (_Bool...) */
	for (k = c_keywords; *k; k++)
		if (strcmp(*k, name) == 0)
			return true;
	return false;
}

/* The struct member of a field: relations hold `<field>_id`. (Field names
 * that are C keywords are refused by check_names().) */
void cg_emit_member(corm_buf *b, const corm_field *f)
{
	if (f->kind == CORM_FIELD_RELATION)
		corm_buf_printf(b, "%s_id", f->name);
	else
		corm_buf_puts(b, f->name);
}

void cg_emit_upper(corm_buf *b, const char *s)
{
	for (; *s; s++) {
		char ch = *s;

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		else if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			ch = '_';
		corm_buf_putc(b, ch);
	}
}

/* "by_author_title" for a unique over fields author and title. */
static void put_unique_name(corm_buf *b, const corm_model *m,
	const corm_index *u)
{
	size_t i;

	corm_buf_puts(b, "by");
	for (i = 0; i < u->nfields; i++)
		corm_buf_printf(b, "_%s", m->fields[u->fields[i]].name);
}

/* ------------------------------------------------------------ text helpers */

/* A C string literal; '?' after '?' is escaped so no trigraph forms. */
static void put_c_string(corm_buf *b, const char *s, size_t len)
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
static void put_sql_literal(corm_buf *b, const char *sql, const char *indent)
{
	size_t len = strlen(sql), start = 0, width = 60;

	while (len - start > width) {
		size_t cut = start + width;

		while (cut > start + 20 && sql[cut - 1] != ' ')
			cut--;
		if (cut == start + 20)
			cut = start + width;
		put_c_string(b, sql + start, cut - start);
		corm_buf_printf(b, "\n%s", indent);
		start = cut;
	}
	put_c_string(b, sql + start, len - start);
}

/* A comment line carried over from the schema; "*" "/" would end it. */
static void put_comment_text(corm_buf *b, const char *text)
{
	for (; *text; text++) {
		if (text[0] == '*' && text[1] == '/') {
			corm_buf_puts(b, "* /");
			text++;
		} else {
			corm_buf_putc(b, *text);
		}
	}
}

static void put_doc(corm_buf *b, const corm_doc *doc, const char *indent)
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

/* ------------------------------------------------------------- name clashes */

typedef struct gen_name {
	char *name;
	corm_loc loc;
	const char *what; /* "function of model Author", ... */
} gen_name;

typedef struct name_set {
	gen_name *items;
	size_t count, cap;
	bool oom;
} name_set;

static void name_add(name_set *set, corm_loc loc, const char *what,
	const char *fmt, ...)
{
	corm_buf b = CORM_BUF_INIT;
	va_list ap;

	if (set->oom)
		return;
	if (set->count == set->cap) {
		size_t ncap = set->cap ? set->cap * 2 : 64;
		gen_name *p = corm_realloc(set->items, ncap * sizeof(*p));

		if (!p) {
			set->oom = true;
			return;
		}
		set->items = p;
		set->cap = ncap;
	}
	va_start(ap, fmt);
	corm_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	set->items[set->count].name = corm_buf_detach(&b);
	if (!set->items[set->count].name) {
		set->oom = true;
		return;
	}
	set->items[set->count].loc = loc;
	set->items[set->count].what = what;
	set->count++;
}

/* cg_emit_rel_names() callback: a relation function's name. */
static void add_rel_name(void *ctx, corm_loc loc, const char *name)
{
	name_add(ctx, loc, "relation", "%s", name);
}

static int cmp_names(const void *a, const void *b)
{
	const gen_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->loc.line != y->loc.line)
		return x->loc.line - y->loc.line;
	return x->loc.col - y->loc.col;
}

static int report(emitter *e, corm_diag_level level, corm_loc loc,
	const char *fmt, ...)
{
	corm_diags *d = e->diags;
	corm_buf b = CORM_BUF_INIT;
	va_list ap;
	char *msg;

	if (level == CORM_DIAG_ERROR)
		e->nerrors++;
	if (!d)
		return CORM_OK;
	if (d->count == d->cap) {
		size_t ncap = d->cap ? d->cap * 2 : 16;
		corm_diag *p = corm_realloc(d->items, ncap * sizeof(*p));

		if (!p)
			return CORM_ENOMEM;
		d->items = p;
		d->cap = ncap;
	}
	va_start(ap, fmt);
	corm_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!(msg = corm_buf_detach(&b)))
		return CORM_ENOMEM;
	d->items[d->count++] = (corm_diag){level, loc, 1, msg};
	if (level == CORM_DIAG_ERROR)
		d->nerrors++;
	return CORM_OK;
}

/* Every global name the output defines, and every member of each struct:
 * two that are equal would not compile, so say which declarations clash. */
static int check_names(emitter *e)
{
	name_set set = {NULL, 0, 0, false};
	size_t mi, fi, ui, ei, i;
	int error = CORM_OK;
	static const char *const model_fns[] = {"", "_desc", "_init", "_insert",
		"_insert_many", "_get", "_get_batched", "_update", "_delete", "_upsert", "_fields",
		"_pk", "_insert_fields", "_update_fields", "_sql_sqlite",
		"_sql_postgres", "_sql_mysql", "_uniques", "_query", "_pred",
		"_list", "_list_free", "_query_new", "_query_free", "_query_all",
		"_query_first", "_query_next", "_query_count", "_query_exists",
		"_query_update", "_query_delete", "_query_sql", "_where", "_and",
		"_or", "_not", "_limit", "_offset", "_distinct",
		/* emit_lock.c */
		"_for_update", "_get_for_update", "_set_add", "_add",
		"_set_add_i16", "_set_add_i32", "_set_add_i64", "_set_add_f32",
		"_set_add_f64", "_add_i16", "_add_i32", "_add_i64", "_add_f32",
		"_add_f64", NULL};
	const char *const *fn;

	for (ei = 0; ei < e->s->nenums; ei++) {
		const corm_enum *en = &e->s->enums[ei];
		corm_buf up = CORM_BUF_INIT;

		name_add(&set, en->loc, "enum", "%s", en->snake);
		name_add(&set, en->loc, "enum", "%s_desc", en->snake);
		name_add(&set, en->loc, "enum", "%s_names", en->snake);
		name_add(&set, en->loc, "enum", "%s_to_string", en->snake);
		name_add(&set, en->loc, "enum", "%s_from_string", en->snake);
		cg_emit_upper(&up, en->snake);
		for (i = 0; i < en->nmembers; i++) {
			corm_buf mem = CORM_BUF_INIT;

			cg_emit_upper(&mem, en->members[i].name);
			name_add(&set, en->members[i].loc, "enum member", "%s_%s",
				corm_buf_cstr(&up), corm_buf_cstr(&mem));
			corm_buf_free(&mem);
		}
		corm_buf_free(&up);
	}
	for (mi = 0; mi < e->s->nmodels; mi++) {
		const corm_model *m = &e->s->models[mi];

		for (fn = model_fns; *fn; fn++)
			name_add(&set, m->loc, "model", "%s%s", m->snake, *fn);
		for (ui = 0; ui < m->nuniques; ui++) {
			corm_buf u = CORM_BUF_INIT;

			put_unique_name(&u, m, &m->uniques[ui]);
			name_add(&set, m->uniques[ui].loc, "unique", "%s_upsert_%s",
				m->snake, corm_buf_cstr(&u));
			name_add(&set, m->uniques[ui].loc, "unique", "%s_%s_fields",
				m->snake, corm_buf_cstr(&u));
			name_add(&set, m->uniques[ui].loc, "unique",
				"%s_%s_upsert_fields", m->snake, corm_buf_cstr(&u));
			corm_buf_free(&u);
		}
		if (cg_emit_rel_names(e->s, m, add_rel_name, &set) != CORM_OK)
			set.oom = true;
		/* Members, prefixed by the model so they only meet each other. */
		for (fi = 0; fi < m->nfields; fi++) {
			const corm_field *f = &m->fields[fi];
			corm_buf mem = CORM_BUF_INIT;

			cg_emit_member(&mem, f);
			name_add(&set, f->loc, "field", "%s.%s", m->snake,
				corm_buf_cstr(&mem));
			if (f->nullable && f->type != CORM_COL_STRING &&
				f->type != CORM_COL_TEXT && f->type != CORM_COL_DECIMAL &&
				f->type != CORM_COL_JSON && f->type != CORM_COL_BYTES)
				name_add(&set, f->loc, "field", "%s.has_%s", m->snake,
					corm_buf_cstr(&mem));
			corm_buf_free(&mem);
		}
	}
	if (set.oom) {
		error = CORM_ENOMEM;
		goto done;
	}
	/* Report every problem, as a compiler would; stop only on no memory. */
	for (mi = 0; mi < e->s->nmodels && !error; mi++) {
		const corm_model *m = &e->s->models[mi];

		/* A model called Int would make `typedef struct int`. */
		if (is_c_keyword(m->snake))
			error = report(e, CORM_DIAG_ERROR, m->loc,
				"the C name of this model, '%s', is a C keyword; rename "
				"the model (@@map keeps the table's name)", m->snake);
		for (fi = 0; fi < m->nfields && !error; fi++)
			if (m->fields[fi].kind != CORM_FIELD_RELATION &&
				is_c_keyword(m->fields[fi].name))
				error = report(e, CORM_DIAG_ERROR, m->fields[fi].loc,
					"field name '%s' is a C keyword; rename the field and "
					"keep the column with @map(\"%s\")",
					m->fields[fi].name, m->fields[fi].name);
	}
	for (ei = 0; ei < e->s->nenums && !error; ei++)
		if (is_c_keyword(e->s->enums[ei].snake))
			error = report(e, CORM_DIAG_ERROR, e->s->enums[ei].loc,
				"the C name of this enum, '%s', is a C keyword; rename "
				"the enum", e->s->enums[ei].snake);
	qsort(set.items, set.count, sizeof(*set.items), cmp_names);
	for (i = 1; i < set.count && !error; i++) {
		const gen_name *a = &set.items[i - 1], *b = &set.items[i];
		size_t k;
		bool seen = false;

		if (strcmp(a->name, b->name) != 0)
			continue;
		/* One report per pair of declarations, not one per name. */
		for (k = 1; k < i && !seen; k++)
			seen = strcmp(set.items[k - 1].name, set.items[k].name) == 0 &&
				set.items[k].loc.line == b->loc.line &&
				set.items[k].loc.col == b->loc.col &&
				set.items[k - 1].loc.line == a->loc.line &&
				set.items[k - 1].loc.col == a->loc.col;
		if (!seen)
			error = report(e, CORM_DIAG_ERROR, b->loc,
				"the generated C name '%s' of this %s is already used by "
				"the %s at line %d; rename one of them", b->name, b->what,
				a->what, a->loc.line);
	}
	if (!error && e->nerrors > 0)
		error = CORM_EINVAL;
done:
	for (i = 0; i < set.count; i++)
		corm_free(set.items[i].name);
	corm_free(set.items);
	return error;
}

/* -------------------------------------------------------------------- types */

static bool is_text_like(corm_coltype t)
{
	return t == CORM_COL_STRING || t == CORM_COL_TEXT ||
		t == CORM_COL_DECIMAL || t == CORM_COL_JSON;
}

/* NULL is a NULL pointer for these; other nullable fields get has_. */
static bool null_by_pointer(const corm_field *f)
{
	return f->kind != CORM_FIELD_ENUM &&
		(is_text_like(f->type) || f->type == CORM_COL_BYTES);
}

const char *cg_emit_c_type(const corm_field *f)
{
	if (f->kind == CORM_FIELD_ENUM)
		return f->enum_type->snake;
	switch (f->type) {
	case CORM_COL_I16: return "int16_t";
	case CORM_COL_I32: return "int32_t";
	case CORM_COL_I64: return "int64_t";
	case CORM_COL_F32: return "float";
	case CORM_COL_F64: return "double";
	case CORM_COL_BOOL: return "bool";
	case CORM_COL_BYTES: return "corm_bytes";
	case CORM_COL_DATE: return "corm_date";
	case CORM_COL_TIME: return "corm_time";
	case CORM_COL_TIMESTAMP: return "corm_timestamp";
	case CORM_COL_UUID: return "corm_uuid";
	default: return "corm_str";
	}
}

static const char *c_ctype(const corm_field *f)
{
	if (f->kind == CORM_FIELD_ENUM)
		return "CORM_C_ENUM";
	switch (f->type) {
	case CORM_COL_I16: return "CORM_C_I16";
	case CORM_COL_I32: return "CORM_C_I32";
	case CORM_COL_I64: return "CORM_C_I64";
	case CORM_COL_F32: return "CORM_C_F32";
	case CORM_COL_F64: return "CORM_C_F64";
	case CORM_COL_BOOL: return "CORM_C_BOOL";
	case CORM_COL_BYTES: return "CORM_C_BYTES";
	case CORM_COL_DATE: return "CORM_C_DATE";
	case CORM_COL_TIME: return "CORM_C_TIME";
	case CORM_COL_TIMESTAMP: return "CORM_C_TIMESTAMP";
	case CORM_COL_UUID: return "CORM_C_UUID";
	default: return "CORM_C_STR";
	}
}

static const char *coltype_const(corm_coltype t)
{
	static const char *const names[CORM_COL__COUNT] = {"CORM_COL_I16",
		"CORM_COL_I32", "CORM_COL_I64", "CORM_COL_F32", "CORM_COL_F64",
		"CORM_COL_BOOL", "CORM_COL_STRING", "CORM_COL_TEXT",
		"CORM_COL_BYTES", "CORM_COL_DECIMAL", "CORM_COL_DATE",
		"CORM_COL_TIME", "CORM_COL_TIMESTAMP", "CORM_COL_UUID",
		"CORM_COL_JSON"};

	return names[t];
}

static bool in_pk(const corm_model *m, size_t field)
{
	size_t i;

	for (i = 0; i < m->pk.nfields; i++)
		if (m->pk.fields[i] == field)
			return true;
	return false;
}

static bool in_index(const corm_index *ix, size_t field)
{
	size_t i;

	for (i = 0; i < ix->nfields; i++)
		if (ix->fields[i] == field)
			return true;
	return false;
}

static int auto_field(const corm_model *m)
{
	size_t i;

	for (i = 0; i < m->nfields; i++)
		if (m->fields[i].is_auto)
			return (int)i;
	return -1;
}

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

/* The fields an INSERT lists: all but the AUTO key. */
typedef struct field_list {
	size_t *items;
	size_t n;
} field_list;

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

/* Field lists a model's statements use. */
typedef struct model_lists {
	field_list insert;   /* all but AUTO */
	field_list nonkey;   /* all but the key */
	field_list all;      /* every field */
	int autof;
	int versionf;        /* the @version field, or -1 */
} model_lists;

static int lists_make(model_lists *l, const corm_model *m)
{
	size_t i;

	l->autof = auto_field(m);
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
		if (!in_pk(m, i))
			l->nonkey.items[l->nonkey.n++] = i;
		if (m->fields[i].is_version)
			l->versionf = (int)i;
	}
	return CORM_OK;
}

static void lists_free(model_lists *l)
{
	corm_free(l->insert.items);
	corm_free(l->nonkey.items);
	corm_free(l->all.items);
}

/* Write `.name = "SQL",` for the SQL built in `w`, then reset `w`. */
static void put_sql_member(emitter *e, const char *name, sql_writer *w)
{
	corm_buf_printf(e->c, "\t.%s =\n\t\t", name);
	put_sql_literal(e->c, corm_buf_cstr(&w->b), "\t\t");
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

static void emit_model_sql(emitter *e, const corm_model *m,
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
static void emit_unique_upsert(emitter *e, const corm_model *m,
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
		if (!in_pk(m, l->insert.items[i]) && !in_index(u, l->insert.items[i]))
			set.items[set.n++] = l->insert.items[i];
	sql_insert_head(&w, m, &l->insert);
	corm_buf_putc(&w.b, '(');
	sql_params(&w, l->insert.n);
	corm_buf_putc(&w.b, ')');
	sql_on_conflict(&w, m, u->fields, u->nfields, &set,
		d->insert_id == CORM_INSERT_ID_RETURNING || l->autof >= 0
			? l->autof : -1);
	corm_buf_puts(e->c, "\t\t\t");
	put_sql_literal(e->c, corm_buf_cstr(&w.b), "\t\t\t");
	corm_buf_puts(e->c, ",\n");
	corm_buf_free(&w.b);
	corm_free(set.items);
}

/* ------------------------------------------------------------------ header */

static void emit_enum_decl(emitter *e, const corm_enum *en)
{
	corm_buf *h = e->h;
	size_t i;

	put_doc(h, &en->doc, "");
	corm_buf_printf(h, "typedef enum %s {\n", en->snake);
	for (i = 0; i < en->nmembers; i++) {
		put_doc(h, &en->members[i].doc, "\t");
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
	} else if (f->nullable && null_by_pointer(f)) {
		corm_buf_puts(h, " /* NULL: .ptr == NULL */");
	}
}

static void emit_struct(emitter *e, const corm_model *m)
{
	corm_buf *h = e->h;
	size_t i;

	put_doc(h, &m->doc, "");
	corm_buf_printf(h, "/* A row of table \"%s\". */\n", m->table);
	corm_buf_printf(h, "typedef struct %s {\n", m->snake);
	for (i = 0; i < m->nfields; i++) {
		const corm_field *f = &m->fields[i];

		put_doc(h, &f->doc, "\t");
		if (f->nullable && !null_by_pointer(f)) {
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

/* "int64_t id, corm_str slug" — the key fields as parameters. */
static void put_key_params(corm_buf *b, const corm_model *m)
{
	size_t i;

	for (i = 0; i < m->pk.nfields; i++) {
		const corm_field *f = &m->fields[m->pk.fields[i]];

		corm_buf_printf(b, ", %s ", cg_emit_c_type(f));
		cg_emit_member(b, f);
	}
}

static void emit_prototypes(emitter *e, const corm_model *m,
	const model_lists *l)
{
	corm_buf *h = e->h;
	const char *n = m->snake;
	size_t i;

	corm_buf_printf(h, "/* %s: rows of table \"%s\" (see corm/model.h for "
		"ownership). */\n", m->name, m->table);
	corm_buf_printf(h, "extern const corm_model_desc %s_desc;\n", n);
	corm_buf_printf(h, "/* Zero `row`, then set the schema's defaults. */\n"
		"void %s_init(%s *row);\n", n, n);
	corm_buf_printf(h, "int %s_insert(corm_conn *db, %s *row);\n", n, n);
	corm_buf_printf(h, "int %s_insert_many(corm_conn *db, const %s *rows, "
		"size_t n);\n", n, n);
	corm_buf_printf(h, "int %s_get(%s *out, corm_conn *db", n, n);
	put_key_params(h, m);
	corm_buf_puts(h, ", corm_arena *arena);\n");
	corm_buf_printf(h, "/* The same lookup, queued in `b`: `out` is filled by "
		"corm_batch_run(b). */\nint %s_get_batched(%s *out, corm_batch *b",
		n, n);
	put_key_params(h, m);
	corm_buf_puts(h, ", corm_arena *arena);\n");
	if (l->nonkey.n > 0 && l->versionf >= 0)
		corm_buf_printf(h, "/* Only if the row still has row->version "
			"(CORM_ESTALE if not), which then\n * moves on, here too. */\n"
			"int %s_update(corm_conn *db, %s *row);\n", n, n);
	else if (l->nonkey.n > 0)
		corm_buf_printf(h, "int %s_update(corm_conn *db, const %s *row);\n",
			n, n);
	corm_buf_printf(h, "int %s_delete(corm_conn *db", n);
	put_key_params(h, m);
	corm_buf_puts(h, ");\n");
	corm_buf_printf(h, "int %s_upsert(corm_conn *db, %s *row);\n", n, n);
	for (i = 0; i < m->nuniques; i++) {
		corm_buf_printf(h, "int %s_upsert_", n);
		put_unique_name(h, m, &m->uniques[i]);
		corm_buf_printf(h, "(corm_conn *db, %s *row);\n", n);
	}
	corm_buf_putc(h, '\n');
}

static void emit_header(emitter *e, model_lists *lists)
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

/* ------------------------------------------------------------------ source */

static void emit_enum_defs(emitter *e, const corm_enum *en)
{
	corm_buf *c = e->c;
	size_t i;

	corm_buf_printf(c, "static const char *const %s_names[] = {\n",
		en->snake);
	for (i = 0; i < en->nmembers; i++) {
		corm_buf_puts(c, "\t");
		put_c_string(c, en->members[i].name, strlen(en->members[i].name));
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
		if (in_pk(m, i))
			corm_buf_printf(&flags, "%sCORM_FIELD_PK",
				flags.len ? " | " : "");
		if (f->is_auto)
			corm_buf_printf(&flags, "%sCORM_FIELD_AUTO",
				flags.len ? " | " : "");
		corm_buf_puts(c, "\t{\"");
		cg_emit_member(c, f);
		corm_buf_puts(c, "\", ");
		put_c_string(c, f->column, strlen(f->column));
		corm_buf_printf(c, ", %s, %s,\n\t\toffsetof(%s, ", c_ctype(f),
			flags.len ? corm_buf_cstr(&flags) : "0", m->snake);
		cg_emit_member(c, f);
		corm_buf_puts(c, "), ");
		if (f->nullable && !null_by_pointer(f)) {
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
		corm_buf_printf(c, " %s, %d, %d, %d},\n", coltype_const(f->type),
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
		put_unique_name(&name, m, &m->uniques[i]);
		corm_buf_clear(&arr);
		corm_buf_printf(&arr, "%s_%s_fields", m->snake, corm_buf_cstr(&name));
		put_index_array(c, corm_buf_cstr(&arr), m->uniques[i].fields,
			m->uniques[i].nfields);
	}
	corm_buf_printf(c, "\nstatic const corm_unique_desc %s_uniques[] = {\n",
		m->snake);
	for (i = 0; i < m->nuniques; i++) {
		corm_buf_clear(&name);
		put_unique_name(&name, m, &m->uniques[i]);
		corm_buf_printf(c, "\t{\n\t\t.name = \"%s\",\n", corm_buf_cstr(&name));
		corm_buf_printf(c, "\t\t.fields = %s_%s_fields,\n\t\t.nfields = %zu,\n",
			m->snake, corm_buf_cstr(&name), m->uniques[i].nfields);
		corm_buf_puts(c, "\t\t.upsert_sql = {\n");
		for (di = 0; di < CORM_NDIALECTS; di++)
			emit_unique_upsert(e, m, l, &m->uniques[i], corm_dialects[di]);
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
static void put_default(corm_buf *c, const corm_field *f)
{
	const corm_default *d = &f->def;
	corm_buf member = CORM_BUF_INIT;
	const char *mem;

	if (d->kind == CORM_DEFAULT_NONE)
		return;
	cg_emit_member(&member, f);
	mem = corm_buf_cstr(&member);
	if (f->nullable && !null_by_pointer(f))
		corm_buf_printf(c, "\trow->has_%s = true;\n", mem);
	switch (d->kind) {
	case CORM_DEFAULT_INT:
	case CORM_DEFAULT_FLOAT:
		if (f->type == CORM_COL_DECIMAL) {
			corm_buf_printf(c, "\trow->%s = CORM_STR(", mem);
			put_c_string(c, d->text, d->text_len);
			corm_buf_puts(c, ");\n");
		} else {
			corm_buf_printf(c, "\trow->%s = %s;\n", mem, d->text);
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
		const char *parse = NULL;

		switch (f->type) {
		case CORM_COL_DATE: parse = "corm_date_parse"; break;
		case CORM_COL_TIME: parse = "corm_time_parse"; break;
		case CORM_COL_TIMESTAMP: parse = "corm_timestamp_parse"; break;
		case CORM_COL_UUID: parse = "corm_uuid_parse"; break;
		default: break;
		}
		if (parse) {
			/* The parser checked the literal, so this cannot fail. */
			corm_buf_printf(c, "\t(void)%s(&row->%s, ", parse, mem);
			put_c_string(c, d->text, d->text_len);
			corm_buf_printf(c, ", %zu);\n", d->text_len);
		} else {
			corm_buf_printf(c, "\trow->%s = CORM_STR(", mem);
			put_c_string(c, d->text, d->text_len);
			corm_buf_puts(c, ");\n");
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
		cg_emit_member(c, f);
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
	put_key_params(c, m);
	corm_buf_puts(c, ", corm_arena *arena)\n{\n");
	cg_emit_key_struct(c, m);
	corm_buf_printf(c, "\treturn corm_model_get(out, db, &%s_desc, &key, "
		"arena);\n}\n\n", n);

	corm_buf_printf(c, "int %s_get_batched(%s *out, corm_batch *b", n, n);
	put_key_params(c, m);
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
	put_key_params(c, m);
	corm_buf_puts(c, ")\n{\n");
	cg_emit_key_struct(c, m);
	corm_buf_printf(c, "\treturn corm_model_delete(db, &%s_desc, &key);\n}\n\n",
		n);

	corm_buf_printf(c, "int %s_upsert(corm_conn *db, %s *row)\n{\n"
		"\treturn corm_model_upsert(db, &%s_desc, row, -1);\n}\n\n", n, n, n);
	for (i = 0; i < m->nuniques; i++) {
		corm_buf_printf(c, "int %s_upsert_", n);
		put_unique_name(c, m, &m->uniques[i]);
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
		emit_model_sql(e, m, l, corm_dialects[di]);
	emit_uniques(e, m, l);

	corm_buf_printf(c, "const corm_model_desc %s_desc = {\n", m->snake);
	corm_buf_printf(c, "\t.desc_version = %d,\n", CORM_DESC_VERSION);
	corm_buf_printf(c, "\t.name = \"%s\",\n\t.table = ", m->name);
	put_c_string(c, m->table, strlen(m->table));
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

static void emit_source(emitter *e, model_lists *lists)
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

/* ------------------------------------------------------------- entry point */

int corm_emit_c(corm_buf *h, corm_buf *c, corm_diags *diags,
	const corm_schema *s, const char *base, const char *source_name)
{
	emitter e = {h, c, diags, s, base, source_name, 0};
	model_lists *lists = NULL;
	size_t i;
	int error;

	if ((error = check_names(&e)) != CORM_OK)
		return error;
	lists = corm_calloc(s->nmodels + 1, sizeof(*lists));
	if (!lists)
		return CORM_ENOMEM;
	for (i = 0; i < s->nmodels && !error; i++)
		error = lists_make(&lists[i], &s->models[i]);
	if (!error) {
		emit_header(&e, lists);
		emit_source(&e, lists);
		error = corm_buf_error(h) ? corm_buf_error(h) : corm_buf_error(c);
	}
	for (i = 0; i < s->nmodels; i++)
		lists_free(&lists[i]);
	corm_free(lists);
	return error;
}
