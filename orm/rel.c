/*
 * rel.c — loading the related rows of a whole result set (corm/rel.h):
 * belongs-to, has-many and many-to-many, in one statement per chunk of
 * keys, never one per row. (Filters on related models are rendered by the
 * query builder: see the "related-model filters" section of query.c.)
 *
 * Every loader works the same way. The keys of the rows given are
 * collected, sorted and deduplicated (a keyset), and read in ONE
 * statement whatever their number, the keys packed into one parameter
 * (in_list.c: `col = ANY($1::BIGINT[])`, json_each, JSON_TABLE). Key
 * types an engine cannot unpack exactly (in_list.c says which) are read
 * instead in runs of at most the engine's parameter limit, each with
 * `SELECT … WHERE col IN (?, …)`. As each row arrives, the key it carries is looked up in the keyset, which gives its
 * group. At the end the rows are sorted by (group, primary key) with the
 * same byte-wise comparison that sorted the keys, and copied into one array
 * in the caller's arena; the group of each row given then gives its range.
 * Grouping and ordering on the client make the result identical on every
 * engine, whatever its collation: a has-many load asks for its rows in
 * that order (ORDER BY the foreign key and the key), which only lets the
 * loader skip the sort and the copy when the engine's order is the same.
 *
 * Sections: test hooks, comparing and sorting, keysets, the loader, the
 * three loads.
 */
#include <assert.h>
#include <stdint.h>
#include <string.h>

#include "corm/rel.h"
#include "internal.h"
#include "corm_util.h"

/* -------------------------------------------------------------- test hooks */

/* Per thread, so loaders on a pool's threads never share them. */
static _Thread_local int chunk_override;
static _Thread_local unsigned long statements_run;

void corm_rel__set_chunk_size(int keys)
{
	chunk_override = keys > 0 ? keys : 0;
}

unsigned long corm_rel__statements(void)
{
	return statements_run;
}

/* ---------------------------------------------------- comparing and sorting */

#define CMP(x, y) ((x) < (y) ? -1 : (x) > (y))
#define NO_GROUP SIZE_MAX

static bool value_is_null(const void *row, const corm_field_desc *f)
{
	const char *p = (const char *)row + f->offset;

	if (f->has_offset != CORM_NO_HAS)
		return !*(const bool *)((const char *)row + f->has_offset);
	if (f->ctype == CORM_C_STR)
		return ((const corm_str *)p)->ptr == NULL;
	if (f->ctype == CORM_C_BYTES)
		return ((const corm_bytes *)p)->ptr == NULL;
	return false;
}

static int bytes_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	size_t n = alen < blen ? alen : blen;
	int c = n ? memcmp(a, b, n) : 0; /* ptr may be NULL when len is 0 */

	return c ? c : CMP(alen, blen);
}

/* Order two C values of field `f`'s type: numbers by value, text and bytes
 * by their bytes, dates and times by their parts, uuids by their bytes. */
static int value_cmp_any(const corm_field_desc *f, const void *a,
	const void *b)
{
	switch (f->ctype) {
	case CORM_C_I16:
		return CMP(*(const int16_t *)a, *(const int16_t *)b);
	case CORM_C_I32:
		return CMP(*(const int32_t *)a, *(const int32_t *)b);
	case CORM_C_I64:
		return CMP(*(const int64_t *)a, *(const int64_t *)b);
	case CORM_C_F32:
		return CMP(*(const float *)a, *(const float *)b);
	case CORM_C_F64:
		return CMP(*(const double *)a, *(const double *)b);
	case CORM_C_BOOL:
		return CMP(*(const bool *)a, *(const bool *)b);
	case CORM_C_ENUM:
		return CMP(*(const int *)a, *(const int *)b);
	case CORM_C_STR: {
		const corm_str *x = a, *y = b;

		return bytes_cmp(x->ptr, x->len, y->ptr, y->len);
	}
	case CORM_C_BYTES: {
		const corm_bytes *x = a, *y = b;

		return bytes_cmp(x->ptr, x->len, y->ptr, y->len);
	}
	case CORM_C_DATE: {
		const corm_date *x = a, *y = b;

		if (x->year != y->year)
			return CMP(x->year, y->year);
		if (x->month != y->month)
			return CMP(x->month, y->month);
		return CMP(x->day, y->day);
	}
	case CORM_C_TIME: {
		const corm_time *x = a, *y = b;

		if (x->hour != y->hour)
			return CMP(x->hour, y->hour);
		if (x->minute != y->minute)
			return CMP(x->minute, y->minute);
		if (x->second != y->second)
			return CMP(x->second, y->second);
		return CMP(x->usec, y->usec);
	}
	case CORM_C_TIMESTAMP:
		return CMP(((const corm_timestamp *)a)->usec,
			((const corm_timestamp *)b)->usec);
	case CORM_C_UUID:
		return memcmp(a, b, sizeof(corm_uuid));
	}
	return 0;
}

