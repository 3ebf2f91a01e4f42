/*
 * cmd_diff.c — `corm diff FROM TO [--dialect D]`: print the SQL that
 * turns FROM into TO. Each side is a .corm file, a database URL (read
 * back by introspection) or '-' for the empty schema. Also home of the
 * helpers the migration commands share (cmd_migrate.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd_migrate.h"
#include "migrate_engine.h"
#include "corm/driver.h"

static int run(int argc, char **argv);

const cli_command cli_cmd_diff = {
	"diff",
	"FROM TO [--dialect D]",
	"print the SQL that turns one schema into another",
	"Print the SQL that turns FROM into TO. FROM and TO are each a .corm\n"
	"file, a database URL (sqlite:..., postgres://..., mysql://...; read\n"
	"back as a schema) or '-' for the empty schema. Nothing is run.\n"
	"\n"
	"Destructive operations (dropping tables or columns, narrowing a\n"
	"type, NOT NULL without a default) are marked in the SQL comments.\n"
	"Renames are only seen through @renamed_from / @@renamed_from;\n"
	"without them a rename is a drop and an add.\n"
	"\n"
	"Options:\n"
	"  --dialect D  sqlite, postgres or mysql; default: the dialect of a\n"
	"               URL argument, else sqlite\n"
	"  -h, --help   show this help\n"
	"\n"
	"Exit status: 0 printed (also when there is no difference), 2 usage\n"
	"error, 3 invalid schema, 4 database error.\n",
	run,
};

bool mcli_is_url(const char *arg)
{
	return corm_mig_url_dialect(arg) != NULL || strstr(arg, "://") != NULL;
}

/* CLI_EXIT_USAGE after a message when `url` has no scheme, or names an
 * SQLite file that does not exist and must not be created. */
static int check_url(const char *cmd, const char *url, bool may_create)
{
	const corm_dialect *d = corm_mig_url_dialect(url);
	corm_url *u = NULL;
	struct stat st;
	int rc = CLI_EXIT_OK;

	if (!d && !strchr(url, ':')) {
		cli_eprintf("%s %s: '%s' is not a database URL (it has no scheme); "
			"did you mean sqlite:%s?\n", CLI_PROG, cmd, url, url);
		return CLI_EXIT_USAGE;
	}
	if (may_create || !d || !d->file_database ||
		corm_url_parse(&u, url) != CORM_OK)
		return CLI_EXIT_OK; /* corm_conn_open() says what is wrong */
	if (strcmp(u->database, ":memory:") != 0 &&
		stat(u->database, &st) != 0 && errno == ENOENT) {
		cli_eprintf("%s %s: no SQLite database at '%s' (nothing was "
			"created): check the path; 'corm migrate up' creates a new "
			"database\n", CLI_PROG, cmd, u->database);
		rc = CLI_EXIT_USAGE;
	}
	corm_url_free(u);
	return rc;
}

int mcli_connect(corm_conn **out, const char *cmd, const char *url,
	bool may_create)
{
	int rc;

	*out = NULL;
	if ((rc = check_url(cmd, url, may_create)) != CLI_EXIT_OK)
		return rc;
	rc = corm_conn_open(out, url);

	if (rc != CORM_OK) {
		cli_eprintf("%s %s: cannot connect: %s (%s)\n", CLI_PROG, cmd,
			corm_errmsg(NULL), corm_strerror(rc));
		return CLI_EXIT_DB;
	}
	if ((rc = corm_mig_require_database(*out)) != CORM_OK) {
		cli_eprintf("%s %s: %s\n", CLI_PROG, cmd, corm_errmsg(*out));
		corm_conn_close(*out);
		*out = NULL;
		return rc == CORM_EINVAL ? CLI_EXIT_USAGE : CLI_EXIT_DB;
	}
	return CLI_EXIT_OK;
}

int mcli_parse(corm_schema **out, const char *name, const char *src,
	size_t len)
{
	corm_diags diags = CORM_DIAGS_INIT;
	int rc = corm_schema_parse(out, &diags, src, len);

	cli_print_diags(&diags, name, src, len);
	corm_diags_free(&diags);
	if (rc == CORM_ENOMEM) {
		cli_eprintf("%s: out of memory\n", CLI_PROG);
		return CLI_EXIT_USAGE;
	}
	if (rc != CORM_OK) {
		cli_eprintf("%s: '%s' is not a valid schema\n", CLI_PROG, name);
		return CLI_EXIT_INVALID;
	}
	return CLI_EXIT_OK;
}

