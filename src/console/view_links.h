/* view_links.h - the console's LinkExtractor(...) and the Link values it returns. */
#ifndef KUMO_CONSOLE_VIEW_LINKS_H
#define KUMO_CONSOLE_VIEW_LINKS_H

#include "console/view.h"

/* Register LinkExtractor as a name (after co_http_init(): it takes a Response view). */
void co_links_init(void);

#endif
