/*
 * emit_names.c — the C names generated code defines: struct members,
 * upper-case constants, and the check that no two generated names clash
 * (nor hit a C keyword).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "corm_util.h"
#include "emit_internal.h"

/* ------------------------------------------------------------------- names */

static const char *const c_keywords[] = {"auto", "break", "case", "char",
	"const", "continue", "default", "do", "double", "else", "enum",
	"extern", "float", "for", "goto", "if", "inline", "int", "long",
	"register", "restrict", "return", "short", "signed", "sizeof",
	"static", "struct", "switch", "typedef", "union", "unsigned", "void",
	"volatile", "while", "bool", "true", "false", "alignas", "alignof",
	"noreturn", "static_assert", "thread_local", "complex", "imaginary",
	"NULL", "errno", "assert", "offsetof", NULL};

static bool is_c_keyword(const char *name)
{
	const char *const *k;

	if (name[0] == '_' && name[1] >= 'A' && name[1] <= 'Z')
		return true; /* reserved for the implementation (_Bool...) */
	for (k = c_keywords; *k; k++)
		if (strcmp(*k, name) == 0)
			return true;
	return false;
}

static bool in_list(const char *const *list, const char *name)
{
	for (; *list; list++)
		if (strcmp(*list, name) == 0)
			return true;
	return false;
}

/* After "[u]int[_least|_fast]<digits>" at the start of `name` (`uint`
 * is "uint" or "UINT", `least` and `fast` in the same case), or NULL. */
static const char *after_int_width(const char *name, const char *uint,
	const char *least, const char *fast)
{
	const char *p = name + (*name == uint[0]);

	if (strncmp(p, uint + 1, 3) != 0)
		return NULL;
	p += 3;
	if (strncmp(p, least, strlen(least)) == 0)
		p += strlen(least);
	else if (strncmp(p, fast, strlen(fast)) == 0)
		p += strlen(fast);
	if (*p < '0' || *p > '9')
		return NULL;
	while (*p >= '0' && *p <= '9')
		p++;
	return p;
}

/* Whether `name` is an object-like macro of <stdint.h> (C11 7.20.2,
 * 7.20.3), which the generated header includes: INT64_MAX, SIZE_MAX... A
 * struct member or enum constant of that name would be replaced by it. */
static bool is_stdint_macro(const char *name)
{
	static const char *const fixed[] = {"INTPTR_MIN", "INTPTR_MAX",
		"UINTPTR_MAX", "INTMAX_MIN", "INTMAX_MAX", "UINTMAX_MAX",
		"PTRDIFF_MIN", "PTRDIFF_MAX", "SIG_ATOMIC_MIN", "SIG_ATOMIC_MAX",
		"SIZE_MAX", "WCHAR_MIN", "WCHAR_MAX", "WINT_MIN", "WINT_MAX", NULL};
	const char *p = after_int_width(name, "UINT", "_LEAST", "_FAST");

	if (in_list(fixed, name))
		return true;
	/* [U]INT[_LEAST|_FAST]<digits>_MIN|_MAX */
	return p && (strcmp(p, "_MIN") == 0 || strcmp(p, "_MAX") == 0);
}

/* Why `name` cannot be a file-scope C name of the output (a model's or
 * an enum's type), or NULL: C keywords, names reserved to the
 * implementation, the C library's types and the <string.h> functions the
 * generated code sees, and corm's own prefix. */
static const char *reserved_type_name(const char *name)
{
	static const char *const c_lib[] = {"size_t", "ptrdiff_t", "wchar_t",
		"max_align_t", "va_list", "intptr_t", "uintptr_t", "intmax_t",
		"uintmax_t", "memcpy", "memmove", "memset", "memcmp", "memchr",
		"strcpy", "strncpy", "strcat", "strncat", "strcmp", "strncmp",
		"strcoll", "strxfrm", "strchr", "strrchr", "strspn", "strcspn",
		"strpbrk", "strstr", "strtok", "strerror", "strlen", NULL};
	const char *p = after_int_width(name, "uint", "_least", "_fast");

	if (is_c_keyword(name))
		return "a C keyword";
	if (name[0] == '_' && name[1] == '_')
		return "reserved for the C implementation";
	if (strcmp(name, "corm") == 0 || strncmp(name, "corm_", 5) == 0)
		return "in corm's own prefix (corm_)";
	if (p && strcmp(p, "_t") == 0) /* [u]int[_least|_fast]<digits>_t */
		return "a type of the C library";
	if (in_list(c_lib, name))
		return "a name the C library declares";
	return NULL;
}

