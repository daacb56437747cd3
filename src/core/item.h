/* item.h - the Item object (tracked, reference counted). */
#ifndef KUMO_ITEM_INT_H
#define KUMO_ITEM_INT_H

#include "kumo-int.h"

struct kumo_item {
    kumo_ref ref;
    unsigned refcount;
    kumo_map fields;
};

#endif
