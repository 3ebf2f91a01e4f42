/*
 * model.c — generic CRUD over the static descriptors generated code
 * carries (corm/model.h): binding a struct's fields by their offsets,
 * reading a row back into a struct, and insert / get / update / delete /
 * upsert / bulk insert on top of the connection's statement cache.
 *
 * Sections: dialect choice, binding fields, reading fields, enums, CRUD,
 * bulk insert.
 */
#include <assert.h>
#include <stdio.h>
#include <string.h>

#include "corm/model.h"
#include "corm/query.h"
#include "internal.h"
#include "corm_util.h"

#define BULK_MAX_ROWS 1000 /* per statement: bounds the SQL text's size */
/* COPY costs a round trip more than an INSERT to start, so it pays only
 * for larger batches. Values are converted COPY_BATCH rows at a time, one
 * COPY a batch; with copy_in_rows, COPY_STREAM_BATCH rows at a time into
 * one COPY, which the server works on while the next batch is converted. */
#define COPY_MIN_ROWS 100
#define COPY_BATCH 5000
#define COPY_STREAM_BATCH 500

/* ----------------------------------------------------------- dialect choice */

int corm_model__check_desc(corm_conn *db, const corm_model_desc *m)
{
	if (m->desc_version >= CORM_DESC_VERSION_MIN &&
	    m->desc_version <= CORM_DESC_VERSION)
		return CORM_OK;
	return corm_conn__set_error(db, CORM_EINVAL, NULL,
		"model %s: its descriptor is version %d, and this libcorm reads "
		"versions %d to %d; run corm gen again with the corm of this "
		"libcorm", m->name ? m->name : "?", m->desc_version,
		CORM_DESC_VERSION_MIN, CORM_DESC_VERSION);
}

const corm_model_sql *corm_model__sql(corm_conn *db,
	const corm_model_desc *m, int *dialect)
{
	/* db->driver->dialect: corm_conn_dialect() */
	int i = corm_dialect_index(db->driver->dialect);

	if (i < 0 || corm_model__check_desc(db, m) != CORM_OK)
		return NULL;
	if (dialect)
		*dialect = i;
	return m->sql[i];
}

static int no_sql(corm_conn *db, const corm_model_desc *m, const char *what)
{
	int error = corm_model__check_desc(db, m);

	if (error)
		return error;
	return corm_conn__set_error(db, CORM_EUNSUPPORTED, NULL,
		"model %s has no %s statement for %s", m->name, what,
		corm_conn_driver_name(db));
}

/* ----------------------------------------------------------- binding fields */

#define FIELD(row, f) ((const char *)(row) + (f)->offset)
#define FIELD_MUT(row, f) ((char *)(row) + (f)->offset)

static bool field_is_null(const void *row, const corm_field_desc *f)
{
	if (f->has_offset != CORM_NO_HAS)
		return !*(const bool *)((const char *)row + f->has_offset);
	if (f->ctype == CORM_C_STR)
		return ((const corm_str *)FIELD(row, f))->ptr == NULL;
	if (f->ctype == CORM_C_BYTES)
		return ((const corm_bytes *)FIELD(row, f))->ptr == NULL;
	return false;
}

/* Text made here (dates, uuids) lives in `scratch` until the statement or
 * the COPY has run. */
static int text_value(corm_value *out, corm_conn *db, corm_arena *scratch,
	const char *text, int len)
{
	char *copy = corm_arena_strndup(scratch, text, (size_t)len);

	if (!copy)
		return corm_conn__set_error(db, CORM_ENOMEM, NULL, "out of memory");
	out->type = CORM_TYPE_TEXT;
	out->v.bytes.ptr = copy;
	out->v.bytes.len = (size_t)len;
	return CORM_OK;
}

/* The non-NULL C value of field `f` at `p`, as the engines take it. */
static int value_of(corm_value *out, corm_conn *db, const corm_field_desc *f,
	const void *p, corm_arena *scratch)
{
	char text[CORM_TEXT_MAX];

	switch (f->ctype) {
	case CORM_C_I16:
	case CORM_C_I32:
	case CORM_C_I64:
	case CORM_C_BOOL:
		out->type = CORM_TYPE_INT;
		out->v.i = f->ctype == CORM_C_I16 ? *(const int16_t *)p
			: f->ctype == CORM_C_I32 ? *(const int32_t *)p
			: f->ctype == CORM_C_I64 ? *(const int64_t *)p
			: *(const bool *)p;
		return CORM_OK;
	case CORM_C_F32:
	case CORM_C_F64:
		out->type = CORM_TYPE_DOUBLE;
		out->v.d = f->ctype == CORM_C_F32 ? *(const float *)p
						  : *(const double *)p;
		return CORM_OK;
	case CORM_C_STR:
	case CORM_C_BYTES: {
		const corm_str *s = p; /* corm_bytes has the same shape */

		if (!s->ptr && s->len)
			return corm_conn__set_error(db, CORM_EINVAL, NULL,
				"field %s: %zu bytes at a NULL pointer", f->name, s->len);
		if (f->coltype == CORM_COL_DECIMAL && f->ctype == CORM_C_STR)
			return corm_decimal__value(out, db, f, s, scratch);
		out->type = f->ctype == CORM_C_STR ? CORM_TYPE_TEXT : CORM_TYPE_BLOB;
		out->v.bytes.ptr = s->ptr ? s->ptr : "";
		out->v.bytes.len = s->len;
		return CORM_OK;
	}
	case CORM_C_DATE:
		return text_value(out, db, scratch, text,
			corm_date_format(text, *(const corm_date *)p));
	case CORM_C_TIME:
		return text_value(out, db, scratch, text,
			corm_time_format(text, *(const corm_time *)p));
	case CORM_C_TIMESTAMP:
		return text_value(out, db, scratch, text,
			corm_timestamp_format(text, *(const corm_timestamp *)p));
	case CORM_C_UUID:
		return text_value(out, db, scratch, text,
			corm_uuid_format(text, *(const corm_uuid *)p));
	case CORM_C_ENUM: {
		int value = *(const int *)p;
		const char *name = corm_enum_to_string(f->enum_desc, value);

		if (!name)
			return corm_conn__set_error(db, CORM_EINVAL, NULL,
				"field %s holds %d, which is not a member of enum %s",
				f->name, value, f->enum_desc->name);
		out->type = CORM_TYPE_TEXT;
		out->v.bytes.ptr = name;
		out->v.bytes.len = strlen(name);
		return CORM_OK;
	}
	}
	return CORM_EINVAL;
}

