/*
 * test_alloc.c — running out of memory at any allocation is answered with
 * an error code, never a crash, a leak or a partial output file.
 *
 * The counting allocator of tests/common/alloc.h makes allocation N
 * fail, for N = 1, 2, ... until a run in which none failed, and
 * checks after every run that each block allocated was freed again. Two
 * modes: one failure (allocation N only, as a transient shortage) and a
 * persistent one (N and every allocation after it fail, so cleanup paths
 * that allocate are caught too). Run under ASan/LSan in CI as well.
 *
 * Operations, each set up without failures and then run "armed":
 *   - code generation: `corm gen` itself (cli/cmd_gen.c, in process) on
 *     blog.corm and alltypes.corm; when it fails the output directory
 *     must hold no file at all; and corm_schema_parse + corm_emit_c, on
 *     shop.corm (relations) too;
 *   - DDL: corm_ddl_create_schema in every dialect;
 *   - migrations: corm_diff + corm_plan_render on every pair of
 *     tests/migrate/cases, every dialect; the statement splitter;
 *   - queries on SQLite in memory: build predicates, run all, count,
 *     next, first, exists, an aggregate, and typed aggregates with
 *     HAVING and ORDER BY one of them;
 *   - decoding rows with text and bytes: corm_model_get, corm_query_all.
 * SQLite's own allocations do not go through the hook; corm's do.
 */
#include <dirent.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "alloc.h"
#include "blog.h"
#include "cli.h"
#include "corm/buf.h"
#include "corm/query.h"
#include "ddl.h"
#include "emit.h"
#include "migrate.h"
#include "schema.h"

/* ------------------------------------------------- the counting allocator */

/* The shared one of tests/common/alloc.h, installed disarmed for each
 * run: a workload sets up without failures, arms it (allocations are
 * numbered from there) around the operation itself, and disarms it for
 * its checks and cleanup. Blocks are counted armed or not. */

/*
 * The loop: run `op` with allocation N failing, N = 1, 2, ... until a run
 * does not fail any allocation (so it saw every one). Each run must
 * return CORM_OK when nothing failed, a negative code otherwise (or
 * CORM_OK with the right results, when the shortage could be absorbed:
 * the workloads check their results, so a shortage cannot hide as a
 * wrong answer), and leave nothing allocated. Returns how many
 * allocations the operation made.
 */
typedef int (*workload)(void *arg);

static long every_failure(workload op, void *arg, bool sticky)
{
	long n;
	int rc;

	for (n = 1; n < 200000; n++) {
		if (sticky)
			test_alloc_install_from(n);
		else
			test_alloc_install(n);
		test_alloc_disarm();
		rc = op(arg);
		test_alloc_disarm();
		if (test_alloc.live != 0) {
			test_alloc_uninstall();
			fail_msg("allocation %ld failed%s: %ld blocks leaked (rc %d)",
				n, sticky ? " (and all after it)" : "", test_alloc.live,
				rc);
		}
		if (test_alloc.failed == 0) {
			if (rc != CORM_OK)
				fail_msg("no allocation failed, yet rc %d (%s)", rc,
					corm_strerror(rc));
			break;
		}
		/* rc == CORM_OK: the shortage was absorbed (a cache entry not
		 * kept...) and the workload checked that its results are right. */
		if (rc > 0)
			fail_msg("allocation %ld failed%s, yet the operation "
				"answered %d", n, sticky ? " (and all after it)" : "", rc);
	}
	test_alloc_uninstall();
	assert_true(n < 200000);
	return n - 1;
}

/* ---------------------------------------------------------------- helpers */

static char *slurp(const char *rel, size_t *len)
{
	char path[1024];
	FILE *f;
	char *text;
	long n;

	snprintf(path, sizeof(path), "%s/%s", CORM_TEST_SOURCE_ROOT, rel);
	f = fopen(path, "rb");
	if (!f)
		fail_msg("cannot open %s", path);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	text = malloc((size_t)n + 1);
	assert_non_null(text);
	assert_int_equal(fread(text, 1, (size_t)n, f), (size_t)n);
	text[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return text;
}

static corm_schema *parse_file(const char *rel)
{
	corm_schema *s = NULL;
	size_t len;
	char *src = slurp(rel, &len);

	assert_int_equal(corm_schema_parse(&s, NULL, src, len), CORM_OK);
	free(src);
	return s;
}

/* Files in `dir`, not counting . and .. */
static int count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void empty_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[1024];

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		unlink(path);
	}
	closedir(d);
}

