/*
 * raw_pg.c — the limit on PostgreSQL: hand-written libpq code. Named
 * statements are prepared once per connection (PQprepare) and run with
 * PQexecPrepared, text parameters and results as most libpq code does;
 * bulk inserts use COPY; the pipelined requests use libpq's pipeline mode
 * (PostgreSQL 14+); the stream uses single-row mode. Session settings
 * like corm's (UTF8, TimeZone UTC).
 */
#include "harness.h"

#if BENCH_HAVE_POSTGRES
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#define SEL "SELECT id, name, email, bio FROM bench_author"

typedef struct rp {
	PGconn *pg;
	bench_arena arena;
} rp;

static int fail(rp *r, const char *what)
{
	fprintf(stderr, "raw pg %s: %s\n", what, PQerrorMessage(r->pg));
	return -1;
}

static int ok(rp *r, PGresult *res, const char *what)
{
	ExecStatusType s = PQresultStatus(res);

	if (s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_SINGLE_TUPLE ||
	    s == PGRES_COPY_IN) {
		return 0;
	}
	fprintf(stderr, "raw pg %s: %s\n", what, PQresultErrorMessage(res));
	PQclear(res);
	(void)r;
	return -1;
}

static int exec(rp *r, const char *sql)
{
	PGresult *res = PQexec(r->pg, sql);

	if (ok(r, res, sql))
		return -1;
	PQclear(res);
	return 0;
}

static int prep(rp *r, const char *name, const char *sql)
{
	PGresult *res = PQprepare(r->pg, name, sql, 0, NULL);

	if (ok(r, res, sql))
		return -1;
	PQclear(res);
	return 0;
}

static int r_open(void **ctx, const char *url)
{
	rp *r = calloc(1, sizeof(*r));

	r->pg = PQconnectdb(url);
	if (PQstatus(r->pg) != CONNECTION_OK)
		return fail(r, "connect");
	if (exec(r, "SET client_encoding = 'UTF8'; SET TimeZone = 'UTC'") ||
	    prep(r, "get", SEL " WHERE id = $1"))
		return -1;
	*ctx = r;
	return 0;
}

static void r_close(void *ctx)
{
	rp *r = ctx;

	PQfinish(r->pg);
	bench_arena_free(&r->arena);
	free(r);
}

static int r_clear(void *ctx)
{
	return exec(ctx, "DELETE FROM bench_scratch");
}

static void read_author(rp *r, PGresult *res, int row, raw_author *a)
{
	a->id = strtoll(PQgetvalue(res, row, 0), NULL, 10);
	a->name_len = (size_t)PQgetlength(res, row, 1);
	a->name = bench_arena_strdup(&r->arena, PQgetvalue(res, row, 1), a->name_len);
	a->email_len = (size_t)PQgetlength(res, row, 2);
	a->email = bench_arena_strdup(&r->arena, PQgetvalue(res, row, 2), a->email_len);
	if (PQgetisnull(res, row, 3)) {
		a->bio = NULL;
		a->bio_len = 0;
	} else {
		a->bio_len = (size_t)PQgetlength(res, row, 3);
		a->bio = bench_arena_strdup(&r->arena, PQgetvalue(res, row, 3), a->bio_len);
	}
}

static uint64_t sum_author(const raw_author *a)
{
	return (uint64_t)a->id + a->name_len + a->email_len + bench_sum_str(a->bio, a->bio_len);
}

static int r_insert_one(void *ctx, const bench_input *in, uint64_t *sum)
{
	rp *r = ctx;

	if (prep(r, "ins", "INSERT INTO bench_scratch (id, name, email, bio) VALUES ($1, $2, $3, $4)") ||
	    exec(r, "BEGIN"))
		return -1;
	for (int i = 0; i < in->n; i++) {
		char id[24];
		const char *v[4] = {id, in->rows[i].name, in->rows[i].email, NULL};
		PGresult *res;

		snprintf(id, sizeof(id), "%lld", (long long)in->rows[i].id);
		res = PQexecPrepared(r->pg, "ins", 4, v, NULL, NULL, 0);
		if (ok(r, res, "insert"))
			return -1;
		PQclear(res);
	}
	*sum += (uint64_t)in->n;
	return exec(r, "COMMIT");
}

