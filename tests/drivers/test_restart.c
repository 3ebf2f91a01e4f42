/*
 * test_restart.c — the server goes away in the middle of a transaction
 * (PostgreSQL and MySQL; run only with --server-restart, never in
 * parallel with other tests, because it stops the shared server).
 *
 * Also: the server stopped while a streaming read is half-way (the rest
 * must be CORM_ECONNLOST, never a CORM_DONE that passes a truncated result
 * off as complete), and a corm_pool across a restart (the next checkout
 * works; a connection lost while checked out is replaced when put back).
 *
 * The server is stopped and started with $CORM_TEST_PG_CTL /
 * $CORM_TEST_MYSQL_CTL: `$CTL stop` returns once the server is down,
 * `$CTL start` once it accepts connections. The teardown starts it again
 * if the test failed while it was down.
 */
#include "conformance.h"

#include <corm/pool.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

static void ctl(conf_fixture *fx, const char *action)
{
	char cmd[1024];
	int rc;

	snprintf(cmd, sizeof(cmd), "%s %s", conf.ctl, action);
	rc = system(cmd);
	if (rc != 0)
		CONF_FAIL("'%s' failed (status %d)", cmd,
			WIFEXITED(rc) ? WEXITSTATUS(rc) : rc);
	fx->server_stopped = strcmp(action, "stop") == 0;
}

/* Assert a lost connection: the code, corm_errcode() and a message (the
 * native code may be empty: the client library noticed, not the server). */
static void expect_lost(corm_conn *c, int rc, const char *what)
{
	if (rc != CORM_ECONNLOST)
		CONF_FAIL("%s: expected CORM_ECONNLOST, got %d %s: %s", what, rc,
			conf_code_name(rc), corm_errmsg(c));
	if (corm_errcode(c) != CORM_ECONNLOST)
		CONF_FAIL("%s: returned CORM_ECONNLOST but corm_errcode() = %d",
			what, corm_errcode(c));
	if (corm_errmsg(c)[0] == '\0')
		CONF_FAIL("%s: CORM_ECONNLOST with an empty message", what);
}

static int insert_id(corm_conn *c, corm_stmt *s, int64_t id)
{
	int rc;

	(void)c;
	rc = corm_stmt_reset(s);
	if (rc == CORM_OK)
		rc = corm_bind_int64(s, 1, id);
	if (rc == CORM_OK)
		rc = corm_step(s);
	return rc == CORM_DONE ? CORM_OK : rc;
}

void test_restart__stopped_server_is_econnlost_and_nothing_is_written(
	void **state)
{
	conf_fixture *fx = *state;
	const char *t = conf_table(fx, "restart");
	corm_stmt *ins, *other;
	corm_conn *fresh;
	int rc;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY)", t,
		"id", CORM_COL_I64, 0, 0);
	ins = conf_prepare_ok(fx->c, false, "INSERT INTO %I (%I) VALUES (%P)",
		t, "id");
	other = conf_prepare_ok(fx->c, true, "SELECT COUNT(*) FROM %I", t);

	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, insert_id(fx->c, ins, 1));
	assert_int_equal(corm_tx_depth(fx->c), 1);

	ctl(fx, "stop");

	/* The next statement, a commit, a ping: all CORM_ECONNLOST. */
	expect_lost(fx->c, insert_id(fx->c, ins, 2), "INSERT after stop");
	conf_step_expect(other, CORM_ECONNLOST);
	expect_lost(fx->c, corm_tx_commit(fx->c), "COMMIT after stop");
	expect_lost(fx->c, corm_conn_ping(fx->c), "ping after stop");

	ctl(fx, "start");

	/* The old connection does not come back to life on its own: its
	 * transaction is gone, so running on in autocommit would be wrong. */
	rc = insert_id(fx->c, ins, 3);
	expect_lost(fx->c, rc, "INSERT on the old connection after start");
	conf_stmt_free(ins);
	conf_stmt_free(other);

	/* A new connection works, and the uncommitted row is not there. */
	fresh = conf_open(NULL);
	assert_int_equal(conf_count(fresh, t), 0);
	ins = conf_prepare_ok(fresh, false, "INSERT INTO %I (%I) VALUES (%P)",
		t, "id");
	CONF_OK(fresh, insert_id(fresh, ins, 1));
	conf_stmt_free(ins);
	assert_int_equal(conf_count(fresh, t), 1);
	corm_conn_close(fresh);
}

