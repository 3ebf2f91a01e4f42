/*
 * collations.c — which text columns of the connected database do not
 * compare by their bytes (docs/queries.md, "Text compares by its bytes").
 *
 * Predicates need not know: the value's explicit collation wins on every
 * engine. ORDER BY on MySQL does: sorting a column by a collation other
 * than its own gives up its index (a filesort), so corm sorts its own NO
 * PAD binary columns as they are and converts only the columns listed
 * here. The dialect's foreign_text_sql lists them; it is read once, when
 * the connection opens (a table changed afterwards is seen by the next
 * connection).
 */
#include <stdlib.h>
#include <string.h>

#include "corm_util.h"
#include "internal.h"

/* "table" US "column": a separator no identifier corm quotes holds. */
#define SEP '\x1f'

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *make_key(const char *table, size_t tn, const char *column,
	size_t cn)
{
	char *k = corm_malloc(tn + cn + 2);

	if (!k)
		return NULL;
	memcpy(k, table, tn);
	k[tn] = SEP;
	memcpy(k + tn + 1, column, cn);
	k[tn + 1 + cn] = '\0';
	return k;
}

void corm_conn__free_collations(corm_conn *c)
{
	size_t i;

	for (i = 0; i < c->nforeign_text; i++)
		corm_free(c->foreign_text[i]);
	corm_free(c->foreign_text);
	c->foreign_text = NULL;
	c->nforeign_text = 0;
}

int corm_conn__read_collations(corm_conn *c)
{
	const char *sql = c->driver->dialect->foreign_text_sql;
	corm_stmt *st = NULL;
	size_t cap = 0;
	int rc, error;

	if (!sql)
		return CORM_OK;
	if ((error = corm_stmt_prepare(&st, c, sql)) != CORM_OK)
		return error;
	while ((rc = corm_step(st)) == CORM_ROW) {
		const char *t = NULL, *col = NULL;
		size_t tn = 0, cn = 0;
		char **grown, *key;

		if ((error = corm_column_text(&t, &tn, st, 0)) != CORM_OK ||
			(error = corm_column_text(&col, &cn, st, 1)) != CORM_OK)
			break;
		grown = corm__grow(c->foreign_text, &cap, c->nforeign_text + 1,
			sizeof(*c->foreign_text));
		key = grown ? make_key(t, tn, col, cn) : NULL;
		if (grown)
			c->foreign_text = grown;
		if (!key) {
			error = CORM_ENOMEM;
			break;
		}
		c->foreign_text[c->nforeign_text++] = key;
	}
	if (!error && rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
	corm_stmt_free(st);
	if (error) {
		corm_conn__free_collations(c);
		return error;
	}
	qsort(c->foreign_text, c->nforeign_text, sizeof(*c->foreign_text),
		cmp_keys);
	return CORM_OK;
}

bool corm_conn__foreign_text(const corm_conn *c, const char *table,
	const char *column)
{
	char key[256], *k = key, *const *hit;
	size_t tn, cn;

	if (!c->nforeign_text)
		return false;
	tn = strlen(table);
	cn = strlen(column);
	if (tn + cn + 2 > sizeof(key) &&
		!(k = make_key(table, tn, column, cn)))
		return true; /* out of memory: the converted form is right too */
	if (k == key) {
		memcpy(key, table, tn);
		key[tn] = SEP;
		memcpy(key + tn + 1, column, cn + 1);
	}
	hit = bsearch(&k, c->foreign_text, c->nforeign_text,
		sizeof(*c->foreign_text), cmp_keys);
	if (k != key)
		corm_free(k);
	return hit != NULL;
}
