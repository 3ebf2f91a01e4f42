/*
 * url.c — database URLs: sqlite:PATH, postgres://user:pass@host:port/db?k=v,
 * mysql://... (see corm_conn_open() for every form). Parsing is strict:
 * anything it cannot read unambiguously is CORM_EURL with a message that
 * points at the problem and never repeats the password.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "corm/driver.h"
#include "corm_util.h"

#if defined(__GNUC__)
__attribute__((format(printf, 1, 2)))
#endif
static int url_error(const char *fmt, ...)
{
	char msg[CORM_ERRMSG_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	return corm_error__set_thread(CORM_EURL, NULL,
		"malformed database URL: %s", msg);
}

#define BAD_PORT "the port must be a number from 1 to 65535"

/* Percent-decode s[0..len) into a new string. `part` names it in errors. */
static int decode(char **out, const char *s, size_t len, const char *part)
{
	char *d = corm_malloc(len + 1);
	size_t i, j = 0;

	*out = NULL;
	if (!d)
		return corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
	for (i = 0; i < len; i++) {
		if (s[i] == '%') {
			int hi = i + 2 < len ? corm__hex_value(s[i + 1]) : -1;
			int lo = i + 2 < len ? corm__hex_value(s[i + 2]) : -1;

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
				corm_free(d);
				return url_error("bad percent-escape "
					"in the %s (write %%XX with two hex digits, not %%00)",
					part);
			}
			d[j++] = (char)(hi * 16 + lo);
			i += 2;
		} else {
			d[j++] = s[i];
		}
	}
	d[j] = '\0';
	*out = d;
	return CORM_OK;
}

void corm_url_free(corm_url *url)
{
	size_t i;

	if (!url)
		return;
	for (i = 0; i < url->nparams; i++) {
		corm_free(url->params[i].key);
		corm_free(url->params[i].value);
	}
	corm_free(url->params);
	corm_free(url->scheme);
	corm_free(url->user);
	corm_free(url->password);
	corm_free(url->host);
	corm_free(url->database);
	corm_free(url);
}

static int parse_query(corm_url *url, const char *q)
{
	while (*q) {
		const char *end = strchr(q, '&');
		const char *eq;
		size_t len = end ? (size_t)(end - q) : strlen(q);
		corm_url_param *p;
		int error;

		if (len == 0) {
			q += 1;
			continue;
		}
		eq = memchr(q, '=', len);
		if (eq == q)
			return url_error("a query parameter "
				"has no name");
		p = corm_realloc(url->params, (url->nparams + 1) * sizeof(*p));
		if (!p)
			return corm_error__set_thread(CORM_ENOMEM, NULL,
				"out of memory");
		url->params = p;
		p = &url->params[url->nparams];
		p->key = p->value = NULL;
		url->nparams++;
		error = decode(&p->key, q, eq ? (size_t)(eq - q) : len,
			"query parameter name");
		if (!error)
			error = eq ? decode(&p->value, eq + 1, len - (size_t)(eq + 1 - q),
					     "query parameter value")
				   : decode(&p->value, "", 0, "query");
		if (error)
			return error;
		q += len + (end ? 1 : 0);
	}
	return CORM_OK;
}

static int parse_port(corm_url *url, const char *s, size_t len)
{
	int port = 0;
	size_t i;

	if (len == 0 || len > 5)
		return url_error(BAD_PORT);
	for (i = 0; i < len; i++) {
		if (!isdigit((unsigned char)s[i]))
			return url_error(BAD_PORT);
		port = port * 10 + (s[i] - '0');
	}
	if (port < 1 || port > 65535)
		return url_error(BAD_PORT);
	url->port = port;
	return CORM_OK;
}

/* user:pass@host:port — `len` bytes at `a`. */
static int parse_authority(corm_url *url, const char *a, size_t len)
{
	const char *at = NULL, *host, *end = a + len, *p;
	int error;

	for (p = a; p < end; p++)
		if (*p == '@')
			at = p; /* the last '@': passwords may hold one */
	if (at) {
		const char *colon = memchr(a, ':', (size_t)(at - a));

		error = decode(&url->user, a, (size_t)((colon ? colon : at) - a),
			"user name");
		if (!error && colon)
			error = decode(&url->password, colon + 1,
				(size_t)(at - colon - 1), "password");
		if (error)
			return error;
		host = at + 1;
	} else {
		host = a;
	}
	if (host < end && *host == '[') {
		const char *close = memchr(host, ']', (size_t)(end - host));

		if (!close)
			return url_error("'[' opens an IPv6 "
				"address that is never closed with ']'");
		error = decode(&url->host, host + 1, (size_t)(close - host - 1),
			"host");
		if (error)
			return error;
		p = close + 1;
		if (p < end && *p != ':')
			return url_error("expected ':' and a "
				"port after the IPv6 address");
	} else {
		p = memchr(host, ':', (size_t)(end - host));
		if (!p)
			p = end;
		if (p > host) {
			error = decode(&url->host, host, (size_t)(p - host), "host");
			if (error)
				return error;
		}
	}
	if (p < end) /* at ':' */
		return parse_port(url, p + 1, (size_t)(end - p - 1));
	return CORM_OK;
}

