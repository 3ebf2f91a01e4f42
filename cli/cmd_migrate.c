/*
 * cmd_migrate.c — `corm migrate SUBCOMMAND`: make, new, up, down, status,
 * check, sql and resolve (docs/migrations.md is the guide). The rules are
 * migrate/'s; the CLI parses options, calls it and prints.
 *
 * This file: the help text, options and the dispatcher. The directory
 * side (make, new, sql) is in cmd_migrate_files.c, the database side (a
 * session holding the migrator's lock; up, down, status, check, resolve)
 * in cmd_migrate_db.c; cmd_migrate_int.h is what they share.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_migrate_int.h"
#include "corm/driver.h"

static int run(int argc, char **argv);

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
	"                      each migration: pending, applied, edited,\n"
	"                      failed, interrupted (JSON only) or missing\n"
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
	"(make), an edited/failed migration blocking up, or (status) any\n"
	"migration not applied; 2 usage (also a --dir or SQLite file that does\n"
	"not exist, except for up); 3 invalid schema or migration files; 4\n"
	"database error.\n",
	run,
};

/* --------------------------------------------------------------- options */


int mig_fail(const char *sub, const char *fmt, const char *a, int code)
{
	cli_eprintf("%s migrate %s: ", CLI_PROG, sub);
	cli_eprintf(fmt, a);
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
int mig_parse_count(size_t *out, const char *arg, size_t dflt)
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

int mig_read_dir(corm_mig_dir *d, const opts *o)
{
	corm_buf err = CORM_BUF_INIT;
	struct stat st;
	int rc;

	/* Only make and new start a folder: elsewhere a missing one is a
	 * typo, not an empty history ("Nothing to apply" would be a lie). */
	memset(d, 0, sizeof(*d));
	if (strcmp(o->sub, "make") != 0 && strcmp(o->sub, "new") != 0 &&
		stat(o->dir, &st) != 0 && errno == ENOENT) {
		cli_eprintf("%s migrate %s: no migrations folder '%s': pass --dir "
			"with the right one, or create the first migration with "
			"'corm migrate make'\n", CLI_PROG, o->sub, o->dir);
		return CLI_EXIT_USAGE;
	}
	rc = corm_mig_dir_read(d, &err, o->dir);

	if (rc != CORM_OK) {
		cli_eprintf("%s migrate %s: %s\n", CLI_PROG, o->sub,
			err.len ? err.ptr : corm_strerror(rc));
		corm_buf_free(&err);
		return CLI_EXIT_INVALID;
	}
	corm_buf_free(&err);
	return CLI_EXIT_OK;
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
		return mig_cmd_make(&o, false);
	if (strcmp(o.sub, "new") == 0)
		return mig_cmd_make(&o, true);
	if (strcmp(o.sub, "up") == 0)
		return mig_cmd_up(&o);
	if (strcmp(o.sub, "down") == 0)
		return mig_cmd_down(&o);
	if (strcmp(o.sub, "status") == 0)
		return mig_cmd_status(&o);
	if (strcmp(o.sub, "check") == 0)
		return mig_cmd_check(&o);
	if (strcmp(o.sub, "sql") == 0)
		return mig_cmd_sql(&o);
	if (strcmp(o.sub, "resolve") == 0)
		return mig_cmd_resolve(&o);
	return cli_usage_error(&cli_cmd_migrate, "unknown subcommand '%s'", o.sub);
}
