/*
 * migrate.h — the migration engine: diff two schema IRs into an ordered
 * list of operations, render them as SQL for one dialect, read a live
 * database back into IR, and keep a migration directory and the history
 * table in step.
 *
 * Sections: the diff (operations and plans), rendering, statement
 * splitting, introspection, the migration directory, history, the
 * runner and the status. What differs by engine is in migrate_engine.h.
 *
 * Everything allocates through the corm allocator hook; every `**out` is
 * the caller's, freed by the matching NULL-safe function.
 */
#ifndef CORM_MIGRATE_H
#define CORM_MIGRATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "corm/buf.h"
#include "corm/corm.h"
#include "corm/dialect.h"
#include "schema.h"

/* -------------------------------------------------------------- the diff */

/*
 * Operation kinds, in the order a plan runs them (each phase may depend
 * on the ones before it): constraints that go away are dropped while the
 * tables still have their old names, tables are dropped and renamed,
 * new tables created, columns changed, then constraints added.
 */
typedef enum corm_op_kind {
	CORM_OP_DROP_FK,
	CORM_OP_DROP_INDEX,
	CORM_OP_DROP_UNIQUE,
	CORM_OP_DROP_CHECK,     /* an enum column's CHECK */
	CORM_OP_DROP_PK,
	CORM_OP_DROP_TABLE,
	CORM_OP_RENAME_TABLE,
	CORM_OP_CREATE_TABLE,   /* with its uniques, checks, FKs, indexes */
	CORM_OP_RENAME_COLUMN,
	CORM_OP_ADD_COLUMN,
	CORM_OP_ALTER_COLUMN,
	CORM_OP_DROP_COLUMN,
	CORM_OP_ADD_PK,
	CORM_OP_ADD_CHECK,
	CORM_OP_CREATE_UNIQUE,
	CORM_OP_CREATE_INDEX,
	CORM_OP_ADD_FK,
	CORM_OP__COUNT
} corm_op_kind;

/* What an ALTER_COLUMN changes (bits). */
enum {
	CORM_ALTER_TYPE = 1,
	CORM_ALTER_NULL = 2,    /* nullability */
	CORM_ALTER_DEFAULT = 4,
	CORM_ALTER_AUTO = 8     /* @auto added or removed */
};

/*
 * One operation. `from_*` point into the old schema, `to_*` into the new
 * one; which are set depends on the kind (a drop has only from_*, a
 * create only to_*, a rename or alter both).
 */
typedef struct corm_op {
	corm_op_kind kind;
	const corm_model *from_model, *to_model;
	const corm_field *from_field, *to_field;
	const corm_index *from_index, *to_index; /* index, unique, pk */
	const corm_fk *from_fk, *to_fk;
	unsigned alter;      /* ALTER_COLUMN: CORM_ALTER_* bits */
	bool destructive;    /* may lose data, or fails on a table with rows */
	char *what;          /* "drop column post.cover (string(200) -> ...)" */
} corm_op;

/* The result of a diff. The schemas must outlive it. */
typedef struct corm_plan {
	const corm_schema *from, *to;
	corm_op *ops;
	size_t nops;
	size_t cap;
	/* to->models[i] was from->models[match_model[i]], or SIZE_MAX. */
	size_t *match_model;
	/* to->models[i].fields[j] was ...fields[match_field[i][j]] of the
	 * matched model, or SIZE_MAX. */
	size_t **match_field;
} corm_plan;

/*
 * The operations that turn `from` into `to`. Tables and columns are
 * matched by SQL name, or by @@renamed_from / @renamed_from in either
 * schema (so the reverse diff sees the rename too); a rename that is not
 * declared is a drop and an add. New tables whose foreign keys form a
 * cycle are created without the keys that close it, which are added
 * after (an ADD_FK with no from_model).
 */
int corm_diff(corm_plan **out, const corm_schema *from,
	const corm_schema *to);

/* Number of destructive operations in `p`. */
size_t corm_plan_ndestructive(const corm_plan *p);

