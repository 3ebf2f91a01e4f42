/*
 * test_connect.c — connection errors map to portable codes, in bounded
 * time: a malformed URL is CORM_EURL, an unknown scheme CORM_ESCHEME, a
 * wrong password CORM_EAUTH, a closed port and a listener that never
 * speaks CORM_ECONNECT; a backend killed from another connection is
 * CORM_ECONNLOST. After each failed open, corm_errmsg(NULL) says why.
 *
 * Divided into: URL surgery, opening expecting failure (on a helper
 * thread with a deadline, so a driver that hangs fails the test instead of
 * the whole run), the URL tests, the network tests, the killed backend.
 */
#include "conformance.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* ---------------------------------------------------------- URL surgery */

/*
 * conf.url with its user:password replaced by `userinfo` (NULL: keep) and
 * its host:port by `hostport` (NULL: keep), query parameters kept, then
 * `params` appended. Only for the server engines' scheme://... URLs.
 * Caller frees with free().
 */
static char *url_edit(const char *userinfo, const char *hostport,
	const char *params)
{
	const char *url = conf.url;
	const char *auth = strstr(url, "://");
	const char *host, *path, *at;
	char buf[2048];
	int n;

	assert_non_null(auth);
	auth += 3;
	path = auth + strcspn(auth, "/?");
	at = NULL;
	for (host = auth; host < path; host++)
		if (*host == '@')
			at = host;
	host = at ? at + 1 : auth;
	n = snprintf(buf, sizeof(buf), "%.*s%s%s%.*s%s", (int)(auth - url), url,
		userinfo ? userinfo : "", userinfo ? "@" : "",
		userinfo ? 0 : (int)(host - auth), auth,
		hostport ? hostport : "");
	assert_true(n > 0 && (size_t)n < sizeof(buf));
	if (hostport == NULL)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "%.*s",
			(int)(path - host), host);
	snprintf(buf + n, sizeof(buf) - (size_t)n, "%s", path);
	return conf_url_with(buf, params);
}

/* ---------------------------------------------- opening, expecting failure */

typedef struct open_job {
	char *url;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool done;
	int rc;
	int errcode;          /* corm_errcode(NULL), on the opening thread */
	char msg[1024];       /* corm_errmsg(NULL), likewise */
	corm_conn *c;
	double seconds;
} open_job;

static void *open_thread(void *arg)
{
	open_job *job = arg;
	corm_conn *c = NULL;
	double t0 = conf_now();
	int rc = corm_conn_open(&c, job->url);

	pthread_mutex_lock(&job->mu);
	job->seconds = conf_now() - t0;
	job->rc = rc;
	job->c = c;
	job->errcode = corm_errcode(NULL);
	snprintf(job->msg, sizeof(job->msg), "%s", corm_errmsg(NULL));
	job->done = true;
	pthread_cond_signal(&job->cv);
	pthread_mutex_unlock(&job->mu);
	return NULL;
}

/*
 * Open `url` on a helper thread and expect it to fail with `want` within
 * `limit` seconds. A thread still stuck after the limit is left behind
 * (detached, its job leaked) and the test fails.
 */
