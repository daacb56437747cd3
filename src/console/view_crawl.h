/* view_crawl.h - console views of the crawl: spider, engine, stats, settings, crawler. */
#ifndef KUMO_CONSOLE_VIEW_CRAWL_H
#define KUMO_CONSOLE_VIEW_CRAWL_H

#include "console/view.h"

/* Register the Spider view, the crawl's names (est(), engine, spider, crawler, stats,
 * settings) and the Spider class (after co_http_init()). */
void co_crawl_init(void);

/* The crawl's objects (new references); each raises "RuntimeError: no crawl is running"
 * without one. */
cval *co_engine(cv_ctx *c);
cval *co_stats(cv_ctx *c);
cval *co_settings(cv_ctx *c);
cval *co_spider(cv_ctx *c);
cval *co_crawler(cv_ctx *c);

#endif
