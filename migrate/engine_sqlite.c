/*
 * engine_sqlite.c — migrations on SQLite (see migrate_engine.h).
 *
 * The migration runs in one BEGIN IMMEDIATE transaction, which is also
 * the lock between migrators: inside it the runner reads the history
 * again. ALTER TABLE only renames and adds columns, so other changes are
 * table rebuilds (render.c) with the foreign keys off around the
 * transaction. The catalogue is read with the table-valued pragmas and
 * the CREATE TABLE text kept in sqlite_master (for AUTOINCREMENT and the
 * enum CHECKs).
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "migrate_engine.h"
#include "introspect_int.h"

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

static void idx_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *s = ic_text_col(st, 0, &n);
	ic_idx *x = &t->idx[t->nidx - 1];

	push_str(db, &x->cols, &x->ncols, &x->cols_cap, s, n);
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

static int read_sqlite(ic_db *db, corm_conn *c)
{
	size_t i, j;
	int error;

	error = ic_each_row(db, c, "SELECT name FROM sqlite_master WHERE type = "
		"'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> "
		"'corm_migrations' ORDER BY name", NULL, NULL, ic_row_table);
	for (i = 0; i < db->n && !error; i++) {
		ic_table *t = &db->t[i];
		corm_stmt *st = NULL;

		error = ic_each_row(db, c, "SELECT name, type, \"notnull\", "
			"dflt_value, "
			"pk FROM pragma_table_info(?) ORDER BY cid", t->name, t,
			sqlite_col);
		if (!error)
			error = ic_each_row(db, c, "SELECT name FROM pragma_table_info(?) "
				"WHERE pk > 0 ORDER BY pk", t->name, t, sqlite_pk);
		if (!error)
			error = ic_each_row(db, c, "SELECT \"from\", \"table\", \"to\", "
				"on_delete FROM pragma_foreign_key_list(?)", t->name, t,
				sqlite_fk);
		if (!error)
			error = ic_prep(&st, c, "SELECT sql FROM sqlite_master WHERE "
				"type = 'table' AND name = ?", t->name);
		if (!error && corm_step(st) == CORM_ROW) {
			size_t n;
			const char *sql = ic_text_col(st, 0, &n);
			char *copy = dupn(db, sql, n);

			if (copy) {
				char *u = copy;

				for (; *u; u++)
					*u = (char)toupper((unsigned char)*u);
				/* An AUTOINCREMENT key is the only INTEGER PRIMARY KEY
				 * corm writes. */
				if (strstr(copy, "AUTOINCREMENT") && t->npk == 1) {
					ic_col *k = find_col(t, t->pk[0]);

					if (k) {
						k->is_auto = k->sqlite_auto = true;
						k->type = CORM_COL_I64;
					}
				}
				corm_free(copy);
				sqlite_checks(db, t, sql);
			}
		}
		corm_stmt_free(st);
		if (!error)
			error = ic_each_row(db, c, "SELECT name, \"unique\", origin FROM "
				"pragma_index_list(?) ORDER BY name", t->name, t,
				sqlite_index);
		for (j = 0; j < t->nidx && !error; j++) {
			size_t keep = t->nidx;

			/* idx_col appends to the last index: read one at a time. */
			t->nidx = j + 1;
			error = ic_each_row(db, c, "SELECT name FROM pragma_index_info(?) "
				"ORDER BY seqno", t->idx[j].name, t, idx_col);
			t->nidx = keep;
		}
		if (!error)
			error = db->error;
	}
	return error;
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
	.fk_off_around_tx = true,
	.lock = no_lock,
	.unlock = no_lock,
	.history_exists_sql = "SELECT 1 FROM sqlite_master WHERE type = "
		"'table' AND name = 'corm_migrations'",
	.read_catalogue = read_sqlite,
	.pad_space = NULL,
	.rebuilds_tables = true,
	.alter_restates_column = false,
	.named_primary_key = true,
	.rename_keeps_pk_name = false,
	.drop_fk_sql = "DROP CONSTRAINT ",
	.drop_unique_sql = "DROP CONSTRAINT ",
	.drop_index_names_table = false,
	.range_checks = true,
	.decimal_default_as_text = true,
	.paren_date_defaults = false,
};