void corm_plan_free(corm_plan *p);

/* The model of `to` matched to `from`'s model, or NULL. */
const corm_model *corm_plan_from_model(const corm_plan *p,
	const corm_model *to_model);
/* The old field a new field came from, or NULL. */
const corm_field *corm_plan_from_field(const corm_plan *p,
	const corm_model *to_model, const corm_field *to_field);

/* ---------------------------------------------------------------- render */

/* A line (the first, as rendered) of a migration that needs
 * `PRAGMA foreign_keys=OFF` around its transaction (SQLite). */
#define CORM_MIG_MARK_FK_OFF "-- corm:foreign_keys=off"

/* A comment line `-- corm:rebuild "<table>"` among those that open a
 * statement: the statement starts the rebuild of that table (SQLite), so
 * the runner saves the table's triggers and the indexes corm did not
 * make before it runs, and makes them again at the end of the migration
 * (migrate_engine.h, save_objects). */
#define CORM_MIG_MARK_REBUILD "-- corm:rebuild "

/*
 * A statement whose leading comment lines include a line starting with
 * this, followed by a message, is a data check: a query returning one
 * integer, the count of rows the migration cannot keep as they are. The
 * runner refuses the migration when it is not zero, writing the count
 * before the message ("3" + " rows of ..."; for 1 a first word ending
 * in 's', "rows" or "groups", loses it).
 */
#define CORM_MIG_MARK_CHECK "-- corm:check"

/*
 * Append the SQL for `p` in dialect `d`: one statement per line group,
 * each ending in ";\n", each operation preceded by a "-- " comment. An
 * empty plan renders as nothing. The plan's data checks
 * (corm_plan_render_checks) come first, after the CORM_MIG_MARK_FK_OFF
 * line when there is one.
 */
int corm_plan_render(corm_buf *out, const corm_dialect *d,
	const corm_plan *p);

/*
 * The data checks of `p` (see CORM_MIG_MARK_CHECK), appended to `out`:
 * one for each change that would fail on, cut, round or refuse rows that
 * do not fit it — a narrower string, decimal or integer, an enum that
 * loses members or a column becoming one, NOT NULL without a default,
 * a NOT NULL column without a default added to a table, a new unique
 * constraint or primary key on existing columns. They read the old
 * table and column names, so they run before the plan's statements.
 */
int corm_plan_render_checks(corm_buf *out, const corm_dialect *d,
	const corm_plan *p);

/* `f`'s type as the DSL writes it ("string(10)", "decimal(12,2)",
 * "enum Status"), appended to `b`: the words of plans and checks. */
void corm_mig_type_text(corm_buf *b, const corm_field *f);

/* The constraint name of an enum column's CHECK: `<table>_<col>_check`,
 * shortened like the IR's names. Appended to `out`. */
int corm_mig_check_name(corm_buf *out, const char *table,
	const char *column);

/* ------------------------------------------------------------- splitting */

/*
 * Split `sql` into statements. A statement ends at a ';' outside quotes
 * ('...', "...", `...`), dollar quotes ($tag$...$tag$), comments (-- to
 * end of line, block comments) and, in a CREATE TRIGGER, PROCEDURE,
 * FUNCTION or EVENT statement, BEGIN ... END blocks. A line `DELIMITER xx`
 * makes `xx` the end of a statement instead (split.c has the rules).
 * Whitespace and comments alone are not a statement. Each statement is
 * returned without its delimiter, trimmed; comments inside are kept. *out
 * is an array of *n strings; free with corm_mig_statements_free().
 * `backslash_escapes`: MySQL's reading, where '\'' escapes inside a
 * string and an executable comment is code.
 */
int corm_mig_split(char ***out, size_t *n, const char *sql, size_t len,
	bool backslash_escapes);
void corm_mig_statements_free(char **stmts, size_t n);

/* --------------------------------------------------------- introspection */

