/*
 * emit_query.c — the typed query builder of each model (docs/queries.md).
 *
 * Every column gets a handle whose type says both its model and its C type
 * (AUTHOR_KARMA is an author_f64_col). Predicates are functions per C type
 * (author_cmp_f64 takes a double) reached through _Generic macros
 * (author_gt(q, AUTHOR_KARMA, 10.0)), so a value of the wrong type, a
 * column of another model or an unknown column does not compile. The
 * functions are two-line wrappers over corm/query.h.
 *
 * Typed aggregates (<model>_agg_sum(q, POST_VIEWS) ...) are emitted by
 * their own functions, in the last section.
 *
 * Sections: column families, declarations, definitions, aggregates.
 */
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h" /* corm_calloc, corm_free */
#include "emit_internal.h"

/* Append `tmpl` with every '@' replaced by the model's C name and every
 * '$' by its upper-case form (`upper`, may be NULL when unused). */
static void put_tmpl(corm_buf *b, const char *tmpl, const char *model,
	const char *upper)
{
	for (; *tmpl; tmpl++) {
		if (*tmpl == '@')
			corm_buf_puts(b, model);
		else if (*tmpl == '$' && upper)
			corm_buf_puts(b, upper);
		else
			corm_buf_putc(b, *tmpl);
	}
}

/* ---------------------------------------------------------- column families */

/* The name of a field's family: fields of one C type share functions. */
static const char *family(const corm_field *f)
{
	if (f->kind == CORM_FIELD_ENUM)
		return f->enum_type->snake;
	return corm_coltype_info_of(f->type)->family;
}

/* The fields that start a family (the first field of each C type), in
 * field order; returns how many. `firsts` has room for every field. */
static size_t families(const corm_model *m, const corm_field **firsts)
{
	size_t i, k, n = 0;

	for (i = 0; i < m->nfields; i++) {
		bool seen = false;

		for (k = 0; k < n && !seen; k++)
			seen = strcmp(family(firsts[k]), family(&m->fields[i])) == 0;
		if (!seen)
			firsts[n++] = &m->fields[i];
	}
	return n;
}

static bool has_family(const corm_model *m, const char *name)
{
	size_t i;

	for (i = 0; i < m->nfields; i++)
		if (strcmp(family(&m->fields[i]), name) == 0)
			return true;
	return false;
}

/* `_Generic((c), author_i64_col: author_cmp_i64, ...)`: `fn` is the
 * function stem ("cmp"), or NULL for `: 0` (just a type check). */
static void put_generic(corm_buf *h, const corm_model *m,
	const corm_field *const *firsts, size_t n, const char *fn)
{
	size_t i;

	corm_buf_puts(h, "_Generic((c)");
	for (i = 0; i < n; i++) {
		const char *fam = family(firsts[i]);

		corm_buf_printf(h, ", \\\n\t%s_%s_col: ", m->snake, fam);
		if (fn)
			corm_buf_printf(h, "%s_%s_%s", m->snake, fn, fam);
		else
			corm_buf_putc(h, '0');
	}
	corm_buf_putc(h, ')');
}

static void emit_agg_decls(corm_buf *h, const corm_model *m,
	const corm_field *const *firsts, size_t nf, const char *upper);
static void emit_agg_defs(corm_buf *c, const corm_model *m,
	const corm_field *const *firsts, size_t nf);

/* ------------------------------------------------------------ declarations */

