/*
 * split.c — a migration file's SQL cut into statements (see migrate.h).
 *
 * The rules are deliberately few, so a reader can predict them:
 *
 * - A ';' ends a statement unless it is inside '...', "...", `...` (a
 *   doubled quote stays inside), a PostgreSQL dollar quote $tag$...$tag$,
 *   a "--" comment or a block comment. With `backslash_escapes` (MySQL),
 *   a backslash inside '...' escapes the next byte, as MySQL reads it; on
 *   the other engines a backslash is an ordinary byte.
 * - Inside a CREATE ... TRIGGER, PROCEDURE, FUNCTION or EVENT statement
 *   (and MariaDB's `BEGIN NOT ATOMIC` block), a ';' inside a BEGIN ... END
 *   body does not end it. BEGIN and CASE open a block, END closes one;
 *   END IF / LOOP / REPEAT / WHILE / FOR close blocks that are not
 *   counted, and END CASE closes a CASE. A word after '.' or '@'
 *   (NEW.end, @begin) is a name, never a keyword. Elsewhere BEGIN and
 *   END are ordinary words: `BEGIN;` and `END;` are statements.
 * - A line `DELIMITER xx` at the start of a statement (the mysql client's
 *   command, as in dumps) makes `xx` end statements until the next such
 *   line; the line itself is not a statement. Under a delimiter other
 *   than ';' blocks are not counted: the delimiter alone ends a statement.
 * - A piece that holds only whitespace and comments is not a statement;
 *   with `backslash_escapes` (MySQL), a block comment whose text starts
 *   with `!` or `M!` (an executable comment, as dumps write) is code.
 */
#include <ctype.h>
#include <string.h>

#include "corm_util.h"
#include "corm/driver.h"
#include "migrate.h"

void corm_mig_statements_free(char **stmts, size_t n)
{
	size_t i;

	if (!stmts)
		return;
	for (i = 0; i < n; i++)
		corm_free(stmts[i]);
	corm_free(stmts);
}

/* Is the block comment at s one MySQL runs (its text starts with `!`, or
 * with `M!` for MariaDB)? Dumps wrap statements in them. */
static bool executable_comment(const char *s, const char *e)
{
	return (s + 2 < e && s[2] == '!') ||
		(s + 3 < e && s[2] == 'M' && s[3] == '!');
}

/* Does [s, e) hold anything but whitespace and comments? On MySQL an
 * executable comment is code. */
static bool has_code(const char *s, const char *e, bool mysql)
{
	while (s < e) {
		if (isspace((unsigned char)*s)) {
			s++;
		} else if (s + 1 < e && s[0] == '-' && s[1] == '-') {
			while (s < e && *s != '\n')
				s++;
		} else if (s + 1 < e && s[0] == '/' && s[1] == '*' &&
			!(mysql && executable_comment(s, e))) {
			s += 2;
			while (s + 1 < e && !(s[0] == '*' && s[1] == '/'))
				s++;
			s += 2;
		} else {
			return true;
		}
	}
	return false;
}

static int push(char ***out, size_t *n, size_t *cap, const char *s,
	const char *e, bool mysql)
{
	char *stmt, **m;

	while (s < e && isspace((unsigned char)*s))
		s++;
	while (e > s && isspace((unsigned char)e[-1]))
		e--;
	if (!has_code(s, e, mysql))
		return CORM_OK;
	m = corm__grow(*out, cap, *n + 1, sizeof(char *));
	if (!m)
		return CORM_ENOMEM;
	*out = m;
	stmt = corm_strndup(s, (size_t)(e - s));
	if (!stmt)
		return CORM_ENOMEM;
	(*out)[(*n)++] = stmt;
	return CORM_OK;
}

/* ------------------------------------------------- blocks of a statement */

enum { TOK_WORD, TOK_QUOTED, TOK_PUNCT };

/* What the statement being read is, as far as BEGIN ... END goes. */
enum {
	ST_PLAIN,     /* no blocks: the first ';' ends it */
	ST_CREATE,    /* CREATE and the words before what it creates */
	ST_BEGIN,     /* BEGIN: maybe BEGIN NOT ATOMIC */
	ST_BEGIN_NOT,
	ST_COMPOUND   /* blocks are counted */
};

typedef struct stmt_state {
	size_t ntok;       /* code tokens read */
	int kind;          /* ST_* */
	int definer;       /* where in `DEFINER = user@host (...)` */
	size_t depth;      /* open blocks */
	bool end_pending;  /* END read: the next token says what it closes */
	bool after_prefix; /* the last token was '.' or '@' */
} stmt_state;

