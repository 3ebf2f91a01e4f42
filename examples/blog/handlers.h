/*
 * handlers.h — the endpoint handlers, one file per resource (authors.c,
 * posts.c, comments.c, tags.c). Each is a blog_handler (app.h); the URL
 * each serves is listed in routes.h.
 */
#ifndef BLOG_HANDLERS_H
#define BLOG_HANDLERS_H

#include "app.h"

blog_handler health_get;

blog_handler authors_list;
blog_handler authors_create;
blog_handler authors_get;
blog_handler authors_delete;

blog_handler posts_list;
blog_handler posts_create;
blog_handler posts_get;
blog_handler posts_update;
blog_handler posts_delete;

blog_handler comments_create;
blog_handler comments_delete;

blog_handler tags_list;

/* Pagination shared by the lists: ?limit (1..100, default 20) and
 * ?offset (0..1000000). false after a 400 in `out`. */
#define PAGE_LIMIT_DEFAULT 20
#define PAGE_LIMIT_MAX 100
#define PAGE_OFFSET_MAX 1000000
int page_params(blog_reply *out, const blog_request *req, int64_t *limit,
	int64_t *offset);

#endif
