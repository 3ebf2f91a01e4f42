/*
 * lower.c — the syntax tree to the schema IR, with every semantic check.
 *
 * Passes, in order (each reports all it finds, then the next runs on
 * what is usable):
 *   1. names:     models and enums, duplicates, clashes with built-in
 *                 types (C keywords are the emitter's business: it
 *                 renames what C cannot take)
 *   2. enums:     members
 *   3. fields:    types (built-in, enum, relation), attributes and their
 *                 arguments, model attributes
 *   4. keys:      primary keys (@id / @@id), @auto, @unique/@index,
 *                 @@unique/@@index, defaults (checked in defaults.c)
 *   5. relations: the foreign-key column typed like the target's key
 *   6. SQL names: tables and columns after @@map/@map, clashes
 *                 (case-insensitive, as SQLite and MySQL compare them),
 *                 lengths against every dialect, constraint names
 * The IR lives in its own arena, handed to the caller with the schema;
 * scratch data lives in the parse context's arena.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "internal.h"

/* ---------------------------------------------------------------- tables */

typedef struct builtin_type {
	const char *name;
	corm_coltype type;
	int nargs;
} builtin_type;

static const builtin_type builtins[] = {
#define CORM_X_(name, dsl, ctype, family, nargs, flags)                   \
	{dsl, CORM_COL_##name, nargs},
	CORM_COLTYPES(CORM_X_)
#undef CORM_X_
};
#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

enum field_attr {
	FA_ID, FA_AUTO, FA_UNIQUE, FA_INDEX, FA_DEFAULT, FA_MAP, FA_RENAMED,
	FA_ON_DELETE, FA_VERSION, FA__COUNT
};
static const char *const field_attrs[FA__COUNT] = {
	"id", "auto", "unique", "index", "default", "map", "renamed_from",
	"on_delete", "version",
};

enum model_attr {
	MA_ID, MA_UNIQUE, MA_INDEX, MA_MAP, MA_RENAMED, MA__COUNT
};
static const char *const model_attrs[MA__COUNT] = {
	"id", "unique", "index", "map", "renamed_from",
};

static const char *const on_delete_names[] = {
	"no_action", "restrict", "cascade", "set_null",
};

/* ----------------------------------------------------------- working state */

typedef struct field_info {
	const cg_item *item;
	const cg_attr *attr[FA__COUNT];
	bool typed;         /* the type resolved (else: skip type checks) */
	int key_state;      /* relation type resolution: 0 new, 1 busy, 2 done */
	bool key_ok;
} field_info;

typedef struct index_src {
	const cg_attr *attr;  /* @@unique / @@index / @@id */
	size_t *fields;
	size_t nfields;
	bool ok;
} index_src;

typedef struct model_info {
	const cg_decl *decl;
	corm_model *m;
	corm_field *fields;   /* m->fields, writable */
	field_info *fi;
	cg_map by_name;       /* field name -> index */
	const cg_attr *mattr_first[MA__COUNT];
	index_src *srcs;      /* @@id, @@unique and @@index, in order */
	size_t nsrcs;
	bool pk_ok;           /* pk is usable by relations */
} model_info;

enum decl_kind { D_MODEL, D_ENUM, D_BROKEN };

typedef struct lower {
	cg_ctx *c;
	corm_arena *ir;       /* the schema's arena */
	corm_schema *s;
	const cg_file *f;
	cg_map names;         /* model/enum name -> refs index */
	struct decl_ref {
		enum decl_kind kind;
		size_t idx;       /* in models / enums */
		const cg_decl *decl;
	} *refs;
	size_t nrefs;
	corm_model *models;
	model_info *mi;
	size_t nmodels;
	corm_enum *enums;
	const cg_decl **enum_decls;
	size_t nenums;
	const char **type_cands; /* builtins, enums, models: for suggestions */
	size_t ntype_cands;
} lower;

/* ------------------------------------------------------------ IR memory */

static void *ir_alloc(lower *l, size_t n)
{
	void *p;

	if (l->c->oom)
		return NULL;
	p = corm_arena_alloc(l->ir, n ? n : 1);
	if (!p) {
		l->c->oom = true;
		return NULL;
	}
	memset(p, 0, n ? n : 1);
	return p;
}

static void *ir_array(lower *l, size_t count, size_t size)
{
	if (count && size > ((size_t)-1) / count) {
		l->c->oom = true;
		return NULL;
	}
	return ir_alloc(l, count * size);
}

static char *ir_str(lower *l, cg_str s)
{
	char *p = ir_alloc(l, s.n + 1);

	if (p && s.n)
		memcpy(p, s.p, s.n);
	return p;
}

static char *ir_buf(lower *l, corm_buf *b)
{
	char *p;

	if (corm_buf_error(b)) {
		l->c->oom = true;
		corm_buf_free(b);
		return NULL;
	}
	p = ir_str(l, (cg_str){corm_buf_cstr(b), b->len});
	corm_buf_free(b);
	return p;
}

static cg_str S(const char *s)
{
	cg_str r;

	r.p = s;
	r.n = strlen(s);
	return r;
}

static const char *show(lower *l, cg_str s)
{
	return cg_show(l->c, s);
}

static int len_of(cg_str s)
{
	return s.n > 0x7fffffff ? 0x7fffffff : (int)s.n;
}

static const builtin_type *find_builtin(cg_str s)
{
	size_t i;

	for (i = 0; i < NBUILTINS; i++)
		if (cg_eq(s, builtins[i].name))
			return &builtins[i];
	return NULL;
}

static char *snake(lower *l, const char *name)
{
	char *tmp = corm_snake_case(name), *r;

	if (!tmp) {
		l->c->oom = true;
		return NULL;
	}
	r = ir_str(l, S(tmp));
	corm_free(tmp);
	return r;
}

/* ------------------------------------------------------------------ docs */

static void doc_add(lower *l, const char ***lines, size_t *n, size_t *cap,
	const char *p, size_t len)
{
	const char **slot;

	/* The same whitespace the lexer trims from the end of a // comment. */
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t' ||
			p[len - 1] == '\r' || p[len - 1] == '\f' || p[len - 1] == '\v'))
		len--;
	slot = CG_PUSH(l->c, *lines, *n, *cap);
	if (slot)
		*slot = ir_str(l, (cg_str){p, len});
}

