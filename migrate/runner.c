/*
 * runner.c — applying one migration and recording it (see migrate.h);
 * what differs by engine comes from its object (migrate_engine.h).
 *
 * Engines with transactional DDL (SQLite, PostgreSQL): the statements
 * and the history row go in one transaction, so a failure leaves schema
 * and history as they were. A statement that starts a table rebuild
 * (marked CORM_MIG_MARK_REBUILD) has the engine save the table's
 * triggers and hand-made indexes first; they are made again after the
 * last statement (migrate_engine.h, save_objects). Where the BEGIN is
 * the lock between migrators (SQLite's BEGIN IMMEDIATE), the history is
 * read again inside it and a migration another process applied
 * meanwhile is skipped. A
 * migration with a line CORM_MIG_MARK_FK_OFF (render puts it first) runs,
 * where the engine says so, with `PRAGMA foreign_keys=OFF`, switched
 * before BEGIN and back after the end (SQLite ignores the pragma inside
 * a transaction); its `PRAGMA foreign_key_check` fails the migration
 * when it reports any row.
 *
 * Where each DDL statement commits (MySQL), the history row is written
 * first with status "running" and the count of statements done is
 * updated after each one; a failure marks it "failed" at that statement,
 * and nothing runs until `corm migrate resolve` says what the user did.
 *
 * A statement marked CORM_MIG_MARK_CHECK is a data check: a query
 * counting the rows the migration cannot keep; a count that is not zero
 * refuses the migration (CORM_ECHECK), its message naming the rows and
 * what the change would do to them. Where DDL commits as it goes, the
 * checks that lead the migration (corm renders every check first) run
 * before its history row is written, so a refusal leaves nothing to
 * resolve.
 *
 * The locks are the engines' (engine_<name>.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "corm/driver.h"
#include "migrate_engine.h"
#include "migrate.h"

int corm_mig__query_int(int64_t *out, corm_conn *c, const char *sql)
{
	corm_stmt *st = NULL;
	int error = corm_stmt_prepare(&st, c, sql);

	*out = 0;
	if (!error) {
		error = corm_step(st);
		if (error == CORM_ROW) {
			/* pg_advisory_lock() returns void: no value to read. */
			error = corm_column_is_null(st, 0) ||
				corm_column_type(st, 0) != CORM_TYPE_INT ? CORM_OK
				: corm_column_int64(out, st, 0);
		} else if (error == CORM_DONE) {
			error = CORM_OK;
		}
	}
	corm_stmt_free(st);
	return error;
}

int corm_mig_lock(corm_conn *c)
{
	const corm_migrate_engine *eng;
	int error = corm_mig_engine_of(&eng, c);

	return error ? error : eng->lock(c);
}

int corm_mig_unlock(corm_conn *c)
{
	const corm_migrate_engine *eng;
	int error = corm_mig_engine_of(&eng, c);

	return error ? error : eng->unlock(c);
}

static void now_utc(char out[32])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Run `sql` with text parameters (NULL-terminated list). */
static int run_params(corm_conn *c, const char *sql, ...)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_buf b = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	const char *p;
	va_list ap;
	int error, n = 0;

	/* '?' in `sql` stands for the next placeholder of the dialect. */
	for (p = sql; *p; p++) {
		if (*p == '?')
			corm_dialect_placeholder(&b, d, ++n);
		else
			corm_buf_putc(&b, *p);
	}
	if ((error = corm_buf_error(&b)))
		goto done;
	if ((error = corm_stmt_prepare(&st, c, b.ptr)))
		goto done;
	va_start(ap, sql);
	for (n = 1; !error; n++) {
		const char *v = va_arg(ap, const char *);

		if (!v)
			break;
		error = corm_bind_text(st, n, v, strlen(v));
	}
	va_end(ap);
	if (!error) {
		error = corm_step(st);
		error = error == CORM_DONE || error == CORM_ROW ? CORM_OK : error;
	}
done:
	corm_stmt_free(st);
	corm_buf_free(&b);
	return error;
}