int corm_model__bind_value(corm_stmt *st, int idx, const corm_field_desc *f,
	const void *value, corm_arena *scratch)
{
	corm_value v = {CORM_TYPE_NULL, {0}};
	int error = value_of(&v, st->conn, f, value, scratch);

	if (error)
		return error;
	switch (v.type) {
	case CORM_TYPE_INT:
		return corm_bind_int64(st, idx, v.v.i);
	case CORM_TYPE_DOUBLE:
		return corm_bind_double(st, idx, v.v.d);
	case CORM_TYPE_TEXT:
		return corm_bind_text(st, idx, v.v.bytes.ptr, v.v.bytes.len);
	case CORM_TYPE_BLOB:
		return corm_bind_blob(st, idx, v.v.bytes.ptr, v.v.bytes.len);
	default:
		return corm_bind_null(st, idx);
	}
}

#define ONES 0x0101010101010101u
#define HIGHS 0x8080808080808080u

/* Characters in valid UTF-8 `s`, or -1 when it is not valid UTF-8
 * (overlong forms, surrogates and code points past U+10FFFF included) or
 * holds a NUL. Most text is ASCII: that part is checked 8 bytes at a time
 * (no byte with its top bit set, no zero byte), and corm__utf8_next()
 * takes over from the first word that is not plain ASCII. */
static long utf8_chars(const unsigned char *s, size_t len)
{
	size_t i = 0;
	long n;
	uint64_t w;

	for (; len - i >= 8; i += 8) {
		memcpy(&w, s + i, sizeof(w));
		/* The second test is true exactly when a byte of w is zero. */
		if ((w & HIGHS) || ((w - ONES) & ~w & HIGHS))
			break;
	}
	if (len - i < 8 && i < len) {
		/* The tail: the last 8 bytes (overlapping what was checked), or
		 * a short string padded with 0x01, which passes both tests. */
		if (len >= 8) {
			memcpy(&w, s + len - 8, sizeof(w));
		} else {
			w = ONES;
			memcpy(&w, s, len);
		}
		if (!(w & HIGHS) && !((w - ONES) & ~w & HIGHS))
			return (long)len;
	}
	n = (long)i;
	while (i < len) {
		size_t k;

		if (s[i] == 0)
			return -1;
		k = s[i] < 0x80 ? 1 : corm__utf8_next(s + i, len - i, NULL);
		if (k == 0)
			return -1;
		i += k;
		n++;
	}
	return n;
}

/*
 * Text written to a row must be storable the same way on every engine:
 * valid UTF-8 (PostgreSQL and MySQL refuse anything else, SQLite would
 * keep it), no NUL (PostgreSQL cannot store one), and at most N
 * characters in a string(N) column (SQLite does not check).
 */
static inline int check_text(corm_conn *db, const corm_field_desc *f,
	const corm_str *s)
{
	/* One pass; on failure, say which rule broke (a NUL first). */
	long chars = utf8_chars((const unsigned char *)s->ptr, s->len);

	if (chars < 0 && memchr(s->ptr, '\0', s->len))
		return corm_conn__set_error(db, CORM_EINVAL, NULL,
			"field %s: text holds a NUL byte, which not every engine can "
			"store (use a bytes field for binary data)", f->name);
	if (chars < 0)
		return corm_conn__set_error(db, CORM_EINVAL, NULL,
			"field %s: text is not valid UTF-8", f->name);
	if (f->max_chars > 0 && chars > f->max_chars)
		return corm_conn__set_error(db, CORM_ETOOLONG, NULL,
			"field %s: %ld characters, more than its string(%d) holds",
			f->name, chars, f->max_chars);
	return CORM_OK;
}

int corm_model__check_text(corm_conn *db, const corm_field_desc *f,
	const void *value)
{
	const corm_str *s = value;

	if (f->ctype != CORM_C_STR || !s->ptr || f->coltype == CORM_COL_DECIMAL)
		return CORM_OK;
	return check_text(db, f, s);
}

