/*
 * test_render.c — the differ and the renderers without a database: each
 * case in cases/ is a pair of schemas (NAME.from.corm, NAME.to.corm);
 * the up and down SQL for every dialect is compared with
 * golden/NAME.{up,down}.<dialect>.sql. With CORM_REGEN_GOLDEN=1 the
 * golden files are rewritten instead (review the diff). Also: which
 * operations are destructive, the statement splitter, and SHA-256.
 *
 * argv[1] is tests/migrate in the source tree.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "alloc.h"

#include "corm/driver.h"
#include "migrate.h"

static const char *g_dir;

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	corm_buf b = CORM_BUF_INIT;
	char chunk[4096];
	size_t n;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		corm_buf_put(&b, chunk, n);
	fclose(f);
	corm_buf_putc(&b, '\0');
	return corm_buf_detach(&b);
}

static corm_schema *parse_file(const char *name, const char *which)
{
	char path[1024];
	char *src;
	corm_schema *s = NULL;

	snprintf(path, sizeof(path), "%s/cases/%s.%s.corm", g_dir, name, which);
	src = slurp(path);
	if (!src)
		print_error("cannot read %s\n", path);
	assert_non_null(src);
	assert_int_equal(corm_schema_parse(&s, NULL, src, strlen(src)), CORM_OK);
	corm_free(src);
	return s;
}

static void golden(const char *name, const char *dir, const char *dialect,
	const char *got)
{
	char path[1024];
	char *want;

	snprintf(path, sizeof(path), "%s/golden/%s.%s.%s.sql", g_dir, name, dir,
		dialect);
	if (getenv("CORM_REGEN_GOLDEN")) {
		FILE *f = fopen(path, "wb");

		assert_non_null(f);
		fputs(got, f);
		fclose(f);
		return;
	}
	want = slurp(path);
	if (!want)
		print_error("missing %s (CORM_REGEN_GOLDEN=1 writes it)\n", path);
	assert_non_null(want);
	if (strcmp(want, got) != 0)
		print_error("%s differs; got:\n%s\n", path, got);
	assert_string_equal(want, got);
	corm_free(want);
}

/* Diff, render both ways for every dialect, compare; return the up plan's
 * count of destructive operations. */
static size_t run_case(const char *name)
{
	corm_schema *a = parse_file(name, "from"), *b = parse_file(name, "to");
	corm_plan *up = NULL, *down = NULL;
	size_t i, nd;

	assert_int_equal(corm_diff(&up, a, b), CORM_OK);
	assert_int_equal(corm_diff(&down, b, a), CORM_OK);
	for (i = 0; i < 3; i++) {
		corm_buf u = CORM_BUF_INIT, d = CORM_BUF_INIT;

		assert_int_equal(corm_plan_render(&u, corm_dialects[i], up), CORM_OK);
		assert_int_equal(corm_plan_render(&d, corm_dialects[i], down),
			CORM_OK);
		golden(name, "up", corm_dialects[i]->name, corm_buf_cstr(&u));
		golden(name, "down", corm_dialects[i]->name, corm_buf_cstr(&d));
		corm_buf_free(&u);
		corm_buf_free(&d);
	}
	nd = corm_plan_ndestructive(up);
	corm_plan_free(up);
	corm_plan_free(down);
	corm_schema_free(a);
	corm_schema_free(b);
	return nd;
}

static void test_render__create_from_nothing(void **state)
{
	(void)state;
	assert_int_equal(run_case("create"), 0);
}

static void test_render__rename_table_and_column_is_not_destructive(void **s)
{
	(void)s;
	assert_int_equal(run_case("rename"), 0);
}

static void test_render__rename_without_renamed_from_is_drop_and_add(void **s)
{
	(void)s;
	assert_int_equal(run_case("undeclared_rename"), 1);
}

static void test_render__alter_columns(void **state)
{
	/* narrowing string(200) -> string(100) and i64 -> i32, NOT NULL
	 * without a default: three destructive; the backfilled NOT NULL and
	 * the widening are not */
	(void)state;
	assert_int_equal(run_case("alter"), 3);
}

static void test_render__enum_to_and_from_string(void **state)
{
	/* added members, string -> enum (twice: existing values must be
	 * members), enum -> string, an enum column added and one dropped;
	 * on MySQL each a MODIFY COLUMN of the native ENUM */
	(void)state;
	assert_int_equal(run_case("enum_type"), 3);
}

static void test_render__enum_member_removed_is_destructive(void **state)
{
	(void)state;
	assert_int_equal(run_case("enum"), 1);
}

static void test_render__indexes_uniques_and_foreign_keys(void **state)
{
	(void)state;
	assert_int_equal(run_case("constraints"), 0);
}

static void test_render__drop_table_and_column(void **state)
{
	(void)state;
	assert_int_equal(run_case("drop"), 2);
}

static void test_render__a_cycle_of_new_tables_adds_a_key_after(void **s)
{
	(void)s;
	assert_int_equal(run_case("cycle"), 0);
}

