/*
 * raw_sqlite.c — the limit on SQLite: hand-written sqlite3 code, each
 * statement prepared once and reset between uses, strings copied into a
 * bump arena, the connection set up like corm's (WAL, synchronous=NORMAL,
 * foreign_keys=ON, a busy timeout).
 */
#include "harness.h"

#if BENCH_HAVE_SQLITE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#define SEL "SELECT id, name, email, bio FROM bench_author"

typedef struct rs {
	sqlite3 *db;
	sqlite3_stmt *get;
	bench_arena arena;
} rs;

static int fail(rs *r, const char *what)
{
	fprintf(stderr, "raw sqlite %s: %s\n", what, sqlite3_errmsg(r->db));
	return -1;
}

static int prep(rs *r, sqlite3_stmt **st, const char *sql)
{
	return sqlite3_prepare_v3(r->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL)
		== SQLITE_OK ? 0 : fail(r, sql);
}

static int r_open(void **ctx, const char *url)
{
	rs *r = calloc(1, sizeof(*r));

	/* NOMUTEX, as corm opens it: one connection per thread is how an
	 * expert uses it, and the serialized mode's mutex on every
	 * sqlite3_column_*() call would handicap raw against corm. */
	if (sqlite3_open_v2(bench_sqlite_path(url), &r->db,
		SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX,
		NULL) != SQLITE_OK)
		return fail(r, "open");
	sqlite3_busy_timeout(r->db, 5000);
	if (sqlite3_exec(r->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		" PRAGMA foreign_keys=ON", NULL, NULL, NULL) != SQLITE_OK)
		return fail(r, "pragma");
	if (prep(r, &r->get, SEL " WHERE id = ?") != 0)
		return -1;
	*ctx = r;
	return 0;
}

static void r_close(void *ctx)
{
	rs *r = ctx;

	sqlite3_finalize(r->get);
	sqlite3_close(r->db);
	bench_arena_free(&r->arena);
	free(r);
}

static int r_clear(void *ctx)
{
	rs *r = ctx;

	return sqlite3_exec(r->db, "DELETE FROM bench_scratch", NULL, NULL, NULL)
		== SQLITE_OK ? 0 : fail(r, "clear");
}

static int exec(rs *r, const char *sql)
{
	return sqlite3_exec(r->db, sql, NULL, NULL, NULL) == SQLITE_OK ? 0 : fail(r, sql);
}

/* The current row of an author SELECT into *a, strings in the arena. */
static void read_author(rs *r, sqlite3_stmt *st, raw_author *a)
{
	a->id = sqlite3_column_int64(st, 0);
	a->name = (const char *)sqlite3_column_text(st, 1);
	a->name_len = (size_t)sqlite3_column_bytes(st, 1);
	a->name = bench_arena_strdup(&r->arena, a->name, a->name_len);
	a->email = (const char *)sqlite3_column_text(st, 2);
	a->email_len = (size_t)sqlite3_column_bytes(st, 2);
	a->email = bench_arena_strdup(&r->arena, a->email, a->email_len);
	if (sqlite3_column_type(st, 3) == SQLITE_NULL) {
		a->bio = NULL;
		a->bio_len = 0;
	} else {
		const char *b = (const char *)sqlite3_column_text(st, 3);

		a->bio_len = (size_t)sqlite3_column_bytes(st, 3);
		a->bio = bench_arena_strdup(&r->arena, b, a->bio_len);
	}
}

static uint64_t sum_author(const raw_author *a)
{
	return (uint64_t)a->id + a->name_len + a->email_len + bench_sum_str(a->bio, a->bio_len);
}

static int bind_row(sqlite3_stmt *st, int base, const raw_author *a)
{
	sqlite3_bind_int64(st, base + 1, a->id);
	sqlite3_bind_text(st, base + 2, a->name, (int)a->name_len, SQLITE_STATIC);
	sqlite3_bind_text(st, base + 3, a->email, (int)a->email_len, SQLITE_STATIC);
	return sqlite3_bind_null(st, base + 4);
}

