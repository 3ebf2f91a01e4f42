/* expect: ordering an author query by a post column */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_order_by(q, POST_ID, CORM_ASC);
}
