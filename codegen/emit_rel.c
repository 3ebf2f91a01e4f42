/*
 * emit_rel.c — the relation functions of each model (docs/queries.md,
 * "Relations"), as typed two-line wrappers over corm/rel.h.
 *
 * For a relation field (Post.author → Author), in the child's section:
 * the descriptor `post_author_rel`, the belongs-to loader
 * `post_load_author` and the filter pair `post_author_filter` /
 * `post_author_has`. In the parent's section: the has-many loader
 * `author_load_posts` and `author_posts_filter` / `author_posts_any`,
 * named after the child model, plus `_by_<field>` when the child has
 * several relations to the parent. For a join model whose key is two
 * relations (@@id([post, tag])): `post_load_tags` / `post_tags_filter` /
 * `post_tags_any`, and the same from tag.
 *
 * Sections: finding relations, names, declarations, definitions, names
 * for the clash check.
 */
#include <string.h>

#include "corm/corm.h"
#include "emit_internal.h"

/* ------------------------------------------------------ finding relations */

static bool is_relation(const corm_field *f)
{
	return f->kind == CORM_FIELD_RELATION;
}

/* Relation fields of `c` pointing at `m`. */
static size_t relations_to(const corm_model *c, const corm_model *m)
{
	size_t i, n = 0;

	for (i = 0; i < c->nfields; i++)
		if (is_relation(&c->fields[i]) && c->fields[i].target == m)
			n++;
	return n;
}

/* A join model: its key is exactly two relation fields. */
static bool is_join(const corm_model *j)
{
	return j->pk.nfields == 2 && is_relation(&j->fields[j->pk.fields[0]]) &&
		is_relation(&j->fields[j->pk.fields[1]]);
}

/* The other key relation of join model `j`. */
static const corm_field *far_of(const corm_model *j, const corm_field *near)
{
	const corm_field *a = &j->fields[j->pk.fields[0]];

	return a == near ? &j->fields[j->pk.fields[1]] : a;
}

/* Many-to-many paths from `m` to `t` over all join models. */
static size_t paths_to(const corm_schema *s, const corm_model *m,
	const corm_model *t)
{
	size_t i, k, n = 0;

	for (i = 0; i < s->nmodels; i++) {
		const corm_model *j = &s->models[i];

		if (!is_join(j))
			continue;
		for (k = 0; k < 2; k++) {
			const corm_field *near = &j->fields[j->pk.fields[k]];

			if (near->target == m && far_of(j, near)->target == t)
				n++;
		}
	}
	return n;
}

/* ------------------------------------------------------------------ names */

/* English plural of a snake_case name: post → posts, category →
 * categories, address → addresses. */
static void put_plural(corm_buf *b, const char *snake)
{
	size_t n = strlen(snake);
	char last = n ? snake[n - 1] : 0, before = n > 1 ? snake[n - 2] : 0;

	if (last == 'y' && n > 1 && !strchr("aeiou", before)) {
		corm_buf_put(b, snake, n - 1);
		corm_buf_puts(b, "ies");
	} else if (last == 's' || last == 'x' || last == 'z' ||
		((last == 'h') && (before == 'c' || before == 's'))) {
		corm_buf_printf(b, "%ses", snake);
	} else {
		corm_buf_printf(b, "%ss", snake);
	}
}

/* The has-many name of child `c`'s field `f` from its parent: "posts", or
 * "posts_by_editor" when `c` has several relations to that parent. */
static void put_children_name(corm_buf *b, const corm_model *c,
	const corm_field *f)
{
	put_plural(b, c->snake);
	if (relations_to(c, f->target) > 1)
		corm_buf_printf(b, "_by_%s", f->name);
}

/* The many-to-many name from `near`'s target through join model `j`:
 * "tags"; "tags_via_<join>" when there are several paths to that model
 * or it also has a relation back (its has-many loader is "tags" too);
 * "_by_<near>" when one join model links a model to itself. */
