/*
 * values.c — exact comparisons for the differential test (see values.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "values.h"

bool dec_parse(i128 *out, const char *s, size_t len, int scale)
{
	const char *end = s + len;
	bool neg = false, digits = false;
	i128 v = 0;
	int frac = 0;

	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	for (; s < end && *s >= '0' && *s <= '9'; s++, digits = true) {
		if (v > ((i128)1 << 120))
			return false;
		v = v * 10 + (*s - '0');
	}
	if (s < end && *s == '.') {
		for (s++; s < end && *s >= '0' && *s <= '9'; s++, digits = true) {
			if (frac == scale) {
				if (*s != '0')
					return false;
				continue;
			}
			v = v * 10 + (*s - '0');
			frac++;
		}
	}
	if (s != end || !digits)
		return false;
	for (; frac < scale; frac++)
		v *= 10;
	*out = neg ? -v : v;
	return true;
}

void dec_format(char *buf, i128 v, int scale)
{
	char rev[64];
	int n = 0, i, k = 0;
	bool neg = v < 0;
	unsigned __int128 u = neg ? (unsigned __int128)(-(v + 1)) + 1
		: (unsigned __int128)v;

	do {
		rev[n++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u || n <= scale);
	if (neg)
		buf[k++] = '-';
	for (i = n - 1; i >= 0; i--) {
		buf[k++] = rev[i];
		if (i == scale && scale > 0)
			buf[k++] = '.';
	}
	buf[k] = '\0';
}

const void *field_ptr(const corm_model_desc *m, int f, const void *row)
{
	return (const char *)row + m->fields[f].offset;
}

bool field_is_null(const corm_model_desc *m, int f, const void *row)
{
	const corm_field_desc *fd = &m->fields[f];

	if (!(fd->flags & CORM_FIELD_NULLABLE))
		return false;
	if (fd->has_offset == CORM_NO_HAS)
		return ((const corm_str *)field_ptr(m, f, row))->ptr == NULL;
	return !*(const bool *)((const char *)row + fd->has_offset);
}

size_t field_size(const corm_model_desc *m, int f)
{
	switch (m->fields[f].ctype) {
	case CORM_C_I16: return sizeof(int16_t);
	case CORM_C_I32: return sizeof(int32_t);
	case CORM_C_I64: return sizeof(int64_t);
	case CORM_C_F32: return sizeof(float);
	case CORM_C_F64: return sizeof(double);
	case CORM_C_BOOL: return sizeof(bool);
	case CORM_C_STR: return sizeof(corm_str);
	case CORM_C_BYTES: return sizeof(corm_bytes);
	case CORM_C_DATE: return sizeof(corm_date);
	case CORM_C_TIME: return sizeof(corm_time);
	case CORM_C_TIMESTAMP: return sizeof(corm_timestamp);
	case CORM_C_UUID: return sizeof(corm_uuid);
	case CORM_C_ENUM: return sizeof(int);
	}
	return 0;
}

#define CMP(a, b) ((a) < (b) ? -1 : (a) > (b) ? 1 : 0)

static int bytes_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? (c < 0 ? -1 : 1) : CMP(alen, blen);
}

int value_cmp(const corm_model_desc *m, int f, const void *a, const void *b)
{
	const corm_field_desc *fd = &m->fields[f];

	switch (fd->ctype) {
	case CORM_C_I16: return CMP(*(const int16_t *)a, *(const int16_t *)b);
	case CORM_C_I32: return CMP(*(const int32_t *)a, *(const int32_t *)b);
	case CORM_C_I64: return CMP(*(const int64_t *)a, *(const int64_t *)b);
	case CORM_C_F32: return CMP(*(const float *)a, *(const float *)b);
	case CORM_C_F64: return CMP(*(const double *)a, *(const double *)b);
	case CORM_C_BOOL: return CMP(*(const bool *)a, *(const bool *)b);
	case CORM_C_ENUM: return CMP(*(const int *)a, *(const int *)b);
	case CORM_C_STR: {
		const corm_str *x = a, *y = b;
		i128 dx, dy;

		if (fd->coltype == CORM_COL_DECIMAL &&
			dec_parse(&dx, x->ptr, x->len, DEC_SCALE) &&
			dec_parse(&dy, y->ptr, y->len, DEC_SCALE))
			return CMP(dx, dy);
		return bytes_cmp(x->ptr, x->len, y->ptr, y->len);
	}
	case CORM_C_BYTES: {
		const corm_bytes *x = a, *y = b;

		return bytes_cmp(x->ptr, x->len, y->ptr, y->len);
	}
	case CORM_C_DATE: {
		const corm_date *x = a, *y = b;

		if (x->year != y->year)
			return CMP(x->year, y->year);
		if (x->month != y->month)
			return CMP(x->month, y->month);
		return CMP(x->day, y->day);
	}
	case CORM_C_TIME: {
		const corm_time *x = a, *y = b;
		int64_t ux = ((x->hour * 60 + x->minute) * 60 + x->second) *
			(int64_t)1000000 + x->usec;
		int64_t uy = ((y->hour * 60 + y->minute) * 60 + y->second) *
			(int64_t)1000000 + y->usec;

		return CMP(ux, uy);
	}
	case CORM_C_TIMESTAMP:
		return CMP(((const corm_timestamp *)a)->usec,
			((const corm_timestamp *)b)->usec);
	case CORM_C_UUID: {
		int c = memcmp(a, b, sizeof(corm_uuid));

		return CMP(c, 0);
	}
	}
	return 0;
}

bool value_same(const corm_model_desc *m, int f, const void *a,
	const void *b)
{
	switch (m->fields[f].ctype) {
	case CORM_C_F32: return memcmp(a, b, sizeof(float)) == 0;
	case CORM_C_F64: return memcmp(a, b, sizeof(double)) == 0;
	default: return value_cmp(m, f, a, b) == 0;
	}
}

bool field_same(const corm_model_desc *m, int f, const void *ra,
	const void *rb)
{
	bool na = field_is_null(m, f, ra), nb = field_is_null(m, f, rb);

	if (na || nb)
		return na && nb;
	return value_same(m, f, field_ptr(m, f, ra), field_ptr(m, f, rb));
}

/* Text with control characters and non-ASCII escaped, for diffs. */
static void put_text(char *buf, size_t cap, const char *s, size_t len)
{
	size_t k = 0, i;

	if (cap < 8)
		return;
	buf[k++] = '"';
	for (i = 0; i < len && k + 6 < cap; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			k += (size_t)snprintf(buf + k, cap - k, "\\x%02x", c);
		else
			buf[k++] = (char)c;
	}
	if (i < len && k + 4 < cap)
		buf[k++] = '.', buf[k++] = '.';
	buf[k++] = '"';
	buf[k] = '\0';
}

