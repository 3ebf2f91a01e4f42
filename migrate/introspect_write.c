/*
 * introspect_write.c — the catalogue read from a database, printed as
 * .corm text (see introspect.c for what the hint schema supplies).
 *
 * Names: models are the hint's where the table is the hint's, else the
 * PascalCase of the table (with @@map when snake_case does not give the
 * table back); a foreign-key column `x_id` to a single-column key is a
 * relation field `x`; a column that is not an identifier is a field with
 * '_' for what an identifier cannot hold, after "f_" when it starts with
 * a digit, and @map; two columns that would get one field name get a
 * number added to one; a VARCHAR(64) with a CHECK listing identifiers (or
 * a MySQL ENUM, read as one) is an enum, named after the hint's enum with
 * the same members or else <Table><Column>. Declarations follow the hint's order, then the
 * database's.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect_int.h"



static bool is_ident(const char *s)
{
	size_t i;

	if (!s[0] || !(isalpha((unsigned char)s[0]) || s[0] == '_'))
		return false;
	for (i = 1; s[i]; i++)
		if (!(isalnum((unsigned char)s[i]) || s[i] == '_'))
			return false;
	return true;
}

/* "post_tags" -> "PostTags"; never empty, always an identifier. */
static void pascal(corm_buf *b, const char *s)
{
	bool up = true;
	size_t start = b->len;

	for (; *s; s++) {
		if (!isalnum((unsigned char)*s)) {
			up = true;
			continue;
		}
		if (b->len == start && isdigit((unsigned char)*s))
			corm_buf_putc(b, 'T');
		corm_buf_putc(b, up ? (char)toupper((unsigned char)*s) : *s);
		up = false;
	}
	if (b->len == start)
		corm_buf_putc(b, 'T');
}

/* A field name for a column: itself when it is an identifier, else the
 * column with '_' for each character an identifier cannot hold, after
 * "f_" when it is empty or starts with a digit ("2fa" -> f_2fa). The
 * caller adds @map when the name is not the column's. */
static void field_ident(corm_buf *b, const char *col)
{
	if (is_ident(col)) {
		corm_buf_puts(b, col);
		return;
	}
	if (!*col || isdigit((unsigned char)*col))
		corm_buf_puts(b, "f_");
	for (; *col; col++)
		corm_buf_putc(b, isalnum((unsigned char)*col) ? *col : '_');
}

static void dsl_string(corm_buf *b, const char *s)
{
	corm_buf_putc(b, '"');
	for (; *s; s++) {
		switch (*s) {
		case '"': corm_buf_puts(b, "\\\""); break;
		case '\\': corm_buf_puts(b, "\\\\"); break;
		case '\n': corm_buf_puts(b, "\\n"); break;
		case '\t': corm_buf_puts(b, "\\t"); break;
		case '\r': corm_buf_puts(b, "\\r"); break;
		default: corm_buf_putc(b, *s); break;
		}
	}
	corm_buf_putc(b, '"');
}

/* Enums found in CHECKs. */
typedef struct ic_enum {
	char *name;
	char **members;
	size_t n, cap;
	const corm_enum *hint;
} ic_enum;

typedef struct ic_writer {
	ic_db *db;
	const corm_schema *hint;
	ic_enum *enums;
	size_t nenums, enums_cap;
	corm_buf names; /* "\x01name\x01name\x01": every top-level name */
} ic_writer;

/* A set of names: "\x01name\x01name\x01". */
static bool name_taken(const corm_buf *set, const char *name)
{
	corm_buf k = CORM_BUF_INIT;
	bool taken;

	corm_buf_printf(&k, "\x01%s\x01", name);
	taken = set->ptr && strstr(set->ptr, corm_buf_cstr(&k));
	corm_buf_free(&k);
	return taken;
}

static void take_name(corm_buf *set, const char *name)
{
	if (!set->len)
		corm_buf_putc(set, '\x01');
	corm_buf_printf(set, "%s\x01", name);
}

