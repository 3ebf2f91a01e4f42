/*
 * checks.c — the data checks of a plan (see corm_plan_render_checks in
 * migrate.h).
 *
 * An operation that fails, or loses data, on rows that do not fit its new
 * definition gets a check: a query counting those rows, preceded by a
 * CORM_MIG_MARK_CHECK line saying what is wrong with them and what the
 * change would do to them. The runner runs it as a query and refuses
 * the migration when the count is not zero, so a value is never cut,
 * rounded or clamped silently, and a change the data does not allow
 * fails the same way, before anything changed, on every engine.
 *
 * The checks run first, before the plan's first statement: they read
 * the old table and column names (from_model, from_field). Identifiers
 * are quoted; the only literals are numbers from the schema's types and
 * enum member names (as in the enum's own CHECK).
 */
#include <stdint.h>
#include <string.h>

#include "ddl.h"
#include "migrate_engine.h"
#include "migrate.h"

typedef struct checker {
	corm_buf *out;
	const corm_migrate_engine *eng;
	const corm_dialect *d;
} checker;

static void q(const checker *k, const char *ident)
{
	corm_dialect_quote(k->out, k->d, ident);
}

/* "changing "col" from <old type> to <new type>" */
static void changing(corm_buf *b, const corm_op *op)
{
	corm_buf_printf(b, "changing \"%s\" from ", op->from_field->column);
	corm_mig_type_text(b, op->from_field);
	corm_buf_puts(b, " to ");
	corm_mig_type_text(b, op->to_field);
}

/*
 * Start a check: the mark line with the message `msg` (one line: the
 * runner writes the count before it), then the counting query up to its
 * FROM. `table` (NULL: the caller writes what is counted) follows, with
 * " WHERE " when `where`.
 */
static void begin_check(const checker *k, const corm_buf *msg,
	const char *table, bool where)
{
	if (corm_buf_error(msg)) {
		k->out->error = corm_buf_error(msg);
		return;
	}
	corm_buf_puts(k->out, CORM_MIG_MARK_CHECK " ");
	corm_buf_put(k->out, msg->ptr, msg->len);
	corm_buf_puts(k->out, "\nSELECT COUNT(*) FROM ");
	if (table)
		q(k, table);
	if (where)
		corm_buf_puts(k->out, " WHERE ");
}

/* --------------------------------------------------------- text length */

/* The most characters a value of `f` can have as text; -1 for no
 * limit known. */
static int64_t max_chars(const corm_field *f)
{
	size_t i, most = 0;

	if (f->kind == CORM_FIELD_ENUM) {
		for (i = 0; i < f->enum_type->nmembers; i++)
			if (strlen(f->enum_type->members[i].name) > most)
				most = strlen(f->enum_type->members[i].name);
		return (int64_t)most; /* names are ASCII identifiers */
	}
	switch (f->type) {
	case CORM_COL_STRING: return f->len;
	case CORM_COL_I16: return 6;   /* -32768 */
	case CORM_COL_I32: return 11;
	case CORM_COL_I64: return 20;
	case CORM_COL_UUID: return 36;
	default: return -1;
	}
}

/* string(n) from a type whose values may be longer: a longer string,
 * text, an enum with a longer member, or any other type, whose text is
 * what the engine would store (the explicit cast PostgreSQL renders
 * would cut it). An enum target is left to the enum check (its members
 * are what counts). */
static void check_length(const checker *k, const corm_op *op)
{
	const corm_field *ff = op->from_field, *tf = op->to_field;
	int64_t most = max_chars(ff);
	bool text = ff->type == CORM_COL_STRING || ff->type == CORM_COL_TEXT;
	corm_buf msg = CORM_BUF_INIT;

	if (tf->kind == CORM_FIELD_ENUM || tf->type != CORM_COL_STRING ||
		(most >= 0 && most <= tf->len))
		return;
	corm_buf_printf(&msg, "rows of \"%s\" whose \"%s\" is longer than %d "
		"characters%s: ", op->from_model->table, ff->column, tf->len,
		text ? "" : " as text");
	changing(&msg, op);
	corm_buf_puts(&msg, " would cut them; shorten or delete those rows");
	begin_check(k, &msg, op->from_model->table, true);
	corm_buf_printf(k->out, "%s(", k->eng->char_length_fn);
	if (!text)
		corm_buf_puts(k->out, "CAST(");
	q(k, ff->column);
	if (!text)
		corm_buf_printf(k->out, " AS %s)", k->eng->text_cast_type);
	corm_buf_printf(k->out, ") > %d;\n", tf->len);
	corm_buf_free(&msg);
}