static int bind_field(corm_stmt *st, int idx, const corm_field_desc *f,
	const void *row, corm_arena *scratch)
{
	int error;

	if (field_is_null(row, f))
		return corm_bind_null(st, idx);
	if ((error = corm_model__check_text(st->conn, f, FIELD(row, f))) != 0)
		return error;
	return corm_model__bind_value(st, idx, f, FIELD(row, f), scratch);
}

/* Bind fields[list[0..n)] of `row` (every field in order when `list` is
 * NULL) as parameters first_idx, first_idx+1.. */
static int bind_fields(corm_stmt *st, int first_idx, const corm_model_desc *m,
	const int *list, int n, const void *row, corm_arena *scratch)
{
	int i, error;

	if (st->started || first_idx < 1 || n > st->nparams - first_idx + 1) {
		/* Let corm_bind_*() report what is wrong. */
		for (i = 0; i < n; i++) {
			error = bind_field(st, first_idx + i,
				&m->fields[list ? list[i] : i], row, scratch);
			if (error)
				return error;
		}
		return CORM_OK;
	}
	/* The indexes are known to be good: fill the parameters directly,
	 * without a corm_bind_*() call (and its checks) per field, and the
	 * two commonest kinds, integers and text, without value_of(). */
	for (i = 0; i < n; i++) {
		const corm_field_desc *f = &m->fields[list ? list[i] : i];
		corm_value *v = &st->params[first_idx - 1 + i];
		const void *p = FIELD(row, f);

		if (field_is_null(row, f)) {
			v->type = CORM_TYPE_NULL;
		} else if (f->ctype == CORM_C_I64) {
			v->type = CORM_TYPE_INT;
			v->v.i = *(const int64_t *)p;
		} else if (f->ctype == CORM_C_STR && ((const corm_str *)p)->ptr &&
			f->coltype != CORM_COL_DECIMAL) {
			const corm_str *text = p;

			/* value_of()'s case for text, checked as
			 * corm_model__check_text() does (inline here). */
			if ((error = check_text(st->conn, f, text)))
				return error;
			v->type = CORM_TYPE_TEXT;
			v->v.bytes.ptr = text->ptr;
			v->v.bytes.len = text->len;
		} else if ((error = corm_model__check_text(st->conn, f, p)) ||
			(error = value_of(v, st->conn, f, p, scratch))) {
			return error;
		}
	}
	return CORM_OK;
}

/* ----------------------------------------------------------- reading fields */

static int read_error(corm_stmt *st, const corm_field_desc *f, int code,
	const char *why)
{
	return corm_conn__set_error(st->conn, code, NULL,
		"column %s: %s", f->column, why);
}

static int read_int(corm_stmt *st, int col, const corm_field_desc *f,
	char *p, const corm_value *value)
{
	int64_t v;
	int error = corm_value__int64(&v, st, col, value);

	if (error)
		return error;
	switch (f->ctype) {
	case CORM_C_I16:
		if (v < INT16_MIN || v > INT16_MAX)
			return read_error(st, f, CORM_ERANGE,
				"value does not fit in int16_t");
		*(int16_t *)p = (int16_t)v;
		break;
	case CORM_C_I32:
		if (v < INT32_MIN || v > INT32_MAX)
			return read_error(st, f, CORM_ERANGE,
				"value does not fit in int32_t");
		*(int32_t *)p = (int32_t)v;
		break;
	default:
		*(int64_t *)p = v;
		break;
	}
	return CORM_OK;
}

/* Text columns that hold a parsed value: dates, times, uuids, enums. */
static int read_parsed(corm_stmt *st, int col, const corm_field_desc *f,
	char *p, const corm_value *value)
{
	const char *text;
	size_t len;
	int error = corm_value__text(&text, &len, st, col, value);

	if (error)
		return error;
	switch (f->ctype) {
	case CORM_C_DATE:
		error = corm_date_parse((corm_date *)p, text, len);
		break;
	case CORM_C_TIME:
		error = corm_time_parse((corm_time *)p, text, len);
		break;
	case CORM_C_TIMESTAMP:
		error = corm_timestamp_parse((corm_timestamp *)p, text, len);
		break;
	case CORM_C_UUID:
		error = corm_uuid_parse((corm_uuid *)p, text, len);
		break;
	default: {
		int v = corm_enum_from_string(f->enum_desc, text, len);

		if (v < 0)
			return corm_conn__set_error(st->conn, CORM_ETYPE, NULL,
				"column %s: '%.*s' is not a member of enum %s", f->column,
				(int)(len > 64 ? 64 : len), text, f->enum_desc->name);
		*(int *)p = v;
		return CORM_OK;
	}
	}
	if (error)
		return corm_conn__set_error(st->conn, CORM_ETYPE, NULL,
			"column %s: cannot read '%.*s' as a value of this type",
			f->column, (int)(len > 64 ? 64 : len), text);
	return CORM_OK;
}

/* What nearly every column is: an integer or text, stored without a
 * conversion. True when done (`*error` says how it went); false leaves
 * the value to read_value(). Inline in the row loops, so a row costs one
 * driver call per column and little else. */
