/*
 * fuzz_schema.c — libFuzzer target for the schema compiler's front half.
 *
 * Any input: parse, render the diagnostics, format. Invariants (abort on
 * violation, so the fuzzer reports it):
 *   - parse succeeds exactly when format does;
 *   - a valid schema formats idempotently, its IR is unchanged by fmt,
 *     and corm_schema_write() of the IR parses back to the same IR.
 *
 * Built with clang only (tests/fuzz/meson.build); run bounded with
 *     tests/fuzz/run.sh build-fuzz/tests/fuzz/fuzz_schema \
 *         tests/fuzz/corpus/schema 30
 * The same file, linked with standalone_main.c, replays the seed corpus
 * as an ordinary test in every build.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/buf.h"
#include "corm/corm.h"
#include "corm/driver.h"
#include "schema.h"

#define CHECK(cond)                                                           \
	do {                                                                       \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz_schema: check failed: %s (line %d)\n",      \
				#cond, __LINE__);                                              \
			abort();                                                           \
		}                                                                      \
	} while (0)

static char *dump_of(const char *src, size_t len)
{
	corm_schema *s = NULL;
	corm_buf b = CORM_BUF_INIT;
	char *out;

	if (corm_schema_parse(&s, NULL, src, len) != CORM_OK)
		return NULL;
	CHECK(corm_schema_dump(&b, s) == CORM_OK);
	out = corm_buf_detach(&b);
	corm_schema_free(s);
	return out;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *src = (const char *)data;
	corm_schema *s = NULL;
	corm_diags d = CORM_DIAGS_INIT;
	corm_buf b = CORM_BUF_INIT;
	char *once = NULL, *twice = NULL, *d1, *d2;
	size_t n1 = 0, n2 = 0;
	int rc, frc;

	rc = corm_schema_parse(&s, &d, src, size);
	CHECK(rc == CORM_OK || rc == CORM_EINVAL);
	CHECK((rc == CORM_OK) == (d.nerrors == 0));
	CHECK(corm_diags_render(&b, &d, "fuzz.corm", src, size) == CORM_OK);
	corm_diags_free(&d);

	frc = corm_schema_format(&once, &n1, NULL, src, size);
	CHECK(frc == rc);
	if (rc == CORM_OK) {
		CHECK(corm_schema_format(&twice, &n2, NULL, once, n1) == CORM_OK);
		CHECK(n1 == n2 && memcmp(once, twice, n1) == 0);
		d1 = dump_of(src, size);
		d2 = dump_of(once, n1);
		CHECK(d1 && d2 && strcmp(d1, d2) == 0);
		corm_free(d2);
		corm_buf_clear(&b);
		CHECK(corm_schema_write(&b, s) == CORM_OK);
		d2 = dump_of(corm_buf_cstr(&b), b.len);
		CHECK(d2 && strcmp(d1, d2) == 0);
		corm_free(d1);
		corm_free(d2);
	}
	corm_free(once);
	corm_free(twice);
	corm_buf_free(&b);
	corm_schema_free(s);
	return 0;
}
