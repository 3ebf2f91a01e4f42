/*
 * wide_expect.h — the values of model Wide (wide.corm), stated by
 * gen_extreme.py independently of the emitter, in wide_expect.c.
 */
#ifndef CORM_TESTS_WIDE_EXPECT_H
#define CORM_TESTS_WIDE_EXPECT_H

#include "wide.h"

/* `row` as the schema's defaults say wide_init() must set it; the `now`
 * fields are copied from `init` (test_extreme.c checks them). */
void wide_expect_defaults(wide *row, const wide *init);

/* wide_init(), then every field set to another extreme value. */
void wide_expect_values(wide *row);

/* The first `now` field of `row` more than `slack` microseconds from
 * `now`, or NULL. */
const char *wide_expect_now(const wide *row, corm_timestamp now,
	int64_t slack);

#endif