/* COPY in text format: what corm's insert_many uses from 100 rows on. */
static int r_insert_bulk(void *ctx, const bench_input *in, uint64_t *sum)
{
	rp *r = ctx;
	PGresult *res;
	char *buf = malloc(1 << 16);
	size_t len = 0;

	if (exec(r, "BEGIN"))
		return -1;
	res = PQexec(r->pg, "COPY bench_scratch (id, name, email, bio) FROM STDIN");
	if (PQresultStatus(res) != PGRES_COPY_IN)
		return ok(r, res, "copy");
	PQclear(res);
	for (int i = 0; i < in->n; i++) {
		/* names and emails need no COPY escaping here */
		len += (size_t)snprintf(buf + len, 512, "%lld\t%s\t%s\t\\N\n",
			(long long)in->rows[i].id, in->rows[i].name, in->rows[i].email);
		if (len > (1 << 16) - 512 || i == in->n - 1) {
			if (PQputCopyData(r->pg, buf, (int)len) != 1)
				return fail(r, "copy data");
			len = 0;
		}
	}
	if (PQputCopyEnd(r->pg, NULL) != 1)
		return fail(r, "copy end");
	while ((res = PQgetResult(r->pg))) {
		if (ok(r, res, "copy result"))
			return -1;
		PQclear(res);
	}
	free(buf);
	*sum += (uint64_t)in->n;
	return exec(r, "COMMIT");
}

static int r_load(void *ctx, const bench_input *in, uint64_t *sum)
{
	rp *r = ctx;
	PGresult *res;
	raw_author *rows;
	int n;

	(void)in;
	if (prep(r, "load", SEL " ORDER BY id"))
		return -1;
	res = PQexecPrepared(r->pg, "load", 0, NULL, NULL, NULL, 0);
	if (ok(r, res, "load"))
		return -1;
	n = PQntuples(res);
	rows = malloc(sizeof(*rows) * (size_t)n);
	for (int i = 0; i < n; i++)
		read_author(r, res, i, &rows[i]);
	PQclear(res);
	for (int i = 0; i < n; i++)
		*sum += sum_author(&rows[i]);
	free(rows);
	bench_arena_reset(&r->arena);
	return 0;
}

static int get_one(rp *r, int64_t id, raw_author *a)
{
	char buf[24];
	const char *v[1] = {buf};
	PGresult *res;

	snprintf(buf, sizeof(buf), "%lld", (long long)id);
	res = PQexecPrepared(r->pg, "get", 1, v, NULL, NULL, 0);
	if (ok(r, res, "get"))
		return -1;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return -1;
	}
	read_author(r, res, 0, a);
	PQclear(res);
	return 0;
}

static int r_lookup(void *ctx, const bench_input *in, bool tx, uint64_t *sum)
{
	rp *r = ctx;

	if (tx && exec(r, "BEGIN"))
		return -1;
	for (int i = 0; i < in->n; i++) {
		raw_author a;

		if (get_one(r, in->ids[i], &a))
			return -1;
		*sum += sum_author(&a);
		bench_arena_reset(&r->arena);
	}
	return tx ? exec(r, "COMMIT") : 0;
}

static int r_filtered(void *ctx, const bench_input *in, uint64_t *sum)
{
	rp *r = ctx;

	if (prep(r, "filt", SEL " WHERE name = $1 ORDER BY id LIMIT $2"))
		return -1;
	for (int i = 0; i < in->n; i++) {
		const char *v[2] = {in->names[i], "20"};
		PGresult *res = PQexecPrepared(r->pg, "filt", 2, v, NULL, NULL, 0);
		raw_author page[20];
		int n;

		if (ok(r, res, "filtered"))
			return -1;
		n = PQntuples(res);
		for (int k = 0; k < n && k < 20; k++)
			read_author(r, res, k, &page[k]);
		PQclear(res);
		for (int k = 0; k < n && k < 20; k++)
			*sum += sum_author(&page[k]);
		bench_arena_reset(&r->arena);
	}
	return 0;
}

/* Authors 1..100, their posts (author_id = ANY($1): one array parameter,
 * the idiomatic libpq IN list), the posts' comments alike; grouped by
 * runs of the ORDER BY. */
