/*
 * corm.h — the public runtime API of libcorm.
 *
 * The file is divided into: version, status and error codes, the allocator
 * (corm/alloc.h, included here), connections, statements (prepare, bind, step, read), transactions.
 *
 * Conventions, true of every function here:
 *   - Functions return int: CORM_OK (0), a positive status (CORM_ROW,
 *     CORM_DONE) or a negative CORM_E... code.
 *   - Out-parameters come first and are named `out`. On failure *out is set
 *     to NULL (or left untouched for scalars).
 *   - What comes back through `**out` is the caller's, freed by the matching
 *     NULL-safe corm_<type>_free() / corm_conn_close().
 *   - Values are always bound as parameters; SQL text never holds a value.
 *   - One corm_conn is used by one thread at a time.
 */
#ifndef CORM_CORM_H
#define CORM_CORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "alloc.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---------------------------------------------------------------- version */

#define CORM_VERSION_MAJOR 0
#define CORM_VERSION_MINOR 1
#define CORM_VERSION_PATCH 0
#define CORM_VERSION_STRING "0.1.0"
/* One number that grows with every release: generated code checks it. */
#define CORM_RUNTIME_VERSION                                                  \
	(CORM_VERSION_MAJOR * 10000 + CORM_VERSION_MINOR * 100 + CORM_VERSION_PATCH)

/* The version of the library actually linked, as CORM_RUNTIME_VERSION. */
int corm_runtime_version(void);

/* ------------------------------------------------------- status and errors */

enum {
	CORM_OK = 0,
	CORM_ROW = 100,  /* corm_step(): a row is ready to read */
	CORM_DONE = 101, /* corm_step(): the statement has finished */

	CORM_ERROR = -1,        /* an engine error with no portable mapping */
	CORM_ENOMEM = -2,       /* an allocation failed */
	CORM_EINVAL = -3,       /* a bad argument or a call out of order */
	CORM_EURL = -4,         /* a malformed database URL */
	CORM_ESCHEME = -5,      /* unknown URL scheme, or its driver not built */
	CORM_EAUTH = -6,        /* the server refused the credentials */
	CORM_ECONNECT = -7,     /* the server could not be reached in time */
	CORM_ECONNLOST = -8,    /* an open connection broke */
	CORM_EUNIQUE = -9,      /* unique or primary-key violation */
	CORM_EFOREIGNKEY = -10, /* foreign-key violation */
	CORM_ENOTNULL = -11,    /* NULL into a NOT NULL column */
	CORM_ECHECK = -12,      /* CHECK constraint violation */
	CORM_ESERIALIZATION = -13, /* serialization failure (retryable) */
	CORM_EDEADLOCK = -14,   /* deadlock detected (retryable) */
	CORM_EBUSY = -15,       /* lock or busy timeout (retryable) */
	CORM_ENOTFOUND = -16,   /* no row where one was required */
	CORM_EUNSUPPORTED = -17, /* the driver or engine cannot do this */
	CORM_ETYPE = -18,       /* a column cannot be read as that C type */
	CORM_ERANGE = -19,      /* a value is out of the column's range */
	CORM_ETOOLONG = -20,    /* a value is longer than the column allows */
	CORM_ESQL = -21,        /* the engine rejected the SQL (syntax, schema) */
	CORM_ESTALE = -22       /* the row changed since it was read (an
	                         * @version check failed; retryable) */
};

/* A short English description of a CORM_* code; never NULL. */
const char *corm_strerror(int code);

/* True for the codes a caller should retry the whole transaction on:
 * CORM_ESERIALIZATION, CORM_EDEADLOCK, CORM_EBUSY and CORM_ESTALE. */
bool corm_is_retryable(int code);

/* ------------------------------------------------------------- allocator */

/* corm_set_allocator() and corm_malloc() ... corm_free(): corm/alloc.h. */

/* --------------------------------------------------------------- connections */

typedef struct corm_conn corm_conn;
typedef struct corm_stmt corm_stmt;
typedef struct corm_dialect corm_dialect;

/*
 * Open a connection. URL forms:
 *   sqlite:path/to/file.db     sqlite:///abs/path.db    sqlite::memory:
 *   postgres://user:pass@host:port/db?sslmode=...        (postgresql:// too)
 *   mysql://user:pass@host:port/db                       (mariadb:// too)
 * Query parameters understood by every driver:
 *   connect_timeout=SECONDS  (default 10; 0 waits forever)
 *   statement_cache=N        (prepared statements kept per connection,
 *                             default 64; 0 disables the cache)
 * and per driver: sqlite busy_timeout=MS (default 5000); postgres passes
 * any other libpq keyword through; mysql socket=PATH.
 *
 * Errors: CORM_EURL, CORM_ESCHEME, CORM_EAUTH, CORM_ECONNECT, CORM_ENOMEM.
 * On failure *out is NULL and corm_errmsg(NULL) says why.
 * The connection is the caller's: close it with corm_conn_close().
 */
