/*
 * sqlite.c — the SQLite driver (sqlite3), the embedded default.
 *
 * Connections open in WAL mode with foreign keys on and a busy timeout
 * (5 s unless the URL says busy_timeout=MS), synchronous=NORMAL as the
 * SQLite docs recommend with WAL, and without the double-quoted-string
 * fallback (DQS off for DML and DDL: "x" always names a column, so a
 * missing one is an error, as on the other engines). Text and blob parameters are bound
 * without copying (SQLITE_STATIC): the core's contract keeps them alive
 * until the statement is reset. Stepping reads row by row, so streaming
 * (corm_stmt_set_streaming) needs nothing here, and statements can be
 * stepped side by side on one connection. Every connection gets the
 * corm_decimal collation and corm_decimal_sum() (sqlite_decimal.c), which
 * the query builder uses to compare, sort and sum decimals by value, and
 * corm_int_sum(), an exact SUM of integers.
 *
 * Sections: errors, connections, statements.
 */
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "corm/driver.h"
#include "sqlite_decimal.h"

#define DEFAULT_BUSY_TIMEOUT_MS 5000

typedef struct sq_conn {
	corm_conn parent;
	sqlite3 *db;
} sq_conn;

typedef struct sq_stmt {
	corm_stmt parent;
	sqlite3_stmt *st;
	bool done;          /* SQLITE_DONE seen: don't let sqlite re-run it */
	bool rows;          /* a row was returned since the last reset */
	int failed;         /* a step failed after rows: repeat it, since
			     * sqlite3_step() would start over */
	char failed_native[16];
	int64_t changes;    /* of the last completed run */
	int64_t insert_id;  /* of the last completed run */
} sq_stmt;

/* ------------------------------------------------------------------ errors */

static int map_code(int ext)
{
	switch (ext) {
	case SQLITE_CONSTRAINT_UNIQUE:
	case SQLITE_CONSTRAINT_PRIMARYKEY:
		return CORM_EUNIQUE;
	case SQLITE_CONSTRAINT_FOREIGNKEY:
		return CORM_EFOREIGNKEY;
	case SQLITE_CONSTRAINT_NOTNULL:
		return CORM_ENOTNULL;
	case SQLITE_CONSTRAINT_CHECK:
		return CORM_ECHECK;
	case SQLITE_BUSY_SNAPSHOT:
		/* A read transaction's snapshot went stale before it could
		 * write: SQLite's form of a serialization failure. */
		return CORM_ESERIALIZATION;
	}
	switch (ext & 0xff) {
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return CORM_EBUSY;
	case SQLITE_NOMEM:
		return CORM_ENOMEM;
	case SQLITE_TOOBIG:
		return CORM_ETOOLONG;
	case SQLITE_RANGE:
	case SQLITE_MISUSE:
		return CORM_EINVAL;
	case SQLITE_CANTOPEN:
	case SQLITE_NOTADB:
		return CORM_ECONNECT;
	case SQLITE_ERROR:
		return CORM_ESQL;
	}
	return CORM_ERROR;
}

/*
 * corm's SQLite DDL gives i16 and i32 columns a CHECK on their range,
 * named `<column>_i16_range` or `<column>_i32_range` (migrate/ddl.c), as
 * SQLite's INTEGER would store any 64-bit value. When one fails, report
 * what PostgreSQL and MySQL report for such a value: CORM_ERANGE, naming
 * the column and the range. Returns false for any other CHECK.
 */
static bool range_check_error(sq_conn *c, const char *msg, const char *native)
{
	static const struct {
		const char *suffix, *type, *range;
	} ranges[] = {
		{"_i16_range", "i16", "-32768 to 32767"},
		{"_i32_range", "i32", "-2147483648 to 2147483647"},
	};
	static const char prefix[] = "CHECK constraint failed: ";
	const char *name;
	size_t n, i, k;

	if (strncmp(msg, prefix, sizeof(prefix) - 1) != 0)
		return false;
	name = msg + sizeof(prefix) - 1;
	n = strlen(name);
	for (i = 0; i < sizeof(ranges) / sizeof(ranges[0]); i++) {
		k = strlen(ranges[i].suffix);
		if (n > k && strcmp(name + n - k, ranges[i].suffix) == 0) {
			corm_conn__set_error(&c->parent, CORM_ERANGE, native,
				"value out of range for column \"%.*s\" (%s: %s) (%s)",
				(int)(n - k), name, ranges[i].type, ranges[i].range,
				msg);
			return true;
		}
	}
	return false;
}

