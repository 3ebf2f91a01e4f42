/*
 * api.c — the public migration API (corm/migrate.h): apply a folder's
 * pending migrations from a program, with the pieces `corm migrate up`
 * uses (folder, lock, history, status, runner).
 */
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "corm/driver.h"
#include "corm/migrate.h"
#include "migrate.h"
#include "migrate_engine.h"

/* What the caller's program holds while migrating. */
typedef struct run {
	corm_conn *c;
	const corm_dialect *dl;
	corm_mig_dir dir;
	corm_mig_history hist;
	corm_mig_status st;
	bool locked;
} run;

/* Release the lock keeping the error that ended the run: the unlock is a
 * statement, which clears the connection's error. */
static void run_close(run *r, int error)
{
	if (r->locked && error) {
		char msg[CORM_ERRMSG_MAX];

		/* The message already ends in the engine's code ("[23505]"). */
		snprintf(msg, sizeof(msg), "%s", corm_errmsg(r->c));
		corm_mig_unlock(r->c);
		corm_conn__set_error(r->c, error, NULL, "%s", msg);
	} else if (r->locked) {
		corm_mig_unlock(r->c);
	}
	corm_mig_status_free(&r->st);
	corm_history_free(&r->hist);
	corm_mig_dir_free(&r->dir);
}

/* A missing folder is a mistake, not an empty history (as in the CLI). */
static int open_run(run *r, corm_conn *c, const char *dir, bool lock)
{
	corm_buf err = CORM_BUF_INIT;
	struct stat sb;
	int error;

	memset(r, 0, sizeof(*r));
	r->c = c;
	r->dl = corm_conn_dialect(c);
	if (!dir || stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return corm_conn__set_error(c, CORM_EINVAL, NULL, "no migrations "
			"folder '%s'", dir ? dir : "(null)");
	if ((error = corm_mig_dir_read(&r->dir, &err, dir))) {
		corm_conn__set_error(c, error, NULL, "%s", err.len ?
			corm_buf_cstr(&err) : corm_strerror(error));
		corm_buf_free(&err);
		return error;
	}
	if ((error = corm_mig_require_database(c)))
		return error;
	if (lock) {
		if ((error = corm_mig_lock(c)))
			return error;
		r->locked = true;
	}
	if ((error = corm_history_read(&r->hist, c)))
		return error;
	error = corm_mig_status_read(&r->st, &r->dir, &r->hist, r->dl);
	if (error && !*corm_errmsg(c))
		corm_conn__set_error(c, error, NULL, "cannot read the migrations' "
			"state: %s", corm_strerror(error));
	return error;
}

/* The first blocking migration's message, as the connection's error. */
static int blocked(run *r)
{
	size_t i;

	for (i = 0; i < r->st.count; i++) {
		const corm_mig_status_item *it = &r->st.items[i];

		if (it->unreadable)
			return corm_conn__set_error(r->c, CORM_EINVAL, NULL, "%s",
				it->unreadable);
		if (it->blocks)
			return corm_conn__set_error(r->c, CORM_EINVAL, NULL, "%s",
				it->message ? it->message : "a migration blocks up");
	}
	return CORM_OK;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
		(double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int apply(run *r, const corm_mig_entry *e, bool *skipped, double *ms)
{
	corm_buf file = CORM_BUF_INIT, err = CORM_BUF_INIT;
	struct timespec t0;
	char *sql = NULL;
	size_t len = 0, nul;
	int error;

	error = corm_mig_sql_file(&file, r->dl, true) ? CORM_ENOMEM
		: corm_mig_read(&sql, &len, e, corm_buf_cstr(&file));
	if (error)
		corm_conn__set_error(r->c, error == CORM_ENOTFOUND ? CORM_EINVAL
			: error, NULL, "cannot read %s/%s", e->dir,
			corm_buf_cstr(&file));
	else if ((nul = corm_mig_nul_line(sql, len)) != 0)
		error = corm_conn__set_error(r->c, CORM_EINVAL, NULL, "%s/%s line "
			"%zu holds a NUL byte, which would cut its statement short; "
			"remove it", e->dir, corm_buf_cstr(&file), nul);
	if (!error) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		error = corm_mig_apply(skipped, r->c, e, sql, len, true, &err);
		*ms = ms_since(&t0);
		if (error)
			corm_conn__set_error(r->c, error, NULL, "%s_%s failed: %s",
				e->version, e->name, err.len ? corm_buf_cstr(&err)
				: corm_errmsg(r->c));
	}
	corm_free(sql);
	corm_buf_free(&err);
	corm_buf_free(&file);
	return error == CORM_ENOTFOUND ? CORM_EINVAL : error;
}

int corm_migrate_up(corm_conn *db, const char *dir,
	corm_migrate_progress_fn progress, void *ctx)
{
	run r;
	size_t i;
	int error;

	if (!db)
		return CORM_EINVAL;
	if (!(error = open_run(&r, db, dir, true)))
		error = blocked(&r);
	for (i = 0; i < r.dir.count && !error; i++) {
		const corm_mig_entry *e = &r.dir.items[i];
		bool skipped = false;
		double ms = 0;

		if (!corm_history_find(&r.hist, e->version) &&
			!(error = apply(&r, e, &skipped, &ms)) && progress)
			progress(ctx, e->version, e->name, ms, skipped);
	}
	run_close(&r, error);
	return error;
}

int corm_migrate_pending(size_t *count, corm_conn *db, const char *dir)
{
	run r;
	size_t i;
	int error;

	if (!count || !db)
		return CORM_EINVAL;
	*count = 0;
	error = open_run(&r, db, dir, false);
	for (i = 0; !error && i < r.st.count; i++)
		if (r.st.items[i].state != CORM_MIG_APPLIED)
			(*count)++;
	run_close(&r, error);
	return error;
}