/* -------------------------------------------------------------- numbers */

static bool is_int(corm_coltype t)
{
	return t == CORM_COL_I16 || t == CORM_COL_I32 || t == CORM_COL_I64;
}

static void int_range(corm_coltype t, int64_t *lo, int64_t *hi)
{
	*lo = t == CORM_COL_I16 ? INT16_MIN : t == CORM_COL_I32 ? INT32_MIN
		: INT64_MIN;
	*hi = t == CORM_COL_I16 ? INT16_MAX : t == CORM_COL_I32 ? INT32_MAX
		: INT64_MAX;
}

/* `col <= -10^digits OR col >= 10^digits`: more than `digits` digits
 * before the point (no ABS: it overflows on the smallest integer). */
static void too_many_int_digits(const checker *k, const char *col,
	int digits)
{
	int i, z;

	for (i = 0; i < 2; i++) {
		q(k, col);
		corm_buf_puts(k->out, i ? " >= 1" : " <= -1");
		for (z = 0; z < digits; z++)
			corm_buf_putc(k->out, '0');
		if (!i)
			corm_buf_puts(k->out, " OR ");
	}
}

/* On an engine that keeps decimals as text (SQLite's DECIMAL_TEXT): the
 * text's digits before and after the point. Text that is no plain
 * decimal ("1.0e+20", written by another tool) is counted too: its
 * digits cannot be read by SQL alone, and counting it is what keeps a
 * value from being kept unchecked. */
static void text_decimal_misfit(const checker *k, const char *col,
	int int_digits, int scale)
{
	const char *sep = "";

	corm_buf_putc(k->out, '(');
	if (scale >= 0) {
		/* places after the point, trailing zeros aside */
		corm_buf_puts(k->out, "length(rtrim(substr(");
		q(k, col);
		corm_buf_puts(k->out, ", instr(");
		q(k, col);
		corm_buf_printf(k->out, " || '.', '.') + 1), '0')) > %d", scale);
		sep = " OR ";
	}
	if (int_digits >= 0) {
		/* digits before the point, sign and leading zeros aside */
		corm_buf_printf(k->out, "%slength(ltrim(substr(", sep);
		q(k, col);
		corm_buf_puts(k->out, ", 1, instr(");
		q(k, col);
		corm_buf_printf(k->out, " || '.', '.') - 1), '+-0')) > %d",
			int_digits);
	}
	corm_buf_puts(k->out, " OR ");
	q(k, col);
	corm_buf_puts(k->out, " GLOB '*[^0-9.+-]*' OR NOT ");
	q(k, col);
	corm_buf_puts(k->out, " GLOB '*[0-9]*')");
}

static bool is_float(corm_coltype t)
{
	return t == CORM_COL_F32 || t == CORM_COL_F64;
}

/* `col < lo OR col > hi`; a decimal kept as text compares through the
 * dialect's decimal collation (by value, exactly), with text bounds. */
static void out_of_range(const checker *k, const corm_field *ff,
	int64_t lo, int64_t hi)
{
	bool text = ff->type == CORM_COL_DECIMAL && k->eng->decimals_are_text;
	const char *quote = text ? "'" : "";
	int i;

	for (i = 0; i < 2; i++) {
		q(k, ff->column);
		if (text)
			corm_buf_puts(k->out, k->d->decimal_collation);
		corm_buf_printf(k->out, " %c %s%lld%s", i ? '>' : '<', quote,
			(long long)(i ? hi : lo), quote);
		if (!i)
			corm_buf_puts(k->out, " OR ");
	}
}