/* The text lines of one comment, markers removed. */
static void doc_comment(lower *l, const cg_comment *cm, const char ***lines,
	size_t *n, size_t *cap)
{
	const char *p = cm->text.p;
	size_t len = cm->text.n, start = 0, first = *n, line = 0;

	if (len >= 2 && p[1] == '/') {
		size_t i = 0;

		while (i < len && p[i] == '/')
			i++;
		if (i < len && p[i] == ' ')
			i++;
		doc_add(l, lines, n, cap, p + i, len - i);
		return;
	}
	/* A block comment: strip the markers, and a leading '*' on each
	 * following line. */
	p += 2;
	len -= 2;
	if (len >= 2 && p[len - 2] == '*' && p[len - 1] == '/')
		len -= 2;
	while (len > 0 && *p == '*') {
		p++;
		len--;
	}
	for (;;) {
		const char *nl = memchr(p + start, '\n', len - start);
		size_t end = nl ? (size_t)(nl - p) : len, i = start;

		while (i < end && (p[i] == ' ' || p[i] == '\t'))
			i++;
		if (line > 0 && i < end && p[i] == '*') {
			i++;
			while (i < end && (p[i] == ' ' || p[i] == '\t'))
				i++;
		}
		doc_add(l, lines, n, cap, p + i, end - i);
		if (!nl)
			break;
		start = end + 1;
		line++;
	}
	/* Drop empty lines at both ends of the block. */
	while (*n > first && (*lines)[first] && (*lines)[first][0] == '\0') {
		memmove(&(*lines)[first], &(*lines)[first + 1],
			(*n - first - 1) * sizeof(**lines));
		(*n)--;
	}
	while (*n > first && (*lines)[*n - 1] && (*lines)[*n - 1][0] == '\0')
		(*n)--;
}

/* Doc lines: the comments right above (no blank line in between), then
 * the comments on the same line. */
static corm_doc make_doc(lower *l, const cg_comments *leading,
	bool blank_before_item, const cg_comments *trailing)
{
	corm_doc d = {NULL, 0};
	const char **lines = NULL, **out;
	size_t n = 0, cap = 0, i;

	if (leading && leading->n && !blank_before_item) {
		size_t from = leading->n - 1;

		while (from > 0 && !leading->items[from].blank_before)
			from--;
		for (i = from; i < leading->n; i++)
			doc_comment(l, &leading->items[i], &lines, &n, &cap);
	}
	for (i = 0; trailing && i < trailing->n; i++)
		doc_comment(l, &trailing->items[i], &lines, &n, &cap);
	if (!n)
		return d;
	out = ir_array(l, n, sizeof(*out));
	if (!out)
		return d;
	memcpy(out, lines, n * sizeof(*out));
	d.lines = out;
	d.nlines = n;
	return d;
}

/* --------------------------------------------------------------- 1. names */

static void check_decl_name(lower *l, const cg_decl *d)
{
	const char *what = d->is_enum ? "enum" : "model";

	/* C keywords are fine: the emitter renames what C cannot take. */
	if (find_builtin(d->name))
		cg_error(l->c, d->name_loc, len_of(d->name),
			"%s name '%s' is a built-in type", what, show(l, d->name));
}

static void pass_names(lower *l)
{
	const cg_file *f = l->f;
	size_t i, nm = 0, ne = 0;

	l->refs = cg_alloc(l->c, (f->ndecls + 1) * sizeof(*l->refs));
	for (i = 0; i < f->ndecls; i++) {
		if (f->decls[i].name.n && !f->decls[i].broken) {
			if (f->decls[i].is_enum)
				ne++;
			else
				nm++;
		}
	}
	l->models = ir_array(l, nm + 1, sizeof(*l->models));
	l->mi = cg_alloc(l->c, (nm + 1) * sizeof(*l->mi));
	l->enums = ir_array(l, ne + 1, sizeof(*l->enums));
	l->enum_decls = cg_alloc(l->c, (ne + 1) * sizeof(*l->enum_decls));
	if (!l->refs || !l->models || !l->mi || !l->enums || !l->enum_decls)
		return;

	for (i = 0; i < f->ndecls && !l->c->stop; i++) {
		const cg_decl *d = &f->decls[i];
		struct decl_ref *r;
		size_t old;
		int rc;

		if (!d->name.n)
			continue;
		r = &l->refs[l->nrefs];
		r->decl = d;
		if (d->broken)
			r->kind = D_BROKEN;
		else if (d->is_enum)
			r->kind = D_ENUM;
		else
			r->kind = D_MODEL;
		rc = cg_map_put(&l->names, d->name, l->nrefs, &old);
		if (rc < 0) {
			l->c->oom = true;
			return;
		}
		if (rc == 1) {
			const cg_decl *prev = l->refs[old].decl;

			if (!d->broken) {
				cg_error(l->c, d->name_loc, len_of(d->name),
					"redefinition of '%s'", show(l, d->name));
				cg_note(l->c, prev->name_loc, len_of(prev->name),
					"previous definition of '%s' (%s) is here",
					show(l, prev->name), prev->is_enum ? "an enum"
					: "a model");
			}
			continue;
		}
		l->nrefs++;
		if (d->broken)
			continue;
		check_decl_name(l, d);
		if (d->is_enum) {
			corm_enum *e = &l->enums[l->nenums];

			r->idx = l->nenums;
			l->enum_decls[l->nenums] = d;
			e->name = ir_str(l, d->name);
			e->snake = e->name ? snake(l, e->name) : NULL;
			e->loc = d->name_loc;
			e->index = l->nenums;
			e->doc = make_doc(l, &d->leading, d->blank_before, &d->header);
			l->nenums++;
		} else {
			corm_model *m = &l->models[l->nmodels];

			r->idx = l->nmodels;
			l->mi[l->nmodels].decl = d;
			l->mi[l->nmodels].m = m;
			m->name = ir_str(l, d->name);
			m->snake = m->name ? snake(l, m->name) : NULL;
			m->loc = d->name_loc;
			m->index = l->nmodels;
			m->doc = make_doc(l, &d->leading, d->blank_before, &d->header);
			l->nmodels++;
		}
	}

	/* Candidates for "did you mean" on types. */
	l->type_cands = cg_alloc(l->c,
		(NBUILTINS + l->nenums + l->nmodels + 1) * sizeof(char *));
	if (!l->type_cands)
		return;
	for (i = 0; i < NBUILTINS; i++)
		l->type_cands[l->ntype_cands++] = builtins[i].name;
	for (i = 0; i < l->nenums; i++)
		if (l->enums[i].name)
			l->type_cands[l->ntype_cands++] = l->enums[i].name;
	for (i = 0; i < l->nmodels; i++)
		if (l->models[i].name)
			l->type_cands[l->ntype_cands++] = l->models[i].name;
}