static bool is(const char *s, size_t n, const char *word)
{
	size_t i;

	for (i = 0; i < n && word[i]; i++)
		if (toupper((unsigned char)s[i]) != word[i])
			return false;
	return i == n && !word[i];
}

static bool is_any(const char *s, size_t n, const char *const *words)
{
	for (; *words; words++)
		if (is(s, n, *words))
			return true;
	return false;
}

/* Words between CREATE and what it creates. */
static const char *const create_options[] = {"OR", "REPLACE", "TEMP",
	"TEMPORARY", "AGGREGATE", "CONSTRAINT", NULL};
static const char *const compound_objects[] = {"TRIGGER", "PROCEDURE",
	"FUNCTION", "EVENT", NULL};
/* END <word> closing a block that is not counted. */
static const char *const uncounted_ends[] = {"IF", "LOOP", "REPEAT",
	"WHILE", "FOR", NULL};

/* A token after CREATE: options, `DEFINER = user@host`, then the kind of
 * object, which decides whether blocks are counted. */
static void head_token(stmt_state *st, int kind, bool word, const char *s,
	size_t n)
{
	bool punct = kind == TOK_PUNCT;

	switch (st->definer) {
	case 1: /* DEFINER: '=' */
		st->definer = punct && *s == '=' ? 2 : 0;
		if (!st->definer)
			st->kind = ST_PLAIN;
		return;
	case 2: /* the user */
		st->definer = 3;
		return;
	case 3: /* @host, (), or the end of the user */
		if (punct && (*s == '@' || *s == '(')) {
			st->definer = *s == '@' ? 4 : 5;
			return;
		}
		st->definer = 0;
		break;
	case 4: /* the host */
		st->definer = 3;
		return;
	case 5: /* CURRENT_USER() */
		if (punct && *s == ')')
			st->definer = 0;
		return;
	default:
		break;
	}
	if (!word)
		st->kind = ST_PLAIN;
	else if (is(s, n, "DEFINER"))
		st->definer = 1;
	else if (is_any(s, n, compound_objects))
		st->kind = ST_COMPOUND;
	else if (!is_any(s, n, create_options))
		st->kind = ST_PLAIN;
}

/* A token of a statement whose blocks are counted. */
static void body_token(stmt_state *st, bool word, const char *s, size_t n)
{
	if (st->end_pending) {
		st->end_pending = false;
		if (word && is_any(s, n, uncounted_ends))
			return;
		if (st->depth > 0)
			st->depth--;
		if (word && is(s, n, "CASE"))
			return; /* END CASE */
	}
	if (!word)
		return;
	if (is(s, n, "BEGIN") || is(s, n, "CASE"))
		st->depth++;
	else if (is(s, n, "END"))
		st->end_pending = true;
}

static void on_token(stmt_state *st, int kind, const char *s, size_t n)
{
	bool word = kind == TOK_WORD && !st->after_prefix;

	st->after_prefix = kind == TOK_PUNCT && (*s == '.' || *s == '@');
	if (st->ntok++ == 0) {
		st->kind = word && is(s, n, "CREATE") ? ST_CREATE
			: word && is(s, n, "BEGIN") ? ST_BEGIN : ST_PLAIN;
		return;
	}
	switch (st->kind) {
	case ST_CREATE:
		head_token(st, kind, word, s, n);
		break;
	case ST_BEGIN:
		st->kind = word && is(s, n, "NOT") ? ST_BEGIN_NOT : ST_PLAIN;
		break;
	case ST_BEGIN_NOT:
		st->kind = word && is(s, n, "ATOMIC") ? ST_COMPOUND : ST_PLAIN;
		st->depth = st->kind == ST_COMPOUND;
		break;
	case ST_COMPOUND:
		body_token(st, word, s, n);
		break;
	default:
		break;
	}
}

/* -------------------------------------------------------------- scanning */

static bool word_byte(char c)
{
	return isalnum((unsigned char)c) || c == '_' || c == '$' ||
		(unsigned char)c >= 0x80;
}

/* Past the quoted text that starts at p (its quote `*p`). */
static const char *skip_quoted(const char *p, const char *end, bool bs)
{
	char q = *p++;

	while (p < end) {
		if (q == '\'' && bs && *p == '\\' && p + 1 < end) {
			p += 2;
			continue;
		}
		if (*p == q) {
			if (p + 1 < end && p[1] == q) {
				p += 2;
				continue;
			}
			return p + 1;
		}
		p++;
	}
	return end;
}

