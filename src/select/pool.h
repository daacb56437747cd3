/* pool.h - callback pools: selectors made while a callback runs die when it returns. */
#ifndef KUMO_POOL_H
#define KUMO_POOL_H

#include "kumo-int.h"

/* Returns the current depth of the pool: pass it to kumo__pool_drain() later. */
size_t kumo__pool_mark(void);

/* The pool takes ownership of one reference to obj (a Selector or SelectorList). */
void kumo__pool_add(kumo_ref *obj);

/* Release every object added since mark (newest first). */
void kumo__pool_drain(size_t mark);

#endif
