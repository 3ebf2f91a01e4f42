/*
 * engine_mysql.c — migrations on MySQL and MariaDB (see migrate_engine.h).
 *
 * Each DDL statement commits, so the history row is written first with
 * status "running" and its count of statements done is updated after
 * each one; a failure marks it "failed" at that statement and nothing
 * runs until `corm migrate resolve`. Migrators take GET_LOCK keyed by
 * the database; it dies with the session. The catalogue is read from
 * information_schema (MariaDB and MySQL 8 differ in places, noted where
 * they do); tables under a PAD SPACE collation are found and converted.
 */
#include <stdio.h>
#include <string.h>

#include "migrate_engine.h"
#include "introspect_int.h"

/* --------------------------------------------------------- the catalogue */

static void my_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	ic_col *c = grow((void **)&t->cols, &t->ncols, &t->cols_cap, sizeof(*c));
	char up[128];
	size_t n;
	const char *s;

	if (!c) {
		db->error = CORM_ENOMEM;
		return;
	}
	s = ic_text_col(st, 0, &n);
	c->name = dupn(db, s, n);
	s = ic_text_col(st, 1, &n);
	if (s && n > 5 && ic_ieq(s, 5, "enum(")) {
		/* A native ENUM('a','b'): the members in the type, stored as
		 * the enum columns of the other engines, so it reads back as
		 * the same DSL enum. */
		char *list = dupn(db, s + 4, n - 4);

		if (list)
			ic_literals(db, c, list, true);
		corm_free(list);
		c->type = CORM_COL_STRING;
		c->len = CORM_ENUM_COLUMN_LEN;
		c->known = true;
	} else {
		ic_upper(up, sizeof(up), s ? s : "", n);
		ic_map_type(c, up);
	}
	s = ic_text_col(st, 2, &n);
	c->nullable = s && ic_ieq(s, n, "YES");
	s = ic_text_col(st, 4, &n);
	c->is_auto = s && n && strstr(s, "auto_increment");
	s = ic_text_col(st, 3, &n);
	if (!c->is_auto && s && db->mysql_bare_strings &&
		(c->type == CORM_COL_STRING || c->type == CORM_COL_TEXT ||
			c->type == CORM_COL_UUID || c->type == CORM_COL_DATE ||
			c->type == CORM_COL_TIME || c->type == CORM_COL_TIMESTAMP) &&
		!strstr(s, "CURRENT_") && !strstr(s, "curdate") &&
		!strstr(s, "curtime")) {
		/* MySQL 8 prints a string default without its quotes. */
		corm_buf q = CORM_BUF_INIT;

		corm_buf_putc(&q, '\'');
		for (; n; n--, s++) {
			if (*s == '\'')
				corm_buf_putc(&q, '\'');
			corm_buf_putc(&q, *s);
		}
		corm_buf_putc(&q, '\'');
		if (corm_buf_error(&q))
			db->error = CORM_ENOMEM;
		else
			ic_parse_default(db, c, q.ptr, q.len, false);
		corm_buf_free(&q);
	} else if (!c->is_auto) {
		ic_parse_default(db, c, s, n, true);
	}
}

static void my_index(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, cn;
	const char *name = ic_text_col(st, 0, &n);
	const char *col = ic_text_col(st, 2, &cn);
	int64_t nonunique = 1;
	char nbuf[256];

	corm_column_int64(&nonunique, st, 1);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, name ? name : "");
	if (strcmp(nbuf, "PRIMARY") == 0) {
		push_str(db, &t->pk, &t->npk, &t->pk_cap, col, cn);
	} else {
		ic_idx *x = ic_add_idx(db, t, nbuf, nonunique == 0);

		if (x)
			push_str(db, &x->cols, &x->ncols, &x->cols_cap, col, cn);
	}
}

static void my_fk(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *s = ic_text_col(st, 1, &n);
	char nbuf[256];
	ic_col *c;
	size_t i;

	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, s ? s : "");
	if (!(c = find_col(t, nbuf)))
		return;
	s = ic_text_col(st, 2, &n);
	c->fk_table = dupn(db, s, n);
	s = ic_text_col(st, 3, &n);
	c->fk_col = dupn(db, s, n);
	s = ic_text_col(st, 4, &n);
	c->on_delete = ic_on_delete_of(s ? s : "", n);
	c->on_delete_restrictish = c->on_delete == CORM_ON_DELETE_RESTRICT ||
		c->on_delete == CORM_ON_DELETE_NO_ACTION;
	/* InnoDB made an index named after the constraint when the column had
	 * none: it is not the schema's. */
	s = ic_text_col(st, 0, &n);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, s ? s : "");
	for (i = 0; i < t->nidx; i++)
		if (strcmp(t->idx[i].name, nbuf) == 0 && !t->idx[i].unique &&
			t->idx[i].ncols == 1 && strcmp(t->idx[i].cols[0], c->name) == 0)
			t->idx[i].hidden = true;
}

