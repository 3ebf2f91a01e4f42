/*
 * test_property.c — random schema pairs on a real engine (argv[1]): for
 * each pair (A, B), build A from nothing, apply diff(A, B), and check
 * the database introspects to exactly B (corm_schema_dump) with an empty
 * second diff; then diff(B, empty) must leave only corm_migrations.
 *
 * B is A mutated: models and fields appear and disappear, are renamed
 * with @renamed_from, change type within a family (integers, floats,
 * strings, decimals), nullability, default, unique/index, enum members,
 * relations (cycles among tables included) and their on_delete, primary
 * keys (`id @auto`, a plain `id`, one field's @id, @@id of two fields:
 * @auto added and removed, the key's columns changed) and the indexes
 * that foreign keys use (@index, @unique and @@index/@@unique on
 * relation columns). The generator stays inside what every engine can
 * do (no index on LONGTEXT, no literal defaults on MySQL's
 * TEXT/BLOB/JSON) and keeps both directions possible with a row in
 * every table: a column B drops is nullable in A (down adds it back), a
 * key's columns stay while the key is on them.
 *
 * Each pair goes up, down and up again (A, B, A, B), the database
 * compared with the schema by introspection after each step and every
 * kept table's row checked (an @auto key added numbers it 1). Where DDL
 * is transactional (PostgreSQL, SQLite), some pairs first try a B that
 * fails (a NOT NULL column without a default on a table with a row)
 * and check the database is still A, rows included. On every engine,
 * every pair that narrows a string column first tries B with a row too long
 * for it: refused before any change, the database still A.
 *
 * CORM_MIG_SEED fixes the seed (printed on failure), CORM_MIG_CASES the
 * number of pairs (default 200).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "../common/engine.h"
#include "corm/driver.h"
#include "mig_helpers.h"
#include "migrate_engine.h"

static test_engine g_engine;
static uint64_t g_rng;

static unsigned rnd(unsigned n)
{
	g_rng ^= g_rng << 13;
	g_rng ^= g_rng >> 7;
	g_rng ^= g_rng << 17;
	return (unsigned)(g_rng % n);
}

static bool chance(unsigned percent)
{
	return rnd(100) < percent;
}

/* ------------------------------------------------------------ the model */

enum { T_I16, T_I32, T_I64, T_F32, T_F64, T_BOOL, T_STR, T_TEXT, T_BYTES,
	T_DEC, T_DATE, T_TIME, T_TS, T_UUID, T_JSON, T_ENUM, T_REL, T_COUNT };

#define NMODELS 4
#define NFIELDS 6

typedef struct gfield {
	bool on;
	int gen;          /* name generation: f<slot>_<gen> */
	int type;
	int len;          /* T_STR: N; T_DEC: variant; T_ENUM: which enum */
	int rel;          /* T_REL: target model slot (< own slot) */
	int on_delete;    /* 0 none, 1 cascade, 2 restrict, 3 set_null */
	bool nullable, unique, index;
	int def;          /* -1 none, else an index into the type's defaults */
	int renamed_from; /* a generation, or -1 */
} gfield;

/* A model's primary key: `id i64 @id @auto`, `id i64 @id`, @@id of two
 * fields, or @id on one field (no `id` column for the last two, which
 * relations cannot reference: they need a single key column, and the
 * generator keeps relations on `id`). */
enum { PK_AUTO, PK_ID, PK_TWO, PK_ONE, PK_COUNT };

typedef struct gmodel {
	bool on;
	int gen;
	int renamed_from;
	gfield f[NFIELDS];
	int idx2[2];      /* a two-field index/unique: slots, or -1 */
	bool idx2_unique;
	int pk;           /* PK_* */
	int pkf[2];       /* PK_TWO: its field slots; PK_ONE: pkf[0] */
} gmodel;

typedef struct gschema {
	gmodel m[NMODELS];
	unsigned enums[2]; /* member bitmasks of E0 (a..d), E1 (x..z) */
	int bad;           /* a model given a column that cannot be added
			    * (NOT NULL, no default: it has a row), or -1 */
} gschema;

static const char *const e_members[2][4] = {
	{"a", "b", "c", "d"}, {"x", "y", "z", NULL},
};

static bool indexable(int t)
{
	return t != T_TEXT && t != T_BYTES && t != T_JSON;
}

static bool has_id(const gmodel *m)
{
	return m->pk == PK_AUTO || m->pk == PK_ID;
}

/* Can `f` be a key column? (Not a relation, which would tie the key to
 * its target's; not a float, whose equality is the engine's.) */
static bool keyable(const gfield *f)
{
	return f->on && !f->nullable && indexable(f->type) && f->type != T_REL &&
		f->type != T_F32 && f->type != T_F64;
}

