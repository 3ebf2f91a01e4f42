/*
 * dialect.h — what differs between SQL engines, described as data, so that
 * the runtime, codegen and migrate never hard-code an engine.
 *
 * Every SQL difference is a named fact (a field below) or a function of the
 * dialect: code outside orm/dialect/ never tests an engine's name or quote
 * character. Each engine has one dialect (orm/dialect/dialect_<engine>.c),
 * which its driver speaks. The dialects are SQL facts, not drivers: they
 * are always compiled, so `corm gen` writes SQL for every engine on any
 * build. Adding an engine: a dialect file, CORM_NDIALECTS, corm_dialects.
 */
#ifndef CORM_DIALECT_H
#define CORM_DIALECT_H

#include <stdbool.h>
#include <stddef.h>

#include "buf.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How many dialects there are: the length of corm_dialects and of every
 * per-dialect array (corm_model_desc.sql, ...). */
#define CORM_NDIALECTS 3

typedef enum corm_placeholder {
	CORM_PLACEHOLDER_QMARK,  /* ?  (SQLite, MySQL) */
	CORM_PLACEHOLDER_DOLLAR  /* $1, $2, ... (PostgreSQL) */
} corm_placeholder;

/* How an INSERT gets back the key the engine generated. */
typedef enum corm_insert_id {
	CORM_INSERT_ID_RETURNING,     /* INSERT ... RETURNING "id" */
	CORM_INSERT_ID_LAST_INSERT_ID /* corm_stmt_last_insert_id() */
} corm_insert_id;

/* How a transaction is started at an isolation level or read-only. */
typedef enum corm_tx_begin_style {
	CORM_TX_BEGIN_LOCKING_MODE, /* BEGIN IMMEDIATE | DEFERRED (SQLite:
	                             * always serializable) */
	CORM_TX_BEGIN_INLINE,       /* BEGIN ISOLATION LEVEL x [READ ONLY] */
	CORM_TX_BEGIN_SET_FIRST     /* SET TRANSACTION ISOLATION LEVEL x;
	                             * START TRANSACTION [READ ONLY] */
} corm_tx_begin_style;

/* How an IN list of any length goes to the engine as one parameter
 * (orm/in_list.c; see docs/queries.md for the measurements). */
typedef enum corm_in_list {
	CORM_IN_LIST_ARRAY,      /* col = ANY($1::T[]), an array literal */
	CORM_IN_LIST_JSON_EACH,  /* col IN (SELECT value FROM json_each(?)) */
	CORM_IN_LIST_JSON_TABLE  /* col IN (SELECT v FROM JSON_TABLE(?, …)) */
} corm_in_list;

/* How an INSERT that meets an existing key updates that row instead. */
typedef enum corm_upsert_form {
	CORM_UPSERT_ON_CONFLICT,     /* ON CONFLICT (key) DO UPDATE SET
	                              * c = excluded.c */
	CORM_UPSERT_ON_DUPLICATE_KEY /* ON DUPLICATE KEY UPDATE c = VALUES(c):
	                              * any unique key that clashes */
} corm_upsert_form;

/* How a case-sensitive pattern match (contains, starts_with, like) is
 * written. The runtime escapes the pattern's wildcards either way. */
typedef enum corm_text_match {
	CORM_TEXT_MATCH_GLOB,       /* col GLOB 'pattern*' (SQLite, whose LIKE
	                             * ignores ASCII case) */
	CORM_TEXT_MATCH_LIKE_ESCAPE /* col LIKE 'pattern%' ESCAPE '!' */
} corm_text_match;

/* The DSL's column types, as the engines need to name them. */
typedef enum corm_coltype {
	CORM_COL_I16,
	CORM_COL_I32,
	CORM_COL_I64,
	CORM_COL_F32,
	CORM_COL_F64,
	CORM_COL_BOOL,
	CORM_COL_STRING,    /* string(N): a = N */
	CORM_COL_TEXT,
	CORM_COL_BYTES,
	CORM_COL_DECIMAL,   /* decimal(P,S): a = P, b = S */
	CORM_COL_DATE,
	CORM_COL_TIME,
	CORM_COL_TIMESTAMP, /* UTC */
	CORM_COL_UUID,
	CORM_COL_JSON,
	CORM_COL__COUNT
} corm_coltype;

struct corm_dialect {
	const char *name;              /* "sqlite", "postgres", "mysql" */
	corm_placeholder placeholder;
	char quote_open, quote_close;  /* identifier quotes: "" or `` */
	corm_insert_id insert_id;
	bool transactional_ddl;        /* DDL can be rolled back */
	corm_tx_begin_style tx_begin;  /* how corm_tx_begin_opts() starts */
	/* SELECT ... FOR UPDATE locks the rows read; without it (SQLite) a
	 * write transaction locks the whole database from its BEGIN. */
	bool has_for_update;
	/* Bound parameters per statement: the protocol's limit. A driver
	 * whose engine is configured at build time (SQLite) reports the real
	 * one per connection: corm_conn_max_params(). */
	int max_params;
	corm_in_list in_list;          /* how long IN lists are sent */
	int max_ident_len;             /* bytes in an identifier; 0 = none */
	/* printf formats for each corm_coltype, taking (a, b) as ints. */
	const char *type_format[CORM_COL__COUNT];
	/* The key column of an @auto i64 / i32 / i16 key, type included. */
	const char *auto_format[3];    /* [0] i64, [1] i32, [2] i16 */
	bool auto_includes_pk;         /* auto_format already says PRIMARY KEY
	                                * (SQLite's AUTOINCREMENT must) */
	const char *now_sql;           /* default for `@default(now)` */
	/* Appended to CREATE TABLE (""), e.g. MySQL's engine and charset:
	 * without it a table takes the server's default charset, which may
	 * not hold 4-byte UTF-8. */
	const char *create_table_suffix;
	/* Bulk loading by COPY ... FROM STDIN (driver slot copy_in). */
	bool has_copy;
	/* Enum columns are the engine's ENUM('a', 'b', ...) type (MySQL);
	 * otherwise VARCHAR(64) with a named CHECK listing the members. */
	bool native_enum;

