/*
 * test_dir.c — reading a migration directory (corm_mig_dir_read,
 * corm_mig_read) without a database: what a good directory gives, and
 * what a user sees for a directory that is not one, badly named folders
 * and two folders of one version. Every allocation is made to fail once
 * too. Each test builds its own directory under /tmp and removes it.
 */
#include <dirent.h>
#include <errno.h>
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

#include "corm/driver.h"
#include "migrate.h"

/* ---------------------------------------------------------------- helpers */

static char g_root[64]; /* this test's directory */

static void path_of(char *out, size_t cap, const char *rel)
{
	snprintf(out, cap, "%s/%s", g_root, rel);
}

static void make_dir(const char *rel)
{
	char p[512];

	path_of(p, sizeof(p), rel);
	if (mkdir(p, 0755) != 0)
		fail_msg("mkdir %s: %s", p, strerror(errno));
}

static void write_file(const char *rel, const char *data, size_t len)
{
	char p[512];
	FILE *f;

	path_of(p, sizeof(p), rel);
	f = fopen(p, "wb");
	if (!f)
		fail_msg("fopen %s: %s", p, strerror(errno));
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
}

/* rm -r `p` (no symbolic links are made here). */
static void remove_tree(const char *p)
{
	struct stat st;
	DIR *d;
	struct dirent *e;
	char sub[1024];

	if (lstat(p, &st) != 0)
		return;
	if (S_ISDIR(st.st_mode) && (d = opendir(p)) != NULL) {
		while ((e = readdir(d)) != NULL) {
			if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", p, e->d_name);
			remove_tree(sub);
		}
		closedir(d);
		rmdir(p);
	} else {
		unlink(p);
	}
}

static int setup(void **state)
{
	(void)state;
	snprintf(g_root, sizeof(g_root), "/tmp/corm-test-dir-XXXXXX");
	return mkdtemp(g_root) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	remove_tree(g_root);
	return 0;
}

/* corm_mig_dir_read of `rel` under this test's directory. */
static int read_dir(corm_mig_dir *d, corm_buf *err, const char *rel)
{
	char p[512];

	path_of(p, sizeof(p), rel);
	return corm_mig_dir_read(d, err, p);
}

/* The error of reading `rel`, which must be CORM_EINVAL with a message
 * and an empty list; corm_free the answer. */
static char *rejection(const char *rel)
{
	corm_mig_dir d;
	corm_buf err = CORM_BUF_INIT;

	assert_int_equal(read_dir(&d, &err, rel), CORM_EINVAL);
	assert_null(d.items);
	assert_int_equal(d.count, 0);
	assert_true(err.len > 0);
	return corm_buf_detach(&err);
}

/* ------------------------------------------------------- a good directory */

static void test_dir__missing_directory_is_an_empty_list(void **state)
{
	corm_mig_dir d;
	corm_buf err = CORM_BUF_INIT;

	(void)state;
	assert_int_equal(read_dir(&d, &err, "nothing-here"), CORM_OK);
	assert_int_equal(d.count, 0);
	assert_null(d.items);
	assert_int_equal(err.len, 0);
	make_dir("empty");
	assert_int_equal(read_dir(&d, &err, "empty"), CORM_OK);
	assert_int_equal(d.count, 0);
	assert_int_equal(err.len, 0);
	corm_mig_dir_free(&d);
	corm_mig_dir_free(NULL);
}

static void test_dir__folders_in_version_order_others_ignored(void **state)
{
	corm_mig_dir d;
	corm_buf err = CORM_BUF_INIT;
	char want[512];

	(void)state;
	make_dir("m");
	/* Made out of order: the list is sorted by version. */
	make_dir("m/20260301000000_third");
	make_dir("m/20260101000000_init");
	make_dir("m/20260201120000_add-posts_2");
	/* Not migrations: files (even one named like a migration) and hidden
	 * entries are skipped. */
	write_file("m/README.md", "notes\n", 6);
	write_file("m/20260401000000_file", "x", 1);
	make_dir("m/.git");
	make_dir("m/.20260101000000_hidden");

	assert_int_equal(read_dir(&d, &err, "m"), CORM_OK);
	assert_int_equal(err.len, 0);
	assert_int_equal(d.count, 3);
	assert_string_equal(d.items[0].version, "20260101000000");
	assert_string_equal(d.items[0].name, "init");
	assert_string_equal(d.items[1].version, "20260201120000");
	assert_string_equal(d.items[1].name, "add-posts_2");
	assert_string_equal(d.items[2].version, "20260301000000");
	assert_string_equal(d.items[2].name, "third");
	snprintf(want, sizeof(want), "%s/m/20260301000000_third", g_root);
	assert_string_equal(d.items[2].dir, want);
	corm_mig_dir_free(&d);
	assert_null(d.items);
	assert_int_equal(d.count, 0);
}

