/*
 * introspect.c — a live database read back as .corm text (see migrate.h).
 *
 Each engine's reader (SQLite pragmas, PostgreSQL pg_catalog,
 * MySQL/MariaDB information_schema) fills the neutral catalogue of
 * introspect_int.h (tables, columns, keys, indexes, foreign keys, enum
 * CHECKs and MySQL ENUM types), with parsing helpers for the engines'
 * spellings of defaults and CHECKs; introspect_write.c names things
 * (using the hint schema where it agrees with the database) and prints
 * DSL text, which corm_schema_parse() turns into the IR. Building the
 * IR by parsing DSL keeps one validator for every producer.
 *
 * What a database cannot say and the hint supplies: DSL names of models,
 * fields and enums (else derived from SQL names), declaration order, an
 * SQLite @auto key's integer width (all are INTEGER there), the literal
 * spelling of numeric defaults (MySQL prints 0.5 in DECIMAL(5,2) as
 * 0.50), RESTRICT against NO ACTION on MySQL (InnoDB reports both as
 * RESTRICT), and enums no column uses.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "introspect_int.h"

static void db_free(ic_db *db)
{
	size_t i, j;

	for (i = 0; i < db->n; i++) {
		ic_table *t = &db->t[i];

		for (j = 0; j < t->ncols; j++) {
			ic_col *c = &t->cols[j];

			corm_free(c->name);
			corm_free(c->def_text);
			free_strs(c->members, c->nmembers);
			corm_free(c->fk_table);
			corm_free(c->fk_col);
			corm_free(c->field);
		}
		corm_free(t->cols);
		free_strs(t->pk, t->npk);
		for (j = 0; j < t->nidx; j++) {
			corm_free(t->idx[j].name);
			free_strs(t->idx[j].cols, t->idx[j].ncols);
		}
		corm_free(t->idx);
		corm_free(t->name);
		corm_free(t->model);
	}
	corm_free(db->t);
}

static ic_idx *add_idx(ic_db *db, ic_table *t, const char *name, bool unique)
{
	ic_idx *x;
	size_t i;

	for (i = 0; i < t->nidx; i++)
		if (strcmp(t->idx[i].name, name) == 0)
			return &t->idx[i];
	x = grow((void **)&t->idx, &t->nidx, sizeof(*x));
	if (!x) {
		db->error = CORM_ENOMEM;
		return NULL;
	}
	x->name = dup(db, name);
	x->unique = unique;
	return x;
}

/* ----------------------------------------------------- parsing helpers */

static const char *text_col(corm_stmt *st, int col, size_t *len)
{
	const char *s = NULL;

	*len = 0;
	if (corm_column_is_null(st, col) ||
		corm_column_text(&s, len, st, col) != CORM_OK)
		return NULL;
	return s;
}

/*
 * The character that backslash + `c` stands for in a MySQL string
 * literal, which is how MariaDB prints defaults, CHECKs and ENUM types:
 * \n newline, \t tab, \0 NUL and so on; \% and \_ (LIKE's escapes)
 * keep their backslash; any other character stands for itself.
 */
static void put_mysql_escape(corm_buf *b, char c)
{
	switch (c) {
	case '0': corm_buf_putc(b, '\0'); break;
	case 'b': corm_buf_putc(b, '\b'); break;
	case 'n': corm_buf_putc(b, '\n'); break;
	case 'r': corm_buf_putc(b, '\r'); break;
	case 't': corm_buf_putc(b, '\t'); break;
	case 'Z': corm_buf_putc(b, '\x1a'); break;
	case '%':
	case '_':
		corm_buf_putc(b, '\\');
		corm_buf_putc(b, c);
		break;
	default: corm_buf_putc(b, c); break;
	}
}

/* Every '...' literal in `s`, decoded, appended to members. */
static void literals(ic_db *db, ic_col *c, const char *s, bool backslash)
{
	corm_buf b = CORM_BUF_INIT;

	while (s && *s) {
		if (*s != '\'') {
			s++;
			continue;
		}
		corm_buf_clear(&b);
		for (s++; *s; s++) {
			if (*s == '\\' && backslash && s[1]) {
				put_mysql_escape(&b, *++s);
				continue;
			}
			if (*s == '\'') {
				if (s[1] != '\'')
					break;
				s++;
			}
			corm_buf_putc(&b, *s);
		}
		if (*s)
			s++;
		if (corm_buf_error(&b)) {
			db->error = CORM_ENOMEM;
			break;
		}
		push_str(db, &c->members, &c->nmembers, corm_buf_cstr(&b), b.len);
	}
	corm_buf_free(&b);
}

/* The first quoted identifier in `s` ("x" or `x`), into `out`. */
static bool first_ident(corm_buf *out, const char *s)
{
	for (; *s; s++)
		if (*s == '"' || *s == '`') {
			char q = *s;

			for (s++; *s; s++) {
				if (*s == q) {
					if (s[1] != q)
						return !corm_buf_error(out);
					s++;
				}
				corm_buf_putc(out, *s);
			}
			return false;
		}
	return false;
}

static bool is_number(const char *s, size_t n)
{
	size_t i = 0;
	bool digit = false;

	if (i < n && (s[i] == '-' || s[i] == '+'))
		i++;
	for (; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (s[i] != '.' && s[i] != 'e' && s[i] != 'E' && s[i] != '-' &&
			s[i] != '+')
			return false;
	}
	return digit;
}

static bool ieq(const char *a, size_t n, const char *b)
{
	size_t i;

	if (strlen(b) != n)
		return false;
	for (i = 0; i < n; i++)
		if (tolower((unsigned char)a[i]) != tolower((unsigned char)b[i]))
			return false;
	return true;
}

/*
 * An engine's default expression → c->def. Handles 'text' (with ''
 * doubled, optional ::cast), numbers (optionally quoted and cast, as
 * PostgreSQL prints negatives), TRUE/FALSE, CURRENT_TIMESTAMP and the
 * other "now" spellings, NULL.
 */