void cg_emit_query_decls(corm_buf *h, const corm_model *m)
{
	const corm_field **firsts = corm_calloc(m->nfields + 1, sizeof(*firsts));
	const char *n = m->snake;
	corm_buf up = CORM_BUF_INIT;
	size_t nf, i;

	if (!firsts) {
		h->error = CORM_ENOMEM;
		return;
	}
	nf = families(m, firsts);
	cg_emit_upper(&up, n);
	corm_buf_printf(h, "/* %s queries (see docs/queries.md). */\n", m->name);
	corm_buf_printf(h, "typedef struct %s_query %s_query;\n", n, n);
	corm_buf_printf(h, "typedef struct %s_pred %s_pred;\n", n, n);
	corm_buf_printf(h, "typedef struct %s_list {\n\t%s *items;\n"
		"\tsize_t count;\n\tcorm_arena arena; /* their text and bytes */\n"
		"} %s_list;\n\n", n, n, n);

	/* Column handles: one struct type per C type of this model. */
	for (i = 0; i < nf; i++)
		corm_buf_printf(h, "typedef struct %s_%s_col { int field; } "
			"%s_%s_col;\n", n, family(firsts[i]), n, family(firsts[i]));
	for (i = 0; i < m->nfields; i++) {
		corm_buf_printf(h, "#define %s_", corm_buf_cstr(&up));
		cg_emit_upper(h, m->fields[i].kind == CORM_FIELD_RELATION
				? m->fields[i].column : m->fields[i].name);
		corm_buf_printf(h, " ((%s_%s_col){%zu})\n", n,
			family(&m->fields[i]), i);
	}
	corm_buf_putc(h, '\n');

	corm_buf_printf(h, "int %s_query_new(%s_query **out, corm_conn *db);\n"
		"void %s_query_free(%s_query *q);\n", n, n, n, n);
	for (i = 0; i < nf; i++) {
		const char *fam = family(firsts[i]), *ct = cg_emit_c_type(firsts[i]);

		corm_buf_printf(h, "%s_pred *%s_cmp_%s(%s_query *q, %s_%s_col c, "
			"corm_cmp op, %s v);\n", n, n, fam, n, n, fam, ct);
		corm_buf_printf(h, "%s_pred *%s_between_%s(%s_query *q, %s_%s_col c, "
			"%s low, %s high);\n", n, n, fam, n, n, fam, ct, ct);
		corm_buf_printf(h, "%s_pred *%s_in_%s(%s_query *q, %s_%s_col c, "
			"const %s *values, size_t n);\n", n, n, fam, n, n, fam, ct);
		corm_buf_printf(h, "void %s_set_%s(%s_query *q, %s_%s_col c, %s v);\n",
			n, fam, n, n, fam, ct);
	}
	if (has_family(m, "str"))
		corm_buf_printf(h, "%s_pred *%s_match_str(%s_query *q, %s_str_col c, "
			"corm_match how, corm_str text);\n", n, n, n, n);
	put_tmpl(h,
		"@_pred *@_is_null_(@_query *q, int field, bool is_null);\n"
		"@_pred *@_and(@_query *q, @_pred *a, @_pred *b);\n"
		"@_pred *@_or(@_query *q, @_pred *a, @_pred *b);\n"
		"@_pred *@_not(@_query *q, @_pred *a);\n"
		"void @_where(@_query *q, @_pred *p);\n"
		"void @_order_by_(@_query *q, int field, unsigned flags);\n"
		"void @_select_(@_query *q, int field);\n"
		"void @_group_by_(@_query *q, int field);\n"
		"void @_set_null_(@_query *q, int field);\n"
		"void @_limit(@_query *q, int64_t n);\n"
		"void @_offset(@_query *q, int64_t n);\n"
		"void @_distinct(@_query *q);\n"
		"int @_query_all(@_list *out, @_query *q);\n"
		"void @_list_free(@_list *list);\n"
		"int @_query_first(@ *out, @_query *q, corm_arena *arena);\n"
		"int @_query_next(@ *row, @_query *q);\n"
		"int @_query_count(int64_t *out, @_query *q);\n"
		"int @_query_exists(bool *out, @_query *q);\n"
		"int @_query_update(int64_t *out, @_query *q);\n"
		"int @_query_delete(int64_t *out, @_query *q);\n"
		"int @_query_aggregate_(corm_agg_rows *out, @_query *q, corm_agg fn,"
		" int field);\n"
		"const char *@_query_sql(@_query *q);\n\n", n, NULL);

	/* The typed front: _Generic picks the function for the column. */
	corm_buf_printf(h, "#define %s__FIELD(c) (", corm_buf_cstr(&up));
	put_generic(h, m, firsts, nf, NULL);
	corm_buf_puts(h, " + (c).field)\n");
	/* Values are variadic so a compound literal, whose braces hold a comma
	 * the preprocessor would split at, passes through whole. */
	corm_buf_printf(h, "#define %s_cmp(q, c, op, ...) ", n);
	put_generic(h, m, firsts, nf, "cmp");
	corm_buf_puts(h, "((q), (c), (op), __VA_ARGS__)\n");
	{
		static const char *const ops[] = {"eq", "EQ", "ne", "NE", "lt",
			"LT", "le", "LE", "gt", "GT", "ge", "GE"};

		for (i = 0; i < 12; i += 2)
			corm_buf_printf(h, "#define %s_%s(q, c, ...) %s_cmp(q, c, "
				"CORM_CMP_%s, __VA_ARGS__)\n", n, ops[i], n, ops[i + 1]);
	}
	corm_buf_printf(h, "#define %s_between(q, c, ...) ", n);
	put_generic(h, m, firsts, nf, "between");
	corm_buf_puts(h, "((q), (c), __VA_ARGS__)\n");
	corm_buf_printf(h, "#define %s_in(q, c, ...) ", n);
	put_generic(h, m, firsts, nf, "in");
	corm_buf_puts(h, "((q), (c), __VA_ARGS__)\n");
	corm_buf_printf(h, "#define %s_set(q, c, ...) ", n);
	put_generic(h, m, firsts, nf, "set");
	corm_buf_puts(h, "((q), (c), __VA_ARGS__)\n");
	put_tmpl(h,
		"#define @_is_null(q, c) @_is_null_((q), $__FIELD(c), true)\n"
		"#define @_is_not_null(q, c) @_is_null_((q), $__FIELD(c), false)\n"
		"#define @_order_by(q, c, flags) @_order_by_((q), $__FIELD(c), "
		"(flags))\n"
		"#define @_select(q, c) @_select_((q), $__FIELD(c))\n"
		"#define @_group_by(q, c) @_group_by_((q), $__FIELD(c))\n"
		"#define @_set_null(q, c) @_set_null_((q), $__FIELD(c))\n"
		"#define @_aggregate(out, q, fn, c) @_query_aggregate_((out), (q), "
		"(fn), $__FIELD(c))\n", n, corm_buf_cstr(&up));
	if (has_family(m, "str")) {
		static const char *const matches[] = {"like", "LIKE", "starts_with",
			"STARTS_WITH", "ends_with", "ENDS_WITH", "contains", "CONTAINS"};

		for (i = 0; i < 8; i += 2)
			corm_buf_printf(h, "#define %s_%s(q, c, ...) %s_match_str((q), "
				"(c), CORM_MATCH_%s, __VA_ARGS__)\n", n, matches[i], n,
				matches[i + 1]);
	}
	corm_buf_putc(h, '\n');
	emit_agg_decls(h, m, firsts, nf, corm_buf_cstr(&up));
	if (up.error)
		h->error = up.error;
	corm_buf_free(&up);
	corm_free(firsts);
}

