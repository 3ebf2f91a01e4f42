/* expect: a post predicate given where the author filter wants an author's */
#include "blog.h"

void use(post_query *q);

void use(post_query *q)
{
	post_where(q, post_author_has(q, post_eq(q, POST_ID, 1)));
}
