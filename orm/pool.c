/*
 * pool.c — corm_pool: a stack of idle connections and a count of the open
 * ones, behind one mutex, with a condition variable that getters wait on
 * while max_size connections are out.
 *
 * Opening, pinging, rolling back and closing connections all happen
 * outside the mutex: they are round trips to the server, and holding the
 * lock through them would queue every handler behind the slowest reply.
 * So a getter first reserves a slot under the lock (nopen++), then
 * connects without it; max_size holds all the same.
 *
 * Divided into: the struct and the clock, opening and closing the pool,
 * taking a connection, giving one back.
 */
#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "corm/pool.h"
#include "internal.h"

/* Big enough for any server; small enough that the idle stack, allocated
 * up front so that corm_pool_put() never allocates, stays small. */
#define POOL_MAX_SIZE_LIMIT 65536

/* -------------------------------------------------- the struct and the clock */

typedef struct idle_conn {
	corm_conn *conn;
	int64_t since_ms; /* monotonic time it was put back */
} idle_conn;

struct corm_pool {
	char *url;              /* owned copy (it may hold a password) */
	corm_pool_options opts; /* read-only after corm_pool_open() */
	pthread_mutex_t mu;
	pthread_cond_t back;    /* a connection came back or a slot freed up */
	bool have_mu, have_back; /* initialised, for cleanup after a failure */

	/* Guarded by mu: */
	idle_conn *idle; /* max_size entries; idle[nidle - 1] is the most
	                  * recently used */
	int nidle;
	int nopen;       /* idle + handed out + being opened; <= max_size */
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* CLOCK_MONOTONIC now + `ms`, for pthread_cond_timedwait(): a wall clock
 * stepped by NTP would stretch or cut the wait. */
static struct timespec deadline_after(int ms)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static void lock(corm_pool *pool)
{
	int rc = pthread_mutex_lock(&pool->mu);

	assert(rc == 0);
	(void)rc;
}

static void unlock(corm_pool *pool)
{
	int rc = pthread_mutex_unlock(&pool->mu);

	assert(rc == 0);
	(void)rc;
}

/* ------------------------------------------------ opening and closing the pool */

/* Free a pool whose idle connections are all in `idle`. */
static void pool_free(corm_pool *pool)
{
	int i;

	if (!pool)
		return;
	for (i = 0; i < pool->nidle; i++)
		corm_conn_close(pool->idle[i].conn);
	if (pool->have_back)
		pthread_cond_destroy(&pool->back);
	if (pool->have_mu)
		pthread_mutex_destroy(&pool->mu);
	if (pool->url) {
		/* Don't leave the password lying in freed memory. */
		volatile char *p = pool->url;

		while (*p)
			*p++ = '\0';
	}
	corm_free(pool->url);
	corm_free(pool->idle);
	corm_free(pool);
}

static int check_options(const corm_pool_options *o)
{
	if (o->max_size < 1 || o->max_size > POOL_MAX_SIZE_LIMIT)
		return corm_error__set_thread(CORM_EINVAL, NULL,
			"corm_pool_open: max_size %d is out of range (1..%d)",
			o->max_size, POOL_MAX_SIZE_LIMIT);
	if (o->wait_timeout_ms < 0)
		return corm_error__set_thread(CORM_EINVAL, NULL,
			"corm_pool_open: wait_timeout_ms %d is negative "
			"(0 means don't wait)", o->wait_timeout_ms);
	if (o->check_idle_ms < 0)
		return corm_error__set_thread(CORM_EINVAL, NULL,
			"corm_pool_open: check_idle_ms %d is negative "
			"(0 means ping every time)", o->check_idle_ms);
	return CORM_OK;
}

/* The condition variable waits on CLOCK_MONOTONIC (see deadline_after). */
static int init_sync(corm_pool *pool)
{
	pthread_condattr_t attr;
	int rc;

	if (pthread_mutex_init(&pool->mu, NULL) != 0)
		goto fail;
	pool->have_mu = true;
	if (pthread_condattr_init(&attr) != 0)
		goto fail;
	rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc == 0)
		rc = pthread_cond_init(&pool->back, &attr);
	pthread_condattr_destroy(&attr);
	if (rc != 0)
		goto fail;
	pool->have_back = true;
	return CORM_OK;
fail:
	return corm_error__set_thread(CORM_ENOMEM, NULL,
		"corm_pool_open: cannot create the pool's mutex or condition "
		"variable");
}

int corm_pool_open(corm_pool **out, const char *url,
	const corm_pool_options *opts)
{
	corm_pool_options o = CORM_POOL_OPTIONS_INIT;
	corm_url *parsed = NULL;
	corm_pool *pool = NULL;
	corm_conn *first = NULL;
	int error;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	corm_error__clear_thread();
	if (opts)
		o = *opts;
	if (!url) {
		error = corm_error__set_thread(CORM_EINVAL, NULL,
			"corm_pool_open: url is NULL");
		goto done;
	}
	if ((error = check_options(&o)) != CORM_OK)
		goto done;
	/* Parsed here only to refuse a pool of private in-memory databases;
	 * the driver validates the rest when it opens the first connection. */
	if ((error = corm_url_parse(&parsed, url)) != CORM_OK)
		goto done;
	if (corm_dialect_find(parsed->scheme)->file_database &&
	    parsed->database &&
	    strcmp(parsed->database, ":memory:") == 0 && o.max_size > 1) {
		error = corm_error__set_thread(CORM_EINVAL, NULL,
			"corm_pool_open: every connection to %s::memory: "
			"is its own empty database, so a pool of %d would "
			"hand out different databases; use a file "
			"(%s:app.db) or max_size 1", parsed->scheme, o.max_size,
			parsed->scheme);
		goto done;
	}

	pool = corm_calloc(1, sizeof(*pool));
	if (pool) {
		pool->url = corm_strdup(url);
		pool->idle = corm_calloc((size_t)o.max_size,
			sizeof(*pool->idle));
	}
	if (!pool || !pool->url || !pool->idle) {
		error = corm_error__set_thread(CORM_ENOMEM, NULL,
			"out of memory");
		goto done;
	}
	pool->opts = o;
	if ((error = init_sync(pool)) != CORM_OK)
		goto done;

	/* Eagerly, so a wrong URL or password fails at startup. */
	if ((error = corm_conn_open(&first, url)) != CORM_OK)
		goto done;
	pool->idle[0].conn = first;
	pool->idle[0].since_ms = now_ms();
	pool->nidle = 1;
	pool->nopen = 1;
	*out = pool;
	pool = NULL;
done:
	pool_free(pool);
	corm_url_free(parsed);
	return error;
}