/* value_cmp_any() with the usual case inline: keys are nearly always
 * i64, compared for every row a relation load reads (a keyset lookup and
 * the order check). */
static inline int value_cmp(const corm_field_desc *f, const void *a,
	const void *b)
{
	if (f->ctype == CORM_C_I64)
		return CMP(*(const int64_t *)a, *(const int64_t *)b);
	return value_cmp_any(f, a, b);
}

typedef int (*cmp_fn)(const void *ctx, const void *a, const void *b);

/* Sort n pointers with cmp: a bottom-up merge sort (stable, no recursion,
 * and qsort() has no context argument). `tmp` has room for n. Two runs
 * already in order are copied without merging: rows usually arrive in key
 * order (an engine walking an index), and then sorting costs n
 * comparisons instead of n log n. */
static void sort_ptrs(const void **v, const void **tmp, size_t n, cmp_fn cmp,
	const void *ctx)
{
	const void **src = v, **dst = tmp, **swap;
	size_t width, lo;

	for (width = 1; width < n; width *= 2) {
		for (lo = 0; lo < n; lo += 2 * width) {
			size_t mid = lo + width < n ? lo + width : n;
			size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
			size_t i = lo, j = mid, k = lo;

			if (mid < hi && cmp(ctx, src[mid], src[mid - 1]) >= 0) {
				memcpy(dst + lo, src + lo, (hi - lo) * sizeof(*src));
				continue;
			}
			while (i < mid && j < hi)
				dst[k++] = cmp(ctx, src[j], src[i]) < 0 ? src[j++] : src[i++];
			while (i < mid)
				dst[k++] = src[i++];
			while (j < hi)
				dst[k++] = src[j++];
		}
		swap = src;
		src = dst;
		dst = swap;
	}
	if (src != v)
		memcpy(v, src, n * sizeof(*v));
}

/* ----------------------------------------------------------------- keysets */

/* The distinct values of one field over some rows, sorted by value_cmp. */
typedef struct keyset {
	const corm_field_desc *f;
	const void **v;  /* pointers to the values, inside the rows */
	size_t n;
	size_t last;     /* the index keyset_find() found last */
} keyset;

static int cmp_values(const void *ctx, const void *a, const void *b)
{
	return value_cmp(ctx, a, b);
}

static int keyset_make(keyset *ks, const corm_field_desc *f,
	const void *rows, size_t size, size_t n)
{
	const void **tmp;
	size_t i, k;

	ks->f = f;
	ks->n = 0;
	ks->last = 0;
	ks->v = corm_malloc((n ? n : 1) * sizeof(*ks->v));
	tmp = corm_malloc((n ? n : 1) * sizeof(*tmp));
	if (!ks->v || !tmp) {
		corm_free(tmp);
		return CORM_ENOMEM;
	}
	for (i = 0; i < n; i++) {
		const char *row = (const char *)rows + i * size;

		if (!value_is_null(row, f))
			ks->v[ks->n++] = row + f->offset;
	}
	sort_ptrs(ks->v, tmp, ks->n, cmp_values, f);
	corm_free(tmp);
	for (i = k = 0; i < ks->n; i++)
		if (k == 0 || value_cmp(f, ks->v[k - 1], ks->v[i]) != 0)
			ks->v[k++] = ks->v[i];
	ks->n = k;
	return CORM_OK;
}

/* keyset_find() past its first probe: the key after the last one found,
 * then a binary search. */
