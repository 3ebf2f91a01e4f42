/*
 * internal.h — what the files of schema/ share and nobody else sees:
 * the parse context (arena + diagnostics), the token and syntax-tree
 * types, and the entry points between lexer, parser, lowering and the
 * printer.
 *
 * Data flow: lexer.c (bytes -> tokens, comments kept) -> parser.c
 * (tokens -> cg_file, a syntax tree that remembers comments and blank
 * lines) -> lower.c (cg_file -> corm_schema, with every semantic check)
 * and print.c (cg_file -> canonical text, for `corm fmt`).
 *
 * Internal names use the short prefix cg_ (from the days this lived in
 * codegen/): they never leave the static library, and a long
 * corm_schema__ form would drown the code.
 */
#ifndef CORM_SCHEMA_INTERNAL_H
#define CORM_SCHEMA_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "corm/arena.h"
#include "corm/buf.h"
#include "schema.h"

/* ------------------------------------------------------------- the context */

/* A string that points into the source (or into the arena); not
 * NUL-terminated. */
typedef struct cg_str {
	const char *p;
	size_t n;
} cg_str;

typedef struct cg_ctx {
	corm_arena arena;   /* the syntax tree and scratch; freed at the end */
	corm_diags *diags;  /* never NULL (a private one when the caller had none) */
	bool oom;           /* an allocation failed: stop and answer ENOMEM */
	bool stop;          /* the error limit was reached: stop everything */
	bool drop_notes;    /* the last error was dropped: so are its notes */
	const char *src;
	size_t len;
} cg_ctx;

/* Zeroed arena memory; sets ctx->oom and returns NULL on failure. */
void *cg_alloc(cg_ctx *c, size_t n);
char *cg_strndup(cg_ctx *c, const char *s, size_t n);

/* Grow an arena array so that index `n` fits; old memory stays in the
 * arena. Returns false (ctx->oom set) on failure. */
bool cg_grow(cg_ctx *c, void **arr, size_t *cap, size_t n, size_t size);
#define CG_PUSH(c, arr, n, cap)                                               \
	(cg_grow((c), (void **)&(arr), &(cap), (n), sizeof(*(arr)))                \
		? &(arr)[(n)++] : NULL)

/*
 * Report a diagnostic at line:col, underlining `len` bytes. Errors past
 * CORM_DIAG_MAX_ERRORS set ctx->stop instead. A note attaches to the
 * diagnostic before it.
 */
void cg_error(cg_ctx *c, corm_loc loc, int len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
void cg_warning(cg_ctx *c, corm_loc loc, int len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;
void cg_note(cg_ctx *c, corm_loc loc, int len, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 4, 5)))
#endif
	;

/* Sort the diagnostics by location (stable, notes stay with theirs). */
void cg_diags_sort(corm_diags *d);

/* The candidate closest to `word` by edit distance, or NULL when none is
 * close enough to be a plausible typo. */
const char *cg_suggest(cg_str word, const char *const *cands, size_t ncands);

/* Is `s` equal to the C string `lit`? */
bool cg_eq(cg_str s, const char *lit);

/* A short, printable rendering of `s` for messages: at most ~40 bytes,
 * control bytes escaped. Arena memory. */
const char *cg_show(cg_ctx *c, cg_str s);

/* --------------------------------------------------------------- a hash map */

/* String keys (not copied) to size_t values, optionally ASCII
 * case-insensitive. Memory from corm_malloc; release with cg_map_free. */
typedef struct cg_map {
	struct cg_map_slot *slots;
	size_t cap, count;
	bool nocase;
} cg_map;

/* Insert; when the key exists, leave it and set *old to its value and
 * return 1. 0 when inserted, -1 on no memory. */
int cg_map_put(cg_map *m, cg_str key, size_t val, size_t *old);
bool cg_map_get(const cg_map *m, cg_str key, size_t *val);
void cg_map_free(cg_map *m);

/* ------------------------------------------------------------------ tokens */

typedef enum cg_tok {
	TK_EOF,
	TK_NEWLINE,
	TK_IDENT,
	TK_INT,
	TK_FLOAT,
	TK_STRING,
	TK_ATTR,     /* @name: text includes the '@' */
	TK_MATTR,    /* @@name */
	TK_LBRACE,
	TK_RBRACE,
	TK_LPAREN,
	TK_RPAREN,
	TK_LBRACK,
	TK_RBRACK,
	TK_COMMA,
	TK_QUESTION,
	TK_COMMENT,
	TK_ERROR     /* already reported by the lexer */
} cg_tok;

typedef struct cg_token {
	cg_tok kind;
	cg_str text;        /* the raw bytes */
	corm_loc loc;       /* of the first byte */
	int end_line;       /* line of the last byte (block comments span) */
	bool blank_before;  /* a blank line separates it from what came before */
	cg_str str;         /* TK_STRING: decoded value (arena) */
} cg_token;

