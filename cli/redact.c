/*
 * redact.c — what the `corm` tool prints never holds a password.
 *
 * Every message that may repeat something the user typed (a path, an
 * option, a URL, a database's error) goes through cli_eprintf(), which
 * hides the password of anything shaped like a URL's user:password@, and
 * the value of any password= setting. The rule looks at the text, not
 * at what the argument was meant to be: a URL with a typo
 * ("postgres:/u:pw@h/db", "mysql:u:pw@h") taken for a file name is
 * hidden as well as a good one. It may hide a little more than a
 * password in an odd file name ("a:b@c" prints as "a:***@c"); it never
 * hides less.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "cli.h"
#include "corm/buf.h"

#define HIDDEN "***"

static bool is_delim(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r' ||
		ch == '\'' || ch == '"' || ch == '`' || ch == '(' || ch == ')' ||
		ch == '<' || ch == '>' || ch == ',';
}

static bool is_scheme_char(char ch, bool first)
{
	if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z'))
		return true;
	return !first && ((ch >= '0' && ch <= '9') || ch == '+' || ch == '-' ||
		ch == '.');
}

/* Where the user:password part of token [s, at) starts: after
 * "scheme://" or "scheme:", and any slashes after that. */
static const char *userinfo_start(const char *s, const char *at)
{
	const char *p = s, *q;

	for (q = s; q < at && is_scheme_char(*q, q == s); q++)
		;
	if (q > s && q < at && *q == ':')
		p = q + 1;
	while (p < at && *p == '/')
		p++;
	return p;
}

/* Append token [s, e) with its password hidden. */
static void put_token(corm_buf *out, const char *s, const char *e)
{
	const char *at = NULL, *p, *colon;

	for (p = s; p < e; p++)
		if (*p == '@')
			at = p; /* the last '@': a password may hold one */
	if (at) {
		p = userinfo_start(s, at);
		colon = memchr(p, ':', (size_t)(at - p));
		if (colon) {
			corm_buf_put(out, s, (size_t)(colon + 1 - s));
			corm_buf_puts(out, HIDDEN);
			s = at;
		}
	}
	/* password=... in a query string or a key=value connection string */
	while (s < e) {
		const char *k = NULL;

		for (p = s; p + 9 <= e; p++)
			if (strncasecmp(p, "password=", 9) == 0) {
				k = p + 9;
				break;
			}
		if (!k)
			break;
		corm_buf_put(out, s, (size_t)(k - s));
		corm_buf_puts(out, HIDDEN);
		for (s = k; s < e && *s != '&' && *s != ';'; s++)
			;
	}
	corm_buf_put(out, s, (size_t)(e - s));
}

void cli_redact(corm_buf *out, const char *text)
{
	const char *s = text;

	while (*s) {
		const char *e = s;

		if (is_delim(*s)) {
			corm_buf_put(out, s, 1);
			s++;
			continue;
		}
		while (*e && !is_delim(*e))
			e++;
		put_token(out, s, e);
		s = e;
	}
}

static void print_redacted(FILE *to, const char *fmt, va_list ap)
{
	corm_buf msg = CORM_BUF_INIT, safe = CORM_BUF_INIT;

	corm_buf_vprintf(&msg, fmt, ap);
	cli_redact(&safe, corm_buf_cstr(&msg));
	if (corm_buf_error(&msg) || corm_buf_error(&safe))
		fputs(CLI_PROG ": out of memory printing a message\n", stderr);
	else
		fwrite(safe.ptr, 1, safe.len, to);
	corm_buf_free(&safe);
	corm_buf_free(&msg);
}

void cli_veprintf(const char *fmt, va_list ap)
{
	print_redacted(stderr, fmt, ap);
}

void cli_printf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	print_redacted(stdout, fmt, ap);
	va_end(ap);
}

void cli_eprintf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	cli_veprintf(fmt, ap);
	va_end(ap);
}