static size_t keyset_search(keyset *ks, const void *value)
{
	size_t lo = 0, hi = ks->n, k = ks->last + 1;

	if (k < ks->n && value_cmp(ks->f, ks->v[k], value) == 0)
		return ks->last = k;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = value_cmp(ks->f, ks->v[mid], value);

		if (c == 0)
			return ks->last = mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NO_GROUP;
}

/* The index of `value` in the keyset, or NO_GROUP. Values are mostly
 * looked up in key order (rows arrive sorted by it, several per key), so
 * the last key found is tried first, inline: this runs for every row a
 * load reads. */
static inline size_t keyset_find(keyset *ks, const void *value)
{
	if (ks->last < ks->n && value_cmp(ks->f, ks->v[ks->last], value) == 0)
		return ks->last;
	return keyset_search(ks, value);
}

/* -------------------------------------------------------------- the loader */

/* A row read, waiting to be put in its place. */
typedef struct rec {
	size_t group;
	const char *row; /* its struct in loader.rows (set once all are read) */
} rec;

typedef struct loader {
	corm_conn *db;
	const corm_dialect *d;
	corm_rows *out;
	corm_arena scratch;        /* structs read, bound text, join keys */
	keyset ks;
	const corm_model_desc *m;  /* the model read */
	int first_col;             /* m's first column in the SELECT */
	/* Where a row's group key is: field `group_field` of the row read, or
	 * (through a join) column 0, read as field `join_key` of `join`. */
	int group_field;
	const corm_model_desc *join;
	int join_key;
	corm_buf head, tail;       /* the SELECT around "?, ?, …" */
	/* The rows read, in the order read: structs of m, an own block of
	 * scratch (corm_arena__alloc_own); recs[i] is rows[i]'s record. */
	char *rows;
	size_t caprows;
	bool sorted;               /* recs are in result order so far */
	rec *recs;
	size_t nrecs, caprecs;
	size_t *gstart, *gcount;   /* per key of ks: the range in out->items */
} loader;

static void loader_init(loader *l, corm_rows *out, corm_conn *db,
	const corm_model_desc *m)
{
	memset(l, 0, sizeof(*l));
	memset(out, 0, sizeof(*out));
	l->db = db;
	l->d = corm_conn_dialect(db);
	l->out = out;
	l->m = m;
	l->group_field = -1;
	l->join_key = -1;
	l->sorted = true;
}

static void loader_free(loader *l)
{
	corm_arena_free(&l->scratch);
	corm_free(l->ks.v);
	corm_buf_free(&l->head);
	corm_buf_free(&l->tail);
	corm_free(l->recs);
	corm_free(l->gstart);
	corm_free(l->gcount);
}

static int oom(loader *l)
{
	return corm_conn__set_error(l->db, CORM_ENOMEM, NULL, "out of memory");
}

/* `alias."column"`, or `"column"` without an alias. */
static void put_col(corm_buf *b, const corm_dialect *d, const char *alias,
	const corm_field_desc *f)
{
	if (alias) {
		corm_buf_puts(b, alias);
		corm_buf_putc(b, '.');
	}
	corm_dialect_quote(b, d, f->column);
}

static void put_columns(corm_buf *b, const corm_dialect *d,
	const char *alias, const corm_model_desc *m)
{
	int i;

	for (i = 0; i < m->nfields; i++) {
		if (i)
			corm_buf_puts(b, ", ");
		put_col(b, d, alias, &m->fields[i]);
	}
}

/* Keys per statement when they go one parameter each: the engine's limit,
 * or the test hook's. */
static size_t chunk_size(const loader *l)
{
	int n = chunk_override > 0 ? chunk_override
				   : corm_conn_max_params(l->db);

	return n > 0 ? (size_t)n : 1;
}

/* The placeholders a chunk of k keys is sent with: the next power of two
 * (at most the chunk size), the last key repeated to fill it. So a load
 * prepares a handful of statement shapes, not one per size. */
static size_t padded(size_t k, size_t chunk)
{
	size_t p = 1;

	while (p < k)
		p *= 2;
	return p < chunk ? p : chunk;
}

/* Order rows by group, then by the model's key. */
static int cmp_recs(const void *ctx, const void *a, const void *b)
{
	const corm_model_desc *m = ctx;
	const rec *x = a, *y = b;
	int i, c;

	if (x->group != y->group)
		return CMP(x->group, y->group);
	for (i = 0; i < m->npk; i++) {
		const corm_field_desc *f = &m->fields[m->pk[i]];

		if ((c = value_cmp(f, x->row + f->offset, y->row + f->offset)))
			return c;
	}
	return 0;
}

