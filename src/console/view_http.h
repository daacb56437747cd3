/* view_http.h - console views of requests, responses, selectors and items. */
#ifndef KUMO_CONSOLE_VIEW_HTTP_H
#define KUMO_CONSOLE_VIEW_HTTP_H

#include "console/view.h"

/* Register the views of Request, Response, Item, Selector and SelectorList, and their
 * classes as names (after cn_init()).  Call before co_crawl_init(): help() lists the
 * classes in registration order. */
void co_http_init(void);

#endif