/* ------------------------------------------------------ exact integer sum */

/*
 * corm_int_sum(x): SUM of integers, exact. SQLite's sum() fails with
 * "integer overflow" as soon as a running sum leaves int64 (INT64_MAX,
 * 1, -2 fails in that order), where PostgreSQL and MariaDB sum exactly.
 * This one keeps the sum in two words, a wrapping low one and the carry
 * count, and fails with the same message only when the total does not
 * fit in int64 (set_error() makes that CORM_ERANGE). NULLs are skipped;
 * no value gives NULL; a value that is not an integer is an error (corm
 * writes only integers to integer columns).
 */
typedef struct int_sum {
	uint64_t lo;  /* the sum modulo 2^64 */
	int64_t hi;   /* the sum is hi * 2^64 + lo */
	bool any;     /* a non-NULL value was seen */
} int_sum;

static void int_sum_step(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int_sum *s;
	int64_t x;
	uint64_t lo;

	(void)argc;
	if (sqlite3_value_type(argv[0]) == SQLITE_NULL)
		return;
	if (sqlite3_value_type(argv[0]) != SQLITE_INTEGER) {
		sqlite3_result_error(ctx, "corm_int_sum: a value is not an "
			"integer", -1);
		return;
	}
	if (!(s = sqlite3_aggregate_context(ctx, sizeof(*s)))) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	x = sqlite3_value_int64(argv[0]);
	lo = s->lo + (uint64_t)x;
	/* x is (uint64_t)x - 2^64 when negative: one borrow from hi. */
	s->hi += (lo < s->lo) - (x < 0);
	s->lo = lo;
	s->any = true;
}

static void int_sum_final(sqlite3_context *ctx)
{
	int_sum *s = sqlite3_aggregate_context(ctx, 0);

	if (!s || !s->any)
		sqlite3_result_null(ctx);
	else if ((s->hi == 0 && s->lo <= (uint64_t)INT64_MAX) ||
		(s->hi == -1 && s->lo > (uint64_t)INT64_MAX))
		sqlite3_result_int64(ctx, (int64_t)s->lo); /* two's complement */
	else
		sqlite3_result_error(ctx, "integer overflow", -1);
}

static int register_int_sum(sqlite3 *db)
{
	return sqlite3_create_function_v2(db, "corm_int_sum", 1,
		SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, NULL, NULL,
		int_sum_step, int_sum_final, NULL);
}

static int set_error(sq_conn *c)
{
	int ext = sqlite3_extended_errcode(c->db);
	const char *msg = sqlite3_errmsg(c->db);
	int code = map_code(ext);
	char native[16];

	snprintf(native, sizeof(native), "%d", ext);
	/* ON DELETE RESTRICT is enforced like a trigger, so SQLite reports
	 * it as SQLITE_CONSTRAINT_TRIGGER with the foreign-key message. */
	if (ext == SQLITE_CONSTRAINT_TRIGGER && strstr(msg, "FOREIGN KEY"))
		code = CORM_EFOREIGNKEY;
	if (ext == SQLITE_CONSTRAINT_CHECK && range_check_error(c, msg, native))
		return CORM_ERANGE;
	/* corm_int_sum() (or sum()) past int64: the other engines' exact
	 * sums are checked against int64 too (corm_query_aggregates), so all
	 * say ERANGE. */
	if (ext == SQLITE_ERROR && strcmp(msg, "integer overflow") == 0)
		code = CORM_ERANGE;
	/* A decimal set_add whose sum does not fit its column. */
	if (ext == SQLITE_ERROR && strncmp(msg, CORM_SQLITE_DECIMAL_RANGE,
		sizeof(CORM_SQLITE_DECIMAL_RANGE) - 1) == 0)
		code = CORM_ERANGE;
	return corm_conn__set_error(&c->parent, code, native, "%s", msg);
}

