/*
 * constraint_name.c — the one rule that keeps generated constraint names
 * (keys, indexes, foreign keys, CHECKs) within every engine's limit.
 * Lowering (lower.c) and the differ (migrate/diff.c) both call it, so a
 * name written in a snapshot and one derived from the IR always agree.
 */
#include <stdio.h>
#include <string.h>

#include "corm_util.h"
#include "schema.h"

size_t corm_ident_limit(void)
{
	size_t lim = 0, i;

	for (i = 0; i < CORM_NDIALECTS; i++) {
		int l = corm_dialects[i]->max_ident_len;

		if (l > 0 && (lim == 0 || (size_t)l < lim))
			lim = (size_t)l;
	}
	return lim;
}

void corm_constraint_name_fit(corm_buf *b, const char *suffix)
{
	size_t limit = corm_ident_limit();
	uint32_t h;
	size_t keep;

	if (corm_buf_error(b) || !limit || b->len <= limit)
		return;
	h = corm__fnv1a(b->ptr, b->len);
	keep = limit - 10 - strlen(suffix);
	/* Cut before a UTF-8 continuation byte, never inside a character. */
	while (keep > 0 && ((unsigned char)b->ptr[keep] & 0xc0) == 0x80)
		keep--;
	b->len = keep;
	b->ptr[keep] = '\0';
	corm_buf_printf(b, "_%08x_%s", (unsigned)h, suffix);
}
