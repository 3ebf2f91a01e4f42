/*
 * utf8.h — checking text from the network before it reaches JSON or the
 * database: jansson refuses to build a string from invalid UTF-8, and
 * PostgreSQL refuses to bind it.
 */
#ifndef BLOG_UTF8_H
#define BLOG_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length in bytes of the valid UTF-8 sequence at s[0..len), or 0. */
size_t utf8_seq(const unsigned char *s, size_t len);

/* Whether NUL-terminated `s` is valid UTF-8 (no overlongs, surrogates). */
bool utf8_valid(const char *s);

/* Replace each byte of `s` that starts no valid sequence by '?'. */
void utf8_fix(char *s);

/* Characters in valid UTF-8 text of `len` bytes. */
size_t utf8_chars(const char *s, size_t len);

#endif
