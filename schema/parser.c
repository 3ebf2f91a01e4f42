/*
 * parser.c — tokens to a syntax tree (cg_file) that keeps every comment
 * and blank line, so `corm fmt` can print the file back.
 *
 * Grammar (NL is a newline token; comments may appear anywhere):
 *
 *     file   := { NL | decl }
 *     decl   := ("model" | "enum") NAME "{" body "}"
 *     model  := { NL | field | "@@"NAME [args] }     one per line
 *     field  := NAME TYPE ["(" args ")"] ["?"] { "@"NAME [args] }
 *     enum   := { NL | NAME }
 *     args   := "(" [value { "," value }] ")"
 *     value  := NAME | INT | FLOAT | STRING | "[" [NAME { "," NAME }] "]"
 *
 * Comments: the ones on their own lines above an item are its `leading`
 * comments; the ones between its first token and the end of its line are
 * its `trailing` ones; block-level leftovers are `dangling` / `header` /
 * `close_trailing` comments of the block, or the file's `trailing` ones.
 *
 * Errors recover at the next line inside a block and at the next line
 * starting with `model` or `enum` outside one, so every error in a file
 * is reported. Nothing recurses: no input can exhaust the stack.
 */
#include <stdio.h>
#include <string.h>

#include "corm/driver.h"
#include "internal.h"
#include "corm_util.h"

typedef struct parser {
	cg_ctx *c;
	cg_lexer lx;
	cg_token *q;         /* raw tokens lexed but not consumed */
	size_t qhead, qlen, qcap;
	bool qfail;
	cg_comments pending; /* comments consumed but not attached yet */
	cg_item *items;      /* the block being parsed: grown here, then */
	size_t nitems, items_cap; /* copied to the arena at its exact size */
	cg_file *file;
} parser;

static const char *const decl_keywords[] = {"model", "enum"};

/* --------------------------------------------------------- the token queue */

static bool fill(parser *p)
{
	if (p->qlen == p->qcap) {
		if (p->qhead > 0) {
			memmove(p->q, p->q + p->qhead,
				(p->qlen - p->qhead) * sizeof(*p->q));
			p->qlen -= p->qhead;
			p->qhead = 0;
		}
		if (p->qlen == p->qcap) {
			cg_token *nq = corm__grow(p->q, &p->qcap, p->qlen + 1,
				sizeof(*nq));

			if (!nq) {
				p->c->oom = true;
				return false;
			}
			p->q = nq;
		}
	}
	cg_lex(&p->lx, &p->q[p->qlen++]);
	return true;
}

/* The k-th token from here that is not a comment (an EOF on no memory).
 * A copy: the queue may move when it grows. */
static cg_token peek(parser *p, size_t k)
{
	static const cg_token eof = {TK_EOF, {"", 0}, {0, 0}, 0, false, {"", 0}};
	size_t i = p->qhead, seen = 0;

	for (;;) {
		if (i == p->qlen) {
			size_t off = i - p->qhead;

			if (!fill(p))
				return eof;
			i = p->qhead + off;
		}
		if (p->q[i].kind != TK_COMMENT) {
			if (seen == k || p->q[i].kind == TK_EOF)
				return p->q[i];
			seen++;
		}
		i++;
	}
}

static cg_tok peek_kind(parser *p, size_t k)
{
	return peek(p, k).kind;
}

/* Move the comments before the next token into `pending`. */
static void sync(parser *p)
{
	peek(p, 0);
	while (p->qhead < p->qlen && p->q[p->qhead].kind == TK_COMMENT) {
		const cg_token *t = &p->q[p->qhead++];
		cg_comment *cm = CG_PUSH(p->c, p->pending.items, p->pending.n,
			p->pending.cap);

		if (!cm)
			return;
		cm->text = t->text;
		cm->line = t->loc.line;
		cm->end_line = t->end_line;
		cm->blank_before = t->blank_before;
	}
}

/* Consume the next token (comments before it go to `pending`). */
static cg_token advance(parser *p)
{
	cg_token t;

	sync(p);
	t = peek(p, 0);
	if (t.kind != TK_EOF && p->qhead < p->qlen)
		p->qhead++;
	if (p->qhead == p->qlen)
		p->qhead = p->qlen = 0;
	return t;
}

