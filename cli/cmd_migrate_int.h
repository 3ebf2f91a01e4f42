/*
 * cmd_migrate_int.h — what the files of `corm migrate` share (see
 * cmd_migrate.c): the parsed options, a few helpers and one function per
 * subcommand.
 */
#ifndef CORM_CLI_CMD_MIGRATE_INT_H
#define CORM_CLI_CMD_MIGRATE_INT_H

#include "cmd_migrate.h"

/* The options of one `corm migrate` run. */
typedef struct opts {
	const char *sub;
	const char *arg;        /* NAME, VERSION or N */
	const char *db;
	const char *dir;
	const char *schema;
	const char *dialect;
	const char *format;
	bool allow_destructive, dry_run, down, applied, rolled_back;
} opts;

/* Print "corm migrate SUB: " + fmt (with a), return `code`. */
int mig_fail(const char *sub, const char *fmt, const char *a, int code);
/* A count argument: N >= 1, or `dflt` when absent. */
int mig_parse_count(size_t *out, const char *arg, size_t dflt);
/* List o->dir's migrations; print why not and return CLI_EXIT_INVALID. */
int mig_read_dir(corm_mig_dir *d, const opts *o);

/* The directory side (cmd_migrate_files.c): make (or, `empty`, new). */
int mig_cmd_make(const opts *o, bool empty);
int mig_cmd_sql(const opts *o);

/* The database side (cmd_migrate_db.c). */
int mig_cmd_up(const opts *o);
int mig_cmd_down(const opts *o);
int mig_cmd_status(const opts *o);
int mig_cmd_check(const opts *o);
int mig_cmd_resolve(const opts *o);

#endif
