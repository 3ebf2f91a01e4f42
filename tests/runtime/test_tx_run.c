/*
 * test_tx_run.c — corm_tx_run(), the retrying transaction helper, against
 * one engine:
 *
 *     test_tx_run ENGINE        (sqlite, postgres or mysql)
 *
 * The retryable failures are real, made with a second connection on a
 * helper thread:
 *   - PostgreSQL and MySQL: a deadlock the callback's connection loses
 *     (it starts waiting first, so PostgreSQL's detector fires on it;
 *     the other transaction has written more rows, so InnoDB picks the
 *     callback's as the victim);
 *   - SQLite: the other connection holds the write lock for 250 ms, the
 *     callback's connection has a 50 ms busy_timeout, so its BEGIN
 *     IMMEDIATE gets CORM_EBUSY and is retried until the lock is free
 *     (the callback then runs once: a write transaction holds the lock
 *     from its BEGIN, so nothing can fail half-way through it);
 *   - PostgreSQL also: a SERIALIZABLE write skew (CORM_ESERIALIZATION).
 * Each time the callback runs twice and its rows are written once.
 *
 * Worker threads never call cmocka (its asserts jump out of the test on
 * the main thread's stack): they record results, the main thread asserts.
 * Tables are named st_tx_*: the servers are shared.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <corm/corm.h>

#include "engine.h"

static test_engine engine;

static bool is_engine(const char *name)
{
	return strcmp(engine.name, name) == 0;
}

/* --------------------------------------------------------------- helpers */

static corm_conn *open_url(const char *url)
{
	corm_conn *c = NULL;

	if (corm_conn_open(&c, url) != CORM_OK)
		fail_msg("open %s: %s", url, corm_errmsg(NULL));
	return c;
}

static corm_conn *open_conn(void)
{
	return open_url(engine.url);
}

static void exec_ok(corm_conn *c, const char *sql)
{
	int rc = corm_exec(c, sql);

	if (rc != CORM_OK)
		fail_msg("%s: %d %s", sql, rc, corm_errmsg(c));
}

/* The one integer `sql` returns, with `arg` bound to its one parameter
 * when has_arg; -1 and the code in *rc_out on failure. Safe on any
 * thread (no cmocka). */
static int64_t query_int_rc(int *rc_out, corm_conn *c, const char *sql,
	bool has_arg, int64_t arg)
{
	corm_stmt *s = NULL;
	int64_t v = -1;
	int rc = corm_stmt_prepare(&s, c, sql);

	if (rc == CORM_OK && has_arg)
		rc = corm_bind_int64(s, 1, arg);
	if (rc == CORM_OK && (rc = corm_step(s)) == CORM_ROW)
		rc = corm_column_int64(&v, s, 0);
	corm_stmt_free(s);
	*rc_out = rc;
	return rc == CORM_OK ? v : -1;
}

