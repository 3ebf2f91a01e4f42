/*
 * introspect.c — a live database read back as .corm text (see migrate.h):
 * the part every engine shares.
 *
 * Each engine's reader (engine_<name>.c: SQLite pragmas, PostgreSQL
 * pg_catalog, MySQL/MariaDB information_schema) fills the neutral
 * catalogue of introspect_int.h (tables, columns, keys, indexes, foreign
 * keys, enum CHECKs and MySQL ENUM types), one query per kind of fact for
 * all the tables (ic_fact, ic_read_facts), with the parsing helpers here
 * for the engines' spellings of defaults and CHECKs; introspect_write.c
 * names things (using the hint schema where it agrees with the
 * database) and prints DSL text, which corm_schema_parse() turns into the IR. Building the
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

#include "migrate_engine.h"
#include "introspect_int.h"

void ic_db_free(ic_db *db)
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

ic_idx *ic_add_idx(ic_db *db, ic_table *t, const char *name, bool unique)
{
	ic_idx *x;
	size_t i;

	for (i = 0; i < t->nidx; i++)
		if (strcmp(t->idx[i].name, name) == 0)
			return &t->idx[i];
	x = grow((void **)&t->idx, &t->nidx, &t->idx_cap, sizeof(*x));
	if (!x) {
		db->error = CORM_ENOMEM;
		return NULL;
	}
	x->name = dup(db, name);
	x->unique = unique;
	return x;
}

/* ----------------------------------------------------- parsing helpers */

const char *ic_text_col(corm_stmt *st, int col, size_t *len)
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
void ic_literals(ic_db *db, ic_col *c, const char *s, bool backslash)
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
		push_str(db, &c->members, &c->nmembers, &c->members_cap,
			corm_buf_cstr(&b), b.len);
	}
	corm_buf_free(&b);
}

