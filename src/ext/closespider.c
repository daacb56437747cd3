/* closespider.c - close the spider after a time, or N items, pages or errors. */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/settings.h"
#include "core/signals.h"
#include <event2/event.h>

typedef struct closespider {
    kumo_crawler *c;
    double timeout;
    int64_t itemcount, pagecount, errorcount;
    int64_t items, pages, errors;
    struct event *timer;
} closespider;

static void on_timeout(evutil_socket_t fd, short what, void *arg)
{
    closespider *cs = arg;
    kumo_crawler_close_spider(cs->c, "closespider_timeout");
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    closespider *cs = self;
    if (cs->timeout <= 0)
        return;
    cs->timer = evtimer_new(kumo_crawler_event_base(c), on_timeout, cs);
    struct timeval tv = {(time_t)cs->timeout,
                         (suseconds_t)((cs->timeout - (time_t)cs->timeout) * 1e6)};
    evtimer_add(cs->timer, &tv);
}

static void count(kumo_crawler *c, int64_t *n, int64_t limit, const char *reason)
{
    if (limit > 0 && ++*n >= limit)
        kumo_crawler_close_spider(c, reason);
}

static void on_item(void *self, kumo_crawler *c, void *arg)
{
    closespider *cs = self;
    count(c, &cs->items, cs->itemcount, "closespider_itemcount");
}

static void on_page(void *self, kumo_crawler *c, void *arg)
{
    closespider *cs = self;
    count(c, &cs->pages, cs->pagecount, "closespider_pagecount");
}

static void on_error(void *self, kumo_crawler *c, void *arg)
{
    closespider *cs = self;
    count(c, &cs->errors, cs->errorcount, "closespider_errorcount");
}

static void closed(void *self, kumo_crawler *c, void *arg)
{
    closespider *cs = self;
    if (cs->timer)
        evtimer_del(cs->timer);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    closespider cfg = {
        .c = c,
        .timeout = kumo_crawler_setting_float(c, "CLOSESPIDER_TIMEOUT"),
        .itemcount = kumo_crawler_setting_int(c, "CLOSESPIDER_ITEMCOUNT"),
        .pagecount = kumo_crawler_setting_int(c, "CLOSESPIDER_PAGECOUNT"),
        .errorcount = kumo_crawler_setting_int(c, "CLOSESPIDER_ERRORCOUNT"),
    };
    if (cfg.timeout <= 0 && cfg.itemcount <= 0 && cfg.pagecount <= 0 && cfg.errorcount <= 0)
        return KUMO_EDECLINED;
    closespider *cs = kumo_alloc(sizeof(*cs), KUMO_T_OTHER, KUMO_V_NONE);
    *cs = cfg;
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, opened, cs);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, closed, cs);
    kumo_crawler_connect(c, KUMO_SIGNAL_ITEM_SCRAPED, on_item, cs);
    kumo_crawler_connect(c, KUMO_SIGNAL_RESPONSE_RECEIVED, on_page, cs);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_ERROR, on_error, cs);
    *self = cs;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
    closespider *cs = self;
    if (cs->timer)
        event_free(cs->timer);
    kumo_free(cs);
}

const kumo_ext_def kumo__ext_closespider = {
    KUMO_EXT_HEADER,
    .name = "CloseSpider",
    .open = open_ext,
    .close = close_ext,
};
