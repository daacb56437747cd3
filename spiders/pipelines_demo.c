/* pipelines_demo.c - a spider that brings its own components: a downloader middleware, a
 * spider middleware, an item pipeline and an extension (kumo/plugin.h).
 *   kumo crawl pipelines_demo -a url=http://127.0.0.1:8080/links/relative/
 * DemoHeader        (downloader, 543)  adds X-Kumo-Demo: DEMO_HEADER (default "kumo")
 * DemoNoQuery       (spider, 543)      drops followed requests whose url has a '?'
 * DemoPipeline      (pipeline, 300)    drops pages whose url has DEMO_DROP (default
 *                                      "b.html"), stamps the others with "stamped_by"
 * DemoSignals       (extension)        counts responses and drops into demo/... stats
 * Turn any of them off like a built-in: -s 'ITEM_PIPELINES={"DemoPipeline": null}'. */
#include <kumo/kumo.h>
#include <string.h>

#define LOGGER "pipelines_demo"

/* ---- the spider: one item per HTML page, and the echoed headers of /headers ---- */

static void parse_headers(kumo_response *res, kumo_out *out)
{
    size_t len;
    const char *body = kumo_response_body(res, &len);
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_item_set(item, "headers", kumo_val_strn(body, len));
    kumo_yield_item(out, item);
}

static void parse(kumo_response *res, kumo_out *out)
{
    if (!kumo_class_is(kumo_response_class(res), &KUMO_CLASS(HtmlResponse)))
        return;
    kumo_item *item = kumo_item_new();
    kumo_item_set_str(item, "url", kumo_response_url(res));
    kumo_item_set_int(item, "status", kumo_response_status(res));
    kumo_item_set_str(item, "title", kumo_list_get(kumo_css(res, "title::text"), NULL));
    kumo_yield_item(out, item);
    if (kumo_response_depth(res) == 0)
        kumo_follow(out, res, "/headers", parse_headers);
    kumo_selector_list *hrefs = kumo_css(res, "a::attr(href)");
    for (size_t i = 0; i < kumo_list_len(hrefs); i++)
        kumo_follow(out, res, kumo_sel_get(kumo_list_at(hrefs, i)), parse);
}

static int start_requests(kumo_spider *sp, kumo_out *out)
{
    return kumo_start_from_arg(sp, out, NULL, parse);
}

/* ---- DemoHeader: a downloader middleware ---- */

static int header_request(void *self, kumo_crawler *c, kumo_request *req, kumo_response **res,
                          kumo_request **next)
{
    (void)self, (void)res, (void)next;
    const char *value = kumo_crawler_setting_or(c, "DEMO_HEADER", "kumo");
    kumo_headers_set(kumo_request_headers(req), "X-Kumo-Demo", value);
    kumo_crawler_stats_inc(c, "demo/header_added", 1);
    return KUMO_OK;
}

static const kumo_dlmw_def demo_header = {
    KUMO_DLMW_HEADER,
    .name = "DemoHeader",
    .order = 543,
    .process_request = header_request,
};

/* ---- DemoNoQuery: a spider middleware ---- */

static int noquery_request(void *self, kumo_crawler *c, kumo_response *res, kumo_request *req)
{
    (void)self, (void)res;
    if (!strchr(kumo_request_url(req), '?'))
        return KUMO_OK;
    kumo_crawler_log(c, LOGGER, "DEBUG", "Filtered request with a query: %s",
                     kumo_request_url(req));
    kumo_crawler_stats_inc(c, "demo/filtered_query", 1);
    return KUMO_EIGNORED;
}

static const kumo_spmw_def demo_noquery = {
    KUMO_SPMW_HEADER,
    .name = "DemoNoQuery",
    .order = 543,
    .process_request = noquery_request,
};

/* ---- DemoPipeline: an item pipeline with state ---- */

typedef struct pipeline {
    const char *drop;       /* borrowed from the settings */
    int64_t kept;
} pipeline;

static int pipeline_open(kumo_crawler *c, void **self)
{
    pipeline *p = kumo_calloc(1, sizeof(*p), KUMO_T_OTHER, KUMO_V_DICT);
    p->drop = kumo_crawler_setting_or(c, "DEMO_DROP", "b.html");
    *self = p;
    return KUMO_OK;
}

static void pipeline_close(void *self, kumo_crawler *c)
{
    pipeline *p = self;
    kumo_crawler_stats_set_int(c, "demo/pipeline_kept", p->kept);
    kumo_free(p);
}

static int pipeline_item(void *self, kumo_crawler *c, kumo_item *item)
{
    pipeline *p = self;
    (void)c;
    const char *url = kumo_map_get_str(kumo_item_fields(item), "url", "");
    if (*p->drop && strstr(url, p->drop))
        return kumo_item_drop(item, "unwanted page %s", url); /* KUMO_EIGNORED: dropped */
    kumo_item_set_str(item, "stamped_by", "DemoPipeline");
    p->kept++;
    return KUMO_OK;
}

static const kumo_pipeline_def demo_pipeline = {
    KUMO_PIPELINE_HEADER,
    .name = "DemoPipeline",
    .order = 300,
    .open = pipeline_open,
    .close = pipeline_close,
    .process_item = pipeline_item,
};

/* ---- DemoSignals: an extension ---- */

static void on_response(void *ctx, kumo_crawler *c, void *arg)
{
    (void)ctx, (void)arg;
    kumo_crawler_stats_inc(c, "demo/responses_received", 1);
}

static void on_dropped(void *ctx, kumo_crawler *c, void *arg)
{
    (void)ctx;
    const char *why = kumo_item_drop_reason(arg);
    kumo_crawler_stats_inc(c, "demo/items_dropped", 1);
    kumo_crawler_stats_set_str(c, "demo/last_drop_reason", why ? why : "");
}

static void on_closed(void *ctx, kumo_crawler *c, void *arg)
{
    (void)ctx;
    kumo_crawler_stats_set_str(c, "demo/closed", arg);
}

static int signals_open(kumo_crawler *c, void **self, char *err, size_t errlen)
{
    (void)self, (void)err, (void)errlen;
    if (!kumo_crawler_setting_bool_or(c, "DEMO_SIGNALS_ENABLED", true))
        return KUMO_EDECLINED;
    kumo_crawler_connect(c, KUMO_SIGNAL_RESPONSE_RECEIVED, on_response, NULL);
    kumo_crawler_connect(c, KUMO_SIGNAL_ITEM_DROPPED, on_dropped, NULL);
    kumo_crawler_connect(c, KUMO_SIGNAL_SPIDER_CLOSED, on_closed, NULL);
    kumo_crawler_stats_set_str(c, "demo/spider", kumo_spider_name(kumo_crawler_spider(c)));
    return KUMO_OK;
}

static const kumo_ext_def demo_signals = {
    KUMO_EXT_HEADER,
    .name = "DemoSignals",
    .open = signals_open,
};

KUMO_SPIDER = {
    KUMO_SPIDER_HEADER,
    .name = "pipelines_demo",
    .callbacks = KUMO_CALLBACKS(parse, parse_headers),
    .start_requests = start_requests,
    .downloader_middlewares = (const kumo_dlmw_def *const[]){&demo_header, NULL},
    .spider_middlewares = (const kumo_spmw_def *const[]){&demo_noquery, NULL},
    .item_pipelines = (const kumo_pipeline_def *const[]){&demo_pipeline, NULL},
    .extensions = (const kumo_ext_def *const[]){&demo_signals, NULL},
};
