/*
 * in_list.c — an IN list of any length as ONE parameter, for in()
 * (query.c) and the relation loaders (rel.c).
 *
 * Binding each value as its own parameter caps a list at the engine's
 * parameter limit and makes a statement shape per length. Instead the
 * values go as one text parameter the engine unpacks:
 *
 *   PostgreSQL  "col" = ANY($1::BIGINT[])            an array literal
 *   SQLite      "col" IN (SELECT value FROM json_each(?))      JSON
 *   MariaDB     "col" IN (SELECT corm_in.v FROM (SELECT DISTINCT
 *               corm_jt.v FROM JSON_TABLE(?, '$[*]' COLUMNS (v BIGINT
 *               PATH '$')) AS corm_jt) AS corm_in)             JSON
 *
 * The values are data inside a parameter, never SQL text. Each element
 * type is chosen so that the comparison is the one `col = ?` makes:
 * text compares by bytes (TEXT[] rather than VARCHAR(n)[], which would
 * cut long values; LONGBLOB on MariaDB, whose utf8mb4_bin ignores
 * trailing blanks; VARBINARY as wide as the widest value, which
 * JSON_TABLE would otherwise cut), numbers by value (NUMERIC[] has no
 * scale to round to).
 *
 * MariaDB plans a semi-join over JSON_TABLE as if it had 40 rows: over a
 * column without an index it then compares every row with every value
 * (100,000 strings against 30,000 rows: minutes). The DISTINCT derived
 * table is materialized with a key instead (0.15 s). That key wants a
 * short fixed width: text goes as VARBINARY(w), w the widest value
 * rounded up to a power of two (VARBINARY(256) took 2.7 s there), and
 * values longer than a string(N) column holds are left out (no row holds
 * them). Where the engine cannot
 * unpack a type exactly, the list is bound value by value instead
 * (corm_in__by_value): SQLite's JSON reader rounds some doubles and has
 * no blobs; MariaDB's JSON_TABLE rounds decimals to the column's scale.
 *
 * Sections: which form, rendering, encoding the values.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "corm_util.h"

/* --------------------------------------------------------------- which form */

bool corm_in__by_value(const corm_dialect *d, const corm_field_desc *f)
{
	switch (d->in_list) {
	case CORM_IN_LIST_ARRAY:
		return false;
	case CORM_IN_LIST_JSON_EACH:
		return f->ctype == CORM_C_F32 || f->ctype == CORM_C_F64 ||
			f->ctype == CORM_C_BYTES;
	case CORM_IN_LIST_JSON_TABLE:
		return f->coltype == CORM_COL_DECIMAL || f->coltype == CORM_COL_JSON;
	}
	return true;
}

/* ---------------------------------------------------------------- rendering */

/* The element type of the array on PostgreSQL. */
static const char *array_type(const corm_field_desc *f)
{
	if (f->ctype == CORM_C_ENUM)
		return "TEXT"; /* VARCHAR(64) with a CHECK */
	switch (f->coltype) {
	case CORM_COL_I16: return "SMALLINT";
	case CORM_COL_I32: return "INTEGER";
	case CORM_COL_I64: return "BIGINT";
	case CORM_COL_F32: return "REAL";
	case CORM_COL_F64: return "DOUBLE PRECISION";
	case CORM_COL_BOOL: return "BOOLEAN";
	case CORM_COL_BYTES: return "BYTEA";
	case CORM_COL_DECIMAL: return "NUMERIC";
	case CORM_COL_DATE: return "DATE";
	case CORM_COL_TIME: return "TIME";
	case CORM_COL_TIMESTAMP: return "TIMESTAMPTZ";
	case CORM_COL_UUID: return "UUID";
	case CORM_COL_JSON: return "JSONB";
	default: return "TEXT";
	}
}

/* Text wider than this goes as LONGBLOB: a VARBINARY column's limit. */
#define MAX_VARBINARY 65532

/* The JSON_TABLE column type on MariaDB; NULL for VARBINARY(w). */
static const char *table_type(const corm_field_desc *f)
{
	switch (f->ctype) {
	case CORM_C_I16:
	case CORM_C_I32:
	case CORM_C_I64:
	case CORM_C_BOOL:
		return "BIGINT";
	case CORM_C_F32:
	case CORM_C_F64:
		return "DOUBLE";
	case CORM_C_DATE:
		return "DATE";
	case CORM_C_TIME:
		return "TIME(6)";
	case CORM_C_TIMESTAMP:
		return "DATETIME(6)";
	default:
		return NULL; /* text, enum labels, uuids, hex bytes */
	}
}

void corm_in__open(corm_buf *sql, const corm_dialect *d,
	const corm_field_desc *f)
{
	switch (d->in_list) {
	case CORM_IN_LIST_ARRAY:
		corm_buf_puts(sql, " = ANY(");
		break;
	case CORM_IN_LIST_JSON_EACH:
		corm_buf_puts(sql, " IN (SELECT value FROM json_each(");
		break;
	case CORM_IN_LIST_JSON_TABLE:
		corm_buf_puts(sql, f->ctype == CORM_C_BYTES
				? " IN (SELECT corm_in.v FROM (SELECT DISTINCT "
				  "UNHEX(corm_jt.v) AS v FROM JSON_TABLE("
				: " IN (SELECT corm_in.v FROM (SELECT DISTINCT corm_jt.v "
				  "FROM JSON_TABLE(");
		break;
	}
}

