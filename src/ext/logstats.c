/* logstats.c - "Crawled N pages (at N pages/min), scraped N items (at N items/min)". */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/stats.h"
#include <event2/event.h>

typedef struct logstats {
    kumo_crawler *c;
    struct event *timer;
    double interval;
    int64_t pages_prev, items_prev;
} logstats;

static void log_line(logstats *ls)
{
    int64_t pages = kumo_crawler_stats_get_int(ls->c, "response_received_count", 0);
    int64_t items = kumo_crawler_stats_get_int(ls->c, "item_scraped_count", 0);
    double mult = 60.0 / ls->interval;
    KUMO_INFO("kumo.extensions.logstats",
              "Crawled %lld pages (at %lld pages/min), scraped %lld items (at %lld items/min)",
              (long long)pages, (long long)((double)(pages - ls->pages_prev) * mult),
              (long long)items, (long long)((double)(items - ls->items_prev) * mult));
    ls->pages_prev = pages;
    ls->items_prev = items;
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    log_line(arg);
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    logstats *ls = self;
    log_line(ls);
    struct timeval tv = {(time_t)ls->interval,
                         (suseconds_t)((ls->interval - (time_t)ls->interval) * 1e6)};
    ls->timer = event_new(kumo_crawler_event_base(c), -1, EV_PERSIST, on_timer, ls);
    evtimer_add(ls->timer, &tv);
}

static void closed(void *self, kumo_crawler *c, void *arg)
{
    logstats *ls = self;
    if (ls->timer)
        evtimer_del(ls->timer);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    double interval = kumo_crawler_setting_float(c, "LOGSTATS_INTERVAL");
    if (interval <= 0)
        return KUMO_EDECLINED;
    logstats *ls = kumo_calloc(1, sizeof(*ls), KUMO_T_STATS, KUMO_V_NONE);
    ls->c = c;
    ls->interval = interval;
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, opened, ls);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, closed, ls);
    *self = ls;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
    logstats *ls = self;
    if (ls->timer)
        event_free(ls->timer);
    kumo_free(ls);
}

const kumo_ext_def kumo__ext_logstats = {
    KUMO_EXT_HEADER,
    .name = "LogStats",
    .open = open_ext,
    .close = close_ext,
};
