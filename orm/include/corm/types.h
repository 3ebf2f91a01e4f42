/*
 * types.h — the C types generated structs use for the schema's types, and
 * their text forms. Every DSL type maps to one of these or to a plain C
 * type (int16_t … double, bool, a C enum):
 *
 *   string(N), text, decimal(P,S), json   corm_str   (decimal as text: no
 *                                                      precision is lost)
 *   bytes                                  corm_bytes
 *   date                                   corm_date
 *   time                                   corm_time
 *   timestamp (UTC)                        corm_timestamp
 *   uuid                                   corm_uuid
 *
 * A NULL corm_str / corm_bytes has ptr == NULL; an empty one has a non-NULL
 * ptr and len 0. Nullable fields of the other types get a `bool has_<name>`
 * member beside them.
 */
#ifndef CORM_TYPES_H
#define CORM_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Text: UTF-8 bytes and their length. Text read from a database is also
 * NUL-terminated, so ptr can be printed directly. */
typedef struct corm_str {
	const char *ptr;
	size_t len;
} corm_str;

/* Bytes and their length. */
typedef struct corm_bytes {
	const void *ptr;
	size_t len;
} corm_bytes;

/* A calendar date: year 1..9999, month 1..12, day 1..31. */
typedef struct corm_date {
	int16_t year;
	uint8_t month, day;
} corm_date;

/* A time of day with microseconds. */
typedef struct corm_time {
	uint8_t hour, minute, second;
	uint32_t usec; /* 0..999999 */
} corm_time;

/* An instant: microseconds since 1970-01-01 00:00:00 UTC. */
typedef struct corm_timestamp {
	int64_t usec;
} corm_timestamp;

/* A UUID as its 16 bytes, in the order the text form writes them. */
typedef struct corm_uuid {
	uint8_t bytes[16];
} corm_uuid;

/* A corm_str of a string literal, length known at compile time. */
#define CORM_STR(lit) ((corm_str){"" lit, sizeof(lit) - 1})

/* A corm_str of a NUL-terminated string; NULL gives the NULL corm_str. */
corm_str corm_str_of(const char *s);

/* The current time, to the microsecond. */
corm_timestamp corm_timestamp_now(void);

/* The UTC calendar date and time of day of an instant. */
corm_date corm_date_of(corm_timestamp ts);
corm_time corm_time_of(corm_timestamp ts);

/* Text forms. Each writer needs a buffer of at least CORM_TEXT_MAX bytes
 * and returns the length written (NUL excluded). Each parser returns
 * CORM_OK or CORM_EINVAL for text it does not accept. */
#define CORM_TEXT_MAX 40

/* "2024-02-29" */
int corm_date_format(char *buf, corm_date d);
int corm_date_parse(corm_date *out, const char *text, size_t len);

/* "13:45:00" or "13:45:00.250000" */
int corm_time_format(char *buf, corm_time t);
int corm_time_parse(corm_time *out, const char *text, size_t len);

/* "2024-02-29 13:45:00.250000", always UTC. The parser also takes a 'T'
 * separator and a trailing "Z", "+00", "+00:00" or any other offset
 * (converted to UTC), as the engines and JSON write them. */
int corm_timestamp_format(char *buf, corm_timestamp ts);
int corm_timestamp_parse(corm_timestamp *out, const char *text, size_t len);

/* "0f8fad5b-d9cb-469f-a165-70867728950e" (lower case; parsing takes
 * either case). */
int corm_uuid_format(char *buf, corm_uuid u);
int corm_uuid_parse(corm_uuid *out, const char *text, size_t len);

#ifdef __cplusplus
}
#endif

#endif /* CORM_TYPES_H */
