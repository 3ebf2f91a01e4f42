/*
 * engine_sqlite.c — migrations on SQLite (see migrate_engine.h).
 *
 * The migration runs in one BEGIN IMMEDIATE transaction, which is also
 * the lock between migrators: inside it the runner reads the history
 * again. ALTER TABLE only renames and adds columns, so other changes are
 * table rebuilds (here; render.c places them), the lesson of the SQLite
 * manual (lang_altertable.html, "Making Other Kinds Of Table Schema
 * Changes"), with the foreign keys off around the transaction and
 * `PRAGMA foreign_key_check` at its end. Like SQLite's own procedure, a
 * rebuild keeps the table's triggers and hand-made indexes (the runner
 * saves them before the statement marked CORM_MIG_MARK_REBUILD and makes
 * them again at the end, save_objects below) and the views and triggers
 * that name the table (a legacy rename rewrites none of them); then every
 * view and trigger must still compile. The catalogue is read with the
 * table-valued pragmas and the CREATE TABLE text kept in sqlite_master
 * (for AUTOINCREMENT and the enum CHECKs).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "ddl.h"
#include "introspect_int.h"
#include "migrate_engine.h"

#define D (&corm_dialect_sqlite)

/* SQLite reads "x" and `x` as identifiers; corm writes the first. */
#define IDENT_QUOTES "\"`"

/* --------------------------------------------------------- the catalogue */

static void sqlite_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	ic_col *c = grow((void **)&t->cols, &t->ncols, &t->cols_cap, sizeof(*c));
	char up[128];
	size_t n;
	const char *s;
	int64_t notnull = 0, pk = 0;

	if (!c) {
		db->error = CORM_ENOMEM;
		return;
	}
	s = ic_text_col(st, 0, &n);
	c->name = dupn(db, s, n);
	s = ic_text_col(st, 1, &n);
	ic_upper(up, sizeof(up), s ? s : "", n);
	ic_map_type(c, up);
	corm_column_int64(&notnull, st, 2);
	corm_column_int64(&pk, st, 4);
	c->nullable = !notnull && !pk;
	s = ic_text_col(st, 3, &n);
	ic_parse_default(db, c, s, n, false);
	(void)pk;
}

static void sqlite_pk(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *s = ic_text_col(st, 0, &n);

	push_str(db, &t->pk, &t->npk, &t->pk_cap, s, n);
}

static void sqlite_fk(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, m;
	const char *from = ic_text_col(st, 0, &n);
	ic_col *c;
	char name[512];

	snprintf(name, sizeof(name), "%.*s", (int)n, from ? from : "");
	if (!(c = find_col(t, name)))
		return;
	from = ic_text_col(st, 1, &n);
	c->fk_table = dupn(db, from, n);
	from = ic_text_col(st, 2, &n);
	c->fk_col = dupn(db, from, n);
	from = ic_text_col(st, 3, &m);
	c->on_delete = ic_on_delete_of(from ? from : "", m);
}

static void sqlite_index(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, on;
	const char *name = ic_text_col(st, 0, &n);
	const char *origin = ic_text_col(st, 2, &on);
	int64_t unique = 0;

	corm_column_int64(&unique, st, 1);
	if (origin && ic_ieq(origin, on, "pk"))
		return;
	{
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)n, name ? name : "");
		ic_add_idx(db, t, buf, unique != 0);
	}
}

/* A column of index `name` (column 1), in order; the index was listed
 * by sqlite_index unless it is the primary key's. */
static void idx_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, i;
	const char *name = ic_text_col(st, 1, &n);
	const char *s;

	for (i = 0; name && i < t->nidx; i++)
		if (strlen(t->idx[i].name) == n &&
			memcmp(t->idx[i].name, name, n) == 0) {
			ic_idx *x = &t->idx[i];

			s = ic_text_col(st, 0, &n);
			push_str(db, &x->cols, &x->ncols, &x->cols_cap, s, n);
			return;
		}
}

