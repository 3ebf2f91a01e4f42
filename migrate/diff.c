/*
 * diff.c — two schema IRs in, an ordered list of operations out (see
 * migrate.h).
 *
 * The file is divided into: matching (which new table/column was which
 * old one), comparing columns (type changes and whether they narrow,
 * defaults), the per-table diff, and the plan as a whole (dropped,
 * renamed and created tables, then a stable sort by phase).
 *
 * Everything is compared by what the database sees: table and column
 * names, storage types, constraint names and column lists. A change that
 * only the DSL sees (a model's DSL name with the same @@map table, a doc
 * comment) gives no operation.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm_util.h"
#include "corm/driver.h" /* corm_malloc, corm_calloc, corm_free */
#include "migrate.h"

#define NONE SIZE_MAX

/* -------------------------------------------------------------- helpers */

/* The IR's constraint-name rule (schema/constraint_name.c). */
int corm_mig_check_name(corm_buf *out, const char *table, const char *column)
{
	corm_buf b = CORM_BUF_INIT;
	int error;

	corm_buf_printf(&b, "%s_%s_check", table, column);
	corm_constraint_name_fit(&b, "check");
	error = corm_buf_error(&b);
	if (!error)
		corm_buf_put(out, b.ptr, b.len);
	else if (!out->error)
		out->error = error; /* so callers checking `out` see it */
	corm_buf_free(&b);
	return error ? error : corm_buf_error(out);
}

static void type_text(corm_buf *b, const corm_field *f)
{
	if (f->kind == CORM_FIELD_ENUM) {
		corm_buf_printf(b, "enum %s", f->enum_type->name);
		return;
	}
	corm_buf_puts(b, corm_coltype_name(f->type));
	if (f->type == CORM_COL_STRING)
		corm_buf_printf(b, "(%d)", f->len);
	else if (f->type == CORM_COL_DECIMAL)
		corm_buf_printf(b, "(%d,%d)", f->precision, f->scale);
}

static corm_op *push(corm_plan *p, corm_op_kind kind)
{
	corm_op *op;

	corm_op *n = corm__grow(p->ops, &p->cap, p->nops + 1, sizeof(*n));

	if (!n)
		return NULL;
	p->ops = n;
	op = &p->ops[p->nops++];
	memset(op, 0, sizeof(*op));
	op->kind = kind;
	return op;
}

/* Give `op` its description from `b` (freed here). */
static int set_what(corm_op *op, corm_buf *b)
{
	op->what = corm_buf_detach(b);
	return op->what ? CORM_OK : CORM_ENOMEM;
}

/* ------------------------------------------------------------- matching */

