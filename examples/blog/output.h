/*
 * output.h — rows of the generated structs as JSON objects. Each returns
 * a new object (the caller's), or NULL when out of memory. Timestamps
 * are ISO 8601 in UTC ("2025-01-31T09:30:00.000000Z"); NULL columns are
 * JSON null.
 */
#ifndef BLOG_OUTPUT_H
#define BLOG_OUTPUT_H

#include "blog.h"
#include <jansson.h>

json_t *author_json(const author *a);
json_t *post_json(const post *p);
json_t *tag_json(const tag *t);
json_t *comment_json(const comment *c);

/* A corm_str as a JSON string, or null for the NULL corm_str. */
json_t *str_json(corm_str s);

/* An array of tag names: tags[first .. first + count). */
json_t *tag_names_json(const tag *tags, size_t first, size_t count);

/* Append `item` (stolen) to `array`; false when either is NULL or out of
 * memory. */
int json_push(json_t *array, json_t *item);

#endif
