/*
 * test_pool.c — corm_pool against one engine:
 *
 *     test_pool ENGINE [--filter GLOB]     (sqlite, postgres or mysql)
 *
 * SQLite runs on a fresh database file (WAL) in a temporary directory.
 * PostgreSQL and MySQL run against $CORM_TEST_PG_URL / $CORM_TEST_MYSQL_URL
 * (scripts/db-up prints them). An engine that is not configured or not
 * reachable is skipped (exit 77) unless CORM_REQUIRE_ENGINES=1, which makes
 * it a failure.
 *
 * Worker threads never call cmocka (its asserts jump out of the test on
 * the main thread's stack); they record what went wrong and the main
 * thread asserts after joining them.
 *
 * Divided into: the engine, helpers (SQL, tables, connections checked
 * out), then the tests: opening, sizing and waiting, concurrency,
 * statement cache and transactions, broken connections, allocation.
 */
#include <dirent.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "alloc.h"

#include <corm/corm.h>
#include <corm/buf.h>
#include <corm/dialect.h>
#include <corm/driver.h> /* corm_free() for built SQL */
#include <corm/pool.h>

#define EXIT_SKIP 77

/* ------------------------------------------------------------- the engine */

typedef enum engine {
	ENGINE_SQLITE,
	ENGINE_POSTGRES,
	ENGINE_MYSQL
} engine;

static struct {
	engine engine;
	const char *name;
	char *url;           /* owned */
	char sqlite_dir[1024];
} env;

static bool has_server(void)
{
	return env.engine != ENGINE_SQLITE;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

/* env.url with `params` appended as query parameters; free() it. */
static char *url_with(const char *base, const char *params)
{
	size_t n = strlen(base) + (params ? strlen(params) : 0) + 2;
	char *url = malloc(n);

	assert_non_null(url);
	if (params == NULL || params[0] == '\0')
		snprintf(url, n, "%s", base);
	else
		snprintf(url, n, "%s%c%s", base,
			strchr(base, '?') ? '&' : '?', params);
	return url;
}

/* env.url with the user:password part replaced by `userinfo`. */
static char *url_with_userinfo(const char *userinfo)
{
	const char *auth = strstr(env.url, "://");
	const char *path, *at = NULL, *p;
	char buf[2048];
	int n;

	assert_non_null(auth);
	auth += 3;
	path = auth + strcspn(auth, "/?");
	for (p = auth; p < path; p++)
		if (*p == '@')
			at = p;
	n = snprintf(buf, sizeof(buf), "%.*s%s@%s", (int)(auth - env.url),
		env.url, userinfo, at ? at + 1 : auth);
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	return strdup(buf);
}

/* ---------------------------------------------------------------- helpers */

/*
 * SQL for `c`'s dialect: %I a quoted identifier, %P the next placeholder,
 * %s raw SQL text (never a value). Free with corm_free().
 */
static char *sqlf(corm_conn *c, const char *fmt, ...)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_buf b = CORM_BUF_INIT;
	va_list ap;
	int n = 0;
	char *sql;

	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		if (*fmt != '%') {
			corm_buf_putc(&b, *fmt);
			continue;
		}
		switch (*++fmt) {
		case 'I':
			corm_dialect_quote(&b, d, va_arg(ap, const char *));
			break;
		case 'P':
			corm_dialect_placeholder(&b, d, ++n);
			break;
		case 's':
			corm_buf_puts(&b, va_arg(ap, const char *));
			break;
		default:
			fail_msg("sqlf: bad directive %%%c", *fmt);
		}
	}
	va_end(ap);
	assert_int_equal(corm_buf_error(&b), 0);
	sql = corm_buf_detach(&b);
	assert_non_null(sql);
	return sql;
}

#define OK(c, expr)                                                           \
	do {                                                                  \
		int ok_rc_ = (expr);                                          \
		if (ok_rc_ != CORM_OK)                                        \
			fail_msg("%s: %d (%s): %s", #expr, ok_rc_,            \
				corm_strerror(ok_rc_), corm_errmsg(c));       \
	} while (0)

static void exec_ok(corm_conn *c, const char *sql)
{
	OK(c, corm_exec(c, sql));
}

/* Run a one-row, one-integer query with up to one integer parameter. */
static int64_t query_int(corm_conn *c, const char *sql, const int64_t *arg)
{
	corm_stmt *s = NULL;
	int64_t v = -1;
	int rc;

	OK(c, corm_stmt_prepare(&s, c, sql));
	if (arg)
		OK(c, corm_bind_int64(s, 1, *arg));
	rc = corm_step(s);
	if (rc != CORM_ROW)
		fail_msg("%s: %d (%s): %s", sql, rc, corm_strerror(rc),
			corm_errmsg(c));
	OK(c, corm_column_int64(&v, s, 0));
	corm_stmt_free(s);
	return v;
}

static int64_t count_rows(corm_conn *c, const char *table)
{
	char *sql = sqlf(c, "SELECT COUNT(*) FROM %I", table);
	int64_t n = query_int(c, sql, NULL);

	corm_free(sql);
	return n;
}

/* The server's id of the session behind `c`. */
static int64_t backend_id(corm_conn *c)
{
	return query_int(c, env.engine == ENGINE_POSTGRES ?
		"SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()", NULL);
}