void corm_pool_close(corm_pool *pool)
{
	if (!pool)
		return;
	lock(pool);
	/* A connection still out would come back to freed memory. */
	assert(pool->nopen == pool->nidle &&
		"corm_pool_close: connections are still out");
	unlock(pool);
	pool_free(pool);
}

/* ------------------------------------------------------- taking a connection */

/*
 * Can `ic`, just taken off the idle stack, be handed out? Not when its
 * call lost the connection; and one idle for check_idle_ms or longer
 * must answer a ping first (a server restart or an idle timeout on the
 * server kills connections silently).
 */
static bool usable(const corm_pool *pool, const idle_conn *ic)
{
	if (corm_conn_lost(ic->conn))
		return false;
	if (now_ms() - ic->since_ms >= pool->opts.check_idle_ms)
		return corm_conn_ping(ic->conn) == CORM_OK;
	return true;
}

/* A reserved slot was not filled after all: let a waiter use it. */
static void release_slot(corm_pool *pool)
{
	lock(pool);
	assert(pool->nopen > 0);
	pool->nopen--;
	pthread_cond_signal(&pool->back);
	unlock(pool);
}

int corm_pool_get(corm_conn **out, corm_pool *pool)
{
	struct timespec deadline = { 0, 0 };
	corm_conn *conn = NULL;
	idle_conn taken = { NULL, 0 };
	bool reserved = false; /* we hold a slot to open a connection in */
	bool waited = false, timed_out = false;
	int error = CORM_OK;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	corm_error__clear_thread();
	if (!pool)
		return corm_error__set_thread(CORM_EINVAL, NULL,
			"corm_pool_get: pool is NULL");

	lock(pool);
	for (;;) {
		if (pool->nidle > 0) {
			/* LIFO: the most recently used is the warmest. */
			taken = pool->idle[--pool->nidle];
			break;
		}
		if (pool->nopen < pool->opts.max_size) {
			pool->nopen++;
			reserved = true;
			break;
		}
		if (timed_out || pool->opts.wait_timeout_ms == 0) {
			error = CORM_EBUSY;
			break;
		}
		if (!waited) {
			deadline = deadline_after(pool->opts.wait_timeout_ms);
			waited = true;
		}
		/* Woken by a put (or spuriously): look again either way; on a
		 * timeout, look once more before giving up. */
		if (pthread_cond_timedwait(&pool->back, &pool->mu, &deadline) ==
		    ETIMEDOUT)
			timed_out = true;
	}
	unlock(pool);

	if (error == CORM_EBUSY) {
		corm_error__set_thread(CORM_EBUSY, NULL,
			"corm_pool_get: the pool is exhausted (max_size %d, "
			"waited %d ms): every connection is out and none was "
			"put back in time; make sure each handler calls "
			"corm_pool_put() on every path and keeps its "
			"transactions short, or raise max_size or "
			"wait_timeout_ms", pool->opts.max_size,
			pool->opts.wait_timeout_ms);
		goto done;
	}

	if (taken.conn) {
		if (usable(pool, &taken)) {
			conn = taken.conn;
			/* The last user's failure is not the next user's. */
			corm_conn__clear_error(conn);
			goto done;
		}
		/* Replace it: its slot becomes ours to fill. */
		corm_conn_close(taken.conn);
		reserved = true;
	}
	assert(reserved);
	if ((error = corm_conn_open(&conn, pool->url)) != CORM_OK)
		release_slot(pool);
done:
	*out = conn;
	return error;
}

/* --------------------------------------------------------- giving one back */

void corm_pool_put(corm_pool *pool, corm_conn *conn)
{
	bool keep = true;
	int64_t now;

	if (!conn)
		return;
	assert(pool && "corm_pool_put: pool is NULL");
	if (!pool) {
		corm_conn_close(conn);
		return;
	}
	/* A handler that forgot its transaction must not hand it to the next
	 * request: roll back every level. If that fails we can't vouch for
	 * the session's state, so it is closed. */
	while (keep && corm_tx_depth(conn) > 0)
		keep = corm_tx_rollback(conn) == CORM_OK;
	if (corm_conn_lost(conn))
		keep = false;
	if (!keep)
		corm_conn_close(conn);
	now = now_ms();

	lock(pool);
	assert(pool->nopen > pool->nidle &&
		"corm_pool_put: more connections put back than taken");
	if (keep) {
		assert(pool->nidle < pool->opts.max_size);
		pool->idle[pool->nidle].conn = conn;
		pool->idle[pool->nidle].since_ms = now;
		pool->nidle++;
	} else {
		pool->nopen--;
	}
	/* One connection or one slot: enough for one waiter. */
	pthread_cond_signal(&pool->back);
	unlock(pool);
}
