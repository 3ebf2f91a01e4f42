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
 * Sections: errors, opening and closing, streaming, running SQL,
 * statements, reading columns, the vtable.
 */
#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "corm/driver.h"
#include "corm_util.h"

/* Type OIDs from pg_type.dat; stable across every server version. */
#define PG_OID_BOOL 16
#define PG_OID_BYTEA 17
#define PG_OID_INT8 20
#define PG_OID_INT2 21
#define PG_OID_INT4 23
#define PG_OID_OID 26
#define PG_OID_FLOAT4 700
#define PG_OID_FLOAT8 701
#define PG_OID_TIMESTAMPTZ 1184

/* Settings every session starts with (a user's `options` come after, and
 * so win). DateStyle ISO keeps the input order the server has. */
#define PG_SESSION_OPTIONS                                                    \
	"-c TimeZone=UTC -c DateStyle=ISO -c bytea_output=hex "                   \
	"-c extra_float_digits=3"

/* Room for "%.17g" of any double, or any int64, with its NUL. */
#define PG_NUM_MAX 32

/* Resetting a streaming SELECT run outside a transaction reads up to this
 * many of its remaining rows, then asks the server to cancel the rest:
 * reading a million leftover rows took 450 ms, cancelling 4 ms (a local
 * server, see docs/runtime.md); a thousand rows cost well under the
 * cancel's extra connection. */
#define PG_STREAM_CANCEL_AFTER 1000

/* libpq 17 hands out rows in chunks; older ones one row per result. */
#ifdef LIBPQ_HAS_CHUNK_MODE
#define PG_STREAM_CHUNK 256
#endif

struct pg_conn {
	corm_conn parent;
	PGconn *pg;
	locale_t c_locale;     /* for strtod/snprintf: the server's '.' */
	unsigned long next_id; /* numbers statement names */
	corm_buf dealloc;      /* DEALLOCATEs waiting for an idle session */
	struct pg_stmt *stream; /* the statement whose rows are on the wire */
};

/* A bytea column decoded from hex, reused across rows. */
struct pg_blob {
	unsigned char *ptr;
	size_t cap;
	size_t len;
	int row; /* the row `ptr` holds, or -1 */
};

struct pg_stmt {
	corm_stmt parent;
	char name[32];    /* the server-side statement name */
	bool on_server;   /* `name` exists in the session */
	bool plain_select; /* the SQL starts with SELECT (is_plain_select) */
	PGresult *desc;   /* from PQdescribePrepared: columns before a run */
	Oid *types;       /* desc's column types, ntypes of them (see */
	int ntypes;       /* describe_columns) */
	PGresult *res;    /* the current result; NULL when none */
	int nrows;        /* rows in res (0 unless it holds rows) */
	int ncols;        /* columns in res */
	bool types_valid; /* res has desc's columns: `types` describe it */
	bool executed;    /* run since the last reset */
	int row;          /* current row of res, -1 before the first */
	int64_t changes;  /* rows affected by the last run */

	/* Parameter arrays for PQsendQueryPrepared, nparams entries each. */
	const char **values;
	int *lengths;
	int *formats;
	char (*num)[PG_NUM_MAX]; /* text of int and double parameters */
	char *text;              /* NUL-terminated copies of text parameters */
	size_t text_cap;

	struct pg_blob *blobs; /* one per column, allocated on first use */
	int nblobs;

	/* Streaming (parent.streaming): `res` holds one row (or one chunk)
	 * and the rest are still on the wire. */
	bool stream_open;   /* results left to read: conn->stream == this */
	bool stream_cancel; /* a plain SELECT outside a transaction, so a
			     * large remainder may be cancelled at reset */
	bool interrupted;   /* another command ended the stream early */
	int stream_error;   /* what the stream failed with mid-way, or 0 */
	char stream_native[16]; /* its SQLSTATE */

	bool replanned;     /* prepared again during the current batch */
	int nparams_server; /* the parameters the server counted at prepare */
};

#define PG_CONN(c) ((struct pg_conn *)(c))
#define PG_STMT(s) ((struct pg_stmt *)(s))

/* ------------------------------------------------------------------ errors */

/* The length of `msg` without trailing newlines and spaces. */
static int trimmed_len(const char *msg)
{
	size_t len = strlen(msg);

	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' ' ||
		       msg[len - 1] == '\r'))
		len--;
	return len > CORM_ERRMSG_MAX ? CORM_ERRMSG_MAX : (int)len;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The portable code for an SQLSTATE. */
static int sqlstate_code(const char *state)
{
	static const struct {
		const char *state;
		int code;
	} exact[] = {
		{"23505", CORM_EUNIQUE},
		{"23503", CORM_EFOREIGNKEY},
		{"23502", CORM_ENOTNULL},
		{"23514", CORM_ECHECK},
		{"40001", CORM_ESERIALIZATION},
		{"40P01", CORM_EDEADLOCK},
		{"55P03", CORM_EBUSY}, /* lock_not_available: lock_timeout, NOWAIT */
		{"22003", CORM_ERANGE},
		{"22001", CORM_ETOOLONG},
		{"57P01", CORM_ECONNLOST}, /* admin_shutdown, pg_terminate_backend */
		{"57P02", CORM_ECONNLOST}, /* crash_shutdown */
		{"57P03", CORM_ECONNLOST}, /* cannot_connect_now */
	};
	size_t i;

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(state, exact[i].state) == 0)
			return exact[i].code;
	if (starts_with(state, "42") || starts_with(state, "0A"))
		return CORM_ESQL;
	if (starts_with(state, "08"))
		return CORM_ECONNLOST;
	return CORM_ERROR;
}

/*
 * Record the failure described by `res` (may be NULL: then libpq's own
 * message) on `c` and return its code. Without an SQLSTATE the error came
 * from libpq, and a broken connection is the usual reason.
 */
static int pg_error(corm_conn *c, const PGresult *res)
{
	PGconn *pg = PG_CONN(c)->pg;
	const char *state = NULL, *primary = NULL, *detail = NULL;
	const char *msg;
	int code;

	if (res) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	}
	if (state && *state)
		code = sqlstate_code(state);
	else if (PQstatus(pg) == CONNECTION_BAD)
		code = CORM_ECONNLOST;
	else
		code = CORM_ERROR;

	if (primary && detail)
		return corm_conn__set_error(c, code, state, "%s: %s", primary,
			detail);
	if (primary)
		return corm_conn__set_error(c, code, state, "%s", primary);
	msg = res ? PQresultErrorMessage(res) : "";
	if (!*msg)
		msg = PQerrorMessage(pg);
	if (!*msg)
		msg = "PostgreSQL reported an error without a message";
	return corm_conn__set_error(c, code, state, "%.*s", trimmed_len(msg),
		msg);
}

static bool result_failed(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR ||
		st == PGRES_FATAL_ERROR;
}

/* ------------------------------------------------------ opening and closing */

/* libpq prints NOTICEs to stderr by default; a library must not. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * Which failure a connection attempt was. libpq does not hand out the
 * server's SQLSTATE for startup errors, so this reads the message; the
 * server words these in English unless lc_messages says otherwise, and
 * everything unrecognised counts as "could not connect".
 */
static int open_failure_code(PGconn *pg, const char *msg)
{
	if (PQconnectionNeedsPassword(pg))
		return CORM_EAUTH;
	if (strstr(msg, "authentication failed") ||  /* 28P01, peer, ident */
		strstr(msg, "no password supplied") ||
		strstr(msg, "pg_hba.conf") ||            /* 28000 */
		strstr(msg, "CONNECT privilege") ||      /* 42501 */
		(strstr(msg, "role \"") && strstr(msg, "does not exist")))
		return CORM_EAUTH;
	return CORM_ECONNECT;
}

/* Is `key` a connection keyword this libpq knows? */
static bool known_keyword(const PQconninfoOption *opts, const char *key)
{
	for (; opts->keyword; opts++)
		if (strcmp(opts->keyword, key) == 0)
			return true;
	return false;
}

/* Dates and timestamps are read in DateStyle ISO's form. PGDATESTYLE
 * reaches the server after our startup options and wins over them: set
 * it back (a plain SET, which survives in the session; poolers in
 * transaction mode carry DateStyle over as they do client_encoding). */
static int require_iso_datestyle(PGconn *pg)
{
	const char *style = PQparameterStatus(pg, "DateStyle");
	PGresult *res;

	if (style && strncmp(style, "ISO", 3) == 0)
		return CORM_OK;
	res = PQexec(pg, "SET DateStyle = 'ISO, YMD'");
	PQclear(res);
	style = PQparameterStatus(pg, "DateStyle");
	if (style && strncmp(style, "ISO", 3) == 0)
		return CORM_OK;
	return corm_error__set_thread(CORM_ECONNECT, NULL,
		"the session's DateStyle is '%s' and could not be set to ISO "
		"(corm reads dates in ISO form; check PGDATESTYLE)",
		style ? style : "(unknown)");
}