/* Just past the quoted identifier that `s` starts with, or NULL. */
static const char *past_ident(const char *s)
{
	char q = *s;

	if (!strchr(IDENT_QUOTES, q))
		return NULL;
	for (s++; *s; s++)
		if (*s == q && *++s != q)
			return s;
	return NULL;
}

/* The enum CHECKs in a CREATE TABLE text: `CHECK ("col" IN ('a', 'b'))`.
 * Other CHECKs are skipped: the range CHECK corm gives an i16 or i32
 * column (`CHECK ("col" BETWEEN ...)`, ddl.c) says nothing the type does
 * not, so a table with or without it (an older corm) reads the same. */
static void sqlite_checks(ic_db *db, ic_table *t, const char *sql)
{
	const char *p = sql;

	while (p && (p = strstr(p, "CHECK (")) != NULL) {
		corm_buf col = CORM_BUF_INIT;
		const char *in;
		ic_col *c;

		p += 7;
		in = past_ident(p);
		if (in && strncmp(in, " IN (", 5) == 0 &&
			ic_first_ident(&col, p, IDENT_QUOTES) &&
			(c = find_col(t, corm_buf_cstr(&col))) != NULL) {
			const char *end = strstr(in, "))");
			char *part = end ? dupn(db, in, (size_t)(end - in)) : NULL;

			if (part)
				ic_literals(db, c, part, false);
			corm_free(part);
		}
		corm_buf_free(&col);
	}
}

/* The CREATE TABLE text (column 0): AUTOINCREMENT and enum CHECKs. */
static void sqlite_sql(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *sql = ic_text_col(st, 0, &n);
	char *copy = dupn(db, sql, n), *u;

	if (!copy)
		return;
	for (u = copy; *u; u++)
		*u = (char)toupper((unsigned char)*u);
	/* An AUTOINCREMENT key is the only INTEGER PRIMARY KEY corm writes. */
	if (strstr(copy, "AUTOINCREMENT") && t->npk == 1) {
		ic_col *k = find_col(t, t->pk[0]);

		if (k) {
			k->is_auto = k->sqlite_auto = true;
			k->type = CORM_COL_I64;
		}
	}
	corm_free(copy);
	if (sql)
		sqlite_checks(db, t, sql);
}

/* Every table's pragma rows in one statement each (ic_fact): a
 * statement per table and a scan of sqlite_master per table took seconds
 * at 2,000 tables. The table's name is the last column; the keys before
 * the CREATE TABLE text (AUTOINCREMENT), indexes before their columns. */
#define EACH_TABLE(pragma) \
	" FROM sqlite_master m JOIN " pragma " WHERE m.type = 'table'"

static const ic_fact sqlite_facts[] = {
	{"SELECT p.name, p.type, p.\"notnull\", p.dflt_value, p.pk, m.name"
		EACH_TABLE("pragma_table_info(m.name) p") " ORDER BY m.name, p.cid",
		5, sqlite_col},
	{"SELECT p.name, m.name" EACH_TABLE("pragma_table_info(m.name) p")
		" AND p.pk > 0 ORDER BY m.name, p.pk", 1, sqlite_pk},
	{"SELECT f.\"from\", f.\"table\", f.\"to\", f.on_delete, m.name"
		EACH_TABLE("pragma_foreign_key_list(m.name) f") " ORDER BY m.name, "
		"f.id, f.seq", 4, sqlite_fk},
	{"SELECT m.sql, m.name FROM sqlite_master m WHERE m.type = 'table'", 1,
		sqlite_sql},
	{"SELECT l.name, l.\"unique\", l.origin, m.name"
		EACH_TABLE("pragma_index_list(m.name) l") " ORDER BY m.name, l.name",
		3, sqlite_index},
	{"SELECT i.name, l.name, m.name" EACH_TABLE("pragma_index_list(m.name) "
		"l JOIN pragma_index_info(l.name) i") " ORDER BY m.name, l.name, "
		"i.seqno", 2, idx_col},
};

