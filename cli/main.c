/*
 * main.c — the `corm` command-line tool: global options and the command
 * table. Each command lives in cmd_<name>.c.
 *
 * Exit codes are shared by every command (cli.h): 0 ok, 1 a check found
 * a difference, 2 usage error or unreadable file, 3 invalid schema or
 * migration files, 4 database error.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "corm/corm.h"

/* Every command that exists, in the order `corm --help` lists them. */
static const cli_command *const commands[] = {
	&cli_cmd_gen,
	&cli_cmd_check,
	&cli_cmd_fmt,
	&cli_cmd_diff,
	&cli_cmd_inspect,
	&cli_cmd_migrate,
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static const cli_command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(commands[i]->name, name) == 0)
			return commands[i];
	return NULL;
}

static void print_usage(FILE *out, bool full)
{
	size_t i, w = 0;

	fprintf(out, "Usage: %s COMMAND [ARGS...]\n", CLI_PROG);
	if (!full) {
		fprintf(out, "Run '%s --help' for the list of commands.\n",
			CLI_PROG);
		return;
	}
	fprintf(out, "\ncorm compiles .corm schemas and manages migrations.\n"
		"\nCommands:\n");
	for (i = 0; i < NCOMMANDS; i++) {
		size_t n = strlen(commands[i]->name) + 1 +
			strlen(commands[i]->synopsis);

		if (n > w)
			w = n;
	}
	for (i = 0; i < NCOMMANDS; i++) {
		int n = (int)(strlen(commands[i]->name) + 1 +
			strlen(commands[i]->synopsis));

		fprintf(out, "  %s %s%*s  %s\n", commands[i]->name,
			commands[i]->synopsis, (int)w - n, "", commands[i]->summary);
	}
	fprintf(out, "\nOptions:\n"
		"  -h, --help     show this help; '%s help COMMAND' or\n"
		"                 '%s COMMAND --help' shows a command's help\n"
		"  -V, --version  print the version\n"
		"\nExit status:\n"
		"  0  success\n"
		"  1  a check found a difference (e.g. 'fmt --check')\n"
		"  2  usage error, or a file that cannot be read or written\n"
		"  3  invalid schema or migration files\n"
		"  4  database error\n", CLI_PROG, CLI_PROG);
}

static int unknown_command(const char *name)
{
	const char *names[NCOMMANDS];
	const char *s;
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		names[i] = commands[i]->name;
	s = cli_suggest(name, names, NCOMMANDS);
	if (s)
		cli_eprintf("%s: unknown command '%s' (did you mean '%s'?)\n",
			CLI_PROG, name, s);
	else
		cli_eprintf("%s: unknown command '%s'\n", CLI_PROG, name);
	cli_eprintf("Run '%s --help' for the list of commands.\n",
		CLI_PROG);
	return CLI_EXIT_USAGE;
}

/* The length of NAME in "--NAME=value", or 0 for anything else. */
static size_t long_option_with_value(const char *arg)
{
	size_t n = 2;

	if (strncmp(arg, "--", 2) != 0)
		return 0;
	while ((arg[n] >= 'a' && arg[n] <= 'z') || arg[n] == '-')
		n++;
	return n > 2 && arg[n] == '=' ? n : 0;
}

/*
 * Run `cmd` with every "--name=value" given as "--name" "value", the
 * spelling users of GNU tools expect (--db=URL); until a "--", after
 * which arguments are taken as they are.
 */
static int run_command(const cli_command *cmd, int argc, char **argv)
{
	char **args = malloc(((size_t)argc * 2 + 1) * sizeof(*args));
	bool options = true;
	int i, n = 0, rc;

	if (!args) {
		cli_eprintf("%s: out of memory\n", CLI_PROG);
		return CLI_EXIT_USAGE;
	}
	for (i = 0; i < argc; i++) {
		size_t k = options ? long_option_with_value(argv[i]) : 0;

		if (strcmp(argv[i], "--") == 0)
			options = false;
		if (k) {
			argv[i][k] = '\0'; /* argv's strings are ours to change */
			args[n++] = argv[i];
			args[n++] = argv[i] + k + 1;
		} else {
			args[n++] = argv[i];
		}
	}
	args[n] = NULL;
	rc = cmd->run(n, args);
	free(args);
	return rc;
}

int main(int argc, char **argv)
{
	const cli_command *cmd;
	const char *name;

	if (argc < 2) {
		print_usage(stderr, false);
		return CLI_EXIT_USAGE;
	}
	name = argv[1];
	if (cli_is_help(name)) {
		print_usage(stdout, true);
		return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (strcmp(name, "-V") == 0 || strcmp(name, "--version") == 0) {
		printf("%s %s\n", CLI_PROG, CORM_VERSION_STRING);
		return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
	}
	if (strcmp(name, "help") == 0) {
		if (argc == 2) {
			print_usage(stdout, true);
			return fflush(stdout) == 0 ? CLI_EXIT_OK : CLI_EXIT_USAGE;
		}
		if (argc > 3) {
			cli_eprintf("%s help: too many arguments\n", CLI_PROG);
			return CLI_EXIT_USAGE;
		}
		cmd = find_command(argv[2]);
		return cmd ? cli_print_help(cmd) : unknown_command(argv[2]);
	}
	if (name[0] == '-') {
		cli_eprintf("%s: unknown option '%s'\n", CLI_PROG, name);
		print_usage(stderr, false);
		return CLI_EXIT_USAGE;
	}
	cmd = find_command(name);
	if (!cmd)
		return unknown_command(name);
	return run_command(cmd, argc - 1, argv + 1);
}
