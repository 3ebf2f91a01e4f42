/*
 * main.c — the corm-bench command: `setup` fills the benchmark tables of
 * one engine (through corm, untimed), `run` times one workload of one
 * contender and prints one line that scripts/bench parses:
 *
 *   corm-bench setup URL [STREAM_ROWS]
 *   corm-bench run CONTENDER WORKLOAD URL [N]
 *
 * CONTENDER is raw (hand-written sqlite3 / libpq / libmysqlclient code,
 * chosen by the URL's engine), corm (generated code) or corm-stmt (corm's
 * runtime statements, for the stream workload). The output line is
 *
 *   result seconds=S rss_kib=R hwm_growth_kib=G sum=C
 *
 * with G the growth of peak RSS (VmHWM) over the workload and C a
 * checksum of what was read, equal for every contender.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"

#include <corm/corm.h>

/* Under `valgrind --tool=callgrind --instr-atstart=no`, only the timed
 * workload is counted (scripts/bench's instruction counts). */
#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#define BENCH_CG 1
#endif
#endif
#ifndef BENCH_CG
#define CALLGRIND_START_INSTRUMENTATION
#define CALLGRIND_STOP_INSTRUMENTATION
#endif

static bench_engine engine_of(const char *url)
{
	if (strncmp(url, "sqlite:", 7) == 0)
		return ENG_SQLITE;
	if (strncmp(url, "postgres", 8) == 0)
		return ENG_PG;
	if (strncmp(url, "mysql:", 6) == 0 || strncmp(url, "mariadb:", 8) == 0)
		return ENG_MYSQL;
	bench_die("unknown engine in url '%s'", url);
	return ENG_SQLITE;
}

/* ------------------------------------------------------------ setup */

static const char *const ddl_sqlite =
	"DROP TABLE IF EXISTS bench_comment; DROP TABLE IF EXISTS bench_post;"
	"DROP TABLE IF EXISTS bench_author; DROP TABLE IF EXISTS bench_scratch;"
	"DROP TABLE IF EXISTS bench_item;"
	"CREATE TABLE bench_author (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL,"
	" email VARCHAR(255) NOT NULL, bio TEXT);"
	"CREATE INDEX bench_author_name ON bench_author (name, id);"
	"CREATE TABLE bench_scratch (id INTEGER PRIMARY KEY, name VARCHAR(100) NOT NULL,"
	" email VARCHAR(255) NOT NULL, bio TEXT);"
	"CREATE TABLE bench_post (id INTEGER PRIMARY KEY, author_id BIGINT NOT NULL"
	" REFERENCES bench_author (id) ON DELETE CASCADE, title VARCHAR(200) NOT NULL,"
	" body TEXT NOT NULL);"
	"CREATE INDEX bench_post_author ON bench_post (author_id);"
	"CREATE TABLE bench_comment (id INTEGER PRIMARY KEY, post_id BIGINT NOT NULL"
	" REFERENCES bench_post (id) ON DELETE CASCADE, body TEXT NOT NULL);"
	"CREATE INDEX bench_comment_post ON bench_comment (post_id);"
	"CREATE TABLE bench_item (id INTEGER PRIMARY KEY, label VARCHAR(64) NOT NULL,"
	" qty INTEGER NOT NULL);";

static const char *const ddl_pg =
	"DROP TABLE IF EXISTS bench_comment, bench_post, bench_author,"
	" bench_scratch, bench_item;"
	"CREATE TABLE bench_author (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
	" email VARCHAR(255) NOT NULL, bio TEXT);"
	"CREATE INDEX bench_author_name ON bench_author (name, id);"
	"CREATE TABLE bench_scratch (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
	" email VARCHAR(255) NOT NULL, bio TEXT);"
	"CREATE TABLE bench_post (id BIGINT PRIMARY KEY, author_id BIGINT NOT NULL"
	" REFERENCES bench_author (id) ON DELETE CASCADE, title VARCHAR(200) NOT NULL,"
	" body TEXT NOT NULL);"
	"CREATE INDEX bench_post_author ON bench_post (author_id);"
	"CREATE TABLE bench_comment (id BIGINT PRIMARY KEY, post_id BIGINT NOT NULL"
	" REFERENCES bench_post (id) ON DELETE CASCADE, body TEXT NOT NULL);"
	"CREATE INDEX bench_comment_post ON bench_comment (post_id);"
	"CREATE TABLE bench_item (id BIGINT PRIMARY KEY, label VARCHAR(64) NOT NULL,"
	" qty INTEGER NOT NULL);";

