/*
 * sys/driver.h — what a database driver implements, and the helpers the
 * core offers it: the vtable, the connection and statement internals, URL
 * parsing. Application code never needs this header (the allocator it once
 * declared is in corm/alloc.h, which corm.h includes); corm/driver.h, the
 * name docs use, includes it.
 *
 * A driver is a corm_driver: a version field, then one function pointer per
 * operation. Its connection and statement types embed corm_conn / corm_stmt
 * as their first member, so the core can hold either:
 *
 *     struct pg_conn { corm_conn parent; PGconn *pg; };
 *
 * The core does argument checking, binding storage, the statement cache and
 * transactions; a driver only talks to its engine.
 *
 * Sections: URLs, the base structs, the vtable, helpers for drivers.
 */
#ifndef CORM_SYS_DRIVER_H
#define CORM_SYS_DRIVER_H

#include "../alloc.h"
#include "../arena.h"
#include "../corm.h"
#include "../dialect.h"
#include "../model.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CORM_DRIVER_VERSION 4 /* 2: run_batch; 3: read_row; 4: copy_in_rows */

/* --------------------------------------------------------------------- URLs */

typedef struct corm_url_param {
	char *key;
	char *value; /* "" for a bare `?key` */
} corm_url_param;

/* A parsed database URL; every string is percent-decoded and owned. */
typedef struct corm_url {
	char *scheme;   /* canonical: "sqlite", "postgres" or "mysql" */
	char *user;     /* NULL when absent */
	char *password; /* NULL when absent */
	char *host;     /* NULL when absent; IPv6 without brackets */
	int port;       /* 0 when absent */
	char *database; /* db name; for sqlite the file path or ":memory:" */
	corm_url_param *params;
	size_t nparams;
} corm_url;

/* Parse `text`. CORM_EURL (malformed), CORM_ESCHEME (unknown scheme) or
 * CORM_ENOMEM; the message is set as for a failed corm_conn_open(). */
int corm_url_parse(corm_url **out, const char *text);
void corm_url_free(corm_url *url);

/* The value of query parameter `key`, or NULL. Borrowed from `url`. */
const char *corm_url_param_get(const corm_url *url, const char *key);

/* Read an integer parameter: `*out` keeps its default when `key` is
 * absent; CORM_EURL when the value is not a whole number in [min, max]. */
int corm_url_param_int(int *out, const corm_url *url, const char *key,
	int min, int max);

/* CORM_EURL naming the first parameter that is neither a core parameter
 * (connect_timeout, statement_cache) nor in the NULL-terminated `known`. */
int corm_url_check_params(const corm_url *url, const char *const *known);

/* ----------------------------------------------------------- base structs */

typedef struct corm_driver corm_driver;
typedef struct corm_stmt_cache corm_stmt_cache;

#define CORM_ERRMSG_MAX 1024

struct corm_conn {
	const corm_driver *driver;
	int tx_depth;              /* open transaction levels */
	int err_code;              /* CORM_* code of the last failure */
	char err_native[16];       /* engine's code for it, or "" */
	char err_msg[CORM_ERRMSG_MAX];
	corm_stmt_cache *cache;    /* owned by the core */
	int connect_timeout;       /* seconds, from the URL */
	bool lost;                 /* a call reported CORM_ECONNLOST; sticky */
	int tx_isolation;          /* corm_isolation of the open transaction */
	bool tx_read_only;         /* the open transaction is read-only */
	int max_params;            /* the engine's parameter limit, when the
	                            * driver knows it better than its dialect
	                            * (0: the dialect's max_params) */
	/* Text columns of the database that do not compare by their bytes,
	 * as sorted "table\x1fcolumn" keys (orm/collations.c). */
	char **foreign_text;
	size_t nforeign_text;
};

/* One bound parameter. Text and blobs point at the caller's bytes. */
typedef struct corm_value {
	corm_type type;
	union {
		int64_t i;
		double d;
		struct {
			const char *ptr;
			size_t len;
		} bytes;
	} v;
} corm_value;

struct corm_stmt {
	corm_conn *conn;
	char *sql;            /* owned copy */
	int nparams;          /* set by the driver's prepare */
	corm_value *params;   /* nparams values, owned by the core */
	bool started;         /* stepped since the last reset */
	bool cached;          /* belongs to conn->cache */
	bool in_use;          /* a cached statement that is handed out */
	uint32_t hash;        /* of sql, for the cache */
	corm_stmt *cache_next; /* cache bucket chain */
	corm_stmt *lru_prev, *lru_next;
	corm_arena scratch;   /* numbers read as text; freed at each step */
	/* Added for streaming results (corm_stmt_set_streaming()): read at
	 * the first step. A driver that streams must itself end an open
	 * stream before it sends anything else on the connection, and make
	 * the interrupted statement's next step CORM_EINVAL. */
	bool streaming;       /* read rows one at a time; drivers may ignore */
};