static bool is_key_field(const gmodel *m, int j)
{
	return (m->pk == PK_TWO && (m->pkf[0] == j || m->pkf[1] == j)) ||
		(m->pk == PK_ONE && m->pkf[0] == j);
}

static int family(int t)
{
	switch (t) {
	case T_I16: case T_I32: case T_I64: return 1;
	case T_F32: case T_F64: return 2;
	case T_STR: case T_TEXT: return 3;
	case T_DEC: return 4;
	case T_ENUM: return 5;
	default: return 100 + t;
	}
}

static int ndefaults(int t)
{
	switch (t) {
	case T_I16: case T_I32: case T_I64: return 3;
	case T_F32: case T_F64: return 3;
	case T_BOOL: return 2;
	case T_STR: return 3;
	case T_DEC: return 3;
	case T_DATE: case T_TS: return 2;
	case T_TIME: case T_UUID: return 1;
	case T_ENUM: return 4;
	default: return 0;
	}
}

static void random_type(gfield *f)
{
	static const int lens[] = {20, 50, 100};

	f->type = (int)rnd(T_REL); /* every scalar type and enums */
	f->len = f->type == T_STR ? lens[rnd(3)] : f->type == T_DEC ? (int)rnd(3)
		: f->type == T_ENUM ? (int)rnd(2) : 0;
}

/* A type of the same family (a change every engine converts). */
static void retype(gfield *f)
{
	static const int lens[] = {20, 50, 100};

	switch (family(f->type)) {
	case 1: f->type = T_I16 + (int)rnd(3); break;
	case 2: f->type = T_F32 + (int)rnd(2); break;
	case 3:
		f->type = chance(70) ? T_STR : T_TEXT;
		f->len = lens[rnd(3)];
		break;
	case 4: f->len = (int)rnd(3); break;
	/* an enum column keeps its enum: the row's value must stay valid */
	default: break;
	}
}

static void fix_field(gschema *s, int mi, gfield *f)
{
	if (f->type == T_REL && (f->rel == mi || !s->m[f->rel].on ||
			!has_id(&s->m[f->rel])))
		f->on = false;
	/* A key to a later table (maybe a cycle) is nullable: the row is
	 * inserted before its target's. */
	if (f->type == T_REL && f->rel > mi)
		f->nullable = true;
	if (!indexable(f->type)) {
		f->unique = false;
		f->index = false;
	}
	if (f->unique)
		f->index = false;
	if (f->def >= ndefaults(f->type))
		f->def = ndefaults(f->type) ? (int)rnd((unsigned)ndefaults(f->type))
			: -1;
	if (f->type == T_REL && f->on_delete == 3 && !f->nullable)
		f->on_delete = 0;
}

static void random_field(gschema *s, int mi, gfield *f)
{
	memset(f, 0, sizeof(*f));
	f->on = true;
	f->renamed_from = -1;
	if (chance(20)) {
		f->type = T_REL;
		f->rel = (int)rnd(NMODELS - 1);
		f->rel += f->rel >= mi; /* any table but its own */
		f->on_delete = (int)rnd(4);
	} else {
		random_type(f);
	}
	f->nullable = chance(40);
	f->unique = chance(15);
	f->index = chance(15);
	f->def = chance(40) && ndefaults(f->type)
		? (int)rnd((unsigned)ndefaults(f->type)) : -1;
	fix_field(s, mi, f);
}

static void fix_model(gmodel *m)
{
	int k;

	for (k = 0; k < 2; k++)
		if (m->idx2[k] >= 0 && (!m->f[m->idx2[k]].on ||
				!indexable(m->f[m->idx2[k]].type)))
			m->idx2[0] = m->idx2[1] = -1;
	if (m->idx2[0] == m->idx2[1])
		m->idx2[0] = m->idx2[1] = -1;
}

/* A key on fields of `m` (`old`: fields that A has too, or NULL): `pk`
 * if its fields can be found, else `id @auto`. Key fields are NOT NULL
 * and carry no @unique/@index of their own (redundant). */
static void choose_pk(gmodel *m, int pk, const gmodel *old)
{
	int cand[NFIELDS], n = 0, j, k, need;

	for (j = 0; j < NFIELDS; j++) {
		gfield f = m->f[j];

		f.nullable = false; /* made so below; the row has a value */
		if (keyable(&f) && (!old || (old->f[j].on &&
				(old->f[j].gen == m->f[j].gen ||
					old->f[j].gen == m->f[j].renamed_from))))
			cand[n++] = j;
	}
	need = pk == PK_TWO ? 2 : pk == PK_ONE ? 1 : 0;
	m->pk = n >= need ? pk : PK_AUTO;
	if (m->pk == PK_AUTO || m->pk == PK_ID)
		return;
	m->pkf[0] = cand[rnd((unsigned)n)];
	do
		m->pkf[1] = cand[rnd((unsigned)n)];
	while (need == 2 && m->pkf[1] == m->pkf[0]);
	for (k = 0; k < need; k++) {
		gfield *f = &m->f[m->pkf[k]];

		f->nullable = false;
		if (m->pk == PK_ONE)
			f->unique = f->index = false;
	}
}

