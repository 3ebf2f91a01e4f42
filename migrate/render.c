/*
 * render.c — a plan's operations as SQL for one dialect (see migrate.h).
 *
 * Where the engine's ALTER TABLE can make a change, it gets one ALTER
 * TABLE (or CREATE/DROP) per change; what differs by engine is named by
 * its object (migrate_engine.h). Where it cannot (SQLite), every other
 * change to an existing table is a table rebuild, written by the engine
 * (engine_sqlite.c) and placed here where column changes would go. The
 * foreign keys must be off while that happens (DROP TABLE would
 * otherwise cascade into, or be refused by, the tables that reference
 * it), and SQLite ignores `PRAGMA foreign_keys` inside a transaction: the
 * rendered SQL starts with CORM_MIG_MARK_FK_OFF, the runner switches them
 * around the transaction, and the engine's foreign key check ends it.
 *
 * Table names depend on the phase: operations before RENAME_TABLE use
 * the old names, the rest the new ones (see corm_op_kind).
 */
#include <string.h>

#include "corm/driver.h"
#include "ddl.h"
#include "migrate_engine.h"
#include "migrate.h"

static void q(corm_buf *out, const corm_dialect *d, const char *ident)
{
	corm_dialect_quote(out, d, ident);
}

static void alter_table(corm_buf *out, const corm_dialect *d,
	const char *table)
{
	corm_buf_puts(out, "ALTER TABLE ");
	q(out, d, table);
	corm_buf_putc(out, ' ');
}

static void column_list(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const corm_index *ix)
{
	size_t i;

	corm_buf_putc(out, '(');
	for (i = 0; i < ix->nfields; i++) {
		if (i)
			corm_buf_puts(out, ", ");
		q(out, d, m->fields[ix->fields[i]].column);
	}
	corm_buf_putc(out, ')');
}

static void check_name(corm_buf *out, const corm_dialect *d,
	const char *table, const char *column)
{
	corm_buf b = CORM_BUF_INIT;

	if (corm_mig_check_name(&b, table, column) == CORM_OK)
		q(out, d, b.ptr);
	else
		out->error = CORM_ENOMEM;
	corm_buf_free(&b);
}

/* ------------------------------------------------------- native enums */

/* With native_enum the members are in the column's type, not a CHECK:
 * DROP_CHECK and ADD_CHECK become MODIFY COLUMNs, or nothing when the
 * column itself goes (DROP COLUMN) or comes (ADD COLUMN, CREATE TABLE). */
static bool native_enum_noop(const corm_dialect *d, const corm_op *op)
{
	if (!d->native_enum)
		return false;
	if (op->kind == CORM_OP_DROP_CHECK) /* still an enum: ADD_CHECK */
		return !op->to_field || op->to_field->kind == CORM_FIELD_ENUM;
	if (op->kind == CORM_OP_ADD_CHECK)
		return !op->from_field;
	return false;
}

static void modify_column(corm_buf *out, const corm_dialect *d,
	const char *table, const char *column, const corm_model *m,
	const corm_field *f)
{
	alter_table(out, d, table);
	corm_buf_puts(out, "MODIFY COLUMN ");
	q(out, d, column);
	corm_buf_putc(out, ' ');
	corm_ddl_column(out, d, m, f);
}

/* DROP_CHECK of an enum column that stops being one: back to the plain
 * VARCHAR(64) (with its old NULL and default) that the CHECK dialects
 * keep; an ALTER_COLUMN that follows takes it on from there. Before the
 * renames: old table and column names. */
static void unenum_column(corm_buf *out, const corm_dialect *d,
	const corm_op *op, const char *table)
{
	corm_field plain = *op->from_field;

	plain.kind = CORM_FIELD_SCALAR;
	plain.enum_type = NULL;
	modify_column(out, d, table, op->from_field->column, op->from_model,
		&plain);
}

/* --------------------------------------------------------- one operation */

