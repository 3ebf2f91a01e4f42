/*
 * lower.h — what the files of the lowering share (lower.c: IR memory,
 * docs, passes 1-2 and the driver; lower_fields.c: pass 3;
 * lower_keys.c: passes 4-5; lower_sql.c: pass 6): the working state of
 * one lowering and the helpers every pass uses. Private to schema/.
 */
#ifndef CORM_SCHEMA_LOWER_H
#define CORM_SCHEMA_LOWER_H

#include <string.h>

#include "internal.h"

/* ---------------------------------------------------------------- tables */

typedef struct builtin_type {
	const char *name;
	corm_coltype type;
	int nargs;
} builtin_type;

enum field_attr {
	FA_ID, FA_AUTO, FA_UNIQUE, FA_INDEX, FA_DEFAULT, FA_MAP, FA_RENAMED,
	FA_ON_DELETE, FA_VERSION, FA__COUNT
};
enum model_attr {
	MA_ID, MA_UNIQUE, MA_INDEX, MA_MAP, MA_RENAMED, MA__COUNT
};
/* @on_delete's arguments, in corm_on_delete order. */
extern const char *const cg_on_delete_names[4];

/* ----------------------------------------------------------- working state */

typedef struct field_info {
	const cg_item *item;
	const cg_attr *attr[FA__COUNT];
	bool typed;         /* the type resolved (else: skip type checks) */
	int key_state;      /* relation type resolution: 0 new, 1 busy, 2 done */
	bool key_ok;
} field_info;

typedef struct index_src {
	const cg_attr *attr;  /* @@unique / @@index / @@id */
	size_t *fields;
	size_t nfields;
	bool ok;
} index_src;

typedef struct model_info {
	const cg_decl *decl;
	corm_model *m;
	corm_field *fields;   /* m->fields, writable */
	field_info *fi;
	cg_map by_name;       /* field name -> index */
	const cg_attr *mattr_first[MA__COUNT];
	index_src *srcs;      /* @@id, @@unique and @@index, in order */
	size_t nsrcs;
	bool pk_ok;           /* pk is usable by relations */
} model_info;

enum decl_kind { D_MODEL, D_ENUM, D_BROKEN };

typedef struct lower {
	cg_ctx *c;
	corm_arena *ir;       /* the schema's arena */
	corm_schema *s;
	const cg_file *f;
	cg_map names;         /* model/enum name -> refs index */
	struct decl_ref {
		enum decl_kind kind;
		size_t idx;       /* in models / enums */
		const cg_decl *decl;
	} *refs;
	size_t nrefs;
	corm_model *models;
	model_info *mi;
	size_t nmodels;
	corm_enum *enums;
	const cg_decl **enum_decls;
	size_t nenums;
	const char **type_cands; /* builtins, enums, models: for suggestions */
	size_t ntype_cands;
} lower;

/* ------------------------------------------------------- shared helpers */

static inline cg_str S(const char *s)
{
	cg_str r;

	r.p = s;
	r.n = strlen(s);
	return r;
}

static inline const char *show(lower *l, cg_str s)
{
	return cg_show(l->c, s);
}

static inline int len_of(cg_str s)
{
	return s.n > 0x7fffffff ? 0x7fffffff : (int)s.n;
}

/* IR memory (the schema's arena): zeroed; NULL and ctx->oom on failure. */
void *cg_ir_alloc(lower *l, size_t n);
void *cg_ir_array(lower *l, size_t count, size_t size);
char *cg_ir_str(lower *l, cg_str s);
char *cg_ir_buf(lower *l, corm_buf *b);  /* takes b's text, frees b */
const builtin_type *cg_find_builtin(cg_str s);  /* NULL: not built in */
char *cg_lower_snake(lower *l, const char *name); /* snake_case, in the IR */
/* Doc lines: the comments right above (no blank line in between), then
 * the comments on the same line. */
corm_doc cg_make_doc(lower *l, const cg_comments *leading,
	bool blank_before_item, const cg_comments *trailing);
const struct decl_ref *cg_find_decl(lower *l, cg_str name);

/* The passes, in order (lower.c runs them). */
void cg_pass_names(lower *l);
void cg_pass_enums(lower *l);
void cg_pass_fields(lower *l);
void cg_pass_keys(lower *l);
void cg_pass_relations(lower *l);
void cg_pass_names_sql(lower *l);
void cg_pass_constraints(lower *l);

#endif /* CORM_SCHEMA_LOWER_H */
