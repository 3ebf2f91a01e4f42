/*
 * test_utf8.c — the blog server's UTF-8 checks (examples/blog/utf8.c),
 * which stand between query parameters and the database: PostgreSQL
 * refuses invalid UTF-8 in a bound value, and jansson refuses to build a
 * JSON string of it, so what they let through must be exactly valid
 * UTF-8.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "utf8.h"

static void test_utf8__accepts_ascii_and_every_sequence_length(void **state)
{
	(void)state;
	assert_true(utf8_valid(""));
	assert_true(utf8_valid("plain ' ; -- % _ \\"));
	assert_true(utf8_valid("na\xc3\xafve"));                /* 2 bytes */
	assert_true(utf8_valid("\xe2\x98\x95"));                /* 3 bytes */
	assert_true(utf8_valid("\xf0\x9f\x98\x80"));            /* 4 bytes */
	assert_true(utf8_valid("\xf4\x8f\xbf\xbf"));            /* U+10FFFF */
}

static void test_utf8__refuses_overlongs_surrogates_and_cut_sequences(
	void **state)
{
	(void)state;
	assert_false(utf8_valid("\xc0\xaf"));                   /* overlong / */
	assert_false(utf8_valid("\xe0\x80\xaf"));
	assert_false(utf8_valid("\xf0\x80\x80\xaf"));
	assert_false(utf8_valid("\xed\xa0\x80"));               /* U+D800 */
	assert_false(utf8_valid("\xf4\x90\x80\x80"));           /* > U+10FFFF */
	assert_false(utf8_valid("\xff\xfe"));
	assert_false(utf8_valid("\x80"));                       /* lone tail */
	assert_false(utf8_valid("ab\xe2\x98"));                 /* cut */
	assert_false(utf8_valid("\xf0\x9f\x98"));
	assert_false(utf8_valid("\xc3" "a"));
}

static void test_utf8__fix_replaces_only_the_bad_bytes(void **state)
{
	char s[] = "ok\xff\xc3\xafx\xe2\x98";

	(void)state;
	utf8_fix(s);
	assert_string_equal(s, "ok?\xc3\xafx??");
	assert_true(utf8_valid(s));
}

static void test_utf8__counts_characters_not_bytes(void **state)
{
	const char *s = "\xc3\xa9\xf0\x9f\x98\x80" "a";

	(void)state;
	assert_int_equal(utf8_chars(s, strlen(s)), 3);
	assert_int_equal(utf8_chars("", 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8__accepts_ascii_and_every_sequence_length),
		cmocka_unit_test(
			test_utf8__refuses_overlongs_surrogates_and_cut_sequences),
		cmocka_unit_test(test_utf8__fix_replaces_only_the_bad_bytes),
		cmocka_unit_test(test_utf8__counts_characters_not_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
