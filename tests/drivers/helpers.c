/*
 * helpers.c — the fixture, SQL building and value checks shared by every
 * file of the conformance suite (see conformance.h).
 *
 * Divided into: failing with a message, URLs and connections, the fixture,
 * SQL building, running SQL, values and checks.
 */
#include "conformance.h"

#include <corm/driver.h> /* corm_stmt.conn, for messages */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <pthread.h>
#include <unistd.h>

conf_env conf;

/*
 * Statements from conf_prepare*() that the test has not freed yet. A
 * failing assertion jumps out of the test, past its corm_stmt_free()
 * calls; the teardown frees what is left, so a failure does not also
 * leak (and keep an SQLite connection from closing). A mutex, because
 * the deadlock test prepares on two threads.
 */
#define MAX_OPEN_STMTS 512
static corm_stmt *open_stmts[MAX_OPEN_STMTS];
static int n_open_stmts;
static pthread_mutex_t open_stmts_mu = PTHREAD_MUTEX_INITIALIZER;

static void track(corm_stmt *s)
{
	pthread_mutex_lock(&open_stmts_mu);
	if (n_open_stmts < MAX_OPEN_STMTS)
		open_stmts[n_open_stmts++] = s;
	pthread_mutex_unlock(&open_stmts_mu);
}

void conf_stmt_free(corm_stmt *s)
{
	int i;

	pthread_mutex_lock(&open_stmts_mu);
	for (i = n_open_stmts - 1; i >= 0; i--) {
		if (open_stmts[i] == s) {
			open_stmts[i] = open_stmts[--n_open_stmts];
			break;
		}
	}
	pthread_mutex_unlock(&open_stmts_mu);
	corm_stmt_free(s);
}

/* Free every statement the test left behind (newest first). */
static void free_open_stmts(void)
{
	pthread_mutex_lock(&open_stmts_mu);
	while (n_open_stmts > 0)
		corm_stmt_free(open_stmts[--n_open_stmts]);
	pthread_mutex_unlock(&open_stmts_mu);
}

/* ------------------------------------------------------------ failing */

void conf_fail(const char *file, int line, const char *fmt, ...)
{
	char msg[2048];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	print_error("[%s] %s\n", conf.name ? conf.name : "?", msg);
	_fail(file, line);
	abort(); /* not reached: _fail() jumps out of the test */
}

double conf_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ------------------------------------------------- URLs and connections */

char *conf_url_with(const char *base, const char *params)
{
	size_t n = strlen(base) + (params ? strlen(params) : 0) + 2;
	char *url = malloc(n);

	assert_non_null(url);
	if (params == NULL || params[0] == '\0')
		snprintf(url, n, "%s", base);
	else
		snprintf(url, n, "%s%c%s", base,
			strchr(base, '?') ? '&' : '?', params);
	return url;
}

corm_conn *conf_open(const char *params)
{
	corm_conn *c = NULL;
	char *url = conf_url_with(conf.url, params);
	int rc = corm_conn_open(&c, url);

	if (rc != CORM_OK) {
		char msg[1200];

		snprintf(msg, sizeof(msg), "%s", corm_errmsg(NULL));
		free(url);
		CONF_FAIL("corm_conn_open(%s%s%s) = %d (%s): %s", conf.name,
			params ? ", " : "", params ? params : "", rc,
			corm_strerror(rc), msg);
	}
	free(url);
	assert_non_null(c);
	return c;
}

/* ------------------------------------------------------------ the fixture */

int conf_setup(void **state)
{
	conf_fixture *fx = calloc(1, sizeof(*fx));

	if (fx == NULL)
		return -1;
	*state = fx;
	fx->c = conf_open(NULL);
	return 0;
}

