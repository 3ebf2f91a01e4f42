/* expect: a post aggregate read from an author result */
#include "blog.h"

int64_t use(post_query *pq, const corm_agg_group *row);

int64_t use(post_query *pq, const corm_agg_group *row)
{
	return author_agg_get(row, post_agg_count(pq));
}