static bool core_param(const char *key)
{
	return strcmp(key, "connect_timeout") == 0 ||
		strcmp(key, "statement_cache") == 0;
}

static int pg_open(corm_conn **out, const corm_url *url, int timeout_seconds)
{
	PQconninfoOption *defaults = NULL;
	const char **keys = NULL, **vals = NULL;
	corm_buf options = CORM_BUF_INIT;
	char port[16], timeout[16];
	PGconn *pg = NULL;
	struct pg_conn *conn = NULL;
	size_t i, n = 0, cap;
	int error;

	assert(out && url);
	*out = NULL;

	/* Unknown keywords make libpq fail with a bare "invalid connection
	 * option"; check them first so the error is a URL error. */
	for (i = 0; i < url->nparams; i++) {
		const char *key = url->params[i].key;

		if (core_param(key))
			continue;
		if (!defaults && !(defaults = PQconndefaults())) {
			error = corm_error__set_thread(CORM_ENOMEM, NULL,
				"out of memory");
			goto done;
		}
		if (!known_keyword(defaults, key)) {
			error = corm_error__set_thread(CORM_EURL, NULL,
				"unknown URL parameter '%s' (neither a corm parameter "
				"nor a libpq connection keyword)", key);
			goto done;
		}
	}

	corm_buf_puts(&options, PG_SESSION_OPTIONS);
	for (i = 0; i < url->nparams; i++) {
		if (strcmp(url->params[i].key, "options") == 0) {
			corm_buf_putc(&options, ' ');
			corm_buf_puts(&options, url->params[i].value);
		}
	}
	if (corm_buf_error(&options)) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}

	/* Our defaults, the URL's parts, its parameters (libpq keeps the last
	 * value of a keyword, so `?host=/run/postgresql` works), then what
	 * corm must control. */
	cap = 9 + url->nparams + 3 + 1;
	keys = corm_calloc(cap, sizeof(*keys));
	vals = corm_calloc(cap, sizeof(*vals));
	if (!keys || !vals) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}
#define ADD(k, v)                                                              \
	do {                                                                      \
		assert(n + 1 < cap);                                                  \
		keys[n] = (k);                                                        \
		vals[n] = (v);                                                        \
		n++;                                                                  \
	} while (0)
	ADD("fallback_application_name", "corm");
	/* A server host that vanishes (no RST) would leave a query waiting
	 * for hours under the kernel's keepalive defaults; notice it in about
	 * a minute instead. TCP only; a URL parameter overrides each. */
	ADD("keepalives_idle", "30");
	ADD("keepalives_interval", "10");
	ADD("keepalives_count", "3");
	if (url->host)
		ADD("host", url->host);
	if (url->port) {
		snprintf(port, sizeof(port), "%d", url->port);
		ADD("port", port);
	}
	if (url->user)
		ADD("user", url->user);
	if (url->password)
		ADD("password", url->password);
	if (url->database)
		ADD("dbname", url->database);
	for (i = 0; i < url->nparams; i++) {
		const char *key = url->params[i].key;

		if (!core_param(key) && strcmp(key, "options") != 0)
			ADD(key, url->params[i].value);
	}
	/* libpq waits at least 2 s (it rounds 1 up); 0 waits forever. */
	snprintf(timeout, sizeof(timeout), "%d",
		timeout_seconds == 1 ? 2 : timeout_seconds);
	ADD("connect_timeout", timeout);
	/* corm's text is UTF-8 by contract. */
	ADD("client_encoding", "UTF8");
	ADD("options", corm_buf_cstr(&options));
#undef ADD
	keys[n] = NULL;
	vals[n] = NULL;

	/* expand_dbname 0: a database name is never parsed as a conninfo. */
	pg = PQconnectdbParams(keys, vals, 0);
	if (!pg) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(pg);

		error = corm_error__set_thread(open_failure_code(pg, msg), NULL,
			"%.*s", trimmed_len(msg), msg);
		goto done;
	}
	PQsetNoticeProcessor(pg, ignore_notice, NULL);
	if ((error = require_iso_datestyle(pg)) != CORM_OK)
		goto done;

	if (!(conn = corm_calloc(1, sizeof(*conn)))) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}
	conn->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (conn->c_locale == (locale_t)0) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}
	conn->pg = pg;
	pg = NULL;
	*out = &conn->parent;
	conn = NULL;
	error = CORM_OK;
done:
	if (conn)
		corm_free(conn);
	PQfinish(pg); /* NULL-safe */
	PQconninfoFree(defaults);
	corm_free(keys);
	corm_free(vals);
	corm_buf_free(&options);
	return error;
}

static void pg_close(corm_conn *c)
{
	struct pg_conn *conn = PG_CONN(c);

	if (!conn)
		return;
	PQfinish(conn->pg);
	freelocale(conn->c_locale);
	corm_buf_free(&conn->dealloc);
	corm_free(conn);
}

/* --------------------------------------------------------------- streaming */

/*
 * A streaming statement keeps the connection busy until its last result
 * is read: libpq refuses to send anything else meanwhile. So whatever
 * needs the connection first ends the stream (end_stream), and the
 * statement's next step says it was interrupted.
 */

static bool is_row_result(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

#ifdef LIBPQ_HAS_CHUNK_MODE
	if (st == PGRES_TUPLES_CHUNK)
		return true;
#endif
	return st == PGRES_TUPLES_OK || st == PGRES_SINGLE_TUPLE;
}

/* Ask the server to stop the running query. Best effort: when it has
 * already finished, the request does nothing. */
static void cancel_query(PGconn *pg)
{
	PGcancel *cancel = PQgetCancel(pg);
	char msg[256];

	if (!cancel)
		return;
	(void)PQcancel(cancel, msg, (int)sizeof(msg));
	PQfreeCancel(cancel);
}

/* Read and drop the rest of s's results, so the connection is idle (or
 * idle in its transaction) again. */
static void stream_close(struct pg_stmt *s)
{
	struct pg_conn *conn = PG_CONN(s->parent.conn);
	PGresult *r;
	long rows = 0;
	bool cancelled = false;

	assert(s->stream_open && conn->stream == s);
	while ((r = PQgetResult(conn->pg)) != NULL) {
		/* Only a SELECT outside a transaction: cancelling aborts the
		 * transaction, and would undo a data-changing statement. */
		if (is_row_result(r) && ++rows >= PG_STREAM_CANCEL_AFTER &&
			s->stream_cancel && !cancelled) {
			cancel_query(conn->pg);
			cancelled = true;
		}
		PQclear(r); /* the cancel's own error (57014) included */
	}
	conn->stream = NULL;
	s->stream_open = false;
}

/* Another command needs the connection: end the open stream, if any. */
static void end_stream(struct pg_conn *conn)
{
	struct pg_stmt *s = conn->stream;

	if (!s)
		return;
	stream_close(s);
	s->interrupted = true;
}

/* True when `sql` starts with SELECT, which is safe to cancel outside a
 * transaction (a WITH may hold a data-changing statement). */
static bool is_plain_select(const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' ||
		*sql == '(')
		sql++;
	return strncasecmp(sql, "select", 6) == 0 &&
		!(sql[6] == '_' || (sql[6] >= 'a' && sql[6] <= 'z') ||
			(sql[6] >= 'A' && sql[6] <= 'Z') ||
			(sql[6] >= '0' && sql[6] <= '9'));
}

/* ------------------------------------------------------------- running SQL */

/*
 * Read every result of the command just sent, so the connection is idle
 * again. Returns the first error result if there was one, else the first
 * result; NULL only when libpq produced none (the caller reads
 * PQerrorMessage). COPY is not supported: COPY FROM STDIN is ended with an
 * error, COPY TO STDOUT's rows are discarded.
 */
static PGresult *collect(PGconn *pg)
{
	PGresult *keep = NULL, *r;

	while ((r = PQgetResult(pg)) != NULL) {
		ExecStatusType st = PQresultStatus(r);

		if (st == PGRES_COPY_IN || st == PGRES_COPY_BOTH) {
			PQclear(r);
			(void)PQputCopyEnd(pg, "COPY is not supported by corm");
			continue;
		}
		if (st == PGRES_COPY_OUT) {
			char *row;

			PQclear(r);
			while (PQgetCopyData(pg, &row, 0) > 0)
				PQfreemem(row);
			continue;
		}
		if (!keep || (result_failed(r) && !result_failed(keep))) {
			PQclear(keep);
			keep = r;
		} else {
			PQclear(r);
		}
	}
	return keep;
}