static void test_render__same_schema_is_empty(void **state)
{
	corm_schema *a = parse_file("create", "to");
	corm_plan *p = NULL;
	corm_buf b = CORM_BUF_INIT;

	(void)state;
	assert_int_equal(corm_diff(&p, a, a), CORM_OK);
	assert_int_equal(p->nops, 0);
	assert_int_equal(corm_plan_render(&b, &corm_dialect_sqlite, p), CORM_OK);
	assert_int_equal(b.len, 0);
	corm_buf_free(&b);
	corm_plan_free(p);
	corm_schema_free(a);
}

static void test_split__respects_quotes_and_comments(void **state)
{
	const char *sql = "-- a comment; not a statement\n"
		"INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`);\n"
		"/* block; comment */ SELECT 1;\n"
		"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql;\n"
		"SELECT 'it''s; fine'\n"
		";;  \n-- trailing\n";
	char **st = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(corm_mig_split(&st, &n, sql, strlen(sql), false),
		CORM_OK);
	assert_int_equal(n, 4);
	assert_string_equal(st[0], "-- a comment; not a statement\n"
		"INSERT INTO t VALUES ('a;b', \"c;d\", `e;f`)");
	assert_string_equal(st[1], "/* block; comment */ SELECT 1");
	assert_string_equal(st[2],
		"CREATE FUNCTION f() RETURNS int AS $$ SELECT 1; $$ LANGUAGE sql");
	assert_string_equal(st[3], "SELECT 'it''s; fine'");
	corm_mig_statements_free(st, n);
}

static void test_split__backslash_only_escapes_on_mysql(void **state)
{
	const char *sql = "SELECT 'a\\'; SELECT 'b';";
	char **st = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(corm_mig_split(&st, &n, sql, strlen(sql), false),
		CORM_OK);
	assert_int_equal(n, 2); /* 'a\' ends the string */
	corm_mig_statements_free(st, n);
	assert_int_equal(corm_mig_split(&st, &n, sql, strlen(sql), true),
		CORM_OK);
	assert_int_equal(n, 1); /* \' is a quote inside the string */
	corm_mig_statements_free(st, n);
}

static void test_sha256__known_vectors(void **state)
{
	char out[65];

	(void)state;
	corm_mig_sha256_hex(out, "", 0);
	assert_string_equal(out, "e3b0c44298fc1c149afbf4c8996fb924"
		"27ae41e4649b934ca495991b7852b855");
	corm_mig_sha256_hex(out, "abc", 3);
	assert_string_equal(out, "ba7816bf8f01cfea414140de5dae2223"
		"b00361a396177a9cb410ff61f20015ad");
	corm_mig_sha256_hex(out, "abcdbcdecdefdefgefghfghighijhijkijkljklmklmn"
		"lmnomnopnopq", 56);
	assert_string_equal(out, "248d6a61d20638b8e5c026930c3e6039"
		"a33ce45964ff2167f6ecedd419db06c1");
}

/* Allocation N fails: every failure ends in CORM_ENOMEM, nothing leaks
 * (ASan) or crashes. The failing allocator wraps the C library's, so
 * memory crosses the switch safely. */
static void test_render__every_allocation_failure_is_enomem(void **state)
{
	static const char *const cases[] = {"constraints", "alter", "rename",
		"enum", "enum_type", "drop"};
	size_t k;

	(void)state;
	for (k = 0; k < sizeof(cases) / sizeof(cases[0]); k++) {
		corm_schema *a = parse_file(cases[k], "from");
		corm_schema *b = parse_file(cases[k], "to");
		bool done = false;

		long n;

		for (n = 1; !done; n++) {
			corm_plan *p = NULL;
			corm_buf out = CORM_BUF_INIT;
			int rc;
			size_t i;

			test_alloc_install(n);
			rc = corm_diff(&p, a, b);
			for (i = 0; i < 3 && rc == CORM_OK; i++)
				rc = corm_plan_render(&out, corm_dialects[i], p);
			corm_buf_free(&out);
			corm_plan_free(p);
			/* nothing failed: all paths ran */
			done = test_alloc.calls < test_alloc.fail_at;
			test_alloc_uninstall();
			if (!done)
				assert_int_equal(rc, CORM_ENOMEM);
			else
				assert_int_equal(rc, CORM_OK);
		}
		corm_schema_free(a);
		corm_schema_free(b);
	}
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_render__create_from_nothing),
		cmocka_unit_test(test_render__rename_table_and_column_is_not_destructive),
		cmocka_unit_test(test_render__rename_without_renamed_from_is_drop_and_add),
		cmocka_unit_test(test_render__alter_columns),
		cmocka_unit_test(test_render__enum_member_removed_is_destructive),
		cmocka_unit_test(test_render__enum_to_and_from_string),
		cmocka_unit_test(test_render__indexes_uniques_and_foreign_keys),
		cmocka_unit_test(test_render__drop_table_and_column),
		cmocka_unit_test(test_render__a_cycle_of_new_tables_adds_a_key_after),
		cmocka_unit_test(test_render__same_schema_is_empty),
		cmocka_unit_test(test_render__every_allocation_failure_is_enomem),
		cmocka_unit_test(test_split__respects_quotes_and_comments),
		cmocka_unit_test(test_split__backslash_only_escapes_on_mysql),
		cmocka_unit_test(test_sha256__known_vectors),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s TESTS_MIGRATE_DIR\n", argv[0]);
		return 2;
	}
	g_dir = argv[1];
	return cmocka_run_group_tests_name("migrate-render", tests, NULL, NULL);
}