static void put_through_name(corm_buf *b, const corm_schema *s,
	const corm_model *j, const corm_field *near)
{
	const corm_field *far = far_of(j, near);
	const corm_model *m = near->target, *t = far->target;

	put_plural(b, t->snake);
	/* A join model linking a model to itself is two paths on its own. */
	if (paths_to(s, m, t) > (m == t ? 2u : 1u) || relations_to(t, m) > 0)
		corm_buf_printf(b, "_via_%s", j->snake);
	if (m == t)
		corm_buf_printf(b, "_by_%s", near->name);
}

/* ----------------------------------------------------------- declarations */

static void decl_belongs_to(corm_buf *h, const corm_model *m,
	const corm_field *f)
{
	const char *n = m->snake, *t = f->target->snake, *r = f->name;

	corm_buf_printf(h, "extern const corm_rel_desc %s_%s_rel;\n", n, r);
	if (f->nullable)
		corm_buf_printf(h, "/* Each row's %s (NULL for a NULL %s_id), "
			"every distinct one read once. */\n", r, r);
	else
		corm_buf_printf(h, "/* Each row's %s, every distinct one read "
			"once. */\n", r);
	corm_buf_printf(h, "int %s_load_%s(%s_list *out, const %s **each,\n"
		"\tconst %s *rows, size_t n, corm_conn *db);\n", n, r, t, t, n);
	corm_buf_printf(h, "/* %s rows whose %s matches a predicate built on "
		"%s_%s_filter(q). */\n", m->name, r, n, r);
	corm_buf_printf(h, "%s_query *%s_%s_filter(%s_query *q);\n", t, n, r, n);
	corm_buf_printf(h, "%s_pred *%s_%s_has(%s_query *q, %s_pred *p);\n", n,
		n, r, n, t);
}

static void decl_has_many(corm_buf *h, const corm_model *m,
	const corm_model *c, const corm_field *f)
{
	const char *n = m->snake, *cn = c->snake;
	corm_buf name = CORM_BUF_INIT;
	const char *k;

	put_children_name(&name, c, f);
	k = corm_buf_cstr(&name);
	corm_buf_printf(h, "/* The %s of each row (by %s.%s): rows[i]'s are "
		"out->items[first[i] ..\n * first[i] + count[i]). */\n", k, c->name,
		f->name);
	corm_buf_printf(h, "int %s_load_%s(%s_list *out, size_t *first, "
		"size_t *count,\n\tconst %s *rows, size_t n, corm_conn *db);\n", n, k,
		cn, n);
	corm_buf_printf(h, "/* %s rows with any of their %s matching a predicate "
		"built on\n * %s_%s_filter(q) (NULL: any at all). */\n", m->name, k,
		n, k);
	corm_buf_printf(h, "%s_query *%s_%s_filter(%s_query *q);\n", cn, n, k, n);
	corm_buf_printf(h, "%s_pred *%s_%s_any(%s_query *q, %s_pred *p);\n", n, n,
		k, n, cn);
	if (name.error)
		h->error = name.error;
	corm_buf_free(&name);
}

static void decl_through(corm_buf *h, const corm_schema *s,
	const corm_model *m, const corm_model *j, const corm_field *near)
{
	const corm_model *t = far_of(j, near)->target;
	corm_buf name = CORM_BUF_INIT;
	const char *n = m->snake, *k;

	put_through_name(&name, s, j, near);
	k = corm_buf_cstr(&name);
	corm_buf_printf(h, "/* The %s rows linked to each row by %s, grouped "
		"like a has-many load. */\n", t->name, j->name);
	corm_buf_printf(h, "int %s_load_%s(%s_list *out, size_t *first, "
		"size_t *count,\n\tconst %s *rows, size_t n, corm_conn *db);\n",
		n, k, t->snake, n);
	corm_buf_printf(h, "/* %s rows linked to any %s matching a predicate "
		"built on\n * %s_%s_filter(q) (NULL: any at all). */\n", m->name,
		t->name, n, k);
	corm_buf_printf(h, "%s_query *%s_%s_filter(%s_query *q);\n", t->snake,
		n, k, n);
	corm_buf_printf(h, "%s_pred *%s_%s_any(%s_query *q, %s_pred *p);\n", n,
		n, k, n, t->snake);
	if (name.error)
		h->error = name.error;
	corm_buf_free(&name);
}

