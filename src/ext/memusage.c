/* memusage.c - the process's memory at start and its peak (memusage/startup, memusage/max). */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/stats.h"
#include <sys/resource.h>

/* Returns the peak resident set size of this process in bytes. */
static int64_t peak_rss(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (int64_t)ru.ru_maxrss * 1024;
}

static void opened(void *self, kumo_crawler *c, void *arg)
{
    kumo_stats_set_int(c->stats, "memusage/startup", peak_rss());
    kumo_stats_max(c->stats, "memusage/max", peak_rss());
}

static void closed(void *self, kumo_crawler *c, void *arg)
{
    kumo_stats_max(c->stats, "memusage/max", peak_rss());
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    if (!kumo_settings_bool(c->settings, "MEMUSAGE_ENABLED", true))
        return KUMO_EDECLINED;
    kumo_signal_connect(c->signals, KUMO_SIG_SPIDER_OPENED, opened, NULL);
    kumo_signal_connect(c->signals, KUMO_SIG_SPIDER_CLOSED, closed, NULL);
    *self = NULL;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
}

const kumo_ext_def kumo_ext_memusage = {"MemoryUsage", open_ext, close_ext};
