/*
 * dialect.c — the helpers every dialect shares: identifier quoting,
 * placeholders, type names, and finding a dialect by name.
 */
#include <string.h>

#include "corm/dialect.h"
#include "corm/driver.h"

const corm_dialect *const corm_dialects[3] = {
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
	for (i = 0; i < sizeof(corm_dialects) / sizeof(corm_dialects[0]); i++)
		if (!strcmp(corm_dialects[i]->name, name))
			return corm_dialects[i];
	return NULL;
}

int corm_dialect_quote(corm_buf *out, const corm_dialect *d,
	const char *ident)
{
	const char *p;

	corm_buf_putc(out, d->quote_open);
	for (p = ident; *p; p++) {
		/* A quote inside the name is doubled, so no name can end the
		 * quoted identifier early. */
		if (*p == d->quote_close)
			corm_buf_putc(out, *p);
		corm_buf_putc(out, *p);
	}
	corm_buf_putc(out, d->quote_close);
	return corm_buf_error(out);
}

int corm_dialect_placeholder(corm_buf *out, const corm_dialect *d, int n)
{
	if (d->placeholder == CORM_PLACEHOLDER_DOLLAR)
		return corm_buf_printf(out, "$%d", n);
	return corm_buf_putc(out, '?');
}

int corm_dialect_type(corm_buf *out, const corm_dialect *d, corm_coltype t,
	int a, int b)
{
	if ((int)t < 0 || t >= CORM_COL__COUNT || !d->type_format[t])
		return CORM_EINVAL;
	return corm_buf_printf(out, d->type_format[t], a, b);
}
