/*
 * tables.c — creating a test schema's tables (see tables.h).
 */
#include <stdio.h>
#include <stdlib.h>

#include "corm/driver.h"
#include "ddl.h"
#include "schema.h"
#include "tables.h"

char *test_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *text = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
		fseek(f, 0, SEEK_SET) == 0 && (text = malloc((size_t)n + 1)) &&
		fread(text, 1, (size_t)n, f) == (size_t)n) {
		text[n] = '\0';
		*len = (size_t)n;
	} else {
		free(text);
		text = NULL;
	}
	fclose(f);
	return text;
}

int test_create_tables(corm_conn *db, const char *schema_file)
{
	char path[1024];

	snprintf(path, sizeof(path), "%s/tests/models/%s", CORM_TEST_SOURCE_ROOT,
		schema_file);
	return test_create_tables_path(db, path);
}

int test_create_tables_path(corm_conn *db, const char *path)
{
	const corm_dialect *d = corm_conn_dialect(db);
	corm_buf sql = CORM_BUF_INIT;
	corm_schema *s = NULL;
	size_t len = 0;
	char *src;
	int error;

	if (!(src = test_read_file(path, &len))) {
		fprintf(stderr, "cannot read %s\n", path);
		return CORM_EINVAL;
	}
	if ((error = corm_schema_parse(&s, NULL, src, len)) != CORM_OK)
		fprintf(stderr, "%s does not parse (corm check it)\n", path);
	else if ((error = corm_ddl_drop_schema(&sql, d, s)) != CORM_OK ||
		(error = corm_ddl_create_schema(&sql, d, s)) != CORM_OK)
		fprintf(stderr, "%s: DDL rendering failed\n", path);
	else if ((error = corm_exec(db, corm_buf_cstr(&sql))) != CORM_OK)
		fprintf(stderr, "creating the tables of %s: %s\n", path,
			corm_errmsg(db));
	corm_buf_free(&sql);
	corm_schema_free(s);
	free(src);
	return error;
}
