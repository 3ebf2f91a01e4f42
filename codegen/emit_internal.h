/*
 * emit_internal.h — what the emitter's files share: naming and type
 * helpers (emit.c) and the query-builder emitter (emit_query.c).
 */
#ifndef CORM_CODEGEN_EMIT_INTERNAL_H
#define CORM_CODEGEN_EMIT_INTERNAL_H

#include "schema.h"

/* emit.c */
void cg_emit_member(corm_buf *b, const corm_field *f); /* struct member */
/* `const author key = {.id = id};` (emit.c) */
void cg_emit_key_struct(corm_buf *c, const corm_model *m);
void cg_emit_upper(corm_buf *b, const char *s);        /* FOO_BAR */
void cg_emit_section(corm_buf *b, const char *title);  /* a rule comment */
const char *cg_emit_c_type(const corm_field *f);       /* its C type */

/* emit_query.c: the typed query builder of model `m`, declarations into
 * the header and definitions into the source. */
void cg_emit_query_decls(corm_buf *h, const corm_model *m);
void cg_emit_query_defs(corm_buf *c, const corm_model *m);

/* emit_lock.c: atomic adds and row locks of model `m` (set_add, add,
 * for_update, get_for_update). */
void cg_emit_lock_decls(corm_buf *h, const corm_model *m);
void cg_emit_lock_defs(corm_buf *c, const corm_model *m);

/* emit_rel.c: relation loaders (belongs-to, has-many, many-to-many) and
 * filters on related models, for model `m` of schema `s`. */
void cg_emit_rel_decls(corm_buf *h, const corm_schema *s, const corm_model *m);
void cg_emit_rel_defs(corm_buf *c, const corm_schema *s, const corm_model *m);

/* emit_rel.c: every file-scope name the relation code of model `m`
 * defines, each with the schema place that makes it, for the clash check
 * (a callback, so emit_rel.c need not know the emitter's name set).
 * Returns CORM_OK or CORM_ENOMEM. */
typedef void (*cg_name_fn)(void *ctx, corm_loc loc, const char *name);
int cg_emit_rel_names(const corm_schema *s, const corm_model *m,
	cg_name_fn add, void *ctx);

#endif
