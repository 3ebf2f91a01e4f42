/*
 * comments.c — POST /posts/:id/comments and DELETE /comments/:id.
 */
#include "blog.h"
#include "handlers.h"
#include "input.h"
#include "output.h"
#include "reply.h"

static const field_spec comment_fields[] = {
	{"name", FIELD_STRING, true, false, 100, 0},
	{"body", FIELD_STRING, true, false, 5000, 0},
};

void comments_create(blog_reply *out, const blog_request *req,
	corm_conn *db)
{
	json_t *in;
	comment c;
	int error;

	if (!input_query_check(out, req, NULL, 0) ||
		!(in = input_object(out, req, comment_fields, 2)))
		return;
	comment_init(&c);
	c.post_id = req->id;
	c.name = input_str(in, "name");
	c.body = input_str(in, "body");
	error = comment_insert(db, &c);
	if (error == CORM_EFOREIGNKEY)     /* the post in the URL is not there */
		reply_error(out, 404, "not_found", "no such post");
	else if (error != CORM_OK)
		reply_db_error(out, error, db, "create comment");
	else
		reply_json(out, 201, comment_json(&c));
	json_decref(in);
}

void comments_delete(blog_reply *out, const blog_request *req,
	corm_conn *db)
{
	int error;

	if (!input_query_check(out, req, NULL, 0))
		return;
	if ((error = comment_delete(db, req->id)) != CORM_OK)
		reply_db_error(out, error, db, "comment");
	else
		out->status = 204;
}
