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

const corm_driver *corm_driver_find(const char *scheme)
{
#if CORM_HAVE_SQLITE
	if (strcmp(scheme, "sqlite") == 0)
		return &corm_sqlite_driver;
#endif
#if CORM_HAVE_POSTGRES
	if (strcmp(scheme, "postgres") == 0)
		return &corm_postgres_driver;
#endif
#if CORM_HAVE_MYSQL
	if (strcmp(scheme, "mysql") == 0)
		return &corm_mysql_driver;
#endif
	(void)scheme;
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

int corm_tx_begin(corm_conn *c)
{
	int error;

	if (!c)
		return CORM_EINVAL;
	corm_conn__begin_call(c);
	if (c->tx_depth == 0)
		error = c->driver->exec(c, "BEGIN");
	else
		error = savepoint_sql(c, "SAVEPOINT", c->tx_depth);
	if (error == CORM_OK)
		c->tx_depth++;
	return error;
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