/* Is `version` in the history? *status gets its status (or ""). */
static int history_status(char *status, size_t cap, corm_conn *c,
	const char *version)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_buf b = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	int error;

	status[0] = '\0';
	corm_buf_puts(&b, "SELECT status FROM corm_migrations WHERE version = ");
	corm_dialect_placeholder(&b, d, 1);
	if ((error = corm_buf_error(&b)))
		goto done;
	if ((error = corm_stmt_prepare(&st, c, b.ptr)) ||
		(error = corm_bind_text(st, 1, version, strlen(version))))
		goto done;
	error = corm_step(st);
	if (error == CORM_ROW) {
		const char *s;
		size_t n;

		error = corm_column_text(&s, &n, st, 0);
		if (!error)
			snprintf(status, cap, "%.*s", (int)n, s);
		if (!error && !status[0])
			snprintf(status, cap, "applied");
	} else if (error == CORM_DONE) {
		error = CORM_OK;
	}
done:
	corm_stmt_free(st);
	corm_buf_free(&b);
	return error;
}

static bool starts_with_ci(const char *s, const char *prefix)
{
	for (; *prefix; s++, prefix++)
		if ((*s | 0x20) != (*prefix | 0x20))
			return false;
	return true;
}

/* Skip leading comments and blanks of a statement. */
static const char *code_of(const char *s)
{
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (s[0] == '-' && s[1] == '-') {
			while (*s && *s != '\n')
				s++;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			s = e ? e + 2 : s + strlen(s);
		} else {
			return s;
		}
	}
}

/* ---------------------------------------------------------- data checks */

/* The message of a data check: the rest of a CORM_MIG_MARK_CHECK line
 * among the statement's leading comments (*len bytes); NULL when the
 * statement is no check. */
static const char *check_message(const char *s, size_t *len)
{
	size_t m = strlen(CORM_MIG_MARK_CHECK);

	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r')
			s++;
		if (s[0] == '-' && s[1] == '-') {
			const char *end = strchr(s, '\n');

			end = end ? end : s + strlen(s);
			if (strncmp(s, CORM_MIG_MARK_CHECK, m) == 0 &&
				(s[m] == ' ' || s + m == end)) {
				s += m + (s[m] == ' ');
				while (end > s && (end[-1] == '\r' || end[-1] == ' '))
					end--;
				*len = (size_t)(end - s);
				return s;
			}
			s = end;
		} else if (s[0] == '/' && s[1] == '*') {
			const char *e = strstr(s + 2, "*/");

			s = e ? e + 2 : s + strlen(s);
		} else {
			return NULL;
		}
	}
}

/* Run a check's query: its one row's one integer into *count. */
static int check_count(int64_t *count, corm_conn *c, const char *code,
	corm_buf *err)
{
	corm_stmt *st = NULL;
	bool a_count = false;
	int error;

	if ((error = corm_stmt_prepare(&st, c, code)))
		goto done;
	error = corm_step(st);
	if (error == CORM_ROW && corm_column_type(st, 0) == CORM_TYPE_INT &&
		!(error = corm_column_int64(count, st, 0))) {
		a_count = corm_step(st) == CORM_DONE;
		error = CORM_OK;
	} else if (error == CORM_DONE || error == CORM_ROW) {
		error = CORM_OK;
	}
	if (!error && !a_count) {
		corm_buf_puts(err, "a data check (" CORM_MIG_MARK_CHECK ") must "
			"return one row holding one integer, the count of rows that "
			"do not fit");
		error = CORM_EINVAL;
	}
done:
	corm_stmt_free(st);
	return error;
}

/*
 * Run data check `stmt` (message `msg`): a count that is not zero refuses
 * the migration with CORM_ECHECK, the count and the message in `err`.
 * `changed`: statements before it are committed (a check after DDL on
 * MySQL); then the failure is the statement's like any other
 * (CORM_ERROR), the migration being half done.
 */