static cg_comments take(parser *p)
{
	cg_comments c = p->pending;

	memset(&p->pending, 0, sizeof(p->pending));
	return c;
}

/* A new, zeroed item of the block being parsed (NULL: no memory). */
static cg_item *push_item(parser *p)
{
	if (p->nitems == p->items_cap) {
		cg_item *n = corm__grow(p->items, &p->items_cap, p->nitems + 1,
			sizeof(*n));

		if (!n) {
			p->c->oom = true;
			return NULL;
		}
		p->items = n;
	}
	memset(&p->items[p->nitems], 0, sizeof(*p->items));
	return &p->items[p->nitems++];
}

/* Hand the block's items to `d`. */
static void finish_items(parser *p, cg_decl *d)
{
	if (p->nitems) {
		d->items = cg_alloc(p->c, p->nitems * sizeof(*d->items));
		if (d->items) {
			memcpy(d->items, p->items, p->nitems * sizeof(*d->items));
			d->nitems = d->items_cap = p->nitems;
		}
	}
	p->nitems = 0;
}

/* ------------------------------------------------------------------ helpers */

static bool is_keyword_tok(const cg_token *t, const char *kw)
{
	return t->kind == TK_IDENT && cg_eq(t->text, kw);
}

/* `model Name {` or `enum Name {` starts here. */
static bool at_decl_start(parser *p)
{
	cg_token t = peek(p, 0);

	if (!is_keyword_tok(&t, "model") && !is_keyword_tok(&t, "enum"))
		return false;
	return peek_kind(p, 1) == TK_IDENT && peek_kind(p, 2) == TK_LBRACE;
}

static int tok_len(const cg_token *t)
{
	if (t->kind == TK_NEWLINE || t->kind == TK_EOF || t->text.n == 0)
		return 1;
	return t->text.n > 0x7fffffff ? 0x7fffffff : (int)t->text.n;
}

/* "'name'", "end of line", ... for messages. */
static const char *describe(parser *p, const cg_token *t)
{
	corm_buf b = CORM_BUF_INIT;
	const char *s;

	switch (t->kind) {
	case TK_NEWLINE: return "end of line";
	case TK_EOF: return "end of file";
	case TK_STRING: return "a string";
	default: break;
	}
	corm_buf_printf(&b, "'%s'", cg_show(p->c, t->text));
	s = cg_strndup(p->c, corm_buf_cstr(&b), b.len);
	if (corm_buf_error(&b))
		p->c->oom = true;
	corm_buf_free(&b);
	return s ? s : "";
}

/* Report "expected ..." at t, unless the lexer already reported it. */
static void expected(parser *p, const cg_token *t, const char *what)
{
	if (t->kind == TK_ERROR)
		return;
	cg_error(p->c, t->loc, tok_len(t), "expected %s, found %s", what,
		describe(p, t));
}

static bool stopped(parser *p)
{
	return p->c->stop || p->c->oom;
}

/* Skip to the end of the line (the newline is left), or a '}'. */
static void skip_line(parser *p)
{
	for (;;) {
		cg_tok k = peek_kind(p, 0);

		if (k == TK_NEWLINE || k == TK_RBRACE || k == TK_EOF)
			return;
		advance(p);
	}
}

/* Skip to the next line that starts with `model` or `enum`. */
static void skip_to_decl(parser *p)
{
	for (;;) {
		cg_tok k = peek_kind(p, 0);

		if (k == TK_EOF)
			return;
		advance(p);
		if (k == TK_NEWLINE) {
			cg_token t = peek(p, 0);

			if (is_keyword_tok(&t, "model") || is_keyword_tok(&t, "enum"))
				return;
		}
	}
}

/* ------------------------------------------------------------------- values */

/* After '[' has been seen: field names up to and including ']'. */
static bool parse_list(parser *p, cg_value *v)
{
	advance(p);
	if (peek_kind(p, 0) == TK_RBRACK) {
		advance(p);
		return true;
	}
	for (;;) {
		cg_token e = peek(p, 0);
		cg_value *item;

		if (e.kind != TK_IDENT) {
			expected(p, &e, "a field name");
			return false;
		}
		item = CG_PUSH(p->c, v->items, v->nitems, v->cap);
		if (!item)
			return false;
		item->kind = CG_VAL_IDENT;
		item->text = e.text;
		item->loc = e.loc;
		item->len = tok_len(&e);
		advance(p);
		e = peek(p, 0);
		if (e.kind == TK_RBRACK) {
			cg_token close = advance(p);

			/* Underline the whole list in messages about it. */
			if (close.loc.line == v->loc.line)
				v->len = close.loc.col - v->loc.col + 1;
			return true;
		}
		if (e.kind != TK_COMMA) {
			expected(p, &e, "',' or ']'");
			if (e.kind == TK_NEWLINE || e.kind == TK_EOF)
				cg_note(p->c, v->loc, 1, "to match this '['");
			return false;
		}
		advance(p);
	}
}

