/*
 * posts.c — /posts: the list with filters, pagination and sorting; one
 * post with its author, tags and comments; create, update, delete.
 *
 * Everything a client sends in the query string ends up either as a
 * bound value of a typed predicate (author, status, tag, q) or as a
 * choice among fixed, typed calls (sort); no text of the request is ever
 * part of the SQL. A post and its tags are written in one transaction
 * run by corm_tx_run(), which retries it when the engine reports a
 * conflict (SQLite's single writer, a deadlock).
 *
 * Sections: reading (list, get), writing (create, update, delete).
 */
#include <stdlib.h>
#include <string.h>

#include "blog.h"
#include "handlers.h"
#include "input.h"
#include "output.h"
#include "reply.h"

#define POST_BODY_MAX 60000
#define TAGS_MAX 20

static const field_spec create_fields[] = {
	{"author_id", FIELD_INT, true, false, 0, 0},
	{"title", FIELD_STRING, true, false, 200, 0},
	{"body", FIELD_STRING, true, false, POST_BODY_MAX, 0},
	{"status", FIELD_STRING, false, false, 20, 0},
	{"tags", FIELD_STRINGS, false, false, 50, TAGS_MAX},
};

static const field_spec update_fields[] = {
	{"title", FIELD_STRING, false, false, 200, 0},
	{"body", FIELD_STRING, false, false, POST_BODY_MAX, 0},
	{"status", FIELD_STRING, false, false, 20, 0},
	{"tags", FIELD_STRINGS, false, false, 50, TAGS_MAX},
};

/* ------------------------------------------------------------- reading */

/* ?sort=[-]id|title|created_at|published_at: a fixed set of typed
 * order_by calls, the id breaking ties so pages never overlap. */
static int apply_sort(post_query *q, const char *sort)
{
	unsigned dir = CORM_ASC;

	if (!sort)
		sort = "-id";
	if (sort[0] == '-') {
		dir = CORM_DESC;
		sort++;
	}
	if (strcmp(sort, "title") == 0)
		post_order_by(q, POST_TITLE, dir);
	else if (strcmp(sort, "created_at") == 0)
		post_order_by(q, POST_CREATED_AT, dir);
	else if (strcmp(sort, "published_at") == 0)
		post_order_by(q, POST_PUBLISHED_AT, dir);
	else if (strcmp(sort, "id") != 0)
		return 0;
	post_order_by(q, POST_ID, dir);
	return 1;
}

/* The filters of the query string as predicates of `q`; 0 after a 400. */
static int apply_filters(blog_reply *out, const blog_request *req,
	post_query *q)
{
	const char *status = input_query(req, "status");
	const char *tag_name = input_query(req, "tag");
	const char *text = input_query(req, "q");
	int64_t author_id = 0;
	post_status st;

	if (!input_query_int(out, req, "author", 1, INT64_MAX, &author_id))
		return 0;
	if (author_id)
		post_where(q, post_eq(q, POST_AUTHOR_ID, author_id));
	if (status) {
		if (post_status_from_string(&st, status, strlen(status)) !=
			CORM_OK) {
			reply_error(out, 400, "validation", "query parameter "
				"'status' must be draft, published or archived");
			return 0;
		}
		post_where(q, post_eq(q, POST_STATUS, st));
	}
	if (tag_name) {
		tag_query *t = post_tags_filter(q);

		post_where(q, post_tags_any(q,
			tag_eq(t, TAG_NAME, corm_str_of(tag_name))));
	}
	if (text)
		post_where(q, post_contains(q, POST_TITLE, corm_str_of(text)));
	return 1;
}

/* posts[i] with its author ({id, name}) and its tag names. */
static json_t *post_item(const post *p, const author *a, const tag *tags,
	size_t first, size_t count)
{
	json_t *obj = post_json(p);

	if (obj && a)
		json_object_set_new(obj, "author", json_pack("{s:I,s:o}", "id",
			(json_int_t)a->id, "name", str_json(a->name)));
	if (obj)
		json_object_set_new(obj, "tags",
			tag_names_json(tags, first, count));
	return obj;
}

