/*
 * status.c — the state of every migration (see migrate.h): the folder
 * and the history table side by side, with the rules for what blocks
 * `up` and `down` and the message that says what to do about it. The
 * CLI only prints what this returns.
 */
#include <stdio.h>
#include <string.h>

#include "corm/driver.h"
#include "corm_util.h"
#include "migrate_engine.h"
#include "migrate.h"

const char *corm_mig_state_name(corm_mig_state s)
{
	switch (s) {
	case CORM_MIG_PENDING: return "pending";
	case CORM_MIG_APPLIED: return "applied";
	case CORM_MIG_EDITED: return "edited";
	case CORM_MIG_FAILED: return "failed";
	case CORM_MIG_INTERRUPTED: return "interrupted";
	case CORM_MIG_MISSING: return "missing";
	}
	return "?";
}

const corm_mig_entry *corm_mig_dir_find(const corm_mig_dir *d,
	const char *version)
{
	size_t i, n = strlen(version);

	for (i = 0; i < d->count; i++)
		if (strcmp(d->items[i].version, version) == 0 ||
			(n > 14 && strncmp(d->items[i].dir + strlen(d->items[i].dir) -
				n, version, n) == 0))
			return &d->items[i];
	return NULL;
}

const corm_dialect *corm_mig_choose_dialect(const char *name,
	const char *url)
{
	if (name)
		return corm_dialect_find(name);
	if (url && *url)
		return corm_mig_url_dialect(url);
	return &corm_dialect_sqlite;
}

int corm_mig_sql_file(corm_buf *out, const corm_dialect *d, bool up)
{
	corm_buf_clear(out);
	corm_buf_printf(out, "%s.%s.sql", up ? "up" : "down", d->name);
	return corm_buf_error(out);
}

/* ------------------------------------------------------------- the rules */

/* The statements in e's up (or down) SQL, or -1 when it cannot be read. */
static long long statement_count(const corm_migrate_engine *eng,
	const corm_mig_entry *e, bool up)
{
	char *sql = NULL, **stmts = NULL;
	size_t len, n = 0;
	long long count = -1;
	corm_buf f = CORM_BUF_INIT;

	if (e && corm_mig_sql_file(&f, eng->dialect, up) == CORM_OK &&
		corm_mig_read(&sql, &len, e, f.ptr) == CORM_OK &&
		corm_mig_split(&stmts, &n, sql, len, eng->backslash_escapes) ==
			CORM_OK)
		count = (long long)n;
	corm_mig_statements_free(stmts, n);
	corm_free(sql);
	corm_buf_free(&f);
	return count;
}

/*
 * A history row left 'running' or 'reverting' (where DDL commits as it
 * goes) means the migrator was killed or lost its connection half-way:
 * whoever holds the lock now knows no one is running it. Its `step`
 * statements were done and committed; the next one may have been
 * committed too (the count is written after each statement). Say so, and
 * what to do, in words a deploy log can act on.
 */
static void interrupted_message(corm_buf *m, const corm_migrate_engine *eng,
	const corm_mig_applied *a, const corm_mig_entry *e)
{
	bool up = strcmp(a->status, "running") == 0;
	long long n = statement_count(eng, e, up);
	long long done = (long long)a->step;

	corm_buf_printf(m, "%s_%s was interrupted while %s (its migrator was "
		"killed or lost its connection), so it is half-%s: MySQL commits "
		"each statement and cannot roll it back.\n", a->version, a->name,
		up ? "being applied" : "being reverted",
		up ? "applied" : "reverted");
	if (n >= 0 && done >= n)
		corm_buf_printf(m, "  All %lld statements of its %s SQL ran; only "
			"recording it was cut short.\n", n, up ? "up" : "down");
	else if (n >= 0 && done == 0)
		corm_buf_printf(m, "  None of the %lld statements of its %s SQL is "
			"recorded as done; statement 1 may have run.\n", n,
			up ? "up" : "down");
	else if (n >= 0)
		corm_buf_printf(m, "  Statements 1-%lld of the %lld of its %s SQL "
			"ran; statement %lld may have run too; the rest did not.\n",
			done, n, up ? "up" : "down", done + 1);
	else
		corm_buf_printf(m, "  %lld statements ran; the next may have run "
			"too.\n", done);
	corm_buf_printf(m, "  Check the database, then either complete the %s "
		"by hand and run 'corm migrate resolve %s --%s', or undo what it "
		"did and run 'corm migrate resolve %s --%s'%s.",
		up ? "migration" : "revert", a->version,
		up ? "applied" : "rolled-back", a->version,
		up ? "rolled-back" : "applied",
		up ? " (up then runs it again)" : "");
}

/* Has an applied migration's up SQL changed since (its checksum)? When
 * the file cannot be read, *problem says so and *out is false. */
static int edited(bool *out, corm_buf *problem,
	const corm_migrate_engine *eng, const corm_mig_entry *e,
	const corm_mig_applied *a)
{
	corm_buf f = CORM_BUF_INIT;
	char *sql = NULL, sum[65];
	size_t len;
	int error;

	*out = false;
	if ((error = corm_mig_sql_file(&f, eng->dialect, true)))
		goto done;
	error = corm_mig_read(&sql, &len, e, f.ptr);
	if (error == CORM_ENOMEM)
		goto done;
	if (error) {
		corm_buf_printf(problem, "cannot read %s/%s", e->dir, f.ptr);
		error = corm_buf_error(problem);
		goto done;
	}
	corm_mig_sha256_hex(sum, sql, len);
	*out = strcmp(sum, a->checksum) != 0;
done:
	corm_free(sql);
	corm_buf_free(&f);
	return error;
}