static bool parse_value(parser *p, cg_value *v)
{
	cg_token t = peek(p, 0);

	v->loc = t.loc;
	v->len = tok_len(&t);
	v->text = t.text;
	switch (t.kind) {
	case TK_IDENT: v->kind = CG_VAL_IDENT; break;
	case TK_INT: v->kind = CG_VAL_INT; break;
	case TK_FLOAT: v->kind = CG_VAL_FLOAT; break;
	case TK_STRING:
		v->kind = CG_VAL_STRING;
		v->str = t.str;
		break;
	case TK_LBRACK:
		v->kind = CG_VAL_LIST;
		return parse_list(p, v);
	default:
		expected(p, &t, "a value");
		return false;
	}
	advance(p);
	return true;
}

/* After '(' has been seen: values up to and including ')'. */
static bool parse_args(parser *p, cg_value **arr, size_t *n, size_t *cap)
{
	cg_token open = advance(p);

	if (peek_kind(p, 0) == TK_RPAREN) {
		advance(p);
		return true;
	}
	for (;;) {
		cg_value *v = CG_PUSH(p->c, *arr, *n, *cap);
		cg_token t;

		if (!v || !parse_value(p, v))
			return false;
		t = peek(p, 0);
		if (t.kind == TK_RPAREN) {
			advance(p);
			return true;
		}
		if (t.kind != TK_COMMA) {
			expected(p, &t, "',' or ')'");
			if (t.kind == TK_NEWLINE || t.kind == TK_EOF)
				cg_note(p->c, open.loc, 1, "to match this '('");
			return false;
		}
		advance(p);
	}
}

static bool parse_attr(parser *p, cg_attr *a)
{
	cg_token t = advance(p);

	a->model_level = t.kind == TK_MATTR;
	a->name.p = t.text.p + (a->model_level ? 2 : 1);
	a->name.n = t.text.n - (a->model_level ? 2 : 1);
	a->loc = t.loc;
	a->len = tok_len(&t);
	if (peek_kind(p, 0) == TK_LPAREN) {
		a->parens = true;
		return parse_args(p, &a->args, &a->nargs, &a->cap);
	}
	return true;
}

/* ------------------------------------------------------------------- items */

static const char *const field_attr_names[] = {
	"id", "auto", "unique", "index", "default", "map", "renamed_from",
	"on_delete", "version",
};

/* After a complete item: the line must end here. */
static bool expect_line_end(parser *p, const char *what)
{
	cg_token t = peek(p, 0);
	corm_buf b = CORM_BUF_INIT;
	const char *hint = NULL;
	size_t i, n = sizeof(field_attr_names) / sizeof(field_attr_names[0]);

	switch (t.kind) {
	case TK_NEWLINE:
	case TK_RBRACE:
	case TK_EOF:
		return true;
	case TK_MATTR:
		cg_error(p->c, t.loc, tok_len(&t),
			"model attribute '%s' must be on a line of its own",
			cg_show(p->c, t.text));
		return false;
	case TK_IDENT:
		for (i = 0; i < n && !hint; i++)
			if (cg_eq(t.text, field_attr_names[i]))
				hint = field_attr_names[i];
		if (!hint)
			hint = cg_suggest(t.text, field_attr_names, n);
		break;
	default:
		break;
	}
	corm_buf_printf(&b, "an attribute or the end of the line after %s",
		what);
	if (hint)
		cg_error(p->c, t.loc, tok_len(&t),
			"expected %s, found %s (did you mean '@%s'?)",
			corm_buf_cstr(&b), describe(p, &t), hint);
	else
		expected(p, &t, corm_buf_cstr(&b));
	if (corm_buf_error(&b))
		p->c->oom = true;
	corm_buf_free(&b);
	return false;
}