static int64_t query_int(corm_conn *c, const char *sql)
{
	int rc;
	int64_t v = query_int_rc(&rc, c, sql, false, 0);

	if (rc != CORM_OK)
		fail_msg("%s: %d %s", sql, rc, corm_errmsg(c));
	return v;
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void sleep_ms(int ms)
{
	struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

/* Fresh tables: st_tx_lock (1, 0), (2, 0); st_tx_log and st_tx_heavy
 * empty. */
static int fresh_tables(void **state)
{
	corm_conn *c = open_conn();

	(void)state;
	exec_ok(c, "DROP TABLE IF EXISTS st_tx_lock");
	exec_ok(c, "DROP TABLE IF EXISTS st_tx_log");
	exec_ok(c, "DROP TABLE IF EXISTS st_tx_heavy");
	exec_ok(c, "CREATE TABLE st_tx_lock (id BIGINT PRIMARY KEY, "
		"v BIGINT NOT NULL)");
	exec_ok(c, "CREATE TABLE st_tx_log (id BIGINT PRIMARY KEY, "
		"note VARCHAR(50) NOT NULL)");
	exec_ok(c, "CREATE TABLE st_tx_heavy (id BIGINT PRIMARY KEY)");
	exec_ok(c, "INSERT INTO st_tx_lock (id, v) VALUES (1, 0), (2, 0)");
	corm_conn_close(c);
	return 0;
}

static int drop_tables(void **state)
{
	corm_conn *c = open_conn();

	(void)state;
	exec_ok(c, "DROP TABLE IF EXISTS st_tx_lock");
	exec_ok(c, "DROP TABLE IF EXISTS st_tx_log");
	exec_ok(c, "DROP TABLE IF EXISTS st_tx_heavy");
	corm_conn_close(c);
	return 0;
}

/* What a callback saw: how often it ran and the code of its first run. */
typedef struct run {
	int calls;
	int first_rc;
	int inner_calls;
	int inner_first_rc;
	struct partner *partner;
	corm_conn *other; /* a second connection, used on this thread */
} run;

/* ----------------------------------------------- the partner connection */

/*
 * The other transaction, on its own thread and connection. It takes its
 * locks, says `ready`, waits for `go`, then (PostgreSQL, MySQL) waits
 * until the callback's session is blocked on it and closes the deadlock,
 * or (SQLite) releases the write lock and says `released`.
 */
typedef struct partner {
	corm_conn *c;
	int64_t victim_id; /* the callback's backend pid / connection id */
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool ready, go, released;
	int rc[6];        /* each step's code, CORM_OK when fine */
	char msg[512];    /* the first failure's message */
} partner;

static void partner_record(partner *p, int step, int rc)
{
	p->rc[step] = rc;
	if (rc != CORM_OK && p->msg[0] == '\0')
		snprintf(p->msg, sizeof(p->msg), "step %d: %d %s", step, rc,
			corm_errmsg(p->c));
}

static void partner_signal(partner *p, bool *flag)
{
	pthread_mutex_lock(&p->mu);
	*flag = true;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

static void partner_wait(partner *p, bool *flag)
{
	pthread_mutex_lock(&p->mu);
	while (!*flag)
		pthread_cond_wait(&p->cv, &p->mu);
	pthread_mutex_unlock(&p->mu);
}

/* Is the callback's session waiting for a lock? Asked on the partner's
 * own connection, inside its transaction (these views are not part of
 * its snapshot). */
static bool victim_waits(partner *p)
{
	const char *sql = is_engine("postgres") ?
		"SELECT COUNT(*) FROM pg_locks WHERE pid = $1 AND NOT granted" :
		"SELECT COUNT(*) FROM information_schema.innodb_trx WHERE "
		"trx_mysql_thread_id = ? AND trx_state = 'LOCK WAIT'";
	int rc;
	int64_t n = query_int_rc(&rc, p->c, sql, true, p->victim_id);

	return rc == CORM_OK && n > 0;
}

static void *partner_main(void *arg)
{
	partner *p = arg;
	int i;

	if (is_engine("sqlite")) {
		partner_record(p, 0, corm_exec(p->c, "BEGIN IMMEDIATE"));
		partner_signal(p, &p->ready);
		sleep_ms(250);
		partner_record(p, 1, corm_exec(p->c, "COMMIT"));
		partner_signal(p, &p->released);
		return NULL;
	}
	if (is_engine("postgres"))
		partner_record(p, 0, corm_exec(p->c,
			"SET deadlock_timeout = '30s'"));
	partner_record(p, 0, corm_tx_begin(p->c));
	partner_record(p, 1, corm_exec(p->c,
		"UPDATE st_tx_lock SET v = v + 1 WHERE id = 2"));
	/* Many more rows written than the callback will have: InnoDB rolls
	 * back the smaller transaction of a deadlock (its weight counts undo
	 * records and locks; 20 rows lost now and then under load). */
	for (i = 0; i < 200 && p->rc[2] == CORM_OK; i++) {
		char sql[80];

		snprintf(sql, sizeof(sql), "INSERT INTO st_tx_heavy (id) "
			"VALUES (%d)", i);
		partner_record(p, 2, corm_exec(p->c, sql));
	}
	partner_signal(p, &p->ready);
	partner_wait(p, &p->go);
	/* Close the cycle only once the callback waits, so it waited first.
	 * Up to 20 s: on a loaded 2-core CI machine 5 s was not always
	 * enough for the callback to reach its lock wait. */
	for (i = 0; i < 4000 && !victim_waits(p); i++)
		sleep_ms(5);
	partner_record(p, 3, i < 4000 ? CORM_OK : CORM_ERROR);
	partner_record(p, 4, corm_exec(p->c,
		"UPDATE st_tx_lock SET v = v + 1 WHERE id = 1"));
	partner_record(p, 5, corm_tx_commit(p->c));
	return NULL;
}

static void partner_start(partner *p, int64_t victim_id)
{
	memset(p, 0, sizeof(*p));
	p->c = open_conn();
	p->victim_id = victim_id;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	assert_int_equal(pthread_create(&p->thread, NULL, partner_main, p), 0);
	partner_wait(p, &p->ready);
}

static void partner_join(partner *p)
{
	size_t i;

	pthread_join(p->thread, NULL);
	corm_conn_close(p->c);
	pthread_mutex_destroy(&p->mu);
	pthread_cond_destroy(&p->cv);
	for (i = 0; i < sizeof(p->rc) / sizeof(p->rc[0]); i++)
		if (p->rc[i] != CORM_OK)
			fail_msg("the partner transaction failed: %s", p->msg);
}

/* ---------------------------------------------------------------- tests */

static int insert_log(corm_conn *db, int id)
{
	char sql[100];

	snprintf(sql, sizeof(sql), "INSERT INTO st_tx_log (id, note) VALUES "
		"(%d, 'written')", id);
	return corm_exec(db, sql);
}

static int commit_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->calls++;
	if ((rc = insert_log(db, 1)) != CORM_OK)
		return rc;
	return 7;
}

static void test_tx_run__commits_and_returns_the_callback_value(
	void **state)
{
	corm_conn *c = open_conn();
	run r = {0};

	(void)state;
	assert_int_equal(corm_tx_run(c, commit_fn, &r, NULL), 7);
	assert_int_equal(r.calls, 1);
	assert_int_equal(corm_tx_depth(c), 0);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log"), 1);
	corm_conn_close(c);
}

/* Attempt 1 loses a deadlock (PostgreSQL, MySQL) or meets a held write
 * lock (SQLite); attempt 2 goes through. */
static int conflict_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->calls++;
	if (is_engine("sqlite")) {
		/* Only reached once BEGIN IMMEDIATE got the lock. */
		if ((rc = insert_log(db, 1)) != CORM_OK)
			return rc;
		return corm_exec(db, "UPDATE st_tx_lock SET v = v + 1");
	}
	if ((rc = insert_log(db, 1)) != CORM_OK ||
		(rc = corm_exec(db, "UPDATE st_tx_lock SET v = v + 1 WHERE "
			 "id = 1")) != CORM_OK)
		return rc;
	if (r->calls == 1)
		partner_signal(r->partner, &r->partner->go);
	rc = corm_exec(db, "UPDATE st_tx_lock SET v = v + 1 WHERE id = 2");
	if (r->calls == 1)
		r->first_rc = rc;
	return rc;
}

static void test_tx_run__a_real_conflict_is_retried_and_writes_once(
	void **state)
{
	char url[1200];
	corm_conn *c;
	partner p;
	run r = {0};
	int64_t id = 0;
	double t0, elapsed;
	int rc;

	(void)state;
	if (is_engine("sqlite")) {
		/* Give up on the lock fast, so the first attempt fails. */
		snprintf(url, sizeof(url), "%s?busy_timeout=50", engine.url);
		c = open_url(url);
	} else {
		c = open_conn();
		id = query_int(c, is_engine("postgres") ?
			"SELECT pg_backend_pid()" : "SELECT CONNECTION_ID()");
	}
	/* PostgreSQL looks for a deadlock once, when a waiter's
	 * deadlock_timeout runs out, in that waiter. Give this session a
	 * window the partner closes the cycle well within, and the partner a
	 * long one, so the victim is always the callback, even on a busy
	 * machine. (The test servers' corm role may set it.) */
	if (is_engine("postgres"))
		assert_int_equal(corm_exec(c, "SET deadlock_timeout = '500ms'"),
			CORM_OK);
	partner_start(&p, id);
	r.partner = &p;
	t0 = now_ms();
	rc = corm_tx_run(c, conflict_fn, &r, NULL);
	elapsed = now_ms() - t0;
	partner_join(&p);
	printf("# %s: first attempt %d (%s), then %d after %d calls, "
		"%.0f ms\n", engine.name, r.first_rc, corm_strerror(r.first_rc),
		rc, r.calls, elapsed);
	assert_int_equal(rc, CORM_OK);
	if (is_engine("sqlite")) {
		/* One BEGIN gives up after 50 ms: only retried BEGINs wait
		 * out the 250 ms lock; the callback ran once, with the lock. */
		assert_true(elapsed >= 200);
		assert_int_equal(r.calls, 1);
	} else {
		assert_int_equal(r.first_rc, CORM_EDEADLOCK);
		assert_int_equal(r.calls, 2);
	}
	assert_int_equal(corm_tx_depth(c), 0);
	/* Written once; the partner's update and ours both landed. */
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log"), 1);
	if (is_engine("sqlite")) {
		assert_int_equal(query_int(c, "SELECT SUM(v) FROM st_tx_lock"), 2);
	} else {
		assert_int_equal(query_int(c, "SELECT v FROM st_tx_lock WHERE "
			"id = 1"), 2);
		assert_int_equal(query_int(c, "SELECT v FROM st_tx_lock WHERE "
			"id = 2"), 2);
	}
	corm_conn_close(c);
}

/* Write skew: both read the sum, each updates a different row. */
static int skew_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->calls++;
	if ((rc = corm_exec(db, "SET TRANSACTION ISOLATION LEVEL "
		     "SERIALIZABLE")) != CORM_OK)
		return rc;
	(void)query_int_rc(&rc, db, "SELECT SUM(v) FROM st_tx_lock", false, 0);
	if (rc != CORM_OK || (rc = insert_log(db, 1)) != CORM_OK)
		return rc;
	if (r->calls == 1) {
		/* The other transaction reads the same, writes, commits. */
		corm_conn *o = r->other;
		int orc;

		if (corm_exec(o, "BEGIN ISOLATION LEVEL SERIALIZABLE") != CORM_OK)
			return CORM_ERROR;
		(void)query_int_rc(&orc, o, "SELECT SUM(v) FROM st_tx_lock",
			false, 0);
		if (orc != CORM_OK || corm_exec(o, "UPDATE st_tx_lock SET v = "
			"v + 1 WHERE id = 2") != CORM_OK ||
			corm_exec(o, "COMMIT") != CORM_OK)
			return CORM_ERROR;
	}
	rc = corm_exec(db, "UPDATE st_tx_lock SET v = v + 1 WHERE id = 1");
	if (r->calls == 1)
		r->first_rc = rc;
	return rc;
}

