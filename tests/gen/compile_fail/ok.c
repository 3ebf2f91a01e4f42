/* The control: correct use compiles, so the failures below fail for the
 * reason each one names, not for a broken include path. */
#include "blog.h"

void use(author_query *q, post_query *pq);

void use(author_query *q, post_query *pq)
{
	author_where(q, author_and(q, author_gt(q, AUTHOR_KARMA, 10.0),
		author_starts_with(q, AUTHOR_EMAIL, CORM_STR("ann"))));
	author_order_by(q, AUTHOR_NAME, CORM_DESC);
	post_where(pq, post_eq(pq, POST_STATUS, POST_STATUS_DRAFT));
	author_set_add(q, AUTHOR_KARMA, 1.5);
	author_for_update(q);
}

int use_add(corm_conn *db);

int use_add(corm_conn *db)
{
	return author_add(db, 1, AUTHOR_KARMA, -2.0);
}