static void render_alter_pieces(corm_buf *out, const corm_dialect *d,
	const corm_op *op)
{
	const corm_field *ff = op->from_field, *tf = op->to_field;
	const char *t = op->to_model->table;
	bool default_done = false;

	if (op->alter & CORM_ALTER_AUTO && ff->is_auto) {
		alter_table(out, d, t);
		corm_buf_puts(out, "ALTER COLUMN ");
		q(out, d, tf->column);
		corm_buf_puts(out, " DROP IDENTITY IF EXISTS;\n");
	}
	if (op->alter & CORM_ALTER_TYPE) {
		if (ff->def.kind != CORM_DEFAULT_NONE) {
			/* The old default may not cast to the new type. */
			alter_table(out, d, t);
			corm_buf_puts(out, "ALTER COLUMN ");
			q(out, d, tf->column);
			corm_buf_puts(out, " DROP DEFAULT;\n");
		}
		alter_table(out, d, t);
		corm_buf_puts(out, "ALTER COLUMN ");
		q(out, d, tf->column);
		corm_buf_puts(out, " TYPE ");
		corm_ddl_column_type(out, d, tf);
		corm_buf_puts(out, " USING ");
		q(out, d, tf->column);
		corm_buf_puts(out, "::");
		corm_ddl_column_type(out, d, tf);
		corm_buf_puts(out, ";\n");
		default_done = tf->def.kind == CORM_DEFAULT_NONE;
	}
	if (!default_done && (op->alter & (CORM_ALTER_DEFAULT | CORM_ALTER_TYPE))) {
		alter_table(out, d, t);
		corm_buf_puts(out, "ALTER COLUMN ");
		q(out, d, tf->column);
		if (tf->def.kind == CORM_DEFAULT_NONE) {
			corm_buf_puts(out, " DROP DEFAULT;\n");
		} else {
			corm_buf_puts(out, " SET DEFAULT ");
			corm_ddl_default_value(out, d, tf);
			corm_buf_puts(out, ";\n");
		}
	}
	if (op->alter & CORM_ALTER_NULL && !tf->nullable) {
		if (tf->def.kind != CORM_DEFAULT_NONE) {
			corm_buf_puts(out, "UPDATE ");
			q(out, d, t);
			corm_buf_puts(out, " SET ");
			q(out, d, tf->column);
			corm_buf_puts(out, " = ");
			corm_ddl_default_value(out, d, tf);
			corm_buf_puts(out, " WHERE ");
			q(out, d, tf->column);
			corm_buf_puts(out, " IS NULL;\n");
		}
		alter_table(out, d, t);
		corm_buf_puts(out, "ALTER COLUMN ");
		q(out, d, tf->column);
		corm_buf_puts(out, " SET NOT NULL;\n");
	} else if (op->alter & CORM_ALTER_NULL) {
		alter_table(out, d, t);
		corm_buf_puts(out, "ALTER COLUMN ");
		q(out, d, tf->column);
		corm_buf_puts(out, " DROP NOT NULL;\n");
	}
	if (op->alter & CORM_ALTER_AUTO && tf->is_auto) {
		alter_table(out, d, t);
		corm_buf_puts(out, "ALTER COLUMN ");
		q(out, d, tf->column);
		corm_buf_puts(out, " ADD GENERATED BY DEFAULT AS IDENTITY;\n");
		/* Start past the ids already in the table. */
		corm_buf_puts(out, "SELECT setval(pg_get_serial_sequence(");
		{
			corm_buf qt = CORM_BUF_INIT;

			q(&qt, d, t);
			corm_ddl_literal(out, d, corm_buf_cstr(&qt), qt.len);
			corm_buf_free(&qt);
		}
		corm_buf_puts(out, ", ");
		corm_ddl_literal(out, d, tf->column, strlen(tf->column));
		corm_buf_puts(out, "), COALESCE(MAX(");
		q(out, d, tf->column);
		corm_buf_puts(out, "), 0) + 1, false) FROM ");
		q(out, d, t);
		corm_buf_puts(out, ";\n");
	}
}

static void render_alter_restate(corm_buf *out, const corm_dialect *d,
	const corm_op *op)
{
	const corm_field *tf = op->to_field;
	const char *t = op->to_model->table;

	if (op->alter & CORM_ALTER_NULL && !tf->nullable &&
		tf->def.kind != CORM_DEFAULT_NONE) {
		corm_buf_puts(out, "UPDATE ");
		q(out, d, t);
		corm_buf_puts(out, " SET ");
		q(out, d, tf->column);
		corm_buf_puts(out, " = ");
		corm_ddl_default_value(out, d, tf);
		corm_buf_puts(out, " WHERE ");
		q(out, d, tf->column);
		corm_buf_puts(out, " IS NULL;\n");
	}
	/* MODIFY restates the whole column: type, NULL, default, auto. */
	alter_table(out, d, t);
	corm_buf_puts(out, "MODIFY COLUMN ");
	q(out, d, tf->column);
	corm_buf_putc(out, ' ');
	corm_ddl_column(out, d, op->to_model, tf);
	corm_buf_puts(out, ";\n");
}

