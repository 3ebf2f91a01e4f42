/*
 * engine_postgres.c — migrations on PostgreSQL (see migrate_engine.h).
 *
 * DDL is transactional: a migration and its history row commit or roll
 * back together. Migrators take pg_advisory_lock keyed by the database
 * (so migrators of different databases on one server do not wait for
 * each other); it dies with the session. The catalogue is read from
 * information_schema and pg_catalog.
 */
#include <stdio.h>
#include <string.h>

#include "migrate_engine.h"
#include "introspect_int.h"

/* --------------------------------------------------------- the catalogue */

static void pg_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	ic_col *c = grow((void **)&t->cols, &t->ncols, &t->cols_cap, sizeof(*c));
	char up[128];
	size_t n;
	const char *s;
	int64_t len = 0, prec = 0, scale = 0;

	if (!c) {
		db->error = CORM_ENOMEM;
		return;
	}
	s = ic_text_col(st, 0, &n);
	c->name = dupn(db, s, n);
	s = ic_text_col(st, 1, &n);
	ic_upper(up, sizeof(up), s ? s : "", n);
	if (!corm_column_is_null(st, 2))
		corm_column_int64(&len, st, 2);
	if (!corm_column_is_null(st, 3))
		corm_column_int64(&prec, st, 3);
	if (!corm_column_is_null(st, 4))
		corm_column_int64(&scale, st, 4);
	if (strcmp(up, "CHARACTER VARYING") == 0) {
		c->type = CORM_COL_STRING;
		c->len = (int)len;
		c->known = true;
	} else if (strcmp(up, "NUMERIC") == 0) {
		c->type = CORM_COL_DECIMAL;
		c->prec = (int)prec;
		c->scale = (int)scale;
		c->known = true;
	} else {
		ic_map_type(c, up);
	}
	s = ic_text_col(st, 5, &n);
	c->nullable = s && ic_ieq(s, n, "YES");
	s = ic_text_col(st, 7, &n);
	c->is_auto = s && ic_ieq(s, n, "YES");
	s = ic_text_col(st, 6, &n);
	if (!c->is_auto)
		ic_parse_default(db, c, s, n, false);
}

/* The chr(1)-separated names in s[0..len), appended to *out. */
static void split_list(ic_db *db, char ***out, size_t *n, size_t *cap,
	const char *s, size_t len)
{
	size_t i, start = 0;

	for (i = 0; i <= len; i++)
		if (i == len || s[i] == '\x01') {
			push_str(db, out, n, cap, s + start, i - start);
			start = i + 1;
		}
}

static void pg_con(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, cn;
	const char *name = ic_text_col(st, 0, &n);
	const char *type = ic_text_col(st, 1, &n);
	const char *cols = ic_text_col(st, 2, &cn);
	char **list = NULL;
	size_t nlist = 0, list_cap = 0, i;
	char nbuf[256];

	if (!type || !cols)
		return;
	name = ic_text_col(st, 0, &n);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, name ? name : "");
	type = ic_text_col(st, 1, &n);
	split_list(db, &list, &nlist, &list_cap, cols, cn);
	if (db->error || !nlist)
		goto done;
	if (*type == 'p') {
		for (i = 0; i < nlist; i++)
			push_str(db, &t->pk, &t->npk, &t->pk_cap, list[i],
				strlen(list[i]));
	} else if (*type == 'u') {
		ic_idx *x = ic_add_idx(db, t, nbuf, true);

		for (i = 0; x && i < nlist; i++)
			push_str(db, &x->cols, &x->ncols, &x->cols_cap, list[i],
				strlen(list[i]));
	} else if (*type == 'f' && nlist == 1) {
		ic_col *c = find_col(t, list[0]);
		const char *s;

		if (c) {
			s = ic_text_col(st, 3, &n);
			c->fk_table = dupn(db, s, n);
			s = ic_text_col(st, 4, &n);
			c->fk_col = dupn(db, s, n);
			s = ic_text_col(st, 5, &n);
			c->on_delete = ic_on_delete_of(s ? s : "a", n);
		}
	} else if (*type == 'c' && nlist == 1) {
		ic_col *c = find_col(t, list[0]);
		const char *def = ic_text_col(st, 6, &n);
		char *copy = dupn(db, def, n);

		if (c && copy && strstr(copy, "ARRAY["))
			ic_literals(db, c, strstr(copy, "ARRAY["), false);
		else if (c && copy && strstr(copy, " = '"))
			ic_literals(db, c, strstr(copy, " = '"), false); /* one member */
		corm_free(copy);
	}
done:
	free_strs(list, nlist);
}

static void pg_index(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, cn;
	const char *name = ic_text_col(st, 0, &n);
	const char *cols = ic_text_col(st, 2, &cn);
	bool unique = false;
	char nbuf[256];
	ic_idx *x;

	corm_column_bool(&unique, st, 1);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, name ? name : "");
	if (!cols || !(x = ic_add_idx(db, t, nbuf, unique)))
		return;
	split_list(db, &x->cols, &x->ncols, &x->cols_cap, cols, cn);
}

