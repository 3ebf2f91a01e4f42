/*
 * mysql.c — the MySQL / MariaDB driver, on the libmysqlclient C API as
 * MariaDB Connector/C provides it (Oracle's libmysqlclient should work too).
 *
 * Statements use the binary protocol (mysql_stmt_*): values travel as
 * typed parameters, never spliced into SQL. Result sets are read whole
 * with mysql_stmt_store_result(), then fetched row by row into growable
 * per-column buffers; a streaming statement skips the store and fetches
 * each row from the socket (see "streaming").
 *
 * Sections: library set-up, errors, streaming, connections (open, close,
 * exec, ping), statements (prepare, parameters, results, step, reset,
 * finalize, reading columns), the vtable.
 */
#include <assert.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <errmsg.h>
#include <mysql.h>

#include "corm/driver.h"

/* MYSQL_BIND's flag pointers are my_bool* in Connector/C and in
 * libmysqlclient before 8.0, bool* after. */
#if defined(MARIADB_PACKAGE_VERSION_ID) || !defined(LIBMYSQL_VERSION_ID) || \
	LIBMYSQL_VERSION_ID < 80000
typedef my_bool my_flag;
#else
typedef bool my_flag;
#endif

/* For paths a per-row function seldom takes (a value that needs a bigger
 * buffer, an unusual column kind): kept out of line, the common path
 * needs no stack frame of its own. */
#if defined(__GNUC__)
#define MY_NOINLINE __attribute__((noinline))
#else
#define MY_NOINLINE
#endif

/* The charset number of `binary`: BLOB, VARBINARY and BINARY columns. */
#define MY_BINARY_CHARSET 63

/* A text/blob column buffer starts at the column's declared length, but
 * at least MY_COL_MIN and at most MY_COL_START bytes, and grows when a
 * value needs more. */
#define MY_COL_MIN 64
#define MY_COL_START 256
/* A statement keeps a column buffer up to this size between runs; larger
 * ones (a 1 GiB blob read once) are given back at reset. */
#define MY_COL_KEEP ((unsigned long)64 << 10)

/* The smallest max_allowed_packet a server accepts: commands up to this
 * size never need the server's value. */
#define MY_MIN_PACKET 1024

/* Run on every new session. The session is pinned to UTC so DATETIME and
 * CURRENT_TIMESTAMP agree with the DSL's UTC timestamps, and to a strict
 * sql_mode so bad data fails instead of being truncated with a warning.
 * ANSI_QUOTES stays off: identifiers are quoted with backticks. The
 * connection's collation, which compares parameters and literals with
 * each other (a column's own wins over it), is the binary NO PAD one the
 * tables use, picked by server version as in dialect_mysql.c. SET NAMES,
 * not collation_connection alone: MariaDB gives a prepared statement's
 * parameters the client charset's collation otherwise. */
#define MY_INIT_COMMAND                                                      \
	"SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,"             \
	"NO_ZERO_DATE,NO_ZERO_IN_DATE,ERROR_FOR_DIVISION_BY_ZERO,"             \
	"NO_ENGINE_SUBSTITUTION'"                                              \
	" /*M!100202 , NAMES utf8mb4 COLLATE utf8mb4_nopad_bin*/"              \
	" /*!80017 , NAMES utf8mb4 COLLATE utf8mb4_0900_bin*/"

struct my_conn {
	corm_conn parent;
	MYSQL *my;
	/* The session's @@max_allowed_packet, read the first time a command
	 * might be larger than MY_MIN_PACKET; 0 until then. */
	uint64_t max_packet;
	struct my_stmt *stream; /* the statement whose rows are on the wire */
};

/* How a result column is bound and what column_value() makes of it. */
enum my_kind {
	MY_KIND_INT,    /* MYSQL_TYPE_LONGLONG, signed */
	MY_KIND_UINT,   /* LONGLONG unsigned: above INT64_MAX is CORM_ERANGE */
	MY_KIND_FLOAT,  /* MYSQL_TYPE_FLOAT, widened through its decimal form */
	MY_KIND_DOUBLE, /* MYSQL_TYPE_DOUBLE */
	MY_KIND_BIT,    /* BIT(n): up to 8 big-endian bytes, an integer */
	MY_KIND_TEXT,   /* MYSQL_TYPE_STRING: text, decimals, dates, json */
	MY_KIND_BLOB    /* MYSQL_TYPE_BLOB: binary-charset strings */
};

/* One result column: where the fetch puts the current row's value. */
struct my_col {
	enum my_kind kind;
	char *buf;         /* cap + 1 bytes, for text/blob/bit kinds */
	unsigned long cap; /* bytes `buf` can take before its NUL */
	unsigned long len; /* length of the current value */
	union {
		int64_t i;
		uint64_t u;
		double d;
		float f;
	} num;             /* target of the numeric kinds */
	my_flag is_null;
	my_flag error;     /* set by the fetch when `buf` was too small */
};

struct my_stmt {
	corm_stmt parent;
	MYSQL_STMT *st;
	MYSQL_RES *meta;      /* result metadata; NULL without a result set */
	MYSQL_FIELD *fields;  /* from `meta`, valid until the next execute */
	unsigned int ncols;   /* columns in `fields` */
	MYSQL_BIND *pbind;    /* parent.nparams parameter binds */
	MYSQL_BIND *rbind;    /* ncols result binds... */
	struct my_col *cols;  /* ...and their buffers */
	unsigned int cols_cap; /* entries allocated in rbind and cols */
	bool bound;           /* the library holds rbind, which matches
			       * `fields` (see result_refresh) */
	bool big_bufs;        /* a column buffer grew past MY_COL_KEEP */
	bool executed;        /* run since the last reset */
	bool has_result;      /* the run produced a result set */
	bool row;             /* a fetched row is ready to read */
	bool done;            /* the result set is exhausted */
	bool unprepared;      /* preparing again failed: retry at next step */

	/* Streaming (parent.streaming): rows are fetched from the socket. */
	bool stream_open;     /* rows left on the wire: conn->stream == this */
	bool interrupted;     /* another command ended the stream early */
	int stream_error;     /* what the stream failed with mid-way, or 0 */
	char stream_native[16]; /* its error number */
};

static int stmt_drain_more(struct my_stmt *s);

/* ---------------------------------------------------------- library set-up */