void field_format(char *buf, size_t cap, const corm_model_desc *m, int f,
	const void *row)
{
	const void *v = field_ptr(m, f, row);
	char t[CORM_TEXT_MAX];

	if (field_is_null(m, f, row)) {
		snprintf(buf, cap, "NULL");
		return;
	}
	switch (m->fields[f].ctype) {
	case CORM_C_I16: snprintf(buf, cap, "%d", *(const int16_t *)v); break;
	case CORM_C_I32: snprintf(buf, cap, "%d", (int)*(const int32_t *)v);
		break;
	case CORM_C_I64: snprintf(buf, cap, "%lld", (long long)*(const int64_t *)v);
		break;
	case CORM_C_F32: snprintf(buf, cap, "%.9g", (double)*(const float *)v);
		break;
	case CORM_C_F64: snprintf(buf, cap, "%.17g", *(const double *)v); break;
	case CORM_C_BOOL: snprintf(buf, cap, "%s", *(const bool *)v ? "true"
		: "false"); break;
	case CORM_C_ENUM: snprintf(buf, cap, "%s", corm_enum_to_string(
		m->fields[f].enum_desc, *(const int *)v)); break;
	case CORM_C_STR: {
		const corm_str *s = v;

		put_text(buf, cap, s->ptr, s->len);
		break;
	}
	case CORM_C_BYTES: snprintf(buf, cap, "<bytes>"); break;
	case CORM_C_DATE: corm_date_format(t, *(const corm_date *)v);
		snprintf(buf, cap, "%s", t); break;
	case CORM_C_TIME: corm_time_format(t, *(const corm_time *)v);
		snprintf(buf, cap, "%s", t); break;
	case CORM_C_TIMESTAMP: corm_timestamp_format(t,
		*(const corm_timestamp *)v);
		snprintf(buf, cap, "%s", t); break;
	case CORM_C_UUID: corm_uuid_format(t, *(const corm_uuid *)v);
		snprintf(buf, cap, "%s", t); break;
	}
}

/* Bytes in the UTF-8 sequence starting with byte c. */
static size_t utf8_len(unsigned char c)
{
	return c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}

bool like_match(const char *s, size_t slen, const char *p, size_t plen)
{
	size_t n;

	while (plen) {
		if (*p == '%') {
			p++, plen--;
			for (;;) {
				if (like_match(s, slen, p, plen))
					return true;
				if (!slen)
					return false;
				n = utf8_len((unsigned char)*s);
				s += n, slen -= n;
			}
		}
		if (!slen)
			return false;
		if (*p == '_') {
			n = utf8_len((unsigned char)*s);
			s += n, slen -= n;
			p++, plen--;
			continue;
		}
		if (*p == '!' && plen > 1)
			p++, plen--;
		if (*p != *s)
			return false;
		p++, plen--, s++, slen--;
	}
	return slen == 0;
}

bool double_is_exactly(double d, i128 v, int scale)
{
	i128 p10 = 1, mant, num;
	int exp, shift, i;

	if (!isfinite(d))
		return false;
	for (i = 0; i < scale; i++)
		p10 *= 10;
	/* d = mant * 2^(exp - 53), mant an integer of at most 53 bits */
	mant = (i128)ldexp(frexp(d, &exp), 53);
	exp -= 53;
	num = mant * p10; /* d * 10^scale = num * 2^exp */
	if (exp >= 0) {
		if (exp > 60)
			return false; /* beyond any value in this test */
		return num * ((i128)1 << exp) == v;
	}
	shift = -exp;
	if (shift >= 120)
		return num == 0 && v == 0;
	if (num % ((i128)1 << shift) != 0)
		return false;
	return num / ((i128)1 << shift) == v;
}