/* One execution of a batch (run_batch below): a prepared statement of the
 * connection and the parameters to run it with. */
typedef struct corm_batch_exec {
	corm_stmt *stmt;
	const corm_value *params; /* stmt->nparams values */
} corm_batch_exec;

/* ------------------------------------------------------------------ vtable */

/*
 * Every slot takes the driver's own structs through the base pointer.
 * Errors: return a negative CORM_* code after corm_conn__set_error() (or
 * corm_error__set_thread() in `open`, where there is no connection yet).
 */
struct corm_driver {
	int version;                /* CORM_DRIVER_VERSION */
	const char *name;           /* "sqlite", "postgres", "mysql" */
	const corm_dialect *dialect;

	/* Connect, giving up after `timeout_seconds` (0: wait forever).
	 * `url->scheme` is the driver's. Must fail with CORM_EAUTH for bad
	 * credentials and CORM_ECONNECT for an unreachable server. */
	int (*open)(corm_conn **out, const corm_url *url, int timeout_seconds);

	/* Disconnect and free the connection struct. */
	void (*close)(corm_conn *c);

	/* Run parameterless SQL, possibly several statements. */
	int (*exec)(corm_conn *c, const char *sql);

	/* Prepare: allocate the driver's statement, fill in base.nparams.
	 * The core fills in the rest of the base after it returns. */
	int (*prepare)(corm_stmt **out, corm_conn *c, const char *sql);

	/* Free a statement's engine resources and the struct itself. */
	void (*finalize)(corm_stmt *s);

	/* The core calls this with s->started == false for the first step
	 * after prepare or reset (execute with s->params), and sets it to
	 * true after (a driver may keep its own state instead). Later calls:
	 * the next row. Once CORM_DONE has been
	 * returned, keep returning it until reset. Returns CORM_ROW,
	 * CORM_DONE or an error. */
	int (*step)(corm_stmt *s);

	/* Discard results so the statement can run again. */
	int (*reset)(corm_stmt *s);

	/* Column metadata of the current result. */
	int (*column_count)(const corm_stmt *s);
	const char *(*column_name)(const corm_stmt *s, int col);

	/* Fill `out` with the current row's value at `col`, in its natural
	 * kind (integers as CORM_TYPE_INT, reals as DOUBLE, bytes as BLOB,
	 * everything else TEXT). Pointers are valid until the next step or
	 * reset, and text is NUL-terminated. The core converts. */
	int (*column_value)(corm_value *out, corm_stmt *s, int col);

	/* Rows affected by the last execution. */
	int (*changes)(int64_t *out, corm_stmt *s);

	/* Optional (NULL: CORM_EUNSUPPORTED): auto-increment key of the last
	 * INSERT through this statement. */
	int (*last_insert_id)(int64_t *out, corm_stmt *s);

	/* CORM_OK when the connection is usable, else CORM_ECONNLOST. */
	int (*ping)(corm_conn *c);

	/* Optional (NULL: the core uses multi-row INSERTs): load `nrows`
	 * rows of `ncols` values each (row-major) through the engine's bulk
	 * path, started by `sql` (the dialect's COPY ... FROM STDIN). */
	int (*copy_in)(corm_conn *c, const char *sql, const corm_value *values,
		size_t nrows, int ncols);

	/* Version 2 and later (the core reads this slot only then). */

	/*
	 * Optional (NULL: the core runs the statements one at a time): run
	 * execs[0..n) in order with as few round trips as the engine allows
	 * (PostgreSQL: one pipeline). Several executions may share a
	 * statement; each brings its own parameters (stmt->nparams values,
	 * valid until this returns), and the statement's own bindings are
	 * not used. For every execution, in order, call answer(ctx, i, rc)
	 * exactly once: rc CORM_OK with the execution's result current on
	 * execs[i].stmt, which the callback reads with corm_step() and the
	 * column functions (the driver discards what it leaves), or the
	 * execution's error code with its message set on the connection.
	 * An execution that fails must not keep the ones after it from
	 * running, except where the engine itself makes them fail (an
	 * aborted transaction). Returns CORM_OK when every execution was
	 * answered, or the error (a lost connection) that stopped the run
	 * after answering every remaining execution with it. The connection
	 * is left as usable as before, in every path.
	 */
	int (*run_batch)(corm_conn *c, const struct corm_batch_exec *execs,
		size_t n, void (*answer)(void *ctx, size_t i, int rc), void *ctx);

	/* Version 3 and later (the core reads this slot only then). */