static void my_check(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *s = ic_text_col(st, 0, &n);
	char *copy = dupn(db, s, n);
	corm_buf col = CORM_BUF_INIT;
	ic_col *c;

	if (copy && ic_first_ident(&col, copy, "`\"") &&
		(c = find_col(t, corm_buf_cstr(&col)))) {
		if (strstr(copy, "json_valid"))
			c->json_check = true;
		else if (strstr(copy, " in (") || strstr(copy, " IN ("))
			ic_literals(db, c, strstr(copy, "("), true);
		else if (strstr(copy, " = '")) /* MariaDB's IN ('one') */
			ic_literals(db, c, strstr(copy, " = '"), true);
	}
	corm_buf_free(&col);
	corm_free(copy);
}

/* Every table's facts (ic_fact): the table's name last, the columns
 * before it as the row functions read them. Indexes before foreign keys:
 * my_fk marks InnoDB's own. The delete rules come from a derived table of
 * this database's: joined directly, MariaDB reads REFERENTIAL_CONSTRAINTS
 * of every database (EXPLAIN: "Scanned all databases"), 6 s at 2,000
 * tables. */
static const ic_fact my_facts[] = {
	{"SELECT COLUMN_NAME, COLUMN_TYPE, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, "
		"TABLE_NAME FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = "
		"DATABASE() ORDER BY TABLE_NAME, ORDINAL_POSITION", 5, my_col},
	{"SELECT INDEX_NAME, NON_UNIQUE, COLUMN_NAME, TABLE_NAME FROM "
		"information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() "
		"ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX", 3, my_index},
	{"SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, "
		"k.REFERENCED_COLUMN_NAME, r.DELETE_RULE, k.TABLE_NAME FROM "
		"information_schema.KEY_COLUMN_USAGE k JOIN (SELECT DISTINCT "
		"CONSTRAINT_NAME, TABLE_NAME, DELETE_RULE FROM "
		"information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA "
		"= DATABASE()) r ON r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND "
		"r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() AND "
		"k.REFERENCED_TABLE_NAME IS NOT NULL ORDER BY k.TABLE_NAME, "
		"k.CONSTRAINT_NAME, k.ORDINAL_POSITION", 5, my_fk},
};

static const ic_fact my_checks = {"SELECT CHECK_CLAUSE, TABLE_NAME FROM "
	"information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = "
	"DATABASE() ORDER BY TABLE_NAME, CONSTRAINT_NAME", 1, my_check};

static const ic_fact my8_checks = {"SELECT cc.CHECK_CLAUSE, tc.TABLE_NAME "
	"FROM information_schema.TABLE_CONSTRAINTS tc JOIN "
	"information_schema.CHECK_CONSTRAINTS cc ON cc.CONSTRAINT_SCHEMA = "
	"tc.CONSTRAINT_SCHEMA AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME WHERE "
	"tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK' ORDER BY "
	"tc.TABLE_NAME, tc.CONSTRAINT_NAME", 1, my_check};