static pthread_once_t library_once = PTHREAD_ONCE_INIT;
static int library_rc = -1;

/* mysql_init() calls mysql_library_init() itself, but not thread-safely:
 * the first calls must not race, so it runs once, here, before any. It is
 * never ended: other code in the process may use the library too. */
static void library_init(void)
{
	library_rc = mysql_library_init(0, NULL, NULL);
}

/* ------------------------------------------------------------------ errors */

/* The portable code for a server or client error number. */
static int map_errno(unsigned int e)
{
	switch (e) {
	case 1062: /* ER_DUP_ENTRY */
	case 1586: /* ER_DUP_ENTRY_WITH_KEY_NAME */
		return CORM_EUNIQUE;
	case 1216: /* ER_NO_REFERENCED_ROW */
	case 1217: /* ER_ROW_IS_REFERENCED */
	case 1451: /* ER_ROW_IS_REFERENCED_2 */
	case 1452: /* ER_NO_REFERENCED_ROW_2 */
		return CORM_EFOREIGNKEY;
	case 1048: /* ER_BAD_NULL_ERROR */
	case 1263: /* ER_WARN_NULL_TO_NOTNULL: NULL in a multi-row insert */
	case 1364: /* ER_NO_DEFAULT_FOR_FIELD */
		return CORM_ENOTNULL;
	case 3819: /* MySQL ER_CHECK_CONSTRAINT_VIOLATED */
	case 4025: /* MariaDB ER_CONSTRAINT_FAILED */
	case 1265: /* ER_WARN_DATA_TRUNCATED: a non-member in an ENUM */
		return CORM_ECHECK;
	case 1213: /* ER_LOCK_DEADLOCK */
		return CORM_EDEADLOCK;
	case 1205: /* ER_LOCK_WAIT_TIMEOUT */
	case 3572: /* MySQL ER_LOCK_NOWAIT */
		return CORM_EBUSY;
	case 1020: /* ER_CHECKREAD: record changed since last read */
		return CORM_ESERIALIZATION;
	case 1264: /* ER_WARN_DATA_OUT_OF_RANGE */
	case 1690: /* ER_DATA_OUT_OF_RANGE */
		return CORM_ERANGE;
	case 1406: /* ER_DATA_TOO_LONG */
	case 1153: /* ER_NET_PACKET_TOO_LARGE: over max_allowed_packet */
	case CR_NET_PACKET_TOO_LARGE: /* over the client library's limit */
		return CORM_ETOOLONG;
	case 1050: /* ER_TABLE_EXISTS_ERROR */
	case 1051: /* ER_BAD_TABLE_ERROR */
	case 1054: /* ER_BAD_FIELD_ERROR */
	case 1064: /* ER_PARSE_ERROR */
	case 1065: /* ER_EMPTY_QUERY */
	case 1091: /* ER_CANT_DROP_FIELD_OR_KEY */
	case 1146: /* ER_NO_SUCH_TABLE */
		return CORM_ESQL;
	case 1927: /* MariaDB ER_CONNECTION_KILLED */
	case 4031: /* MySQL ER_CLIENT_INTERACTION_TIMEOUT */
	case CR_SERVER_GONE_ERROR:
	case CR_SERVER_LOST:
	case CR_SERVER_LOST_EXTENDED:
		return CORM_ECONNLOST;
	case CR_OUT_OF_MEMORY:
		return CORM_ENOMEM;
	default:
		return CORM_ERROR;
	}
}

/* Record error number `e` with message `msg` on `c`; returns the code. */
static int set_error(corm_conn *c, unsigned int e, const char *msg)
{
	char native[16];

	if (e == 0) /* an API misuse that set no error: never report OK */
		return corm_conn__set_error(c, CORM_ERROR, NULL, "%s",
			msg && *msg ? msg : "MySQL client error");
	snprintf(native, sizeof(native), "%u", e);
	return corm_conn__set_error(c, map_errno(e), native, "%s", msg);
}

static int conn_error(struct my_conn *c)
{
	return set_error(&c->parent, mysql_errno(c->my), mysql_error(c->my));
}

static int stmt_error(struct my_stmt *s)
{
	return set_error(s->parent.conn, mysql_stmt_errno(s->st),
		mysql_stmt_error(s->st));
}

/* A failed fetch. An error packet met while fetching unbuffered rows
 * (streaming) is recorded on the connection only. */
static int fetch_error(struct my_stmt *s)
{
	MYSQL *my = ((struct my_conn *)s->parent.conn)->my;

	if (s->stream_open && mysql_stmt_errno(s->st) == 0 &&
		mysql_errno(my) != 0)
		return set_error(s->parent.conn, mysql_errno(my),
			mysql_error(my));
	return stmt_error(s);
}

/* --------------------------------------------------------------- streaming */

/*
 * While a streaming statement has rows on the wire, any other command on
 * the connection would fail with "Commands out of sync". So everything
 * that sends a command first ends the open stream (end_stream): the
 * library reads and drops its remaining rows, and the statement's next
 * step says it was interrupted. Its current row stays readable: it is in
 * our column buffers.
 */

/* Discard the rest of s's rows (and any further results of a CALL). */
static void stream_close(struct my_stmt *s)
{
	struct my_conn *c = (struct my_conn *)s->parent.conn;

	assert(s->stream_open && c->stream == s);
	(void)mysql_stmt_free_result(s->st);
	c->stream = NULL;
	s->stream_open = false;
	s->done = true;
	if (mysql_stmt_more_results(s->st))
		(void)stmt_drain_more(s);
}

/* Another command needs the connection: end the open stream, if any. A
 * failure while draining belongs to the stream, not to that command. */
static void end_stream(struct my_conn *c)
{
	struct my_stmt *s = c->stream;

	if (!s)
		return;
	stream_close(s);
	s->interrupted = true;
	if (c->parent.err_code != CORM_OK)
		corm_conn__clear_error(&c->parent);
}

/* ------------------------------------------------------------- connections */

/* The portable code for a failed connect. Everything that is not about
 * credentials means "could not get a usable session". */