void test_restart__idle_connection_after_restart_tells_the_truth(
	void **state)
{
	conf_fixture *fx = *state;
	corm_stmt *s;
	int rc;

	s = conf_prepare_ok(fx->c, true, "SELECT 1");
	conf_step_expect(s, CORM_ROW);
	conf_stmt_free(s);

	ctl(fx, "stop");
	expect_lost(fx->c, corm_conn_ping(fx->c), "ping while stopped");
	ctl(fx, "start");

	/* The session died with the old server. A ping may report that
	 * (CORM_ECONNLOST) or reconnect (CORM_OK), but an OK must be true. */
	rc = corm_conn_ping(fx->c);
	if (rc == CORM_OK) {
		CONF_OK(fx->c, corm_exec(fx->c, "SELECT 1"));
	} else {
		expect_lost(fx->c, rc, "ping after restart");
		corm_conn_close(fx->c);
		fx->c = conf_open(NULL);
	}
	CONF_OK(fx->c, corm_conn_ping(fx->c));
	s = conf_prepare_ok(fx->c, true, "SELECT 1");
	conf_step_expect(s, CORM_ROW);
	conf_stmt_free(s);
}

/* ------------------------------------------------------------ mid-stream */

/* Rows in the streamed cross join: far more than the socket buffers of
 * client and server hold, so the server is still sending when it stops. */
#define STREAM_SIDE 10
#define STREAM_ROWS (1000000LL) /* STREAM_SIDE ^ 6 */
#define STREAM_READ_BEFORE 500

/* A ten-row table, joined with itself six times into a million rows that
 * the server produces as it sends them (no ORDER BY: nothing is sorted or
 * materialised first). */
static corm_stmt *prepare_million(conf_fixture *fx, const char *digits)
{
	corm_stmt *ins, *s;
	int i;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY)",
		digits, "d", CORM_COL_I32, 0, 0);
	ins = conf_prepare_ok(fx->c, false, "INSERT INTO %I (%I) VALUES (%P)",
		digits, "d");
	for (i = 0; i < STREAM_SIDE; i++)
		CONF_OK(fx->c, insert_id(fx->c, ins, i));
	conf_stmt_free(ins);

	s = conf_prepare_ok(fx->c, false,
		"SELECT a.%I, b.%I, c.%I, d.%I, e.%I, f.%I "
		"FROM %I a, %I b, %I c, %I d, %I e, %I f",
		"d", "d", "d", "d", "d", "d",
		digits, digits, digits, digits, digits, digits);
	CONF_OK(fx->c, corm_stmt_set_streaming(s, true));
	return s;
}

void test_restart__stopped_server_mid_stream_is_econnlost_not_done(
	void **state)
{
	conf_fixture *fx = *state;
	const char *t = conf_table(fx, "rstream");
	const char *digits = conf_table(fx, "rdigits");
	corm_stmt *ins, *s;
	corm_conn *fresh;
	long long rows = 0;
	int rc = CORM_ROW;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY)", t,
		"id", CORM_COL_I64, 0, 0);
	s = prepare_million(fx, digits);

	/* A transaction writes, then streams a read. */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	ins = conf_prepare_ok(fx->c, false, "INSERT INTO %I (%I) VALUES (%P)",
		t, "id");
	CONF_OK(fx->c, insert_id(fx->c, ins, 1));
	CONF_OK(fx->c, insert_id(fx->c, ins, 2));
	conf_stmt_free(ins);
	while (rows < STREAM_READ_BEFORE && (rc = corm_step(s)) == CORM_ROW)
		rows++;
	if (rc != CORM_ROW)
		CONF_FAIL("streaming before the stop: step %lld answered %d "
			"%s: %s", rows + 1, rc, conf_code_name(rc),
			corm_errmsg(fx->c));

	ctl(fx, "stop");

	/* What the client library had already received may still come out
	 * as rows; then the end must say the connection was lost. A
	 * CORM_DONE here would pass a truncated result off as complete. */
	while ((rc = corm_step(s)) == CORM_ROW)
		rows++;
	printf("  %s: %lld of %lld rows read, then %s\n", conf.name, rows,
		STREAM_ROWS, conf_code_name(rc));
	fflush(stdout);
	if (rows >= STREAM_ROWS)
		CONF_FAIL("every row arrived although the server was stopped "
			"mid-stream: the test did not cut the stream");
	expect_lost(fx->c, rc, "step after the server stopped mid-stream");
	/* The statement keeps saying so; it does not turn into a DONE. */
	expect_lost(fx->c, corm_step(s), "second step after the loss");
	conf_stmt_free(s);
	expect_lost(fx->c, corm_tx_commit(fx->c), "COMMIT after the loss");

	ctl(fx, "start");

	/* Nothing of the transaction was written. */
	fresh = conf_open(NULL);
	assert_int_equal(conf_count(fresh, t), 0);
	corm_conn_close(fresh);
}