static int r_assoc(void *ctx, const bench_input *in, uint64_t *sum)
{
	rp *r = ctx;
	enum { NA = BENCH_ASSOC_AUTHORS };
	raw_author authors[NA];
	int na, np, nc;
	PGresult *res, *pres, *cres;
	char *arr = malloc(16 * 2000), nabuf[16];
	size_t len;
	const char *v[1];
	struct { int64_t id, author_id; const char *title; size_t title_len; } *posts;
	struct { int64_t id, post_id; const char *body; size_t body_len; } *comments;
	size_t pfirst[NA], pcount[NA], *cfirst, *ccount;

	(void)in;
	if (prep(r, "as_a", SEL " WHERE id <= $1 ORDER BY id") ||
	    prep(r, "as_p", "SELECT id, author_id, title, body FROM bench_post"
		" WHERE author_id = ANY($1::bigint[]) ORDER BY author_id, id") ||
	    prep(r, "as_c", "SELECT id, post_id, body FROM bench_comment"
		" WHERE post_id = ANY($1::bigint[]) ORDER BY post_id, id"))
		return -1;
	snprintf(nabuf, sizeof(nabuf), "%d", NA);
	v[0] = nabuf;
	res = PQexecPrepared(r->pg, "as_a", 1, v, NULL, NULL, 0);
	if (ok(r, res, "authors"))
		return -1;
	na = PQntuples(res);
	for (int i = 0; i < na && i < NA; i++)
		read_author(r, res, i, &authors[i]);
	PQclear(res);

	len = 0;
	arr[len++] = '{';
	for (int i = 0; i < na; i++)
		len += (size_t)sprintf(arr + len, "%s%lld", i ? "," : "", (long long)authors[i].id);
	arr[len++] = '}';
	arr[len] = '\0';
	v[0] = arr;
	pres = PQexecPrepared(r->pg, "as_p", 1, v, NULL, NULL, 0);
	if (ok(r, pres, "posts"))
		return -1;
	np = PQntuples(pres);
	posts = malloc(sizeof(*posts) * (size_t)np);
	for (int i = 0; i < np; i++) {
		posts[i].id = strtoll(PQgetvalue(pres, i, 0), NULL, 10);
		posts[i].author_id = strtoll(PQgetvalue(pres, i, 1), NULL, 10);
		posts[i].title_len = (size_t)PQgetlength(pres, i, 2);
		posts[i].title = bench_arena_strdup(&r->arena, PQgetvalue(pres, i, 2), posts[i].title_len);
		bench_arena_strdup(&r->arena, PQgetvalue(pres, i, 3), (size_t)PQgetlength(pres, i, 3));
	}
	PQclear(pres);
	for (size_t i = 0, p = 0; i < (size_t)na; i++) {
		pfirst[i] = p;
		while (p < (size_t)np && posts[p].author_id == authors[i].id)
			p++;
		pcount[i] = p - pfirst[i];
	}

	len = 0;
	arr[len++] = '{';
	for (int i = 0; i < np; i++)
		len += (size_t)sprintf(arr + len, "%s%lld", i ? "," : "", (long long)posts[i].id);
	arr[len++] = '}';
	arr[len] = '\0';
	cres = PQexecPrepared(r->pg, "as_c", 1, v, NULL, NULL, 0);
	if (ok(r, cres, "comments"))
		return -1;
	nc = PQntuples(cres);
	comments = malloc(sizeof(*comments) * (size_t)(nc + 1));
	for (int i = 0; i < nc; i++) {
		comments[i].id = strtoll(PQgetvalue(cres, i, 0), NULL, 10);
		comments[i].post_id = strtoll(PQgetvalue(cres, i, 1), NULL, 10);
		comments[i].body_len = (size_t)PQgetlength(cres, i, 2);
		comments[i].body = bench_arena_strdup(&r->arena, PQgetvalue(cres, i, 2), comments[i].body_len);
	}
	PQclear(cres);
	cfirst = malloc(sizeof(size_t) * (size_t)(np + 1));
	ccount = malloc(sizeof(size_t) * (size_t)(np + 1));
	for (size_t i = 0, c = 0; i < (size_t)np; i++) {
		cfirst[i] = c;
		while (c < (size_t)nc && comments[c].post_id == posts[i].id)
			c++;
		ccount[i] = c - cfirst[i];
	}
	for (int i = 0; i < na; i++) {
		*sum += (uint64_t)authors[i].id;
		for (size_t p = pfirst[i]; p < pfirst[i] + pcount[i]; p++) {
			*sum += (uint64_t)posts[p].id + posts[p].title_len;
			for (size_t c = cfirst[p]; c < cfirst[p] + ccount[p]; c++)
				*sum += (uint64_t)comments[c].id + comments[c].body_len;
		}
	}
	free(cfirst);
	free(ccount);
	free(posts);
	free(comments);
	free(arr);
	bench_arena_reset(&r->arena);
	return 0;
}

