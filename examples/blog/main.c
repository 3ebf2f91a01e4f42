/*
 * main.c — the blog example's server: a JSON API over HTTP on corm's
 * generated code (see docs/example.md).
 *
 *     DATABASE_URL=sqlite:blog.db blog-server --port 8080
 *
 * Reads its settings, opens the connection pool, checks the tables are
 * there, starts the HTTP workers and waits for SIGINT or SIGTERM, then
 * stops accepting, lets the requests in progress finish and closes
 * everything.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <corm/corm.h>
#include <corm/dialect.h>
#include <corm/pool.h>

#include "app.h"
#include "blog.h"
#include "input.h"
#include "server.h"

#define DEFAULT_URL "sqlite:blog.db"
#define DEFAULT_PORT 8080
#define DEFAULT_THREADS 4
#define DEFAULT_MAX_BODY (64 * 1024)

struct config {
	const char *url;
	int64_t port, threads, max_body;
	int quiet;
};

static void usage(FILE *f)
{
	fprintf(f,
"Usage: blog-server [--port N] [--threads N] [--max-body BYTES] [--quiet]\n"
"\n"
"The corm blog example: a JSON API on 127.0.0.1 (see docs/example.md).\n"
"Migrate the database first:\n"
"    corm migrate up --db \"$DATABASE_URL\" --dir examples/blog/migrations\n"
"\n"
"Options:\n"
"  --port N          port to listen on (default $PORT, else %d; 0 picks a\n"
"                    free one and prints it)\n"
"  --threads N       worker threads and pooled connections (default %d)\n"
"  --max-body BYTES  largest request body accepted (default %d); larger\n"
"                    ones get 413\n"
"  --quiet           no request log on stderr\n"
"  -h, --help        this help\n"
"\n"
"Environment:\n"
"  DATABASE_URL      database (default %s): sqlite:FILE,\n"
"                    postgres://user:pass@host:port/db, mysql://...\n"
"  PORT              port, when --port is not given\n"
"\n"
"Prints \"listening on http://127.0.0.1:PORT\" when ready; SIGINT or\n"
"SIGTERM stops it cleanly.\n",
		DEFAULT_PORT, DEFAULT_THREADS, DEFAULT_MAX_BODY, DEFAULT_URL);
}

/* 0 ok, 2 usage error (after a message). */
static int parse_args(struct config *cfg, int argc, char **argv)
{
	const char *env;

	cfg->url = (env = getenv("DATABASE_URL")) && *env ? env : DEFAULT_URL;
	cfg->port = DEFAULT_PORT;
	if ((env = getenv("PORT")) && *env &&
		!input_parse_int(env, 0, 65535, &cfg->port)) {
		fprintf(stderr, "blog-server: PORT must be 0 to 65535\n");
		return 2;
	}
	cfg->threads = DEFAULT_THREADS;
	cfg->max_body = DEFAULT_MAX_BODY;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		int64_t *dst = NULL, lo = 0, hi = 0;

		if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else if (strcmp(a, "--quiet") == 0) {
			cfg->quiet = 1;
			continue;
		} else if (strcmp(a, "--port") == 0) {
			dst = &cfg->port, lo = 0, hi = 65535;
		} else if (strcmp(a, "--threads") == 0) {
			dst = &cfg->threads, lo = 1, hi = 256;
		} else if (strcmp(a, "--max-body") == 0) {
			dst = &cfg->max_body, lo = 1, hi = 64 * 1024 * 1024;
		} else {
			fprintf(stderr, "blog-server: unknown option '%s' (try "
				"--help)\n", a);
			return 2;
		}
		if (!v || !input_parse_int(v, lo, hi, dst)) {
			fprintf(stderr, "blog-server: %s takes a number from %lld "
				"to %lld\n", a, (long long)lo, (long long)hi);
			return 2;
		}
		i++;
	}
	return 0;
}

/* Whether the blog's tables are there: a count on each table. */
static int check_schema(corm_pool *pool, const char **engine)
{
	corm_conn *db;
	post_tag_query *q = NULL;
	comment_query *cq = NULL;
	int64_t n;
	int error;

	if ((error = corm_pool_get(&db, pool)) != CORM_OK)
		return error;
	*engine = corm_conn_dialect(db)->name;
	/* post_tag joins posts and tags; comment is the last table made. */
	if ((error = post_tag_query_new(&q, db)) == CORM_OK &&
		(error = post_tag_query_count(&n, q)) == CORM_OK &&
		(error = comment_query_new(&cq, db)) == CORM_OK)
		error = comment_query_count(&n, cq);
	if (error != CORM_OK)
		fprintf(stderr, "blog-server: the blog tables are not there "
			"(%s: %s).\nMigrate first: corm migrate up --db URL "
			"--dir examples/blog/migrations\n", corm_strerror(error),
			corm_errmsg(db));
	comment_query_free(cq);
	post_tag_query_free(q);
	corm_pool_put(pool, db);
	return error;
}

int main(int argc, char **argv)
{
	corm_pool_options opts = CORM_POOL_OPTIONS_INIT;
	struct config cfg = {0};
	blog_app app = {0};
	struct MHD_Daemon *d = NULL;
	sigset_t stop;
	const char *engine = "?";
	uint16_t port;
	int sig, error;

	if ((error = parse_args(&cfg, argc, argv)) != 0)
		return error;
	/* Block the stop signals before any thread starts, so every thread
	 * inherits the mask and only sigwait() below receives them. */
	sigemptyset(&stop);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &stop, NULL);
	signal(SIGPIPE, SIG_IGN);

	opts.max_size = (int)cfg.threads;
	if (corm_pool_open(&app.pool, cfg.url, &opts) != CORM_OK) {
		fprintf(stderr, "blog-server: %s\n", corm_errmsg(NULL));
		return 1;
	}
	app.max_body = (size_t)cfg.max_body;
	app.quiet = cfg.quiet;
	error = 1;
	if (check_schema(app.pool, &engine) != CORM_OK)
		goto done;
	if (!(d = server_start(&app, (uint16_t)cfg.port,
		(unsigned)cfg.threads, &port)))
		goto done;
	printf("listening on http://127.0.0.1:%u (%s, %lld threads)\n",
		port, engine, (long long)cfg.threads);
	fflush(stdout);
	sigwait(&stop, &sig);
	fprintf(stderr, "blog-server: %s, stopping\n",
		sig == SIGINT ? "SIGINT" : "SIGTERM");
	error = 0;
done:
	if (d)
		server_stop(d);
	corm_pool_close(app.pool);
	return error;
}