void corm_in__close(corm_buf *sql, const corm_dialect *d,
	const corm_field_desc *f, size_t width)
{
	size_t w = 16;

	switch (d->in_list) {
	case CORM_IN_LIST_ARRAY:
		/* Text by its bytes, as in = (dialect text_eq_collate). */
		corm_buf_printf(sql, "::%s[]%s)", array_type(f),
			f->ctype == CORM_C_STR && (f->coltype == CORM_COL_STRING ||
				f->coltype == CORM_COL_TEXT) ? d->text_eq_collate : "");
		break;
	case CORM_IN_LIST_JSON_EACH:
		corm_buf_puts(sql, "))");
		break;
	case CORM_IN_LIST_JSON_TABLE:
		corm_buf_puts(sql, ", '$[*]' COLUMNS (v ");
		while (w < width && w <= MAX_VARBINARY)
			w *= 2;
		if (table_type(f))
			corm_buf_puts(sql, table_type(f));
		else if (w > MAX_VARBINARY)
			corm_buf_puts(sql, "LONGBLOB");
		else
			corm_buf_printf(sql, "VARBINARY(%zu)", w);
		corm_buf_puts(sql, " PATH '$')) AS corm_jt) AS corm_in)");
		break;
	}
}

/* ------------------------------------------------------ encoding the values */

/* Text inside an array literal's double quotes: " and \ escaped. */
static void put_array_text(corm_buf *b, const char *s, size_t len)
{
	size_t i, run = 0;

	corm_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		if (s[i] != '"' && s[i] != '\\')
			continue;
		corm_buf_put(b, s + run, i - run);
		corm_buf_putc(b, '\\');
		run = i;
	}
	corm_buf_put(b, s + run, len - run);
	corm_buf_putc(b, '"');
}

/* A JSON string: ", \ and control characters escaped; UTF-8 as it is. */
static void put_json_text(corm_buf *b, const char *s, size_t len)
{
	size_t i, run = 0;

	corm_buf_putc(b, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		corm_buf_put(b, s + run, i - run);
		if (c == '"' || c == '\\') {
			corm_buf_putc(b, '\\');
			corm_buf_putc(b, (char)c);
		} else {
			corm_buf_printf(b, "\\u%04x", c);
		}
		run = i + 1;
	}
	corm_buf_put(b, s + run, len - run);
	corm_buf_putc(b, '"');
}

/* A quoted string of either syntax. */
static void put_text(corm_buf *b, bool array, const char *s, size_t len)
{
	if (array)
		put_array_text(b, s, len);
	else
		put_json_text(b, s, len);
}

/* A double the engine reads back exactly: the shortest of %.15g..%.17g
 * that round-trips, and PostgreSQL's names for the specials. printf and
 * strtod follow the process's locale; its decimal point (whatever its
 * length) is written as '.'. */
static void put_double(corm_buf *b, double d)
{
	char text[40];
	const char *c;
	int prec;

	if (isnan(d)) {
		corm_buf_puts(b, "NaN");
		return;
	}
	if (isinf(d)) {
		corm_buf_puts(b, d < 0 ? "-Infinity" : "Infinity");
		return;
	}
	for (prec = 15; prec <= 17; prec++) {
		snprintf(text, sizeof(text), "%.*g", prec, d);
		if (strtod(text, NULL) == d)
			break;
	}
	for (c = text; *c; c++) {
		if ((*c >= '0' && *c <= '9') || *c == '-' || *c == '+' ||
			*c == 'e') {
			corm_buf_putc(b, *c);
			continue;
		}
		corm_buf_putc(b, '.');
		while (c[1] && !(c[1] >= '0' && c[1] <= '9'))
			c++; /* the rest of a multi-byte decimal point */
	}
}

static void put_hex(corm_buf *b, const unsigned char *p, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		corm_buf_putc(b, hex[p[i] >> 4]);
		corm_buf_putc(b, hex[p[i] & 15]);
	}
}

/* Text must be what corm stores (valid UTF-8, no NUL): anything else
 * could not travel inside the parameter unchanged. */
static int check_element_text(corm_conn *db, const corm_field_desc *f,
	const corm_str *s)
{
	corm_field_desc unbounded = *f;

	if (f->coltype == CORM_COL_DECIMAL || f->ctype == CORM_C_BYTES)
		return CORM_OK;
	/* A value longer than string(N) is fine: it matches no row. */
	unbounded.max_chars = 0;
	return corm_model__check_text(db, &unbounded, s);
}

/* The bytes the engine unpacks for a text-like value, into *width. */
static void note_width(size_t *width, size_t len)
{
	if (len > *width)
		*width = len;
}

/* One element; false when it is left out: a value no row can hold (a
 * double MariaDB cannot store, text longer than MariaDB's string(N)). */
