/*
 * postgres/conn.c — the PostgreSQL driver: errors, opening and closing:
 * libpq errors as corm codes, connecting with the session pinned (UTF-8,
 * UTC, ISO dates), closing.
 */
#include "internal.h"

/* ------------------------------------------------------------------ errors */

/* The length of `msg` without trailing newlines and spaces. */
int corm_pg__trimmed_len(const char *msg)
{
	size_t len = strlen(msg);

	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' ' ||
		       msg[len - 1] == '\r'))
		len--;
	return len > CORM_ERRMSG_MAX ? CORM_ERRMSG_MAX : (int)len;
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The portable code for an SQLSTATE. */
static int sqlstate_code(const char *state)
{
	static const struct {
		const char *state;
		int code;
	} exact[] = {
		{"23505", CORM_EUNIQUE},
		{"23503", CORM_EFOREIGNKEY},
		{"23502", CORM_ENOTNULL},
		{"23514", CORM_ECHECK},
		{"40001", CORM_ESERIALIZATION},
		{"40P01", CORM_EDEADLOCK},
		{"55P03", CORM_EBUSY}, /* lock_not_available: lock_timeout, NOWAIT */
		{"22003", CORM_ERANGE},
		{"22001", CORM_ETOOLONG},
		{"57P01", CORM_ECONNLOST}, /* admin_shutdown, pg_terminate_backend */
		{"57P02", CORM_ECONNLOST}, /* crash_shutdown */
		{"57P03", CORM_ECONNLOST}, /* cannot_connect_now */
	};
	size_t i;

	for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
		if (strcmp(state, exact[i].state) == 0)
			return exact[i].code;
	if (starts_with(state, "42") || starts_with(state, "0A"))
		return CORM_ESQL;
	if (starts_with(state, "08"))
		return CORM_ECONNLOST;
	return CORM_ERROR;
}

/*
 * Record the failure described by `res` (may be NULL: then libpq's own
 * message) on `c` and return its code. Without an SQLSTATE the error came
 * from libpq, and a broken connection is the usual reason.
 */
int corm_pg__error(corm_conn *c, const PGresult *res)
{
	PGconn *pg = PG_CONN(c)->pg;
	const char *state = NULL, *primary = NULL, *detail = NULL;
	const char *msg;
	int code;

	if (res) {
		state = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		primary = PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY);
		detail = PQresultErrorField(res, PG_DIAG_MESSAGE_DETAIL);
	}
	if (state && *state)
		code = sqlstate_code(state);
	else if (PQstatus(pg) == CONNECTION_BAD)
		code = CORM_ECONNLOST;
	else
		code = CORM_ERROR;

	if (primary && detail)
		return corm_conn__set_error(c, code, state, "%s: %s", primary,
			detail);
	if (primary)
		return corm_conn__set_error(c, code, state, "%s", primary);
	msg = res ? PQresultErrorMessage(res) : "";
	if (!*msg)
		msg = PQerrorMessage(pg);
	if (!*msg)
		msg = "PostgreSQL reported an error without a message";
	return corm_conn__set_error(c, code, state, "%.*s", corm_pg__trimmed_len(msg),
		msg);
}

bool corm_pg__result_failed(const PGresult *res)
{
	ExecStatusType st = PQresultStatus(res);

	return st == PGRES_BAD_RESPONSE || st == PGRES_NONFATAL_ERROR ||
		st == PGRES_FATAL_ERROR;
}

/* ------------------------------------------------------ opening and closing */

/* libpq prints NOTICEs to stderr by default; a library must not. */
static void ignore_notice(void *arg, const char *message)
{
	(void)arg;
	(void)message;
}

/*
 * Which failure a connection attempt was. libpq does not hand out the
 * server's SQLSTATE for startup errors, so this reads the message; the
 * server words these in English unless lc_messages says otherwise, and
 * everything unrecognised counts as "could not connect".
 */
static int open_failure_code(PGconn *pg, const char *msg)
{
	if (PQconnectionNeedsPassword(pg))
		return CORM_EAUTH;
	if (strstr(msg, "authentication failed") ||  /* 28P01, peer, ident */
		strstr(msg, "no password supplied") ||
		strstr(msg, "pg_hba.conf") ||            /* 28000 */
		strstr(msg, "CONNECT privilege") ||      /* 42501 */
		(strstr(msg, "role \"") && strstr(msg, "does not exist")))
		return CORM_EAUTH;
	return CORM_ECONNECT;
}

/* Is `key` a connection keyword this libpq knows? */
static bool known_keyword(const PQconninfoOption *opts, const char *key)
{
	for (; opts->keyword; opts++)
		if (strcmp(opts->keyword, key) == 0)
			return true;
	return false;
}

/* Dates and timestamps are read in DateStyle ISO's form. PGDATESTYLE
 * reaches the server after our startup options and wins over them: set
 * it back (a plain SET, which survives in the session; poolers in
 * transaction mode carry DateStyle over as they do client_encoding). */
static int require_iso_datestyle(PGconn *pg)
{
	const char *style = PQparameterStatus(pg, "DateStyle");
	PGresult *res;

	if (style && strncmp(style, "ISO", 3) == 0)
		return CORM_OK;
	res = PQexec(pg, "SET DateStyle = 'ISO, YMD'");
	PQclear(res);
	style = PQparameterStatus(pg, "DateStyle");
	if (style && strncmp(style, "ISO", 3) == 0)
		return CORM_OK;
	return corm_error__set_thread(CORM_ECONNECT, NULL,
		"the session's DateStyle is '%s' and could not be set to ISO "
		"(corm reads dates in ISO form; check PGDATESTYLE)",
		style ? style : "(unknown)");
}