static const struct decl_ref *find_decl(lower *l, cg_str name)
{
	size_t i;

	if (!cg_map_get(&l->names, name, &i))
		return NULL;
	return &l->refs[i];
}

/* --------------------------------------------------------------- 2. enums */

static void pass_enums(lower *l)
{
	size_t i, j;

	for (i = 0; i < l->nenums && !l->c->stop; i++) {
		corm_enum *e = &l->enums[i];
		const cg_decl *d = l->enum_decls[i];
		corm_enum_member *members;
		cg_map seen = {NULL, 0, 0, false};
		size_t n = 0;

		members = ir_array(l, d->nitems + 1, sizeof(*members));
		if (!members)
			return;
		for (j = 0; j < d->nitems; j++) {
			const cg_item *it = &d->items[j];
			size_t old;
			int rc;

			if (it->broken || it->kind != CG_ITEM_MEMBER)
				continue;
			rc = cg_map_put(&seen, it->name, j, &old);
			if (rc < 0) {
				l->c->oom = true;
				break;
			}
			if (rc == 1) {
				cg_error(l->c, it->name_loc, len_of(it->name),
					"duplicate member '%s' in enum '%s'",
					show(l, it->name), e->name);
				cg_note(l->c, d->items[old].name_loc,
					len_of(d->items[old].name),
					"previous declaration is here");
				continue;
			}
			if (it->name.n > CORM_ENUM_COLUMN_LEN)
				cg_error(l->c, it->name_loc, len_of(it->name),
					"enum member '%s' is %zu bytes long; members are stored "
					"as text of at most %d bytes", show(l, it->name),
					it->name.n, CORM_ENUM_COLUMN_LEN);
			members[n].name = ir_str(l, it->name);
			members[n].loc = it->name_loc;
			members[n].doc = make_doc(l, &it->leading, it->blank_before,
				&it->trailing);
			n++;
		}
		cg_map_free(&seen);
		if (n == 0 && !d->had_errors)
			cg_error(l->c, d->name_loc, len_of(d->name),
				"enum '%s' has no members", e->name);
		e->members = members;
		e->nmembers = n;
	}
}

/* -------------------------------------------------------------- 3. fields */

/* An integer argument of a type, e.g. the N of string(N). */
static bool type_int_arg(lower *l, const cg_value *v, const char *what,
	long min, long max, int *out)
{
	long val = 0;
	size_t i;

	if (v->kind != CG_VAL_INT || v->text.p[0] == '-') {
		cg_error(l->c, v->loc, v->len, "expected a whole number for the %s",
			what);
		return false;
	}
	for (i = 0; i < v->text.n; i++) {
		val = val * 10 + (v->text.p[i] - '0');
		if (val > max)
			break;
	}
	if (val < min || val > max) {
		cg_error(l->c, v->loc, v->len,
			"%s must be between %ld and %ld, not %s", what, min, max,
			show(l, v->text));
		return false;
	}
	*out = (int)val;
	return true;
}

static void resolve_type(lower *l, model_info *mi, size_t fidx)
{
	corm_field *fd = &mi->fields[fidx];
	field_info *fi = &mi->fi[fidx];
	const cg_item *it = fi->item;
	const builtin_type *b = find_builtin(it->type);
	const struct decl_ref *r;

	fd->type_name = ir_str(l, it->type);
	if (b) {
		fd->kind = CORM_FIELD_SCALAR;
		fd->type = b->type;
		if (b->nargs == 0) {
			if (it->type_parens) {
				cg_error(l->c, it->type_loc, len_of(it->type),
					"type '%s' takes no arguments", b->name);
				return;
			}
			fi->typed = true;
			return;
		}
		if (!it->type_parens || it->ntype_args != (size_t)b->nargs) {
			if (b->type == CORM_COL_STRING)
				cg_error(l->c, it->type_loc, len_of(it->type),
					"type 'string' needs a length: string(N) (or use "
					"text for unbounded text)");
			else
				cg_error(l->c, it->type_loc, len_of(it->type),
					"type 'decimal' needs a precision and a scale: "
					"decimal(P, S)");
			return;
		}
		if (b->type == CORM_COL_STRING) {
			if (!type_int_arg(l, &it->type_args[0], "string length", 1,
					CORM_STRING_MAX_LEN, &fd->len))
				return;
		} else {
			bool ok = type_int_arg(l, &it->type_args[0],
				"decimal precision", 1, CORM_DECIMAL_MAX_PRECISION,
				&fd->precision);

			ok = type_int_arg(l, &it->type_args[1], "decimal scale", 0,
					CORM_DECIMAL_MAX_SCALE, &fd->scale) && ok;
			if (!ok)
				return;
			if (fd->scale > fd->precision) {
				cg_error(l->c, it->type_args[1].loc, it->type_args[1].len,
					"decimal scale %d is greater than its precision %d",
					fd->scale, fd->precision);
				return;
			}
		}
		fi->typed = true;
		return;
	}

	r = find_decl(l, it->type);
	if (r && r->kind != D_BROKEN && it->type_parens) {
		cg_error(l->c, it->type_loc, len_of(it->type),
			"type '%s' takes no arguments", show(l, it->type));
		return;
	}
	if (r && r->kind == D_ENUM) {
		fd->kind = CORM_FIELD_ENUM;
		fd->enum_type = &l->enums[r->idx];
		fd->type = CORM_COL_STRING;
		fd->len = CORM_ENUM_COLUMN_LEN;
		fi->typed = true;
		return;
	}
	if (r && r->kind == D_MODEL) {
		fd->kind = CORM_FIELD_RELATION;
		fd->target = &l->models[r->idx];
		fi->typed = true;
		return;
	}
	if (r)
		return; /* a broken declaration: already reported */
	{
		const char *s = cg_suggest(it->type, l->type_cands, l->ntype_cands);

		if (s)
			cg_error(l->c, it->type_loc, len_of(it->type),
				"unknown type '%s' (did you mean '%s'?)",
				show(l, it->type), s);
		else
			cg_error(l->c, it->type_loc, len_of(it->type),
				"unknown type '%s'", show(l, it->type));
	}
}

