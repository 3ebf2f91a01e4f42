/*
 * internal.h — declarations shared between the core's files, not part of
 * the public API.
 */
#ifndef CORM_INTERNAL_H
#define CORM_INTERNAL_H

#include "corm/driver.h"

/* error.c */
void corm_error__clear_thread(void);

/* Calls that reach the engine start by forgetting the last failure, so
 * corm_errcode() after a success is CORM_OK. One compare when clean. */
static inline void corm_conn__begin_call(corm_conn *c)
{
	if (c->err_code != CORM_OK)
		corm_conn__clear_error(c);
}

/* Text that the engines must compare by its bytes, whatever the
 * column's collation (enums are checked members). */
static inline bool corm_field__is_byte_text(const corm_field_desc *f)
{
	return f->ctype == CORM_C_STR &&
		(f->coltype == CORM_COL_STRING || f->coltype == CORM_COL_TEXT);
}

/* collations.c: the text columns of the connected database whose
 * collation is not the bytes (the dialect's foreign_text_sql), read when
 * the connection opens; is table.column one of them? */
int corm_conn__read_collations(corm_conn *c);
bool corm_conn__foreign_text(const corm_conn *c, const char *table,
	const char *column);
void corm_conn__free_collations(corm_conn *c);

/* arena.c: a block in a chunk of its own (`n` bytes), and the same block
 * resized to `n` bytes, keeping its contents; it may move (NULL when out
 * of memory: the old block is left as it was). The block is freed with
 * the arena, like everything else in it. */
void *corm_arena__alloc_own(corm_arena *a, size_t n);
void *corm_arena__grow_own(corm_arena *a, void *p, size_t n);
/* Hand own block `p` of arena `from` over to arena `to`, without a copy. */
void corm_arena__move_own(corm_arena *to, corm_arena *from, void *p);

/* corm_arena_free() without the call for an arena that was not used
 * (the scratch arena of most single statements). */
static inline void corm_arena__free_used(corm_arena *a)
{
	if (a->head)
		corm_arena_free(a);
}

/* in_list.c: an IN list of any length as one parameter. Whether the
 * values of `f` must instead be bound one by one on `d` (the engine
 * cannot unpack that type exactly); the SQL around the parameter, after
 * the column; and the parameter's text for n values (set on `db` and
 * returned: CORM_EINVAL for text corm cannot store, CORM_ENOMEM), with
 * the widest text value's bytes in *width, which the SQL after it needs. */
bool corm_in__by_value(const corm_dialect *d, const struct corm_field_desc *f);
void corm_in__open(corm_buf *sql, const corm_dialect *d,
	const struct corm_field_desc *f);
void corm_in__close(corm_buf *sql, const corm_dialect *d,
	const struct corm_field_desc *f, size_t width);
int corm_in__encode(corm_buf *out, size_t *width, corm_conn *db,
	const struct corm_field_desc *f, const void *const *values, size_t n);

/* conn.c: roll back the innermost level, but leave the error that caused
 * it (code, message, native code) as the connection's last error. */
int corm_tx__rollback_keeping_error(corm_conn *c, int error);

/* stmt_cache.c: an LRU of prepared statements keyed by SQL text. */
int corm_cache__new(corm_stmt_cache **out, int capacity);
void corm_cache__free(corm_stmt_cache *cache);
uint32_t corm_cache__hash(const char *sql);
/* A cached statement for `sql` that is not handed out, or NULL. */
corm_stmt *corm_cache__take(corm_stmt_cache *cache, const char *sql,
	uint32_t hash);
/* The same through the memo keyed by the address of `sql` (a hit is
 * checked against the text); NULL on a miss, and always when caching is
 * off (capacity 0): fall back to _take. */
corm_stmt *corm_cache__take_memo(corm_stmt_cache *cache, const char *sql);
/* Point the memo slot of address `sql` at `s` (a cached statement). */
void corm_cache__remember(corm_stmt_cache *cache, const char *sql,
	corm_stmt *s);
/* Add a freshly prepared statement (handed out); may evict an idle one. */
void corm_cache__add(corm_stmt_cache *cache, corm_stmt *s);
/* A handed-out statement comes back (already reset). */
void corm_cache__give_back(corm_stmt_cache *cache, corm_stmt *s);
int corm_cache__capacity(const corm_stmt_cache *cache);

/* model.c: bind one C value of field `f` (`value` points at it, as the
 * generated struct holds it) as parameter `idx`; text made for dates and
 * uuids goes in `scratch`. Read column `col` into field `f` of `row`. */
struct corm_field_desc;
int corm_model__bind_value(corm_stmt *st, int idx,
	const struct corm_field_desc *f, const void *value, corm_arena *scratch);
int corm_model__read_field(corm_stmt *st, int col,
	const struct corm_field_desc *f, void *row, corm_arena *arena);
/* Read the fields of model `m` that `only` flags (all when NULL) from
 * columns first_col.. (`ncols` of them) into `row`. */
struct corm_model_desc;
int corm_model__read_fields(void *row, corm_stmt *st, int first_col,
	int ncols, const struct corm_model_desc *m, const bool *only,
	corm_arena *arena);
