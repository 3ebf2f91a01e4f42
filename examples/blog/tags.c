/*
 * tags.c — GET /tags: tags by name, each with the number of its posts
 * (read for the whole page at once through the PostTag relation).
 */
#include "blog.h"
#include "handlers.h"
#include "input.h"
#include "output.h"
#include "reply.h"

void tags_list(blog_reply *out, const blog_request *req, corm_conn *db)
{
	static const char *const params[] = {"limit", "offset"};
	tag_query *q = NULL;
	tag_list page = {0};
	post_tag_list links = {0};
	size_t first[PAGE_LIMIT_MAX], count[PAGE_LIMIT_MAX];
	int64_t limit, offset, total;
	json_t *items, *t;
	int error;

	if (!input_query_check(out, req, params, 2) ||
		!page_params(out, req, &limit, &offset))
		return;
	if ((error = tag_query_new(&q, db)) != CORM_OK ||
		(error = tag_query_count(&total, q)) != CORM_OK)
		goto fail;
	tag_order_by(q, TAG_NAME, CORM_ASC);
	tag_limit(q, limit);
	tag_offset(q, offset);
	if ((error = tag_query_all(&page, q)) != CORM_OK ||
		(error = tag_load_post_tags(&links, first, count, page.items,
			page.count, db)) != CORM_OK)
		goto fail;
	items = json_array();
	for (size_t i = 0; i < page.count; i++) {
		if ((t = tag_json(&page.items[i])) != NULL)
			json_object_set_new(t, "posts", json_integer(
				(json_int_t)count[i]));
		json_push(items, t);
	}
	reply_json(out, 200, json_pack("{s:o,s:I,s:I,s:I}", "items", items,
		"total", (json_int_t)total, "limit", (json_int_t)limit,
		"offset", (json_int_t)offset));
	goto done;
fail:
	reply_db_error(out, error, db, "list tags");
done:
	post_tag_list_free(&links);
	tag_list_free(&page);
	tag_query_free(q);
}