static int run_check(corm_conn *c, const char *stmt, const char *msg,
	size_t len, bool up, bool changed, corm_buf *err)
{
	int64_t count = 0;
	size_t word = 0;
	int error;

	if ((error = check_count(&count, c, code_of(stmt), err)))
		return error;
	if (count == 0)
		return CORM_OK;
	corm_buf_puts(err, changed ? "a data check failed after the statements "
		"before it were committed: " : "refused before any change: ");
	/* "1 rows of" -> "1 row of" */
	while (word < len && msg[word] != ' ')
		word++;
	if (count == 1 && word > 1 && msg[word - 1] == 's')
		corm_buf_printf(err, "1 %.*s%.*s", (int)word - 1, msg,
			(int)(len - word), msg + word);
	else
		corm_buf_printf(err, "%lld %.*s", (long long)count, (int)len, msg);
	if (!changed)
		corm_buf_printf(err, ", then run 'corm migrate %s' again",
			up ? "up" : "down");
	return changed ? CORM_ERROR : CORM_ECHECK;
}

/* One statement; the engine's foreign key check reporting rows is an
 * error, and so is a data check counting rows (run_check). */
static int run_statement(corm_conn *c, const corm_migrate_engine *eng,
	const char *stmt, bool up, bool changed, corm_buf *err)
{
	const char *code = code_of(stmt);
	const char *msg;
	corm_stmt *st = NULL;
	size_t len;
	int error;

	if ((msg = check_message(stmt, &len)))
		return run_check(c, stmt, msg, len, up, changed, err);
	if (!eng->fk_check_sql || !starts_with_ci(code, eng->fk_check_sql))
		return corm_exec(c, stmt);
	if ((error = corm_stmt_prepare(&st, c, code)))
		return error;
	error = corm_step(st);
	if (error == CORM_ROW) {
		const char *t = "?";
		size_t n = 1;

		corm_column_text(&t, &n, st, 0);
		corm_buf_printf(err, "foreign keys do not hold after the migration "
			"(%s reports table %.*s)", eng->fk_check_sql, (int)n, t);
		error = CORM_EFOREIGNKEY;
	} else if (error == CORM_DONE) {
		error = CORM_OK;
	}
	corm_stmt_free(st);
	return error;
}

static void db_error(corm_buf *err, corm_conn *c, size_t i, size_t n,
	const char *stmt)
{
	if (err->len)
		return;
	corm_buf_printf(err, "statement %zu of %zu failed: %s\n    %s", i + 1, n,
		corm_errmsg(c), code_of(stmt));
}

/* When the BEGIN is the lock (SQLite), each try waits the busy timeout;
 * keep trying while another migrator holds the database (a long
 * migration outlasts one timeout). */
static int begin(corm_conn *c, const corm_migrate_engine *eng)
{
	int tries, error = CORM_OK;

	if (!eng->begin_is_lock)
		return corm_exec(c, eng->begin_sql);
	for (tries = 0; tries < 120; tries++) {
		error = corm_exec(c, eng->begin_sql);
		if (error != CORM_EBUSY)
			break;
	}
	return error;
}

/* What went wrong: the engine's words, or corm's when it has none. */
static const char *why(corm_conn *c, int error)
{
	return *corm_errmsg(c) ? corm_errmsg(c) : corm_strerror(error);
}

/*
 * Run `sql` (ROLLBACK, say) after `error`, leaving the error that caused
 * it as the connection's (code, message, native code): running anything
 * clears it, and the caller may show corm_errmsg().
 */
static void exec_keeping_error(corm_conn *c, const char *sql, int error)
{
	char msg[CORM_ERRMSG_MAX], native[32];
	size_t len, nlen;

	snprintf(msg, sizeof(msg), "%s", corm_errmsg(c));
	snprintf(native, sizeof(native), "%s", corm_errcode_native(c));
	/* The message ends in " [native]", which setting it adds again. */
	len = strlen(msg);
	nlen = strlen(native);
	if (nlen && len >= nlen + 3 && msg[len - 1] == ']' &&
		strncmp(msg + len - nlen - 3, " [", 2) == 0 &&
		strncmp(msg + len - nlen - 1, native, nlen) == 0)
		msg[len - nlen - 3] = '\0';
	corm_exec(c, sql);
	corm_conn__set_error(c, error, nlen ? native : NULL, "%s", msg);
}

