/*
 * mig_helpers.h — what the migration tests share: a scratch database per
 * run (PostgreSQL and MySQL get a CREATE DATABASE of their own, dropped
 * at the end; SQLite the engine's temporary file), moving a database
 * from one schema to another through diff + render + the runner, and
 * reading query results as one comparable string.
 */
#ifndef CORM_TESTS_MIG_HELPERS_H
#define CORM_TESTS_MIG_HELPERS_H

#include <stdbool.h>

#include "corm/corm.h"
#include "migrate.h"

typedef struct mig_db {
	char engine[16];
	char url[1100];       /* the scratch database */
	char admin_url[1024]; /* where it was created from */
	char dbname[64];
	corm_conn *c;
} mig_db;

/* Create the scratch database and connect to it. 0, or a failure. */
int mig_db_open(mig_db *m, const char *engine, const char *base_url);
void mig_db_close(mig_db *m);
/* Drop every scratch database still there (after a failed test). */
void mig_db_cleanup_all(void);

/* Parse DSL text; aborts the test (cmocka fail) on errors. */
corm_schema *mig_parse(const char *src);

/*
 * Move the database from `from` to `to`: render diff(from, to) for the
 * connection's dialect and apply it as migration `version` through the
 * runner. *up_sql / *down_sql (may be NULL) receive the SQL (corm_free).
 * Returns the runner's code; `err` its message.
 */
int mig_step(corm_conn *c, const corm_schema *from, const corm_schema *to,
	const char *version, char **up_sql, char **down_sql, corm_buf *err);

/* Every row of `sql` as "a|b;c|d;" (NULL as "~"); corm_free it. */
char *mig_rows(corm_conn *c, const char *sql);

/* Run `sql`, which must succeed (the engine's message printed if not). */
void mig_exec_ok(corm_conn *c, const char *sql);

/* Every row of `sql` (as mig_rows) must be `want`. */
void mig_expect_rows(corm_conn *c, const char *sql, const char *want);

/* The tables of the database, sorted, as "a,b," (corm_free). */
char *mig_tables(corm_conn *c);

/* Introspect (hint `want` without renames) and compare dumps; on a
 * difference print both and return false. */
bool mig_same_as(corm_conn *c, const char *want_src, const char *what);

#endif