static void test_tx_run__a_serialization_failure_is_retried(void **state)
{
	corm_conn *c;
	run r = {0};
	int rc;

	(void)state;
	if (!is_engine("postgres")) {
		/* SQLite has no serializable snapshots; MariaDB turns a write
		 * skew into a deadlock or a lock wait (see test_retry.c). */
		skip();
		return;
	}
	c = open_conn();
	r.other = open_conn();
	rc = corm_tx_run(c, skew_fn, &r, NULL);
	printf("# %s: write skew: first attempt %d, then %d after %d calls\n",
		engine.name, r.first_rc, rc, r.calls);
	assert_int_equal(rc, CORM_OK);
	/* The conflict shows at the UPDATE or at the COMMIT. */
	assert_true(r.first_rc == CORM_ESERIALIZATION || r.first_rc == CORM_OK);
	assert_int_equal(r.calls, 2);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log"), 1);
	assert_int_equal(query_int(c, "SELECT SUM(v) FROM st_tx_lock"), 2);
	corm_conn_close(r.other);
	corm_conn_close(c);
}

static int unique_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->calls++;
	if ((rc = insert_log(db, 5)) != CORM_OK)
		return rc;
	return insert_log(db, 5);
}

static void test_tx_run__a_unique_violation_is_returned_without_retry(
	void **state)
{
	corm_conn *c = open_conn();
	run r = {0};
	int rc;

	(void)state;
	rc = corm_tx_run(c, unique_fn, &r, NULL);
	assert_int_equal(rc, CORM_EUNIQUE);
	assert_int_equal(r.calls, 1);
	/* The engine's message survives the rollback. */
	assert_int_equal(corm_errcode(c), CORM_EUNIQUE);
	assert_true(corm_errmsg(c)[0] != '\0');
	assert_true(corm_errcode_native(c)[0] != '\0');
	assert_int_equal(corm_tx_depth(c), 0);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log"), 0);
	corm_conn_close(c);
}

