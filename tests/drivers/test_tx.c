/*
 * test_tx.c — transactions: commit keeps rows, rollback leaves nothing
 * behind (seen from another connection too), nested levels are savepoints
 * that roll back on their own, corm_tx_depth() counts the levels, and an
 * unmatched commit or rollback is CORM_EINVAL.
 */
#include "conformance.h"

#include <string.h>

/* A table with one i64 key "id". */
static const char *id_table(conf_fixture *fx, const char *stem)
{
	const char *t = conf_table(fx, stem);

	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY)", t,
		"id", CORM_COL_I64, 0, 0);
	return t;
}

/* What the last insert_id() left on the connection. */
static conf_outcome last;

static int insert_id(corm_conn *c, const char *t, int64_t id)
{
	corm_stmt *s = conf_prepare_ok(c, true, "INSERT INTO %I (%I) VALUES "
		"(%P)", t, "id");
	int rc;

	CONF_OK(c, corm_bind_int64(s, 1, id));
	rc = conf_step_once(s, &last);
	return rc == CORM_DONE ? CORM_OK : rc;
}

/* Assert the table holds exactly the keys `want[0..n)`, in order. */
static void expect_ids(corm_conn *c, const char *t, const int64_t *want,
	size_t n)
{
	corm_stmt *s = conf_prepare_ok(c, false, "SELECT %I FROM %I ORDER BY "
		"%I", "id", t, "id");
	size_t i;

	for (i = 0; i < n; i++) {
		int64_t id = -1;

		conf_step_expect(s, CORM_ROW);
		CONF_OK(c, corm_column_int64(&id, s, 0));
		if (id != want[i])
			CONF_FAIL("row %zu: expected id %lld, got %lld", i,
				(long long)want[i], (long long)id);
	}
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
}

static void expect_einval(corm_conn *c, int rc, const char *what)
{
	if (rc != CORM_EINVAL)
		CONF_FAIL("%s: expected CORM_EINVAL, got %d %s", what, rc,
			conf_code_name(rc));
	assert_int_equal(corm_errcode(c), CORM_EINVAL);
	assert_true(strlen(corm_errmsg(c)) > 0);
}

void test_tx__commit_keeps_rows(void **state)
{
	conf_fixture *fx = *state;
	const char *t = id_table(fx, "tx_commit");
	static const int64_t ids[] = { 1, 2 };

	CONF_OK(fx->c, corm_tx_begin(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 1);
	CONF_OK(fx->c, insert_id(fx->c, t, 1));
	CONF_OK(fx->c, insert_id(fx->c, t, 2));
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 0);

	expect_ids(fx->c, t, ids, 2);
	fx->c2 = conf_open(NULL);
	expect_ids(fx->c2, t, ids, 2);
}

void test_tx__rollback_leaves_nothing_behind(void **state)
{
	conf_fixture *fx = *state;
	const char *t = id_table(fx, "tx_rollback");
	static const int64_t one[] = { 1 };

	CONF_OK(fx->c, insert_id(fx->c, t, 1)); /* autocommit: stays */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, insert_id(fx->c, t, 2));
	CONF_OK(fx->c, insert_id(fx->c, t, 3));
	assert_int_equal(conf_count(fx->c, t), 3); /* visible inside */
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 0);

	expect_ids(fx->c, t, one, 1);
	fx->c2 = conf_open(NULL);
	expect_ids(fx->c2, t, one, 1);
	/* And the rolled-back keys are free again. */
	CONF_OK(fx->c, insert_id(fx->c, t, 2));
	assert_int_equal(conf_count(fx->c2, t), 2);
}

/*
 * After a statement fails inside a transaction, engines differ: SQLite and
 * MySQL undo only that statement, PostgreSQL aborts the whole transaction
 * (its COMMIT then quietly rolls back). Whatever commit reports must be
 * the truth about the table.
 */
void test_tx__commit_after_a_failed_statement_tells_the_truth(void **state)
{
	conf_fixture *fx = *state;
	const char *t = id_table(fx, "tx_failed");
	int rc;

	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, insert_id(fx->c, t, 1));
	assert_int_equal(insert_id(fx->c, t, 1), CORM_EUNIQUE);
	rc = corm_tx_commit(fx->c);
	assert_int_equal(corm_tx_depth(fx->c), 0);
	fx->c2 = conf_open(NULL);
	if (conf.engine == CONF_POSTGRES) {
		assert_int_equal(rc, CORM_ERROR);
		assert_string_equal(corm_errcode_native(fx->c), "25P02");
		assert_int_equal(conf_count(fx->c2, t), 0);
	} else {
		assert_int_equal(rc, CORM_OK);
		assert_int_equal(conf_count(fx->c2, t), 1);
	}
}