void cg_emit_rel_decls(corm_buf *h, const corm_schema *s, const corm_model *m)
{
	size_t i, k;
	bool any = false;

	for (i = 0; i < s->nmodels && !any; i++)
		any = relations_to(&s->models[i], m) > 0;
	for (i = 0; i < m->nfields && !any; i++)
		any = is_relation(&m->fields[i]);
	if (!any)
		return;
	corm_buf_printf(h, "/* %s relations (see docs/queries.md, \"Relations\"; "
		"ownership in corm/rel.h). */\n", m->name);
	for (i = 0; i < m->nfields; i++)
		if (is_relation(&m->fields[i]))
			decl_belongs_to(h, m, &m->fields[i]);
	for (i = 0; i < s->nmodels; i++) {
		const corm_model *c = &s->models[i];

		for (k = 0; k < c->nfields; k++)
			if (is_relation(&c->fields[k]) && c->fields[k].target == m)
				decl_has_many(h, m, c, &c->fields[k]);
	}
	for (i = 0; i < s->nmodels; i++) {
		const corm_model *j = &s->models[i];

		for (k = 0; is_join(j) && k < 2; k++)
			if (j->fields[j->pk.fields[k]].target == m)
				decl_through(h, s, m, j, &j->fields[j->pk.fields[k]]);
	}
	corm_buf_putc(h, '\n');
}

/* ------------------------------------------------------------ definitions */

/* The end of a loader wrapper: the typed list takes the rows. */
static void put_list_return(corm_buf *c)
{
	corm_buf_puts(c, "\tout->items = loaded.items;\n"
		"\tout->count = loaded.count;\n"
		"\tout->arena = loaded.arena;\n"
		"\treturn rc;\n}\n\n");
}

static void def_belongs_to(corm_buf *c, const corm_model *m,
	const corm_field *f)
{
	const char *n = m->snake, *t = f->target->snake, *r = f->name;

	corm_buf_printf(c, "/* %s.%s: %s_id holds %s.%s. */\n", m->name, r, r,
		f->target->name, f->target_field->name);
	corm_buf_printf(c, "const corm_rel_desc %s_%s_rel = {\n"
		"\t.name = \"%s\",\n"
		"\t.child = &%s_desc,\n"
		"\t.fk_field = %zu,\n"
		"\t.parent = &%s_desc,\n"
		"\t.key_field = %zu,\n};\n\n", n, r, r, n, f->index, t,
		f->target_field->index);
	corm_buf_printf(c, "int %s_load_%s(%s_list *out, const %s **each,\n"
		"\tconst %s *rows, size_t n, corm_conn *db)\n{\n"
		"\tcorm_rows loaded;\n"
		"\tint rc = corm_rel_load_parents(&loaded, (const void **)each,\n"
		"\t\t&%s_%s_rel, rows, n, db);\n\n", n, r, t, t, n, n, r);
	put_list_return(c);
	corm_buf_printf(c, "%s_query *%s_%s_filter(%s_query *q)\n{\n"
		"\treturn (%s_query *)corm_query_related((corm_query *)q,\n"
		"\t\t&%s_%s_rel, CORM_REL_PARENT);\n}\n\n", t, n, r, n, t, n, r);
	corm_buf_printf(c, "%s_pred *%s_%s_has(%s_query *q, %s_pred *p)\n{\n"
		"\treturn (%s_pred *)corm_pred_related((corm_query *)q,\n"
		"\t\t&%s_%s_rel, CORM_REL_PARENT, (corm_pred *)p);\n}\n\n", n, n, r,
		n, t, n, n, r);
}

