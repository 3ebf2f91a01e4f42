/*
 * postgres.c — the PostgreSQL driver, on libpq.
 *
 * Every statement is a named server-side prepared statement ("corm_1",
 * "corm_2", ... per connection) prepared without parameter types, so the
 * server infers them from context and text-format values parse into any
 * column type. Parameters go as text, except blobs, which go as binary
 * (raw bytes). Results come back in text format and are buffered whole,
 * or, for a streaming statement, one row at a time (single-row mode, or
 * chunked mode where libpq has it; see "streaming"); column_value() turns
 * the text into the value's natural kind by type OID.
 *
 * Sessions are pinned to UTF-8, UTC, ISO dates, hex bytea and round-trip
 * floats through the startup packet, so every value reads back the same
 * way whatever the server's defaults are. The environment (PGTZ,
 * PGDATESTYLE) and a URL's `options` can still change TimeZone and
 * DateStyle, so nothing depends on TimeZone: a zone-less timestamp
 * parameter of a timestamptz gets an explicit "+00:00" (the DSL's
 * timestamps are UTC) and timestamps read back carry their offset. A
 * DateStyle other than ISO is set back to ISO at connect.
 *
 * Files, one job each: conn.c (errors, opening and closing), exec.c
 * (streaming, running SQL), stmt.c (statements), read.c (reading
 * columns), copy.c (COPY ... FROM STDIN), batch.c (pipelined batches);
 * internal.h holds what they share (functions named corm_pg__*), and this
 * file the vtable.
 */
#include "internal.h"

/* ------------------------------------------------------------------ vtable */

const corm_driver corm_postgres_driver = {
	.version = CORM_DRIVER_VERSION,
	.name = "postgres",
	.dialect = &corm_dialect_postgres,
	.open = corm_pg__open,
	.close = corm_pg__close,
	.exec = corm_pg__exec,
	.prepare = corm_pg__prepare,
	.finalize = corm_pg__finalize,
	.step = corm_pg__step,
	.reset = corm_pg__reset,
	.column_count = corm_pg__column_count,
	.column_name = corm_pg__column_name,
	.column_value = corm_pg__column_value,
	.changes = corm_pg__changes,
	.last_insert_id = NULL, /* PostgreSQL uses INSERT ... RETURNING */
	.ping = corm_pg__ping,
	.copy_in = corm_pg__copy_in,
	.run_batch = corm_pg__run_batch,
	.read_row = corm_pg__read_row,
	.copy_in_rows = corm_pg__copy_in_rows,
};