static bool parse_field(parser *p, cg_item *it)
{
	cg_token name = advance(p), t;
	char what[96];

	it->kind = CG_ITEM_FIELD;
	it->name = name.text;
	it->name_loc = name.loc;
	t = peek(p, 0);
	if (t.kind != TK_IDENT) {
		snprintf(what, sizeof(what), "a type after '%s'",
			cg_show(p->c, name.text));
		expected(p, &t, what);
		return false;
	}
	advance(p);
	it->type = t.text;
	it->type_loc = t.loc;
	if (peek_kind(p, 0) == TK_LPAREN) {
		it->type_parens = true;
		if (!parse_args(p, &it->type_args, &it->ntype_args,
				&it->type_args_cap))
			return false;
	}
	if (peek_kind(p, 0) == TK_LBRACK) {
		cg_token b = peek(p, 0);

		cg_error(p->c, b.loc, 1,
			"list types like '%s[]' are not supported; declare a relation "
			"on the model that holds the foreign key",
			cg_show(p->c, it->type));
		return false;
	}
	if (peek_kind(p, 0) == TK_QUESTION) {
		advance(p);
		it->optional = true;
		if (peek_kind(p, 0) == TK_QUESTION) {
			cg_token q = peek(p, 0);

			cg_error(p->c, q.loc, 1, "duplicate '?'");
			return false;
		}
	}
	while (peek_kind(p, 0) == TK_ATTR) {
		cg_attr *a = CG_PUSH(p->c, it->attrs, it->nattrs, it->attrs_cap);

		if (!a || !parse_attr(p, a))
			return false;
	}
	snprintf(what, sizeof(what), "field '%s'", cg_show(p->c, name.text));
	return expect_line_end(p, what);
}

static bool parse_model_attr(parser *p, cg_item *it)
{
	cg_attr *a = CG_PUSH(p->c, it->attrs, it->nattrs, it->attrs_cap);
	char what[96];

	it->kind = CG_ITEM_MODEL_ATTR;
	if (!a)
		return false;
	it->name_loc = peek(p, 0).loc;
	if (!parse_attr(p, a))
		return false;
	snprintf(what, sizeof(what), "'@@%s(...)'", cg_show(p->c, a->name));
	return expect_line_end(p, what);
}

/* ------------------------------------------------------------------ blocks */

/* At EOF or a new block inside an unclosed one. */
static void unclosed(parser *p, cg_decl *d, const cg_token *t)
{
	cg_error(p->c, t->loc, tok_len(t), "expected '}' to close %s '%s'",
		d->is_enum ? "enum" : "model", cg_show(p->c, d->name));
	cg_note(p->c, d->lbrace_loc, 1, "to match this '{'");
	d->had_errors = true;
}

/* The items of a model; true when the closing '}' is next. */
static bool parse_model_body(parser *p, cg_decl *d)
{
	while (!stopped(p)) {
		cg_token t = peek(p, 0);
		cg_item *it;
		bool ok;

		if (t.kind == TK_NEWLINE) {
			advance(p);
			continue;
		}
		if (t.kind == TK_RBRACE)
			return true;
		if (t.kind == TK_EOF || at_decl_start(p)) {
			unclosed(p, d, &t);
			return false;
		}
		sync(p);
		it = push_item(p);
		if (!it)
			return false;
		it->leading = take(p);
		it->blank_before = t.blank_before;
		if (t.kind == TK_IDENT) {
			ok = parse_field(p, it);
		} else if (t.kind == TK_MATTR) {
			ok = parse_model_attr(p, it);
		} else if (t.kind == TK_ATTR) {
			cg_error(p->c, t.loc, tok_len(&t),
				"attribute '%s' must follow a field's type on the "
				"field's line", cg_show(p->c, t.text));
			ok = false;
		} else {
			expected(p, &t, "a field or a model attribute");
			ok = false;
		}
		if (!ok) {
			it->broken = true;
			d->had_errors = true;
			skip_line(p);
		}
		sync(p);
		it->trailing = take(p);
	}
	return false;
}

