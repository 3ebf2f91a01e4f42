/*
 * buf.h — a small growable byte buffer with a hard size cap, for building
 * SQL and generated text without sprintf/strcpy.
 *
 * A failed append (out of memory, or past the cap) marks the buffer as
 * failed; later appends do nothing, and corm_buf_error() tells the code.
 * So a run of appends needs one check at the end.
 */
#ifndef CORM_BUF_H
#define CORM_BUF_H

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Default cap: 256 MiB, far past any SQL or source file corm writes. */
#define CORM_BUF_DEFAULT_CAP ((size_t)256 << 20)

typedef struct corm_buf {
	char *ptr;   /* NUL-terminated contents, or NULL while empty */
	size_t len;  /* bytes in use, excluding the NUL */
	size_t cap;  /* bytes allocated */
	size_t max;  /* hard cap on len; 0 means CORM_BUF_DEFAULT_CAP */
	int error;   /* 0, or the CORM_* code of the first failure */
} corm_buf;

#define CORM_BUF_INIT {NULL, 0, 0, 0, 0}

int corm_buf_put(corm_buf *b, const void *data, size_t len);
int corm_buf_puts(corm_buf *b, const char *s);
int corm_buf_putc(corm_buf *b, char c);
int corm_buf_printf(corm_buf *b, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 2, 3)))
#endif
	;
int corm_buf_vprintf(corm_buf *b, const char *fmt, va_list ap);

/* Make room for `extra` more bytes. */
int corm_buf_grow(corm_buf *b, size_t extra);

/* Forget the contents, keep the memory. */
void corm_buf_clear(corm_buf *b);

/* The contents as a string: "" when empty, never NULL. Borrowed. */
const char *corm_buf_cstr(const corm_buf *b);

/* 0 while every append succeeded, else the first failure's code. */
int corm_buf_error(const corm_buf *b);

/* Hand the contents to the caller (free with corm_free) and empty `b`.
 * NULL if the buffer failed (its memory is then released). */
char *corm_buf_detach(corm_buf *b);

void corm_buf_free(corm_buf *b);

#ifdef __cplusplus
}
#endif

#endif /* CORM_BUF_H */
