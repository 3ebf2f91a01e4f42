/*
 * schema.h — the schema IR: what a .corm file means, shared by the C
 * emitter (codegen/), the differ and introspection (migrate/) and the CLI.
 *
 * Sections: locations and diagnostics, the IR (enums, fields, keys and
 * indexes, models, the schema), parsing, formatting, printing.
 *
 * Ownership: a corm_schema owns everything reachable from it (names,
 * arrays, doc lines) in one arena; corm_schema_free() releases it all.
 * Every pointer inside points into the same schema, so pointers between
 * models, fields and enums stay valid for the schema's lifetime and the
 * IR is read-only once built. All memory comes from the corm allocator
 * hook (corm_set_allocator()).
 *
 * Names: `name` is always the DSL identifier; `table` / `column` are the
 * SQL names (after @@map / @map, or derived); `snake` is the snake_case
 * form of a model or enum name, for C identifiers.
 *
 * Building an IR by hand is not supported: a producer (introspection, a
 * test) writes DSL text and parses it, so every IR has been validated.
 */
#ifndef CORM_SCHEMA_SCHEMA_H
#define CORM_SCHEMA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "corm/buf.h"
#include "corm/dialect.h"
#include "corm/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------- locations and diagnostics */

/* A position in the source: line and column count from 1; the column is
 * a byte offset in the line (tabs count 1). {0, 0} means "none". */
typedef struct corm_loc {
	int line;
	int col;
} corm_loc;

typedef enum corm_diag_level {
	CORM_DIAG_ERROR,
	CORM_DIAG_WARNING,
	CORM_DIAG_NOTE /* attached to the error or warning before it */
} corm_diag_level;

typedef struct corm_diag {
	corm_diag_level level;
	corm_loc loc;  /* {0, 0}: the message is about the whole file */
	int len;       /* bytes to underline from loc (>= 1 when loc is set) */
	char *msg;     /* one line, no trailing period */
} corm_diag;

/* Diagnostics collected while parsing. Start from CORM_DIAGS_INIT, read
 * items[0..count), release with corm_diags_free(). Items are in source
 * order, each error or warning followed by its notes. */
typedef struct corm_diags {
	corm_diag *items;
	size_t count;
	size_t cap;
	size_t nerrors;
	size_t nwarnings;
} corm_diags;

#define CORM_DIAGS_INIT {NULL, 0, 0, 0, 0}

/* Parsing stops after this many errors (a final error says so). */
#define CORM_DIAG_MAX_ERRORS 50

void corm_diags_free(corm_diags *d);

/*
 * Append `d` rendered like a compiler's output, each diagnostic as
 *     FILE:LINE:COL: error: MESSAGE
 *     <the source line>
 *     <a caret (and tildes) under the location>
 * followed by "N errors generated." (and/or warnings) when there were
 * any. `src`/`len` must be the text that was parsed. Control bytes in
 * echoed lines are shown as '?', and very long lines are cut around the
 * column.
 */
int corm_diags_render(corm_buf *out, const corm_diags *d,
	const char *filename, const char *src, size_t len);

/* ---------------------------------------------------------------------- IR */

/* An enum column stores the member's name as text: string(64). */
#define CORM_ENUM_COLUMN_LEN 64

/* Limits on string(N) and decimal(P, S) that every engine accepts. */
#define CORM_STRING_MAX_LEN 65535
#define CORM_DECIMAL_MAX_PRECISION 65
#define CORM_DECIMAL_MAX_SCALE 30

typedef struct corm_schema corm_schema;
typedef struct corm_model corm_model;
typedef struct corm_field corm_field;
typedef struct corm_enum corm_enum;

/* A comment carried over from the source: the lines of the comments just
 * above a declaration (no blank line in between) and of a comment on the
 * same line after it, with the comment markers removed. */
typedef struct corm_doc {
	const char *const *lines;
	size_t nlines;
} corm_doc;

typedef struct corm_enum_member {
	const char *name;
	corm_doc doc;
	corm_loc loc;
} corm_enum_member;

struct corm_enum {
	const char *name;
	const char *snake;            /* snake_case(name) */
	const corm_enum_member *members; /* in declaration order */
	size_t nmembers;
	corm_doc doc;
	corm_loc loc;
	size_t index;                 /* in schema->enums */
};

typedef enum corm_field_kind {
	CORM_FIELD_SCALAR,   /* a built-in type */
	CORM_FIELD_ENUM,     /* a declared enum, stored as string(64) */
	CORM_FIELD_RELATION  /* a model: a foreign-key column */
} corm_field_kind;

typedef enum corm_on_delete {
	CORM_ON_DELETE_NO_ACTION = 0, /* also when @on_delete is absent */
	CORM_ON_DELETE_RESTRICT,
	CORM_ON_DELETE_CASCADE,
	CORM_ON_DELETE_SET_NULL
} corm_on_delete;