/* Is `op` one clause of an ALTER TABLE on its table (a drop on the old
 * name, anything else on the new)? */
static bool is_alter_clause(const corm_dialect *d, const corm_op *op)
{
	switch (op->kind) {
	case CORM_OP_DROP_FK:
	case CORM_OP_DROP_UNIQUE:
	case CORM_OP_DROP_PK:
	case CORM_OP_RENAME_COLUMN:
	case CORM_OP_ADD_COLUMN:
	case CORM_OP_DROP_COLUMN:
	case CORM_OP_ADD_PK:
	case CORM_OP_CREATE_UNIQUE:
	case CORM_OP_ADD_FK:
		return true;
	case CORM_OP_DROP_CHECK:
	case CORM_OP_ADD_CHECK:
		return !d->native_enum; /* else a MODIFY COLUMN */
	default:
		return false;
	}
}

static void fk_clause(corm_buf *out, const corm_dialect *d, const corm_fk *k)
{
	corm_buf_puts(out, "ADD ");
	corm_ddl_foreign_key(out, d, k);
}

/* The clause, after "ALTER TABLE t " (is_alter_clause). */
static void alter_clause(corm_buf *out, const corm_migrate_engine *eng,
	const corm_op *op)
{
	const corm_dialect *d = eng->dialect;
	const corm_model *fm = op->from_model, *tm = op->to_model;

	switch (op->kind) {
	case CORM_OP_DROP_FK:
		corm_buf_puts(out, eng->drop_fk_sql);
		q(out, d, op->from_fk->name);
		break;
	case CORM_OP_DROP_UNIQUE:
		corm_buf_puts(out, eng->drop_unique_sql);
		q(out, d, op->from_index->name);
		break;
	case CORM_OP_DROP_CHECK:
		corm_buf_puts(out, "DROP CONSTRAINT ");
		check_name(out, d, fm->table, op->from_field->column);
		break;
	case CORM_OP_DROP_PK:
		if (eng->named_primary_key) {
			corm_buf_puts(out, "DROP CONSTRAINT ");
			q(out, d, fm->pk.name);
		} else {
			corm_buf_puts(out, "DROP PRIMARY KEY");
		}
		break;
	case CORM_OP_RENAME_COLUMN:
		corm_buf_puts(out, "RENAME COLUMN ");
		q(out, d, op->from_field->column);
		corm_buf_puts(out, " TO ");
		q(out, d, op->to_field->column);
		break;
	case CORM_OP_ADD_COLUMN:
		corm_buf_puts(out, "ADD COLUMN ");
		q(out, d, op->to_field->column);
		corm_buf_putc(out, ' ');
		corm_ddl_column(out, d, tm, op->to_field);
		break;
	case CORM_OP_DROP_COLUMN:
		corm_buf_puts(out, "DROP COLUMN ");
		q(out, d, op->from_field->column);
		break;
	case CORM_OP_ADD_PK:
		corm_buf_puts(out, "ADD ");
		if (eng->named_primary_key) {
			corm_buf_puts(out, "CONSTRAINT ");
			q(out, d, tm->pk.name);
			corm_buf_putc(out, ' ');
		}
		corm_buf_puts(out, "PRIMARY KEY ");
		column_list(out, d, tm, &tm->pk);
		break;
	case CORM_OP_ADD_CHECK:
		corm_buf_puts(out, "ADD ");
		corm_ddl_check(out, d, tm, op->to_field);
		break;
	case CORM_OP_CREATE_UNIQUE:
		corm_buf_puts(out, "ADD CONSTRAINT ");
		q(out, d, op->to_index->name);
		corm_buf_puts(out, " UNIQUE ");
		column_list(out, d, tm, op->to_index);
		break;
	case CORM_OP_ADD_FK:
		fk_clause(out, d, op->to_fk);
		break;
	default:
		break;
	}
}

/* Does plan `p` drop the primary key of old table `fm`? */
static bool pk_dropped(const corm_plan *p, const corm_model *fm)
{
	size_t i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == CORM_OP_DROP_PK && p->ops[i].from_model == fm)
			return true;
	return false;
}

