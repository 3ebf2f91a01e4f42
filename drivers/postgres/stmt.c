/*
 * postgres/stmt.c — the PostgreSQL driver: statements: preparing and
 * describing, binding parameters as text, running, replanning, stepping and
 * streaming rows.
 */
#include "internal.h"

/* ---------------------------------------------------------------- statements */

/* Drop a named statement on the server now, or later if a transaction is
 * open (see corm_pg__flush_deallocs). */
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
	corm_pg__flush_deallocs(conn);
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
 * the statement is prepared and described again (corm_pg__stale_statement). So
 * column_value() reads a value's type from here instead of asking libpq
 * for it value by value.
 */
int corm_pg__describe_columns(struct pg_stmt *s)
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
			? corm_pg__error(c, res)
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
		error = corm_pg__error(c, res);
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
		error = corm_pg__error(c, res);
		PQclear(res);
		return error;
	}
	PQclear(s->desc);
	s->desc = res;
	s->nparams_server = PQnparams(res);
	return corm_pg__describe_columns(s);
}

int corm_pg__prepare(corm_stmt **out, corm_conn *c, const char *sql)
{
	struct pg_conn *conn = PG_CONN(c);
	struct pg_stmt *s;
	int error, n;

	assert(out && c && sql);
	*out = NULL;
	corm_pg__end_stream(conn);
	corm_pg__flush_deallocs(conn);
	if (!(s = corm_calloc(1, sizeof(*s))))
		return corm_conn__set_error(c, CORM_ENOMEM, NULL, "out of memory");
	s->row = -1;
	s->plain_select = corm_pg__is_plain_select(sql);
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

void corm_pg__finalize(corm_stmt *base)
{
	struct pg_stmt *s = PG_STMT(base);

	if (!s)
		return;
	assert(base->conn);
	if (s->stream_open)
		corm_pg__stream_close(s);
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
char *corm_pg__format_int(char *buf, int64_t v)
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
void corm_pg__format_double(char *out, size_t cap, double d, locale_t loc)
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
int corm_pg__bind_params(struct pg_stmt *s, const corm_value *p)
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
			s->values[i] = corm_pg__format_int(s->num[i], p[i].v.i);
			break;
		case CORM_TYPE_DOUBLE:
			corm_pg__format_double(s->num[i], PG_NUM_MAX, p[i].v.d,
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
int64_t corm_pg__run_changes(const struct pg_stmt *s, const PGresult *res)
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
bool corm_pg__stale_statement(const PGresult *res)
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
 * (only outside a transaction, see corm_pg__stale_statement)? */
static bool needs_replan(PGconn *pg, const PGresult *res)
{
	return PQtransactionStatus(pg) == PQTRANS_IDLE && corm_pg__stale_statement(res);
}

/* Prepare s again under a fresh name (in case the old one could not be
 * dropped). The session must be idle, outside pipeline mode. */
int corm_pg__replan(struct pg_stmt *s)
{
	corm_conn *c = s->parent.conn;

	if (s->on_server)
		deallocate(PG_CONN(c), s->name); /* idle: runs at once */
	s->on_server = false;
	snprintf(s->name, sizeof(s->name), "corm_%lu", ++PG_CONN(c)->next_id);
	return prepare_named(s, c, s->parent.sql);
}

/* Forget the decoded blobs: the next row comes in a new result. */
void corm_pg__blobs_invalidate(struct pg_stmt *s)
{
	int i;

	for (i = 0; i < s->nblobs; i++)
		s->blobs[i].row = -1;
}

/* Make `res` (not NULL) the statement's current result, before its first
 * row. Its row and column counts are kept, so stepping and reading need
 * not ask libpq for them again and again. */
void corm_pg__set_result(struct pg_stmt *s, PGresult *res)
{
	s->res = res;
	s->row = -1;
	s->nrows = corm_pg__is_row_result(res) ? PQntuples(res) : 0;
	s->ncols = PQnfields(res);
	s->types_valid = s->ncols == s->ntypes;
}

/* Free the current result, if any. */
void corm_pg__drop_result(struct pg_stmt *s)
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
int corm_pg__execute(struct pg_stmt *s)
{
	corm_conn *c = s->parent.conn;
	struct pg_conn *conn = PG_CONN(c);
	PGconn *pg = conn->pg;
	PGresult *res = NULL, *rest;
	bool retried = false, streaming;
	int error;

	corm_pg__end_stream(conn);
	if ((error = corm_pg__bind_params(s, s->parent.params)) != CORM_OK)
		return error;
	corm_pg__blobs_invalidate(s);
again:
	/* Only a stream is ever cancelled (corm_pg__stream_close). */
	s->stream_cancel = s->parent.streaming && s->plain_select &&
		PQtransactionStatus(pg) == PQTRANS_IDLE;
	if (!PQsendQueryPrepared(pg, s->name, s->parent.nparams, s->values,
		    s->lengths, s->formats, 0)) {
		error = corm_pg__error(c, NULL);
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
		if (res && corm_pg__is_row_result(res) && PQntuples(res) > 0) {
			s->changes = 0;
			corm_pg__set_result(s, res);
			s->stream_open = true;
			conn->stream = s;
			return CORM_OK;
		}
		/* No row first: what is left is the end, or an error. */
		rest = corm_pg__collect(pg);
		if (!res || (rest && corm_pg__result_failed(rest) &&
				  !corm_pg__result_failed(res))) {
			PQclear(res);
			res = rest;
		} else {
			PQclear(rest);
		}
	} else {
		res = corm_pg__collect(pg);
	}
	if (!res || corm_pg__result_failed(res)) {
		if (res && !retried && needs_replan(pg, res)) {
			PQclear(res);
			res = NULL;
			retried = true;
			if ((error = corm_pg__replan(s)) != CORM_OK)
				goto done;
			goto again;
		}
		error = corm_pg__error(c, res);
		goto done;
	}
	s->changes = corm_pg__run_changes(s, res);
	corm_pg__set_result(s, res);
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
	if (res && corm_pg__is_row_result(res) && PQntuples(res) > 0) {
		corm_pg__blobs_invalidate(s);
		corm_pg__set_result(s, res);
		s->row = 0;
		return CORM_ROW;
	}
	/* The final result (the command tag, or an error), then none. */
	rest = corm_pg__collect(conn->pg);
	conn->stream = NULL;
	s->stream_open = false;
	if (rest && (!res || (corm_pg__result_failed(rest) && !corm_pg__result_failed(res)))) {
		PQclear(res);
		res = rest;
		rest = NULL;
	}
	if (!res || corm_pg__result_failed(res)) {
		/* No result at all: libpq's own message says why. */
		if (res || PQstatus(conn->pg) == CONNECTION_BAD)
			error = corm_pg__error(c, res);
		if (error < 0) {
			s->stream_error = error;
			snprintf(s->stream_native, sizeof(s->stream_native), "%s",
				c->err_native);
		}
	} else {
		s->changes = corm_pg__run_changes(s, res);
	}
	PQclear(res);
	PQclear(rest);
	return error;
}

int corm_pg__step(corm_stmt *base)
{
	struct pg_stmt *s = PG_STMT(base);
	int error;

	assert(base && base->conn);
	if (!s->executed) {
		if ((error = corm_pg__execute(s)) != CORM_OK)
			return error;
		s->executed = true;
	}
	if (s->row + 1 < s->nrows) { /* nrows is 0 without a result */
		s->row++;
		return CORM_ROW;
	}
	/* Done with this result: its rows are no longer readable, free them
	 * now. */
	corm_pg__drop_result(s);
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

int corm_pg__reset(corm_stmt *base)
{
	struct pg_stmt *s = PG_STMT(base);

	assert(base);
	if (s->stream_open)
		corm_pg__stream_close(s);
	corm_pg__drop_result(s);
	s->executed = false;
	s->interrupted = false;
	s->stream_error = 0;
	return CORM_OK;
}

int corm_pg__changes(int64_t *out, corm_stmt *base)
{
	assert(out && base);
	*out = PG_STMT(base)->changes;
	return CORM_OK;
}
