/*
 * test_types.c — text forms of dates, times, timestamps and UUIDs: what
 * each engine writes must parse, what corm writes must read back equal,
 * and anything that is not exactly one value is refused.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "corm/corm.h"
#include "corm/types.h"

#define PARSE(fn, out, lit) fn(out, lit, sizeof(lit) - 1)

static void test_types__timestamp_forms_of_every_engine_parse(void **state)
{
	corm_timestamp ts;
	char buf[CORM_TEXT_MAX];

	(void)state;
	/* MySQL DATETIME(6) and SQLite text: naive, UTC by convention. */
	assert_int_equal(PARSE(corm_timestamp_parse, &ts,
				 "2024-02-29 13:45:00.250000"), CORM_OK);
	assert_int_equal(ts.usec, INT64_C(1709214300250000));
	/* PostgreSQL TIMESTAMPTZ in a UTC session. */
	assert_int_equal(PARSE(corm_timestamp_parse, &ts,
				 "2024-02-29 13:45:00.25+00"), CORM_OK);
	assert_int_equal(ts.usec, INT64_C(1709214300250000));
	/* JSON / ISO 8601 with an offset: converted to UTC. */
	assert_int_equal(PARSE(corm_timestamp_parse, &ts,
				 "2024-02-29T15:45:00.25+02:00"), CORM_OK);
	assert_int_equal(ts.usec, INT64_C(1709214300250000));
	assert_int_equal(PARSE(corm_timestamp_parse, &ts,
				 "2024-02-29T13:45:00.25Z"), CORM_OK);
	assert_int_equal(ts.usec, INT64_C(1709214300250000));
	assert_int_equal(corm_timestamp_format(buf, ts), 26);
	assert_string_equal(buf, "2024-02-29 13:45:00.250000");
	/* PostgreSQL in a session whose TimeZone is not UTC, and an offset
	 * with seconds (local mean time, for instants of long ago). */
	assert_int_equal(PARSE(corm_timestamp_parse, &ts,
				 "2024-02-29 19:15:00.25+05:30"), CORM_OK);
	assert_int_equal(ts.usec, INT64_C(1709214300250000));
	assert_int_equal(PARSE(corm_timestamp_parse, &ts,
				 "1900-01-01 05:53:28+05:53:28"), CORM_OK);
	corm_timestamp_format(buf, ts);
	assert_string_equal(buf, "1900-01-01 00:00:00");
	assert_int_equal(PARSE(corm_timestamp_parse, &ts,
				 "1900-01-01 05:53:28+05:53:60"), CORM_EINVAL);
}

static void test_types__timestamps_before_1970_and_far_ahead(void **state)
{
	static const char *const cases[] = {"1969-12-31 23:59:59.999999",
		"0001-01-01 00:00:00", "9999-12-31 23:59:59.999999",
		"1970-01-01 00:00:00", "2000-02-29 00:00:00.000001"};
	char buf[CORM_TEXT_MAX];
	corm_timestamp ts;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(corm_timestamp_parse(&ts, cases[i],
					 strlen(cases[i])), CORM_OK);
		corm_timestamp_format(buf, ts);
		assert_string_equal(buf, cases[i]);
	}
	assert_int_equal(PARSE(corm_timestamp_parse, &ts,
				 "1969-12-31 23:59:59.999999"), CORM_OK);
	assert_int_equal(ts.usec, -1);
}

static void test_types__bad_text_is_refused(void **state)
{
	static const char *const bad[] = {"", "2024-02-30 00:00:00",
		"2023-02-29 00:00:00", "2024-13-01 00:00:00", "2024-1-01 00:00:00",
		"2024-01-01", "2024-01-01 24:00:00", "2024-01-01 00:60:00",
		"2024-01-01 00:00:00.", "2024-01-01 00:00:00.1234567",
		"2024-01-01 00:00:00+", "2024-01-01 00:00:00 ",
		"2024-01-01 00:00:00+0", "0000-01-01 00:00:00"};
	corm_timestamp ts;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(corm_timestamp_parse(&ts, bad[i], strlen(bad[i])),
			CORM_EINVAL);
}

static void test_types__dates_and_times_round_trip(void **state)
{
	char buf[CORM_TEXT_MAX];
	corm_date d;
	corm_time t;

	(void)state;
	assert_int_equal(PARSE(corm_date_parse, &d, "2024-02-29"), CORM_OK);
	assert_int_equal(d.year, 2024);
	assert_int_equal(d.month, 2);
	assert_int_equal(d.day, 29);
	corm_date_format(buf, d);
	assert_string_equal(buf, "2024-02-29");
	assert_int_equal(PARSE(corm_date_parse, &d, "2024-02-29x"), CORM_EINVAL);
	assert_int_equal(PARSE(corm_time_parse, &t, "23:59:58.5"), CORM_OK);
	assert_int_equal(t.usec, 500000);
	corm_time_format(buf, t);
	assert_string_equal(buf, "23:59:58.500000");
	assert_int_equal(PARSE(corm_time_parse, &t, "07:05"), CORM_OK);
	corm_time_format(buf, t);
	assert_string_equal(buf, "07:05:00");
}

static void test_types__uuids_round_trip_in_either_case(void **state)
{
	char buf[CORM_TEXT_MAX];
	corm_uuid u;

	(void)state;
	assert_int_equal(PARSE(corm_uuid_parse, &u,
				 "0F8FAD5B-D9CB-469F-A165-70867728950E"), CORM_OK);
	assert_int_equal(u.bytes[0], 0x0f);
	assert_int_equal(u.bytes[15], 0x0e);
	assert_int_equal(corm_uuid_format(buf, u), 36);
	assert_string_equal(buf, "0f8fad5b-d9cb-469f-a165-70867728950e");
	assert_int_equal(PARSE(corm_uuid_parse, &u,
				 "0f8fad5b-d9cb-469f-a165-70867728950"), CORM_EINVAL);
	assert_int_equal(PARSE(corm_uuid_parse, &u,
				 "0f8fad5bxd9cb-469f-a165-70867728950e"), CORM_EINVAL);
	assert_int_equal(PARSE(corm_uuid_parse, &u,
				 "0g8fad5b-d9cb-469f-a165-70867728950e"), CORM_EINVAL);
}

static void test_types__str_helpers(void **state)
{
	corm_str s = CORM_STR("héllo");
	corm_str none = corm_str_of(NULL);

	(void)state;
	assert_int_equal(s.len, 6);
	assert_null(none.ptr);
	assert_int_equal(corm_str_of("abc").len, 3);
	assert_true(corm_timestamp_now().usec > INT64_C(1700000000000000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_types__timestamp_forms_of_every_engine_parse),
		cmocka_unit_test(
			test_types__timestamps_before_1970_and_far_ahead),
		cmocka_unit_test(test_types__bad_text_is_refused),
		cmocka_unit_test(test_types__dates_and_times_round_trip),
		cmocka_unit_test(test_types__uuids_round_trip_in_either_case),
		cmocka_unit_test(test_types__str_helpers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