/* `omit`: CREATE_TABLE's foreign keys added later (a cycle), or NULL. */
static void render_op(corm_buf *out, const corm_migrate_engine *eng,
	const corm_plan *p, const corm_op *op, const bool *omit)
{
	const corm_dialect *d = eng->dialect;
	const corm_model *fm = op->from_model, *tm = op->to_model;

	corm_buf_printf(out, "-- %s\n", op->what);
	if (is_alter_clause(d, op)) {
		bool drop = op->kind < CORM_OP_DROP_TABLE; /* old names */

		alter_table(out, d, drop ? fm->table : tm->table);
		alter_clause(out, eng, op);
		corm_buf_puts(out, ";\n");
		return;
	}
	switch (op->kind) {
	case CORM_OP_DROP_INDEX:
		corm_buf_puts(out, "DROP INDEX ");
		q(out, d, op->from_index->name);
		if (eng->drop_index_names_table) {
			corm_buf_puts(out, " ON ");
			q(out, d, fm->table);
		}
		break;
	case CORM_OP_DROP_CHECK: /* native enum */
		unenum_column(out, d, op, fm->table);
		break;
	case CORM_OP_DROP_TABLE:
		corm_buf_puts(out, "DROP TABLE ");
		q(out, d, fm->table);
		break;
	case CORM_OP_RENAME_TABLE:
		alter_table(out, d, fm->table);
		corm_buf_puts(out, "RENAME TO ");
		q(out, d, tm->table);
		/* PostgreSQL keeps the key's old name: constraints are named
		 * after their table, so follow it (unless the key was dropped
		 * before, to be added under the new name). */
		if (eng->rename_keeps_pk_name && !pk_dropped(p, fm) &&
			strcmp(fm->pk.name, tm->pk.name) != 0) {
			corm_buf_puts(out, ";\n");
			alter_table(out, d, tm->table);
			corm_buf_puts(out, "RENAME CONSTRAINT ");
			q(out, d, fm->pk.name);
			corm_buf_puts(out, " TO ");
			q(out, d, tm->pk.name);
		}
		break;
	case CORM_OP_CREATE_TABLE:
		corm_ddl_create_table_ex(out, d, tm, tm->table, omit);
		corm_ddl_create_indexes(out, d, tm);
		return;
	case CORM_OP_ALTER_COLUMN:
		if (eng->alter_restates_column)
			render_alter_restate(out, d, op);
		else
			render_alter_pieces(out, d, op);
		return;
	case CORM_OP_ADD_CHECK: /* native enum: the new members, NULL, default */
		modify_column(out, d, tm->table, op->to_field->column, tm,
			op->to_field);
		break;
	case CORM_OP_CREATE_INDEX:
		corm_buf_puts(out, "CREATE INDEX ");
		q(out, d, op->to_index->name);
		corm_buf_puts(out, " ON ");
		q(out, d, tm->table);
		corm_buf_putc(out, ' ');
		column_list(out, d, tm, op->to_index);
		break;
	default:
		break;
	}
	corm_buf_puts(out, ";\n");
}

/* --------------------------------------------- one ALTER TABLE per table */

/*
 * Where each statement commits (one_alter_per_table), a plan is written
 * in four phases: the foreign keys that go, each table's in one ALTER;
 * tables dropped, renamed and created; each changed table's one ALTER
 * TABLE with every change to its columns, key, uniques and indexes
 * (the engine checks the result as a whole, so an index that a foreign
 * key needs may be replaced in it); the foreign keys that come, each
 * table's in one ALTER. A table's ALTER fails whole or not at all, and
 * no statement fails because of one before it: a key is only dropped
 * once nothing references it, an index a foreign key needs only with
 * the key dropped before and added again after (fk_needs_index).
 */

/* A statement being built: its operations' comments, then its clauses. */
typedef struct alter_stmt {
	corm_buf notes;   /* "-- what" lines */
	corm_buf clauses; /* separated by ",\n    " */
	size_t n;
} alter_stmt;

#define ALTER_STMT_INIT {CORM_BUF_INIT, CORM_BUF_INIT, 0}

/* Start the next clause: the buffer to write it in. */
static corm_buf *alter_next(alter_stmt *a, const char *what)
{
	corm_buf_printf(&a->notes, "-- %s\n", what);
	if (a->n++)
		corm_buf_puts(&a->clauses, ",\n    ");
	return &a->clauses;
}

/* Write `a` on `table` (one clause on the ALTER's line; more, one a line)
 * and empty it. */