static int map_connect_errno(unsigned int e)
{
	switch (e) {
	case 1044: /* ER_DBACCESS_DENIED_ERROR */
	case 1045: /* ER_ACCESS_DENIED_ERROR */
	case 1130: /* ER_HOST_NOT_PRIVILEGED */
	case 1698: /* ER_ACCESS_DENIED_NO_PASSWORD_ERROR */
		return CORM_EAUTH;
	case CR_OUT_OF_MEMORY:
		return CORM_ENOMEM;
	default: /* 2002, 2003, 2005, 2013, 1049 unknown database, ... */
		return CORM_ECONNECT;
	}
}

/* Session options, set before connecting. Non-zero when one was refused
 * (out of memory, or a client library that lacks it). */
static int set_options(MYSQL *my, int timeout_seconds)
{
	unsigned int timeout = (unsigned int)timeout_seconds, no_infile = 0;
	my_flag on = 1;
	int rc = 0;

#if !defined(LIBMYSQL_VERSION_ID) || LIBMYSQL_VERSION_ID < 80034 || \
	defined(MARIADB_PACKAGE_VERSION_ID)
	/* A silent reconnect mid-transaction would lose its writes and the
	 * session settings: a broken connection must surface. (Off is the
	 * default; MySQL 8.0.34 deprecated the option.) */
	my_flag off = 0;

	rc |= mysql_options(my, MYSQL_OPT_RECONNECT, &off);
#endif
	/* Bounds the TCP connect, the server's greeting and authentication
	 * (tested against a listener that never speaks and one that never
	 * answers the login), not the queries after. */
	if (timeout > 0)
		rc |= mysql_options(my, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
	rc |= mysql_options(my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	rc |= mysql_options(my, MYSQL_INIT_COMMAND, MY_INIT_COMMAND);
	/* Never let a server read client files (LOAD DATA LOCAL). */
	rc |= mysql_options(my, MYSQL_OPT_LOCAL_INFILE, &no_infile);
	/* We rely on MYSQL_DATA_TRUNCATED to grow column buffers. */
	rc |= mysql_options(my, MYSQL_REPORT_DATA_TRUNCATION, &on);
	return rc;
}

static int my_open(corm_conn **out, const corm_url *url, int timeout_seconds)
{
	static const char *const known[] = {"socket", NULL};
	struct my_conn *c = NULL;
	char native[16];
	unsigned int e;
	int error;

	assert(out && url && timeout_seconds >= 0);
	*out = NULL;
	if ((error = corm_url_check_params(url, known)) != CORM_OK)
		goto done;
	if (pthread_once(&library_once, library_init) != 0 ||
		library_rc != 0) {
		error = corm_error__set_thread(CORM_ERROR, NULL,
			"mysql_library_init() failed");
		goto done;
	}
	if (!(c = corm_calloc(1, sizeof(*c))) || !(c->my = mysql_init(NULL))) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL,
			"out of memory");
		goto done;
	}

	if (set_options(c->my, timeout_seconds) != 0) {
		error = corm_error__set_thread(CORM_ERROR, NULL,
			"mysql_options() refused a session option: %s",
			mysql_error(c->my));
		goto done;
	}

	/* CLIENT_MULTI_STATEMENTS: corm_exec() runs scripts.
	 * CLIENT_FOUND_ROWS: UPDATE reports matched rows, not only changed
	 * ones, as PostgreSQL and SQLite do. A NULL host means localhost
	 * through the unix socket (the default one, or ?socket=PATH). */
	if (!mysql_real_connect(c->my, url->host, url->user, url->password,
		    url->database, (unsigned int)url->port,
		    corm_url_param_get(url, "socket"),
		    CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS)) {
		e = mysql_errno(c->my);
		snprintf(native, sizeof(native), "%u", e);
		error = corm_error__set_thread(map_connect_errno(e), native,
			"%s", mysql_error(c->my));
		goto done;
	}
	c->parent.driver = &corm_mysql_driver;
	c->parent.connect_timeout = timeout_seconds;
	*out = &c->parent;
	c = NULL;
	error = CORM_OK;
done:
	if (c) {
		if (c->my)
			mysql_close(c->my);
		corm_free(c);
	}
	return error;
}

static void my_close(corm_conn *base)
{
	struct my_conn *c = (struct my_conn *)base;

	if (!c)
		return;
	mysql_close(c->my);
	corm_free(c);
}

/* Read and discard every result a query sent, so the connection is ready
 * for the next command; report the first failing statement. */
static int drain_results(struct my_conn *c)
{
	MYSQL_RES *res;
	int rc;

	for (;;) {
		res = mysql_store_result(c->my);
		if (res)
			mysql_free_result(res);
		else if (mysql_field_count(c->my) != 0)
			return conn_error(c); /* rows were due but not read */
		rc = mysql_next_result(c->my);
		if (rc < 0)
			return CORM_OK;
		if (rc > 0) /* the server stops at a failed statement */
			return conn_error(c);
	}
}

/*
 * A command over the server's max_allowed_packet makes the server answer
 * an error and close the connection (ER_NET_PACKET_TOO_LARGE), so the
 * call after it fails too. Refused here instead, before anything is sent,
 * as CORM_ETOOLONG on a connection that stays usable. `size` is the
 * command's payload (an upper bound for statement executions).
 */
static int read_max_packet(struct my_conn *c)
{
	static const char sql[] = "SELECT @@max_allowed_packet";
	MYSQL_RES *res;
	MYSQL_ROW row;

	if (mysql_real_query(c->my, sql, sizeof(sql) - 1) != 0 ||
		!(res = mysql_store_result(c->my)))
		return conn_error(c);
	row = mysql_fetch_row(res);
	c->max_packet = row && row[0] ? strtoull(row[0], NULL, 10) : 0;
	mysql_free_result(res);
	if (c->max_packet < MY_MIN_PACKET)
		return corm_conn__set_error(&c->parent, CORM_ERROR, NULL,
			"could not read the server's max_allowed_packet");
	return CORM_OK;
}

static int check_packet(struct my_conn *c, uint64_t size)
{
	int error;

	if (size <= MY_MIN_PACKET)
		return CORM_OK;
	if (!c->max_packet && (error = read_max_packet(c)) != CORM_OK)
		return error;
	if (size <= c->max_packet)
		return CORM_OK;
	/* The native code is the one the server would have answered. */
	return corm_conn__set_error(&c->parent, CORM_ETOOLONG, "1153",
		"the statement and its values take %" PRIu64 " bytes, more than "
		"the server's max_allowed_packet (%" PRIu64 " bytes); nothing "
		"was sent", size, c->max_packet);
}