static void parse_default(ic_db *db, ic_col *c, const char *s, size_t n,
	bool backslash)
{
	bool quoted = false;
	corm_buf b = CORM_BUF_INIT;
	const char *e;

	if (!s)
		return;
	while (n && (isspace((unsigned char)*s) || *s == '(')) {
		s++;
		n--;
	}
	while (n && (isspace((unsigned char)s[n - 1]) || s[n - 1] == ')')) {
		/* keep "now()"'s parentheses out of the way */
		n--;
	}
	if (n && *s == '\'') {
		size_t i;

		quoted = true;
		for (i = 1; i < n; i++) {
			if (s[i] == '\\' && backslash && i + 1 < n) {
				put_mysql_escape(&b, s[++i]);
				continue;
			}
			if (s[i] == '\'') {
				if (i + 1 < n && s[i + 1] == '\'') {
					i++;
				} else {
					break;
				}
			}
			corm_buf_putc(&b, s[i]);
		}
	} else {
		/* strip a ::cast */
		e = s;
		while (e < s + n && !(e[0] == ':' && e + 1 < s + n && e[1] == ':'))
			e++;
		corm_buf_put(&b, s, (size_t)(e - s));
	}
	if (corm_buf_error(&b)) {
		db->error = CORM_ENOMEM;
		goto done;
	}
	s = corm_buf_cstr(&b);
	n = b.len;
	if (!quoted && (ieq(s, n, "NULL") || n == 0))
		goto done;
	if (!quoted && (ieq(s, n, "CURRENT_TIMESTAMP") || ieq(s, n,
			"current_timestamp(6") || ieq(s, n, "current_timestamp(6)") ||
			ieq(s, n, "CURRENT_DATE") || ieq(s, n, "CURRENT_TIME") ||
			ieq(s, n, "now(") || ieq(s, n, "curdate(") ||
			ieq(s, n, "curtime(") || ieq(s, n, "current_timestamp(") ||
			ieq(s, n, "curdate()") || ieq(s, n, "curtime()") ||
			ieq(s, n, "now()") || ieq(s, n, "current_timestamp()"))) {
		c->def = CORM_DEFAULT_NOW;
		goto done;
	}
	if (c->type == CORM_COL_BOOL) {
		c->def_b = ieq(s, n, "true") || ieq(s, n, "1") || ieq(s, n, "t");
		if (c->def_b || ieq(s, n, "false") || ieq(s, n, "0") ||
			ieq(s, n, "f"))
			c->def = CORM_DEFAULT_BOOL;
		goto done;
	}
	if ((!quoted || c->type <= CORM_COL_F64 || c->type == CORM_COL_DECIMAL) &&
		is_number(s, n) && c->type != CORM_COL_STRING &&
		c->type != CORM_COL_TEXT) {
		bool frac = memchr(s, '.', n) || memchr(s, 'e', n) ||
			memchr(s, 'E', n);

		c->def = frac ? CORM_DEFAULT_FLOAT : CORM_DEFAULT_INT;
		c->def_text = dupn(db, s, n);
		goto done;
	}
	/* Any other expression (nextval(), a function call) is not a DSL
	 * default: leave it out rather than print something invalid. So is
	 * text in a numeric column. */
	if (!quoted || c->type <= CORM_COL_F64 || c->type == CORM_COL_DECIMAL ||
		c->type == CORM_COL_BYTES)
		goto done;
	/* Nor is text with a NUL in it (MariaDB's \0): the DSL has no way
	 * to write it. */
	if (memchr(s, '\0', n))
		goto done;
	c->def = CORM_DEFAULT_STRING;
	c->def_text = dupn(db, s, n);
done:
	corm_buf_free(&b);
}

static corm_on_delete on_delete_of(const char *s, size_t n)
{
	if (ieq(s, n, "CASCADE") || ieq(s, n, "c"))
		return CORM_ON_DELETE_CASCADE;
	if (ieq(s, n, "SET NULL") || ieq(s, n, "n"))
		return CORM_ON_DELETE_SET_NULL;
	if (ieq(s, n, "RESTRICT") || ieq(s, n, "r"))
		return CORM_ON_DELETE_RESTRICT;
	return CORM_ON_DELETE_NO_ACTION;
}

/* A declared/catalogue type name → DSL type. `s` is upper-cased text
 * like "VARCHAR(64)", "DECIMAL_TEXT(10,2)", "CHARACTER VARYING". */
