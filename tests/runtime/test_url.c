/*
 * test_url.c — database URL parsing: every form DESIGN.md lists, percent
 * escapes, and the malformed ones, each with its own error.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "corm/driver.h"

static corm_url *parse_ok(const char *text)
{
	corm_url *url = NULL;

	assert_int_equal(corm_url_parse(&url, text), CORM_OK);
	assert_non_null(url);
	return url;
}

static void assert_parse_fails(const char *text, int code, const char *msg)
{
	corm_url *url = (corm_url *)1;

	assert_int_equal(corm_url_parse(&url, text), code);
	assert_null(url);
	assert_non_null(strstr(corm_errmsg(NULL), msg));
}

static void test_url__postgres_with_everything(void **state)
{
	corm_url *url = parse_ok(
		"postgres://al%40ice:p%3Ass@db.example:6543/app?sslmode=disable&x=");

	(void)state;
	assert_string_equal(url->scheme, "postgres");
	assert_string_equal(url->user, "al@ice");
	assert_string_equal(url->password, "p:ss");
	assert_string_equal(url->host, "db.example");
	assert_int_equal(url->port, 6543);
	assert_string_equal(url->database, "app");
	assert_int_equal(url->nparams, 2);
	assert_string_equal(corm_url_param_get(url, "sslmode"), "disable");
	assert_string_equal(corm_url_param_get(url, "x"), "");
	assert_null(corm_url_param_get(url, "missing"));
	corm_url_free(url);
}

static void test_url__aliases_become_canonical_schemes(void **state)
{
	corm_url *url;

	(void)state;
	url = parse_ok("postgresql://h/db");
	assert_string_equal(url->scheme, "postgres");
	corm_url_free(url);
	url = parse_ok("mariadb://u@h/db");
	assert_string_equal(url->scheme, "mysql");
	assert_string_equal(url->user, "u");
	assert_null(url->password);
	assert_int_equal(url->port, 0);
	corm_url_free(url);
}

static void test_url__password_may_hold_an_at_sign(void **state)
{
	corm_url *url = parse_ok("mysql://root:a@b@127.0.0.1:3306/x");

	(void)state;
	assert_string_equal(url->user, "root");
	assert_string_equal(url->password, "a@b");
	assert_string_equal(url->host, "127.0.0.1");
	corm_url_free(url);
}

static void test_url__ipv6_host_in_brackets(void **state)
{
	corm_url *url = parse_ok("postgres://u:p@[::1]:5432/db");

	(void)state;
	assert_string_equal(url->host, "::1");
	assert_int_equal(url->port, 5432);
	corm_url_free(url);
}

static void test_url__sqlite_forms(void **state)
{
	corm_url *url;

	(void)state;
	url = parse_ok("sqlite:path/to/file.db");
	assert_string_equal(url->database, "path/to/file.db");
	corm_url_free(url);
	url = parse_ok("sqlite::memory:");
	assert_string_equal(url->database, ":memory:");
	corm_url_free(url);
	url = parse_ok("sqlite:///tmp/abs.db?busy_timeout=10");
	assert_string_equal(url->database, "/tmp/abs.db");
	assert_string_equal(corm_url_param_get(url, "busy_timeout"), "10");
	corm_url_free(url);
	url = parse_ok("sqlite:my%20file.db");
	assert_string_equal(url->database, "my file.db");
	corm_url_free(url);
}

static void test_url__malformed_ones_say_what_is_wrong(void **state)
{
	(void)state;
	assert_parse_fails("", CORM_EURL, "empty");
	assert_parse_fails("no-scheme-here", CORM_EURL, "no scheme");
	assert_parse_fails("postgres:db", CORM_EURL, "expected '//'");
	assert_parse_fails("postgres://h:99999/db", CORM_EURL, "port");
	assert_parse_fails("postgres://h:/db", CORM_EURL, "port");
	assert_parse_fails("postgres://h:12a/db", CORM_EURL, "port");
	assert_parse_fails("postgres://[::1/db", CORM_EURL, "IPv6");
	assert_parse_fails("postgres://u:p%zz@h/db", CORM_EURL,
		"percent-escape in the password");
	assert_parse_fails("postgres://h/db%00x", CORM_EURL, "percent-escape");
	assert_parse_fails("postgres://h/a/b", CORM_EURL, "'/'");
	assert_parse_fails("postgres://h/db?=v", CORM_EURL, "no name");
	assert_parse_fails("sqlite:", CORM_EURL, "file path");
	assert_parse_fails("sqlite:?busy_timeout=1", CORM_EURL, "file path");
}

static void test_url__errors_never_repeat_the_password(void **state)
{
	corm_url *url = NULL;

	(void)state;
	assert_int_equal(corm_url_parse(&url, "postgres://u:s3cret@h:0/db"),
		CORM_EURL);
	assert_null(strstr(corm_errmsg(NULL), "s3cret"));
}

static void test_url__unknown_scheme_is_escheme(void **state)
{
	(void)state;
	assert_parse_fails("oracle://h/db", CORM_ESCHEME, "'oracle'");
	assert_parse_fails("http://h/db", CORM_ESCHEME, "expected sqlite:");
}

static void test_url__integer_params_are_checked(void **state)
{
	corm_url *url = parse_ok("sqlite:x.db?busy_timeout=12&bad=1x");
	int n = 7;

	(void)state;
	assert_int_equal(corm_url_param_int(&n, url, "busy_timeout", 0, 100),
		CORM_OK);
	assert_int_equal(n, 12);
	assert_int_equal(corm_url_param_int(&n, url, "absent", 0, 100),
		CORM_OK);
	assert_int_equal(n, 12);
	assert_int_equal(corm_url_param_int(&n, url, "bad", 0, 100), CORM_EURL);
	assert_int_equal(corm_url_param_int(&n, url, "busy_timeout", 0, 5),
		CORM_EURL);
	corm_url_free(url);
}

static void test_url__unknown_params_are_refused(void **state)
{
	static const char *const known[] = {"busy_timeout", NULL};
	corm_url *url = parse_ok("sqlite:x.db?busy_timeout=1&connect_timeout=2");

	(void)state;
	assert_int_equal(corm_url_check_params(url, known), CORM_OK);
	corm_url_free(url);
	url = parse_ok("sqlite:x.db?busy_timout=1");
	assert_int_equal(corm_url_check_params(url, known), CORM_EURL);
	assert_non_null(strstr(corm_errmsg(NULL), "busy_timout"));
	corm_url_free(url);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url__postgres_with_everything),
		cmocka_unit_test(test_url__aliases_become_canonical_schemes),
		cmocka_unit_test(test_url__password_may_hold_an_at_sign),
		cmocka_unit_test(test_url__ipv6_host_in_brackets),
		cmocka_unit_test(test_url__sqlite_forms),
		cmocka_unit_test(test_url__malformed_ones_say_what_is_wrong),
		cmocka_unit_test(test_url__errors_never_repeat_the_password),
		cmocka_unit_test(test_url__unknown_scheme_is_escheme),
		cmocka_unit_test(test_url__integer_params_are_checked),
		cmocka_unit_test(test_url__unknown_params_are_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
