/*
 * emit_internal.h — what the emitter's files share: the emitter's
 * state, naming, text and type helpers, and each file's entry points.
 */
#ifndef CORM_CODEGEN_EMIT_INTERNAL_H
#define CORM_CODEGEN_EMIT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

/* The emitter's state: the two files being written and where errors go. */
typedef struct emitter {
	corm_buf *h, *c;
	corm_diags *diags;
	const corm_schema *s;
	const char *base;
	const char *source_name;
	size_t nerrors;     /* reported by this emitter */
} emitter;

/* The fields an INSERT lists: all but the AUTO key. */
typedef struct field_list {
	size_t *items;
	size_t n;
} field_list;

/* Field lists a model's statements use. */
typedef struct model_lists {
	field_list insert;   /* all but AUTO */
	field_list nonkey;   /* all but the key */
	field_list all;      /* every field */
	int autof;
	int versionf;        /* the @version field, or -1 */
} model_lists;

/* emit.c: text helpers */
/* The longest string literal ISO C promises to compile (C11 5.2.4.1):
 * gcc and clang -Wpedantic refuse longer ones (-Woverlength-strings), and
 * adjacent literals count together. */
#define CG_MAX_LITERAL 4095
void cg_emit_section(corm_buf *b, const char *title);  /* a rule comment */
/* `s` as a C string literal (escaped, quotes included). */
void cg_emit_c_string(corm_buf *b, const char *s, size_t len);
/* SQL as C string literals, one per line, continued with `indent`. */
/* SQL longer than ISO C's 4,095-character literal is written as a
 * compound literal array, `(const char[]){'I', ...}`, after a comment
 * showing it. */
void cg_emit_sql_literal(corm_buf *b, const char *sql, const char *indent);
/* `{'a', 'b', '\0'}`: `len` bytes as character constants, NUL-terminated,
 * for text too long for a string literal; lines start with `indent`. */
void cg_emit_char_array(corm_buf *b, const char *s, size_t len,
	const char *indent);
/* Text inside a C comment, with what would end it, open one or form a
 * trigraph broken up. */
void cg_emit_comment_text(corm_buf *b, const char *text);
/* A doc comment (the schema's comments) indented by `indent`. */
void cg_emit_doc(corm_buf *b, const corm_doc *doc, const char *indent);

/* emit.c: types */
const char *cg_emit_c_type(const corm_field *f);       /* its C type */
const char *cg_emit_ctype(const corm_field *f);        /* "CORM_C_I64" */
const char *cg_emit_coltype_const(corm_coltype t);     /* "CORM_COL_I64" */
/* A corm_str or corm_bytes member: NULL is a NULL pointer. */
bool cg_emit_ctype_by_pointer(corm_coltype t);
/* NULL is a NULL pointer for these; other nullable fields get has_. */
bool cg_emit_null_by_pointer(const corm_field *f);
bool cg_emit_in_pk(const corm_model *m, size_t field);
bool cg_emit_in_index(const corm_index *ix, size_t field);
int cg_emit_auto_field(const corm_model *m);  /* the @auto field, or -1 */

/* emit_names.c */
void cg_emit_member(corm_buf *b, const corm_field *f); /* struct member */
void cg_emit_upper(corm_buf *b, const char *s);        /* FOO_BAR */
/* The name of unique constraint `u` in function names. */
void cg_emit_unique_name(corm_buf *b, const corm_model *m,
	const corm_index *u);
/* Report every clash among the names the code would define (and with C
 * keywords); CORM_EINVAL when there was one. */
int cg_emit_check_names(emitter *e);

/* emit_sql.c: a model's field lists, and its statements' SQL for `d`
 * written into the descriptor. */
int cg_emit_lists_make(model_lists *l, const corm_model *m);
void cg_emit_lists_free(model_lists *l);
void cg_emit_model_sql(emitter *e, const corm_model *m,
	const model_lists *l, const corm_dialect *d);
void cg_emit_unique_upsert(emitter *e, const corm_model *m,
	const model_lists *l, const corm_index *u, const corm_dialect *d);

/* emit_header.c, emit_source.c: the two files. */
void cg_emit_header(emitter *e, model_lists *lists);
void cg_emit_source(emitter *e, model_lists *lists);
/* ", int64_t id, corm_str slug": the key fields as parameters. */
void cg_emit_key_params(corm_buf *b, const corm_model *m);
/* The parameter name of key field `i` of m->pk (emit_header.c). */
void cg_emit_key_param_name(corm_buf *b, const corm_model *m, size_t i);
/* `const author key = {.id = id};` (emit_source.c) */
void cg_emit_key_struct(corm_buf *c, const corm_model *m);

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
