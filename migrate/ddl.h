/*
 * ddl.h — rendering schema objects as DDL for one dialect: CREATE TABLE
 * (columns, key, uniques, foreign keys, enum CHECKs), CREATE INDEX, and a
 * whole schema in an order the engine accepts.
 *
 * The migration engine's operations render through these; `corm gen`'s
 * tests use them to set up databases.
 */
#ifndef CORM_MIGRATE_DDL_H
#define CORM_MIGRATE_DDL_H

#include "corm/buf.h"
#include "corm/dialect.h"
#include "schema.h"

/* The column's SQL type, with NOT NULL and DEFAULT, after its name. */
int corm_ddl_column(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const corm_field *f);

/* CREATE TABLE for `m`, ending in ";\n". */
int corm_ddl_create_table(corm_buf *out, const corm_dialect *d,
	const corm_model *m);

/* CREATE INDEX statements for m's indexes, each ending in ";\n". */
int corm_ddl_create_indexes(corm_buf *out, const corm_dialect *d,
	const corm_model *m);

/*
 * Every table of `s` and its indexes, tables ordered so each comes after
 * the tables its foreign keys reference. CORM_EUNSUPPORTED when foreign
 * keys form a cycle (the migration engine adds those separately).
 */
int corm_ddl_create_schema(corm_buf *out, const corm_dialect *d,
	const corm_schema *s);

/* DROP TABLE for every table of `s`, referencing tables first. */
int corm_ddl_drop_schema(corm_buf *out, const corm_dialect *d,
	const corm_schema *s);

#endif
