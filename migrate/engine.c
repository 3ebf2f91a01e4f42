/*
 * engine.c — the one lookup from an engine's name to its migration object
 * (see migrate_engine.h). The table below is the only list of engines in
 * migrate/ and cli/.
 */
#include <stdio.h>
#include <string.h>

#include "corm/driver.h"
#include "migrate_engine.h"

static const corm_migrate_engine *const engines[] = {
	&corm_mig_engine_sqlite,
	&corm_mig_engine_postgres,
	&corm_mig_engine_mysql,
};

const corm_migrate_engine *corm_mig_engine_find(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof(engines) / sizeof(engines[0]); i++)
		if (strcmp(engines[i]->name, name) == 0)
			return engines[i];
	return NULL;
}

const corm_migrate_engine *corm_mig_engine_of_dialect(const corm_dialect *d)
{
	return d ? corm_mig_engine_find(d->name) : NULL;
}

int corm_mig_engine_of(const corm_migrate_engine **out, corm_conn *c)
{
	const corm_dialect *d = corm_conn_dialect(c);

	*out = corm_mig_engine_of_dialect(d);
	if (*out)
		return CORM_OK;
	corm_conn__set_error(c, CORM_EINVAL, NULL, "corm cannot migrate a "
		"'%s' database: no migration engine for it",
		d && d->name ? d->name : "(unnamed)");
	return CORM_EINVAL;
}

const corm_dialect *corm_mig_url_dialect(const char *url)
{
	char scheme[32];
	size_t n = url ? strcspn(url, ":") : 0;

	if (!url || url[n] != ':' || n == 0 || n >= sizeof(scheme))
		return NULL;
	memcpy(scheme, url, n);
	scheme[n] = '\0';
	return corm_dialect_find(scheme);
}

int corm_mig_require_database(corm_conn *c)
{
	const corm_migrate_engine *eng;
	int error = corm_mig_engine_of(&eng, c);

	if (!error && eng->require_database)
		error = eng->require_database(c);
	return error;
}
