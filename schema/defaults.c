/*
 * defaults.c — checking `@default(value)` against a field's type, and
 * the canonical forms literal defaults must have (dates, times,
 * timestamps, uuids, decimals that fit their precision and scale).
 *
 * lower.c calls cg_check_default() once the field's type is resolved;
 * the checks here need nothing else from the schema.
 */
#include <errno.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "internal.h"
#include "corm_util.h"

typedef struct defaults {
	cg_ctx *c;
	corm_arena *ir; /* strings kept in the IR */
} defaults;

static char *ir_str(defaults *l, cg_str s)
{
	char *p;

	if (l->c->oom)
		return NULL;
	p = corm_arena_alloc(l->ir, s.n + 1);
	if (!p) {
		l->c->oom = true;
		return NULL;
	}
	if (s.n)
		memcpy(p, s.p, s.n);
	p[s.n] = '\0';
	return p;
}

static const char *show(defaults *l, cg_str s)
{
	return cg_show(l->c, s);
}

static bool enum_member(const corm_enum *e, cg_str name, size_t *out)
{
	size_t i;

	for (i = 0; i < e->nmembers; i++) {
		if (cg_eq(name, e->members[i].name)) {
			*out = i;
			return true;
		}
	}
	return false;
}

static bool is_integer_type(corm_coltype t)
{
	return corm_coltype_is(t, CORM_COLF_INTEGER);
}

static bool is_temporal(corm_coltype t)
{
	return corm_coltype_is(t, CORM_COLF_TEMPORAL);
}

const char *cg_type_text(cg_ctx *c, const corm_field *fd)
{
	corm_buf b = CORM_BUF_INIT;
	const char *s;

	if (fd->kind != CORM_FIELD_SCALAR)
		return fd->type_name ? fd->type_name : "?";
	if (fd->type == CORM_COL_STRING)
		corm_buf_printf(&b, "string(%d)", fd->len);
	else if (fd->type == CORM_COL_DECIMAL)
		corm_buf_printf(&b, "decimal(%d, %d)", fd->precision, fd->scale);
	else
		corm_buf_puts(&b, corm_coltype_name(fd->type));
	s = cg_strndup(c, corm_buf_cstr(&b), b.len);
	if (corm_buf_error(&b))
		c->oom = true;
	corm_buf_free(&b);
	return s ? s : "?";
}

