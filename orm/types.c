/*
 * types.c — text forms of dates, times, timestamps and UUIDs, the way the
 * three engines write and read them. Parsers are strict about shape and
 * ranges: text that does not name exactly one value is CORM_EINVAL.
 *
 * Calendar arithmetic uses Howard Hinnant's days_from_civil and
 * civil_from_days (proleptic Gregorian), which need no tables.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "corm/corm.h"
#include "corm/types.h"
#include "corm_util.h"

#define USEC_PER_SEC INT64_C(1000000)
#define USEC_PER_DAY (86400 * USEC_PER_SEC)

corm_str corm_str_of(const char *s)
{
	corm_str str = {s, s ? strlen(s) : 0};

	return str;
}

corm_timestamp corm_timestamp_now(void)
{
	struct timespec ts;
	corm_timestamp now;

	clock_gettime(CLOCK_REALTIME, &ts);
	now.usec = (int64_t)ts.tv_sec * USEC_PER_SEC + ts.tv_nsec / 1000;
	return now;
}

/* ---------------------------------------------------------------- calendar */

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static unsigned days_in_month(int y, unsigned m)
{
	static const unsigned char days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30,
		31, 30, 31};
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	return m == 2 && leap ? 29 : days[m - 1];
}

/* ------------------------------------------------------------------ reading */

/* A small cursor over the text being parsed. */
typedef struct scan {
	const char *p, *end;
} scan;

/* Exactly `n` digits. */
static bool digits(scan *s, int n, int *out)
{
	int v = 0;

	if (s->end - s->p < n)
		return false;
	while (n--) {
		if (*s->p < '0' || *s->p > '9')
			return false;
		v = v * 10 + (*s->p++ - '0');
	}
	*out = v;
	return true;
}

static bool lit(scan *s, char c)
{
	if (s->p < s->end && *s->p == c) {
		s->p++;
		return true;
	}
	return false;
}

static bool read_date(scan *s, corm_date *out)
{
	int y, m, d;

	if (!digits(s, 4, &y) || !lit(s, '-') || !digits(s, 2, &m) ||
		!lit(s, '-') || !digits(s, 2, &d))
		return false;
	if (y < 1 || m < 1 || m > 12 || d < 1 ||
		(unsigned)d > days_in_month(y, (unsigned)m))
		return false;
	out->year = (int16_t)y;
	out->month = (uint8_t)m;
	out->day = (uint8_t)d;
	return true;
}

/* HH:MM[:SS[.ffffff]] — up to six fraction digits, more are refused. */
static bool read_time(scan *s, corm_time *out)
{
	int h, mi, sec = 0, n = 0;
	uint32_t usec = 0;

	if (!digits(s, 2, &h) || !lit(s, ':') || !digits(s, 2, &mi))
		return false;
	if (lit(s, ':')) {
		if (!digits(s, 2, &sec))
			return false;
		if (lit(s, '.')) {
			while (s->p < s->end && *s->p >= '0' && *s->p <= '9') {
				if (++n > 6)
					return false;
				usec = usec * 10 + (uint32_t)(*s->p++ - '0');
			}
			if (n == 0)
				return false;
			for (; n < 6; n++)
				usec *= 10;
		}
	}
	if (h > 23 || mi > 59 || sec > 59)
		return false;
	out->hour = (uint8_t)h;
	out->minute = (uint8_t)mi;
	out->second = (uint8_t)sec;
	out->usec = usec;
	return true;
}

int corm_date_parse(corm_date *out, const char *text, size_t len)
{
	scan s = {text, text + len};

	return read_date(&s, out) && s.p == s.end ? CORM_OK : CORM_EINVAL;
}

int corm_time_parse(corm_time *out, const char *text, size_t len)
{
	scan s = {text, text + len};

	return read_time(&s, out) && s.p == s.end ? CORM_OK : CORM_EINVAL;
}

