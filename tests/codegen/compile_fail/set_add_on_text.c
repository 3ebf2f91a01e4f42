/* expect: adding to a text column */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_set_add(q, AUTHOR_NAME, 1);
}
