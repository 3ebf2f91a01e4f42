/*
 * print.c — the canonical text of a syntax tree, for `corm fmt`.
 *
 * The rules, all of them:
 *   - blocks are separated by exactly one blank line; inside a block at
 *     most one blank line is kept where the source had one or more, and
 *     none right after '{' or before '}';
 *   - items are indented by four spaces; in a model the field names and
 *     the types each form a column (the widest plus one space);
 *   - attributes, arguments and lists print as `@name(a, b)`, `[a, b]`;
 *     strings are re-escaped canonically, numbers and names as written;
 *   - comments are never dropped: own-line comments stay above what they
 *     preceded, comments on an item's line move to its end, aligned with
 *     the other end-of-line comments of the same run of lines;
 *   - an enum written on one line without comments stays on one line.
 * Applying the rules twice changes nothing: the printed tree parses back
 * into the same tree, comments and blank lines included.
 */
#include <string.h>

#include "corm/driver.h"
#include "internal.h"

#define INDENT "    "

static size_t width(const char *s, size_t n)
{
	size_t i, w = 0;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80)
			w++;
	return w;
}

static void pad(corm_buf *b, size_t n)
{
	while (n-- > 0)
		corm_buf_putc(b, ' ');
}

int cg_put_string_literal(corm_buf *out, cg_str s)
{
	size_t i;

	corm_buf_putc(out, '"');
	for (i = 0; i < s.n; i++) {
		char ch = s.p[i];

		switch (ch) {
		case '"': corm_buf_puts(out, "\\\""); break;
		case '\\': corm_buf_puts(out, "\\\\"); break;
		case '\n': corm_buf_puts(out, "\\n"); break;
		case '\t': corm_buf_puts(out, "\\t"); break;
		case '\r': corm_buf_puts(out, "\\r"); break;
		default: corm_buf_putc(out, ch); break;
		}
	}
	corm_buf_putc(out, '"');
	return corm_buf_error(out);
}

static void put_value(corm_buf *b, const cg_value *v)
{
	size_t i;

	switch (v->kind) {
	case CG_VAL_STRING:
		cg_put_string_literal(b, v->str);
		break;
	case CG_VAL_LIST:
		corm_buf_putc(b, '[');
		for (i = 0; i < v->nitems; i++) {
			if (i)
				corm_buf_puts(b, ", ");
			corm_buf_put(b, v->items[i].text.p, v->items[i].text.n);
		}
		corm_buf_putc(b, ']');
		break;
	default:
		corm_buf_put(b, v->text.p, v->text.n);
		break;
	}
}

static void put_args(corm_buf *b, const cg_value *args, size_t n)
{
	size_t i;

	corm_buf_putc(b, '(');
	for (i = 0; i < n; i++) {
		if (i)
			corm_buf_puts(b, ", ");
		put_value(b, &args[i]);
	}
	corm_buf_putc(b, ')');
}

static void put_attr(corm_buf *b, const cg_attr *a)
{
	corm_buf_puts(b, a->model_level ? "@@" : "@");
	corm_buf_put(b, a->name.p, a->name.n);
	if (a->parens)
		put_args(b, a->args, a->nargs);
}

static void put_type(corm_buf *b, const cg_item *it)
{
	corm_buf_put(b, it->type.p, it->type.n);
	if (it->type_parens)
		put_args(b, it->type_args, it->ntype_args);
	if (it->optional)
		corm_buf_putc(b, '?');
}

static void put_comment_line(corm_buf *b, const char *indent,
	const cg_comment *c)
{
	corm_buf_puts(b, indent);
	corm_buf_put(b, c->text.p, c->text.n);
	corm_buf_putc(b, '\n');
}

/* Comments after something on the same line, separated by spaces. */
static void put_inline_comments(corm_buf *b, const cg_comments *cs)
{
	size_t i;

	for (i = 0; i < cs->n; i++) {
		if (i)
			corm_buf_putc(b, ' ');
		corm_buf_put(b, cs->items[i].text.p, cs->items[i].text.n);
	}
}

/* The text of one item, without indent or comments. */
static void item_content(corm_buf *b, const cg_item *it, size_t w_name,
	size_t w_type)
{
	size_t i;

	switch (it->kind) {
	case CG_ITEM_MEMBER:
		corm_buf_put(b, it->name.p, it->name.n);
		return;
	case CG_ITEM_MODEL_ATTR:
		put_attr(b, &it->attrs[0]);
		return;
	case CG_ITEM_FIELD:
		break;
	}
	corm_buf_put(b, it->name.p, it->name.n);
	pad(b, w_name + 1 - it->name.n);
	{
		size_t before = b->len;

		put_type(b, it);
		if (it->nattrs && !corm_buf_error(b))
			pad(b, w_type + 1 - width(b->ptr + before, b->len - before));
	}
	for (i = 0; i < it->nattrs; i++) {
		if (i)
			corm_buf_putc(b, ' ');
		put_attr(b, &it->attrs[i]);
	}
}