static bool parse_i64(cg_str t, int64_t *out)
{
	bool neg = t.n > 0 && t.p[0] == '-';
	uint64_t v = 0, limit = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	size_t i;

	for (i = neg ? 1 : 0; i < t.n; i++) {
		unsigned d = (unsigned)(t.p[i] - '0');

		if (v > (limit - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg)
		*out = v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v;
	else
		*out = (int64_t)v;
	return true;
}

static bool digits_fit_decimal(defaults *l, const corm_field *fd,
	const cg_value *v)
{
	size_t i = 0, int_digits = 0, frac_digits = 0;
	bool in_frac = false, leading = true;

	if (v->kind == CG_VAL_FLOAT) {
		for (i = 0; i < v->text.n; i++) {
			if (v->text.p[i] == 'e' || v->text.p[i] == 'E') {
				cg_error(l->c, v->loc, v->len,
					"write a decimal default without an exponent");
				return false;
			}
		}
	}
	for (i = 0; i < v->text.n; i++) {
		char ch = v->text.p[i];

		if (ch == '-')
			continue;
		if (ch == '.') {
			in_frac = true;
			continue;
		}
		if (in_frac) {
			frac_digits++;
		} else if (!(leading && ch == '0')) {
			leading = false;
			int_digits++;
		}
	}
	/* Trailing zeros after the point do not need room. */
	if (in_frac) {
		i = v->text.n;
		while (frac_digits > 0 && v->text.p[i - 1] == '0') {
			frac_digits--;
			i--;
		}
	}
	if (int_digits > (size_t)(fd->precision - fd->scale) ||
		frac_digits > (size_t)fd->scale) {
		cg_error(l->c, v->loc, v->len,
			"default value %s does not fit %s", show(l, v->text),
			cg_type_text(l->c, fd));
		return false;
	}
	return true;
}

static int dig(const char *s, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

static bool valid_date(const char *s, size_t n)
{
	static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30,
		31};
	int y, m, d;

	if (n != 10 || s[4] != '-' || s[7] != '-')
		return false;
	y = dig(s, 4);
	m = dig(s + 5, 2);
	d = dig(s + 8, 2);
	if (y < 1 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return false;
	if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return false;
	return true;
}

static bool valid_time(const char *s, size_t n)
{
	size_t i;

	if (n < 8 || s[2] != ':' || s[5] != ':')
		return false;
	if (dig(s, 2) < 0 || dig(s, 2) > 23 || dig(s + 3, 2) < 0 ||
		dig(s + 3, 2) > 59 || dig(s + 6, 2) < 0 || dig(s + 6, 2) > 59)
		return false;
	if (n == 8)
		return true;
	if (s[8] != '.' || n == 9 || n > 15)
		return false;
	for (i = 9; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool valid_timestamp(const char *s, size_t n)
{
	if (n < 19 || (s[10] != ' ' && s[10] != 'T'))
		return false;
	if (s[n - 1] == 'Z')
		n--;
	return valid_date(s, 10) && valid_time(s + 11, n - 11);
}

static bool valid_uuid(const char *s, size_t n)
{
	size_t i;

	if (n != 36)
		return false;
	for (i = 0; i < n; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		char ch = s[i];

		if (dash ? ch != '-' : !((ch >= '0' && ch <= '9') ||
				(ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F')))
			return false;
	}
	return true;
}

static const char *value_desc(defaults *l, const cg_value *v)
{
	corm_buf b = CORM_BUF_INIT;
	const char *s;

	if (v->kind == CG_VAL_STRING) {
		corm_buf_putc(&b, '"');
		corm_buf_puts(&b, show(l, v->str));
		corm_buf_putc(&b, '"');
	} else {
		corm_buf_printf(&b, "'%s'", show(l, v->text));
	}
	s = cg_strndup(l->c, corm_buf_cstr(&b), b.len);
	corm_buf_free(&b);
	return s ? s : "";
}

void cg_check_default(cg_ctx *c, corm_arena *ir, corm_field *fd,
	const cg_value *v, bool enum_had_errors)
{
	defaults l_ = {c, ir}, *l = &l_;
	corm_default *def = &fd->def;
	corm_coltype t = fd->type;

	if (v->kind == CG_VAL_IDENT && cg_eq(v->text, "null")) {
		cg_error(l->c, v->loc, v->len,
			"'null' is not a default: an optional field is NULL when not "
			"set");
		return;
	}
	if (fd->kind == CORM_FIELD_ENUM) {
		const corm_enum *e = fd->enum_type;
		size_t member;
		const char **cands;
		size_t i;

		if (v->kind == CG_VAL_IDENT && enum_member(e, v->text, &member)) {
			def->kind = CORM_DEFAULT_ENUM;
			def->member = member;
			def->text = e->members[member].name;
			def->text_len = strlen(def->text);
			return;
		}
		if (v->kind == CG_VAL_STRING && enum_member(e, v->str, &member)) {
			cg_error(l->c, v->loc, v->len,
				"write an enum default without quotes: @default(%s)",
				e->members[member].name);
			return;
		}
		if (v->kind != CG_VAL_IDENT) {
			cg_error(l->c, v->loc, v->len,
				"default value %s is not a member of enum '%s'",
				value_desc(l, v), e->name);
			return;
		}
		if (enum_had_errors)
			return;
		cands = cg_alloc(l->c, (e->nmembers + 1) * sizeof(*cands));
		if (!cands)
			return;
		for (i = 0; i < e->nmembers; i++)
			cands[i] = e->members[i].name;
		{
			const char *s = cg_suggest(v->text, cands, e->nmembers);

			if (s)
				cg_error(l->c, v->loc, v->len,
					"'%s' is not a member of enum '%s' (did you mean '%s'?)",
					show(l, v->text), e->name, s);
			else
				cg_error(l->c, v->loc, v->len,
					"'%s' is not a member of enum '%s'", show(l, v->text),
					e->name);
		}
		return;
	}

	switch (v->kind) {
	case CG_VAL_IDENT:
		if (cg_eq(v->text, "now")) {
			if (is_temporal(t)) {
				def->kind = CORM_DEFAULT_NOW;
				return;
			}
			cg_error(l->c, v->loc, v->len,
				"'now' is a default only for date, time and timestamp "
				"fields; '%s' is %s", fd->name, cg_type_text(l->c, fd));
			return;
		}
		if (cg_eq(v->text, "true") || cg_eq(v->text, "false")) {
			if (t == CORM_COL_BOOL) {
				def->kind = CORM_DEFAULT_BOOL;
				def->b = cg_eq(v->text, "true");
				return;
			}
			break;
		}
		cg_error(l->c, v->loc, v->len,
			"unknown default value '%s' for field '%s' (expected a "
			"literal%s)", show(l, v->text), fd->name,
			is_temporal(t) ? " or now" : t == CORM_COL_BOOL
			? ": true or false" : "");
		return;
	case CG_VAL_INT:
	case CG_VAL_FLOAT:
		def->text = ir_str(l, v->text);
		def->text_len = v->text.n;
		if (is_integer_type(t)) {
			int64_t i, lo, hi;

			if (v->kind == CG_VAL_FLOAT)
				break;
			lo = t == CORM_COL_I16 ? INT16_MIN
				: t == CORM_COL_I32 ? INT32_MIN : INT64_MIN;
			hi = t == CORM_COL_I16 ? INT16_MAX
				: t == CORM_COL_I32 ? INT32_MAX : INT64_MAX;
			if (!parse_i64(v->text, &i) || i < lo || i > hi) {
				cg_error(l->c, v->loc, v->len,
					"default value %s is out of range for %s",
					show(l, v->text), cg_type_text(l->c, fd));
				return;
			}
			def->kind = CORM_DEFAULT_INT;
			def->i = i;
			def->f = (double)i;
			return;
		}
		if (corm_coltype_is(t, CORM_COLF_NUMERIC)) {
			char tmp[128];
			double f;

			if (t == CORM_COL_DECIMAL && !digits_fit_decimal(l, fd, v))
				return;
			if (v->text.n >= sizeof(tmp)) {
				cg_error(l->c, v->loc, v->len,
					"default value %s is too long", show(l, v->text));
				return;
			}
			memcpy(tmp, v->text.p, v->text.n);
			tmp[v->text.n] = '\0';
			errno = 0;
			f = strtod(tmp, NULL);
			if (!isfinite(f) || (t == CORM_COL_F32 && fabs(f) > FLT_MAX)) {
				cg_error(l->c, v->loc, v->len,
					"default value %s is out of range for %s",
					show(l, v->text), cg_type_text(l->c, fd));
				return;
			}
			def->f = f;
			if (v->kind == CG_VAL_INT && parse_i64(v->text, &def->i)) {
				def->kind = CORM_DEFAULT_INT;
			} else {
				def->kind = CORM_DEFAULT_FLOAT;
				def->i = 0;
			}
			return;
		}
		break;
	case CG_VAL_STRING: {
		const char *s = v->str.p;
		size_t n = v->str.n;

		if (corm_coltype_is(t, CORM_COLF_TEXT)) {
			if (t == CORM_COL_STRING && corm__utf8_count(s, n) > (size_t)fd->len) {
				cg_error(l->c, v->loc, v->len,
					"default value is %zu characters long, but field '%s' "
					"is %s", corm__utf8_count(s, n), fd->name, cg_type_text(l->c, fd));
				return;
			}
		} else if (t == CORM_COL_UUID) {
			if (!valid_uuid(s, n)) {
				cg_error(l->c, v->loc, v->len,
					"default value %s is not a uuid "
					"(xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx)",
					value_desc(l, v));
				return;
			}
		} else if (is_temporal(t)) {
			bool ok = t == CORM_COL_DATE ? valid_date(s, n)
				: t == CORM_COL_TIME ? valid_time(s, n)
				: valid_timestamp(s, n);

			if (!ok) {
				cg_error(l->c, v->loc, v->len,
					"default value %s is not a valid %s (%s)",
					value_desc(l, v), corm_coltype_name(t),
					t == CORM_COL_DATE ? "YYYY-MM-DD"
					: t == CORM_COL_TIME ? "HH:MM:SS[.ffffff]"
					: "YYYY-MM-DD HH:MM:SS[.ffffff], UTC");
				return;
			}
		} else if (t == CORM_COL_BYTES) {
			cg_error(l->c, v->loc, v->len,
				"bytes fields cannot have a default");
			return;
		} else {
			break;
		}
		def->kind = CORM_DEFAULT_STRING;
		def->text = ir_str(l, v->str);
		def->text_len = n;
		return;
	}
	default:
		break;
	}
	cg_error(l->c, v->loc, v->len,
		"default value %s does not match the type of field '%s' (%s)",
		value_desc(l, v), fd->name, cg_type_text(l->c, fd));
	def->kind = CORM_DEFAULT_NONE;
}