/* More folders than the list's first allocation holds. */
static void test_dir__many_folders(void **state)
{
	corm_mig_dir d;
	corm_buf err = CORM_BUF_INIT;
	char rel[64];
	int i;

	(void)state;
	make_dir("m");
	for (i = 40; i > 0; i--) {
		snprintf(rel, sizeof(rel), "m/202601010000%02d_step_%d", i, i);
		make_dir(rel);
	}
	assert_int_equal(read_dir(&d, &err, "m"), CORM_OK);
	assert_int_equal(d.count, 40);
	for (i = 0; i < 40; i++) {
		snprintf(rel, sizeof(rel), "202601010000%02d", i + 1);
		assert_string_equal(d.items[i].version, rel);
		snprintf(rel, sizeof(rel), "step_%d", i + 1);
		assert_string_equal(d.items[i].name, rel);
	}
	corm_mig_dir_free(&d);
}

/* ------------------------------------------------------------ rejections */

static void test_dir__a_file_instead_of_a_directory(void **state)
{
	char *msg, want[512];

	(void)state;
	write_file("migrations", "", 0);
	msg = rejection("migrations");
	snprintf(want, sizeof(want), "cannot read the migration directory "
		"'%s/migrations': %s", g_root, strerror(ENOTDIR));
	assert_string_equal(msg, want);
	corm_free(msg);
}

/* Each folder name beside a good migration: the whole read fails, and
 * the message names the folder and the form a name must have. */
static void test_dir__malformed_folder_names(void **state)
{
	static const char *const bad[] = {
		"notes",                   /* not a migration at all */
		"2026010100000_short",     /* 13 digits */
		"202601010000001_long",    /* 15 digits */
		"2026010100000x_letter",   /* a letter among the digits */
		"20260101000000",          /* no name */
		"20260101000000_",         /* an empty name */
		"20260101000000-dash",     /* '-' where '_' must be */
		"20260101000000_Upper",    /* capitals */
		"20260101000000_with space",
		"20260101000000_caf\xc3\xa9", /* not ASCII */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char rel[128], want[1024], *msg;

		remove_tree(g_root);
		assert_int_equal(mkdir(g_root, 0700), 0);
		make_dir("m");
		make_dir("m/20260101000000_good");
		snprintf(rel, sizeof(rel), "m/%s", bad[i]);
		make_dir(rel);
		msg = rejection("m");
		snprintf(want, sizeof(want), "'%s/m/%s' is not named like a "
			"migration folder: <yyyymmddHHMMSS>_<name>, 14 digits then '_' "
			"and lowercase letters, digits, '_' or '-' (move other folders "
			"out of '%s/m')", g_root, bad[i], g_root);
		if (strcmp(msg, want) != 0)
			fail_msg("folder '%s':\n  want %s\n  got  %s", bad[i], want, msg);
		corm_free(msg);
	}
}

static void test_dir__two_folders_of_one_version(void **state)
{
	char *msg, want[1024];

	(void)state;
	make_dir("m");
	make_dir("m/20260101000000_init");
	make_dir("m/20260202000000_zeta");
	make_dir("m/20260202000000_alpha");
	make_dir("m/20260303000000_last");
	msg = rejection("m");
	/* Named in folder order, whatever order readdir gave. */
	snprintf(want, sizeof(want), "two migrations have version "
		"20260202000000: '%s/m/20260202000000_alpha' and "
		"'%s/m/20260202000000_zeta' (each needs a version of its own)",
		g_root, g_root);
	assert_string_equal(msg, want);
	corm_free(msg);
}

/* --------------------------------------------------------- reading files */

static void test_dir__reading_a_migration_file(void **state)
{
	corm_mig_entry e;
	char dir[512], *data, big[20000];
	size_t len, i;

	(void)state;
	make_dir("m");
	make_dir("m/20260101000000_init");
	make_dir("m/20260101000000_init/up.sqlite.sql"); /* a folder, oddly */
	write_file("m/20260101000000_init/down.sqlite.sql", "", 0);
	/* Longer than one read, with NUL bytes: read exactly. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i * 7);
	write_file("m/20260101000000_init/schema.corm", big, sizeof(big));
	path_of(dir, sizeof(dir), "m/20260101000000_init");
	e.version = (char *)"20260101000000";
	e.name = (char *)"init";
	e.dir = dir;

	assert_int_equal(corm_mig_read(&data, &len, &e, "schema.corm"), CORM_OK);
	assert_int_equal(len, sizeof(big));
	assert_memory_equal(data, big, sizeof(big));
	assert_int_equal(data[len], '\0');
	corm_free(data);

	assert_int_equal(corm_mig_read(&data, &len, &e, "down.sqlite.sql"),
		CORM_OK);
	assert_int_equal(len, 0);
	assert_string_equal(data, "");
	corm_free(data);

	assert_int_equal(corm_mig_read(&data, &len, &e, "up.mysql.sql"),
		CORM_ENOTFOUND);
	assert_null(data);
	assert_int_equal(len, 0);
	assert_int_equal(corm_mig_read(&data, &len, &e, "up.sqlite.sql"),
		CORM_EINVAL);
	assert_null(data);
}

static void test_dir__sha256_of_long_input(void **state)
{
	char out[65];
	char *a = malloc(1000000);

	(void)state;
	assert_non_null(a);
	memset(a, 'a', 1000000);
	/* FIPS 180-2, appendix B.3: a million 'a'. */
	corm_mig_sha256_hex(out, a, 1000000);
	assert_string_equal(out, "cdc76e5c9914fb9281a1c7e284d73e67"
		"f1809a48a497200e046d39ccc7112cd0");
	/* 55 bytes: the padding just fits in the last block. */
	corm_mig_sha256_hex(out, a, 55);
	assert_string_equal(out, "9f4390f8d30c2dd92ec9f095b65e2b9a"
		"e9b0a925a5258e241c9f1e910f734318");
	free(a);
}

