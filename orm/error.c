/*
 * error.c — error codes, their descriptions, and where the last error is
 * kept: on the connection, or per thread for failures before one exists.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "corm/driver.h"

static _Thread_local struct {
	int code;
	char native[16];
	char msg[CORM_ERRMSG_MAX];
} thread_error;

const char *corm_strerror(int code)
{
	switch (code) {
	case CORM_OK: return "ok";
	case CORM_ROW: return "a row is ready";
	case CORM_DONE: return "no more rows";
	case CORM_ERROR: return "database error";
	case CORM_ENOMEM: return "out of memory";
	case CORM_EINVAL: return "invalid argument or call out of order";
	case CORM_EURL: return "malformed database URL";
	case CORM_ESCHEME: return "unknown URL scheme or driver not built";
	case CORM_EAUTH: return "authentication failed";
	case CORM_ECONNECT: return "could not connect to the server";
	case CORM_ECONNLOST: return "connection lost";
	case CORM_EUNIQUE: return "unique constraint violated";
	case CORM_EFOREIGNKEY: return "foreign key constraint violated";
	case CORM_ENOTNULL: return "NOT NULL constraint violated";
	case CORM_ECHECK: return "CHECK constraint violated";
	case CORM_ESERIALIZATION: return "serialization failure (retry)";
	case CORM_EDEADLOCK: return "deadlock detected (retry)";
	case CORM_EBUSY: return "database busy or lock timeout (retry)";
	case CORM_ENOTFOUND: return "not found";
	case CORM_EUNSUPPORTED: return "not supported by this driver";
	case CORM_ETYPE: return "value cannot be read as that type";
	case CORM_ERANGE: return "value out of range";
	case CORM_ETOOLONG: return "value too long";
	case CORM_ESQL: return "SQL rejected by the engine";
	case CORM_ESTALE: return "the row changed since it was read";
	}
	return "unknown error code";
}

bool corm_is_retryable(int code)
{
	return code == CORM_ESERIALIZATION || code == CORM_EDEADLOCK ||
		code == CORM_EBUSY || code == CORM_ESTALE;
}

static void set_native(char *dst, size_t cap, const char *native)
{
	snprintf(dst, cap, "%s", native ? native : "");
}

/* The message, then the engine's own code in brackets where it has one. */
static void format_message(char *msg, size_t cap, const char *native,
	const char *fmt, va_list ap)
{
	size_t len;

	if (!fmt) /* never passed, but GCC's -O2 sanitizer build can't tell */
		fmt = "";
	vsnprintf(msg, cap, fmt, ap);
	len = strlen(msg);
	while (len && (msg[len - 1] == '\n' || msg[len - 1] == ' '))
		msg[--len] = '\0';
	if (native && *native && len < cap)
		snprintf(msg + len, cap - len, " [%s]", native);
}

int corm_conn__set_error(corm_conn *c, int code, const char *native,
	const char *fmt, ...)
{
	va_list ap;

	if (!c)
		return code;
	c->err_code = code;
	if (code == CORM_ECONNLOST)
		c->lost = true; /* later successes must not hide it */
	set_native(c->err_native, sizeof(c->err_native), native);
	va_start(ap, fmt);
	format_message(c->err_msg, sizeof(c->err_msg), native, fmt, ap);
	va_end(ap);
	return code;
}

int corm_error__set_thread(int code, const char *native, const char *fmt, ...)
{
	va_list ap;

	thread_error.code = code;
	set_native(thread_error.native, sizeof(thread_error.native), native);
	va_start(ap, fmt);
	format_message(thread_error.msg, sizeof(thread_error.msg), native, fmt,
		ap);
	va_end(ap);
	return code;
}

void corm_error__clear_thread(void)
{
	thread_error.code = CORM_OK;
	thread_error.native[0] = '\0';
	thread_error.msg[0] = '\0';
}

void corm_conn__clear_error(corm_conn *c)
{
	c->err_code = CORM_OK;
	c->err_native[0] = '\0';
	c->err_msg[0] = '\0';
}

const char *corm_errmsg(const corm_conn *c)
{
	if (!c)
		return thread_error.msg;
	return c->err_msg;
}

int corm_errcode(const corm_conn *c)
{
	return c ? c->err_code : thread_error.code;
}

const char *corm_errcode_native(const corm_conn *c)
{
	return c ? c->err_native : thread_error.native;
}
