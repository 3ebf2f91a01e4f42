/*
 * driver.h — the driver interface, under the name DESIGN.md gives it
 * ("drivers sit behind one vtable (corm/driver.h)"). It lives in
 * corm/sys/driver.h, apart from the application headers; the allocator
 * is in corm/alloc.h.
 */
#ifndef CORM_DRIVER_H
#define CORM_DRIVER_H

#include "sys/driver.h"

#endif /* CORM_DRIVER_H */
