/*
 * stmt_cache.c — the per-connection prepared-statement cache: a hash table
 * keyed by SQL text, plus an LRU list so the least recently used idle
 * statement is finalized when the cache is full. Statements handed out are
 * never evicted; the cache may then run over its capacity for a while.
 *
 * In front of the table sits a memo keyed by the SQL's address: generated
 * code passes the same static string every time, so a hit costs a pointer
 * hash and a strcmp() instead of hashing the whole text. A memo hit is
 * still checked against the statement's text, so a caller that reuses a
 * buffer for other SQL gets the right statement.
 */
#include <stdint.h>
#include <string.h>

#include "corm_util.h"
#include "internal.h"

struct corm_stmt_cache {
	int capacity;       /* 0: caching disabled */
	int count;
	size_t nbuckets;    /* a power of two */
	corm_stmt **buckets;
	corm_stmt *lru_head; /* most recently used */
	corm_stmt *lru_tail; /* least recently used */
	struct memo {        /* nbuckets slots, direct-mapped by address */
		const char *sql;
		corm_stmt *stmt;
	} *memo;
};

int corm_cache__new(corm_stmt_cache **out, int capacity)
{
	corm_stmt_cache *cache = corm_calloc(1, sizeof(*cache));

	*out = NULL;
	if (!cache)
		return CORM_ENOMEM;
	cache->capacity = capacity;
	cache->nbuckets = 16;
	while (cache->nbuckets < (size_t)capacity * 2)
		cache->nbuckets *= 2;
	if (capacity > 0) {
		cache->buckets = corm_calloc(cache->nbuckets, sizeof(corm_stmt *));
		cache->memo = corm_calloc(cache->nbuckets, sizeof(*cache->memo));
		if (!cache->buckets || !cache->memo) {
			corm_free(cache->buckets);
			corm_free(cache->memo);
			corm_free(cache);
			return CORM_ENOMEM;
		}
	}
	*out = cache;
	return CORM_OK;
}

int corm_cache__capacity(const corm_stmt_cache *cache)
{
	return cache->capacity;
}

uint32_t corm_cache__hash(const char *sql)
{
	return corm__fnv1a(sql, strlen(sql));
}

/* Fibonacci hashing of the address: static strings sit at any byte. */
static struct memo *memo_slot(corm_stmt_cache *cache, const char *sql)
{
	uint64_t h = (uint64_t)(uintptr_t)sql * 0x9E3779B97F4A7C15u;

	return &cache->memo[(h >> 32) & (cache->nbuckets - 1)];
}

static void lru_unlink(corm_stmt_cache *cache, corm_stmt *s)
{
	if (s->lru_prev)
		s->lru_prev->lru_next = s->lru_next;
	else
		cache->lru_head = s->lru_next;
	if (s->lru_next)
		s->lru_next->lru_prev = s->lru_prev;
	else
		cache->lru_tail = s->lru_prev;
	s->lru_prev = s->lru_next = NULL;
}

static void lru_push_front(corm_stmt_cache *cache, corm_stmt *s)
{
	s->lru_prev = NULL;
	s->lru_next = cache->lru_head;
	if (cache->lru_head)
		cache->lru_head->lru_prev = s;
	cache->lru_head = s;
	if (!cache->lru_tail)
		cache->lru_tail = s;
}

static void bucket_remove(corm_stmt_cache *cache, corm_stmt *s)
{
	corm_stmt **p = &cache->buckets[s->hash & (cache->nbuckets - 1)];

	while (*p && *p != s)
		p = &(*p)->cache_next;
	if (*p)
		*p = s->cache_next;
	s->cache_next = NULL;
}

static void take_it(corm_stmt_cache *cache, corm_stmt *s)
{
	s->in_use = true;
	if (cache->lru_head == s)
		return; /* a statement run again and again: already in front */
	lru_unlink(cache, s);
	lru_push_front(cache, s);
}

corm_stmt *corm_cache__take_memo(corm_stmt_cache *cache, const char *sql)
{
	struct memo *m;
	corm_stmt *s;

	if (cache->capacity == 0)
		return NULL;
	m = memo_slot(cache, sql);
	s = m->stmt;
	if (m->sql != sql || !s || s->in_use || strcmp(s->sql, sql) != 0)
		return NULL;
	take_it(cache, s);
	return s;
}

void corm_cache__remember(corm_stmt_cache *cache, const char *sql,
	corm_stmt *s)
{
	struct memo *m = memo_slot(cache, sql);

	m->sql = sql;
	m->stmt = s;
}

corm_stmt *corm_cache__take(corm_stmt_cache *cache, const char *sql,
	uint32_t hash)
{
	corm_stmt *s = cache->buckets[hash & (cache->nbuckets - 1)];

	for (; s; s = s->cache_next) {
		if (s->hash == hash && !s->in_use && strcmp(s->sql, sql) == 0) {
			take_it(cache, s);
			return s;
		}
	}
	return NULL;
}

/* A statement about to be finalized leaves the memo (rare: a full scan). */
static void memo_forget(corm_stmt_cache *cache, const corm_stmt *s)
{
	size_t i;

	for (i = 0; i < cache->nbuckets; i++)
		if (cache->memo[i].stmt == s)
			cache->memo[i] = (struct memo){NULL, NULL};
}

/* Finalize idle statements from the cold end until there is room. */
static void evict(corm_stmt_cache *cache)
{
	corm_stmt *s = cache->lru_tail;

	while (s && cache->count > cache->capacity) {
		corm_stmt *prev = s->lru_prev;

		if (!s->in_use) {
			lru_unlink(cache, s);
			bucket_remove(cache, s);
			memo_forget(cache, s);
			cache->count--;
			corm_stmt__finalize(s);
		}
		s = prev;
	}
}

void corm_cache__add(corm_stmt_cache *cache, corm_stmt *s)
{
	corm_stmt **bucket = &cache->buckets[s->hash & (cache->nbuckets - 1)];

	s->cached = true;
	s->in_use = true;
	s->cache_next = *bucket;
	*bucket = s;
	lru_push_front(cache, s);
	cache->count++;
	evict(cache);
}

void corm_cache__give_back(corm_stmt_cache *cache, corm_stmt *s)
{
	s->in_use = false;
	if (cache->count > cache->capacity) /* only after handing out many */
		evict(cache);
}

void corm_cache__free(corm_stmt_cache *cache)
{
	corm_stmt *s;

	if (!cache)
		return;
	s = cache->lru_head;
	while (s) {
		corm_stmt *next = s->lru_next;

		corm_stmt__finalize(s);
		s = next;
	}
	corm_free(cache->buckets);
	corm_free(cache->memo);
	corm_free(cache);
}
