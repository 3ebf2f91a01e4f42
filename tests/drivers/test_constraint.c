/*
 * test_constraint.c — each kind of constraint violation maps to the same
 * portable code on every engine, with the engine's own message and code
 * kept: unique and primary key → CORM_EUNIQUE, foreign key (orphan insert,
 * deleting a RESTRICTed parent) → CORM_EFOREIGNKEY, NOT NULL →
 * CORM_ENOTNULL, CHECK → CORM_ECHECK.
 *
 * The schema: parent(id) and child(id, parent_id NOT NULL → parent ON
 * DELETE RESTRICT, email UNIQUE, qty NOT NULL CHECK (qty >= 0)). Foreign
 * keys and checks are table constraints, because MySQL ignores an inline
 * REFERENCES on a column.
 */
#include "conformance.h"

#include <string.h>

/* What the last insert_parent() / insert_child() left on the connection,
 * recorded before its statement was freed. */
static conf_outcome last;

typedef struct schema {
	const char *parent;
	const char *child;
} schema;

static schema make_schema(conf_fixture *fx)
{
	schema sc;

	sc.parent = conf_table(fx, "con_parent");
	sc.child = conf_table(fx, "con_child");
	conf_exec_ok(fx->c, "CREATE TABLE %I (%I %T NOT NULL PRIMARY KEY)",
		sc.parent, "id", CORM_COL_I64, 0, 0);
	conf_exec_ok(fx->c, "CREATE TABLE %I ("
		"%I %T NOT NULL PRIMARY KEY, "
		"%I %T NOT NULL, "
		"%I %T, "
		"%I %T NOT NULL, "
		"UNIQUE (%I), "
		"CHECK (%I >= 0), "
		"FOREIGN KEY (%I) REFERENCES %I (%I) ON DELETE RESTRICT)",
		sc.child,
		"id", CORM_COL_I64, 0, 0,
		"parent_id", CORM_COL_I64, 0, 0,
		"email", CORM_COL_STRING, 100, 0,
		"qty", CORM_COL_I64, 0, 0,
		"email", "qty", "parent_id", sc.parent, "id");
	return sc;
}

static int insert_parent(conf_fixture *fx, const schema *sc, int64_t id)
{
	corm_stmt *s = conf_prepare_ok(fx->c, true,
		"INSERT INTO %I (%I) VALUES (%P)", sc->parent, "id");
	int rc;

	CONF_OK(fx->c, corm_bind_int64(s, 1, id));
	rc = conf_step_once(s, &last);
	return rc == CORM_DONE ? CORM_OK : rc;
}

/* A NULL email or a qty of INT64_MIN bind NULL. */
static int insert_child(conf_fixture *fx, const schema *sc, int64_t id,
	int64_t parent_id, const char *email, int64_t qty)
{
	corm_stmt *s = conf_prepare_ok(fx->c, true,
		"INSERT INTO %I (%I, %I, %I, %I) VALUES (%P, %P, %P, %P)",
		sc->child, "id", "parent_id", "email", "qty");
	int rc;

	CONF_OK(fx->c, corm_bind_int64(s, 1, id));
	CONF_OK(fx->c, corm_bind_int64(s, 2, parent_id));
	if (email)
		CONF_OK(fx->c, corm_bind_text(s, 3, email, CORM_NTS));
	else
		CONF_OK(fx->c, corm_bind_null(s, 3));
	if (qty == INT64_MIN)
		CONF_OK(fx->c, corm_bind_null(s, 4));
	else
		CONF_OK(fx->c, corm_bind_int64(s, 4, qty));
	rc = conf_step_once(s, &last);
	return rc == CORM_DONE ? CORM_OK : rc;
}

static void seed(conf_fixture *fx, const schema *sc)
{
	CONF_OK(fx->c, insert_parent(fx, sc, 1));
	CONF_OK(fx->c, insert_parent(fx, sc, 2));
	CONF_OK(fx->c, insert_child(fx, sc, 10, 1, "a@example.com", 5));
}

void test_constraint__unique_maps_to_eunique(void **state)
{
	conf_fixture *fx = *state;
	schema sc = make_schema(fx);
	int rc;

	seed(fx, &sc);
	rc = insert_child(fx, &sc, 11, 2, "a@example.com", 1);
	assert_int_equal(rc, last.rc);
	conf_expect_outcome(&last, CORM_EUNIQUE, "insert");
	assert_true(corm_is_retryable(rc) == false);
	assert_int_equal(conf_count(fx->c, sc.child), 1);
}