static int field_of(const corm_model_desc *m, const char *name)
{
	int i;

	for (i = 0; i < m->nfields; i++)
		if (strcmp(m->fields[i].name, name) == 0)
			return i;
	fail_msg("no field %s in %s", name, m->name);
	return -1;
}

/* ------------------------------------------------------- code generation */

static int quiet = -1; /* /dev/null, for corm gen's stderr */

typedef struct gen_case {
	const char *schema;  /* relative to the source root */
	char dir[256];       /* output directory, fresh for the test */
	char *src;           /* for corm_emit_c */
	size_t len;
	long half_pairs;     /* failed runs that left the header alone */
} gen_case;

/* Is DIR/<base>.h there? */
static bool header_left(const gen_case *g)
{
	const char *slash = strrchr(g->schema, '/');
	char path[1024];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%.*s.h", g->dir,
		(int)(strlen(slash + 1) - 5), slash + 1);
	return stat(path, &st) == 0;
}

/* `corm gen SCHEMA -o DIR`, in process: cmd_gen.c and the CLI helpers are
 * linked into this test. Exit codes are mapped to corm codes. */
static int run_corm_gen(void *arg)
{
	gen_case *g = arg;
	char path[1024];
	char *argv[] = {"gen", path, "-o", g->dir, NULL};
	int code, files, saved;

	snprintf(path, sizeof(path), "%s/%s", CORM_TEST_SOURCE_ROOT, g->schema);
	empty_dir(g->dir);
	/* corm gen says "out of memory" on every run: keep the log short. */
	fflush(stderr);
	saved = dup(STDERR_FILENO);
	dup2(quiet, STDERR_FILENO);
	test_alloc_arm();
	code = cli_cmd_gen.run(4, argv);
	test_alloc_disarm();
	fflush(stderr);
	dup2(saved, STDERR_FILENO);
	close(saved);
	files = count_files(g->dir);
	if (code == CLI_EXIT_OK) {
		assert_int_equal(files, 2);
		return CORM_OK;
	}
	/* The point: a failed gen leaves no file, not even a temporary one.
	 * Known bug (docs/hardening.md): write_pair() in cli/cmd_gen.c
	 * renames the header into place before it has built the source's
	 * path and written it, so a failure there leaves the header alone.
	 * Counted and reported, not failed, until it is fixed; any other
	 * leftover fails. */
	if (files == 1 && header_left(g)) {
		g->half_pairs++;
	} else if (files != 0) {
		fail_msg("corm gen failed (exit %d) at allocation %ld but left %d "
			"file(s) in %s", code, test_alloc.fail_at, files, g->dir);
	}
	assert_int_equal(code, CLI_EXIT_USAGE); /* "out of memory" */
	return CORM_ENOMEM;
}

static int run_emit(void *arg)
{
	gen_case *g = arg;
	corm_schema *s = NULL;
	corm_diags d = CORM_DIAGS_INIT;
	corm_buf h = CORM_BUF_INIT, c = CORM_BUF_INIT;
	int error;

	test_alloc_arm();
	if ((error = corm_schema_parse(&s, &d, g->src, g->len)) != CORM_OK)
		goto done;
	if ((error = corm_emit_c(&h, &c, &d, s, "blog", "blog.corm")) != CORM_OK)
		goto done;
	/* A shortage while appending must not give a short file. */
	assert_true(strstr(corm_buf_cstr(&c), "DO NOT EDIT") != NULL);
	assert_true(strstr(corm_buf_cstr(&h), "#endif") != NULL);
done:
	test_alloc_disarm();
	if (error != CORM_OK)
		assert_int_equal(error, CORM_ENOMEM);
	corm_buf_free(&h);
	corm_buf_free(&c);
	corm_diags_free(&d);
	corm_schema_free(s);
	return error;
}

static void gen_setup(gen_case *g, const char *schema)
{
	memset(g, 0, sizeof(*g));
	g->schema = schema;
	snprintf(g->dir, sizeof(g->dir), "/tmp/corm-alloc-gen-XXXXXX");
	assert_non_null(mkdtemp(g->dir));
	g->src = slurp(schema, &g->len);
}

static void gen_teardown(gen_case *g)
{
	empty_dir(g->dir);
	rmdir(g->dir);
	free(g->src);
}

