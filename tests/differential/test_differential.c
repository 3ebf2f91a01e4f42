/*
 * test_differential.c — seeded random data and seeded random queries
 * through the typed builders of diff.corm, run on SQLite, PostgreSQL and
 * MySQL/MariaDB at once; each result is compared with a brute-force answer
 * computed in C over the same rows (values.h says what "equal" means per
 * type). A mismatch prints the seed, the query number, its SQL and a short
 * diff, and the run goes on, counting mismatches per category; any
 * mismatch fails the test. See README.md in this directory.
 *
 *   CORM_DIFF_SEED     the seed (default: the time); printed first
 *   CORM_DIFF_QUERIES  random queries per run (default 2000)
 *   CORM_DIFF_VERBOSE  details printed for this many mismatches (default 40)
 *
 * Sections: engines and bookkeeping, data, predicates (generate, evaluate,
 * build), select queries, counts, aggregates, relations, large IN lists,
 * main.
 */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diff.h"
#include "engine.h"
#include "tables.h"
#include "values.h"

/* --------------------------------------------- engines and bookkeeping */

#define NENGINES 3
static const char *const engine_names[NENGINES] = {"sqlite", "postgres",
	"mysql"};

static struct engine {
	test_engine te;
	corm_conn *db;
} engines[NENGINES];
static int nengines;

static uint64_t seed, rng_state;
static long qno;             /* the current query's number */
static long verbose_left = 40;

