/*
 * raw_mysql.c — the limit on MySQL/MariaDB: hand-written libmysqlclient
 * (MariaDB Connector/C) code with server-side prepared statements
 * (mysql_stmt_*), prepared once, results bound to fixed buffers and
 * buffered with mysql_stmt_store_result() except for the stream, which
 * fetches row by row from the socket. Session settings like corm's
 * (utf8mb4, time_zone '+00:00', strict sql_mode).
 */
#include "harness.h"

#if BENCH_HAVE_MYSQL
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <mysql.h>

#define SEL "SELECT id, name, email, bio FROM bench_author"

/* Result buffers of an author SELECT. */
typedef struct arow {
	MYSQL_BIND b[4];
	long long id;
	char name[128], email[256], bio[1024];
	unsigned long len[4];
	my_bool null[4], err[4];
} arow;

typedef struct rm {
	MYSQL *my;
	MYSQL_STMT *get;
	MYSQL_BIND get_param;
	long long get_id;
	arow row;
	bench_arena arena;
} rm;

static int fail(rm *r, const char *what)
{
	fprintf(stderr, "raw mysql %s: %s\n", what, mysql_error(r->my));
	return -1;
}

static int sfail(MYSQL_STMT *st, const char *what)
{
	fprintf(stderr, "raw mysql %s: %s\n", what, mysql_stmt_error(st));
	return -1;
}

static int exec(rm *r, const char *sql)
{
	if (mysql_query(r->my, sql))
		return fail(r, sql);
	return 0;
}

static MYSQL_STMT *prep(rm *r, const char *sql)
{
	MYSQL_STMT *st = mysql_stmt_init(r->my);

	if (!st || mysql_stmt_prepare(st, sql, strlen(sql))) {
		fail(r, sql);
		return NULL;
	}
	return st;
}

static void bind_arow(arow *a)
{
	memset(a->b, 0, sizeof(a->b));
	a->b[0].buffer_type = MYSQL_TYPE_LONGLONG;
	a->b[0].buffer = &a->id;
	char *bufs[4] = {NULL, a->name, a->email, a->bio};
	size_t sizes[4] = {0, sizeof(a->name), sizeof(a->email), sizeof(a->bio)};
	for (int i = 0; i < 4; i++) {
		if (i) {
			a->b[i].buffer_type = MYSQL_TYPE_STRING;
			a->b[i].buffer = bufs[i];
			a->b[i].buffer_length = sizes[i];
		}
		a->b[i].length = &a->len[i];
		a->b[i].is_null = &a->null[i];
		a->b[i].error = &a->err[i];
	}
}

static void read_author(rm *r, const arow *row, raw_author *a)
{
	a->id = row->id;
	a->name_len = row->len[1];
	a->name = bench_arena_strdup(&r->arena, row->name, a->name_len);
	a->email_len = row->len[2];
	a->email = bench_arena_strdup(&r->arena, row->email, a->email_len);
	if (row->null[3]) {
		a->bio = NULL;
		a->bio_len = 0;
	} else {
		a->bio_len = row->len[3];
		a->bio = bench_arena_strdup(&r->arena, row->bio, a->bio_len);
	}
}

static uint64_t sum_author(const raw_author *a)
{
	return (uint64_t)a->id + a->name_len + a->email_len + bench_sum_str(a->bio, a->bio_len);
}

