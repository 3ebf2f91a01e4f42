/*
 * test_kill_migrate.c — `corm migrate up` killed with SIGKILL at random
 * points, then run again (issue 8, "Server faults").
 *
 *     test_kill_migrate CORM ENGINE
 *
 * CORM is the built `corm` binary, ENGINE sqlite, postgres or mysql. Each
 * trial starts from an empty database, runs `corm migrate up` over five
 * migrations (DDL, bulk inserts and marker rows), kills it after a random
 * delay spread over a whole run's duration (measured first), and runs
 * `up` again. The second run must either
 *   - exit 0 with every migration applied exactly once, or
 *   - (MySQL only, whose DDL commits as it goes) exit 1 naming the
 *     half-applied migration and the `corm migrate resolve` to run; the
 *     test then does what it says (undoes the migration's traces and
 *     runs `resolve --rolled-back`, or `resolve --applied` when every
 *     statement was recorded done) and `up` must complete.
 * "Exactly once": corm_migrations has one 'applied' row per migration,
 * the marker table two rows per migration and no duplicate, each data
 * table its 1000 rows and the columns later migrations added. Applying
 * a migration twice would also fail its CREATE TABLE.
 *
 * Env: CORM_FAULTS_SEED replays a seed (the delays; the timing of the
 * machine still varies), CORM_FAULTS_TRIALS (default 50). PostgreSQL and
 * MySQL run in a database of their own, corm_faults_<engine>_<pid>,
 * created and dropped here, so the test may run beside others.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../common/engine.h"
#include "corm/corm.h"

#define NMIG 5          /* migrations: base + four data tables */
#define ROWS 1000       /* rows each data migration inserts */
#define MAX_RUN_MS 120000

static const char *corm_bin;
static test_engine eng;
static char work[512];      /* temporary directory: migrations, outputs */
static char url[1200];      /* the database the trials migrate */
static char db_name[64];    /* its name on a server ("" for SQLite) */
static char versions[NMIG + 1][32];
static char names[NMIG + 1][32];

/* ------------------------------------------------------------ utilities */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "faults-kill-migrate: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* xorshift64*: a small PRNG whose sequence depends on the seed alone. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static double rng_unit(void)
{
	return (double)(rng() >> 11) / 9007199254740992.0;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		die("cannot write %s", path);
}

/* The whole of a small file ("" when it cannot be read). Static buffer. */
static const char *slurp(const char *path)
{
	static char buf[16384];
	size_t n = 0;
	FILE *f = fopen(path, "r");

	if (f) {
		n = fread(buf, 1, sizeof(buf) - 1, f);
		fclose(f);
	}
	buf[n] = '\0';
	return buf;
}

/* ------------------------------------------------------ running `corm` */

/* Start `corm migrate SUB [ARG] [FLAG] --dir D --db URL`, its output in
 * work/out and work/err. */
static pid_t spawn_migrate(const char *sub, const char *arg, const char *flag)
{
	char dir[600], out[600], err[600];
	const char *argv[12];
	int n = 0;
	pid_t pid;

	snprintf(dir, sizeof(dir), "%s/migrations", work);
	snprintf(out, sizeof(out), "%s/out", work);
	snprintf(err, sizeof(err), "%s/err", work);
	argv[n++] = corm_bin;
	argv[n++] = "migrate";
	argv[n++] = sub;
	if (arg)
		argv[n++] = arg;
	if (flag)
		argv[n++] = flag;
	argv[n++] = "--dir";
	argv[n++] = dir;
	argv[n++] = "--db";
	argv[n++] = url;
	argv[n] = NULL;

	fflush(NULL);
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int fo = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0644);
		int fe = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0644);

		if (fo < 0 || fe < 0 || dup2(fo, 1) < 0 || dup2(fe, 2) < 0)
			_exit(127);
		execv(corm_bin, (char *const *)argv);
		_exit(127);
	}
	return pid;
}

/* Exit code, or -signal. */
static int wait_for(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			die("waitpid: %s", strerror(errno));
	return WIFEXITED(st) ? WEXITSTATUS(st) : -WTERMSIG(st);
}

static int run_migrate(const char *sub, const char *arg, const char *flag)
{
	return wait_for(spawn_migrate(sub, arg, flag));
}