/* Every table's facts (ic_fact): the table's name last, the columns
 * before it as the row functions read them. Columns first: pg_con finds
 * its columns among them. What a row function does not read is not
 * computed (CASE): the length, precision and scale of every column
 * (information_schema's SQL functions) doubled the time at 2,000 tables,
 * and so did pg_get_constraintdef() of every constraint. */
static const ic_fact pg_facts[] = {
	{"SELECT column_name, data_type, CASE WHEN data_type = 'character "
		"varying' THEN character_maximum_length END, CASE WHEN data_type = "
		"'numeric' THEN numeric_precision END, CASE WHEN data_type = "
		"'numeric' THEN numeric_scale END, is_nullable, column_default, "
		"is_identity, table_name FROM information_schema.columns WHERE "
		"table_schema = current_schema() ORDER BY table_name, "
		"ordinal_position", 8, pg_col},
	{"SELECT con.conname, con.contype::text, (SELECT string_agg(a.attname, "
		"chr(1) ORDER BY k.ord) FROM unnest(con.conkey) WITH ORDINALITY "
		"k(attnum, ord) JOIN pg_attribute a ON a.attrelid = con.conrelid AND "
		"a.attnum = k.attnum), ft.relname, (SELECT a.attname FROM "
		"pg_attribute a WHERE a.attrelid = con.confrelid AND a.attnum = "
		"con.confkey[1]), con.confdeltype::text, CASE WHEN con.contype = 'c' "
		"THEN pg_get_constraintdef(con.oid) END, rel.relname FROM "
		"pg_constraint con JOIN pg_class rel ON rel.oid = con.conrelid JOIN "
		"pg_namespace ns ON ns.oid = rel.relnamespace LEFT JOIN pg_class ft "
		"ON ft.oid = con.confrelid WHERE ns.nspname = current_schema() "
		"ORDER BY rel.relname, con.conname", 7, pg_con},
	{"SELECT i.relname, ix.indisunique, (SELECT string_agg(a.attname, "
		"chr(1) ORDER BY k.ord) FROM unnest(ix.indkey::int2[]) WITH "
		"ORDINALITY k(attnum, ord) JOIN pg_attribute a ON a.attrelid = t.oid "
		"AND a.attnum = k.attnum), t.relname FROM pg_index ix JOIN pg_class "
		"i ON i.oid = ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid "
		"JOIN pg_namespace ns ON ns.oid = t.relnamespace WHERE ns.nspname = "
		"current_schema() AND NOT EXISTS (SELECT 1 FROM pg_constraint c "
		"WHERE c.conindid = ix.indexrelid AND c.conrelid = t.oid AND "
		"c.contype IN ('p', 'u', 'x')) ORDER BY t.relname, i.relname", 3,
		pg_index},
};

static int read_pg(ic_db *db, corm_conn *c)
{
	int error;

	error = ic_each_row(db, c, "SELECT table_name FROM "
		"information_schema.tables "
		"WHERE table_schema = current_schema() AND table_type = 'BASE "
		"TABLE' AND table_name <> 'corm_migrations' ORDER BY table_name",
		NULL, NULL, ic_row_table);
	if (!error)
		error = ic_read_facts(db, c, pg_facts,
			sizeof(pg_facts) / sizeof(pg_facts[0]));
	return error;
}

/* ---------------------------------------------------------- the lock */

static int pg_lock(corm_conn *c)
{
	int64_t got;

	return corm_mig__query_int(&got, c, "SELECT pg_advisory_lock("
		"1129467213, (SELECT oid::int FROM pg_database WHERE datname = "
		"current_database()))");
}

static int pg_unlock(corm_conn *c)
{
	int64_t got;

	return corm_mig__query_int(&got, c, "SELECT pg_advisory_unlock("
		"1129467213, (SELECT oid::int FROM pg_database WHERE datname = "
		"current_database()))");
}

/* ---------------------------------------------------------- the object */

const corm_migrate_engine corm_mig_engine_postgres = {
	.name = "postgres",
	.dialect = &corm_dialect_postgres,
	.transactional_ddl = true,
	.backslash_escapes = false,
	.begin_sql = "BEGIN",
	.begin_is_lock = false,
	.fk_off_sql = NULL,
	.fk_on_sql = NULL,
	.fk_check_sql = NULL,
	.lock = pg_lock,
	.unlock = pg_unlock,
	.history_exists_sql = "SELECT 1 FROM information_schema.tables WHERE "
		"table_schema = current_schema() AND "
		"table_name = 'corm_migrations'",
	.read_catalogue = read_pg,
	.pad_space = NULL,
	.rebuilds_tables = false,
	.needs_rebuild = NULL,
	.rebuild_table = NULL,
	.alter_restates_column = false,
	.named_primary_key = true,
	.rename_keeps_pk_name = true,
	.drop_fk_sql = "DROP CONSTRAINT ",
	.drop_unique_sql = "DROP CONSTRAINT ",
	.drop_index_names_table = false,
	.range_checks = false,
	.decimal_default_as_text = false,
	.paren_date_defaults = false,
};