/* A pending migration's up SQL that must not run, said in `problem`:
 * a NUL byte would cut its statement short (corm_mig_nul_line()). */
static int check_pending(corm_buf *problem, const corm_migrate_engine *eng,
	const corm_mig_entry *e)
{
	corm_buf f = CORM_BUF_INIT;
	char *sql = NULL;
	size_t len, line;
	int error;

	if ((error = corm_mig_sql_file(&f, eng->dialect, true)))
		goto done;
	error = corm_mig_read(&sql, &len, e, f.ptr);
	if (error == CORM_ENOMEM)
		goto done;
	error = CORM_OK; /* a missing or unreadable file is said when run */
	if (sql && (line = corm_mig_nul_line(sql, len)) != 0) {
		corm_buf_printf(problem, "%s/%s line %zu holds a NUL byte, which "
			"would cut its statement short; remove it", e->dir, f.ptr,
			line);
		error = corm_buf_error(problem);
	}
done:
	corm_free(sql);
	corm_buf_free(&f);
	return error;
}

/* The state of one migration (`e` or `a` may be NULL, not both) and,
 * when it needs one, its message. */
static int judge(corm_mig_status_item *it, const corm_migrate_engine *eng,
	const corm_mig_entry *e, const corm_mig_applied *a)
{
	corm_buf m = CORM_BUF_INIT, problem = CORM_BUF_INIT;
	bool ed = false;
	int error = CORM_OK;

	it->entry = e;
	it->applied = a;
	if (!a) {
		it->state = CORM_MIG_PENDING;
		error = check_pending(&problem, eng, e);
		it->blocks = problem.len != 0;
		if (!error && problem.len &&
			!(it->unreadable = corm_buf_detach(&problem)))
			error = CORM_ENOMEM;
	} else if (strcmp(a->status, "running") == 0 ||
		strcmp(a->status, "reverting") == 0) {
		it->state = e ? CORM_MIG_INTERRUPTED : CORM_MIG_MISSING;
		it->blocks = true;
		interrupted_message(&m, eng, a, e);
	} else if (strcmp(a->status, "applied") != 0) {
		it->state = e ? CORM_MIG_FAILED : CORM_MIG_MISSING;
		it->blocks = true;
		corm_buf_printf(&m, "%s_%s is %s at statement %lld; fix the "
			"database by hand, then run 'corm migrate resolve %s "
			"--applied' or '--rolled-back'", a->version, a->name,
			a->status, (long long)a->step + 1, a->version);
	} else if (!e) {
		it->state = CORM_MIG_MISSING;
	} else if ((error = edited(&ed, &problem, eng, e, a)) == CORM_OK) {
		it->state = ed ? CORM_MIG_EDITED : CORM_MIG_APPLIED;
		it->blocks = ed || problem.len;
		if (ed)
			corm_buf_printf(&m, "%s_%s was edited after it was applied "
				"(its checksum changed); restore the file, or run "
				"'corm migrate resolve %s --applied' to accept it",
				a->version, a->name, a->version);
		if (problem.len &&
			!(it->unreadable = corm_buf_detach(&problem)))
			error = CORM_ENOMEM;
	}
	if (!error && (error = corm_buf_error(&m)) == CORM_OK && m.len &&
		!(it->message = corm_buf_detach(&m)))
		error = CORM_ENOMEM;
	corm_buf_free(&m);
	corm_buf_free(&problem);
	return error;
}

/* ------------------------------------------------------------ the status */

void corm_mig_status_free(corm_mig_status *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->count; i++) {
		corm_free(s->items[i].message);
		corm_free(s->items[i].unreadable);
	}
	corm_free(s->items);
	memset(s, 0, sizeof(*s));
}

int corm_mig_status_read(corm_mig_status *out, const corm_mig_dir *dir,
	const corm_mig_history *hist, const corm_dialect *d)
{
	const corm_migrate_engine *eng = corm_mig_engine_of_dialect(d);
	size_t i = 0, j = 0, cap = 0;
	int error = CORM_OK;

	memset(out, 0, sizeof(*out));
	if (!eng)
		return CORM_EINVAL;
	/* Both lists are sorted by version: walk them side by side. */
	while (!error && (i < dir->count || j < hist->count)) {
		const corm_mig_entry *e = i < dir->count ? &dir->items[i] : NULL;
		const corm_mig_applied *a = j < hist->count ? &hist->items[j]
			: NULL;
		corm_mig_status_item *items = corm__grow(out->items, &cap,
			out->count + 1, sizeof(*items));
		int c = !e ? 1 : !a ? -1 : strcmp(e->version, a->version);

		if (!items) {
			error = CORM_ENOMEM;
			break;
		}
		out->items = items;
		memset(&items[out->count], 0, sizeof(*items));
		error = judge(&items[out->count++], eng, c <= 0 ? e : NULL,
			c >= 0 ? a : NULL);
		i += c <= 0;
		j += c >= 0;
	}
	for (i = 0; !error && i < out->count; i++)
		out->blocked |= out->items[i].blocks;
	if (error)
		corm_mig_status_free(out);
	return error;
}
