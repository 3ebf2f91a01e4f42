/*
 * mig_helpers.c — see mig_helpers.h.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "corm/driver.h"
#include "mig_helpers.h"

static bool is_sqlite(const char *engine)
{
	return strcmp(engine, "sqlite") == 0;
}

/* base_url with its database (the path after the last '/') replaced. */
static void swap_db(char *out, size_t cap, const char *base, const char *db)
{
	const char *q = strchr(base, '?');
	const char *end = q ? q : base + strlen(base);
	const char *slash = end;

	while (slash > base && *slash != '/')
		slash--;
	snprintf(out, cap, "%.*s/%s%s", (int)(slash - base), base, db,
		q ? q : "");
}

/* Scratch databases not dropped yet: a failed assertion leaves its
 * test by longjmp, so main() drops what is left (mig_db_cleanup_all). */
static struct {
	char admin_url[1024];
	char dbname[64];
} g_open[16];

static void drop_db(const char *admin_url, const char *dbname)
{
	corm_conn *admin = NULL;
	char sql[160];

	if (corm_conn_open(&admin, admin_url) != CORM_OK)
		return;
	/* FORCE: a test that failed may still hold a session. */
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s%s", dbname,
		strcmp(corm_conn_dialect(admin)->name, "postgres") == 0
		? " WITH (FORCE)" : "");
	if (corm_exec(admin, sql) != CORM_OK)
		fprintf(stderr, "%s: %s\n", sql, corm_errmsg(admin));
	corm_conn_close(admin);
}

void mig_db_cleanup_all(void)
{
	size_t i;

	for (i = 0; i < sizeof(g_open) / sizeof(g_open[0]); i++)
		if (g_open[i].dbname[0]) {
			drop_db(g_open[i].admin_url, g_open[i].dbname);
			g_open[i].dbname[0] = '\0';
		}
}

int mig_db_open(mig_db *m, const char *engine, const char *base_url)
{
	corm_conn *admin = NULL;
	char sql[128];
	int rc;

	memset(m, 0, sizeof(*m));
	snprintf(m->engine, sizeof(m->engine), "%s", engine);
	snprintf(m->admin_url, sizeof(m->admin_url), "%s", base_url);
	if (is_sqlite(engine)) {
		static int seq;

		/* A new file per database, beside the engine's. */
		snprintf(m->url, sizeof(m->url), "%s.%d.db", base_url, ++seq);
	} else {
		snprintf(m->dbname, sizeof(m->dbname), "corm_mig_%ld_%d",
			(long)getpid(), rand() % 100000);
		if ((rc = corm_conn_open(&admin, base_url)) != CORM_OK) {
			fprintf(stderr, "connect %s: %s\n", base_url, corm_errmsg(NULL));
			return rc;
		}
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", m->dbname);
		rc = corm_exec(admin, sql);
		if (rc)
			fprintf(stderr, "%s: %s\n", sql, corm_errmsg(admin));
		corm_conn_close(admin);
		if (rc)
			return rc;
		swap_db(m->url, sizeof(m->url), base_url, m->dbname);
		for (size_t i = 0; i < sizeof(g_open) / sizeof(g_open[0]); i++)
			if (!g_open[i].dbname[0]) {
				snprintf(g_open[i].admin_url, sizeof(g_open[i].admin_url),
					"%s", base_url);
				snprintf(g_open[i].dbname, sizeof(g_open[i].dbname), "%s",
					m->dbname);
				break;
			}
	}
	rc = corm_conn_open(&m->c, m->url);
	if (rc)
		fprintf(stderr, "connect %s: %s\n", m->url, corm_errmsg(NULL));
	return rc;
}

void mig_db_close(mig_db *m)
{
	size_t i;

	corm_conn_close(m->c);
	m->c = NULL;
	if (!m->dbname[0])
		return;
	drop_db(m->admin_url, m->dbname);
	for (i = 0; i < sizeof(g_open) / sizeof(g_open[0]); i++)
		if (strcmp(g_open[i].dbname, m->dbname) == 0)
			g_open[i].dbname[0] = '\0';
	m->dbname[0] = '\0';
}

corm_schema *mig_parse(const char *src)
{
	corm_diags d = CORM_DIAGS_INIT;
	corm_schema *s = NULL;
	int rc = corm_schema_parse(&s, &d, src, strlen(src));

	if (rc != CORM_OK) {
		corm_buf b = CORM_BUF_INIT;

		corm_diags_render(&b, &d, "test.corm", src, strlen(src));
		print_error("schema does not parse:\n%s\n%s\n", src,
			corm_buf_cstr(&b));
		corm_buf_free(&b);
	}
	corm_diags_free(&d);
	assert_int_equal(rc, CORM_OK);
	return s;
}

