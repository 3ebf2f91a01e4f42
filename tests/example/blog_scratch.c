/*
 * blog_scratch.c — a throwaway database for the blog end-to-end test
 * (test_blog.sh), made and dropped through a corm connection.
 *
 *   blog_scratch ENGINE             print the URL of a new empty database
 *                                   on the test server (exit 77: skip)
 *   blog_scratch ENGINE drop URL    drop that database
 *
 * ENGINE is postgres or mysql, configured as for every engine test
 * (tests/common/engine.h). SQLite needs no server: the script uses a file.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <corm/corm.h>

#include "engine.h"

/* The database name of `url`: after the last '/', before any '?'. */
static int db_name(char *out, size_t size, const char *url)
{
	const char *q = strchr(url, '?'), *end = q ? q : url + strlen(url);
	const char *s = end;

	while (s > url && s[-1] != '/')
		s--;
	if (s == url || end - s == 0 || (size_t)(end - s) >= size)
		return -1;
	memcpy(out, s, (size_t)(end - s));
	out[end - s] = '\0';
	/* Only names this program makes: no quoting needed, nothing else
	 * can be dropped by mistake. */
	if (strncmp(out, "corm_blog_", 10) != 0 ||
		strspn(out, "abcdefghijklmnopqrstuvwxyz_0123456789") !=
		strlen(out))
		return -1;
	return 0;
}

int main(int argc, char **argv)
{
	test_engine e;
	corm_conn *c = NULL;
	char sql[200], name[64];
	const char *q, *end;
	int error, drop = argc == 4 && strcmp(argv[2], "drop") == 0;

	if (argc != 2 && !drop) {
		fprintf(stderr, "usage: blog_scratch ENGINE [drop URL]\n");
		return 2;
	}
	if ((error = test_engine_init(&e, "blog_scratch", argv[1])) != 0)
		return error;
	if (drop) {
		if (db_name(name, sizeof(name), argv[3]) != 0) {
			fprintf(stderr, "blog_scratch: not a scratch URL\n");
			return 2;
		}
		snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s%s", name,
			strcmp(argv[1], "postgres") == 0 ? " WITH (FORCE)" : "");
	} else {
		snprintf(name, sizeof(name), "corm_blog_%ld_%ld", (long)getpid(),
			(long)(time(NULL) % 1000000));
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	}
	if ((error = corm_conn_open(&c, e.url)) == CORM_OK)
		error = corm_exec(c, sql);
	if (error != CORM_OK)
		fprintf(stderr, "blog_scratch: %s: %s\n", sql, corm_errmsg(c));
	corm_conn_close(c);
	if (error == CORM_OK && !drop) {
		q = strchr(e.url, '?');
		end = q ? q : e.url + strlen(e.url);
		while (end > e.url && *end != '/')
			end--;
		printf("%.*s/%s%s\n", (int)(end - e.url), e.url, name, q ? q : "");
	}
	test_engine_cleanup(&e);
	return error == CORM_OK ? 0 : 1;
}
