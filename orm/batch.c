/*
 * batch.c — independent lookups by key, queued and run together
 * (corm/batch.h).
 *
 * Where the driver can run many executions in one go (run_batch:
 * PostgreSQL's pipeline), every item's key is bound here into parameter
 * arrays and the driver sends them all at once; each answer is read into
 * its row through the same decoding as corm_model_get(). Elsewhere each
 * item simply is a corm_model_get(), so the answers are those of the
 * single lookups by construction.
 *
 * Sections: items, running, answers.
 */
#include <stdio.h>
#include <string.h>

#include "corm/batch.h"
#include "internal.h"
#include "corm_util.h"

typedef struct batch_item {
	const corm_model_desc *m;
	void *out;
	corm_arena *arena;
	void *key;           /* a copy of the caller's key, in batch->keys */
	int status;          /* the last run's answer */
	const char *msg;     /* its message, in batch->msgs; NULL when OK */
	char native[16];     /* the engine's code for it */
} batch_item;

struct corm_batch {
	corm_conn *db;
	batch_item *items;
	size_t n, cap;
	corm_arena keys;     /* key copies and their text and bytes */
	corm_arena msgs;     /* error messages of the last run */
	int add_error;       /* the first corm_batch_get() that failed */
	char add_msg[256];
};

/* What an item that has not run answers. */
#define NOT_RUN CORM_EINVAL

#define FIELD(row, f) ((const char *)(row) + (f)->offset)

/* ------------------------------------------------------------------- items */

int corm_batch_new(corm_batch **out, corm_conn *db)
{
	corm_batch *b;

	if (!out)
		return CORM_EINVAL;
	*out = NULL;
	if (!db)
		return CORM_EINVAL;
	if (!(b = corm_calloc(1, sizeof(*b))))
		return corm_conn__set_error(db, CORM_ENOMEM, NULL, "out of memory");
	b->db = db;
	*out = b;
	return CORM_OK;
}

void corm_batch_clear(corm_batch *b)
{
	if (!b)
		return;
	b->n = 0;
	b->add_error = CORM_OK;
	b->add_msg[0] = '\0';
	corm_arena_reset(&b->keys);
	corm_arena_free(&b->msgs);
}

void corm_batch_free(corm_batch *b)
{
	if (!b)
		return;
	corm_arena_free(&b->keys);
	corm_arena_free(&b->msgs);
	corm_free(b->items);
	corm_free(b);
}

/* Remember the first failed add for corm_batch_run(), and report it. */
static int add_failed(corm_batch *b, int code, const char *msg)
{
	if (b->add_error == CORM_OK) {
		b->add_error = code;
		snprintf(b->add_msg, sizeof(b->add_msg), "%s", msg);
	}
	return corm_conn__set_error(b->db, code, NULL, "%s", msg);
}

/* A copy of `key` whose key text and bytes are the batch's own. The
 * other fields are copied as they are and never read. */
static void *copy_key(corm_batch *b, const corm_model_desc *m,
	const void *key)
{
	char *copy = corm_arena_alloc(&b->keys, m->size);
	int i;

	if (!copy)
		return NULL;
	memcpy(copy, key, m->size);
	for (i = 0; i < m->npk; i++) {
		const corm_field_desc *f = &m->fields[m->pk[i]];
		/* corm_bytes has corm_str's shape */
		corm_str *s = (corm_str *)(copy + f->offset);

		if ((f->ctype != CORM_C_STR && f->ctype != CORM_C_BYTES) || !s->ptr)
			continue;
		/* strndup: an empty value keeps a non-NULL pointer */
		s->ptr = corm_arena_strndup(&b->keys, s->ptr, s->len);
		if (!s->ptr)
			return NULL;
	}
	return copy;
}

int corm_batch_get(void *out, corm_batch *b, const corm_model_desc *m,
	const void *key, corm_arena *arena)
{
	batch_item *it;

	if (!b)
		return CORM_EINVAL;
	if (!out || !m || !key || !arena)
		return add_failed(b, CORM_EINVAL,
			"corm_batch_get: out, model, key and arena must not be NULL");
	if (b->n == b->cap) {
		batch_item *p = corm__grow(b->items, &b->cap, b->n + 1,
			sizeof(*p));

		if (!p)
			return add_failed(b, CORM_ENOMEM, "out of memory");
		b->items = p;
	}
	it = &b->items[b->n];
	memset(it, 0, sizeof(*it));
	it->m = m;
	it->out = out;
	it->arena = arena;
	it->status = NOT_RUN;
	if (!(it->key = copy_key(b, m, key)))
		return add_failed(b, CORM_ENOMEM, "out of memory");
	b->n++;
	return CORM_OK;
}