static const char *const ddl_mysql =
	"DROP TABLE IF EXISTS bench_comment, bench_post, bench_author,"
	" bench_scratch, bench_item;"
	"CREATE TABLE bench_author (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
	" email VARCHAR(255) NOT NULL, bio TEXT, INDEX bench_author_name (name, id))"
	" ENGINE=InnoDB;"
	"CREATE TABLE bench_scratch (id BIGINT PRIMARY KEY, name VARCHAR(100) NOT NULL,"
	" email VARCHAR(255) NOT NULL, bio TEXT) ENGINE=InnoDB;"
	"CREATE TABLE bench_post (id BIGINT PRIMARY KEY, author_id BIGINT NOT NULL,"
	" title VARCHAR(200) NOT NULL, body TEXT NOT NULL, INDEX bench_post_author (author_id),"
	" FOREIGN KEY (author_id) REFERENCES bench_author (id) ON DELETE CASCADE)"
	" ENGINE=InnoDB;"
	"CREATE TABLE bench_comment (id BIGINT PRIMARY KEY, post_id BIGINT NOT NULL,"
	" body TEXT NOT NULL, INDEX bench_comment_post (post_id),"
	" FOREIGN KEY (post_id) REFERENCES bench_post (id) ON DELETE CASCADE)"
	" ENGINE=InnoDB;"
	"CREATE TABLE bench_item (id BIGINT PRIMARY KEY, label VARCHAR(64) NOT NULL,"
	" qty INT NOT NULL) ENGINE=InnoDB;";

static const char lorem[] =
	"Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod "
	"tempor incididunt ut labore et dolore magna aliqua. Ut enim ad minim "
	"veniam, quis nostrud exercitation ullamco laboris nisi ut aliquip ex ea "
	"commodo consequat. Duis aute irure dolor in reprehenderit in voluptate.";