int mig_step(corm_conn *c, const corm_schema *from, const corm_schema *to,
	const char *version, char **up_sql, char **down_sql, corm_buf *err)
{
	const corm_dialect *d = corm_conn_dialect(c);
	corm_plan *up = NULL, *down = NULL;
	corm_buf u = CORM_BUF_INIT, w = CORM_BUF_INIT;
	corm_mig_entry e = {(char *)version, (char *)"step", (char *)"."};
	bool skipped = false;
	int rc;

	assert_int_equal(corm_diff(&up, from, to), CORM_OK);
	assert_int_equal(corm_diff(&down, to, from), CORM_OK);
	assert_int_equal(corm_plan_render(&u, d, up), CORM_OK);
	assert_int_equal(corm_plan_render(&w, d, down), CORM_OK);
	rc = corm_mig_apply(&skipped, c, &e, corm_buf_cstr(&u), u.len, true, err);
	if (rc)
		print_error("migration %s failed: %s\nSQL:\n%s\n", version,
			corm_buf_cstr(err), corm_buf_cstr(&u));
	assert_false(skipped);
	if (up_sql)
		*up_sql = corm_strdup(corm_buf_cstr(&u));
	if (down_sql)
		*down_sql = corm_strdup(corm_buf_cstr(&w));
	corm_buf_free(&u);
	corm_buf_free(&w);
	corm_plan_free(up);
	corm_plan_free(down);
	return rc;
}

char *mig_rows(corm_conn *c, const char *sql)
{
	corm_buf b = CORM_BUF_INIT;
	corm_stmt *st = NULL;
	int rc, i;

	rc = corm_stmt_prepare(&st, c, sql);
	if (rc)
		print_error("%s: %s\n", sql, corm_errmsg(c));
	assert_int_equal(rc, CORM_OK);
	while ((rc = corm_step(st)) == CORM_ROW) {
		for (i = 0; i < corm_column_count(st); i++) {
			const char *t;
			size_t n;

			if (i)
				corm_buf_putc(&b, '|');
			if (corm_column_is_null(st, i))
				corm_buf_putc(&b, '~');
			else if (corm_column_text(&t, &n, st, i) == CORM_OK)
				corm_buf_put(&b, t, n);
			else
				corm_buf_putc(&b, '?');
		}
		corm_buf_putc(&b, ';');
	}
	assert_int_equal(rc, CORM_DONE);
	corm_stmt_free(st);
	corm_buf_putc(&b, '\0');
	return corm_buf_detach(&b);
}

void mig_exec_ok(corm_conn *c, const char *sql)
{
	int rc = corm_exec(c, sql);

	if (rc != CORM_OK)
		print_error("%s: %s\n", sql, corm_errmsg(c));
	assert_int_equal(rc, CORM_OK);
}

void mig_expect_rows(corm_conn *c, const char *sql, const char *want)
{
	char *got = mig_rows(c, sql);

	if (strcmp(got, want) != 0)
		print_error("%s: got '%s', want '%s'\n", sql, got, want);
	assert_string_equal(got, want);
	corm_free(got);
}

char *mig_tables(corm_conn *c)
{
	const char *n = corm_conn_dialect(c)->name;
	const char *sql = strcmp(n, "sqlite") == 0
		? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
		  "LIKE 'sqlite%' ORDER BY name"
		: strcmp(n, "postgres") == 0
		? "SELECT table_name::text FROM information_schema.tables WHERE "
		  "table_schema = current_schema() ORDER BY 1"
		: "SELECT TABLE_NAME FROM information_schema.TABLES WHERE "
		  "TABLE_SCHEMA = DATABASE() ORDER BY 1";

	return mig_rows(c, sql);
}

/* The text without @renamed_from(...) / @@renamed_from(...). */
static char *strip_renames(const char *src)
{
	corm_buf b = CORM_BUF_INIT;
	const char *p = src, *r;

	while ((r = strstr(p, "@renamed_from(")) != NULL) {
		if (r > p && r[-1] == '@')
			r--;
		corm_buf_put(&b, p, (size_t)(r - p));
		p = strchr(r, ')');
		p = p ? p + 1 : r + strlen(r);
	}
	corm_buf_puts(&b, p);
	corm_buf_putc(&b, '\0');
	return corm_buf_detach(&b);
}

bool mig_same_as(corm_conn *c, const char *want_src, const char *what)
{
	char *plain = strip_renames(want_src);
	corm_schema *want = mig_parse(plain), *with = mig_parse(want_src);
	corm_schema *have = NULL;
	corm_buf a = CORM_BUF_INIT, b = CORM_BUF_INIT, text = CORM_BUF_INIT;
	corm_plan *again = NULL;
	bool same;

	assert_int_equal(corm_introspect_text(&text, c, want), CORM_OK);
	if (corm_schema_parse(&have, NULL, corm_buf_cstr(&text), text.len)) {
		print_error("%s: introspected text does not parse:\n%s\n", what,
			corm_buf_cstr(&text));
		fail();
	}
	corm_schema_dump(&a, want);
	corm_schema_dump(&b, have);
	same = strcmp(corm_buf_cstr(&a), corm_buf_cstr(&b)) == 0;
	if (!same)
		print_error("%s: the database is not the schema.\n--- want\n%s\n"
			"--- have\n%s\n--- introspected text\n%s\n", what,
			corm_buf_cstr(&a), corm_buf_cstr(&b), corm_buf_cstr(&text));
	/* And the second diff is empty. */
	assert_int_equal(corm_diff(&again, have, with), CORM_OK);
	if (again->nops) {
		size_t i;

		print_error("%s: second diff not empty:\n", what);
		for (i = 0; i < again->nops; i++)
			print_error("  %s\n", again->ops[i].what);
		same = false;
	}
	corm_plan_free(again);
	corm_buf_free(&a);
	corm_buf_free(&b);
	corm_buf_free(&text);
	corm_schema_free(have);
	corm_schema_free(want);
	corm_schema_free(with);
	corm_free(plain);
	return same;
}