static int parse_server_url(corm_url *url, const char *rest)
{
	const char *auth, *auth_end, *query;
	int error;

	if (strncmp(rest, "//", 2) != 0)
		return url_error("expected '//' after "
			"'%s:', as in postgres://user:pass@host:5432/db", url->scheme);
	auth = rest + 2;
	auth_end = auth + strcspn(auth, "/?");
	error = parse_authority(url, auth, (size_t)(auth_end - auth));
	if (error)
		return error;
	query = strchr(auth_end, '?');
	if (*auth_end == '/') {
		size_t len = query ? (size_t)(query - auth_end - 1)
				   : strlen(auth_end + 1);

		if (len) {
			error = decode(&url->database, auth_end + 1, len,
				"database name");
			if (error)
				return error;
			if (strchr(url->database, '/'))
				return url_error("the database "
					"name '%s' holds a '/'", url->database);
		}
	}
	return query ? parse_query(url, query + 1) : CORM_OK;
}

static int parse_sqlite_url(corm_url *url, const char *rest)
{
	const char *query;
	size_t len;
	int error;

	/* sqlite:///abs/path and sqlite://rel/path are accepted as well. */
	if (strncmp(rest, "//", 2) == 0)
		rest += 2;
	query = strchr(rest, '?');
	len = query ? (size_t)(query - rest) : strlen(rest);
	if (len == 0)
		return url_error("sqlite needs a file "
			"path, as in sqlite:app.db or sqlite::memory:");
	error = decode(&url->database, rest, len, "file path");
	if (error)
		return error;
	return query ? parse_query(url, query + 1) : CORM_OK;
}

int corm_url_parse(corm_url **out, const char *text)
{
	corm_url *url = NULL;
	const corm_dialect *d = NULL;
	const char *colon;
	char name[32];
	size_t i, n, len;
	int error;

	*out = NULL;
	if (!text || !*text)
		return url_error("it is empty (set "
			"DATABASE_URL or pass --db, e.g. sqlite:app.db)");
	colon = strchr(text, ':');
	len = colon ? (size_t)(colon - text) : 0;
	for (i = 0; i < len; i++)
		if (!isalnum((unsigned char)text[i]) && text[i] != '+' &&
			text[i] != '-' && text[i] != '.')
			len = 0;
	if (len == 0)
		return url_error("no scheme; start it with "
			"sqlite:, postgres:// or mysql://");
	url = corm_calloc(1, sizeof(*url));
	if (!url)
		return corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
	/* A scheme names its engine's dialect ("postgresql" and "mariadb"
	 * too): the URL keeps the dialect's name, the canonical one. */
	n = len < sizeof(name) ? len : sizeof(name) - 1;
	memcpy(name, text, n);
	name[n] = '\0';
	d = n == len ? corm_dialect_find(name) : NULL;
	if (!d) {
		corm_url_free(url);
		return corm_error__set_thread(CORM_ESCHEME, NULL,
			"unknown database URL scheme '%s' (expected sqlite:, "
			"postgres://, postgresql://, mysql:// or mariadb://)", name);
	}
	url->scheme = corm_strdup(d->name);
	if (!url->scheme) {
		corm_url_free(url);
		return corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
	}
	if (d->file_database)
		error = parse_sqlite_url(url, colon + 1);
	else
		error = parse_server_url(url, colon + 1);
	if (error) {
		corm_url_free(url);
		return error;
	}
	*out = url;
	return CORM_OK;
}

const char *corm_url_param_get(const corm_url *url, const char *key)
{
	size_t i;

	for (i = url->nparams; i-- > 0;) /* the last one wins */
		if (strcmp(url->params[i].key, key) == 0)
			return url->params[i].value;
	return NULL;
}

int corm_url_param_int(int *out, const corm_url *url, const char *key,
	int min, int max)
{
	const char *v = corm_url_param_get(url, key);
	char *end;
	long n;

	if (!v)
		return CORM_OK;
	errno = 0;
	n = strtol(v, &end, 10);
	if (!*v || *end || errno || n < min || n > max)
		return url_error("%s=%s is not a whole number from %d "
			"to %d", key, v, min, max);
	*out = (int)n;
	return CORM_OK;
}

int corm_url_check_params(const corm_url *url, const char *const *known)
{
	static const char *const core[] = {"connect_timeout", "statement_cache",
		NULL};
	size_t i;

	for (i = 0; i < url->nparams; i++) {
		const char *key = url->params[i].key;
		const char *const *k;
		bool found = false;

		for (k = core; *k && !found; k++)
			found = strcmp(*k, key) == 0;
		for (k = known; k && *k && !found; k++)
			found = strcmp(*k, key) == 0;
		if (!found)
			return url_error("unknown parameter '%s' for %s",
				key, url->scheme);
	}
	return CORM_OK;
}
