/*
 * common.c — what the resource handlers share: pagination parameters,
 * and GET /health (the server answers and so does its database; scripts
 * poll it to know the server is ready).
 */
#include <corm/dialect.h>

#include "handlers.h"
#include "input.h"
#include "reply.h"

int page_params(blog_reply *out, const blog_request *req, int64_t *limit,
	int64_t *offset)
{
	*limit = PAGE_LIMIT_DEFAULT;
	*offset = 0;
	return input_query_int(out, req, "limit", 1, PAGE_LIMIT_MAX, limit) &&
		input_query_int(out, req, "offset", 0, PAGE_OFFSET_MAX, offset);
}

void health_get(blog_reply *out, const blog_request *req, corm_conn *db)
{
	int error;

	if (!input_query_check(out, req, NULL, 0))
		return;
	if ((error = corm_conn_ping(db)) != CORM_OK) {
		reply_db_error(out, error, db, "database ping");
		return;
	}
	reply_json(out, 200, json_pack("{s:b,s:s}", "ok", 1, "engine",
		corm_conn_dialect(db)->name));
}
