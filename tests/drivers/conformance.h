/*
 * conformance.h — shared declarations of the driver conformance suite.
 *
 * One program, test_conformance, runs the same tests against one engine,
 * chosen on the command line (see main.c). Every test receives a fixture
 * holding an open connection to that engine; tables a test creates are
 * registered with the fixture and dropped in its teardown, from a fresh
 * connection, so a failed or crashed test leaves nothing behind.
 *
 * SQL is built with conf_sql(), a tiny formatter that knows the dialect:
 * identifiers are quoted, placeholders are numbered, column types come from
 * corm_dialect_type(). Values never appear in SQL text; they are bound.
 *
 * Sections: engine and fixture, SQL building, values and checks, the
 * tests of each file (declared here, listed in main.c).
 */
#ifndef CORM_TESTS_CONFORMANCE_H
#define CORM_TESTS_CONFORMANCE_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <corm/corm.h>
#include <corm/dialect.h>
#include <corm/buf.h>
#include <corm/driver.h> /* corm_free() for conf_sql()'s strings */

/* ------------------------------------------------------ engine and fixture */

typedef enum conf_engine {
	CONF_SQLITE,
	CONF_POSTGRES,
	CONF_MYSQL
} conf_engine;

/* What main.c found out about the engine under test; read-only for tests. */
typedef struct conf_env {
	conf_engine engine;
	const char *name;        /* "sqlite", "postgres", "mysql" */
	char *url;               /* connection URL (owned by main.c) */
	const char *ctl;         /* server stop/start command prefix, or NULL */
	const char *url_var;     /* "CORM_TEST_PG_URL", ... (NULL for sqlite) */
	const char *ctl_var;     /* "CORM_TEST_PG_CTL", ... */
} conf_env;

extern conf_env conf;

#define CONF_MAX_TABLES 4
#define CONF_TABLE_LEN 64

typedef struct conf_fixture {
	corm_conn *c;   /* opened by the setup, closed by the teardown */
	corm_conn *c2;  /* a second connection, if the test opens one */
	char tables[CONF_MAX_TABLES][CONF_TABLE_LEN];
	int ntables;
	bool server_stopped; /* the restart tests: teardown must start it */
} conf_fixture;

/* cmocka setup/teardown of every test. */
int conf_setup(void **state);
int conf_teardown(void **state);

/* Open a connection to the engine under test, with extra URL query
 * parameters `params` ("busy_timeout=50"; NULL for none). Fails the test
 * when it cannot. */
corm_conn *conf_open(const char *params);

/* conf.url with `params` appended as query parameters. Caller frees with
 * free(). */
char *conf_url_with(const char *base, const char *params);

/*
 * A table name unique to this test and process: "conf_<stem>_<pid>".
 * Registered with the fixture for the teardown to drop (in reverse order,
 * so register parents first), and dropped right now in case a previous
 * run left it behind. Borrowed from the fixture.
 */
const char *conf_table(conf_fixture *fx, const char *stem);

/* ------------------------------------------------------------ SQL building */

/*
 * Build SQL for connection `c`'s dialect. Directives:
 *   %I  an identifier (const char *), quoted
 *   %P  the next placeholder ($1, $2, ... or ?)
 *   %T  a column type: (corm_coltype, int a, int b)
 *   %s  raw SQL text (const char *): keywords only, never a value
 *   %%  a percent sign
 * Returns a string the caller frees with corm_free(); fails the test on
 * an error.
 */
char *conf_sql(corm_conn *c, const char *fmt, ...);

/* conf_sql() then corm_exec(); returns corm_exec()'s code. */
int conf_exec(corm_conn *c, const char *fmt, ...);

/* conf_sql() then corm_exec(), asserting success (with the message). */
void conf_exec_ok(corm_conn *c, const char *fmt, ...);

/* conf_sql() then corm_stmt_prepare() (cached == false) or
 * corm_stmt_cached(); returns the code, *out NULL on failure. */
int conf_prepare(corm_stmt **out, corm_conn *c, bool cached,
	const char *fmt, ...);

/* Free a statement from conf_prepare*() (or any other). Statements a
 * failed test leaves behind are freed by its teardown. */
void conf_stmt_free(corm_stmt *s);

/* Prepare, asserting success. */
corm_stmt *conf_prepare_ok(corm_conn *c, bool cached, const char *fmt, ...);

/* SELECT COUNT(*) FROM table, read as int64; asserts success. */
int64_t conf_count(corm_conn *c, const char *table);

/* Step and assert the result, printing errmsg when it differs. */
void conf_step_expect(corm_stmt *s, int want);

