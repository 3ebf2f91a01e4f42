/*
 * cmd_check.c — `corm check SCHEMA.corm`: parse and validate a schema.
 * Diagnostics go to stderr like a compiler's (or to stdout as JSON with
 * --format json); the exit code says valid (0), invalid (3) or usage (2).
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "corm/buf.h"
#include "corm/corm.h"
#include "corm/driver.h"

static int run(int argc, char **argv);

const cli_command cli_cmd_check = {
	"check",
	"SCHEMA.corm [--format text|json]",
	"validate a schema",
	"Parse SCHEMA.corm and check it: types, relations, keys, defaults,\n"
	"names (also against each engine's identifier length limit). Every\n"
	"error in the file is reported, compiler-style, on stderr. SCHEMA may\n"
	"be '-' for standard input.\n"
	"\n"
	"Options:\n"
	"  --format text  diagnostics on stderr (the default)\n"
	"  --format json  one JSON object on stdout:\n"
	"                 {\"file\", \"valid\", \"errors\", \"warnings\",\n"
	"                  \"diagnostics\": [{\"level\", \"line\", \"column\",\n"
	"                  \"length\", \"message\"}]}\n"
	"  -h, --help     show this help\n"
	"\n"
	"Exit status: 0 valid (warnings allowed), 2 usage error or unreadable\n"
	"file, 3 invalid schema.\n",
	run,
};

static void json_str(corm_buf *b, const char *s)
{
	corm_buf_putc(b, '"');
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			corm_buf_printf(b, "\\%c", c);
		else if (c == '\n')
			corm_buf_puts(b, "\\n");
		else if (c == '\t')
			corm_buf_puts(b, "\\t");
		else if (c < 0x20 || c == 0x7f)
			corm_buf_printf(b, "\\u%04x", c);
		else
			corm_buf_putc(b, (char)c);
	}
	corm_buf_putc(b, '"');
}

static int print_json(const corm_diags *d, const char *name, bool valid)
{
	static const char *const levels[] = {"error", "warning", "note"};
	corm_buf b = CORM_BUF_INIT;
	size_t i;
	int rc;

	corm_buf_puts(&b, "{\"file\": ");
	json_str(&b, name);
	corm_buf_printf(&b, ", \"valid\": %s, \"errors\": %zu, "
		"\"warnings\": %zu, \"diagnostics\": [", valid ? "true" : "false",
		d->nerrors, d->nwarnings);
	for (i = 0; i < d->count; i++) {
		const corm_diag *g = &d->items[i];

		corm_buf_printf(&b, "%s{\"level\": \"%s\", \"line\": %d, "
			"\"column\": %d, \"length\": %d, \"message\": ",
			i ? ", " : "", levels[g->level], g->loc.line, g->loc.col,
			g->len);
		json_str(&b, g->msg);
		corm_buf_putc(&b, '}');
	}
	corm_buf_puts(&b, "]}\n");
	if (corm_buf_error(&b)) {
		cli_eprintf("%s check: out of memory\n", CLI_PROG);
		corm_buf_free(&b);
		return CLI_EXIT_USAGE;
	}
	rc = cli_write_stdout(corm_buf_cstr(&b), b.len);
	corm_buf_free(&b);
	return rc;
}

static int run(int argc, char **argv)
{
	const char *path = NULL, *name;
	bool json = false, options = true;
	corm_diags diags = CORM_DIAGS_INIT;
	corm_schema *schema = NULL;
	char *src = NULL;
	size_t len = 0;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options && cli_is_help(a))
			return cli_print_help(&cli_cmd_check);
		if (options && strcmp(a, "--") == 0) {
			options = false;
			continue;
		}
		if (options && (strcmp(a, "--format") == 0 ||
				strncmp(a, "--format=", 9) == 0)) {
			const char *v = a[8] == '=' ? a + 9
				: i + 1 < argc ? argv[++i] : NULL;

			if (!v)
				return cli_usage_error(&cli_cmd_check,
					"'--format' needs a value: text or json");
			if (strcmp(v, "json") == 0)
				json = true;
			else if (strcmp(v, "text") == 0)
				json = false;
			else
				return cli_usage_error(&cli_cmd_check,
					"unknown format '%s' (expected text or json)", v);
			continue;
		}
		if (options && a[0] == '-' && a[1] != '\0')
			return cli_usage_error(&cli_cmd_check, "unknown option '%s'",
				a);
		if (path)
			return cli_usage_error(&cli_cmd_check,
				"one schema file at a time ('%s' and '%s')", path, a);
		path = a;
	}
	if (!path)
		return cli_usage_error(&cli_cmd_check, "missing the schema file");

	rc = cli_read_file(&src, &len, path);
	if (rc != CLI_EXIT_OK)
		return rc;
	name = cli_display_name(path);
	rc = corm_schema_parse(&schema, &diags, src, len);
	if (rc == CORM_ENOMEM) {
		cli_eprintf("%s check: out of memory\n", CLI_PROG);
		rc = CLI_EXIT_USAGE;
	} else {
		bool valid = rc == CORM_OK;

		if (json) {
			rc = print_json(&diags, name, valid);
			if (rc == CLI_EXIT_OK && !valid)
				rc = CLI_EXIT_INVALID;
		} else {
			cli_print_diags(&diags, name, src, len);
			rc = valid ? CLI_EXIT_OK : CLI_EXIT_INVALID;
		}
	}
	corm_schema_free(schema);
	corm_diags_free(&diags);
	corm_free(src);
	return rc;
}
