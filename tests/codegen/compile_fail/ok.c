/* The control: correct use compiles, so the failures below fail for the
 * reason each one names, not for a broken include path. */
#include "blog.h"

void use(author_query *q, post_query *pq);

void use(author_query *q, post_query *pq)
{
	author_agg_list rows;
	author_agg_f64 karma;
	author_agg_i64 n;
	post_agg_timestamp last;

	author_where(q, author_and(q, author_gt(q, AUTHOR_KARMA, 10.0),
		author_starts_with(q, AUTHOR_EMAIL, CORM_STR("ann"))));
	author_order_by(q, AUTHOR_NAME, CORM_DESC);
	post_where(pq, post_eq(pq, POST_STATUS, POST_STATUS_DRAFT));

	author_group_by(q, AUTHOR_ACTIVE);
	n = author_agg_count(q);
	karma = author_agg_sum(q, AUTHOR_KARMA);
	author_having(q, author_having_gt(q, n, 2));
	author_order_by_agg(q, karma, CORM_DESC);
	if (author_query_aggregates(&rows, q) == CORM_OK) {
		double sum = author_agg_get(&rows.items[0], karma);
		corm_str name_min;

		(void)sum;
		(void)author_agg_group(&rows.items[0])->active;
		(void)author_agg_is_null(&rows.items[0], n);
		name_min = author_agg_get(&rows.items[0],
			author_agg_min(q, AUTHOR_NAME));
		(void)name_min;
		author_agg_list_free(&rows);
	}
	last = post_agg_max(pq, POST_PUBLISHED_AT);
	post_having(pq, post_having_ge(pq, last, corm_timestamp_now()));
	author_set_add(q, AUTHOR_KARMA, 1.5);
	author_for_update(q);
}

int use_add(corm_conn *db);

int use_add(corm_conn *db)
{
	return author_add(db, 1, AUTHOR_KARMA, -2.0);
}
