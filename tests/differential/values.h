/*
 * values.h — the exact semantics the differential test holds the engines
 * to, computed in C: comparing two values of a field, equality of values
 * read back, decimals by value, LIKE matching by code points, and whether
 * a double is exactly a given integer or decimal.
 *
 * What "equal" means, per type (the rules the brute force applies):
 *   integers, bool, enum (by member index; diff.corm declares members in
 *   name order, so stored-as-text and native enums sort alike), date,
 *   time, timestamp (microseconds), uuid (its 16 bytes)     exact
 *   f32, f64 read back                                      bitwise: every
 *     engine stores IEEE values and corm transfers them without loss
 *   f32, f64 in predicates and ORDER BY                     by value
 *   string(N), text, json                                   bytes (no
 *     collation, no PAD SPACE: "x" != "x "); order by bytes, shorter first
 *   decimal(P,S)                                            by value: "1.50"
 *     equals "1.5"; order by value at every digit
 */
#ifndef CORM_DIFF_VALUES_H
#define CORM_DIFF_VALUES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <corm/corm.h>
#include <corm/model.h>

__extension__ typedef __int128 i128;

/* Decimals are held as integers scaled by 10^DEC_SCALE, the largest scale
 * in diff.corm; decimal(30,10) needs 30 digits, an i128 holds 38. */
#define DEC_SCALE 10

/* Parse decimal text ("-12.50", "7", ".5") into *out scaled by 10^scale.
 * False when it is not a decimal or has more fraction digits than `scale`
 * (nonzero ones) or does not fit. */
bool dec_parse(i128 *out, const char *s, size_t len, int scale);

/* Decimal text of v scaled by 10^scale, into buf (at least 48 bytes). */
void dec_format(char *buf, i128 v, int scale);

/* Is field `f` of `row` NULL? */
bool field_is_null(const corm_model_desc *m, int f, const void *row);

/* The member of field f in row. */
const void *field_ptr(const corm_model_desc *m, int f, const void *row);

/* The size of a C value of field f (an IN list's element). */
size_t field_size(const corm_model_desc *m, int f);

/* Order of two non-NULL values of field f (pointers to C values): <0, 0,
 * >0. Text by bytes, decimals by value, floats by value. */
int value_cmp(const corm_model_desc *m, int f, const void *a, const void *b);

/* Equality of values read back: as value_cmp, except floats bitwise. */
bool value_same(const corm_model_desc *m, int f, const void *a,
	const void *b);

/* Field f of two rows: both NULL, or both non-NULL and value_same. */
bool field_same(const corm_model_desc *m, int f, const void *ra,
	const void *rb);

/* Print a field's value of a row (for diffs), into buf of `cap` bytes. */
void field_format(char *buf, size_t cap, const corm_model_desc *m, int f,
	const void *row);

/* SQL LIKE with corm's escape '!': % any run, _ one code point. */
bool like_match(const char *s, size_t slen, const char *p, size_t plen);

/* Is the double d exactly v / 10^scale (scale 0: an integer)? */
bool double_is_exactly(double d, i128 v, int scale);

#endif