int conf_teardown(void **state)
{
	conf_fixture *fx = *state;
	corm_conn *c = NULL;
	int error = 0;
	int i;

	if (fx == NULL)
		return 0;
	free_open_stmts();
	corm_conn_close(fx->c2);
	corm_conn_close(fx->c);
	if (fx->server_stopped && conf.ctl != NULL) {
		char cmd[1024];

		snprintf(cmd, sizeof(cmd), "%s start", conf.ctl);
		if (system(cmd) != 0) {
			print_error("teardown: '%s' failed\n", cmd);
			error = -1;
		}
	}
	if (fx->ntables > 0) {
		char *url = conf_url_with(conf.url, NULL);

		if (corm_conn_open(&c, url) != CORM_OK) {
			print_error("teardown: cannot connect to drop tables: %s\n",
				corm_errmsg(NULL));
			error = -1;
		}
		free(url);
	}
	for (i = fx->ntables - 1; c != NULL && i >= 0; i--) {
		corm_buf b = CORM_BUF_INIT;

		corm_buf_puts(&b, "DROP TABLE IF EXISTS ");
		corm_dialect_quote(&b, corm_conn_dialect(c), fx->tables[i]);
		if (corm_buf_error(&b) != 0 ||
		    corm_exec(c, corm_buf_cstr(&b)) != CORM_OK) {
			print_error("teardown: cannot drop %s: %s\n",
				fx->tables[i], corm_errmsg(c));
			error = -1;
		}
		corm_buf_free(&b);
	}
	corm_conn_close(c);
	free(fx);
	*state = NULL;
	return error;
}

const char *conf_table(conf_fixture *fx, const char *stem)
{
	char *name;
	int n;

	assert_true(fx->ntables < CONF_MAX_TABLES);
	name = fx->tables[fx->ntables];
	n = snprintf(name, CONF_TABLE_LEN, "conf_%s_%ld", stem, (long)getpid());
	assert_true(n > 0 && n < CONF_TABLE_LEN);
	fx->ntables++;
	conf_exec_ok(fx->c, "DROP TABLE IF EXISTS %I", name);
	return name;
}

/* ----------------------------------------------------------- SQL building */

static char *vsql(corm_conn *c, const char *fmt, va_list ap)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_buf b = CORM_BUF_INIT;
	int nparam = 0;
	const char *p;
	char *out;

	assert_non_null(d);
	for (p = fmt; *p != '\0'; p++) {
		if (*p != '%') {
			corm_buf_putc(&b, *p);
			continue;
		}
		switch (*++p) {
		case 'I':
			corm_dialect_quote(&b, d, va_arg(ap, const char *));
			break;
		case 'P':
			corm_dialect_placeholder(&b, d, ++nparam);
			break;
		case 'T': {
			int t = va_arg(ap, int);
			int a = va_arg(ap, int);
			int bb = va_arg(ap, int);

			corm_dialect_type(&b, d, (corm_coltype)t, a, bb);
			break;
		}
		case 's':
			corm_buf_puts(&b, va_arg(ap, const char *));
			break;
		case '%':
			corm_buf_putc(&b, '%');
			break;
		default:
			CONF_FAIL("conf_sql: bad directive in \"%s\"", fmt);
		}
	}
	if (corm_buf_error(&b) != 0)
		CONF_FAIL("conf_sql: building \"%s\" failed: %d", fmt,
			corm_buf_error(&b));
	out = corm_buf_detach(&b);
	if (out == NULL) { /* nothing was appended */
		out = corm_malloc(1);
		assert_non_null(out);
		out[0] = '\0';
	}
	return out;
}

char *conf_sql(corm_conn *c, const char *fmt, ...)
{
	va_list ap;
	char *sql;

	va_start(ap, fmt);
	sql = vsql(c, fmt, ap);
	va_end(ap);
	return sql;
}

/* ------------------------------------------------------------ running SQL */

int conf_exec(corm_conn *c, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	int rc;

	va_start(ap, fmt);
	sql = vsql(c, fmt, ap);
	va_end(ap);
	rc = corm_exec(c, sql);
	corm_free(sql);
	return rc;
}

void conf_exec_ok(corm_conn *c, const char *fmt, ...)
{
	va_list ap;
	char *sql;
	int rc;

	va_start(ap, fmt);
	sql = vsql(c, fmt, ap);
	va_end(ap);
	rc = corm_exec(c, sql);
	if (rc != CORM_OK) {
		char msg[1200];

		snprintf(msg, sizeof(msg), "%s", corm_errmsg(c));
		CONF_FAIL("corm_exec(\"%.300s\") = %d (%s): %s", sql, rc,
			corm_strerror(rc), msg);
	}
	corm_free(sql);
}