int corm_conn_open(corm_conn **out, const char *url);

/* Close and free. NULL-safe. Cached statements die with the connection;
 * statements the caller prepared must be freed before. */
void corm_conn_close(corm_conn *c);

/* The dialect of the connection's engine (borrowed, static). */
const corm_dialect *corm_conn_dialect(const corm_conn *c);

/* The most parameters one statement may bind on this connection: 65,535
 * on PostgreSQL and MySQL, SQLITE_LIMIT_VARIABLE_NUMBER on SQLite (a
 * build-time setting: 32,766 by default, 250,000 in Debian's build). A
 * longer statement fails with CORM_ETOOLONG before it is sent. */
int corm_conn_max_params(const corm_conn *c);

/* "sqlite", "postgres" or "mysql" (borrowed, static). */
const char *corm_conn_driver_name(const corm_conn *c);

/* Cheap liveness check: CORM_OK, or CORM_ECONNLOST when the server has
 * gone away. */
int corm_conn_ping(corm_conn *c);

/* True once any call on `c` has reported CORM_ECONNLOST: the connection
 * is dead for good, whatever later calls answered. */
bool corm_conn_lost(const corm_conn *c);

/*
 * The message of the last failed call on `c`: the engine's own text, with
 * its own code in brackets where it has one. Calls that reach the engine
 * (exec, prepare, step, transactions, ping) clear it first, so after one
 * of them succeeds corm_errcode() is CORM_OK. Resetting or freeing a
 * statement keeps it: they follow the step that failed. With c == NULL: the last
 * failure of corm_conn_open() on this thread. Borrowed; valid until the
 * next call on `c` (or the next open on this thread). Never NULL.
 */
const char *corm_errmsg(const corm_conn *c);

/* The CORM_* code of the last failed call on `c` (or this thread's last
 * failed open when c is NULL); CORM_OK when there was none. */
int corm_errcode(const corm_conn *c);

/* The engine's own code for the last failure, as text: a PostgreSQL
 * SQLSTATE ("23505"), a MySQL error number ("1062"), an SQLite extended
 * result code ("2067"). "" when there is none. Borrowed, like errmsg. */
const char *corm_errcode_native(const corm_conn *c);

/* Run SQL text with no parameters: one or more statements separated by
 * semicolons. Rows any of them return are discarded. */
int corm_exec(corm_conn *c, const char *sql);

/* ---------------------------------------------------------------- statements */

/* What a column or a bound parameter holds. */
typedef enum corm_type {
	CORM_TYPE_NULL = 0,
	CORM_TYPE_INT = 1,    /* int64_t (booleans read as 0 / 1) */
	CORM_TYPE_DOUBLE = 2, /* double */
	CORM_TYPE_TEXT = 3,   /* UTF-8 bytes; also decimals, dates, uuids, json */
	CORM_TYPE_BLOB = 4    /* bytes */
} corm_type;

/* Pass as a text length to mean "up to the terminating NUL". */
#define CORM_NTS ((size_t)-1)

/*
 * Prepare `sql`, written in the connection's dialect (placeholders `?` on
 * SQLite and MySQL, `$1`.. on PostgreSQL; see corm_conn_dialect()).
 * The statement is the caller's: free it with corm_stmt_free().
 */
int corm_stmt_prepare(corm_stmt **out, corm_conn *c, const char *sql);

/*
 * Like corm_stmt_prepare(), but taken from the connection's statement
 * cache: prepared on first use, reused afterwards. The statement belongs
 * to the connection; hand it back with corm_stmt_free(), which resets it
 * and returns it to the cache. If the cached one is already handed out
 * (a query run while another with the same SQL is being read), a second
 * statement is prepared and cached beside it.
 */
int corm_stmt_cached(corm_stmt **out, corm_conn *c, const char *sql);

/* Free a prepared statement, or return a cached one. NULL-safe. */
void corm_stmt_free(corm_stmt *s);

/* The SQL the statement was prepared from (borrowed). */
const char *corm_stmt_sql(const corm_stmt *s);

/* The number of parameters the SQL expects. */
int corm_stmt_param_count(const corm_stmt *s);

/*
 * Bind parameter `idx`, counted from 1 as the placeholders are. Text and
 * blob bytes are NOT copied: they must stay valid until the statement is
 * reset, freed, or the parameter bound again. Text length CORM_NTS means
 * strlen(). Binding after corm_step() without a reset is CORM_EINVAL.
 */
int corm_bind_null(corm_stmt *s, int idx);
int corm_bind_int64(corm_stmt *s, int idx, int64_t v);
int corm_bind_double(corm_stmt *s, int idx, double v);
int corm_bind_bool(corm_stmt *s, int idx, bool v);
int corm_bind_text(corm_stmt *s, int idx, const char *v, size_t len);
int corm_bind_blob(corm_stmt *s, int idx, const void *v, size_t len);

