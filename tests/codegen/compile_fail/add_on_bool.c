/* expect: adding to a bool column of one row */
#include "blog.h"

int use(corm_conn *db);

int use(corm_conn *db)
{
	return author_add(db, 1, AUTHOR_ACTIVE, 1);
}