/* The key's fields must still be key fields (a relation's target may
 * have lost its `id`); else `id @auto`. */
static void fix_pk(gmodel *m)
{
	int k;

	for (k = 0; k < (m->pk == PK_TWO ? 2 : m->pk == PK_ONE ? 1 : 0); k++)
		if (!keyable(&m->f[m->pkf[k]]))
			m->pk = PK_AUTO;
	/* A unique on the key's columns is the key (SQLite makes no index
	 * of its own for it): not generated. */
	if (m->pk == PK_TWO && m->idx2_unique &&
		((m->idx2[0] == m->pkf[0] && m->idx2[1] == m->pkf[1]) ||
			(m->idx2[0] == m->pkf[1] && m->idx2[1] == m->pkf[0])))
		m->idx2[0] = m->idx2[1] = -1;
}

static void random_schema(gschema *s)
{
	int i, j;

	memset(s, 0, sizeof(*s));
	s->enums[0] = 1 + rnd(15);
	s->enums[1] = 1 + rnd(7);
	for (i = 0; i < NMODELS; i++) {
		gmodel *m = &s->m[i];

		m->on = i == 0 || chance(60);
		m->renamed_from = -1;
		m->idx2[0] = m->idx2[1] = -1;
		for (j = 0; j < NFIELDS; j++) {
			if (chance(55))
				random_field(s, i, &m->f[j]);
			else
				m->f[j].renamed_from = -1;
		}
		if (chance(30)) {
			m->idx2[0] = (int)rnd(NFIELDS);
			m->idx2[1] = (int)rnd(NFIELDS);
			m->idx2_unique = chance(50);
		}
		choose_pk(m, (int)rnd(PK_COUNT), NULL);
	}
	s->bad = -1;
	/* Relations to a model without `id` go. */
	for (i = 0; i < NMODELS; i++)
		for (j = 0; j < NFIELDS; j++)
			fix_field(s, i, &s->m[i].f[j]);
	for (i = 0; i < NMODELS; i++) {
		fix_model(&s->m[i]);
		fix_pk(&s->m[i]);
	}
}

/* Is model i of `a` the same table in `b` (maybe renamed)? */
static bool model_kept(const gschema *a, const gschema *b, int i)
{
	return a->m[i].on && b->m[i].on && (b->m[i].gen == a->m[i].gen ||
		b->m[i].renamed_from == a->m[i].gen);
}

static bool field_kept(const gschema *a, const gschema *b, int i, int j)
{
	const gfield *fa = &a->m[i].f[j], *fb = &b->m[i].f[j];

	return model_kept(a, b, i) && fa->on && fb->on &&
		(fb->gen == fa->gen || fb->renamed_from == fa->gen);
}

/* B's key, a kept model's: `id @auto` comes and goes (a plain `id`
 * cannot come to a table with rows), a key moves between fields that
 * A has too. */
static void mutate_pk(gmodel *m, const gmodel *old)
{
	switch (old->pk) {
	case PK_AUTO:
		choose_pk(m, PK_ID + (int)rnd(3), old);
		break;
	case PK_ID:
		m->pk = PK_AUTO;
		break;
	default:
		choose_pk(m, chance(34) ? PK_AUTO : PK_TWO + (int)rnd(2), old);
		break;
	}
}

