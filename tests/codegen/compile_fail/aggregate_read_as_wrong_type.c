/* expect: MAX of a timestamp read as an integer */
#include "blog.h"

int64_t use(post_query *q, const corm_agg_group *row);

int64_t use(post_query *q, const corm_agg_group *row)
{
	post_agg_timestamp last = post_agg_max(q, POST_PUBLISHED_AT);
	int64_t v = post_agg_get(row, last);

	return v;
}
