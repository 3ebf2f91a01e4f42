/* expect: a C string for an integer column */
#include "blog.h"

void use(author_query *q);

void use(author_query *q)
{
	author_where(q, author_eq(q, AUTHOR_ID, "42"));
}