/* ------------------------------------------------------------- connections */

static int sq_exec(corm_conn *conn, const char *sql)
{
	sq_conn *c = (sq_conn *)conn;

	if (sqlite3_exec(c->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return set_error(c);
	return CORM_OK;
}

static int sq_open(corm_conn **out, const corm_url *url, int timeout)
{
	static const char *const known[] = {"busy_timeout", NULL};
	int busy_ms = DEFAULT_BUSY_TIMEOUT_MS;
	bool in_memory;
	sq_conn *c = NULL;
	int error;

	(void)timeout; /* a local file: nothing to wait for */
	*out = NULL;
	if ((error = corm_url_check_params(url, known)) != CORM_OK ||
		(error = corm_url_param_int(&busy_ms, url, "busy_timeout", 0,
			 3600 * 1000)) != CORM_OK)
		return error;
	c = corm_calloc(1, sizeof(*c));
	if (!c)
		return corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
	if (sqlite3_open_v2(url->database, &c->db,
		    SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
			    SQLITE_OPEN_NOMUTEX,
		    NULL) != SQLITE_OK) {
		int ext = c->db ? sqlite3_extended_errcode(c->db) : SQLITE_NOMEM;
		char native[16];

		snprintf(native, sizeof(native), "%d", ext);
		error = corm_error__set_thread(map_code(ext) == CORM_ENOMEM
				? CORM_ENOMEM : CORM_ECONNECT, native,
			"cannot open SQLite database '%s': %s", url->database,
			c->db ? sqlite3_errmsg(c->db) : "out of memory");
		goto fail;
	}
	sqlite3_extended_result_codes(c->db, 1);
	/* A double-quoted name is an identifier, never a string: without
	 * this, "views" on a missing column would quietly be the text. */
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DQS_DML, 0, (int *)NULL);
	sqlite3_db_config(c->db, SQLITE_DBCONFIG_DQS_DDL, 0, (int *)NULL);
	sqlite3_busy_timeout(c->db, busy_ms);
	/* Decimals are text here: the query builder compares and sorts them
	 * with this collation, by value (sqlite_decimal.c); it sums integers
	 * with corm_int_sum(), exactly. */
	if (corm_sqlite__decimal_register(c->db) != SQLITE_OK ||
		register_int_sum(c->db) != SQLITE_OK) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL,
			"cannot set up SQLite database '%s': %s", url->database,
			sqlite3_errmsg(c->db));
		goto fail;
	}
	/* The build's own limit, not the dialect's default. */
	c->parent.max_params = sqlite3_limit(c->db,
		SQLITE_LIMIT_VARIABLE_NUMBER, -1);
	in_memory = strcmp(url->database, ":memory:") == 0;
	/* WAL lets readers run beside a writer; NORMAL is durable across
	 * application crashes, which is what WAL users choose. */
	if ((!in_memory && sq_exec(&c->parent, "PRAGMA journal_mode=WAL")) ||
		sq_exec(&c->parent, "PRAGMA synchronous=NORMAL") ||
		sq_exec(&c->parent, "PRAGMA foreign_keys=ON")) {
		int code = c->parent.err_code == CORM_EBUSY ? CORM_EBUSY
							    : CORM_ECONNECT;

		error = corm_error__set_thread(code, c->parent.err_native,
			"cannot set up SQLite database '%s': %s", url->database,
			c->parent.err_msg);
		goto fail;
	}
	*out = &c->parent;
	return CORM_OK;
fail:
	sqlite3_close_v2(c->db);
	corm_free(c);
	return error;
}

static void sq_close(corm_conn *conn)
{
	sq_conn *c = (sq_conn *)conn;

	sqlite3_close_v2(c->db);
	corm_free(c);
}

static int sq_ping(corm_conn *conn)
{
	(void)conn; /* an embedded database cannot go away */
	return CORM_OK;
}

/* -------------------------------------------------------------- statements */

/* Only whitespace and semicolons may follow the one statement prepared:
 * anything else would be silently ignored by SQLite. */
static bool only_blanks(const char *p)
{
	for (; *p; p++)
		if (*p != ';' && *p != ' ' && *p != '\t' && *p != '\n' &&
			*p != '\r')
			return false;
	return true;
}

