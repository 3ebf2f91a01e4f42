/*
 * dialect_sqlite.c — how SQLite spells things.
 *
 * SQLite picks a column's "affinity" from words in its declared type. Type
 * names here are chosen so each keeps its value exactly: DECIMAL_TEXT and
 * JSON_TEXT contain "TEXT", so SQLite stores them as text (a plain DECIMAL
 * or JSON column has NUMERIC affinity and would turn "12.50" into 12.5 or
 * drop digits past the 15th). The declared names also let introspection
 * tell the DSL types apart.
 */
#include "corm/dialect.h"

const corm_dialect corm_dialect_sqlite = {
	.name = "sqlite",
	.placeholder = CORM_PLACEHOLDER_QMARK,
	.quote_open = '"',
	.quote_close = '"',
	/* SQLite has RETURNING since 3.35; last-insert-id also works, but one
	 * round trip that returns the row is what RETURNING is for. */
	.insert_id = CORM_INSERT_ID_RETURNING,
	.transactional_ddl = true,
	.tx_begin = CORM_TX_BEGIN_LOCKING_MODE,
	.has_for_update = false,
	/* SQLITE_MAX_VARIABLE_NUMBER's default since 3.32; builds differ
	 * (Debian's is 250,000), so the driver reports the connection's own
	 * sqlite3_limit(). */
	.max_params = 32766,
	/* JSON1 is built in since 3.38. */
	.in_list = CORM_IN_LIST_JSON_EACH,
	.max_ident_len = 0,
	.type_format = {
		[CORM_COL_I16] = "SMALLINT",
		[CORM_COL_I32] = "INTEGER",
		[CORM_COL_I64] = "BIGINT",
		[CORM_COL_F32] = "FLOAT",
		[CORM_COL_F64] = "DOUBLE",
		[CORM_COL_BOOL] = "BOOLEAN",
		[CORM_COL_STRING] = "VARCHAR(%d)",
		[CORM_COL_TEXT] = "TEXT",
		[CORM_COL_BYTES] = "BLOB",
		[CORM_COL_DECIMAL] = "DECIMAL_TEXT(%d,%d)",
		[CORM_COL_DATE] = "DATE",
		[CORM_COL_TIME] = "TIME",
		[CORM_COL_TIMESTAMP] = "TIMESTAMP",
		[CORM_COL_UUID] = "UUID",
		[CORM_COL_JSON] = "JSON_TEXT",
	},
	/* Only "INTEGER PRIMARY KEY" aliases the rowid; AUTOINCREMENT keeps
	 * ids of deleted rows from coming back, as on the other engines. */
	.auto_format = {
		"INTEGER PRIMARY KEY AUTOINCREMENT",
		"INTEGER PRIMARY KEY AUTOINCREMENT",
		"INTEGER PRIMARY KEY AUTOINCREMENT",
	},
	.auto_includes_pk = true,
	.now_sql = "CURRENT_TIMESTAMP",
	.create_table_suffix = "",
	.empty_insert = " DEFAULT VALUES",
	.upsert = CORM_UPSERT_ON_CONFLICT,
	.limit_all = "-1",
	/* LIKE ignores ASCII case (unless a pragma says otherwise, per
	 * connection); GLOB compares bytes as the other engines' LIKE does. */
	.text_match = CORM_TEXT_MATCH_GLOB,
	.has_nulls_order = true, /* since 3.30 */
	/* DECIMAL_TEXT columns hold text, compared by value through the
	 * collation drivers/sqlite_decimal.c registers on every connection,
	 * and added and summed exactly by its functions. */
	.decimal_collation = " COLLATE corm_decimal",
	.decimal_add_fn = "corm_decimal_add",
	.decimal_sum_fn = "corm_decimal_sum",
	/* sum() fails when a running sum leaves int64 even if the total
	 * fits; the driver's corm_int_sum() does not. */
	.int_sum_fn = "corm_int_sum",
	.loose_column_types = true,
	.file_database = true,
	/* A column's COLLATE NOCASE or RTRIM would win over a bare value;
	 * BINARY on the column side still uses an index of corm's own
	 * (BINARY) columns. */
	.text_column_collate = " COLLATE BINARY",
	.text_sort_collate = " COLLATE BINARY",
	.text_eq_collate = "",
	.text_order_collate = "",
	.text_key_open = "",
	.text_key_close = " COLLATE BINARY",
};
