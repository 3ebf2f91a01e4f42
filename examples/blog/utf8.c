/*
 * utf8.c — UTF-8 checks (see utf8.h).
 */
#include <string.h>

#include "utf8.h"

size_t utf8_seq(const unsigned char *s, size_t len)
{
	size_t need, k;
	unsigned long cp;

	if (len == 0)
		return 0;
	if (s[0] < 0x80)
		return 1;
	if ((s[0] & 0xE0) == 0xC0)
		need = 1, cp = s[0] & 0x1F;
	else if ((s[0] & 0xF0) == 0xE0)
		need = 2, cp = s[0] & 0x0F;
	else if ((s[0] & 0xF8) == 0xF0)
		need = 3, cp = s[0] & 0x07;
	else
		return 0;
	if (need >= len)
		return 0;
	for (k = 1; k <= need; k++) {
		if ((s[k] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[k] & 0x3F);
	}
	if ((need == 1 && cp < 0x80) || (need == 2 && cp < 0x800) ||
		(need == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		(cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return need + 1;
}

bool utf8_valid(const char *s)
{
	size_t len = strlen(s), i = 0, k;

	while (i < len) {
		if ((k = utf8_seq((const unsigned char *)s + i, len - i)) == 0)
			return false;
		i += k;
	}
	return true;
}

void utf8_fix(char *s)
{
	size_t len = strlen(s), i = 0, k;

	while (i < len) {
		if ((k = utf8_seq((unsigned char *)s + i, len - i)) == 0) {
			s[i++] = '?';
			continue;
		}
		i += k;
	}
}

size_t utf8_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			n++;
	return n;
}