/*
 * Run the statement, or advance to its next row. The first call after a
 * prepare or reset sends the bound parameters; parameters left unbound are
 * NULL. Returns CORM_ROW when a row can be read, CORM_DONE when there are
 * no (more) rows, or a negative code (see corm_errmsg(conn)).
 */
int corm_step(corm_stmt *s);

/* Make the statement ready to run again: discards any unread rows and
 * clears every binding. */
int corm_stmt_reset(corm_stmt *s);

/* Rows changed by the last run of an INSERT, UPDATE or DELETE. */
int corm_stmt_changes(int64_t *out, corm_stmt *s);

/* The key generated for an auto-increment column by the last INSERT run
 * through this statement (SQLite and MySQL; on PostgreSQL use RETURNING,
 * this answers CORM_EUNSUPPORTED). */
int corm_stmt_last_insert_id(int64_t *out, corm_stmt *s);

/*
 * Reading the current row. Columns count from 0. The pointers returned for
 * text and blobs are borrowed: valid until the next corm_step(),
 * corm_stmt_reset() or corm_stmt_free() on the statement. Text is always
 * NUL-terminated (it may also hold NULs: use the length).
 * Reading NULL, or a value that does not convert exactly (text that is not
 * a number, an out-of-range integer), answers CORM_ETYPE; check
 * corm_column_is_null() for nullable columns.
 */
int corm_column_count(const corm_stmt *s);
const char *corm_column_name(const corm_stmt *s, int col);
corm_type corm_column_type(const corm_stmt *s, int col);
bool corm_column_is_null(const corm_stmt *s, int col);
int corm_column_int64(int64_t *out, corm_stmt *s, int col);
int corm_column_double(double *out, corm_stmt *s, int col);
int corm_column_bool(bool *out, corm_stmt *s, int col);
int corm_column_text(const char **out, size_t *len, corm_stmt *s, int col);
int corm_column_blob(const void **out, size_t *len, corm_stmt *s, int col);

/* -------------------------------------------------------------- streaming */

/*
 * Read the statement's rows one at a time from the server instead of
 * buffering the whole result at the first step, so a result of any size
 * is read in constant memory. Off by default. Call it before the first
 * corm_step() (CORM_EINVAL after); corm_stmt_reset() keeps the setting,
 * returning a cached statement with corm_stmt_free() clears it.
 *
 *   - PostgreSQL: libpq's single-row mode (chunked mode where libpq has
 *     it). MySQL: rows are fetched from the socket as they are stepped
 *     (no mysql_stmt_store_result). SQLite always steps row by row: the
 *     setting is accepted and changes nothing.
 *   - Statements that return no rows run exactly as without it.
 *   - While a streaming statement has rows left, the server connection
 *     is busy with it. On PostgreSQL and MySQL, any other call that needs
 *     the connection (another statement's first step, a prepare,
 *     corm_exec, a transaction, ping; on MySQL also finalizing another
 *     statement) first ends the stream: its unread rows are
 *     discarded, and its next corm_step() answers CORM_EINVAL ("stream
 *     interrupted") until it is reset. The row it was on stays
 *     readable. The other call itself works as usual. So: to run
 *     queries for each row read, use a second connection or leave
 *     streaming off. SQLite steps statements side by side: nothing is
 *     interrupted there.
 *   - Resetting or freeing a statement mid-stream discards the rest; on
 *     PostgreSQL a large remainder of a SELECT run outside a transaction
 *     is cancelled on the server rather than read.
 *   - An error the server reports mid-stream (after rows were already
 *     returned) is the answer of that corm_step(); the statement then
 *     answers the same code until it is reset, and the connection stays
 *     usable.
 */
int corm_stmt_set_streaming(corm_stmt *s, bool on);

/* Whether corm_stmt_set_streaming() is on for `s`. */
bool corm_stmt_streaming(const corm_stmt *s);

/* ------------------------------------------------------------- transactions */

/*
 * The isolation level of a transaction. DEFAULT is the engine's own:
 * READ COMMITTED on PostgreSQL, REPEATABLE READ on MariaDB/MySQL.
 * SQLite runs every transaction serializably (one writer at a time, and
 * a write transaction takes the write lock at BEGIN), so it accepts every
 * level and gives SERIALIZABLE, which is at least what was asked for.
 */
typedef enum corm_isolation {
	CORM_ISOLATION_DEFAULT = 0,
	CORM_ISOLATION_READ_COMMITTED,
	CORM_ISOLATION_REPEATABLE_READ,
	CORM_ISOLATION_SERIALIZABLE
} corm_isolation;

