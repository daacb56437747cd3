/* feedexport.c - write scraped items to the feeds of the FEEDS setting (-o, -O). */
#include "ext/ext.h"
#include "core/crawler.h"
#include "core/settings.h"
#include "core/signals.h"
#include "pipeline/feed.h"
#include "util/json.h"

#define LOGGER "kumo.extensions.feedexport"

typedef struct feedexport {
    kumo_feed **feeds;
    size_t n;
    bool failed;
} feedexport;

static void on_item(void *self, kumo_crawler *c, void *arg)
{
    feedexport *fx = self;
    for (size_t i = 0; i < fx->n; i++)
        if (fx->feeds[i] && kumo_feed_write(fx->feeds[i], arg) != KUMO_OK) {
            KUMO_ERROR(LOGGER, "Error writing to feed %s: %s", kumo_feed_path(fx->feeds[i]),
                       strerror(errno));
            fx->failed = true;
        }
}

/* A request's items are all out: put them in the file before it is recorded as done. */
static void on_processed(void *self, kumo_crawler *c, void *arg)
{
    feedexport *fx = self;
    for (size_t i = 0; i < fx->n; i++)
        if (fx->feeds[i] && kumo_feed_flush(fx->feeds[i]) != KUMO_OK && !fx->failed) {
            KUMO_ERROR(LOGGER, "Error writing to feed %s: %s", kumo_feed_path(fx->feeds[i]),
                       strerror(errno));
            fx->failed = true;
        }
}

/* Close every feed; the feed logs "Stored jsonl feed (N items) in: FILE" itself. */
static void close_feeds(feedexport *fx)
{
    for (size_t i = 0; i < fx->n; i++) {
        size_t count;
        if (fx->feeds[i])
            kumo_feed_close(fx->feeds[i], &count);
        fx->feeds[i] = NULL;
    }
}

static void closed(void *self, kumo_crawler *c, void *arg)
{
    close_feeds(self);
}

/* One FEEDS entry: uri -> {"format": ..., "overwrite": ...} (a list of pairs once parsed). */
static int open_one(feedexport *fx, const char *uri, const kumo_value *opts, char *err,
                    size_t errlen)
{
    const char *format;
    bool overwrite;
    kumo_feed_options(opts, &format, &overwrite);
    kumo_feed *f;
    int rc = kumo_feed_open(&f, uri, format, overwrite, err, errlen);
    if (rc != KUMO_OK)
        return rc;
    fx->feeds = kumo_realloc(fx->feeds, (fx->n + 1) * sizeof(*fx->feeds), KUMO_T_FEED,
                             KUMO_V_NONE);
    fx->feeds[fx->n++] = f;
    return KUMO_OK;
}

static int open_ext(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    const char *feeds = kumo_settings_get(c->settings, "FEEDS");
    kumo_value v;
    if (!feeds || kumo_json_parse(feeds, strlen(feeds), &v, err, errlen) != KUMO_OK)
        return KUMO_EDECLINED;
    if (v.type != KUMO_VAL_LIST || v.u.list->len == 0) {
        kumo_val_clear(&v);
        return KUMO_EDECLINED;
    }
    feedexport *fx = kumo_calloc(1, sizeof(*fx), KUMO_T_FEED, KUMO_V_NONE);
    int rc = KUMO_OK;
    for (size_t i = 0; rc == KUMO_OK && i < v.u.list->len; i++) {
        const kumo_value *pair = &v.u.list->v[i];
        if (pair->type != KUMO_VAL_LIST || pair->u.list->len != 2 ||
            pair->u.list->v[0].type != KUMO_VAL_STR)
            continue;
        rc = open_one(fx, pair->u.list->v[0].u.str.s, &pair->u.list->v[1], err, errlen);
    }
    kumo_val_clear(&v);
    if (rc != KUMO_OK) {
        close_feeds(fx);
        kumo_free(fx->feeds);
        kumo_free(fx);
        return rc;
    }
    kumo_signal_connect(c->signals, KUMO_SIG_ITEM_SCRAPED, on_item, fx);
    kumo_signal_connect(c->signals, KUMO_SIG_SPIDER_CLOSED, closed, fx);
    kumo_signal_connect(c->signals, KUMO_SIG_REQUEST_PROCESSED, on_processed, fx);
    *self = fx;
    return KUMO_OK;
}

static void close_ext(void *self, kumo_crawler *c)
{
    feedexport *fx = self;
    close_feeds(fx);
    kumo_free(fx->feeds);
    kumo_free(fx);
}

const kumo_ext_def kumo_ext_feedexport = {"FeedExporter", open_ext, close_ext};