static int read_sqlite(ic_db *db, corm_conn *c)
{
	int error;

	error = ic_each_row(db, c, "SELECT name FROM sqlite_master WHERE type = "
		"'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> "
		"'corm_migrations' ORDER BY name", NULL, NULL, ic_row_table);
	if (!error)
		error = ic_read_facts(db, c, sqlite_facts,
			sizeof(sqlite_facts) / sizeof(sqlite_facts[0]));
	return error;
}

/* ------------------------------------------------------- table rebuilds */

static bool simple_add(const corm_model *m, const corm_field *f)
{
	size_t i;

	for (i = 0; i < m->pk.nfields; i++)
		if (m->pk.fields[i] == f->index)
			return false;
	return !f->is_auto && f->kind == CORM_FIELD_SCALAR &&
		f->def.kind != CORM_DEFAULT_NOW &&
		(f->nullable || f->def.kind != CORM_DEFAULT_NONE);
}

/* Must SQLite rebuild the (matched) table that `op` changes? */
static bool needs_rebuild(const corm_op *op)
{
	if (!op->from_model || !op->to_model)
		return false;
	switch (op->kind) {
	case CORM_OP_DROP_FK:
	case CORM_OP_DROP_UNIQUE:
	case CORM_OP_DROP_CHECK:
	case CORM_OP_DROP_PK:
	case CORM_OP_ALTER_COLUMN:
	case CORM_OP_DROP_COLUMN:
	case CORM_OP_ADD_PK:
	case CORM_OP_ADD_CHECK:
	case CORM_OP_CREATE_UNIQUE:
	case CORM_OP_ADD_FK:
		return true;
	case CORM_OP_ADD_COLUMN:
		return !simple_add(op->to_model, op->to_field);
	case CORM_OP_RENAME_COLUMN:
		/* The column's range CHECK is named after it (ddl.c), and
		 * RENAME COLUMN keeps constraint names: rebuild, so the
		 * error for a value out of range names the new column. */
		return corm_ddl_has_range_check(D, op->to_field);
	default:
		return false;
	}
}

/*
 * A decimal copied into a column of another type, exactly. Into a
 * decimal, in that type's canonical text ("1.50" into decimal(12,1) is
 * "1.5", as PostgreSQL and MySQL give it back), by the driver's exact
 * addition, which fails rather than round a value that does not fit.
 * Into an integer, by CAST, which reads the text's digits: the column's
 * INTEGER affinity would go through a double and change integers past
 * 2^53. (The migration's data checks count the rows that do not fit
 * first.) False when neither applies: the column is copied as it is.
 */
static bool copy_decimal(corm_buf *out, const corm_dialect *d,
	const corm_field *ff, const corm_field *tf)
{
	bool to_int = tf->type == CORM_COL_I16 || tf->type == CORM_COL_I32 ||
		tf->type == CORM_COL_I64;

	if (tf->type == CORM_COL_DECIMAL && (ff->type != tf->type ||
			ff->precision != tf->precision || ff->scale != tf->scale)) {
		corm_buf_printf(out, "%s(", d->decimal_add_fn);
		corm_dialect_quote(out, d, ff->column);
		corm_buf_printf(out, ", '0', %d, %d)", tf->precision, tf->scale);
		return true;
	}
	if (ff->type == CORM_COL_DECIMAL && to_int) {
		corm_buf_puts(out, "CAST(");
		corm_dialect_quote(out, d, ff->column);
		corm_buf_puts(out, " AS INTEGER)");
		return true;
	}
	return false;
}

/* The documented rebuild of `tm`: the indexes corm made dropped, the
 * table's other triggers and indexes saved by the runner (the mark), a
 * new table under a temporary name, every row copied, the AUTOINCREMENT
 * sequence carried over, the old table dropped, the new one renamed
 * without rewriting the views and triggers that name the table, the
 * schema's indexes made again (the saved objects follow at the end). */