typedef enum corm_default_kind {
	CORM_DEFAULT_NONE = 0,
	CORM_DEFAULT_INT,    /* an integer literal: i (and f = i) */
	CORM_DEFAULT_FLOAT,  /* a literal with '.' or an exponent: f */
	CORM_DEFAULT_STRING, /* a string literal: text, decoded */
	CORM_DEFAULT_BOOL,   /* true / false: b */
	CORM_DEFAULT_ENUM,   /* an enum member: text = its name, member */
	CORM_DEFAULT_NOW     /* now: the dialect's now_sql */
} corm_default_kind;

/*
 * A field's default. It has been checked against the field's type:
 * INT only on integer, float and decimal fields (in range for the
 * integer's width); FLOAT on float and decimal fields (a decimal's
 * digits fit its precision and scale); STRING on string/text/json/
 * uuid/date/time/timestamp fields (a uuid or temporal string has the
 * canonical form, a string(N) default has at most N characters); BOOL
 * on bool; ENUM on the field's enum; NOW on date, time and timestamp.
 * For numbers `text` is the literal exactly as written ("-3", "0.50"),
 * which is what a decimal needs.
 */
typedef struct corm_default {
	corm_default_kind kind;
	int64_t i;
	double f;
	bool b;
	const char *text;    /* INT/FLOAT/STRING/ENUM; NULL otherwise */
	size_t text_len;     /* strlen(text); strings never hold NUL */
	size_t member;       /* ENUM: index in the enum's members */
} corm_default;

struct corm_field {
	const char *name;
	const char *column;       /* @map, `<name>_id` for a relation, or name */
	bool column_mapped;       /* the column came from @map */
	corm_field_kind kind;
	const char *type_name;    /* as written: "string", "PostStatus", "Author" */

	/* The column's storage type. A relation's column is typed like the
	 * target's key column (type, len, precision, scale copied); an enum
	 * column is CORM_COL_STRING with len CORM_ENUM_COLUMN_LEN. */
	corm_coltype type;
	int len;                  /* CORM_COL_STRING: N */
	int precision, scale;     /* CORM_COL_DECIMAL: P, S */

	const corm_enum *enum_type;       /* CORM_FIELD_ENUM, else NULL */
	const corm_model *target;         /* CORM_FIELD_RELATION, else NULL */
	const corm_field *target_field;   /* the target's key field */
	corm_on_delete on_delete;         /* relations only */

	bool nullable;            /* `?` */
	bool is_id;               /* @id (not set by @@id; see model->pk) */
	bool is_auto;             /* @auto: only on a single integer key */
	bool is_unique;           /* @unique */
	bool is_index;            /* @index */
	bool is_version;          /* @version: an integer bumped by every
	                           * update, for optimistic locking */
	corm_default def;
	const char *renamed_from; /* @renamed_from(old field name), or NULL */

	corm_doc doc;
	corm_loc loc;             /* of the field's name */
	size_t index;             /* in model->fields */
};

/* A primary key, unique constraint or index: columns in order. The
 * constraint name follows PostgreSQL's habit (`<table>_pkey`,
 * `<table>_<cols>_key`, `<table>_<cols>_idx`, `<table>_<col>_fkey`),
 * shortened with a hash when it would pass the shortest engine limit,
 * so it is valid and stable on every engine. */
typedef struct corm_index {
	const char *name;
	const size_t *fields;     /* indexes into model->fields */
	size_t nfields;
	bool from_field;          /* written as @unique / @index on a field */
	corm_loc loc;
} corm_index;

/* The foreign key of a relation field. */
typedef struct corm_fk {
	const char *name;          /* constraint name, see corm_index */
	const corm_field *field;   /* the relation field (column = field->column) */
	const corm_model *target;
	const corm_field *target_field; /* target's key: table target->table,
	                                   column target_field->column */
	corm_on_delete on_delete;
} corm_fk;

struct corm_model {
	const char *name;
	const char *table;        /* @@map, or snake_case(name) */
	bool table_mapped;
	const char *snake;        /* snake_case(name): generated C prefix */
	const corm_field *fields; /* in declaration order */
	size_t nfields;

	corm_index pk;            /* never empty; from @id or @@id */
	bool pk_from_model;       /* written as @@id([...]) */

	const corm_index *uniques; /* @unique fields, then @@unique, in order */
	size_t nuniques;
	const corm_index *indexes; /* @index fields, then @@index, in order */
	size_t nindexes;
	const corm_fk *fks;        /* one per relation field, in field order */
	size_t nfks;

	const char *renamed_from;  /* @@renamed_from(OldName), or NULL */
	corm_doc doc;
	corm_loc loc;              /* of the model's name */
	size_t index;              /* in schema->models */
};