static void mutate(gschema *b, const gschema *a)
{
	int i, j;

	*b = *a;
	if (chance(30))
		b->enums[0] = 1 + rnd(15);
	if (chance(30))
		b->enums[1] = 1 + rnd(7);
	for (i = 0; i < NMODELS; i++) {
		gmodel *m = &b->m[i];

		m->renamed_from = -1;
		if (!m->on) {
			if (chance(30)) {
				m->on = true;
				m->gen++;
				for (j = 0; j < NFIELDS; j++)
					if (chance(50))
						random_field(b, i, &m->f[j]);
					else
						m->f[j].on = false;
			}
		} else if (i > 0 && chance(10)) {
			m->on = false;
		} else if (chance(15)) {
			m->renamed_from = m->gen;
			m->gen++;
		}
		for (j = 0; j < NFIELDS && m->on; j++) {
			gfield *f = &m->f[j];
			/* A's key columns stay (down makes the key again). */
			bool key = a->m[i].on &&
				m->gen == a->m[i].gen + (m->renamed_from >= 0) &&
				is_key_field(&a->m[i], j);

			f->renamed_from = -1;
			if (key) {
				if (chance(10)) {
					f->renamed_from = f->gen;
					f->gen++;
				}
				if (chance(15) && a->m[i].pk != PK_ONE)
					f->unique = !f->unique;
				continue;
			}
			if (!f->on) {
				if (chance(25)) {
					random_field(b, i, f);
					f->gen = a->m[i].f[j].gen + 1;
				}
				continue;
			}
			if (chance(10)) {
				f->on = false;
				continue;
			}
			if (chance(10)) {
				f->renamed_from = f->gen;
				f->gen++;
			}
			if (chance(20) && f->type != T_REL)
				retype(f);
			if (chance(20))
				f->nullable = !f->nullable;
			if (chance(20))
				f->def = ndefaults(f->type) && chance(70)
					? (int)rnd((unsigned)ndefaults(f->type)) : -1;
			if (chance(15))
				f->unique = !f->unique;
			if (chance(15))
				f->index = !f->index;
			if (f->type == T_REL && chance(20))
				f->on_delete = (int)rnd(4);
			fix_field(b, i, f);
		}
		if (chance(20)) {
			m->idx2[0] = (int)rnd(NFIELDS);
			m->idx2[1] = (int)rnd(NFIELDS);
			m->idx2_unique = chance(50);
		}
		if (m->on && a->m[i].on && m->gen == a->m[i].gen +
				(m->renamed_from >= 0)) {
			if (chance(25))
				mutate_pk(m, &a->m[i]);
		} else if (m->on && m->gen != a->m[i].gen) {
			choose_pk(m, (int)rnd(PK_COUNT), NULL); /* a new table */
		}
		fix_model(m);
	}
	/* A has a row in every table: B's enums keep a member of A's, and a
	 * column added to a table with rows is nullable (NOT NULL without a
	 * default fails there, as it should). */
	for (i = 0; i < 2; i++)
		if (!(b->enums[i] & a->enums[i]))
			b->enums[i] |= a->enums[i] & (~a->enums[i] + 1);
	for (i = 0; i < NMODELS; i++)
		for (j = 0; j < NFIELDS; j++)
			if (a->m[i].on && b->m[i].on && b->m[i].gen == a->m[i].gen -
					(b->m[i].renamed_from >= 0 ? -1 : 0) &&
				b->m[i].f[j].on && (!a->m[i].f[j].on ||
					a->m[i].f[j].gen != b->m[i].f[j].gen -
					(b->m[i].f[j].renamed_from >= 0 ? 1 : 0)) &&
				b->m[i].f[j].def < 0)
				b->m[i].f[j].nullable = true;
	/* Relations to models that went away go too. */
	for (i = 0; i < NMODELS; i++)
		for (j = 0; j < NFIELDS; j++)
			if (b->m[i].on)
				fix_field(b, i, &b->m[i].f[j]);
	for (i = 0; i < NMODELS; i++)
		if (b->m[i].on) {
			fix_model(&b->m[i]);
			fix_pk(&b->m[i]);
		}
	b->bad = -1;
}

/* Down (B -> A) adds back what B drops, to a table with a row: such a
 * column of A is nullable unless it has a default. A keeps its key:
 * its columns are kept by B (mutate). */
static void make_down_possible(gschema *a, const gschema *b)
{
	int i, j;

	for (i = 0; i < NMODELS; i++)
		for (j = 0; j < NFIELDS; j++) {
			gfield *f = &a->m[i].f[j];

			if (model_kept(a, b, i) && f->on && !field_kept(a, b, i, j) &&
				f->def < 0 && !is_key_field(&a->m[i], j))
				f->nullable = true;
		}
	for (i = 0; i < NMODELS; i++)
		for (j = 0; j < NFIELDS; j++)
			if (a->m[i].on)
				fix_field(a, i, &a->m[i].f[j]);
}

/* ----------------------------------------------------------- printing */

static void enum_default(corm_buf *b, unsigned mask, int which, int k)
{
	int i, n = 0, seen = 0;

	for (i = 0; i < 4; i++)
		if (mask & (1u << i) && e_members[which][i])
			n++;
	k %= n;
	for (i = 0; i < 4; i++)
		if (mask & (1u << i) && e_members[which][i] && seen++ == k)
			corm_buf_puts(b, e_members[which][i]);
}