static void def_has_many(corm_buf *c, const corm_model *m,
	const corm_model *ch, const corm_field *f)
{
	const char *n = m->snake, *cn = ch->snake;
	corm_buf name = CORM_BUF_INIT;
	const char *k;

	put_children_name(&name, ch, f);
	k = corm_buf_cstr(&name);
	corm_buf_printf(c, "int %s_load_%s(%s_list *out, size_t *first, "
		"size_t *count,\n\tconst %s *rows, size_t n, corm_conn *db)\n{\n"
		"\tcorm_rows loaded;\n"
		"\tint rc = corm_rel_load_children(&loaded, first, count,\n"
		"\t\t&%s_%s_rel, rows, n, db);\n\n", n, k, cn, n, cn, f->name);
	put_list_return(c);
	corm_buf_printf(c, "%s_query *%s_%s_filter(%s_query *q)\n{\n"
		"\treturn (%s_query *)corm_query_related((corm_query *)q,\n"
		"\t\t&%s_%s_rel, CORM_REL_CHILD);\n}\n\n", cn, n, k, n, cn, cn,
		f->name);
	corm_buf_printf(c, "%s_pred *%s_%s_any(%s_query *q, %s_pred *p)\n{\n"
		"\treturn (%s_pred *)corm_pred_related((corm_query *)q,\n"
		"\t\t&%s_%s_rel, CORM_REL_CHILD, (corm_pred *)p);\n}\n\n", n, n, k,
		n, cn, n, cn, f->name);
	if (name.error)
		c->error = name.error;
	corm_buf_free(&name);
}

static void def_through(corm_buf *c, const corm_schema *s,
	const corm_model *m, const corm_model *j, const corm_field *near)
{
	const corm_field *far = far_of(j, near);
	const char *n = m->snake, *t = far->target->snake;
	corm_buf name = CORM_BUF_INIT;
	const char *k;

	put_through_name(&name, s, j, near);
	k = corm_buf_cstr(&name);
	corm_buf_printf(c, "static const corm_m2m_desc %s_%s_m2m = {"
		"&%s_%s_rel, &%s_%s_rel};\n\n", n, k, j->snake, near->name, j->snake,
		far->name);
	corm_buf_printf(c, "int %s_load_%s(%s_list *out, size_t *first, "
		"size_t *count,\n\tconst %s *rows, size_t n, corm_conn *db)\n{\n"
		"\tcorm_rows loaded;\n"
		"\tint rc = corm_rel_load_through(&loaded, first, count,\n"
		"\t\t&%s_%s_m2m, rows, n, db);\n\n", n, k, t, n, n, k);
	put_list_return(c);
	corm_buf_printf(c, "%s_query *%s_%s_filter(%s_query *q)\n{\n"
		"\treturn (%s_query *)corm_query_through((corm_query *)q,\n"
		"\t\t&%s_%s_m2m);\n}\n\n", t, n, k, n, t, n, k);
	corm_buf_printf(c, "%s_pred *%s_%s_any(%s_query *q, %s_pred *p)\n{\n"
		"\treturn (%s_pred *)corm_pred_through((corm_query *)q,\n"
		"\t\t&%s_%s_m2m, (corm_pred *)p);\n}\n\n", n, n, k, n, t, n, n, k);
	if (name.error)
		c->error = name.error;
	corm_buf_free(&name);
}

