/*
 * cmd_migrate_db.c — the database side of `corm migrate` (see
 * cmd_migrate.c): a session holding the migrator's lock, then up, down,
 * status (text or JSON), check and resolve. migrate/status.c decides
 * each migration's state and what blocks up and down; this prints it.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cmd_migrate_int.h"
#include "corm/driver.h"

/* ------------------------------------------------------- the database */

typedef struct session {
	const opts *o;
	corm_conn *c;
	const corm_dialect *dl;
	bool locked;
	corm_mig_dir dir;
	corm_mig_history hist;
} session;

static void session_close(session *s)
{
	if (s->locked)
		corm_mig_unlock(s->c);
	corm_history_free(&s->hist);
	corm_mig_dir_free(&s->dir);
	corm_conn_close(s->c);
}

static int db_fail(session *s, const char *what)
{
	const char *why = corm_errmsg(s->c);

	cli_eprintf("%s migrate %s: %s: %s\n", CLI_PROG, s->o->sub, what,
		*why ? why : "the database gave no reason");
	return CLI_EXIT_DB;
}

static int session_open(session *s, const opts *o, bool lock)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->o = o;
	if (!o->db || !*o->db)
		return cli_usage_error(&cli_cmd_migrate,
			"no database: pass --db URL or set DATABASE_URL");
	if ((rc = mig_read_dir(&s->dir, o)))
		return rc;
	/* Only up may create the SQLite file: a typo in status, check or
	 * down must not leave an empty database behind. */
	if ((rc = mcli_connect(&s->c, "migrate", o->db,
			strcmp(o->sub, "up") == 0)))
		return rc;
	s->dl = corm_conn_dialect(s->c);
	if (lock) {
		if (corm_mig_lock(s->c) != CORM_OK)
			return db_fail(s, "cannot take the migration lock");
		s->locked = true;
	}
	if (corm_history_read(&s->hist, s->c) != CORM_OK)
		return db_fail(s, "cannot read corm_migrations");
	return CLI_EXIT_OK;
}

static int read_sql(char **sql, size_t *len, const session *s,
	const corm_mig_entry *e, bool up)
{
	corm_buf f = CORM_BUF_INIT;
	int rc;

	size_t nul;

	rc = corm_mig_sql_file(&f, s->dl, up) ? CORM_ENOMEM
		: corm_mig_read(sql, len, e, f.ptr);
	if (rc != CORM_OK)
		cli_eprintf("%s migrate %s: cannot read %s/%s\n", CLI_PROG,
			s->o->sub, e->dir, corm_buf_cstr(&f));
	else if ((nul = corm_mig_nul_line(*sql, *len)) != 0) {
		/* The statement would end at the NUL: refused, nothing run. */
		cli_eprintf("%s migrate %s: %s/%s line %zu holds a NUL byte, "
			"which would cut its statement short; remove it\n",
			CLI_PROG, s->o->sub, e->dir, corm_buf_cstr(&f), nul);
		corm_free(*sql);
		*sql = NULL;
		rc = CORM_EINVAL;
	}
	corm_buf_free(&f);
	return rc == CORM_OK ? CLI_EXIT_OK : CLI_EXIT_INVALID;
}

/* The state of every migration; prints why when it cannot be read. */
static int read_status(corm_mig_status *st, const session *s)
{
	int rc = corm_mig_status_read(st, &s->dir, &s->hist, s->dl);

	if (rc != CORM_OK)
		cli_eprintf("%s migrate %s: %s\n", CLI_PROG, s->o->sub,
			corm_strerror(rc));
	return rc == CORM_OK ? CLI_EXIT_OK : CLI_EXIT_INVALID;
}

/* What blocks `up` and `down`, each said on stderr (migrate/status.c
 * has the rules). */
