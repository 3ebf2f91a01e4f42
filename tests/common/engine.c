/*
 * engine.c — choosing and checking the engine a test runs against (see
 * engine.h).
 */
#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <corm/corm.h>

#include "engine.h"

static bool engines_required(void)
{
	const char *v = getenv("CORM_REQUIRE_ENGINES");

	return v && strcmp(v, "1") == 0;
}

static int unavailable(const char *prog, const char *engine, const char *why)
{
	if (engines_required()) {
		fprintf(stderr, "%s %s: FAILED: %s\nCORM_REQUIRE_ENGINES=1, so a "
			"missing engine is a failure. Start the servers with "
			"scripts/db-up and export what it prints.\n", prog, engine,
			why);
		return 1;
	}
	printf("%s %s: SKIPPED: %s (start the servers with scripts/db-up)\n",
		prog, engine, why);
	return TEST_ENGINE_SKIP;
}

int test_engine_init(test_engine *e, const char *prog, const char *name)
{
	const char *var = NULL, *url;
	corm_conn *c = NULL;
	char why[1400];
	int rc;

	memset(e, 0, sizeof(*e));
	if (!name) {
		fprintf(stderr, "usage: %s sqlite|postgres|mysql\n", prog);
		return 2;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (strcmp(name, "sqlite") == 0) {
		const char *tmp = getenv("TMPDIR");

		snprintf(e->sqlite_dir, sizeof(e->sqlite_dir), "%s/corm-test-XXXXXX",
			tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(e->sqlite_dir)) {
			perror("mkdtemp");
			e->sqlite_dir[0] = '\0';
			return 1;
		}
		snprintf(e->url, sizeof(e->url), "sqlite:%s/test.db", e->sqlite_dir);
	} else {
		if (strcmp(name, "postgres") == 0)
			var = "CORM_TEST_PG_URL";
		else if (strcmp(name, "mysql") == 0)
			var = "CORM_TEST_MYSQL_URL";
		if (!var) {
			fprintf(stderr, "%s: unknown engine '%s'\n", prog, name);
			return 2;
		}
		url = getenv(var);
		if (!url || !*url) {
			snprintf(why, sizeof(why), "%s is not set", var);
			return unavailable(prog, name, why);
		}
		snprintf(e->url, sizeof(e->url), "%s", url);
	}
	rc = corm_conn_open(&c, e->url);
	if (rc != CORM_OK) {
		snprintf(why, sizeof(why), "cannot connect (%s): %s",
			corm_strerror(rc), corm_errmsg(NULL));
		return e->sqlite_dir[0] ? 1 : unavailable(prog, name, why);
	}
	corm_conn_close(c);
	return 0;
}

void test_engine_cleanup(test_engine *e)
{
	DIR *d;
	struct dirent *ent;
	char path[1024];

	if (!e->sqlite_dir[0])
		return;
	if ((d = opendir(e->sqlite_dir)) != NULL) {
		while ((ent = readdir(d)) != NULL) {
			if (ent->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", e->sqlite_dir,
				ent->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(e->sqlite_dir);
	e->sqlite_dir[0] = '\0';
}
