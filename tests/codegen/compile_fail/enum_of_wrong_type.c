/* expect: a text value for an enum column */
#include "blog.h"

void use(post_query *q);

void use(post_query *q)
{
	post_where(q, post_eq(q, POST_STATUS, CORM_STR("draft")));
}
