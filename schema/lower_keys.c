/*
 * lower_keys.c — passes 4 and 5 of the lowering (lower.c): primary
 * keys (@id / @@id), @auto, @version, @unique/@index and their model
 * forms, defaults (checked in defaults.c); relations, whose foreign-key
 * column is typed like the target's key.
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
			fd->column = cg_ir_str(l, v->str);
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
			fd->renamed_from = cg_ir_str(l, v->text);
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
			if (cg_eq(v->text, cg_on_delete_names[k]))
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
	arr = cg_ir_array(l, total + 1, sizeof(*arr));
	if (!arr)
		return;
	for (i = 0; i < mi->m->nfields; i++) {
		size_t *one;

		if (!(unique ? mi->fields[i].is_unique : mi->fields[i].is_index))
			continue;
		one = cg_ir_alloc(l, sizeof(*one));
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
		f = cg_ir_array(l, src->nfields, sizeof(*f));
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
		m->pk.fields = cg_ir_array(l, src->nfields, sizeof(size_t));
		if (!m->pk.fields)
			return;
		memcpy((size_t *)m->pk.fields, src->fields,
			src->nfields * sizeof(size_t));
		m->pk.nfields = src->nfields;
		m->pk.loc = mid->loc;
		m->pk_from_model = true;
	} else if (first_id != (size_t)-1) {
		size_t *one = cg_ir_alloc(l, sizeof(*one));

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

void cg_pass_keys(lower *l)
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
				m->table = cg_ir_str(l, v->str);
				m->table_mapped = true;
			}
		}
		if (mi->mattr_first[MA_RENAMED]) {
			const cg_value *v = &mi->mattr_first[MA_RENAMED]->args[0];
			const struct decl_ref *r = cg_find_decl(l, v->text);

			if (cg_eq(v->text, m->name))
				cg_error(l->c, v->loc, v->len,
					"model '%s' cannot be renamed from itself", m->name);
			else if (r)
				cg_error(l->c, v->loc, v->len,
					"cannot rename '%s' from '%s': '%s' is still declared",
					m->name, show(l, v->text), show(l, v->text));
			else
				m->renamed_from = cg_ir_str(l, v->text);
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

void cg_pass_relations(lower *l)
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
