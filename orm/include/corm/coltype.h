/*
 * coltype.h — the one table of column types. Everything that depends on
 * a type (the corm_coltype and corm_ctype enums, the DSL names, the C
 * types and descriptor constants codegen writes, the query-function
 * family, the per-type facts lowering and the emitter check) is derived
 * from the two X-macro lists below; nothing else lists the types.
 *
 * Adding a column type: a row in CORM_COLTYPES (and in CORM_CTYPES when
 * it needs a new C representation), its SQL spelling in each dialect's
 * type_format (orm/dialect/dialect_<engine>.c) and in introspection's type
 * map (migrate/introspect.c, type_map), and its runtime conversions where a new
 * C representation is bound and read (docs/internals.md).
 */
#ifndef CORM_COLTYPE_H
#define CORM_COLTYPE_H

/*
 * How a field is laid out in the generated struct:
 *	X(NAME, C type, agg)
 * gives CORM_C_<NAME>; `agg` is the member of corm_agg_value's union
 * (corm/query.h) that holds a MIN / MAX of it. Order is the enum's order.
 */
#define CORM_CTYPES(X)                                                     \
	X(I16, int16_t, i64)                                                    \
	X(I32, int32_t, i64)                                                    \
	X(I64, int64_t, i64)                                                    \
	X(F32, float, f64)                                                      \
	X(F64, double, f64)                                                     \
	X(BOOL, bool, b)                                                        \
	X(STR, corm_str, text) /* string(N), text, decimal, json */             \
	X(BYTES, corm_bytes, none) /* no MIN / MAX */                           \
	X(DATE, corm_date, date)                                                \
	X(TIME, corm_time, time)                                                \
	X(TIMESTAMP, corm_timestamp, timestamp) /* UTC */                       \
	X(UUID, corm_uuid, uuid)                                                \
	X(ENUM, int, enum_value) /* a C enum (int-sized, the schema enum's own  \
	                          * type); stored as the member name */

/* Facts about a column type (the last column of CORM_COLTYPES). */
#define CORM_COLF_INTEGER  0x01u /* i16 i32 i64: @auto, @version keys */
#define CORM_COLF_FLOAT    0x02u /* f32 f64 */
#define CORM_COLF_NUMERIC  0x04u /* integers, floats, decimal: numeric
                                  * defaults, SUM/AVG, numeric families */
#define CORM_COLF_TEMPORAL 0x08u /* date time timestamp: @default(now) */
#define CORM_COLF_TEXT     0x10u /* any string literal is a default */
#define CORM_COLF_UNKEYED  0x20u /* not in a key or index (MySQL keys
                                  * only a prefix of such columns) */
#define CORM_COLF_UNORDERED 0x40u /* no MIN / MAX (bytes, json) */

/*
 * The DSL's column types:
 *	X(NAME, "dsl name", CTYPE, "family", nargs, flags)
 * gives CORM_COL_<NAME>, spelled "dsl name" in a .corm file, held in the
 * generated struct as CORM_C_<CTYPE>; "family" names the typed query
 * functions of its columns (corm_col_<family>..., shared by the types of
 * one C representation); nargs is 0, 1 (string(N): a length) or
 * 2 (decimal(P, S): a precision and a scale). Order is the enum's order.
 */
#define CORM_COLTYPES(X)                                                   \
	X(I16, "i16", I16, "i16", 0,                                            \
		CORM_COLF_INTEGER | CORM_COLF_NUMERIC)                              \
	X(I32, "i32", I32, "i32", 0,                                            \
		CORM_COLF_INTEGER | CORM_COLF_NUMERIC)                              \
	X(I64, "i64", I64, "i64", 0,                                            \
		CORM_COLF_INTEGER | CORM_COLF_NUMERIC)                              \
	X(F32, "f32", F32, "f32", 0, CORM_COLF_FLOAT | CORM_COLF_NUMERIC)      \
	X(F64, "f64", F64, "f64", 0, CORM_COLF_FLOAT | CORM_COLF_NUMERIC)      \
	X(BOOL, "bool", BOOL, "bool", 0, 0)                                     \
	X(STRING, "string", STR, "str", 1, CORM_COLF_TEXT)                      \
	X(TEXT, "text", STR, "str", 0, CORM_COLF_TEXT | CORM_COLF_UNKEYED)      \
	X(BYTES, "bytes", BYTES, "bytes", 0,                                    \
		CORM_COLF_UNKEYED | CORM_COLF_UNORDERED)                            \
	/* its own family, so SUM of a decimal compiles and of text not */      \
	X(DECIMAL, "decimal", STR, "decimal", 2, CORM_COLF_NUMERIC)             \
	X(DATE, "date", DATE, "date", 0, CORM_COLF_TEMPORAL)                    \
	X(TIME, "time", TIME, "time", 0, CORM_COLF_TEMPORAL)                    \
	X(TIMESTAMP, "timestamp", TIMESTAMP, "timestamp", 0, CORM_COLF_TEMPORAL) \
	X(UUID, "uuid", UUID, "uuid", 0, 0)                                     \
	X(JSON, "json", STR, "json", 0,                                         \
		CORM_COLF_TEXT | CORM_COLF_UNKEYED | CORM_COLF_UNORDERED)

#endif /* CORM_COLTYPE_H */
