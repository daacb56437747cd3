/* feedexport.c - write scraped items to the feeds of the FEEDS setting (-o, -O). */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "core/spider.h"
#include "jobs/jobdb.h"
#include "pipeline/feed.h"

static void on_item(void *self, kumo_crawler *c, void *arg)
{
    kumo_feedset_write(self, arg);
}

/* A request's items are all out: put them in the files before it is recorded as done. */
static void on_processed(void *self, kumo_crawler *c, void *arg)
{
    kumo_feedset_flush(self);
}

/* Before the stats are dumped, as Scrapy's close_spider: "Stored ..." lines and counts. */
static void on_closed(void *self, kumo_crawler *c, void *arg)
{
    kumo_feedset_close(self);
}

/* Opens every feed now: a bad FEEDS entry stops the crawl before it starts. */
static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    kumo_feedset *fs;
    const kumo_map *args = c->spider ? &c->spider->args : NULL;
    const char *name = c->spider ? kumo_spider_name(c->spider) : c->def->name;
    const kumo_jobdb *job = kumo_job_of(c);
    int rc = kumo_feedset_new(&fs, kumo_settings_get(c->settings, "FEEDS"), c->settings, name,
                              args, c->stats, job && kumo_jobdb_resumed(job), NULL, err, errlen);
    if (rc != KUMO_OK)
        return rc;
    kumo_signal_connect(c->signals, KUMO_SIG_ITEM_SCRAPED, on_item, fs);
    kumo_signal_connect(c->signals, KUMO_SIG_REQUEST_PROCESSED, on_processed, fs);
    kumo_signal_connect(c->signals, KUMO_SIG_SPIDER_CLOSED, on_closed, fs);
    *self = fs;
    return KUMO_OK;
}

/* Free the feeds (any still open, if the spider never closed, close first). */
static void close_ext(void *self, kumo_crawler *c)
{
    kumo_feedset_free(self);
}

const kumo_ext_def kumo_ext_feedexport = {
    KUMO_EXT_HEADER,
    .name = "FeedExporter",
    .open = open_ext,
    .close = close_ext,
};