/* ------------------------------------------------------ allocation failure */

/* Read `rel` with allocation N failing (alone, or N and all later ones)
 * for every N: CORM_ENOMEM and an empty list, or the full list when the
 * run got through; nothing leaks. Returns the allocations of a read. */
static long read_dir_failing(const char *rel, size_t want, bool sticky)
{
	long n;

	for (n = 1; n < 10000; n++) {
		corm_mig_dir d;
		corm_buf err = CORM_BUF_INIT;
		int rc;

		if (sticky)
			test_alloc_install_from(n);
		else
			test_alloc_install(n);
		rc = read_dir(&d, &err, rel);
		test_alloc_disarm();
		if (rc == CORM_OK) {
			assert_int_equal(d.count, want);
		} else {
			assert_int_equal(rc, CORM_ENOMEM);
			assert_null(d.items);
			assert_int_equal(d.count, 0);
		}
		corm_mig_dir_free(&d);
		corm_buf_free(&err);
		if (test_alloc.live != 0) {
			test_alloc_uninstall();
			fail_msg("allocation %ld failed: %ld blocks leaked", n,
				test_alloc.live);
		}
		if (test_alloc.failed == 0) {
			assert_int_equal(rc, CORM_OK);
			break;
		}
	}
	test_alloc_uninstall();
	return n - 1;
}

static void test_dir__every_allocation_failure_is_enomem(void **state)
{
	char rel[64];
	long n;
	int i;

	(void)state;
	make_dir("m");
	for (i = 1; i <= 20; i++) {
		snprintf(rel, sizeof(rel), "m/202601010000%02d_n%d", i, i);
		make_dir(rel);
	}
	/* A path and two more strings per folder, and the list twice. */
	n = read_dir_failing("m", 20, false);
	print_message("corm_mig_dir_read of 20 folders: %ld allocations\n", n);
	assert_true(n >= 20 * 3 + 2);
	assert_int_equal(read_dir_failing("m", 20, true), n);
}

static void test_dir__reading_a_file_when_memory_runs_out(void **state)
{
	corm_mig_entry e = {(char *)"20260101000000", (char *)"init", NULL};
	char dir[512], *data;
	char text[10000];
	size_t len;
	long n;
	int rc;

	(void)state;
	make_dir("m");
	make_dir("m/20260101000000_init");
	memset(text, 'x', sizeof(text));
	write_file("m/20260101000000_init/up.sqlite.sql", text, sizeof(text));
	path_of(dir, sizeof(dir), "m/20260101000000_init");
	e.dir = dir;
	for (n = 1; n < 1000; n++) {
		test_alloc_install(n);
		rc = corm_mig_read(&data, &len, &e, "up.sqlite.sql");
		test_alloc_disarm();
		if (rc == CORM_OK) {
			assert_int_equal(len, sizeof(text));
			assert_memory_equal(data, text, sizeof(text));
			corm_free(data);
		} else {
			assert_int_equal(rc, CORM_ENOMEM);
			assert_null(data);
		}
		assert_int_equal(test_alloc.live, 0);
		if (test_alloc.failed == 0)
			break;
	}
	test_alloc_uninstall();
	assert_int_equal(rc, CORM_OK);
	assert_true(n > 2);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_dir__missing_directory_is_an_empty_list),
		T(test_dir__folders_in_version_order_others_ignored),
		T(test_dir__many_folders),
		T(test_dir__a_file_instead_of_a_directory),
		T(test_dir__malformed_folder_names),
		T(test_dir__two_folders_of_one_version),
		T(test_dir__reading_a_migration_file),
		T(test_dir__sha256_of_long_input),
		T(test_dir__every_allocation_failure_is_enomem),
		T(test_dir__reading_a_file_when_memory_runs_out),
	};
#undef T

	return cmocka_run_group_tests_name("migrate-dir", tests, NULL, NULL);
}
