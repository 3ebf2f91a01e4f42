/*
 * diag.c — compiler-style diagnostics for the schema compiler, and the
 * small helpers every pass shares.
 *
 * Sections: arena helpers, recording diagnostics (with the error limit),
 * sorting, rendering (FILE:LINE:COL: error: ..., the source line and a
 * caret), "did you mean" suggestions, a string hash map.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "internal.h"
#include "corm_util.h"

/* ------------------------------------------------------------ arena helpers */

void *cg_alloc(cg_ctx *c, size_t n)
{
	void *p;

	if (c->oom)
		return NULL;
	p = corm_arena_alloc(&c->arena, n ? n : 1);
	if (!p) {
		c->oom = true;
		return NULL;
	}
	memset(p, 0, n ? n : 1);
	return p;
}

char *cg_strndup(cg_ctx *c, const char *s, size_t n)
{
	char *p = cg_alloc(c, n + 1);

	if (p && n)
		memcpy(p, s, n);
	return p;
}

bool cg_grow(cg_ctx *c, void **arr, size_t *cap, size_t n, size_t size)
{
	size_t ncap;
	void *p;

	if (n < *cap)
		return true;
	ncap = *cap ? *cap * 2 : 1; /* most lists hold one item */
	while (ncap <= n)
		ncap *= 2;
	if (ncap > ((size_t)-1) / size) {
		c->oom = true;
		return false;
	}
	p = cg_alloc(c, ncap * size);
	if (!p)
		return false;
	if (*cap)
		memcpy(p, *arr, *cap * size);
	*arr = p;
	*cap = ncap;
	return true;
}

bool cg_eq(cg_str s, const char *lit)
{
	size_t n = strlen(lit);

	return s.n == n && memcmp(s.p, lit, n) == 0;
}

const char *cg_show(cg_ctx *c, cg_str s)
{
	corm_buf b = CORM_BUF_INIT;
	size_t i, n = s.n > 40 ? 40 : s.n;
	char *out;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s.p[i];

		if (ch >= 0x20 && ch < 0x7f)
			corm_buf_putc(&b, (char)ch);
		else
			corm_buf_printf(&b, "\\x%02x", ch);
	}
	if (n < s.n)
		corm_buf_puts(&b, "...");
	out = cg_strndup(c, corm_buf_cstr(&b), b.len);
	if (corm_buf_error(&b))
		c->oom = true;
	corm_buf_free(&b);
	return out ? out : "";
}

/* ------------------------------------------------------ recording diagnostics */

void corm_diags_free(corm_diags *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->count; i++)
		corm_free(d->items[i].msg);
	corm_free(d->items);
	d->items = NULL;
	d->count = d->cap = d->nerrors = d->nwarnings = 0;
}

/* Append one diagnostic; false on no memory. */
static bool diags_push(cg_ctx *c, corm_diag_level level, corm_loc loc,
	int len, const char *fmt, va_list ap)
{
	corm_diags *d = c->diags;
	corm_buf b = CORM_BUF_INIT;
	char *msg;

	if (d->count == d->cap) {
		corm_diag *p = corm__grow(d->items, &d->cap, d->count + 1,
			sizeof(*p));

		if (!p) {
			c->oom = true;
			return false;
		}
		d->items = p;
	}
	corm_buf_vprintf(&b, fmt, ap);
	msg = corm_buf_detach(&b);
	if (!msg) {
		c->oom = true;
		return false;
	}
	d->items[d->count].level = level;
	d->items[d->count].loc = loc;
	d->items[d->count].len = loc.line > 0 && len < 1 ? 1 : len;
	d->items[d->count].msg = msg;
	d->count++;
	if (level == CORM_DIAG_ERROR)
		d->nerrors++;
	else if (level == CORM_DIAG_WARNING)
		d->nwarnings++;
	return true;
}

static void push_fixed(cg_ctx *c, corm_diag_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diags_push(c, level, (corm_loc){0, 0}, 0, fmt, ap);
	va_end(ap);
}

