/*
 * cli.h — what the commands of the `corm` tool share: exit codes, the
 * command table entry, and small helpers (reading and atomically writing
 * files, usage errors, printing diagnostics).
 *
 * Adding a command: write cmd_<name>.c defining a `const cli_command`,
 * declare it below and list it in `commands[]` in main.c. `corm --help`
 * lists exactly the table, so only commands that exist are advertised.
 */
#ifndef CORM_CLI_H
#define CORM_CLI_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "corm/buf.h"
#include "schema.h"

/* Exit codes (DESIGN.md), the same for every command. */
enum {
	CLI_EXIT_OK = 0,
	CLI_EXIT_DIFF = 1,    /* a check found a difference (fmt --check) */
	CLI_EXIT_USAGE = 2,   /* bad arguments, or a file that cannot be
	                         read or written */
	CLI_EXIT_INVALID = 3, /* invalid schema or migration files */
	CLI_EXIT_DB = 4       /* database error */
};

typedef struct cli_command {
	const char *name;
	const char *synopsis; /* arguments, for `corm --help` */
	const char *summary;  /* one line, for `corm --help` */
	const char *help;     /* the full text of `corm help NAME` */
	/* argv[0] is the command's name; returns an exit code. */
	int (*run)(int argc, char **argv);
} cli_command;

extern const cli_command cli_cmd_check;
extern const cli_command cli_cmd_gen;
extern const cli_command cli_cmd_fmt;
extern const cli_command cli_cmd_diff;
extern const cli_command cli_cmd_inspect;
extern const cli_command cli_cmd_migrate;

/* The program's name in messages: "corm". */
#define CLI_PROG "corm"

/* Print `corm CMD: MESSAGE` and a hint to stderr; returns
 * CLI_EXIT_USAGE. */
int cli_usage_error(const cli_command *cmd, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;

/*
 * Print a message to stderr with every password hidden (redact.c): use
 * it for anything that may repeat what the user typed or what a database
 * said. cli_redact appends `text` to `out` with passwords hidden.
 */
void cli_eprintf(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
void cli_veprintf(const char *fmt, va_list ap);
/* The same on stdout, for lines that name a path the user gave (not for
 * SQL or schema text, which is printed as it is). */
void cli_printf(const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 1, 2)))
#endif
	;
void cli_redact(corm_buf *out, const char *text);

/* Print the command's help to stdout; returns CLI_EXIT_OK. */
int cli_print_help(const cli_command *cmd);

/* Is `arg` -h or --help? */
bool cli_is_help(const char *arg);

/* Largest schema file read: far past any real schema. */
#define CLI_MAX_FILE ((size_t)64 << 20)

/*
 * Read all of `path` ("-": standard input) into *out (corm_free it;
 * NUL-terminated, *len bytes). On failure prints why to stderr and
 * returns CLI_EXIT_USAGE.
 */
int cli_read_file(char **out, size_t *len, const char *path);

/*
 * Replace `path` with `data`: write a temporary file in the same
 * directory, flush it to disk, keep the old file's permissions, and
 * rename it over `path` (through a symlink, the target is replaced), so
 * a failure never leaves a partial file. Prints why on failure and
 * returns CLI_EXIT_USAGE.
 */
int cli_write_file_atomic(const char *path, const char *data, size_t len);

/* Write `data` to stdout; CLI_EXIT_USAGE (after a message) on failure. */
int cli_write_stdout(const char *data, size_t len);

/* Print diagnostics as a compiler would, on stderr. */
void cli_print_diags(const corm_diags *d, const char *name, const char *src,
	size_t len);

/* The display name of a path argument: "<stdin>" for "-". */
const char *cli_display_name(const char *path);

/* The closest of `cands` to `word` (a typo), or NULL. */
const char *cli_suggest(const char *word, const char *const *cands,
	size_t n);

#endif /* CORM_CLI_H */
