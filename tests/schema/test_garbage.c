/*
 * test_garbage.c — hostile input never crashes the schema compiler, and
 * running out of memory at any allocation is answered cleanly.
 *
 * Every input goes through the whole front half (parse, render the
 * diagnostics, format, print the IR), and these must hold:
 *   - it parses exactly when it formats;
 *   - a valid input formats idempotently and keeps its IR;
 *   - every diagnostic's place is inside the input.
 * Run under ASan/UBSan in CI (-Db_sanitize=address,undefined) to catch
 * what does not crash outright. A counting allocator checks that nothing
 * leaks, with and without injected failures.
 */
#include "helpers.h"

#include "alloc.h"

/* ------------------------------------------------------ counting allocator */

/* tests/common/alloc.h, installed for every test: it counts the blocks
 * still allocated, and fails none unless a test asks. */
static int setup(void **state)
{
	(void)state;
	test_alloc_install(0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	test_alloc_uninstall();
	return 0;
}

/* ------------------------------------------------------------- exercising */

/* Run everything on one input; returns CORM_OK, CORM_EINVAL or
 * CORM_ENOMEM, and checks the invariants unless memory ran out. */
static int exercise(const char *src, size_t len)
{
	corm_schema *s = NULL, *s2 = NULL;
	corm_diags d = CORM_DIAGS_INIT, d2 = CORM_DIAGS_INIT;
	corm_buf b = CORM_BUF_INIT, dump1 = CORM_BUF_INIT, dump2 = CORM_BUF_INIT;
	char *out = NULL, *out2 = NULL;
	size_t out_len = 0, out2_len = 0, i, lines = 1;
	int rc, frc, rc2;

	rc = corm_schema_parse(&s, &d, src, len);
	if (rc == CORM_ENOMEM)
		goto done;
	assert_true(rc == CORM_OK || rc == CORM_EINVAL);
	assert_true((rc == CORM_OK) == (s != NULL));
	assert_true((rc == CORM_OK) == (d.nerrors == 0));
	for (i = 0; i < len; i++)
		if (src[i] == '\n')
			lines++;
	for (i = 0; i < d.count; i++) {
		assert_non_null(d.items[i].msg);
		assert_true(d.items[i].loc.line >= 0);
		assert_true((size_t)d.items[i].loc.line <= lines);
		if (d.items[i].loc.line > 0)
			assert_true(d.items[i].loc.col >= 1 && d.items[i].len >= 1);
	}
	if (corm_diags_render(&b, &d, "garbage.corm", src, len) == CORM_ENOMEM) {
		rc = CORM_ENOMEM;
		goto done;
	}

	frc = corm_schema_format(&out, &out_len, &d2, src, len);
	if (frc == CORM_ENOMEM) {
		rc = CORM_ENOMEM;
		goto done;
	}
	assert_int_equal(frc, rc);
	if (rc != CORM_OK)
		goto done;

	/* Idempotent, and the same meaning. */
	corm_diags_free(&d2);
	rc2 = corm_schema_format(&out2, &out2_len, &d2, out, out_len);
	if (rc2 == CORM_ENOMEM) {
		rc = CORM_ENOMEM;
		goto done;
	}
	if (rc2 != CORM_OK)
		fail_msg("formatted text does not parse:\n%s", out);
	assert_int_equal(out_len, out2_len);
	assert_memory_equal(out, out2, out_len);
	rc2 = corm_schema_parse(&s2, NULL, out, out_len);
	if (rc2 == CORM_ENOMEM) {
		rc = CORM_ENOMEM;
		goto done;
	}
	assert_int_equal(rc2, CORM_OK);
	if (corm_schema_dump(&dump1, s) != CORM_OK ||
		corm_schema_dump(&dump2, s2) != CORM_OK) {
		rc = CORM_ENOMEM;
		goto done;
	}
	assert_string_equal(corm_buf_cstr(&dump1), corm_buf_cstr(&dump2));
	corm_buf_clear(&b);
	rc2 = corm_schema_write(&b, s);
	if (rc2 == CORM_ENOMEM) {
		rc = CORM_ENOMEM;
		goto done;
	}
	assert_int_equal(rc2, CORM_OK);
done:
	corm_free(out);
	corm_free(out2);
	corm_buf_free(&b);
	corm_buf_free(&dump1);
	corm_buf_free(&dump2);
	corm_schema_free(s);
	corm_schema_free(s2);
	corm_diags_free(&d);
	corm_diags_free(&d2);
	return rc;
}

static void exercise_str(const char *s)
{
	int rc = exercise(s, strlen(s));

	assert_int_not_equal(rc, CORM_ENOMEM);
}

static char *repeat(const char *unit, size_t times, size_t *len)
{
	size_t n = strlen(unit), i;
	char *s = malloc(n * times + 1);

	assert_non_null(s);
	for (i = 0; i < times; i++)
		memcpy(s + i * n, unit, n);
	s[n * times] = '\0';
	*len = n * times;
	return s;
}

/* -------------------------------------------------------------------- tests */

static void test_garbage__nasty_inputs_never_crash(void **state)
{
	static const char *const inputs[] = {
		"", " ", "\n", "}", "{", "{{{{", "}}}}", "model", "model ",
		"model A", "model A {", "model A {\n", "model A {\n id", "enum",
		"enum E", "enum E {", "enum E { a", "enum E { a b c",
		"model A { id i64 @id", "model A { id i64 @id @",
		"model A { id i64 @id @@", "model A {\n id i64 @default(",
		"model A {\n id i64 @default(\"", "model A {\n id i64 @default(\"\\",
		"model A {\n id i64 @default([", "model A {\n id i64 @default([a,",
		"model A {\n id i64 @default(-", "model A {\n id string(",
		"model A {\n id string(-1) @id\n}", "model A {\n id decimal(,) @id\n}",
		"model A {\n id i64? ? @id\n}", "/*", "/* /* */ */", "//", "/",
		"\"", "\"\\", "@", "@@", "@@@@@@", "?", "???", "[[[]]]", "()",
		"-", "--1", "1e", "1e+", "1.", ".5", "0x10", "model 1 {}",
		"model A { 1 }", "model A {\n @@id([\n}", "model A {\n @@id([])\n}",
		"model A {\n id i64 @id\n} model B { id i64 @id }",
		"model model { model model @id }", "enum enum { enum }",
		"model A {\n id i64 @id\n b A @id\n}",
		"model A {\n a B @id\n}\nmodel B {\n b A @id\n}",
		"model A {\n a A @id\n}",
		"model A {\r\n id i64 @id\r}", "\xef\xbb\xbf", "\xef\xbb",
		"model A {\n id i64 @map(\"\xff\")\n}",
		"model \xc3\xa9 {}", "\xe2\x80\xae model", "\x7f\x7f",
		"model A {\n id i64 @id\n x text @default(\"\\q\\z\")\n}",
		"enum E { a }\nmodel A {\n id E @id @default(b)\n}",
		"model A {\n id i64 @id @auto @auto @auto\n}",
		"model A {\n id i64 @id\n @@map(\"\")\n}",
	};
	char all[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++)
		exercise_str(inputs[i]);
	for (i = 0; i < 256; i++)
		all[i] = (char)i;
	assert_int_not_equal(exercise(all, sizeof(all)), CORM_ENOMEM);
	assert_int_not_equal(exercise("\0\0\0", 3), CORM_ENOMEM);
	assert_int_not_equal(exercise("model A {\n id i64 @id\n}\0junk", 28),
		CORM_ENOMEM);
	assert_int_equal(test_alloc.live, 0);
}

static void test_garbage__deep_and_huge_inputs_never_crash(void **state)
{
	static const char *const units[] = {
		"[", "(", "{", "}", "@", "@@x(", "model ", "/*", "\"", "?", "-",
		"model A {\n", "x ", "\xff", "\n\n", "a,", "@x([a, ",
	};
	size_t i, len;
	char *s;

	(void)state;
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		s = repeat(units[i], 200000, &len);
		assert_int_not_equal(exercise(s, len), CORM_ENOMEM);
		free(s);
	}
	/* One enormous identifier and one enormous line. */
	s = repeat("a", 1 << 20, &len);
	assert_int_not_equal(exercise(s, len), CORM_ENOMEM);
	free(s);
	s = repeat("x y @z ", 100000, &len);
	assert_int_not_equal(exercise(s, len), CORM_ENOMEM);
	free(s);
	assert_int_equal(test_alloc.live, 0);
}