void cg_error(cg_ctx *c, corm_loc loc, int len, const char *fmt, ...)
{
	va_list ap;

	if (c->stop || c->oom) {
		c->drop_notes = true;
		return;
	}
	if (c->diags->nerrors >= CORM_DIAG_MAX_ERRORS) {
		push_fixed(c, CORM_DIAG_ERROR,
			"too many errors emitted, stopping now");
		/* Like a compiler's summary: only the real errors count. */
		if (c->diags->nerrors > CORM_DIAG_MAX_ERRORS)
			c->diags->nerrors--;
		c->stop = true;
		c->drop_notes = true;
		return;
	}
	c->drop_notes = false;
	va_start(ap, fmt);
	diags_push(c, CORM_DIAG_ERROR, loc, len, fmt, ap);
	va_end(ap);
}

void cg_warning(cg_ctx *c, corm_loc loc, int len, const char *fmt, ...)
{
	va_list ap;

	if (c->stop || c->oom || c->diags->nwarnings >= CORM_DIAG_MAX_ERRORS) {
		c->drop_notes = true;
		return;
	}
	c->drop_notes = false;
	va_start(ap, fmt);
	diags_push(c, CORM_DIAG_WARNING, loc, len, fmt, ap);
	va_end(ap);
}

void cg_note(cg_ctx *c, corm_loc loc, int len, const char *fmt, ...)
{
	va_list ap;

	if (c->stop || c->oom || c->drop_notes)
		return;
	va_start(ap, fmt);
	diags_push(c, CORM_DIAG_NOTE, loc, len, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------------ sorting */

typedef struct diag_unit {
	size_t start, end; /* items[start..end): a diagnostic and its notes */
	long line;         /* sort key; diagnostics without a place go last */
	int col;
} diag_unit;

static bool unit_before(const diag_unit *x, const diag_unit *y)
{
	return x->line < y->line || (x->line == y->line && x->col < y->col);
}

void cg_diags_sort(corm_diags *d)
{
	diag_unit *units;
	corm_diag *sorted;
	size_t i, n = 0, k = 0;

	if (d->count < 2)
		return;
	units = corm_malloc(d->count * sizeof(*units));
	sorted = corm_malloc(d->count * sizeof(*sorted));
	if (!units || !sorted)
		goto done; /* unsorted is still correct, only less tidy */
	for (i = 0; i < d->count; i++) {
		const corm_diag *g = &d->items[i];

		if (g->level == CORM_DIAG_NOTE && n > 0) {
			units[n - 1].end = i + 1;
			continue;
		}
		units[n].start = i;
		units[n].end = i + 1;
		units[n].line = g->loc.line > 0 ? g->loc.line : (long)1 << 40;
		units[n].col = g->loc.col;
		n++;
	}
	/* Insertion sort: stable, and there are at most a few hundred. */
	for (i = 1; i < n; i++) {
		diag_unit u = units[i];
		size_t j = i;

		while (j > 0 && unit_before(&u, &units[j - 1])) {
			units[j] = units[j - 1];
			j--;
		}
		units[j] = u;
	}
	for (i = 0; i < n; i++) {
		size_t j;

		for (j = units[i].start; j < units[i].end; j++)
			sorted[k++] = d->items[j];
	}
	memcpy(d->items, sorted, d->count * sizeof(*sorted));
done:
	corm_free(units);
	corm_free(sorted);
}

/* ---------------------------------------------------------------- rendering */

/* Append line bytes [from, to) with control and invalid bytes as '?';
 * then the caret line for byte `at` (underlining `len` bytes). */
static void render_excerpt(corm_buf *out, const char *line, size_t linelen,
	size_t at, size_t len)
{
	const unsigned char *s = (const unsigned char *)line;
	size_t from = 0, to = linelen, i;
	bool cut_left = false, cut_right = false;

	if (at > 60) {
		from = at - 60;
		while (from < at && (s[from] & 0xc0) == 0x80)
			from++;
		cut_left = true;
	}
	if (to - from > 160) {
		to = from + 160;
		while (to > at + 1 && to < linelen && (s[to] & 0xc0) == 0x80)
			to--;
		cut_right = true;
	}
	if (cut_left)
		corm_buf_puts(out, "...");
	for (i = from; i < to;) {
		size_t n = corm__utf8_next(s + i, to - i, NULL);

		if (s[i] == '\t')
			corm_buf_putc(out, '\t');
		else if (n == 1 && (s[i] < 0x20 || s[i] == 0x7f))
			corm_buf_putc(out, '?');
		else if (n == 0)
			corm_buf_putc(out, '?');
		else
			corm_buf_put(out, s + i, n);
		i += n ? n : 1;
	}
	if (cut_right)
		corm_buf_puts(out, "...");
	corm_buf_putc(out, '\n');

	if (cut_left)
		corm_buf_puts(out, "   ");
	for (i = from; i < at && i < to;) {
		size_t n = corm__utf8_next(s + i, to - i, NULL);

		corm_buf_putc(out, s[i] == '\t' ? '\t' : ' ');
		i += n ? n : 1;
	}
	corm_buf_putc(out, '^');
	for (i = at + 1; i < at + len && i < to; i++)
		if ((s[i] & 0xc0) != 0x80)
			corm_buf_putc(out, '~');
	corm_buf_putc(out, '\n');
}

int corm_diags_render(corm_buf *out, const corm_diags *d,
	const char *filename, const char *src, size_t len)
{
	static const char *const level_names[] = {"error", "warning", "note"};
	size_t i, cur_line = 1, cur_off = 0;

	if (!filename)
		filename = "<input>";
	for (i = 0; i < d->count; i++) {
		const corm_diag *g = &d->items[i];
		size_t line_end;

		if (g->loc.line <= 0) {
			corm_buf_printf(out, "%s: %s: %s\n", filename,
				level_names[g->level], g->msg);
			continue;
		}
		corm_buf_printf(out, "%s:%d:%d: %s: %s\n", filename, g->loc.line,
			g->loc.col, level_names[g->level], g->msg);
		if (!src)
			continue;
		/* Find the line, scanning forward from the last one found. */
		if ((size_t)g->loc.line < cur_line) {
			cur_line = 1;
			cur_off = 0;
		}
		while (cur_line < (size_t)g->loc.line && cur_off < len) {
			const char *nl = memchr(src + cur_off, '\n', len - cur_off);

			if (!nl) {
				cur_off = len;
				break;
			}
			cur_off = (size_t)(nl - src) + 1;
			cur_line++;
		}
		if (cur_line != (size_t)g->loc.line)
			continue;
		{
			const char *nl = memchr(src + cur_off, '\n', len - cur_off);
			size_t at = (size_t)(g->loc.col - 1), from = cur_off;

			/* Columns on line 1 count from after a byte order mark. */
			if (from == 0 && len >= 3 && memcmp(src, "\xef\xbb\xbf", 3) == 0)
				from = 3;
			line_end = nl ? (size_t)(nl - src) : len;
			if (line_end > from && src[line_end - 1] == '\r')
				line_end--;
			if (line_end < from)
				line_end = from;
			if (at > line_end - from)
				at = line_end - from;
			render_excerpt(out, src + from, line_end - from, at,
				(size_t)(g->len > 0 ? g->len : 1));
		}
	}
	if (d->nwarnings && d->nerrors)
		corm_buf_printf(out, "%zu warning%s and %zu error%s generated.\n",
			d->nwarnings, d->nwarnings == 1 ? "" : "s", d->nerrors,
			d->nerrors == 1 ? "" : "s");
	else if (d->nerrors)
		corm_buf_printf(out, "%zu error%s generated.\n", d->nerrors,
			d->nerrors == 1 ? "" : "s");
	else if (d->nwarnings)
		corm_buf_printf(out, "%zu warning%s generated.\n", d->nwarnings,
			d->nwarnings == 1 ? "" : "s");
	return corm_buf_error(out);
}

/* ------------------------------------------------------------- suggestions */

#define SUGGEST_MAX 64

/* Optimal string alignment distance (a transposition costs 1), ASCII
 * case folded; both lengths <= SUGGEST_MAX. */
static size_t edit_distance(const char *a, size_t na, const char *b,
	size_t nb)
{
	size_t d[SUGGEST_MAX + 1][SUGGEST_MAX + 1];
	size_t i, j;

	for (i = 0; i <= na; i++)
		d[i][0] = i;
	for (j = 0; j <= nb; j++)
		d[0][j] = j;
	for (i = 1; i <= na; i++) {
		for (j = 1; j <= nb; j++) {
			int ca = tolower((unsigned char)a[i - 1]);
			int cb = tolower((unsigned char)b[j - 1]);
			size_t cost = ca != cb;
			size_t best = d[i - 1][j] + 1;

			if (d[i][j - 1] + 1 < best)
				best = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < best)
				best = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 &&
				ca == tolower((unsigned char)b[j - 2]) &&
				tolower((unsigned char)a[i - 2]) == cb &&
				d[i - 2][j - 2] + 1 < best)
				best = d[i - 2][j - 2] + 1;
			d[i][j] = best;
		}
	}
	return d[na][nb];
}