/* cmp_recs() with the usual case inline, for the order check of every row
 * read: a row of the same group as the one before, and a single i64 key. */
static inline int cmp_recs_inline(const corm_model_desc *m, const rec *x,
	const rec *y)
{
	if (x->group != y->group)
		return CMP(x->group, y->group);
	if (m->npk == 1) {
		const corm_field_desc *f = &m->fields[m->pk[0]];

		if (f->ctype == CORM_C_I64)
			return CMP(*(const int64_t *)(x->row + f->offset),
				*(const int64_t *)(y->row + f->offset));
	}
	return cmp_recs(m, x, y);
}

/* Note the group of the row just read (the last of l->rows), and whether
 * the records are still in result order: rows usually arrive in it (a
 * has-many load asks for it), and then loader_run() neither sorts nor
 * copies them. */
static int push_rec(loader *l, size_t group)
{
	rec r;

	if (l->nrecs == l->caprecs) {
		rec *p = corm__grow(l->recs, &l->caprecs, l->nrecs + 1,
			sizeof(*p));

		if (!p)
			return oom(l);
		l->recs = p;
	}
	r.group = group;
	r.row = l->rows + l->nrecs * l->m->size;
	if (l->sorted && l->nrecs > 0) {
		rec prev = {l->recs[l->nrecs - 1].group, r.row - l->m->size};

		l->sorted = cmp_recs_inline(l->m, &prev, &r) <= 0;
	}
	l->recs[l->nrecs].group = group;
	l->nrecs++;
	return CORM_OK;
}

/* Read the current row of `st` and note its group. A row whose key is
 * not exactly one of ours (an engine comparing text with padding) is
 * dropped: it belongs to no row given. `checked`: the result's width was
 * checked at an earlier row. */
static int read_rec(loader *l, corm_stmt *st, bool checked)
{
	const corm_model_desc *m = l->m;
	const void *key;
	size_t group;
	char *row;
	int error;

	if (l->nrecs == l->caprows) {
		/* Rows are read straight into one growing array, not one
		 * allocation each, to be handed over as the result. */
		size_t cap = l->caprows ? l->caprows * 2 : 16;
		char *p = l->rows
			? corm_arena__grow_own(&l->scratch, l->rows, cap * m->size)
			: corm_arena__alloc_own(&l->scratch, cap * m->size);

		if (!p)
			return oom(l);
		l->rows = p;
		l->caprows = cap;
	}
	row = l->rows + l->nrecs * m->size;
	memset(row, 0, m->size);
	if (l->join) {
		char *jrow = corm_arena_alloc(&l->scratch, l->join->size);
		const corm_field_desc *jf = &l->join->fields[l->join_key];

		if (!jrow)
			return oom(l);
		memset(jrow, 0, l->join->size);
		if ((error = corm_model__read_field(st, 0, jf, jrow, &l->scratch)))
			return error;
		key = jrow + jf->offset;
	} else {
		key = NULL;
	}
	error = checked
		? corm_model__read_unchecked(row, st, l->first_col, m, NULL,
			  &l->out->arena)
		: corm_model_read_row(row, st, m, l->first_col, &l->out->arena);
	if (error)
		return error;
	if (!key)
		key = row + m->fields[l->group_field].offset;
	group = keyset_find(&l->ks, key);
	/* A dropped row's slot is simply read over by the next one. */
	return group == NO_GROUP ? CORM_OK : push_rec(l, group);
}

/* Run `st`, bound, and read its rows. */
static int read_all(loader *l, corm_stmt *st)
{
	size_t i;
	int rc, error;

	statements_run++;
	for (i = 0; (rc = corm_step(st)) == CORM_ROW; i++)
		if ((error = read_rec(l, st, i > 0)) != CORM_OK)
			return error;
	return rc == CORM_DONE ? CORM_OK : rc < 0 ? rc : CORM_ERROR;
}