/* An integer type from a wider one (rows out of the new range), or from
 * a decimal or a float (rows with a fraction, which the engines would
 * round, or out of range). */
static void check_integer(const checker *k, const corm_op *op)
{
	const corm_field *ff = op->from_field, *tf = op->to_field;
	bool fraction = ff->type == CORM_COL_DECIMAL || is_float(ff->type);
	corm_buf msg = CORM_BUF_INIT;
	int64_t lo, hi, flo, fhi;

	if (!is_int(tf->type) || !(is_int(ff->type) || fraction))
		return;
	int_range(tf->type, &lo, &hi);
	if (is_int(ff->type)) {
		int_range(ff->type, &flo, &fhi);
		if (lo <= flo && hi >= fhi)
			return;
	}
	corm_buf_printf(&msg, "rows of \"%s\" whose \"%s\" is %s %lld to "
		"%lld: ", op->from_model->table, ff->column, fraction
		? "not a whole number from" : "outside", (long long)lo,
		(long long)hi);
	changing(&msg, op);
	corm_buf_printf(&msg, " %s them; change or delete those rows", fraction
		? "would round or refuse" : "cannot hold");
	begin_check(k, &msg, op->from_model->table, true);
	if (fraction && ff->type == CORM_COL_DECIMAL &&
		k->eng->decimals_are_text) {
		text_decimal_misfit(k, ff->column, -1, 0);
		corm_buf_puts(k->out, " OR ");
	} else if (fraction) {
		q(k, ff->column);
		corm_buf_puts(k->out, " <> ROUND(");
		q(k, ff->column);
		corm_buf_puts(k->out, ") OR ");
	}
	out_of_range(k, ff, lo, hi);
	corm_buf_puts(k->out, ";\n");
	corm_buf_free(&msg);
}

/* decimal(p,s) from a decimal with more places or more integer digits,
 * or from an integer type with more digits: rows not representable
 * exactly (a value is never rounded). */
static void check_decimal(const checker *k, const corm_op *op)
{
	const corm_field *ff = op->from_field, *tf = op->to_field;
	const char *col = ff->column;
	int new_int = tf->precision - tf->scale;
	bool fewer_places, fewer_digits;
	corm_buf msg = CORM_BUF_INIT;

	if (tf->type != CORM_COL_DECIMAL)
		return;
	if (ff->type == CORM_COL_DECIMAL) {
		fewer_places = tf->scale < ff->scale;
		fewer_digits = new_int < ff->precision - ff->scale;
	} else if (is_int(ff->type)) {
		fewer_places = false;
		fewer_digits = new_int < (ff->type == CORM_COL_I16 ? 5
			: ff->type == CORM_COL_I32 ? 10 : 19);
	} else {
		return;
	}
	if (!fewer_places && !fewer_digits)
		return;
	corm_buf_printf(&msg, "rows of \"%s\" whose \"%s\" has ",
		op->from_model->table, col);
	if (fewer_places)
		corm_buf_printf(&msg, "more than %d place%s after the point",
			tf->scale, tf->scale == 1 ? "" : "s");
	if (fewer_places && fewer_digits)
		corm_buf_puts(&msg, " or ");
	if (fewer_digits)
		corm_buf_printf(&msg, "more than %d digit%s before the point", new_int,
			new_int == 1 ? "" : "s");
	corm_buf_puts(&msg, ": ");
	changing(&msg, op);
	corm_buf_printf(&msg, " would %s them; change or delete those rows",
		fewer_places ? "round" : "refuse");
	begin_check(k, &msg, op->from_model->table, true);
	if (ff->type == CORM_COL_DECIMAL && k->eng->decimals_are_text) {
		text_decimal_misfit(k, col, fewer_digits ? new_int : -1,
			fewer_places ? tf->scale : -1);
	} else {
		if (fewer_places) {
			q(k, col);
			corm_buf_puts(k->out, " <> ROUND(");
			q(k, col);
			corm_buf_printf(k->out, ", %d)", tf->scale);
		}
		if (fewer_places && fewer_digits)
			corm_buf_puts(k->out, " OR ");
		if (fewer_digits)
			too_many_int_digits(k, col, new_int);
	}
	corm_buf_puts(k->out, ";\n");
	corm_buf_free(&msg);
}

