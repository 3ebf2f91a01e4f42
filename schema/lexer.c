/*
 * lexer.c — bytes to tokens for the schema DSL.
 *
 * Comments are tokens (the parser keeps them for `corm fmt` and for doc
 * comments); newlines are tokens (a field ends at the end of its line);
 * every other whitespace, '\r' included, separates tokens. Any byte
 * sequence is accepted: what is not a token is reported once per run of
 * bad bytes and comes back as TK_ERROR, so the parser can recover without
 * reporting it again. The input is a (pointer, length) pair and may hold
 * NUL bytes.
 */
#include <string.h>

#include "internal.h"
#include "corm_util.h"

static bool is_alpha(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool is_alnum(int c)
{
	return is_alpha(c) || is_digit(c);
}

static bool is_space(int c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

bool cg_is_ident(cg_str s)
{
	size_t i;

	if (s.n == 0 || !is_alpha((unsigned char)s.p[0]))
		return false;
	for (i = 1; i < s.n; i++)
		if (!is_alnum((unsigned char)s.p[i]))
			return false;
	return true;
}

void cg_lexer_init(cg_lexer *lx, cg_ctx *ctx)
{
	memset(lx, 0, sizeof(*lx));
	lx->ctx = ctx;
	lx->src = ctx->src;
	lx->len = ctx->len;
	lx->line = 1;
	/* A UTF-8 byte order mark is not part of the text. */
	if (lx->len >= 3 && memcmp(lx->src, "\xef\xbb\xbf", 3) == 0) {
		lx->pos = 3;
		lx->line_start = 3;
	}
}

static int clamp_int(size_t v)
{
	return v > 0x7fffffff ? 0x7fffffff : (int)v;
}

static corm_loc loc_at(const cg_lexer *lx, size_t pos)
{
	corm_loc l;

	l.line = lx->line;
	l.col = clamp_int(pos - lx->line_start + 1);
	return l;
}

static int span(size_t from, size_t to)
{
	return clamp_int(to > from ? to - from : 1);
}

static unsigned char peek_at(const cg_lexer *lx, size_t pos)
{
	return pos < lx->len ? (unsigned char)lx->src[pos] : 0;
}

/* Bytes of a valid UTF-8 character at pos (< len), or 0. */
static size_t utf8_at(const cg_lexer *lx, size_t pos)
{
	return corm__utf8_next((const unsigned char *)lx->src + pos,
		lx->len - pos, NULL);
}

/* Can a token start with byte c? */
static bool starts_token(int c)
{
	return is_alnum(c) || c == '-' || c == '"' || c == '@' || c == '{' ||
		c == '}' || c == '(' || c == ')' || c == '[' || c == ']' ||
		c == ',' || c == '?' || c == '/' || c == '\n' || is_space(c);
}

static void lex_comment(cg_lexer *lx, cg_token *t, size_t start)
{
	cg_ctx *c = lx->ctx;
	bool nul_seen = false;

	if (lx->src[start + 1] == '/') {
		size_t p = start + 2;

		while (p < lx->len && lx->src[p] != '\n') {
			if (lx->src[p] == '\0' && !nul_seen) {
				cg_error(c, loc_at(lx, p), 1, "NUL byte in a comment");
				nul_seen = true;
			}
			p++;
		}
		/* Trailing whitespace is not part of the comment. */
		while (p > start + 2 && is_space((unsigned char)lx->src[p - 1]))
			p--;
		t->text.n = p - start;
		lx->pos = p;
		while (lx->pos < lx->len && lx->src[lx->pos] != '\n')
			lx->pos++;
		t->end_line = lx->line;
		return;
	}

	/* A block comment: no nesting, may span lines. */
	{
		size_t p = start + 2;
		corm_loc at = loc_at(lx, start);

		for (;;) {
			if (p + 1 >= lx->len) {
				cg_error(c, at, 2, "unterminated /* comment");
				p = lx->len;
				break;
			}
			if (lx->src[p] == '*' && lx->src[p + 1] == '/') {
				p += 2;
				break;
			}
			if (lx->src[p] == '\n') {
				lx->line++;
				lx->line_start = p + 1;
			} else if (lx->src[p] == '\0' && !nul_seen) {
				cg_error(c, loc_at(lx, p), 1, "NUL byte in a comment");
				nul_seen = true;
			}
			p++;
		}
		t->text.n = p - start;
		t->end_line = lx->line;
		lx->pos = p;
	}
}

/* A string literal; sets t->str to the decoded bytes. */
static void lex_string(cg_lexer *lx, cg_token *t, size_t start)
{
	cg_ctx *c = lx->ctx;
	corm_buf b = CORM_BUF_INIT;
	size_t p = start + 1;
	bool bad = false, bad_utf8 = false;

	for (;;) {
		unsigned char ch = peek_at(lx, p);

		if (p >= lx->len || ch == '\n') {
			cg_error(c, loc_at(lx, start), 1,
				"missing terminating '\"' character");
			bad = true;
			break;
		}
		if (ch == '"') {
			p++;
			break;
		}
		if (ch == '\\') {
			unsigned char e = peek_at(lx, p + 1);
			char out = 0;

			switch (e) {
			case '"': out = '"'; break;
			case '\\': out = '\\'; break;
			case 'n': out = '\n'; break;
			case 't': out = '\t'; break;
			case 'r': out = '\r'; break;
			default:
				break;
			}
			if (!out) {
				if (p + 1 >= lx->len || e == '\n') {
					p++;
					continue; /* reported as unterminated */
				}
				cg_error(c, loc_at(lx, p), 2,
					"unknown escape sequence in string (use \\\" \\\\ \\n \\t or \\r)");
				bad = true;
				{
					size_t k = utf8_at(lx, p + 1);

					p += 1 + (k ? k : 1);
				}
				continue;
			}
			corm_buf_putc(&b, out);
			p += 2;
			continue;
		}
		if (ch == '\0') {
			cg_error(c, loc_at(lx, p), 1, "NUL byte in a string");
			bad = true;
			p++;
			continue;
		}
		if ((ch < 0x20 && ch != '\t') || ch == 0x7f) {
			cg_error(c, loc_at(lx, p), 1,
				"control character in a string (write it as an escape)");
			bad = true;
			p++;
			continue;
		}
		{
			size_t n = utf8_at(lx, p);

			if (n == 0) {
				if (!bad_utf8)
					cg_error(c, loc_at(lx, p), 1,
						"invalid UTF-8 in a string");
				bad_utf8 = true;
				bad = true;
				p++;
				continue;
			}
			corm_buf_put(&b, lx->src + p, n);
			p += n;
		}
	}
	if (corm_buf_error(&b))
		c->oom = true;
	t->str.p = cg_strndup(c, corm_buf_cstr(&b), b.len);
	t->str.n = b.len;
	corm_buf_free(&b);
	t->text.n = p - start;
	t->kind = bad ? TK_ERROR : TK_STRING;
	lx->pos = p;
}

static void lex_number(cg_lexer *lx, cg_token *t, size_t start)
{
	size_t p = start;
	bool is_float = false;

	if (lx->src[p] == '-')
		p++;
	while (is_digit(peek_at(lx, p)))
		p++;
	if (peek_at(lx, p) == '.' && is_digit(peek_at(lx, p + 1))) {
		is_float = true;
		p++;
		while (is_digit(peek_at(lx, p)))
			p++;
	}
	if ((peek_at(lx, p) == 'e' || peek_at(lx, p) == 'E') &&
		(is_digit(peek_at(lx, p + 1)) ||
			((peek_at(lx, p + 1) == '+' || peek_at(lx, p + 1) == '-') &&
				is_digit(peek_at(lx, p + 2))))) {
		is_float = true;
		p += 2;
		while (is_digit(peek_at(lx, p)))
			p++;
	}
	t->kind = is_float ? TK_FLOAT : TK_INT;
	if (is_alnum(peek_at(lx, p)) || peek_at(lx, p) == '.') {
		while (is_alnum(peek_at(lx, p)) || peek_at(lx, p) == '.')
			p++;
		cg_error(lx->ctx, loc_at(lx, start), span(start, p),
			"invalid number '%s'",
			cg_show(lx->ctx, (cg_str){lx->src + start, p - start}));
		t->kind = TK_ERROR;
	}
	t->text.n = p - start;
	lx->pos = p;
}

/* A run of bytes that cannot start a token: one error for all of it. */
static void lex_garbage(cg_lexer *lx, cg_token *t, size_t start)
{
	cg_ctx *c = lx->ctx;
	size_t p = start, n = utf8_at(lx, start);
	unsigned char ch = (unsigned char)lx->src[start];

	if (ch == '\0')
		cg_error(c, loc_at(lx, start), 1, "unexpected NUL byte");
	else if (ch >= 0x21 && ch < 0x7f)
		cg_error(c, loc_at(lx, start), 1, "unexpected character '%c'", ch);
	else if (n > 1)
		cg_error(c, loc_at(lx, start), 1, "unexpected character '%.*s'",
			(int)n, lx->src + start);
	else
		cg_error(c, loc_at(lx, start), 1, "unexpected byte 0x%02x", ch);
	do {
		size_t k = utf8_at(lx, p);

		p += k ? k : 1;
	} while (p < lx->len && !starts_token((unsigned char)lx->src[p]));
	t->kind = TK_ERROR;
	t->text.n = p - start;
	lx->pos = p;
}

void cg_lex(cg_lexer *lx, cg_token *t)
{
	size_t start;
	unsigned char ch;

	memset(t, 0, sizeof(*t));
	for (;;) {
		if (lx->pos >= lx->len || lx->ctx->stop || lx->ctx->oom) {
			t->kind = TK_EOF;
			t->text.p = lx->src + lx->len;
			t->loc = loc_at(lx, lx->pos < lx->len ? lx->pos : lx->len);
			t->end_line = lx->line;
			t->blank_before = lx->newlines >= 2;
			return;
		}
		ch = (unsigned char)lx->src[lx->pos];
		if (is_space(ch)) {
			lx->pos++;
			continue;
		}
		break;
	}

	start = lx->pos;
	t->text.p = lx->src + start;
	t->text.n = 1;
	t->loc = loc_at(lx, start);
	t->end_line = lx->line;
	t->blank_before = lx->newlines >= 2;

	if (ch == '\n') {
		/* One token for a run of newlines and blank lines. */
		int n = 0;

		t->kind = TK_NEWLINE;
		while (lx->pos < lx->len) {
			ch = (unsigned char)lx->src[lx->pos];
			if (ch == '\n') {
				n++;
				lx->line++;
				lx->line_start = lx->pos + 1;
			} else if (!is_space(ch)) {
				break;
			}
			lx->pos++;
		}
		lx->newlines = n;
		t->text.n = 1;
		return;
	}
	lx->newlines = 0;

	if (ch == '/' && (peek_at(lx, start + 1) == '/' ||
			peek_at(lx, start + 1) == '*')) {
		t->kind = TK_COMMENT;
		lex_comment(lx, t, start);
		return;
	}
	if (is_alpha(ch)) {
		size_t p = start + 1;

		while (is_alnum(peek_at(lx, p)))
			p++;
		t->kind = TK_IDENT;
		t->text.n = p - start;
		lx->pos = p;
		return;
	}
	if (is_digit(ch) || (ch == '-' && is_digit(peek_at(lx, start + 1)))) {
		lex_number(lx, t, start);
		return;
	}
	if (ch == '"') {
		lex_string(lx, t, start);
		return;
	}
	if (ch == '@') {
		size_t p = start + 1;

		t->kind = TK_ATTR;
		if (peek_at(lx, p) == '@') {
			t->kind = TK_MATTR;
			p++;
		}
		if (!is_alpha(peek_at(lx, p))) {
			cg_error(lx->ctx, loc_at(lx, start), span(start, p),
				"expected an attribute name after '%s'",
				t->kind == TK_MATTR ? "@@" : "@");
			t->kind = TK_ERROR;
			t->text.n = p - start;
			lx->pos = p;
			return;
		}
		while (is_alnum(peek_at(lx, p)))
			p++;
		t->text.n = p - start;
		lx->pos = p;
		return;
	}
	lx->pos = start + 1;
	switch (ch) {
	case '{': t->kind = TK_LBRACE; return;
	case '}': t->kind = TK_RBRACE; return;
	case '(': t->kind = TK_LPAREN; return;
	case ')': t->kind = TK_RPAREN; return;
	case '[': t->kind = TK_LBRACK; return;
	case ']': t->kind = TK_RBRACK; return;
	case ',': t->kind = TK_COMMA; return;
	case '?': t->kind = TK_QUESTION; return;
	default:
		break;
	}
	lex_garbage(lx, t, start);
}