static void alter_flush(corm_buf *out, const corm_dialect *d, alter_stmt *a,
	const char *table)
{
	int error = corm_buf_error(&a->notes);

	if (!error)
		error = corm_buf_error(&a->clauses);
	if (error && !out->error)
		out->error = error;
	corm_buf_puts(out, corm_buf_cstr(&a->notes));
	if (a->n) {
		corm_buf_puts(out, "ALTER TABLE ");
		q(out, d, table);
		corm_buf_puts(out, a->n > 1 ? "\n    " : " ");
		corm_buf_puts(out, corm_buf_cstr(&a->clauses));
		corm_buf_puts(out, ";\n");
	}
	corm_buf_free(&a->notes);
	corm_buf_free(&a->clauses);
	a->n = 0;
}

/* The new model that old model `fm` became, or NULL. */
static const corm_model *new_model_of(const corm_plan *p,
	const corm_model *fm)
{
	size_t i;

	for (i = 0; i < p->to->nmodels; i++)
		if (corm_plan_from_model(p, &p->to->models[i]) == fm)
			return &p->to->models[i];
	return NULL;
}

/* Has `m` an index (its key, a unique or an index) starting with `f`? */
static bool has_index_on(const corm_model *m, const corm_field *f)
{
	const corm_index *lists[] = {&m->pk, m->uniques, m->indexes};
	const size_t counts[] = {1, m->nuniques, m->nindexes};
	size_t l, i;

	for (l = 0; l < 3; l++)
		for (i = 0; i < counts[l]; i++)
			if (lists[l][i].nfields &&
				&m->fields[lists[l][i].fields[0]] == f)
				return true;
	return false;
}

static bool fk_dropped(const corm_plan *p, const corm_fk *k)
{
	size_t i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == CORM_OP_DROP_FK && p->ops[i].from_fk == k)
			return true;
	return false;
}

/*
 * With fk_needs_index: the new foreign key of `tm` that old key `k`
 * stays as, when the plan drops every index of the schema's that starts
 * with its column and adds none; else NULL. (A key with no such index
 * in the old schema has the one InnoDB made for it, which stays.)
 */
static const corm_fk *fk_losing_index(const corm_plan *p,
	const corm_model *tm, const corm_fk *k)
{
	const corm_model *fm = corm_plan_from_model(p, tm);
	size_t i;

	if (!fm || fk_dropped(p, k) || !has_index_on(fm, k->field))
		return NULL;
	for (i = 0; i < tm->nfks; i++) {
		const corm_fk *n = &tm->fks[i];

		if (strcmp(n->name, k->name) == 0 &&
			corm_plan_from_field(p, tm, n->field) == k->field)
			return has_index_on(tm, n->field) ? NULL : n;
	}
	return NULL;
}

/* The old keys of `fm` whose index goes, as clauses of `a`. */
static void refk_drops(alter_stmt *a, const corm_migrate_engine *eng,
	const corm_plan *p, const corm_model *fm)
{
	const corm_model *tm = new_model_of(p, fm);
	size_t i;

	for (i = 0; eng->fk_needs_index && tm && i < fm->nfks; i++) {
		const corm_fk *k = &fm->fks[i];
		corm_buf what = CORM_BUF_INIT, *b;

		if (!fk_losing_index(p, tm, k))
			continue;
		corm_buf_printf(&what, "drop foreign key %s for now: the index it "
			"uses goes (added again below)", k->name);
		b = alter_next(a, corm_buf_cstr(&what));
		corm_buf_puts(b, eng->drop_fk_sql);
		q(b, eng->dialect, k->name);
		if (corm_buf_error(&what))
			b->error = corm_buf_error(&what);
		corm_buf_free(&what);
	}
}

/* The same keys of `tm`, added again. */
static void refk_adds(alter_stmt *a, const corm_migrate_engine *eng,
	const corm_plan *p, const corm_model *tm)
{
	const corm_model *fm = corm_plan_from_model(p, tm);
	size_t i;

	for (i = 0; eng->fk_needs_index && fm && i < fm->nfks; i++) {
		const corm_fk *n = fk_losing_index(p, tm, &fm->fks[i]);
		corm_buf what = CORM_BUF_INIT, *b;

		if (!n)
			continue;
		corm_buf_printf(&what, "add foreign key %s again (the engine "
			"makes its index)", n->name);
		b = alter_next(a, corm_buf_cstr(&what));
		fk_clause(b, eng->dialect, n);
		if (corm_buf_error(&what))
			b->error = corm_buf_error(&what);
		corm_buf_free(&what);
	}
}

/* The table a foreign key operation is on: the old one for a drop. */
static const corm_model *fk_table(const corm_op *op)
{
	return op->kind == CORM_OP_DROP_FK ? op->from_model : op->to_model;
}