/* ------------------------------------------------------------- definitions */

void cg_emit_query_defs(corm_buf *c, const corm_model *m)
{
	const corm_field **firsts = corm_calloc(m->nfields + 1, sizeof(*firsts));
	const char *n = m->snake;
	size_t nf, i;

	if (!firsts) {
		c->error = CORM_ENOMEM;
		return;
	}
	nf = families(m, firsts);
	corm_buf_printf(c, "int %s_query_new(%s_query **out, corm_conn *db)\n{\n"
		"\treturn corm_query_new((corm_query **)out, db, &%s_desc);\n}\n\n"
		"void %s_query_free(%s_query *q)\n{\n"
		"\tcorm_query_free((corm_query *)q);\n}\n\n", n, n, n, n, n);
	for (i = 0; i < nf; i++) {
		const char *fam = family(firsts[i]), *ct = cg_emit_c_type(firsts[i]);

		corm_buf_printf(c, "%s_pred *%s_cmp_%s(%s_query *q, %s_%s_col c, "
			"corm_cmp op, %s v)\n{\n\treturn (%s_pred *)corm_pred_cmp("
			"(corm_query *)q, c.field, op, &v);\n}\n\n",
			n, n, fam, n, n, fam, ct, n);
		corm_buf_printf(c, "%s_pred *%s_between_%s(%s_query *q, %s_%s_col c, "
			"%s low, %s high)\n{\n\treturn (%s_pred *)corm_pred_between("
			"(corm_query *)q, c.field, &low, &high);\n}\n\n",
			n, n, fam, n, n, fam, ct, ct, n);
		corm_buf_printf(c, "%s_pred *%s_in_%s(%s_query *q, %s_%s_col c, "
			"const %s *values, size_t n)\n{\n\treturn (%s_pred *)corm_pred_in("
			"(corm_query *)q, c.field, values, n);\n}\n\n",
			n, n, fam, n, n, fam, ct, n);
		corm_buf_printf(c, "void %s_set_%s(%s_query *q, %s_%s_col c, %s v)\n"
			"{\n\tcorm_query_set((corm_query *)q, c.field, &v);\n}\n\n",
			n, fam, n, n, fam, ct);
	}
	if (has_family(m, "str"))
		corm_buf_printf(c, "%s_pred *%s_match_str(%s_query *q, %s_str_col c, "
			"corm_match how, corm_str text)\n{\n\treturn (%s_pred *)"
			"corm_pred_match((corm_query *)q, c.field, how, text);\n}\n\n",
			n, n, n, n, n);
	put_tmpl(c,
		"@_pred *@_is_null_(@_query *q, int field, bool is_null)\n{\n"
		"\treturn (@_pred *)corm_pred_is_null((corm_query *)q, field, "
		"is_null);\n}\n\n"
		"@_pred *@_and(@_query *q, @_pred *a, @_pred *b)\n{\n"
		"\treturn (@_pred *)corm_pred_and((corm_query *)q, (corm_pred *)a, "
		"(corm_pred *)b);\n}\n\n"
		"@_pred *@_or(@_query *q, @_pred *a, @_pred *b)\n{\n"
		"\treturn (@_pred *)corm_pred_or((corm_query *)q, (corm_pred *)a, "
		"(corm_pred *)b);\n}\n\n"
		"@_pred *@_not(@_query *q, @_pred *a)\n{\n"
		"\treturn (@_pred *)corm_pred_not((corm_query *)q, "
		"(corm_pred *)a);\n}\n\n"
		"void @_where(@_query *q, @_pred *p)\n{\n"
		"\tcorm_query_where((corm_query *)q, (corm_pred *)p);\n}\n\n", n, NULL);
	put_tmpl(c,
		"void @_order_by_(@_query *q, int field, unsigned flags)\n{\n"
		"\tcorm_query_order_by((corm_query *)q, field, flags);\n}\n\n"
		"void @_select_(@_query *q, int field)\n{\n"
		"\tcorm_query_select((corm_query *)q, field);\n}\n\n"
		"void @_group_by_(@_query *q, int field)\n{\n"
		"\tcorm_query_group_by((corm_query *)q, field);\n}\n\n"
		"void @_set_null_(@_query *q, int field)\n{\n"
		"\tcorm_query_set_null((corm_query *)q, field);\n}\n\n"
		"void @_limit(@_query *q, int64_t n)\n{\n"
		"\tcorm_query_limit((corm_query *)q, n);\n}\n\n"
		"void @_offset(@_query *q, int64_t n)\n{\n"
		"\tcorm_query_offset((corm_query *)q, n);\n}\n\n"
		"void @_distinct(@_query *q)\n{\n"
		"\tcorm_query_distinct((corm_query *)q);\n}\n\n", n, NULL);
	put_tmpl(c,
		"int @_query_all(@_list *out, @_query *q)\n{\n"
		"\tcorm_rows rows;\n"
		"\tint rc = corm_query_all(&rows, (corm_query *)q);\n\n"
		"\tout->items = rows.items;\n\tout->count = rows.count;\n"
		"\tout->arena = rows.arena;\n\treturn rc;\n}\n\n"
		"void @_list_free(@_list *list)\n{\n"
		"\tcorm_arena_free(&list->arena);\n\tlist->items = NULL;\n"
		"\tlist->count = 0;\n}\n\n"
		"int @_query_first(@ *out, @_query *q, corm_arena *arena)\n{\n"
		"\treturn corm_query_first(out, (corm_query *)q, arena);\n}\n\n"
		"int @_query_next(@ *row, @_query *q)\n{\n"
		"\treturn corm_query_next(row, (corm_query *)q);\n}\n\n"
		"int @_query_count(int64_t *out, @_query *q)\n{\n"
		"\treturn corm_query_count(out, (corm_query *)q);\n}\n\n"
		"int @_query_exists(bool *out, @_query *q)\n{\n"
		"\treturn corm_query_exists(out, (corm_query *)q);\n}\n\n"
		"int @_query_update(int64_t *out, @_query *q)\n{\n"
		"\treturn corm_query_update(out, (corm_query *)q);\n}\n\n"
		"int @_query_delete(int64_t *out, @_query *q)\n{\n"
		"\treturn corm_query_delete(out, (corm_query *)q);\n}\n\n"
		"int @_query_aggregate_(corm_agg_rows *out, @_query *q, corm_agg fn,"
		" int field)\n{\n"
		"\treturn corm_query_aggregate(out, (corm_query *)q, fn, field);\n"
		"}\n\n"
		"const char *@_query_sql(@_query *q)\n{\n"
		"\treturn corm_query_sql((corm_query *)q);\n}\n\n", n, NULL);
	emit_agg_defs(c, m, firsts, nf);
	corm_free(firsts);
}

