/*
 * test_foreign_text.c — text predicates compare bytes on a table corm did
 * not create. The `author` table of blog.corm is written by hand, the way
 * an existing database has it: SQLite `COLLATE NOCASE` and `RTRIM`,
 * PostgreSQL a nondeterministic ICU collation, MariaDB the server's
 * utf8mb4_general_ci (case-insensitive, PAD SPACE) and a latin1 column.
 * Every typed predicate, ORDER BY, DISTINCT, GROUP BY and MIN/MAX over the
 * names is checked against a byte-by-byte comparison in C (docs/queries.md,
 * "Text compares by its bytes").
 * Usage: test_foreign_text sqlite|postgres|mysql
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "blog.h"
#include "corm/driver.h"
#include "engine.h"

static test_engine engine;
static corm_conn *db;

#define OK(call)                                                             \
	do {                                                                     \
		int rc_ = (call);                                                    \
		if (rc_ != CORM_OK)                                                  \
			fail_msg("%s -> %s: %s", #call, corm_strerror(rc_),              \
				corm_errmsg(db));                                            \
	} while (0)

/* Names that a collation other than the bytes would confuse. */
static const char *const names[] = {
	"abc", "ABC", "abc ", "Abc", "\xC3\x84" "bc" /* Äbc */,
	"\xC3\xA4" "bc" /* äbc */, "ab", "abd", "a%c", "b", "abc  ",
};
#define NNAMES ((int)(sizeof(names) / sizeof(names[0])))

/* The values the predicates are tried with. */
static const char *const probes[] = {
	"abc", "ABC", "abc ", "\xC3\xA4" "bc", "ab", "abd", "a", "B", "",
};
#define NPROBES ((int)(sizeof(probes) / sizeof(probes[0])))

static int64_t ids[NNAMES];

/* The hand-written tables: what Django, Rails or a DBA would leave. */
static const char *const sqlite_ddl[] = {
	"DROP TABLE IF EXISTS posts",
	"DROP TABLE IF EXISTS author",
	"CREATE TABLE author (id INTEGER PRIMARY KEY AUTOINCREMENT, "
	"email VARCHAR(255) NOT NULL, name VARCHAR(100) NOT NULL COLLATE "
	"NOCASE, bio TEXT COLLATE RTRIM, karma REAL NOT NULL DEFAULT 0, "
	"active BOOLEAN NOT NULL DEFAULT 1, joined_at DATETIME NOT NULL)",
	"CREATE INDEX author_name ON author (name)",
	NULL,
};
static const char *const postgres_ddl[] = {
	"DROP TABLE IF EXISTS posts",
	"DROP TABLE IF EXISTS author",
	"DROP COLLATION IF EXISTS corm_test_ci",
	"CREATE COLLATION corm_test_ci (provider = icu, locale = "
	"'und-u-ks-level2', deterministic = false)",
	"CREATE TABLE author (id BIGSERIAL PRIMARY KEY, email VARCHAR(255) "
	"NOT NULL, name VARCHAR(100) COLLATE corm_test_ci NOT NULL, bio TEXT "
	"COLLATE corm_test_ci, karma DOUBLE PRECISION NOT NULL DEFAULT 0, "
	"active BOOLEAN NOT NULL DEFAULT true, joined_at TIMESTAMPTZ NOT NULL "
	"DEFAULT now())",
	"CREATE INDEX author_name ON author (name)",
	NULL,
};
static const char *const mysql_ddl[] = {
	"DROP TABLE IF EXISTS posts",
	"DROP TABLE IF EXISTS author",
	"CREATE TABLE author (id BIGINT AUTO_INCREMENT PRIMARY KEY, "
	"email VARCHAR(255) NOT NULL, name VARCHAR(100) NOT NULL, "
	"bio TEXT CHARACTER SET latin1 COLLATE latin1_swedish_ci, "
	"karma DOUBLE NOT NULL DEFAULT 0, active TINYINT(1) NOT NULL DEFAULT 1, "
	"joined_at DATETIME(6) NOT NULL, KEY author_name (name)) "
	"ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_general_ci",
	NULL,
};