static void map_type(ic_col *c, const char *s)
{
	static const struct {
		const char *name;
		corm_coltype t;
	} plain[] = {
		{"SMALLINT", CORM_COL_I16}, {"INTEGER", CORM_COL_I32},
		{"INT", CORM_COL_I32}, {"BIGINT", CORM_COL_I64},
		{"FLOAT", CORM_COL_F32}, {"REAL", CORM_COL_F32},
		{"DOUBLE", CORM_COL_F64}, {"DOUBLE PRECISION", CORM_COL_F64},
		{"BOOLEAN", CORM_COL_BOOL}, {"TINYINT(1)", CORM_COL_BOOL},
		{"TEXT", CORM_COL_TEXT}, {"LONGTEXT", CORM_COL_TEXT},
		{"BLOB", CORM_COL_BYTES}, {"LONGBLOB", CORM_COL_BYTES},
		{"BYTEA", CORM_COL_BYTES}, {"DATE", CORM_COL_DATE},
		{"TIME", CORM_COL_TIME}, {"TIME(6)", CORM_COL_TIME},
		{"TIME WITHOUT TIME ZONE", CORM_COL_TIME},
		{"TIMESTAMP", CORM_COL_TIMESTAMP}, {"DATETIME(6)", CORM_COL_TIMESTAMP},
		{"TIMESTAMPTZ", CORM_COL_TIMESTAMP},
		{"TIMESTAMP WITH TIME ZONE", CORM_COL_TIMESTAMP},
		{"UUID", CORM_COL_UUID}, {"CHAR(36)", CORM_COL_UUID},
		{"JSON_TEXT", CORM_COL_JSON}, {"JSONB", CORM_COL_JSON},
		{"JSON", CORM_COL_JSON},
		/* MySQL 5.7-style display widths */
		{"SMALLINT(6)", CORM_COL_I16}, {"INT(11)", CORM_COL_I32},
		{"BIGINT(20)", CORM_COL_I64},
	};
	size_t i;
	int a, b;

	for (i = 0; i < sizeof(plain) / sizeof(plain[0]); i++)
		if (strcmp(s, plain[i].name) == 0) {
			c->type = plain[i].t;
			c->known = true;
			return;
		}
	if (sscanf(s, "VARCHAR(%d)", &a) == 1) {
		c->type = CORM_COL_STRING;
		c->len = a;
		c->known = true;
	} else if (sscanf(s, "DECIMAL_TEXT(%d,%d)", &a, &b) == 2 ||
		sscanf(s, "DECIMAL(%d,%d)", &a, &b) == 2 ||
		sscanf(s, "NUMERIC(%d,%d)", &a, &b) == 2) {
		c->type = CORM_COL_DECIMAL;
		c->prec = a;
		c->scale = b;
		c->known = true;
	} else {
		c->type = CORM_COL_TEXT; /* not a corm type: read as text */
	}
}

static void upper(char *out, size_t cap, const char *s, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n && j + 1 < cap; i++)
		if (!(s[i] == ' ' && j && out[j - 1] == ','))
			out[j++] = (char)toupper((unsigned char)s[i]);
	out[j] = '\0';
}

/* ---------------------------------------------------------- the readers */

static int prep(corm_stmt **st, corm_conn *c, const char *sql,
	const char *param)
{
	int error = corm_stmt_prepare(st, c, sql);

	if (!error && param)
		error = corm_bind_text(*st, 1, param, strlen(param));
	return error;
}

/* Run `sql` (one text parameter or none); call `row` per row. */
static int each_row(ic_db *db, corm_conn *c, const char *sql,
	const char *param, ic_table *t,
	void (*row)(ic_db *, ic_table *, corm_stmt *))
{
	corm_stmt *st = NULL;
	int error = prep(&st, c, sql, param), rc = CORM_DONE;

	while (!error && !db->error && (rc = corm_step(st)) == CORM_ROW)
		row(db, t, st);
	if (!error && rc != CORM_DONE && rc != CORM_ROW)
		error = rc;
	corm_stmt_free(st);
	return error ? error : db->error;
}

static void row_table(ic_db *db, ic_table *unused, corm_stmt *st)
{
	ic_table *t = grow((void **)&db->t, &db->n, sizeof(*t));
	size_t n;
	const char *s = text_col(st, 0, &n);

	(void)unused;
	if (!t) {
		db->error = CORM_ENOMEM;
		return;
	}
	t->name = dupn(db, s, n);
}

/* SQLite */

static void sqlite_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	ic_col *c = grow((void **)&t->cols, &t->ncols, sizeof(*c));
	char up[128];
	size_t n;
	const char *s;
	int64_t notnull = 0, pk = 0;

	if (!c) {
		db->error = CORM_ENOMEM;
		return;
	}
	s = text_col(st, 0, &n);
	c->name = dupn(db, s, n);
	s = text_col(st, 1, &n);
	upper(up, sizeof(up), s ? s : "", n);
	map_type(c, up);
	corm_column_int64(&notnull, st, 2);
	corm_column_int64(&pk, st, 4);
	c->nullable = !notnull && !pk;
	s = text_col(st, 3, &n);
	parse_default(db, c, s, n, false);
	(void)pk;
}

static void sqlite_pk(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *s = text_col(st, 0, &n);

	push_str(db, &t->pk, &t->npk, s, n);
}

static void sqlite_fk(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, m;
	const char *from = text_col(st, 0, &n);
	ic_col *c;
	char name[512];

	snprintf(name, sizeof(name), "%.*s", (int)n, from ? from : "");
	if (!(c = find_col(t, name)))
		return;
	from = text_col(st, 1, &n);
	c->fk_table = dupn(db, from, n);
	from = text_col(st, 2, &n);
	c->fk_col = dupn(db, from, n);
	from = text_col(st, 3, &m);
	c->on_delete = on_delete_of(from ? from : "", m);
}

static void sqlite_index(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, on;
	const char *name = text_col(st, 0, &n);
	const char *origin = text_col(st, 2, &on);
	int64_t unique = 0;

	corm_column_int64(&unique, st, 1);
	if (origin && ieq(origin, on, "pk"))
		return;
	{
		char buf[512];

		snprintf(buf, sizeof(buf), "%.*s", (int)n, name ? name : "");
		add_idx(db, t, buf, unique != 0);
	}
}

static void idx_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *s = text_col(st, 0, &n);
	ic_idx *x = &t->idx[t->nidx - 1];

	push_str(db, &x->cols, &x->ncols, s, n);
}

/* Just past the quoted identifier that `s` starts with, or NULL. */
static const char *past_ident(const char *s)
{
	char q = *s;

	if (q != '"' && q != '`')
		return NULL;
	for (s++; *s; s++)
		if (*s == q && *++s != q)
			return s;
	return NULL;
}

/* The enum CHECKs in a CREATE TABLE text: `CHECK ("col" IN ('a', 'b'))`.
 * Other CHECKs are skipped: the range CHECK corm gives an i16 or i32
 * column (`CHECK ("col" BETWEEN ...)`, ddl.c) says nothing the type does
 * not, so a table with or without it (an older corm) reads the same. */