/* A name from `base` (a buffer holding it) that is not in `set`, with a
 * number added when it is; added to `set`. NULL when out of memory. */
static char *unique_name(corm_buf *set, corm_buf *base)
{
	size_t len = base->len;
	int i;

	for (i = 2; name_taken(set, corm_buf_cstr(base)); i++) {
		base->len = len;
		corm_buf_printf(base, "%d", i);
	}
	take_name(set, corm_buf_cstr(base));
	if (corm_buf_error(set)) {
		corm_buf_free(base);
		return NULL;
	}
	return corm_buf_detach(base);
}

static bool members_equal_set(char **a, size_t n, const corm_enum *e)
{
	size_t i, j;

	if (n != e->nmembers)
		return false;
	for (i = 0; i < n; i++) {
		bool found = false;

		for (j = 0; j < n && !found; j++)
			found = strcmp(a[i], e->members[j].name) == 0;
		if (!found)
			return false;
	}
	return true;
}

static bool members_ok(const ic_col *c)
{
	size_t i, j;

	if (!c->nmembers || c->type != CORM_COL_STRING ||
		c->len != CORM_ENUM_COLUMN_LEN)
		return false;
	for (i = 0; i < c->nmembers; i++) {
		if (!is_ident(c->members[i]))
			return false;
		for (j = 0; j < i; j++)
			if (strcmp(c->members[i], c->members[j]) == 0)
				return false;
	}
	return true;
}

static const corm_field *hint_field(const ic_table *t, const char *col)
{
	size_t i;

	if (!t->hint)
		return NULL;
	for (i = 0; i < t->hint->nfields; i++)
		if (strcmp(t->hint->fields[i].column, col) == 0)
			return &t->hint->fields[i];
	return NULL;
}

/* The enum for column c (members_ok), found or made. Once out of
 * memory, "E": the text is not used, and an enum made then may lack
 * its name or members. */
static const char *enum_for(ic_writer *w, ic_table *t, ic_col *c)
{
	const corm_field *hf = hint_field(t, c->name);
	const corm_enum *he = NULL;
	corm_buf b = CORM_BUF_INIT;
	ic_enum *e;
	char *name;
	size_t i, j;

	if (w->db->error)
		return "E";
	if (hf && hf->enum_type && members_equal_set(c->members, c->nmembers,
			hf->enum_type))
		he = hf->enum_type;
	for (i = 0; !he && w->hint && i < w->hint->nenums; i++)
		if (members_equal_set(c->members, c->nmembers, &w->hint->enums[i]))
			he = &w->hint->enums[i];
	for (i = 0; i < w->nenums; i++) {
		e = &w->enums[i];
		if (he ? e->hint == he : (!e->hint && e->n == c->nmembers)) {
			bool same = true;

			for (j = 0; !he && j < e->n && same; j++)
				same = strcmp(e->members[j], c->members[j]) == 0;
			if (same)
				return e->name;
		}
	}
	if (he) {
		name = dup(w->db, he->name);
	} else {
		pascal(&b, t->name);
		pascal(&b, c->name);
		name = unique_name(&w->names, &b);
		corm_buf_free(&b);
	}
	if (!name || !(e = grow((void **)&w->enums, &w->nenums, &w->enums_cap,
			sizeof(*e)))) {
		w->db->error = CORM_ENOMEM;
		corm_free(name);
		return "E";
	}
	e->name = name;
	e->hint = he;
	if (he) {
		for (i = 0; i < he->nmembers; i++)
			push_str(w->db, &e->members, &e->n, &e->cap, he->members[i].name,
				strlen(he->members[i].name));
	} else {
		for (i = 0; i < c->nmembers; i++)
			push_str(w->db, &e->members, &e->n, &e->cap, c->members[i],
				strlen(c->members[i]));
	}
	return e->name;
}

