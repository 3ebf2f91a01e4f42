/*
 * test_fmt.c — `corm fmt`: canonical output (golden files), idempotence,
 * meaning preservation (the IR of fmt(x) is the IR of x, doc comments
 * included), every comment kept, and refusal of invalid schemas.
 *
 * Golden files: tests/schema/schemas/NAME.fmt is the expected output for
 * NAME.corm. Regenerate with
 *     CORM_REGEN_GOLDEN=1 meson test -C build-cg --suite codegen
 * and review the diff.
 */
#include "helpers.h"

static const char *const schemas[] = {"blog", "comments", "all_types",
	"messy", "relations"};
#define NSCHEMAS (sizeof(schemas) / sizeof(schemas[0]))

static char *fmt_ok(const char *src, size_t len, size_t *out_len)
{
	char *out = NULL;
	corm_diags d = CORM_DIAGS_INIT;
	int rc = corm_schema_format(&out, out_len, &d, src, len);

	if (rc != CORM_OK) {
		corm_buf b = CORM_BUF_INIT;

		corm_diags_render(&b, &d, "input", src, len);
		print_error("%s", corm_buf_cstr(&b));
		corm_buf_free(&b);
	}
	corm_diags_free(&d);
	assert_int_equal(rc, CORM_OK);
	assert_non_null(out);
	return out;
}

/* Every comment's text, in order, outside string literals. */
static void comments_of(const char *s, size_t n, corm_buf *out)
{
	size_t i = 0;

	while (i < n) {
		if (s[i] == '"') {
			for (i++; i < n && s[i] != '"' && s[i] != '\n'; i++)
				if (s[i] == '\\')
					i++;
			i++;
		} else if (i + 1 < n && s[i] == '/' && s[i + 1] == '/') {
			size_t e = i;

			while (e < n && s[e] != '\n' && s[e] != '\r')
				e++;
			while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t'))
				e--;
			corm_buf_put(out, s + i, e - i);
			corm_buf_putc(out, '\n');
			i = e;
		} else if (i + 1 < n && s[i] == '/' && s[i + 1] == '*') {
			const char *end = strstr(s + i + 2, "*/");
			size_t e = end ? (size_t)(end - s) + 2 : n;

			corm_buf_put(out, s + i, e - i);
			corm_buf_putc(out, '\n');
			i = e;
		} else {
			i++;
		}
	}
}

static void check_schema(const char *name)
{
	char path[512], *src, *once, *twice, *d_src, *d_once;
	size_t len, len1, len2;
	corm_buf c_src = CORM_BUF_INIT, c_once = CORM_BUF_INIT;

	snprintf(path, sizeof(path), "%s/schemas/%s.corm", CG_TEST_DIR, name);
	src = th_read(path, &len);
	if (!src)
		fail_msg("cannot read %s", path);
	once = fmt_ok(src, len, &len1);
	twice = fmt_ok(once, len1, &len2);

	/* fmt(fmt(x)) == fmt(x) */
	if (len1 != len2 || memcmp(once, twice, len1) != 0)
		fail_msg("%s: not idempotent:\n%s\n--- second pass:\n%s", name,
			once, twice);
	/* parse(fmt(x)) == parse(x) */
	d_src = th_dump_src(src, len);
	d_once = th_dump_src(once, len1);
	assert_non_null(d_src);
	assert_non_null(d_once);
	if (strcmp(d_src, d_once) != 0)
		fail_msg("%s: fmt changed the meaning:\n%s\n--- after fmt:\n%s",
			name, d_src, d_once);
	/* Every comment survives, in order. */
	comments_of(src, len, &c_src);
	comments_of(once, len1, &c_once);
	assert_string_equal(corm_buf_cstr(&c_src), corm_buf_cstr(&c_once));
	/* The canonical text itself. */
	snprintf(path, sizeof(path), "%s/schemas/%s.fmt", CG_TEST_DIR, name);
	th_golden(path, once);

	corm_buf_free(&c_src);
	corm_buf_free(&c_once);
	free(d_src);
	free(d_once);
	corm_free(once);
	corm_free(twice);
	free(src);
}