/* Kill session `id` from a connection of our own, as an administrator or
 * a server-side idle timeout would, and wait until it is gone. */
static void kill_backend(int64_t id)
{
	corm_conn *c = NULL;
	corm_stmt *s = NULL;
	char *sql;
	int i, rc;

	assert_true(has_server());
	OK(NULL, corm_conn_open(&c, env.url));
	sql = sqlf(c, env.engine == ENGINE_POSTGRES ?
		"SELECT pg_terminate_backend(CAST(%P AS INTEGER))" : "KILL %P");
	OK(c, corm_stmt_prepare(&s, c, sql));
	corm_free(sql);
	OK(c, corm_bind_int64(s, 1, id));
	rc = corm_step(s);
	if (rc < 0)
		fail_msg("killing session %lld: %s", (long long)id,
			corm_errmsg(c));
	corm_stmt_free(s);

	sql = sqlf(c, env.engine == ENGINE_POSTGRES ?
		"SELECT COUNT(*) FROM pg_stat_activity "
		"WHERE pid = CAST(%P AS INTEGER)" :
		"SELECT COUNT(*) FROM information_schema.PROCESSLIST "
		"WHERE ID = %P");
	for (i = 0; i < 200 && query_int(c, sql, &id) > 0; i++)
		sleep_ms(25);
	corm_free(sql);
	corm_conn_close(c);
}

/*
 * The fixture: the pool under test, the connections the main thread has
 * checked out, and the tables to drop. A failing assert jumps past the
 * test's own puts; the teardown puts back what is still out before it
 * closes the pool (closing with connections out is a programming error).
 */
#define MAX_OUT 16
#define MAX_TABLES 2

typedef struct fixture {
	corm_pool *pool;
	corm_conn *out[MAX_OUT];
	char tables[MAX_TABLES][64];
	int ntables;
} fixture;

static int setup(void **state)
{
	fixture *fx = calloc(1, sizeof(*fx));

	*state = fx;
	return fx ? 0 : -1;
}

static int teardown(void **state)
{
	fixture *fx = *state;
	corm_conn *c = NULL;
	int error = 0;
	int i;

	for (i = 0; i < MAX_OUT; i++)
		corm_pool_put(fx->pool, fx->out[i]);
	corm_pool_close(fx->pool);
	if (fx->ntables > 0 && corm_conn_open(&c, env.url) != CORM_OK) {
		print_error("teardown: cannot connect to drop tables: %s\n",
			corm_errmsg(NULL));
		error = -1;
	}
	for (i = fx->ntables - 1; c && i >= 0; i--) {
		corm_buf b = CORM_BUF_INIT;

		corm_buf_puts(&b, "DROP TABLE IF EXISTS ");
		corm_dialect_quote(&b, corm_conn_dialect(c), fx->tables[i]);
		if (corm_buf_error(&b) != 0 ||
		    corm_exec(c, corm_buf_cstr(&b)) != CORM_OK) {
			print_error("teardown: cannot drop %s: %s\n",
				fx->tables[i], corm_errmsg(c));
			error = -1;
		}
		corm_buf_free(&b);
	}
	corm_conn_close(c);
	free(fx);
	return error;
}

/* Open the fixture's pool on env.url (plus `params`), asserting success. */
static corm_pool *pool_ok(fixture *fx, const char *params, int max_size,
	int wait_timeout_ms, int check_idle_ms)
{
	corm_pool_options o = CORM_POOL_OPTIONS_INIT;
	char *url = url_with(env.url, params);
	int rc;

	o.max_size = max_size;
	o.wait_timeout_ms = wait_timeout_ms;
	o.check_idle_ms = check_idle_ms;
	assert_null(fx->pool);
	rc = corm_pool_open(&fx->pool, url, &o);
	free(url);
	if (rc != CORM_OK)
		fail_msg("corm_pool_open: %d (%s): %s", rc, corm_strerror(rc),
			corm_errmsg(NULL));
	assert_non_null(fx->pool);
	return fx->pool;
}

/* Remember `c` (may be NULL) as checked out, for the teardown. */
static void track(fixture *fx, corm_conn *c)
{
	int i;

	if (c == NULL)
		return;
	for (i = 0; i < MAX_OUT && fx->out[i]; i++)
		;
	assert_true(i < MAX_OUT);
	fx->out[i] = c;
}

/* Check a connection out on the main thread, asserting success. */
static corm_conn *get_ok(fixture *fx)
{
	corm_conn *c = NULL;
	int rc = corm_pool_get(&c, fx->pool);

	track(fx, c);
	if (rc != CORM_OK)
		fail_msg("corm_pool_get: %d (%s): %s", rc, corm_strerror(rc),
			corm_errmsg(NULL));
	assert_non_null(c);
	assert_int_equal(corm_errcode(NULL), CORM_OK);
	return c;
}

/* A get that must fail with `want`; returns how long it took. */
static double get_fails(fixture *fx, int want)
{
	corm_conn *c = (corm_conn *)&c; /* must come back NULL */
	double t0 = now_s();
	int rc = corm_pool_get(&c, fx->pool);
	double took = now_s() - t0;

	if (rc == CORM_OK)
		track(fx, c);
	if (rc != want)
		fail_msg("corm_pool_get: want %d (%s), got %d (%s): %s", want,
			corm_strerror(want), rc, corm_strerror(rc),
			corm_errmsg(NULL));
	assert_null(c);
	assert_int_equal(corm_errcode(NULL), want);
	assert_true(corm_errmsg(NULL)[0] != '\0');
	return took;
}