static void test_alloc__corm_gen_fails_cleanly_and_writes_nothing(void **state)
{
	static const char *const schemas[] = {"tests/models/blog.corm",
		"tests/models/alltypes.corm"};
	gen_case g;
	size_t i;
	long n;

	(void)state;
	quiet = open("/dev/null", O_WRONLY);
	assert_true(quiet >= 0);
	for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
		gen_setup(&g, schemas[i]);
		n = every_failure(run_corm_gen, &g, false);
		every_failure(run_corm_gen, &g, true);
		gen_teardown(&g);
		print_message("corm gen %s: %ld allocations\n", schemas[i], n);
		if (g.half_pairs)
			fail_msg("%ld failed runs of corm gen left %s's header "
				"without its source", g.half_pairs, schemas[i]);
		assert_true(n > 50);
	}
	close(quiet);
}

static void test_alloc__parse_and_emit_fail_cleanly(void **state)
{
	/* shop.corm: the relation loaders, many-to-many included. */
	static const char *const schemas[] = {"tests/models/blog.corm",
		"tests/models/alltypes.corm", "tests/models/shop.corm"};
	gen_case g;
	size_t i;
	long n;

	(void)state;
	for (i = 0; i < sizeof(schemas) / sizeof(schemas[0]); i++) {
		gen_setup(&g, schemas[i]);
		n = every_failure(run_emit, &g, false);
		every_failure(run_emit, &g, true);
		gen_teardown(&g);
		print_message("parse+emit %s: %ld allocations\n", schemas[i], n);
		assert_true(n > 50);
	}
}

/* ------------------------------------------------------------------- DDL */

static int run_ddl(void *arg)
{
	const corm_schema *s = arg;
	corm_buf out = CORM_BUF_INIT;
	int error = CORM_OK;
	size_t i;

	test_alloc_arm();
	for (i = 0; i < 3 && !error; i++) {
		corm_buf_clear(&out);
		error = corm_ddl_create_schema(&out, corm_dialects[i], s);
		if (!error)
			assert_true(strstr(corm_buf_cstr(&out), "CREATE TABLE") != NULL);
	}
	test_alloc_disarm();
	if (error)
		assert_int_equal(error, CORM_ENOMEM);
	corm_buf_free(&out);
	return error;
}

static void test_alloc__ddl_fails_cleanly(void **state)
{
	static const char *const schemas[] = {"tests/models/blog.corm",
		"tests/models/alltypes.corm"};
	size_t i;
	long n;

	(void)state;
	for (i = 0; i < 2; i++) {
		corm_schema *s = parse_file(schemas[i]);

		n = every_failure(run_ddl, s, false);
		every_failure(run_ddl, s, true);
		corm_schema_free(s);
		print_message("ddl %s: %ld allocations\n", schemas[i], n);
		assert_true(n > 10);
	}
}

/* --------------------------------------------------- diff, render, split */

typedef struct diff_case {
	corm_schema *from, *to;
} diff_case;

static int run_diff(void *arg)
{
	diff_case *dc = arg;
	corm_plan *plan = NULL;
	corm_buf out = CORM_BUF_INIT;
	char **stmts = NULL;
	size_t n = 0, i;
	int error;

	test_alloc_arm();
	if ((error = corm_diff(&plan, dc->from, dc->to)) != CORM_OK)
		goto done;
	assert_true(plan->nops > 0);
	for (i = 0; i < 3 && !error; i++) {
		corm_buf_clear(&out);
		error = corm_plan_render(&out, corm_dialects[i], plan);
	}
	if (error)
		goto done;
	/* The migration-file reader, on what was rendered. */
	error = corm_mig_split(&stmts, &n, out.ptr, out.len, true);
	if (!error)
		assert_true(n > 0);
done:
	test_alloc_disarm();
	if (error)
		assert_int_equal(error, CORM_ENOMEM);
	corm_mig_statements_free(stmts, n);
	corm_buf_free(&out);
	corm_plan_free(plan);
	return error;
}

static void test_alloc__diff_and_render_fail_cleanly(void **state)
{
	static const char *const cases[] = {"create", "alter", "constraints",
		"drop", "enum", "rename", "undeclared_rename"};
	char from[256], to[256];
	diff_case dc;
	size_t i;
	long n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(from, sizeof(from), "tests/migrate/cases/%s.from.corm",
			cases[i]);
		snprintf(to, sizeof(to), "tests/migrate/cases/%s.to.corm", cases[i]);
		dc.from = parse_file(from);
		dc.to = parse_file(to);
		n = every_failure(run_diff, &dc, false);
		every_failure(run_diff, &dc, true);
		/* And back, which drops what the forward diff created. */
		{
			corm_schema *t = dc.from;

			dc.from = dc.to;
			dc.to = t;
		}
		every_failure(run_diff, &dc, false);
		every_failure(run_diff, &dc, true);
		corm_schema_free(dc.from);
		corm_schema_free(dc.to);
		print_message("diff %s: %ld allocations\n", cases[i], n);
		assert_true(n > 5);
	}
}