static int apply_tx(bool *skipped, corm_conn *c,
	const corm_migrate_engine *eng, const corm_mig_entry *e, char **stmts,
	size_t n, const char *checksum, bool up, corm_buf *err)
{
	struct corm_mig_saved *saved = NULL;
	char status[32], at[32];
	size_t i;
	int error;

	if ((error = begin(c, eng))) {
		corm_buf_printf(err, "cannot begin the migration's transaction: "
			"%s", why(c, error));
		return error;
	}
	/* Another migrator may have got here first. */
	if ((error = history_status(status, sizeof(status), c, e->version))) {
		corm_buf_printf(err, "cannot read corm_migrations: %s",
			why(c, error));
		goto fail;
	}
	if (up ? status[0] != '\0' : status[0] == '\0') {
		*skipped = true;
		return corm_exec(c, "ROLLBACK");
	}
	for (i = 0; i < n; i++) {
		if (eng->save_objects &&
			(error = eng->save_objects(&saved, c, stmts[i], err)))
			goto fail;
		if ((error = run_statement(c, eng, stmts[i], up, false, err))) {
			db_error(err, c, i, n, stmts[i]);
			goto fail;
		}
	}
	if (saved && (error = eng->restore_objects(c, saved, err)))
		goto fail;
	now_utc(at);
	if (up)
		error = run_params(c, "INSERT INTO corm_migrations (version, name, "
			"checksum, applied_at, status, step) VALUES (?, ?, ?, ?, "
			"'applied', 0)", e->version, e->name, checksum, at, NULL);
	else
		error = run_params(c, "DELETE FROM corm_migrations WHERE version = ?",
			e->version, NULL);
	if (error) {
		corm_buf_printf(err, "cannot record the migration: %s",
			corm_errmsg(c));
		goto fail;
	}
	if ((error = corm_exec(c, "COMMIT"))) {
		corm_buf_printf(err, "COMMIT failed: %s", corm_errmsg(c));
		goto fail;
	}
	goto done;
fail:
	exec_keeping_error(c, "ROLLBACK", error);
	if (saved && eng->reset_sql)
		exec_keeping_error(c, eng->reset_sql, error);
done:
	if (saved)
		eng->free_saved(saved);
	return error;
}

/* DDL commits as it goes: record progress statement by statement. */
static int apply_stepwise(bool *skipped, corm_conn *c,
	const corm_migrate_engine *eng, const corm_mig_entry *e, char **stmts,
	size_t n, const char *checksum, bool up, corm_buf *err)
{
	char status[32], at[32], step[32];
	size_t i, first, len;
	int error;

	if ((error = history_status(status, sizeof(status), c, e->version))) {
		corm_buf_printf(err, "cannot read corm_migrations: %s",
			why(c, error));
		return error;
	}
	if (up ? strcmp(status, "applied") == 0 : status[0] == '\0') {
		*skipped = true;
		return CORM_OK;
	}
	if (status[0] && strcmp(status, "applied") != 0) {
		corm_buf_printf(err, "migration %s_%s is %s; run 'corm migrate "
			"resolve %s --applied|--rolled-back' first", e->version,
			e->name, status, e->version);
		return CORM_EINVAL;
	}
	/* The leading data checks run before the history row is written: a
	 * refusal leaves nothing behind, and `up` runs again once the data
	 * is fixed. */
	for (first = 0; first < n && check_message(stmts[first], &len); first++)
		if ((error = run_statement(c, eng, stmts[first], up, false, err))) {
			db_error(err, c, first, n, stmts[first]);
			return error;
		}
	now_utc(at);
	if (up)
		error = run_params(c, "INSERT INTO corm_migrations (version, name, "
			"checksum, applied_at, status, step) VALUES (?, ?, ?, ?, "
			"'running', 0)", e->version, e->name, checksum, at, NULL);
	else
		error = run_params(c, "UPDATE corm_migrations SET status = "
			"'reverting', step = 0 WHERE version = ?", e->version, NULL);
	if (error) {
		corm_buf_printf(err, "cannot record the migration: %s",
			corm_errmsg(c));
		return error;
	}
	for (i = first; i < n; i++) {
		if ((error = run_statement(c, eng, stmts[i], up, true, err))) {
			db_error(err, c, i, n, stmts[i]);
			snprintf(step, sizeof(step), "%zu", i);
			/* DDL before it is committed: say where it stopped. */
			run_params(c, "UPDATE corm_migrations SET status = 'failed', "
				"step = ? WHERE version = ?", step, e->version, NULL);
			return error;
		}
		snprintf(step, sizeof(step), "%zu", i + 1);
		if ((error = run_params(c, "UPDATE corm_migrations SET step = ? "
				"WHERE version = ?", step, e->version, NULL)))
			return error;
	}
	if (up)
		error = run_params(c, "UPDATE corm_migrations SET status = "
			"'applied' WHERE version = ?", e->version, NULL);
	else
		error = run_params(c, "DELETE FROM corm_migrations WHERE version = ?",
			e->version, NULL);
	return error;
}

