/*
 * test_retry.c — the retryable errors, produced for real with two
 * connections: deadlock → CORM_EDEADLOCK, lock or busy timeout →
 * CORM_EBUSY, serialization failure → CORM_ESERIALIZATION; and
 * corm_is_retryable() says yes to each.
 *
 * What each engine cannot produce, and so is skipped there:
 *   - SQLite has no deadlock detector (one writer at a time; a second
 *     writer waits busy_timeout and gets SQLITE_BUSY) and no serializable
 *     snapshot isolation, so only CORM_EBUSY exists on it.
 *   - MariaDB has no SSI either: SERIALIZABLE turns plain reads into
 *     locking reads, so a write skew ends as a deadlock (1213) or a lock
 *     wait timeout (1205), never as a serialization failure of its own.
 *   - PostgreSQL produces all three.
 *
 * A connection is used by one thread at a time: the deadlock test runs
 * one side's blocking statement on a helper thread, which only records
 * what happened (cmocka assertions stay on the main thread).
 */
#include "conformance.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

/* A table "id" key + "v" i64, holding rows (1, 0) and (2, 0). */
static const char *lock_table(conf_fixture *fx, const char *stem)
{
	const char *t = conf_table(fx, stem);
	corm_stmt *s;
	int64_t id;

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY, "
		"%I %T NOT NULL)", t, "id", CORM_COL_I64, 0, 0, "v",
		CORM_COL_I64, 0, 0);
	s = conf_prepare_ok(fx->c, false, "INSERT INTO %I (%I, %I) VALUES "
		"(%P, %P)", t, "id", "v");
	for (id = 1; id <= 2; id++) {
		CONF_OK(fx->c, corm_bind_int64(s, 1, id));
		CONF_OK(fx->c, corm_bind_int64(s, 2, 0));
		conf_step_expect(s, CORM_DONE);
		CONF_OK(fx->c, corm_stmt_reset(s));
	}
	conf_stmt_free(s);
	return t;
}

/* UPDATE t SET v = v + 1 WHERE id = `id` on `c`; the step's code, and
 * in *o (when not NULL) what the connection said about it. */
static int bump_o(corm_conn *c, const char *t, int64_t id, conf_outcome *o)
{
	corm_stmt *s = NULL;
	int rc;

	rc = conf_prepare(&s, c, false, "UPDATE %I SET %I = %I + 1 WHERE "
		"%I = %P", t, "v", "v", "id");
	if (rc == CORM_OK)
		rc = corm_bind_int64(s, 1, id);
	if (rc == CORM_OK)
		return conf_step_once(s, o);
	if (o != NULL)
		conf_record(o, c, rc);
	conf_stmt_free(s);
	return rc;
}

static int bump(corm_conn *c, const char *t, int64_t id)
{
	return bump_o(c, t, id, NULL);
}

typedef conf_outcome outcome;

static void record(outcome *o, corm_conn *c, int rc)
{
	conf_record(o, c, rc);
}

static void expect_outcome(const outcome *o, int want, const char *who)
{
	conf_expect_outcome(o, want, who);
	if (!corm_is_retryable(o->rc))
		CONF_FAIL("%s: corm_is_retryable(%s) is false", who,
			conf_code_name(want));
}

/* Keep a broken test from waiting forever on a lock. */
static void bound_lock_waits(corm_conn *c)
{
	if (conf.engine == CONF_POSTGRES)
		conf_exec_ok(c, "SET lock_timeout = '20s'");
	else if (conf.engine == CONF_MYSQL)
		conf_exec_ok(c, "SET innodb_lock_wait_timeout = 20");
}

/* ------------------------------------------------------------- deadlock */

typedef struct side {
	corm_conn *c;
	const char *table;
	int64_t id;      /* the row to update */
	outcome out;
	int rollback_rc; /* of the rollback after a failure */
} side;

/* Update the row; on failure record why, then roll back at once so the
 * other side can go on (PostgreSQL keeps the locks of a failed
 * transaction until it ends). */
static void run_side(side *sd)
{
	int rc = bump_o(sd->c, sd->table, sd->id, &sd->out);

	sd->rollback_rc = CORM_OK;
	if (rc < 0)
		sd->rollback_rc = corm_tx_rollback(sd->c);
}