static int sq_prepare(corm_stmt **out, corm_conn *conn, const char *sql)
{
	sq_conn *c = (sq_conn *)conn;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	sq_stmt *s;

	*out = NULL;
	if (sqlite3_prepare_v3(c->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
		    &tail) != SQLITE_OK)
		return set_error(c);
	if (!st || (tail && !only_blanks(tail))) {
		sqlite3_finalize(st);
		return corm_conn__set_error(conn, CORM_EINVAL, NULL,
			st ? "a prepared statement holds one SQL statement; use "
			     "corm_exec() for several"
			   : "no SQL statement to prepare");
	}
	s = corm_calloc(1, sizeof(*s));
	if (!s) {
		sqlite3_finalize(st);
		return corm_conn__set_error(conn, CORM_ENOMEM, NULL,
			"out of memory");
	}
	s->st = st;
	s->parent.nparams = sqlite3_bind_parameter_count(st);
	*out = &s->parent;
	return CORM_OK;
}

static void sq_finalize(corm_stmt *stmt)
{
	sq_stmt *s = (sq_stmt *)stmt;

	sqlite3_finalize(s->st);
	corm_free(s);
}

static int bind_params(sq_stmt *s)
{
	int i, rc = SQLITE_OK;

	for (i = 0; i < s->parent.nparams && rc == SQLITE_OK; i++) {
		const corm_value *v = &s->parent.params[i];

		switch (v->type) {
		case CORM_TYPE_NULL:
			rc = sqlite3_bind_null(s->st, i + 1);
			break;
		case CORM_TYPE_INT:
			rc = sqlite3_bind_int64(s->st, i + 1, v->v.i);
			break;
		case CORM_TYPE_DOUBLE:
			rc = sqlite3_bind_double(s->st, i + 1, v->v.d);
			break;
		case CORM_TYPE_TEXT:
			rc = sqlite3_bind_text64(s->st, i + 1, v->v.bytes.ptr,
				v->v.bytes.len, SQLITE_STATIC, SQLITE_UTF8);
			break;
		case CORM_TYPE_BLOB:
			rc = sqlite3_bind_blob64(s->st, i + 1, v->v.bytes.ptr,
				v->v.bytes.len, SQLITE_STATIC);
			break;
		}
	}
	return rc;
}

static int sq_step(corm_stmt *stmt)
{
	sq_stmt *s = (sq_stmt *)stmt;
	sq_conn *c = (sq_conn *)stmt->conn;
	int rc;

	if (s->done)
		return CORM_DONE;
	if (s->failed)
		return corm_conn__set_error(stmt->conn, s->failed,
			s->failed_native, "the statement failed after returning "
			"rows (see the step that failed); reset it to run it again");
	if (!stmt->started && bind_params(s) != SQLITE_OK)
		return set_error(c);
	rc = sqlite3_step(s->st);
	if (rc == SQLITE_ROW) {
		s->rows = true;
		return CORM_ROW;
	}
	if (rc == SQLITE_DONE) {
		s->done = true;
		s->changes = sqlite3_changes64(c->db);
		s->insert_id = sqlite3_last_insert_rowid(c->db);
		return CORM_DONE;
	}
	rc = set_error(c);
	if (s->rows) {
		s->failed = rc;
		snprintf(s->failed_native, sizeof(s->failed_native), "%s",
			stmt->conn->err_native);
	}
	return rc;
}

static int sq_reset(corm_stmt *stmt)
{
	sq_stmt *s = (sq_stmt *)stmt;

	/* sqlite3_reset() repeats the last step's error; that was already
	 * reported, so the reset itself succeeds. */
	sqlite3_reset(s->st);
	/* No sqlite3_clear_bindings(): bind_params() binds every parameter
	 * (NULL for those not given) before the next execution anyway. */
	s->done = false;
	s->rows = false;
	s->failed = 0;
	return CORM_OK;
}

static int sq_column_count(const corm_stmt *stmt)
{
	return sqlite3_column_count(((const sq_stmt *)stmt)->st);
}

static const char *sq_column_name(const corm_stmt *stmt, int col)
{
	return sqlite3_column_name(((const sq_stmt *)stmt)->st, col);
}