/* The server's id of c's session. */
static int64_t session_id(corm_conn *c)
{
	corm_stmt *s = conf_prepare_ok(c, false, "SELECT %s",
		conf.engine == CONF_POSTGRES ? "pg_backend_pid()" :
		"CONNECTION_ID()");
	int64_t id = -1;

	conf_step_expect(s, CORM_ROW);
	CONF_OK(c, corm_column_int64(&id, s, 0));
	conf_stmt_free(s);
	return id;
}

/* Wait (up to 5 s) until session `id` is gone, as seen from `c`: only then
 * has the server rolled back what it had open. */
static void wait_session_gone(corm_conn *c, int64_t id)
{
	const struct timespec tick = { 0, 20 * 1000 * 1000 };
	int64_t n = 1;
	int i;

	for (i = 0; i < 250 && n > 0; i++) {
		corm_stmt *s = conf_prepare_ok(c, false, conf.engine ==
			CONF_POSTGRES ? "SELECT COUNT(*) FROM pg_stat_activity "
			"WHERE pid = CAST(%P AS INTEGER)" : "SELECT COUNT(*) FROM "
			"information_schema.PROCESSLIST WHERE ID = %P");

		CONF_OK(c, corm_bind_int64(s, 1, id));
		conf_step_expect(s, CORM_ROW);
		CONF_OK(c, corm_column_int64(&n, s, 0));
		conf_stmt_free(s);
		if (n > 0)
			nanosleep(&tick, NULL);
	}
	if (n > 0)
		CONF_FAIL("session %lld is still there 5 s after the kill",
			(long long)id);
}

/*
 * The same mid-stream loss without a restart: another session kills ours
 * (pg_terminate_backend, KILL) while it streams inside a transaction. Not
 * a restart test: it only touches its own session, so it runs in the
 * ordinary suite.
 */
void test_restart__killed_backend_mid_stream_is_econnlost_not_done(
	void **state)
{
	conf_fixture *fx = *state;
	const char *t = conf_table(fx, "kstream");
	const char *digits = conf_table(fx, "kdigits");
	corm_stmt *ins, *s, *kill;
	long long rows = 0;
	int64_t id;
	int rc = CORM_ROW;

	if (conf.engine == CONF_SQLITE)
		skip(); /* no server */
	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY)", t,
		"id", CORM_COL_I64, 0, 0);
	s = prepare_million(fx, digits);
	id = session_id(fx->c);
	fx->c2 = conf_open(NULL);

	CONF_OK(fx->c, corm_tx_begin(fx->c));
	ins = conf_prepare_ok(fx->c, false, "INSERT INTO %I (%I) VALUES (%P)",
		t, "id");
	CONF_OK(fx->c, insert_id(fx->c, ins, 1));
	conf_stmt_free(ins);
	while (rows < STREAM_READ_BEFORE && (rc = corm_step(s)) == CORM_ROW)
		rows++;
	if (rc != CORM_ROW)
		CONF_FAIL("streaming before the kill: %d %s: %s", rc,
			conf_code_name(rc), corm_errmsg(fx->c));

	kill = conf_prepare_ok(fx->c2, false, conf.engine == CONF_POSTGRES ?
		"SELECT pg_terminate_backend(CAST(%P AS INTEGER))" : "KILL %P");
	CONF_OK(fx->c2, corm_bind_int64(kill, 1, id));
	if (corm_step(kill) < 0)
		CONF_FAIL("killing session %lld: %s", (long long)id,
			corm_errmsg(fx->c2));
	conf_stmt_free(kill);
	wait_session_gone(fx->c2, id);

	while ((rc = corm_step(s)) == CORM_ROW)
		rows++;
	printf("  %s: %lld of %lld rows read, then %s\n", conf.name, rows,
		STREAM_ROWS, conf_code_name(rc));
	fflush(stdout);
	if (rows >= STREAM_ROWS)
		CONF_FAIL("every row arrived although the session was killed "
			"mid-stream");
	expect_lost(fx->c, rc, "step after the session was killed mid-stream");
	expect_lost(fx->c, corm_step(s), "second step after the kill");
	conf_stmt_free(s);
	expect_lost(fx->c, corm_tx_commit(fx->c), "COMMIT after the kill");
	assert_int_equal(conf_count(fx->c2, t), 0);
}