/*
 * Read the tables of the database behind `c` (all but corm_migrations)
 * as DSL text. `hint` (may be NULL) supplies what a database does not
 * store: model, field and enum names, the order of declarations, an
 * @auto key's integer width on SQLite, and the spelling of numeric
 * defaults; it is used only where it agrees with the database.
 */
int corm_introspect_text(corm_buf *out, corm_conn *c,
	const corm_schema *hint);

/* The same, parsed: *out is the schema. */
int corm_introspect(corm_schema **out, corm_conn *c,
	const corm_schema *hint);

/* Test hook: statements the catalogue readers have prepared on this
 * thread. Reading a database takes a few, however many tables it has. */
unsigned long corm_ic__statements(void);

/*
 * MySQL/MariaDB tables that hold text under a PAD SPACE collation ('x' =
 * 'x '; corm before issue 12 made them with utf8mb4_bin), as the SQL that
 * converts them to the NO PAD binary collation corm now creates tables
 * with (utf8mb4_nopad_bin on MariaDB, utf8mb4_0900_bin on MySQL, chosen
 * by version comments so the SQL suits a migration file), one statement
 * a line, appended to `out`. Foreign keys on text columns are dropped
 * and added back around it (MariaDB will not convert them). Appends
 * nothing on the other engines or when every table is NO PAD.
 */
int corm_introspect_pad_space(corm_buf *out, corm_conn *c);

/* --------------------------------------------------- directory, history */

typedef struct corm_mig_entry {
	char *version;  /* "20260101120000" */
	char *name;     /* "add_posts" */
	char *dir;      /* path of the folder */
} corm_mig_entry;

typedef struct corm_mig_dir {
	corm_mig_entry *items; /* sorted by version */
	size_t count;
} corm_mig_dir;

/*
 * List `path`'s migrations (folders named <14 digits>_<name>). A missing
 * directory is an empty list. CORM_EINVAL (with a message in `err`) for
 * a folder that looks like a migration but is malformed or a duplicate
 * version.
 */
int corm_mig_dir_read(corm_mig_dir *out, corm_buf *err, const char *path);
void corm_mig_dir_free(corm_mig_dir *d);

/* Read `entry`'s file `file` ("up.sqlite.sql", "schema.corm"): *out is
 * NUL-terminated, corm_free it. CORM_ENOTFOUND when missing. */
int corm_mig_read(char **out, size_t *len, const corm_mig_entry *e,
	const char *file);

/* The line (from 1) of the first NUL byte in sql[0..len), or 0 when it
 * has none. A NUL would end the statement there, so that `UPDATE t SET
 * x = 0<NUL> WHERE id = 3` ran on every row: such a file is refused. */
size_t corm_mig_nul_line(const char *sql, size_t len);

/* SHA-256 of `data`, as 64 lowercase hex digits plus NUL. */
void corm_mig_sha256_hex(char out[65], const void *data, size_t len);

/* A history row. */
typedef struct corm_mig_applied {
	char *version;
	char *name;
	char *checksum;
	char *applied_at;
	char *status;   /* "applied", "failed" (MySQL) */
	int64_t step;   /* statements done (MySQL progress) */
} corm_mig_applied;

typedef struct corm_mig_history {
	corm_mig_applied *items; /* sorted by version */
	size_t count;
} corm_mig_history;

/* Create corm_migrations when missing. */
int corm_history_ensure(corm_conn *c);
/* Read the history (empty when the table does not exist). */
int corm_history_read(corm_mig_history *out, corm_conn *c);
void corm_history_free(corm_mig_history *h);
/* The row of `version`, or NULL when it is not in the history. */
const corm_mig_applied *corm_history_find(const corm_mig_history *h,
	const char *version);

/* ---------------------------------------------------------------- runner */

/* Take the migrator's lock (PostgreSQL advisory lock, MySQL GET_LOCK).
 * On SQLite this does nothing: each migration's BEGIN IMMEDIATE is the
 * lock, and the runner re-reads the history inside it. */
