/*
 * batch.h — many independent lookups by key, sent together.
 *
 * A handler that needs 20 rows by their keys (the TechEmpower "multiple
 * queries" shape) queues them in a batch and runs it once:
 *
 *     corm_batch *b;
 *     world rows[20];
 *
 *     corm_batch_new(&b, db);
 *     for (i = 0; i < 20; i++)
 *         world_get_batched(&rows[i], b, ids[i], &arena);
 *     rc = corm_batch_run(b);          // CORM_OK: every item answered
 *     for (i = 0; i < 20; i++)
 *         if (corm_batch_status(b, i) == CORM_OK) ... rows[i] ...
 *     corm_batch_free(b);
 *
 * On PostgreSQL the lookups go out in one pipeline (libpq pipeline mode:
 * every query, then one sync) and the answers come back in one round
 * trip. SQLite and MySQL/MariaDB run them one after another, exactly as
 * <model>_get would: SQLite has no round trips to save, and MariaDB
 * Connector/C has no pipelining of prepared statements.
 *
 * Each item answers on its own, as if it had been run alone with
 * <model>_get: CORM_OK (its row was read), CORM_ENOTFOUND, or an error.
 * See corm_batch_run() for what a failing item does to the others.
 *
 * Ownership: the batch is the caller's (corm_batch_free). It copies each
 * key when the item is queued, so the caller's key values may change
 * before the run. It does not own the rows or arenas the items write to:
 * those must stay valid until corm_batch_run() returns.
 */
#ifndef CORM_BATCH_H
#define CORM_BATCH_H

#include <stddef.h>

#include "arena.h"
#include "corm.h"
#include "model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct corm_batch corm_batch;

/* A new, empty batch of lookups on `db`. The batch is the caller's: free
 * it with corm_batch_free() before closing `db`. Errors: CORM_EINVAL,
 * CORM_ENOMEM. */
int corm_batch_new(corm_batch **out, corm_conn *db);

/* Free the batch. NULL-safe. Rows already read stay in their arenas. */
void corm_batch_free(corm_batch *b);

/*
 * Queue a read of the row of model `m` whose key equals the key fields of
 * `key` into `out` (an m->size-byte struct), its text and bytes copied
 * into `arena` when the batch runs. The key fields are copied now; the
 * other fields of `key` are not read. Generated code wraps this as
 * <model>_get_batched(out, b, key..., arena).
 *
 * Returns CORM_OK, or CORM_EINVAL / CORM_ENOMEM. A failure is also kept
 * by the batch: corm_batch_run() then returns it without running
 * anything, so a loop of adds needs no check of its own.
 */
int corm_batch_get(void *out, corm_batch *b, const corm_model_desc *m,
	const void *key, corm_arena *arena);

/*
 * Run every queued item, in the order queued. Returns CORM_OK when every
 * item was answered, found or not (check each with corm_batch_status());
 * otherwise the code of the first item, in queue order, that failed, with
 * its message in corm_errmsg(db). An empty batch does nothing.
 *
 * A failing item (a type error reading it, a statement error) does not
 * stop the others outside a transaction: on PostgreSQL, whose pipeline
 * skips everything after a failed query, the items after it are sent
 * again in a new pipeline. Inside a transaction a server-side failure
 * aborts the transaction on PostgreSQL, as it would one statement at a
 * time, and the items after it answer CORM_ERROR with SQLSTATE 25P02;
 * roll back as after any error. A lost connection answers
 * CORM_ECONNLOST for every item not yet answered.
 *
 * Running a batch again runs every item again; corm_batch_clear() empties
 * it for new items. Works inside corm transactions (the items see the
 * transaction's writes) and outside them.
 */
int corm_batch_run(corm_batch *b);

/* Items queued since corm_batch_new() or corm_batch_clear(). */
size_t corm_batch_count(const corm_batch *b);

/* Item i's answer from the last run (i counts from 0 in the order
 * queued): CORM_OK, CORM_ENOTFOUND or a negative error code. CORM_EINVAL
 * when there is no item i or the batch has not run since it was queued. */
int corm_batch_status(const corm_batch *b, size_t i);

/* Item i's error message from the last run ("" when it succeeded or has
 * not run). Borrowed from the batch: valid until it runs again, is
 * cleared or is freed. Never NULL. */
const char *corm_batch_errmsg(const corm_batch *b, size_t i);

/* Forget every item (and a failed add), keeping the memory for new ones. */
void corm_batch_clear(corm_batch *b);

#ifdef __cplusplus
}
#endif

#endif /* CORM_BATCH_H */