static void rebuild(corm_buf *out, const corm_plan *p, const corm_model *tm)
{
	const corm_dialect *d = D;
	const corm_model *fm = corm_plan_from_model(p, tm);
	corm_buf tmp = CORM_BUF_INIT;
	bool first = true, from_auto = false, to_auto = false;
	size_t i;

	corm_buf_printf(&tmp, "corm_new_%s", tm->table);
	if (corm_buf_error(&tmp)) {
		out->error = corm_buf_error(&tmp);
		return;
	}
	corm_buf_printf(out, "-- rebuild table %s (SQLite cannot ALTER these "
		"changes); every row is copied, its triggers and other indexes "
		"are kept\n", tm->table);
	for (i = 0; i < fm->nindexes; i++) {
		corm_buf_puts(out, "DROP INDEX IF EXISTS ");
		corm_dialect_quote(out, d, fm->indexes[i].name);
		corm_buf_puts(out, ";\n");
	}
	corm_buf_puts(out, CORM_MIG_MARK_REBUILD);
	corm_dialect_quote(out, d, tm->table);
	corm_buf_putc(out, '\n');
	corm_ddl_create_table_as(out, d, tm, tmp.ptr);
	corm_buf_puts(out, "INSERT INTO ");
	corm_dialect_quote(out, d, tmp.ptr);
	corm_buf_puts(out, " (");
	for (i = 0; i < tm->nfields; i++) {
		if (!corm_plan_from_field(p, tm, &tm->fields[i]))
			continue;
		corm_buf_puts(out, first ? "" : ", ");
		corm_dialect_quote(out, d, tm->fields[i].column);
		first = false;
	}
	corm_buf_puts(out, ")\nSELECT ");
	first = true;
	for (i = 0; i < tm->nfields; i++) {
		const corm_field *tf = &tm->fields[i];
		const corm_field *ff = corm_plan_from_field(p, tm, tf);
		bool fill;

		if (!ff)
			continue;
		corm_buf_puts(out, first ? "" : ", ");
		first = false;
		/* NOT NULL with a default: existing NULLs take the default. */
		fill = ff->nullable && !tf->nullable &&
			tf->def.kind != CORM_DEFAULT_NONE;
		if (fill)
			corm_buf_puts(out, "COALESCE(");
		if (!copy_decimal(out, d, ff, tf))
			corm_dialect_quote(out, d, ff->column);
		if (fill) {
			corm_buf_puts(out, ", ");
			corm_ddl_default_value(out, d, tf);
			corm_buf_putc(out, ')');
		}
	}
	if (first)
		corm_buf_puts(out, "NULL"); /* no column kept: copies nothing */
	corm_buf_puts(out, " FROM ");
	corm_dialect_quote(out, d, tm->table);
	corm_buf_puts(out, first ? " WHERE 0;\n" : ";\n");
	for (i = 0; i < fm->nfields; i++)
		from_auto |= fm->fields[i].is_auto;
	for (i = 0; i < tm->nfields; i++)
		to_auto |= tm->fields[i].is_auto;
	if (from_auto && to_auto) {
		/* The next id must not reuse ids of rows deleted earlier. */
		corm_buf_puts(out, "DELETE FROM sqlite_sequence WHERE name = ");
		corm_ddl_literal(out, d, tmp.ptr, tmp.len);
		corm_buf_puts(out, ";\nINSERT INTO sqlite_sequence (name, seq) "
			"SELECT ");
		corm_ddl_literal(out, d, tmp.ptr, tmp.len);
		corm_buf_puts(out, ", seq FROM sqlite_sequence WHERE name = ");
		corm_ddl_literal(out, d, tm->table, strlen(tm->table));
		corm_buf_puts(out, ";\n");
	}
	corm_buf_puts(out, "DROP TABLE ");
	corm_dialect_quote(out, d, tm->table);
	corm_buf_puts(out, ";\n");
	/* The views and triggers that name the table keep naming it: the
	 * legacy rename rewrites none (nor fails on them, the table gone). */
	corm_buf_puts(out, "PRAGMA legacy_alter_table=ON;\nALTER TABLE ");
	corm_dialect_quote(out, d, tmp.ptr);
	corm_buf_puts(out, " RENAME TO ");
	corm_dialect_quote(out, d, tm->table);
	corm_buf_puts(out, ";\nPRAGMA legacy_alter_table=OFF;\n");
	corm_ddl_create_indexes(out, d, tm);
	corm_buf_free(&tmp);
}