/* Check the arguments of a field attribute by shape. */
static bool field_attr_args(lower *l, enum field_attr k, const cg_attr *a)
{
	const char *name = field_attrs[k];

	switch (k) {
	case FA_ID:
	case FA_AUTO:
	case FA_UNIQUE:
	case FA_INDEX:
	case FA_VERSION:
		if (a->parens) {
			cg_error(l->c, a->loc, a->len, "'@%s' takes no arguments", name);
			return false;
		}
		return true;
	default:
		break;
	}
	if (a->nargs != 1) {
		cg_error(l->c, a->loc, a->len, "'@%s' takes one argument: %s", name,
			k == FA_DEFAULT ? "@default(value)"
			: k == FA_MAP ? "@map(\"column\")"
			: k == FA_RENAMED ? "@renamed_from(old_name)"
			: "@on_delete(cascade|restrict|set_null|no_action)");
		return false;
	}
	switch (k) {
	case FA_DEFAULT:
		if (a->args[0].kind == CG_VAL_LIST) {
			cg_error(l->c, a->args[0].loc, a->args[0].len,
				"a default is a single value, not a list");
			return false;
		}
		return true;
	case FA_MAP:
		if (a->args[0].kind != CG_VAL_STRING) {
			cg_error(l->c, a->args[0].loc, a->args[0].len,
				"'@map' takes the column name as a string: @map(\"%s\")",
				a->args[0].kind == CG_VAL_IDENT ? show(l, a->args[0].text)
				: "column");
			return false;
		}
		return true;
	case FA_RENAMED:
		if (a->args[0].kind != CG_VAL_IDENT) {
			cg_error(l->c, a->args[0].loc, a->args[0].len,
				"'@renamed_from' takes the old field name: "
				"@renamed_from(old_name)");
			return false;
		}
		return true;
	case FA_ON_DELETE: {
		const cg_value *v = &a->args[0];
		const char *sug;
		size_t i;

		if (v->kind != CG_VAL_IDENT) {
			cg_error(l->c, v->loc, v->len,
				"'@on_delete' takes one of cascade, restrict, set_null or "
				"no_action");
			return false;
		}
		for (i = 0; i < 4; i++)
			if (cg_eq(v->text, on_delete_names[i]))
				return true;
		sug = cg_suggest(v->text, on_delete_names, 4);
		if (sug)
			cg_error(l->c, v->loc, v->len,
				"unknown @on_delete action '%s' (did you mean '%s'?)",
				show(l, v->text), sug);
		else
			cg_error(l->c, v->loc, v->len,
				"unknown @on_delete action '%s'; expected cascade, "
				"restrict, set_null or no_action", show(l, v->text));
		return false;
	}
	default:
		return true;
	}
}

static void unknown_attr(lower *l, const cg_attr *a, const char *const *names,
	size_t n, bool model_level)
{
	const char *prefix = model_level ? "@@" : "@";
	const char *s = cg_suggest(a->name, names, n);
	size_t i;

	/* @@map on a field, or @unique among model attributes. */
	if (!s) {
		const char *const *other = model_level ? field_attrs : model_attrs;
		size_t no = model_level ? FA__COUNT : MA__COUNT;

		for (i = 0; i < no; i++) {
			if (cg_eq(a->name, other[i])) {
				cg_error(l->c, a->loc, a->len,
					"'%s%s' is a %s attribute; did you mean '%s%s'?",
					model_level ? "@@" : "@", show(l, a->name),
					model_level ? "model" : "field",
					model_level ? "@" : "@@", show(l, a->name));
				return;
			}
		}
	}
	if (s)
		cg_error(l->c, a->loc, a->len,
			"unknown attribute '%s%s' (did you mean '%s%s'?)", prefix,
			show(l, a->name), prefix, s);
	else
		cg_error(l->c, a->loc, a->len, "unknown attribute '%s%s'", prefix,
			show(l, a->name));
}

static void field_attributes(lower *l, model_info *mi, size_t fidx)
{
	field_info *fi = &mi->fi[fidx];
	const cg_item *it = fi->item;
	size_t i;

	for (i = 0; i < it->nattrs; i++) {
		const cg_attr *a = &it->attrs[i];
		int k;

		for (k = 0; k < FA__COUNT; k++)
			if (cg_eq(a->name, field_attrs[k]))
				break;
		if (k == FA__COUNT) {
			unknown_attr(l, a, field_attrs, FA__COUNT, false);
			continue;
		}
		if (fi->attr[k]) {
			cg_error(l->c, a->loc, a->len, "duplicate attribute '@%s'",
				field_attrs[k]);
			cg_note(l->c, fi->attr[k]->loc, fi->attr[k]->len,
				"first given here");
			continue;
		}
		if (field_attr_args(l, (enum field_attr)k, a))
			fi->attr[k] = a;
	}
}