/* The relation target of column c: a table whose single key it is. */
static ic_table *fk_target(ic_db *db, const ic_col *c)
{
	ic_table *t;

	if (!c->fk_table || !(t = find_table(db, c->fk_table)))
		return NULL;
	if (t->npk != 1 || strcmp(t->pk[0], c->fk_col) != 0)
		return NULL;
	return t;
}

/* The DSL field name a column would have on its own (into empty b). */
static void derived_field_name(corm_buf *b, ic_db *db, ic_col *c)
{
	size_t n = strlen(c->name);

	if (fk_target(db, c) && n > 3 && strcmp(c->name + n - 3, "_id") == 0) {
		corm_buf_put(b, c->name, n - 3);
		if (is_ident(corm_buf_cstr(b)))
			return;
		b->len = 0;
	}
	field_ident(b, c->name);
}

/*
 * Choose c->field for every column of t: the hint's names first, then
 * the names of columns that are identifiers, then the rest; a number is
 * added where two columns would get one name ("a_b" beside "a b", or
 * "item" beside a relation from "item_id").
 */
static void name_fields(ic_db *db, ic_table *t)
{
	corm_buf taken = CORM_BUF_INIT;
	size_t i;
	int pass;

	for (i = 0; i < t->ncols; i++) {
		const corm_field *hf = hint_field(t, t->cols[i].name);

		if (hf) {
			t->cols[i].field = dup(db, hf->name);
			take_name(&taken, hf->name);
		}
	}
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < t->ncols; i++) {
			ic_col *c = &t->cols[i];
			corm_buf b = CORM_BUF_INIT;

			if (c->field || (pass == 0 && !is_ident(c->name)))
				continue;
			derived_field_name(&b, db, c);
			if (!(c->field = unique_name(&taken, &b)))
				db->error = CORM_ENOMEM;
		}
	if (corm_buf_error(&taken))
		db->error = CORM_ENOMEM;
	corm_buf_free(&taken);
}

/* DSL field name of column `col` of t (name_fields() chose it). */
static const char *field_name(ic_table *t, const char *col)
{
	ic_col *c = find_col(t, col);

	/* NULL only after running out of memory, which is reported. */
	return c && c->field ? c->field : "f";
}

static void field_list(corm_buf *out, ic_table *t, char **cols, size_t n)
{
	size_t i;

	corm_buf_puts(out, "([");
	for (i = 0; i < n; i++)
		corm_buf_printf(out, "%s%s", i ? ", " : "", field_name(t, cols[i]));
	corm_buf_puts(out, "])");
}

static const corm_index *hint_index(const ic_table *t, const ic_idx *x,
	bool pk)
{
	const corm_model *m = t->hint;
	size_t i, j, k;

	if (!m)
		return NULL;
	if (pk)
		return &m->pk;
	for (k = 0; k < (x->unique ? m->nuniques : m->nindexes); k++) {
		const corm_index *ix = x->unique ? &m->uniques[k] : &m->indexes[k];
		bool same = ix->nfields == x->ncols;

		for (j = 0; j < x->ncols && same; j++)
			same = strcmp(m->fields[ix->fields[j]].column, x->cols[j]) == 0;
		if (same)
			return ix;
	}
	(void)i;
	return NULL;
}

/* Is index x written on its column's field (@unique / @index)? */
static bool on_field(const ic_table *t, const ic_idx *x)
{
	const corm_index *hx = hint_index(t, x, false);

	if (x->ncols != 1)
		return false;
	return hx ? hx->from_field : true;
}

/* A time or timestamp as engines print it ("2024-01-02 03:04:05+00",
 * "...05.000000") in the DSL's form: ' ' not 'T', no zone (UTC), no
 * trailing zeros in the fraction. */