/* -------------------------------------------------------------- aggregates */

/*
 * Every aggregate gives a handle whose type names its model and its
 * result's C type (post_agg_i64, post_agg_timestamp...), so reading a
 * result as another type, comparing it in HAVING with a value of another
 * type, or using a handle of another model does not compile. SUM and AVG
 * exist only for number families, MIN and MAX not for bytes and json.
 */

/* The facts (corm/coltype.h) of the column types of family `fam`; 0 for
 * an enum's family. */
static unsigned family_flags(const char *fam)
{
	int t;

	for (t = 0; t < CORM_COL__COUNT; t++)
		if (strcmp(corm_coltype_info_of((corm_coltype)t)->family, fam) == 0)
			return corm_coltype_info_of((corm_coltype)t)->flags;
	return 0;
}

static bool is_int_family(const char *fam)
{
	return (family_flags(fam) & CORM_COLF_INTEGER) != 0;
}

static bool is_float_family(const char *fam)
{
	return (family_flags(fam) & CORM_COLF_FLOAT) != 0;
}

/* The result kind of SUM over a family, or NULL when it has no SUM:
 * i64 for integers, f64 for floats, the family itself (decimal) for
 * the other numbers. */
static const char *sum_kind(const char *fam)
{
	if (is_int_family(fam))
		return "i64";
	if (is_float_family(fam))
		return "f64";
	return family_flags(fam) & CORM_COLF_NUMERIC ? fam : NULL;
}