void test_tx__inner_rollback_keeps_outer_rows(void **state)
{
	conf_fixture *fx = *state;
	const char *t = id_table(fx, "tx_nested");
	static const int64_t want[] = { 1, 3, 5 };

	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, insert_id(fx->c, t, 1));
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 2);
	CONF_OK(fx->c, insert_id(fx->c, t, 2));
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 1);
	CONF_OK(fx->c, insert_id(fx->c, t, 3));

	/* Two levels deep, the innermost undone, the middle one kept. */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 3);
	CONF_OK(fx->c, insert_id(fx->c, t, 4));
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	CONF_OK(fx->c, insert_id(fx->c, t, 5));
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 0);

	expect_ids(fx->c, t, want, 3);
	fx->c2 = conf_open(NULL);
	expect_ids(fx->c2, t, want, 3);
}

void test_tx__inner_commit_then_outer_rollback_undoes_both(void **state)
{
	conf_fixture *fx = *state;
	const char *t = id_table(fx, "tx_outer_rb");

	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, insert_id(fx->c, t, 1));
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, insert_id(fx->c, t, 2));
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 1);
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 0);

	expect_ids(fx->c, t, NULL, 0);
	fx->c2 = conf_open(NULL);
	expect_ids(fx->c2, t, NULL, 0);
}

void test_tx__error_in_inner_level_is_undone_by_its_rollback(void **state)
{
	conf_fixture *fx = *state;
	const char *t = id_table(fx, "tx_inner_err");
	static const int64_t want[] = { 1, 2 };
	int rc;

	/* PostgreSQL aborts the whole transaction on an error; rolling
	 * back the savepoint must make the outer level usable again. */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, insert_id(fx->c, t, 1));
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	rc = insert_id(fx->c, t, 1);
	assert_int_equal(rc, last.rc);
	conf_expect_outcome(&last, CORM_EUNIQUE, "duplicate insert");
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 1);
	CONF_OK(fx->c, insert_id(fx->c, t, 2));
	CONF_OK(fx->c, corm_tx_commit(fx->c));

	fx->c2 = conf_open(NULL);
	expect_ids(fx->c2, t, want, 2);
}

void test_tx__depth_counts_levels(void **state)
{
	conf_fixture *fx = *state;
	int i;

	assert_int_equal(corm_tx_depth(fx->c), 0);
	for (i = 1; i <= 5; i++) {
		CONF_OK(fx->c, corm_tx_begin(fx->c));
		assert_int_equal(corm_tx_depth(fx->c), i);
	}
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 4);
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 3);
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 1);
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 0);

	/* A new transaction after all that starts from the top again. */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 1);
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 0);
}

void test_tx__commit_without_begin_is_einval(void **state)
{
	conf_fixture *fx = *state;

	expect_einval(fx->c, corm_tx_commit(fx->c), "commit at depth 0");
	assert_int_equal(corm_tx_depth(fx->c), 0);

	/* One commit too many. */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, corm_tx_commit(fx->c));
	expect_einval(fx->c, corm_tx_commit(fx->c), "second commit");
	assert_int_equal(corm_tx_depth(fx->c), 0);

	/* The connection still works. */
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, corm_tx_commit(fx->c));
}

void test_tx__rollback_without_begin_is_einval(void **state)
{
	conf_fixture *fx = *state;

	expect_einval(fx->c, corm_tx_rollback(fx->c), "rollback at depth 0");
	assert_int_equal(corm_tx_depth(fx->c), 0);
	CONF_OK(fx->c, corm_tx_begin(fx->c));
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	expect_einval(fx->c, corm_tx_rollback(fx->c), "second rollback");
	assert_int_equal(corm_tx_depth(fx->c), 0);
}

void test_tx__ddl_rollback_matches_dialect_transactional_ddl(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = corm_conn_dialect(fx->c);
	const char *t = conf_table(fx, "tx_ddl");
	corm_stmt *s = NULL;
	int rc;

	CONF_OK(fx->c, corm_tx_begin(fx->c));
	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T)", t, "id", CORM_COL_I64,
		0, 0);
	CONF_OK(fx->c, corm_tx_rollback(fx->c));
	assert_int_equal(corm_tx_depth(fx->c), 0);

	/* Does the table exist now? */
	rc = conf_prepare(&s, fx->c, false, "SELECT COUNT(*) FROM %I", t);
	if (rc == CORM_OK)
		rc = conf_step_once(s, NULL);
	if (d->transactional_ddl && rc != CORM_ESQL)
		CONF_FAIL("dialect says transactional_ddl, but a CREATE TABLE "
			"survived the rollback (%d %s)", rc, conf_code_name(rc));
	if (!d->transactional_ddl && rc != CORM_ROW)
		CONF_FAIL("dialect says no transactional_ddl, but the CREATE "
			"TABLE was rolled back (%d %s: %s)", rc,
			conf_code_name(rc), corm_errmsg(fx->c));
}