static int my_exec(corm_conn *base, const char *sql)
{
	struct my_conn *c = (struct my_conn *)base;
	int error;

	assert(c && sql);
	end_stream(c);
	if ((error = check_packet(c, 1 + (uint64_t)strlen(sql))) != CORM_OK)
		return error;
	if (mysql_real_query(c->my, sql, (unsigned long)strlen(sql)) != 0)
		return conn_error(c);
	return drain_results(c);
}

static int my_ping(corm_conn *base)
{
	struct my_conn *c = (struct my_conn *)base;

	assert(c);
	end_stream(c);
	if (mysql_ping(c->my) != 0) {
		char native[16];

		snprintf(native, sizeof(native), "%u", mysql_errno(c->my));
		return corm_conn__set_error(base, CORM_ECONNLOST, native, "%s",
			mysql_error(c->my));
	}
	return CORM_OK;
}

/* --------------------------------------------------------------- statements */

/* Point `s->fields` at the statement's current result columns, after
 * anything that may have replaced the library's field array (see
 * result_refresh). The result binds must then be set up again. */
static int meta_refresh(struct my_stmt *s)
{
	if (s->meta)
		mysql_free_result(s->meta);
	s->meta = NULL;
	s->fields = NULL;
	s->ncols = 0;
	s->bound = false;
	if (mysql_stmt_field_count(s->st) == 0)
		return CORM_OK;
	if (!(s->meta = mysql_stmt_result_metadata(s->st)))
		return stmt_error(s);
	s->fields = mysql_fetch_fields(s->meta);
	s->ncols = mysql_num_fields(s->meta);
	return CORM_OK;
}

static int my_prepare(corm_stmt **out, corm_conn *base, const char *sql)
{
	struct my_conn *c = (struct my_conn *)base;
	struct my_stmt *s = NULL;
	unsigned long nparams;
	int error;

	assert(out && c && sql);
	*out = NULL;
	end_stream(c);
	if (!(s = corm_calloc(1, sizeof(*s)))) {
		error = corm_conn__set_error(base, CORM_ENOMEM, NULL,
			"out of memory");
		goto done;
	}
	s->parent.conn = base; /* for stmt_error(); the core sets it too */
	if (!(s->st = mysql_stmt_init(c->my))) {
		error = conn_error(c);
		goto done;
	}
	if (mysql_stmt_prepare(s->st, sql, (unsigned long)strlen(sql)) != 0) {
		error = stmt_error(s);
		goto done;
	}
	nparams = mysql_stmt_param_count(s->st);
	assert(nparams <= 65535);
	if (nparams > 0 &&
		!(s->pbind = corm_calloc(nparams, sizeof(*s->pbind)))) {
		error = corm_conn__set_error(base, CORM_ENOMEM, NULL,
			"out of memory");
		goto done;
	}
	if ((error = meta_refresh(s)) != CORM_OK)
		goto done;
	s->parent.nparams = (int)nparams;
	*out = &s->parent;
	s = NULL;
	error = CORM_OK;
done:
	if (s) {
		if (s->st)
			mysql_stmt_close(s->st);
		corm_free(s->pbind);
		corm_free(s);
	}
	return error;
}

/* ---------------------------------------------------------- parameters */

/* Describe s->params to the library. Buffers point into the core's
 * values and the caller's bytes, which outlive the execute. Only
 * buffer_type, buffer and buffer_length are ever set, each time: the
 * rest of pbind stays as calloc() left it (the library copies the binds,
 * it never writes to them), so it need not be cleared per run. */
static int bind_params(struct my_stmt *s)
{
	static char empty[1] = ""; /* a non-NULL buffer for empty values */
	int i;

	if (s->parent.nparams == 0)
		return CORM_OK;
	assert(s->pbind && s->parent.params);
	for (i = 0; i < s->parent.nparams; i++) {
		corm_value *v = &s->parent.params[i];
		MYSQL_BIND *b = &s->pbind[i];

		b->buffer_length = 0; /* read for strings only */
		switch (v->type) {
		case CORM_TYPE_NULL:
			b->buffer_type = MYSQL_TYPE_NULL;
			b->buffer = NULL;
			break;
		case CORM_TYPE_INT:
			b->buffer_type = MYSQL_TYPE_LONGLONG;
			b->buffer = &v->v.i;
			break;
		case CORM_TYPE_DOUBLE:
			b->buffer_type = MYSQL_TYPE_DOUBLE;
			b->buffer = &v->v.d;
			break;
		case CORM_TYPE_TEXT:
		case CORM_TYPE_BLOB:
			/* The server reads STRING in the connection's utf8mb4
			 * and BLOB as binary, so bytes go through untouched.
			 * The cast drops const only because MYSQL_BIND has
			 * none: parameters are read, never written. */
			b->buffer_type = v->type == CORM_TYPE_TEXT ?
				MYSQL_TYPE_STRING : MYSQL_TYPE_BLOB;
			b->buffer = v->v.bytes.ptr ? (void *)v->v.bytes.ptr :
				empty;
			if (v->v.bytes.len > ULONG_MAX)
				return corm_conn__set_error(s->parent.conn,
					CORM_ETOOLONG, NULL,
					"parameter %d is too long", i + 1);
			b->buffer_length = (unsigned long)v->v.bytes.len;
			break;
		default:
			assert(!"unknown corm_type");
			return corm_conn__set_error(s->parent.conn, CORM_EINVAL,
				NULL, "parameter %d: unknown type", i + 1);
		}
	}
	if (mysql_stmt_bind_param(s->st, s->pbind) != 0)
		return stmt_error(s);
	return CORM_OK;
}

/* ------------------------------------------------------------- results */

/* Binary-charset string types are bytes; so are dates and decimals by
 * their charset number, which is why the type is checked too. */
static bool is_binary_string(const MYSQL_FIELD *f)
{
	if (f->charsetnr != MY_BINARY_CHARSET)
		return false;
	switch (f->type) {
	case MYSQL_TYPE_TINY_BLOB:
	case MYSQL_TYPE_MEDIUM_BLOB:
	case MYSQL_TYPE_LONG_BLOB:
	case MYSQL_TYPE_BLOB:
	case MYSQL_TYPE_VAR_STRING:
	case MYSQL_TYPE_STRING:
	case MYSQL_TYPE_VARCHAR:
	case MYSQL_TYPE_GEOMETRY:
		return true;
	default:
		return false;
	}
}

