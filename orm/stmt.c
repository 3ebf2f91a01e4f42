/*
 * stmt.c — prepared statements: preparing (directly or through the
 * connection's cache), binding, stepping, and reading columns with exact
 * conversions between the engines' natural kinds and the C types asked for.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

int corm_stmt__prepare(corm_stmt **out, corm_conn *c, const char *sql)
{
	corm_stmt *s = NULL;
	int error;

	*out = NULL;
	if ((error = c->driver->prepare(&s, c, sql)) != CORM_OK)
		return error;
	s->conn = c;
	s->sql = corm_strdup(sql);
	if (s->nparams > 0)
		s->params = corm_calloc((size_t)s->nparams, sizeof(*s->params));
	if (!s->sql || (s->nparams > 0 && !s->params)) {
		corm_stmt__finalize(s);
		return corm_conn__set_error(c, CORM_ENOMEM, NULL, "out of memory");
	}
	*out = s;
	return CORM_OK;
}

void corm_stmt__finalize(corm_stmt *s)
{
	corm_free(s->sql);
	corm_free(s->params);
	corm_arena_free(&s->scratch);
	s->conn->driver->finalize(s);
}

int corm_stmt_prepare(corm_stmt **out, corm_conn *c, const char *sql)
{
	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	if (!c)
		return CORM_EINVAL;
	corm_conn__begin_call(c);
	if (!sql)
		return corm_conn__set_error(c, CORM_EINVAL, NULL,
			"corm_stmt_prepare: sql is NULL");
	return corm_stmt__prepare(out, c, sql);
}

int corm_stmt_cached(corm_stmt **out, corm_conn *c, const char *sql)
{
	corm_stmt *s;
	uint32_t hash;
	int error;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	if (!c)
		return CORM_EINVAL;
	corm_conn__begin_call(c);
	if (!sql)
		return corm_conn__set_error(c, CORM_EINVAL, NULL,
			"corm_stmt_cached: sql is NULL");
	/* Generated code passes the same static string each time: look it
	 * up by address before hashing the text (no hit when caching is
	 * off). */
	if ((s = corm_cache__take_memo(c->cache, sql)) != NULL) {
		*out = s;
		return CORM_OK;
	}
	if (corm_cache__capacity(c->cache) == 0)
		return corm_stmt__prepare(out, c, sql);
	hash = corm_cache__hash(sql);
	s = corm_cache__take(c->cache, sql, hash);
	if (!s) {
		if ((error = corm_stmt__prepare(&s, c, sql)) != CORM_OK)
			return error;
		s->hash = hash;
		corm_cache__add(c->cache, s);
	}
	corm_cache__remember(c->cache, sql, s);
	*out = s;
	return CORM_OK;
}

const char *corm_stmt_sql(const corm_stmt *s)
{
	return s->sql;
}

int corm_stmt_param_count(const corm_stmt *s)
{
	return s->nparams;
}

/* No corm_conn__begin_call(): a statement is reset (or freed) right
 * after the step that failed, and that failure must stay readable. */
static int stmt_reset(corm_stmt *s)
{
	int error = s->conn->driver->reset(s);

	s->started = false;
	if (s->nparams > 0)
		memset(s->params, 0, (size_t)s->nparams * sizeof(*s->params));
	corm_arena__free_used(&s->scratch);
	return error;
}

int corm_stmt_reset(corm_stmt *s)
{
	if (!s)
		return CORM_EINVAL;
	return stmt_reset(s);
}

void corm_stmt_free(corm_stmt *s)
{
	if (!s)
		return;
	if (s->cached) {
		(void)stmt_reset(s);
		s->streaming = false; /* the next user expects the default */
		corm_cache__give_back(s->conn->cache, s);
		return;
	}
	corm_stmt__finalize(s);
}

int corm_step(corm_stmt *s)
{
	int rc;

	if (!s)
		return CORM_EINVAL;
	corm_conn__begin_call(s->conn);
	corm_arena__free_used(&s->scratch);
	rc = s->conn->driver->step(s);
	s->started = true;
	return rc;
}

int corm_stmt_set_streaming(corm_stmt *s, bool on)
{
	if (!s)
		return CORM_EINVAL;
	/* The driver chooses how to read at the first step: switching in
	 * the middle of a result would mean two kinds of result at once. */
	if (s->started)
		return corm_conn__set_error(s->conn, CORM_EINVAL, NULL,
			"corm_stmt_set_streaming: the statement has already been "
			"stepped; call corm_stmt_reset() first");
	s->streaming = on;
	return CORM_OK;
}

bool corm_stmt_streaming(const corm_stmt *s)
{
	return s && s->streaming;
}

/* ----------------------------------------------------------------- binding */

static corm_value *param(corm_stmt *s, int idx)
{
	if (s->started) {
		corm_conn__set_error(s->conn, CORM_EINVAL, NULL,
			"bind after corm_step(): call corm_stmt_reset() first");
		return NULL;
	}
	if (idx < 1 || idx > s->nparams) {
		corm_conn__set_error(s->conn, CORM_EINVAL, NULL,
			"bind index %d out of range: the statement has %d parameter%s "
			"(counted from 1)", idx, s->nparams, s->nparams == 1 ? "" : "s");
		return NULL;
	}
	return &s->params[idx - 1];
}