/* What a failed call left on its connection, copied before a later call
 * clears it. */
typedef struct conf_outcome {
	int rc;          /* the returned code */
	int errcode;     /* corm_errcode() */
	char native[32]; /* corm_errcode_native() */
	char msg[512];   /* corm_errmsg() */
} conf_outcome;

void conf_record(conf_outcome *o, corm_conn *c, int rc);

/* Assert o->rc is `want`, corm_errcode() agreed, and the message and the
 * native code were non-empty. `who` names the call in the message. */
void conf_expect_outcome(const conf_outcome *o, int want, const char *who);

/* Step `s` once, record the outcome in *o (when not NULL) — before the
 * free, which is a call on the connection too — then free `s`. Returns
 * corm_step()'s code. */
int conf_step_once(corm_stmt *s, conf_outcome *o);

/* Assert an engine error: the returned code `rc` is `want`, corm_errcode()
 * agrees, and both the message and the native code are non-empty. */
void conf_expect_error(corm_conn *c, int rc, int want);

/* ------------------------------------------------------- values and checks */

/* A value to bind, of any kind the API can bind. */
typedef enum conf_kind {
	CONF_NULL,
	CONF_INT,
	CONF_DOUBLE,
	CONF_BOOL,
	CONF_TEXT,
	CONF_BLOB
} conf_kind;

typedef struct conf_value {
	conf_kind kind;
	int64_t i;
	double d;
	bool b;
	const void *p; /* text or blob bytes */
	size_t len;    /* their length */
	const char *label; /* for failure messages */
} conf_value;

/* Bind `v` at `idx`, asserting success. */
void conf_bind(corm_stmt *s, int idx, const conf_value *v);

/* Check that column `col` of the current row holds exactly `v`. */
void conf_expect_value(corm_stmt *s, int col, const conf_value *v);

/* Check that column `col` of the current row is NULL, and that reading it
 * as an integer answers CORM_ETYPE. */
void conf_expect_null(corm_stmt *s, int col);

/* Assert a failure and fail the test with a formatted message. */
void conf_fail(const char *file, int line, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4), noreturn))
#endif
	;
#define CONF_FAIL(...) conf_fail(__FILE__, __LINE__, __VA_ARGS__)

/* Assert `rc` == CORM_OK, else fail with corm_errmsg(c). */
#define CONF_OK(c, expr)                                                      \
	do {                                                                  \
		int conf_rc_ = (expr);                                        \
		if (conf_rc_ != CORM_OK)                                      \
			CONF_FAIL("%s: got %d (%s): %s", #expr, conf_rc_,     \
				corm_strerror(conf_rc_), corm_errmsg(c));     \
	} while (0)

/* "CORM_EUNIQUE" for CORM_EUNIQUE, etc. */
const char *conf_code_name(int code);

/* Seconds on the monotonic clock. */
double conf_now(void);

/* -------------------------------------------------------------------- tests */

/* test_roundtrip.c */
void test_roundtrip__null_in_every_column_kind(void **state);
void test_roundtrip__int64_extremes(void **state);
void test_roundtrip__doubles_are_bit_exact(void **state);
void test_roundtrip__bools_read_as_bool_and_int(void **state);
void test_roundtrip__text_with_quotes_backslashes_and_utf8(void **state);
void test_roundtrip__empty_text_is_not_null(void **state);
void test_roundtrip__empty_blob_is_not_null(void **state);
void test_roundtrip__one_mib_text(void **state);
void test_roundtrip__one_mib_blob_of_nul_bytes(void **state);
void test_roundtrip__blob_with_every_byte_value(void **state);
void test_roundtrip__decimal_as_text_is_exact(void **state);
void test_roundtrip__date_time_timestamp_uuid_json_as_text(void **state);

/* test_constraint.c */
void test_constraint__unique_maps_to_eunique(void **state);
void test_constraint__primary_key_maps_to_eunique(void **state);
void test_constraint__orphan_insert_maps_to_eforeignkey(void **state);
void test_constraint__delete_restricted_parent_maps_to_eforeignkey(void **state);
void test_constraint__null_into_not_null_maps_to_enotnull(void **state);
void test_constraint__check_maps_to_echeck(void **state);
void test_constraint__failed_statement_keeps_connection_usable(void **state);

/* test_retry.c */
void test_retry__deadlock_maps_to_edeadlock(void **state);
void test_retry__lock_timeout_maps_to_ebusy(void **state);
void test_retry__sqlite_busy_writer_maps_to_ebusy(void **state);
void test_retry__write_skew_maps_to_eserialization(void **state);
void test_retry__only_retryable_codes_are_retryable(void **state);

