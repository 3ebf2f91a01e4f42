/*
 * decimal.c — the text of a decimal(P,S) value, checked and made
 * canonical before it is bound.
 *
 * A decimal field is a corm_str holding the number's text. Every value
 * sent for a decimal column (written, or compared with it) is checked
 * against the column's precision and scale here and rewritten in one
 * canonical form, the form PostgreSQL and MariaDB return for the column:
 * an optional '-', the integer digits without leading zeros ("0" when
 * there are none), then a point and exactly S places (no point when S is
 * 0); zero has no sign. PostgreSQL and MariaDB would round or refuse what
 * does not fit, each its own way, and SQLite stores text as given, so
 * checking once here is what makes the three engines agree, and storing
 * one spelling per value is what lets SQLite compare with `=` and enforce
 * unique keys on decimals by their text.
 *
 * Accepted: [+-] digits [. digits], ".5" and "5." included (PostgreSQL
 * and MySQL take both). Refused as malformed (CORM_EINVAL): no digit, an
 * exponent, spaces, "NaN", "Infinity", hex. Refused as out of range
 * (CORM_ERANGE): more integer digits (leading zeros aside) than P - S, or
 * a nonzero digit past the S-th place. Places past S that are all zeros
 * are dropped: no value is ever rounded.
 */
#include <stdio.h>
#include <string.h>

#include "corm/model.h"
#include "internal.h"

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

corm_decimal_fault corm_decimal__canonical(char *out, size_t *out_len,
	const char *text, size_t len, int precision, int scale)
{
	size_t i = 0, int_start, int_end, frac_start, frac_end, kept, places, k;
	bool neg = false, zero = true;
	char *o = out;

	if (i < len && (text[i] == '+' || text[i] == '-'))
		neg = text[i++] == '-';
	for (int_start = i; i < len && is_digit(text[i]); i++)
		;
	int_end = frac_start = frac_end = i;
	if (i < len && text[i] == '.') {
		for (frac_start = ++i; i < len && is_digit(text[i]); i++)
			;
		frac_end = i;
	}
	if (i != len || (int_end == int_start && frac_end == frac_start))
		return CORM_DECIMAL_MALFORMED;
	while (int_start < int_end && text[int_start] == '0')
		int_start++;
	kept = places = frac_end - frac_start;
	if (precision > 0) { /* 0: a descriptor without (P,S), nothing to check */
		if (int_end - int_start > (size_t)(precision - scale))
			return CORM_DECIMAL_DIGITS;
		for (k = frac_start + (size_t)scale; k < frac_end; k++)
			if (text[k] != '0')
				return CORM_DECIMAL_PLACES;
		places = (size_t)scale;
		kept = kept < places ? kept : places;
	}
	for (k = 0; k < kept && zero; k++)
		zero = text[frac_start + k] == '0';
	zero = zero && int_start == int_end;
	if (neg && !zero)
		*o++ = '-';
	if (int_start == int_end)
		*o++ = '0';
	memcpy(o, text + int_start, int_end - int_start);
	o += int_end - int_start;
	if (places > 0) {
		*o++ = '.';
		memcpy(o, text + frac_start, kept);
		memset(o + kept, '0', places - kept);
		o += places;
	}
	*o = '\0';
	*out_len = (size_t)(o - out);
	return CORM_DECIMAL_OK;
}

size_t corm_decimal__canonical_cap(size_t len, int scale)
{
	/* '-' or '0', the digits given, '.', S zeros of padding, the NUL. */
	return len + (size_t)(scale > 0 ? scale : 0) + 4;
}

int corm_decimal__value(corm_value *out, corm_conn *db,
	const corm_field_desc *f, const corm_str *s, corm_arena *scratch)
{
	const char *text = s->ptr ? s->ptr : "";
	int shown = (int)(s->len > 64 ? 64 : s->len);
	char *buf = corm_arena_alloc(scratch,
		corm_decimal__canonical_cap(s->len, f->scale));
	size_t len = 0;

	if (!buf)
		return corm_conn__set_error(db, CORM_ENOMEM, NULL, "out of memory");
	switch (corm_decimal__canonical(buf, &len, text, s->len, f->precision,
		f->scale)) {
	case CORM_DECIMAL_OK:
		break;
	case CORM_DECIMAL_MALFORMED:
		return corm_conn__set_error(db, CORM_EINVAL, NULL,
			"field %s: '%.*s' is not a decimal(%d,%d) number (digits with "
			"an optional sign and point; no exponent, spaces, NaN or hex)",
			f->name, shown, text, f->precision, f->scale);
	case CORM_DECIMAL_DIGITS:
		return corm_conn__set_error(db, CORM_ERANGE, NULL,
			"field %s: '%.*s' has more than %d digits before the point, "
			"too many for decimal(%d,%d)", f->name, shown, text,
			f->precision - f->scale, f->precision, f->scale);
	case CORM_DECIMAL_PLACES:
		return corm_conn__set_error(db, CORM_ERANGE, NULL,
			"field %s: '%.*s' has more than %d places after the point, too "
			"many for decimal(%d,%d) (corm does not round)", f->name, shown,
			text, f->scale, f->precision, f->scale);
	}
	out->type = CORM_TYPE_TEXT;
	out->v.bytes.ptr = buf;
	out->v.bytes.len = len;
	return CORM_OK;
}