/* The result kind of MIN / MAX over field `f`, or NULL for none. */
static const char *minmax_kind(const corm_field *f)
{
	const char *fam = family(f);

	if (is_int_family(fam))
		return "i64";
	if (is_float_family(fam))
		return "f64";
	if (family_flags(fam) & CORM_COLF_UNORDERED)
		return NULL;
	return fam;
}

/* A result kind and a field of it (NULL for i64 and f64). */
typedef struct agg_kind {
	const char *name;
	const corm_field *f;
} agg_kind;

static const char *kind_ctype(const agg_kind *k)
{
	if (strcmp(k->name, "i64") == 0)
		return "int64_t";
	if (strcmp(k->name, "f64") == 0)
		return "double";
	return cg_emit_c_type(k->f);
}

/* The member of corm_agg_value's union that holds a kind. */
static const char *kind_member(const agg_kind *k)
{
	if (strcmp(k->name, "i64") == 0 || strcmp(k->name, "f64") == 0)
		return k->name;
	if (k->f->kind == CORM_FIELD_ENUM)
		return "enum_value";
	return corm_ctype_agg_member(corm_coltype_info_of(k->f->type)->ctype);
}

/* The model's result kinds: i64 (COUNT), f64 when it has a number (AVG),
 * then those of MIN / MAX; returns how many. `out` has room for nf + 2. */
