/*
 * app.h — the types every part of the blog server shares: the application
 * (the connection pool and limits), a request as the handlers see it, and
 * the reply they fill in.
 *
 * A handler never talks to libmicrohttpd or to the pool: server.c reads
 * the request, routes.c picks the handler and lends it a connection from
 * the pool for the length of the call, and server.c sends the reply.
 */
#ifndef BLOG_APP_H
#define BLOG_APP_H

#include <stddef.h>
#include <stdint.h>

#include <corm/corm.h>
#include <corm/pool.h>
#include <corm/types.h>
#include <jansson.h>

struct MHD_Connection;

typedef struct blog_app {
	corm_pool *pool;
	size_t max_body;        /* request bodies above this are refused (413) */
	int quiet;              /* no request log on stderr */
} blog_app;

typedef struct blog_request {
	const char *method;             /* "GET", "POST", ... */
	const char *path;               /* "/posts/12", without the query */
	struct MHD_Connection *conn;    /* for query parameters (query.c) */
	const char *body;               /* NUL-terminated; "" when none */
	size_t body_len;
	int64_t id;                     /* the path's :id, when it has one */
} blog_request;

typedef struct blog_reply {
	unsigned status;        /* HTTP status */
	json_t *body;           /* owned by the reply; NULL for no body */
	const char *allow;      /* the Allow header of a 405, static text */
} blog_reply;

/* Every handler: read `req`, use `db` (lent for this call only), fill
 * `out`. Whatever the handler leaves in out->body is freed by the server. */
typedef void blog_handler(blog_reply *out, const blog_request *req,
	corm_conn *db);

#endif