static bool core_param(const char *key)
{
	return strcmp(key, "connect_timeout") == 0 ||
		strcmp(key, "statement_cache") == 0;
}

int corm_pg__open(corm_conn **out, const corm_url *url, int timeout_seconds)
{
	PQconninfoOption *defaults = NULL;
	const char **keys = NULL, **vals = NULL;
	corm_buf options = CORM_BUF_INIT;
	char port[16], timeout[16];
	PGconn *pg = NULL;
	struct pg_conn *conn = NULL;
	size_t i, n = 0, cap;
	int error;

	assert(out && url);
	*out = NULL;

	/* Unknown keywords make libpq fail with a bare "invalid connection
	 * option"; check them first so the error is a URL error. */
	for (i = 0; i < url->nparams; i++) {
		const char *key = url->params[i].key;

		if (core_param(key))
			continue;
		if (!defaults && !(defaults = PQconndefaults())) {
			error = corm_error__set_thread(CORM_ENOMEM, NULL,
				"out of memory");
			goto done;
		}
		if (!known_keyword(defaults, key)) {
			error = corm_error__set_thread(CORM_EURL, NULL,
				"unknown URL parameter '%s' (neither a corm parameter "
				"nor a libpq connection keyword)", key);
			goto done;
		}
	}

	corm_buf_puts(&options, PG_SESSION_OPTIONS);
	for (i = 0; i < url->nparams; i++) {
		if (strcmp(url->params[i].key, "options") == 0) {
			corm_buf_putc(&options, ' ');
			corm_buf_puts(&options, url->params[i].value);
		}
	}
	if (corm_buf_error(&options)) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}

	/* Our defaults, the URL's parts, its parameters (libpq keeps the last
	 * value of a keyword, so `?host=/run/postgresql` works), then what
	 * corm must control. */
	cap = 9 + url->nparams + 3 + 1;
	keys = corm_calloc(cap, sizeof(*keys));
	vals = corm_calloc(cap, sizeof(*vals));
	if (!keys || !vals) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}
#define ADD(k, v)                                                              \
	do {                                                                      \
		assert(n + 1 < cap);                                                  \
		keys[n] = (k);                                                        \
		vals[n] = (v);                                                        \
		n++;                                                                  \
	} while (0)
	ADD("fallback_application_name", "corm");
	/* A server host that vanishes (no RST) would leave a query waiting
	 * for hours under the kernel's keepalive defaults; notice it in about
	 * a minute instead. TCP only; a URL parameter overrides each. */
	ADD("keepalives_idle", "30");
	ADD("keepalives_interval", "10");
	ADD("keepalives_count", "3");
	if (url->host)
		ADD("host", url->host);
	if (url->port) {
		snprintf(port, sizeof(port), "%d", url->port);
		ADD("port", port);
	}
	if (url->user)
		ADD("user", url->user);
	if (url->password)
		ADD("password", url->password);
	if (url->database)
		ADD("dbname", url->database);
	for (i = 0; i < url->nparams; i++) {
		const char *key = url->params[i].key;

		if (!core_param(key) && strcmp(key, "options") != 0)
			ADD(key, url->params[i].value);
	}
	/* libpq waits at least 2 s (it rounds 1 up); 0 waits forever. */
	snprintf(timeout, sizeof(timeout), "%d",
		timeout_seconds == 1 ? 2 : timeout_seconds);
	ADD("connect_timeout", timeout);
	/* corm's text is UTF-8 by contract. */
	ADD("client_encoding", "UTF8");
	ADD("options", corm_buf_cstr(&options));
#undef ADD
	keys[n] = NULL;
	vals[n] = NULL;

	/* expand_dbname 0: a database name is never parsed as a conninfo. */
	pg = PQconnectdbParams(keys, vals, 0);
	if (!pg) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}
	if (PQstatus(pg) != CONNECTION_OK) {
		const char *msg = PQerrorMessage(pg);

		error = corm_error__set_thread(open_failure_code(pg, msg), NULL,
			"%.*s", corm_pg__trimmed_len(msg), msg);
		goto done;
	}
	PQsetNoticeProcessor(pg, ignore_notice, NULL);
	if ((error = require_iso_datestyle(pg)) != CORM_OK)
		goto done;

	if (!(conn = corm_calloc(1, sizeof(*conn)))) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}
	conn->c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (conn->c_locale == (locale_t)0) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL, "out of memory");
		goto done;
	}
	conn->pg = pg;
	pg = NULL;
	*out = &conn->parent;
	conn = NULL;
	error = CORM_OK;
done:
	if (conn)
		corm_free(conn);
	PQfinish(pg); /* NULL-safe */
	PQconninfoFree(defaults);
	corm_free(keys);
	corm_free(vals);
	corm_buf_free(&options);
	return error;
}

void corm_pg__close(corm_conn *c)
{
	struct pg_conn *conn = PG_CONN(c);

	if (!conn)
		return;
	PQfinish(conn->pg);
	freelocale(conn->c_locale);
	corm_buf_free(&conn->dealloc);
	corm_free(conn);
}
