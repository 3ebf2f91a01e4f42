/* expect: a predicate built for post given to an author query */
#include "blog.h"

void use(author_query *q, post_query *pq);

void use(author_query *q, post_query *pq)
{
	author_where(q, post_eq(pq, POST_ID, 1));
}
