/*
 * tx.c — corm_tx_run(): a callback run in a transaction, and run again
 * when the engine says the transaction lost a race (serialization
 * failure, deadlock, busy), with exponential backoff and jitter between
 * attempts.
 *
 * Divided into: the per-thread random source for jitter, sleeping, the
 * helper itself.
 */
#include <errno.h>
#include <stdint.h>
#include <time.h>

#include "internal.h"

/* ------------------------------------------------------------------ jitter */

/* xorshift64*, one state per thread: no lock, and no rand(), whose state
 * the application owns. Seeded on first use from the clock and the
 * address of the state itself, which differs between threads. */
static _Thread_local uint64_t jitter_state;

/* splitmix64: spreads a poor seed (close clock readings) over all bits. */
static uint64_t mix64(uint64_t x)
{
	x += UINT64_C(0x9e3779b97f4a7c15);
	x = (x ^ (x >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94d049bb133111eb);
	return x ^ (x >> 31);
}

static uint64_t jitter_next(void)
{
	uint64_t x = jitter_state;

	if (x == 0) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		x = mix64(((uint64_t)ts.tv_sec * UINT64_C(1000000000) +
			(uint64_t)ts.tv_nsec) ^ (uint64_t)(uintptr_t)&jitter_state);
		if (x == 0)
			x = UINT64_C(0x2545f4914f6cdd1d); /* xorshift needs != 0 */
	}
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	jitter_state = x;
	return x * UINT64_C(0x2545f4914f6cdd1d);
}

/* ---------------------------------------------------------------- sleeping */

/*
 * How long to wait before attempt `next` (2, 3, ...): the base doubled
 * for each earlier retry, capped, then a random point in its upper half
 * ("equal jitter"): never ~0, so colliding clients do not collide again
 * at once, and spread over the rest so they drift apart.
 */
static long backoff_ms(const corm_tx_options *o, int next)
{
	long long delay = o->base_delay_ms; /* doubled at most to 2 * INT_MAX */
	int i;

	for (i = 2; i < next && delay < o->max_delay_ms; i++)
		delay *= 2;
	if (delay > o->max_delay_ms)
		delay = o->max_delay_ms;
	if (delay <= 1)
		return (long)delay;
	return (long)(delay - delay / 2 +
		(long long)(jitter_next() % (uint64_t)(delay / 2 + 1)));
}

static void sleep_ms(long ms)
{
	struct timespec ts, rest;

	if (ms <= 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &rest) != 0 && errno == EINTR)
		ts = rest; /* a signal: sleep what is left */
}

/* -------------------------------------------------------------- the helper */

/* Roll back every level above `depth`, keeping the error that caused it
 * as the connection's last error. */
static int unwind_to(corm_conn *db, int depth, int error)
{
	while (db->tx_depth > depth) {
		int before = db->tx_depth;

		corm_tx__rollback_keeping_error(db, error);
		if (db->tx_depth >= before)
			break; /* cannot happen: a rollback always drops a level */
	}
	return error;
}

int corm_tx_run(corm_conn *db, corm_tx_fn fn, void *ctx,
	const corm_tx_options *opts)
{
	static const corm_tx_options defaults = CORM_TX_OPTIONS_INIT;
	const corm_tx_options *o = opts ? opts : &defaults;
	int depth, attempts, attempt, error;

	if (!db)
		return CORM_EINVAL;
	corm_conn__begin_call(db);
	if (!fn)
		return corm_conn__set_error(db, CORM_EINVAL, NULL,
			"corm_tx_run: fn is NULL");
	if (o->max_attempts < 1 || o->base_delay_ms < 0 ||
		o->max_delay_ms < o->base_delay_ms)
		return corm_conn__set_error(db, CORM_EINVAL, NULL,
			"corm_tx_run: bad options (max_attempts %d must be >= 1, "
			"0 <= base_delay_ms %d <= max_delay_ms %d)", o->max_attempts,
			o->base_delay_ms, o->max_delay_ms);

	depth = db->tx_depth;
	/* Nested: a savepoint, never retried here (see corm.h). */
	attempts = depth > 0 ? 1 : o->max_attempts;
	for (attempt = 1;; attempt++) {
		if ((error = corm_tx_begin_opts(db, o)) == CORM_OK) {
			error = fn(db, ctx);
			if (db->tx_depth != depth + 1) {
				/* fn committed or rolled back our level, or left its
				 * own open: there is no sound way on from here. */
				int left = db->tx_depth;

				corm_conn__set_error(db, CORM_EINVAL, NULL,
					"corm_tx_run: the callback left the transaction "
					"depth at %d, expected %d (match each "
					"corm_tx_begin() with one commit or rollback)",
					left, depth + 1);
				return unwind_to(db, depth, CORM_EINVAL);
			}
			if (error >= 0) {
				int value = error;

				/* A failed outermost COMMIT has rolled back already;
				 * a failed RELEASE SAVEPOINT leaves the level open. */
				if ((error = corm_tx_commit(db)) == CORM_OK)
					return value;
			}
			unwind_to(db, depth, error);
		}
		if (!corm_is_retryable(error) || attempt >= attempts)
			return error;
		sleep_ms(backoff_ms(o, attempt + 1));
	}
}