static void temporal(corm_buf *b, const char *s)
{
	size_t n = strlen(s), i;

	while (n && (s[n - 1] == 'Z' || isspace((unsigned char)s[n - 1])))
		n--;
	if (n > 3 && (strncmp(s + n - 3, "+00", 3) == 0))
		n -= 3;
	else if (n > 6 && strncmp(s + n - 6, "+00:00", 6) == 0)
		n -= 6;
	if (memchr(s, '.', n)) {
		while (n && s[n - 1] == '0')
			n--;
		if (n && s[n - 1] == '.')
			n--;
	}
	for (i = 0; i < n; i++)
		corm_buf_putc(b, s[i] == 'T' ? ' ' : s[i]);
}

static void write_default(corm_buf *out, ic_table *t, ic_col *c,
	bool is_enum)
{
	const corm_field *hf = hint_field(t, c->name);

	switch (c->def) {
	case CORM_DEFAULT_NONE:
		return;
	case CORM_DEFAULT_NOW:
		if (c->type != CORM_COL_DATE && c->type != CORM_COL_TIME &&
			c->type != CORM_COL_TIMESTAMP)
			return;
		corm_buf_puts(out, " @default(now)");
		return;
	case CORM_DEFAULT_BOOL:
		corm_buf_printf(out, " @default(%s)", c->def_b ? "true" : "false");
		return;
	case CORM_DEFAULT_INT:
	case CORM_DEFAULT_FLOAT:
		if (hf && (hf->def.kind == CORM_DEFAULT_INT ||
				hf->def.kind == CORM_DEFAULT_FLOAT) &&
			strtod(hf->def.text, NULL) == strtod(c->def_text, NULL))
			corm_buf_printf(out, " @default(%s)", hf->def.text);
		else
			corm_buf_printf(out, " @default(%s)", c->def_text);
		return;
	default:
		corm_buf_puts(out, " @default(");
		if (is_enum) {
			corm_buf_puts(out, c->def_text);
		} else if (c->type == CORM_COL_TIMESTAMP ||
			c->type == CORM_COL_TIME) {
			corm_buf db = CORM_BUF_INIT, hint = CORM_BUF_INIT;

			temporal(&db, c->def_text);
			if (hf && hf->def.kind == CORM_DEFAULT_STRING)
				temporal(&hint, hf->def.text);
			if (hint.len && strcmp(corm_buf_cstr(&db),
					corm_buf_cstr(&hint)) == 0)
				dsl_string(out, hf->def.text);
			else
				dsl_string(out, corm_buf_cstr(&db));
			corm_buf_free(&db);
			corm_buf_free(&hint);
		} else {
			dsl_string(out, c->def_text);
		}
		corm_buf_putc(out, ')');
		return;
	}
}

static void write_type(corm_buf *out, const ic_col *c)
{
	corm_buf_puts(out, corm_coltype_name(c->type));
	if (c->type == CORM_COL_STRING)
		corm_buf_printf(out, "(%d)", c->len);
	else if (c->type == CORM_COL_DECIMAL)
		corm_buf_printf(out, "(%d, %d)", c->prec, c->scale);
}