struct corm_schema {
	const corm_model *models;  /* in declaration order */
	size_t nmodels;
	const corm_enum *enums;    /* in declaration order */
	size_t nenums;
	void *internal_;           /* the arena; not for callers */
};

/* Lookups by DSL name (exact, case-sensitive); NULL when absent. */
const corm_model *corm_schema_find_model(const corm_schema *s,
	const char *name);
const corm_enum *corm_schema_find_enum(const corm_schema *s,
	const char *name);
const corm_field *corm_model_find_field(const corm_model *m,
	const char *name);

/* The key field of a single-column primary key, or NULL for a
 * composite key. */
const corm_field *corm_model_key_field(const corm_model *m);

/* "i64", "string", ... for a corm_coltype; never NULL. */
const char *corm_coltype_name(corm_coltype t);

/* What corm/coltype.h says about one column type, as strings for the
 * emitter and numbers for the checks. */
typedef struct corm_coltype_info {
	const char *dsl;          /* "string" */
	const char *enum_name;    /* "CORM_COL_STRING" */
	const char *ctype_name;   /* "CORM_C_STR" */
	corm_ctype ctype;         /* CORM_C_STR: the struct member's layout */
	const char *family;       /* "str": corm_col_str..., <model>_str... */
	int nargs;                /* 0, 1 (string(N)), 2 (decimal(P, S)) */
	unsigned flags;           /* CORM_COLF_* */
} corm_coltype_info;

/* The row of `t` in corm/coltype.h (t < CORM_COL__COUNT). */
const corm_coltype_info *corm_coltype_info_of(corm_coltype t);

/* Does type `t` have every fact in `flags` (CORM_COLF_*)? */
bool corm_coltype_is(corm_coltype t, unsigned flags);

/* The C type of a struct member laid out as `c` ("int16_t",
 * "corm_str"); "int" for CORM_C_ENUM, whose member has the enum's own
 * type. */
const char *corm_ctype_c_type(corm_ctype c);

/* The member of corm_agg_value's union holding a MIN / MAX of a value
 * laid out as `c` ("i64", "text", "enum_value"; "none" for bytes). */
const char *corm_ctype_agg_member(corm_ctype c);

/* The snake_case of `name` ("PostStatus" -> "post_status", "HTTPRequest"
 * -> "http_request"), allocated with corm_malloc; NULL on no memory. */
char *corm_snake_case(const char *name);

/* NULL-safe. */
void corm_schema_free(corm_schema *s);

/* The shortest identifier limit among corm_dialects (0: none). */
size_t corm_ident_limit(void);

/*
 * The constraint-name rule: `b` holds a full name ending in "_<suffix>"
 * (`<table>_<cols>_key`, `<table>_<col>_check`, ...). When it is longer
 * than corm_ident_limit(), it is cut (at a character boundary) and ends
 * in "_<8 hex digits of its FNV-1a hash>_<suffix>" instead, so it stays
 * unique, stable and valid on every engine.
 */
void corm_constraint_name_fit(corm_buf *b, const char *suffix);

/* ----------------------------------------------------------------- parsing */

/*
 * Parse and validate `src` (`len` bytes; it may hold any bytes, NULs
 * included). On success *out is the schema and diagnostics may still hold
 * warnings. Returns CORM_OK; CORM_EINVAL when the schema has errors (they
 * are in `diags`, *out is NULL); CORM_ENOMEM. `diags` may be NULL.
 * Identifier lengths are checked against every dialect in corm_dialects.
 */
int corm_schema_parse(corm_schema **out, corm_diags *diags,
	const char *src, size_t len);

/* -------------------------------------------------------------- formatting */

/*
 * The canonical form of `src`: four-space indents, aligned field
 * columns, one blank line between blocks, every comment kept. Refuses a
 * schema with errors (CORM_EINVAL, errors in `diags`). On success *out
 * (NUL-terminated, *out_len bytes, corm_free() it) is the formatted text.
 * Formatting is idempotent and never changes the IR.
 */
int corm_schema_format(char **out, size_t *out_len, corm_diags *diags,
	const char *src, size_t len);

/* ---------------------------------------------------------------- printing */

/*
 * Append `s` as canonical DSL text (what `corm fmt` would print for it,
 * with doc comments as the only comments). Parsing the result gives back
 * the same IR, locations aside. For `corm inspect` and snapshots.
 */
int corm_schema_write(corm_buf *out, const corm_schema *s);

/*
 * Append a plain-text listing of every fact in the IR except source
 * locations, one per line, in a stable order. Two schemas mean the same
 * thing exactly when their dumps are equal; the tests rely on it.
 */
int corm_schema_dump(corm_buf *out, const corm_schema *s);

#ifdef __cplusplus
}
#endif

#endif /* CORM_SCHEMA_SCHEMA_H */
