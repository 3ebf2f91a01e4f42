/*
 * rel.h — relations between models: loading the related rows of a whole
 * result set, and filtering a query on a related model's columns. This is
 * the generic side of what `corm gen` writes per relation (see
 * docs/queries.md, "Relations"); application code calls the typed
 * functions, which are two-line wrappers passing a static corm_rel_desc.
 *
 * Loading never runs one query per row: the keys of all the rows given are
 * collected, sorted and deduplicated, then read with `WHERE col IN (...)`
 * in one statement per chunk of keys (as many as the engine binds in one
 * statement). Rows read are grouped on the client, so the grouping is the
 * same on every engine whatever its collation.
 *
 * Ownership: rows passed in are only read, and must stay valid during the
 * call. Rows loaded go into `out` (their array and their text in
 * out->arena: one corm_rows_free() releases them). The index arrays
 * (`each`, `first`, `count`) are the caller's, `n` entries each; they point
 * into out->items, so they are valid until out is freed. On failure `out`
 * is empty and the index arrays hold NULL / 0.
 *
 * Sections: descriptors, loading, filtering, test hooks.
 */
#ifndef CORM_REL_H
#define CORM_REL_H

#include <stddef.h>

#include "corm.h"
#include "model.h"
#include "query.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------- descriptors */

/* A relation field: `child` holds a foreign key (field `fk_field`, the
 * `<name>_id` member) to the key field `key_field` of `parent`. */
typedef struct corm_rel_desc {
	const char *name;               /* the relation field: "author" */
	const corm_model_desc *child;
	int fk_field;
	const corm_model_desc *parent;
	int key_field;
} corm_rel_desc;

/* Many-to-many through a join model whose key is two relations: `near`
 * leads from the join model to the rows we start from, `far` to the rows
 * loaded. Both have the join model as their child. */
typedef struct corm_m2m_desc {
	const corm_rel_desc *near;
	const corm_rel_desc *far;
} corm_m2m_desc;

/* ----------------------------------------------------------------- loading */

/*
 * Belongs-to: the parents of rows[0..n) (structs of r->child). Each
 * distinct parent is read once into `out`; each[i] points at rows[i]'s
 * parent in out->items, or is NULL when its foreign key is NULL (or names
 * no row).
 */
int corm_rel_load_parents(corm_rows *out, const void **each,
	const corm_rel_desc *r, const void *rows, size_t n, corm_conn *db);

/*
 * Has-many: the children of rows[0..n) (structs of r->parent). rows[i]'s
 * children are out->items[first[i] .. first[i] + count[i]), in key order
 * of the child; a parent given twice shares its children.
 */
int corm_rel_load_children(corm_rows *out, size_t *first, size_t *count,
	const corm_rel_desc *r, const void *rows, size_t n, corm_conn *db);

/*
 * Many-to-many: the rows of m->far->parent linked to rows[0..n) (structs
 * of m->near->parent) by the join model, grouped like
 * corm_rel_load_children() and in key order within a group. A row linked
 * to two of the rows given is read once for each.
 */
int corm_rel_load_through(corm_rows *out, size_t *first, size_t *count,
	const corm_m2m_desc *m, const void *rows, size_t n, corm_conn *db);

/* --------------------------------------------------------------- filtering */

/* Which end of a relation a filter looks at, from the query's model. */
typedef enum corm_rel_end {
	CORM_REL_PARENT, /* q is over r->child: filter on its parent */
	CORM_REL_CHILD   /* q is over r->parent: filter on its children */
} corm_rel_end;

/*
 * A query over the related model, used only to build the predicates of a
 * filter with corm_pred_related(). It belongs to `q` (freed with it, never
 * by the caller) and is the same one on each call for the same relation
 * and end. NULL when `q` has failed or `r` does not fit q's model (the
 * failure is q's, returned when it runs); the predicate functions
 * (corm_pred_cmp() ... corm_pred_not()) take that NULL and give NULL.
 */
corm_query *corm_query_related(corm_query *q, const corm_rel_desc *r,
	corm_rel_end end);

/*
 * A predicate of `q`: there is a related row (q's parent through `r`, or
 * one of its children) for which `inner` holds. `inner` must have been
 * built on corm_query_related(q, r, end); NULL means no condition (any
 * related row). Rendered as a correlated EXISTS subquery; values are
 * bound like every other.
 */
corm_pred *corm_pred_related(corm_query *q, const corm_rel_desc *r,
	corm_rel_end end, corm_pred *inner);

/* The same through a join model: a query over m->far->parent, and "a row
 * linked to this one by the join model satisfies `inner`". */
corm_query *corm_query_through(corm_query *q, const corm_m2m_desc *m);
corm_pred *corm_pred_through(corm_query *q, const corm_m2m_desc *m,
	corm_pred *inner);

/* -------------------------------------------------------------- test hooks */

/* Keys per statement for the loaders on this thread. 0, the default: all
 * keys in one statement as one parameter (or, for a key type the engine
 * cannot take that way, one parameter a key in runs of the engine's
 * limit). Set above 0, keys go one parameter each in runs of that many:
 * tests set it small to run many chunks. */
void corm_rel__set_chunk_size(int keys);

/* Statements the loaders have run on this thread. */
unsigned long corm_rel__statements(void);

#ifdef __cplusplus
}
#endif

#endif /* CORM_REL_H */
