/*
 * introspect_int.h — the neutral catalogue the engines' catalogue readers
 * (engine_<name>.c) fill and the DSL writer (introspect_write.c) prints,
 * with the helpers they share (introspect.c). Internal to migrate/.
 */
#ifndef CORM_MIGRATE_INTROSPECT_INT_H
#define CORM_MIGRATE_INTROSPECT_INT_H

#include <string.h>

#include "corm/driver.h"
#include "corm_util.h"
#include "migrate.h"

/* --------------------------------------------------------- the catalogue */

typedef struct ic_col {
	char *name;
	corm_coltype type;
	int len, prec, scale;
	bool known;         /* the type mapped to a DSL type */
	bool nullable, is_auto;
	/* default: kind and text (number as written, string decoded) */
	corm_default_kind def;
	char *def_text;
	bool def_b;
	char **members;     /* enum CHECK members, or NULL */
	size_t nmembers, members_cap;
	bool json_check;    /* MariaDB's json_valid() CHECK */
	bool sqlite_auto;   /* INTEGER PRIMARY KEY AUTOINCREMENT */
	/* foreign key */
	char *fk_table, *fk_col;
	corm_on_delete on_delete;
	bool on_delete_restrictish; /* MySQL: RESTRICT or NO ACTION */
	/* chosen while writing */
	char *field;        /* DSL field name */
} ic_col;

typedef struct ic_idx {
	char *name;
	char **cols;
	size_t ncols, cols_cap;
	bool unique;
	bool hidden;  /* InnoDB's own index for a foreign key */
} ic_idx;

typedef struct ic_table {
	char *name;
	ic_col *cols;
	size_t ncols, cols_cap;
	char **pk;
	size_t npk, pk_cap;
	ic_idx *idx;
	size_t nidx, idx_cap;
	/* chosen while writing */
	char *model;
	const corm_model *hint;
} ic_table;

typedef struct ic_db {
	ic_table *t;
	size_t n, cap;
	int error;     /* sticky: CORM_ENOMEM and friends */
	size_t cursor; /* the table of the last row of an ic_fact query */
	bool mysql_bare_strings; /* MySQL 8: COLUMN_DEFAULT without quotes */
} ic_db;

/* Append a zeroed item to `arr` (*n items, room for *cap), or NULL. */
static inline void *grow(void **arr, size_t *n, size_t *cap, size_t size)
{
	void *m = corm__grow(*arr, cap, *n + 1, size);

	if (!m)
		return NULL;
	*arr = m;
	memset((char *)m + *n * size, 0, size);
	return (char *)m + (*n)++ * size;
}

static inline char *dupn(ic_db *db, const char *s, size_t n)
{
	char *r = corm_strndup(s ? s : "", s ? n : 0);

	if (!r)
		db->error = CORM_ENOMEM;
	return r;
}

static inline char *dup(ic_db *db, const char *s)
{
	return dupn(db, s, s ? strlen(s) : 0);
}

static inline void free_strs(char **s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		corm_free(s[i]);
	corm_free(s);
}

static inline ic_col *find_col(ic_table *t, const char *name)
{
	size_t i;

	for (i = 0; i < t->ncols; i++)
		if (strcmp(t->cols[i].name, name) == 0)
			return &t->cols[i];
	return NULL;
}

static inline ic_table *find_table(ic_db *db, const char *name)
{
	size_t i;

	for (i = 0; i < db->n; i++)
		if (strcmp(db->t[i].name, name) == 0)
			return &db->t[i];
	return NULL;
}

static inline void push_str(ic_db *db, char ***arr, size_t *n, size_t *cap,
	const char *s, size_t len)
{
	char **slot = grow((void **)arr, n, cap, sizeof(char *));

	if (!slot) {
		db->error = CORM_ENOMEM;
		return;
	}
	*slot = dupn(db, s, len);
}

/* ------------------------------------ shared by the readers (introspect.c) */

void ic_db_free(ic_db *db);
/* The index `name` of `t`, added when new. */
ic_idx *ic_add_idx(ic_db *db, ic_table *t, const char *name, bool unique);
/* Column `col` as text, or NULL (NULL or unreadable). */
const char *ic_text_col(corm_stmt *st, int col, size_t *len);
/* Every '...' literal in `s`, decoded, appended to c's members;
 * `backslash`: the engine's backslash escapes apply. */
void ic_literals(ic_db *db, ic_col *c, const char *s, bool backslash);
/* The first identifier in `s` quoted by one of `quotes`, into `out`. */
bool ic_first_ident(corm_buf *out, const char *s, const char *quotes);
/* Are a[0..n) and b equal, ignoring ASCII case? */
bool ic_ieq(const char *a, size_t n, const char *b);
/* An engine's default expression → c->def. */
void ic_parse_default(ic_db *db, ic_col *c, const char *s, size_t n,
	bool backslash);
corm_on_delete ic_on_delete_of(const char *s, size_t n);
/* A declared/catalogue type name (upper case) → c's DSL type. */
void ic_map_type(ic_col *c, const char *s);
/* s[0..n) upper-cased into out, without a blank after a comma. */
void ic_upper(char *out, size_t cap, const char *s, size_t n);
/* Prepare `sql` with one text parameter (or none when NULL). */
int ic_prep(corm_stmt **st, corm_conn *c, const char *sql,
	const char *param);
/* Run `sql` (one text parameter or none); call `row` per row. */
int ic_each_row(ic_db *db, corm_conn *c, const char *sql,
	const char *param, ic_table *t,
	void (*row)(ic_db *, ic_table *, corm_stmt *));
/*
 * One kind of fact (columns, keys, foreign keys...) of every table of the
 * schema, read by one query: `sql` (no parameter) orders its rows by
 * table, then as a per-table query would, so each table's rows arrive in
 * their order; column `table_col` names the row's table (the last
 * column, so that `row` reads the others from 0). One query per kind of
 * fact, not one per table: with thousands of tables, per-table
 * information_schema queries cost minutes on MariaDB.
 */
typedef struct ic_fact {
	const char *sql;
	int table_col;
	void (*row)(ic_db *, ic_table *, corm_stmt *);
} ic_fact;

/* Run `f`, calling f->row per row of a table the reader listed (rows of
 * views, corm_migrations and other tables not listed are skipped). */
int ic_each_table_row(ic_db *db, corm_conn *c, const ic_fact *f);
/* ic_each_table_row for facts[0..n), in order, up to the first error. */
int ic_read_facts(ic_db *db, corm_conn *c, const ic_fact *facts, size_t n);
/* A row whose first column names a table: add the table. */
void ic_row_table(ic_db *db, ic_table *unused, corm_stmt *st);

/* Print `db` as DSL text (introspect_write.c). */
int corm_ic__write_dsl(corm_buf *out, ic_db *db, const corm_schema *hint);

#endif
