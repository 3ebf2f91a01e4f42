/* expect: a text value for a double column */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_where(q, author_gt(q, AUTHOR_KARMA, CORM_STR("ten")));
}
