/*
 * cmd_migrate.c — `corm migrate SUBCOMMAND`: make, new, up, down, status,
 * check, sql and resolve (docs/migrations.md is the guide).
 *
 * Divided into: options, the directory side (make, new, sql), the
 * database side (a session holding the migrator's lock; up, down,
 * status, check, resolve), and the dispatcher.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd_migrate.h"
#include "corm/driver.h"
#include "ddl.h"

static int run(int argc, char **argv);

/* Every dialect gets its up/down files. */
#define NDIALECTS (sizeof(corm_dialects) / sizeof(corm_dialects[0]))

const cli_command cli_cmd_migrate = {
	"migrate",
	"make|new|up|down|status|check|sql|resolve ...",
	"write and apply migrations",
	"Subcommands:\n"
	"  make NAME [--schema S] [--allow-destructive] [--dry-run]\n"
	"      write migrations/<UTC timestamp>_NAME/ from the change between\n"
	"      the newest snapshot and S: up/down SQL for sqlite, postgres and\n"
	"      mysql, and schema.corm. Destructive changes are refused (exit\n"
	"      1, each one named) unless --allow-destructive. --dry-run\n"
	"      prints the changes and the SQL and writes nothing.\n"
	"  new NAME            an empty migration to write by hand\n"
	"  up [N] [--dry-run]  apply the pending migrations (the first N)\n"
	"  down [N] [--dry-run]\n"
	"                      revert the last N applied migrations (default 1)\n"
	"  status [--format json]\n"
	"                      applied, pending, failed, edited, missing\n"
	"  check [--schema S]  exit 1 when the database differs from S\n"
	"  sql VERSION [--dialect D] [--down]\n"
	"                      print what a migration runs\n"
	"  resolve VERSION --applied|--rolled-back\n"
	"                      record what you did by hand about a failed\n"
	"                      (MySQL) or edited migration\n"
	"\n"
	"Options:\n"
	"  --db URL            database (default: $DATABASE_URL)\n"
	"  --dir DIR           migrations folder (default: ./migrations)\n"
	"  --schema S          schema file (default: ./schema.corm)\n"
	"  -h, --help          show this help\n"
	"\n"
	"Exit status: 0 ok; 1 drift (check), a destructive change refused\n"
	"(make) or an edited/failed migration blocking up; 2 usage; 3 invalid\n"
	"schema or migration files; 4 database error.\n",
	run,
};

/* --------------------------------------------------------------- options */

typedef struct opts {
	const char *sub;
	const char *arg;        /* NAME, VERSION or N */
	const char *db;
	const char *dir;
	const char *schema;
	const char *dialect;
	const char *format;
	bool allow_destructive, dry_run, down, applied, rolled_back;
} opts;

static int fail(const char *sub, const char *fmt, const char *a, int code)
{
	fprintf(stderr, "%s migrate %s: ", CLI_PROG, sub);
	fprintf(stderr, fmt, a);
	fputc('\n', stderr);
	return code;
}

static int parse_opts(opts *o, int argc, char **argv)
{
	int i;

	memset(o, 0, sizeof(*o));
	o->db = getenv("DATABASE_URL");
	o->dir = "migrations";
	o->schema = "schema.corm";
	if (argc < 2)
		return cli_usage_error(&cli_cmd_migrate, "missing the subcommand");
	if (cli_is_help(argv[1]))
		return -1;
	o->sub = argv[1];
	for (i = 2; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (cli_is_help(a))
			return -1;
		if (strcmp(a, "--db") == 0 && more)
			o->db = argv[++i];
		else if (strcmp(a, "--dir") == 0 && more)
			o->dir = argv[++i];
		else if (strcmp(a, "--schema") == 0 && more)
			o->schema = argv[++i];
		else if (strcmp(a, "--dialect") == 0 && more)
			o->dialect = argv[++i];
		else if (strcmp(a, "--format") == 0 && more)
			o->format = argv[++i];
		else if (strcmp(a, "--allow-destructive") == 0)
			o->allow_destructive = true;
		else if (strcmp(a, "--dry-run") == 0)
			o->dry_run = true;
		else if (strcmp(a, "--down") == 0)
			o->down = true;
		else if (strcmp(a, "--applied") == 0)
			o->applied = true;
		else if (strcmp(a, "--rolled-back") == 0)
			o->rolled_back = true;
		else if (a[0] == '-' && a[1] != '\0' && !(a[1] >= '0' && a[1] <= '9'))
			return cli_usage_error(&cli_cmd_migrate, "unknown option '%s'", a);
		else if (!o->arg)
			o->arg = a;
		else
			return cli_usage_error(&cli_cmd_migrate, "unexpected '%s'", a);
	}
	if (o->format && strcmp(o->format, "json") != 0 &&
		strcmp(o->format, "text") != 0)
		return cli_usage_error(&cli_cmd_migrate, "--format is text or json");
	return CLI_EXIT_OK;
}

