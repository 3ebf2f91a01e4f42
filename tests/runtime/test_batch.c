/*
 * test_batch.c — lookups queued in a corm_batch (generated
 * <model>_get_batched, code from batch.corm) against a real engine: the
 * answers are those of <model>_get, item by item (found, not found, an
 * error), for every kind of key, inside and outside transactions, with
 * the connection usable afterwards; on PostgreSQL the batch goes out in
 * one pipeline, which is checked by counting the client's send() calls.
 * Usage: test_batch sqlite|postgres|mysql
 */
#define _GNU_SOURCE /* RTLD_NEXT */
#include <dlfcn.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <cmocka.h>

#include "alloc.h"
#include "batch.h"
#include "corm/driver.h"
#include "engine.h"
#include "tables.h"

static test_engine engine;
static corm_conn *db;
static corm_arena arena = CORM_ARENA_INIT;

#define OK(call)                                                             \
	do {                                                                     \
		int rc_ = (call);                                                    \
		if (rc_ != CORM_OK)                                                  \
			fail_msg("%s -> %s: %s", #call, corm_strerror(rc_),              \
				corm_errmsg(db));                                            \
	} while (0)

#define ROWS 12 /* batch_item ids 1..ROWS */

static bool is_pg(void)
{
	return strcmp(engine.name, "postgres") == 0;
}

/* ------------------------------------------------------ counting sends */

/*
 * libpq writes to its socket with send(). This definition comes first in
 * symbol lookup, so every send of the process is counted here and passed
 * on. A batch that the client does not wait in the middle of needs one
 * send (its whole pipeline, flushed by the sync); lookups one by one need
 * one each, because each waits for its answer before the next is sent.
 */
static long sends;

ssize_t send(int fd, const void *buf, size_t len, int flags)
{
	static ssize_t (*real_send)(int, const void *, size_t, int);

	if (!real_send)
		*(void **)&real_send = dlsym(RTLD_NEXT, "send");
	sends++;
	return real_send(fd, buf, len, flags);
}

/* ------------------------------------------------------------------ set-up */

/* Row i: NULLs on odd ids, values everywhere else. */
static void item_row(batch_item *r, int64_t id, char *name, size_t cap)
{
	static const unsigned char bytes[] = {0, 1, 2, 0xFF, 0};

	batch_item_init(r);
	r->id = id;
	snprintf(name, cap, "item %lld \xC3\xA9", (long long)id);
	r->name = corm_str_of(name);
	if (id % 2 == 0) {
		r->note = id == 2 ? CORM_STR("") : CORM_STR("a note, 'quoted'");
		r->has_score = true;
		r->score = 0.1 * (double)id;
		r->data = (corm_bytes){bytes, id == 4 ? 0 : sizeof(bytes)};
		r->has_day = true;
		r->day = (corm_date){2024, 2, (int)(id % 28) + 1};
		r->has_small = true;
		r->small = (int16_t)(-1000 * id);
	}
}

static int fill(void)
{
	char name[64];
	int64_t id;
	batch_item r;
	batch_pair p;
	batch_token t;

	for (id = 1; id <= ROWS; id++) {
		item_row(&r, id, name, sizeof(name));
		if (batch_item_insert(db, &r) != CORM_OK)
			return -1;
	}
	batch_pair_init(&p);
	p.item_id = 1;
	p.code = CORM_STR("a");
	p.qty = 10;
	if (batch_pair_insert(db, &p) != CORM_OK)
		return -1;
	p.code = CORM_STR("b");
	p.qty = 20;
	if (batch_pair_insert(db, &p) != CORM_OK)
		return -1;
	p.item_id = 2;
	p.qty = 30;
	if (batch_pair_insert(db, &p) != CORM_OK)
		return -1;
	batch_token_init(&t);
	(void)corm_uuid_parse(&t.id, "0f8fad5b-d9cb-469f-a165-70867728950e", 36);
	t.label = CORM_STR("token");
	return batch_token_insert(db, &t) == CORM_OK ? 0 : -1;
}

