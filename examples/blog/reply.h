/*
 * reply.h — filling in a blog_reply: a JSON body with a status, or an
 * error in the one shape every error has:
 *
 *     {"error": {"status": 409, "code": "conflict", "message": "..."}}
 */
#ifndef BLOG_REPLY_H
#define BLOG_REPLY_H

#include "app.h"

/* `body` is stolen (NULL is a failed allocation: a 500). */
void reply_json(blog_reply *out, unsigned status, json_t *body);

/* An error reply; `code` is a short machine-readable word. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
void reply_error(blog_reply *out, unsigned status, const char *code,
	const char *fmt, ...);

/*
 * The reply for a corm error `rc` from `what` ("insert post"): 404 for
 * CORM_ENOTFOUND, 409 for unique and foreign-key violations, 503 for a
 * busy engine or an exhausted pool, 500 for the rest. The engine's
 * message goes to the server log, never to the client.
 */
void reply_db_error(blog_reply *out, int rc, corm_conn *db,
	const char *what);

#endif
