/*
 * corm_side.c — the corm contender: each workload written the way the
 * docs tell a user to (generated CRUD, typed query builders, relation
 * loaders), nothing tuned for the benchmark. `corm-stmt` differs only in
 * stream, which there uses the runtime's streaming statements because
 * the generated query_next() reads buffered on PostgreSQL and MySQL.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "harness.h"

#include <corm/corm.h>

#define FAIL(db, what) do { fprintf(stderr, "corm %s: %s\n", what, \
	corm_errmsg(db)); return -1; } while (0)

static int c_open(void **ctx, const char *url)
{
	corm_conn *db;

	if (corm_conn_open(&db, url) != CORM_OK) {
		fprintf(stderr, "corm: %s\n", corm_errmsg(NULL));
		return -1;
	}
	*ctx = db;
	return 0;
}

static void c_close(void *ctx)
{
	corm_conn_close(ctx);
}

static int c_clear(void *ctx)
{
	return corm_exec(ctx, "DELETE FROM bench_scratch") == CORM_OK ? 0 : -1;
}

static uint64_t sum_author(const author *a)
{
	return (uint64_t)a->id + a->name.len + a->email.len + bench_sum_str(a->bio.ptr, a->bio.len);
}

static void to_scratch(scratch *s, const raw_author *r)
{
	scratch_init(s);
	s->id = r->id;
	s->name = (corm_str){r->name, r->name_len};
	s->email = (corm_str){r->email, r->email_len};
}

static int c_insert_one(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;

	if (corm_tx_begin(db) != CORM_OK)
		FAIL(db, "begin");
	for (int i = 0; i < in->n; i++) {
		scratch s;

		to_scratch(&s, &in->rows[i]);
		if (scratch_insert(db, &s) != CORM_OK)
			FAIL(db, "insert");
	}
	if (corm_tx_commit(db) != CORM_OK)
		FAIL(db, "commit");
	*sum += (uint64_t)in->n;
	return 0;
}

static int c_insert_bulk(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;
	/* Building the rows is part of the work: the caller has raw_authors. */
	scratch *rows = malloc(sizeof(*rows) * (size_t)in->n);

	for (int i = 0; i < in->n; i++)
		to_scratch(&rows[i], &in->rows[i]);
	if (scratch_insert_many(db, rows, (size_t)in->n) != CORM_OK)
		FAIL(db, "insert_many");
	free(rows);
	*sum += (uint64_t)in->n;
	return 0;
}

static int c_load(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;
	author_query *q;
	author_list all;

	(void)in;
	if (author_query_new(&q, db) != CORM_OK)
		FAIL(db, "query_new");
	author_order_by(q, AUTHOR_ID, CORM_ASC);
	if (author_query_all(&all, q) != CORM_OK)
		FAIL(db, "query_all");
	for (size_t i = 0; i < all.count; i++)
		*sum += sum_author(&all.items[i]);
	author_list_free(&all);
	author_query_free(q);
	return 0;
}

static int c_lookup(void *ctx, const bench_input *in, bool tx, uint64_t *sum)
{
	corm_conn *db = ctx;
	corm_arena arena = CORM_ARENA_INIT;

	if (tx && corm_tx_begin(db) != CORM_OK)
		FAIL(db, "begin");
	for (int i = 0; i < in->n; i++) {
		author a;

		if (author_get(&a, db, in->ids[i], &arena) != CORM_OK)
			FAIL(db, "get");
		*sum += sum_author(&a);
		corm_arena_reset(&arena); /* keeps its memory, as raw's does */
	}
	corm_arena_free(&arena);
	if (tx && corm_tx_commit(db) != CORM_OK)
		FAIL(db, "commit");
	return 0;
}

static int c_filtered(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;

	for (int i = 0; i < in->n; i++) {
		author_query *q;
		author_list page;

		if (author_query_new(&q, db) != CORM_OK)
			FAIL(db, "query_new");
		author_where(q, author_eq(q, AUTHOR_NAME, corm_str_of(in->names[i])));
		author_order_by(q, AUTHOR_ID, CORM_ASC);
		author_limit(q, 20);
		if (author_query_all(&page, q) != CORM_OK)
			FAIL(db, "query_all");
		for (size_t k = 0; k < page.count; k++)
			*sum += sum_author(&page.items[k]);
		author_list_free(&page);
		author_query_free(q);
	}
	return 0;
}

/* Authors 1..100 with their posts and the posts' comments, grouped. */
static int c_assoc(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;
	author_query *q;
	author_list authors;
	post_list posts;
	comment_list comments;
	size_t pfirst[BENCH_ASSOC_AUTHORS], pcount[BENCH_ASSOC_AUTHORS];
	size_t *cfirst, *ccount;

	(void)in;
	if (author_query_new(&q, db) != CORM_OK)
		FAIL(db, "query_new");
	author_where(q, author_le(q, AUTHOR_ID, (int64_t)BENCH_ASSOC_AUTHORS));
	author_order_by(q, AUTHOR_ID, CORM_ASC);
	if (author_query_all(&authors, q) != CORM_OK)
		FAIL(db, "query_all");
	if (authors.count > BENCH_ASSOC_AUTHORS)
		return -1;
	if (author_load_posts(&posts, pfirst, pcount, authors.items, authors.count, db) != CORM_OK)
		FAIL(db, "load_posts");
	cfirst = malloc(sizeof(size_t) * (posts.count + 1));
	ccount = malloc(sizeof(size_t) * (posts.count + 1));
	if (post_load_comments(&comments, cfirst, ccount, posts.items, posts.count, db) != CORM_OK)
		FAIL(db, "load_comments");
	for (size_t i = 0; i < authors.count; i++) {
		*sum += (uint64_t)authors.items[i].id;
		for (size_t p = pfirst[i]; p < pfirst[i] + pcount[i]; p++) {
			const post *po = &posts.items[p];

			*sum += (uint64_t)po->id + po->title.len;
			for (size_t c = cfirst[p]; c < cfirst[p] + ccount[p]; c++)
				*sum += (uint64_t)comments.items[c].id + comments.items[c].body.len;
		}
	}
	free(cfirst);
	free(ccount);
	comment_list_free(&comments);
	post_list_free(&posts);
	author_list_free(&authors);
	author_query_free(q);
	return 0;
}

