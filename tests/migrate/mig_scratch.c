/*
 * mig_scratch.c — a scratch database for test_cli.sh.
 *
 *   mig_scratch ENGINE          print the URL of a new empty database
 *                               (exit 77: engine not configured)
 *   mig_scratch ENGINE drop URL drop it again
 *
 * SQLite needs no server: the script uses a file of its own and does not
 * call this.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "../common/engine.h"
#include "corm/corm.h"

int main(int argc, char **argv)
{
	test_engine e;
	corm_conn *c = NULL;
	char sql[200], name[64];
	const char *q, *slash;
	int rc;

	if (argc < 2)
		return 2;
	if ((rc = test_engine_init(&e, "mig_scratch", argv[1])) != 0)
		return rc;
	if (corm_conn_open(&c, e.url) != CORM_OK) {
		fprintf(stderr, "mig_scratch: %s\n", corm_errmsg(NULL));
		return 1;
	}
	if (argc == 4 && strcmp(argv[2], "drop") == 0) {
		q = strchr(argv[3], '?');
		slash = strrchr(argv[3], '/');
		snprintf(name, sizeof(name), "%.*s", (int)((q ? q : argv[3] +
			strlen(argv[3])) - slash - 1), slash + 1);
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s%s", name,
			strcmp(argv[1], "postgres") == 0 ? " WITH (FORCE)" : "");
	} else {
		snprintf(name, sizeof(name), "corm_mig_cli_%ld_%ld", (long)getpid(),
			(long)time(NULL) % 100000);
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	}
	rc = corm_exec(c, sql);
	if (rc != CORM_OK)
		fprintf(stderr, "mig_scratch: %s: %s\n", sql, corm_errmsg(c));
	corm_conn_close(c);
	if (rc != CORM_OK)
		return 1;
	if (argc < 4) {
		q = strchr(e.url, '?');
		slash = q ? q : e.url + strlen(e.url);
		while (slash > e.url && *slash != '/')
			slash--;
		printf("%.*s/%s%s\n", (int)(slash - e.url), e.url, name, q ? q : "");
	}
	test_engine_cleanup(&e);
	return 0;
}