/* @@id / @@unique / @@index: a list of field names, resolved later. */
static void model_attribute(lower *l, model_info *mi, const cg_attr *a)
{
	int k;

	for (k = 0; k < MA__COUNT; k++)
		if (cg_eq(a->name, model_attrs[k]))
			break;
	if (k == MA__COUNT) {
		unknown_attr(l, a, model_attrs, MA__COUNT, true);
		return;
	}
	if ((k == MA_ID || k == MA_MAP || k == MA_RENAMED) &&
		mi->mattr_first[k]) {
		cg_error(l->c, a->loc, a->len, "duplicate attribute '@@%s'",
			model_attrs[k]);
		cg_note(l->c, mi->mattr_first[k]->loc, mi->mattr_first[k]->len,
			"first given here");
		return;
	}
	if (a->nargs != 1) {
		cg_error(l->c, a->loc, a->len, "'@@%s' takes one argument: %s",
			model_attrs[k],
			k == MA_MAP ? "@@map(\"table\")"
			: k == MA_RENAMED ? "@@renamed_from(OldName)"
			: k == MA_ID ? "@@id([a, b])"
			: k == MA_UNIQUE ? "@@unique([a, b])" : "@@index([a, b])");
		return;
	}
	switch (k) {
	case MA_MAP:
		if (a->args[0].kind != CG_VAL_STRING) {
			cg_error(l->c, a->args[0].loc, a->args[0].len,
				"'@@map' takes the table name as a string: @@map(\"%s\")",
				a->args[0].kind == CG_VAL_IDENT ? show(l, a->args[0].text)
				: "table");
			return;
		}
		break;
	case MA_RENAMED:
		if (a->args[0].kind != CG_VAL_IDENT) {
			cg_error(l->c, a->args[0].loc, a->args[0].len,
				"'@@renamed_from' takes the old model name: "
				"@@renamed_from(OldName)");
			return;
		}
		break;
	default:
		if (a->args[0].kind != CG_VAL_LIST) {
			cg_error(l->c, a->args[0].loc, a->args[0].len,
				"'@@%s' takes a list of fields: @@%s([%s])",
				model_attrs[k], model_attrs[k],
				a->args[0].kind == CG_VAL_IDENT ? show(l, a->args[0].text)
				: "a, b");
			return;
		}
		if (a->args[0].nitems == 0) {
			cg_error(l->c, a->args[0].loc, a->args[0].len,
				"'@@%s' needs at least one field", model_attrs[k]);
			return;
		}
		mi->srcs[mi->nsrcs++].attr = a; /* sized for every @@ line */
		break;
	}
	if (!mi->mattr_first[k])
		mi->mattr_first[k] = a;
}

static void pass_fields(lower *l)
{
	size_t i, j;

	for (i = 0; i < l->nmodels && !l->c->stop; i++) {
		model_info *mi = &l->mi[i];
		const cg_decl *d = mi->decl;
		size_t n = 0, nsrc = 0;

		mi->fields = ir_array(l, d->nitems + 1, sizeof(*mi->fields));
		mi->fi = cg_alloc(l->c, (d->nitems + 1) * sizeof(*mi->fi));
		for (j = 0; j < d->nitems; j++)
			if (d->items[j].kind == CG_ITEM_MODEL_ATTR)
				nsrc++;
		mi->srcs = cg_alloc(l->c, (nsrc + 1) * sizeof(*mi->srcs));
		if (!mi->fields || !mi->fi || !mi->srcs)
			return;
		for (j = 0; j < d->nitems && !l->c->stop; j++) {
			const cg_item *it = &d->items[j];
			corm_field *fd;
			size_t old;
			int rc;

			if (it->broken)
				continue;
			if (it->kind == CG_ITEM_MODEL_ATTR) {
				model_attribute(l, mi, &it->attrs[0]);
				continue;
			}
			rc = cg_map_put(&mi->by_name, it->name, n, &old);
			if (rc < 0) {
				l->c->oom = true;
				return;
			}
			if (rc == 1) {
				cg_error(l->c, it->name_loc, len_of(it->name),
					"duplicate field '%s' in model '%s'", show(l, it->name),
					mi->m->name);
				cg_note(l->c, mi->fi[old].item->name_loc,
					len_of(mi->fi[old].item->name),
					"previous declaration is here");
				continue;
			}
			fd = &mi->fields[n];
			mi->fi[n].item = it;
			fd->name = ir_str(l, it->name);
			fd->loc = it->name_loc;
			fd->index = n;
			fd->nullable = it->optional;
			fd->doc = make_doc(l, &it->leading, it->blank_before,
				&it->trailing);
			n++;
			resolve_type(l, mi, n - 1);
			field_attributes(l, mi, n - 1);
		}
		mi->m->fields = mi->fields;
		mi->m->nfields = n;
	}
}

/* ---------------------------------------------------------------- 4. keys */

static bool broken_item_named(const cg_decl *d, cg_str name)
{
	size_t i;

	for (i = 0; i < d->nitems; i++)
		if (d->items[i].broken && d->items[i].name.n &&
			d->items[i].name.n == name.n &&
			memcmp(d->items[i].name.p, name.p, name.n) == 0)
			return true;
	return false;
}

/* Resolve the field names of a list attribute. */
static bool resolve_list(lower *l, model_info *mi, const cg_attr *a,
	size_t **out, size_t *nout)
{
	const cg_value *list = &a->args[0];
	size_t *idx = cg_alloc(l->c, (list->nitems + 1) * sizeof(*idx));
	size_t i, j, n = 0;
	bool ok = true;
	const char **cands;

	if (!idx)
		return false;
	cands = cg_alloc(l->c, (mi->m->nfields + 1) * sizeof(*cands));
	if (!cands)
		return false;
	for (i = 0; i < mi->m->nfields; i++)
		cands[i] = mi->fields[i].name;
	for (i = 0; i < list->nitems; i++) {
		const cg_value *v = &list->items[i];
		size_t f;

		if (!cg_map_get(&mi->by_name, v->text, &f)) {
			const char *s;

			ok = false;
			if (broken_item_named(mi->decl, v->text))
				continue;
			s = cg_suggest(v->text, cands, mi->m->nfields);
			if (s)
				cg_error(l->c, v->loc, v->len,
					"unknown field '%s' in '@@%s' (did you mean '%s'?)",
					show(l, v->text), show(l, a->name), s);
			else
				cg_error(l->c, v->loc, v->len,
					"unknown field '%s' in '@@%s' of model '%s'",
					show(l, v->text), show(l, a->name), mi->m->name);
			continue;
		}
		for (j = 0; j < n; j++) {
			if (idx[j] == f) {
				cg_error(l->c, v->loc, v->len,
					"field '%s' is listed twice in '@@%s'",
					show(l, v->text), show(l, a->name));
				ok = false;
				break;
			}
		}
		if (j == n)
			idx[n++] = f;
	}
	*out = idx;
	*nout = n;
	return ok;
}