/* ---------------------------------------------------------- the database */

static corm_conn *open_db(void)
{
	corm_conn *c = NULL;

	if (corm_conn_open(&c, url) != CORM_OK)
		die("cannot open %s: %s", url, corm_errmsg(NULL));
	return c;
}

/* A one-integer query: CORM_OK and *out, or the error code. */
static int q_int(int64_t *out, corm_conn *c, const char *fmt, ...)
{
	char sql[1024];
	corm_stmt *s = NULL;
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	*out = -1;
	rc = corm_stmt_prepare(&s, c, sql);
	if (rc == CORM_OK)
		rc = corm_step(s);
	if (rc == CORM_ROW)
		rc = corm_column_int64(out, s, 0);
	corm_stmt_free(s);
	return rc;
}

static void exec_ok(corm_conn *c, const char *fmt, ...)
{
	char sql[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(sql, sizeof(sql), fmt, ap);
	va_end(ap);
	if (corm_exec(c, sql) != CORM_OK)
		die("%s: %s", sql, corm_errmsg(c));
}

/* Does `table` exist (and, when `col` is not NULL, have that column)?
 * Asked of the table itself, the same way on every engine. */
static bool has(corm_conn *c, const char *table, const char *col)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "SELECT %s FROM %s WHERE 1 = 0",
		col ? col : "1", table);
	return corm_exec(c, sql) == CORM_OK;
}

static const char *data_table(int k, char buf[32])
{
	if (k == 1)
		snprintf(buf, 32, "fault_digits");
	else
		snprintf(buf, 32, "fault_t%d", k);
	return buf;
}

/* Drop everything the migrations create: a fresh database per trial. */
static void reset_db(void)
{
	if (eng.sqlite_dir[0]) {
		static const char *sfx[] = { "", "-journal", "-wal", "-shm" };
		char path[700];
		size_t i;

		for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
			snprintf(path, sizeof(path), "%s/faults.db%s", work,
				sfx[i]);
			unlink(path);
		}
		return;
	}
	{
		corm_conn *c = open_db();
		char t[32];
		int k;

		for (k = NMIG; k >= 1; k--)
			exec_ok(c, "DROP TABLE IF EXISTS %s", data_table(k, t));
		exec_ok(c, "DROP TABLE IF EXISTS fault_marker");
		exec_ok(c, "DROP TABLE IF EXISTS corm_migrations");
		corm_conn_close(c);
	}
}

/* ------------------------------------------------------- the migrations */

/*
 * Migration 1 creates the marker table (no key: a second copy of a row
 * shows) and fault_digits (0..9). Migration k = 2..NMIG creates fault_tk,
 * fills it with 1000 rows from a cross join of the digits, indexes it,
 * updates it, adds column ck to the previous table, and writes marker
 * rows (k, 1) early and (k, 2) last. Portable SQL: one text for every
 * dialect.
 */