static int print_block(corm_buf *out, const cg_decl *d)
{
	corm_buf line = CORM_BUF_INIT, tmp = CORM_BUF_INIT;
	size_t w_name = 0, w_type = 0, i, sec, comment_col = 0;
	bool printed = false;
	int err = 0;

	for (i = 0; i < d->nitems; i++) {
		const cg_item *it = &d->items[i];

		if (it->kind != CG_ITEM_FIELD)
			continue;
		if (it->name.n > w_name)
			w_name = it->name.n;
		corm_buf_clear(&tmp);
		put_type(&tmp, it);
		if (corm_buf_error(&tmp))
			goto nomem;
		if (width(corm_buf_cstr(&tmp), tmp.len) > w_type)
			w_type = width(corm_buf_cstr(&tmp), tmp.len);
	}

	for (i = 0; i < d->nitems; i++) {
		const cg_item *it = &d->items[i];
		size_t k;

		/* A run of lines (no blank line or own-line comment between)
		 * aligns its end-of-line comments on one column. */
		if (i == 0 || it->blank_before || it->leading.n) {
			comment_col = 0;
			for (sec = i; sec < d->nitems; sec++) {
				const cg_item *s = &d->items[sec];

				if (sec > i && (s->blank_before || s->leading.n))
					break;
				if (!s->trailing.n)
					continue;
				corm_buf_clear(&tmp);
				item_content(&tmp, s, w_name, w_type);
				if (corm_buf_error(&tmp))
					goto nomem;
				if (width(corm_buf_cstr(&tmp), tmp.len) > comment_col)
					comment_col = width(corm_buf_cstr(&tmp), tmp.len);
			}
		}
		for (k = 0; k < it->leading.n; k++) {
			if (printed && it->leading.items[k].blank_before)
				corm_buf_putc(out, '\n');
			put_comment_line(out, INDENT, &it->leading.items[k]);
			printed = true;
		}
		if (printed && it->blank_before)
			corm_buf_putc(out, '\n');
		corm_buf_clear(&line);
		item_content(&line, it, w_name, w_type);
		if (corm_buf_error(&line))
			goto nomem;
		corm_buf_puts(out, INDENT);
		corm_buf_put(out, corm_buf_cstr(&line), line.len);
		if (it->trailing.n) {
			pad(out, comment_col + 1 - width(corm_buf_cstr(&line),
				line.len));
			put_inline_comments(out, &it->trailing);
		}
		corm_buf_putc(out, '\n');
		printed = true;
	}
	for (i = 0; i < d->dangling.n; i++) {
		if (printed && d->dangling.items[i].blank_before)
			corm_buf_putc(out, '\n');
		put_comment_line(out, INDENT, &d->dangling.items[i]);
		printed = true;
	}
	goto done;
nomem:
	err = CORM_ENOMEM;
done:
	corm_buf_free(&line);
	corm_buf_free(&tmp);
	return err;
}

static int print_decl(corm_buf *out, const cg_decl *d)
{
	size_t i;
	int err;

	for (i = 0; i < d->leading.n; i++) {
		if (i && d->leading.items[i].blank_before)
			corm_buf_putc(out, '\n');
		put_comment_line(out, "", &d->leading.items[i]);
	}
	if (d->leading.n && d->blank_before)
		corm_buf_putc(out, '\n');
	corm_buf_puts(out, d->is_enum ? "enum " : "model ");
	corm_buf_put(out, d->name.p, d->name.n);
	corm_buf_puts(out, " {");
	if (d->one_line) {
		for (i = 0; i < d->nitems; i++) {
			corm_buf_putc(out, ' ');
			corm_buf_put(out, d->items[i].name.p, d->items[i].name.n);
		}
		corm_buf_puts(out, " }");
	} else {
		if (d->header.n) {
			corm_buf_putc(out, ' ');
			put_inline_comments(out, &d->header);
		}
		corm_buf_putc(out, '\n');
		err = print_block(out, d);
		if (err)
			return err;
		corm_buf_putc(out, '}');
	}
	if (d->close_trailing.n) {
		corm_buf_putc(out, ' ');
		put_inline_comments(out, &d->close_trailing);
	}
	corm_buf_putc(out, '\n');
	return corm_buf_error(out);
}

int cg_print(corm_buf *out, const cg_file *f)
{
	size_t i;
	int err;

	for (i = 0; i < f->ndecls; i++) {
		if (i)
			corm_buf_putc(out, '\n');
		err = print_decl(out, &f->decls[i]);
		if (err)
			return err;
	}
	for (i = 0; i < f->trailing.n; i++) {
		if ((i == 0 && f->ndecls) ||
			(i > 0 && f->trailing.items[i].blank_before))
			corm_buf_putc(out, '\n');
		put_comment_line(out, "", &f->trailing.items[i]);
	}
	return corm_buf_error(out);
}