static int r_insert_one(void *ctx, const bench_input *in, uint64_t *sum)
{
	rs *r = ctx;
	sqlite3_stmt *st;

	if (prep(r, &st, "INSERT INTO bench_scratch (id, name, email, bio) VALUES (?, ?, ?, ?)"))
		return -1;
	if (exec(r, "BEGIN"))
		return -1;
	for (int i = 0; i < in->n; i++) {
		bind_row(st, 0, &in->rows[i]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return fail(r, "insert");
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	*sum += (uint64_t)in->n;
	return exec(r, "COMMIT");
}

/* Multi-row VALUES, 1000 rows a statement (what corm's insert_many does). */
static int r_insert_bulk(void *ctx, const bench_input *in, uint64_t *sum)
{
	rs *r = ctx;
	enum { BATCH = 1000 };
	sqlite3_stmt *full = NULL, *st;
	char *sql = malloc(32 * BATCH + 100);
	int i = 0;

	if (exec(r, "BEGIN"))
		return -1;
	while (i < in->n) {
		int n = in->n - i < BATCH ? in->n - i : BATCH;
		size_t len = (size_t)sprintf(sql, "INSERT INTO bench_scratch (id, name, email, bio) VALUES ");

		if (n == BATCH && full)
			st = full;
		else {
			for (int k = 0; k < n; k++)
				len += (size_t)sprintf(sql + len, "%s(?, ?, ?, ?)", k ? ", " : "");
			if (prep(r, &st, sql))
				return -1;
			if (n == BATCH)
				full = st;
		}
		for (int k = 0; k < n; k++)
			bind_row(st, 4 * k, &in->rows[i + k]);
		if (sqlite3_step(st) != SQLITE_DONE)
			return fail(r, "insert");
		sqlite3_reset(st);
		if (st != full)
			sqlite3_finalize(st);
		i += n;
	}
	sqlite3_finalize(full);
	free(sql);
	*sum += (uint64_t)in->n;
	return exec(r, "COMMIT");
}

static int r_load(void *ctx, const bench_input *in, uint64_t *sum)
{
	rs *r = ctx;
	sqlite3_stmt *st;
	size_t n = 0, cap = 1024;
	raw_author *rows = malloc(cap * sizeof(*rows));

	(void)in;
	if (prep(r, &st, SEL " ORDER BY id"))
		return -1;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n == cap)
			rows = realloc(rows, (cap *= 2) * sizeof(*rows));
		read_author(r, st, &rows[n++]);
	}
	sqlite3_finalize(st);
	for (size_t i = 0; i < n; i++)
		*sum += sum_author(&rows[i]);
	free(rows);
	bench_arena_reset(&r->arena);
	return 0;
}

static int r_lookup(void *ctx, const bench_input *in, bool tx, uint64_t *sum)
{
	rs *r = ctx;

	if (tx && exec(r, "BEGIN"))
		return -1;
	for (int i = 0; i < in->n; i++) {
		raw_author a;

		sqlite3_bind_int64(r->get, 1, in->ids[i]);
		if (sqlite3_step(r->get) != SQLITE_ROW)
			return fail(r, "get");
		read_author(r, r->get, &a);
		sqlite3_reset(r->get);
		*sum += sum_author(&a);
		bench_arena_reset(&r->arena);
	}
	return tx ? exec(r, "COMMIT") : 0;
}

static int r_filtered(void *ctx, const bench_input *in, uint64_t *sum)
{
	rs *r = ctx;
	sqlite3_stmt *st;
	raw_author page[20];

	if (prep(r, &st, SEL " WHERE name = ? ORDER BY id LIMIT ?"))
		return -1;
	for (int i = 0; i < in->n; i++) {
		int n = 0;

		sqlite3_bind_text(st, 1, in->names[i], -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 2, 20);
		while (sqlite3_step(st) == SQLITE_ROW)
			read_author(r, st, &page[n++]);
		sqlite3_reset(st);
		for (int k = 0; k < n; k++)
			*sum += sum_author(&page[k]);
		bench_arena_reset(&r->arena);
	}
	sqlite3_finalize(st);
	return 0;
}

/* Authors 1..100, then their posts (author_id IN the keys, ordered by
 * parent then id, so groups are runs), then the posts' comments alike. */