static void sqlite_checks(ic_db *db, ic_table *t, const char *sql)
{
	const char *p = sql;

	while (p && (p = strstr(p, "CHECK (")) != NULL) {
		corm_buf col = CORM_BUF_INIT;
		const char *in;
		ic_col *c;

		p += 7;
		in = past_ident(p);
		if (in && strncmp(in, " IN (", 5) == 0 && first_ident(&col, p) &&
			(c = find_col(t, corm_buf_cstr(&col))) != NULL) {
			const char *end = strstr(in, "))");
			char *part = end ? dupn(db, in, (size_t)(end - in)) : NULL;

			if (part)
				literals(db, c, part, false);
			corm_free(part);
		}
		corm_buf_free(&col);
	}
}

static int read_sqlite(ic_db *db, corm_conn *c)
{
	size_t i, j;
	int error;

	error = each_row(db, c, "SELECT name FROM sqlite_master WHERE type = "
		"'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' AND name <> "
		"'corm_migrations' ORDER BY name", NULL, NULL, row_table);
	for (i = 0; i < db->n && !error; i++) {
		ic_table *t = &db->t[i];
		corm_stmt *st = NULL;

		error = each_row(db, c, "SELECT name, type, \"notnull\", dflt_value, "
			"pk FROM pragma_table_info(?) ORDER BY cid", t->name, t,
			sqlite_col);
		if (!error)
			error = each_row(db, c, "SELECT name FROM pragma_table_info(?) "
				"WHERE pk > 0 ORDER BY pk", t->name, t, sqlite_pk);
		if (!error)
			error = each_row(db, c, "SELECT \"from\", \"table\", \"to\", "
				"on_delete FROM pragma_foreign_key_list(?)", t->name, t,
				sqlite_fk);
		if (!error)
			error = prep(&st, c, "SELECT sql FROM sqlite_master WHERE "
				"type = 'table' AND name = ?", t->name);
		if (!error && corm_step(st) == CORM_ROW) {
			size_t n;
			const char *sql = text_col(st, 0, &n);
			char *copy = dupn(db, sql, n);

			if (copy) {
				char *u = copy;

				for (; *u; u++)
					*u = (char)toupper((unsigned char)*u);
				/* An AUTOINCREMENT key is the only INTEGER PRIMARY KEY
				 * corm writes. */
				if (strstr(copy, "AUTOINCREMENT") && t->npk == 1) {
					ic_col *k = find_col(t, t->pk[0]);

					if (k) {
						k->is_auto = k->sqlite_auto = true;
						k->type = CORM_COL_I64;
					}
				}
				corm_free(copy);
				sqlite_checks(db, t, sql);
			}
		}
		corm_stmt_free(st);
		if (!error)
			error = each_row(db, c, "SELECT name, \"unique\", origin FROM "
				"pragma_index_list(?) ORDER BY name", t->name, t,
				sqlite_index);
		for (j = 0; j < t->nidx && !error; j++) {
			size_t keep = t->nidx;

			/* idx_col appends to the last index: read one at a time. */
			t->nidx = j + 1;
			error = each_row(db, c, "SELECT name FROM pragma_index_info(?) "
				"ORDER BY seqno", t->idx[j].name, t, idx_col);
			t->nidx = keep;
		}
		if (!error)
			error = db->error;
	}
	return error;
}

/* PostgreSQL */

static void pg_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	ic_col *c = grow((void **)&t->cols, &t->ncols, sizeof(*c));
	char up[128];
	size_t n;
	const char *s;
	int64_t len = 0, prec = 0, scale = 0;

	if (!c) {
		db->error = CORM_ENOMEM;
		return;
	}
	s = text_col(st, 0, &n);
	c->name = dupn(db, s, n);
	s = text_col(st, 1, &n);
	upper(up, sizeof(up), s ? s : "", n);
	if (!corm_column_is_null(st, 2))
		corm_column_int64(&len, st, 2);
	if (!corm_column_is_null(st, 3))
		corm_column_int64(&prec, st, 3);
	if (!corm_column_is_null(st, 4))
		corm_column_int64(&scale, st, 4);
	if (strcmp(up, "CHARACTER VARYING") == 0) {
		c->type = CORM_COL_STRING;
		c->len = (int)len;
		c->known = true;
	} else if (strcmp(up, "NUMERIC") == 0) {
		c->type = CORM_COL_DECIMAL;
		c->prec = (int)prec;
		c->scale = (int)scale;
		c->known = true;
	} else {
		map_type(c, up);
	}
	s = text_col(st, 5, &n);
	c->nullable = s && ieq(s, n, "YES");
	s = text_col(st, 7, &n);
	c->is_auto = s && ieq(s, n, "YES");
	s = text_col(st, 6, &n);
	if (!c->is_auto)
		parse_default(db, c, s, n, false);
}

static void split_list(ic_db *db, char ***out, size_t *n, const char *s,
	size_t len)
{
	size_t i, start = 0;

	for (i = 0; i <= len; i++)
		if (i == len || s[i] == '\x01') {
			push_str(db, out, n, s + start, i - start);
			start = i + 1;
		}
}

static void pg_con(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, cn;
	const char *name = text_col(st, 0, &n);
	const char *type = text_col(st, 1, &n);
	const char *cols = text_col(st, 2, &cn);
	char **list = NULL;
	size_t nlist = 0, i;
	char nbuf[256];

	if (!type || !cols)
		return;
	name = text_col(st, 0, &n);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, name ? name : "");
	type = text_col(st, 1, &n);
	split_list(db, &list, &nlist, cols, cn);
	if (db->error || !nlist)
		goto done;
	if (*type == 'p') {
		for (i = 0; i < nlist; i++)
			push_str(db, &t->pk, &t->npk, list[i], strlen(list[i]));
	} else if (*type == 'u') {
		ic_idx *x = add_idx(db, t, nbuf, true);

		for (i = 0; x && i < nlist; i++)
			push_str(db, &x->cols, &x->ncols, list[i], strlen(list[i]));
	} else if (*type == 'f' && nlist == 1) {
		ic_col *c = find_col(t, list[0]);
		const char *s;

		if (c) {
			s = text_col(st, 3, &n);
			c->fk_table = dupn(db, s, n);
			s = text_col(st, 4, &n);
			c->fk_col = dupn(db, s, n);
			s = text_col(st, 5, &n);
			c->on_delete = on_delete_of(s ? s : "a", n);
		}
	} else if (*type == 'c' && nlist == 1) {
		ic_col *c = find_col(t, list[0]);
		const char *def = text_col(st, 6, &n);
		char *copy = dupn(db, def, n);

		if (c && copy && strstr(copy, "ARRAY["))
			literals(db, c, strstr(copy, "ARRAY["), false);
		else if (c && copy && strstr(copy, " = '"))
			literals(db, c, strstr(copy, " = '"), false); /* one member */
		corm_free(copy);
	}