/* A count argument: N >= 1, or `dflt` when absent. */
static int parse_count(size_t *out, const char *arg, size_t dflt)
{
	char *end;
	long v;

	*out = dflt;
	if (!arg)
		return CLI_EXIT_OK;
	errno = 0;
	v = strtol(arg, &end, 10);
	if (errno || *end || v < 1)
		return cli_usage_error(&cli_cmd_migrate, "N must be a positive "
			"number, not '%s'", arg);
	*out = (size_t)v;
	return CLI_EXIT_OK;
}

static int read_dir(corm_mig_dir *d, const opts *o)
{
	corm_buf err = CORM_BUF_INIT;
	int rc = corm_mig_dir_read(d, &err, o->dir);

	if (rc != CORM_OK) {
		fprintf(stderr, "%s migrate %s: %s\n", CLI_PROG, o->sub,
			err.len ? err.ptr : corm_strerror(rc));
		corm_buf_free(&err);
		return CLI_EXIT_INVALID;
	}
	corm_buf_free(&err);
	return CLI_EXIT_OK;
}

/* The newest snapshot (schema.corm of the last migration), or empty. */
static int last_snapshot(corm_schema **out, const corm_mig_dir *d)
{
	char *src = NULL;
	size_t len = 0;
	int rc;

	*out = NULL;
	if (!d->count)
		return mcli_parse(out, "<empty>", "", 0);
	rc = corm_mig_read(&src, &len, &d->items[d->count - 1], "schema.corm");
	if (rc != CORM_OK) {
		fprintf(stderr, "%s migrate: cannot read %s/schema.corm\n", CLI_PROG,
			d->items[d->count - 1].dir);
		return CLI_EXIT_INVALID;
	}
	rc = mcli_parse(out, d->items[d->count - 1].dir, src, len);
	corm_free(src);
	return rc;
}

/* ------------------------------------------------------- the directory */

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') ||
				*s == '_' || *s == '-'))
			return false;
	return true;
}

/* The next version: now in UTC, or one past the newest when the clock
 * is behind it (two makes in one second). */
static void next_version(char out[15], const corm_mig_dir *d)
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 15, "%Y%m%d%H%M%S", &tm);
	if (d->count && strcmp(out, d->items[d->count - 1].version) <= 0) {
		unsigned long long v = strtoull(d->items[d->count - 1].version,
			NULL, 10) + 1;

		snprintf(out, 15, "%014llu", v);
	}
}

static int make_folder(corm_buf *path, const opts *o, const corm_mig_dir *d)
{
	char version[15];

	next_version(version, d);
	if (mkdir(o->dir, 0777) != 0 && errno != EEXIST)
		return fail(o->sub, "cannot create '%s'", o->dir, CLI_EXIT_USAGE);
	corm_buf_printf(path, "%s/%s_%s", o->dir, version, o->arg);
	if (corm_buf_error(path))
		return fail(o->sub, "%s", "out of memory", CLI_EXIT_USAGE);
	if (mkdir(path->ptr, 0777) != 0)
		return fail(o->sub, "cannot create '%s'", path->ptr, CLI_EXIT_USAGE);
	return CLI_EXIT_OK;
}

static int write_in(const char *dir, const char *file, const char *data,
	size_t len)
{
	corm_buf p = CORM_BUF_INIT;
	int rc;

	corm_buf_printf(&p, "%s/%s", dir, file);
	rc = corm_buf_error(&p) ? CLI_EXIT_USAGE
		: cli_write_file_atomic(p.ptr, data, len);
	corm_buf_free(&p);
	return rc;
}