/* Run parameterless `sql` (the simple protocol: several statements may
 * follow each other) and drop its rows. */
static int run_simple(corm_conn *c, const char *sql)
{
	PGconn *pg = PG_CONN(c)->pg;
	PGresult *res = NULL;
	int error;

	if (!PQsendQuery(pg, sql)) {
		error = pg_error(c, NULL);
		goto done;
	}
	res = collect(pg);
	if (!res || result_failed(res)) {
		error = pg_error(c, res);
		goto done;
	}
	/* COMMIT of a transaction in which a statement failed succeeds with
	 * the tag ROLLBACK: nothing was written, and the caller must know. */
	if (strcmp(sql, "COMMIT") == 0 &&
		strcmp(PQcmdStatus(res), "ROLLBACK") == 0) {
		error = corm_conn__set_error(c, CORM_ERROR, "25P02",
			"COMMIT rolled back instead: a statement in the transaction "
			"had failed, so nothing of it was written");
		goto done;
	}
	error = CORM_OK;
done:
	PQclear(res);
	return error;
}

static int pg_exec(corm_conn *c, const char *sql)
{
	assert(c && sql);
	end_stream(PG_CONN(c));
	return run_simple(c, sql);
}

static int pg_ping(corm_conn *c)
{
	PGconn *pg = PG_CONN(c)->pg;
	PGresult *res;
	int error = CORM_OK;

	assert(c);
	if (PQstatus(pg) == CONNECTION_BAD)
		return corm_conn__set_error(c, CORM_ECONNLOST, NULL,
			"the connection to the server was lost");
	end_stream(PG_CONN(c));
	/* The empty query is answered even in a failed transaction. */
	res = PQexec(pg, "");
	if (PQstatus(pg) == CONNECTION_BAD) {
		const char *msg = PQerrorMessage(pg);

		error = corm_conn__set_error(c, CORM_ECONNLOST, NULL, "%.*s",
			trimmed_len(msg), msg);
	}
	PQclear(res);
	return error;
}

/*
 * Send the DEALLOCATEs of statements finalized while a transaction was
 * open. Only in an idle session: DEALLOCATE cannot run in a failed
 * transaction, and if it failed inside a good one it would abort it.
 */
static void flush_deallocs(struct pg_conn *conn)
{
	PGresult *res;

	if (conn->dealloc.len == 0 ||
		PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
		return;
	res = PQexec(conn->pg, corm_buf_cstr(&conn->dealloc));
	PQclear(res);
	corm_buf_clear(&conn->dealloc);
}

/* ---------------------------------------------------------------- statements */

/* Drop a named statement on the server now, or later if a transaction is
 * open (see flush_deallocs). */
static void deallocate(struct pg_conn *conn, const char *name)
{
	if (PQstatus(conn->pg) != CONNECTION_OK)
		return; /* the session and its statements are gone */
	/* The name is ours ("corm_N"), so quoting it needs no escaping. */
	corm_buf_printf(&conn->dealloc, "DEALLOCATE \"%s\";", name);
	if (corm_buf_error(&conn->dealloc)) {
		/* Out of memory: the statement lives until the session ends. */
		corm_buf_free(&conn->dealloc);
		return;
	}
	flush_deallocs(conn);
}

static void free_stmt(struct pg_stmt *s)
{
	int i;

	PQclear(s->desc);
	PQclear(s->res);
	corm_free(s->types);
	corm_free(s->values);
	corm_free(s->lengths);
	corm_free(s->formats);
	corm_free(s->num);
	corm_free(s->text);
	for (i = 0; i < s->nblobs; i++)
		corm_free(s->blobs[i].ptr);
	corm_free(s->blobs);
	corm_free(s);
}

/*
 * Keep the column types the describe gave. Every result of a prepared
 * statement has these columns: when a table change would alter them the
 * server refuses the run ("cached plan must not change result type"), and
 * the statement is prepared and described again (stale_statement). So
 * column_value() reads a value's type from here instead of asking libpq
 * for it value by value.
 */
static int describe_columns(struct pg_stmt *s)
{
	int i, n = PQnfields(s->desc);
	Oid *types = NULL;

	if (n > 0 && !(types = corm_malloc((size_t)n * sizeof(*types))))
		return corm_conn__set_error(s->parent.conn, CORM_ENOMEM, NULL,
			"out of memory");
	for (i = 0; i < n; i++)
		types[i] = PQftype(s->desc, i);
	corm_free(s->types);
	s->types = types;
	s->ntypes = n;
	return CORM_OK;
}

/*
 * libpq before 15.x's late minor releases (Debian 12 shipped one) refuses
 * a ParameterDescription longer than 30,000 bytes, 6 + 4 per parameter:
 * describing a statement of 7,499 parameters or more loses the connection
 * ("lost synchronization with server: got message type "t""). The libpq
 * installed here (15.20) takes any length; corm does not rely on it.
 */
#define PG_DESCRIBE_MAX_PARAMS 7498

/* The highest $n in `sql`: never less than the statement's parameter
 * count (the server counts the highest $n used); a "$n" inside a literal
 * or a comment can only make it larger. Capped past 65,535. */
static long highest_dollar(const char *sql)
{
	long max = 0;
	const char *p;

	for (p = sql; (p = strchr(p, '$')) != NULL;) {
		long n = 0;

		for (p++; *p >= '0' && *p <= '9'; p++)
			if (n <= 65536)
				n = n * 10 + (*p - '0');
		if (n > max)
			max = n;
	}
	return max;
}

/* Parameters of prepared statement s->name, asked of the server's
 * catalog instead of a describe (see PG_DESCRIBE_MAX_PARAMS). */
static int count_params(struct pg_stmt *s, corm_conn *c, int *out)
{
	PGconn *pg = PG_CONN(c)->pg;
	const char *name = s->name;
	PGresult *res = PQexecParams(pg, "SELECT cardinality(parameter_types) "
		"FROM pg_catalog.pg_prepared_statements WHERE name = $1", 1, NULL,
		&name, NULL, NULL, 0);
	int error = CORM_OK;

	if (!res || PQresultStatus(res) != PGRES_TUPLES_OK ||
		PQntuples(res) != 1)
		error = res && PQresultStatus(res) != PGRES_TUPLES_OK
			? pg_error(c, res)
			: corm_conn__set_error(c, CORM_ERROR, NULL,
				  "prepared statement %s not found", name);
	else
		*out = atoi(PQgetvalue(res, 0, 0));
	PQclear(res);
	return error;
}

/* Prepare s->name from `sql` on the server and describe it: its columns
 * and its parameter count. A statement with too many parameters to
 * describe safely gets no describe: its count comes from the catalog,
 * its column types from each result. */
static int prepare_named(struct pg_stmt *s, corm_conn *c, const char *sql)
{
	PGconn *pg = PG_CONN(c)->pg;
	PGresult *res;
	int error;

	/* Until the new describe is in, column types are asked of libpq. */
	s->ntypes = 0;
	/* No parameter types: the server infers each from its context. */
	res = PQprepare(pg, s->name, sql, 0, NULL);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		error = pg_error(c, res);
		PQclear(res);
		return error;
	}
	PQclear(res);
	s->on_server = true;
	if (highest_dollar(sql) > PG_DESCRIBE_MAX_PARAMS) {
		PQclear(s->desc);
		s->desc = NULL;
		if ((error = count_params(s, c, &s->nparams_server)) != CORM_OK)
			return error;
		/* The server takes more; the Bind message cannot carry them. */
		if (s->nparams_server > 65535)
			return corm_conn__set_error(c, CORM_ETOOLONG, NULL,
				"%d parameters, more than the 65535 one statement may "
				"bind on postgres", s->nparams_server);
		return CORM_OK;
	}
	res = PQdescribePrepared(pg, s->name);
	if (!res || PQresultStatus(res) != PGRES_COMMAND_OK) {
		error = pg_error(c, res);
		PQclear(res);
		return error;
	}
	PQclear(s->desc);
	s->desc = res;
	s->nparams_server = PQnparams(res);
	return describe_columns(s);
}