	/*
	 * Optional (NULL: the core reads each column through column_value).
	 * Store columns first_col, first_col + 1, ... of the current row
	 * straight into fields[0..n) of the struct `row`, each through
	 * corm_put_int(), corm_put_text() or corm_put_null() below, which
	 * apply the core's rules: this saves a corm_value round trip and a
	 * call per column. Text is copied into `arena`, or with `arena` NULL
	 * borrowed (valid as column_value's). Returns how many fields were
	 * stored, from the first (the core checked that the columns exist).
	 * When that is less than n, fields[done] was not: it is not one
	 * corm_put_direct() accepts (return without reading it), or a helper
	 * returned false (a value of another kind, a NULL where none is
	 * allowed, an integer out of range, out of memory); the core then
	 * reads that column itself, converting or reporting it, and calls
	 * again for the fields after it. A negative CORM_* code is an error,
	 * set on the connection.
	 */
	int (*read_row)(corm_stmt *s, int first_col,
		const corm_field_desc *fields, int n, void *row, corm_arena *arena);

	/* Version 4 and later (the core reads this slot only then). */

	/*
	 * Optional (NULL: the core calls copy_in once per batch of rows):
	 * copy_in as one bulk load however many rows there are, the rows
	 * asked for a batch at a time so the engine works on the first
	 * while the core converts the next. Start the load with `sql`, then
	 * call next(ctx, &values, &nrows) until it gives nrows 0: each call
	 * gives `nrows` rows of `ncols` values (row-major), valid until the
	 * next call. When next returns a negative CORM_* code, it has set
	 * the error on the connection: abandon the load (the engine rolls
	 * it back) and return that code, keeping the error.
	 */
	int (*copy_in_rows)(corm_conn *c, const char *sql, int ncols,
		int (*next)(void *ctx, const corm_value **values, size_t *nrows),
		void *ctx);
};

/* ------------------------------------------------------ helpers for drivers */

/* Record a failure on `c` and return `code`. `native` is the engine's code
 * as text (may be NULL); the message is printf-formatted and truncated. */
int corm_conn__set_error(corm_conn *c, int code, const char *native,
	const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* The same, for the calling thread (failures before a connection exists). */
int corm_error__set_thread(int code, const char *native, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* Clear the error state of `c`. The core does this at the start of every
 * call that reaches the driver; a driver need not. */
void corm_conn__clear_error(corm_conn *c);

/* read_row's stores: what the core's own reader does for the common
 * cases. Each returns false, storing nothing the core would not write
 * over, when field `f` does not take that value. */

/* Whether read_row stores field `f` itself: integer and text fields. */
static inline bool corm_put_direct(const corm_field_desc *f)
{
	return f->ctype == CORM_C_I64 || f->ctype == CORM_C_I32 ||
		f->ctype == CORM_C_STR;
}

static inline void corm_put__has(const corm_field_desc *f, void *row,
	bool has)
{
	if (f->has_offset != CORM_NO_HAS)
		*(bool *)((char *)row + f->has_offset) = has;
}

/* An integer column's value. */
static inline bool corm_put_int(const corm_field_desc *f, void *row,
	int64_t v)
{
	char *m = (char *)row + f->offset;

	if (f->ctype == CORM_C_I64)
		*(int64_t *)m = v;
	else if (f->ctype == CORM_C_I32 && v >= INT32_MIN && v <= INT32_MAX)
		*(int32_t *)m = (int32_t)v;
	else
		return false;
	corm_put__has(f, row, true);
	return true;
}

/* A text column's `len` bytes at `text`, NUL-terminated. */
static inline bool corm_put_text(const corm_field_desc *f, void *row,
	corm_arena *arena, const char *text, size_t len)
{
	corm_str *s = (corm_str *)((char *)row + f->offset);

	if (f->ctype != CORM_C_STR)
		return false;
	s->ptr = arena ? corm_arena_strndup(arena, text, len) : text;
	if (!s->ptr)
		return false; /* the core's read fails with CORM_ENOMEM */
	s->len = len;
	corm_put__has(f, row, true);
	return true;
}

/* An SQL NULL. */
static inline bool corm_put_null(const corm_field_desc *f, void *row)
{
	if (!(f->flags & CORM_FIELD_NULLABLE))
		return false;
	corm_put__has(f, row, false);
	if (f->ctype == CORM_C_STR)
		*(corm_str *)((char *)row + f->offset) = (corm_str){NULL, 0};
	return true;
}

/* The drivers built into this library; each is defined only when its
 * feature was enabled at build time. */
extern const corm_driver corm_sqlite_driver;
extern const corm_driver corm_postgres_driver;
extern const corm_driver corm_mysql_driver;

/* The driver for a canonical scheme, or NULL when it was not built. */
const corm_driver *corm_driver_find(const char *scheme);

#ifdef __cplusplus
}
#endif

#endif /* CORM_SYS_DRIVER_H */
