/* expect: a text value compared with COUNT in HAVING */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_having(q, author_having_gt(q, author_agg_count(q),
		CORM_STR("3")));
}