static size_t agg_kinds(agg_kind *out, const corm_field *const *firsts,
	size_t nf)
{
	size_t i, k, n = 0;

	out[n++] = (agg_kind){"i64", NULL};
	for (i = 0; i < nf; i++)
		if (sum_kind(family(firsts[i]))) {
			out[n++] = (agg_kind){"f64", NULL};
			break;
		}
	for (i = 0; i < nf; i++) {
		const char *name = minmax_kind(firsts[i]);
		bool seen = !name;

		for (k = 0; k < n && !seen; k++)
			seen = strcmp(out[k].name, name) == 0;
		if (!seen)
			out[n++] = (agg_kind){name, firsts[i]};
	}
	return n;
}

/* `#define post_agg_sum(q, c) _Generic((c), post_i64_col:
 * post_agg_sum_i64, ...)((q), (c))` over the families `fn` applies to:
 * those with a MIN / MAX (`minmax`), or with a SUM / AVG. Nothing when
 * none has: using it then does not compile. */
static void put_agg_generic(corm_buf *h, const corm_model *m,
	const corm_field *const *firsts, size_t nf, const char *fn, bool minmax)
{
	size_t i, used = 0;

	for (i = 0; i < nf; i++) {
		const char *fam = family(firsts[i]);

		if (minmax ? !minmax_kind(firsts[i]) : !sum_kind(fam))
			continue;
		if (used++ == 0)
			corm_buf_printf(h, "#define %s_agg_%s(q, c) _Generic((c)",
				m->snake, fn);
		corm_buf_printf(h, ", \\\n\t%s_%s_col: %s_agg_%s_%s", m->snake, fam,
			m->snake, fn, fam);
	}
	if (used)
		corm_buf_puts(h, ")((q), (c))\n");
}

/* `_Generic((a), post_agg_i64: <stem>i64, ...)`, or `: 0` with stem NULL. */
static void put_kind_generic(corm_buf *h, const char *n, const agg_kind *k,
	size_t nk, const char *stem)
{
	size_t i;

	corm_buf_puts(h, "_Generic((a)");
	for (i = 0; i < nk; i++) {
		corm_buf_printf(h, ", \\\n\t%s_agg_%s: ", n, k[i].name);
		if (stem)
			corm_buf_printf(h, "%s_%s%s", n, stem, k[i].name);
		else
			corm_buf_putc(h, '0');
	}
	corm_buf_putc(h, ')');
}

