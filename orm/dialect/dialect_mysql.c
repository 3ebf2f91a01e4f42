/*
 * dialect_mysql.c — how SQL differs on MySQL 8 and MariaDB 10.6+, as data.
 *
 * One dialect serves both engines, so every choice here must be valid on
 * both: no RETURNING (MySQL has none), no native UUID type (MariaDB-only),
 * backtick quotes (ANSI_QUOTES is off in the sessions the driver opens).
 * The type formats are used as printf(fmt, a, b); see corm_coltype.
 */
#include "corm/dialect.h"

const corm_dialect corm_dialect_mysql = {
	.name = "mysql",
	.placeholder = CORM_PLACEHOLDER_QMARK,
	.quote_open = '`',
	.quote_close = '`',
	/* MySQL 8 has no INSERT ... RETURNING; the protocol's OK packet
	 * carries the generated key instead. */
	.insert_id = CORM_INSERT_ID_LAST_INSERT_ID,
	/* Every DDL statement commits implicitly. */
	.transactional_ddl = false,
	.tx_begin = CORM_TX_BEGIN_SET_FIRST,
	.has_for_update = true,
	/* The COM_STMT_PREPARE reply counts parameters in 16 bits. */
	.max_params = 65535,
	/* MariaDB 10.6+ and MySQL 8.0.4+. */
	.in_list = CORM_IN_LIST_JSON_TABLE,
	.max_ident_len = 64,
	.type_format = {
		[CORM_COL_I16] = "SMALLINT",
		[CORM_COL_I32] = "INT",
		[CORM_COL_I64] = "BIGINT",
		/* FLOAT is IEEE single precision, DOUBLE double: no (M,D),
		 * which MySQL 8 deprecates for floating types. */
		[CORM_COL_F32] = "FLOAT",
		[CORM_COL_F64] = "DOUBLE",
		/* BOOLEAN is only an alias that both engines turn into
		 * TINYINT(1); spelling it out keeps introspection stable. */
		[CORM_COL_BOOL] = "TINYINT(1)",
		/* N counts characters. A row holds at most 65,535 bytes, so
		 * in utf8mb4 (4 bytes a character) N is at most 16,383. */
		[CORM_COL_STRING] = "VARCHAR(%d)",
		/* TEXT holds only 64 KiB and MEDIUMTEXT 16 MiB; `text` is
		 * unbounded in the DSL (and on SQLite and PostgreSQL), and
		 * LONGTEXT costs only a 4-byte length prefix more. */
		[CORM_COL_TEXT] = "LONGTEXT",
		/* The same reasoning as LONGTEXT: BLOB stops at 64 KiB. */
		[CORM_COL_BYTES] = "LONGBLOB",
		[CORM_COL_DECIMAL] = "DECIMAL(%d,%d)",
		[CORM_COL_DATE] = "DATE",
		/* Microseconds, as PostgreSQL keeps them; plain TIME would
		 * drop the fraction silently. */
		[CORM_COL_TIME] = "TIME(6)",
		/* DATETIME, not TIMESTAMP: TIMESTAMP ends in 2038 and is
		 * converted through the session time zone. The driver pins
		 * the session to UTC, so CURRENT_TIMESTAMP(6) is UTC too. */
		[CORM_COL_TIMESTAMP] = "DATETIME(6)",
		/* MariaDB 10.7 has a UUID type, MySQL none: the text form
		 * works on both and reads back as PostgreSQL's does. */
		[CORM_COL_UUID] = "CHAR(36)",
		/* Native on MySQL; on MariaDB an alias for LONGTEXT with a
		 * JSON_VALID() check. Both read back as text. */
		[CORM_COL_JSON] = "JSON",
	},
	/* AUTO_INCREMENT needs the column to be a key; the primary key is
	 * declared by the table, as for every other key column. */
	.auto_format = {
		"BIGINT AUTO_INCREMENT",
		"INT AUTO_INCREMENT",
		"SMALLINT AUTO_INCREMENT",
	},
	/* The precision must match DATETIME(6): MySQL 8 rejects a DATETIME(6)
	 * DEFAULT CURRENT_TIMESTAMP (error 1067); MariaDB accepts both. */
	.now_sql = "CURRENT_TIMESTAMP(6)",
	/* InnoDB for transactions and foreign keys; utf8mb4 for all of
	 * Unicode whatever the server's default charset is; a binary NO PAD
	 * collation so that =, UNIQUE, LIKE and ORDER BY compare text by its
	 * bytes, as PostgreSQL (with COLLATE "C") and SQLite do. The server's
	 * default, utf8mb4_unicode_ci, would make 'Ann' equal 'ann', and
	 * utf8mb4_bin is PAD SPACE: 'x' = 'x ', and 'pad\t' < 'pad'.
	 * The NO PAD binary collation has one name on MariaDB (10.2.2+) and
	 * another on MySQL (8.0.17+), so the server picks it by version:
	 * MariaDB runs only the /\*M! comment and skips /\*!80017 (MariaDB
	 * ignores MySQL 5.7+ version comments); MySQL runs only /\*!80017. */
	.create_table_suffix =
		" ENGINE=InnoDB DEFAULT CHARSET=utf8mb4"
		" /*M!100202 COLLATE=utf8mb4_nopad_bin*/"
		" /*!80017 COLLATE=utf8mb4_0900_bin*/",
	/* ENUM('a', 'b') rather than VARCHAR(64) and a CHECK: 1 or 2 bytes a
	 * row, and the members read back from COLUMN_TYPE. In strict mode an
	 * unknown member fails (error 1265) as the CHECK would. */
	.native_enum = true,
	.empty_insert = " () VALUES ()",
	.upsert = CORM_UPSERT_ON_DUPLICATE_KEY,
	/* The largest LIMIT: MySQL has no LIMIT ALL. */
	.limit_all = "18446744073709551615",
	.text_match = CORM_TEXT_MATCH_LIKE_ESCAPE,
	.has_nulls_order = false,
	.pads_text = true,
	.backslash_escapes = true,
	.decimal_collation = "",
	.casts_decimal_params = true,
	/* 65 digits, 30 after the point. */
	.widest_decimal = "DECIMAL(65, 30)",
	/* A value's explicit collation wins over a column's (a table corm
	 * did not create may say utf8mb4_general_ci: 'abc' = 'ABC ') and
	 * still lets an index of corm's own NO PAD binary columns serve.
	 * ORDER BY sorts corm's own columns as they are: sorting by another
	 * collation gives up the index (a filesort); a column of another
	 * collation (foreign_text_sql, read when a connection opens) is
	 * sorted converted (text_key_open/close). */
	.text_column_collate = "",
	.text_sort_collate = "",
	.text_eq_collate = " /*M!100202 COLLATE utf8mb4_nopad_bin*/"
		" /*!80017 COLLATE utf8mb4_0900_bin*/",
	.text_order_collate = " /*M!100202 COLLATE utf8mb4_nopad_bin*/"
		" /*!80017 COLLATE utf8mb4_0900_bin*/",
	.text_key_open = "CONVERT(",
	.text_key_close = " USING utf8mb4)"
		" /*M!100202 COLLATE utf8mb4_nopad_bin*/"
		" /*!80017 COLLATE utf8mb4_0900_bin*/",
	.foreign_text_sql = "SELECT TABLE_NAME, COLUMN_NAME FROM "
		"information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
		"DATA_TYPE IN ('char', 'varchar', 'tinytext', 'text', "
		"'mediumtext', 'longtext') AND COLLATION_NAME NOT IN "
		"('utf8mb4_nopad_bin', 'utf8mb4_0900_bin')",
};