/* ------------------------------------------------- queries and decoding */

#define NAUTHORS 6

typedef struct db_case {
	corm_conn *db;
	int64_t ids[NAUTHORS];
} db_case;

/* A fresh database with the blog tables and rows (not armed). */
static void db_open(db_case *dc)
{
	corm_schema *s = parse_file("tests/models/blog.corm");
	corm_buf sql = CORM_BUF_INIT;
	char email[64], name[64];
	author a;
	post p;
	int i;

	assert_int_equal(corm_conn_open(&dc->db, "sqlite::memory:"), CORM_OK);
	assert_int_equal(corm_ddl_create_schema(&sql, corm_conn_dialect(dc->db),
		s), CORM_OK);
	assert_int_equal(corm_exec(dc->db, corm_buf_cstr(&sql)), CORM_OK);
	corm_buf_free(&sql);
	corm_schema_free(s);
	for (i = 0; i < NAUTHORS; i++) {
		author_init(&a);
		snprintf(email, sizeof(email), "a%d@example.com", i);
		snprintf(name, sizeof(name), "Author '%d' \xC3\xA9", i);
		a.email = corm_str_of(email);
		a.name = corm_str_of(name);
		if (i % 2)
			a.bio = CORM_STR("a somewhat longer biography, so it is copied");
		a.karma = i;
		assert_int_equal(author_insert(dc->db, &a), CORM_OK);
		dc->ids[i] = a.id;

		post_init(&p);
		p.author_id = a.id;
		p.title = corm_str_of(name);
		p.body = CORM_STR("body text");
		p.cover = (corm_bytes){"\0\1\2\3", 4};
		assert_int_equal(post_insert(dc->db, &p), CORM_OK);
	}
}

/* Several typed aggregates per group, HAVING, ORDER BY an aggregate. */
static int run_typed_aggregates(db_case *dc, const corm_model_desc *m)
{
	corm_query *q = NULL;
	corm_agg_result res = {0};
	int64_t zero = 0;
	int n, sum, first, error;

	if ((error = corm_query_new(&q, dc->db, m)) != CORM_OK)
		return error;
	corm_query_group_by(q, field_of(m, "active"));
	n = corm_query_agg(q, CORM_AGG_COUNT, -1);
	sum = corm_query_agg(q, CORM_AGG_SUM, field_of(m, "karma"));
	first = corm_query_agg(q, CORM_AGG_MIN, field_of(m, "name"));
	corm_query_agg(q, CORM_AGG_AVG, field_of(m, "karma"));
	corm_query_having(q, corm_pred_agg_cmp(q, n, CORM_CMP_GT, &zero));
	corm_query_order_by_agg(q, sum, CORM_DESC);
	if ((error = corm_query_aggregates(&res, q)) == CORM_OK) {
		assert_true(res.count >= 1);
		assert_non_null(res.items[0].values[first].v.text.ptr);
	} else {
		assert_true(res.count == 0 && res.items == NULL);
	}
	corm_agg_result_free(&res);
	corm_query_free(q);
	return error;
}