/* Every key in one statement, packed into one parameter. */
static int run_packed(loader *l)
{
	corm_buf sql = CORM_BUF_INIT, list = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	size_t width;
	int error;

	if ((error = corm_in__encode(&list, &width, l->db, l->ks.f, l->ks.v,
		     l->ks.n)))
		goto done;
	corm_buf_puts(&sql, corm_buf_cstr(&l->head));
	if (corm_field__is_byte_text(l->ks.f)) /* a NOCASE key on SQLite */
		corm_buf_puts(&sql, l->d->text_column_collate);
	corm_in__open(&sql, l->d, l->ks.f);
	corm_dialect_placeholder(&sql, l->d, 1);
	corm_in__close(&sql, l->d, l->ks.f, width);
	corm_buf_puts(&sql, corm_buf_cstr(&l->tail));
	if (corm_buf_error(&sql)) {
		error = oom(l);
		goto done;
	}
	if ((error = corm_stmt_cached(&st, l->db, corm_buf_cstr(&sql))) ||
		(error = corm_bind_text(st, 1, corm_buf_cstr(&list), list.len)))
		goto done;
	error = read_all(l, st);
done:
	corm_stmt_free(st);
	corm_buf_free(&sql);
	corm_buf_free(&list);
	return error;
}

/* Run one chunk of keys bound one by one: ks.v[start .. start + k). */
static int run_chunk(loader *l, size_t start, size_t k, size_t chunk)
{
	corm_buf sql = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	size_t i, np = padded(k, chunk);
	int error = CORM_OK;

	corm_buf_puts(&sql, corm_buf_cstr(&l->head));
	corm_buf_puts(&sql, " IN (");
	for (i = 0; i < np; i++) {
		if (i)
			corm_buf_puts(&sql, ", ");
		corm_dialect_placeholder(&sql, l->d, (int)i + 1);
	}
	corm_buf_putc(&sql, ')');
	corm_buf_puts(&sql, corm_buf_cstr(&l->tail));
	if (corm_buf_error(&sql)) {
		error = oom(l);
		goto done;
	}
	if ((error = corm_stmt_cached(&st, l->db, corm_buf_cstr(&sql))))
		goto done;
	for (i = 0; i < np && !error; i++)
		error = corm_model__bind_value(st, (int)i + 1, l->ks.f,
			l->ks.v[start + (i < k ? i : k - 1)], &l->scratch);
	if (error)
		goto done;
	error = read_all(l, st);
done:
	corm_stmt_free(st);
	corm_buf_free(&sql);
	return error;
}

/* Every chunk, then the rows in order in out->items and each group's
 * range in gstart / gcount. */
static int loader_run(loader *l)
{
	const corm_model_desc *m = l->m;
	size_t chunk = chunk_size(l), start, i;
	const void **v = NULL, **tmp = NULL;
	char *items = NULL;
	int error = CORM_OK;

	if (corm_buf_error(&l->head) || corm_buf_error(&l->tail))
		return oom(l);
	if (l->ks.n && !chunk_override && !corm_in__by_value(l->d, l->ks.f))
		error = run_packed(l);
	else for (start = 0; start < l->ks.n && !error; start += chunk)
		error = run_chunk(l, start, l->ks.n - start < chunk
				? l->ks.n - start : chunk, chunk);
	if (error)
		return error;
	l->gstart = corm_calloc(l->ks.n + 1, sizeof(size_t));
	l->gcount = corm_calloc(l->ks.n + 1, sizeof(size_t));
	if (!l->gstart || !l->gcount) {
		error = oom(l);
		goto done;
	}
	if (l->sorted && l->nrecs) {
		/* Already in order: the array read is the result, as it is. */
		corm_arena__move_own(&l->out->arena, &l->scratch, l->rows);
		items = l->rows;
		l->rows = NULL;
		l->caprows = 0;
		for (i = 0; i < l->nrecs; i++)
			if (l->gcount[l->recs[i].group]++ == 0)
				l->gstart[l->recs[i].group] = i;
		goto result;
	}
	v = corm_malloc((l->nrecs + 1) * sizeof(*v));
	tmp = corm_malloc((l->nrecs + 1) * sizeof(*tmp));
	if (l->nrecs)
		items = corm_arena_alloc(&l->out->arena, l->nrecs * m->size);
	if (!v || !tmp || (l->nrecs && !items)) {
		error = oom(l);
		goto done;
	}
	for (i = 0; i < l->nrecs; i++) {
		l->recs[i].row = l->rows + i * m->size;
		v[i] = &l->recs[i];
	}
	sort_ptrs(v, tmp, l->nrecs, cmp_recs, m);
	for (i = 0; i < l->nrecs; i++) {
		const rec *r = v[i];

		memcpy(items + i * m->size, r->row, m->size);
		if (l->gcount[r->group]++ == 0)
			l->gstart[r->group] = i;
	}
result:
	l->out->items = items;
	l->out->count = l->nrecs;
done:
	corm_free(v);
	corm_free(tmp);
	return error;
}

