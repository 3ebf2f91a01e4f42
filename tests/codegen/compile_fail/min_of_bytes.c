/* expect: MIN of a bytes column */
#include "blog.h"

void use(post_query *q);

void use(post_query *q)
{
	post_agg_min(q, POST_COVER);
}