static inline bool read_common(corm_stmt *st, const corm_field_desc *f,
	void *row, corm_arena *arena, const corm_value *v, int *error)
{
	/* The stores drivers use in read_row (corm/driver.h): one set of
	 * rules. No arena: the row borrows the driver's NUL-terminated text. */
	if (v->type == CORM_TYPE_INT) {
		*error = CORM_OK;
		return corm_put_int(f, row, v->v.i);
	}
	if (v->type != CORM_TYPE_TEXT || f->ctype != CORM_C_STR)
		return false;
	*error = corm_put_text(f, row, arena, v->v.bytes.ptr, v->v.bytes.len)
		? CORM_OK
		: corm_conn__set_error(st->conn, CORM_ENOMEM, NULL, "out of memory");
	return true;
}

/* Store value `v` of column `col` into field `f` of `row`. */
static int read_value(corm_stmt *st, int col, const corm_field_desc *f,
	void *row, corm_arena *arena, const corm_value *value)
{
	char *p = FIELD_MUT(row, f);
	corm_value v = *value;
	int error;

	if (v.type == CORM_TYPE_NULL) {
		if (!(f->flags & CORM_FIELD_NULLABLE))
			return read_error(st, f, CORM_ETYPE,
				"NULL in a field that is not nullable");
		if (f->has_offset != CORM_NO_HAS)
			*(bool *)((char *)row + f->has_offset) = false;
		if (f->ctype == CORM_C_STR)
			*(corm_str *)p = (corm_str){NULL, 0};
		else if (f->ctype == CORM_C_BYTES)
			*(corm_bytes *)p = (corm_bytes){NULL, 0};
		return CORM_OK;
	}
	if (f->has_offset != CORM_NO_HAS)
		*(bool *)((char *)row + f->has_offset) = true;
	switch (f->ctype) {
	case CORM_C_I16:
	case CORM_C_I32:
	case CORM_C_I64:
		return read_int(st, col, f, p, &v);
	case CORM_C_F32:
	case CORM_C_F64: {
		double d;

		if ((error = corm_value__double(&d, st, col, &v)) != CORM_OK)
			return error;
		if (f->ctype == CORM_C_F32)
			*(float *)p = (float)d;
		else
			*(double *)p = d;
		return CORM_OK;
	}
	case CORM_C_BOOL:
		return corm_value__bool((bool *)p, st, col, &v);
	case CORM_C_STR: {
		const char *text;
		size_t len;
		corm_str *s = (corm_str *)p;

		if ((error = corm_value__text(&text, &len, st, col, &v)) != 0)
			return error;
		s->ptr = arena ? corm_arena_strndup(arena, text, len) : text;
		s->len = len;
		return s->ptr ? CORM_OK : corm_conn__set_error(st->conn,
			CORM_ENOMEM, NULL, "out of memory");
	}
	case CORM_C_BYTES: {
		const void *bytes;
		size_t len;
		corm_bytes *b = (corm_bytes *)p;

		if ((error = corm_value__blob(&bytes, &len, st, col, &v)) != 0)
			return error;
		/* An empty value still gets a pointer: NULL means SQL NULL (the
		 * drivers give one for an empty value too). */
		b->ptr = arena ? corm_arena_memdup(arena, bytes, len)
			       : bytes ? bytes : "";
		b->len = len;
		return b->ptr ? CORM_OK : corm_conn__set_error(st->conn,
			CORM_ENOMEM, NULL, "out of memory");
	}
	default:
		return read_parsed(st, col, f, p, &v);
	}
}

int corm_model__read_field(corm_stmt *st, int col, const corm_field_desc *f,
	void *row, corm_arena *arena)
{
	corm_value v;
	int error = corm_stmt__value(&v, st, col);

	/* One fetch per column; the conversions work on the value. */
	if (error || read_common(st, f, row, arena, &v, &error))
		return error;
	return read_value(st, col, f, row, arena, &v);
}

/* Column by column, for drivers without read_row: the loop of both
 * copies in read_fields_by_column(). */
static inline int read_fields(void *row, corm_stmt *st, int first_col,
	const corm_model_desc *m, const bool *only, corm_arena *arena)
{
	int (*column_value)(corm_value *, corm_stmt *, int) =
		st->conn->driver->column_value;
	int i, col = first_col, error;

	for (i = 0; i < m->nfields; i++) {
		const corm_field_desc *f = &m->fields[i];
		corm_value v;

		if (only && !only[i])
			continue;
		if ((error = column_value(&v, st, col)))
			return error;
		if (!read_common(st, f, row, arena, &v, &error))
			error = read_value(st, col, f, row, arena, &v);
		if (error)
			return error;
		col++;
	}
	return CORM_OK;
}

/*
 * Fields fields[0..n) of `row` from columns first_col.. through the
 * driver's read_row, which stores what it can straight into the struct
 * and stops at a column that needs the core (a conversion, a NULL to
 * refuse, an error to word): that one is read here, then the driver goes
 * on. `done`: what the caller's first read_row call returned.
 */
