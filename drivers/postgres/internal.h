/*
 * internal.h — what the PostgreSQL driver's files share: its connection
 * and statement structs, type OIDs, session settings, and the functions
 * one file offers the others (named corm_pg__*). See postgres.c.
 */
#ifndef CORM_PG_INTERNAL_H
#define CORM_PG_INTERNAL_H

#include <assert.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "corm/driver.h"

/* Type OIDs from pg_type.dat; stable across every server version. */
#define PG_OID_BOOL 16
#define PG_OID_BYTEA 17
#define PG_OID_INT8 20
#define PG_OID_INT2 21
#define PG_OID_INT4 23
#define PG_OID_OID 26
#define PG_OID_FLOAT4 700
#define PG_OID_FLOAT8 701
#define PG_OID_TIMESTAMPTZ 1184

/* Settings every session starts with (a user's `options` come after, and
 * so win). DateStyle ISO keeps the input order the server has. */
#define PG_SESSION_OPTIONS                                                    \
	"-c TimeZone=UTC -c DateStyle=ISO -c bytea_output=hex "                   \
	"-c extra_float_digits=3"

/* Room for "%.17g" of any double, or any int64, with its NUL. */
#define PG_NUM_MAX 32

/* Resetting a streaming SELECT run outside a transaction reads up to this
 * many of its remaining rows, then asks the server to cancel the rest:
 * reading a million leftover rows took 450 ms, cancelling 4 ms (a local
 * server, see docs/runtime.md); a thousand rows cost well under the
 * cancel's extra connection. */
#define PG_STREAM_CANCEL_AFTER 1000

/* libpq 17 hands out rows in chunks; older ones one row per result. */
#ifdef LIBPQ_HAS_CHUNK_MODE
#define PG_STREAM_CHUNK 256
#endif

struct pg_conn {
	corm_conn parent;
	PGconn *pg;
	locale_t c_locale;     /* for strtod/snprintf: the server's '.' */
	unsigned long next_id; /* numbers statement names */
	corm_buf dealloc;      /* DEALLOCATEs waiting for an idle session */
	struct pg_stmt *stream; /* the statement whose rows are on the wire */
};

/* A bytea column decoded from hex, reused across rows. */
struct pg_blob {
	unsigned char *ptr;
	size_t cap;
	size_t len;
	int row; /* the row `ptr` holds, or -1 */
};

struct pg_stmt {
	corm_stmt parent;
	char name[32];    /* the server-side statement name */
	bool on_server;   /* `name` exists in the session */
	bool plain_select; /* the SQL starts with SELECT (corm_pg__is_plain_select) */
	PGresult *desc;   /* from PQdescribePrepared: columns before a run */
	Oid *types;       /* desc's column types, ntypes of them (see */
	int ntypes;       /* corm_pg__describe_columns) */
	PGresult *res;    /* the current result; NULL when none */
	int nrows;        /* rows in res (0 unless it holds rows) */
	int ncols;        /* columns in res */
	bool types_valid; /* res has desc's columns: `types` describe it */
	bool executed;    /* run since the last reset */
	int row;          /* current row of res, -1 before the first */
	int64_t changes;  /* rows affected by the last run */

	/* Parameter arrays for PQsendQueryPrepared, nparams entries each. */
	const char **values;
	int *lengths;
	int *formats;
	char (*num)[PG_NUM_MAX]; /* text of int and double parameters */
	char *text;              /* NUL-terminated copies of text parameters */
	size_t text_cap;

	struct pg_blob *blobs; /* one per column, allocated on first use */
	int nblobs;

	/* Streaming (parent.streaming): `res` holds one row (or one chunk)
	 * and the rest are still on the wire. */
	bool stream_open;   /* results left to read: conn->stream == this */
	bool stream_cancel; /* a plain SELECT outside a transaction, so a
			     * large remainder may be cancelled at reset */
	bool interrupted;   /* another command ended the stream early */
	int stream_error;   /* what the stream failed with mid-way, or 0 */
	char stream_native[16]; /* its SQLSTATE */

	bool replanned;     /* prepared again during the current batch */
	int nparams_server; /* the parameters the server counted at prepare */
};

#define PG_CONN(c) ((struct pg_conn *)(c))
#define PG_STMT(s) ((struct pg_stmt *)(s))

/* conn.c */
int corm_pg__trimmed_len(const char *msg);
int corm_pg__error(corm_conn *c, const PGresult *res);
bool corm_pg__result_failed(const PGresult *res);
int corm_pg__open(corm_conn **out, const corm_url *url, int timeout_seconds);
void corm_pg__close(corm_conn *c);

/* exec.c */
bool corm_pg__is_row_result(const PGresult *res);
void corm_pg__stream_close(struct pg_stmt *s);
void corm_pg__end_stream(struct pg_conn *conn);
bool corm_pg__is_plain_select(const char *sql);
PGresult *corm_pg__collect(PGconn *pg);
int corm_pg__exec(corm_conn *c, const char *sql);
int corm_pg__ping(corm_conn *c);
void corm_pg__flush_deallocs(struct pg_conn *conn);

/* stmt.c */
int corm_pg__describe_columns(struct pg_stmt *s);
int corm_pg__prepare(corm_stmt **out, corm_conn *c, const char *sql);
void corm_pg__finalize(corm_stmt *base);
char *corm_pg__format_int(char *buf, int64_t v);
void corm_pg__format_double(char *out, size_t cap, double d, locale_t loc);
int corm_pg__bind_params(struct pg_stmt *s, const corm_value *p);
int64_t corm_pg__run_changes(const struct pg_stmt *s, const PGresult *res);
bool corm_pg__stale_statement(const PGresult *res);
int corm_pg__replan(struct pg_stmt *s);
void corm_pg__blobs_invalidate(struct pg_stmt *s);
void corm_pg__set_result(struct pg_stmt *s, PGresult *res);
void corm_pg__drop_result(struct pg_stmt *s);
int corm_pg__execute(struct pg_stmt *s);
int corm_pg__step(corm_stmt *base);
int corm_pg__reset(corm_stmt *base);
int corm_pg__changes(int64_t *out, corm_stmt *base);

/* read.c */
int corm_pg__column_count(const corm_stmt *base);
const char *corm_pg__column_name(const corm_stmt *base, int col);
int corm_pg__column_value(corm_value *out, corm_stmt *base, int col);
int corm_pg__read_row(corm_stmt *base, int first_col,
	const corm_field_desc *fields, int n, void *row, corm_arena *arena);

/* copy.c */
int corm_pg__copy_in_rows(corm_conn *c, const char *sql, int ncols,
	int (*next)(void *ctx, const corm_value **values, size_t *nrows),
	void *ctx);
int corm_pg__copy_in(corm_conn *c, const char *sql, const corm_value *values,
	size_t nrows, int ncols);

/* batch.c */
int corm_pg__run_batch(corm_conn *c, const corm_batch_exec *execs, size_t n,
	void (*answer)(void *ctx, size_t i, int rc), void *ctx);

#endif /* CORM_PG_INTERNAL_H */
