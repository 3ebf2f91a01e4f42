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

/* The column's SQL type, with NOT NULL and DEFAULT, after its name (and
 * on SQLite an i16 or i32 column's range CHECK). */
int corm_ddl_column(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const corm_field *f);

/* CREATE TABLE for `m`, ending in ";\n". */
int corm_ddl_create_table(corm_buf *out, const corm_dialect *d,
	const corm_model *m);

/* The same under another table name (SQLite's table rebuild). */
int corm_ddl_create_table_as(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const char *table);

/* The same, leaving out the foreign keys m->fks[i] with omit_fk[i]
 * (omit_fk may be NULL): a cycle's keys are added after. */
int corm_ddl_create_table_ex(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const char *table, const bool *omit_fk);

/* `CONSTRAINT "<name>" FOREIGN KEY ("col") REFERENCES "t" ("id")` and
 * its ON DELETE: in CREATE TABLE, or after ALTER TABLE ... ADD. */
void corm_ddl_foreign_key(corm_buf *out, const corm_dialect *d,
	const corm_fk *fk);

/* `CONSTRAINT "<table>_<col>_check" CHECK ("col" IN (...))` for an enum
 * field. */
int corm_ddl_check(corm_buf *out, const corm_dialect *d,
	const corm_model *m, const corm_field *f);

/* SQLite's range CHECK of an integer column is named `<column>` plus one
 * of these; the SQLite driver recognizes them when the CHECK fails. */
#define CORM_DDL_RANGE_I16 "_i16_range"
#define CORM_DDL_RANGE_I32 "_i32_range"

/* Does `f` get a range CHECK in dialect `d`? (SQLite's i16 and i32.) */
bool corm_ddl_has_range_check(const corm_dialect *d, const corm_field *f);

/* `CONSTRAINT "<col>_i16_range" CHECK ("col" BETWEEN -32768 AND 32767)`
 * (or i32's) for such a field: part of its column definition. */
int corm_ddl_range_check(corm_buf *out, const corm_dialect *d,
	const corm_field *f);

/* The column's SQL type alone. */
void corm_ddl_column_type(corm_buf *out, const corm_dialect *d,
	const corm_field *f);

/* f's default as an SQL expression (f->def.kind != NONE). */
void corm_ddl_default_value(corm_buf *out, const corm_dialect *d,
	const corm_field *f);

/* A string literal with the dialect's escaping. */
void corm_ddl_literal(corm_buf *out, const corm_dialect *d, const char *s,
	size_t len);

/* " ON DELETE CASCADE" etc., or "" for no action. */
const char *corm_ddl_on_delete(corm_on_delete a);

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