done:
	free_strs(list, nlist);
}

static void pg_index(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, cn;
	const char *name = text_col(st, 0, &n);
	const char *cols = text_col(st, 2, &cn);
	bool unique = false;
	char nbuf[256];
	ic_idx *x;

	corm_column_bool(&unique, st, 1);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, name ? name : "");
	if (!cols || !(x = add_idx(db, t, nbuf, unique)))
		return;
	split_list(db, &x->cols, &x->ncols, cols, cn);
}

static int read_pg(ic_db *db, corm_conn *c)
{
	size_t i;
	int error;

	error = each_row(db, c, "SELECT table_name FROM information_schema.tables "
		"WHERE table_schema = current_schema() AND table_type = 'BASE "
		"TABLE' AND table_name <> 'corm_migrations' ORDER BY table_name",
		NULL, NULL, row_table);
	for (i = 0; i < db->n && !error; i++) {
		ic_table *t = &db->t[i];

		error = each_row(db, c, "SELECT column_name, data_type, "
			"character_maximum_length, numeric_precision, numeric_scale, "
			"is_nullable, column_default, is_identity FROM "
			"information_schema.columns WHERE table_schema = "
			"current_schema() AND table_name = $1 ORDER BY ordinal_position",
			t->name, t, pg_col);
		if (!error)
			error = each_row(db, c, "SELECT con.conname, con.contype::text, "
				"(SELECT string_agg(a.attname, chr(1) ORDER BY k.ord) FROM "
				"unnest(con.conkey) WITH ORDINALITY k(attnum, ord) JOIN "
				"pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = "
				"k.attnum), ft.relname, (SELECT a.attname FROM pg_attribute a "
				"WHERE a.attrelid = con.confrelid AND a.attnum = "
				"con.confkey[1]), con.confdeltype::text, "
				"pg_get_constraintdef(con.oid) FROM pg_constraint con JOIN "
				"pg_class rel ON rel.oid = con.conrelid JOIN pg_namespace ns "
				"ON ns.oid = rel.relnamespace LEFT JOIN pg_class ft ON ft.oid "
				"= con.confrelid WHERE ns.nspname = current_schema() AND "
				"rel.relname = $1 ORDER BY con.conname", t->name, t, pg_con);
		if (!error)
			error = each_row(db, c, "SELECT i.relname, ix.indisunique, "
				"(SELECT string_agg(a.attname, chr(1) ORDER BY k.ord) FROM "
				"unnest(ix.indkey::int2[]) WITH ORDINALITY k(attnum, ord) "
				"JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = "
				"k.attnum) FROM pg_index ix JOIN pg_class i ON i.oid = "
				"ix.indexrelid JOIN pg_class t ON t.oid = ix.indrelid JOIN "
				"pg_namespace ns ON ns.oid = t.relnamespace WHERE ns.nspname "
				"= current_schema() AND t.relname = $1 AND NOT EXISTS (SELECT "
				"1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid AND "
				"c.conrelid = t.oid AND c.contype IN ('p', 'u', 'x')) ORDER "
				"BY i.relname", t->name, t, pg_index);
	}
	return error;
}

/* MySQL / MariaDB */

static void my_col(ic_db *db, ic_table *t, corm_stmt *st)
{
	ic_col *c = grow((void **)&t->cols, &t->ncols, sizeof(*c));
	char up[128];
	size_t n;
	const char *s;

	if (!c) {
		db->error = CORM_ENOMEM;
		return;
	}
	s = text_col(st, 0, &n);
	c->name = dupn(db, s, n);
	s = text_col(st, 1, &n);
	if (s && n > 5 && ieq(s, 5, "enum(")) {
		/* A native ENUM('a','b'): the members in the type, stored as
		 * the enum columns of the other engines, so it reads back as
		 * the same DSL enum. */
		char *list = dupn(db, s + 4, n - 4);

		if (list)
			literals(db, c, list, true);
		corm_free(list);
		c->type = CORM_COL_STRING;
		c->len = CORM_ENUM_COLUMN_LEN;
		c->known = true;
	} else {
		upper(up, sizeof(up), s ? s : "", n);
		map_type(c, up);
	}
	s = text_col(st, 2, &n);
	c->nullable = s && ieq(s, n, "YES");
	s = text_col(st, 4, &n);
	c->is_auto = s && n && strstr(s, "auto_increment");
	s = text_col(st, 3, &n);
	if (!c->is_auto && s && db->mysql_bare_strings &&
		(c->type == CORM_COL_STRING || c->type == CORM_COL_TEXT ||
			c->type == CORM_COL_UUID || c->type == CORM_COL_DATE ||
			c->type == CORM_COL_TIME || c->type == CORM_COL_TIMESTAMP) &&
		!strstr(s, "CURRENT_") && !strstr(s, "curdate") &&
		!strstr(s, "curtime")) {
		/* MySQL 8 prints a string default without its quotes. */
		corm_buf q = CORM_BUF_INIT;

		corm_buf_putc(&q, '\'');
		for (; n; n--, s++) {
			if (*s == '\'')
				corm_buf_putc(&q, '\'');
			corm_buf_putc(&q, *s);
		}
		corm_buf_putc(&q, '\'');
		if (corm_buf_error(&q))
			db->error = CORM_ENOMEM;
		else
			parse_default(db, c, q.ptr, q.len, false);
		corm_buf_free(&q);
	} else if (!c->is_auto) {
		parse_default(db, c, s, n, true);
	}
}

