/*
 * postgres/copy.c — the PostgreSQL driver: COPY ... FROM STDIN: bulk loads
 * in text format.
 */
#include "internal.h"

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
		p = corm_pg__format_int(num, v->v.i);
		return corm_buf_put(b, p, (size_t)(num + sizeof(num) - 1 - p));
	case CORM_TYPE_DOUBLE:
		corm_pg__format_double(num, sizeof(num), v->v.d, loc);
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
		error = corm_pg__error(&conn->parent, res);
	PQclear(res);
	return error;
}

/* corm_pg__copy_in_rows() once the session's TimeZone is UTC. */
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
		error = corm_pg__error(c, res);
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
					error = corm_pg__error(c, NULL);
				corm_buf_clear(&b);
			}
		}
	}
	if (!error && b.len &&
		PQputCopyData(conn->pg, b.ptr, (int)b.len) != 1)
		error = corm_pg__error(c, NULL);
	corm_buf_free(&b);
	if (error == CORM_EINVAL && next_error == CORM_OK)
		corm_conn__set_error(c, error, NULL,
			"text holds a NUL byte, which PostgreSQL cannot store");
	/* A failed COPY is ended with an error so the server rolls it back. */
	if (PQputCopyEnd(conn->pg, error ? "corm: bulk insert aborted" : NULL)
		!= 1 && !error)
		return corm_pg__error(c, NULL);
	res = corm_pg__collect(conn->pg);
	if (!error && (!res || corm_pg__result_failed(res)))
		error = corm_pg__error(c, res);
	PQclear(res);
	return error;
}

/*
 * One COPY ... FROM STDIN for every row next() gives (corm/driver.h,
 * copy_in_rows): each batch is formatted into one buffer, sent every
 * PG_COPY_CHUNK bytes, so the server works on the rows sent while the
 * core converts the next batch.
 */
int corm_pg__copy_in_rows(corm_conn *c, const char *sql, int ncols,
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

	corm_pg__end_stream(conn);
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

int corm_pg__copy_in(corm_conn *c, const char *sql, const corm_value *values,
	size_t nrows, int ncols)
{
	pg_copy_all a = { values, nrows };

	return corm_pg__copy_in_rows(c, sql, ncols, copy_all_next, &a);
}