static int setup(void **state)
{
	const char *const *ddl = strcmp(engine.name, "sqlite") == 0 ? sqlite_ddl
		: strcmp(engine.name, "postgres") == 0 ? postgres_ddl : mysql_ddl;
	int i;

	(void)state;
	if (corm_conn_open(&db, engine.url) != CORM_OK)
		return -1;
	for (i = 0; ddl[i]; i++)
		OK(corm_exec(db, ddl[i]));
	/* A connection learns the database's collations when it opens. */
	corm_conn_close(db);
	if (corm_conn_open(&db, engine.url) != CORM_OK)
		return -1;
	for (i = 0; i < NNAMES; i++) {
		author a;
		char email[32];

		author_init(&a);
		snprintf(email, sizeof(email), "a%d@example.com", i);
		a.email = corm_str_of(email);
		a.name = corm_str_of(names[i]);
		/* bio holds the same text where latin1 can: all but none. */
		a.bio = corm_str_of(names[i]);
		OK(author_insert(db, &a));
		ids[i] = a.id;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	corm_exec(db, "DROP TABLE IF EXISTS author");
	corm_conn_close(db);
	return 0;
}

/* -1, 0 or 1 as the bytes of a and b compare (a shorter prefix first). */
static int bytecmp(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	int c = memcmp(a, b, na < nb ? na : nb);

	if (c)
		return c < 0 ? -1 : 1;
	return na < nb ? -1 : na > nb;
}

static bool holds(corm_cmp op, int c)
{
	switch (op) {
	case CORM_CMP_EQ: return c == 0;
	case CORM_CMP_NE: return c != 0;
	case CORM_CMP_LT: return c < 0;
	case CORM_CMP_LE: return c <= 0;
	case CORM_CMP_GT: return c > 0;
	case CORM_CMP_GE: return c >= 0;
	}
	return false;
}

/* Run q (ordered by id) and check it returns exactly the names for which
 * want[] is true. Frees q. `what` describes the predicate. */
static void expect(author_query *q, const bool *want, const char *what)
{
	author_list list;
	size_t n = 0;
	int i;

	author_order_by(q, AUTHOR_ID, CORM_ASC);
	if (author_query_all(&list, q) != CORM_OK)
		fail_msg("%s: %s (%s)", what, corm_errmsg(db), author_query_sql(q));
	for (i = 0; i < NNAMES; i++) {
		if (!want[i])
			continue;
		if (n >= list.count || list.items[n].id != ids[i])
			fail_msg("%s: row %zu should be '%s' (%s)", what, n, names[i],
				author_query_sql(q));
		n++;
	}
	if (n != list.count)
		fail_msg("%s: %zu rows, expected %zu; row %zu is '%s' (%s)", what,
			list.count, n, n, list.items[n].name.ptr, author_query_sql(q));
	author_list_free(&list);
	author_query_free(q);
}

static author_query *new_query(void)
{
	author_query *q = NULL;

	OK(author_query_new(&q, db));
	return q;
}

static void test_foreign_text__comparisons_are_by_bytes(void **state)
{
	static const corm_cmp ops[] = {CORM_CMP_EQ, CORM_CMP_NE, CORM_CMP_LT,
		CORM_CMP_LE, CORM_CMP_GT, CORM_CMP_GE};
	static const author_str_col cols[] = {AUTHOR_NAME, AUTHOR_BIO};
	bool want[NNAMES];
	char what[128];
	size_t o, c;
	int p, i;

	(void)state;
	for (c = 0; c < 2; c++) {
		for (p = 0; p < NPROBES; p++) {
			for (o = 0; o < sizeof(ops) / sizeof(ops[0]); o++) {
				author_query *q = new_query();

				for (i = 0; i < NNAMES; i++)
					want[i] = holds(ops[o], bytecmp(names[i], probes[p]));
				author_where(q, author_cmp_str(q, cols[c], ops[o],
							corm_str_of(probes[p])));
				snprintf(what, sizeof(what), "%s op %zu '%s'",
					c ? "bio" : "name", o, probes[p]);
				expect(q, want, what);
			}
		}
	}
}

static void test_foreign_text__between_and_in_are_by_bytes(void **state)
{
	corm_str set[3] = {CORM_STR("abc"), CORM_STR("b"), CORM_STR("zz")};
	bool want[NNAMES];
	author_query *q;
	int i;

	(void)state;
	q = new_query();
	author_where(q, author_between(q, AUTHOR_NAME, CORM_STR("ab"),
				CORM_STR("abc ")));
	for (i = 0; i < NNAMES; i++)
		want[i] = bytecmp(names[i], "ab") >= 0 &&
			bytecmp(names[i], "abc ") <= 0;
	expect(q, want, "between 'ab' and 'abc '");
	q = new_query();
	author_where(q, author_in(q, AUTHOR_NAME, set, 3));
	for (i = 0; i < NNAMES; i++)
		want[i] = strcmp(names[i], "abc") == 0 || strcmp(names[i], "b") == 0;
	expect(q, want, "in ('abc', 'b', 'zz')");
	q = new_query();
	author_where(q, author_in(q, AUTHOR_NAME, set, 1));
	for (i = 0; i < NNAMES; i++)
		want[i] = strcmp(names[i], "abc") == 0;
	expect(q, want, "in ('abc')");
}

static void test_foreign_text__matching_is_by_bytes(void **state)
{
	bool want[NNAMES];
	author_query *q;
	int i;

	(void)state;
	q = new_query();
	author_where(q, author_starts_with(q, AUTHOR_NAME, CORM_STR("ab")));
	for (i = 0; i < NNAMES; i++)
		want[i] = strncmp(names[i], "ab", 2) == 0;
	expect(q, want, "starts_with 'ab'");
	q = new_query();
	author_where(q, author_ends_with(q, AUTHOR_NAME, CORM_STR("bc")));
	for (i = 0; i < NNAMES; i++) {
		size_t n = strlen(names[i]);

		want[i] = n >= 2 && strcmp(names[i] + n - 2, "bc") == 0;
	}
	expect(q, want, "ends_with 'bc'");
	q = new_query();
	author_where(q, author_contains(q, AUTHOR_NAME, CORM_STR("Bc")));
	for (i = 0; i < NNAMES; i++)
		want[i] = strstr(names[i], "Bc") != NULL;
	expect(q, want, "contains 'Bc'");
}

/* The names in byte order, distinct: what ORDER BY, DISTINCT and
 * GROUP BY must give. */
static int sorted_names(const char **out)
{
	int i, j, n = 0;

	for (i = 0; i < NNAMES; i++) {
		for (j = 0; j < n && strcmp(out[j], names[i]) != 0; j++)
			;
		if (j == n)
			out[n++] = names[i];
	}
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && bytecmp(out[j - 1], out[j]) > 0; j--) {
			const char *t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

static void test_foreign_text__order_is_by_bytes(void **state)
{
	author_query *q = new_query();
	author_list list;
	size_t i;

	(void)state;
	author_order_by(q, AUTHOR_NAME, CORM_ASC);
	author_order_by(q, AUTHOR_ID, CORM_ASC);
	OK(author_query_all(&list, q));
	assert_int_equal(list.count, NNAMES);
	for (i = 1; i < list.count; i++)
		if (bytecmp(list.items[i - 1].name.ptr, list.items[i].name.ptr) > 0)
			fail_msg("'%s' sorted before '%s'", list.items[i - 1].name.ptr,
				list.items[i].name.ptr);
	author_list_free(&list);
	author_query_free(q);
}

static void test_foreign_text__distinct_is_by_bytes(void **state)
{
	const char *want[NNAMES];
	int n = sorted_names(want), i;
	author_query *q = new_query();
	author_list list;

	(void)state;
	author_select(q, AUTHOR_NAME);
	author_distinct(q);
	author_order_by(q, AUTHOR_NAME, CORM_DESC);
	OK(author_query_all(&list, q));
	if (list.count != (size_t)n)
		fail_msg("%zu distinct names, expected %d (%s)", list.count, n,
			author_query_sql(q));
	for (i = 0; i < n; i++)
		assert_string_equal(list.items[i].name.ptr, want[n - 1 - i]);
	author_list_free(&list);
	author_query_free(q);
}

static void test_foreign_text__groups_and_min_max_are_by_bytes(void **state)
{
	const char *want[NNAMES];
	int n = sorted_names(want), i;
	author_query *q = new_query();
	author_agg_list groups;
	author_agg_i64 count;
	author_agg_str least, most;

	(void)state;
	author_group_by(q, AUTHOR_NAME);
	count = author_agg_count(q);
	author_order_by(q, AUTHOR_NAME, CORM_ASC);
	OK(author_query_aggregates(&groups, q));
	if (groups.count != (size_t)n)
		fail_msg("%zu groups, expected %d", groups.count, n);
	for (i = 0; i < n; i++) {
		assert_string_equal(author_agg_group(&groups.items[i])->name.ptr,
			want[i]);
		assert_int_equal(author_agg_get_i64(&groups.items[i], count), 1);
	}
	author_agg_list_free(&groups);
	author_query_free(q);

	q = new_query();
	least = author_agg_min(q, AUTHOR_NAME);
	most = author_agg_max(q, AUTHOR_NAME);
	OK(author_query_aggregates(&groups, q));
	assert_int_equal(groups.count, 1);
	assert_string_equal(author_agg_get_str(&groups.items[0], least).ptr,
		want[0]);
	assert_string_equal(author_agg_get_str(&groups.items[0], most).ptr,
		want[n - 1]);
	author_agg_list_free(&groups);
	author_query_free(q);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_foreign_text__comparisons_are_by_bytes),
		cmocka_unit_test(test_foreign_text__between_and_in_are_by_bytes),
		cmocka_unit_test(test_foreign_text__matching_is_by_bytes),
		cmocka_unit_test(test_foreign_text__order_is_by_bytes),
		cmocka_unit_test(test_foreign_text__distinct_is_by_bytes),
		cmocka_unit_test(test_foreign_text__groups_and_min_max_are_by_bytes),
	};
	int rc = test_engine_init(&engine, "test_foreign_text",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	rc = cmocka_run_group_tests_name(engine.name, tests, setup, teardown);
	test_engine_cleanup(&engine);
	return rc;
}
