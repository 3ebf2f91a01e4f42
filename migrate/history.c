/*
 * history.c — the `corm_migrations` table (see migrate.h): one row per
 * applied migration with its version, name, the checksum of the up SQL
 * that ran, when it ran, and — used by MySQL, where DDL commits as it
 * goes — a status ("applied", "running", "failed", "reverting") and the
 * number of statements done.
 *
 * The table is plain portable SQL so every engine reads it the same way;
 * applied_at is UTC text ("2026-01-02T03:04:05Z") written by the client.
 */
#include <string.h>

#include "corm/driver.h"
#include "corm_util.h"
#include "migrate_engine.h"
#include "migrate.h"

int corm_history_ensure(corm_conn *c)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_buf sql = CORM_BUF_INIT;
	int error;

	corm_buf_puts(&sql, "CREATE TABLE IF NOT EXISTS ");
	corm_dialect_quote(&sql, d, "corm_migrations");
	corm_buf_puts(&sql, " (\n    ");
	corm_dialect_quote(&sql, d, "version");
	corm_buf_puts(&sql, " VARCHAR(14) NOT NULL PRIMARY KEY,\n    ");
	corm_dialect_quote(&sql, d, "name");
	corm_buf_puts(&sql, " VARCHAR(255) NOT NULL,\n    ");
	corm_dialect_quote(&sql, d, "checksum");
	corm_buf_puts(&sql, " VARCHAR(64) NOT NULL,\n    ");
	corm_dialect_quote(&sql, d, "applied_at");
	corm_buf_puts(&sql, " VARCHAR(32) NOT NULL,\n    ");
	corm_dialect_quote(&sql, d, "status");
	corm_buf_puts(&sql, " VARCHAR(16) NOT NULL DEFAULT 'applied',\n    ");
	corm_dialect_quote(&sql, d, "step");
	corm_buf_printf(&sql, " INTEGER NOT NULL DEFAULT 0\n)%s",
		d->create_table_suffix ? d->create_table_suffix : "");
	error = corm_buf_error(&sql);
	if (!error)
		error = corm_exec(c, sql.ptr);
	corm_buf_free(&sql);
	return error;
}

void corm_history_free(corm_mig_history *h)
{
	size_t i;

	if (!h)
		return;
	for (i = 0; i < h->count; i++) {
		corm_free(h->items[i].version);
		corm_free(h->items[i].name);
		corm_free(h->items[i].checksum);
		corm_free(h->items[i].applied_at);
		corm_free(h->items[i].status);
	}
	corm_free(h->items);
	h->items = NULL;
	h->count = 0;
}

static char *col_dup(corm_stmt *st, int col)
{
	const char *s;
	size_t n;

	if (corm_column_is_null(st, col) ||
		corm_column_text(&s, &n, st, col) != CORM_OK)
		return corm_strdup("");
	return corm_strndup(s, n);
}

/* Does corm_migrations exist? Asked of the catalogue, so no failing
 * statement leaves PostgreSQL's transaction aborted. */
static int history_exists(bool *out, corm_conn *c)
{
	const corm_migrate_engine *eng;
	corm_stmt *st = NULL;
	int error;

	*out = false;
	if ((error = corm_mig_engine_of(&eng, c)))
		return error;
	error = corm_stmt_prepare(&st, c, eng->history_exists_sql);
	if (!error) {
		error = corm_step(st);
		*out = error == CORM_ROW;
		error = error == CORM_ROW || error == CORM_DONE ? CORM_OK : error;
	}
	corm_stmt_free(st);
	return error;
}

int corm_history_read(corm_mig_history *out, corm_conn *c)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_buf sql = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	size_t cap = 0;
	bool exists;
	int error, rc;

	out->items = NULL;
	out->count = 0;
	if ((error = history_exists(&exists, c)) || !exists)
		return error;
	corm_buf_puts(&sql, "SELECT version, name, checksum, applied_at, "
		"status, step FROM ");
	corm_dialect_quote(&sql, d, "corm_migrations");
	corm_buf_puts(&sql, " ORDER BY version");
	if ((error = corm_buf_error(&sql)))
		goto done;
	if ((error = corm_stmt_prepare(&st, c, sql.ptr)))
		goto done;
	while ((rc = corm_step(st)) == CORM_ROW) {
		corm_mig_applied *a, *m = corm__grow(out->items, &cap,
			out->count + 1, sizeof(*m));

		if (!m) {
			error = CORM_ENOMEM;
			goto done;
		}
		out->items = m;
		a = &out->items[out->count++];
		memset(a, 0, sizeof(*a));
		a->version = col_dup(st, 0);
		a->name = col_dup(st, 1);
		a->checksum = col_dup(st, 2);
		a->applied_at = col_dup(st, 3);
		a->status = col_dup(st, 4);
		if (corm_column_int64(&a->step, st, 5) != CORM_OK)
			a->step = 0;
		if (!a->version || !a->name || !a->checksum || !a->applied_at ||
			!a->status) {
			error = CORM_ENOMEM;
			goto done;
		}
	}
	if (rc != CORM_DONE)
		error = rc;
done:
	corm_stmt_free(st);
	corm_buf_free(&sql);
	if (error)
		corm_history_free(out);
	return error;
}

const corm_mig_applied *corm_history_find(const corm_mig_history *h,
	const char *version)
{
	size_t i;

	for (i = 0; i < h->count; i++)
		if (strcmp(h->items[i].version, version) == 0)
			return &h->items[i];
	return NULL;
}
