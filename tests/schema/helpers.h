/*
 * helpers.h — small helpers shared by the codegen tests: reading files
 * from the source tree, parsing a string, dumping and formatting, and
 * golden-file comparison (CORM_REGEN_GOLDEN=1 rewrites the golden files
 * instead of comparing).
 */
#ifndef CORM_TEST_CODEGEN_HELPERS_H
#define CORM_TEST_CODEGEN_HELPERS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "corm/buf.h"
#include "corm/corm.h"
#include "corm/driver.h"
#include "schema.h"

#ifndef CORM_TEST_SOURCE_ROOT
#define CORM_TEST_SOURCE_ROOT "."
#endif
#define CG_TEST_DIR CORM_TEST_SOURCE_ROOT "/tests/schema"

/* Read a whole file (malloc'd, NUL-terminated) or NULL. */
static inline char *th_read(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (len)
		*len = 0;
	if (!f)
		return NULL;
	for (;;) {
		size_t got;

		if (n + 4096 + 1 > cap) {
			char *nb;

			cap = cap ? cap * 2 : 8192;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n - 1, f);
		n += got;
		if (got == 0)
			break;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static inline int th_write(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		return -1;
	if (fwrite(data, 1, len, f) != len) {
		fclose(f);
		return -1;
	}
	return fclose(f);
}

static inline int th_regen(void)
{
	const char *v = getenv("CORM_REGEN_GOLDEN");

	return v && *v && strcmp(v, "0") != 0;
}

/* Parse `src` and fail the test (printing diagnostics) when invalid. */
static inline corm_schema *th_parse_ok(const char *src)
{
	corm_schema *s = NULL;
	corm_diags d = CORM_DIAGS_INIT;
	int rc = corm_schema_parse(&s, &d, src, strlen(src));

	if (rc != CORM_OK) {
		corm_buf b = CORM_BUF_INIT;

		corm_diags_render(&b, &d, "test.corm", src, strlen(src));
		print_error("unexpected diagnostics:\n%s", corm_buf_cstr(&b));
		corm_buf_free(&b);
	}
	corm_diags_free(&d);
	assert_int_equal(rc, CORM_OK);
	assert_non_null(s);
	return s;
}

/* The rendered diagnostics of `src` (malloc'd); *rc gets the result. */
static inline char *th_diags(const char *name, const char *src, size_t len,
	int *rc)
{
	corm_schema *s = NULL;
	corm_diags d = CORM_DIAGS_INIT;
	corm_buf b = CORM_BUF_INIT;
	char *out;

	*rc = corm_schema_parse(&s, &d, src, len);
	corm_diags_render(&b, &d, name, src, len);
	out = strdup(corm_buf_cstr(&b));
	corm_buf_free(&b);
	corm_diags_free(&d);
	corm_schema_free(s);
	return out;
}

/* The dump of `s` (malloc'd). */
static inline char *th_dump(const corm_schema *s)
{
	corm_buf b = CORM_BUF_INIT;
	char *out;

	assert_int_equal(corm_schema_dump(&b, s), CORM_OK);
	out = strdup(corm_buf_cstr(&b));
	corm_buf_free(&b);
	return out;
}

/* The dump of parsing `src`, or NULL when it does not parse. */
static inline char *th_dump_src(const char *src, size_t len)
{
	corm_schema *s = NULL;
	char *out;

	if (corm_schema_parse(&s, NULL, src, len) != CORM_OK)
		return NULL;
	out = th_dump(s);
	corm_schema_free(s);
	return out;
}

/* Compare `got` with the golden file at `path`, or rewrite it. */
static inline void th_golden(const char *path, const char *got)
{
	char *want;

	if (th_regen()) {
		assert_int_equal(th_write(path, got, strlen(got)), 0);
		return;
	}
	want = th_read(path, NULL);
	if (!want)
		fail_msg("missing golden file %s (run with CORM_REGEN_GOLDEN=1)",
			path);
	if (strcmp(want, got) != 0) {
		print_error("%s differs.\n--- expected\n%s--- got\n%s", path, want,
			got);
		free(want);
		fail_msg("golden mismatch: %s (run with CORM_REGEN_GOLDEN=1 and "
			"review the diff)", path);
	}
	free(want);
}

#endif /* CORM_TEST_CODEGEN_HELPERS_H */
