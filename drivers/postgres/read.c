/*
 * postgres/read.c — the PostgreSQL driver: reading columns: text results
 * turned into values by type OID, bytea from hex, rows straight into the
 * caller's struct.
 */
#include "internal.h"

#include "corm_util.h"

/* ----------------------------------------------------------- reading columns */

/* The result describing the columns: the run's, else the describe's. */
static const PGresult *columns_of(const struct pg_stmt *s)
{
	return s->res ? s->res : s->desc;
}

/* Asked once a row (the core checks the row's width): the run's count is
 * kept in s->ncols. */
int corm_pg__column_count(const corm_stmt *base)
{
	const struct pg_stmt *s = PG_STMT(base);

	if (s->res)
		return s->ncols;
	return s->desc ? PQnfields(s->desc) : 0;
}

const char *corm_pg__column_name(const corm_stmt *base, int col)
{
	const PGresult *res = columns_of(PG_STMT(base));

	if (!res || col < 0 || col >= PQnfields(res))
		return NULL;
	return PQfname(res, col);
}

/* Decode a text-format bytea ("\x" and hex digits) into the column's
 * buffer. Anything else would mean the session left bytea_output=hex. */
static int decode_bytea(struct pg_stmt *s, int col, const char *text,
	size_t len)
{
	corm_conn *c = s->parent.conn;
	struct pg_blob *b;
	size_t i, n;

	if (col >= s->nblobs) {
		int count = PQnfields(s->res);
		struct pg_blob *p;

		p = corm_realloc(s->blobs, (size_t)count * sizeof(*p));
		if (!p)
			return corm_conn__set_error(c, CORM_ENOMEM, NULL,
				"out of memory");
		memset(p + s->nblobs, 0, (size_t)(count - s->nblobs) * sizeof(*p));
		for (i = (size_t)s->nblobs; i < (size_t)count; i++)
			p[i].row = -1;
		s->blobs = p;
		s->nblobs = count;
	}
	b = &s->blobs[col];
	if (b->row == s->row)
		return CORM_OK; /* already decoded for this row */

	if (len < 2 || text[0] != '\\' || text[1] != 'x' || len % 2)
		return corm_conn__set_error(c, CORM_ERROR, NULL,
			"column %d: bytea is not in hex format (is bytea_output "
			"overridden?)", col);
	n = (len - 2) / 2;
	if (n > b->cap) {
		unsigned char *p = corm_malloc(n);

		if (!p)
			return corm_conn__set_error(c, CORM_ENOMEM, NULL,
				"out of memory");
		corm_free(b->ptr);
		b->ptr = p;
		b->cap = n;
	}
	for (i = 0; i < n; i++) {
		int hi = corm__hex_value((unsigned char)text[2 + 2 * i]);
		int lo = corm__hex_value((unsigned char)text[3 + 2 * i]);

		if (hi < 0 || lo < 0)
			return corm_conn__set_error(c, CORM_ERROR, NULL,
				"column %d: malformed hex in bytea", col);
		b->ptr[i] = (unsigned char)(hi << 4 | lo);
	}
	b->len = n;
	b->row = s->row;
	return CORM_OK;
}

/*
 * Parse the text of an integer column (`len` bytes): an optional '-' and
 * 1 to 19 digits, the only form the server writes int2/int4/int8/oid in.
 * Exact, overflow included (CORM_ERANGE for anything else, as strtoll's
 * failures were); by hand because this runs for every integer value read
 * and strtoll (locale, whitespace, bases) costs several times as much.
 */
static int parse_int(int64_t *out, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	bool neg = p < end && *p == '-';
	uint64_t v = 0;

	p += neg;
	/* 19 digits cannot overflow the uint64_t (10^19 - 1 < 2^64). */
	if (p == end || end - p > 19)
		return CORM_ERANGE;
	for (; p < end; p++) {
		unsigned digit = (unsigned)(*p - '0');

		if (digit > 9)
			return CORM_ERANGE;
		v = v * 10 + digit;
	}
	if (v > (uint64_t)INT64_MAX + neg)
		return CORM_ERANGE;
	/* Negated as unsigned: -2^63 has no positive int64_t. */
	*out = neg ? (int64_t)(0 - v) : (int64_t)v;
	return CORM_OK;
}

static int parse_double(double *out, const char *text, locale_t loc)
{
	locale_t old;
	char *end;
	double v;

	if (strcmp(text, "NaN") == 0) {
		*out = NAN;
		return CORM_OK;
	}
	if (strcmp(text, "Infinity") == 0 || strcmp(text, "-Infinity") == 0) {
		*out = text[0] == '-' ? -INFINITY : INFINITY;
		return CORM_OK;
	}
	old = uselocale(loc);
	errno = 0;
	v = strtod(text, &end);
	uselocale(old);
	/* ERANGE on underflow still gives the nearest double: keep it. */
	if (end == text || *end || (errno == ERANGE && isinf(v)))
		return CORM_ERANGE;
	*out = v;
	return CORM_OK;
}

/* Kept out of corm_pg__column_value(), so that its common paths (integers and
 * text) need no stack frame of their own. */
#if defined(__GNUC__)
#define PG_NOINLINE __attribute__((noinline))
#else
#define PG_NOINLINE
#endif