static void expect_open_fails(const char *url, int want, double limit)
{
	open_job *job = calloc(1, sizeof(*job));
	pthread_t th;
	struct timespec deadline;
	bool done;
	int err = 0;

	assert_non_null(job);
	job->url = strdup(url);
	assert_non_null(job->url);
	pthread_mutex_init(&job->mu, NULL);
	pthread_cond_init(&job->cv, NULL);
	assert_int_equal(pthread_create(&th, NULL, open_thread, job), 0);

	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += (time_t)limit;
	pthread_mutex_lock(&job->mu);
	while (!job->done && err != ETIMEDOUT)
		err = pthread_cond_timedwait(&job->cv, &job->mu, &deadline);
	done = job->done;
	pthread_mutex_unlock(&job->mu);
	if (!done) {
		pthread_detach(th);
		CONF_FAIL("corm_conn_open(%s) still running after %.0f s "
			"(expected %s)", url, limit, conf_code_name(want));
	}
	assert_int_equal(pthread_join(th, NULL), 0);

	if (job->rc != want || job->c != NULL) {
		char msg[1200];
		int rc = job->rc;

		snprintf(msg, sizeof(msg), "%s", job->msg);
		corm_conn_close(job->c);
		CONF_FAIL("corm_conn_open(%s): expected %s, got %d %s after "
			"%.1f s (out %s): %s", url, conf_code_name(want), rc,
			conf_code_name(rc), job->seconds,
			job->c ? "non-NULL" : "NULL", msg);
	}
	if (job->errcode != want)
		CONF_FAIL("corm_conn_open(%s) returned %s, but corm_errcode(NULL) "
			"= %d %s", url, conf_code_name(want), job->errcode,
			conf_code_name(job->errcode));
	if (job->msg[0] == '\0')
		CONF_FAIL("corm_conn_open(%s) failed with %s but corm_errmsg(NULL) "
			"is empty", url, conf_code_name(want));
	pthread_mutex_destroy(&job->mu);
	pthread_cond_destroy(&job->cv);
	free(job->url);
	free(job);
}

/* The same, for URLs that must fail without any I/O. */
static void expect_open_fails_now(const char *url, int want)
{
	corm_conn *c = (corm_conn *)&c; /* must be set to NULL */
	int rc = corm_conn_open(&c, url);

	if (rc != want) {
		char msg[1200];

		snprintf(msg, sizeof(msg), "%s", corm_errmsg(NULL));
		if (rc == CORM_OK)
			corm_conn_close(c);
		CONF_FAIL("corm_conn_open(\"%s\"): expected %s, got %d %s: %s",
			url, conf_code_name(want), rc, conf_code_name(rc), msg);
	}
	if (c != NULL)
		CONF_FAIL("corm_conn_open(\"%s\") failed but left *out set", url);
	if (corm_errcode(NULL) != want)
		CONF_FAIL("corm_conn_open(\"%s\") returned %s but "
			"corm_errcode(NULL) = %d", url, conf_code_name(want),
			corm_errcode(NULL));
	if (corm_errmsg(NULL) == NULL || corm_errmsg(NULL)[0] == '\0')
		CONF_FAIL("corm_conn_open(\"%s\") failed with %s but "
			"corm_errmsg(NULL) is empty", url, conf_code_name(want));
}

/* ------------------------------------------------------------ URL tests */

void test_connect__malformed_url_is_eurl(void **state)
{
	char *url;

	(void)state;
	/* Core parameters that are not whole numbers. */
	url = conf_url_with(conf.url, "connect_timeout=soon");
	expect_open_fails_now(url, CORM_EURL);
	free(url);
	url = conf_url_with(conf.url, "statement_cache=-5x");
	expect_open_fails_now(url, CORM_EURL);
	free(url);

	switch (conf.engine) {
	case CONF_SQLITE:
		url = conf_url_with(conf.url, "busy_timeout=forever");
		expect_open_fails_now(url, CORM_EURL);
		free(url);
		url = conf_url_with(conf.url, "no_such_parameter=1");
		expect_open_fails_now(url, CORM_EURL);
		free(url);
		break;
	case CONF_MYSQL:
		url = conf_url_with(conf.url, "no_such_parameter=1");
		expect_open_fails_now(url, CORM_EURL);
		free(url);
		/* The URL syntax is PostgreSQL's from here on. */
		/* fall through */
	case CONF_POSTGRES:
		url = url_edit(NULL, "127.0.0.1:notaport", NULL);
		expect_open_fails_now(url, CORM_EURL);
		free(url);
		url = url_edit(NULL, "127.0.0.1:99999", NULL);
		expect_open_fails_now(url, CORM_EURL);
		free(url);
		url = url_edit(NULL, "[::1", NULL);   /* unclosed bracket */
		expect_open_fails_now(url, CORM_EURL);
		free(url);
		url = url_edit("co%zzrm:corm", NULL, NULL); /* bad %-escape */
		expect_open_fails_now(url, CORM_EURL);
		free(url);
		break;
	}
	expect_open_fails_now("no scheme at all", CORM_EURL);
}

