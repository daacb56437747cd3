/* memdebug.c - MemoryDebugger: memdebug/live_refs/<Class> in the stats when the spider closes. */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/stats.h"

/*
 * Scrapy's spider_closed() also runs gc.collect() and records memdebug/gc_garbage_count
 * (len(gc.garbage), cycles Python could not free).  kumo has no cycle collector and no
 * garbage list, so there is nothing to count: that stat is left out.
 */
static void closed(void *self, kumo_crawler *c, void *arg)
{
    size_t n;
    kumo_refs_row *rows = kumo__refs_snapshot(&n);
    for (size_t i = 0; i < n; i++) {
        if (!rows[i].live)
            continue;
        char key[256];
        snprintf(key, sizeof(key), "memdebug/live_refs/%s", rows[i].cls->name);
        kumo_crawler_stats_set_int(c, key, (int64_t)rows[i].live);
    }
    kumo_free(rows);
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    if (!kumo_crawler_setting_bool(c, "MEMDEBUG_ENABLED"))
        return KUMO_EDECLINED;
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, closed, NULL);
    *self = NULL;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
}

const kumo_ext_def kumo__ext_memdebug = {
    KUMO_EXT_HEADER,
    .name = "MemoryDebugger",
    .open = open_ext,
    .close = close_ext,
};