static int read_run_rest(void *row, corm_stmt *st, int first_col,
	const corm_field_desc *fields, int n, corm_arena *arena, int done)
{
	const corm_driver *d = st->conn->driver;
	int i = 0, error;

	for (;;) {
		corm_value v;
		int col;

		if (done < 0)
			return done; /* the driver's error */
		if ((i += done) >= n)
			return CORM_OK;
		col = first_col + i;
		if ((error = d->column_value(&v, st, col)) ||
			(error = read_value(st, col, &fields[i], row, arena, &v)))
			return error;
		if (++i == n)
			return CORM_OK;
		done = d->read_row(st, col + 1, fields + i, n - i, row, arena);
	}
}

/* Read fields with the driver's read_row: each run of fields `only`
 * selects (their columns follow one another). */
static int read_fields_only(void *row, corm_stmt *st, int first_col,
	const corm_model_desc *m, const bool *only, corm_arena *arena)
{
	int i = 0, k, done, error;

	while (i < m->nfields) {
		if (!only[i]) {
			i++;
			continue;
		}
		for (k = i + 1; k < m->nfields && only[k]; k++)
			;
		done = st->conn->driver->read_row(st, first_col, m->fields + i,
			k - i, row, arena);
		if (done != k - i && (error = read_run_rest(row, st, first_col,
					      m->fields + i, k - i, arena, done)))
			return error;
		first_col += k - i;
		i = k;
	}
	return CORM_OK;
}

/* Without read_row: column by column. Two copies of the loop, so that
 * neither tests `arena` per column. */
static int read_fields_by_column(void *row, corm_stmt *st, int first_col,
	const corm_model_desc *m, const bool *only, corm_arena *arena)
{
	if (!arena)
		return read_fields(row, st, first_col, m, only, NULL);
	return read_fields(row, st, first_col, m, only, arena);
}

int corm_model__read_fields_unchecked(void *row, corm_stmt *st, int first_col,
	const corm_model_desc *m, const bool *only, corm_arena *arena)
{
	const corm_driver *d = st->conn->driver;

	if (d->version < 3 || !d->read_row)
		return read_fields_by_column(row, st, first_col, m, only, arena);
	if (only)
		return read_fields_only(row, st, first_col, m, only, arena);
	return read_run_rest(row, st, first_col, m->fields, m->nfields, arena,
		d->read_row(st, first_col, m->fields, m->nfields, row, arena));
}

int corm_model__read_rest(void *row, corm_stmt *st, int first_col,
	const corm_model_desc *m, corm_arena *arena, int done)
{
	return read_run_rest(row, st, first_col, m->fields, m->nfields, arena,
		done);
}

int corm_model__read_fields(void *row, corm_stmt *st, int first_col,
	int ncols, const corm_model_desc *m, const bool *only, corm_arena *arena)
{
	/* The row's width is checked once, not per column. */
	int error = corm_stmt__check_columns(st, first_col, ncols);

	if (error)
		return error;
	return corm_model__read_unchecked(row, st, first_col, m, only, arena);
}

int corm_model_read_row(void *out, corm_stmt *st, const corm_model_desc *m,
	int first_col, corm_arena *arena)
{
	return corm_model__read_fields(out, st, first_col, m->nfields, m, NULL,
		arena);
}

/* ------------------------------------------------------------------- enums */

const char *corm_enum_to_string(const corm_enum_desc *e, int value)
{
	if (value < 0 || value >= e->nmembers)
		return NULL;
	return e->members[value];
}

int corm_enum_from_string(const corm_enum_desc *e, const char *name,
	size_t len)
{
	int i;

	for (i = 0; i < e->nmembers; i++)
		if (strlen(e->members[i]) == len &&
			memcmp(e->members[i], name, len) == 0)
			return i;
	return -1;
}

/* --------------------------------------------------------------------- CRUD */

/* Store a generated key into the AUTO field, whatever its width. */
static void set_auto_key(const corm_model_desc *m, void *row, int64_t id)
{
	const corm_field_desc *f = &m->fields[m->auto_field];
	char *p = FIELD_MUT(row, f);

	if (f->ctype == CORM_C_I16)
		*(int16_t *)p = (int16_t)id;
	else if (f->ctype == CORM_C_I32)
		*(int32_t *)p = (int32_t)id;
	else
		*(int64_t *)p = id;
}

/* Run an INSERT (or upsert) and write the generated key back: from the
 * RETURNING row, or from last-insert-id. */
static int run_insert(corm_stmt *st, const corm_model_desc *m, void *row,
	bool want_key)
{
	int64_t id;
	int rc = corm_step(st);

	if (rc == CORM_ROW) {
		if (want_key && (rc = corm_column_int64(&id, st, 0)) == CORM_OK)
			set_auto_key(m, row, id);
		if (rc == CORM_ROW || rc == CORM_OK)
			rc = corm_step(st);
	}
	if (rc != CORM_DONE)
		return rc < 0 ? rc : CORM_ERROR;
	if (want_key && st->conn->driver->dialect->insert_id ==
			CORM_INSERT_ID_LAST_INSERT_ID) {
		if ((rc = corm_stmt_last_insert_id(&id, st)) != CORM_OK)
			return rc;
		set_auto_key(m, row, id);
	}
	return CORM_OK;
}