static void put(fixture *fx, corm_conn *c)
{
	int i;

	for (i = 0; i < MAX_OUT; i++)
		if (fx->out[i] == c)
			fx->out[i] = NULL;
	corm_pool_put(fx->pool, c);
}

/* "pool_<stem>_<pid>", created fresh with (worker, n) integer columns and
 * dropped by the teardown. */
static const char *table_ok(fixture *fx, corm_conn *c, const char *stem)
{
	char *name = fx->tables[fx->ntables];
	char *sql;

	assert_true(fx->ntables < MAX_TABLES);
	snprintf(name, sizeof(fx->tables[0]), "pool_%s_%ld", stem,
		(long)getpid());
	fx->ntables++;
	sql = sqlf(c, "DROP TABLE IF EXISTS %I", name);
	exec_ok(c, sql);
	corm_free(sql);
	sql = sqlf(c, "CREATE TABLE %I (worker INTEGER NOT NULL, "
		"n INTEGER NOT NULL)", name);
	exec_ok(c, sql);
	corm_free(sql);
	return name;
}

/* A connection is usable: a round trip succeeds. */
static void expect_working(corm_conn *c)
{
	assert_int_equal(query_int(c, "SELECT 1", NULL), 1);
}

/* --------------------------------------------------------------- opening */

static void expect_open_fails(const char *url, const corm_pool_options *o,
	int want)
{
	corm_pool *p = (corm_pool *)&p; /* must come back NULL */
	int rc = corm_pool_open(&p, url, o);

	if (rc != want)
		fail_msg("corm_pool_open(%s): want %d (%s), got %d (%s): %s",
			url, want, corm_strerror(want), rc, corm_strerror(rc),
			corm_errmsg(NULL));
	assert_null(p);
	assert_int_equal(corm_errcode(NULL), want);
	assert_true(corm_errmsg(NULL)[0] != '\0');
}

static void test_pool__malformed_url_fails_at_open_with_eurl(void **state)
{
	char *url;

	(void)state;
	url = url_with(env.url, "connect_timeout=soon");
	expect_open_fails(url, NULL, CORM_EURL);
	free(url);
	expect_open_fails("nosuchdb://x/y", NULL, CORM_ESCHEME);
	expect_open_fails("sqlite:", NULL, CORM_EURL);
}

static void test_pool__wrong_password_fails_at_open_with_eauth(void **state)
{
	char *url;

	(void)state;
	if (!has_server()) {
		/* SQLite has no credentials; an unopenable file is the
		 * same kind of startup failure. */
		expect_open_fails("sqlite:/nonexistent-corm-dir/x.db", NULL,
			CORM_ECONNECT);
		return;
	}
	url = url_with_userinfo("corm:definitely-not-the-password");
	expect_open_fails(url, NULL, CORM_EAUTH);
	/* The message never repeats the password. */
	assert_null(strstr(corm_errmsg(NULL), "definitely-not"));
	free(url);
}

static void test_pool__bad_options_are_einval(void **state)
{
	corm_pool_options o = CORM_POOL_OPTIONS_INIT;
	corm_pool *p = NULL;

	(void)state;
	o.max_size = 0;
	expect_open_fails(env.url, &o, CORM_EINVAL);
	o.max_size = 1 << 20;
	expect_open_fails(env.url, &o, CORM_EINVAL);
	o.max_size = 2;
	o.wait_timeout_ms = -1;
	expect_open_fails(env.url, &o, CORM_EINVAL);
	o.wait_timeout_ms = 0;
	o.check_idle_ms = -5;
	expect_open_fails(env.url, &o, CORM_EINVAL);
	/* Two connections to :memory: would be two different databases. */
	o.check_idle_ms = 0;
	expect_open_fails("sqlite::memory:", &o, CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(NULL), "max_size 1"));
	expect_open_fails(NULL, NULL, CORM_EINVAL);
	assert_int_equal(corm_pool_open(NULL, env.url, NULL), CORM_EINVAL);
	if (env.engine == ENGINE_SQLITE) {
		o.max_size = 1;
		OK(NULL, corm_pool_open(&p, "sqlite::memory:", &o));
		corm_pool_close(p);
	}
}

static void test_pool__null_pool_and_connection_are_handled(void **state)
{
	corm_conn *c = (corm_conn *)&c;

	(void)state;
	corm_pool_close(NULL);
	assert_int_equal(corm_pool_get(&c, NULL), CORM_EINVAL);
	assert_null(c);
	assert_int_equal(corm_pool_get(NULL, NULL), CORM_EINVAL);
}

static void test_pool__open_then_close_without_gets(void **state)
{
	fixture *fx = *state;

	corm_pool_put(pool_ok(fx, NULL, 3, 100, 1000), NULL);
	corm_pool_close(fx->pool);
	fx->pool = NULL;
}

/* --------------------------------------------------- sizing and waiting */