static void print_default(corm_buf *b, const gschema *s, const gfield *f)
{
	static const char *const ints[] = {"0", "7", "-3"};
	static const char *const floats[] = {"1.5", "-2.25", "0"};
	static const char *const strs[] = {"\"abc\"", "\"it's\"", "\"\""};
	static const char *const decs[] = {"1.25", "0", "10"};

	if (f->def < 0)
		return;
	corm_buf_puts(b, " @default(");
	switch (f->type) {
	case T_I16: case T_I32: case T_I64: corm_buf_puts(b, ints[f->def]); break;
	case T_F32: case T_F64: corm_buf_puts(b, floats[f->def]); break;
	case T_BOOL: corm_buf_puts(b, f->def ? "true" : "false"); break;
	case T_STR: corm_buf_puts(b, strs[f->def]); break;
	case T_DEC: corm_buf_puts(b, decs[f->def]); break;
	case T_DATE:
		corm_buf_puts(b, f->def ? "\"2024-01-02\"" : "now");
		break;
	case T_TS:
		corm_buf_puts(b, f->def ? "\"2024-01-02 03:04:05\"" : "now");
		break;
	case T_TIME: corm_buf_puts(b, "\"12:30:00\""); break;
	case T_UUID:
		corm_buf_puts(b, "\"123e4567-e89b-12d3-a456-426614174000\"");
		break;
	case T_ENUM: enum_default(b, s->enums[f->len], f->len, f->def); break;
	default: break;
	}
	corm_buf_putc(b, ')');
}

static void print_schema(corm_buf *b, const gschema *s)
{
	static const char *const types[] = {"i16", "i32", "i64", "f32", "f64",
		"bool", "string", "text", "bytes", "decimal", "date", "time",
		"timestamp", "uuid", "json"};
	static const char *const decs[] = {"(10, 2)", "(12, 2)", "(12, 4)"};
	static const char *const od[] = {"", " @on_delete(cascade)",
		" @on_delete(restrict)", " @on_delete(set_null)"};
	int i, j, k;

	for (k = 0; k < 2; k++) {
		corm_buf_printf(b, "enum E%d {", k);
		for (i = 0; i < 4; i++)
			if (s->enums[k] & (1u << i) && e_members[k][i])
				corm_buf_printf(b, " %s", e_members[k][i]);
		corm_buf_puts(b, " }\n");
	}
	for (i = 0; i < NMODELS; i++) {
		const gmodel *m = &s->m[i];

		if (!m->on)
			continue;
		corm_buf_printf(b, "model M%d_%d {\n", i, m->gen);
		if (has_id(m))
			corm_buf_printf(b, "    id i64 @id%s\n",
				m->pk == PK_AUTO ? " @auto" : "");
		for (j = 0; j < NFIELDS; j++) {
			const gfield *f = &m->f[j];

			if (!f->on)
				continue;
			corm_buf_printf(b, "    f%d_%d ", j, f->gen);
			if (f->type == T_REL)
				corm_buf_printf(b, "M%d_%d", f->rel, s->m[f->rel].gen);
			else if (f->type == T_ENUM)
				corm_buf_printf(b, "E%d", f->len);
			else if (f->type == T_STR)
				corm_buf_printf(b, "string(%d)", f->len);
			else if (f->type == T_DEC)
				corm_buf_printf(b, "decimal%s", decs[f->len]);
			else
				corm_buf_puts(b, types[f->type]);
			corm_buf_printf(b, "%s%s%s%s", f->nullable ? "?" : "",
				m->pk == PK_ONE && m->pkf[0] == j ? " @id" : "",
				f->unique ? " @unique" : "", f->index ? " @index" : "");
			print_default(b, s, f);
			if (f->type == T_REL)
				corm_buf_puts(b, od[f->on_delete]);
			if (f->renamed_from >= 0)
				corm_buf_printf(b, " @renamed_from(f%d_%d)", j,
					f->renamed_from);
			corm_buf_putc(b, '\n');
		}
		if (m->idx2[0] >= 0)
			corm_buf_printf(b, "    @@%s([f%d_%d, f%d_%d])\n",
				m->idx2_unique ? "unique" : "index", m->idx2[0],
				m->f[m->idx2[0]].gen, m->idx2[1], m->f[m->idx2[1]].gen);
		if (m->pk == PK_TWO)
			corm_buf_printf(b, "    @@id([f%d_%d, f%d_%d])\n", m->pkf[0],
				m->f[m->pkf[0]].gen, m->pkf[1], m->f[m->pkf[1]].gen);
		if (s->bad == i)
			corm_buf_puts(b, "    zz_bad i32\n");
		if (m->renamed_from >= 0)
			corm_buf_printf(b, "    @@renamed_from(M%d_%d)\n", i,
				m->renamed_from);
		corm_buf_puts(b, "}\n");
	}
}