static int cmd_make(const opts *o, bool empty)
{
	corm_mig_dir d = {NULL, 0};
	corm_schema *prev = NULL, *next = NULL;
	corm_plan *up = NULL, *down = NULL;
	corm_buf path = CORM_BUF_INIT, text = CORM_BUF_INIT;
	size_t i, k;
	int rc;

	if (!o->arg || !valid_name(o->arg))
		return cli_usage_error(&cli_cmd_migrate, "migrate %s needs a NAME of "
			"lowercase letters, digits, '_' and '-'", o->sub);
	if ((rc = read_dir(&d, o)) || (rc = last_snapshot(&prev, &d)))
		goto done;
	if (empty) {
		next = prev;
		prev = NULL;
	} else {
		if ((rc = mcli_load_schema(&next, NULL, "migrate make", o->schema,
				NULL)))
			goto done;
		rc = corm_diff(&up, prev, next);
		if (rc == CORM_OK)
			rc = corm_diff(&down, next, prev);
		if (rc != CORM_OK) {
			rc = fail(o->sub, "%s", corm_strerror(rc), CLI_EXIT_USAGE);
			goto done;
		}
		if (up->nops == 0) {
			printf("No changes: %s matches the newest migration.\n",
				o->schema);
			rc = CLI_EXIT_OK;
			goto done;
		}
		if (corm_plan_ndestructive(up) && !o->allow_destructive) {
			fprintf(stderr, "%s migrate make: refusing destructive changes "
				"(rerun with --allow-destructive to accept them):\n",
				CLI_PROG);
			for (i = 0; i < up->nops; i++)
				if (up->ops[i].destructive)
					fprintf(stderr, "  - %s\n", up->ops[i].what);
			rc = CLI_EXIT_DIFF;
			goto done;
		}
	}
	if (o->dry_run) {
		/* Show what would be written; touch nothing. */
		printf("Would create migrations/<timestamp>_%s/ (--dry-run: nothing "
			"written)\n", o->arg);
		for (i = 0; up && i < up->nops; i++)
			printf("  %s%s\n", up->ops[i].destructive ? "! " : "- ",
				up->ops[i].what);
		for (k = 0; k < NDIALECTS && !empty; k++) {
			corm_buf_clear(&text);
			corm_plan_render(&text, corm_dialects[k], up);
			printf("\n-- up.%s.sql\n%s", corm_dialects[k]->name,
				corm_buf_cstr(&text));
		}
		rc = corm_buf_error(&text)
			? fail(o->sub, "%s", "out of memory", CLI_EXIT_USAGE)
			: CLI_EXIT_OK;
		goto done;
	}
	if ((rc = make_folder(&path, o, &d)))
		goto done;
	for (k = 0; k < NDIALECTS && !rc; k++) {
		const corm_dialect *dl = corm_dialects[k];
		corm_buf file = CORM_BUF_INIT;
		int pass;

		for (pass = 0; pass < 2 && !rc; pass++) {
			corm_buf_clear(&text);
			if (empty)
				corm_buf_printf(&text, "-- %s: write the %s SQL for %s "
					"here; statements end with ';'.\n", o->arg,
					pass ? "down" : "up", dl->name);
			else
				corm_plan_render(&text, dl, pass ? down : up);
			corm_buf_clear(&file);
			corm_buf_printf(&file, "%s.%s.sql", pass ? "down" : "up",
				dl->name);
			if (corm_buf_error(&text) || corm_buf_error(&file))
				rc = fail(o->sub, "%s", "out of memory", CLI_EXIT_USAGE);
			else
				rc = write_in(path.ptr, file.ptr, corm_buf_cstr(&text),
					text.len);
		}
		corm_buf_free(&file);
	}
	corm_buf_clear(&text);
	if (!rc && corm_schema_write(&text, next) != CORM_OK)
		rc = fail(o->sub, "%s", "out of memory", CLI_EXIT_USAGE);
	if (!rc)
		rc = write_in(path.ptr, "schema.corm", corm_buf_cstr(&text),
			text.len);
	if (!rc) {
		printf("Created %s/\n", path.ptr);
		for (i = 0; up && i < up->nops; i++)
			printf("  %s%s\n", up->ops[i].destructive ? "! " : "- ",
				up->ops[i].what);
	}
done:
	corm_buf_free(&text);
	corm_buf_free(&path);
	corm_plan_free(up);
	corm_plan_free(down);
	corm_schema_free(prev);
	corm_schema_free(next);
	corm_mig_dir_free(&d);
	return rc;
}