static void *side_thread(void *arg)
{
	run_side(arg);
	return NULL;
}

void test_retry__deadlock_maps_to_edeadlock(void **state)
{
	conf_fixture *fx = *state;
	const char *t;
	side a, b;
	pthread_t th;
	const struct timespec pause = { 0, 300 * 1000 * 1000 };
	side *victim, *winner;

	if (conf.engine == CONF_SQLITE)
		skip(); /* no deadlock detector: see the top of the file */
	t = lock_table(fx, "dl");
	fx->c2 = conf_open(NULL);
	bound_lock_waits(fx->c);
	bound_lock_waits(fx->c2);

	/* a holds row 1, b holds row 2. */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	assert_int_equal(bump(fx->c, t, 1), CORM_DONE);
	CONF_OK(fx->c2, corm_tx_begin(fx->c2));
	assert_int_equal(bump(fx->c2, t, 2), CORM_DONE);

	/* a wants row 2 (waits on b) while b wants row 1 (waits on a). */
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	a.c = fx->c, a.table = t, a.id = 2;
	b.c = fx->c2, b.table = t, b.id = 1;
	assert_int_equal(pthread_create(&th, NULL, side_thread, &a), 0);
	nanosleep(&pause, NULL);
	run_side(&b);
	assert_int_equal(pthread_join(th, NULL), 0);

	if (a.out.rc < 0 && b.out.rc < 0)
		CONF_FAIL("both sides failed: a: %d %s: %s / b: %d %s: %s",
			a.out.rc, conf_code_name(a.out.rc), a.out.msg,
			b.out.rc, conf_code_name(b.out.rc), b.out.msg);
	if (a.out.rc >= 0 && b.out.rc >= 0)
		CONF_FAIL("no deadlock reported: a = %d, b = %d", a.out.rc,
			b.out.rc);
	victim = a.out.rc < 0 ? &a : &b;
	winner = a.out.rc < 0 ? &b : &a;
	expect_outcome(&victim->out, CORM_EDEADLOCK, "deadlock victim");
	assert_int_equal(victim->rollback_rc, CORM_OK);
	assert_int_equal(corm_tx_depth(victim->c), 0);
	assert_int_equal(winner->out.rc, CORM_DONE);
	CONF_OK(winner->c, corm_tx_commit(winner->c));
	assert_int_equal(corm_tx_depth(winner->c), 0);
}

/* --------------------------------------------------------- lock timeout */

void test_retry__lock_timeout_maps_to_ebusy(void **state)
{
	conf_fixture *fx = *state;
	const char *t;
	outcome o;
	double t0, waited;

	if (conf.engine == CONF_SQLITE)
		skip(); /* see test_retry__sqlite_busy_writer_maps_to_ebusy */
	t = lock_table(fx, "lockwait");
	fx->c2 = conf_open(NULL);
	if (conf.engine == CONF_POSTGRES)
		conf_exec_ok(fx->c2, "SET lock_timeout = '100ms'");
	else
		conf_exec_ok(fx->c2, "SET innodb_lock_wait_timeout = 1");

	CONF_OK(fx->c, corm_tx_begin(fx->c));
	assert_int_equal(bump(fx->c, t, 1), CORM_DONE);

	t0 = conf_now();
	bump_o(fx->c2, t, 1, &o);
	waited = conf_now() - t0;
	expect_outcome(&o, CORM_EBUSY, "second writer");
	if (waited > 10.0)
		CONF_FAIL("the lock wait took %.1f s", waited);

	/* The other row is free, and once the lock holder is done so is
	 * the first one. */
	assert_int_equal(bump(fx->c2, t, 2), CORM_DONE);
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	assert_int_equal(bump(fx->c2, t, 1), CORM_DONE);
}