int corm_timestamp_parse(corm_timestamp *out, const char *text, size_t len)
{
	scan s = {text, text + len};
	corm_date d;
	corm_time t;
	int64_t offset_sec = 0;

	if (!read_date(&s, &d) || !(lit(&s, ' ') || lit(&s, 'T')) ||
		!read_time(&s, &t))
		return CORM_EINVAL;
	if (lit(&s, 'Z')) {
		/* UTC */
	} else if (s.p < s.end && (*s.p == '+' || *s.p == '-')) {
		int sign = *s.p++ == '-' ? -1 : 1, oh, om = 0, os = 0;

		if (!digits(&s, 2, &oh))
			return CORM_EINVAL;
		if (lit(&s, ':') ? !digits(&s, 2, &om) : (s.p < s.end &&
				!digits(&s, 2, &om)))
			return CORM_EINVAL;
		/* Seconds too: PostgreSQL writes local mean time offsets of
		 * old instants that way (Asia/Kolkata in 1900: +05:53:28). */
		if (lit(&s, ':') && !digits(&s, 2, &os))
			return CORM_EINVAL;
		if (oh > 15 || om > 59 || os > 59)
			return CORM_EINVAL;
		offset_sec = sign * (oh * 3600 + om * 60 + os);
	}
	if (s.p != s.end)
		return CORM_EINVAL;
	out->usec = days_from_civil(d.year, d.month, d.day) * USEC_PER_DAY +
		((int64_t)t.hour * 3600 + t.minute * 60 + t.second - offset_sec) *
			USEC_PER_SEC +
		t.usec;
	return CORM_OK;
}

/* ------------------------------------------------------------------ writing */

int corm_date_format(char *buf, corm_date d)
{
	return snprintf(buf, CORM_TEXT_MAX, "%04d-%02u-%02u", d.year,
		(unsigned)d.month, (unsigned)d.day);
}

int corm_time_format(char *buf, corm_time t)
{
	if (t.usec)
		return snprintf(buf, CORM_TEXT_MAX, "%02u:%02u:%02u.%06u",
			(unsigned)t.hour, (unsigned)t.minute, (unsigned)t.second,
			(unsigned)t.usec);
	return snprintf(buf, CORM_TEXT_MAX, "%02u:%02u:%02u", (unsigned)t.hour,
		(unsigned)t.minute, (unsigned)t.second);
}

/* Split an instant into its UTC date and time of day (floor division, so
 * instants before 1970 fall on the right day). */
static void split(corm_timestamp ts, corm_date *date, corm_time *t)
{
	int64_t days = ts.usec / USEC_PER_DAY, rest = ts.usec % USEC_PER_DAY;
	int64_t y;
	unsigned m, d;

	if (rest < 0) {
		rest += USEC_PER_DAY;
		days--;
	}
	civil_from_days(days, &y, &m, &d);
	date->year = (int16_t)y;
	date->month = (uint8_t)m;
	date->day = (uint8_t)d;
	t->hour = (uint8_t)(rest / (3600 * USEC_PER_SEC));
	t->minute = (uint8_t)(rest / (60 * USEC_PER_SEC) % 60);
	t->second = (uint8_t)(rest / USEC_PER_SEC % 60);
	t->usec = (uint32_t)(rest % USEC_PER_SEC);
}

corm_date corm_date_of(corm_timestamp ts)
{
	corm_date d;
	corm_time t;

	split(ts, &d, &t);
	return d;
}

corm_time corm_time_of(corm_timestamp ts)
{
	corm_date d;
	corm_time t;

	split(ts, &d, &t);
	return t;
}

int corm_timestamp_format(char *buf, corm_timestamp ts)
{
	corm_date d;
	corm_time t;
	int n;

	split(ts, &d, &t);
	n = corm_date_format(buf, d);
	buf[n++] = ' ';
	return n + corm_time_format(buf + n, t);
}

int corm_uuid_format(char *buf, corm_uuid u)
{
	static const char hex[] = "0123456789abcdef";
	int i, n = 0;

	for (i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			buf[n++] = '-';
		buf[n++] = hex[u.bytes[i] >> 4];
		buf[n++] = hex[u.bytes[i] & 15];
	}
	buf[n] = '\0';
	return n;
}

int corm_uuid_parse(corm_uuid *out, const char *text, size_t len)
{
	size_t i, b = 0;

	if (len != 36)
		return CORM_EINVAL;
	for (i = 0; i < 36;) {
		int hi, lo;

		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (text[i++] != '-')
				return CORM_EINVAL;
			continue;
		}
		hi = corm__hex_value(text[i]);
		lo = corm__hex_value(text[i + 1]);
		if (hi < 0 || lo < 0)
			return CORM_EINVAL;
		out->bytes[b++] = (uint8_t)(hi << 4 | lo);
		i += 2;
	}
	return CORM_OK;
}
