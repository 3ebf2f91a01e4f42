/*
 * cmd_gen.c — `corm gen SCHEMA.corm [-o DIR]`: write DIR/<base>.h and
 * DIR/<base>.c, the C code of a schema (see docs/codegen.md).
 *
 * Nothing is written unless the whole schema is valid and both files were
 * generated; each file is replaced atomically, so a failure never leaves a
 * partial or mismatched pair behind.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "corm/buf.h"
#include "corm/corm.h"
#include "corm/driver.h"
#include "emit.h"

static int run(int argc, char **argv);

const cli_command cli_cmd_gen = {
	"gen",
	"SCHEMA.corm [-o DIR] [--name BASE]",
	"generate C structs and CRUD functions",
	"Validate SCHEMA.corm and write DIR/BASE.h and DIR/BASE.c: a struct per\n"
	"model, typed insert/get/update/delete/upsert functions, a C enum per\n"
	"enum. BASE is the schema file's name without '.corm'. The output is\n"
	"the same bytes for the same schema (no dates), so it can be checked in\n"
	"or generated at build time; see docs/codegen.md for meson.\n"
	"\n"
	"Options:\n"
	"  -o, --output DIR  where to write the files (default: the current\n"
	"                    directory; it must exist)\n"
	"  --name BASE       name the files and the include guard BASE (needed\n"
	"                    when SCHEMA is '-', standard input)\n"
	"  -h, --help        show this help\n"
	"\n"
	"Exit status: 0 written, 2 usage error or a file that cannot be read\n"
	"or written, 3 invalid schema (nothing written).\n",
	run,
};

/* "path/to/blog.corm" -> "blog"; NULL when nothing usable is left. */
static char *base_of(const char *path)
{
	const char *slash = strrchr(path, '/');
	const char *start = slash ? slash + 1 : path;
	size_t len = strlen(start);

	if (len > 5 && strcmp(start + len - 5, ".corm") == 0)
		len -= 5;
	return len ? corm_strndup(start, len) : NULL;
}

/* A base must make a file name and a C include guard. */
static bool valid_base(const char *base)
{
	const char *p;

	if (!*base)
		return false;
	for (p = base; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-'))
			return false;
	return true;
}

static int write_pair(const char *dir, const char *base, const corm_buf *h,
	const corm_buf *c)
{
	corm_buf path = CORM_BUF_INIT;
	int rc;

	corm_buf_printf(&path, "%s/%s.h", dir, base);
	rc = corm_buf_error(&path) ? CLI_EXIT_USAGE
		: cli_write_file_atomic(corm_buf_cstr(&path), h->ptr, h->len);
	if (rc == CLI_EXIT_OK) {
		corm_buf_clear(&path);
		corm_buf_printf(&path, "%s/%s.c", dir, base);
		rc = corm_buf_error(&path) ? CLI_EXIT_USAGE
			: cli_write_file_atomic(corm_buf_cstr(&path), c->ptr, c->len);
	}
	corm_buf_free(&path);
	return rc;
}

static int run(int argc, char **argv)
{
	const char *path = NULL, *dir = ".", *name_opt = NULL, *display;
	corm_diags diags = CORM_DIAGS_INIT;
	corm_schema *schema = NULL;
	corm_buf h = CORM_BUF_INIT, c = CORM_BUF_INIT;
	char *src = NULL, *base = NULL;
	size_t len = 0;
	bool options = true;
	int i, rc;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (options && cli_is_help(a))
			return cli_print_help(&cli_cmd_gen);
		if (options && strcmp(a, "--") == 0) {
			options = false;
		} else if (options && (strcmp(a, "-o") == 0 ||
				   strcmp(a, "--output") == 0)) {
			if (i + 1 >= argc)
				return cli_usage_error(&cli_cmd_gen,
					"'%s' needs a directory", a);
			dir = argv[++i];
		} else if (options && strcmp(a, "--name") == 0) {
			if (i + 1 >= argc)
				return cli_usage_error(&cli_cmd_gen,
					"'--name' needs a base name, e.g. --name blog");
			name_opt = argv[++i];
		} else if (options && a[0] == '-' && a[1] != '\0') {
			return cli_usage_error(&cli_cmd_gen, "unknown option '%s'", a);
		} else if (path) {
			return cli_usage_error(&cli_cmd_gen,
				"one schema file at a time ('%s' and '%s')", path, a);
		} else {
			path = a;
		}
	}
	if (!path)
		return cli_usage_error(&cli_cmd_gen, "missing the schema file");
	if (!name_opt && strcmp(path, "-") == 0)
		return cli_usage_error(&cli_cmd_gen,
			"reading standard input: name the output with --name BASE");
	base = name_opt ? corm_strdup(name_opt) : base_of(path);
	if (!base || !valid_base(base)) {
		rc = cli_usage_error(&cli_cmd_gen, "'%s' cannot name the output "
			"files: use letters, digits, '_' and '-' (--name BASE)",
			base ? base : path);
		goto done;
	}

	if ((rc = cli_read_file(&src, &len, path)) != CLI_EXIT_OK)
		goto done;
	display = cli_display_name(path);
	rc = corm_schema_parse(&schema, &diags, src, len);
	/* The banner names the file, not the path: the output must not depend
	 * on where the build ran. */
	if (rc == CORM_OK)
		rc = corm_emit_c(&h, &c, &diags, schema, base,
			strrchr(display, '/') ? strrchr(display, '/') + 1 : display);
	cli_print_diags(&diags, display, src, len);
	if (rc == CORM_EINVAL) {
		rc = CLI_EXIT_INVALID;
	} else if (rc != CORM_OK) {
		fprintf(stderr, "%s gen: %s\n", CLI_PROG, corm_strerror(rc));
		rc = CLI_EXIT_USAGE;
	} else {
		rc = write_pair(dir, base, &h, &c);
	}
done:
	corm_buf_free(&h);
	corm_buf_free(&c);
	corm_schema_free(schema);
	corm_diags_free(&diags);
	corm_free(src);
	corm_free(base);
	return rc;
}
