/*
 * fuzz_url.c — libFuzzer target for the database URL parser
 * (corm_url_parse() in corm/driver.h).
 *
 * The input, cut at its first NUL, is parsed as a URL. Invariants (abort
 * on violation, so the fuzzer reports it):
 *   - the answer is CORM_OK, CORM_EURL, CORM_ESCHEME or CORM_ENOMEM, and
 *     *out is set exactly when it is CORM_OK;
 *   - a parsed URL has a canonical scheme, a port in 0..65535, and every
 *     parameter can be looked up by its key;
 *   - the helpers that read parameters answer with a code, never crash.
 *
 * Built with clang only (tests/fuzz/meson.build); the same file,
 * linked with standalone_main.c, replays tests/fuzz/corpus/url in every
 * build. scripts/fuzz runs it.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"

#define CHECK(cond)                                                           \
	do {                                                                       \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz_url: check failed: %s (line %d)\n",         \
				#cond, __LINE__);                                              \
			abort();                                                           \
		}                                                                      \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const known[] = {"sslmode", "busy_timeout", "socket",
		NULL};
	corm_url *url = (corm_url *)&url; /* anything but NULL: must be reset */
	char *text;
	size_t i;
	int rc, v;

	text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';

	rc = corm_url_parse(&url, text);
	CHECK(rc == CORM_OK || rc == CORM_EURL || rc == CORM_ESCHEME ||
		rc == CORM_ENOMEM);
	CHECK((rc == CORM_OK) == (url != NULL));
	/* A failure explains itself. */
	if (rc != CORM_OK)
		CHECK(corm_errmsg(NULL)[0] != '\0');
	if (rc == CORM_OK) {
		CHECK(url->scheme);
		CHECK(strcmp(url->scheme, "sqlite") == 0 ||
			strcmp(url->scheme, "postgres") == 0 ||
			strcmp(url->scheme, "mysql") == 0);
		CHECK(url->port >= 0 && url->port <= 65535);
		CHECK(url->nparams == 0 || url->params);
		for (i = 0; i < url->nparams; i++) {
			const char *got;

			CHECK(url->params[i].key && url->params[i].value);
			got = corm_url_param_get(url, url->params[i].key);
			CHECK(got != NULL);
			v = 7;
			rc = corm_url_param_int(&v, url, url->params[i].key, -5, 5000);
			CHECK(rc == CORM_OK || rc == CORM_EURL);
			if (rc == CORM_OK)
				CHECK(v >= -5 && v <= 5000);
		}
		rc = corm_url_check_params(url, known);
		CHECK(rc == CORM_OK || rc == CORM_EURL);
	}
	corm_url_free(url);
	free(text);
	return 0;
}
