/*
 * pool.h — a thread-safe pool of connections to one database, for
 * programs that serve many requests at once: each handler thread takes a
 * connection with corm_pool_get(), uses it alone, and gives it back with
 * corm_pool_put().
 *
 * How it behaves:
 *   - corm_pool_open() checks the URL and opens one connection at once, so
 *     a bad URL or password fails at startup, not on the first request.
 *     Further connections are opened on demand, up to max_size.
 *   - corm_pool_get() hands out the most recently used idle connection
 *     (LIFO: the busy working set stays warm, the rest stay idle long
 *     enough to be health-checked), else opens a new one, else waits for
 *     one to come back, up to wait_timeout_ms.
 *   - Before handing out an idle connection it checks it: one whose
 *     connection was lost (corm_conn_lost()) is replaced; one idle for
 *     check_idle_ms or longer is pinged first and replaced if the ping
 *     fails.
 *   - corm_pool_put() rolls back a transaction the handler left open, and
 *     closes (instead of keeping) a connection that is broken.
 *   - Each connection keeps its own statement cache, so statements
 *     prepared through corm_stmt_cached() survive from one checkout of that
 *     connection to the next.
 *
 * Every function here may be called from any thread. A connection taken
 * from the pool is the calling thread's until it is put back.
 */
#ifndef CORM_POOL_H
#define CORM_POOL_H

#include "corm.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corm_pool corm_pool;

/*
 * Zero is a meaningful value for the two timeouts, so start from
 * CORM_POOL_OPTIONS_INIT (the defaults) and change what you need:
 *
 *     corm_pool_options o = CORM_POOL_OPTIONS_INIT;
 *     o.max_size = 32;
 */
typedef struct corm_pool_options {
	int max_size;        /* connections open at most, 1..65536;
	                      * default 10 */
	int wait_timeout_ms; /* how long corm_pool_get() waits for a
	                      * connection to come back when max_size are out;
	                      * default 5000; 0: don't wait */
	int check_idle_ms;   /* ping a connection idle this long or longer
	                      * before handing it out; default 1000;
	                      * 0: ping every time */
} corm_pool_options;

#define CORM_POOL_DEFAULT_MAX_SIZE 10
#define CORM_POOL_DEFAULT_WAIT_TIMEOUT_MS 5000
#define CORM_POOL_DEFAULT_CHECK_IDLE_MS 1000

#define CORM_POOL_OPTIONS_INIT                                                \
	{ CORM_POOL_DEFAULT_MAX_SIZE, CORM_POOL_DEFAULT_WAIT_TIMEOUT_MS,      \
	  CORM_POOL_DEFAULT_CHECK_IDLE_MS }

/*
 * Create a pool of connections to `url` (any URL corm_conn_open() takes;
 * it is copied) and open its first connection. `opts` is copied; NULL
 * means CORM_POOL_OPTIONS_INIT.
 *
 * Errors: whatever corm_conn_open() answers for the first connection
 * (CORM_EURL, CORM_ESCHEME, CORM_EAUTH, CORM_ECONNECT, CORM_ENOMEM);
 * CORM_EINVAL for an option out of range, or for `sqlite::memory:` with
 * max_size above 1 (each connection would be its own empty database).
 * On failure *out is NULL and corm_errmsg(NULL) says why.
 *
 * The pool is the caller's: close it with corm_pool_close().
 */
int corm_pool_open(corm_pool **out, const char *url,
	const corm_pool_options *opts);

/*
 * Take a connection. It is the caller's alone until corm_pool_put(); do
 * not close it. Waits up to wait_timeout_ms when max_size connections are
 * out. The connection starts with no error (corm_errcode() is CORM_OK) and
 * no open transaction.
 *
 * A connection that broke while idle for less than check_idle_ms is not
 * pinged and can be handed out; its first statement then answers
 * CORM_ECONNLOST, and putting it back replaces it.
 *
 * Errors (*out is NULL and corm_errmsg(NULL) says why):
 *   CORM_EBUSY  the pool stayed exhausted for wait_timeout_ms (retryable:
 *               corm_is_retryable() is true);
 *   whatever corm_conn_open() answers when a new connection, or the
 *   replacement of a broken one, cannot be opened (CORM_ECONNECT after the
 *   server went away, ...).
 */
int corm_pool_get(corm_conn **out, corm_pool *pool);

/*
 * Give `conn` (taken from `pool`) back; the pool owns it again and the
 * caller must not use it any more. NULL is a no-op.
 *
 * Free every statement of `conn` first (corm_stmt_free()). A transaction
 * opened with corm_tx_begin() and still open is rolled back, every level
 * of it; if that fails the connection is closed instead of kept. A
 * connection that was lost (corm_conn_lost()) is closed too. Either
 * way one thread waiting in corm_pool_get() is woken (waiters are not
 * served in strict arrival order). Other session state (SET variables,
 * temporary tables) is kept: resetting it would also drop the prepared
 * statements.
 */
void corm_pool_put(corm_pool *pool, corm_conn *conn);

/*
 * Close every connection and free the pool. NULL-safe. Every connection
 * taken must have been put back, and no thread may be inside
 * corm_pool_get(): closing a pool still in use is a programming error
 * (an assertion in debug builds; undefined behaviour otherwise).
 */
void corm_pool_close(corm_pool *pool);

#ifdef __cplusplus
}
#endif

#endif /* CORM_POOL_H */