static enum my_kind column_kind(const MYSQL_FIELD *f)
{
	switch (f->type) {
	case MYSQL_TYPE_TINY: /* TINYINT(1), our bool, too */
	case MYSQL_TYPE_SHORT:
	case MYSQL_TYPE_INT24:
	case MYSQL_TYPE_LONG:
	case MYSQL_TYPE_LONGLONG:
	case MYSQL_TYPE_YEAR:
		return (f->flags & UNSIGNED_FLAG) ? MY_KIND_UINT : MY_KIND_INT;
	case MYSQL_TYPE_FLOAT:
		return MY_KIND_FLOAT;
	case MYSQL_TYPE_DOUBLE:
		return MY_KIND_DOUBLE;
	case MYSQL_TYPE_BIT:
		return MY_KIND_BIT;
	default:
		/* DECIMAL, dates and times (the library formats them as
		 * "YYYY-MM-DD HH:MM:SS[.ffffff]"), ENUM, SET, JSON, text. */
		return is_binary_string(f) ? MY_KIND_BLOB : MY_KIND_TEXT;
	}
}

static bool kind_has_buffer(enum my_kind k)
{
	return k == MY_KIND_BIT || k == MY_KIND_TEXT || k == MY_KIND_BLOB;
}

/* Make `col`'s buffer hold at least `need` bytes plus a NUL. The old
 * contents are not kept: the value is fetched again. */
static int col_reserve(struct my_col *col, unsigned long need)
{
	unsigned long cap;
	char *p;

	if (need <= col->cap && col->buf)
		return CORM_OK;
	if (need >= ULONG_MAX / 2)
		return CORM_ENOMEM;
	cap = col->cap * 2 > need ? col->cap * 2 : need; /* amortise growth */
	if (cap < MY_COL_MIN)
		cap = MY_COL_MIN;
	if (!(p = corm_realloc(col->buf, (size_t)cap + 1)))
		return CORM_ENOMEM;
	col->buf = p;
	col->cap = cap;
	return CORM_OK;
}

/* Point result bind `i` at column `i`'s storage. */
static void bind_column(struct my_stmt *s, unsigned int i)
{
	MYSQL_BIND *b = &s->rbind[i];
	struct my_col *col = &s->cols[i];

	memset(b, 0, sizeof(*b));
	b->is_null = &col->is_null;
	b->length = &col->len;
	b->error = &col->error;
	switch (col->kind) {
	case MY_KIND_INT:
	case MY_KIND_UINT:
		b->buffer_type = MYSQL_TYPE_LONGLONG;
		b->buffer = &col->num.i;
		/* Same signedness as the column: no conversion, no
		 * truncation; column_value() range-checks. */
		b->is_unsigned = col->kind == MY_KIND_UINT;
		break;
	case MY_KIND_FLOAT:
		b->buffer_type = MYSQL_TYPE_FLOAT;
		b->buffer = &col->num.f;
		break;
	case MY_KIND_DOUBLE:
		b->buffer_type = MYSQL_TYPE_DOUBLE;
		b->buffer = &col->num.d;
		break;
	case MY_KIND_BIT:
	case MY_KIND_BLOB:
	case MY_KIND_TEXT:
		b->buffer_type = col->kind == MY_KIND_TEXT ? MYSQL_TYPE_STRING :
			MYSQL_TYPE_BLOB;
		b->buffer = col->buf;
		b->buffer_length = col->cap;
		break;
	}
}

/* Set up the result binds for the columns in s->fields. */
static int result_bind(struct my_stmt *s)
{
	unsigned int i;

	assert(s->fields && s->ncols > 0);
	s->bound = false; /* until mysql_stmt_bind_result() has them all */
	if (s->ncols > s->cols_cap) {
		MYSQL_BIND *rbind;
		struct my_col *cols;

		rbind = corm_realloc(s->rbind, s->ncols * sizeof(*rbind));
		if (!rbind)
			goto nomem;
		s->rbind = rbind;
		if (!(cols = corm_realloc(s->cols, s->ncols * sizeof(*cols))))
			goto nomem;
		memset(cols + s->cols_cap, 0,
			(s->ncols - s->cols_cap) * sizeof(*cols));
		s->cols = cols;
		s->cols_cap = s->ncols;
	}
	for (i = 0; i < s->ncols; i++) {
		struct my_col *col = &s->cols[i];
		unsigned long start;

		col->kind = column_kind(&s->fields[i]);
		if (kind_has_buffer(col->kind) && !col->buf) {
			/* Short columns fit at once; long ones grow when a
			 * value needs it (the declared length of a LONGTEXT
			 * is 4 GiB). */
			start = s->fields[i].length < MY_COL_START ?
				s->fields[i].length : MY_COL_START;
			if (col_reserve(col, start) != CORM_OK)
				goto nomem;
		}
		bind_column(s, i);
	}
	if (mysql_stmt_bind_result(s->st, s->rbind) != 0)
		return stmt_error(s);
	s->bound = true;
	return CORM_OK;
nomem:
	return corm_conn__set_error(s->parent.conn, CORM_ENOMEM, NULL,
		"out of memory");
}

/*
 * Binds kept from an earlier run still fit when every column has the
 * kind it had: the library updates a kept field array in place (a column's
 * type may change between runs: SELECT ?), and the binds point at our own
 * buffers, which stay.
 */
static bool kinds_unchanged(const struct my_stmt *s)
{
	unsigned int i;

	for (i = 0; i < s->ncols; i++)
		if (column_kind(&s->fields[i]) != s->cols[i].kind)
			return false;
	return true;
}

/*
 * After a run: make s->fields and the result binds describe its result,
 * as cheaply as the library allows. Connector/C (and libmysqlclient)
 * keep a statement's field array from run to run, updating each column's
 * type in place, and replace it only when the statement had no columns
 * before the run, when more results follow (a CALL), or in
 * mysql_stmt_next_result() and mysql_stmt_prepare() (both followed here by
 * meta_refresh()). `meta` points into that array, so it is fetched again
 * only then, and the binds are redone only when a column changed kind: a
 * statement run again and again costs no allocation and no
 * mysql_stmt_bind_result() (about 1,000 instructions a run).
 */