/* The first identifier in `s` quoted by one of `quotes`, into `out`. */
bool ic_first_ident(corm_buf *out, const char *s, const char *quotes)
{
	for (; *s; s++)
		if (strchr(quotes, *s)) {
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

bool ic_ieq(const char *a, size_t n, const char *b)
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
void ic_parse_default(ic_db *db, ic_col *c, const char *s, size_t n,
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
	if (!quoted && (ic_ieq(s, n, "NULL") || n == 0))
		goto done;
	if (!quoted && (ic_ieq(s, n, "CURRENT_TIMESTAMP") || ic_ieq(s, n,
			"current_timestamp(6") || ic_ieq(s, n, "current_timestamp(6)") ||
			ic_ieq(s, n, "CURRENT_DATE") || ic_ieq(s, n, "CURRENT_TIME") ||
			ic_ieq(s, n, "now(") || ic_ieq(s, n, "curdate(") ||
			ic_ieq(s, n, "curtime(") || ic_ieq(s, n, "current_timestamp(") ||
			ic_ieq(s, n, "curdate()") || ic_ieq(s, n, "curtime()") ||
			ic_ieq(s, n, "now()") || ic_ieq(s, n, "current_timestamp()"))) {
		c->def = CORM_DEFAULT_NOW;
		goto done;
	}
	if (c->type == CORM_COL_BOOL) {
		c->def_b = ic_ieq(s, n, "true") || ic_ieq(s, n, "1") ||
			ic_ieq(s, n, "t");
		if (c->def_b || ic_ieq(s, n, "false") || ic_ieq(s, n, "0") ||
			ic_ieq(s, n, "f"))
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

corm_on_delete ic_on_delete_of(const char *s, size_t n)
{
	if (ic_ieq(s, n, "CASCADE") || ic_ieq(s, n, "c"))
		return CORM_ON_DELETE_CASCADE;
	if (ic_ieq(s, n, "SET NULL") || ic_ieq(s, n, "n"))
		return CORM_ON_DELETE_SET_NULL;
	if (ic_ieq(s, n, "RESTRICT") || ic_ieq(s, n, "r"))
		return CORM_ON_DELETE_RESTRICT;
	return CORM_ON_DELETE_NO_ACTION;
}

/* A declared/catalogue type name → DSL type. `s` is upper-cased text
 * like "VARCHAR(64)", "DECIMAL_TEXT(10,2)", "CHARACTER VARYING". */
void ic_map_type(ic_col *c, const char *s)
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

void ic_upper(char *out, size_t cap, const char *s, size_t n)
{
	size_t i, j = 0;

	for (i = 0; i < n && j + 1 < cap; i++)
		if (!(s[i] == ' ' && j && out[j - 1] == ','))
			out[j++] = (char)toupper((unsigned char)s[i]);
	out[j] = '\0';
}

/* ---------------------------------------------------------- the readers */

static _Thread_local unsigned long statements;

unsigned long corm_ic__statements(void)
{
	return statements;
}

int ic_prep(corm_stmt **st, corm_conn *c, const char *sql,
	const char *param)
{
	int error = corm_stmt_prepare(st, c, sql);

	statements++;
	if (!error && param)
		error = corm_bind_text(*st, 1, param, strlen(param));
	return error;
}

/* Run `sql` (one text parameter or none); call `row` per row. */
int ic_each_row(ic_db *db, corm_conn *c, const char *sql,
	const char *param, ic_table *t,
	void (*row)(ic_db *, ic_table *, corm_stmt *))
{
	corm_stmt *st = NULL;
	int error = ic_prep(&st, c, sql, param), rc = CORM_DONE;

	while (!error && !db->error && (rc = corm_step(st)) == CORM_ROW)
		row(db, t, st);
	if (!error && rc != CORM_DONE && rc != CORM_ROW)
		error = rc;
	corm_stmt_free(st);
	return error ? error : db->error;
}

static bool named(const ic_table *t, const char *name, size_t n)
{
	return strlen(t->name) == n && memcmp(t->name, name, n) == 0;
}

/* The listed table named n bytes at `name`, or NULL. Rows come grouped
 * by table in the order of the list: look at the last row's table and
 * the next one before searching them all. */
static ic_table *listed_table(ic_db *db, const char *name, size_t n)
{
	size_t i;

	if (db->cursor + 1 < db->n && !named(&db->t[db->cursor], name, n) &&
		named(&db->t[db->cursor + 1], name, n))
		db->cursor++;
	if (db->cursor < db->n && named(&db->t[db->cursor], name, n))
		return &db->t[db->cursor];
	for (i = 0; i < db->n; i++)
		if (named(&db->t[i], name, n)) {
			db->cursor = i;
			return &db->t[i];
		}
	return NULL;
}

int ic_each_table_row(ic_db *db, corm_conn *c, const ic_fact *f)
{
	corm_stmt *st = NULL;
	int error = ic_prep(&st, c, f->sql, NULL), rc = CORM_DONE;

	db->cursor = 0;
	while (!error && !db->error && (rc = corm_step(st)) == CORM_ROW) {
		size_t n;
		const char *name = ic_text_col(st, f->table_col, &n);
		ic_table *t = name ? listed_table(db, name, n) : NULL;

		if (t)
			f->row(db, t, st);
	}
	if (!error && rc != CORM_DONE && rc != CORM_ROW)
		error = rc;
	corm_stmt_free(st);
	return error ? error : db->error;
}

int ic_read_facts(ic_db *db, corm_conn *c, const ic_fact *facts, size_t n)
{
	size_t i;
	int error = CORM_OK;

	for (i = 0; i < n && !error; i++)
		error = ic_each_table_row(db, c, &facts[i]);
	return error;
}

void ic_row_table(ic_db *db, ic_table *unused, corm_stmt *st)
{
	ic_table *t = grow((void **)&db->t, &db->n, &db->cap, sizeof(*t));
	size_t n;
	const char *s = ic_text_col(st, 0, &n);

	(void)unused;
	if (!t) {
		db->error = CORM_ENOMEM;
		return;
	}
	t->name = dupn(db, s, n);
}

int corm_introspect_pad_space(corm_buf *out, corm_conn *c)
{
	const corm_migrate_engine *eng;
	int error = corm_mig_engine_of(&eng, c);

	if (error || !eng->pad_space)
		return error;
	return eng->pad_space(out, c);
}

int corm_introspect_text(corm_buf *out, corm_conn *c, const corm_schema *hint)
{
	const corm_migrate_engine *eng;
	ic_db db;
	int error;

	memset(&db, 0, sizeof(db));
	if ((error = corm_mig_engine_of(&eng, c)) ||
		(eng->require_database && (error = eng->require_database(c))))
		return error;
	error = eng->read_catalogue(&db, c);
	if (!error)
		error = db.error;
	if (!error)
		error = corm_ic__write_dsl(out, &db, hint);
	if (error == CORM_ENOMEM && !*corm_errmsg(c))
		corm_conn__set_error(c, error, NULL, "out of memory while reading "
			"the tables");
	ic_db_free(&db);
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