static int check_blocked(const session *s)
{
	corm_mig_status st;
	size_t i;
	int rc;

	if ((rc = read_status(&st, s)))
		return rc;
	for (i = 0; i < st.count && !rc; i++) {
		const corm_mig_status_item *it = &st.items[i];

		if (it->unreadable) {
			cli_eprintf("%s migrate %s: %s\n", CLI_PROG, s->o->sub,
				it->unreadable);
			rc = CLI_EXIT_INVALID;
		} else if (it->message) {
			cli_eprintf("%s migrate: %s\n", CLI_PROG, it->message);
		}
	}
	if (!rc && st.blocked)
		rc = CLI_EXIT_DIFF;
	corm_mig_status_free(&st);
	return rc;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1e3 +
		(double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int apply_one(session *s, const corm_mig_entry *e, bool up)
{
	corm_buf err = CORM_BUF_INIT;
	struct timespec t0;
	char *sql = NULL;
	size_t len;
	bool skipped;
	int rc;

	if ((rc = read_sql(&sql, &len, s, e, up)))
		return rc;
	if (s->o->dry_run) {
		printf("-- %s %s_%s (%s)\n%s\n", up ? "up" : "down", e->version,
			e->name, s->dl->name, sql);
		corm_free(sql);
		return CLI_EXIT_OK;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = corm_mig_apply(&skipped, s->c, e, sql, len, up, &err);
	if (rc != CORM_OK) {
		cli_eprintf("%s migrate %s: %s_%s failed: %s\n", CLI_PROG,
			s->o->sub, e->version, e->name,
			err.len ? err.ptr : corm_errmsg(s->c));
		if (!s->dl->transactional_ddl)
			cli_eprintf("MySQL committed the statements before it; the "
				"migration is marked failed. Fix the database by hand, then "
				"run 'corm migrate resolve %s --applied' or "
				"'--rolled-back'.\n", e->version);
		else
			cli_eprintf("Nothing of it was kept (it ran in one "
				"transaction).\n");
		rc = CLI_EXIT_DB;
	} else if (skipped) {
		cli_printf("%s %s_%s: already done by another migrator\n",
			up ? "Applied" : "Reverted", e->version, e->name);
	} else {
		cli_printf("%s %s_%s (%.1f ms)\n", up ? "Applied" : "Reverted",
			e->version, e->name, ms_since(&t0));
	}
	fflush(stdout);
	corm_buf_free(&err);
	corm_free(sql);
	return rc;
}

int mig_cmd_up(const opts *o)
{
	session s;
	size_t n, i, done = 0;
	int rc;

	if ((rc = mig_parse_count(&n, o->arg, (size_t)-1)))
		return rc;
	if ((rc = session_open(&s, o, true)) || (rc = check_blocked(&s)))
		goto done;
	for (i = 0; i < s.dir.count && done < n && !rc; i++) {
		const corm_mig_entry *e = &s.dir.items[i];

		if (corm_history_find(&s.hist, e->version))
			continue;
		if (s.hist.count &&
			strcmp(e->version, s.hist.items[s.hist.count - 1].version) < 0)
			cli_eprintf("%s migrate up: note: %s_%s is older than "
				"%s, which is applied already (a merged branch?); "
				"applying it anyway\n", CLI_PROG, e->version, e->name,
				s.hist.items[s.hist.count - 1].version);
		rc = apply_one(&s, e, true);
		done++;
	}
	if (!rc && !done)
		printf("Nothing to apply: the database is up to date.\n");
done:
	session_close(&s);
	return rc;
}

int mig_cmd_down(const opts *o)
{
	session s;
	size_t n, i, done = 0;
	int rc;

	if ((rc = mig_parse_count(&n, o->arg, 1)))
		return rc;
	if ((rc = session_open(&s, o, true)) || (rc = check_blocked(&s)))
		goto done;
	for (i = s.hist.count; i-- > 0 && done < n && !rc;) {
		const corm_mig_entry *e = corm_mig_dir_find(&s.dir,
			s.hist.items[i].version);

		if (!e) {
			rc = mig_fail(o->sub, "applied migration %s is not in the "
				"migrations folder; cannot revert it",
				s.hist.items[i].version, CLI_EXIT_INVALID);
			break;
		}
		rc = apply_one(&s, e, false);
		done++;
	}
	if (!rc && !done)
		printf("Nothing to revert.\n");
done:
	session_close(&s);
	return rc;
}

static void json_str(corm_buf *b, const char *s)
{
	corm_buf_putc(b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			corm_buf_printf(b, "\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			corm_buf_printf(b, "\\u%04x", (unsigned char)*s);
		else
			corm_buf_putc(b, *s);
	}
	corm_buf_putc(b, '"');
}

/* The text label of a state: as before the status API, a half-done
 * (interrupted) migration reads "failed" with its status. */
static const char *text_state(corm_mig_state st)
{
	return corm_mig_state_name(st == CORM_MIG_INTERRUPTED ? CORM_MIG_FAILED
		: st);
}

static void status_text(corm_buf *out, const corm_mig_status_item *it,
	const char *dir)
{
	const corm_mig_applied *a = it->applied;

	if (!it->entry) {
		corm_buf_printf(out, "%-8s %s_%s  (applied, not in %s)\n",
			"missing", a->version, a->name, dir);
		return;
	}
	corm_buf_printf(out, "%-8s %s_%s", text_state(it->state),
		it->entry->version, it->entry->name);
	if (it->state == CORM_MIG_FAILED || it->state == CORM_MIG_INTERRUPTED)
		corm_buf_printf(out, "  (%s at statement %lld)", a->status,
			(long long)a->step + 1);
	else if (a)
		corm_buf_printf(out, "  (%s)", a->applied_at);
	corm_buf_putc(out, '\n');
}

/* One item as a JSON object (docs/migrations.md has the shape). */
static void status_json(corm_buf *out, const corm_mig_status_item *it)
{
	const corm_mig_applied *a = it->applied;
	const char *msg = it->message ? it->message : it->unreadable;

	corm_buf_puts(out, "{\"version\": ");
	json_str(out, it->entry ? it->entry->version : a->version);
	corm_buf_puts(out, ", \"name\": ");
	json_str(out, it->entry ? it->entry->name : a->name);
	corm_buf_puts(out, ", \"state\": ");
	json_str(out, corm_mig_state_name(it->state));
	corm_buf_puts(out, ", \"applied_at\": ");
	if (a)
		json_str(out, a->applied_at);
	else
		corm_buf_puts(out, "null");
	if (a && strcmp(a->status, "applied") != 0) {
		corm_buf_puts(out, ", \"status\": ");
		json_str(out, a->status);
		corm_buf_printf(out, ", \"step\": %lld", (long long)a->step);
	}
	corm_buf_printf(out, ", \"blocks\": %s, \"message\": ",
		it->blocks ? "true" : "false");
	if (msg)
		json_str(out, msg);
	else
		corm_buf_puts(out, "null");
	corm_buf_putc(out, '}');
}

int mig_cmd_status(const opts *o)
{
	bool json = o->format && strcmp(o->format, "json") == 0;
	corm_buf out = CORM_BUF_INIT;
	corm_mig_status st = {NULL, 0, false};
	session s;
	size_t i, n = 0;
	int rc, pass;

	if ((rc = session_open(&s, o, false)) || (rc = read_status(&st, &s)))
		goto done;
	if (json)
		corm_buf_puts(&out, "{\"migrations\": [");
	/* The folder's migrations, then those only the history knows. */
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < st.count; i++) {
			const corm_mig_status_item *it = &st.items[i];

			if ((it->entry == NULL) != (pass == 1))
				continue;
			if (it->unreadable)
				cli_eprintf("%s migrate %s: %s\n", CLI_PROG, o->sub,
					it->unreadable);
			if (json) {
				corm_buf_puts(&out, n++ ? ", " : "");
				status_json(&out, it);
			} else {
				status_text(&out, it, o->dir);
			}
		}
	}
	if (json)
		corm_buf_printf(&out, "], \"blocked\": %s}\n",
			st.blocked ? "true" : "false");
	else if (!st.count)
		corm_buf_puts(&out, "No migrations.\n");
	rc = corm_buf_error(&out) ? CLI_EXIT_USAGE
		: cli_write_stdout(corm_buf_cstr(&out), out.len);
	/* As `fmt --check`: 1 says "something to do", for scripts and CI. */
	for (i = 0; i < st.count && rc == CLI_EXIT_OK; i++)
		if (st.items[i].state != CORM_MIG_APPLIED)
			rc = CLI_EXIT_DIFF;
done:
	corm_mig_status_free(&st);
	corm_buf_free(&out);
	session_close(&s);
	return rc;
}

int mig_cmd_check(const opts *o)
{
	corm_schema *want = NULL, *have = NULL;
	const corm_dialect *dl = NULL;
	corm_plan *plan = NULL;
	corm_buf sql = CORM_BUF_INIT;
	size_t i;
	int rc;

	if (!o->db || !*o->db)
		return cli_usage_error(&cli_cmd_migrate,
			"no database: pass --db URL or set DATABASE_URL");
	if ((rc = mcli_load_schema(&want, NULL, "migrate check", o->schema,
			NULL)) ||
		(rc = mcli_load_schema(&have, &dl, "migrate check", o->db, want)))
		goto done;
	if ((rc = corm_diff(&plan, have, want)) != CORM_OK) {
		rc = mig_fail(o->sub, "%s", corm_strerror(rc), CLI_EXIT_INVALID);
		goto done;
	}
	if (!plan->nops && mcli_pad_space_seen()) {
		/* The tables match, but their text compares differently. */
		cli_eprintf("%s migrate check: the database's collation "
			"differs (see the warning above)\n", CLI_PROG);
		rc = CLI_EXIT_DIFF;
		goto done;
	}
	if (!plan->nops) {
		cli_printf("The database matches %s.\n", o->schema);
		rc = CLI_EXIT_OK;
		goto done;
	}
	cli_eprintf("%s migrate check: the database differs from %s:\n",
		CLI_PROG, o->schema);
	for (i = 0; i < plan->nops; i++)
		cli_eprintf("  - %s\n", plan->ops[i].what);
	rc = CLI_EXIT_DIFF;
done:
	corm_buf_free(&sql);
	corm_plan_free(plan);
	corm_schema_free(want);
	corm_schema_free(have);
	return rc;
}

int mig_cmd_resolve(const opts *o)
{
	const corm_mig_entry *e;
	char *sql = NULL, sum[65];
	size_t len;
	session s;
	int rc;

	if (!o->arg || o->applied == o->rolled_back)
		return cli_usage_error(&cli_cmd_migrate, "migrate resolve needs "
			"VERSION and one of --applied, --rolled-back");
	if ((rc = session_open(&s, o, true)))
		goto done;
	if (!(e = corm_mig_dir_find(&s.dir, o->arg))) {
		rc = mig_fail(o->sub, "no migration '%s' in the folder", o->arg,
			CLI_EXIT_USAGE);
		goto done;
	}
	if ((rc = read_sql(&sql, &len, &s, e, true)))
		goto done;
	corm_mig_sha256_hex(sum, sql, len);
	if (corm_mig_resolve(s.c, e, sum, o->applied) != CORM_OK) {
		rc = db_fail(&s, "cannot record the resolution");
		goto done;
	}
	cli_printf("Recorded %s_%s as %s.\n", e->version, e->name,
		o->applied ? "applied" : "rolled back");
done:
	corm_free(sql);
	session_close(&s);
	return rc;
}

