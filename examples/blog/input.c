/*
 * input.c — request bodies and query parameters (see input.h).
 *
 * Bodies are parsed by jansson, which rejects invalid UTF-8, NUL
 * characters (\u0000) and, with JSON_REJECT_DUPLICATES, repeated keys.
 * Lengths are counted in characters, as string(N) columns count them.
 */
#include <assert.h>
#include <limits.h>
#include <string.h>

#include <microhttpd.h>

#include "input.h"
#include "reply.h"
#include "utf8.h"

static const char *kind_name(field_kind k)
{
	switch (k) {
	case FIELD_STRING:
		return "a string";
	case FIELD_INT:
		return "a positive integer";
	case FIELD_STRINGS:
		return "an array of strings";
	}
	return "?";
}

/* One field's value against its spec; false after a 400. */
static bool check_value(blog_reply *out, const field_spec *f, json_t *v)
{
	size_t i, j, len;
	json_t *item;

	if (json_is_null(v)) {
		if (f->nullable)
			return true;
		reply_error(out, 400, "validation", "field '%s' cannot be "
			"null", f->name);
		return false;
	}
	switch (f->kind) {
	case FIELD_STRING:
		if (!json_is_string(v))
			break;
		len = utf8_chars(json_string_value(v), json_string_length(v));
		if (len == 0 || len > f->max_len) {
			reply_error(out, 400, "validation", "field '%s' must "
				"have 1 to %zu characters", f->name, f->max_len);
			return false;
		}
		return true;
	case FIELD_INT:
		if (!json_is_integer(v))
			break;
		if (json_integer_value(v) < 1) {
			reply_error(out, 400, "validation", "field '%s' must be "
				"1 or more", f->name);
			return false;
		}
		return true;
	case FIELD_STRINGS:
		if (!json_is_array(v))
			break;
		if (json_array_size(v) > f->max_items) {
			reply_error(out, 400, "validation", "field '%s' takes "
				"%zu items at most", f->name, f->max_items);
			return false;
		}
		json_array_foreach(v, i, item) {
			if (!json_is_string(item)) {
				reply_error(out, 400, "validation", "field '%s' "
					"must be an array of strings", f->name);
				return false;
			}
			len = utf8_chars(json_string_value(item),
				json_string_length(item));
			if (len == 0 || len > f->max_len) {
				reply_error(out, 400, "validation", "each of "
					"'%s' must have 1 to %zu characters",
					f->name, f->max_len);
				return false;
			}
			for (j = 0; j < i; j++) {
				if (json_equal(item, json_array_get(v, j))) {
					reply_error(out, 400, "validation",
						"'%s' holds \"%s\" twice", f->name,
						json_string_value(item));
					return false;
				}
			}
		}
		return true;
	}
	reply_error(out, 400, "validation", "field '%s' must be %s",
		f->name, kind_name(f->kind));
	return false;
}

json_t *input_object(blog_reply *out, const blog_request *req,
	const field_spec *spec, size_t n)
{
	json_error_t err;
	json_t *obj, *v;
	const char *key;
	size_t i;

	obj = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES,
		&err);
	if (!obj) {
		reply_error(out, 400, "malformed_json", "malformed JSON at "
			"line %d, column %d: %s", err.line, err.column, err.text);
		return NULL;
	}
	if (!json_is_object(obj)) {
		reply_error(out, 400, "validation", "the body must be a JSON "
			"object");
		goto fail;
	}
	json_object_foreach(obj, key, v) {
		for (i = 0; i < n; i++)
			if (strcmp(spec[i].name, key) == 0)
				break;
		if (i == n) {
			reply_error(out, 400, "validation", "unknown field '%.100s'",
				key);
			goto fail;
		}
		if (!check_value(out, &spec[i], v))
			goto fail;
	}
	for (i = 0; i < n; i++) {
		if (spec[i].required && !json_object_get(obj, spec[i].name)) {
			reply_error(out, 400, "validation", "missing field '%s'",
				spec[i].name);
			goto fail;
		}
	}
	return obj;
fail:
	json_decref(obj);
	return NULL;
}

corm_str input_str(const json_t *obj, const char *name)
{
	const json_t *v = json_object_get(obj, name);
	corm_str s = {NULL, 0};

	if (json_is_string(v)) {
		s.ptr = json_string_value(v);
		s.len = json_string_length(v);
	}
	return s;
}

/* ---------------------------------------------------------- query string */

struct query_scan {
	const char *const *names;
	size_t n;
	unsigned seen;          /* bit i: names[i] was given */
	const char *bad;        /* what was wrong, static text */
	char key[64];           /* the parameter at fault */
};

static enum MHD_Result scan_arg(void *cls, enum MHD_ValueKind kind,
	const char *key, const char *value)
{
	struct query_scan *s = cls;
	size_t i;

	(void)kind;
	snprintf(s->key, sizeof(s->key), "%s", key);
	for (i = 0; i < s->n; i++)
		if (strcmp(s->names[i], key) == 0)
			break;
	if (i == s->n)
		s->bad = "unknown query parameter";
	else if (s->seen & (1u << i))
		s->bad = "repeated query parameter";
	else if (!value || !*value)
		s->bad = "empty query parameter";
	else if (!utf8_valid(value))
		s->bad = "query parameter is not valid UTF-8";
	else
		s->seen |= 1u << i;
	return s->bad ? MHD_NO : MHD_YES;
}

bool input_query_check(blog_reply *out, const blog_request *req,
	const char *const *names, size_t n)
{
	struct query_scan s = {names, n, 0, NULL, ""};

	assert(n <= 32);
	MHD_get_connection_values(req->conn, MHD_GET_ARGUMENT_KIND, scan_arg,
		&s);
	if (!s.bad)
		return true;
	reply_error(out, 400, "validation", "%s '%s'", s.bad, s.key);
	return false;
}

const char *input_query(const blog_request *req, const char *name)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
		name);
}

bool input_parse_int(const char *s, int64_t min, int64_t max, int64_t *v)
{
	int64_t n = 0;

	if (!s || !*s || strlen(s) > 19)
		return false;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return false;
		if (n > (INT64_MAX - (*s - '0')) / 10)
			return false;
		n = n * 10 + (*s - '0');
	}
	if (n < min || n > max)
		return false;
	*v = n;
	return true;
}

bool input_query_int(blog_reply *out, const blog_request *req,
	const char *name, int64_t min, int64_t max, int64_t *v)
{
	const char *s = input_query(req, name);

	if (!s || input_parse_int(s, min, max, v))
		return true;
	reply_error(out, 400, "validation", "query parameter '%s' must be an "
		"integer from %lld to %lld", name, (long long)min, (long long)max);
	return false;
}