static int vprepare(corm_stmt **out, corm_conn *c, bool cached,
	const char *fmt, va_list ap, char **sql_out)
{
	char *sql = vsql(c, fmt, ap);
	int rc;

	rc = cached ? corm_stmt_cached(out, c, sql) :
		corm_stmt_prepare(out, c, sql);
	if (rc == CORM_OK)
		track(*out);
	if (sql_out)
		*sql_out = sql;
	else
		corm_free(sql);
	return rc;
}

int conf_prepare(corm_stmt **out, corm_conn *c, bool cached,
	const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = vprepare(out, c, cached, fmt, ap, NULL);
	va_end(ap);
	if (rc != CORM_OK)
		assert_null(*out);
	return rc;
}

corm_stmt *conf_prepare_ok(corm_conn *c, bool cached, const char *fmt, ...)
{
	corm_stmt *s = NULL;
	va_list ap;
	char *sql;
	int rc;

	va_start(ap, fmt);
	rc = vprepare(&s, c, cached, fmt, ap, &sql);
	va_end(ap);
	if (rc != CORM_OK) {
		char msg[1200];

		snprintf(msg, sizeof(msg), "%s", corm_errmsg(c));
		CONF_FAIL("%s(\"%.300s\") = %d (%s): %s",
			cached ? "corm_stmt_cached" : "corm_stmt_prepare", sql,
			rc, corm_strerror(rc), msg);
	}
	corm_free(sql);
	assert_non_null(s);
	return s;
}

int64_t conf_count(corm_conn *c, const char *table)
{
	corm_stmt *s = conf_prepare_ok(c, false, "SELECT COUNT(*) FROM %I",
		table);
	int64_t n = -1;

	conf_step_expect(s, CORM_ROW);
	CONF_OK(c, corm_column_int64(&n, s, 0));
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
	return n;
}

static const char *code_name(int code)
{
	switch (code) {
	case CORM_OK: return "CORM_OK";
	case CORM_ROW: return "CORM_ROW";
	case CORM_DONE: return "CORM_DONE";
	case CORM_ERROR: return "CORM_ERROR";
	case CORM_ENOMEM: return "CORM_ENOMEM";
	case CORM_EINVAL: return "CORM_EINVAL";
	case CORM_EURL: return "CORM_EURL";
	case CORM_ESCHEME: return "CORM_ESCHEME";
	case CORM_EAUTH: return "CORM_EAUTH";
	case CORM_ECONNECT: return "CORM_ECONNECT";
	case CORM_ECONNLOST: return "CORM_ECONNLOST";
	case CORM_EUNIQUE: return "CORM_EUNIQUE";
	case CORM_EFOREIGNKEY: return "CORM_EFOREIGNKEY";
	case CORM_ENOTNULL: return "CORM_ENOTNULL";
	case CORM_ECHECK: return "CORM_ECHECK";
	case CORM_ESERIALIZATION: return "CORM_ESERIALIZATION";
	case CORM_EDEADLOCK: return "CORM_EDEADLOCK";
	case CORM_EBUSY: return "CORM_EBUSY";
	case CORM_ENOTFOUND: return "CORM_ENOTFOUND";
	case CORM_EUNSUPPORTED: return "CORM_EUNSUPPORTED";
	case CORM_ETYPE: return "CORM_ETYPE";
	case CORM_ERANGE: return "CORM_ERANGE";
	case CORM_ETOOLONG: return "CORM_ETOOLONG";
	case CORM_ESQL: return "CORM_ESQL";
	case CORM_ESTALE: return "CORM_ESTALE";
	default: return "?";
	}
}

const char *conf_code_name(int code)
{
	return code_name(code);
}

void conf_step_expect(corm_stmt *s, int want)
{
	int rc = corm_step(s);

	if (rc != want) {
		CONF_FAIL("corm_step(\"%.200s\"): expected %s, got %d %s: %s",
			corm_stmt_sql(s), code_name(want), rc, code_name(rc),
			corm_errmsg(s->conn));
	}
}

