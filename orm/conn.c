/*
 * conn.c — opening and closing connections, running parameterless SQL,
 * and transactions (outermost BEGIN/COMMIT, savepoints inside).
 */
#include <stdio.h>
#include <string.h>

#include "corm_config.h"
#include "internal.h"

#define DEFAULT_CONNECT_TIMEOUT 10 /* seconds */
#define DEFAULT_STATEMENT_CACHE 64

int corm_runtime_version(void)
{
	return CORM_RUNTIME_VERSION;
}

/* The drivers this library was built with; each has its dialect's name. */
static const corm_driver *const built_drivers[] = {
#if CORM_HAVE_SQLITE
	&corm_sqlite_driver,
#endif
#if CORM_HAVE_POSTGRES
	&corm_postgres_driver,
#endif
#if CORM_HAVE_MYSQL
	&corm_mysql_driver,
#endif
	NULL,
};

const corm_driver *corm_driver_find(const char *scheme)
{
	size_t i;

	for (i = 0; built_drivers[i]; i++)
		if (strcmp(built_drivers[i]->name, scheme) == 0)
			return built_drivers[i];
	return NULL;
}

int corm_conn_open(corm_conn **out, const char *url_text)
{
	corm_url *url = NULL;
	corm_conn *c = NULL;
	const corm_driver *driver;
	int timeout = DEFAULT_CONNECT_TIMEOUT;
	int cache_size = DEFAULT_STATEMENT_CACHE;
	int error;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	corm_error__clear_thread();
	if ((error = corm_url_parse(&url, url_text)) != CORM_OK)
		goto done;
	driver = corm_driver_find(url->scheme);
	if (!driver) {
		error = corm_error__set_thread(CORM_ESCHEME, NULL,
			"the %s driver is not built into this libcorm (rebuild with "
			"meson -D%s=enabled)", url->scheme, url->scheme);
		goto done;
	}
	if ((error = corm_url_param_int(&timeout, url, "connect_timeout", 0,
		     86400)) != CORM_OK ||
		(error = corm_url_param_int(&cache_size, url, "statement_cache", 0,
			 1 << 20)) != CORM_OK)
		goto done;
	if ((error = driver->open(&c, url, timeout)) != CORM_OK)
		goto done;
	c->driver = driver;
	c->connect_timeout = timeout;
	if ((error = corm_cache__new(&c->cache, cache_size)) != CORM_OK) {
		corm_error__set_thread(error, NULL, "out of memory");
		driver->close(c);
		c = NULL;
		goto done;
	}
	if ((error = corm_conn__read_collations(c)) != CORM_OK) {
		corm_error__set_thread(error, NULL, "reading the database's "
			"collations: %s", c->err_msg);
		corm_conn_close(c);
		c = NULL;
		goto done;
	}
	*out = c;
done:
	corm_url_free(url);
	return error;
}

void corm_conn_close(corm_conn *c)
{
	if (!c)
		return;
	corm_cache__free(c->cache);
	corm_conn__free_collations(c);
	c->driver->close(c);
}

const corm_dialect *corm_conn_dialect(const corm_conn *c)
{
	return c->driver->dialect;
}

int corm_conn_max_params(const corm_conn *c)
{
	return c->max_params > 0 ? c->max_params : c->driver->dialect->max_params;
}

const char *corm_conn_driver_name(const corm_conn *c)
{
	return c->driver->name;
}

int corm_conn_ping(corm_conn *c)
{
	if (!c)
		return CORM_EINVAL;
	corm_conn__begin_call(c);
	return c->driver->ping(c);
}

bool corm_conn_lost(const corm_conn *c)
{
	return c && c->lost;
}

int corm_exec(corm_conn *c, const char *sql)
{
	if (!c)
		return CORM_EINVAL;
	corm_conn__begin_call(c);
	if (!sql)
		return corm_conn__set_error(c, CORM_EINVAL, NULL,
			"corm_exec: sql is NULL");
	return c->driver->exec(c, sql);
}

/* ------------------------------------------------------------ transactions */

/* Savepoint names are ours, never user text, so they need no quoting. */
static int savepoint_sql(corm_conn *c, const char *verb, int level)
{
	char sql[64];

	snprintf(sql, sizeof(sql), "%s corm_sp_%d", verb, level);
	return c->driver->exec(c, sql);
}

static const char *isolation_sql(corm_isolation level)
{
	switch (level) {
	case CORM_ISOLATION_READ_COMMITTED: return "READ COMMITTED";
	case CORM_ISOLATION_REPEATABLE_READ: return "REPEATABLE READ";
	case CORM_ISOLATION_SERIALIZABLE: return "SERIALIZABLE";
	default: return NULL;
	}
}

/* The statements that start a top-level transaction with `o`. The text
 * comes only from the fixed strings above: nothing is spliced. */
static void begin_sql(corm_buf *b, const corm_dialect *d,
	const corm_tx_options *o)
{
	const char *level = isolation_sql(o->isolation);

	switch (d->tx_begin) {
	case CORM_TX_BEGIN_LOCKING_MODE:
		/* Serializable whatever the level. A write transaction takes
		 * the write lock now, waiting for the busy timeout, rather
		 * than fail with BUSY at its first write after a read. */
		corm_buf_puts(b, o->read_only
			? "PRAGMA query_only = ON; BEGIN DEFERRED" : "BEGIN IMMEDIATE");
		break;
	case CORM_TX_BEGIN_INLINE:
		corm_buf_puts(b, "BEGIN");
		if (level)
			corm_buf_printf(b, " ISOLATION LEVEL %s", level);
		if (o->read_only)
			corm_buf_puts(b, " READ ONLY");
		break;
	case CORM_TX_BEGIN_SET_FIRST:
		/* SET TRANSACTION (no SESSION/GLOBAL) is for the next one only. */
		if (level)
			corm_buf_printf(b, "SET TRANSACTION ISOLATION LEVEL %s; ",
				level);
		corm_buf_puts(b, o->read_only ? "START TRANSACTION READ ONLY"
					      : "START TRANSACTION");
		break;
	}
}