static bool str_eq(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

static int match_models(corm_plan *p)
{
	const corm_schema *A = p->from, *B = p->to;
	bool *used = corm_calloc(A->nmodels + 1, sizeof(bool));
	size_t i, k;

	if (!used)
		return CORM_ENOMEM;
	for (i = 0; i < B->nmodels; i++) {
		p->match_model[i] = NONE;
		for (k = 0; k < A->nmodels; k++)
			if (!used[k] && strcmp(A->models[k].table,
					B->models[i].table) == 0) {
				p->match_model[i] = k;
				used[k] = true;
				break;
			}
	}
	/* Declared renames, in either direction (the down migration is the
	 * diff the other way round). */
	for (i = 0; i < B->nmodels; i++) {
		const corm_model *t = &B->models[i];

		if (p->match_model[i] != NONE)
			continue;
		for (k = 0; k < A->nmodels; k++) {
			const corm_model *f = &A->models[k];

			if (!used[k] && (str_eq(t->renamed_from, f->name) ||
					str_eq(f->renamed_from, t->name))) {
				p->match_model[i] = k;
				used[k] = true;
				break;
			}
		}
	}
	corm_free(used);
	return CORM_OK;
}

static int match_fields(size_t *match, const corm_model *fm,
	const corm_model *tm)
{
	bool *used = corm_calloc(fm->nfields + 1, sizeof(bool));
	size_t i, k;

	if (!used)
		return CORM_ENOMEM;
	for (i = 0; i < tm->nfields; i++) {
		match[i] = NONE;
		for (k = 0; k < fm->nfields; k++)
			if (!used[k] && strcmp(fm->fields[k].column,
					tm->fields[i].column) == 0) {
				match[i] = k;
				used[k] = true;
				break;
			}
	}
	for (i = 0; i < tm->nfields; i++) {
		const corm_field *t = &tm->fields[i];

		if (match[i] != NONE)
			continue;
		for (k = 0; k < fm->nfields; k++) {
			const corm_field *f = &fm->fields[k];

			if (!used[k] && (str_eq(t->renamed_from, f->name) ||
					str_eq(f->renamed_from, t->name))) {
				match[i] = k;
				used[k] = true;
				break;
			}
		}
	}
	corm_free(used);
	return CORM_OK;
}

const corm_model *corm_plan_from_model(const corm_plan *p,
	const corm_model *to_model)
{
	size_t k = p->match_model[to_model->index];

	return k == NONE ? NULL : &p->from->models[k];
}

const corm_field *corm_plan_from_field(const corm_plan *p,
	const corm_model *to_model, const corm_field *to_field)
{
	const corm_model *fm = corm_plan_from_model(p, to_model);
	size_t k;

	if (!fm)
		return NULL;
	k = p->match_field[to_model->index][to_field->index];
	return k == NONE ? NULL : &fm->fields[k];
}

/* The new field that old field `fi` of the matched model became. */
static const corm_field *to_of(const corm_plan *p, const corm_model *tm,
	size_t fi)
{
	size_t j;

	for (j = 0; j < tm->nfields; j++)
		if (p->match_field[tm->index][j] == fi)
			return &tm->fields[j];
	return NULL;
}

/* The new model an old one became, or NULL. */
static const corm_model *to_model_of(const corm_plan *p, const corm_model *fm)
{
	size_t i;

	for (i = 0; i < p->to->nmodels; i++)
		if (p->match_model[i] == fm->index)
			return &p->to->models[i];
	return NULL;
}

/* ------------------------------------------------------ comparing columns */

static bool same_type(const corm_field *a, const corm_field *b)
{
	if (a->type != b->type)
		return false;
	if (a->type == CORM_COL_STRING)
		return a->len == b->len;
	if (a->type == CORM_COL_DECIMAL)
		return a->precision == b->precision && a->scale == b->scale;
	return true;
}

static int int_rank(corm_coltype t)
{
	switch (t) {
	case CORM_COL_I16: return 1;
	case CORM_COL_I32: return 2;
	case CORM_COL_I64: return 3;
	default: return 0;
	}
}

/* Decimal digits an integer type may need. */
static int int_digits(corm_coltype t)
{
	return t == CORM_COL_I16 ? 5 : t == CORM_COL_I32 ? 10 : 19;
}

/* Does changing a's type to b's keep every value? */
static bool type_widens(const corm_field *a, const corm_field *b)
{
	corm_coltype x = a->type, y = b->type;

	if (same_type(a, b))
		return true;
	if (x == y && x == CORM_COL_STRING)
		return b->len >= a->len;
	if (x == y && x == CORM_COL_DECIMAL)
		return b->scale >= a->scale &&
			b->precision - b->scale >= a->precision - a->scale;
	if (int_rank(x) && int_rank(y))
		return int_rank(y) >= int_rank(x);
	if (int_rank(x) && y == CORM_COL_F64)
		return x != CORM_COL_I64;
	if (x == CORM_COL_I16 && y == CORM_COL_F32)
		return true;
	if (int_rank(x) && y == CORM_COL_DECIMAL)
		return b->precision - b->scale >= int_digits(x);
	if (x == CORM_COL_F32 && y == CORM_COL_F64)
		return true;
	if (y == CORM_COL_TEXT)
		return x == CORM_COL_STRING || x == CORM_COL_UUID;
	if (x == CORM_COL_UUID && y == CORM_COL_STRING)
		return b->len >= 36;
	return false;
}

/* Defaults as the database sees them: an enum member is its name as
 * text; 1 and 1.0 are the same number. */
static bool same_default(const corm_default *a, const corm_default *b)
{
	corm_default_kind ka = a->kind == CORM_DEFAULT_ENUM ? CORM_DEFAULT_STRING
		: a->kind == CORM_DEFAULT_INT ? CORM_DEFAULT_FLOAT : a->kind;
	corm_default_kind kb = b->kind == CORM_DEFAULT_ENUM ? CORM_DEFAULT_STRING
		: b->kind == CORM_DEFAULT_INT ? CORM_DEFAULT_FLOAT : b->kind;

	if (ka != kb)
		return false;
	switch (ka) {
	case CORM_DEFAULT_NONE:
	case CORM_DEFAULT_NOW:
		return true;
	case CORM_DEFAULT_BOOL:
		return a->b == b->b;
	case CORM_DEFAULT_FLOAT:
		/* Decimal defaults may have more digits than a double holds:
		 * compare the values as written too. */
		return strtod(a->text, NULL) == strtod(b->text, NULL);
	default:
		return a->text_len == b->text_len &&
			memcmp(a->text, b->text, a->text_len) == 0;
	}
}

static bool enum_has(const corm_enum *e, const char *member)
{
	size_t i;

	for (i = 0; i < e->nmembers; i++)
		if (strcmp(e->members[i].name, member) == 0)
			return true;
	return false;
}

static bool same_members(const corm_enum *a, const corm_enum *b)
{
	size_t i;

	if (a->nmembers != b->nmembers)
		return false;
	for (i = 0; i < a->nmembers; i++)
		if (!enum_has(b, a->members[i].name))
			return false;
	return true;
}

/* ------------------------------------------------------ the per-table diff */

/* Do index `fi` of `fm` and `ti` of `tm` cover the same columns, in
 * order, under the same name? */
static bool same_index(const corm_plan *p, const corm_model *fm,
	const corm_index *fi, const corm_model *tm, const corm_index *ti)
{
	size_t i;

	if (fi->nfields != ti->nfields)
		return false;
	/* A key is found by its table, whatever its name (render follows a
	 * table rename on PostgreSQL); other constraints by name too. */
	if (fi != &fm->pk && fi->name && ti->name &&
		strcmp(fi->name, ti->name) != 0)
		return false;
	for (i = 0; i < ti->nfields; i++)
		if (p->match_field[tm->index][ti->fields[i]] != fi->fields[i])
			return false;
	return true;
}

static bool pk_changed(const corm_plan *p, const corm_model *tm)
{
	const corm_model *fm = corm_plan_from_model(p, tm);

	return fm && !same_index(p, fm, &fm->pk, tm, &tm->pk);
}

static bool field_retyped(const corm_plan *p, const corm_model *tm,
	const corm_field *tf)
{
	const corm_field *ff = corm_plan_from_field(p, tm, tf);

	return ff && (!same_type(ff, tf) || ff->is_auto != tf->is_auto);
}

/* Is the key that new foreign key `k` references in a table that exists
 * already, and does the plan change it (other columns, another type,
 * @auto added or removed)? Nothing can reference it while it changes. */
static bool target_key_changes(const corm_plan *p, const corm_fk *k)
{
	return corm_plan_from_model(p, k->target) &&
		(pk_changed(p, k->target) ||
			field_retyped(p, k->target, k->target_field));
}

/* The same for old foreign key `k`, of a table that goes away. */
static bool old_target_key_changes(const corm_plan *p, const corm_fk *k)
{
	const corm_model *tt = to_model_of(p, k->target);
	const corm_field *tf;

	if (!tt)
		return false;
	tf = to_of(p, tt, k->target_field->index);
	return pk_changed(p, tt) || !tf || field_retyped(p, tt, tf);
}

static bool same_fk(const corm_plan *p, const corm_model *tm,
	const corm_fk *ffk, const corm_fk *tfk)
{
	const corm_model *tt = tfk->target;
	const corm_model *ft = corm_plan_from_model(p, tt);

	if (strcmp(ffk->name, tfk->name) != 0 || ffk->on_delete != tfk->on_delete)
		return false;
	if (ft != ffk->target)
		return false;
	if (corm_plan_from_field(p, tt, tfk->target_field) != ffk->target_field)
		return false;
	if (corm_plan_from_field(p, tm, tfk->field) != ffk->field)
		return false;
	/* The engines want the two columns' types to agree at all times, and
	 * the referenced key to stay a key: go around such changes. */
	if (field_retyped(p, tm, tfk->field) ||
		field_retyped(p, tt, tfk->target_field) || pk_changed(p, tt))
		return false;
	return true;
}

static int describe_index(corm_op *op, const char *verb, const char *what,
	const corm_model *m, const corm_index *ix)
{
	corm_buf b = CORM_BUF_INIT;
	size_t i;

	corm_buf_printf(&b, "%s %s %s on %s (", verb, what,
		ix->name ? ix->name : "primary key", m->table);
	for (i = 0; i < ix->nfields; i++)
		corm_buf_printf(&b, "%s%s", i ? ", " : "",
			m->fields[ix->fields[i]].column);
	corm_buf_putc(&b, ')');
	return set_what(op, &b);
}

/* "add primary key <name> on t (code) (replaces (id): the key changes, its
 * values must be unique)". */
static int describe_pk_change(corm_op *op, const corm_model *fm,
	const corm_model *tm)
{
	corm_buf b = CORM_BUF_INIT;
	size_t i;

	if (describe_index(op, "add", "primary key", tm, &tm->pk))
		return CORM_ENOMEM;
	corm_buf_printf(&b, "%s (replaces (", op->what);
	for (i = 0; i < fm->pk.nfields; i++)
		corm_buf_printf(&b, "%s%s", i ? ", " : "",
			fm->fields[fm->pk.fields[i]].column);
	corm_buf_puts(&b, "): the key changes, its values must be unique)");
	corm_free(op->what);
	return set_what(op, &b);
}

static int describe_fk(corm_op *op, const char *verb, const corm_model *m,
	const corm_fk *k)
{
	corm_buf b = CORM_BUF_INIT;

	corm_buf_printf(&b, "%s foreign key %s (%s.%s -> %s.%s)", verb, k->name,
		m->table, k->field->column, k->target->table,
		k->target_field->column);
	return set_what(op, &b);
}

static int describe_check(corm_op *op, const char *verb, const corm_model *m,
	const corm_field *f, const char *extra)
{
	corm_buf b = CORM_BUF_INIT;
	size_t i;

	corm_buf_printf(&b, "%s check on %s.%s (enum %s: ", verb, m->table,
		f->column, f->enum_type->name);
	for (i = 0; i < f->enum_type->nmembers; i++)
		corm_buf_printf(&b, "%s%s", i ? " " : "",
			f->enum_type->members[i].name);
	corm_buf_printf(&b, ")%s", extra ? extra : "");
	return set_what(op, &b);
}

/* Drop/create for a list of uniques or indexes of a matched table. */
static int diff_indexes(corm_plan *p, const corm_model *fm,
	const corm_model *tm, const corm_index *fl, size_t fn,
	const corm_index *tl, size_t tn, bool unique)
{
	size_t i, k;
	int error = CORM_OK;

	for (k = 0; k < fn && !error; k++) {
		bool kept = false;
		corm_op *op;

		for (i = 0; i < tn && !kept; i++)
			kept = same_index(p, fm, &fl[k], tm, &tl[i]);
		if (kept)
			continue;
		if (!(op = push(p, unique ? CORM_OP_DROP_UNIQUE : CORM_OP_DROP_INDEX)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->from_index = &fl[k];
		error = describe_index(op, "drop", unique ? "unique" : "index", fm,
			&fl[k]);
	}
	for (i = 0; i < tn && !error; i++) {
		bool kept = false;
		corm_op *op;

		for (k = 0; k < fn && !kept; k++)
			kept = same_index(p, fm, &fl[k], tm, &tl[i]);
		if (kept)
			continue;
		if (!(op = push(p, unique ? CORM_OP_CREATE_UNIQUE
					: CORM_OP_CREATE_INDEX)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->to_index = &tl[i];
		error = describe_index(op, "create", unique ? "unique" : "index", tm,
			&tl[i]);
	}
	return error;
}

static int diff_column(corm_plan *p, const corm_model *fm,
	const corm_model *tm, const corm_field *ff, const corm_field *tf)
{
	corm_buf b = CORM_BUF_INIT;
	unsigned alter = 0;
	bool destructive = false;
	corm_op *op;

	if (strcmp(ff->column, tf->column) != 0) {
		if (!(op = push(p, CORM_OP_RENAME_COLUMN)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->from_field = ff;
		op->to_field = tf;
		corm_buf_printf(&b, "rename column %s.%s to %s", tm->table,
			ff->column, tf->column);
		if (set_what(op, &b))
			return CORM_ENOMEM;
	}
	if (!same_type(ff, tf))
		alter |= CORM_ALTER_TYPE;
	if (ff->nullable != tf->nullable)
		alter |= CORM_ALTER_NULL;
	if (!same_default(&ff->def, &tf->def))
		alter |= CORM_ALTER_DEFAULT;
	if (ff->is_auto != tf->is_auto)
		alter |= CORM_ALTER_AUTO;
	if (!alter)
		return CORM_OK;
	if (!(op = push(p, CORM_OP_ALTER_COLUMN)))
		return CORM_ENOMEM;
	op->from_model = fm;
	op->to_model = tm;
	op->from_field = ff;
	op->to_field = tf;
	op->alter = alter;
	corm_buf_printf(&b, "alter column %s.%s:", tm->table, tf->column);
	if (alter & CORM_ALTER_TYPE) {
		corm_buf_puts(&b, " type ");
		type_text(&b, ff);
		corm_buf_puts(&b, " -> ");
		type_text(&b, tf);
		if (!type_widens(ff, tf)) {
			corm_buf_puts(&b, " (narrowing: values may not fit)");
			destructive = true;
		}
	}
	if (alter & CORM_ALTER_NULL) {
		corm_buf_puts(&b, tf->nullable ? " nullable" : " NOT NULL");
		if (!tf->nullable && tf->def.kind == CORM_DEFAULT_NONE &&
			!tf->is_auto) {
			corm_buf_puts(&b, " without a default (fails on NULLs)");
			destructive = true;
		} else if (!tf->nullable) {
			corm_buf_puts(&b, " (NULLs become the default)");
		}
	}
	if (alter & CORM_ALTER_DEFAULT)
		corm_buf_puts(&b, tf->def.kind == CORM_DEFAULT_NONE
			? " drop default" : " new default");
	if (alter & CORM_ALTER_AUTO)
		corm_buf_puts(&b, tf->is_auto ? " add @auto" : " drop @auto");
	op->destructive = destructive;
	return set_what(op, &b);
}

static int diff_checks(corm_plan *p, const corm_model *fm,
	const corm_model *tm, const corm_field *ff, const corm_field *tf)
{
	corm_buf fn = CORM_BUF_INIT, tn = CORM_BUF_INIT;
	bool has_f = ff && ff->kind == CORM_FIELD_ENUM;
	bool has_t = tf && tf->kind == CORM_FIELD_ENUM;
	bool same = false;
	int error = CORM_OK;
	corm_op *op;

	if (has_f)
		corm_mig_check_name(&fn, fm->table, ff->column);
	if (has_t)
		corm_mig_check_name(&tn, tm->table, tf->column);
	if ((error = corm_buf_error(&fn)) || (error = corm_buf_error(&tn)))
		goto done;
	if (has_f && has_t)
		same = strcmp(fn.ptr, tn.ptr) == 0 &&
			same_members(ff->enum_type, tf->enum_type);
	if (same)
		goto done;
	if (has_f) { /* dropped first even with its column: MySQL insists */
		if (!(op = push(p, CORM_OP_DROP_CHECK))) {
			error = CORM_ENOMEM;
			goto done;
		}
		op->from_model = fm;
		op->to_model = tm;
		op->from_field = ff;
		op->to_field = tf;
		if ((error = describe_check(op, "drop", fm, ff, NULL)))
			goto done;
	}
	if (has_t && ff) { /* a new column brings its own */
		corm_buf lost = CORM_BUF_INIT;
		size_t i;
		bool destructive = false;

		if (!has_f) {
			corm_buf_puts(&lost, " (existing values must be members)");
			destructive = true;
		} else {
			for (i = 0; i < ff->enum_type->nmembers; i++) {
				const char *m = ff->enum_type->members[i].name;

				if (!enum_has(tf->enum_type, m)) {
					corm_buf_printf(&lost, "%s%s", destructive
						? ", " : " (removes member ", m);
					destructive = true;
				}
			}
			if (destructive)
				corm_buf_putc(&lost, ')');
		}
		if (!(op = push(p, CORM_OP_ADD_CHECK))) {
			corm_buf_free(&lost);
			error = CORM_ENOMEM;
			goto done;
		}
		op->from_model = fm;
		op->to_model = tm;
		op->from_field = ff;
		op->to_field = tf;
		op->destructive = destructive;
		error = corm_buf_error(&lost);
		if (!error)
			error = describe_check(op, "add", tm, tf, corm_buf_cstr(&lost));
		corm_buf_free(&lost);
	}
done:
	corm_buf_free(&fn);
	corm_buf_free(&tn);
	return error;
}

static int diff_table(corm_plan *p, const corm_model *fm,
	const corm_model *tm)
{
	size_t *match = p->match_field[tm->index];
	corm_buf b = CORM_BUF_INIT;
	size_t i, k;
	corm_op *op;
	int error;

	if (strcmp(fm->table, tm->table) != 0) {
		if (!(op = push(p, CORM_OP_RENAME_TABLE)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		corm_buf_printf(&b, "rename table %s to %s", fm->table, tm->table);
		if ((error = set_what(op, &b)))
			return error;
	}
	/* Columns: dropped, then matched, then added. */
	for (k = 0; k < fm->nfields; k++) {
		const corm_field *ff = &fm->fields[k];

		if (to_of(p, tm, k))
			continue;
		if (!(op = push(p, CORM_OP_DROP_COLUMN)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->from_field = ff;
		op->destructive = true;
		corm_buf_printf(&b, "drop column %s.%s (its data is lost)",
			fm->table, ff->column);
		if ((error = set_what(op, &b)) ||
			(error = diff_checks(p, fm, tm, ff, NULL)))
			return error;
	}
	for (i = 0; i < tm->nfields; i++) {
		const corm_field *tf = &tm->fields[i];

		if (match[i] != NONE) {
			const corm_field *ff = &fm->fields[match[i]];

			if ((error = diff_column(p, fm, tm, ff, tf)) ||
				(error = diff_checks(p, fm, tm, ff, tf)))
				return error;
			continue;
		}
		if (!(op = push(p, CORM_OP_ADD_COLUMN)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->to_field = tf;
		corm_buf_printf(&b, "add column %s.%s ", tm->table, tf->column);
		type_text(&b, tf);
		if (!tf->nullable && tf->def.kind == CORM_DEFAULT_NONE &&
			!tf->is_auto) {
			corm_buf_puts(&b, " NOT NULL without a default (fails on a "
				"table with rows)");
			op->destructive = true;
		}
		if ((error = set_what(op, &b)))
			return error;
		if (tf->kind == CORM_FIELD_ENUM) {
			if (!(op = push(p, CORM_OP_ADD_CHECK)))
				return CORM_ENOMEM;
			op->from_model = fm;
			op->to_model = tm;
			op->to_field = tf;
			if ((error = describe_check(op, "add", tm, tf, NULL)))
				return error;
		}
	}
	/* The key. */
	if (!same_index(p, fm, &fm->pk, tm, &tm->pk)) {
		if (!(op = push(p, CORM_OP_DROP_PK)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->from_index = &fm->pk;
		if ((error = describe_index(op, "drop", "primary key", fm, &fm->pk)))
			return error;
		if (!(op = push(p, CORM_OP_ADD_PK)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->to_index = &tm->pk;
		/* Rows are known by another key from now on: it must be unique
		 * (a failure on duplicates), and references follow it. */
		op->destructive = true;
		if ((error = describe_pk_change(op, fm, tm)))
			return error;
	}
	if ((error = diff_indexes(p, fm, tm, fm->uniques, fm->nuniques,
			tm->uniques, tm->nuniques, true)) ||
		(error = diff_indexes(p, fm, tm, fm->indexes, fm->nindexes,
			tm->indexes, tm->nindexes, false)))
		return error;
	/* Foreign keys. */
	for (k = 0; k < fm->nfks; k++) {
		bool kept = false;

		for (i = 0; i < tm->nfks && !kept; i++)
			kept = same_fk(p, tm, &fm->fks[k], &tm->fks[i]);
		if (kept)
			continue;
		if (!(op = push(p, CORM_OP_DROP_FK)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->from_fk = &fm->fks[k];
		if ((error = describe_fk(op, "drop", fm, &fm->fks[k])))
			return error;
	}
	for (i = 0; i < tm->nfks; i++) {
		bool kept = false;

		for (k = 0; k < fm->nfks && !kept; k++)
			kept = same_fk(p, tm, &fm->fks[k], &tm->fks[i]);
		if (kept)
			continue;
		if (!(op = push(p, CORM_OP_ADD_FK)))
			return CORM_ENOMEM;
		op->from_model = fm;
		op->to_model = tm;
		op->to_fk = &tm->fks[i];
		if ((error = describe_fk(op, "add", tm, &tm->fks[i])))
			return error;
	}
	return CORM_OK;
}

/* --------------------------------------------------------------- the plan */

/* The new tables, each after the tables its foreign keys reference. When
 * the references form a cycle, one table of it is created without its
 * foreign keys to tables not there yet, and those are added (ADD_FK with
 * no from_model) once every table exists. */
static int create_tables(corm_plan *p)
{
	const corm_schema *B = p->to;
	bool *placed = corm_calloc(B->nmodels + 1, sizeof(bool));
	size_t n = 0, want = 0, i, k;
	int error = CORM_OK;

	if (!placed)
		return CORM_ENOMEM;
	for (i = 0; i < B->nmodels; i++) {
		if (p->match_model[i] != NONE)
			placed[i] = true; /* exists already */
		else
			want++;
	}
	while (n < want && !error) {
		bool progress = false, force = false;

		for (int pass = 0; pass < 2 && !progress && !error; pass++) {
			force = pass == 1; /* a cycle: break it at the first table */
			for (i = 0; i < B->nmodels && !error; i++) {
				const corm_model *m = &B->models[i];
				bool ready = !placed[i];
				corm_buf b = CORM_BUF_INIT;
				corm_op *op;

				for (k = 0; k < m->nfks && ready && !force; k++) {
					size_t t = m->fks[k].target->index;

					ready = t == i || placed[t];
				}
				if (!ready)
					continue;
				/* Keys to tables not there yet (a cycle), and to an
				 * existing key that changes after the tables are
				 * created, are added at the end. */
				for (k = 0; k < m->nfks && !error; k++) {
					size_t t = m->fks[k].target->index;

					if (t == i || (placed[t] &&
							!target_key_changes(p, &m->fks[k])))
						continue;
					if (!(op = push(p, CORM_OP_ADD_FK))) {
						error = CORM_ENOMEM;
						break;
					}
					op->to_model = m;
					op->to_fk = &m->fks[k];
					error = describe_fk(op, "add", m, &m->fks[k]);
				}
				placed[i] = true;
				n++;
				progress = true;
				if (error || !(op = push(p, CORM_OP_CREATE_TABLE))) {
					error = error ? error : CORM_ENOMEM;
					break;
				}
				op->to_model = m;
				corm_buf_printf(&b, "create table %s", m->table);
				error = set_what(op, &b);
				if (force)
					break;
			}
		}
	}
	corm_free(placed);
	return error;
}

static int drop_tables(corm_plan *p)
{
	const corm_schema *A = p->from;
	size_t k, j;
	int error = CORM_OK;

	for (k = 0; k < A->nmodels && !error; k++) {
		const corm_model *fm = &A->models[k];
		corm_buf b = CORM_BUF_INIT;
		corm_op *op;

		if (to_model_of(p, fm))
			continue;
		/* FKs between dropped tables go first, so the drops need no
		 * order (and cycles are no problem); so do those to a key that
		 * changes, which must not wait for the table to go. */
		for (j = 0; j < fm->nfks && !error; j++) {
			const corm_model *t = fm->fks[j].target;

			if (t == fm || (to_model_of(p, t) &&
					!old_target_key_changes(p, &fm->fks[j])))
				continue;
			if (!(op = push(p, CORM_OP_DROP_FK)))
				return CORM_ENOMEM;
			op->from_model = fm;
			op->from_fk = &fm->fks[j];
			error = describe_fk(op, "drop", fm, &fm->fks[j]);
		}
		if (error || !(op = push(p, CORM_OP_DROP_TABLE)))
			return error ? error : CORM_ENOMEM;
		op->from_model = fm;
		op->destructive = true;
		corm_buf_printf(&b, "drop table %s (its rows are lost)", fm->table);
		error = set_what(op, &b);
	}
	return error;
}

/* Stable: ops of one phase keep the order they were found in. */
static void sort_ops(corm_plan *p)
{
	size_t i, j;

	for (i = 1; i < p->nops; i++) {
		corm_op tmp = p->ops[i];

		for (j = i; j > 0 && p->ops[j - 1].kind > tmp.kind; j--)
			p->ops[j] = p->ops[j - 1];
		p->ops[j] = tmp;
	}
}

int corm_diff(corm_plan **out, const corm_schema *from, const corm_schema *to)
{
	corm_plan *p = corm_calloc(1, sizeof(*p));
	size_t i;
	int error;

	*out = NULL;
	if (!p)
		return CORM_ENOMEM;
	p->from = from;
	p->to = to;
	p->match_model = corm_calloc(to->nmodels + 1, sizeof(size_t));
	p->match_field = corm_calloc(to->nmodels + 1, sizeof(size_t *));
	if (!p->match_model || !p->match_field) {
		error = CORM_ENOMEM;
		goto done;
	}
	if ((error = match_models(p)))
		goto done;
	for (i = 0; i < to->nmodels; i++) {
		const corm_model *tm = &to->models[i];

		p->match_field[i] = corm_calloc(tm->nfields + 1, sizeof(size_t));
		if (!p->match_field[i]) {
			error = CORM_ENOMEM;
			goto done;
		}
		if (p->match_model[i] != NONE &&
			(error = match_fields(p->match_field[i],
				&from->models[p->match_model[i]], tm)))
			goto done;
		if (p->match_model[i] == NONE)
			memset(p->match_field[i], 0xff, (tm->nfields + 1) * sizeof(size_t));
	}
	if ((error = drop_tables(p)))
		goto done;
	for (i = 0; i < to->nmodels && !error; i++)
		if (p->match_model[i] != NONE)
			error = diff_table(p, &from->models[p->match_model[i]],
				&to->models[i]);
	if (error || (error = create_tables(p)))
		goto done;
	sort_ops(p);
done:
	if (error)
		corm_plan_free(p);
	else
		*out = p;
	return error;
}

size_t corm_plan_ndestructive(const corm_plan *p)
{
	size_t i, n = 0;

	for (i = 0; i < p->nops; i++)
		n += p->ops[i].destructive;
	return n;
}

void corm_plan_free(corm_plan *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->nops; i++)
		corm_free(p->ops[i].what);
	if (p->match_field)
		for (i = 0; i < p->to->nmodels; i++)
			corm_free(p->match_field[i]);
	corm_free(p->match_field);
	corm_free(p->match_model);
	corm_free(p->ops);
	corm_free(p);
}
