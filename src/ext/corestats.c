/* corestats.c - start/finish time, finish reason, elapsed time, counts, log_count/LEVEL. */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/signals.h"
#include "core/stats.h"
#include <time.h>

typedef struct corestats {
    double start;
} corestats;

static void now_str(char *buf, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(buf, n, "%Y-%m-%d %H:%M:%S", &tm);
    snprintf(buf + k, n - k, ".%06ld", ts.tv_nsec / 1000);
}

static void on_log(void *ctx, kumo_loglevel level)
{
    kumo_crawler *c = ctx;
    char key[32];
    snprintf(key, sizeof(key), "log_count/%s", kumo__log_level_name(level));
    kumo_crawler_stats_inc(c, key, 1);
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    corestats *cs = self;
    char t[64];
    now_str(t, sizeof(t));
    cs->start = kumo_now();
    kumo_crawler_stats_set_str(c, "start_time", t);
}

static void closed(void *self, kumo_crawler *c, void *arg)
{
    corestats *cs = self;
    char t[64];
    now_str(t, sizeof(t));
    kumo_crawler_stats_set_str(c, "finish_time", t);
    kumo_crawler_stats_set_str(c, "finish_reason", arg);
    kumo_crawler_stats_set_float(c, "elapsed_time_seconds", kumo_now() - cs->start);
}

static void scraped(void *self, kumo_crawler *c, void *arg)
{
    kumo_crawler_stats_inc(c, "item_scraped_count", 1);
}

static void dropped(void *self, kumo_crawler *c, void *arg)
{
    kumo_crawler_stats_inc(c, "item_dropped_count", 1);
}

static void received(void *self, kumo_crawler *c, void *arg)
{
    kumo_crawler_stats_inc(c, "response_received_count", 1);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    corestats *cs = kumo_calloc(1, sizeof(*cs), KUMO_T_STATS, KUMO_V_NONE);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_OPENED, opened, cs);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, closed, cs);
    kumo_crawler_connect(c, KUMO_SIGNAL_ITEM_SCRAPED, scraped, cs);
    kumo_crawler_connect(c, KUMO_SIGNAL_ITEM_DROPPED, dropped, cs);
    kumo_crawler_connect(c, KUMO_SIGNAL_RESPONSE_RECEIVED, received, cs);
    kumo__log_set_hook(on_log, c);
    *self = cs;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
    kumo__log_set_hook(NULL, NULL);
    kumo_free(self);
}

const kumo_ext_def kumo__ext_corestats = {
    KUMO_EXT_HEADER,
    .name = "CoreStats",
    .open = open_ext,
    .close = close_ext,
};
