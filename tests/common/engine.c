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
#include "test_engines.h" /* generated from tests/meson.build's table */

/* An engine the tests know: its name, and the variable holding its test
 * server's URL ("" for a file database in a fresh temporary directory). */
typedef struct known_engine {
	const char *name;
	const char *url_env;
} known_engine;

static const known_engine known_engines[] = {
#define X(name, url_env) {name, url_env},
	CORM_TEST_ENGINES
#undef X
};

static const known_engine *find_engine(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(known_engines) / sizeof(known_engines[0]); i++)
		if (strcmp(known_engines[i].name, name) == 0)
			return &known_engines[i];
	return NULL;
}

static void print_usage(const char *prog)
{
	size_t i;

	fprintf(stderr, "usage: %s ", prog);
	for (i = 0; i < sizeof(known_engines) / sizeof(known_engines[0]); i++)
		fprintf(stderr, "%s%s", i ? "|" : "", known_engines[i].name);
	fputc('\n', stderr);
}

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
	const known_engine *k;
	const char *url;
	corm_conn *c = NULL;
	char why[1400];
	int rc;

	memset(e, 0, sizeof(*e));
	if (!name) {
		print_usage(prog);
		return 2;
	}
	if (!(k = find_engine(name))) {
		fprintf(stderr, "%s: unknown engine '%s'\n", prog, name);
		print_usage(prog);
		return 2;
	}
	snprintf(e->name, sizeof(e->name), "%s", name);
	if (!*k->url_env) {
		const char *tmp = getenv("TMPDIR");

		snprintf(e->sqlite_dir, sizeof(e->sqlite_dir), "%s/corm-test-XXXXXX",
			tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(e->sqlite_dir)) {
			perror("mkdtemp");
			e->sqlite_dir[0] = '\0';
			return 1;
		}
		snprintf(e->url, sizeof(e->url), "%s:%s/test.db", name,
			e->sqlite_dir);
	} else {
		url = getenv(k->url_env);
		if (!url || !*url) {
			snprintf(why, sizeof(why), "%s is not set", k->url_env);
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
