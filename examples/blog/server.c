/*
 * server.c — libmicrohttpd glue (see server.h).
 *
 * libmicrohttpd calls on_request() several times per request: once when
 * the headers are in (we set up a body buffer, or refuse at once a body
 * whose Content-Length is over the cap), once per chunk of body, and once
 * more when the body is complete, when we dispatch and queue the reply.
 * A chunked body that grows past the cap is dropped as it arrives and
 * answered with 413, so memory per request stays bounded either way.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "input.h"
#include "reply.h"
#include "routes.h"
#include "server.h"

/* One request's state between the calls of on_request(). */
struct request_state {
	char *body;
	size_t len, cap;
	int too_large;
	bool headers_in;  /* on_request() has seen the headers */
	bool has_nul;     /* the raw target holds a %00 (on_uri) */
	struct timespec start;
};

static double ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1e3 + (t.tv_nsec - t0->tv_nsec) / 1e6;
}

/* `url` for the log: at most 200 bytes, control characters as '?' (a
 * request must not write escape sequences to the operator's terminal). */
static void log_safe(char *buf, size_t size, const char *url)
{
	size_t i;

	for (i = 0; i + 1 < size && url[i]; i++)
		buf[i] = ((unsigned char)url[i] < 0x20 || url[i] == 0x7f) ?
			'?' : url[i];
	buf[i] = '\0';
}

/* Queue `rep` (freeing its body). */
static enum MHD_Result send_reply(struct MHD_Connection *c, blog_reply *rep,
	const blog_app *app, const char *method, const char *url,
	const struct timespec *start)
{
	struct MHD_Response *r;
	enum MHD_Result ok;
	char *text = NULL;
	size_t len = 0;

	if (rep->body) {
		text = json_dumps(rep->body, JSON_COMPACT);
		if (!text) {
			rep->status = 500;
		} else {
			len = strlen(text);
			/* json_dumps leaves room for nothing more: a newline
			 * makes curl output readable. */
			char *t = realloc(text, len + 2);
			if (t) {
				text = t;
				text[len++] = '\n';
				text[len] = '\0';
			}
		}
		json_decref(rep->body);
		rep->body = NULL;
	}
	r = MHD_create_response_from_buffer(len, text, text ?
		MHD_RESPMEM_MUST_FREE : MHD_RESPMEM_PERSISTENT);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	if (text)
		MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
			"application/json; charset=utf-8");
	if (rep->allow)
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, rep->allow);
	ok = MHD_queue_response(c, rep->status, r);
	MHD_destroy_response(r);
	if (!app->quiet) {
		char path[201];

		log_safe(path, sizeof(path), url);
		fprintf(stderr, "blog: %s %s -> %u (%.1f ms)\n", method, path,
			rep->status, ms_since(start));
	}
	return ok;
}

static enum MHD_Result too_large(struct MHD_Connection *c,
	const blog_app *app, const char *method, const char *url,
	const struct timespec *start)
{
	blog_reply rep = {0, NULL, NULL};

	reply_error(&rep, 413, "too_large", "the body is larger than %zu "
		"bytes", app->max_body);
	return send_reply(c, &rep, app, method, url, start);
}

/*
 * The raw request target, before libmicrohttpd decodes it: a %00 in the
 * path or in a query parameter would decode to a NUL, which ends the C
 * string the handlers read ("?q=Hell%00zzz" would search for "Hell"), so
 * such a request is refused whole (400). What this returns becomes the
 * request's state (*con_cls of on_request()).
 */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
	struct request_state *st = calloc(1, sizeof(*st));

	(void)cls, (void)c;
	if (st) {
		clock_gettime(CLOCK_MONOTONIC, &st->start);
		st->has_nul = strstr(uri, "%00") != NULL;
	}
	return st;
}

static enum MHD_Result refuse_nul(struct MHD_Connection *c,
	const blog_app *app, const char *method, const char *url,
	const struct timespec *start)
{
	blog_reply rep = {0, NULL, NULL};

	reply_error(&rep, 400, "validation", "the path or a query parameter "
		"holds a NUL byte (%%00)");
	return send_reply(c, &rep, app, method, url, start);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c,
	const char *url, const char *method, const char *version,
	const char *upload, size_t *upload_size, void **con_cls)
{
	blog_app *app = cls;
	struct request_state *st = *con_cls;
	blog_request req;
	blog_reply rep = {0, NULL, NULL};
	const char *cl;
	int64_t declared;

	(void)version;
	if (!st)                        /* on_uri() ran out of memory */
		return MHD_NO;
	if (!st->headers_in) {          /* headers in, no body read yet */
		st->headers_in = true;
		if (st->has_nul)
			return refuse_nul(c, app, method, url, &st->start);
		cl = MHD_lookup_connection_value(c, MHD_HEADER_KIND,
			MHD_HTTP_HEADER_CONTENT_LENGTH);
		if (cl && input_parse_int(cl, 0, INT64_MAX, &declared) &&
			(uint64_t)declared > app->max_body) {
			st->too_large = 1;
			return too_large(c, app, method, url, &st->start);
		}
		return MHD_YES;
	}
	if (*upload_size) {             /* a piece of the body */
		size_t n = *upload_size;

		*upload_size = 0;
		if (st->too_large || st->has_nul)
			return MHD_YES;
		if (n > app->max_body - st->len) {
			st->too_large = 1;
			free(st->body);
			st->body = NULL;
			st->len = st->cap = 0;
			return MHD_YES;
		}
		if (st->len + n + 1 > st->cap) {
			size_t cap = st->cap ? st->cap : 1024;
			char *b;

			while (cap < st->len + n + 1)
				cap *= 2;
			if (!(b = realloc(st->body, cap)))
				return MHD_NO;
			st->body = b;
			st->cap = cap;
		}
		memcpy(st->body + st->len, upload, n);
		st->len += n;
		st->body[st->len] = '\0';
		return MHD_YES;
	}
	if (st->has_nul)                /* answered with the headers */
		return MHD_YES;
	if (st->too_large)              /* chunked, and it grew too big */
		return too_large(c, app, method, url, &st->start);
	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = url;
	req.conn = c;
	req.body = st->body ? st->body : "";
	req.body_len = st->len;
	routes_dispatch(&rep, &req, app);
	if (rep.status == 0)
		rep.status = 500;
	return send_reply(c, &rep, app, method, url, &st->start);
}

static void on_completed(void *cls, struct MHD_Connection *c,
	void **con_cls, enum MHD_RequestTerminationCode why)
{
	struct request_state *st = *con_cls;

	(void)cls, (void)c, (void)why;
	if (st) {
		free(st->body);
		free(st);
		*con_cls = NULL;
	}
}

struct MHD_Daemon *server_start(blog_app *app, uint16_t port,
	unsigned threads, uint16_t *bound)
{
	struct sockaddr_in addr;
	struct MHD_Daemon *d;
	const union MHD_DaemonInfo *info;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_port = htons(port);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	d = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO |
			MHD_USE_ERROR_LOG, port, NULL, NULL, on_request, app,
		MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
		MHD_OPTION_THREAD_POOL_SIZE, threads,
		MHD_OPTION_CONNECTION_TIMEOUT, 30u,
		MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL,
		MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
		MHD_OPTION_END);
	if (!d) {
		fprintf(stderr, "blog: cannot listen on 127.0.0.1:%u (in use?)\n",
			port);
		return NULL;
	}
	info = MHD_get_daemon_info(d, MHD_DAEMON_INFO_BIND_PORT);
	*bound = info ? info->port : port;
	return d;
}

void server_stop(struct MHD_Daemon *d)
{
	MHD_stop_daemon(d);
}