static int read_mysql(ic_db *db, corm_conn *c)
{
	size_t i, j;
	int error;

	{
		corm_stmt *st = NULL;

		/* MariaDB quotes string defaults in COLUMN_DEFAULT; MySQL 8 does
		 * not. */
		if (ic_prep(&st, c, "SELECT VERSION()", NULL) == CORM_OK &&
			corm_step(st) == CORM_ROW) {
			size_t n;
			const char *v = ic_text_col(st, 0, &n);
			char buf[128];

			snprintf(buf, sizeof(buf), "%.*s", (int)n, v ? v : "");
			db->mysql_bare_strings = !strstr(buf, "MariaDB");
		}
		corm_stmt_free(st);
	}
	/* information_schema's collation is case and accent blind: "cafe"
	 * and "café" tie, and came in either order from one run to the next;
	 * their bytes decide. */
	error = ic_each_row(db, c, "SELECT TABLE_NAME FROM "
		"information_schema.TABLES "
		"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND "
		"TABLE_NAME <> 'corm_migrations' ORDER BY TABLE_NAME, "
		"CAST(TABLE_NAME AS BINARY)", NULL, NULL, ic_row_table);
	if (!error)
		error = ic_read_facts(db, c, my_facts,
			sizeof(my_facts) / sizeof(my_facts[0]));
	if (!error) {
		/* MariaDB names the table in CHECK_CONSTRAINTS; MySQL 8 only
		 * through TABLE_CONSTRAINTS. */
		error = ic_each_table_row(db, c, &my_checks);
		if (error && error != CORM_ENOMEM)
			error = ic_each_table_row(db, c, &my8_checks);
	}
	for (i = 0; i < db->n && !error; i++)
		for (j = 0; j < db->t[i].ncols; j++)
			if (db->t[i].cols[j].json_check &&
				db->t[i].cols[j].type == CORM_COL_TEXT)
				db->t[i].cols[j].type = CORM_COL_JSON;
	return error;
}

/* ------------------------------------------------------ PAD SPACE */

/* Does collation `s` compare by bytes, trailing spaces and case
 * included? MariaDB's NO PAD binary collations are *_nopad_bin, MySQL
 * 8's *_0900_bin; a *_nopad_ci one still ignores case. */
static bool is_bytes(const char *s, size_t n)
{
	char name[128];

	snprintf(name, sizeof(name), "%.*s", (int)n, s);
	return strstr(name, "_nopad_bin") || strstr(name, "_0900_bin") ||
		strcmp(name, "binary") == 0;
}

/* Append the first n bytes of `s` quoted (s may be NULL). */
static int quote_n(corm_buf *out, const corm_dialect *d, const char *s,
	size_t n)
{
	char *z = corm_strndup(s ? s : "", s ? n : 0);
	int error;

	if (!z)
		return CORM_ENOMEM;
	error = corm_dialect_quote(out, d, z);
	corm_free(z);
	return error;
}

/* "\nname\n" is in `list`, the names of the tables to convert written
 * each after a "\n", with one at the end. */
static bool listed(const corm_buf *list, const char *name, size_t n)
{
	const char *p = corm_buf_cstr(list);

	while ((p = strstr(p, "\n")) != NULL) {
		p++;
		if (strncmp(p, name, n) == 0 && p[n] == '\n')
			return true;
	}
	return false;
}

/* The tables holding text under a PAD SPACE collation, into `list`: a
 * column's, or the table's default (which columns added later take). */