static void emit_agg_decls(corm_buf *h, const corm_model *m,
	const corm_field *const *firsts, size_t nf, const char *upper)
{
	agg_kind *k = corm_calloc(nf + 2, sizeof(*k));
	const char *n = m->snake;
	size_t nk, i;

	if (!k) {
		h->error = CORM_ENOMEM;
		return;
	}
	nk = agg_kinds(k, firsts, nf);
	corm_buf_printf(h, "/* %s aggregates (see docs/queries.md, "
		"\"Aggregates\"). */\n", m->name);
	for (i = 0; i < nk; i++)
		corm_buf_printf(h, "typedef struct %s_agg_%s { int index; } "
			"%s_agg_%s;\n", n, k[i].name, n, k[i].name);
	put_tmpl(h,
		"typedef struct @_agg_list {\n"
		"\tcorm_agg_group *items; /* @_agg_group(), @_agg_get() */\n"
		"\tsize_t count;\n\tcorm_arena arena;\n} @_agg_list;\n\n"
		"@_agg_i64 @_agg_count(@_query *q);\n"
		"@_agg_i64 @_agg_count_(@_query *q, int field);\n", n, NULL);
	for (i = 0; i < nf; i++) {
		const char *fam = family(firsts[i]), *sk = sum_kind(fam);
		const char *mk = minmax_kind(firsts[i]);

		if (sk)
			corm_buf_printf(h, "%s_agg_%s %s_agg_sum_%s(%s_query *q, "
				"%s_%s_col c);\n%s_agg_f64 %s_agg_avg_%s(%s_query *q, "
				"%s_%s_col c);\n", n, sk, n, fam, n, n, fam, n, n, fam, n,
				n, fam);
		if (mk)
			corm_buf_printf(h, "%s_agg_%s %s_agg_min_%s(%s_query *q, "
				"%s_%s_col c);\n%s_agg_%s %s_agg_max_%s(%s_query *q, "
				"%s_%s_col c);\n", n, mk, n, fam, n, n, fam, n, mk, n, fam,
				n, n, fam);
	}
	for (i = 0; i < nk; i++) {
		const char *kn = k[i].name, *ct = kind_ctype(&k[i]);

		corm_buf_printf(h, "%s_pred *%s_having_cmp_%s(%s_query *q, "
			"%s_agg_%s a, corm_cmp op, %s v);\n", n, n, kn, n, n, kn, ct);
		corm_buf_printf(h, "%s %s_agg_get_%s(const corm_agg_group *row, "
			"%s_agg_%s a);\n", ct, n, kn, n, kn);
	}
	put_tmpl(h,
		"void @_having(@_query *q, @_pred *p);\n"
		"void @_order_by_agg_(@_query *q, int agg, unsigned flags);\n"
		"int @_query_aggregates(@_agg_list *out, @_query *q);\n"
		"void @_agg_list_free(@_agg_list *list);\n"
		"const @ *@_agg_group(const corm_agg_group *row);\n"
		"bool @_agg_is_null_(const corm_agg_group *row, int agg);\n"
		"#define @_agg_count_of(q, c) @_agg_count_((q), $__FIELD(c))\n",
		n, upper);
	put_agg_generic(h, m, firsts, nf, "sum", false);
	put_agg_generic(h, m, firsts, nf, "avg", false);
	put_agg_generic(h, m, firsts, nf, "min", true);
	put_agg_generic(h, m, firsts, nf, "max", true);
	corm_buf_printf(h, "#define %s__AGG(a) (", upper);
	put_kind_generic(h, n, k, nk, NULL);
	corm_buf_puts(h, " + (a).index)\n");
	corm_buf_printf(h, "#define %s_having_cmp(q, a, op, ...) ", n);
	put_kind_generic(h, n, k, nk, "having_cmp_");
	corm_buf_puts(h, "((q), (a), (op), __VA_ARGS__)\n");
	{
		static const char *const ops[] = {"eq", "EQ", "ne", "NE", "lt",
			"LT", "le", "LE", "gt", "GT", "ge", "GE"};

		for (i = 0; i < 12; i += 2)
			corm_buf_printf(h, "#define %s_having_%s(q, a, ...) "
				"%s_having_cmp(q, a, CORM_CMP_%s, __VA_ARGS__)\n", n,
				ops[i], n, ops[i + 1]);
	}
	corm_buf_printf(h, "#define %s_agg_get(row, a) ", n);
	put_kind_generic(h, n, k, nk, "agg_get_");
	corm_buf_puts(h, "((row), (a))\n");
	put_tmpl(h,
		"#define @_agg_is_null(row, a) @_agg_is_null_((row), $__AGG(a))\n"
		"#define @_order_by_agg(q, a, flags) @_order_by_agg_((q), "
		"$__AGG(a), (flags))\n\n", n, upper);
	corm_free(k);
}

/* One aggregate's constructor: `ret <n>_agg_<fn>_<fam>(q, c)`. */
static void put_agg_ctor(corm_buf *c, const char *n, const char *kind,
	const char *fn, const char *fam, const char *agg)
{
	corm_buf_printf(c, "%s_agg_%s %s_agg_%s_%s(%s_query *q, %s_%s_col c)\n"
		"{\n\treturn (%s_agg_%s){corm_query_agg((corm_query *)q, %s, "
		"c.field)};\n}\n\n", n, kind, n, fn, fam, n, n, fam, n, kind, agg);
}

