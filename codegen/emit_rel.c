/*
 * emit_rel.c — relation loaders and related-model filters of each model.
 * (Being written: until then it emits nothing.)
 */
#include "emit_internal.h"

void cg_emit_rel_decls(corm_buf *h, const corm_schema *s, const corm_model *m)
{
	(void)h;
	(void)s;
	(void)m;
}

void cg_emit_rel_defs(corm_buf *c, const corm_schema *s, const corm_model *m)
{
	(void)c;
	(void)s;
	(void)m;
}