/* ---------------------------------------------------------------- rows */

/* The lowest member in both masks (A's and B's), for enum values. */
static const char *enum_value(const gschema *a, const gschema *b, int which)
{
	unsigned both = a->enums[which] & b->enums[which];
	int i;

	for (i = 0; i < 4; i++)
		if (both & (1u << i))
			return e_members[which][i];
	return "a";
}

/* One row in every table of A (id 1, every column set, relations to the
 * target's row 1), values that fit A's and B's types alike. */
static void insert_rows(corm_conn *c, const gschema *a, const gschema *b)
{
	const corm_dialect *d = corm_conn_dialect(c);
	int i, j, n;

	for (i = 0; i < NMODELS; i++) {
		const gmodel *m = &a->m[i];
		corm_buf sql = CORM_BUF_INIT, vals = CORM_BUF_INIT;
		corm_stmt *st = NULL;
		char name[32];
		int rc;

		if (!m->on)
			continue;
		snprintf(name, sizeof(name), "m%d_%d", i, m->gen);
		corm_buf_puts(&sql, "INSERT INTO ");
		corm_dialect_quote(&sql, d, name);
		corm_buf_puts(&sql, " (");
		n = 0;
		if (has_id(m)) {
			corm_dialect_quote(&sql, d, "id");
			corm_dialect_placeholder(&vals, d, ++n);
		}
		for (j = 0; j < NFIELDS; j++) {
			const gfield *f = &m->f[j];

			if (!f->on)
				continue;
			if (f->type == T_REL)
				snprintf(name, sizeof(name), "f%d_%d_id", j, f->gen);
			else
				snprintf(name, sizeof(name), "f%d_%d", j, f->gen);
			if (n)
				corm_buf_puts(&sql, ", ");
			corm_dialect_quote(&sql, d, name);
			if (n)
				corm_buf_puts(&vals, ", ");
			corm_dialect_placeholder(&vals, d, ++n);
		}
		corm_buf_printf(&sql, ") VALUES (%s)", corm_buf_cstr(&vals));
		assert_int_equal(corm_stmt_prepare(&st, c, corm_buf_cstr(&sql)),
			CORM_OK);
		n = 0;
		if (has_id(m))
			corm_bind_int64(st, ++n, 1);
		for (j = 0; j < NFIELDS; j++) {
			const gfield *f = &m->f[j];
			const char *t = NULL;

			if (!f->on)
				continue;
			n++;
			switch (f->type) {
			case T_REL:
				if (f->rel > i)
					corm_bind_null(st, n);
				else
					corm_bind_int64(st, n, 1);
				break;
			case T_I16: case T_I32: case T_I64:
				corm_bind_int64(st, n, 7);
				break;
			case T_F32: case T_F64: corm_bind_double(st, n, 1.5); break;
			case T_BOOL: corm_bind_bool(st, n, true); break;
			case T_BYTES: corm_bind_blob(st, n, "\0\1b", 3); break;
			case T_STR: case T_TEXT: t = "v"; break;
			case T_DEC: t = "1.25"; break;
			case T_DATE: t = "2024-01-02"; break;
			case T_TIME: t = "12:34:56"; break;
			case T_TS: t = "2024-01-02 03:04:05"; break;
			case T_UUID: t = "123e4567-e89b-12d3-a456-426614174000"; break;
			case T_JSON: t = "{\"k\": 1}"; break;
			case T_ENUM: t = enum_value(a, b, f->len); break;
			default: break;
			}
			if (t)
				corm_bind_text(st, n, t, strlen(t));
		}
		rc = corm_step(st);
		if (rc != CORM_DONE)
			print_error("%s: %s\n", corm_buf_cstr(&sql), corm_errmsg(c));
		assert_int_equal(rc, CORM_DONE);
		corm_stmt_free(st);
		corm_buf_free(&sql);
		corm_buf_free(&vals);
	}
}

/* Every table of A that B keeps (renamed or not) still has its row, in
 * its state in `at` (A or B): id 1 where it has an `id` (a key added
 * numbers the row 1), else the one row. */
static void check_rows(corm_conn *c, const gschema *a, const gschema *b,
	const gschema *at)
{
	const corm_dialect *d = corm_conn_dialect(c);
	int i;

	for (i = 0; i < NMODELS; i++) {
		const gmodel *m = &at->m[i];
		corm_buf sql = CORM_BUF_INIT;
		char name[32], *got;

		if (!model_kept(a, b, i))
			continue;
		snprintf(name, sizeof(name), "m%d_%d", i, m->gen);
		corm_buf_puts(&sql, has_id(m) ? "SELECT id FROM " :
			"SELECT COUNT(*) FROM ");
		corm_dialect_quote(&sql, d, name);
		got = mig_rows(c, corm_buf_cstr(&sql));
		if (strcmp(got, "1;") != 0)
			print_error("%s: rows '%s', want '1;'\n", name, got);
		assert_string_equal(got, "1;");
		corm_free(got);
		corm_buf_free(&sql);
	}
}