/* @version: one non-null integer per model, not part of the key (the
 * key finds the row, the version says whether it changed). */
static void version_semantics(lower *l, model_info *mi, corm_field *fd,
	const cg_attr *a)
{
	size_t i;

	if (fd->kind != CORM_FIELD_SCALAR || !corm_coltype_is(fd->type, CORM_COLF_INTEGER))
		cg_error(l->c, a->loc, a->len, "'@version' needs an integer field "
			"(i16, i32 or i64); '%s' is %s", fd->name,
			cg_type_text(l->c, fd));
	else if (fd->nullable)
		cg_error(l->c, a->loc, a->len, "'@version' field '%s' cannot be "
			"optional: write '%s %s'", fd->name, fd->name, fd->type_name);
	else if (fd->is_id || fd->is_auto)
		cg_error(l->c, a->loc, a->len, "'@version' field '%s' cannot be "
			"the key or @auto", fd->name);
	for (i = 0; i < fd->index; i++)
		if (mi->fields[i].is_version) {
			cg_error(l->c, a->loc, a->len, "model '%s' has two @version "
				"fields ('%s' and '%s')", mi->m->name,
				mi->fields[i].name, fd->name);
			break;
		}
}

/* Per-field attribute semantics (types are known). */
static void field_semantics(lower *l, model_info *mi, size_t fidx)
{
	corm_field *fd = &mi->fields[fidx];
	field_info *fi = &mi->fi[fidx];
	const cg_attr **a = fi->attr;

	fd->is_id = a[FA_ID] != NULL;
	fd->is_auto = a[FA_AUTO] != NULL;
	fd->is_unique = a[FA_UNIQUE] != NULL;
	fd->is_index = a[FA_INDEX] != NULL;
	fd->is_version = a[FA_VERSION] != NULL;

	if (a[FA_MAP]) {
		const cg_value *v = &a[FA_MAP]->args[0];
		size_t i;

		for (i = 0; i < v->str.n; i++)
			if ((unsigned char)v->str.p[i] < 0x20)
				break;
		if (v->str.n == 0)
			cg_error(l->c, v->loc, v->len, "empty column name");
		else if (i < v->str.n)
			cg_error(l->c, v->loc, v->len,
				"control character in a column name");
		else {
			fd->column = ir_str(l, v->str);
			fd->column_mapped = true;
		}
	}
	if (a[FA_RENAMED]) {
		const cg_value *v = &a[FA_RENAMED]->args[0];
		size_t other;

		if (cg_eq(v->text, fd->name))
			cg_error(l->c, v->loc, v->len,
				"field '%s' cannot be renamed from itself", fd->name);
		else if (cg_map_get(&mi->by_name, v->text, &other))
			cg_error(l->c, v->loc, v->len,
				"cannot rename '%s' from '%s': model '%s' still has a "
				"field '%s'", fd->name, show(l, v->text), mi->m->name,
				show(l, v->text));
		else
			fd->renamed_from = ir_str(l, v->text);
	}
	if (a[FA_UNIQUE] && a[FA_ID])
		cg_warning(l->c, a[FA_UNIQUE]->loc, a[FA_UNIQUE]->len,
			"'@unique' is redundant on the primary key '%s'", fd->name);
	if (a[FA_INDEX] && (a[FA_UNIQUE] || a[FA_ID]))
		cg_warning(l->c, a[FA_INDEX]->loc, a[FA_INDEX]->len,
			"'@index' is redundant: '%s' already has a unique index",
			fd->name);

	if (!fi->typed)
		return;
	if (a[FA_ON_DELETE]) {
		const cg_value *v = &a[FA_ON_DELETE]->args[0];
		size_t k;

		for (k = 0; k < 4; k++)
			if (cg_eq(v->text, on_delete_names[k]))
				fd->on_delete = (corm_on_delete)k;
		if (fd->kind != CORM_FIELD_RELATION)
			cg_error(l->c, a[FA_ON_DELETE]->loc, a[FA_ON_DELETE]->len,
				"'@on_delete' applies only to relation fields; '%s' is %s",
				fd->name, cg_type_text(l->c, fd));
		else if (fd->on_delete == CORM_ON_DELETE_SET_NULL && !fd->nullable)
			cg_error(l->c, v->loc, v->len,
				"'@on_delete(set_null)' needs an optional relation: "
				"write '%s %s?'", fd->name, fd->type_name);
	}
	if (a[FA_AUTO]) {
		if (fd->kind != CORM_FIELD_SCALAR || !corm_coltype_is(fd->type, CORM_COLF_INTEGER))
			cg_error(l->c, a[FA_AUTO]->loc, a[FA_AUTO]->len,
				"'@auto' needs an integer field (i16, i32 or i64); '%s' "
				"is %s", fd->name, cg_type_text(l->c, fd));
	}
	if (a[FA_VERSION])
		version_semantics(l, mi, fd, a[FA_VERSION]);
	if (a[FA_DEFAULT]) {
		if (fd->kind == CORM_FIELD_RELATION)
			cg_error(l->c, a[FA_DEFAULT]->loc, a[FA_DEFAULT]->len,
				"relation field '%s' cannot have a default", fd->name);
		else if (a[FA_AUTO])
			cg_error(l->c, a[FA_DEFAULT]->loc, a[FA_DEFAULT]->len,
				"field '%s' cannot have both @auto and @default", fd->name);
		else
			cg_check_default(l->c, l->ir, fd, &a[FA_DEFAULT]->args[0],
				fd->enum_type
				&& l->enum_decls[fd->enum_type->index]->had_errors);
	}
}