/* Is there an op of `kind` on table `m` among the first `n` ops? */
static bool fk_op_on(const corm_plan *p, corm_op_kind kind,
	const corm_model *m, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p->ops[i].kind == kind && fk_table(&p->ops[i]) == m)
			return true;
	return false;
}

/* Table `m`'s ops of `kind` (DROP_FK or ADD_FK) and its keys whose
 * index goes, as one ALTER (nothing when there are none). */
static void fk_statement(corm_buf *out, const corm_migrate_engine *eng,
	const corm_plan *p, corm_op_kind kind, const corm_model *m)
{
	alter_stmt a = ALTER_STMT_INIT;
	size_t i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == kind && fk_table(&p->ops[i]) == m)
			alter_clause(alter_next(&a, p->ops[i].what), eng, &p->ops[i]);
	if (kind == CORM_OP_DROP_FK)
		refk_drops(&a, eng, p, m);
	else
		refk_adds(&a, eng, p, m);
	alter_flush(out, eng->dialect, &a, m->table);
}

/* Phase 1 (DROP_FK: the keys that go, and those whose index goes) or 4
 * (ADD_FK: the keys that come, and those added again): tables in the
 * order of their first such op, then the tables with only keys whose
 * index goes. */
static void render_fk_phase(corm_buf *out, const corm_migrate_engine *eng,
	const corm_plan *p, corm_op_kind kind)
{
	const corm_schema *s = kind == CORM_OP_DROP_FK ? p->from : p->to;
	size_t i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == kind &&
			!fk_op_on(p, kind, fk_table(&p->ops[i]), i))
			fk_statement(out, eng, p, kind, fk_table(&p->ops[i]));
	for (i = 0; i < s->nmodels; i++)
		if (!fk_op_on(p, kind, &s->models[i], p->nops))
			fk_statement(out, eng, p, kind, &s->models[i]);
}

/* Is `op` part of its (kept) table's one ALTER? */
static bool in_table_alter(const corm_op *op)
{
	return op->from_model && op->to_model && op->kind != CORM_OP_DROP_FK &&
		op->kind != CORM_OP_RENAME_TABLE && op->kind != CORM_OP_ADD_FK;
}

/* Does ALTER_COLUMN `op` set a column's NULLs to its default first? */
static bool backfills(const corm_op *op)
{
	return op->kind == CORM_OP_ALTER_COLUMN && op->alter & CORM_ALTER_NULL &&
		!op->to_field->nullable &&
		op->to_field->def.kind != CORM_DEFAULT_NONE;
}

/* Does the plan have an operation of `kind` on new column `tf`? */
static const corm_op *column_op(const corm_plan *p, corm_op_kind kind,
	const corm_field *tf)
{
	size_t i;

	for (i = 0; i < p->nops; i++)
		if (p->ops[i].kind == kind && p->ops[i].to_field == tf &&
			p->ops[i].from_model)
			return &p->ops[i];
	return NULL;
}

/* A native enum column that stops being one becomes VARCHAR first, in a
 * statement before its table's ALTER, when the text would not convert
 * straight to the new type (MySQL turns an ENUM into its member's
 * number) or its NULLs are set to a default first. */
static bool unenum_first(const corm_dialect *d, const corm_plan *p,
	const corm_op *op)
{
	const corm_op *alter;

	if (op->kind != CORM_OP_DROP_CHECK || !d->native_enum)
		return false;
	alter = column_op(p, CORM_OP_ALTER_COLUMN, op->to_field);
	return (op->to_field->type != CORM_COL_STRING &&
		op->to_field->type != CORM_COL_TEXT) || (alter && backfills(alter));
}

/* Does `op` change a column that the ALTER restates in one clause
 * (RENAME COLUMN, MODIFY COLUMN or CHANGE COLUMN)? */
static bool restates_column(const corm_dialect *d, const corm_plan *p,
	const corm_op *op)
{
	switch (op->kind) {
	case CORM_OP_RENAME_COLUMN:
	case CORM_OP_ALTER_COLUMN:
		return true;
	case CORM_OP_DROP_CHECK:
		return d->native_enum && !unenum_first(d, p, op);
	case CORM_OP_ADD_CHECK:
		return d->native_enum;
	default:
		return false;
	}
}

