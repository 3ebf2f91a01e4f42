/*
 * ir.c — the schema IR's own functions (schema.h): free, lookups, type
 * names and snake_case. It only reads and frees data; parsing lives in
 * load.c, printing in write.c.
 */
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "schema.h"

void corm_schema_free(corm_schema *s)
{
	corm_arena *a;

	if (!s)
		return;
	a = s->internal_;
	corm_arena_free(a); /* s itself lives in the arena */
	corm_free(a);
}

/* ----------------------------------------------------------------- lookups */

const corm_model *corm_schema_find_model(const corm_schema *s,
	const char *name)
{
	size_t i;

	for (i = 0; s && name && i < s->nmodels; i++)
		if (strcmp(s->models[i].name, name) == 0)
			return &s->models[i];
	return NULL;
}

const corm_enum *corm_schema_find_enum(const corm_schema *s,
	const char *name)
{
	size_t i;

	for (i = 0; s && name && i < s->nenums; i++)
		if (strcmp(s->enums[i].name, name) == 0)
			return &s->enums[i];
	return NULL;
}

const corm_field *corm_model_find_field(const corm_model *m,
	const char *name)
{
	size_t i;

	for (i = 0; m && name && i < m->nfields; i++)
		if (strcmp(m->fields[i].name, name) == 0)
			return &m->fields[i];
	return NULL;
}

const corm_field *corm_model_key_field(const corm_model *m)
{
	if (!m || m->pk.nfields != 1)
		return NULL;
	return &m->fields[m->pk.fields[0]];
}

static const corm_coltype_info coltypes[CORM_COL__COUNT] = {
#define CORM_X_(name, dsl, ctype, family, nargs, flags)                   \
	{dsl, "CORM_COL_" #name, "CORM_C_" #ctype, CORM_C_##ctype, family,   \
		nargs, flags},
	CORM_COLTYPES(CORM_X_)
#undef CORM_X_
};

static const char *const c_types[] = {
#define CORM_X_(name, c_type, agg) #c_type,
	CORM_CTYPES(CORM_X_)
#undef CORM_X_
};

const corm_coltype_info *corm_coltype_info_of(corm_coltype t)
{
	return &coltypes[t];
}

const char *corm_coltype_name(corm_coltype t)
{
	if ((int)t < 0 || t >= CORM_COL__COUNT)
		return "?";
	return coltypes[t].dsl;
}

bool corm_coltype_is(corm_coltype t, unsigned flags)
{
	return (coltypes[t].flags & flags) == flags;
}

const char *corm_ctype_c_type(corm_ctype c)
{
	return c_types[c];
}

static const char *const agg_members[] = {
#define CORM_X_(name, c_type, agg) #agg,
	CORM_CTYPES(CORM_X_)
#undef CORM_X_
};

const char *corm_ctype_agg_member(corm_ctype c)
{
	return agg_members[c];
}

static bool is_upper(char c)
{
	return c >= 'A' && c <= 'Z';
}

static bool is_lower_or_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

char *corm_snake_case(const char *name)
{
	size_t n = strlen(name), i, o = 0;
	char *out = corm_malloc(2 * n + 1);

	if (!out)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = name[i];

		if (is_upper(c)) {
			/* A word starts at "aB" and at the B of "ABc". */
			if (i > 0 && o > 0 && out[o - 1] != '_' &&
				(is_lower_or_digit(name[i - 1]) ||
					(is_upper(name[i - 1]) && i + 1 < n &&
						name[i + 1] >= 'a' && name[i + 1] <= 'z')))
				out[o++] = '_';
			out[o++] = (char)(c - 'A' + 'a');
		} else {
			out[o++] = c;
		}
	}
	out[o] = '\0';
	return out;
}