static int cmd_sql(const opts *o)
{
	corm_mig_dir d = {NULL, 0};
	const corm_mig_entry *e;
	const corm_dialect *dl = corm_mig_choose_dialect(o->dialect, o->db);
	corm_buf file = CORM_BUF_INIT;
	char *sql = NULL;
	size_t len;
	int rc;

	if (!o->arg)
		return cli_usage_error(&cli_cmd_migrate, "migrate sql needs a "
			"VERSION");
	if (!dl && o->dialect)
		return cli_usage_error(&cli_cmd_migrate, "unknown dialect '%s'",
			o->dialect);
	if (!dl)
		return cli_usage_error(&cli_cmd_migrate, "cannot tell the dialect "
			"of the database URL '%s'; pass --dialect", o->db);
	if ((rc = read_dir(&d, o)))
		return rc;
	if (!(e = corm_mig_dir_find(&d, o->arg))) {
		rc = fail(o->sub, "no migration '%s'", o->arg, CLI_EXIT_USAGE);
		goto done;
	}
	corm_mig_sql_file(&file, dl, !o->down);
	if (corm_mig_read(&sql, &len, e, corm_buf_cstr(&file)) != CORM_OK) {
		rc = fail(o->sub, "cannot read %s", corm_buf_cstr(&file),
			CLI_EXIT_INVALID);
		goto done;
	}
	rc = cli_write_stdout(sql, len);
done:
	corm_free(sql);
	corm_buf_free(&file);
	corm_mig_dir_free(&d);
	return rc;
}

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
	fprintf(stderr, "%s migrate %s: %s: %s\n", CLI_PROG, s->o->sub, what,
		corm_errmsg(s->c));
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
	if ((rc = read_dir(&s->dir, o)))
		return rc;
	if ((rc = mcli_connect(&s->c, "migrate", o->db)))
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

static const corm_mig_applied *applied_of(const session *s,
	const char *version)
{
	size_t i;

	for (i = 0; i < s->hist.count; i++)
		if (strcmp(s->hist.items[i].version, version) == 0)
			return &s->hist.items[i];
	return NULL;
}

static int read_sql(char **sql, size_t *len, const session *s,
	const corm_mig_entry *e, bool up)
{
	corm_buf f = CORM_BUF_INIT;
	int rc;

	rc = corm_mig_sql_file(&f, s->dl, up) ? CORM_ENOMEM
		: corm_mig_read(sql, len, e, f.ptr);
	if (rc != CORM_OK)
		fprintf(stderr, "%s migrate %s: cannot read %s/%s\n", CLI_PROG,
			s->o->sub, e->dir, corm_buf_cstr(&f));
	corm_buf_free(&f);
	return rc == CORM_OK ? CLI_EXIT_OK : CLI_EXIT_INVALID;
}

/* The state of every migration; prints why when it cannot be read. */
static int read_status(corm_mig_status *st, const session *s)
{
	int rc = corm_mig_status_read(st, &s->dir, &s->hist, s->dl);

	if (rc != CORM_OK)
		fprintf(stderr, "%s migrate %s: %s\n", CLI_PROG, s->o->sub,
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
			fprintf(stderr, "%s migrate %s: %s\n", CLI_PROG, s->o->sub,
				it->unreadable);
			rc = CLI_EXIT_INVALID;
		} else if (it->message) {
			fprintf(stderr, "%s migrate: %s\n", CLI_PROG, it->message);
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
		fprintf(stderr, "%s migrate %s: %s_%s failed: %s\n", CLI_PROG,
			s->o->sub, e->version, e->name,
			err.len ? err.ptr : corm_errmsg(s->c));
		if (!s->dl->transactional_ddl)
			fprintf(stderr, "MySQL committed the statements before it; the "
				"migration is marked failed. Fix the database by hand, then "
				"run 'corm migrate resolve %s --applied' or "
				"'--rolled-back'.\n", e->version);
		else
			fprintf(stderr, "Nothing of it was kept (it ran in one "
				"transaction).\n");
		rc = CLI_EXIT_DB;
	} else if (skipped) {
		printf("%s %s_%s: already done by another migrator\n",
			up ? "Applied" : "Reverted", e->version, e->name);
	} else {
		printf("%s %s_%s (%.1f ms)\n", up ? "Applied" : "Reverted",
			e->version, e->name, ms_since(&t0));
	}
	fflush(stdout);
	corm_buf_free(&err);
	corm_free(sql);
	return rc;
}