/* The same without checking the row's width, for the rows after the
 * first of a result (corm_stmt__check_columns() checked it: the width of
 * a result does not change from row to row). With `arena` NULL, text and
 * bytes are not copied: they point into the driver's buffers, valid until
 * the statement's next step or reset (NUL-terminated, the driver contract
 * in corm/driver.h). */
int corm_model__read_fields_unchecked(void *row, corm_stmt *st,
	int first_col, const struct corm_model_desc *m, const bool *only,
	corm_arena *arena);
/* What a driver's read_row left of a row of all of m's fields: from
 * field `done` on (negative: the driver's error code, returned). */
int corm_model__read_rest(void *row, corm_stmt *st, int first_col,
	const struct corm_model_desc *m, corm_arena *arena, int done);
/* corm_model__read_fields_unchecked() with its usual case inline, for
 * the row loops: a driver with read_row stores the whole row in one
 * call. */
static inline int corm_model__read_unchecked(void *row, corm_stmt *st,
	int first_col, const struct corm_model_desc *m, const bool *only,
	corm_arena *arena)
{
	const corm_driver *d = st->conn->driver;
	int done;

	if (only || d->version < 3 || !d->read_row)
		return corm_model__read_fields_unchecked(row, st, first_col, m,
			only, arena);
	done = d->read_row(st, first_col, m->fields, m->nfields, row, arena);
	if (done == m->nfields)
		return CORM_OK;
	return corm_model__read_rest(row, st, first_col, m, arena, done);
}
/* CORM_OK when this runtime reads descriptor `m` (its desc_version is in
 * [CORM_DESC_VERSION_MIN, CORM_DESC_VERSION]), else CORM_EINVAL with a
 * message on `db` naming the model and both versions. */
int corm_model__check_desc(corm_conn *db, const struct corm_model_desc *m);
/* The statements of model `m` in the connection's dialect (its index in
 * corm_dialects in *dialect when not NULL), or NULL: none for that
 * dialect, or a descriptor corm_model__check_desc() refuses. */
const struct corm_model_sql *corm_model__sql(corm_conn *db,
	const struct corm_model_desc *m, int *dialect);
/* Step a bound get statement and read its row into `out`: CORM_OK,
 * CORM_ENOTFOUND, or the step's error. */
int corm_model__read_found(void *out, corm_stmt *st,
	const struct corm_model_desc *m, corm_arena *arena);
/* Text about to be written to field `f`: valid UTF-8, no NUL, within
 * string(N). CORM_EINVAL / CORM_ETOOLONG with a message on `db`. */
int corm_model__check_text(corm_conn *db, const struct corm_field_desc *f,
	const void *value);

/* decimal.c: the canonical text of decimal value `text` for a
 * decimal(precision, scale) column (precision 0: none known, only the
 * syntax is checked), written to `out`, which holds
 * corm_decimal__canonical_cap(len, scale) bytes; see decimal.c. */
typedef enum corm_decimal_fault {
	CORM_DECIMAL_OK,
	CORM_DECIMAL_MALFORMED, /* not [+-]digits[.digits] */
	CORM_DECIMAL_DIGITS,    /* more integer digits than P - S */
	CORM_DECIMAL_PLACES     /* a nonzero digit past the S-th place */
} corm_decimal_fault;
corm_decimal_fault corm_decimal__canonical(char *out, size_t *out_len,
	const char *text, size_t len, int precision, int scale);
size_t corm_decimal__canonical_cap(size_t len, int scale);
/* Decimal field `f`'s value `s`, checked and canonical (the text in
 * `scratch`), as a value to bind; CORM_EINVAL / CORM_ERANGE with a
 * message naming the field and its decimal(P,S) on `db`. */
int corm_decimal__value(corm_value *out, corm_conn *db,
	const struct corm_field_desc *f, const corm_str *s, corm_arena *scratch);

/* stmt.c: the raw value of a column (index checked), and the readers'
 * conversions from it, so a caller can fetch a column once and convert
 * it (row decoding does). */
int corm_stmt__value(corm_value *v, corm_stmt *s, int col);
/* CORM_OK when the current result has columns [first, first + n), so
 * they can be read unchecked; else CORM_EINVAL, set on the connection. */
int corm_stmt__check_columns(corm_stmt *s, int first, int n);
int corm_value__int64(int64_t *out, corm_stmt *s, int col,
	const corm_value *value);
int corm_value__double(double *out, corm_stmt *s, int col,
	const corm_value *value);
int corm_value__bool(bool *out, corm_stmt *s, int col,
	const corm_value *value);
int corm_value__text(const char **out, size_t *len, corm_stmt *s, int col,
	const corm_value *value);
int corm_value__blob(const void **out, size_t *len, corm_stmt *s, int col,
	const corm_value *value);

/* stmt.c: prepare without the cache; finalize through the driver. */
int corm_stmt__prepare(corm_stmt **out, corm_conn *c, const char *sql);
void corm_stmt__finalize(corm_stmt *s);

#endif
