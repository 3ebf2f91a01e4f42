/*
 * sqlite_decimal.h — decimals by value on SQLite (sqlite_decimal.c):
 * the corm_decimal collation and the corm_decimal_sum() aggregate.
 */
#ifndef CORM_SQLITE_DECIMAL_H
#define CORM_SQLITE_DECIMAL_H

#include <sqlite3.h>

/* Register both on `db`: SQLITE_OK or SQLite's error code. */
int corm_sqlite__decimal_register(sqlite3 *db);

/* The collation's order of texts a[0..na) and b[0..nb): -1, 0 or 1.
 * Numbers ([+-]digits[.digits][e[+-]digits]) by value, before any other
 * text; other text by its bytes. */
int corm_sqlite__decimal_cmp(const char *a, int na, const char *b, int nb);

#endif