static void write_migrations(void)
{
	char path[700], up[4096], down[1024], t[32], prev[32];
	const char *dialects[] = { "sqlite", "postgres", "mysql" };
	int k;
	size_t d;

	snprintf(path, sizeof(path), "%s/migrations", work);
	if (mkdir(path, 0755) != 0)
		die("mkdir %s: %s", path, strerror(errno));
	for (k = 1; k <= NMIG; k++) {
		snprintf(versions[k], sizeof(versions[k]), "202601010000%02d", k);
		if (k == 1) {
			snprintf(names[k], sizeof(names[k]), "base");
			snprintf(up, sizeof(up),
				"-- the marker table: one row per (migration, seq)\n"
				"CREATE TABLE fault_marker (mig INTEGER NOT NULL, "
				"seq INTEGER NOT NULL);\n"
				"INSERT INTO fault_marker (mig, seq) VALUES (1, 1);\n"
				"CREATE TABLE fault_digits (d INTEGER NOT NULL "
				"PRIMARY KEY);\n"
				"INSERT INTO fault_digits (d) VALUES (0), (1), (2), "
				"(3), (4), (5), (6), (7), (8), (9);\n"
				"INSERT INTO fault_marker (mig, seq) VALUES (1, 2);\n");
			snprintf(down, sizeof(down),
				"DROP TABLE fault_digits;\nDROP TABLE fault_marker;\n");
		} else {
			data_table(k, t);
			data_table(k - 1, prev);
			snprintf(names[k], sizeof(names[k]), "table_%d", k);
			snprintf(up, sizeof(up),
				"CREATE TABLE %s (id INTEGER NOT NULL PRIMARY KEY, "
				"v VARCHAR(50) NOT NULL);\n"
				"INSERT INTO fault_marker (mig, seq) VALUES (%d, 1);\n"
				"INSERT INTO %s (id, v) SELECT a.d * 100 + b.d * 10 "
				"+ c.d, 'new' FROM fault_digits a, fault_digits b, "
				"fault_digits c;\n"
				"CREATE INDEX %s_v_idx ON %s (v);\n"
				"UPDATE %s SET v = 'm%d';\n"
				"ALTER TABLE %s ADD COLUMN c%d INTEGER;\n"
				"INSERT INTO fault_marker (mig, seq) VALUES (%d, 2);\n",
				t, k, t, t, t, t, k, prev, k, k);
			snprintf(down, sizeof(down),
				"DELETE FROM fault_marker WHERE mig = %d;\n"
				"ALTER TABLE %s DROP COLUMN c%d;\n"
				"DROP TABLE %s;\n", k, prev, k, t);
		}
		snprintf(path, sizeof(path), "%s/migrations/%s_%s", work,
			versions[k], names[k]);
		if (mkdir(path, 0755) != 0)
			die("mkdir %s: %s", path, strerror(errno));
		for (d = 0; d < 3; d++) {
			snprintf(path, sizeof(path), "%s/migrations/%s_%s/up.%s.sql",
				work, versions[k], names[k], dialects[d]);
			write_file(path, up);
			snprintf(path, sizeof(path),
				"%s/migrations/%s_%s/down.%s.sql", work, versions[k],
				names[k], dialects[d]);
			write_file(path, down);
		}
	}
}

/* The statements in migration k's up SQL. */
static int64_t statements_of(int k)
{
	return k == 1 ? 5 : 7;
}

/* ------------------------------------------------------------- checking */

/* Everything applied exactly once? "" when so, else what is wrong. */
static const char *verify(void)
{
	static char why[512];
	corm_conn *c = open_db();
	int64_t v;
	char t[32], col[16];
	int k;

	why[0] = '\0';
	if (q_int(&v, c, "SELECT COUNT(*) FROM corm_migrations") || v != NMIG)
		snprintf(why, sizeof(why), "corm_migrations has %" PRId64
			" rows, expected %d", v, NMIG);
	else if (q_int(&v, c, "SELECT COUNT(*) FROM corm_migrations WHERE "
		"status = 'applied' AND version >= '%s' AND version <= '%s'",
		versions[1], versions[NMIG]) || v != NMIG)
		snprintf(why, sizeof(why), "%" PRId64 " of %d migrations are "
			"'applied'", v, NMIG);
	else if (q_int(&v, c, "SELECT COUNT(*) FROM fault_marker") ||
		v != 2 * NMIG)
		snprintf(why, sizeof(why), "fault_marker has %" PRId64 " rows, "
			"expected %d (a migration ran twice, or partly)", v,
			2 * NMIG);
	else if (q_int(&v, c, "SELECT COUNT(*) FROM (SELECT DISTINCT mig, seq "
		"FROM fault_marker) x") || v != 2 * NMIG)
		snprintf(why, sizeof(why), "fault_marker has duplicates");
	for (k = 2; !why[0] && k <= NMIG; k++) {
		data_table(k, t);
		if (q_int(&v, c, "SELECT COUNT(*) FROM %s WHERE v = 'm%d'", t,
			k) || v != ROWS)
			snprintf(why, sizeof(why), "%s has %" PRId64 " rows "
				"updated, expected %d", t, v, ROWS);
		snprintf(col, sizeof(col), "c%d", k);
		if (!why[0] && !has(c, data_table(k - 1, t), col))
			snprintf(why, sizeof(why), "%s has no column %s", t,
				col);
	}
	corm_conn_close(c);
	return why;
}

