/*
 * tables.h — creating a test schema's tables on a real engine: parse a
 * .corm file of tests/models and run migrate's DDL for the connection's
 * dialect, dropping the tables first so a crashed run leaves nothing in
 * the way.
 */
#ifndef CORM_TESTS_TABLES_H
#define CORM_TESTS_TABLES_H

#include <stddef.h>

#include <corm/corm.h>

/* The whole file at `path`, NUL-terminated (free it), its length in
 * *len; NULL when it cannot be read. */
char *test_read_file(const char *path, size_t *len);

/* CORM_OK, or the failing step's code after printing why to stderr. */
int test_create_tables(corm_conn *db, const char *schema_file);

/* The same for a schema file anywhere (a generated one). */
int test_create_tables_path(corm_conn *db, const char *path);

#endif
