/*
 * cmd_fmt.c — `corm fmt SCHEMA.corm [--check]`: rewrite a schema in
 * canonical form (schema/print.c has the rules). The file is replaced
 * atomically and only when its text changes; `-` filters stdin to
 * stdout; an invalid schema is never formatted.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "corm/corm.h"
#include "corm/driver.h"

static int run(int argc, char **argv);

const cli_command cli_cmd_fmt = {
	"fmt",
	"SCHEMA.corm [--check]",
	"rewrite a schema in canonical form",
	"Rewrite SCHEMA.corm in canonical form: four-space indents, aligned\n"
	"field columns, one blank line between blocks; every comment is kept\n"
	"and the meaning never changes. The file is replaced atomically, and\n"
	"left untouched when it is already formatted. With SCHEMA '-', read\n"
	"standard input and write the result to standard output. An invalid\n"
	"schema is not formatted: its errors are printed as by 'corm check'.\n"
	"\n"
	"Options:\n"
	"  --check     write nothing; exit 1 and name the file when it is not\n"
	"              formatted\n"
	"  -h, --help  show this help\n"
	"\n"
	"Exit status: 0 formatted (or already was), 1 not formatted (--check),\n"
	"2 usage error or a file that cannot be read or written, 3 invalid\n"
	"schema.\n",
	run,
};

static int run(int argc, char **argv)
{
	const char *path = NULL, *name;
	bool check = false, options = true;
	corm_diags diags = CORM_DIAGS_INIT;
	char *src = NULL, *out = NULL;
	size_t len = 0, out_len = 0;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options && cli_is_help(a))
			return cli_print_help(&cli_cmd_fmt);
		if (options && strcmp(a, "--") == 0) {
			options = false;
			continue;
		}
		if (options && strcmp(a, "--check") == 0) {
			check = true;
			continue;
		}
		if (options && a[0] == '-' && a[1] != '\0')
			return cli_usage_error(&cli_cmd_fmt, "unknown option '%s'", a);
		if (path)
			return cli_usage_error(&cli_cmd_fmt,
				"one schema file at a time ('%s' and '%s')", path, a);
		path = a;
	}
	if (!path)
		return cli_usage_error(&cli_cmd_fmt, "missing the schema file");

	rc = cli_read_file(&src, &len, path);
	if (rc != CLI_EXIT_OK)
		return rc;
	name = cli_display_name(path);
	rc = corm_schema_format(&out, &out_len, &diags, src, len);
	if (rc == CORM_ENOMEM) {
		cli_eprintf("%s fmt: out of memory\n", CLI_PROG);
		rc = CLI_EXIT_USAGE;
		goto done;
	}
	cli_print_diags(&diags, name, src, len);
	if (rc != CORM_OK) {
		cli_eprintf("%s fmt: '%s' is not a valid schema; not "
			"formatted\n", CLI_PROG, name);
		rc = CLI_EXIT_INVALID;
		goto done;
	}
	if (check) {
		if (out_len != len || memcmp(out, src, len) != 0) {
			cli_eprintf("%s: not formatted (run '%s fmt %s')\n", name,
				CLI_PROG, path);
			rc = CLI_EXIT_DIFF;
		} else {
			rc = CLI_EXIT_OK;
		}
	} else if (strcmp(path, "-") == 0) {
		rc = cli_write_stdout(out, out_len);
	} else if (out_len == len && memcmp(out, src, len) == 0) {
		rc = CLI_EXIT_OK; /* already formatted: keep the file's mtime */
	} else {
		rc = cli_write_file_atomic(path, out, out_len);
	}
done:
	corm_free(out);
	corm_free(src);
	corm_diags_free(&diags);
	return rc;
}
