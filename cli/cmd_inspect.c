/*
 * cmd_inspect.c — `corm inspect [--db URL]`: print a live database as a
 * .corm schema (migrate/introspect.c does the reading).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_migrate.h"
#include "corm/driver.h"

static int run(int argc, char **argv);

const cli_command cli_cmd_inspect = {
	"inspect",
	"[--db URL] [--schema S]",
	"print a live database as a .corm schema",
	"Read the tables of a database (all but corm_migrations) and print\n"
	"them as a .corm schema: columns and types, nullability, defaults,\n"
	"keys, uniques, indexes, foreign keys with their on_delete, and\n"
	"enums (MySQL ENUM columns; elsewhere the CHECK listing the members).\n"
	"Names the database does not keep (models, enums,\n"
	"relation fields) are derived from table and column names, or taken\n"
	"from --schema where it agrees with the database.\n"
	"\n"
	"Options:\n"
	"  --db URL    the database (default: $DATABASE_URL)\n"
	"  --schema S  a .corm file to take names and order from\n"
	"  -h, --help  show this help\n"
	"\n"
	"Exit status: 0 printed, 2 usage error, 3 invalid hint schema, 4\n"
	"database error.\n",
	run,
};

static int run(int argc, char **argv)
{
	const char *url = getenv("DATABASE_URL"), *hint_path = NULL;
	const corm_dialect *d = NULL;
	corm_schema *hint = NULL, *s = NULL;
	corm_buf out = CORM_BUF_INIT;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (cli_is_help(a))
			return cli_print_help(&cli_cmd_inspect);
		if (strcmp(a, "--db") == 0 && i + 1 < argc)
			url = argv[++i];
		else if (strcmp(a, "--schema") == 0 && i + 1 < argc)
			hint_path = argv[++i];
		else
			return cli_usage_error(&cli_cmd_inspect, "unexpected '%s'", a);
	}
	if (!url || !*url)
		return cli_usage_error(&cli_cmd_inspect,
			"no database: pass --db URL or set DATABASE_URL");
	if (!mcli_is_url(url)) {
		cli_eprintf("%s inspect: '%s' is not a database URL%s%s%s\n",
			CLI_PROG, url, strchr(url, ':') ? "" : "; did you mean sqlite:",
			strchr(url, ':') ? "" : url, strchr(url, ':') ? "" : "?");
		return CLI_EXIT_USAGE;
	}
	if (hint_path && (rc = mcli_load_schema(&hint, &d, "inspect", hint_path,
			NULL)) != CLI_EXIT_OK)
		return rc;
	if ((rc = mcli_load_schema(&s, &d, "inspect", url, hint)) != CLI_EXIT_OK)
		goto done;
	if (corm_schema_write(&out, s) != CORM_OK) {
		cli_eprintf("%s inspect: out of memory\n", CLI_PROG);
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	rc = cli_write_stdout(corm_buf_cstr(&out), out.len);
done:
	corm_buf_free(&out);
	corm_schema_free(s);
	corm_schema_free(hint);
	return rc;
}