int corm_bind_null(corm_stmt *s, int idx)
{
	corm_value *v = s ? param(s, idx) : NULL;

	if (!v)
		return CORM_EINVAL;
	v->type = CORM_TYPE_NULL;
	return CORM_OK;
}

int corm_bind_int64(corm_stmt *s, int idx, int64_t i)
{
	corm_value *v = s ? param(s, idx) : NULL;

	if (!v)
		return CORM_EINVAL;
	v->type = CORM_TYPE_INT;
	v->v.i = i;
	return CORM_OK;
}

int corm_bind_bool(corm_stmt *s, int idx, bool b)
{
	return corm_bind_int64(s, idx, b ? 1 : 0);
}

int corm_bind_double(corm_stmt *s, int idx, double d)
{
	corm_value *v = s ? param(s, idx) : NULL;

	if (!v)
		return CORM_EINVAL;
	v->type = CORM_TYPE_DOUBLE;
	v->v.d = d;
	return CORM_OK;
}

static int bind_bytes(corm_stmt *s, int idx, corm_type type, const void *p,
	size_t len)
{
	corm_value *v = s ? param(s, idx) : NULL;

	if (!v)
		return CORM_EINVAL;
	if (!p && len) {
		return corm_conn__set_error(s->conn, CORM_EINVAL, NULL,
			"bind of %zu bytes from a NULL pointer (bind NULL with "
			"corm_bind_null)", len);
	}
	v->type = type;
	v->v.bytes.ptr = p ? p : "";
	v->v.bytes.len = len;
	return CORM_OK;
}

int corm_bind_text(corm_stmt *s, int idx, const char *p, size_t len)
{
	if (len == CORM_NTS)
		len = p ? strlen(p) : 0;
	return bind_bytes(s, idx, CORM_TYPE_TEXT, p, len);
}

int corm_bind_blob(corm_stmt *s, int idx, const void *p, size_t len)
{
	return bind_bytes(s, idx, CORM_TYPE_BLOB, p, len);
}

/* -------------------------------------------------------------- after a run */

int corm_stmt_changes(int64_t *out, corm_stmt *s)
{
	if (!out || !s)
		return CORM_EINVAL;
	return s->conn->driver->changes(out, s);
}

int corm_stmt_last_insert_id(int64_t *out, corm_stmt *s)
{
	if (!out || !s)
		return CORM_EINVAL;
	if (!s->conn->driver->last_insert_id)
		return corm_conn__set_error(s->conn, CORM_EUNSUPPORTED, NULL,
			"%s has no last-insert-id: use INSERT ... RETURNING",
			s->conn->driver->name);
	return s->conn->driver->last_insert_id(out, s);
}

/* ----------------------------------------------------------------- columns */

int corm_column_count(const corm_stmt *s)
{
	return s->conn->driver->column_count(s);
}

const char *corm_column_name(const corm_stmt *s, int col)
{
	if (col < 0 || col >= corm_column_count(s))
		return NULL;
	return s->conn->driver->column_name(s, col);
}

static int column_range_error(corm_stmt *s, int col)
{
	return corm_conn__set_error(s->conn, CORM_EINVAL, NULL,
		"column %d out of range: the result has %d column(s), counted "
		"from 0", col, s->conn->driver->column_count(s));
}

/* Fetch the raw value of `col`, checking the index. */
int corm_stmt__value(corm_value *v, corm_stmt *s, int col)
{
	if (col < 0 || col >= s->conn->driver->column_count(s))
		return column_range_error(s, col);
	return s->conn->driver->column_value(v, s, col);
}

int corm_stmt__check_columns(corm_stmt *s, int first, int n)
{
	int have = s->conn->driver->column_count(s);

	if (first < 0)
		return column_range_error(s, first);
	if (n > 0 && first > have - n)
		return column_range_error(s, first > have ? first : have);
	return CORM_OK;
}

corm_type corm_column_type(const corm_stmt *s, int col)
{
	corm_value v;

	if (corm_stmt__value(&v, (corm_stmt *)s, col) != CORM_OK)
		return CORM_TYPE_NULL;
	return v.type;
}

bool corm_column_is_null(const corm_stmt *s, int col)
{
	return corm_column_type(s, col) == CORM_TYPE_NULL;
}

static int type_error(corm_stmt *s, int col, const char *want,
	const corm_value *v)
{
	static const char *const kinds[] = {"NULL", "an integer", "a double",
		"text", "a blob"};

	return corm_conn__set_error(s->conn, CORM_ETYPE, NULL,
		"column %d (%s) holds %s, which does not convert exactly to %s", col,
		s->conn->driver->column_name(s, col), kinds[v->type], want);
}

