/*
 * output.c — rows as JSON (see output.h).
 */
#include "output.h"

static json_t *ts_json(corm_timestamp ts)
{
	char buf[CORM_TEXT_MAX + 2];
	int n = corm_timestamp_format(buf, ts);

	if (n < 0)
		return json_null();
	for (int i = 0; i < n; i++)
		if (buf[i] == ' ')
			buf[i] = 'T';
	buf[n] = 'Z';
	buf[n + 1] = '\0';
	return json_string(buf);
}

json_t *str_json(corm_str s)
{
	return s.ptr ? json_stringn(s.ptr, s.len) : json_null();
}

json_t *author_json(const author *a)
{
	return json_pack("{s:I,s:o,s:o,s:o,s:o}",
		"id", (json_int_t)a->id,
		"email", str_json(a->email),
		"name", str_json(a->name),
		"bio", str_json(a->bio),
		"joined_at", ts_json(a->joined_at));
}

json_t *post_json(const post *p)
{
	return json_pack("{s:I,s:I,s:o,s:o,s:s,s:o,s:o}",
		"id", (json_int_t)p->id,
		"author_id", (json_int_t)p->author_id,
		"title", str_json(p->title),
		"body", str_json(p->body),
		"status", post_status_to_string(p->status),
		"published_at", p->has_published_at ?
			ts_json(p->published_at) : json_null(),
		"created_at", ts_json(p->created_at));
}

json_t *tag_json(const tag *t)
{
	return json_pack("{s:I,s:o}", "id", (json_int_t)t->id,
		"name", str_json(t->name));
}

json_t *comment_json(const comment *c)
{
	return json_pack("{s:I,s:I,s:o,s:o,s:o}",
		"id", (json_int_t)c->id,
		"post_id", (json_int_t)c->post_id,
		"name", str_json(c->name),
		"body", str_json(c->body),
		"created_at", ts_json(c->created_at));
}

json_t *tag_names_json(const tag *tags, size_t first, size_t count)
{
	json_t *arr = json_array();

	for (size_t k = first; arr && k < first + count; k++) {
		if (!json_push(arr, str_json(tags[k].name))) {
			json_decref(arr);
			return NULL;
		}
	}
	return arr;
}

int json_push(json_t *array, json_t *item)
{
	if (!array || !item) {
		json_decref(item);
		return 0;
	}
	return json_array_append_new(array, item) == 0;
}