static int pg_prepare(corm_stmt **out, corm_conn *c, const char *sql)
{
	struct pg_conn *conn = PG_CONN(c);
	struct pg_stmt *s;
	int error, n;

	assert(out && c && sql);
	*out = NULL;
	end_stream(conn);
	flush_deallocs(conn);
	if (!(s = corm_calloc(1, sizeof(*s))))
		return corm_conn__set_error(c, CORM_ENOMEM, NULL, "out of memory");
	s->row = -1;
	s->plain_select = is_plain_select(sql);
	snprintf(s->name, sizeof(s->name), "corm_%lu", ++conn->next_id);

	if ((error = prepare_named(s, c, sql)) != CORM_OK)
		goto done;

	n = s->nparams_server;
	if (n > 0) {
		s->values = corm_calloc((size_t)n, sizeof(*s->values));
		s->lengths = corm_calloc((size_t)n, sizeof(*s->lengths));
		s->formats = corm_calloc((size_t)n, sizeof(*s->formats));
		s->num = corm_calloc((size_t)n, sizeof(*s->num));
		if (!s->values || !s->lengths || !s->formats || !s->num) {
			error = corm_conn__set_error(c, CORM_ENOMEM, NULL,
				"out of memory");
			goto done;
		}
	}
	s->parent.nparams = n;
	*out = &s->parent;
	s = NULL;
	error = CORM_OK;
done:
	if (s) {
		if (s->on_server)
			deallocate(conn, s->name);
		free_stmt(s);
	}
	return error;
}

static void pg_finalize(corm_stmt *base)
{
	struct pg_stmt *s = PG_STMT(base);

	if (!s)
		return;
	assert(base->conn);
	if (s->stream_open)
		stream_close(s);
	PQclear(s->res);
	s->res = NULL;
	if (s->on_server)
		deallocate(PG_CONN(base->conn), s->name);
	free_stmt(s);
}

/* Make s->text hold at least `need` bytes; its old contents are lost. */
static int reserve_text(struct pg_stmt *s, size_t need)
{
	char *p;

	if (need <= s->text_cap)
		return CORM_OK;
	if (!(p = corm_malloc(need)))
		return CORM_ENOMEM;
	corm_free(s->text);
	s->text = p;
	s->text_cap = need;
	return CORM_OK;
}

/* Write `v` in decimal, NUL-terminated, at the end of `buf` (PG_NUM_MAX
 * bytes); returns where the text starts. The text printf's PRId64 gives,
 * for a fraction of its instructions: integers are the commonest
 * parameters there are (keys). */