/* The group of rows[i]'s value of field `f`, or NO_GROUP. */
static size_t group_of(loader *l, const corm_field_desc *f,
	const void *row)
{
	if (value_is_null(row, f))
		return NO_GROUP;
	return keyset_find(&l->ks, (const char *)row + f->offset);
}

/* Fill first / count for the rows given, from the groups. */
static void fill_ranges(loader *l, size_t *first, size_t *count,
	const corm_field_desc *f, const void *rows, size_t size, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		size_t g = group_of(l, f, (const char *)rows + i * size);

		first[i] = g == NO_GROUP || !l->gcount[g] ? 0 : l->gstart[g];
		count[i] = g == NO_GROUP ? 0 : l->gcount[g];
	}
}

/* On failure: nothing loaded, and the index arrays say so. */
static void clear_ranges(size_t *first, size_t *count, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		first[i] = count[i] = 0;
}

/* --------------------------------------------------------- the three loads */

/* Both models' descriptors are ones this runtime reads. */
static int check_descs(corm_conn *db, const corm_model_desc *a,
	const corm_model_desc *b)
{
	int error = corm_model__check_desc(db, a);

	return error ? error : corm_model__check_desc(db, b);
}

int corm_rel_load_parents(corm_rows *out, const void **each,
	const corm_rel_desc *r, const void *rows, size_t n, corm_conn *db)
{
	const corm_model_desc *p = r->parent, *c = r->child;
	const corm_field_desc *fk = &c->fields[r->fk_field];
	const corm_field_desc *key = &p->fields[r->key_field];
	loader l;
	size_t i;
	int error;

	assert(r->child && r->parent && fk->ctype == key->ctype);
	loader_init(&l, out, db, p);
	l.group_field = r->key_field;
	if ((error = check_descs(db, p, c)) != CORM_OK)
		goto done;
	if ((error = keyset_make(&l.ks, fk, rows, c->size, n)) != CORM_OK) {
		error = oom(&l);
		goto done;
	}
	/* SELECT "id", "name" FROM "author" WHERE "id" <in list> */
	corm_buf_puts(&l.head, "SELECT ");
	put_columns(&l.head, l.d, NULL, p);
	corm_buf_puts(&l.head, " FROM ");
	corm_dialect_quote(&l.head, l.d, p->table);
	corm_buf_puts(&l.head, " WHERE ");
	put_col(&l.head, l.d, NULL, key);
	if ((error = loader_run(&l)) != CORM_OK)
		goto done;
	for (i = 0; i < n; i++) {
		size_t g = group_of(&l, fk, (const char *)rows + i * c->size);

		each[i] = g == NO_GROUP || !l.gcount[g] ? NULL
			: (const char *)out->items + l.gstart[g] * p->size;
	}
done:
	if (error) {
		corm_rows_free(out);
		for (i = 0; i < n; i++)
			each[i] = NULL;
	}
	loader_free(&l);
	return error;
}

/*
 * ` ORDER BY "fk", "id"`: the order the loader puts the rows in, so that
 * when the engine's order agrees (integer keys, the usual case) they are
 * neither sorted nor copied on the client, only checked (loader_run); the
 * engine sorts instead, often for free from the foreign key's index (an
 * InnoDB secondary index holds the primary key too). On SQLite it also
 * matters to the plan: given a long IN list and no ORDER BY, its planner
 * scans the whole table and probes the list for each row, which costs
 * more than searching the foreign key's index for each key. The client
 * still checks the order and sorts when it differs (a text key under a
 * collation), so the result does not depend on it.
 */