static uint64_t rnd(void)
{
	/* splitmix64: small, and the same sequence everywhere */
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* 0 .. n-1 */
static int rnd_below(int n)
{
	return (int)(rnd() % (uint64_t)n);
}

static bool chance(int percent)
{
	return rnd_below(100) < percent;
}

/* Mismatches per category ("where[decimal] sqlite: ..."). */
static struct category {
	char name[96];
	long count;
	long first_query;
} categories[256];
static int ncategories;
static long nmismatches, nqueries_run;

static void count_mismatch(const char *name)
{
	int i;

	nmismatches++;
	for (i = 0; i < ncategories; i++)
		if (strcmp(categories[i].name, name) == 0) {
			categories[i].count++;
			return;
		}
	if (ncategories == (int)(sizeof(categories) / sizeof(categories[0])))
		i = ncategories - 1;
	else
		i = ncategories++;
	snprintf(categories[i].name, sizeof(categories[i].name), "%s", name);
	categories[i].count = 1;
	categories[i].first_query = qno;
}

/* Record a mismatch of engine `e` in category "<kind> <engine>", with the
 * query's SQL and a diff (printf format) while details are still wanted. */
static void mismatch(const char *kind, int e, const char *sql,
	const char *fmt, ...)
{
	char name[96];
	va_list ap;

	snprintf(name, sizeof(name), "%-34s %s", kind, engine_names[e]);
	count_mismatch(name);
	if (verbose_left <= 0)
		return;
	verbose_left--;
	if (!sql)
		sql = "(none)";
	printf("MISMATCH seed %" PRIu64 " query %ld [%s] on %s\n  sql: %.*s%s\n  ",
		seed, qno, kind, engine_names[e], 600, sql,
		strlen(sql) > 600 ? "..." : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

/* Memory for one query's predicates and values, freed after it. */
static void **qmem;
static size_t nqmem, capqmem;

static void *qalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		fprintf(stderr, "out of memory\n");
		exit(1);
	}
	if (nqmem == capqmem) {
		capqmem = capqmem ? capqmem * 2 : 256;
		qmem = realloc(qmem, capqmem * sizeof(*qmem));
		if (!qmem)
			exit(1);
	}
	qmem[nqmem++] = p;
	return p;
}

static void qfree_all(void)
{
	while (nqmem)
		free(qmem[--nqmem]);
}

/* Strings of the data, freed at exit. */
static char **strs;
static size_t nstrs, capstrs;

static corm_str keep_str(const char *s, size_t len)
{
	char *p = malloc(len + 1);

	if (!p)
		exit(1);
	memcpy(p, s, len);
	p[len] = '\0';
	if (nstrs == capstrs) {
		capstrs = capstrs ? capstrs * 2 : 1024;
		strs = realloc(strs, capstrs * sizeof(*strs));
		if (!strs)
			exit(1);
	}
	strs[nstrs++] = p;
	return (corm_str){p, len};
}

/* -------------------------------------------------------------------- data */

enum { M_OWNER, M_ITEM };
static const corm_model_desc *const models[2] = {&owner_desc, &item_desc};

#define NOWNERS 250
#define NITEMS 2000

static owner owners[NOWNERS];
static item items[NITEMS];

static const void *row_at(int model, size_t i)
{
	return model == M_OWNER ? (const void *)&owners[i]
		: (const void *)&items[i];
}

static size_t nrows(int model)
{
	return model == M_OWNER ? NOWNERS : NITEMS;
}

/* Pieces of text: trailing blanks and tabs, 4-byte UTF-8, combining
 * marks, the pattern characters of LIKE, GLOB and corm's escape. */
static const char *const pieces[] = {
	"", "x", "x ", "x\t", "pad", "pad\t", "pad ", " x", "X", "a", "ab",
	"abc", "b", "\xc3\xa9", "e\xcc\x81", "\xf0\x9f\x98\x80", "z", "%", "_",
	"!", "*", "?", "[x]", "a%b", "a_b", "na\xc3\xafve ", "\xc3\xbf", "  ",
	"\xf0\x9f\x8e\x89\xf0\x9f\x98\x80", "Z\t ", "pa",
};
#define NPIECES ((int)(sizeof(pieces) / sizeof(pieces[0])))

/* Characters (code points) in UTF-8 text. */
static size_t count_chars(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

/* Text of at most MAX_TEXT_CHARS characters: the schema's string(20). */
#define MAX_TEXT_CHARS 20

static corm_str gen_text(void)
{
	char buf[128];
	size_t len = 0, chars = 0;
	int n = rnd_below(4), i;

	if (chance(40)) {
		const char *p = pieces[rnd_below(NPIECES)];

		return keep_str(p, strlen(p));
	}
	for (i = 0; i <= n; i++) {
		const char *p = pieces[rnd_below(NPIECES)];
		size_t k = strlen(p), c = count_chars(p, k);

		if (chars + c > MAX_TEXT_CHARS)
			break;
		memcpy(buf + len, p, k);
		len += k;
		chars += c;
	}
	return keep_str(buf, len);
}

static const char *const json_docs[] = {
	"{\"a\": 1}", "[1, 2]", "\"s\"", "3", "null", "{\"k\": \"\xf0\x9f\x98\x80\"}",
	"[]", "{}", "true",
};

/* Decimal text with `ip` integer digits at most and exactly `s` fraction
 * digits; sometimes negative. */
static corm_str gen_decimal(int ip, int s)
{
	static const char *const big_prefix[] = {"12345678901234567890",
		"99999999999999999999", "10000000000000000000"};
	static const char *const small[] = {"9.99", "10.00", "100.50", "9.90",
		"-0.01", "0.00", "999999999999.99", "-999999999999.99", "1.00"};
	char buf[64];
	size_t k = 0;
	int i, n;

	if (s == 2 && chance(20)) {
		const char *v = small[rnd_below((int)(sizeof(small) /
			sizeof(small[0])))];

		return keep_str(v, strlen(v));
	}
	if (chance(50))
		buf[k++] = '-';
	if (s == 10 && chance(40)) {
		/* shares its first 20 digits with others: differs past ~16 */
		const char *p = big_prefix[rnd_below(3)];

		memcpy(buf + k, p, strlen(p));
		k += strlen(p);
	} else {
		n = rnd_below(ip + 1);
		buf[k++] = (char)('1' + rnd_below(9));
		for (i = 1; i < n; i++)
			buf[k++] = (char)('0' + rnd_below(10));
		if (n == 0)
			buf[k - 1] = '0';
	}
	buf[k++] = '.';
	for (i = 0; i < s; i++)
		buf[k++] = (char)('0' + rnd_below(10));
	if (buf[0] == '-' && strspn(buf + 1, "0.") == k - 1)
		memmove(buf, buf + 1, --k); /* no "-0.00" */
	return keep_str(buf, k);
}

static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era, yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static corm_date gen_date(void)
{
	corm_date d;

	d.year = (int16_t)(chance(20) ? 1970 + rnd_below(3) : 1 + rnd_below(9999));
	d.month = (uint8_t)(1 + rnd_below(12));
	d.day = (uint8_t)(1 + rnd_below(28));
	return d;
}

static corm_time gen_time(void)
{
	corm_time t;

	t.hour = (uint8_t)rnd_below(24);
	t.minute = (uint8_t)rnd_below(60);
	t.second = (uint8_t)rnd_below(60);
	t.usec = chance(30) ? 0 : (uint32_t)rnd_below(1000000);
	return t;
}

/* A wall-clock time at a random UTC offset (-14:00 .. +14:00), converted
 * to the instant; years 2 .. 9998 so every offset stays in range. */
static corm_timestamp gen_timestamp(void)
{
	corm_date d = gen_date();
	corm_time t = gen_time();
	int64_t offset_min = rnd_below(14 * 60 * 2 + 1) - 14 * 60;
	corm_timestamp ts;

	if (d.year < 2)
		d.year = 2;
	if (d.year > 9998)
		d.year = 9998;
	ts.usec = ((days_from_civil(d.year, d.month, d.day) * 86400 +
		t.hour * 3600 + t.minute * 60 + t.second - offset_min * 60) *
		(int64_t)1000000) + t.usec;
	return ts;
}

static int64_t gen_int(int bits, bool near_2_60)
{
	int64_t max = bits == 64 ? INT64_MAX : ((int64_t)1 << (bits - 1)) - 1;
	int64_t min = -max - 1;

	if (near_2_60)
		return ((int64_t)1 << 60) + rnd_below(2001) - 1000;
	switch (rnd_below(6)) {
	case 0: return chance(50) ? max : min;
	case 1: return rnd_below(21) - 10;
	case 2: return chance(50) ? max - rnd_below(3) : min + rnd_below(3);
	default: return (int64_t)(rnd() % ((uint64_t)max + 1)) *
		(chance(50) ? 1 : -1);
	}
}

static double gen_f64(void)
{
	static const double pool[] = {0.1, 0.5, -1.25, 1e150, -1e-300,
		3.141592653589793, 9007199254740993.0, 123456789.123456789, 2.0,
		5e-324, -2.2250738585072014e-308};
	uint64_t bits;
	double d;

	if (chance(50))
		return pool[rnd_below((int)(sizeof(pool) / sizeof(pool[0])))];
	do {
		bits = rnd();
		memcpy(&d, &bits, sizeof(d));
	} while (!isfinite(d) || d == 0 || fabs(d) > 1e150);
	/* |d| <= 1e150: sums stay finite, and so do the squares PostgreSQL's
	 * AVG(float8) adds up (it fails with 22003 past ~1e154) */
	return d;
}

/* A random non-NULL value of field f, written at `out` (a C value). */
static void gen_value(int model, int f, void *out)
{
	const corm_field_desc *fd = &models[model]->fields[f];

	switch (fd->ctype) {
	case CORM_C_I16: *(int16_t *)out = (int16_t)gen_int(16, false); break;
	case CORM_C_I32: *(int32_t *)out = (int32_t)gen_int(32, false); break;
	case CORM_C_I64:
		if (strcmp(fd->name, "owner_id") == 0)
			*(int64_t *)out = 1 + rnd_below(NOWNERS);
		else
			*(int64_t *)out = gen_int(64, !(fd->flags & CORM_FIELD_NULLABLE));
		break;
	case CORM_C_F32:
		*(float *)out = (float)ldexp(rnd_below(2001) - 1000, -rnd_below(9));
		if (*(float *)out == 0)
			*(float *)out = 0.25f; /* no -0.0: engines fold it into 0 */
		break;
	case CORM_C_F64: *(double *)out = gen_f64(); break;
	case CORM_C_BOOL: *(bool *)out = chance(50); break;
	case CORM_C_STR:
		if (fd->coltype == CORM_COL_DECIMAL)
			*(corm_str *)out = strcmp(fd->name, "big") == 0
				? gen_decimal(20, 10) : gen_decimal(12, 2);
		else if (fd->coltype == CORM_COL_JSON) {
			const char *j = json_docs[rnd_below(9)];

			*(corm_str *)out = keep_str(j, strlen(j));
		}
		else
			*(corm_str *)out = gen_text();
		break;
	case CORM_C_DATE: *(corm_date *)out = gen_date(); break;
	case CORM_C_TIME: *(corm_time *)out = gen_time(); break;
	case CORM_C_TIMESTAMP: *(corm_timestamp *)out = gen_timestamp(); break;
	case CORM_C_UUID: {
		corm_uuid *u = out;
		uint64_t a = chance(30) ? (uint64_t)rnd_below(5) : rnd(), b = rnd();

		if (a < 5)
			b = a; /* a few uuids repeat */
		memcpy(u->bytes, &a, 8);
		memcpy(u->bytes + 8, &b, 8);
		break;
	}
	case CORM_C_ENUM: *(int *)out = rnd_below(fd->enum_desc->nmembers);
		break;
	case CORM_C_BYTES: break;
	}
}

static void set_null(const corm_model_desc *m, int f, void *row, bool null)
{
	const corm_field_desc *fd = &m->fields[f];

	if (fd->has_offset != CORM_NO_HAS)
		*(bool *)((char *)row + fd->has_offset) = !null;
	else if (null)
		*(corm_str *)((char *)row + fd->offset) = (corm_str){NULL, 0};
}

static void gen_row(int model, void *row, int64_t id)
{
	const corm_model_desc *m = models[model];
	int f;

	memset(row, 0, m->size);
	*(int64_t *)row = id;
	for (f = 1; f < m->nfields; f++) {
		bool null = (m->fields[f].flags & CORM_FIELD_NULLABLE) && chance(15);

		gen_value(model, f, (char *)row + m->fields[f].offset);
		set_null(m, f, row, null);
	}
}

static int load_data(void)
{
	int e, error;
	size_t i;

	for (i = 0; i < NOWNERS; i++)
		gen_row(M_OWNER, &owners[i], (int64_t)i + 1);
	for (i = 0; i < NITEMS; i++)
		gen_row(M_ITEM, &items[i], (int64_t)i + 1);
	for (e = 0; e < NENGINES; e++) {
		corm_conn *db = engines[e].db;

		if (!db)
			continue;
		if ((error = test_create_tables(db, "../differential/diff.corm"))
			!= CORM_OK)
			return error;
		if ((error = owner_insert_many(db, owners, NOWNERS)) != CORM_OK ||
			(error = item_insert_many(db, items, NITEMS)) != CORM_OK) {
			fprintf(stderr, "loading the rows on %s: %s: %s\n",
				engine_names[e], corm_strerror(error), corm_errmsg(db));
			return error;
		}
	}
	return CORM_OK;
}

/* Items of each owner (indexes into items[]), for brute-force has-many. */
static size_t *children_of[NOWNERS], nchildren[NOWNERS];

static void index_children(void)
{
	size_t i, o;

	for (i = 0; i < NITEMS; i++)
		if (items[i].has_owner_id)
			nchildren[items[i].owner_id - 1]++;
	for (o = 0; o < NOWNERS; o++) {
		children_of[o] = calloc(nchildren[o] + 1, sizeof(size_t));
		if (!children_of[o])
			exit(1);
		nchildren[o] = 0;
	}
	for (i = 0; i < NITEMS; i++)
		if (items[i].has_owner_id) {
			o = (size_t)items[i].owner_id - 1;
			children_of[o][nchildren[o]++] = i;
		}
}

/* -------------------------------------------------------------- predicates */

/* The types a query touches, for its mismatch category. */
static const char *const type_names[] = {"i16", "i32", "i64", "f32", "f64",
	"bool", "string", "text", "dec(14,2)", "dec(30,10)", "date", "time",
	"timestamp", "uuid", "json", "enum", "rel"};
#define T_REL 16
static unsigned qtypes;

static int type_of(int model, int f)
{
	const corm_field_desc *fd = &models[model]->fields[f];

	switch (fd->ctype) {
	case CORM_C_I16: return 0;
	case CORM_C_I32: return 1;
	case CORM_C_I64: return 2;
	case CORM_C_F32: return 3;
	case CORM_C_F64: return 4;
	case CORM_C_BOOL: return 5;
	case CORM_C_DATE: return 10;
	case CORM_C_TIME: return 11;
	case CORM_C_TIMESTAMP: return 12;
	case CORM_C_UUID: return 13;
	case CORM_C_ENUM: return 15;
	default: break;
	}
	switch (fd->coltype) {
	case CORM_COL_STRING: return 6;
	case CORM_COL_DECIMAL: return strcmp(fd->name, "big") == 0 ? 9 : 8;
	case CORM_COL_JSON: return 14;
	default: return 7;
	}
}

/* "kind[type,type]" for the current query. */
static const char *category(const char *kind)
{
	static char buf[96];
	size_t k;
	int t;

	k = (size_t)snprintf(buf, sizeof(buf), "%s[", kind);
	for (t = 0; t <= T_REL; t++)
		if (qtypes & (1u << t) && k < sizeof(buf))
			k += (size_t)snprintf(buf + k, sizeof(buf) - k, "%s%s",
				buf[k - 1] == '[' ? "" : ",", type_names[t]);
	if (k < sizeof(buf))
		snprintf(buf + k, sizeof(buf) - k, "]");
	return buf;
}

typedef union cval {
	int16_t i16;
	int32_t i32;
	int64_t i64;
	float f4;
	double f8;
	bool b;
	int e;
	corm_str s;
	corm_date d;
	corm_time t;
	corm_timestamp ts;
	corm_uuid u;
} cval;

typedef enum pkind {
	P_CMP, P_BETWEEN, P_IN, P_ISNULL, P_MATCH, P_AND, P_OR, P_NOT, P_REL
} pkind;

/* A predicate, kept so it can be both built through the typed builders
 * and evaluated in C. */
typedef struct pnode {
	pkind kind;
	int field;
	corm_cmp op;
	corm_match how;
	bool is_null;
	cval v[2];
	void *list;       /* P_IN: n C values of the field */
	size_t n;
	bool sorted;      /* P_IN: list in value_cmp order (binary search) */
	struct pnode *a, *b; /* AND/OR/NOT; P_REL: a, over the other model,
	                      * may be NULL (any related row) */
} pnode;

enum { PURPOSE_PRED, PURPOSE_ORDER, PURPOSE_MATCH };

static bool field_fits(int model, int f, int purpose)
{
	const corm_field_desc *fd = &models[model]->fields[f];

	if (fd->coltype == CORM_COL_JSON || fd->ctype == CORM_C_BYTES)
		return false;
	if (purpose == PURPOSE_MATCH)
		return fd->ctype == CORM_C_STR && (fd->coltype == CORM_COL_STRING ||
			fd->coltype == CORM_COL_TEXT);
	return true;
}

/* The query's theme: most leaves use a column of this type, so a
 * mismatch's category names the type that caused it. -1: any. */
static int theme;

static int pick_field(int model, int purpose)
{
	const corm_model_desc *m = models[model];
	int f, tries;

	for (tries = 0; tries < 200; tries++) {
		f = rnd_below(m->nfields);
		if (!field_fits(model, f, purpose))
			continue;
		if (theme >= 0 && tries < 150 && type_of(model, f) != theme)
			continue;
		qtypes |= 1u << type_of(model, f);
		return f;
	}
	f = purpose == PURPOSE_MATCH ? 11 + (model == M_ITEM) : 0;
	qtypes |= 1u << type_of(model, f);
	return f;
}

/* A value for a predicate on field f: mostly one the rows hold, so
 * comparisons hit; decimals sometimes without their trailing zeros. */
static void pick_value(int model, int f, cval *out)
{
	const corm_model_desc *m = models[model];
	const void *row = row_at(model, (size_t)rnd_below((int)nrows(model)));

	memset(out, 0, sizeof(*out));
	if (chance(70) && !field_is_null(m, f, row))
		memcpy(out, field_ptr(m, f, row), field_size(m, f));
	else
		gen_value(model, f, out);
	if (m->fields[f].coltype == CORM_COL_DECIMAL && chance(15)) {
		size_t len = out->s.len;

		while (len && out->s.ptr[len - 1] == '0')
			len--;
		if (len && out->s.ptr[len - 1] == '.')
			len--;
		out->s = keep_str(out->s.ptr, len);
	}
}

/* Text for a match on field f: part of a value the rows hold. */
static corm_str pick_match_text(int model, int f, corm_match how)
{
	cval v;
	char *buf;
	size_t start = 0, end, i, k = 0;

	pick_value(model, f, &v);
	end = v.s.len;
	/* whole code points only */
	if (end && how != CORM_MATCH_ENDS_WITH)
		end = (size_t)rnd_below((int)end + 1);
	while (end < v.s.len && ((unsigned char)v.s.ptr[end] & 0xc0) == 0x80)
		end++;
	if (end && how != CORM_MATCH_STARTS_WITH)
		start = (size_t)rnd_below((int)end + 1);
	while (start < end && ((unsigned char)v.s.ptr[start] & 0xc0) == 0x80)
		start++;
	buf = qalloc(4 * (end - start) + 4);
	if (how != CORM_MATCH_LIKE) {
		memcpy(buf, v.s.ptr + start, end - start);
		return (corm_str){buf, end - start};
	}
	if (chance(40))
		buf[k++] = '%';
	for (i = start; i < end; i++) {
		char c = v.s.ptr[i];

		if (((unsigned char)c & 0xc0) != 0x80 && chance(15)) {
			/* one code point becomes '_' */
			buf[k++] = '_';
			while (i + 1 < end && ((unsigned char)v.s.ptr[i + 1] & 0xc0)
				== 0x80)
				i++;
			continue;
		}
		if (c == '%' || c == '_' || c == '!')
			buf[k++] = '!';
		buf[k++] = c;
		if ((i + 1 == end || ((unsigned char)v.s.ptr[i + 1] & 0xc0) != 0x80)
			&& chance(5))
			buf[k++] = '%'; /* between code points only */
	}
	if (chance(50))
		buf[k++] = '%';
	return (corm_str){buf, k};
}

static pnode *gen_pred(int model, int depth, int rel_depth);

static pnode *gen_leaf(int model, int depth, int rel_depth)
{
	const corm_model_desc *m = models[model];
	pnode *p = qalloc(sizeof(*p));
	int r = rnd_below(100);
	size_t i, size;

	if (r < 8 && rel_depth > 0) {
		p->kind = P_REL;
		qtypes |= 1u << T_REL;
		if (chance(85))
			p->a = gen_pred(!model, depth > 0 ? depth - 1 : 0,
				rel_depth - 1);
		return p;
	}
	if (r < 25) {
		p->kind = P_MATCH;
		p->field = pick_field(model, PURPOSE_MATCH);
		p->how = (corm_match)rnd_below(4);
		p->v[0].s = pick_match_text(model, p->field, p->how);
		return p;
	}
	p->field = pick_field(model, PURPOSE_PRED);
	if (r < 35) {
		p->kind = P_ISNULL;
		p->is_null = chance(50);
	} else if (r < 47) {
		p->kind = P_BETWEEN;
		pick_value(model, p->field, &p->v[0]);
		pick_value(model, p->field, &p->v[1]);
	} else if (r < 62) {
		p->kind = P_IN;
		p->n = chance(5) ? 0 : (size_t)rnd_below(8) + 1;
		size = field_size(m, p->field);
		p->list = qalloc(size * (p->n + 1));
		for (i = 0; i < p->n; i++) {
			cval v;

			pick_value(model, p->field, &v);
			memcpy((char *)p->list + i * size, &v, size);
		}
	} else {
		p->kind = P_CMP;
		p->op = (corm_cmp)rnd_below(6);
		pick_value(model, p->field, &p->v[0]);
	}
	return p;
}

static pnode *gen_pred(int model, int depth, int rel_depth)
{
	pnode *p;

	if (depth <= 0 || chance(45))
		return gen_leaf(model, depth, rel_depth);
	p = qalloc(sizeof(*p));
	if (chance(15)) {
		p->kind = P_NOT;
		p->a = gen_pred(model, depth - 1, rel_depth);
		return p;
	}
	p->kind = chance(50) ? P_AND : P_OR;
	p->a = gen_pred(model, depth - 1, rel_depth);
	p->b = gen_pred(model, depth - 1, rel_depth);
	return p;
}

/* Three-valued logic: SQL's TRUE, FALSE and UNKNOWN (NULL). */
enum { F3 = 0, T3 = 1, U3 = 2 };

static int not3(int a)
{
	return a == U3 ? U3 : !a;
}

static int and3(int a, int b)
{
	return a == F3 || b == F3 ? F3 : a == U3 || b == U3 ? U3 : T3;
}

static int or3(int a, int b)
{
	return a == T3 || b == T3 ? T3 : a == U3 || b == U3 ? U3 : F3;
}

static int cmp_holds(corm_cmp op, int c)
{
	switch (op) {
	case CORM_CMP_EQ: return c == 0;
	case CORM_CMP_NE: return c != 0;
	case CORM_CMP_LT: return c < 0;
	case CORM_CMP_LE: return c <= 0;
	case CORM_CMP_GT: return c > 0;
	case CORM_CMP_GE: return c >= 0;
	}
	return 0;
}

static bool text_matches(corm_match how, corm_str s, corm_str t)
{
	size_t i;

	switch (how) {
	case CORM_MATCH_LIKE: return like_match(s.ptr, s.len, t.ptr, t.len);
	case CORM_MATCH_STARTS_WITH:
		return s.len >= t.len && memcmp(s.ptr, t.ptr, t.len) == 0;
	case CORM_MATCH_ENDS_WITH:
		return s.len >= t.len && memcmp(s.ptr + s.len - t.len, t.ptr,
			t.len) == 0;
	case CORM_MATCH_CONTAINS:
		for (i = 0; i + t.len <= s.len; i++)
			if (memcmp(s.ptr + i, t.ptr, t.len) == 0)
				return true;
		return false;
	}
	return false;
}

static int eval(int model, const pnode *p, const void *row);

static int eval_rel(int model, const pnode *p, const void *row)
{
	if (model == M_ITEM) {
		const item *it = row;

		if (!it->has_owner_id)
			return F3;
		return !p->a || eval(M_OWNER, p->a, &owners[it->owner_id - 1]) == T3;
	} else {
		const owner *o = row;
		size_t k, i = (size_t)o->id - 1;

		for (k = 0; k < nchildren[i]; k++)
			if (!p->a || eval(M_ITEM, p->a, &items[children_of[i][k]]) == T3)
				return T3;
		return F3;
	}
}

/* Binary search of v in a sorted IN list. */
static bool in_sorted(const corm_model_desc *m, const pnode *p, const void *v)
{
	size_t lo = 0, hi = p->n, size = field_size(m, p->field);

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = value_cmp(m, p->field, (const char *)p->list + mid * size, v);

		if (c == 0)
			return true;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static int eval(int model, const pnode *p, const void *row)
{
	const corm_model_desc *m = models[model];
	const void *v;
	size_t i, size;

	switch (p->kind) {
	case P_AND: return and3(eval(model, p->a, row), eval(model, p->b, row));
	case P_OR: return or3(eval(model, p->a, row), eval(model, p->b, row));
	case P_NOT: return not3(eval(model, p->a, row));
	case P_REL: return eval_rel(model, p, row);
	case P_ISNULL: return field_is_null(m, p->field, row) == p->is_null;
	default: break;
	}
	if (p->kind == P_IN && p->n == 0)
		return F3; /* documented: matches nothing */
	if (field_is_null(m, p->field, row))
		return U3;
	v = field_ptr(m, p->field, row);
	switch (p->kind) {
	case P_CMP: return cmp_holds(p->op, value_cmp(m, p->field, v, &p->v[0]));
	case P_BETWEEN:
		return value_cmp(m, p->field, v, &p->v[0]) >= 0 &&
			value_cmp(m, p->field, v, &p->v[1]) <= 0;
	case P_MATCH: return text_matches(p->how, *(const corm_str *)v, p->v[0].s);
	case P_IN:
		size = field_size(m, p->field);
		if (p->sorted)
			return in_sorted(m, p, v) ? T3 : F3;
		for (i = 0; i < p->n; i++)
			if (value_cmp(m, p->field, v, (char *)p->list + i * size) == 0)
				return T3;
		return F3;
	default: return U3;
	}
}

/* Building a pnode through the typed builders of model `m` (owner, item):
 * every leaf goes through the function of its column's C type. */
#define LEAF_OF(m, suffix, T)                                                \
	do {                                                                     \
		m##_##suffix##_col c_ = {p->field};                                  \
		if (p->kind == P_CMP)                                                \
			return m##_cmp_##suffix(q, c_, p->op, *(const T *)&p->v[0]);     \
		if (p->kind == P_BETWEEN)                                            \
			return m##_between_##suffix(q, c_, *(const T *)&p->v[0],         \
				*(const T *)&p->v[1]);                                       \
		return m##_in_##suffix(q, c_, (const T *)p->list, p->n);             \
	} while (0)

#define DEFINE_BUILD(m)                                                      \
	static m##_pred *m##_leaf(m##_query *q, const pnode *p)                  \
	{                                                                        \
		switch (m##_desc.fields[p->field].ctype) {                           \
		case CORM_C_I16: LEAF_OF(m, i16, int16_t);                           \
		case CORM_C_I32: LEAF_OF(m, i32, int32_t);                           \
		case CORM_C_I64: LEAF_OF(m, i64, int64_t);                           \
		case CORM_C_F32: LEAF_OF(m, f32, float);                             \
		case CORM_C_F64: LEAF_OF(m, f64, double);                            \
		case CORM_C_BOOL: LEAF_OF(m, bool, bool);                            \
		case CORM_C_STR:                                                     \
			if (m##_desc.fields[p->field].coltype == CORM_COL_DECIMAL)       \
				LEAF_OF(m, decimal, corm_str);                               \
			LEAF_OF(m, str, corm_str);                                       \
		case CORM_C_DATE: LEAF_OF(m, date, corm_date);                       \
		case CORM_C_TIME: LEAF_OF(m, time, corm_time);                       \
		case CORM_C_TIMESTAMP: LEAF_OF(m, timestamp, corm_timestamp);        \
		case CORM_C_UUID: LEAF_OF(m, uuid, corm_uuid);                       \
		case CORM_C_ENUM: LEAF_OF(m, hue, hue);                              \
		case CORM_C_BYTES: break;                                            \
		}                                                                    \
		return NULL;                                                         \
	}                                                                        \
	static m##_pred *m##_build(m##_query *q, const pnode *p)                 \
	{                                                                        \
		switch (p->kind) {                                                   \
		case P_AND: return m##_and(q, m##_build(q, p->a), m##_build(q, p->b)); \
		case P_OR: return m##_or(q, m##_build(q, p->a), m##_build(q, p->b)); \
		case P_NOT: return m##_not(q, m##_build(q, p->a));                   \
		case P_REL: return m##_rel(q, p);                                    \
		case P_ISNULL: return m##_is_null_(q, p->field, p->is_null);         \
		case P_MATCH: return m##_match_str(q, (m##_str_col){p->field},       \
			p->how, p->v[0].s);                                              \
		default: return m##_leaf(q, p);                                      \
		}                                                                    \
	}

static owner_pred *owner_build(owner_query *q, const pnode *p);
static item_pred *item_build(item_query *q, const pnode *p);

/* Items whose owner matches; owners with an item that matches. */
static item_pred *item_rel(item_query *q, const pnode *p)
{
	owner_query *sub = item_owner_filter(q);

	return item_owner_has(q, p->a ? owner_build(sub, p->a) : NULL);
}

static owner_pred *owner_rel(owner_query *q, const pnode *p)
{
	item_query *sub = owner_items_filter(q);

	return owner_items_any(q, p->a ? item_build(sub, p->a) : NULL);
}

DEFINE_BUILD(owner)
DEFINE_BUILD(item)

/* ---------------------------------------------------------- select queries */

#define MAXKEYS 5

/* A query's shape: what both the builders and the brute force apply. */
typedef struct spec {
	int model;
	pnode *where;
	pnode *filter_where; /* item only: where() on item_owner_filter(q) */
	int norder, ofield[MAXKEYS];
	unsigned oflags[MAXKEYS];
	bool distinct;
	int nsel, sel[MAXKEYS];
	int64_t limit, offset; /* -1: none */
} spec;

/* The hook DEFINE_PREPARE calls after the where: only items have one. */
static void owner_filter_where(owner_query *q, const spec *s)
{
	(void)q;
	(void)s;
}

static void item_filter_where(item_query *q, const spec *s)
{
	if (s->filter_where) {
		owner_query *sub = item_owner_filter(q);

		owner_where(sub, owner_build(sub, s->filter_where));
	}
}

#define DEFINE_PREPARE(m)                                                    \
	static int m##_prepare(m##_query **out, corm_conn *db, const spec *s)    \
	{                                                                        \
		m##_query *q = NULL;                                                 \
		int i, error = m##_query_new(&q, db);                                \
		if (error != CORM_OK)                                                \
			return error;                                                    \
		if (s->where)                                                        \
			m##_where(q, m##_build(q, s->where));                            \
		m##_filter_where(q, s);                                              \
		for (i = 0; i < s->nsel; i++)                                        \
			m##_select_(q, s->sel[i]);                                       \
		for (i = 0; i < s->norder; i++)                                      \
			m##_order_by_(q, s->ofield[i], s->oflags[i]);                    \
		if (s->distinct)                                                     \
			m##_distinct(q);                                                 \
		if (s->limit >= 0)                                                   \
			m##_limit(q, s->limit);                                          \
		if (s->offset >= 0)                                                  \
			m##_offset(q, s->offset);                                        \
		*out = q;                                                            \
		return CORM_OK;                                                      \
	}

DEFINE_PREPARE(owner)
DEFINE_PREPARE(item)

/* Rows one engine gave. */
typedef struct result {
	int error;
	char *sql;        /* in qalloc memory */
	const char *errmsg;
	owner_list owners;
	item_list items;
	const void *rows;
	size_t count;
} result;

static char *qstrdup(const char *s)
{
	char *p;

	if (!s)
		s = "(no SQL)";
	p = qalloc(strlen(s) + 1);
	memcpy(p, s, strlen(s) + 1);
	return p;
}

static char *errdup(corm_conn *db, int error)
{
	char buf[600];

	snprintf(buf, sizeof(buf), "%s: %s", corm_strerror(error),
		corm_errmsg(db));
	return qstrdup(buf);
}

static void run_select(result *r, int e, const spec *s)
{
	corm_conn *db = engines[e].db;

	memset(r, 0, sizeof(*r));
	if (s->model == M_ITEM) {
		item_query *q = NULL;

		if ((r->error = item_prepare(&q, db, s)) == CORM_OK) {
			r->sql = qstrdup(item_query_sql(q));
			r->error = item_query_all(&r->items, q);
		}
		r->rows = r->items.items;
		r->count = r->items.count;
		if (r->error)
			r->errmsg = errdup(db, r->error);
		item_query_free(q);
	} else {
		owner_query *q = NULL;

		if ((r->error = owner_prepare(&q, db, s)) == CORM_OK) {
			r->sql = qstrdup(owner_query_sql(q));
			r->error = owner_query_all(&r->owners, q);
		}
		r->rows = r->owners.items;
		r->count = r->owners.count;
		if (r->error)
			r->errmsg = errdup(db, r->error);
		owner_query_free(q);
	}
}

static void result_free(result *r)
{
	if (r->error)
		return;
	if (r->rows == (const void *)r->items.items)
		item_list_free(&r->items);
	else
		owner_list_free(&r->owners);
}

/* The order of rows under spec `sort_spec`: its keys, then the key (id). */
static const spec *sort_spec;

static int key_cmp(const void *ra, const void *rb, int f, unsigned flags)
{
	const corm_model_desc *m = models[sort_spec->model];
	bool desc = flags & CORM_DESC;
	bool nulls_first = flags & CORM_NULLS_FIRST ? true
		: flags & CORM_NULLS_LAST ? false : desc;
	bool na = field_is_null(m, f, ra), nb = field_is_null(m, f, rb);
	int c;

	if (na || nb)
		return na == nb ? 0 : (na == nulls_first ? -1 : 1);
	c = value_cmp(m, f, field_ptr(m, f, ra), field_ptr(m, f, rb));
	return desc ? -c : c;
}

static int row_order(const void *pa, const void *pb)
{
	const void *ra = *(const void *const *)pa, *rb = *(const void *const *)pb;
	int i, c;

	for (i = 0; i < sort_spec->norder; i++)
		if ((c = key_cmp(ra, rb, sort_spec->ofield[i], sort_spec->oflags[i])))
			return c;
	return key_cmp(ra, rb, 0, CORM_ASC);
}

/* Do two rows have the same selected fields (all when none selected)? */
static bool tuple_same(const spec *s, const void *ra, const void *rb,
	int *differing)
{
	const corm_model_desc *m = models[s->model];
	int i, n = s->nsel ? s->nsel : m->nfields;

	for (i = 0; i < n; i++) {
		int f = s->nsel ? s->sel[i] : i;

		if (!field_same(m, f, ra, rb)) {
			if (differing)
				*differing = f;
			return false;
		}
	}
	return true;
}

/* The brute-force answer: rows of s->model for which where is TRUE,
 * ordered, distinct, paged. `out` has room for every row. */
static size_t brute_select(const spec *s, const void **out)
{
	size_t i, n = 0, k, start, end;

	for (i = 0; i < nrows(s->model); i++) {
		const void *row = row_at(s->model, i);

		if (!s->where || eval(s->model, s->where, row) == T3)
			out[n++] = row;
	}
	sort_spec = s;
	qsort(out, n, sizeof(*out), row_order);
	if (s->distinct && s->nsel) {
		/* sorted on every selected field: equal tuples are adjacent */
		for (i = 0, k = 0; i < n; i++)
			if (k == 0 || !tuple_same(s, out[k - 1], out[i], NULL))
				out[k++] = out[i];
		n = k;
	}
	start = s->offset > 0 ? (size_t)s->offset : 0;
	if (start > n)
		start = n;
	end = s->limit >= 0 && start + (size_t)s->limit < n
		? start + (size_t)s->limit : n;
	memmove(out, out + start, (end - start) * sizeof(*out));
	return end - start;
}

static void format_tuple(char *buf, size_t cap, const spec *s, const void *row)
{
	const corm_model_desc *m = models[s->model];
	size_t k = 0;
	int i, n = s->nsel ? s->nsel : 1 + s->norder;

	buf[0] = '\0';
	for (i = 0; i < n && k + 8 < cap; i++) {
		int f = s->nsel ? s->sel[i] : i == 0 ? 0 : s->ofield[i - 1];
		char v[160];

		field_format(v, sizeof(v), m, f, row);
		k += (size_t)snprintf(buf + k, cap - k, "%s%s=%s", i ? " " : "",
			m->fields[f].name, v);
	}
}

/* Rows whose every field engine e has read right once: the rows never
 * change, so later reads of them compare the key only (most of the
 * run's time went to comparing the same values again). */
static bool verified[NENGINES][2][NITEMS + 1];

/* tuple_same, short for a whole row already verified on engine e. */
static bool row_same(int e, const spec *s, const void *want, const void *got,
	int *differing)
{
	int64_t id = *(const int64_t *)want;
	bool *v = &verified[e][s->model][id];

	if (s->nsel)
		return tuple_same(s, want, got, differing);
	if (*v) {
		*differing = 0;
		return id == *(const int64_t *)got;
	}
	return *v = tuple_same(s, want, got, differing);
}

/* Compare one engine's rows with the brute force's; true when equal. */
static bool compare_rows(const char *kind, int e, const spec *s,
	const result *r, const void **want, size_t nwant)
{
	const corm_model_desc *m = models[s->model];
	const void **got;
	size_t i, n = r->count < nwant ? r->count : nwant;
	char a[400], b[400];
	int f = 0;

	if (r->error) {
		mismatch(kind, e, r->sql, "error %s (expected %zu rows)", r->errmsg,
			nwant);
		return false;
	}
	got = qalloc((r->count + 1) * sizeof(*got));
	for (i = 0; i < r->count; i++)
		got[i] = (const char *)r->rows + i * m->size;
	if (s->norder == 0 && !s->nsel) {
		/* no ORDER BY: compare as sets, both sorted by key */
		sort_spec = s;
		qsort(got, r->count, sizeof(*got), row_order);
	}
	for (i = 0; i < n; i++)
		if (!row_same(e, s, want[i], got[i], &f))
			break;
	if (i == n && r->count == nwant)
		return true;
	if (i < n) {
		char va[200], vb[200];

		format_tuple(a, sizeof(a), s, want[i]);
		format_tuple(b, sizeof(b), s, got[i]);
		field_format(va, sizeof(va), m, f, want[i]);
		field_format(vb, sizeof(vb), m, f, got[i]);
		mismatch(kind, e, r->sql, "%zu rows (expected %zu); row %zu differs "
			"at %s (%s, expected %s):\n    want %s\n    got  %s", r->count,
			nwant, i, m->fields[f].name, vb, va, a, b);
	} else {
		format_tuple(a, sizeof(a), s, r->count > nwant ? got[n] : want[n]);
		mismatch(kind, e, r->sql, "%zu rows, expected %zu; first %s row: %s",
			r->count, nwant, r->count > nwant ? "extra" : "missing", a);
	}
	return false;
}

/* Run s on every engine and compare with the brute force. */
static void check_select(const char *kind, const spec *s)
{
	const void **want = qalloc(nrows(s->model) * sizeof(*want));
	size_t nwant = brute_select(s, want);
	int e;

	for (e = 0; e < NENGINES; e++) {
		result r;

		if (!engines[e].db)
			continue;
		run_select(&r, e, s);
		compare_rows(category(kind), e, s, &r, want, nwant);
		result_free(&r);
	}
}

static unsigned random_flags(void)
{
	static const unsigned flags[] = {CORM_ASC, CORM_DESC,
		CORM_ASC | CORM_NULLS_FIRST, CORM_ASC | CORM_NULLS_LAST,
		CORM_DESC | CORM_NULLS_FIRST, CORM_DESC | CORM_NULLS_LAST};

	return flags[rnd_below(6)];
}

static void random_paging(spec *s, size_t max)
{
	s->limit = chance(40) ? rnd_below((int)max / 4 + 2) : -1;
	s->offset = chance(30) ? rnd_below((int)max / 4 + 2) : -1;
}

/* Rows with a random predicate, order (the key last: a total order) and
 * paging; one in four unordered, compared as a set. */
static void query_where(int model)
{
	spec s;
	int i;

	memset(&s, 0, sizeof(s));
	s.model = model;
	s.limit = s.offset = -1;
	s.where = chance(95) ? gen_pred(model, 3, model == M_ITEM ? 2 : 1) : NULL;
	if (chance(75)) {
		s.norder = rnd_below(3);
		for (i = 0; i < s.norder; i++) {
			s.ofield[i] = pick_field(model, PURPOSE_ORDER);
			s.oflags[i] = random_flags();
		}
		s.ofield[s.norder] = 0;
		s.oflags[s.norder++] = CORM_ASC;
		random_paging(&s, nrows(model));
		if (chance(10))
			s.distinct = true;
	}
	check_select(model == M_ITEM ? "where" : "owner-where", &s);
}

/* DISTINCT over a few selected columns, ordered by all of them (so the
 * order is total), sometimes paged. */
static void query_distinct(void)
{
	spec s;
	int i, j;

	memset(&s, 0, sizeof(s));
	s.model = M_ITEM;
	s.limit = s.offset = -1;
	s.distinct = true;
	if (chance(60))
		s.where = gen_pred(M_ITEM, 2, 1);
	for (i = 1 + rnd_below(3); i > 0; i--) {
		int f = pick_field(M_ITEM, PURPOSE_ORDER);

		for (j = 0; j < s.nsel && s.sel[j] != f; j++)
			;
		if (j == s.nsel)
			s.sel[s.nsel++] = f; /* no column twice */
	}
	for (i = 0; i < s.nsel; i++) {
		s.ofield[i] = s.sel[i];
		s.oflags[i] = random_flags();
	}
	s.norder = s.nsel;
	if (chance(30))
		random_paging(&s, 200);
	check_select("distinct", &s);
}

/* ------------------------------------------------------------------ counts */

/* COUNT and EXISTS of a random predicate, sometimes distinct or paged. */
static void query_count(void)
{
	const void **want = qalloc(NITEMS * sizeof(*want));
	spec s;
	size_t nwant;
	int e;

	memset(&s, 0, sizeof(s));
	s.model = M_ITEM;
	s.limit = s.offset = -1;
	s.where = gen_pred(M_ITEM, 3, 2);
	if (chance(20))
		s.distinct = true;
	if (chance(30))
		random_paging(&s, NITEMS);
	nwant = brute_select(&s, want);
	for (e = 0; e < NENGINES; e++) {
		item_query *q = NULL;
		int64_t n = -1;
		bool yes = false;
		int error;
		char *sql;

		if (!engines[e].db)
			continue;
		if ((error = item_prepare(&q, engines[e].db, &s)) == CORM_OK) {
			sql = qstrdup(item_query_sql(q));
			error = item_query_count(&n, q);
			if (error == CORM_OK && s.limit < 0 && s.offset < 0)
				error = item_query_exists(&yes, q);
			else
				yes = nwant > 0;
		} else {
			sql = NULL;
		}
		if (error != CORM_OK)
			mismatch(category("count"), e, sql, "error %s (expected %zu)",
				errdup(engines[e].db, error), nwant);
		else if (n != (int64_t)nwant || yes != (nwant > 0))
			mismatch(category("count"), e, sql, "count %lld exists %d, "
				"expected %zu", (long long)n, (int)yes, nwant);
		item_query_free(q);
	}
}

/* -------------------------------------------------------------- aggregates */

/*
 * Everything that knows the aggregate API is in this section:
 * add_aggregate() and run_aggregate() (the typed calls) and agg_matches()
 * (is the answer the right one?). The brute force (agg_group) is exact:
 * integers and decimals as i128, floats in long double.
 *
 * What counts as right, by docs/queries.md "Aggregates" (typed results):
 *   COUNT                                   the exact count
 *   SUM of integers                         exact int64; a group past the
 *                                           int64 range: CORM_ERANGE
 *   SUM of decimal(P,S)                     exact, in canonical text (S
 *                                           places)
 *   SUM of floats                           within 1e-12 of the sum of
 *                                           magnitudes (engines add in
 *                                           their own order)
 *   AVG of integers / decimals              bitwise (double)sum / count, the
 *                                           documented formula (decimals:
 *                                           strtod of the exact sum)
 *   AVG of floats                           as SUM, divided by the count
 *   MIN / MAX                               the exact value in the column's
 *                                           type (floats bitwise, decimals
 *                                           canonical, text by bytes)
 */
typedef struct agg_group {
	const void *row;      /* a row of the group: its group value */
	int64_t n;            /* non-NULL values */
	i128 sum;             /* integers; decimals scaled by 10^DEC_SCALE */
	long double fsum, fabs_sum;
	const void *minp, *maxp; /* the smallest and largest value */
	bool matched;
} agg_group;

static const char *const agg_names[] = {"min", "max", "sum", "avg",
	"count"};

static void agg_add(agg_group *g, const corm_model_desc *m, int f,
	const void *row)
{
	const corm_field_desc *fd = &m->fields[f];
	const void *v = field_ptr(m, f, row);
	i128 x = 0;

	if (field_is_null(m, f, row))
		return;
	if (!g->minp || value_cmp(m, f, v, g->minp) < 0)
		g->minp = v;
	if (!g->maxp || value_cmp(m, f, v, g->maxp) > 0)
		g->maxp = v;
	g->n++;
	switch (fd->ctype) {
	case CORM_C_I16: x = *(const int16_t *)v; break;
	case CORM_C_I32: x = *(const int32_t *)v; break;
	case CORM_C_I64: x = *(const int64_t *)v; break;
	case CORM_C_F32: g->fsum += *(const float *)v;
		g->fabs_sum += fabsl(*(const float *)v); return;
	case CORM_C_F64: g->fsum += *(const double *)v;
		g->fabs_sum += fabsl(*(const double *)v); return;
	case CORM_C_STR: {
		const corm_str *s = v;

		if (fd->coltype != CORM_COL_DECIMAL ||
			!dec_parse(&x, s->ptr, s->len, DEC_SCALE))
			return;
		break;
	}
	default: return;
	}
	g->sum += x;
}

/* S of a decimal field of diff.corm. */
static int decimal_scale(const corm_model_desc *m, int f)
{
	return strcmp(m->fields[f].name, "big") == 0 ? 10 : 2;
}

/* The canonical text of a decimal held scaled by 10^DEC_SCALE, at S. */
static void canonical_decimal(char *buf, i128 x, int scale)
{
	int i;

	for (i = scale; i < DEC_SCALE; i++)
		x /= 10;
	dec_format(buf, x, scale);
}

/* Does a group's integer SUM leave int64 (the query: CORM_ERANGE)? */
static bool sum_out_of_range(const agg_group *g)
{
	return g->sum > INT64_MAX || g->sum < INT64_MIN;
}

/* Is the engine's answer `got` the right one for group g? When not, why
 * (with the expected value) goes into `why`. */
static bool agg_matches(corm_agg fn, const corm_model_desc *m, int f,
	const agg_group *g, const corm_agg_value *got, char *why, size_t cap)
{
	const corm_field_desc *fd = &m->fields[f];
	bool is_float = fd->ctype == CORM_C_F32 || fd->ctype == CORM_C_F64;
	bool is_decimal = fd->coltype == CORM_COL_DECIMAL;
	char want[64], gotv[200];
	const void *v;

	if (fn == CORM_AGG_COUNT) {
		snprintf(why, cap, "count %lld, got %lld%s", (long long)g->n,
			(long long)got->v.i64, got->is_null ? " (NULL)" : "");
		return !got->is_null && got->v.i64 == g->n;
	}
	if (g->n == 0 || got->is_null) {
		snprintf(why, cap, "%s, got %s", g->n ? "a value" : "NULL",
			got->is_null ? "NULL" : "a value");
		return g->n == 0 && got->is_null;
	}
	if (fn == CORM_AGG_SUM || fn == CORM_AGG_AVG) {
		long double exact = (long double)g->sum /
			powl(10, is_decimal ? DEC_SCALE : 0);
		double want_avg;

		if (is_float) {
			long double sum = fn == CORM_AGG_SUM ? g->fsum : g->fsum / g->n;
			long double tol = 1e-12L * g->fabs_sum / (fn == CORM_AGG_SUM
				? 1 : g->n);

			snprintf(why, cap, "%.21Lg (within %.3Lg), got %.17g", sum, tol,
				got->v.f64);
			return fabsl((long double)got->v.f64 - sum) <= tol;
		}
		if (fn == CORM_AGG_SUM && is_decimal) {
			canonical_decimal(want, g->sum, decimal_scale(m, f));
			snprintf(why, cap, "\"%s\", got \"%.*s\"", want,
				(int)got->v.text.len, got->v.text.ptr);
			return got->v.text.len == strlen(want) &&
				memcmp(got->v.text.ptr, want, got->v.text.len) == 0;
		}
		if (fn == CORM_AGG_SUM) {
			dec_format(want, g->sum, 0);
			snprintf(why, cap, "%s, got %lld", want, (long long)got->v.i64);
			return (i128)got->v.i64 == g->sum;
		}
		/* AVG: (double)sum / count, the documented formula */
		if (is_decimal) {
			canonical_decimal(want, g->sum, decimal_scale(m, f));
			want_avg = strtod(want, NULL) / (double)g->n;
		} else {
			want_avg = (double)(int64_t)g->sum / (double)g->n;
		}
		snprintf(why, cap, "%.17g (exact mean %.21Lg), got %.17g", want_avg,
			exact / g->n, got->v.f64);
		return memcmp(&want_avg, &got->v.f64, sizeof(double)) == 0;
	}
	/* MIN / MAX: the value itself, in the column's type */
	v = fn == CORM_AGG_MIN ? g->minp : g->maxp;
	/* minp points at the member: back to its row for field_format */
	field_format(gotv, sizeof(gotv), m, f, (const char *)v - fd->offset);
	snprintf(why, cap, "%s", gotv);
	switch (fd->ctype) {
	case CORM_C_I16: return got->v.i64 == *(const int16_t *)v;
	case CORM_C_I32: return got->v.i64 == *(const int32_t *)v;
	case CORM_C_I64: return got->v.i64 == *(const int64_t *)v;
	case CORM_C_F32: {
		double d = *(const float *)v;

		snprintf(why, cap, "%.17g, got %.17g", d, got->v.f64);
		return memcmp(&d, &got->v.f64, sizeof(d)) == 0;
	}
	case CORM_C_F64:
		snprintf(why, cap, "%.17g, got %.17g", *(const double *)v,
			got->v.f64);
		return memcmp(v, &got->v.f64, sizeof(double)) == 0;
	case CORM_C_BOOL: return got->v.b == *(const bool *)v;
	case CORM_C_ENUM: return got->v.enum_value == *(const int *)v;
	case CORM_C_DATE: return value_cmp(m, f, v, &got->v.date) == 0;
	case CORM_C_TIME: return value_cmp(m, f, v, &got->v.time) == 0;
	case CORM_C_TIMESTAMP: return value_cmp(m, f, v, &got->v.timestamp) == 0;
	case CORM_C_UUID: return value_cmp(m, f, v, &got->v.uuid) == 0;
	case CORM_C_STR: {
		const corm_str *s = v;
		i128 x;

		snprintf(why, cap, "%s, got \"%.*s\"", gotv, (int)got->v.text.len,
			got->v.text.ptr);
		if (!is_decimal)
			return got->v.text.len == s->len &&
				memcmp(got->v.text.ptr, s->ptr, s->len) == 0;
		/* by value, and written at S places */
		dec_parse(&x, s->ptr, s->len, DEC_SCALE);
		canonical_decimal(want, x, decimal_scale(m, f));
		return got->v.text.len == strlen(want) &&
			memcmp(got->v.text.ptr, want, got->v.text.len) == 0;
	}
	default: return false;
	}
}

/* Aggregate fn(field) on q through the typed builders; its index. */
#define AGG_NUMBER(suffix)                                                   \
	do {                                                                     \
		item_##suffix##_col c_ = {field};                                    \
		switch (fn) {                                                        \
		case CORM_AGG_SUM: return item_agg_sum_##suffix(q, c_).index;        \
		case CORM_AGG_AVG: return item_agg_avg_##suffix(q, c_).index;        \
		case CORM_AGG_MIN: return item_agg_min_##suffix(q, c_).index;        \
		default: return item_agg_max_##suffix(q, c_).index;                  \
		}                                                                    \
	} while (0)
#define AGG_ORDERED(suffix)                                                  \
	do {                                                                     \
		item_##suffix##_col c_ = {field};                                    \
		return fn == CORM_AGG_MIN ? item_agg_min_##suffix(q, c_).index       \
			: item_agg_max_##suffix(q, c_).index;                            \
	} while (0)

static int add_aggregate(item_query *q, corm_agg fn, int field)
{
	if (fn == CORM_AGG_COUNT)
		return item_agg_count_(q, field).index;
	switch (item_desc.fields[field].ctype) {
	case CORM_C_I16: AGG_NUMBER(i16);
	case CORM_C_I32: AGG_NUMBER(i32);
	case CORM_C_I64: AGG_NUMBER(i64);
	case CORM_C_F32: AGG_NUMBER(f32);
	case CORM_C_F64: AGG_NUMBER(f64);
	case CORM_C_STR:
		if (item_desc.fields[field].coltype == CORM_COL_DECIMAL)
			AGG_NUMBER(decimal);
		AGG_ORDERED(str);
	case CORM_C_BOOL: AGG_ORDERED(bool);
	case CORM_C_DATE: AGG_ORDERED(date);
	case CORM_C_TIME: AGG_ORDERED(time);
	case CORM_C_TIMESTAMP: AGG_ORDERED(timestamp);
	case CORM_C_UUID: AGG_ORDERED(uuid);
	case CORM_C_ENUM: AGG_ORDERED(hue);
	default: return -1;
	}
}

/* Run fn(field) grouped by `group` (-1: none) over the items matching
 * `where` on engine e; *agg is the aggregate's index in each group's
 * values. The rows are the caller's to free. */
static int run_aggregate(item_agg_list *out, int *agg, char **sql, int e,
	corm_agg fn, int field, int group, const pnode *where)
{
	item_query *q = NULL;
	int error;

	memset(out, 0, sizeof(*out));
	*sql = NULL;
	if ((error = item_query_new(&q, engines[e].db)) != CORM_OK)
		return error;
	if (where)
		item_where(q, item_build(q, where));
	if (group >= 0)
		item_group_by_(q, group);
	*agg = add_aggregate(q, fn, field);
	*sql = qstrdup(item_query_sql(q));
	error = item_query_aggregates(out, q);
	item_query_free(q);
	return error;
}

static int field_named(int model, const char *name)
{
	const corm_model_desc *m = models[model];
	int f;

	for (f = 0; f < m->nfields; f++)
		if (strcmp(m->fields[f].name, name) == 0)
			return f;
	return 0;
}

static void query_aggregate(void)
{
	static const char *const numeric[] = {"a16", "n16", "a32", "n32", "a64",
		"n64", "f4", "f8", "amount", "big"};
	static const char *const ordered[] = {"stamp", "day", "clock", "title",
		"note", "body", "uid", "hue", "flag"};
	static const char *const groups[] = {"flag", "hue", "owner_id", "note"};
	const corm_model_desc *m = &item_desc;
	corm_agg fn = (corm_agg)rnd_below(5);
	int field, group = chance(60) ? field_named(M_ITEM,
		groups[rnd_below(4)]) : -1;
	pnode *where = NULL;
	agg_group *g = qalloc((NITEMS + 1) * sizeof(*g));
	size_t ng = 0, i, k;
	bool erange = false;
	char kind[32];
	int e;

	if (fn != CORM_AGG_SUM && fn != CORM_AGG_AVG && chance(35))
		field = field_named(M_ITEM, ordered[rnd_below(9)]);
	else
		field = field_named(M_ITEM, numeric[rnd_below(10)]);
	snprintf(kind, sizeof(kind), "agg-%s", agg_names[fn]);
	theme = -1;
	if (chance(60))
		where = gen_pred(M_ITEM, 2, 1);
	qtypes = 1u << type_of(M_ITEM, field); /* the category: the value's type */
	for (i = 0; i < NITEMS; i++) {
		if (where && eval(M_ITEM, where, &items[i]) != T3)
			continue;
		for (k = 0; k < ng; k++)
			if (group < 0 || field_same(m, group, g[k].row, &items[i]))
				break;
		if (k == ng)
			g[ng++].row = &items[i];
		agg_add(&g[k], m, field, &items[i]);
	}
	if (group < 0 && ng == 0)
		ng = 1; /* no GROUP BY: one row, even over no rows */
	for (k = 0; k < ng; k++)
		if ((fn == CORM_AGG_SUM || fn == CORM_AGG_AVG) &&
			m->fields[field].ctype <= CORM_C_I64 && sum_out_of_range(&g[k]))
			erange = true; /* documented: past int64 is CORM_ERANGE */
	for (e = 0; e < NENGINES; e++) {
		item_agg_list rows;
		char *sql, why[400];
		int error, agg = -1;

		if (!engines[e].db)
			continue;
		for (k = 0; k < ng; k++)
			g[k].matched = false;
		error = run_aggregate(&rows, &agg, &sql, e, fn, field, group, where);
		if (erange || error != CORM_OK) {
			if (!erange || error != CORM_ERANGE)
				mismatch(category(kind), e, sql, "%s(%s)%s%s: %s, expected %s",
					agg_names[fn], m->fields[field].name,
					group >= 0 ? " by " : "",
					group >= 0 ? m->fields[group].name : "",
					error ? errdup(engines[e].db, error) : "an answer",
					erange ? "CORM_ERANGE (a sum past int64)" : "an answer");
			item_agg_list_free(&rows);
			continue;
		}
		if (rows.count != ng)
			mismatch(category(kind), e, sql, "%zu groups, expected %zu",
				rows.count, ng);
		for (i = 0; i < rows.count && rows.count == ng; i++) {
			for (k = 0; k < ng; k++)
				if (!g[k].matched && (group < 0 || field_same(m, group,
					g[k].row, rows.items[i].group)))
					break;
			if (k == ng) {
				mismatch(category(kind), e, sql, "a group that should not "
					"be there");
				break;
			}
			g[k].matched = true;
			if (!agg_matches(fn, m, field, &g[k], &rows.items[i].values[agg],
				why, sizeof(why))) {
				char gv[160] = "";

				if (group >= 0)
					field_format(gv, sizeof(gv), m, group, g[k].row);
				mismatch(category(kind), e, sql, "%s(%s) group %s: expected "
					"%s", agg_names[fn], m->fields[field].name, gv, why);
				break;
			}
		}
		item_agg_list_free(&rows);
	}
}

/* --------------------------------------------------------------- relations */

/* item_load_owner over random items (some twice), checked row by row. */
static void query_load_owner(void)
{
	size_t n = 1 + (size_t)rnd_below(300), i;
	item *rows = qalloc(n * sizeof(*rows));
	const owner **each = qalloc(n * sizeof(*each));
	spec all = {.model = M_OWNER};
	int e;

	for (i = 0; i < n; i++)
		rows[i] = items[rnd_below(NITEMS)];
	qtypes = 1u << T_REL;
	for (e = 0; e < NENGINES; e++) {
		owner_list out;
		int error;

		if (!engines[e].db)
			continue;
		error = item_load_owner(&out, each, rows, n, engines[e].db);
		if (error != CORM_OK) {
			mismatch(category("load-owner"), e, NULL, "error %s",
				errdup(engines[e].db, error));
			continue;
		}
		for (i = 0; i < n; i++) {
			const owner *want = rows[i].has_owner_id
				? &owners[rows[i].owner_id - 1] : NULL;
			int f = 0;

			if (!want != !each[i] || (want && !tuple_same(&all, want,
				each[i], &f))) {
				mismatch(category("load-owner"), e, NULL, "item %lld: owner "
					"%s, expected %s (field %s)", (long long)rows[i].id,
					each[i] ? "given" : "NULL", want ? "one" : "NULL",
					owner_desc.fields[f].name);
				break;
			}
		}
		owner_list_free(&out);
	}
}

/* owner_load_items over random owners, each group in key order. */
static void query_load_items(void)
{
	size_t n = 1 + (size_t)rnd_below(60), i, k;
	owner *rows = qalloc(n * sizeof(*rows));
	size_t *first = qalloc(n * sizeof(*first));
	size_t *count = qalloc(n * sizeof(*count));
	spec all = {.model = M_ITEM};
	int e;

	for (i = 0; i < n; i++)
		rows[i] = owners[rnd_below(NOWNERS)];
	qtypes = 1u << T_REL;
	for (e = 0; e < NENGINES; e++) {
		item_list out;
		int error, f = 0;
		bool ok = true;

		if (!engines[e].db)
			continue;
		error = owner_load_items(&out, first, count, rows, n, engines[e].db);
		if (error != CORM_OK) {
			mismatch(category("load-items"), e, NULL, "error %s",
				errdup(engines[e].db, error));
			continue;
		}
		for (i = 0; i < n && ok; i++) {
			size_t o = (size_t)rows[i].id - 1;

			ok = count[i] == nchildren[o];
			for (k = 0; k < count[i] && ok; k++)
				ok = tuple_same(&all, &items[children_of[o][k]],
					&out.items[first[i] + k], &f);
			if (!ok)
				mismatch(category("load-items"), e, NULL, "owner %lld: %zu "
					"items, expected %zu (first difference at field %s)",
					(long long)rows[i].id, count[i], nchildren[o],
					item_desc.fields[f].name);
		}
		item_list_free(&out);
	}
}

/*
 * A where() on a related-filter query (item_owner_filter(q)), with or
 * without item_owner_has(q, NULL) in q's own predicate. Right answers: an
 * error (docs/queries.md: refused), or the rows as if the filter's where
 * were the filter's predicate. Wrong: the where silently ignored.
 */
static void query_related_where(void)
{
	spec s, applied;
	pnode *has = qalloc(sizeof(*has)), *both = qalloc(sizeof(*both));
	pnode *rel = qalloc(sizeof(*rel));
	const void **want = qalloc(NITEMS * sizeof(*want));
	size_t nwant;
	int e;

	memset(&s, 0, sizeof(s));
	s.model = M_ITEM;
	s.limit = s.offset = -1;
	s.where = chance(50) ? gen_pred(M_ITEM, 1, 0) : NULL;
	if (chance(50)) {
		/* item_owner_has(q, NULL), ANDed with the rest */
		has->kind = P_REL;
		both->kind = P_AND;
		both->a = has;
		both->b = s.where ? s.where : has;
		s.where = both;
	}
	s.filter_where = gen_pred(M_OWNER, 1, 0);
	s.ofield[0] = 0;
	s.norder = 1;
	qtypes = 1u << T_REL;
	/* the rows if the filter's where applied: has(filter) AND where */
	applied = s;
	applied.filter_where = NULL;
	rel->kind = P_REL;
	rel->a = s.filter_where;
	applied.where = qalloc(sizeof(pnode));
	applied.where->kind = P_AND;
	applied.where->a = rel;
	applied.where->b = s.where ? s.where : rel;
	nwant = brute_select(&applied, want);
	for (e = 0; e < NENGINES; e++) {
		result r;

		if (!engines[e].db)
			continue;
		run_select(&r, e, &s);
		if (r.error == CORM_OK)
			compare_rows(category("related-where"), e, &applied, &r, want,
				nwant);
		result_free(&r);
	}
}

/* ---------------------------------------------------------- large IN lists */

static int sorting_field;

static int item_value_order(const void *a, const void *b)
{
	return value_cmp(&item_desc, sorting_field, a, b);
}

/* `field` IN (n values: of the rows, and for ids many that are not),
 * ordered by id. */
static void query_large_in(size_t n, const char *field)
{
	spec s;
	pnode *p = qalloc(sizeof(*p));
	size_t i, size;
	char kind[32];

	memset(&s, 0, sizeof(s));
	s.model = M_ITEM;
	s.limit = s.offset = -1;
	s.norder = 1;
	p->kind = P_IN;
	p->n = n;
	p->field = field_named(M_ITEM, field);
	size = field_size(&item_desc, p->field);
	p->list = qalloc(n * size);
	for (i = 0; i < n; i++) {
		if (p->field == 0)
			((int64_t *)p->list)[i] = 1 + rnd_below(NITEMS * 20);
		else
			memcpy((char *)p->list + i * size, field_ptr(&item_desc,
				p->field, &items[rnd_below(NITEMS)]), size);
	}
	sorting_field = p->field;
	qsort(p->list, n, field_size(&item_desc, p->field), item_value_order);
	p->sorted = true; /* the brute force searches it */
	s.where = p;
	qtypes = 1u << type_of(M_ITEM, p->field);
	snprintf(kind, sizeof(kind), "in-%zu", n);
	check_select(kind, &s);
}

/* -------------------------------------------------------------------- main */

static long env_long(const char *name, long dflt)
{
	const char *v = getenv(name);

	return v && *v ? strtol(v, NULL, 10) : dflt;
}

static int open_engines(void)
{
	int e, rc, error;

	for (e = 0; e < NENGINES; e++) {
		rc = test_engine_init(&engines[e].te, "test_differential",
			engine_names[e]);
		if (rc == TEST_ENGINE_SKIP)
			continue;
		if (rc != 0)
			return rc;
		if ((error = corm_conn_open(&engines[e].db, engines[e].te.url))
			!= CORM_OK) {
			fprintf(stderr, "%s: %s\n", engine_names[e], corm_errmsg(NULL));
			return 1;
		}
		nengines++;
	}
	return nengines ? 0 : TEST_ENGINE_SKIP;
}

static const struct {
	size_t n;
	const char *field;
} large_in[] = {{10000, "id"}, {70000, "id"}, {10000, "title"},
	{40000, "amount"}};
#define NLARGE_IN ((long)(sizeof(large_in) / sizeof(large_in[0])))

static void one_query(void)
{
	int r = rnd_below(100);

	qtypes = 0;
	theme = chance(70) ? rnd_below(16) : -1;
	if (theme == 14)
		theme = -1; /* json: only IS NULL */
	if (r < 38)
		query_where(M_ITEM);
	else if (r < 46)
		query_where(M_OWNER);
	else if (r < 58)
		query_distinct();
	else if (r < 68)
		query_count();
	else if (r < 86)
		query_aggregate();
	else if (r < 91)
		query_load_owner();
	else if (r < 96)
		query_load_items();
	else
		query_related_where();
}

static void print_summary(void)
{
	int i, j;

	printf("%ld queries, %ld mismatches (seed %" PRIu64 ")\n", nqueries_run,
		nmismatches, seed);
	/* by name, so a category's engines are together */
	for (i = 1; i < ncategories; i++)
		for (j = i; j > 0 && strcmp(categories[j - 1].name,
			categories[j].name) > 0; j--) {
			struct category t = categories[j];

			categories[j] = categories[j - 1];
			categories[j - 1] = t;
		}
	for (i = 0; i < ncategories; i++)
		printf("  %6ld  %s  (first: query %ld)\n", categories[i].count,
			categories[i].name, categories[i].first_query);
	if (nmismatches)
		printf("FAILED: rerun with CORM_DIFF_SEED=%" PRIu64 " (and "
			"CORM_DIFF_VERBOSE=N to print N mismatches in full)\n", seed);
}

int main(void)
{
	long nqueries = env_long("CORM_DIFF_QUERIES", 2000);
	size_t i;
	int rc, e;

	seed = (uint64_t)env_long("CORM_DIFF_SEED", (long)time(NULL));
	rng_state = seed;
	verbose_left = env_long("CORM_DIFF_VERBOSE", 40);
	printf("seed: %" PRIu64 "; rerun with CORM_DIFF_SEED=%" PRIu64 "\n", seed,
		seed);
	fflush(stdout);
	if ((rc = open_engines()) != 0)
		goto done;
	if (nengines < NENGINES)
		printf("comparing %d engine(s) only\n", nengines);
	if (load_data() != CORM_OK) {
		rc = 1;
		goto done;
	}
	index_children();
	/* a few large IN lists per run: past PostgreSQL's and MySQL's 65,535
	 * parameters, past SQLite's 32,766, and well below (non-NULL
	 * columns only: a NULL is no value for a list) */
	for (qno = 0; qno < NLARGE_IN; qno++, nqueries_run++) {
		query_large_in(large_in[qno].n, large_in[qno].field);
		qfree_all();
	}
	for (; qno < nqueries + NLARGE_IN; qno++, nqueries_run++) {
		one_query();
		qfree_all();
	}
	print_summary();
	rc = nmismatches ? 1 : 0;
done:
	for (e = 0; e < NENGINES; e++) {
		corm_conn_close(engines[e].db);
		test_engine_cleanup(&engines[e].te);
	}
	for (i = 0; i < NOWNERS; i++)
		free(children_of[i]);
	while (nstrs)
		free(strs[--nstrs]);
	free(strs);
	free(qmem);
	return rc;
}