/* ----------------------------------------------------------- NOT NULL */

/* A NOT NULL field with no default (nor @auto) to give a row a value. */
static bool needs_a_value(const corm_field *f)
{
	return !f->nullable && f->def.kind == CORM_DEFAULT_NONE && !f->is_auto;
}

/* NULL -> NOT NULL with no default to fill the NULLs with. */
static void check_not_null(const checker *k, const corm_op *op)
{
	const corm_field *ff = op->from_field, *tf = op->to_field;
	corm_buf msg = CORM_BUF_INIT;

	if (!(op->alter & CORM_ALTER_NULL) || !needs_a_value(tf))
		return;
	corm_buf_printf(&msg, "rows of \"%s\" whose \"%s\" is NULL: making it "
		"NOT NULL without a default leaves them no value; set one, give "
		"the field a @default, or delete those rows",
		op->from_model->table, ff->column);
	begin_check(k, &msg, op->from_model->table, true);
	q(k, ff->column);
	corm_buf_puts(k->out, " IS NULL;\n");
	corm_buf_free(&msg);
}

/* A NOT NULL column without a default added to a table that has rows. */
static void check_add_column(const checker *k, const corm_op *op)
{
	const corm_field *tf = op->to_field;
	corm_buf msg = CORM_BUF_INIT;

	if (!op->from_model || !needs_a_value(tf))
		return;
	corm_buf_printf(&msg, "rows of \"%s\": the new column \"%s\" is NOT "
		"NULL without a default and would have no value in them; give "
		"the field a @default, make it nullable, or delete those rows",
		op->from_model->table, tf->column);
	begin_check(k, &msg, op->from_model->table, false);
	corm_buf_puts(k->out, ";\n");
	corm_buf_free(&msg);
}

/* ---------------------------------------------------------------- enums */

/* A column becoming an enum, or an enum losing members: rows whose value
 * is not a member of the new enum (diff marks exactly those ADD_CHECKs
 * destructive). */
static void check_enum(const checker *k, const corm_op *op)
{
	const corm_enum *e = op->to_field->enum_type;
	const char *col = op->from_field->column;
	corm_buf msg = CORM_BUF_INIT;
	size_t i;

	if (!op->destructive)
		return;
	corm_buf_printf(&msg, "rows of \"%s\" whose \"%s\" is not one of ",
		op->from_model->table, col);
	for (i = 0; i < e->nmembers; i++)
		corm_buf_printf(&msg, "%s%s", i ? ", " : "", e->members[i].name);
	corm_buf_printf(&msg, ": enum %s cannot hold them; change or delete "
		"those rows", e->name);
	begin_check(k, &msg, op->from_model->table, true);
	q(k, col);
	corm_buf_puts(k->out, " IS NOT NULL AND ");
	q(k, col);
	corm_buf_puts(k->out, " NOT IN (");
	for (i = 0; i < e->nmembers; i++) {
		if (i)
			corm_buf_puts(k->out, ", ");
		corm_ddl_literal(k->out, k->d, e->members[i].name,
			strlen(e->members[i].name));
	}
	corm_buf_puts(k->out, ");\n");
	corm_buf_free(&msg);
}

/* --------------------------------------------------- uniques and keys */

static bool has_col(const size_t *cols, size_t n, size_t fi)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (cols[i] == fi)
			return true;
	return false;
}

/* Is there already a unique or key on some of the old columns
 * `cols[0..n)`? Then no two rows share all of them (a renamed
 * constraint, or a unique over a key's columns and more), and the check
 * would only cost a scan. */