static bool pad_space_seen;

bool mcli_pad_space_seen(void)
{
	return pad_space_seen;
}

/* Warn about MySQL tables whose text ignores trailing spaces or case (see
 * corm_introspect_pad_space()), with the SQL that converts them. */
static void warn_pad_space(corm_conn *c, const char *cmd)
{
	corm_buf fix = CORM_BUF_INIT;

	if (corm_introspect_pad_space(&fix, c) == CORM_OK && fix.len) {
		cli_eprintf("%s %s: warning: tables hold text under a PAD "
			"SPACE or case-insensitive collation ('x' = 'x ', 'x' = 'X'), "
			"unlike the NO PAD binary one corm creates tables with: corm's "
			"queries still compare it by bytes, but the tables' UNIQUE "
			"keys do not; convert them in a migration (corm migrate new) "
			"with:\n%s", CLI_PROG, cmd, corm_buf_cstr(&fix));
		pad_space_seen = true;
	}
	corm_buf_free(&fix);
}

int mcli_load_schema(corm_schema **out, const corm_dialect **dialect,
	const char *cmd, const char *arg, const corm_schema *hint)
{
	char *src = NULL;
	size_t len = 0;
	corm_conn *c = NULL;
	int rc;

	*out = NULL;
	if (strcmp(arg, "-") == 0)
		return mcli_parse(out, "<empty>", "", 0);
	if (mcli_is_url(arg)) {
		if ((rc = mcli_connect(&c, cmd, arg, false)) != CLI_EXIT_OK)
			return rc;
		rc = corm_introspect(out, c, hint);
		if (rc != CORM_OK) {
			cli_eprintf("%s %s: cannot read the database: %s (%s)\n",
				CLI_PROG, cmd, corm_errmsg(c), corm_strerror(rc));
			rc = rc == CORM_EINVAL ? CLI_EXIT_INVALID : CLI_EXIT_DB;
		} else {
			if (dialect)
				*dialect = corm_conn_dialect(c);
			warn_pad_space(c, cmd);
			rc = CLI_EXIT_OK;
		}
		corm_conn_close(c);
		return rc;
	}
	if ((rc = cli_read_file(&src, &len, arg)) != CLI_EXIT_OK)
		return rc;
	rc = mcli_parse(out, arg, src, len);
	corm_free(src);
	return rc;
}

static int run(int argc, char **argv)
{
	const char *args[2] = {NULL, NULL};
	const corm_dialect *d = NULL, *url_dialect = NULL;
	corm_schema *s[2] = {NULL, NULL};
	corm_plan *plan = NULL;
	corm_buf sql = CORM_BUF_INIT;
	int nargs = 0, i, rc, order[2] = {0, 1};

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_help(a))
			return cli_print_help(&cli_cmd_diff);
		if (strcmp(a, "--dialect") == 0 && i + 1 < argc) {
			if (!(d = corm_dialect_find(argv[++i])))
				return cli_usage_error(&cli_cmd_diff, "unknown dialect '%s' "
					"(sqlite, postgres, mysql)", argv[i]);
			continue;
		}
		if (a[0] == '-' && a[1] != '\0')
			return cli_usage_error(&cli_cmd_diff, "unknown option '%s'", a);
		if (nargs == 2)
			return cli_usage_error(&cli_cmd_diff, "too many arguments");
		args[nargs++] = a;
	}
	if (nargs != 2)
		return cli_usage_error(&cli_cmd_diff, "needs FROM and TO");
	/* Files first, so a database side can be named after the other. */
	if (mcli_is_url(args[0]) && !mcli_is_url(args[1])) {
		order[0] = 1;
		order[1] = 0;
	}
	for (i = 0; i < 2; i++) {
		int k = order[i];

		rc = mcli_load_schema(&s[k], &url_dialect, "diff", args[k],
			s[!k]);
		if (rc != CLI_EXIT_OK)
			goto done;
	}
	if (!d)
		d = url_dialect ? url_dialect : &corm_dialect_sqlite;
	rc = corm_diff(&plan, s[0], s[1]);
	if (rc == CORM_OK)
		rc = corm_plan_render(&sql, d, plan);
	if (rc != CORM_OK) {
		cli_eprintf("%s diff: %s\n", CLI_PROG, corm_strerror(rc));
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	rc = cli_write_stdout(corm_buf_cstr(&sql), sql.len);
done:
	corm_buf_free(&sql);
	corm_plan_free(plan);
	corm_schema_free(s[0]);
	corm_schema_free(s[1]);
	return rc;
}
