/* view_heap.h - console views of kumo's heap: trackref, hpy, mem() and trim(). */
#ifndef KUMO_CONSOLE_VIEW_HEAP_H
#define KUMO_CONSOLE_VIEW_HEAP_H

#include "console/view.h"

/* Register prefs(), print_live_refs(), format_live_refs(), get_oldest(), iter_all(), hpy,
 * mem() and trim() as names (after cn_init()). */
void co_heap_init(void);

#endif