static void test_pool__third_get_times_out_with_ebusy_when_max_size_is_2(
	void **state)
{
	fixture *fx = *state;
	corm_conn *a, *b;
	double took, t0;

	pool_ok(fx, NULL, 2, 300, 1000);
	a = get_ok(fx);
	b = get_ok(fx);
	assert_ptr_not_equal(a, b);

	took = get_fails(fx, CORM_EBUSY);
	assert_true(corm_is_retryable(CORM_EBUSY));
	assert_non_null(strstr(corm_errmsg(NULL), "exhausted"));
	assert_non_null(strstr(corm_errmsg(NULL), "max_size 2"));
	assert_non_null(strstr(corm_errmsg(NULL), "waited 300 ms"));
	if (took < 0.9 * 0.300 || took > 10.0)
		fail_msg("waited %.3f s for a 300 ms wait_timeout_ms", took);

	/* Once one is back, a get succeeds at once, with that one. */
	put(fx, b);
	t0 = now_s();
	assert_ptr_equal(get_ok(fx), b);
	assert_true(now_s() - t0 < 0.25);
}

static void test_pool__wait_timeout_0_fails_at_once(void **state)
{
	fixture *fx = *state;

	pool_ok(fx, NULL, 1, 0, 1000);
	get_ok(fx);
	assert_true(get_fails(fx, CORM_EBUSY) < 0.25);
	assert_non_null(strstr(corm_errmsg(NULL), "waited 0 ms"));
}

static void test_pool__idle_connections_are_handed_out_most_recent_first(
	void **state)
{
	fixture *fx = *state;
	corm_conn *a, *b, *c;

	pool_ok(fx, NULL, 3, 1000, 60000);
	a = get_ok(fx);
	b = get_ok(fx);
	c = get_ok(fx);
	put(fx, a);
	put(fx, c);
	put(fx, b);
	assert_ptr_equal(get_ok(fx), b);
	assert_ptr_equal(get_ok(fx), c);
	assert_ptr_equal(get_ok(fx), a);
}

/* Sessions with our application_name, counted from outside the pool. */
static int64_t pg_sessions_named(const char *name)
{
	corm_conn *c = NULL;
	corm_stmt *s = NULL;
	int64_t n = -1;

	OK(NULL, corm_conn_open(&c, env.url));
	OK(c, corm_stmt_prepare(&s, c, "SELECT COUNT(*) FROM "
		"pg_stat_activity WHERE application_name = $1"));
	OK(c, corm_bind_text(s, 1, name, CORM_NTS));
	assert_int_equal(corm_step(s), CORM_ROW);
	OK(c, corm_column_int64(&n, s, 0));
	corm_stmt_free(s);
	corm_conn_close(c);
	return n;
}

static void test_pool__opens_one_connection_eagerly_and_the_rest_on_demand(
	void **state)
{
	fixture *fx = *state;
	char name[64], params[96];
	corm_conn *a, *b;
	int i;

	if (env.engine != ENGINE_POSTGRES)
		skip(); /* the only engine that lets us name our sessions */
	snprintf(name, sizeof(name), "corm_pool_test_%ld", (long)getpid());
	snprintf(params, sizeof(params), "application_name=%s", name);
	pool_ok(fx, params, 4, 1000, 60000);
	assert_int_equal(pg_sessions_named(name), 1);
	a = get_ok(fx);
	assert_int_equal(pg_sessions_named(name), 1);
	b = get_ok(fx);
	assert_int_equal(pg_sessions_named(name), 2);
	put(fx, a);
	put(fx, b);
	a = get_ok(fx);
	b = get_ok(fx);
	assert_int_equal(pg_sessions_named(name), 2);
	put(fx, a);
	put(fx, b);
	corm_pool_close(fx->pool);
	fx->pool = NULL;
	for (i = 0; i < 200 && pg_sessions_named(name) > 0; i++)
		sleep_ms(25);
	assert_int_equal(pg_sessions_named(name), 0);
}

/* Thread B waits in corm_pool_get() while thread A (the test) holds the
 * pool's only two connections. */
typedef struct waiter {
	corm_pool *pool;
	atomic_bool started;
	int rc;
	corm_conn *got;
	double got_at; /* now_s() when corm_pool_get() returned */
} waiter;

static void *waiter_main(void *arg)
{
	waiter *w = arg;

	atomic_store(&w->started, true);
	w->rc = corm_pool_get(&w->got, w->pool);
	w->got_at = now_s();
	return NULL;
}

static void test_pool__put_wakes_a_waiter(void **state)
{
	fixture *fx = *state;
	waiter w = { 0 };
	pthread_t t;
	corm_conn *a, *b;
	double put_at;

	w.pool = pool_ok(fx, NULL, 2, 10000, 60000);
	a = get_ok(fx);
	b = get_ok(fx);
	atomic_init(&w.started, false);
	assert_int_equal(pthread_create(&t, NULL, waiter_main, &w), 0);
	while (!atomic_load(&w.started))
		sleep_ms(1);
	sleep_ms(200); /* most likely waiting by now; correct either way */
	put_at = now_s();
	put(fx, b);
	assert_int_equal(pthread_join(t, NULL), 0);
	track(fx, w.got);

	if (w.rc != CORM_OK)
		fail_msg("the waiter got %d (%s)", w.rc, corm_strerror(w.rc));
	/* It could only have had the one put back, and not before it was. */
	assert_ptr_equal(w.got, b);
	assert_true(w.got_at >= put_at);
	assert_true(w.got_at - put_at < 5.0);
	(void)a;
}

