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
#include "lower.h"

/* ---------------------------------------------------------------- tables */

static const builtin_type builtins[] = {
#define CORM_X_(name, dsl, ctype, family, nargs, flags)                   \
	{dsl, CORM_COL_##name, nargs},
	CORM_COLTYPES(CORM_X_)
#undef CORM_X_
};
#define NBUILTINS (sizeof(builtins) / sizeof(builtins[0]))

const char *const cg_on_delete_names[4] = {
	"no_action", "restrict", "cascade", "set_null",
};

/* ------------------------------------------------------------ IR memory */

void *cg_ir_alloc(lower *l, size_t n)
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

void *cg_ir_array(lower *l, size_t count, size_t size)
{
	if (count && size > ((size_t)-1) / count) {
		l->c->oom = true;
		return NULL;
	}
	return cg_ir_alloc(l, count * size);
}

char *cg_ir_str(lower *l, cg_str s)
{
	char *p = cg_ir_alloc(l, s.n + 1);

	if (p && s.n)
		memcpy(p, s.p, s.n);
	return p;
}

char *cg_ir_buf(lower *l, corm_buf *b)
{
	char *p;

	if (corm_buf_error(b)) {
		l->c->oom = true;
		corm_buf_free(b);
		return NULL;
	}
	p = cg_ir_str(l, (cg_str){corm_buf_cstr(b), b->len});
	corm_buf_free(b);
	return p;
}

const builtin_type *cg_find_builtin(cg_str s)
{
	size_t i;

	for (i = 0; i < NBUILTINS; i++)
		if (cg_eq(s, builtins[i].name))
			return &builtins[i];
	return NULL;
}

char *cg_lower_snake(lower *l, const char *name)
{
	char *tmp = corm_snake_case(name), *r;

	if (!tmp) {
		l->c->oom = true;
		return NULL;
	}
	r = cg_ir_str(l, S(tmp));
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
		*slot = cg_ir_str(l, (cg_str){p, len});
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
corm_doc cg_make_doc(lower *l, const cg_comments *leading,
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
	out = cg_ir_array(l, n, sizeof(*out));
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
	if (cg_find_builtin(d->name))
		cg_error(l->c, d->name_loc, len_of(d->name),
			"%s name '%s' is a built-in type", what, show(l, d->name));
}

void cg_pass_names(lower *l)
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
	l->models = cg_ir_array(l, nm + 1, sizeof(*l->models));
	l->mi = cg_alloc(l->c, (nm + 1) * sizeof(*l->mi));
	l->enums = cg_ir_array(l, ne + 1, sizeof(*l->enums));
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
			e->name = cg_ir_str(l, d->name);
			e->snake = e->name ? cg_lower_snake(l, e->name) : NULL;
			e->loc = d->name_loc;
			e->index = l->nenums;
			e->doc = cg_make_doc(l, &d->leading, d->blank_before, &d->header);
			l->nenums++;
		} else {
			corm_model *m = &l->models[l->nmodels];

			r->idx = l->nmodels;
			l->mi[l->nmodels].decl = d;
			l->mi[l->nmodels].m = m;
			m->name = cg_ir_str(l, d->name);
			m->snake = m->name ? cg_lower_snake(l, m->name) : NULL;
			m->loc = d->name_loc;
			m->index = l->nmodels;
			m->doc = cg_make_doc(l, &d->leading, d->blank_before, &d->header);
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

const struct decl_ref *cg_find_decl(lower *l, cg_str name)
{
	size_t i;

	if (!cg_map_get(&l->names, name, &i))
		return NULL;
	return &l->refs[i];
}

/* --------------------------------------------------------------- 2. enums */

void cg_pass_enums(lower *l)
{
	size_t i, j;

	for (i = 0; i < l->nenums && !l->c->stop; i++) {
		corm_enum *e = &l->enums[i];
		const cg_decl *d = l->enum_decls[i];
		corm_enum_member *members;
		cg_map seen = {NULL, 0, 0, false};
		size_t n = 0;

		members = cg_ir_array(l, d->nitems + 1, sizeof(*members));
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
			members[n].name = cg_ir_str(l, it->name);
			members[n].loc = it->name_loc;
			members[n].doc = cg_make_doc(l, &it->leading, it->blank_before,
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

	cg_pass_names(&l);
	if (!c->oom)
		cg_pass_enums(&l);
	if (!c->oom)
		cg_pass_fields(&l);
	if (!c->oom)
		cg_pass_keys(&l);
	if (!c->oom)
		cg_pass_relations(&l);
	if (!c->oom)
		cg_pass_names_sql(&l);
	if (!c->oom && c->diags->nerrors == 0)
		cg_pass_constraints(&l);

	for (i = 0; i < l.nmodels; i++)
		cg_map_free(&l.mi[i].by_name);
	cg_map_free(&l.names);

	if (c->oom || c->diags->nerrors > 0)
		goto fail;
	s = cg_ir_alloc(&l, sizeof(*s));
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
