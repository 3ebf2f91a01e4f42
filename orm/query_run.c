/*
 * query_run.c — the query builder: running queries: preparing and binding,
 * reading rows (all, first, streamed), counts, updates (set, set_add) and
 * deletes.
 */
#include "query_internal.h"

/* ----------------------------------------------------------------- running */

/* Prepare q->sql from the cache and bind what rendering collected. */
int corm_q__prepare(corm_stmt **out, corm_query *q, corm_arena *scratch)
{
	corm_stmt *st = NULL;
	size_t i;
	int error;

	*out = NULL;
	corm_q__sub_errors(q);
	corm_q__check_lock(q);
	if (!q->error && corm_buf_error(&q->sql))
		corm_q__fail(q, corm_buf_error(&q->sql), "the query's SQL is too long");
	if (!q->error && q->nparams > corm_conn_max_params(q->db)) {
		char msg[128];

		snprintf(msg, sizeof(msg), "%d parameters, more than the %d one "
			"statement may bind on %s", q->nparams,
			corm_conn_max_params(q->db), q->d->name);
		corm_q__fail(q, CORM_ETOOLONG, msg);
	}
	if (q->error)
		return corm_conn__set_error(q->db, q->error, NULL, "query on %s: %s",
			q->m->name, q->errmsg);
	if ((error = corm_stmt_cached(&st, q->db, corm_buf_cstr(&q->sql))) !=
		CORM_OK)
		return error;
	for (i = 0; i < q->nbinds && !error; i++) {
		const bind_item *b = &q->binds[i];
		int idx = (int)i + 1;

		if (b->f)
			error = corm_model__bind_value(st, idx, b->f, b->value, scratch);
		else if (b->is_int)
			error = corm_bind_int64(st, idx, b->i);
		else
			error = corm_bind_text(st, idx, b->text.ptr, b->text.len);
	}
	if (error) {
		corm_stmt_free(st);
		return error;
	}
	*out = st;
	return CORM_OK;
}

/* Read the selected fields of the current row into `row`, zeroed first.
 * `checked`: the result's width was checked at an earlier row. */
static inline int read_row(void *row, corm_stmt *st, corm_query *q,
	corm_arena *a, bool checked)
{
	memset(row, 0, q->m->size);
	if (!checked)
		return corm_model__read_fields(row, st, 0, q->ncolumns, q->m,
			q->only, a);
	/* Inline to the driver's read_row: this runs for every row. */
	return corm_model__read_unchecked(row, st, 0, q->m, q->only, a);
}

void corm_rows_free(corm_rows *rows)
{
	corm_arena_free(&rows->arena);
	rows->items = NULL;
	rows->count = 0;
}

/* Rows the result array of corm_query_all() starts with. A query with a
 * small LIMIT (a page) cannot return more rows than that: sized for them
 * at once, the array never grows (a realloc() that copies it, for the
 * 20-row pages of the benchmark's filtered query). Larger limits start
 * small, as an unlimited query does, rather than reserve room they may
 * never fill. */
static size_t first_capacity(const corm_query *q)
{
	if (q->has_limit && q->limit > 0 && q->limit <= 256)
		return (size_t)q->limit;
	return 16;
}