static int cmd_up(const opts *o)
{
	session s;
	size_t n, i, done = 0;
	int rc;

	if ((rc = parse_count(&n, o->arg, (size_t)-1)))
		return rc;
	if ((rc = session_open(&s, o, true)) || (rc = check_blocked(&s)))
		goto done;
	for (i = 0; i < s.dir.count && done < n && !rc; i++) {
		const corm_mig_entry *e = &s.dir.items[i];

		if (applied_of(&s, e->version))
			continue;
		if (s.hist.count &&
			strcmp(e->version, s.hist.items[s.hist.count - 1].version) < 0)
			fprintf(stderr, "%s migrate up: note: %s_%s is older than "
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

static int cmd_down(const opts *o)
{
	session s;
	size_t n, i, done = 0;
	int rc;

	if ((rc = parse_count(&n, o->arg, 1)))
		return rc;
	if ((rc = session_open(&s, o, true)) || (rc = check_blocked(&s)))
		goto done;
	for (i = s.hist.count; i-- > 0 && done < n && !rc;) {
		const corm_mig_entry *e = corm_mig_dir_find(&s.dir, s.hist.items[i].version);

		if (!e) {
			rc = fail(o->sub, "applied migration %s is not in the "
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

static int cmd_status(const opts *o)
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
				fprintf(stderr, "%s migrate %s: %s\n", CLI_PROG, o->sub,
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
done:
	corm_mig_status_free(&st);
	corm_buf_free(&out);
	session_close(&s);
	return rc;
}

static int cmd_check(const opts *o)
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
		rc = fail(o->sub, "%s", corm_strerror(rc), CLI_EXIT_INVALID);
		goto done;
	}
	if (!plan->nops && mcli_pad_space_seen()) {
		/* The tables match, but their text compares differently. */
		fprintf(stderr, "%s migrate check: the database's collation "
			"differs (see the warning above)\n", CLI_PROG);
		rc = CLI_EXIT_DIFF;
		goto done;
	}
	if (!plan->nops) {
		printf("The database matches %s.\n", o->schema);
		rc = CLI_EXIT_OK;
		goto done;
	}
	fprintf(stderr, "%s migrate check: the database differs from %s:\n",
		CLI_PROG, o->schema);
	for (i = 0; i < plan->nops; i++)
		fprintf(stderr, "  - %s\n", plan->ops[i].what);
	rc = CLI_EXIT_DIFF;
done:
	corm_buf_free(&sql);
	corm_plan_free(plan);
	corm_schema_free(want);
	corm_schema_free(have);
	return rc;
}

static int cmd_resolve(const opts *o)
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
		rc = fail(o->sub, "no migration '%s' in the folder", o->arg,
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
	printf("Recorded %s_%s as %s.\n", e->version, e->name,
		o->applied ? "applied" : "rolled back");
done:
	corm_free(sql);
	session_close(&s);
	return rc;
}

/* --------------------------------------------------------- dispatcher */

static int run(int argc, char **argv)
{
	opts o;
	int rc = parse_opts(&o, argc, argv);

	if (rc == -1)
		return cli_print_help(&cli_cmd_migrate);
	if (rc)
		return rc;
	if (strcmp(o.sub, "make") == 0)
		return cmd_make(&o, false);
	if (strcmp(o.sub, "new") == 0)
		return cmd_make(&o, true);
	if (strcmp(o.sub, "up") == 0)
		return cmd_up(&o);
	if (strcmp(o.sub, "down") == 0)
		return cmd_down(&o);
	if (strcmp(o.sub, "status") == 0)
		return cmd_status(&o);
	if (strcmp(o.sub, "check") == 0)
		return cmd_check(&o);
	if (strcmp(o.sub, "sql") == 0)
		return cmd_sql(&o);
	if (strcmp(o.sub, "resolve") == 0)
		return cmd_resolve(&o);
	return cli_usage_error(&cli_cmd_migrate, "unknown subcommand '%s'", o.sub);
}