static PG_NOINLINE int column_bad_text(corm_conn *c, int col,
	const char *what, const char *text)
{
	return corm_conn__set_error(c, CORM_ERROR, NULL,
		"column %d: unexpected %s text '%.40s'", col, what, text);
}

static PG_NOINLINE int column_double(corm_value *out, struct pg_stmt *s,
	int col, const char *text)
{
	corm_conn *c = s->parent.conn;

	out->type = CORM_TYPE_DOUBLE;
	if (parse_double(&out->v.d, text, PG_CONN(c)->c_locale) != CORM_OK)
		return column_bad_text(c, col, "float", text);
	return CORM_OK;
}

static PG_NOINLINE int column_bytea(corm_value *out, struct pg_stmt *s,
	int col, const char *text, size_t len)
{
	int error;

	if ((error = decode_bytea(s, col, text, len)) != CORM_OK)
		return error;
	out->type = CORM_TYPE_BLOB;
	out->v.bytes.ptr = s->blobs[col].len ?
		(const char *)s->blobs[col].ptr : "";
	out->v.bytes.len = s->blobs[col].len;
	return CORM_OK;
}

/*
 * One value of the current row. This runs for every value read, so it
 * asks libpq only for the value itself: the column index was checked by
 * the core (against column_count()), the type comes from the describe
 * (corm_pg__describe_columns), and PQgetisnull() is asked only for an empty value
 * (libpq gives a NULL the length 0).
 */
int corm_pg__column_value(corm_value *out, corm_stmt *base, int col)
{
	struct pg_stmt *s = PG_STMT(base);
	const PGresult *res = s->res;
	const char *text;
	size_t len;

	assert(out && base);
	if (!res || s->row < 0)
		return corm_conn__set_error(base->conn, CORM_EINVAL, NULL,
			"no row to read: step the statement first");
	assert(col >= 0 && col < s->ncols);
	len = (size_t)PQgetlength(res, s->row, col);
	if (len == 0 && PQgetisnull(res, s->row, col)) {
		out->type = CORM_TYPE_NULL;
		return CORM_OK;
	}
	text = PQgetvalue(res, s->row, col);

	switch (s->types_valid ? s->types[col] : PQftype(res, col)) {
	case PG_OID_INT2:
	case PG_OID_INT4:
	case PG_OID_INT8:
	case PG_OID_OID:
		out->type = CORM_TYPE_INT;
		if (parse_int(&out->v.i, text, len) != CORM_OK)
			return column_bad_text(base->conn, col, "integer", text);
		return CORM_OK;
	case PG_OID_FLOAT4:
	case PG_OID_FLOAT8:
		return column_double(out, s, col, text);
	case PG_OID_BOOL:
		out->type = CORM_TYPE_INT;
		out->v.i = text[0] == 't';
		return CORM_OK;
	case PG_OID_BYTEA:
		return column_bytea(out, s, col, text, len);
	default:
		/* numeric, text, dates, uuid, json, ...: the core converts. */
		out->type = CORM_TYPE_TEXT;
		out->v.bytes.ptr = text;
		out->v.bytes.len = len;
		return CORM_OK;
	}
}

/*
 * A row straight into the caller's struct (corm/driver.h, read_row): what
 * corm_pg__column_value() and the core's reader do for integer, boolean and
 * text-like columns, without a corm_value per column or a call through
 * the vtable. Anything else (a real, a bytea, a NULL to refuse, text that
 * is not an integer, a value for a field of another kind) is left to the
 * core, which reads that column through corm_pg__column_value() and converts or
 * reports it exactly as before.
 */
int corm_pg__read_row(corm_stmt *base, int first_col,
	const corm_field_desc *fields, int n, void *row, corm_arena *arena)
{
	struct pg_stmt *s = PG_STMT(base);
	const PGresult *res = s->res;
	int i;

	if (!res || s->row < 0)
		return 0; /* corm_pg__column_value() says why */
	for (i = 0; i < n; i++) {
		const corm_field_desc *f = &fields[i];
		int col = first_col + i;
		const char *text;
		size_t len;
		int64_t v;

		assert(col < s->ncols);
		if (!corm_put_direct(f))
			return i;
		len = (size_t)PQgetlength(res, s->row, col);
		if (len == 0 && PQgetisnull(res, s->row, col)) {
			if (!corm_put_null(f, row))
				return i;
			continue;
		}
		text = PQgetvalue(res, s->row, col);
		switch (s->types_valid ? s->types[col] : PQftype(res, col)) {
		case PG_OID_INT2:
		case PG_OID_INT4:
		case PG_OID_INT8:
		case PG_OID_OID:
			if (parse_int(&v, text, len) != CORM_OK ||
				!corm_put_int(f, row, v))
				return i;
			break;
		case PG_OID_BOOL:
			if (!corm_put_int(f, row, text[0] == 't'))
				return i;
			break;
		case PG_OID_FLOAT4:
		case PG_OID_FLOAT8:
		case PG_OID_BYTEA:
			return i;
		default:
			if (!corm_put_text(f, row, arena, text, len))
				return i;
			break;
		}
	}
	return n;
}