static void test_garbage__a_large_valid_schema_is_handled(void **state)
{
	corm_buf b = CORM_BUF_INIT;
	int i, j;

	(void)state;
	for (i = 0; i < 1000; i++) {
		corm_buf_printf(&b, "model M%d {\n    id i64 @id @auto\n", i);
		if (i > 0)
			corm_buf_printf(&b, "    prev M%d? @on_delete(set_null)\n",
				i - 1);
		for (j = 0; j < 20; j++)
			corm_buf_printf(&b, "    f%d string(%d) @default(\"v\")\n", j,
				j + 1);
		corm_buf_puts(&b, "    @@index([f1, f2])\n}\n\n");
	}
	/* One model with very many fields too. */
	corm_buf_puts(&b, "model Wide {\n    id i64 @id\n");
	for (j = 0; j < 20000; j++)
		corm_buf_printf(&b, "    w%d i32?\n", j);
	corm_buf_puts(&b, "}\n");
	assert_int_equal(corm_buf_error(&b), CORM_OK);
	assert_int_equal(exercise(b.ptr, b.len), CORM_OK);
	corm_buf_free(&b);
	assert_int_equal(test_alloc.live, 0);
}

static void test_garbage__every_truncation_and_mutation_of_a_schema(
	void **state)
{
	static const char subst[] = {'{', '}', '"', '@', '\n', '\0', '(', ')',
		'?', 'x', '/', '*', '[', ','};
	char *src, *buf;
	size_t len, i, k;

	(void)state;
	src = th_read(CG_TEST_DIR "/schemas/comments.corm", &len);
	assert_non_null(src);
	buf = malloc(len + 1);
	assert_non_null(buf);
	for (i = 0; i <= len; i++)
		assert_int_not_equal(exercise(src, i), CORM_ENOMEM);
	for (i = 0; i < len; i++) {
		for (k = 0; k < sizeof(subst); k++) {
			memcpy(buf, src, len);
			buf[i] = subst[k];
			assert_int_not_equal(exercise(buf, len), CORM_ENOMEM);
		}
		/* Delete one byte. */
		memcpy(buf, src, i);
		memcpy(buf + i, src + i + 1, len - i - 1);
		assert_int_not_equal(exercise(buf, len - 1), CORM_ENOMEM);
	}
	free(buf);
	free(src);
	assert_int_equal(test_alloc.live, 0);
}