const char *cg_suggest(cg_str word, const char *const *cands, size_t ncands)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1, limit, i;

	if (word.n == 0 || word.n > SUGGEST_MAX)
		return NULL;
	limit = word.n / 3 < 1 ? 1 : word.n / 3;
	for (i = 0; i < ncands; i++) {
		size_t n = strlen(cands[i]), dist;

		if (n > SUGGEST_MAX || cg_eq(word, cands[i]))
			continue;
		if (n > word.n + limit || word.n > n + limit)
			continue;
		dist = edit_distance(word.p, word.n, cands[i], n);
		if (dist <= limit && dist < best_d) {
			best = cands[i];
			best_d = dist;
		}
	}
	return best;
}

/* ------------------------------------------------------------------ hash map */

typedef struct cg_map_slot {
	const char *key; /* NULL: empty */
	size_t n;
	size_t val;
} cg_map_slot;

static size_t map_hash(const cg_map *m, cg_str k)
{
	size_t h = 1469598103934665603u, i;

	for (i = 0; i < k.n; i++) {
		unsigned char ch = (unsigned char)k.p[i];

		if (m->nocase)
			ch = (unsigned char)tolower(ch);
		h = (h ^ ch) * 1099511628211u;
	}
	return h;
}

static bool map_keq(const cg_map *m, const cg_map_slot *s, cg_str k)
{
	size_t i;

	if (s->n != k.n)
		return false;
	if (!m->nocase)
		return memcmp(s->key, k.p, k.n) == 0;
	for (i = 0; i < k.n; i++)
		if (tolower((unsigned char)s->key[i]) !=
			tolower((unsigned char)k.p[i]))
			return false;
	return true;
}