/* Why `name` cannot be a struct member or enum constant, or NULL: a C
 * keyword, a name reserved to the implementation (__x, which the
 * compiler's own macros such as __LINE__ use), or a <stdint.h> macro. */
static const char *reserved_member_name(const char *name)
{
	if (is_c_keyword(name))
		return "a C keyword";
	if (name[0] == '_' && name[1] == '_')
		return "reserved for the C implementation";
	if (is_stdint_macro(name))
		return "a macro of <stdint.h>";
	return NULL;
}

/* The struct member of a field: relations hold `<field>_id`. (Field names
 * that are C keywords are refused by cg_emit_check_names().) */
void cg_emit_member(corm_buf *b, const corm_field *f)
{
	if (f->kind == CORM_FIELD_RELATION)
		corm_buf_printf(b, "%s_id", f->name);
	else
		corm_buf_puts(b, f->name);
}

void cg_emit_upper(corm_buf *b, const char *s)
{
	for (; *s; s++) {
		char ch = *s;

		if (ch >= 'a' && ch <= 'z')
			ch = (char)(ch - 'a' + 'A');
		else if (!((ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9')))
			ch = '_';
		corm_buf_putc(b, ch);
	}
}

/* "by_author_title" for a unique over fields author and title. */
void cg_emit_unique_name(corm_buf *b, const corm_model *m,
	const corm_index *u)
{
	size_t i;

	corm_buf_puts(b, "by");
	for (i = 0; i < u->nfields; i++)
		corm_buf_printf(b, "_%s", m->fields[u->fields[i]].name);
}

/* ------------------------------------------------------------- name clashes */

typedef struct gen_name {
	char *name;
	corm_loc loc;
	const char *what; /* "function of model Author", ... */
} gen_name;

typedef struct name_set {
	gen_name *items;
	size_t count, cap;
	bool oom;
} name_set;

static void name_add(name_set *set, corm_loc loc, const char *what,
	const char *fmt, ...)
{
	corm_buf b = CORM_BUF_INIT;
	va_list ap;

	if (set->oom)
		return;
	if (set->count == set->cap) {
		gen_name *p = corm__grow(set->items, &set->cap, set->count + 1,
			sizeof(*p));

		if (!p) {
			set->oom = true;
			return;
		}
		set->items = p;
	}
	va_start(ap, fmt);
	corm_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	set->items[set->count].name = corm_buf_detach(&b);
	if (!set->items[set->count].name) {
		set->oom = true;
		return;
	}
	set->items[set->count].loc = loc;
	set->items[set->count].what = what;
	set->count++;
}

/* cg_emit_rel_names() callback: a relation function's name. */
static void add_rel_name(void *ctx, corm_loc loc, const char *name)
{
	name_add(ctx, loc, "relation", "%s", name);
}

static int cmp_names(const void *a, const void *b)
{
	const gen_name *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	if (x->loc.line != y->loc.line)
		return x->loc.line - y->loc.line;
	return x->loc.col - y->loc.col;
}

static int report(emitter *e, corm_diag_level level, corm_loc loc,
	const char *fmt, ...)
{
	corm_diags *d = e->diags;
	corm_buf b = CORM_BUF_INIT;
	va_list ap;
	char *msg;

	if (level == CORM_DIAG_ERROR)
		e->nerrors++;
	if (!d)
		return CORM_OK;
	if (d->count == d->cap) {
		corm_diag *p = corm__grow(d->items, &d->cap, d->count + 1,
			sizeof(*p));

		if (!p)
			return CORM_ENOMEM;
		d->items = p;
	}
	va_start(ap, fmt);
	corm_buf_vprintf(&b, fmt, ap);
	va_end(ap);
	if (!(msg = corm_buf_detach(&b)))
		return CORM_ENOMEM;
	d->items[d->count++] = (corm_diag){level, loc, 1, msg};
	if (level == CORM_DIAG_ERROR)
		d->nerrors++;
	return CORM_OK;
}

/* Every global name the output defines, and every member of each struct:
 * two that are equal would not compile, so say which declarations clash. */
int cg_emit_check_names(emitter *e)
{
	name_set set = {NULL, 0, 0, false};
	size_t mi, fi, ui, ei, i;
	int error = CORM_OK;
	static const char *const model_fns[] = {"", "_desc", "_init", "_insert",
		"_insert_many", "_get", "_get_batched", "_update", "_delete", "_upsert", "_fields",
		"_pk", "_insert_fields", "_update_fields", "_uniques", "_query",
		"_pred",
		"_list", "_list_free", "_query_new", "_query_free", "_query_all",
		"_query_first", "_query_next", "_query_count", "_query_exists",
		"_query_update", "_query_delete", "_query_sql", "_where", "_and",
		"_or", "_not", "_limit", "_offset", "_distinct",
		/* emit_lock.c */
		"_for_update", "_get_for_update", "_set_add", "_add",
		"_set_add_i16", "_set_add_i32", "_set_add_i64", "_set_add_f32",
		"_set_add_f64", "_add_i16", "_add_i32", "_add_i64", "_add_f32",
		"_add_f64", NULL};
	const char *const *fn;

	for (ei = 0; ei < e->s->nenums; ei++) {
		const corm_enum *en = &e->s->enums[ei];
		corm_buf up = CORM_BUF_INIT;

		name_add(&set, en->loc, "enum", "%s", en->snake);
		name_add(&set, en->loc, "enum", "%s_desc", en->snake);
		name_add(&set, en->loc, "enum", "%s_names", en->snake);
		name_add(&set, en->loc, "enum", "%s_to_string", en->snake);
		name_add(&set, en->loc, "enum", "%s_from_string", en->snake);
		cg_emit_upper(&up, en->snake);
		for (i = 0; i < en->nmembers; i++) {
			corm_buf mem = CORM_BUF_INIT;

			cg_emit_upper(&mem, en->members[i].name);
			name_add(&set, en->members[i].loc, "enum member", "%s_%s",
				corm_buf_cstr(&up), corm_buf_cstr(&mem));
			corm_buf_free(&mem);
		}
		corm_buf_free(&up);
	}
	for (mi = 0; mi < e->s->nmodels; mi++) {
		const corm_model *m = &e->s->models[mi];

		for (fn = model_fns; *fn; fn++)
			name_add(&set, m->loc, "model", "%s%s", m->snake, *fn);
		for (i = 0; i < CORM_NDIALECTS; i++) /* <model>_sql_<dialect> */
			name_add(&set, m->loc, "model", "%s_sql_%s", m->snake,
				corm_dialects[i]->name);
		for (ui = 0; ui < m->nuniques; ui++) {
			corm_buf u = CORM_BUF_INIT;

			cg_emit_unique_name(&u, m, &m->uniques[ui]);
			name_add(&set, m->uniques[ui].loc, "unique", "%s_upsert_%s",
				m->snake, corm_buf_cstr(&u));
			name_add(&set, m->uniques[ui].loc, "unique", "%s_%s_fields",
				m->snake, corm_buf_cstr(&u));
			name_add(&set, m->uniques[ui].loc, "unique",
				"%s_%s_upsert_fields", m->snake, corm_buf_cstr(&u));
			corm_buf_free(&u);
		}
		if (cg_emit_rel_names(e->s, m, add_rel_name, &set) != CORM_OK)
			set.oom = true;
		/* Members, prefixed by the model so they only meet each other. */
		for (fi = 0; fi < m->nfields; fi++) {
			const corm_field *f = &m->fields[fi];
			corm_buf mem = CORM_BUF_INIT;

			cg_emit_member(&mem, f);
			name_add(&set, f->loc, "field", "%s.%s", m->snake,
				corm_buf_cstr(&mem));
			if (f->nullable && !cg_emit_ctype_by_pointer(f->type))
				name_add(&set, f->loc, "field", "%s.has_%s", m->snake,
					corm_buf_cstr(&mem));
			corm_buf_free(&mem);
		}
	}
	if (set.oom) {
		error = CORM_ENOMEM;
		goto done;
	}
	/* Report every problem, as a compiler would; stop only on no memory. */
	for (mi = 0; mi < e->s->nmodels && !error; mi++) {
		const corm_model *m = &e->s->models[mi];

		const char *why;

		/* A model called Int would make `typedef struct int`. */
		if ((why = reserved_type_name(m->snake)))
			error = report(e, CORM_DIAG_ERROR, m->loc,
				"the C name of this model, '%s', is %s; rename "
				"the model (@@map keeps the table's name)", m->snake, why);
		for (fi = 0; fi < m->nfields && !error; fi++) {
			const corm_field *f = &m->fields[fi];
			corm_buf mem = CORM_BUF_INIT;

			cg_emit_member(&mem, f);
			/* Relations' members end in _id: only __ can hit them. */
			if ((why = reserved_member_name(corm_buf_cstr(&mem))) &&
				(f->kind != CORM_FIELD_RELATION || f->name[0] == '_'))
				error = report(e, CORM_DIAG_ERROR, f->loc,
					"field name '%s' is %s; rename the field and "
					"keep the column with @map(\"%s\")",
					f->name, why, f->name);
			corm_buf_free(&mem);
		}
	}
	for (ei = 0; ei < e->s->nenums && !error; ei++) {
		const corm_enum *en = &e->s->enums[ei];
		const char *why;

		if ((why = reserved_type_name(en->snake)))
			error = report(e, CORM_DIAG_ERROR, en->loc,
				"the C name of this enum, '%s', is %s; rename "
				"the enum", en->snake, why);
		for (i = 0; i < en->nmembers && !error; i++) {
			corm_buf c = CORM_BUF_INIT;

			/* The member's constant: ENUM_MEMBER. */
			cg_emit_upper(&c, en->snake);
			corm_buf_putc(&c, '_');
			cg_emit_upper(&c, en->members[i].name);
			if ((why = reserved_member_name(corm_buf_cstr(&c))))
				error = report(e, CORM_DIAG_ERROR, en->members[i].loc,
					"the C constant of this enum member, '%s', is %s; "
					"rename the member or the enum", corm_buf_cstr(&c),
					why);
			corm_buf_free(&c);
		}
	}
	qsort(set.items, set.count, sizeof(*set.items), cmp_names);
	for (i = 1; i < set.count && !error; i++) {
		const gen_name *a = &set.items[i - 1], *b = &set.items[i];
		size_t k;
		bool seen = false;

		if (strcmp(a->name, b->name) != 0)
			continue;
		/* One report per pair of declarations, not one per name. */
		for (k = 1; k < i && !seen; k++)
			seen = strcmp(set.items[k - 1].name, set.items[k].name) == 0 &&
				set.items[k].loc.line == b->loc.line &&
				set.items[k].loc.col == b->loc.col &&
				set.items[k - 1].loc.line == a->loc.line &&
				set.items[k - 1].loc.col == a->loc.col;
		if (!seen)
			error = report(e, CORM_DIAG_ERROR, b->loc,
				"the generated C name '%s' of this %s is already used by "
				"the %s at line %d; rename one of them", b->name, b->what,
				a->what, a->loc.line);
	}
	if (!error && e->nerrors > 0)
		error = CORM_EINVAL;
done:
	for (i = 0; i < set.count; i++)
		corm_free(set.items[i].name);
	corm_free(set.items);
	return error;
}