static bool parse_enum_body(parser *p, cg_decl *d)
{
	while (!stopped(p)) {
		cg_token t = peek(p, 0);
		cg_item *it;

		switch (t.kind) {
		case TK_NEWLINE:
			advance(p);
			continue;
		case TK_RBRACE:
			return true;
		case TK_EOF:
			unclosed(p, d, &t);
			return false;
		case TK_IDENT:
			if (at_decl_start(p)) {
				unclosed(p, d, &t);
				return false;
			}
			sync(p);
			it = push_item(p);
			if (!it)
				return false;
			it->kind = CG_ITEM_MEMBER;
			it->leading = take(p);
			it->blank_before = t.blank_before;
			it->name = t.text;
			it->name_loc = t.loc;
			advance(p);
			sync(p);
			it->trailing = take(p);
			continue;
		case TK_COMMA:
			cg_error(p->c, t.loc, 1,
				"enum members are separated by spaces or new lines, "
				"not ','");
			advance(p);
			break;
		case TK_ATTR:
		case TK_MATTR:
			cg_error(p->c, t.loc, tok_len(&t),
				"enum members take no attributes");
			skip_line(p);
			break;
		default:
			expected(p, &t, "an enum member name");
			advance(p);
			break;
		}
		d->had_errors = true;
	}
	return false;
}

static bool has_comments(const cg_decl *d)
{
	size_t i;

	if (d->header.n || d->dangling.n)
		return true;
	for (i = 0; i < d->nitems; i++)
		if (d->items[i].leading.n || d->items[i].trailing.n)
			return true;
	return false;
}

static void parse_decl(parser *p)
{
	cg_decl *d;
	cg_token kw, t;
	bool closed;

	sync(p);
	d = CG_PUSH(p->c, p->file->decls, p->file->ndecls, p->file->decls_cap);
	if (!d)
		return;
	d->leading = take(p);
	d->blank_before = peek(p, 0).blank_before;
	kw = advance(p);
	d->is_enum = cg_eq(kw.text, "enum");
	t = peek(p, 0);
	if (t.kind != TK_IDENT) {
		expected(p, &t, d->is_enum ? "a name after 'enum'"
			: "a name after 'model'");
		d->broken = true;
		skip_to_decl(p);
		return;
	}
	advance(p);
	d->name = t.text;
	d->name_loc = t.loc;
	t = peek(p, 0);
	if (t.kind != TK_LBRACE) {
		char what[96];

		snprintf(what, sizeof(what), "'{' after '%s %s'",
			d->is_enum ? "enum" : "model", cg_show(p->c, d->name));
		expected(p, &t, what);
		d->broken = true;
		skip_to_decl(p);
		return;
	}
	advance(p);
	d->lbrace_loc = t.loc;
	sync(p);
	d->header = take(p);

	closed = d->is_enum ? parse_enum_body(p, d) : parse_model_body(p, d);
	finish_items(p, d);
	if (!closed)
		return;
	sync(p);
	d->dangling = take(p);
	t = advance(p);
	sync(p);
	d->close_trailing = take(p);
	d->one_line = d->is_enum && !d->had_errors &&
		t.loc.line == d->lbrace_loc.line && !has_comments(d);
}

cg_file *cg_parse(cg_ctx *c)
{
	parser p;

	memset(&p, 0, sizeof(p));
	p.c = c;
	cg_lexer_init(&p.lx, c);
	p.file = cg_alloc(c, sizeof(*p.file));
	if (!p.file)
		return NULL;
	while (!stopped(&p)) {
		cg_token t = peek(&p, 0);

		if (t.kind == TK_EOF)
			break;
		if (t.kind == TK_NEWLINE) {
			advance(&p);
			continue;
		}
		if (is_keyword_tok(&t, "model") || is_keyword_tok(&t, "enum")) {
			parse_decl(&p);
			continue;
		}
		if (t.kind == TK_IDENT) {
			const char *s = cg_suggest(t.text, decl_keywords, 2);

			if (s)
				cg_error(c, t.loc, tok_len(&t),
					"expected 'model' or 'enum', found %s "
					"(did you mean '%s'?)", describe(&p, &t), s);
			else
				expected(&p, &t, "'model' or 'enum'");
		} else {
			expected(&p, &t, "'model' or 'enum'");
		}
		skip_to_decl(&p);
	}
	sync(&p);
	p.file->trailing = take(&p);
	corm_free(p.q);
	corm_free(p.items);
	return c->oom ? NULL : p.file;
}