static int c_request(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;
	corm_arena arena = CORM_ARENA_INIT;

	for (int r = 0; r < in->requests; r++) {
		author rows[64];

		for (int k = 0; k < in->per_request; k++)
			if (author_get(&rows[k], db, in->ids[r * in->per_request + k], &arena) != CORM_OK)
				FAIL(db, "get");
		for (int k = 0; k < in->per_request; k++)
			*sum += sum_author(&rows[k]);
		corm_arena_reset(&arena);
	}
	corm_arena_free(&arena);
	return 0;
}

/* Each request's lookups queued in a batch and run at once: one pipeline
 * and one round trip on PostgreSQL (docs/queries.md, "Batched lookups"). */
static int c_request_pipelined(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;
	corm_arena arena = CORM_ARENA_INIT;
	corm_batch *b;

	/* One batch for every request, emptied between them: it keeps its
	 * memory, as the arena does. */
	if (corm_batch_new(&b, db) != CORM_OK)
		FAIL(db, "batch_new");
	for (int r = 0; r < in->requests; r++) {
		author rows[64];
		int rc;

		corm_batch_clear(b);
		for (int k = 0; k < in->per_request; k++)
			author_get_batched(&rows[k], b, in->ids[r * in->per_request + k], &arena);
		rc = corm_batch_run(b); /* CORM_OK: every item answered */
		for (int k = 0; k < in->per_request && rc == CORM_OK; k++)
			rc = corm_batch_status(b, (size_t)k); /* every key exists */
		if (rc != CORM_OK) {
			corm_batch_free(b);
			FAIL(db, "batch_run");
		}
		for (int k = 0; k < in->per_request; k++)
			*sum += sum_author(&rows[k]);
		corm_arena_reset(&arena);
	}
	corm_batch_free(b);
	corm_arena_free(&arena);
	return 0;
}

static int c_stream(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;
	item_query *q;
	item row;
	int rc;

	(void)in;
	if (item_query_new(&q, db) != CORM_OK)
		FAIL(db, "query_new");
	while ((rc = item_query_next(&row, q)) == CORM_ROW)
		*sum += (uint64_t)row.id + (uint64_t)row.qty + row.label.len;
	item_query_free(q);
	if (rc != CORM_DONE)
		FAIL(db, "query_next");
	return 0;
}

static int s_stream(void *ctx, const bench_input *in, uint64_t *sum)
{
	corm_conn *db = ctx;
	corm_stmt *st;
	int rc;
	int pg = strcmp(corm_conn_driver_name(db), "postgres") == 0;

	(void)in;
	rc = corm_stmt_prepare(&st, db, pg ? "SELECT \"id\", \"label\", \"qty\" FROM \"bench_item\""
		: strcmp(corm_conn_driver_name(db), "sqlite") == 0
		? "SELECT \"id\", \"label\", \"qty\" FROM \"bench_item\""
		: "SELECT `id`, `label`, `qty` FROM `bench_item`");
	if (rc != CORM_OK)
		FAIL(db, "prepare");
	corm_stmt_set_streaming(st, true);
	while ((rc = corm_step(st)) == CORM_ROW) {
		int64_t id, qty;
		const char *label;
		size_t len;

		if (corm_column_int64(&id, st, 0) != CORM_OK ||
		    corm_column_text(&label, &len, st, 1) != CORM_OK ||
		    corm_column_int64(&qty, st, 2) != CORM_OK)
			FAIL(db, "column");
		*sum += (uint64_t)id + (uint64_t)qty + len;
	}
	corm_stmt_free(st);
	if (rc != CORM_DONE)
		FAIL(db, "step");
	return 0;
}

const bench_impl bench_corm = {
	.name = "corm",
	.open = c_open,
	.close = c_close,
	.insert_one = c_insert_one,
	.insert_bulk = c_insert_bulk,
	.load = c_load,
	.lookup = c_lookup,
	.filtered = c_filtered,
	.assoc = c_assoc,
	.request = c_request,
	.request_pipelined = c_request_pipelined,
	.stream = c_stream,
	.clear_scratch = c_clear,
};

const bench_impl bench_corm_stmt = {
	.name = "corm-stmt",
	.open = c_open,
	.close = c_close,
	.insert_one = c_insert_one,
	.insert_bulk = c_insert_bulk,
	.load = c_load,
	.lookup = c_lookup,
	.filtered = c_filtered,
	.assoc = c_assoc,
	.request = c_request,
	.request_pipelined = NULL,
	.stream = s_stream,
	.clear_scratch = c_clear,
};
