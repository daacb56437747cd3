/* feedexport.c - write scraped items to the feeds of the FEEDS setting (-o, -O). */
#include "ext/ext.h"
#include "pipeline/feed.h"

static void on_item(void *self, kumo_crawler *c, void *arg)
{
    kumo__feedset_write(self, arg);
}

/* A request's items are all out: put them in the files before it is recorded as done. */
static void on_processed(void *self, kumo_crawler *c, void *arg)
{
    kumo__feedset_flush(self);
}

/* Before the stats are dumped, as Scrapy's close_spider: "Stored ..." lines and counts. */
static void on_closed(void *self, kumo_crawler *c, void *arg)
{
    kumo__feedset_close(self);
}

/* Opens every feed now: a bad FEEDS entry stops the crawl before it starts. */
static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    kumo_feedset *fs;
    kumo_spider *sp = kumo_crawler_spider(c);
    const kumo_map *args = sp ? kumo_spider_args(sp) : NULL;
    const char *name = sp ? kumo_spider_name(sp) : "";    /* there is one whenever a def is */
    int rc = kumo__feedset_new(&fs, kumo_crawler_setting(c, "FEEDS"), c, name, args,
                              kumo_crawler_resumed(c), NULL, err, errlen);
    if (rc != KUMO_OK)
        return rc;
    kumo_crawler_connect(c, KUMO_SIGNAL_ITEM_SCRAPED, on_item, fs);
    kumo_crawler_connect(c, KUMO_SIGNAL_REQUEST_PROCESSED, on_processed, fs);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, on_closed, fs);
    *self = fs;
    return KUMO_OK;
}

/* Free the feeds (any still open, if the spider never closed, close first). */
static void close_ext(void *self, kumo_crawler *c)
{
    kumo__feedset_free(self);
}

const kumo_ext_def kumo__ext_feedexport = {
    KUMO_EXT_HEADER,
    .name = "FeedExporter",
    .open = open_ext,
    .close = close_ext,
};
