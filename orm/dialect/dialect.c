/*
 * dialect.c — the helpers every dialect shares: identifier quoting,
 * placeholders, type names, and finding a dialect by name.
 */
#include <string.h>

#include "corm/dialect.h"
#include "corm/corm.h"

const corm_dialect *const corm_dialects[CORM_NDIALECTS] = {
	&corm_dialect_sqlite,
	&corm_dialect_postgres,
	&corm_dialect_mysql,
};

const corm_dialect *corm_dialect_find(const char *name)
{
	size_t i;

	if (!strcmp(name, "postgresql"))
		name = "postgres";
	else if (!strcmp(name, "mariadb"))
		name = "mysql";
	for (i = 0; i < CORM_NDIALECTS; i++)
		if (!strcmp(corm_dialects[i]->name, name))
			return corm_dialects[i];
	return NULL;
}

int corm_dialect_index(const corm_dialect *d)
{
	int i;

	for (i = 0; i < CORM_NDIALECTS; i++)
		if (corm_dialects[i] == d)
			return i;
	return -1;
}

int corm_dialect_quote(corm_buf *out, const corm_dialect *d,
	const char *ident)
{
	size_t n = strlen(ident);
	const char *p, *q;
	char *w;

	/* Query builders quote every column of every query. A name without a
	 * quote in it (nearly all) is written in one go: room for it and its
	 * two quotes, then one copy, instead of four appends. */
	if (!memchr(ident, d->quote_close, n)) {
		if (corm_buf_grow(out, n + 2) != CORM_OK)
			return corm_buf_error(out);
		w = out->ptr + out->len;
		w[0] = d->quote_open;
		memcpy(w + 1, ident, n);
		w[n + 1] = d->quote_close;
		w[n + 2] = '\0';
		out->len += n + 2;
		return CORM_OK;
	}
	corm_buf_putc(out, d->quote_open);
	/* A quote inside the name is doubled, so no name can end the quoted
	 * identifier early: copied in runs up to and including each quote,
	 * which is then written once more. */
	for (p = ident; (q = strchr(p, d->quote_close)) != NULL; p = q + 1) {
		corm_buf_put(out, p, (size_t)(q - p) + 1);
		corm_buf_putc(out, *q);
	}
	corm_buf_puts(out, p);
	corm_buf_putc(out, d->quote_close);
	return corm_buf_error(out);
}

int corm_dialect_placeholder(corm_buf *out, const corm_dialect *d, int n)
{
	char text[16], *p = text + sizeof(text);
	unsigned u;

	if (d->placeholder != CORM_PLACEHOLDER_DOLLAR)
		return corm_buf_putc(out, '?');
	/* "$n" written by hand: printf cost ~700 instructions a placeholder,
	 * and a relation load's IN list has hundreds. n < 0 never comes
	 * (placeholders count from 1); it is written as printf would. */
	u = n < 0 ? 0u - (unsigned)n : (unsigned)n;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (n < 0)
		*--p = '-';
	*--p = '$';
	return corm_buf_put(out, p, (size_t)(text + sizeof(text) - p));
}

int corm_dialect_type(corm_buf *out, const corm_dialect *d, corm_coltype t,
	int a, int b)
{
	if ((int)t < 0 || t >= CORM_COL__COUNT || !d->type_format[t])
		return CORM_EINVAL;
	return corm_buf_printf(out, d->type_format[t], a, b);
}