static int result_refresh(struct my_stmt *s)
{
	int error;

	if (mysql_stmt_field_count(s->st) != s->ncols ||
		mysql_stmt_more_results(s->st)) {
		if ((error = meta_refresh(s)) != CORM_OK)
			return error;
	}
	if (s->ncols == 0 || (s->bound && kinds_unchanged(s)))
		return CORM_OK;
	return result_bind(s);
}

/* After a fetch, read again every value its buffer was too small for
 * (the bind's length says how long it really is), then rebind so the
 * next rows use the bigger buffers. */
static MY_NOINLINE int result_fix_truncated(struct my_stmt *s)
{
	bool grown = false;
	unsigned int i;
	int error = CORM_OK;

	for (i = 0; i < s->ncols; i++) {
		struct my_col *col = &s->cols[i];
		MYSQL_BIND b;

		if (!kind_has_buffer(col->kind) || col->is_null)
			continue;
		if (col->len <= col->cap) {
			col->buf[col->len] = '\0';
			continue;
		}
		/* From here the library's copy of the bind may point at the
		 * old buffer: rebind below, whatever happens. */
		grown = true;
		if (col_reserve(col, col->len) != CORM_OK) {
			error = corm_conn__set_error(s->parent.conn,
				CORM_ENOMEM, NULL,
				"out of memory for a value of %lu bytes",
				col->len);
			break;
		}
		if (col->cap > MY_COL_KEEP)
			s->big_bufs = true; /* given back at reset */
		bind_column(s, i);
		b = s->rbind[i];
		if (mysql_stmt_fetch_column(s->st, &b, i, 0) != 0) {
			error = stmt_error(s);
			break;
		}
		assert(col->len <= col->cap);
		col->buf[col->len] = '\0';
	}
	if (grown && mysql_stmt_bind_result(s->st, s->rbind) != 0) {
		s->bound = false;
		if (error == CORM_OK)
			error = stmt_error(s);
	}
	return error;
}

/* Read and discard further results a CALL leaves behind (at least its
 * final status), so the connection can run the next command. */
static int stmt_drain_more(struct my_stmt *s)
{
	bool drained = false;
	int rc, error = CORM_OK;

	while (mysql_stmt_more_results(s->st)) {
		drained = true;
		rc = mysql_stmt_next_result(s->st);
		if (rc < 0)
			break;
		if (rc > 0) {
			error = stmt_error(s);
			break;
		}
		if (mysql_stmt_field_count(s->st) > 0)
			mysql_stmt_free_result(s->st);
	}
	if (drained && meta_refresh(s) != CORM_OK && error == CORM_OK)
		error = stmt_error(s);
	return error;
}

/* True when `sql` is a plain SELECT, which can safely run twice. */
static bool is_select(const char *sql)
{
	while (*sql == ' ' || *sql == '\t' || *sql == '\n' || *sql == '\r' ||
		*sql == '(')
		sql++;
	return strncasecmp(sql, "select", 6) == 0 &&
		!(sql[6] == '_' || (sql[6] >= 'a' && sql[6] <= 'z') ||
			(sql[6] >= 'A' && sql[6] <= 'Z') ||
			(sql[6] >= '0' && sql[6] <= '9'));
}

/* Prepare the handle again, from the SQL the core keeps. On failure the
 * handle stays unprepared, and the next step tries again. */
static int stmt_prepare_again(struct my_stmt *s)
{
	const char *sql = s->parent.sql;

	assert(sql);
	s->unprepared = true;
	(void)mysql_stmt_free_result(s->st); /* rows still on the wire */
	if (mysql_stmt_prepare(s->st, sql, (unsigned long)strlen(sql)) != 0) {
		int error = stmt_error(s);

		(void)meta_refresh(s);
		return error;
	}
	if (mysql_stmt_param_count(s->st) != (unsigned long)s->parent.nparams)
		return corm_conn__set_error(s->parent.conn, CORM_ERROR, NULL,
			"the statement has another parameter count now");
	s->unprepared = false;
	return meta_refresh(s);
}

/*
 * The first step: send the parameters and run.
 *
 * A table the statement uses may have changed since it was prepared. The
 * server then prepares it again by itself, but (1615) may give up, before
 * running it, or may answer with another number of columns, which the
 * client library refuses (2057) after the server ran it. Either way the
 * handle is prepared again, so later runs work; the statement runs again
 * at once only when that cannot do anything twice: always after 1615, and
 * after 2057 only for a SELECT.
 */
/* An upper bound of the COM_STMT_EXECUTE packet's payload for s's
 * parameters: the 10-byte header, the NULL bitmap and its flag, two type
 * bytes a parameter, and each value (a string with a 9-byte length). */
static uint64_t execute_packet_size(const struct my_stmt *s)
{
	int i, n = s->parent.nparams;
	uint64_t size = 10 + (uint64_t)(n + 7) / 8 + 1;

	for (i = 0; i < n; i++) {
		const corm_value *v = &s->parent.params[i];

		size += 2;
		if (v->type == CORM_TYPE_TEXT || v->type == CORM_TYPE_BLOB)
			size += 9 + (uint64_t)v->v.bytes.len;
		else
			size += 8;
	}
	return size;
}

