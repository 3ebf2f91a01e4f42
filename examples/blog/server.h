/*
 * server.h — the HTTP side of the blog server, on libmicrohttpd: a pool
 * of worker threads listening on 127.0.0.1, each reading a request's
 * body up to app->max_body bytes (413 beyond, while it is received),
 * routing it (routes.h) and sending the JSON reply.
 */
#ifndef BLOG_SERVER_H
#define BLOG_SERVER_H

#include <stdint.h>

#include "app.h"

struct MHD_Daemon;

/*
 * Listen on 127.0.0.1:port (0: a free port, written to *bound) with
 * `threads` worker threads. Returns the daemon, or NULL after printing
 * why. `app` must outlive it.
 */
struct MHD_Daemon *server_start(blog_app *app, uint16_t port,
	unsigned threads, uint16_t *bound);

/* Stop accepting, finish the requests in progress, join the threads. */
void server_stop(struct MHD_Daemon *d);

#endif