	/* ---- statement forms (the runtime's query builder and codegen) */

	/* An INSERT of no columns (a table of only an AUTO key):
	 * " DEFAULT VALUES" or " () VALUES ()". */
	const char *empty_insert;
	corm_upsert_form upsert;
	/* What follows LIMIT to mean "every row", for an OFFSET alone. */
	const char *limit_all;
	corm_text_match text_match;
	/* ORDER BY ... NULLS FIRST / LAST; without it (MySQL) the rows are
	 * sorted on `col IS NULL` first. */
	bool has_nulls_order;

	/* ---- comparing text, byte by byte on every engine */

	/* Text compares and sorts by its bytes on every engine, whatever
	 * collation a table corm did not create gives its column (a
	 * case-insensitive, PAD SPACE or nondeterministic one). Each is
	 * appended ("" for none): after a text column compared (= < LIKE IN)
	 * or sorted (ORDER BY, MIN, MAX); after a value compared for equality
	 * or LIKE; after a value compared for order (< BETWEEN), in
	 * parentheses. */
	const char *text_column_collate;
	const char *text_sort_collate;
	const char *text_eq_collate;
	const char *text_order_collate;
	/* Around a text column that DISTINCT must tell apart by its bytes
	 * (`key_open col key_close AS col`). */
	const char *text_key_open, *text_key_close;
	/* Lists (table, column) of the current database's text columns whose
	 * collation is not the bytes, for ORDER BY to convert (NULL: ORDER BY
	 * names a byte collation on every column). orm/collations.c. */
	const char *foreign_text_sql;
	/* The text collation pads with spaces ('a' = 'a ', 'a\t' < 'a':
	 * MySQL's utf8mb4_bin): text is grouped, compared and sorted as
	 * CAST(col AS BINARY). */
	bool pads_text;
	/* String literals take backslash escapes (MySQL's default sql_mode):
	 * a '\' in a literal must be doubled. */
	bool backslash_escapes;

	/* ---- decimals, which must compare and add exactly */

	/* Decimals are stored as text and compared through the collation the
	 * driver registers (" COLLATE corm_decimal"), "" when the engine's
	 * own DECIMAL type compares them. */
	const char *decimal_collation;
	/* The engine compares a DECIMAL column with a text parameter as
	 * doubles (MariaDB in BETWEEN and IN): the parameter is cast to the
	 * column's DECIMAL(P,S), or to the widest decimal for an aggregate. */
	bool casts_decimal_params;
	/* The widest decimal type, to cast an aggregate's value to (where
	 * casts_decimal_params; NULL otherwise). */
	const char *widest_decimal;
	/* Functions the driver registers where the engine's own are not
	 * exact (NULL: the engine's): decimal_add(col, delta, P, S) refuses
	 * a result past (P,S), as the engines' DECIMAL columns do;
	 * decimal_sum(col) sums decimal text exactly; int_sum(col) fails
	 * only when the total, not a running sum, leaves int64. */
	const char *decimal_add_fn;
	const char *decimal_sum_fn;
	const char *int_sum_fn;

	/* Columns keep values their type cannot hold (SQLite's affinity): an
	 * UPDATE adding to a number checks, with RETURNING, that every sum
	 * fits its field, and undoes the update when one does not. */
	bool loose_column_types;

	/* ---- aggregates the engine lacks */

	/* No MIN / MAX of booleans: bool_and / bool_or (PostgreSQL). */
	bool min_max_bool_and_or;
	/* No MIN / MAX of the native UUID type: compared as its text. */
	bool min_max_uuid_as_text;

	/* ---- URLs */

	/* The database is a local file named by the URL's path
	 * (sqlite:app.db), not a server; ":memory:" is a private one. */
	bool file_database;
};

typedef struct corm_dialect corm_dialect;

extern const corm_dialect corm_dialect_sqlite;
extern const corm_dialect corm_dialect_postgres;
extern const corm_dialect corm_dialect_mysql;

/* Every dialect, in a fixed order (sqlite, postgres, mysql). */
extern const corm_dialect *const corm_dialects[CORM_NDIALECTS];

/* The dialect called `name` ("postgresql" and "mariadb" too), or NULL:
 * an unknown name is an error for the caller to report, naming it. The
 * one place that maps an engine's name to its SQL. */
const corm_dialect *corm_dialect_find(const char *name);

/* Append `ident` quoted, doubling any quote character inside it. */
int corm_dialect_quote(corm_buf *out, const corm_dialect *d,
	const char *ident);

/* Append the placeholder for parameter `n` (from 1). */
int corm_dialect_placeholder(corm_buf *out, const corm_dialect *d, int n);

/* Append the SQL type of `t` with its arguments (a, b: see corm_coltype). */
int corm_dialect_type(corm_buf *out, const corm_dialect *d, corm_coltype t,
	int a, int b);

/* The index of `d` in corm_dialects, or -1 when it is not one of them. */
int corm_dialect_index(const corm_dialect *d);

#ifdef __cplusplus
}
#endif

#endif /* CORM_DIALECT_H */