size_t corm_batch_count(const corm_batch *b)
{
	return b ? b->n : 0;
}

int corm_batch_status(const corm_batch *b, size_t i)
{
	if (!b || i >= b->n)
		return CORM_EINVAL;
	return b->items[i].status;
}

const char *corm_batch_errmsg(const corm_batch *b, size_t i)
{
	if (!b || i >= b->n || !b->items[i].msg)
		return "";
	return b->items[i].msg;
}

/* ----------------------------------------------------------------- answers */

/* Item `it` answered `code`; an error's message is the connection's. */
static void answer_item(corm_batch *b, batch_item *it, int code)
{
	const char *msg = corm_errmsg(b->db);

	it->status = code;
	if (code == CORM_OK)
		return;
	snprintf(it->native, sizeof(it->native), "%s",
		corm_errcode_native(b->db));
	it->msg = corm_arena_strndup(&b->msgs, msg, strlen(msg));
	if (!it->msg)
		it->msg = "out of memory (keeping this item's message)";
}

/* Every item from `from` on that has no answer yet gets `code`, with the
 * connection's message (a lost connection, no memory). */
static void answer_rest(corm_batch *b, size_t from, int code)
{
	size_t i;

	for (i = from; i < b->n; i++)
		if (b->items[i].status == NOT_RUN)
			answer_item(b, &b->items[i], code);
}

/* ----------------------------------------------------------------- running */

/* One after another, as corm_model_get(): drivers without run_batch. */
static void run_each(corm_batch *b)
{
	size_t i;

	for (i = 0; i < b->n; i++) {
		batch_item *it = &b->items[i];
		int rc = corm_model_get(it->out, b->db, it->m, it->key, it->arena);

		answer_item(b, it, rc);
		if (rc == CORM_ECONNLOST) {
			answer_rest(b, i + 1, rc);
			return;
		}
	}
}

/* A statement per model in the batch, shared by its items. */
typedef struct model_stmt {
	const corm_model_desc *m;
	corm_stmt *st;
	int error; /* preparing it failed: every item of the model gets it */
} model_stmt;

typedef struct pipeline {
	corm_batch *b;
	corm_batch_exec *execs;
	size_t *item_of;     /* execs[i] runs items[item_of[i]] */
	size_t nexecs;
	corm_value *params;  /* every execution's parameters, back to back */
	model_stmt *stmts;
	size_t nstmts;
	corm_arena scratch;  /* key text made here (dates, uuids) */
} pipeline;

static void pipeline_answer(void *ctx, size_t i, int rc)
{
	pipeline *p = ctx;
	batch_item *it = &p->b->items[p->item_of[i]];

	if (rc == CORM_OK)
		rc = corm_model__read_found(it->out, p->execs[i].stmt, it->m,
			it->arena);
	answer_item(p->b, it, rc);
}

/* The model's cached get statement, prepared on its first item. */
static model_stmt *stmt_for(pipeline *p, const corm_model_desc *m)
{
	corm_conn *db = p->b->db;
	const corm_model_sql *sql = corm_model__sql(db, m, NULL);
	model_stmt *ms;
	size_t i;

	for (i = 0; i < p->nstmts; i++)
		if (p->stmts[i].m == m)
			return &p->stmts[i];
	ms = &p->stmts[p->nstmts++];
	ms->m = m;
	ms->st = NULL;
	if ((ms->error = corm_model__check_desc(db, m)) != CORM_OK)
		return ms;
	if (!sql || !sql->get)
		ms->error = corm_conn__set_error(db, CORM_EUNSUPPORTED, NULL,
			"model %s has no get statement for %s", m->name,
			corm_conn_driver_name(db));
	else if ((ms->error = corm_stmt_cached(&ms->st, db, sql->get)) ==
		CORM_OK && ms->st->nparams != m->npk)
		ms->error = corm_conn__set_error(db, CORM_EINVAL, NULL,
			"model %s: its get statement takes %d parameters, not %d",
			m->name, ms->st->nparams, m->npk);
	return ms;
}