/* ---------------------------------------------------------- concurrency */

#define WORKERS 16
#define ITERATIONS 200
#define WORKER_MAX_SIZE 4
#define MAX_RETRIES 1000

typedef struct work {
	corm_pool *pool;
	const char *insert_sql; /* INSERT (worker, n) VALUES (?, ?) */
	int id;
	int iterations;
	atomic_int *out_now, *out_max;
	int retries;
	char error[512]; /* "" unless something failed */
} work;

/* One request: insert row (w->id, n) in a transaction through a cached
 * statement on a pooled connection. A retryable failure rolls back and
 * tries again. */
static int one_request(work *w, int n)
{
	corm_conn *c = NULL;
	corm_stmt *s = NULL;
	int attempt, rc, seen;

	rc = corm_pool_get(&c, w->pool);
	if (rc != CORM_OK) {
		snprintf(w->error, sizeof(w->error), "get: %d (%s): %s", rc,
			corm_strerror(rc), corm_errmsg(NULL));
		return rc;
	}
	seen = atomic_fetch_add(w->out_now, 1) + 1;
	for (int m = atomic_load(w->out_max); seen > m &&
	     !atomic_compare_exchange_weak(w->out_max, &m, seen);)
		;
	for (attempt = 0; attempt < MAX_RETRIES; attempt++) {
		rc = corm_tx_begin(c);
		if (rc == CORM_OK)
			rc = corm_stmt_cached(&s, c, w->insert_sql);
		if (rc == CORM_OK)
			rc = corm_bind_int64(s, 1, w->id);
		if (rc == CORM_OK)
			rc = corm_bind_int64(s, 2, n);
		if (rc == CORM_OK) {
			rc = corm_step(s);
			rc = rc == CORM_DONE ? CORM_OK : rc;
		}
		if (rc != CORM_OK)
			snprintf(w->error, sizeof(w->error), "insert: %d (%s): %s",
				rc, corm_strerror(rc), corm_errmsg(c));
		corm_stmt_free(s);
		s = NULL;
		if (rc == CORM_OK) {
			rc = corm_tx_commit(c);
			if (rc != CORM_OK)
				snprintf(w->error, sizeof(w->error),
					"commit: %d (%s): %s", rc,
					corm_strerror(rc), corm_errmsg(c));
		} else if (corm_tx_depth(c) > 0) {
			(void)corm_tx_rollback(c);
		}
		if (!corm_is_retryable(rc))
			break;
		w->retries++;
		sleep_ms(1 + attempt % 10);
	}
	if (rc == CORM_OK)
		w->error[0] = '\0';
	atomic_fetch_sub(w->out_now, 1);
	corm_pool_put(w->pool, c);
	return rc;
}

static void *worker_main(void *arg)
{
	work *w = arg;
	int n;

	for (n = 0; n < w->iterations; n++)
		if (one_request(w, n) != CORM_OK)
			break;
	return NULL;
}

/* WORKERS threads run `iterations` requests each on a pool of
 * WORKER_MAX_SIZE; every row must be there at the end. */
