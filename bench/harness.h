/*
 * harness.h — what the benchmark programs share (docs/bench.md).
 *
 * One contender (hand-written driver code for one engine, or corm) is a
 * table of workload functions, `bench_impl`. main.c opens the contender,
 * generates the inputs (random keys, rows), times one workload, and prints
 * one line: seconds, peak-RSS growth, and a checksum of what was read, so
 * scripts/bench can check that every contender read the same data.
 */
#ifndef BENCH_HARNESS_H
#define BENCH_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The data set (bench_author, bench_post, bench_comment, bench_item). */
#define BENCH_AUTHORS 10000   /* ids 1..10000 */
#define BENCH_NAMES 500       /* author i is named "name<i % 500>" */
#define BENCH_ASSOC_AUTHORS 100
#define BENCH_POSTS_PER 10    /* posts of authors 1..100: ids 1..1000 */
#define BENCH_COMMENTS_PER 10 /* comments of posts: ids 1..10000 */

typedef enum bench_engine { ENG_SQLITE, ENG_PG, ENG_MYSQL } bench_engine;

/* A row of author/scratch, as a hand-written program holds it. Strings
 * point into a bench_arena. */
typedef struct raw_author {
	int64_t id;
	const char *name, *email, *bio; /* bio NULL for NULL */
	size_t name_len, email_len, bio_len;
} raw_author;

/* A bump allocator for hand-written code, as an expert would use (one
 * free per result, like corm's arena). */
typedef struct bench_arena {
	char *chunk;
	size_t used, cap;
	struct bench_chunk *old;
} bench_arena;

const char *bench_arena_strdup(bench_arena *a, const char *s, size_t len);
void *bench_arena_alloc(bench_arena *a, size_t n);
void bench_arena_reset(bench_arena *a);   /* keeps the current chunk */
void bench_arena_free(bench_arena *a);

/* Inputs of one run. */
typedef struct bench_input {
	int n;                  /* rows / operations */
	int64_t *ids;           /* n random author keys (lookup, request) */
	const char **names;     /* n names for filtered */
	raw_author *rows;       /* n rows to insert (insert_*) */
	int requests, per_request;
} bench_input;

/* Every workload returns 0 or -1 (message on stderr) and adds what it
 * read to *sum (ids plus string lengths). */
typedef struct bench_impl {
	const char *name;
	int (*open)(void **ctx, const char *url);
	void (*close)(void *ctx);
	int (*insert_one)(void *ctx, const bench_input *in, uint64_t *sum);
	int (*insert_bulk)(void *ctx, const bench_input *in, uint64_t *sum);
	int (*load)(void *ctx, const bench_input *in, uint64_t *sum);
	int (*lookup)(void *ctx, const bench_input *in, bool tx, uint64_t *sum);
	int (*filtered)(void *ctx, const bench_input *in, uint64_t *sum);
	int (*assoc)(void *ctx, const bench_input *in, uint64_t *sum);
	int (*request)(void *ctx, const bench_input *in, uint64_t *sum);
	/* Optional (NULL: not available): the requests pipelined. */
	int (*request_pipelined)(void *ctx, const bench_input *in, uint64_t *sum);
	int (*stream)(void *ctx, const bench_input *in, uint64_t *sum);
	/* Empty bench_scratch before an insert run (untimed). */
	int (*clear_scratch)(void *ctx);
} bench_impl;

extern const bench_impl bench_raw_sqlite, bench_raw_pg, bench_raw_mysql;
extern const bench_impl bench_corm, bench_corm_stmt;

/* util.c */
void bench_die(const char *fmt, ...);
uint64_t bench_rand(uint64_t *state);
double bench_now(void);
long bench_vm_kib(const char *field);   /* "VmHWM:", "VmRSS:" from /proc */
const char *bench_sqlite_path(const char *url);
/* mysql://user:pass@host:port/db into its parts (static storage). */
void bench_mysql_parts(const char *url, const char **user, const char **pass,
	const char **host, unsigned *port, const char **db);

static inline uint64_t bench_sum_str(const char *s, size_t len)
{
	return s ? (uint64_t)len : 0;
}

#endif