static int stmt_execute(struct my_stmt *s)
{
	bool retried = false;
	unsigned int e;
	int error;

	end_stream((struct my_conn *)s->parent.conn);
	if (s->unprepared && (error = stmt_prepare_again(s)) != CORM_OK)
		return error;
again:
	if ((error = bind_params(s)) != CORM_OK ||
		(error = check_packet((struct my_conn *)s->parent.conn,
			 execute_packet_size(s))) != CORM_OK)
		return error;
	if (mysql_stmt_execute(s->st) != 0) {
		e = mysql_stmt_errno(s->st);
		if (!retried && (e == 1615 || e == CR_NEW_STMT_METADATA)) {
			bool rerun = e == 1615 || is_select(s->parent.sql);
			char msg[MYSQL_ERRMSG_SIZE + 100];

			snprintf(msg, sizeof(msg), "%s (a table changed since "
				"the statement was prepared; run it again)",
				mysql_stmt_error(s->st));
			if ((error = stmt_prepare_again(s)) != CORM_OK)
				return error;
			if (!rerun)
				return set_error(s->parent.conn, e, msg);
			retried = true;
			goto again;
		}
		error = stmt_error(s);
		(void)meta_refresh(s); /* the failed run may have replaced it */
		return error;
	}
	s->executed = true;
	if ((error = result_refresh(s)) != CORM_OK)
		goto fail;
	if (s->ncols == 0)
		return stmt_drain_more(s);
	s->has_result = true;
	/* Streaming: mysql_stmt_fetch() reads each row from the socket, and
	 * the connection is ours until the last one (see end_stream). */
	if (s->parent.streaming) {
		struct my_conn *c = (struct my_conn *)s->parent.conn;

		assert(!c->stream);
		c->stream = s;
		s->stream_open = true;
		return CORM_OK;
	}
	/* Buffered: the whole result comes over now and the connection is
	 * free for other statements while this one is read. */
	if (mysql_stmt_store_result(s->st) != 0) {
		error = stmt_error(s);
		goto fail;
	}
	return CORM_OK;
fail:
	/* Rows left unread would block every other command on the
	 * connection ("commands out of sync"): discard them now. */
	s->done = true;
	(void)mysql_stmt_free_result(s->st);
	return error;
}

static int my_step(corm_stmt *base)
{
	struct my_stmt *s = (struct my_stmt *)base;
	int rc, error;

	assert(s && s->st);
	s->row = false;
	if (!s->executed) {
		if ((error = stmt_execute(s)) != CORM_OK)
			return error;
		if (!s->has_result) {
			s->done = true;
			return CORM_DONE;
		}
	}
	if (!s->has_result || s->done) {
		if (s->interrupted)
			return corm_conn__set_error(base->conn, CORM_EINVAL, NULL,
				"stream interrupted: another command ran on the "
				"connection while this statement streamed rows, so "
				"its unread rows were discarded (reset it to run it "
				"again)");
		if (s->stream_error)
			return corm_conn__set_error(base->conn, s->stream_error,
				s->stream_native, "the statement failed mid-stream "
				"(see the step that failed); reset it to run it "
				"again");
		return CORM_DONE;
	}
	rc = mysql_stmt_fetch(s->st);
	if (rc == MYSQL_NO_DATA) {
		s->done = true;
		if (s->stream_open) {
			((struct my_conn *)base->conn)->stream = NULL;
			s->stream_open = false;
		}
		if ((error = stmt_drain_more(s)) != CORM_OK)
			return error;
		return CORM_DONE;
	}
	if (rc != 0 && rc != MYSQL_DATA_TRUNCATED) {
		s->done = true;
		error = fetch_error(s);
		if (s->stream_open) {
			/* The server ended the stream with an error: make sure
			 * nothing of it is left on the wire. */
			s->stream_error = error;
			snprintf(s->stream_native, sizeof(s->stream_native),
				"%s", base->conn->err_native);
			stream_close(s);
		}
		return error;
	}
	/* Only a fetch that says so has values its buffers were too small
	 * for (MYSQL_REPORT_DATA_TRUNCATION is on); column_value() writes
	 * the NUL after the others. */
	if (rc == MYSQL_DATA_TRUNCATED &&
		(error = result_fix_truncated(s)) != CORM_OK)
		return error;
	s->row = true;
	return CORM_ROW;
}

/* No mysql_stmt_reset(): it costs a round trip (COM_STMT_RESET) to clear
 * long data and cursors, which we never use, and mysql_stmt_execute()
 * starts a statement over by itself. Freeing the result is enough. */
static int my_reset(corm_stmt *base)
{
	struct my_stmt *s = (struct my_stmt *)base;
	int error = CORM_OK;
	unsigned int i;

	assert(s && s->st);
	/* A run without a result set (an INSERT) left nothing to free: its
	 * further results, if any, were drained when it ran. */
	if (s->executed && s->has_result) {
		if (mysql_stmt_free_result(s->st) != 0)
			error = stmt_error(s);
		else if (mysql_stmt_more_results(s->st))
			error = stmt_drain_more(s);
	}
	if (s->stream_open) {
		((struct my_conn *)base->conn)->stream = NULL;
		s->stream_open = false;
	}
	s->executed = s->has_result = s->row = s->done = false;
	s->interrupted = false;
	s->stream_error = 0;
	if (s->big_bufs) {
		for (i = 0; i < s->cols_cap; i++) {
			if (s->cols[i].cap > MY_COL_KEEP) {
				corm_free(s->cols[i].buf);
				s->cols[i].buf = NULL;
				s->cols[i].cap = 0;
			}
		}
		s->big_bufs = false;
		s->bound = false; /* the library's binds point at them */
	}
	return error;
}

static void my_finalize(corm_stmt *base)
{
	struct my_stmt *s = (struct my_stmt *)base;
	unsigned int i;

	if (!s)
		return;
	/* Closing sends a command: the connection must be free of any
	 * stream, this statement's own included. */
	if (s->stream_open)
		stream_close(s);
	else
		end_stream((struct my_conn *)base->conn);
	if (s->meta)
		mysql_free_result(s->meta);
	if (s->st)
		mysql_stmt_close(s->st);
	for (i = 0; i < s->cols_cap; i++)
		corm_free(s->cols[i].buf);
	corm_free(s->cols);
	corm_free(s->rbind);
	corm_free(s->pbind);
	corm_free(s);
}

/* ---------------------------------------------------------- reading columns */

static int my_column_count(const corm_stmt *base)
{
	const struct my_stmt *s = (const struct my_stmt *)base;

	return (int)s->ncols;
}

static const char *my_column_name(const corm_stmt *base, int col)
{
	const struct my_stmt *s = (const struct my_stmt *)base;

	assert(col >= 0 && (unsigned int)col < s->ncols);
	if (col < 0 || (unsigned int)col >= s->ncols)
		return NULL;
	return s->fields[col].name;
}

/* FLOAT is single precision: widening 1.1f gives 1.100000023841858.
 * Going through the shortest decimal that reads back as the same float
 * gives 1.1, what PostgreSQL's real and SQLite return. */