/* MySQL can key a TEXT/BLOB/JSON column only by a prefix, which would
 * make a unique constraint lie; the schema must work on every engine. */
static void check_indexable(lower *l, model_info *mi, const corm_index *ix,
	const char *what)
{
	size_t i;

	for (i = 0; i < ix->nfields; i++) {
		const corm_field *f = &mi->m->fields[ix->fields[i]];

		if (corm_coltype_is(f->type, CORM_COLF_UNKEYED))
			cg_error(l->c, ix->loc, 1, "field '%s' is %s and cannot be in %s "
				"(MySQL keys only a prefix of such columns); use "
				"string(N)%s", f->name, corm_coltype_name(f->type), what,
				f->type == CORM_COL_TEXT ? " instead of text" : "");
	}
}

static void index_list(lower *l, model_info *mi, bool unique)
{
	corm_index *arr;
	size_t i, n = 0, total = 0;

	for (i = 0; i < mi->m->nfields; i++)
		if (unique ? mi->fields[i].is_unique : mi->fields[i].is_index)
			total++;
	for (i = 0; i < mi->nsrcs; i++)
		if (cg_eq(mi->srcs[i].attr->name, unique ? "unique" : "index"))
			total++;
	arr = ir_array(l, total + 1, sizeof(*arr));
	if (!arr)
		return;
	for (i = 0; i < mi->m->nfields; i++) {
		size_t *one;

		if (!(unique ? mi->fields[i].is_unique : mi->fields[i].is_index))
			continue;
		one = ir_alloc(l, sizeof(*one));
		if (!one)
			return;
		*one = i;
		arr[n].fields = one;
		arr[n].nfields = 1;
		arr[n].from_field = true;
		arr[n].loc = mi->fi[i].attr[unique ? FA_UNIQUE : FA_INDEX]->loc;
		n++;
	}
	for (i = 0; i < mi->nsrcs; i++) {
		index_src *src = &mi->srcs[i];
		size_t *f;

		if (!cg_eq(src->attr->name, unique ? "unique" : "index") || !src->ok)
			continue;
		f = ir_array(l, src->nfields, sizeof(*f));
		if (!f)
			return;
		memcpy(f, src->fields, src->nfields * sizeof(*f));
		arr[n].fields = f;
		arr[n].nfields = src->nfields;
		arr[n].loc = src->attr->loc;
		n++;
	}
	for (i = 0; i < n; i++)
		check_indexable(l, mi, &arr[i],
			unique ? "a unique constraint" : "an index");
	if (unique) {
		mi->m->uniques = arr;
		mi->m->nuniques = n;
	} else {
		mi->m->indexes = arr;
		mi->m->nindexes = n;
	}
}

static void primary_key(lower *l, model_info *mi)
{
	corm_model *m = mi->m;
	const cg_attr *mid = mi->mattr_first[MA_ID];
	index_src *src = NULL;
	size_t i, first_id = (size_t)-1;
	bool ok = true;

	for (i = 0; i < mi->nsrcs; i++)
		if (mi->srcs[i].attr == mid)
			src = &mi->srcs[i];
	for (i = 0; i < m->nfields; i++) {
		const cg_attr *a = mi->fi[i].attr[FA_ID];

		if (!a)
			continue;
		if (mid) {
			cg_error(l->c, mid->loc, mid->len,
				"model '%s' has two primary keys: '@@id' and '@id' on '%s'",
				m->name, mi->fields[i].name);
			cg_note(l->c, a->loc, a->len, "'@id' given here");
			ok = false;
		} else if (first_id != (size_t)-1) {
			cg_error(l->c, a->loc, a->len,
				"'@id' on more than one field; write "
				"@@id([%s, %s]) for a composite primary key",
				mi->fields[first_id].name, mi->fields[i].name);
			cg_note(l->c, mi->fi[first_id].attr[FA_ID]->loc,
				mi->fi[first_id].attr[FA_ID]->len,
				"first '@id' is here");
			ok = false;
		} else {
			first_id = i;
		}
	}
	if (!ok)
		return;
	if (mid) {
		if (!src || !src->ok)
			return;
		m->pk.fields = ir_array(l, src->nfields, sizeof(size_t));
		if (!m->pk.fields)
			return;
		memcpy((size_t *)m->pk.fields, src->fields,
			src->nfields * sizeof(size_t));
		m->pk.nfields = src->nfields;
		m->pk.loc = mid->loc;
		m->pk_from_model = true;
	} else if (first_id != (size_t)-1) {
		size_t *one = ir_alloc(l, sizeof(*one));

		if (!one)
			return;
		*one = first_id;
		m->pk.fields = one;
		m->pk.nfields = 1;
		m->pk.loc = mi->fi[first_id].attr[FA_ID]->loc;
	} else {
		if (!mi->decl->had_errors)
			cg_error(l->c, m->loc, len_of(mi->decl->name),
				"model '%s' has no primary key (add '@id' to a field, "
				"or '@@id([a, b])')", m->name);
		return;
	}
	/* @auto: only on the key, and only when it is a single column. */
	for (i = 0; i < m->nfields; i++) {
		const cg_attr *aa = mi->fi[i].attr[FA_AUTO];
		size_t k;

		if (!aa)
			continue;
		for (k = 0; k < m->pk.nfields; k++)
			if (m->pk.fields[k] == i)
				break;
		if (k == m->pk.nfields)
			cg_error(l->c, aa->loc, aa->len,
				"'@auto' is only allowed on the primary key; add '@id' to "
				"'%s'", mi->fields[i].name);
		else if (m->pk.nfields > 1)
			cg_error(l->c, aa->loc, aa->len,
				"'@auto' cannot be part of a composite primary key");
	}
	for (i = 0; i < m->pk.nfields; i++) {
		const corm_field *fd = &mi->fields[m->pk.fields[i]];

		if (fd->nullable) {
			cg_error(l->c, fd->loc, len_of(mi->fi[fd->index].item->name),
				"primary key field '%s' cannot be optional", fd->name);
			ok = false;
		}
	}
	mi->pk_ok = ok;
}