static int always_retryable_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->calls++;
	if ((rc = insert_log(db, r->calls)) != CORM_OK)
		return rc;
	return CORM_EDEADLOCK;
}

static void test_tx_run__max_attempts_is_respected(void **state)
{
	static const corm_tx_options three = {.max_attempts = 3,
		.base_delay_ms = 5, .max_delay_ms = 20};
	static const corm_tx_options one = {.max_attempts = 1,
		.base_delay_ms = 5, .max_delay_ms = 20};
	corm_conn *c = open_conn();
	run r = {0};
	double t0, elapsed;

	(void)state;
	t0 = now_ms();
	assert_int_equal(corm_tx_run(c, always_retryable_fn, &r, &three),
		CORM_EDEADLOCK);
	elapsed = now_ms() - t0;
	assert_int_equal(r.calls, 3);
	/* Backoff: [3, 5] ms before the 2nd run, [5, 10] before the 3rd. */
	printf("# %s: 3 attempts took %.1f ms\n", engine.name, elapsed);
	assert_true(elapsed >= 8.0);
	assert_int_equal(corm_tx_depth(c), 0);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log"), 0);

	memset(&r, 0, sizeof(r));
	assert_int_equal(corm_tx_run(c, always_retryable_fn, &r, &one),
		CORM_EDEADLOCK);
	assert_int_equal(r.calls, 1);

	/* The defaults: 5. */
	memset(&r, 0, sizeof(r));
	assert_int_equal(corm_tx_run(c, always_retryable_fn, &r, NULL),
		CORM_EDEADLOCK);
	assert_int_equal(r.calls, 5);
	corm_conn_close(c);
}