static int r_open(void **ctx, const char *url)
{
	rm *r = calloc(1, sizeof(*r));
	const char *user, *pass, *host, *db;
	unsigned port;

	bench_mysql_parts(url, &user, &pass, &host, &port, &db);
	r->my = mysql_init(NULL);
	mysql_options(r->my, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (!mysql_real_connect(r->my, host, user, pass, db, port, NULL, CLIENT_FOUND_ROWS))
		return fail(r, "connect");
	if (exec(r, "SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ZERO_DATE,NO_ZERO_IN_DATE'"))
		return -1;
	if (!(r->get = prep(r, SEL " WHERE id = ?")))
		return -1;
	memset(&r->get_param, 0, sizeof(r->get_param));
	r->get_param.buffer_type = MYSQL_TYPE_LONGLONG;
	r->get_param.buffer = &r->get_id;
	mysql_stmt_bind_param(r->get, &r->get_param);
	bind_arow(&r->row);
	mysql_stmt_bind_result(r->get, r->row.b);
	*ctx = r;
	return 0;
}

static void r_close(void *ctx)
{
	rm *r = ctx;

	mysql_stmt_close(r->get);
	mysql_close(r->my);
	bench_arena_free(&r->arena);
	free(r);
}

static int r_clear(void *ctx)
{
	return exec(ctx, "DELETE FROM bench_scratch");
}

static void bind_row(MYSQL_BIND *b, const raw_author *a, long long *id, unsigned long *lens)
{
	*id = a->id;
	b[0].buffer_type = MYSQL_TYPE_LONGLONG;
	b[0].buffer = id;
	b[1].buffer_type = MYSQL_TYPE_STRING;
	b[1].buffer = (void *)a->name;
	lens[0] = a->name_len;
	b[1].length = &lens[0];
	b[2].buffer_type = MYSQL_TYPE_STRING;
	b[2].buffer = (void *)a->email;
	lens[1] = a->email_len;
	b[2].length = &lens[1];
	b[3].buffer_type = MYSQL_TYPE_NULL;
}

static int r_insert_one(void *ctx, const bench_input *in, uint64_t *sum)
{
	rm *r = ctx;
	MYSQL_STMT *st = prep(r, "INSERT INTO bench_scratch (id, name, email, bio) VALUES (?, ?, ?, ?)");
	MYSQL_BIND b[4];
	long long id;
	unsigned long lens[2];

	if (!st || exec(r, "START TRANSACTION"))
		return -1;
	for (int i = 0; i < in->n; i++) {
		memset(b, 0, sizeof(b));
		bind_row(b, &in->rows[i], &id, lens);
		if (mysql_stmt_bind_param(st, b) || mysql_stmt_execute(st))
			return sfail(st, "insert");
	}
	mysql_stmt_close(st);
	*sum += (uint64_t)in->n;
	return exec(r, "COMMIT");
}

/* Multi-row VALUES, 1000 rows a statement (as corm's insert_many). */
static int r_insert_bulk(void *ctx, const bench_input *in, uint64_t *sum)
{
	rm *r = ctx;
	enum { BATCH = 1000 };
	MYSQL_BIND *b = calloc(4 * BATCH, sizeof(MYSQL_BIND));
	long long *ids = calloc(BATCH, sizeof(long long));
	unsigned long *lens = calloc(2 * BATCH, sizeof(unsigned long));
	char *sql = malloc(32 * BATCH + 100);
	MYSQL_STMT *full = NULL, *st;
	int i = 0;

	if (exec(r, "START TRANSACTION"))
		return -1;
	while (i < in->n) {
		int n = in->n - i < BATCH ? in->n - i : BATCH;

		if (n == BATCH && full)
			st = full;
		else {
			size_t len = (size_t)sprintf(sql, "INSERT INTO bench_scratch (id, name, email, bio) VALUES ");
			for (int k = 0; k < n; k++)
				len += (size_t)sprintf(sql + len, "%s(?, ?, ?, ?)", k ? ", " : "");
			if (!(st = prep(r, sql)))
				return -1;
			if (n == BATCH)
				full = st;
		}
		memset(b, 0, 4 * BATCH * sizeof(MYSQL_BIND));
		for (int k = 0; k < n; k++)
			bind_row(b + 4 * k, &in->rows[i + k], &ids[k], &lens[2 * k]);
		if (mysql_stmt_bind_param(st, b) || mysql_stmt_execute(st))
			return sfail(st, "insert");
		if (st != full)
			mysql_stmt_close(st);
		i += n;
	}
	if (full)
		mysql_stmt_close(full);
	free(b);
	free(ids);
	free(lens);
	free(sql);
	*sum += (uint64_t)in->n;
	return exec(r, "COMMIT");
}

/* Run `st` (params bound), buffer, fetch each row into `row`, call back. */
typedef void (*row_fn)(rm *r, void *arg);

static int run_rows(rm *r, MYSQL_STMT *st, bool buffer, row_fn fn, void *arg)
{
	int rc;

	if (mysql_stmt_execute(st))
		return sfail(st, "execute");
	if (buffer && mysql_stmt_store_result(st))
		return sfail(st, "store_result");
	while ((rc = mysql_stmt_fetch(st)) == 0)
		fn(r, arg);
	if (rc == MYSQL_DATA_TRUNCATED)
		return sfail(st, "fetch: truncated");
	if (rc != MYSQL_NO_DATA)
		return sfail(st, "fetch");
	mysql_stmt_free_result(st);
	return 0;
}

struct collect {
	raw_author *rows;
	size_t n, cap;
	arow *src;
};

static void collect_author(rm *r, void *arg)
{
	struct collect *c = arg;

	if (c->n == c->cap)
		c->rows = realloc(c->rows, (c->cap = c->cap ? 2 * c->cap : 64) * sizeof(raw_author));
	read_author(r, c->src, &c->rows[c->n++]);
}

static int r_load(void *ctx, const bench_input *in, uint64_t *sum)
{
	rm *r = ctx;
	MYSQL_STMT *st = prep(r, SEL " ORDER BY id");
	arow row;
	struct collect c = {NULL, 0, 0, &row};

	(void)in;
	if (!st)
		return -1;
	bind_arow(&row);
	mysql_stmt_bind_result(st, row.b);
	if (run_rows(r, st, true, collect_author, &c))
		return -1;
	mysql_stmt_close(st);
	for (size_t i = 0; i < c.n; i++)
		*sum += sum_author(&c.rows[i]);
	free(c.rows);
	bench_arena_reset(&r->arena);
	return 0;
}

static int get_one(rm *r, int64_t id, raw_author *a)
{
	int rc;

	r->get_id = id;
	/* Binding again makes the next execute resend the parameter types,
	 * as corm's driver does, so both send the same bytes (docs/bench.md:
	 * without it this lookup measured slower, unexplained on a busy
	 * machine). */
	mysql_stmt_bind_param(r->get, &r->get_param);
	if (mysql_stmt_execute(r->get) || mysql_stmt_store_result(r->get))
		return sfail(r->get, "get");
	if ((rc = mysql_stmt_fetch(r->get)) != 0)
		return sfail(r->get, "get fetch");
	read_author(r, &r->row, a);
	mysql_stmt_free_result(r->get);
	return 0;
}

static int r_lookup(void *ctx, const bench_input *in, bool tx, uint64_t *sum)
{
	rm *r = ctx;

	if (tx && exec(r, "START TRANSACTION"))
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
	rm *r = ctx;
	MYSQL_STMT *st = prep(r, SEL " WHERE name = ? ORDER BY id LIMIT ?");
	MYSQL_BIND p[2];
	unsigned long nlen;
	long long lim = 20;
	arow row;
	raw_author page[20];
	struct collect c = {page, 0, 20, &row};

	if (!st)
		return -1;
	bind_arow(&row);
	mysql_stmt_bind_result(st, row.b);
	for (int i = 0; i < in->n; i++) {
		memset(p, 0, sizeof(p));
		p[0].buffer_type = MYSQL_TYPE_STRING;
		p[0].buffer = (void *)in->names[i];
		nlen = strlen(in->names[i]);
		p[0].length = &nlen;
		p[1].buffer_type = MYSQL_TYPE_LONGLONG;
		p[1].buffer = &lim;
		mysql_stmt_bind_param(st, p);
		c.n = 0;
		if (run_rows(r, st, true, collect_author, &c))
			return -1;
		for (size_t k = 0; k < c.n; k++)
			*sum += sum_author(&page[k]);
		bench_arena_reset(&r->arena);
	}
	mysql_stmt_close(st);
	return 0;
}

/* Child rows of assoc: id, parent id, one text column read, one more
 * text column read and dropped (post bodies). */
typedef struct child {
	int64_t id, parent;
	const char *text;
	size_t text_len;
} child;

struct crow {
	MYSQL_BIND b[4];
	long long id, parent;
	char text[1024], extra[1024];
	unsigned long len[4];
	my_bool null[4];
	child *out;
	size_t n, cap;
	int ncols;
};

static void collect_child(rm *r, void *arg)
{
	struct crow *c = arg;

	if (c->n == c->cap)
		c->out = realloc(c->out, (c->cap = c->cap ? 2 * c->cap : 1024) * sizeof(child));
	c->out[c->n].id = c->id;
	c->out[c->n].parent = c->parent;
	c->out[c->n].text_len = c->len[2];
	c->out[c->n].text = bench_arena_strdup(&r->arena, c->text, c->len[2]);
	if (c->ncols == 4)
		bench_arena_strdup(&r->arena, c->extra, c->len[3]);
	c->n++;
}

static int children(rm *r, struct crow *c, const char *head, int ncols,
	const int64_t *keys, size_t nkeys)
{
	char *sql = malloc(64 + strlen(head) + 3 * nkeys);
	size_t len = (size_t)sprintf(sql, "%s", head);
	MYSQL_BIND *p = calloc(nkeys, sizeof(MYSQL_BIND));
	MYSQL_STMT *st;

	for (size_t i = 0; i < nkeys; i++)
		len += (size_t)sprintf(sql + len, "%s?", i ? "," : "");
	sprintf(sql + len, ") ORDER BY 2, 1");
	if (!(st = prep(r, sql)))
		return -1;
	for (size_t i = 0; i < nkeys; i++) {
		p[i].buffer_type = MYSQL_TYPE_LONGLONG;
		p[i].buffer = (void *)&keys[i];
	}
	mysql_stmt_bind_param(st, p);
	memset(c->b, 0, sizeof(c->b));
	c->ncols = ncols;
	c->b[0].buffer_type = MYSQL_TYPE_LONGLONG;
	c->b[0].buffer = &c->id;
	c->b[1].buffer_type = MYSQL_TYPE_LONGLONG;
	c->b[1].buffer = &c->parent;
	c->b[2].buffer_type = MYSQL_TYPE_STRING;
	c->b[2].buffer = c->text;
	c->b[2].buffer_length = sizeof(c->text);
	c->b[3].buffer_type = MYSQL_TYPE_STRING;
	c->b[3].buffer = c->extra;
	c->b[3].buffer_length = sizeof(c->extra);
	for (int i = 0; i < 4; i++) {
		c->b[i].length = &c->len[i];
		c->b[i].is_null = &c->null[i];
	}
	mysql_stmt_bind_result(st, c->b);
	if (run_rows(r, st, true, collect_child, c))
		return -1;
	mysql_stmt_close(st);
	free(p);
	free(sql);
	return 0;
}

static int r_assoc(void *ctx, const bench_input *in, uint64_t *sum)
{
	rm *r = ctx;
	enum { NA = BENCH_ASSOC_AUTHORS };
	MYSQL_STMT *st = prep(r, SEL " WHERE id <= ? ORDER BY id");
	MYSQL_BIND p;
	long long lim = NA;
	arow row;
	struct collect a = {NULL, 0, 0, &row};
	struct crow *pc = calloc(1, sizeof(*pc)), *cc = calloc(1, sizeof(*cc));
	int64_t keys[NA], *pkeys;
	size_t pfirst[NA], pcount[NA], *cfirst, *ccount;

	(void)in;
	if (!st)
		return -1;
	memset(&p, 0, sizeof(p));
	p.buffer_type = MYSQL_TYPE_LONGLONG;
	p.buffer = &lim;
	mysql_stmt_bind_param(st, &p);
	bind_arow(&row);
	mysql_stmt_bind_result(st, row.b);
	if (run_rows(r, st, true, collect_author, &a))
		return -1;
	mysql_stmt_close(st);
	for (size_t i = 0; i < a.n && i < NA; i++)
		keys[i] = a.rows[i].id;
	if (children(r, pc, "SELECT id, author_id, title, body FROM bench_post WHERE author_id IN (",
		4, keys, a.n))
		return -1;
	for (size_t i = 0, k = 0; i < a.n; i++) {
		pfirst[i] = k;
		while (k < pc->n && pc->out[k].parent == a.rows[i].id)
			k++;
		pcount[i] = k - pfirst[i];
	}
	pkeys = malloc(sizeof(int64_t) * (pc->n + 1));
	for (size_t i = 0; i < pc->n; i++)
		pkeys[i] = pc->out[i].id;
	if (children(r, cc, "SELECT id, post_id, body FROM bench_comment WHERE post_id IN (",
		3, pkeys, pc->n))
		return -1;
	cfirst = malloc(sizeof(size_t) * (pc->n + 1));
	ccount = malloc(sizeof(size_t) * (pc->n + 1));
	for (size_t i = 0, k = 0; i < pc->n; i++) {
		cfirst[i] = k;
		while (k < cc->n && cc->out[k].parent == pc->out[i].id)
			k++;
		ccount[i] = k - cfirst[i];
	}
	for (size_t i = 0; i < a.n; i++) {
		*sum += (uint64_t)a.rows[i].id;
		for (size_t k = pfirst[i]; k < pfirst[i] + pcount[i]; k++) {
			*sum += (uint64_t)pc->out[k].id + pc->out[k].text_len;
			for (size_t c = cfirst[k]; c < cfirst[k] + ccount[k]; c++)
				*sum += (uint64_t)cc->out[c].id + cc->out[c].text_len;
		}
	}
	free(cfirst);
	free(ccount);
	free(pkeys);
	free(pc->out);
	free(cc->out);
	free(pc);
	free(cc);
	free(a.rows);
	bench_arena_reset(&r->arena);
	return 0;
}

static int r_request(void *ctx, const bench_input *in, uint64_t *sum)
{
	rm *r = ctx;

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

struct srow {
	MYSQL_BIND b[3];
	long long id, qty;
	char label[128];
	unsigned long len[3];
	uint64_t *sum;
};

static void sum_item(rm *r, void *arg)
{
	struct srow *s = arg;

	(void)r;
	*s->sum += (uint64_t)s->id + (uint64_t)s->qty + s->len[1];
}

static int r_stream(void *ctx, const bench_input *in, uint64_t *sum)
{
	rm *r = ctx;
	MYSQL_STMT *st = prep(r, "SELECT id, label, qty FROM bench_item");
	struct srow s;

	(void)in;
	if (!st)
		return -1;
	memset(&s, 0, sizeof(s));
	s.sum = sum;
	s.b[0].buffer_type = MYSQL_TYPE_LONGLONG;
	s.b[0].buffer = &s.id;
	s.b[1].buffer_type = MYSQL_TYPE_STRING;
	s.b[1].buffer = s.label;
	s.b[1].buffer_length = sizeof(s.label);
	s.b[1].length = &s.len[1];
	s.b[2].buffer_type = MYSQL_TYPE_LONGLONG;
	s.b[2].buffer = &s.qty;
	mysql_stmt_bind_result(st, s.b);
	if (run_rows(r, st, false, sum_item, &s))
		return -1;
	mysql_stmt_close(st);
	return 0;
}

const bench_impl bench_raw_mysql = {
	.name = "raw-mysql",
	.open = r_open,
	.close = r_close,
	.insert_one = r_insert_one,
	.insert_bulk = r_insert_bulk,
	.load = r_load,
	.lookup = r_lookup,
	.filtered = r_filtered,
	.assoc = r_assoc,
	.request = r_request,
	.request_pipelined = NULL,
	.stream = r_stream,
	.clear_scratch = r_clear,
};
#else
const bench_impl bench_raw_mysql = { .name = "raw-mysql" };
#endif