static void write_field(ic_writer *w, corm_buf *out, ic_table *t, ic_col *c)
{
	const corm_field *hf = hint_field(t, c->name);
	ic_table *target = fk_target(w->db, c);
	const char *name = field_name(t, c->name);
	bool is_enum = !target && members_ok(c) &&
		(c->def != CORM_DEFAULT_STRING || !c->def_text ||
			(is_ident(c->def_text) && members_ok(c)));
	bool mapped;
	size_t i;

	corm_buf_printf(out, "    %s ", name);
	if (target) {
		corm_buf_puts(out, target->model);
	} else if (is_enum) {
		corm_buf_puts(out, enum_for(w, t, c));
	} else if (c->sqlite_auto && hf && hf->is_auto) {
		/* SQLite's key is INTEGER whatever the width: the hint's. */
		corm_buf_puts(out, corm_coltype_name(hf->type));
	} else {
		write_type(out, c);
	}
	if (c->nullable)
		corm_buf_putc(out, '?');
	if (t->npk == 1 && strcmp(t->pk[0], c->name) == 0 &&
		!(t->hint && t->hint->pk_from_model))
		corm_buf_puts(out, " @id");
	if (c->is_auto)
		corm_buf_puts(out, " @auto");
	for (i = 0; i < t->nidx; i++) {
		ic_idx *x = &t->idx[i];

		if (x->ncols == 1 && !x->hidden &&
			strcmp(x->cols[0], c->name) == 0 && on_field(t, x))
			corm_buf_puts(out, x->unique ? " @unique" : " @index");
	}
	write_default(out, t, c, is_enum);
	if (target) {
		corm_on_delete od = c->on_delete;
		static const char *const names[] = {"no_action", "restrict",
			"cascade", "set_null"};

		if (c->on_delete_restrictish && hf &&
			(hf->on_delete == CORM_ON_DELETE_RESTRICT ||
				hf->on_delete == CORM_ON_DELETE_NO_ACTION))
			od = hf->on_delete;
		else if (c->on_delete_restrictish)
			od = CORM_ON_DELETE_NO_ACTION;
		if (od != CORM_ON_DELETE_NO_ACTION)
			corm_buf_printf(out, " @on_delete(%s)", names[od]);
		/* The column is `<field>_id` unless mapped. */
		{
			corm_buf def = CORM_BUF_INIT;

			corm_buf_printf(&def, "%s_id", name);
			mapped = hf ? hf->column_mapped
				: strcmp(corm_buf_cstr(&def), c->name) != 0;
			corm_buf_free(&def);
		}
	} else {
		mapped = hf ? hf->column_mapped
			: strcmp(name, c->name) != 0;
	}
	if (mapped) {
		corm_buf_puts(out, " @map(");
		dsl_string(out, c->name);
		corm_buf_putc(out, ')');
	}
	corm_buf_putc(out, '\n');
}

static void write_model(ic_writer *w, corm_buf *out, ic_table *t)
{
	const corm_model *hm = t->hint;
	bool *done = corm_calloc(t->ncols + 1, sizeof(bool));
	size_t i, j, k;

	if (!done) {
		w->db->error = CORM_ENOMEM;
		return;
	}
	name_fields(w->db, t);
	corm_buf_printf(out, "model %s {\n", t->model);
	/* The hint's field order first, then the database's. */
	for (i = 0; hm && i < hm->nfields; i++)
		for (j = 0; j < t->ncols; j++)
			if (!done[j] && strcmp(t->cols[j].name, hm->fields[i].column) == 0) {
				write_field(w, out, t, &t->cols[j]);
				done[j] = true;
			}
	for (j = 0; j < t->ncols; j++)
		if (!done[j])
			write_field(w, out, t, &t->cols[j]);
	if (t->npk > 1 || (t->npk == 1 && hm && hm->pk_from_model)) {
		corm_buf_puts(out, "    @@id");
		field_list(out, t, t->pk, t->npk);
		corm_buf_putc(out, '\n');
	}
	/* @@unique, then @@index: the hint's order, then by name. */
	for (k = 0; k < 2; k++) {
		bool unique = k == 0;
		const corm_index *list = !hm ? NULL : unique ? hm->uniques
			: hm->indexes;
		size_t n = !hm ? 0 : unique ? hm->nuniques : hm->nindexes;
		bool *out_done = corm_calloc(t->nidx + 1, sizeof(bool));

		if (!out_done) {
			w->db->error = CORM_ENOMEM;
			break;
		}
		for (i = 0; i <= n; i++)
			for (j = 0; j < t->nidx; j++) {
				ic_idx *x = &t->idx[j];

				if (out_done[j] || x->unique != unique || x->hidden ||
					on_field(t, x))
					continue;
				if (i < n && hint_index(t, x, false) != &list[i])
					continue;
				corm_buf_puts(out, unique ? "    @@unique" : "    @@index");
				field_list(out, t, x->cols, x->ncols);
				corm_buf_putc(out, '\n');
				out_done[j] = true;
			}
		corm_free(out_done);
	}
	if (hm ? hm->table_mapped : false) {
		corm_buf_puts(out, "    @@map(");
		dsl_string(out, t->name);
		corm_buf_puts(out, ")\n");
	} else if (!hm) {
		char *snake = corm_snake_case(t->model);

		if (!snake) {
			w->db->error = CORM_ENOMEM;
		} else if (strcmp(snake, t->name) != 0) {
			corm_buf_puts(out, "    @@map(");
			dsl_string(out, t->name);
			corm_buf_puts(out, ")\n");
		}
		corm_free(snake);
	}
	corm_buf_puts(out, "}\n");
	corm_free(done);
}

