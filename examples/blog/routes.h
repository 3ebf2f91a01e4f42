/*
 * routes.h — the URL map of the blog API, and the one place a handler
 * gets its database connection: dispatch takes one from the pool, calls
 * the handler and puts it back, on every path.
 *
 *   GET    /health                  the server and its database answer
 *   GET    /authors                 ?limit&offset
 *   POST   /authors                 {"email","name","bio"?}
 *   GET    /authors/:id             with their posts
 *   DELETE /authors/:id             and their posts (cascade)
 *   GET    /posts                   ?author&status&tag&q&sort&limit&offset
 *   POST   /posts                   {"author_id","title","body","status"?,"tags"?}
 *   GET    /posts/:id               with author, tags and comments
 *   PATCH  /posts/:id               {"title"?,"body"?,"status"?,"tags"?}
 *   DELETE /posts/:id
 *   POST   /posts/:id/comments      {"name","body"}
 *   DELETE /comments/:id
 *   GET    /tags                    every tag, with its number of posts
 */
#ifndef BLOG_ROUTES_H
#define BLOG_ROUTES_H

#include "app.h"

/* Fill `out` for `req`: the handler's reply, or 404 (no such path), 405
 * (path known, method not; out->allow lists the methods), 503 (no
 * connection free). req->id is set from the path. */
void routes_dispatch(blog_reply *out, blog_request *req, blog_app *app);

#endif