static char *format_int(char *buf, int64_t v)
{
	char *p = buf + PG_NUM_MAX - 1;
	/* The magnitude as unsigned, so INT64_MIN negates without overflow. */
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	*p = '\0';
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

/* Format `d` so the server reads back exactly `d`: the shortest of
 * %.15g..%.17g that round-trips, and PostgreSQL's names for the specials. */
static void format_double(char *out, size_t cap, double d, locale_t loc)
{
	locale_t old;
	int prec;

	if (isnan(d)) {
		snprintf(out, cap, "NaN");
		return;
	}
	if (isinf(d)) {
		snprintf(out, cap, "%s", d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	old = uselocale(loc);
	for (prec = 15; prec <= 17; prec++) {
		snprintf(out, cap, "%.*g", prec, d);
		if (strtod(out, NULL) == d)
			break;
	}
	uselocale(old);
}

/* Text in the zone-less form corm writes timestamps in, "YYYY-MM-DD
 * HH:MM[:SS[.ffffff]]" (a space or a T between): it means UTC. */
static bool is_zoneless_timestamp(const char *p, size_t len)
{
	static const char form[] = "dddd-dd-dd dd:dd";
	size_t i, n = sizeof(form) - 1;

	if (len < n)
		return false;
	for (i = 0; i < n; i++) {
		bool ok = form[i] == 'd' ? p[i] >= '0' && p[i] <= '9'
			: form[i] == ' ' ? p[i] == ' ' || p[i] == 'T'
			: p[i] == form[i];

		if (!ok)
			return false;
	}
	for (; i < len; i++)
		if (!(p[i] >= '0' && p[i] <= '9') && p[i] != ':' && p[i] != '.')
			return false;
	return true;
}

/* A text parameter the server reads as a timestamptz, written without a
 * zone: the server would take it in the session's TimeZone. */
static bool needs_utc_offset(const struct pg_stmt *s, int i,
	const corm_value *v)
{
	return v->type == CORM_TYPE_TEXT &&
		PQparamtype(s->desc, i) == PG_OID_TIMESTAMPTZ &&
		is_zoneless_timestamp(v->v.bytes.ptr, v->v.bytes.len);
}

#define PG_UTC_OFFSET "+00:00"

/* Fill the parameter arrays from `p` (s->parent.nparams values): the
 * statement's bindings, or a batch execution's own. */
static int bind_params(struct pg_stmt *s, const corm_value *p)
{
	corm_conn *c = s->parent.conn;
	int i, n = s->parent.nparams;
	size_t need = 0;
	char *text;

	/* Text goes NUL-terminated and the caller's bytes need not be, so
	 * copy it, all into one buffer sized up front. */
	for (i = 0; i < n; i++) {
		if (p[i].type != CORM_TYPE_TEXT)
			continue;
		if (memchr(p[i].v.bytes.ptr, '\0', p[i].v.bytes.len))
			return corm_conn__set_error(c, CORM_EINVAL, NULL,
				"parameter %d: PostgreSQL text cannot hold NUL bytes "
				"(bind it as a blob to a bytea column)", i + 1);
		if (p[i].v.bytes.len >= SIZE_MAX - need - sizeof(PG_UTC_OFFSET))
			return corm_conn__set_error(c, CORM_ENOMEM, NULL,
				"out of memory");
		need += p[i].v.bytes.len + 1;
		if (needs_utc_offset(s, i, &p[i]))
			need += sizeof(PG_UTC_OFFSET) - 1;
	}
	if (need && reserve_text(s, need) != CORM_OK)
		return corm_conn__set_error(c, CORM_ENOMEM, NULL, "out of memory");
	text = s->text;

	for (i = 0; i < n; i++) {
		s->lengths[i] = 0;
		s->formats[i] = 0;
		switch (p[i].type) {
		case CORM_TYPE_NULL:
			s->values[i] = NULL;
			break;
		case CORM_TYPE_INT:
			s->values[i] = format_int(s->num[i], p[i].v.i);
			break;
		case CORM_TYPE_DOUBLE:
			format_double(s->num[i], PG_NUM_MAX, p[i].v.d,
				PG_CONN(c)->c_locale);
			s->values[i] = s->num[i];
			break;
		case CORM_TYPE_TEXT: {
			size_t len = p[i].v.bytes.len;

			if (len)
				memcpy(text, p[i].v.bytes.ptr, len);
			if (needs_utc_offset(s, i, &p[i])) {
				memcpy(text + len, PG_UTC_OFFSET,
					sizeof(PG_UTC_OFFSET) - 1);
				len += sizeof(PG_UTC_OFFSET) - 1;
			}
			text[len] = '\0';
			s->values[i] = text;
			text += len + 1;
			break;
		}
		case CORM_TYPE_BLOB:
			/* Binary format: for bytea that is the bytes themselves. */
			if (p[i].v.bytes.len > INT32_MAX)
				return corm_conn__set_error(c, CORM_ETOOLONG, NULL,
					"parameter %d: a blob sent to PostgreSQL is limited "
					"to 2 GiB", i + 1);
			/* A NULL pointer would mean SQL NULL, even for 0 bytes. */
			s->values[i] = p[i].v.bytes.len ? p[i].v.bytes.ptr : "";
			s->lengths[i] = (int)p[i].v.bytes.len;
			s->formats[i] = 1;
			break;
		default:
			return corm_conn__set_error(c, CORM_EINVAL, NULL,
				"parameter %d: unknown value type %d", i + 1,
				(int)p[i].type);
		}
	}
	return CORM_OK;
}

/* Rows affected, from the command tag ("UPDATE 3", "INSERT 0 1"). A
 * SELECT changes nothing, though its tag counts the rows it returned. */
static int64_t tag_changes(const PGresult *res)
{
	const char *status = PQcmdStatus((PGresult *)res);
	const char *p;
	uint64_t n = 0;

	if (strncmp(status, "SELECT", 6) == 0)
		return 0;
	/* PQcmdTuples() gives nothing but digits, or "" for a command that
	 * counts no rows. A count past INT64_MAX (it cannot happen) is 0. */
	for (p = PQcmdTuples((PGresult *)res); *p; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (n > ((uint64_t)INT64_MAX - digit) / 10)
			return 0;
		n = n * 10 + digit;
	}
	return (int64_t)n;
}

/* Rows the run that gave `res` affected. A statement that is a plain
 * SELECT changes nothing: its tag need not be read. */
static int64_t run_changes(const struct pg_stmt *s, const PGresult *res)
{
	return s->plain_select ? 0 : tag_changes(res);
}

/*
 * Should a failed run be retried after preparing the statement again?
 * Yes when its tables changed shape since it was prepared ("cached plan
 * must not change result type"; the server's function name identifies
 * it whatever the language), or when the session lost it (DEALLOCATE ALL,
 * DISCARD ALL). Only outside a transaction, where the failure undid
 * nothing the caller did; pgJDBC does the same.
 */
static bool stale_statement(const PGresult *res)
{
	const char *state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	const char *func = PQresultErrorField(res, PG_DIAG_SOURCE_FUNCTION);

	if (!state)
		return false;
	if (strcmp(state, "26000") == 0) /* invalid_sql_statement_name */
		return true;
	return strcmp(state, "0A000") == 0 && func &&
		strcmp(func, "RevalidateCachedQuery") == 0;
}

/* For a failed result: should the statement be prepared again and rerun
 * (only outside a transaction, see stale_statement)? */
static bool needs_replan(PGconn *pg, const PGresult *res)
{
	return PQtransactionStatus(pg) == PQTRANS_IDLE && stale_statement(res);
}

/* Prepare s again under a fresh name (in case the old one could not be
 * dropped). The session must be idle, outside pipeline mode. */
static int replan(struct pg_stmt *s)
{
	corm_conn *c = s->parent.conn;

	if (s->on_server)
		deallocate(PG_CONN(c), s->name); /* idle: runs at once */
	s->on_server = false;
	snprintf(s->name, sizeof(s->name), "corm_%lu", ++PG_CONN(c)->next_id);
	return prepare_named(s, c, s->parent.sql);
}

/* Forget the decoded blobs: the next row comes in a new result. */
static void blobs_invalidate(struct pg_stmt *s)
{
	int i;

	for (i = 0; i < s->nblobs; i++)
		s->blobs[i].row = -1;
}

/* Make `res` (not NULL) the statement's current result, before its first
 * row. Its row and column counts are kept, so stepping and reading need
 * not ask libpq for them again and again. */
static void set_result(struct pg_stmt *s, PGresult *res)
{
	s->res = res;
	s->row = -1;
	s->nrows = is_row_result(res) ? PQntuples(res) : 0;
	s->ncols = PQnfields(res);
	s->types_valid = s->ncols == s->ntypes;
}

/* Free the current result, if any. */
static void drop_result(struct pg_stmt *s)
{
	if (s->res)
		PQclear(s->res);
	s->res = NULL;
	s->row = -1;
	s->nrows = 0;
	s->ncols = 0;
}

/*
 * Send the statement with its parameters and read its result: the whole
 * of it, or for a streaming statement its first row (then the statement
 * owns the connection until stream_next() reads the end). A statement
 * whose first result is not a row (no rows, a command, an error) has
 * been read whole either way.
 */
static int execute(struct pg_stmt *s)
{
	corm_conn *c = s->parent.conn;
	struct pg_conn *conn = PG_CONN(c);
	PGconn *pg = conn->pg;
	PGresult *res = NULL, *rest;
	bool retried = false, streaming;
	int error;

	end_stream(conn);
	if ((error = bind_params(s, s->parent.params)) != CORM_OK)
		return error;
	blobs_invalidate(s);
again:
	/* Only a stream is ever cancelled (stream_close). */
	s->stream_cancel = s->parent.streaming && s->plain_select &&
		PQtransactionStatus(pg) == PQTRANS_IDLE;
	if (!PQsendQueryPrepared(pg, s->name, s->parent.nparams, s->values,
		    s->lengths, s->formats, 0)) {
		error = pg_error(c, NULL);
		goto done;
	}
	/* If libpq refuses the mode (it cannot here: it is asked right after
	 * the send), the result is simply buffered. */
#ifdef LIBPQ_HAS_CHUNK_MODE
	streaming = s->parent.streaming &&
		PQsetChunkedRowsMode(pg, PG_STREAM_CHUNK) == 1;
#else
	streaming = s->parent.streaming && PQsetSingleRowMode(pg) == 1;
#endif
	if (streaming) {
		res = PQgetResult(pg);
		if (res && is_row_result(res) && PQntuples(res) > 0) {
			s->changes = 0;
			set_result(s, res);
			s->stream_open = true;
			conn->stream = s;
			return CORM_OK;
		}
		/* No row first: what is left is the end, or an error. */
		rest = collect(pg);
		if (!res || (rest && result_failed(rest) &&
				  !result_failed(res))) {
			PQclear(res);
			res = rest;
		} else {
			PQclear(rest);
		}
	} else {
		res = collect(pg);
	}
	if (!res || result_failed(res)) {
		if (res && !retried && needs_replan(pg, res)) {
			PQclear(res);
			res = NULL;
			retried = true;
			if ((error = replan(s)) != CORM_OK)
				goto done;
			goto again;
		}
		error = pg_error(c, res);
		goto done;
	}
	s->changes = run_changes(s, res);
	set_result(s, res);
	return CORM_OK;
done:
	PQclear(res);
	return error;
}

/*
 * The next result of a streaming statement: CORM_ROW with s->res holding
 * it, or the end of the stream (CORM_DONE, or the error it ended with,
 * which the statement then repeats until reset).
 */
static int stream_next(struct pg_stmt *s)
{
	corm_conn *c = s->parent.conn;
	struct pg_conn *conn = PG_CONN(c);
	PGresult *res, *rest;
	int error = CORM_DONE;

	assert(s->stream_open && conn->stream == s && !s->res);
	res = PQgetResult(conn->pg);
	if (res && is_row_result(res) && PQntuples(res) > 0) {
		blobs_invalidate(s);
		set_result(s, res);
		s->row = 0;
		return CORM_ROW;
	}
	/* The final result (the command tag, or an error), then none. */
	rest = collect(conn->pg);
	conn->stream = NULL;
	s->stream_open = false;
	if (rest && (!res || (result_failed(rest) && !result_failed(res)))) {
		PQclear(res);
		res = rest;
		rest = NULL;
	}
	if (!res || result_failed(res)) {
		/* No result at all: libpq's own message says why. */
		if (res || PQstatus(conn->pg) == CONNECTION_BAD)
			error = pg_error(c, res);
		if (error < 0) {
			s->stream_error = error;
			snprintf(s->stream_native, sizeof(s->stream_native), "%s",
				c->err_native);
		}
	} else {
		s->changes = run_changes(s, res);
	}
	PQclear(res);
	PQclear(rest);
	return error;
}

static int pg_step(corm_stmt *base)
{
	struct pg_stmt *s = PG_STMT(base);
	int error;

	assert(base && base->conn);
	if (!s->executed) {
		if ((error = execute(s)) != CORM_OK)
			return error;
		s->executed = true;
	}
	if (s->row + 1 < s->nrows) { /* nrows is 0 without a result */
		s->row++;
		return CORM_ROW;
	}
	/* Done with this result: its rows are no longer readable, free them
	 * now. */
	drop_result(s);
	if (s->stream_open)
		return stream_next(s);
	if (s->interrupted)
		return corm_conn__set_error(base->conn, CORM_EINVAL, NULL,
			"stream interrupted: another command ran on the connection "
			"while this statement streamed rows, so its unread rows "
			"were discarded (reset it to run it again)");
	if (s->stream_error)
		return corm_conn__set_error(base->conn, s->stream_error,
			s->stream_native, "the statement failed mid-stream (see "
			"the step that failed); reset it to run it again");
	return CORM_DONE;
}

static int pg_reset(corm_stmt *base)
{
	struct pg_stmt *s = PG_STMT(base);

	assert(base);
	if (s->stream_open)
		stream_close(s);
	drop_result(s);
	s->executed = false;
	s->interrupted = false;
	s->stream_error = 0;
	return CORM_OK;
}

static int pg_changes(int64_t *out, corm_stmt *base)
{
	assert(out && base);
	*out = PG_STMT(base)->changes;
	return CORM_OK;
}

/* ----------------------------------------------------------- reading columns */

/* The result describing the columns: the run's, else the describe's. */
static const PGresult *columns_of(const struct pg_stmt *s)
{
	return s->res ? s->res : s->desc;
}

/* Asked once a row (the core checks the row's width): the run's count is
 * kept in s->ncols. */
static int pg_column_count(const corm_stmt *base)
{
	const struct pg_stmt *s = PG_STMT(base);

	if (s->res)
		return s->ncols;
	return s->desc ? PQnfields(s->desc) : 0;
}

static const char *pg_column_name(const corm_stmt *base, int col)
{
	const PGresult *res = columns_of(PG_STMT(base));

	if (!res || col < 0 || col >= PQnfields(res))
		return NULL;
	return PQfname(res, col);
}

/* Decode a text-format bytea ("\x" and hex digits) into the column's
 * buffer. Anything else would mean the session left bytea_output=hex. */
static int decode_bytea(struct pg_stmt *s, int col, const char *text,
	size_t len)
{
	corm_conn *c = s->parent.conn;
	struct pg_blob *b;
	size_t i, n;

	if (col >= s->nblobs) {
		int count = PQnfields(s->res);
		struct pg_blob *p;

		p = corm_realloc(s->blobs, (size_t)count * sizeof(*p));
		if (!p)
			return corm_conn__set_error(c, CORM_ENOMEM, NULL,
				"out of memory");
		memset(p + s->nblobs, 0, (size_t)(count - s->nblobs) * sizeof(*p));
		for (i = (size_t)s->nblobs; i < (size_t)count; i++)
			p[i].row = -1;
		s->blobs = p;
		s->nblobs = count;
	}
	b = &s->blobs[col];
	if (b->row == s->row)
		return CORM_OK; /* already decoded for this row */

	if (len < 2 || text[0] != '\\' || text[1] != 'x' || len % 2)
		return corm_conn__set_error(c, CORM_ERROR, NULL,
			"column %d: bytea is not in hex format (is bytea_output "
			"overridden?)", col);
	n = (len - 2) / 2;
	if (n > b->cap) {
		unsigned char *p = corm_malloc(n);

		if (!p)
			return corm_conn__set_error(c, CORM_ENOMEM, NULL,
				"out of memory");
		corm_free(b->ptr);
		b->ptr = p;
		b->cap = n;
	}
	for (i = 0; i < n; i++) {
		int hi = corm__hex_value((unsigned char)text[2 + 2 * i]);
		int lo = corm__hex_value((unsigned char)text[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			return corm_conn__set_error(c, CORM_ERROR, NULL,
				"column %d: malformed hex in bytea", col);
		b->ptr[i] = (unsigned char)(hi << 4 | lo);
	}
	b->len = n;
	b->row = s->row;
	return CORM_OK;
}

/*
 * Parse the text of an integer column (`len` bytes): an optional '-' and
 * 1 to 19 digits, the only form the server writes int2/int4/int8/oid in.
 * Exact, overflow included (CORM_ERANGE for anything else, as strtoll's
 * failures were); by hand because this runs for every integer value read
 * and strtoll (locale, whitespace, bases) costs several times as much.
 */
static int parse_int(int64_t *out, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool neg = p < end && *p == '-';
	uint64_t v = 0;

	p += neg;
	/* 19 digits cannot overflow the uint64_t (10^19 - 1 < 2^64). */
	if (p == end || end - p > 19)
		return CORM_ERANGE;
	for (; p < end; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (digit > 9)
			return CORM_ERANGE;
		v = v * 10 + digit;
	}
	if (v > (uint64_t)INT64_MAX + neg)
		return CORM_ERANGE;
	/* Negated as unsigned: -2^63 has no positive int64_t. */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return CORM_OK;
}

static int parse_double(double *out, const char *text, locale_t loc)
{
	locale_t old;
	char *end;
	double v;

	if (strcmp(text, "NaN") == 0) {
		*out = NAN;
		return CORM_OK;
	}
	if (strcmp(text, "Infinity") == 0 || strcmp(text, "-Infinity") == 0) {
		*out = text[0] == '-' ? -INFINITY : INFINITY;
		return CORM_OK;
	}
	old = uselocale(loc);
	errno = 0;
	v = strtod(text, &end);
	uselocale(old);
	/* ERANGE on underflow still gives the nearest double: keep it. */
	if (end == text || *end || (errno == ERANGE && isinf(v)))
		return CORM_ERANGE;
	*out = v;
	return CORM_OK;
}

/* Kept out of pg_column_value(), so that its common paths (integers and
 * text) need no stack frame of their own. */
#if defined(__GNUC__)
#define PG_NOINLINE __attribute__((noinline))
#else
#define PG_NOINLINE
#endif

static PG_NOINLINE int column_bad_text(corm_conn *c, int col,
	const char *what, const char *text)
{
	return corm_conn__set_error(c, CORM_ERROR, NULL,
		"column %d: unexpected %s text '%.40s'", col, what, text);
}

static PG_NOINLINE int column_double(corm_value *out, struct pg_stmt *s,
	int col, const char *text)
{
	corm_conn *c = s->parent.conn;

	out->type = CORM_TYPE_DOUBLE;
	if (parse_double(&out->v.d, text, PG_CONN(c)->c_locale) != CORM_OK)
		return column_bad_text(c, col, "float", text);
	return CORM_OK;
}

static PG_NOINLINE int column_bytea(corm_value *out, struct pg_stmt *s,
	int col, const char *text, size_t len)
{
	int error;

	if ((error = decode_bytea(s, col, text, len)) != CORM_OK)
		return error;
	out->type = CORM_TYPE_BLOB;
	out->v.bytes.ptr = s->blobs[col].len ?
		(const char *)s->blobs[col].ptr : "";
	out->v.bytes.len = s->blobs[col].len;
	return CORM_OK;
}

/*
 * One value of the current row. This runs for every value read, so it
 * asks libpq only for the value itself: the column index was checked by
 * the core (against column_count()), the type comes from the describe
 * (describe_columns), and PQgetisnull() is asked only for an empty value
 * (libpq gives a NULL the length 0).
 */
static int pg_column_value(corm_value *out, corm_stmt *base, int col)
{
	struct pg_stmt *s = PG_STMT(base);
	const PGresult *res = s->res;
	const char *text;
	size_t len;

	assert(out && base);
	if (!res || s->row < 0)
		return corm_conn__set_error(base->conn, CORM_EINVAL, NULL,
			"no row to read: step the statement first");
	assert(col >= 0 && col < s->ncols);
	len = (size_t)PQgetlength(res, s->row, col);
	if (len == 0 && PQgetisnull(res, s->row, col)) {
		out->type = CORM_TYPE_NULL;
		return CORM_OK;
	}
	text = PQgetvalue(res, s->row, col);

	switch (s->types_valid ? s->types[col] : PQftype(res, col)) {
	case PG_OID_INT2:
	case PG_OID_INT4:
	case PG_OID_INT8:
	case PG_OID_OID:
		out->type = CORM_TYPE_INT;
		if (parse_int(&out->v.i, text, len) != CORM_OK)
			return column_bad_text(base->conn, col, "integer", text);
		return CORM_OK;
	case PG_OID_FLOAT4:
	case PG_OID_FLOAT8:
		return column_double(out, s, col, text);
	case PG_OID_BOOL:
		out->type = CORM_TYPE_INT;
		out->v.i = text[0] == 't';
		return CORM_OK;
	case PG_OID_BYTEA:
		return column_bytea(out, s, col, text, len);
	default:
		/* numeric, text, dates, uuid, json, ...: the core converts. */
		out->type = CORM_TYPE_TEXT;
		out->v.bytes.ptr = text;
		out->v.bytes.len = len;
		return CORM_OK;
	}
}

/*
 * A row straight into the caller's struct (corm/driver.h, read_row): what
 * pg_column_value() and the core's reader do for integer, boolean and
 * text-like columns, without a corm_value per column or a call through
 * the vtable. Anything else (a real, a bytea, a NULL to refuse, text that
 * is not an integer, a value for a field of another kind) is left to the
 * core, which reads that column through pg_column_value() and converts or
 * reports it exactly as before.
 */
static int pg_read_row(corm_stmt *base, int first_col,
	const corm_field_desc *fields, int n, void *row, corm_arena *arena)
{
	struct pg_stmt *s = PG_STMT(base);
	const PGresult *res = s->res;
	int i;

	if (!res || s->row < 0)
		return 0; /* pg_column_value() says why */
	for (i = 0; i < n; i++) {
		const corm_field_desc *f = &fields[i];
		int col = first_col + i;
		const char *text;
		size_t len;
		int64_t v;

		assert(col < s->ncols);
		if (!corm_put_direct(f))
			return i;
		len = (size_t)PQgetlength(res, s->row, col);
		if (len == 0 && PQgetisnull(res, s->row, col)) {
			if (!corm_put_null(f, row))
				return i;
			continue;
		}
		text = PQgetvalue(res, s->row, col);
		switch (s->types_valid ? s->types[col] : PQftype(res, col)) {
		case PG_OID_INT2:
		case PG_OID_INT4:
		case PG_OID_INT8:
		case PG_OID_OID:
			if (parse_int(&v, text, len) != CORM_OK ||
				!corm_put_int(f, row, v))
				return i;
			break;
		case PG_OID_BOOL:
			if (!corm_put_int(f, row, text[0] == 't'))
				return i;
			break;
		case PG_OID_FLOAT4:
		case PG_OID_FLOAT8:
		case PG_OID_BYTEA:
			return i;
		default:
			if (!corm_put_text(f, row, arena, text, len))
				return i;
			break;
		}
	}
	return n;
}

/* ------------------------------------------------------------------- COPY */

/* Bytes of COPY data sent to the server at a time. */
#define PG_COPY_CHUNK (64 * 1024)

/* The byte COPY's text format writes after a backslash for `ch`, or 0
 * when `ch` goes as it is. */
static char copy_escape(char ch)
{
	switch (ch) {
	case '\\':
		return '\\';
	case '\t':
		return 't';
	case '\n':
		return 'n';
	case '\r':
		return 'r';
	default:
		return 0;
	}
}

/* One value in COPY's text format: \N for NULL; a backslash, tab,
 * newline or carriage return in text is escaped; bytea goes as its hex
 * input form, whose backslash is itself escaped. Text and bytea are
 * written straight into the buffer, grown once for the worst case, and
 * runs that need no escaping are copied whole (most text is one run). */
static int copy_value(corm_buf *b, const corm_value *v, locale_t loc)
{
	static const char hex[] = "0123456789abcdef";
	char num[PG_NUM_MAX];
	const char *p, *end;
	char *out;
	size_t len, i;

	switch (v->type) {
	case CORM_TYPE_NULL:
		return corm_buf_put(b, "\\N", 2);
	case CORM_TYPE_INT:
		p = format_int(num, v->v.i);
		return corm_buf_put(b, p, (size_t)(num + sizeof(num) - 1 - p));
	case CORM_TYPE_DOUBLE:
		format_double(num, sizeof(num), v->v.d, loc);
		return corm_buf_puts(b, num);
	case CORM_TYPE_TEXT:
		len = v->v.bytes.len;
		if (len > SIZE_MAX / 2 - 1 || corm_buf_grow(b, 2 * len))
			return corm_buf_error(b) ? corm_buf_error(b) : CORM_ETOOLONG;
		out = b->ptr + b->len;
		for (p = v->v.bytes.ptr, end = p + len; p < end; p++) {
			const char *run = p;
			char esc;

			while (p < end && *p && !copy_escape(*p))
				p++;
			memcpy(out, run, (size_t)(p - run));
			out += p - run;
			if (p == end)
				break;
			if (*p == '\0')
				return CORM_EINVAL; /* PostgreSQL text holds no NUL */
			esc = copy_escape(*p);
			*out++ = '\\';
			*out++ = esc;
		}
		b->len = (size_t)(out - b->ptr);
		b->ptr[b->len] = '\0';
		return CORM_OK;
	case CORM_TYPE_BLOB:
		len = v->v.bytes.len;
		if (len > SIZE_MAX / 2 - 3 || corm_buf_grow(b, 3 + 2 * len))
			return corm_buf_error(b) ? corm_buf_error(b) : CORM_ETOOLONG;
		out = b->ptr + b->len;
		memcpy(out, "\\\\x", 3);
		out += 3;
		for (i = 0; i < len; i++) {
			unsigned char byte = (unsigned char)v->v.bytes.ptr[i];

			*out++ = hex[byte >> 4];
			*out++ = hex[byte & 15];
		}
		b->len = (size_t)(out - b->ptr);
		b->ptr[b->len] = '\0';
		return CORM_OK;
	}
	return CORM_EINVAL;
}

/* Set the session's TimeZone to `zone`, only for the current transaction
 * when there is one. */
static int set_timezone(struct pg_conn *conn, const char *zone)
{
	const char *params[2];
	PGresult *res;
	int error = CORM_OK;

	params[0] = zone;
	params[1] = PQtransactionStatus(conn->pg) == PQTRANS_INTRANS ? "true"
								      : "false";
	res = PQexecParams(conn->pg,
		"SELECT set_config('TimeZone', $1, $2::boolean)", 2, NULL,
		params, NULL, NULL, 0);
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		error = pg_error(&conn->parent, res);
	PQclear(res);
	return error;
}

/* pg_copy_in_rows() once the session's TimeZone is UTC. */
static int copy_in_utc(struct pg_conn *conn, const char *sql, int ncols,
	int (*next)(void *ctx, const corm_value **values, size_t *nrows),
	void *ctx)
{
	corm_conn *c = &conn->parent;
	corm_buf b = CORM_BUF_INIT;
	PGresult *res;
	const corm_value *values;
	size_t r, nrows;
	int k, error = CORM_OK, next_error = CORM_OK;

	res = PQexec(conn->pg, sql);
	if (PQresultStatus(res) != PGRES_COPY_IN) {
		error = pg_error(c, res);
		PQclear(res);
		return error;
	}
	PQclear(res);
	/* Sized once: the buffer is sent and reused every PG_COPY_CHUNK. */
	(void)corm_buf_grow(&b, PG_COPY_CHUNK);
	while (!error) {
		if ((next_error = next(ctx, &values, &nrows)) < 0) {
			error = next_error; /* set on the connection by next() */
			break;
		}
		if (nrows == 0)
			break;
		for (r = 0; r < nrows && !error; r++) {
			for (k = 0; k < ncols && !error; k++) {
				if (k)
					corm_buf_putc(&b, '\t');
				error = copy_value(&b,
					&values[r * (size_t)ncols + (size_t)k],
					conn->c_locale);
			}
			corm_buf_putc(&b, '\n');
			if (!error)
				error = corm_buf_error(&b);
			if (!error && b.len >= PG_COPY_CHUNK) {
				if (PQputCopyData(conn->pg, b.ptr, (int)b.len) != 1)
					error = pg_error(c, NULL);
				corm_buf_clear(&b);
			}
		}
	}
	if (!error && b.len &&
		PQputCopyData(conn->pg, b.ptr, (int)b.len) != 1)
		error = pg_error(c, NULL);
	corm_buf_free(&b);
	if (error == CORM_EINVAL && next_error == CORM_OK)
		corm_conn__set_error(c, error, NULL,
			"text holds a NUL byte, which PostgreSQL cannot store");
	/* A failed COPY is ended with an error so the server rolls it back. */
	if (PQputCopyEnd(conn->pg, error ? "corm: bulk insert aborted" : NULL)
		!= 1 && !error)
		return pg_error(c, NULL);
	res = collect(conn->pg);
	if (!error && (!res || result_failed(res)))
		error = pg_error(c, res);
	PQclear(res);
	return error;
}

/*
 * One COPY ... FROM STDIN for every row next() gives (corm/driver.h,
 * copy_in_rows): each batch is formatted into one buffer, sent every
 * PG_COPY_CHUNK bytes, so the server works on the rows sent while the
 * core converts the next batch.
 */
static int pg_copy_in_rows(corm_conn *c, const char *sql, int ncols,
	int (*next)(void *ctx, const corm_value **values, size_t *nrows),
	void *ctx)
{
	struct pg_conn *conn = PG_CONN(c);
	int error;
	/* COPY's rows carry no types, so a zone-less timestamp in them is
	 * read in the session's TimeZone: make it UTC for the COPY, then
	 * put it back. */
	const char *zone = PQparameterStatus(conn->pg, "TimeZone");
	char *saved = NULL;

	end_stream(conn);
	if (zone && strcmp(zone, "UTC") != 0) {
		if (!(saved = corm_strndup(zone, strlen(zone))))
			return corm_conn__set_error(c, CORM_ENOMEM, NULL,
				"out of memory");
		if ((error = set_timezone(conn, "UTC")) != CORM_OK)
			goto done;
	}
	error = copy_in_utc(conn, sql, ncols, next, ctx);
	/* Put it back, unless a failed transaction's rollback will. */
	if (saved && PQtransactionStatus(conn->pg) != PQTRANS_INERROR) {
		int restored = set_timezone(conn, saved);

		if (!error)
			error = restored;
	}
done:
	corm_free(saved);
	return error;
}

/* copy_in: the rows given, as one batch. */
typedef struct pg_copy_all {
	const corm_value *values;
	size_t nrows;
} pg_copy_all;

static int copy_all_next(void *ctx, const corm_value **values, size_t *nrows)
{
	pg_copy_all *a = ctx;

	*values = a->values;
	*nrows = a->nrows;
	a->nrows = 0;
	return CORM_OK;
}

static int pg_copy_in(corm_conn *c, const char *sql, const corm_value *values,
	size_t nrows, int ncols)
{
	pg_copy_all a = { values, nrows };

	return pg_copy_in_rows(c, sql, ncols, copy_all_next, &a);
}

/* ----------------------------------------------------------------- batches */

/*
 * A batch (corm/batch.h) runs as one pipeline: every execution is sent,
 * then one sync, then the answers are read in order, so the whole batch
 * costs one round trip. When an execution fails on the server, the
 * server skips every one after it up to the sync (PGRES_PIPELINE_ABORTED):
 * those are sent again in a new pipeline, so each answers as if it had
 * run alone. Inside a transaction the failure has aborted the
 * transaction, so they answer what the server would answer each of them.
 */

typedef struct pg_batch {
	corm_conn *c;
	const corm_batch_exec *execs;
	size_t n;
	void (*answer)(void *ctx, size_t i, int rc);
	void *ctx;
	bool in_tx; /* a transaction was open when the batch started */
} pg_batch;

/* Hand result `res` of execution i to the callback as the statement's
 * current result (as execute() leaves it), then take it back. */
static void batch_answer_rows(pg_batch *b, size_t i, PGresult *res)
{
	struct pg_stmt *s = PG_STMT(b->execs[i].stmt);

	set_result(s, res);
	s->executed = true;
	s->changes = run_changes(s, res);
	blobs_invalidate(s);
	b->answer(b->ctx, i, CORM_OK);
	drop_result(s); /* already done if the callback read to the end */
	s->executed = false;
}

/* Read the NULL that ends an execution's results in pipeline mode (and
 * anything before it, which a single statement never has). */
static void batch_end_of_exec(PGconn *pg)
{
	PGresult *r;

	while ((r = PQgetResult(pg)) != NULL) {
		PQclear(r);
		if (PQstatus(pg) == CONNECTION_BAD)
			break;
	}
}

/*
 * One pipeline: send execs[from..n), a sync, and read the answers. Sets
 * *next to the first execution not answered (every one before it was,
 * none from it on), which is n when all were, and *stale when that one
 * failed because its statement must be prepared again. Returns CORM_OK,
 * or the error that leaves nothing more to send (a lost connection),
 * with the executions from *next on unanswered.
 */
static int batch_pipeline(pg_batch *b, size_t from, size_t *next,
	bool *stale)
{
	struct pg_conn *conn = PG_CONN(b->c);
	PGconn *pg = conn->pg;
	PGresult *res;
	size_t i, sent, failed = b->n;
	int error = CORM_OK, send_error = CORM_OK;
	char send_native[16] = "", send_msg[CORM_ERRMSG_MAX] = "";

	*next = from;
	*stale = false;
	if (PQenterPipelineMode(pg) != 1)
		return pg_error(b->c, NULL);
	for (sent = from; sent < b->n; sent++) {
		struct pg_stmt *s = PG_STMT(b->execs[sent].stmt);

		send_error = bind_params(s, b->execs[sent].params);
		if (send_error == CORM_OK &&
			!PQsendQueryPrepared(pg, s->name, s->parent.nparams, s->values,
				s->lengths, s->formats, 0) &&
			(send_error = pg_error(b->c, NULL)) == CORM_ECONNLOST)
			error = send_error;
		if (send_error != CORM_OK) {
			/* Answered after the ones before it; the callbacks will
			 * have overwritten the connection's message by then. */
			snprintf(send_native, sizeof(send_native), "%s",
				b->c->err_native);
			snprintf(send_msg, sizeof(send_msg), "%s", b->c->err_msg);
			break;
		}
	}
	/* Even after a failed send: what was sent must be read back. */
	if (PQpipelineSync(pg) != 1 && error == CORM_OK)
		error = pg_error(b->c, NULL);

	for (i = from; i < sent && error == CORM_OK; i++) {
		if (!(res = PQgetResult(pg))) {
			error = pg_error(b->c, NULL);
			break;
		}
		if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
			PQclear(res); /* skipped after `failed`: sent again later */
		} else if (result_failed(res)) {
			int code = pg_error(b->c, res);

			if (code == CORM_ECONNLOST) {
				error = code;
				PQclear(res);
				break;
			}
			if (failed == b->n) {
				failed = i;
				*stale = !b->in_tx && stale_statement(res);
			}
			if (!*stale || failed != i)
				b->answer(b->ctx, i, code);
			PQclear(res);
		} else {
			batch_answer_rows(b, i, res);
		}
		batch_end_of_exec(pg);
	}
	if (error == CORM_OK) {
		res = PQgetResult(pg);
		if (!res || PQresultStatus(res) != PGRES_PIPELINE_SYNC)
			error = pg_error(b->c, res);
		PQclear(res);
	}
	/* Fails only with results unread, which only a lost connection
	 * leaves: then the connection is of no further use anyway. */
	if (PQexitPipelineMode(pg) != 1 && error == CORM_OK)
		error = pg_error(b->c, NULL);

	if (error != CORM_OK) {
		*next = failed >= i ? i : *stale ? failed : failed + 1;
		return error;
	}
	if (failed < b->n) {
		*next = *stale ? failed : failed + 1;
	} else if (send_error != CORM_OK) {
		/* A value the server would refuse (a NUL in text): this
		 * execution alone fails. */
		corm_conn__set_error(b->c, send_error,
			send_native[0] ? send_native : NULL, "%s", send_msg);
		b->answer(b->ctx, sent, send_error);
		*next = sent + 1;
	} else {
		*next = b->n;
	}
	return CORM_OK;
}

static int pg_run_batch(corm_conn *c, const corm_batch_exec *execs, size_t n,
	void (*answer)(void *ctx, size_t i, int rc), void *ctx)
{
	struct pg_conn *conn = PG_CONN(c);
	pg_batch b = {c, execs, n, answer, ctx, false};
	size_t i, from = 0, next;
	bool stale;
	int error = CORM_OK;

	assert(c && execs && answer);
	/* Both run commands of their own: not inside the pipeline. */
	end_stream(conn);
	flush_deallocs(conn);
	b.in_tx = PQtransactionStatus(conn->pg) != PQTRANS_IDLE;
	for (i = 0; i < n; i++)
		PG_STMT(execs[i].stmt)->replanned = false;
	/* A statement whose re-preparing failed earlier is prepared now. */
	for (i = 0; i < n && error == CORM_OK; i++)
		if (!PG_STMT(execs[i].stmt)->on_server)
			error = replan(PG_STMT(execs[i].stmt));

	while (error == CORM_OK && from < n) {
		struct pg_stmt *s;

		error = batch_pipeline(&b, from, &next, &stale);
		from = next;
		if (error != CORM_OK || from == n)
			break;
		s = PG_STMT(execs[from].stmt);
		if (stale) {
			/* Its tables changed shape, or the session lost it
			 * (DISCARD ALL): prepare it again, once, and resend. */
			if (!s->replanned) {
				s->replanned = true;
				if ((error = replan(s)) == CORM_OK)
					continue;
			} else {
				error = corm_conn__set_error(c, CORM_ERROR, NULL,
					"statement %s went stale again right after it was "
					"prepared again", s->name);
			}
			if (error == CORM_ECONNLOST)
				break;
			answer(ctx, from++, error);
			error = CORM_OK;
			continue;
		}
		if (PQtransactionStatus(conn->pg) == PQTRANS_INERROR) {
			/* What the server answers each statement of an aborted
			 * transaction, without sending them to hear it. */
			for (; from < n; from++) {
				corm_conn__set_error(c, CORM_ERROR, "25P02",
					"current transaction is aborted, commands ignored "
					"until end of transaction block");
				answer(ctx, from, CORM_ERROR);
			}
		}
	}
	if (error != CORM_OK) {
		char native[16], msg[CORM_ERRMSG_MAX];

		snprintf(native, sizeof(native), "%s", c->err_native);
		snprintf(msg, sizeof(msg), "%s", c->err_msg);
		for (; from < n; from++) {
			corm_conn__set_error(c, error, native[0] ? native : NULL,
				"%s", msg);
			answer(ctx, from, error);
		}
	}
	return error;
}

/* ------------------------------------------------------------------ vtable */

const corm_driver corm_postgres_driver = {
	.version = CORM_DRIVER_VERSION,
	.name = "postgres",
	.dialect = &corm_dialect_postgres,
	.open = pg_open,
	.close = pg_close,
	.exec = pg_exec,
	.prepare = pg_prepare,
	.finalize = pg_finalize,
	.step = pg_step,
	.reset = pg_reset,
	.column_count = pg_column_count,
	.column_name = pg_column_name,
	.column_value = pg_column_value,
	.changes = pg_changes,
	.last_insert_id = NULL, /* PostgreSQL uses INSERT ... RETURNING */
	.ping = pg_ping,
	.copy_in = pg_copy_in,
	.run_batch = pg_run_batch,
	.read_row = pg_read_row,
	.copy_in_rows = pg_copy_in_rows,
};