void test_constraint__primary_key_maps_to_eunique(void **state)
{
	conf_fixture *fx = *state;
	schema sc = make_schema(fx);
	int rc;

	seed(fx, &sc);
	rc = insert_child(fx, &sc, 10, 2, "other@example.com", 1);
	assert_int_equal(rc, last.rc);
	conf_expect_outcome(&last, CORM_EUNIQUE, "insert");
	rc = insert_parent(fx, &sc, 1);
	assert_int_equal(rc, last.rc);
	conf_expect_outcome(&last, CORM_EUNIQUE, "insert");
	assert_int_equal(conf_count(fx->c, sc.parent), 2);
	assert_int_equal(conf_count(fx->c, sc.child), 1);
}

void test_constraint__orphan_insert_maps_to_eforeignkey(void **state)
{
	conf_fixture *fx = *state;
	schema sc = make_schema(fx);
	int rc;

	seed(fx, &sc);
	rc = insert_child(fx, &sc, 11, 999, "orphan@example.com", 1);
	assert_int_equal(rc, last.rc);
	conf_expect_outcome(&last, CORM_EFOREIGNKEY, "insert");
	assert_int_equal(conf_count(fx->c, sc.child), 1);
}

void test_constraint__delete_restricted_parent_maps_to_eforeignkey(
	void **state)
{
	conf_fixture *fx = *state;
	schema sc = make_schema(fx);
	corm_stmt *s;
	int64_t changes = -1;
	int rc;

	seed(fx, &sc);
	s = conf_prepare_ok(fx->c, false, "DELETE FROM %I WHERE %I = %P",
		sc.parent, "id");
	CONF_OK(fx->c, corm_bind_int64(s, 1, 1)); /* child 10 refers to it */
	rc = corm_step(s);
	conf_expect_error(fx->c, rc, CORM_EFOREIGNKEY);

	/* The same statement, reset, deletes the unreferenced parent. */
	CONF_OK(fx->c, corm_stmt_reset(s));
	CONF_OK(fx->c, corm_bind_int64(s, 1, 2));
	conf_step_expect(s, CORM_DONE);
	CONF_OK(fx->c, corm_stmt_changes(&changes, s));
	assert_int_equal(changes, 1);
	conf_stmt_free(s);
	assert_int_equal(conf_count(fx->c, sc.parent), 1);
}

void test_constraint__null_into_not_null_maps_to_enotnull(void **state)
{
	conf_fixture *fx = *state;
	schema sc = make_schema(fx);
	int rc;

	seed(fx, &sc);
	rc = insert_child(fx, &sc, 11, 1, "b@example.com", INT64_MIN);
	assert_int_equal(rc, last.rc);
	conf_expect_outcome(&last, CORM_ENOTNULL, "insert");
	assert_int_equal(conf_count(fx->c, sc.child), 1);
}

void test_constraint__check_maps_to_echeck(void **state)
{
	conf_fixture *fx = *state;
	schema sc = make_schema(fx);
	corm_stmt *s;
	int rc;

	seed(fx, &sc);
	rc = insert_child(fx, &sc, 11, 1, "b@example.com", -1);
	assert_int_equal(rc, last.rc);
	conf_expect_outcome(&last, CORM_ECHECK, "insert");

	/* An UPDATE that breaks the check is the same error. */
	s = conf_prepare_ok(fx->c, false, "UPDATE %I SET %I = %P WHERE %I = %P",
		sc.child, "qty", "id");
	CONF_OK(fx->c, corm_bind_int64(s, 1, -5));
	CONF_OK(fx->c, corm_bind_int64(s, 2, 10));
	rc = corm_step(s);
	conf_expect_error(fx->c, rc, CORM_ECHECK);
	conf_stmt_free(s);
	assert_int_equal(conf_count(fx->c, sc.child), 1);
}

void test_constraint__failed_statement_keeps_connection_usable(void **state)
{
	conf_fixture *fx = *state;
	schema sc = make_schema(fx);
	corm_stmt *s;
	int64_t qty = -1;
	int rc;

	seed(fx, &sc);
	rc = insert_child(fx, &sc, 11, 1, "a@example.com", 7);
	assert_int_equal(rc, last.rc);
	conf_expect_outcome(&last, CORM_EUNIQUE, "insert");
	/* The next call succeeds. */
	CONF_OK(fx->c, insert_child(fx, &sc, 11, 1, "c@example.com", 7));
	CONF_OK(fx->c, corm_conn_ping(fx->c));

	s = conf_prepare_ok(fx->c, false, "SELECT %I FROM %I WHERE %I = %P",
		"qty", sc.child, "id");
	CONF_OK(fx->c, corm_bind_int64(s, 1, 11));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(fx->c, corm_column_int64(&qty, s, 0));
	assert_int_equal(qty, 7);
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
	assert_int_equal(conf_count(fx->c, sc.child), 2);
}