/*
 * batch_odd becomes a view that fails for d = 0: a division by zero on
 * PostgreSQL (a server error, which aborts the rest of a pipeline); NULL
 * on SQLite and MySQL, which then fails reading the non-nullable ratio.
 */
static int make_odd_view(void)
{
	const char *div = strcmp(engine.name, "mysql") == 0 ? "DIV" : "/";
	char sql[512];

	snprintf(sql, sizeof(sql),
		"DROP TABLE IF EXISTS batch_odd_data; "
		"CREATE TABLE batch_odd_data (id INTEGER PRIMARY KEY, d INTEGER); "
		"INSERT INTO batch_odd_data VALUES (1, 1), (2, 2), (3, 0), (4, 4), "
		"(5, 5), (6, 6); "
		"CREATE VIEW batch_odd AS SELECT id, 100 %s d AS ratio "
		"FROM batch_odd_data", div);
	return corm_exec(db, "DROP TABLE IF EXISTS batch_odd") ||
		corm_exec(db, sql) ? -1 : 0;
}

static int setup(void **state)
{
	(void)state;
	if (corm_conn_open(&db, engine.url) != CORM_OK) {
		fprintf(stderr, "open: %s\n", corm_errmsg(NULL));
		return -1;
	}
	(void)corm_exec(db, "DROP VIEW IF EXISTS batch_odd");
	if (test_create_tables(db, "batch.corm") || fill() || make_odd_view()) {
		fprintf(stderr, "set-up: %s\n", corm_errmsg(db));
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	corm_arena_free(&arena);
	corm_conn_close(db);
	return 0;
}

/* ------------------------------------------------------------------ checks */

static void assert_str_equal(corm_str got, corm_str want)
{
	if (!want.ptr) {
		assert_null(got.ptr);
		return;
	}
	assert_non_null(got.ptr);
	assert_int_equal(got.len, want.len);
	assert_memory_equal(got.ptr, want.ptr, want.len);
}

static void assert_item_equal(const batch_item *got, const batch_item *want)
{
	assert_int_equal(got->id, want->id);
	assert_str_equal(got->name, want->name);
	assert_str_equal(got->note, want->note);
	assert_int_equal(got->has_score, want->has_score);
	if (want->has_score)
		assert_memory_equal(&got->score, &want->score, sizeof(double));
	if (want->data.ptr) {
		assert_non_null(got->data.ptr);
		assert_int_equal(got->data.len, want->data.len);
		assert_memory_equal(got->data.ptr, want->data.ptr, want->data.len);
	} else {
		assert_null(got->data.ptr);
	}
	assert_int_equal(got->has_day, want->has_day);
	if (want->has_day)
		assert_memory_equal(&got->day, &want->day, sizeof(corm_date));
	assert_int_equal(got->has_small, want->has_small);
	if (want->has_small)
		assert_int_equal(got->small, want->small);
}

/* ------------------------------------------------------------------- tests */

static void test_batch__found_rows_equal_get(void **state)
{
	batch_item got[ROWS], want;
	corm_batch *b;
	size_t i;

	(void)state;
	OK(corm_batch_new(&b, db));
	for (i = 0; i < ROWS; i++)
		OK(batch_item_get_batched(&got[i], b, (int64_t)(ROWS - i), &arena));
	assert_int_equal(corm_batch_count(b), ROWS);
	assert_int_equal(corm_batch_status(b, 0), CORM_EINVAL); /* not run */
	OK(corm_batch_run(b));
	for (i = 0; i < ROWS; i++) {
		assert_int_equal(corm_batch_status(b, i), CORM_OK);
		assert_string_equal(corm_batch_errmsg(b, i), "");
		OK(batch_item_get(&want, db, (int64_t)(ROWS - i), &arena));
		assert_item_equal(&got[i], &want);
	}
	/* An empty note is not NULL; an empty blob is not NULL either. */
	assert_non_null(got[ROWS - 2].note.ptr);
	assert_int_equal(got[ROWS - 2].note.len, 0);
	assert_non_null(got[ROWS - 4].data.ptr);
	assert_null(got[ROWS - 1].note.ptr);
	corm_batch_free(b);
}

static void test_batch__not_found_and_duplicate_keys(void **state)
{
	const int64_t ids[] = {3, 999, 3, -1, 4, 3};
	batch_item got[6];
	corm_batch *b;
	size_t i;

	(void)state;
	OK(corm_batch_new(&b, db));
	for (i = 0; i < 6; i++)
		OK(batch_item_get_batched(&got[i], b, ids[i], &arena));
	/* Not found is an answer, not a failure of the run. */
	OK(corm_batch_run(b));
	assert_int_equal(corm_batch_status(b, 1), CORM_ENOTFOUND);
	assert_int_equal(corm_batch_status(b, 3), CORM_ENOTFOUND);
	assert_non_null(strstr(corm_batch_errmsg(b, 1), "BatchItem"));
	assert_int_equal(corm_errcode(db), CORM_OK);
	for (i = 0; i < 6; i++) {
		if (ids[i] < 0 || ids[i] == 999)
			continue;
		assert_int_equal(corm_batch_status(b, i), CORM_OK);
		assert_int_equal(got[i].id, ids[i]);
	}
	assert_item_equal(&got[0], &got[2]);
	assert_item_equal(&got[0], &got[5]);
	corm_batch_free(b);
}

static void test_batch__empty_batch_does_nothing(void **state)
{
	corm_batch *b;
	long before;

	(void)state;
	OK(corm_batch_new(&b, db));
	before = sends;
	OK(corm_batch_run(b));
	assert_int_equal(sends, before); /* nothing sent */
	assert_int_equal(corm_batch_count(b), 0);
	assert_int_equal(corm_batch_status(b, 0), CORM_EINVAL);
	assert_string_equal(corm_batch_errmsg(b, 0), "");
	corm_batch_free(b);
	corm_batch_free(NULL);
}

static void test_batch__composite_and_uuid_keys_mixed_models(void **state)
{
	char code[8];
	batch_pair pairs[4];
	batch_token tok[2];
	batch_item item;
	corm_uuid u, other;
	corm_batch *b;

	(void)state;
	assert_int_equal(corm_uuid_parse(&u,
				 "0f8fad5b-d9cb-469f-a165-70867728950e", 36), CORM_OK);
	other = u;
	other.bytes[15] ^= 1;
	OK(corm_batch_new(&b, db));
	/* The batch copies key text: the buffer changes before the run. */
	strcpy(code, "b");
	OK(batch_pair_get_batched(&pairs[0], b, 1, corm_str_of(code), &arena));
	strcpy(code, "a");
	OK(batch_pair_get_batched(&pairs[1], b, 1, corm_str_of(code), &arena));
	strcpy(code, "zz");
	OK(batch_pair_get_batched(&pairs[2], b, 1, corm_str_of(code), &arena));
	OK(batch_token_get_batched(&tok[0], b, u, &arena));
	OK(batch_pair_get_batched(&pairs[3], b, 2, CORM_STR("b"), &arena));
	OK(batch_token_get_batched(&tok[1], b, other, &arena));
	OK(batch_item_get_batched(&item, b, 2, &arena));
	memset(code, 'x', sizeof(code) - 1);
	OK(corm_batch_run(b));
	assert_int_equal(corm_batch_status(b, 0), CORM_OK);
	assert_int_equal(pairs[0].qty, 20);
	assert_int_equal(corm_batch_status(b, 1), CORM_OK);
	assert_int_equal(pairs[1].qty, 10);
	assert_int_equal(corm_batch_status(b, 2), CORM_ENOTFOUND);
	assert_int_equal(corm_batch_status(b, 3), CORM_OK);
	assert_memory_equal(&tok[0].id, &u, sizeof(u));
	assert_str_equal(tok[0].label, CORM_STR("token"));
	assert_int_equal(corm_batch_status(b, 4), CORM_OK);
	assert_int_equal(pairs[3].item_id, 2);
	assert_int_equal(pairs[3].qty, 30);
	assert_int_equal(corm_batch_status(b, 5), CORM_ENOTFOUND);
	assert_int_equal(corm_batch_status(b, 6), CORM_OK);
	assert_int_equal(item.id, 2);
	corm_batch_free(b);
}

static void test_batch__hundreds_of_items(void **state)
{
	enum { N = 250 };
	batch_item *got = calloc(N, sizeof(*got));
	corm_batch *b;
	size_t i;

	(void)state;
	assert_non_null(got);
	OK(corm_batch_new(&b, db));
	for (i = 0; i < N; i++)
		OK(batch_item_get_batched(&got[i], b, (int64_t)(i % (ROWS + 3)),
			&arena));
	OK(corm_batch_run(b));
	for (i = 0; i < N; i++) {
		int64_t id = (int64_t)(i % (ROWS + 3));

		if (id == 0 || id > ROWS) {
			assert_int_equal(corm_batch_status(b, i), CORM_ENOTFOUND);
		} else {
			assert_int_equal(corm_batch_status(b, i), CORM_OK);
			assert_int_equal(got[i].id, id);
			assert_int_equal(got[i].has_small, id % 2 == 0);
		}
	}
	corm_batch_free(b);
	free(got);
}

/* Item i of {1, 2, 3, 4, 3, 5} answers what batch_odd_get does alone. */
static void test_batch__an_error_item_fails_alone(void **state)
{
	const int32_t ids[] = {1, 2, 3, 4, 3, 5};
	batch_odd got[6], one;
	corm_batch *b;
	int alone;
	size_t i;

	(void)state;
	alone = batch_odd_get(&one, db, 3, &arena);
	assert_true(alone < 0 && alone != CORM_ENOTFOUND);
	OK(corm_batch_new(&b, db));
	for (i = 0; i < 6; i++)
		OK(batch_odd_get_batched(&got[i], b, ids[i], &arena));
	assert_int_equal(corm_batch_run(b), alone);   /* the first failure */
	assert_non_null(strstr(corm_errmsg(db), corm_batch_errmsg(b, 2)));
	for (i = 0; i < 6; i++) {
		if (ids[i] == 3) {
			assert_int_equal(corm_batch_status(b, i), alone);
			assert_true(corm_batch_errmsg(b, i)[0] != '\0');
			continue;
		}
		assert_int_equal(corm_batch_status(b, i), CORM_OK);
		assert_int_equal(got[i].ratio, 100 / ids[i]);
	}
	if (is_pg())
		assert_non_null(strstr(corm_batch_errmsg(b, 2), "division by zero"));
	corm_batch_free(b);

	/* The connection goes on as before. */
	OK(batch_odd_get(&one, db, 4, &arena));
	assert_int_equal(one.ratio, 25);
	OK(corm_exec(db, "UPDATE batch_item SET note = 'after' WHERE id = 1"));
	OK(corm_exec(db, "UPDATE batch_item SET note = NULL WHERE id = 1"));
}

static void test_batch__inside_a_transaction(void **state)
{
	char name[64];
	batch_item fresh, got[3];
	batch_odd odd[3];
	corm_batch *b;

	(void)state;
	OK(corm_tx_begin(db));
	item_row(&fresh, 500, name, sizeof(name));
	OK(batch_item_insert(db, &fresh));
	OK(corm_batch_new(&b, db));
	OK(batch_item_get_batched(&got[0], b, 500, &arena)); /* uncommitted */
	OK(batch_item_get_batched(&got[1], b, 1, &arena));
	OK(corm_batch_run(b));
	assert_item_equal(&got[0], &fresh);
	assert_int_equal(got[1].id, 1);

	/* A failure: PostgreSQL aborts the transaction, so the lookups
	 * after it fail as they would one by one; the others go on. */
	corm_batch_clear(b);
	assert_int_equal(corm_batch_count(b), 0);
	OK(batch_odd_get_batched(&odd[0], b, 1, &arena));
	OK(batch_odd_get_batched(&odd[1], b, 3, &arena));
	OK(batch_odd_get_batched(&odd[2], b, 4, &arena));
	assert_true(corm_batch_run(b) < 0);
	assert_int_equal(corm_batch_status(b, 0), CORM_OK);
	assert_true(corm_batch_status(b, 1) < 0);
	if (is_pg()) {
		assert_int_equal(corm_batch_status(b, 2), CORM_ERROR);
		assert_non_null(strstr(corm_batch_errmsg(b, 2), "aborted"));
	} else {
		assert_int_equal(corm_batch_status(b, 2), CORM_OK);
		assert_int_equal(odd[2].ratio, 25);
	}
	corm_batch_free(b);
	OK(corm_tx_rollback(db));

	/* Rolled back, and the connection works. */
	assert_int_equal(batch_item_get(&fresh, db, 500, &arena), CORM_ENOTFOUND);
	OK(batch_item_get(&fresh, db, 1, &arena));
}

static void test_batch__rerun_and_a_failed_add(void **state)
{
	batch_item a, c;
	corm_batch *b;

	(void)state;
	OK(corm_batch_new(&b, db));
	OK(batch_item_get_batched(&a, b, 5, &arena));
	OK(corm_batch_run(b));
	OK(corm_exec(db, "UPDATE batch_item SET small = 7 WHERE id = 5"));
	OK(corm_batch_run(b)); /* runs again, reads the new value */
	assert_true(a.has_small);
	assert_int_equal(a.small, 7);
	OK(corm_exec(db, "UPDATE batch_item SET small = NULL WHERE id = 5"));

	/* A failed add is kept: the run refuses to run a partial batch. */
	assert_int_equal(corm_batch_get(&c, b, &batch_item_desc, &a, NULL),
		CORM_EINVAL);
	assert_int_equal(corm_batch_run(b), CORM_EINVAL);
	assert_non_null(strstr(corm_errmsg(db), "not run"));
	corm_batch_clear(b);
	OK(batch_item_get_batched(&c, b, 6, &arena));
	OK(corm_batch_run(b));
	assert_int_equal(c.id, 6);
	corm_batch_free(b);
}

static void test_batch__postgres_sends_one_pipeline(void **state)
{
	batch_item got[20];
	corm_batch *b;
	long before;
	size_t i;

	(void)state;
	if (!is_pg())
		skip();
	OK(corm_batch_new(&b, db));
	for (i = 0; i < 20; i++)
		OK(batch_item_get_batched(&got[i], b, (int64_t)(i % ROWS + 1),
			&arena));
	OK(corm_batch_run(b)); /* statements prepared, caches warm */
	before = sends;
	OK(corm_batch_run(b));
	assert_int_equal(sends - before, 1);
	corm_batch_free(b);

	/* The same lookups one by one: a send (and a wait) each. */
	before = sends;
	for (i = 0; i < 20; i++)
		OK(batch_item_get(&got[i], db, (int64_t)(i % ROWS + 1), &arena));
	assert_int_equal(sends - before, 20);
}

/* DEALLOCATE ALL drops every prepared statement of the session: the
 * batch prepares them again and every item still answers. */
static void test_batch__postgres_statements_dropped_under_it(void **state)
{
	batch_item items[3];
	batch_pair pair;
	corm_batch *b;

	(void)state;
	if (!is_pg())
		skip();
	OK(corm_batch_new(&b, db));
	OK(batch_item_get_batched(&items[0], b, 1, &arena));
	OK(batch_pair_get_batched(&pair, b, 1, CORM_STR("a"), &arena));
	OK(batch_item_get_batched(&items[1], b, 2, &arena));
	OK(batch_item_get_batched(&items[2], b, 3, &arena));
	OK(corm_batch_run(b));
	OK(corm_exec(db, "DEALLOCATE ALL"));
	OK(corm_batch_run(b));
	assert_int_equal(items[2].id, 3);
	assert_int_equal(pair.qty, 10);
	corm_batch_free(b);
}

static int64_t session_id(corm_conn *c)
{
	corm_stmt *s;
	int64_t id = -1;

	OK(corm_stmt_prepare(&s, c, is_pg() ? "SELECT pg_backend_pid()"
					     : "SELECT CONNECTION_ID()"));
	if (corm_step(s) == CORM_ROW)
		OK(corm_column_int64(&id, s, 0));
	corm_stmt_free(s);
	return id;
}

static void test_batch__a_lost_connection_answers_econnlost(void **state)
{
	const struct timespec tick = {0, 200 * 1000 * 1000};
	batch_item got[5];
	corm_conn *victim, *killer;
	corm_batch *b;
	char sql[128];
	size_t i;

	(void)state;
	if (strcmp(engine.name, "sqlite") == 0)
		skip(); /* no server */
	OK(corm_conn_open(&victim, engine.url));
	OK(corm_conn_open(&killer, engine.url));
	OK(corm_batch_new(&b, victim));
	for (i = 0; i < 5; i++)
		OK(batch_item_get_batched(&got[i], b, (int64_t)i + 1, &arena));
	OK(corm_batch_run(b)); /* prepared before the kill */
	snprintf(sql, sizeof(sql), is_pg() ?
		"SELECT pg_terminate_backend(%lld)" : "KILL %lld",
		(long long)session_id(victim));
	OK(corm_exec(killer, sql));
	nanosleep(&tick, NULL);

	assert_int_equal(corm_batch_run(b), CORM_ECONNLOST);
	for (i = 0; i < 5; i++)
		assert_int_equal(corm_batch_status(b, i), CORM_ECONNLOST);
	assert_true(corm_conn_lost(victim));
	/* Again, and other calls: answers, never a crash or a hang. */
	assert_int_equal(corm_batch_run(b), CORM_ECONNLOST);
	assert_int_equal(corm_conn_ping(victim), CORM_ECONNLOST);
	corm_batch_free(b);
	corm_conn_close(victim);
	corm_conn_close(killer);
}

/* Every allocation of queueing and running fails in turn: each failure
 * is CORM_ENOMEM (from an add, the run or an item) and nothing leaks. */
static void test_batch__allocation_failures(void **state)
{
	long n;

	(void)state;
	for (n = 1;; n++) {
		batch_item got[4];
		batch_pair pair;
		corm_batch *b = NULL;
		corm_arena rows = CORM_ARENA_INIT;
		int rc;
		size_t i;

		test_alloc_install(n);
		rc = corm_batch_new(&b, db);
		for (i = 0; i < 4 && rc == CORM_OK; i++)
			(void)batch_item_get_batched(&got[i], b, (int64_t)i + 1, &rows);
		if (rc == CORM_OK) {
			(void)batch_pair_get_batched(&pair, b, 1, CORM_STR("a"), &rows);
			rc = corm_batch_run(b);
		}
		if (rc != CORM_OK && rc != CORM_ENOMEM)
			fail_msg("allocation %ld: %s: %s", n, corm_strerror(rc),
				corm_errmsg(db));
		for (i = 0; rc == CORM_OK && i < 5; i++)
			assert_int_equal(corm_batch_status(b, i), CORM_OK);
		corm_batch_free(b);
		corm_arena_free(&rows);
		test_alloc_uninstall();
		assert_int_equal(test_alloc.live, 0);
		if (test_alloc.failed == 0)
			break;
	}
	assert_true(n > 4); /* the batch, its items, a key, a row at least */
	/* The connection is fine after all that. */
	{
		batch_item one;

		OK(batch_item_get(&one, db, 1, &arena));
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_batch__found_rows_equal_get),
		cmocka_unit_test(test_batch__not_found_and_duplicate_keys),
		cmocka_unit_test(test_batch__empty_batch_does_nothing),
		cmocka_unit_test(test_batch__composite_and_uuid_keys_mixed_models),
		cmocka_unit_test(test_batch__hundreds_of_items),
		cmocka_unit_test(test_batch__an_error_item_fails_alone),
		cmocka_unit_test(test_batch__inside_a_transaction),
		cmocka_unit_test(test_batch__rerun_and_a_failed_add),
		cmocka_unit_test(test_batch__postgres_sends_one_pipeline),
		cmocka_unit_test(test_batch__postgres_statements_dropped_under_it),
		cmocka_unit_test(test_batch__a_lost_connection_answers_econnlost),
		cmocka_unit_test(test_batch__allocation_failures),
	};
	int rc = test_engine_init(&engine, "test_batch", argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