/* History after the kill: how many 'applied', and the half-applied
 * migration (0 if none) with its recorded step. */
static void history_state(int *applied, int *half, int64_t *step)
{
	corm_conn *c = open_db();
	int64_t v;
	int k;

	*applied = 0;
	*half = 0;
	*step = -1;
	for (k = 1; k <= NMIG; k++) {
		if (q_int(&v, c, "SELECT COUNT(*) FROM corm_migrations WHERE "
			"version = '%s' AND status = 'applied'", versions[k]))
			break; /* no history table yet */
		if (v == 1) {
			(*applied)++;
			continue;
		}
		if (q_int(&v, c, "SELECT step FROM corm_migrations WHERE "
			"version = '%s'", versions[k]) == CORM_OK) {
			*half = k;
			*step = v;
		}
	}
	corm_conn_close(c);
}

/*
 * Undo by hand what half-applied migration k left, as a user would after
 * reading the refusal: drop its table, its added column and its marker
 * rows (each only if there: the migration stopped somewhere unknown).
 */
static void undo_by_hand(int k)
{
	corm_conn *c = open_db();
	char t[32], prev[32], col[16];

	if (k == 1) {
		exec_ok(c, "DROP TABLE IF EXISTS fault_digits");
		exec_ok(c, "DROP TABLE IF EXISTS fault_marker");
	} else {
		data_table(k, t);
		data_table(k - 1, prev);
		snprintf(col, sizeof(col), "c%d", k);
		exec_ok(c, "DROP TABLE IF EXISTS %s", t);
		if (has(c, prev, col))
			exec_ok(c, "ALTER TABLE %s DROP COLUMN %s", prev, col);
		exec_ok(c, "DELETE FROM fault_marker WHERE mig = %d", k);
	}
	corm_conn_close(c);
}

/* ---------------------------------------------------------------- trials */

typedef struct tally {
	int finished_before_kill;
	int killed_at[NMIG + 1]; /* by migrations applied when killed */
	int half_applied;        /* MySQL: a migration left 'running' */
	int completed_on_retry;
	int refused_rolled_back;
	int refused_applied;
} tally;

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/*
 * The length of a full run, kept up to date: the machine is shared and
 * its speed drifts, so the median of the last full runs (second runs
 * that found nothing applied) is used rather than the first measure.
 */
#define NRECENT 5
static double recent[NRECENT];
static int nrecent;

static void note_full_run(double ms)
{
	recent[nrecent++ % NRECENT] = ms;
}

static double full_run_ms(void)
{
	double r[NRECENT];
	int n = nrecent < NRECENT ? nrecent : NRECENT;

	memcpy(r, recent, sizeof(r));
	qsort(r, (size_t)n, sizeof(r[0]), cmp_double);
	return r[n / 2];
}

/* Full runs, for the length of one: the median of three (the first is
 * often slow: cold caches). */
static double measure(void)
{
	double took[3];
	int i, rc;

	for (i = 0; i < 3; i++) {
		double t0;

		reset_db();
		t0 = now_ms();
		rc = run_migrate("up", NULL, NULL);
		t0 = now_ms() - t0;
		if (rc != 0)
			die("a full `corm migrate up` failed (exit %d):\n%s", rc,
				slurp("err") /* relative: we are in work */);
		if (verify()[0])
			die("after a full run: %s", verify());
		took[i] = t0;
		note_full_run(t0);
	}
	qsort(took, 3, sizeof(took[0]), cmp_double);
	return took[1];
}

static void sleep_ms(double ms)
{
	struct timespec ts;

	if (ms <= 0)
		return;
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)((ms - (double)ts.tv_sec * 1000) * 1e6);
	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

/* Does the refusal name migration k and the command to run? */
static bool clear_refusal(const char *err, int k)
{
	char want[96];

	snprintf(want, sizeof(want), "corm migrate resolve %s", versions[k]);
	return strstr(err, versions[k]) && strstr(err, names[k]) &&
		strstr(err, want) && strstr(err, "--rolled-back") &&
		strstr(err, "--applied");
}