void test_connect__unknown_scheme_is_escheme(void **state)
{
	(void)state;
	expect_open_fails_now("oracle://scott:tiger@127.0.0.1:1521/orcl",
		CORM_ESCHEME);
	expect_open_fails_now("redis://127.0.0.1:6379/0", CORM_ESCHEME);
	expect_open_fails_now("sqlite3:some.db", CORM_ESCHEME);
}

void test_connect__driver_name_and_dialect_match_engine(void **state)
{
	conf_fixture *fx = *state;
	const corm_dialect *d = corm_conn_dialect(fx->c);

	assert_string_equal(corm_conn_driver_name(fx->c), conf.name);
	assert_non_null(d);
	assert_string_equal(d->name, conf.name);
	assert_ptr_equal(d, corm_dialect_find(conf.name));
	CONF_OK(fx->c, corm_conn_ping(fx->c));

	/* The scheme's other spelling reaches the same driver. */
	if (conf.engine != CONF_SQLITE) {
		const char *alias = conf.engine == CONF_POSTGRES ?
			"postgresql" : "mariadb";
		const char *rest = strstr(conf.url, "://");
		char url[2048];
		corm_conn *c = NULL;
		int rc;

		assert_non_null(rest);
		snprintf(url, sizeof(url), "%s%s", alias, rest);
		rc = corm_conn_open(&c, url);
		if (rc != CORM_OK)
			CONF_FAIL("corm_conn_open(%s) = %d: %s", url, rc,
				corm_errmsg(NULL));
		assert_string_equal(corm_conn_driver_name(c), conf.name);
		CONF_OK(c, corm_conn_ping(c));
		corm_conn_close(c);
	}
}

/* -------------------------------------------------------- network tests */

/* A TCP socket bound to 127.0.0.1 on a free port; *port gets the port. */
static int bound_socket(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = 0;
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&sa, &len), 0);
	*port = ntohs(sa.sin_port);
	return fd;
}

void test_connect__wrong_password_is_eauth(void **state)
{
	char *url;

	(void)state;
	if (conf.engine == CONF_SQLITE)
		skip(); /* no credentials */
	url = url_edit("corm:definitely-not-the-password", NULL, NULL);
	expect_open_fails(url, CORM_EAUTH, 15.0);
	free(url);
	url = url_edit("conf_no_such_user:corm", NULL, NULL);
	expect_open_fails(url, CORM_EAUTH, 15.0);
	free(url);
}

void test_connect__closed_port_is_econnect(void **state)
{
	char hostport[64];
	char *url;
	int port;
	int fd;

	(void)state;
	if (conf.engine == CONF_SQLITE)
		skip(); /* no network */
	/* A port that was free a moment ago, with nothing listening. */
	fd = bound_socket(&port);
	close(fd);
	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	url = url_edit(NULL, hostport, "connect_timeout=2");
	expect_open_fails(url, CORM_ECONNECT, 15.0);
	free(url);
}

void test_connect__silent_listener_times_out_with_econnect(void **state)
{
	char hostport[64];
	char *url;
	int port;
	int fd;
	double t0, took;

	(void)state;
	if (conf.engine == CONF_SQLITE)
		skip(); /* no network */
	/* The kernel completes the TCP handshake for the backlog; nobody
	 * ever accepts, so the client waits for a greeting that never
	 * comes. */
	fd = bound_socket(&port);
	assert_int_equal(listen(fd, 16), 0);
	snprintf(hostport, sizeof(hostport), "127.0.0.1:%d", port);
	url = url_edit(NULL, hostport, "connect_timeout=2");
	t0 = conf_now();
	expect_open_fails(url, CORM_ECONNECT, 15.0);
	took = conf_now() - t0;
	close(fd);
	free(url);
	if (took < 1.0)
		CONF_FAIL("gave up after %.2f s, before connect_timeout=2", took);
}