static double float_to_double(float f)
{
	char text[32];
	int prec;

	if (!isfinite(f))
		return (double)f;
	for (prec = 6; prec < 9; prec++) { /* FLT_DIG .. FLT_DECIMAL_DIG */
		snprintf(text, sizeof(text), "%.*g", prec, (double)f);
		if (strtof(text, NULL) == f)
			return strtod(text, NULL);
	}
	snprintf(text, sizeof(text), "%.9g", (double)f);
	return strtod(text, NULL);
}

/* An unsigned or BIT value, which must fit in an int64. */
static MY_NOINLINE int column_unsigned(corm_value *out, struct my_stmt *s,
	int col, uint64_t u)
{
	if (u > INT64_MAX)
		return corm_conn__set_error(s->parent.conn, CORM_ERANGE, NULL,
			"column %d: unsigned value %" PRIu64
			" does not fit in int64", col, u);
	out->type = CORM_TYPE_INT;
	out->v.i = (int64_t)u;
	return CORM_OK;
}

/* Every kind but the integer and text ones. */
static MY_NOINLINE int column_other(corm_value *out, struct my_stmt *s,
	int col)
{
	struct my_col *c = &s->cols[col];
	uint64_t u;
	unsigned long i;

	switch (c->kind) {
	case MY_KIND_UINT:
		return column_unsigned(out, s, col, c->num.u);
	case MY_KIND_BIT:
		/* BIT(n) arrives as ceil(n/8) big-endian bytes. */
		u = 0;
		for (i = 0; i < c->len && i < 8; i++)
			u = u << 8 | (unsigned char)c->buf[i];
		return column_unsigned(out, s, col, u);
	case MY_KIND_FLOAT:
		out->type = CORM_TYPE_DOUBLE;
		out->v.d = float_to_double(c->num.f);
		return CORM_OK;
	case MY_KIND_DOUBLE:
		out->type = CORM_TYPE_DOUBLE;
		out->v.d = c->num.d;
		return CORM_OK;
	default:
		break;
	}
	assert(!"unknown column kind");
	return corm_conn__set_error(s->parent.conn, CORM_ERROR, NULL,
		"column %d has an unknown kind", col);
}

static int my_column_value(corm_value *out, corm_stmt *base, int col)
{
	struct my_stmt *s = (struct my_stmt *)base;
	struct my_col *c;

	assert(out && s && col >= 0 && (unsigned int)col < s->ncols);
	if (!s->row)
		return corm_conn__set_error(base->conn, CORM_EINVAL, NULL,
			"no row to read: corm_step() did not return CORM_ROW");
	c = &s->cols[col];
	if (c->is_null) {
		out->type = CORM_TYPE_NULL;
		return CORM_OK;
	}
	switch (c->kind) {
	case MY_KIND_INT:
		out->type = CORM_TYPE_INT;
		out->v.i = c->num.i;
		return CORM_OK;
	case MY_KIND_TEXT:
	case MY_KIND_BLOB:
		/* A fetch that did not report truncation fitted every value
		 * (my_step); the check keeps a library that failed to report
		 * one from reading past the buffer. */
		if (c->len > c->cap)
			return corm_conn__set_error(base->conn, CORM_ERROR, NULL,
				"column %d: value truncated by the client library",
				col);
		c->buf[c->len] = '\0';
		out->type = c->kind == MY_KIND_TEXT ? CORM_TYPE_TEXT :
			CORM_TYPE_BLOB;
		out->v.bytes.ptr = c->buf;
		out->v.bytes.len = c->len;
		return CORM_OK;
	default:
		return column_other(out, s, col);
	}
}

/*
 * A row straight into the caller's struct (corm/driver.h, read_row): the
 * fetch already put each value in its column's bind buffer, so a signed
 * integer or a text column is stored from there as my_column_value() and
 * the core's reader would, without a corm_value per column or a call
 * through the vtable. Anything else (unsigned, BIT, floats, blobs, a NULL
 * to refuse, a truncated value, a value for a field of another kind) is
 * left to the core, which reads that column through my_column_value().
 */
static int my_read_row(corm_stmt *base, int first_col,
	const corm_field_desc *fields, int n, void *row, corm_arena *arena)
{
	struct my_stmt *s = (struct my_stmt *)base;
	int i;

	if (!s->row)
		return 0; /* my_column_value() says why */
	for (i = 0; i < n; i++) {
		const corm_field_desc *f = &fields[i];
		struct my_col *c = &s->cols[first_col + i];

		assert((unsigned int)(first_col + i) < s->ncols);
		if (!corm_put_direct(f))
			return i;
		if (c->is_null) {
			if (!corm_put_null(f, row))
				return i;
			continue;
		}
		switch (c->kind) {
		case MY_KIND_INT:
			if (!corm_put_int(f, row, c->num.i))
				return i;
			break;
		case MY_KIND_TEXT:
			if (c->len > c->cap)
				return i; /* my_column_value() reports it */
			c->buf[c->len] = '\0';
			if (!corm_put_text(f, row, arena, c->buf, c->len))
				return i;
			break;
		default:
			return i;
		}
	}
	return n;
}

static int my_changes(int64_t *out, corm_stmt *base)
{
	struct my_stmt *s = (struct my_stmt *)base;
	uint64_t n;

	assert(out && s);
	n = (uint64_t)mysql_stmt_affected_rows(s->st);
	*out = n == UINT64_MAX ? 0 : (int64_t)n; /* all ones: an error */
	return CORM_OK;
}

static int my_last_insert_id(int64_t *out, corm_stmt *base)
{
	struct my_stmt *s = (struct my_stmt *)base;

	assert(out && s);
	*out = (int64_t)mysql_stmt_insert_id(s->st);
	return CORM_OK;
}

/* ------------------------------------------------------------------ vtable */

const corm_driver corm_mysql_driver = {
	.version = CORM_DRIVER_VERSION,
	.name = "mysql",
	.dialect = &corm_dialect_mysql,
	.open = my_open,
	.close = my_close,
	.exec = my_exec,
	.prepare = my_prepare,
	.finalize = my_finalize,
	.step = my_step,
	.reset = my_reset,
	.column_count = my_column_count,
	.column_name = my_column_name,
	.column_value = my_column_value,
	.changes = my_changes,
	.last_insert_id = my_last_insert_id,
	.ping = my_ping,
	.read_row = my_read_row,
};