/* ------------------------------------------------------------------ pool */

static void pool_get_ok(corm_conn **out, corm_pool *pool, const char *what)
{
	int rc = corm_pool_get(out, pool);

	if (rc != CORM_OK)
		CONF_FAIL("%s: corm_pool_get answered %d %s: %s", what, rc,
			conf_code_name(rc), corm_errmsg(NULL));
	if (corm_errcode(*out) != CORM_OK)
		CONF_FAIL("%s: a connection handed out with an error: %s",
			what, corm_errmsg(*out));
}

/* The connection answers a query (not only a ping). */
static void expect_works(corm_conn *c, const char *what)
{
	corm_stmt *s = NULL;
	int64_t v = 0;
	int rc = conf_prepare(&s, c, false, "SELECT 41 + 1");

	if (rc == CORM_OK)
		rc = corm_step(s);
	if (rc == CORM_ROW)
		rc = corm_column_int64(&v, s, 0);
	conf_stmt_free(s);
	if (rc != CORM_OK || v != 42)
		CONF_FAIL("%s: SELECT 41 + 1 answered %d %s (%lld): %s", what,
			rc, conf_code_name(rc), (long long)v, corm_errmsg(c));
}

static int pool_insert(corm_conn *c, const char *t, int64_t id)
{
	corm_stmt *s = NULL;
	int rc = conf_prepare(&s, c, false, "INSERT INTO %I (%I) VALUES (%P)",
		t, "id");

	if (rc == CORM_OK)
		rc = insert_id(c, s, id);
	conf_stmt_free(s);
	return rc;
}

/* Take every connection of the pool, use each, put them back: several
 * rounds, so a broken connection left in the pool would show. */
static void pool_all_work(corm_pool *pool, int n, const char *what)
{
	corm_conn *c[8];
	int round, i;

	assert_true(n <= 8);
	for (round = 0; round < 3; round++) {
		for (i = 0; i < n; i++) {
			pool_get_ok(&c[i], pool, what);
			expect_works(c[i], what);
		}
		for (i = 0; i < n; i++)
			corm_pool_put(pool, c[i]);
	}
}

/*
 * Connections idle in the pool and one checked out inside a transaction
 * when the server restarts. Pinging every checkout (check_idle_ms 0), the
 * first corm_pool_get() after the restart hands out a working connection;
 * the checked-out one answers CORM_ECONNLOST, its transaction is gone,
 * and putting it back replaces it.
 */