static void order_by_group(corm_buf *b, const corm_dialect *d,
	const corm_model_desc *m, int fk_field)
{
	int i;

	corm_buf_puts(b, " ORDER BY ");
	put_col(b, d, NULL, &m->fields[fk_field]);
	for (i = 0; i < m->npk; i++) {
		corm_buf_puts(b, ", ");
		put_col(b, d, NULL, &m->fields[m->pk[i]]);
	}
}

int corm_rel_load_children(corm_rows *out, size_t *first, size_t *count,
	const corm_rel_desc *r, const void *rows, size_t n, corm_conn *db)
{
	const corm_model_desc *p = r->parent, *c = r->child;
	const corm_field_desc *key = &p->fields[r->key_field];
	loader l;
	int error;

	loader_init(&l, out, db, c);
	l.group_field = r->fk_field;
	if ((error = check_descs(db, p, c)) != CORM_OK)
		goto done;
	if ((error = keyset_make(&l.ks, key, rows, p->size, n)) != CORM_OK) {
		error = oom(&l);
		goto done;
	}
	/* SELECT "id", "author_id", … FROM "posts" WHERE "author_id"
	 * <in list> ORDER BY "author_id", "id" */
	corm_buf_puts(&l.head, "SELECT ");
	put_columns(&l.head, l.d, NULL, c);
	corm_buf_puts(&l.head, " FROM ");
	corm_dialect_quote(&l.head, l.d, c->table);
	corm_buf_puts(&l.head, " WHERE ");
	put_col(&l.head, l.d, NULL, &c->fields[r->fk_field]);
	order_by_group(&l.tail, l.d, c, r->fk_field);
	if ((error = loader_run(&l)) == CORM_OK)
		fill_ranges(&l, first, count, key, rows, p->size, n);
done:
	if (error) {
		corm_rows_free(out);
		clear_ranges(first, count, n);
	}
	loader_free(&l);
	return error;
}

int corm_rel_load_through(corm_rows *out, size_t *first, size_t *count,
	const corm_m2m_desc *m, const void *rows, size_t n, corm_conn *db)
{
	const corm_rel_desc *near = m->near, *far = m->far;
	const corm_model_desc *src = near->parent, *dst = far->parent;
	const corm_model_desc *join = near->child;
	const corm_field_desc *key = &src->fields[near->key_field];
	loader l;
	int error;

	loader_init(&l, out, db, dst);
	l.first_col = 1;
	l.join = join;
	l.join_key = near->fk_field;
	if ((error = check_descs(db, src, dst)) != CORM_OK ||
	    (error = corm_model__check_desc(db, join)) != CORM_OK)
		goto done;
	if ((error = keyset_make(&l.ks, key, rows, src->size, n)) != CORM_OK) {
		error = oom(&l);
		goto done;
	}
	/* SELECT corm_j."post_id", corm_t."id", … FROM "tag" AS corm_t
	 * JOIN "post_tag" AS corm_j ON corm_j."tag_id" = corm_t."id"
	 * WHERE corm_j."post_id" <in list>
	 * Aliases, so a model linked to itself works too. */
	corm_buf_puts(&l.head, "SELECT ");
	put_col(&l.head, l.d, "corm_j", &join->fields[near->fk_field]);
	corm_buf_puts(&l.head, ", ");
	put_columns(&l.head, l.d, "corm_t", dst);
	corm_buf_puts(&l.head, " FROM ");
	corm_dialect_quote(&l.head, l.d, dst->table);
	corm_buf_puts(&l.head, " AS corm_t JOIN ");
	corm_dialect_quote(&l.head, l.d, join->table);
	corm_buf_puts(&l.head, " AS corm_j ON ");
	put_col(&l.head, l.d, "corm_j", &join->fields[far->fk_field]);
	corm_buf_puts(&l.head, " = ");
	put_col(&l.head, l.d, "corm_t", &dst->fields[far->key_field]);
	corm_buf_puts(&l.head, " WHERE ");
	put_col(&l.head, l.d, "corm_j", &join->fields[near->fk_field]);
	if ((error = loader_run(&l)) == CORM_OK)
		fill_ranges(&l, first, count, key, rows, src->size, n);
done:
	if (error) {
		corm_rows_free(out);
		clear_ranges(first, count, n);
	}
	loader_free(&l);
	return error;
}
