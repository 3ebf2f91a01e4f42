/*
 * lower_fields.c — pass 3 of the lowering (lower.c): field types
 * (built-in, enum, relation), field attributes and their arguments,
 * model attributes.
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

static const char *const field_attrs[FA__COUNT] = {
	"id", "auto", "unique", "index", "default", "map", "renamed_from",
	"on_delete", "version",
};

static const char *const model_attrs[MA__COUNT] = {
	"id", "unique", "index", "map", "renamed_from",
};

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
	const builtin_type *b = cg_find_builtin(it->type);
	const struct decl_ref *r;

	fd->type_name = cg_ir_str(l, it->type);
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

	r = cg_find_decl(l, it->type);
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
			if (cg_eq(v->text, cg_on_delete_names[i]))
				return true;
		sug = cg_suggest(v->text, cg_on_delete_names, 4);
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

void cg_pass_fields(lower *l)
{
	size_t i, j;

	for (i = 0; i < l->nmodels && !l->c->stop; i++) {
		model_info *mi = &l->mi[i];
		const cg_decl *d = mi->decl;
		size_t n = 0, nsrc = 0;

		mi->fields = cg_ir_array(l, d->nitems + 1, sizeof(*mi->fields));
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
			fd->name = cg_ir_str(l, it->name);
			fd->loc = it->name_loc;
			fd->index = n;
			fd->nullable = it->optional;
			fd->doc = cg_make_doc(l, &it->leading, it->blank_before,
				&it->trailing);
			n++;
			resolve_type(l, mi, n - 1);
			field_attributes(l, mi, n - 1);
		}
		mi->m->fields = mi->fields;
		mi->m->nfields = n;
	}
}