static void run_workers(fixture *fx, const char *params, int iterations)
{
	static work w[WORKERS];
	pthread_t t[WORKERS];
	atomic_int out_now, out_max;
	const char *table;
	corm_conn *c;
	char *insert;
	int i, retries = 0;

	pool_ok(fx, params, WORKER_MAX_SIZE, 30000, 1000);
	c = get_ok(fx);
	table = table_ok(fx, c, "rows");
	insert = sqlf(c, "INSERT INTO %I (worker, n) VALUES (%P, %P)", table);
	put(fx, c);

	atomic_init(&out_now, 0);
	atomic_init(&out_max, 0);
	for (i = 0; i < WORKERS; i++) {
		memset(&w[i], 0, sizeof(w[i]));
		w[i].pool = fx->pool;
		w[i].insert_sql = insert;
		w[i].id = i;
		w[i].iterations = iterations;
		w[i].out_now = &out_now;
		w[i].out_max = &out_max;
		assert_int_equal(pthread_create(&t[i], NULL, worker_main,
			&w[i]), 0);
	}
	for (i = 0; i < WORKERS; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	corm_free(insert);

	for (i = 0; i < WORKERS; i++) {
		if (w[i].error[0] != '\0')
			fail_msg("worker %d: %s", i, w[i].error);
		retries += w[i].retries;
	}
	print_message("%d threads x %d transactions, max_size %d%s%s: %d "
		"retries, at most %d connections out at once\n", WORKERS,
		iterations, WORKER_MAX_SIZE, params ? ", " : "",
		params ? params : "", retries, atomic_load(&out_max));
	assert_true(atomic_load(&out_max) <= WORKER_MAX_SIZE);
	assert_true(atomic_load(&out_max) >= 1);
	c = get_ok(fx);
	assert_int_equal(count_rows(c, table), WORKERS * iterations);
	put(fx, c);
}

static void test_pool__many_threads_each_commit_every_row(void **state)
{
	run_workers(*state, NULL, ITERATIONS);
}

/* SQLite writers that don't wait for the lock collide all the time: the
 * CORM_EBUSY retries go through rollback and put, and no row is lost. */
static void test_pool__sqlite_writers_retrying_on_ebusy_lose_nothing(
	void **state)
{
	if (env.engine != ENGINE_SQLITE)
		skip();
	run_workers(*state, "busy_timeout=0", ITERATIONS / 4);
}

/* ------------------------------------------ statement cache, transactions */

static void test_pool__statement_cache_survives_checkouts(void **state)
{
	fixture *fx = *state;
	corm_conn *c;
	corm_stmt *s1 = NULL, *s2 = NULL;
	int64_t v = 0;

	/* check_idle_ms 0: the ping in between doesn't disturb it either. */
	pool_ok(fx, NULL, 1, 1000, 0);
	c = get_ok(fx);
	OK(c, corm_stmt_cached(&s1, c, "SELECT 41 + 1"));
	assert_int_equal(corm_step(s1), CORM_ROW);
	OK(c, corm_column_int64(&v, s1, 0));
	assert_int_equal(v, 42);
	corm_stmt_free(s1);
	put(fx, c);

	assert_ptr_equal(get_ok(fx), c);
	OK(c, corm_stmt_cached(&s2, c, "SELECT 41 + 1"));
	assert_ptr_equal(s2, s1);
	assert_int_equal(corm_step(s2), CORM_ROW);
	OK(c, corm_column_int64(&v, s2, 0));
	assert_int_equal(v, 42);
	corm_stmt_free(s2);
}

/* Insert (worker, n) = (0, n) through `c`. */
static void insert_row(corm_conn *c, const char *table, int n)
{
	corm_stmt *s = NULL;
	char *sql = sqlf(c, "INSERT INTO %I (worker, n) VALUES (0, %P)",
		table);

	OK(c, corm_stmt_prepare(&s, c, sql));
	corm_free(sql);
	OK(c, corm_bind_int64(s, 1, n));
	assert_int_equal(corm_step(s), CORM_DONE);
	corm_stmt_free(s);
}

static void test_pool__put_inside_a_transaction_rolls_it_back(void **state)
{
	fixture *fx = *state;
	const char *table;
	corm_conn *c;

	pool_ok(fx, NULL, 1, 1000, 60000);
	c = get_ok(fx);
	table = table_ok(fx, c, "tx");
	insert_row(c, table, 1); /* committed: autocommit */
	OK(c, corm_tx_begin(c));
	insert_row(c, table, 2);
	OK(c, corm_tx_begin(c)); /* a savepoint too */
	insert_row(c, table, 3);
	assert_int_equal(corm_tx_depth(c), 2);
	put(fx, c); /* the handler "forgot" both levels */

	/* The same connection (max_size 1), out of its transaction: it would
	 * still see its own uncommitted rows if they were not rolled back. */
	assert_ptr_equal(get_ok(fx), c);
	assert_int_equal(corm_tx_depth(c), 0);
	assert_int_equal(count_rows(c, table), 1);
	/* And it works as usual afterwards. */
	OK(c, corm_tx_begin(c));
	insert_row(c, table, 4);
	OK(c, corm_tx_commit(c));
	assert_int_equal(count_rows(c, table), 2);
}

static void test_pool__get_does_not_pass_on_the_last_users_error(
	void **state)
{
	fixture *fx = *state;
	corm_conn *c;

	pool_ok(fx, NULL, 1, 1000, 60000);
	c = get_ok(fx);
	assert_int_equal(corm_exec(c, "SELEC nonsense"), CORM_ESQL);
	put(fx, c);
	assert_ptr_equal(get_ok(fx), c);
	assert_int_equal(corm_errcode(c), CORM_OK);
	assert_string_equal(corm_errmsg(c), "");
	expect_working(c);
}

/* ----------------------------------------------------- broken connections */

static void test_pool__idle_connection_killed_on_the_server_is_replaced(
	void **state)
{
	fixture *fx = *state;
	corm_conn *c;
	int64_t id;

	if (!has_server())
		skip();
	pool_ok(fx, NULL, 1, 1000, 0); /* ping before every reuse */
	c = get_ok(fx);
	id = backend_id(c);
	put(fx, c);
	kill_backend(id);

	c = get_ok(fx);
	assert_int_equal(corm_errcode(c), CORM_OK);
	expect_working(c);
	assert_true(backend_id(c) != id);
}

static void test_pool__connection_idle_past_check_idle_ms_is_pinged(
	void **state)
{
	fixture *fx = *state;
	corm_conn *c;
	int64_t id;

	if (!has_server())
		skip();
	pool_ok(fx, NULL, 1, 1000, 100);
	c = get_ok(fx);
	id = backend_id(c);
	put(fx, c);
	kill_backend(id);
	sleep_ms(250); /* idle > check_idle_ms, whatever kill_backend took */

	c = get_ok(fx);
	expect_working(c);
	assert_true(backend_id(c) != id);
}

static void test_pool__connection_that_lost_its_server_is_not_reused(
	void **state)
{
	fixture *fx = *state;
	corm_conn *c;
	corm_stmt *s = NULL;
	int64_t id;

	if (!has_server())
		skip();
	/* No ping on reuse: only the error the handler saw can tell. */
	pool_ok(fx, NULL, 1, 1000, 60000);
	c = get_ok(fx);
	id = backend_id(c);
	kill_backend(id);
	assert_int_equal(corm_exec(c, "SELECT 1"), CORM_ECONNLOST);
	put(fx, c);

	c = get_ok(fx);
	expect_working(c);
	assert_true(backend_id(c) != id);

	/* The usual handler: a cached statement fails, is freed, and the
	 * connection goes back. Freeing keeps the error readable. */
	OK(c, corm_stmt_cached(&s, c, "SELECT 2"));
	assert_int_equal(corm_step(s), CORM_ROW);
	corm_stmt_free(s);
	id = backend_id(c);
	kill_backend(id);
	OK(c, corm_stmt_cached(&s, c, "SELECT 2"));
	assert_int_equal(corm_step(s), CORM_ECONNLOST);
	corm_stmt_free(s);
	put(fx, c);

	c = get_ok(fx);
	expect_working(c);
	assert_true(backend_id(c) != id);
}

static void test_pool__killed_connection_put_back_in_a_transaction_is_closed(
	void **state)
{
	fixture *fx = *state;
	const char *table;
	corm_conn *c;
	int64_t id;

	if (!has_server())
		skip();
	pool_ok(fx, NULL, 1, 1000, 60000);
	c = get_ok(fx);
	table = table_ok(fx, c, "lost");
	id = backend_id(c);
	OK(c, corm_tx_begin(c));
	insert_row(c, table, 1);
	kill_backend(id);
	put(fx, c); /* the rollback fails: closed, not pooled */

	c = get_ok(fx);
	expect_working(c);
	assert_true(backend_id(c) != id);
	assert_int_equal(count_rows(c, table), 0);
}

/* rm -r of a directory holding files and directories of files. */
static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;

	if (d == NULL)
		return;
	while ((e = readdir(d)) != NULL) {
		char path[2048];

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (unlink(path) != 0)
			remove_dir(path);
	}
	closedir(d);
	rmdir(dir);
}

