/* feed_jsonl.c - the JSON Lines feed format: one JSON object per item and line. */
#include "pipeline/feed.h"
#include "util/json.h"

/* Scrapy's JsonLinesItemExporter: json.dumps defaults (", ", ": "), no indent, "\n". */
static int jsonl_item(kumo_feed *f, const kumo_map *fields)
{
    int rc = kumo__feed_json_item(&f->out, fields, 0);
    return rc != KUMO_OK ? rc : kumo__buf_addc(&f->out, '\n');
}

static const char *const jsonl_exts[] = {"jsonl", "jl", NULL};

const kumo_feed_fmt kumo__feed_jsonlines = {
    .name = "jsonlines",
    .exts = jsonl_exts,
    .json = true,
    .item = jsonl_item,
};
