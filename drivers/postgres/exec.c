/*
 * postgres/exec.c — the PostgreSQL driver: streaming and running SQL: a
 * streaming statement's hold on the connection, reading a command's results,
 * DEALLOCATEs deferred to an idle session.
 */
#include "internal.h"

/* --------------------------------------------------------------- streaming */

/*
 * A streaming statement keeps the connection busy until its last result
 * is read: libpq refuses to send anything else meanwhile. So whatever
 * needs the connection first ends the stream (corm_pg__end_stream), and the
 * statement's next step says it was interrupted.
 */

bool corm_pg__is_row_result(const PGresult *res)
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
void corm_pg__stream_close(struct pg_stmt *s)
{
	struct pg_conn *conn = PG_CONN(s->parent.conn);
	PGresult *r;
	long rows = 0;
	bool cancelled = false;

	assert(s->stream_open && conn->stream == s);
	while ((r = PQgetResult(conn->pg)) != NULL) {
		/* Only a SELECT outside a transaction: cancelling aborts the
		 * transaction, and would undo a data-changing statement. */
		if (corm_pg__is_row_result(r) && ++rows >= PG_STREAM_CANCEL_AFTER &&
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
void corm_pg__end_stream(struct pg_conn *conn)
{
	struct pg_stmt *s = conn->stream;

	if (!s)
		return;
	corm_pg__stream_close(s);
	s->interrupted = true;
}

/* True when `sql` starts with SELECT, which is safe to cancel outside a
 * transaction (a WITH may hold a data-changing statement). */
bool corm_pg__is_plain_select(const char *sql)
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
PGresult *corm_pg__collect(PGconn *pg)
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
		if (!keep || (corm_pg__result_failed(r) && !corm_pg__result_failed(keep))) {
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
		error = corm_pg__error(c, NULL);
		goto done;
	}
	res = corm_pg__collect(pg);
	if (!res || corm_pg__result_failed(res)) {
		error = corm_pg__error(c, res);
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

int corm_pg__exec(corm_conn *c, const char *sql)
{
	assert(c && sql);
	corm_pg__end_stream(PG_CONN(c));
	return run_simple(c, sql);
}

int corm_pg__ping(corm_conn *c)
{
	PGconn *pg = PG_CONN(c)->pg;
	PGresult *res;
	int error = CORM_OK;

	assert(c);
	if (PQstatus(pg) == CONNECTION_BAD)
		return corm_conn__set_error(c, CORM_ECONNLOST, NULL,
			"the connection to the server was lost");
	corm_pg__end_stream(PG_CONN(c));
	/* The empty query is answered even in a failed transaction. */
	res = PQexec(pg, "");
	if (PQstatus(pg) == CONNECTION_BAD) {
		const char *msg = PQerrorMessage(pg);

		error = corm_conn__set_error(c, CORM_ECONNLOST, NULL, "%.*s",
			corm_pg__trimmed_len(msg), msg);
	}
	PQclear(res);
	return error;
}

/*
 * Send the DEALLOCATEs of statements finalized while a transaction was
 * open. Only in an idle session: DEALLOCATE cannot run in a failed
 * transaction, and if it failed inside a good one it would abort it.
 */
void corm_pg__flush_deallocs(struct pg_conn *conn)
{
	PGresult *res;

	if (conn->dealloc.len == 0 ||
		PQtransactionStatus(conn->pg) != PQTRANS_IDLE)
		return;
	res = PQexec(conn->pg, corm_buf_cstr(&conn->dealloc));
	PQclear(res);
	corm_buf_clear(&conn->dealloc);
}