int corm_mig_lock(corm_conn *c);
int corm_mig_unlock(corm_conn *c);

/*
 * Apply (`up`) or revert one migration's SQL `sql`, recording it in the
 * history (insert on up, delete on down) in the same transaction where
 * the engine allows. On SQLite the history is checked again inside the
 * transaction: *skipped is set when another migrator already did it.
 * On MySQL each statement's progress is written as it goes; a failure
 * marks the row failed at that statement. `err` receives a message.
 * CORM_ECHECK: a data check (CORM_MIG_MARK_CHECK) counted rows the
 * migration cannot keep, and nothing was changed (on MySQL, a check
 * after a statement that committed fails like that statement would).
 */
int corm_mig_apply(bool *skipped, corm_conn *c, const corm_mig_entry *e,
	const char *sql, size_t len, bool up, corm_buf *err);

/* Record by hand what the user did (resolve): applied, or rolled back
 * (the row is removed). */
int corm_mig_resolve(corm_conn *c, const corm_mig_entry *e,
	const char *checksum, bool applied);

/* ---------------------------------------------------------------- status */

/* The state of one migration, the folder and the history side by side. */
typedef enum corm_mig_state {
	CORM_MIG_PENDING,     /* in the folder, not applied */
	CORM_MIG_APPLIED,
	CORM_MIG_EDITED,      /* applied, but its up SQL changed since */
	CORM_MIG_FAILED,      /* a statement failed where DDL commits as it
	                       * goes (MySQL): fix by hand, then resolve */
	CORM_MIG_INTERRUPTED, /* its migrator died while applying or
	                       * reverting it (MySQL): half done */
	CORM_MIG_MISSING      /* applied, no longer in the folder */
} corm_mig_state;

/* "pending", "applied", "edited", "failed", "interrupted", "missing". */
const char *corm_mig_state_name(corm_mig_state s);

typedef struct corm_mig_status_item {
	corm_mig_state state;
	const corm_mig_entry *entry;     /* NULL when missing */
	const corm_mig_applied *applied; /* NULL when pending */
	/* Blocks `up` and `down`: failed, interrupted, edited, or an applied
	 * migration whose up SQL cannot be read (`unreadable`). A row that
	 * is failed or interrupted blocks even when its folder is gone. */
	bool blocks;
	/* What is wrong and what to do, for the blocking states (lines
	 * after the first start with two blanks); NULL otherwise. */
	char *message;
	/* "cannot read DIR/up.ENGINE.sql" when the edit check could not
	 * read the file (the state stays applied); NULL otherwise. */
	char *unreadable;
} corm_mig_status_item;

typedef struct corm_mig_status {
	corm_mig_status_item *items; /* by version: folder and history merged */
	size_t count;
	bool blocked;                /* some item blocks */
} corm_mig_status;

/*
 * The state of every migration of `dir` and `hist`, for dialect `d`
 * (whose up files the edit check reads). CORM_EINVAL when corm has no
 * migration engine for `d`; CORM_ENOMEM. Free with corm_mig_status_free.
 */
int corm_mig_status_read(corm_mig_status *out, const corm_mig_dir *dir,
	const corm_mig_history *hist, const corm_dialect *d);
void corm_mig_status_free(corm_mig_status *s);

/* The migration of `d` with `version` (or the folder name ending in it),
 * or NULL. */
const corm_mig_entry *corm_mig_dir_find(const corm_mig_dir *d,
	const char *version);

/*
 * The dialect whose SQL files a command reads: `name` (--dialect) when
 * given, else the one the database URL's scheme names, else (no URL)
 * SQLite. NULL when `name` or the scheme names no dialect.
 */
const corm_dialect *corm_mig_choose_dialect(const char *name,
	const char *url);

/* The name of a migration's SQL file for `d`: "up.<dialect>.sql" or
 * "down.<dialect>.sql", into `out` (cleared first). */
int corm_mig_sql_file(corm_buf *out, const corm_dialect *d, bool up);

#endif /* CORM_MIGRATE_H */
