/*
 * fuzz_split.c — libFuzzer target for the migration-file reader: the SQL
 * statement splitter corm_mig_split() (migrate/split.c, migrate.h).
 *
 * The first byte picks MySQL's backslash escapes (odd) or not; the rest is
 * a migration file. Invariants (abort on violation):
 *   - splitting succeeds (or runs out of memory) and returns n strings;
 *   - every statement is non-empty, trimmed, and no longer than the input;
 *   - there are no more statements than ';' in the input plus one;
 *   - a statement split again on its own is that one statement (what the
 *     splitter returns is stable, so the runner and `migrate sql` agree).
 * The last two hold only without a DELIMITER line: under another
 * delimiter a statement may hold ';' (and have none after it).
 *
 * Built with clang only (tests/fuzz/meson.build); replays
 * tests/fuzz/corpus/split in every build.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "migrate.h"

#define CHECK(cond)                                                           \
	do {                                                                       \
		if (!(cond)) {                                                         \
			fprintf(stderr, "fuzz_split: check failed: %s (line %d)\n",       \
				#cond, __LINE__);                                              \
			abort();                                                           \
		}                                                                      \
	} while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Does the input hold the word DELIMITER (any case), which may change
 * the statement delimiter? */
static bool has_delimiter_word(const char *s, size_t len)
{
	static const char w[] = "delimiter";
	size_t i, k;

	for (i = 0; i + sizeof(w) - 1 <= len; i++) {
		for (k = 0; w[k] && tolower((unsigned char)s[i + k]) == w[k]; k++)
			;
		if (!w[k])
			return true;
	}
	return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char **stmts = NULL, **again = NULL;
	size_t n = 0, n2 = 0, i, semis = 0, len;
	const char *sql;
	bool bs;
	int rc;

	if (size == 0)
		return 0;
	bs = data[0] & 1;
	sql = (const char *)data + 1;
	len = size - 1;
	for (i = 0; i < len; i++)
		semis += sql[i] == ';';

	rc = corm_mig_split(&stmts, &n, sql, len, bs);
	CHECK(rc == CORM_OK || rc == CORM_ENOMEM);
	if (rc != CORM_OK) {
		CHECK(stmts == NULL && n == 0);
		return 0;
	}
	if (has_delimiter_word(sql, len))
		goto done;
	CHECK(n <= semis + 1);
	CHECK(n == 0 || stmts != NULL);
	/* Files are text: with a NUL inside, only "no crash" is asked. */
	if (memchr(sql, '\0', len))
		goto done;
	for (i = 0; i < n; i++) {
		size_t sl = strlen(stmts[i]);

		CHECK(sl > 0 && sl <= len);
		CHECK(!isspace((unsigned char)stmts[i][0]));
		CHECK(!isspace((unsigned char)stmts[i][sl - 1]));
		{
			rc = corm_mig_split(&again, &n2, stmts[i], sl, bs);
			CHECK(rc == CORM_OK || rc == CORM_ENOMEM);
			if (rc == CORM_OK) {
				if (n2 != 1 || strcmp(again[0], stmts[i]) != 0) {
					fprintf(stderr, "statement %zu: <%s> re-splits into %zu\n",
						i, stmts[i], n2);
					CHECK(!"a statement re-splits into itself");
				}
			}
			corm_mig_statements_free(again, n2);
			again = NULL;
			n2 = 0;
		}
	}
done:
	corm_mig_statements_free(stmts, n);
	return 0;
}