static void my_index(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n, cn;
	const char *name = text_col(st, 0, &n);
	const char *col = text_col(st, 2, &cn);
	int64_t nonunique = 1;
	char nbuf[256];

	corm_column_int64(&nonunique, st, 1);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, name ? name : "");
	if (strcmp(nbuf, "PRIMARY") == 0) {
		push_str(db, &t->pk, &t->npk, col, cn);
	} else {
		ic_idx *x = add_idx(db, t, nbuf, nonunique == 0);

		if (x)
			push_str(db, &x->cols, &x->ncols, col, cn);
	}
}

static void my_fk(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *s = text_col(st, 1, &n);
	char nbuf[256];
	ic_col *c;
	size_t i;

	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, s ? s : "");
	if (!(c = find_col(t, nbuf)))
		return;
	s = text_col(st, 2, &n);
	c->fk_table = dupn(db, s, n);
	s = text_col(st, 3, &n);
	c->fk_col = dupn(db, s, n);
	s = text_col(st, 4, &n);
	c->on_delete = on_delete_of(s ? s : "", n);
	c->on_delete_restrictish = c->on_delete == CORM_ON_DELETE_RESTRICT ||
		c->on_delete == CORM_ON_DELETE_NO_ACTION;
	/* InnoDB made an index named after the constraint when the column had
	 * none: it is not the schema's. */
	s = text_col(st, 0, &n);
	snprintf(nbuf, sizeof(nbuf), "%.*s", (int)n, s ? s : "");
	for (i = 0; i < t->nidx; i++)
		if (strcmp(t->idx[i].name, nbuf) == 0 && !t->idx[i].unique &&
			t->idx[i].ncols == 1 && strcmp(t->idx[i].cols[0], c->name) == 0)
			t->idx[i].hidden = true;
}

static void my_check(ic_db *db, ic_table *t, corm_stmt *st)
{
	size_t n;
	const char *s = text_col(st, 0, &n);
	char *copy = dupn(db, s, n);
	corm_buf col = CORM_BUF_INIT;
	ic_col *c;

	if (copy && first_ident(&col, copy) &&
		(c = find_col(t, corm_buf_cstr(&col)))) {
		if (strstr(copy, "json_valid"))
			c->json_check = true;
		else if (strstr(copy, " in (") || strstr(copy, " IN ("))
			literals(db, c, strstr(copy, "("), true);
		else if (strstr(copy, " = '")) /* MariaDB's IN ('one') */
			literals(db, c, strstr(copy, " = '"), true);
	}
	corm_buf_free(&col);
	corm_free(copy);
}

static int read_mysql(ic_db *db, corm_conn *c)
{
	size_t i, j;
	int error;

	{
		corm_stmt *st = NULL;

		/* MariaDB quotes string defaults in COLUMN_DEFAULT; MySQL 8 does
		 * not. */
		if (prep(&st, c, "SELECT VERSION()", NULL) == CORM_OK &&
			corm_step(st) == CORM_ROW) {
			size_t n;
			const char *v = text_col(st, 0, &n);
			char buf[128];

			snprintf(buf, sizeof(buf), "%.*s", (int)n, v ? v : "");
			db->mysql_bare_strings = !strstr(buf, "MariaDB");
		}
		corm_stmt_free(st);
	}
	error = each_row(db, c, "SELECT TABLE_NAME FROM information_schema.TABLES "
		"WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' AND "
		"TABLE_NAME <> 'corm_migrations' ORDER BY TABLE_NAME", NULL, NULL,
		row_table);
	for (i = 0; i < db->n && !error; i++) {
		ic_table *t = &db->t[i];

		error = each_row(db, c, "SELECT COLUMN_NAME, COLUMN_TYPE, "
			"IS_NULLABLE, COLUMN_DEFAULT, EXTRA FROM information_schema."
			"COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? "
			"ORDER BY ORDINAL_POSITION", t->name, t, my_col);
		if (!error)
			error = each_row(db, c, "SELECT INDEX_NAME, NON_UNIQUE, "
				"COLUMN_NAME FROM information_schema.STATISTICS WHERE "
				"TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ? ORDER BY "
				"INDEX_NAME, SEQ_IN_INDEX", t->name, t, my_index);
		if (!error)
			error = each_row(db, c, "SELECT k.CONSTRAINT_NAME, k.COLUMN_NAME, "
				"k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
				"r.DELETE_RULE FROM information_schema.KEY_COLUMN_USAGE k "
				"JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON "
				"r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND "
				"r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = "
				"k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() AND "
				"k.TABLE_NAME = ? AND k.REFERENCED_TABLE_NAME IS NOT NULL",
				t->name, t, my_fk);
		if (!error) {
			/* MariaDB names the table in CHECK_CONSTRAINTS; MySQL 8
			 * only through TABLE_CONSTRAINTS. */
			error = each_row(db, c, "SELECT CHECK_CLAUSE FROM "
				"information_schema.CHECK_CONSTRAINTS WHERE "
				"CONSTRAINT_SCHEMA = DATABASE() AND TABLE_NAME = ?", t->name,
				t, my_check);
			if (error && error != CORM_ENOMEM)
				error = each_row(db, c, "SELECT cc.CHECK_CLAUSE FROM "
					"information_schema.TABLE_CONSTRAINTS tc JOIN "
					"information_schema.CHECK_CONSTRAINTS cc ON "
					"cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA AND "
					"cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME WHERE "
					"tc.TABLE_SCHEMA = DATABASE() AND tc.TABLE_NAME = ? AND "
					"tc.CONSTRAINT_TYPE = 'CHECK'", t->name, t, my_check);
		}
		for (j = 0; j < t->ncols && !error; j++)
			if (t->cols[j].json_check && t->cols[j].type == CORM_COL_TEXT)
				t->cols[j].type = CORM_COL_JSON;
	}
	return error;
}