static void write_enum(corm_buf *out, const char *name, char **members,
	size_t n)
{
	size_t i;

	corm_buf_printf(out, "enum %s {", name);
	for (i = 0; i < n; i++)
		corm_buf_printf(out, " %s", members[i]);
	corm_buf_puts(out, " }\n\n");
}

int corm_ic__write_dsl(corm_buf *out, ic_db *db, const corm_schema *hint)
{
	ic_writer w;
	corm_buf models = CORM_BUF_INIT;
	size_t *order = corm_calloc(db->n + 1, sizeof(size_t));
	bool *placed = corm_calloc(db->n + 1, sizeof(bool));
	size_t i, j, n = 0;
	int error;

	memset(&w, 0, sizeof(w));
	w.db = db;
	w.hint = hint;
	if (!order || !placed) {
		db->error = CORM_ENOMEM;
		goto done;
	}
	/* Names: the hint's where the table is the hint's, reserved first. */
	for (i = 0; hint && i < hint->nmodels; i++)
		take_name(&w.names, hint->models[i].name);
	for (i = 0; hint && i < hint->nenums; i++)
		take_name(&w.names, hint->enums[i].name);
	for (i = 0; hint && i < hint->nmodels; i++)
		for (j = 0; j < db->n; j++)
			if (!placed[j] && strcmp(db->t[j].name,
					hint->models[i].table) == 0) {
				db->t[j].hint = &hint->models[i];
				db->t[j].model = dup(db, hint->models[i].name);
				placed[j] = true;
				order[n++] = j;
			}
	for (j = 0; j < db->n; j++) {
		corm_buf b = CORM_BUF_INIT;

		if (placed[j])
			continue;
		pascal(&b, db->t[j].name);
		db->t[j].model = unique_name(&w.names, &b);
		if (!db->t[j].model)
			db->error = CORM_ENOMEM;
		corm_buf_free(&b);
		order[n++] = j;
	}
	for (i = 0; i < n && !db->error; i++) {
		corm_buf_putc(&models, '\n');
		write_model(&w, &models, &db->t[order[i]]);
	}
	if (db->error)
		goto done; /* the enums may lack names or members */
	for (i = 0; hint && i < hint->nenums; i++) {
		const corm_enum *e = &hint->enums[i];
		size_t k;

		corm_buf_printf(out, "enum %s {", e->name);
		for (k = 0; k < e->nmembers; k++)
			corm_buf_printf(out, " %s", e->members[k].name);
		corm_buf_puts(out, " }\n\n");
	}
	for (i = 0; i < w.nenums; i++)
		if (!w.enums[i].hint)
			write_enum(out, w.enums[i].name, w.enums[i].members,
				w.enums[i].n);
	corm_buf_put(out, corm_buf_cstr(&models), models.len);
done:
	error = db->error ? db->error : corm_buf_error(&models);
	if (!error)
		error = corm_buf_error(&w.names);
	if (!error)
		error = corm_buf_error(out);
	for (i = 0; i < w.nenums; i++) {
		corm_free(w.enums[i].name);
		free_strs(w.enums[i].members, w.enums[i].n);
	}
	corm_free(w.enums);
	corm_buf_free(&w.names);
	corm_buf_free(&models);
	corm_free(order);
	corm_free(placed);
	return error;
}