int corm_model_insert(corm_conn *db, const corm_model_desc *m, void *row)
{
	const corm_model_sql *sql = corm_model__sql(db, m, NULL);
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int error;

	if (!sql || !sql->insert)
		return no_sql(db, m, "insert");
	if ((error = corm_stmt_cached(&st, db, sql->insert)) != CORM_OK)
		goto done;
	if ((error = bind_fields(st, 1, m, m->insert_fields, m->ninsert_fields,
		     row, &scratch)) != CORM_OK)
		goto done;
	error = run_insert(st, m, row, m->auto_field >= 0);
done:
	corm_stmt_free(st);
	corm_arena__free_used(&scratch);
	return error;
}

int corm_model__read_found(void *out, corm_stmt *st,
	const corm_model_desc *m, corm_arena *arena)
{
	int rc = corm_step(st);

	if (rc == CORM_ROW)
		return corm_model_read_row(out, st, m, 0, arena);
	if (rc == CORM_DONE)
		return corm_conn__set_error(st->conn, CORM_ENOTFOUND, NULL,
			"no %s with that key", m->name);
	return rc < 0 ? rc : CORM_ERROR;
}

/* The row whose key is `key`, read by `sql` (the model's get, or it
 * with FOR UPDATE). */
static int get_by_key(void *out, corm_conn *db, const corm_model_desc *m,
	const char *sql, const void *key, corm_arena *arena)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int error;

	if ((error = corm_stmt_cached(&st, db, sql)) != CORM_OK)
		goto done;
	if ((error = bind_fields(st, 1, m, m->pk, m->npk, key, &scratch)) !=
		CORM_OK)
		goto done;
	error = corm_model__read_found(out, st, m, arena);
done:
	corm_stmt_free(st);
	corm_arena__free_used(&scratch);
	return error;
}

int corm_model_get(void *out, corm_conn *db, const corm_model_desc *m,
	const void *key, corm_arena *arena)
{
	const corm_model_sql *sql = corm_model__sql(db, m, NULL);

	if (!sql || !sql->get)
		return no_sql(db, m, "get");
	return get_by_key(out, db, m, sql->get, key, arena);
}

/* Run a statement that must touch one row; CORM_ENOTFOUND when none. */
static int run_keyed(corm_conn *db, const corm_model_desc *m,
	const char *sql, const int *list, int n, const void *row)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int64_t changes = 0;
	int error, rc;

	if ((error = corm_stmt_cached(&st, db, sql)) != CORM_OK)
		goto done;
	if ((error = bind_fields(st, 1, m, list, n, row, &scratch)) != CORM_OK)
		goto done;
	rc = corm_step(st);
	if (rc != CORM_DONE) {
		error = rc < 0 ? rc : CORM_ERROR;
		goto done;
	}
	if ((error = corm_stmt_changes(&changes, st)) == CORM_OK && changes == 0)
		error = corm_conn__set_error(db, CORM_ENOTFOUND, NULL,
			"no %s with that key", m->name);
done:
	corm_stmt_free(st);
	corm_arena__free_used(&scratch);
	return error;
}

static int update_checked(corm_conn *db, const corm_model_desc *m,
	const void *row);

int corm_model_update(corm_conn *db, const corm_model_desc *m,
	const void *row)
{
	return update_checked(db, m, row);
}

/* After a versioned UPDATE matched no row: was the key there (the
 * version moved on: CORM_ESTALE) or not (CORM_ENOTFOUND)? */
static int stale_or_gone(corm_conn *db, const corm_model_desc *m,
	const corm_model_sql *sql, const void *row)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int error, rc;

	if ((error = corm_stmt_cached(&st, db, sql->get)) != CORM_OK)
		goto done;
	if ((error = bind_fields(st, 1, m, m->pk, m->npk, row, &scratch)) !=
		CORM_OK)
		goto done;
	rc = corm_step(st);
	if (rc == CORM_ROW)
		error = corm_conn__set_error(db, CORM_ESTALE, NULL,
			"%s changed since it was read (its version is no longer the "
			"one the row holds)", m->name);
	else if (rc == CORM_DONE)
		error = corm_conn__set_error(db, CORM_ENOTFOUND, NULL,
			"no %s with that key", m->name);
	else
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena__free_used(&scratch);
	return error;
}

/* Add 1 to the @version field of `row`, whatever its width. */
static void bump_version(const corm_model_desc *m, void *row)
{
	const corm_field_desc *f = &m->fields[m->version_field];
	char *p = FIELD_MUT(row, f);

	if (f->ctype == CORM_C_I16)
		*(int16_t *)p = (int16_t)(*(int16_t *)p + 1);
	else if (f->ctype == CORM_C_I32)
		*(int32_t *)p += 1;
	else
		*(int64_t *)p += 1;
}

static int update_checked(corm_conn *db, const corm_model_desc *m,
	const void *row)
{
	const corm_model_sql *sql = corm_model__sql(db, m, NULL);
	int error;

	if (!sql || !sql->update)
		return no_sql(db, m, "update");
	error = run_keyed(db, m, sql->update, m->update_fields,
		m->nupdate_fields, row);
	if (error == CORM_ENOTFOUND && m->has_version)
		error = stale_or_gone(db, m, sql, row);
	return error;
}