/* Is CORM_MIG_MARK_FK_OFF a line of `sql`? Any line, not only the first:
 * a hand edit that adds a line above it must not turn a table rebuild
 * into a cascading DROP TABLE. */
static bool has_marker(const char *sql, size_t len)
{
	size_t m = strlen(CORM_MIG_MARK_FK_OFF), i;

	for (i = 0; i + m <= len; i++)
		if ((i == 0 || sql[i - 1] == '\n') &&
			memcmp(sql + i, CORM_MIG_MARK_FK_OFF, m) == 0 &&
			(i + m == len || sql[i + m] == '\n' || sql[i + m] == '\r'))
			return true;
	return false;
}

int corm_mig_apply(bool *skipped, corm_conn *c, const corm_mig_entry *e,
	const char *sql, size_t len, bool up, corm_buf *err)
{
	const corm_migrate_engine *eng;
	bool fk_off;
	char checksum[65];
	char **stmts = NULL;
	size_t n = 0;
	int error;

	*skipped = false;
	if ((error = corm_mig_engine_of(&eng, c))) {
		corm_buf_puts(err, corm_errmsg(c));
		return error;
	}
	fk_off = eng->fk_off_sql && has_marker(sql, len);
	corm_mig_sha256_hex(checksum, sql, len);
	if ((error = corm_mig_split(&stmts, &n, sql, len,
			eng->backslash_escapes)))
		return error;
	if ((error = corm_history_ensure(c))) {
		corm_buf_printf(err, "cannot create corm_migrations: %s",
			corm_errmsg(c));
		goto done;
	}
	if (fk_off && (error = corm_exec(c, eng->fk_off_sql)))
		goto done;
	if (eng->transactional_ddl)
		error = apply_tx(skipped, c, eng, e, stmts, n, checksum, up, err);
	else
		error = apply_stepwise(skipped, c, eng, e, stmts, n, checksum, up,
			err);
	if (fk_off && error)
		exec_keeping_error(c, eng->fk_on_sql, error);
	else if (fk_off)
		error = corm_exec(c, eng->fk_on_sql);
done:
	corm_mig_statements_free(stmts, n);
	return error;
}

int corm_mig_resolve(corm_conn *c, const corm_mig_entry *e,
	const char *checksum, bool applied)
{
	char at[32];
	int error;

	if ((error = corm_history_ensure(c)))
		return error;
	if ((error = run_params(c, "DELETE FROM corm_migrations WHERE "
			"version = ?", e->version, NULL)) || !applied)
		return error;
	now_utc(at);
	return run_params(c, "INSERT INTO corm_migrations (version, name, "
		"checksum, applied_at, status, step) VALUES (?, ?, ?, ?, "
		"'applied', 0)", e->version, e->name, checksum, at, NULL);
}
