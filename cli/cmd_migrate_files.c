/*
 * cmd_migrate_files.c — the directory side of `corm migrate` (see
 * cmd_migrate.c): make and new write a migration folder, sql prints one
 * of its files.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "cmd_migrate_int.h"
#include "corm/driver.h"

/* Every dialect gets its up/down files. */
#define NDIALECTS (sizeof(corm_dialects) / sizeof(corm_dialects[0]))

/* ------------------------------------------------------- the directory */

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
		cli_eprintf("%s migrate: cannot read %s/schema.corm\n", CLI_PROG,
			d->items[d->count - 1].dir);
		return CLI_EXIT_INVALID;
	}
	rc = mcli_parse(out, d->items[d->count - 1].dir, src, len);
	corm_free(src);
	return rc;
}

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

/* The UTC time a version (yyyymmddHHMMSS) names; false when it names
 * none (a month 13, a second 60). */
static bool version_time(time_t *out, const char *v)
{
	struct tm tm, back;
	int f[6], i, k;
	static const int width[6] = { 4, 2, 2, 2, 2, 2 };

	for (i = 0; i < 6; i++)
		for (f[i] = 0, k = 0; k < width[i]; k++, v++) {
			if (*v < '0' || *v > '9')
				return false;
			f[i] = f[i] * 10 + (*v - '0');
		}
	memset(&tm, 0, sizeof(tm));
	tm.tm_year = f[0] - 1900;
	tm.tm_mon = f[1] - 1;
	tm.tm_mday = f[2];
	tm.tm_hour = f[3];
	tm.tm_min = f[4];
	tm.tm_sec = f[5];
	*out = timegm(&tm); /* which normalises tm: compare with f[] */
	return gmtime_r(out, &back) && back.tm_year + 1900 == f[0] &&
		back.tm_mon + 1 == f[1] && back.tm_mday == f[2] &&
		back.tm_hour == f[3] && back.tm_min == f[4] && back.tm_sec == f[5];
}

/* The next version: now in UTC, or the second after the newest when the
 * clock is behind it (two makes in one second): always a valid time, so
 * ...59 is followed by the next minute, not ...60. */
static int next_version(char out[15], const corm_mig_dir *d)
{
	time_t t = time(NULL), newest;
	struct tm tm;

	if (d->count) {
		const char *v = d->items[d->count - 1].version;

		if (!version_time(&newest, v)) {
			cli_eprintf("%s migrate: the newest migration's version %s is "
				"not a UTC time (yyyymmddHHMMSS); rename its folder\n",
				CLI_PROG, v);
			return CLI_EXIT_INVALID;
		}
		if (t <= newest)
			t = newest + 1;
	}
	gmtime_r(&t, &tm);
	strftime(out, 15, "%Y%m%d%H%M%S", &tm);
	return CLI_EXIT_OK;
}

static int make_folder(corm_buf *path, const opts *o, const corm_mig_dir *d)
{
	char version[15];
	int rc;

	if ((rc = next_version(version, d)))
		return rc;
	if (mkdir(o->dir, 0777) != 0 && errno != EEXIST)
		return mig_fail(o->sub, "cannot create '%s'", o->dir, CLI_EXIT_USAGE);
	corm_buf_printf(path, "%s/%s_%s", o->dir, version, o->arg);
	if (corm_buf_error(path))
		return mig_fail(o->sub, "%s", "out of memory", CLI_EXIT_USAGE);
	if (mkdir(path->ptr, 0777) != 0)
		return mig_fail(o->sub, "cannot create '%s'", path->ptr,
			CLI_EXIT_USAGE);
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

int mig_cmd_make(const opts *o, bool empty)
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
	if ((rc = mig_read_dir(&d, o)) || (rc = last_snapshot(&prev, &d)))
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
			rc = mig_fail(o->sub, "%s", corm_strerror(rc), CLI_EXIT_USAGE);
			goto done;
		}
		if (up->nops == 0) {
			cli_printf("No changes: %s matches the newest migration.\n",
				o->schema);
			rc = CLI_EXIT_OK;
			goto done;
		}
		if (corm_plan_ndestructive(up) && !o->allow_destructive) {
			cli_eprintf("%s migrate make: refusing destructive changes "
				"(rerun with --allow-destructive to accept them):\n",
				CLI_PROG);
			for (i = 0; i < up->nops; i++)
				if (up->ops[i].destructive)
					cli_eprintf("  - %s\n", up->ops[i].what);
			rc = CLI_EXIT_DIFF;
			goto done;
		}
	}
	if (o->dry_run) {
		/* Show what would be written; touch nothing. */
		cli_printf("Would create migrations/<timestamp>_%s/ (--dry-run: "
			"nothing written)\n", o->arg);
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
			? mig_fail(o->sub, "%s", "out of memory", CLI_EXIT_USAGE)
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
				rc = mig_fail(o->sub, "%s", "out of memory", CLI_EXIT_USAGE);
			else
				rc = write_in(path.ptr, file.ptr, corm_buf_cstr(&text),
					text.len);
		}
		corm_buf_free(&file);
	}
	corm_buf_clear(&text);
	if (!rc && corm_schema_write(&text, next) != CORM_OK)
		rc = mig_fail(o->sub, "%s", "out of memory", CLI_EXIT_USAGE);
	if (!rc)
		rc = write_in(path.ptr, "schema.corm", corm_buf_cstr(&text),
			text.len);
	if (!rc) {
		cli_printf("Created %s/\n", path.ptr);
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

int mig_cmd_sql(const opts *o)
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
	if ((rc = mig_read_dir(&d, o)))
		return rc;
	if (!(e = corm_mig_dir_find(&d, o->arg))) {
		rc = mig_fail(o->sub, "no migration '%s'", o->arg, CLI_EXIT_USAGE);
		goto done;
	}
	corm_mig_sql_file(&file, dl, !o->down);
	if (corm_mig_read(&sql, &len, e, corm_buf_cstr(&file)) != CORM_OK) {
		rc = mig_fail(o->sub, "cannot read %s", corm_buf_cstr(&file),
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