/*
 * The item's key as parameter values, through the statement's binding
 * (the same checks and conversions as corm_model_get()), copied out so
 * the next item can bind the same statement.
 */
static int bind_key(pipeline *p, const batch_item *it, corm_stmt *st,
	corm_value *params)
{
	int i, error;

	for (i = 0; i < it->m->npk; i++) {
		const corm_field_desc *f = &it->m->fields[it->m->pk[i]];

		/* Key fields are never nullable (the schema refuses it). */
		if ((error = corm_model__check_text(st->conn, f,
			     FIELD(it->key, f))) != CORM_OK ||
			(error = corm_model__bind_value(st, i + 1, f,
				 FIELD(it->key, f), &p->scratch)) != CORM_OK)
			return error;
	}
	memcpy(params, st->params, (size_t)it->m->npk * sizeof(*params));
	return CORM_OK;
}

static int run_pipelined(corm_batch *b)
{
	corm_conn *db = b->db;
	pipeline p = {b, NULL, NULL, 0, NULL, NULL, 0, CORM_ARENA_INIT};
	size_t i, nparams = 0, at = 0;
	int error = CORM_OK;

	for (i = 0; i < b->n; i++)
		nparams += (size_t)b->items[i].m->npk;
	p.execs = corm_calloc(b->n, sizeof(*p.execs));
	p.item_of = corm_calloc(b->n, sizeof(*p.item_of));
	p.stmts = corm_calloc(b->n, sizeof(*p.stmts));
	p.params = corm_calloc(nparams ? nparams : 1, sizeof(*p.params));
	if (!p.execs || !p.item_of || !p.stmts || !p.params) {
		error = corm_conn__set_error(db, CORM_ENOMEM, NULL, "out of memory");
		answer_rest(b, 0, error);
		goto done;
	}
	for (i = 0; i < b->n; i++) {
		batch_item *it = &b->items[i];
		model_stmt *ms = stmt_for(&p, it->m);
		int rc = ms->error;

		if (rc == CORM_OK)
			rc = bind_key(&p, it, ms->st, &p.params[at]);
		if (rc == CORM_ECONNLOST) {
			answer_rest(b, 0, rc);
			goto done;
		}
		if (rc != CORM_OK) {
			answer_item(b, it, rc); /* a bad key fails alone */
			continue;
		}
		p.execs[p.nexecs] = (corm_batch_exec){ms->st, &p.params[at]};
		p.item_of[p.nexecs++] = i;
		at += (size_t)it->m->npk;
	}
	if (p.nexecs)
		(void)db->driver->run_batch(db, p.execs, p.nexecs, pipeline_answer,
			&p);
done:
	for (i = 0; i < p.nstmts; i++)
		corm_stmt_free(p.stmts[i].st);
	corm_free(p.execs);
	corm_free(p.item_of);
	corm_free(p.stmts);
	corm_free(p.params);
	corm_arena_free(&p.scratch);
	return error;
}

int corm_batch_run(corm_batch *b)
{
	corm_conn *db;
	size_t i;

	if (!b)
		return CORM_EINVAL;
	db = b->db;
	corm_conn__begin_call(db);
	if (b->add_error != CORM_OK)
		return corm_conn__set_error(db, b->add_error, NULL,
			"a lookup could not be queued, so the batch was not run: %s",
			b->add_msg);
	corm_arena_free(&b->msgs);
	for (i = 0; i < b->n; i++) {
		b->items[i].status = NOT_RUN;
		b->items[i].msg = NULL;
		b->items[i].native[0] = '\0';
	}
	if (b->n == 0)
		return CORM_OK;
	if (db->driver->version >= 2 && db->driver->run_batch)
		(void)run_pipelined(b);
	else
		run_each(b);

	/* The first failure, in queue order, is the run's answer. */
	for (i = 0; i < b->n; i++) {
		const batch_item *it = &b->items[i];

		if (it->status != CORM_OK && it->status != CORM_ENOTFOUND)
			return corm_conn__set_error(db, it->status,
				it->native[0] ? it->native : NULL, "%s",
				it->msg ? it->msg : corm_strerror(it->status));
	}
	corm_conn__clear_error(db);
	return CORM_OK;
}