void test_restart__pool_recovers_at_next_checkout(void **state)
{
	conf_fixture *fx = *state;
	const char *t = conf_table(fx, "rpool");
	corm_pool_options o = CORM_POOL_OPTIONS_INIT;
	corm_pool *pool = NULL;
	corm_conn *idle1, *idle2, *out, *x, *y, *z;
	int rc;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY)", t,
		"id", CORM_COL_I64, 0, 0);
	o.max_size = 3;
	o.wait_timeout_ms = 2000;
	o.check_idle_ms = 0;
	if (corm_pool_open(&pool, conf.url, &o) != CORM_OK)
		CONF_FAIL("corm_pool_open: %s", corm_errmsg(NULL));

	pool_get_ok(&idle1, pool, "before the restart");
	pool_get_ok(&idle2, pool, "before the restart");
	pool_get_ok(&out, pool, "before the restart");
	expect_works(idle1, "idle1 before the restart");
	expect_works(idle2, "idle2 before the restart");
	corm_pool_put(pool, idle1);
	corm_pool_put(pool, idle2);
	CONF_OK(out, corm_tx_begin(out));
	CONF_OK(out, pool_insert(out, t, 1));

	ctl(fx, "stop");

	/* Down: a checkout fails at once with a connect error (the idle
	 * connection it tried fails its ping and cannot be replaced). */
	x = (corm_conn *)1;
	rc = corm_pool_get(&x, pool);
	if (rc != CORM_ECONNECT || x != NULL)
		CONF_FAIL("corm_pool_get while the server is down: expected "
			"CORM_ECONNECT and NULL, got %d %s (%p): %s", rc,
			conf_code_name(rc), (void *)x, corm_errmsg(NULL));

	ctl(fx, "start");

	/* The next checkout works: the stale idle connection is replaced. */
	pool_get_ok(&x, pool, "first checkout after the restart");
	expect_works(x, "first checkout after the restart");
	pool_get_ok(&y, pool, "second checkout after the restart");
	expect_works(y, "second checkout after the restart");

	/* The one that was out when the server went away. */
	expect_lost(out, pool_insert(out, t, 2), "INSERT on the checked-out "
		"connection after the restart");
	assert_true(corm_conn_lost(out));
	corm_pool_put(pool, out); /* rollback fails: closed, slot freed */

	pool_get_ok(&z, pool, "checkout after putting back the lost one");
	expect_works(z, "checkout after putting back the lost one");
	assert_int_equal(conf_count(z, t), 0); /* its transaction is gone */
	corm_pool_put(pool, x);
	corm_pool_put(pool, y);
	corm_pool_put(pool, z);

	pool_all_work(pool, o.max_size, "after the restart");
	corm_pool_close(pool);
}

/*
 * With a long check_idle_ms the pool does not ping: a connection broken
 * while idle is handed out (as pool.h says), its first statement answers
 * CORM_ECONNLOST, and corm_pool_put() replaces it: the error does not
 * stick to the pool.
 */
void test_restart__pool_without_ping_replaces_lost_on_put(void **state)
{
	conf_fixture *fx = *state;
	corm_pool_options o = CORM_POOL_OPTIONS_INIT;
	corm_pool *pool = NULL;
	corm_conn *c;
	int rc;

	o.max_size = 2;
	o.check_idle_ms = 3600 * 1000;
	if (corm_pool_open(&pool, conf.url, &o) != CORM_OK)
		CONF_FAIL("corm_pool_open: %s", corm_errmsg(NULL));
	pool_all_work(pool, o.max_size, "before the restart");

	ctl(fx, "stop");
	ctl(fx, "start");

	/* Not pinged: it is handed out, and tells the truth when used. */
	pool_get_ok(&c, pool, "after the restart, unpinged");
	rc = corm_exec(c, "SELECT 1");
	if (rc == CORM_OK) {
		/* A driver that reconnected by itself: it must really work. */
		expect_works(c, "unpinged connection that reconnected");
	} else {
		expect_lost(c, rc, "unpinged idle connection after restart");
	}
	corm_pool_put(pool, c);

	/* Whatever the first one did, the pool hands out working ones. */
	pool_get_ok(&c, pool, "after putting back the lost one");
	rc = corm_exec(c, "SELECT 1");
	if (rc != CORM_OK) {
		/* The second idle connection is stale too: same story. */
		expect_lost(c, rc, "second unpinged idle connection");
		corm_pool_put(pool, c);
		pool_get_ok(&c, pool, "after putting back both lost ones");
	}
	expect_works(c, "after the lost ones were replaced");
	corm_pool_put(pool, c);
	pool_all_work(pool, o.max_size, "after the restart");
	corm_pool_close(pool);
}
