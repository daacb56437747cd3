/* feed_json.c - the JSON feed format: one array of item objects. */
#include "pipeline/feed.h"
#include "util/json.h"

/*
 * Scrapy's JsonItemExporter with FEED_EXPORT_INDENT=0: "[" and a newline, the items
 * separated by "," and a newline, then a newline and "]" with no newline after it.
 */
static int json_start(kumo_feed *f)
{
    return kumo_buf_adds(&f->out, "[\n");
}

static int json_item(kumo_feed *f, const kumo_map *fields)
{
    if (f->count) {
        int rc = kumo_buf_adds(&f->out, ",\n");
        if (rc != KUMO_OK)
            return rc;
    }
    return kumo_json_map(&f->out, fields, ", ", ": ");
}

static int json_finish(kumo_feed *f)
{
    return kumo_buf_adds(&f->out, "\n]");
}

static const char *const json_exts[] = {"json", NULL};

const kumo_feed_fmt kumo__feed_json = {
    .name = "json",
    .exts = json_exts,
    .start = json_start,
    .item = json_item,
    .finish = json_finish,
    .release = NULL,
};