static int run_query(void *arg)
{
	db_case *dc = arg;
	const corm_model_desc *m = &author_desc;
	corm_query *q = NULL;
	corm_rows rows = {0};
	corm_agg_rows agg = {0};
	corm_arena arena = CORM_ARENA_INIT;
	corm_pred *p1, *p2, *p3, *p4;
	double karma = 0.5;
	int64_t count = 0;
	bool exists = false;
	author row;
	int error, steps = 0, all_rc = CORM_OK;

	test_alloc_arm();
	if ((error = corm_query_new(&q, dc->db, m)) != CORM_OK)
		goto done;
	p1 = corm_pred_cmp(q, field_of(m, "karma"), CORM_CMP_GT, &karma);
	p2 = corm_pred_match(q, field_of(m, "email"), CORM_MATCH_CONTAINS,
		CORM_STR("@example"));
	p3 = corm_pred_in(q, field_of(m, "id"), dc->ids, NAUTHORS);
	p4 = corm_pred_is_null(q, field_of(m, "bio"), true);
	corm_query_where(q, corm_pred_or(q, corm_pred_and(q, p1, p2),
		corm_pred_not(q, p4)));
	corm_query_where(q, p3);
	corm_query_order_by(q, field_of(m, "name"), CORM_DESC);
	corm_query_limit(q, 10);
	corm_query_offset(q, 0);

	/* karma > 0.5 (ids 2..6): 5 rows */
	if ((error = all_rc = corm_query_all(&rows, q)) != CORM_OK)
		goto done;
	assert_int_equal(rows.count, NAUTHORS - 1);
	assert_string_equal(((author *)rows.items)[0].name.ptr,
		"Author '5' \xC3\xA9");
	if ((error = corm_query_count(&count, q)) != CORM_OK)
		goto done;
	assert_int_equal(count, NAUTHORS - 1);
	if ((error = corm_query_exists(&exists, q)) != CORM_OK)
		goto done;
	assert_true(exists);
	if ((error = corm_query_first(&row, q, &arena)) != CORM_OK)
		goto done;
	assert_int_equal(row.id, dc->ids[NAUTHORS - 1]);
	while ((error = corm_query_next(&row, q)) == CORM_ROW)
		steps++;
	if (error != CORM_DONE)
		goto done;
	assert_int_equal(steps, NAUTHORS - 1);
	corm_query_group_by(q, field_of(m, "active"));
	if ((error = corm_query_aggregate(&agg, q, CORM_AGG_SUM,
			 field_of(m, "karma"))) != CORM_OK)
		goto done;
	assert_int_equal(agg.count, 1);
	error = run_typed_aggregates(dc, m);
done:
	test_alloc_disarm();
	if (error < 0)
		assert_int_equal(error, CORM_ENOMEM);
	/* A failed `all` hands back no rows. */
	if (all_rc < 0)
		assert_true(rows.count == 0 && rows.items == NULL);
	corm_agg_rows_free(&agg);
	corm_rows_free(&rows);
	corm_arena_free(&arena);
	corm_query_free(q);
	return error < 0 ? error : CORM_OK;
}

static int run_decode(void *arg)
{
	db_case *dc = arg;
	corm_arena arena = CORM_ARENA_INIT;
	corm_query *q = NULL;
	corm_rows rows = {0};
	author a, key;
	int error = CORM_OK, i;

	test_alloc_arm();
	for (i = 0; i < NAUTHORS && !error; i++) {
		author_init(&key);
		key.id = dc->ids[i];
		error = corm_model_get(&a, dc->db, &author_desc, &key, &arena);
		if (!error) {
			assert_non_null(a.name.ptr);
			assert_int_equal(a.bio.ptr != NULL, i % 2);
		}
	}
	if (error)
		goto done;
	if ((error = corm_query_new(&q, dc->db, &post_desc)) != CORM_OK)
		goto done;
	if ((error = corm_query_all(&rows, q)) != CORM_OK)
		goto done;
	assert_int_equal(rows.count, NAUTHORS);
	assert_int_equal(((post *)rows.items)[NAUTHORS - 1].cover.len, 4);
	assert_memory_equal(((post *)rows.items)[0].cover.ptr, "\0\1\2\3", 4);
done:
	test_alloc_disarm();
	if (error)
		assert_int_equal(error, CORM_ENOMEM);
	corm_rows_free(&rows);
	corm_query_free(q);
	corm_arena_free(&arena);
	return error;
}

/* Open a fresh database for every run, so each run prepares its
 * statements anew (the statement cache would hide those allocations). */
static workload db_inner;

static int run_with_db(void *arg)
{
	db_case dc;
	int rc;

	(void)arg;
	memset(&dc, 0, sizeof(dc));
	db_open(&dc);
	rc = db_inner(&dc);
	corm_conn_close(dc.db);
	return rc;
}

static void test_alloc__queries_fail_cleanly(void **state)
{
	long n;

	(void)state;
	db_inner = run_query;
	n = every_failure(run_with_db, NULL, false);
	every_failure(run_with_db, NULL, true);
	print_message("query: %ld allocations\n", n);
	assert_true(n > 20);
}

static void test_alloc__decoding_rows_fails_cleanly(void **state)
{
	long n;

	(void)state;
	db_inner = run_decode;
	n = every_failure(run_with_db, NULL, false);
	every_failure(run_with_db, NULL, true);
	print_message("decode: %ld allocations\n", n);
	assert_true(n > 5);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_alloc__parse_and_emit_fail_cleanly),
		cmocka_unit_test(test_alloc__corm_gen_fails_cleanly_and_writes_nothing),
		cmocka_unit_test(test_alloc__ddl_fails_cleanly),
		cmocka_unit_test(test_alloc__diff_and_render_fail_cleanly),
		cmocka_unit_test(test_alloc__queries_fail_cleanly),
		cmocka_unit_test(test_alloc__decoding_rows_fails_cleanly),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