static cg_map_slot *map_find(const cg_map *m, cg_str k)
{
	size_t i = map_hash(m, k) & (m->cap - 1);

	for (;;) {
		cg_map_slot *s = &m->slots[i];

		if (!s->key || map_keq(m, s, k))
			return s;
		i = (i + 1) & (m->cap - 1);
	}
}

int cg_map_put(cg_map *m, cg_str key, size_t val, size_t *old)
{
	cg_map_slot *s;

	if ((m->count + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 16, i;
		cg_map big = {NULL, ncap, 0, m->nocase};

		big.slots = corm_calloc(ncap, sizeof(*big.slots));
		if (!big.slots)
			return -1;
		for (i = 0; i < m->cap; i++) {
			if (m->slots[i].key) {
				cg_map_slot *t = map_find(&big,
					(cg_str){m->slots[i].key, m->slots[i].n});
				*t = m->slots[i];
			}
		}
		corm_free(m->slots);
		m->slots = big.slots;
		m->cap = ncap;
	}
	s = map_find(m, key);
	if (s->key) {
		if (old)
			*old = s->val;
		return 1;
	}
	s->key = key.p ? key.p : "";
	s->n = key.n;
	s->val = val;
	m->count++;
	return 0;
}

bool cg_map_get(const cg_map *m, cg_str key, size_t *val)
{
	cg_map_slot *s;

	if (!m->cap)
		return false;
	s = map_find(m, key);
	if (!s->key)
		return false;
	*val = s->val;
	return true;
}

void cg_map_free(cg_map *m)
{
	corm_free(m->slots);
	m->slots = NULL;
	m->cap = m->count = 0;
}