void posts_list(blog_reply *out, const blog_request *req, corm_conn *db)
{
	static const char *const params[] = {"author", "status", "tag", "q",
		"sort", "limit", "offset"};
	post_query *q = NULL;
	post_list page = {0};
	author_list authors = {0};
	tag_list tags = {0};
	const author *by[PAGE_LIMIT_MAX];
	size_t first[PAGE_LIMIT_MAX], count[PAGE_LIMIT_MAX];
	int64_t limit, offset, total;
	json_t *items;
	int error;

	if (!input_query_check(out, req, params, 7) ||
		!page_params(out, req, &limit, &offset))
		return;
	if ((error = post_query_new(&q, db)) != CORM_OK)
		goto fail;
	if (!apply_filters(out, req, q))
		goto done;
	if (!apply_sort(q, input_query(req, "sort"))) {
		reply_error(out, 400, "validation", "query parameter 'sort' "
			"must be id, title, created_at or published_at, with an "
			"optional '-' for descending");
		goto done;
	}
	if ((error = post_query_count(&total, q)) != CORM_OK)
		goto fail;
	post_limit(q, limit);
	post_offset(q, offset);
	/* The page, then one query per relation for all of its posts. */
	if ((error = post_query_all(&page, q)) != CORM_OK ||
		(error = post_load_author(&authors, by, page.items, page.count,
			db)) != CORM_OK ||
		(error = post_load_tags(&tags, first, count, page.items, page.count,
			db)) != CORM_OK)
		goto fail;
	items = json_array();
	for (size_t i = 0; i < page.count; i++)
		json_push(items, post_item(&page.items[i], by[i], tags.items,
			first[i], count[i]));
	reply_json(out, 200, json_pack("{s:o,s:I,s:I,s:I}", "items", items,
		"total", (json_int_t)total, "limit", (json_int_t)limit,
		"offset", (json_int_t)offset));
	goto done;
fail:
	reply_db_error(out, error, db, "list posts");
done:
	tag_list_free(&tags);
	author_list_free(&authors);
	post_list_free(&page);
	post_query_free(q);
}

/* The reply for post `id` with its author, tags and comments, each
 * relation read by one query. */
static void post_detail(blog_reply *out, corm_conn *db, int64_t id,
	unsigned status)
{
	corm_arena arena = CORM_ARENA_INIT;
	author_list authors = {0};
	tag_list tags = {0};
	comment_list comments = {0};
	const author *by;
	size_t tfirst, tcount, cfirst, ccount;
	json_t *obj, *arr;
	post p;
	int error;

	if ((error = post_get(&p, db, id, &arena)) != CORM_OK ||
		(error = post_load_author(&authors, &by, &p, 1, db)) != CORM_OK ||
		(error = post_load_tags(&tags, &tfirst, &tcount, &p, 1, db)) !=
		CORM_OK ||
		(error = post_load_comments(&comments, &cfirst, &ccount, &p, 1,
			db)) != CORM_OK) {
		reply_db_error(out, error, db, "post");
		goto done;
	}
	obj = post_json(&p);
	if (obj) {
		json_object_set_new(obj, "author", by ? author_json(by) :
			json_null());
		json_object_set_new(obj, "tags",
			tag_names_json(tags.items, tfirst, tcount));
		arr = json_array();
		for (size_t k = cfirst; k < cfirst + ccount; k++)
			json_push(arr, comment_json(&comments.items[k]));
		json_object_set_new(obj, "comments", arr);
	}
	reply_json(out, status, obj);
done:
	comment_list_free(&comments);
	tag_list_free(&tags);
	author_list_free(&authors);
	corm_arena_free(&arena);
}

void posts_get(blog_reply *out, const blog_request *req, corm_conn *db)
{
	if (input_query_check(out, req, NULL, 0))
		post_detail(out, db, req->id, 200);
}

/* ------------------------------------------------------------- writing */

/* What a create or update transaction works on. */
struct post_write {
	const json_t *in;       /* the validated body */
	int64_t id;             /* update: the post; create: set on insert */
	corm_arena arena;       /* update: the row read back */
};

/* in["status"] into *st; 0 when it is not a status. */
static int parse_status(const json_t *in, post_status *st)
{
	corm_str s = input_str(in, "status");

	return !s.ptr || post_status_from_string(st, s.ptr, s.len) == CORM_OK;
}

/* Tag names by their bytes (memcmp, then the shorter first). */
static int name_cmp(const void *a, const void *b)
{
	const corm_str *x = a, *y = b;
	int c = memcmp(x->ptr, y->ptr, x->len < y->len ? x->len : y->len);

	return c ? c : (x->len > y->len) - (x->len < y->len);
}

/*
 * Link post `post_id` to the tags named in `names` (at most TAGS_MAX,
 * checked by the input), creating the tags that do not exist yet. The
 * names are upserted sorted and once each: two requests naming the same
 * new tags in different orders would otherwise each lock one tag row and
 * wait for the other's (a deadlock, found only after PostgreSQL's
 * deadlock_timeout). A name given twice is one tag.
 */