/* Past a comment starting at p, or NULL when none starts there. */
static const char *skip_comment(const char *p, const char *end)
{
	if (p + 1 < end && p[0] == '-' && p[1] == '-') {
		while (p < end && *p != '\n')
			p++;
		return p;
	}
	if (p + 1 < end && p[0] == '/' && p[1] == '*') {
		p += 2;
		while (p + 1 < end && !(p[0] == '*' && p[1] == '/'))
			p++;
		return p + 2 <= end ? p + 2 : end;
	}
	return NULL;
}

/* At p a '$': past a dollar quote $tag$ ... $tag$ (tag empty or an
 * identifier), *quoted set; or past `$` and the word after it. */
static const char *skip_dollar(const char *p, const char *end, bool *quoted)
{
	const char *t = p + 1;

	while (t < end && (isalnum((unsigned char)*t) || *t == '_'))
		t++;
	*quoted = t < end && *t == '$' &&
		!(t > p + 1 && isdigit((unsigned char)p[1]));
	if (*quoted) {
		size_t tl = (size_t)(t - p) + 1;
		const char *s = t + 1;

		while (s + tl <= end && memcmp(s, p, tl) != 0)
			s++;
		return s + tl <= end ? s + tl : end;
	}
	return t;
}

/*
 * At p a word DELIMITER that starts a statement: when it is the first
 * word of its line and the line holds one more word and nothing else,
 * that word becomes the delimiter (`delim`, *dlen bytes, fewer than
 * `cap`); returns the end of the line. NULL when it is no such line.
 */
static const char *delimiter_line(const char *sql, const char *p,
	const char *end, char *delim, size_t cap, size_t *dlen)
{
	const char *b = p, *s, *e;

	while (b > sql && (b[-1] == ' ' || b[-1] == '\t'))
		b--;
	if (b > sql && b[-1] != '\n')
		return NULL;
	if (end - p <= 9 || !is(p, 9, "DELIMITER") || (p[9] != ' ' &&
			p[9] != '\t'))
		return NULL;
	for (s = p + 9; s < end && (*s == ' ' || *s == '\t'); s++)
		;
	for (e = s; e < end && !isspace((unsigned char)*e); e++)
		;
	if (e == s || (size_t)(e - s) >= cap)
		return NULL;
	for (b = e; b < end && *b != '\n'; b++)
		if (!isspace((unsigned char)*b))
			return NULL;
	*dlen = (size_t)(e - s);
	memcpy(delim, s, *dlen);
	return b;
}

int corm_mig_split(char ***out, size_t *n, const char *sql, size_t len,
	bool backslash_escapes)
{
	const char *p = sql, *end = sql + len, *start = sql;
	char **list = NULL;
	char delim[32] = ";";
	size_t count = 0, cap = 0, dlen = 1;
	stmt_state st = {0};
	int error = CORM_OK;

	*out = NULL;
	*n = 0;
	while (p < end && !error) {
		const char *q;
		bool quoted;

		if (dlen <= (size_t)(end - p) && memcmp(p, delim, dlen) == 0) {
			if (dlen == 1 && *p == ';') {
				on_token(&st, TOK_PUNCT, p, 1);
				if (st.depth > 0) {
					p++;
					continue;
				}
			}
			error = push(&list, &count, &cap, start, p,
				backslash_escapes);
			p += dlen;
			start = p;
			memset(&st, 0, sizeof(st));
		} else if (*p == '\'' || *p == '"' || *p == '`') {
			q = p;
			p = skip_quoted(p, end, backslash_escapes);
			on_token(&st, TOK_QUOTED, q, (size_t)(p - q));
		} else if ((q = skip_comment(p, end)) != NULL) {
			p = q;
		} else if (*p == '$') {
			q = p;
			p = skip_dollar(p, end, &quoted);
			on_token(&st, quoted ? TOK_QUOTED : TOK_PUNCT, q, 1);
		} else if (word_byte(*p)) {
			const char *line_end = st.ntok == 0 ? delimiter_line(sql, p,
				end, delim, sizeof(delim), &dlen) : NULL;

			if (line_end) {
				p = start = line_end;
				continue;
			}
			for (q = p; p < end && word_byte(*p); p++)
				;
			on_token(&st, TOK_WORD, q, (size_t)(p - q));
		} else if (isspace((unsigned char)*p)) {
			p++;
		} else {
			on_token(&st, TOK_PUNCT, p, 1);
			p++;
		}
	}
	if (!error)
		error = push(&list, &count, &cap, start, end,
			backslash_escapes);
	if (error) {
		corm_mig_statements_free(list, count);
		return error;
	}
	*out = list;
	*n = count;
	return CORM_OK;
}