static void pass_keys(lower *l)
{
	size_t i, j;

	for (i = 0; i < l->nmodels && !l->c->stop; i++) {
		model_info *mi = &l->mi[i];
		corm_model *m = mi->m;

		if (!mi->fields)
			continue;
		for (j = 0; j < mi->nsrcs; j++)
			mi->srcs[j].ok = resolve_list(l, mi, mi->srcs[j].attr,
				&mi->srcs[j].fields, &mi->srcs[j].nfields);
		for (j = 0; j < m->nfields; j++)
			field_semantics(l, mi, j);
		primary_key(l, mi);
		if (m->pk.nfields)
			check_indexable(l, mi, &m->pk, "a primary key");
		index_list(l, mi, true);
		index_list(l, mi, false);
		cg_map_free(&mi->by_name); /* names are not looked up after this */

		if (mi->mattr_first[MA_MAP]) {
			const cg_value *v = &mi->mattr_first[MA_MAP]->args[0];
			size_t k;

			for (k = 0; k < v->str.n; k++)
				if ((unsigned char)v->str.p[k] < 0x20)
					break;
			if (v->str.n == 0)
				cg_error(l->c, v->loc, v->len, "empty table name");
			else if (k < v->str.n)
				cg_error(l->c, v->loc, v->len,
					"control character in a table name");
			else {
				m->table = ir_str(l, v->str);
				m->table_mapped = true;
			}
		}
		if (mi->mattr_first[MA_RENAMED]) {
			const cg_value *v = &mi->mattr_first[MA_RENAMED]->args[0];
			const struct decl_ref *r = find_decl(l, v->text);

			if (cg_eq(v->text, m->name))
				cg_error(l->c, v->loc, v->len,
					"model '%s' cannot be renamed from itself", m->name);
			else if (r)
				cg_error(l->c, v->loc, v->len,
					"cannot rename '%s' from '%s': '%s' is still declared",
					m->name, show(l, v->text), show(l, v->text));
			else
				m->renamed_from = ir_str(l, v->text);
		}
	}
}

/* ----------------------------------------------------------- 5. relations */

/* Type a relation's column like the target's key; false when it cannot
 * be (reported). */
static bool resolve_relation(lower *l, model_info *mi, size_t fidx)
{
	corm_field *fd = &mi->fields[fidx];
	field_info *fi = &mi->fi[fidx];
	const corm_model *tm = fd->target;
	model_info *tmi = &l->mi[tm->index];
	const corm_field *key;

	if (fi->key_state == 2)
		return fi->key_ok;
	if (fi->key_state == 1) {
		cg_error(l->c, fd->loc, len_of(fi->item->name),
			"relation '%s' leads back to itself through primary keys; its "
			"column type cannot be found", fd->name);
		fi->key_state = 2;
		return false;
	}
	fi->key_state = 1;
	fi->key_ok = false;
	if (!tmi->pk_ok || tm->pk.nfields == 0) {
		/* The target's own error explains it. */
	} else if (tm->pk.nfields > 1) {
		corm_buf b = CORM_BUF_INIT;
		size_t i;

		for (i = 0; i < tm->pk.nfields; i++)
			corm_buf_printf(&b, "%s%s", i ? ", " : "",
				tm->fields[tm->pk.fields[i]].name);
		cg_error(l->c, fi->item->type_loc, len_of(fi->item->type),
			"relation '%s' needs a single-column primary key in '%s', "
			"which has a composite key (%s)", fd->name, tm->name,
			corm_buf_cstr(&b));
		corm_buf_free(&b);
	} else {
		key = &tm->fields[tm->pk.fields[0]];
		fd->target_field = key;
		if (key->kind == CORM_FIELD_RELATION &&
			!resolve_relation(l, tmi, key->index)) {
			/* reported where the chain broke */
		} else if (tmi->fi[key->index].typed) {
			fd->type = key->type;
			fd->len = key->len;
			fd->precision = key->precision;
			fd->scale = key->scale;
			fi->key_ok = true;
		}
	}
	fi->key_state = 2;
	return fi->key_ok;
}

static void pass_relations(lower *l)
{
	size_t i, j;

	for (i = 0; i < l->nmodels && !l->c->stop; i++) {
		model_info *mi = &l->mi[i];

		if (!mi->fields)
			continue;
		for (j = 0; j < mi->m->nfields; j++)
			if (mi->fi[j].typed &&
				mi->fields[j].kind == CORM_FIELD_RELATION)
				resolve_relation(l, mi, j);
	}
}

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
	return ir_buf(l, &b);
}

static void pass_names_sql(lower *l)
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
					fd->column = ir_buf(l, &b);
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
static void pass_constraints(lower *l)
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
		fks = ir_array(l, m->nfields + 1, sizeof(*fks));
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

/* ----------------------------------------------------------------- driver */

corm_schema *cg_lower(cg_ctx *c, const cg_file *f)
{
	lower l;
	corm_schema *s = NULL;
	corm_arena *ir;
	size_t i;

	memset(&l, 0, sizeof(l));
	l.c = c;
	l.f = f;
	ir = corm_malloc(sizeof(*ir));
	if (!ir) {
		c->oom = true;
		return NULL;
	}
	memset(ir, 0, sizeof(*ir));
	l.ir = ir;

	pass_names(&l);
	if (!c->oom)
		pass_enums(&l);
	if (!c->oom)
		pass_fields(&l);
	if (!c->oom)
		pass_keys(&l);
	if (!c->oom)
		pass_relations(&l);
	if (!c->oom)
		pass_names_sql(&l);
	if (!c->oom && c->diags->nerrors == 0)
		pass_constraints(&l);

	for (i = 0; i < l.nmodels; i++)
		cg_map_free(&l.mi[i].by_name);
	cg_map_free(&l.names);

	if (c->oom || c->diags->nerrors > 0)
		goto fail;
	s = ir_alloc(&l, sizeof(*s));
	if (!s)
		goto fail;
	s->models = l.models;
	s->nmodels = l.nmodels;
	s->enums = l.enums;
	s->nenums = l.nenums;
	s->internal_ = ir;
	return s;
fail:
	corm_arena_free(ir);
	corm_free(ir);
	return NULL;
}
