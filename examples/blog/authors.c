/*
 * authors.c — /authors: list, create, get (with their posts), delete.
 */
#include <string.h>

#include "blog.h"
#include "handlers.h"
#include "input.h"
#include "output.h"
#include "reply.h"

static const field_spec author_fields[] = {
	{"email", FIELD_STRING, true, false, 255, 0},
	{"name", FIELD_STRING, true, false, 100, 0},
	{"bio", FIELD_STRING, false, true, 2000, 0},
};

void authors_list(blog_reply *out, const blog_request *req, corm_conn *db)
{
	static const char *const params[] = {"limit", "offset"};
	author_query *q = NULL;
	author_list rows = {0};
	json_t *items = NULL;
	int64_t limit, offset, total;
	int error;

	if (!input_query_check(out, req, params, 2) ||
		!page_params(out, req, &limit, &offset))
		return;
	if ((error = author_query_new(&q, db)) != CORM_OK ||
		(error = author_query_count(&total, q)) != CORM_OK)
		goto fail;
	author_order_by(q, AUTHOR_ID, CORM_ASC);
	author_limit(q, limit);
	author_offset(q, offset);
	if ((error = author_query_all(&rows, q)) != CORM_OK)
		goto fail;
	items = json_array();
	for (size_t i = 0; i < rows.count; i++)
		json_push(items, author_json(&rows.items[i]));
	reply_json(out, 200, json_pack("{s:o,s:I,s:I,s:I}", "items", items,
		"total", (json_int_t)total, "limit", (json_int_t)limit,
		"offset", (json_int_t)offset));
	goto done;
fail:
	reply_db_error(out, error, db, "list authors");
done:
	author_list_free(&rows);
	author_query_free(q);
}

void authors_create(blog_reply *out, const blog_request *req, corm_conn *db)
{
	json_t *in;
	author a;
	int error;

	if (!(in = input_object(out, req, author_fields, 3)))
		return;
	author_init(&a);
	a.email = input_str(in, "email");
	a.name = input_str(in, "name");
	a.bio = input_str(in, "bio");
	if (!memchr(a.email.ptr, '@', a.email.len)) {
		reply_error(out, 400, "validation", "field 'email' must be an "
			"e-mail address");
	} else if ((error = author_insert(db, &a)) != CORM_OK) {
		reply_db_error(out, error, db, "create author");
	} else {
		reply_json(out, 201, author_json(&a));
	}
	json_decref(in);
}

void authors_get(blog_reply *out, const blog_request *req, corm_conn *db)
{
	corm_arena arena = CORM_ARENA_INIT;
	post_list posts = {0};
	size_t first, count;
	json_t *obj, *arr;
	author a;
	int error;

	if (!input_query_check(out, req, NULL, 0))
		return;
	if ((error = author_get(&a, db, req->id, &arena)) != CORM_OK ||
		(error = author_load_posts(&posts, &first, &count, &a, 1, db)) !=
		CORM_OK) {
		reply_db_error(out, error, db, "author");
		goto done;
	}
	obj = author_json(&a);
	arr = json_array();
	for (size_t k = first; k < first + count; k++)
		json_push(arr, post_json(&posts.items[k]));
	if (obj && arr)
		json_object_set_new(obj, "posts", arr);
	else
		json_decref(arr);
	reply_json(out, 200, obj);
done:
	post_list_free(&posts);
	corm_arena_free(&arena);
}

void authors_delete(blog_reply *out, const blog_request *req, corm_conn *db)
{
	int error;

	if (!input_query_check(out, req, NULL, 0))
		return;
	if ((error = author_delete(db, req->id)) != CORM_OK)
		reply_db_error(out, error, db, "author");
	else
		out->status = 204;
}