/* ------------------------------------------- what a rebuild must not lose */

/* A trigger or index of a rebuilt table, as sqlite_master holds it. */
typedef struct saved_object {
	char *type, *name, *table, *sql;
} saved_object;

struct corm_mig_saved {
	saved_object *v;
	size_t n, cap;
};

static void free_saved(struct corm_mig_saved *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->n; i++) {
		corm_free(s->v[i].type);
		corm_free(s->v[i].name);
		corm_free(s->v[i].table);
		corm_free(s->v[i].sql);
	}
	corm_free(s->v);
	corm_free(s);
}

/* The table of a line CORM_MIG_MARK_REBUILD "<table>" among the comment
 * lines that open `stmt`, unquoted into `out`; false when there is none. */
static bool rebuild_mark(corm_buf *out, const char *stmt)
{
	size_t m = strlen(CORM_MIG_MARK_REBUILD);
	const char *s = stmt;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (s[0] != '-' || s[1] != '-')
			return false;
		if (strncmp(s, CORM_MIG_MARK_REBUILD, m) == 0 && s[m] == '"')
			break;
		s += strcspn(s, "\n");
	}
	for (s += m + 1; *s && *s != '\n'; s++) {
		if (*s == '"' && s[1] != '"')
			return true;
		s += *s == '"'; /* a doubled quote is one */
		corm_buf_putc(out, *s);
	}
	return false;
}

/* Append the row of sqlite_master (type, name, tbl_name, sql) at `st`. */
static int save_row(struct corm_mig_saved *s, corm_stmt *st)
{
	saved_object *o = grow((void **)&s->v, &s->n, &s->cap, sizeof(*o));
	char **field[4];
	int i;

	if (!o)
		return CORM_ENOMEM;
	field[0] = &o->type;
	field[1] = &o->name;
	field[2] = &o->table;
	field[3] = &o->sql;
	for (i = 0; i < 4; i++) {
		const char *t = "";
		size_t n = 0;
		int error = corm_column_text(&t, &n, st, i);

		if (error)
			return error;
		if (!(*field[i] = corm_strndup(t, n)))
			return CORM_ENOMEM;
	}
	return CORM_OK;
}

/* Before a statement marked CORM_MIG_MARK_REBUILD: save the table's
 * triggers and indexes (the autoindexes of its constraints have no SQL
 * and come back with the table). */
static int save_objects(struct corm_mig_saved **saved, corm_conn *c,
	const char *stmt, corm_buf *err)
{
	corm_buf table = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	int error = CORM_OK;

	if (!rebuild_mark(&table, stmt) || (error = corm_buf_error(&table)))
		goto done;
	if (!*saved && !(*saved = corm_calloc(1, sizeof(**saved)))) {
		error = CORM_ENOMEM;
		goto done;
	}
	error = ic_prep(&st, c, "SELECT type, name, tbl_name, sql FROM "
		"sqlite_master WHERE tbl_name = ? COLLATE NOCASE AND type IN "
		"('index', 'trigger') AND sql IS NOT NULL ORDER BY rowid",
		table.ptr);
	while (!error && (error = corm_step(st)) == CORM_ROW)
		error = save_row(*saved, st);
	if (error == CORM_DONE)
		error = CORM_OK;
	if (error)
		corm_buf_printf(err, "cannot read the triggers and indexes of table "
			"\"%s\" before its rebuild: %s", table.ptr,
			*corm_errmsg(c) ? corm_errmsg(c) : corm_strerror(error));
done:
	corm_stmt_free(st);
	corm_buf_free(&table);
	return error;
}