void cg_emit_rel_defs(corm_buf *c, const corm_schema *s, const corm_model *m)
{
	size_t i, k;

	for (i = 0; i < m->nfields; i++)
		if (is_relation(&m->fields[i]))
			def_belongs_to(c, m, &m->fields[i]);
	for (i = 0; i < s->nmodels; i++) {
		const corm_model *ch = &s->models[i];

		for (k = 0; k < ch->nfields; k++)
			if (is_relation(&ch->fields[k]) && ch->fields[k].target == m)
				def_has_many(c, m, ch, &ch->fields[k]);
	}
	for (i = 0; i < s->nmodels; i++) {
		const corm_model *j = &s->models[i];

		for (k = 0; is_join(j) && k < 2; k++)
			if (j->fields[j->pk.fields[k]].target == m)
				def_through(c, s, m, j, &j->fields[j->pk.fields[k]]);
	}
}

/* ----------------------------------------------- names for the clash check */

/* Report `<prefix>_<stem><suffix>` for each suffix; false on no memory. */
static bool add_names(cg_name_fn add, void *ctx, corm_loc loc,
	const char *prefix, const char *stem, const char *const *suffixes)
{
	corm_buf b = CORM_BUF_INIT;
	bool ok = true;

	for (; *suffixes && ok; suffixes++) {
		corm_buf_clear(&b);
		corm_buf_printf(&b, "%s_%s%s", prefix, stem, *suffixes);
		if ((ok = !corm_buf_error(&b)))
			add(ctx, loc, corm_buf_cstr(&b));
	}
	corm_buf_free(&b);
	return ok;
}

int cg_emit_rel_names(const corm_schema *s, const corm_model *m,
	cg_name_fn add, void *ctx)
{
	static const char *const belongs[] = {"_rel", "_filter", "_has", NULL};
	static const char *const many[] = {"_filter", "_any", NULL};
	static const char *const m2m[] = {"_filter", "_any", "_m2m", NULL};
	static const char *const load[] = {"", NULL};
	corm_buf name = CORM_BUF_INIT;
	size_t i, k;
	bool ok = true;

	for (i = 0; i < m->nfields && ok; i++) {
		const corm_field *f = &m->fields[i];

		if (!is_relation(f))
			continue;
		ok = add_names(add, ctx, f->loc, m->snake, f->name, belongs);
		corm_buf_clear(&name);
		corm_buf_printf(&name, "load_%s", f->name);
		ok = ok && !corm_buf_error(&name) &&
			add_names(add, ctx, f->loc, m->snake, corm_buf_cstr(&name), load);
	}
	for (i = 0; i < s->nmodels && ok; i++) {
		const corm_model *c = &s->models[i];

		for (k = 0; k < c->nfields && ok; k++) {
			const corm_field *f = &c->fields[k];

			if (!is_relation(f) || f->target != m)
				continue;
			corm_buf_clear(&name);
			put_children_name(&name, c, f);
			ok = !corm_buf_error(&name) && add_names(add, ctx, f->loc,
				m->snake, corm_buf_cstr(&name), many);
			corm_buf_clear(&name);
			corm_buf_puts(&name, "load_");
			put_children_name(&name, c, f);
			ok = ok && !corm_buf_error(&name) && add_names(add, ctx, f->loc,
				m->snake, corm_buf_cstr(&name), load);
		}
	}
	for (i = 0; i < s->nmodels && ok; i++) {
		const corm_model *j = &s->models[i];

		for (k = 0; is_join(j) && k < 2 && ok; k++) {
			const corm_field *near = &j->fields[j->pk.fields[k]];

			if (near->target != m)
				continue;
			corm_buf_clear(&name);
			put_through_name(&name, s, j, near);
			ok = !corm_buf_error(&name) && add_names(add, ctx, near->loc,
				m->snake, corm_buf_cstr(&name), m2m);
			corm_buf_clear(&name);
			corm_buf_puts(&name, "load_");
			put_through_name(&name, s, j, near);
			ok = ok && !corm_buf_error(&name) && add_names(add, ctx,
				near->loc, m->snake, corm_buf_cstr(&name), load);
		}
	}
	corm_buf_free(&name);
	return ok ? CORM_OK : CORM_ENOMEM;
}