/* The one clause for new column `tf` (renamed, changed, or both). */
static void column_clause(corm_buf *out, const corm_dialect *d,
	const corm_plan *p, const corm_model *tm, const corm_field *tf)
{
	const corm_field *ff = corm_plan_from_field(p, tm, tf);
	bool renamed = column_op(p, CORM_OP_RENAME_COLUMN, tf) != NULL;
	bool changed = false;
	size_t i;

	for (i = 0; i < p->nops; i++)
		changed |= p->ops[i].to_field == tf &&
			p->ops[i].kind != CORM_OP_RENAME_COLUMN &&
			restates_column(d, p, &p->ops[i]) &&
			!native_enum_noop(d, &p->ops[i]);
	if (!changed) {
		corm_buf_puts(out, "RENAME COLUMN ");
		q(out, d, ff->column);
		corm_buf_puts(out, " TO ");
		q(out, d, tf->column);
		return;
	}
	corm_buf_puts(out, renamed ? "CHANGE COLUMN " : "MODIFY COLUMN ");
	if (renamed) {
		q(out, d, ff->column);
		corm_buf_putc(out, ' ');
	}
	q(out, d, tf->column);
	corm_buf_putc(out, ' ');
	corm_ddl_column(out, d, tm, tf);
}

/* A clause of a table's ALTER that is not a column's. */
static void table_clause(corm_buf *out, const corm_migrate_engine *eng,
	const corm_op *op)
{
	const corm_dialect *d = eng->dialect;

	switch (op->kind) {
	case CORM_OP_DROP_INDEX:
		corm_buf_puts(out, "DROP INDEX ");
		q(out, d, op->from_index->name);
		break;
	case CORM_OP_CREATE_INDEX:
		corm_buf_puts(out, "ADD INDEX ");
		q(out, d, op->to_index->name);
		corm_buf_putc(out, ' ');
		column_list(out, d, op->to_model, op->to_index);
		break;
	default:
		alter_clause(out, eng, op);
		break;
	}
}

/* Phase 3 for table `tm`: what must come first, then its one ALTER. */
static void render_table(corm_buf *out, const corm_migrate_engine *eng,
	const corm_plan *p, const corm_model *tm)
{
	const corm_dialect *d = eng->dialect;
	alter_stmt a = ALTER_STMT_INIT;
	size_t i, k;

	for (i = 0; i < p->nops; i++) {
		const corm_op *op = &p->ops[i];

		if (op->to_model != tm || !in_table_alter(op) ||
			native_enum_noop(d, op) || !unenum_first(d, p, op))
			continue;
		corm_buf_printf(out, "-- %s\n", op->what);
		unenum_column(out, d, op, tm->table);
		corm_buf_puts(out, ";\n");
	}
	for (i = 0; i < p->nops; i++) {
		const corm_op *op = &p->ops[i];

		if (op->to_model != tm || !backfills(op))
			continue;
		/* Before the ALTER renames it: the old column name. */
		corm_buf_printf(out, "-- NULLs in %s.%s become its default, "
			"before the ALTER TABLE below\n", tm->table,
			op->from_field->column);
		corm_buf_puts(out, "UPDATE ");
		q(out, d, tm->table);
		corm_buf_puts(out, " SET ");
		q(out, d, op->from_field->column);
		corm_buf_puts(out, " = ");
		corm_ddl_default_value(out, d, op->to_field);
		corm_buf_puts(out, " WHERE ");
		q(out, d, op->from_field->column);
		corm_buf_puts(out, " IS NULL;\n");
	}
	for (i = 0; i < p->nops; i++) {
		const corm_op *op = &p->ops[i];
		bool later = false;

		if (op->to_model != tm || !in_table_alter(op) ||
			native_enum_noop(d, op) || unenum_first(d, p, op))
			continue;
		if (!restates_column(d, p, op)) {
			table_clause(alter_next(&a, op->what), eng, op);
			continue;
		}
		/* A column's changes are one clause, where the first is. */
		for (k = 0; k < i && !later; k++)
			later = p->ops[k].to_field == op->to_field &&
				p->ops[k].to_model == tm && in_table_alter(&p->ops[k]) &&
				!native_enum_noop(d, &p->ops[k]) &&
				restates_column(d, p, &p->ops[k]);
		if (later)
			corm_buf_printf(&a.notes, "-- %s\n", op->what);
		else
			column_clause(alter_next(&a, op->what), d, p, tm, op->to_field);
	}
	alter_flush(out, d, &a, tm->table);
}

/*
 * Write the phase that starts at `op` (NULL: the plan's end) if it has
 * not been written (`done`: bits of the phases written), and say whether
 * `op` belongs to one of the phases written here.
 */