static void test_garbage__random_bytes_never_crash(void **state)
{
	static const char alphabet[] = "model enum{}()[]@@?,\"\\/*\n \tabcAB_019-."
		"i64 string(3) @id @default(now) \xff\x00";
	unsigned long seed = 0x12345678;
	char buf[600];
	int round;

	(void)state;
	for (round = 0; round < 3000; round++) {
		size_t n = (size_t)(round % 600), i;

		for (i = 0; i < n; i++) {
			seed = seed * 6364136223846793005ul + 1442695040888963407ul;
			buf[i] = (round & 1) ? (char)(seed >> 33)
				: alphabet[(seed >> 33) % (sizeof(alphabet) - 1)];
		}
		assert_int_not_equal(exercise(buf, n), CORM_ENOMEM);
	}
	assert_int_equal(test_alloc.live, 0);
}

/* Fail allocation 1, 2, 3, ... until a run in which none failed: every
 * run must answer CORM_ENOMEM or succeed, and free everything. */
static void fail_every_allocation(const char *src, size_t len)
{
	long n;

	for (n = 1;; n++) {
		int rc;

		test_alloc_install(n);
		rc = exercise(src, len);
		if (test_alloc.live != 0)
			fail_msg("leak after failing allocation %ld: %ld blocks", n,
				test_alloc.live);
		if (test_alloc.failed == 0) {
			assert_int_not_equal(rc, CORM_ENOMEM);
			break;
		}
		assert_true(n < 1000000);
	}
	test_alloc_install(0); /* fail nothing from here */
}

static void test_garbage__out_of_memory_at_any_allocation_is_clean(
	void **state)
{
	char *src;
	size_t len;
	const char *bad = "model A {\n  id strng @id\n  x i64 @uniqe\n}\n"
		"model A { id i64 @id }\n";

	(void)state;
	src = th_read(CG_TEST_DIR "/schemas/blog.corm", &len);
	assert_non_null(src);
	fail_every_allocation(src, len);
	free(src);
	fail_every_allocation(bad, strlen(bad));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(
			test_garbage__nasty_inputs_never_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_garbage__deep_and_huge_inputs_never_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_garbage__a_large_valid_schema_is_handled, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_garbage__every_truncation_and_mutation_of_a_schema, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_garbage__random_bytes_never_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_garbage__out_of_memory_at_any_allocation_is_clean, setup,
			teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