/* Does collation `s` count trailing spaces? MariaDB names its NO PAD
 * collations *_nopad_*; MySQL 8's *_0900_* ones are all NO PAD. */
static bool is_nopad(const char *s, size_t n)
{
	char name[128];

	snprintf(name, sizeof(name), "%.*s", (int)n, s);
	return strstr(name, "_nopad_") || strstr(name, "_0900_") ||
		strcmp(name, "binary") == 0;
}

/* Append the first n bytes of `s` quoted (s may be NULL). */
static int quote_n(corm_buf *out, const corm_dialect *d, const char *s,
	size_t n)
{
	char *z = corm_strndup(s ? s : "", s ? n : 0);
	int error;

	if (!z)
		return CORM_ENOMEM;
	error = corm_dialect_quote(out, d, z);
	corm_free(z);
	return error;
}

/* "\nname\n" is in `list`, the names of the tables to convert written
 * each after a "\n", with one at the end. */
static bool listed(const corm_buf *list, const char *name, size_t n)
{
	const char *p = corm_buf_cstr(list);

	while ((p = strstr(p, "\n")) != NULL) {
		p++;
		if (strncmp(p, name, n) == 0 && p[n] == '\n')
			return true;
	}
	return false;
}

/* The tables holding text under a PAD SPACE collation, into `list`: a
 * column's, or the table's default (which columns added later take). */