typedef struct corm_tx_options {
	int max_attempts;  /* runs of fn at most, >= 1 (default 5) */
	int base_delay_ms; /* sleep before the 2nd run, doubled for each
			    * later one, with jitter (default 10; 0: none) */
	int max_delay_ms;  /* cap on one sleep (default 1000) */
	corm_isolation isolation; /* default CORM_ISOLATION_DEFAULT */
	bool read_only;    /* a read-only transaction (default false): the
			    * engine refuses writes in it; on SQLite it
			    * starts DEFERRED and takes no write lock */
} corm_tx_options;

#define CORM_TX_OPTIONS_INIT {5, 10, 1000, CORM_ISOLATION_DEFAULT, false}

/*
 * Transactions nest: the outermost corm_tx_begin() starts a transaction,
 * inner ones create savepoints. Each begin is matched by exactly one
 * commit or rollback; rolling back an inner level undoes only that level.
 *
 * corm_tx_begin() starts a read-write transaction at the engine's default
 * isolation. On SQLite that is BEGIN IMMEDIATE: the write lock is taken
 * at the start (waiting up to the busy timeout for another writer), so a
 * transaction that reads and then writes never fails with CORM_EBUSY
 * half-way, as a DEFERRED one would at once when another connection
 * wrote in between.
 */
int corm_tx_begin(corm_conn *c);

/*
 * corm_tx_begin() with an isolation level and read-only flag (only those
 * members of `opts` are read; NULL means the defaults). PostgreSQL:
 * BEGIN ISOLATION LEVEL ... [READ ONLY]; MariaDB/MySQL: SET TRANSACTION
 * ISOLATION LEVEL ... then START TRANSACTION [READ ONLY]; SQLite: BEGIN
 * IMMEDIATE, or BEGIN DEFERRED with PRAGMA query_only for read-only.
 * Nested (a transaction is open), it makes a savepoint, which cannot
 * change the level: asking for another level than the open
 * transaction's, or for read-only inside a read-write one, is
 * CORM_EINVAL.
 */
int corm_tx_begin_opts(corm_conn *c, const corm_tx_options *opts);

int corm_tx_commit(corm_conn *c);
int corm_tx_rollback(corm_conn *c);

/* How many levels are open: 0 outside a transaction. */
int corm_tx_depth(const corm_conn *c);

/* ------------------------------------------------- retrying transactions */

/*
 * The work of a transaction: run statements on `db`, return CORM_OK (or
 * any positive value) to commit, a negative CORM_* code to roll back.
 * Return the code of the corm call that failed as is, so a retryable one
 * (corm_is_retryable()) makes corm_tx_run() run the transaction again.
 * It may run several times: keep effects outside the database (sent
 * mail, counters in `ctx`) out of it, or make them idempotent.
 */
typedef int (*corm_tx_fn)(corm_conn *db, void *ctx);

/*
 * Run fn(db, ctx) inside corm_tx_begin() / corm_tx_commit().
 *
 * fn returning CORM_OK or a positive value commits; corm_tx_run() then
 * returns that value. A negative value rolls back and is returned, with
 * the connection's error (corm_errmsg()) still the one that caused it.
 * When fn or the COMMIT fails with a retryable code (serialization
 * failure, deadlock, busy), the transaction is rolled back and fn runs
 * again, up to opts->max_attempts runs in all, sleeping between them
 * (exponential backoff from base_delay_ms, capped at max_delay_ms, with
 * random jitter so colliding clients spread out). The last retryable
 * code is returned when every attempt failed.
 *
 * Nested (called while a transaction is open on `db`): fn runs in a
 * savepoint and is never retried here, since only the whole transaction
 * can be run again (MySQL undoes all of it on a deadlock, PostgreSQL
 * accepts nothing but a rollback after a serialization failure). An
 * error rolls back the savepoint and is returned to the outer caller;
 * if that is an outer corm_tx_run(), it retries the whole.
 *
 * The transaction starts as corm_tx_begin_opts(db, opts) does, so at
 * opts->isolation and read-only when asked. At SERIALIZABLE (and at
 * REPEATABLE READ on PostgreSQL) the engine aborts one of two
 * transactions that would lose an update (serialization failure,
 * deadlock), and the retry here re-runs it on the new data: that makes
 * a plain read-then-write transaction correct, given max_attempts high
 * enough for the contention.
 *
 * fn must leave the transaction depth as it found it (each of its own
 * corm_tx_begin() matched); if not, its levels are rolled back and
 * CORM_EINVAL is returned. opts NULL means CORM_TX_OPTIONS_INIT.
 * CORM_EINVAL for a NULL db or fn, or options out of range.
 */
int corm_tx_run(corm_conn *db, corm_tx_fn fn, void *ctx,
	const corm_tx_options *opts);

#ifdef __cplusplus
}
#endif

#endif /* CORM_CORM_H */