typedef struct cg_lexer {
	cg_ctx *ctx;
	const char *src;
	size_t len, pos;
	int line;
	size_t line_start;  /* offset of the current line's first byte */
	int newlines;       /* newlines seen since the last token or comment */
} cg_lexer;

void cg_lexer_init(cg_lexer *lx, cg_ctx *ctx);
void cg_lex(cg_lexer *lx, cg_token *out);

/* Is `s` a valid identifier: [A-Za-z_][A-Za-z0-9_]* ? */
bool cg_is_ident(cg_str s);

/* -------------------------------------------------------------- syntax tree */

typedef struct cg_comment {
	cg_str text;        /* verbatim, markers included */
	int line, end_line;
	bool blank_before;
} cg_comment;

typedef struct cg_comments {
	cg_comment *items;
	size_t n, cap;
} cg_comments;

typedef enum cg_value_kind {
	CG_VAL_IDENT,
	CG_VAL_INT,
	CG_VAL_FLOAT,
	CG_VAL_STRING,
	CG_VAL_LIST         /* [ident, ident, ...] */
} cg_value_kind;

typedef struct cg_value {
	cg_value_kind kind;
	cg_str text;        /* raw; for strings the decoded value is `str` */
	cg_str str;
	corm_loc loc;
	int len;            /* bytes to underline */
	struct cg_value *items; /* CG_VAL_LIST */
	size_t nitems, cap;
} cg_value;

typedef struct cg_attr {
	bool model_level;   /* @@name */
	cg_str name;        /* without the @ / @@ */
	corm_loc loc;       /* of the '@' */
	int len;            /* of "@name" */
	bool parens;        /* written with (...) */
	cg_value *args;
	size_t nargs, cap;
} cg_attr;

typedef enum cg_item_kind {
	CG_ITEM_FIELD,
	CG_ITEM_MODEL_ATTR, /* attrs[0] is the @@ attribute */
	CG_ITEM_MEMBER      /* an enum member: name */
} cg_item_kind;

/* One line of a block: a field, a model attribute or an enum member. */
typedef struct cg_item {
	cg_item_kind kind;
	bool blank_before;  /* a blank line above (after its leading comments) */
	bool broken;        /* had a syntax error: skipped by lowering */
	cg_comments leading;  /* comments on their own lines above it */
	cg_comments trailing; /* comments on its own line, after or inside it */

	cg_str name;
	corm_loc name_loc;
	cg_str type;        /* fields */
	corm_loc type_loc;
	bool type_parens;   /* string(N), decimal(P, S) */
	cg_value *type_args;
	size_t ntype_args, type_args_cap;
	bool optional;      /* `?` */
	cg_attr *attrs;
	size_t nattrs, attrs_cap;
} cg_item;

typedef struct cg_decl {
	bool is_enum;
	bool broken;        /* header broken or block never closed */
	bool had_errors;    /* some item had a syntax error */
	bool blank_before;  /* a blank line between `leading` and the keyword */
	cg_comments leading;
	cg_comments header; /* comments on the `model X {` line */
	cg_str name;
	corm_loc name_loc;
	corm_loc lbrace_loc;
	bool one_line;      /* an enum written on one line without comments */
	cg_item *items;
	size_t nitems, items_cap;
	cg_comments dangling;      /* own-line comments before the '}' */
	cg_comments close_trailing; /* comments after the '}' */
} cg_decl;

typedef struct cg_file {
	cg_decl *decls;
	size_t ndecls, decls_cap;
	cg_comments trailing; /* comments after the last block */
} cg_file;

/* Parse the whole of ctx->src. Always returns a tree (possibly with
 * broken parts) unless ctx->oom. */
cg_file *cg_parse(cg_ctx *c);

/* Check `f` and build the IR (NULL when there were errors or no memory). */
corm_schema *cg_lower(cg_ctx *c, const cg_file *f);

/*
 * Check `v`, the value of a field's @default, against the field's
 * resolved type and fill fd->def (its strings in the IR arena `ir`).
 * `enum_had_errors` silences "unknown member" when the enum itself had
 * syntax errors. Reports what is wrong.
 */
void cg_check_default(cg_ctx *c, corm_arena *ir, corm_field *fd,
	const cg_value *v, bool enum_had_errors);

/* A field's type as written ("string(10)", "decimal(5, 2)", "Author"),
 * for messages. Arena memory. */
const char *cg_type_text(cg_ctx *c, const corm_field *fd);

/* Print `f` in canonical form. */
int cg_print(corm_buf *out, const cg_file *f);

/* Append `s` as a DSL string literal, quotes and escapes included. */
int cg_put_string_literal(corm_buf *out, cg_str s);

#endif /* CORM_SCHEMA_INTERNAL_H */