/* ---------------------------------------------------------------- test */

static int g_version;
static int g_narrowed; /* refused narrowings tried (step_narrow_fails) */

/* Where DDL is transactional: a B that cannot be applied (a column
 * that cannot be added to a table with a row) fails, and leaves the
 * database as A with its rows. */
static void step_fails(corm_conn *c, const gschema *ga, const gschema *gb,
	const corm_schema *a, const char *a_src, uint64_t seed, int n)
{
	gschema bad = *gb;
	corm_buf src = CORM_BUF_INIT, err = CORM_BUF_INIT;
	corm_schema *b;
	char version[32];
	int i;

	for (i = 0; i < NMODELS && !model_kept(ga, gb, i); i++)
		;
	if (i == NMODELS)
		return;
	bad.bad = i;
	print_schema(&src, &bad);
	b = mig_parse(corm_buf_cstr(&src));
	snprintf(version, sizeof(version), "2027%010d", ++g_version);
	if (mig_step(c, a, b, version, NULL, NULL, &err) == CORM_OK ||
		!mig_same_as(c, a_src, "failed A -> B changes nothing")) {
		print_error("case %d of seed %llu: A -> B' should have failed and "
			"left A; B':\n%s\n", n, (unsigned long long)seed,
			corm_buf_cstr(&src));
		fail();
	}
	check_rows(c, ga, ga, ga);
	corm_buf_free(&err);
	corm_buf_free(&src);
	corm_schema_free(b);
}

/* Set A's column f<j> of model i in its one row to `value`. */
static void set_text(corm_conn *c, const gschema *a, int i, int j,
	const char *value)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_buf sql = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	char name[32];

	corm_buf_puts(&sql, "UPDATE ");
	snprintf(name, sizeof(name), "m%d_%d", i, a->m[i].gen);
	corm_dialect_quote(&sql, d, name);
	corm_buf_puts(&sql, " SET ");
	snprintf(name, sizeof(name), "f%d_%d", j, a->m[i].f[j].gen);
	corm_dialect_quote(&sql, d, name);
	corm_buf_puts(&sql, " = ");
	corm_dialect_placeholder(&sql, d, 1);
	assert_int_equal(corm_stmt_prepare(&st, c, corm_buf_cstr(&sql)),
		CORM_OK);
	corm_bind_text(st, 1, value, strlen(value));
	assert_int_equal(corm_step(st), CORM_DONE);
	corm_stmt_free(st);
	corm_buf_free(&sql);
}

/*
 * On every engine: when B narrows a kept string column (text or a longer
 * string(N) to string(n)), a row one character too long for B makes
 * A -> B fail before any change (the data check), naming the rows, and
 * leaves A as it was, with no history row (MySQL too: the check runs
 * before the history row is written). The row is then put back.
 */
static void step_narrow_fails(corm_conn *c, const gschema *ga,
	const gschema *gb, const corm_schema *a, const corm_schema *b,
	const char *a_src, uint64_t seed, int n)
{
	corm_buf err = CORM_BUF_INIT;
	char version[32], value[128], sql[96], *rows;
	int i, j, rc;

	for (i = 0; i < NMODELS; i++) {
		if (!model_kept(ga, gb, i))
			continue;
		for (j = 0; j < NFIELDS; j++) {
			const gfield *fa = &ga->m[i].f[j], *fb = &gb->m[i].f[j];

			if (field_kept(ga, gb, i, j) && fb->type == T_STR &&
				(fa->type == T_TEXT ||
				 (fa->type == T_STR && fa->len > fb->len)))
				goto found;
		}
	}
	return;
found:
	memset(value, 'x', (size_t)gb->m[i].f[j].len + 1);
	value[gb->m[i].f[j].len + 1] = '\0';
	set_text(c, ga, i, j, value);
	snprintf(version, sizeof(version), "2027%010d", ++g_version);
	rc = mig_step(c, a, b, version, NULL, NULL, &err);
	if (rc != CORM_ECHECK || !strstr(corm_buf_cstr(&err), "would cut") ||
		!mig_same_as(c, a_src, "refused narrowing changes nothing")) {
		print_error("case %d of seed %llu: narrowing f%d of M%d with a row "
			"too long should be refused (rc %d: %s)\n", n,
			(unsigned long long)seed, j, i, rc, corm_buf_cstr(&err));
		fail();
	}
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM corm_migrations "
		"WHERE version = '%s'", version);
	rows = mig_rows(c, sql);
	assert_string_equal(rows, "0;");
	corm_free(rows);
	check_rows(c, ga, ga, ga);
	set_text(c, ga, i, j, "v");
	corm_buf_free(&err);
	g_narrowed++;
}