static void test_tx_run__bad_arguments_are_einval(void **state)
{
	static const corm_tx_options zero = {.max_attempts = 0,
		.base_delay_ms = 10, .max_delay_ms = 1000};
	static const corm_tx_options negative = {.max_attempts = 3,
		.base_delay_ms = -1, .max_delay_ms = 1000};
	static const corm_tx_options inverted = {.max_attempts = 3,
		.base_delay_ms = 100, .max_delay_ms = 10};
	corm_conn *c = open_conn();
	run r = {0};

	(void)state;
	assert_int_equal(corm_tx_run(NULL, commit_fn, &r, NULL), CORM_EINVAL);
	assert_int_equal(corm_tx_run(c, NULL, &r, NULL), CORM_EINVAL);
	assert_int_equal(corm_tx_run(c, commit_fn, &r, &zero), CORM_EINVAL);
	assert_int_equal(corm_tx_run(c, commit_fn, &r, &negative),
		CORM_EINVAL);
	assert_int_equal(corm_tx_run(c, commit_fn, &r, &inverted),
		CORM_EINVAL);
	assert_int_equal(r.calls, 0);
	assert_int_equal(corm_tx_depth(c), 0);
	corm_conn_close(c);
}

/* Inner: a savepoint that fails retryably on its first run. */
static int inner_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->inner_calls++;
	if ((rc = insert_log(db, 2)) != CORM_OK)
		return rc;
	return r->inner_calls == 1 ? CORM_ESERIALIZATION : CORM_OK;
}