static int pad_space_tables(corm_buf *list, corm_conn *c)
{
	corm_stmt *st = NULL;
	const char *s, *coll;
	size_t n, cn;
	int rc = CORM_DONE, error;

	error = ic_prep(&st, c, "SELECT TABLE_NAME, COLLATION_NAME FROM "
		"information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
		"COLLATION_NAME IS NOT NULL AND TABLE_NAME <> 'corm_migrations' "
		"UNION SELECT TABLE_NAME, TABLE_COLLATION FROM "
		"information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
		"TABLE_TYPE = 'BASE TABLE' AND TABLE_COLLATION IS NOT NULL AND "
		"TABLE_NAME <> 'corm_migrations' ORDER BY 1", NULL);
	corm_buf_putc(list, '\n');
	while (!error && (rc = corm_step(st)) == CORM_ROW) {
		s = ic_text_col(st, 0, &n);
		coll = ic_text_col(st, 1, &cn);
		if (s && coll && !is_bytes(coll, cn) && !listed(list, s, n)) {
			corm_buf_put(list, s, n);
			corm_buf_putc(list, '\n');
		}
	}
	if (!error && rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
	corm_stmt_free(st);
	return error ? error : corm_buf_error(list);
}

/* One foreign key, gathered column by column. */
typedef struct pad_fk {
	corm_buf table, name, ref, cols, refcols;
	char rules[80];
	bool text;   /* a text column: MariaDB will not convert it (1832) */
} pad_fk;

/* Drop (into `drops`) and add back (into `adds`) the foreign key in
 * `fk` when it has a text column and touches a table in `list`. */
static void pad_fk_flush(corm_buf *drops, corm_buf *adds, pad_fk *fk,
	const corm_buf *list, const corm_dialect *d)
{
	const char *t = corm_buf_cstr(&fk->table), *r = corm_buf_cstr(&fk->ref);

	if (fk->table.len && fk->text && (listed(list, t, strlen(t)) ||
			listed(list, r, strlen(r)))) {
		corm_buf_puts(drops, "ALTER TABLE ");
		corm_dialect_quote(drops, d, t);
		corm_buf_puts(drops, " DROP FOREIGN KEY ");
		corm_dialect_quote(drops, d, corm_buf_cstr(&fk->name));
		corm_buf_puts(drops, ";\n");
		corm_buf_puts(adds, "ALTER TABLE ");
		corm_dialect_quote(adds, d, t);
		corm_buf_puts(adds, " ADD CONSTRAINT ");
		corm_dialect_quote(adds, d, corm_buf_cstr(&fk->name));
		corm_buf_printf(adds, " FOREIGN KEY (%s) REFERENCES ",
			corm_buf_cstr(&fk->cols));
		corm_dialect_quote(adds, d, r);
		corm_buf_printf(adds, " (%s)%s;\n", corm_buf_cstr(&fk->refcols),
			fk->rules);
	}
	corm_buf_clear(&fk->table);
	corm_buf_clear(&fk->name);
	corm_buf_clear(&fk->ref);
	corm_buf_clear(&fk->cols);
	corm_buf_clear(&fk->refcols);
	fk->text = false;
}

/* MariaDB refuses to change the collation of a column in a foreign key,
 * even with foreign_key_checks off (error 1832): those keys are dropped
 * before the conversion and added back after it. */
static int pad_space_fks(corm_buf *drops, corm_buf *adds, corm_conn *c,
	const corm_buf *list)
{
	const corm_dialect *d = corm_conn_dialect(c);
	pad_fk fk;
	corm_stmt *st = NULL;
	int rc = CORM_DONE, error;

	memset(&fk, 0, sizeof(fk));
	error = ic_prep(&st, c, "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, "
		"k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
		"r.DELETE_RULE, r.UPDATE_RULE, c.COLLATION_NAME FROM "
		"information_schema.KEY_COLUMN_USAGE k JOIN "
		"information_schema.REFERENTIAL_CONSTRAINTS r ON "
		"r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = "
		"k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME JOIN "
		"information_schema.COLUMNS c ON c.TABLE_SCHEMA = k.TABLE_SCHEMA "
		"AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME "
		"WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS "
		"NOT NULL ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, "
		"k.ORDINAL_POSITION", NULL);
	while (!error && (rc = corm_step(st)) == CORM_ROW) {
		size_t tn, nn, n;
		const char *t = ic_text_col(st, 0, &tn);
		const char *name = ic_text_col(st, 1, &nn);
		const char *s;

		if (!t || !name)
			continue;
		if (tn != fk.table.len || nn != fk.name.len ||
			memcmp(t, corm_buf_cstr(&fk.table), tn) != 0 ||
			memcmp(name, corm_buf_cstr(&fk.name), nn) != 0) {
			size_t dn, un;
			const char *del = ic_text_col(st, 5, &dn);
			const char *upd = ic_text_col(st, 6, &un);

			pad_fk_flush(drops, adds, &fk, list, d);
			corm_buf_put(&fk.table, t, tn);
			corm_buf_put(&fk.name, name, nn);
			s = ic_text_col(st, 3, &n);
			corm_buf_put(&fk.ref, s ? s : "", s ? n : 0);
			snprintf(fk.rules, sizeof(fk.rules),
				" ON DELETE %.*s ON UPDATE %.*s", (int)(del ? dn : 0),
				del ? del : "", (int)(upd ? un : 0), upd ? upd : "");
		} else {
			corm_buf_puts(&fk.cols, ", ");
			corm_buf_puts(&fk.refcols, ", ");
		}
		s = ic_text_col(st, 2, &n);
		error = quote_n(&fk.cols, d, s, n);
		s = ic_text_col(st, 4, &n);
		if (!error)
			error = quote_n(&fk.refcols, d, s, n);
		if (!corm_column_is_null(st, 7))
			fk.text = true;
	}
	if (!error && rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
	if (!error)
		pad_fk_flush(drops, adds, &fk, list, d);
	corm_stmt_free(st);
	corm_buf_free(&fk.table);
	corm_buf_free(&fk.name);
	corm_buf_free(&fk.ref);
	corm_buf_free(&fk.cols);
	corm_buf_free(&fk.refcols);
	return error;
}

static int my_pad_space(corm_buf *out, corm_conn *c)
{
	const corm_dialect *d = corm_conn_dialect(c);
	const char *p, *e;
	corm_buf list = CORM_BUF_INIT, drops = CORM_BUF_INIT,
		 adds = CORM_BUF_INIT, name = CORM_BUF_INIT;
	int error;

	if ((error = pad_space_tables(&list, c)) != CORM_OK || list.len == 1 ||
		(error = pad_space_fks(&drops, &adds, c, &list)) != CORM_OK)
		goto done;
	corm_buf_puts(out, "SET foreign_key_checks = 0;\n");
	corm_buf_puts(out, corm_buf_cstr(&drops));
	for (p = corm_buf_cstr(&list) + 1; (e = strchr(p, '\n')); p = e + 1) {
		corm_buf_clear(&name);
		corm_buf_put(&name, p, (size_t)(e - p));
		corm_buf_puts(out, "ALTER TABLE ");
		corm_dialect_quote(out, d, corm_buf_cstr(&name));
		/* The collation's name as in dialect_mysql.c: the statement
		 * goes into a migration file, which may run on either. */
		corm_buf_puts(out, " CONVERT TO CHARACTER SET utf8mb4"
			" /*M!100202 COLLATE utf8mb4_nopad_bin*/"
			" /*!80017 COLLATE utf8mb4_0900_bin*/;\n");
	}
	corm_buf_puts(out, corm_buf_cstr(&adds));
	corm_buf_puts(out, "SET foreign_key_checks = 1;\n");
	error = corm_buf_error(out) ? corm_buf_error(out)
		: corm_buf_error(&drops) ? corm_buf_error(&drops)
		: corm_buf_error(&adds);
done:
	corm_buf_free(&list);
	corm_buf_free(&drops);
	corm_buf_free(&adds);
	corm_buf_free(&name);
	return error;
}

/* ---------------------------------------------------------- the lock */

/* GET_LOCK(CONCAT(..., NULL)) is NULL, and the catalogue of no database
 * is empty: without this, `up` failed with no reason and `inspect` read
 * an empty schema. */
static int my_require_database(corm_conn *c)
{
	int64_t none = 0;
	int error = corm_mig__query_int(&none, c, "SELECT DATABASE() IS NULL");

	if (!error && none)
		error = corm_conn__set_error(c, CORM_EINVAL, NULL, "the database "
			"URL names no database: add one after the host, as in "
			"mysql://user@host:3306/DATABASE");
	return error;
}

static int my_lock(corm_conn *c)
{
	int64_t got = 0;
	int error = my_require_database(c);

	/* A day: a migration that takes longer is not waited for. */
	if (!error)
		error = corm_mig__query_int(&got, c, "SELECT GET_LOCK(CONCAT("
			"'corm_migrate:', DATABASE()), 86400)");
	if (!error && got != 1)
		error = corm_conn__set_error(c, CORM_EBUSY, NULL, "another "
			"migrator has held the migration lock for a day");
	return error;
}

static int my_unlock(corm_conn *c)
{
	int64_t got;

	return corm_mig__query_int(&got, c, "SELECT RELEASE_LOCK(CONCAT("
		"'corm_migrate:', DATABASE()))");
}

/* ---------------------------------------------------------- the object */

const corm_migrate_engine corm_mig_engine_mysql = {
	.name = "mysql",
	.dialect = &corm_dialect_mysql,
	.transactional_ddl = false,
	.backslash_escapes = true,
	.begin_sql = "BEGIN",
	.begin_is_lock = false,
	.fk_off_sql = NULL,
	.fk_on_sql = NULL,
	.fk_check_sql = NULL,
	.lock = my_lock,
	.unlock = my_unlock,
	.require_database = my_require_database,
	.history_exists_sql = "SELECT 1 FROM information_schema.tables WHERE "
		"table_schema = DATABASE() AND table_name = 'corm_migrations'",
	.read_catalogue = read_mysql,
	.pad_space = my_pad_space,
	.rebuilds_tables = false,
	.needs_rebuild = NULL,
	.rebuild_table = NULL,
	.alter_restates_column = true,
	.one_alter_per_table = true,
	.fk_needs_index = true,
	.named_primary_key = false,
	.rename_keeps_pk_name = false,
	.drop_fk_sql = "DROP FOREIGN KEY ",
	.drop_unique_sql = "DROP INDEX ",
	.drop_index_names_table = true,
	.range_checks = false,
	.decimal_default_as_text = false,
	.paren_date_defaults = true,
};