int corm_model_update_versioned(corm_conn *db, const corm_model_desc *m,
	void *row)
{
	int error = update_checked(db, m, row);

	if (error == CORM_OK && m->has_version)
		bump_version(m, row);
	return error;
}

int corm_model_get_for_update(void *out, corm_conn *db,
	const corm_model_desc *m, const void *key, corm_arena *arena)
{
	const corm_model_sql *sql = corm_model__sql(db, m, NULL);
	corm_buf text = CORM_BUF_INIT;
	int error;

	if (!sql || !sql->get)
		return no_sql(db, m, "get");
	if (db->tx_depth == 0 || db->tx_read_only)
		return corm_conn__set_error(db, CORM_EINVAL, NULL,
			"get_for_update on %s needs a %stransaction", m->name,
			db->tx_depth ? "read-write " : "");
	corm_buf_puts(&text, sql->get);
	if (db->driver->dialect->has_for_update)
		corm_buf_puts(&text, " FOR UPDATE");
	if ((error = corm_buf_error(&text)) != CORM_OK)
		error = corm_conn__set_error(db, error, NULL, "out of memory");
	else
		error = get_by_key(out, db, m, corm_buf_cstr(&text), key, arena);
	corm_buf_free(&text);
	return error;
}

int corm_model_add(corm_conn *db, const corm_model_desc *m, const void *key,
	int field, const void *delta)
{
	corm_query *q = NULL;
	int64_t changed = 0;
	int i, error;

	if ((error = corm_query_new(&q, db, m)) != CORM_OK)
		return error;
	for (i = 0; i < m->npk; i++)
		corm_query_where(q, corm_pred_cmp(q, m->pk[i], CORM_CMP_EQ,
			FIELD(key, &m->fields[m->pk[i]])));
	corm_query_set_add(q, field, delta);
	error = corm_query_update(&changed, q);
	corm_query_free(q);
	if (error == CORM_OK && changed == 0)
		error = corm_conn__set_error(db, CORM_ENOTFOUND, NULL,
			"no %s with that key", m->name);
	return error;
}

int corm_model_delete(corm_conn *db, const corm_model_desc *m,
	const void *key)
{
	const corm_model_sql *sql = corm_model__sql(db, m, NULL);

	if (!sql || !sql->del)
		return no_sql(db, m, "delete");
	return run_keyed(db, m, sql->del, m->pk, m->npk, key);
}

int corm_model_upsert(corm_conn *db, const corm_model_desc *m, void *row,
	int unique)
{
	const char *text;
	const int *list;
	int n, dialect = 0, error;
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	const corm_model_sql *sql = corm_model__sql(db, m, &dialect);

	if (!sql)
		return no_sql(db, m, "upsert");
	if (unique >= m->nuniques)
		return corm_conn__set_error(db, CORM_EINVAL, NULL,
			"model %s has no unique constraint %d", m->name, unique);
	if (unique < 0) {
		/* Every field, in field order: the key is given, not generated. */
		text = sql->upsert;
		list = NULL;
		n = m->nfields;
	} else {
		text = m->uniques[unique].upsert_sql[dialect];
		list = m->uniques[unique].upsert_fields;
		n = m->uniques[unique].nupsert_fields;
	}
	if (!text)
		return no_sql(db, m, "upsert");
	if ((error = corm_stmt_cached(&st, db, text)) != CORM_OK)
		goto done;
	if ((error = bind_fields(st, 1, m, list, n, row, &scratch)) != CORM_OK)
		goto done;
	/* Upserting on the key itself gives the key; on another unique key
	 * the AUTO key comes back from the database. */
	error = run_insert(st, m, row, unique >= 0 && m->auto_field >= 0);
done:
	corm_stmt_free(st);
	corm_arena__free_used(&scratch);
	return error;
}

/* -------------------------------------------------------------- bulk insert */

/* "INSERT … VALUES (?, ?), (?, ?)" for `rows` rows of `k` parameters. */
static char *bulk_sql(corm_conn *db, const char *head, int rows, int k)
{
	const corm_dialect *d = corm_conn_dialect(db);
	corm_buf b = CORM_BUF_INIT;
	int r, i, n = 1;

	corm_buf_puts(&b, head);
	for (r = 0; r < rows; r++) {
		corm_buf_puts(&b, r ? ", (" : "(");
		for (i = 0; i < k; i++) {
			if (i)
				corm_buf_puts(&b, ", ");
			corm_dialect_placeholder(&b, d, n++);
		}
		corm_buf_putc(&b, ')');
	}
	return corm_buf_detach(&b);
}

static int insert_batch(corm_conn *db, const corm_model_desc *m,
	const char *text, const char *rows, size_t count)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	size_t r;
	int error, rc;

	if ((error = corm_stmt_cached(&st, db, text)) != CORM_OK)
		goto done;
	for (r = 0; r < count && !error; r++)
		error = bind_fields(st, 1 + (int)r * m->ninsert_fields, m,
			m->insert_fields, m->ninsert_fields, rows + r * m->size,
			&scratch);
	if (error)
		goto done;
	rc = corm_step(st);
	while (rc == CORM_ROW) /* a RETURNING we don't need */
		rc = corm_step(st);
	if (rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	return error;
}

