/*
 * util.c — timing, memory, random numbers, a bump allocator and URL
 * helpers for the benchmark programs.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

struct bench_chunk {
	struct bench_chunk *next;
};

void bench_die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("corm-bench: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

uint64_t bench_rand(uint64_t *s)
{
	uint64_t x = *s;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	return *s = x;
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

long bench_vm_kib(const char *field)
{
	char line[256];
	long v = -1;
	size_t n = strlen(field);
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, field, n) == 0) {
			v = strtol(line + n, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

#define CHUNK (256u * 1024u)

void *bench_arena_alloc(bench_arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (!a->chunk || a->used + n > a->cap) {
		size_t cap = n > CHUNK ? n : CHUNK;
		char *c = malloc(sizeof(struct bench_chunk) + cap);

		if (!c)
			bench_die("out of memory");
		if (a->chunk) {
			struct bench_chunk *h =
				(struct bench_chunk *)(a->chunk - sizeof(struct bench_chunk));
			h->next = a->old;
			a->old = h;
		}
		((struct bench_chunk *)c)->next = NULL;
		a->chunk = c + sizeof(struct bench_chunk);
		a->used = 0;
		a->cap = cap;
	}
	a->used += n;
	return a->chunk + a->used - n;
}

const char *bench_arena_strdup(bench_arena *a, const char *s, size_t len)
{
	char *d;

	if (!s)
		return NULL;
	d = bench_arena_alloc(a, len + 1);
	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

static void free_old(bench_arena *a)
{
	while (a->old) {
		struct bench_chunk *n = a->old->next;

		free(a->old);
		a->old = n;
	}
}

void bench_arena_reset(bench_arena *a)
{
	free_old(a);
	a->used = 0;
}

void bench_arena_free(bench_arena *a)
{
	free_old(a);
	if (a->chunk)
		free(a->chunk - sizeof(struct bench_chunk));
	a->chunk = NULL;
	a->used = a->cap = 0;
}

const char *bench_sqlite_path(const char *url)
{
	if (strncmp(url, "sqlite:///", 10) == 0)
		return url + 9;
	if (strncmp(url, "sqlite:", 7) == 0)
		return url + 7;
	return url;
}

void bench_mysql_parts(const char *url, const char **user, const char **pass,
	const char **host, unsigned *port, const char **db)
{
	static char buf[512];
	char *p, *at, *colon, *slash;

	p = strstr(url, "://");
	if (!p || strlen(p + 3) >= sizeof(buf))
		bench_die("bad mysql url '%s'", url);
	memcpy(buf, p + 3, strlen(p + 3) + 1);
	*user = buf;
	*pass = "";
	at = strrchr(buf, '@');
	if (!at)
		bench_die("bad mysql url (no user@host)");
	*at = '\0';
	if ((colon = strchr(buf, ':'))) {
		*colon = '\0';
		*pass = colon + 1;
	}
	*host = at + 1;
	slash = strchr(at + 1, '/');
	*db = "";
	if (slash) {
		*slash = '\0';
		*db = slash + 1;
		if ((p = strchr(slash + 1, '?')))
			*p = '\0';
	}
	*port = 3306;
	if ((colon = strchr(at + 1, ':'))) {
		*colon = '\0';
		*port = (unsigned)atoi(colon + 1);
	}
}
