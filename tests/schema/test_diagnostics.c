/*
 * test_diagnostics.c — compiler-style errors: each bad schema in
 * tests/schema/bad/NAME.corm must produce exactly the text in NAME.err
 * (what `corm check bad/NAME.corm` prints on stderr, run from
 * tests/schema). Regenerate the golden files with
 *     CORM_REGEN_GOLDEN=1 meson test -C build-cg --suite codegen
 * and review the diff. A few properties are also asserted directly.
 */
#include <dirent.h>

#include "helpers.h"

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void test_diagnostics__bad_schemas_match_their_golden_errors(
	void **state)
{
	DIR *dir = opendir(CG_TEST_DIR "/bad");
	struct dirent *e;
	char *names[256];
	size_t n = 0, i;

	(void)state;
	assert_non_null(dir);
	while ((e = readdir(dir)) != NULL && n < 256) {
		size_t len = strlen(e->d_name);

		if (len > 5 && strcmp(e->d_name + len - 5, ".corm") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(dir);
	qsort(names, n, sizeof(names[0]), cmp_names);
	/* Deleting the corpus must not make this pass. */
	assert_true(n >= 15);
	for (i = 0; i < n; i++) {
		char path[512], shown[512], *src, *got;
		size_t len;
		int rc;

		snprintf(path, sizeof(path), "%s/bad/%s", CG_TEST_DIR, names[i]);
		snprintf(shown, sizeof(shown), "bad/%s", names[i]);
		src = th_read(path, &len);
		assert_non_null(src);
		got = th_diags(shown, src, len, &rc);
		if (rc != CORM_EINVAL)
			fail_msg("%s: expected the schema to be invalid", shown);
		assert_non_null(strstr(got, ": error: "));
		snprintf(path, sizeof(path), "%s/bad/%.*s.err", CG_TEST_DIR,
			(int)(strlen(names[i]) - 5), names[i]);
		th_golden(path, got);
		free(got);
		free(src);
		free(names[i]);
	}
}

static void test_diagnostics__all_errors_are_reported_with_exact_places(
	void **state)
{
	const char *src =
		"model Author {\n"            /* 1 */
		"    id    i64 @id\n"         /* 2 */
		"    name  strng\n"           /* 3 */
		"    email string(255) @uniqe\n" /* 4 */
		"}\n"                         /* 5 */
		"model Post {\n"              /* 6 */
		"    id     i64 @id\n"        /* 7 */
		"    author Autor\n"          /* 8 */
		"}\n";
	corm_schema *s = NULL;
	corm_diags d = CORM_DIAGS_INIT;

	(void)state;
	assert_int_equal(corm_schema_parse(&s, &d, src, strlen(src)),
		CORM_EINVAL);
	assert_int_equal(d.nerrors, 3);
	assert_int_equal(d.items[0].loc.line, 3);
	assert_int_equal(d.items[0].loc.col, 11);
	assert_string_equal(d.items[0].msg,
		"unknown type 'strng' (did you mean 'string'?)");
	assert_int_equal(d.items[1].loc.line, 4);
	assert_int_equal(d.items[1].loc.col, 23);
	assert_string_equal(d.items[1].msg,
		"unknown attribute '@uniqe' (did you mean '@unique'?)");
	assert_int_equal(d.items[2].loc.line, 8);
	assert_int_equal(d.items[2].loc.col, 12);
	assert_string_equal(d.items[2].msg,
		"unknown type 'Autor' (did you mean 'Author'?)");
	corm_diags_free(&d);
}

static void test_diagnostics__render_shows_the_line_and_a_caret(
	void **state)
{
	const char *src = "model A {\n\tid  strng @id\n}\n";
	char *got;
	int rc;

	(void)state;
	got = th_diags("blog.corm", src, strlen(src), &rc);
	assert_int_equal(rc, CORM_EINVAL);
	/* A tab in the line stays a tab under it, so the caret lines up. */
	assert_string_equal(got,
		"blog.corm:2:6: error: unknown type 'strng' (did you mean "
		"'string'?)\n"
		"\tid  strng @id\n"
		"\t    ^~~~~\n"
		"1 error generated.\n");
	free(got);
}

static void test_diagnostics__columns_on_line_one_skip_a_byte_order_mark(
	void **state)
{
	const char *src = "\xef\xbb\xbfmodle A {}\n";
	char *got;
	int rc;

	(void)state;
	got = th_diags("bom.corm", src, strlen(src), &rc);
	assert_int_equal(rc, CORM_EINVAL);
	assert_string_equal(got,
		"bom.corm:1:1: error: expected 'model' or 'enum', found 'modle' "
		"(did you mean 'model'?)\n"
		"modle A {}\n"
		"^~~~~\n"
		"1 error generated.\n");
	free(got);
}

static void test_diagnostics__identifier_limits_come_from_the_dialects(
	void **state)
{
	char src[512], col[128];
	int pg = corm_dialect_postgres.max_ident_len;
	int my = corm_dialect_mysql.max_ident_len;
	corm_schema *s = NULL;
	corm_diags d = CORM_DIAGS_INIT;

	(void)state;
	assert_true(pg > 0 && my >= pg && my < 120);
	/* Exactly at the PostgreSQL limit: fine. */
	memset(col, 'c', (size_t)pg);
	col[pg] = '\0';
	snprintf(src, sizeof(src), "model A {\n  id i64 @id\n  %s i64\n}\n",
		col);
	assert_int_equal(corm_schema_parse(&s, &d, src, strlen(src)), CORM_OK);
	corm_schema_free(s);
	corm_diags_free(&d);
	/* One byte more: an error naming postgres. */
	memset(col, 'c', (size_t)pg + 1);
	col[pg + 1] = '\0';
	snprintf(src, sizeof(src), "model A {\n  id i64 @id\n  %s i64\n}\n",
		col);
	assert_int_equal(corm_schema_parse(&s, &d, src, strlen(src)),
		CORM_EINVAL);
	assert_int_equal(d.nerrors, 1);
	assert_non_null(strstr(d.items[0].msg, "postgres"));
	assert_int_equal(d.items[0].loc.line, 3);
	assert_int_equal(d.items[0].loc.col, 3);
	corm_diags_free(&d);
}

static void test_diagnostics__error_limit_stops_with_a_final_message(
	void **state)
{
	corm_buf b = CORM_BUF_INIT;
	corm_diags d = CORM_DIAGS_INIT;
	corm_schema *s = NULL;
	int i;

	(void)state;
	for (i = 0; i < 200; i++)
		corm_buf_puts(&b, "$\n");
	assert_int_equal(corm_schema_parse(&s, &d, b.ptr, b.len), CORM_EINVAL);
	assert_int_equal(d.nerrors, CORM_DIAG_MAX_ERRORS);
	assert_string_equal(d.items[d.count - 1].msg,
		"too many errors emitted, stopping now");
	assert_int_equal(d.items[d.count - 1].loc.line, 0);
	corm_diags_free(&d);
	corm_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_diagnostics__bad_schemas_match_their_golden_errors),
		cmocka_unit_test(
			test_diagnostics__all_errors_are_reported_with_exact_places),
		cmocka_unit_test(
			test_diagnostics__render_shows_the_line_and_a_caret),
		cmocka_unit_test(
			test_diagnostics__columns_on_line_one_skip_a_byte_order_mark),
		cmocka_unit_test(
			test_diagnostics__identifier_limits_come_from_the_dialects),
		cmocka_unit_test(
			test_diagnostics__error_limit_stops_with_a_final_message),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