static bool put_element(corm_buf *b, const corm_dialect *d,
	const corm_field_desc *f, const void *p, size_t *width)
{
	bool array = d->in_list == CORM_IN_LIST_ARRAY;
	char text[CORM_TEXT_MAX];
	int n;

	switch (f->ctype) {
	case CORM_C_I16:
		corm_buf_printf(b, "%d", *(const int16_t *)p);
		return true;
	case CORM_C_I32:
		corm_buf_printf(b, "%ld", (long)*(const int32_t *)p);
		return true;
	case CORM_C_I64:
		corm_buf_printf(b, "%lld", (long long)*(const int64_t *)p);
		return true;
	case CORM_C_BOOL:
		corm_buf_puts(b, *(const bool *)p ? (array ? "t" : "1")
						  : (array ? "f" : "0"));
		return true;
	case CORM_C_F32:
	case CORM_C_F64: {
		double v = f->ctype == CORM_C_F32 ? *(const float *)p
						  : *(const double *)p;

		if (!array && !isfinite(v))
			return false; /* JSON has no NaN or Infinity */
		put_double(b, v);
		return true;
	}
	case CORM_C_STR: {
		const corm_str *s = p;

		if (d->in_list == CORM_IN_LIST_JSON_TABLE && f->max_chars > 0 &&
			f->coltype != CORM_COL_DECIMAL &&
			corm__utf8_count(s->ptr, s->len) > (size_t)f->max_chars)
			return false;
		put_text(b, array, s->ptr ? s->ptr : "", s->len);
		note_width(width, s->len);
		return true;
	}
	case CORM_C_BYTES: {
		const corm_bytes *s = p;

		corm_buf_puts(b, array ? "\"\\\\x" : "\"");
		put_hex(b, s->ptr, s->len);
		corm_buf_putc(b, '"');
		note_width(width, 2 * s->len);
		return true;
	}
	case CORM_C_DATE:
		n = corm_date_format(text, *(const corm_date *)p);
		break;
	case CORM_C_TIME:
		n = corm_time_format(text, *(const corm_time *)p);
		break;
	case CORM_C_TIMESTAMP:
		n = corm_timestamp_format(text, *(const corm_timestamp *)p);
		break;
	case CORM_C_UUID:
		n = corm_uuid_format(text, *(const corm_uuid *)p);
		break;
	case CORM_C_ENUM: {
		const char *name = corm_enum_to_string(f->enum_desc, *(const int *)p);

		put_text(b, array, name, strlen(name)); /* checked by the caller */
		note_width(width, strlen(name));
		return true;
	}
	default:
		return false;
	}
	put_text(b, array, text, (size_t)n);
	note_width(width, (size_t)n);
	return true;
}

int corm_in__encode(corm_buf *out, size_t *width, corm_conn *db,
	const corm_field_desc *f, const void *const *values, size_t n)
{
	const corm_dialect *d = corm_conn_dialect(db);
	bool array = d->in_list == CORM_IN_LIST_ARRAY;
	corm_arena scratch = CORM_ARENA_INIT; /* canonical decimals */
	size_t i, put = 0;
	int error = CORM_OK;

	*width = 0;
	corm_buf_clear(out);
	corm_buf_putc(out, array ? '{' : '[');
	for (i = 0; i < n; i++) {
		const void *p = values[i];
		size_t mark = out->len;

		corm_str canon;
		corm_value dv;

		if (f->ctype == CORM_C_STR &&
			(error = check_element_text(db, f, p)) != CORM_OK)
			goto done;
		if (f->coltype == CORM_COL_DECIMAL) {
			/* Checked against decimal(P,S) as `=` checks it. */
			if ((error = corm_decimal__value(&dv, db, f, p, &scratch)))
				goto done;
			canon = (corm_str){dv.v.bytes.ptr, dv.v.bytes.len};
			p = &canon;
		}
		if (f->ctype == CORM_C_BYTES && !((const corm_bytes *)p)->ptr &&
			((const corm_bytes *)p)->len) {
			error = corm_conn__set_error(db, CORM_EINVAL, NULL,
				"field %s: %zu bytes at a NULL pointer", f->name,
				((const corm_bytes *)p)->len);
			goto done;
		}
		if (f->ctype == CORM_C_ENUM &&
			!corm_enum_to_string(f->enum_desc, *(const int *)p)) {
			error = corm_conn__set_error(db, CORM_EINVAL, NULL,
				"field %s: %d is not a member of enum %s", f->name,
				*(const int *)p, f->enum_desc->name);
			goto done;
		}
		if (put)
			corm_buf_putc(out, ',');
		if (put_element(out, d, f, p, width))
			put++;
		else if (!corm_buf_error(out))
			out->ptr[out->len = mark] = '\0'; /* drop its comma too */
	}
	corm_buf_putc(out, array ? '}' : ']');
	if ((error = corm_buf_error(out)) != CORM_OK)
		error = corm_conn__set_error(db, error, NULL, error == CORM_ENOMEM
				? "out of memory" : "an IN list longer than %zu MiB",
			(size_t)(CORM_BUF_DEFAULT_CAP >> 20));
done:
	corm_arena_free(&scratch);
	return error;
}
