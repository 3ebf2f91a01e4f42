/*
 * cmd_migrate.h — what the migration commands (diff, inspect, migrate)
 * share: loading a schema from a file, a database URL or '-', and
 * connecting. Defined in cmd_diff.c.
 */
#ifndef CORM_CLI_CMD_MIGRATE_H
#define CORM_CLI_CMD_MIGRATE_H

#include "cli.h"
#include "corm/corm.h"
#include "migrate.h"

/* Does `arg` look like a database URL (scheme ':')? */
bool mcli_is_url(const char *arg);

/*
 * Open `url`; on failure print why (prefixed "corm CMD:") and return
 * CLI_EXIT_DB, or CLI_EXIT_USAGE for a URL that cannot be right: no
 * scheme ("did you mean sqlite:app.db?"), a MySQL URL naming no
 * database, or, unless `may_create`, an SQLite file that does not exist
 * (opening it would create it: only `migrate up` may).
 */
int mcli_connect(corm_conn **out, const char *cmd, const char *url,
	bool may_create);

/*
 * A schema from `arg`: a .corm file, a database URL (introspected, with
 * `hint` naming what the database cannot), or "-" for the empty schema.
 * *dialect is set to the database's dialect for a URL and left alone
 * otherwise. Prints errors; returns a CLI exit code.
 */
int mcli_load_schema(corm_schema **out, const corm_dialect **dialect,
	const char *cmd, const char *arg, const corm_schema *hint);

/* A database read by mcli_load_schema() had MySQL tables under a PAD
 * SPACE collation (it printed a warning with the SQL to convert them). */
bool mcli_pad_space_seen(void);

/* Parse `src` (named `name` in messages); CLI_EXIT_INVALID on errors. */
int mcli_parse(corm_schema **out, const char *name, const char *src,
	size_t len);

#endif