#define CHECK(expr) do { int rc_ = (expr); if (rc_ != CORM_OK) \
	bench_die("%s: %s", #expr, corm_errmsg(db)); } while (0)

static int setup(const char *url, long stream_rows)
{
	corm_conn *db;
	bench_engine e = engine_of(url);
	char *buf;
	long i;

	if (corm_conn_open(&db, url) != CORM_OK)
		bench_die("connect: %s", corm_errmsg(NULL));
	CHECK(corm_exec(db, e == ENG_SQLITE ? ddl_sqlite : e == ENG_PG ? ddl_pg : ddl_mysql));

	/* Author i: name<i % 500>, author<i>@example.com, a bio on even ids. */
	author *a = calloc(BENCH_AUTHORS, sizeof(*a));
	buf = malloc((size_t)BENCH_AUTHORS * 64);
	for (i = 0; i < BENCH_AUTHORS; i++) {
		char *s = buf + i * 64;
		int64_t id = i + 1;

		a[i].id = id;
		a[i].name.ptr = s;
		a[i].name.len = (size_t)snprintf(s, 16, "name%d", (int)(id % BENCH_NAMES));
		a[i].email.ptr = s + 16;
		a[i].email.len = (size_t)snprintf(s + 16, 48, "author%d@example.com", (int)id);
		if (id % 2 == 0)
			a[i].bio = (corm_str){lorem, (size_t)(40 + id % 100)};
	}
	CHECK(author_insert_many(db, a, BENCH_AUTHORS));
	free(a);

	/* Posts 1..1000 (author (p-1)/10 + 1), comments 1..10000 (post (c-1)/10 + 1). */
	int np = BENCH_ASSOC_AUTHORS * BENCH_POSTS_PER;
	post *p = calloc((size_t)np, sizeof(*p));
	for (i = 0; i < np; i++) {
		char *s = buf + i * 64;

		p[i].id = i + 1;
		p[i].author_id = i / BENCH_POSTS_PER + 1;
		p[i].title.ptr = s;
		p[i].title.len = (size_t)snprintf(s, 64, "post %ld of author %ld", i + 1,
			(long)p[i].author_id);
		p[i].body = (corm_str){lorem, (size_t)(100 + i % 150)};
	}
	CHECK(post_insert_many(db, p, (size_t)np));
	free(p);
	int nc = np * BENCH_COMMENTS_PER;
	comment *c = calloc((size_t)nc, sizeof(*c));
	for (i = 0; i < nc; i++) {
		c[i].id = i + 1;
		c[i].post_id = i / BENCH_COMMENTS_PER + 1;
		c[i].body = (corm_str){lorem, (size_t)(20 + i % 80)};
	}
	CHECK(comment_insert_many(db, c, (size_t)nc));
	free(c);
	free(buf);

	/* Items 1..stream_rows, in batches of 10,000. */
	enum { BATCH = 10000 };
	item *it = calloc(BATCH, sizeof(*it));
	char *lb = malloc((size_t)BATCH * 48);
	for (i = 0; i < stream_rows; i += BATCH) {
		long k, n = stream_rows - i < BATCH ? stream_rows - i : BATCH;

		for (k = 0; k < n; k++) {
			char *s = lb + k * 48;

			it[k].id = i + k + 1;
			it[k].label.ptr = s;
			it[k].label.len = (size_t)snprintf(s, 48, "item-%08ld-%s", i + k + 1,
				"abcdefghijklmnopqrst");
			it[k].qty = (int32_t)((i + k) % 1000);
		}
		CHECK(item_insert_many(db, it, (size_t)n));
	}
	free(it);
	free(lb);
	if (e == ENG_PG)
		CHECK(corm_exec(db, "ANALYZE"));
	else if (e == ENG_MYSQL)
		CHECK(corm_exec(db, "ANALYZE TABLE bench_author, bench_post, bench_comment, bench_item"));
	else
		CHECK(corm_exec(db, "ANALYZE"));
	corm_conn_close(db);
	printf("setup done: %d authors, %d posts, %d comments, %ld items\n",
		BENCH_AUTHORS, np, nc, stream_rows);
	return 0;
}

/* -------------------------------------------------------------- run */

static void make_input(bench_input *in, int n)
{
	uint64_t s = 0x9E3779B97F4A7C15ull;
	int i;

	in->n = n;
	in->ids = malloc(sizeof(int64_t) * (size_t)n);
	in->names = malloc(sizeof(char *) * (size_t)n);
	in->rows = calloc((size_t)n, sizeof(raw_author));
	for (i = 0; i < n; i++)
		in->ids[i] = (int64_t)(bench_rand(&s) % BENCH_AUTHORS) + 1;
	for (i = 0; i < n; i++) {
		char *filter = malloc(16), *name = malloc(16), *email = malloc(40);

		snprintf(filter, 16, "name%d", (int)(bench_rand(&s) % BENCH_NAMES));
		in->names[i] = filter;
		in->rows[i].id = i + 1;
		in->rows[i].name_len = (size_t)snprintf(name, 16, "name%d", i % BENCH_NAMES);
		in->rows[i].name = name;
		in->rows[i].email_len = (size_t)snprintf(email, 40, "scratch%d@example.com", i + 1);
		in->rows[i].email = email;
	}
	in->per_request = 20;
	in->requests = n / 20;
}

static const bench_impl *pick(const char *contender, bench_engine e)
{
	if (strcmp(contender, "corm") == 0)
		return &bench_corm;
	if (strcmp(contender, "corm-stmt") == 0)
		return &bench_corm_stmt;
	if (strcmp(contender, "raw") == 0) {
		const bench_impl *r = e == ENG_SQLITE ? &bench_raw_sqlite
			: e == ENG_PG ? &bench_raw_pg : &bench_raw_mysql;
		if (!r->open)
			bench_die("the raw %s contender was not built", r->name);
		return r;
	}
	bench_die("unknown contender '%s' (raw, corm, corm-stmt)", contender);
	return NULL;
}

static int run(const char *contender, const char *workload, const char *url, int n)
{
	bench_engine e = engine_of(url);
	const bench_impl *impl = pick(contender, e);
	bench_input in;
	uint64_t sum = 0;
	void *ctx;
	int rc = -1;
	double t0, t1;
	long hwm0;

	make_input(&in, n);
	if (impl->open(&ctx, url) != 0)
		bench_die("%s: cannot open %s", impl->name, url);
	if (strncmp(workload, "insert", 6) == 0 && impl->clear_scratch(ctx) != 0)
		bench_die("%s: cannot empty bench_scratch", impl->name);
	hwm0 = bench_vm_kib("VmHWM:");
	CALLGRIND_START_INSTRUMENTATION;
	t0 = bench_now();
	if (strcmp(workload, "insert_one") == 0)
		rc = impl->insert_one(ctx, &in, &sum);
	else if (strcmp(workload, "insert_bulk") == 0)
		rc = impl->insert_bulk(ctx, &in, &sum);
	else if (strcmp(workload, "load") == 0)
		rc = impl->load(ctx, &in, &sum);
	else if (strcmp(workload, "lookup") == 0)
		rc = impl->lookup(ctx, &in, false, &sum);
	else if (strcmp(workload, "lookup_tx") == 0)
		rc = impl->lookup(ctx, &in, true, &sum);
	else if (strcmp(workload, "filtered") == 0)
		rc = impl->filtered(ctx, &in, &sum);
	else if (strcmp(workload, "assoc") == 0)
		rc = impl->assoc(ctx, &in, &sum);
	else if (strcmp(workload, "request") == 0)
		rc = impl->request(ctx, &in, &sum);
	else if (strcmp(workload, "request_pipelined") == 0) {
		if (!impl->request_pipelined) {
			printf("unsupported %s has no pipelined API on this engine\n", impl->name);
			impl->close(ctx);
			return 3;
		}
		rc = impl->request_pipelined(ctx, &in, &sum);
	} else if (strcmp(workload, "stream") == 0)
		rc = impl->stream(ctx, &in, &sum);
	else
		bench_die("unknown workload '%s'", workload);
	t1 = bench_now();
	CALLGRIND_STOP_INSTRUMENTATION;
	if (rc != 0)
		bench_die("%s %s failed", impl->name, workload);
	printf("result seconds=%.6f rss_kib=%ld hwm_growth_kib=%ld sum=%llu\n",
		t1 - t0, bench_vm_kib("VmHWM:"), bench_vm_kib("VmHWM:") - hwm0,
		(unsigned long long)sum);
	impl->close(ctx);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && strcmp(argv[1], "setup") == 0)
		return setup(argv[2], argc > 3 ? atol(argv[3]) : 1000000);
	if (argc >= 5 && strcmp(argv[1], "run") == 0)
		return run(argv[2], argv[3], argv[4], argc > 5 ? atoi(argv[5]) : 10000);
	fprintf(stderr,
		"usage: corm-bench setup URL [STREAM_ROWS]\n"
		"       corm-bench run raw|corm|corm-stmt WORKLOAD URL [N]\n"
		"workloads: insert_one insert_bulk load lookup lookup_tx filtered assoc\n"
		"           request request_pipelined stream\n");
	return 2;
}