static void test_pool__failed_open_in_get_returns_its_error_and_frees_the_slot(
	void **state)
{
	fixture *fx = *state;
	char dir[1100], away[1100], url[1200];
	corm_pool_options o = CORM_POOL_OPTIONS_INIT;
	corm_conn *c;

	if (env.engine != ENGINE_SQLITE)
		skip(); /* the one engine where we can make opening fail */
	snprintf(dir, sizeof(dir), "%s/here", env.sqlite_dir);
	snprintf(away, sizeof(away), "%s/away", env.sqlite_dir);
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(url, sizeof(url), "sqlite://%s/x.db", dir);
	o.max_size = 2;
	o.wait_timeout_ms = 100;
	OK(NULL, corm_pool_open(&fx->pool, url, &o));
	get_ok(fx);
	/* Moved, not deleted, so the open connection's files move with it:
	 * a second connection can't be opened meanwhile. */
	assert_int_equal(rename(dir, away), 0);

	get_fails(fx, CORM_ECONNECT);
	/* The slot it had reserved is free again: the next get tries to
	 * open (and fails the same way) instead of waiting for a connection
	 * that never existed and timing out with CORM_EBUSY. */
	get_fails(fx, CORM_ECONNECT);
	assert_int_equal(rename(away, dir), 0);
	c = get_ok(fx);
	expect_working(c);
	put(fx, c);
	/* The teardown puts the first one back and closes the pool. */
}

/* ------------------------------------------------------------ allocation */

/* Open a pool, take two connections (the second one opened by the get),
 * give them back, close. */
static int pool_workload(void)
{
	corm_pool_options o = CORM_POOL_OPTIONS_INIT;
	corm_pool *p = NULL;
	corm_conn *a = NULL, *b = NULL;
	int error;

	o.max_size = 2;
	if ((error = corm_pool_open(&p, env.url, &o)) != CORM_OK)
		return error;
	if ((error = corm_pool_get(&a, p)) == CORM_OK)
		error = corm_pool_get(&b, p);
	corm_pool_put(p, b);
	corm_pool_put(p, a);
	corm_pool_close(p);
	return error;
}

static void test_pool__every_allocation_failure_is_enomem_and_leaks_nothing(
	void **state)
{
	long n;
	int rc = CORM_ENOMEM;

	(void)state;
	for (n = 1; n < 10000 && rc != CORM_OK; n++) {
		test_alloc_install(n);
		rc = pool_workload();
		if (rc != CORM_OK && rc != CORM_ENOMEM) {
			test_alloc_uninstall();
			fail_msg("allocation %ld failed: got %d (%s): %s", n, rc,
				corm_strerror(rc), corm_errmsg(NULL));
		}
		if (test_alloc.live != 0) {
			test_alloc_uninstall();
			fail_msg("allocation %ld failed: %ld blocks leaked", n,
				test_alloc.live);
		}
	}
	test_alloc_uninstall();
	assert_int_equal(rc, CORM_OK);
	assert_true(n > 5);
}

/* ------------------------------------------------------------------ main */

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

