/*
 * util.c — helpers shared by the commands of the `corm` tool: usage
 * errors, reading a file or stdin, replacing a file atomically, printing
 * diagnostics, and "did you mean" for command names.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "corm/buf.h"
#include "corm/corm.h"
#include "corm/driver.h"

int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
{
	va_list ap;

	cli_eprintf("%s %s: ", CLI_PROG, cmd->name);
	va_start(ap, fmt);
	cli_veprintf(fmt, ap);
	va_end(ap);
	cli_eprintf("\nUsage: %s %s %s\nRun '%s %s --help' for more.\n",
		CLI_PROG, cmd->name, cmd->synopsis, CLI_PROG, cmd->name);
	return CLI_EXIT_USAGE;
}

int cli_print_help(const cli_command *cmd)
{
	printf("Usage: %s %s %s\n\n%s", CLI_PROG, cmd->name, cmd->synopsis,
		cmd->help);
	return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
}

bool cli_is_help(const char *arg)
{
	return strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0;
}

const char *cli_display_name(const char *path)
{
	return strcmp(path, "-") == 0 ? "<stdin>" : path;
}

/* A name that is no file but has a URL's shape: user:password@host, or
 * a database scheme followed by ':'. */
static bool looks_like_url(const char *s)
{
	static const char *const schemes[] = {
		"postgres:", "postgresql:", "mysql:", "mariadb:", "sqlite:"
	};
	const char *at = strrchr(s, '@');
	size_t i;

	if (at && memchr(s, ':', (size_t)(at - s)))
		return true;
	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++)
		if (strncasecmp(s, schemes[i], strlen(schemes[i])) == 0)
			return true;
	return false;
}

int cli_read_file(char **out, size_t *len, const char *path)
{
	bool is_stdin = strcmp(path, "-") == 0;
	FILE *f = is_stdin ? stdin : fopen(path, "rb");
	corm_buf b = CORM_BUF_INIT;
	char chunk[65536];
	int rc = CLI_EXIT_OK;

	*out = NULL;
	*len = 0;
	if (!f) {
		int saved = errno;

		cli_eprintf("%s: cannot read '%s': %s\n", CLI_PROG, path,
			strerror(saved));
		if (saved == ENOENT && looks_like_url(path))
			/* A constant: nothing to hide (cli_eprintf would hide the
			 * example's "password"). */
			fputs(CLI_PROG ": it looks like a database URL, which is "
				"written postgres://user:password@host/database, "
				"mysql://... or sqlite:PATH; where a command takes a "
				"database, pass it with --db\n", stderr);
		return CLI_EXIT_USAGE;
	}
	b.max = CLI_MAX_FILE;
	for (;;) {
		size_t n = fread(chunk, 1, sizeof(chunk), f);

		if (n > 0 && corm_buf_put(&b, chunk, n) != CORM_OK) {
			if (corm_buf_error(&b) == CORM_ENOMEM)
				cli_eprintf("%s: out of memory reading '%s'\n",
					CLI_PROG, cli_display_name(path));
			else
				cli_eprintf("%s: '%s' is too large (more than %zu "
					"MiB)\n", CLI_PROG, cli_display_name(path),
					CLI_MAX_FILE >> 20);
			rc = CLI_EXIT_USAGE;
			break;
		}
		if (n < sizeof(chunk)) {
			if (ferror(f)) {
				cli_eprintf("%s: cannot read '%s': %s\n", CLI_PROG,
					cli_display_name(path), strerror(errno));
				rc = CLI_EXIT_USAGE;
			}
			break;
		}
	}
	if (!is_stdin)
		fclose(f);
	if (rc == CLI_EXIT_OK) {
		*len = b.len;
		*out = corm_buf_detach(&b); /* "" for an empty file */
		if (!*out) {
			cli_eprintf("%s: out of memory\n", CLI_PROG);
			rc = CLI_EXIT_USAGE;
		}
	}
	corm_buf_free(&b);
	return rc;
}

static bool write_all(int fd, const char *data, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, data, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return false;
		}
		data += n;
		len -= (size_t)n;
	}
	return true;
}

int cli_write_file_atomic(const char *path, const char *data, size_t len)
{
	char *real = realpath(path, NULL);
	const char *target = real ? real : path;
	const char *slash = strrchr(target, '/');
	corm_buf tmp = CORM_BUF_INIT;
	struct stat st;
	int fd = -1, rc = CLI_EXIT_USAGE, saved;
	bool created = false;
	const char *what = "create a temporary file for";

	if (slash)
		corm_buf_printf(&tmp, "%.*s/.%s.XXXXXX", (int)(slash - target),
			target, slash + 1);
	else
		corm_buf_printf(&tmp, ".%s.XXXXXX", target);
	if (corm_buf_error(&tmp)) {
		errno = ENOMEM;
		goto fail;
	}
	fd = mkstemp(tmp.ptr);
	if (fd < 0)
		goto fail;
	created = true;
	what = "write";
	if (!write_all(fd, data, len) || fsync(fd) != 0)
		goto fail;
	/* Keep an existing file's mode; a new one gets what open() would
	 * have given it (0666 less the umask), not mkstemp()'s 0600. */
	if (stat(target, &st) == 0) {
		if (fchmod(fd, st.st_mode & 07777) != 0)
			goto fail;
	} else {
		mode_t mask = umask(0);

		umask(mask);
		if (fchmod(fd, 0666 & ~mask) != 0)
			goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		goto fail;
	}
	fd = -1;
	what = "replace";
	if (rename(tmp.ptr, target) != 0)
		goto fail;
	rc = CLI_EXIT_OK;
	goto done;
fail:
	saved = errno;
	cli_eprintf("%s: cannot %s '%s': %s\n", CLI_PROG, what, path,
		strerror(saved));
	if (fd >= 0)
		close(fd);
	/* Not by looking at the name: mkstemp() may well end it with 'X'. */
	if (created)
		unlink(tmp.ptr);
done:
	corm_buf_free(&tmp);
	free(real); /* from realpath(): the C library's malloc */
	return rc;
}

int cli_write_stdout(const char *data, size_t len)
{
	if ((len && fwrite(data, 1, len, stdout) != len) || fflush(stdout)) {
		cli_eprintf("%s: cannot write to standard output: %s\n",
			CLI_PROG, strerror(errno));
		return CLI_EXIT_USAGE;
	}
	return CLI_EXIT_OK;
}

void cli_print_diags(const corm_diags *d, const char *name, const char *src,
	size_t len)
{
	corm_buf b = CORM_BUF_INIT;

	if (!d->count)
		return;
	if (corm_diags_render(&b, d, name, src, len) != CORM_OK)
		cli_eprintf("%s: out of memory printing diagnostics\n",
			CLI_PROG);
	else
		cli_eprintf("%s", corm_buf_cstr(&b));
	corm_buf_free(&b);
}

/* Plain Levenshtein distance for short words. */
static size_t distance(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b), i, j;
	size_t row[33];

	if (na > 32 || nb > 32)
		return (size_t)-1;
	for (j = 0; j <= nb; j++)
		row[j] = j;
	for (i = 1; i <= na; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

const char *cli_suggest(const char *word, const char *const *cands,
	size_t n)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(word) / 3, i;

	if (limit < 1)
		limit = 1;
	for (i = 0; i < n; i++) {
		size_t d = distance(word, cands[i]);

		if (d <= limit && d < best_d) {
			best = cands[i];
			best_d = d;
		}
	}
	return best;
}