/* One trial; returns 0 or prints why it failed and returns 1. */
static int trial(int n, double delay, tally *tl)
{
	static bool shown; /* the first refusal is printed whole */
	double t0;
	int rc, applied, half;
	int64_t step;
	const char *why;
	char err[16384];
	pid_t pid;

	reset_db();
	pid = spawn_migrate("up", NULL, NULL);
	sleep_ms(delay);
	kill(pid, SIGKILL);
	rc = wait_for(pid);
	if (rc != -SIGKILL && rc != 0) {
		printf("trial %d: the first run exited %d before the kill:\n%s",
			n, rc, slurp("err"));
		return 1;
	}
	if (rc == 0)
		tl->finished_before_kill++;
	history_state(&applied, &half, &step);
	if (rc != 0)
		tl->killed_at[applied]++;
	if (half)
		tl->half_applied++;
	printf("trial %2d: kill at %6.1f ms: %s, %d applied%s", n, delay,
		rc == 0 ? "had finished" : "killed", applied,
		half ? ", one half-applied" : "");

	t0 = now_ms();
	rc = run_migrate("up", NULL, NULL);
	if (rc == 0 && applied == 0 && !half)
		note_full_run(now_ms() - t0);
	snprintf(err, sizeof(err), "%s", slurp("err"));
	if (rc == 0) {
		tl->completed_on_retry++;
		printf(" -> up: exit 0");
	} else if (rc == 1 && eng.name[0] == 'm' && half) {
		/* MySQL: refused, naming the migration: do what it says. */
		if (!clear_refusal(err, half)) {
			printf("\ntrial %d: the refusal does not name %s_%s and "
				"'corm migrate resolve %s --applied|--rolled-back':"
				"\n%s", n, versions[half], names[half], versions[half],
				err);
			return 1;
		}
		if (!shown) {
			printf("\n  the refusal (exit 1):\n%s  ", err);
			shown = true;
		}
		if (step == statements_of(half)) {
			if (!strstr(err, "only recording it was cut short")) {
				printf("\ntrial %d: step %" PRId64 " of %" PRId64
					" but the message does not say every "
					"statement ran:\n%s", n, step,
					statements_of(half), err);
				return 1;
			}
			/* Every statement recorded done: it is complete. */
			rc = run_migrate("resolve", versions[half], "--applied");
			tl->refused_applied++;
			printf(" -> refused (step %" PRId64 "/%" PRId64 "), "
				"resolve --applied", step, statements_of(half));
		} else {
			undo_by_hand(half);
			rc = run_migrate("resolve", versions[half],
				"--rolled-back");
			tl->refused_rolled_back++;
			printf(" -> refused (step %" PRId64 "/%" PRId64 "), undo, "
				"resolve --rolled-back", step, statements_of(half));
		}
		if (rc != 0) {
			printf("\ntrial %d: resolve exited %d:\n%s", n, rc,
				slurp("err"));
			return 1;
		}
		rc = run_migrate("up", NULL, NULL);
		printf(", up: exit %d", rc);
		if (rc != 0) {
			printf("\ntrial %d: up after resolve failed:\n%s", n,
				slurp("err"));
			return 1;
		}
	} else {
		printf("\ntrial %d: the second run exited %d:\n%s", n, rc, err);
		return 1;
	}
	if ((why = verify())[0]) {
		printf("\ntrial %d: %s\nlast stdout:\n%s", n, why, slurp("out"));
		return 1;
	}
	printf(", verified\n");
	return 0;
}

/* ------------------------------------------------------- set-up and main */

/* A database of our own on the server; url points at it. */
static void create_db(void)
{
	corm_conn *c = NULL;
	const char *q, *slash;
	char sql[128];

	snprintf(db_name, sizeof(db_name), "corm_faults_%s_%ld", eng.name,
		(long)getpid());
	if (corm_conn_open(&c, eng.url) != CORM_OK)
		die("cannot connect: %s", corm_errmsg(NULL));
	snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s", db_name);
	exec_ok(c, "%s", sql);
	exec_ok(c, "CREATE DATABASE %s", db_name);
	corm_conn_close(c);
	/* The same URL with the database name replaced. */
	q = strchr(eng.url, '?');
	slash = q ? q : eng.url + strlen(eng.url);
	while (slash > eng.url && *slash != '/')
		slash--;
	snprintf(url, sizeof(url), "%.*s/%s%s", (int)(slash - eng.url),
		eng.url, db_name, q ? q : "");
}

