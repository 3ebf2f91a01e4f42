/*
 * emit.h — the C emitter: a schema IR in, a header and a source file out.
 *
 * The output is meant to read like code a careful person wrote: a sectioned
 * header (enums, structs, functions) with the schema's comments on the
 * fields, and a .c file that is mostly static tables (offsetof descriptors,
 * SQL per dialect with explicit column lists) plus two-line wrappers over
 * the generic runtime in corm/model.h. It carries no date, so the same
 * schema always gives the same bytes.
 */
#ifndef CORM_CODEGEN_EMIT_H
#define CORM_CODEGEN_EMIT_H

#include "schema.h"

/*
 * Append the header (for `#include "<base>.h"`) to `h` and the source to
 * `c`. `base` names the files and the include guard; `source_name` is the
 * schema file named in the banner. Generated C names that would clash
 * (two models whose functions share a name, a field named like a has_
 * flag…) are errors in `diags`, reported at the declaration: CORM_EINVAL.
 */
int corm_emit_c(corm_buf *h, corm_buf *c, corm_diags *diags,
	const corm_schema *s, const char *base, const char *source_name);

#endif
