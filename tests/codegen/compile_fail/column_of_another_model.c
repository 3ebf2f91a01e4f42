/* expect: a column of post in a query on author */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_where(q, author_eq(q, POST_TITLE, CORM_STR("Hello")));
}
