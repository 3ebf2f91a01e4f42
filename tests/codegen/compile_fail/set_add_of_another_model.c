/* expect: a column of post in set_add on author */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_set_add(q, POST_AUTHOR_ID, 1);
}
