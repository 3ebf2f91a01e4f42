/* expect: a column the model does not have */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_where(q, author_eq(q, AUTHOR_NICKNAME, CORM_STR("x")));
}
