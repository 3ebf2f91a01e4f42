/*
 * test_restart.c — the server goes away in the middle of a transaction
 * (PostgreSQL and MySQL; run only with --server-restart, never in
 * parallel with other tests, because it stops the shared server).
 *
 * The server is stopped and started with $CORM_TEST_PG_CTL /
 * $CORM_TEST_MYSQL_CTL: `$CTL stop` returns once the server is down,
 * `$CTL start` once it accepts connections. The teardown starts it again
 * if the test failed while it was down.
 */
#include "conformance.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

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
