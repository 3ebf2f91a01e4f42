/* expect: SUM of a text column */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_agg_sum(q, AUTHOR_NAME);
}