void conf_record(conf_outcome *o, corm_conn *c, int rc)
{
	const char *native = corm_errcode_native(c);
	const char *msg = corm_errmsg(c);

	o->rc = rc;
	o->errcode = corm_errcode(c);
	snprintf(o->native, sizeof(o->native), "%s", native ? native : "");
	snprintf(o->msg, sizeof(o->msg), "%s", msg ? msg : "");
}

void conf_expect_outcome(const conf_outcome *o, int want, const char *who)
{
	if (o->rc != want)
		CONF_FAIL("%s: expected %s (%d), got %s (%d); errmsg: %s; "
			"native: '%s'", who, code_name(want), want,
			code_name(o->rc), o->rc, o->msg, o->native);
	if (o->errcode != want)
		CONF_FAIL("%s: returned %s but corm_errcode() = %s (%d)", who,
			code_name(want), code_name(o->errcode), o->errcode);
	if (o->msg[0] == '\0')
		CONF_FAIL("%s: corm_errmsg() is empty after %s", who,
			code_name(want));
	if (o->native[0] == '\0')
		CONF_FAIL("%s: corm_errcode_native() is empty after %s "
			"(errmsg: %s)", who, code_name(want), o->msg);
}

int conf_step_once(corm_stmt *s, conf_outcome *o)
{
	int rc = corm_step(s);

	if (o != NULL)
		conf_record(o, s->conn, rc);
	conf_stmt_free(s);
	return rc;
}

void conf_expect_error(corm_conn *c, int rc, int want)
{
	conf_outcome o;

	conf_record(&o, c, rc);
	conf_expect_outcome(&o, want, "error");
}

/* ------------------------------------------------------- values and checks */

void conf_bind(corm_stmt *s, int idx, const conf_value *v)
{
	int rc = CORM_ERROR;

	switch (v->kind) {
	case CONF_NULL: rc = corm_bind_null(s, idx); break;
	case CONF_INT: rc = corm_bind_int64(s, idx, v->i); break;
	case CONF_DOUBLE: rc = corm_bind_double(s, idx, v->d); break;
	case CONF_BOOL: rc = corm_bind_bool(s, idx, v->b); break;
	case CONF_TEXT: rc = corm_bind_text(s, idx, v->p, v->len); break;
	case CONF_BLOB: rc = corm_bind_blob(s, idx, v->p, v->len); break;
	}
	if (rc != CORM_OK)
		CONF_FAIL("binding %s at %d: %d (%s)", v->label, idx, rc,
			corm_strerror(rc));
}

/* The first offset where a and b differ, or n. */
static size_t first_diff(const void *a, const void *b, size_t n)
{
	const unsigned char *x = a, *y = b;
	size_t i;

	for (i = 0; i < n; i++)
		if (x[i] != y[i])
			break;
	return i;
}

void conf_expect_null(corm_stmt *s, int col)
{
	int64_t i = 12345;
	int rc;

	if (!corm_column_is_null(s, col))
		CONF_FAIL("column %d of \"%.200s\": expected NULL, got a value",
			col, corm_stmt_sql(s));
	if (corm_column_type(s, col) != CORM_TYPE_NULL)
		CONF_FAIL("column %d: corm_column_type() of NULL = %d",
			col, (int)corm_column_type(s, col));
	rc = corm_column_int64(&i, s, col);
	if (rc != CORM_ETYPE)
		CONF_FAIL("corm_column_int64() of NULL: expected CORM_ETYPE, "
			"got %d (%s)", rc, code_name(rc));
}

static void expect_type(corm_stmt *s, int col, corm_type want,
	const conf_value *v)
{
	corm_type got = corm_column_type(s, col);

	if (got != want)
		CONF_FAIL("%s: corm_column_type() = %d, expected %d", v->label,
			(int)got, (int)want);
}