static bool render_phase(corm_buf *out, const corm_migrate_engine *eng,
	const corm_plan *p, const corm_op *op, unsigned *done)
{
	enum { FK_DROPS = 1, TABLES = 2, FK_ADDS = 4 };
	size_t i;

	if (!(*done & FK_DROPS)) {
		render_fk_phase(out, eng, p, CORM_OP_DROP_FK);
		*done |= FK_DROPS;
	}
	if (!(*done & TABLES) && (!op || op->kind >= CORM_OP_RENAME_COLUMN)) {
		for (i = 0; i < p->to->nmodels; i++)
			render_table(out, eng, p, &p->to->models[i]);
		*done |= TABLES;
	}
	if (!(*done & FK_ADDS) && (!op || op->kind == CORM_OP_ADD_FK)) {
		render_fk_phase(out, eng, p, CORM_OP_ADD_FK);
		*done |= FK_ADDS;
	}
	return !op || op->kind == CORM_OP_DROP_FK ||
		op->kind == CORM_OP_ADD_FK || in_table_alter(op);
}

/* ------------------------------------------------------------- the plan */

int corm_plan_render(corm_buf *out, const corm_dialect *d,
	const corm_plan *p)
{
	const corm_migrate_engine *eng = corm_mig_engine_of_dialect(d);
	const corm_schema *B = p->to;
	bool *rebuilt;
	bool any_rebuild = false, fk_off = false, rebuilds_done = false;
	unsigned phases = 0; /* one_alter_per_table */
	size_t i;

	if (!eng)
		return CORM_EINVAL; /* no engine: no SQL guessed for it */
	if (!(rebuilt = corm_calloc(B->nmodels + 1, sizeof(bool))))
		return CORM_ENOMEM;
	if (eng->rebuilds_tables) {
		for (i = 0; i < p->nops; i++) {
			const corm_op *op = &p->ops[i];

			if (eng->needs_rebuild(op)) {
				rebuilt[op->to_model->index] = true;
				any_rebuild = true;
			}
			if (op->kind == CORM_OP_DROP_TABLE)
				fk_off = true;
		}
		fk_off |= any_rebuild;
		if (fk_off)
			corm_buf_puts(out, CORM_MIG_MARK_FK_OFF "\n");
	}
	for (i = 0; i <= p->nops; i++) {
		const corm_op *op = i < p->nops ? &p->ops[i] : NULL;
		size_t k;

		/* SQLite: the rebuilds go where column changes would. */
		if (any_rebuild && !rebuilds_done &&
			(!op || op->kind >= CORM_OP_RENAME_COLUMN)) {
			for (k = 0; k < B->nmodels; k++)
				if (rebuilt[k])
					eng->rebuild_table(out, p, &B->models[k]);
			rebuilds_done = true;
		}
		if (eng->one_alter_per_table &&
			render_phase(out, eng, p, op, &phases) && op)
			continue;
		if (!op)
			break;
		if (eng->rebuilds_tables) {
			/* Done by a rebuild, or gone with a dropped table. */
			if (op->to_model && op->from_model &&
				rebuilt[op->to_model->index] &&
				op->kind != CORM_OP_RENAME_TABLE)
				continue;
			if (op->kind == CORM_OP_DROP_FK && !op->to_model)
				continue;
		}
		if (op->kind == CORM_OP_ADD_FK && !op->from_model &&
			eng->rebuilds_tables)
			continue; /* SQLite: inline; it checks references late */
		if (native_enum_noop(d, op))
			continue;
		if (op->kind == CORM_OP_CREATE_TABLE && !eng->rebuilds_tables) {
			/* Leave out the keys of a cycle, added at the end. */
			const corm_model *m = op->to_model;
			bool *omit = corm_calloc(m->nfks + 1, sizeof(bool));

			if (!omit) {
				corm_free(rebuilt);
				return CORM_ENOMEM;
			}
			for (k = 0; k < p->nops; k++)
				if (p->ops[k].kind == CORM_OP_ADD_FK &&
					!p->ops[k].from_model && p->ops[k].to_model == m)
					omit[p->ops[k].to_fk - m->fks] = true;
			render_op(out, eng, p, op, omit);
			corm_free(omit);
			continue;
		}
		render_op(out, eng, p, op, NULL);
	}
	if (fk_off)
		corm_buf_printf(out, "-- every foreign key must still hold\n"
			"%s;\n", eng->fk_check_sql);
	corm_free(rebuilt);
	return corm_buf_error(out);
}
