/*
 * main.c — the driver conformance suite's entry point.
 *
 *     test_conformance ENGINE [--server-restart] [--filter GLOB]
 *
 * ENGINE is sqlite, postgres or mysql. SQLite runs on a fresh database
 * file in a temporary directory, deleted at the end. PostgreSQL and MySQL
 * run against $CORM_TEST_PG_URL / $CORM_TEST_MYSQL_URL (scripts/db-up
 * prints them). With --server-restart only the tests that stop and start
 * the server run, using $CORM_TEST_PG_CTL / $CORM_TEST_MYSQL_CTL.
 *
 * An engine that is not configured or not reachable is skipped (exit 77,
 * meson's skip code) — unless CORM_REQUIRE_ENGINES=1, as scripts/test and
 * CI set it: then it is a failure, because a skipped engine in CI is not a
 * pass.
 */
#include "conformance.h"

#include <dirent.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define EXIT_SKIP 77

#define T(name) cmocka_unit_test_setup_teardown(name, conf_setup, \
	conf_teardown)

static const struct CMUnitTest tests[] = {
	/* round-trips */
	T(test_roundtrip__null_in_every_column_kind),
	T(test_roundtrip__int64_extremes),
	T(test_roundtrip__doubles_are_bit_exact),
	T(test_roundtrip__bools_read_as_bool_and_int),
	T(test_roundtrip__text_with_quotes_backslashes_and_utf8),
	T(test_roundtrip__empty_text_is_not_null),
	T(test_roundtrip__empty_blob_is_not_null),
	T(test_roundtrip__one_mib_text),
	T(test_roundtrip__one_mib_blob_of_nul_bytes),
	T(test_roundtrip__blob_with_every_byte_value),
	T(test_roundtrip__decimal_as_text_is_exact),
	T(test_roundtrip__date_time_timestamp_uuid_json_as_text),
	/* constraints */
	T(test_constraint__unique_maps_to_eunique),
	T(test_constraint__primary_key_maps_to_eunique),
	T(test_constraint__orphan_insert_maps_to_eforeignkey),
	T(test_constraint__delete_restricted_parent_maps_to_eforeignkey),
	T(test_constraint__null_into_not_null_maps_to_enotnull),
	T(test_constraint__check_maps_to_echeck),
	T(test_constraint__failed_statement_keeps_connection_usable),
	/* retryable errors */
	T(test_retry__deadlock_maps_to_edeadlock),
	T(test_retry__lock_timeout_maps_to_ebusy),
	T(test_retry__sqlite_busy_writer_maps_to_ebusy),
	T(test_retry__write_skew_maps_to_eserialization),
	T(test_retry__only_retryable_codes_are_retryable),
	/* transactions */
	T(test_tx__commit_keeps_rows),
	T(test_tx__commit_after_a_failed_statement_tells_the_truth),
	T(test_tx__rollback_leaves_nothing_behind),
	T(test_tx__inner_rollback_keeps_outer_rows),
	T(test_tx__inner_commit_then_outer_rollback_undoes_both),
	T(test_tx__error_in_inner_level_is_undone_by_its_rollback),
	T(test_tx__depth_counts_levels),
	T(test_tx__ddl_rollback_matches_dialect_transactional_ddl),
	T(test_tx__commit_without_begin_is_einval),
	T(test_tx__rollback_without_begin_is_einval),
	/* statements */
	T(test_stmt__changes_after_update_and_delete),
	T(test_stmt__insert_returns_generated_key),
	T(test_stmt__reset_and_rerun_with_new_binds),
	T(test_stmt__reset_discards_unread_rows),
	T(test_stmt__unbound_parameters_are_null),
	T(test_stmt__reading_null_as_int64_is_etype),
	T(test_stmt__reading_text_that_is_not_a_number_is_etype),
	T(test_stmt__column_names_and_count),
	T(test_stmt__param_count_matches_placeholders),
	T(test_stmt__cached_twice_while_handed_out_gives_separate_stmt),
	T(test_stmt__cached_is_reused_after_free),
	T(test_stmt__more_than_64_cached_statements_work),
	T(test_stmt__bind_index_out_of_range_is_einval),
	T(test_stmt__bind_after_step_without_reset_is_einval),
	T(test_stmt__syntax_error_is_esql),
	T(test_stmt__unknown_table_is_esql),
	T(test_stmt__exec_runs_several_statements),
	T(test_stmt__success_after_failure_clears_errcode),
	T(test_stmt__cached_works_with_cache_size_0_and_2),
	T(test_stmt__placeholder_characters_inside_literals_are_not_params),
	T(test_stmt__reserved_words_and_quote_characters_as_identifiers),
	T(test_stmt__rerun_with_parameters_of_other_kinds),
	T(test_stmt__cached_statement_after_the_table_changes),
	T(test_stmt__a_procedure_call_runs_again),
	/* connections */
	T(test_connect__driver_name_and_dialect_match_engine),
	T(test_connect__malformed_url_is_eurl),
	T(test_connect__unknown_scheme_is_escheme),
	T(test_connect__wrong_password_is_eauth),
	T(test_connect__closed_port_is_econnect),
	T(test_connect__silent_listener_times_out_with_econnect),
	T(test_connect__killed_backend_is_econnlost),
	T(test_restart__killed_backend_mid_stream_is_econnlost_not_done),
	/* engine facts (issue 12) */
	T(test_facts__double_quoted_missing_column_is_esql),
	T(test_facts__trailing_spaces_make_a_different_text),
	T(test_facts__like_does_not_ignore_trailing_spaces),
	T(test_facts__pgtz_and_pgdatestyle_do_not_move_timestamps),
	T(test_facts__url_timezone_option_does_not_move_timestamps),
	T(test_facts__value_over_the_packet_limit_keeps_the_connection),
	/* the dialect's facts; descriptor versions (issue 14) */
	T(test_dialect__names_find_their_dialect_and_unknown_is_null),
	T(test_dialect__empty_insert_adds_a_row),
	T(test_dialect__limit_all_with_an_offset_reads_the_rest),
	T(test_dialect__nulls_order_puts_nulls_first_or_last),
	T(test_dialect__text_match_is_case_sensitive_and_escapes),
	T(test_dialect__text_sort_collate_sorts_by_bytes),
	T(test_dialect__backslash_escapes_in_literals),
	T(test_dialect__descriptor_of_another_version_is_refused),
};