void conf_expect_value(corm_stmt *s, int col, const conf_value *v)
{
	int rc;

	if (v->kind == CONF_NULL) {
		conf_expect_null(s, col);
		return;
	}
	if (corm_column_is_null(s, col))
		CONF_FAIL("%s: came back as NULL", v->label);

	switch (v->kind) {
	case CONF_NULL:
		break;
	case CONF_INT: {
		int64_t got = 0;

		rc = corm_column_int64(&got, s, col);
		if (rc != CORM_OK)
			CONF_FAIL("%s: corm_column_int64() = %d (%s)", v->label,
				rc, code_name(rc));
		if (got != v->i)
			CONF_FAIL("%s: expected %lld, got %lld", v->label,
				(long long)v->i, (long long)got);
		expect_type(s, col, CORM_TYPE_INT, v);
		break;
	}
	case CONF_DOUBLE: {
		double got = 0;

		rc = corm_column_double(&got, s, col);
		if (rc != CORM_OK)
			CONF_FAIL("%s: corm_column_double() = %d (%s)", v->label,
				rc, code_name(rc));
		if (memcmp(&got, &v->d, sizeof(got)) != 0)
			CONF_FAIL("%s: expected %.17g, got %.17g (bits differ)",
				v->label, v->d, got);
		expect_type(s, col, CORM_TYPE_DOUBLE, v);
		break;
	}
	case CONF_BOOL: {
		bool got = !v->b;
		int64_t i = -1;

		rc = corm_column_bool(&got, s, col);
		if (rc != CORM_OK)
			CONF_FAIL("%s: corm_column_bool() = %d (%s)", v->label,
				rc, code_name(rc));
		if (got != v->b)
			CONF_FAIL("%s: expected %d, got %d", v->label, v->b, got);
		rc = corm_column_int64(&i, s, col);
		if (rc != CORM_OK || i != (v->b ? 1 : 0))
			CONF_FAIL("%s: corm_column_int64() of a bool = %d, "
				"value %lld; expected 0 and %d", v->label, rc,
				(long long)i, v->b ? 1 : 0);
		break;
	}
	case CONF_TEXT: {
		const char *got = NULL;
		size_t len = (size_t)-1;

		rc = corm_column_text(&got, &len, s, col);
		if (rc != CORM_OK)
			CONF_FAIL("%s: corm_column_text() = %d (%s)", v->label,
				rc, code_name(rc));
		if (got == NULL)
			CONF_FAIL("%s: corm_column_text() gave NULL", v->label);
		if (len != v->len)
			CONF_FAIL("%s: expected %zu bytes, got %zu ('%.60s')",
				v->label, v->len, len, got);
		if (memcmp(got, v->p, len) != 0) {
			size_t at = first_diff(got, v->p, len);

			CONF_FAIL("%s: bytes differ at offset %zu: expected "
				"0x%02x, got 0x%02x ('%.60s')", v->label, at,
				((const unsigned char *)v->p)[at],
				((const unsigned char *)got)[at], got);
		}
		if (got[len] != '\0')
			CONF_FAIL("%s: text is not NUL-terminated", v->label);
		expect_type(s, col, CORM_TYPE_TEXT, v);
		break;
	}
	case CONF_BLOB: {
		const void *got = NULL;
		size_t len = (size_t)-1;

		rc = corm_column_blob(&got, &len, s, col);
		if (rc != CORM_OK)
			CONF_FAIL("%s: corm_column_blob() = %d (%s)", v->label,
				rc, code_name(rc));
		if (len != v->len)
			CONF_FAIL("%s: expected %zu bytes, got %zu", v->label,
				v->len, len);
		if (len > 0 && got == NULL)
			CONF_FAIL("%s: corm_column_blob() gave NULL", v->label);
		if (len > 0 && memcmp(got, v->p, len) != 0) {
			size_t at = first_diff(got, v->p, len);

			CONF_FAIL("%s: bytes differ at offset %zu: expected "
				"0x%02x, got 0x%02x", v->label, at,
				((const unsigned char *)v->p)[at],
				((const unsigned char *)got)[at]);
		}
		expect_type(s, col, CORM_TYPE_BLOB, v);
		break;
	}
	}
}