static const struct CMUnitTest tests[] = {
	T(test_pool__malformed_url_fails_at_open_with_eurl),
	T(test_pool__wrong_password_fails_at_open_with_eauth),
	T(test_pool__bad_options_are_einval),
	T(test_pool__null_pool_and_connection_are_handled),
	T(test_pool__open_then_close_without_gets),
	T(test_pool__third_get_times_out_with_ebusy_when_max_size_is_2),
	T(test_pool__wait_timeout_0_fails_at_once),
	T(test_pool__idle_connections_are_handed_out_most_recent_first),
	T(test_pool__opens_one_connection_eagerly_and_the_rest_on_demand),
	T(test_pool__put_wakes_a_waiter),
	T(test_pool__many_threads_each_commit_every_row),
	T(test_pool__sqlite_writers_retrying_on_ebusy_lose_nothing),
	T(test_pool__statement_cache_survives_checkouts),
	T(test_pool__put_inside_a_transaction_rolls_it_back),
	T(test_pool__get_does_not_pass_on_the_last_users_error),
	T(test_pool__idle_connection_killed_on_the_server_is_replaced),
	T(test_pool__connection_idle_past_check_idle_ms_is_pinged),
	T(test_pool__connection_that_lost_its_server_is_not_reused),
	T(test_pool__killed_connection_put_back_in_a_transaction_is_closed),
	T(test_pool__failed_open_in_get_returns_its_error_and_frees_the_slot),
	T(test_pool__every_allocation_failure_is_enomem_and_leaks_nothing),
};

static bool engines_required(void)
{
	const char *v = getenv("CORM_REQUIRE_ENGINES");

	return v != NULL && strcmp(v, "1") == 0;
}

/* The engine cannot be tested: skip, or fail when engines are required. */
static int unavailable(const char *why)
{
	if (engines_required()) {
		fprintf(stderr, "pool-%s: FAILED: %s\nCORM_REQUIRE_ENGINES=1, "
			"so a missing engine is a failure. Start the servers "
			"with scripts/db-up and export what it prints (or . "
			"/tmp/corm-db/env.sh).\n", env.name, why);
		return 1;
	}
	printf("pool-%s: SKIPPED: %s\n(start the servers with scripts/db-up; "
		"set CORM_REQUIRE_ENGINES=1 to make this a failure)\n",
		env.name, why);
	return EXIT_SKIP;
}

static int setup_engine(void)
{
	const char *var;
	const char *url;
	char why[1600];
	corm_conn *c = NULL;
	int rc;

	if (strcmp(env.name, "sqlite") == 0) {
		const char *tmp = getenv("TMPDIR");

		env.engine = ENGINE_SQLITE;
		snprintf(env.sqlite_dir, sizeof(env.sqlite_dir),
			"%s/corm-pool-XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
		if (mkdtemp(env.sqlite_dir) == NULL) {
			perror("mkdtemp");
			env.sqlite_dir[0] = '\0';
			return 1;
		}
		env.url = malloc(strlen(env.sqlite_dir) + 32);
		if (env.url == NULL)
			return 1;
		snprintf(env.url, strlen(env.sqlite_dir) + 32,
			"sqlite://%s/pool.db", env.sqlite_dir);
		return 0;
	}
	if (strcmp(env.name, "postgres") == 0) {
		env.engine = ENGINE_POSTGRES;
		var = "CORM_TEST_PG_URL";
	} else if (strcmp(env.name, "mysql") == 0) {
		env.engine = ENGINE_MYSQL;
		var = "CORM_TEST_MYSQL_URL";
	} else {
		fprintf(stderr, "usage: test_pool sqlite|postgres|mysql "
			"[--filter GLOB]\n");
		return 2;
	}
	url = getenv(var);
	if (url == NULL || url[0] == '\0') {
		snprintf(why, sizeof(why), "%s is not set", var);
		return unavailable(why);
	}
	env.url = strdup(url);
	if (env.url == NULL)
		return 1;
	rc = corm_conn_open(&c, env.url);
	if (rc == CORM_OK)
		rc = corm_conn_ping(c);
	if (rc != CORM_OK) {
		snprintf(why, sizeof(why), "cannot connect with %s: %d (%s): %s",
			var, rc, corm_strerror(rc),
			c ? corm_errmsg(c) : corm_errmsg(NULL));
		corm_conn_close(c);
		return unavailable(why);
	}
	corm_conn_close(c);
	return 0;
}

int main(int argc, char **argv)
{
	const size_t n = sizeof(tests) / sizeof(tests[0]);
	struct CMUnitTest chosen[sizeof(tests) / sizeof(tests[0])];
	const char *filter = NULL;
	char group[32];
	size_t i, k = 0;
	int rc;

	if (argc == 4 && strcmp(argv[2], "--filter") == 0)
		filter = argv[3];
	else if (argc != 2) {
		fprintf(stderr, "usage: test_pool sqlite|postgres|mysql "
			"[--filter GLOB]\n");
		return 2;
	}
	env.name = argv[1];
	rc = setup_engine();
	if (rc == 0) {
		for (i = 0; i < n; i++)
			if (!filter || fnmatch(filter, tests[i].name, 0) == 0)
				chosen[k++] = tests[i];
		snprintf(group, sizeof(group), "pool-%s", env.name);
		rc = _cmocka_run_group_tests(group, chosen, k, NULL, NULL);
		rc = rc == 0 ? 0 : 1; /* keep clear of 77 */
	}
	if (env.sqlite_dir[0])
		remove_dir(env.sqlite_dir);
	free(env.url);
	return rc;
}