/* Rows being loaded through the driver's COPY: `values` holds the
 * converted values of up to `batch` rows, the next from `done`. */
typedef struct copy_src {
	corm_conn *db;
	const corm_model_desc *m;
	const char *rows;
	size_t n, done, batch;
	corm_value *values;
	corm_arena scratch;
} copy_src;

/* Convert the next batch of rows into src->values (the previous batch's
 * text is dropped): the count, or 0 when every row is done. */
static int copy_convert(copy_src *src, size_t *count)
{
	const corm_model_desc *m = src->m;
	int k = m->ninsert_fields, i, error = CORM_OK;
	size_t r, c = src->n - src->done < src->batch ? src->n - src->done
						      : src->batch;

	corm_arena_free(&src->scratch);
	for (r = 0; r < c && !error; r++) {
		const char *row = src->rows + (src->done + r) * m->size;

		for (i = 0; i < k && !error; i++) {
			const corm_field_desc *f = &m->fields[m->insert_fields[i]];
			corm_value *v = &src->values[r * (size_t)k + (size_t)i];

			v->type = CORM_TYPE_NULL;
			if (!field_is_null(row, f) &&
				!(error = corm_model__check_text(src->db, f,
					  FIELD(row, f))))
				error = value_of(v, src->db, f, FIELD(row, f),
					&src->scratch);
		}
	}
	src->done += c;
	*count = error ? 0 : c;
	return error;
}

/* copy_in_rows' next(). */
static int copy_next(void *ctx, const corm_value **values, size_t *nrows)
{
	copy_src *src = ctx;

	*values = src->values;
	return copy_convert(src, nrows);
}

/* Load rows through the driver's COPY, converting a batch of rows at a
 * time so the values array stays small: as one COPY that asks for the
 * batches when the driver can (copy_in_rows), else one COPY a batch. */
static int copy_rows(corm_conn *db, const corm_model_desc *m, const char *sql,
	const char *rows, size_t n)
{
	const corm_driver *d = db->driver;
	bool stream = d->version >= 4 && d->copy_in_rows;
	size_t batch = stream ? COPY_STREAM_BATCH : COPY_BATCH, count;
	int k = m->ninsert_fields, error = CORM_OK;
	copy_src src = { db, m, rows, n, 0, n < batch ? n : batch, NULL,
		CORM_ARENA_INIT };

	src.values = corm_calloc(src.batch * (size_t)k, sizeof(*src.values));
	if (!src.values)
		return corm_conn__set_error(db, CORM_ENOMEM, NULL, "out of memory");
	if (stream)
		error = d->copy_in_rows(db, sql, k, copy_next, &src);
	else
		while (src.done < n && !error &&
			!(error = copy_convert(&src, &count)))
			error = d->copy_in(db, sql, src.values, count, k);
	corm_arena_free(&src.scratch);
	corm_free(src.values);
	return error;
}

int corm_model_insert_many(corm_conn *db, const corm_model_desc *m,
	const void *rows, size_t n)
{
	const corm_model_sql *sql = corm_model__sql(db, m, NULL);
	const char *at = rows;
	char *full = NULL, *tail = NULL;
	size_t per_batch, done = 0;
	int k = m->ninsert_fields, error;

	if (n == 0)
		return CORM_OK;
	if (sql && sql->copy_in && db->driver->copy_in && k > 0 &&
		n >= COPY_MIN_ROWS) {
		if ((error = corm_tx_begin(db)) != CORM_OK)
			return error;
		error = copy_rows(db, m, sql->copy_in, at, n);
		goto finish;
	}
	if (!sql || !sql->insert_many_head || k == 0) {
		/* Nothing to list in VALUES (only an AUTO key): one by one. */
		size_t i;

		if ((error = corm_tx_begin(db)) != CORM_OK)
			return error;
		for (i = 0; i < n && !error; i++)
			error = corm_model_insert(db, m, (char *)at + i * m->size);
		goto finish;
	}
	per_batch = (size_t)(corm_conn_max_params(db) / k);
	if (per_batch > BULK_MAX_ROWS)
		per_batch = BULK_MAX_ROWS;
	if (per_batch > n)
		per_batch = n;
	if ((error = corm_tx_begin(db)) != CORM_OK)
		return error;
	full = bulk_sql(db, sql->insert_many_head, (int)per_batch, k);
	if (!full) {
		error = corm_conn__set_error(db, CORM_ENOMEM, NULL, "out of memory");
		goto finish;
	}
	for (; n - done >= per_batch && !error; done += per_batch)
		error = insert_batch(db, m, full, at + done * m->size, per_batch);
	if (!error && done < n) {
		tail = bulk_sql(db, sql->insert_many_head, (int)(n - done), k);
		error = tail ? insert_batch(db, m, tail, at + done * m->size,
				       n - done)
			     : corm_conn__set_error(db, CORM_ENOMEM, NULL,
				       "out of memory");
	}
finish:
	corm_free(full);
	corm_free(tail);
	if (error)
		return corm_tx__rollback_keeping_error(db, error);
	return corm_tx_commit(db);
}
