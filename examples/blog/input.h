/*
 * input.h — validating what a client sends: a JSON body checked against a
 * table of the fields an endpoint takes, and the query parameters of a
 * URL. Anything unexpected is a 400 with a message that names the field:
 * malformed JSON, a body that is not an object, an unknown field, a wrong
 * type, a missing required field, a string too long for its column.
 */
#ifndef BLOG_INPUT_H
#define BLOG_INPUT_H

#include <stdbool.h>

#include "app.h"

typedef enum field_kind {
	FIELD_STRING,   /* a JSON string, max_len characters at most */
	FIELD_INT,      /* a JSON integer, 1 or more (a key) */
	FIELD_STRINGS   /* an array of distinct strings, max_items at most */
} field_kind;

typedef struct field_spec {
	const char *name;
	field_kind kind;
	bool required;
	bool nullable;          /* JSON null accepted */
	size_t max_len;         /* characters of a string (or of each item) */
	size_t max_items;       /* FIELD_STRINGS */
} field_spec;

/*
 * The request body as a JSON object matching spec[0..n). Returns the
 * object (the caller's: json_decref it), or NULL after filling `out`
 * with a 400.
 */
json_t *input_object(blog_reply *out, const blog_request *req,
	const field_spec *spec, size_t n);

/* obj[name] as a corm_str pointing into obj; the NULL corm_str when the
 * field is absent or null. */
corm_str input_str(const json_t *obj, const char *name);

/*
 * Query parameters. input_query_check() answers false, after a 400 in
 * `out`, when the URL has a parameter not in names[0..n), an empty or
 * repeated one, or one that is not valid UTF-8. input_query() is then
 * a parameter's value, or NULL when absent.
 */
bool input_query_check(blog_reply *out, const blog_request *req,
	const char *const *names, size_t n);
const char *input_query(const blog_request *req, const char *name);

/* A query parameter that must be an integer in [min, max]; `*v` is left
 * alone when it is absent. false after a 400 in `out`. */
bool input_query_int(blog_reply *out, const blog_request *req,
	const char *name, int64_t min, int64_t max, int64_t *v);

/* A decimal integer in [min, max], nothing else (no sign, no spaces). */
bool input_parse_int(const char *s, int64_t min, int64_t max, int64_t *v);

#endif