/* Is there an object called `name` (SQLite's names ignore ASCII case)? */
static int object_exists(bool *yes, corm_conn *c, const char *name)
{
	corm_stmt *st = NULL;
	int error = ic_prep(&st, c, "SELECT 1 FROM sqlite_master WHERE name = ? "
		"COLLATE NOCASE", name);

	if (!error)
		error = corm_step(st);
	*yes = error == CORM_ROW;
	corm_stmt_free(st);
	return error == CORM_ROW || error == CORM_DONE ? CORM_OK : error;
}

/* SQLite's ALTER TABLE RENAME checks that every view and trigger of the
 * schema still compiles: renaming a scratch table runs that check, so a
 * view reading a column the migration dropped fails it, named. */
static int check_schema(corm_conn *c, corm_buf *err)
{
	int error = corm_exec(c, "PRAGMA legacy_alter_table=OFF");

	if (!error)
		error = corm_exec(c, "CREATE TABLE corm_schema_check (x)");
	if (!error && (error = corm_exec(c, "ALTER TABLE corm_schema_check "
			"RENAME TO corm_schema_checked"))) {
		corm_buf_printf(err, "after the table rebuild a view or trigger no "
			"longer works (%s); change or drop it in this migration",
			corm_errmsg(c));
		return error;
	}
	if (!error)
		error = corm_exec(c, "DROP TABLE corm_schema_checked");
	if (error)
		corm_buf_printf(err, "cannot check the schema after the table "
			"rebuild: %s", corm_errmsg(c));
	return error;
}

/* After the migration's last statement: make again each saved object
 * whose name is gone, then check that views and triggers still work. */
static int restore_objects(corm_conn *c, const struct corm_mig_saved *s,
	corm_buf *err)
{
	size_t i;
	int error = CORM_OK;

	for (i = 0; i < s->n && !error; i++) {
		const saved_object *o = &s->v[i];
		bool exists = false;

		if ((error = object_exists(&exists, c, o->name)) || exists)
			continue;
		if ((error = corm_exec(c, o->sql)))
			corm_buf_printf(err, "cannot make %s \"%s\" again after the "
				"rebuild of table \"%s\": %s\n    %s\n(drop it before the "
				"rebuild, in this migration or an earlier one)", o->type,
				o->name, o->table, corm_errmsg(c), o->sql);
	}
	if (error && !err->len)
		corm_buf_printf(err, "cannot read sqlite_master after the table "
			"rebuild: %s", corm_errmsg(c));
	return error ? error : check_schema(c, err);
}

/* ---------------------------------------------------------- the object */

static int no_lock(corm_conn *c)
{
	(void)c; /* BEGIN IMMEDIATE is the lock */
	return CORM_OK;
}

const corm_migrate_engine corm_mig_engine_sqlite = {
	.name = "sqlite",
	.dialect = &corm_dialect_sqlite,
	.transactional_ddl = true,
	.backslash_escapes = false,
	.begin_sql = "BEGIN IMMEDIATE",
	.begin_is_lock = true,
	.fk_off_sql = "PRAGMA foreign_keys=OFF",
	.fk_on_sql = "PRAGMA foreign_keys=ON",
	.fk_check_sql = "PRAGMA foreign_key_check",
	.lock = no_lock,
	.unlock = no_lock,
	.save_objects = save_objects,
	.restore_objects = restore_objects,
	.free_saved = free_saved,
	.reset_sql = "PRAGMA legacy_alter_table=OFF",
	.history_exists_sql = "SELECT 1 FROM sqlite_master WHERE type = "
		"'table' AND name = 'corm_migrations'",
	.read_catalogue = read_sqlite,
	.pad_space = NULL,
	.rebuilds_tables = true,
	.needs_rebuild = needs_rebuild,
	.rebuild_table = rebuild,
	.alter_restates_column = false,
	.named_primary_key = true,
	.rename_keeps_pk_name = false,
	.drop_fk_sql = "DROP CONSTRAINT ",
	.drop_unique_sql = "DROP CONSTRAINT ",
	.drop_index_names_table = false,
	.range_checks = true,
	.decimal_default_as_text = true,
	.paren_date_defaults = false,
	.char_length_fn = "length",
	.text_cast_type = "TEXT",
	.decimals_are_text = true,
};