/*
 * One sqlite3_column_value() and then the sqlite3_value_*() readers,
 * which do not go through the statement's API entry and exit (mutex,
 * malloc-failure check) as each sqlite3_column_*() call does. Reading the
 * unprotected value is allowed here because the connection is opened
 * SQLITE_OPEN_NOMUTEX: in multi-thread mode protected and unprotected
 * values are the same thing.
 */
static int sq_column_value(corm_value *out, corm_stmt *stmt, int col)
{
	sqlite3_value *v = sqlite3_column_value(((sq_stmt *)stmt)->st, col);
	const void *p;

	switch (sqlite3_value_type(v)) {
	case SQLITE_INTEGER:
		out->type = CORM_TYPE_INT;
		out->v.i = sqlite3_value_int64(v);
		return CORM_OK;
	case SQLITE_FLOAT:
		out->type = CORM_TYPE_DOUBLE;
		out->v.d = sqlite3_value_double(v);
		return CORM_OK;
	case SQLITE_TEXT:
		p = sqlite3_value_text(v);
		out->type = CORM_TYPE_TEXT;
		break;
	case SQLITE_BLOB:
		p = sqlite3_value_blob(v);
		out->type = CORM_TYPE_BLOB;
		break;
	default:
		out->type = CORM_TYPE_NULL;
		return CORM_OK;
	}
	out->v.bytes.len = (size_t)sqlite3_value_bytes(v);
	if (!p && out->v.bytes.len)
		return corm_conn__set_error(stmt->conn, CORM_ENOMEM, NULL,
			"out of memory reading column %d", col);
	out->v.bytes.ptr = p ? p : ""; /* zero-length values come back NULL */
	return CORM_OK;
}

/*
 * A row straight into the caller's struct (corm/driver.h, read_row): the
 * same reads as sq_column_value() without a corm_value in between, so a
 * column costs SQLite's own calls and a few instructions here.
 */
static int sq_read_row(corm_stmt *stmt, int first_col,
	const corm_field_desc *fields, int n, void *row, corm_arena *arena)
{
	sqlite3_stmt *st = ((sq_stmt *)stmt)->st;
	int i;

	for (i = 0; i < n; i++) {
		const corm_field_desc *f = &fields[i];
		sqlite3_value *v;
		const char *text;
		size_t len;

		if (!corm_put_direct(f))
			return i;
		v = sqlite3_column_value(st, first_col + i);
		switch (sqlite3_value_type(v)) {
		case SQLITE_INTEGER:
			if (!corm_put_int(f, row, sqlite3_value_int64(v)))
				return i;
			break;
		case SQLITE_TEXT:
			/* Text first, then its length (SQLite's advice). NULL
			 * with a length is out of memory, for the core to report;
			 * without one, an empty value. */
			text = (const char *)sqlite3_value_text(v);
			len = (size_t)sqlite3_value_bytes(v);
			if ((!text && len) ||
				!corm_put_text(f, row, arena, text ? text : "", len))
				return i;
			break;
		case SQLITE_NULL:
			if (!corm_put_null(f, row))
				return i;
			break;
		default:
			return i; /* a real or a blob: the core converts it */
		}
	}
	return n;
}

static int sq_changes(int64_t *out, corm_stmt *stmt)
{
	*out = ((sq_stmt *)stmt)->changes;
	return CORM_OK;
}

static int sq_last_insert_id(int64_t *out, corm_stmt *stmt)
{
	*out = ((sq_stmt *)stmt)->insert_id;
	return CORM_OK;
}

const corm_driver corm_sqlite_driver = {
	.version = CORM_DRIVER_VERSION,
	.name = "sqlite",
	.dialect = &corm_dialect_sqlite,
	.open = sq_open,
	.close = sq_close,
	.exec = sq_exec,
	.prepare = sq_prepare,
	.finalize = sq_finalize,
	.step = sq_step,
	.reset = sq_reset,
	.column_count = sq_column_count,
	.column_name = sq_column_name,
	.column_value = sq_column_value,
	.changes = sq_changes,
	.last_insert_id = sq_last_insert_id,
	.ping = sq_ping,
	.read_row = sq_read_row,
};