void test_retry__sqlite_busy_writer_maps_to_ebusy(void **state)
{
	conf_fixture *fx = *state;
	const char *t;
	outcome o;
	double t0, waited;

	if (conf.engine != CONF_SQLITE)
		skip(); /* the servers: test_retry__lock_timeout_maps_to_ebusy */
	t = lock_table(fx, "busy");
	fx->c2 = conf_open("busy_timeout=50");

	/* The first connection holds the write lock... */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	assert_int_equal(bump(fx->c, t, 1), CORM_DONE);

	/* ...so the second one's write times out after ~50 ms. */
	t0 = conf_now();
	bump_o(fx->c2, t, 2, &o);
	waited = conf_now() - t0;
	expect_outcome(&o, CORM_EBUSY, "second writer");
	if (waited > 3.0)
		CONF_FAIL("busy_timeout=50 waited %.1f s", waited);

	CONF_OK(fx->c, corm_tx_commit(fx->c));
	assert_int_equal(bump(fx->c2, t, 2), CORM_DONE);
	assert_int_equal(conf_count(fx->c2, t), 2);
}

/* ------------------------------------------------------ serialization */

void test_retry__write_skew_maps_to_eserialization(void **state)
{
	conf_fixture *fx = *state;
	corm_conn *cs[2];
	outcome first_err[2];
	const char *t;
	int i, step, failures = 0;

	if (conf.engine != CONF_POSTGRES)
		skip(); /* only PostgreSQL has SSI: see the top of the file */
	t = lock_table(fx, "skew");
	fx->c2 = conf_open(NULL);
	cs[0] = fx->c;
	cs[1] = fx->c2;
	memset(first_err, 0, sizeof(first_err));

	/* Both read that two rows are 0, then each updates a different
	 * row: no row conflict, but no serial order explains the result. */
	for (i = 0; i < 2; i++) {
		CONF_OK(cs[i], corm_tx_begin(cs[i]));
		conf_exec_ok(cs[i], "SET TRANSACTION ISOLATION LEVEL "
			"SERIALIZABLE");
	}
	for (step = 0; step < 3; step++) {
		for (i = 0; i < 2; i++) {
			corm_conn *c = cs[i];
			int rc = CORM_OK;

			if (first_err[i].rc < 0)
				continue;
			if (step == 0) {
				corm_stmt *s = conf_prepare_ok(c, false,
					"SELECT COUNT(*) FROM %I WHERE %I = %P",
					t, "v");
				int64_t n = -1;

				CONF_OK(c, corm_bind_int64(s, 1, 0));
				rc = corm_step(s);
				if (rc < 0)
					record(&first_err[i], c, rc);
				if (rc == CORM_ROW) {
					CONF_OK(c, corm_column_int64(&n, s, 0));
					assert_int_equal(n, 2);
					rc = CORM_OK;
				}
				conf_stmt_free(s);
			} else if (step == 1) {
				outcome o;

				rc = bump_o(c, t, i + 1, &o);
				if (rc < 0)
					first_err[i] = o;
			} else {
				rc = corm_tx_commit(c);
				if (rc < 0)
					record(&first_err[i], c, rc);
			}
		}
	}
	for (i = 0; i < 2; i++) {
		if (first_err[i].rc == CORM_OK)
			continue;
		failures++;
		expect_outcome(&first_err[i], CORM_ESERIALIZATION,
			i == 0 ? "first transaction" : "second transaction");
		if (corm_tx_depth(cs[i]) > 0)
			CONF_OK(cs[i], corm_tx_rollback(cs[i]));
	}
	if (failures != 1)
		CONF_FAIL("write skew: expected exactly one transaction to "
			"fail, %d did", failures);
	assert_int_equal(corm_tx_depth(fx->c), 0);
	assert_int_equal(corm_tx_depth(fx->c2), 0);
}

/* ------------------------------------------------------- the predicate */

void test_retry__only_retryable_codes_are_retryable(void **state)
{
	int code;

	(void)state;
	for (code = CORM_ESTALE; code <= CORM_DONE; code++) {
		bool want = code == CORM_ESERIALIZATION ||
			code == CORM_EDEADLOCK || code == CORM_EBUSY ||
			code == CORM_ESTALE;

		if (corm_is_retryable(code) != want)
			CONF_FAIL("corm_is_retryable(%d %s) = %d", code,
				conf_code_name(code), !want);
		if (corm_strerror(code) == NULL)
			CONF_FAIL("corm_strerror(%d) is NULL", code);
	}
}