static void test_fmt__schemas_are_idempotent_and_keep_their_meaning(
	void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NSCHEMAS; i++)
		check_schema(schemas[i]);
}

static void test_fmt__formatted_files_are_already_canonical(void **state)
{
	size_t i;

	(void)state;
	if (th_regen())
		skip();
	for (i = 0; i < NSCHEMAS; i++) {
		char path[512], *src, *out;
		size_t len, n;

		snprintf(path, sizeof(path), "%s/schemas/%s.fmt", CG_TEST_DIR,
			schemas[i]);
		src = th_read(path, &len);
		assert_non_null(src);
		out = fmt_ok(src, len, &n);
		assert_int_equal(n, len);
		assert_memory_equal(out, src, len);
		corm_free(out);
		free(src);
	}
}

static void test_fmt__aligns_columns_and_separates_blocks(void **state)
{
	const char *src =
		"model A{id i64 @id\nlonger_name string(10)? @unique @default(\"x\")\n"
		"b text}\nenum E{x y}\n\n\n\nmodel B{id i64 @id}";
	const char *want =
		"model A {\n"
		"    id          i64         @id\n"
		"    longer_name string(10)? @unique @default(\"x\")\n"
		"    b           text\n"
		"}\n"
		"\n"
		"enum E { x y }\n"
		"\n"
		"model B {\n"
		"    id i64 @id\n"
		"}\n";
	size_t n;
	char *out;

	(void)state;
	out = fmt_ok(src, strlen(src), &n);
	assert_string_equal(out, want);
	corm_free(out);
}

static void test_fmt__crlf_and_tabs_become_canonical(void **state)
{
	const char *src = "model A {\r\n\tid\ti64\t@id\r\n}\r\n";
	size_t n;
	char *out;

	(void)state;
	out = fmt_ok(src, strlen(src), &n);
	assert_string_equal(out, "model A {\n    id i64 @id\n}\n");
	corm_free(out);
}

static void test_fmt__empty_input_gives_empty_output(void **state)
{
	size_t n = 99;
	char *out;

	(void)state;
	out = fmt_ok("", 0, &n);
	assert_int_equal(n, 0);
	assert_string_equal(out, "");
	corm_free(out);
}

static void test_fmt__refuses_an_invalid_schema(void **state)
{
	const char *src = "model A {\n  id strng @id\n}\n";
	corm_diags d = CORM_DIAGS_INIT;
	char *out = (char *)1;

	(void)state;
	assert_int_equal(corm_schema_format(&out, NULL, &d, src, strlen(src)),
		CORM_EINVAL);
	assert_null(out);
	assert_int_equal(d.nerrors, 1);
	corm_diags_free(&d);
}

static void test_fmt__keeps_blank_line_groups_but_collapses_runs(
	void **state)
{
	const char *src =
		"model A {\n\n\n  id i64 @id\n\n\n\n  a text\n  b text\n\n}\n";
	size_t n;
	char *out;

	(void)state;
	out = fmt_ok(src, strlen(src), &n);
	assert_string_equal(out,
		"model A {\n    id i64  @id\n\n    a  text\n    b  text\n}\n");
	corm_free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(
			test_fmt__schemas_are_idempotent_and_keep_their_meaning),
		cmocka_unit_test(test_fmt__formatted_files_are_already_canonical),
		cmocka_unit_test(test_fmt__aligns_columns_and_separates_blocks),
		cmocka_unit_test(test_fmt__crlf_and_tabs_become_canonical),
		cmocka_unit_test(test_fmt__empty_input_gives_empty_output),
		cmocka_unit_test(test_fmt__refuses_an_invalid_schema),
		cmocka_unit_test(
			test_fmt__keeps_blank_line_groups_but_collapses_runs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