static int r_request(void *ctx, const bench_input *in, uint64_t *sum)
{
	rp *r = ctx;

	for (int q = 0; q < in->requests; q++) {
		raw_author rows[64];

		for (int k = 0; k < in->per_request; k++)
			if (get_one(r, in->ids[q * in->per_request + k], &rows[k]))
				return -1;
		for (int k = 0; k < in->per_request; k++)
			*sum += sum_author(&rows[k]);
		bench_arena_reset(&r->arena);
	}
	return 0;
}

/* Each request's 20 lookups sent at once, one sync, then read back. */
static int r_request_pipelined(void *ctx, const bench_input *in, uint64_t *sum)
{
	rp *r = ctx;

	if (PQenterPipelineMode(r->pg) != 1)
		return fail(r, "pipeline");
	for (int q = 0; q < in->requests; q++) {
		raw_author rows[64];
		char ids[64][24];
		PGresult *res;

		for (int k = 0; k < in->per_request; k++) {
			const char *v[1] = {ids[k]};

			snprintf(ids[k], sizeof(ids[k]), "%lld",
				(long long)in->ids[q * in->per_request + k]);
			if (PQsendQueryPrepared(r->pg, "get", 1, v, NULL, NULL, 0) != 1)
				return fail(r, "send");
		}
		if (PQpipelineSync(r->pg) != 1)
			return fail(r, "sync");
		for (int k = 0; k < in->per_request; k++) {
			res = PQgetResult(r->pg);
			if (!res || ok(r, res, "pipelined get") || PQntuples(res) != 1)
				return -1;
			read_author(r, res, 0, &rows[k]);
			PQclear(res);
			if ((res = PQgetResult(r->pg)) != NULL)   /* end of this query */
				return fail(r, "pipeline: expected end of result");
		}
		res = PQgetResult(r->pg);
		if (!res || PQresultStatus(res) != PGRES_PIPELINE_SYNC)
			return fail(r, "pipeline: expected sync");
		PQclear(res);
		for (int k = 0; k < in->per_request; k++)
			*sum += sum_author(&rows[k]);
		bench_arena_reset(&r->arena);
	}
	return PQexitPipelineMode(r->pg) == 1 ? 0 : fail(r, "exit pipeline");
}

static int r_stream(void *ctx, const bench_input *in, uint64_t *sum)
{
	rp *r = ctx;
	PGresult *res;

	(void)in;
	if (prep(r, "stream", "SELECT id, label, qty FROM bench_item"))
		return -1;
	if (PQsendQueryPrepared(r->pg, "stream", 0, NULL, NULL, NULL, 0) != 1 ||
	    PQsetSingleRowMode(r->pg) != 1)
		return fail(r, "stream");
	while ((res = PQgetResult(r->pg))) {
		if (PQresultStatus(res) == PGRES_SINGLE_TUPLE)
			*sum += (uint64_t)strtoll(PQgetvalue(res, 0, 0), NULL, 10) +
				(uint64_t)strtoll(PQgetvalue(res, 0, 2), NULL, 10) +
				(uint64_t)PQgetlength(res, 0, 1);
		else if (PQresultStatus(res) != PGRES_TUPLES_OK)
			return ok(r, res, "stream");
		PQclear(res);
	}
	return 0;
}

const bench_impl bench_raw_pg = {
	.name = "raw-pg",
	.open = r_open,
	.close = r_close,
	.insert_one = r_insert_one,
	.insert_bulk = r_insert_bulk,
	.load = r_load,
	.lookup = r_lookup,
	.filtered = r_filtered,
	.assoc = r_assoc,
	.request = r_request,
	.request_pipelined = r_request_pipelined,
	.stream = r_stream,
	.clear_scratch = r_clear,
};
#else
const bench_impl bench_raw_pg = { .name = "raw-pg" };
#endif