static int link_tags(corm_conn *db, int64_t post_id, const json_t *names)
{
	corm_str sorted[TAGS_MAX];
	size_t i, n = 0;
	json_t *name;
	int error;

	json_array_foreach(names, i, name) {
		if (n == TAGS_MAX)
			break;
		sorted[n].ptr = json_string_value(name);
		sorted[n++].len = json_string_length(name);
	}
	qsort(sorted, n, sizeof(sorted[0]), name_cmp);
	for (i = 0; i < n; i++) {
		tag t;
		post_tag link;

		if (i > 0 && name_cmp(&sorted[i - 1], &sorted[i]) == 0)
			continue;
		tag_init(&t);
		t.name = sorted[i];
		if ((error = tag_upsert_by_name(db, &t)) != CORM_OK)
			return error;
		post_tag_init(&link);
		link.post_id = post_id;
		link.tag_id = t.id;
		if ((error = post_tag_insert(db, &link)) != CORM_OK)
			return error;
	}
	return CORM_OK;
}

/* Set the fields the body has, stamping published_at on publication. */
static void apply_fields(post *p, const json_t *in)
{
	if (json_object_get(in, "title"))
		p->title = input_str(in, "title");
	if (json_object_get(in, "body"))
		p->body = input_str(in, "body");
	if (json_object_get(in, "status"))
		parse_status(in, &p->status);
	if (p->status == POST_STATUS_PUBLISHED && !p->has_published_at) {
		p->has_published_at = true;
		p->published_at = corm_timestamp_now();
	}
}

static int create_tx(corm_conn *db, void *ctx)
{
	struct post_write *w = ctx;
	const json_t *tags = json_object_get(w->in, "tags");
	post p;
	int error;

	post_init(&p);
	p.author_id = json_integer_value(json_object_get(w->in, "author_id"));
	apply_fields(&p, w->in);
	if ((error = post_insert(db, &p)) != CORM_OK)
		return error;
	w->id = p.id;
	return tags ? link_tags(db, p.id, tags) : CORM_OK;
}

static int update_tx(corm_conn *db, void *ctx)
{
	struct post_write *w = ctx;
	const json_t *tags = json_object_get(w->in, "tags");
	post_tag_query *old = NULL;
	int64_t n;
	post p;
	int error;

	if ((error = post_get(&p, db, w->id, &w->arena)) != CORM_OK)
		return error;
	apply_fields(&p, w->in);
	if ((error = post_update(db, &p)) != CORM_OK || !tags)
		return error;
	/* The tags given replace the post's tags. */
	if ((error = post_tag_query_new(&old, db)) == CORM_OK) {
		post_tag_where(old, post_tag_eq(old, POST_TAG_POST_ID, w->id));
		error = post_tag_query_delete(&n, old);
		post_tag_query_free(old);
	}
	return error == CORM_OK ? link_tags(db, w->id, tags) : error;
}

/* A post's body, checked; NULL after a 400. */
static json_t *post_input(blog_reply *out, const blog_request *req,
	const field_spec *spec, size_t n)
{
	json_t *in = input_object(out, req, spec, n);
	post_status st;

	if (in && !parse_status(in, &st)) {
		reply_error(out, 400, "validation", "field 'status' must be "
			"draft, published or archived");
		json_decref(in);
		return NULL;
	}
	return in;
}

void posts_create(blog_reply *out, const blog_request *req, corm_conn *db)
{
	struct post_write w = {NULL, 0, CORM_ARENA_INIT};
	json_t *in;
	int error;

	if (!input_query_check(out, req, NULL, 0) ||
		!(in = post_input(out, req, create_fields, 5)))
		return;
	w.in = in;
	if ((error = corm_tx_run(db, create_tx, &w, NULL)) != CORM_OK)
		reply_db_error(out, error, db, "create post");
	else
		post_detail(out, db, w.id, 201);
	json_decref(in);
}

void posts_update(blog_reply *out, const blog_request *req, corm_conn *db)
{
	struct post_write w = {NULL, req->id, CORM_ARENA_INIT};
	json_t *in;
	int error;

	if (!input_query_check(out, req, NULL, 0) ||
		!(in = post_input(out, req, update_fields, 4)))
		return;
	w.in = in;
	if ((error = corm_tx_run(db, update_tx, &w, NULL)) != CORM_OK)
		reply_db_error(out, error, db, "post");
	else
		post_detail(out, db, w.id, 200);
	corm_arena_free(&w.arena);
	json_decref(in);
}

void posts_delete(blog_reply *out, const blog_request *req, corm_conn *db)
{
	int error;

	if (!input_query_check(out, req, NULL, 0))
		return;
	if ((error = post_delete(db, req->id)) != CORM_OK)
		reply_db_error(out, error, db, "post");
	else
		out->status = 204;
}