static int outer_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->calls++;
	if ((rc = insert_log(db, 1)) != CORM_OK)
		return rc;
	rc = corm_tx_run(db, inner_fn, r, NULL);
	if (r->calls == 1)
		r->inner_first_rc = rc;
	if (corm_tx_depth(db) != 1)
		return CORM_ERROR; /* the savepoint level was not closed */
	return rc;
}

static void test_tx_run__nested_is_a_savepoint_retried_by_the_outer_run(
	void **state)
{
	corm_conn *c = open_conn();
	run r = {0};

	(void)state;
	assert_int_equal(corm_tx_run(c, outer_fn, &r, NULL), CORM_OK);
	/* The inner run was not retried by itself: its error went out, and
	 * the outer run ran the whole again. */
	assert_int_equal(r.inner_first_rc, CORM_ESERIALIZATION);
	assert_int_equal(r.calls, 2);
	assert_int_equal(r.inner_calls, 2);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log"), 2);
	corm_conn_close(c);
}

static int inner_unique_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->inner_calls++;
	if ((rc = insert_log(db, 2)) != CORM_OK)
		return rc;
	return insert_log(db, 2);
}

/* The outer callback carries on after its inner step failed. */
static int outer_forgiving_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->calls++;
	if ((rc = insert_log(db, 1)) != CORM_OK)
		return rc;
	r->inner_first_rc = corm_tx_run(db, inner_unique_fn, r, NULL);
	return insert_log(db, 3);
}

static void test_tx_run__a_failed_savepoint_leaves_the_outer_work(
	void **state)
{
	corm_conn *c = open_conn();
	run r = {0};

	(void)state;
	assert_int_equal(corm_tx_run(c, outer_forgiving_fn, &r, NULL),
		CORM_OK);
	assert_int_equal(r.inner_first_rc, CORM_EUNIQUE);
	assert_int_equal(r.calls, 1);
	assert_int_equal(r.inner_calls, 1);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log"), 2);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log WHERE "
		"id = 2"), 0);
	corm_conn_close(c);
}

static int unbalanced_fn(corm_conn *db, void *ctx)
{
	run *r = ctx;
	int rc;

	r->calls++;
	if ((rc = insert_log(db, 1)) != CORM_OK)
		return rc;
	return corm_tx_begin(db); /* never matched */
}

static void test_tx_run__an_unbalanced_callback_is_einval(void **state)
{
	corm_conn *c = open_conn();
	run r = {0};

	(void)state;
	assert_int_equal(corm_tx_run(c, unbalanced_fn, &r, NULL), CORM_EINVAL);
	assert_int_equal(corm_errcode(c), CORM_EINVAL);
	assert_int_equal(r.calls, 1);
	assert_int_equal(corm_tx_depth(c), 0);
	assert_int_equal(query_int(c, "SELECT COUNT(*) FROM st_tx_log"), 0);
	corm_conn_close(c);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
#define T(fn) cmocka_unit_test_setup(fn, fresh_tables)
		T(test_tx_run__commits_and_returns_the_callback_value),
		T(test_tx_run__a_real_conflict_is_retried_and_writes_once),
		T(test_tx_run__a_serialization_failure_is_retried),
		T(test_tx_run__a_unique_violation_is_returned_without_retry),
		T(test_tx_run__max_attempts_is_respected),
		T(test_tx_run__bad_arguments_are_einval),
		T(test_tx_run__nested_is_a_savepoint_retried_by_the_outer_run),
		T(test_tx_run__a_failed_savepoint_leaves_the_outer_work),
		T(test_tx_run__an_unbalanced_callback_is_einval),
#undef T
	};
	int rc = test_engine_init(&engine, "test_tx_run",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, NULL, drop_tables);
	test_engine_cleanup(&engine);
	return rc;
}