/* Undo what begin_sql() set on the connection beyond the transaction;
 * called when the top level ends, however it ends. */
static void end_read_only(corm_conn *c)
{
	if (c->tx_read_only &&
		c->driver->dialect->tx_begin == CORM_TX_BEGIN_LOCKING_MODE)
		(void)c->driver->exec(c, "PRAGMA query_only = OFF");
	c->tx_read_only = false;
	c->tx_isolation = CORM_ISOLATION_DEFAULT;
}

static int begin_top(corm_conn *c, const corm_tx_options *o)
{
	corm_buf sql = CORM_BUF_INIT;
	int error;

	begin_sql(&sql, c->driver->dialect, o);
	if ((error = corm_buf_error(&sql)) != CORM_OK)
		error = corm_conn__set_error(c, error, NULL, "out of memory");
	else
		error = c->driver->exec(c, corm_buf_cstr(&sql));
	corm_buf_free(&sql);
	c->tx_read_only = o->read_only;
	c->tx_isolation = (int)o->isolation;
	if (error != CORM_OK)
		end_read_only(c);
	return error;
}

/* A savepoint cannot change what the open transaction is. */
static int check_nested(corm_conn *c, const corm_tx_options *o)
{
	if (o->isolation != CORM_ISOLATION_DEFAULT &&
		(int)o->isolation != c->tx_isolation)
		return corm_conn__set_error(c, CORM_EINVAL, NULL,
			"corm_tx_begin_opts: a nested transaction cannot change the "
			"isolation level of the open one");
	if (o->read_only && !c->tx_read_only)
		return corm_conn__set_error(c, CORM_EINVAL, NULL,
			"corm_tx_begin_opts: a nested transaction cannot be read-only "
			"inside a read-write one");
	return CORM_OK;
}

int corm_tx_begin_opts(corm_conn *c, const corm_tx_options *opts)
{
	static const corm_tx_options defaults = CORM_TX_OPTIONS_INIT;
	const corm_tx_options *o = opts ? opts : &defaults;
	int error;

	if (!c)
		return CORM_EINVAL;
	corm_conn__begin_call(c);
	if (o->isolation < CORM_ISOLATION_DEFAULT ||
		o->isolation > CORM_ISOLATION_SERIALIZABLE)
		return corm_conn__set_error(c, CORM_EINVAL, NULL,
			"corm_tx_begin_opts: unknown isolation level %d",
			(int)o->isolation);
	if (c->tx_depth == 0)
		error = begin_top(c, o);
	else if ((error = check_nested(c, o)) == CORM_OK)
		error = savepoint_sql(c, "SAVEPOINT", c->tx_depth);
	if (error == CORM_OK)
		c->tx_depth++;
	return error;
}

int corm_tx_begin(corm_conn *c)
{
	return corm_tx_begin_opts(c, NULL);
}

int corm_tx_commit(corm_conn *c)
{
	int error;

	if (!c)
		return CORM_EINVAL;
	corm_conn__begin_call(c);
	if (c->tx_depth == 0)
		return corm_conn__set_error(c, CORM_EINVAL, NULL,
			"corm_tx_commit: no transaction is open");
	if (c->tx_depth > 1) {
		error = savepoint_sql(c, "RELEASE SAVEPOINT", c->tx_depth - 1);
		if (error == CORM_OK)
			c->tx_depth--;
		return error;
	}
	error = c->driver->exec(c, "COMMIT");
	/* Some engines (SQLite on BUSY) leave the transaction open after a
	 * failed COMMIT; end it so every engine behaves alike: a failed
	 * commit has rolled back. */
	if (error != CORM_OK && error != CORM_ECONNLOST)
		corm_tx__rollback_keeping_error(c, error);
	if (c->tx_depth > 0) /* not ended by the rollback just above */
		end_read_only(c);
	c->tx_depth = 0;
	return error;
}

int corm_tx_rollback(corm_conn *c)
{
	int error;

	if (!c)
		return CORM_EINVAL;
	corm_conn__begin_call(c);
	if (c->tx_depth == 0)
		return corm_conn__set_error(c, CORM_EINVAL, NULL,
			"corm_tx_rollback: no transaction is open");
	if (c->tx_depth == 1) {
		error = c->driver->exec(c, "ROLLBACK");
		c->tx_depth = 0;
		end_read_only(c);
		return error;
	}
	/* ROLLBACK TO keeps the savepoint; release it so the level is gone. */
	error = savepoint_sql(c, "ROLLBACK TO SAVEPOINT", c->tx_depth - 1);
	if (error == CORM_OK)
		error = savepoint_sql(c, "RELEASE SAVEPOINT", c->tx_depth - 1);
	c->tx_depth--;
	return error;
}

int corm_tx__rollback_keeping_error(corm_conn *c, int error)
{
	char msg[CORM_ERRMSG_MAX], native[sizeof(c->err_native)];

	memcpy(msg, c->err_msg, sizeof(msg));
	memcpy(native, c->err_native, sizeof(native));
	(void)corm_tx_rollback(c);
	memcpy(c->err_msg, msg, sizeof(msg));
	memcpy(c->err_native, native, sizeof(native));
	c->err_code = error;
	return error;
}

int corm_tx_depth(const corm_conn *c)
{
	return c ? c->tx_depth : 0;
}