static const struct CMUnitTest restart_tests[] = {
	T(test_restart__stopped_server_is_econnlost_and_nothing_is_written),
	T(test_restart__idle_connection_after_restart_tells_the_truth),
	T(test_restart__stopped_server_mid_stream_is_econnlost_not_done),
	T(test_restart__pool_recovers_at_next_checkout),
	T(test_restart__pool_without_ping_replaces_lost_on_put),
};

static char sqlite_dir[4096];

static int usage(void)
{
	fprintf(stderr, "usage: test_conformance sqlite|postgres|mysql "
		"[--server-restart] [--filter GLOB]\n");
	return 2;
}

static bool engines_required(void)
{
	const char *v = getenv("CORM_REQUIRE_ENGINES");

	return v != NULL && strcmp(v, "1") == 0;
}

/* The engine cannot be tested: skip, or fail when engines are required. */
static int unavailable(const char *why)
{
	if (engines_required()) {
		fprintf(stderr, "conformance-%s: FAILED: %s\n"
			"CORM_REQUIRE_ENGINES=1, so a missing engine is a "
			"failure. Start the servers with scripts/db-up and "
			"export what it prints (or . /tmp/corm-db/env.sh).\n",
			conf.name, why);
		return 1;
	}
	printf("conformance-%s: SKIPPED: %s\n(start the servers with "
		"scripts/db-up; set CORM_REQUIRE_ENGINES=1 to make this a "
		"failure)\n", conf.name, why);
	return EXIT_SKIP;
}

/* "scheme://user:***@host..." for messages. */
static void print_url(const char *url)
{
	const char *auth = strstr(url, "://");
	const char *at = auth ? strchr(auth + 3, '@') : NULL;
	const char *colon = auth ? strchr(auth + 3, ':') : NULL;

	if (at != NULL && colon != NULL && colon < at)
		printf("%.*s:***%s\n", (int)(colon - url), url, at);
	else
		printf("%s\n", url);
}

static void remove_sqlite_dir(void)
{
	DIR *d;
	struct dirent *e;

	if (sqlite_dir[0] == '\0')
		return;
	d = opendir(sqlite_dir);
	if (d != NULL) {
		while ((e = readdir(d)) != NULL) {
			char path[8192];

			if (strcmp(e->d_name, ".") == 0 ||
			    strcmp(e->d_name, "..") == 0)
				continue;
			snprintf(path, sizeof(path), "%s/%s", sqlite_dir,
				e->d_name);
			unlink(path);
		}
		closedir(d);
	}
	rmdir(sqlite_dir);
	sqlite_dir[0] = '\0';
}

