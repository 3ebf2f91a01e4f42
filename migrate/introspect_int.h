/*
 * introspect_int.h — the neutral catalogue the introspection readers
 * (introspect.c) fill and the DSL writer (introspect_write.c) prints,
 * with the small helpers both use. Internal to migrate/.
 */
#ifndef CORM_MIGRATE_INTROSPECT_INT_H
#define CORM_MIGRATE_INTROSPECT_INT_H

#include <string.h>

#include "corm/driver.h"
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
	size_t nmembers;
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
	size_t ncols;
	bool unique;
	bool hidden;  /* InnoDB's own index for a foreign key */
} ic_idx;

typedef struct ic_table {
	char *name;
	ic_col *cols;
	size_t ncols;
	char **pk;
	size_t npk;
	ic_idx *idx;
	size_t nidx;
	/* chosen while writing */
	char *model;
	const corm_model *hint;
} ic_table;

typedef struct ic_db {
	ic_table *t;
	size_t n;
	int error;     /* sticky: CORM_ENOMEM and friends */
	bool mysql_bare_strings; /* MySQL 8: COLUMN_DEFAULT without quotes */
} ic_db;

static inline void *grow(void **arr, size_t *n, size_t size)
{
	void *m = corm_realloc(*arr, (*n + 1) * size);

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

static inline void push_str(ic_db *db, char ***arr, size_t *n, const char *s,
	size_t len)
{
	char **slot = grow((void **)arr, n, sizeof(char *));

	if (!slot) {
		db->error = CORM_ENOMEM;
		return;
	}
	*slot = dupn(db, s, len);
}

/* Print `db` as DSL text (introspect_write.c). */
int corm_ic__write_dsl(corm_buf *out, ic_db *db, const corm_schema *hint);

#endif
