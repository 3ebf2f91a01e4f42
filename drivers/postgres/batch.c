/*
 * postgres/batch.c — the PostgreSQL driver: batches: a corm_batch run as one
 * pipeline.
 */
#include "internal.h"

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
 * current result (as corm_pg__execute() leaves it), then take it back. */
static void batch_answer_rows(pg_batch *b, size_t i, PGresult *res)
{
	struct pg_stmt *s = PG_STMT(b->execs[i].stmt);

	corm_pg__set_result(s, res);
	s->executed = true;
	s->changes = corm_pg__run_changes(s, res);
	corm_pg__blobs_invalidate(s);
	b->answer(b->ctx, i, CORM_OK);
	corm_pg__drop_result(s); /* already done if the callback read to the end */
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
		return corm_pg__error(b->c, NULL);
	for (sent = from; sent < b->n; sent++) {
		struct pg_stmt *s = PG_STMT(b->execs[sent].stmt);

		send_error = corm_pg__bind_params(s, b->execs[sent].params);
		if (send_error == CORM_OK &&
			!PQsendQueryPrepared(pg, s->name, s->parent.nparams, s->values,
				s->lengths, s->formats, 0) &&
			(send_error = corm_pg__error(b->c, NULL)) == CORM_ECONNLOST)
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
		error = corm_pg__error(b->c, NULL);

	for (i = from; i < sent && error == CORM_OK; i++) {
		if (!(res = PQgetResult(pg))) {
			error = corm_pg__error(b->c, NULL);
			break;
		}
		if (PQresultStatus(res) == PGRES_PIPELINE_ABORTED) {
			PQclear(res); /* skipped after `failed`: sent again later */
		} else if (corm_pg__result_failed(res)) {
			int code = corm_pg__error(b->c, res);

			if (code == CORM_ECONNLOST) {
				error = code;
				PQclear(res);
				break;
			}
			if (failed == b->n) {
				failed = i;
				*stale = !b->in_tx && corm_pg__stale_statement(res);
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
			error = corm_pg__error(b->c, res);
		PQclear(res);
	}
	/* Fails only with results unread, which only a lost connection
	 * leaves: then the connection is of no further use anyway. */
	if (PQexitPipelineMode(pg) != 1 && error == CORM_OK)
		error = corm_pg__error(b->c, NULL);

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

int corm_pg__run_batch(corm_conn *c, const corm_batch_exec *execs, size_t n,
	void (*answer)(void *ctx, size_t i, int rc), void *ctx)
{
	struct pg_conn *conn = PG_CONN(c);
	pg_batch b = {c, execs, n, answer, ctx, false};
	size_t i, from = 0, next;
	bool stale;
	int error = CORM_OK;

	assert(c && execs && answer);
	/* Both run commands of their own: not inside the pipeline. */
	corm_pg__end_stream(conn);
	corm_pg__flush_deallocs(conn);
	b.in_tx = PQtransactionStatus(conn->pg) != PQTRANS_IDLE;
	for (i = 0; i < n; i++)
		PG_STMT(execs[i].stmt)->replanned = false;
	/* A statement whose re-preparing failed earlier is prepared now. */
	for (i = 0; i < n && error == CORM_OK; i++)
		if (!PG_STMT(execs[i].stmt)->on_server)
			error = corm_pg__replan(PG_STMT(execs[i].stmt));

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
				if ((error = corm_pg__replan(s)) == CORM_OK)
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