static int setup_engine(bool restart)
{
	static const struct {
		conf_engine engine;
		const char *name, *url_var, *ctl_var;
	} engines[] = {
		{ CONF_SQLITE, "sqlite", NULL, NULL },
		{ CONF_POSTGRES, "postgres", "CORM_TEST_PG_URL",
			"CORM_TEST_PG_CTL" },
		{ CONF_MYSQL, "mysql", "CORM_TEST_MYSQL_URL",
			"CORM_TEST_MYSQL_CTL" },
	};
	size_t i;

	for (i = 0; i < sizeof(engines) / sizeof(engines[0]); i++) {
		if (strcmp(conf.name, engines[i].name) != 0)
			continue;
		conf.engine = engines[i].engine;
		conf.url_var = engines[i].url_var;
		conf.ctl_var = engines[i].ctl_var;
		break;
	}
	if (i == sizeof(engines) / sizeof(engines[0]))
		return usage();

	if (conf.engine == CONF_SQLITE) {
		const char *tmp = getenv("TMPDIR");
		size_t n;

		if (restart) {
			printf("conformance-sqlite: SKIPPED: an embedded engine "
				"has no server to restart\n");
			return EXIT_SKIP;
		}
		snprintf(sqlite_dir, sizeof(sqlite_dir), "%s/corm-conf-XXXXXX",
			tmp && tmp[0] ? tmp : "/tmp");
		if (mkdtemp(sqlite_dir) == NULL) {
			perror("mkdtemp");
			sqlite_dir[0] = '\0';
			return 1;
		}
		n = strlen(sqlite_dir) + 32;
		conf.url = malloc(n);
		if (conf.url == NULL)
			return 1;
		snprintf(conf.url, n, "sqlite://%s/conf.db", sqlite_dir);
		return 0;
	}

	{
		const char *url = getenv(conf.url_var);
		char why[512];

		if (url == NULL || url[0] == '\0') {
			snprintf(why, sizeof(why), "%s is not set",
				conf.url_var);
			return unavailable(why);
		}
		conf.url = strdup(url);
		if (conf.url == NULL)
			return 1;
	}
	if (restart) {
		const char *ctl = getenv(conf.ctl_var);
		char why[512];

		if (ctl == NULL || ctl[0] == '\0') {
			snprintf(why, sizeof(why), "%s is not set (the "
				"server-restart tests need it to stop and "
				"start the server)", conf.ctl_var);
			return unavailable(why);
		}
		conf.ctl = ctl;
	}
	return 0;
}

/* Can we talk to the engine at all? */
static int check_reachable(void)
{
	corm_conn *c = NULL;
	int rc = corm_conn_open(&c, conf.url);
	char why[1536];

	if (rc == CORM_OK) {
		rc = corm_conn_ping(c);
		if (rc != CORM_OK)
			snprintf(why, sizeof(why), "ping failed: %s",
				corm_errmsg(c));
		corm_conn_close(c);
		return rc == CORM_OK ? 0 : unavailable(why);
	}
	if (rc == CORM_ESCHEME) {
		/* The driver was not built: meson does not register the
		 * test then, so someone ran us by hand. */
		snprintf(why, sizeof(why), "the %s driver is not built into "
			"libcorm: %s", conf.name, corm_errmsg(NULL));
		return unavailable(why);
	}
	if (conf.engine == CONF_SQLITE) {
		fprintf(stderr, "conformance-sqlite: cannot open %s: %s\n",
			conf.url, corm_errmsg(NULL));
		return 1;
	}
	snprintf(why, sizeof(why), "cannot connect with %s (%d %s): %s",
		conf.url_var, rc, corm_strerror(rc), corm_errmsg(NULL));
	return unavailable(why);
}

/* Run the tests whose names match the fnmatch(3) pattern `filter` (all
 * when NULL). cmocka's own filter cannot start with '*'. */
static int run(const char *group, const struct CMUnitTest *all, size_t n,
	const char *filter)
{
	struct CMUnitTest *chosen = calloc(n, sizeof(*chosen));
	size_t i, k = 0;
	int rc;

	if (chosen == NULL)
		return 1;
	for (i = 0; i < n; i++)
		if (filter == NULL || fnmatch(filter, all[i].name, 0) == 0)
			chosen[k++] = all[i];
	rc = _cmocka_run_group_tests(group, chosen, k, NULL, NULL);
	free(chosen);
	return rc;
}

int main(int argc, char **argv)
{
	bool restart = false;
	const char *filter = NULL;
	char group[64];
	int i, rc;

	if (argc < 2)
		return usage();
	conf.name = argv[1];
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--server-restart") == 0)
			restart = true;
		else if (strcmp(argv[i], "--filter") == 0 && i + 1 < argc)
			filter = argv[++i];
		else
			return usage();
	}

	rc = setup_engine(restart);
	if (rc == 0)
		rc = check_reachable();
	if (rc != 0) {
		remove_sqlite_dir();
		free(conf.url);
		return rc;
	}
	printf("conformance-%s%s: ", conf.name, restart ? "-restart" : "");
	print_url(conf.url);
	fflush(stdout);

	snprintf(group, sizeof(group), "conformance-%s%s", conf.name,
		restart ? "-restart" : "");
	if (restart)
		rc = run(group, restart_tests,
			sizeof(restart_tests) / sizeof(restart_tests[0]),
			filter);
	else
		rc = run(group, tests, sizeof(tests) / sizeof(tests[0]),
			filter);

	remove_sqlite_dir();
	free(conf.url);
	/* cmocka returns the number of failures; keep it clear of 77. */
	return rc == 0 ? 0 : 1;
}
