/*
 * migrate_engine.h — what migrations do differently on each engine, as
 * one object per engine (migrate/engine_<name>.c): the migrator's lock,
 * how a migration is applied and recorded, the history table's
 * catalogue query, the catalogue reader (introspection), the ALTER/DDL
 * rendering facts and the PAD SPACE check. Internal to migrate/ and cli/.
 *
 * An engine is found from its dialect's name once, by corm_mig_engine_find
 * (engine.c, a table of the three); an unknown name is an error, never a
 * guess. No other file in migrate/ or cli/ tests an engine's name or quote
 * character: it asks the engine object. Adding an engine: write
 * engine_<name>.c, list it in engine.c's table and in meson.build.
 */
#ifndef CORM_MIGRATE_MIGRATE_ENGINE_H
#define CORM_MIGRATE_MIGRATE_ENGINE_H

#include <stdbool.h>
#include <stdint.h>

#include "corm/buf.h"
#include "corm/corm.h"
#include "corm/dialect.h"
#include "migrate.h"

struct ic_db; /* the neutral catalogue (introspect_int.h) */
struct corm_mig_saved; /* objects kept across a rebuild (engine's own) */

typedef struct corm_migrate_engine {
	const char *name;              /* the dialect's name */
	const corm_dialect *dialect;

	/* ------------------------------------------------------- the runner */
	/* DDL can be rolled back: a migration's statements and its history
	 * row go in one transaction. Otherwise each statement commits, the
	 * history row is written first ("running") and its step after each
	 * statement; a failure leaves it "failed" for `resolve`. */
	bool transactional_ddl;
	/* A backslash escapes the next byte in a string literal (splitting
	 * statements, DDL literals, reading defaults back). */
	bool backslash_escapes;
	/* The migration's transaction starts with this ("BEGIN"). */
	const char *begin_sql;
	/* The BEGIN is the lock between migrators (it waits for a writer):
	 * retry it while the engine says busy. */
	bool begin_is_lock;
	/* A migration marked CORM_MIG_MARK_FK_OFF (a table rebuild) runs
	 * between these two, outside its transaction; NULL: no such mark. */
	const char *fk_off_sql;
	const char *fk_on_sql;
	/* A statement starting with this reports foreign keys that do not
	 * hold, a row each: any row fails the migration. NULL: none. */
	const char *fk_check_sql;
	/* Take the migrator's lock, held until unlock or the session ends
	 * (a no-op where the BEGIN is the lock). Required. */
	int (*lock)(corm_conn *c);
	/* Release it. Required. */
	int (*unlock)(corm_conn *c);
	/* CORM_EINVAL, with a message saying what to add to the URL, when
	 * the connection has no database to work in (a MySQL URL naming
	 * none): the lock, the history and the catalogue all need one.
	 * NULL: every connection has one. */
	int (*require_database)(corm_conn *c);
	/* A table rebuild drops the table's triggers and indexes. Before each
	 * statement of a migration the runner calls save_objects, which saves
	 * (into *saved, made on first use) those of the table a statement
	 * marked CORM_MIG_MARK_REBUILD starts rebuilding; after the last
	 * statement, before the history row, restore_objects makes again each
	 * saved object whose name no longer exists, failing the migration
	 * with a message naming the one it cannot. free_saved releases them;
	 * after a failure the runner runs reset_sql (settings a rebuild
	 * switches, NULL: none). NULL where tables are not rebuilt. */
	int (*save_objects)(struct corm_mig_saved **saved, corm_conn *c,
		const char *stmt, corm_buf *err);
	int (*restore_objects)(corm_conn *c, const struct corm_mig_saved *saved,
		corm_buf *err);
	void (*free_saved)(struct corm_mig_saved *saved);
	const char *reset_sql;

	/* ------------------------------------------------------ the history */
	/* One row when corm_migrations exists, asked of the catalogue so no
	 * failing statement aborts a PostgreSQL transaction. */
	const char *history_exists_sql;

	/* ---------------------------------------------------- the catalogue */
	/* Read the database's tables into the neutral catalogue (all but
	 * corm_migrations). Required. */
	int (*read_catalogue)(struct ic_db *db, corm_conn *c);
	/* The SQL that converts tables under a PAD SPACE collation to the
	 * NO PAD one corm creates (see corm_introspect_pad_space), or NULL
	 * when the engine's text comparison has no such case. Optional. */
	int (*pad_space)(corm_buf *out, corm_conn *c);

	/* --------------------------------------------------- DDL rendering */
	/* ALTER TABLE only renames and adds columns: every other change to a
	 * table is the documented rebuild (render.c), foreign keys of a new
	 * table's cycle go inline (references are checked late). */
	bool rebuilds_tables;
	/* With rebuilds_tables: must `op` rebuild its (matched) table, and
	 * the SQL that rebuilds `tm` of plan `p`. NULL elsewhere. */
	bool (*needs_rebuild)(const corm_op *op);
	void (*rebuild_table)(corm_buf *out, const corm_plan *p,
		const corm_model *tm);
	/* A column is changed by restating it whole (MODIFY COLUMN), not by
	 * ALTER COLUMN ... TYPE / SET NOT NULL / SET DEFAULT pieces. */
	bool alter_restates_column;
	/* Each DDL statement commits: a table's changes are one ALTER TABLE
	 * of comma-separated clauses, so that a failure leaves the table as
	 * it was, with the foreign keys dropped before every table's ALTER
	 * and added after (render.c). Otherwise one statement a change. */
	bool one_alter_per_table;
	/* A foreign key needs an index whose first column is its column, and
	 * the last such index cannot be dropped (MySQL's error 1553): a key
	 * whose index goes is dropped before and added again after. */
	bool fk_needs_index;
	/* The primary key is a named constraint (ADD CONSTRAINT n PRIMARY
	 * KEY, DROP CONSTRAINT n); otherwise ADD/DROP PRIMARY KEY. */
	bool named_primary_key;
	/* RENAME TABLE keeps the key's old name: rename it to follow. */
	bool rename_keeps_pk_name;
	const char *drop_fk_sql;       /* "DROP FOREIGN KEY " ... */
	const char *drop_unique_sql;   /* "DROP INDEX " or "DROP CONSTRAINT " */
	bool drop_index_names_table;   /* DROP INDEX i ON t */
	/* i16/i32 columns carry a CHECK (col BETWEEN ...): the engine's
	 * integer column holds 64 bits whatever its declared type. */
	bool range_checks;
	/* decimal defaults are written as text ('1.50'): a number literal
	 * would be a binary float there. */
	bool decimal_default_as_text;
	/* CURRENT_DATE / CURRENT_TIME as a default need parentheses. */
	bool paren_date_defaults;

	/* ------------------------------------------ data checks (checks.c) */
	/* The function counting a text's characters, not its bytes. */
	const char *char_length_fn;
	/* The type in CAST(x AS <it>) that gives any value's text. */
	const char *text_cast_type;
	/* Decimal columns hold text (DECIMAL_TEXT): a check reads their
	 * digits as text, not as a number. */
	bool decimals_are_text;
} corm_migrate_engine;

