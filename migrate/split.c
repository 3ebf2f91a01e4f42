/*
 * split.c — a migration file's SQL cut into statements (see migrate.h).
 *
 * The rule is deliberately simple, so a reader can predict it: a ';'
 * ends a statement unless it is inside '...', "...", `...` (a doubled
 * quote stays inside), a PostgreSQL dollar quote $tag$...$tag$, a "--"
 * comment or a block comment. With `backslash_escapes` (MySQL), a
 * backslash inside '...' escapes the next byte, as MySQL reads it; on
 * the other engines a backslash is an ordinary byte. A piece that holds only
 * whitespace and comments is not a statement. There is no support for
 * DELIMITER or for procedural bodies without dollar quotes.
 */
#include <ctype.h>
#include <string.h>

#include "corm_util.h"
#include "corm/driver.h"
#include "migrate.h"

void corm_mig_statements_free(char **stmts, size_t n)
{
	size_t i;

	if (!stmts)
		return;
	for (i = 0; i < n; i++)
		corm_free(stmts[i]);
	corm_free(stmts);
}

/* Does [s, e) hold anything but whitespace and comments? */
static bool has_code(const char *s, const char *e)
{
	while (s < e) {
		if (isspace((unsigned char)*s)) {
			s++;
		} else if (s + 1 < e && s[0] == '-' && s[1] == '-') {
			while (s < e && *s != '\n')
				s++;
		} else if (s + 1 < e && s[0] == '/' && s[1] == '*') {
			s += 2;
			while (s + 1 < e && !(s[0] == '*' && s[1] == '/'))
				s++;
			s += 2;
		} else {
			return true;
		}
	}
	return false;
}

static int push(char ***out, size_t *n, size_t *cap, const char *s,
	const char *e)
{
	char *stmt, **m;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (!has_code(s, e))
		return CORM_OK;
	m = corm__grow(*out, cap, *n + 1, sizeof(char *));
	if (!m)
		return CORM_ENOMEM;
	*out = m;
	stmt = corm_strndup(s, (size_t)(e - s));
	if (!stmt)
		return CORM_ENOMEM;
	(*out)[(*n)++] = stmt;
	return CORM_OK;
}

int corm_mig_split(char ***out, size_t *n, const char *sql, size_t len,
	bool backslash_escapes)
{
	const char *p = sql, *end = sql + len, *start = sql;
	char **list = NULL;
	size_t count = 0, cap = 0;
	int error = CORM_OK;

	*out = NULL;
	*n = 0;
	while (p < end && !error) {
		char c = *p;

		if (c == '\'' || c == '"' || c == '`') {
			p++;
			while (p < end) {
				if (c == '\'' && backslash_escapes && *p == '\\' &&
					p + 1 < end) {
					p += 2;
					continue;
				}
				if (*p == c) {
					if (p + 1 < end && p[1] == c) {
						p += 2;
						continue;
					}
					break;
				}
				p++;
			}
			p++;
		} else if (c == '-' && p + 1 < end && p[1] == '-') {
			while (p < end && *p != '\n')
				p++;
		} else if (c == '/' && p + 1 < end && p[1] == '*') {
			p += 2;
			while (p + 1 < end && !(p[0] == '*' && p[1] == '/'))
				p++;
			p += 2;
		} else if (c == '$') {
			/* $tag$ ... $tag$, tag empty or an identifier. */
			const char *t = p + 1;

			while (t < end && (isalnum((unsigned char)*t) || *t == '_'))
				t++;
			if (t < end && *t == '$' && !(t > p + 1 &&
					isdigit((unsigned char)p[1]))) {
				size_t tl = (size_t)(t - p) + 1;
				const char *s = t + 1;

				while (s + tl <= end && memcmp(s, p, tl) != 0)
					s++;
				p = s + tl <= end ? s + tl : end;
			} else {
				p = t;
			}
		} else if (c == ';') {
			error = push(&list, &count, &cap, start, p);
			p++;
			start = p;
		} else {
			p++;
		}
	}
	if (p > end)
		p = end;
	if (!error)
		error = push(&list, &count, &cap, start, end);
	if (error) {
		corm_mig_statements_free(list, count);
		return error;
	}
	*out = list;
	*n = count;
	return CORM_OK;
}