static int pad_space_tables(corm_buf *list, corm_conn *c)
{
	corm_stmt *st = NULL;
	const char *s, *coll;
	size_t n, cn;
	int rc = CORM_DONE, error;

	error = prep(&st, c, "SELECT TABLE_NAME, COLLATION_NAME FROM "
		"information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE() AND "
		"COLLATION_NAME IS NOT NULL AND TABLE_NAME <> 'corm_migrations' "
		"UNION SELECT TABLE_NAME, TABLE_COLLATION FROM "
		"information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE() AND "
		"TABLE_TYPE = 'BASE TABLE' AND TABLE_COLLATION IS NOT NULL AND "
		"TABLE_NAME <> 'corm_migrations' ORDER BY 1", NULL);
	corm_buf_putc(list, '\n');
	while (!error && (rc = corm_step(st)) == CORM_ROW) {
		s = text_col(st, 0, &n);
		coll = text_col(st, 1, &cn);
		if (s && coll && !is_nopad(coll, cn) && !listed(list, s, n)) {
			corm_buf_put(list, s, n);
			corm_buf_putc(list, '\n');
		}
	}
	if (!error && rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
	corm_stmt_free(st);
	return error ? error : corm_buf_error(list);
}

/* One foreign key, gathered column by column. */
typedef struct pad_fk {
	corm_buf table, name, ref, cols, refcols;
	char rules[80];
	bool text;   /* a text column: MariaDB will not convert it (1832) */
} pad_fk;

/* Drop (into `drops`) and add back (into `adds`) the foreign key in
 * `fk` when it has a text column and touches a table in `list`. */
static void pad_fk_flush(corm_buf *drops, corm_buf *adds, pad_fk *fk,
	const corm_buf *list, const corm_dialect *d)
{
	const char *t = corm_buf_cstr(&fk->table), *r = corm_buf_cstr(&fk->ref);

	if (fk->table.len && fk->text && (listed(list, t, strlen(t)) ||
			listed(list, r, strlen(r)))) {
		corm_buf_puts(drops, "ALTER TABLE ");
		corm_dialect_quote(drops, d, t);
		corm_buf_puts(drops, " DROP FOREIGN KEY ");
		corm_dialect_quote(drops, d, corm_buf_cstr(&fk->name));
		corm_buf_puts(drops, ";\n");
		corm_buf_puts(adds, "ALTER TABLE ");
		corm_dialect_quote(adds, d, t);
		corm_buf_puts(adds, " ADD CONSTRAINT ");
		corm_dialect_quote(adds, d, corm_buf_cstr(&fk->name));
		corm_buf_printf(adds, " FOREIGN KEY (%s) REFERENCES ",
			corm_buf_cstr(&fk->cols));
		corm_dialect_quote(adds, d, r);
		corm_buf_printf(adds, " (%s)%s;\n", corm_buf_cstr(&fk->refcols),
			fk->rules);
	}
	corm_buf_clear(&fk->table);
	corm_buf_clear(&fk->name);
	corm_buf_clear(&fk->ref);
	corm_buf_clear(&fk->cols);
	corm_buf_clear(&fk->refcols);
	fk->text = false;
}

/* MariaDB refuses to change the collation of a column in a foreign key,
 * even with foreign_key_checks off (error 1832): those keys are dropped
 * before the conversion and added back after it. */
static int pad_space_fks(corm_buf *drops, corm_buf *adds, corm_conn *c,
	const corm_buf *list)
{
	const corm_dialect *d = corm_conn_dialect(c);
	pad_fk fk;
	corm_stmt *st = NULL;
	int rc = CORM_DONE, error;

	memset(&fk, 0, sizeof(fk));
	error = prep(&st, c, "SELECT k.TABLE_NAME, k.CONSTRAINT_NAME, "
		"k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, "
		"r.DELETE_RULE, r.UPDATE_RULE, c.COLLATION_NAME FROM "
		"information_schema.KEY_COLUMN_USAGE k JOIN "
		"information_schema.REFERENTIAL_CONSTRAINTS r ON "
		"r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = "
		"k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME JOIN "
		"information_schema.COLUMNS c ON c.TABLE_SCHEMA = k.TABLE_SCHEMA "
		"AND c.TABLE_NAME = k.TABLE_NAME AND c.COLUMN_NAME = k.COLUMN_NAME "
		"WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS "
		"NOT NULL ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, "
		"k.ORDINAL_POSITION", NULL);
	while (!error && (rc = corm_step(st)) == CORM_ROW) {
		size_t tn, nn, n;
		const char *t = text_col(st, 0, &tn), *name = text_col(st, 1, &nn);
		const char *s;

		if (!t || !name)
			continue;
		if (tn != fk.table.len || nn != fk.name.len ||
			memcmp(t, corm_buf_cstr(&fk.table), tn) != 0 ||
			memcmp(name, corm_buf_cstr(&fk.name), nn) != 0) {
			size_t dn, un;
			const char *del = text_col(st, 5, &dn);
			const char *upd = text_col(st, 6, &un);

			pad_fk_flush(drops, adds, &fk, list, d);
			corm_buf_put(&fk.table, t, tn);
			corm_buf_put(&fk.name, name, nn);
			s = text_col(st, 3, &n);
			corm_buf_put(&fk.ref, s ? s : "", s ? n : 0);
			snprintf(fk.rules, sizeof(fk.rules),
				" ON DELETE %.*s ON UPDATE %.*s", (int)(del ? dn : 0),
				del ? del : "", (int)(upd ? un : 0), upd ? upd : "");
		} else {
			corm_buf_puts(&fk.cols, ", ");
			corm_buf_puts(&fk.refcols, ", ");
		}
		s = text_col(st, 2, &n);
		error = quote_n(&fk.cols, d, s, n);
		s = text_col(st, 4, &n);
		if (!error)
			error = quote_n(&fk.refcols, d, s, n);
		if (!corm_column_is_null(st, 7))
			fk.text = true;
	}
	if (!error && rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
	if (!error)
		pad_fk_flush(drops, adds, &fk, list, d);
	corm_stmt_free(st);
	corm_buf_free(&fk.table);
	corm_buf_free(&fk.name);
	corm_buf_free(&fk.ref);
	corm_buf_free(&fk.cols);
	corm_buf_free(&fk.refcols);
	return error;
}

int corm_introspect_pad_space(corm_buf *out, corm_conn *c)
{
	const corm_dialect *d = corm_conn_dialect(c);
	const char *p, *e;
	corm_buf list = CORM_BUF_INIT, drops = CORM_BUF_INIT,
		 adds = CORM_BUF_INIT, name = CORM_BUF_INIT;
	int error;

	if (strcmp(d->name, "mysql") != 0)
		return CORM_OK;
	if ((error = pad_space_tables(&list, c)) != CORM_OK || list.len == 1 ||
		(error = pad_space_fks(&drops, &adds, c, &list)) != CORM_OK)
		goto done;
	corm_buf_puts(out, "SET foreign_key_checks = 0;\n");
	corm_buf_puts(out, corm_buf_cstr(&drops));
	for (p = corm_buf_cstr(&list) + 1; (e = strchr(p, '\n')); p = e + 1) {
		corm_buf_clear(&name);
		corm_buf_put(&name, p, (size_t)(e - p));
		corm_buf_puts(out, "ALTER TABLE ");
		corm_dialect_quote(out, d, corm_buf_cstr(&name));
		/* The collation's name as in dialect_mysql.c: the statement
		 * goes into a migration file, which may run on either. */
		corm_buf_puts(out, " CONVERT TO CHARACTER SET utf8mb4"
			" /*M!100202 COLLATE utf8mb4_nopad_bin*/"
			" /*!80017 COLLATE utf8mb4_0900_bin*/;\n");
	}
	corm_buf_puts(out, corm_buf_cstr(&adds));
	corm_buf_puts(out, "SET foreign_key_checks = 1;\n");
	error = corm_buf_error(out) ? corm_buf_error(out)
		: corm_buf_error(&drops) ? corm_buf_error(&drops)
		: corm_buf_error(&adds);
done:
	corm_buf_free(&list);
	corm_buf_free(&drops);
	corm_buf_free(&adds);
	corm_buf_free(&name);
	return error;
}

int corm_introspect_text(corm_buf *out, corm_conn *c, const corm_schema *hint)
{
	const char *engine = corm_conn_dialect(c)->name;
	ic_db db;
	int error;

	memset(&db, 0, sizeof(db));
	if (strcmp(engine, "sqlite") == 0)
		error = read_sqlite(&db, c);
	else if (strcmp(engine, "postgres") == 0)
		error = read_pg(&db, c);
	else
		error = read_mysql(&db, c);
	if (!error)
		error = db.error;
	if (!error)
		error = corm_ic__write_dsl(out, &db, hint);
	if (error == CORM_ENOMEM && !*corm_errmsg(c))
		corm_conn__set_error(c, error, NULL, "out of memory while reading "
			"the tables");
	db_free(&db);
	return error;
}

int corm_introspect(corm_schema **out, corm_conn *c, const corm_schema *hint)
{
	corm_buf text = CORM_BUF_INIT;
	corm_diags diags = CORM_DIAGS_INIT;
	int error;
	size_t i;

	*out = NULL;
	error = corm_introspect_text(&text, c, hint);
	if (!error)
		error = corm_schema_parse(out, &diags, corm_buf_cstr(&text),
			text.len);
	if (error == CORM_EINVAL) {
		/* Not the engine's failure: say what the schema read was
		 * refused for (a name too long for another dialect, say). */
		const char *why = "";

		for (i = 0; i < diags.count && !*why; i++)
			if (diags.items[i].level == CORM_DIAG_ERROR)
				why = diags.items[i].msg;
		corm_conn__set_error(c, error, NULL, "the tables do not read as a "
			"valid schema: %s", *why ? why : "(no diagnostic)");
	}
	corm_diags_free(&diags);
	corm_buf_free(&text);
	return error;
}
