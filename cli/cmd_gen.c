/*
 * cmd_gen.c — `corm gen SCHEMA.corm [-o DIR]`: write DIR/<base>.h and
 * DIR/<base>.c, the C code of a schema (see docs/codegen.md).
 *
 * Nothing is written unless the whole schema is valid and both files were
 * generated; each file is replaced atomically, so a failure never leaves a
 * partial or mismatched pair behind.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* Both files or neither: each is written to a hidden file beside its
 * target first, both targets are checked, and only then are both renamed
 * into place, so a failure never leaves a header without its source. */
static int write_pair(const char *dir, const char *base, const corm_buf *h,
	const corm_buf *c)
{
	corm_buf hp = CORM_BUF_INIT, cp = CORM_BUF_INIT;
	corm_buf ht = CORM_BUF_INIT, ct = CORM_BUF_INIT;
	struct stat st;
	int rc = CLI_EXIT_USAGE;

	corm_buf_printf(&hp, "%s/%s.h", dir, base);
	corm_buf_printf(&cp, "%s/%s.c", dir, base);
	corm_buf_printf(&ht, "%s/.%s.h.new", dir, base);
	corm_buf_printf(&ct, "%s/.%s.c.new", dir, base);
	if (hp.error || cp.error || ht.error || ct.error) {
		cli_eprintf("%s gen: out of memory\n", CLI_PROG);
		goto done;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		bool exists = stat(dir, &st) == 0;

		cli_eprintf("%s gen: the output folder '%s' %s\n", CLI_PROG, dir,
			exists ? "is not a folder" : "does not exist; create it first");
		goto done;
	}
	if ((stat(hp.ptr, &st) == 0 && S_ISDIR(st.st_mode)) ||
		(stat(cp.ptr, &st) == 0 && S_ISDIR(st.st_mode))) {
		cli_eprintf("%s gen: cannot write '%s' and '%s': one is a "
			"directory\n", CLI_PROG, hp.ptr, cp.ptr);
		goto done;
	}
	if ((rc = cli_write_file_atomic(ht.ptr, h->ptr, h->len)) != CLI_EXIT_OK ||
		(rc = cli_write_file_atomic(ct.ptr, c->ptr, c->len)) != CLI_EXIT_OK)
		goto done;
	if (rename(ht.ptr, hp.ptr) != 0 || rename(ct.ptr, cp.ptr) != 0) {
		cli_eprintf("%s gen: cannot write into '%s': %s\n", CLI_PROG,
			dir, strerror(errno));
		rc = CLI_EXIT_USAGE;
	}
done:
	unlink(ht.ptr ? ht.ptr : ""); /* gone after a rename: ENOENT is fine */
	unlink(ct.ptr ? ct.ptr : "");
	corm_buf_free(&hp);
	corm_buf_free(&cp);
	corm_buf_free(&ht);
	corm_buf_free(&ct);
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
		cli_eprintf("%s gen: %s\n", CLI_PROG, corm_strerror(rc));
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