int corm_query_all(corm_rows *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	size_t cap = 0;
	char *items = NULL;
	int rc, error;

	memset(out, 0, sizeof(*out));
	corm_q__render_select(q);
	if ((error = corm_q__prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	while ((rc = corm_step(st)) == CORM_ROW) {
		if (out->count == cap) {
			/* The array is a block of its own in the arena, resized in
			 * place where the allocator can (no copy per doubling). */
			size_t ncap = cap ? cap * 2 : first_capacity(q);
			char *p = items
				? corm_arena__grow_own(&out->arena, items, ncap * q->m->size)
				: corm_arena__alloc_own(&out->arena, ncap * q->m->size);

			if (!p) {
				error = corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
					"out of memory");
				goto done;
			}
			items = p;
			cap = ncap;
		}
		error = read_row(items + out->count * q->m->size, st, q,
			&out->arena, out->count > 0);
		if (error)
			goto done;
		out->count++;
	}
	if (rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
	out->items = items;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	if (error)
		corm_rows_free(out);
	return error;
}

int corm_query_first(void *out, corm_query *q, corm_arena *arena)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	bool had_limit = q->has_limit;
	int64_t limit = q->limit;
	int rc, error;

	q->has_limit = true;
	q->limit = 1;
	corm_q__render_select(q);
	q->has_limit = had_limit;
	q->limit = limit;
	if ((error = corm_q__prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	rc = corm_step(st);
	if (rc == CORM_ROW)
		error = read_row(out, st, q, arena, false);
	else if (rc == CORM_DONE)
		error = corm_conn__set_error(q->db, CORM_ENOTFOUND, NULL,
			"no %s matches the query", q->m->name);
	else
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	return error;
}

/* Run a query that returns one integer in one row. */
static int run_scalar(int64_t *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int rc, error;

	if ((error = corm_q__prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	rc = corm_step(st);
	if (rc == CORM_ROW)
		error = corm_column_int64(out, st, 0);
	else
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	return error;
}

int corm_query_count(int64_t *out, corm_query *q)
{
	corm_q__start_render(q);
	if (q->distinct || q->has_limit || q->has_offset) {
		/* COUNT over the rows the query would return. */
		corm_buf_puts(&q->sql, "SELECT COUNT(*) FROM (SELECT ");
		corm_buf_puts(&q->sql, q->distinct ? "DISTINCT " : "");
		corm_q__render_columns(q, q->distinct);
		corm_q__render_from_where(q);
		corm_q__render_limit(q);
		corm_buf_puts(&q->sql, ") AS corm_counted");
	} else {
		corm_buf_puts(&q->sql, "SELECT COUNT(*)");
		corm_q__render_from_where(q);
	}
	return run_scalar(out, q);
}

int corm_query_exists(bool *out, corm_query *q)
{
	int64_t v = 0;
	int error;

	corm_q__start_render(q);
	corm_buf_puts(&q->sql, "SELECT EXISTS (SELECT 1");
	corm_q__render_from_where(q);
	corm_buf_putc(&q->sql, ')');
	error = run_scalar(&v, q);
	if (!error)
		*out = v != 0;
	return error;
}

static int run_changes(int64_t *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int rc, error;

	if ((error = corm_q__prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	rc = corm_step(st);
	if (rc == CORM_DONE)
		error = corm_stmt_changes(out, st);
	else
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	return error;
}

/* The SQLite test that a sum in column `f` of the updated row fits the
 * field: SQLite stores an i16 sum past 32767 as is, turns an i64 that
 * overflows into a double, and a double into Inf, where the other
 * engines refuse with a range error. NULL + delta stays NULL. */
static void render_add_check(corm_query *q, const corm_field_desc *f,
	int field)
{
	static const char *const fits[] = {
		[CORM_C_I16] = " BETWEEN -32768 AND 32767 AND typeof(",
		[CORM_C_I32] = " BETWEEN -2147483648 AND 2147483647 AND typeof(",
		[CORM_C_I64] = " IS NOT NULL AND typeof(",
	};

	corm_buf_puts(&q->sql, "(");
	corm_q__col(q, field);
	corm_buf_puts(&q->sql, " IS NULL OR (");
	if (f->ctype == CORM_C_F32 || f->ctype == CORM_C_F64) {
		corm_buf_puts(&q->sql, "abs(");
		corm_q__col(q, field);
		corm_buf_puts(&q->sql, f->ctype == CORM_C_F32
			? ") <= 3.4028234663852886e38" : ") <= 1.7976931348623157e308");
	} else {
		corm_q__col(q, field);
		corm_buf_puts(&q->sql, fits[f->ctype]);
		corm_q__col(q, field);
		corm_buf_puts(&q->sql, ") = 'integer'");
	}
	corm_buf_puts(&q->sql, "))");
}

/*
 * SQLite: the UPDATE in a savepoint, RETURNING whether each updated
 * row's sums fit their fields; any that does not undoes the update and
 * answers CORM_ERANGE, as PostgreSQL and MariaDB do.
 */
static int run_checked_add(int64_t *out, corm_query *q)
{
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	int64_t rows = 0, ok = 1;
	int i, rc, error, n = 0;

	corm_buf_puts(&q->sql, " RETURNING ");
	for (i = 0; i < q->nsets; i++) {
		/* corm_decimal_add() checks its own sums. */
		if (!q->sets[i].add || q->m->fields[q->sets[i].field].coltype ==
			CORM_COL_DECIMAL)
			continue;
		if (n++)
			corm_buf_puts(&q->sql, " AND ");
		render_add_check(q, &q->m->fields[q->sets[i].field],
			q->sets[i].field);
	}
	if ((error = corm_tx_begin(q->db)) != CORM_OK)
		return error;
	if ((error = corm_q__prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	while ((rc = corm_step(st)) == CORM_ROW && ok) {
		if ((error = corm_column_int64(&ok, st, 0)) != CORM_OK)
			goto done;
		rows++;
	}
	if (!ok)
		error = corm_conn__set_error(q->db, CORM_ERANGE, NULL,
			"set_add on %s: a sum is out of its column's range",
			q->m->name);
	else if (rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	if (error)
		return corm_tx__rollback_keeping_error(q->db, error);
	if ((error = corm_tx_commit(q->db)) == CORM_OK)
		*out = rows;
	return error;
}

/*
 * SET col = col + delta on a decimal(P,S) column, exact on every engine;
 * the delta was checked against (P,S) and made canonical when bound.
 * SQLite keeps decimals as text, and its + would add them as doubles:
 * corm_decimal_add() (drivers/sqlite_decimal.c) adds the digits and
 * refuses a sum past (P,S). PostgreSQL and MariaDB add decimals exactly
 * and refuse a sum that does not fit the column (22003, 1264 in strict
 * mode): all three answer CORM_ERANGE and change nothing. P and S come
 * from the schema, not from the caller.
 */
static void render_decimal_add(corm_query *q, int field, const void *delta)
{
	const corm_field_desc *f = &q->m->fields[field];

	if (q->d->decimal_add_fn) {
		corm_buf_printf(&q->sql, "%s(", q->d->decimal_add_fn);
		corm_q__col(q, field);
		corm_buf_puts(&q->sql, ", ");
		corm_q__bind_field_value(q, field, delta);
		corm_buf_printf(&q->sql, ", %d, %d)", f->precision, f->scale);
		return;
	}
	corm_q__col(q, field);
	corm_buf_puts(&q->sql, " + CAST(");
	corm_q__bind_field_value(q, field, delta);
	corm_buf_puts(&q->sql, " AS ");
	corm_dialect_type(&q->sql, q->d, CORM_COL_DECIMAL, f->precision,
		f->scale);
	corm_buf_putc(&q->sql, ')');
}

/* A model with a @version field: every update moves the version on, so
 * optimistic writers who read the rows before see the change. */
static void render_version_bump(corm_query *q)
{
	int i, v = q->m->version_field;

	if (!q->m->has_version)
		return;
	for (i = 0; i < q->nsets; i++)
		if (q->sets[i].field == v)
			return; /* the caller sets it */
	corm_buf_puts(&q->sql, ", ");
	corm_q__col(q, v);
	corm_buf_puts(&q->sql, " = ");
	corm_q__col(q, v);
	corm_buf_puts(&q->sql, " + 1");
}

int corm_query_update(int64_t *out, corm_query *q)
{
	int i;

	if (q->nsets == 0)
		corm_q__fail(q, CORM_EINVAL, "update() with nothing to set");
	corm_q__start_render(q);
	corm_buf_puts(&q->sql, "UPDATE ");
	corm_dialect_quote(&q->sql, q->d, q->m->table);
	corm_buf_puts(&q->sql, " SET ");
	for (i = 0; i < q->nsets; i++) {
		if (i)
			corm_buf_puts(&q->sql, ", ");
		corm_q__col(q, q->sets[i].field);
		corm_buf_puts(&q->sql, " = ");
		if (q->sets[i].add &&
			q->m->fields[q->sets[i].field].coltype == CORM_COL_DECIMAL) {
			render_decimal_add(q, q->sets[i].field, q->sets[i].value);
			continue;
		}
		if (q->sets[i].add) {
			corm_q__col(q, q->sets[i].field);
			corm_buf_puts(&q->sql, " + ");
		}
		if (q->sets[i].value)
			corm_q__bind_field_value(q, q->sets[i].field, q->sets[i].value);
		else
			corm_buf_puts(&q->sql, "NULL");
	}
	render_version_bump(q);
	if (q->where) {
		corm_buf_puts(&q->sql, " WHERE ");
		corm_q__render_pred(q, q->where);
	}
	if (q->has_add && q->d->loose_column_types)
		return run_checked_add(out, q);
	return run_changes(out, q);
}

int corm_query_delete(int64_t *out, corm_query *q)
{
	corm_q__start_render(q);
	corm_buf_puts(&q->sql, "DELETE");
	corm_q__render_from_where(q);
	return run_changes(out, q);
}

int corm_query_next(void *row, corm_query *q)
{
	int rc, error;

	if (q->stream_done)
		return CORM_DONE;
	if (!q->stream) {
		corm_q__render_select(q);
		/* Dates and uuids bound as text live in the query's arena, for
		 * as long as the stream runs. */
		if ((error = corm_q__prepare(&q->stream, q, &q->arena)) != CORM_OK)
			return error;
		q->stream_checked = false;
		/* One row at a time from the server, in constant memory. */
		if ((error = corm_stmt_set_streaming(q->stream, true)) != CORM_OK)
			return error;
	}
	rc = corm_step(q->stream);
	if (rc == CORM_ROW) {
		/* No arena: the row's text and bytes point into the driver's
		 * buffers, which keep them until the stream's next step, that
		 * is until the next call here (or the query's free): as long
		 * as this row is promised to last. Nothing is copied. */
		error = read_row(row, q->stream, q, NULL, q->stream_checked);
		q->stream_checked = !error;
		return error ? error : CORM_ROW;
	}
	corm_stmt_free(q->stream);
	q->stream = NULL;
	q->stream_done = rc == CORM_DONE;
	return rc;
}

void corm_agg_rows_free(corm_agg_rows *rows)
{
	corm_arena_free(&rows->arena);
	rows->items = NULL;
	rows->count = 0;
}

int corm_query_aggregate(corm_agg_rows *out, corm_query *q, corm_agg fn,
	int field)
{
	static const char *const fns[] = {"MIN(", "MAX(", "SUM(", "AVG(",
		"COUNT("};
	corm_arena scratch = CORM_ARENA_INIT;
	corm_stmt *st = NULL;
	size_t cap = 0;
	int i, rc, error = CORM_OK;

	memset(out, 0, sizeof(*out));
	/* A bad field fails in corm_q__prepare(), with the rest. */
	corm_q__check_field(q, field);
	if (fn < CORM_AGG_MIN || fn > CORM_AGG_COUNT)
		corm_q__fail(q, CORM_EINVAL, "unknown aggregate function");
	if (q->error)
		return corm_q__prepare(&st, q, &scratch);
	corm_q__start_render(q);
	corm_buf_puts(&q->sql, "SELECT ");
	for (i = 0; i < q->ngroup; i++) {
		corm_q__col(q, q->group[i]);
		corm_buf_puts(&q->sql, ", ");
	}
	corm_buf_puts(&q->sql, fns[fn]);
	corm_q__col(q, field);
	corm_buf_putc(&q->sql, ')');
	corm_q__render_from_where(q);
	for (i = 0; i < q->ngroup; i++) {
		corm_buf_puts(&q->sql, i ? ", " : " GROUP BY ");
		corm_q__col(q, q->group[i]);
	}
	corm_q__render_order(q);
	corm_q__render_limit(q);
	if ((error = corm_q__prepare(&st, q, &scratch)) != CORM_OK)
		goto done;
	while ((rc = corm_step(st)) == CORM_ROW) {
		corm_agg_row *r;

		if (out->count == cap) {
			size_t ncap = cap ? cap * 2 : 16;
			corm_agg_row *p = corm_arena_alloc(&out->arena,
				ncap * sizeof(*p));

			if (!p) {
				error = corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
					"out of memory");
				goto done;
			}
			if (out->items)
				memcpy(p, out->items, out->count * sizeof(*p));
			out->items = p;
			cap = ncap;
		}
		r = &out->items[out->count];
		r->group = corm_arena_alloc(&out->arena, q->m->size);
		if (!r->group) {
			error = corm_conn__set_error(q->db, CORM_ENOMEM, NULL,
				"out of memory");
			goto done;
		}
		memset(r->group, 0, q->m->size);
		for (i = 0; i < q->ngroup && !error; i++)
			error = corm_model__read_field(st, i,
				&q->m->fields[q->group[i]], r->group, &out->arena);
		if (error)
			goto done;
		r->has_value = !corm_column_is_null(st, q->ngroup);
		r->value = 0;
		if (r->has_value &&
			(error = corm_column_double(&r->value, st, q->ngroup)) != CORM_OK)
			goto done;
		out->count++;
	}
	if (rc != CORM_DONE)
		error = rc < 0 ? rc : CORM_ERROR;
done:
	corm_stmt_free(st);
	corm_arena_free(&scratch);
	if (error)
		corm_agg_rows_free(out);
	return error;
}

const char *corm_query_sql(corm_query *q)
{
	corm_q__render_select(q);
	return q->error || corm_buf_error(&q->sql) ? NULL : corm_buf_cstr(&q->sql);
}
