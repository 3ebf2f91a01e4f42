/*
 * query_internal.h — what the query builder's files share: the query and
 * predicate structs, and the functions one file offers the others (named
 * corm_q__*). See query.c.
 */
#ifndef CORM_QUERY_INTERNAL_H
#define CORM_QUERY_INTERNAL_H

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/query.h"
#include "corm/rel.h"
#include "internal.h"
#include "corm_util.h"

/* ------------------------------------------------------------------ values */

typedef enum pred_kind {
	PRED_CMP,
	PRED_BETWEEN,
	PRED_IN,
	PRED_NULL,
	PRED_MATCH,
	PRED_AND,
	PRED_OR,
	PRED_NOT,
	PRED_RELATED, /* EXISTS over a related model: see its section */
	PRED_AGG      /* over an aggregate, in HAVING: the last section */
} pred_kind;

struct corm_pred {
	pred_kind kind;
	int field;
	corm_cmp op;
	corm_match how;
	bool is_null;
	const void *v1, *v2;  /* copied C values */
	const char *list;     /* PRED_IN bound value by value: n values of the
	                       * field's size; NULL when packed in `text` */
	size_t n;
	corm_str text;        /* PRED_MATCH; PRED_IN's one parameter */
	size_t width;         /* PRED_IN: its widest text value (in_list.c) */
	corm_pred *a, *b;     /* PRED_RELATED: a is the inner predicate or NULL */
	corm_query *owner;    /* the query it was built on */
	corm_query *sub;      /* PRED_RELATED: the related model's query */
};

typedef struct order_term {
	int field;
	unsigned flags;
} order_term;

typedef struct set_term {
	int field;
	const void *value; /* NULL: SET NULL */
	bool add;          /* SET col = col + value (corm_query_set_add) */
} set_term;

/* A value to bind, collected while rendering. */
typedef struct bind_item {
	const corm_field_desc *f; /* a field's C value; NULL for the others */
	const void *value;
	corm_str text;            /* f == NULL && !is_int: a pattern */
	bool is_int;
	int64_t i;                /* LIMIT / OFFSET */
} bind_item;

#define MAX_TERMS 64

/* An aggregate of corm_query_agg(): fn over field (-1: COUNT(*)). */
typedef struct agg_term {
	corm_agg fn;
	int field;
	corm_agg_vtype type;
} agg_term;

/* order_term.flags: the term orders by aggregate `field`, not a field. */
#define ORDER_BY_AGG 0x100u

struct corm_query {
	corm_conn *db;
	const corm_model_desc *m;
	const corm_dialect *d;
	corm_arena arena;
	int error;

	corm_pred *where;
	int norder, nsets, ngroup; /* terms in use in the arrays at the end */
	bool *only;           /* nfields flags, or NULL for all */
	int64_t limit, offset;
	bool has_limit, has_offset, distinct;
	bool for_update;      /* lock the rows read (corm_query_for_update) */
	bool locking;         /* the SQL rendered last is a locking SELECT */
	bool has_add;         /* a SET term adds (corm_query_set_add) */

	corm_buf sql;
	bind_item *binds;
	size_t nbinds, capbinds;
	int nparams;          /* placeholders rendered */
	int ncolumns;         /* in the select list rendered last */

	corm_stmt *stream;    /* corm_query_next() */
	bool stream_checked;  /* its width, at the first row */
	bool stream_done;

	/* Related-model filters (the last section). A query made by
	 * corm_query_related() / _through() has a parent, which owns and
	 * frees it. */
	corm_query *parent;
	const corm_rel_desc *rel;   /* the relation filtered on, or NULL */
	corm_rel_end end;
	const corm_m2m_desc *m2m;   /* or the many-to-many one */
	int depth;            /* 1 for a subquery of the top query, ... */
	bool aliased;         /* rendering inside its parent: qualify columns */
	corm_query *subs;     /* the subqueries this one owns */
	corm_query *next_sub; /* in the parent's list */

	/* Typed aggregates (the last section). */
	int naggs;
	corm_pred *having;
	bool in_having;       /* rendering HAVING: aggregate predicates allowed */

	/* Not zeroed by corm_query_new() (2 KiB, most of the struct): read
	 * only up to the counts above, or after corm_q__fail() wrote it. */
	char errmsg[256];
	order_term order[MAX_TERMS];
	set_term sets[MAX_TERMS];
	int group[MAX_TERMS];
	agg_term aggs[MAX_TERMS];
};

/* query.c */
void corm_q__fail(corm_query *q, int code, const char *msg);
bool corm_q__check_field(corm_query *q, int field);
size_t corm_q__ctype_size(corm_ctype t);
bool corm_q__pred_text_ok(corm_query *q, const corm_field_desc *f,
	const void *value);
corm_pred *corm_q__new_pred(corm_query *q, pred_kind kind);

/* query_render.c */
void corm_q__push_bind(corm_query *q, bind_item item);
void corm_q__bind_field_value(corm_query *q, int field, const void *value);
void corm_q__bind_int(corm_query *q, int64_t i);
void corm_q__col(corm_query *q, int field);
void corm_q__render_pred(corm_query *q, const corm_pred *p);
void corm_q__render_from_where(corm_query *q);
bool corm_q__selected(const corm_query *q, int field);
void corm_q__render_columns(corm_query *q, bool distinct);
bool corm_q__is_text(const corm_field_desc *f);
void corm_q__render_order(corm_query *q);
void corm_q__render_limit(corm_query *q);
void corm_q__start_render(corm_query *q);
void corm_q__check_lock(corm_query *q);
void corm_q__render_select(corm_query *q);

/* query_run.c */
int corm_q__prepare(corm_stmt **out, corm_query *q, corm_arena *scratch);

/* query_related.c */
void corm_q__put_alias(corm_query *q);
void corm_q__sub_errors(corm_query *q);
void corm_q__render_related(corm_query *q, const corm_pred *p);

/* query_agg.c */
bool corm_q__is_int_field(const corm_field_desc *f);
bool corm_q__is_decimal_field(const corm_field_desc *f);
bool corm_q__pads_text(const corm_query *q, const corm_field_desc *f);
void corm_q__group_col(corm_query *q, int field);
bool corm_q__orders_by_agg(corm_query *q);

/* query_agg_render.c */
void corm_q__render_agg_pred(corm_query *q, const corm_pred *p);
bool corm_q__grouped(const corm_query *q, int field);
bool corm_q__having_ok(const corm_query *q, const corm_pred *p);
void corm_q__render_aggregates(corm_query *q);

#endif /* CORM_QUERY_INTERNAL_H */
