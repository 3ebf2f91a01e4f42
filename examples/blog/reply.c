/*
 * reply.c — JSON and error replies (see reply.h).
 */
#include <stdarg.h>
#include <stdio.h>

#include "reply.h"
#include "utf8.h"

void reply_json(blog_reply *out, unsigned status, json_t *body)
{
	json_decref(out->body);
	out->body = body;
	out->status = body ? status : 500;
}

void reply_error(blog_reply *out, unsigned status, const char *code,
	const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	utf8_fix(msg);  /* user text, possibly cut in a character */
	reply_json(out, status, json_pack("{s:{s:i,s:s,s:s}}", "error",
		"status", (int)status, "code", code, "message", msg));
}

void reply_db_error(blog_reply *out, int rc, corm_conn *db,
	const char *what)
{
	switch (rc) {
	case CORM_ENOTFOUND:
		reply_error(out, 404, "not_found", "no such %s", what);
		return;
	case CORM_EUNIQUE:
		reply_error(out, 409, "conflict", "%s: a row with the same "
			"unique value exists", what);
		return;
	case CORM_EFOREIGNKEY:
		reply_error(out, 409, "conflict", "%s: a referenced row does "
			"not exist, or other rows refer to this one", what);
		return;
	case CORM_ETOOLONG:
	case CORM_ERANGE:
		reply_error(out, 400, "validation", "%s: a value is too long "
			"or out of range", what);
		return;
	case CORM_EBUSY:
	case CORM_EDEADLOCK:
	case CORM_ESERIALIZATION:
		reply_error(out, 503, "unavailable", "%s: the database is busy, "
			"try again", what);
		return;
	default:
		fprintf(stderr, "blog: %s: %s: %s\n", what, corm_strerror(rc),
			corm_errmsg(db));
		reply_error(out, 500, "internal", "%s failed", what);
	}
}