extern const corm_migrate_engine corm_mig_engine_sqlite;
extern const corm_migrate_engine corm_mig_engine_postgres;
extern const corm_migrate_engine corm_mig_engine_mysql;

/* The engine called `name` (a dialect's name), or NULL. */
const corm_migrate_engine *corm_mig_engine_find(const char *name);

/* The engine of `d`, or NULL when corm has none for it. */
const corm_migrate_engine *corm_mig_engine_of_dialect(const corm_dialect *d);

/* The engine's require_database check, when it has one (engine.c). */
int corm_mig_require_database(corm_conn *c);

/* The engine of `c`'s dialect. CORM_EINVAL, with a message on `c` naming
 * the engine, when corm has no migration support for it. */
int corm_mig_engine_of(const corm_migrate_engine **out, corm_conn *c);

/*
 * The dialect a database URL names by its scheme ("sqlite:...",
 * "postgres://", "postgresql://", "mysql://", "mariadb://"), or NULL
 * when the scheme names none.
 */
const corm_dialect *corm_mig_url_dialect(const char *url);

/* For the engines' locks (runner.c): run a one-row query and read its
 * first column as an integer (0 when it is not one, as for a void). */
int corm_mig__query_int(int64_t *out, corm_conn *c, const char *sql);

#endif /* CORM_MIGRATE_MIGRATE_ENGINE_H */