static bool already_unique(const corm_model *fm, const size_t *cols,
	size_t n)
{
	size_t u, i;

	for (u = 0; u <= fm->nuniques; u++) {
		const corm_index *ix = u < fm->nuniques ? &fm->uniques[u] : &fm->pk;
		bool all = ix->nfields > 0;

		for (i = 0; i < ix->nfields && all; i++)
			all = has_col(cols, n, ix->fields[i]);
		if (all)
			return true;
	}
	return false;
}

/* A new unique constraint or primary key on a table that exists: groups
 * of rows sharing values (rows with a NULL in them are not duplicates,
 * on any engine). Columns added by the same migration are not checked
 * (their values are not there yet). */
static int check_unique(const checker *k, const corm_plan *p,
	const corm_op *op, bool pk)
{
	const corm_model *fm = op->from_model, *tm = op->to_model;
	const corm_index *ix = op->to_index;
	corm_buf msg = CORM_BUF_INIT;
	size_t *cols, i;

	if (!fm)
		return CORM_OK;
	if (!(cols = corm_calloc(ix->nfields + 1, sizeof(size_t))))
		return CORM_ENOMEM;
	for (i = 0; i < ix->nfields; i++) {
		const corm_field *ff = corm_plan_from_field(p, tm,
			&tm->fields[ix->fields[i]]);

		if (!ff)
			goto done;
		cols[i] = ff->index;
	}
	if (already_unique(fm, cols, ix->nfields))
		goto done;
	corm_buf_printf(&msg, "groups of rows of \"%s\" that share their (",
		fm->table);
	for (i = 0; i < ix->nfields; i++)
		corm_buf_printf(&msg, "%s%s", i ? ", " : "",
			fm->fields[cols[i]].column);
	corm_buf_printf(&msg, "): %s would refuse them; remove the "
		"duplicates", pk ? "the new primary key" : "the new unique "
		"constraint");
	begin_check(k, &msg, NULL, false);
	corm_buf_puts(k->out, "(SELECT 1 AS one FROM ");
	q(k, fm->table);
	corm_buf_puts(k->out, " WHERE ");
	for (i = 0; i < ix->nfields; i++) {
		corm_buf_puts(k->out, i ? " AND " : "");
		q(k, fm->fields[cols[i]].column);
		corm_buf_puts(k->out, " IS NOT NULL");
	}
	corm_buf_puts(k->out, " GROUP BY ");
	for (i = 0; i < ix->nfields; i++) {
		corm_buf_puts(k->out, i ? ", " : "");
		q(k, fm->fields[cols[i]].column);
	}
	corm_buf_puts(k->out, " HAVING COUNT(*) > 1) AS corm_dup;\n");
done:
	corm_buf_free(&msg);
	corm_free(cols);
	return corm_buf_error(k->out);
}

/* ------------------------------------------------------------- the plan */

int corm_plan_render_checks(corm_buf *out, const corm_dialect *d,
	const corm_plan *p)
{
	checker k = {out, corm_mig_engine_of_dialect(d), d};
	size_t i;
	int error = CORM_OK;

	if (!k.eng)
		return CORM_EINVAL;
	for (i = 0; i < p->nops && !error; i++) {
		const corm_op *op = &p->ops[i];

		switch (op->kind) {
		case CORM_OP_ALTER_COLUMN:
			if (op->alter & CORM_ALTER_TYPE) {
				check_length(&k, op);
				check_integer(&k, op);
				check_decimal(&k, op);
			}
			check_not_null(&k, op);
			break;
		case CORM_OP_ADD_COLUMN:
			check_add_column(&k, op);
			break;
		case CORM_OP_ADD_CHECK:
			if (op->from_field)
				check_enum(&k, op);
			break;
		case CORM_OP_CREATE_UNIQUE:
		case CORM_OP_ADD_PK:
			error = check_unique(&k, p, op, op->kind == CORM_OP_ADD_PK);
			break;
		default:
			break;
		}
	}
	return error ? error : corm_buf_error(out);
}