int corm_value__int64(int64_t *out, corm_stmt *s, int col,
	const corm_value *value)
{
	corm_value v = *value;

	switch (v.type) {
	case CORM_TYPE_INT:
		*out = v.v.i;
		return CORM_OK;
	case CORM_TYPE_DOUBLE:
		/* -2^63 is exact as a double; 2^63 is not representable. */
		if (v.v.d == floor(v.v.d) && v.v.d >= -9223372036854775808.0 &&
			v.v.d < 9223372036854775808.0) {
			*out = (int64_t)v.v.d;
			return CORM_OK;
		}
		break;
	case CORM_TYPE_TEXT: {
		char *end;
		long long n;

		errno = 0;
		n = strtoll(v.v.bytes.ptr, &end, 10);
		if (v.v.bytes.len && !errno &&
			end == v.v.bytes.ptr + v.v.bytes.len) {
			*out = n;
			return CORM_OK;
		}
		break;
	}
	default:
		break;
	}
	return type_error(s, col, "int64_t", &v);
}

int corm_column_int64(int64_t *out, corm_stmt *s, int col)
{
	corm_value v;
	int error = corm_stmt__value(&v, s, col);

	return error ? error : corm_value__int64(out, s, col, &v);
}

int corm_value__double(double *out, corm_stmt *s, int col,
	const corm_value *value)
{
	corm_value v = *value;

	switch (v.type) {
	case CORM_TYPE_INT:
		*out = (double)v.v.i;
		return CORM_OK;
	case CORM_TYPE_DOUBLE:
		*out = v.v.d;
		return CORM_OK;
	case CORM_TYPE_TEXT: {
		char *end;
		double d;

		errno = 0;
		d = strtod(v.v.bytes.ptr, &end);
		if (v.v.bytes.len && end == v.v.bytes.ptr + v.v.bytes.len) {
			*out = d;
			return CORM_OK;
		}
		break;
	}
	default:
		break;
	}
	return type_error(s, col, "double", &v);
}

int corm_column_double(double *out, corm_stmt *s, int col)
{
	corm_value v;
	int error = corm_stmt__value(&v, s, col);

	return error ? error : corm_value__double(out, s, col, &v);
}

int corm_value__bool(bool *out, corm_stmt *s, int col,
	const corm_value *value)
{
	corm_value v = *value;

	if (v.type == CORM_TYPE_INT && (v.v.i == 0 || v.v.i == 1)) {
		*out = v.v.i == 1;
		return CORM_OK;
	}
	if (v.type == CORM_TYPE_TEXT) {
		const char *t = v.v.bytes.ptr;

		if (!strcmp(t, "t") || !strcmp(t, "true") || !strcmp(t, "1")) {
			*out = true;
			return CORM_OK;
		}
		if (!strcmp(t, "f") || !strcmp(t, "false") || !strcmp(t, "0")) {
			*out = false;
			return CORM_OK;
		}
	}
	return type_error(s, col, "bool", &v);
}

int corm_column_bool(bool *out, corm_stmt *s, int col)
{
	corm_value v;
	int error = corm_stmt__value(&v, s, col);

	return error ? error : corm_value__bool(out, s, col, &v);
}

/* The shortest %g text that reads back as exactly `d`. */
static int shortest_double(char *buf, size_t cap, double d)
{
	int precision, n = 0;

	for (precision = 15; precision <= 17; precision++) {
		n = snprintf(buf, cap, "%.*g", precision, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	return n;
}

int corm_value__text(const char **out, size_t *len, corm_stmt *s, int col,
	const corm_value *value)
{
	corm_value v = *value;
	char num[32];
	int n;

	switch (v.type) {
	case CORM_TYPE_TEXT:
		*out = v.v.bytes.ptr;
		if (len)
			*len = v.v.bytes.len;
		return CORM_OK;
	case CORM_TYPE_INT:
	case CORM_TYPE_DOUBLE:
		/* A number where text was asked for (SQLite's NUMERIC affinity
		 * turns "12.50" into 12.5): hand back its shortest exact text. */
		if (v.type == CORM_TYPE_INT)
			n = snprintf(num, sizeof(num), "%" PRId64, v.v.i);
		else
			n = shortest_double(num, sizeof(num), v.v.d);
		*out = corm_arena_strndup(&s->scratch, num, (size_t)n);
		if (!*out)
			return corm_conn__set_error(s->conn, CORM_ENOMEM, NULL,
				"out of memory");
		if (len)
			*len = (size_t)n;
		return CORM_OK;
	default:
		break;
	}
	return type_error(s, col, "text", &v);
}

int corm_column_text(const char **out, size_t *len, corm_stmt *s, int col)
{
	corm_value v;
	int error = corm_stmt__value(&v, s, col);

	return error ? error : corm_value__text(out, len, s, col, &v);
}

int corm_value__blob(const void **out, size_t *len, corm_stmt *s, int col,
	const corm_value *value)
{
	corm_value v = *value;

	if (v.type == CORM_TYPE_BLOB || v.type == CORM_TYPE_TEXT) {
		*out = v.v.bytes.ptr;
		*len = v.v.bytes.len;
		return CORM_OK;
	}
	return type_error(s, col, "bytes", &v);
}

int corm_column_blob(const void **out, size_t *len, corm_stmt *s, int col)
{
	corm_value v;
	int error = corm_stmt__value(&v, s, col);

	return error ? error : corm_value__blob(out, len, s, col, &v);
}