static int r_assoc(void *ctx, const bench_input *in, uint64_t *sum)
{
	rs *r = ctx;
	sqlite3_stmt *sa, *sp, *sc;
	enum { NA = BENCH_ASSOC_AUTHORS };
	char sql[16384];
	size_t len;
	raw_author authors[NA];
	int na = 0;
	struct { int64_t id, author_id; const char *title; size_t title_len; } *posts;
	struct { int64_t id, post_id; const char *body; size_t body_len; } *comments;
	size_t np = 0, nc = 0, pcap = 2048, ccap = 16384;
	size_t pfirst[NA], pcount[NA], *cfirst, *ccount;

	(void)in;
	if (prep(r, &sa, SEL " WHERE id <= ? ORDER BY id"))
		return -1;
	sqlite3_bind_int(sa, 1, NA);
	while (sqlite3_step(sa) == SQLITE_ROW && na < NA)
		read_author(r, sa, &authors[na++]);
	sqlite3_finalize(sa);

	len = (size_t)snprintf(sql, sizeof(sql), "SELECT id, author_id, title, body FROM bench_post WHERE author_id IN (");
	for (int i = 0; i < na; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?", i ? ", " : "");
	snprintf(sql + len, sizeof(sql) - len, ") ORDER BY author_id, id");
	if (prep(r, &sp, sql))
		return -1;
	for (int i = 0; i < na; i++)
		sqlite3_bind_int64(sp, i + 1, authors[i].id);
	posts = malloc(pcap * sizeof(*posts));
	while (sqlite3_step(sp) == SQLITE_ROW && np < pcap) {
		posts[np].id = sqlite3_column_int64(sp, 0);
		posts[np].author_id = sqlite3_column_int64(sp, 1);
		posts[np].title_len = (size_t)sqlite3_column_bytes(sp, 2);
		posts[np].title = bench_arena_strdup(&r->arena,
			(const char *)sqlite3_column_text(sp, 2), posts[np].title_len);
		/* the body is read and copied too, as the others do */
		bench_arena_strdup(&r->arena, (const char *)sqlite3_column_text(sp, 3),
			(size_t)sqlite3_column_bytes(sp, 3));
		np++;
	}
	sqlite3_finalize(sp);
	/* Group: authors are sorted by id, posts by author_id. */
	for (size_t i = 0, p = 0; i < (size_t)na; i++) {
		pfirst[i] = p;
		while (p < np && posts[p].author_id == authors[i].id)
			p++;
		pcount[i] = p - pfirst[i];
	}

	len = (size_t)snprintf(sql, sizeof(sql), "SELECT id, post_id, body FROM bench_comment WHERE post_id IN (");
	for (size_t i = 0; i < np; i++)
		len += (size_t)snprintf(sql + len, sizeof(sql) - len, "%s?", i ? "," : "");
	snprintf(sql + len, sizeof(sql) - len, ") ORDER BY post_id, id");
	if (prep(r, &sc, sql))
		return -1;
	for (size_t i = 0; i < np; i++)
		sqlite3_bind_int64(sc, (int)i + 1, posts[i].id);
	comments = malloc(ccap * sizeof(*comments));
	while (sqlite3_step(sc) == SQLITE_ROW) {
		if (nc == ccap)
			comments = realloc(comments, (ccap *= 2) * sizeof(*comments));
		comments[nc].id = sqlite3_column_int64(sc, 0);
		comments[nc].post_id = sqlite3_column_int64(sc, 1);
		comments[nc].body_len = (size_t)sqlite3_column_bytes(sc, 2);
		comments[nc].body = bench_arena_strdup(&r->arena,
			(const char *)sqlite3_column_text(sc, 2), comments[nc].body_len);
		nc++;
	}
	sqlite3_finalize(sc);
	/* Posts are in (author_id, id) order, which is id order here; group
	 * comments by post the same way (a hash would do for any order). */
	cfirst = malloc(np * sizeof(size_t));
	ccount = malloc(np * sizeof(size_t));
	for (size_t i = 0, c = 0; i < np; i++) {
		cfirst[i] = c;
		while (c < nc && comments[c].post_id == posts[i].id)
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
	bench_arena_reset(&r->arena);
	return 0;
}

static int r_request(void *ctx, const bench_input *in, uint64_t *sum)
{
	rs *r = ctx;

	for (int q = 0; q < in->requests; q++) {
		raw_author rows[64];

		for (int k = 0; k < in->per_request; k++) {
			sqlite3_bind_int64(r->get, 1, in->ids[q * in->per_request + k]);
			if (sqlite3_step(r->get) != SQLITE_ROW)
				return fail(r, "get");
			read_author(r, r->get, &rows[k]);
			sqlite3_reset(r->get);
		}
		for (int k = 0; k < in->per_request; k++)
			*sum += sum_author(&rows[k]);
		bench_arena_reset(&r->arena);
	}
	return 0;
}

static int r_stream(void *ctx, const bench_input *in, uint64_t *sum)
{
	rs *r = ctx;
	sqlite3_stmt *st;
	int rc;

	(void)in;
	if (prep(r, &st, "SELECT id, label, qty FROM bench_item"))
		return -1;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		(void)sqlite3_column_text(st, 1);
		*sum += (uint64_t)sqlite3_column_int64(st, 0) +
			(uint64_t)sqlite3_column_int64(st, 2) +
			(uint64_t)sqlite3_column_bytes(st, 1);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? 0 : fail(r, "stream");
}

const bench_impl bench_raw_sqlite = {
	.name = "raw-sqlite",
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
const bench_impl bench_raw_sqlite = { .name = "raw-sqlite" };
#endif