static void emit_agg_defs(corm_buf *c, const corm_model *m,
	const corm_field *const *firsts, size_t nf)
{
	agg_kind *k = corm_calloc(nf + 2, sizeof(*k));
	const char *n = m->snake;
	size_t nk, i;

	if (!k) {
		c->error = CORM_ENOMEM;
		return;
	}
	nk = agg_kinds(k, firsts, nf);
	put_tmpl(c,
		"@_agg_i64 @_agg_count(@_query *q)\n{\n"
		"\treturn (@_agg_i64){corm_query_agg((corm_query *)q, "
		"CORM_AGG_COUNT, -1)};\n}\n\n"
		"@_agg_i64 @_agg_count_(@_query *q, int field)\n{\n"
		"\treturn (@_agg_i64){corm_query_agg((corm_query *)q, "
		"CORM_AGG_COUNT, field)};\n}\n\n", n, NULL);
	for (i = 0; i < nf; i++) {
		const char *fam = family(firsts[i]), *sk = sum_kind(fam);
		const char *mk = minmax_kind(firsts[i]);

		if (sk) {
			put_agg_ctor(c, n, sk, "sum", fam, "CORM_AGG_SUM");
			put_agg_ctor(c, n, "f64", "avg", fam, "CORM_AGG_AVG");
		}
		if (mk) {
			put_agg_ctor(c, n, mk, "min", fam, "CORM_AGG_MIN");
			put_agg_ctor(c, n, mk, "max", fam, "CORM_AGG_MAX");
		}
	}
	for (i = 0; i < nk; i++) {
		const char *kn = k[i].name, *ct = kind_ctype(&k[i]);
		bool is_enum = strcmp(kind_member(&k[i]), "enum_value") == 0;

		/* An enum is passed on as the int corm_agg_value holds. */
		corm_buf_printf(c, "%s_pred *%s_having_cmp_%s(%s_query *q, "
			"%s_agg_%s a, corm_cmp op, %s v)\n{\n", n, n, kn, n, n, kn, ct);
		if (is_enum)
			corm_buf_puts(c, "\tint value = (int)v;\n\n");
		corm_buf_printf(c, "\treturn (%s_pred *)corm_pred_agg_cmp("
			"(corm_query *)q, a.index, op, &%s);\n}\n\n", n,
			is_enum ? "value" : "v");
		corm_buf_printf(c, "%s %s_agg_get_%s(const corm_agg_group *row, "
			"%s_agg_%s a)\n{\n\treturn ", ct, n, kn, n, kn);
		if (is_enum)
			corm_buf_printf(c, "(%s)", ct);
		corm_buf_printf(c, "row->values[a.index].v.%s;\n}\n\n",
			kind_member(&k[i]));
	}
	put_tmpl(c,
		"void @_having(@_query *q, @_pred *p)\n{\n"
		"\tcorm_query_having((corm_query *)q, (corm_pred *)p);\n}\n\n"
		"void @_order_by_agg_(@_query *q, int agg, unsigned flags)\n{\n"
		"\tcorm_query_order_by_agg((corm_query *)q, agg, flags);\n}\n\n"
		"int @_query_aggregates(@_agg_list *out, @_query *q)\n{\n"
		"\tcorm_agg_result r;\n"
		"\tint rc = corm_query_aggregates(&r, (corm_query *)q);\n\n"
		"\tout->items = r.items;\n\tout->count = r.count;\n"
		"\tout->arena = r.arena;\n\treturn rc;\n}\n\n"
		"void @_agg_list_free(@_agg_list *list)\n{\n"
		"\tcorm_arena_free(&list->arena);\n\tlist->items = NULL;\n"
		"\tlist->count = 0;\n}\n\n"
		"const @ *@_agg_group(const corm_agg_group *row)\n{\n"
		"\treturn row->group;\n}\n\n"
		"bool @_agg_is_null_(const corm_agg_group *row, int agg)\n{\n"
		"\treturn row->values[agg].is_null;\n}\n\n", n, NULL);
	corm_free(k);
}