/* ------------------------------------------------------ killed backend */

/* The server's id for connection `c`'s session. */
static int64_t backend_id(corm_conn *c)
{
	corm_stmt *s = conf_prepare_ok(c, false, "SELECT %s",
		conf.engine == CONF_POSTGRES ? "pg_backend_pid()" :
		"CONNECTION_ID()");
	int64_t id = -1;

	conf_step_expect(s, CORM_ROW);
	CONF_OK(c, corm_column_int64(&id, s, 0));
	conf_step_expect(s, CORM_DONE);
	conf_stmt_free(s);
	return id;
}

/* Sessions with id `id` still known to the server, seen from `c`. */
static int64_t sessions_with_id(corm_conn *c, int64_t id)
{
	corm_stmt *s;
	int64_t n = -1;

	if (conf.engine == CONF_POSTGRES)
		s = conf_prepare_ok(c, false, "SELECT COUNT(*) FROM "
			"pg_stat_activity WHERE pid = CAST(%P AS INTEGER)");
	else
		s = conf_prepare_ok(c, false, "SELECT COUNT(*) FROM "
			"information_schema.PROCESSLIST WHERE ID = %P");
	CONF_OK(c, corm_bind_int64(s, 1, id));
	conf_step_expect(s, CORM_ROW);
	CONF_OK(c, corm_column_int64(&n, s, 0));
	conf_stmt_free(s);
	return n;
}

void test_connect__killed_backend_is_econnlost(void **state)
{
	conf_fixture *fx = *state;
	const struct timespec tick = { 0, 50 * 1000 * 1000 };
	corm_stmt *victim, *kill;
	conf_outcome o;
	int64_t id;
	int i;

	if (conf.engine == CONF_SQLITE)
		skip(); /* no server */
	id = backend_id(fx->c);
	/* Prepared before the kill, run after it. */
	victim = conf_prepare_ok(fx->c, true, "SELECT %P + 1");
	fx->c2 = conf_open(NULL);

	if (conf.engine == CONF_POSTGRES)
		kill = conf_prepare_ok(fx->c2, false,
			"SELECT pg_terminate_backend(CAST(%P AS INTEGER))");
	else
		kill = conf_prepare_ok(fx->c2, false, "KILL %P");
	CONF_OK(fx->c2, corm_bind_int64(kill, 1, id));
	if (corm_step(kill) < 0)
		CONF_FAIL("killing session %lld: %s", (long long)id,
			corm_errmsg(fx->c2));
	conf_stmt_free(kill);
	for (i = 0; i < 100 && sessions_with_id(fx->c2, id) > 0; i++)
		nanosleep(&tick, NULL);

	CONF_OK(fx->c, corm_bind_int64(victim, 1, 41));
	conf_record(&o, fx->c, corm_step(victim));
	conf_stmt_free(victim);
	conf_expect_outcome(&o, CORM_ECONNLOST, "statement on a killed session");

	conf_record(&o, fx->c, corm_conn_ping(fx->c));
	if (o.rc != CORM_ECONNLOST)
		CONF_FAIL("corm_conn_ping() on a killed session: expected "
			"CORM_ECONNLOST, got %d %s: %s", o.rc,
			conf_code_name(o.rc), o.msg);
	/* New statements fail the same way, without crashing. */
	{
		corm_stmt *s = NULL;
		int rc = conf_prepare(&s, fx->c, false, "SELECT 1");

		if (rc == CORM_OK) {
			rc = corm_step(s);
			conf_stmt_free(s);
		}
		if (rc != CORM_ECONNLOST)
			CONF_FAIL("a new statement on a killed session: expected "
				"CORM_ECONNLOST, got %d %s: %s", rc,
				conf_code_name(rc), corm_errmsg(fx->c));
	}
	/* The other session is unaffected. */
	CONF_OK(fx->c2, corm_conn_ping(fx->c2));
}