static void step(corm_conn *c, const corm_schema *from, const corm_schema *to,
	const char *to_src, const char *what, uint64_t seed, int n)
{
	corm_buf err = CORM_BUF_INIT;
	char version[32];
	int rc;

	snprintf(version, sizeof(version), "2027%010d", ++g_version);
	rc = mig_step(c, from, to, version, NULL, NULL, &err);
	corm_buf_free(&err);
	if (rc != CORM_OK || !mig_same_as(c, to_src, what)) {
		print_error("case %d of seed %llu failed (%s); schema:\n%s\n", n,
			(unsigned long long)seed, what, to_src);
		fail();
	}
}

static void test_property__random_pairs(void **state)
{
	const char *s_seed = getenv("CORM_MIG_SEED");
	const char *s_cases = getenv("CORM_MIG_CASES");
	uint64_t seed = s_seed ? strtoull(s_seed, NULL, 10)
		: (uint64_t)time(NULL) ^ (uint64_t)getpid();
	int cases = s_cases ? atoi(s_cases) : 200, n;
	corm_schema *empty = mig_parse("");
	const corm_migrate_engine *eng = NULL;
	bool transactional;
	mig_db db;
	char *tables;

	(void)state;
	printf("seed %llu, %d cases (CORM_MIG_SEED=%llu to replay)\n",
		(unsigned long long)seed, cases, (unsigned long long)seed);
	assert_int_equal(mig_db_open(&db, g_engine.name, g_engine.url), CORM_OK);
	assert_int_equal(corm_mig_engine_of(&eng, db.c), CORM_OK);
	transactional = eng->transactional_ddl;
	for (n = 0; n < cases; n++) {
		gschema ga, gb;
		corm_buf ta = CORM_BUF_INIT, tb = CORM_BUF_INIT;
		corm_schema *a, *b;

		g_rng = seed * 6364136223846793005ull + (uint64_t)n * 1442695040888963407ull + 1;
		random_schema(&ga);
		mutate(&gb, &ga);
		make_down_possible(&ga, &gb);
		print_schema(&ta, &ga);
		print_schema(&tb, &gb);
		if (getenv("CORM_MIG_VERBOSE"))
			printf("--- case %d A:\n%s--- B:\n%s", n, corm_buf_cstr(&ta),
				corm_buf_cstr(&tb));
		a = mig_parse(corm_buf_cstr(&ta));
		b = mig_parse(corm_buf_cstr(&tb));
		step(db.c, empty, a, corm_buf_cstr(&ta), "build A", seed, n);
		insert_rows(db.c, &ga, &gb);
		if (transactional && chance(25))
			step_fails(db.c, &ga, &gb, a, corm_buf_cstr(&ta), seed, n);
		step_narrow_fails(db.c, &ga, &gb, a, b, corm_buf_cstr(&ta), seed, n);
		step(db.c, a, b, corm_buf_cstr(&tb), "A -> B", seed, n);
		check_rows(db.c, &ga, &gb, &gb);
		step(db.c, b, a, corm_buf_cstr(&ta), "B -> A (down)", seed, n);
		check_rows(db.c, &ga, &gb, &ga);
		step(db.c, a, b, corm_buf_cstr(&tb), "A -> B again", seed, n);
		check_rows(db.c, &ga, &gb, &gb);
		step(db.c, b, empty, "", "B -> empty", seed, n);
		corm_schema_free(a);
		corm_schema_free(b);
		corm_buf_free(&ta);
		corm_buf_free(&tb);
	}
	printf("%d refused narrowings\n", g_narrowed);
	if (cases >= 100) /* the generator narrows strings often enough */
		assert_true(g_narrowed > 0);
	tables = mig_tables(db.c);
	assert_string_equal(tables, "corm_migrations;");
	corm_free(tables);
	corm_schema_free(empty);
	mig_db_close(&db);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_property__random_pairs),
	};
	int rc = test_engine_init(&g_engine, "test_migrate_property",
		argc > 1 ? argv[1] : NULL);

	if (rc)
		return rc;
	srand((unsigned)getpid());
	rc = cmocka_run_group_tests_name(g_engine.name, tests, NULL, NULL);
	mig_db_cleanup_all();
	test_engine_cleanup(&g_engine);
	return rc;
}
