/*
 * routes.c — matching a path and a method to a handler (see routes.h).
 *
 * A path is matched segment by segment against each resource's pattern;
 * ":id" matches a decimal key from 1 to INT64_MAX and nothing else, so
 * "/posts/1%27%20OR%201=1" is simply not found. HEAD runs the GET handler
 * wherever there is one (RFC 9110, 9.3.2): libmicrohttpd then sends the
 * reply's status and headers, Content-Length included, without its body.
 */
#include <string.h>

#include "handlers.h"
#include "input.h"
#include "reply.h"
#include "routes.h"

struct method {
	const char *name;
	blog_handler *fn;
};

struct resource {
	const char *pattern;
	const char *allow;      /* the Allow header of a 405 */
	struct method methods[3];
};

static const struct resource resources[] = {
	{"/health", "GET, HEAD", {{"GET", health_get}}},
	{"/authors", "GET, HEAD, POST",
		{{"GET", authors_list}, {"POST", authors_create}}},
	{"/authors/:id", "GET, HEAD, DELETE",
		{{"GET", authors_get}, {"DELETE", authors_delete}}},
	{"/posts", "GET, HEAD, POST",
		{{"GET", posts_list}, {"POST", posts_create}}},
	{"/posts/:id", "GET, HEAD, PATCH, DELETE",
		{{"GET", posts_get}, {"PATCH", posts_update},
		 {"DELETE", posts_delete}}},
	{"/posts/:id/comments", "POST", {{"POST", comments_create}}},
	{"/comments/:id", "DELETE", {{"DELETE", comments_delete}}},
	{"/tags", "GET, HEAD", {{"GET", tags_list}}},
};

/* Whether `path` matches `pattern`; the :id segment goes to *id. */
static int path_match(const char *pattern, const char *path, int64_t *id)
{
	while (*pattern && *path) {
		const char *pe, *se;
		size_t plen, slen;
		char seg[24];

		if (*pattern != '/' || *path != '/')
			return 0;
		pattern++, path++;
		pe = strchr(pattern, '/');
		se = strchr(path, '/');
		plen = pe ? (size_t)(pe - pattern) : strlen(pattern);
		slen = se ? (size_t)(se - path) : strlen(path);
		if (plen == 3 && memcmp(pattern, ":id", 3) == 0) {
			if (slen == 0 || slen >= sizeof(seg))
				return 0;
			memcpy(seg, path, slen);
			seg[slen] = '\0';
			if (!input_parse_int(seg, 1, INT64_MAX, id))
				return 0;
		} else if (plen != slen || memcmp(pattern, path, plen) != 0) {
			return 0;
		}
		pattern += plen, path += slen;
	}
	return *pattern == '\0' && *path == '\0';
}

void routes_dispatch(blog_reply *out, blog_request *req, blog_app *app)
{
	const struct resource *r = NULL;
	blog_handler *fn = NULL;
	const char *method = strcmp(req->method, "HEAD") == 0 ? "GET"
							       : req->method;
	corm_conn *db;
	size_t i, k;
	int error;

	for (i = 0; i < sizeof(resources) / sizeof(resources[0]); i++) {
		if (path_match(resources[i].pattern, req->path, &req->id)) {
			r = &resources[i];
			break;
		}
	}
	if (!r) {
		reply_error(out, 404, "not_found", "no such path");
		return;
	}
	for (k = 0; k < 3 && r->methods[k].name; k++)
		if (strcmp(r->methods[k].name, method) == 0)
			fn = r->methods[k].fn;
	if (!fn) {
		out->allow = r->allow;
		reply_error(out, 405, "method_not_allowed", "%s takes %s",
			r->pattern, r->allow);
		return;
	}
	if ((error = corm_pool_get(&db, app->pool)) != CORM_OK) {
		reply_db_error(out, error, NULL, "getting a database connection");
		return;
	}
	fn(out, req, db);
	corm_pool_put(app->pool, db);
}
