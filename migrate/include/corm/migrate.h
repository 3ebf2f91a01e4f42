/*
 * corm/migrate.h — run a migrations folder from your own program
 * (libcorm-migrate, pkg-config `corm-migrate`).
 *
 * For tests, embedded devices and single-binary deploys: the same work
 * as `corm migrate up`, with the same lock between migrators, the same
 * history table (corm_migrations), the same checks (an edited or failed
 * migration blocks; a NUL byte in a file is refused before anything
 * runs) and the same per-engine safety (one transaction per migration
 * on SQLite and PostgreSQL; step-by-step history on MySQL).
 *
 *     corm_conn *db;
 *     corm_conn_open(&db, getenv("DATABASE_URL"));
 *     if (corm_migrate_up(db, "migrations", NULL, NULL) != CORM_OK)
 *         fprintf(stderr, "migrate: %s\n", corm_errmsg(db));
 *
 * Errors: CORM_EINVAL for a folder that is missing or invalid, or a
 * migration that blocks (the message says which and what to do);
 * otherwise the database's error. corm_errmsg(db) says what went wrong
 * and never holds a password.
 */
#ifndef CORM_MIGRATE_PUBLIC_H
#define CORM_MIGRATE_PUBLIC_H

#include <stdbool.h>
#include <stddef.h>

#include "corm/corm.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Called after each migration `corm_migrate_up` applies: its version
 * ("20260101120000"), name, the time it took, and whether another
 * migrator had applied it first (then nothing ran here). */
typedef void (*corm_migrate_progress_fn)(void *ctx, const char *version,
	const char *name, double ms, bool done_by_another);

/*
 * Apply every pending migration of folder `dir` to `db`, oldest first,
 * under the migrator's lock. `progress` (may be NULL) is called after
 * each one. On failure the migrations before it stay applied, and
 * nothing of the failing one is kept on SQLite and PostgreSQL; on MySQL
 * it is marked failed for `corm migrate resolve` (see docs/migrations.md).
 */
int corm_migrate_up(corm_conn *db, const char *dir,
	corm_migrate_progress_fn progress, void *ctx);

/*
 * How many migrations of `dir` are not applied to `db` (pending,
 * edited, failed, interrupted, or applied but missing from the folder):
 * 0 means the database is up to date with the folder.
 */
int corm_migrate_pending(size_t *count, corm_conn *db, const char *dir);

#ifdef __cplusplus
}
#endif

#endif /* CORM_MIGRATE_PUBLIC_H */