static void drop_db(void)
{
	corm_conn *c = NULL;

	if (!db_name[0] || corm_conn_open(&c, eng.url) != CORM_OK)
		return;
	exec_ok(c, "DROP DATABASE IF EXISTS %s%s", db_name,
		eng.name[0] == 'p' ? " WITH (FORCE)" : "");
	corm_conn_close(c);
}

static void remove_work(void)
{
	char cmd[700];

	/* Our own mkdtemp directory; nothing else is under it. */
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", work);
	if (work[0] && system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", work);
}

int main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	const char *s;
	uint64_t seed;
	int trials = 50, i, failed = 0;
	double full, t0;
	tally tl;

	if (argc != 3) {
		fprintf(stderr, "usage: test_kill_migrate CORM ENGINE\n");
		return 2;
	}
	/* meson passes the binary relative to the build directory, and we
	 * chdir into our own directory below. */
	corm_bin = realpath(argv[1], NULL);
	if (!corm_bin)
		die("%s: %s", argv[1], strerror(errno));
	if ((i = test_engine_init(&eng, "faults-kill-migrate", argv[2])) != 0)
		return i;
	if ((s = getenv("CORM_FAULTS_TRIALS")) && *s)
		trials = atoi(s);
	if ((s = getenv("CORM_FAULTS_SEED")) && *s)
		seed = strtoull(s, NULL, 0);
	else
		seed = (uint64_t)time(NULL) ^ ((uint64_t)getpid() << 32);
	rng_state = seed ? seed : 1;

	snprintf(work, sizeof(work), "%s/corm-faults-XXXXXX",
		tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(work))
		die("mkdtemp: %s", strerror(errno));
	if (chdir(work) != 0)
		die("chdir %s: %s", work, strerror(errno));
	if (eng.sqlite_dir[0])
		snprintf(url, sizeof(url), "sqlite:%s/faults.db", work);
	else
		create_db();
	write_migrations();

	printf("faults-kill-migrate %s: seed %" PRIu64 " (replay: "
		"CORM_FAULTS_SEED=%" PRIu64 "), %d trials\n", eng.name, seed, seed,
		trials);
	full = measure();
	printf("a full run of %d migrations takes %.1f ms; kills fall in "
		"0..%.1f ms\n", NMIG, full, full * 1.15);
	fflush(stdout);

	memset(&tl, 0, sizeof(tl));
	t0 = now_ms();
	for (i = 0; i < trials && !failed; i++) {
		double delay;

		full = full_run_ms();
		/* Every tenth trial very early (before or while connecting),
		 * every tenth + 1 very late (the last statements, the final
		 * history write); the rest spread over the whole run. */
		if (i % 10 == 0)
			delay = rng_unit() * 3;
		else if (i % 10 == 1)
			delay = full * (0.9 + 0.25 * rng_unit());
		else
			delay = full * 1.15 * rng_unit();
		failed = trial(i, delay, &tl);
		fflush(stdout);
	}

	printf("\n%s: %d trials in %.1f s; seed %" PRIu64 "; a full run "
		"took %.1f ms at the end\n", eng.name, i, (now_ms() - t0) / 1e3,
		seed, full_run_ms());
	printf("  first run killed with k migrations applied, k = 0..%d:",
		NMIG);
	for (i = 0; i <= NMIG; i++)
		printf(" %d", tl.killed_at[i]);
	printf("\n  first run had finished before the kill: %d\n",
		tl.finished_before_kill);
	printf("  half-applied after the kill (MySQL): %d\n", tl.half_applied);
	printf("  second run completed: %d; refused, then resolved "
		"--rolled-back: %d, --applied: %d\n", tl.completed_on_retry,
		tl.refused_rolled_back, tl.refused_applied);
	if (failed)
		printf("FAILED (replay with CORM_FAULTS_SEED=%" PRIu64 ")\n",
			seed);

	if (chdir("/") != 0)
		(void)0;
	remove_work();
	drop_db();
	test_engine_cleanup(&eng);
	free((void *)corm_bin);
	return failed ? 1 : 0;
}
