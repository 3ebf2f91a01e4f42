/*
 * load.c — the producer's entry points (schema.h): parse a .corm text
 * into the IR (lexer -> parser -> lowering) and format it (parser ->
 * printer). The IR itself (ir.c) knows nothing of how it was made.
 */
#include <string.h>

#include "corm/corm.h"
#include "corm/driver.h"
#include "internal.h"

/* ------------------------------------------------------------ entry points */

static void ctx_init(cg_ctx *c, corm_diags *diags, corm_diags *own,
	const char *src, size_t len)
{
	memset(c, 0, sizeof(*c));
	c->diags = diags ? diags : own;
	c->src = src ? src : "";
	c->len = src ? len : 0;
}

/* Parse (and, when `lower_it`, build the IR). */
static int run(corm_schema **out_schema, cg_file **out_file, cg_ctx *c)
{
	cg_file *f = cg_parse(c);
	corm_schema *s = NULL;

	if (f && !c->oom && !c->stop)
		s = cg_lower(c, f);
	cg_diags_sort(c->diags);
	if (c->oom) {
		corm_schema_free(s);
		return CORM_ENOMEM;
	}
	if (c->diags->nerrors > 0 || !s) {
		corm_schema_free(s);
		return CORM_EINVAL;
	}
	*out_schema = s;
	if (out_file)
		*out_file = f;
	return CORM_OK;
}

int corm_schema_parse(corm_schema **out, corm_diags *diags, const char *src,
	size_t len)
{
	corm_diags own = CORM_DIAGS_INIT;
	cg_ctx c;
	int rc;

	*out = NULL;
	ctx_init(&c, diags, &own, src, len);
	rc = run(out, NULL, &c);
	corm_arena_free(&c.arena);
	corm_diags_free(&own);
	return rc;
}

int corm_schema_format(char **out, size_t *out_len, corm_diags *diags,
	const char *src, size_t len)
{
	corm_diags own = CORM_DIAGS_INIT;
	corm_schema *s = NULL;
	cg_file *f = NULL;
	corm_buf b = CORM_BUF_INIT;
	cg_ctx c;
	int rc;

	*out = NULL;
	if (out_len)
		*out_len = 0;
	ctx_init(&c, diags, &own, src, len);
	rc = run(&s, &f, &c);
	if (rc == CORM_OK) {
		rc = cg_print(&b, f);
		if (rc == CORM_OK) {
			size_t n = b.len;

			*out = corm_buf_detach(&b); /* "" when empty */
			if (!*out)
				rc = CORM_ENOMEM;
			else if (out_len)
				*out_len = n;
		} else {
			rc = CORM_ENOMEM;
		}
	}
	corm_buf_free(&b);
	corm_schema_free(s);
	corm_arena_free(&c.arena);
	corm_diags_free(&own);
	return rc;
}
