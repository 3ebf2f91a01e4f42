/*
 * buf.c — growable byte buffer with a hard cap (see corm/buf.h). The first
 * failure sticks, so a sequence of appends is checked once at the end.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "corm/buf.h"
#include "corm/driver.h"

static size_t buf_max(const corm_buf *b)
{
	return b->max ? b->max : CORM_BUF_DEFAULT_CAP;
}

int corm_buf_grow(corm_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->error)
		return b->error;
	if (extra > buf_max(b) || b->len > buf_max(b) - extra) {
		b->error = CORM_ETOOLONG;
		return b->error;
	}
	need = b->len + extra + 1; /* room for the NUL */
	if (need <= b->cap)
		return CORM_OK;
	/* SQL rendered by the query builder is a few hundred bytes: start
	 * there (glibc serves it from its per-thread cache), not in steps. */
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = corm_realloc(b->ptr, cap);
	if (!p) {
		b->error = CORM_ENOMEM;
		return b->error;
	}
	b->ptr = p;
	b->cap = cap;
	return CORM_OK;
}

/* True when `len` more bytes (and the NUL) fit without growing, within
 * the cap and with no failure recorded: the common case, checked inline. */
static inline bool fits(const corm_buf *b, size_t len)
{
	return !b->error && len < b->cap - b->len && b->len + len <= buf_max(b);
}

int corm_buf_put(corm_buf *b, const void *data, size_t len)
{
	int error = fits(b, len) ? CORM_OK : corm_buf_grow(b, len);

	if (error)
		return error;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
	return CORM_OK;
}

int corm_buf_puts(corm_buf *b, const char *s)
{
	return corm_buf_put(b, s, strlen(s));
}

int corm_buf_putc(corm_buf *b, char c)
{
	/* Quoting appends a character at a time: no memcpy() call for one. */
	if (fits(b, 1)) {
		b->ptr[b->len++] = c;
		b->ptr[b->len] = '\0';
		return CORM_OK;
	}
	return corm_buf_put(b, &c, 1);
}

int corm_buf_vprintf(corm_buf *b, const char *fmt, va_list ap)
{
	va_list again;
	int n;

	if (b->error)
		return b->error;
	va_copy(again, ap);
	n = vsnprintf(NULL, 0, fmt, again);
	va_end(again);
	if (n < 0) {
		b->error = CORM_EINVAL;
		return b->error;
	}
	if (corm_buf_grow(b, (size_t)n))
		return b->error;
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
	return CORM_OK;
}

int corm_buf_printf(corm_buf *b, const char *fmt, ...)
{
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = corm_buf_vprintf(b, fmt, ap);
	va_end(ap);
	return error;
}

void corm_buf_clear(corm_buf *b)
{
	b->len = 0;
	b->error = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

const char *corm_buf_cstr(const corm_buf *b)
{
	return b->ptr ? b->ptr : "";
}

int corm_buf_error(const corm_buf *b)
{
	return b->error;
}

char *corm_buf_detach(corm_buf *b)
{
	char *p;

	if (b->error) {
		corm_buf_free(b);
		return NULL;
	}
	p = b->ptr ? b->ptr : corm_strdup("");
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void corm_buf_free(corm_buf *b)
{
	corm_free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
	b->error = 0;
}
