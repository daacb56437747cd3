/* memusage.c - MemoryUsage: RSS at start, peak and current, warning and limit (Scrapy's). */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/engine.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/stats.h"
#include "mem/memreport.h"
#include <event2/event.h>

#define LOGGER "kumo.extensions.memusage"
#define MIB (1024.0 * 1024.0)

typedef struct memusage {
    kumo_crawler *c;
    uint64_t limit, warning;    /* bytes; 0: off */
    double interval;            /* seconds; <= 0: only at open and close */
    bool warned, stopped;
    struct event *timer;
} memusage;

/* Current and peak RSS in bytes (0 when unknown). */
static void rss_read(uint64_t *now, uint64_t *peak)
{
    *now = kumo__rss_now();
    *peak = kumo__rss_peak();
    if (*peak < *now)
        *peak = *now;
}

/* memusage/max keeps the peak, memusage/current the last RSS seen; returns the peak. */
static uint64_t update(memusage *mu)
{
    uint64_t now, peak;
    rss_read(&now, &peak);
    kumo_crawler_stats_max(mu->c, "memusage/max", (int64_t)peak);
    kumo_crawler_stats_set_int(mu->c, "memusage/current", (int64_t)now);
    return peak;
}

/* Scrapy's _check_limit(): compares the peak, as Scrapy's ru_maxrss does. */
static void check_limit(memusage *mu, uint64_t peak)
{
    if (peak > mu->limit) {
        kumo_crawler_stats_set_int(mu->c, "memusage/limit_reached", 1);
        KUMO_ERROR(LOGGER, "Memory usage exceeded %lldMiB. Shutting down kumo...",
                   (long long)((double)mu->limit / MIB));
        mu->stopped = true;
        if (mu->timer)
            evtimer_del(mu->timer);
        kumo_crawler_close_spider(mu->c, "memusage_exceeded");
    } else {
        KUMO_INFO(LOGGER, "Peak memory usage is %lldMiB", (long long)((double)peak / MIB));
    }
}

/* Scrapy's _check_warning(): once. */
static void check_warning(memusage *mu, uint64_t peak)
{
    if (mu->warned || peak <= mu->warning)
        return;
    kumo_crawler_stats_set_int(mu->c, "memusage/warning_reached", 1);
    KUMO_WARN(LOGGER, "Memory usage reached %lldMiB", (long long)((double)mu->warning / MIB));
    mu->warned = true;
}

static void check(memusage *mu)
{
    if (mu->stopped)
        return;
    uint64_t peak = update(mu);
    if (mu->limit)
        check_limit(mu, peak);
    if (mu->warning)
        check_warning(mu, peak);
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
    check(arg);
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    memusage *mu = self;
    uint64_t now, peak;
    rss_read(&now, &peak);
    kumo_crawler_stats_set_int(c, "memusage/startup", (int64_t)now);
    check(mu);
    if (mu->interval > 0 && !mu->stopped) {
        struct timeval tv = {(time_t)mu->interval,
                             (suseconds_t)((mu->interval - (double)(time_t)mu->interval) * 1e6)};
        mu->timer = event_new(kumo_crawler_event_base(c), -1, EV_PERSIST, on_timer, mu);
        evtimer_add(mu->timer, &tv);
    }
}

static void closed(void *self, kumo_crawler *c, void *arg)
{
    memusage *mu = self;
    if (mu->timer)
        evtimer_del(mu->timer);
    update(mu);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    if (!kumo_crawler_setting_bool(c, "MEMUSAGE_ENABLED"))
        return KUMO_EDECLINED;
    int64_t limit = kumo_crawler_setting_int(c, "MEMUSAGE_LIMIT_MB");
    int64_t warning = kumo_crawler_setting_int(c, "MEMUSAGE_WARNING_MB");
    memusage *mu = kumo_calloc(1, sizeof(*mu), KUMO_T_STATS, KUMO_V_NONE);
    mu->c = c;
    mu->limit = limit > 0 ? (uint64_t)limit * 1024 * 1024 : 0;
    mu->warning = warning > 0 ? (uint64_t)warning * 1024 * 1024 : 0;
    mu->interval = kumo_crawler_setting_float(c, "MEMUSAGE_CHECK_INTERVAL_SECONDS");
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, opened, mu);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, closed, mu);
    *self = mu;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
    memusage *mu = self;
    if (mu->timer)
        event_free(mu->timer);
    kumo_free(mu);
}

const kumo_ext_def kumo__ext_memusage = {
    KUMO_EXT_HEADER,
    .name = "MemoryUsage",
    .open = open_ext,
    .close = close_ext,
};