/* test_tx.c */
void test_tx__commit_keeps_rows(void **state);
void test_tx__commit_after_a_failed_statement_tells_the_truth(void **state);
void test_tx__rollback_leaves_nothing_behind(void **state);
void test_tx__inner_rollback_keeps_outer_rows(void **state);
void test_tx__inner_commit_then_outer_rollback_undoes_both(void **state);
void test_tx__error_in_inner_level_is_undone_by_its_rollback(void **state);
void test_tx__depth_counts_levels(void **state);
void test_tx__ddl_rollback_matches_dialect_transactional_ddl(void **state);
void test_tx__commit_without_begin_is_einval(void **state);
void test_tx__rollback_without_begin_is_einval(void **state);

/* test_stmt.c */
void test_stmt__changes_after_update_and_delete(void **state);
void test_stmt__insert_returns_generated_key(void **state);
void test_stmt__reset_and_rerun_with_new_binds(void **state);
void test_stmt__unbound_parameters_are_null(void **state);
void test_stmt__reading_null_as_int64_is_etype(void **state);
void test_stmt__param_count_matches_placeholders(void **state);
void test_stmt__cached_twice_while_handed_out_gives_separate_stmt(void **state);
void test_stmt__cached_is_reused_after_free(void **state);
void test_stmt__more_than_64_cached_statements_work(void **state);
void test_stmt__reading_text_that_is_not_a_number_is_etype(void **state);
void test_stmt__reset_discards_unread_rows(void **state);
void test_stmt__bind_index_out_of_range_is_einval(void **state);
void test_stmt__bind_after_step_without_reset_is_einval(void **state);
void test_stmt__syntax_error_is_esql(void **state);
void test_stmt__unknown_table_is_esql(void **state);
void test_stmt__exec_runs_several_statements(void **state);
void test_stmt__success_after_failure_clears_errcode(void **state);
void test_stmt__cached_works_with_cache_size_0_and_2(void **state);
void test_stmt__placeholder_characters_inside_literals_are_not_params(
	void **state);
void test_stmt__reserved_words_and_quote_characters_as_identifiers(
	void **state);
void test_stmt__rerun_with_parameters_of_other_kinds(void **state);
void test_stmt__cached_statement_after_the_table_changes(void **state);
void test_stmt__a_procedure_call_runs_again(void **state);
void test_stmt__column_names_and_count(void **state);

/* test_connect.c */
void test_connect__malformed_url_is_eurl(void **state);
void test_connect__unknown_scheme_is_escheme(void **state);
void test_connect__wrong_password_is_eauth(void **state);
void test_connect__closed_port_is_econnect(void **state);
void test_connect__silent_listener_times_out_with_econnect(void **state);
void test_connect__driver_name_and_dialect_match_engine(void **state);
void test_connect__killed_backend_is_econnlost(void **state);

/* test_restart.c (only with --server-restart) */
void test_restart__stopped_server_is_econnlost_and_nothing_is_written(
	void **state);
void test_restart__idle_connection_after_restart_tells_the_truth(
	void **state);
void test_restart__stopped_server_mid_stream_is_econnlost_not_done(
	void **state);
void test_restart__pool_recovers_at_next_checkout(void **state);
/* (in the ordinary suite: no restart) */
void test_restart__killed_backend_mid_stream_is_econnlost_not_done(
	void **state);
void test_restart__pool_without_ping_replaces_lost_on_put(void **state);

/* test_facts.c */
void test_dialect__names_find_their_dialect_and_unknown_is_null(void **state);
void test_dialect__empty_insert_adds_a_row(void **state);
void test_dialect__limit_all_with_an_offset_reads_the_rest(void **state);
void test_dialect__nulls_order_puts_nulls_first_or_last(void **state);
void test_dialect__text_match_is_case_sensitive_and_escapes(void **state);
void test_dialect__text_sort_collate_sorts_by_bytes(void **state);
void test_dialect__backslash_escapes_in_literals(void **state);
void test_dialect__descriptor_of_another_version_is_refused(void **state);
void test_facts__double_quoted_missing_column_is_esql(void **state);
void test_facts__trailing_spaces_make_a_different_text(void **state);
void test_facts__like_does_not_ignore_trailing_spaces(void **state);
void test_facts__pgtz_and_pgdatestyle_do_not_move_timestamps(void **state);
void test_facts__url_timezone_option_does_not_move_timestamps(void **state);
void test_facts__value_over_the_packet_limit_keeps_the_connection(
	void **state);

#endif /* CORM_TESTS_CONFORMANCE_H */
